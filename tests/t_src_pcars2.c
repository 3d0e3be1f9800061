/*
 * ingest/src_pcars2.c: Project CARS 2 / Automobilista 2 packets and
 * shared-memory copies (spec/pcars2.md), frame by frame, through the
 * source's state into observations and on through the tracker. A small
 * simulated game in the test writes the packets with lib/pcars2.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tap.h"
#include "trackside.h"
#include "pcars2.h"
#include "track.h"
#include "source.h"

/* The simulated game: what it shows of each participant. */
struct gcar {
	char		 name[P2_NAME + 1];
	char		 veh[P2_NAME + 1];
	unsigned	 cls;
	int		 active, human;
	unsigned	 lap;		/* current lap, 1-based */
	unsigned	 sector;	/* the game's number: 0, 1, 2 */
	unsigned	 pit, rs, pos;
	int		 invalid;	/* the lap in progress is invalidated */
	double		 last, lsec, fastest, cur_time;
	double		 x, z;
	double		 s[3];		/* sector times of the lap in progress (shm) */
};

struct game {
	int		 n;
	unsigned	 gs, ss;
	enum p2_rev	 rev;
	double		 remaining;
	unsigned	 laps_time;
	int		 viewed;
	struct gcar	 car[P2_SHM_CARS];
};

/* One client: its source state and the packets of its next frame. */
struct feed {
	const char	*client;
	void		*st;
	struct obs	 o;
	cJSON		*pk;
	cJSON		*shm;
	long long	 seq;
	int		 rc;
	enum drop	 drop;
};

static struct track	 T;
static struct game	 G;
static struct feed	 FA, FB;
static long long	 now_ms;

static void
feed_init(struct feed *f, const char *client)
{
	obs_free(&f->o);
	pcars2_state_free(f->st);
	cJSON_Delete(f->pk);
	cJSON_Delete(f->shm);
	memset(f, 0, sizeof(*f));
	f->client = client;
	f->st = pcars2_state_new();
	f->pk = cJSON_CreateArray();
}

/* A fresh world: a tracker, two clients, a game of n cars on the grid. */
static void
world(int n, enum p2_rev rev)
{
	track_free(&T);
	track_init(&T);
	feed_init(&FA, "client-a");
	feed_init(&FB, "client-b");
	memset(&G, 0, sizeof(G));
	G.n = n;
	G.rev = rev;
	G.gs = P2G_PLAYING;
	G.ss = P2S_RACE;
	G.remaining = -1;
	G.laps_time = 10;
	for (int i = 0; i < n; i++) {
		struct gcar *c = &G.car[i];
		snprintf(c->name, sizeof(c->name), "Driver %02d", i);
		snprintf(c->veh, sizeof(c->veh), "Car %d", i % 3);
		c->cls = i % 2;
		c->active = 1;
		c->human = i < 2;
		c->lap = 1;
		c->rs = P2R_NOT_STARTED;
		c->pos = (unsigned)i + 1;
		c->last = c->lsec = c->fastest = c->cur_time = -1;
		c->s[0] = c->s[1] = c->s[2] = -1;
		c->x = 100 + i;
		c->z = -50 - i;
	}
	now_ms = 1764995400000LL;
}

static void
emit(struct feed *f, struct p2_packet *p)
{
	unsigned char	 out[P2_MAX_PACKET];
	size_t		 n;
	struct buf	 b = { 0 };
	cJSON		*x = cJSON_CreateObject();

	p->rev = G.rev;
	n = p2_encode(p, out);
	if (n == 0) {
		fprintf(stderr, "encode failed\n");
		abort();
	}
	b64_encode(&b, out, n);
	cJSON_AddNumberToObject(x, "at_ms", (double)now_ms);
	cJSON_AddNumberToObject(x, "type", out[10]);
	cJSON_AddStringToObject(x, "raw", b.p);
	cJSON_AddItemToArray(f->pk, x);
	buf_free(&b);
}

static void
pk_game(struct feed *f)
{
	struct p2_packet p;

	memset(&p, 0, sizeof(p));
	p.kind = P2K_GAME;
	p.u.game.game_state = G.gs;
	p.u.game.session_state = G.ss;
	p.u.game.ambient = 21;
	p.u.game.track = 30;
	p.u.game.rain = 51;
	emit(f, &p);
}

static void
pk_race(struct feed *f)
{
	struct p2_packet p;

	memset(&p, 0, sizeof(p));
	p.kind = P2K_RACE;
	snprintf(p.u.race.location, sizeof(p.u.race.location), "Brands Hatch");
	snprintf(p.u.race.variation, sizeof(p.u.race.variation), "Indy");
	p.u.race.track_length = 1929;
	p.u.race.laps_time = G.laps_time;
	p.u.race.enforced_pit_lap = -1;
	emit(f, &p);
}

/* Names part k of count (first index base: 0 or 1, as games number them). */
static void
pk_names(struct feed *f, unsigned k, unsigned count, unsigned base)
{
	struct p2_packet p;

	memset(&p, 0, sizeof(p));
	p.kind = P2K_PARTICIPANTS;
	p.h.part_index = k + base;
	p.h.part_count = count;
	for (unsigned j = 0; j < P2_PER_PACKET && k * 16 + j < (unsigned)G.n; j++)
		snprintf(p.u.part.name[j], sizeof(p.u.part.name[j]), "%s", G.car[k * 16 + j].name);
	emit(f, &p);
}

static void
pk_roster(struct feed *f)
{
	for (unsigned k = 0; k * 16 < (unsigned)G.n && k < 2; k++)
		pk_names(f, k, (unsigned)(G.n + 15) / 16, 0);
}

