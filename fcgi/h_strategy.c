/*
 * GET /sessions/{id}/cars/{car}/strategy, /api/v1/sessions/{id}/cars/{car}/
 * strategy and /api/v1/sessions/{id}/strategy: the strategy figures of a
 * car (lib/strategy.c) from its stored laps, and the compact figures of
 * every car that the timing page shows. static/strategy.js keeps both live.
 *
 * A lap is under full-course yellow when it overlaps a race_log 'fcy' ..
 * 'fcy_end' interval; a session without such rows falls back on the
 * conditions series (phase PHASE_FCY). The class pace is the best pace5
 * among the class's cars, the leader's that of the car in class P1.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "strategy.h"

/* A lap race has a length under this; LMU sends a huge one for a timed race. */
#define STRAT_MAX_LAPS	100000

/* One car of the session as loaded. */
struct scar {
	long long	 id;
	char		*cls;
	int		 class_pos;
	double		 fuel_now, ve_now;	/* car_state, <0 unknown */
	int		 player;		/* its fuel comes from its own client */
	int		 done;			/* took the flag, retired or out */
	size_t		 first, n;		/* its laps in strat_set.laps */
	struct strat_in	 in;
	struct strat_out out;
};

/* Every car of a session with its laps and figures. */
struct strat_set {
	struct strat_lap *laps;
	char		**tyres;		/* laps' tyres text, parallel to laps */
	size_t		 nlaps, caplaps;
	struct scar	*cars;
	size_t		 ncars, capcars;
	double		*fcy;			/* [from, to) pairs of ET */
	size_t		 nfcy;
	double		 et, remaining;
	long long	 max_laps;
	int		 finished, fcy_from_log;
};

static const char *const strat_why_text[STRAT__MAX] = {
	"used",
	"older than the laps used",
	"in-lap",
	"out-lap",
	"full-course yellow",
	"invalid or untimed",
	"slower than 107 % of the median",
	"level went up (refuelled)",
	"level unknown (this lap or the one before)",
};

static void
strat_set_free(struct strat_set *ss)
{
	for (size_t i = 0; i < ss->nlaps; i++) {
		free((char *)ss->laps[i].driver);
		free(ss->tyres[i]);
	}
	for (size_t i = 0; i < ss->ncars; i++)
		free(ss->cars[i].cls);
	free(ss->laps);
	free(ss->tyres);
	free(ss->cars);
	free(ss->fcy);
	memset(ss, 0, sizeof(*ss));
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? strdup((const char *)t) : NULL;
}

static double
col_num(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_double(st, i);
}

/* Appends the interval [from, to) to the yellows. Returns 1 or -1. */
static int
fcy_add(struct strat_set *ss, double from, double to)
{
	double *n = realloc(ss->fcy, (ss->nfcy + 1) * 2 * sizeof(*n));

	if (n == NULL)
		return -1;
	ss->fcy = n;
	n[ss->nfcy * 2] = from;
	n[ss->nfcy * 2 + 1] = to;
	ss->nfcy++;
	return 1;
}

/*
 * Adds the yellows of st (rows of et and whether a yellow is out from
 * then), stepped through and finalized here: each from a row that puts one
 * out to the next that does not; one still out has no end. Returns the
 * number of rows, or -1 on an SQLite or memory error.
 */
static int
fcy_rows(sqlite3_stmt *st, struct strat_set *ss)
{
	double	 from = -1;
	int	 rc, n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		double et = sqlite3_column_double(st, 0);
		int fcy = sqlite3_column_int(st, 1);
		n++;
		if (fcy && from < 0)
			from = et;
		else if (!fcy && from >= 0) {
			if (fcy_add(ss, from, et) < 0)
				break;
			from = -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || (from >= 0 && fcy_add(ss, from, INFINITY) < 0))
		return -1;
	return n;
}

/*
 * The full-course yellows of session id: from the race control log, else
 * from the conditions series. Returns 1, or -1 on an SQLite or memory error.
 */
