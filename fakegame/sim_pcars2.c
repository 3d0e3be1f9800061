/*
 * Automobilista 2 / Project CARS 2 (spec/pcars2.md) over the simulated
 * weekend of race.c: the "Project CARS 2" UDP packets as the game sends
 * them, early or later revision, and the `$pcars2$` shared-memory block.
 *
 * Each tick of wall time a player's game sends a timings packet and a
 * telemetry packet of the car it views; time stats whenever a value of them
 * changes (sector and line crossings); game state every 10 s in a session,
 * every 5 s in the menus and on every change; the race definition, the
 * participants and the vehicle names (16 a packet, partial-indexed, the
 * class names last) right after entering a session and again on a roster
 * change (a driver swap renames a participant), ever less often (1, 2, 4 ...
 * at most 30 s apart). Between sessions the game sits in its menus and says
 * only its game state. Participant indexes are stable within a session and
 * shuffled between sessions, as the game assigns them on loading.
 *
 * Sectors are numbered from 0 (the lap's first sector) in the timings and
 * in the block. Times are seconds, -1 for none. A lap's time in time stats
 * is what it took, an invalidated one too (its lap-invalidated bit was set
 * in the timings while it was driven). The block's mCurrentSectorNTimes
 * are the sectors of the lap in progress; after the line they hold the
 * finished lap's three until its successor's first sector is done.
 * Partial indexes count from 0; the vehicle packets' count includes the
 * class packet, which carries the count as its index too (as the game's
 * do). The players' cars are human; a requested stop shows as pit schedule
 * 1 until the car enters the lane.
 *
 * What was simulated is written as JSON (--truth): per session every
 * participant (index and name), every lap with its driver, time and
 * sectors, pit stops, driver swaps, best laps and the final order. A
 * participant is "key" = "index:driver" and its car "car_key" = "index:the
 * participant's name when the session began" (kept through swaps; the
 * final order lists car keys). A stop's "lap" is the laps completed when
 * the car stopped (it stops at the start of the next).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_pcars2.h"

#define P2SIM_BUILD		1240	/* mBuildVersionNumber */
#define P2SIM_ROSTER_MAX	30.0	/* s between repeats of the roster, at most */
#define P2SIM_GAME_RACE		10.0	/* s between game states in a session */
#define P2SIM_GAME_MENU		5.0	/* ... and in the menus */
#define P2SIM_VARIATION		"Grand Prix"

static const char *const truth_types[RS__MAX] = { "practice", "qualifying", "race" };
static const unsigned p2_sessions[RS__MAX] = { P2S_PRACTICE, P2S_QUALIFY, P2S_RACE };
static const char *const compounds[3] = { "Soft", "Medium", "Hard" };
static const char *const race_state_names[] = { "invalid", "not_started", "racing",
	"finished", "dsq", "retired", "dnf" };

/* A race car as a participant of the current session. */
struct p2car {
	int		 idx;		/* participant index */
	char		 name[P2_NAME + 1];	/* the driver announced */
	double		 split[2];	/* planned splits of the lap in progress */
	int		 seen;		/* laps of the laplog handled */
	int		 done[2];	/* sectors of the lap in progress done */
	double		 sec[3];	/* sector times of the lap in progress, -1 */
	struct p2_stat	 st;		/* its time stats row */
	unsigned	 mode;		/* pit mode as sent */
	int		 stopping;	/* a stop under way */
	double		 stop_at;	/* ET it began */
	int		 stop_lap;
	char		 stop_name[P2_NAME + 1];
};

struct p2view {
	int		 slot;		/* race.c's car the player drives */
	uint32_t	 packet;	/* mPacketNumber */
	uint32_t	 category[P2_TYPE__MAX];
};

struct p2truth {
	struct buf	 drivers, laps, pits, swaps, order, results;
	int		 begun;
	int		 idx[RACE_MAX_CARS];	/* participant index by race car */
	char		 first[RACE_MAX_CARS][P2_NAME + 1];	/* its name at the start */
	double		 best[RACE_MAX_CARS];	/* by race car, valid laps */
	char		 best_name[RACE_MAX_CARS][P2_NAME + 1];
};

struct p2sim {
	struct p2sim_opts o;
	struct race	*r;
	struct p2car	 cars[RACE_MAX_CARS];
	int		 car_of[RACE_MAX_CARS];	/* participant index -> race car */
	int		 n;			/* participants */
	struct p2view	 views[P2SIM_MAX_VIEWS];
	int		 sess;		/* session handled, -1 before the first */
	int		 last_state;	/* race.c's state after the last step */
	long long	 ticks;
	/* what was last sent */
	unsigned	 game, session;
	long long	 next_game;	/* tick of the next game state */
	long long	 next_roster;	/* tick of the next roster set, -1 none */
	double		 roster_gap;	/* s to the one after */
	uint32_t	 changed;	/* sParticipantsChangedTimestamp */
	struct p2_stat	 sent[P2_UDP_CARS];
	int		 stats_due;
	struct p2truth	 truth[RS__MAX];
	int		 done;		/* the weekend is over (truth written) */
};

static int
p2_kind_now(const struct p2sim *p)
{
	return race_kind(p->r);
}

/* Whether race car i is a player's. */
static int
p2_human(const struct p2sim *p, int i)
{
	for (int v = 0; v < p->o.views; v++)
		if (p->views[v].slot == i)
			return 1;
	return 0;
}

