/*
 * An Assetto Corsa dedicated server's UDP plugin interface (spec/ac-udp.md,
 * protocol 4) over the simulated weekend of race.c: events go to the plugin
 * address, requests are answered from the local port. The quirks of real
 * servers occur on purpose: an empty server floods NEW_SESSION before the
 * first driver connects, a driver drops and comes back on another slot in
 * practice, his old slot is then taken by a driver who joins late, one
 * driver's GUID is "0", laps carry cuts, cars collide with each other and
 * the wall, drivers chat, a race lap and the leaderboard's total can differ
 * by a millisecond, and elapsed_ms is negative during the race's wait.
 *
 * What was sent is written as JSON (--truth): per session every driver,
 * every lap, qualifying best laps and the race's final order.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fakegame.h"

#define AC_PROTOCOL	4
#define AC_NO_TIME	999999999u	/* a qualifying row without a lap */
#define AC_MAX_SLOTS	(RACE_MAX_CARS + 1)
#define AC_FLOOD	6		/* NEW_SESSIONs of the empty server */
#define AC_COLLIDE	25.0		/* game s between collisions, about */

enum ac_msg {
	ACSP_NEW_SESSION = 50, ACSP_NEW_CONNECTION = 51, ACSP_CONNECTION_CLOSED = 52,
	ACSP_CAR_UPDATE = 53, ACSP_CAR_INFO = 54, ACSP_END_SESSION = 55, ACSP_VERSION = 56,
	ACSP_CHAT = 57, ACSP_CLIENT_LOADED = 58, ACSP_SESSION_INFO = 59, ACSP_ERROR = 60,
	ACSP_LAP_COMPLETED = 73, ACSP_CLIENT_EVENT = 130,
	ACSP_REALTIMEPOS_INTERVAL = 200, ACSP_GET_CAR_INFO = 201, ACSP_SEND_CHAT = 202,
	ACSP_BROADCAST_CHAT = 203, ACSP_GET_SESSION_INFO = 204, ACSP_KICK_USER = 206,
	ACSP_NEXT_SESSION = 207, ACSP_RESTART_SESSION = 208, ACSP_ADMIN_COMMAND = 209,
};
enum { ACSP_CE_COLLISION_WITH_CAR = 10, ACSP_CE_COLLISION_WITH_ENV = 11 };

/* race.c's session kinds in AC's words */
static const int ac_types[RS__MAX] = { 1, 2, 3 };
static const char *const ac_session_names[RS__MAX] = { "Practice", "Qualify", "Race" };
static const char *const truth_types[RS__MAX] = { "practice", "qualifying", "race" };

/* Who drives a race car, as the server knows him. */
struct ac_driver {
	char		 name[64];
	char		 guid[32];
	char		 model[64];
	char		 skin[32];
	int		 car;		/* race.c's car */
};

/* A slot of the server's entry list, and its leaderboard row. */
struct ac_slot {
	int		 driver;	/* -1: empty */
	int		 loaded;	/* CLIENT_LOADED sent */
	char		 model[64];
	char		 skin[32];
	int		 laps;
	uint32_t	 best;		/* ms, AC_NO_TIME = none */
	double		 total;		/* s of the race's laps */
	int		 finished;
};

/* Something to do at a game time: connect, load or leave. */
enum ac_act { ACT_CONNECT, ACT_LOADED, ACT_CLOSE };
struct ac_plan {
	double		 at;		/* ET of the session */
	int		 sess;		/* index of the session it belongs to */
	enum ac_act	 act;
	int		 driver;
	int		 slot;
	int		 done;
};

struct ac {
	struct sim_ac_opts o;
	struct race	*r;
	int		 fd;
	double		 start;		/* time_mono() at game time 0 */
	uint64_t	 rng;		/* our own, so the race stays race.c's */
	struct ac_driver drivers[RACE_MAX_CARS];
	int		 ndrivers;
	struct ac_slot	 slots[AC_MAX_SLOTS];
	int		 nslots;
	int		 slot_of[RACE_MAX_CARS];	/* driver -> slot, -1 not connected */
	struct ac_plan	 plan[RACE_MAX_CARS + 8];
	int		 nplan;
	int		 seen[RACE_MAX_CARS];		/* laps of each car handled */
	long long	 chat_seen;
	int		 flood;		/* NEW_SESSIONs of the empty server sent */
	int		 sess;		/* current session index, -1 before the first */
	int		 last_state;
	double		 next_collide;
	int		 collisions;
	unsigned	 interval_ms;	/* CAR_UPDATE interval, 0 = none asked */
	double		 next_update;	/* time_mono() of the next CAR_UPDATEs */
	char		 server[96];
	char		 track[64];
	char		 config[32];
	/* the truth, per session: JSON fragments */
	struct {
		struct buf	 drivers, laps, collisions, chat, order;
		uint32_t	 best[RACE_MAX_CARS];	/* ms by driver, laps without cuts */
		char		 seen[RACE_MAX_CARS];	/* driver listed */
		char		 results[96];		/* END_SESSION's file */
		int		 begun;
	}		 truth[RS__MAX];
	int		 done;		/* the weekend is over */
};

