/*
 * A simulated race weekend, game-neutral (race.h): N cars in classes on a
 * procedurally generated closed circuit, lap and sector times with noise
 * and mistakes, pit stops with fuel, virtual energy, tyres and driver
 * swaps, penalties (drive-through, stop-go) and full-course yellows in
 * races, garage runs in practice and qualifying, chat lines, and the
 * session transitions practice -> qualifying -> race with loading screens
 * between them. Gaps, intervals and laps behind (leader, car ahead, class
 * leader) come from where the cars are. What a game says of it, and its
 * quirks, is each game's file: sim_lmu.c, sim_ac.c.
 *
 * The model advances in fixed steps of game time, so a seed and a game time
 * always give the same weekend.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "race.h"

#define RACE_LOAD	20.0		/* s of loading screen between sessions */
#define RACE_RESULTS	40.0		/* s of results after the last car finished */
#define PT_STEP		5.0		/* m between track map points */
#define START_ACC	4.0		/* m/s2 off the grid at a standing start */

const struct race_klass race_klasses[] = {
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
#define NKLASS (sizeof(race_klasses) / sizeof(race_klasses[0]))

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


/* xorshift64*: deterministic for a seed. */
static double
rnd_of(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return (double)((*x * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static double
rnd(struct race *s)
{
	return rnd_of(&s->rng);
}

/*
 * Penalties and yellows draw from numbers of their own, so that a weekend
 * without them is the weekend it always was for its seed.
 */
static double
irnd(struct race *s)
{
	return rnd_of(&s->irng);
}

static double
gauss(struct race *s)
{
	double u = rnd(s) + 1e-12, v = rnd(s);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static int
pick(struct race *s, int n)
{
	int i = (int)(rnd(s) * n);

	return i >= n ? n - 1 : i;
}

/* Game time into the current session (ET). */
double
race_et(const struct race *s)
{
	return s->t - s->sess_start;
}

/* The kind of the current session (enum race_sess), -1 before the first. */
int
race_kind(const struct race *s)
{
	return s->cur >= 0 ? s->sessions[s->cur] : -1;
}

/* The length of the current session, game seconds. */
double
race_sess_len(const struct race *s)
{
	return s->o.minutes[s->sessions[s->cur]] * 60.0;
}

/*
 * A closed circuit: a star-shaped curve r(a) = R (1 + sum of a few
 * harmonics), scaled to the wanted length and sampled every PT_STEP metres,
 * and a pit lane running parallel around the start line.
 */
static int
race_track(struct race *s)
{
	double	 amp[6], ph[6], len = 0, R, px = 0, pz = 0;
	size_t	 n, fine = 20000;
	double	*cum;
	struct race_pt *pts;

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
		const struct race_pt *a = &s->line[i], *b = &s->line[(i + 1) % n];
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
void
race_where(const struct race *s, double d, struct race_pt *p, double *dx, double *dz)
{
	double	 f = fmod(d, s->len) / PT_STEP;
	size_t	 i;

	if (f < 0)
		f += (double)s->nline;
	i = (size_t)f % s->nline;
	f -= floor(f);
	const struct race_pt *a = &s->line[i], *b = &s->line[(i + 1) % s->nline];
	p->x = a->x + f * (b->x - a->x);
	p->y = a->y + f * (b->y - a->y);
	p->z = a->z + f * (b->z - a->z);
	*dx = (b->x - a->x) / PT_STEP;
	*dz = (b->z - a->z) / PT_STEP;
}

static int
race_classes(struct race *s, int counts[NKLASS], struct buf *err)
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
		if (colon == NULL || !num_parse_ll(colon + 1, 0, RACE_MAX_CARS, &n)) {
			buf_printf(err, "--classes: \"%s\" is not CLASS:COUNT", tok);
			return 0;
		}
		*colon = '\0';
		for (k = 0; k < NKLASS; k++)
			if (strcmp(race_klasses[k].name, tok) == 0)
				break;
		if (k == NKLASS) {
			buf_printf(err, "--classes: unknown class \"%s\" (Hyper, LMP2, LMP3, GTE, GT3)",
			    tok);
			return 0;
		}
		counts[k] += (int)n;
		total += (int)n;
	}
	if (total < 1 || total > RACE_MAX_CARS) {
		buf_printf(err, "--classes: 1 to %d cars in all", RACE_MAX_CARS);
		return 0;
	}
	s->o.cars = total;
	return 1;
}

static void
car_name_driver(struct race *s, struct race_car *c, int i)
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
 * Creates the weekend. Returns 1 with *out (race_free() releases it), 0 with
 * a message in err for bad options, -1 when memory runs out.
 */
int
race_new(struct race **out, const struct race_opts *o, struct buf *err)
{
	struct race	*s;
	int		 counts[NKLASS], used[1000];
	char		 tmp[64], *tok, *save = NULL;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->o = *o;
	if (s->o.max_drivers < 1 || s->o.max_drivers > 3)
		s->o.max_drivers = 3;
	if (s->o.mistakes <= 0)
		s->o.mistakes = 0.03;
	s->rng = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)o->seed * 0x100000001B3ULL);
	if (s->rng == 0)
		s->rng = 1;
	for (int i = 0; i < 8; i++)
		rnd(s);
	s->irng = s->rng ^ 0xD1B54A32D192ED03ULL;
	if (s->irng == 0)
		s->irng = 1;
	for (int i = 0; i < 8; i++)
		irnd(s);
	snprintf(tmp, sizeof(tmp), "%s", o->sessions);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int k = strcmp(tok, "P") == 0 ? RS_PRACTICE : strcmp(tok, "Q") == 0 ? RS_QUALIFY :
		    strcmp(tok, "R") == 0 ? RS_RACE : -1;
		if (k < 0 || s->nsess == RS__MAX || (s->nsess > 0 && k <= s->sessions[s->nsess - 1])) {
			buf_printf(err, "--sessions: use P, Q and R in this order, e.g. P,Q,R or Q,R");
			race_free(s);
			return 0;
		}
		s->sessions[s->nsess++] = k;
	}
	if (s->nsess == 0) {
		buf_printf(err, "--sessions: at least one of P, Q, R");
		race_free(s);
		return 0;
	}
	if (!race_classes(s, counts, err)) {
		race_free(s);
		return 0;
	}
	if (race_track(s) < 0) {
		race_free(s);
		return -1;
	}
	snprintf(s->track, sizeof(s->track), "Trackside Park %u", o->seed % 100);
	s->wall0 = time_now();
	memset(used, 0, sizeof(used));
	double ref = s->len / 56.0;	/* a Hyper lap */
	for (size_t k = 0; k < NKLASS; k++)
		for (int i = 0; i < counts[k]; i++) {
			struct race_car *c = &s->cars[s->ncars];
			int num;
			memset(c, 0, sizeof(*c));
			c->slot = s->ncars;
			c->klass = (int)k;
			c->make = pick(s, race_klasses[k].nmakes);
			do
				num = 1 + pick(s, 999);
			while (used[num]);
			used[num] = 1;
			snprintf(c->number, sizeof(c->number), "%d", num);
			snprintf(c->veh_file, sizeof(c->veh_file), "%d_25_%s", num, race_klasses[k].makes[c->make]);
			snprintf(c->veh_name, sizeof(c->veh_name), "%s #%d", race_klasses[k].models[c->make], num);
			c->ndrivers = s->sessions[s->nsess - 1] == RS_RACE ? 1 + pick(s, s->o.max_drivers) : 1;
			for (int d = 0; d < c->ndrivers; d++)
				car_name_driver(s, c, d);
			snprintf(c->team, sizeof(c->team), "%.40s %s #%d",
			    race_klasses[k].models[c->make], race_klasses[k].name, num);
			snprintf(c->team_id, sizeof(c->team_id), "%d", 29 + c->slot);
			c->steam_id = 76561198000000000LL + (long long)(rnd(s) * 900000000.0);
			c->pace = ref * race_klasses[k].factor * (1.0 + 0.012 * gauss(s));
			c->sect[0] = 0.31 + 0.03 * rnd(s);
			c->sect[1] = c->sect[0] + 0.33 + 0.03 * rnd(s);
			c->compound = 1;
			s->ncars++;
		}
	for (int i = 0; i < s->nsess; i++)
		s->total += s->o.minutes[s->sessions[i]] * 60.0 + RACE_LOAD + RACE_RESULTS + 90;
	s->cur = -1;
	s->state = RST_LOADING;
	s->load_until = 5.0;	/* the game starts loading the first session */
	*out = s;
	return 1;
}

void
race_free(struct race *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->ncars; i++)
		free(s->cars[i].laplog);
	free(s->line);
	free(s->pitlane);
	free(s);
}

