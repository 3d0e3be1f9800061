/*
 * GET /sessions/{id}/log and /api/v1/sessions/{id}/log: the race control
 * log of a session (pit stops, swaps, penalties, flags, lead changes, as
 * ingest/racelog.c derives them), in time order, filtered by class and
 * cars. The session page's "My team" panel: GET /api/v1/sessions/{id}/pins
 * and the ?pin= fallback of the session page (pins_add).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "tmpl.h"
#include "view.h"

#define LOG_MAX		20000	/* entries a page shows, the newest */
#define LOG_CARS_MAX	64	/* car= a request may name */
#define PINS_MAX	16	/* cars the My team panel follows */
#define PINS_TREND_LAPS	5	/* laps the gap trend looks back */
#define LOG_TICKER	8	/* entries the session page shows */

/* What the badge of each kind says and how it is styled (static/log.js has the same). */
static const struct {
	const char	*kind;
	const char	*badge;		/* CSS: badge-<badge> */
	const char	*label;
} log_kinds[] = {
	{ "session", "phase", "session" }, { "phase", "phase", "phase" },
	{ "fcy", "flag", "FCY" }, { "fcy_end", "flag", "green" },
	{ "yellow", "flag", "yellow" }, { "yellow_clear", "flag", "clear" },
	{ "pit_in", "pit", "pit in" }, { "pit_out", "pit", "pit out" },
	{ "stop", "stop", "stop" }, { "garage_in", "pit", "garage" },
	{ "garage_out", "pit", "garage out" }, { "swap", "swap", "swap" },
	{ "penalty", "penalty", "penalty" }, { "penalty_served", "penalty", "served" },
	{ "retired", "retired", "retired" }, { "dq", "retired", "DQ" },
	{ "finish", "flag", "finish" }, { "fastest_lap", "fastest", "fastest" },
	{ "lead", "lead", "lead" },
};

/*
 * Adds what a page shows of a log entry: "badge" and "badge_label" from
 * its kind, "cls_key" from its class, and "car_name" (team, else vehicle).
 */
static void
log_decorate(cJSON *e)
{
	const cJSON	*k = cJSON_GetObjectItemCaseSensitive(e, "kind");
	const cJSON	*c = cJSON_GetObjectItemCaseSensitive(e, "class");
	const cJSON	*team = cJSON_GetObjectItemCaseSensitive(e, "team");
	const cJSON	*veh = cJSON_GetObjectItemCaseSensitive(e, "vehicle");
	const char	*badge = "other", *label = cJSON_IsString(k) ? k->valuestring : "";
	char		 key[64];

	for (size_t i = 0; cJSON_IsString(k) && i < sizeof(log_kinds) / sizeof(log_kinds[0]); i++)
		if (strcmp(log_kinds[i].kind, k->valuestring) == 0) {
			badge = log_kinds[i].badge;
			label = log_kinds[i].label;
			break;
		}
	cJSON_AddStringToObject(e, "badge", badge);
	cJSON_AddStringToObject(e, "badge_label", label);
	standings_class_key(cJSON_IsString(c) ? c->valuestring : NULL, key, sizeof(key));
	cJSON_AddStringToObject(e, "cls_key", key);
	if (cJSON_IsString(team) && team->valuestring[0] != '\0')
		cJSON_AddStringToObject(e, "car_name", team->valuestring);
	else if (cJSON_IsString(veh))
		cJSON_AddStringToObject(e, "car_name", veh->valuestring);
}

/*
 * The filter of the request: ?class= (text) and every ?car= (cars.id) as a
 * JSON array text in *cars (NULL when none; the caller frees it). Returns
 * 1, or 0 after answering 400.
 */
