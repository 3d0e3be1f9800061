/*
 * Project CARS 2 / Automobilista 2 (spec/pcars2.md): the UDP packets and
 * shared-memory polls one client forwards, into observations. The packets
 * are decoded with lib/pcars2.h; nothing else here reads their bytes.
 *
 * The game sends pieces at their own pace (names 16 at a time, vehicle and
 * class names now and then, lap and sector times only when they change), so
 * the state per client keeps what earlier frames said: the roster, vehicle
 * and class names, the race definition, the game state, and per participant
 * its laps, the times that belong to them and its pit mode. Each frame
 * becomes at most one observation of the current session.
 *
 * Cars are keyed by participant index and name ("3:Jane Doe", the name of
 * the car's first driver): an index is stable within a session. Another
 * name on an index is a driver swap when the car's laps go on (the same
 * car, a new driver), and another car when they start again (a participant
 * who left and one who joined on the index). The key is also the car's
 * "vehicle" in the model, since a new participant on an index may well
 * drive the same model; the vehicle's name is the vehicle name.
 * Shared memory carries 64 participants, UDP 32: a frame with both reads
 * the participants from shared memory and the rest from both.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "trackside.h"
#include "pcars2.h"
#include "track.h"
#include "source.h"

#define P2S_CARS	P2_SHM_CARS
#define P2S_SHM_MAX	65536		/* bytes of a block read at most */
#define P2S_KEY		(P2_NAME + 8)
#define P2S_LAPS_MAX	10000		/* laps completed beyond: a block that is no game's */
#define P2S_MAP_MAX	4000		/* points of a track outline */
#define P2S_MAP_STEP	8.0		/* metres between two points of it */
#define P2S_MAP_MIN	50		/* fewer points: not a lap */

/* One participant index: who holds it and what is known of its laps. */
struct p2s_car {
	char		 name[P2_NAME + 1];	/* the roster's name */
	char		 veh[P2_NAME + 1];	/* vehicle name (type 8, shared memory) */
	char		 cls[P2_NAME + 1];	/* class name of shared memory */
	long long	 cls_idx;		/* class index of type 8, -1 */
	/* its identity in the session, and who drove it at the last observation */
	char		 key[P2S_KEY];
	char		 obs_name[P2_NAME + 1];
	int		 obs_laps;
	int		 seen, active, human;
	int		 position, sector, pit_mode, race_state, laps;
	double		 x, z, lap_dist, cur_time;
	double		 lap_et;		/* ET its current lap began, -1 */
	double		 best;
	/* the last lap's time and the count of laps it belongs to (-2: the first count seen) */
	double		 last, stat_last;
	int		 last_for;
	/* sector times: crossings seen, the game's last sector value and the crossing it ends */
	int		 stat_seen;		/* a type 7 row came: its values are known */
	int		 xings, sec_for, await_k, await_x;
	double		 sec_val, stat_sec;
	double		 cur_s[2], lap_s[2];	/* S1, S2 of the lap in progress, of the last */
	int		 inval_cur, inval_last;	/* the game invalidated the lap in progress, the last */
	int		 stops;
	double		 fuel;			/* 0..1 of its own client's telemetry, -1 */
};

struct p2s_state {
	/* the game */
	int		 game_state, session_state;	/* -1 unknown */
	int		 has_race;
	char		 location[P2_NAME + 1], variation[P2_NAME + 1];
	double		 track_len;
	int		 timed;
	unsigned	 laps, minutes;
	double		 air, track_temp, rain;		/* -300 / -1 unknown */
	double		 remaining;			/* s, -1 unknown */
	int		 num, online, viewed, local;
	uint32_t	 cls_idx[P2_CLASSES];
	char		 cls_name[P2_CLASSES][P2_CLASS_NAME + 1];
	int		 ncls;
	/* the session followed */
	int		 in_session, anchor, started;
	char		 s_location[P2_NAME + 1], s_variation[P2_NAME + 1];
	int		 s_kind;
	double		 et;				/* s at et_at */
	long long	 et_at;				/* client ms */
	int		 shm_view;			/* participants from shared memory */
	struct p2s_car	 car[P2S_CARS];
	/*
	 * The track's outline, learnt from one car's positions over a lap
	 * (the game sends none): map_car's lap map_lap as it is driven; done
	 * once a whole lap out of the pits was, sent once.
	 */
	int		 map_car, map_lap, map_n, map_done, map_sent;
	float		 map_x[P2S_MAP_MAX], map_z[P2S_MAP_MAX];
	/* what the observation points to */
	char		 track_full[2 * P2_NAME + 2];
};

static void
scopy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src ? src : "");
}

static void
p2s_car_reset(struct p2s_car *c, int keep_roster)
{
	char name[P2_NAME + 1], veh[P2_NAME + 1], cls[P2_NAME + 1];
	long long idx = c->cls_idx;

	scopy(name, sizeof(name), c->name);
	scopy(veh, sizeof(veh), c->veh);
	scopy(cls, sizeof(cls), c->cls);
	memset(c, 0, sizeof(*c));
	c->cls_idx = -1;
	if (keep_roster) {
		scopy(c->name, sizeof(c->name), name);
		scopy(c->veh, sizeof(c->veh), veh);
		scopy(c->cls, sizeof(c->cls), cls);
		c->cls_idx = idx;
	}
	c->lap_et = c->best = c->last = c->stat_last = c->sec_val = c->stat_sec = -1;
	c->cur_s[0] = c->cur_s[1] = c->lap_s[0] = c->lap_s[1] = -1;
	c->x = c->z = 0;
	c->lap_dist = c->cur_time = c->fuel = -1;
	c->last_for = -2;
}

/* A new state: nothing known. NULL when out of memory. */
void *
pcars2_state_new(void)
{
	struct p2s_state *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->game_state = st->session_state = -1;
	st->air = st->track_temp = -300;
	st->rain = st->remaining = st->track_len = -1;
	st->viewed = st->local = -1;
	st->map_car = -1;
	for (int i = 0; i < P2S_CARS; i++)
		p2s_car_reset(&st->car[i], 0);
	return st;
}

/* Releases a state; NULL is a no-op. */
void
pcars2_state_free(void *p)
{
	free(p);
}

/* v when it is a number in [lo, hi], else dflt: a float of the game is never taken as it comes. */
static double
p2s_fin(double v, double lo, double hi, double dflt)
{
	return isfinite(v) && v >= lo && v <= hi ? v : dflt;
}

/* A time of the game in seconds, -1 none. */
static double
p2s_time(double v)
{
	return p2s_fin(v, 0.001, 1e6, -1);
}