/* The slot of a car a player of the demo drives: which 0 or 1. */
int
race_default_player(const struct race *s, int which)
{
	int want = which == 0 ? s->ncars / 3 : (2 * s->ncars) / 3;

	if (want >= s->ncars)
		want = s->ncars - 1;
	return s->cars[want].slot;
}

/* How far the weekend is, 0 to 1. */
double
race_progress(const struct race *s)
{
	double p = s->total > 0 ? s->t / s->total : 1;

	return s->state == RST_DONE ? 1 : p > 1 ? 1 : p;
}

/* A chat line: car is the index of who said it, -1 for a notice. */
static void
chat_add(struct race *s, int car, const char *said, const char *text)
{
	if (s->nchat == RACE_MAX_CHAT) {
		memmove(s->chat, s->chat + 1, (RACE_MAX_CHAT - 1) * sizeof(s->chat[0]));
		s->nchat--;
	}
	snprintf(s->chat[s->nchat].text, sizeof(s->chat[0].text), "%s", text);
	snprintf(s->chat[s->nchat].said, sizeof(s->chat[0].said), "%s", said);
	s->chat[s->nchat].car = car;
	s->chat[s->nchat].at = s->t;
	s->nchat++;
	s->chat_total++;
}

/* Whether a full-course yellow is out at et: its index + 1, or 0. */
int
race_fcy(const struct race *s, double et)
{
	if (s->cur < 0 || s->sessions[s->cur] != RS_RACE)
		return 0;
	for (int i = 0; i < s->nfcy; i++)
		if (et >= s->fcy[i].from && et < s->fcy[i].to)
			return i + 1;
	return 0;
}

