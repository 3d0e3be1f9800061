/*
 * Le Mans Ultimate, the source table's "lmu" entry (source.h): one poll's
 * responses (request path → body or null, see spec/lmu-recording.md) into an
 * observation. Lenient: a missing field, a wrong type or an unknown enum
 * value never fails the frame; it leaves the value unknown and counts the
 * drift.
 *
 * The game's words stop here: session types become a session kind and
 * number, finish statuses lib/vocab.h's. So do the rules only this game
 * needs, kept in a state per client: ET standing still means loading, and
 * a hosted session numbers its entry list ("utid<N>") from an offset to
 * the standings' slots.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "trackside.h"
#include "source.h"
#include "track.h"

#define LMU_STILL_LOADING	5.0	/* s of client clock: ET still that long outside a pause */
#define LMU_KEY_LEN		(TRACK_NAME_MAX * 2 + 32)

/* What the parser keeps of one client between its frames. */
struct lmu_state {
	/* the view of its last frame that had a running session */
	char		 key[LMU_KEY_LEN];	/* server|port|track|type|online */
	double		 last_et;
	double		 last_at;	/* client clock */
	double		 still_since;	/* client clock ET stopped moving, or 0 */
	/* the entry list's offset to the standings' slots, in the session of key */
	long long	 coherence;	/* of the entry list that gave it, -1 none */
	int		 utid_offset, utid_offset_known;
};

/* The game's session words, in the order of their numbers. */
static const struct {
	const char		*word;
	enum session_kind	 kind;
	int			 n;
} session_words[] = {
	{ "TESTDAY", SK_TEST, 0 }, { "PRACTICE1", SK_PRACTICE, 1 }, { "PRACTICE2", SK_PRACTICE, 2 },
	{ "PRACTICE3", SK_PRACTICE, 3 }, { "PRACTICE4", SK_PRACTICE, 4 },
	{ "QUALIFY1", SK_QUALIFY, 1 }, { "QUALIFY2", SK_QUALIFY, 2 }, { "QUALIFY3", SK_QUALIFY, 3 },
	{ "QUALIFY4", SK_QUALIFY, 4 }, { "WARMUP", SK_WARMUP, 0 }, { "RACE1", SK_RACE, 1 },
	{ "RACE2", SK_RACE, 2 }, { "RACE3", SK_RACE, 3 }, { "RACE4", SK_RACE, 4 },
};

/*
 * The kind and number of one of the game's session words ("RACE1" → race,
 * 1; "WARMUP" → warmup, 0). Returns 1, or 0 for a word the game does not
 * use (*kind SK_OTHER, *n 0).
 */
int
lmu_session_type(const char *word, enum session_kind *kind, int *n)
{
	for (size_t i = 0; word != NULL && i < sizeof(session_words) / sizeof(session_words[0]); i++)
		if (strcmp(word, session_words[i].word) == 0) {
			*kind = session_words[i].kind;
			*n = session_words[i].n;
			return 1;
		}
	*kind = SK_OTHER;
	*n = 0;
	return 0;
}

/*
 * Lookup hint: members are looked up in the order the game sends them
 * (alphabetical), so each search starts after the last member found in the
 * same object and wraps around. trackside-ingestd parses on one thread.
 */
static const cJSON *lmu_hint_obj, *lmu_hint_next;

static const cJSON *
lmu_get(const cJSON *o, const char *key)
{
	const cJSON *start, *c;

	if (!cJSON_IsObject(o))
		return NULL;
	start = o == lmu_hint_obj && lmu_hint_next != NULL ? lmu_hint_next : o->child;
	for (int pass = 0; pass < 2; pass++) {
		for (c = pass ? o->child : start; c != NULL && (pass == 0 || c != start); c = c->next)
			if (c->string != NULL && strcmp(c->string, key) == 0) {
				lmu_hint_obj = o;
				lmu_hint_next = c->next;
				return c;
			}
		if (start == o->child)
			break;
	}
	return NULL;
}

/* Number member key of o, or dflt (counting drift when present but not a number). */
static double
lmu_num(struct obs *ob, const cJSON *o, const char *key, double dflt)
{
	const cJSON *v = lmu_get(o, key);

	if (cJSON_IsNumber(v))
		return v->valuedouble;
	if (v == NULL)
		ob->drift[DRIFT_MISSING_FIELD]++;
	else if (!cJSON_IsNull(v))
		ob->drift[DRIFT_BAD_TYPE]++;
	return dflt;
}

