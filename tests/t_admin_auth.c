/*
 * Admin sign-in and the gate of every admin route, through the in-memory
 * handler driver. trackside-ingestd's part (applying login.open,
 * login.fail, login.close) is played by a thread running the real
 * command_apply() on the commands the handlers put in the inbox.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "handler.h"
#include "admin.h"
#include "cmd.h"
#include "db.h"
#include "ingest.h"
#include "pwhash.h"
#include "trackside.h"

#define PW	"correct horse battery"
#define SID	"0190aaaa000070008000000000000001"

static struct hctx	 h;
static volatile int	 stopping;
static long long	 applied;	/* commands the thread applied */
static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;

/* Where the applier stands in each inbox segment. */
static struct { char seg[64]; long long off; } pos[16];

static long long
applier_pos(void *arg, const char *seg)
{
	(void)arg;
	for (size_t i = 0; i < 16; i++)
		if (strcmp(pos[i].seg, seg) == 0)
			return pos[i].off;
	return 0;
}

static void
applier_set(const char *seg, long long off)
{
	for (size_t i = 0; i < 16; i++)
		if (pos[i].seg[0] == '\0' || strcmp(pos[i].seg, seg) == 0) {
			snprintf(pos[i].seg, sizeof(pos[i].seg), "%s", seg);
			pos[i].off = off;
			return;
		}
}

/* Applies each admin command the handlers write, as trackside-ingestd does. */
static void *
applier(void *arg)
{
	struct inbox_reader	*r;
	struct buf		 err = { 0 };
	sqlite3			*db;
	struct timespec		 ts = { 0, 2000000 };

	(void)arg;
	if (!db_open(&db, h.db_path, DB_RW, &err) || inbox_reader_open(&r, h.inbox) < 0) {
		fprintf(stderr, "applier: %s\n", err.p ? err.p : "inbox");
		return NULL;
	}
	while (!stopping) {
		int n = inbox_read(r, applier_pos, NULL, 100, 1u << 20);
		for (int i = 0; i < n; i++) {
			struct inbox_rec *rec = &r->recs[i];
			const char *nl = memchr(rec->body, '\n', rec->len);
			struct cmd c;
			struct cmd_ctx x;
			if (strcmp(rec->client, CMD_CLIENT) == 0 && nl != NULL &&
			    cmd_parse(&c, nl + 1, rec->len - (size_t)(nl + 1 - rec->body), &err) == 1) {
				memset(&x, 0, sizeof(x));
				x.db = db;
				x.inbox = h.inbox;
				db_exec(db, "BEGIN IMMEDIATE", &err);
				if (command_apply(&x, &c) == 1)
					db_exec(db, "COMMIT", &err);
				else
					db_exec(db, "ROLLBACK", &err);
				command_ctx_free(&x);
				cmd_free(&c);
				pthread_mutex_lock(&lock);
				applied++;
				pthread_mutex_unlock(&lock);
			}
			applier_set(rec->seg, rec->end);
		}
		nanosleep(&ts, NULL);
	}
	inbox_reader_free(r);
	db_close(db);
	buf_free(&err);
	return NULL;
}

/* The Set-Cookie line that sets cookie name, into out; NULL when none. */
static const char *
set_cookie(const struct resp *r, const char *name, char *out, size_t outsz)
{
	const char	*p = r->headers.p;
	size_t		 nl = strlen(name);

	while (p != NULL && (p = strstr(p, "Set-Cookie: ")) != NULL) {
		const char *eol = strstr(p, "\r\n");
		p += 12;
		if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
			snprintf(out, outsz, "%.*s", (int)(eol - p), p);
			return out;
		}
	}
	return NULL;
}

/* Whether the answer is the gate's way to the sign-in page. */
static int
to_login(const struct resp *r)
{
	char loc[512];

	return r->status == 303 && hctx_header(r, "Location", loc, sizeof(loc)) != NULL &&
	    (strcmp(loc, "/admin/login") == 0 || strncmp(loc, "/admin/login?next=", 18) == 0 ||
	    strcmp(loc, "/admin/login?expired=1") == 0);
}

static long long
inbox_total(void)
{
	return hctx_inbox_count(&h);
}

