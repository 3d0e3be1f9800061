/*
 * The admin pages for known drivers, client access, enrollment and the
 * audit log, and POST /api/v1/clients, through the in-memory handler
 * driver. The test signs in by writing an admin_logins row itself; the
 * commands the pages put in the inbox are read back from it and applied
 * with the writer's own command_apply(), as trackside-ingestd would.
 */
#include <sys/wait.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "handler.h"
#include "admin.h"
#include "csv.h"
#include "db.h"
#include "ingest.h"

static struct hctx h;

/* Commands read from the inbox so far. */
static int seen;

static int
call(struct resp *r, enum method m, const char *path, const char *query, const char *ctype,
    const char *body, const char *cookies)
{
	struct hreq q = { .method = m, .path = path, .query = query, .cookie = cookies, .body = body,
	    .ctype = ctype };

	return hctx_send(&h, r, &q);
}

/* The records put in the inbox since the last call; the last command in *last. */
static int
inbox_new(struct cmd *last)
{
	return hctx_inbox_new(&h, &seen, last);
}

static int
get(struct resp *r, const char *path, const char *query)
{
	return call(r, METHOD_GET, path, query, NULL, NULL, h.cookie);
}

static const char *
body(const struct resp *r)
{
	return r->body.p ? r->body.p : "";
}

/* Applies every command of the inbox not applied yet, as trackside-ingestd does. Returns how many. */
static int
apply_all(void)
{
	static int		 applied;
	struct inbox_reader	*rd;
	struct buf		 err = { 0 };
	struct stmts		 st;
	struct cmd_ctx		 x;
	sqlite3			*rw;
	int			 n, done = 0;

	if (inbox_reader_open(&rd, h.inbox) < 0)
		return -1;
	n = inbox_read(rd, inbox_pos_zero, NULL, 100000, 64u << 20);
	if (!db_open(&rw, h.db_path, DB_RW, &err) || !stmts_prepare(&st, rw, &err)) {
		diag("apply: %s", err.p ? err.p : "");
		inbox_reader_free(rd);
		return -1;
	}
	for (int i = applied; i < n; i++) {
		const struct inbox_rec *rec = &rd->recs[i];
		const char *json = strchr(rec->body, '\n');
		struct cmd c;
		if (strcmp(rec->client, CMD_CLIENT) != 0 || json == NULL ||
		    cmd_parse(&c, json + 1, strlen(json + 1), &err) != 1)
			continue;
		memset(&x, 0, sizeof(x));
		x.db = rw;
		x.stmts = &st;
		x.inbox = h.inbox;
		if (db_exec(rw, "BEGIN IMMEDIATE", &err) && command_apply(&x, &c) > 0 &&
		    db_exec(rw, "COMMIT", &err))
			done++;
		else {
			diag("apply %s: %s", cmd_names[c.kind], sqlite3_errmsg(rw));
			db_exec(rw, "ROLLBACK", NULL);
		}
		command_ctx_free(&x);
		cmd_free(&c);
	}
	applied = n > applied ? n : applied;
	stmts_finalize(&st);
	db_close(rw);
	inbox_reader_free(rd);
	buf_free(&err);
	return done;
}

/* The id of ?done=<id> in a 303's Location, into out. */
static const char *
done_id(const struct resp *r, char out[CMD_ID_LEN + 1])
{
	char		 loc[512];
	const char	*d;

	if (r->status != 303 || hctx_header(r, "Location", loc, sizeof(loc)) == NULL ||
	    (d = strstr(loc, "done=")) == NULL || strlen(d + 5) != CMD_ID_LEN)
		return NULL;
	memcpy(out, d + 5, CMD_ID_LEN + 1);
	return out;
}

/* The value of the first value="..." after marker in html, unescaped of nothing (codes, tokens). */
static int
value_after(const char *html, const char *marker, char *out, size_t outsz)
{
	const char *p = strstr(html, marker), *e;

	if (p == NULL || (p = strstr(p, "value=\"")) == NULL || (e = strchr(p + 7, '"')) == NULL ||
	    (size_t)(e - p - 7) >= outsz)
		return 0;
	snprintf(out, outsz, "%.*s", (int)(e - p - 7), p + 7);
	return 1;
}

