/*
 * The order of a session, once per frame: class positions, laps behind
 * the leader, the car ahead and the class leader, and the gaps in time,
 * all derived from the game's positions and where the cars are (laps
 * completed and lap distance), never copied from the game's own gap
 * fields, which disagree with its positions often enough (a whole lap
 * for a car that crossed the line after the leader, an interval to a car
 * that is a lap ahead, no gaps at all on the first lap).
 *
 * In a race a car's gap is the time since the leader passed the point
 * where the car is now, from the leader's trail (its progress over ET);
 * an interval is the difference of two gaps, so intervals always add up.
 * Where the game's figure agrees with the positions (within
 * ORDER_TOLERANCE) its own, finer, value is kept. Elsewhere gaps compare
 * best laps. What the game had wrong is counted and logged once per car.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trackside.h"
#include "track.h"

/*
 * How far into the session car c is: laps completed and the fraction of the
 * lap in progress (lap distance over the track length). A car that took
 * the flag stands on the line.
 */
double
order_progress(const struct tsession *s, const struct tcar *c)
{
	double frac = 0;
	int flag = c->finish == FIN_FINISHED;

	if (!flag && s->track_len > 0 && c->lap_dist > 0)
		frac = fmin(c->lap_dist / s->track_len, 0.9999);
	return c->laps + frac;
}

/* qsort() order of struct tcar pointers: by position, then slot. */
int
order_cmp(const void *a, const void *b)
{
	const struct tcar *x = *(const struct tcar *const *)a, *y = *(const struct tcar *const *)b;

	return x->position != y->position ? (x->position < y->position ? -1 : 1) :
	    x->slot - y->slot;
}

/* Logs once per car and kind what the game said against what its positions say. */
static void
said_wrong(const struct tsession *s, struct tcar *c, unsigned kind, const char *what,
    double said, double derived)
{
	if (c->order_logged & kind)
		return;
	c->order_logged |= kind;
	log_info("session %s: car #%s (slot %d, P%d): the game says %s %.3f, its positions say "
	    "%.3f (%d laps, %.1f m into the lap); the positions count", s->id, c->number, c->slot,
	    c->position, what, said, derived, c->laps, c->lap_dist);
}

/* Laps between two progress figures, whole laps only. */
static int
laps_between(double ahead, double behind)
{
	double d = floor(ahead - behind + 1e-9);

	return d > 0 ? (int)d : 0;
}

/* Race gaps of the cars in position order. */
static void
order_race(struct track *t, struct tsession *s, struct tcar **v, size_t n, int green)
{
	struct tcar	*lead = v[0];
	double		 pl = order_progress(s, lead);

	for (size_t i = 0; i < n; i++) {
		struct tcar	*c = v[i];
		double		 p = order_progress(s, c), gap, at;
		unsigned	 wrong = 0;
		int		 last = (c->trail.head + c->trail.n - 1) % TRAIL_MAX;

		/*
		 * The trail begins at the green flag (the grid is no point of the
		 * race) and ends on the line, at the first sight of the flag.
		 */
		if (!green)
			c->trail.n = c->trail.head = 0;
		else if (c->finish == FIN_NONE || c->trail.n == 0 || c->trail.p[last] < p)
			trail_add(&c->trail, p, c->et);
		if (i == 0 || !green) {
			c->gap = c->interval = 0;
			c->gap_laps = c->interval_laps = 0;
			continue;
		}
		/* laps down never shrink down the order, wherever a stopped car stands */
		c->gap_laps = laps_between(pl, p);
		if (c->gap_laps < v[i - 1]->gap_laps)
			c->gap_laps = v[i - 1]->gap_laps;
		c->interval_laps = laps_between(order_progress(s, v[i - 1]), p);
		at = c->finish == FIN_NONE ? trail_at(&lead->trail, p, pl, lead->et) : -1;
		gap = at >= 0 ? c->et - at : -1;
		if (c->said.gap_laps != c->gap_laps) {
			wrong |= ORDER_GAP_LAPS;
			said_wrong(s, c, ORDER_GAP_LAPS, "laps behind the leader", c->said.gap_laps,
			    c->gap_laps);
		}
		if (c->finish == FIN_FINISHED && c->gap >= 0)
			gap = c->gap;	/* a car that took the flag keeps the gap it had */
		else if (c->gap_laps == 0 && gap >= 0 && fabs(c->said.gap - gap) > ORDER_TOLERANCE) {
			wrong |= ORDER_GAP;
			said_wrong(s, c, ORDER_GAP, "a gap to the leader of", c->said.gap, gap);
		} else if (c->said.gap >= 0)
			gap = c->said.gap;	/* it agrees, or there is nothing to say against it */
		/* down the order on one lap a gap never shrinks: no interval is negative */
		if (gap < 0 || (c->interval_laps == 0 && gap < v[i - 1]->gap))
			gap = v[i - 1]->gap;
		c->gap = gap;
		c->interval = gap >= 0 && v[i - 1]->gap >= 0 ? gap - v[i - 1]->gap : -1;
		if (c->said.interval_laps != c->interval_laps) {
			wrong |= ORDER_INTERVAL;
			said_wrong(s, c, ORDER_INTERVAL, "laps behind the car ahead",
			    c->said.interval_laps, c->interval_laps);
		} else if (c->interval_laps == 0 && c->interval >= 0 &&
		    fabs(c->said.interval - c->interval) > ORDER_TOLERANCE) {
			wrong |= ORDER_INTERVAL;
			said_wrong(s, c, ORDER_INTERVAL, "an interval of", c->said.interval,
			    c->interval);
		}
		if (wrong)
			t->c.order_fixed++;
	}
}