/* Adds a sign-in row for account with id (64 hex); returns 1 or 0. */
static int
add_login(const char *id, const char *account, double created, double seen, int ended)
{
	char hash[65], sql[512];

	sha256_hex(id, 64, hash);
	snprintf(sql, sizeof(sql), "INSERT INTO admin_logins (id_hash, account, created_at, seen_at, "
	    "ended_at) VALUES ('%s', '%s', %.3f, %.3f, %s)", hash, account, created, seen,
	    ended ? "1" : "NULL");
	return hctx_sql(&h, sql);
}

static void
id_of(char c, char out[65])
{
	memset(out, c, 64);
	out[64] = '\0';
}

/* GET /admin/login: the form token of a fresh form, into tok. */
static int
login_token(struct resp *r, char tok[65])
{
	struct hreq	 c = { .method = METHOD_GET, .path = "/admin/login" };
	char		 sc[256];

	if (hctx_send(&h, r, &c) != 200 || set_cookie(r, ADMIN_LOGIN_COOKIE, sc, sizeof(sc)) == NULL)
		return 0;
	snprintf(tok, 65, "%.64s", sc + strlen(ADMIN_LOGIN_COOKIE) + 1);
	return strlen(tok) == 64;
}

/* POSTs the sign-in form. */
static int
login(struct resp *r, const char *name, const char *pw, const char *addr, const char *extra_cookie,
    int https, const char *next)
{
	char		 tok[65], cookie[256], form[512];
	struct hreq	 c = { .method = METHOD_POST, .path = "/admin/login", .cookie = cookie, .addr = addr,
	    .body = form, .https = https };

	if (!login_token(r, tok))
		return 0;
	snprintf(cookie, sizeof(cookie), "%s=%s%s%s", ADMIN_LOGIN_COOKIE, tok,
	    extra_cookie ? "; " : "", extra_cookie ? extra_cookie : "");
	snprintf(form, sizeof(form), "login=%s&name=%s&password=%s%s%s", tok, name, pw,
	    next ? "&next=" : "", next ? next : "");
	return hctx_send(&h, r, &c);
}

/* Replaces each '*' of a route pattern by a session id. */
static void
route_path(const char *pattern, char *out, size_t outsz)
{
	size_t o = 0;

	for (const char *p = pattern; *p && o + 40 < outsz; p++) {
		if (*p == '*') {
			memcpy(out + o, SID, strlen(SID));
			o += strlen(SID);
		} else
			out[o++] = *p;
	}
	out[o] = '\0';
}