static void
test_routes_render(void)
{
	static const char *const pages[] = { "/admin/known", "/admin/known/import", "/admin/clients",
	    "/admin/enroll", "/admin/log" };
	struct resp	 r;
	char		 v[128], form[80];

	resp_init(&r);
	snprintf(form, sizeof(form), "name=\"csrf\" value=\"%s\"", h.csrf);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		ok(get(&r, pages[i], NULL) == 200 && strstr(body(&r), form) != NULL &&
		    strstr(body(&r), "Signed in as <strong>alice</strong>") != NULL &&
		    hctx_header(&r, "Cache-Control", v, sizeof(v)) && strcmp(v, "no-store") == 0,
		    "GET %s renders for a signed-in admin, its forms carry the csrf token, no-store",
		    pages[i]);
	ok(call(&r, METHOD_GET, "/admin/known", NULL, NULL, NULL, NULL) == 303,
	    "GET /admin/known without a sign-in is sent to the sign-in page");
	ok(get(&r, "/admin/known.csv", NULL) == 200 && strncmp(r.ctype, "text/csv", 8) == 0 &&
	    hctx_header(&r, "Content-Disposition", v, sizeof(v)) && strncmp(v, "attachment", 10) == 0 &&
	    strncmp(body(&r), "name,note\r\n", 11) == 0,
	    "GET /admin/known.csv is a CSV attachment with its header line");
	resp_free(&r);
}

static void
test_known_commands(void)
{
	struct resp	 r;
	struct cmd	 c;
	char		 id[CMD_ID_LEN + 1], q[64];

	resp_init(&r);
	ok(hctx_post(&h, &r, "/admin/known/add", "name", "  Alice Blue ", "note", "team mate",
	    NULL) == 303 &&
	    done_id(&r, id) != NULL && inbox_new(&c) == 1 && c.kind == CMD_KNOWN_ADD &&
	    strcmp(cmd_str(&c, "name"), "Alice Blue") == 0 &&
	    strcmp(cmd_str(&c, "note"), "team mate") == 0 && strcmp(c.by, "alice") == 0 &&
	    strcmp(c.id, id) == 0 && strcmp(c.addr, "192.0.2.7") == 0,
	    "add: one known.add command in the inbox (trimmed name, note, by the account, from "
	    "the address), 303 with its id");
	cmd_free(&c);
	snprintf(q, sizeof(q), "done=%s", id);
	ok(get(&r, "/admin/known", q) == 200 && strstr(body(&r), "pending: the change is queued") &&
	    strstr(body(&r), "Alice Blue") == NULL,
	    "add: not applied yet, the page says pending and does not list the name");
	apply_all();
	ok(get(&r, "/admin/known", q) == 200 && strstr(body(&r), "flash ok") != NULL &&
	    strstr(body(&r), "<td class=\"driver\">Alice Blue</td>") != NULL,
	    "add: once applied, the page shows the summary and lists the driver");
	ok(hctx_post(&h, &r, "/admin/known/rename", "name", "Alice Blue", "to", "Alice Green",
	    NULL) == 303 &&
	    inbox_new(&c) == 1 && c.kind == CMD_KNOWN_RENAME &&
	    strcmp(cmd_str(&c, "name"), "Alice Blue") == 0 &&
	    strcmp(cmd_str(&c, "to"), "Alice Green") == 0,
	    "rename: one known.rename command {name, to}");
	cmd_free(&c);
	apply_all();
	ok(get(&r, "/admin/known", "q=green") == 200 && strstr(body(&r), "Alice Green") != NULL &&
	    strstr(body(&r), "Alice Blue") == NULL, "rename: applied, the search finds the new name");
	ok(hctx_post(&h, &r, "/admin/known/remove", "name", "Alice Green", NULL) == 200 &&
	    strstr(body(&r), "name=\"confirm\" value=\"1\"") != NULL && inbox_new(NULL) == 0,
	    "remove: without confirm=1 a page asks first and nothing is sent");
	ok(hctx_post(&h, &r, "/admin/known/remove", "name", "Alice Green", "confirm", "1", NULL) == 303 &&
	    inbox_new(&c) == 1 && c.kind == CMD_KNOWN_REMOVE &&
	    strcmp(cmd_str(&c, "name"), "Alice Green") == 0,
	    "remove: confirmed, one known.remove command");
	cmd_free(&c);
	apply_all();
	ok(get(&r, "/admin/known", "q=alice") == 200 && strstr(body(&r), "Alice Green") == NULL,
	    "remove: applied, the driver is gone");
	ok(hctx_post(&h, &r, "/admin/known/add", "name", "", NULL) == 400 && inbox_new(NULL) == 0,
	    "add: an empty name is refused (400) and nothing is sent");
	ok(call(&r, METHOD_POST, "/admin/known/add", NULL, "application/x-www-form-urlencoded",
	    "name=Bob", h.cookie) == 403 && inbox_new(NULL) == 0,
	    "add without the csrf token: 403 and nothing is sent");
	resp_free(&r);
}

