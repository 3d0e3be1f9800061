/*
 * Drive time (lib/drive.c): stints cut from laps, swaps and sector
 * drivers; totals as the sum of the stints; each rule (minimum, maximum,
 * rolling window, continuous stint) with its warning margin; the
 * configuration's keys.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "trackside.h"
#include "drive.h"

#define MAXLAPS	64

static struct drive_lap	laps[MAXLAPS];
static size_t		nlaps;

/* Adds lap n: driver d from start, t long (no sectors). */
static void
lap(int n, const char *d, double start, double t)
{
	struct drive_lap *l = &laps[nlaps++];

	memset(l, 0, sizeof(*l));
	l->lap = n;
	l->driver = d;
	l->start_et = start;
	l->time = t;
	for (int k = 0; k < 3; k++)
		l->s[k] = NAN;
}

/* n laps of t seconds by d from start, numbered from first. */
static double
laps_of(int first, int n, const char *d, double start, double t)
{
	for (int i = 0; i < n; i++)
		lap(first + i, d, start + i * t, t);
	return start + n * t;
}

static void
in_init(struct drive_in *in, const struct drive_rules *r)
{
	memset(in, 0, sizeof(*in));
	in->laps = laps;
	in->nlaps = nlaps;
	in->now = -1;
	in->last_end = -1;
	in->remaining = -1;
	in->rules = r;
}

static const struct drive_driver *
who(const struct drive_out *o, const char *name)
{
	for (size_t i = 0; i < o->ndrivers; i++)
		if (strcmp(o->drivers[i].name, name) == 0)
			return &o->drivers[i];
	return NULL;
}

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-6;
}

/* Whether each driver's total is exactly the sum of their stints. */
static int
sums_hold(const struct drive_out *o)
{
	for (size_t i = 0; i < o->ndrivers; i++) {
		double sum = 0;
		for (size_t j = 0; j < o->nstints; j++)
			if (strcmp(o->stints[j].driver, o->drivers[i].name) == 0)
				sum += o->stints[j].duration;
		if (sum != o->drivers[i].total)
			return 0;
	}
	return 1;
}

static void
test_no_swap(void)
{
	struct drive_in		 in;
	struct drive_out	 o;

	nlaps = 0;
	laps_of(1, 3, "Ann", 10, 100);
	in_init(&in, NULL);
	ok(drive_compute(&in, &o) == 1 && o.nstints == 1 && o.ndrivers == 1, "no swap: one stint");
	ok(near(o.stints[0].duration, 300) && o.stints[0].first_lap == 1 && o.stints[0].last_lap == 3 &&
	    o.stints[0].laps == 3 && near(o.stints[0].start, 10) && near(o.stints[0].end, 310),
	    "the stint spans the laps (start, end, 300 s, laps 1 to 3)");
	ok(near(o.drivers[0].total, 300) && near(o.drivers[0].longest, 300) &&
	    o.drivers[0].current < 0 && o.drivers[0].owed < 0 && isnan(o.drivers[0].allowance) &&
	    o.drivers[0].status == DRIVE_OK, "without rules: the times, no rule figures, ok");
	drive_free(&o);

	/* an untimed lap is closed by the next lap's start */
	nlaps = 0;
	lap(1, "Ann", 0, 100);
	lap(2, "Ann", 100, -1);
	lap(3, "Ann", 250, 100);
	in_init(&in, NULL);
	drive_compute(&in, &o);
	ok(near(o.drivers[0].total, 350), "an untimed lap counts up to the next lap's start");
	drive_free(&o);

	/* an untimed last lap (one the game invalidated at the flag) ends as the car's next began */
	nlaps = 0;
	lap(1, "Ann", 0, 100);
	lap(2, "Ann", 100, -1);
	in_init(&in, NULL);
	drive_compute(&in, &o);
	ok(near(o.drivers[0].total, 100), "an untimed last lap with no end known is not counted");
	drive_free(&o);
	in_init(&in, NULL);
	in.last_end = 205;
	drive_compute(&in, &o);
	ok(near(o.drivers[0].total, 205) && o.stints[0].last_lap == 2,
	    "an untimed last lap counts up to when the car's next lap began");
	drive_free(&o);
}