/* The pit mode of a car, in the game's words. */
static unsigned
p2_mode(const struct race_car *c)
{
	if (c->finished || c->dnf)
		return c->in_garage ? P2P_IN_GARAGE : P2P_NONE;
	switch (c->pit) {
	case PIT_ENTERING:
		return P2P_INTO_PITS;
	case PIT_STOPPED:
		return c->in_garage ? P2P_IN_GARAGE : P2P_IN_PIT;
	case PIT_EXITING:
		return c->garage ? P2P_OUT_OF_GARAGE : P2P_OUT_OF_PITS;
	default:
		break;
	}
	if (c->in_garage)
		return P2P_IN_GARAGE;
	/* race.c's blip to NONE in the middle of a driver swap is LMU's */
	if (c->out_lap && !c->initial && !c->released && c->stop_len > 0)
		return c->garage ? P2P_IN_GARAGE : P2P_IN_PIT;
	return P2P_NONE;
}

static unsigned
p2_race_state(const struct p2sim *p, const struct race_car *c)
{
	if (c->dnf)
		return P2R_RETIRED;
	if (c->flag)
		return P2R_FINISHED;
	if (c->finished)
		return P2R_DNF;
	if (p2_kind_now(p) == RS_RACE && race_et(p->r) < p->r->green_at)
		return P2R_NOT_STARTED;	/* on the grid until the green flag */
	return P2R_RACING;
}

/* The sector a car is in, from 0. */
static unsigned
p2_sector(const struct race_car *c)
{
	return c->cur[0] < 0 ? 0 : c->cur[1] < 0 ? 1 : 2;
}

static void
truth_str(struct buf *b, const char *key, const char *val)
{
	buf_printf(b, "\"%s\":\"", key);
	esc_json(b, val, strlen(val));
	buf_putc(b, '"');
}

/*
 * "index":I,"name":N,"key":"I:N","car_key":"I:F": the participant, the
 * driver's name, and F the participant's name when the session began (a
 * car keeps it through driver swaps).
 */
static void
truth_who(struct buf *b, int idx, const char *name, const char *first)
{
	char key[P2_NAME + 16];

	snprintf(key, sizeof(key), "%d:%s", idx, name);
	buf_printf(b, "\"index\":%d,", idx);
	truth_str(b, "name", name);
	buf_putc(b, ',');
	truth_str(b, "key", key);
	snprintf(key, sizeof(key), "%d:%s", idx, first);
	buf_putc(b, ',');
	truth_str(b, "car_key", key);
}

/* A time in ms as the game sends it (f32 seconds), -1 for none. */
static long
ms(double s)
{
	return s < 0 ? -1 : lround((double)(float)s * 1000.0);
}

/* A participant (index, driver) of the session, once each. */
static void
truth_driver(struct p2sim *p, int i)
{
	const struct race_car	*c = &p->r->cars[i];
	struct buf		*b = &p->truth[p->sess].drivers;

	buf_puts(b, b->len ? ",{" : "{");
	truth_who(b, p->cars[i].idx, p->cars[i].name, p->truth[p->sess].first[i]);
	buf_printf(b, ",\"slot\":%d,", i);
	truth_str(b, "car", c->veh_name);
	buf_putc(b, ',');
	truth_str(b, "class", race_klasses[c->klass].name);
	buf_printf(b, ",\"human\":%s}", p2_human(p, i) ? "true" : "false");
}

/* The roster is new: the set goes out now, then ever less often. */
static void
roster_changed(struct p2sim *p)
{
	p->changed = (uint32_t)p->ticks + 1;
	p->next_roster = p->ticks;
	p->roster_gap = 1.0;
}

/* A session begins: participant indexes, its rows, its truth. */
static void
p2_session_start(struct p2sim *p)
{
	struct race	*r = p->r;
	int		 off;

	p->sess = r->cur;
	p->n = r->ncars;
	off = p->n > 1 ? (p->sess * 5) % p->n : 0;
	p->truth[p->sess].begun = 1;
	for (int i = 0; i < p->n; i++) {
		struct p2car *pc = &p->cars[i];
		memset(pc, 0, sizeof(*pc));
		pc->idx = (i + off) % p->n;
		p->car_of[pc->idx] = i;
		snprintf(pc->name, sizeof(pc->name), "%s", r->cars[i].drivers[r->cars[i].driver]);
		pc->split[0] = r->cars[i].split[0];
		pc->split[1] = r->cars[i].split[1];
		pc->sec[0] = pc->sec[1] = pc->sec[2] = -1;
		pc->st.fastest = pc->st.last = pc->st.last_sector = -1;
		pc->st.fastest_s[0] = pc->st.fastest_s[1] = pc->st.fastest_s[2] = -1;
		pc->st.mp_index = pc->idx;
		pc->mode = p2_mode(&r->cars[i]);
		p->truth[p->sess].best[i] = -1;
		p->truth[p->sess].idx[i] = pc->idx;
		memcpy(p->truth[p->sess].first[i], pc->name, sizeof(pc->name));
	}
	for (int idx = 0; idx < p->n; idx++)
		truth_driver(p, p->car_of[idx]);
	roster_changed(p);
	p->stats_due = 1;
}