static void
test_import(void)
{
	struct resp	 r;
	struct cmd	 c;
	const char	*bad = "name,note\n"
	    "Good Driver,fine\n"
	    "\n"
	    " ,empty name\n"
	    "A name that is far too long to be any driver's name in any game at all,x\n"
	    "Ctl\x01Char,x\n"
	    "Good Driver,again\n"
	    "Bad \"quote,x\n"
	    "\"Not closed,x\n";
	char		 csv[600];

	resp_init(&r);
	ok(hctx_post(&h, &r, "/admin/known/import", "step", "preview", "csv", bad, NULL) == 200 &&
	    strstr(body(&r), "the name is empty") && strstr(body(&r), "longer than 64 bytes") &&
	    strstr(body(&r), "control characters") && strstr(body(&r), "comes twice (line 2)") &&
	    strstr(body(&r), "a quote inside a field") && strstr(body(&r), "a quote is not closed"),
	    "import preview: each wrong line says why (empty, too long, control characters, "
	    "twice, bad quoting)");
	ok(strstr(body(&r), "value=\"apply\"") == NULL && strstr(body(&r), "<td class=\"num\">4</td>") &&
	    strstr(body(&r), "<td class=\"num\">9</td>"),
	    "import preview: no apply form while a line has an error; rows carry their line numbers");
	ok(hctx_post(&h, &r, "/admin/known/import", "step", "apply", "csv", bad, NULL) == 200 &&
	    inbox_new(NULL) == 0, "import apply of a text with errors sends nothing");
	snprintf(csv, sizeof(csv), "Zed Alpha, one\r\n\"Comma, Inc\",\"say \"\"hi\"\"\"\r\n"
	    "=Formula,\r\nKevin Estre,league\r\n");
	ok(hctx_post(&h, &r, "/admin/known/import", "step", "preview", "csv", csv, NULL) == 200 &&
	    strstr(body(&r), "value=\"apply\"") != NULL && strstr(body(&r), "already known") &&
	    strstr(body(&r), "Comma, Inc") && strstr(body(&r), "say &quot;hi&quot;") &&
	    inbox_new(NULL) == 0,
	    "import preview of a good text: new and already known rows, an apply form, nothing sent");
	ok(hctx_post(&h, &r, "/admin/known/import", "step", "apply", "csv", csv, NULL) == 303 &&
	    inbox_new(&c) == 1 && c.kind == CMD_KNOWN_IMPORT &&
	    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c.args, "rows")) == 4,
	    "import apply: one known.import command with the 4 rows");
	cmd_free(&c);
	ok(apply_all() == 1 && get(&r, "/admin/known", "q=comma") == 200 &&
	    strstr(body(&r), "Comma, Inc") != NULL, "import: applied, the drivers are listed");
	resp_free(&r);
}

