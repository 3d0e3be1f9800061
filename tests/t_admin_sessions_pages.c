/*
 * The admin pages of sessions (fcgi/h_admin_sessions.c) through the
 * in-memory handler driver, signed in with a sign-in row the test makes
 * itself: the list and a session's page, previews that change nothing,
 * applies that put exactly one command in the inbox, and on the public
 * side the name an admin gave a session and the sessions hidden from lists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "handler.h"
#include "admin.h"
#include "trackside.h"

static struct hctx h;

#define LIVE	"0190aaaa000070008000000000000001"	/* Sebring, live race */
#define MONZA	"0190aaaa000070008000000000000000"	/* Monza, closed practice */
#define OTHER	"0190aaaa000070008000000000000002"	/* Sebring, an hour after LIVE */
#define NOSUCH	"0190ffff000070008000000000000009"
#define T0	1795262400.0				/* LIVE's start */

/* Runs one request as a browser signed in (or not: signed 0). */
static int
call(struct resp *r, enum method m, const char *path, const char *query, const char *form,
    int signed_in)
{
	struct hreq q = { .method = m, .path = path, .query = query, .body = form };

	q.cookie = signed_in ? h.cookie : NULL;
	return hctx_send(&h, r, &q);
}

static int
get(struct resp *r, const char *path, const char *query)
{
	return call(r, METHOD_GET, path, query, NULL, 1);
}

/* POSTs form fields (already urlencoded, without csrf) signed in. */
static int
post(struct resp *r, const char *path, const char *fields)
{
	char form[2048];

	snprintf(form, sizeof(form), "csrf=%s%s%s", h.csrf, *fields ? "&" : "", fields);
	return call(r, METHOD_POST, path, NULL, form, 1);
}

static const char *
body(const struct resp *r)
{
	return r->body.p ? r->body.p : "";
}

/*
 * The session commands in the inbox so far, parsed, into cmds (up to max;
 * the caller frees each with cmd_free). Returns their number, -1 on error.
 */
static int
inbox_cmds(struct cmd *cmds, int max)
{
	struct inbox_reader	*rd;
	struct buf		 err = { 0 };
	int			 n = 0, rc;

	if (inbox_reader_open(&rd, h.inbox) < 0)
		return -1;
	if ((rc = inbox_read(rd, inbox_pos_zero, NULL, 10000, 1u << 24)) < 0) {
		inbox_reader_free(rd);
		return -1;
	}
	for (int i = 0; i < rc; i++) {
		const struct inbox_rec *rec = &rd->recs[i];
		const char *json = strchr(rec->body, '\n');
		struct cmd c;
		if (strcmp(rec->client, CMD_CLIENT) != 0 || json == NULL)
			continue;
		json++;
		if (cmd_parse(&c, json, strlen(json), &err) != 1) {
			diag("a command record does not parse: %s", err.p ? err.p : "");
			buf_reset(&err);
			n = -1;
			break;
		}
		/* a sign-in's refresh may come along on a slow run: not a change */
		if (((c.kind < CMD_SESSION_RENAME || c.kind > CMD_SESSION_REPROCESS) &&
		    c.kind != CMD_SESSION_RULES) || n >= max) {
			cmd_free(&c);
			continue;
		}
		cmds[n++] = c;
	}
	inbox_reader_free(rd);
	buf_free(&err);
	return n;
}

static void
cmds_free(struct cmd *cmds, int n)
{
	for (int i = 0; i < n; i++)
		cmd_free(&cmds[i]);
}

/* The number of session commands in the inbox. */
static int
inbox_count(void)
{
	struct cmd	 cmds[16];
	int		 n = inbox_cmds(cmds, 16);

	cmds_free(cmds, n);
	return n;
}

