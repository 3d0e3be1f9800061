/*
 * Laps (spec/tracking.md §3, §4), bests (§6), chat, player fuel, track
 * map and sector boundaries: one test per rule, on the pure tracker.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "t_track_util.h"

static struct track	 T;
static struct tobs	 B;

static void
fresh(void)
{
	track_free(&T);
	track_init(&T);
}

/* A frame at ET et where car 0 (veh, driver) has laps done, the last one (time, split1, split2). */
static struct tsession *
lap(const char *client, double et, const char *veh, const char *driver, int laps, double time,
    double sp1, double sp2)
{
	struct tsession	*s;
	struct obs_car	*c;

	tobs_session(&B, "RACE1", et, 1);
	c = tobs_car(&B, 0, veh, driver, laps);
	c->last = time;
	c->last_s1 = sp1;
	c->last_s2 = sp2;
	c->lap_start_et = et - 1;
	tfeed(&T, client, 10000 + et, &B, &s);
	return s;
}

static const struct tlap *
L(struct tsession *s, int n)
{
	return &s->cars[0]->laps_v[n - 1];
}

static void
lap_pieces(void)
{
	struct tsession *s;

	fresh();
	lap("c1", 100, "CAR_A", "Ann", 0, -1, -1, -1);
	s = lap("c1", 190, "CAR_A", "Ann", 1, 90, 30, 61);
	ok(L(s, 1)->known && L(s, 1)->time == 90 && L(s, 1)->s1 == 30 && L(s, 1)->s2 == 31 &&
	    L(s, 1)->s3 == 29 && L(s, 1)->valid && strcmp(L(s, 1)->driver, "Ann") == 0 &&
	    L(s, 1)->position == 1 && tcount(&T, CH_LAP) == 1,
	    "lap time, S1 = split1, S2 = split2 - split1, S3 = lap - split2, driver and position");
}

static void
invalid_lap(void)
{
	struct tsession *s;

	fresh();
	lap("c1", 100, "CAR_A", "Ann", 0, -1, -1, -1);
	s = lap("c1", 190, "CAR_A", "Ann", 1, -1, 30, -1);
	ok(L(s, 1)->known && !L(s, 1)->valid && L(s, 1)->time < 0 && L(s, 1)->s1 == 30 &&
	    L(s, 1)->s2 < 0 && L(s, 1)->s3 < 0, "a lap with time <= 0 is invalid; known pieces are kept");
}

static void
lap_recorded_once(void)
{
	struct tsession *s;

	fresh();
	lap("c1", 190, "CAR_A", "Ann", 1, 90, 30, 61);
	s = lap("c1", 191, "CAR_A", "Ann", 1, 95, 31, 62);
	ok(L(s, 1)->time == 90 && tcount(&T, CH_LAP) == 0 && tcount(&T, CH_LAP_FILL) == 0,
	    "a lap is recorded once; a later observation never changes what was known");
}

static void
skipped_lap_gap_then_backfill(void)
{
	struct tsession *s;

	fresh();
	lap("c1", 100, "CAR_A", "Ann", 1, 90, 30, 60);
	s = lap("c1", 290, "CAR_A", "Ann", 3, 92, 31, 62);
	int gap = L(s, 2)->known && L(s, 2)->source == LSRC_MISSING && L(s, 2)->time < 0 &&
	    L(s, 3)->time == 92 && s->nlaps == 2;
	ok(gap, "a lap no client saw (lapsCompleted jumped) is stored as missing");
	tobs_session(&B, "RACE1", 291, 1);
	tobs_car(&B, 0, "CAR_A", "Ann", 3);
	B.o.has_history = 1;
	B.o.nhist = 1;
	B.hist[0].slot = 0;
	B.hist[0].lap = 2;
	B.hist[0].time = 91;
	B.hist[0].s1 = 30.5;
	B.hist[0].s2 = 61;
	B.hist[0].driver = "Ann";
	B.hist[0].position = 1;
	tfeed(&T, "c2", 10291, &B, &s);
	ok(L(s, 2)->source == LSRC_HISTORY && L(s, 2)->time == 91 && L(s, 2)->s2 == 30.5 &&
	    L(s, 2)->s3 == 30 && s->nlaps == 3 && tcount(&T, CH_LAP_FILL) == 1,
	    "the missing lap is back-filled from standings history when a client sends it");
}

