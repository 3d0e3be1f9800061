/*
 * track-24h: a simulated 60-car 24-hour race through the worker at maximum
 * speed. Each second of the race is one LMU poll (sessionInfo, the online
 * entry list, standings of every car; chat, strategy and usage every five
 * polls) applied with worker_apply() exactly as trackside-ingestd applies
 * inbox frames (raw frame kept, transactions of 200 frames), its changes
 * going to the live events as in trackside-ingestd (published nowhere). Prints:
 *   - the worker's frames/s;
 *   - the per-frame time of the last hour over that of the first hour
 *     (goal <= 1.2: the cost per frame does not grow with the session);
 *   - the worker's frames/s over the plain cJSON parse rate of the same
 *     frames, measured in the same run (goal >= 0.5);
 *   - the WAL's largest and final size (checkpoints as trackside-ingestd
 *     makes them: automatic ones at commit, db_checkpoint() every
 *     DB_CHECKPOINT_S).
 *
 *	track-24h [-c cars] [-H hours] [-d database]
 */
#include <sys/stat.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ingest.h"
#include "live.h"
#include "db.h"

struct car {
	int	 slot, laps, stops, in_pit, driver;
	double	 lap_time, lap_start, pit_at, pit_et;
	double	 s1, s2, last, last_s1, last_s2, best, fuel;
	const char *cls;
};

static const char *const classes[] = { "Hyper", "LMP2", "GT3" };
static const char *const pit_names[] = { "NONE", "REQUEST", "ENTERING", "STOPPED", "EXITING" };

/* Advances car c to ET et; the lap, sector and pit timeline of a plausible endurance car. */
static void
car_step(struct car *c, double et)
{
	double into = et - c->lap_start;

	if (into >= c->lap_time) {
		c->laps++;
		c->last = c->lap_time;
		c->last_s1 = c->lap_time * 0.33;
		c->last_s2 = c->lap_time * 0.66;
		if (c->best < 0 || c->last < c->best)
			c->best = c->last;
		c->lap_start += c->lap_time;
		c->lap_time = (c->cls[0] == 'H' ? 210 : c->cls[0] == 'L' ? 220 : 235) +
		    (double)(rand() % 4000) / 1000.0;
		c->fuel -= 0.08;
		into = et - c->lap_start;
		if (c->fuel < 0.15) {
			c->pit_at = c->lap_start + c->lap_time * 0.9;	/* box this lap */
			c->fuel = 1.0;
		}
	}
	c->in_pit = 0;
	if (c->pit_at > 0 && et >= c->pit_at - 20) {
		double p = et - c->pit_at;
		c->in_pit = p < 0 ? 1 : p < 10 ? 2 : p < 45 ? 3 : p < 60 ? 4 : 0;
		if (c->in_pit == 3 && c->pit_et < c->pit_at) {
			c->pit_et = c->pit_at;
			c->stops++;
			if (c->stops % 2 == 0)
				c->driver = (c->driver + 1) % 3;
		}
		if (p >= 60) {
			c->pit_at = -1;
			/* The stop cost the lap 60 s. */
			c->lap_time += 60;
		}
	}
	c->s1 = into > c->lap_time * 0.33 ? c->lap_time * 0.33 : -1;
	c->s2 = into > c->lap_time * 0.66 ? c->lap_time * 0.66 : -1;
}