/* Integer member key of o in int's range, or dflt (see lmu_num). */
static int
lmu_int(struct obs *ob, const cJSON *o, const char *key, int dflt)
{
	long long v;

	if (!num_to_ll(lmu_num(ob, o, key, dflt), -2147483647, 2147483647, &v))
		return dflt;
	return (int)v;
}

/* Integer member key of o in [min, max], or dflt (see lmu_num). */
static long long
lmu_ll(struct obs *ob, const cJSON *o, const char *key, long long min, long long max,
    long long dflt)
{
	long long v;

	if (!num_to_ll(lmu_num(ob, o, key, (double)dflt), min, max, &v))
		return dflt;
	return v;
}

static const char *
lmu_str(struct obs *ob, const cJSON *o, const char *key)
{
	const cJSON *v = lmu_get(o, key);

	if (cJSON_IsString(v))
		return v->valuestring;
	if (v == NULL)
		ob->drift[DRIFT_MISSING_FIELD]++;
	else if (!cJSON_IsNull(v))
		ob->drift[DRIFT_BAD_TYPE]++;
	return NULL;
}

static int
lmu_bool(const cJSON *o, const char *key)
{
	const cJSON *v = lmu_get(o, key);

	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	return 0;
}

/* Grows an array of obs to hold n + 1 elements. Returns 1 or -1. */
static int
lmu_grow(void **p, size_t *cap, size_t n, size_t sz)
{
	void	*np;
	size_t	 nc;

	if (n < *cap)
		return 1;
	nc = *cap ? *cap * 2 : 16;
	if ((np = realloc(*p, nc * sz)) == NULL)
		return -1;
	*p = np;
	*cap = nc;
	return 1;
}

#define GROW(ob, arr, n, cap) lmu_grow((void **)&(ob)->arr, &(ob)->cap, (ob)->n, sizeof(*(ob)->arr))

/* Copies a veh name without its ".veh" suffix into out. */
static void
lmu_veh(const char *v, char *out, size_t outsz)
{
	size_t n;

	if (v == NULL) {
		out[0] = '\0';
		return;
	}
	n = strlen(v);
	if (n >= 4 && strcasecmp(v + n - 4, ".veh") == 0)
		n -= 4;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

static enum pit_state
lmu_pit_state(struct obs *ob, const cJSON *v)
{
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < PIT__MAX)
		return (enum pit_state)v->valueint;
	if (cJSON_IsString(v))
		for (int i = 0; i < PIT__MAX; i++)
			if (strcmp(v->valuestring, pit_state_names[i]) == 0)
				return (enum pit_state)i;
	ob->drift[DRIFT_UNKNOWN_PIT_STATE]++;
	return PIT_NONE;
}

static enum finish
lmu_finish(struct obs *ob, const char *s)
{
	static const struct { const char *word; enum finish fin; } fstat[] = {
		{ "FSTAT_NONE", FIN_NONE }, { "FSTAT_FINISHED", FIN_FINISHED },
		{ "FSTAT_CHECKERED", FIN_FINISHED }, { "FSTAT_DNF", FIN_DNF }, { "FSTAT_DQ", FIN_DQ },
	};

	if (s == NULL)
		return FIN_NONE;
	for (size_t i = 0; i < sizeof(fstat) / sizeof(fstat[0]); i++)
		if (strcmp(s, fstat[i].word) == 0)
			return fstat[i].fin;
	ob->drift[DRIFT_UNKNOWN_FINISH]++;
	return FIN_NONE;
}

