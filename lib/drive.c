/*
 * Drive time (drive.h): a car's laps and driver swaps cut into pieces of
 * time, one driver each; consecutive pieces of one driver make a stint;
 * a driver's figures are sums and maxima over their stints, checked
 * against the rules.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trackside.h"
#include "drive.h"

const char *const drive_rule_keys[DRIVE_RULES_N] = { "min", "max", "window", "window_max",
    "stint" };
const char *const drive_status_names[DRIVE__MAX] = { "ok", "warning", "over" };

/* The configuration's rules (drive_defaults_set, once, before any reader). */
static struct drive_rules defaults;

/* Rule i of r (drive_rule_keys order). */
double *
drive_rule(struct drive_rules *r, int i)
{
	switch (i) {
	case 0: return &r->min;
	case 1: return &r->max;
	case 2: return &r->window;
	case 3: return &r->window_max;
	default: return &r->stint;
	}
}

/* Whether r has any rule: 1 or 0. A window counts with its maximum only. */
int
drive_rules_any(const struct drive_rules *r)
{
	return r != NULL && (r->min > 0 || r->max > 0 || (r->window > 0 && r->window_max > 0) ||
	    r->stint > 0);
}

void
drive_defaults_set(const struct drive_rules *r)
{
	defaults = *r;
}

/* The configuration's rules (all 0 unless drive_defaults_set said otherwise). */
const struct drive_rules *
drive_defaults(void)
{
	return &defaults;
}

/*
 * Reads drive_min, drive_max, drive_window, drive_window_max and
 * drive_stint (minutes, 0 or absent: none) from conf into r, in seconds.
 * Returns 1, or 0 with err saying which key is wrong (r is then zeroed).
 */
int
drive_rules_conf(const struct conf *conf, struct drive_rules *r, char *err, size_t errsz)
{
	char key[32];

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < DRIVE_RULES_N; i++) {
		const char *v;
		double m;
		snprintf(key, sizeof(key), "drive_%s", drive_rule_keys[i]);
		if ((v = conf_get(conf, key)) == NULL)
			continue;
		if (!num_parse_d(v, 0, 1e6, &m)) {
			snprintf(err, errsz, "%s must be 0 to 1000000 minutes, not \"%s\"", key, v);
			memset(r, 0, sizeof(*r));
			return 0;
		}
		*drive_rule(r, i) = m * 60;
	}
	return 1;
}

/* A piece of time in the car: one driver, from start to end. */
struct piece {
	const char	*driver;
	double		 start, end;
	int		 lap;		/* the lap finished at its end, or 0 */
};

struct pieces {
	struct piece	*v;
	size_t		 n, cap;
};

