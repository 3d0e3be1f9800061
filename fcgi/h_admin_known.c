/*
 * /admin/known...: the known drivers list in the browser. GET /admin/known
 * lists and searches it; POST add, rename, remove (after a confirmation)
 * and mark (the one-click button of the public pages) send a command each;
 * GET /admin/known.csv exports it; GET and POST /admin/known/import read a
 * CSV (lib/csv.c), show it line by line and, when no line is wrong, apply
 * it as one known.import command, all or nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fcgi.h"
#include "admin.h"
#include "known.h"

#define KNOWN_PAGE	100	/* drivers a page */

enum known_sql { KS_COUNT, KS_LIST, KS_ALL, KS__MAX };
static const char *const known_sqls[KS__MAX] = {
	/* KS_COUNT: ?1 the search or NULL */
	"SELECT count(*) FROM known_drivers WHERE ?1 IS NULL "
	"OR instr(lower(name), lower(?1)) > 0 OR instr(lower(coalesce(note, '')), lower(?1)) > 0",
	/* KS_LIST: ?2 rows from ?3 */
	"SELECT name, note, added_at FROM known_drivers WHERE ?1 IS NULL "
	"OR instr(lower(name), lower(?1)) > 0 OR instr(lower(coalesce(note, '')), lower(?1)) > 0 "
	"ORDER BY name LIMIT ?2 OFFSET ?3",
	/* KS_ALL */
	"SELECT name, coalesce(note, '') FROM known_drivers ORDER BY name",
};

/*
 * Adds "mark" {csrf, back} to o when the request carries the ts_csrf
 * cookie of a signed-in admin: the public pages then offer, beside each
 * driver who is not known, a button that marks them known (POST
 * /admin/known/mark, checked there like every admin form). Returns 1 added,
 * 0 not (no or malformed cookie), -1 out of memory.
 */
int
admin_known_csrf(const struct req *req, cJSON *o)
{
	char	 tok[65];
	cJSON	*m;

	if (req_cookie(req, ADMIN_CSRF_COOKIE, tok, sizeof(tok)) == NULL || strlen(tok) != 64 ||
	    strspn(tok, "0123456789abcdef") != 64)
		return 0;
	if ((m = cJSON_AddObjectToObject(o, "mark")) == NULL ||
	    cJSON_AddStringToObject(m, "csrf", tok) == NULL ||
	    cJSON_AddStringToObject(m, "back", req->path) == NULL)
		return -1;
	return 1;
}

/* Whether back is a path of this site ("/x", not "//host" or "/\host"). */
static int
known_local(const char *back)
{
	return back != NULL && back[0] == '/' && back[1] != '/' && back[1] != '\\' &&
	    strpbrk(back, "\r\n") == NULL;
}

