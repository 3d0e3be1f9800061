/*
 * The live events of trackside-ingestd (ingest/live.c) on a real database,
 * without the tracker: the test writes rows as the worker would, notes
 * them, commits, and reads what live.c hands to its way out (in
 * trackside-ingestd the publisher, publish.c; here a list). What nginx does
 * with them is tested through the stack (t_live_stack.sh).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "ingest.h"
#include "live.h"
#include "db.h"

#define SID	"0190bbbb000070008000000000000001"
#define SID2	"0190bbbb000070008000000000000002"
#define NEV	512

struct ev {
	char	 channel[80];
	char	 name[24];
	char	*body;
};

static sqlite3		*db;
static struct live	*hub;
static struct ev	 evs[NEV];
static int		 nev, refuse;

static int
capture(void *arg, const char *channel, const char *event, char *body, size_t len)
{
	(void)arg;
	(void)len;
	if (refuse > 0 || nev == NEV) {
		refuse--;
		free(body);
		return 0;
	}
	snprintf(evs[nev].channel, sizeof(evs[nev].channel), "%s", channel);
	snprintf(evs[nev].name, sizeof(evs[nev].name), "%s", event);
	evs[nev++].body = body;
	return 1;
}

static void
forget(void)
{
	for (int i = 0; i < nev; i++)
		free(evs[i].body);
	nev = 0;
}

static void
sql(const char *q)
{
	char *err = NULL;

	if (sqlite3_exec(db, q, NULL, NULL, &err) != SQLITE_OK) {
		diag("sql: %s: %s", q, err);
		sqlite3_free(err);
		exit(1);
	}
}

/* How many events named name went to channel since the last forget(). */
static int
count(const char *channel, const char *name)
{
	int n = 0;

	for (int i = 0; i < nev; i++)
		n += strcmp(evs[i].channel, channel) == 0 && strcmp(evs[i].name, name) == 0;
	return n;
}

/* The body of the last event named name on channel, or NULL. */
static const char *
last(const char *channel, const char *name)
{
	for (int i = nev - 1; i >= 0; i--)
		if (strcmp(evs[i].channel, channel) == 0 && strcmp(evs[i].name, name) == 0)
			return evs[i].body;
	return NULL;
}

/* The "seq" of a body, or -1. */
static long long
seq_of(const char *body)
{
	const char *p = body ? strstr(body, "\"seq\":") : NULL;

	return p ? atoll(p + 6) : -1;
}

static void
fixture(void)
{
	sql("INSERT INTO sessions (id, sim, track, type, online, started_at, last_update, et, phase, "
	    "remaining, track_length, state, cars, sector_flags) VALUES ('" SID "', 'lmu', 'Test Ring', "
	    "'race1', 1, 1700000000, 1700000000, 100, 5, 3000, 4000, 'live', 2, 'GGG')");
	sql("INSERT INTO cars (id, session_id, slot, vehicle, number, team, class) VALUES "
	    "(1, '" SID "', 0, 'car_a', '7', 'Team A', 'GT3'), (2, '" SID "', 1, 'car_b', '8', 'Team B', 'GT3')");
	sql("INSERT INTO car_state (car_id, session_id, driver, position, laps, x, z, lap_dist, status) VALUES "
	    "(1, '" SID "', 'Ann', 1, 3, 10, 20, 100, 'running'), (2, '" SID "', 'Bob', 2, 3, 30, 40, 90, 'running')");
}

/* Sets car 2's laps and commits that change. */
static void
laps2(int n)
{
	char q[128];

	snprintf(q, sizeof(q), "UPDATE car_state SET laps = %d WHERE car_id = 2", n);
	sql(q);
	live_note(hub, LN_CAR, SID, 2, 0, NULL);
	live_commit(hub);
}

