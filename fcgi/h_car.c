/*
 * GET /sessions/{id}/cars/{car} and /api/v1/sessions/{id}/cars/{car}: one
 * car of a session. Every lap (time, sectors coloured against the class's
 * and the driver's bests, driver, position, pit or garage, fuel and virtual
 * energy used, tyres, validity), the stints between stops, the pit stops, a
 * lap-time chart by stint (SVG, drawn by the template from the coordinates
 * computed here), the driving time of each driver, and that time cut into
 * driver stints against the session's drive-time rules (lib/drive.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "drive.h"

/* The chart's drawing area inside its viewBox. */
#define CHART_W		800.0
#define CHART_H		260.0
#define CHART_LEFT	64.0
#define CHART_TOP	10.0
#define CHART_RIGHT	10.0
#define CHART_BOTTOM	24.0
#define CHART_YTICKS	5
/* Slower laps than this factor of the best are drawn clipped at the top. */
#define CHART_SPREAD	1.08

enum best_mark { MARK_NONE, MARK_DRIVER, MARK_CLASS, MARK__MAX };
static const char *const mark_names[MARK__MAX] = { "", "pb", "sb" };

/* One lap as loaded, with what later passes compute. */
struct car_lap {
	cJSON	*o;
	int	 lap;
	double	 t[4];		/* time, s1, s2, s3; NAN unknown */
	double	 start;		/* start ET */
	double	 fuel, ve;
	int	 valid, pit, stop;	/* stop: a pit row on this lap */
	const char *driver;
	int	 stint;
};