/* Every known driver goes out in the CSV and comes back in as "already known". */
static void
test_export_roundtrip(void)
{
	struct resp	 r;
	char		*exported;
	int		 n;

	resp_init(&r);
	hctx_sql(&h, "INSERT INTO known_drivers (name, note, added_at) VALUES "
	    "('-Dash', 'a \"quoted\" note, with comma', 0), ('@At', '', 0), ('  ', 'x', 0)");
	/* that last one cannot be imported; it goes again before the round trip */
	hctx_sql(&h, "DELETE FROM known_drivers WHERE name = '  '");
	get(&r, "/admin/known.csv", NULL);
	exported = strdup(body(&r));
	n = 0;
	for (const char *p = exported; (p = strstr(p, "\r\n")) != NULL; p += 2)
		n++;
	ok(hctx_post(&h, &r, "/admin/known/import", "step", "preview", "csv", exported, NULL) == 200 &&
	    strstr(body(&r), "with an error") && strstr(body(&r), ", 0 with an error") != NULL &&
	    strstr(body(&r), "0 new") != NULL && strstr(body(&r), "-Dash") &&
	    strstr(body(&r), "a &quot;quoted&quot; note, with comma"),
	    "export then import: every one of the %d lines reads back as already known", n - 1);
	free(exported);
	resp_free(&r);
}

static void
test_xss(void)
{
	static const char *const evil[] = { "<script>alert(1)</script>",
	    "\"><img src=x onerror=alert(1)>" };
	struct resp	 r;
	char		 loc[256];

	resp_init(&r);
	for (int i = 0; i < 2; i++) {
		hctx_post(&h, &r, "/admin/known/add", "name", evil[i], "note", evil[1 - i], NULL);
		hctx_post(&h, &r, "/admin/clients/add", "name", evil[i], NULL);
		ok(r.status == 200 && strstr(body(&r), "<script>alert") == NULL &&
		    strstr(body(&r), "<img src=x") == NULL && strstr(body(&r), "&lt;") != NULL,
		    "a client token named %s shows its name as text", i ? "with an <img>" : "<script>");
		hctx_post(&h, &r, "/admin/enroll/add", "label", evil[i], "hours", "2", NULL);
		ok(r.status == 200 && strstr(body(&r), "<script>alert") == NULL &&
		    strstr(body(&r), "<img src=x") == NULL,
		    "an enrollment code labelled %s shows its label as text", i ? "<img>" : "<script>");
		hctx_post(&h, &r, "/admin/known/import", "step", "preview", "csv", evil[i], NULL);
		ok(r.status == 200 && strstr(body(&r), "<script>alert") == NULL &&
		    strstr(body(&r), "<img src=x") == NULL,
		    "an import preview of %s shows it as text", i ? "<img>" : "<script>");
	}
	apply_all();
	static const char *const pages[] = { "/admin/known", "/admin/clients", "/admin/enroll",
	    "/admin/log" };
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		ok(get(&r, pages[i], NULL) == 200 && strstr(body(&r), "<script>alert") == NULL &&
		    strstr(body(&r), "<img src=x") == NULL && strstr(body(&r), "&lt;script&gt;") != NULL,
		    "%s shows the <script> and <img> payloads as text", pages[i]);
	ok(get(&r, "/admin/log", "by=%3Cscript%3Ealert(1)%3C%2Fscript%3E") == 200 &&
	    strstr(body(&r), "<script>alert") == NULL, "the log's filter echoes a payload as text");
	ok(hctx_post(&h, &r, "/admin/known/mark", "name", "Mark One", "back", "javascript:alert(1)",
	    NULL) ==
	    303 && hctx_header(&r, "Location", loc, sizeof(loc)) && strncmp(loc, "/admin/known?", 13) == 0,
	    "mark: back=javascript: goes to /admin/known instead");
	ok(hctx_post(&h, &r, "/admin/known/mark", "name", "Mark Two", "back", "//evil.example/x", NULL) ==
	    303 && hctx_header(&r, "Location", loc, sizeof(loc)) && strncmp(loc, "/admin/known?", 13) == 0,
	    "mark: back=//host goes to /admin/known instead");
	ok(hctx_post(&h, &r, "/admin/known/mark", "name", "Mark Three", "back", "/\\evil.example", NULL) ==
	    303 && hctx_header(&r, "Location", loc, sizeof(loc)) && strncmp(loc, "/admin/known?", 13) == 0,
	    "mark: back=/\\host goes to /admin/known instead");
	ok(hctx_post(&h, &r, "/admin/known/mark", "name", "Mark Four", "back", "/best-laps?track=x",
	    NULL) ==
	    303 && hctx_header(&r, "Location", loc, sizeof(loc)) &&
	    strncmp(loc, "/best-laps?track=x&done=", 24) == 0,
	    "mark: a local back path is where it returns, with the outcome");
	inbox_new(NULL);
	resp_free(&r);
}

