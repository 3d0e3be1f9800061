/*
 * The pit state machine (spec/tracking.md §5): every edge case its own
 * test. A car's pitState, garage flag, laps and driver over ET are fed to
 * the pure tracker; the visits it records are checked.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "t_track_util.h"

#define N PIT_NONE
#define R PIT_REQUEST
#define E PIT_ENTERING
#define S PIT_STOPPED
#define X PIT_EXITING

struct step {
	double		 et;
	int		 laps;
	enum pit_state	 ps;
	int		 garage;
	const char	*driver;
};

/* Steps are given from ET 0; the frames run from ET BASE (a session under way). */
#define BASE 1000.0
#define AT(x) ((x) < 0 ? -1.0 : (x) + BASE)

static struct track	 T;
static struct tobs	 B;

/* Feeds the steps of car 0 as one client's frames; returns the car. */
static struct tcar *
run(const struct step *st, size_t n, const char *type)
{
	struct tsession *s = NULL;

	track_free(&T);
	track_init(&T);
	for (size_t i = 0; i < n; i++) {
		struct obs_car *c;
		tobs_session(&B, type, st[i].et + BASE, 0);
		c = tobs_car(&B, 0, "CAR_A", st[i].driver ? st[i].driver : "Ann", st[i].laps);
		c->pit_state = st[i].ps;
		c->in_garage = st[i].garage;
		c->last = st[i].laps > 0 ? 60 : -1;
		tfeed(&T, "c1", 1000 + BASE + st[i].et, &B, &s);
	}
	return s ? s->cars[0] : NULL;
}

#define RUN(steps, type) run(steps, sizeof(steps) / sizeof(steps[0]), type)

static int
pit_is(const struct tpit *p, int lap, double pit, double stop, double rel, double exit)
{
	return p->lap == lap && p->pit_time == AT(pit) && p->stop_time == AT(stop) &&
	    p->release_time == AT(rel) && p->exit_time == AT(exit) && !p->garage;
}

static void
normal_stop(void)
{
	static const struct step st[] = { { 10, 3, N, 0, 0 }, { 11, 3, R, 0, 0 }, { 12, 3, E, 0, 0 },
	    { 20, 3, S, 0, 0 }, { 40, 3, X, 0, 0 }, { 50, 3, N, 0, 0 }, { 70, 4, N, 0, 0 } };
	struct tcar *c = RUN(st, "RACE1");

	ok(c->npits == 1 && pit_is(&c->pits[0], 4, 12, 20, 40, 50) && !c->pits[0].open &&
	    c->laps_v[3].pit, "a stop: lane entry, stop, release and exit times on the lap of entry");
}

static void
entering_on_consecutive_laps(void)
{
	static const struct step st[] = { { 10, 3, E, 0, 0 }, { 20, 3, S, 0, 0 }, { 30, 3, X, 0, 0 },
	    { 35, 3, N, 0, 0 }, { 50, 4, N, 0, 0 }, { 100, 4, E, 0, 0 }, { 110, 4, S, 0, 0 },
	    { 120, 4, X, 0, 0 }, { 125, 4, N, 0, 0 } };
	struct tcar *c = RUN(st, "RACE1");

	ok(c->npits == 2 && pit_is(&c->pits[0], 4, 10, 20, 30, 35) &&
	    pit_is(&c->pits[1], 5, 100, 110, 120, 125), "entering on consecutive laps makes two pits");
}

static void
line_crossed_in_the_lane(void)
{
	static const struct step st[] = { { 10, 3, E, 0, 0 }, { 15, 4, E, 0, 0 }, { 20, 4, S, 0, 0 },
	    { 30, 4, X, 0, 0 }, { 45, 4, N, 0, 0 } };
	struct tcar *c = RUN(st, "RACE1");

	ok(c->npits == 1 && pit_is(&c->pits[0], 4, 10, 20, 30, 45),
	    "crossing the line in the lane is one pit, on the lap of entry");
}

static void
drive_through(void)
{
	static const struct step st[] = { { 10, 3, R, 0, 0 }, { 12, 3, E, 0, 0 }, { 30, 3, N, 0, 0 } };
	struct tcar *c = RUN(st, "RACE1");

	ok(c->npits == 1 && pit_is(&c->pits[0], 4, 12, -1, -1, 30),
	    "a drive-through (ENTERING then NONE) has no stop");
}

