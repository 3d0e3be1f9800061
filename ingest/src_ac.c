/*
 * Assetto Corsa: the events of a dedicated server's UDP plugin, as one
 * client forwards them (docs/ac.md), into observations. AC pushes events,
 * not states, so the state per client remembers what earlier frames said:
 * the current session, the slots (car_id → driver), and per driver of the
 * session its laps, bests, leaderboard row and where it is on the track.
 * Each frame becomes at most one observation of the current session.
 *
 * Cars are keyed by the driver's GUID (the name when the GUID is "0" or
 * empty): slots are reused by other drivers and a driver reconnects on
 * another slot. AC reports no sectors; the splits are derived from the
 * CAR_UPDATE spline positions crossing the sector boundaries.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "trackside.h"
#include "track.h"
#include "source.h"

#define AC_SLOTS	256		/* car_id is a u8 */
#define AC_NO_TIME	999999999LL	/* a leaderboard row without a time */
#define AC_NAME		TRACK_NAME_MAX
#define AC_PATH		256
#define AC_PENDING_MAX	100000		/* events waiting for the next frame */

#define AC_TRACKS_MAX	64		/* tracks with their own sector ends */

/*
 * Sector ends as fractions of the spline, per track ("track/config" as
 * observed), from the configuration (ac_sectors_conf). A track not listed
 * is cut in thirds. Set once when the program starts.
 */
static struct ac_track_sectors {
	char		 track[AC_NAME];
	double		 b1, b2;
} ac_sectors[AC_TRACKS_MAX];
static size_t ac_nsectors;

struct ac_slot {
	int		 connected;
	char		 guid[AC_NAME], name[AC_NAME], team[AC_NAME], model[AC_NAME];
};

/* A driver of the current session. Times in ms, -1 unknown; at_ms on the client's clock. */
struct ac_drv {
	char		 key[AC_NAME], name[AC_NAME], team[AC_NAME], model[AC_NAME];
	int		 slot;
	int		 laps, finished, position;
	long long	 last_ms, best_ms, row_ms;	/* row: the leaderboard's time */
	long long	 s1_ms, s2_ms;			/* the last lap's cumulative splits */
	int		 cuts, colls, colls_last;	/* cuts of the last lap, collisions */
	long long	 cross[2];			/* when S1 / S2 ended on this lap */
	double		 lap_et;			/* ET the current lap began, -1 */
	double		 spline, x, z;
	long long	 upd_at;			/* last CAR_UPDATE, 0 none */
	double		 dist, dist_sp;		/* path driven, and the spline it covered */
	int		 wraps, wrap_off;		/* line crossings; laps = wraps + wrap_off */
};

struct ac_state {
	/* the current session */
	int		 has_info, active, closed, seen_start;
	char		 server[AC_NAME], track[AC_NAME], config[AC_NAME];
	int		 type, index, time_min, laps_max, air, road;
	long long	 elapsed_ms, info_at_ms;
	double		 track_len, b1, b2;
	char		 results[AC_PATH];
	int		 end_now;			/* END_SESSION in this frame */
	struct ac_slot	 slots[AC_SLOTS];
	struct ac_drv	*drv;
	size_t		 ndrv, drv_cap;
	cJSON		*pending;			/* events after a session's end */
	/* what the observation points to */
	char		 track_full[AC_NAME];
	char		**chat;
	size_t		 nchat, chat_cap;
};

static void
scopy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src ? src : "");
}

/* Number member key of o, or dflt. */
static double
ev_num(const cJSON *o, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : dflt;
}

/* Integer member key of o in [min, max], or dflt. */
static long long
ev_ll(const cJSON *o, const char *key, long long min, long long max, long long dflt)
{
	long long v;

	if (!num_to_ll(ev_num(o, key, NAN), min, max, &v))
		return dflt;
	return v;
}

static const char *
ev_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * Sets the sector ends of tracks from the configuration key ac_sectors:
 * "TRACK B1 B2" entries separated by ";", TRACK as sessions show it
 * ("ks_vallelunga/club_circuit"), 0 < B1 < B2 < 1 the ends of S1 and S2 as
 * fractions of the lap. An empty spec clears them. Returns 1, or 0 with a
 * message in err (nothing changed).
 */
int
ac_sectors_conf(const char *spec, struct buf *err)
{
	struct ac_track_sectors	 v[AC_TRACKS_MAX];
	size_t			 n = 0;
	const char		*p = spec ? spec : "";

	while (*p) {
		char	 ent[AC_NAME + 64], track[AC_NAME], b1[32], b2[32], extra[2];
		size_t	 len = strcspn(p, ";");
		int	 k;

		if (len >= sizeof(ent)) {
			buf_printf(err, "ac_sectors: an entry is too long");
			return 0;
		}
		memcpy(ent, p, len);
		ent[len] = '\0';
		p += len + (p[len] == ';');
		k = sscanf(ent, "%95s %31s %31s %1s", track, b1, b2, extra);
		if (k <= 0)
			continue;	/* an empty entry */
		if (n == AC_TRACKS_MAX) {
			buf_printf(err, "ac_sectors: more than %d tracks", AC_TRACKS_MAX);
			return 0;
		}
		if (k != 3 || !num_parse_d(b1, 0, 1, &v[n].b1) || !num_parse_d(b2, 0, 1, &v[n].b2) ||
		    !(v[n].b1 > 0 && v[n].b1 < v[n].b2 && v[n].b2 < 1)) {
			buf_printf(err, "ac_sectors: \"%s\": want TRACK B1 B2 with 0 < B1 < B2 < 1",
			    ent);
			return 0;
		}
		scopy(v[n].track, sizeof(v[n].track), track);
		n++;
	}
	memcpy(ac_sectors, v, n * sizeof(v[0]));
	ac_nsectors = n;
	return 1;
}

/* A new state: no session known. NULL when out of memory. */
void *
ac_state_new(void)
{
	struct ac_state *st = calloc(1, sizeof(*st));

	if (st != NULL) {
		st->b1 = 1.0 / 3.0;
		st->b2 = 2.0 / 3.0;
	}
	return st;
}