static int
log_filter(struct req *req, struct resp *resp, const char **cls, char **cars)
{
	struct buf	 b = { 0 };
	size_t		 n = 0;
	long long	 car;

	*cars = NULL;
	if (!hist_param_text(req, resp, "class", 64, cls))
		return 0;
	if (*cls != NULL && (*cls)[0] == '\0')
		*cls = NULL;
	for (size_t i = 0; i < req->nparams; i++) {
		if (strcmp(req->params[i].key, "car") != 0 || req->params[i].val[0] == '\0')
			continue;
		if (!num_parse_ll(req->params[i].val, 1, (1LL << 53), &car)) {
			resp_error(resp, 400, "bad_parameter", "car is not a car id.");
			buf_free(&b);
			return 0;
		}
		if (++n > LOG_CARS_MAX) {
			resp_error(resp, 400, "bad_parameter", "At most %d cars.", LOG_CARS_MAX);
			buf_free(&b);
			return 0;
		}
		if (buf_printf(&b, "%c%lld", n == 1 ? '[' : ',', car) < 0) {
			resp_error(resp, 503, "unavailable", "Out of memory.");
			buf_free(&b);
			return 0;
		}
	}
	if (n > 0) {
		if (buf_putc(&b, ']') < 0 || buf_putc(&b, '\0') < 0) {
			resp_error(resp, 503, "unavailable", "Out of memory.");
			buf_free(&b);
			return 0;
		}
		*cars = b.p;
	}
	return 1;
}

/*
 * The log of session id as an array of entries (lib/view.c's shape with
 * the car's "team" and "vehicle"), the newest LOG_MAX in time order. A
 * class or car filter keeps the entries of the whole session (flags,
 * phases): they concern every car. NULL after answering 503.
 */
