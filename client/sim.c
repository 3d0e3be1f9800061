/*
 * A simulated race weekend for trackside-fakegame: N cars in classes on a
 * procedurally generated closed circuit, lap and sector times with noise
 * and mistakes, pit stops with fuel, virtual energy, tyres and driver
 * swaps, garage runs in practice and qualifying, chat lines, and the
 * session transitions practice -> qualifying -> race with loading screens
 * between them. It answers with the JSON shapes of the real game
 * (spec/lmu-api.md, spec/lmu-schema/), quirks included: the player car's
 * fuelFraction reads 1.0, pitState blips to NONE during a swap, EXITING
 * out of the garage stays set until the next line crossing, and the first
 * seconds of a new session still show the previous session's standings.
 * Its gaps, intervals and laps behind (leader, car ahead, class leader)
 * come from where the cars are, as the real game's should.
 *
 * The model advances in fixed steps of game time, so a seed and a game time
 * always give the same weekend.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakegame.h"

#define SIM_DT		0.1		/* s of game time per step */
#define SIM_LOAD	20.0		/* s of loading screen between sessions */
#define SIM_RESULTS	40.0		/* s of results after the last car finished */
#define SIM_STALE	3.0		/* s a new session shows the old standings */
#define SIM_MAX_CARS	100
#define SIM_MAX_STOPS	64
#define SIM_MAX_LAPS	2000
#define SIM_MAX_CHAT	200
#define PT_STEP		5.0		/* m between track map points */
#define SIM_START_ACC	4.0		/* m/s2 off the grid at a standing start */

enum sess { S_PRACTICE, S_QUALIFY, S_RACE, S__MAX };
static const char *const sess_names[S__MAX] = { "PRACTICE1", "QUALIFY1", "RACE1" };
static const char *const sched_names[S__MAX] = { "PRACTICE", "QUALIFYING", "RACE" };

enum state { ST_LOADING, ST_RUNNING, ST_RESULTS, ST_DONE };

enum pit { PIT_NONE, PIT_REQUEST, PIT_ENTERING, PIT_STOPPED, PIT_EXITING, PIT__MAX };
static const char *const pit_names[PIT__MAX] = { "NONE", "REQUEST", "ENTERING", "STOPPED",
	"EXITING" };

struct klass {
	const char	*name;
	double		 factor;	/* lap time relative to the fastest class */
	const char	*makes[6];
	const char	*models[6];
	int		 nmakes;
};

static const struct klass klasses[] = {
	{ "Hyper", 1.00, { "TOYOTA", "FERRARI", "PORSCHE", "CADILLAC", "PEUGEOT", "BMW" },
	  { "Toyota GR010", "Ferrari 499P", "Porsche 963", "Cadillac V-Series.R", "Peugeot 9X8",
	    "BMW M Hybrid V8" }, 6 },
	{ "LMP2", 1.055, { "ORECA" }, { "Oreca 07 Gibson" }, 1 },
	{ "LMP3", 1.13, { "LIGIER", "GINETTA" }, { "Ligier JS P325", "Ginetta G61-LT-P3" }, 2 },
	{ "GTE", 1.14, { "CORVETTE", "FERRARI", "PORSCHE" },
	  { "Corvette C8.R", "Ferrari 488 GTE Evo", "Porsche 911 RSR-19" }, 3 },
	{ "GT3", 1.16, { "MCLAREN", "FERRARI", "PORSCHE", "BMW", "LAMBORGHINI", "FORD" },
	  { "McLaren 720S GT3 Evo", "Ferrari 296 GT3", "Porsche 911 GT3 R", "BMW M4 GT3",
	    "Lamborghini Huracan GT3 Evo2", "Ford Mustang GT3" }, 6 },
};
#define NKLASS (sizeof(klasses) / sizeof(klasses[0]))

static const char *const first_names[] = { "Frank", "George", "Cole", "Stewart", "Taylor",
	"Ed", "Stacy", "Owen", "Lewis", "Mike", "Carl", "Austin", "Eric", "Ron", "Nina", "Paula",
	"Marta", "Jonas", "Ilse", "Kenji", "Sofia", "Hugo", "Lena", "Tomas", "Ada", "Pierre",
	"Rosa", "Yuki", "Omar", "Greta" };
static const char *const last_names[] = { "Riley", "Chase", "Anthony", "Stewart", "Wallace",
	"Alan", "Paul", "Kyle", "George", "Stacy", "Elliott", "Dean", "Moreau", "Berg", "Tanaka",
	"Costa", "Novak", "Jansen", "Keller", "Lindqvist", "Okafor", "Rossi", "Varga", "Meyer",
	"Silva", "Dubois", "Nakamura", "Brandt", "Ortega", "Holm" };
static const char *const nations[] = { "GB", "DE", "FR", "IT", "US", "JP", "NL", "ES", "BR",
	"SE", "" };
static const char *const chat_texts[] = { "gl everyone", "blue flag please", "sorry about T1",
	"box this lap", "nice move", "gg", "tyres are gone", "fuel for 3 more laps",
	"watch the kerb at turn 7", "pit window opens soon", "lag spike, sorry", "good race all" };

struct stop {
	int		 lap;		/* lap the stop was made on (0 = the start) */
	double		 time;		/* stop duration */
	double		 prev_stint;	/* duration of the stint before it */
	int		 driver;
	int		 swap;
	int		 tyres_changed;
	int		 compound;
	double		 ve;
	double		 fuel;
};

struct laprec {
	double		 time, s1, s2;	/* s2 cumulative; -1 unknown */
	int		 driver;
	int		 pit;
	int		 position;
	int		 stint;
	double		 fuel, ve;
	double		 wear[4];
};

struct car {
	int		 slot;
	int		 klass;
	int		 make;
	char		 number[4];
	char		 team[64];
	char		 team_id[40];
	char		 veh_file[48];
	char		 veh_name[64];
	char		 drivers[3][48];
	char		 nats[3][4];
	int		 ndrivers;
	int		 driver;	/* at the wheel */
	long long	 steam_id;
	double		 pace;		/* a clean lap, seconds */
	double		 sect[2];	/* split fractions of a lap */
	/* the lap in progress */
	int		 laps;
	double		 lap_start;
	double		 lap_t;		/* planned length of this lap */
	double		 split[2];	/* planned cumulative splits */
	double		 cur[2];	/* splits reached, -1 before */
	int		 valid;
	double		 last, last_s[2], best, best_s[2], best_sec[2];
	double		 dist;
	/* pits */
	enum pit	 pit;
	int		 pit_lap;	/* plans to stop at the end of this lap */
	int		 out_lap;	/* this lap began with a stop */
	double		 stop_at, stop_len, exit_at;	/* times into the out lap */
	int		 swap_to;	/* -1: no swap on this stop */
	int		 garage;	/* the stop is a garage visit */
	int		 in_garage;
	int		 pitstops;
	double		 stint_start;
	int		 stint;
	int		 run_laps;	/* laps left in this run (practice, qualifying) */
	/* consumption */
	double		 fuel, ve, burn, ve_burn;
	double		 wear[4];
	int		 compound;	/* 0 Soft 1 Medium 2 Hard */
	int		 tyres_new;
	int		 next_compound;	/* fitted at the planned stop */
	int		 initial;	/* the out-lap from the garage at the session start */
	int		 released;	/* the stop of this out-lap is over */
	/* end */
	int		 finished;
	int		 flag;		/* took the chequered flag */
	int		 dnf;
	double		 finish_t;	/* ET of the finish */
	/* order */
	int		 started;	/* a race car crossed the start line */
	double		 grid_d;	/* metres behind the line on the grid */
	int		 position, class_pos;
	double		 gap, lead_laps;
	double		 gaps[3][2];	/* behind leader, next, class leader: time, laps */
	struct trail	 trail;		/* progress over ET, sampled once a second */
	struct stop	 stops[SIM_MAX_STOPS];
	int		 nstops;
	struct laprec	*laplog;
	int		 nlaplog;
};

struct chat {
	char		 text[160];
	double		 at;		/* game seconds since the weekend began */
};

struct pt {
	double		 x, y, z;
};

