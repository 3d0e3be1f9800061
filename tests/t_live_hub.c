/*
 * The live hub of trackside-ingestd (ingest/live.c) on a real unix socket
 * and a real database, without the tracker: the test writes rows as the
 * worker would, notes them, commits, and reads what subscribers get.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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

static sqlite3		*db;
static struct live	*hub;
static int		 ep;
static char		 dir[64], sock[128];

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

/* Runs the hub's share of the event loop for about ms milliseconds. */
static void
pump(int ms)
{
	struct epoll_event got[32];
	int n;

	do {
		n = epoll_wait(ep, got, 32, ms > 0 ? 5 : 0);
		for (int i = 0; i < n; i++)
			live_ready(hub, got[i].data.ptr, got[i].events);
		ms -= 5;
	} while (ms > 0 || n > 0);
}

/* A viewer: a connected socket and what it has read so far. */
struct viewer {
	int		 fd;
	struct buf	 in;
};

static int
viewer_open(struct viewer *v, const char *path, const char *last_id, int rcvbuf)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char req[512];

	memset(v, 0, sizeof(*v));
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	if ((v->fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return 0;
	if (rcvbuf > 0)
		setsockopt(v->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (connect(v->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		diag("connect: %s", strerror(errno));
		return 0;
	}
	fcntl(v->fd, F_SETFL, O_NONBLOCK);
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n%s%s%s\r\n", path,
	    last_id ? "Last-Event-ID: " : "", last_id ? last_id : "", last_id ? "\r\n" : "");
	if (write(v->fd, req, strlen(req)) != (ssize_t)strlen(req))
		return 0;
	pump(20);
	return 1;
}

/* Reads what is there; returns 0 at EOF, 1 otherwise. */
static int
viewer_read(struct viewer *v)
{
	char tmp[65536];
	ssize_t n;

	pump(10);
	while ((n = read(v->fd, tmp, sizeof(tmp))) > 0) {
		buf_add(&v->in, tmp, (size_t)n);
		pump(0);
	}
	return n != 0;
}

static void
viewer_close(struct viewer *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	buf_free(&v->in);
	pump(20);
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay ? strstr(hay, needle) : NULL; p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The data line of the last event named name in s (static buffer), or NULL. */
static const char *
last_data(const char *s, const char *name)
{
	static char out[1 << 16];
	char key[64];
	const char *p = NULL, *q;

	snprintf(key, sizeof(key), "event: %s\ndata: ", name);
	for (q = s ? strstr(s, key) : NULL; q; q = strstr(q + 1, key))
		p = q;
	if (p == NULL)
		return NULL;
	p += strlen(key);
	q = strchr(p, '\n');
	snprintf(out, sizeof(out), "%.*s", (int)(q ? q - p : (long)strlen(p)), p);
	return out;
}

/* The id of the last event in s (static buffer), or "". */
static const char *
last_id(const char *s)
{
	static char out[64];
	const char *p = NULL, *q;

	out[0] = '\0';
	if (s != NULL && strncmp(s, "id: ", 4) == 0)
		p = s - 1;
	for (q = s ? strstr(s, "\nid: ") : NULL; q; q = strstr(q + 1, "\nid: "))
		p = q;
	if (p != NULL)
		sscanf(p + 5, "%63[0-9-]", out);
	return out;
}

/*
 * Runs the hub's share of the event loop for at most turns turns of 5 ms;
 * unlike pump, it ends even when a descriptor stays ready.
 */
static void
pump_bounded(int turns)
{
	struct epoll_event got[32];

	for (int t = 0; t < turns; t++) {
		int n = epoll_wait(ep, got, 32, 5);
		for (int i = 0; i < n; i++)
			live_ready(hub, got[i].data.ptr, got[i].events);
	}
}

/* The highest open descriptor of this process. */
static int
fd_max(void)
{
	DIR		*d = opendir("/proc/self/fd");
	struct dirent	*e;
	int		 max = 2;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (atoi(e->d_name) > max)
			max = atoi(e->d_name);
	if (d != NULL)
		closedir(d);
	return max;
}

/*
 * Viewers over the cap get 503 with Retry-After; with no descriptor left
 * the hub still answers the waiting viewers (it gives up a spare one)
 * instead of leaving its socket ready forever.
 */
static void
limits(void)
{
	struct buf		 err = { 0 };
	struct live_conf	 conf = { .max_conns = 2 };
	struct viewer		 a, b, c, v[5];
	struct rlimit		 rl, low;
	int			 fill[1024], nfill = 0, all = 1;

	live_close(hub);
	if (!live_open(&hub, sock, db, ep, &conf, &err)) {
		diag("%s", err.p);
		exit(1);
	}
	viewer_open(&a, "/live/sessions", NULL, 0);
	viewer_open(&b, "/live/sessions", NULL, 0);
	long long rejected = live_stats(hub)->rejected;
	viewer_open(&c, "/live/sessions", NULL, 0);
	viewer_read(&a);
	int still = viewer_read(&c);
	ok(!still && c.in.p && strstr(c.in.p, "HTTP/1.1 503") && strstr(c.in.p, "Retry-After: 5\r\n") &&
	    strstr(c.in.p, "\"error\":\"busy\"") && strstr(a.in.p, "HTTP/1.1 200"),
	    "a viewer over live_max_viewers gets 503 JSON with Retry-After, and is closed");
	is_int(live_stats(hub)->rejected, rejected + 1, "it was counted when refused");
	viewer_close(&c);
	viewer_close(&b);
	viewer_open(&c, "/live/sessions", NULL, 0);
	viewer_read(&c);
	ok(c.in.p && strstr(c.in.p, "HTTP/1.1 200"), "a viewer that leaves makes room for another");
	viewer_close(&c);

	/* Five viewers wait to be accepted; then no descriptor is left. */
	for (int i = 0; i < 5; i++) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		const char req[] = "GET /live/sessions HTTP/1.1\r\nHost: x\r\n\r\n";
		memset(&v[i], 0, sizeof(v[i]));
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
		v[i].fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(v[i].fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
		    write(v[i].fd, req, sizeof(req) - 1) < 0)
			diag("connect: %s", strerror(errno));
		fcntl(v[i].fd, F_SETFL, O_NONBLOCK);
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	low = rl;
	low.rlim_cur = (rlim_t)fd_max() + 1;
	if (setrlimit(RLIMIT_NOFILE, &low) < 0)
		diag("setrlimit %d: %s", (int)low.rlim_cur, strerror(errno));
	while (nfill < 1024 && (fill[nfill] = open("/dev/null", O_RDONLY)) >= 0)
		nfill++;
	long long nofile = live_stats(hub)->nofile;
	pump_bounded(100);
	for (int i = 0; i < 5; i++) {
		char tmp[4096];
		ssize_t n;
		while ((n = read(v[i].fd, tmp, sizeof(tmp))) > 0)
			buf_add(&v[i].in, tmp, (size_t)n);
		all &= v[i].in.p != NULL && strstr(v[i].in.p, "HTTP/1.1 503") != NULL && n == 0;
	}
	if (!ok(all && live_stats(hub)->nofile > nofile,
	    "with no descriptor left, waiting viewers are answered 503 and closed"))
		diag("limit %d: %lld times out of descriptors, %d filled, first viewer got %s",
		    (int)low.rlim_cur, live_stats(hub)->nofile - nofile, nfill, v[0].in.p ? v[0].in.p : "nothing");
	while (nfill > 0)
		close(fill[--nfill]);
	setrlimit(RLIMIT_NOFILE, &rl);
	for (int i = 0; i < 5; i++)
		viewer_close(&v[i]);
	viewer_open(&c, "/live/sessions", NULL, 0);
	viewer_read(&c);
	ok(c.in.p && strstr(c.in.p, "HTTP/1.1 200"), "once descriptors are free again, viewers are served");
	viewer_close(&c);
	viewer_close(&a);
	buf_free(&err);
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

int
main(void)
{
	struct buf		 err = { 0 };
	struct live_conf	 conf = { .ring = 8, .max_out = 64 << 10, .heartbeat = 15 };
	struct viewer		 a, b, c;
	char			 path[160], id[64];
	const char		*d;

	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/t_live_hub.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/db", dir);
	snprintf(sock, sizeof(sock), "%s/live.sock", dir);
	if (!db_open(&db, path, DB_RW, &err) || !db_migrate(db, &err)) {
		diag("%s", err.p);
		return 1;
	}
	fixture();
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!live_open(&hub, sock, db, ep, &conf, &err)) {
		diag("%s", err.p);
		return 1;
	}

	/* snapshot */
	viewer_open(&a, "/live/sessions/" SID, NULL, 0);
	viewer_read(&a);
	ok(strstr(a.in.p, "HTTP/1.1 200") && strstr(a.in.p, "Content-Type: text/event-stream"),
	    "a session stream answers 200 with text/event-stream");
	d = last_data(a.in.p, "snapshot");
	ok(d && strstr(d, "\"track\":\"Test Ring\"") && count(d, "\"car\":") == 2,
	    "the first event is a snapshot of the session with every car");
	ok(strstr(a.in.p, "\nid: ") != NULL && strstr(a.in.p, "retry: ") != NULL,
	    "the snapshot carries an id and the stream a retry delay");

	/* nothing before commit; rollback forgets */
	buf_reset(&a.in);
	sql("UPDATE car_state SET laps = 4 WHERE car_id = 1");
	live_note(hub, LN_CAR, SID, 1, 0, NULL);
	viewer_read(&a);
	ok(a.in.len == 0, "nothing is sent before the transaction commits");
	live_rollback(hub);
	live_commit(hub);
	viewer_read(&a);
	ok(a.in.len == 0, "notes of a rolled back transaction are never sent");

	/* delta with only what changed */
	live_note(hub, LN_CAR, SID, 1, 0, NULL);
	live_commit(hub);
	viewer_read(&a);
	d = last_data(a.in.p, "delta");
	ok(d && strstr(d, "\"rows\":[{\"laps\":4,\"car\":1}]") && !strstr(d, "Bob"),
	    "a delta carries only the changed field of the changed row");

	/* a new driver comes with whether they are known */
	buf_reset(&a.in);
	sql("INSERT INTO known_drivers (name, added_at) VALUES ('Cid', 1700000000)");
	sql("UPDATE car_state SET driver = 'Cid' WHERE car_id = 2");
	live_note(hub, LN_CAR, SID, 2, 0, NULL);
	live_commit(hub);
	viewer_read(&a);
	d = last_data(a.in.p, "delta");
	ok(d && strstr(d, "\"driver\":\"Cid\",\"known\":true"), "a driver change carries known");
	buf_reset(&a.in);
	sql("UPDATE car_state SET driver = 'Dee' WHERE car_id = 2");
	live_note(hub, LN_CAR, SID, 2, 0, NULL);
	live_commit(hub);
	viewer_read(&a);
	d = last_data(a.in.p, "delta");
	ok(d && strstr(d, "\"driver\":\"Dee\",\"known\":false"), "a change to an unknown driver unmarks the row");
	buf_reset(&a.in);
	sql("UPDATE car_state SET driver = 'Bob' WHERE car_id = 2");
	live_note(hub, LN_CAR, SID, 2, 0, NULL);
	live_commit(hub);
	viewer_read(&a);
	d = last_data(a.in.p, "delta");
	ok(d && strstr(d, "\"driver\":\"Bob\",\"known\":false"),
	    "known goes with the driver even when it did not change");

	/* positions go compact */
	buf_reset(&a.in);
	sql("UPDATE car_state SET x = 11.04, z = 21, lap_dist = 200 WHERE car_id = 1");
	live_note(hub, LN_CAR, SID, 1, 0, NULL);
	live_commit(hub);
	viewer_read(&a);
	d = last_data(a.in.p, "delta");
	ok(d && strstr(d, "\"pos\":[[1,11,21,0.05]]") && !strstr(d, "\"rows\""),
	    "a car that only moved is one compact pos entry");

	/* header, chat, laps and bests */
	buf_reset(&a.in);
	sql("UPDATE sessions SET et = 101, remaining = 2999 WHERE id = '" SID "'");
	sql("INSERT INTO laps (car_id, lap, time, s1, s2, s3, valid) VALUES (1, 4, 90.5, 30, 30, 30.5, 1)");
	live_note(hub, LN_SESSION, SID, 0, 0, NULL);
	live_note(hub, LN_LAP, SID, 1, 4, NULL);
	live_note(hub, LN_CHAT, SID, 0, 17000000000000000LL, "Ann: <b>box</b> now");
	live_commit(hub);
	viewer_read(&a);
	d = last_data(a.in.p, "delta");
	ok(d && strstr(d, "\"session\":{\"et\":101,\"remaining\":2999}"),
	    "header changes go in the delta's session object");
	ok(d && strstr(d, "\"laps\":[{\"car\":1,\"lap\":4,\"time\":90.5"), "a new lap is in the delta");
	ok(d && strstr(d, "\"bests\":[{\"class\":\"GT3\",\"best\":90.5"), "a class best it sets is in the delta");
	ok(d && strstr(d, "\"pb_lap\":90.5"), "the car's own best it sets is in the delta");
	ok(d && strstr(d, "\"chat\":[{\"at\":1700000000,\"text\":\"Ann: <b>box</b> now\"}]"),
	    "a chat line is in the delta, as JSON text");
	is_int(count(a.in.p, "event: delta"), 1, "one commit makes one delta");

	/* resume */
	snprintf(id, sizeof(id), "%s", last_id(a.in.p));
	viewer_close(&a);
	pump(20);
	is_int(live_stats(hub)->subscribers, 0, "a viewer that disconnects is forgotten");
	sql("UPDATE car_state SET laps = 5 WHERE car_id = 2");
	live_note(hub, LN_CAR, SID, 2, 0, NULL);
	live_commit(hub);
	sql("UPDATE car_state SET laps = 6 WHERE car_id = 2");
	live_note(hub, LN_CAR, SID, 2, 0, NULL);
	live_commit(hub);
	viewer_open(&a, "/live/sessions/" SID, id, 0);
	viewer_read(&a);
	if (!ok(count(a.in.p, "event: snapshot") == 0 && count(a.in.p, "event: delta") == 2 &&
	    strstr(a.in.p, "\"laps\":5") && strstr(a.in.p, "\"laps\":6"),
	    "a reconnect with Last-Event-ID gets exactly the missed deltas"))
		diag("sent %s, got %s", id, a.in.p);
	viewer_close(&a);

	viewer_open(&a, "/live/sessions/" SID, "1-1", 0);
	viewer_read(&a);
	ok(count(a.in.p, "event: snapshot") == 1 && count(a.in.p, "event: delta") == 0,
	    "a Last-Event-ID of another run gets a fresh snapshot");
	viewer_close(&a);

	/* evicted: more events than the ring holds */
	for (int i = 0; i < 10; i++) {
		char q[128];
		snprintf(q, sizeof(q), "UPDATE car_state SET laps = %d WHERE car_id = 2", 7 + i);
		sql(q);
		live_note(hub, LN_CAR, SID, 2, 0, NULL);
		live_commit(hub);
	}
	viewer_open(&a, "/live/sessions/" SID, id, 0);
	viewer_read(&a);
	ok(count(a.in.p, "event: snapshot") == 1 && count(a.in.p, "event: delta") == 0 &&
	    strstr(a.in.p, "\"laps\":16"),
	    "a Last-Event-ID older than the ring gets a fresh snapshot with the current state");
	viewer_close(&a);

	/* bad input */
	long long subs = live_stats(hub)->subscribers;
	viewer_open(&a, "/live/sessions/" SID, "not-an-id", 0);
	viewer_read(&a);
	ok(strstr(a.in.p, "HTTP/1.1 400") && strstr(a.in.p, "bad_last_event_id") &&
	    live_stats(hub)->subscribers == subs, "a malformed Last-Event-ID is refused with 400");
	viewer_close(&a);
	viewer_open(&a, "/live/sessions/0190ffff000070008000000000000009", NULL, 0);
	viewer_read(&a);
	ok(strstr(a.in.p, "HTTP/1.1 404") != NULL, "an unknown session is 404");
	viewer_close(&a);
	viewer_open(&a, "/live/sessions/..%2f..%2fetc", NULL, 0);
	viewer_read(&a);
	ok(strstr(a.in.p, "HTTP/1.1 404") != NULL, "a malformed session id is 404");
	viewer_close(&a);
	viewer_open(&a, "/live/other", NULL, 0);
	viewer_read(&a);
	ok(strstr(a.in.p, "HTTP/1.1 404") != NULL, "another path is 404");
	viewer_close(&a);

	/* slow consumer: it cannot hold back the hub or another viewer */
	char *big = malloc(20000);
	memset(big, 'x', 19999);
	big[19999] = '\0';
	viewer_open(&a, "/live/sessions/" SID, NULL, 0);
	viewer_open(&b, "/live/sessions/" SID, NULL, 2048);
	viewer_read(&a);
	buf_reset(&a.in);
	long long before = live_stats(hub)->resets + live_stats(hub)->dropped;
	int got_all = 1;
	for (int i = 0; i < 60; i++) {
		live_note(hub, LN_CHAT, SID, 0, 17000000000000000LL + i, big);
		live_commit(hub);
		size_t had = a.in.len;
		viewer_read(&a);
		got_all &= a.in.len > had;
	}
	ok(got_all && count(a.in.p, "event: delta") == 60,
	    "a viewer that reads gets every event while another does not read");
	ok(live_stats(hub)->resets + live_stats(hub)->dropped > before,
	    "the viewer that does not read is reset to a snapshot or dropped");
	int open = viewer_read(&b);
	ok(!open || count(b.in.p, "event: snapshot") >= 2,
	    "the slow viewer sees a fresh snapshot after what it missed, or the end of its stream");
	viewer_close(&b);
	viewer_close(&a);
	free(big);

	/* heartbeat */
	viewer_open(&a, "/live/sessions/" SID, NULL, 0);
	viewer_read(&a);
	buf_reset(&a.in);
	live_tick(hub, time_mono() + 16);
	viewer_read(&a);
	if (!ok(strstr(a.in.p ? a.in.p : "", ": heartbeat\n\n") != NULL, "a quiet stream gets heartbeat comments"))
		diag("got %s", a.in.p ? a.in.p : "nothing");

	/* transition and end */
	buf_reset(&a.in);
	sql("INSERT INTO sessions (id, sim, track, type, online, started_at, last_update, state) VALUES "
	    "('" SID2 "', 'lmu', 'Test Ring', 'race2', 1, 1700003000, 1700003000, 'live')");
	sql("UPDATE sessions SET next_id = '" SID2 "' WHERE id = '" SID "'");
	live_note(hub, LN_SESSION, SID2, 0, 0, NULL);
	live_note(hub, LN_LINK, SID, 0, 0, SID2);
	live_commit(hub);
	viewer_read(&a);
	d = last_data(a.in.p, "transition");
	if (!ok(d && strcmp(d, "{\"next\":\"" SID2 "\"}") == 0, "a transition names the next session"))
		diag("got %s", a.in.p ? a.in.p : "nothing");
	buf_reset(&a.in);
	sql("UPDATE sessions SET state = 'closed', finished = 1 WHERE id = '" SID "'");
	live_note(hub, LN_SESSION, SID, 0, 0, NULL);
	live_commit(hub);
	viewer_read(&a);
	d = last_data(a.in.p, "end");
	ok(d && strstr(d, "\"state\":\"closed\"") && strstr(d, "\"finished\":true"),
	    "a session that closes sends end");
	viewer_close(&a);

	/* the live list */
	viewer_open(&c, "/live/sessions", NULL, 0);
	viewer_read(&c);
	d = last_data(c.in.p, "snapshot");
	ok(d && strstr(d, SID2) && !strstr(d, SID "\""), "the list snapshot holds the live sessions only");
	buf_reset(&c.in);
	sql("UPDATE sessions SET phase = 5 WHERE id = '" SID2 "'");
	live_note(hub, LN_SESSION, SID2, 0, 0, NULL);
	live_commit(hub);
	viewer_read(&c);
	d = last_data(c.in.p, "session");
	ok(d && strstr(d, "\"id\":\"" SID2 "\"") && strstr(d, "\"phase_name\":\"green flag\""),
	    "a session whose phase changes is a session event on the list");
	buf_reset(&c.in);
	sql("UPDATE sessions SET et = 12 WHERE id = '" SID2 "'");
	live_note(hub, LN_SESSION, SID2, 0, 0, NULL);
	live_commit(hub);
	viewer_read(&c);
	ok(c.in.len == 0, "the list does not repeat a session whose clock only ran");
	sql("DELETE FROM sessions WHERE id = '" SID2 "'");
	live_note(hub, LN_DROP, SID2, 0, 0, NULL);
	live_commit(hub);
	viewer_read(&c);
	d = last_data(c.in.p, "session");
	ok(d && strstr(d, "\"id\":\"" SID2 "\"") && strstr(d, "\"live\":false"),
	    "a session merged away leaves the list");
	viewer_close(&c);
	viewer_open(&c, "/live/sessions", NULL, 0);
	viewer_read(&c);
	d = last_data(c.in.p, "snapshot");
	ok(d && strcmp(d, "{\"sessions\":[]}") == 0, "and is not in the next list snapshot");
	viewer_close(&c);

	limits();
	live_close(hub);
	sqlite3_close(db);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	buf_free(&err);
	return tap_done();
}