/* Our kind of a session state, or -1 for one the game does not define. */
static int
p2s_kind(int session_state)
{
	switch (session_state) {
	case P2S_PRACTICE:
	case P2S_TEST:
	case P2S_TIME_ATTACK:
		return SK_PRACTICE;
	case P2S_QUALIFY:
		return SK_QUALIFY;
	case P2S_FORMATION:
	case P2S_RACE:
		return SK_RACE;
	default:
		return -1;
	}
}

/* Whether the game shows a session being driven (time runs in it). */
static int
p2s_playing(int game_state)
{
	return game_state == P2G_PLAYING || game_state == P2G_PAUSED ||
	    game_state == P2G_MENU_TICKING;
}

/* Advances the session's ET to client time at (ms): it runs while the session does. */
static void
p2s_clock(struct p2s_state *st, long long at)
{
	if (at <= 0)
		return;
	if (st->et_at > 0 && at > st->et_at && st->in_session && st->started &&
	    (st->game_state == P2G_PLAYING || st->game_state == P2G_MENU_TICKING))
		st->et += (double)(at - st->et_at) / 1000.0;
	if (at > st->et_at)
		st->et_at = at;
	/*
	 * A timed session's ET is its duration less the time left; once the
	 * time is up its cars finish their laps on the clock.
	 */
	if (st->in_session && st->timed && st->minutes > 0 && st->remaining > 0 &&
	    st->remaining <= st->minutes * 60.0)
		st->et = st->minutes * 60.0 - st->remaining;
}

/*
 * Follows the game into and out of sessions: the session is the track's
 * location, variation and kind while the game shows it (formation and race
 * are one session). Another one begins with the state of its cars cleared.
 */
static void
p2s_session(struct p2s_state *st, long long at)
{
	int kind = p2s_kind(st->session_state);

	if (st->game_state == P2G_RESTARTING || st->game_state == P2G_FRONT_END ||
	    st->game_state == P2G_EXITED) {
		st->in_session = 0;
		return;
	}
	if (!p2s_playing(st->game_state) || kind < 0 || !st->has_race)
		return;
	if (st->in_session && kind == st->s_kind && strcmp(st->location, st->s_location) == 0 &&
	    strcmp(st->variation, st->s_variation) == 0)
		return;
	st->in_session = 1;
	st->anchor = 1;
	st->started = kind != SK_RACE;
	st->s_kind = kind;
	scopy(st->s_location, sizeof(st->s_location), st->location);
	scopy(st->s_variation, sizeof(st->s_variation), st->variation);
	snprintf(st->track_full, sizeof(st->track_full), "%s%s%s", st->location,
	    st->variation[0] ? "/" : "", st->variation);
	st->et = 0;
	st->et_at = at;
	for (int i = 0; i < P2S_CARS; i++)
		p2s_car_reset(&st->car[i], 1);
	st->map_car = -1;
	st->map_n = st->map_done = st->map_sent = 0;
}

/*
 * A client that joins a session under way sets its clock from the leader:
 * its laps at its last lap's pace and the time into its lap.
 */
static void
p2s_anchor(struct p2s_state *st)
{
	const struct p2s_car *lead = NULL;

	if (!st->anchor)
		return;
	st->anchor = 0;
	for (int i = 0; i < P2S_CARS; i++) {
		const struct p2s_car *c = &st->car[i];
		if (!c->seen || !c->active)
			continue;
		if (c->race_state >= P2R_RACING && st->s_kind == SK_RACE)
			st->started = 1;
		if (lead == NULL || (c->position > 0 && (lead->position <= 0 ||
		    c->position < lead->position)))
			lead = c;
	}
	if (lead == NULL || (lead->laps == 0 && lead->cur_time < 5))
		return;
	st->started = 1;
	st->et = (lead->cur_time > 0 ? lead->cur_time : 0) + lead->laps *
	    (lead->last > 0 ? lead->last : lead->best > 0 ? lead->best : 0);
}

/*
 * The game's last sector value v is the time of sector k of car c: kept
 * for the lap in progress when it is S1 or S2 (S3 follows from the lap).
 */
static void
p2s_sector_value(struct p2s_car *c, int k, double v)
{
	if (k >= 1 && k <= 2 && v > 0)
		c->cur_s[k - 1] = v;
}

/*
 * A participant's place in the session now: laps completed, the sector it
 * is in (1..3, 0 unknown), pit mode, race state. A line crossed makes the
 * lap in progress the last one; a sector end keeps the game's time of it.
 */
static void
p2s_car_timing(struct p2s_state *st, struct p2s_car *c, int laps, int sector, int pit,
    int race_state, int invalid)
{
	int line = 0;

	if (!c->seen) {
		c->seen = 1;
		c->laps = laps;
		c->sector = sector;
		if (c->last_for == -2)
			c->last_for = laps;
	} else if (laps > c->laps) {
		/* the line: the lap in progress is the last lap now */
		if (laps == c->laps + 1) {
			c->lap_s[0] = c->cur_s[0];
			c->lap_s[1] = c->cur_s[1];
		} else
			c->lap_s[0] = c->lap_s[1] = -1;
		c->inval_last = laps == c->laps + 1 && c->inval_cur;
		c->inval_cur = 0;
		line = 1;
		c->cur_s[0] = c->cur_s[1] = -1;
		c->lap_et = st->et;
		c->laps = laps;
	} else if (laps < c->laps)
		c->laps = laps;
	/*
	 * The bit the game sets while a lap is driven, until the line; the
	 * look that crosses the line may still show the last lap's.
	 */
	if (invalid && !line)
		c->inval_cur = 1;
	if (sector > 0 && c->sector > 0 && sector != c->sector) {
		int k = c->sector;
		c->xings++;
		if (c->sec_for == c->xings)
			p2s_sector_value(c, k, c->sec_val);
		else {
			c->await_k = k;
			c->await_x = c->xings;
		}
	}
	if (sector > 0)
		c->sector = sector;
	if (pit == P2P_IN_PIT && c->pit_mode != P2P_IN_PIT)
		c->stops++;
	/* a race starts (its ET runs) when its cars race */
	if (st->s_kind == SK_RACE && st->session_state == P2S_RACE && race_state >= P2R_RACING &&
	    race_state <= P2R_DNF)
		st->started = 1;
	c->pit_mode = pit;
	c->race_state = race_state;
}

/*
 * The game's last lap, last sector and fastest lap of a participant (type
 * 7). A value that changes belongs to the line or sector end just seen, or
 * when that one has its value already, to the next one; the first row of a
 * participant is what the game showed before: its last lap is the one the
 * laps completed count.
 */