static void
test_swaps(void)
{
	struct drive_in		 in;
	struct drive_out	 o;
	struct drive_pit	 pit = { 150, "Ann", "Bob" };
	const char		*roster[] = { "Ann", "Bob", "Cat" };

	/* a swap mid-lap at the pit's swap time */
	nlaps = 0;
	lap(1, "Ann", 0, 100);
	lap(2, "Bob", 100, 100);
	lap(3, "Bob", 200, 100);
	in_init(&in, NULL);
	in.pits = &pit;
	in.npits = 1;
	in.roster = roster;
	in.nroster = 3;
	drive_compute(&in, &o);
	ok(o.nstints == 2 && strcmp(o.stints[0].driver, "Ann") == 0 && near(o.stints[0].duration, 150) &&
	    strcmp(o.stints[1].driver, "Bob") == 0 && near(o.stints[1].duration, 150),
	    "a swap mid-lap splits the lap at the swap's time");
	ok(o.stints[0].laps == 1 && o.stints[0].last_lap == 1 && o.stints[1].first_lap == 2 &&
	    o.stints[1].laps == 2, "the swap lap counts for the driver who finished it");
	const struct drive_driver *c = who(&o, "Cat");
	ok(o.ndrivers == 3 && c != NULL && c->total == 0 && c->stints == 0 && c->laps == 0,
	    "a driver of the entry who never drove is listed with nothing");
	ok(sums_hold(&o), "each total is the sum of the driver's stints");
	drive_free(&o);

	/* without a swap time: the sector drivers */
	nlaps = 0;
	lap(1, "Ann", 0, 100);
	lap(2, "Bob", 100, 100);
	laps[1].sdriver[0] = "Ann";
	laps[1].sdriver[1] = "Bob";
	laps[1].sdriver[2] = "Bob";
	laps[1].s[0] = 30;
	laps[1].s[1] = 30;
	laps[1].s[2] = 40;
	lap(3, "Bob", 200, 100);
	in_init(&in, NULL);
	drive_compute(&in, &o);
	ok(o.nstints == 2 && near(who(&o, "Ann")->total, 130) && near(who(&o, "Bob")->total, 170) &&
	    near(o.stints[1].start, 130), "without a swap time, the sector drivers place the swap");
	ok(sums_hold(&o), "the totals are the sums of the stints");
	drive_free(&o);

	/* back and forth: stints add up per driver */
	nlaps = 0;
	double t = laps_of(1, 5, "Ann", 0, 100);
	t = laps_of(6, 4, "Bob", t, 100);
	t = laps_of(10, 3, "Ann", t, 100);
	laps_of(13, 2, "Bob", t, 100);
	in_init(&in, NULL);
	drive_compute(&in, &o);
	const struct drive_driver *a = who(&o, "Ann"), *b = who(&o, "Bob");
	ok(o.nstints == 4 && a->stints == 2 && near(a->total, 800) && near(a->longest, 500) &&
	    b->stints == 2 && near(b->total, 600) && near(b->longest, 400) && a->laps == 8,
	    "two stints each: totals, longest stints and laps");
	ok(sums_hold(&o), "the totals are the sums of the stints");
	drive_free(&o);

	/* a stint running at the end: the lap being driven counts up to now */
	nlaps = 0;
	laps_of(1, 2, "Ann", 0, 100);
	laps_of(3, 2, "Bob", 200, 100);
	in_init(&in, NULL);
	in.current = "Bob";
	in.now = 450;
	drive_compute(&in, &o);
	b = who(&o, "Bob");
	ok(o.stints[1].current && near(b->current, 250) && near(b->total, 250) &&
	    who(&o, "Ann")->current < 0, "the running stint is current and counts up to now");
	drive_free(&o);

	/* the swap happened on the lap being driven */
	nlaps = 0;
	laps_of(1, 2, "Ann", 0, 100);
	pit = (struct drive_pit){ 260, "Ann", "Bob" };
	in_init(&in, NULL);
	in.pits = &pit;
	in.npits = 1;
	in.current = "Bob";
	in.now = 300;
	drive_compute(&in, &o);
	ok(near(who(&o, "Ann")->total, 260) && near(who(&o, "Bob")->current, 40),
	    "a swap on the lap being driven: the driver out up to the swap, the driver in since");
	drive_free(&o);
}

