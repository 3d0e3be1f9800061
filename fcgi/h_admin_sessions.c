/*
 * The admin pages of sessions: GET /admin/sessions, every session (the
 * hidden ones too) filtered and paged; GET /admin/sessions/{id}, its facts
 * and the forms that change it; POST /admin/sessions/{id}/{rename, hide,
 * delete, merge, split, reprocess, rules}. A change is shown first
 * (step=preview: what preview_cmd() says will change, and a form to
 * confirm it), then sent to trackside-ingestd as a command (step=apply)
 * and answered with a redirect to the page that shows its outcome. The
 * drive-time rules' form applies at once: what it changes is on the form.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "admin.h"
#include "db.h"
#include "drive.h"

#define SESS_PAGE	50
#define SESS_TEXT_MAX	128
#define SESS_ID_MAX	64
#define SESS_NEAR	(2 * 86400)	/* merge candidates start within two days of it */
#define SESS_NEAR_MAX	50
#define SESS_LAPS_MAX	500

static const char *const state_values[] = { "live", "inactive", "closed" };
static const char *const shown_values[] = { "listed", "hidden" };
static const char *const shown_labels[] = { "in public lists", "hidden from public lists" };
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum sess_sql { SS_LIST, SS_COUNT, SS_ONE, SS_RAW, SS_NEAR, SS_LAPS, SS__MAX };

/* The list's filters: sim, state, hidden, a LIKE pattern over name and track. */
#define SS_FILTER \
	" WHERE (?1 IS NULL OR sim = ?1) AND (?2 IS NULL OR state = ?2) " \
	"AND (?3 IS NULL OR hidden = ?3) " \
	"AND (?4 IS NULL OR name LIKE ?4 ESCAPE '\\' OR track LIKE ?4 ESCAPE '\\')"

static const char *const sess_sql[SS__MAX] = {
	[SS_LIST] = "SELECT id, name, sim, track, type, state, hidden, online, started_at, "
	    "frames, laps, cars FROM sessions" SS_FILTER
	    " ORDER BY started_at DESC, id DESC LIMIT ?5 OFFSET ?6",
	[SS_COUNT] = "SELECT count(*) FROM sessions" SS_FILTER,
	[SS_ONE] = "SELECT id, name, sim, track, type, state, hidden, online, server, "
	    "started_at, last_update, finished, frames, frames_dropped, laps, cars, clients, "
	    "prev_id AS prev, next_id AS next, drive_rules FROM sessions WHERE id = ?1",
	/* what a split compares its time with: raw_frames.captured_at */
	[SS_RAW] = "SELECT count(*), min(captured_at), max(captured_at) FROM raw_frames "
	    "WHERE session_id = ?1",
	[SS_NEAR] = "SELECT id, name, track, type, state, hidden, started_at, laps, cars "
	    "FROM sessions WHERE sim = ?2 AND track = ?3 AND id <> ?1 "
	    "AND started_at BETWEEN ?4 - ?5 AND ?4 + ?5 "
	    "ORDER BY started_at DESC, id DESC LIMIT ?6",
	/* the laps of the leader (or of the car with most laps), for split times */
	[SS_LAPS] = "SELECT l.lap, l.time, l.seen_at FROM laps l WHERE l.car_id = "
	    "(SELECT c.id FROM cars c LEFT JOIN car_state s ON s.car_id = c.id "
	    "WHERE c.session_id = ?1 ORDER BY s.position IS NULL, s.position, s.laps DESC, "
	    "c.slot LIMIT 1) AND l.seen_at IS NOT NULL ORDER BY l.lap LIMIT ?2",
};

static const char *const sess_bools[] = { "hidden", "online", "finished" };

/* Statement i prepared on the request's database, or NULL (logged). */
static sqlite3_stmt *
sess_prepare(struct req *req, enum sess_sql i)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(req->db, sess_sql[i], -1, &st, NULL) != SQLITE_OK) {
		log_err("admin sessions: %s", sqlite3_errmsg(req->db));
		return NULL;
	}
	return st;
}