static int
lmu_session(struct obs *ob, const cJSON *si)
{
	const cJSON	*v, *f;
	const char	*s;
	size_t		 k = 0;

	ob->has_session = 1;
	s = lmu_str(ob, si, "session");
	if (!lmu_session_type(s, &ob->kind, &ob->kind_n) && s != NULL)
		ob->drift[DRIFT_UNKNOWN_SESSION]++;
	ob->track = lmu_str(ob, si, "trackName");
	if (ob->track == NULL)
		ob->track = "";
	ob->server = lmu_str(ob, si, "serverName");
	if (ob->server == NULL)
		ob->server = "";
	ob->port = lmu_int(ob, si, "serverPort", 0);
	ob->et = lmu_num(ob, si, "currentEventTime", -1);
	ob->end_et = lmu_num(ob, si, "endEventTime", -1);
	ob->max_time = lmu_num(ob, si, "maxTime", -1);
	ob->remaining = lmu_num(ob, si, "timeRemainingInGamePhase", -1);
	ob->track_len = lmu_num(ob, si, "lapDistance", -1);
	ob->max_laps = lmu_ll(ob, si, "maximumLaps", 0, 4294967294LL, -1);
	v = lmu_get(si, "gamePhase");
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < PHASE__MAX)
		ob->phase = v->valueint;
	else {
		ob->phase = -1;
		if (cJSON_IsString(v)) {
			static const char *const ws[] = { "BEFORE", "FORMATION", "GREEN", "CHECKERED" };
			static const int wp[] = { PHASE_STARTING, PHASE_FORMATION, PHASE_GREEN,
			    PHASE_CHECKERED };
			for (size_t i = 0; i < 4; i++)
				if (strcmp(v->valuestring, ws[i]) == 0)
					ob->phase = wp[i];
		}
		if (ob->phase < 0)
			ob->drift[DRIFT_UNKNOWN_PHASE]++;
	}
	ob->vehicles = lmu_int(ob, si, "numberOfVehicles", -1);
	ob->air = lmu_num(ob, si, "ambientTemp", -300);
	ob->track_temp = lmu_num(ob, si, "trackTemp", -300);
	ob->rain = lmu_num(ob, si, "raining", -1);
	ob->wetness = lmu_num(ob, si, "averagePathWetness", -1);
	f = lmu_get(si, "sectorFlag");
	ob->sector_flags[0] = '\0';
	cJSON_ArrayForEach(v, (cJSON_IsArray(f) ? f : NULL)) {
		if (k >= 3)
			break;
		char c = '?';
		if (cJSON_IsString(v))
			c = strcmp(v->valuestring, "UNKNOWN") == 0 ? 'G' : v->valuestring[0];
		ob->sector_flags[k++] = c;
		ob->sector_flags[k] = '\0';
	}
	return 1;
}

static int
lmu_car(struct obs *ob, const cJSON *c)
{
	struct obs_car	*oc;
	const cJSON	*v;
	const char	*s;

	if (!cJSON_IsObject(c))
		return 1;
	if (GROW(ob, cars, ncars, cars_cap) < 0)
		return -1;
	oc = &ob->cars[ob->ncars];
	memset(oc, 0, sizeof(*oc));
	oc->cuts = oc->collisions = -1;	/* the game reports neither */
	/* In the order the game sends the members: see lmu_get(). */
	oc->best = lmu_num(ob, c, "bestLapTime", -1);
	oc->cls = lmu_str(ob, c, "carClass");
	oc->number = lmu_str(ob, c, "carNumber");
	v = lmu_get(c, "carPosition");
	oc->x = cJSON_IsObject(v) ? lmu_num(ob, v, "x", 0) : 0;
	oc->z = cJSON_IsObject(v) ? lmu_num(ob, v, "z", 0) : 0;
	oc->cur_s1 = lmu_num(ob, c, "currentSectorTime1", -1);
	oc->cur_s2 = lmu_num(ob, c, "currentSectorTime2", -1);
	oc->driver = lmu_str(ob, c, "driverName");
	oc->finish = lmu_finish(ob, lmu_str(ob, c, "finishStatus"));
	oc->fuel = lmu_num(ob, c, "fuelFraction", -1);
	oc->team = lmu_str(ob, c, "fullTeamName");
	oc->in_control = lmu_int(ob, c, "inControl", 0);
	oc->in_garage = lmu_bool(c, "inGarageStall");
	oc->lap_dist = lmu_num(ob, c, "lapDistance", -1);
	oc->lap_start_et = lmu_num(ob, c, "lapStartET", -1);
	oc->gap_laps = lmu_int(ob, c, "lapsBehindLeader", 0);
	oc->interval_laps = lmu_int(ob, c, "lapsBehindNext", 0);
	oc->laps = lmu_int(ob, c, "lapsCompleted", -1);
	oc->last = lmu_num(ob, c, "lastLapTime", -1);
	oc->last_s1 = lmu_num(ob, c, "lastSectorTime1", -1);
	oc->last_s2 = lmu_num(ob, c, "lastSectorTime2", -1);
	oc->penalties = lmu_int(ob, c, "penalties", 0);
	oc->pit_state = lmu_pit_state(ob, lmu_get(c, "pitState"));
	oc->pitstops = lmu_int(ob, c, "pitstops", 0);
	oc->pitting = lmu_bool(c, "pitting");
	oc->player = lmu_bool(c, "player");
	oc->position = lmu_int(ob, c, "position", 0);
	s = lmu_str(ob, c, "sector");
	oc->sector = s && strncmp(s, "SECTOR", 6) == 0 && s[6] >= '1' && s[6] <= '3' ? s[6] - '0' : 0;
	oc->slot = lmu_int(ob, c, "slotID", -1);
	oc->gap = lmu_num(ob, c, "timeBehindLeader", -1);
	oc->interval = lmu_num(ob, c, "timeBehindNext", -1);
	oc->ve = lmu_num(ob, c, "veFraction", -1);
	lmu_veh(lmu_str(ob, c, "vehicleFilename"), oc->veh, sizeof(oc->veh));
	oc->vehicle_name = lmu_str(ob, c, "vehicleName");
	if (oc->slot < 0 || oc->slot > 100000)
		return 1;
	ob->ncars++;
	return 1;
}

