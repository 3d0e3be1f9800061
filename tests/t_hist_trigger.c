/*
 * The best_laps table (sql/003-history.sql) follows every write to laps:
 * inserts, updates, deletes, and changes of the session and the car.
 */
#include "hist.h"
#include "db.h"

static sqlite3 *rw;

static void
sql(const char *s)
{
	char *err = NULL;

	if (sqlite3_exec(rw, s, NULL, NULL, &err) != SQLITE_OK) {
		diag("%s: %s", s, err);
		sqlite3_free(err);
	}
}

/* A number from the first row of query, or -1 when there is none. */
static double
num(const char *query)
{
	sqlite3_stmt	*st;
	double		 v = -1;

	if (sqlite3_prepare_v2(rw, query, -1, &st, NULL) != SQLITE_OK) {
		diag("%s: %s", query, sqlite3_errmsg(rw));
		return -2;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

#define BEST(col, drv) num("SELECT " col " FROM best_laps WHERE car_id = 1 AND driver = '" drv "'")

int
main(void)
{
	struct buf err = { 0 };

	if (!hctx_open(&h) || !db_open(&rw, h.db_path, DB_RW, &err)) {
		printf("Bail out! %s\n", err.p ? err.p : "setup");
		return 1;
	}
	sql("INSERT INTO sessions (id, sim, track, type, online, started_at, last_update, state) "
	    "VALUES ('s1', 'lmu', 'Sebring', 'race1', 1, 1000, 1000, 'live');"
	    "INSERT INTO cars (id, session_id, slot, vehicle, vehicle_name, class) "
	    "VALUES (1, 's1', 1, 'M4_LMGT3', 'BMW M4', 'LMGT3');");

	sql("INSERT INTO laps (car_id, lap, time, s1, s2, s3, driver, seen_at) "
	    "VALUES (1, 1, 121.5, 42.9, 34.1, 44.5, 'Ann', 1100)");
	ok(BEST("time", "Ann") == 121.5 && BEST("lap", "Ann") == 1 && BEST("set_at", "Ann") == 1100,
	    "a driver's first valid lap makes the row");
	ok(num("SELECT count(*) FROM best_laps WHERE track = 'Sebring' AND vehicle = 'M4_LMGT3' "
	    "AND class = 'LMGT3' AND session_type = 'race1' AND online = 1") == 1,
	    "the row carries what the filters need");
	sql("INSERT INTO laps (car_id, lap, time, s1, s2, s3, driver) VALUES (1, 2, 122.0, 42.5, 34.6, 44.9, 'Ann')");
	ok(BEST("time", "Ann") == 121.5 && BEST("lap", "Ann") == 1, "a slower lap keeps the best");
	ok(BEST("best_s1", "Ann") == 42.5 && BEST("s1", "Ann") == 42.9,
	    "a slower lap can still improve a best sector");
	sql("INSERT INTO laps (car_id, lap, time, s1, s2, s3, driver) VALUES (1, 3, 120.9, 42.7, 34.0, 44.2, 'Ann')");
	ok(BEST("time", "Ann") == 120.9 && BEST("lap", "Ann") == 3 && BEST("s3", "Ann") == 44.2,
	    "a faster lap replaces the best and its sectors");
	ok(BEST("laps", "Ann") == 3, "valid laps are counted");
	sql("INSERT INTO laps (car_id, lap, time, s1, s2, s3, driver, valid) VALUES (1, 4, 118.0, 41.0, 33.0, 44.0, 'Ann', 0)");
	ok(BEST("time", "Ann") == 120.9 && BEST("best_s1", "Ann") == 42.5, "an invalid lap changes nothing");
	sql("INSERT INTO laps (car_id, lap, time, driver) VALUES (1, 5, NULL, 'Ann')");
	ok(BEST("laps", "Ann") == 3, "a lap without a time changes nothing");
	sql("INSERT INTO laps (car_id, lap, time, s1, driver) VALUES (1, 6, 119.0, 41.0, NULL)");
	ok(num("SELECT count(*) FROM best_laps") == 1, "a lap without a driver counts for nobody");
	sql("INSERT INTO laps (car_id, lap, time, s1, s2, s3, driver) VALUES (1, 7, 121.2, 42.8, 34.2, 44.2, 'Bob')");
	ok(num("SELECT count(*) FROM best_laps WHERE car_id = 1") == 2 &&
	    BEST("time", "Bob") == 121.2, "a second driver of the car gets a row of his own");

	sql("UPDATE laps SET s2 = 33.5 WHERE car_id = 1 AND lap = 3");
	ok(BEST("best_s2", "Ann") == 33.5 && BEST("s2", "Ann") == 33.5, "a sector filled later is taken");
	sql("UPDATE laps SET valid = 0 WHERE car_id = 1 AND lap = 3");
	ok(BEST("time", "Ann") == 121.5 && BEST("lap", "Ann") == 1 && BEST("laps", "Ann") == 2,
	    "a lap made invalid gives the best back to the next");
	sql("UPDATE laps SET driver = 'Bob' WHERE car_id = 1 AND lap = 1");
	ok(BEST("time", "Ann") == 122.0 && BEST("time", "Bob") == 121.2 && BEST("laps", "Bob") == 2,
	    "a lap given to another driver moves between their rows");
	sql("DELETE FROM laps WHERE car_id = 1 AND lap = 7");
	ok(BEST("time", "Bob") == 121.5, "a deleted best lap gives way to the next");
	sql("DELETE FROM laps WHERE car_id = 1 AND driver = 'Bob'");
	ok(BEST("time", "Bob") == -1, "a driver without laps left has no row");

	sql("UPDATE cars SET class = 'GT3', vehicle_name = 'BMW M4 GT3' WHERE id = 1");
	ok(num("SELECT count(*) FROM best_laps WHERE class = 'GT3' AND vehicle_name = 'BMW M4 GT3'") == 1,
	    "a class learned later follows into the rows");
	sql("UPDATE sessions SET type = 'race2', online = 0 WHERE id = 's1'");
	ok(num("SELECT count(*) FROM best_laps WHERE session_type = 'race2' AND online = 0") == 1,
	    "a session's type and network follow into the rows");
	sql("DELETE FROM sessions WHERE id = 's1'");
	ok(num("SELECT count(*) FROM best_laps") == 0, "deleting a session removes its rows");

	db_close(rw);
	buf_free(&err);
	hctx_close(&h);
	return tap_done();
}