/* The class's best lap and sectors in this session, from best_laps. */
static int
car_class_bests(sqlite3 *db, const char *id, const cJSON *car, double best[4])
{
	sqlite3_stmt	*st;
	const cJSON	*cl = cJSON_GetObjectItemCaseSensitive(car, "class");
	int		 rc;

	for (int i = 0; i < 4; i++)
		best[i] = NAN;
	if (sqlite3_prepare_v2(db, "SELECT min(time), min(best_s1), min(best_s2), "
	    "min(best_s3) FROM best_laps WHERE session_id = ?1 AND class IS ?2", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (cJSON_IsString(cl))
		sqlite3_bind_text(st, 2, cl->valuestring, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int i = 0; i < 4; i++)
			if (sqlite3_column_type(st, i) != SQLITE_NULL)
				best[i] = sqlite3_column_double(st, i);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : -1;
}

/* The driver's best lap and sectors in this car (valid laps). */
static void
car_driver_bests(const struct car_lap *v, size_t n, const char *driver, double best[4])
{
	for (int i = 0; i < 4; i++)
		best[i] = NAN;
	for (size_t j = 0; j < n; j++) {
		if (!v[j].valid || !(v[j].t[0] > 0) || v[j].driver == NULL || driver == NULL ||
		    strcmp(v[j].driver, driver) != 0)
			continue;
		for (int i = 0; i < 4; i++)
			if (v[j].t[i] > 0 && (isnan(best[i]) || v[j].t[i] < best[i]))
				best[i] = v[j].t[i];
	}
}

/*
 * Adds the per-lap computed fields: best marks, fuel and VE used, driving
 * duration, stop and stint number.
 */
static void
car_laps_finish(struct car_lap *v, size_t n, const double cls[4])
{
	static const char *const mk[4] = { "time_mark", "s1_mark", "s2_mark", "s3_mark" };
	const char *who = NULL;
	double mine[4];
	int stint = 1;

	for (size_t j = 0; j < n; j++) {
		struct car_lap *l = &v[j];
		double dur = l->t[0];
		if (j == 0 || (who == NULL) != (l->driver == NULL) ||
		    (who != NULL && strcmp(who, l->driver) != 0)) {
			who = l->driver;
			car_driver_bests(v, n, who, mine);
		}
		for (int i = 0; i < 4; i++) {
			enum best_mark m = MARK_NONE;
			if (l->valid && l->t[0] > 0 && l->t[i] > 0) {
				if (l->t[i] == cls[i])
					m = MARK_CLASS;
				else if (l->t[i] == mine[i])
					m = MARK_DRIVER;
			}
			cJSON_AddStringToObject(l->o, mk[i], mark_names[m]);
		}
		int prev = j > 0 && v[j - 1].lap == l->lap - 1;
		json_add_time(l->o, "fuel_used", prev && v[j - 1].fuel - l->fuel >= 0 ?
		    v[j - 1].fuel - l->fuel : NAN);
		json_add_time(l->o, "ve_used", prev && v[j - 1].ve - l->ve >= 0 ? v[j - 1].ve - l->ve : NAN);
		if (!(dur > 0) && j + 1 < n && v[j + 1].lap == l->lap + 1)
			dur = v[j + 1].start - l->start;
		json_add_time(l->o, "duration", dur > 0 ? dur : NAN);
		cJSON_AddBoolToObject(l->o, "stop", l->stop);
		l->stint = stint;
		cJSON_AddNumberToObject(l->o, "stint", stint);
		if (l->pit || l->stop || (j + 1 < n && v[j + 1].driver && l->driver &&
		    strcmp(v[j + 1].driver, l->driver) != 0))
			stint++;
	}
}

/* The stints: laps between stops (or driver changes), with their figures. */
static cJSON *
car_stints(const struct car_lap *v, size_t n)
{
	cJSON	*arr = cJSON_CreateArray();
	size_t	 a = 0;

	while (arr != NULL && a < n) {
		size_t b = a, timed = 0;
		double sum = 0, best = NAN, fuel = 0, ve = 0;
		int have_fuel = 0, have_ve = 0;
		while (b + 1 < n && v[b + 1].stint == v[a].stint)
			b++;
		for (size_t j = a; j <= b; j++) {
			const struct car_lap *l = &v[j];
			double fu = view_num(l->o, "fuel_used"), vu = view_num(l->o, "ve_used");
			if (!isnan(fu)) {
				fuel += fu;
				have_fuel = 1;
			}
			if (!isnan(vu)) {
				ve += vu;
				have_ve = 1;
			}
			if (!l->valid || !(l->t[0] > 0))
				continue;
			if (isnan(best) || l->t[0] < best)
				best = l->t[0];
			/* the average leaves out the out-lap and the in-lap */
			if ((j == a && a > 0) || (j == b && (l->pit || l->stop)))
				continue;
			sum += l->t[0];
			timed++;
		}
		cJSON *s = cJSON_CreateObject(), *t;
		cJSON_AddItemToArray(arr, s);
		cJSON_AddNumberToObject(s, "stint", v[a].stint);
		if (v[a].driver)
			cJSON_AddStringToObject(s, "driver", v[a].driver);
		else
			cJSON_AddNullToObject(s, "driver");
		cJSON_AddNumberToObject(s, "first_lap", v[a].lap);
		cJSON_AddNumberToObject(s, "last_lap", v[b].lap);
		cJSON_AddNumberToObject(s, "laps", (double)(b - a + 1));
		json_add_time(s, "average", timed ? sum / (double)timed : NAN);
		json_add_time(s, "best", best);
		t = cJSON_GetObjectItemCaseSensitive(v[a].o, "tyres");
		if (cJSON_IsString(t))
			cJSON_AddStringToObject(s, "tyres", t->valuestring);
		else
			cJSON_AddNullToObject(s, "tyres");
		json_add_time(s, "fuel_used", have_fuel ? fuel : NAN);
		json_add_time(s, "ve_used", have_ve ? ve : NAN);
		a = b + 1;
	}
	return arr;
}

/* Driving time and laps per driver, in order of first appearance. */
static cJSON *
car_drivers(const struct car_lap *v, size_t n)
{
	cJSON	*arr = cJSON_CreateArray(), *d;
	double	 total = 0;

	for (size_t j = 0; arr != NULL && j < n; j++) {
		double dur = view_num(v[j].o, "duration");
		const char *name = v[j].driver ? v[j].driver : "";
		cJSON_ArrayForEach(d, arr)
			if (strcmp(cJSON_GetObjectItemCaseSensitive(d, "name")->valuestring, name) == 0)
				break;
		if (d == NULL) {
			d = cJSON_CreateObject();
			cJSON_AddItemToArray(arr, d);
			cJSON_AddStringToObject(d, "name", name);
			cJSON_AddNumberToObject(d, "laps", 0);
			cJSON_AddNumberToObject(d, "time", 0);
		}
		cJSON *l = cJSON_GetObjectItemCaseSensitive(d, "laps");
		cJSON_SetNumberValue(l, l->valuedouble + 1);
		if (!isnan(dur)) {
			cJSON *t = cJSON_GetObjectItemCaseSensitive(d, "time");
			cJSON_SetNumberValue(t, round((t->valuedouble + dur) * 1000) / 1000);
			total += dur;
		}
	}
	cJSON_ArrayForEach(d, arr) {
		double t = cJSON_GetObjectItemCaseSensitive(d, "time")->valuedouble;
		json_add_time(d, "share", total > 0 ? round(t / total * 1000) / 1000 : NAN);
	}
	return arr;
}

/* s as h:mm:ss into out. */
static void
drive_hms(double s, char *out, size_t outsz)
{
	long t = lround(s < 0 ? 0 : s);

	snprintf(out, outsz, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

/*
 * The drive-time rules of session id into r: the session's own (an admin
 * set them), else the configuration's; *source says which ("session",
 * "configuration", or "none"). Returns 1 or -1.
 */
static int
drive_rules_load(sqlite3 *db, const char *id, struct drive_rules *r, const char **source)
{
	sqlite3_stmt	*st;
	cJSON		*j = NULL;
	int		 rc;

	*r = *drive_defaults();
	*source = drive_rules_any(r) ? "configuration" : "none";
	if (sqlite3_prepare_v2(db, "SELECT drive_rules FROM sessions WHERE id = ?", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		j = cJSON_ParseWithLength((const char *)sqlite3_column_text(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (cJSON_IsObject(j)) {
		memset(r, 0, sizeof(*r));
		for (int i = 0; i < DRIVE_RULES_N; i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, drive_rule_keys[i]);
			if (cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 1e8)
				*drive_rule(r, i) = v->valuedouble;
		}
		*source = "session";
	}
	cJSON_Delete(j);
	return 1;
}

/* The rules in words, one item each, into arr. */
static void
drive_rules_words(const struct drive_rules *r, cJSON *arr)
{
	char a[32], b[32], t[128];

	if (r->min > 0) {
		drive_hms(r->min, a, sizeof(a));
		snprintf(t, sizeof(t), "each driver at least %s in all", a);
		cJSON_AddItemToArray(arr, cJSON_CreateString(t));
	}
	if (r->max > 0) {
		drive_hms(r->max, a, sizeof(a));
		snprintf(t, sizeof(t), "each driver at most %s in all", a);
		cJSON_AddItemToArray(arr, cJSON_CreateString(t));
	}
	if (r->window > 0 && r->window_max > 0) {
		drive_hms(r->window_max, a, sizeof(a));
		drive_hms(r->window, b, sizeof(b));
		snprintf(t, sizeof(t), "at most %s inside any %s", a, b);
		cJSON_AddItemToArray(arr, cJSON_CreateString(t));
	}
	if (r->stint > 0) {
		drive_hms(r->stint, a, sizeof(a));
		snprintf(t, sizeof(t), "at most %s in one stint", a);
		cJSON_AddItemToArray(arr, cJSON_CreateString(t));
	}
}

/* Adds key: x, or null when x is NAN (a rule that does not apply). */
static void
drive_num(cJSON *o, const char *key, double x)
{
	if (isnan(x))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, round(x * 1000) / 1000);
}

static void
drive_tristate(cJSON *o, const char *key, int v)
{
	if (v < 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddBoolToObject(o, key, v);
}

/*
 * The car's drive time (lib/drive.h) as the page and the API show it:
 * the rules and where they come from, each driver's stints and totals
 * against them, the stints. session is the page's session object, car
 * the car's entry, v the laps. Returns a new object, or NULL on an SQLite
 * error or out of memory.
 */
static cJSON *
car_drive(sqlite3 *db, const char *id, long long carid, const cJSON *session, const cJSON *car,
    const struct car_lap *v, size_t n)
{
	static const char *const sk[3] = { "s1_driver", "s2_driver", "s3_driver" };
	sqlite3_stmt		*st = NULL;
	struct drive_rules	 rules;
	struct drive_in		 in;
	struct drive_out	 out = { 0 };
	struct drive_lap	*dl = NULL;
	struct drive_pit	*dp = NULL;
	const char		**roster = NULL, *source;
	cJSON			*keep = cJSON_CreateArray(), *o = NULL, *arr, *el, *x;
	size_t			 np = 0, nr = 0, cap;
	int			 rc, race, live;

	if (keep == NULL || drive_rules_load(db, id, &rules, &source) < 0)
		goto fail;
	x = cJSON_GetObjectItemCaseSensitive(session, "type");
	race = cJSON_IsString(x) && hist_kind(x->valuestring) == SK_RACE;
	live = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(session, "live"));

	if (n > 0 && (dl = calloc(n, sizeof(*dl))) == NULL)
		goto fail;
	for (size_t j = 0; j < n; j++) {
		dl[j].lap = v[j].lap;
		dl[j].start_et = isnan(v[j].start) ? -1 : v[j].start;
		dl[j].time = v[j].t[0] > 0 ? v[j].t[0] : -1;
		dl[j].driver = v[j].driver;
		for (int k = 0; k < 3; k++)
			dl[j].s[k] = v[j].t[k + 1] > 0 ? v[j].t[k + 1] : -1;
	}
	/* who drove each sector of a swap lap; keep owns the names */
	if (sqlite3_prepare_v2(db, "SELECT lap, s1_driver, s2_driver, s3_driver FROM laps WHERE "
	    "car_id = ? AND coalesce(s1_driver, s2_driver, s3_driver) IS NOT NULL ORDER BY lap",
	    -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, carid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int lap = sqlite3_column_int(st, 0);
		if ((el = view_row_json(st)) == NULL)
			goto fail;
		cJSON_AddItemToArray(keep, el);
		for (size_t j = 0; j < n; j++) {
			if (dl[j].lap != lap)
				continue;
			for (int k = 0; k < 3; k++) {
				x = cJSON_GetObjectItemCaseSensitive(el, sk[k]);
				dl[j].sdriver[k] = cJSON_IsString(x) ? x->valuestring : NULL;
			}
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto fail;
	/* the driver changes with their time */
	if (sqlite3_prepare_v2(db, "SELECT swap_time, driver_out, driver_in FROM pits WHERE "
	    "car_id = ? AND swap_time IS NOT NULL AND driver_out IS NOT NULL AND driver_in IS NOT "
	    "NULL ORDER BY swap_time", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, carid);
	cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (np == cap) {
			struct drive_pit *nv = realloc(dp, (cap = cap ? cap * 2 : 8) * sizeof(*nv));
			if (nv == NULL)
				goto fail;
			dp = nv;
		}
		if ((el = view_row_json(st)) == NULL)
			goto fail;
		cJSON_AddItemToArray(keep, el);
		dp[np].swap_time = sqlite3_column_double(st, 0);
		dp[np].driver_out = cJSON_GetObjectItemCaseSensitive(el, "driver_out")->valuestring;
		dp[np].driver_in = cJSON_GetObjectItemCaseSensitive(el, "driver_in")->valuestring;
		np++;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto fail;
	/* the entry's drivers, who may not have driven yet */
	if (sqlite3_prepare_v2(db, "SELECT m.name FROM entries e JOIN entry_members m ON "
	    "m.session_id = e.session_id AND m.utid = e.utid WHERE e.session_id = ?1 AND "
	    "e.car_id = ?2 AND (m.roles IS NULL OR m.roles LIKE '%D%') ORDER BY m.name", -1, &st,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, carid);
	cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nr == cap) {
			const char **nv = realloc(roster, (cap = cap ? cap * 2 : 8) * sizeof(*nv));
			if (nv == NULL)
				goto fail;
			roster = nv;
		}
		if ((el = view_row_json(st)) == NULL)
			goto fail;
		cJSON_AddItemToArray(keep, el);
		x = cJSON_GetObjectItemCaseSensitive(el, "name");
		roster[nr++] = cJSON_IsString(x) ? x->valuestring : NULL;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto fail;

	memset(&in, 0, sizeof(in));
	in.laps = dl;
	in.nlaps = n;
	in.pits = dp;
	in.npits = np;
	in.roster = roster;
	in.nroster = nr;
	in.rules = race ? &rules : NULL;
	x = cJSON_GetObjectItemCaseSensitive(session, "et");
	in.now = cJSON_IsNumber(x) ? x->valuedouble : -1;
	in.last_end = -1;
	if (sqlite3_prepare_v2(db, "SELECT lap_start_et FROM car_state WHERE car_id = ? AND "
	    "lap_start_et > 0", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, carid);
	if (sqlite3_step(st) == SQLITE_ROW)
		in.last_end = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	in.finished = !live || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(session, "finished"));
	x = cJSON_GetObjectItemCaseSensitive(session, "remaining");
	in.remaining = in.finished ? 0 : cJSON_IsNumber(x) ? x->valuedouble : -1;
	x = cJSON_GetObjectItemCaseSensitive(car, "status");
	/* running or in the pit lane: the driver is in the car */
	if (live && cJSON_IsString(x) &&
	    (strcmp(x->valuestring, car_status_names[CST_RUNNING]) == 0 ||
	    strcmp(x->valuestring, car_status_names[CST_PIT]) == 0)) {
		x = cJSON_GetObjectItemCaseSensitive(car, "driver");
		in.current = cJSON_IsString(x) && *x->valuestring ? x->valuestring : NULL;
	}
	if (drive_compute(&in, &out) < 0)
		goto fail;

	o = cJSON_CreateObject();
	x = cJSON_AddObjectToObject(o, "rules");
	for (int i = 0; i < DRIVE_RULES_N; i++)
		drive_num(x, drive_rule_keys[i], *drive_rule(&rules, i) > 0 ?
		    *drive_rule(&rules, i) : NAN);
	cJSON_AddStringToObject(o, "rules_source", source);
	cJSON_AddStringToObject(o, "rules_from", strcmp(source, "session") == 0 ?
	    "set for this session" : "the server's defaults");
	cJSON_AddBoolToObject(o, "rules_apply", race && drive_rules_any(&rules));
	drive_rules_words(&rules, cJSON_AddArrayToObject(o, "rules_text"));
	cJSON_AddNumberToObject(o, "warn_share", DRIVE_WARN_SHARE);
	cJSON_AddNumberToObject(o, "warn_min", DRIVE_WARN_MIN);
	arr = cJSON_AddArrayToObject(o, "drivers");
	for (size_t i = 0; i < out.ndrivers; i++) {
		const struct drive_driver *d = &out.drivers[i];
		el = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, el);
		cJSON_AddStringToObject(el, "name", d->name);
		cJSON_AddNumberToObject(el, "stints", d->stints);
		cJSON_AddNumberToObject(el, "laps", d->laps);
		drive_num(el, "total", d->total);
		drive_num(el, "longest", d->stints > 0 ? d->longest : NAN);
		drive_num(el, "current", d->current >= 0 ? d->current : NAN);
		drive_num(el, "owed", d->owed >= 0 ? d->owed : NAN);
		drive_num(el, "allowance", d->allowance);
		drive_num(el, "over_by", d->allowance < 0 ? -d->allowance : NAN);
		drive_num(el, "window_most", d->window_most);
		drive_num(el, "window_now", d->window_now);
		drive_num(el, "window_left", d->window_left);
		drive_num(el, "stint_left", d->stint_left);
		drive_tristate(el, "can_make", d->owed > 0 ? d->can_make : -1);
		cJSON_AddStringToObject(el, "status", drive_status_names[d->status]);
		cJSON_AddStringToObject(el, "why", d->why);
		cJSON_AddBoolToObject(el, "warning", d->status == DRIVE_WARNING);
		cJSON_AddBoolToObject(el, "over", d->status == DRIVE_OVER);
	}
	if (hist_known_mark(db, arr, "name") < 0)
		goto fail;
	arr = cJSON_AddArrayToObject(o, "stints");
	for (size_t i = 0; i < out.nstints; i++) {
		const struct drive_stint *s = &out.stints[i];
		el = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, el);
		cJSON_AddStringToObject(el, "driver", s->driver);
		drive_num(el, "start", s->start);
		drive_num(el, "end", s->end);
		drive_num(el, "duration", s->duration);
		cJSON_AddNumberToObject(el, "first_lap", s->first_lap);
		cJSON_AddNumberToObject(el, "last_lap", s->last_lap);
		cJSON_AddNumberToObject(el, "laps", s->laps);
		cJSON_AddBoolToObject(el, "current", s->current);
	}
	drive_num(o, "owed", in.rules != NULL && rules.min > 0 ? out.owed : NAN);
	drive_num(o, "remaining", in.remaining >= 0 ? in.remaining : NAN);
	drive_tristate(o, "can_make", out.owed > 0 ? out.can_make : -1);
	cJSON_AddStringToObject(o, "status", drive_status_names[out.status]);
	cJSON_AddBoolToObject(o, "finished", in.finished);
	cJSON_AddBoolToObject(o, "short_time", !in.finished && out.owed > 0 && out.can_make == 0);
	drive_free(&out);
	free(dl);
	free(dp);
	free(roster);
	cJSON_Delete(keep);
	return o;
fail:
	sqlite3_finalize(st);
	drive_free(&out);
	free(dl);
	free(dp);
	free(roster);
	cJSON_Delete(keep);
	cJSON_Delete(o);
	return NULL;
}

static double
chart_x(double lap, double lo, double hi)
{
	double w = CHART_W - CHART_LEFT - CHART_RIGHT;

	return CHART_LEFT + (hi > lo ? (lap - lo) / (hi - lo) * w : w / 2);
}

static double
chart_y(double t, double lo, double hi)
{
	double h = CHART_H - CHART_TOP - CHART_BOTTOM;

	if (t > hi)
		t = hi;
	return CHART_TOP + (hi > lo ? (hi - t) / (hi - lo) * h : h / 2);
}

/*
 * The lap-time chart: one series per stint ("points" for a polyline and
 * "dots"), axis ticks, the viewBox size. Valid timed laps only; laps slower
 * than CHART_SPREAD times the best are drawn at the top edge. NULL when no
 * lap is valid and timed.
 */
static cJSON *
car_chart(const struct car_lap *v, size_t n)
{
	double	 best = NAN, worst = NAN, lo, hi, xlo = NAN, xhi = NAN;
	cJSON	*o, *series, *ticks, *s = NULL;
	struct buf pts = { 0 };
	int	 cur = 0;

	for (size_t j = 0; j < n; j++) {
		if (!v[j].valid || !(v[j].t[0] > 0))
			continue;
		if (isnan(best) || v[j].t[0] < best)
			best = v[j].t[0];
		if (isnan(worst) || v[j].t[0] > worst)
			worst = v[j].t[0];
		if (isnan(xlo))
			xlo = v[j].lap;
		xhi = v[j].lap;
	}
	if (isnan(best))
		return NULL;
	/* whole-second ticks: the range is a multiple of the tick count */
	lo = floor(best - 0.5);
	hi = lo + ceil((fmin(worst, best * CHART_SPREAD) + 0.5 - lo) / (CHART_YTICKS - 1)) *
	    (CHART_YTICKS - 1);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "width", CHART_W);
	cJSON_AddNumberToObject(o, "height", CHART_H);
	cJSON_AddNumberToObject(o, "left", CHART_LEFT);
	cJSON_AddNumberToObject(o, "right", CHART_W - CHART_RIGHT);
	cJSON_AddNumberToObject(o, "top", CHART_TOP);
	cJSON_AddNumberToObject(o, "bottom", CHART_H - CHART_BOTTOM);
	ticks = cJSON_AddArrayToObject(o, "yticks");
	for (int i = 0; i < CHART_YTICKS; i++) {
		double t = lo + (hi - lo) * i / (CHART_YTICKS - 1);
		cJSON *k = cJSON_CreateObject();
		cJSON_AddItemToArray(ticks, k);
		json_add_time(k, "time", t);
		cJSON_AddNumberToObject(k, "y", round(chart_y(t, lo, hi) * 10) / 10);
	}
	ticks = cJSON_AddArrayToObject(o, "xticks");
	int step = (int)ceil((xhi - xlo + 1) / 10.0);
	for (int lap = (int)xlo; step > 0 && lap <= (int)xhi; lap += step) {
		cJSON *k = cJSON_CreateObject();
		cJSON_AddItemToArray(ticks, k);
		cJSON_AddNumberToObject(k, "lap", lap);
		cJSON_AddNumberToObject(k, "x", round(chart_x(lap, xlo, xhi) * 10) / 10);
	}
	series = cJSON_AddArrayToObject(o, "series");
	for (size_t j = 0; j <= n; j++) {
		if (j < n && (!v[j].valid || !(v[j].t[0] > 0)))
			continue;
		if (s != NULL && (j == n || v[j].stint != cur)) {
			cJSON_AddStringToObject(s, "points", pts.p ? pts.p : "");
			buf_reset(&pts);
			s = NULL;
		}
		if (j == n)
			break;
		if (s == NULL) {
			s = cJSON_CreateObject();
			cJSON_AddItemToArray(series, s);
			cur = v[j].stint;
			cJSON_AddNumberToObject(s, "stint", cur);
			cJSON_AddNumberToObject(s, "colour", (cur - 1) % 6);
			cJSON_AddArrayToObject(s, "dots");
		}
		double x = chart_x(v[j].lap, xlo, xhi), y = chart_y(v[j].t[0], lo, hi);
		buf_printf(&pts, "%s%.1f,%.1f", pts.len ? " " : "", x, y);
		cJSON *d = cJSON_CreateObject();
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(s, "dots"), d);
		cJSON_AddNumberToObject(d, "lap", v[j].lap);
		json_add_time(d, "time", v[j].t[0]);
		cJSON_AddNumberToObject(d, "x", round(x * 10) / 10);
		cJSON_AddNumberToObject(d, "y", round(y * 10) / 10);
		cJSON_AddBoolToObject(d, "clipped", v[j].t[0] > hi);
	}
	buf_free(&pts);
	return o;
}

/*
 * Everything the car page shows. Returns a new object (caller frees), or
 * NULL after answering an error.
 */
static cJSON *
car_load(struct req *req, struct resp *resp)
{
	static const char *const lap_bools[] = { "valid", "pit", "sectors_derived" };
	const char	*id = hist_session_arg(req, resp);
	sqlite3_stmt	*st = NULL;
	struct car_lap	*v = NULL;
	size_t		 n = 0, cap = 0;
	cJSON		*o = NULL, *car = NULL, *laps, *pits, *el;
	long long	 carid;
	double		 cls[4];
	int		 rc, has_cuts = 0;

	if (id == NULL || (o = hist_session(req, resp, id)) == NULL)
		return NULL;
	if (!hist_car(req, resp, id, &car)) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddItemToObject(o, "car", car);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "laps");	/* the session's count */
	carid = (long long)cJSON_GetObjectItemCaseSensitive(car, "car")->valuedouble;
	pits = cJSON_AddArrayToObject(o, "pits");
	laps = cJSON_AddArrayToObject(o, "laps");
	if (pits_load(req->db, id, carid, pits) < 0 ||
	    car_class_bests(req->db, id, car, cls) < 0 ||
	    sqlite3_prepare_v2(req->db, "SELECT lap, time, s1, s2, s3, driver, valid, pit, "
	    "position, fuel, ve, tyres, start_et, source, cuts, collisions, sectors_derived FROM "
	    "laps WHERE car_id = ? ORDER BY lap",
	    -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_int64(st, 1, carid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			struct car_lap *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*nv));
			if (nv == NULL)
				goto dberr;
			v = nv;
		}
		struct car_lap *l = &v[n++];
		memset(l, 0, sizeof(*l));
		if ((l->o = view_row_json(st)) == NULL)
			goto dberr;
		cJSON_AddItemToArray(laps, l->o);
		l->lap = sqlite3_column_int(st, 0);
		for (int i = 0; i < 4; i++)
			l->t[i] = view_num(l->o, i == 0 ? "time" : i == 1 ? "s1" : i == 2 ? "s2" : "s3");
		l->valid = sqlite3_column_int(st, 6);
		l->pit = sqlite3_column_int(st, 7);
		l->fuel = view_num(l->o, "fuel");
		l->ve = view_num(l->o, "ve");
		l->start = view_num(l->o, "start_et");
		/* cuts and collisions (AC): a column when any lap knows them */
		if (sqlite3_column_type(st, 14) != SQLITE_NULL || sqlite3_column_type(st, 15) != SQLITE_NULL)
			has_cuts = 1;
		cJSON *d = cJSON_GetObjectItemCaseSensitive(l->o, "driver");
		l->driver = cJSON_IsString(d) ? d->valuestring : NULL;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	/* a lap with a pit row: a stop, or a garage visit */
	cJSON_ArrayForEach(el, pits) {
		int lap = (int)cJSON_GetObjectItemCaseSensitive(el, "lap")->valuedouble;
		for (size_t j = 0; j < n; j++)
			if (v[j].lap == lap) {
				v[j].stop = 1;
				if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(el, "garage")) &&
				    cJSON_GetObjectItemCaseSensitive(v[j].o, "garage") == NULL)
					cJSON_AddTrueToObject(v[j].o, "garage");
			}
	}
	car_laps_finish(v, n, cls);
	cJSON_ArrayForEach(el, laps)
		view_bools(el, lap_bools, 3);
	cJSON_AddBoolToObject(o, "has_cuts", has_cuts);
	cJSON *bests = cJSON_AddObjectToObject(o, "class_bests");
	json_add_time(bests, "time", cls[0]);
	json_add_time(bests, "s1", cls[1]);
	json_add_time(bests, "s2", cls[2]);
	json_add_time(bests, "s3", cls[3]);
	cJSON_AddItemToObject(o, "stints", car_stints(v, n));
	cJSON *drivers = car_drivers(v, n);
	cJSON_AddItemToObject(o, "drivers", drivers);
	if (hist_known_mark(req->db, drivers, "name") < 0)
		goto dberr;
	cJSON *drive = car_drive(req->db, id, carid, o, car, v, n);
	if (drive == NULL)
		goto dberr;
	cJSON_AddItemToObject(o, "drive_time", drive);
	cJSON *chart = car_chart(v, n);
	if (chart != NULL)
		cJSON_AddItemToObject(o, "chart", chart);
	else
		cJSON_AddNullToObject(o, "chart");
	sqlite3_finalize(st);
	free(v);
	return o;
dberr:
	log_err("car %s: %s", id, sqlite3_errmsg(req->db));
	resp_error(resp, 503, "unavailable", "The car cannot be read now.");
	sqlite3_finalize(st);
	free(v);
	cJSON_Delete(o);
	return NULL;
}

void
h_car_api(struct req *req, struct resp *resp)
{
	hist_answer(req, resp, car_load(req, resp), 1, NULL, NULL);
}

void
h_car_page(struct req *req, struct resp *resp)
{
	hist_answer(req, resp, car_load(req, resp), 0, "car", NULL);
}