/* A lap of race car i is done. */
static void
p2_lap(struct p2sim *p, int i, const struct race_lap *l)
{
	struct p2car	*pc = &p->cars[i];
	struct p2truth	*t = &p->truth[p->sess];
	const char	*who = p->r->cars[i].drivers[l->driver];
	double		 s1 = l->s1, s2 = pc->split[1] - l->s1, s3 = l->took - pc->split[1];
	int		 valid = l->time >= 0;

	pc->sec[0] = s1;
	pc->sec[1] = s2;
	pc->sec[2] = s3;
	pc->st.last = l->took;
	pc->st.last_sector = s3;
	if (valid) {
		if (pc->st.fastest < 0 || l->took < pc->st.fastest)
			pc->st.fastest = l->took;
		if (pc->st.fastest_s[2] < 0 || s3 < pc->st.fastest_s[2])
			pc->st.fastest_s[2] = s3;
		if (t->best[i] < 0 || l->took < t->best[i]) {
			t->best[i] = l->took;
			snprintf(t->best_name[i], sizeof(t->best_name[i]), "%s", who);
		}
	}
	buf_puts(&t->laps, t->laps.len ? ",{" : "{");
	truth_who(&t->laps, pc->idx, who, t->first[i]);
	buf_printf(&t->laps, ",\"lap\":%d,\"time_ms\":%ld,\"sectors_ms\":[%ld,%ld,%ld],"
	    "\"valid\":%s,\"pit\":%s,\"position\":%d}", pc->seen + 1, ms(l->took), ms(s1), ms(s2),
	    ms(s3), valid ? "true" : "false", l->pit ? "true" : "false", l->position);
	pc->done[0] = pc->done[1] = 0;
	p->stats_due = 1;
}

/* What one step of race.c did to car i, in the game's terms. */
static void
p2_car_step(struct p2sim *p, int i)
{
	struct race_car	*c = &p->r->cars[i];
	struct p2car	*pc = &p->cars[i];
	struct p2truth	*t = &p->truth[p->sess];
	const char	*name = c->drivers[c->driver];
	double		 et = race_et(p->r);
	unsigned	 mode;

	for (; pc->seen < c->nlaplog; pc->seen++)
		p2_lap(p, i, &c->laplog[pc->seen]);
	if (!c->finished && !c->dnf)
		for (int k = 0; k < 2; k++) {
			double s;
			if (pc->done[k] || c->cur[k] < 0)
				continue;
			pc->done[k] = 1;
			s = k == 0 ? c->cur[0] : c->cur[1] - c->cur[0];
			if (k == 0)
				pc->sec[1] = pc->sec[2] = -1;
			pc->sec[k] = s;
			pc->st.last_sector = s;
			if (c->valid && (pc->st.fastest_s[k] < 0 || s < pc->st.fastest_s[k]))
				pc->st.fastest_s[k] = s;
			p->stats_due = 1;
		}
	pc->split[0] = c->split[0];
	pc->split[1] = c->split[1];
	/* a driver swap renames the participant */
	if (strcmp(name, pc->name) != 0) {
		buf_puts(&t->swaps, t->swaps.len ? ",{" : "{");
		buf_printf(&t->swaps, "\"index\":%d,\"lap\":%d,", pc->idx, c->laps);
		truth_str(&t->swaps, "from", pc->name);
		buf_putc(&t->swaps, ',');
		truth_str(&t->swaps, "to", name);
		buf_putc(&t->swaps, '}');
		snprintf(pc->name, sizeof(pc->name), "%s", name);
		truth_driver(p, i);
		roster_changed(p);
	}
	/* stops: into the box or the garage, and out again */
	mode = p2_mode(c);
	if (mode != pc->mode) {
		int in = mode == P2P_IN_PIT || mode == P2P_IN_GARAGE;
		if (in && !pc->stopping && !c->initial) {
			pc->stopping = 1;
			pc->stop_at = et;
			pc->stop_lap = c->laps;
			snprintf(pc->stop_name, sizeof(pc->stop_name), "%s", pc->name);
		} else if (!in && pc->stopping) {
			pc->stopping = 0;
			buf_puts(&t->pits, t->pits.len ? ",{" : "{");
			truth_who(&t->pits, pc->idx, pc->stop_name, t->first[i]);
			buf_printf(&t->pits, ",\"lap\":%d,\"stop_ms\":%ld,\"garage\":%s,", pc->stop_lap,
			    ms(et - pc->stop_at), pc->mode == P2P_IN_GARAGE ? "true" : "false");
			truth_str(&t->pits, "driver_out", pc->name);
			buf_puts(&t->pits, "}");
		}
		pc->mode = mode;
	}
}

/* The session is over: its final order. */
static void
p2_session_end(struct p2sim *p)
{
	struct p2truth	*t = &p->truth[p->sess];

	for (int pos = 1; pos <= p->n; pos++)
		for (int i = 0; i < p->n; i++) {
			const struct race_car *c = &p->r->cars[i];
			if (c->position != pos)
				continue;
			buf_puts(&t->order, t->order.len ? "," : "");
			buf_printf(&t->order, "\"%d:", p->cars[i].idx);
			esc_json(&t->order, t->first[i], strlen(t->first[i]));
			buf_putc(&t->order, '"');
			buf_puts(&t->results, t->results.len ? ",{" : "{");
			truth_who(&t->results, p->cars[i].idx, p->cars[i].name, t->first[i]);
			buf_printf(&t->results, ",\"position\":%d,\"laps\":%d,\"state\":\"%s\"}", pos,
			    c->laps, race_state_names[p2_race_state(p, c)]);
		}
}

/* Writes a file durably where path says. Returns 1, or -1 with errno. */
static int
write_path(const char *path, const void *q, size_t n)
{
	char	 dir[4096], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL && (slash = strrchr(dir, '\\')) == NULL)
		return file_write_durable(".", path, q, n) < 0 ? -1 : 1;
	*slash = '\0';
	return file_write_durable(dir, slash + 1, q, n) < 0 ? -1 : 1;
}

