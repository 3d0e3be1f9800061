/*
 * race.c: a simulated race weekend, game-neutral: N cars in classes on a
 * generated closed circuit, laps and sectors with noise and mistakes, pit
 * stops with fuel, virtual energy, tyres and driver swaps, penalties and
 * full-course yellows in races (race_opts.incidents), positions and gaps,
 * the chequered flag, chat lines, and practice -> qualifying -> race.
 * Each game's wire format reads it (sim_lmu.c, sim_ac.c). It advances in
 * fixed steps of game time, so a seed and a game time give one weekend.
 */
#ifndef RACE_H
#define RACE_H

#include "trackside.h"

#define RACE_DT		0.1		/* s of game time per step */
#define RACE_MAX_CARS	100
#define RACE_MAX_STOPS	64
#define RACE_MAX_LAPS	2000
#define RACE_MAX_CHAT	200
#define RACE_MAX_PENS	4
#define RACE_MAX_FCY	2

enum race_sess { RS_PRACTICE, RS_QUALIFY, RS_RACE, RS__MAX };
enum race_state { RST_LOADING, RST_RUNNING, RST_RESULTS, RST_DONE };
enum race_pit { PIT_NONE, PIT_REQUEST, PIT_ENTERING, PIT_STOPPED, PIT_EXITING, PIT__MAX };
enum race_pen { PEN_NONE, PEN_DT, PEN_SG, PEN__MAX };	/* drive-through, stop-go */

struct race_opts {
	int		 cars;
	char		 classes[256];	/* "Hyper:4,LMP2:4,GT3:6"; empty = a default mix */
	char		 sessions[64];	/* "P,Q,R" */
	double		 minutes[3];	/* practice, qualifying, race lengths (game time) */
	unsigned	 seed;
	double		 track_m;	/* track length, metres */
	int		 max_drivers;	/* drivers a race car may share, 1 to 3 (0 = 3) */
	double		 mistakes;	/* chance of a mistake per lap (0 = 0.03) */
	int		 incidents;	/* races: penalties and full-course yellows */
};

struct race_klass {
	const char	*name;
	double		 factor;	/* lap time relative to the fastest class */
	const char	*makes[6];
	const char	*models[6];
	int		 nmakes;
};
extern const struct race_klass race_klasses[];

struct race_stop {
	int		 lap;		/* lap the stop was made on (0 = the start) */
	double		 time;		/* stop duration */
	double		 prev_stint;	/* duration of the stint before it */
	int		 driver;
	int		 swap;
	int		 tyres_changed;
	int		 compound;
	double		 ve;
	double		 fuel;
	int		 penalty;	/* the stop served a penalty */
	double		 at;		/* ET of the service (of the swap on a swap) */
	int		 from;		/* the driver before it */
};

/* A penalty: given on track, served at a later pit visit. */
struct race_penalty {
	enum race_pen	 kind;
	int		 lap;		/* laps completed when it was given */
	double		 at;		/* ET it was given */
	int		 served_lap;	/* laps completed when served, -1 not served */
	double		 served_at;	/* ET it was served, -1 */
};

/* A full-course yellow: the ET interval it lasts. */
struct race_fcy {
	double		 from, to;
};

struct race_lap {
	double		 time, s1, s2;	/* s2 cumulative; time -1 for an invalid lap */
	double		 took;		/* what the lap took, valid or not */
	double		 at;		/* ET of the line crossing */
	int		 driver;
	int		 pit;
	int		 position;
	int		 stint;
	double		 fuel, ve;
	double		 wear[4];
};