/* How many times needle occurs in hay. */
static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* A third session beside the fixture's two, raw frames and lap times. */
static int
more_rows(void)
{
	char sql[2048];

	snprintf(sql, sizeof(sql),
	    "INSERT INTO sessions (id, sim, track, type, online, started_at, last_update, state, "
	    "finished, cars, laps) VALUES ('" OTHER "', 'lmu', 'Sebring School Circuit', 'race2', "
	    "1, %.0f, %.0f, 'closed', 1, 0, 0);"
	    "INSERT INTO raw_frames (session_id, client, seq, captured_at, received_at, source, "
	    "body) VALUES ('" LIVE "', 'clientAAAA', 1, %.3f, %.3f, 'lmu', x'00'), "
	    "('" LIVE "', 'clientAAAA', 2, %.3f, %.3f, 'lmu', x'00'), "
	    "('" LIVE "', 'clientAAAA', 3, %.3f, %.3f, 'lmu', x'00');"
	    "UPDATE laps SET seen_at = %.0f + 100 * lap WHERE car_id = 1;",
	    T0 + 3600, T0 + 5400, T0 + 10, T0 + 10, T0 + 300, T0 + 300, T0 + 600, T0 + 600, T0);
	return hctx_sql(&h, sql);
}

static void
test_list(struct resp *r)
{
	const char *a, *b;

	ok(call(r, METHOD_GET, "/admin/sessions", NULL, NULL, 0) == 303,
	    "the list without a sign-in: a redirect to the sign-in page");
	ok(get(r, "/admin/sessions", NULL) == 200 && strstr(r->ctype, "text/html"),
	    "the list answers a signed-in admin");
	a = strstr(body(r), "/admin/sessions/" OTHER "\"");
	b = strstr(body(r), "/admin/sessions/" LIVE "\"");
	ok(a && b && a < b && strstr(body(r), "/admin/sessions/" MONZA "\""),
	    "every session, newest first, links to its admin page");
	ok(strstr(body(r), "Autodromo Nazionale Monza · Practice") != NULL,
	    "a session without a name is called by its track and type");
	ok(get(r, "/admin/sessions", "sim=lmu&q=monza") == 200 &&
	    count(body(r), "href=\"/admin/sessions/0190") == 1 &&
	    strstr(body(r), "/admin/sessions/" MONZA "\""), "the text filter finds a track");
	ok(get(r, "/admin/sessions", "state=live") == 200 &&
	    count(body(r), "href=\"/admin/sessions/0190") == 1 &&
	    strstr(body(r), "/admin/sessions/" LIVE "\""), "the state filter selects");
	ok(get(r, "/admin/sessions", "q=%25") == 200 &&
	    count(body(r), "href=\"/admin/sessions/0190") == 0,
	    "LIKE's own characters in the text are taken literally");
	ok(get(r, "/admin/sessions", "state=gone") == 400, "a bad filter value: 400");
}

static void
test_session_page(struct resp *r)
{
	char loc[256];

	ok(get(r, "/admin/sessions/" LIVE, NULL) == 200, "a session's admin page answers");
	ok(strstr(body(r), "name=\"csrf\" value=\"") != NULL &&
	    count(body(r), h.csrf) >= 7, "every form of the page carries the CSRF token");
	ok(strstr(body(r), "<option value=\"" OTHER "\"") != NULL &&
	    strstr(body(r), "<option value=\"" MONZA "\"") == NULL,
	    "merge offers the sessions of the same sim and track only");
	ok(strstr(body(r), "lap 2 · ") != NULL && strstr(body(r), "value=\"1795262500.001\""),
	    "split offers the leader's lap starts: just after the frame that ended the lap before");
	ok(strstr(body(r), "type=\"datetime-local\"") && strstr(body(r), "step=\"1\"") &&
	    strstr(body(r), "min=\"2026-11-21T12:00:10\""),
	    "split takes a time to the second within the captured frames");
	ok(get(r, "/admin/sessions/" NOSUCH, NULL) == 404 && strstr(r->ctype, "text/html") &&
	    strstr(body(r), "no session"), "an unknown session: a 404 page");
	ok(get(r, "/admin/sessions/..%2f..", NULL) == 404, "a malformed id: 404");
	ok(post(r, "/admin/sessions/" NOSUCH "/delete", "step=apply") == 404 && inbox_count() == 0,
	    "a change of an unknown session: 404, nothing sent");
	ok(call(r, METHOD_POST, "/admin/sessions/" LIVE "/delete", NULL, "step=apply", 1) == 403 &&
	    inbox_count() == 0, "a change without the CSRF token: 403, nothing sent");
	ok(call(r, METHOD_POST, "/admin/sessions/" LIVE "/delete", NULL, "step=apply", 0) == 303 &&
	    hctx_header(r, "Location", loc, sizeof(loc)) && strncmp(loc, "/admin/login", 12) == 0 &&
	    inbox_count() == 0, "a change without a sign-in: to the sign-in page, nothing sent");
}

