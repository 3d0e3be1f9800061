/*
 * ingest/src_ac.c: Assetto Corsa events (docs/ac.md), frame by frame,
 * through the source's state into observations and on through the tracker.
 * A small simulated server in the test writes the events.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tap.h"
#include "trackside.h"
#include "track.h"
#include "source.h"
#include "t_track_util.h"

/* One client of the server: its source state and the events of its next frame. */
struct feed {
	const char	*client;
	void		*st;
	struct obs	 o;
	cJSON		*evs;
	long long	 seq;
	long long	 shift;		/* its clock minus the test's, ms */
	int		 rc;		/* what its last parse returned */
};

static struct feed	*feeds[2];
static int		 nfeeds;
static struct track	 T;
static long long	 now_ms;		/* the test's clock */

static void
feed_init(struct feed *f, const char *client, long long shift)
{
	memset(f, 0, sizeof(*f));
	f->client = client;
	f->shift = shift;
	f->st = ac_state_new();
	f->evs = cJSON_CreateArray();
}

static void
feed_free(struct feed *f)
{
	ac_state_free(f->st);
	obs_free(&f->o);
	cJSON_Delete(f->evs);
}

/* A fresh world: a tracker and n clients (the second's clock 3 ms late, 2 s off). */
static void
world(int n)
{
	static struct feed fa, fb;

	for (int i = 0; i < 2 && feeds[i] != NULL; i++)	/* both are made whatever n */
		feed_free(feeds[i]);
	track_free(&T);
	track_init(&T);
	feed_init(&fa, "client-a", 0);
	feed_init(&fb, "client-b", 2003);
	feeds[0] = &fa;
	feeds[1] = &fb;
	nfeeds = n;
	now_ms = 1764995400000LL;
}

/* An event of type at now_ms to every client; fields as JSON members ("" none). */
__attribute__((format(printf, 2, 3))) static void
ev(const char *type, const char *fmt, ...)
{
	char	 body[4096], json[4200];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	for (int i = 0; i < nfeeds; i++) {
		cJSON *e;
		snprintf(json, sizeof(json), "{\"type\":\"%s\",\"at_ms\":%lld%s%s}", type,
		    now_ms + feeds[i]->shift, body[0] ? "," : "", body);
		if ((e = cJSON_Parse(json)) == NULL) {
			fprintf(stderr, "bad event %s\n", json);
			abort();
		}
		cJSON_AddItemToArray(feeds[i]->evs, e);
	}
}

/* Sends every client's frame: parse, then the tracker. Returns client a's parse result. */
static int
send_frames(void)
{
	for (int i = 0; i < nfeeds; i++) {
		struct feed	*f = feeds[i];
		cJSON		*data = cJSON_CreateObject();
		struct src_in	 in = { f->client, ++f->seq, (now_ms + f->shift) / 1000.0 };
		struct track_in	 tin;
		struct tsession	*s;

		cJSON_AddItemToObject(data, "events", f->evs);
		f->evs = cJSON_CreateArray();
		f->rc = ac_parse(f->st, &in, data, &f->o);
		if (f->rc == 1) {
			memset(&tin, 0, sizeof(tin));
			tin.client = f->client;
			tin.seq = f->seq;
			tin.captured_at = in.captured_at;
			tin.received_at = now_ms / 1000.0 + 0.05;
			tin.sim = "ac";
			track_frame(&T, &tin, &f->o, &s);
		}
		cJSON_Delete(data);
	}
	return feeds[0]->rc;
}

static void
session(const char *type, int stype, long long elapsed, int index)
{
	ev(type, "\"proto_version\":4,\"session_index\":%d,\"current_session_index\":%d,"
	    "\"session_count\":3,\"server_name\":\"Test Server\",\"track\":\"ks_vallelunga\","
	    "\"track_config\":\"club_circuit\",\"session_name\":\"S\",\"session_type\":%d,"
	    "\"time\":10,\"laps\":0,\"wait_time\":60,\"ambient_temp\":22,\"road_temp\":30,"
	    "\"weather_graphics\":\"3_clear\",\"elapsed_ms\":%lld", index, index, stype, elapsed);
}

static void
connect_(int id, const char *name, const char *guid, const char *model)
{
	ev("ACSP_NEW_CONNECTION", "\"driver_name\":\"%s\",\"driver_guid\":\"%s\",\"car_id\":%d,"
	    "\"car_model\":\"%s\",\"car_skin\":\"red\"", name, guid, id, model);
}