/* Answers the page of a database error. */
static void
sess_dberr(struct req *req, struct resp *resp)
{
	log_err("admin sessions: %s", sqlite3_errmsg(req->db));
	resp_error(resp, 503, "unavailable", "The sessions cannot be read now.");
	page_error(req, resp);
}

/*
 * A time as "YYYY-MM-DD HH:MM:SS" (sep ' ') or as a datetime-local input
 * value "YYYY-MM-DDTHH:MM:SS" (sep 'T'), UTC, into out.
 */
static void
sess_time(double t, char sep, char out[24])
{
	struct utc u;

	time_utc((long long)floor(t), &u);
	snprintf(out, 24, "%04d-%02d-%02d%c%02d:%02d:%02d", u.year % 10000, u.month % 100,
	    u.day % 100, sep, u.hour % 100, u.min % 100, u.sec % 100);
}

/*
 * Adds what a session row shows: the booleans, "label" (its name, or
 * "Track · Type"), "sim_label" and "type_label".
 */
static void
sess_decorate(cJSON *o)
{
	const cJSON	*name = cJSON_GetObjectItemCaseSensitive(o, "name");
	const cJSON	*track = cJSON_GetObjectItemCaseSensitive(o, "track");
	const cJSON	*type;
	struct buf	 b = { 0 };

	view_bools(o, sess_bools, NELEM(sess_bools));
	view_add_source(o);
	type = cJSON_GetObjectItemCaseSensitive(o, "type_label");
	if (cJSON_IsString(name) && name->valuestring[0] != '\0')
		buf_puts(&b, name->valuestring);
	else
		buf_printf(&b, "%s%s%s", cJSON_IsString(track) ? track->valuestring : "Session",
		    cJSON_IsString(type) && type->valuestring[0] ? " · " : "",
		    cJSON_IsString(type) ? type->valuestring : "");
	cJSON_AddStringToObject(o, "label", b.p ? b.p : "");
	buf_free(&b);
}

/* Binds the list's filters to ?1..?4 of st. Returns 1, or 0 after answering 400. */
static int
sess_bind_filters(struct req *req, struct resp *resp, sqlite3_stmt *st, struct buf *like)
{
	const char	*q;
	int		 i;

	if (!req_param_enum(req, resp, "sim", source_names, SRC__MAX, &i))
		return 0;
	if (i >= 0)
		sqlite3_bind_text(st, 1, source_names[i], -1, SQLITE_STATIC);
	if (!req_param_enum(req, resp, "state", state_values, NELEM(state_values), &i))
		return 0;
	if (i >= 0)
		sqlite3_bind_text(st, 2, state_values[i], -1, SQLITE_STATIC);
	if (!req_param_enum(req, resp, "shown", shown_values, NELEM(shown_values), &i))
		return 0;
	if (i >= 0)
		sqlite3_bind_int(st, 3, i);
	if (!hist_param_text(req, resp, "q", SESS_TEXT_MAX, &q))
		return 0;
	if (q != NULL && *q != '\0') {
		/* the text anywhere in the name or the track: LIKE's own characters escaped */
		buf_reset(like);
		buf_putc(like, '%');
		for (; *q; q++) {
			if (*q == '%' || *q == '_' || *q == '\\')
				buf_putc(like, '\\');
			buf_putc(like, *q);
		}
		buf_putc(like, '%');
		sqlite3_bind_text(st, 4, like->p, -1, SQLITE_STATIC);
	}
	return 1;
}