static void
test_rules(void)
{
	struct drive_rules	 r;
	struct drive_in		 in;
	struct drive_out	 o;
	const char		*roster[] = { "Cat" };
	const struct drive_driver *a, *b, *c;

	/* min: owed, and whether it still fits */
	memset(&r, 0, sizeof(r));
	r.min = 1000;
	nlaps = 0;
	laps_of(1, 6, "Ann", 0, 100);
	laps_of(7, 12, "Bob", 600, 100);
	in_init(&in, &r);
	in.roster = roster;
	in.nroster = 1;
	in.remaining = 1500;
	drive_compute(&in, &o);
	a = who(&o, "Ann");
	b = who(&o, "Bob");
	c = who(&o, "Cat");
	ok(near(a->owed, 400) && b->owed == 0 && near(c->owed, 1000), "min: what each still owes");
	ok(near(o.owed, 1400) && o.can_make == 1 && a->can_make == 1 && a->status == DRIVE_OK,
	    "min: 1400 s owed fits in 1500 s left");
	drive_free(&o);
	in.remaining = 1200;
	drive_compute(&in, &o);
	ok(o.can_make == 0 && who(&o, "Cat")->can_make == 1 && who(&o, "Ann")->can_make == 1,
	    "min: 1400 s owed does not fit in 1200 s, though each driver's own does");
	drive_free(&o);
	in.remaining = 900;
	drive_compute(&in, &o);
	c = who(&o, "Cat");
	ok(c->can_make == 0 && c->status == DRIVE_WARNING && who(&o, "Ann")->status == DRIVE_OK,
	    "min: a driver who cannot make it any more is a warning");
	drive_free(&o);
	in.remaining = -1;
	in.finished = 1;
	drive_compute(&in, &o);
	ok(who(&o, "Ann")->status == DRIVE_OVER && who(&o, "Bob")->status == DRIVE_OK &&
	    o.status == DRIVE_OVER && o.can_make == 0,
	    "min: owed at the end of the session is over; whoever drove enough is ok");
	drive_free(&o);

	/* max, and its warning: 10 % of it or 5 min, the larger */
	memset(&r, 0, sizeof(r));
	r.max = 3600;
	nlaps = 0;
	laps_of(1, 34, "Ann", 0, 100);
	in_init(&in, &r);
	drive_compute(&in, &o);
	ok(near(o.drivers[0].allowance, 200) && o.drivers[0].status == DRIVE_WARNING,
	    "max 3600: 200 s left is within 10 %% (360 s): a warning");
	drive_free(&o);
	nlaps = 0;
	laps_of(1, 32, "Ann", 0, 100);
	in.nlaps = nlaps;
	drive_compute(&in, &o);
	ok(near(o.drivers[0].allowance, 400) && o.drivers[0].status == DRIVE_OK,
	    "max 3600: 400 s left is ok");
	drive_free(&o);
	nlaps = 0;
	laps_of(1, 37, "Ann", 0, 100);
	in.nlaps = nlaps;
	drive_compute(&in, &o);
	ok(near(o.drivers[0].allowance, -100) && o.drivers[0].status == DRIVE_OVER,
	    "max 3600: 3700 s driven is over");
	drive_free(&o);
	r.max = 1200;
	nlaps = 0;
	laps_of(1, 19, "Ann", 0, 50);
	in.nlaps = nlaps;
	drive_compute(&in, &o);
	ok(near(o.drivers[0].allowance, 250) && o.drivers[0].status == DRIVE_WARNING,
	    "max 1200: 250 s left is within 5 min (larger than 10 %%): a warning");
	drive_free(&o);
	nlaps = 0;
	laps_of(1, 17, "Ann", 0, 50);
	in.nlaps = nlaps;
	drive_compute(&in, &o);
	ok(near(o.drivers[0].allowance, 350) && o.drivers[0].status == DRIVE_OK,
	    "max 1200: 350 s left is ok");
	drive_free(&o);

	/* rolling window: at most 500 s inside any 1000 s */
	memset(&r, 0, sizeof(r));
	r.window = 1000;
	r.window_max = 500;
	nlaps = 0;
	double t = laps_of(1, 4, "Ann", 0, 100);
	t = laps_of(5, 4, "Bob", t, 100);
	laps_of(9, 5, "Ann", t, 100);
	in_init(&in, &r);
	in.now = 1300;
	drive_compute(&in, &o);
	a = who(&o, "Ann");
	ok(near(a->window_most, 600) && a->status == DRIVE_OVER,
	    "window: 400 s + 200 s inside [0, 1000] is over 500");
	ok(near(a->window_now, 600) && near(a->window_left, -100),
	    "window: the window ending now holds 100 s + 500 s, 100 s too many");
	ok(near(who(&o, "Bob")->window_most, 400) && who(&o, "Bob")->status == DRIVE_WARNING,
	    "window: 400 s of 500 is within the 5 min margin");
	drive_free(&o);
	r.window_max = 1000;
	drive_compute(&in, &o);
	ok(who(&o, "Ann")->status == DRIVE_OK && who(&o, "Bob")->status == DRIVE_OK,
	    "window: the same driving against a maximum of 1000 s is ok");
	drive_free(&o);
	r.window = 0;
	drive_compute(&in, &o);
	ok(isnan(who(&o, "Ann")->window_most), "window: without a length, no window rule");
	drive_free(&o);

	/* continuous stint */
	memset(&r, 0, sizeof(r));
	r.stint = 1000;
	nlaps = 0;
	t = laps_of(1, 11, "Ann", 0, 100);
	laps_of(12, 8, "Bob", t, 100);
	in_init(&in, &r);
	in.current = "Bob";
	in.now = 1900;
	drive_compute(&in, &o);
	a = who(&o, "Ann");
	b = who(&o, "Bob");
	ok(near(a->longest, 1100) && a->status == DRIVE_OVER && near(a->stint_left, 1000),
	    "stint: 1100 s in one go is over; out of the car, a whole stint is left");
	ok(near(b->current, 800) && near(b->stint_left, 200) && b->status == DRIVE_WARNING,
	    "stint: 200 s left of the running stint is a warning");
	drive_free(&o);
	/* a stop without a swap does not end the stint */
	struct drive_pit pit = { 550, "Ann", NULL };
	nlaps = 0;
	laps_of(1, 11, "Ann", 0, 100);
	in_init(&in, &r);
	in.pits = &pit;
	in.npits = 1;
	drive_compute(&in, &o);
	ok(o.nstints == 1 && o.drivers[0].status == DRIVE_OVER,
	    "stint: a stop without a driver change does not end the stint");
	drive_free(&o);
}