/* The one-click "mark known" buttons of the public pages, for a signed-in admin only. */
static void
test_mark_buttons(void)
{
	struct resp	 r;
	char		 ck[128], form[128];

	resp_init(&r);
	snprintf(ck, sizeof(ck), "ts_csrf=%s", h.csrf);
	snprintf(form, sizeof(form), "name=\"csrf\" value=\"%s\"", h.csrf);
	call(&r, METHOD_GET, "/sessions/0190bbbb000070008000000000000003", NULL, NULL, NULL, ck);
	ok(r.status == 200 && strstr(body(&r), "aria-label=\"Mark Augusto Farfus as known\"") &&
	    strstr(body(&r), "aria-label=\"Mark Antonio Fuoco as known\"") == NULL &&
	    strstr(body(&r), form) && strstr(body(&r), "name=\"back\" value=\"/sessions/"),
	    "results: a button beside an unknown driver only, with the csrf and the way back");
	call(&r, METHOD_GET, "/sessions/0190bbbb000070008000000000000003", NULL, NULL, NULL, NULL);
	ok(r.status == 200 && strstr(body(&r), "/admin/known/mark") == NULL,
	    "results: no button without the ts_csrf cookie");
	call(&r, METHOD_GET, "/best-laps", "track=Sebring%20International%20Raceway", NULL, NULL, ck);
	ok(r.status == 200 && strstr(body(&r), "/admin/known/mark") && strstr(body(&r), form) &&
	    strstr(body(&r), "aria-label=\"Mark Kevin Estre as known\"") == NULL,
	    "best laps: buttons for a signed-in admin, none beside a known driver");
	call(&r, METHOD_GET, "/best-laps", "track=Sebring%20International%20Raceway", NULL, NULL,
	    "ts_csrf=<script>");
	ok(r.status == 200 && strstr(body(&r), "/admin/known/mark") == NULL,
	    "best laps: a malformed ts_csrf cookie gives no button");
	call(&r, METHOD_GET, "/sessions/0190bbbb000070008000000000000004/entries", NULL, NULL, NULL, ck);
	ok(r.status == 200 && strstr(body(&r), "aria-label=\"Mark Lewis Kyle as known\"") &&
	    strstr(body(&r), "aria-label=\"Mark Kevin Estre as known\"") == NULL,
	    "entries: a button beside an unknown member, none beside a known one");
	call(&r, METHOD_GET, "/sessions/0190bbbb000070008000000000000004/entries", NULL, NULL, NULL, NULL);
	ok(r.status == 200 && strstr(body(&r), "/admin/known/mark") == NULL,
	    "entries: no button without the cookie");
	resp_free(&r);
}

