/*
 * Assetto Corsa frames through the worker (worker_apply) on a temporary
 * database: what the AC source observes is stored (laps with cuts,
 * collisions and derived sectors, cars keyed by driver, chat, the results
 * file of the session END_SESSION ended), and a restart in the middle of
 * the race (the source's state saved with the client's row) stores what an
 * uninterrupted run stores. The frames are tests/fuzz/corpus/src_ac/race.json:
 * an empty server's NEW_SESSION flood, a race in which a driver with GUID
 * "0" reconnects on another slot, a collision, a chat line, END_SESSION and
 * the next session in the same frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "tap.h"
#include "ingest.h"
#include "db.h"
#include "t_track_util.h"

/* The rows of a query, a line each, columns separated by spaces. */
static void
rows(sqlite3 *db, const char *sql, struct buf *out)
{
	sqlite3_stmt *st;

	buf_reset(out);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		buf_printf(out, "error: %s", sqlite3_errmsg(db));
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++)
			buf_printf(out, "%s%s", i ? " " : "", sqlite3_column_text(st, i) ?
			    (const char *)sqlite3_column_text(st, i) : "NULL");
		buf_putc(out, '\n');
	}
	buf_putc(out, '\0');
	sqlite3_finalize(st);
}

#define LAPS_SQL "SELECT c.key, c.slot, l.lap, l.time, round(l.s1, 3), round(l.s2, 3), " \
	"l.cuts, l.collisions, l.sectors_derived, l.driver FROM laps l JOIN cars c ON c.id = " \
	"l.car_id ORDER BY c.key, l.lap"

/*
 * Plays the frames into a fresh database; restart_at > 0 closes and opens
 * the worker before that frame. Returns the worker, open.
 */
static int
play(struct worker *w, const char *dbpath, const cJSON *frames, int restart_at)
{
	struct buf	 rec = { 0 }, err = { 0 };
	const cJSON	*f;
	long long	 seq = 0;
	double		 at = 1764995400.0;

	db_remove(dbpath);
	if (!worker_open(w, dbpath, "/nonexistent", &err)) {
		diag("%s", err.p);
		return 0;
	}
	db_exec(w->db, "BEGIN", NULL);
	cJSON_ArrayForEach(f, frames) {
		char iso[32], *data = cJSON_PrintUnformatted(f);
		if (seq + 1 == restart_at) {
			db_exec(w->db, "COMMIT", NULL);
			worker_close(w);
			if (!worker_open(w, dbpath, "/nonexistent", &err)) {
				diag("%s", err.p);
				return 0;
			}
			db_exec(w->db, "BEGIN", NULL);
		}
		++seq;
		at += 1;
		time_iso(at, iso);
		buf_reset(&rec);
		buf_printf(&rec, "{\"token\":0,\"received_at\":%.3f}\n{\"v\":1,\"client\":{\"id\":"
		    "\"acA\",\"name\":\"acA\",\"version\":\"test\"},\"seq\":%lld,\"captured_at\":\"%s\","
		    "\"source\":\"ac\",\"data\":%s}", at + 0.05, seq, iso, data);
		free(data);
		worker_apply(w, rec.p, rec.len, "acA", seq, 1);
		ingest_tick(w->ing, at);
	}
	db_exec(w->db, "COMMIT", NULL);
	buf_free(&rec);
	buf_free(&err);
	return 1;
}