static void
p2s_car_stat(struct p2s_car *c, double last, double last_sector, double fastest)
{
	if (!c->stat_seen) {
		c->last = last;
		c->last_for = c->seen ? c->laps : -2;
	} else if (last > 0 && last != c->stat_last) {
		c->last = last;
		c->last_for = c->last_for < c->laps ? c->laps : c->laps + 1;
	}
	c->stat_last = last;
	/* the first row says which value the game showed: no sector ends with it */
	if (c->stat_seen && last_sector > 0 && last_sector != c->stat_sec) {
		c->sec_val = last_sector;
		c->sec_for = c->sec_for < c->xings ? c->xings : c->xings + 1;
		if (c->await_k && c->await_x == c->sec_for) {
			p2s_sector_value(c, c->await_k, last_sector);
			c->await_k = 0;
		}
	}
	c->stat_sec = last_sector;
	c->stat_seen = 1;
	c->best = fastest > 0 ? fastest : -1;
}

/*
 * Car i is where c says after laps_before laps: the outline follows one car
 * from its line to its next line, out of the pits all the way; a lap with
 * a pit visit (or a gap in what was seen) starts over with the next one.
 */
static void
p2s_map(struct p2s_state *st, int i, const struct p2s_car *c, int laps_before)
{
	if (st->map_done || laps_before < 0)
		return;
	if (st->map_car >= 0 && st->map_car != i)
		return;
	if (c->laps != laps_before) {
		if (st->map_car == i && c->laps == st->map_lap + 1 && st->map_n >= P2S_MAP_MIN) {
			st->map_done = 1;
			return;
		}
		/* the line: this car's next lap is the one to follow */
		st->map_car = c->pit_mode == P2P_NONE ? i : -1;
		st->map_lap = c->laps;
		st->map_n = 0;
	}
	if (st->map_car != i)
		return;
	if (c->pit_mode != P2P_NONE || c->laps != st->map_lap || st->map_n == P2S_MAP_MAX) {
		st->map_car = -1;
		st->map_n = 0;
		return;
	}
	if (st->map_n > 0 && hypot(c->x - st->map_x[st->map_n - 1],
	    c->z - st->map_z[st->map_n - 1]) < P2S_MAP_STEP)
		return;
	st->map_x[st->map_n] = (float)c->x;
	st->map_z[st->map_n] = (float)c->z;
	st->map_n++;
}

/* The sector a game's sector number is: 0, 1, 2 are S1..S3. */
static int
p2s_sector(unsigned raw)
{
	return raw <= 2 ? (int)raw + 1 : 0;
}

static void
p2s_check_car(struct obs *ob, unsigned pit, unsigned race_state)
{
	if (pit > P2P_OUT_OF_GARAGE)
		ob->drift[DRIFT_UNKNOWN_PIT_STATE]++;
	if (race_state > P2R_DNF)
		ob->drift[DRIFT_UNKNOWN_FINISH]++;
}

/* Names of participants 16k .. 16k+15 from a participants packet. */
static void
p2s_participants(struct p2s_state *st, const struct p2_packet *p)
{
	unsigned k = p->h.part_index;

	if (p->h.part_count > 0 && k >= p->h.part_count)
		k--;
	for (unsigned j = 0; j < P2_PER_PACKET; j++) {
		unsigned i = k * P2_PER_PACKET + j;
		if (i >= P2_UDP_CARS)
			break;
		scopy(st->car[i].name, sizeof(st->car[i].name), p->u.part.name[j]);
	}
}

/* Applies one decoded packet at client time at. shm: the frame reads participants from shared memory. */
static void
p2s_packet(struct p2s_state *st, const struct p2_packet *p, long long at, int shm, struct obs *ob)
{
	switch (p->kind) {
	case P2K_RACE:
		st->has_race = 1;
		scopy(st->location, sizeof(st->location), p->u.race.location);
		scopy(st->variation, sizeof(st->variation), p->u.race.variation);
		st->track_len = p2s_fin(p->u.race.track_length, 1, 1e6, -1);
		st->timed = p->u.race.timed;
		st->laps = p->u.race.laps;
		st->minutes = p->u.race.minutes;
		p2s_session(st, at);
		break;
	case P2K_GAME:
		st->game_state = (int)p->u.game.game_state;
		st->session_state = (int)p->u.game.session_state;
		if (p2s_kind(st->session_state) < 0 && st->session_state != P2S_INVALID)
			ob->drift[DRIFT_UNKNOWN_SESSION]++;
		st->air = p->u.game.ambient;
		st->track_temp = p->u.game.track;
		st->rain = p->u.game.rain / 255.0;
		p2s_session(st, at);
		break;
	case P2K_PARTICIPANTS:
		if (!shm)
			p2s_participants(st, p);
		break;
	case P2K_VEHICLES:
		for (int j = 0; j < P2_PER_PACKET; j++) {
			unsigned i = p->u.veh.v[j].index;
			if (i >= P2_UDP_CARS || p->u.veh.v[j].name[0] == '\0')
				continue;
			scopy(st->car[i].veh, sizeof(st->car[i].veh), p->u.veh.v[j].name);
			st->car[i].cls_idx = p->u.veh.v[j].cls;
		}
		break;
	case P2K_CLASSES:
		for (int j = 0; j < P2_CLASSES; j++) {
			int n;
			if (p->u.cls.c[j].name[0] == '\0')
				continue;
			for (n = 0; n < st->ncls; n++)
				if (st->cls_idx[n] == p->u.cls.c[j].index)
					break;
			if (n == st->ncls && st->ncls == P2_CLASSES)
				continue;
			if (n == st->ncls)
				st->ncls++;
			st->cls_idx[n] = p->u.cls.c[j].index;
			scopy(st->cls_name[n], sizeof(st->cls_name[n]), p->u.cls.c[j].name);
		}
		break;
	case P2K_TELEMETRY:
		st->viewed = p->u.tel.viewed;
		if (st->viewed >= 0 && st->viewed < P2S_CARS &&
		    (st->local < 0 || st->local == st->viewed) && p->u.tel.fuel_capacity > 0)
			st->car[st->viewed].fuel = p2s_fin(p->u.tel.fuel_level, 0, 1, -1);
		break;
	case P2K_TIMINGS:
		st->local = p->u.tim.local_index >= 0 && p->u.tim.local_index < P2S_CARS ?
		    p->u.tim.local_index : -1;
		st->remaining = p2s_fin(p->u.tim.time_remaining, 0, 1e7, -1);
		p2s_clock(st, at);
		if (shm || !st->in_session)
			break;
		st->num = p->u.tim.num >= 0 && p->u.tim.num <= P2_UDP_CARS ? p->u.tim.num : P2_UDP_CARS;
		st->online = 0;
		for (int i = 0, humans = 0, laps; i < P2_UDP_CARS; i++) {
			const struct p2_timing	*t = &p->u.tim.car[i];
			struct p2s_car		*c = &st->car[i];
			if (i >= st->num || !t->active) {
				c->active = 0;
				continue;
			}
			p2s_check_car(ob, t->pit_mode, t->race_state);
			c->active = 1;
			c->human = t->human;
			if (t->human && ++humans >= 2)
				st->online = 1;
			c->position = (int)t->position;
			c->x = t->world[0];
			c->z = t->world[2];
			c->lap_dist = t->lap_distance;
			c->cur_time = p2s_time(t->current_time);
			laps = c->seen ? c->laps : -1;
			p2s_car_timing(st, c, t->current_lap > 0 ? (int)t->current_lap - 1 : 0,
			    p2s_sector(t->sector), (int)t->pit_mode, (int)t->race_state, t->lap_invalid);
			p2s_map(st, i, c, laps);
		}
		break;
	case P2K_TIME_STATS:
		if (shm || !st->in_session)
			break;
		for (int i = 0; i < P2_UDP_CARS; i++)
			p2s_car_stat(&st->car[i], p2s_time(p->u.stats.car[i].last),
			    p2s_time(p->u.stats.car[i].last_sector), p2s_time(p->u.stats.car[i].fastest));
		break;
	default:
		break;
	}
	p2s_clock(st, at);
}