static void
test_gate(struct resp *r)
{
	const struct route	*rt;
	size_t			 n, admin_routes = 0;
	double			 now = time_now();
	char			 good[65], idle[65], old[65], ended[65], csrf[65], fresh[65];
	char			 ck[128], form[128], path[256];
	int			 no_cookie = 1, expired = 1, stale = 1, closed = 1;
	int			 no_csrf = 1, bad_csrf = 1, foreign = 1, query_csrf = 1, runs = 1;
	int			 headers = 1;
	long long		 before;

	id_of('1', good);
	id_of('2', idle);
	id_of('3', old);
	id_of('4', ended);
	ok(add_login(good, "alice", now, now, 0) && add_login(idle, "alice", now - 5000, now - 4000, 0) &&
	    add_login(old, "alice", now - 50000, now, 0) && add_login(ended, "alice", now, now, 1),
	    "sign-ins: valid, idle, too old, ended");

	rt = route_table(&n);
	for (size_t i = 0; i < n; i++) {
		if (!(rt[i].flags & ROUTE_ADMIN))
			continue;
		admin_routes++;
		route_path(rt[i].pattern, path, sizeof(path));
		for (int m = 0; m < METHOD__MAX; m++) {
			struct hreq c = { .method = (enum method)m, .path = path };
			char hv[128];
			if (!(rt[i].methods & (1u << m)))
				continue;
			if (m == METHOD_POST)
				c.body = "x=1";
			before = inbox_total();
			hctx_send(&h, r, &c);
			if (!to_login(r) || inbox_total() != before) {
				diag("%s %s without a cookie: %d", method_names[m], path, r->status);
				no_cookie = 0;
			}
			if (hctx_header(r, "Cache-Control", hv, sizeof(hv)) == NULL ||
			    strcmp(hv, "no-store") != 0 ||
			    hctx_header(r, "X-Frame-Options", hv, sizeof(hv)) == NULL ||
			    hctx_header(r, "Referrer-Policy", hv, sizeof(hv)) == NULL)
				headers = 0;
			snprintf(ck, sizeof(ck), "%s=%s", ADMIN_COOKIE, idle);
			c.cookie = ck;
			hctx_send(&h, r, &c);
			expired &= to_login(r) && strstr(r->headers.p, "expired=1") != NULL;
			snprintf(ck, sizeof(ck), "%s=%s", ADMIN_COOKIE, old);
			hctx_send(&h, r, &c);
			stale &= to_login(r) && strstr(r->headers.p, "expired=1") != NULL;
			snprintf(ck, sizeof(ck), "%s=%s", ADMIN_COOKIE, ended);
			hctx_send(&h, r, &c);
			closed &= to_login(r);
			/* A sign-in of its own: the handler may end it (sign-out). */
			snprintf(fresh, sizeof(fresh), "%064zu", i * METHOD__MAX + (size_t)m + 1);
			add_login(fresh, "alice", now, now, 0);
			admin_csrf_of(fresh, csrf);
			snprintf(ck, sizeof(ck), "%s=%s", ADMIN_COOKIE, fresh);
			if (m == METHOD_POST) {
				before = inbox_total();
				c.body = "x=1";
				no_csrf &= hctx_send(&h, r, &c) == 403 && inbox_total() == before;
				snprintf(form, sizeof(form), "csrf=%.63s0", csrf);
				if (csrf[63] == '0')
					form[68] = '1';
				c.body = form;
				bad_csrf &= hctx_send(&h, r, &c) == 403 && inbox_total() == before &&
				    strstr(r->ctype, "text/html") != NULL;
				snprintf(form, sizeof(form), "csrf=%s", csrf);
				c.origin = "https://evil.test";
				foreign &= hctx_send(&h, r, &c) == 403 && inbox_total() == before;
				c.origin = NULL;
				c.body = "x=1";
				snprintf(form, sizeof(form), "csrf=%s", csrf);
				c.query = form;
				query_csrf &= hctx_send(&h, r, &c) == 403 && inbox_total() == before;
				c.query = NULL;
				c.body = form;
				c.origin = "http://trackside.test";
			}
			hctx_send(&h, r, &c);
			if (to_login(r) || r->status == 403) {
				diag("%s %s signed in: %d", method_names[m], path, r->status);
				runs = 0;
			}
		}
	}
	ok(admin_routes >= 2, "the route table has admin routes (%zu)", admin_routes);
	ok(no_cookie, "every admin route without a sign-in: 303 to the sign-in page, nothing sent");
	ok(headers, "every admin answer: Cache-Control no-store, X-Frame-Options, Referrer-Policy");
	ok(expired, "a sign-in idle too long: 303 to the sign-in page, which says it expired");
	ok(stale, "a sign-in older than admin_max_age: 303, expired");
	ok(closed, "an ended sign-in: 303 to the sign-in page");
	ok(no_csrf, "a POST without the CSRF token: 403, nothing in the inbox");
	ok(bad_csrf, "a POST with a wrong CSRF token: a 403 page, nothing in the inbox");
	ok(foreign, "a POST from a foreign Origin: 403, nothing in the inbox");
	ok(query_csrf, "a CSRF token in the query does not stand in for the form's");
	ok(runs, "with a valid sign-in, token and Origin, the handler runs");

	struct hreq c = { .method = METHOD_GET, .path = "/admin/", .cookie = ck };
	snprintf(ck, sizeof(ck), "%s=%s", ADMIN_COOKIE, good);
	admin_csrf_of(good, csrf);
	ok(hctx_send(&h, r, &c) == 200 && strstr(r->body.p, "alice") != NULL &&
	    strstr(r->body.p, csrf) != NULL && strstr(r->body.p, "action=\"/admin/logout\"") != NULL,
	    "the overview names the account and its sign-out form carries the token");
	c.method = METHOD_GET;
	c.path = "/admin/logout";
	char allow[64];
	ok(hctx_send(&h, r, &c) == 405 && hctx_header(r, "Allow", allow, sizeof(allow)) &&
	    strcmp(allow, "POST") == 0,
	    "GET of the sign-out: 405, Allow: POST");
	c.path = "/admin/login";
	c.method = METHOD_POST;
	c.cookie = NULL;
	ok(hctx_send(&h, r, &c) == 403, "a sign-in POST without the form token: 403");

	/* A body that is not a form: without a sign-in still only "sign in". */
	struct req q;
	memset(&q, 0, sizeof(q));
	q.app = &h.app;
	q.db = h.db;
	q.method = METHOD_POST;
	q.path = "/admin/logout";
	q.content_type = "multipart/form-data; boundary=x";
	q.body = "--x--";
	q.bodylen = 5;
	resp_free(r);
	resp_init(r);
	app_dispatch(&q, r);
	req_free(&q);
	ok(to_login(r), "a multipart POST without a sign-in: 303 to the sign-in page");
	ok(route_body_cap(&h.app, "/admin/logout", METHOD_POST) == REQ_FORM_MAX &&
	    route_body_cap(&h.app, "/admin/", METHOD_GET) == 0 &&
	    route_body_cap(&h.app, "/admin/login", METHOD_POST) == REQ_FORM_MAX,
	    "admin forms take up to 1 MiB, admin pages no body");
}