/* One poll's responses object for ET et into b. */
static void
poll_json(struct buf *b, struct car *cars, int n, double et, long long poll)
{
	buf_reset(b);
	buf_printf(b, "{\"/rest/watch/sessionInfo\":{\"ambientTemp\":22.0,\"averagePathWetness\":0.0,"
	    "\"currentEventTime\":%.1f,\"darkCloud\":0.0,\"endEventTime\":86400.0,\"gameMode\":\"UNKNOWN\","
	    "\"gamePhase\":5,\"inRealtime\":true,\"lapDistance\":13626.0,\"maxPathWetness\":0.0,"
	    "\"maxPlayers\":62,\"maxTime\":86400.0,\"maximumLaps\":4294967295,\"minPathWetness\":0.0,"
	    "\"numRedLights\":0,\"numberOfPlayers\":60,\"numberOfVehicles\":%d,\"passwordProtected\":false,"
	    "\"playerFileName\":\"P\",\"playerName\":\"P\",\"raceCompletion\":{\"timeCompletion\":%.4f},"
	    "\"raining\":0.0,\"sectorFlag\":[\"UNKNOWN\",\"UNKNOWN\",\"UNKNOWN\"],\"serverName\":\"Bench 24\","
	    "\"serverPort\":64297,\"session\":\"RACE1\",\"startEventTime\":0.0,\"startLightFrame\":0,"
	    "\"timeRemainingInGamePhase\":%.1f,\"trackName\":\"Circuit de la Sarthe\",\"trackTemp\":30.0,"
	    "\"windSpeed\":{\"velocity\":0.0,\"x\":0.0,\"y\":0.0,\"z\":0.0},\"yellowFlagState\":\"NONE\"},"
	    "\"/rest/multiplayer/join/state\":\"JOIN_JOINED_SERVER\",\"/rest/sessions/GetGameState\":"
	    "{\"MultiStintState\":\"DRIVING\",\"PitState\":\"NONE\",\"gamePhase\":\"GPHASE_GREEN\","
	    "\"isReplayActive\":false,\"raceFinished\":false,\"teamVehicleState\":\"IN CONTROL\"},",
	    et, n, et / 86400.0, 86400.0 - et);
	buf_printf(b, "\"/rest/multiplayer/teams\":{\"coherenceId\":4242,\"drivers\":{},\"teams\":{");
	for (int i = 0; i < n; i++)
		buf_printf(b, "%s\"utid%d\":{\"Id\":\"%d\",\"carNumber\":\"%d\",\"drivers\":{"
		    "\"Driver %d-0\":{\"badge\":\"sr-clean\",\"nationality\":\"FR\",\"roles\":[\"Driver\"]},"
		    "\"Driver %d-1\":{\"badge\":\"sr-saint\",\"nationality\":\"DE\",\"roles\":[\"Driver\"]},"
		    "\"Driver %d-2\":{\"badge\":\"none\",\"nationality\":\"\",\"roles\":[\"Driver\",\"Race Engineer\"]}},"
		    "\"name\":\"Team %d\",\"vehicle\":\"VEH_%d.veh\"}", i ? "," : "", i, i, i + 1, i, i, i, i, i);
	buf_printf(b, "}},\"/rest/watch/standings\":[");
	for (int i = 0; i < n; i++) {
		struct car *c = &cars[i];
		buf_printf(b, "%s{\"attackMode\":{\"remainingCount\":0,\"timeRemaining\":0,\"totalCount\":0},"
		    "\"bestLapSectorTime1\":-1.0,\"bestLapSectorTime2\":-1.0,\"bestLapTime\":%.4f,"
		    "\"bestSectorTime1\":-1.0,\"bestSectorTime2\":-1.0,\"carAcceleration\":{\"velocity\":0.1,"
		    "\"x\":0.0,\"y\":0.0,\"z\":0.0},\"carClass\":\"%s\",\"carId\":\"%d\",\"carNumber\":\"%d\","
		    "\"carPosition\":{\"type\":-1,\"x\":%.3f,\"y\":1.0,\"z\":%.3f},\"carVelocity\":{\"velocity\":60.0,"
		    "\"x\":1.0,\"y\":0.0,\"z\":1.0},\"countLapFlag\":\"COUNT_LAP_AND_TIME\","
		    "\"currentSectorTime1\":%.4f,\"currentSectorTime2\":%.4f,\"driverName\":\"Driver %d-%d\","
		    "\"drsActive\":false,\"estimatedLapTime\":%.3f,\"finishStatus\":\"FSTAT_NONE\",\"flag\":\"GREEN\","
		    "\"focus\":false,\"fuelFraction\":%.4f,\"fullTeamName\":\"Team %d\",\"gamePhase\":\"GREEN\","
		    "\"hasFocus\":false,\"headlights\":false,\"inControl\":2,\"inGarageStall\":false,"
		    "\"lapDistance\":%.3f,\"lapStartET\":%.3f,\"lapsBehindClassLeader\":0,\"lapsBehindLeader\":0,"
		    "\"lapsBehindNext\":0,\"lapsCompleted\":%d,\"lastLapTime\":%.4f,\"lastSectorTime1\":%.4f,"
		    "\"lastSectorTime2\":%.4f,\"pathLateral\":0.1,\"penalties\":0,\"pitGroup\":\"Group%d\","
		    "\"pitLapDistance\":100.0,\"pitState\":\"%s\",\"pitstops\":%d,\"pitting\":%s,\"player\":%s,"
		    "\"position\":%d,\"qualification\":%d,\"sector\":\"SECTOR%d\",\"serverScored\":true,"
		    "\"slotID\":%d,\"steamID\":7656119800000%04d,\"timeBehindClassLeader\":1.5,"
		    "\"timeBehindLeader\":%.3f,\"timeBehindNext\":1.2,\"timeIntoLap\":%.3f,\"trackEdge\":5.0,"
		    "\"underYellow\":false,\"upgradePack\":\"00000000000000000000000000000000\",\"veFraction\":%.4f,"
		    "\"vehicleFilename\":\"VEH_%d\",\"vehicleName\":\"Vehicle %d\"}",
		    i ? "," : "", c->best, c->cls, i, i + 1, 100.0 * sin(et + i), 100.0 * cos(et + i), c->s1,
		    c->s2, i, c->driver, c->lap_time, c->fuel, i, fmod(et - c->lap_start, c->lap_time) * 58.0,
		    c->lap_start, c->laps, c->last, c->last_s1, c->last_s2, i % 4, pit_names[c->in_pit],
		    c->stops, c->in_pit >= 2 ? "true" : "false", i == 0 ? "true" : "false", i + 1, i + 1,
		    c->s2 > 0 ? 3 : c->s1 > 0 ? 2 : 1, i, i, (double)i * 3.1, et - c->lap_start, c->fuel, i, i);
	}
	buf_printf(b, "]");
	if (poll % 5 == 0) {
		buf_printf(b, ",\"/rest/chat/\":[{\"message\":\"Driver 1-0: box box\",\"timestamp\":%lld}]",
		    17730000000000000LL + (poll / 300) * 3000000000LL);
		buf_printf(b, ",\"/rest/strategy/usage\":{\"Driver 0-0\":[{\"fuel\":%.2f,\"lap\":%d,\"pit\":false,"
		    "\"stint\":1,\"tyres\":[90,90,90,90],\"ve\":0.5}]}", cars[0].fuel * 100, cars[0].laps);
		buf_printf(b, ",\"/rest/strategy/overall\":[");
		for (int i = 0; i < n; i++)
			buf_printf(b, "%s[\"Team %d\",[{\"driver\":\"Driver %d-0\",\"driverSwap\":false,\"lap\":0,"
			    "\"penalty\":false,\"previousStintDuration\":0.0,\"time\":0.0,\"tyres\":{\"fl\":"
			    "{\"changed\":false,\"compound\":\"Medium\",\"new\":true},\"fr\":{\"changed\":false,"
			    "\"compound\":\"Medium\",\"new\":true},\"rl\":{\"changed\":false,\"compound\":\"Medium\","
			    "\"new\":true},\"rr\":{\"changed\":false,\"compound\":\"Medium\",\"new\":true}},\"ve\":1.0}]]",
			    i ? "," : "", i, i);
		buf_printf(b, "]");
	}
	buf_putc(b, '}');
}