static void
test_preview(struct resp *r)
{
	ok(post(r, "/admin/sessions/" LIVE "/delete", "step=preview") == 200,
	    "the preview of a delete answers");
	ok(strstr(body(r), "What will change") && strstr(body(r), "preview-table") &&
	    count(body(r), "<tr><th scope=\"row\">") > 0, "it shows the table of what will change");
	ok(strstr(body(r), "name=\"step\" value=\"apply\"") &&
	    strstr(body(r), "action=\"/admin/sessions/" LIVE "/delete\"") &&
	    strstr(body(r), "name=\"session\" value=\"" LIVE "\"") &&
	    strstr(body(r), "href=\"/admin/sessions/" LIVE "\">Cancel"),
	    "and a form to confirm it, and a way to cancel");
	ok(inbox_count() == 0, "a preview puts nothing in the inbox");
	ok(post(r, "/admin/sessions/" LIVE "/merge", "session=" LIVE "&into=" OTHER) == 200 &&
	    strstr(body(r), "name=\"into\" value=\"" OTHER "\"") && inbox_count() == 0,
	    "the preview of a merge carries both sessions and sends nothing");
	ok(post(r, "/admin/sessions/" LIVE "/merge", "session=" MONZA "&into=" OTHER) == 400 &&
	    strstr(body(r), "must be this one") && !strstr(body(r), "value=\"apply\""),
	    "a merge of two other sessions is refused on its page");
	ok(post(r, "/admin/sessions/" LIVE "/split", "at=2020-01-01T00%3A00") == 400 &&
	    strstr(body(r), "is not within the session") &&
	    strstr(body(r), "2020-01-01 00:00:00") && !strstr(body(r), "value=\"apply\"") &&
	    inbox_count() == 0, "a split time outside the session: the preview says so, no confirm");
	ok(post(r, "/admin/sessions/" LIVE "/split", "at=2026-11-21T12%3A02&lap_at=") == 200 &&
	    strstr(body(r), "value=\"apply\"") && strstr(body(r), "name=\"at\" value=\"1795262520.000\""),
	    "a split time typed without seconds is a whole minute, inside the session");
	ok(post(r, "/admin/sessions/" LIVE "/rename", "name=Night%20race") == 200 &&
	    strstr(body(r), "name=\"name\" value=\"Night race\"") &&
	    strstr(body(r), "value=\"apply\"") && inbox_count() == 0,
	    "a rename is shown first too, with the new name in its confirm form");
	ok(post(r, "/admin/sessions/" LIVE "/hide", "hidden=1") == 200 &&
	    strstr(body(r), "name=\"hidden\" value=\"1\"") && inbox_count() == 0,
	    "so is hiding");
	ok(post(r, "/admin/sessions/" LIVE "/rename", "name=%01") == 400 &&
	    strstr(body(r), "control characters"), "a name with a control character is refused");
}