/* "utid<N>" → N, or -1. */
static int
lmu_utid(const char *s)
{
	long long n;

	if (s == NULL || strncmp(s, "utid", 4) != 0 || !num_parse_ll(s + 4, 0, 1000000, &n))
		return -1;
	return (int)n;
}

static unsigned
lmu_roles(const cJSON *r)
{
	const cJSON	*v;
	unsigned	 m = 0;

	cJSON_ArrayForEach(v, (cJSON_IsArray(r) ? r : NULL)) {
		if (!cJSON_IsString(v))
			continue;
		if (strcmp(v->valuestring, "Driver") == 0)
			m |= ROLE_DRIVER;
		else if (strcmp(v->valuestring, "Race Engineer") == 0)
			m |= ROLE_ENGINEER;
		else if (strcmp(v->valuestring, "Admin") == 0)
			m |= ROLE_ADMIN;
		else if (strcmp(v->valuestring, "Owner") == 0)
			m |= ROLE_OWNER;
	}
	return m;
}

static int
lmu_teams(struct obs *ob, const cJSON *t)
{
	const cJSON *teams = lmu_get(t, "teams"), *e, *m, *dr;

	ob->has_teams = 1;
	ob->online = 1;
	ob->coherence = lmu_ll(ob, t, "coherenceId", 0, LLONG_MAX, -1);
	dr = lmu_get(t, "drivers");
	cJSON_ArrayForEach(e, (cJSON_IsObject(teams) ? teams : NULL)) {
		struct obs_entry *oe;
		int id = lmu_utid(e->string);
		if (id < 0 || !cJSON_IsObject(e))
			continue;
		if (GROW(ob, entries, nentries, entries_cap) < 0)
			return -1;
		oe = &ob->entries[ob->nentries++];
		memset(oe, 0, sizeof(*oe));
		oe->id = id;
		oe->team_id = lmu_str(ob, e, "Id");
		oe->number = lmu_str(ob, e, "carNumber");
		oe->name = lmu_str(ob, e, "name");
		lmu_veh(lmu_str(ob, e, "vehicle"), oe->veh, sizeof(oe->veh));
		oe->member0 = ob->nmembers;
		cJSON_ArrayForEach(m, (cJSON_IsObject(lmu_get(e, "drivers")) ? lmu_get(e, "drivers") : NULL)) {
			struct obs_member *om;
			const cJSON *d = cJSON_IsObject(dr) ? lmu_get(dr, m->string) : NULL;
			if (GROW(ob, members, nmembers, members_cap) < 0)
				return -1;
			om = &ob->members[ob->nmembers++];
			om->name = m->string;
			om->badge = cJSON_IsString(lmu_get(m, "badge")) ? lmu_get(m, "badge")->valuestring : NULL;
			om->nationality = cJSON_IsString(lmu_get(m, "nationality")) ?
			    lmu_get(m, "nationality")->valuestring : NULL;
			om->roles = lmu_roles(lmu_get(m, "roles"));
			if (om->roles == 0 && d != NULL)
				om->roles = lmu_roles(lmu_get(d, "roles"));
		}
		oe->nmembers = ob->nmembers - oe->member0;
	}
	return 1;
}

