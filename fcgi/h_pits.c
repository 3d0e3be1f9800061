/*
 * GET /sessions/{id}/pits and /api/v1/sessions/{id}/pits: every stop of
 * every car (lap, lane time, stop time, driver swap, tyres, fuel, penalty),
 * grouped by car with each car's totals.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fcgi.h"

static const char *const pit_bools[] = { "swap", "penalty", "synthesised", "garage", "is_stop" };

/*
 * Appends the pit rows of session id (of one car when car > 0) to arr, in
 * car and lap order, each with "lane" (entry to exit) and "stop" (stopped to
 * released, else the strategy's duration) in seconds, "garage" and
 * "is_stop" (see PITS_STOP_SQL). Returns the number
 * of rows, or -1 on an SQLite error.
 */
int
pits_load(sqlite3 *db, const char *id, long long car, cJSON *arr)
{
	sqlite3_stmt	*st;
	cJSON		*el;
	int		 n;

	if (sqlite3_prepare_v2(db, "SELECT p.car_id AS car, p.lap, p.pit_time, p.stop_time, "
	    "p.release_time, p.exit_time, p.garage_in, p.garage_out, "
	    "p.exit_time - p.pit_time AS lane, "
	    "coalesce(p.release_time - p.stop_time, p.duration) AS stop, p.swap, p.driver_out, "
	    "p.driver_in, p.tyres, p.fuel, p.ve, p.penalty, p.synthesised, "
	    "p.garage_in IS NOT NULL AS garage, " PITS_STOP_SQL " AS is_stop "
	    "FROM pits p JOIN cars c ON c.id = p.car_id "
	    "WHERE c.session_id = ?1 AND (?2 = 0 OR p.car_id = ?2) "
	    "ORDER BY c.slot, c.id, p.lap, coalesce(p.pit_time, p.garage_in, p.stop_time), p.id",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, car);
	n = json_rows(st, arr);
	sqlite3_finalize(st);
	cJSON_ArrayForEach(el, arr)
		view_bools(el, pit_bools, sizeof(pit_bools) / sizeof(pit_bools[0]));
	return n;
}

/*
 * The pit summary of session id: the session header with "cars", each car
 * with its "stops" (every pit row), "count" (those that are stops),
 * "count_label" ("1 stop", "2 stops") and "lane_total".
 * Returns a new object (caller frees), or NULL after answering an error.
 */
static cJSON *
pits_summary(struct req *req, struct resp *resp, const char *id)
{
	sqlite3_stmt	*st = NULL;
	cJSON		*o, *cars, *stops = NULL, *el;
	int		 rc;

	if ((o = hist_session(req, resp, id)) == NULL)
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(o, "cars");	/* the session's count */
	cars = cJSON_AddArrayToObject(o, "cars");
	if ((stops = cJSON_CreateArray()) == NULL || pits_load(req->db, id, 0, stops) < 0 ||
	    sqlite3_prepare_v2(req->db, "SELECT c.id AS car, c.slot, c.number, c.team, "
	    "c.vehicle_name AS vehicle, c.class, s.position, s.driver FROM cars c "
	    "LEFT JOIN car_state s ON s.car_id = c.id WHERE c.session_id = ? "
	    "ORDER BY c.slot, c.id", -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *c = view_row_json(st), *mine;
		double lane = 0;
		int count = 0;
		char label[32];
		if (c == NULL)
			goto dberr;
		cJSON_AddItemToArray(cars, c);
		mine = cJSON_AddArrayToObject(c, "stops");
		/* stops are in the cars' order: move this car's from the front */
		while ((el = cJSON_GetArrayItem(stops, 0)) != NULL &&
		    cJSON_GetObjectItemCaseSensitive(el, "car")->valuedouble ==
		    (double)sqlite3_column_int64(st, 0)) {
			cJSON_AddItemToArray(mine, cJSON_DetachItemFromArray(stops, 0));
			cJSON *ln = cJSON_GetObjectItemCaseSensitive(el, "lane");
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(el, "is_stop")))
				count++;
			if (cJSON_IsNumber(ln))
				lane += ln->valuedouble;
		}
		cJSON_AddNumberToObject(c, "count", count);
		snprintf(label, sizeof(label), "%d stop%s", count, count == 1 ? "" : "s");
		cJSON_AddStringToObject(c, "count_label", label);
		json_add_time(c, "lane_total", lane);
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	cJSON_Delete(stops);
	return o;
dberr:
	log_err("pits %s: %s", id, sqlite3_errmsg(req->db));
	resp_error(resp, 503, "unavailable", "The pit stops cannot be read now.");
	sqlite3_finalize(st);
	cJSON_Delete(stops);
	cJSON_Delete(o);
	return NULL;
}

void
h_pits_api(struct req *req, struct resp *resp)
{
	const char *id = hist_session_arg(req, resp);

	hist_answer(req, resp, id ? pits_summary(req, resp, id) : NULL, 1, NULL, NULL);
}

void
h_pits_page(struct req *req, struct resp *resp)
{
	const char *id = hist_session_arg(req, resp);

	hist_answer(req, resp, id ? pits_summary(req, resp, id) : NULL, 0, "pits", "Pit stops");
}