/* GET /admin/sessions: every session, newest first, filtered and paged. */
void
h_admin_sessions_page(struct req *req, struct resp *resp)
{
	sqlite3_stmt	*st = NULL, *cnt = NULL;
	struct buf	 like = { 0 };
	cJSON		*o = NULL, *arr, *el;
	long long	 offset, total;

	if (!req_param_int(req, resp, "offset", 0, 1000000000, 0, &offset))
		goto bad;
	if ((st = sess_prepare(req, SS_LIST)) == NULL ||
	    (cnt = sess_prepare(req, SS_COUNT)) == NULL)
		goto dberr;
	if (!sess_bind_filters(req, resp, st, &like) || !sess_bind_filters(req, resp, cnt, &like))
		goto bad;
	sqlite3_bind_int(st, 5, SESS_PAGE);
	sqlite3_bind_int64(st, 6, offset);
	if ((o = cJSON_CreateObject()) == NULL ||
	    json_rows(st, (arr = cJSON_AddArrayToObject(o, "sessions"))) < 0 ||
	    sqlite3_step(cnt) != SQLITE_ROW)
		goto dberr;
	total = sqlite3_column_int64(cnt, 0);
	cJSON_ArrayForEach(el, arr)
		sess_decorate(el);
	cJSON_AddNumberToObject(o, "total", (double)total);
	if (offset + SESS_PAGE < total)
		cJSON_AddNumberToObject(o, "next_offset", (double)(offset + SESS_PAGE));
	if (offset > 0) {
		cJSON_AddNumberToObject(o, "prev_offset",
		    (double)(offset > SESS_PAGE ? offset - SESS_PAGE : 0));
		cJSON_AddTrueToObject(o, "has_prev");
	}
	if (hist_echo_filters(req, o) < 0 ||
	    hist_options(req, o, "sims", "sim", source_names, source_labels, SRC__MAX) < 0 ||
	    hist_options(req, o, "states", "state", state_values, state_values,
	    NELEM(state_values)) < 0 ||
	    hist_options(req, o, "shown", "shown", shown_values, shown_labels,
	    NELEM(shown_values)) < 0)
		goto dberr;
	admin_page(req, resp, "admin_sessions", o, "Sessions");
	goto out;
dberr:
	sess_dberr(req, resp);
	goto out;
bad:
	page_error(req, resp);
out:
	cJSON_Delete(o);
	sqlite3_finalize(st);
	sqlite3_finalize(cnt);
	buf_free(&like);
}

/*
 * The session of the path (args[0]) with its raw frames ("raw_frames",
 * "first_at", "last_at" of capture), decorated. Returns a new object
 * (caller frees), or NULL after answering the 404 or 503 page.
 */
static cJSON *
sess_load(struct req *req, struct resp *resp)
{
	sqlite3_stmt	*st = NULL;
	cJSON		*o = NULL;
	const char	*id = req->nargs > 0 ? req->args[0] : NULL;
	char		 t[24];
	int		 rc;

	if (id == NULL || !id_valid(id, 1, SESS_ID_MAX)) {
		resp_error(resp, 404, "not_found", "There is no such session.");
		page_error(req, resp);
		return NULL;
	}
	if ((st = sess_prepare(req, SS_ONE)) == NULL)
		goto dberr;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = db_step(st)) == SQLITE_DONE) {
		sqlite3_finalize(st);
		resp_error(resp, 404, "not_found", "There is no session %s.", id);
		page_error(req, resp);
		return NULL;
	}
	if (rc != SQLITE_ROW || (o = view_row_json(st)) == NULL)
		goto dberr;
	sqlite3_finalize(st);
	sess_decorate(o);
	if ((st = sess_prepare(req, SS_RAW)) == NULL)
		goto dberr;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (db_step(st) != SQLITE_ROW)
		goto dberr;
	cJSON_AddNumberToObject(o, "raw_frames", (double)sqlite3_column_int64(st, 0));
	for (int i = 1; i <= 2; i++) {
		const char *k = i == 1 ? "first_at" : "last_at";
		if (sqlite3_column_type(st, i) == SQLITE_NULL) {
			cJSON_AddNullToObject(o, k);
			continue;
		}
		cJSON_AddNumberToObject(o, k, sqlite3_column_double(st, i));
		sess_time(sqlite3_column_double(st, i), 'T', t);
		cJSON_AddStringToObject(o, i == 1 ? "first_local" : "last_local", t);
		sess_time(sqlite3_column_double(st, i), ' ', t);
		cJSON_AddStringToObject(o, i == 1 ? "first_text" : "last_text", t);
	}
	sqlite3_finalize(st);
	return o;
dberr:
	sqlite3_finalize(st);
	cJSON_Delete(o);
	sess_dberr(req, resp);
	return NULL;
}