static void
ac_chat_clear(struct ac_state *st)
{
	for (size_t i = 0; i < st->nchat; i++)
		free(st->chat[i]);
	st->nchat = 0;
}

/* Releases a state; NULL is a no-op. */
void
ac_state_free(void *p)
{
	struct ac_state *st = p;

	if (st == NULL)
		return;
	ac_chat_clear(st);
	free(st->chat);
	free(st->drv);
	cJSON_Delete(st->pending);
	free(st);
}

/* The identity of the driver in slot sl: the GUID, or the name when the GUID is "0" or empty. */
static const char *
ac_key(const struct ac_slot *sl)
{
	return sl->guid[0] && strcmp(sl->guid, "0") != 0 ? sl->guid : sl->name;
}

/* The driver keyed key in the session, added when create; NULL unknown or out of memory. */
static struct ac_drv *
ac_drv_get(struct ac_state *st, const char *key, int create)
{
	struct ac_drv *d;

	if (key == NULL || key[0] == '\0')
		return NULL;
	for (size_t i = 0; i < st->ndrv; i++)
		if (strcmp(st->drv[i].key, key) == 0)
			return &st->drv[i];
	if (!create)
		return NULL;
	if (st->ndrv == st->drv_cap) {
		size_t nc = st->drv_cap ? st->drv_cap * 2 : 16;
		void *np = realloc(st->drv, nc * sizeof(*st->drv));
		if (np == NULL)
			return NULL;
		st->drv = np;
		st->drv_cap = nc;
	}
	d = &st->drv[st->ndrv++];
	memset(d, 0, sizeof(*d));
	scopy(d->key, sizeof(d->key), key);
	d->slot = -1;
	d->last_ms = d->best_ms = d->row_ms = d->s1_ms = d->s2_ms = -1;
	d->lap_et = -1;
	d->spline = -1;
	return d;
}

/*
 * The driver of the current session in slot car_id, added from the slot
 * when it is new to the session. NULL when the slot is unknown (or out of
 * memory: *nomem set).
 */
static struct ac_drv *
ac_drv_slot(struct ac_state *st, long long car_id, int *nomem)
{
	struct ac_slot	*sl;
	struct ac_drv	*d;

	if (car_id < 0 || car_id >= AC_SLOTS)
		return NULL;
	sl = &st->slots[car_id];
	if (ac_key(sl)[0] == '\0')
		return NULL;
	if ((d = ac_drv_get(st, ac_key(sl), 1)) == NULL) {
		*nomem = 1;
		return NULL;
	}
	d->slot = (int)car_id;
	scopy(d->name, sizeof(d->name), sl->name);
	if (sl->team[0])
		scopy(d->team, sizeof(d->team), sl->team);
	scopy(d->model, sizeof(d->model), sl->model);
	return d;
}

/* ET in ms of the current session at client time at_ms. */
static long long
ac_et_ms(const struct ac_state *st, long long at_ms)
{
	return st->elapsed_ms + (at_ms - st->info_at_ms);
}

/* Forgets the session's drivers: a new session begins. */
static void
ac_session_reset(struct ac_state *st)
{
	st->ndrv = 0;
	st->active = st->closed = st->seen_start = 0;
	st->results[0] = '\0';
	st->track_len = -1;
	snprintf(st->track_full, sizeof(st->track_full), "%s%s%s", st->track,
	    st->config[0] ? "/" : "", st->config);
	st->b1 = 1.0 / 3.0;
	st->b2 = 2.0 / 3.0;
	for (size_t i = 0; i < ac_nsectors; i++)
		if (strcmp(ac_sectors[i].track, st->track_full) == 0) {
			st->b1 = ac_sectors[i].b1;
			st->b2 = ac_sectors[i].b2;
		}
	for (int i = 0; i < AC_SLOTS; i++)
		if (st->slots[i].connected)
			st->active = 1;
}

/*
 * NEW_SESSION or SESSION_INFO. Returns 1 when the event begins another
 * session than the current one, 0 when it updates it or is not about the
 * current session.
 */
static int
ac_info_changes(const struct ac_state *st, const cJSON *ev, int is_new)
{
	long long idx = ev_ll(ev, "session_index", 0, 255, -1);
	long long cur = ev_ll(ev, "current_session_index", 0, 255, idx);
	long long el = ev_ll(ev, "elapsed_ms", -2147483648LL, 2147483647LL, 0);
	long long at = ev_ll(ev, "at_ms", 0, 1LL << 53, 0);

	if (idx != cur)
		return 0;
	if (is_new || !st->has_info)
		return 1;
	return idx != st->index || ev_ll(ev, "session_type", 0, 255, -1) != st->type ||
	    strcmp(ev_str(ev, "server_name") ? ev_str(ev, "server_name") : "", st->server) != 0 ||
	    strcmp(ev_str(ev, "track") ? ev_str(ev, "track") : "", st->track) != 0 ||
	    strcmp(ev_str(ev, "track_config") ? ev_str(ev, "track_config") : "", st->config) != 0 ||
	    el < ac_et_ms(st, at) - 10000;
}

static void
ac_info(struct ac_state *st, const cJSON *ev, int begins, int is_new)
{
	long long idx = ev_ll(ev, "session_index", 0, 255, -1);

	if (idx != ev_ll(ev, "current_session_index", 0, 255, idx))
		return;
	st->elapsed_ms = ev_ll(ev, "elapsed_ms", -2147483648LL, 2147483647LL, 0);
	st->info_at_ms = ev_ll(ev, "at_ms", 0, 1LL << 53, 0);
	st->time_min = (int)ev_ll(ev, "time", 0, 65535, 0);
	st->laps_max = (int)ev_ll(ev, "laps", 0, 65535, 0);
	st->air = (int)ev_ll(ev, "ambient_temp", 0, 255, -300);
	st->road = (int)ev_ll(ev, "road_temp", 0, 255, -300);
	if (!begins)
		return;
	st->has_info = 1;
	st->index = (int)idx;
	st->type = (int)ev_ll(ev, "session_type", 0, 255, 0);
	scopy(st->server, sizeof(st->server), ev_str(ev, "server_name"));
	scopy(st->track, sizeof(st->track), ev_str(ev, "track"));
	scopy(st->config, sizeof(st->config), ev_str(ev, "track_config"));
	ac_session_reset(st);
	st->seen_start = is_new || st->elapsed_ms <= 0;
}

