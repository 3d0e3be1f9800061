/*
 * trackside-fakegame: simulated games for tests and the demo. Le Mans
 * Ultimate's local REST API, from a recording or a simulated race weekend,
 * an Assetto Corsa dedicated server's UDP plugin interface, or Automobilista
 * 2's UDP packets. The race is race.c's; each game's wire format is its own
 * file (sim_lmu.c, sim_ac.c, sim_pcars2.c: its own header, sim_pcars2.h, as
 * the Windows build, main_win.c, has it without the rest).
 * It borrows the recording reader and the LMU paths from the client's
 * library (client/client.h); the client links nothing of it.
 */
#ifndef FAKEGAME_H
#define FAKEGAME_H

#include <netinet/in.h>
#include <signal.h>

#include "client.h"
#include "race.h"

/* Whose game a port is: a car's driver, or a spectator. */
struct view {
	long long	 slot;		/* the player's slot, -1 for a spectator */
	double		 join_at;	/* fraction of the weekend before joining, 0 = from the start */
	double		 leave_at;	/* fraction after which the player has left, 1 = never */
};

/*
 * sim_lmu.c: LMU's answers over a simulated weekend.
 */
struct sim;
struct sim_opts {
	struct race_opts race;
	int		 online;	/* multiplayer teams present */
};
int	 sim_new(struct sim **, const struct sim_opts *, struct buf *err);
void	 sim_free(struct sim *);
void	 sim_advance(struct sim *, double game_seconds);
double	 sim_progress(const struct sim *);
int	 sim_render(struct sim *, int ep, const struct view *, struct buf *out);
void	 sim_set_flags(struct sim *, int replay, int loading);
int	 sim_default_player(const struct sim *, int which);
int	 sim_truth(struct sim *, struct buf *out);

/*
 * sim_ac.c: an Assetto Corsa dedicated server's UDP plugin interface over a
 * simulated weekend.
 */
struct sim_ac_opts {
	struct race_opts race;
	struct sockaddr_in plugin;	/* where events go (UDP_PLUGIN_ADDRESS) */
	struct sockaddr_in listen;	/* where requests come (UDP_PLUGIN_LOCAL_PORT) */
	double		 speed;		/* game time over wall time */
	const char	*truth;		/* write what was simulated here, or NULL */
	const char	*portfile;	/* write the request port here, or NULL */
};
struct ac;
int	 sim_ac_new(struct ac **, const struct sim_ac_opts *, struct buf *err);
void	 sim_ac_free(struct ac *);
void	 sim_ac_advance(struct ac *, double game_seconds);
void	 sim_ac_request(struct ac *, const unsigned char *, size_t);
int	 sim_ac_run(const struct sim_ac_opts *, volatile sig_atomic_t *quit);

#endif
