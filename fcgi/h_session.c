/*
 * GET /sessions/{id}, /api/v1/sessions/{id} and /api/v1/sessions/{id}/laps:
 * the session header and its standings as stored so far, and the laps of
 * each car.
 */
#include <string.h>

#include "fcgi.h"
#include "view.h"

#define SESSION_ID_MAX 64

/* The session id of the path, or NULL after answering 404. */
static const char *
session_arg(struct req *req, struct resp *resp)
{
	if (req->nargs < 1 || !id_valid(req->args[0], 1, SESSION_ID_MAX)) {
		resp_error(resp, 404, "not_found", "There is no such session.");
		return NULL;
	}
	return req->args[0];
}

static cJSON *
query_one(sqlite3 *db, const char *sql, const char *id, int *found)
{
	sqlite3_stmt	*st;
	cJSON		*o = NULL;
	int		 rc;

	*found = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = view_row_json(st);
		*found = 1;
	} else if (rc == SQLITE_DONE)
		o = cJSON_CreateNull();
	sqlite3_finalize(st);
	return o;
}

/*
 * The session header with "standings", "bests" and recent "chat" (the view
 * of lib/view.c, the same the live snapshot sends), or NULL after answering
 * 404 or 503. The caller frees the result.
 */
cJSON *
session_load(struct req *req, struct resp *resp, const char *id)
{
	struct view	 v;
	cJSON		*o;
	int		 rc;

	view_init(&v, req->db);
	rc = view_session(&v, id, &o);
	view_free(&v);
	if (rc < 0) {
		log_err("session %s: %s", id, sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The session cannot be read now.");
		return NULL;
	}
	if (rc == 0) {
		resp_error(resp, 404, "not_found", "There is no such session.");
		return NULL;
	}
	resp_cache_closed(resp, o);
	/* a finished session shows its final results (fcgi/results.c) */
	cJSON *fin = cJSON_GetObjectItemCaseSensitive(o, "finished");
	cJSON *state = cJSON_GetObjectItemCaseSensitive(o, "state");
	if (cJSON_IsTrue(fin) || (cJSON_IsString(state) && strcmp(state->valuestring, "closed") == 0)) {
		cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
		cJSON *res = results_load(req, resp, id, cJSON_IsString(type) ? type->valuestring : NULL);
		if (res == NULL) {
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddItemToObject(o, "results", res);
		cJSON_AddTrueToObject(o, "final");
	}
	return o;
}

void
h_session_api(struct req *req, struct resp *resp)
{
	const char	*id = session_arg(req, resp);
	cJSON		*o = id ? session_load(req, resp, id) : NULL;

	if (o != NULL)
		resp_json(resp, 200, o);
	cJSON_Delete(o);
}

/*
 * What every page of a session starts from: the session view of the path's
 * id with "title" ("<what> · <type> · <track>", see hist_title()), the
 * standings decorated and the chat lines timed. NULL after answering the
 * error page. The caller frees the result.
 */
cJSON *
session_page_load(struct req *req, struct resp *resp, const char *what)
{
	const char	*id = session_arg(req, resp);
	cJSON		*o = id ? session_load(req, resp, id) : NULL;

	if (o == NULL) {
		page_error(req, resp);
		return NULL;
	}
	hist_title(o, what);
	standings_decorate(o);
	chat_decorate(cJSON_GetObjectItemCaseSensitive(o, "chat"));
	return o;
}

/*
 * For the JSON twins of a session's pages: the header of the path's
 * session, or NULL after answering 404 or 503. The caller frees it.
 */
cJSON *
session_api_load(struct req *req, struct resp *resp)
{
	const char	*id = session_arg(req, resp);
	struct view	 v;
	cJSON		*o = NULL;
	int		 rc;

	if (id == NULL)
		return NULL;
	view_init(&v, req->db);
	rc = view_header(&v, id, &o);
	view_free(&v);
	if (rc < 0) {
		log_err("session %s: %s", id, sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The session cannot be read now.");
	} else if (rc == 0)
		resp_error(resp, 404, "not_found", "There is no such session.");
	return o;
}

/* Every standings column the source reports shown (the session page has no chooser). */
void
standings_show_all(cJSON *o)
{
	cJSON *show = cJSON_AddObjectToObject(o, "show");

	for (size_t i = 0; i < STANDINGS_COLS; i++)
		cJSON_AddBoolToObject(show, standings_cols[i].key,
		    standings_col_has(&standings_cols[i], o));
}

void
h_session_page(struct req *req, struct resp *resp)
{
	cJSON *o = session_page_load(req, resp, NULL);

	if (o == NULL)
		return;
	standings_show_all(o);
	cJSON_AddTrueToObject(o, "compact");
	hist_decorate(o, 0);	/* the results' class colours */
	if (map_add(req, o) < 0 || log_session_add(req, o) < 0) {
		cJSON_Delete(o);
		resp_error(resp, 503, "unavailable", "The session cannot be read now.");
		page_error(req, resp);
		return;
	}
	resp_page(req, resp, "session", o);
	cJSON_Delete(o);
}

void
h_laps_api(struct req *req, struct resp *resp)
{
	const char	*id = session_arg(req, resp), *car;
	sqlite3_stmt	*cars = NULL, *laps = NULL;
	cJSON		*o = NULL, *arr, *c;
	long long	 carid = 0;
	int		 found, rc;

	if (id == NULL)
		return;
	if (!req_param_int(req, resp, "car", 1, (1LL << 53), 0, &carid))
		return;
	car = req_param(req, "car");
	c = query_one(req->db, "SELECT id FROM sessions WHERE id = ?", id, &found);
	cJSON_Delete(c);
	if (c == NULL)
		goto dberr;
	if (!found) {
		resp_error(resp, 404, "not_found", "There is no such session.");
		return;
	}
	if (sqlite3_prepare_v2(req->db, "SELECT id AS car, slot, number, team, vehicle_name AS vehicle, "
	    "class FROM cars WHERE session_id = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY slot",
	    -1, &cars, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(req->db, "SELECT lap, time, s1, s2, s3, driver, valid, pit, position, "
	    "fuel, ve, tyres FROM laps WHERE car_id = ? ORDER BY lap", -1, &laps, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(cars, 1, id, -1, SQLITE_STATIC);
	if (car != NULL)
		sqlite3_bind_int64(cars, 2, carid);
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "cars");
	while ((rc = sqlite3_step(cars)) == SQLITE_ROW) {
		c = view_row_json(cars);
		cJSON_AddItemToArray(arr, c);
		sqlite3_reset(laps);
		sqlite3_bind_int64(laps, 1, sqlite3_column_int64(cars, 0));
		cJSON *la = cJSON_AddArrayToObject(c, "laps");
		if (json_rows(laps, la) < 0)
			goto dberr;
		cJSON *l;
		static const char *const lap_bools[] = { "valid", "pit" };
		cJSON_ArrayForEach(l, la)
			view_bools(l, lap_bools, 2);
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	resp_json(resp, 200, o);
	goto out;
dberr:
	log_err("laps %s: %s", id, sqlite3_errmsg(req->db));
	resp_error(resp, 503, "unavailable", "The laps cannot be read now.");
out:
	cJSON_Delete(o);
	sqlite3_finalize(cars);
	sqlite3_finalize(laps);
}