int
main(void)
{
	struct buf		 err = { 0 };
	struct live_conf	 conf = { .snapshot_every = 30, .snapshot_changes = 4,
				    .snapshot_same_second = 1, .delta_every = 1e-9 };
	char			 dir[64], path[160];
	const char		*d;
	long long		 s0;

	snprintf(dir, sizeof(dir), "/tmp/t_live_events.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/db", dir);
	if (!db_open(&db, path, DB_RW, &err) || !db_migrate(db, &err)) {
		diag("%s", err.p);
		return 1;
	}
	fixture();
	if (!live_open(&hub, db, capture, NULL, &conf, &err)) {
		diag("%s", err.p);
		return 1;
	}

	/* a new run sends the snapshots at once */
	d = last("s." SID, "snapshot");
	ok(d && strstr(d, "\"track\":\"Test Ring\"") && strstr(d, "\"event\":\"snapshot\"") &&
	    strstr(d, "\"type\":\"race1\""),
	    "a new run sends a snapshot of each live session at once, its type kept");
	d = last("s.sessions", "snapshot");
	ok(d && strstr(d, "\"sessions\":[{") && strstr(d, SID), "and of the live list");
	s0 = seq_of(last("s." SID, "snapshot"));
	ok(s0 > 1700000000000LL, "the snapshot's seq starts at the channel's start in ms (%lld)", s0);
	forget();

	/* nothing before commit; rollback forgets */
	sql("UPDATE car_state SET laps = 4 WHERE car_id = 1");
	live_note(hub, LN_CAR, SID, 1, 0, NULL);
	is_int(nev, 0, "nothing is sent before the transaction commits");
	live_rollback(hub);
	live_commit(hub);
	is_int(nev, 0, "notes of a rolled back transaction are never sent");

	/* delta with only what changed */
	live_note(hub, LN_CAR, SID, 1, 0, NULL);
	live_commit(hub);
	d = last("d." SID, "delta");
	ok(d && strstr(d, "\"rows\":[{\"laps\":4,\"car\":1}]") && !strstr(d, "Bob"),
	    "a delta carries only the changed field of the changed row");
	is_int(seq_of(d), s0 + 1, "the first delta's seq is the snapshot's plus one");
	ok(d && strstr(d, "\"event\":\"delta\""), "a delta names its event (for WebSocket viewers)");
	is_int(nev, 1, "one commit of one change makes one event and no snapshot");
	forget();

	/* a new driver comes with whether they are known */
	sql("INSERT INTO known_drivers (name, added_at) VALUES ('Cid', 1700000000)");
	sql("UPDATE car_state SET driver = 'Cid' WHERE car_id = 2");
	live_note(hub, LN_CAR, SID, 2, 0, NULL);
	live_commit(hub);
	d = last("d." SID, "delta");
	ok(d && strstr(d, "\"driver\":\"Cid\",\"known\":true"), "a driver change carries known");
	sql("UPDATE car_state SET driver = 'Dee' WHERE car_id = 2");
	live_note(hub, LN_CAR, SID, 2, 0, NULL);
	live_commit(hub);
	d = last("d." SID, "delta");
	ok(d && strstr(d, "\"driver\":\"Dee\",\"known\":false"), "a change to an unknown driver unmarks the row");
	sql("UPDATE car_state SET driver = 'Bob' WHERE car_id = 2");
	live_note(hub, LN_CAR, SID, 2, 0, NULL);
	live_commit(hub);
	d = last("d." SID, "delta");
	ok(d && strstr(d, "\"driver\":\"Bob\",\"known\":false"),
	    "known goes with the driver even when it did not change");
	/* that was the fourth event since the snapshot */
	d = last("s." SID, "snapshot");
	ok(d && seq_of(d) == s0 + 4 && strstr(d, "\"driver\":\"Bob\""),
	    "after snapshot_changes events a snapshot follows, with the last event's seq and state");
	forget();

	/* positions go compact */
	sql("UPDATE car_state SET x = 11.04, z = 21, lap_dist = 200 WHERE car_id = 1");
	live_note(hub, LN_CAR, SID, 1, 0, NULL);
	live_commit(hub);
	d = last("d." SID, "delta");
	ok(d && strstr(d, "\"pos\":[[1,11,21,0.05]]") && !strstr(d, "\"rows\""),
	    "a car that only moved is one compact pos entry");
	forget();

	/* header, chat, laps and bests */
	sql("UPDATE sessions SET et = 101, remaining = 2999 WHERE id = '" SID "'");
	sql("INSERT INTO laps (car_id, lap, time, s1, s2, s3, valid) VALUES (1, 4, 90.5, 30, 30, 30.5, 1)");
	live_note(hub, LN_SESSION, SID, 0, 0, NULL);
	live_note(hub, LN_LAP, SID, 1, 4, NULL);
	live_note(hub, LN_CHAT, SID, 0, 17000000000000000LL, "Ann: <b>box</b> now");
	live_commit(hub);
	d = last("d." SID, "delta");
	ok(d && strstr(d, "\"session\":{\"et\":101,\"remaining\":2999}"),
	    "header changes go in the delta's session object");
	ok(d && strstr(d, "\"laps\":[{\"car\":1,\"lap\":4,\"time\":90.5"), "a new lap is in the delta");
	ok(d && strstr(d, "\"bests\":[{\"class\":\"GT3\",\"best\":90.5"), "a class best it sets is in the delta");
	ok(d && strstr(d, "\"pb_lap\":90.5"), "the car's own best it sets is in the delta");
	ok(d && strstr(d, "\"chat\":[{\"at\":1700000000,\"text\":\"Ann: <b>box</b> now\"}]"),
	    "a chat line is in the delta, as JSON text");
	is_int(count("d." SID, "delta"), 1, "one commit makes one delta");
	is_int(seq_of(d), s0 + 6, "each event's seq is one more than the one before");
	forget();

	/* snapshots by time, only after a change */
	live_tick(hub, time_mono() + 31, 0);
	d = last("s." SID, "snapshot");
	ok(d && seq_of(d) == s0 + 6 && strstr(d, "\"pb_lap\":90.5"),
	    "a channel that changed gets a snapshot after snapshot_every seconds");
	forget();
	live_tick(hub, time_mono() + 62, 0);
	is_int(count("s." SID, "snapshot"), 0, "one that did not change since gets none");

	/* an event that is not taken: a snapshot heals the hole */
	refuse = 1;
	laps2(5);
	is_int(count("d." SID, "delta"), 0, "an event the way out refuses is lost");
	ok(live_stats(hub)->lost == 1, "and counted");
	d = last("s." SID, "snapshot");
	ok(d && seq_of(d) == s0 + 7 && strstr(d, "\"laps\":5"),
	    "a snapshot covering the lost event follows at once");
	forget();
	laps2(6);
	ok(count("d." SID, "delta") == 1 && seq_of(last("d." SID, "delta")) == s0 + 8 &&
	    count("s." SID, "snapshot") == 0, "and the next delta continues the sequence");
	forget();
	live_tick(hub, time_mono(), 1);
	ok(count("s." SID, "snapshot") == 1 && count("s.sessions", "snapshot") == 1,
	    "a resync (nginx lost events or restarted) sends every channel's snapshot");
	forget();

	/* a second run continues above the first */
	struct live *h2;
	usleep(20000);	/* the runs' seq are apart by their start in ms */
	if (live_open(&h2, db, capture, NULL, &conf, &err)) {
		ok(seq_of(last("s." SID, "snapshot")) > s0 + 8,
		    "the snapshot of the next run has a higher seq than any of this run");
		live_close(h2);
	} else
		ok(0, "a second run starts: %s", err.p);
	forget();

	/* a session's deltas at most every delta_every: what comes between is one */
	struct live_conf slow = conf;
	slow.delta_every = 0.3;
	if (live_open(&h2, db, capture, NULL, &slow, &err)) {
		struct live *keep = hub;
		hub = h2;
		forget();
		for (int i = 0; i < 3; i++)
			laps2(17 + i);
		laps2(20);
		int first = count("d." SID, "delta");
		laps2(21);
		sql("INSERT INTO laps (car_id, lap, time, s1, s2, s3, valid) VALUES (2, 4, 91.5, 30, 30, 31.5, 1)");
		live_note(hub, LN_LAP, SID, 2, 4, NULL);
		laps2(22);
		int held = count("d." SID, "delta");
		live_rollback(hub);
		usleep(310000);
		live_flush(hub);
		d = last("d." SID, "delta");
		ok(first == 4 && held == 4 && count("d." SID, "delta") == 5 && d &&
		    strstr(d, "\"laps\":22") && strstr(d, "\"lap\":4") && !strstr(d, "\"laps\":21"),
		    "after a burst of 4 deltas, commits within delta_every go out as one delta");
		hub = keep;
		live_close(h2);
	} else
		ok(0, "a run with delta_every starts: %s", err.p);
	forget();

	/* as configured by default: one snapshot a channel in a second of the clock */
	while (time_now() - floor(time_now()) > 0.5)
		usleep(10000);
	if (live_open(&h2, db, capture, NULL, NULL, &err)) {
		long long sec = (long long)time_now();
		forget();
		live_tick(h2, time_mono(), 1);
		int same = count("s." SID, "snapshot");
		while ((long long)time_now() == sec)
			usleep(10000);
		live_tick(h2, time_mono(), 0);
		ok(same == 0 && count("s." SID, "snapshot") == 1,
		    "a snapshot due in the second of the last one waits for the next second");
		live_close(h2);
	} else
		ok(0, "a third run starts: %s", err.p);
	forget();

	/* transition and end */
	sql("INSERT INTO sessions (id, sim, track, type, online, started_at, last_update, state) VALUES "
	    "('" SID2 "', 'lmu', 'Test Ring', 'race2', 1, 1700003000, 1700003000, 'live')");
	sql("UPDATE sessions SET next_id = '" SID2 "' WHERE id = '" SID "'");
	live_note(hub, LN_SESSION, SID2, 0, 0, NULL);
	live_note(hub, LN_LINK, SID, 0, 0, SID2);
	live_commit(hub);
	d = last("d." SID, "transition");
	ok(d && strstr(d, "\"next\":\"" SID2 "\"") && seq_of(d) == s0 + 10 &&
	    seq_of(last("d." SID, "delta")) == s0 + 9,
	    "a transition names the next session, in sequence");
	ok(last("s." SID2, "snapshot") != NULL, "the new session's first commit sends its snapshot");
	forget();
	sql("UPDATE sessions SET state = 'closed', finished = 1 WHERE id = '" SID "'");
	live_note(hub, LN_SESSION, SID, 0, 0, NULL);
	live_commit(hub);
	d = last("d." SID, "end");
	ok(d && strstr(d, "\"state\":\"closed\"") && strstr(d, "\"finished\":true"),
	    "a session that closes sends end");
	d = last("s." SID, "snapshot");
	ok(d && strstr(d, "\"live\":false") && seq_of(d) == seq_of(last("d." SID, "end")),
	    "and a final snapshot, for viewers who come later");
	long long ended = seq_of(d);
	forget();
	live_tick(hub, time_mono() + 601, 0);	/* forgotten once ended long ago */
	sql("UPDATE sessions SET et = 102 WHERE id = '" SID "'");
	live_note(hub, LN_SESSION, SID, 0, 0, NULL);
	live_commit(hub);
	d = last("s." SID, "snapshot");
	ok(d && seq_of(d) > ended && strstr(d, "\"et\":102"),
	    "an ended session forgotten and changed again starts above its last seq");
	forget();

	/* the live list */
	sql("UPDATE sessions SET phase = 5 WHERE id = '" SID2 "'");
	live_note(hub, LN_SESSION, SID2, 0, 0, NULL);
	live_commit(hub);
	d = last("d.sessions", "session");
	ok(d && strstr(d, "\"id\":\"" SID2 "\"") && strstr(d, "\"phase_name\":\"green flag\""),
	    "a session whose phase changes is a session event on the list");
	forget();
	sql("UPDATE sessions SET et = 12 WHERE id = '" SID2 "'");
	live_note(hub, LN_SESSION, SID2, 0, 0, NULL);
	live_commit(hub);
	is_int(count("d.sessions", "session"), 0, "the list does not repeat a session whose clock only ran");
	sql("DELETE FROM sessions WHERE id = '" SID2 "'");
	live_note(hub, LN_DROP, SID2, 0, 0, NULL);
	live_commit(hub);
	d = last("d.sessions", "session");
	ok(d && strstr(d, "\"id\":\"" SID2 "\"") && strstr(d, "\"live\":false"),
	    "a session merged away leaves the list");
	forget();
	live_tick(hub, time_mono(), 1);
	d = last("s.sessions", "snapshot");
	ok(d && strstr(d, "\"sessions\":[]"), "and is not in the next list snapshot");
	forget();

	live_close(hub);
	sqlite3_close(db);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	buf_free(&err);
	return tap_done();
}
