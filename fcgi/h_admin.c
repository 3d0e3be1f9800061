/*
 * Signing in and out of the admin area, and its overview page.
 *
 * GET /admin/login	the form; a ts_login cookie and a hidden field carry
 *			the same random token (double submit)
 * POST /admin/login	rate limit, then Argon2id; a new sign-in id at every
 *			success (login.open), a failure counted (login.fail)
 * POST /admin/logout	ends the sign-in (login.close), clears the cookies
 * GET /admin/		counts and the way to each admin page
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "admin.h"
#include "db.h"
#include "pwhash.h"

#define LOGIN_WINDOW		900.0	/* s the rate limit looks back */
#define LOGIN_MAX_ACCOUNT	5	/* failures of one name in the window */
#define LOGIN_MAX_ADDR		20	/* failures from one address in the window */
#define LOGIN_FORM_AGE		3600	/* s a login form's token lasts */
#define LOGIN_WRONG		"The name or the password is wrong."
#define LOGIN_OUT		"Signed out."

enum h_admin_sql { HS_FAIL_ACCOUNT, HS_FAIL_ADDR, HS_PWHASH, HS_COUNTS, HS__MAX };

static const char *const h_admin_sql[HS__MAX] = {
	/* HS_FAIL_ACCOUNT: the failure that, still in the window, keeps the limit on */
	"SELECT at FROM admin_failures WHERE account = ?1 AND at > ?2 "
	"ORDER BY at DESC LIMIT 1 OFFSET ?3",
	/* HS_FAIL_ADDR */
	"SELECT at FROM admin_failures WHERE addr = ?1 AND at > ?2 "
	"ORDER BY at DESC LIMIT 1 OFFSET ?3",
	/* HS_PWHASH */
	"SELECT pw_hash FROM admin_accounts WHERE name = ?1",
	/* HS_COUNTS */
	"SELECT (SELECT count(*) FROM known_drivers), "
	"(SELECT count(*) FROM clients WHERE revoked_at IS NULL), "
	"(SELECT count(*) FROM sessions WHERE state = 'live'), "
	"(SELECT count(*) FROM sessions), "
	"(SELECT count(*) FROM admin_log WHERE shown AND applied_at >= ?1)",
};

/*
 * Where to go after signing in: next when it is a path under /admin/ (not
 * the sign-in itself) of plain printable characters, else the overview.
 */