static cJSON *
log_load(struct req *req, struct resp *resp, const char *id, const char *cls, const char *cars)
{
	sqlite3_stmt	*st;
	cJSON		*arr, *e;

	if (sqlite3_prepare_v2(req->db, "SELECT et, at, kind, car, number, class, lap, driver, "
	    "text, data, team, vehicle FROM (SELECT r.id, r.et, r.at, r.kind, "
	    "NULLIF(r.car_id, 0) AS car, r.number, r.class, r.lap, r.driver, r.text, r.data, "
	    "c.team, c.vehicle_name AS vehicle FROM race_log r LEFT JOIN cars c ON c.id = r.car_id "
	    "WHERE r.session_id = ?1 AND (r.car_id = 0 OR ((?2 IS NULL OR r.class = ?2) AND "
	    "(?3 IS NULL OR r.car_id IN (SELECT value FROM json_each(?3))))) "
	    "ORDER BY r.et DESC, r.id DESC LIMIT ?4) ORDER BY et, id", -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (cls != NULL)
		sqlite3_bind_text(st, 2, cls, -1, SQLITE_STATIC);
	if (cars != NULL)
		sqlite3_bind_text(st, 3, cars, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, LOG_MAX);
	if ((arr = cJSON_CreateArray()) == NULL || json_rows(st, arr) < 0) {
		cJSON_Delete(arr);
		goto dberr;
	}
	sqlite3_finalize(st);
	cJSON_ArrayForEach(e, arr)
		view_log_entry(e);
	return arr;
dberr:
	log_err("log %s: %s", id, sqlite3_errmsg(req->db));
	resp_error(resp, 503, "unavailable", "The race control log cannot be read now.");
	sqlite3_finalize(st);
	return NULL;
}

/*
 * The filter form's choices: "class_options" (each {"class", "selected"})
 * and "car_options" (each {"car", "number", "name", "class", "selected"}),
 * "multi_car" when several cars are chosen. Returns 1 or -1.
 */
static int
log_options(struct req *req, cJSON *o, const char *id, const char *cls, const char *cars)
{
	sqlite3_stmt	*st = NULL;
	cJSON		*arr, *el, *sel = cars ? cJSON_Parse(cars) : NULL;
	int		 rc;

	if (sqlite3_prepare_v2(req->db, "SELECT DISTINCT class FROM cars WHERE session_id = ? "
	    "AND class IS NOT NULL AND class <> '' ORDER BY class", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((arr = cJSON_AddArrayToObject(o, "class_options")) == NULL || json_rows(st, arr) < 0)
		goto fail;
	cJSON_ArrayForEach(el, arr) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(el, "class");
		cJSON_AddBoolToObject(el, "selected", cls != NULL && cJSON_IsString(c) &&
		    strcmp(c->valuestring, cls) == 0);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(req->db, "SELECT id AS car, number, coalesce(NULLIF(team, ''), "
	    "vehicle_name) AS name, class FROM cars WHERE session_id = ? "
	    "ORDER BY CAST(number AS INTEGER), number, slot, id", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((arr = cJSON_AddArrayToObject(o, "car_options")) == NULL || json_rows(st, arr) < 0)
		goto fail;
	cJSON_ArrayForEach(el, arr) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(el, "car"), *s;
		int on = 0;
		cJSON_ArrayForEach(s, sel)
			on |= cJSON_IsNumber(c) && s->valuedouble == c->valuedouble;
		cJSON_AddBoolToObject(el, "selected", on);
	}
	cJSON_AddBoolToObject(o, "multi_car", cJSON_GetArraySize(sel) > 1);
	rc = 1;
	goto out;
fail:
	log_err("log %s: %s", id, sqlite3_errmsg(req->db));
	rc = -1;
out:
	sqlite3_finalize(st);
	cJSON_Delete(sel);
	return rc;
}

void
h_log_page(struct req *req, struct resp *resp)
{
	const char	*cls;
	char		*cars = NULL;
	cJSON		*o, *arr, *rev, *e;
	int		 filtered;

	if (!log_filter(req, resp, &cls, &cars)) {
		page_error(req, resp);
		return;
	}
	if ((o = session_page_load(req, resp, "Race control")) == NULL) {
		free(cars);
		return;
	}
	if ((arr = log_load(req, resp, req->args[0], cls, cars)) == NULL ||
	    log_options(req, o, req->args[0], cls, cars) < 0) {
		if (arr != NULL)
			resp_error(resp, 503, "unavailable", "The race control log cannot be read now.");
		cJSON_Delete(arr);
		cJSON_Delete(o);
		free(cars);
		page_error(req, resp);
		return;
	}
	filtered = cls != NULL || cars != NULL;
	free(cars);
	/* the page reads newest first, as race control is followed */
	if ((rev = cJSON_CreateArray()) == NULL) {
		cJSON_Delete(arr);
		cJSON_Delete(o);
		resp_error(resp, 503, "unavailable", "Out of memory.");
		page_error(req, resp);
		return;
	}
	while ((e = cJSON_DetachItemFromArray(arr, 0)) != NULL) {
		log_decorate(e);
		if (rev->child == NULL)
			cJSON_AddItemToArray(rev, e);
		else
			cJSON_InsertItemInArray(rev, 0, e);
	}
	cJSON_Delete(arr);
	cJSON_ReplaceItemInObjectCaseSensitive(o, "log", rev);
	cJSON_AddBoolToObject(o, "filtered", filtered);
	resp_page(req, resp, "log", o);
	cJSON_Delete(o);
}

void
h_log_api(struct req *req, struct resp *resp)
{
	const char	*cls;
	char		*cars = NULL;
	cJSON		*s, *o, *arr, *e;

	if ((s = session_api_load(req, resp)) == NULL)
		return;
	cJSON_Delete(s);
	if (!log_filter(req, resp, &cls, &cars))
		return;
	arr = log_load(req, resp, req->args[0], cls, cars);
	free(cars);
	if (arr == NULL)
		return;
	cJSON_ArrayForEach(e, arr) {
		cJSON_DeleteItemFromObjectCaseSensitive(e, "team");
		cJSON_DeleteItemFromObjectCaseSensitive(e, "vehicle");
	}
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "log", arr);
	resp_json(resp, 200, o);
	cJSON_Delete(o);
}

static int
pins_same_class(const cJSON *a, const cJSON *b)
{
	const char *ca = view_str(a, "class"), *cb = view_str(b, "class");

	return (ca == NULL && cb == NULL) || (ca != NULL && cb != NULL && strcmp(ca, cb) == 0);
}

/*
 * The standings row of the car in class position pos of row's class, or
 * NULL.
 */
static const cJSON *
pins_at(const cJSON *rows, const cJSON *row, double pos)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, rows)
		if (pins_same_class(r, row) && view_num(r, "class_position") == pos)
			return r;
	return NULL;
}

/*
 * How far car `behind` is from car `ahead` in the standings: in a race
 * their class gaps (seconds, or whole laps when they are on different
 * laps), else their best laps. Sets *secs (NAN when unknown) and *laps.
 */
static void
pins_gap(const cJSON *ahead, const cJSON *behind, int race, double *secs, int *laps)
{
	*laps = 0;
	*secs = NAN;
	if (!race) {
		double a = view_num(ahead, "best"), b = view_num(behind, "best");
		if (a > 0 && b > 0)
			*secs = b - a;
		return;
	}
	double la = view_num(ahead, "class_gap_laps"), lb = view_num(behind, "class_gap_laps");
	if (isnan(la))
		la = 0;
	if (isnan(lb))
		lb = 0;
	if (lb != la) {
		*laps = (int)(lb - la);
		return;
	}
	double ga = view_num(ahead, "class_gap"), gb = view_num(behind, "class_gap");
	if (view_num(ahead, "class_position") == 1)
		ga = 0;
	if (!isnan(ga) && !isnan(gb))
		*secs = gb - ga;
}

/*
 * The change of the gap between cars a (ahead) and b (behind) per lap
 * over their last PINS_TREND_LAPS common laps: the gap at the end of a lap
 * is when b finished it less when a did (lap start ET plus lap time, or
 * the next lap's start). Positive: b loses ground. Sets *trend (NAN when
 * fewer than two common laps are known). Returns 1 or -1.
 */
static int
pins_trend(sqlite3_stmt *st, long long a, long long b, double *trend)
{
	double	 gaps[PINS_TREND_LAPS];
	int	 n = 0, rc;

	*trend = NAN;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	sqlite3_bind_int(st, 3, PINS_TREND_LAPS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < PINS_TREND_LAPS)
		gaps[n++] = sqlite3_column_double(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (n >= 2)	/* newest first */
		*trend = (gaps[0] - gaps[n - 1]) / (n - 1);
	return 1;
}

/*
 * One neighbour of a pinned car as the panel shows it: {"car", "number",
 * "name", "driver", "gap" (s or null), "gap_laps", "trend" (s/lap, >0 the
 * gap grows, or null), "trend_dir" (closing, opening, steady or "")}.
 */
static cJSON *
pins_side(const cJSON *other, double secs, int laps, double trend)
{
	cJSON		*o = cJSON_CreateObject();
	const char	*team = view_str(other, "team"), *dir = "";

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "car", view_num(other, "car"));
	cJSON_AddStringToObject(o, "number", view_str(other, "number") ? view_str(other, "number") : "");
	cJSON_AddStringToObject(o, "name", team && team[0] ? team :
	    view_str(other, "vehicle") ? view_str(other, "vehicle") : "");
	cJSON_AddStringToObject(o, "driver", view_str(other, "driver") ? view_str(other, "driver") : "");
	if (isnan(secs))
		cJSON_AddNullToObject(o, "gap");
	else
		cJSON_AddNumberToObject(o, "gap", round(secs * 1000) / 1000);
	cJSON_AddNumberToObject(o, "gap_laps", laps);
	if (isnan(trend))
		cJSON_AddNullToObject(o, "trend");
	else {
		cJSON_AddNumberToObject(o, "trend", round(trend * 1000) / 1000);
		dir = fabs(trend) < 0.05 ? "steady" : trend > 0 ? "opening" : "closing";
	}
	cJSON_AddStringToObject(o, "trend_dir", dir);
	return o;
}

/* Writes a gap as the panel shows it: "+1.234", "+1:02.345", "+2 laps", "". */
static void
pins_gap_text(cJSON *side)
{
	double	 g = view_num(side, "gap"), laps = view_num(side, "gap_laps");
	double	 t = view_num(side, "trend");
	char	 tmp[48], txt[32];

	if (laps != 0 && !isnan(laps))
		snprintf(tmp, sizeof(tmp), "+%.0f lap%s", fabs(laps), fabs(laps) == 1 ? "" : "s");
	else if (!isnan(g)) {
		tmpl_time(txt, sizeof(txt), fabs(g));
		snprintf(tmp, sizeof(tmp), "%s%s", g < 0 ? "-" : "+", txt);
	} else
		tmp[0] = '\0';
	cJSON_AddStringToObject(side, "gap_text", tmp);
	if (isnan(t))
		tmp[0] = '\0';
	else
		snprintf(tmp, sizeof(tmp), "%s %.2f s/lap", fabs(t) < 0.05 ? "steady" :
		    t > 0 ? "opening" : "closing", fabs(t));
	cJSON_AddStringToObject(side, "trend_text", tmp);
}

/*
 * The My team panel of a session view for the cars (cars.id) in ids:
 * "pins", one object per pinned car in the standings, each {"car",
 * "number", "name", "class", "cls_key", "driver", "position",
 * "class_position", "ahead", "behind"} (see pins_side, with "gap_text" and
 * "trend_text"; null when there is none).
 * Returns 1 or -1.
 */
static int
pins_build(struct req *req, cJSON *session, const long long *ids, size_t n)
{
	const cJSON	*rows = cJSON_GetObjectItemCaseSensitive(session, "standings"), *r;
	const cJSON	*kind = cJSON_GetObjectItemCaseSensitive(session, "kind");
	cJSON		*pins = cJSON_AddArrayToObject(session, "pins");
	sqlite3_stmt	*st;
	int		 race = cJSON_IsString(kind) && strcmp(kind->valuestring, "race") == 0;
	char		 key[64];

	if (pins == NULL)
		return -1;
	/* the gap b - a at the end of each lap both finished, newest first */
	if (sqlite3_prepare_v2(req->db, "WITH x AS (SELECT l.car_id, l.lap, "
	    "coalesce((SELECT n.start_et FROM laps n WHERE n.car_id = l.car_id AND "
	    "n.lap = l.lap + 1), l.start_et + l.time) AS t FROM laps l "
	    "WHERE l.car_id IN (?1, ?2)) "
	    "SELECT xb.t - xa.t FROM x xa JOIN x xb ON xb.lap = xa.lap AND xb.car_id = ?2 "
	    "WHERE xa.car_id = ?1 AND xa.t IS NOT NULL AND xb.t IS NOT NULL "
	    "ORDER BY xa.lap DESC LIMIT ?3", -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cJSON_ArrayForEach(r, rows)
			if (view_num(r, "car") == (double)ids[i])
				break;
		if (r == NULL)
			continue;
		cJSON *p = cJSON_CreateObject();
		const char *team = view_str(r, "team");
		double pos = view_num(r, "class_position"), secs, trend;
		int laps;
		cJSON_AddItemToArray(pins, p);
		cJSON_AddNumberToObject(p, "car", (double)ids[i]);
		cJSON_AddStringToObject(p, "number", view_str(r, "number") ? view_str(r, "number") : "");
		cJSON_AddStringToObject(p, "name", team && team[0] ? team :
		    view_str(r, "vehicle") ? view_str(r, "vehicle") : "");
		cJSON_AddItemToObject(p, "class", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(r, "class"), 0));
		standings_class_key(view_str(r, "class"), key, sizeof(key));
		cJSON_AddStringToObject(p, "cls_key", key);
		cJSON_AddStringToObject(p, "driver", view_str(r, "driver") ? view_str(r, "driver") : "");
		cJSON_AddItemToObject(p, "class_position", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(r, "class_position"), 0));
		for (int side = 0; side < 2; side++) {
			const cJSON *other = isnan(pos) ? NULL : pins_at(rows, r, side ? pos + 1 : pos - 1);
			const cJSON *a = side ? r : other, *b = side ? other : r;
			cJSON *o = NULL;
			if (other != NULL) {
				pins_gap(a, b, race, &secs, &laps);
				trend = NAN;
				if (race && pins_trend(st, (long long)view_num(a, "car"),
				    (long long)view_num(b, "car"), &trend) < 0) {
					sqlite3_finalize(st);
					return -1;
				}
				if ((o = pins_side(other, secs, laps, trend)) != NULL)
					pins_gap_text(o);
			}
			cJSON_AddItemToObject(p, side ? "behind" : "ahead", o ? o : cJSON_CreateNull());
		}
	}
	sqlite3_finalize(st);
	return 1;
}