/* The live events' way out: dropped, as nginx is not part of this. */
static int
emit_drop(void *arg, const char *channel, const char *event, char *body, size_t len)
{
	(void)arg;
	(void)channel;
	(void)event;
	(void)len;
	free(body);
	return 1;
}

int
main(int argc, char *argv[])
{
	struct worker	 w;
	struct buf	 err = { 0 }, resp = { 0 }, rec = { 0 };
	struct car	*cars;
	const char	*db = "/tmp/track-24h.db";
	int		 n = 60, ch;
	double		 hours = 24, t_work = 0, t_parse = 0, first = 0, last = 0, base = 1.8e9;
	double		 last_ckpt = time_mono();
	long long	 frames, nfirst = 0, nlast = 0, bytes = 0, wal_max = 0;
	char		 wal[4096];
	struct live	*live = NULL;
	struct stat	 sb;

	while ((ch = getopt(argc, argv, "c:H:d:")) != -1) {
		switch (ch) {
		case 'c': n = atoi(optarg); break;
		case 'H': hours = atof(optarg); break;
		case 'd': db = optarg; break;
		default:
			fprintf(stderr, "usage: track-24h [-c cars] [-H hours] [-d database]\n");
			return 2;
		}
	}
	if (n < 1 || n > 200 || hours <= 0) {
		fprintf(stderr, "track-24h: 1..200 cars, hours > 0\n");
		return 2;
	}
	log_init("track-24h", 1, LOG_LVL_WARN);
	unlink(db);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	unlink(wal);
	if (!worker_open(&w, db, "/nonexistent", &err)) {
		fprintf(stderr, "track-24h: %s\n", err.p);
		return 1;
	}
	if (!live_open(&live, w.db, emit_drop, NULL, NULL, &err)) {
		fprintf(stderr, "track-24h: live events: %s\n", err.p);
		return 1;
	}
	ingest_hook(w.ing, live_change, live);
	srand(24);
	cars = calloc((size_t)n, sizeof(*cars));
	for (int i = 0; i < n; i++) {
		cars[i].slot = i;
		cars[i].cls = classes[i * 3 / n];
		cars[i].lap_time = 215 + i * 0.3;
		cars[i].lap_start = 0;
		cars[i].best = cars[i].last = cars[i].last_s1 = cars[i].last_s2 = -1;
		cars[i].pit_at = -1;
		cars[i].fuel = 1.0 - (double)(i % 10) / 100.0;
	}
	frames = (long long)(hours * 3600);
	db_exec(w.db, "BEGIN IMMEDIATE", NULL);
	for (long long f = 1; f <= frames; f++) {
		double et = (double)f, t0, t1, t2;
		cJSON *j;

		for (int i = 0; i < n; i++)
			car_step(&cars[i], et);
		poll_json(&resp, cars, n, et, f);
		buf_reset(&rec);
		buf_printf(&rec, "{\"token\":0,\"received_at\":%.3f}\n{\"v\":1,\"client\":{\"id\":\"bench-client\","
		    "\"name\":\"bench\",\"version\":\"bench\"},\"seq\":%lld,\"captured_at\":\"", base + et, f);
		{
			char iso[32];
			time_iso(base + et, iso);
			buf_printf(&rec, "%s\",\"source\":\"lmu\",\"data\":", iso);
		}
		buf_add(&rec, resp.p, resp.len);
		buf_putc(&rec, '}');
		bytes += (long long)rec.len;
		/* The plain parse of the same frame: the yardstick. */
		t0 = time_mono();
		j = cJSON_ParseWithLength(memchr(rec.p, '\n', rec.len) + 1,
		    rec.len - (size_t)((char *)memchr(rec.p, '\n', rec.len) + 1 - rec.p));
		cJSON_Delete(j);
		t1 = time_mono();
		if (worker_apply(&w, rec.p, rec.len, "bench-client", f, 1) != 1) {
			fprintf(stderr, "track-24h: frame %lld not applied: %s\n", f, sqlite3_errmsg(w.db));
			return 1;
		}
		if (f % 200 == 0) {
			db_exec(w.db, "COMMIT", NULL);
			live_commit(live);
			if (f % 1000 == 0) {
				db_exec(w.db, "BEGIN IMMEDIATE", NULL);
				ingest_tick(w.ing, base + et);
				db_exec(w.db, "COMMIT", NULL);
				live_commit(live);
			}
			if (time_mono() - last_ckpt >= DB_CHECKPOINT_S) {
				db_checkpoint(w.db, DB_WAL_LIMIT);
				last_ckpt = time_mono();
			}
			if (stat(wal, &sb) == 0 && sb.st_size > wal_max)
				wal_max = sb.st_size;
			db_exec(w.db, "BEGIN IMMEDIATE", NULL);
		}
		t2 = time_mono();
		t_parse += t1 - t0;
		t_work += t2 - t1;
		if (f <= 3600) {
			first += t2 - t1;
			nfirst++;
		}
		if (f > frames - 3600) {
			last += t2 - t1;
			nlast++;
		}
		if (f % 7200 == 0)
			fprintf(stderr, "  hour %2.0f: %.0f frames/s so far\n", et / 3600, (double)f / t_work);
	}
	db_exec(w.db, "COMMIT", NULL);
	live_commit(live);
	{
		double fps = (double)frames / t_work, pps = (double)frames / t_parse;
		double ratio_hours = (last / (double)nlast) / (first / (double)nfirst);
		printf("track-24h: %d cars, %.1f h, %lld frames, %.1f KB per frame\n", n, hours, frames,
		    (double)bytes / (double)frames / 1024);
		printf("worker:                 %.0f frames/s (%.3f ms per frame)\n", fps, 1000 / fps);
		printf("plain cJSON parse:      %.0f frames/s (%.3f ms per frame)\n", pps, 1000 / pps);
		printf("last hour / first hour: %.3f per-frame time (goal <= 1.2)\n", ratio_hours);
		printf("worker / parse rate:    %.3f (goal >= 0.5)\n", fps / pps);
		sqlite3_stmt *st;
		sqlite3_prepare_v2(w.db, "SELECT (SELECT count(*) FROM laps), (SELECT count(*) FROM pits), "
		    "(SELECT count(*) FROM sessions)", -1, &st, NULL);
		if (sqlite3_step(st) == SQLITE_ROW)
			printf("stored: %d laps, %d pits, %d session(s)\n", sqlite3_column_int(st, 0),
			    sqlite3_column_int(st, 1), sqlite3_column_int(st, 2));
		sqlite3_finalize(st);
		printf("WAL:                    %.1f MiB at most, %.1f MiB at the end\n",
		    (double)wal_max / 1048576, stat(wal, &sb) == 0 ? (double)sb.st_size / 1048576 : 0.0);
	}
	live_close(live);
	worker_close(&w);
	free(cars);
	buf_free(&resp);
	buf_free(&rec);
	buf_free(&err);
	return 0;
}