struct sim {
	struct sim_opts	 o;
	uint64_t	 rng;
	int		 sessions[S__MAX];
	int		 nsess;
	int		 cur;		/* index into sessions, -1 before the first */
	enum state	 state;
	double		 t;		/* game seconds since the weekend began */
	double		 sess_start;	/* t at ET 0 of the current session */
	double		 load_until;	/* t at which the loading screen ends */
	double		 over_at;	/* t at which the results give way to the next session */
	double		 green_at;	/* ET of the green flag */
	int		 flag_out;	/* the leader took the chequered flag */
	double		 next_sample;	/* t of the next progress sample */
	double		 total;		/* planned weekend length, for progress */
	int		 replay, loading;
	double		 wall0;		/* wall clock of t = 0, for chat timestamps */
	char		 track[64];
	double		 len;		/* track length, metres */
	struct pt	*line;		/* racing line, PT_STEP apart */
	size_t		 nline;
	struct pt	*pitlane;
	size_t		 npit;
	struct car	 cars[SIM_MAX_CARS];
	int		 ncars;
	struct chat	 chat[SIM_MAX_CHAT];
	int		 nchat;
	double		 next_chat;
	struct buf	 stale;		/* the last standings of the previous session */
	int		 coherence;
};

/* xorshift64*: deterministic for a seed. */
static double
rnd(struct sim *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (double)((s->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static double
gauss(struct sim *s)
{
	double u = rnd(s) + 1e-12, v = rnd(s);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static int
pick(struct sim *s, int n)
{
	int i = (int)(rnd(s) * n);

	return i >= n ? n - 1 : i;
}

/* Game time into the current session (ET). */
static double
sim_et(const struct sim *s)
{
	return s->t - s->sess_start;
}

static double
sess_len(const struct sim *s)
{
	return s->o.minutes[s->sessions[s->cur]] * 60.0;
}

/*
 * A closed circuit: a star-shaped curve r(a) = R (1 + sum of a few
 * harmonics), scaled to the wanted length and sampled every PT_STEP metres,
 * and a pit lane running parallel around the start line.
 */
static int
sim_track(struct sim *s)
{
	double	 amp[6], ph[6], len = 0, R, px = 0, pz = 0;
	size_t	 n, fine = 20000;
	double	*cum;
	struct pt *pts;

	for (int k = 2; k < 6; k++) {
		amp[k] = (0.05 + 0.25 * rnd(s)) / k;
		ph[k] = 2 * M_PI * rnd(s);
	}
	if ((pts = malloc((fine + 1) * sizeof(*pts))) == NULL ||
	    (cum = malloc((fine + 1) * sizeof(*cum))) == NULL) {
		free(pts);
		return -1;
	}
	for (size_t i = 0; i <= fine; i++) {
		double a = 2 * M_PI * (double)i / (double)fine, r = 1;
		for (int k = 2; k < 6; k++)
			r += amp[k] * cos(k * a + ph[k]);
		pts[i].x = r * cos(a);
		pts[i].z = r * sin(a);
		pts[i].y = 0.01 * sin(3 * a + ph[2]);
		if (i > 0)
			len += hypot(pts[i].x - px, pts[i].z - pz);
		cum[i] = len;
		px = pts[i].x;
		pz = pts[i].z;
	}
	R = s->o.track_m / len;
	s->len = s->o.track_m;
	n = (size_t)(s->len / PT_STEP);
	if ((s->line = calloc(n, sizeof(*s->line))) == NULL ||
	    (s->pitlane = calloc(n, sizeof(*s->pitlane))) == NULL) {
		free(pts);
		free(cum);
		return -1;
	}
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		double want = (double)i * PT_STEP / R;
		while (j < fine && cum[j + 1] < want)
			j++;
		double f = cum[j + 1] > cum[j] ? (want - cum[j]) / (cum[j + 1] - cum[j]) : 0;
		s->line[i].x = R * (pts[j].x + f * (pts[j + 1].x - pts[j].x));
		s->line[i].z = R * (pts[j].z + f * (pts[j + 1].z - pts[j].z));
		s->line[i].y = R * (pts[j].y + f * (pts[j + 1].y - pts[j].y));
	}
	s->nline = n;
	/* the pit lane: 7 % of a lap either side of the line, 18 m inside */
	for (size_t i = 0; i < n; i++) {
		double d = (double)i * PT_STEP, from = s->len * 0.93, to = s->len * 0.07, off;
		if (!(d >= from || d <= to))
			continue;
		double into = d >= from ? d - from : d + s->len - from, span = s->len - from + to;
		off = 18.0 * fmin(1.0, fmin(into, span - into) / 120.0);
		const struct pt *a = &s->line[i], *b = &s->line[(i + 1) % n];
		double tx = b->x - a->x, tz = b->z - a->z, tl = hypot(tx, tz);
		if (tl <= 0)
			continue;
		s->pitlane[s->npit].x = a->x - off * tz / tl;
		s->pitlane[s->npit].z = a->z + off * tx / tl;
		s->pitlane[s->npit].y = a->y;
		s->npit++;
	}
	free(pts);
	free(cum);
	return 1;
}

/* The point of the racing line at d metres into the lap, and the direction. */
static void
sim_where(const struct sim *s, double d, struct pt *p, double *dx, double *dz)
{
	double	 f = fmod(d, s->len) / PT_STEP;
	size_t	 i;

	if (f < 0)
		f += (double)s->nline;
	i = (size_t)f % s->nline;
	f -= floor(f);
	const struct pt *a = &s->line[i], *b = &s->line[(i + 1) % s->nline];
	p->x = a->x + f * (b->x - a->x);
	p->y = a->y + f * (b->y - a->y);
	p->z = a->z + f * (b->z - a->z);
	*dx = (b->x - a->x) / PT_STEP;
	*dz = (b->z - a->z) / PT_STEP;
}

static int
sim_classes(struct sim *s, int counts[NKLASS], struct buf *err)
{
	char	 tmp[256], *tok, *save = NULL;
	int	 total = 0;

	memset(counts, 0, NKLASS * sizeof(int));
	if (s->o.classes[0] == '\0') {
		/* a default mix: a third Hyper, a sixth LMP2, the rest GT3 */
		counts[0] = (s->o.cars + 2) / 3;
		counts[1] = s->o.cars / 6;
		counts[4] = s->o.cars - counts[0] - counts[1];
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "%s", s->o.classes);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		long long n;
		size_t k;
		if (colon == NULL || !num_parse_ll(colon + 1, 0, SIM_MAX_CARS, &n)) {
			buf_printf(err, "--classes: \"%s\" is not CLASS:COUNT", tok);
			return 0;
		}
		*colon = '\0';
		for (k = 0; k < NKLASS; k++)
			if (strcmp(klasses[k].name, tok) == 0)
				break;
		if (k == NKLASS) {
			buf_printf(err, "--classes: unknown class \"%s\" (Hyper, LMP2, LMP3, GTE, GT3)",
			    tok);
			return 0;
		}
		counts[k] += (int)n;
		total += (int)n;
	}
	if (total < 1 || total > SIM_MAX_CARS) {
		buf_printf(err, "--classes: 1 to %d cars in all", SIM_MAX_CARS);
		return 0;
	}
	s->o.cars = total;
	return 1;
}

static void
car_name_driver(struct sim *s, struct car *c, int i)
{
	int f = pick(s, (int)(sizeof(first_names) / sizeof(first_names[0])));
	int l = pick(s, (int)(sizeof(last_names) / sizeof(last_names[0])));

	snprintf(c->drivers[i], sizeof(c->drivers[i]), "%s %s", first_names[f], last_names[l]);
	snprintf(c->nats[i], sizeof(c->nats[i]), "%s",
	    nations[pick(s, (int)(sizeof(nations) / sizeof(nations[0])))]);
	/* names are unique in the game: add an initial on a clash */
	for (int k = 0; k < s->ncars; k++)
		for (int m = 0; m < s->cars[k].ndrivers; m++)
			if (&s->cars[k] != c && strcmp(s->cars[k].drivers[m], c->drivers[i]) == 0) {
				size_t len = strlen(c->drivers[i]);
				snprintf(c->drivers[i] + len, sizeof(c->drivers[i]) - len, " %c.",
				    'A' + pick(s, 26));
			}
	for (int m = 0; m < i; m++)
		if (strcmp(c->drivers[m], c->drivers[i]) == 0)
			snprintf(c->drivers[i] + strlen(c->drivers[i]) / 2, 4, "%c", 'a' + i);
}

/*
 * Creates the weekend. Returns 1 with *out (sim_free() releases it), 0 with
 * a message in err for bad options, -1 when memory runs out.
 */
int
sim_new(struct sim **out, const struct sim_opts *o, struct buf *err)
{
	struct sim	*s;
	int		 counts[NKLASS], used[1000];
	char		 tmp[64], *tok, *save = NULL;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->o = *o;
	s->rng = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)o->seed * 0x100000001B3ULL);
	if (s->rng == 0)
		s->rng = 1;
	for (int i = 0; i < 8; i++)
		rnd(s);
	snprintf(tmp, sizeof(tmp), "%s", o->sessions);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int k = strcmp(tok, "P") == 0 ? S_PRACTICE : strcmp(tok, "Q") == 0 ? S_QUALIFY :
		    strcmp(tok, "R") == 0 ? S_RACE : -1;
		if (k < 0 || s->nsess == S__MAX || (s->nsess > 0 && k <= s->sessions[s->nsess - 1])) {
			buf_printf(err, "--sessions: use P, Q and R in this order, e.g. P,Q,R or Q,R");
			sim_free(s);
			return 0;
		}
		s->sessions[s->nsess++] = k;
	}
	if (s->nsess == 0) {
		buf_printf(err, "--sessions: at least one of P, Q, R");
		sim_free(s);
		return 0;
	}
	if (!sim_classes(s, counts, err)) {
		sim_free(s);
		return 0;
	}
	if (sim_track(s) < 0) {
		sim_free(s);
		return -1;
	}
	snprintf(s->track, sizeof(s->track), "Trackside Park %u", o->seed % 100);
	s->wall0 = time_now();
	memset(used, 0, sizeof(used));
	double ref = s->len / 56.0;	/* a Hyper lap */
	for (size_t k = 0; k < NKLASS; k++)
		for (int i = 0; i < counts[k]; i++) {
			struct car *c = &s->cars[s->ncars];
			int num;
			memset(c, 0, sizeof(*c));
			c->slot = s->ncars;
			c->klass = (int)k;
			c->make = pick(s, klasses[k].nmakes);
			do
				num = 1 + pick(s, 999);
			while (used[num]);
			used[num] = 1;
			snprintf(c->number, sizeof(c->number), "%d", num);
			snprintf(c->veh_file, sizeof(c->veh_file), "%d_25_%s", num, klasses[k].makes[c->make]);
			snprintf(c->veh_name, sizeof(c->veh_name), "%s #%d", klasses[k].models[c->make], num);
			c->ndrivers = s->sessions[s->nsess - 1] == S_RACE ? 1 + pick(s, 3) : 1;
			for (int d = 0; d < c->ndrivers; d++)
				car_name_driver(s, c, d);
			snprintf(c->team, sizeof(c->team), "%.40s %s #%d",
			    klasses[k].models[c->make], klasses[k].name, num);
			snprintf(c->team_id, sizeof(c->team_id), "%d", 29 + c->slot);
			c->steam_id = 76561198000000000LL + (long long)(rnd(s) * 900000000.0);
			c->pace = ref * klasses[k].factor * (1.0 + 0.012 * gauss(s));
			c->sect[0] = 0.31 + 0.03 * rnd(s);
			c->sect[1] = c->sect[0] + 0.33 + 0.03 * rnd(s);
			c->compound = 1;
			s->ncars++;
		}
	for (int i = 0; i < s->nsess; i++)
		s->total += s->o.minutes[s->sessions[i]] * 60.0 + SIM_LOAD + SIM_RESULTS + 90;
	s->cur = -1;
	s->state = ST_LOADING;
	s->load_until = 5.0;	/* the game starts loading the first session */
	*out = s;
	return 1;
}