/* Minutes of s seconds as a form shows them: "90", "7.5", or "" for none. */
static void
sess_minutes(double s, char *out, size_t outsz)
{
	if (!(s > 0))
		snprintf(out, outsz, "%s", "");
	else if (fmod(s, 60) == 0)
		snprintf(out, outsz, "%.0f", s / 60);
	else
		snprintf(out, outsz, "%g", round(s / 6) / 10);
}

/*
 * Replaces o's "drive_rules" (the JSON text an admin set, or null) with
 * what the rules form shows: "rules_own" (the session has its own),
 * "rules" {min, max, window, window_max, stint} in minutes for the inputs
 * (the configuration's when the session has none), "rules_conf" (the
 * configuration has some).
 */
static void
sess_rules(cJSON *o)
{
	const cJSON		*t = cJSON_GetObjectItemCaseSensitive(o, "drive_rules");
	struct drive_rules	 r = *drive_defaults();
	cJSON			*j = NULL, *f;
	char			 m[32];
	int			 own = 0;

	if (cJSON_IsString(t) && (j = cJSON_Parse(t->valuestring)) != NULL && cJSON_IsObject(j)) {
		own = 1;
		memset(&r, 0, sizeof(r));
		for (int i = 0; i < DRIVE_RULES_N; i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, drive_rule_keys[i]);
			if (cJSON_IsNumber(v) && v->valuedouble > 0)
				*drive_rule(&r, i) = v->valuedouble;
		}
	}
	cJSON_Delete(j);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "drive_rules");
	cJSON_AddBoolToObject(o, "rules_own", own);
	cJSON_AddBoolToObject(o, "rules_conf", drive_rules_any(drive_defaults()));
	f = cJSON_AddObjectToObject(o, "rules");
	for (int i = 0; i < DRIVE_RULES_N; i++) {
		sess_minutes(*drive_rule(&r, i), m, sizeof(m));
		cJSON_AddStringToObject(f, drive_rule_keys[i], m);
	}
}

