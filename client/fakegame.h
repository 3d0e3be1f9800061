/*
 * trackside-fakegame: a stand-in for Le Mans Ultimate's local REST API, for
 * tests and the demo. It serves a recording, or simulates a race weekend.
 */
#ifndef FAKEGAME_H
#define FAKEGAME_H

#include "client.h"

/* Whose game a port is: a car's driver, or a spectator. */
struct view {
	long long	 slot;		/* the player's slot, -1 for a spectator */
	double		 join_at;	/* fraction of the weekend before joining, 0 = from the start */
	double		 leave_at;	/* fraction after which the player has left, 1 = never */
};

/*
 * sim.c: a simulated weekend, advanced in fixed steps of game time.
 */
struct sim;
struct sim_opts {
	int		 cars;
	char		 classes[256];	/* "Hyper:4,LMP2:4,GT3:6"; empty = a default mix */
	char		 sessions[64];	/* "P,Q,R" */
	double		 minutes[3];	/* practice, qualifying, race lengths (game time) */
	unsigned	 seed;
	int		 online;	/* multiplayer teams present */
	double		 track_m;	/* track length, metres */
};
int	 sim_new(struct sim **, const struct sim_opts *, struct buf *err);
void	 sim_free(struct sim *);
void	 sim_advance(struct sim *, double game_seconds);
double	 sim_progress(const struct sim *);
int	 sim_render(struct sim *, int ep, const struct view *, struct buf *out);
void	 sim_set_flags(struct sim *, int replay, int loading);
int	 sim_default_player(const struct sim *, int which);

#endif