void
sim_free(struct sim *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->ncars; i++)
		free(s->cars[i].laplog);
	free(s->line);
	free(s->pitlane);
	buf_free(&s->stale);
	free(s);
}

void
sim_set_flags(struct sim *s, int replay, int loading)
{
	s->replay = replay;
	s->loading = loading;
}

/* The slot of a car a player of the demo drives: which 0 or 1. */
int
sim_default_player(const struct sim *s, int which)
{
	int want = which == 0 ? s->ncars / 3 : (2 * s->ncars) / 3;

	if (want >= s->ncars)
		want = s->ncars - 1;
	return s->cars[want].slot;
}

double
sim_progress(const struct sim *s)
{
	double p = s->total > 0 ? s->t / s->total : 1;

	return s->state == ST_DONE ? 1 : p > 1 ? 1 : p;
}

static void
chat_add(struct sim *s, const char *text)
{
	if (s->nchat == SIM_MAX_CHAT) {
		memmove(s->chat, s->chat + 1, (SIM_MAX_CHAT - 1) * sizeof(s->chat[0]));
		s->nchat--;
	}
	snprintf(s->chat[s->nchat].text, sizeof(s->chat[0].text), "%s", text);
	s->chat[s->nchat].at = s->t;
	s->nchat++;
}

/* Plans the lap that starts now for car c. */
static void
car_plan_lap(struct sim *s, struct car *c, double start)
{
	enum sess kind = s->sessions[s->cur];
	double t = c->pace * (1.0 + 0.004 * gauss(s));

	t *= 1.0 + 0.015 * (1.0 - (c->tyres_new ? 1.0 : 0.6)) + 0.01 * (c->wear[0] / 100.0);
	if (kind == S_QUALIFY)
		t *= 0.99;
	c->valid = 1;
	if (rnd(s) < 0.03) {	/* a mistake: time lost, lap maybe invalid */
		t += 1.5 + 5.0 * rnd(s);
		c->valid = rnd(s) < 0.5;
	}
	c->lap_start = start;
	c->split[0] = t * c->sect[0] * (1.0 + 0.004 * gauss(s));
	c->split[1] = t * c->sect[1] * (1.0 + 0.003 * gauss(s));
	c->lap_t = t;
	c->cur[0] = c->cur[1] = -1;
	if (c->out_lap && c->garage)
		c->valid = 0;	/* a lap from the garage is not timed */
	if (c->out_lap) {
		/* from the line to the pit box, the stop, the lane to its exit */
		c->released = 0;
		/* each car its own box, 40 to 280 m down the lane */
		c->stop_at = 2.0 + 12.0 * c->slot / (s->ncars > 0 ? s->ncars : 1);
		c->exit_at = c->stop_at + c->stop_len + 10.0;
		c->lap_t += c->stop_len + 14.0;
		c->split[0] += c->stop_len + 14.0;
		c->split[1] += c->stop_len + 14.0;
	}
	if (c->pit_lap == c->laps + 1)
		c->lap_t += 7.0;	/* the pit lane at the end of this lap is slower */
}

/* Whether the car's stop at the end of this lap is due, and what it does. */
static void
car_decide_stop(struct sim *s, struct car *c)
{
	enum sess kind = s->sessions[s->cur];

	if (c->pit_lap > c->laps || c->out_lap || c->finished || c->dnf)
		return;	/* planned, under way (it refuels at the release), or over */
	if (kind == S_RACE) {
		if (c->fuel - c->burn * 1.3 > 0 && c->ve - c->ve_burn * 1.3 > 0)
			return;
	} else if (--c->run_laps > 0)
		return;
	c->pit_lap = c->laps + 1;
	c->pit = PIT_REQUEST;
	c->garage = kind != S_RACE;
	c->swap_to = -1;
	if (c->ndrivers > 1 && (kind == S_RACE ? c->nstops % 2 == 1 || rnd(s) < 0.4 : rnd(s) < 0.5))
		c->swap_to = (c->driver + 1) % c->ndrivers;
	c->stop_len = kind == S_RACE ? 22.0 + 4.0 * rnd(s) : 60.0 + 120.0 * rnd(s);
	c->tyres_new = kind != S_RACE || rnd(s) < 0.75;
	c->next_compound = kind == S_QUALIFY ? 0 : kind == S_PRACTICE ? pick(s, 2) :
	    rnd(s) < 0.5 ? 1 : rnd(s) < 0.6 ? 2 : 0;
	if (c->tyres_new && kind == S_RACE)
		c->stop_len += 8.0;
	if (c->swap_to >= 0)
		c->stop_len += 6.0;
}

static void
car_laplog(struct car *c, double t, double s1, double s2, int pit)
{
	struct laprec *r;

	if (c->nlaplog >= SIM_MAX_LAPS)
		return;
	if (c->nlaplog % 64 == 0) {
		struct laprec *n = realloc(c->laplog, (size_t)(c->nlaplog + 64) * sizeof(*n));
		if (n == NULL)
			return;
		c->laplog = n;
	}
	r = &c->laplog[c->nlaplog++];
	r->time = t;
	r->s1 = s1;
	r->s2 = s2;
	r->driver = c->driver;
	r->pit = pit;
	r->position = c->position;
	r->stint = c->stint;
	r->fuel = c->fuel;
	r->ve = c->ve;
	memcpy(r->wear, c->wear, sizeof(r->wear));
}