/* Seconds of [from, from + len) under a full-course yellow. */
static double
fcy_overlap(const struct race *s, double from, double len)
{
	double in = 0;

	for (int i = 0; i < s->nfcy; i++) {
		double a = fmax(from, s->fcy[i].from), b = fmin(from + len, s->fcy[i].to);
		if (b > a)
			in += b - a;
	}
	return in;
}

/* Plans the lap that starts now for car c. */
static void
car_plan_lap(struct race *s, struct race_car *c, double start)
{
	enum race_sess kind = s->sessions[s->cur];
	double t = c->pace * (1.0 + 0.004 * gauss(s));

	t *= 1.0 + 0.015 * (1.0 - (c->tyres_new ? 1.0 : 0.6)) + 0.01 * (c->wear[0] / 100.0);
	if (kind == RS_QUALIFY)
		t *= 0.99;
	/* behind the safety car a lap takes about 140 % */
	if (kind == RS_RACE && s->nfcy > 0)
		t += 0.4 * fcy_overlap(s, start, t);
	c->valid = 1;
	if (rnd(s) < s->o.mistakes) {	/* a mistake: time lost, lap maybe invalid */
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

/*
 * A visit only to serve a penalty at the end of this lap: a drive-through
 * of the lane, or a stop-go that stands still and leaves without service.
 */
static void
car_penalty_visit(struct race *s, struct race_car *c, enum race_pen kind)
{
	c->pit_lap = c->laps + 1;
	c->pit = PIT_REQUEST;
	c->garage = 0;
	c->swap_to = -1;
	c->visit = c->serve = kind;
	c->next_compound = c->compound;
	c->stop_len = kind == PEN_SG ? 10.0 + 2.0 * irnd(s) : 0.0;
}

/* Whether the car's stop at the end of this lap is due, and what it does. */
static void
car_decide_stop(struct race *s, struct race_car *c)
{
	enum race_sess kind = s->sessions[s->cur];
	enum race_pen serve = PEN_NONE;

	if (c->pit_lap > c->laps || c->out_lap || c->finished || c->dnf)
		return;	/* planned, under way (it refuels at the release), or over */
	if (c->penalties > 0 && c->pen_due > 0 && c->laps + 1 >= c->pen_due)
		serve = c->pens[c->npens - 1].kind;
	c->visit = c->serve = PEN_NONE;
	if (kind == RS_RACE) {
		if (c->fuel - c->burn * 1.3 > 0 && c->ve - c->ve_burn * 1.3 > 0) {
			if (serve != PEN_NONE)
				car_penalty_visit(s, c, serve);
			return;
		}
	} else if (--c->run_laps > 0)
		return;
	c->pit_lap = c->laps + 1;
	c->pit = PIT_REQUEST;
	c->garage = kind != RS_RACE;
	c->swap_to = -1;
	if (serve == PEN_SG)
		c->serve = serve;	/* a drive-through waits for a lap of its own */
	if (c->ndrivers > 1 && (kind == RS_RACE ? c->nstops % 2 == 1 || rnd(s) < 0.4 : rnd(s) < 0.5))
		c->swap_to = (c->driver + 1) % c->ndrivers;
	c->stop_len = kind == RS_RACE ? 22.0 + 4.0 * rnd(s) : 60.0 + 120.0 * rnd(s);
	c->tyres_new = kind != RS_RACE || rnd(s) < 0.75;
	c->next_compound = kind == RS_QUALIFY ? 0 : kind == RS_PRACTICE ? pick(s, 2) :
	    rnd(s) < 0.5 ? 1 : rnd(s) < 0.6 ? 2 : 0;
	if (c->tyres_new && kind == RS_RACE)
		c->stop_len += 8.0;
	if (c->swap_to >= 0)
		c->stop_len += 6.0;
	if (c->serve == PEN_SG)
		c->stop_len += 10.0;
}

static void
car_laplog(struct race_car *c, double at, double s1, double s2, int pit)
{
	struct race_lap *r;

	if (c->nlaplog >= RACE_MAX_LAPS)
		return;
	if (c->nlaplog % 64 == 0) {
		struct race_lap *n = realloc(c->laplog, (size_t)(c->nlaplog + 64) * sizeof(*n));
		if (n == NULL)
			return;
		c->laplog = n;
	}
	r = &c->laplog[c->nlaplog++];
	r->time = c->last;
	r->took = c->lap_t;
	r->at = at;
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
car_cross(struct race *s, struct race_car *c, double at)
{
	enum race_sess kind = s->sessions[s->cur];
	double et_end = race_sess_len(s);
	int pit = c->pit_lap == c->laps + 1 || c->out_lap;

	if (at >= s->green_at || kind != RS_RACE) {
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
		car_laplog(c, at, c->last_s[0], c->last_s[1], pit);
	}
	if (c->pit == PIT_EXITING && !c->out_lap)
		c->pit = PIT_NONE;	/* EXITING lasts until the next line crossing */
	c->out_lap = 0;
	c->initial = 0;
	/* after the time: the leader takes the flag, then every car at its next crossing */
	if (at >= et_end && (kind != RS_RACE || s->flag_out || c->position == 1)) {
		s->flag_out = 1;
		c->finished = c->flag = 1;
		c->finish_t = at;
		c->pit = PIT_NONE;
		c->dist = 0;
		return;
	}
	if (kind == RS_RACE && rnd(s) < 0.002) {
		c->dnf = 1;
		c->finish_t = at;	/* it retires at the line: no lap begins */
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

/* The car serves its outstanding penalty now. */
static void
car_serve(struct race *s, struct race_car *c)
{
	for (int i = 0; i < c->npens; i++)
		if (c->pens[i].served_lap < 0) {
			c->pens[i].served_lap = c->laps;
			c->pens[i].served_at = race_et(s);
			c->penalties--;
			break;
		}
	c->serve = PEN_NONE;
	c->pen_due = c->penalties > 0 ? c->laps + 2 : 0;
}

/* The race's record of a stop: serviced or a stop-go only, served a penalty or not. */
static void
car_stop_log(struct race *s, struct race_car *c, int serviced, int penalty)
{
	struct race_stop *st;

	if (s->sessions[s->cur] != RS_RACE || c->nstops >= RACE_MAX_STOPS)
		return;
	st = &c->stops[c->nstops++];
	st->lap = c->laps;
	st->time = c->stop_len;
	st->prev_stint = race_et(s) - c->stint_start;
	st->driver = c->driver;
	st->swap = serviced && c->swap_to >= 0;
	st->tyres_changed = serviced && c->tyres_new;
	st->compound = c->compound;
	st->ve = c->ve;
	st->fuel = c->fuel;
	st->penalty = penalty;
	st->at = race_et(s);
	st->from = c->stint_driver;
	c->stint_driver = c->driver;
}

/* The stop: tyres, fuel, VE, driver; strategy and chat see it. */
static void
car_service(struct race *s, struct race_car *c)
{
	char		 msg[160];
	enum race_pen	 served = c->serve;

	if (served != PEN_NONE)
		car_serve(s, c);
	if (c->visit == PEN_DT) {
		c->visit = PEN_NONE;	/* through the lane: no stop */
		return;
	}
	if (c->visit != PEN_NONE) {
		/* a stop-go: standing still is all it does */
		c->visit = PEN_NONE;
		c->pitstops++;
		car_stop_log(s, c, 0, served != PEN_NONE);
		c->stint++;
		c->stint_start = race_et(s);
		return;
	}
	if (c->swap_to >= 0) {
		c->driver = c->swap_to;
		snprintf(msg, sizeof(msg), "%s Is now driving #%s %.60s", c->drivers[c->driver],
		    c->number, race_klasses[c->klass].models[c->make]);
		chat_add(s, -1, "", msg);
	}
	c->fuel = 1.0;
	c->ve = 1.0;
	if (c->tyres_new) {
		memset(c->wear, 0, sizeof(c->wear));
		c->compound = c->next_compound;
	}
	c->pitstops++;
	car_stop_log(s, c, 1, served != PEN_NONE);
	c->stint++;
	c->stint_start = race_et(s);
	if (s->sessions[s->cur] != RS_RACE)
		c->run_laps = s->sessions[s->cur] == RS_QUALIFY ? 4 + pick(s, 2) : 4 + pick(s, 6);
}

static void
car_step(struct race *s, struct race_car *c, double now)
{
	double	 into, base;

	if (c->finished || c->dnf)
		return;
	into = now - c->lap_start;
	if (into < 0) {
		/* on the grid, then off it to the line at the green flag */
		double since = fmax(0, now - s->green_at);
		c->dist = s->len - c->grid_d + 0.5 * START_ACC * since * since;
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
			if (c->swap_to >= 0 && fabs(into - mid) < 0.2)
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
	/* a penalty, given in the second sector of a lap on track */
	if (c->pen_plan > 0 && c->laps >= c->pen_plan && c->cur[0] >= 0 &&
	    c->pit_lap != c->laps + 1 && c->npens < RACE_MAX_PENS) {
		struct race_penalty *p = &c->pens[c->npens++];
		p->kind = c->pen_kind;
		p->lap = c->laps;
		p->at = now;
		p->served_lap = -1;
		p->served_at = -1;
		c->penalties++;
		c->pen_plan = 0;
		c->pen_due = c->laps + 2;
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
car_progress(const struct race *s, const struct race_car *c)
{
	double frac = fmod(c->dist, s->len) / s->len;

	if (c->finished)
		return c->laps;
	return c->started ? c->laps + frac : frac - 1.0;
}

static const struct race *cmp_race_of;

/* Race order: cars that retired last, the rest by progress, finishers by finish time. */
static int
cmp_race(const void *a, const void *b)
{
	const struct race_car *x = *(const struct race_car *const *)a;
	const struct race_car *y = *(const struct race_car *const *)b;
	double px = car_progress(cmp_race_of, x), py = car_progress(cmp_race_of, y);

	if (x->dnf != y->dnf)
		return x->dnf - y->dnf;
	if (x->finished && y->finished && x->laps == y->laps && x->finish_t != y->finish_t)
		return x->finish_t < y->finish_t ? -1 : 1;
	return px > py ? -1 : px < py ? 1 : x->slot - y->slot;
}

static int
cmp_best(const void *a, const void *b)
{
	const struct race_car *x = *(const struct race_car *const *)a;
	const struct race_car *y = *(const struct race_car *const *)b;
	double bx = x->best > 0 ? x->best : 1e9, by = y->best > 0 ? y->best : 1e9;

	return bx < by ? -1 : bx > by ? 1 : x->slot - y->slot;
}

/* Remembers where a running car is, once a second: its trail of progress over ET. */
static void
car_sample(const struct race *s, struct race_car *c, double et)
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
race_positions(struct race *s)
{
	struct race_car	*order[RACE_MAX_CARS], *cls_lead[NKLASS] = { NULL };
	int		 cls_n[NKLASS] = { 0 };
	int		 race = s->sessions[s->cur] == RS_RACE;
	double		 et = race_et(s);

	for (int i = 0; i < s->ncars; i++)
		order[i] = &s->cars[i];
	cmp_race_of = s;
	qsort(order, (size_t)s->ncars, sizeof(order[0]), race ? cmp_race : cmp_best);
	for (int i = 0; i < s->ncars; i++) {
		struct race_car *c = order[i], *lead = order[0], *next = i > 0 ? order[i - 1] : c;
		struct race_car *cl = cls_lead[c->klass] ? cls_lead[c->klass] : c;
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

/*
 * A race's incidents, planned at its start: one car in ten (one at least)
 * is given a drive-through or a stop-go in the first 40 % of the race, and
 * a race of 10 minutes or more has a full-course yellow, one of 30 minutes
 * or more maybe two, each for a tenth of the race (90 s to 5 min).
 */
static void
race_incidents(struct race *s, double race_laps)
{
	double	 len = race_sess_len(s), from, span, dur;
	int	 n = (s->ncars + 5) / 10, k;

	if (n < 1)
		n = 1;
	while (n > 0) {
		struct race_car *c = &s->cars[(int)(irnd(s) * s->ncars) % s->ncars];
		if (c->pen_plan > 0)
			continue;
		c->pen_plan = 1 + (int)(irnd(s) * fmax(1.0, race_laps * 0.4));
		c->pen_kind = irnd(s) < 0.5 ? PEN_DT : PEN_SG;
		n--;
	}
	if (len < 600)
		return;
	s->nfcy = len >= 1800 && irnd(s) < 0.5 ? 2 : 1;
	from = s->green_at + 0.15 * len;
	span = (0.85 * len - from) / s->nfcy;
	dur = fmin(300.0, fmax(90.0, 0.1 * len));
	for (k = 0; k < s->nfcy; k++) {
		s->fcy[k].from = floor(from + span * k + 0.4 * span * irnd(s));
		s->fcy[k].to = s->fcy[k].from + floor(dur * (0.85 + 0.3 * irnd(s)));
	}
}

/* Starts session index cur: cars to the garage or the grid. */
static void
race_session_start(struct race *s)
{
	enum race_sess kind = s->sessions[s->cur];
	double race_laps = race_sess_len(s) / (s->len / 50.0);

	s->sess_start = s->t;
	s->green_at = kind == RS_RACE ? 60.0 : 0.0;
	s->flag_out = 0;
	s->next_sample = s->t;
	s->coherence++;
	for (int i = 0; i < s->ncars; i++) {
		struct race_car *c = &s->cars[i];
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
		c->stint_driver = 0;
		c->fuel = 1.0;
		c->ve = 1.0;
		c->driver = 0;
		c->tyres_new = 1;
		c->compound = c->next_compound = kind == RS_QUALIFY ? 0 : 1;
		memset(c->wear, 0, sizeof(c->wear));
		c->in_garage = 0;
		c->visit = c->serve = c->pen_kind = PEN_NONE;
		c->pen_plan = c->pen_due = c->penalties = c->npens = 0;
		/* a stint is 35 to 60 % of the race, so races have stops */
		double stint = fmax(3.0, floor(race_laps * (0.35 + 0.25 * rnd(s))));
		c->burn = 0.97 / stint;
		c->ve_burn = 0.95 / (stint + 1 + pick(s, 2));
		if (kind == RS_RACE) {
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
			car_plan_lap(s, c, s->green_at + sqrt(2.0 * c->grid_d / START_ACC));
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
			c->stop_len = kind == RS_QUALIFY ? 5.0 + rnd(s) * fmin(55.0, race_sess_len(s) * 0.1) :
			    20.0 + rnd(s) * fmin(240.0, race_sess_len(s) * 0.3);
			c->swap_to = -1;
			c->run_laps = kind == RS_QUALIFY ? 4 + pick(s, 2) : 4 + pick(s, 6);
			car_plan_lap(s, c, 0.0);
			c->pitstops = -1;	/* the garage exit is not a stop */
		}
	}
	s->next_chat = s->t + 20.0 + 60.0 * rnd(s);
	s->nfcy = 0;
	if (kind == RS_RACE && s->o.incidents)
		race_incidents(s, race_laps);
}

/* One step of RACE_DT game seconds. */
void
race_step(struct race *s)
{
	double	 et;
	int	 running = 0;

	s->t += RACE_DT;
	switch (s->state) {
	case RST_LOADING:
		if (s->t >= s->load_until) {
			s->cur++;
			race_session_start(s);
			s->state = RST_RUNNING;
		}
		return;
	case RST_RESULTS:
		if (s->t < s->over_at)
			return;
		if (s->cur + 1 >= s->nsess) {
			s->state = RST_DONE;
			return;
		}
		s->state = RST_LOADING;
		s->load_until = s->t + RACE_LOAD;
		return;
	case RST_DONE:
		return;
	case RST_RUNNING:
		break;
	}
	et = race_et(s);
	for (int i = 0; i < s->ncars; i++) {
		car_step(s, &s->cars[i], et);
		running += !s->cars[i].finished && !s->cars[i].dnf;
	}
	if (s->t >= s->next_sample) {
		for (int i = 0; i < s->ncars; i++)
			car_sample(s, &s->cars[i], et);
		s->next_sample = s->t + 1.0;
	}
	race_positions(s);
	if (running == 0 || et > race_sess_len(s) + 3.0 * s->len / 40.0) {
		for (int i = 0; i < s->ncars; i++)
			if (!s->cars[i].finished && !s->cars[i].dnf)
				s->cars[i].finished = 1;
		s->state = RST_RESULTS;
		s->over_at = s->t + RACE_RESULTS;
	}
	if (s->t >= s->next_chat) {
		const struct race_car *c = &s->cars[pick(s, s->ncars)];
		char msg[160], first = c->drivers[c->driver][0];
		const char *last = strchr(c->drivers[c->driver], ' ');
		const char *said = chat_texts[pick(s, (int)(sizeof(chat_texts) /
		    sizeof(chat_texts[0])))];
		snprintf(msg, sizeof(msg), "%c %s: %s", first, last ? last + 1 : "", said);
		chat_add(s, (int)(c - s->cars), said, msg);
		s->next_chat = s->t + 15.0 + 90.0 * rnd(s);
	}
}

/*
 * Advances the weekend to t game seconds since it began (never backwards).
 */
void
race_advance(struct race *s, double t)
{
	int n = 0;

	while (s->t + RACE_DT <= t && n++ < 2000000)
		race_step(s);
}