static int
fcy_load(sqlite3 *db, const char *id, struct strat_set *ss)
{
	sqlite3_stmt	*st;
	int		 n;

	if (sqlite3_prepare_v2(db, "SELECT et, kind = 'fcy' FROM race_log WHERE session_id = ?1 "
	    "AND kind IN ('fcy', 'fcy_end') ORDER BY et, id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((n = fcy_rows(st, ss)) != 0) {
		ss->fcy_from_log = n > 0;
		return n > 0 ? 1 : -1;
	}
	/* a sample without a phase ends a yellow */
	if (sqlite3_prepare_v2(db, "SELECT et, phase = ?2 FROM conditions WHERE session_id = ?1 "
	    "ORDER BY et", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, PHASE_FCY);
	return fcy_rows(st, ss) < 0 ? -1 : 1;
}

/* Marks the laps that overlap a yellow; a lap ends at start + time, or at the next's start. */
static void
fcy_mark(struct strat_set *ss, struct scar *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct strat_lap *l = &ss->laps[c->first + i];
		double end = -1;
		if (l->start_et < 0)
			continue;
		if (l->time > 0)
			end = l->start_et + l->time;
		else if (i + 1 < c->n && ss->laps[c->first + i + 1].start_et > l->start_et)
			end = ss->laps[c->first + i + 1].start_et;
		if (end < 0)
			continue;
		for (size_t k = 0; k < ss->nfcy; k++)
			if (l->start_et < ss->fcy[2 * k + 1] && end > ss->fcy[2 * k])
				l->yellow = 1;
	}
}

/* The car's index in ss, or -1. */
static long
car_find(const struct strat_set *ss, long long id)
{
	for (size_t i = 0; i < ss->ncars; i++)
		if (ss->cars[i].id == id)
			return (long)i;
	return -1;
}

/*
 * Loads session id's cars, laps, stops that changed tyres and yellows into
 * ss and computes every car's figures, the class paces included. Returns 1,
 * 0 when there is no such session, -1 on an SQLite or memory error.
 */
static int
strat_set_load(sqlite3 *db, const char *id, struct strat_set *ss)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	memset(ss, 0, sizeof(*ss));
	if (sqlite3_prepare_v2(db, "SELECT et, remaining, max_laps, finished FROM sessions "
	    "WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	ss->et = col_num(st, 0);
	ss->remaining = col_num(st, 1);
	ss->max_laps = sqlite3_column_int64(st, 2);
	ss->finished = sqlite3_column_int(st, 3);
	if (ss->max_laps >= STRAT_MAX_LAPS)
		ss->max_laps = 0;
	sqlite3_finalize(st);

	if (sqlite3_prepare_v2(db, "SELECT c.id, c.class, s.class_position, s.fuel, s.ve, "
	    "coalesce(s.player, 0), coalesce(s.finish, 'none') <> 'none' "
	    "FROM cars c LEFT JOIN car_state s ON s.car_id = c.id "
	    "WHERE c.session_id = ? ORDER BY c.id", -1, &st, NULL) != SQLITE_OK)
		goto err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (ss->ncars == ss->capcars) {
			size_t cap = ss->capcars ? ss->capcars * 2 : 32;
			struct scar *n = realloc(ss->cars, cap * sizeof(*n));
			if (n == NULL)
				goto err;
			ss->cars = n;
			ss->capcars = cap;
		}
		struct scar *c = &ss->cars[ss->ncars++];
		memset(c, 0, sizeof(*c));
		c->id = sqlite3_column_int64(st, 0);
		c->cls = col_dup(st, 1);
		c->class_pos = sqlite3_column_int(st, 2);
		c->fuel_now = col_num(st, 3);
		c->ve_now = col_num(st, 4);
		c->player = sqlite3_column_int(st, 5);
		c->done = sqlite3_column_int(st, 6);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto err;

	if (sqlite3_prepare_v2(db, "SELECT l.car_id, l.lap, l.time, l.start_et, l.fuel, l.ve, "
	    "l.pit, l.valid, l.driver, l.tyres FROM laps l JOIN cars c ON c.id = l.car_id "
	    "WHERE c.session_id = ? ORDER BY l.car_id, l.lap", -1, &st, NULL) != SQLITE_OK)
		goto err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long ci = car_find(ss, sqlite3_column_int64(st, 0));
		if (ci < 0)
			continue;
		if (ss->nlaps == ss->caplaps) {
			size_t cap = ss->caplaps ? ss->caplaps * 2 : 256;
			struct strat_lap *n = realloc(ss->laps, cap * sizeof(*n));
			if (n == NULL)
				goto err;
			ss->laps = n;
			char **t = realloc(ss->tyres, cap * sizeof(*t));
			if (t == NULL)
				goto err;
			ss->tyres = t;
			ss->caplaps = cap;
		}
		struct strat_lap *l = &ss->laps[ss->nlaps];
		struct scar *c = &ss->cars[ci];
		memset(l, 0, sizeof(*l));
		ss->tyres[ss->nlaps] = NULL;
		if (c->n == 0)
			c->first = ss->nlaps;
		c->n++;
		ss->nlaps++;
		l->lap = sqlite3_column_int(st, 1);
		l->time = col_num(st, 2);
		l->start_et = col_num(st, 3);
		l->fuel = col_num(st, 4);
		l->ve = col_num(st, 5);
		l->pit = sqlite3_column_int(st, 6);
		l->valid = sqlite3_column_int(st, 7);
		l->driver = col_dup(st, 8);
		ss->tyres[ss->nlaps - 1] = col_dup(st, 9);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto err;

	/* stops: tyres changed (1), not changed (0) or not known (-1) at the end of their lap */
	if (sqlite3_prepare_v2(db, "SELECT p.car_id, p.lap, p.tyres_changed FROM pits p "
	    "JOIN cars c ON c.id = p.car_id WHERE c.session_id = ? AND " PITS_STOP_SQL
	    " ORDER BY p.car_id, p.lap", -1, &st, NULL) != SQLITE_OK)
		goto err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long ci = car_find(ss, sqlite3_column_int64(st, 0));
		int lap = sqlite3_column_int(st, 1);
		int t = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(st, 2) != 0;
		if (ci < 0)
			continue;
		for (size_t i = 0; i < ss->cars[ci].n; i++) {
			struct strat_lap *l = &ss->laps[ss->cars[ci].first + i];
			if (l->lap == lap && (l->tyres == 0 || t > 0))
				l->tyres = t == 0 ? 0 : t;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto err;
	if (fcy_load(db, id, ss) < 0)
		goto err;

	/* first pass: each car alone; second: against its class */
	for (size_t i = 0; i < ss->ncars; i++) {
		struct scar *c = &ss->cars[i];
		fcy_mark(ss, c);
		c->in.laps = c->n ? &ss->laps[c->first] : NULL;
		c->in.n = c->n;
		c->in.remaining = ss->remaining;
		c->in.max_laps = ss->max_laps;
		/* a finished session: the laps done are the finish, no stop to make */
		if (ss->finished)
			c->in.max_laps = c->n ? ss->laps[c->first + c->n - 1].lap : 0;
		c->in.et = ss->et;
		/* the level now: the car's current one, else its last lap's */
		c->in.fuel_now = c->fuel_now;
		c->in.ve_now = c->ve_now;
		c->in.class_pace = c->in.leader_pace = -1;
		strategy_compute(&c->in, &c->out);
	}
	for (size_t i = 0; i < ss->ncars; i++) {
		struct scar *c = &ss->cars[i];
		for (size_t k = 0; k < ss->ncars; k++) {
			const struct scar *o = &ss->cars[k];
			if ((c->cls == NULL) != (o->cls == NULL) ||
			    (c->cls != NULL && strcmp(c->cls, o->cls) != 0) || isnan(o->out.pace5))
				continue;
			if (c->in.class_pace < 0 || o->out.pace5 < c->in.class_pace)
				c->in.class_pace = o->out.pace5;
			if (o->class_pos == 1)
				c->in.leader_pace = o->out.pace5;
		}
	}
	for (size_t i = 0; i < ss->ncars; i++)
		strategy_compute(&ss->cars[i].in, &ss->cars[i].out);
	return 1;
err:
	sqlite3_finalize(st);
	strat_set_free(ss);
	return -1;
}

static void
add_num(cJSON *o, const char *key, double v, double scale)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, round(v * scale) / scale);
}

static void
add_int(cJSON *o, const char *key, int v)
{
	if (v < 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, v);
}

/* "L34–L41", "L34", "no stop", or "" unknown. */
static void
window_text(const struct strat_out *s, char *out, size_t outsz)
{
	if (s->stops_needed == 0)
		snprintf(out, outsz, "no stop");
	else if (s->window_first >= 0 && s->window_first != s->window_last)
		snprintf(out, outsz, "L%d\xe2\x80\x93L%d", s->window_first, s->window_last);
	else if (s->window_last >= 0)
		snprintf(out, outsz, "L%d", s->window_last);
	else
		out[0] = '\0';
}

/* "+0.512", "\xe2\x88\x92" "1.204", or "" unknown. */
static void
delta_text(double d, char *out, size_t outsz)
{
	if (isnan(d))
		out[0] = '\0';
	else
		snprintf(out, outsz, "%s%.3f", d < 0 ? "\xe2\x88\x92" : "+", fabs(d));
}

/* The compact figures of one car (the timing page's columns and their API). */
static cJSON *
strat_compact(const struct scar *c, int over)
{
	const struct strat_out *s = &c->out;
	cJSON	*o = cJSON_CreateObject();
	char	 txt[64];

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "car", (double)c->id);
	add_num(o, "laps_left", s->laps_left, 10);
	if (s->limiting >= 0)
		cJSON_AddStringToObject(o, "limiting", s->limiting ? "ve" : "fuel");
	else
		cJSON_AddNullToObject(o, "limiting");
	add_int(o, "window_first", s->window_first);
	add_int(o, "window_last", s->window_last);
	add_int(o, "stops_needed", s->stops_needed);
	add_int(o, "stint_laps", s->current_lap < 0 ? -1 : s->stint_laps);
	add_int(o, "tyre_laps", s->tyre_laps);
	add_num(o, "pace5", s->pace5, 1000);
	add_num(o, "pace_delta", s->pace_delta, 1000);
	if (isnan(s->laps_left))
		txt[0] = '\0';
	else
		snprintf(txt, sizeof(txt), "%.1f", s->laps_left);
	cJSON_AddStringToObject(o, "left_text", txt);
	window_text(s, txt, sizeof(txt));
	cJSON_AddStringToObject(o, "window_text", over ? "" : txt);
	delta_text(s->pace_delta, txt, sizeof(txt));
	cJSON_AddStringToObject(o, "pace_text", txt);
	cJSON_AddBoolToObject(o, "low", !isnan(s->laps_left) && s->laps_left < 2);
	if (s->tyre_laps >= 0)
		snprintf(txt, sizeof(txt), "%d", s->tyre_laps);
	else
		txt[0] = '\0';
	cJSON_AddStringToObject(o, "tyre_text", txt);
	return o;
}