static void
pk_vehicles(struct feed *f)
{
	struct p2_packet p;

	for (int k = 0; k * 16 < G.n && k < 2; k++) {
		memset(&p, 0, sizeof(p));
		p.kind = P2K_VEHICLES;
		for (int j = 0; j < 16; j++) {
			int i = k * 16 + j;
			p.u.veh.v[j].index = (unsigned)i;
			if (i < G.n) {
				p.u.veh.v[j].cls = G.car[i].cls;
				snprintf(p.u.veh.v[j].name, sizeof(p.u.veh.v[j].name), "%s", G.car[i].veh);
			}
		}
		emit(f, &p);
	}
	memset(&p, 0, sizeof(p));
	p.kind = P2K_CLASSES;
	p.u.cls.c[0].index = 0;
	snprintf(p.u.cls.c[0].name, sizeof(p.u.cls.c[0].name), "GT3");
	p.u.cls.c[1].index = 1;
	snprintf(p.u.cls.c[1].name, sizeof(p.u.cls.c[1].name), "GT4");
	emit(f, &p);
}

static void
pk_timings(struct feed *f)
{
	struct p2_packet p;

	memset(&p, 0, sizeof(p));
	p.kind = P2K_TIMINGS;
	p.u.tim.num = G.n < P2_UDP_CARS ? G.n : P2_UDP_CARS;
	p.u.tim.time_remaining = G.remaining;
	p.u.tim.local_index = G.viewed;
	for (int i = 0; i < P2_UDP_CARS && i < G.n; i++) {
		struct p2_timing	*t = &p.u.tim.car[i];
		struct gcar		*c = &G.car[i];
		t->world[0] = (int)c->x;
		t->world[2] = (int)c->z;
		t->lap_distance = 100;
		t->position = c->pos;
		t->active = c->active;
		t->sector = c->sector;
		t->pit_mode = c->pit;
		t->car_index = (unsigned)i;
		t->human = c->human;
		t->race_state = c->rs;
		t->lap_invalid = c->invalid;
		t->current_lap = c->lap;
		t->current_time = c->cur_time;
		t->mp_index = i;
	}
	emit(f, &p);
}

static void
pk_stats(struct feed *f)
{
	struct p2_packet p;

	memset(&p, 0, sizeof(p));
	p.kind = P2K_TIME_STATS;
	for (int i = 0; i < P2_UDP_CARS && i < G.n; i++) {
		p.u.stats.car[i].last = G.car[i].last;
		p.u.stats.car[i].last_sector = G.car[i].lsec;
		p.u.stats.car[i].fastest = G.car[i].fastest;
		p.u.stats.car[i].mp_index = i;
	}
	emit(f, &p);
}

static void
pk_telemetry(struct feed *f, double fuel)
{
	struct p2_packet p;

	memset(&p, 0, sizeof(p));
	p.kind = P2K_TELEMETRY;
	p.u.tel.viewed = G.viewed;
	p.u.tel.fuel_capacity = 100;
	p.u.tel.fuel_level = fuel;
	emit(f, &p);
}

/* The shared-memory block of the game as it stands, as the frame's "shm". */
static void
shm_block(struct feed *f)
{
	struct p2_shm	*m = calloc(1, sizeof(*m));
	unsigned char	*out = calloc(1, P2_SHM_V14_SIZE);
	struct buf	 b = { 0 };

	m->version = 14;
	m->game_state = G.gs;
	m->session_state = G.ss;
	m->viewed = G.viewed;
	m->num = G.n;
	snprintf(m->location, sizeof(m->location), "Brands Hatch");
	snprintf(m->variation, sizeof(m->variation), "Indy");
	m->track_length = 1929;
	m->laps_in_event = G.laps_time;
	m->time_remaining = G.remaining;
	m->ambient = 21;
	m->track_temp = 30;
	m->rain = 0.2;
	m->has_ams2 = 1;
	m->fuel_capacity = 100;
	m->fuel_level = 0.5;
	for (int i = 0; i < G.n; i++) {
		struct p2_shm_car	*s = &m->car[i];
		struct gcar		*c = &G.car[i];
		s->active = c->active;
		snprintf(s->name, sizeof(s->name), "%s", c->name);
		snprintf(s->car, sizeof(s->car), "%s", c->veh);
		snprintf(s->cls, sizeof(s->cls), "%s", c->cls ? "GT4" : "GT3");
		s->world[0] = c->x;
		s->world[2] = c->z;
		s->lap_distance = 100;
		s->position = c->pos;
		s->laps_completed = c->lap - 1;
		s->current_lap = c->lap;
		s->sector = (int)c->sector;
		for (int k = 0; k < 3; k++)
			s->cur_s[k] = c->s[k];
		s->fastest_lap = c->fastest;
		s->last_lap = c->last;
		s->race_state = c->rs;
		s->pit_mode = c->pit;
	}
	p2_shm_encode(m, out);
	b64_encode(&b, out, P2_SHM_V14_SIZE);
	cJSON_Delete(f->shm);
	f->shm = cJSON_CreateObject();
	cJSON_AddNumberToObject(f->shm, "version", 14);
	cJSON_AddNumberToObject(f->shm, "size", P2_SHM_V14_SIZE);
	cJSON_AddNumberToObject(f->shm, "at_ms", (double)now_ms);
	cJSON_AddStringToObject(f->shm, "raw", b.p);
	buf_free(&b);
	free(out);
	free(m);
}

/* Sends f's frame: parse, then the tracker. Returns the parse's result. */
static int
send(struct feed *f)
{
	cJSON		*data = cJSON_CreateObject();
	struct src_in	 in = { f->client, ++f->seq, now_ms / 1000.0 };
	struct track_in	 tin;
	struct tsession	*s;

	if (cJSON_GetArraySize(f->pk) > 0)
		cJSON_AddItemToObject(data, "packets", f->pk);
	else
		cJSON_Delete(f->pk);
	if (f->shm != NULL)
		cJSON_AddItemToObject(data, "shm", f->shm);
	f->pk = cJSON_CreateArray();
	f->shm = NULL;
	f->rc = pcars2_parse(f->st, &in, data, &f->o);
	f->drop = DROP__MAX;
	if (f->rc == 1) {
		memset(&tin, 0, sizeof(tin));
		tin.client = f->client;
		tin.seq = f->seq;
		tin.captured_at = in.captured_at;
		tin.received_at = now_ms / 1000.0 + 0.05;
		tin.sim = "pcars2";
		f->drop = track_frame(&T, &tin, &f->o, &s);
		track_changes_reset(&T);
	}
	cJSON_Delete(data);
	return f->rc;
}