/* Applies one consistent copy of the shared-memory block, read at client time at. */
static void
p2s_shm(struct p2s_state *st, const struct p2_shm *m, long long at, struct obs *ob)
{
	if (m->game_state > P2G_FRONT_END_REPLAY)
		ob->drift[DRIFT_UNKNOWN_PHASE]++;
	if (p2s_kind((int)m->session_state) < 0 && m->session_state != P2S_INVALID)
		ob->drift[DRIFT_UNKNOWN_SESSION]++;
	st->game_state = (int)m->game_state;
	st->session_state = (int)m->session_state;
	st->has_race = m->location[0] != '\0';
	scopy(st->location, sizeof(st->location), m->location);
	scopy(st->variation, sizeof(st->variation), m->variation);
	st->track_len = p2s_fin(m->track_length, 1, 1e6, -1);
	st->timed = m->has_ams2 && m->session_minutes > 0;
	st->minutes = st->timed ? m->session_minutes : 0;
	st->laps = st->timed ? 0 : m->laps_in_event;
	st->air = p2s_fin(m->ambient, -100, 100, -300);
	st->track_temp = p2s_fin(m->track_temp, -100, 150, -300);
	st->rain = p2s_fin(m->rain, 0, 1, -1);
	st->remaining = p2s_fin(m->time_remaining, 0, 1e7, -1);
	st->viewed = m->viewed;
	p2s_session(st, at);
	p2s_clock(st, at);
	if (!st->in_session)
		return;
	st->num = m->num >= 0 && m->num <= P2S_CARS ? m->num : P2S_CARS;
	for (int i = 0, laps; i < P2S_CARS; i++) {
		const struct p2_shm_car	*s = &m->car[i];
		struct p2s_car		*c = &st->car[i];
		if (i >= st->num || !s->active) {
			c->active = 0;
			continue;
		}
		if (s->laps_completed > P2S_LAPS_MAX) {
			ob->drift[DRIFT_BAD_TYPE]++;
			continue;
		}
		p2s_check_car(ob, s->pit_mode, s->race_state);
		c->active = 1;
		scopy(c->name, sizeof(c->name), s->name);
		scopy(c->veh, sizeof(c->veh), s->car);
		scopy(c->cls, sizeof(c->cls), s->cls);
		c->cls_idx = -1;
		c->position = s->position <= P2S_CARS ? (int)s->position : 0;
		c->x = p2s_fin(s->world[0], -1e6, 1e6, 0);
		c->z = p2s_fin(s->world[2], -1e6, 1e6, 0);
		c->lap_dist = p2s_fin(s->lap_distance, 0, 1e6, -1);
		c->cur_time = -1;
		laps = c->seen ? c->laps : -1;
		p2s_car_timing(st, c, (int)s->laps_completed, s->sector >= 0 ?
		    p2s_sector((unsigned)s->sector) : 0, (int)s->pit_mode, (int)s->race_state,
		    s->lap_invalid);
		p2s_map(st, i, c, laps);
		/* the block holds the lap in progress' sectors: mirrored, -1 reset at the line */
		c->cur_s[0] = p2s_time(s->cur_s[0]);
		c->cur_s[1] = p2s_time(s->cur_s[1]);
		p2s_car_stat(c, p2s_time(s->last_lap), -1, p2s_time(s->fastest_lap));
		if (i == m->viewed && m->fuel_capacity > 0)
			c->fuel = p2s_fin(m->fuel_level, 0, 1, -1);
	}
}

/* Client ms of an item: its "at_ms", else dflt. */
static long long
p2s_at(const cJSON *o, long long dflt)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, "at_ms");
	long long	 at;

	if (cJSON_IsNumber(v) && num_to_ll(v->valuedouble, 1, 1LL << 53, &at))
		return at;
	return dflt;
}

/* Decodes the base64 member key of o into b. Returns 1, 0 missing or bad (drift counted), -1. */
static int
p2s_raw(const cJSON *o, const char *key, struct buf *b, size_t max, struct obs *ob)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);
	size_t		 n;
	int		 rc;

	buf_reset(b);
	if (v == NULL) {
		ob->drift[DRIFT_MISSING_FIELD]++;
		return 0;
	}
	if (!cJSON_IsString(v) || (n = strlen(v->valuestring)) > (max + 2) / 3 * 4) {
		ob->drift[DRIFT_BAD_TYPE]++;
		return 0;
	}
	if ((rc = b64_decode(b, v->valuestring, n)) <= 0) {
		if (rc == 0)
			ob->drift[DRIFT_BAD_TYPE]++;
		return rc;
	}
	return 1;
}

/* The frame's UDP packets, in order. Returns 1 or -1. */
static int
p2s_packets(struct p2s_state *st, const cJSON *a, long long dflt, int shm, long long *last_at,
    struct obs *ob)
{
	const cJSON		*x;
	struct buf		 b = { 0 };
	struct p2_packet	 p;

	cJSON_ArrayForEach(x, a) {
		long long	 at = p2s_at(x, dflt);
		int		 rc;

		if (!cJSON_IsObject(x)) {
			ob->drift[DRIFT_BAD_TYPE]++;
			continue;
		}
		if ((rc = p2s_raw(x, "raw", &b, P2_MAX_PACKET, ob)) < 0) {
			buf_free(&b);
			return -1;
		}
		if (rc == 0)
			continue;
		if (p2_decode(b.p, b.len, &p) < 0) {
			ob->drift[DRIFT_BAD_TYPE]++;
			continue;
		}
		if (at > *last_at)
			*last_at = at;
		p2s_packet(st, &p, at, shm, ob);
	}
	buf_free(&b);
	return 1;
}

