/*
 * lib/strategy.c: every rule that keeps a lap out of the per-lap usage, the
 * laps left and the limiting level, the pit window, the stint, the tyre set,
 * the pace against the class, the projected finish, and the unknowns.
 */
#include <math.h>
#include <string.h>

#include "strategy.h"
#include "tap.h"

#define NLAPS	40

static struct strat_lap laps[NLAPS];

/* n clean laps of 100 s from ET 0, fuel from 1.0 down 0.04 a lap, VE down 0.05. */
static void
fill(size_t n)
{
	memset(laps, 0, sizeof(laps));
	for (size_t i = 0; i < n; i++) {
		laps[i].lap = (int)i + 1;
		laps[i].time = 100;
		laps[i].start_et = 100.0 * i;
		laps[i].fuel = 1.0 - 0.04 * (i + 1);
		laps[i].ve = 1.0 - 0.05 * (i + 1);
		laps[i].valid = 1;
	}
}

static void
in_init(struct strat_in *in, size_t n)
{
	memset(in, 0, sizeof(*in));
	in->laps = laps;
	in->n = n;
	in->remaining = -1;
	in->max_laps = 0;
	in->et = n > 0 ? laps[n - 1].start_et + laps[n - 1].time : -1;
	in->fuel_now = in->ve_now = -1;
	in->class_pace = in->leader_pace = -1;
}

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