/* A form field a person typed, spaces around it removed (malloc'd), or NULL. */
static char *
known_field(const struct req *req, const char *key)
{
	const char	*v = admin_form(req, key);
	size_t		 n;

	if (v == NULL)
		return strdup("");
	while (*v == ' ' || *v == '\t')
		v++;
	for (n = strlen(v); n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'); n--)
		;
	return strndup(v, n);
}

void
h_admin_known_page(struct req *req, struct resp *resp)
{
	sqlite3_stmt	*st[KS__MAX] = { NULL };
	const char	*q = req_param(req, "q");
	long long	 page, count;
	cJSON		*o = NULL, *arr;

	if (q != NULL && !cmd_text_valid(q, CMD_NOTE_MAX)) {
		admin_bad(req, resp, "The search is too long or holds control characters.");
		return;
	}
	if (!req_param_int(req, resp, "page", 1, 1000000, 1, &page)) {
		page_error(req, resp);
		return;
	}
	if ((o = cJSON_CreateObject()) == NULL)
		goto dberr;
	for (int i = KS_COUNT; i <= KS_LIST; i++) {
		if (sqlite3_prepare_v2(req->db, known_sqls[i], -1, &st[i], NULL) != SQLITE_OK)
			goto dberr;
		if (q != NULL)
			sqlite3_bind_text(st[i], 1, q, -1, SQLITE_STATIC);
	}
	if (sqlite3_step(st[KS_COUNT]) != SQLITE_ROW)
		goto dberr;
	count = sqlite3_column_int64(st[KS_COUNT], 0);
	sqlite3_bind_int(st[KS_LIST], 2, KNOWN_PAGE);
	sqlite3_bind_int64(st[KS_LIST], 3, (page - 1) * KNOWN_PAGE);
	if ((arr = cJSON_AddArrayToObject(o, "drivers")) == NULL || json_rows(st[KS_LIST], arr) < 0)
		goto dberr;
	cJSON_AddStringToObject(o, "q", q ? q : "");
	cJSON_AddNumberToObject(o, "count", (double)count);
	cJSON_AddNumberToObject(o, "page", (double)page);
	cJSON_AddNumberToObject(o, "pages", (double)((count + KNOWN_PAGE - 1) / KNOWN_PAGE));
	if (page > 1)
		cJSON_AddNumberToObject(o, "prev", (double)(page - 1));
	if (page * KNOWN_PAGE < count)
		cJSON_AddNumberToObject(o, "next", (double)(page + 1));
	for (int i = 0; i < KS__MAX; i++)
		sqlite3_finalize(st[i]);
	admin_page(req, resp, "admin_known", o, "Known drivers");
	cJSON_Delete(o);
	return;
dberr:
	log_err("admin known: %s", sqlite3_errmsg(req->db));
	for (int i = 0; i < KS__MAX; i++)
		sqlite3_finalize(st[i]);
	cJSON_Delete(o);
	resp_error(resp, 503, "unavailable", "The known drivers cannot be read now.");
	page_error(req, resp);
}

/* POST /admin/known/add: name, note. */
void
h_admin_known_add(struct req *req, struct resp *resp)
{
	struct cmd	 c;
	char		*name = known_field(req, "name"), *note = known_field(req, "note");

	if (name == NULL || note == NULL)
		resp_error(resp, 500, "internal", "Out of memory.");
	else if (*name == '\0' || !cmd_text_valid(name, CMD_NAME_MAX))
		admin_bad(req, resp, "A driver's name has 1 to 64 bytes and no control characters.");
	else if (!cmd_text_valid(note, CMD_NOTE_MAX))
		admin_bad(req, resp, "A note has at most 200 bytes and no control characters.");
	else if (admin_cmd(req, resp, &c, CMD_KNOWN_ADD)) {
		cJSON_AddStringToObject(c.args, "name", name);
		if (*note)
			cJSON_AddStringToObject(c.args, "note", note);
		admin_send_back(req, resp, &c, "/admin/known");
	}
	free(name);
	free(note);
}

/* POST /admin/known/rename: name, to. */
void
h_admin_known_rename(struct req *req, struct resp *resp)
{
	struct cmd	 c;
	const char	*name = admin_form(req, "name");
	char		*to = known_field(req, "to");

	if (to == NULL)
		resp_error(resp, 500, "internal", "Out of memory.");
	else if (name == NULL || *name == '\0' || !cmd_text_valid(name, CMD_NAME_MAX) || *to == '\0' ||
	    !cmd_text_valid(to, CMD_NAME_MAX))
		admin_bad(req, resp, "A driver's name has 1 to 64 bytes and no control characters.");
	else if (admin_cmd(req, resp, &c, CMD_KNOWN_RENAME)) {
		cJSON_AddStringToObject(c.args, "name", name);
		cJSON_AddStringToObject(c.args, "to", to);
		admin_send_back(req, resp, &c, "/admin/known");
	}
	free(to);
}

/*
 * POST /admin/known/remove: name; without confirm=1 it answers a page that
 * asks, with the form that removes.
 */
void
h_admin_known_remove(struct req *req, struct resp *resp)
{
	struct cmd	 c;
	const char	*name = admin_form(req, "name"), *confirm = admin_form(req, "confirm");
	cJSON		*o;

	if (name == NULL || *name == '\0' || !cmd_text_valid(name, CMD_NAME_MAX)) {
		admin_bad(req, resp, "A driver's name has 1 to 64 bytes and no control characters.");
		return;
	}
	if (confirm == NULL || strcmp(confirm, "1") != 0) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "confirm_remove", name);
		admin_page(req, resp, "admin_known", o, "Remove a known driver");
		cJSON_Delete(o);
		return;
	}
	if (admin_cmd(req, resp, &c, CMD_KNOWN_REMOVE)) {
		cJSON_AddStringToObject(c.args, "name", name);
		admin_send_back(req, resp, &c, "/admin/known");
	}
}