static void
disconnect_(int id, const char *name, const char *guid, const char *model)
{
	ev("ACSP_CONNECTION_CLOSED", "\"driver_name\":\"%s\",\"driver_guid\":\"%s\",\"car_id\":%d,"
	    "\"car_model\":\"%s\",\"car_skin\":\"red\"", name, guid, id, model);
}

static void
lap(int id, long long ms, int cuts, const char *rows)
{
	ev("ACSP_LAP_COMPLETED", "\"car_id\":%d,\"laptime_ms\":%lld,\"cuts\":%d,\"leaderboard\":[%s],"
	    "\"grip_level\":0.98", id, ms, cuts, rows);
}

static void
update(int id, double spline)
{
	double a = 2 * M_PI * spline;

	ev("ACSP_CAR_UPDATE", "\"car_id\":%d,\"pos\":[%.3f,12.5,%.3f],\"velocity\":[1,0,1],"
	    "\"gear\":4,\"engine_rpm\":7000,\"normalized_spline_pos\":%.6f", id, 300 * cos(a),
	    300 * sin(a), spline);
}

/* The only open session of the tracker, or NULL. */
static struct tsession *
only_session(void)
{
	struct tsession *s = NULL;

	for (size_t i = 0; i < T.nsess; i++)
		if (!T.sess[i]->gone) {
			if (s != NULL)
				return NULL;
			s = T.sess[i];
		}
	return s;
}

static struct tcar *
car_key(struct tsession *s, const char *key)
{
	for (size_t i = 0; s != NULL && i < s->ncars; i++)
		if (strcmp(s->cars[i]->key, key) == 0)
			return s->cars[i];
	return NULL;
}

static const struct tlap *
car_lap(const struct tcar *c, int n)
{
	return c != NULL && n >= 1 && n <= c->max_lap && c->laps_v[n - 1].known ?
	    &c->laps_v[n - 1] : NULL;
}

static void
t_flood(void)
{
	world(1);
	for (int i = 0; i < 12; i++) {
		session("ACSP_NEW_SESSION", 1 + i % 3, 0, i % 3);
		now_ms += 300;
		if (i % 3 == 2) {
			ok(send_frames() == 0, "an empty server's NEW_SESSION flood observes nothing (%d)",
			    i);
			now_ms += 700;
		}
	}
	ok(T.nsess == 0 && T.c.sessions == 0, "the flood creates no session");
	connect_(0, "Anna", "7656119800000001", "ks_mazda_mx5_cup");
	ok(send_frames() == 1 && T.nsess == 1, "someone connecting makes the session observed");
	ok(strcmp(T.sess[0]->track, "ks_vallelunga/club_circuit") == 0 &&
	    strcmp(T.sess[0]->server, "Test Server") == 0 && T.sess[0]->online == 1,
	    "track is track/config, the server its name (%s)", T.sess[0]->track);
}

static void
t_kinds(void)
{
	static const struct { int type; const char *stored; enum session_kind kind; } k[] = {
		{ 1, "practice", SK_PRACTICE }, { 2, "qualify", SK_QUALIFY }, { 3, "race", SK_RACE },
		{ 0, "other", SK_OTHER }, { 4, "other", SK_OTHER }, { 5, "other", SK_OTHER },
	};

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		struct tsession *s;
		world(1);
		session("ACSP_NEW_SESSION", k[i].type, 1000, 0);
		connect_(0, "Anna", "7656119800000001", "ks_mazda_mx5_cup");
		now_ms += 1000;
		send_frames();
		s = only_session();
		ok(s != NULL && feeds[0]->o.kind == k[i].kind && strcmp(s->type, k[i].stored) == 0,
		    "session_type %d is %s", k[i].type, k[i].stored);
	}
}