#define FRAG(b)	(int)(b).len, (b).p ? (b).p : ""

/* Writes what was simulated (--truth). Returns 1, or -1 with errno. */
static int
p2_truth_write(struct p2sim *p)
{
	struct race	*r = p->r;
	struct buf	 b = { 0 };
	int		 rc;

	buf_printf(&b, "{\"sim\":\"pcars2\",\"rev\":\"%s\",\"transport\":\"%s\",",
	    p->o.rev == P2_EARLY ? "early" : "later", p->o.shm ? "shm" : "udp");
	truth_str(&b, "track", r->track);
	buf_putc(&b, ',');
	truth_str(&b, "variation", P2SIM_VARIATION);
	buf_printf(&b, ",\"track_m\":%.1f,\"views\":[", r->len);
	for (int v = 0; v < p->o.views; v++)
		buf_printf(&b, "%s%d", v ? "," : "", p->views[v].slot);
	buf_puts(&b, "],\"sessions\":[");
	for (int s = 0, n = 0; s < r->nsess; s++) {
		struct p2truth	*t = &p->truth[s];
		int		 kind = r->sessions[s], first = 1;
		double		 done[RACE_MAX_CARS];

		if (!t->begun)
			continue;
		buf_printf(&b, "%s{\"index\":%d,\"type\":\"%s\",\"session_state\":%u,"
		    "\"minutes\":%g,", n++ ? "," : "", s, truth_types[kind], p2_sessions[kind],
		    r->o.minutes[kind]);
		truth_str(&b, "track", r->track);
		buf_putc(&b, ',');
		truth_str(&b, "variation", P2SIM_VARIATION);
		buf_printf(&b, ",\"drivers\":[%.*s],\"laps\":[%.*s],\"pits\":[%.*s],"
		    "\"swaps\":[%.*s],\"best\":[", FRAG(t->drivers), FRAG(t->laps), FRAG(t->pits),
		    FRAG(t->swaps));
		/* best laps in order, by race car (and the driver who set it) */
		memcpy(done, t->best, sizeof(done));
		for (;;) {
			int who = -1;
			for (int i = 0; i < r->ncars; i++)
				if (done[i] >= 0 && (who < 0 || done[i] < done[who]))
					who = i;
			if (who < 0)
				break;
			buf_puts(&b, first ? "{" : ",{");
			first = 0;
			truth_who(&b, t->idx[who], t->best_name[who], t->first[who]);
			buf_printf(&b, ",\"slot\":%d,\"time_ms\":%ld}", who, ms(done[who]));
			done[who] = -1;
		}
		buf_printf(&b, "],\"order\":[%.*s],\"results\":[%.*s]}", FRAG(t->order),
		    FRAG(t->results));
	}
	buf_puts(&b, "]}\n");
	rc = write_path(p->o.truth, b.p, b.len);
	buf_free(&b);
	return rc;
}

/* After each step of race.c. */
static void
p2_after_step(struct p2sim *p)
{
	struct race	*r = p->r;
	int		 was = p->last_state;

	p->last_state = r->state;
	if (r->cur < 0)
		return;
	if (r->state == RST_RUNNING && (was != RST_RUNNING || p->sess != r->cur))
		p2_session_start(p);
	if (p->sess == r->cur && (r->state == RST_RUNNING || (was == RST_RUNNING &&
	    r->state == RST_RESULTS)))
		for (int i = 0; i < p->n; i++)
			p2_car_step(p, i);
	if (was == RST_RUNNING && r->state == RST_RESULTS)
		p2_session_end(p);
	if (r->state == RST_DONE && !p->done) {
		p->done = 1;
		if (p->o.truth && p2_truth_write(p) < 0)
			fprintf(stderr, "trackside-fakegame: %s: %s\n", p->o.truth, strerror(errno));
	}
}

/*
 * A game over a new weekend. Returns 1 with *out (p2sim_free() releases
 * it), 0 with a message in err for bad options, -1 when memory runs out.
 */
int
p2sim_new(struct p2sim **out, const struct p2sim_opts *o, struct buf *err)
{
	struct p2sim	*p;
	int		 rc, max = o->shm ? P2_SHM_CARS : P2_UDP_CARS;

	*out = NULL;
	if (o->views < 1 || o->views > P2SIM_MAX_VIEWS) {
		buf_printf(err, "1 to %d players' games", P2SIM_MAX_VIEWS);
		return 0;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	p->o = *o;
	if (p->o.hz <= 0)
		p->o.hz = 20;
	p->sess = -1;
	p->last_state = RST_LOADING;
	p->next_roster = -1;
	if ((rc = race_new(&p->r, &o->race, err)) <= 0) {
		free(p);
		return rc;
	}
	if (p->r->ncars > max) {
		buf_printf(err, "%s carries at most %d cars, not %d", o->shm ?
		    "shared memory" : "UDP", max, p->r->ncars);
		p2sim_free(p);
		return 0;
	}
	if (o->views > p->r->ncars) {
		buf_printf(err, "%d players' games for %d cars", o->views, p->r->ncars);
		p2sim_free(p);
		return 0;
	}
	/* the players: race.c's two, then cars spread over the field */
	for (int v = 0; v < o->views; v++) {
		int slot = v < 2 ? race_default_player(p->r, v) : (v * p->r->ncars) / o->views;
		for (int tries = 0; tries < p->r->ncars; tries++) {
			int taken = 0;
			for (int w = 0; w < v; w++)
				taken |= p->views[w].slot == slot;
			if (!taken)
				break;
			slot = (slot + 1) % p->r->ncars;
		}
		p->views[v].slot = slot;
	}
	*out = p;
	return 1;
}

void
p2sim_free(struct p2sim *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < RS__MAX; i++) {
		buf_free(&p->truth[i].drivers);
		buf_free(&p->truth[i].laps);
		buf_free(&p->truth[i].pits);
		buf_free(&p->truth[i].swaps);
		buf_free(&p->truth[i].order);
		buf_free(&p->truth[i].results);
	}
	race_free(p->r);
	free(p);
}

