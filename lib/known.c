/*
 * Known drivers as CSV ("name,note"), shared by /admin/known and the
 * trackside command: reading an import line by line with the reason each
 * wrong line is wrong, and writing an export that reads back the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trackside.h"
#include "cmd.h"
#include "csv.h"
#include "known.h"

/* A field of an import with spaces around removed and the export's spreadsheet guard undone. */
static char *
known_clean(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	for (n = strlen(s); n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'); n--)
		;
	s[n] = '\0';
	/* esc_csv writes a leading = + - @ as '=...: read back the name */
	if (s[0] == '\'' && s[1] != '\0' && strchr("=+-@", s[1]) != NULL)
		s++;
	return s;
}

/* Why a name (or note, max bytes) cannot be imported, or NULL. */
static const char *
known_text_error(const char *s, size_t max, int note)
{
	if (!note && *s == '\0')
		return "the name is empty";
	if (strlen(s) > max)
		return note ? "the note is longer than 200 bytes" : "the name is longer than 64 bytes";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return note ? "the note holds control characters" :
			    "the name holds control characters";
	return NULL;
}

/*
 * Reads an import's CSV: the rows {line, name, note, status (new, known,
 * error), reason} of every line that is not blank, the header
 * ("name,note") left out. *errors counts the wrong lines, *fresh the new
 * names. Returns the array (caller frees), or NULL on an SQLite error or
 * when memory runs out.
 */
cJSON *
known_import_read(sqlite3 *db, const char *text, size_t len, int *errors, int *fresh)
{
	struct csv	 c;
	struct csv_rec	 r;
	sqlite3_stmt	*st;
	cJSON		*rows, *row;
	int		 rc, first = 1;
	char		 why[64];

	*errors = *fresh = 0;
	if ((rows = cJSON_CreateArray()) == NULL)
		return NULL;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM known_drivers WHERE name = ?1", -1, &st, NULL) != SQLITE_OK) {
		cJSON_Delete(rows);
		return NULL;
	}
	csv_init(&c, text, len);
	while ((rc = csv_read(&c, &r)) > 0) {
		const char	*err = r.err, *name = "", *note = "";
		int		 header = first && r.err == NULL && r.n >= 1 && r.n <= 2 &&
		    strcasecmp(known_clean(r.f[0]), "name") == 0 &&
		    (r.n == 1 || strcasecmp(known_clean(r.f[1]), "note") == 0);

		first = 0;
		if (header) {
			csv_rec_free(&r);
			continue;
		}
		if (r.n > 0)
			name = known_clean(r.f[0]);
		if (r.n > 1)
			note = known_clean(r.f[1]);
		if (err == NULL && r.n > 2)
			err = "more than two fields (name, note)";
		if (err == NULL)
			err = known_text_error(name, CMD_NAME_MAX, 0);
		if (err == NULL)
			err = known_text_error(note, CMD_NOTE_MAX, 1);
		if (err == NULL) {
			cJSON_ArrayForEach(row, rows) {
				const cJSON *n = cJSON_GetObjectItemCaseSensitive(row, "name");
				const cJSON *s = cJSON_GetObjectItemCaseSensitive(row, "status");
				if (strcmp(s->valuestring, "error") != 0 &&
				    strcmp(n->valuestring, name) == 0) {
					snprintf(why, sizeof(why), "the name comes twice (line %d)",
					    cJSON_GetObjectItemCaseSensitive(row, "line")->valueint);
					err = why;
					break;
				}
			}
		}
		const char *status = "error";
		if (err == NULL) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
			if ((rc = sqlite3_step(st)) != SQLITE_ROW && rc != SQLITE_DONE) {
				csv_rec_free(&r);
				goto fail;
			}
			status = rc == SQLITE_ROW ? "known" : "new";
			*fresh += rc != SQLITE_ROW;
		} else
			(*errors)++;
		if ((row = cJSON_CreateObject()) == NULL) {
			csv_rec_free(&r);
			goto fail;
		}
		cJSON_AddItemToArray(rows, row);
		cJSON_AddNumberToObject(row, "line", (double)r.line);
		/* a line that is not text shows as nothing rather than as broken bytes */
		cJSON_AddStringToObject(row, "name", jscan_utf8_valid(name, strlen(name)) ? name : "");
		cJSON_AddStringToObject(row, "note", jscan_utf8_valid(note, strlen(note)) ? note : "");
		cJSON_AddStringToObject(row, "status", status);
		cJSON_AddStringToObject(row, "status_label", err ? "error" :
		    strcmp(status, "new") == 0 ? "new" : "already known");
		if (err != NULL)
			cJSON_AddStringToObject(row, "reason", err);
		csv_rec_free(&r);
	}
	if (rc < 0)
		goto fail;
	sqlite3_finalize(st);
	return rows;
fail:
	sqlite3_finalize(st);
	cJSON_Delete(rows);
	return NULL;
}

/*
 * Appends one export line: name and note, quoted as CSV needs, a name or
 * note that a spreadsheet would run as a formula (= + - @) behind a '
 * that the import takes off again. Returns 1 or -1.
 */
int
known_csv_row(struct buf *b, const char *name, const char *note)
{
	if (esc_csv(b, name, strlen(name)) < 0 || buf_putc(b, ',') < 0 ||
	    esc_csv(b, note, strlen(note)) < 0 || buf_puts(b, "\r\n") < 0)
		return -1;
	return 1;
}
