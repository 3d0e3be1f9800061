/*
 * Exports of a session: GET /sessions/{id}/results.csv (the final
 * standings), /sessions/{id}/laps.csv (every lap of every car) and
 * /api/v1/sessions/{id}/export (the whole session as one JSON document:
 * header, results, cars with their laps and pit stops, chat). Times are
 * seconds with millisecond precision; unknown is an empty CSV field or null.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fcgi.h"

#define EXPORT_FORMAT	"trackside-session"
#define EXPORT_VERSION	1

/* What a CSV column takes from each JSON row. */
enum csv_kind { CSV_TEXT, CSV_INT, CSV_SECONDS, CSV_BOOL, CSV__MAX };
struct csv_col {
	const char	*key;
	enum csv_kind	 kind;
};

static const struct csv_col results_cols[] = {
	{ "position", CSV_INT }, { "class_position", CSV_INT }, { "class", CSV_TEXT },
	{ "number", CSV_TEXT }, { "team", CSV_TEXT }, { "vehicle", CSV_TEXT },
	{ "veh", CSV_TEXT }, { "laps", CSV_INT }, { "time", CSV_SECONDS },
	{ "gap", CSV_SECONDS }, { "gap_laps", CSV_INT }, { "best", CSV_SECONDS },
	{ "best_lap", CSV_INT }, { "best_driver", CSV_TEXT }, { "best_s1", CSV_SECONDS },
	{ "best_s2", CSV_SECONDS }, { "best_s3", CSV_SECONDS }, { "pits", CSV_INT },
	{ "tyres", CSV_TEXT }, { "status", CSV_TEXT }, { "finish", CSV_TEXT },
	{ "drivers", CSV_TEXT },
};

static const struct csv_col laps_cols[] = {
	{ "car", CSV_INT }, { "slot", CSV_INT }, { "number", CSV_TEXT }, { "team", CSV_TEXT },
	{ "class", CSV_TEXT }, { "lap", CSV_INT }, { "time", CSV_SECONDS },
	{ "s1", CSV_SECONDS }, { "s2", CSV_SECONDS }, { "s3", CSV_SECONDS },
	{ "driver", CSV_TEXT }, { "valid", CSV_BOOL }, { "pit", CSV_BOOL },
	{ "position", CSV_INT }, { "fuel", CSV_SECONDS }, { "ve", CSV_SECONDS },
	{ "tyres", CSV_TEXT }, { "start_et", CSV_SECONDS },
};

/* One CSV line of row o: the columns of cols, comma-separated. */
static int
csv_line(struct buf *b, const cJSON *o, const struct csv_col *cols, size_t n)
{
	int rc = 1;

	for (size_t i = 0; i < n && rc > 0; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, cols[i].key);
		if (i > 0)
			rc = buf_putc(b, ',');
		if (rc < 0 || v == NULL || cJSON_IsNull(v))
			continue;
		if (cJSON_IsString(v))
			rc = esc_csv(b, v->valuestring, strlen(v->valuestring));
		else if (cJSON_IsBool(v))
			rc = buf_putc(b, cJSON_IsTrue(v) ? '1' : '0');
		else if (cJSON_IsNumber(v) && cols[i].kind == CSV_SECONDS)
			rc = buf_printf(b, "%.3f", v->valuedouble);
		else if (cJSON_IsNumber(v))
			rc = buf_printf(b, "%lld", (long long)llround(v->valuedouble));
	}
	return rc < 0 ? rc : buf_puts(b, "\r\n");
}

static int
csv_header(struct buf *b, const struct csv_col *cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf_printf(b, "%s%s", i ? "," : "", cols[i].key) < 0)
			return -1;
	return buf_puts(b, "\r\n");
}

static void
csv_answer(struct resp *resp, const char *id, const char *what)
{
	resp->status = 200;
	resp->ctype = "text/csv; charset=utf-8";
	resp_header(resp, "Content-Disposition", "attachment; filename=\"%s-%s.csv\"", id, what);
}

/*
 * The final standings of session id: header fields the results need, then
 * results_load(). Returns a new array (caller frees), NULL after answering.
 */
static cJSON *
export_results(struct req *req, struct resp *resp, const char *id, cJSON **session)
{
	cJSON *s = hist_session(req, resp, id), *t, *r;

	*session = s;
	if (s == NULL)
		return NULL;
	t = cJSON_GetObjectItemCaseSensitive(s, "type");
	r = results_load(req, resp, id, cJSON_IsString(t) ? t->valuestring : NULL);
	if (r == NULL) {
		cJSON_Delete(s);
		*session = NULL;
	}
	return r;
}

void
h_results_csv(struct req *req, struct resp *resp)
{
	const char	*id = hist_session_arg(req, resp);
	cJSON		*s = NULL, *r = id ? export_results(req, resp, id, &s) : NULL, *el;

	if (r == NULL)
		return;
	buf_reset(&resp->body);
	csv_header(&resp->body, results_cols, sizeof(results_cols) / sizeof(results_cols[0]));
	cJSON_ArrayForEach(el, r) {
		/* drivers: "name;name" in order of first appearance */
		struct buf names = { 0 };
		cJSON *d;
		cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(el, "drivers"))
			buf_printf(&names, "%s%s", names.len ? ";" : "",
			    cJSON_GetObjectItemCaseSensitive(d, "name")->valuestring);
		cJSON_DeleteItemFromObjectCaseSensitive(el, "drivers");
		cJSON_AddStringToObject(el, "drivers", names.p ? names.p : "");
		buf_free(&names);
		csv_line(&resp->body, el, results_cols, sizeof(results_cols) / sizeof(results_cols[0]));
	}
	csv_answer(resp, id, "results");
	cJSON_Delete(r);
	cJSON_Delete(s);
}