/* Everything a joining client hears first, then timings. */
static int
join(struct feed *f)
{
	pk_game(f);
	pk_race(f);
	pk_roster(f);
	pk_vehicles(f);
	pk_timings(f);
	pk_stats(f);
	return send(f);
}

/* One tick of UDP: timings (and stats when asked), the clock on by ms. */
static int
tick(struct feed *f, int stats, long long ms)
{
	now_ms += ms;
	pk_timings(f);
	if (stats)
		pk_stats(f);
	return send(f);
}

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

static const struct obs_car *
obs_car(const struct obs *o, int slot)
{
	for (size_t i = 0; i < o->ncars; i++)
		if (o->cars[i].slot == slot)
			return &o->cars[i];
	return NULL;
}

static const struct tlap *
car_lap(const struct tcar *c, int n)
{
	return c != NULL && n >= 1 && n <= c->max_lap && c->laps_v[n - 1].known ?
	    &c->laps_v[n - 1] : NULL;
}

static int
near(double a, double b)
{
	return fabs(a - b) < 0.002;
}

/* Car i drives sector k (0..2) of its lap in t seconds; the game says so as it does. */
static void
drive(int i, double t, int stats_first)
{
	struct gcar *c = &G.car[i];

	c->s[c->sector] = t;
	c->lsec = t;
	if (c->sector == 2) {
		c->last = c->s[0] + c->s[1] + c->s[2];
		if (c->fastest < 0 || c->last < c->fastest)
			c->fastest = c->last;
		c->lap++;
		c->sector = 0;
		c->s[0] = c->s[1] = c->s[2] = -1;
	} else
		c->sector++;
	now_ms += (long long)(t * 1000);
	if (stats_first) {
		pk_stats(&FA);
		pk_timings(&FA);
	} else {
		pk_timings(&FA);
		pk_stats(&FA);
	}
	send(&FA);
}

static void
start_race(void)
{
	for (int i = 0; i < G.n; i++)
		G.car[i].rs = P2R_RACING;
}

static void
t_race_start(void)
{
	struct tsession	*s;
	double		 et;

	world(4, P2_LATER);
	ok(join(&FA) == 1 && FA.o.has_session && FA.o.kind == SK_RACE && FA.o.phase == PHASE_GRID &&
	    FA.o.ncars == 4 && FA.o.et == 0 && strcmp(FA.o.track, "Brands Hatch/Indy") == 0 &&
	    FA.o.max_laps == 10 && FA.o.max_time < 0 && FA.drop == DROP_NONE,
	    "a race on the grid: one session, its cars, ET 0, the grid phase, 10 laps");
	ok(FA.o.air == 21 && FA.o.track_temp == 30 && near(FA.o.rain, 0.2) && near(FA.o.track_len, 1929),
	    "weather and temperatures onto conditions");
	tick(&FA, 0, 5000);
	ok(FA.o.phase == PHASE_GRID && FA.o.et == 0, "ET holds at 0 until the start");
	start_race();
	tick(&FA, 0, 1000);
	et = FA.o.et;
	tick(&FA, 0, 2000);
	s = only_session();
	ok(FA.o.phase == PHASE_GREEN && near(FA.o.et - et, 2.0) && s != NULL && s->ncars == 4 &&
	    strcmp(s->type, "race") == 0, "the start: green, ET runs with the client's clock");
	G.ss = P2S_FORMATION;
	world(2, P2_LATER);
	G.ss = P2S_FORMATION;
	join(&FA);
	ok(FA.o.kind == SK_RACE && FA.o.phase == PHASE_FORMATION, "a formation lap is the race's");
	G.ss = P2S_RACE;
	start_race();
	pk_game(&FA);
	tick(&FA, 0, 1000);
	ok(FA.o.kind == SK_RACE && FA.o.phase == PHASE_GREEN && T.nsess == 1,
	    "formation to race is one session");
	world(2, P2_LATER);
	G.ss = P2S_QUALIFY;
	join(&FA);
	ok(FA.o.kind == SK_QUALIFY && FA.o.phase == PHASE_GREEN, "qualifying is qualifying");
	G.ss = P2S_TIME_ATTACK;
	pk_game(&FA);
	tick(&FA, 0, 1000);
	ok(FA.o.kind == SK_PRACTICE && only_session() != NULL &&
	    strcmp(only_session()->type, "practice") == 0,
	    "time attack is practice: another session (the empty one before merges into it)");
}

static void
t_lap(void)
{
	struct tcar		*c;
	const struct tlap	*l;

	for (int order = 0; order < 2; order++) {
		world(3, P2_LATER);
		join(&FA);
		start_race();
		tick(&FA, 0, 1000);
		drive(0, 30.5, order);
		drive(0, 31.25, order);
		drive(0, 29.75, order);
		c = car_key(only_session(), "0:Driver 00");
		l = car_lap(c, 1);
		ok(l != NULL && near(l->time, 91.5) && near(l->s1, 30.5) && near(l->s2, 31.25) &&
		    near(l->s3, 29.75) && !l->sectors_derived, order ?
		    "a lap with its time and sectors (times before positions)" :
		    "a lap with its time and sectors (positions before times)");
	}
	drive(0, 30, 0);
	drive(0, 30.5, 1);
	drive(0, 30.25, 0);
	l = car_lap(c = car_key(only_session(), "0:Driver 00"), 2);
	ok(l != NULL && near(l->time, 90.75) && near(l->s1, 30) && near(l->s2, 30.5) &&
	    near(l->s3, 30.25) && near(c->best, 90.75) && c->laps == 2, "the next lap: its own times, the best follows");
	ok(car_lap(car_key(only_session(), "1:Driver 01"), 1) == NULL,
	    "a car that did not finish a lap has none");
}

