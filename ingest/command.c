/*
 * Applying admin commands (lib/cmd.h) inside the writer's transaction:
 * known drivers, client tokens, enrollment codes, accounts and their
 * sign-ins, session names, visibility and drive-time rules, webhooks here;
 * session maintenance in maint.c. Each applier returns 1 applied, 0
 * refused (ctx->summary says why; what it did is rolled back), -1
 * database error. Every command, applied or refused, leaves one admin_log
 * row, which is also what keeps it from being applied twice.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "cmd.h"

/*
 * Prepares sql with its ?s bound in order from ap as fmt says: 's' text
 * (NULL stays NULL), 'd' a double, 'i' a long long. Returns the statement
 * (the caller finalizes it), or NULL (logged).
 */
sqlite3_stmt *
command_stmtv(struct cmd_ctx *x, const char *sql, const char *fmt, va_list ap)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(x->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_err("command: %s", sqlite3_errmsg(x->db));
		return NULL;
	}
	for (int i = 0; fmt[i]; i++) {
		switch (fmt[i]) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (s != NULL)
				sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT);
			break;
		}
		case 'd':
			sqlite3_bind_double(st, i + 1, va_arg(ap, double));
			break;
		case 'i':
			sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
			break;
		}
	}
	return st;
}

/* Runs sql, bound as command_stmtv does; returns the rows changed, or -1. */
static int
exec_bind(struct cmd_ctx *x, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt	*st;
	va_list		 ap;
	int		 rc;

	va_start(ap, fmt);
	st = command_stmtv(x, sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_changes(x->db) : -1;
}

/* Whether sql (one text binding) finds a row: 1, 0, or -1. */
static int
exists(struct cmd_ctx *x, const char *sql, const char *arg)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(x->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static long long
arg_id(const struct cmd *c, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->args, key);

	return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

static double
arg_num(const struct cmd *c, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->args, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void
target(struct cmd_ctx *x, const char *s)
{
	snprintf(x->target, sizeof(x->target), "%s", s ? s : "");
}

/* Sets the command's result to {"id": id}, the row it added. Returns 1 or -1. */
static int
result_id(struct cmd_ctx *x, long long id)
{
	if ((x->result = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(x->result, "id", (double)id) == NULL)
		return -1;
	return 1;
}

/* Adds or updates one known driver: 1 added, 0 was known, -1. */
static int
known_put(struct cmd_ctx *x, const char *name, const char *note, double at)
{
	int had = exists(x, "SELECT 1 FROM known_drivers WHERE name = ?", name);

	if (had < 0 || exec_bind(x, "INSERT INTO known_drivers (name, note, added_at) VALUES (?1, "
	    "nullif(?2, ''), ?3) ON CONFLICT (name) DO UPDATE SET note = coalesce(excluded.note, note)",
	    "ssd", name, note, at) < 0)
		return -1;
	return !had;
}

static int
known_add(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*name = cmd_str(c, "name");
	int		 rc;

	target(x, name);
	if ((rc = known_put(x, name, cmd_str(c, "note"), c->at)) < 0)
		return -1;
	buf_printf(&x->summary, rc ? "added \"%s\" to the known drivers" :
	    "\"%s\" was already a known driver", name);
	x->resync = 1;
	return 1;
}

static int
known_rename(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*name = cmd_str(c, "name"), *to = cmd_str(c, "to");
	int		 rc;

	target(x, name);
	if ((rc = exists(x, "SELECT 1 FROM known_drivers WHERE name = ?", to)) != 0 &&
	    strcmp(name, to) != 0) {
		if (rc > 0)
			buf_printf(&x->summary, "\"%s\" is already a known driver", to);
		return rc > 0 ? 0 : -1;
	}
	if ((rc = exec_bind(x, "UPDATE known_drivers SET name = ?2 WHERE name = ?1", "ss", name,
	    to)) <= 0) {
		if (rc == 0)
			buf_printf(&x->summary, "\"%s\" is not a known driver", name);
		return rc;
	}
	buf_printf(&x->summary, "renamed the known driver \"%s\" to \"%s\"", name, to);
	x->resync = 1;
	return 1;
}

static int
known_remove(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*name = cmd_str(c, "name");
	int		 rc;

	target(x, name);
	if ((rc = exec_bind(x, "DELETE FROM known_drivers WHERE name = ?", "s", name)) <= 0) {
		if (rc == 0)
			buf_printf(&x->summary, "\"%s\" is not a known driver", name);
		return rc;
	}
	buf_printf(&x->summary, "removed \"%s\" from the known drivers", name);
	x->resync = 1;
	return 1;
}

static int
known_import(struct cmd_ctx *x, const struct cmd *c)
{
	const cJSON	*row;
	int		 added = 0, had = 0, rc;

	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(c->args, "rows")) {
		const cJSON *note = cJSON_GetObjectItemCaseSensitive(row, "note");
		if ((rc = known_put(x, cJSON_GetObjectItemCaseSensitive(row, "name")->valuestring,
		    cJSON_IsString(note) ? note->valuestring : NULL, c->at)) < 0)
			return -1;
		added += rc;
		had += !rc;
	}
	target(x, "known drivers");
	buf_printf(&x->summary, "imported %d known driver%s (%d already known)", added,
	    added == 1 ? "" : "s", had);
	x->resync = 1;
	return 1;
}

static int
client_add(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*name = cmd_str(c, "name"), *code = cmd_str(c, "code_hash");
	int		 rc;

	target(x, name);
	if (code != NULL) {
		/* The code must be valid when the request came, and is counted. */
		if ((rc = exec_bind(x, "UPDATE enroll_codes SET used = used + 1 WHERE code_hash = ?1 "
		    "AND ended_at IS NULL AND expires_at > ?2", "sd", code, c->at)) <= 0) {
			if (rc == 0)
				buf_printf(&x->summary, "the enrollment code is unknown, ended or expired");
			return rc;
		}
	}
	if ((rc = exists(x, "SELECT 1 FROM clients WHERE token_hash = ?", cmd_str(c, "token_hash"))) != 0) {
		if (rc > 0)
			buf_printf(&x->summary, "a client token with that hash exists");
		return rc > 0 ? 0 : -1;
	}
	if (exec_bind(x, "INSERT INTO clients (name, token_hash, created_at, enrolled) "
	    "VALUES (?, ?, ?, ?)", "ssdi", name, cmd_str(c, "token_hash"),
	    c->at, (long long)(code != NULL)) < 0)
		return -1;
	long long id = sqlite3_last_insert_rowid(x->db);
	if (result_id(x, id) < 0)
		return -1;
	buf_printf(&x->summary, "created client token %lld \"%s\"%s", id, name,
	    code != NULL ? " through an enrollment code" : "");
	return 1;
}

static int
client_revoke(struct cmd_ctx *x, const struct cmd *c)
{
	long long	 id = arg_id(c, "token");
	char		 t[32];
	int		 rc;

	snprintf(t, sizeof(t), "token %lld", id);
	target(x, t);
	if ((rc = exec_bind(x, "UPDATE clients SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
	    "id", id, c->at)) <= 0) {
		if (rc == 0)
			buf_printf(&x->summary, "there is no active client token %lld", id);
		return rc;
	}
	buf_printf(&x->summary, "revoked client token %lld", id);
	return 1;
}

static int
client_rebind(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*client = cmd_str(c, "client");
	long long	 id = arg_id(c, "token");
	char		 t[32];
	int		 rc;

	target(x, client);
	snprintf(t, sizeof(t), "%lld", id);
	if ((rc = exists(x, "SELECT 1 FROM clients WHERE id = ? AND revoked_at IS NULL", t)) <= 0) {
		if (rc == 0)
			buf_printf(&x->summary, "there is no active client token %lld", id);
		return rc;
	}
	if (exec_bind(x, "UPDATE client_seqs SET token_id = ?2 WHERE client = ?1", "si", client, id) < 0)
		return -1;
	/* The upload handler's binding, last: a failure here rolls back the rest. */
	if (x->inbox != NULL && inbox_client_rebind(x->inbox, client, id) < 0) {
		buf_printf(&x->summary, "the inbox's binding of %s could not be written: %s", client,
		    strerror(errno));
		return 0;
	}
	buf_printf(&x->summary, "client id %s belongs to client token %lld now", client, id);
	return 1;
}

static int
enroll_add(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*label = cmd_str(c, "label");
	char		 until[32];
	int		 rc;

	target(x, label);
	if (arg_num(c, "expires_at") <= c->at) {
		buf_printf(&x->summary, "the enrollment code would expire before it starts");
		return 0;
	}
	if ((rc = exec_bind(x, "INSERT INTO enroll_codes (code_hash, label, created_at, expires_at) "
	    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", "ssdd", cmd_str(c, "code_hash"), label, c->at,
	    arg_num(c, "expires_at"))) <= 0) {
		if (rc == 0)
			buf_printf(&x->summary, "that enrollment code exists already");
		return rc;
	}
	time_iso(arg_num(c, "expires_at"), until);
	buf_printf(&x->summary, "opened enrollment \"%s\" until %s", label, until);
	return 1;
}

static int
enroll_end(struct cmd_ctx *x, const struct cmd *c)
{
	int rc;

	target(x, "enrollment");
	if ((rc = exec_bind(x, "UPDATE enroll_codes SET ended_at = ?2 WHERE code_hash = ?1 AND "
	    "ended_at IS NULL", "sd", cmd_str(c, "code_hash"), c->at)) <= 0) {
		if (rc == 0)
			buf_printf(&x->summary, "the enrollment code is unknown or ended");
		return rc;
	}
	buf_printf(&x->summary, "ended an enrollment code");
	return 1;
}

static int
session_rename(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*id = cmd_str(c, "session"), *name = cmd_str(c, "name");
	int		 rc;

	target(x, id);
	if ((rc = exec_bind(x, "UPDATE sessions SET name = nullif(?2, '') WHERE id = ?1", "ss", id,
	    name)) <= 0) {
		if (rc == 0)
			buf_printf(&x->summary, "there is no session %s", id);
		return rc;
	}
	if (*name)
		buf_printf(&x->summary, "named session %s \"%s\"", id, name);
	else
		buf_printf(&x->summary, "cleared the name of session %s", id);
	x->resync = 1;
	return 1;
}

static int
session_hide(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*id = cmd_str(c, "session");
	int		 hidden = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->args, "hidden"));
	int		 rc;

	target(x, id);
	if ((rc = exec_bind(x, "UPDATE sessions SET hidden = ?2 WHERE id = ?1", "si", id,
	    (long long)hidden)) <= 0) {
		if (rc == 0)
			buf_printf(&x->summary, "there is no session %s", id);
		return rc;
	}
	buf_printf(&x->summary, hidden ? "hid session %s from the public lists" :
	    "showed session %s in the public lists again", id);
	x->resync = 1;
	return 1;
}

/* Adds s as h:mm:ss to b. */
static void
hms(struct buf *b, double s)
{
	long t = (long)(s + 0.5);

	buf_printf(b, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

/*
 * Sets the drive-time rules of a session (seconds; 0: no such rule), or
 * with no rules at all clears them, so that the configuration's apply.
 */
static int
session_rules(struct cmd_ctx *x, const struct cmd *c)
{
	static const char *const words[] = { "min", "max", "window", "window_max", "stint" };
	const char	*id = cmd_str(c, "session");
	const cJSON	*rules = cJSON_GetObjectItemCaseSensitive(c->args, "rules"), *r;
	double		 v[5] = { 0 };
	char		*json = NULL;
	int		 rc;

	target(x, id);
	for (int i = 0; i < 5; i++) {
		r = cJSON_GetObjectItemCaseSensitive(rules, words[i]);
		v[i] = cJSON_IsNumber(r) ? r->valuedouble : 0;
	}
	if ((v[2] > 0) != (v[3] > 0)) {
		buf_printf(&x->summary, "a window rule needs both its length and its maximum");
		return 0;
	}
	if (v[2] > 0 && v[3] > v[2]) {
		buf_printf(&x->summary, "the maximum inside a window cannot be longer than the window");
		return 0;
	}
	if (v[0] > 0 && v[1] > 0 && v[0] > v[1]) {
		buf_printf(&x->summary, "the minimum per driver cannot be above the maximum");
		return 0;
	}
	if (rules->child != NULL && (json = cJSON_PrintUnformatted(rules)) == NULL)
		return -1;
	rc = exec_bind(x, "UPDATE sessions SET drive_rules = ?2 WHERE id = ?1", "ss", id, json);
	free(json);
	if (rc <= 0) {
		if (rc == 0)
			buf_printf(&x->summary, "there is no session %s", id);
		return rc;
	}
	if (rules->child == NULL) {
		buf_printf(&x->summary, "cleared the drive-time rules of session %s: the "
		    "configuration's apply", id);
		return 1;
	}
	buf_printf(&x->summary, "set the drive-time rules of session %s:", id);
	for (int i = 0, n = 0; i < 5; i++) {
		if (cJSON_GetObjectItemCaseSensitive(rules, words[i]) == NULL)
			continue;
		buf_printf(&x->summary, "%s %s ", n++ ? "," : "", words[i]);
		if (v[i] > 0)
			hms(&x->summary, v[i]);
		else
			buf_printf(&x->summary, "none");
	}
	return 1;
}

/*
 * The scheme and host of a webhook's address, for the audit log: the rest
 * (a Discord webhook's token) stays out of it.
 */
static void
url_host(const char *url, char *out, size_t outsz)
{
	const char	*h = strstr(url, "://");
	int		 scheme = h != NULL ? (int)(h - url) + 3 : 0;
	size_t		 n;

	h = url + scheme;
	n = strcspn(h, "/?#@");
	if (h[n] == '@') {	/* user:password@host: the host alone */
		h += n + 1;
		n = strcspn(h, "/?#");
	}
	snprintf(out, outsz, "%.*s%.*s", scheme, url, (int)n, h);
}

static int
hook_add(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*car = cmd_str(c, "car");
	const cJSON	*wl = cJSON_GetObjectItemCaseSensitive(c->args, "window_laps");
	char		 host[128], t[32];
	long long	 id;

	if (exec_bind(x, "INSERT INTO webhooks (url, car, events, format, window_laps, origin, "
	    "created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'admin', ?6)", "ssssid", cmd_str(c, "url"), car,
	    cmd_str(c, "events"), cmd_str(c, "format"),
	    cJSON_IsNumber(wl) ? (long long)wl->valuedouble : 3LL, c->at) != 1)
		return -1;
	id = sqlite3_last_insert_rowid(x->db);
	snprintf(t, sizeof(t), "webhook %lld", id);
	target(x, t);
	if (result_id(x, id) < 0)
		return -1;
	url_host(cmd_str(c, "url"), host, sizeof(host));
	buf_printf(&x->summary, "added webhook %lld to %s (%s, %s) for %s%s", id, host,
	    cmd_str(c, "events"), cmd_str(c, "format"), car ? "car " : "every car", car ? car : "");
	return 1;
}

static int
hook_remove(struct cmd_ctx *x, const struct cmd *c)
{
	long long	 id = arg_id(c, "hook");
	char		 t[32];
	int		 rc;

	snprintf(t, sizeof(t), "webhook %lld", id);
	target(x, t);
	snprintf(t, sizeof(t), "%lld", id);
	if ((rc = exists(x, "SELECT 1 FROM webhooks WHERE id = ? AND removed_at IS NULL AND "
	    "origin = 'config'", t)) != 0) {
		if (rc > 0)
			buf_printf(&x->summary, "webhook %lld comes from the configuration: remove it "
			    "there", id);
		return rc > 0 ? 0 : -1;
	}
	if ((rc = exec_bind(x, "UPDATE webhooks SET removed_at = ?2 WHERE id = ?1 AND removed_at "
	    "IS NULL", "id", id, c->at)) <= 0) {
		if (rc == 0)
			buf_printf(&x->summary, "there is no webhook %lld, or it was removed", id);
		return rc;
	}
	buf_printf(&x->summary, "removed webhook %lld", id);
	return 1;
}

static int
account_add(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*name = cmd_str(c, "name");
	int		 rc;

	target(x, name);
	if ((rc = exists(x, "SELECT 1 FROM admin_accounts WHERE name = ? COLLATE NOCASE", name)) != 0) {
		if (rc > 0)
			buf_printf(&x->summary, "there is an admin account \"%s\" already", name);
		return rc > 0 ? 0 : -1;
	}
	if (exec_bind(x, "INSERT INTO admin_accounts (name, pw_hash, created_at, changed_at) "
	    "VALUES (?1, ?2, ?3, ?3)", "ssd", name, cmd_str(c, "pw_hash"), c->at) < 0)
		return -1;
	buf_printf(&x->summary, "added the admin account \"%s\"", name);
	return 1;
}

/* A new password ends every sign-in of the account. */
static int
account_passwd(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*name = cmd_str(c, "name");
	int		 rc;

	target(x, name);
	if ((rc = exec_bind(x, "UPDATE admin_accounts SET pw_hash = ?2, changed_at = ?3 WHERE name = ?1",
	    "ssd", name, cmd_str(c, "pw_hash"), c->at)) <= 0) {
		if (rc == 0)
			buf_printf(&x->summary, "there is no admin account \"%s\"", name);
		return rc;
	}
	if (exec_bind(x, "UPDATE admin_logins SET ended_at = ?2 WHERE account = ?1 AND ended_at IS NULL",
	    "sd", name, c->at) < 0)
		return -1;
	buf_printf(&x->summary, "changed the password of \"%s\" and signed it out everywhere", name);
	return 1;
}

static int
account_remove(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*name = cmd_str(c, "name");
	int		 rc;

	target(x, name);
	/* its sign-ins go with it (ON DELETE CASCADE) */
	if ((rc = exec_bind(x, "DELETE FROM admin_accounts WHERE name = ?", "s", name)) < 0)
		return -1;
	if (rc == 0) {
		buf_printf(&x->summary, "there is no admin account \"%s\"", name);
		return 0;
	}
	buf_printf(&x->summary, "removed the admin account \"%s\"", name);
	return 1;
}

static int
login_open(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*account = cmd_str(c, "account");
	int		 rc;

	target(x, account);
	if ((rc = exists(x, "SELECT 1 FROM admin_accounts WHERE name = ?", account)) <= 0) {
		if (rc == 0)
			buf_printf(&x->summary, "there is no admin account \"%s\"", account);
		return rc;
	}
	if (exec_bind(x, "INSERT INTO admin_logins (id_hash, account, created_at, seen_at, addr) "
	    "VALUES (?1, ?2, ?3, ?3, nullif(?4, ''))", "ssds", cmd_str(c, "id_hash"), account, c->at,
	    c->addr) <= 0)
		return -1;
	buf_printf(&x->summary, "signed in");
	return 1;
}

static int
login_touch(struct cmd_ctx *x, const struct cmd *c)
{
	target(x, c->by);
	if (exec_bind(x, "UPDATE admin_logins SET seen_at = max(seen_at, ?2) WHERE id_hash = ?1 AND "
	    "ended_at IS NULL", "sd", cmd_str(c, "id_hash"), c->at) < 0)
		return -1;
	buf_printf(&x->summary, "still signed in");
	return 1;
}

static int
login_close(struct cmd_ctx *x, const struct cmd *c)
{
	target(x, c->by);
	if (exec_bind(x, "UPDATE admin_logins SET ended_at = ?2 WHERE id_hash = ?1 AND "
	    "ended_at IS NULL", "sd", cmd_str(c, "id_hash"), c->at) < 0)
		return -1;
	buf_printf(&x->summary, "signed out");
	return 1;
}

/* A failed sign-in, kept a day for the rate limit. */
static int
login_fail(struct cmd_ctx *x, const struct cmd *c)
{
	const char *account = cmd_str(c, "account");

	target(x, account);
	if (exec_bind(x, "DELETE FROM admin_failures WHERE at < ?", "d", c->at - 86400) < 0 ||
	    exec_bind(x, "INSERT INTO admin_failures (at, account, addr) VALUES (?, lower(?), ?)",
	    "dss", c->at, account, c->addr) < 0)
		return -1;
	buf_printf(&x->summary, "failed sign-in as \"%s\"", account);
	return 1;
}

static const struct {
	int	(*fn)(struct cmd_ctx *, const struct cmd *);
	int	 shown;		/* in the audit log's pages */
} appliers[CMD__MAX] = {
	[CMD_KNOWN_ADD] = { known_add, 1 },
	[CMD_KNOWN_RENAME] = { known_rename, 1 },
	[CMD_KNOWN_REMOVE] = { known_remove, 1 },
	[CMD_KNOWN_IMPORT] = { known_import, 1 },
	[CMD_CLIENT_ADD] = { client_add, 1 },
	[CMD_CLIENT_REVOKE] = { client_revoke, 1 },
	[CMD_CLIENT_REBIND] = { client_rebind, 1 },
	[CMD_ENROLL_ADD] = { enroll_add, 1 },
	[CMD_ENROLL_END] = { enroll_end, 1 },
	[CMD_SESSION_RENAME] = { session_rename, 1 },
	[CMD_SESSION_HIDE] = { session_hide, 1 },
	[CMD_SESSION_DELETE] = { maint_delete, 1 },
	[CMD_SESSION_MERGE] = { maint_merge, 1 },
	[CMD_SESSION_SPLIT] = { maint_split, 1 },
	[CMD_SESSION_REPROCESS] = { maint_reprocess, 1 },
	[CMD_ACCOUNT_ADD] = { account_add, 1 },
	[CMD_ACCOUNT_PASSWD] = { account_passwd, 1 },
	[CMD_ACCOUNT_REMOVE] = { account_remove, 1 },
	[CMD_LOGIN_OPEN] = { login_open, 1 },
	[CMD_LOGIN_TOUCH] = { login_touch, 0 },
	[CMD_LOGIN_CLOSE] = { login_close, 1 },
	[CMD_LOGIN_FAIL] = { login_fail, 1 },
	[CMD_SESSION_RULES] = { session_rules, 1 },
	[CMD_HOOK_ADD] = { hook_add, 1 },
	[CMD_HOOK_REMOVE] = { hook_remove, 1 },
};

/*
 * Writes c's admin_log row: ok 1 applied or 0 refused, with ctx's summary,
 * target and result. Returns 1 or -1.
 */
int
command_record(struct cmd_ctx *x, const struct cmd *c, int ok)
{
	char	*result = x->result != NULL ? cJSON_PrintUnformatted(x->result) : NULL;
	int	 rc;

	if (x->result != NULL && result == NULL)
		return -1;
	rc = exec_bind(x, "INSERT INTO admin_log (id, at, applied_at, by, addr, cmd, target, summary, ok, "
	    "result, shown) VALUES (?, ?, ?, ?, nullif(?, ''), ?, nullif(?, ''), ?, ?, ?, ?)",
	    "sddsssssisi", c->id, c->at, time_now(), c->by, c->addr, cmd_names[c->kind], x->target,
	    x->summary.len ? x->summary.p : cmd_names[c->kind], (long long)ok, result,
	    (long long)appliers[c->kind].shown);
	free(result);
	return rc == 1 ? 1 : -1;
}

/*
 * Applies c once, inside the caller's transaction, and records it. A
 * refused command changes nothing but its admin_log row. Returns 1
 * applied or refused (recorded), 2 applied before (the same id), -1
 * database error (the caller rolls back; ctx is reset by
 * command_ctx_free).
 */
int
command_apply(struct cmd_ctx *x, const struct cmd *c)
{
	int rc;

	if ((rc = exists(x, "SELECT 1 FROM admin_log WHERE id = ?", c->id)) != 0)
		return rc > 0 ? 2 : -1;
	if (exec_bind(x, "SAVEPOINT command", "") < 0)
		return -1;
	rc = appliers[c->kind].fn(x, c);
	if (rc <= 0) {
		if (exec_bind(x, "ROLLBACK TO command", "") < 0)
			return -1;
		x->reload = 0;
		x->resync = 0;
		cJSON_Delete(x->result);
		x->result = NULL;
	}
	if (exec_bind(x, "RELEASE command", "") < 0 || rc < 0)
		return -1;
	if (rc == 0)
		log_info("command %s %s by %s refused: %s", cmd_names[c->kind], c->id, c->by,
		    x->summary.p);
	return command_record(x, c, rc) < 0 ? -1 : 1;
}

/* Releases what applying a command left in ctx, ready for the next. */
void
command_ctx_free(struct cmd_ctx *x)
{
	buf_free(&x->summary);
	cJSON_Delete(x->result);
	x->result = NULL;
	x->target[0] = '\0';
	x->reload = 0;
	x->resync = 0;
}
