/*
 * GET / and GET /api/v1/sessions: live sessions first, then history, paged,
 * with filters (track, sim, type, online, since, until). A session an admin
 * hid is in none of these lists (its own pages still answer).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fcgi.h"
#include "view.h"

#define SESSIONS_PAGE 50

static const char *const session_bools[] = { "online", "finished", "live" };

/* Columns of a session in lists and headers. */
#define SESSION_COLUMNS \
	"id, name, sim, track, type, online, server, started_at, last_update, phase, " \
	"remaining, finished, state = 'live' AS live, state, cars, laps, clients, " \
	"next_id AS next, prev_id AS prev"

static const char session_filter[] =
	" WHERE NOT hidden AND (?1 IS NULL OR (state = 'live') = ?1)"
	" AND (?2 IS NULL OR track = ?2) AND (?3 IS NULL OR sim = ?3)"
	" AND (?4 IS NULL OR type LIKE ?4 || '%')"
	" AND (?5 IS NULL OR online = ?5)"
	" AND (?6 IS NULL OR started_at >= ?6) AND (?7 IS NULL OR started_at < ?7)";

static const char *const network_values[] = { "1", "0" };
static const char *const network_labels[] = { "online", "offline" };
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define SESSIONS_TEXT_MAX 128

/*
 * Binds the request's filters to ?1..?7 of st. Returns 1, or 0 after
 * answering 400 for a bad value.
 */
static int
bind_filters(sqlite3_stmt *st, struct req *req, struct resp *resp)
{
	const char	*v;
	double		 t;
	int		 b, i;

	if (!hist_param_bool(req, resp, "live", &b))
		return 0;
	if (b >= 0)
		sqlite3_bind_int(st, 1, b);
	if (!hist_param_text(req, resp, "track", SESSIONS_TEXT_MAX, &v))
		return 0;
	if (v != NULL)
		sqlite3_bind_text(st, 2, v, -1, SQLITE_TRANSIENT);
	if (!req_param_enum(req, resp, "sim", source_names, SRC__MAX, &i))
		return 0;
	if (i >= 0)
		sqlite3_bind_text(st, 3, source_names[i], -1, SQLITE_STATIC);
	/* a kind matches its sessions of every number: "race" is race1, race2... */
	if (!req_param_enum(req, resp, "type", session_kind_names, SK__MAX, &i))
		return 0;
	if (i >= 0)
		sqlite3_bind_text(st, 4, session_kind_names[i], -1, SQLITE_STATIC);
	if (!hist_param_bool(req, resp, "online", &b))
		return 0;
	if (b >= 0)
		sqlite3_bind_int(st, 5, b);
	if (!hist_param_date(req, resp, "since", 0, &t))
		return 0;
	if (!isnan(t))
		sqlite3_bind_double(st, 6, t);
	if (!hist_param_date(req, resp, "until", 1, &t))
		return 0;
	if (!isnan(t))
		sqlite3_bind_double(st, 7, t);
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
	cJSON_ArrayForEach(el, arr) {
		view_bools(el, session_bools, 3);
		view_add_phase(el);
		view_add_source(el);
	}
	cJSON_AddNumberToObject(o, "total", (double)sqlite3_column_int64(cnt, 0));
	cJSON_AddNumberToObject(o, "limit", (double)limit);
	cJSON_AddNumberToObject(o, "offset", (double)offset);
	if (offset + limit < sqlite3_column_int64(cnt, 0))
		cJSON_AddNumberToObject(o, "next_offset", (double)(offset + limit));
	if (offset > 0) {
		cJSON_AddNumberToObject(o, "prev_offset", (double)(offset > limit ? offset - limit : 0));
		cJSON_AddTrueToObject(o, "has_prev");
	}
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

/* The tracks of every listed session, for the track filter's suggestions. */
static int
session_tracks(sqlite3 *db, cJSON *o)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db, "SELECT DISTINCT track FROM sessions WHERE NOT hidden "
	    "ORDER BY track", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	rc = json_rows(st, cJSON_AddArrayToObject(o, "tracks"));
	sqlite3_finalize(st);
	return rc;
}

/* Adds "live_sessions" (the live list static/live.js keeps current). Returns 1 or -1. */
static int
sessions_live_add(struct req *req, cJSON *o)
{
	struct view	 v;
	cJSON		*arr;
	int		 rc;

	view_init(&v, req->db);
	rc = view_live_sessions(&v, &arr);
	view_free(&v);
	if (rc < 0) {
		log_err("live sessions: %s", sqlite3_errmsg(req->db));
		return -1;
	}
	cJSON_AddBoolToObject(o, "has_live", cJSON_GetArraySize(arr) > 0);
	cJSON_AddItemToObject(o, "live_sessions", arr);
	return 1;
}

void
h_sessions_page(struct req *req, struct resp *resp)
{
	cJSON *o = session_list(req, resp);

	if (o == NULL) {
		page_error(req, resp);
		return;
	}
	/* the type offers every kind but the catch-all "other" (the last) */
	if (hist_echo_filters(req, o) < 0 ||
	    hist_options(req, o, "sims", "sim", source_names, source_labels, SRC__MAX) < 0 ||
	    hist_options(req, o, "types", "type", session_kind_names, session_kind_labels,
	    SK_OTHER) < 0 ||
	    hist_options(req, o, "networks", "online", network_values, network_labels,
	    NELEM(network_values)) < 0 || session_tracks(req->db, o) < 0) {
		log_err("sessions: %s", sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The sessions cannot be read now.");
		cJSON_Delete(o);
		page_error(req, resp);
		return;
	}
	if (sessions_live_add(req, o) < 0) {
		resp_error(resp, 503, "unavailable", "The sessions cannot be read now.");
		cJSON_Delete(o);
		page_error(req, resp);
		return;
	}
	hist_decorate(o, 0);
	cJSON_AddStringToObject(o, "title", "Sessions");
	resp_page(req, resp, "sessions", o);
	cJSON_Delete(o);
}