int
main(void)
{
	struct strat_in		 in;
	struct strat_out	 o;
	enum strat_why		 wf[NLAPS], wv[NLAPS];

	tap_plan(61);

	/* No laps: every figure unknown. */
	in_init(&in, 0);
	ok(strategy_compute(&in, &o) == 0, "no laps: 0");
	ok(isnan(o.fuel_per_lap) && isnan(o.laps_left) && o.window_first == -1 &&
	    o.window_last == -1 && o.limiting == -1 && isnan(o.pace5) &&
	    isnan(o.projected_laps) && o.tyre_laps == -1, "no laps: every figure unknown");

	/* Clean laps. */
	fill(10);
	in_init(&in, 10);
	ok(strategy_compute(&in, &o) == 1, "ten laps: 1");
	ok(near(o.fuel_per_lap, 0.04) && o.fuel_laps == STRAT_ROLL, "fuel per lap 0.04 over 5 laps");
	ok(near(o.ve_per_lap, 0.05) && o.ve_laps == STRAT_ROLL, "VE per lap 0.05 over 5 laps");
	ok(near(o.laps_left_fuel, 0.6 / 0.04) && near(o.laps_left_ve, 0.5 / 0.05),
	    "laps left: 15 of fuel, 10 of VE");
	ok(o.limiting == 1 && near(o.laps_left, 10), "VE limits: 10 laps left");
	ok(o.current_lap == 11, "lap 11 in progress");
	ok(o.window_last == 20, "no race length: the latest lap to stop is 10 + 10");
	ok(o.window_first == -1 && o.stops_needed == -1, "no race length: earliest unknown");
	ok(near(o.pace5, 100) && o.pace_laps == 5, "pace of the last 5 laps");
	ok(isnan(o.pace_delta), "no class pace: no delta");
	ok(o.stint_first == 1 && o.stint_laps == 10 && near(o.stint_time, 1000),
	    "stint: 10 laps, 1000 s from the start");
	ok(o.tyre_first == 1 && o.tyre_laps == 10, "tyres: 10 laps from the start");
	strategy_laps(&in, wf, wv);
	ok(wf[9] == STRAT_USED && wf[5] == STRAT_USED && wf[4] == STRAT_OLDER &&
	    wf[0] == STRAT_NOLEVEL, "last five used, older ones not, lap 1 has no level before it");

	/* Fuel now from the caller wins over the last lap's level. */
	in.fuel_now = 0.2;
	in.ve_now = 0.9;
	strategy_compute(&in, &o);
	ok(o.limiting == 0 && near(o.laps_left, 5) && o.window_last == 15,
	    "level now given: fuel limits, 5 laps left, stop by lap 15");

	/* Each exclusion rule, one at a time, on the last laps. */
	fill(12);
	laps[8].pit = 1;			/* in-lap 9, out-lap 10 */
	laps[9].fuel = 1.0;			/* refuelled at the stop */
	laps[10].fuel = 0.96;
	laps[11].fuel = 0.92;
	in_init(&in, 12);
	strategy_laps(&in, wf, wv);
	ok(wf[8] == STRAT_PIT, "in-lap excluded (pit)");
	ok(wf[9] == STRAT_OUTLAP, "out-lap after it excluded");
	ok(wf[10] == STRAT_USED && wf[11] == STRAT_USED, "laps after the out-lap used");
	strategy_compute(&in, &o);
	ok(near(o.fuel_per_lap, 0.04) && o.fuel_laps == 5, "refuel does not skew fuel per lap");
	ok(o.stint_first == 10 && o.stint_laps == 3 && near(o.stint_time, 1200 - 900),
	    "stint from the out-lap: 3 laps, 300 s");
	ok(o.tyre_first == 1 && o.tyre_laps == 12, "stop without tyres: the set runs on");
	laps[8].tyres = 1;
	strategy_compute(&in, &o);
	ok(o.tyre_first == 10 && o.tyre_laps == 3, "stop with tyres: 3 laps on the new set");
	laps[8].tyres = -1;
	strategy_compute(&in, &o);
	ok(o.tyre_first == -1 && o.tyre_laps == -1, "stop whose tyres are unknown: age unknown");

	fill(12);
	laps[10].yellow = 1;
	laps[10].fuel = laps[9].fuel - 0.01;	/* saving fuel behind the safety car */
	laps[11].fuel = laps[10].fuel - 0.04;
	in_init(&in, 12);
	strategy_laps(&in, wf, wv);
	ok(wf[10] == STRAT_YELLOW, "full-course yellow lap excluded");
	strategy_compute(&in, &o);
	ok(near(o.fuel_per_lap, 0.04), "yellow lap does not skew fuel per lap");

	fill(12);
	laps[10].valid = 0;
	laps[11].time = -1;
	laps[10].fuel = laps[9].fuel - 0.10;
	laps[11].fuel = laps[10].fuel - 0.10;
	in_init(&in, 12);
	strategy_laps(&in, wf, wv);
	ok(wf[10] == STRAT_INVALID && wf[11] == STRAT_INVALID, "invalid and untimed laps excluded");
	strategy_compute(&in, &o);
	ok(near(o.fuel_per_lap, 0.04), "invalid laps do not skew fuel per lap");

	fill(12);
	laps[11].time = 107.01;			/* over 107 % of the median (100) */
	laps[10].time = 106.9;			/* under: kept */
	laps[11].fuel = laps[10].fuel - 0.2;
	in_init(&in, 12);
	strategy_laps(&in, wf, wv);
	ok(wf[11] == STRAT_SLOWLAP, "lap over 107 %% of the median excluded");
	ok(wf[10] == STRAT_USED, "lap under 107 %% of the median used");
	strategy_compute(&in, &o);
	ok(near(o.median, 100) && near(o.fuel_per_lap, 0.04), "slow lap does not skew fuel per lap");

	fill(12);
	laps[11].fuel = laps[10].fuel + 0.05;	/* topped up without a pit flag */
	in_init(&in, 12);
	strategy_laps(&in, wf, wv);
	ok(wf[11] == STRAT_REFUEL && wv[11] == STRAT_USED, "fuel going up excluded for fuel only");

	fill(12);
	laps[10].fuel = -1;
	in_init(&in, 12);
	strategy_laps(&in, wf, wv);
	ok(wf[10] == STRAT_NOLEVEL && wf[11] == STRAT_NOLEVEL,
	    "unknown level: that lap and the next lack a delta");
	strategy_compute(&in, &o);
	ok(near(o.fuel_per_lap, 0.04) && o.fuel_laps == 5, "the five before them are used");

	/* A gap in the laps: no delta across it. */
	fill(12);
	memmove(&laps[6], &laps[7], 5 * sizeof(laps[0]));
	in_init(&in, 11);
	strategy_laps(&in, wf, wv);
	ok(laps[6].lap == 8 && wf[6] == STRAT_NOLEVEL, "no delta across a missing lap");

	/* No fuel known anywhere, no VE (a sim without it). */
	fill(12);
	for (int i = 0; i < 12; i++)
		laps[i].fuel = laps[i].ve = -1;
	in_init(&in, 12);
	strategy_compute(&in, &o);
	ok(isnan(o.fuel_per_lap) && o.fuel_laps == 0 && isnan(o.ve_per_lap),
	    "no levels: per lap unknown");
	ok(isnan(o.laps_left) && o.limiting == -1 && o.window_last == -1 && o.window_first == -1,
	    "no levels: laps left and window unknown");
	ok(near(o.pace5, 100), "no levels: pace still known");

	/* Fuel only (VE unknown): fuel limits. */
	fill(12);
	for (int i = 0; i < 12; i++)
		laps[i].ve = -1;
	in_init(&in, 12);
	strategy_compute(&in, &o);
	ok(o.limiting == 0 && near(o.laps_left, 0.52 / 0.04) && isnan(o.laps_left_ve),
	    "no VE: fuel limits");

	/* Lap race: window. 10 laps done, 0.6 fuel at 0.04 (15 laps), VE 0.5 at 0.05 (10). */
	fill(10);
	in_init(&in, 10);
	in.max_laps = 40;
	strategy_compute(&in, &o);
	ok(o.projected_by == 1 && near(o.projected_laps, 40), "lap race: projected = its length");
	/* VE limits: full energy lasts 20 laps; to lap 40 from 10 done: 30 to go, 10 left. */
	ok(o.stops_needed == 1, "lap race: one stop needed");
	ok(o.window_last == 20, "lap race: latest stop lap 20 (10 done + 10 left)");
	ok(o.window_first == 20, "lap race: earliest stop lap 20 (40 - 20 a full energy lasts)");
	in.max_laps = 25;
	strategy_compute(&in, &o);
	ok(o.window_first == 11 && o.window_last == 20,
	    "shorter race: window from the lap in progress (clamped) to 20");
	in.max_laps = 20;
	strategy_compute(&in, &o);
	ok(o.stops_needed == 0 && o.window_first == -1 && o.window_last == -1,
	    "enough to finish: no stop, no window");
	in.max_laps = 50;
	strategy_compute(&in, &o);
	ok(o.stops_needed == 2 && o.window_first == 11 && o.window_last == 20,
	    "two stops needed: earliest clamped to the lap in progress");
	in.max_laps = 60;
	strategy_compute(&in, &o);
	ok(o.stops_needed == 2 && o.window_first == 20 && o.window_last == 20,
	    "two stops of 20 laps to lap 60: the first at lap 20 exactly");

	/* Timed race. */
	fill(10);
	in_init(&in, 10);
	in.et = 1050;			/* 50 s into lap 11 */
	in.remaining = 1000;
	strategy_compute(&in, &o);
	/* 1050 s from the start of lap 11 hold 10 whole laps (11..20), then lap 21 runs out. */
	ok(o.projected_by == 2 && near(o.projected_laps, 21), "timed race: 10 + 10 + 1 = 21");
	ok(o.stops_needed == 1, "timed race: one stop (VE lasts to lap 20)");
	ok(near(o.stint_time, 1050), "stint time runs on to now");
	in.remaining = 999;
	in.et = 1000;
	strategy_compute(&in, &o);
	ok(near(o.projected_laps, 20), "timed race at the line: 10 + 9 + 1 = 20");
	in.remaining = -1;
	strategy_compute(&in, &o);
	ok(isnan(o.projected_laps) && o.projected_by == 0 && o.window_first == -1,
	    "no time or laps known: no projection, no earliest stop");
	for (int i = 0; i < 10; i++)
		laps[i].time = -1;
	in.remaining = 1000;
	strategy_compute(&in, &o);
	ok(isnan(o.pace5) && isnan(o.projected_laps), "no timed laps: no pace, no projection");

	/* Pace against the class and the leader; yellow and pit laps left out. */
	fill(12);
	laps[11].time = 90;
	laps[11].yellow = 1;
	laps[10].time = 150;
	laps[10].pit = 1;
	laps[4].time = 95;		/* older than the last five clean ones: ignored */
	in_init(&in, 12);
	in.class_pace = 98.5;
	in.leader_pace = 99;
	strategy_compute(&in, &o);
	ok(near(o.pace5, 100) && o.pace_laps == 5, "pace: last five clean laps (yellow, pit out)");
	ok(near(o.pace_delta, 1.5) && near(o.leader_delta, 1), "pace delta to class and leader");

	/* Pace over fewer laps when fewer are clean. */
	fill(3);
	laps[1].time = 105;
	in_init(&in, 3);
	strategy_compute(&in, &o);
	ok(o.pace_laps == 3 && near(o.pace5, 305.0 / 3), "pace over three laps");
	ok(o.fuel_laps == 2 && near(o.fuel_per_lap, 0.04), "fuel over the two deltas there are");

	/* Just in the pits: the in-lap is the last lap. */
	fill(8);
	laps[7].pit = 1;
	in_init(&in, 8);
	strategy_compute(&in, &o);
	ok(o.stint_first == 9 && o.stint_laps == 0, "in the pits: a stint of 0 laps");

	/* Running out: laps left under one. */
	fill(24);
	for (int i = 0; i < 24; i++)
		laps[i].ve = -1;
	in_init(&in, 24);
	strategy_compute(&in, &o);
	ok(near(o.laps_left, 0.04 / 0.04) && o.window_last == 25,
	    "one lap of fuel: stop at the end of the lap in progress");
	in.fuel_now = 0.02;
	strategy_compute(&in, &o);
	ok(o.window_last == 25, "half a lap of fuel: window clamped to the lap in progress");

	ok(strcmp(strat_why_names[STRAT_SLOWLAP], "slow") == 0 &&
	    strcmp(strat_why_names[STRAT_NOLEVEL], "nolevel") == 0, "reason names");
	return tap_done();
}
