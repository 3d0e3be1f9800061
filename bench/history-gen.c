/*
 * history-gen: fills a Trackside database with a history for the history
 * benchmark: SESSIONS sessions over 10 tracks (practice, qualifying, race;
 * online and offline) of 20 to 40 cars in 3 classes, 1 to 3 drivers a car
 * from a pool of 3000, and LAPS laps in all, inserted as the ingest worker
 * does (one transaction per session, the best_laps triggers firing). Marks
 * 200 drivers known. Prints one "session car" pair per car to PATHS for the
 * benchmark's requests. Deterministic (fixed seed).
 *
 *	history-gen DB PATHS [LAPS [SESSIONS]]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trackside.h"
#include "db.h"

#define NTRACKS		10
#define NDRIVERS	3000
#define NKNOWN		200
#define NVEH		30

static const char *const tracks[NTRACKS] = {
	"Circuit de la Sarthe", "Sebring International Raceway", "Autodromo Nazionale Monza",
	"Spa-Francorchamps", "Fuji Speedway", "Bahrain International Circuit",
	"Autodromo Enzo e Dino Ferrari", "Circuit of the Americas", "Autodromo Internacional do Algarve",
	"Sebring School Circuit",
};
static const double track_base[NTRACKS] = { 208, 110, 108, 136, 92, 109, 100, 118, 98, 64 };
static const char *const classes[3] = { "Hypercar", "LMP2", "LMGT3" };
static const double class_factor[3] = { 1.0, 1.06, 1.14 };
static const char *const types[4] = { "practice1", "qualify1", "race1", "race1" };
static const char *const first[] = { "Antonio", "Kevin", "Miguel", "Laurens", "Sophia", "Alex",
	"Ian", "Klaus", "Augusto", "Lewis", "Frank", "Eric", "Stacy", "Ron", "Cole", "Mike" };
static const char *const last[] = { "Fuoco", "Estre", "Molina", "Vanthoor", "Floersch",
	"Malykhin", "James", "Bachler", "Farfus", "Kyle", "Riley", "Dean", "Alan", "Anthony",
	"Chase", "George", "Bryant", "Elliott", "Conway", "Buemi" };

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: a number in [0, n). */
static unsigned
rnd(unsigned n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned)((rng * 2685821657736338717ULL) >> 33) % n;
}

static double
frnd(void)
{
	return rnd(1000000) / 1000000.0;
}

static void
driver_name(int i, char *out, size_t n)
{
	snprintf(out, n, "%s %s %d", first[i % 16], last[(i / 16) % 20], i);
}

static int
exec_or_die(sqlite3 *db, const char *sql)
{
	struct buf err = { 0 };

	if (!db_exec(db, sql, &err)) {
		fprintf(stderr, "history-gen: %s\n", err.p);
		exit(1);
	}
	return 1;
}