static void
t_slots(void)
{
	struct tsession		*s;
	struct tcar		*a, *b;

	world(1);
	session("ACSP_NEW_SESSION", 1, 0, 0);
	connect_(2, "Anna", "7656119800000001", "ks_mazda_mx5_cup");
	send_frames();
	now_ms += 60000;
	lap(2, 60000, 0, "{\"car_id\":2,\"time_ms\":60000,\"laps\":1,\"finished\":0}");
	disconnect_(2, "Anna", "7656119800000001", "ks_mazda_mx5_cup");
	send_frames();
	now_ms += 5000;
	connect_(2, "Bert", "7656119800000002", "ks_mazda_mx5_cup");
	now_ms += 61000;
	lap(2, 61000, 0, "{\"car_id\":2,\"time_ms\":61000,\"laps\":1,\"finished\":0}");
	send_frames();
	s = only_session();
	a = car_key(s, "7656119800000001");
	b = car_key(s, "7656119800000002");
	ok(s != NULL && s->ncars == 2 && a != NULL && b != NULL && a != b,
	    "a slot reused by another driver is another car");
	ok(a && b && car_lap(a, 1) && fabs(car_lap(a, 1)->time - 60) < 1e-9 && car_lap(b, 1) &&
	    fabs(car_lap(b, 1)->time - 61) < 1e-9 && strcmp(b->driver, "Bert") == 0 &&
	    s->by_slot[2] == b, "each keeps its own laps; the slot holds the newer");

	/* Anna comes back on slot 5: still her car, her laps go on. */
	connect_(5, "Anna", "7656119800000001", "ks_mazda_mx5_cup");
	now_ms += 59000;
	lap(5, 59000, 0, "{\"car_id\":5,\"time_ms\":59000,\"laps\":1,\"finished\":0}");
	send_frames();
	a = car_key(s, "7656119800000001");
	ok(s->ncars == 2 && a != NULL && a->slot == 5 && s->by_slot[5] == a && s->by_slot[2] == b &&
	    car_lap(a, 2) && fabs(car_lap(a, 2)->time - 59) < 1e-9 && a->laps == 2,
	    "a driver reconnecting on another slot stays one car (lap 2 on slot 5)");

	/* A GUID "0": keyed by the name. */
	connect_(7, "Carl", "0", "ks_mazda_mx5_cup");
	now_ms += 1000;
	send_frames();
	ok(car_key(s, "Carl") != NULL && car_key(s, "0") == NULL, "GUID \"0\": keyed by the name");
}

static void
t_quali(void)
{
	struct tsession	*s;
	struct tcar	*a, *b, *c;

	world(1);
	session("ACSP_NEW_SESSION", 2, 0, 1);
	connect_(0, "Anna", "g1", "m");
	connect_(1, "Bert", "g2", "m");
	connect_(2, "Carl", "g3", "m");
	send_frames();
	now_ms += 90000;
	lap(1, 95000, 0, "{\"car_id\":1,\"time_ms\":95000,\"laps\":1,\"finished\":0},"
	    "{\"car_id\":0,\"time_ms\":999999999,\"laps\":0,\"finished\":0},"
	    "{\"car_id\":2,\"time_ms\":999999999,\"laps\":0,\"finished\":0},"
	    "{\"car_id\":3,\"time_ms\":999999999,\"laps\":0,\"finished\":0}");
	now_ms += 2000;
	lap(0, 94000, 1, "{\"car_id\":0,\"time_ms\":94000,\"laps\":1,\"finished\":0},"
	    "{\"car_id\":1,\"time_ms\":95000,\"laps\":1,\"finished\":0},"
	    "{\"car_id\":2,\"time_ms\":999999999,\"laps\":0,\"finished\":0},"
	    "{\"car_id\":3,\"time_ms\":999999999,\"laps\":0,\"finished\":0}");
	now_ms += 94000;
	/* Bert's second lap is slower: his best stays */
	lap(1, 97000, 0, "{\"car_id\":0,\"time_ms\":94000,\"laps\":1,\"finished\":0},"
	    "{\"car_id\":1,\"time_ms\":95000,\"laps\":2,\"finished\":0},"
	    "{\"car_id\":2,\"time_ms\":999999999,\"laps\":0,\"finished\":0},"
	    "{\"car_id\":3,\"time_ms\":999999999,\"laps\":0,\"finished\":0}");
	send_frames();
	s = only_session();
	a = car_key(s, "g1");
	b = car_key(s, "g2");
	c = car_key(s, "g3");
	ok(a && b && c && fabs(a->best - 94) < 1e-9 && fabs(b->best - 95) < 1e-9 && c->best < 0,
	    "qualifying bests from the rows, 999999999 is none (%.3f %.3f %.3f)",
	    a ? a->best : 0, b ? b->best : 0, c ? c->best : 0);
	ok(a && b && c && a->position == 1 && b->position == 2 && c->position == 3,
	    "qualifying positions in the rows' order");
	ok(b && b->laps == 2 && fabs(b->last - 97) < 1e-9, "the last lap is the lap's time");
}