static int
known(double x)
{
	return !isnan(x) && x >= 0;
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int
piece_add(struct pieces *p, const char *driver, double start, double end, int lap)
{
	if (driver == NULL || !(end > start))
		return 1;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct piece *v = realloc(p->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = (struct piece){ driver, start, end, lap };
	return 1;
}

/* The first swap with its time in (a, b] and both drivers known, or NULL. */
static const struct drive_pit *
swap_in(const struct drive_in *in, double a, double b)
{
	for (size_t i = 0; i < in->npits; i++) {
		const struct drive_pit *p = &in->pits[i];
		if (known(p->swap_time) && p->swap_time > a && p->swap_time <= b &&
		    p->driver_in != NULL && p->driver_out != NULL)
			return p;
	}
	return NULL;
}

/*
 * Cuts [a, b] of lap l (NULL: the lap being driven now, by driver) into
 * pieces: at a swap's time when one falls inside, else at the sectors when
 * the lap knows different sector drivers, else one piece.
 */
static int
lap_pieces(const struct drive_in *in, struct pieces *p, const struct drive_lap *l,
    const char *driver, double a, double b)
{
	const struct drive_pit	*sw = swap_in(in, a, b);
	int			 lap = l != NULL ? l->lap : 0;

	if (sw != NULL)
		return piece_add(p, sw->driver_out, a, sw->swap_time, 0) < 0 ? -1 :
		    piece_add(p, sw->driver_in, sw->swap_time, b, lap);
	if (l != NULL) {
		int split = 0;
		for (int k = 0; k < 3; k++)
			if (l->sdriver[k] != NULL && !same(l->sdriver[k], driver))
				split = 1;
		if (split && known(l->s[0]) && known(l->s[1]) && a + l->s[0] + l->s[1] < b) {
			double t1 = a + l->s[0], t2 = t1 + l->s[1];
			const char *d[3];
			for (int k = 0; k < 3; k++)
				d[k] = l->sdriver[k] != NULL ? l->sdriver[k] : driver;
			if (piece_add(p, d[0], a, t1, 0) < 0 || piece_add(p, d[1], t1, t2, 0) < 0)
				return -1;
			return piece_add(p, d[2], t2, b, lap);
		}
	}
	return piece_add(p, driver, a, b, lap);
}

/* Every piece of the car's time, in order. */
static int
pieces_build(const struct drive_in *in, struct pieces *p)
{
	double prev_end = NAN;

	for (size_t j = 0; j < in->nlaps; j++) {
		const struct drive_lap *l = &in->laps[j], *nx = j + 1 < in->nlaps ? l + 1 : NULL;
		double a = known(l->start_et) ? l->start_et : prev_end, b = NAN;
		if (!known(a) && l->time > 0 && nx != NULL && nx->lap == l->lap + 1 &&
		    known(nx->start_et))
			a = nx->start_et - l->time;
		if (!known(a))
			continue;
		/* the next lap's start closes the gaps an untimed lap leaves */
		if (nx != NULL && nx->lap == l->lap + 1 && known(nx->start_et) && nx->start_et > a)
			b = nx->start_et;
		else if (l->time > 0)
			b = a + l->time;
		else if (nx == NULL && known(in->last_end) && in->last_end > a)
			b = in->last_end;	/* an untimed last lap ended as the next began */
		if (isnan(b))
			continue;
		if (lap_pieces(in, p, l, l->driver, a, b) < 0)
			return -1;
		prev_end = b;
	}
	if (in->current != NULL && known(in->now) && known(prev_end) && in->now > prev_end)
		return lap_pieces(in, p, NULL, in->current, prev_end, in->now);
	return 1;
}

/* Time of [s, e] (driven d in all) inside [x, y]. */
static double
overlap(double s, double e, double d, double x, double y)
{
	double o = fmin(e, y) - fmax(s, x);

	return o > 0 ? fmin(o, d) : 0;
}

/* What the driver drove inside [x, y]. */
static double
driven_in(const struct drive_out *o, const char *name, double x, double y)
{
	double sum = 0;

	for (size_t i = 0; i < o->nstints; i++)
		if (strcmp(o->stints[i].driver, name) == 0)
			sum += overlap(o->stints[i].start, o->stints[i].end, o->stints[i].duration,
			    x, y);
	return sum;
}

/* The most the driver drove in any window w long: one starts or ends at a stint's edge. */
static double
window_most(const struct drive_out *o, const char *name, double w)
{
	double most = 0;

	for (size_t i = 0; i < o->nstints; i++) {
		const struct drive_stint *s = &o->stints[i];
		if (strcmp(s->driver, name) != 0)
			continue;
		most = fmax(most, driven_in(o, name, s->start, s->start + w));
		most = fmax(most, driven_in(o, name, s->end - w, s->end));
	}
	return most;
}

static double
margin(double limit)
{
	return fmax(limit * DRIVE_WARN_SHARE, DRIVE_WARN_MIN);
}

static void
status(struct drive_driver *d, enum drive_status st, const char *why)
{
	if (st > d->status || (st == d->status && d->why[0] == '\0')) {
		d->status = st;
		snprintf(d->why, sizeof(d->why), "%s", why);
	}
}

/* The figures of driver d against rules r. */
static void
driver_rules(const struct drive_in *in, const struct drive_out *o, const struct drive_rules *r,
    struct drive_driver *d)
{
	double left = in->finished ? 0 : in->remaining;

	d->owed = -1;
	d->allowance = d->window_most = d->window_now = d->window_left = d->stint_left = NAN;
	d->can_make = 1;
	d->status = DRIVE_OK;
	d->why[0] = '\0';
	if (r->min > 0) {
		d->owed = fmax(0, r->min - d->total);
		if (d->owed > 0)
			d->can_make = known(left) ? d->owed <= left : -1;
		if (d->owed > 0 && in->finished)
			status(d, DRIVE_OVER, "drove less than the minimum");
		else if (d->can_make == 0)
			status(d, DRIVE_WARNING, "cannot drive the minimum in the time left");
	}
	if (r->max > 0) {
		d->allowance = r->max - d->total;
		if (d->total > r->max)
			status(d, DRIVE_OVER, "drove more than the maximum");
		else if (d->allowance <= margin(r->max))
			status(d, DRIVE_WARNING, "close to the maximum");
	}
	if (r->window > 0 && r->window_max > 0) {
		d->window_most = window_most(o, d->name, r->window);
		d->window_now = known(in->now) ?
		    driven_in(o, d->name, in->now - r->window, in->now) : NAN;
		d->window_left = isnan(d->window_now) ? NAN : r->window_max - d->window_now;
		if (d->window_most > r->window_max)
			status(d, DRIVE_OVER, "drove more than the maximum inside a window");
		else if (!isnan(d->window_left) && d->window_left <= margin(r->window_max))
			status(d, DRIVE_WARNING, "close to the maximum inside the window");
	}
	if (r->stint > 0) {
		d->stint_left = r->stint - (d->current >= 0 ? d->current : 0);
		if (d->longest > r->stint)
			status(d, DRIVE_OVER, "a stint longer than the maximum");
		else if (d->current >= 0 && d->stint_left <= margin(r->stint))
			status(d, DRIVE_WARNING, "close to the longest stint allowed");
	}
}

static struct drive_driver *
driver_find(struct drive_out *o, const char *name)
{
	for (size_t i = 0; i < o->ndrivers; i++)
		if (strcmp(o->drivers[i].name, name) == 0)
			return &o->drivers[i];
	return NULL;
}

static struct drive_driver *
driver_add(struct drive_out *o, const char *name, size_t cap)
{
	struct drive_driver *d;

	if ((d = driver_find(o, name)) != NULL || o->ndrivers == cap)
		return d;
	d = &o->drivers[o->ndrivers++];
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->current = -1;
	return d;
}

/*
 * Computes the stints and the drivers' figures of in into o (drive_free
 * releases them; names point into in, which must outlive o). Without
 * rules (in->rules NULL) only the figures of time are filled. Returns 1,
 * -1 out of memory (o is then empty).
 */
int
drive_compute(const struct drive_in *in, struct drive_out *o)
{
	static const struct drive_rules none;
	const struct drive_rules *r = in->rules != NULL ? in->rules : &none;
	struct pieces	 p = { 0 };
	size_t		 cap;
	double		 left = in->finished ? 0 : in->remaining;

	memset(o, 0, sizeof(*o));
	if (pieces_build(in, &p) < 0)
		goto fail;
	/* consecutive pieces of one driver are one stint */
	if (p.n > 0 && (o->stints = calloc(p.n, sizeof(*o->stints))) == NULL)
		goto fail;
	for (size_t i = 0; i < p.n; i++) {
		struct drive_stint *s = o->nstints ? &o->stints[o->nstints - 1] : NULL;
		if (s == NULL || strcmp(s->driver, p.v[i].driver) != 0) {
			s = &o->stints[o->nstints++];
			s->driver = p.v[i].driver;
			s->start = p.v[i].start;
		}
		s->end = p.v[i].end;
		s->duration += p.v[i].end - p.v[i].start;
		if (p.v[i].lap > 0) {
			if (s->laps++ == 0)
				s->first_lap = p.v[i].lap;
			s->last_lap = p.v[i].lap;
		}
	}
	free(p.v);
	p.v = NULL;
	if (o->nstints > 0 && in->current != NULL &&
	    strcmp(o->stints[o->nstints - 1].driver, in->current) == 0)
		o->stints[o->nstints - 1].current = 1;

	cap = o->nstints + in->nroster;
	if (cap > 0 && (o->drivers = calloc(cap, sizeof(*o->drivers))) == NULL)
		goto fail;
	for (size_t i = 0; i < o->nstints; i++) {
		const struct drive_stint *s = &o->stints[i];
		struct drive_driver *d = driver_add(o, s->driver, cap);
		d->stints++;
		d->laps += s->laps;
		d->total += s->duration;	/* the total is the sum of the stints */
		d->longest = fmax(d->longest, s->duration);
		if (s->current)
			d->current = s->duration;
	}
	for (size_t i = 0; i < in->nroster; i++)
		if (in->roster[i] != NULL && *in->roster[i] != '\0')
			driver_add(o, in->roster[i], cap);

	o->can_make = 1;
	for (size_t i = 0; i < o->ndrivers; i++) {
		struct drive_driver *d = &o->drivers[i];
		driver_rules(in, o, r, d);
		if (d->owed > 0)
			o->owed += d->owed;
		if (d->status > o->status)
			o->status = d->status;
	}
	if (o->owed > 0)
		o->can_make = known(left) ? o->owed <= left : -1;
	return 1;
fail:
	free(p.v);
	drive_free(o);
	return -1;
}

/* Releases what drive_compute filled in o; a zeroed o is a no-op. */
void
drive_free(struct drive_out *o)
{
	free(o->stints);
	free(o->drivers);
	memset(o, 0, sizeof(*o));
}