static void
t_partial(void)
{
	struct tsession *s;
	int good = 1;

	world(16, P2_LATER);
	pk_game(&FA);
	pk_race(&FA);
	pk_names(&FA, 0, 1, 1);
	pk_timings(&FA);
	send(&FA);
	ok(FA.o.ncars == 16 && obs_car(&FA.o, 15) != NULL,
	    "one part numbered from 1 (index 1 of 1): participants 0..15");
	for (unsigned base = 0; base < 1; base++) {
		world(32, P2_LATER);
		pk_game(&FA);
		pk_race(&FA);
		pk_timings(&FA);
		send(&FA);
		ok(FA.o.ncars == 0, "no names yet: no cars");
		pk_names(&FA, 1, 2, base);
		tick(&FA, 0, 100);
		good = FA.o.ncars == 16 && obs_car(&FA.o, 16) != NULL && obs_car(&FA.o, 0) == NULL;
		pk_names(&FA, 0, 2, base);
		tick(&FA, 0, 100);
		s = only_session();
		ok(good && FA.o.ncars == 32 && s != NULL && s->ncars == 32 &&
		    car_key(s, "31:Driver 31") != NULL && car_key(s, "0:Driver 00") != NULL, base ?
		    "16 + 16 names reassembled (1-based part index)" :
		    "16 + 16 names reassembled (0-based part index)");
	}
}

static void
t_names(void)
{
	struct tcar *c;

	world(4, P2_LATER);
	join(&FA);
	c = car_key(only_session(), "3:Driver 03");
	ok(c != NULL && strcmp(c->vehicle_name, "Car 0") == 0 && strcmp(c->cls, "GT4") == 0 &&
	    strcmp(c->driver, "Driver 03") == 0, "vehicle and class names onto the car");
	G.viewed = 1;
	start_race();
	pk_timings(&FA);
	pk_telemetry(&FA, 0.25);
	tick(&FA, 0, 1000);
	ok(near(obs_car(&FA.o, 1)->fuel, 0.25) && obs_car(&FA.o, 0)->fuel < 0 &&
	    near(car_key(only_session(), "1:Driver 01")->fuel, 0.25),
	    "fuel of the car the client's own telemetry shows, no other");
}

static void
t_pits(void)
{
	struct tcar *c;

	world(2, P2_LATER);
	join(&FA);
	start_race();
	tick(&FA, 0, 1000);
	drive(1, 30, 0);
	G.car[1].pit = P2P_INTO_PITS;
	tick(&FA, 0, 3000);
	ok(obs_car(&FA.o, 1)->pit_state == PIT_ENTERING && obs_car(&FA.o, 1)->pitting,
	    "into the pits: entering");
	G.car[1].pit = P2P_IN_PIT;
	tick(&FA, 0, 3000);
	ok(obs_car(&FA.o, 1)->pit_state == PIT_STOPPED && obs_car(&FA.o, 1)->pitstops == 1,
	    "in the pit: stopped, one stop");
	G.car[1].pit = P2P_OUT_OF_PITS;
	tick(&FA, 0, 20000);
	G.car[1].pit = P2P_NONE;
	tick(&FA, 0, 3000);
	c = car_key(only_session(), "1:Driver 01");
	ok(c != NULL && c->npits == 1 && c->pits[0].stop_time > 0 && c->pits[0].release_time > 0 &&
	    c->pits[0].exit_time > 0 && c->pit_state == PIT_NONE, "out of the pits: one pit visit, stop and exit");
	G.car[1].pit = P2P_IN_GARAGE;
	tick(&FA, 0, 3000);
	ok(obs_car(&FA.o, 1)->in_garage && c->in_garage, "in the garage");
	G.car[1].pit = 6;
	tick(&FA, 0, 1000);
	ok(FA.o.drift[DRIFT_UNKNOWN_PIT_STATE] == 1, "a pit mode the game does not define: drift");
}

static void
t_invalid(void)
{
	struct tcar *c;

	world(2, P2_LATER);
	join(&FA);
	start_race();
	tick(&FA, 0, 1000);
	drive(1, 30, 0);
	G.car[1].invalid = 1;		/* off the track in S2 */
	drive(1, 30, 0);
	drive(1, 30, 0);		/* the line: the game clears the bit */
	G.car[1].invalid = 0;
	tick(&FA, 0, 1000);
	for (int k = 0; k < 3; k++)
		drive(1, 31, 0);
	c = car_key(only_session(), "1:Driver 01");
	ok(c != NULL && car_lap(c, 1) && car_lap(c, 1)->known && !car_lap(c, 1)->valid &&
	    car_lap(c, 1)->time < 0, "a lap the game invalidated is recorded invalid, without its time");
	ok(c != NULL && car_lap(c, 2) && car_lap(c, 2)->valid && near(car_lap(c, 2)->time, 93),
	    "the next lap is valid again");
}

/* Car 1 drives round a circle of 400 m radius, n steps a lap, in the pits or not. */
static void
circle(int n, int pit)
{
	for (int k = 1; k <= n; k++) {
		double a = 2 * M_PI * k / n;
		G.car[1].x = 400 * cos(a);
		G.car[1].z = 400 * sin(a);
		G.car[1].pit = pit;
		if (k == n)
			G.car[1].lap++;
		tick(&FA, 0, 500);
	}
}

