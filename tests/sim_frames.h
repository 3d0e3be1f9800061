/*
 * The simulated weekend of trackside-fakegame (fakegame/race.c, sim_lmu.c) in process:
 * polls as trackside-client takes them (its own cadence, client/lmu.c),
 * one a second of game time, without sockets or a wall clock.
 */
#ifndef SIM_FRAMES_H
#define SIM_FRAMES_H

#include "trackside.h"

struct sim_frames;

struct sim_frames_opts {
	const char	*sessions;	/* "Q,R" */
	const char	*classes;	/* "Hyper:4,GT3:8", NULL = the default mix */
	double		 qualify_min, race_min;
	int		 cars;
	unsigned	 seed;
	long long	 slot;		/* the player's car, -1 a spectator */
};

int	 sim_frames_new(struct sim_frames **, const struct sim_frames_opts *, struct buf *err);
int	 sim_frames_next(struct sim_frames *, double *t, struct buf *responses);
void	 sim_frames_free(struct sim_frames *);

#endif