static uint64_t
ac_rnd64(struct ac *a)
{
	a->rng ^= a->rng >> 12;
	a->rng ^= a->rng << 25;
	a->rng ^= a->rng >> 27;
	return a->rng * 2685821657736338717ULL;
}

static double
ac_rnd(struct ac *a)
{
	return (double)(ac_rnd64(a) >> 11) / 9007199254740992.0;
}

/* Appends the next code point of UTF-8 s as UTF-32LE; returns bytes read. */
static size_t
utf8_next(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		return 3;
	}
	if ((s[0] & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
	    (s[3] & 0xc0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		return 4;
	}
	*cp = 0xfffd;
	return 1;
}

static void
put_u8(struct buf *b, unsigned v)
{
	buf_putc(b, (int)(v & 0xff));
}

static void
put_u16(struct buf *b, unsigned v)
{
	put_u8(b, v);
	put_u8(b, v >> 8);
}

static void
put_u32(struct buf *b, uint32_t v)
{
	put_u16(b, v & 0xffff);
	put_u16(b, v >> 16);
}

static void
put_f32(struct buf *b, double d)
{
	float		 f = (float)d;
	uint32_t	 v;

	memcpy(&v, &f, sizeof(v));
	put_u32(b, v);
}

/* An "A" string: a length byte and at most 255 bytes. */
static void
put_a(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	if (n > 255)
		n = 255;
	put_u8(b, (unsigned)n);
	buf_add(b, s, n);
}

/* A "W" string: a length byte in characters, then UTF-32LE without a BOM. */
static void
put_w(struct buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cps[255];
	size_t			 n = 0;

	while (*p && n < 255)
		p += utf8_next(p, &cps[n++]);
	put_u8(b, (unsigned)n);
	for (size_t i = 0; i < n; i++)
		put_u32(b, cps[i]);
}

/* Sends a message to the plugin (nowhere without a socket, as in the fuzz harness). */
static void
ac_send(struct ac *a, const struct buf *b)
{
	if (a->fd >= 0 && sendto(a->fd, b->p, b->len, 0, (const struct sockaddr *)&a->o.plugin,
	    sizeof(a->o.plugin)) < 0 && errno != ECONNREFUSED)
		fprintf(stderr, "trackside-fakegame: sendto: %s\n", strerror(errno));
}

static void
truth_str(struct buf *b, const char *key, const char *val)
{
	buf_printf(b, "\"%s\":\"", key);
	esc_json(b, val, strlen(val));
	buf_putc(b, '"');
}

/* The kind of session index i of the weekend. */
static int
ac_kind(const struct ac *a, int i)
{
	return a->r->sessions[i];
}

/* SESSION_INFO (59) or NEW_SESSION (50) for session index i. */
static void
ac_session_info(struct ac *a, int id, int i, int cur)
{
	struct buf	 b = { 0 };
	int		 kind = ac_kind(a, i);
	double		 el = 0;

	if (i == a->sess && a->r->state == RST_RUNNING)
		el = (race_et(a->r) - a->r->green_at) * 1000.0;
	put_u8(&b, (unsigned)id);
	put_u8(&b, AC_PROTOCOL);
	put_u8(&b, (unsigned)i);
	put_u8(&b, (unsigned)cur);
	put_u8(&b, (unsigned)a->r->nsess);
	put_w(&b, a->server);
	put_a(&b, a->track);
	put_a(&b, a->config);
	put_a(&b, ac_session_names[kind]);
	put_u8(&b, (unsigned)ac_types[kind]);
	put_u16(&b, (unsigned)lround(a->r->o.minutes[kind]));
	put_u16(&b, 0);
	put_u16(&b, kind == RS_RACE ? (unsigned)lround(a->r->green_at * 1000.0) : 0);
	put_u8(&b, 22);
	put_u8(&b, 31);
	put_a(&b, "3_clear");
	put_u32(&b, (uint32_t)(int32_t)lround(el));
	ac_send(a, &b);
	buf_free(&b);
}

static void
ac_version(struct ac *a)
{
	struct buf b = { 0 };

	put_u8(&b, ACSP_VERSION);
	put_u8(&b, AC_PROTOCOL);
	ac_send(a, &b);
	buf_free(&b);
}

static void
ac_error(struct ac *a, const char *msg)
{
	struct buf b = { 0 };

	put_u8(&b, ACSP_ERROR);
	put_w(&b, msg);
	ac_send(a, &b);
	buf_free(&b);
}

static void
ac_car_info(struct ac *a, int slot)
{
	struct buf		 b = { 0 };
	const struct ac_slot	*s = &a->slots[slot];
	const struct ac_driver	*d = s->driver >= 0 ? &a->drivers[s->driver] : NULL;

	put_u8(&b, ACSP_CAR_INFO);
	put_u8(&b, (unsigned)slot);
	put_u8(&b, d != NULL);
	put_w(&b, s->model);
	put_w(&b, s->skin);
	put_w(&b, d ? d->name : "");
	put_w(&b, d ? a->r->cars[d->car].team : "");
	put_w(&b, d ? d->guid : "");
	ac_send(a, &b);
	buf_free(&b);
}

/* NEW_CONNECTION (51) or CONNECTION_CLOSED (52). */
static void
ac_connection(struct ac *a, int id, int driver, int slot)
{
	struct buf		 b = { 0 };
	const struct ac_driver	*d = &a->drivers[driver];

	put_u8(&b, (unsigned)id);
	put_w(&b, d->name);
	put_w(&b, d->guid);
	put_u8(&b, (unsigned)slot);
	put_a(&b, d->model);
	put_a(&b, d->skin);
	ac_send(a, &b);
	buf_free(&b);
}

/* Lists a driver among the session's, once. */
static void
truth_driver(struct ac *a, int driver)
{
	const struct ac_driver	*d = &a->drivers[driver];
	struct buf		*b;

	if (a->sess < 0 || a->truth[a->sess].seen[driver])
		return;
	a->truth[a->sess].seen[driver] = 1;
	b = &a->truth[a->sess].drivers;
	buf_puts(b, b->len ? ",{" : "{");
	truth_str(b, "guid", d->guid);
	buf_putc(b, ',');
	truth_str(b, "name", d->name);
	buf_putc(b, ',');
	truth_str(b, "car", d->model);
	buf_putc(b, '}');
}

static void
slot_reset(struct ac_slot *s)
{
	s->laps = 0;
	s->best = AC_NO_TIME;
	s->total = 0;
	s->finished = 0;
}

/* Runs one planned connect, load or close. */
static void
ac_act(struct ac *a, struct ac_plan *p)
{
	struct ac_slot *s = &a->slots[p->slot];

	p->done = 1;
	switch (p->act) {
	case ACT_CONNECT:
		s->driver = p->driver;
		s->loaded = 0;
		memcpy(s->model, a->drivers[p->driver].model, sizeof(s->model));
		memcpy(s->skin, a->drivers[p->driver].skin, sizeof(s->skin));
		slot_reset(s);
		a->slot_of[p->driver] = p->slot;
		ac_connection(a, ACSP_NEW_CONNECTION, p->driver, p->slot);
		truth_driver(a, p->driver);
		break;
	case ACT_LOADED: {
		struct buf b = { 0 };
		s->loaded = 1;
		put_u8(&b, ACSP_CLIENT_LOADED);
		put_u8(&b, (unsigned)p->slot);
		ac_send(a, &b);
		buf_free(&b);
		break;
	}
	case ACT_CLOSE:
		ac_connection(a, ACSP_CONNECTION_CLOSED, p->driver, p->slot);
		s->driver = -1;
		s->loaded = 0;
		a->slot_of[p->driver] = -1;
		break;
	}
}

static void
plan_add(struct ac *a, double at, int sess, enum ac_act act, int driver, int slot)
{
	struct ac_plan *p = &a->plan[a->nplan++];

	p->at = at;
	p->sess = sess;
	p->act = act;
	p->driver = driver;
	p->slot = slot;
	p->done = 0;
}

/*
 * The weekend's comings and goings. Every driver but the last joins the
 * first session a few seconds apart, car i on slot i. In the first session
 * driver 1 drops at a third of it and comes back on the last slot; the last
 * driver joins after him on slot 1, the slot he left. Slot n-1 stays empty.
 */
static void
ac_plan_weekend(struct ac *a)
{
	int	 n = a->ndrivers, late = n > 1 ? n - 1 : n;	/* one driver: no late one */
	double	 len = a->r->o.minutes[ac_kind(a, 0)] * 60.0, drop = len / 3.0;

	for (int i = 0; i < n; i++)
		a->slot_of[i] = -1;
	for (int i = 0; i < late; i++) {
		plan_add(a, 2.0 + 1.0 * i, 0, ACT_CONNECT, i, i);
		plan_add(a, 5.0 + 1.0 * i, 0, ACT_LOADED, i, i);
	}
	if (n >= 3) {
		plan_add(a, drop, 0, ACT_CLOSE, 1, 1);
		plan_add(a, drop + 4.0, 0, ACT_CONNECT, 1, n);
		plan_add(a, drop + 6.0, 0, ACT_LOADED, 1, n);
		plan_add(a, drop + 8.0, 0, ACT_CONNECT, late, 1);
		plan_add(a, drop + 11.0, 0, ACT_LOADED, late, 1);
	} else if (late < n) {
		plan_add(a, drop, 0, ACT_CONNECT, late, late);
		plan_add(a, drop + 3.0, 0, ACT_LOADED, late, late);
	}
}

static const struct ac *board_of;

/* The leaderboard: every slot, best laps or race totals, in order. */
static int
ac_board_cmp(const void *x, const void *y)
{
	const struct ac		*a = board_of;
	const struct ac_slot	*s = &a->slots[*(const int *)x], *t = &a->slots[*(const int *)y];
	int			 race = ac_kind(a, a->sess) == RS_RACE;

	if ((s->driver >= 0) != (t->driver >= 0))
		return s->driver >= 0 ? -1 : 1;
	if (race) {
		if (s->laps != t->laps)
			return t->laps - s->laps;
		if (s->total != t->total)
			return s->total < t->total ? -1 : 1;
	} else if (s->best != t->best)
		return s->best < t->best ? -1 : 1;
	return *(const int *)x - *(const int *)y;
}

static void
ac_board(struct ac *a, int order[AC_MAX_SLOTS])
{
	for (int i = 0; i < a->nslots; i++)
		order[i] = i;
	board_of = a;
	qsort(order, (size_t)a->nslots, sizeof(order[0]), ac_board_cmp);
}

/* A lap of car c's driver on its slot: LAP_COMPLETED and the truth. */
static void
ac_lap(struct ac *a, int driver, const struct race_lap *l)
{
	int			 slot = a->slot_of[driver], order[AC_MAX_SLOTS];
	struct ac_slot		*s = &a->slots[slot];
	int			 race = ac_kind(a, a->sess) == RS_RACE;
	uint32_t		 ms = (uint32_t)lround(l->took * 1000.0);
	unsigned		 cuts = l->time < 0 && !l->pit ? 1 + (unsigned)(ac_rnd64(a) % 3) : 0;
	struct buf		 b = { 0 }, *t;

	s->laps++;
	s->total += l->took;
	if (cuts == 0 && ms < s->best)
		s->best = ms;
	if (cuts == 0 && ms < a->truth[a->sess].best[driver])
		a->truth[a->sess].best[driver] = ms;
	s->finished = race && a->r->cars[a->drivers[driver].car].flag;
	ac_board(a, order);
	put_u8(&b, ACSP_LAP_COMPLETED);
	put_u8(&b, (unsigned)slot);
	put_u32(&b, ms);
	put_u8(&b, cuts);
	put_u8(&b, (unsigned)a->nslots);
	for (int i = 0; i < a->nslots; i++) {
		const struct ac_slot *r = &a->slots[order[i]];
		put_u8(&b, (unsigned)order[i]);
		if (race)
			put_u32(&b, (uint32_t)lround(r->total * 1000.0));
		else
			put_u32(&b, r->laps > 0 ? r->best : AC_NO_TIME);
		put_u16(&b, (unsigned)r->laps);
		put_u8(&b, (unsigned)r->finished);
	}
	put_f32(&b, fmin(1.0, 0.96 + 0.0005 * race_et(a->r) / 60.0));
	ac_send(a, &b);
	buf_free(&b);
	t = &a->truth[a->sess].laps;
	buf_puts(t, t->len ? ",{" : "{");
	truth_str(t, "guid", a->drivers[driver].guid);
	buf_putc(t, ',');
	truth_str(t, "name", a->drivers[driver].name);
	buf_printf(t, ",\"slot\":%d,\"lap\":%d,\"time_ms\":%u,\"cuts\":%u}", slot, s->laps, ms, cuts);
}

/* Where car c is, its velocity and speed. */
static double
ac_where(const struct ac *a, const struct race_car *c, struct race_pt *p, double v[3])
{
	double	 dx, dz, speed;
	int	 parked = c->finished || c->dnf || c->pit == PIT_STOPPED || c->in_garage ||
		    race_et(a->r) < a->r->green_at || a->r->state != RST_RUNNING;

	race_where(a->r, c->dist, p, &dx, &dz);
	speed = parked ? 0.0 : a->r->len / c->lap_t * (0.85 + 0.3 * sin(c->dist / 180.0));
	v[0] = speed * dx;
	v[1] = 0;
	v[2] = speed * dz;
	return speed;
}

static void
ac_car_updates(struct ac *a)
{
	for (int i = 0; i < a->nslots; i++) {
		const struct ac_slot	*s = &a->slots[i];
		const struct race_car	*c;
		struct race_pt		 p;
		struct buf		 b = { 0 };
		double			 v[3], speed;
		unsigned		 gear;

		if (s->driver < 0 || !s->loaded)
			continue;
		c = &a->r->cars[a->drivers[s->driver].car];
		speed = ac_where(a, c, &p, v);
		gear = speed < 1 ? 0 : 1 + (unsigned)fmin(5, speed / 14.0);
		put_u8(&b, ACSP_CAR_UPDATE);
		put_u8(&b, (unsigned)i);
		put_f32(&b, p.x);
		put_f32(&b, p.y);
		put_f32(&b, p.z);
		put_f32(&b, v[0]);
		put_f32(&b, v[1]);
		put_f32(&b, v[2]);
		put_u8(&b, gear);
		put_u16(&b, speed < 1 ? 900 : 4000 + (unsigned)fmod(speed * 97.0, 4000.0));
		put_f32(&b, fmod(c->dist, a->r->len) / a->r->len);
		ac_send(a, &b);
		buf_free(&b);
	}
}

/* A collision of a moving car with another or with the wall. */
static void
ac_collide(struct ac *a)
{
	int		 cand[AC_MAX_SLOTS], n = 0, slot, other = -1;
	struct race_pt	 p, q;
	double		 v[3], speed, best = 1e18;
	struct buf	 b = { 0 }, *t;

	for (int i = 0; i < a->nslots; i++)
		if (a->slots[i].driver >= 0 && a->slots[i].loaded &&
		    ac_where(a, &a->r->cars[a->drivers[a->slots[i].driver].car], &p, v) > 5)
			cand[n++] = i;
	if (n == 0)
		return;
	slot = cand[ac_rnd64(a) % (unsigned)n];
	speed = ac_where(a, &a->r->cars[a->drivers[a->slots[slot].driver].car], &p, v);
	if (a->collisions % 2 == 0)
		for (int i = 0; i < n; i++) {
			double d;
			if (cand[i] == slot)
				continue;
			ac_where(a, &a->r->cars[a->drivers[a->slots[cand[i]].driver].car], &q, v);
			d = hypot(q.x - p.x, q.z - p.z);
			if (d < best)
				best = d, other = cand[i];
		}
	a->collisions++;
	put_u8(&b, ACSP_CLIENT_EVENT);
	put_u8(&b, other >= 0 ? ACSP_CE_COLLISION_WITH_CAR : ACSP_CE_COLLISION_WITH_ENV);
	put_u8(&b, (unsigned)slot);
	if (other >= 0)
		put_u8(&b, (unsigned)other);
	put_f32(&b, 3.0 + ac_rnd(a) * fmin(60.0, speed * 3.6 / 3.0));
	put_f32(&b, p.x);
	put_f32(&b, p.y);
	put_f32(&b, p.z);
	put_f32(&b, ac_rnd(a) * 2 - 1);
	put_f32(&b, 0.3);
	put_f32(&b, ac_rnd(a) * 4 - 2);
	ac_send(a, &b);
	buf_free(&b);
	t = &a->truth[a->sess].collisions;
	buf_puts(t, t->len ? ",{" : "{");
	truth_str(t, "guid", a->drivers[a->slots[slot].driver].guid);
	if (other >= 0) {
		buf_putc(t, ',');
		truth_str(t, "other", a->drivers[a->slots[other].driver].guid);
	}
	buf_putc(t, '}');
}

/* New chat lines of drivers who are on the server. */
static void
ac_chat(struct ac *a)
{
	const struct race *r = a->r;

	for (; a->chat_seen < r->chat_total; a->chat_seen++) {
		long long		 back = r->chat_total - a->chat_seen;
		const struct race_chat	*c;
		struct buf		 b = { 0 }, *t;
		int			 slot;

		if (back > r->nchat)
			continue;
		c = &r->chat[r->nchat - back];
		if (c->car < 0 || c->car >= a->ndrivers || (slot = a->slot_of[c->car]) < 0)
			continue;
		put_u8(&b, ACSP_CHAT);
		put_u8(&b, (unsigned)slot);
		put_w(&b, c->said);
		ac_send(a, &b);
		buf_free(&b);
		if (a->sess < 0)
			continue;
		t = &a->truth[a->sess].chat;
		buf_puts(t, t->len ? ",{" : "{");
		truth_str(t, "guid", a->drivers[c->car].guid);
		buf_putc(t, ',');
		truth_str(t, "message", c->said);
		buf_putc(t, '}');
	}
}

/* The session is over: END_SESSION with its results file; the race's order. */
static void
ac_end_session(struct ac *a)
{
	struct buf	 b = { 0 }, *t = &a->truth[a->sess].order;
	char		*path = a->truth[a->sess].results;
	time_t		 now = time(NULL);
	struct tm	 tm;
	int		 kind = ac_kind(a, a->sess), order[AC_MAX_SLOTS];

	gmtime_r(&now, &tm);
	snprintf(path, sizeof(a->truth[0].results), "results/%d_%d_%d_%d_%d_%s.json",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    kind == RS_RACE ? "RACE" : kind == RS_QUALIFY ? "QUALIFY" : "PRACTICE");
	put_u8(&b, ACSP_END_SESSION);
	put_w(&b, path);
	ac_send(a, &b);
	buf_free(&b);
	if (kind != RS_RACE)
		return;
	ac_board(a, order);
	for (int i = 0; i < a->nslots; i++) {
		const struct ac_slot *s = &a->slots[order[i]];
		if (s->driver < 0)
			continue;
		buf_puts(t, t->len ? ",\"" : "\"");
		esc_json(t, a->drivers[s->driver].guid, strlen(a->drivers[s->driver].guid));
		buf_putc(t, '"');
	}
}

/* A session begins: NEW_SESSION, the leaderboard empties. */
static void
ac_new_session(struct ac *a)
{
	a->sess = a->r->cur;
	a->truth[a->sess].begun = 1;
	for (int i = 0; i < a->ndrivers; i++)
		a->truth[a->sess].best[i] = AC_NO_TIME;
	for (int i = 0; i < a->nslots; i++) {
		slot_reset(&a->slots[i]);
		if (a->slots[i].driver >= 0)
			truth_driver(a, a->slots[i].driver);
	}
	for (int i = 0; i < a->ndrivers; i++)
		a->seen[i] = 0;
	ac_session_info(a, ACSP_NEW_SESSION, a->sess, a->sess);
	a->next_collide = race_et(a->r) + AC_COLLIDE * (0.5 + ac_rnd(a));
}

/* Writes a file durably where path says. Returns 1, or -1 with errno. */
static int
write_path(const char *path, const void *p, size_t n)
{
	char	 dir[4096], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return file_write_durable(".", path, p, n) < 0 ? -1 : 1;
	*slash = '\0';
	return file_write_durable(dir, slash + 1, p, n) < 0 ? -1 : 1;
}

/* Writes what was simulated (--truth). Returns 1, or -1 with errno. */
static int
ac_truth_write(struct ac *a)
{
	struct buf	 b = { 0 };
	int		 rc;

	buf_puts(&b, "{\"sim\":\"ac\",");
	truth_str(&b, "server", a->server);
	buf_putc(&b, ',');
	truth_str(&b, "track", a->track);
	buf_putc(&b, ',');
	truth_str(&b, "config", a->config);
	buf_printf(&b, ",\"flood\":%d,\"slots\":%d,\"sessions\":[", a->flood, a->nslots);
	for (int i = 0, n = 0; i < a->r->nsess; i++) {
		int kind = ac_kind(a, i), first = 1;
		if (!a->truth[i].begun)
			continue;
		buf_printf(&b, "%s{\"index\":%d,\"type\":\"%s\",\"ac_type\":%d,", n++ ? "," : "",
		    i, truth_types[kind], ac_types[kind]);
		truth_str(&b, "name", ac_session_names[kind]);
		buf_putc(&b, ',');
		truth_str(&b, "server", a->server);
		buf_putc(&b, ',');
		truth_str(&b, "track", a->track);
		buf_putc(&b, ',');
		truth_str(&b, "config", a->config);
		buf_putc(&b, ',');
		truth_str(&b, "results", a->truth[i].results);
		buf_printf(&b, ",\"drivers\":[%.*s],\"laps\":[%.*s],\"collisions\":[%.*s],"
		    "\"chat\":[%.*s],\"best\":[", (int)a->truth[i].drivers.len,
		    a->truth[i].drivers.p ? a->truth[i].drivers.p : "", (int)a->truth[i].laps.len,
		    a->truth[i].laps.p ? a->truth[i].laps.p : "", (int)a->truth[i].collisions.len,
		    a->truth[i].collisions.p ? a->truth[i].collisions.p : "",
		    (int)a->truth[i].chat.len, a->truth[i].chat.p ? a->truth[i].chat.p : "");
		/* best laps in order, by driver */
		for (;;) {
			int who = -1;
			for (int d = 0; d < a->ndrivers; d++)
				if (a->truth[i].best[d] != AC_NO_TIME && (who < 0 ||
				    a->truth[i].best[d] < a->truth[i].best[who]))
					who = d;
			if (who < 0)
				break;
			buf_puts(&b, first ? "{" : ",{");
			first = 0;
			truth_str(&b, "guid", a->drivers[who].guid);
			buf_printf(&b, ",\"time_ms\":%u}", a->truth[i].best[who]);
			a->truth[i].best[who] = AC_NO_TIME;
		}
		buf_printf(&b, "],\"order\":[%.*s]}", (int)a->truth[i].order.len,
		    a->truth[i].order.p ? a->truth[i].order.p : "");
	}
	buf_puts(&b, "]}\n");
	rc = write_path(a->o.truth, b.p, b.len);
	buf_free(&b);
	return rc;
}

/*
 * A request of the plugin (spec/ac-udp.md 1.4): answered, or ignored with a
 * line on stderr once per kind when it is short, unknown or not simulated.
 */
void
sim_ac_request(struct ac *a, const unsigned char *p, size_t n)
{
	static int	 warned[256];
	char		 msg[96];

	if (n == 0)
		return;
	switch (p[0]) {
	case ACSP_REALTIMEPOS_INTERVAL:
		if (n < 3)
			break;
		a->interval_ms = (unsigned)(p[1] | p[2] << 8);
		a->next_update = time_mono() + a->interval_ms / 1000.0;
		return;
	case ACSP_GET_CAR_INFO:
		if (n < 2)
			break;
		if (p[1] >= a->nslots) {
			snprintf(msg, sizeof(msg), "ACSP_GET_CAR_INFO index %u out of bound", p[1]);
			ac_error(a, msg);
		} else
			ac_car_info(a, p[1]);
		return;
	case ACSP_GET_SESSION_INFO: {
		int16_t i;
		if (n < 3)
			break;
		i = (int16_t)(uint16_t)(p[1] | p[2] << 8);
		if (i == -1 && a->sess >= 0)
			ac_session_info(a, ACSP_SESSION_INFO, a->sess, a->sess);
		else if (i >= 0 && i < a->r->nsess)
			ac_session_info(a, ACSP_SESSION_INFO, i, a->sess >= 0 ? a->sess : 0);
		else {
			snprintf(msg, sizeof(msg), "ACSP_GET_SESSION_INFO index %d out of bound", i);
			ac_error(a, msg);
		}
		return;
	}
	case ACSP_VERSION:
		ac_version(a);
		return;
	case ACSP_SEND_CHAT: case ACSP_BROADCAST_CHAT: case ACSP_KICK_USER:
	case ACSP_NEXT_SESSION: case ACSP_RESTART_SESSION: case ACSP_ADMIN_COMMAND:
		if (!warned[p[0]]++)
			fprintf(stderr, "trackside-fakegame: request %u not simulated (ignored)\n",
			    p[0]);
		return;
	default:
		if (!warned[p[0]]++)
			fprintf(stderr, "trackside-fakegame: unknown request %u (ignored)\n", p[0]);
		return;
	}
	if (!warned[p[0]]++)
		fprintf(stderr, "trackside-fakegame: request %u of %zu bytes is too short\n", p[0], n);
}

/* What happened in one step of the race, in AC's messages. */
static void
ac_after_step(struct ac *a)
{
	struct race	*r = a->r;
	int		 was = a->last_state;

	a->last_state = r->state;
	if (r->cur < 0) {
		/* the empty server loops its sessions */
		if (a->flood < AC_FLOOD && r->t >= 0.5 + 0.7 * a->flood) {
			int i = a->flood % r->nsess;
			a->sess = i;
			ac_session_info(a, ACSP_NEW_SESSION, i, i);
			a->flood++;
		}
		return;
	}
	if (r->state == RST_RUNNING && (was != RST_RUNNING || a->sess != r->cur))
		ac_new_session(a);
	if (r->state == RST_RUNNING || r->state == RST_RESULTS) {
		double et = race_et(r);
		/* what a short session left undone happens as the next begins */
		for (int i = 0; i < a->nplan; i++)
			if (!a->plan[i].done && (a->plan[i].sess < a->sess ||
			    (a->plan[i].sess == a->sess && a->plan[i].at <= et)))
				ac_act(a, &a->plan[i]);
	}
	for (int d = 0; d < a->ndrivers; d++) {
		const struct race_car *c = &r->cars[a->drivers[d].car];
		for (; a->seen[d] < c->nlaplog; a->seen[d]++)
			if (a->slot_of[d] >= 0 && r->state != RST_LOADING)
				ac_lap(a, d, &c->laplog[a->seen[d]]);
	}
	ac_chat(a);
	if (r->state == RST_RUNNING && race_et(r) >= a->next_collide) {
		ac_collide(a);
		a->next_collide = race_et(r) + AC_COLLIDE * (0.5 + ac_rnd(a));
	}
	if (was == RST_RUNNING && r->state == RST_RESULTS)
		ac_end_session(a);
	if (r->state == RST_DONE && !a->done) {
		a->done = 1;
		for (int i = 0; i < a->nslots; i++)
			if (a->slots[i].driver >= 0) {
				ac_connection(a, ACSP_CONNECTION_CLOSED, a->slots[i].driver, i);
				a->slot_of[a->slots[i].driver] = -1;
				a->slots[i].driver = -1;
			}
		if (a->o.truth && ac_truth_write(a) < 0)
			fprintf(stderr, "trackside-fakegame: %s: %s\n", a->o.truth, strerror(errno));
	}
}

/* Names, GUIDs and cars of the drivers: one per race car. */
static void
ac_drivers(struct ac *a)
{
	for (int i = 0; i < a->r->ncars; i++) {
		const struct race_car	*c = &a->r->cars[i];
		struct ac_driver	*d = &a->drivers[i];
		const char		*m = race_klasses[c->klass].models[c->make];
		size_t			 k = 0;

		d->car = i;
		snprintf(d->name, sizeof(d->name), "%s", c->drivers[0]);
		if (i == 2)
			snprintf(d->guid, sizeof(d->guid), "0");	/* a real server's quirk */
		else
			snprintf(d->guid, sizeof(d->guid), "%lld", c->steam_id);
		k = (size_t)snprintf(d->model, sizeof(d->model), "ks_");
		for (; *m && k + 1 < sizeof(d->model); m++)
			if ((*m >= 'a' && *m <= 'z') || (*m >= '0' && *m <= '9'))
				d->model[k++] = *m;
			else if (*m >= 'A' && *m <= 'Z')
				d->model[k++] = (char)(*m - 'A' + 'a');
			else if (k > 0 && d->model[k - 1] != '_')
				d->model[k++] = '_';
		d->model[k] = '\0';
		snprintf(d->skin, sizeof(d->skin), "%s_livery", c->number);
	}
	a->ndrivers = a->r->ncars;
}

/*
 * A server over a new weekend, without a socket yet. Returns 1 with *out
 * (sim_ac_free() releases it), 0 with a message in err for bad options, -1
 * when memory runs out.
 */
int
sim_ac_new(struct ac **out, const struct sim_ac_opts *o, struct buf *err)
{
	struct ac	*a;
	int		 rc;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return -1;
	a->o = *o;
	a->fd = -1;
	a->sess = -1;
	a->last_state = RST_LOADING;
	a->rng = 0x2545F4914F6CDD1DULL ^ ((uint64_t)o->race.seed * 0x9E3779B97F4A7C15ULL);
	if (a->rng == 0)
		a->rng = 1;
	if ((rc = race_new(&a->r, &o->race, err)) <= 0) {
		free(a);
		return rc;
	}
	ac_drivers(a);
	a->nslots = a->ndrivers + 1;
	for (int i = 0; i < a->nslots; i++) {
		a->slots[i].driver = -1;
		/* the entry list's car for an empty slot: its neighbour's */
		memcpy(a->slots[i].model, a->drivers[i < a->ndrivers ? i : a->ndrivers - 1].model,
		    sizeof(a->slots[i].model));
		memcpy(a->slots[i].skin, a->drivers[i < a->ndrivers ? i : a->ndrivers - 1].skin,
		    sizeof(a->slots[i].skin));
		slot_reset(&a->slots[i]);
	}
	ac_plan_weekend(a);
	snprintf(a->server, sizeof(a->server), "Trackside AC Sim \u00b7 Z\u00fcrich");
	snprintf(a->track, sizeof(a->track), "ks_trackside_park_%u", o->race.seed % 100);
	snprintf(a->config, sizeof(a->config), "gp");
	*out = a;
	return 1;
}

void
sim_ac_free(struct ac *a)
{
	if (a == NULL)
		return;
	if (a->fd >= 0)
		close(a->fd);
	for (int i = 0; i < RS__MAX; i++) {
		buf_free(&a->truth[i].drivers);
		buf_free(&a->truth[i].laps);
		buf_free(&a->truth[i].collisions);
		buf_free(&a->truth[i].chat);
		buf_free(&a->truth[i].order);
	}
	race_free(a->r);
	free(a);
}

/* Plays the weekend up to t game seconds since it began (never backwards). */
void
sim_ac_advance(struct ac *a, double t)
{
	while (a->r->t + RACE_DT <= t) {
		race_step(a->r);
		ac_after_step(a);
	}
}

/*
 * Plays the weekend to the plugin until *quit, answering its requests.
 * Returns 0, or 1 after a message on stderr.
 */
int
sim_ac_run(const struct sim_ac_opts *o, volatile sig_atomic_t *quit)
{
	struct ac		*a = NULL;
	struct buf		 err = { 0 };
	struct sockaddr_in	 sa;
	socklen_t		 salen = sizeof(sa);
	char			 line[16];
	int			 status = 1;

	if (sim_ac_new(&a, o, &err) <= 0) {
		fprintf(stderr, "trackside-fakegame: %s\n", err.p ? err.p : "out of memory");
		goto out;
	}
	if ((a->fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(a->fd, (const struct sockaddr *)&o->listen, sizeof(o->listen)) < 0 ||
	    getsockname(a->fd, (struct sockaddr *)&sa, &salen) < 0) {
		fprintf(stderr, "trackside-fakegame: cannot listen on UDP port %u: %s\n",
		    ntohs(o->listen.sin_port), strerror(errno));
		goto out;
	}
	printf("trackside-fakegame: Assetto Corsa server, requests on UDP 127.0.0.1:%u, "
	    "events to %s:%u\n", ntohs(sa.sin_port), inet_ntoa(o->plugin.sin_addr),
	    ntohs(o->plugin.sin_port));
	fflush(stdout);
	snprintf(line, sizeof(line), "%u\n", ntohs(sa.sin_port));
	if (o->portfile && write_path(o->portfile, line, strlen(line)) < 0) {
		fprintf(stderr, "trackside-fakegame: %s: %s\n", o->portfile, strerror(errno));
		goto out;
	}
	a->start = time_mono();
	ac_version(a);
	while (!*quit) {
		struct pollfd	 pfd = { a->fd, POLLIN, 0 };
		unsigned char	 dg[2048];
		double		 now = time_mono(), t = (now - a->start) * o->speed, wait;
		ssize_t		 n;
		int		 was_done = a->done;

		sim_ac_advance(a, t);
		if (a->done && !was_done) {
			printf("trackside-fakegame: the weekend is over\n");
			fflush(stdout);
		}
		if (a->interval_ms > 0 && now >= a->next_update) {
			ac_car_updates(a);
			a->next_update = fmax(a->next_update + a->interval_ms / 1000.0, now);
		}
		wait = (a->r->t + RACE_DT - t) / o->speed;
		if (a->interval_ms > 0 && a->next_update - now < wait)
			wait = a->next_update - now;
		if (poll(&pfd, 1, (int)fmin(100, fmax(0, ceil(wait * 1000)))) > 0 &&
		    (n = recv(a->fd, dg, sizeof(dg), 0)) > 0)
			sim_ac_request(a, dg, (size_t)n);
	}
	status = 0;
out:
	buf_free(&err);
	sim_ac_free(a);
	return status;
}