static int
lmu_chat(struct obs *ob, const cJSON *a)
{
	const cJSON *c;

	ob->has_chat = 1;
	cJSON_ArrayForEach(c, a) {
		const char *m = lmu_str(ob, c, "message");
		long long ts = lmu_ll(ob, c, "timestamp", 0, LLONG_MAX, -1);
		if (m == NULL || ts < 0)
			continue;
		if (GROW(ob, chat, nchat, chat_cap) < 0)
			return -1;
		ob->chat[ob->nchat].ts = ts;
		ob->chat[ob->nchat].text = m;
		ob->nchat++;
	}
	return 1;
}

static void
lmu_compound(const cJSON *t, char out[COMPOUND_LEN])
{
	const char *s = cJSON_IsObject(t) && cJSON_IsString(lmu_get(t, "compound")) ?
	    lmu_get(t, "compound")->valuestring : "";

	snprintf(out, COMPOUND_LEN, "%s", s);
}

static int
lmu_strategy(struct obs *ob, const cJSON *a)
{
	static const char *const wheels[TYRE_N] = { "fl", "fr", "rl", "rr" };
	const cJSON *pair, *s;

	ob->has_strategy = 1;
	cJSON_ArrayForEach(pair, a) {
		const cJSON *name = cJSON_GetArrayItem(pair, 0), *list = cJSON_GetArrayItem(pair, 1);
		if (!cJSON_IsArray(pair) || !cJSON_IsString(name) || !cJSON_IsArray(list))
			continue;
		cJSON_ArrayForEach(s, list) {
			struct obs_stop *st;
			const cJSON *ty = lmu_get(s, "tyres");
			if (!cJSON_IsObject(s))
				continue;
			if (GROW(ob, stops, nstops, stops_cap) < 0)
				return -1;
			st = &ob->stops[ob->nstops];
			memset(st, 0, sizeof(*st));
			st->team = name->valuestring;
			st->lap = lmu_int(ob, s, "lap", -1);
			st->driver = lmu_str(ob, s, "driver");
			st->swap = lmu_bool(s, "driverSwap");
			st->penalty = lmu_bool(s, "penalty");
			st->duration = lmu_num(ob, s, "time", -1);
			st->fuel = cJSON_IsNumber(lmu_get(s, "fuel")) ? lmu_get(s, "fuel")->valuedouble : -1;
			st->ve = lmu_num(ob, s, "ve", -1);
			st->prev_stint = lmu_num(ob, s, "previousStintDuration", -1);
			for (int i = 0; i < TYRE_N; i++) {
				const cJSON *w = cJSON_IsObject(ty) ? lmu_get(ty, wheels[i]) : NULL;
				lmu_compound(w, st->compound[i]);
				if (lmu_bool(w, "changed"))
					st->changed |= 1 << i;
				if (lmu_bool(w, "new"))
					st->fresh |= 1 << i;
			}
			/* A placeholder "default strategy" has no front-left compound. */
			if (st->compound[0][0] == '\0' || strcmp(st->compound[0], "N/A") == 0)
				continue;
			ob->nstops++;
		}
	}
	return 1;
}

static int
lmu_usage(struct obs *ob, const cJSON *o)
{
	const cJSON *d, *u;

	ob->has_usage = 1;
	cJSON_ArrayForEach(d, o) {
		cJSON_ArrayForEach(u, (cJSON_IsArray(d) ? d : NULL)) {
			struct obs_usage *ou;
			const cJSON *t = lmu_get(u, "tyres");
			if (!cJSON_IsObject(u))
				continue;
			if (GROW(ob, usage, nusage, usage_cap) < 0)
				return -1;
			ou = &ob->usage[ob->nusage++];
			ou->driver = d->string;
			ou->lap = lmu_int(ob, u, "lap", -1);
			ou->pit = lmu_bool(u, "pit");
			ou->stint = lmu_int(ob, u, "stint", 0);
			ou->fuel = cJSON_IsNumber(lmu_get(u, "fuel")) ? lmu_get(u, "fuel")->valuedouble : -1;
			ou->ve = cJSON_IsNumber(lmu_get(u, "ve")) ? lmu_get(u, "ve")->valuedouble : -1;
			for (int i = 0; i < TYRE_N; i++) {
				const cJSON *w = cJSON_IsArray(t) ? cJSON_GetArrayItem(t, i) : NULL;
				ou->wear[i] = cJSON_IsNumber(w) ? w->valuedouble : -1;
			}
		}
	}
	return 1;
}