/* A race of ncars on a circle of 300 m radius, lap times lap_ms[i], updates at 5 Hz. */
struct race {
	int		 ncars, nlaps;
	long long	 lap_ms[4];
	long long	 start;		/* test clock at the green flag */
	int		 laps[4];
	long long	 total[4];
	int		 done[4];
};

static void
race_rows(const struct race *r, char *out, size_t sz)
{
	int	 order[4];
	size_t	 n = 0;

	for (int i = 0; i < r->ncars; i++)
		order[i] = i;
	for (int i = 0; i < r->ncars; i++)
		for (int j = i + 1; j < r->ncars; j++) {
			const int x = order[i], y = order[j];
			if (r->laps[y] > r->laps[x] || (r->laps[y] == r->laps[x] &&
			    r->total[y] < r->total[x])) {
				order[i] = y;
				order[j] = x;
			}
		}
	out[0] = '\0';
	for (int i = 0; i < r->ncars; i++) {
		int c = order[i];
		n += (size_t)snprintf(out + n, sz - n, "%s{\"car_id\":%d,\"time_ms\":%lld,\"laps\":%d,"
		    "\"finished\":%d}", i ? "," : "", c, r->total[c], r->laps[c], r->done[c]);
	}
}

static long long coll_at = -1;	/* a collision of car 1 then */

/* Runs the race from the test clock's now to its end, a frame a second. */
static void
race_run(struct race *r, long long until_ms)
{
	char rows[1024];

	for (; now_ms < until_ms; now_ms += 200) {
		for (int i = 0; i < r->ncars; i++) {
			long long t = now_ms - r->start;
			int n = t > 0 ? (int)(t / r->lap_ms[i]) : 0;
			if (r->done[i])
				continue;
			if (n > r->laps[i]) {
				r->laps[i] = n;
				r->total[i] = n * r->lap_ms[i] + (n == 1);	/* AC's totals: off by 1 ms */
				r->done[i] = n >= r->nlaps;
				race_rows(r, rows, sizeof(rows));
				lap(i, r->lap_ms[i], i == 1 && n == 2 ? 3 : 0, rows);
			}
			/* the leader's position comes once a second, 0.6 s after its lap's */
			if (t >= 0 && !r->done[i] && (i != 0 || t % 1000 == 600))
				update(i, (double)(t % r->lap_ms[i]) / (double)r->lap_ms[i]);
		}
		if (coll_at == now_ms)
			ev("ACSP_CLIENT_EVENT", "\"ev_type\":11,\"car_id\":1,\"impact_speed\":40.5,"
			    "\"world_pos\":[1,2,3],\"rel_pos\":[0,0,1]");
		if ((now_ms - r->start) % 1000 == 0)
			send_frames();
	}
	send_frames();
}

/* A race of three cars over 4 laps after a 5 s countdown; returns its session. */
static struct tsession *
race(struct race *r, int half)
{
	memset(r, 0, sizeof(*r));
	r->ncars = 3;
	r->nlaps = 4;
	r->lap_ms[0] = 60000;
	r->lap_ms[1] = 60500;
	r->lap_ms[2] = 61000;
	session("ACSP_NEW_SESSION", 3, -5000, 2);
	connect_(0, "Anna", "g1", "ks_mazda_mx5_cup");
	connect_(1, "Bert", "g2", "ks_mazda_mx5_cup");
	connect_(2, "Carl", "g3", "ks_mazda_mx5_cup");
	send_frames();
	r->start = now_ms + 5000;
	coll_at = r->start + 70000;
	race_run(r, half ? r->start + 121000 : r->start + 4 * 61000 + 1000);
	return only_session();
}

