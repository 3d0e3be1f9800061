/*
 * Webhooks, the queueing side (ingest/notify.c): the configuration's
 * webhook_N lines as config hooks (kept, added, removed at each start), the
 * events each hook hears of (race log kinds, a car's number or team),
 * exactly one row per hook and event, both payload formats, the pit window
 * once per stint at the hook's laps left, nothing from trackers that
 * re-derive history, the sender woken by a commit and not by a rollback,
 * and the retry schedule.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "tap.h"
#include "ingest.h"
#include "notify.h"
#include "db.h"
#include "track.h"

static sqlite3		*db;
static struct stmts	 st;
static struct notify	*nt;
static struct ingest	*ig;
static struct tsession	*S;
static struct tcar	*C7, *C8;
static long long	 log_id;

static long long
q1(const char *sql)
{
	sqlite3_stmt	*s;
	long long	 v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The payload of hook's row for key, parsed (caller frees), or NULL. */
static cJSON *
payload(long long hook, const char *key)
{
	sqlite3_stmt	*s;
	cJSON		*o = NULL;

	if (sqlite3_prepare_v2(db, "SELECT payload FROM webhook_deliveries WHERE hook_id = ? AND "
	    "event_key = ?", -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(s, 1, hook);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		o = cJSON_Parse((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return o;
}

static int
conf_open(const char *const *lines, struct buf *err)
{
	struct conf	 c = { 0 };
	int		 rc;

	for (size_t i = 0; lines[i] != NULL; i += 2)
		conf_set(&c, lines[i], lines[i + 1]);
	notify_close(nt);
	nt = NULL;
	buf_reset(err);
	rc = notify_open(&nt, db, &c, err);
	conf_free(&c);
	return rc;
}

/* Queues race log event kind (data JSON or NULL) of car c (NULL: the session). */
static int
logev(const char *kind, struct tcar *c, const char *data)
{
	struct change ch;

	memset(&ch, 0, sizeof(ch));
	ch.type = CH_LOG;
	ch.s = S;
	ch.car = c;
	ch.log.et = 100;
	ch.log.at = 1.8e9;
	ch.log.lap = c != NULL ? 12 : -1;
	snprintf(ch.log.kind, sizeof(ch.log.kind), "%s", kind);
	snprintf(ch.log.driver, sizeof(ch.log.driver), "%s", c != NULL ? c->driver : "");
	snprintf(ch.log.text, sizeof(ch.log.text), "%s %s", c != NULL ? c->number : "session",
	    kind);
	snprintf(ch.log.data, sizeof(ch.log.data), "%s", data ? data : "{}");
	snprintf(ch.log.ref, sizeof(ch.log.ref), "r%lld", log_id + 1);
	return notify_log(ig, &ch, ++log_id);
}

/* Car c's lap n done: time 100 s, fuel at its end, pit (an in-lap). */
static int
lap(struct tcar *c, int n, double fuel, int pit)
{
	struct tlap	*l = track_lap_slot(c, n);
	struct change	 ch;

	l->known = 1;
	l->source = LSRC_LIVE;
	l->time = 100;
	l->start_et = 100.0 * (n - 1);
	l->fuel = fuel;
	l->ve = -1;
	l->valid = 1;
	l->pit = pit;
	snprintf(l->driver, sizeof(l->driver), "%s", c->driver);
	if (n > c->max_lap)
		c->max_lap = n;
	c->fuel = fuel;
	S->et = 100.0 * n;
	if (S->max_laps <= 0)
		S->remaining = 7200 - S->et;
	memset(&ch, 0, sizeof(ch));
	ch.type = CH_LAP;
	ch.s = S;
	ch.car = c;
	ch.lap = l;
	ch.n = n;
	return notify_lap(ig, &ch);
}

static void
begin(void)
{
	db_exec(db, "BEGIN IMMEDIATE", NULL);
}

static void
commit(void)
{
	db_exec(db, "COMMIT", NULL);
	notify_end(1);
}

int
main(void)
{
	const char		*tmp = getenv("TMPDIR");
	char			 path[512], dbf[600];
	struct buf		 err = { 0 };
	unsigned long long	 seen = 0;
	cJSON			*o;
	int			 fd;

	tap_plan(43);
	snprintf(path, sizeof(path), "%s/t_notify.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		return 1;
	close(fd);
	snprintf(dbf, sizeof(dbf), "%s.db", path);
	if (!db_open(&db, dbf, DB_RW, &err) || !db_migrate(db, &err) ||
	    !stmts_prepare(&st, db, &err) || ingest_open_fresh(&ig, &st, NULL, &err) < 0) {
		printf("Bail out! %s\n", err.p ? err.p : "database");
		return 1;
	}

	/* The configuration's hooks. */
	{
		const char *const bad1[] = { "webhook_1", "ftp://x.example/", NULL };
		const char *const bad2[] = { "webhook_2", "https://x.example/h events=pit,lunch", NULL };
		const char *const bad3[] = { "webhook_3", "https://x.example/h window=51", NULL };
		const char *const bad4[] = { "webhook_1", "https://x.example/h car=\"7", NULL };
		const char *const bad5[] = { "public_url", "timing.example.org", NULL };
		int rc = conf_open(bad1, &err);
		ok(!rc && strstr(err.p, "webhook_1") != NULL,
		    "a webhook_N that is not an http(s) URL is refused (%s)", err.p);
		rc = conf_open(bad2, &err);
		ok(!rc && strstr(err.p, "lunch") != NULL, "an unknown event is refused (%s)", err.p);
		ok(!conf_open(bad3, &err), "a window beyond 50 laps is refused");
		ok(!conf_open(bad4, &err), "an unclosed quote is refused");
		ok(!conf_open(bad5, &err), "a public_url that is not a URL is refused");
		ok(q1("SELECT count(*) FROM webhooks") == 0, "a refused configuration adds no hook");
	}
	const char *const conf1[] = {
		"webhook_1", "https://all.example/h?token=x",
		"webhook_2", "https://team.example/d car=\"Team Seven\" format=discord "
		    "events=pit,pit_window window=4",
		"webhook_4", "https://num.example/h car=8 events=finish,penalty window=2",
		"webhook_5", "https://num.example/w car=8 events=pit_window window=2",
		"public_url", "https://timing.example.org/",
		"webhook_retry", "0.5",
		NULL
	};
	ok(conf_open(conf1, &err) == 1, "webhook_1, 2, 4, 5 are read (%s)", err.p ? err.p : "");
	ok(q1("SELECT count(*) FROM webhooks WHERE origin = 'config' AND removed_at IS NULL") == 4,
	    "each line is a config hook");
	ok(q1("SELECT count(*) FROM webhooks WHERE events = 'session_start,pit,swap,penalty,"
	    "pit_window,finish' AND format = 'json' AND window_laps = 3 AND car IS NULL") == 1,
	    "a line with the URL alone follows every event of every car, as JSON");
	ok(q1("SELECT count(*) FROM webhooks WHERE car = 'Team Seven' AND format = 'discord' AND "
	    "window_laps = 4 AND events = 'pit,pit_window'") == 1, "car, format, events and window");
	ok(conf_open(conf1, &err) == 1 && q1("SELECT count(*) FROM webhooks") == 4,
	    "the same configuration again keeps the same rows");
	ok(fabs(notify_backoff(nt, 1) - 0.5) < 1e-9 && fabs(notify_backoff(nt, 3) - 6) < 1e-9 &&
	    fabs(notify_backoff(nt, 99) - 180) < 1e-9,
	    "webhook_retry scales the schedule (0.5, 1.5, 6, ... 180 s)");
	ok(fabs(notify_backoff(NULL, 1) - 5) < 1e-9 && fabs(notify_backoff(NULL, 2) - 15) < 1e-9 &&
	    fabs(notify_backoff(NULL, 4) - 300) < 1e-9 && fabs(notify_backoff(NULL, 6) - 1800) < 1e-9 &&
	    fabs(notify_backoff(NULL, 7) - 1800) < 1e-9,
	    "the schedule: 5 s, 15 s, 1 min, 5 min, 15 min, then every 30 min");

	/* A session, two cars. */
	struct track *t = ingest_tracker(ig);
	S = track_session_add(t, "0123456789abcdef0123456789abcdef");
	snprintf(S->sim, sizeof(S->sim), "lmu");
	snprintf(S->track, sizeof(S->track), "Sebring");
	snprintf(S->type, sizeof(S->type), "race");
	S->max_laps = 0;
	C7 = track_car_add(t, S, 1, "car7");
	C8 = track_car_add(t, S, 2, "car8");
	C7->store_id = 70;
	C8->store_id = 80;
	snprintf(C7->number, sizeof(C7->number), "7");
	snprintf(C7->team, sizeof(C7->team), "Team Seven");
	snprintf(C7->cls, sizeof(C7->cls), "GT3");
	snprintf(C7->driver, sizeof(C7->driver), "A. Driver");
	snprintf(C8->number, sizeof(C8->number), "8");
	snprintf(C8->team, sizeof(C8->team), "Eight Racing");
	snprintf(C8->driver, sizeof(C8->driver), "B. Driver");

	begin();
	ok(logev("session", NULL, NULL) == 1 && logev("stop", C7, "{\"duration\":34.2}") == 1 &&
	    logev("pit_in", C8, NULL) == 1 && logev("penalty", C8, "{\"count\":1}") == 1 &&
	    logev("fastest_lap", C7, NULL) == 1 && logev("yellow", NULL, NULL) == 1,
	    "race log events are queued");
	commit();
	ok(notify_wait(nt, &seen, 0) == 0 && seen == 1, "the commit that queued rows wakes the sender");
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE hook_id = 1") == 4,
	    "the hook of every car hears of the session, the stop, the pit entry and the penalty");
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE event_key IN ('log:5', 'log:6')") == 0,
	    "nobody hears of a fastest lap or a local yellow");
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE hook_id = 2") == 1 &&
	    q1("SELECT count(*) FROM webhook_deliveries WHERE hook_id = 2 AND event_key = 'log:2'") == 1,
	    "the team's hook hears of its car's stop alone (by team name)");
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE hook_id = 3") == 1 &&
	    q1("SELECT count(*) FROM webhook_deliveries WHERE hook_id = 3 AND event_key = 'log:4'") == 1,
	    "a hook for car 8 and penalties hears of its penalty alone (by number)");
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE next_at >= created_at AND "
	    "attempts = 0 AND delivered_at IS NULL") == 6, "each row waits for its first try");

	o = payload(1, "log:2");
	ok(o != NULL && strcmp(cJSON_GetObjectItem(o, "event")->valuestring, "pit") == 0 &&
	    strcmp(cJSON_GetObjectItem(o, "kind")->valuestring, "stop") == 0 &&
	    strcmp(cJSON_GetObjectItem(o, "id")->valuestring, "log:2") == 0 &&
	    strcmp(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "session"), "track")->valuestring,
	    "Sebring") == 0 &&
	    cJSON_GetObjectItem(cJSON_GetObjectItem(o, "car"), "id")->valuedouble == 70 &&
	    strcmp(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "car"), "number")->valuestring,
	    "7") == 0 &&
	    cJSON_GetObjectItem(cJSON_GetObjectItem(o, "data"), "duration")->valuedouble == 34.2 &&
	    cJSON_GetObjectItem(o, "lap")->valuedouble == 12 &&
	    strcmp(cJSON_GetObjectItem(o, "url")->valuestring, "https://timing.example.org/"
	    "sessions/0123456789abcdef0123456789abcdef/cars/70") == 0,
	    "the JSON payload: event, kind, id, session, car, lap, data and the car page's link");
	cJSON_Delete(o);
	o = payload(1, "log:1");
	ok(o != NULL && cJSON_IsNull(cJSON_GetObjectItem(o, "car")) &&
	    strcmp(cJSON_GetObjectItem(o, "event")->valuestring, "session_start") == 0 &&
	    strcmp(cJSON_GetObjectItem(o, "url")->valuestring, "https://timing.example.org/"
	    "sessions/0123456789abcdef0123456789abcdef") == 0,
	    "a session event has no car and links the session page");
	cJSON_Delete(o);
	o = payload(2, "log:2");
	{
		const cJSON *em = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "embeds"), 0);
		const cJSON *f = cJSON_GetObjectItem(em, "fields");
		ok(o != NULL && strcmp(cJSON_GetObjectItem(o, "content")->valuestring, "7 stop") == 0 &&
		    cJSON_GetArraySize(cJSON_GetObjectItem(o, "embeds")) == 1 &&
		    strcmp(cJSON_GetObjectItem(em, "title")->valuestring, "Sebring · race") == 0 &&
		    strcmp(cJSON_GetObjectItem(em, "description")->valuestring, "7 stop") == 0 &&
		    cJSON_IsArray(f) && cJSON_GetArraySize(f) >= 3 &&
		    strcmp(cJSON_GetObjectItem(cJSON_GetArrayItem(f, 1), "value")->valuestring,
		    "#7 Team Seven") == 0 &&
		    cJSON_IsString(cJSON_GetObjectItem(em, "timestamp")) &&
		    cJSON_IsString(cJSON_GetObjectItem(em, "url")),
		    "the Discord payload: the text, one embed with title, fields, time and link");
	}
	cJSON_Delete(o);

	/* Derived again (another log row id would be another event: same id, same row). */
	begin();
	{
		struct change ch;
		memset(&ch, 0, sizeof(ch));
		ch.type = CH_LOG;
		ch.s = S;
		ch.car = C7;
		snprintf(ch.log.kind, sizeof(ch.log.kind), "stop");
		snprintf(ch.log.text, sizeof(ch.log.text), "again");
		ok(notify_log(ig, &ch, 2) == 1 &&
		    q1("SELECT count(*) FROM webhook_deliveries WHERE event_key = 'log:2'") == 2,
		    "an event queued again is one row per hook still");
	}
	commit();
	ok(notify_wait(nt, &seen, 0) == 0 && seen == 1, "a commit that queued nothing wakes nobody");

	/* The finish: a car's, and the session's checkered phase. */
	begin();
	ok(logev("finish", C8, NULL) == 1 && logev("phase", NULL, "{\"phase\":\"green\"}") == 1 &&
	    logev("phase", NULL, "{\"phase\":\"checkered\"}") == 1, "finish events are queued");
	db_exec(db, "ROLLBACK", NULL);
	notify_end(0);
	ok(notify_wait(nt, &seen, 0.05) == 0 && seen == 1, "a rollback wakes nobody");
	begin();
	logev("finish", C8, NULL);
	logev("phase", NULL, "{\"phase\":\"green\"}");
	logev("phase", NULL, "{\"phase\":\"checkered\"}");
	commit();
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE hook_id = 3 AND event_key IN "
	    "('log:10', 'log:12')") == 2, "a car's finish and the chequered flag are finish events");
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE event_key = 'log:11'") == 0,
	    "another phase change is no event");

	/* The pit window: 0.05 a lap, 2 hours of 100 s laps: stops are needed. */
	begin();
	int rc = 1;
	for (int n = 1; n <= 12 && rc > 0; n++)
		rc = lap(C7, n, 1.0 - 0.05 * n, 0);
	ok(rc == 1, "laps are seen");
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE event_key LIKE 'window:%'") == 0,
	    "8 laps of fuel left: no warning at a window of 4 laps");
	for (int n = 13; n <= 17 && rc > 0; n++)
		rc = lap(C7, n, 1.0 - 0.05 * n, 0);
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE hook_id = 2 AND "
	    "event_key = 'window:70:1'") == 1 &&
	    q1("SELECT count(*) FROM webhook_deliveries WHERE event_key LIKE 'window:%'") == 1,
	    "4 laps left: one warning for the stint, to the team's hook alone");
	o = payload(2, "window:70:1");
	ok(o != NULL && strstr(cJSON_GetObjectItem(o, "content")->valuestring, "pit window") != NULL,
	    "the warning says so (%s)", o ? cJSON_GetObjectItem(o, "content")->valuestring : "");
	cJSON_Delete(o);
	lap(C7, 18, 0.05, 1);	/* the in-lap */
	lap(C7, 19, 0.95, 0);
	for (int n = 20; n <= 34; n++)
		lap(C7, n, 0.95 - 0.05 * (n - 19), 0);
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE event_key = 'window:70:19'") == 1 &&
	    q1("SELECT count(*) FROM webhook_deliveries WHERE event_key LIKE 'window:70:%'") == 2,
	    "the next stint warns once more, once");
	for (int n = 1; n <= 14; n++)
		lap(C8, n, 1.0 - 0.05 * n, 0);
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE event_key LIKE 'window:80:%'") == 0,
	    "car 8 with 6 laps left: its hook's window is 2 laps");
	for (int n = 15; n <= 19; n++)
		lap(C8, n, 1.0 - 0.05 * n, 0);
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE event_key LIKE 'window:80:%' "
	    "AND hook_id = 4") == 1 && q1("SELECT count(*) FROM webhook_deliveries WHERE "
	    "event_key LIKE 'window:80:%'") == 1,
	    "at 2 laps left the hook that follows its pit window is told, not the one for its finish");
	commit();

	/* Enough fuel to the end of a lap race: no window. */
	begin();
	S->max_laps = 40;
	S->remaining = -1;
	{
		struct tcar *c9 = track_car_add(t, S, 3, "car9");
		c9->store_id = 90;
		snprintf(c9->number, sizeof(c9->number), "8");	/* a second car 8, a class apart */
		for (int n = 1; n <= 39; n++)
			lap(c9, n, 1.0 - 0.0245 * n, 0);
		ok(q1("SELECT count(*) FROM webhook_deliveries WHERE event_key LIKE 'window:90:%'") == 0,
		    "a car whose fuel lasts to the finish gets no pit window warning");
	}
	commit();

	/* A tracker that re-derives history (merge, split, reprocess) queues nothing. */
	begin();
	long long before = q1("SELECT count(*) FROM webhook_deliveries");
	t->single = 1;
	ok(logev("stop", C7, NULL) == 1 && q1("SELECT count(*) FROM webhook_deliveries") == before,
	    "a session derived again queues nothing");
	t->single = 0;
	commit();

	/* The configuration without webhook_4: removed, its queue set aside; a removed hook hears nothing. */
	const char *const conf2[] = {
		"webhook_1", "https://all.example/h?token=x",
		"webhook_2", "https://team.example/d car=\"Team Seven\" format=discord "
		    "events=pit,pit_window window=4",
		"webhook_5", "https://num.example/w car=8 events=pit_window window=2",
		NULL
	};
	ok(conf_open(conf2, &err) == 1 && q1("SELECT count(*) FROM webhooks WHERE removed_at IS NULL") == 3 &&
	    q1("SELECT removed_at IS NOT NULL FROM webhooks WHERE id = 3") == 1,
	    "a line no longer there removes its hook at the next start; the others stay");
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE hook_id = 3 AND delivered_at IS NULL "
	    "AND last_error = 'hook removed' AND next_at >= 1e15") ==
	    q1("SELECT count(*) FROM webhook_deliveries WHERE hook_id = 3"),
	    "what the removed hook had queued is never sent");
	begin();
	before = q1("SELECT count(*) FROM webhook_deliveries WHERE hook_id = 3");
	logev("penalty", C8, NULL);
	commit();
	ok(q1("SELECT count(*) FROM webhook_deliveries WHERE hook_id = 3") == before,
	    "a removed hook is queued nothing more");

	/* Behind a failed row: a new row of the same hook waits for it. */
	db_exec(db, "UPDATE webhook_deliveries SET attempts = 1, next_at = 4e9 WHERE id = "
	    "(SELECT min(id) FROM webhook_deliveries WHERE hook_id = 1)", NULL);
	begin();
	logev("swap", C7, NULL);
	commit();
	ok(q1("SELECT next_at FROM webhook_deliveries WHERE hook_id = 1 ORDER BY id DESC LIMIT 1") ==
	    4000000000LL, "a new row waits behind its hook's row that failed");

	notify_stop(nt);
	ok(notify_wait(nt, &seen, 5) == 1, "notify_stop ends the sender's wait");
	notify_close(nt);
	ingest_close(ig);
	stmts_finalize(&st);
	db_close(db);
	unlink(dbf);
	unlink(path);
	buf_free(&err);
	return tap_done();
}