/* Adds "candidates": the sessions o may merge with. Returns 1 or -1. */
static int
sess_candidates(struct req *req, cJSON *o)
{
	sqlite3_stmt	*st;
	cJSON		*arr, *el;
	char		 t[24];
	int		 rc;

	if ((st = sess_prepare(req, SS_NEAR)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, cJSON_GetObjectItemCaseSensitive(o, "id")->valuestring, -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cJSON_GetObjectItemCaseSensitive(o, "sim")->valuestring, -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 3, cJSON_GetObjectItemCaseSensitive(o, "track")->valuestring, -1,
	    SQLITE_STATIC);
	sqlite3_bind_double(st, 4, cJSON_GetObjectItemCaseSensitive(o, "started_at")->valuedouble);
	sqlite3_bind_int(st, 5, SESS_NEAR);
	sqlite3_bind_int(st, 6, SESS_NEAR_MAX);
	rc = json_rows(st, (arr = cJSON_AddArrayToObject(o, "candidates")));
	sqlite3_finalize(st);
	cJSON_ArrayForEach(el, arr) {
		sess_decorate(el);
		sess_time(cJSON_GetObjectItemCaseSensitive(el, "started_at")->valuedouble, ' ', t);
		cJSON_AddStringToObject(el, "started_text", t);
	}
	return rc < 0 ? -1 : 1;
}

/*
 * Adds "split_laps": where each lap of the leader after the first starts,
 * as split times: a millisecond after the capture of the frame that saw
 * the lap before it done, so that frame stays with the first part.
 * Returns 1 or -1.
 */
static int
sess_split_laps(struct req *req, cJSON *o)
{
	sqlite3_stmt	*st;
	cJSON		*arr = cJSON_AddArrayToObject(o, "split_laps");
	char		 t[24], at[32];
	int		 rc;

	if ((st = sess_prepare(req, SS_LAPS)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, cJSON_GetObjectItemCaseSensitive(o, "id")->valuestring, -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(st, 2, SESS_LAPS_MAX);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		cJSON *el = cJSON_CreateObject();
		double seen = sqlite3_column_double(st, 2);
		cJSON_AddItemToArray(arr, el);
		cJSON_AddNumberToObject(el, "lap", sqlite3_column_int(st, 0) + 1);
		cJSON_AddNumberToObject(el, "after", sqlite3_column_int(st, 0));
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			cJSON_AddNullToObject(el, "time");
		else
			cJSON_AddNumberToObject(el, "time", sqlite3_column_double(st, 1));
		snprintf(at, sizeof(at), "%.3f", seen + 0.001);
		cJSON_AddStringToObject(el, "at", at);
		sess_time(seen, ' ', t);
		cJSON_AddStringToObject(el, "at_text", t + 11);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 1 : -1;
}

/*
 * Adds "made" when the command of ?done= made another session than the
 * page's (a split's new one): its id, for a link.
 */
static void
sess_made(struct req *req, cJSON *o)
{
	const char	*done = req_param(req, "done");
	const char	*id = cJSON_GetObjectItemCaseSensitive(o, "id")->valuestring;
	cJSON		*result = NULL;
	const cJSON	*s;
	int		 ok = 0;

	if (done == NULL || !id_valid(done, CMD_ID_LEN, CMD_ID_LEN) ||
	    cmd_outcome(req->db, done, &ok, NULL, &result) != 1 || !ok) {
		cJSON_Delete(result);
		return;
	}
	s = cJSON_GetObjectItemCaseSensitive(result, "session");
	if (cJSON_IsString(s) && strcmp(s->valuestring, id) != 0 &&
	    id_valid(s->valuestring, 1, SESS_ID_MAX))
		cJSON_AddStringToObject(o, "made", s->valuestring);
	cJSON_Delete(result);
}

/* GET /admin/sessions/{id}: the session's facts and the forms that change it. */
void
h_admin_session_page(struct req *req, struct resp *resp)
{
	cJSON	*o = sess_load(req, resp);
	char	 t[24];

	if (o == NULL)
		return;
	if (sess_candidates(req, o) < 0 || sess_split_laps(req, o) < 0) {
		cJSON_Delete(o);
		sess_dberr(req, resp);
		return;
	}
	sess_time(cJSON_GetObjectItemCaseSensitive(o, "started_at")->valuedouble, ' ', t);
	cJSON_AddStringToObject(o, "started_text", t);
	sess_made(req, o);
	sess_rules(o);
	hist_decorate(o, 0);
	admin_page(req, resp, "admin_session", o,
	    cJSON_GetObjectItemCaseSensitive(o, "label")->valuestring);
	cJSON_Delete(o);
}

/*
 * The actions of a session's page: each fills its command's arguments from
 * the form (returning 1, or 0 with why set when the form cannot be sent).
 */
struct sess_action {
	const char	*name;		/* the path's last piece */
	enum cmd_kind	 kind;
	const char	*heading;	/* of the preview page */
	const char	*verb;		/* the confirm button */
	int		 danger;
	int		(*args)(struct req *, const cJSON *session, struct cmd *, struct buf *why);
	int		 direct;	/* sent without a preview: the form shows it all */
};

static const char *
sess_id(const cJSON *s)
{
	return cJSON_GetObjectItemCaseSensitive(s, "id")->valuestring;
}

static int
args_session(struct req *req, const cJSON *s, struct cmd *c, struct buf *why)
{
	(void)req;
	(void)why;
	return cJSON_AddStringToObject(c->args, "session", sess_id(s)) != NULL;
}

static int
args_rename(struct req *req, const cJSON *s, struct cmd *c, struct buf *why)
{
	const char *name = admin_form(req, "name");

	if (name == NULL)
		name = "";
	if (!cmd_text_valid(name, CMD_NAME_MAX)) {
		buf_printf(why, "A session's name has at most %d bytes of text, without control "
		    "characters.", CMD_NAME_MAX);
		return 0;
	}
	return args_session(req, s, c, why) &&
	    cJSON_AddStringToObject(c->args, "name", name) != NULL;
}

static int
args_hide(struct req *req, const cJSON *s, struct cmd *c, struct buf *why)
{
	const char *v = admin_form(req, "hidden");

	if (v == NULL || (strcmp(v, "1") != 0 && strcmp(v, "0") != 0)) {
		buf_printf(why, "Say whether to hide the session (hidden=1) or show it "
		    "(hidden=0).");
		return 0;
	}
	return args_session(req, s, c, why) &&
	    cJSON_AddBoolToObject(c->args, "hidden", v[0] == '1') != NULL;
}

/* merge: "session" joins "into"; one of them is the page's session. */
static int
args_merge(struct req *req, const cJSON *s, struct cmd *c, struct buf *why)
{
	const char *from = admin_form(req, "session"), *into = admin_form(req, "into");

	if (from == NULL || into == NULL || !id_valid(from, 1, SESS_ID_MAX) ||
	    !id_valid(into, 1, SESS_ID_MAX)) {
		buf_printf(why, "Choose the session to merge with.");
		return 0;
	}
	if (strcmp(from, sess_id(s)) != 0 && strcmp(into, sess_id(s)) != 0) {
		buf_printf(why, "One of the two sessions of a merge must be this one.");
		return 0;
	}
	if (strcmp(from, into) == 0) {
		buf_printf(why, "A session cannot be merged into itself.");
		return 0;
	}
	return cJSON_AddStringToObject(c->args, "session", from) != NULL &&
	    cJSON_AddStringToObject(c->args, "into", into) != NULL;
}

/*
 * A split time: epoch seconds, or a datetime-local value in UTC
 * (YYYY-MM-DDTHH:MM[:SS[.fff]]). Returns 1 or 0.
 */
static int
sess_parse_time(const char *v, double *out)
{
	char s[40];

	if (num_parse_d(v, 0, 3e10, out))
		return 1;
	if (strlen(v) == 16) {		/* a browser leaves out ":00" */
		snprintf(s, sizeof(s), "%s:00", v);
		v = s;
	}
	return strlen(v) < 32 && time_iso_parse(v, out);
}

/*
 * split: at a lap start picked from the list (lap_at), else at the time
 * typed (at); frames captured from then on go to a new session, so the
 * time must fall after the first frame and not after the last.
 */
static int
args_split(struct req *req, const cJSON *s, struct cmd *c, struct buf *why)
{
	const char	*v = admin_form(req, "lap_at");
	const cJSON	*first = cJSON_GetObjectItemCaseSensitive(s, "first_at");
	const cJSON	*last = cJSON_GetObjectItemCaseSensitive(s, "last_at");
	const cJSON	*ft = cJSON_GetObjectItemCaseSensitive(s, "first_text");
	const cJSON	*lt = cJSON_GetObjectItemCaseSensitive(s, "last_text");
	double		 at;
	char		 t[24];

	if (v == NULL || *v == '\0')
		v = admin_form(req, "at");
	if (v == NULL || *v == '\0' || !sess_parse_time(v, &at)) {
		buf_printf(why, "Give the time to split at (UTC, to the second), or pick a lap.");
		return 0;
	}
	if (!cJSON_IsNumber(first) || !cJSON_IsNumber(last)) {
		buf_printf(why, "The session has no raw frames: there is nothing to split.");
		return 0;
	}
	if (at <= first->valuedouble || at > last->valuedouble) {
		sess_time(at, ' ', t);
		buf_printf(why, "%s UTC is not within the session: its frames were captured "
		    "from %s to %s UTC, and each part must keep some.", t, ft->valuestring,
		    lt->valuestring);
		return 0;
	}
	return args_session(req, s, c, why) &&
	    cJSON_AddNumberToObject(c->args, "at", round(at * 1000.0) / 1000.0) != NULL;
}

/*
 * rules: the drive-time rules in minutes (empty or 0: no such rule), all
 * five given so the session has exactly these; clear=1 drops the
 * session's own, so the configuration's apply.
 */
static int
args_rules(struct req *req, const cJSON *s, struct cmd *c, struct buf *why)
{
	const char	*clear = admin_form(req, "clear");
	cJSON		*r;
	double		 m;

	if (!args_session(req, s, c, why) || (r = cJSON_AddObjectToObject(c->args, "rules")) == NULL)
		return 0;
	if (clear != NULL && strcmp(clear, "1") == 0)
		return 1;
	for (int i = 0; i < DRIVE_RULES_N; i++) {
		const char *v = admin_form(req, drive_rule_keys[i]);
		if (v == NULL || *v == '\0')
			m = 0;
		else if (!num_parse_d(v, 0, CMD_RULE_MAX / 60, &m)) {
			buf_printf(why, "A rule is a number of minutes from 0 to %d (empty: none); "
			    "\"%s\" is not.", CMD_RULE_MAX / 60, v);
			return 0;
		}
		if (cJSON_AddNumberToObject(r, drive_rule_keys[i], round(m * 60)) == NULL)
			return 0;
	}
	return 1;
}

static const struct sess_action sess_actions[] = {
	{ "rename", CMD_SESSION_RENAME, "Rename the session", "Rename", 0, args_rename, 0 },
	{ "hide", CMD_SESSION_HIDE, "Hide or show the session", "Apply", 0, args_hide, 0 },
	{ "delete", CMD_SESSION_DELETE, "Delete the session", "Delete for good", 1,
	    args_session, 0 },
	{ "merge", CMD_SESSION_MERGE, "Merge two sessions", "Merge", 1, args_merge, 0 },
	{ "split", CMD_SESSION_SPLIT, "Split the session", "Split", 1, args_split, 0 },
	{ "reprocess", CMD_SESSION_REPROCESS, "Reprocess the session from its raw frames",
	    "Reprocess", 0, args_session, 0 },
	{ "rules", CMD_SESSION_RULES, "Drive-time rules", "Apply", 0, args_rules, 1 },
};

/* The action of the path's last piece, or NULL. */
static const struct sess_action *
sess_action(const char *path)
{
	const char *last = strrchr(path, '/');

	for (size_t i = 0; last != NULL && i < NELEM(sess_actions); i++)
		if (strcmp(last + 1, sess_actions[i].name) == 0)
			return &sess_actions[i];
	return NULL;
}

/*
 * The command's arguments as the hidden fields of the confirm form
 * ([{"name", "value"}]), in the words the action's form uses.
 */
static cJSON *
sess_fields(const struct cmd *c)
{
	cJSON	*arr = cJSON_CreateArray(), *v;
	char	 num[32];

	cJSON_ArrayForEach(v, c->args) {
		cJSON *f = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, f);
		cJSON_AddStringToObject(f, "name", v->string);
		if (cJSON_IsString(v))
			cJSON_AddStringToObject(f, "value", v->valuestring);
		else if (cJSON_IsBool(v))
			cJSON_AddStringToObject(f, "value", cJSON_IsTrue(v) ? "1" : "0");
		else {
			snprintf(num, sizeof(num), "%.3f", v->valuedouble);
			cJSON_AddStringToObject(f, "value", num);
		}
	}
	return arr;
}

/*
 * Moves what preview_cmd() said (pv) into the page's data o: "what" (its
 * title), "rows", "warnings", "error". Returns whether it may be applied.
 */
static int
sess_preview_take(cJSON *o, cJSON *pv)
{
	static const char *const keys[][2] = { { "title", "what" }, { "rows", "rows" },
	    { "warnings", "warnings" }, { "error", "error" } };
	cJSON *v;

	for (size_t i = 0; i < NELEM(keys); i++) {
		if ((v = cJSON_DetachItemFromObjectCaseSensitive(pv, keys[i][0])) == NULL)
			continue;
		if (cJSON_IsNull(v) || (cJSON_IsString(v) && v->valuestring[0] == '\0'))
			cJSON_Delete(v);
		else
			cJSON_AddItemToObject(o, keys[i][1], v);
	}
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pv, "ok")) &&
	    cJSON_GetObjectItemCaseSensitive(o, "error") == NULL;
}

