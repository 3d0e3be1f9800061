/*
 * trackside reprocess SESSION: re-derives a session from its stored raw
 * frames (after a parser or tracker fix). The session's derived rows go,
 * its raw frames run again, in arrival order, through a tracker that
 * resumes nothing and gives the first session it creates the same id;
 * the session keeps its links to the sessions before and after it.
 * Run it with trackside-ingestd stopped, or on a session that is closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ingest.h"
#include "db.h"

#define REPROCESS_MAX_FRAME (17u << 20)

/* Applies one raw frame (gzip of the frame JSON). Returns ingest_frame's result. */
static int
reprocess_frame(struct ingest *ig, sqlite3_stmt *q, long long *applied)
{
	struct buf	 json = { 0 };
	cJSON		*fr;
	struct frame	 f;
	char		 session[SESSION_ID_LEN + 1];
	const cJSON	*c;
	int		 rc;

	if (gz_inflate(sqlite3_column_blob(q, 5), (size_t)sqlite3_column_bytes(q, 5),
	    REPROCESS_MAX_FRAME, &json) != GZ_OK || (fr = cJSON_ParseWithLength(json.p, json.len)) == NULL) {
		buf_free(&json);
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.client = (const char *)sqlite3_column_text(q, 0);
	f.seq = sqlite3_column_int64(q, 1);
	f.captured_at = sqlite3_column_double(q, 2);
	f.received_at = sqlite3_column_double(q, 3);
	f.source = (const char *)sqlite3_column_text(q, 4);
	f.sent_at = sqlite3_column_double(q, 6);
	c = cJSON_GetObjectItemCaseSensitive(fr, "client");
	f.client_name = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c, "name")) ?
	    cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring : NULL;
	f.data = cJSON_GetObjectItemCaseSensitive(fr, "data");
	rc = cJSON_IsObject(f.data) ? ingest_frame(ig, &f, session) : 0;
	if (rc > 0)
		(*applied)++;
	cJSON_Delete(fr);
	buf_free(&json);
	return rc;
}

/*
 * trackside reprocess SESSION. Returns the exit status: 0 done, 1 error,
 * 2 no such session.
 */
int
admin_reprocess(struct admin *a, int argc, char *argv[])
{
	const char	*id = argv[0];
	struct stmts	 st;
	struct ingest	*ig = NULL;
	struct buf	 err = { 0 };
	sqlite3_stmt	*q = NULL;
	char		 prev[SESSION_ID_LEN + 1] = "", next[SESSION_ID_LEN + 1] = "", state[16] = "";
	long long	 frames = 0, applied = 0;
	int		 rc, found = 0;

	(void)argc;
	if (sqlite3_prepare_v2(a->db, "SELECT coalesce(prev_id, ''), coalesce(next_id, ''), state "
	    "FROM sessions WHERE id = ?", -1, &q, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		found = 1;
		snprintf(prev, sizeof(prev), "%s", sqlite3_column_text(q, 0));
		snprintf(next, sizeof(next), "%s", sqlite3_column_text(q, 1));
		snprintf(state, sizeof(state), "%s", sqlite3_column_text(q, 2));
	}
	sqlite3_finalize(q);
	q = NULL;
	if (!found) {
		fprintf(stderr, "trackside: no session \"%s\"\n", id);
		return 2;
	}
	if (strcmp(state, "closed") != 0)
		fprintf(stderr, "trackside: session %s is %s: stop trackside-ingestd before "
		    "reprocessing it\n", id, state);
	if (!stmts_prepare(&st, a->db, &err))
		goto fail;
	if (!db_exec(a->db, "BEGIN IMMEDIATE", &err))
		goto fail_st;
	if (!db_exec(a->db, "PRAGMA defer_foreign_keys = ON", &err) ||
	    sqlite3_prepare_v2(a->db, "DELETE FROM sessions WHERE id = ?", -1, &q, NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		goto rollback;
	sqlite3_finalize(q);
	q = NULL;
	if (ingest_open_fresh(&ig, &st, id, &err) < 0)
		goto rollback;
	if (sqlite3_prepare_v2(a->db, "SELECT client, seq, captured_at, received_at, source, body, "
	    "sent_at FROM raw_frames WHERE session_id = ? ORDER BY received_at, rowid", -1, &q, NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		frames++;
		if (reprocess_frame(ig, q, &applied) < 0)
			goto rollback;
	}
	if (rc != SQLITE_DONE)
		goto rollback;
	sqlite3_finalize(q);
	q = NULL;
	/* The session keeps its place among its neighbours and its liveness. */
	if (sqlite3_prepare_v2(a->db, "UPDATE sessions SET prev_id = coalesce(nullif(?2, ''), prev_id), "
	    "next_id = coalesce(nullif(?3, ''), next_id), state = CASE WHEN ?4 = 'closed' THEN 'closed' "
	    "ELSE state END WHERE id = ?1", -1, &q, NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, next, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, state, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		goto rollback;
	sqlite3_finalize(q);
	q = NULL;
	if (!db_exec(a->db, "COMMIT", &err))
		goto rollback;
	ingest_close(ig);
	stmts_finalize(&st);
	printf("reprocessed session %s: %lld raw frames, %lld applied\n", id, frames, applied);
	return 0;
rollback:
	if (err.len == 0)
		buf_printf(&err, "%s", sqlite3_errmsg(a->db));
	sqlite3_finalize(q);
	db_exec(a->db, "ROLLBACK", NULL);
	ingest_close(ig);
fail_st:
	stmts_finalize(&st);
fail:
	fprintf(stderr, "trackside: reprocess %s: %s\n", id, err.p ? err.p : "failed");
	buf_free(&err);
	return 1;
dberr:
	fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
	return 1;
}
