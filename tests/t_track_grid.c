/*
 * Big grids: frames of 17, 60, 104 (LMU's maximum) and 1 000 cars through
 * the LMU parser, every car read back with its own vehicle, and through the
 * worker into a temporary database, every car stored. Run under
 * --enable-sanitizers, a car that points into a moved array is an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "ingest.h"
#include "source.h"
#include "track.h"
#include "db.h"
#include "t_track_util.h"

static const int grids[] = { 17, 60, 104, 1000 };
#define NGRIDS	(int)(sizeof(grids) / sizeof(grids[0]))

static long long
count(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt	*st;
	long long	 n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Whether every car of o is car i of an n-car grid, in order. */
static int
cars_ok(const struct obs *o, int n)
{
	char veh[32], driver[32];

	if ((int)o->ncars != n)
		return 0;
	for (int i = 0; i < n; i++) {
		const struct obs_car *c = &o->cars[i];
		snprintf(veh, sizeof(veh), "GRID_%d", i);
		snprintf(driver, sizeof(driver), "Driver %d", i);
		if (c->slot != i || strcmp(c->veh, veh) != 0 || c->driver == NULL ||
		    strcmp(c->driver, driver) != 0) {
			diag("car %d: slot %d veh %s driver %s", i, c->slot, c->veh,
			    c->driver ? c->driver : "(null)");
			return 0;
		}
	}
	return 1;
}

int
main(void)
{
	struct buf	 resp = { 0 }, rec = { 0 }, err = { 0 };
	struct obs	 o;
	struct worker	 w;
	char		 dbpath[256], server[32], client[32];

	log_init("t_track_grid", 1, LOG_LVL_WARN);
	tap_plan(2 * NGRIDS);
	memset(&o, 0, sizeof(o));
	for (int g = 0; g < NGRIDS; g++) {
		struct src_in	 in = { "grid", 1, 1000 };
		void		*st = lmu_state_new();
		cJSON		*j;
		grid_responses(&resp, grids[g], 100);
		j = cJSON_ParseWithLength(resp.p, resp.len);
		ok(j != NULL && st != NULL && lmu_parse(st, &in, j, &o) == 1 &&
		    cars_ok(&o, grids[g]),
		    "a %d-car frame is parsed with every car's own vehicle and driver", grids[g]);
		cJSON_Delete(j);
		lmu_state_free(st);
	}
	obs_free(&o);

	snprintf(dbpath, sizeof(dbpath), "/tmp/t_track_grid.%d.db", (int)getpid());
	db_remove(dbpath);
	if (!worker_open(&w, dbpath, "/nonexistent", &err)) {
		diag("%s", err.p);
		return 1;
	}
	for (int g = 0; g < NGRIDS; g++) {
		int n = grids[g], applied = 1;
		snprintf(client, sizeof(client), "grid%d", n);
		snprintf(server, sizeof(server), "Grid %d", n);
		db_exec(w.db, "BEGIN", NULL);
		for (int k = 0; k < 3; k++) {
			grid_responses(&resp, n, 100 + k);
			rec_frame(&rec, client, k + 1, 1.7e9 + k, resp.p, resp.len);
			applied &= worker_apply(&w, rec.p, rec.len, client, k + 1, 1) == 1;
		}
		db_exec(w.db, "COMMIT", NULL);
		long long cars = count(w.db, "SELECT count(*) FROM cars c JOIN sessions s ON s.id = "
		    "c.session_id WHERE s.server = ?", server);
		long long right = count(w.db, "SELECT count(*) FROM cars c JOIN sessions s ON s.id = "
		    "c.session_id WHERE s.server = ? AND c.vehicle = 'GRID_' || c.slot", server);
		ok(applied && cars == n && right == n,
		    "three %d-car frames are applied and store every car (%lld cars, %lld right)", n,
		    cars, right);
	}
	worker_close(&w);
	buf_free(&resp);
	buf_free(&rec);
	buf_free(&err);
	db_remove(dbpath);
	return tap_done();
}