/* POST /admin/known/mark: name, back (a path of this site). */
void
h_admin_known_mark(struct req *req, struct resp *resp)
{
	struct cmd	 c;
	const char	*name = admin_form(req, "name"), *back = admin_form(req, "back");

	if (name == NULL || *name == '\0' || !cmd_text_valid(name, CMD_NAME_MAX)) {
		admin_bad(req, resp, "A driver's name has 1 to 64 bytes and no control characters.");
		return;
	}
	if (!known_local(back) || !cmd_text_valid(back, 1024))
		back = "/admin/known";
	if (admin_cmd(req, resp, &c, CMD_KNOWN_ADD)) {
		cJSON_AddStringToObject(c.args, "name", name);
		admin_send_back(req, resp, &c, back);
	}
}

/* GET /admin/known.csv: name,note, every known driver, by name. */
void
h_admin_known_csv(struct req *req, struct resp *resp)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(req->db, known_sqls[KS_ALL], -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	buf_reset(&resp->body);
	buf_puts(&resp->body, KNOWN_CSV_HEADER);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *note = (const char *)sqlite3_column_text(st, 1);
		if (known_csv_row(&resp->body, name, note) < 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto dberr;
	resp->status = 200;
	resp->ctype = "text/csv; charset=utf-8";
	resp_header(resp, "Content-Disposition", "attachment; filename=\"known-drivers.csv\"");
	return;
dberr:
	log_err("admin known export: %s", sqlite3_errmsg(req->db));
	resp_error(resp, 503, "unavailable", "The known drivers cannot be read now.");
	page_error(req, resp);
}

/* GET /admin/known/import: the form (step 1). */
void
h_admin_known_import_page(struct req *req, struct resp *resp)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "csv", "");
	admin_page(req, resp, "admin_known_import", o, "Import known drivers");
	cJSON_Delete(o);
}

/*
 * POST /admin/known/import: step=preview shows what the CSV holds, line by
 * line; step=apply (the CSV read again: the form's copy is not trusted)
 * sends one known.import command when no line is wrong, else shows the
 * preview again.
 */
void
h_admin_known_import(struct req *req, struct resp *resp)
{
	const char	*text = admin_form(req, "csv"), *step = admin_form(req, "step");
	cJSON		*o, *rows, *row;
	struct cmd	 c;
	int		 errors, fresh, n;

	if (text == NULL)
		text = "";
	if ((rows = known_import_read(req->db, text, strlen(text), &errors, &fresh)) == NULL) {
		log_err("admin known import: %s", sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The known drivers cannot be read now.");
		page_error(req, resp);
		return;
	}
	n = cJSON_GetArraySize(rows);
	if (step != NULL && strcmp(step, "apply") == 0 && errors == 0 && n > 0 &&
	    n <= CMD_IMPORT_MAX) {
		if (!admin_cmd(req, resp, &c, CMD_KNOWN_IMPORT)) {
			cJSON_Delete(rows);
			return;
		}
		cJSON *arr = cJSON_AddArrayToObject(c.args, "rows");
		cJSON_ArrayForEach(row, rows) {
			cJSON *r = cJSON_CreateObject();
			const char *note = cJSON_GetObjectItemCaseSensitive(row, "note")->valuestring;
			cJSON_AddStringToObject(r, "name",
			    cJSON_GetObjectItemCaseSensitive(row, "name")->valuestring);
			if (*note)
				cJSON_AddStringToObject(r, "note", note);
			cJSON_AddItemToArray(arr, r);
		}
		cJSON_Delete(rows);
		admin_send_back(req, resp, &c, "/admin/known");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "csv", text);
	cJSON_AddTrueToObject(o, "previewed");
	cJSON_AddItemToObject(o, "rows", rows);
	cJSON_AddNumberToObject(o, "total", n);
	cJSON_AddNumberToObject(o, "errors", errors);
	cJSON_AddNumberToObject(o, "fresh", fresh);
	cJSON_AddNumberToObject(o, "known", n - errors - fresh);
	if (n > CMD_IMPORT_MAX)
		cJSON_AddStringToObject(o, "too_many", "An import takes at most 5000 drivers: "
		    "split the file.");
	else if (n == 0)
		cJSON_AddStringToObject(o, "too_many", "The text holds no driver.");
	cJSON_AddBoolToObject(o, "can_apply", errors == 0 && n > 0 && n <= CMD_IMPORT_MAX);
	admin_page(req, resp, "admin_known_import", o, "Import known drivers");
	cJSON_Delete(o);
}