/*
 * Adds to the standings rows of a session view (o's "standings") each car's
 * compact figures under "strat". Returns 1, or -1 on an SQLite or memory
 * error.
 */
int
strategy_rows(sqlite3 *db, cJSON *o)
{
	const cJSON	*id = cJSON_GetObjectItemCaseSensitive(o, "id");
	cJSON		*r;
	struct strat_set ss;

	if (!cJSON_IsString(id))
		return 1;
	if (strat_set_load(db, id->valuestring, &ss) < 0)
		return -1;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(o, "standings")) {
		const cJSON *car = cJSON_GetObjectItemCaseSensitive(r, "car");
		long ci = cJSON_IsNumber(car) ? car_find(&ss, (long long)car->valuedouble) : -1;
		cJSON *s = ci < 0 ? cJSON_CreateObject() :
		    strat_compact(&ss.cars[ci], ss.finished || ss.cars[ci].done);
		if (s != NULL)
			cJSON_AddItemToObject(r, "strat", s);
	}
	strat_set_free(&ss);
	return 1;
}

/* The per-lap table: level, use, and why each lap counts or not. */
static cJSON *
strat_laps_json(const struct strat_set *ss, const struct scar *c)
{
	enum strat_why	*wf = NULL, *wv = NULL;
	cJSON		*arr = cJSON_CreateArray();

	if (arr == NULL || c->n == 0)
		return arr;
	if ((wf = calloc(c->n, sizeof(*wf))) == NULL || (wv = calloc(c->n, sizeof(*wv))) == NULL) {
		free(wf);
		cJSON_Delete(arr);
		return NULL;
	}
	strategy_laps(&c->in, wf, wv);
	for (size_t i = c->n; i-- > 0;) {
		const struct strat_lap *l = &ss->laps[c->first + i];
		const struct strat_lap *p = i > 0 ? &ss->laps[c->first + i - 1] : NULL;
		cJSON *o = cJSON_CreateObject();
		double fu, vu;
		char txt[32];
		if (o == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
		if (p != NULL && p->lap != l->lap - 1)
			p = NULL;
		cJSON_AddNumberToObject(o, "lap", l->lap);
		json_add_time(o, "time", l->time > 0 ? l->time : NAN);
		if (l->driver)
			cJSON_AddStringToObject(o, "driver", l->driver);
		else
			cJSON_AddNullToObject(o, "driver");
		add_num(o, "fuel", l->fuel >= 0 ? l->fuel : NAN, 10000);
		add_num(o, "ve", l->ve >= 0 ? l->ve : NAN, 10000);
		fu = p && p->fuel >= 0 && l->fuel >= 0 ? p->fuel - l->fuel : NAN;
		vu = p && p->ve >= 0 && l->ve >= 0 ? p->ve - l->ve : NAN;
		add_num(o, "fuel_used", fu, 10000);
		add_num(o, "ve_used", vu, 10000);
		snprintf(txt, sizeof(txt), "%.1f%%", fu * 100);
		cJSON_AddStringToObject(o, "fuel_used_text", isnan(fu) ? "" : txt);
		snprintf(txt, sizeof(txt), "%.1f%%", vu * 100);
		cJSON_AddStringToObject(o, "ve_used_text", isnan(vu) ? "" : txt);
		cJSON_AddStringToObject(o, "fuel_why", strat_why_names[wf[i]]);
		cJSON_AddStringToObject(o, "ve_why", strat_why_names[wv[i]]);
		cJSON_AddStringToObject(o, "fuel_why_text", strat_why_text[wf[i]]);
		cJSON_AddStringToObject(o, "ve_why_text", strat_why_text[wv[i]]);
		cJSON_AddBoolToObject(o, "fuel_used_in", wf[i] == STRAT_USED);
		cJSON_AddBoolToObject(o, "ve_used_in", wv[i] == STRAT_USED);
		cJSON_AddBoolToObject(o, "pit", l->pit);
		cJSON_AddBoolToObject(o, "valid", l->valid);
		cJSON_AddBoolToObject(o, "yellow", l->yellow);
	}
	free(wf);
	free(wv);
	return arr;
}

/* The stints between in-laps with the tyre set each ran and the set's age at its end. */
static cJSON *
strat_stints_json(const struct strat_set *ss, const struct scar *c)
{
	cJSON	*arr = cJSON_CreateArray();
	size_t	 a = 0;
	int	 set = 1, set_from = -1, stint = 0, known = 1;

	if (c->n > 0)
		set_from = ss->laps[c->first].lap;
	while (arr != NULL && a < c->n) {
		size_t b = a;
		while (b + 1 < c->n && !ss->laps[c->first + b].pit)
			b++;
		const struct strat_lap *fl = &ss->laps[c->first + a], *ll = &ss->laps[c->first + b];
		const char *tyres = ss->tyres[c->first + a];
		cJSON *o = cJSON_CreateObject();
		if (o == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddNumberToObject(o, "stint", ++stint);
		cJSON_AddNumberToObject(o, "first_lap", fl->lap);
		cJSON_AddNumberToObject(o, "last_lap", ll->lap);
		cJSON_AddNumberToObject(o, "laps", ll->lap - fl->lap + 1);
		if (fl->driver)
			cJSON_AddStringToObject(o, "driver", fl->driver);
		else
			cJSON_AddNullToObject(o, "driver");
		if (tyres)
			cJSON_AddStringToObject(o, "compound", tyres);
		else
			cJSON_AddNullToObject(o, "compound");
		/* the stop before this stint: a = 0 has none */
		if (a > 0) {
			int t = ss->laps[c->first + a - 1].tyres;
			cJSON_AddStringToObject(o, "tyres_at_stop", t > 0 ? "new set" :
			    t < 0 ? "not known" : "same set");
		} else
			cJSON_AddStringToObject(o, "tyres_at_stop", "start");
		if (known) {
			cJSON_AddNumberToObject(o, "set", set);
			cJSON_AddNumberToObject(o, "set_age", ll->lap - set_from + 1);
		} else {
			cJSON_AddNullToObject(o, "set");
			cJSON_AddNullToObject(o, "set_age");
		}
		/* what the stop at the end of this stint fits */
		if (ll->tyres > 0) {
			set++;
			set_from = ll->lap + 1;
			known = 1;
		} else if (ll->tyres < 0)
			known = 0;
		a = b + 1;
	}
	return arr;
}

/* The figures of one car, with units and what they rest on. */
static cJSON *
strat_full_json(const struct strat_set *ss, const struct scar *c)
{
	const struct strat_out *s = &c->out;
	cJSON	*o = strat_compact(c, ss->finished || c->done);
	char	 txt[64];

	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "fuel_source", c->player ? "client" : "game");
	cJSON_AddStringToObject(o, "fuel_source_text", c->player ?
	    "from the car's own client (the game's usage data of the player's car)" :
	    "from what the game shows of the car");
	add_num(o, "fuel_per_lap", s->fuel_per_lap, 10000);
	add_num(o, "ve_per_lap", s->ve_per_lap, 10000);
	cJSON_AddNumberToObject(o, "fuel_laps", s->fuel_laps);
	cJSON_AddNumberToObject(o, "ve_laps", s->ve_laps);
	add_num(o, "fuel_now", s->fuel_now, 10000);
	add_num(o, "ve_now", s->ve_now, 10000);
	add_num(o, "laps_left_fuel", s->laps_left_fuel, 100);
	add_num(o, "laps_left_ve", s->laps_left_ve, 100);
	add_int(o, "current_lap", s->current_lap);
	add_int(o, "stint_first", s->current_lap < 0 ? -1 : s->stint_first);
	json_add_time(o, "stint_time", s->stint_time);
	add_int(o, "tyre_first", s->tyre_first);
	cJSON_AddNumberToObject(o, "pace_laps", s->pace_laps);
	json_add_time(o, "class_pace", c->in.class_pace > 0 ? c->in.class_pace : NAN);
	json_add_time(o, "leader_pace", c->in.leader_pace > 0 ? c->in.leader_pace : NAN);
	add_num(o, "leader_delta", s->leader_delta, 1000);
	json_add_time(o, "median", s->median);
	add_num(o, "projected_laps", s->projected_laps, 1);
	cJSON_AddStringToObject(o, "projected_by", s->projected_by == 1 ? "laps" :
	    s->projected_by == 2 ? "time" : "");
	cJSON_AddStringToObject(o, "projected_text", ss->finished ? "the laps done" :
	    s->projected_by == 1 ? "the race's length" :
	    s->projected_by == 2 ? "the time left at this car's pace" : "");
	cJSON_AddStringToObject(o, "limiting_text", s->limiting == 0 ? "fuel runs out first" :
	    s->limiting == 1 ? "energy runs out first" : "");
	if (ss->finished || c->done)
		snprintf(txt, sizeof(txt), "%s", ss->finished ? "the session is over" :
		    "the car's race is over");
	else if (s->stops_needed > 0)
		snprintf(txt, sizeof(txt), "%d more stop%s to the finish", s->stops_needed,
		    s->stops_needed == 1 ? "" : "s");
	else
		snprintf(txt, sizeof(txt), "%s", s->stops_needed == 0 ? "enough to the finish" : "");
	cJSON_AddStringToObject(o, "stops_text", txt);
	snprintf(txt, sizeof(txt), "over %d lap%s", s->fuel_laps, s->fuel_laps == 1 ? "" : "s");
	cJSON_AddStringToObject(o, "fuel_laps_text", txt);
	snprintf(txt, sizeof(txt), "over %d lap%s", s->ve_laps, s->ve_laps == 1 ? "" : "s");
	cJSON_AddStringToObject(o, "ve_laps_text", txt);
	json_add_time(o, "remaining", ss->remaining >= 0 ? ss->remaining : NAN);
	if (ss->max_laps > 0)
		cJSON_AddNumberToObject(o, "max_laps", (double)ss->max_laps);
	else
		cJSON_AddNullToObject(o, "max_laps");
	cJSON_AddBoolToObject(o, "over", ss->finished || c->done);
	cJSON_AddBoolToObject(o, "fcy_from_log", ss->fcy_from_log);
	cJSON_AddNumberToObject(o, "yellows", (double)ss->nfcy);
	snprintf(txt, sizeof(txt), "%.1f", s->fuel_per_lap * 100);
	cJSON_AddStringToObject(o, "fuel_per_lap_text", isnan(s->fuel_per_lap) ? "" : txt);
	snprintf(txt, sizeof(txt), "%.1f", s->ve_per_lap * 100);
	cJSON_AddStringToObject(o, "ve_per_lap_text", isnan(s->ve_per_lap) ? "" : txt);
	snprintf(txt, sizeof(txt), "%.1f", s->laps_left_fuel);
	cJSON_AddStringToObject(o, "left_fuel_text", isnan(s->laps_left_fuel) ? "" : txt);
	snprintf(txt, sizeof(txt), "%.1f", s->laps_left_ve);
	cJSON_AddStringToObject(o, "left_ve_text", isnan(s->laps_left_ve) ? "" : txt);
	delta_text(s->leader_delta, txt, sizeof(txt));
	cJSON_AddStringToObject(o, "leader_text", txt);
	if (s->current_lap < 0)
		txt[0] = '\0';
	else if (isnan(s->stint_time))
		snprintf(txt, sizeof(txt), "from lap %d", s->stint_first);
	else
		snprintf(txt, sizeof(txt), "from lap %d, %ld:%02ld:%02ld", s->stint_first,
		    lround(s->stint_time) / 3600, lround(s->stint_time) / 60 % 60,
		    lround(s->stint_time) % 60);
	cJSON_AddStringToObject(o, "stint_text", txt);
	return o;
}

/*
 * The strategy of the path's car: the session header, "car", "strategy"
 * (the figures), "laps" (newest first) and "stints". Returns a new object
 * (caller frees), or NULL after answering an error.
 */
static cJSON *
strategy_load(struct req *req, struct resp *resp)
{
	const char	*id = hist_session_arg(req, resp);
	cJSON		*o = NULL, *car = NULL, *s;
	struct strat_set ss;
	long		 ci;
	int		 rc;

	if (id == NULL || (o = hist_session(req, resp, id)) == NULL)
		return NULL;
	if (!hist_car(req, resp, id, &car)) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddItemToObject(o, "car", car);
	if ((rc = strat_set_load(req->db, id, &ss)) <= 0) {
		log_err("strategy %s: %s", id, sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The strategy cannot be read now.");
		cJSON_Delete(o);
		return NULL;
	}
	ci = car_find(&ss, (long long)cJSON_GetObjectItemCaseSensitive(car, "car")->valuedouble);
	if (ci < 0 || (s = strat_full_json(&ss, &ss.cars[ci])) == NULL) {
		resp_error(resp, 503, "unavailable", "The strategy cannot be read now.");
		strat_set_free(&ss);
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddItemToObject(o, "strategy", s);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "laps");	/* the session's count */
	cJSON_AddItemToObject(o, "laps", strat_laps_json(&ss, &ss.cars[ci]));
	cJSON_AddItemToObject(o, "stints", strat_stints_json(&ss, &ss.cars[ci]));
	cJSON_AddNumberToObject(o, "roll", STRAT_ROLL);
	strat_set_free(&ss);
	return o;
}

void
h_strategy_api(struct req *req, struct resp *resp)
{
	hist_answer(req, resp, strategy_load(req, resp), 1, NULL, NULL);
}

void
h_strategy_page(struct req *req, struct resp *resp)
{
	hist_answer(req, resp, strategy_load(req, resp), 0, "strategy", "Strategy");
}

/* GET /api/v1/sessions/{id}/strategy: {"id", "cars": [compact figures]}. */
void
h_strategy_cars_api(struct req *req, struct resp *resp)
{
	const char	*id = hist_session_arg(req, resp);
	cJSON		*o = NULL, *cars;
	struct strat_set ss;
	int		 rc;

	if (id == NULL)
		return;
	if ((rc = strat_set_load(req->db, id, &ss)) == 0) {
		resp_error(resp, 404, "not_found", "There is no such session.");
		return;
	}
	if (rc < 0 || (o = cJSON_CreateObject()) == NULL) {
		log_err("strategy %s: %s", id, sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The strategy cannot be read now.");
		if (rc > 0)
			strat_set_free(&ss);
		return;
	}
	cJSON_AddStringToObject(o, "id", id);
	cars = cJSON_AddArrayToObject(o, "cars");
	for (size_t i = 0; i < ss.ncars; i++) {
		cJSON *c = strat_compact(&ss.cars[i], ss.finished || ss.cars[i].done);
		if (c != NULL)
			cJSON_AddItemToArray(cars, c);
	}
	strat_set_free(&ss);
	resp_json(resp, 200, o);
	cJSON_Delete(o);
}
