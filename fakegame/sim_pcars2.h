/*
 * sim_pcars2.c: Automobilista 2 / Project CARS 2 over the simulated weekend
 * of race.c, as the game publishes it: the "Project CARS 2" UDP packets of
 * either revision, one stream per player's game, or the `$pcars2$` shared
 * memory block. Pure: it hands packets to a callback and fills blocks; the
 * sockets are fakegame.c's, the mapping main_win.c's, so that the Windows
 * build of the fake game needs nothing else.
 */
#ifndef SIM_PCARS2_H
#define SIM_PCARS2_H

#include <stddef.h>

#include "race.h"
#include "pcars2.h"

#define P2SIM_MAX_VIEWS	8

struct p2sim_opts {
	struct race_opts race;
	enum p2_rev	 rev;		/* of the UDP packets */
	int		 views;		/* players' games, 1 to P2SIM_MAX_VIEWS */
	int		 shm;		/* shared memory: up to 64 cars */
	double		 speed;		/* game time over wall time */
	double		 hz;		/* ticks per wall second */
	const char	*truth;		/* write what was simulated here, or NULL */
};

/* Where a datagram of view (the player's game) goes. */
typedef void	(*p2sim_send)(void *arg, int view, const unsigned char *, size_t);

struct p2sim;
int	 p2sim_new(struct p2sim **, const struct p2sim_opts *, struct buf *err);
void	 p2sim_free(struct p2sim *);
void	 p2sim_advance(struct p2sim *, double game_seconds);
void	 p2sim_tick(struct p2sim *, double game_seconds, p2sim_send, void *arg);
void	 p2sim_shm(struct p2sim *, double game_seconds, int view, struct p2_shm *);
int	 p2sim_done(const struct p2sim *);
int	 p2sim_slot(const struct p2sim *, int view);

#endif