static void
swap_blip_is_one_stop(void)
{
	static const struct step st[] = { { 10, 3, E, 0, "Ann" }, { 20, 3, S, 0, "Ann" },
	    { 30, 3, N, 0, "Ann" }, { 31, 3, S, 0, "Bob" }, { 50, 3, X, 0, "Bob" },
	    { 60, 3, N, 0, "Bob" } };
	struct tcar *c = RUN(st, "RACE1");

	ok(c->npits == 1 && pit_is(&c->pits[0], 4, 10, 20, 50, 60) && c->pits[0].swap_time == AT(31) &&
	    strcmp(c->pits[0].driver_out, "Ann") == 0 && strcmp(c->pits[0].driver_in, "Bob") == 0,
	    "pitState blipping to NONE during a swap while stopped is one stop, with the swap");
}

static void
exiting_stuck_until_next_lap(void)
{
	static const struct step st[] = { { 10, 3, E, 0, 0 }, { 20, 3, S, 0, 0 }, { 30, 3, X, 0, 0 },
	    { 90, 4, X, 0, 0 }, { 150, 5, X, 0, 0 }, { 200, 5, E, 0, 0 } };
	struct tcar *c = RUN(st, "RACE1");

	ok(c->npits == 2 && pit_is(&c->pits[0], 4, 10, 20, 30, -1) && pit_is(&c->pits[1], 6, 200, -1, -1, -1) &&
	    c->pits[1].open, "pitState stuck at EXITING ends the exit at the next lap (exit unknown)");
}

static void
two_stops_on_one_lap(void)
{
	static const struct step st[] = { { 10, 3, E, 0, 0 }, { 20, 3, S, 0, 0 }, { 30, 3, X, 0, 0 },
	    { 35, 3, N, 0, 0 }, { 40, 3, E, 0, 0 }, { 45, 3, S, 0, 0 }, { 50, 3, X, 0, 0 },
	    { 55, 3, N, 0, 0 } };
	struct tcar *c = RUN(st, "RACE1");

	ok(c->npits == 2 && pit_is(&c->pits[0], 4, 10, 20, 30, 35) && pit_is(&c->pits[1], 4, 40, 45, 50, 55),
	    "two stops on one lap are two pits");
}

static void
garage_visits_with_swap(void)
{
	static const struct step st[] = { { 10, 5, N, 0, "Ann" }, { 20, 5, N, 1, "Ann" },
	    { 200, 5, N, 1, "Bob" }, { 300, 5, N, 0, "Bob" }, { 400, 6, N, 0, "Bob" } };
	struct tcar *c = RUN(st, "PRACTICE1");

	ok(c->npits == 1 && c->pits[0].garage && c->pits[0].lap == 6 && c->pits[0].garage_in == AT(20) &&
	    c->pits[0].garage_out == AT(300) && c->pits[0].swap_time == AT(200) &&
	    strcmp(c->pits[0].driver_out, "Ann") == 0 && strcmp(c->pits[0].driver_in, "Bob") == 0 &&
	    !c->laps_v[5].pit, "a garage visit (practice) with a driver swap: in, out, swap; not a lane pit");
}

static void
initial_garage_exit(void)
{
	static const struct step st[] = { { 3.6, 0, N, 1, 0 }, { 4.6, 0, N, 1, 0 }, { 11.6, 0, N, 0, 0 },
	    { 90, 1, N, 0, 0 } };
	struct tcar *c = RUN(st, "RACE1");

	ok(c->npits == 1 && c->pits[0].garage && c->pits[0].lap == 1 && c->pits[0].garage_in == AT(3.6) &&
	    c->pits[0].garage_out == AT(11.6), "the initial garage exit is a garage visit on lap 1");
}