struct race_car {
	int		 slot;
	int		 klass;
	int		 make;
	char		 number[4];
	char		 team[64];
	char		 team_id[40];
	char		 veh_file[48];
	char		 veh_name[64];
	char		 drivers[3][48];
	char		 nats[3][4];
	int		 ndrivers;
	int		 driver;	/* at the wheel */
	long long	 steam_id;
	double		 pace;		/* a clean lap, seconds */
	double		 sect[2];	/* split fractions of a lap */
	/* the lap in progress */
	int		 laps;
	double		 lap_start;
	double		 lap_t;		/* planned length of this lap */
	double		 split[2];	/* planned cumulative splits */
	double		 cur[2];	/* splits reached, -1 before */
	int		 valid;
	double		 last, last_s[2], best, best_s[2], best_sec[2];
	double		 dist;
	/* pits */
	enum race_pit	 pit;
	int		 pit_lap;	/* plans to stop at the end of this lap */
	int		 out_lap;	/* this lap began with a stop */
	double		 stop_at, stop_len, exit_at;	/* times into the out lap */
	int		 swap_to;	/* -1: no swap on this stop */
	int		 garage;	/* the stop is a garage visit */
	int		 in_garage;
	int		 pitstops;
	double		 stint_start;
	int		 stint_driver;	/* who drove before the last stop */
	int		 stint;
	int		 run_laps;	/* laps left in this run (practice, qualifying) */
	/* consumption */
	double		 fuel, ve, burn, ve_burn;
	double		 wear[4];
	int		 compound;	/* 0 Soft 1 Medium 2 Hard */
	int		 tyres_new;
	int		 next_compound;	/* fitted at the planned stop */
	int		 initial;	/* the out-lap from the garage at the session start */
	int		 released;	/* the stop of this out-lap is over */
	enum race_pen	 visit;		/* this visit is only a penalty's, PEN_NONE a stop */
	enum race_pen	 serve;		/* the penalty this visit serves, PEN_NONE none */
	/* penalties */
	int		 pen_plan;	/* laps completed after which one is given, 0 none */
	enum race_pen	 pen_kind;	/* and its kind */
	int		 pen_due;	/* the lap at whose end the car serves it */
	int		 penalties;	/* outstanding */
	struct race_penalty pens[RACE_MAX_PENS];
	int		 npens;
	/* end */
	int		 finished;
	int		 flag;		/* took the chequered flag */
	int		 dnf;
	double		 finish_t;	/* ET of the finish */
	/* order */
	int		 started;	/* a race car crossed the start line */
	double		 grid_d;	/* metres behind the line on the grid */
	int		 position, class_pos;
	double		 gap, lead_laps;
	double		 gaps[3][2];	/* behind leader, next, class leader: time, laps */
	struct trail	 trail;		/* progress over ET, sampled once a second */
	struct race_stop stops[RACE_MAX_STOPS];
	int		 nstops;
	struct race_lap	*laplog;
	int		 nlaplog;
};

struct race_chat {
	char		 text[160];	/* as the game shows it */
	char		 said[128];	/* what the driver typed, "" for a notice */
	int		 car;		/* index of the car that said it, -1 for a notice */
	double		 at;		/* game seconds since the weekend began */
};

struct race_pt {
	double		 x, y, z;
};

struct race {
	struct race_opts o;
	uint64_t	 rng;
	int		 sessions[RS__MAX];
	int		 nsess;
	int		 cur;		/* index into sessions, -1 before the first */
	enum race_state	 state;
	double		 t;		/* game seconds since the weekend began */
	double		 sess_start;	/* t at ET 0 of the current session */
	double		 load_until;	/* t at which the loading screen ends */
	double		 over_at;	/* t at which the results give way to the next session */
	double		 green_at;	/* ET of the green flag */
	int		 flag_out;	/* the leader took the chequered flag */
	double		 next_sample;	/* t of the next progress sample */
	double		 total;		/* planned weekend length, for progress */
	double		 wall0;		/* wall clock of t = 0, for chat timestamps */
	char		 track[64];
	double		 len;		/* track length, metres */
	struct race_pt	*line;		/* racing line, RACE_PT_STEP apart */
	size_t		 nline;
	struct race_pt	*pitlane;
	size_t		 npit;
	struct race_car	 cars[RACE_MAX_CARS];
	int		 ncars;
	struct race_chat chat[RACE_MAX_CHAT];
	int		 nchat;
	long long	 chat_total;	/* lines ever said, the oldest drop out of chat[] */
	double		 next_chat;
	int		 coherence;	/* sessions started */
	uint64_t	 irng;		/* incidents draw from their own numbers */
	struct race_fcy	 fcy[RACE_MAX_FCY];
	int		 nfcy;
};

int	 race_new(struct race **, const struct race_opts *, struct buf *err);
void	 race_free(struct race *);
void	 race_step(struct race *);
void	 race_advance(struct race *, double game_seconds);
double	 race_progress(const struct race *);
double	 race_et(const struct race *);
double	 race_sess_len(const struct race *);
int	 race_kind(const struct race *);
void	 race_where(const struct race *, double d, struct race_pt *, double *dx, double *dz);
int	 race_default_player(const struct race *, int which);
int	 race_fcy(const struct race *, double et);

#endif