static int
lmu_history(struct obs *ob, const cJSON *o)
{
	const cJSON *slot, *r;

	ob->has_history = 1;
	cJSON_ArrayForEach(slot, o) {
		cJSON_ArrayForEach(r, (cJSON_IsArray(slot) ? slot : NULL)) {
			struct obs_hist *h;
			if (!cJSON_IsObject(r))
				continue;
			if (GROW(ob, hist, nhist, hist_cap) < 0)
				return -1;
			h = &ob->hist[ob->nhist];
			long long key_slot;
			if (slot->string == NULL || !num_parse_ll(slot->string, 0, 100000, &key_slot))
				key_slot = -1;
			h->slot = lmu_int(ob, r, "slotID", (int)key_slot);
			h->lap = lmu_int(ob, r, "totalLaps", -1);
			h->veh_name = lmu_str(ob, r, "vehicleName");
			h->driver = lmu_str(ob, r, "driverName");
			h->time = lmu_num(ob, r, "lapTime", -1);
			h->s1 = lmu_num(ob, r, "sectorTime1", -1);
			h->s2 = lmu_num(ob, r, "sectorTime2", -1);
			h->pitting = lmu_bool(r, "pitting");
			h->position = lmu_int(ob, r, "position", 0);
			if (h->slot >= 0 && h->lap > 0)
				ob->nhist++;
		}
	}
	return 1;
}

static int
lmu_trackmap(struct obs *ob, const cJSON *a)
{
	const cJSON *p;

	ob->has_trackmap = 1;
	cJSON_ArrayForEach(p, a) {
		int type = lmu_int(ob, p, "type", -1);
		if (type != 0 && type != 1)
			continue;
		if (GROW(ob, points, npoints, points_cap) < 0)
			return -1;
		ob->points[ob->npoints].x = lmu_num(ob, p, "x", 0);
		ob->points[ob->npoints].z = lmu_num(ob, p, "z", 0);
		ob->points[ob->npoints].type = type;
		ob->npoints++;
	}
	return 1;
}

/* Websocket LiveStandings: tyre compounds, by slot, into the standings cars. */
static void
lmu_ws_standings(struct obs *ob, const cJSON *w)
{
	const cJSON *body = lmu_get(w, "body"), *c;

	cJSON_ArrayForEach(c, (cJSON_IsArray(body) ? body : NULL)) {
		int slot = lmu_int(ob, c, "slotID", -1);
		const cJSON *cn = lmu_get(c, "compoundNames"), *ve = lmu_get(c, "virtualEnergy");
		for (size_t i = 0; i < ob->ncars; i++) {
			struct obs_car *oc = &ob->cars[i];
			if (oc->slot != slot)
				continue;
			if (cJSON_IsArray(cn) && cJSON_GetArraySize(cn) == TYRE_N) {
				oc->compounds_known = 1;
				for (int k = 0; k < TYRE_N; k++) {
					const cJSON *x = cJSON_GetArrayItem(cn, k);
					snprintf(oc->compound[k], COMPOUND_LEN, "%s",
					    cJSON_IsString(x) ? x->valuestring : "");
				}
			}
			if (cJSON_IsNumber(ve))
				oc->ve = ve->valuedouble / 100.0;
			break;
		}
	}
}

/*
 * The offset between "utid<N>" and standings slots: hosted sessions number
 * teams from an arbitrary offset. Found by matching vehicle and members;
 * left as it was when nothing matches.
 */
static void
lmu_utid_offset(struct lmu_state *st, const struct obs *o)
{
	int	 best = 0, bestn = 0;

	for (size_t i = 0; i < o->nentries && i < 64; i++) {
		const struct obs_entry *e = &o->entries[i];
		for (size_t k = 0; k < o->ncars; k++) {
			const struct obs_car *oc = &o->cars[k];
			int off = e->id - oc->slot, n = 0, m;
			if (strcmp(oc->veh, e->veh) != 0 || oc->driver == NULL)
				continue;
			for (m = 0; m < (int)e->nmembers; m++)
				if (strcmp(o->members[e->member0 + m].name, oc->driver) == 0)
					break;
			if (m == (int)e->nmembers)
				continue;
			/* Count how many entries this offset explains. */
			for (size_t j = 0; j < o->nentries; j++)
				for (size_t q = 0; q < o->ncars; q++)
					if (o->cars[q].slot == o->entries[j].id - off &&
					    strcmp(o->cars[q].veh, o->entries[j].veh) == 0) {
						n++;
						break;
					}
			if (n > bestn) {
				bestn = n;
				best = off;
			}
			break;
		}
		if (bestn * 2 > (int)o->nentries)
			break;
	}
	if (bestn > 0) {
		st->utid_offset = best;
		st->utid_offset_known = 1;
	}
}