/*
 * The frame's shared-memory copies: the first whole, then each poll as the
 * byte ranges that changed. Returns 1 read, 0 none usable, -1 out of memory.
 */
static int
p2s_shm_frame(struct p2s_state *st, const cJSON *o, long long dflt, long long *last_at,
    struct obs *ob, int apply)
{
	struct buf	 b = { 0 }, r = { 0 };
	struct p2_shm	*m = NULL;
	const cJSON	*polls, *pl, *set, *x;
	long long	 at = p2s_at(o, dflt);
	int		 rc;

	if ((rc = p2s_raw(o, "raw", &b, P2S_SHM_MAX, ob)) <= 0)
		goto out;
	rc = 0;
	if ((m = malloc(sizeof(*m))) == NULL) {
		rc = -1;
		goto out;
	}
	if (p2_shm_decode(b.p, b.len, m) < 0) {
		ob->drift[DRIFT_BAD_TYPE]++;
		goto out;
	}
	rc = 1;
	if (!apply)
		goto out;
	if (at > *last_at)
		*last_at = at;
	p2s_shm(st, m, at, ob);
	polls = cJSON_GetObjectItemCaseSensitive(o, "polls");
	if (polls != NULL && !cJSON_IsArray(polls))
		ob->drift[DRIFT_BAD_TYPE]++;
	cJSON_ArrayForEach(pl, (cJSON_IsArray(polls) ? polls : NULL)) {
		int good = 1;
		set = cJSON_GetObjectItemCaseSensitive(pl, "set");
		if (!cJSON_IsArray(set)) {
			ob->drift[DRIFT_BAD_TYPE]++;
			continue;
		}
		cJSON_ArrayForEach(x, set) {
			const cJSON	*off = cJSON_GetArrayItem(x, 0), *bytes;
			long long	 o0;
			size_t		 n;
			int		 k;
			if (!cJSON_IsArray(x) || cJSON_GetArraySize(x) != 2 || !cJSON_IsNumber(off) ||
			    !num_to_ll(off->valuedouble, 0, (long long)b.len, &o0)) {
				good = 0;
				break;
			}
			buf_reset(&r);
			bytes = cJSON_GetArrayItem(x, 1);
			if (!cJSON_IsString(bytes) ||
			    (n = strlen(bytes->valuestring)) > (b.len + 2) / 3 * 4 ||
			    (k = b64_decode(&r, bytes->valuestring, n)) == 0) {
				good = 0;
				break;
			}
			if (k < 0) {
				rc = -1;
				goto out;
			}
			if ((size_t)o0 + r.len > b.len) {
				good = 0;
				break;
			}
			memcpy(b.p + o0, r.p, r.len);
		}
		if (!good) {
			/* the copy is no longer the game's: the polls after it too */
			ob->drift[DRIFT_BAD_TYPE]++;
			break;
		}
		at = p2s_at(pl, at);
		if (p2_shm_decode(b.p, b.len, m) < 0) {
			ob->drift[DRIFT_BAD_TYPE]++;
			break;
		}
		if (at > *last_at)
			*last_at = at;
		p2s_shm(st, m, at, ob);
	}
out:
	free(m);
	buf_free(&b);
	buf_free(&r);
	return rc;
}

static enum pit_state
p2s_pit_state(int mode)
{
	switch (mode) {
	case P2P_INTO_PITS:
		return PIT_ENTERING;
	case P2P_IN_PIT:
		return PIT_STOPPED;
	case P2P_OUT_OF_PITS:
		return PIT_EXITING;
	default:
		return PIT_NONE;
	}
}

static enum finish
p2s_finish(int race_state)
{
	switch (race_state) {
	case P2R_FINISHED:
		return FIN_FINISHED;
	case P2R_DSQ:
		return FIN_DQ;
	case P2R_RETIRED:
	case P2R_DNF:
		return FIN_DNF;
	default:
		return FIN_NONE;
	}
}

/* The class name of a participant, NULL unknown. */
static const char *
p2s_class(const struct p2s_state *st, const struct p2s_car *c)
{
	if (st->shm_view)
		return c->cls[0] ? c->cls : NULL;
	for (int n = 0; c->cls_idx >= 0 && n < st->ncls; n++)
		if (st->cls_idx[n] == (uint32_t)c->cls_idx)
			return st->cls_name[n];
	return NULL;
}

