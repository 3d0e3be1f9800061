/*
 * What the admin pages share: the gate every ROUTE_ADMIN route passes
 * (sign-in cookie, expiry, CSRF token and Origin on POST), sending a
 * command to trackside-ingestd and waiting for its outcome, the page
 * frame (nav, flash message) and the headers of every admin answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "admin.h"
#include "db.h"
#include "pwhash.h"

#define ADMIN_IDLE	3600.0		/* s a sign-in lasts unused */
#define ADMIN_MAX_AGE	43200.0		/* s a sign-in lasts at most */
#define ADMIN_WAIT_S	5.0		/* s a page waits for a command's outcome */
#define ADMIN_TOUCH	60.0		/* s between refreshes of a sign-in's seen_at */

enum admin_sql { AS_LOGIN, AS__MAX };

static const char *const admin_sql[AS__MAX] = {
	/* AS_LOGIN: a sign-in by its id's hash, with its account */
	"SELECT l.account, l.created_at, l.seen_at, l.ended_at FROM admin_logins l "
	"JOIN admin_accounts a ON a.name = l.account WHERE l.id_hash = ?1",
};

/* The pages of the admin area, in the order the nav shows them. */
static const struct {
	const char	*href;
	const char	*label;
} admin_nav[] = {
	{ "/admin/", "Overview" },
	{ "/admin/known", "Known drivers" },
	{ "/admin/clients", "Clients" },
	{ "/admin/enroll", "Enrollment" },
	{ "/admin/sessions", "Sessions" },
	{ "/admin/hooks", "Webhooks" },
	{ "/admin/log", "Log" },
};

double
admin_idle(const struct app *app)
{
	return app->admin_idle > 0 ? app->admin_idle : ADMIN_IDLE;
}

double
admin_max_age(const struct app *app)
{
	return app->admin_max_age > 0 ? app->admin_max_age : ADMIN_MAX_AGE;
}

double
admin_wait(const struct app *app)
{
	return app->admin_wait > 0 ? app->admin_wait : ADMIN_WAIT_S;
}

/* Whether s is 64 lower-case hex digits. */
static int
hex64(const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64 && s[i] == '\0';
}

/*
 * A new random id of 32 bytes as 64 hex digits into out. Returns 1, -1
 * when there is no randomness.
 */
int
admin_new_id(char out[65])
{
	unsigned char raw[32];

	if (rand_bytes(raw, sizeof(raw)) < 0)
		return -1;
	hex_encode(raw, sizeof(raw), out);
	out[64] = '\0';
	return 1;
}

/* The CSRF token of the sign-in whose cookie holds id: sha256("csrf:" id). */
void
admin_csrf_of(const char *id, char out[65])
{
	char in[5 + 64 + 1];

	snprintf(in, sizeof(in), "csrf:%s", id);
	sha256_hex(in, strlen(in), out);
}

/*
 * Cookie name when it holds 64 hex digits (an id or a token), into out.
 * Returns 1, or 0 when it is absent or malformed.
 */
int
admin_cookie_hex(const struct req *req, const char *name, char out[65])
{
	return req_cookie(req, name, out, 65) != NULL && hex64(out);
}

/*
 * Whether the request's Origin, when the browser sent one, is this site:
 * the scheme the request came over and its Host.
 */
int
admin_origin_ok(const struct req *req)
{
	const char	*scheme = req->https ? "https://" : "http://";
	size_t		 sl = strlen(scheme);

	if (req->origin == NULL)
		return 1;
	if (req->host == NULL)
		return 0;
	return strncmp(req->origin, scheme, sl) == 0 && strcmp(req->origin + sl, req->host) == 0;
}

/*
 * Sets cookie name to value for path, for max_age seconds (0 clears it):
 * HttpOnly, SameSite=Strict, and Secure when the request came over https.
 */
void
admin_cookie(const struct req *req, struct resp *resp, const char *name, const char *value,
    const char *path, long long max_age)
{
	resp_header(resp, "Set-Cookie", "%s=%s; Path=%s; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
	    name, value, path, max_age, req->https ? "; Secure" : "");
}

