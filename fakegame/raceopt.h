/*
 * The options of the simulated weekend that every build of the fake game
 * takes (trackside-fakegame and trackside-fakegame.exe alike): their long
 * options, defaults and checks, with the same messages everywhere.
 */
#ifndef RACEOPT_H
#define RACEOPT_H

#include <getopt.h>

#include "race.h"

enum raceopt {
	RACEOPT_SPEED,
	RACEOPT_CARS,
	RACEOPT_CLASSES,
	RACEOPT_SESSIONS,
	RACEOPT_PMIN,
	RACEOPT_QMIN,
	RACEOPT_RMIN,
	RACEOPT_TRACK,
	RACEOPT_SEED,
	RACEOPT__MAX
};

/*
 * The rows of a getopt_long() table for the options, the first answering
 * base + RACEOPT_SPEED.
 */
#define RACEOPT_LONG(base) \
	{ "speed", required_argument, NULL, (base) + RACEOPT_SPEED }, \
	{ "cars", required_argument, NULL, (base) + RACEOPT_CARS }, \
	{ "classes", required_argument, NULL, (base) + RACEOPT_CLASSES }, \
	{ "sessions", required_argument, NULL, (base) + RACEOPT_SESSIONS }, \
	{ "practice-minutes", required_argument, NULL, (base) + RACEOPT_PMIN }, \
	{ "qualify-minutes", required_argument, NULL, (base) + RACEOPT_QMIN }, \
	{ "race-minutes", required_argument, NULL, (base) + RACEOPT_RMIN }, \
	{ "track-length", required_argument, NULL, (base) + RACEOPT_TRACK }, \
	{ "seed", required_argument, NULL, (base) + RACEOPT_SEED }

void	 raceopt_defaults(struct race_opts *, int cars);
int	 raceopt_parse(enum raceopt, const char *arg, int max_cars, struct race_opts *,
	    double *speed);

#endif
