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

struct score {
	long long laps, laps_ok, laps_extra;
	long long pits, pits_ok, pits_extra;
	int sessions_ok, transitions_ok, chat_ok, positions_ok;
	int shown;
};

static int
same(double a, double b)
{
	if (a <= 0 && b <= 0)
		return 1;
	return fabs(a - b) < 0.0005;
}

static double
jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static double
col(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_double(st, i);
}

#define SHOW(sc, ...) do { if ((sc)->shown++ < 25) diag(__VA_ARGS__); } while (0)

/* Compares one truth car with the database car of (session, slot, veh). */
static void
compare_car(sqlite3 *db, const char *sid, const cJSON *tc, struct score *sc)
{
	sqlite3_stmt	*st;
	long long	 car = 0;
	int		 pos = 0, slot = (int)jnum(tc, "slot");
	const cJSON	*l, *laps = cJSON_GetObjectItemCaseSensitive(tc, "laps");
	const cJSON	*p, *pits = cJSON_GetObjectItemCaseSensitive(tc, "pits");
	int		 ntl = cJSON_GetArraySize(laps), ntp = cJSON_GetArraySize(pits);

	sqlite3_prepare_v2(db, "SELECT c.id, s.position FROM cars c JOIN car_state s ON s.car_id = c.id "
	    "WHERE c.session_id = ? AND c.slot = ? AND c.vehicle = ? ORDER BY c.id DESC", -1, &st, NULL);
	sqlite3_bind_text(st, 1, sid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, slot);
	sqlite3_bind_text(st, 3, jstr(tc, "veh"), -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		car = sqlite3_column_int64(st, 0);
		pos = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	sc->laps += ntl;
	sc->pits += ntp;
	if (car == 0) {
		SHOW(sc, "slot %d %s: no such car", slot, jstr(tc, "veh"));
		sc->positions_ok = 0;
		return;
	}
	if (pos != (int)jnum(tc, "final_position")) {
		SHOW(sc, "slot %d: final position %d, truth %d", slot, pos, (int)jnum(tc, "final_position"));
		sc->positions_ok = 0;
	}
	/* Laps: by number; missing rows are not laps. */
	sqlite3_prepare_v2(db, "SELECT lap, time, s1, s2, s3, coalesce(driver, ''), valid, pit FROM laps "
	    "WHERE car_id = ? AND source <> 'missing' ORDER BY lap", -1, &st, NULL);
	sqlite3_bind_int64(st, 1, car);
	int ndb = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int n = sqlite3_column_int(st, 0), found = 0;
		ndb++;
		cJSON_ArrayForEach(l, laps) {
			if ((int)jnum(l, "lap") != n)
				continue;
			found = 1;
			const cJSON *valid = cJSON_GetObjectItemCaseSensitive(l, "valid");
			const cJSON *pit = cJSON_GetObjectItemCaseSensitive(l, "pit");
			if (same(col(st, 1), jnum(l, "time")) && same(col(st, 2), jnum(l, "s1")) &&
			    same(col(st, 3), jnum(l, "s2")) && same(col(st, 4), jnum(l, "s3")) &&
			    strcmp((const char *)sqlite3_column_text(st, 5), jstr(l, "driver")) == 0 &&
			    sqlite3_column_int(st, 6) == cJSON_IsTrue(valid) &&
			    sqlite3_column_int(st, 7) == cJSON_IsTrue(pit))
				sc->laps_ok++;
			else
				SHOW(sc, "slot %d lap %d: %.3f %.3f %.3f %.3f %s v%d p%d; truth %.3f %.3f %.3f "
				    "%.3f %s v%d p%d", slot, n, col(st, 1), col(st, 2), col(st, 3), col(st, 4),
				    sqlite3_column_text(st, 5), sqlite3_column_int(st, 6),
				    sqlite3_column_int(st, 7), jnum(l, "time"), jnum(l, "s1"), jnum(l, "s2"),
				    jnum(l, "s3"), jstr(l, "driver"), cJSON_IsTrue(valid), cJSON_IsTrue(pit));
			break;
		}
		if (!found) {
			sc->laps_extra++;
			SHOW(sc, "slot %d lap %d: not in truth", slot, n);
		}
	}
	sqlite3_finalize(st);
	if (ndb - 0 < ntl)
		SHOW(sc, "slot %d: %d laps stored, truth %d", slot, ndb, ntl);
	/* Pits: in order; each truth visit must be there with every time. */
	sqlite3_prepare_v2(db, "SELECT lap, pit_time, stop_time, release_time, exit_time, garage_in, "
	    "garage_out, swap FROM pits WHERE car_id = ? ORDER BY id", -1, &st, NULL);
	sqlite3_bind_int64(st, 1, car);
	int k = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		p = cJSON_GetArrayItem(pits, k);
		if (p != NULL && (int)jnum(p, "lap") == sqlite3_column_int(st, 0) &&
		    same(col(st, 1), jnum(p, "pit_time")) && same(col(st, 2), jnum(p, "stop_time")) &&
		    same(col(st, 3), jnum(p, "release_time")) && same(col(st, 4), jnum(p, "exit_time")) &&
		    same(col(st, 5), jnum(p, "garage_in")) && same(col(st, 6), jnum(p, "garage_out")) &&
		    sqlite3_column_int(st, 7) == cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "swap"))) {
			sc->pits_ok++;
			k++;
			continue;
		}
		SHOW(sc, "slot %d pit: lap %d %.1f %.1f %.1f %.1f garage %.1f %.1f; truth[%d] lap %d %.1f "
		    "%.1f %.1f %.1f garage %.1f %.1f", slot, sqlite3_column_int(st, 0), col(st, 1),
		    col(st, 2), col(st, 3), col(st, 4), col(st, 5), col(st, 6), k,
		    p ? (int)jnum(p, "lap") : -1, p ? jnum(p, "pit_time") : 0, p ? jnum(p, "stop_time") : 0,
		    p ? jnum(p, "release_time") : 0, p ? jnum(p, "exit_time") : 0,
		    p ? jnum(p, "garage_in") : 0, p ? jnum(p, "garage_out") : 0);
		sc->pits_extra++;
		if (p != NULL && (int)jnum(p, "lap") < sqlite3_column_int(st, 0))
			k++;
	}
	sqlite3_finalize(st);
	(void)ntp;
}

