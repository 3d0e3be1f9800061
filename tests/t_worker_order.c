/*
 * The worker is the authority on a client's frames: applied in seq order
 * (one below the highest applied seq is a duplicate, never applied late),
 * and only from the token the client id belongs to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "ingest.h"
#include "db.h"

static struct worker	 w;
static struct buf	 rec;

static int
apply(const char *client, long long seq, long long token)
{
	int rc;

	buf_reset(&rec);
	buf_printf(&rec, "{\"token\":%lld,\"received_at\":1795000000}\n{\"v\":1,\"client\":{\"id\":\"%s\"},"
	    "\"seq\":%lld,\"captured_at\":\"2026-11-21T12:00:00.000Z\",\"source\":\"lmu\","
	    "\"data\":{\"/rest/watch/sessionInfo\":null}}", token, client, seq);
	db_exec(w.db, "BEGIN", NULL);
	rc = worker_apply(&w, rec.p, rec.len, client, seq, 1);
	db_exec(w.db, rc < 0 ? "ROLLBACK" : "COMMIT", NULL);
	return rc;
}

static long long
count(const char *sql)
{
	sqlite3_stmt	*st;
	long long	 n = -1;

	if (sqlite3_prepare_v2(w.db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int
main(void)
{
	struct buf	 err = { 0 };
	char		 dbpath[64];

	log_init("t_worker_order", 1, LOG_LVL_ERR);
	tap_plan(7);
	snprintf(dbpath, sizeof(dbpath), "/tmp/t_worker_order.%d.db", (int)getpid());
	unlink(dbpath);
	if (!worker_open(&w, dbpath, "/nonexistent", &err)) {
		diag("%s", err.p);
		return 1;
	}
	is_int(apply("clientAAAA", 1000, 1), 1, "a client's first frame is applied");
	is_int(apply("clientAAAA", 500, 1), 2, "a frame below the highest applied seq is a duplicate");
	is_int(count("SELECT count(*) FROM raw_frames WHERE seq = 500"), 0, "it is not applied out of order");
	is_int(apply("clientAAAA", 1001, 2), 0, "a frame under the client id from another token is refused");
	is_int(count("SELECT last_seq FROM client_seqs WHERE client = 'clientAAAA'"), 1000,
	    "it changes nothing");
	is_int(apply("clientAAAA", 1001, 1), 1, "the owner's next frame is applied");
	is_int(apply("clientBBBB", 1, 2), 1, "another client id is another token's");
	worker_close(&w);
	unlink(dbpath);
	buf_free(&rec);
	buf_free(&err);
	return tap_done();
}
