/*
 * Fidelity: the recordings of ../shared/data/recordings run through the
 * worker (worker_apply, as trackside-ingestd applies inbox frames) into a
 * fresh database, compared with their .truth.json: laps (number, time to
 * the millisecond, sectors, driver, validity, pit), pit and garage visits
 * (lap and every time), final positions, number of sessions and their
 * transitions, chat line count. Prints the score; fails below 100 %.
 * Several recordings are merged as several clients, interleaved by wall
 * time (the header's "created" plus each poll's t).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "tap.h"
#include "ingest.h"
#include "db.h"
#include "t_track_util.h"

#define MAXREC 4

/* Runs recordings (merged as one client each) through a fresh worker. Returns 1, 0 skip, -1. */
static int
run(const char *name, const char *const *files, int nfiles, const char *truth, struct score *sc)
{
	struct rec_reader	 r[MAXREC];
	struct worker		 w;
	struct buf		 err = { 0 }, rec = { 0 };
	char			 db[256], path[4096], client[32];
	long long		 seq[MAXREC] = { 0 }, frames = 0;
	int			 live = 0;

	snprintf(db, sizeof(db), "/tmp/t_track_fidelity.%d.db", (int)getpid());
	unlink(db);
	for (int i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/%s", data_dir(), files[i]);
		if (!rec_open(&r[i], path)) {
			diag("%s: cannot read", path);
			return 0;
		}
		if (rec_next(&r[i]))
			live++;
	}
	if (!worker_open(&w, db, "/nonexistent", &err)) {
		diag("worker: %s", err.p);
		return -1;
	}
	db_exec(w.db, "BEGIN", NULL);
	while (live > 0) {
		int k = -1;
		for (int i = 0; i < nfiles; i++)
			if (!r[i].eof && (k < 0 || r[i].created + r[i].t < r[k].created + r[k].t))
				k = i;
		double at = r[k].created + r[k].t;
		snprintf(client, sizeof(client), "client-%c", 'A' + k);
		rec_frame(&rec, client, ++seq[k], at, r[k].responses, r[k].rlen);
		if (worker_apply(&w, rec.p, rec.len, client, seq[k], 1) < 0) {
			diag("worker_apply: %s", sqlite3_errmsg(w.db));
			return -1;
		}
		ingest_tick(w.ing, at);
		if (++frames % 500 == 0) {
			db_exec(w.db, "COMMIT", NULL);
			db_exec(w.db, "BEGIN", NULL);
		}
		if (!rec_next(&r[k]))
			live--;
	}
	db_exec(w.db, "COMMIT", NULL);
	snprintf(path, sizeof(path), "%s/%s", data_dir(), truth);
	truth_compare(w.db, path, sc);
	printf("# %s: %lld frames; laps %lld/%lld (%.2f %%), %lld extra; pits %lld/%lld (%.2f %%), "
	    "%lld extra\n", name, frames, sc->laps_ok, sc->laps, sc->laps ? 100.0 * sc->laps_ok / sc->laps : 0,
	    sc->laps_extra, sc->pits_ok, sc->pits, sc->pits ? 100.0 * sc->pits_ok / sc->pits : 0,
	    sc->pits_extra);
	worker_close(&w);
	for (int i = 0; i < nfiles; i++)
		rec_close(&r[i]);
	buf_free(&rec);
	buf_free(&err);
	db_remove(db);
	return 1;
}

static void
check(const char *name, const char *const *files, int nfiles, const char *truth)
{
	struct score	 sc;
	int		 rc;

	memset(&sc, 0, sizeof(sc));

	/* two checks a run: the laps, pits and sessions; the race log */
	if (access(data_dir(), R_OK) != 0) {
		for (int i = 0; i < 2; i++)
			skip_data("%s: no recordings in %s", name, data_dir());
		return;
	}
	rc = run(name, files, nfiles, truth, &sc);
	if (rc == 0) {
		for (int i = 0; i < 2; i++)
			skip_data("%s: recordings missing", name);
		return;
	}
	ok(rc > 0 && sc.laps > 0 && sc.laps_ok == sc.laps && sc.laps_extra == 0 && sc.pits_ok == sc.pits &&
	    sc.pits_extra == 0 && sc.sessions_ok && sc.transitions_ok && sc.chat_ok && sc.positions_ok,
	    "%s: laps %lld/%lld, pits %lld/%lld, sessions%s, transitions%s, chat%s, positions%s", name,
	    sc.laps_ok, sc.laps, sc.pits_ok, sc.pits, sc.sessions_ok ? "" : " WRONG",
	    sc.transitions_ok ? "" : " WRONG", sc.chat_ok ? "" : " WRONG", sc.positions_ok ? "" : " WRONG");
	ok(rc > 0 && sc.log_cars > 0 && sc.log_ok == sc.log_cars,
	    "%s: the race log has every pit and garage visit of the truth once: %lld/%lld cars", name,
	    sc.log_ok, sc.log_cars);
}

int
main(int argc, char *argv[])
{
	static const char *const weekend[] = { "sebring-school-weekend.jsonl.gz" };
	static const char *const monza[] = { "monza-weekend.jsonl.gz" };
	static const char *const a[] = { "sebring-school-race-A.jsonl.gz" };
	static const char *const abc[] = { "sebring-school-race-A.jsonl.gz",
	    "sebring-school-race-B.jsonl.gz", "sebring-school-race-C.jsonl.gz" };
	const char *only = argc > 1 ? argv[1] : NULL;

	log_init("t_track_fidelity", 1, LOG_LVL_WARN);
	tap_plan(only ? 2 : 8);
	if (!only || strcmp(only, "weekend") == 0)
		check("sebring-school-weekend (one client)", weekend, 1, "sebring-school-weekend.truth.json");
	if (!only || strcmp(only, "monza") == 0)
		check("monza-weekend (one client)", monza, 1, "monza-weekend.truth.json");
	if (!only || strcmp(only, "A") == 0)
		check("sebring-school-race-A (one client)", a, 1, "sebring-school-race.truth.json");
	if (!only || strcmp(only, "ABC") == 0)
		check("sebring-school-race A+B+C (three clients)", abc, 3, "sebring-school-race.truth.json");
	return tap_done();
}
