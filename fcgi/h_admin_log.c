/*
 * GET /admin/log: the audit log, every admin command applied or refused
 * (admin_log rows shown = 1), newest first, 50 a page; filtered by who gave
 * it and by the kind of command.
 */
#include <stdio.h>
#include <string.h>

#include "fcgi.h"
#include "admin.h"

#define LOG_PAGE	50

/* What each command does, in words, for the log's "what" column. */
static const char *const log_words[CMD__MAX] = {
	[CMD_KNOWN_ADD] = "add a known driver",
	[CMD_KNOWN_RENAME] = "rename a known driver",
	[CMD_KNOWN_REMOVE] = "remove a known driver",
	[CMD_KNOWN_IMPORT] = "import known drivers",
	[CMD_CLIENT_ADD] = "make a client token",
	[CMD_CLIENT_REVOKE] = "revoke a client token",
	[CMD_CLIENT_REBIND] = "move a client id to another token",
	[CMD_ENROLL_ADD] = "make an enrollment code",
	[CMD_ENROLL_END] = "end an enrollment code",
	[CMD_SESSION_RENAME] = "rename a session",
	[CMD_SESSION_HIDE] = "hide or show a session",
	[CMD_SESSION_DELETE] = "delete a session",
	[CMD_SESSION_MERGE] = "merge sessions",
	[CMD_SESSION_SPLIT] = "split a session",
	[CMD_SESSION_REPROCESS] = "reprocess a session",
	[CMD_ACCOUNT_ADD] = "add an admin account",
	[CMD_ACCOUNT_PASSWD] = "change an admin's password",
	[CMD_ACCOUNT_REMOVE] = "remove an admin account",
	[CMD_LOGIN_OPEN] = "sign in",
	[CMD_LOGIN_TOUCH] = "keep a sign-in",
	[CMD_LOGIN_CLOSE] = "sign out",
	[CMD_LOGIN_FAIL] = "fail to sign in",
	[CMD_SESSION_RULES] = "set drive-time rules",
	[CMD_HOOK_ADD] = "add a webhook",
	[CMD_HOOK_REMOVE] = "remove a webhook",
};

enum log_sql { LS_COUNT, LS_ROWS, LS_WHO, LS__MAX };
static const char *const log_sqls[LS__MAX] = {
	/* LS_COUNT: ?1 by, ?2 cmd, or NULL */
	"SELECT count(*) FROM admin_log WHERE shown AND (?1 IS NULL OR by = ?1) "
	"AND (?2 IS NULL OR cmd = ?2)",
	/* LS_ROWS: ?3 rows from ?4 */
	"SELECT id, at, applied_at, by, addr, cmd, target, summary, ok FROM admin_log "
	"WHERE shown AND (?1 IS NULL OR by = ?1) AND (?2 IS NULL OR cmd = ?2) "
	"ORDER BY applied_at DESC, id LIMIT ?3 OFFSET ?4",
	/* LS_WHO */
	"SELECT DISTINCT by FROM admin_log WHERE shown ORDER BY by",
};

/* The words of command name, or the name itself. */
static const char *
log_what(const char *name)
{
	for (int i = 0; i < CMD__MAX; i++)
		if (strcmp(cmd_names[i], name) == 0)
			return log_words[i];
	return name;
}