int
main(int argc, char *argv[])
{
	struct buf	 err = { 0 };
	sqlite3		*db;
	sqlite3_stmt	*ss, *cs, *ls, *ks;
	FILE		*paths;
	long long	 nlaps, nsess, done = 0, carid = 0;
	char		 id[40], name[64];
	double		 t0 = time_mono(), start = 1767225600;	/* 2026-01-01 */

	if (argc < 3) {
		fprintf(stderr, "usage: history-gen DB PATHS [LAPS [SESSIONS]]\n");
		return 2;
	}
	nlaps = argc > 3 ? atoll(argv[3]) : 1000000;
	nsess = argc > 4 ? atoll(argv[4]) : 500;
	if (nlaps < 1 || nsess < 1 || (paths = fopen(argv[2], "w")) == NULL) {
		fprintf(stderr, "history-gen: bad arguments\n");
		return 2;
	}
	log_init("history-gen", 1, LOG_LVL_WARN);
	if (!db_open(&db, argv[1], DB_RW, &err) || !db_migrate(db, &err)) {
		fprintf(stderr, "history-gen: %s\n", err.p);
		return 1;
	}
	exec_or_die(db, "PRAGMA synchronous=OFF");
	if (sqlite3_prepare_v2(db, "INSERT INTO sessions (id, sim, track, type, online, server, "
	    "started_at, last_update, et, phase, state, finished, cars, laps, clients) "
	    "VALUES (?, 'lmu', ?, ?, ?, ?, ?, ?, ?, 8, 'closed', 1, ?, ?, 1)", -1, &ss, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO cars (id, session_id, slot, vehicle, vehicle_name, "
	    "number, team, class) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &cs, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO laps (car_id, lap, time, s1, s2, s3, driver, valid, "
	    "pit, position, fuel, ve, tyres, start_et, seen_at, source) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Medium', ?, ?, 'live')", -1, &ls, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO known_drivers (name, added_at) "
	    "VALUES (?, 0)", -1, &ks, NULL)) {
		fprintf(stderr, "history-gen: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	for (int i = 0; i < NKNOWN; i++) {
		driver_name(i * (NDRIVERS / NKNOWN), name, sizeof(name));
		sqlite3_bind_text(ks, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_step(ks);
		sqlite3_reset(ks);
	}
	for (long long s = 0; s < nsess; s++) {
		int track = rnd(NTRACKS), ncars = 20 + rnd(21), type = rnd(4);
		long long left = nlaps - done, quota = left / (nsess - s);
		int per_car = (int)(quota / ncars);
		double base = track_base[track], t = start + s * 3 * 3600.0;

		snprintf(id, sizeof(id), "0190%012llx7000800000000000", (unsigned long long)s);
		exec_or_die(db, "BEGIN");
		sqlite3_bind_text(ss, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ss, 2, tracks[track], -1, SQLITE_STATIC);
		sqlite3_bind_text(ss, 3, types[type], -1, SQLITE_STATIC);
		sqlite3_bind_int(ss, 4, rnd(5) != 0);
		sqlite3_bind_text(ss, 5, "League night", -1, SQLITE_STATIC);
		sqlite3_bind_double(ss, 6, t);
		sqlite3_bind_double(ss, 7, t + per_car * base * 1.1);
		sqlite3_bind_double(ss, 8, per_car * base * 1.1);
		sqlite3_bind_int(ss, 9, ncars);
		sqlite3_bind_int64(ss, 10, quota);
		if (sqlite3_step(ss) != SQLITE_DONE)
			goto dberr;
		sqlite3_reset(ss);
		for (int c = 0; c < ncars; c++) {
			int cls = c * 3 / ncars, veh = cls * (NVEH / 3) + rnd(NVEH / 3);
			int ndrv = 1 + rnd(3), drivers[3], laps = per_car + (c < quota % ncars);
			double skill = 1.0 + frnd() * 0.03, et = 30, fuel = 100, ve = 1;
			char vname[32], vfile[32], num[12], team[48];
			for (int d = 0; d < ndrv; d++)
				drivers[d] = rnd(NDRIVERS);
			snprintf(vfile, sizeof(vfile), "%s_%02d", classes[cls], veh);
			snprintf(vname, sizeof(vname), "%s car %d", classes[cls], veh);
			snprintf(num, sizeof(num), "%d", 1 + c * 3);
			snprintf(team, sizeof(team), "Team %d", veh * 7 + c);
			sqlite3_bind_int64(cs, 1, ++carid);
			sqlite3_bind_text(cs, 2, id, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(cs, 3, c + 1);
			sqlite3_bind_text(cs, 4, vfile, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(cs, 5, vname, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(cs, 6, num, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(cs, 7, team, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(cs, 8, classes[cls], -1, SQLITE_STATIC);
			if (sqlite3_step(cs) != SQLITE_DONE)
				goto dberr;
			sqlite3_reset(cs);
			fprintf(paths, "%s %lld %d\n", id, carid, track);
			for (int l = 1; l <= laps; l++) {
				int stint = (l - 1) / 25, pit = l % 25 == 0, valid = rnd(10) != 0;
				double lt = base * class_factor[cls] * skill * (1 + frnd() * 0.02) +
				    (pit ? 25 : 0) + (l == 1 ? 6 : 0);
				double s1 = lt * (0.33 + frnd() * 0.01), s2 = lt * (0.31 + frnd() * 0.01);
				driver_name(drivers[stint % ndrv], name, sizeof(name));
				fuel = pit ? 100 : fuel - 3.1;
				ve = pit ? 1 : ve - 0.035;
				sqlite3_bind_int64(ls, 1, carid);
				sqlite3_bind_int(ls, 2, l);
				if (valid)
					sqlite3_bind_double(ls, 3, round(lt * 1000) / 1000);
				else
					sqlite3_bind_null(ls, 3);
				sqlite3_bind_double(ls, 4, round(s1 * 1000) / 1000);
				sqlite3_bind_double(ls, 5, round(s2 * 1000) / 1000);
				if (valid)
					sqlite3_bind_double(ls, 6, round((lt - s1 - s2) * 1000) / 1000);
				else
					sqlite3_bind_null(ls, 6);
				sqlite3_bind_text(ls, 7, name, -1, SQLITE_TRANSIENT);
				sqlite3_bind_int(ls, 8, valid);
				sqlite3_bind_int(ls, 9, pit);
				sqlite3_bind_int(ls, 10, 1 + c);
				sqlite3_bind_double(ls, 11, fuel);
				sqlite3_bind_double(ls, 12, ve);
				sqlite3_bind_double(ls, 13, et);
				sqlite3_bind_double(ls, 14, t + et + lt);
				if (sqlite3_step(ls) != SQLITE_DONE)
					goto dberr;
				sqlite3_reset(ls);
				et += lt;
				done++;
			}
		}
		exec_or_die(db, "COMMIT");
	}
	fclose(paths);
	double secs = time_mono() - t0;
	exec_or_die(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_stmt *n;
	long long rows = -1;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM best_laps", -1, &n, NULL) == SQLITE_OK &&
	    sqlite3_step(n) == SQLITE_ROW)
		rows = sqlite3_column_int64(n, 0);
	sqlite3_finalize(n);
	printf("%lld laps in %lld sessions inserted in %.1f s (%.0f laps/s with the best_laps "
	    "triggers); %lld best_laps rows\n", done, nsess, secs, done / secs, rows);
	sqlite3_finalize(ss);
	sqlite3_finalize(cs);
	sqlite3_finalize(ls);
	sqlite3_finalize(ks);
	db_close(db);
	return 0;
dberr:
	fprintf(stderr, "history-gen: %s\n", sqlite3_errmsg(db));
	return 1;
}