static void
ac_connection(struct ac_state *st, const cJSON *ev, int connected, int *nomem)
{
	long long	 id = ev_ll(ev, "car_id", 0, AC_SLOTS - 1, -1);
	struct ac_slot	*sl;
	const char	*guid = ev_str(ev, "driver_guid"), *name = ev_str(ev, "driver_name");

	if (id < 0)
		return;
	sl = &st->slots[id];
	if (connected || (!sl->connected && sl->name[0] == '\0')) {
		/* a new driver in the slot: the team is the old one's no more */
		if (strcmp(sl->guid, guid ? guid : "") != 0 || strcmp(sl->name, name ? name : "") != 0)
			sl->team[0] = '\0';
		scopy(sl->guid, sizeof(sl->guid), guid);
		scopy(sl->name, sizeof(sl->name), name);
		scopy(sl->model, sizeof(sl->model), ev_str(ev, "car_model"));
	}
	sl->connected = connected;
	if (connected && st->has_info) {
		st->active = 1;
		ac_drv_slot(st, id, nomem);
	}
}

static void
ac_car_info(struct ac_state *st, const cJSON *ev, int *nomem)
{
	long long	 id = ev_ll(ev, "car_id", 0, AC_SLOTS - 1, -1);
	const cJSON	*c = cJSON_GetObjectItemCaseSensitive(ev, "is_connected");
	struct ac_slot	*sl;

	if (id < 0)
		return;
	sl = &st->slots[id];
	if (!cJSON_IsTrue(c) && !(cJSON_IsNumber(c) && c->valuedouble != 0)) {
		sl->connected = 0;
		return;
	}
	sl->connected = 1;
	scopy(sl->guid, sizeof(sl->guid), ev_str(ev, "driver_guid"));
	scopy(sl->name, sizeof(sl->name), ev_str(ev, "driver_name"));
	scopy(sl->team, sizeof(sl->team), ev_str(ev, "driver_team"));
	scopy(sl->model, sizeof(sl->model), ev_str(ev, "car_model"));
	if (st->has_info) {
		st->active = 1;
		ac_drv_slot(st, id, nomem);
	}
}

/*
 * Records when car d ended a sector or the lap between two updates,
 * interpolated. Returns the spline it covered, 0 standing, -1 backwards or
 * a jump (back to the pits).
 */
static double
ac_crossings(struct ac_state *st, struct ac_drv *d, double p1, long long t1)
{
	double p0 = d->spline, q1 = p1;
	const double ends[] = { st->b1, st->b2, 1.0, st->b1 + 1, st->b2 + 1 };

	if (q1 < p0 - 0.5)
		q1 += 1.0;	/* through the line */
	if (q1 == p0)
		return 0;
	if (!(q1 > p0) || q1 - p0 >= 0.5)
		return -1;
	for (size_t k = 0; k < sizeof(ends) / sizeof(ends[0]); k++) {
		double b = ends[k];
		long long tc;
		if (!(p0 < b && b <= q1))
			continue;
		tc = d->upd_at + llround((b - p0) / (q1 - p0) * (double)(t1 - d->upd_at));
		if (b == 1.0)
			d->wraps++;
		else
			d->cross[k % 3 == 0 ? 0 : 1] = tc;
	}
	return q1 - p0;
}

static void
ac_car_update(struct ac_state *st, const cJSON *ev, long long at, int *nomem)
{
	long long	 id = ev_ll(ev, "car_id", 0, AC_SLOTS - 1, -1);
	const cJSON	*pos = cJSON_GetObjectItemCaseSensitive(ev, "pos");
	double		 p = ev_num(ev, "normalized_spline_pos", -1), x, z;
	struct ac_drv	*d;

	if (!st->has_info || id < 0 || !st->slots[id].connected ||
	    (d = ac_drv_slot(st, id, nomem)) == NULL)
		return;
	st->active = 1;
	if (!cJSON_IsArray(pos) || cJSON_GetArraySize(pos) != 3 ||
	    !cJSON_IsNumber(cJSON_GetArrayItem(pos, 0)) || !cJSON_IsNumber(cJSON_GetArrayItem(pos, 2)))
		return;
	x = cJSON_GetArrayItem(pos, 0)->valuedouble;
	z = cJSON_GetArrayItem(pos, 2)->valuedouble;	/* AC's y is up */
	if (!isfinite(x) || !isfinite(z) || !(p >= 0 && p <= 1))
		return;
	if (d->spline < 0) {
		/*
		 * The first sight of the car: the spline is how far into its lap
		 * it is, but on a race's grid the cars stand behind the line.
		 */
		d->wrap_off = d->laps - (p > 0.5 && ac_et_ms(st, at) < 0 && st->type == 3);
	} else if (d->upd_at > 0 && at > d->upd_at) {
		double step = hypot(x - d->x, z - d->z), dp = ac_crossings(st, d, p, at);
		/* the track's length: the path of a whole lap's worth of spline, from anywhere */
		if (dp < 0 || step >= 1000)
			d->dist = d->dist_sp = 0;
		else if (dp > 0) {
			d->dist += step;
			d->dist_sp += dp;
			if (st->track_len <= 0 && d->dist_sp >= 1.0 && d->dist > 100)
				st->track_len = d->dist / d->dist_sp;
		}
	}
	d->spline = p;
	d->x = x;
	d->z = z;
	d->upd_at = at;
}