/* Applies a change: one command of kind with these args, and where the answer goes. */
static void
test_apply_one(struct resp *r, const char *action, const char *fields, enum cmd_kind kind,
    const char *args, const char *to)
{
	struct cmd	 cmds[16];
	char		 loc[256], want[128], *json = NULL;
	int		 before = inbox_count(), n, st;

	st = post(r, action, fields);
	n = inbox_cmds(cmds, 16);
	ok(st == 303 && n == before + 1 && cmds[n - 1].kind == kind,
	    "%s: one %s command is sent", action, cmd_names[kind]);
	if (n > 0 && n == before + 1)
		json = cJSON_PrintUnformatted(cmds[n - 1].args);
	ok(json != NULL && strcmp(json, args) == 0, "with the args %s (got %s)", args,
	    json ? json : "none");
	snprintf(want, sizeof(want), "%s?done=%s", to, n > 0 ? cmds[n - 1].id : "");
	ok(hctx_header(r, "Location", loc, sizeof(loc)) != NULL && strcmp(loc, want) == 0,
	    "and the answer goes to %s with the command's id (got %s)", to,
	    hctx_header(r, "Location", loc, sizeof(loc)) ? loc : "none");
	ok(n > 0 && strcmp(cmds[n - 1].by, "marshal") == 0 &&
	    strcmp(cmds[n - 1].addr, "192.0.2.7") == 0, "signed with the admin and the address");
	free(json);
	cmds_free(cmds, n);
}

static void
test_apply(struct resp *r)
{
	struct cmd	cmds[16];
	char		loc[256];
	int		n;

	test_apply_one(r, "/admin/sessions/" LIVE "/rename", "step=apply&name=Finale%20%3Cb%3E",
	    CMD_SESSION_RENAME, "{\"session\":\"" LIVE "\",\"name\":\"Finale <b>\"}",
	    "/admin/sessions/" LIVE);
	test_apply_one(r, "/admin/sessions/" LIVE "/hide", "step=apply&hidden=1",
	    CMD_SESSION_HIDE, "{\"session\":\"" LIVE "\",\"hidden\":true}", "/admin/sessions/" LIVE);
	test_apply_one(r, "/admin/sessions/" OTHER "/merge",
	    "step=apply&session=" LIVE "&into=" OTHER, CMD_SESSION_MERGE,
	    "{\"session\":\"" LIVE "\",\"into\":\"" OTHER "\"}", "/admin/sessions/" OTHER);
	test_apply_one(r, "/admin/sessions/" LIVE "/split", "step=apply&at=1795262500.000",
	    CMD_SESSION_SPLIT, "{\"session\":\"" LIVE "\",\"at\":1795262500}",
	    "/admin/sessions/" LIVE);
	test_apply_one(r, "/admin/sessions/" LIVE "/reprocess", "step=apply",
	    CMD_SESSION_REPROCESS, "{\"session\":\"" LIVE "\"}", "/admin/sessions/" LIVE);
	test_apply_one(r, "/admin/sessions/" MONZA "/delete", "step=apply",
	    CMD_SESSION_DELETE, "{\"session\":\"" MONZA "\"}", "/admin/sessions");

	/* nothing applied them: the page says the last one waits */
	n = inbox_cmds(cmds, 16);
	snprintf(loc, sizeof(loc), "done=%s", n > 0 ? cmds[n - 1].id : "");
	ok(get(r, "/admin/sessions", loc) == 200 && strstr(body(r), "pending") &&
	    !strstr(body(r), "done=") && !strstr(body(r), "No session matches"),
	    "a command not applied yet shows as pending, once, and filters nothing");
	/* as trackside-ingestd writes the outcome of a split */
	if (n > 0) {
		char sql[512];
		snprintf(sql, sizeof(sql), "INSERT INTO admin_log (id, at, applied_at, by, cmd, "
		    "target, summary, ok, result) VALUES ('%s', 0, 0, 'marshal', 'session.split', "
		    "'" LIVE "', 'split it', 1, '{\"session\":\"" OTHER "\"}')", cmds[3].id);
		hctx_sql(&h, sql);
		snprintf(loc, sizeof(loc), "done=%s", cmds[3].id);
	}
	ok(get(r, "/admin/sessions/" LIVE, loc) == 200 && strstr(body(r), "split it") &&
	    strstr(body(r), "made a new session: <a href=\"/admin/sessions/" OTHER "\""),
	    "after a split the page shows the outcome and links the new session");
	cmds_free(cmds, n);
}

