/*
 * Strategy figures of one car from its laps (lib/strategy.h). Everything
 * here is arithmetic over the caller's arrays: no I/O, no allocation.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strategy.h"

const char *const strat_why_names[STRAT__MAX] = { "used", "older", "pit", "outlap", "yellow",
	"invalid", "slow", "refuel", "nolevel" };

/* Levels come as fractions: 0.2 / 0.04 is 5 laps, not 4.999... */
#define STRAT_EPS	1e-6

/* Laps the median of the recent laps is taken over. */
#define STRAT_MEDIAN	(4 * STRAT_ROLL)

/* Whether lap i is clean as far as the flags tell: timed, valid, no lane, no yellow. */
static int
strat_clean(const struct strat_in *in, size_t i)
{
	const struct strat_lap *l = &in->laps[i];

	if (l->pit || (i > 0 && in->laps[i - 1].pit && in->laps[i - 1].lap == l->lap - 1))
		return 0;
	return l->valid && l->time > 0 && !l->yellow;
}

static int
strat_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median time of the last STRAT_MEDIAN clean laps, NAN without any. */
static double
strat_median(const struct strat_in *in)
{
	double	 t[STRAT_MEDIAN];
	size_t	 k = 0;

	for (size_t i = in->n; i-- > 0 && k < STRAT_MEDIAN;)
		if (strat_clean(in, i))
			t[k++] = in->laps[i].time;
	if (k == 0)
		return NAN;
	qsort(t, k, sizeof(t[0]), strat_cmp);
	return k % 2 ? t[k / 2] : (t[k / 2 - 1] + t[k / 2]) / 2;
}

/* Level of lap i: fuel (which 0) or VE (1). */
static double
strat_level(const struct strat_lap *l, int which)
{
	return which ? l->ve : l->fuel;
}

/*
 * Classifies every lap for one level (fuel or VE) into why[] and returns the
 * mean use per lap of the last STRAT_ROLL usable laps (NAN none), their count
 * in *used.
 */
static double
strat_usage(const struct strat_in *in, int which, double median, enum strat_why *why,
    int *used)
{
	double	 sum = 0;
	int	 k = 0;

	for (size_t i = in->n; i-- > 0;) {
		const struct strat_lap *l = &in->laps[i], *p = i > 0 ? &in->laps[i - 1] : NULL;
		enum strat_why w;
		double d;

		if (p != NULL && p->lap != l->lap - 1)
			p = NULL;
		if (l->pit)
			w = STRAT_PIT;
		else if (p != NULL && p->pit)
			w = STRAT_OUTLAP;
		else if (l->yellow)
			w = STRAT_YELLOW;
		else if (!l->valid || !(l->time > 0))
			w = STRAT_INVALID;
		else if (!isnan(median) && l->time > STRAT_SLOW * median)
			w = STRAT_SLOWLAP;
		else if (p == NULL || strat_level(p, which) < 0 || strat_level(l, which) < 0)
			w = STRAT_NOLEVEL;
		else if ((d = strat_level(p, which) - strat_level(l, which)) < 0)
			w = STRAT_REFUEL;
		else if (k < STRAT_ROLL) {
			w = STRAT_USED;
			sum += d;
			k++;
		} else
			w = STRAT_OLDER;
		if (why != NULL)
			why[i] = w;
	}
	*used = k;
	return k > 0 ? sum / k : NAN;
}

void
strategy_laps(const struct strat_in *in, enum strat_why *why_fuel, enum strat_why *why_ve)
{
	double	 median = strat_median(in);
	int	 k;

	strat_usage(in, 0, median, why_fuel, &k);
	strat_usage(in, 1, median, why_ve, &k);
}

/* The level now: the caller's, else the newest lap's that is known; NAN none. */
static double
strat_now(const struct strat_in *in, int which)
{
	double now = which ? in->ve_now : in->fuel_now;

	if (now >= 0)
		return now;
	if (in->n > 0 && strat_level(&in->laps[in->n - 1], which) >= 0)
		return strat_level(&in->laps[in->n - 1], which);
	return NAN;
}

/* Laps a full level (1.0) lasts, whole; -1 unknown. */
static long long
strat_full(double per_lap)
{
	if (isnan(per_lap) || per_lap <= 0)
		return -1;
	return (long long)floor(1.0 / per_lap + STRAT_EPS);
}

