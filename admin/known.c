/*
 * trackside known add|rename|remove|list|import|export: the known drivers list,
 * which the best-laps page filters on and every page marks. A name is 1 to
 * 64 bytes without control characters, compared exactly as the game
 * reports it. Changes are admin commands (known.*), as on /admin/known.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "known.h"

/* Sends a known.* command with name (and to or note). */
static int
known_send(struct admin *a, enum cmd_kind kind, const char *name, const char *key, const char *v)
{
	struct cmd	 c;
	int		 rc;

	if (cmd_new(&c, kind, a->by, NULL) < 0) {
		fprintf(stderr, "trackside: %s\n", strerror(errno));
		return 1;
	}
	cJSON_AddStringToObject(c.args, "name", name);
	if (v != NULL)
		cJSON_AddStringToObject(c.args, key, v);
	rc = admin_run(a, &c);
	cmd_free(&c);
	return rc;
}

/* trackside known add NAME [NOTE]. Exit status 0, 1 on failure, 2 bad input. */
int
admin_known_add(struct admin *a, int argc, char *argv[])
{
	return known_send(a, CMD_KNOWN_ADD, argv[0], "note", argc > 1 ? argv[1] : NULL);
}

/* trackside known rename NAME TO. */
int
admin_known_rename(struct admin *a, int argc, char *argv[])
{
	return known_send(a, CMD_KNOWN_RENAME, argv[0], "to", argv[1]);
}

/* trackside known remove NAME. Exit status 0, 1 when the name is not known. */
int
admin_known_remove(struct admin *a, int argc, char *argv[])
{
	return known_send(a, CMD_KNOWN_REMOVE, argv[0], NULL, NULL);
}

/* trackside known list: name, when added, note; by name. */
int
admin_known_list(struct admin *a, int argc, char *argv[])
{
	sqlite3_stmt	*st;
	char		 t[32];
	int		 rc;

	if (sqlite3_prepare_v2(a->db, "SELECT name, added_at, note FROM known_drivers "
	    "ORDER BY name", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *note = sqlite3_column_text(st, 2);
		time_iso(sqlite3_column_double(st, 1), t);
		printf("%s\t%s\t%s\n", (const char *)sqlite3_column_text(st, 0), t,
		    note ? (const char *)note : "");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : 1;
}

#define KNOWN_IMPORT_MAX	(1u << 20)	/* bytes of an import, as on /admin/known/import */

/*
 * trackside known import FILE ("-" for standard input): CSV as
 * /admin/known/import takes it and /admin/known.csv writes it (lib/known.c):
 * "name,note" lines, the header optional. All or nothing: any wrong line
 * imports none, and each is named with its reason.
 */
int
admin_known_import(struct admin *a, int argc, char *argv[])
{
	struct buf	 text = { 0 };
	struct cmd	 c;
	cJSON		*rows = NULL, *arr, *row;
	int		 errors = 0, fresh = 0, rc = 0;
	char		 chunk[65536];
	size_t		 n;
	FILE		*f = strcmp(argv[0], "-") == 0 ? stdin : fopen(argv[0], "r");

	memset(&c, 0, sizeof(c));
	if (f == NULL) {
		fprintf(stderr, "trackside: %s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && text.len <= KNOWN_IMPORT_MAX)
		buf_add(&text, chunk, n);
	if (ferror(f) || text.len > KNOWN_IMPORT_MAX) {
		fprintf(stderr, "trackside: %s: %s\n", argv[0], ferror(f) ? "read error" :
		    "larger than 1 MiB");
		rc = ferror(f) ? 1 : 2;
		goto out;
	}
	if ((rows = known_import_read(a->db, text.p ? text.p : "", text.len, &errors, &fresh)) == NULL) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		rc = 1;
		goto out;
	}
	cJSON_ArrayForEach(row, rows) {
		const cJSON *why = cJSON_GetObjectItemCaseSensitive(row, "reason");
		if (cJSON_IsString(why))
			fprintf(stderr, "trackside: %s:%d: %s\n", argv[0],
			    cJSON_GetObjectItemCaseSensitive(row, "line")->valueint, why->valuestring);
	}
	if (errors > 0 || cJSON_GetArraySize(rows) > CMD_IMPORT_MAX) {
		if (errors == 0)
			fprintf(stderr, "trackside: %s: more than %d drivers\n", argv[0], CMD_IMPORT_MAX);
		fprintf(stderr, "trackside: nothing imported\n");
		rc = 2;
		goto out;
	}
	if (cJSON_GetArraySize(rows) == 0) {
		printf("%s has no drivers: nothing imported\n", argv[0]);
		goto out;
	}
	if (cmd_new(&c, CMD_KNOWN_IMPORT, a->by, NULL) < 0 ||
	    (arr = cJSON_AddArrayToObject(c.args, "rows")) == NULL) {
		fprintf(stderr, "trackside: out of memory\n");
		rc = 1;
		goto out;
	}
	cJSON_ArrayForEach(row, rows) {
		cJSON *r = cJSON_CreateObject();
		const char *note = cJSON_GetObjectItemCaseSensitive(row, "note")->valuestring;
		cJSON_AddStringToObject(r, "name", cJSON_GetObjectItemCaseSensitive(row, "name")->valuestring);
		if (*note)
			cJSON_AddStringToObject(r, "note", note);
		cJSON_AddItemToArray(arr, r);
	}
	rc = admin_run(a, &c);
out:
	cJSON_Delete(rows);
	cmd_free(&c);
	buf_free(&text);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* trackside known export: the list as CSV on stdout, as /admin/known.csv. */
int
admin_known_export(struct admin *a, int argc, char *argv[])
{
	sqlite3_stmt	*st;
	struct buf	 b = { 0 };
	int		 rc;

	if (sqlite3_prepare_v2(a->db, "SELECT name, coalesce(note, '') FROM known_drivers "
	    "ORDER BY name", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 1;
	}
	buf_puts(&b, KNOWN_CSV_HEADER);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (known_csv_row(&b, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1)) < 0)
			break;
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		fwrite(b.p, 1, b.len, stdout);
	else
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
	buf_free(&b);
	return rc == SQLITE_DONE ? 0 : 1;
}
