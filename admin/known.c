/*
 * trackside known add|remove|list|import: the known drivers list, which the
 * best-laps page filters on and every page marks. A name is 1 to 64 bytes
 * without control characters, compared exactly as the game reports it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "db.h"

#define KNOWN_NAME_MAX	64
#define KNOWN_NOTE_MAX	200
#define KNOWN_LINE_MAX	1024

/* Whether s has min to max bytes and no control characters: 1, or 0. */
static int
known_valid(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/*
 * Adds name (with an optional note; an existing name gets the new note).
 * Returns 1 added, 0 already known, -1 on an SQLite error.
 */
static int
known_put(sqlite3 *db, const char *name, const char *note)
{
	sqlite3_stmt	*st;
	int		 rc, existed;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM known_drivers WHERE name = ?", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	existed = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "INSERT INTO known_drivers (name, note, added_at) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET "
	    "note = coalesce(excluded.note, note)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (note != NULL && *note)
		sqlite3_bind_text(st, 2, note, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, time_now());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	return existed ? 0 : 1;
}

/* trackside known add NAME [NOTE]. Exit status 0, 1 on failure, 2 bad input. */
int
admin_known_add(struct admin *a, int argc, char *argv[])
{
	const char	*note = argc > 1 ? argv[1] : NULL;
	int		 rc;

	if (!known_valid(argv[0], 1, KNOWN_NAME_MAX)) {
		fprintf(stderr, "trackside: a driver name has 1 to %d characters and no "
		    "control characters\n", KNOWN_NAME_MAX);
		return 2;
	}
	if (note != NULL && !known_valid(note, 0, KNOWN_NOTE_MAX)) {
		fprintf(stderr, "trackside: a note has at most %d characters and no control "
		    "characters\n", KNOWN_NOTE_MAX);
		return 2;
	}
	if ((rc = known_put(a->db, argv[0], note)) < 0) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 1;
	}
	printf(rc ? "added \"%s\" to the known drivers\n" : "\"%s\" was already known\n", argv[0]);
	return 0;
}

/* trackside known remove NAME. Exit status 0, 1 when the name is not known. */
int
admin_known_remove(struct admin *a, int argc, char *argv[])
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(a->db, "DELETE FROM known_drivers WHERE name = ?", -1, &st,
	    NULL) != SQLITE_OK) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 1;
	}
	sqlite3_bind_text(st, 1, argv[0], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 1;
	}
	if (sqlite3_changes(a->db) == 0) {
		fprintf(stderr, "trackside: \"%s\" is not a known driver\n", argv[0]);
		return 1;
	}
	printf("removed \"%s\" from the known drivers\n", argv[0]);
	return 0;
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

/* Strips a trailing CR/LF and surrounding blanks in place. */
static char *
known_trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * trackside known import FILE ("-" for standard input): one driver a line,
 * "NAME" or "NAME<TAB>NOTE"; blank lines and lines starting with '#' are
 * skipped. All or nothing: a bad line imports none and names its line.
 */
int
admin_known_import(struct admin *a, int argc, char *argv[])
{
	FILE	*f = strcmp(argv[0], "-") == 0 ? stdin : fopen(argv[0], "r");
	char	 line[KNOWN_LINE_MAX + 2];
	int	 lineno = 0, added = 0, known = 0, rc = 0;

	if (f == NULL) {
		fprintf(stderr, "trackside: %s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	if (!db_exec(a->db, "BEGIN IMMEDIATE", NULL)) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		rc = 1;
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strlen(line) > KNOWN_LINE_MAX) {
			fprintf(stderr, "trackside: %s:%d: line too long\n", argv[0], lineno);
			rc = 2;
			break;
		}
		char *tab = strchr(line, '\t'), *name, *note = NULL;
		if (tab != NULL) {
			*tab = '\0';
			note = known_trim(tab + 1);
		}
		name = known_trim(line);
		if (*name == '\0' || *name == '#')
			continue;
		if (!known_valid(name, 1, KNOWN_NAME_MAX) ||
		    (note != NULL && !known_valid(note, 0, KNOWN_NOTE_MAX))) {
			fprintf(stderr, "trackside: %s:%d: not a driver name (1 to %d characters, "
			    "no control characters)\n", argv[0], lineno, KNOWN_NAME_MAX);
			rc = 2;
			break;
		}
		int r = known_put(a->db, name, note);
		if (r < 0) {
			fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
			rc = 1;
			break;
		}
		if (r)
			added++;
		else
			known++;
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "trackside: %s: read error\n", argv[0]);
		rc = 1;
	}
	if (rc != 0 || !db_exec(a->db, "COMMIT", NULL)) {
		db_exec(a->db, "ROLLBACK", NULL);
		if (rc == 0) {
			fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
			rc = 1;
		}
		fprintf(stderr, "trackside: nothing imported\n");
	} else
		printf("imported %d known driver%s (%d already known)\n", added,
		    added == 1 ? "" : "s", known);
out:
	if (f != stdin)
		fclose(f);
	return rc;
}