static void
test_login(struct resp *r)
{
	char		 sc[256], sc2[256], id[65], id2[65], loc[256], ck[128], body1[8192];
	char		 tok[65], cookie[160], form[256];
	struct hreq	 c = { .method = METHOD_GET, .path = "/admin/", .cookie = ck };
	long long	 before;

	ok(login(r, "alice", PW, "198.51.100.1", NULL, 0, "/admin/known%3Fq%3Dx") == 303 &&
	    hctx_header(r, "Location", loc, sizeof(loc)) && strcmp(loc, "/admin/known?q=x") == 0,
	    "a right password: 303 to next");
	ok(set_cookie(r, ADMIN_COOKIE, sc, sizeof(sc)) != NULL && strstr(sc, "; HttpOnly") &&
	    strstr(sc, "; SameSite=Strict") && strstr(sc, "; Path=/admin;") && !strstr(sc, "Secure") &&
	    strstr(sc, "Max-Age=43200"),
	    "ts_admin: HttpOnly, SameSite=Strict, Path=/admin, no Secure over http: %s", sc);
	snprintf(id, sizeof(id), "%.64s", sc + strlen(ADMIN_COOKIE) + 1);
	ok(set_cookie(r, ADMIN_CSRF_COOKIE, sc2, sizeof(sc2)) != NULL && strstr(sc2, "; HttpOnly") &&
	    strstr(sc2, "; SameSite=Strict") && strstr(sc2, "; Path=/;"),
	    "ts_csrf: HttpOnly, SameSite=Strict, Path=/");
	snprintf(ck, sizeof(ck), "%s=%s", ADMIN_COOKIE, id);
	ok(hctx_send(&h, r, &c) == 200, "the new cookie signs in");

	ok(login(r, "alice", PW, "198.51.100.1", NULL, 1, "//evil.test/") == 303 &&
	    hctx_header(r, "Location", loc, sizeof(loc)) && strcmp(loc, "/admin/") == 0,
	    "a next that is not a path under /admin/ goes to the overview");
	ok(set_cookie(r, ADMIN_COOKIE, sc, sizeof(sc)) && strstr(sc, "; Secure") &&
	    set_cookie(r, ADMIN_CSRF_COOKIE, sc2, sizeof(sc2)) && strstr(sc2, "; Secure"),
	    "over https both cookies are Secure");

	/* Fixation: a cookie planted before the sign-in is not taken over. */
	snprintf(id2, sizeof(id2), "%064d", 7);
	snprintf(cookie, sizeof(cookie), "%s=%s", ADMIN_COOKIE, id2);
	ok(login(r, "alice", PW, "198.51.100.1", cookie, 0, NULL) == 303 &&
	    set_cookie(r, ADMIN_COOKIE, sc, sizeof(sc)) && strncmp(sc + 9, id2, 64) != 0 &&
	    strncmp(sc + 9, id, 64) != 0, "every sign-in gets a new id, never the one the browser had");
	snprintf(ck, sizeof(ck), "%s=%s", ADMIN_COOKIE, id2);
	ok(hctx_send(&h, r, &c) == 303, "the planted cookie still signs nobody in");

	/* Sign out: the cookie no longer works. */
	char csrf[65];
	admin_csrf_of(id, csrf);
	snprintf(ck, sizeof(ck), "%s=%s", ADMIN_COOKIE, id);
	snprintf(form, sizeof(form), "csrf=%s", csrf);
	struct hreq out = { .method = METHOD_POST, .path = "/admin/logout", .cookie = ck, .body = form };
	ok(hctx_send(&h, r, &out) == 303 && hctx_header(r, "Location", loc, sizeof(loc)) &&
	    strcmp(loc, "/admin/login?out=1") == 0 && set_cookie(r, ADMIN_COOKIE, sc, sizeof(sc)) &&
	    strstr(sc, "Max-Age=0"), "sign-out: 303 to the sign-in page, the cookie cleared");
	ok(hctx_send(&h, r, &c) == 303, "after sign-out the old cookie no longer signs in");

	/* Unknown name and wrong password: the same answer. */
	ok(login_token(r, tok), "a login form");
	snprintf(cookie, sizeof(cookie), "%s=%s", ADMIN_LOGIN_COOKIE, tok);
	struct hreq f = { .method = METHOD_POST, .path = "/admin/login", .cookie = cookie,
	    .addr = "203.0.113.5", .body = form };
	snprintf(form, sizeof(form), "login=%s&name=alice&password=wrong+password", tok);
	before = inbox_total();
	ok(hctx_send(&h, r, &f) == 401 && strstr(r->body.p, "The name or the password is wrong.") &&
	    inbox_total() == before + 1, "a wrong password: 401, the failure sent");
	snprintf(body1, sizeof(body1), "%s", r->body.p);
	snprintf(form, sizeof(form), "login=%s&name=nobody&password=wrong+password", tok);
	ok(hctx_send(&h, r, &f) == 401 && strcmp(body1, r->body.p) == 0,
	    "an unknown name: 401 with the same bytes");
}