/* The car crosses the line: the lap is done. */
static void
car_cross(struct sim *s, struct car *c, double at)
{
	enum sess kind = s->sessions[s->cur];
	double et_end = sess_len(s);
	int pit = c->pit_lap == c->laps + 1 || c->out_lap;

	if (at >= s->green_at || kind != S_RACE) {
		c->laps++;
		c->last = c->valid ? c->lap_t : -1;
		c->last_s[0] = c->split[0];
		c->last_s[1] = c->split[1];
		if (c->valid && rnd(s) < 0.04)
			c->last_s[1] = -1;	/* a valid lap with a missing split */
		if (c->valid && (c->best <= 0 || c->lap_t < c->best)) {
			c->best = c->lap_t;
			c->best_s[0] = c->split[0];
			c->best_s[1] = c->split[1];
		}
		for (int k = 0; k < 2; k++) {
			double sec = k == 0 ? c->split[0] : c->split[1] - c->split[0];
			if (c->valid && (c->best_sec[k] <= 0 || sec < c->best_sec[k]))
				c->best_sec[k] = sec;
		}
		c->fuel -= c->burn;
		c->ve -= c->ve_burn;
		for (int w = 0; w < 4; w++)
			c->wear[w] = fmin(100, c->wear[w] + 2.0 + rnd(s));
		car_laplog(c, c->last, c->last_s[0], c->last_s[1], pit);
	}
	if (c->pit == PIT_EXITING && !c->out_lap)
		c->pit = PIT_NONE;	/* EXITING lasts until the next line crossing */
	c->out_lap = 0;
	c->initial = 0;
	/* after the time: the leader takes the flag, then every car at its next crossing */
	if (at >= et_end && (kind != S_RACE || s->flag_out || c->position == 1)) {
		s->flag_out = 1;
		c->finished = c->flag = 1;
		c->finish_t = at;
		c->pit = PIT_NONE;
		c->dist = 0;
		return;
	}
	if (kind == S_RACE && rnd(s) < 0.002) {
		c->dnf = 1;
		c->in_garage = 1;
		c->pit = PIT_NONE;
		return;
	}
	if (c->pit_lap == c->laps) {
		/* crossing the line in the lane: the stop comes next */
		c->out_lap = 1;
		c->pit_lap = 0;
		c->pit = PIT_ENTERING;
	}
	car_decide_stop(s, c);
	car_plan_lap(s, c, at);
}

/* The stop: tyres, fuel, VE, driver; strategy and chat see it. */
static void
car_service(struct sim *s, struct car *c)
{
	struct stop	*st;
	char		 msg[160];

	if (c->swap_to >= 0) {
		c->driver = c->swap_to;
		snprintf(msg, sizeof(msg), "%s Is now driving #%s %.60s", c->drivers[c->driver],
		    c->number, klasses[c->klass].models[c->make]);
		chat_add(s, msg);
	}
	c->fuel = 1.0;
	c->ve = 1.0;
	if (c->tyres_new) {
		memset(c->wear, 0, sizeof(c->wear));
		c->compound = c->next_compound;
	}
	c->pitstops++;
	if (s->sessions[s->cur] == S_RACE && c->nstops < SIM_MAX_STOPS) {
		st = &c->stops[c->nstops++];
		st->lap = c->laps;
		st->time = c->stop_len;
		st->prev_stint = sim_et(s) - c->stint_start;
		st->driver = c->driver;
		st->swap = c->swap_to >= 0;
		st->tyres_changed = c->tyres_new;
		st->compound = c->compound;
		st->ve = c->ve;
		st->fuel = c->fuel;
	}
	c->stint++;
	c->stint_start = sim_et(s);
	if (s->sessions[s->cur] != S_RACE)
		c->run_laps = s->sessions[s->cur] == S_QUALIFY ? 4 + pick(s, 2) : 4 + pick(s, 6);
}

static void
car_step(struct sim *s, struct car *c, double now)
{
	double	 into, base;

	if (c->finished || c->dnf)
		return;
	into = now - c->lap_start;
	if (into < 0) {
		/* on the grid, then off it to the line at the green flag */
		double since = fmax(0, now - s->green_at);
		c->dist = s->len - c->grid_d + 0.5 * SIM_START_ACC * since * since;
		return;
	}
	c->started = 1;
	if (into >= c->lap_t) {
		car_cross(s, c, c->lap_start + c->lap_t);
		if (c->finished || c->dnf)
			return;
		into = now - c->lap_start;
	}
	for (int k = 0; k < 2; k++)
		if (c->cur[k] < 0 && into >= c->split[k])
			c->cur[k] = c->split[k];
	if (c->out_lap && c->initial) {
		/* the session begins in the garage: NONE there, and through the lane */
		c->pit = PIT_NONE;
		c->in_garage = into < c->stop_at + c->stop_len;
		if (c->in_garage)
			c->dist = 20.0 * c->stop_at;
		else if (into < c->exit_at)
			c->dist = 20.0 * (into - c->stop_len);
		else
			c->dist = 20.0 * (c->exit_at - c->stop_len) + (s->len - 20.0 *
			    (c->exit_at - c->stop_len)) * (into - c->exit_at) /
			    fmax(c->lap_t - c->exit_at, 1);
		if (!c->in_garage && c->pitstops < 0)
			car_service(s, c);
		return;
	}
	if (c->out_lap) {
		if (into < c->stop_at) {
			c->pit = PIT_ENTERING;
			c->dist = 20.0 * into;
		} else if (into < c->stop_at + c->stop_len) {
			double mid = c->stop_at + c->stop_len / 2;
			c->in_garage = c->garage;
			c->pit = PIT_STOPPED;
			if (c->swap_to >= 0 && fabs(into - mid) < 0.45)
				c->pit = PIT_NONE;	/* the blip during a driver swap */
			if (into >= mid && c->swap_to >= 0 && c->driver != c->swap_to)
				car_service(s, c);
			c->dist = 20.0 * c->stop_at;
		} else {
			if (!c->released) {
				if (c->swap_to < 0 || c->driver != c->swap_to)
					car_service(s, c);
				c->swap_to = -1;
				c->in_garage = 0;
				c->released = 1;
			}
			/*
			 * Released; back to NONE at the lane's end, except that out
			 * of the garage EXITING stays set until the line.
			 */
			c->pit = into < c->exit_at || c->garage ? PIT_EXITING : PIT_NONE;
			base = 20.0 * c->stop_at + 20.0 * (into - c->stop_at - c->stop_len);
			double rest = c->lap_t - c->exit_at;
			if (into < c->exit_at)
				c->dist = base;
			else
				c->dist = 20.0 * (c->exit_at - c->stop_len) + (s->len - 20.0 *
				    (c->exit_at - c->stop_len)) * (into - c->exit_at) / fmax(rest, 1);
		}
		return;
	}
	/* on track: piecewise constant speed per sector */
	double d1 = s->len * 0.33, d2 = s->len * 0.68;
	if (into < c->split[0])
		c->dist = d1 * into / c->split[0];
	else if (into < c->split[1])
		c->dist = d1 + (d2 - d1) * (into - c->split[0]) / (c->split[1] - c->split[0]);
	else
		c->dist = d2 + (s->len - d2) * (into - c->split[1]) / (c->lap_t - c->split[1]);
	if (c->pit_lap == c->laps + 1 && c->dist >= s->len * 0.93)
		c->pit = PIT_ENTERING;
}

/*
 * How far into the race a car is: laps completed and the fraction of the
 * lap in progress; negative on the grid, before it crossed the line.
 */
static double
car_progress(const struct sim *s, const struct car *c)
{
	double frac = fmod(c->dist, s->len) / s->len;

	if (c->finished)
		return c->laps;
	return c->started ? c->laps + frac : frac - 1.0;
}

static const struct sim *cmp_sim;

/* Race order: cars that retired last, the rest by progress, finishers by finish time. */
static int
cmp_race(const void *a, const void *b)
{
	const struct car *x = *(const struct car *const *)a, *y = *(const struct car *const *)b;
	double px = car_progress(cmp_sim, x), py = car_progress(cmp_sim, y);

	if (x->dnf != y->dnf)
		return x->dnf - y->dnf;
	if (x->finished && y->finished && x->laps == y->laps && x->finish_t != y->finish_t)
		return x->finish_t < y->finish_t ? -1 : 1;
	return px > py ? -1 : px < py ? 1 : x->slot - y->slot;
}