static void
out_of_order_arrival(void)
{
	struct tsession *s;

	fresh();
	lap("c1", 100, "CAR_A", "Ann", 4, 90, 30, 60);
	lap("c1", 190, "CAR_A", "Ann", 5, 91, 30, 60);
	/* A lagging client still shows lap 4 done with its own view. */
	s = lap("c2", 150, "CAR_A", "Ann", 4, 90, 30, 60);
	ok(s->cars[0]->max_lap == 5 && L(s, 5)->time == 91 && s->cars[0]->et == 190 &&
	    tcount(&T, CH_LAP) == 0, "an older frame arriving late records nothing twice and overwrites nothing");
}

static void
sector_filled_by_second_client(void)
{
	struct tsession *s;

	fresh();
	lap("c1", 100, "CAR_A", "Ann", 0, -1, -1, -1);
	s = lap("c1", 190, "CAR_A", "Ann", 1, 90, 30, -1);
	int before = L(s, 1)->s2 < 0 && L(s, 1)->s3 < 0;
	s = lap("c2", 190.5, "CAR_A", "Ann", 1, 90, 30, 61);
	ok(before && L(s, 1)->s2 == 31 && L(s, 1)->s3 == 29 && L(s, 1)->s1 == 30 &&
	    tcount(&T, CH_LAP_FILL) == 1, "a sector -1 is filled by a second client's observation");
}

static void
player_fuel_from_usage(void)
{
	struct tsession	*s;
	struct obs_car	*c;

	fresh();
	tobs_session(&B, "RACE1", 100, 1);
	c = tobs_car(&B, 0, "CAR_A", "Ann", 5);
	c->player = 1;
	c->fuel = 1.0;	/* the player car reads ~100 % */
	tobs_car(&B, 1, "CAR_B", "Bob", 5)->fuel = 0.4;
	B.o.has_usage = 1;
	B.o.nusage = 2;
	B.usage[0] = (struct obs_usage){ "Ann", 4, 0, 1, 55.0, 0.6, { 90, 91, 92, 93 } };
	B.usage[1] = (struct obs_usage){ "Ann", 5, 0, 1, 52.0, 0.5, { 88, 89, 90, 91 } };
	tfeed(&T, "c1", 10100, &B, &s);
	ok(s->cars[0]->fuel > 0.519 && s->cars[0]->fuel < 0.521 && s->cars[0]->wear[3] == 91 &&
	    s->cars[1]->fuel == 0.4 && strcmp(s->cars[0]->fuel_client, "c1") == 0,
	    "the player car's fuel and tyre wear come from its client's usage data, not fuelFraction");
}

static void
bests(void)
{
	struct tsession *s;
	struct tclass_best *cb;
	struct tdriver *d;

	fresh();
	s = lap("c1", 100, "CAR_A", "Ann", 1, 90, 30, 60);
	cb = bests_class(s, "GT3", 0);
	d = bests_driver(s->cars[0], "Ann", 0);
	ok(cb && cb->best[BK_LAP].time == 90 && s->cars[0]->best_car[BK_LAP].time == 90 && d &&
	    d->best[BK_LAP].time == 90 && cb->best[BK_S1].time == 30 && tcount(&T, CH_BEST) == 12,
	    "the first lap sets class, car and driver bests (lap and sectors)");
	lap("c1", 200, "CAR_A", "Ann", 2, 95, 31, 60);
	ok(cb->best[BK_LAP].time == 90 && cb->best[BK_LAP].lap == 1 && tcount(&T, CH_BEST) == 3,
	    "a slower lap keeps the lap bests (only its faster S2 counts)");
	lap("c1", 290, "CAR_A", "Ann", 3, 88, 29, 59);
	ok(cb->best[BK_LAP].time == 88 && cb->best[BK_LAP].lap == 3 && d->best[BK_S1].time == 29,
	    "a faster lap replaces them");
}

static void
two_drivers_one_car(void)
{
	struct tsession *s;

	fresh();
	lap("c1", 100, "CAR_A", "Ann", 1, 90, 30, 60);
	s = lap("c1", 200, "CAR_A", "Bob", 2, 92, 30, 61);
	ok(s->cars[0]->ndrivers == 2 && bests_driver(s->cars[0], "Bob", 0)->best[BK_LAP].time == 92 &&
	    bests_driver(s->cars[0], "Ann", 0)->best[BK_LAP].time == 90 &&
	    s->cars[0]->best_car[BK_LAP].time == 90, "two drivers in one car keep their own bests");
}