/* Positions from a leaderboard: its order, rows of slots nobody of the session holds skipped. */
static void
ac_leaderboard(struct ac_state *st, const cJSON *rows)
{
	const cJSON	*r;
	int		 pos = 0;

	if (!cJSON_IsArray(rows))
		return;
	for (size_t i = 0; i < st->ndrv; i++)
		st->drv[i].position = -st->drv[i].position;	/* not placed yet */
	cJSON_ArrayForEach(r, rows) {
		long long	 id = ev_ll(r, "car_id", 0, AC_SLOTS - 1, -1);
		long long	 ms = ev_ll(r, "time_ms", 0, 4294967295LL, -1);
		struct ac_drv	*d = NULL;

		if (id < 0 || ac_key(&st->slots[id])[0] == '\0' ||
		    (d = ac_drv_get(st, ac_key(&st->slots[id]), 0)) == NULL || d->slot != id ||
		    d->position > 0)
			continue;
		d->position = ++pos;
		d->row_ms = ms >= 0 && ms != AC_NO_TIME && (st->type == 3 || ms > 0) ? ms : -1;
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "finished")) ||
		    ev_ll(r, "finished", 0, 255, 0) > 0)
			d->finished = 1;
	}
	/* Drivers without a row (they left) follow, in their former order. */
	for (;;) {
		struct ac_drv *next = NULL;
		for (size_t i = 0; i < st->ndrv; i++) {
			struct ac_drv *d = &st->drv[i];
			if (d->position <= 0 && (next == NULL || (d->position != 0 &&
			    (next->position == 0 || d->position > next->position))))
				next = d;
		}
		if (next == NULL)
			break;
		next->position = ++pos;
	}
}

static void
ac_lap(struct ac_state *st, const cJSON *ev, long long at, int *nomem)
{
	long long	 id = ev_ll(ev, "car_id", 0, AC_SLOTS - 1, -1);
	long long	 ms = ev_ll(ev, "laptime_ms", 1, 4294967295LL, -1), start;
	struct ac_drv	*d;
	const cJSON	*rows = cJSON_GetObjectItemCaseSensitive(ev, "leaderboard"), *r;

	if (!st->has_info || id < 0 || (d = ac_drv_slot(st, id, nomem)) == NULL)
		return;
	st->active = 1;
	d->laps++;
	/* a client that joined the session late takes the game's count */
	if (!st->seen_start && d->laps == 1)
		cJSON_ArrayForEach(r, (cJSON_IsArray(rows) ? rows : NULL))
			if (ev_ll(r, "car_id", 0, AC_SLOTS - 1, -1) == id &&
			    ev_ll(r, "laps", 0, 65535, 0) > d->laps)
				d->laps = (int)ev_ll(r, "laps", 0, 65535, 0);
	/*
	 * The line crossings count laps from here: the car crossed it (its
	 * last update shows it early in a lap) or is about to.
	 */
	d->wrap_off = d->laps - d->wraps - (d->spline >= 0 && d->spline > 0.5);
	d->last_ms = ms;
	if (ms > 0 && (d->best_ms < 0 || ms < d->best_ms))
		d->best_ms = ms;
	d->cuts = (int)ev_ll(ev, "cuts", 0, 255, -1);
	d->colls_last = d->colls;
	d->colls = 0;
	/* the splits of the lap, anchored on the game's lap time */
	d->s1_ms = d->s2_ms = -1;
	start = at - ms;
	if (ms > 0 && d->cross[0] > start && d->cross[1] > d->cross[0] && d->cross[1] < at) {
		d->s1_ms = d->cross[0] - start;
		d->s2_ms = d->cross[1] - start;
	}
	d->lap_et = (double)ac_et_ms(st, at) / 1000.0;
	ac_leaderboard(st, rows);
}

static int
ac_chat(struct ac_state *st, const cJSON *ev, long long at)
{
	long long	 id = ev_ll(ev, "car_id", 0, AC_SLOTS - 1, -1);
	const char	*m = ev_str(ev, "message"), *who;
	char		 num[16];
	size_t		 len;

	if (m == NULL)
		return 1;
	if (st->nchat == st->chat_cap) {
		size_t nc = st->chat_cap ? st->chat_cap * 2 : 8;
		char **np = realloc(st->chat, nc * sizeof(*np));
		if (np == NULL)
			return -1;
		st->chat = np;
		st->chat_cap = nc;
	}
	if (id >= 0 && st->slots[id].name[0])
		who = st->slots[id].name;
	else {
		snprintf(num, sizeof(num), "car %lld", id);
		who = num;
	}
	len = strlen(who) + strlen(m) + 3;
	if ((st->chat[st->nchat] = malloc(len + 24)) == NULL)
		return -1;
	/*
	 * The line's time: the session's ET at arrival, in whole seconds
	 * (clocks of two clients differ, their ETs not; the tracker puts the
	 * session's clock under it), kept in front of the text until the
	 * observation is built.
	 */
	snprintf(st->chat[st->nchat], len + 24, "%lld %s: %s",
	    (long long)floor((double)ac_et_ms(st, at) / 1000.0), who, m);
	st->nchat++;
	return 1;
}

/* Applies one event. Returns 1 applied, 2 the session ended with it, -1 out of memory. */
static int
ac_event(struct ac_state *st, const cJSON *ev, long long *last_at)
{
	const char	*type = ev_str(ev, "type");
	long long	 at = ev_ll(ev, "at_ms", 0, 1LL << 53, 0);
	int		 nomem = 0;

	if (type == NULL || at <= 0)
		return 1;
	if (at > *last_at)
		*last_at = at;
	if (strcmp(type, "ACSP_NEW_SESSION") == 0 || strcmp(type, "ACSP_SESSION_INFO") == 0) {
		int is_new = type[5] == 'N';
		ac_info(st, ev, ac_info_changes(st, ev, is_new), is_new);
	} else if (strcmp(type, "ACSP_NEW_CONNECTION") == 0)
		ac_connection(st, ev, 1, &nomem);
	else if (strcmp(type, "ACSP_CONNECTION_CLOSED") == 0)
		ac_connection(st, ev, 0, &nomem);
	else if (strcmp(type, "ACSP_CAR_INFO") == 0)
		ac_car_info(st, ev, &nomem);
	else if (strcmp(type, "ACSP_CAR_UPDATE") == 0)
		ac_car_update(st, ev, at, &nomem);
	else if (strcmp(type, "ACSP_CLIENT_LOADED") == 0) {
		long long id = ev_ll(ev, "car_id", 0, AC_SLOTS - 1, -1);
		if (st->has_info && id >= 0 && st->slots[id].connected) {
			st->active = 1;
			ac_drv_slot(st, id, &nomem);
		}
	} else if (strcmp(type, "ACSP_LAP_COMPLETED") == 0)
		ac_lap(st, ev, at, &nomem);
	else if (strcmp(type, "ACSP_CLIENT_EVENT") == 0) {
		struct ac_drv *d = st->has_info ?
		    ac_drv_slot(st, ev_ll(ev, "car_id", 0, AC_SLOTS - 1, -1), &nomem) : NULL;
		if (d != NULL)
			d->colls++;
	} else if (strcmp(type, "ACSP_CHAT") == 0) {
		if (st->has_info && ac_chat(st, ev, at) < 0)
			return -1;
	} else if (strcmp(type, "ACSP_END_SESSION") == 0 && st->has_info && !st->closed) {
		scopy(st->results, sizeof(st->results), ev_str(ev, "results_json_path"));
		st->end_now = 1;
		return nomem ? -1 : 2;
	}
	return nomem ? -1 : 1;
}