static void
test_clients(void)
{
	struct resp	 r;
	struct cmd	 c;
	char		 tok[CMD_TOKEN_SIZE], hash[65], want[128];

	resp_init(&r);
	ok(hctx_post(&h, &r, "/admin/clients/add", "name", "Pit wall PC", NULL) == 200 &&
	    value_after(body(&r), "Token <input", tok, sizeof(tok)) && strlen(tok) == 51 &&
	    strncmp(tok, "ts_", 3) == 0 && inbox_new(&c) == 1 && c.kind == CMD_CLIENT_ADD &&
	    (sha256_hex(tok, strlen(tok), hash), strcmp(cmd_str(&c, "token_hash"), hash) == 0) &&
	    cmd_str(&c, "code_hash") == NULL,
	    "add: the page shows a ts_ token once; client.add carries its sha256, never the token");
	cmd_free(&c);
	snprintf(want, sizeof(want), "token = %s", tok);
	ok(strstr(body(&r), "server = http://trackside.test") && strstr(body(&r), want) &&
	    strstr(body(&r), "--server http://trackside.test --token ts_") &&
	    strstr(body(&r), "shown only this once"),
	    "add: a configuration and a command line to paste, and the warning");
	apply_all();
	hctx_sql(&h, "INSERT INTO client_seqs (client, name, version, token_id, last_seq, last_at, "
	    "session_id, frames, addr) SELECT 'pitwall-0001', 'Pit wall', 'trackside-client/0.3', id, "
	    "42, 1794686400, '0190bbbb000070008000000000000003', 42, '198.51.100.4' FROM clients "
	    "WHERE name = 'Pit wall PC'");
	ok(get(&r, "/admin/clients", NULL) == 200 && strstr(body(&r), "Pit wall PC") &&
	    strstr(body(&r), "pitwall-0001") && strstr(body(&r), "trackside-client/0.3") &&
	    strstr(body(&r), "42 frames") && strstr(body(&r), "198.51.100.4") &&
	    strstr(body(&r), "/sessions/0190bbbb000070008000000000000003"),
	    "list: the token with its client id, version, frames, address and session");
	ok(hctx_post(&h, &r, "/admin/clients/revoke", "token", "1", NULL) == 200 &&
	    strstr(body(&r), "name=\"confirm\" value=\"1\"") && inbox_new(NULL) == 0,
	    "revoke: a page asks first, nothing sent");
	ok(hctx_post(&h, &r, "/admin/clients/revoke", "token", "1", "confirm", "1", NULL) == 303 &&
	    inbox_new(&c) == 1 && c.kind == CMD_CLIENT_REVOKE &&
	    cJSON_GetObjectItemCaseSensitive(c.args, "token")->valuedouble == 1,
	    "revoke: confirmed, client.revoke {token: 1}");
	cmd_free(&c);
	ok(hctx_post(&h, &r, "/admin/clients/rebind", "client", "pitwall-0001", "token", "2",
	    NULL) == 303 &&
	    inbox_new(&c) == 1 && c.kind == CMD_CLIENT_REBIND &&
	    strcmp(cmd_str(&c, "client"), "pitwall-0001") == 0,
	    "rebind: client.rebind {client, token}");
	cmd_free(&c);
	ok(hctx_post(&h, &r, "/admin/clients/rebind", "client", "x", "token", "2", NULL) == 400 &&
	    inbox_new(NULL) == 0, "rebind: a malformed client id is refused, nothing sent");
	apply_all();
	resp_free(&r);
}

/* Applies commands in a child process for up to 10 s, as trackside-ingestd would. */
static pid_t
applier(void)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	for (int i = 0; i < 1000; i++) {
		if (apply_all() > 0)
			_exit(0);
		usleep(10000);
	}
	_exit(1);
}