/* Answers 303 to location (a path of this site). */
void
admin_redirect(struct resp *resp, const char *location)
{
	resp->status = 303;
	resp->ctype = "text/plain; charset=utf-8";
	buf_reset(&resp->body);
	resp_header(resp, "Location", "%s", location);
}

/*
 * The headers of every answer under /admin/: never stored, never framed,
 * no address leaked to other sites.
 */
void
admin_headers(const struct req *req, struct resp *resp)
{
	if (req->path == NULL || strncmp(req->path, "/admin", 6) != 0 ||
	    (req->path[6] != '\0' && req->path[6] != '/'))
		return;
	resp_header(resp, "Cache-Control", "no-store");
	resp_header(resp, "X-Frame-Options", "DENY");
	resp_header(resp, "Referrer-Policy", "same-origin");
	resp_header(resp, "X-Content-Type-Options", "nosniff");
	resp_header(resp, "Content-Security-Policy",
	    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
}

/*
 * Sends the browser to the sign-in page: a GET comes back to where it was
 * afterwards (next), a POST does nothing. expired says why.
 */
static void
gate_login(struct req *req, struct resp *resp, int expired)
{
	struct buf loc = { 0 };

	buf_puts(&loc, "/admin/login");
	if (req->method != METHOD_POST) {
		buf_puts(&loc, "?next=");
		esc_url(&loc, req->path, strlen(req->path));
		if (req->query != NULL && *req->query) {
			esc_url(&loc, "?", 1);
			esc_url(&loc, req->query, strlen(req->query));
		}
	}
	if (expired)
		buf_puts(&loc, req->method != METHOD_POST ? "&expired=1" : "?expired=1");
	admin_redirect(resp, loc.p);
	buf_free(&loc);
}

/*
 * Refreshes the sign-in's seen_at: a login.touch command, not waited for.
 * A failure only costs an earlier expiry.
 */
static void
gate_touch(struct req *req)
{
	struct cmd c;

	if (cmd_new(&c, CMD_LOGIN_TOUCH, req->admin->account, req->remote_addr) < 0)
		return;
	if (cJSON_AddStringToObject(c.args, "id_hash", req->admin->id_hash) == NULL ||
	    cmd_put(req->app->writer, &c) <= 0)
		log_warn("admin: cannot refresh the sign-in of %s", req->admin->account);
	cmd_free(&c);
}

/*
 * The gate of every ROUTE_ADMIN route: a sign-in cookie that matches an
 * open admin_logins row, neither idle longer than admin_idle nor older than
 * admin_max_age; on POST also the sign-in's CSRF token in the form and, when
 * the browser sent one, an Origin of this site. Sets req->admin. Returns 1
 * (the handler runs) or 0 after answering: 303 to the sign-in page, 403,
 * or 503 when the database cannot be read.
 */
int
admin_gate(struct req *req, struct resp *resp)
{
	sqlite3_stmt	*st = NULL;
	char		 id[65], hash[65], csrf[65], account[CMD_NAME_MAX + 1];
	double		 now = time_now(), created, seen;
	int		 rc, ended;
	const char	*form;

	if (!admin_cookie_hex(req, ADMIN_COOKIE, id)) {
		gate_login(req, resp, 0);
		return 0;
	}
	sha256_hex(id, 64, hash);
	if (sqlite3_prepare_v2(req->db, admin_sql[AS_LOGIN], -1, &st, NULL) != SQLITE_OK) {
		log_err("admin: %s", sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The sign-ins cannot be read right now.");
		return 0;
	}
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	if ((rc = db_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			resp_error(resp, 503, "unavailable", "The sign-ins cannot be read right now.");
			return 0;
		}
		gate_login(req, resp, 0);
		return 0;
	}
	snprintf(account, sizeof(account), "%s", (const char *)sqlite3_column_text(st, 0));
	created = sqlite3_column_double(st, 1);
	seen = sqlite3_column_double(st, 2);
	ended = sqlite3_column_type(st, 3) != SQLITE_NULL;
	sqlite3_finalize(st);
	if (ended) {
		gate_login(req, resp, 0);
		return 0;
	}
	if (now - seen > admin_idle(req->app) || now - created > admin_max_age(req->app)) {
		gate_login(req, resp, 1);
		return 0;
	}
	if (req->method == METHOD_POST) {
		admin_csrf_of(id, csrf);
		form = admin_form(req, "csrf");
		if (!admin_origin_ok(req) || form == NULL || strlen(form) != 64 ||
		    !pwhash_equal(form, csrf, 64)) {
			resp_error(resp, 403, "forbidden", "This form was refused: it did not come "
			    "from a page of this site signed in as you (or the page is older than your "
			    "sign-in). Go back, reload the page and send it again.");
			return 0;
		}
	}
	if ((req->admin = calloc(1, sizeof(*req->admin))) == NULL) {
		resp_error(resp, 500, "internal", "Out of memory.");
		return 0;
	}
	snprintf(req->admin->account, sizeof(req->admin->account), "%s", account);
	memcpy(req->admin->id_hash, hash, sizeof(hash));
	admin_csrf_of(id, req->admin->csrf);
	if (now - seen > ADMIN_TOUCH)
		gate_touch(req);
	return 1;
}

/*
 * A field of the request's form body (never of the query), "" when sent
 * empty, NULL when absent or when the request had no form.
 */
const char *
admin_form(const struct req *req, const char *key)
{
	if (!req->has_form || req->method != METHOD_POST)
		return NULL;
	for (size_t i = req->form_at; i < req->nparams; i++)
		if (strcmp(req->params[i].key, key) == 0)
			return req->params[i].val;
	return NULL;
}

/*
 * Sends command c (built with cmd_new; the caller still frees it) as the
 * signed-in admin, or as c->by when there is none (the sign-in's own
 * commands), from the request's address, then waits up to wait seconds
 * (ADMIN_WAIT: the configured admin_wait) for trackside-ingestd's outcome.
 * req->sent gets its id. Returns 1 applied or refused (*ok, summary,
 * *result set as cmd_outcome does), 0 still pending, -1 after answering
 * (400 a command that is not valid, 503 when the inbox is not writable).
 */
int
admin_send(struct req *req, struct resp *resp, struct cmd *c, double wait, int *ok,
    struct buf *summary, cJSON **result)
{
	struct buf	 err = { 0 };
	int		 rc;

	*ok = 0;
	if (result != NULL)
		*result = NULL;
	if (req->admin != NULL)
		snprintf(c->by, sizeof(c->by), "%s", req->admin->account);
	snprintf(c->addr, sizeof(c->addr), "%s", req->remote_addr ? req->remote_addr : "");
	if (!cmd_check(c, &err)) {
		resp_error(resp, 400, "bad_form", "%s.", err.p ? err.p : "The change is not valid");
		buf_free(&err);
		page_error(req, resp);
		return -1;
	}
	buf_free(&err);
	if ((rc = cmd_put(req->app->writer, c)) <= 0) {
		log_err("admin: %s %s: the inbox is not writable", cmd_names[c->kind], c->id);
		resp_error(resp, 503, "unavailable", "The change cannot be queued now: the server's "
		    "inbox is not writable. Nothing was changed; try again later.");
		page_error(req, resp);
		return -1;
	}
	snprintf(req->sent, sizeof(req->sent), "%s", c->id);
	if (wait < 0)
		wait = admin_wait(req->app);
	rc = cmd_wait(req->db, c->id, wait, ok, summary, result);
	if (rc < 0) {
		log_err("admin: waiting for %s: %s", c->id, sqlite3_errmsg(req->db));
		return 0;
	}
	return rc;
}

/*
 * Answers a POST that sent a command: 303 back (a path of this site) with
 * ?done=<command id>, where admin_flash() shows the outcome. When no
 * command was sent (the form was refused before), the summary is answered
 * as a page at once: 400 when !ok.
 */
void
admin_done(struct req *req, struct resp *resp, int ok, const struct buf *summary,
    const char *back)
{
	struct buf loc = { 0 };

	if (req->sent[0] == '\0' && !ok) {
		resp_error(resp, 400, "refused", "%s",
		    summary != NULL && summary->p ? summary->p : "The change was refused.");
		page_error(req, resp);
		return;
	}
	buf_puts(&loc, back);
	if (req->sent[0] != '\0')
		buf_printf(&loc, "%sdone=%s", strchr(back, '?') ? "&" : "?", req->sent);
	admin_redirect(resp, loc.p);
	buf_free(&loc);
}

/*
 * Adds "flash" to data when the query names a command (?done=<id>): its
 * summary and whether it was applied, refused or is still pending.
 */
void
admin_flash(struct req *req, cJSON *data)
{
	const char	*id = req_param(req, "done");
	struct buf	 summary = { 0 };
	cJSON		*f;
	int		 ok = 0, rc;

	if (id == NULL || !id_valid(id, CMD_ID_LEN, CMD_ID_LEN))
		return;
	rc = cmd_outcome(req->db, id, &ok, &summary, NULL);
	if ((f = cJSON_AddObjectToObject(data, "flash")) == NULL) {
		buf_free(&summary);
		return;
	}
	if (rc == 1) {
		cJSON_AddStringToObject(f, "class", ok ? "ok" : "refused");
		cJSON_AddStringToObject(f, "text", summary.p ? summary.p : "");
	} else {
		cJSON_AddStringToObject(f, "class", "pending");
		cJSON_AddStringToObject(f, "text",
		    "pending: the change is queued and shows here once applied");
	}
	buf_free(&summary);
}

/*
 * Renders an admin page: tmpl with data (the caller still owns it) plus
 * the signed-in account ("admin"), the CSRF token every form carries
 * ("csrf"), the nav ("nav", the current page marked), the outcome of the
 * command named by ?done= ("flash") and the title.
 */
void
admin_page(struct req *req, struct resp *resp, const char *tmpl, cJSON *data, const char *title)
{
	cJSON	*nav;
	size_t	 best = 0, bestlen = 0;

	cJSON_DeleteItemFromObjectCaseSensitive(data, "title");
	cJSON_AddStringToObject(data, "title", title);
	if (req->admin != NULL) {
		cJSON_AddStringToObject(data, "admin", req->admin->account);
		cJSON_AddStringToObject(data, "csrf", req->admin->csrf);
	}
	for (size_t i = 0; i < sizeof(admin_nav) / sizeof(admin_nav[0]); i++) {
		size_t n = strlen(admin_nav[i].href);
		if (strncmp(req->path, admin_nav[i].href, n) == 0 && n > bestlen) {
			best = i;
			bestlen = n;
		}
	}
	if ((nav = cJSON_AddArrayToObject(data, "nav")) != NULL)
		for (size_t i = 0; i < sizeof(admin_nav) / sizeof(admin_nav[0]); i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "href", admin_nav[i].href);
			cJSON_AddStringToObject(o, "label", admin_nav[i].label);
			cJSON_AddBoolToObject(o, "current", bestlen > 0 && i == best);
			cJSON_AddItemToArray(nav, o);
		}
	admin_flash(req, data);
	resp_page(req, resp, tmpl, data);
}

/*
 * Starts a command of kind from the signed-in admin, from the request's
 * address. Returns 1, or 0 after answering 500.
 */
int
admin_cmd(struct req *req, struct resp *resp, struct cmd *c, enum cmd_kind kind)
{
	if (cmd_new(c, kind, req->admin->account, req->remote_addr) < 0) {
		resp_error(resp, 500, "internal", "The command could not be made.");
		page_error(req, resp);
		return 0;
	}
	return 1;
}

/*
 * Sends c (freed here) and answers with admin_done: a 303 to back with the
 * outcome, or the error page admin_send answered.
 */
void
admin_send_back(struct req *req, struct resp *resp, struct cmd *c, const char *back)
{
	struct buf	 summary = { 0 };
	int		 ok = 0;

	if (admin_send(req, resp, c, ADMIN_WAIT, &ok, &summary, NULL) >= 0)
		admin_done(req, resp, ok, &summary, back);
	cmd_free(c);
	buf_free(&summary);
}

/* Answers 400 with a page that says why (a form's text was not valid). */
void
admin_bad(struct req *req, struct resp *resp, const char *what)
{
	resp_error(resp, 400, "bad_form", "%s", what);
	page_error(req, resp);
}