int
main(void)
{
	struct worker	 w;
	struct buf	 file = { 0 }, a = { 0 }, b = { 0 };
	char		 path[4096], dbpath[256];
	const char	*src = getenv("top_srcdir");
	cJSON		*frames;

	log_init("t_src_ac_store", 1, LOG_LVL_WARN);
	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/src_ac/race.json", src ? src : ".");
	if (file_read(path, 16u << 20, &file) <= 0 ||
	    (frames = cJSON_ParseWithLength(file.p, file.len)) == NULL) {
		printf("1..0 # SKIP %s cannot be read\n", path);
		return 1;
	}
	tap_plan(10);
	snprintf(dbpath, sizeof(dbpath), "/tmp/t_src_ac_store.%d.db", (int)getpid());
	if (!play(&w, dbpath, frames, 0))
		return 1;
	ok(db_count(w.db, "SELECT count(*) FROM sessions") == 2 &&
	    db_count(w.db, "SELECT count(*) FROM sessions WHERE sim = 'ac' AND type = 'race' AND "
	    "track = 'ks_vallelunga/club_circuit'") == 1 &&
	    db_count(w.db, "SELECT count(*) FROM sessions WHERE type = 'practice' AND prev_id = "
	    "(SELECT id FROM sessions WHERE type = 'race')") == 1,
	    "the flood stores nothing: the race, then the next session linked to it");
	ok(db_count(w.db, "SELECT count(*) FROM sessions WHERE type = 'race' AND results_file = "
	    "'results/2026_12_6_RACE.json' AND finished = 1") == 1,
	    "END_SESSION: the race keeps its results file");
	ok(db_count(w.db, "SELECT count(*) FROM cars c JOIN sessions s ON s.id = c.session_id WHERE "
	    "s.type = 'race'") == 2 &&
	    db_count(w.db, "SELECT count(*) FROM cars c JOIN sessions s ON s.id = c.session_id WHERE "
	    "s.type = 'race' AND key = 'Bert' AND slot = 3") == 1 &&
	    db_count(w.db, "SELECT count(*) FROM cars WHERE key = '7656119800000001' AND team = "
	    "'Team A'") >= 1, "cars keyed by GUID or name; a reconnect on slot 3 is the same car");
	ok(db_count(w.db, "SELECT count(*) FROM laps l JOIN cars c ON c.id = l.car_id WHERE c.key = "
	    "'7656119800000001' AND l.lap = 1 AND l.collisions = 1 AND l.cuts = 0") == 1 &&
	    db_count(w.db, "SELECT count(*) FROM laps l JOIN cars c ON c.id = l.car_id WHERE c.key = "
	    "'Bert' AND l.cuts = 1") == 2, "cuts and collisions per lap");
	ok(db_count(w.db, "SELECT count(*) FROM laps WHERE sectors_derived = 1 AND s1 > 0 AND s2 > 0 "
	    "AND s3 > 0 AND abs(s1 + s2 + s3 - time) < 1e-6") == 4 &&
	    db_count(w.db, "SELECT count(*) FROM laps WHERE sectors_derived = 1") == 4,
	    "sectors derived from positions, marked as such, adding up to the lap");
	ok(db_count(w.db, "SELECT count(*) FROM chat WHERE text = 'Bert: sorry!'") == 1,
	    "the chat line");
	ok(db_count(w.db, "SELECT count(*) FROM car_state s JOIN cars c ON c.id = s.car_id JOIN "
	    "sessions x ON x.id = c.session_id WHERE x.type = 'race' AND s.finish = 'finished'") == 2,
	    "both finished");
	rows(w.db, LAPS_SQL, &a);
	worker_close(&w);
	if (!play(&w, dbpath, frames, 50))
		return 1;
	rows(w.db, LAPS_SQL, &b);
	ok(a.len > 10 && a.len == b.len && memcmp(a.p, b.p, a.len) == 0,
	    "a restart mid-race stores what an uninterrupted run stores");
	if (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)
		diag("uninterrupted:\n%s\nrestarted:\n%s", a.p, b.p);
	ok(db_count(w.db, "SELECT count(*) FROM cars c JOIN sessions s ON s.id = c.session_id WHERE "
	    "s.type = 'race'") == 2, "after the restart the reconnect is still the same car");
	ok(db_count(w.db, "SELECT count(*) FROM tracker_clients WHERE client = 'acA' AND "
	    "source_state LIKE '%\"source\":\"ac\"%\"has_info\":1%'") == 1, "the source's state is kept with the client");
	worker_close(&w);
	if (getenv("KEEP") == NULL)
		db_remove(dbpath);
	cJSON_Delete(frames);
	buf_free(&file);
	buf_free(&a);
	buf_free(&b);
	return tap_done();
}