/* Plays the weekend up to t game seconds since it began (never backwards). */
void
p2sim_advance(struct p2sim *p, double t)
{
	while (p->r->t + RACE_DT <= t) {
		race_step(p->r);
		p2_after_step(p);
	}
}

int
p2sim_done(const struct p2sim *p)
{
	return p->done;
}

/* The race car view v drives. */
int
p2sim_slot(const struct p2sim *p, int view)
{
	return p->views[view].slot;
}

/* Whether the game is in a session (else its menus). */
static int
p2_in_session(const struct p2sim *p)
{
	return p->sess >= 0 && p->sess == p->r->cur &&
	    (p->r->state == RST_RUNNING || p->r->state == RST_RESULTS);
}

/* Where a car is, where it heads, and how fast it goes. */
static double
p2_where(const struct p2sim *p, const struct race_car *c, struct race_pt *pt, double *yaw)
{
	double	 dx, dz;
	int	 parked = c->finished || c->dnf || c->pit == PIT_STOPPED || c->in_garage ||
		    race_et(p->r) < p->r->green_at || !p2_in_session(p) ||
		    p->r->state != RST_RUNNING;

	race_where(p->r, c->dist, pt, &dx, &dz);
	*yaw = atan2(dx, dz);
	if (parked)
		return 0;
	if (c->pit == PIT_ENTERING || c->pit == PIT_EXITING)
		return 22.0;
	return p->r->len / c->lap_t * (0.85 + 0.3 * sin(c->dist / 180.0));
}

static double
p2_time_remaining(const struct p2sim *p)
{
	if (!p2_in_session(p))
		return -1;
	return fmax(0, race_sess_len(p->r) - race_et(p->r));
}

/* Time into the lap in progress, and into its sector. */
static void
p2_lap_times(const struct p2sim *p, const struct race_car *c, double *lap, double *sector)
{
	double into = race_et(p->r) - c->lap_start;

	if (c->finished || c->dnf || into < 0 || !p2_in_session(p)) {
		*lap = *sector = 0;
		return;
	}
	*lap = into;
	*sector = c->cur[0] < 0 ? into : c->cur[1] < 0 ? into - c->cur[0] : into - c->cur[1];
}

static unsigned
p2_flag(const struct p2sim *p, const struct race_car *c)
{
	if (c->flag || (p->r->flag_out && !c->dnf))
		return P2F_CHEQUERED;
	if (p2_kind_now(p) == RS_RACE && race_et(p->r) < p->r->green_at)
		return P2F_NONE;
	return P2F_GREEN;
}

static unsigned
p2_game_state(const struct p2sim *p, unsigned *session)
{
	if (!p2_in_session(p)) {
		*session = P2S_INVALID;
		return P2G_FRONT_END;
	}
	*session = p2_sessions[p2_kind_now(p)];
	return P2G_PLAYING;
}

/* Encodes and hands a packet of view v to send, its header counted. */
static void
p2_out(struct p2sim *p, int v, struct p2_packet *pk, unsigned version, p2sim_send send,
    void *arg)
{
	static const enum p2_type types[P2K__MAX] = { 0, P2_TELEMETRY, P2_RACE,
		P2_PARTICIPANTS, P2_TIMINGS, P2_GAME, P2_TIME_STATS, P2_PARTICIPANT_VEHICLES,
		P2_PARTICIPANT_VEHICLES };
	unsigned char	 out[P2_MAX_PACKET];
	struct p2view	*w = &p->views[v];
	size_t		 n;

	pk->rev = p->o.rev;
	pk->h.type = types[pk->kind];
	pk->h.version = version;
	pk->h.packet = w->packet++;
	pk->h.category = w->category[pk->h.type]++;
	if ((n = p2_encode(pk, out)) > 0)
		send(arg, v, out, n);
}

static void
p2_send_game(struct p2sim *p, int v, p2sim_send send, void *arg)
{
	struct p2_packet pk;

	memset(&pk, 0, sizeof(pk));
	pk.kind = P2K_GAME;
	pk.h.part_count = 1;
	pk.u.game.build = P2SIM_BUILD;
	pk.u.game.game_state = p2_game_state(p, &pk.u.game.session_state);
	pk.u.game.ambient = 22;
	pk.u.game.track = 31;
	pk.u.game.wind_speed = 3;
	pk.u.game.wind_x = 1;
	pk.u.game.wind_y = -1;
	p2_out(p, v, &pk, 2, send, arg);
}

/* Fastest laps and sectors: the session's (world) and car i's (personal). */
static void
p2_fastest(const struct p2sim *p, double *lap, double s[3])
{
	*lap = s[0] = s[1] = s[2] = -1;
	for (int i = 0; i < p->n; i++) {
		const struct p2_stat *st = &p->cars[i].st;
		if (st->fastest > 0 && (*lap < 0 || st->fastest < *lap))
			*lap = st->fastest;
		for (int k = 0; k < 3; k++)
			if (st->fastest_s[k] > 0 && (s[k] < 0 || st->fastest_s[k] < s[k]))
				s[k] = st->fastest_s[k];
	}
}