static void
one_driver_two_cars(void)
{
	struct tsession *s;
	struct obs_car *c;

	fresh();
	tobs_session(&B, "RACE1", 100, 1);
	c = tobs_car(&B, 0, "CAR_A", "Ann", 1);
	c->last = 90;
	c = tobs_car(&B, 1, "CAR_B", "Ann", 1);
	c->last = 85;
	tfeed(&T, "c1", 10100, &B, &s);
	ok(bests_driver(s->cars[0], "Ann", 0)->best[BK_LAP].time == 90 &&
	    bests_driver(s->cars[1], "Ann", 0)->best[BK_LAP].time == 85,
	    "one driver in two cars has a best per car");
}

static void
two_classes(void)
{
	struct tsession *s;
	struct obs_car *c;

	fresh();
	tobs_session(&B, "RACE1", 100, 1);
	c = tobs_car(&B, 0, "CAR_A", "Ann", 1);
	c->last = 90;
	c = tobs_car(&B, 1, "CAR_H", "Hal", 1);
	c->last = 80;
	c->cls = "Hyper";
	tfeed(&T, "c1", 10100, &B, &s);
	ok(bests_class(s, "GT3", 0)->best[BK_LAP].time == 90 && bests_class(s, "Hyper", 0)->best[BK_LAP].time == 80,
	    "two classes keep separate bests");
}

static void
swap_lap_attribution(void)
{
	struct tsession *s;
	struct obs_car *c;

	fresh();
	/* Ann starts lap 6 at ET 1000; S1 ends at 1030, the swap at 1045, S2 ends at 1060. */
	tobs_session(&B, "RACE1", 1001, 1);
	c = tobs_car(&B, 0, "CAR_A", "Ann", 5);
	c->last = 90;
	c->lap_start_et = 1000;
	tfeed(&T, "c1", 11001, &B, &s);
	tobs_session(&B, "RACE1", 1045, 1);
	tobs_car(&B, 0, "CAR_A", "Bob", 5)->lap_start_et = 1000;
	tfeed(&T, "c1", 11045, &B, &s);
	tobs_session(&B, "RACE1", 1091, 1);
	c = tobs_car(&B, 0, "CAR_A", "Bob", 6);
	c->last = 90;
	c->last_s1 = 30;
	c->last_s2 = 60;
	c->lap_start_et = 1090;
	tfeed(&T, "c1", 11091, &B, &s);
	const struct tlap *l = L(s, 6);
	struct tdriver *ann = bests_driver(s->cars[0], "Ann", 0), *bob = bests_driver(s->cars[0], "Bob", 0);
	ok(l->s_driver[0] && strcmp(l->s_driver[0], "Ann") == 0 && l->s_driver[1] == NULL &&
	    ann && ann->best[BK_S1].time == 30 && bob && bob->best[BK_S1].time <= 0 &&
	    bob->best[BK_S2].time == 30 && bob->best[BK_LAP].time == 90,
	    "on a swap lap, sector bests go to the driver who drove the sector");
}

static void
chat_unique(void)
{
	struct tsession *s;
	int n1, n2, n3;

	fresh();
	tobs_session(&B, "RACE1", 100, 1);
	tobs_car(&B, 0, "CAR_A", "Ann", 0);
	tobs_chat(&B, 17730000000000000LL, "A: hello");
	tobs_chat(&B, 17730000010000000LL, "B: hi");
	tfeed(&T, "c1", 10100, &B, &s);
	n1 = tcount(&T, CH_CHAT);
	B.o.et = 101;
	tobs_chat(&B, 17730000020000000LL, "A: go");
	tfeed(&T, "c2", 10101, &B, &s);
	n2 = tcount(&T, CH_CHAT);
	ok(n1 == 2 && n2 == 1, "chat lines are unique by (timestamp, text) across clients and repeats");
	tobs_session(&B, "RACE1", 102, 1);
	tobs_car(&B, 0, "CAR_A", "Ann", 0);
	tobs_chat(&B, 17730000020000000LL - TRACK_CHAT_OLD - 1, "old: from another session");
	tfeed(&T, "c1", 10102, &B, &s);
	n3 = tcount(&T, CH_CHAT);
	ok(n3 == 0, "chat lines far older than the newest are ignored");
}