static void
lane_visit_into_garage(void)
{
	static const struct step st[] = { { 10, 3, E, 0, 0 }, { 15, 4, E, 0, 0 }, { 18, 4, S, 0, 0 },
	    { 25, 4, S, 1, 0 }, { 80, 4, S, 1, 0 }, { 90, 4, N, 0, 0 } };
	struct tcar *c = RUN(st, "PRACTICE1");

	ok(c->npits == 2 && pit_is(&c->pits[0], 4, 10, 18, -1, -1) && c->pits[1].garage &&
	    c->pits[1].lap == 5 && c->pits[1].garage_in == AT(25) && c->pits[1].garage_out == AT(90),
	    "a lane visit that never saw its end stays set into the garage: it ends, the garage visit begins");
}

static void
strategy_confirms_and_synthesises(void)
{
	static const struct step st[] = { { 10, 3, E, 0, 0 }, { 20, 3, S, 0, 0 }, { 30, 3, X, 0, 0 },
	    { 40, 3, N, 0, 0 }, { 100, 4, N, 0, 0 }, { 200, 9, N, 0, 0 } };
	struct tcar *c = RUN(st, "RACE1");
	struct tsession *s;

	/* Strategy: the stop of lap 4 and one on lap 7 the state machine never saw. */
	tobs_session(&B, "RACE1", BASE + 201, 0);
	tobs_car(&B, 0, "CAR_A", "Ann", 9);
	B.o.has_strategy = 1;
	B.o.nstops = 2;
	memset(B.stops, 0, sizeof(B.stops));
	for (int i = 0; i < 2; i++) {
		B.stops[i].team = "CAR_A";
		B.stops[i].lap = i ? 7 : 4;
		B.stops[i].driver = "Ann";
		B.stops[i].duration = i ? 30 : 12.5;
		B.stops[i].fuel = 0.8;
		B.stops[i].ve = 0.9;
		B.stops[i].changed = 0xf;
		for (int w = 0; w < TYRE_N; w++)
			snprintf(B.stops[i].compound[w], COMPOUND_LEN, "Medium");
	}
	tfeed(&T, "c1", 1000 + BASE + 201, &B, &s);
	c = s->cars[0];
	ok(c->npits == 2 && c->pits[0].confirmed && c->pits[0].duration == 12.5 &&
	    strcmp(c->pits[0].tyres, "MMMM") == 0 && c->pits[0].tyres_changed == 0xf && !c->pits[0].synthesised,
	    "strategy data confirms a stop and adds tyres, fuel, VE and duration");
	ok(c->npits == 2 && c->pits[1].synthesised && c->pits[1].lap == 7 && c->pits[1].duration == 30,
	    "a stop the state machine missed is synthesised from strategy data");
	B.o.et += 1;
	tfeed(&T, "c1", 1000 + BASE + 202, &B, &s);
	ok(s->cars[0]->npits == 2 && tcount(&T, CH_PIT) == 0 && tcount(&T, CH_PIT_UPDATE) == 0,
	    "strategy data seen again changes nothing");
}

static void
stints_between_stops(void)
{
	static const struct step st[] = { { 10, 1, N, 0, "Ann" }, { 70, 2, N, 0, "Ann" },
	    { 75, 2, E, 0, "Ann" }, { 80, 2, S, 0, "Ann" }, { 90, 2, N, 0, "Bob" }, { 91, 2, S, 0, "Bob" },
	    { 100, 2, X, 0, "Bob" }, { 110, 2, N, 0, "Bob" }, { 140, 3, N, 0, "Bob" },
	    { 200, 4, N, 0, "Bob" } };
	struct tcar *c = RUN(st, "RACE1");

	ok(c->nstints == 2 && c->stints[0].first_lap == 1 && c->stints[0].last_lap == 2 &&
	    strcmp(c->stints[0].driver, "Ann") == 0 && c->stints[1].first_lap == 3 &&
	    c->stints[1].last_lap == 4 && strcmp(c->stints[1].driver, "Bob") == 0 &&
	    c->stints[1].tyre_laps == 2, "stints are the laps between stops, with driver and laps on tyres");
}

int
main(void)
{
	normal_stop();
	entering_on_consecutive_laps();
	line_crossed_in_the_lane();
	drive_through();
	swap_blip_is_one_stop();
	exiting_stuck_until_next_lap();
	two_stops_on_one_lap();
	garage_visits_with_swap();
	initial_garage_exit();
	lane_visit_into_garage();
	strategy_confirms_and_synthesises();
	stints_between_stops();
	track_free(&T);
	return tap_done();
}