static int
cmp_best(const void *a, const void *b)
{
	const struct car *x = *(const struct car *const *)a, *y = *(const struct car *const *)b;
	double bx = x->best > 0 ? x->best : 1e9, by = y->best > 0 ? y->best : 1e9;

	return bx < by ? -1 : bx > by ? 1 : x->slot - y->slot;
}

/* Remembers where a running car is, once a second: its trail of progress over ET. */
static void
car_sample(const struct sim *s, struct car *c, double et)
{
	if (!c->finished && !c->dnf)
		trail_add(&c->trail, car_progress(s, c), et);
}

/*
 * Positions, and the gaps the game reports: behind the leader, the car
 * ahead and the class leader, each in time and in laps. In a race they
 * come from where the cars are: the time since the leader passed the
 * point where a car is now, and whole laps between their progress; an
 * interval is the difference of two gaps. Elsewhere they compare best
 * laps. A finished car keeps the gaps it took the flag with.
 */
static void
sim_positions(struct sim *s)
{
	struct car	*order[SIM_MAX_CARS], *cls_lead[NKLASS] = { NULL };
	int		 cls_n[NKLASS] = { 0 };
	int		 race = s->sessions[s->cur] == S_RACE;
	double		 et = sim_et(s);

	for (int i = 0; i < s->ncars; i++)
		order[i] = &s->cars[i];
	cmp_sim = s;
	qsort(order, (size_t)s->ncars, sizeof(order[0]), race ? cmp_race : cmp_best);
	for (int i = 0; i < s->ncars; i++) {
		struct car *c = order[i], *lead = order[0], *next = i > 0 ? order[i - 1] : c;
		struct car *cl = cls_lead[c->klass] ? cls_lead[c->klass] : c;
		c->position = i + 1;
		c->class_pos = ++cls_n[c->klass];
		if (cls_lead[c->klass] == NULL)
			cls_lead[c->klass] = c;
		if (c->finished)
			continue;
		if (!race) {
			double b = c->best;
			c->gaps[0][0] = b > 0 && lead->best > 0 ? b - lead->best : 0;
			c->gaps[1][0] = b > 0 && next->best > 0 ? b - next->best : 0;
			c->gaps[2][0] = b > 0 && cl->best > 0 ? b - cl->best : 0;
			c->gaps[0][1] = c->gaps[1][1] = c->gaps[2][1] = 0;
		} else if (i == 0 || et < s->green_at) {
			memset(c->gaps, 0, sizeof(c->gaps));
		} else {
			double p = car_progress(s, c), pl = car_progress(s, lead);
			double t = trail_at(&lead->trail, p, pl, et);
			double gap = t >= 0 ? et - t : fmax(0, (pl - p) * lead->pace);
			/* never closer to the leader than the car ahead */
			if (next != lead && gap < next->gaps[0][0])
				gap = next->gaps[0][0];
			c->gaps[0][0] = gap;
			c->gaps[0][1] = fmax(fmax(0, floor(pl - p)), next->gaps[0][1]);
			c->gaps[1][0] = gap - next->gaps[0][0];
			c->gaps[1][1] = fmax(0, floor(car_progress(s, next) - p));
			c->gaps[2][0] = gap - cl->gaps[0][0];
			c->gaps[2][1] = fmax(0, floor(car_progress(s, cl) - p));
		}
		c->gap = c->gaps[0][0];
		c->lead_laps = c->gaps[0][1];
	}
}

/* Starts session index cur: cars to the garage or the grid. */
static void
sim_session_start(struct sim *s)
{
	enum sess kind = s->sessions[s->cur];
	double race_laps = sess_len(s) / (s->len / 50.0);

	s->sess_start = s->t;
	s->green_at = kind == S_RACE ? 60.0 : 0.0;
	s->flag_out = 0;
	s->next_sample = s->t;
	s->coherence++;
	for (int i = 0; i < s->ncars; i++) {
		struct car *c = &s->cars[i];
		c->laps = 0;
		c->last = c->best = -1;
		c->last_s[0] = c->last_s[1] = c->best_s[0] = c->best_s[1] = -1;
		c->best_sec[0] = c->best_sec[1] = -1;
		c->cur[0] = c->cur[1] = -1;
		c->finished = c->flag = c->dnf = 0;
		c->finish_t = -1;
		c->trail.n = c->trail.head = 0;
		memset(c->gaps, 0, sizeof(c->gaps));
		c->gap = c->lead_laps = 0;
		c->pit = PIT_NONE;
		c->pit_lap = 0;
		c->out_lap = 0;
		c->pitstops = 0;
		c->nstops = 0;
		c->nlaplog = 0;
		c->stint = 1;
		c->stint_start = 0;
		c->fuel = 1.0;
		c->ve = 1.0;
		c->driver = 0;
		c->tyres_new = 1;
		c->compound = c->next_compound = kind == S_QUALIFY ? 0 : 1;
		memset(c->wear, 0, sizeof(c->wear));
		c->in_garage = 0;
		/* a stint is 35 to 60 % of the race, so races have stops */
		double stint = fmax(3.0, floor(race_laps * (0.35 + 0.25 * rnd(s))));
		c->burn = 0.97 / stint;
		c->ve_burn = 0.95 / (stint + 1 + pick(s, 2));
		if (kind == S_RACE) {
			/*
			 * A standing start from the grid, in qualifying order when
			 * there was one: lap 1 begins as the car crosses the line.
			 */
			c->garage = 0;
			c->initial = 0;
			c->started = 0;
			int grid = c->position > 0 ? c->position : i + 1;
			c->grid_d = 12.0 + 8.0 * (grid - 1);
			c->out_lap = 0;
			car_plan_lap(s, c, s->green_at + sqrt(2.0 * c->grid_d / SIM_START_ACC));
			c->lap_t += 2.0;
			c->split[0] += 2.0;
			c->split[1] += 2.0;
			c->dist = s->len - c->grid_d;
		} else {
			/*
			 * Out of the garage at a random time in the first minutes;
			 * in qualifying within the first minute, so that every car
			 * has time for an out-lap and four or five timed laps.
			 */
			c->garage = 1;
			c->initial = 1;
			c->started = 1;
			c->out_lap = 1;
			c->stop_len = kind == S_QUALIFY ? 5.0 + rnd(s) * fmin(55.0, sess_len(s) * 0.1) :
			    20.0 + rnd(s) * fmin(240.0, sess_len(s) * 0.3);
			c->swap_to = -1;
			c->run_laps = kind == S_QUALIFY ? 4 + pick(s, 2) : 4 + pick(s, 6);
			car_plan_lap(s, c, 0.0);
			c->pitstops = -1;	/* the garage exit is not a stop */
		}
	}
	buf_reset(&s->stale);
	s->next_chat = s->t + 20.0 + 60.0 * rnd(s);
}

static void sim_render_standings(struct sim *, const struct view *, struct buf *);

/* One step of SIM_DT game seconds. */
static void
sim_step(struct sim *s)
{
	double	 et;
	int	 running = 0;

	s->t += SIM_DT;
	switch (s->state) {
	case ST_LOADING:
		if (s->t >= s->load_until) {
			s->cur++;
			sim_session_start(s);
			s->state = ST_RUNNING;
		}
		return;
	case ST_RESULTS:
		if (s->t < s->over_at)
			return;
		if (s->cur + 1 >= s->nsess) {
			s->state = ST_DONE;
			return;
		}
		/* the next session first shows these standings for a moment */
		struct view spect = { -1, 0, 1 };
		buf_reset(&s->stale);
		sim_render_standings(s, &spect, &s->stale);
		s->state = ST_LOADING;
		s->load_until = s->t + SIM_LOAD;
		return;
	case ST_DONE:
		return;
	case ST_RUNNING:
		break;
	}
	et = sim_et(s);
	for (int i = 0; i < s->ncars; i++) {
		car_step(s, &s->cars[i], et);
		running += !s->cars[i].finished && !s->cars[i].dnf;
	}
	if (s->t >= s->next_sample) {
		for (int i = 0; i < s->ncars; i++)
			car_sample(s, &s->cars[i], et);
		s->next_sample = s->t + 1.0;
	}
	sim_positions(s);
	if (running == 0 || et > sess_len(s) + 3.0 * s->len / 40.0) {
		for (int i = 0; i < s->ncars; i++)
			if (!s->cars[i].finished && !s->cars[i].dnf)
				s->cars[i].finished = 1;
		s->state = ST_RESULTS;
		s->over_at = s->t + SIM_RESULTS;
	}
	if (s->t >= s->next_chat) {
		const struct car *c = &s->cars[pick(s, s->ncars)];
		char msg[160], first = c->drivers[c->driver][0];
		const char *last = strchr(c->drivers[c->driver], ' ');
		snprintf(msg, sizeof(msg), "%c %s: %s", first, last ? last + 1 : "",
		    chat_texts[pick(s, (int)(sizeof(chat_texts) / sizeof(chat_texts[0])))]);
		chat_add(s, msg);
		s->next_chat = s->t + 15.0 + 90.0 * rnd(s);
	}
}