static void
t_outline(void)
{
	struct tsession *s;
	int got = 0;

	world(2, P2_LATER);
	join(&FA);
	start_race();
	tick(&FA, 0, 1000);
	circle(100, P2P_NONE);		/* a lap seen from its middle: no outline */
	ok(only_session() && !only_session()->has_trackmap, "half a lap seen: no track outline yet");
	G.car[1].pit = P2P_INTO_PITS;
	tick(&FA, 0, 500);
	circle(100, P2P_IN_PIT);	/* a lap through the pits: none either */
	ok(only_session() && !only_session()->has_trackmap, "a lap through the pits makes no outline");
	circle(100, P2P_NONE);		/* the out lap began in the pits */
	ok(only_session() && !only_session()->has_trackmap, "nor does the lap out of them");
	for (int k = 1; k <= 100; k++) {
		double a = 2 * M_PI * k / 100;
		G.car[1].x = 400 * cos(a);
		G.car[1].z = 400 * sin(a);
		G.car[1].pit = P2P_NONE;
		if (k == 100)
			G.car[1].lap++;
		tick(&FA, 0, 500);
		if (FA.o.has_trackmap)
			got = (int)FA.o.npoints;
	}
	s = only_session();
	ok(s != NULL && s->has_trackmap && got >= 90 && got <= 101,
	    "a whole lap out of the pits: the track's outline from its positions (%d points)", got);
	tick(&FA, 0, 500);
	ok(!FA.o.has_trackmap, "the outline is sent once");
}

static void
t_swap(void)
{
	struct tsession	*s;
	struct tcar	*a, *b;

	world(2, P2_LATER);
	join(&FA);
	start_race();
	tick(&FA, 0, 1000);
	for (int k = 0; k < 6; k++)
		drive(1, 30, 0);		/* two laps */
	G.car[1].pit = P2P_IN_PIT;
	tick(&FA, 0, 3000);
	snprintf(G.car[1].name, sizeof(G.car[1].name), "Second Driver");
	pk_names(&FA, 0, 1, 0);
	tick(&FA, 0, 1000);
	G.car[1].pit = P2P_NONE;
	for (int k = 0; k < 3; k++)
		drive(1, 31, 0);		/* a lap of the new driver */
	s = only_session();
	a = car_key(s, "1:Driver 01");
	ok(a != NULL && car_key(s, "1:Second Driver") == NULL && a->present && a->slot == 1 &&
	    strcmp(a->driver, "Second Driver") == 0 &&
	    strcmp(obs_car(&FA.o, 1)->driver, "Second Driver") == 0,
	    "another name on an index whose laps go on: a driver swap, the same car");
	ok(a != NULL && car_lap(a, 2) && strcmp(car_lap(a, 2)->driver, "Driver 01") == 0 &&
	    car_lap(a, 3) && strcmp(car_lap(a, 3)->driver, "Second Driver") == 0 &&
	    near(car_lap(a, 3)->time, 93), "each lap keeps the driver who drove it");

	/* the participant leaves; another joins on the index and starts from lap 1 */
	snprintf(G.car[1].name, sizeof(G.car[1].name), "Late Joiner");
	G.car[1].lap = 1;
	G.car[1].sector = 0;
	pk_names(&FA, 0, 1, 0);
	tick(&FA, 0, 1000);
	b = car_key(s, "1:Late Joiner");
	ok(a != NULL && b != NULL && a != b && !a->present && b->present && b->slot == 1 &&
	    a->laps == 3, "another name on an index whose laps start again: another car, the first one left");
}

static void
t_finish(void)
{
	static const struct { unsigned rs; enum finish fin; const char *what; } v[] = {
		{ P2R_FINISHED, FIN_FINISHED, "finished" }, { P2R_DNF, FIN_DNF, "DNF" },
		{ P2R_DSQ, FIN_DQ, "DSQ" }, { P2R_RETIRED, FIN_DNF, "retired" },
	};
	char what[64];

	world(5, P2_LATER);
	join(&FA);
	start_race();
	tick(&FA, 0, 1000);
	for (int i = 0; i < 4; i++)
		G.car[i].rs = v[i].rs;
	tick(&FA, 0, 1000);
	for (int i = 0; i < 4; i++) {
		struct tcar *c;
		char key[32];
		snprintf(key, sizeof(key), "%d:Driver %02d", i, i);
		c = car_key(only_session(), key);
		snprintf(what, sizeof(what), "race state %s: finish %s", v[i].what,
		    finish_names[v[i].fin]);
		ok(obs_car(&FA.o, i)->finish == v[i].fin && c != NULL && c->finish == v[i].fin, "%s",
		    what);
	}
	ok(FA.o.phase == PHASE_CHECKERED && obs_car(&FA.o, 4)->finish == FIN_NONE,
	    "a car finished: the chequered flag; the others race on");
}

static void
t_timed(void)
{
	world(2, P2_LATER);
	G.laps_time = 0x8000 | 6;	/* 30 minutes */
	G.remaining = 1800;
	join(&FA);
	start_race();
	G.remaining = 1700;
	tick(&FA, 0, 1000);
	ok(near(FA.o.max_time, 1800) && FA.o.max_laps < 0 && near(FA.o.et, 100) &&
	    near(FA.o.remaining, 1700), "a timed race: ET is the duration less the time left");
	G.remaining = 1690;
	tick(&FA, 0, 10000);
	ok(near(FA.o.et, 110), "and goes on with it");
	G.remaining = 0;
	tick(&FA, 0, 1690000);
	tick(&FA, 0, 20000);
	ok(near(FA.o.et, 1820), "the time up, the cars finish their laps on the clock: ET runs on");
	world(2, P2_LATER);
	join(&FA);
	ok(FA.o.max_laps == 10 && FA.o.max_time < 0 && FA.o.remaining < 0,
	    "a lap race: its laps, no time");
}

