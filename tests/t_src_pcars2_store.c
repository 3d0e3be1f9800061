/*
 * Project CARS 2 / Automobilista 2 frames through the worker
 * (worker_apply) on a temporary database: what the source observes is
 * stored (laps with the game's sector times, cars keyed by participant
 * index and name, a pit stop, the finish), and a restart in the middle of
 * the race (the source's state saved with the client's row) stores what an
 * uninterrupted run stores. The frames are
 * tests/fuzz/corpus/src_pcars2/race.json: three cars on the grid, the
 * start, three laps with a pit stop of the second car, the flag, the menus.
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
	"round(l.s3, 3), l.sectors_derived, l.pit, l.driver FROM laps l JOIN cars c ON c.id = " \
	"l.car_id ORDER BY c.key, l.lap"

/* The client's clock of a frame: its last packet's at_ms, in seconds. */
static double
frame_at(const cJSON *f, double dflt)
{
	const cJSON	*p, *a = cJSON_GetObjectItemCaseSensitive(f, "packets");
	double		 at = dflt;

	cJSON_ArrayForEach(p, (cJSON_IsArray(a) ? a : NULL)) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, "at_ms");
		if (cJSON_IsNumber(v) && v->valuedouble / 1000.0 > at)
			at = v->valuedouble / 1000.0;
	}
	return at;
}

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
	double		 at = 0;

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
		at = frame_at(f, at);
		time_iso(at, iso);
		buf_reset(&rec);
		buf_printf(&rec, "{\"token\":0,\"received_at\":%.3f}\n{\"v\":1,\"client\":{\"id\":"
		    "\"p2A\",\"name\":\"p2A\",\"version\":\"test\"},\"seq\":%lld,\"captured_at\":\"%s\","
		    "\"source\":\"pcars2\",\"data\":%s}", at + 0.05, seq, iso, data);
		free(data);
		worker_apply(w, rec.p, rec.len, "p2A", seq, 1);
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

	log_init("t_src_pcars2_store", 1, LOG_LVL_WARN);
	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/src_pcars2/race.json", src ? src : ".");
	if (file_read(path, 16u << 20, &file) <= 0 ||
	    (frames = cJSON_ParseWithLength(file.p, file.len)) == NULL) {
		printf("1..0 # SKIP %s cannot be read\n", path);
		return 1;
	}
	tap_plan(8);
	snprintf(dbpath, sizeof(dbpath), "/tmp/t_src_pcars2_store.%d.db", (int)getpid());
	if (!play(&w, dbpath, frames, 0))
		return 1;
	ok(db_count(w.db, "SELECT count(*) FROM sessions") == 1 &&
	    db_count(w.db, "SELECT count(*) FROM sessions WHERE sim = 'pcars2' AND type = 'race' AND "
	    "track = 'Brands Hatch/Indy' AND online = 1") == 1, "one online race at Brands Hatch/Indy");
	ok(db_count(w.db, "SELECT count(*) FROM cars") == 3 &&
	    db_count(w.db, "SELECT count(*) FROM cars WHERE key = '1:Driver 01' AND slot = 1 AND "
	    "vehicle_name = 'Car 1' AND class = 'GT4'") == 1,
	    "cars keyed by participant index and name, with vehicle and class");
	ok(db_count(w.db, "SELECT count(*) FROM laps") == 9 &&
	    db_count(w.db, "SELECT count(*) FROM laps WHERE sectors_derived = 0 AND s1 > 0 AND s2 > 0 "
	    "AND s3 > 0 AND abs(s1 + s2 + s3 - time) < 1e-3") == 9,
	    "three laps of three cars with the game's sectors, adding up to the lap");
	ok(db_count(w.db, "SELECT count(*) FROM laps l JOIN cars c ON c.id = l.car_id WHERE "
	    "c.key = '2:Driver 02' AND l.lap = 2 AND abs(l.s1 - 32.125) < 1e-3 AND "
	    "abs(l.s2 - 32.375) < 1e-3 AND abs(l.s3 - 32.625) < 1e-3") == 1,
	    "a lap's sectors are the ones the game timed for it");
	ok(db_count(w.db, "SELECT count(*) FROM pits p JOIN cars c ON c.id = p.car_id WHERE "
	    "c.key = '1:Driver 01' AND p.stop_time > 0 AND p.exit_time > 0") == 1 &&
	    db_count(w.db, "SELECT count(*) FROM pits") == 1, "the pit stop of the second car");
	ok(db_count(w.db, "SELECT count(*) FROM car_state WHERE finish = 'finished'") == 3,
	    "all three finished");
	rows(w.db, LAPS_SQL, &a);
	worker_close(&w);
	if (!play(&w, dbpath, frames, 17))
		return 1;
	rows(w.db, LAPS_SQL, &b);
	ok(a.len > 10 && a.len == b.len && memcmp(a.p, b.p, a.len) == 0,
	    "a restart mid-race stores what an uninterrupted run stores");
	if (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)
		diag("uninterrupted:\n%s\nrestarted:\n%s", a.p, b.p);
	ok(db_count(w.db, "SELECT count(*) FROM tracker_clients WHERE client = 'p2A' AND "
	    "source_state LIKE '%\"source\":\"pcars2\"%\"in_session\":%'") == 1,
	    "the source's state is kept with the client");
	worker_close(&w);
	if (getenv("KEEP") == NULL)
		db_remove(dbpath);
	cJSON_Delete(frames);
	buf_free(&file);
	buf_free(&a);
	buf_free(&b);
	return tap_done();
}