/*
 * Advances the weekend to t game seconds since it began (never backwards).
 */
void
sim_advance(struct sim *s, double t)
{
	int n = 0;

	while (s->t + SIM_DT <= t && n++ < 2000000)
		sim_step(s);
}

/* Whether the view's game is in the current session. */
static int
sim_in_session(const struct sim *s, const struct view *v)
{
	double p = sim_progress(s);

	if (s->cur < 0 || s->state == ST_LOADING)
		return 0;
	return p >= v->join_at && (v->leave_at >= 1 || p < v->leave_at);
}

static const struct car *
sim_player(const struct sim *s, const struct view *v)
{
	for (int i = 0; i < s->ncars; i++)
		if (s->cars[i].slot == v->slot)
			return &s->cars[i];
	return NULL;
}

static void
jstr(struct buf *b, const char *key, const char *val, int comma)
{
	buf_printf(b, "%s\"%s\":\"", comma ? "," : "", key);
	esc_json(b, val, strlen(val));
	buf_putc(b, '"');
}

static int
sim_phase(const struct sim *s)
{
	enum sess kind = s->sessions[s->cur];
	double et = sim_et(s);

	if (s->state != ST_RUNNING || et >= sess_len(s))
		return 8;
	if (kind != S_RACE)
		return 5;
	return et < 10 ? 0 : et < 35 ? 2 : et < 52 ? 3 : et < s->green_at ? 4 : 5;
}

static void
sim_render_session(struct sim *s, const struct view *v, struct buf *b)
{
	const struct car	*p = sim_player(s, v);
	double			 et = sim_et(s), len = sess_len(s);
	int			 phase = sim_phase(s);
	double			 amb = 21.0 + 2.0 * sin(s->t / 3000.0);

	buf_printf(b, "{\"ambientTemp\":%.3f,\"averagePathWetness\":0.0,\"currentEventTime\":%.1f,"
	    "\"darkCloud\":0.0,\"endEventTime\":%.1f,\"gameMode\":\"UNKNOWN\",\"gamePhase\":%d,"
	    "\"inRealtime\":%s,\"lapDistance\":%.3f,\"maxPathWetness\":0.0,\"maxPlayers\":%d,"
	    "\"maxTime\":%.1f,\"maximumLaps\":4294967295,\"minPathWetness\":0.0,"
	    "\"numRedLights\":4,\"numberOfPlayers\":%d,\"numberOfVehicles\":%d,"
	    "\"passwordProtected\":false",
	    amb, et, len, phase, p && p->driver == 0 ? "true" : "false", s->len,
	    s->o.online ? 40 : 1, len, s->o.online ? s->ncars : 1, s->ncars);
	jstr(b, "playerFileName", p ? p->drivers[0] : "Spectator", 1);
	jstr(b, "playerName", p ? p->drivers[0] : "Spectator", 1);
	buf_printf(b, ",\"raceCompletion\":{\"timeCompletion\":%.3f},\"raining\":0.0,"
	    "\"sectorFlag\":[\"UNKNOWN\",\"UNKNOWN\",\"UNKNOWN\"]", len > 0 ? fmin(et / len, 1.0) : -1);
	jstr(b, "serverName", s->o.online ? "Trackside Sim" : "", 1);
	buf_printf(b, ",\"serverPort\":%d", s->o.online ? 64297 : 0);
	jstr(b, "session", sess_names[s->sessions[s->cur]], 1);
	buf_printf(b, ",\"startEventTime\":%.1f,\"startLightFrame\":0,"
	    "\"timeRemainingInGamePhase\":%.3f", s->green_at, fmax(0, len - et));
	jstr(b, "trackName", s->track, 1);
	buf_printf(b, ",\"trackTemp\":%.4f,\"windSpeed\":{\"velocity\":1.2,\"x\":0.8,\"y\":0.0,"
	    "\"z\":-0.9},\"yellowFlagState\":\"NONE\"}", amb + 6.0);
}

static void
sim_render_gamestate(struct sim *s, const struct view *v, struct buf *b)
{
	static const char *const gp[] = { "GPHASE_BEFORE", "GPHASE_FORMATION", "GPHASE_GREEN",
		"GPHASE_CHECKERED" };
	int		 in = sim_in_session(s, v), phase = in ? sim_phase(s) : 0;
	const struct car *p = in ? sim_player(s, v) : NULL;
	const char	*ms, *tvs;
	int		 driving = p && p->driver == 0 && !p->in_garage && !p->finished;

	if (!in)
		ms = s->state == ST_LOADING && sim_progress(s) >= v->join_at &&
		    (v->leave_at >= 1 || sim_progress(s) < v->leave_at) ? "LOADING" : "MONITOR_MENU";
	else if (s->loading)
		ms = "LOADING";
	else if (p && p->finished && s->sessions[s->cur] == S_RACE)
		ms = "END_OF_RACE_GRACE";
	else
		ms = driving ? "DRIVING" : "MONITOR_MENU";
	tvs = p == NULL ? "NO VEHICLE" : p->driver == 0 ? "IN CONTROL" : "OTHER TEAMMATE DRIVING";
	buf_printf(b, "{\"MultiStintState\":\"%s\"", ms);
	if (in && p)
		buf_printf(b, ",\"PitEntryDist\":%.3f,\"PitState\":\"%s\"", s->len * 0.93,
		    pit_names[p->pit]);
	buf_printf(b, ",\"closeestWeatherNode\":{\"Duration\":-1,\"Humidity\":45,\"RainChance\":0,"
	    "\"Sky\":1,\"StartTime\":-1,\"Temperature\":%d,\"WindDirection\":0,\"WindSpeed\":1},"
	    "\"exitGarageState\":\"None\","
	    "\"gamePhase\":\"%s\",\"haveILoadedAllMyTiresYet\":%s,\"inControlOfVehicle\":%s,"
	    "\"inMonitor\":%s,\"isReplayActive\":%s,\"playerVehicleLoaded\":%s,"
	    "\"raceFinished\":%s,\"teamVehicleState\":\"%s\",\"timeOfDay\":%.1f}",
	    (int)(21.0 + 2.0 * sin(s->t / 3000.0)),
	    gp[phase >= 8 ? 3 : phase >= 5 ? 2 : phase >= 3 ? 1 : 0], p ? "true" : "false",
	    driving ? "true" : "false", driving ? "false" : "true", s->replay ? "true" : "false",
	    p ? "true" : "false", in && phase == 8 && s->sessions[s->cur] == S_RACE ? "true" : "false",
	    tvs, fmod(43200.0 + s->t, 86400.0));
}