static void
t_late_join(void)
{
	struct tsession *s;

	world(3, P2_LATER);
	join(&FA);
	start_race();
	tick(&FA, 0, 1000);
	for (int lap = 0; lap < 2; lap++)
		for (int k = 0; k < 3; k++) {
			drive(0, 30, 0);
			drive(1, 0.01, 0);
		}
	G.car[0].cur_time = 12;
	tick(&FA, 0, 12000);
	/* client b joins now */
	join(&FB);
	s = only_session();
	ok(FB.rc == 1 && FB.o.et > 0 && fabs(FB.o.et - FA.o.et) < 10 && obs_car(&FB.o, 0)->laps == 2 &&
	    s != NULL && FB.drop == DROP_NONE,
	    "a client joining late: ET from the leader's laps and lap time, the game's lap count");
	ok(obs_car(&FB.o, 0)->last > 0 && near(obs_car(&FB.o, 0)->last, 90),
	    "its last lap time is the game's");
}

static void
t_revisions(void)
{
	struct obs	 e;
	int		 same = 1;

	memset(&e, 0, sizeof(e));
	for (int r = 0; r < 2; r++) {
		world(4, r ? P2_LATER : P2_EARLY);
		G.viewed = 0;
		join(&FA);
		start_race();
		tick(&FA, 0, 1000);
		drive(2, 30, 0);
		drive(2, 31, 0);
		drive(2, 32, 0);
		G.car[3].pit = P2P_INTO_PITS;
		tick(&FA, 1, 500);
		if (r == 0) {
			e = FA.o;
			e.cars = malloc(FA.o.ncars * sizeof(*e.cars));
			memcpy(e.cars, FA.o.cars, FA.o.ncars * sizeof(*e.cars));
			continue;
		}
		same = e.ncars == FA.o.ncars && e.kind == FA.o.kind && near(e.et, FA.o.et) &&
		    e.phase == FA.o.phase;
		for (size_t i = 0; same && i < e.ncars; i++) {
			const struct obs_car *x = &e.cars[i], *y = &FA.o.cars[i];
			same = x->slot == y->slot && x->laps == y->laps && near(x->last, y->last) &&
			    near(x->last_s1, y->last_s1) && near(x->last_s2, y->last_s2) &&
			    x->pit_state == y->pit_state && x->position == y->position &&
			    x->x == y->x && x->z == y->z && strcmp(x->veh, y->veh) == 0;
		}
	}
	ok(same && e.ncars == 4, "early and later revisions give the same observation");
	free(e.cars);
}

static void
t_shm(void)
{
	struct tsession	*s;
	const struct tlap *l;

	world(48, P2_LATER);
	pk_game(&FA);
	pk_race(&FA);
	pk_roster(&FA);
	pk_vehicles(&FA);
	pk_timings(&FA);
	send(&FA);
	ok(FA.o.ncars == 32, "UDP only: the first 32 participants");
	shm_block(&FB);
	send(&FB);
	ok(FB.rc == 1 && FB.o.ncars == 48 && obs_car(&FB.o, 47) != NULL &&
	    strcmp(obs_car(&FB.o, 47)->cls, "GT4") == 0 &&
	    strcmp(obs_car(&FB.o, 47)->vehicle_name, "Car 2") == 0,
	    "shared memory only: all 48, with vehicle and class names");
	pk_game(&FA);
	pk_timings(&FA);
	shm_block(&FA);
	send(&FA);
	ok(FA.o.ncars == 48, "both: the larger view (shared memory) wins");
	/* a lap through shared memory: polls as changed byte ranges */
	start_race();
	now_ms += 1000;
	shm_block(&FB);
	send(&FB);
	G.car[40].s[0] = 30;
	G.car[40].sector = 1;
	now_ms += 30000;
	shm_block(&FB);
	send(&FB);
	G.car[40].s[1] = 31;
	G.car[40].sector = 2;
	now_ms += 31000;
	shm_block(&FB);
	send(&FB);
	G.car[40].s[0] = G.car[40].s[1] = -1;
	G.car[40].sector = 0;
	G.car[40].lap = 2;
	G.car[40].last = G.car[40].fastest = 93;
	now_ms += 32000;
	shm_block(&FB);
	send(&FB);
	s = NULL;
	for (size_t i = 0; i < T.nsess; i++)
		if (strcmp(T.sess[i]->owner, "client-b") == 0)
			s = T.sess[i];
	l = car_lap(car_key(s, "40:Driver 40"), 1);
	ok(l != NULL && near(l->time, 93) && near(l->s1, 30) && near(l->s2, 31) && near(l->s3, 32),
	    "a lap of participant 40 through shared memory, with its sectors");
	ok(FB.o.drift[DRIFT_BAD_TYPE] == 0 && obs_car(&FB.o, G.viewed) != NULL &&
	    near(obs_car(&FB.o, G.viewed)->fuel, 0.5), "the viewed car's fuel");
}