/* The drive-time rules' form: shown with the rules that apply, sent at once. */
static void
test_rules(struct resp *r)
{
	int before;

	ok(get(r, "/admin/sessions/" LIVE, NULL) == 200 &&
	    strstr(body(r), "action=\"/admin/sessions/" LIVE "/rules\"") &&
	    strstr(body(r), "No rules apply") && strstr(body(r), "id=\"rules-min\" name=\"min\" value=\"\"") &&
	    !strstr(body(r), "Use the configuration"),
	    "the session's page has the rules form; none apply, none set");
	test_apply_one(r, "/admin/sessions/" LIVE "/rules",
	    "step=apply&min=45&max=240&window=&window_max=&stint=90.5", CMD_SESSION_RULES,
	    "{\"session\":\"" LIVE "\",\"rules\":{\"min\":2700,\"max\":14400,\"window\":0,"
	    "\"window_max\":0,\"stint\":5430}}", "/admin/sessions/" LIVE);
	test_apply_one(r, "/admin/sessions/" LIVE "/rules", "step=apply&clear=1", CMD_SESSION_RULES,
	    "{\"session\":\"" LIVE "\",\"rules\":{}}", "/admin/sessions/" LIVE);
	before = inbox_count();
	ok(post(r, "/admin/sessions/" LIVE "/rules", "step=apply&min=two%20hours") == 400 &&
	    strstr(body(r), "minutes") && inbox_count() == before,
	    "a rule that is no number of minutes: 400, saying why, nothing sent");
	ok(post(r, "/admin/sessions/" LIVE "/rules", "step=apply&max=100000000") == 400 &&
	    inbox_count() == before, "a rule beyond a week: 400, nothing sent");
	hctx_sql(&h, "UPDATE sessions SET drive_rules = '{\"min\":2700,\"stint\":5430}' WHERE id = '"
	    LIVE "'");
	ok(get(r, "/admin/sessions/" LIVE, NULL) == 200 && strstr(body(r), "rules of its own") &&
	    strstr(body(r), "name=\"min\" value=\"45\"") && strstr(body(r), "name=\"stint\" value=\"90.5\"") &&
	    strstr(body(r), "name=\"max\" value=\"\"") && strstr(body(r), "Use the configuration"),
	    "rules of its own fill the form, in minutes, with a way back to the configuration's");
	hctx_sql(&h, "UPDATE sessions SET drive_rules = NULL WHERE id = '" LIVE "'");
}

/* The name an admin gave, with markup in it, on the admin and public pages. */
static void
test_names(struct resp *r)
{
	cJSON *o, *s;
	const char *xss = "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x&gt;";

	hctx_sql(&h, "UPDATE sessions SET name = '<script>alert(1)</script> \"><img src=x>' "
	    "WHERE id = '" LIVE "'");
	ok(get(r, "/admin/sessions", NULL) == 200 && strstr(body(r), xss) &&
	    !strstr(body(r), "<script>alert") && !strstr(body(r), "<img src=x"),
	    "a name with markup is text on the admin list");
	ok(get(r, "/admin/sessions/" LIVE, NULL) == 200 && strstr(body(r), xss) &&
	    !strstr(body(r), "<script>alert") && !strstr(body(r), "<img src=x"),
	    "and on the session's admin page");
	ok(post(r, "/admin/sessions/" LIVE "/delete", "") == 200 && strstr(body(r), xss) &&
	    !strstr(body(r), "<script>alert") && !strstr(body(r), "<img src=x"),
	    "and on a preview");
	ok(get(r, "/sessions/" LIVE, NULL) == 200 && strstr(body(r), xss) &&
	    !strstr(body(r), "<script>alert") && !strstr(body(r), "<img src=x"),
	    "and on the public session page");
	ok(strstr(body(r), "<title>" "&lt;script&gt;") != NULL,
	    "where it is the title instead of the track and type");
	ok(get(r, "/", NULL) == 200 && strstr(body(r), xss) && !strstr(body(r), "<script>alert"),
	    "and on the public list");
	hctx_sql(&h, "UPDATE sessions SET name = 'Finale' WHERE id = '" LIVE "'");
	ok(get(r, "/sessions/" LIVE, NULL) == 200 &&
	    strstr(body(r), ">Finale</a> <span class=\"type\">Race · Sebring School Circuit</span>"),
	    "the public session page heads with the name, the type and track beside it");
	o = (get(r, "/api/v1/sessions", NULL) == 200) ? cJSON_Parse(body(r)) : NULL;
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "sessions"), 0);
	ok(s && strcmp(cJSON_GetObjectItem(s, "id")->valuestring, LIVE) == 0 &&
	    cJSON_IsString(cJSON_GetObjectItem(s, "name")) &&
	    strcmp(cJSON_GetObjectItem(s, "name")->valuestring, "Finale") == 0,
	    "the API's session list carries the name");
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "sessions"), 1);
	ok(s && cJSON_IsNull(cJSON_GetObjectItem(s, "name")), "and null for a session without one");
	cJSON_Delete(o);
	o = (get(r, "/api/v1/sessions/" LIVE, NULL) == 200) ? cJSON_Parse(body(r)) : NULL;
	ok(o && cJSON_IsString(cJSON_GetObjectItem(o, "name")), "so does the session's own JSON");
	cJSON_Delete(o);
}