/* Every lap of session id, in car (slot) and lap order, as JSON rows. */
static int
export_laps(sqlite3 *db, const char *id, cJSON *arr)
{
	static const char *const bools[] = { "valid", "pit" };
	sqlite3_stmt	*st;
	cJSON		*el;
	int		 n;

	if (sqlite3_prepare_v2(db, "SELECT c.id AS car, c.slot, c.number, c.team, c.class, "
	    "l.lap, l.time, l.s1, l.s2, l.s3, l.driver, l.valid, l.pit, l.position, l.fuel, l.ve, "
	    "l.tyres, l.start_et FROM laps l JOIN cars c ON c.id = l.car_id "
	    "WHERE c.session_id = ? ORDER BY c.slot, c.id, l.lap", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	n = json_rows(st, arr);
	sqlite3_finalize(st);
	cJSON_ArrayForEach(el, arr)
		view_bools(el, bools, 2);
	return n;
}

void
h_laps_csv(struct req *req, struct resp *resp)
{
	const char	*id = hist_session_arg(req, resp);
	cJSON		*s, *laps, *el;

	if (id == NULL || (s = hist_session(req, resp, id)) == NULL)
		return;
	if ((laps = cJSON_CreateArray()) == NULL || export_laps(req->db, id, laps) < 0) {
		log_err("laps.csv %s: %s", id, sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The laps cannot be read now.");
	} else {
		buf_reset(&resp->body);
		csv_header(&resp->body, laps_cols, sizeof(laps_cols) / sizeof(laps_cols[0]));
		cJSON_ArrayForEach(el, laps)
			csv_line(&resp->body, el, laps_cols, sizeof(laps_cols) / sizeof(laps_cols[0]));
		csv_answer(resp, id, "laps");
	}
	cJSON_Delete(laps);
	cJSON_Delete(s);
}

/*
 * Moves the rows of flat (ordered by car) into the "key" array of the car
 * objects of cars that have the same "car", dropping the car field.
 */
static void
export_nest(cJSON *cars, cJSON *flat, const char *key)
{
	cJSON *c, *el;

	cJSON_ArrayForEach(c, cars) {
		double id = cJSON_GetObjectItemCaseSensitive(c, "car")->valuedouble;
		cJSON *arr = cJSON_AddArrayToObject(c, key);
		for (el = flat->child; el != NULL;) {
			cJSON *next = el->next;
			if (cJSON_GetObjectItemCaseSensitive(el, "car")->valuedouble == id) {
				cJSON_DetachItemViaPointer(flat, el);
				cJSON_DeleteItemFromObjectCaseSensitive(el, "car");
				cJSON_AddItemToArray(arr, el);
			}
			el = next;
		}
	}
}

void
h_export_api(struct req *req, struct resp *resp)
{
	static const char *const car_cols[] = { "slot", "number", "team", "class" };
	const char	*id = hist_session_arg(req, resp);
	sqlite3_stmt	*st = NULL;
	cJSON		*s = NULL, *r, *o = NULL, *cars, *flat = NULL, *el;

	if (id == NULL || (r = export_results(req, resp, id, &s)) == NULL)
		return;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "format", EXPORT_FORMAT);
	cJSON_AddNumberToObject(o, "version", EXPORT_VERSION);
	cJSON_AddItemToObject(o, "session", s);
	cJSON_AddItemToObject(o, "results", r);
	cars = cJSON_AddArrayToObject(o, "cars");
	if (sqlite3_prepare_v2(req->db, "SELECT id AS car, slot, vehicle AS veh, "
	    "vehicle_name AS vehicle, number, team, class FROM cars WHERE session_id = ? "
	    "ORDER BY slot, id", -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (json_rows(st, cars) < 0)
		goto dberr;
	sqlite3_finalize(st);
	st = NULL;
	if ((flat = cJSON_CreateArray()) == NULL || export_laps(req->db, id, flat) < 0)
		goto dberr;
	cJSON_ArrayForEach(el, flat)
		for (size_t i = 0; i < sizeof(car_cols) / sizeof(car_cols[0]); i++)
			cJSON_DeleteItemFromObjectCaseSensitive(el, car_cols[i]);
	export_nest(cars, flat, "laps");
	cJSON_Delete(flat);
	if ((flat = cJSON_CreateArray()) == NULL || pits_load(req->db, id, 0, flat) < 0)
		goto dberr;
	export_nest(cars, flat, "pits");
	if (sqlite3_prepare_v2(req->db, "SELECT ts / 10000000.0 AS ts, text, seen_at FROM chat WHERE session_id = ? "
	    "ORDER BY ts, seen_at", -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (json_rows(st, cJSON_AddArrayToObject(o, "chat")) < 0)
		goto dberr;
	resp_header(resp, "Content-Disposition", "inline; filename=\"%s.json\"", id);
	resp_json(resp, 200, o);
	goto out;
dberr:
	log_err("export %s: %s", id, sqlite3_errmsg(req->db));
	resp_error(resp, 503, "unavailable", "The session cannot be exported now.");
out:
	sqlite3_finalize(st);
	cJSON_Delete(flat);
	cJSON_Delete(o);
}