static void
test_enroll(void)
{
	struct resp	 r;
	struct cmd	 c;
	char		 code[32], hash[65], sql[400], k[65];
	int		 st;
	pid_t		 pid;
	cJSON		*j;

	resp_init(&r);
	ok(hctx_post(&h, &r, "/admin/enroll/add", "label", "Spa drivers", "hours", "2", NULL) == 200 &&
	    value_after(body(&r), "Code <input", code, sizeof(code)) && strlen(code) == 11 &&
	    inbox_new(&c) == 1 && c.kind == CMD_ENROLL_ADD && admin_enroll_hash(code, hash) &&
	    strcmp(cmd_str(&c, "code_hash"), hash) == 0,
	    "enroll add: the code is shown once, enroll.add carries its sha256");
	ok(cJSON_GetObjectItemCaseSensitive(c.args, "expires_at")->valuedouble > time_now() + 7100 &&
	    cJSON_GetObjectItemCaseSensitive(c.args, "expires_at")->valuedouble < time_now() + 7300,
	    "enroll add: it expires in the hours asked for");
	cmd_free(&c);
	ok(hctx_post(&h, &r, "/admin/enroll/add", "label", "x", "hours", "721", NULL) == 400 &&
	    inbox_new(NULL) == 0, "enroll add: more than 720 hours is refused");
	apply_all();
	ok(get(&r, "/admin/enroll", NULL) == 200 && strstr(body(&r), "Spa drivers") &&
	    strstr(body(&r), ">open<"), "enroll: the code is listed, open");

	/* POST /api/v1/clients */
	h.app.admin_wait = 5;
	snprintf(sql, sizeof(sql), "{\"name\": \"Laptop\", \"code\": \"%s\"}", code);
	pid = applier();
	call(&r, METHOD_POST, "/api/v1/clients", NULL, "application/json", sql, NULL);
	waitpid(pid, &st, 0);
	j = cJSON_Parse(body(&r));
	ok(r.status == 201 && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "id")) &&
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "token")) &&
	    strncmp(cJSON_GetObjectItemCaseSensitive(j, "token")->valuestring, "ts_", 3) == 0,
	    "POST /api/v1/clients with a valid code: 201 {id, token} once applied");
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "token"))) {
		sha256_hex(cJSON_GetObjectItemCaseSensitive(j, "token")->valuestring, 51, k);
		snprintf(sql, sizeof(sql), "SELECT 1 FROM clients WHERE token_hash = '%s' AND enrolled "
		    "AND name = 'Laptop'", k);
		sqlite3_stmt *q;
		ok(sqlite3_prepare_v2(h.db, sql, -1, &q, NULL) == SQLITE_OK &&
		    sqlite3_step(q) == SQLITE_ROW, "the token it gave is in clients, marked enrolled");
		sqlite3_finalize(q);
	} else
		ok(0, "the token it gave is in clients, marked enrolled");
	cJSON_Delete(j);
	inbox_new(NULL);
	h.app.admin_wait = 0.05;

	admin_enroll_hash("ABCDE-FGHJK", hash);
	admin_enroll_hash("KMNPQ-RSTUV", k);
	snprintf(sql, sizeof(sql), "INSERT INTO enroll_codes (code_hash, label, created_at, expires_at, "
	    "ended_at) VALUES ('%s', 'old', 0, 1, NULL), ('%s', 'ended', 0, 9e9, 1)", hash, k);
	hctx_sql(&h, sql);
	static const char *const refused[][2] = {
		{ "{\"name\": \"A\", \"code\": \"ABCDE-FGHJK\"}", "expired" },
		{ "{\"name\": \"A\", \"code\": \"kmnpqrstuv\"}", "ended" },
		{ "{\"name\": \"A\", \"code\": \"ZZZZZ-ZZZZZ\"}", "unknown" },
		{ "{\"name\": \"A\", \"code\": \"not a code at all\"}", "malformed" },
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		call(&r, METHOD_POST, "/api/v1/clients", NULL, "application/json", refused[i][0], NULL);
		ok(r.status == 403 && strstr(body(&r), "\"bad_code\"") && inbox_new(NULL) == 0,
		    "POST /api/v1/clients with an %s code: 403 bad_code and no command", refused[i][1]);
	}
	call(&r, METHOD_POST, "/api/v1/clients", NULL, "application/json", "{\"name\": \"A\"}", NULL);
	ok(r.status == 403 && strstr(body(&r), "\"enrollment_closed\"") && inbox_new(NULL) == 0,
	    "POST /api/v1/clients without a code on a closed server: 403 enrollment_closed");
	call(&r, METHOD_POST, "/api/v1/clients", NULL, "application/json", "{\"name\": ", NULL);
	ok(r.status == 400 && inbox_new(NULL) == 0, "POST /api/v1/clients with malformed JSON: 400");
	call(&r, METHOD_POST, "/api/v1/clients", NULL, "application/json",
	    "{\"name\": \"\\u0001\", \"code\": \"ZZZZZ-ZZZZZ\"}", NULL);
	ok(r.status == 400 && strstr(body(&r), "\"bad_name\"") && inbox_new(NULL) == 0,
	    "POST /api/v1/clients with a bad name: 400 bad_name");
	h.app.open_enrollment = 1;
	call(&r, METHOD_POST, "/api/v1/clients", NULL, "application/json", "{\"name\": \"Open\"}", NULL);
	ok(r.status == 503 && strstr(body(&r), "\"pending\"") && inbox_new(&c) == 1 &&
	    c.kind == CMD_CLIENT_ADD && cmd_str(&c, "code_hash") == NULL,
	    "open enrollment: a client.add without a code; 503 pending when not applied in time");
	cmd_free(&c);
	h.app.open_enrollment = 0;
	apply_all();
	ok(hctx_post(&h, &r, "/admin/enroll/end", "code_hash", hash, NULL) == 303 && inbox_new(&c) == 1 &&
	    c.kind == CMD_ENROLL_END && strcmp(cmd_str(&c, "code_hash"), hash) == 0,
	    "enroll end: enroll.end {code_hash}");
	cmd_free(&c);
	apply_all();
	resp_free(&r);
}

