/*
 * The options of the simulated weekend, shared by the fake games of every
 * system: portable C, no sockets, no HTTP.
 */
#include <stdio.h>
#include <string.h>

#include "raceopt.h"

/* The weekend when no option says otherwise, with cars cars. */
void
raceopt_defaults(struct race_opts *r, int cars)
{
	r->cars = cars;
	snprintf(r->sessions, sizeof(r->sessions), "P,Q,R");
	r->minutes[0] = 10;
	r->minutes[1] = 10;
	r->minutes[2] = 30;
	r->seed = 1;
	r->track_m = 5200;
}

/*
 * Takes option o with its argument arg into r (--speed into *speed); --cars
 * is 1 to max_cars. Returns 1, or 0 after a message on stderr.
 */
int
raceopt_parse(enum raceopt o, const char *arg, int max_cars, struct race_opts *r,
    double *speed)
{
	const char	*why = NULL;
	long long	 n;
	double		 d;

	switch (o) {
	case RACEOPT_SPEED:
		if (!num_parse_d(arg, 0.01, 1000, &d))
			why = "--speed must be a number from 0.01 to 1000";
		else
			*speed = d;
		break;
	case RACEOPT_CARS:
		if (!num_parse_ll(arg, 1, max_cars, &n)) {
			fprintf(stderr, "trackside-fakegame: --cars must be 1 to %d, not \"%s\"\n",
			    max_cars, arg);
			return 0;
		}
		r->cars = (int)n;
		break;
	case RACEOPT_CLASSES:
		snprintf(r->classes, sizeof(r->classes), "%s", arg);
		break;
	case RACEOPT_SESSIONS:
		snprintf(r->sessions, sizeof(r->sessions), "%s", arg);
		break;
	case RACEOPT_PMIN:
	case RACEOPT_QMIN:
	case RACEOPT_RMIN:
		if (!num_parse_d(arg, 0.5, 1440, &d))
			why = "session lengths are 0.5 to 1440 minutes";
		else
			r->minutes[o - RACEOPT_PMIN] = d;
		break;
	case RACEOPT_TRACK:
		if (!num_parse_d(arg, 1000, 30000, &d))
			why = "--track-length must be 1000 to 30000 metres";
		else
			r->track_m = d;
		break;
	case RACEOPT_SEED:
		if (!num_parse_ll(arg, 0, 4294967295LL, &n))
			why = "--seed must be a whole number";
		else
			r->seed = (unsigned)n;
		break;
	default:
		break;
	}
	if (why != NULL) {
		fprintf(stderr, "trackside-fakegame: %s, not \"%s\"\n", why, arg);
		return 0;
	}
	return 1;
}
