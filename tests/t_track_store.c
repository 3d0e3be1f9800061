/*
 * Storage around the tracker, through the worker (worker_apply) on a
 * temporary database with sebring-school-race-A: a restart in the middle
 * of the race resumes the session and loses nothing; frames sent again
 * change nothing; writes per frame stay O(what changed) (no history
 * rewritten); trackside reprocess re-derives the session from its raw
 * frames.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "ingest.h"
#include "cmd.h"
#include "db.h"
#include "t_track_util.h"

static char		 dbpath[256];
static struct rec_reader r;
static struct buf	 rec;

static int
truth_ok(sqlite3 *db, struct score *sc)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/sebring-school-race.truth.json", data_dir());
	truth_compare(db, path, sc);
	return sc->laps > 0 && sc->laps_ok == sc->laps && sc->laps_extra == 0 && sc->pits_ok == sc->pits &&
	    sc->pits_extra == 0 && sc->sessions_ok && sc->chat_ok && sc->positions_ok;
}

int
main(void)
{
	struct worker	 w;
	struct buf	 err = { 0 };
	struct score	 sc;
	char		 path[4096], id1[64] = "", id2[64] = "";
	long long	 seq = 0, first_max = 0, last_max = 0, laps_before, pits_before;
	int		 half = 1600, n = 0, rc;

	log_init("t_track_store", 1, LOG_LVL_WARN);
	snprintf(path, sizeof(path), "%s/sebring-school-race-A.jsonl.gz", data_dir());
	if (access(path, R_OK) != 0) {
		snprintf(path, sizeof(path), "no recordings in %s", data_dir());
		return skip_all_data(path);
	}
	tap_plan(7);
	snprintf(dbpath, sizeof(dbpath), "/tmp/t_track_store.%d.db", (int)getpid());
	unlink(dbpath);
	rec_open(&r, path);
	if (!worker_open(&w, dbpath, "/nonexistent", &err)) {
		diag("%s", err.p);
		return 1;
	}
	db_exec(w.db, "BEGIN", NULL);
	while (rec_next(&r)) {
		double at = r.created + r.t;
		int before = sqlite3_total_changes(w.db), d;
		rec_frame(&rec, "clientA", ++seq, at, r.responses, r.rlen);
		worker_apply(&w, rec.p, rec.len, "clientA", seq, 1);
		ingest_tick(w.ing, at);
		d = sqlite3_total_changes(w.db) - before;
		/* Rows written per frame at the start and at the end of the race. */
		if (seq > 200 && seq <= 700 && d > first_max)
			first_max = d;
		if (seq > 2800 && d > last_max)
			last_max = d;
		if (++n == half) {
			/* A restart: the worker goes away (uncommitted work lost) and comes back. */
			db_exec(w.db, "COMMIT", NULL);
			snprintf(id1, sizeof(id1), "%s", "");
			sqlite3_stmt *st;
			sqlite3_prepare_v2(w.db, "SELECT id FROM sessions", -1, &st, NULL);
			if (sqlite3_step(st) == SQLITE_ROW)
				snprintf(id1, sizeof(id1), "%s", sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
			worker_close(&w);
			if (!worker_open(&w, dbpath, "/nonexistent", &err)) {
				diag("%s", err.p);
				return 1;
			}
			/* The same frame again after the restart: a duplicate. */
			rc = worker_apply(&w, rec.p, rec.len, "clientA", seq, 1);
			ok(rc == 2, "a frame sent again after a restart is a duplicate (%d)", rc);
			db_exec(w.db, "BEGIN", NULL);
		}
	}
	db_exec(w.db, "COMMIT", NULL);
	ok(db_count(w.db, "SELECT count(*) FROM sessions") == 1 &&
	    db_count(w.db, "SELECT count(*) FROM sessions WHERE id = (SELECT session_id FROM raw_frames LIMIT 1)") == 1,
	    "a restart resumes the open session (no second session)");
	rc = truth_ok(w.db, &sc);
	ok(rc, "after the restart every lap and pit matches the truth (laps %lld/%lld, pits %lld/%lld)",
	    sc.laps_ok, sc.laps, sc.pits_ok, sc.pits);
	ok(last_max <= first_max + 2 && last_max < 60,
	    "rows written per frame stay O(what changed): at most %lld early, %lld late", first_max, last_max);
	/* Frames sent again change nothing. */
	{
		int before = sqlite3_total_changes(w.db), dup = 1;
		rec_close(&r);
		rec_open(&r, path);
		db_exec(w.db, "BEGIN", NULL);
		for (long long s = 1; s <= 50 && rec_next(&r); s++) {
			rec_frame(&rec, "clientA", s, r.created + r.t, r.responses, r.rlen);
			dup &= worker_apply(&w, rec.p, rec.len, "clientA", s, 1) == 2;
		}
		db_exec(w.db, "COMMIT", NULL);
		ok(dup && sqlite3_total_changes(w.db) == before, "frames sent again change nothing");
	}
	laps_before = db_count(w.db, "SELECT count(*) FROM laps");
	pits_before = db_count(w.db, "SELECT count(*) FROM pits");
	worker_close(&w);
	/* trackside reprocess SESSION: the session.reprocess command */
	{
		struct cmd_ctx x;
		struct cmd c;
		struct stmts sts;
		struct { sqlite3 *db; } a;
		sqlite3_stmt *st;
		memset(&x, 0, sizeof(x));
		db_open(&a.db, dbpath, DB_RW, &err);
		stmts_prepare(&sts, a.db, &err);
		x.db = a.db;
		x.stmts = &sts;
		cmd_new(&c, CMD_SESSION_REPROCESS, "cli:test", NULL);
		cJSON_AddStringToObject(c.args, "session", id1);
		db_exec(a.db, "BEGIN IMMEDIATE", NULL);
		rc = command_apply(&x, &c) == 1 && db_count(a.db, "SELECT ok FROM admin_log") == 1 ? 0 : 1;
		db_exec(a.db, "COMMIT", NULL);
		command_ctx_free(&x);
		cmd_free(&c);
		stmts_finalize(&sts);
		sqlite3_prepare_v2(a.db, "SELECT id FROM sessions", -1, &st, NULL);
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(id2, sizeof(id2), "%s", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		ok(rc == 0 && strcmp(id1, id2) == 0 && db_count(a.db, "SELECT count(*) FROM sessions") == 1 &&
		    db_count(a.db, "SELECT count(*) FROM laps") == laps_before &&
		    db_count(a.db, "SELECT count(*) FROM pits") == pits_before,
		    "reprocess re-derives the session under its id (%lld laps, %lld pits)", laps_before, pits_before);
		rc = truth_ok(a.db, &sc);
		ok(rc, "the reprocessed session matches the truth (laps %lld/%lld, pits %lld/%lld)",
		    sc.laps_ok, sc.laps, sc.pits_ok, sc.pits);
		db_close(a.db);
	}
	rec_close(&r);
	buf_free(&rec);
	buf_free(&err);
	db_remove(dbpath);
	return tap_done();
}