/* The observation of the session the state follows. Returns 1 or -1. */
static int
p2s_observe(struct p2s_state *st, struct obs *ob)
{
	int	 any_finished = 0, max = st->shm_view ? P2S_CARS : P2_UDP_CARS;

	if (ob->cars_cap < P2S_CARS) {
		void *np = realloc(ob->cars, P2S_CARS * sizeof(*ob->cars));
		if (np == NULL)
			return -1;
		ob->cars = np;
		ob->cars_cap = P2S_CARS;
	}
	ob->has_session = 1;
	ob->online = st->online;
	ob->server = "";
	ob->track = st->track_full;
	ob->kind = (enum session_kind)st->s_kind;
	ob->kind_n = 0;
	ob->et = st->et > 0 ? st->et : 0;
	ob->max_time = st->timed && st->minutes > 0 ? st->minutes * 60.0 : -1;
	ob->end_et = ob->max_time;
	ob->remaining = ob->max_time > 0 && st->remaining >= 0 ? st->remaining : -1;
	ob->max_laps = !st->timed && st->laps > 0 ? (long long)st->laps : -1;
	ob->track_len = st->track_len;
	ob->air = st->air;
	ob->track_temp = st->track_temp;
	ob->rain = st->rain;
	ob->wetness = -1;
	ob->has_standings = 1;
	if (st->map_done && !st->map_sent) {
		/* the outline learnt, once (the tracker keeps a track's first) */
		void *np = realloc(ob->points, (size_t)st->map_n * sizeof(*ob->points));
		if (np == NULL)
			return -1;
		ob->points = np;
		ob->points_cap = (size_t)st->map_n;
		for (int k = 0; k < st->map_n; k++) {
			ob->points[k].x = st->map_x[k];
			ob->points[k].z = st->map_z[k];
			ob->points[k].type = 0;
		}
		ob->npoints = (size_t)st->map_n;
		ob->has_trackmap = 1;
		st->map_sent = 1;
	}
	for (int i = 0; i < max; i++) {
		struct p2s_car	*c = &st->car[i];
		struct obs_car	*oc;
		char		 key[P2S_KEY];

		if (!c->seen || !c->active || c->name[0] == '\0')
			continue;
		if (c->key[0] == '\0' || (strcmp(c->name, c->obs_name) != 0 &&
		    (c->obs_laps == 0 || c->laps < c->obs_laps))) {
			/* a car new to the session, or another participant on its index */
			snprintf(key, sizeof(key), "%d:%s", i, c->name);
			scopy(c->key, sizeof(c->key), key);
		}
		scopy(c->obs_name, sizeof(c->obs_name), c->name);
		c->obs_laps = c->laps;
		oc = &ob->cars[ob->ncars++];
		memset(oc, 0, sizeof(*oc));
		oc->slot = i;
		oc->key = c->key;
		scopy(oc->veh, sizeof(oc->veh), c->key);
		oc->vehicle_name = c->veh;
		oc->cls = p2s_class(st, c);
		oc->driver = c->name;
		oc->position = c->position > 0 ? c->position : i + 1;
		oc->laps = c->laps;
		/* an invalidated lap is recorded without its time, as the other sims' */
		oc->last = c->last_for == c->laps && c->last > 0 && !c->inval_last ? c->last : -1;
		oc->last_s1 = c->laps > 0 && c->lap_s[0] > 0 ? c->lap_s[0] : -1;
		oc->last_s2 = oc->last_s1 > 0 && c->lap_s[1] > 0 ? c->lap_s[0] + c->lap_s[1] : -1;
		oc->cur_s1 = c->cur_s[0] > 0 ? c->cur_s[0] : -1;
		oc->cur_s2 = oc->cur_s1 > 0 && c->cur_s[1] > 0 ? c->cur_s[0] + c->cur_s[1] : -1;
		oc->best = c->best;
		oc->gap = oc->interval = -1;
		oc->pit_state = p2s_pit_state(c->pit_mode);
		oc->in_garage = c->pit_mode == P2P_IN_GARAGE;
		oc->pitting = c->pit_mode >= P2P_INTO_PITS && c->pit_mode <= P2P_OUT_OF_PITS;
		oc->pitstops = c->stops;
		oc->finish = p2s_finish(c->race_state);
		any_finished |= oc->finish != FIN_NONE && c->race_state == P2R_FINISHED;
		oc->fuel = c->fuel;
		oc->ve = -1;
		oc->lap_dist = c->lap_dist;
		oc->x = c->x;
		oc->z = c->z;
		oc->lap_start_et = c->lap_et;
		oc->sector = c->sector;
		oc->in_control = 1;
		oc->cuts = oc->collisions = -1;
	}
	if (st->game_state == P2G_PAUSED)
		ob->phase = PHASE_PAUSED;
	else if (st->s_kind == SK_RACE && st->session_state == P2S_FORMATION)
		ob->phase = PHASE_FORMATION;
	else if (st->s_kind == SK_RACE && !st->started)
		ob->phase = PHASE_GRID;
	else if (any_finished || (ob->max_time > 0 && ob->remaining == 0))
		ob->phase = PHASE_CHECKERED;
	else
		ob->phase = PHASE_GREEN;
	ob->vehicles = (int)ob->ncars;
	return 1;
}

/*
 * Applies the packets and shared-memory polls of one frame and fills ob
 * with the current session. Returns 1 an observation (which may say the
 * game is in its menus, loading or in a replay), 0 nothing to observe (no
 * game state or track known yet, nothing usable in the frame), -1 out of
 * memory.
 */
int
pcars2_parse(void *state, const struct src_in *in, const cJSON *data, struct obs *ob)
{
	struct p2s_state	*st = state;
	const cJSON		*pk = cJSON_GetObjectItemCaseSensitive(data, "packets");
	const cJSON		*sh = cJSON_GetObjectItemCaseSensitive(data, "shm");
	long long		 dflt = 0, last_at = 0;
	int			 use_shm = 0, rc;

	ob->ncars = ob->nentries = ob->nmembers = ob->nchat = 0;
	ob->nstops = ob->nusage = ob->nhist = ob->npoints = 0;
	ob->has_session = ob->has_standings = ob->has_teams = ob->has_chat = 0;
	ob->has_strategy = ob->has_usage = ob->has_history = ob->has_trackmap = 0;
	ob->loading = ob->replay = ob->online = ob->closed = ob->chat_et = 0;
	ob->results_file = NULL;
	ob->coherence = -1;
	ob->sector_flags[0] = '\0';
	memset(ob->drift, 0, sizeof(ob->drift));
	if (in != NULL && in->captured_at > 0 && in->captured_at < 9e12)
		dflt = llround(in->captured_at * 1000.0);
	if ((pk != NULL && !cJSON_IsArray(pk)) || (sh != NULL && !cJSON_IsObject(sh)))
		ob->drift[DRIFT_BAD_TYPE]++;
	if (!cJSON_IsArray(pk) && !cJSON_IsObject(sh)) {
		if (pk == NULL && sh == NULL)
			ob->drift[DRIFT_MISSING_FIELD]++;
		return 0;
	}
	if (cJSON_IsObject(sh) && (use_shm = p2s_shm_frame(st, sh, dflt, &last_at, ob, 0)) < 0)
		return -1;
	if (cJSON_IsArray(pk) && p2s_packets(st, pk, dflt, use_shm, &last_at, ob) < 0)
		return -1;
	if (use_shm) {
		if ((rc = p2s_shm_frame(st, sh, dflt, &last_at, ob, 1)) < 0)
			return -1;
		st->shm_view = 1;
	} else if (cJSON_IsArray(pk))
		st->shm_view = 0;
	if (st->in_session)
		p2s_anchor(st);
	p2s_clock(st, last_at > dflt ? last_at : dflt);
	if (st->game_state < 0)
		return 0;
	switch (st->game_state) {
	case P2G_REPLAY:
	case P2G_FRONT_END_REPLAY:
		ob->has_session = ob->replay = 1;
		return 1;
	case P2G_RESTARTING:
		ob->loading = 1;
		return 1;
	case P2G_EXITED:
	case P2G_FRONT_END:
		return 1;
	default:
		break;
	}
	if (!p2s_playing(st->game_state)) {
		if (!use_shm)
			ob->drift[DRIFT_UNKNOWN_PHASE]++;
		return 0;
	}
	if (!st->in_session) {
		if (p2s_kind(st->session_state) < 0) {
			ob->loading = 1;	/* no session yet: the game loads one */
			return 1;
		}
		return 0;	/* the track is not known yet */
	}
	return p2s_observe(st, ob);
}

/* Number member key of o, or dflt. */
static double
p2s_num(const cJSON *o, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : dflt;
}

