/*
 * Migration 007 (sql/007-neutral.sql): a database written at schema
 * version 6, with LMU's words in it, reads in the neutral vocabulary once
 * migrated: session types, the best laps that copy them, the tracker
 * clients' identity keys, finish statuses; and a client resumed after the
 * migration finds its session again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "ingest.h"
#include "db.h"
#include "t_track_util.h"

extern const char *const migrations[];

static sqlite3 *db;

static void
sql(const char *s)
{
	char *err = NULL;

	if (sqlite3_exec(db, s, NULL, NULL, &err) != SQLITE_OK) {
		diag("%s: %s", s, err);
		sqlite3_free(err);
	}
}

/* The text of the first row of query, or "" (the buffer is static). */
static const char *
text(const char *query)
{
	static char	 out[256];
	sqlite3_stmt	*st;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, query, -1, &st, NULL) != SQLITE_OK) {
		diag("%s: %s", query, sqlite3_errmsg(db));
		return out;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		snprintf(out, sizeof(out), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

/* A database at schema version 6 holding what that version's ingest wrote. */
static int
version6(const char *path)
{
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return 0;
	for (int v = 0; v < 6; v++) {
		if (migrations[v] == NULL)
			return 0;
		sql(migrations[v]);
	}
	sql("PRAGMA user_version = 6");
	sql("INSERT INTO sessions (id, sim, track, type, online, owner, started_at, last_update, "
	    "et, et_at, state) VALUES "
	    "('r1', 'lmu', 'Test Ring', 'RACE1', 0, 'c1', 1000, 1000, 100, 1000, 'live'),"
	    "('q2', 'lmu', 'Test Ring', 'QUALIFY2', 0, 'c2', 500, 500, 10, 500, 'closed'),"
	    "('p3', 'lmu', 'Test Ring', 'PRACTICE3', 0, 'c2', 400, 400, 10, 400, 'closed'),"
	    "('w', 'lmu', 'Test Ring', 'WARMUP', 0, 'c2', 300, 300, 10, 300, 'closed'),"
	    "('t', 'lmu', 'Test Ring', 'TESTDAY', 0, 'c2', 200, 200, 10, 200, 'closed'),"
	    "('x', 'lmu', 'Test Ring', 'UNKNOWN', 0, 'c2', 100, 100, 10, 100, 'closed');"
	    "INSERT INTO cars (id, session_id, slot, vehicle, vehicle_name, class) "
	    "VALUES (1, 'r1', 0, 'CAR_A', 'Car A', 'GT3');"
	    "INSERT INTO car_state (car_id, session_id, finish) VALUES (1, 'r1', 'FSTAT_FINISHED');"
	    "INSERT INTO laps (car_id, lap, time, s1, s2, s3, driver, seen_at) "
	    "VALUES (1, 1, 121.5, 42.9, 34.1, 44.5, 'Ann', 1100);"
	    "INSERT INTO tracker_clients (client, clock_offset, session_id, last_et, last_at, "
	    "last_phase, last_key, still_since) VALUES "
	    "('c1', 0, 'r1', 100, 1000, 5, 'lmu||0|Test Ring|RACE1|0', 0);");
	sqlite3_close(db);
	db = NULL;
	return 1;
}

int
main(void)
{
	static const char responses[] = "{\"/rest/watch/sessionInfo\":{\"session\":\"RACE1\","
	    "\"trackName\":\"Test Ring\",\"serverName\":\"\",\"serverPort\":0,"
	    "\"currentEventTime\":105,\"endEventTime\":3600,\"gamePhase\":5},"
	    "\"/rest/watch/standings\":[]}";
	struct worker	 w;
	struct buf	 err = { 0 }, rec = { 0 };
	char		 path[256];
	int		 applied;

	log_init("t_migrate", 1, LOG_LVL_WARN);
	tap_plan(6);
	snprintf(path, sizeof(path), "/tmp/t_migrate.%d.db", (int)getpid());
	db_remove(path);
	if (!version6(path)) {
		printf("Bail out! cannot build a version 6 database\n");
		return 1;
	}
	if (!worker_open(&w, path, "/nonexistent", &err)) {
		printf("Bail out! %s\n", err.p ? err.p : "worker_open");
		return 1;
	}
	db = w.db;
	is_str(text("SELECT group_concat(type, ' ') FROM (SELECT type FROM sessions "
	    "ORDER BY started_at DESC)"), "race1 qualify2 practice3 warmup test other",
	    "session types speak lib/vocab.h's words");
	is_str(text("SELECT session_type FROM best_laps WHERE car_id = 1"), "race1",
	    "best laps follow their session's type");
	is_str(text("SELECT finish FROM car_state WHERE car_id = 1"), "finished",
	    "finish statuses speak lib/vocab.h's words");
	is_str(text("SELECT last_key FROM tracker_clients WHERE client = 'c1'"),
	    "lmu||0|Test Ring|race1|0", "a tracker client's identity key carries the new type");

	/* The client's next frame, 5 s later: the same race. */
	rec_frame(&rec, "c1", 1, 1005, responses, sizeof(responses) - 1);
	db_exec(w.db, "BEGIN", NULL);
	applied = worker_apply(&w, rec.p, rec.len, "c1", 1, 1);
	db_exec(w.db, "COMMIT", NULL);
	ok(applied == 1 && strcmp(text("SELECT session_id FROM tracker_clients WHERE client = "
	    "'c1'"), "r1") == 0 && strcmp(text("SELECT frames FROM sessions WHERE id = 'r1'"),
	    "1") == 0, "a client resumed after the migration goes on in its session");
	is_str(text("SELECT count(*) FROM sessions"), "6", "and makes no new one");
	worker_close(&w);
	db_remove(path);
	buf_free(&err);
	buf_free(&rec);
	return tap_done();
}
