/*
 * Drive time: who drove a car when, and how that stands against the rules
 * of the session (minimum and maximum per driver, a maximum inside any
 * rolling window, a maximum continuous stint). Pure computation: laps and
 * pit visits in, stints and per-driver figures out; no SQLite, no JSON, so
 * the pages and trackside-ingestd use the same figures.
 *
 * A driver's stint runs from the moment they take the car to the moment
 * another driver does (or the last lap ends): a stop without a driver
 * change does not end it. A driver's total is the sum of their stints.
 */
#ifndef DRIVE_H
#define DRIVE_H

#include <stddef.h>

struct conf;

/* The rules, in seconds; 0: no such rule. */
struct drive_rules {
	double	 min;		/* each driver drives at least this long in all */
	double	 max;		/* ... at most this long in all */
	double	 window;	/* the length of the rolling window ... */
	double	 window_max;	/* ... and the most driven inside any window that long */
	double	 stint;		/* the longest continuous stint */
};
#define DRIVE_RULES_N	5
extern const char *const drive_rule_keys[DRIVE_RULES_N];	/* "min", "max", ... */
double	*drive_rule(struct drive_rules *, int i);
int	 drive_rules_any(const struct drive_rules *);

/* A warning comes within DRIVE_WARN_SHARE of a maximum or DRIVE_WARN_MIN s, the larger. */
#define DRIVE_WARN_SHARE	0.10
#define DRIVE_WARN_MIN		300.0

/* A completed lap. Times are session ET, seconds; <0 or NAN: unknown. */
struct drive_lap {
	int		 lap;
	double		 start_et;
	double		 time;
	const char	*driver;	/* who finished it; NULL unknown */
	const char	*sdriver[3];	/* on a swap lap: who drove each sector, or NULL */
	double		 s[3];		/* sector times */
};

/* A pit visit that changed drivers at swap_time (ET). */
struct drive_pit {
	double		 swap_time;
	const char	*driver_out;
	const char	*driver_in;
};

struct drive_in {
	const struct drive_lap	*laps;		/* in lap order */
	size_t			 nlaps;
	const struct drive_pit	*pits;
	size_t			 npits;
	const char *const	*roster;	/* drivers of the entry who may not have driven */
	size_t			 nroster;
	double			 now;		/* session ET now, or at its end; <0 unknown */
	double			 last_end;	/* ET the last lap ended (the car's lap start
						 * since), closing an untimed last lap; <0 unknown */
	const char		*current;	/* who drives now (car running), or NULL */
	double			 remaining;	/* s left in the session; <0 unknown */
	int			 finished;	/* the session is over: owed time is missed */
	const struct drive_rules *rules;
};

struct drive_stint {
	const char	*driver;
	double		 start, end;	/* ET */
	double		 duration;	/* time in the car: the sum of its pieces */
	int		 first_lap, last_lap;	/* laps finished in it; 0 none */
	int		 laps;
	int		 current;	/* the driver is in it now */
};

enum drive_status { DRIVE_OK, DRIVE_WARNING, DRIVE_OVER, DRIVE__MAX };
extern const char *const drive_status_names[DRIVE__MAX];

struct drive_driver {
	const char	*name;
	int		 stints;
	int		 laps;
	double		 total;		/* the sum of their stints */
	double		 longest;	/* their longest stint */
	double		 current;	/* the stint they are in now; <0 not driving */
	double		 owed;		/* min - total, at least 0; <0 no min rule */
	double		 allowance;	/* max - total (negative: over); NAN no max rule */
	double		 window_most;	/* most driven in any window; NAN no rule */
	double		 window_now;	/* driven in the window ending now; NAN no rule */
	double		 window_left;	/* window_max - window_now; NAN no rule */
	double		 stint_left;	/* stint max - current stint (or all); NAN */
	int		 can_make;	/* owed time fits in what is left: 1, 0, -1 unknown */
	enum drive_status status;
	char		 why[160];	/* what the status is about, in words, or "" */
};

struct drive_out {
	struct drive_stint	*stints;
	size_t			 nstints;
	struct drive_driver	*drivers;	/* in order of first stint, then the roster */
	size_t			 ndrivers;
	double			 owed;		/* what all drivers still owe */
	int			 can_make;	/* all of it fits in what is left: 1, 0, -1 */
	enum drive_status	 status;	/* the worst of the drivers' */
};

int	 drive_compute(const struct drive_in *, struct drive_out *);
void	 drive_free(struct drive_out *);
int	 drive_rules_conf(const struct conf *, struct drive_rules *, char *err, size_t errsz);
void	 drive_defaults_set(const struct drive_rules *);
const struct drive_rules *drive_defaults(void);

#endif