static void
test_log(void)
{
	struct resp r;

	resp_init(&r);
	ok(get(&r, "/admin/log", NULL) == 200 && strstr(body(&r), "add a known driver") &&
	    strstr(body(&r), "revoke a client token") && strstr(body(&r), "192.0.2.7") &&
	    strstr(body(&r), "<time datetime="), "log: the commands in words, who, from where, when");
	ok(get(&r, "/admin/log", "cmd=known.rename") == 200 && strstr(body(&r), "rename a known driver") &&
	    strstr(body(&r), "<td>revoke a client token") == NULL &&
	    strstr(body(&r), "Entries: 1 ") != NULL, "log: filtered by kind");
	ok(get(&r, "/admin/log", "by=enrollment") == 200 && strstr(body(&r), "make a client token") &&
	    strstr(body(&r), "<td>alice</td>") == NULL, "log: filtered by who");
	ok(get(&r, "/admin/log", "cmd=nonsense") == 400, "log: an unknown kind is a 400");
	resp_free(&r);
}

int
main(void)
{
	char	 signin[128];

	tap_plan(71);
	if (!hctx_open(&h) || !hctx_sql_file(&h, "tests/fixtures/history.sql")) {
		printf("Bail out! no test database\n");
		return 1;
	}
	h.app.admin_wait = 0.05;
	if (!hctx_sign_in(&h, "alice") || !hctx_sql(&h,
	    "INSERT INTO entries (session_id, utid, number, name, vehicle, car_id) VALUES "
	    "('0190bbbb000070008000000000000004', 1, '23', 'Iron Lynx', '85_24_IRON', 42); "
	    "INSERT INTO entry_members (session_id, utid, name, roles) VALUES "
	    "('0190bbbb000070008000000000000004', 1, 'Lewis Kyle', 'D'), "
	    "('0190bbbb000070008000000000000004', 1, 'Kevin Estre', 'D')")) {
		printf("Bail out! cannot sign in\n");
		return 1;
	}
	/* the browser sends another site's cookie along */
	snprintf(signin, sizeof(signin), "other=1; %s", h.cookie);
	snprintf(h.cookie, sizeof(h.cookie), "%s", signin);

	test_routes_render();
	test_known_commands();
	test_import();
	test_export_roundtrip();
	test_xss();
	test_mark_buttons();
	test_clients();
	test_enroll();
	test_log();
	hctx_close(&h);
	return tap_done();
}