static const char *
login_next(const char *next)
{
	if (next == NULL || strncmp(next, "/admin/", 7) != 0 || strncmp(next, "/admin/login", 12) == 0 ||
	    strlen(next) > 512 || strstr(next, "//") != NULL || strchr(next, '\\') != NULL)
		return "/admin/";
	for (const char *p = next; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return "/admin/";
	return next;
}

/*
 * Answers the sign-in form with status, a message (or NULL) and the form
 * token: token when given (the one the browser already holds), else a new
 * one set in the ts_login cookie.
 */
static void
login_form(struct req *req, struct resp *resp, int status, const char *msg, const char *next,
    const char *token)
{
	cJSON	*o = cJSON_CreateObject();
	char	 fresh[65];

	if (token == NULL) {
		if (admin_new_id(fresh) < 0) {
			cJSON_Delete(o);
			resp_error(resp, 500, "internal", "No randomness for the sign-in form.");
			page_error(req, resp);
			return;
		}
		admin_cookie(req, resp, ADMIN_LOGIN_COOKIE, fresh, "/admin/login", LOGIN_FORM_AGE);
		token = fresh;
	}
	cJSON_AddStringToObject(o, "title", "Sign in");
	cJSON_AddStringToObject(o, "token", token);
	cJSON_AddStringToObject(o, "next", login_next(next));
	if (msg != NULL) {
		cJSON_AddStringToObject(o, "message", msg);
		cJSON_AddStringToObject(o, "message_class", status >= 400 ? "refused" :
		    strcmp(msg, LOGIN_OUT) == 0 ? "ok" : "pending");
	}
	resp_page(req, resp, "admin_login", o);
	if (resp->status == 200)
		resp->status = status;
	cJSON_Delete(o);
}

void
h_admin_login_page(struct req *req, struct resp *resp)
{
	const char *msg = NULL;

	if (req_param(req, "expired") != NULL)
		msg = "Your sign-in expired. Sign in again.";
	else if (req_param(req, "out") != NULL)
		msg = LOGIN_OUT;
	login_form(req, resp, 200, msg, req_param(req, "next"), NULL);
}

/*
 * When the failures of key (a name or an address) in the window reach max:
 * the time the oldest of the last max leaves the window (> now), else 0;
 * -1 on a database error.
 */
static double
login_blocked(struct req *req, enum h_admin_sql q, const char *key, int max, double now)
{
	sqlite3_stmt	*st;
	double		 until = 0;
	int		 rc;

	if (sqlite3_prepare_v2(req->db, h_admin_sql[q], -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, now - LOGIN_WINDOW);
	sqlite3_bind_int(st, 3, max - 1);
	if ((rc = db_step(st)) == SQLITE_ROW)
		until = sqlite3_column_double(st, 0) + LOGIN_WINDOW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? until : -1;
}

/* The password hash of account name into out. Returns 1, 0 no such account, -1 error. */
static int
login_pwhash(struct req *req, const char *name, char out[PWHASH_MAX])
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(req->db, h_admin_sql[HS_PWHASH], -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = db_step(st)) == SQLITE_ROW)
		snprintf(out, PWHASH_MAX, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Counts a failed sign-in of key (login.fail) and waits until it is counted. */
static int
login_fail(struct req *req, struct resp *resp, const char *key)
{
	struct cmd	 c;
	int		 ok, rc;

	if (cmd_new(&c, CMD_LOGIN_FAIL, "sign-in", req->remote_addr) < 0 ||
	    cJSON_AddStringToObject(c.args, "account", key) == NULL) {
		cmd_free(&c);
		resp_error(resp, 500, "internal", "Out of memory.");
		page_error(req, resp);
		return -1;
	}
	rc = admin_send(req, resp, &c, ADMIN_WAIT, &ok, NULL, NULL);
	cmd_free(&c);
	return rc;
}

/*
 * Opens a sign-in for account (login.open, waited for) and sets its
 * cookies. Returns 1, 0 when it was refused or is still pending, -1 after
 * answering.
 */
static int
login_open(struct req *req, struct resp *resp, const char *account)
{
	struct cmd	 c;
	char		 id[65], hash[65], csrf[65];
	int		 ok, rc;
	long long	 age = (long long)admin_max_age(req->app);

	if (admin_new_id(id) < 0 || cmd_new(&c, CMD_LOGIN_OPEN, account, req->remote_addr) < 0) {
		resp_error(resp, 500, "internal", "No randomness or memory for a sign-in.");
		page_error(req, resp);
		return -1;
	}
	sha256_hex(id, 64, hash);
	if (cJSON_AddStringToObject(c.args, "id_hash", hash) == NULL ||
	    cJSON_AddStringToObject(c.args, "account", account) == NULL) {
		cmd_free(&c);
		resp_error(resp, 500, "internal", "Out of memory.");
		page_error(req, resp);
		return -1;
	}
	rc = admin_send(req, resp, &c, ADMIN_WAIT, &ok, NULL, NULL);
	cmd_free(&c);
	if (rc <= 0 || !ok)
		return rc < 0 ? -1 : 0;
	admin_csrf_of(id, csrf);
	admin_cookie(req, resp, ADMIN_COOKIE, id, "/admin", age);
	admin_cookie(req, resp, ADMIN_CSRF_COOKIE, csrf, "/", age);
	admin_cookie(req, resp, ADMIN_LOGIN_COOKIE, "", "/admin/login", 0);
	return 1;
}

void
h_admin_login(struct req *req, struct resp *resp)
{
	const char	*name = admin_form(req, "name"), *pw = admin_form(req, "password");
	const char	*field = admin_form(req, "login"), *next = admin_form(req, "next");
	char		 token[65], key[CMD_NAME_MAX + 1], hash[PWHASH_MAX], msg[160];
	double		 now = time_now(), until, u;
	int		 rc;

	if (!admin_cookie_hex(req, ADMIN_LOGIN_COOKIE, token) || field == NULL ||
	    strlen(field) != 64 || !pwhash_equal(field, token, 64) || !admin_origin_ok(req)) {
		login_form(req, resp, 403, "This sign-in form was refused: it is too old, or it "
		    "came from another site. Here is a new one.", next, NULL);
		return;
	}
	if (name == NULL)
		name = "";
	if (pw == NULL)
		pw = "";
	/* Failures are counted by the name as typed, in lower case. */
	if (*name != '\0' && cmd_text_valid(name, CMD_NAME_MAX)) {
		size_t i;
		for (i = 0; name[i]; i++)
			key[i] = (char)tolower((unsigned char)name[i]);
		key[i] = '\0';
	} else
		snprintf(key, sizeof(key), "-");

	until = login_blocked(req, HS_FAIL_ACCOUNT, key, LOGIN_MAX_ACCOUNT, now);
	u = login_blocked(req, HS_FAIL_ADDR, req->remote_addr ? req->remote_addr : "",
	    LOGIN_MAX_ADDR, now);
	if (until < 0 || u < 0) {
		resp_error(resp, 503, "unavailable", "Signing in is not possible right now.");
		page_error(req, resp);
		return;
	}
	if (u > until)
		until = u;
	if (until > now) {
		int min = (int)ceil((until - now) / 60);
		snprintf(msg, sizeof(msg), "Too many failed sign-ins. Wait %d minute%s, then try "
		    "again.", min, min == 1 ? "" : "s");
		resp_header(resp, "Retry-After", "%d", (int)ceil(until - now));
		login_form(req, resp, 429, msg, next, token);
		return;
	}

	if ((rc = login_pwhash(req, name, hash)) < 0) {
		resp_error(resp, 503, "unavailable", "Signing in is not possible right now.");
		page_error(req, resp);
		return;
	}
	if (rc == 0)
		pwhash_dummy(pw);
	else if ((rc = pwhash_check(hash, pw)) < 0) {
		resp_error(resp, 503, "unavailable", "Signing in is not possible right now.");
		page_error(req, resp);
		return;
	}
	if (rc == 0) {
		if (login_fail(req, resp, key) >= 0)
			login_form(req, resp, 401, LOGIN_WRONG, next, token);
		return;
	}
	if ((rc = login_open(req, resp, name)) < 0)
		return;
	if (rc == 0) {
		resp_error(resp, 503, "unavailable", "The sign-in could not be completed in time. "
		    "Try again in a moment.");
		page_error(req, resp);
		return;
	}
	admin_redirect(resp, login_next(next));
}

void
h_admin_logout(struct req *req, struct resp *resp)
{
	struct cmd	 c;
	int		 ok;

	if (cmd_new(&c, CMD_LOGIN_CLOSE, req->admin->account, req->remote_addr) < 0 ||
	    cJSON_AddStringToObject(c.args, "id_hash", req->admin->id_hash) == NULL) {
		cmd_free(&c);
		resp_error(resp, 500, "internal", "Out of memory.");
		page_error(req, resp);
		return;
	}
	if (admin_send(req, resp, &c, ADMIN_WAIT, &ok, NULL, NULL) < 0) {
		cmd_free(&c);
		return;
	}
	cmd_free(&c);
	admin_cookie(req, resp, ADMIN_COOKIE, "", "/admin", 0);
	admin_cookie(req, resp, ADMIN_CSRF_COOKIE, "", "/", 0);
	admin_redirect(resp, "/admin/login?out=1");
}

void
h_admin_home(struct req *req, struct resp *resp)
{
	static const char *const keys[] = { "known", "tokens", "live", "sessions", "today" };
	sqlite3_stmt	*st;
	cJSON		*o;
	double		 now = time_now();

	if (sqlite3_prepare_v2(req->db, h_admin_sql[HS_COUNTS], -1, &st, NULL) != SQLITE_OK) {
		resp_error(resp, 503, "unavailable", "The database cannot be read right now.");
		page_error(req, resp);
		return;
	}
	sqlite3_bind_double(st, 1, floor(now / 86400) * 86400);
	if (db_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		resp_error(resp, 503, "unavailable", "The database cannot be read right now.");
		page_error(req, resp);
		return;
	}
	o = cJSON_CreateObject();
	for (int i = 0; i < 5; i++)
		cJSON_AddNumberToObject(o, keys[i], (double)sqlite3_column_int64(st, i));
	sqlite3_finalize(st);
	admin_page(req, resp, "admin_home", o, "Admin");
	cJSON_Delete(o);
}