/*
 * Answers the preview of c: preview_cmd()'s table of what will change, its
 * warnings, and the confirm form when it can be applied; why (when set)
 * says why the form cannot be sent at all (400, no confirm).
 */
static void
sess_preview(struct req *req, struct resp *resp, const struct sess_action *a, cJSON *s,
    const struct cmd *c, const struct buf *why)
{
	struct buf	 err = { 0 }, url = { 0 };
	cJSON		*o = cJSON_CreateObject(), *pv = NULL;
	const char	*id = sess_id(s);
	int		 ok = 0;

	cJSON_AddStringToObject(o, "heading", a->heading);
	cJSON_AddItemToObject(o, "session", cJSON_Duplicate(s, 1));
	if (why->p != NULL)
		cJSON_AddStringToObject(o, "error", why->p);
	else {
		int rc = preview_cmd(req->db, c, &pv, &err);
		if (rc < 0) {
			cJSON_Delete(o);
			buf_free(&err);
			sess_dberr(req, resp);
			return;
		}
		if (rc == 0 || !cJSON_IsObject(pv))
			cJSON_AddStringToObject(o, "error", err.p ? err.p :
			    "What this change would do cannot be shown.");
		else
			ok = sess_preview_take(o, pv);
	}
	cJSON_Delete(pv);
	buf_free(&err);
	cJSON_AddBoolToObject(o, "can_apply", ok);
	if (ok) {
		buf_printf(&url, "/admin/sessions/%s/%s", id, a->name);
		cJSON_AddStringToObject(o, "action", url.p);
		cJSON_AddItemToObject(o, "fields", sess_fields(c));
		cJSON_AddStringToObject(o, "verb", a->verb);
		cJSON_AddBoolToObject(o, "danger", a->danger);
	}
	buf_reset(&url);
	buf_printf(&url, "/admin/sessions/%s", id);
	cJSON_AddStringToObject(o, "back", url.p);
	buf_free(&url);
	hist_decorate(o, 0);
	admin_page(req, resp, "admin_preview", o, a->heading);
	if (!ok && resp->status == 200 && why->p != NULL)
		resp->status = 400;
	cJSON_Delete(o);
}