static void
trackmap_once_and_sector_bounds(void)
{
	struct tsession *s;
	struct obs_point pts[3] = { { 0, 0, 0 }, { 5, 0, 0 }, { 5, 5, 1 } };
	int maps = 0, bounds = 0;

	fresh();
	for (int i = 0; i < 8; i++) {
		struct obs_car *c;
		tobs_session(&B, "RACE1", 100 + i, 1);
		B.o.has_trackmap = 1;
		B.o.points = pts;
		B.o.npoints = 3;
		/* Car crosses from S1 into S2 at 1000 m on every other frame. */
		c = tobs_car(&B, 0, "CAR_A", "Ann", i);
		c->sector = i % 2 ? 2 : 1;
		c->lap_dist = i % 2 ? 1000 + i : 500;
		c = tobs_car(&B, 1, "CAR_B", "Bob", i);
		c->sector = i % 2 ? 2 : 1;
		c->lap_dist = i % 2 ? 1000 - i : 500;
		tfeed(&T, "c1", 10100 + i, &B, &s);
		maps += tcount(&T, CH_TRACKMAP);
		bounds += tcount(&T, CH_SECTOR_BOUND);
	}
	ok(maps == 1, "the track outline is taken once per session");
	ok(bounds == 1 && s->sector_bound[0] > 990 && s->sector_bound[0] < 1010 && s->sector_bound[1] < 0,
	    "a sector boundary is learned from cars changing sector (%.1f m)", s->sector_bound[0]);
}

static void
lap_start_not_moved_on(void)
{
	struct tsession	*s;
	struct obs_car	*c;

	fresh();
	lap("c1", 100, "CAR_A", "Ann", 0, -1, -1, -1);
	lap("c1", 190, "CAR_A", "Ann", 1, 90, 30, 61);
	/* the next lap's count with the old lap start (a car that retired at the line) */
	tobs_session(&B, "RACE1", 290, 1);
	c = tobs_car(&B, 0, "CAR_A", "Ann", 2);
	c->last = 95;
	c->lap_start_et = 189;
	tfeed(&T, "c1", 10290, &B, &s);
	ok(L(s, 1)->start_et == 99 && L(s, 2)->start_et == 189 && L(s, 2)->time == 95,
	    "a lap whose look has not moved the lap start on begins where the last one ended "
	    "(%.1f, %.1f)", L(s, 1)->start_et, L(s, 2)->start_et);
}

static void
player_lap_fuel_from_usage(void)
{
	struct tsession	*s;
	struct obs_car	*c;
	int		 fills;

	fresh();
	for (int n = 3; n <= 5; n++) {
		tobs_session(&B, "RACE1", 100 + n * 90, 1);
		c = tobs_car(&B, 0, "CAR_A", "Ann", n);
		c->player = 1;
		c->last = 90;
		c->lap_start_et = 100 + n * 90 - 1;
		tfeed(&T, "c1", 10100 + n * 90, &B, &s);
	}
	/* the usage data of laps 4 and 5 comes after they were recorded */
	tobs_session(&B, "RACE1", 560, 1);
	c = tobs_car(&B, 0, "CAR_A", "Ann", 5);
	c->player = 1;
	B.o.has_usage = 1;
	B.o.nusage = 2;
	B.usage[0] = (struct obs_usage){ "Ann", 4, 0, 1, 55.0, 0.6, { 90, 91, 92, 93 } };
	B.usage[1] = (struct obs_usage){ "Ann", 5, 0, 1, 52.0, 0.5, { 88, 89, 90, 91 } };
	tfeed(&T, "c1", 10560, &B, &s);
	fills = tcount(&T, CH_LAP_FILL);
	ok(fabs(L(s, 4)->fuel - 0.55) < 1e-9 && fabs(L(s, 5)->fuel - 0.52) < 1e-9 &&
	    fabs(L(s, 5)->ve - 0.5) < 1e-9 && fills == 2,
	    "each of the player car's laps takes its level from the usage row of that lap (%d fills)",
	    fills);
	tfeed(&T, "c1", 10561, &B, &s);
	ok(tcount(&T, CH_LAP_FILL) == 0, "the same usage data again changes nothing");
}

int
main(void)
{
	lap_pieces();
	invalid_lap();
	lap_recorded_once();
	skipped_lap_gap_then_backfill();
	out_of_order_arrival();
	sector_filled_by_second_client();
	player_fuel_from_usage();
	player_lap_fuel_from_usage();
	lap_start_not_moved_on();
	bests();
	two_drivers_one_car();
	one_driver_two_cars();
	two_classes();
	swap_lap_attribution();
	chat_unique();
	trackmap_once_and_sector_bounds();
	track_free(&T);
	return tap_done();
}