static void
test_conf(void)
{
	struct conf		 c = { 0 };
	struct drive_rules	 r;
	char			 err[128] = "";

	conf_set(&c, "drive_min", "45");
	conf_set(&c, "drive_max", "240");
	conf_set(&c, "drive_window", "360");
	conf_set(&c, "drive_window_max", "210");
	conf_set(&c, "drive_stint", "0");
	ok(drive_rules_conf(&c, &r, err, sizeof(err)) == 1 && r.min == 2700 && r.max == 14400 &&
	    r.window == 21600 && r.window_max == 12600 && r.stint == 0 && drive_rules_any(&r),
	    "the configuration's minutes are read as seconds; 0 is no rule");
	conf_set(&c, "drive_stint", "two hours");
	ok(drive_rules_conf(&c, &r, err, sizeof(err)) == 0 && strstr(err, "drive_stint") != NULL &&
	    r.min == 0, "a value that is no number is refused, naming the key");
	conf_free(&c);
	memset(&c, 0, sizeof(c));
	ok(drive_rules_conf(&c, &r, err, sizeof(err)) == 1 && !drive_rules_any(&r),
	    "no keys: no rules");
	conf_free(&c);
}

int
main(void)
{
	test_no_swap();
	test_swaps();
	test_rules();
	test_conf();
	return tap_done();
}