/*
 * POST /admin/sessions/{id}/{action}: step=preview (the default) shows what
 * the change will do; step=apply sends it and answers 303 to where its
 * outcome shows: the session's page, the merged-into session's page, the
 * list after a delete.
 */
void
h_admin_session_post(struct req *req, struct resp *resp)
{
	const struct sess_action	*a = sess_action(req->path);
	const char			*step = admin_form(req, "step");
	struct buf			 why = { 0 }, summary = { 0 }, back = { 0 };
	struct cmd			 c;
	cJSON				*s, *result = NULL;
	int				 ok = 0, rc;

	if (a == NULL) {
		resp_error(resp, 404, "not_found", "There is nothing at this address.");
		page_error(req, resp);
		return;
	}
	if ((s = sess_load(req, resp)) == NULL)
		return;
	if (cmd_new(&c, a->kind, req->admin != NULL ? req->admin->account : "admin",
	    req->remote_addr) < 0) {
		cJSON_Delete(s);
		resp_error(resp, 500, "internal", "Out of memory.");
		page_error(req, resp);
		return;
	}
	if (!a->args(req, s, &c, &why) && why.p == NULL)
		buf_printf(&why, "Out of memory.");
	if (why.p == NULL && !cmd_check(&c, &why) && why.p == NULL)
		buf_printf(&why, "The change is not valid.");
	if ((!a->direct && (step == NULL || strcmp(step, "apply") != 0)) || why.p != NULL) {
		sess_preview(req, resp, a, s, &c, &why);
		goto out;
	}
	if ((rc = admin_send(req, resp, &c, ADMIN_WAIT, &ok, &summary, &result)) < 0)
		goto out;
	if (rc == 1 && !ok)
		buf_printf(&back, "/admin/sessions/%s", sess_id(s));
	else if (a->kind == CMD_SESSION_DELETE)
		buf_puts(&back, "/admin/sessions");
	else if (a->kind == CMD_SESSION_MERGE)
		buf_printf(&back, "/admin/sessions/%s", cmd_str(&c, "into"));
	else
		buf_printf(&back, "/admin/sessions/%s", sess_id(s));
	admin_done(req, resp, rc == 0 || ok, &summary, back.p);
out:
	cmd_free(&c);
	cJSON_Delete(s);
	cJSON_Delete(result);
	buf_free(&why);
	buf_free(&summary);
	buf_free(&back);
}