static void
p2_send_race(struct p2sim *p, int v, p2sim_send send, void *arg)
{
	struct p2_packet	 pk;
	struct p2_race		*rd = &pk.u.race;
	const struct p2car	*me = &p->cars[p->views[v].slot];
	double			 min = p->r->o.minutes[p2_kind_now(p)];
	unsigned		 units = (unsigned)ceil(min / 5.0 - 1e-9);

	memset(&pk, 0, sizeof(pk));
	pk.kind = P2K_RACE;
	pk.h.part_count = 1;
	p2_fastest(p, &rd->world_fastest, rd->world_s);
	rd->personal_fastest = me->st.fastest;
	for (int k = 0; k < 3; k++)
		rd->personal_s[k] = me->st.fastest_s[k];
	rd->track_length = p->r->len;
	snprintf(rd->location, sizeof(rd->location), "%s", p->r->track);
	snprintf(rd->variation, sizeof(rd->variation), "%s", P2SIM_VARIATION);
	snprintf(rd->tr_location, sizeof(rd->tr_location), "%s", p->r->track);
	snprintf(rd->tr_variation, sizeof(rd->tr_variation), "%s", P2SIM_VARIATION);
	/* sessions are timed, in 5-minute units (a shorter test session: one) */
	if (units < 1)
		units = 1;
	rd->timed = 1;
	rd->laps_time = 0x8000 | units;
	rd->minutes = units * 5;
	rd->laps = 0;
	rd->enforced_pit_lap = -1;
	p2_out(p, v, &pk, 1, send, arg);
}

/* The roster set: participants, vehicles, and the class names last. */
static void
p2_send_roster(struct p2sim *p, int v, p2sim_send send, void *arg)
{
	struct p2_packet pk;
	int		 parts = (p->n + P2_PER_PACKET - 1) / P2_PER_PACKET, nc = 0;

	p2_send_race(p, v, send, arg);
	for (int part = 0; part < parts; part++) {
		memset(&pk, 0, sizeof(pk));
		pk.kind = P2K_PARTICIPANTS;
		pk.h.part_index = (unsigned)part;
		pk.h.part_count = (unsigned)parts;
		pk.u.part.changed = p->changed;
		pk.u.part.has_ext = p->o.rev == P2_LATER;
		for (int k = 0; k < P2_PER_PACKET; k++) {
			int idx = part * P2_PER_PACKET + k;
			if (idx >= p->n)
				break;
			snprintf(pk.u.part.name[k], sizeof(pk.u.part.name[k]), "%s",
			    p->cars[p->car_of[idx]].name);
			pk.u.part.nationality[k] = 0;
			pk.u.part.index[k] = (unsigned)idx;
		}
		p2_out(p, v, &pk, 1, send, arg);
	}
	/* the game's count includes the class packet, which repeats it as its index */
	for (int part = 0; part < parts; part++) {
		memset(&pk, 0, sizeof(pk));
		pk.kind = P2K_VEHICLES;
		pk.h.part_index = (unsigned)part;
		pk.h.part_count = (unsigned)parts + 1;
		for (int k = 0; k < P2_PER_PACKET; k++) {
			int idx = part * P2_PER_PACKET + k;
			const struct race_car *c;
			if (idx >= p->n)
				break;
			c = &p->r->cars[p->car_of[idx]];
			pk.u.veh.v[k].index = (unsigned)idx;
			pk.u.veh.v[k].cls = (uint32_t)c->klass;
			snprintf(pk.u.veh.v[k].name, sizeof(pk.u.veh.v[k].name), "%s", c->veh_name);
		}
		p2_out(p, v, &pk, 2, send, arg);
	}
	memset(&pk, 0, sizeof(pk));
	pk.kind = P2K_CLASSES;
	pk.h.part_index = (unsigned)parts + 1;
	pk.h.part_count = (unsigned)parts + 1;
	/* the classes of the field, by the index the vehicles name */
	for (int k = 0, used; k < RACE_MAX_CARS && nc < P2_CLASSES; k++) {
		used = 0;
		for (int i = 0; i < p->n; i++)
			used |= p->r->cars[i].klass == k;
		if (!used)
			continue;
		pk.u.cls.c[nc].index = (uint32_t)k;
		snprintf(pk.u.cls.c[nc].name, sizeof(pk.u.cls.c[nc].name), "%s",
		    race_klasses[k].name);
		nc++;
	}
	p2_out(p, v, &pk, 2, send, arg);
}