/* Practice and qualifying: gaps compare best laps. */
static void
order_bests(struct track *t, struct tsession *s, struct tcar **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct tcar *c = v[i], *lead = v[0], *next = i > 0 ? v[i - 1] : c;

		c->gap_laps = c->interval_laps = 0;
		c->gap = c->best > 0 && lead->best > 0 ? c->best - lead->best : -1;
		c->interval = c->best > 0 && next->best > 0 ? c->best - next->best : -1;
		if (c->gap >= 0 && fabs(c->said.gap - c->gap) > 0.01) {
			said_wrong(s, c, ORDER_GAP, "a gap to the fastest lap of", c->said.gap, c->gap);
			t->c.order_fixed++;
		}
	}
}

/*
 * Orders the present cars of session s by the game's positions and derives
 * each car's class position, gaps and intervals (struct tcar: gap,
 * interval, class_gap and their laps). O(cars log cars + cars x classes)
 * per call. Returns 0, or -1 when memory ran out (nothing derived).
 */
int
order_session(struct track *t, struct tsession *s)
{
	struct tcar	**v, **lead;
	int		*count;
	size_t		 n = 0, nclass = 0;
	enum session_kind kind;
	int		 kn, race = session_type_parse(s->type, &kind, &kn) == 0 && kind == SK_RACE;

	if (s->ncars == 0)
		return 0;
	v = calloc(s->ncars, sizeof(*v));
	lead = calloc(s->ncars, sizeof(*lead));
	count = calloc(s->ncars, sizeof(*count));
	if (v == NULL || lead == NULL || count == NULL) {
		free(v);
		free(lead);
		free(count);
		return -1;
	}
	for (size_t i = 0; i < s->ncars; i++)
		if (s->cars[i]->present && s->cars[i]->position > 0)
			v[n++] = s->cars[i];
	qsort(v, n, sizeof(*v), order_cmp);
	if (n > 0) {
		if (race)
			order_race(t, s, v, n, s->phase >= PHASE_GREEN && s->phase != PHASE_PAUSED);
		else
			order_bests(t, s, v, n);
	}
	t->c.order_rows += (long long)n;
	/* class positions and gaps, against the first car of each class */
	for (size_t i = 0; i < n; i++) {
		struct tcar *c = v[i], *cl = NULL;
		size_t k;
		for (k = 0; k < nclass && cl == NULL; k++)
			if (strcmp(lead[k]->cls, c->cls) == 0)
				cl = lead[k];
		if (cl == NULL) {
			lead[nclass] = cl = c;
			count[nclass++] = 0;
			k = nclass;
		}
		c->class_position = ++count[k - 1];
		c->class_gap_laps = race ? laps_between(order_progress(s, cl), order_progress(s, c)) : 0;
		c->class_gap = c->gap >= 0 && cl->gap >= 0 ? c->gap - cl->gap : -1;
	}
	free(count);
	free(lead);
	free(v);
	return 0;
}