/* The stint, the tyre set and the pace. */
static void
strat_stint(const struct strat_in *in, struct strat_out *o)
{
	const struct strat_lap *last = &in->laps[in->n - 1];
	size_t	 first = 0, k;
	double	 sum = 0;
	int	 timed = 1;

	for (size_t i = in->n; i-- > 0;)
		if (in->laps[i].pit) {
			first = i + 1;
			break;
		}
	o->stint_first = first < in->n ? in->laps[first].lap : last->lap + 1;
	o->stint_laps = last->lap - o->stint_first + 1;
	for (size_t i = first; i < in->n; i++) {
		if (!(in->laps[i].time > 0))
			timed = 0;
		sum += in->laps[i].time;
	}
	if (first < in->n && in->laps[first].start_et >= 0 && in->et >= in->laps[first].start_et)
		o->stint_time = in->et - in->laps[first].start_et;
	else if (first < in->n && timed)
		o->stint_time = sum;
	else if (first >= in->n && last->start_et >= 0 && last->time > 0 &&
	    in->et >= last->start_et + last->time)
		o->stint_time = in->et - (last->start_et + last->time);

	o->tyre_first = in->laps[0].lap;
	for (size_t i = in->n; i-- > 0;)
		if (in->laps[i].tyres) {
			o->tyre_first = in->laps[i].tyres > 0 ? in->laps[i].lap + 1 : -1;
			break;
		}
	if (o->tyre_first >= 0)
		o->tyre_laps = last->lap - o->tyre_first + 1;

	sum = 0;
	k = 0;
	for (size_t i = in->n; i-- > 0 && k < STRAT_ROLL;)
		if (strat_clean(in, i)) {
			sum += in->laps[i].time;
			k++;
		}
	o->pace_laps = (int)k;
	if (k > 0) {
		o->pace5 = sum / k;
		if (in->class_pace > 0)
			o->pace_delta = o->pace5 - in->class_pace;
		if (in->leader_pace > 0)
			o->leader_delta = o->pace5 - in->leader_pace;
	}
}

/*
 * Laps the car will have at the finish. A lap race: its length. A timed
 * race: the laps done, the whole laps the time left holds at pace5 counted
 * from the start of the lap in progress, and the lap running when time runs
 * out.
 */
static void
strat_projection(const struct strat_in *in, struct strat_out *o)
{
	const struct strat_lap *last = &in->laps[in->n - 1];
	double	 into = 0;

	if (in->max_laps > 0) {
		o->projected_laps = (double)in->max_laps;
		o->projected_by = 1;
		return;
	}
	if (!(in->remaining >= 0) || isnan(o->pace5))
		return;
	if (last->start_et >= 0 && last->time > 0 && in->et >= last->start_et + last->time)
		into = in->et - (last->start_et + last->time);
	o->projected_laps = last->lap + floor((in->remaining + into) / o->pace5) + 1;
	o->projected_by = 2;
}

/*
 * The pit window of the limiting level: the latest lap to stop is the last
 * whole lap the level now holds; the earliest is the first lap from which a
 * full tank (or a full energy) reaches the finish, or with more stops to
 * make, from which that many full ones do.
 */
static void
strat_window(struct strat_out *o)
{
	double		 per = o->limiting == 1 ? o->ve_per_lap : o->fuel_per_lap;
	long long	 full = strat_full(per), done = o->current_lap - 1, left, togo;

	if (isnan(o->laps_left))
		return;
	left = (long long)floor(o->laps_left + STRAT_EPS);
	o->window_last = (int)(done + left);
	if (o->window_last < o->current_lap)
		o->window_last = o->current_lap;
	if (isnan(o->projected_laps) || full <= 0)
		return;
	togo = (long long)o->projected_laps - done;
	if (left >= togo) {
		o->stops_needed = 0;
		o->window_first = o->window_last = -1;
		return;
	}
	o->stops_needed = (int)((togo - left + full - 1) / full);
	o->window_first = (int)((long long)o->projected_laps - o->stops_needed * full);
	if (o->window_first < o->current_lap)
		o->window_first = o->current_lap;
	if (o->window_first > o->window_last)
		o->window_first = o->window_last;
}

int
strategy_compute(const struct strat_in *in, struct strat_out *o)
{
	double	 median;

	memset(o, 0, sizeof(*o));
	o->fuel_per_lap = o->ve_per_lap = o->fuel_now = o->ve_now = NAN;
	o->laps_left_fuel = o->laps_left_ve = o->laps_left = NAN;
	o->stint_time = o->pace5 = o->pace_delta = o->leader_delta = NAN;
	o->median = o->projected_laps = NAN;
	o->limiting = o->current_lap = o->window_first = o->window_last = -1;
	o->stops_needed = o->tyre_laps = o->tyre_first = -1;
	if (in->n == 0 || in->laps == NULL)
		return 0;

	o->current_lap = in->laps[in->n - 1].lap + 1;
	o->median = median = strat_median(in);
	o->fuel_per_lap = strat_usage(in, 0, median, NULL, &o->fuel_laps);
	o->ve_per_lap = strat_usage(in, 1, median, NULL, &o->ve_laps);
	o->fuel_now = strat_now(in, 0);
	o->ve_now = strat_now(in, 1);
	if (!isnan(o->fuel_now) && o->fuel_per_lap > 0)
		o->laps_left_fuel = o->fuel_now / o->fuel_per_lap;
	if (!isnan(o->ve_now) && o->ve_per_lap > 0)
		o->laps_left_ve = o->ve_now / o->ve_per_lap;
	if (!isnan(o->laps_left_fuel) &&
	    (isnan(o->laps_left_ve) || o->laps_left_fuel <= o->laps_left_ve)) {
		o->laps_left = o->laps_left_fuel;
		o->limiting = 0;
	} else if (!isnan(o->laps_left_ve)) {
		o->laps_left = o->laps_left_ve;
		o->limiting = 1;
	}
	strat_stint(in, o);
	strat_projection(in, o);
	strat_window(o);
	return 1;
}