/* Integer member key of o in [min, max], or dflt. */
static long long
p2s_ll(const cJSON *o, const char *key, long long min, long long max, long long dflt)
{
	long long v;

	if (!num_to_ll(p2s_num(o, key, NAN), min, max, &v))
		return dflt;
	return v;
}

static void
p2s_str(const cJSON *o, const char *key, char *dst, size_t sz)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	scopy(dst, sz, cJSON_IsString(v) ? v->valuestring : "");
}

/* A participant's numbers as saved: name, address, the range loaded back. */
#define P2S_D(f)	{ #f, offsetof(struct p2s_car, f), 0, -1e9, 1e9 }
#define P2S_L(f, lo, hi) { #f, offsetof(struct p2s_car, f), 2, lo, hi }
#define P2S_I(f, lo, hi) { #f, offsetof(struct p2s_car, f), 1, lo, hi }
static const struct p2s_field {
	const char	*name;
	size_t		 off;
	int		 is_int;		/* 0 double, 1 int, 2 long long */
	double		 min, max;
} p2s_car_fields[] = {
	P2S_I(seen, 0, 1), P2S_I(active, 0, 1), P2S_I(human, 0, 1), P2S_I(position, 0, 255),
	P2S_I(sector, 0, 3), P2S_I(pit_mode, 0, 7), P2S_I(race_state, 0, 7),
	P2S_I(laps, 0, 100000), P2S_I(last_for, -2, 100001), P2S_I(xings, 0, 100000000),
	P2S_I(sec_for, 0, 100000001), P2S_I(stat_seen, 0, 1), P2S_I(await_k, 0, 3), P2S_I(await_x, 0, 100000000),
	P2S_I(stops, 0, 100000), P2S_I(obs_laps, 0, 100000),
	P2S_I(inval_cur, 0, 1), P2S_I(inval_last, 0, 1),
	P2S_D(x), P2S_D(z), P2S_D(lap_dist), P2S_D(cur_time), P2S_D(lap_et), P2S_D(best),
	P2S_D(last), P2S_D(stat_last), P2S_D(sec_val), P2S_D(stat_sec), P2S_D(fuel),
	P2S_D(cur_s[0]), P2S_D(cur_s[1]), P2S_D(lap_s[0]), P2S_D(lap_s[1]),
	P2S_L(cls_idx, -1, 4294967295.0),
};

static int
p2s_add_num(cJSON *o, const char *key, double v)
{
	return cJSON_AddNumberToObject(o, key, v) != NULL;
}

static int
p2s_add_str(cJSON *o, const char *key, const char *v)
{
	return cJSON_AddStringToObject(o, key, v) != NULL;
}

/* The state as a JSON object, appended to out. Returns 1 or -1. */
int
pcars2_state_save(const void *state, struct buf *out)
{
	const struct p2s_state	*st = state;
	cJSON			*o = cJSON_CreateObject(), *cars, *cls, *map, *x;
	char			*txt = NULL;
	int			 ok, rc = -1;

	if (o == NULL)
		return -1;
	ok = p2s_add_num(o, "v", 1) && p2s_add_num(o, "game_state", st->game_state) &&
	    p2s_add_num(o, "session_state", st->session_state) &&
	    p2s_add_num(o, "has_race", st->has_race) &&
	    p2s_add_str(o, "location", st->location) && p2s_add_str(o, "variation", st->variation) &&
	    p2s_add_num(o, "track_len", st->track_len) && p2s_add_num(o, "timed", st->timed) &&
	    p2s_add_num(o, "laps", st->laps) && p2s_add_num(o, "minutes", st->minutes) &&
	    p2s_add_num(o, "air", st->air) && p2s_add_num(o, "track_temp", st->track_temp) &&
	    p2s_add_num(o, "rain", st->rain) && p2s_add_num(o, "remaining", st->remaining) &&
	    p2s_add_num(o, "num", st->num) && p2s_add_num(o, "online", st->online) &&
	    p2s_add_num(o, "viewed", st->viewed) && p2s_add_num(o, "local", st->local) &&
	    p2s_add_num(o, "in_session", st->in_session) && p2s_add_num(o, "anchor", st->anchor) &&
	    p2s_add_num(o, "started", st->started) &&
	    p2s_add_str(o, "s_location", st->s_location) &&
	    p2s_add_str(o, "s_variation", st->s_variation) &&
	    p2s_add_num(o, "s_kind", st->s_kind) && p2s_add_num(o, "et", st->et) &&
	    p2s_add_num(o, "et_at", (double)st->et_at) && p2s_add_num(o, "shm_view", st->shm_view) &&
	    p2s_add_num(o, "map_car", st->map_car) && p2s_add_num(o, "map_lap", st->map_lap) &&
	    p2s_add_num(o, "map_done", st->map_done) && p2s_add_num(o, "map_sent", st->map_sent) &&
	    (map = cJSON_AddArrayToObject(o, "map")) != NULL &&
	    (cls = cJSON_AddArrayToObject(o, "classes")) != NULL &&
	    (cars = cJSON_AddArrayToObject(o, "cars")) != NULL;
	/* the outline while it is learnt, x and z by turns */
	for (int k = 0; ok && k < st->map_n && !st->map_sent; k++)
		ok = (x = cJSON_CreateNumber(st->map_x[k])) != NULL && cJSON_AddItemToArray(map, x) &&
		    (x = cJSON_CreateNumber(st->map_z[k])) != NULL && cJSON_AddItemToArray(map, x);
	for (int n = 0; ok && n < st->ncls; n++)
		ok = (x = cJSON_CreateObject()) != NULL && cJSON_AddItemToArray(cls, x) &&
		    p2s_add_num(x, "index", st->cls_idx[n]) && p2s_add_str(x, "name", st->cls_name[n]);
	for (int i = 0; ok && i < P2S_CARS; i++) {
		const struct p2s_car *c = &st->car[i];
		if (!c->seen && !c->stat_seen && c->name[0] == '\0' && c->veh[0] == '\0' &&
		    c->key[0] == '\0' && c->cls_idx < 0)
			continue;
		ok = (x = cJSON_CreateObject()) != NULL && cJSON_AddItemToArray(cars, x) &&
		    p2s_add_num(x, "i", i) && p2s_add_str(x, "name", c->name) &&
		    p2s_add_str(x, "veh", c->veh) && p2s_add_str(x, "cls", c->cls) &&
		    p2s_add_str(x, "key", c->key) && p2s_add_str(x, "obs_name", c->obs_name);
		for (size_t f = 0; ok && f < sizeof(p2s_car_fields) / sizeof(p2s_car_fields[0]); f++) {
			const struct p2s_field	*fd = &p2s_car_fields[f];
			const char		*at = (const char *)c + fd->off;
			double			 v;
			if (fd->is_int == 1)
				v = *(const int *)(const void *)at;
			else if (fd->is_int == 2)
				v = (double)*(const long long *)(const void *)at;
			else
				v = *(const double *)(const void *)at;
			ok = p2s_add_num(x, fd->name, v);
		}
	}
	if (ok && (txt = cJSON_PrintUnformatted(o)) != NULL && buf_puts(out, txt) >= 0)
		rc = 1;
	free(txt);
	cJSON_Delete(o);
	return rc;
}