static void
t_race(void)
{
	struct race	 r;
	struct tsession	*s;
	struct tcar	*c[3];
	const struct tlap *l;
	double		 want;
	int		 ok_order = 1;

	world(1);
	session("ACSP_NEW_SESSION", 3, -5000, 2);
	connect_(0, "Anna", "g1", "ks_mazda_mx5_cup");
	now_ms += 1000;
	send_frames();
	ok(feeds[0]->o.phase == PHASE_COUNTDOWN && feeds[0]->o.et == 0 && only_session() != NULL,
	    "negative elapsed in a race: the countdown, ET 0 (phase %d, ET %.3f)",
	    feeds[0]->o.phase, feeds[0]->o.et);
	now_ms += 5000;
	send_frames();
	ok(feeds[0]->o.phase == PHASE_GREEN && fabs(feeds[0]->o.et - 1) < 1e-9,
	    "then green, ET from the signed elapsed time (ET %.3f)", feeds[0]->o.et);

	world(1);
	s = race(&r, 1);
	for (int i = 0; i < 3; i++)
		c[i] = car_key(s, i == 0 ? "g1" : i == 1 ? "g2" : "g3");
	ok(s != NULL && c[0] && c[1] && c[2], "the race and its three cars");
	if (s == NULL || !c[0] || !c[1] || !c[2])
		return;
	ok(s->track_len > 1880 && s->track_len < 1890,
	    "the track's length from the positions (%.1f m; 2π·300 = 1885)", s->track_len);
	/* just after the leader's line crossing: its LAP_COMPLETED came before its position */
	want = 121 * (1 - 60.0 / 61.0);
	ok(fabs(c[2]->gap - want) < 0.3 && c[2]->gap_laps == 0,
	    "the gap as the leader crosses the line (%.3f s, want %.3f)", c[2]->gap, want);
	race_run(&r, r.start + 150000);
	want = 150 * (1 - 60.0 / 61.0);
	ok(fabs(c[2]->gap - want) < 0.3 && c[2]->gap_laps == 0,
	    "the gap from the positions (%.3f s, want %.3f)", c[2]->gap, want);
	ok(fabs(c[2]->interval - (c[2]->gap - c[1]->gap)) < 1e-6 && c[1]->interval > 0,
	    "intervals add up (%.3f = %.3f - %.3f)", c[2]->interval, c[2]->gap, c[1]->gap);
	race_run(&r, r.start + 4 * 61000 + 1000);
	l = car_lap(c[0], 2);
	ok(l && l->sectors_derived && fabs(l->s1 - 20) < 0.01 && fabs(l->s2 - 20) < 0.01 &&
	    fabs(l->s3 - 20) < 0.01, "derived sectors at the thirds (%.3f %.3f %.3f)",
	    l ? l->s1 : 0, l ? l->s2 : 0, l ? l->s3 : 0);
	for (int i = 0; i < 3; i++)
		for (int n = 2; n <= 4; n++)
			if ((l = car_lap(c[i], n)) == NULL || l->s1 <= 0 || l->s2 <= 0 ||
			    l->s3 <= 0 || fabs(l->s1 + l->s2 + l->s3 - l->time) > 1e-6)
				ok_order = 0;
	ok(ok_order, "the derived sectors of every lap add up to the lap");
	l = car_lap(c[1], 2);
	ok(l && l->cuts == 3 && l->collisions == 1, "lap 2 of car 1: its cuts and collision (%d %d)",
	    l ? l->cuts : -9, l ? l->collisions : -9);
	l = car_lap(c[1], 3);
	ok(l && l->cuts == 0 && l->collisions == 0, "lap 3 of car 1: none (%d %d)",
	    l ? l->cuts : -9, l ? l->collisions : -9);
	ok(c[0]->position == 1 && c[1]->position == 2 && c[2]->position == 3 && c[0]->laps == 4 &&
	    c[2]->laps == 4, "the race order is the final leaderboard");
	ok(c[0]->finish == FIN_FINISHED && c[1]->finish == FIN_FINISHED &&
	    c[2]->finish == FIN_FINISHED && s->phase == PHASE_CHECKERED,
	    "finished from the rows; checkered once a car finished");
	ev("ACSP_CHAT", "\"car_id\":1,\"message\":\"gg\"");
	ev("ACSP_END_SESSION", "\"results_json_path\":\"results/2026_12_6_6_0_RACE.json\"");
	now_ms += 1000;
	send_frames();
	ok(s->finished && strcmp(s->results_file, "results/2026_12_6_6_0_RACE.json") == 0,
	    "END_SESSION: over, the results file kept");
	{
		const struct change *ch = NULL;
		for (size_t i = 0; i < T.nch; i++)
			if (T.ch[i].type == CH_CHAT)
				ch = &T.ch[i];
		ok(tcount(&T, CH_CHAT) == 1 && ch != NULL && strcmp(ch->chat_text, "Bert: gg") == 0 &&
		    fabs(ch->chat_ts / 1e7 - now_ms / 1000.0) < 3,
		    "the chat line, \"name: message\" at the session's time (%.3f, now %.3f)",
		    ch ? ch->chat_ts / 1e7 : 0, now_ms / 1000.0);
	}
	track_tick(&T, now_ms / 1000.0 + 1);
	ok(s->state == LIVE_CLOSED, "and closed once its client saw the end");
	now_ms += 1000;
	ok(send_frames() == 0, "a closed session observes nothing more");
}