/* The block of a frame whose later polls are given as changed byte ranges. */
static void
t_shm_polls(void)
{
	struct p2_shm	*m = calloc(1, sizeof(*m));
	unsigned char	*a = calloc(1, P2_SHM_V14_SIZE), *b = calloc(1, P2_SHM_V14_SIZE);
	struct buf	 e = { 0 }, r = { 0 };
	cJSON		*polls, *poll, *set, *rng;
	size_t		 i = 0;

	world(2, P2_LATER);
	start_race();
	m->version = 14;
	m->game_state = P2G_PLAYING;
	m->session_state = P2S_RACE;
	m->num = 2;
	snprintf(m->location, sizeof(m->location), "Interlagos");
	m->laps_in_event = 5;
	for (int k = 0; k < 2; k++) {
		m->car[k].active = 1;
		snprintf(m->car[k].name, sizeof(m->car[k].name), "P%d", k);
		m->car[k].race_state = P2R_RACING;
		m->car[k].position = (unsigned)k + 1;
		m->car[k].last_lap = m->car[k].fastest_lap = -1;
		m->car[k].cur_s[0] = m->car[k].cur_s[1] = m->car[k].cur_s[2] = -1;
	}
	p2_shm_encode(m, a);
	m->car[1].laps_completed = 1;
	m->car[1].last_lap = 88.5;
	m->car[1].pit_mode = P2P_INTO_PITS;
	p2_shm_encode(m, b);
	FA.shm = cJSON_CreateObject();
	b64_encode(&e, a, P2_SHM_V14_SIZE);
	cJSON_AddNumberToObject(FA.shm, "version", 14);
	cJSON_AddStringToObject(FA.shm, "raw", e.p);
	polls = cJSON_AddArrayToObject(FA.shm, "polls");
	poll = cJSON_CreateObject();
	cJSON_AddItemToArray(polls, poll);
	cJSON_AddNumberToObject(poll, "at_ms", (double)now_ms + 500);
	set = cJSON_AddArrayToObject(poll, "set");
	while (i < P2_SHM_V14_SIZE) {
		size_t j;
		if (a[i] == b[i]) {
			i++;
			continue;
		}
		for (j = i; j < P2_SHM_V14_SIZE && a[j] != b[j]; j++)
			;
		buf_reset(&r);
		b64_encode(&r, b + i, j - i);
		rng = cJSON_CreateArray();
		cJSON_AddItemToArray(rng, cJSON_CreateNumber((double)i));
		cJSON_AddItemToArray(rng, cJSON_CreateString(r.p));
		cJSON_AddItemToArray(set, rng);
		i = j;
	}
	send(&FA);
	ok(FA.rc == 1 && obs_car(&FA.o, 1) != NULL && obs_car(&FA.o, 1)->laps == 1 &&
	    near(obs_car(&FA.o, 1)->last, 88.5) && obs_car(&FA.o, 1)->pit_state == PIT_ENTERING &&
	    strcmp(FA.o.track, "Interlagos") == 0 && FA.o.max_laps == 5,
	    "shared memory: the first copy and a poll's changed ranges make the frame's view");
	ok(only_session() != NULL && strcmp(only_session()->track, "Interlagos") == 0,
	    "a frame with only {version, raw} (no at_ms) is read at captured_at");
	buf_free(&e);
	buf_free(&r);
	free(a);
	free(b);
	free(m);
}

static int
obs_same(const struct obs *x, const struct obs *y)
{
	if (x->ncars != y->ncars || !near(x->et, y->et) || x->phase != y->phase ||
	    x->kind != y->kind || strcmp(x->track, y->track) != 0 || x->online != y->online)
		return 0;
	for (size_t i = 0; i < x->ncars; i++) {
		const struct obs_car *a = &x->cars[i], *b = &y->cars[i];
		if (a->slot != b->slot || strcmp(a->key, b->key) != 0 || a->laps != b->laps ||
		    !near(a->last, b->last) || !near(a->last_s1, b->last_s1) ||
		    !near(a->last_s2, b->last_s2) || !near(a->cur_s1, b->cur_s1) ||
		    a->pit_state != b->pit_state || a->pitstops != b->pitstops ||
		    a->finish != b->finish || !near(a->lap_start_et, b->lap_start_et) ||
		    strcmp(a->veh, b->veh) != 0 || a->sector != b->sector ||
		    (a->cls == NULL) != (b->cls == NULL) || (a->cls && strcmp(a->cls, b->cls) != 0))
			return 0;
	}
	return 1;
}

static void
t_resume(void)
{
	struct buf	 saved = { 0 }, again = { 0 };
	void		*st2 = NULL;
	struct obs	 o2;
	cJSON		*d1, *d2;
	struct src_in	 in;
	int		 rc;

	world(4, P2_LATER);
	join(&FA);
	start_race();
	tick(&FA, 0, 1000);
	drive(0, 30, 0);
	drive(0, 31, 0);
	drive(0, 32, 1);
	drive(0, 30, 0);	/* S1 of lap 2 */
	G.car[2].pit = P2P_IN_PIT;
	tick(&FA, 0, 1000);
	/* the last lap's time comes before the line: it waits for it */
	G.car[1].last = 95;
	pk_stats(&FA);
	send(&FA);
	ok(pcars2_state_save(FA.st, &saved) == 1 && (st2 = pcars2_state_new()) != NULL &&
	    pcars2_state_load(st2, saved.p) == 1 && pcars2_state_save(st2, &again) == 1 &&
	    strcmp(saved.p, again.p) == 0, "the state saved, loaded and saved again is the same");
	/* the next frame to both: the running state and the restored one */
	G.car[1].lap = 2;
	G.car[0].lsec = 31.5;
	G.car[0].sector = 2;
	now_ms += 31500;
	pk_timings(&FA);
	pk_stats(&FA);
	d1 = cJSON_CreateObject();
	cJSON_AddItemToObject(d1, "packets", FA.pk);
	FA.pk = cJSON_CreateArray();
	d2 = cJSON_Duplicate(d1, 1);
	in.client = "client-a";
	in.seq = 99;
	in.captured_at = now_ms / 1000.0;
	memset(&o2, 0, sizeof(o2));
	rc = pcars2_parse(FA.st, &in, d1, &FA.o);
	ok(rc == 1 && pcars2_parse(st2, &in, d2, &o2) == 1 && obs_same(&FA.o, &o2),
	    "a restart in the middle of a race: the next observation is the same");
	ok(obs_car(&o2, 0) != NULL && obs_car(&o2, 1) != NULL && obs_car(&o2, 2) != NULL &&
	    obs_car(&o2, 1)->laps == 1 && near(obs_car(&o2, 1)->last, 95) &&
	    near(obs_car(&o2, 0)->cur_s2, 61.5) && obs_car(&o2, 2)->pitstops == 1,
	    "what waited in the saved state (a lap time, sectors, a stop) is in it");
	ok(pcars2_state_load(st2, "{\"v\":2}") == 0 && pcars2_state_load(st2, "nonsense") == 0 &&
	    pcars2_state_load(st2, NULL) == 0, "a state that is not ours is refused");
	cJSON_Delete(d1);
	cJSON_Delete(d2);
	obs_free(&o2);
	pcars2_state_free(st2);
	buf_free(&saved);
	buf_free(&again);
}