/* Whether ev begins another session than the one the state follows. */
static int
ac_begins(const struct ac_state *st, const cJSON *ev)
{
	const char *type = ev_str(ev, "type");

	if (type == NULL)
		return 0;
	if (strcmp(type, "ACSP_NEW_SESSION") == 0)
		return ac_info_changes(st, ev, 1);
	if (strcmp(type, "ACSP_SESSION_INFO") == 0)
		return ac_info_changes(st, ev, 0);
	return 0;
}

/*
 * Keeps events from index from of the list a on for the next frame.
 * Returns 1, 0 too many wait already (the caller goes on: sessions that
 * end in one frame share its observation), -1 out of memory.
 */
static int
ac_keep(struct ac_state *st, const cJSON *a, int from)
{
	cJSON *keep, *c;

	if (cJSON_GetArraySize(a) - from > AC_PENDING_MAX)
		return 0;
	if ((keep = cJSON_CreateArray()) == NULL)
		return -1;
	for (int i = from; i < cJSON_GetArraySize(a); i++)
		if ((c = cJSON_Duplicate(cJSON_GetArrayItem(a, i), 1)) == NULL ||
		    !cJSON_AddItemToArray(keep, c)) {
			cJSON_Delete(c);
			cJSON_Delete(keep);
			return -1;
		}
	cJSON_Delete(st->pending);
	st->pending = keep;
	return 1;
}

/*
 * Applies the events of list a. A session's end, or another session
 * beginning after events of an observed one, ends the observation: the
 * events after it wait for the next frame. Returns 1, 0 stopped early, -1.
 */
static int
ac_events(struct ac_state *st, const cJSON *a, long long *last_at, int *applied)
{
	int n = cJSON_GetArraySize(a);

	for (int i = 0; i < n; i++) {
		const cJSON *ev = cJSON_GetArrayItem(a, i);
		int rc;
		if (!cJSON_IsObject(ev))
			continue;
		if (*applied && st->active && !st->closed && ac_begins(st, ev) &&
		    (rc = ac_keep(st, a, i)) != 0)
			return rc < 0 ? -1 : 0;
		if ((rc = ac_event(st, ev, last_at)) < 0)
			return -1;
		*applied = 1;
		if (rc == 2 && (rc = ac_keep(st, a, i + 1)) != 0)
			return rc < 0 ? -1 : 0;
	}
	return 1;
}

static int
ac_grow_cars(struct obs *ob, size_t n)
{
	void *np;

	if (n <= ob->cars_cap)
		return 1;
	if ((np = realloc(ob->cars, n * sizeof(*ob->cars))) == NULL)
		return -1;
	ob->cars = np;
	ob->cars_cap = n;
	return 1;
}

/* A car of a race as ac_race_order() ranks it. */
struct ac_rank {
	struct obs_car	*oc;
	double		 progress;	/* laps and the fraction of the lap in progress */
	int		 finished, row;	/* row: its place on the leaderboard */
};

/* qsort() order of a race: laps, the flag (in the leaderboard's order), then where on the lap. */
static int
ac_rank_cmp(const void *a, const void *b)
{
	const struct ac_rank *x = a, *y = b;

	if (x->oc->laps != y->oc->laps)
		return x->oc->laps > y->oc->laps ? -1 : 1;
	if (x->finished != y->finished)
		return x->finished ? -1 : 1;
	if (!x->finished && x->progress != y->progress)
		return x->progress > y->progress ? -1 : 1;
	return x->row - y->row;
}

/*
 * Race positions as the cars stand now: AC's leaderboard changes only when
 * a car crosses the line, so passes on the lap would wait a lap. Cars that
 * took the flag keep the leaderboard's order. Returns 1 or -1.
 */
static int
ac_race_order(const struct ac_state *st, struct obs *ob)
{
	struct ac_rank *v = calloc(ob->ncars ? ob->ncars : 1, sizeof(*v));

	if (v == NULL)
		return -1;
	for (size_t i = 0; i < ob->ncars; i++) {
		struct obs_car *oc = &ob->cars[i];
		v[i].oc = oc;
		v[i].finished = oc->finish == FIN_FINISHED;
		v[i].row = oc->position;
		v[i].progress = oc->laps + (oc->lap_dist > 0 && st->track_len > 0 ?
		    fmin(oc->lap_dist / st->track_len, 0.9999) : 0);
	}
	qsort(v, ob->ncars, sizeof(*v), ac_rank_cmp);
	for (size_t i = 0; i < ob->ncars; i++)
		v[i].oc->position = (int)i + 1;
	free(v);
	return 1;
}