/* Every lap of s as text, to compare runs. */
static void
laps_text(struct tsession *s, struct buf *out)
{
	for (size_t i = 0; s != NULL && i < s->ncars; i++) {
		struct tcar *c = s->cars[i];
		buf_printf(out, "%s P%d %d laps %s:", c->key, c->position, c->laps,
		    finish_names[c->finish]);
		for (int n = 1; n <= c->max_lap; n++) {
			const struct tlap *l = car_lap(c, n);
			if (l != NULL)
				buf_printf(out, " %d %.3f %.3f %.3f %d %d", n, l->time, l->s1, l->s2,
				    l->cuts, l->collisions);
		}
		buf_puts(out, "\n");
	}
}

static void
t_resume(void)
{
	struct race	 r;
	struct buf	 a = { 0 }, b = { 0 }, saved = { 0 };
	struct tsession	*s;

	world(1);
	s = race(&r, 0);
	laps_text(s, &a);
	world(1);
	race(&r, 1);
	ok(ac_state_save(feeds[0]->st, &saved) == 1 && saved.len > 0, "state_save mid-race");
	ac_state_free(feeds[0]->st);
	feeds[0]->st = ac_state_new();
	ok(ac_state_load(feeds[0]->st, saved.p) == 1, "state_load");
	race_run(&r, r.start + 4 * 61000 + 1000);
	laps_text(only_session(), &b);
	ok(a.len > 0 && b.len == a.len && memcmp(a.p, b.p, a.len) == 0,
	    "a state saved and loaded mid-race gives what an uninterrupted run gives");
	if (b.len != a.len || memcmp(a.p, b.p, a.len) != 0)
		printf("# uninterrupted:\n%s# resumed:\n%s", a.p, b.p ? b.p : "");
	ok(ac_state_load(feeds[0]->st, "{\"v\":") == 0 && ac_state_load(feeds[0]->st, "[]") == 0,
	    "an unreadable state is refused");
	buf_free(&a);
	buf_free(&b);
	buf_free(&saved);
}

static void
t_two_clients(void)
{
	struct race	 r;
	struct tsession	*s;
	struct buf	 one = { 0 }, two = { 0 };

	world(1);
	s = race(&r, 0);
	laps_text(s, &one);
	world(2);
	s = race(&r, 0);
	ev("ACSP_CHAT", "\"car_id\":0,\"message\":\"good race\"");
	now_ms += 1000;
	send_frames();
	laps_text(s, &two);
	ok(s != NULL && T.c.sessions == 1 && s->nclients == 2,
	    "two clients on one server: one session (%lld)", T.c.sessions);
	ok(s != NULL && s->nlaps == 12 && tcount(&T, CH_LAP) == 12, "each lap once (%d)",
	    s ? s->nlaps : -1);
	ok(two.len == one.len && memcmp(one.p, two.p, one.len) == 0,
	    "the same laps as from one client");
	ok(tcount(&T, CH_CHAT) == 1, "a chat line both received: once");
	buf_free(&one);
	buf_free(&two);
}

static void
t_end_and_next(void)
{
	struct tsession	*s, *n;

	world(1);
	session("ACSP_NEW_SESSION", 2, 0, 1);
	connect_(0, "Anna", "g1", "m");
	send_frames();
	s = only_session();
	now_ms += 90000;
	lap(0, 90000, 0, "{\"car_id\":0,\"time_ms\":90000,\"laps\":1,\"finished\":0}");
	ev("ACSP_END_SESSION", "\"results_json_path\":\"results/Q.json\"");
	now_ms += 20;
	session("ACSP_NEW_SESSION", 3, -60000, 2);
	now_ms += 980;
	ok(send_frames() == 1 && feeds[0]->o.closed && s != NULL && s->finished &&
	    car_key(s, "g1") && car_key(s, "g1")->laps == 1,
	    "END_SESSION then NEW_SESSION in one frame: the first ends with its lap");
	now_ms += 1000;
	send_frames();
	n = T.nsess == 2 ? T.sess[1] : NULL;
	ok(n != NULL && strcmp(n->type, "race") == 0 && strcmp(n->prev_id, s->id) == 0 &&
	    car_key(n, "g1") && car_key(n, "g1")->laps == 0,
	    "the next frame observes the next session, linked to it");
}

