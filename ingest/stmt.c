/*
 * All SQL of the writer in one place: an enum-indexed table of statements,
 * prepared once per connection, ? bindings only.
 */
#include <string.h>

#include "ingest.h"

static const char *const stmt_sql[STMT__MAX] = {
	/* STMT_SEQ_GET */
	"SELECT last_seq FROM client_seqs WHERE client = ?1",
	/* STMT_SEQ_PUT */
	"INSERT INTO client_seqs (client, name, version, token_id, last_seq, last_at, session_id) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (client) DO UPDATE SET "
	"name = coalesce(excluded.name, name), version = coalesce(excluded.version, version), "
	"token_id = excluded.token_id, last_seq = excluded.last_seq, last_at = excluded.last_at, "
	"session_id = excluded.session_id",
	/* STMT_RAW_PUT */
	"INSERT OR IGNORE INTO raw_frames (session_id, client, seq, captured_at, received_at, source, body) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
};

/*
 * Prepares every statement on db. Returns 1, or 0 with a message in err.
 */
int
stmts_prepare(struct stmts *s, sqlite3 *db, struct buf *err)
{
	memset(s, 0, sizeof(*s));
	s->db = db;
	for (int i = 0; i < STMT__MAX; i++)
		if (sqlite3_prepare_v3(db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &s->st[i], NULL) != SQLITE_OK) {
			buf_printf(err, "statement %d: %s", i, sqlite3_errmsg(db));
			stmts_finalize(s);
			return 0;
		}
	return 1;
}

/*
 * Statement i, reset and with its bindings cleared, ready to bind.
 */
sqlite3_stmt *
stmt(struct stmts *s, enum stmt i)
{
	sqlite3_reset(s->st[i]);
	sqlite3_clear_bindings(s->st[i]);
	return s->st[i];
}

void
stmts_finalize(struct stmts *s)
{
	for (int i = 0; i < STMT__MAX; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
}