/*
 * Maps each entry of the list onto its standings slot: the offset is
 * learned again whenever the list changed (its coherence id), from a frame
 * that has standings too; until it is known, entry N is slot N.
 */
static void
lmu_slots(struct lmu_state *st, struct obs *ob)
{
	if (!ob->has_teams)
		return;
	ob->entry_slots_known = st->utid_offset_known;
	if (ob->ncars > 0 && !(ob->coherence >= 0 && ob->coherence == st->coherence &&
	    st->utid_offset_known))
		lmu_utid_offset(st, ob);
	st->coherence = ob->coherence;
	for (size_t i = 0; i < ob->nentries; i++)
		ob->entries[i].slot = ob->entries[i].id - (st->utid_offset_known ? st->utid_offset : 0);
}

/*
 * Loading: ET standing still on the client's clock (a paused session holds
 * ET too, and is no loading). A new view (server, track, session, online)
 * starts over, and forgets the entry list's offset.
 */
static void
lmu_still(struct lmu_state *st, const struct src_in *in, struct obs *ob)
{
	char key[LMU_KEY_LEN];

	if (!ob->has_session || ob->replay || ob->loading || ob->et < 0)
		return;
	snprintf(key, sizeof(key), "%s|%d|%s|%d|%d|%d", ob->server, ob->port, ob->track, ob->kind,
	    ob->kind_n, ob->online);
	if (strcmp(key, st->key) != 0) {
		snprintf(st->key, sizeof(st->key), "%s", key);
		st->still_since = 0;
		st->utid_offset_known = 0;
		st->coherence = -1;
	} else if (st->last_at > 0 && ob->et == st->last_et && ob->phase != PHASE_PAUSED &&
	    in->captured_at > st->last_at) {
		if (st->still_since == 0)
			st->still_since = st->last_at;
		if (in->captured_at - st->still_since >= LMU_STILL_LOADING) {
			ob->loading = 1;
			return;
		}
	} else
		st->still_since = 0;
	st->last_et = ob->et;
	st->last_at = in->captured_at;
}

/*
 * Fills ob from the responses object of one LMU poll (ob's arrays are
 * reused) and applies the rules kept in state. Returns 1, or -1 when out of
 * memory.
 */
int
lmu_parse(void *state, const struct src_in *in, const struct cJSON *data, struct obs *ob)
{
	const cJSON	*d = (const cJSON *)data, *v, *gs;

	ob->ncars = ob->nentries = ob->nmembers = ob->nchat = 0;
	ob->nstops = ob->nusage = ob->nhist = ob->npoints = 0;
	ob->has_session = ob->has_standings = ob->has_teams = ob->has_chat = 0;
	ob->has_strategy = ob->has_usage = ob->has_history = ob->has_trackmap = 0;
	ob->loading = ob->replay = ob->online = 0;
	ob->kind = SK_OTHER;
	ob->kind_n = 0;
	ob->coherence = -1;
	ob->entry_slots_known = 0;
	memset(ob->drift, 0, sizeof(ob->drift));
	if (!cJSON_IsObject(d))
		return 1;
	gs = lmu_get(d, "/rest/sessions/GetGameState");
	if (cJSON_IsObject(gs)) {
		const char *mss = lmu_str(ob, gs, "MultiStintState");
		ob->replay = lmu_bool(gs, "isReplayActive");
		ob->loading = mss != NULL && strcmp(mss, "LOADING") == 0;
	}
	v = lmu_get(d, "/navigation/state");
	if (cJSON_IsObject(v) && cJSON_IsString(lmu_get(v, "settingMode")) &&
	    strstr(lmu_get(v, "settingMode")->valuestring, "REPLAY") != NULL)
		ob->replay = 1;
	v = lmu_get(d, "/rest/watch/sessionInfo");
	if (cJSON_IsObject(v))
		lmu_session(ob, v);
	else {
		v = lmu_get(d, "ws:SessionInfo");
		if (cJSON_IsObject(v) && cJSON_IsObject(lmu_get(v, "body")))
			lmu_session(ob, lmu_get(v, "body"));
	}
	v = lmu_get(d, "/rest/watch/standings");
	if (cJSON_IsArray(v)) {
		const cJSON *c;
		ob->has_standings = 1;
		cJSON_ArrayForEach(c, v)
			if (lmu_car(ob, c) < 0)
				return -1;
	}
	v = lmu_get(d, "ws:LiveStandings");
	if (cJSON_IsObject(v))
		lmu_ws_standings(ob, v);
	v = lmu_get(d, "/rest/multiplayer/teams");
	if (cJSON_IsObject(v) && lmu_teams(ob, v) < 0)
		return -1;
	v = lmu_get(d, "/rest/chat/");
	if (cJSON_IsArray(v) && lmu_chat(ob, v) < 0)
		return -1;
	v = lmu_get(d, "/rest/strategy/overall");
	if (cJSON_IsArray(v) && lmu_strategy(ob, v) < 0)
		return -1;
	v = lmu_get(d, "/rest/strategy/usage");
	if (cJSON_IsObject(v) && lmu_usage(ob, v) < 0)
		return -1;
	v = lmu_get(d, "/rest/watch/standings/history");
	if (cJSON_IsObject(v) && lmu_history(ob, v) < 0)
		return -1;
	v = lmu_get(d, "/rest/watch/trackmap");
	if (cJSON_IsArray(v) && lmu_trackmap(ob, v) < 0)
		return -1;
	lmu_still(state, in, ob);
	lmu_slots(state, ob);
	return 1;
}