/* Compares the database with a truth file. */
static void
compare(sqlite3 *db, const char *truth_path, struct score *sc)
{
	struct buf	 b = { 0 };
	cJSON		*truth, *ts;
	sqlite3_stmt	*st;
	char		 ids[16][SESSION_ID_LEN + 1];
	char		 types[16][32];
	int		 n = 0, links = 0, nt;

	memset(sc, 0, sizeof(*sc));
	sc->chat_ok = sc->positions_ok = 1;
	if (file_read(truth_path, 1 << 24, &b) <= 0 || (truth = cJSON_Parse(b.p)) == NULL) {
		diag("cannot read %s", truth_path);
		buf_free(&b);
		return;
	}
	buf_free(&b);
	sqlite3_prepare_v2(db, "SELECT id, type, next_id IS NOT NULL FROM sessions ORDER BY started_at",
	    -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW && n < 16) {
		snprintf(ids[n], sizeof(ids[n]), "%s", sqlite3_column_text(st, 0));
		snprintf(types[n], sizeof(types[n]), "%s", sqlite3_column_text(st, 1));
		links += sqlite3_column_int(st, 2);
		n++;
	}
	sqlite3_finalize(st);
	ts = cJSON_GetObjectItemCaseSensitive(truth, "sessions");
	nt = cJSON_GetArraySize(ts);
	sc->sessions_ok = n == nt;
	sc->transitions_ok = links == nt - 1;
	if (!sc->sessions_ok || !sc->transitions_ok)
		diag("%d sessions with %d transitions; truth %d sessions", n, links, nt);
	for (int i = 0; i < nt; i++) {
		const cJSON *tsn = cJSON_GetArrayItem(ts, i), *tc;
		const char *sid = NULL;
		for (int k = 0; k < n && sid == NULL; k++)
			if (strcmp(types[k], jstr(tsn, "type")) == 0)
				sid = ids[k];
		if (sid == NULL) {
			diag("no %s session", jstr(tsn, "type"));
			sc->sessions_ok = 0;
			cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(tsn, "cars")) {
				sc->laps += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tc, "laps"));
				sc->pits += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tc, "pits"));
			}
			continue;
		}
		sqlite3_prepare_v2(db, "SELECT count(*) FROM chat WHERE session_id = ?", -1, &st, NULL);
		sqlite3_bind_text(st, 1, sid, -1, SQLITE_STATIC);
		sqlite3_step(st);
		if (sqlite3_column_int(st, 0) != (int)jnum(tsn, "chat_lines")) {
			diag("%s: %d chat lines, truth %d", jstr(tsn, "type"), sqlite3_column_int(st, 0),
			    (int)jnum(tsn, "chat_lines"));
			sc->chat_ok = 0;
		}
		sqlite3_finalize(st);
		cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(tsn, "cars"))
			compare_car(db, sid, tc, sc);
	}
	cJSON_Delete(truth);
}

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
	compare(w.db, path, sc);
	printf("# %s: %lld frames; laps %lld/%lld (%.2f %%), %lld extra; pits %lld/%lld (%.2f %%), "
	    "%lld extra\n", name, frames, sc->laps_ok, sc->laps, sc->laps ? 100.0 * sc->laps_ok / sc->laps : 0,
	    sc->laps_extra, sc->pits_ok, sc->pits, sc->pits ? 100.0 * sc->pits_ok / sc->pits : 0,
	    sc->pits_extra);
	worker_close(&w);
	for (int i = 0; i < nfiles; i++)
		rec_close(&r[i]);
	buf_free(&rec);
	buf_free(&err);
	unlink(db);
	snprintf(path, sizeof(path), "%s-wal", db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", db);
	unlink(path);
	return 1;
}

static void
check(const char *name, const char *const *files, int nfiles, const char *truth)
{
	struct score	 sc;
	int		 rc;

	memset(&sc, 0, sizeof(sc));

	if (access(data_dir(), R_OK) != 0) {
		skip("%s: no recordings in %s", name, data_dir());
		return;
	}
	rc = run(name, files, nfiles, truth, &sc);
	if (rc == 0) {
		skip("%s: recordings missing", name);
		return;
	}
	ok(rc > 0 && sc.laps > 0 && sc.laps_ok == sc.laps && sc.laps_extra == 0 && sc.pits_ok == sc.pits &&
	    sc.pits_extra == 0 && sc.sessions_ok && sc.transitions_ok && sc.chat_ok && sc.positions_ok,
	    "%s: laps %lld/%lld, pits %lld/%lld, sessions%s, transitions%s, chat%s, positions%s", name,
	    sc.laps_ok, sc.laps, sc.pits_ok, sc.pits, sc.sessions_ok ? "" : " WRONG",
	    sc.transitions_ok ? "" : " WRONG", sc.chat_ok ? "" : " WRONG", sc.positions_ok ? "" : " WRONG");
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
	tap_plan(only ? 1 : 4);
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
