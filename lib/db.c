/*
 * Opening the database with the project's settings and running the
 * migrations of sql/ (embedded at build time) under PRAGMA user_version.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "trackside.h"
#include "db.h"

extern const char *const migrations[];

/* Busy waits are bounded: at most this long per statement. */
#define DB_BUSY_MS 5000

/*
 * Opens path. DB_RW creates it and sets WAL mode; DB_RO never writes.
 * Returns 1, or 0 with a message in err (*out is then NULL).
 */
int
db_open(sqlite3 **out, const char *path, enum db_mode mode, struct buf *err)
{
	int flags = mode == DB_RW ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;

	*out = NULL;
	flags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, out, flags, NULL) != SQLITE_OK) {
		buf_printf(err, "%s: %s", path, *out ? sqlite3_errmsg(*out) : "cannot open");
		sqlite3_close(*out);
		*out = NULL;
		return 0;
	}
	sqlite3_busy_timeout(*out, DB_BUSY_MS);
	sqlite3_extended_result_codes(*out, 1);
	if (mode == DB_RW) {
		if (db_exec(*out, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		    "PRAGMA foreign_keys=ON;", err) <= 0) {
			sqlite3_close(*out);
			*out = NULL;
			return 0;
		}
		sqlite3_wal_autocheckpoint(*out, DB_AUTOCHECKPOINT);
	} else
		db_exec(*out, "PRAGMA query_only=ON;", NULL);
	return 1;
}

/*
 * Runs sql (several statements allowed). Returns 1, or 0 with a message in err.
 */
int
db_exec(sqlite3 *db, const char *sql, struct buf *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (err)
			buf_printf(err, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return 0;
	}
	return 1;
}

/*
 * Steps st once and returns what sqlite3_step returned. Unless that is
 * SQLITE_ROW the statement is reset, so it holds no read transaction. The
 * pattern every caller follows: a statement is stepped with db_step until
 * it is not SQLITE_ROW, or the caller calls sqlite3_reset when it stops
 * reading rows earlier (a lookup of one row, an error in a loop). A
 * statement left on a row keeps its connection on an old snapshot: the WAL
 * cannot be restarted, and the connection cannot write once another one
 * has.
 */
int
db_step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_ROW)
		sqlite3_reset(st);
	return rc;
}

/*
 * The number of statements of db stepped but neither finished nor reset;
 * their SQL goes to sql (one a line) when it is not NULL. 0 between
 * transactions, or a statement was not reset after use.
 */
int
db_busy_stmts(sqlite3 *db, struct buf *sql)
{
	int n = 0;

	for (sqlite3_stmt *st = sqlite3_next_stmt(db, NULL); st != NULL;
	    st = sqlite3_next_stmt(db, st))
		if (sqlite3_stmt_busy(st)) {
			n++;
			if (sql != NULL)
				buf_printf(sql, "%s\n", sqlite3_sql(st));
		}
	return n;
}

/* The schema version of an open database, or -1. */
int
db_version(sqlite3 *db)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (db_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The version the embedded migrations bring a database to. */
int
db_latest_version(void)
{
	int n = 0;

	while (migrations[n] != NULL)
		n++;
	return n;
}

/*
 * Brings the database to the latest schema, one transaction per migration.
 * Returns 1 (the number applied is logged), or 0 with a message in err,
 * also when the database is newer than these programs.
 */
int
db_migrate(sqlite3 *db, struct buf *err)
{
	int	 v = db_version(db), latest = db_latest_version();
	char	 sql[64];

	if (v < 0) {
		buf_printf(err, "cannot read the schema version: %s", sqlite3_errmsg(db));
		return 0;
	}
	if (v > latest) {
		buf_printf(err, "the database has schema version %d; this build knows up to %d", v, latest);
		return 0;
	}
	for (; v < latest; v++) {
		if (!db_exec(db, "BEGIN IMMEDIATE", err))
			return 0;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (!db_exec(db, migrations[v], err) || !db_exec(db, sql, err)) {
			db_exec(db, "ROLLBACK", NULL);
			buf_printf(err, " (migration %d)", v + 1);
			return 0;
		}
		if (!db_exec(db, "COMMIT", err))
			return 0;
		log_info("database migrated to schema version %d", v + 1);
	}
	return 1;
}

/*
 * Checkpoints the WAL without waiting for readers; when the WAL has still
 * grown past limit bytes (readers kept it), tries for a short while to
 * truncate it. So the WAL stays bounded while readers are busy, and the
 * writer is never held up for long. Returns 1 when the WAL is fully
 * checkpointed, 0 otherwise.
 */
int
db_checkpoint(sqlite3 *db, long long limit)
{
	const char	*path = sqlite3_db_filename(db, "main");
	char		 wal[4096];
	struct stat	 st;
	int		 log = 0, done = 0, rc;

	rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	if (path == NULL || snprintf(wal, sizeof(wal), "%s-wal", path) >= (int)sizeof(wal) ||
	    stat(wal, &st) < 0 || st.st_size <= limit)
		return rc == SQLITE_OK && log == done;
	sqlite3_busy_timeout(db, 200);
	rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
	sqlite3_busy_timeout(db, DB_BUSY_MS);
	if (rc != SQLITE_OK)
		log_warn("the WAL is %lld bytes and readers hold it", (long long)st.st_size);
	return rc == SQLITE_OK && log == done;
}

void
db_close(sqlite3 *db)
{
	if (db != NULL)
		sqlite3_close(db);
}