static void
t_states(void)
{
	char id[TRACK_ID_LEN + 1];

	world(2, P2_LATER);
	join(&FA);
	start_race();
	tick(&FA, 0, 1000);
	tick(&FA, 0, 30000);
	snprintf(id, sizeof(id), "%s", only_session() ? only_session()->id : "");
	G.gs = P2G_PAUSED;
	pk_game(&FA);
	tick(&FA, 0, 5000);
	ok(FA.o.phase == PHASE_PAUSED && FA.drop == DROP_NONE, "paused: the session, paused");
	G.gs = P2G_REPLAY;
	pk_game(&FA);
	tick(&FA, 0, 1000);
	ok(FA.rc == 1 && FA.o.replay && FA.drop == DROP_REPLAY, "a replay: dropped as one");
	G.gs = P2G_RESTARTING;
	pk_game(&FA);
	tick(&FA, 0, 1000);
	ok(FA.rc == 1 && FA.drop == DROP_LOADING, "restarting: dropped as loading");
	G.gs = P2G_FRONT_END;
	pk_game(&FA);
	send(&FA);
	ok(FA.rc == 1 && !FA.o.has_session && FA.drop == DROP_NO_SESSION,
	    "the front end: no session");
	G.gs = P2G_PLAYING;
	pk_game(&FA);
	tick(&FA, 0, 1000);
	ok(FA.o.has_session && FA.drop == DROP_NONE && near(FA.o.et, 0) && T.nsess == 2 &&
	    strcmp(T.sess[1]->id, id) != 0, "back on track after the menus: another session");
}

static void
t_online(void)
{
	world(4, P2_LATER);
	join(&FA);
	join(&FB);
	ok(FA.o.online && FB.o.online && only_session() != NULL && only_session()->nclients == 2,
	    "two humans: online, and two clients of it share one session");
	world(4, P2_LATER);
	G.car[1].human = 0;
	join(&FA);
	join(&FB);
	ok(!FA.o.online && T.nsess == 2, "one human: offline, a session per client");
}

static void
t_garbage(void)
{
	static const char *const bad[] = {
		"{}", "{\"packets\":7}", "{\"packets\":[1,\"x\",null,{}]}",
		"{\"packets\":[{\"at_ms\":1,\"raw\":\"!!!!\"}]}",
		"{\"packets\":[{\"at_ms\":1,\"raw\":\"AAAAAAAAAAAAAAAA\"}]}",
		"{\"packets\":[{\"at_ms\":1,\"raw\":7}]}",
		"{\"shm\":[]}", "{\"shm\":{\"version\":14}}", "{\"shm\":{\"raw\":\"AAAA\"}}",
		"{\"shm\":{\"raw\":\"AAAA\",\"polls\":[{\"set\":[[0,\"AA==\"]]}]}}",
	};
	int	 good = 1;
	long long drift = 0;

	world(2, P2_LATER);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON		*d = cJSON_Parse(bad[i]);
		struct src_in	 in = { "client-a", (long long)i + 1, now_ms / 1000.0 };
		long long	 n = 0;
		if (pcars2_parse(FA.st, &in, d, &FA.o) != 0 || FA.o.ncars != 0)
			good = 0;
		for (int k = 0; k < DRIFT__MAX; k++)
			n += FA.o.drift[k];
		if (n == 0) {
			diag("no drift for %s", bad[i]);
			good = 0;
		}
		drift += n;
		cJSON_Delete(d);
	}
	ok(good && drift >= 10, "garbage frames: drift counted, nothing observed, no crash");
	/* a good game after the garbage still works; garbage in the middle of it changes nothing */
	join(&FA);
	{
		cJSON		*d = cJSON_Parse("{\"packets\":[{\"at_ms\":1,\"raw\":\"////\"}],"
		    "\"shm\":{\"raw\":\"AAAA\",\"version\":3}}");
		struct src_in	 in = { "client-a", 100, now_ms / 1000.0 };
		size_t		 n = FA.o.ncars;
		ok(pcars2_parse(FA.st, &in, d, &FA.o) == 1 && FA.o.ncars == n &&
		    FA.o.drift[DRIFT_BAD_TYPE] == 2, "garbage next to a session: drift, the session stands");
		cJSON_Delete(d);
	}
	world(2, P2_LATER);
	G.car[0].lap = 4000000000u;
	shm_block(&FA);
	send(&FA);
	ok(FA.rc == 1 && FA.o.drift[DRIFT_BAD_TYPE] == 1 && obs_car(&FA.o, 0) == NULL &&
	    obs_car(&FA.o, 1) != NULL && FA.drop == DROP_NONE,
	    "a block with billions of laps: drift, that participant skipped");
}

int
main(void)
{
	t_race_start();
	t_lap();
	t_partial();
	t_names();
	t_pits();
	t_invalid();
	t_outline();
	t_swap();
	t_finish();
	t_timed();
	t_late_join();
	t_revisions();
	t_shm();
	t_shm_polls();
	t_resume();
	t_states();
	t_online();
	t_garbage();
	feed_init(&FA, "x");
	feed_init(&FB, "x");
	pcars2_state_free(FA.st);
	pcars2_state_free(FB.st);
	cJSON_Delete(FA.pk);
	cJSON_Delete(FB.pk);
	track_free(&T);
	return tap_done();
}