/* A hidden session: in no public list, its own pages still there. */
static void
test_hidden(struct resp *r)
{
	cJSON *o;

	ok(get(r, "/api/v1/best-laps", "track=Sebring%20School%20Circuit") == 200 &&
	    strstr(body(r), "Frank Riley") && get(r, "/best-laps", NULL) == 200 &&
	    strstr(body(r), "<option>Sebring School Circuit</option>") &&
	    get(r, "/", NULL) == 200 && count(body(r), "href=\"/sessions/" LIVE "\"") >= 2,
	    "before: the live session is in the lists and its laps in the best laps");
	hctx_sql(&h, "UPDATE sessions SET hidden = 1 WHERE id IN ('" LIVE "', '" OTHER "')");
	ok(get(r, "/", NULL) == 200 && !strstr(body(r), LIVE) && !strstr(body(r), OTHER) &&
	    strstr(body(r), MONZA), "hidden sessions are on neither list of the public page");
	ok(strstr(body(r), "No session is live right now") && !strstr(body(r),
	    "<option value=\"Sebring School Circuit\">"),
	    "nor in the live list or the track suggestions");
	o = (get(r, "/api/v1/sessions", NULL) == 200) ? cJSON_Parse(body(r)) : NULL;
	ok(o && cJSON_GetObjectItem(o, "total")->valueint == 1 && !strstr(body(r), LIVE),
	    "nor in the API's list, nor in its count");
	cJSON_Delete(o);
	ok(get(r, "/api/v1/sessions", "live=1") == 200 && !strstr(body(r), LIVE),
	    "nor among the live ones");
	ok(get(r, "/api/v1/best-laps", "track=Sebring%20School%20Circuit") == 200 &&
	    !strstr(body(r), "Frank Riley"), "their laps count in no best laps");
	ok(get(r, "/best-laps", NULL) == 200 && !strstr(body(r), "Sebring School Circuit"),
	    "and their track is not offered there");
	ok(get(r, "/sessions/" LIVE, NULL) == 200 && get(r, "/api/v1/sessions/" LIVE, NULL) == 200 &&
	    get(r, "/sessions/" LIVE "/timing", NULL) == 200,
	    "a hidden session's own pages still answer");
	ok(get(r, "/admin/sessions", NULL) == 200 && strstr(body(r), LIVE) &&
	    strstr(body(r), "<span class=\"badge\">hidden</span>") &&
	    get(r, "/admin/sessions", "shown=hidden") == 200 &&
	    count(body(r), "href=\"/admin/sessions/0190") == 2,
	    "the admin list still has them, marked, and filters on them");
}

int
main(void)
{
	struct resp r;

	if (!hctx_open(&h))
		return 1;
	h.app.admin_wait = 0.01;	/* nobody applies the commands here */
	if (!hctx_sql_file(&h, "tests/fixtures/pages.sql") || !more_rows() || !hctx_sign_in(&h, "marshal"))
		return 1;
	resp_init(&r);
	test_list(&r);
	test_session_page(&r);
	test_preview(&r);
	test_apply(&r);
	test_rules(&r);
	test_names(&r);
	test_hidden(&r);
	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