/*
 * The cars.id of every ?key= of the request, each a list "1,2,3", into
 * ids (at most PINS_MAX; bad pieces skipped). Returns how many.
 */
static size_t
pins_parse(const struct req *req, const char *key, long long *ids)
{
	size_t		 n = 0;
	char		 piece[24];

	for (size_t i = 0; i < req->nparams; i++) {
		const char *text = req->params[i].val;
		if (strcmp(req->params[i].key, key) != 0)
			continue;
		while (*text && n < PINS_MAX) {
			size_t len = strcspn(text, ",");
			if (len > 0 && len < sizeof(piece)) {
				memcpy(piece, text, len);
				piece[len] = '\0';
				if (num_parse_ll(piece, 1, (1LL << 53), &ids[n]))
					n++;
			}
			text += len;
			if (*text == ',')
				text++;
		}
	}
	return n;
}

/*
 * For the session page: "ticker", the newest LOG_TICKER log entries of
 * the view, newest first, ready to show; "show_ticker" when the session
 * is live or has a log; with ?pin=<cars.id>,... "pins" (pins_build), so
 * the My team panel shows without JavaScript. Returns 1 or -1.
 */
int
log_session_add(struct req *req, cJSON *session)
{
	const cJSON	*log = cJSON_GetObjectItemCaseSensitive(session, "log");
	cJSON		*ticker = cJSON_AddArrayToObject(session, "ticker"), *e;
	long long	 ids[PINS_MAX];
	size_t		 n = pins_parse(req, "pin", ids);
	int		 i;

	if (ticker == NULL)
		return -1;
	for (i = cJSON_GetArraySize(log) - 1; i >= 0 && cJSON_GetArraySize(ticker) < LOG_TICKER; i--) {
		if ((e = cJSON_Duplicate(cJSON_GetArrayItem(log, i), 1)) == NULL)
			return -1;
		log_decorate(e);
		cJSON_AddItemToArray(ticker, e);
	}
	cJSON_AddBoolToObject(session, "show_ticker", cJSON_GetArraySize(ticker) > 0 ||
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(session, "live")));
	if (n == 0)
		return 1;
	if (pins_build(req, session, ids, n) < 0) {
		log_err("pins: %s", sqlite3_errmsg(req->db));
		return -1;
	}
	return 1;
}

/*
 * GET /api/v1/sessions/{id}/pins?cars=1,2: {"pins": [...]} as pins_build
 * makes them, the gap trends included.
 */
void
h_pins_api(struct req *req, struct resp *resp)
{
	const char	*id = hist_session_arg(req, resp);
	long long	 ids[PINS_MAX];
	size_t		 n;
	cJSON		*o, *out;

	if (id == NULL || (o = session_load(req, resp, id)) == NULL)
		return;
	n = pins_parse(req, "cars", ids);
	if (pins_build(req, o, ids, n) < 0) {
		log_err("pins %s: %s", id, sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The session cannot be read now.");
		cJSON_Delete(o);
		return;
	}
	out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "pins", cJSON_DetachItemFromObjectCaseSensitive(o, "pins"));
	resp_json(resp, 200, out);
	cJSON_Delete(out);
	cJSON_Delete(o);
}