/* The observation of the state's session at client time now_ms. Returns 1 or -1. */
static int
ac_observe(struct ac_state *st, long long now_ms, struct obs *ob)
{
	long long	 et_ms = ac_et_ms(st, now_ms);
	int		 any_finished = 0;
	enum session_kind kind = st->type == 1 ? SK_PRACTICE : st->type == 2 ? SK_QUALIFY :
	    st->type == 3 ? SK_RACE : SK_OTHER;

	ob->has_session = 1;
	ob->online = 1;
	ob->server = st->server;
	ob->track = st->track_full;
	ob->kind = kind;
	ob->kind_n = 0;
	ob->et = et_ms > 0 ? (double)et_ms / 1000.0 : 0;
	ob->max_time = st->time_min > 0 ? st->time_min * 60.0 : -1;
	ob->end_et = ob->max_time;
	ob->remaining = ob->max_time > 0 ? fmax(ob->max_time - ob->et, 0) : -1;
	ob->max_laps = st->laps_max > 0 ? st->laps_max : -1;
	ob->track_len = st->track_len;
	ob->air = st->air;
	ob->track_temp = st->road;
	ob->rain = ob->wetness = -1;
	ob->closed = st->end_now;
	ob->results_file = st->end_now ? st->results : NULL;
	if (ac_grow_cars(ob, st->ndrv) < 0)
		return -1;
	ob->has_standings = 1;
	for (size_t i = 0; i < st->ndrv; i++) {
		struct ac_drv	*d = &st->drv[i];
		struct obs_car	*oc = &ob->cars[ob->ncars++];

		memset(oc, 0, sizeof(*oc));
		oc->slot = d->slot;
		oc->key = d->key;
		scopy(oc->veh, sizeof(oc->veh), d->model);
		oc->vehicle_name = d->model;
		oc->driver = d->name;
		oc->team = d->team;
		oc->position = d->position > 0 ? d->position : (int)(i + 1);
		oc->laps = d->laps;
		oc->last = d->last_ms > 0 ? d->last_ms / 1000.0 : -1;
		oc->last_s1 = d->s1_ms > 0 ? d->s1_ms / 1000.0 : -1;
		oc->last_s2 = d->s2_ms > 0 ? d->s2_ms / 1000.0 : -1;
		oc->cur_s1 = oc->cur_s2 = -1;
		oc->splits_derived = 1;
		/* qualifying and practice rows hold the best lap; a race row the total */
		oc->best = st->type != 3 && d->row_ms > 0 ? d->row_ms / 1000.0 :
		    d->best_ms > 0 ? d->best_ms / 1000.0 : -1;
		oc->gap = oc->interval = -1;
		oc->finish = d->finished ? FIN_FINISHED : FIN_NONE;
		any_finished |= d->finished;
		oc->fuel = oc->ve = -1;
		/*
		 * Into the lap by the spline, on the lap the line crossings say:
		 * a crossing whose LAP_COMPLETED has not come yet holds the car
		 * at the end of its lap, a LAP_COMPLETED before the crossing at
		 * the line, so laps and lap distance never go back.
		 */
		oc->lap_dist = d->spline >= 0 && st->track_len > 0 ? fmin(fmax(d->wraps +
		    d->wrap_off - d->laps + d->spline, 0), 0.9999) * st->track_len : -1;
		oc->x = d->x;
		oc->z = d->z;
		oc->lap_start_et = d->lap_et;
		oc->sector = d->spline < 0 ? 0 : d->spline < st->b1 ? 1 : d->spline < st->b2 ? 2 : 3;
		oc->in_control = 1;
		oc->cuts = d->cuts;
		oc->collisions = d->laps > 0 ? d->colls_last : -1;
		if (d->slot < 0)
			ob->ncars--;
	}
	if (kind == SK_RACE && et_ms >= 0 && ac_race_order(st, ob) < 0)
		return -1;
	if (kind == SK_RACE)
		ob->phase = et_ms < 0 ? PHASE_COUNTDOWN : any_finished ? PHASE_CHECKERED : PHASE_GREEN;
	else
		ob->phase = ob->max_time > 0 && ob->et > ob->max_time ? PHASE_CHECKERED : PHASE_GREEN;
	ob->vehicles = (int)ob->ncars;
	/* chat: "<seconds> <name>: <message>" until here */
	if (st->nchat > ob->chat_cap) {
		void *np = realloc(ob->chat, st->nchat * sizeof(*ob->chat));
		if (np == NULL)
			return -1;
		ob->chat = np;
		ob->chat_cap = st->nchat;
	}
	ob->has_chat = st->nchat > 0;
	ob->chat_et = 1;
	for (size_t i = 0; i < st->nchat; i++) {
		char *sp = strchr(st->chat[i], ' ');
		ob->chat[i].ts = strtoll(st->chat[i], NULL, 10) * 10000000LL;
		ob->chat[i].text = sp + 1;
	}
	ob->nchat = st->nchat;
	return 1;
}

/*
 * Applies the events of one frame (after those an earlier frame left) and
 * fills ob with the current session. Returns 1 an observation, 0 nothing
 * to observe (no session yet, nobody on the server, a closed session), -1
 * out of memory.
 */