static void
p2_send_timings(struct p2sim *p, int v, p2sim_send send, void *arg)
{
	struct p2_packet	 pk;
	struct p2_timings	*tm = &pk.u.tim;
	int			 me = p->views[v].slot;
	const struct race_car	*mc = &p->r->cars[me];

	memset(&pk, 0, sizeof(pk));
	pk.kind = P2K_TIMINGS;
	pk.h.part_count = 1;
	tm->num = p->n;
	tm->changed = p->changed;
	tm->time_remaining = p2_time_remaining(p);
	tm->split_ahead = mc->position > 1 ? mc->gaps[1][0] : -1;
	tm->split_behind = -1;
	for (int i = 0; i < p->n; i++)
		if (p->r->cars[i].position == mc->position + 1)
			tm->split_behind = p->r->cars[i].gaps[1][0];
	tm->split = tm->split_ahead;
	for (int idx = 0; idx < p->n; idx++) {
		struct p2_timing	*ti = &tm->car[idx];
		int			 i = p->car_of[idx];
		const struct race_car	*c = &p->r->cars[i];
		struct race_pt		 pt;
		double			 yaw;

		p2_where(p, c, &pt, &yaw);
		ti->world[0] = (int)lround(pt.x);
		ti->world[1] = (int)lround(pt.y);
		ti->world[2] = (int)lround(pt.z);
		ti->orientation[1] = (int)lround(yaw / M_PI * 32767.0);
		ti->lap_distance = (unsigned)fmax(0, fmod(c->dist, p->r->len));
		ti->position = (unsigned)c->position;
		ti->active = 1;
		ti->sector = ti->sector_raw = p2_sector(c);
		ti->flag_colour = p2_flag(p, c);
		ti->pit_mode = p2_mode(c);
		ti->pit_schedule = c->pit == PIT_REQUEST ? 1 : 0;
		ti->car_index = (unsigned)i;
		ti->human = p2_human(p, i);
		ti->race_state = p2_race_state(p, c);
		ti->lap_invalid = !c->valid && ti->race_state == P2R_RACING;
		ti->current_lap = (unsigned)(c->laps + 1 > 255 ? 255 : c->laps + 1);
		p2_lap_times(p, c, &ti->current_time, &ti->sector_time);
		ti->mp_index = p->o.rev == P2_LATER ? idx : -1;
	}
	tm->local_index = p->o.rev == P2_LATER ? p->cars[me].idx : -1;
	tm->tick = (uint32_t)p->ticks;
	p2_out(p, v, &pk, 1, send, arg);
}

static void
p2_send_telemetry(struct p2sim *p, int v, p2sim_send send, void *arg)
{
	struct p2_packet	 pk;
	struct p2_telemetry	*te = &pk.u.tel;
	const struct race_car	*c = &p->r->cars[p->views[v].slot];
	struct race_pt		 pt;
	double			 yaw, speed = p2_where(p, c, &pt, &yaw);

	memset(&pk, 0, sizeof(pk));
	pk.kind = P2K_TELEMETRY;
	pk.h.part_count = 1;
	te->viewed = p->cars[p->views[v].slot].idx;
	te->fuel_capacity = 100;
	te->fuel_level = fmax(0, fmin(1, c->fuel));
	te->speed = speed;
	te->odometer_km = (c->laps * p->r->len + fmax(0, fmod(c->dist, p->r->len))) / 1000.0;
	te->gears = 6;
	te->gear = speed <= 0 ? 0 : 1 + (int)fmin(5, speed / 14.0);
	te->max_rpm = 9000;
	te->rpm = speed <= 0 ? 1200 : 4000 + (unsigned)fmod(speed * 97.0, 4800.0);
	for (int w = 0; w < 4; w++) {
		te->tyre_wear[w] = (unsigned)lround(fmin(100, c->wear[w]) * 2.55);
		snprintf(te->compound[w], sizeof(te->compound[w]), "%s",
		    compounds[c->compound >= 0 && c->compound < 3 ? c->compound : 1]);
	}
	if (p->o.rev == P2_LATER) {
		te->has_full = 1;
		te->turbo = 0;
		te->pos[0] = pt.x;
		te->pos[1] = pt.y;
		te->pos[2] = pt.z;
		te->brake_bias = 140;
		te->tick = (uint32_t)p->ticks;
	}
	p2_out(p, v, &pk, 2, send, arg);
}

static void
p2_send_stats(struct p2sim *p, int v, p2sim_send send, void *arg)
{
	struct p2_packet pk;

	memset(&pk, 0, sizeof(pk));
	pk.kind = P2K_TIME_STATS;
	pk.h.part_count = 1;
	pk.u.stats.changed = p->changed;
	for (int idx = 0; idx < P2_UDP_CARS; idx++) {
		pk.u.stats.car[idx].fastest = pk.u.stats.car[idx].last = -1;
		pk.u.stats.car[idx].last_sector = -1;
		for (int k = 0; k < 3; k++)
			pk.u.stats.car[idx].fastest_s[k] = -1;
		pk.u.stats.car[idx].mp_index = -1;
		if (idx < p->n)
			pk.u.stats.car[idx] = p->cars[p->car_of[idx]].st;
		if (p->o.rev == P2_EARLY)
			pk.u.stats.car[idx].mp_index = -1;
	}
	p2_out(p, v, &pk, 1, send, arg);
}

/*
 * One tick of the players' games at t game seconds: the weekend advances,
 * then each game hands its packets of the tick to send.
 */
