/*
 * Strategy figures of one car from its laps: fuel and virtual energy used
 * per lap, laps left in the tank, the pit window, the stint, tyre age, pace
 * against the class and the projected finish. Pure: no SQLite, no JSON, no
 * allocation; trackside-fcgi's pages and trackside-ingestd's notifier (the
 * pit_window webhook) call the same code.
 *
 * A figure that cannot be known is NAN (doubles) or -1 (ints).
 */
#ifndef STRATEGY_H
#define STRATEGY_H

#include <stddef.h>

/* Laps the per-lap usage and the pace are averaged over. */
#define STRAT_ROLL	5
/*
 * A lap slower than this share of the median of the car's recent laps (its
 * last 4 x STRAT_ROLL timed valid laps out of the pits and the yellows) is
 * not at racing pace.
 */
#define STRAT_SLOW	1.07

/*
 * One lap of the car, as stored (laps rows), ascending by lap. Zero the
 * struct before filling it: fields may be added.
 */
struct strat_lap {
	int		 lap;		/* lap number, 1.. */
	double		 time;		/* lap time s, <0 unknown */
	double		 start_et;	/* session ET the lap began, <0 unknown */
	double		 fuel, ve;	/* level at the end of the lap 0..1, <0 unknown */
	int		 pit;		/* the car entered the pit lane on this lap */
	int		 valid;		/* the game counted the lap */
	int		 yellow;	/* the lap overlapped a full-course yellow */
	int		 tyres;		/* a stop at the end of this lap: 1 changed tyres,
					   -1 changed what is not known; 0 no stop, none changed */
	const char	*driver;	/* may be NULL */
};

/* Why a lap counts or not for the per-lap usage (strategy_laps). */
enum strat_why {
	STRAT_USED,		/* counted (one of the last STRAT_ROLL usable laps) */
	STRAT_OLDER,		/* usable, older than the laps counted */
	STRAT_PIT,		/* an in-lap */
	STRAT_OUTLAP,		/* the lap after an in-lap */
	STRAT_YELLOW,		/* under full-course yellow */
	STRAT_INVALID,		/* invalid or untimed */
	STRAT_SLOWLAP,		/* slower than STRAT_SLOW x the median */
	STRAT_REFUEL,		/* the level went up */
	STRAT_NOLEVEL,		/* this or the previous lap's level unknown */
	STRAT__MAX
};
extern const char *const strat_why_names[STRAT__MAX];	/* "used", "older", "pit", ... */

struct strat_in {
	const struct strat_lap *laps;
	size_t		 n;
	double		 remaining;	/* s left in a timed race, <0 unknown or none */
	long long	 max_laps;	/* a lap race's length, <=0 none */
	double		 et;		/* session ET now, <0 unknown */
	double		 fuel_now;	/* level now 0..1, <0: the last lap's */
	double		 ve_now;	/* level now 0..1, <0: the last lap's */
	double		 class_pace;	/* the class's best pace5 s, <0 unknown */
	double		 leader_pace;	/* the class leader's pace5 s, <0 unknown */
};

struct strat_out {
	double		 fuel_per_lap;	/* 0..1 of a tank per lap, NAN unknown */
	double		 ve_per_lap;
	int		 fuel_laps;	/* laps the figure is averaged over, 0 unknown */
	int		 ve_laps;
	double		 fuel_now;	/* the level used, NAN unknown */
	double		 ve_now;
	double		 laps_left_fuel;	/* level / per lap, NAN unknown */
	double		 laps_left_ve;
	double		 laps_left;	/* the smaller of the two, NAN unknown */
	int		 limiting;	/* 0 fuel, 1 VE, -1 unknown */
	int		 current_lap;	/* the lap in progress: last lap + 1, -1 no laps */
	int		 window_first;	/* earliest lap to stop, -1 unknown */
	int		 window_last;	/* latest lap to stop, -1 unknown */
	int		 stops_needed;	/* more stops to reach the finish, -1 unknown */
	int		 stint_laps;	/* laps since the last in-lap (or the start) */
	double		 stint_time;	/* s of those laps (timed ones), NAN none */
	int		 stint_first;	/* first lap of the stint */
	int		 tyre_laps;	/* laps on the current set, -1 unknown (the last
					   stop's tyres unknown) */
	int		 tyre_first;	/* first lap on the current set, -1 unknown */
	double		 pace5;		/* mean of the last STRAT_ROLL clean laps, NAN */
	int		 pace_laps;	/* laps in pace5 */
	double		 pace_delta;	/* pace5 - class_pace, NAN unknown */
	double		 leader_delta;	/* pace5 - leader_pace, NAN unknown */
	double		 median;	/* median of the recent timed laps, NAN none */
	double		 projected_laps;	/* laps at the finish, NAN unknown */
	int		 projected_by;	/* 0 unknown, 1 lap race, 2 time and pace */
};

/*
 * Fills out from in. Returns 1, or 0 when in has no laps (out then says
 * every figure is unknown).
 */
int	 strategy_compute(const struct strat_in *, struct strat_out *);

/*
 * Why each lap of in counts for the fuel figure (why_fuel) and the VE one
 * (why_ve), in->n entries each; either may be NULL.
 */
void	 strategy_laps(const struct strat_in *, enum strat_why *why_fuel,
	    enum strat_why *why_ve);

#endif