static void
sim_render_standings(struct sim *s, const struct view *v, struct buf *b)
{
	static const char *const sectors[] = { "SECTOR1", "SECTOR2", "SECTOR3" };
	double et = sim_et(s);

	buf_putc(b, '[');
	for (int i = 0; i < s->ncars; i++) {
		const struct car *c = &s->cars[i];
		struct pt p;
		double dx, dz, into = et - c->lap_start, speed;
		int player = c->slot == v->slot;
		int sector = c->cur[0] < 0 ? 0 : c->cur[1] < 0 ? 1 : 2;
		int parked = c->finished || c->dnf || c->pit == PIT_STOPPED || c->in_garage ||
		    et < s->green_at;
		/* lapStartET: the green flag for a car still on its way to the line */
		double lap_start = into >= 0 ? c->lap_start : et >= s->green_at ? s->green_at : 0.0;

		sim_where(s, c->dist, &p, &dx, &dz);
		if (c->pit == PIT_ENTERING || c->pit == PIT_STOPPED || (c->out_lap && into < c->exit_at))
			p.x -= 18.0 * dz, p.z += 18.0 * dx;
		speed = parked ? 0.0 : c->out_lap && into < c->exit_at ? 22.0 :
		    s->len / c->lap_t * (0.85 + 0.3 * sin(c->dist / 180.0));
		buf_printf(b, "%s{\"attackMode\":{\"remainingCount\":0,\"timeRemaining\":0,"
		    "\"totalCount\":0},\"bestLapSectorTime1\":%.4f,\"bestLapSectorTime2\":%.4f,"
		    "\"bestLapTime\":%.4f,\"bestSectorTime1\":%.4f,\"bestSectorTime2\":%.4f,"
		    "\"carAcceleration\":{\"velocity\":%.3f,\"x\":%.3f,\"y\":0.0,\"z\":%.3f}",
		    i ? "," : "", c->best_s[0], c->best_s[1], c->best,
		    c->best_sec[0], c->best_sec[0] > 0 && c->best_sec[1] > 0 ?
		    c->best_sec[0] + c->best_sec[1] : -1.0,
		    parked ? 0.0 : 2.0, parked ? 0.0 : 1.4 * dx, parked ? 0.0 : 1.4 * dz);
		jstr(b, "carClass", klasses[c->klass].name, 1);
		jstr(b, "carId", c->team_id, 1);
		jstr(b, "carNumber", c->number, 1);
		buf_printf(b, ",\"carPosition\":{\"type\":-1,\"x\":%.3f,\"y\":%.3f,\"z\":%.3f},"
		    "\"carVelocity\":{\"velocity\":%.3f,\"x\":%.3f,\"y\":0.0,\"z\":%.3f},"
		    "\"countLapFlag\":\"COUNT_LAP_AND_TIME\",\"currentSectorTime1\":%.4f,"
		    "\"currentSectorTime2\":%.4f",
		    p.x, p.y, p.z, speed, speed * dx, speed * dz, c->cur[0], c->cur[1]);
		jstr(b, "driverName", c->drivers[c->driver], 1);
		buf_printf(b, ",\"drsActive\":false,\"estimatedLapTime\":%.4f,\"finishStatus\":\"%s\","
		    "\"flag\":\"%s\",\"focus\":%s,\"fuelFraction\":%.4f",
		    c->best > 0 ? c->best : c->pace, c->dnf ? "FSTAT_DNF" : c->flag ?
		    "FSTAT_FINISHED" : "FSTAT_NONE", c->lead_laps >= 1 ? "BLUE" : "GREEN",
		    player ? "true" : "false", player ? 1.0 : fmax(0, c->fuel));
		jstr(b, "fullTeamName", c->team, 1);
		buf_printf(b, ",\"gamePhase\":\"%s\",\"hasFocus\":%s,\"headlights\":false,"
		    "\"inControl\":%d,\"inGarageStall\":%s,\"lapDistance\":%.3f,\"lapStartET\":%.3f,"
		    "\"lapsBehindClassLeader\":%d,\"lapsBehindLeader\":%d,\"lapsBehindNext\":%d,"
		    "\"lapsCompleted\":%d,\"lastLapTime\":%.4f,\"lastSectorTime1\":%.4f,"
		    "\"lastSectorTime2\":%.4f,\"pathLateral\":%.3f,\"penalties\":0",
		    sim_phase(s) >= 5 ? "GREEN" : "FORMATION", player ? "true" : "false",
		    player ? 0 : 2, c->in_garage ? "true" : "false", fmod(c->dist, s->len),
		    lap_start, (int)c->gaps[2][1], (int)c->gaps[0][1], (int)c->gaps[1][1], c->laps,
		    c->last, c->last_s[0], c->last_s[1],
		    2.0 * sin(c->dist / 90.0 + c->slot));
		buf_printf(b, ",\"pitGroup\":\"Group%d\",\"pitLapDistance\":%.3f,\"pitState\":\"%s\","
		    "\"pitstops\":%d,\"pitting\":%s,\"player\":%s,\"position\":%d,"
		    "\"qualification\":%d,\"sector\":\"%s\",\"serverScored\":true,\"slotID\":%d,"
		    "\"steamID\":%lld,\"timeBehindClassLeader\":%.3f,\"timeBehindLeader\":%.3f,"
		    "\"timeBehindNext\":%.3f,\"timeIntoLap\":%.3f,\"trackEdge\":%.3f,"
		    "\"underYellow\":false,\"upgradePack\":\"00000000000000000000000000000000\","
		    "\"veFraction\":%.4f",
		    c->slot + 1, s->len * 0.95, pit_names[c->pit], c->pitstops > 0 ? c->pitstops : 0,
		    (c->pit >= PIT_ENTERING && c->pit <= PIT_STOPPED) || c->in_garage ? "true" : "false",
		    player ? "true" : "false", c->position, c->position, sectors[sector],
		    c->slot, c->steam_id, c->gaps[2][0], c->gaps[0][0], c->gaps[1][0],
		    fmax(0, into), 6.0, fmax(0, c->ve));
		jstr(b, "vehicleFilename", c->veh_file, 1);
		jstr(b, "vehicleName", c->veh_name, 1);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

static void
sim_render_teams(struct sim *s, struct buf *b)
{
	buf_printf(b, "{\"coherenceId\":%d,\"drivers\":{", 9800 + s->coherence);
	for (int i = 0; i < s->ncars; i++)
		for (int d = 0; d < s->cars[i].ndrivers; d++) {
			const struct car *c = &s->cars[i];
			buf_puts(b, i || d ? ",\"" : "\"");
			esc_json(b, c->drivers[d], strlen(c->drivers[d]));
			buf_puts(b, "\":{\"badge\":\"none\",\"isConnected\":true");
			jstr(b, "nationality", c->nats[d], 1);
			buf_puts(b, ",\"roles\":[\"Race Engineer\",\"Driver\"]");
			jstr(b, "teamId", c->team_id, 1);
			jstr(b, "teamName", c->team, 1);
			buf_printf(b, ",\"uniqueTeamId\":\"utid%d\"}", c->slot);
		}
	buf_puts(b, ",\"admin\":{\"isConnected\":true,\"nationality\":\"\",\"roles\":[\"Admin\"]}},"
	    "\"teams\":{");
	for (int i = 0; i < s->ncars; i++) {
		const struct car *c = &s->cars[i];
		buf_printf(b, "%s\"utid%d\":{", i ? "," : "", c->slot);
		jstr(b, "Id", c->team_id, 0);
		jstr(b, "carNumber", c->number, 1);
		buf_puts(b, ",\"drivers\":{");
		for (int d = 0; d < c->ndrivers; d++) {
			buf_puts(b, d ? ",\"" : "\"");
			esc_json(b, c->drivers[d], strlen(c->drivers[d]));
			buf_puts(b, "\":{\"badge\":\"none\"");
			jstr(b, "nationality", c->nats[d], 1);
			buf_puts(b, ",\"roles\":[\"Race Engineer\",\"Driver\"]}");
		}
		buf_putc(b, '}');
		jstr(b, "name", c->team, 1);
		jstr(b, "vehicle", c->veh_file, 1);
		buf_putc(b, '}');
	}
	buf_puts(b, "}}");
}

static void
sim_render_chat(struct sim *s, struct buf *b)
{
	buf_putc(b, '[');
	for (int i = 0; i < s->nchat; i++) {
		unsigned long long ticks = (unsigned long long)((s->wall0 + s->chat[i].at) * 1e7);
		buf_puts(b, i ? ",{\"message\":\"" : "{\"message\":\"");
		esc_json(b, s->chat[i].text, strlen(s->chat[i].text));
		buf_printf(b, "\",\"timestamp\":%llu}", ticks);
	}
	buf_putc(b, ']');
}

static void
tyres_json(struct buf *b, int changed, int compound, int is_new, const double *usage)
{
	static const char *const comp[] = { "Soft", "Medium", "Hard" };
	static const char *const wheel[] = { "fl", "fr", "rl", "rr" };

	buf_putc(b, '{');
	for (int w = 0; w < 4; w++) {
		buf_printf(b, "%s\"%s\":{\"changed\":%s,\"compound\":\"%s\",\"new\":%s", w ? "," : "",
		    wheel[w], changed ? "true" : "false", comp[compound], is_new ? "true" : "false");
		if (usage)
			buf_printf(b, ",\"usage\":%.1f", usage[w]);
		buf_putc(b, '}');
	}
	buf_putc(b, '}');
}

static void
sim_render_strategy(struct sim *s, const struct view *v, struct buf *b)
{
	buf_putc(b, '[');
	for (int i = 0; i < s->ncars; i++) {
		const struct car *c = &s->cars[i];
		int player = c->slot == v->slot;
		buf_puts(b, i ? ",[\"" : "[\"");
		esc_json(b, c->team, strlen(c->team));
		buf_puts(b, "\",[{\"driver\":\"");
		esc_json(b, c->drivers[0], strlen(c->drivers[0]));
		buf_puts(b, "\",\"driverSwap\":false");
		if (player)
			buf_puts(b, ",\"fuel\":1.0");
		buf_puts(b, ",\"lap\":0,\"penalty\":false,\"previousStintDuration\":0.0,\"time\":0.0,"
		    "\"tyres\":");
		tyres_json(b, 0, 1, 1, player ? (const double[4]){ 0, 0, 0, 0 } : NULL);
		buf_puts(b, ",\"ve\":1.0}");
		for (int k = 0; k < c->nstops; k++) {
			const struct stop *st = &c->stops[k];
			buf_puts(b, ",{\"driver\":\"");
			esc_json(b, c->drivers[st->driver], strlen(c->drivers[st->driver]));
			buf_printf(b, "\",\"driverSwap\":%s", st->swap ? "true" : "false");
			if (player)
				buf_printf(b, ",\"fuel\":%.4f", st->fuel);
			buf_printf(b, ",\"lap\":%d,\"penalty\":false,\"previousStintDuration\":%.3f,"
			    "\"time\":%.3f,\"tyres\":", st->lap, st->prev_stint, st->time);
			tyres_json(b, st->tyres_changed, st->compound, st->tyres_changed,
			    player ? (const double[4]){ 0, 0, 0, 0 } : NULL);
			buf_printf(b, ",\"ve\":%.4f}", st->ve);
		}
		buf_puts(b, "]]");
	}
	buf_putc(b, ']');
}

static void
sim_render_usage(struct sim *s, const struct view *v, struct buf *b)
{
	int first = 1;

	buf_putc(b, '{');
	for (int i = 0; i < s->ncars; i++) {
		const struct car *c = &s->cars[i];
		int player = c->slot == v->slot;
		for (int d = 0; d < c->ndrivers; d++) {
			int any = 0;
			for (int k = 0; k < c->nlaplog; k++)
				any |= c->laplog[k].driver == d;
			if (!any)
				continue;
			buf_puts(b, first ? "\"" : ",\"");
			first = 0;
			esc_json(b, c->drivers[d], strlen(c->drivers[d]));
			buf_puts(b, "\":[");
			int n = 0;
			for (int k = 0; k < c->nlaplog; k++) {
				const struct laprec *r = &c->laplog[k];
				if (r->driver != d)
					continue;
				buf_printf(b, "%s{\"lap\":%d,\"pit\":%s,\"stint\":%d,\"ve\":%.4f", n++ ? "," : "",
				    k + 1, r->pit ? "true" : "false", r->stint, fmax(0, r->ve));
				if (player)
					buf_printf(b, ",\"fuel\":%.4f,\"tyres\":[%.1f,%.1f,%.1f,%.1f]",
					    fmax(0, r->fuel) * 100.0, 100 - r->wear[0], 100 - r->wear[1],
					    100 - r->wear[2], 100 - r->wear[3]);
				buf_putc(b, '}');
			}
			buf_putc(b, ']');
		}
	}
	buf_putc(b, '}');
}

static void
sim_render_history(struct sim *s, struct buf *b)
{
	buf_putc(b, '{');
	for (int i = 0; i < s->ncars; i++) {
		const struct car *c = &s->cars[i];
		buf_printf(b, "%s\"%d\":[", i ? "," : "", c->slot);
		for (int k = 0; k < c->nlaplog; k++) {
			const struct laprec *r = &c->laplog[k];
			buf_printf(b, "%s{", k ? "," : "");
			jstr(b, "carClass", klasses[c->klass].name, 0);
			jstr(b, "driverName", c->drivers[r->driver], 1);
			buf_printf(b, ",\"finishStatus\":\"FSTAT_NONE\",\"lapTime\":%.4f,\"pitting\":%s,"
			    "\"position\":%d,\"sectorTime1\":%.4f,\"sectorTime2\":%.4f,\"slotID\":%d,"
			    "\"totalLaps\":%d", r->time, r->pit ? "true" : "false", r->position, r->s1,
			    r->s1 > 0 && r->s2 > 0 ? r->s2 - r->s1 : -1.0, c->slot, k + 1);
			jstr(b, "vehicleName", c->veh_name, 1);
			buf_putc(b, '}');
		}
		buf_putc(b, ']');
	}
	buf_putc(b, '}');
}

static void
sim_render_trackmap(struct sim *s, struct buf *b)
{
	int first = 1;

	buf_putc(b, '[');
	for (size_t i = 0; i < s->nline; i++, first = 0)
		buf_printf(b, "%s{\"type\":0,\"x\":%.3f,\"y\":%.3f,\"z\":%.3f}", first ? "" : ",",
		    s->line[i].x, s->line[i].y, s->line[i].z);
	for (size_t i = 0; i < s->npit; i++)
		buf_printf(b, ",{\"type\":1,\"x\":%.3f,\"y\":%.3f,\"z\":%.3f}", s->pitlane[i].x,
		    s->pitlane[i].y, s->pitlane[i].z);
	for (int i = 0; i < s->ncars && i < 104; i++) {
		/* grid boxes behind the line, staggered; pit boxes along the lane */
		struct pt p;
		double dx, dz, lat = i % 2 ? 4.0 : -4.0;
		sim_where(s, s->len - 12.0 - 8.0 * i, &p, &dx, &dz);
		for (int k = 0; k < 2; k++)
			buf_printf(b, ",{\"type\":%d,\"x\":%.3f,\"y\":%.3f,\"z\":%.3f}", 2 + i,
			    p.x - lat * dz + k * 3.0 * dx, p.y, p.z + lat * dx + k * 3.0 * dz);
	}
	for (int i = 0; i < s->ncars && i < 105; i++) {
		struct pt p;
		double dx, dz;
		sim_where(s, s->len * 0.96 + 10.0 * i, &p, &dx, &dz);
		for (int k = 0; k < 2; k++)
			buf_printf(b, ",{\"type\":%d,\"x\":%.3f,\"y\":%.3f,\"z\":%.3f}", 106 + i,
			    p.x - (24.0 + 4.0 * k) * dz, p.y, p.z + (24.0 + 4.0 * k) * dx);
	}
	buf_putc(b, ']');
}

/*
 * Answers endpoint ep as seen from view v. Returns the HTTP status; out
 * holds the body for 200.
 */
int
sim_render(struct sim *s, int ep, const struct view *v, struct buf *out)
{
	int in = sim_in_session(s, v);

	switch (ep) {
	case EP_JOINSTATE:
		buf_puts(out, in && s->o.online ? "\"JOIN_JOINED_SERVER\"" : "\"JOIN_IDLE\"");
		return 200;
	case EP_GAMESTATE:
		sim_render_gamestate(s, v, out);
		return 200;
	case EP_PROFILE: {
		const struct car *p = sim_player(s, v);
		const char *name = p ? p->drivers[0] : "Spectator";
		buf_puts(out, "{\"language\":\"en\"");
		jstr(out, "name", name, 1);
		jstr(out, "nationality", p ? p->nats[0] : "", 1);
		jstr(out, "nick", name, 1);
		buf_printf(out, ",\"steamID\":\"%lld\"}", p ? p->steam_id : 76561198000000001LL);
		return 200;
	}
	default:
		break;
	}
	if (!in)
		return 503;
	switch (ep) {
	case EP_SESSIONINFO:
		sim_render_session(s, v, out);
		return 200;
	case EP_STANDINGS:
		if (sim_et(s) < SIM_STALE && s->stale.len > 0) {
			buf_add(out, s->stale.p, s->stale.len);
			return 200;
		}
		sim_render_standings(s, v, out);
		return 200;
	case EP_TEAMS:
		if (!s->o.online)
			return 404;
		sim_render_teams(s, out);
		return 200;
	case EP_CHAT:
		sim_render_chat(s, out);
		return 200;
	case EP_STRATEGY:
		if (s->sessions[s->cur] != S_RACE)
			return 404;
		sim_render_strategy(s, v, out);
		return 200;
	case EP_USAGE:
		sim_render_usage(s, v, out);
		return 200;
	case EP_HISTORY:
		sim_render_history(s, out);
		return 200;
	case EP_TRACKMAP:
		sim_render_trackmap(s, out);
		return 200;
	case EP_SCHEDULE:
		buf_puts(out, "{\"scheduledSessions\":[");
		for (int i = 0; i < s->nsess; i++)
			buf_printf(out, "%s{\"airTemp\":21,\"lengthTime\":%d,\"name\":\"%s\","
			    "\"rainChance\":0}", i ? "," : "", (int)s->o.minutes[s->sessions[i]],
			    sched_names[s->sessions[i]]);
		buf_puts(out, "]}");
		return 200;
	default:
		return 404;
	}
}