void
p2sim_tick(struct p2sim *p, double t, p2sim_send send, void *arg)
{
	unsigned	 session, game;
	int		 in, game_due, roster_due, stats_due;

	p2sim_advance(p, t);
	in = p2_in_session(p);
	game = p2_game_state(p, &session);
	game_due = game != p->game || session != p->session || p->ticks >= p->next_game;
	roster_due = in && p->next_roster >= 0 && p->ticks >= p->next_roster;
	stats_due = in && p->stats_due;
	if (in && !stats_due && p->n > 0)
		for (int idx = 0; idx < p->n && idx < P2_UDP_CARS; idx++)
			if (memcmp(&p->sent[idx], &p->cars[p->car_of[idx]].st, sizeof(p->sent[0])))
				stats_due = 1;
	for (int v = 0; v < p->o.views; v++) {
		if (game_due)
			p2_send_game(p, v, send, arg);
		if (!in)
			continue;
		if (roster_due)
			p2_send_roster(p, v, send, arg);
		p2_send_timings(p, v, send, arg);
		p2_send_telemetry(p, v, send, arg);
		if (stats_due)
			p2_send_stats(p, v, send, arg);
	}
	if (game_due) {
		p->game = game;
		p->session = session;
		p->next_game = p->ticks + (long long)ceil((in ? P2SIM_GAME_RACE : P2SIM_GAME_MENU) *
		    p->o.hz);
	}
	if (roster_due) {
		p->next_roster = p->ticks + (long long)ceil(p->roster_gap * p->o.hz);
		p->roster_gap = fmin(P2SIM_ROSTER_MAX, p->roster_gap * 2);
	}
	if (stats_due) {
		for (int idx = 0; idx < p->n && idx < P2_UDP_CARS; idx++)
			p->sent[idx] = p->cars[p->car_of[idx]].st;
		p->stats_due = 0;
	}
	p->ticks++;
}

/* The `$pcars2$` block of view v at t game seconds (the weekend advances). */
void
p2sim_shm(struct p2sim *p, double t, int view, struct p2_shm *s)
{
	int			 me = p->views[view].slot, in;
	const struct race_car	*mc = &p->r->cars[me];
	struct race_pt		 pt;
	double			 yaw, lap, sector;

	p2sim_advance(p, t);
	in = p2_in_session(p);
	memset(s, 0, sizeof(*s));
	s->version = 14;
	s->build = P2SIM_BUILD;
	s->game_state = p2_game_state(p, &s->session_state);
	s->viewed = in ? p->cars[me].idx : -1;
	s->num = in ? p->n : 0;
	s->has_ams2 = 1;
	s->ambient = 22;
	s->track_temp = 31;
	s->enforced_pit_lap = -1;
	s->tyre_wear[0] = s->tyre_wear[1] = s->tyre_wear[2] = s->tyre_wear[3] = 0;
	if (!in) {
		p->ticks++;
		return;
	}
	s->race_state = p2_race_state(p, mc);
	for (int idx = 0; idx < p->n; idx++) {
		struct p2_shm_car	*sc = &s->car[idx];
		int			 i = p->car_of[idx];
		const struct race_car	*c = &p->r->cars[i];
		const struct p2car	*pc = &p->cars[i];

		sc->active = 1;
		snprintf(sc->name, sizeof(sc->name), "%s", pc->name);
		sc->speed = p2_where(p, c, &pt, &yaw);
		sc->world[0] = pt.x;
		sc->world[1] = pt.y;
		sc->world[2] = pt.z;
		sc->lap_distance = fmax(0, fmod(c->dist, p->r->len));
		sc->position = (unsigned)c->position;
		sc->laps_completed = (unsigned)c->laps;
		sc->current_lap = (unsigned)c->laps + 1;
		sc->sector = (int)p2_sector(c);
		/* the lap in progress's sectors; the last lap's until its first is done */
		for (int k = 0; k < 3; k++) {
			sc->cur_s[k] = pc->sec[k];
			sc->fastest_s[k] = pc->st.fastest_s[k];
		}
		sc->fastest_lap = pc->st.fastest;
		sc->last_lap = pc->st.last;
		sc->race_state = p2_race_state(p, c);
		sc->lap_invalid = !c->valid && sc->race_state == P2R_RACING;
		sc->pit_mode = p2_mode(c);
		sc->pit_schedule = c->pit == PIT_REQUEST ? 1 : 0;
		sc->flag_colour = p2_flag(p, c);
		snprintf(sc->car, sizeof(sc->car), "%s", c->veh_name);
		snprintf(sc->cls, sizeof(sc->cls), "%s", race_klasses[c->klass].name);
	}
	snprintf(s->location, sizeof(s->location), "%s", p->r->track);
	snprintf(s->variation, sizeof(s->variation), "%s", P2SIM_VARIATION);
	snprintf(s->tr_location, sizeof(s->tr_location), "%s", p->r->track);
	s->track_length = p->r->len;
	s->num_sectors = 3;
	s->laps_in_event = 0;
	s->session_minutes = (unsigned)ceil(p->r->o.minutes[p2_kind_now(p)]);
	s->best_lap = p->cars[me].st.fastest;
	s->last_lap = p->cars[me].st.last;
	p2_lap_times(p, mc, &lap, &sector);
	s->current_time = lap;
	s->split_ahead = mc->position > 1 ? mc->gaps[1][0] : -1;
	s->split_behind = -1;
	s->time_remaining = p2_time_remaining(p);
	s->personal_fastest = p->cars[me].st.fastest;
	{
		double ws[3];
		p2_fastest(p, &s->world_fastest, ws);
	}
	s->flag_colour = p2_flag(p, mc);
	s->pit_mode = p2_mode(mc);
	s->fuel_level = fmax(0, fmin(1, mc->fuel));
	s->fuel_capacity = 100;
	s->speed = s->car[p->cars[me].idx].speed;
	for (int w = 0; w < 4; w++) {
		s->tyre_wear[w] = fmin(100, mc->wear[w]) / 100.0;
		snprintf(s->compound[w], sizeof(s->compound[w]), "%s",
		    compounds[mc->compound >= 0 && mc->compound < 3 ? mc->compound : 1]);
	}
	p->ticks++;
}