static void
t_chat_many(void)
{
	world(1);
	session("ACSP_NEW_SESSION", 1, 0, 0);
	connect_(0, "Anna", "g1", "m");
	for (int i = 0; i < 200; i++)
		ev("ACSP_CHAT", "\"car_id\":0,\"message\":\"line %d\"", i);
	now_ms += 1000;
	send_frames();
	ok(feeds[0]->rc == 1 && tcount(&T, CH_CHAT) == 200,
	    "200 chat lines in one frame: none lost (%d)", tcount(&T, CH_CHAT));
}

/* Sector ends of a track from the configuration: S1 ends at a quarter, S2 at half the lap. */
static void
t_sectors_conf(void)
{
	struct buf		 err = { 0 };
	struct race		 r;
	struct tsession		*s;
	const struct tlap	*l;
	int			 bad = 0;
	static const char *const bads[] = { "ks_vallelunga 0.6 0.5", "x 0.2", "x a b", "x 0 0.5",
		"x 0.2 1", "x 0.2 0.5 9" };

	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		buf_reset(&err);
		bad += ac_sectors_conf(bads[i], &err) == 0 && err.len > 0;
	}
	ok(bad == 6, "bad ac_sectors entries are refused with a message (%d of 6)", bad);
	ok(ac_sectors_conf("other/track 0.3 0.6; ks_vallelunga/club_circuit 0.25 0.5;", &err) == 1,
	    "ac_sectors: two tracks");
	world(1);
	s = race(&r, 0);
	l = car_lap(car_key(s, "g1"), 2);
	ok(l && l->sectors_derived && fabs(l->s1 - 15) < 0.01 && fabs(l->s2 - 15) < 0.01 &&
	    fabs(l->s3 - 30) < 0.01, "a configured track's sectors end where it says (%.3f %.3f %.3f)",
	    l ? l->s1 : 0, l ? l->s2 : 0, l ? l->s3 : 0);
	ac_sectors_conf("", &err);
	buf_free(&err);
}

/* A pass on the lap: the race order follows the cars, not the leaderboard of the last line. */
static void
t_pass(void)
{
	struct tsession *s;

	world(1);
	session("ACSP_NEW_SESSION", 3, 0, 2);
	connect_(0, "Anna", "g1", "m");
	connect_(1, "Bert", "g2", "m");
	/* a lap's worth of spline, so the track's length is known */
	for (int k = 0; k <= 12; k++) {
		update(0, k / 12.0 * 0.999);
		update(1, k / 12.0 * 0.998);
		now_ms += 5000;
	}
	lap(0, 60000, 0, "{\"car_id\":0,\"time_ms\":60000,\"laps\":1,\"finished\":0},"
	    "{\"car_id\":1,\"time_ms\":60100,\"laps\":1,\"finished\":0}");
	lap(1, 60100, 0, "{\"car_id\":0,\"time_ms\":60000,\"laps\":1,\"finished\":0},"
	    "{\"car_id\":1,\"time_ms\":60100,\"laps\":1,\"finished\":0}");
	update(0, 0.02);
	update(1, 0.02);
	now_ms += 1000;
	send_frames();
	s = only_session();
	ok(s && car_key(s, "g1") && car_key(s, "g1")->position == 1, "after the line: the leaderboard's order");
	update(0, 0.40);
	update(1, 0.45);
	now_ms += 1000;
	send_frames();
	ok(s && car_key(s, "g2") && car_key(s, "g2")->position == 1 && car_key(s, "g1")->position == 2,
	    "Bert passed Anna on the lap: P1 before the line says so");
}

int
main(void)
{
	tap_plan(53);
	t_flood();
	t_kinds();
	t_slots();
	t_quali();
	t_race();
	t_resume();
	t_two_clients();
	t_end_and_next();
	t_chat_many();
	t_sectors_conf();
	t_pass();
	for (int i = 0; i < 2; i++)
		feed_free(feeds[i]);
	track_free(&T);
	return tap_done();
}
