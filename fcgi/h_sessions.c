/*
 * GET / and GET /api/v1/sessions: live sessions first, then history, paged,
 * with filters (track, sim, type, online, since, until).
 */
#include <stdio.h>
#include <string.h>

#include "fcgi.h"

#define SESSIONS_PAGE 50

static const char *const session_bools[] = { "online", "finished", "live" };

/* Columns of a session in lists and headers. */
#define SESSION_COLUMNS \
	"id, sim, track, type, online, server, started_at, last_update, phase, " \
	"remaining, finished, state = 'live' AS live, state, cars, laps, clients, " \
	"next_id AS next, prev_id AS prev"

static const char session_filter[] =
	" WHERE (?1 IS NULL OR (state = 'live') = ?1)"
	" AND (?2 IS NULL OR track = ?2) AND (?3 IS NULL OR sim = ?3)"
	" AND (?4 IS NULL OR type LIKE ?4 || '%')"
	" AND (?5 IS NULL OR online = ?5)"
	" AND (?6 IS NULL OR started_at >= ?6) AND (?7 IS NULL OR started_at < ?7)";

static int
bind_filters(sqlite3_stmt *st, struct req *req, struct resp *resp)
{
	const char	*keys[] = { "track", "sim", "type" };
	const char	*v;
	double		 t;

	if ((v = req_param(req, "live")) != NULL) {
		if (strcmp(v, "1") && strcmp(v, "0") && strcmp(v, "true") && strcmp(v, "false")) {
			resp_error(resp, 400, "bad_parameter", "live must be 1 or 0.");
			return 0;
		}
		sqlite3_bind_int(st, 1, v[0] == '1' || v[0] == 't');
	}
	for (int i = 0; i < 3; i++)
		if ((v = req_param(req, keys[i])) != NULL)
			sqlite3_bind_text(st, 2 + i, v, -1, SQLITE_TRANSIENT);
	if ((v = req_param(req, "online")) != NULL) {
		if (strcmp(v, "1") && strcmp(v, "0")) {
			resp_error(resp, 400, "bad_parameter", "online must be 1 or 0.");
			return 0;
		}
		sqlite3_bind_int(st, 5, v[0] == '1');
	}
	const char *tk[] = { "since", "until" };
	for (int i = 0; i < 2; i++)
		if ((v = req_param(req, tk[i])) != NULL) {
			if (!time_iso_parse(v, &t)) {
				resp_error(resp, 400, "bad_parameter", "%s must be a date (YYYY-MM-DD).", tk[i]);
				return 0;
			}
			sqlite3_bind_double(st, 6 + i, t);
		}
	return 1;
}

/*
 * The session list of the request's filters, or NULL after answering an
 * error. The caller frees the result.
 */
cJSON *
session_list(struct req *req, struct resp *resp)
{
	sqlite3_stmt	*st = NULL, *cnt = NULL;
	cJSON		*o = NULL, *arr;
	long long	 limit, offset;
	char		 sql[1024];

	if (!req_param_int(req, resp, "limit", 1, 500, SESSIONS_PAGE, &limit) ||
	    !req_param_int(req, resp, "offset", 0, 1000000000, 0, &offset))
		return NULL;
	snprintf(sql, sizeof(sql), "SELECT " SESSION_COLUMNS " FROM sessions%s "
	    "ORDER BY state = 'live' DESC, started_at DESC LIMIT ?8 OFFSET ?9", session_filter);
	if (sqlite3_prepare_v2(req->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM sessions%s", session_filter);
	if (sqlite3_prepare_v2(req->db, sql, -1, &cnt, NULL) != SQLITE_OK)
		goto dberr;
	if (!bind_filters(st, req, resp) || !bind_filters(cnt, req, resp))
		goto fail;
	sqlite3_bind_int64(st, 8, limit);
	sqlite3_bind_int64(st, 9, offset);
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "sessions");
	if (json_rows(st, arr) < 0 || sqlite3_step(cnt) != SQLITE_ROW)
		goto dberr;
	cJSON *el;
	cJSON_ArrayForEach(el, arr)
		json_bools(el, session_bools, 3);
	cJSON_AddNumberToObject(o, "total", (double)sqlite3_column_int64(cnt, 0));
	cJSON_AddNumberToObject(o, "limit", (double)limit);
	cJSON_AddNumberToObject(o, "offset", (double)offset);
	if (offset + limit < sqlite3_column_int64(cnt, 0))
		cJSON_AddNumberToObject(o, "next_offset", (double)(offset + limit));
	if (offset > 0)
		cJSON_AddNumberToObject(o, "prev_offset", (double)(offset > limit ? offset - limit : 0));
	sqlite3_finalize(st);
	sqlite3_finalize(cnt);
	return o;
dberr:
	log_err("sessions: %s", sqlite3_errmsg(req->db));
	resp_error(resp, 503, "unavailable", "The sessions cannot be read now.");
fail:
	cJSON_Delete(o);
	sqlite3_finalize(st);
	sqlite3_finalize(cnt);
	return NULL;
}

void
h_sessions_api(struct req *req, struct resp *resp)
{
	cJSON *o = session_list(req, resp);

	if (o != NULL)
		resp_json(resp, 200, o);
	cJSON_Delete(o);
}

void
h_sessions_page(struct req *req, struct resp *resp)
{
	cJSON *o = session_list(req, resp);

	if (o == NULL) {
		page_error(req, resp);
		return;
	}
	cJSON_AddStringToObject(o, "title", "Sessions");
	for (size_t i = 0; i < req->nparams; i++)
		if (req->params[i].val[0])
			cJSON_AddStringToObject(o, req->params[i].key, req->params[i].val);
	resp_page(req, resp, "sessions", o);
	cJSON_Delete(o);
}