int
ac_parse(void *state, const struct src_in *in, const cJSON *data, struct obs *ob)
{
	struct ac_state	*st = state;
	cJSON		*pending = st->pending;
	const cJSON	*evs = cJSON_GetObjectItemCaseSensitive(data, "events");
	long long	 last_at = 0, now_ms;
	int		 applied = 0, rc = 1;

	ob->ncars = ob->nentries = ob->nmembers = ob->nchat = 0;
	ob->nstops = ob->nusage = ob->nhist = ob->npoints = 0;
	ob->has_session = ob->has_standings = ob->has_teams = ob->has_chat = 0;
	ob->has_strategy = ob->has_usage = ob->has_history = ob->has_trackmap = 0;
	ob->loading = ob->replay = ob->online = ob->closed = ob->chat_et = 0;
	ob->results_file = NULL;
	ob->coherence = -1;
	memset(ob->drift, 0, sizeof(ob->drift));
	ac_chat_clear(st);
	st->end_now = 0;
	if (pending != NULL) {
		st->pending = NULL;
		rc = ac_events(st, pending, &last_at, &applied);
		if (rc == 0) {
			/* still more than one session's end in what waits: this frame waits too */
			if (cJSON_IsArray(evs))
				for (int i = 0; i < cJSON_GetArraySize(evs); i++) {
					cJSON *c = cJSON_Duplicate(cJSON_GetArrayItem(evs, i), 1);
					if (c == NULL || !cJSON_AddItemToArray(st->pending, c)) {
						cJSON_Delete(c);
						rc = -1;
						break;
					}
				}
		}
		cJSON_Delete(pending);
	}
	if (rc == 1 && cJSON_IsArray(evs))
		rc = ac_events(st, evs, &last_at, &applied);
	if (rc < 0)
		return -1;
	now_ms = rc == 0 || in == NULL || in->captured_at <= 0 ? last_at :
	    llround(in->captured_at * 1000.0);
	if (now_ms < last_at)
		now_ms = last_at;
	if (!st->has_info || !st->active || st->closed || now_ms <= 0)
		return 0;
	/* everyone on the server is in the session, laps or not */
	for (int i = 0; i < AC_SLOTS; i++) {
		int nomem = 0;
		if (st->slots[i].connected)
			ac_drv_slot(st, i, &nomem);
		if (nomem)
			return -1;
	}
	if (ac_observe(st, now_ms, ob) < 0)
		return -1;
	if (st->end_now)
		st->closed = 1;
	return 1;
}

static int
ac_add_num(cJSON *o, const char *key, double v)
{
	return cJSON_AddNumberToObject(o, key, v) != NULL;
}

static int
ac_add_str(cJSON *o, const char *key, const char *v)
{
	return cJSON_AddStringToObject(o, key, v) != NULL;
}

/* The state as a JSON object, appended to out. Returns 1 or -1. */
int
ac_state_save(const void *state, struct buf *out)
{
	const struct ac_state	*st = state;
	cJSON			*o = cJSON_CreateObject(), *slots, *drv, *x;
	char			*txt = NULL;
	int			 ok, rc = -1;

	if (o == NULL)
		return -1;
	ok = ac_add_num(o, "v", 1) && ac_add_num(o, "has_info", st->has_info) &&
	    ac_add_num(o, "active", st->active) && ac_add_num(o, "closed", st->closed) &&
	    ac_add_num(o, "seen_start", st->seen_start) && ac_add_str(o, "server", st->server) &&
	    ac_add_str(o, "track", st->track) && ac_add_str(o, "config", st->config) &&
	    ac_add_num(o, "type", st->type) && ac_add_num(o, "index", st->index) &&
	    ac_add_num(o, "time", st->time_min) && ac_add_num(o, "laps", st->laps_max) &&
	    ac_add_num(o, "air", st->air) && ac_add_num(o, "road", st->road) &&
	    ac_add_num(o, "elapsed_ms", (double)st->elapsed_ms) &&
	    ac_add_num(o, "info_at_ms", (double)st->info_at_ms) &&
	    ac_add_num(o, "track_len", st->track_len) && ac_add_str(o, "results", st->results) &&
	    (slots = cJSON_AddArrayToObject(o, "slots")) != NULL &&
	    (drv = cJSON_AddArrayToObject(o, "drivers")) != NULL;
	for (int i = 0; ok && i < AC_SLOTS; i++) {
		const struct ac_slot *sl = &st->slots[i];
		if (!sl->connected && sl->name[0] == '\0' && sl->guid[0] == '\0')
			continue;
		ok = (x = cJSON_CreateObject()) != NULL && cJSON_AddItemToArray(slots, x) &&
		    ac_add_num(x, "car_id", i) && ac_add_num(x, "connected", sl->connected) &&
		    ac_add_str(x, "guid", sl->guid) && ac_add_str(x, "name", sl->name) &&
		    ac_add_str(x, "team", sl->team) && ac_add_str(x, "model", sl->model);
	}
	for (size_t i = 0; ok && i < st->ndrv; i++) {
		const struct ac_drv *d = &st->drv[i];
		ok = (x = cJSON_CreateObject()) != NULL && cJSON_AddItemToArray(drv, x) &&
		    ac_add_str(x, "key", d->key) && ac_add_str(x, "name", d->name) &&
		    ac_add_str(x, "team", d->team) && ac_add_str(x, "model", d->model) &&
		    ac_add_num(x, "slot", d->slot) && ac_add_num(x, "laps", d->laps) &&
		    ac_add_num(x, "finished", d->finished) && ac_add_num(x, "position", d->position) &&
		    ac_add_num(x, "last_ms", (double)d->last_ms) &&
		    ac_add_num(x, "best_ms", (double)d->best_ms) &&
		    ac_add_num(x, "row_ms", (double)d->row_ms) &&
		    ac_add_num(x, "s1_ms", (double)d->s1_ms) && ac_add_num(x, "s2_ms", (double)d->s2_ms) &&
		    ac_add_num(x, "cuts", d->cuts) && ac_add_num(x, "colls", d->colls) &&
		    ac_add_num(x, "colls_last", d->colls_last) &&
		    ac_add_num(x, "cross1", (double)d->cross[0]) &&
		    ac_add_num(x, "cross2", (double)d->cross[1]) && ac_add_num(x, "lap_et", d->lap_et) &&
		    ac_add_num(x, "spline", d->spline) && ac_add_num(x, "x", d->x) &&
		    ac_add_num(x, "z", d->z) && ac_add_num(x, "upd_at", (double)d->upd_at) &&
		    ac_add_num(x, "dist", d->dist) && ac_add_num(x, "dist_sp", d->dist_sp) &&
		    ac_add_num(x, "wraps", d->wraps) && ac_add_num(x, "wrap_off", d->wrap_off);
	}
	if (ok && st->pending != NULL) {
		cJSON *p = cJSON_Duplicate(st->pending, 1);
		ok = p != NULL && cJSON_AddItemToObject(o, "pending", p);
		if (p != NULL && !ok)
			cJSON_Delete(p);
	}
	if (ok && (txt = cJSON_PrintUnformatted(o)) != NULL && buf_puts(out, txt) >= 0)
		rc = 1;
	free(txt);
	cJSON_Delete(o);
	return rc;
}