void
h_admin_log_page(struct req *req, struct resp *resp)
{
	static const char *const bools[] = { "ok" };
	sqlite3_stmt	*st[LS__MAX] = { NULL };
	const char	*by = req_param(req, "by");
	int		 kind = -1;
	long long	 page, count;
	cJSON		*o = NULL, *rows, *el, *arr;

	if (by != NULL && !cmd_text_valid(by, CMD_BY_MAX)) {
		resp_error(resp, 400, "bad_parameter", "by is not a name.");
		page_error(req, resp);
		return;
	}
	if (!req_param_int(req, resp, "page", 1, 1000000, 1, &page) ||
	    !req_param_enum(req, resp, "cmd", cmd_names, CMD__MAX, &kind)) {
		page_error(req, resp);
		return;
	}
	if ((o = cJSON_CreateObject()) == NULL)
		goto dberr;
	for (int i = 0; i < LS__MAX; i++) {
		if (sqlite3_prepare_v2(req->db, log_sqls[i], -1, &st[i], NULL) != SQLITE_OK)
			goto dberr;
		if (i == LS_WHO)
			continue;
		if (by != NULL)
			sqlite3_bind_text(st[i], 1, by, -1, SQLITE_STATIC);
		if (kind >= 0)
			sqlite3_bind_text(st[i], 2, cmd_names[kind], -1, SQLITE_STATIC);
	}
	if (sqlite3_step(st[LS_COUNT]) != SQLITE_ROW)
		goto dberr;
	count = sqlite3_column_int64(st[LS_COUNT], 0);
	sqlite3_bind_int(st[LS_ROWS], 3, LOG_PAGE);
	sqlite3_bind_int64(st[LS_ROWS], 4, (page - 1) * LOG_PAGE);
	if ((rows = cJSON_AddArrayToObject(o, "rows")) == NULL || json_rows(st[LS_ROWS], rows) < 0)
		goto dberr;
	cJSON_ArrayForEach(el, rows) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(el, "cmd");
		view_bools(el, bools, 1);
		cJSON_AddStringToObject(el, "what", log_what(cJSON_IsString(c) ? c->valuestring : ""));
	}
	/* the filter's choices: who has given a command, and every kind */
	if ((arr = cJSON_AddArrayToObject(o, "who")) == NULL)
		goto dberr;
	while (sqlite3_step(st[LS_WHO]) == SQLITE_ROW) {
		const char *w = (const char *)sqlite3_column_text(st[LS_WHO], 0);
		cJSON *opt = cJSON_CreateObject();
		cJSON_AddStringToObject(opt, "by", w ? w : "");
		cJSON_AddBoolToObject(opt, "selected", by != NULL && w != NULL && strcmp(by, w) == 0);
		cJSON_AddItemToArray(arr, opt);
	}
	if ((arr = cJSON_AddArrayToObject(o, "kinds")) == NULL)
		goto dberr;
	for (int i = 0; i < CMD__MAX; i++) {
		cJSON *opt = cJSON_CreateObject();
		cJSON_AddStringToObject(opt, "value", cmd_names[i]);
		cJSON_AddStringToObject(opt, "label", log_words[i]);
		cJSON_AddBoolToObject(opt, "selected", i == kind);
		cJSON_AddItemToArray(arr, opt);
	}
	cJSON_AddStringToObject(o, "by", by ? by : "");
	cJSON_AddStringToObject(o, "cmd", kind >= 0 ? cmd_names[kind] : "");
	cJSON_AddNumberToObject(o, "count", (double)count);
	cJSON_AddNumberToObject(o, "page", (double)page);
	cJSON_AddNumberToObject(o, "pages", (double)((count + LOG_PAGE - 1) / LOG_PAGE));
	if (page > 1)
		cJSON_AddNumberToObject(o, "prev", (double)(page - 1));
	if (page * LOG_PAGE < count)
		cJSON_AddNumberToObject(o, "next", (double)(page + 1));
	for (int i = 0; i < LS__MAX; i++)
		sqlite3_finalize(st[i]);
	admin_page(req, resp, "admin_log", o, "Audit log");
	cJSON_Delete(o);
	return;
dberr:
	log_err("admin log: %s", sqlite3_errmsg(req->db));
	for (int i = 0; i < LS__MAX; i++)
		sqlite3_finalize(st[i]);
	cJSON_Delete(o);
	resp_error(resp, 503, "unavailable", "The audit log cannot be read now.");
	page_error(req, resp);
}
