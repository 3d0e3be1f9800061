/*
 * Order (ingest/order.c): class positions, laps behind, gaps and intervals
 * from the game's positions and where the cars are, one test per rule, on
 * the pure tracker. The game's own figures in these frames are wrong the
 * way real and simulated games get them wrong.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "t_track_util.h"

#define LAP_S	100.0	/* s a lap takes */
#define LEN	1000.0	/* m of track */

static struct track	 T;
static struct tobs	 B;
static int		 flagged = -1;	/* the slot of a car that took the flag */

/* Progress (laps + fraction) of a car that is behind s behind the leader at ET et. */
static double
prog(double et, double behind)
{
	return (et - behind) / LAP_S + 0.005;
}

struct who {
	const char	*veh, *cls;
	double		 behind;	/* s behind the leader */
};

static const struct who cars[] = {
	{ "A", "GT3", 0 }, { "B", "LMP2", 5 }, { "C", "GT3", 30 }, { "D", "LMP2", 140 },
};
#define NCARS (sizeof(cars) / sizeof(cars[0]))

/*
 * A race frame at ET et: the cars where they are, and the figures a naive
 * game sends: laps behind as the difference of laps completed, intervals
 * no larger than 3 s, or (zero) no gaps at all as on a first lap.
 */
static struct tsession *
race(double et, int phase, int zero)
{
	struct tsession	*s;
	double		 p[NCARS];

	tobs_session(&B, "RACE1", et, 1);
	B.o.track_len = LEN;
	B.o.phase = phase;
	for (size_t i = 0; i < NCARS; i++) {
		struct obs_car *c;
		p[i] = prog(et, cars[i].behind);
		c = tobs_car(&B, (int)i, cars[i].veh, cars[i].veh, (int)floor(p[i]));
		c->cls = cars[i].cls;
		c->lap_dist = (p[i] - floor(p[i])) * LEN;
		c->gap = zero ? 0 : cars[i].behind;
		c->gap_laps = (int)floor(p[0]) - c->laps;
		c->interval = zero || i == 0 ? 0 : fmin(cars[i].behind - cars[i - 1].behind, 3.0);
		c->interval_laps = i == 0 ? 0 : (int)floor(p[i - 1]) - c->laps;
		if ((int)i == flagged) {
			c->finish = FIN_FINISHED;
			c->gap = 99;	/* whatever the game says after the flag */
		}
	}
	tfeed(&T, "c1", 1000 + et, &B, &s);
	return s;
}

static struct tcar *
car(struct tsession *s, int slot)
{
	return s->by_slot[slot];
}

static void
fresh(void)
{
	track_free(&T);
	track_init(&T);
}

int
main(void)
{
	struct tsession	*s = NULL;

	log_init("t_track_order", 1, LOG_LVL_WARN);
	tap_plan(12);

	/* two minutes of racing, one frame a second */
	fresh();
	for (double et = 100; et <= 300; et += 1)
		s = race(et, PHASE_GREEN, 0);
	ok(car(s, 0)->class_position == 1 && car(s, 1)->class_position == 1 &&
	    car(s, 2)->class_position == 2 && car(s, 3)->class_position == 2,
	    "class positions count within each class, in the order of the positions");
	ok(car(s, 1)->gap_laps == 0 && car(s, 2)->gap_laps == 0 && car(s, 1)->said.gap_laps == 1,
	    "a car that crossed the line after the leader is not a lap down (the game said %d)",
	    car(s, 1)->said.gap_laps);
	ok(car(s, 3)->gap_laps == 1 && car(s, 3)->interval_laps == 1,
	    "a car 1.4 laps behind is one lap down, on the leader and on the car ahead");
	ok(fabs(car(s, 2)->interval - 25.0) < 0.01 && fabs(car(s, 1)->interval - 5.0) < 0.01,
	    "an interval is the difference of two gaps, not the game's capped figure (%.3f)",
	    car(s, 2)->interval);
	ok(fabs(car(s, 2)->class_gap - 30.0) < 0.01 && car(s, 3)->class_gap_laps == 1,
	    "class gaps are to the first car of the class (%.3f, %d lap)", car(s, 2)->class_gap,
	    car(s, 3)->class_gap_laps);
	ok(T.c.order_fixed > 0 && (car(s, 1)->order_logged & ORDER_GAP_LAPS) &&
	    (car(s, 2)->order_logged & ORDER_INTERVAL) && !(car(s, 0)->order_logged),
	    "the rows the game had wrong are counted (%lld) and each car's mistake noted once",
	    T.c.order_fixed);
	flagged = 1;
	for (double et = 301; et <= 310; et += 1)
		s = race(et, PHASE_GREEN, 0);
	flagged = -1;
	ok(fabs(car(s, 1)->gap - 5.0) < 0.05, "a car that took the flag keeps the gap it had "
	    "(%.3f)", car(s, 1)->gap);

	/* a first lap: the game sends no gaps; the leader's trail gives them */
	fresh();
	for (double et = 100; et <= 200; et += 1)
		s = race(et, PHASE_GREEN, 1);
	ok(fabs(car(s, 1)->gap - 5.0) < 0.05 && fabs(car(s, 2)->gap - 30.0) < 0.05,
	    "without the game's gaps, a gap is the time since the leader passed (%.3f, %.3f)",
	    car(s, 1)->gap, car(s, 2)->gap);
	ok(car(s, 2)->interval >= 0 && fabs(car(s, 2)->interval - (car(s, 2)->gap -
	    car(s, 1)->gap)) < 1e-9, "and the interval is their difference");

	/* on the grid: nothing to order by */
	fresh();
	s = race(20, PHASE_GRID, 0);
	ok(car(s, 2)->gap == 0 && car(s, 2)->interval == 0 && car(s, 3)->gap_laps == 0,
	    "before the green flag every gap is zero");

	/* qualifying: best laps */
	fresh();
	tobs_session(&B, "QUALIFY1", 300, 1);
	B.o.track_len = LEN;
	tobs_car(&B, 0, "A", "A", 3)->best = 100.0;
	tobs_car(&B, 1, "B", "B", 3)->best = 101.5;
	tobs_car(&B, 2, "C", "C", 1)->best = -1;
	B.cars[1].gap = 1.5;
	tfeed(&T, "c1", 2000, &B, &s);
	ok(fabs(car(s, 1)->gap - 1.5) < 1e-9 && fabs(car(s, 1)->interval - 1.5) < 1e-9,
	    "in qualifying a gap is the difference of best laps");
	ok(car(s, 2)->gap < 0 && T.c.order_fixed == 0,
	    "a car without a timed lap has no gap, and the game's 0 for it is no mistake");
	track_free(&T);
	return tap_done();
}