static void
ac_get_str(const cJSON *o, const char *key, char *dst, size_t sz)
{
	scopy(dst, sz, ev_str(o, key));
}

/*
 * Restores a state ac_state_save wrote. Returns 1, 0 unreadable (the state
 * is left new), -1 out of memory.
 */
int
ac_state_load(void *state, const char *json)
{
	struct ac_state	*st = state;
	cJSON		*o = json ? cJSON_Parse(json) : NULL;
	const cJSON	*a, *x;
	struct ac_drv	*d;
	int		 rc = 1;

	if (!cJSON_IsObject(o) || ev_ll(o, "v", 0, 100, 0) != 1) {
		cJSON_Delete(o);
		return 0;
	}
	st->has_info = ev_ll(o, "has_info", 0, 1, 0);
	st->active = ev_ll(o, "active", 0, 1, 0);
	st->closed = ev_ll(o, "closed", 0, 1, 0);
	st->seen_start = ev_ll(o, "seen_start", 0, 1, 0);
	ac_get_str(o, "server", st->server, sizeof(st->server));
	ac_get_str(o, "track", st->track, sizeof(st->track));
	ac_get_str(o, "config", st->config, sizeof(st->config));
	st->type = (int)ev_ll(o, "type", 0, 255, 0);
	st->index = (int)ev_ll(o, "index", 0, 255, 0);
	ac_session_reset(st);	/* track name, sector ends */
	st->has_info = ev_ll(o, "has_info", 0, 1, 0);
	st->active = ev_ll(o, "active", 0, 1, 0);
	st->closed = ev_ll(o, "closed", 0, 1, 0);
	st->seen_start = ev_ll(o, "seen_start", 0, 1, 0);
	st->time_min = (int)ev_ll(o, "time", 0, 65535, 0);
	st->laps_max = (int)ev_ll(o, "laps", 0, 65535, 0);
	st->air = (int)ev_ll(o, "air", -300, 255, -300);
	st->road = (int)ev_ll(o, "road", -300, 255, -300);
	st->elapsed_ms = ev_ll(o, "elapsed_ms", -2147483648LL, 2147483647LL, 0);
	st->info_at_ms = ev_ll(o, "info_at_ms", 0, 1LL << 53, 0);
	st->track_len = ev_num(o, "track_len", -1);
	ac_get_str(o, "results", st->results, sizeof(st->results));
	memset(st->slots, 0, sizeof(st->slots));
	a = cJSON_GetObjectItemCaseSensitive(o, "slots");
	cJSON_ArrayForEach(x, (cJSON_IsArray(a) ? a : NULL)) {
		long long i = ev_ll(x, "car_id", 0, AC_SLOTS - 1, -1);
		if (i < 0)
			continue;
		st->slots[i].connected = ev_ll(x, "connected", 0, 1, 0);
		ac_get_str(x, "guid", st->slots[i].guid, sizeof(st->slots[i].guid));
		ac_get_str(x, "name", st->slots[i].name, sizeof(st->slots[i].name));
		ac_get_str(x, "team", st->slots[i].team, sizeof(st->slots[i].team));
		ac_get_str(x, "model", st->slots[i].model, sizeof(st->slots[i].model));
	}
	a = cJSON_GetObjectItemCaseSensitive(o, "drivers");
	cJSON_ArrayForEach(x, (cJSON_IsArray(a) ? a : NULL)) {
		const char *key = ev_str(x, "key");
		if (key == NULL || key[0] == '\0' || ac_drv_get(st, key, 0) != NULL)
			continue;
		if ((d = ac_drv_get(st, key, 1)) == NULL) {
			rc = -1;
			break;
		}
		ac_get_str(x, "name", d->name, sizeof(d->name));
		ac_get_str(x, "team", d->team, sizeof(d->team));
		ac_get_str(x, "model", d->model, sizeof(d->model));
		d->slot = (int)ev_ll(x, "slot", -1, AC_SLOTS - 1, -1);
		d->laps = (int)ev_ll(x, "laps", 0, 1000000, 0);
		d->finished = (int)ev_ll(x, "finished", 0, 1, 0);
		d->position = (int)ev_ll(x, "position", -1000, 1000, 0);
		d->last_ms = ev_ll(x, "last_ms", -1, 4294967295LL, -1);
		d->best_ms = ev_ll(x, "best_ms", -1, 4294967295LL, -1);
		d->row_ms = ev_ll(x, "row_ms", -1, 4294967295LL, -1);
		d->s1_ms = ev_ll(x, "s1_ms", -1, 4294967295LL, -1);
		d->s2_ms = ev_ll(x, "s2_ms", -1, 4294967295LL, -1);
		d->cuts = (int)ev_ll(x, "cuts", -1, 255, -1);
		d->colls = (int)ev_ll(x, "colls", 0, 1000000, 0);
		d->colls_last = (int)ev_ll(x, "colls_last", 0, 1000000, 0);
		d->cross[0] = ev_ll(x, "cross1", 0, 1LL << 53, 0);
		d->cross[1] = ev_ll(x, "cross2", 0, 1LL << 53, 0);
		d->lap_et = ev_num(x, "lap_et", -1);
		d->spline = ev_num(x, "spline", -1);
		d->x = ev_num(x, "x", 0);
		d->z = ev_num(x, "z", 0);
		d->upd_at = ev_ll(x, "upd_at", 0, 1LL << 53, 0);
		d->dist = ev_num(x, "dist", 0);
		d->dist_sp = ev_num(x, "dist_sp", 0);
		d->wraps = (int)ev_ll(x, "wraps", 0, 1000000, 0);
		d->wrap_off = (int)ev_ll(x, "wrap_off", -1000000, 1000000, 0);
	}
	a = cJSON_GetObjectItemCaseSensitive(o, "pending");
	if (rc == 1 && cJSON_IsArray(a)) {
		cJSON_Delete(st->pending);
		if ((st->pending = cJSON_Duplicate(a, 1)) == NULL)
			rc = -1;
	}
	cJSON_Delete(o);
	return rc;
}