/* A new client's state; NULL when out of memory. lmu_state_free() releases it. */
void *
lmu_state_new(void)
{
	struct lmu_state *st = calloc(1, sizeof(*st));

	if (st != NULL)
		st->coherence = -1;
	return st;
}

void
lmu_state_free(void *st)
{
	free(st);
}

/* The state as one JSON object. Returns 1 or -1. */
int
lmu_state_save(const void *state, struct buf *out)
{
	const struct lmu_state	*st = state;
	cJSON			*o = cJSON_CreateObject();
	char			*txt = NULL;
	int			 rc = -1;

	if (o != NULL && cJSON_AddStringToObject(o, "key", st->key) != NULL &&
	    cJSON_AddNumberToObject(o, "last_et", st->last_et) != NULL &&
	    cJSON_AddNumberToObject(o, "last_at", st->last_at) != NULL &&
	    cJSON_AddNumberToObject(o, "still_since", st->still_since) != NULL &&
	    cJSON_AddNumberToObject(o, "coherence", (double)st->coherence) != NULL &&
	    (!st->utid_offset_known ||
	    cJSON_AddNumberToObject(o, "utid_offset", st->utid_offset) != NULL) &&
	    (txt = cJSON_PrintUnformatted(o)) != NULL && buf_puts(out, txt) >= 0)
		rc = 1;
	cJSON_free(txt);
	cJSON_Delete(o);
	return rc;
}

/* Restores what lmu_state_save() wrote. Returns 1, 0 unreadable (state left as it was). */
int
lmu_state_load(void *state, const char *json)
{
	struct lmu_state	*st = state, n;
	cJSON			*o = cJSON_Parse(json);
	const cJSON		*key = cJSON_GetObjectItemCaseSensitive(o, "key");
	const cJSON		*off = cJSON_GetObjectItemCaseSensitive(o, "utid_offset");
	static const char *const nums[] = { "last_et", "last_at", "still_since", "coherence" };
	double			 v[4];
	long long		 ll;

	for (size_t i = 0; i < 4; i++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, nums[i]);
		if (!cJSON_IsNumber(x)) {
			cJSON_Delete(o);
			return 0;
		}
		v[i] = x->valuedouble;
	}
	memset(&n, 0, sizeof(n));
	if (!cJSON_IsString(key) || strlen(key->valuestring) >= sizeof(n.key) ||
	    !num_to_ll(v[3], -1, LLONG_MAX, &n.coherence) ||
	    (off != NULL && (!cJSON_IsNumber(off) ||
	    !num_to_ll(off->valuedouble, -2000000, 2000000, &ll)))) {
		cJSON_Delete(o);
		return 0;
	}
	memcpy(n.key, key->valuestring, strlen(key->valuestring) + 1);
	n.last_et = v[0];
	n.last_at = v[1];
	n.still_since = v[2];
	if (off != NULL) {
		n.utid_offset = (int)ll;
		n.utid_offset_known = 1;
	}
	*st = n;
	cJSON_Delete(o);
	return 1;
}