/*
 * Restores a state pcars2_state_save wrote. Returns 1, 0 unreadable (the state
 * is left new), -1 out of memory.
 */
int
pcars2_state_load(void *state, const char *json)
{
	struct p2s_state	*st = state;
	cJSON			*o = json ? cJSON_Parse(json) : NULL;
	const cJSON		*a, *x;

	if (!cJSON_IsObject(o) || p2s_ll(o, "v", 0, 100, 0) != 1) {
		cJSON_Delete(o);
		return 0;
	}
	st->game_state = (int)p2s_ll(o, "game_state", -1, 7, -1);
	st->session_state = (int)p2s_ll(o, "session_state", -1, 7, -1);
	st->has_race = (int)p2s_ll(o, "has_race", 0, 1, 0);
	p2s_str(o, "location", st->location, sizeof(st->location));
	p2s_str(o, "variation", st->variation, sizeof(st->variation));
	st->track_len = p2s_num(o, "track_len", -1);
	st->timed = (int)p2s_ll(o, "timed", 0, 1, 0);
	st->laps = (unsigned)p2s_ll(o, "laps", 0, 65535, 0);
	st->minutes = (unsigned)p2s_ll(o, "minutes", 0, 65535 * 5, 0);
	st->air = p2s_num(o, "air", -300);
	st->track_temp = p2s_num(o, "track_temp", -300);
	st->rain = p2s_num(o, "rain", -1);
	st->remaining = p2s_num(o, "remaining", -1);
	st->num = (int)p2s_ll(o, "num", 0, P2S_CARS, 0);
	st->online = (int)p2s_ll(o, "online", 0, 1, 0);
	st->viewed = (int)p2s_ll(o, "viewed", -1, P2S_CARS - 1, -1);
	st->local = (int)p2s_ll(o, "local", -1, P2S_CARS - 1, -1);
	st->in_session = (int)p2s_ll(o, "in_session", 0, 1, 0);
	st->anchor = (int)p2s_ll(o, "anchor", 0, 1, 0);
	st->started = (int)p2s_ll(o, "started", 0, 1, 0);
	p2s_str(o, "s_location", st->s_location, sizeof(st->s_location));
	p2s_str(o, "s_variation", st->s_variation, sizeof(st->s_variation));
	st->s_kind = (int)p2s_ll(o, "s_kind", 0, SK__MAX - 1, SK_OTHER);
	st->et = p2s_num(o, "et", 0);
	st->et_at = p2s_ll(o, "et_at", 0, 1LL << 53, 0);
	st->shm_view = (int)p2s_ll(o, "shm_view", 0, 1, 0);
	st->map_car = (int)p2s_ll(o, "map_car", -1, P2S_CARS - 1, -1);
	st->map_lap = (int)p2s_ll(o, "map_lap", 0, 100000, 0);
	st->map_done = (int)p2s_ll(o, "map_done", 0, 1, 0);
	st->map_sent = (int)p2s_ll(o, "map_sent", 0, 1, 0);
	st->map_n = 0;
	a = cJSON_GetObjectItemCaseSensitive(o, "map");
	for (x = cJSON_IsArray(a) ? a->child : NULL; x != NULL && x->next != NULL &&
	    st->map_n < P2S_MAP_MAX; x = x->next->next) {
		if (!cJSON_IsNumber(x) || !cJSON_IsNumber(x->next) || !isfinite(x->valuedouble) ||
		    !isfinite(x->next->valuedouble) || fabs(x->valuedouble) > 1e6 ||
		    fabs(x->next->valuedouble) > 1e6)
			break;
		st->map_x[st->map_n] = (float)x->valuedouble;
		st->map_z[st->map_n] = (float)x->next->valuedouble;
		st->map_n++;
	}
	if (st->map_done && !st->map_sent && st->map_n < P2S_MAP_MIN)
		st->map_done = 0;
	snprintf(st->track_full, sizeof(st->track_full), "%s%s%s", st->s_location,
	    st->s_variation[0] ? "/" : "", st->s_variation);
	st->ncls = 0;
	a = cJSON_GetObjectItemCaseSensitive(o, "classes");
	cJSON_ArrayForEach(x, (cJSON_IsArray(a) ? a : NULL)) {
		if (st->ncls == P2_CLASSES)
			break;
		st->cls_idx[st->ncls] = (uint32_t)p2s_ll(x, "index", 0, UINT32_MAX, 0);
		p2s_str(x, "name", st->cls_name[st->ncls], sizeof(st->cls_name[0]));
		st->ncls++;
	}
	for (int i = 0; i < P2S_CARS; i++)
		p2s_car_reset(&st->car[i], 0);
	a = cJSON_GetObjectItemCaseSensitive(o, "cars");
	cJSON_ArrayForEach(x, (cJSON_IsArray(a) ? a : NULL)) {
		long long	 i = p2s_ll(x, "i", 0, P2S_CARS - 1, -1);
		struct p2s_car	*c;

		if (i < 0)
			continue;
		c = &st->car[i];
		p2s_str(x, "name", c->name, sizeof(c->name));
		p2s_str(x, "veh", c->veh, sizeof(c->veh));
		p2s_str(x, "cls", c->cls, sizeof(c->cls));
		p2s_str(x, "key", c->key, sizeof(c->key));
		p2s_str(x, "obs_name", c->obs_name, sizeof(c->obs_name));
		for (size_t f = 0; f < sizeof(p2s_car_fields) / sizeof(p2s_car_fields[0]); f++) {
			const struct p2s_field	*fd = &p2s_car_fields[f];
			char			*at = (char *)c + fd->off;
			double			 dflt, v;
			if (fd->is_int == 1)
				dflt = *(int *)(void *)at;
			else if (fd->is_int == 2)
				dflt = (double)*(long long *)(void *)at;
			else
				dflt = *(double *)(void *)at;
			v = p2s_num(x, fd->name, dflt);
			if (!(v >= fd->min && v <= fd->max))
				v = dflt;
			if (fd->is_int == 1)
				*(int *)(void *)at = (int)v;
			else if (fd->is_int == 2)
				*(long long *)(void *)at = (long long)v;
			else
				*(double *)(void *)at = v;
		}
	}
	cJSON_Delete(o);
	return 1;
}