static void
test_limit(struct resp *r)
{
	char		 sql[256];
	double		 now = time_now();
	long long	 before;
	int		 i, fails = 1;

	for (i = 0; i < 5; i++)
		fails &= login(r, "Bob", "not the password", "198.51.100.7", NULL, 0, NULL) == 401;
	ok(fails, "5 wrong passwords for one name: 401 each");
	before = inbox_total();
	ok(login(r, "bob", PW, "198.51.100.8", NULL, 0, NULL) == 429 && inbox_total() == before &&
	    strstr(r->body.p, "Too many failed sign-ins") && strstr(r->headers.p, "Retry-After: "),
	    "the 6th, even with the right password and from elsewhere: 429, nothing sent");
	for (i = 0; i < 19; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO admin_failures VALUES (%.3f, 'n%d', '198.51.100.9')",
		    now - 60, i);
		hctx_sql(&h, sql);
	}
	ok(login(r, "carol", "not the password", "198.51.100.9", NULL, 0, NULL) == 401,
	    "the 20th failure from one address is still checked");
	ok(login(r, "carol", PW, "198.51.100.9", NULL, 0, NULL) == 429,
	    "the 21st attempt from that address: 429");
	snprintf(sql, sizeof(sql), "UPDATE admin_failures SET at = at - 1000 WHERE addr = '198.51.100.9'");
	hctx_sql(&h, sql);
	ok(login(r, "carol", PW, "198.51.100.9", NULL, 0, NULL) == 303,
	    "once the failures are 15 minutes old, the address may sign in again");
}

int
main(void)
{
	struct resp	 r;
	pthread_t	 th;
	char		 hash[PWHASH_MAX], sql[512];

	tap_plan(35);
	if (!hctx_open(&h))
		return 1;
	h.app.admin_wait = 10;
	if (pwhash_make(PW, hash) != 1)
		return 1;
	for (int i = 0; i < 3; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO admin_accounts VALUES ('%s', '%s', 0, 0)",
		    i == 0 ? "alice" : i == 1 ? "bob" : "carol", hash);
		if (!hctx_sql(&h, sql))
			return 1;
	}
	if (pthread_create(&th, NULL, applier, NULL) != 0)
		return 1;
	resp_init(&r);
	test_gate(&r);
	test_login(&r);
	test_limit(&r);
	stopping = 1;
	pthread_join(th, NULL);
	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
