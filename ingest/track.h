/*
 * Session tracking: the pure part of trackside-ingestd.
 *
 * A source (source.h: src_lmu.c, ...) turns one frame into a source-neutral
 * observation (struct obs). The tracker (track.c, with pits.c and bests.c)
 * keeps the live sessions in memory and turns each observation into a list
 * of model changes (struct change): no SQLite, no I/O, no clock. store.c
 * writes the changes to the database; the live events turn the same changes
 * into live deltas through the on_change hook of struct ingest
 * (see store.c).
 *
 * Every rule of spec/tracking.md is a function of this module and is unit
 * tested in tests/t_track_*.c without a database.
 */
#ifndef TRACK_H
#define TRACK_H

#include <stddef.h>

#include "trackside.h"	/* struct trail */
#include "vocab.h"	/* enum finish, phase, session_kind */

#define TRACK_ID_LEN	32	/* hex session id, time-ordered */
#define TRACK_NAME_MAX	96	/* names, teams, tracks, vehicles */

/* Enums: UPPER_CASE, a __MAX sentinel and a parallel name array each. */
enum pit_state { PIT_NONE, PIT_REQUEST, PIT_ENTERING, PIT_STOPPED, PIT_EXITING, PIT__MAX };
extern const char *const pit_state_names[PIT__MAX];

enum liveness { LIVE_LIVE, LIVE_INACTIVE, LIVE_CLOSED, LIVE__MAX };
extern const char *const liveness_names[LIVE__MAX];

enum best_scope { BEST_CLASS, BEST_CAR, BEST_DRIVER, BEST__MAX };
extern const char *const best_scope_names[BEST__MAX];

enum best_kind { BK_LAP, BK_S1, BK_S2, BK_S3, BK__MAX };
extern const char *const best_kind_names[BK__MAX];

enum lap_source { LSRC_LIVE, LSRC_HISTORY, LSRC_MISSING, LSRC__MAX };
extern const char *const lap_source_names[LSRC__MAX];

/* Why a frame belonged to no session. */
enum drop {
	DROP_NONE,		/* applied */
	DROP_NO_SESSION,	/* no sessionInfo: the client is in no session */
	DROP_LOADING,		/* the game is loading: ET not advancing, negative, jumping */
	DROP_REPLAY,		/* a replay plays */
	DROP_STALE,		/* previous session's finished cars during a transition */
	DROP_UNKNOWN_SOURCE,	/* no parser for the frame's source */
	DROP_NOMEM,		/* memory ran out: no drop but an error, the caller rolls back */
	DROP__MAX
};
extern const char *const drop_names[DROP__MAX];

/* Drift: what a parser met that the spec does not describe. */
enum drift {
	DRIFT_UNKNOWN_SESSION, DRIFT_UNKNOWN_PIT_STATE, DRIFT_UNKNOWN_FINISH,
	DRIFT_UNKNOWN_PHASE, DRIFT_BAD_TYPE, DRIFT_MISSING_FIELD, DRIFT__MAX
};
extern const char *const drift_names[DRIFT__MAX];

#define TYRE_N		4	/* FL, FR, RL, RR */
#define COMPOUND_LEN	8

/*
 * Observation: what one frame of one client says. Strings point into the
 * parsed frame and live as long as it; arrays belong to the obs and are
 * reused from frame to frame (obs_free releases them).
 */
struct obs_car {
	int		 slot;
	char		 veh[TRACK_NAME_MAX];	/* veh file, ".veh" stripped */
	const char	*key;		/* when set, the car's identity in its session (AC: the
					 * driver's GUID), whatever its slot; else (slot, veh) */
	const char	*vehicle_name, *number, *team, *cls, *driver;
	int		 position;
	int		 laps;		/* lapsCompleted */
	double		 last, last_s1, last_s2;	/* last lap and its cumulative splits */
	double		 cur_s1, cur_s2;		/* current lap splits */
	double		 best;
	double		 gap, interval;
	int		 gap_laps, interval_laps;
	enum pit_state	 pit_state;
	int		 in_garage, pitting, pitstops, player, penalties;
	enum finish	 finish;
	double		 fuel;		/* 0..1, <0 unknown */
	double		 ve;		/* 0..1, <0 unknown */
	double		 lap_dist, x, z;
	double		 lap_start_et;
	int		 sector;	/* 1..3, 0 unknown */
	int		 in_control;
	int		 compounds_known;
	char		 compound[TYRE_N][COMPOUND_LEN];	/* from the websocket feed */
	int		 splits_derived;	/* last_s1/s2 derived by the source, not the game's */
	int		 cuts, collisions;	/* on its last lap, <0 unknown */
};

struct obs_member {
	const char	*name, *badge, *nationality;
	unsigned	 roles;		/* ROLE_* bits */
};
#define ROLE_DRIVER	0x1
#define ROLE_ENGINEER	0x2
#define ROLE_ADMIN	0x4
#define ROLE_OWNER	0x8

struct obs_entry {
	int		 id;		/* the entry's number in the game's list */
	int		 slot;		/* the standings slot of its car */
	const char	*team_id, *number, *name;
	char		 veh[TRACK_NAME_MAX];	/* ".veh" stripped */
	size_t		 member0, nmembers;	/* range in obs.members */
};

struct obs_chat {
	long long	 ts;		/* 100 ns ticks */
	const char	*text;
};

struct obs_stop {
	const char	*team;
	int		 lap;
	const char	*driver;
	int		 swap, penalty;
	double		 duration, fuel, ve, prev_stint;
	char		 compound[TYRE_N][COMPOUND_LEN];
	int		 changed, fresh;	/* bit per tyre */
};

struct obs_usage {
	const char	*driver;
	int		 lap, pit, stint;
	double		 fuel, ve;	/* fuel 0..100, ve 0..1, <0 unknown */
	double		 wear[TYRE_N];	/* 0..100, <0 unknown */
};

struct obs_hist {
	int		 slot, lap;	/* lap = totalLaps of the row */
	const char	*veh_name, *driver;
	double		 time, s1, s2;	/* cumulative splits */
	int		 pitting, position;
};

struct obs_point {
	double		 x, z;
	int		 type;
};

struct obs {
	int		 has_session;	/* sessionInfo present */
	int		 loading, replay;	/* the source saw the game load or replay */
	/* session header */
	const char	*track, *server;
	enum session_kind kind;
	int		 kind_n;		/* number of that kind in the weekend, 0 only one */
	int		 closed;		/* the game ended the session (AC END_SESSION) */
	const char	*results_file;		/* the game's results file of a closed session */
	int		 port, online;
	double		 et, end_et, max_time, remaining, track_len;
	long long	 max_laps;
	int		 phase;
	int		 vehicles;
	double		 air, track_temp, rain, wetness;
	char		 sector_flags[16];
	/* per car */
	struct obs_car	*cars;
	size_t		 ncars, cars_cap;
	int		 has_standings;
	/* online entry list */
	int		 has_teams;
	long long	 coherence;	/* the list's version, -1 unknown */
	int		 entry_slots_known;	/* the slots were known before this list came */
	struct obs_entry *entries;
	size_t		 nentries, entries_cap;
	struct obs_member *members;
	size_t		 nmembers, members_cap;
	/* chat, strategy, usage, history, track map */
	int		 has_chat;
	int		 chat_et;	/* chat ts count from the session's ET 0, not the epoch */
	struct obs_chat	*chat;
	size_t		 nchat, chat_cap;
	int		 has_strategy;
	struct obs_stop	*stops;
	size_t		 nstops, stops_cap;
	int		 has_usage;
	struct obs_usage *usage;
	size_t		 nusage, usage_cap;
	int		 has_history;
	struct obs_hist	*hist;
	size_t		 nhist, hist_cap;
	int		 has_trackmap;
	struct obs_point *points;
	size_t		 npoints, points_cap;
	/* what the parser did not understand */
	long long	 drift[DRIFT__MAX];
};

/* track.c: releases an observation's arrays (a source fills them, track_frame reads them). */
void	 obs_free(struct obs *);

/*
 * The model, as the tracker keeps it in memory. store_id fields belong to
 * the storage side (database row ids); the tracker never reads them.
 */
struct tlap {
	int		 lap;
	int		 known;			/* the lap has been recorded */
	enum lap_source	 source;
	double		 time, s1, s2, s3;	/* <0 unknown */
	int		 valid, pit, position;
	double		 fuel, ve;		/* <0 unknown */
	double		 start_et, seen_at;
	char		 driver[TRACK_NAME_MAX];
	char		 tyres[TYRE_N * COMPOUND_LEN];
	const char	*s_driver[3];		/* who drove each sector (swap laps): track_car_name() */
	int		 cuts, collisions;	/* <0 unknown */
	int		 sectors_derived;	/* s1..s3 derived by the source, not the game's */
};

struct tpit {
	long long	 store_id;
	int		 lap;
	int		 garage;		/* a garage visit, not a lane visit */
	double		 pit_time, stop_time, release_time, exit_time;	/* <0 unknown */
	double		 garage_in, garage_out;
	double		 swap_time;		/* <0 no swap */
	int		 swap_sector;
	int		 stop_sector;
	char		 driver_in[TRACK_NAME_MAX], driver_out[TRACK_NAME_MAX];
	int		 penalty, synthesised, confirmed;
	int		 strategy_lap;		/* lap of the strategy stop that confirmed it */
	char		 tyres[TYRE_N * COMPOUND_LEN];
	int		 tyres_changed;
	double		 fuel, ve, duration;
	int		 open;
	unsigned	 logged;		/* LOGGED_* events of the visit in the race log */
};

struct tstint {
	long long	 store_id;
	int		 first_lap, last_lap;
	char		 driver[TRACK_NAME_MAX];
	char		 compound[COMPOUND_LEN];
	int		 tyre_laps;		/* laps on these tyres at the end */
};

struct tbest {
	double		 time;
	int		 lap;
	struct tcar	*car;
	char		 driver[TRACK_NAME_MAX];
};

struct tdriver {			/* a driver in a car: his bests */
	char		 name[TRACK_NAME_MAX];
	struct tbest	 best[BK__MAX];
};

/* A name kept for the life of its car (track_car_name). */
struct tname {
	struct tname	*next;
	char		 name[];
};

/* The pit state machine of one car (pits.c). */
struct pitsm {
	int		 seen;
	enum pit_state	 prev;
	int		 prev_garage;
	int		 prev_laps;
	int		 lane;			/* index in car->pits of the open lane visit, -1 */
	int		 garage;		/* index of the open garage visit, -1 */
	double		 pending_exit;		/* NONE seen while open: exit time if it stays */
	int		 released;		/* the open visit saw EXITING */
	char		 driver[TRACK_NAME_MAX];
};

/* What the game said of a car's gaps (order.c checks it against its positions). */
struct osaid {
	double		 gap, interval;
	int		 gap_laps, interval_laps;
};

struct tcar {
	long long	 store_id;
	size_t		 idx;
	int		 slot;
	char		 veh[TRACK_NAME_MAX], vehicle_name[TRACK_NAME_MAX];
	char		 key[TRACK_NAME_MAX];	/* obs_car.key, "" none */
	char		 number[16], team[TRACK_NAME_MAX], cls[32];
	int		 info_dirty;
	/* live state: the freshest observation wins */
	double		 et;			/* ET of the freshest observation */
	double		 updated_at;
	char		 driver[TRACK_NAME_MAX];
	int		 position, class_position, laps;
	/* derived from the positions by order.c; <0 unknown */
	double		 gap, interval, class_gap;
	int		 gap_laps, interval_laps, class_gap_laps;
	struct osaid	 said;			/* the game's own figures */
	struct trail	 trail;			/* progress over ET (order.c) */
	unsigned	 order_logged;		/* ORDER_* disagreements logged once */
	double		 best, last, s1, s2, s3;
	int		 pitstops, penalties, player;
	enum pit_state	 pit_state;
	int		 in_garage;
	enum finish	 finish;
	double		 fuel, ve, lap_dist, x, z;
	char		 tyres[TYRE_N * COMPOUND_LEN];
	double		 wear[TYRE_N];
	int		 present;
	int		 sector;
	double		 lap_start_et;
	char		 status[16];
	/* history kept in memory: O(laps of this car), touched O(1) per frame */
	struct tlap	*laps_v;
	size_t		 laps_cap;
	int		 max_lap;
	struct tpit	*pits;
	size_t		 npits, pits_cap;
	int		 nlane;			/* lane visits among pits */
	struct pitsm	 sm;
	struct tstint	*stints;
	size_t		 nstints, stints_cap;
	struct tdriver	*drivers;
	size_t		 ndrivers;
	struct tbest	 best_car[BK__MAX];
	double		 swap_et;		/* ET of the last driver change, <0 none */
	char		 swap_from[TRACK_NAME_MAX];
	int		 stops_seen;		/* strategy stops already matched */
	char		 fuel_client[72];	/* the client whose player car it is */
	struct tname	*names;			/* names laps point to, kept with the car */
	int		 log_seen;		/* racelog.c: what the log last said of it */
	int		 log_penalties;
	enum finish	 log_finish;
};

struct tentry {
	int		 id;			/* obs_entry.id */
	char		 team_id[48], number[16], name[TRACK_NAME_MAX], veh[TRACK_NAME_MAX];
	struct tcar	*car;
	char		*members;		/* "name\tbadge\tnationality\troles\n"... */
};

struct tclass_best {
	char		 cls[32];
	struct tbest	 best[BK__MAX];
	size_t		 leader;		/* racelog.c: idx + 1 of the car leading it, 0 none */
};

struct tchat_set;

struct tsession {
	char		 id[TRACK_ID_LEN + 1];
	char		 sim[8], track[TRACK_NAME_MAX], type[16], server[TRACK_NAME_MAX];
	int		 port, online;
	char		 owner[72];		/* client of an offline session */
	double		 started_at, last_update;	/* capture times (server clock) */
	double		 et_zero;		/* server time of its ET 0 */
	int		 et_zero_known;		/* 1 seen at a positive ET (before: the first frame's) */
	int		 more_dirty;		/* et_zero or results_file changed (store.c) */
	double		 last_frame;		/* when its last frame arrived (server clock) */
	double		 et, et_at;		/* last ET and when (server clock) it was seen */
	int		 phase;
	double		 remaining, end_et, max_time, track_len;
	long long	 max_laps;
	double		 air, track_temp, rain, wetness;
	char		 sector_flags[16];
	double		 cond_et;		/* ET of the last conditions sample */
	enum liveness	 state;
	int		 finished;
	char		 prev_id[TRACK_ID_LEN + 1], next_id[TRACK_ID_LEN + 1];
	char		 results_file[256];	/* the game's results of a closed session */
	struct tcar	**cars;
	size_t		 ncars, cars_cap;
	struct tcar	**by_slot;		/* slot → newest car in it */
	size_t		 nslots;
	struct tentry	*entries;
	size_t		 nentries;
	long long	 coherence;
	struct tclass_best *cbest;
	size_t		 ncbest;
	struct tchat_set *chat;
	long long	 chat_max;
	int		 nlaps, nclients;
	long long	 frames, dropped;
	int		 has_trackmap;
	double		 sector_bound[2];	/* learned lap distance of S1/S2 ends, <0 */
	int		 bound_n[2];
	double		 bound_sum[2];
	int		 log_seen;		/* racelog.c: the phase and flags the log last said */
	int		 log_phase;
	char		 log_flags[16];
	int		 dirty;			/* header changed since last SESSION_UPDATE */
	int		 any_laps;		/* something worth keeping happened */
	int		 gone;			/* dropped (merged into its successor) */
};

/* Kinds of model change. */
enum change_type {
	CH_SESSION_NEW,		/* s: a new session */
	CH_SESSION_UPDATE,	/* s: header (ET, phase, time, conditions, counters, state) */
	CH_SESSION_LINK,	/* s → s->next_id: a transition; s2 is the successor */
	CH_SESSION_DROP,	/* s: an empty session merged into its successor: forget it */
	CH_SESSION_CLIENT,	/* s, client: the client sent a frame for s */
	CH_CAR_NEW,		/* s, car */
	CH_CAR_INFO,		/* s, car: number, team, class or name changed */
	CH_CAR_STATE,		/* s, car: the live state row */
	CH_LAP,			/* s, car, lap: a lap recorded (live, history or missing) */
	CH_LAP_FILL,		/* s, car, lap: unknown pieces of a recorded lap filled */
	CH_PIT,			/* s, car, pit: a new pit or garage visit */
	CH_PIT_UPDATE,		/* s, car, pit: a visit's times or strategy data changed */
	CH_STINT,		/* s, car, stint: a stint began or grew */
	CH_BEST,		/* s, car, best + scope/kind/driver: a best improved */
	CH_CHAT,		/* s, chat: a new chat line */
	CH_CONDITIONS,		/* s: a conditions sample (header fields) */
	CH_ENTRY,		/* s, entry: an entry list row and its members changed */
	CH_TRACKMAP,		/* s, obs points: the track outline */
	CH_SECTOR_BOUND,	/* s, n: a learned sector boundary */
	CH_LOG,			/* s, car or NULL, log: a race control event (racelog.c) */
	CH__MAX
};
extern const char *const change_names[CH__MAX];

/* A race control event (racelog.c, docs/pitwall.md). */
#define LOG_KIND_LEN	16
#define LOG_TEXT_LEN	200
struct tlog {
	double		 et, at;		/* session ET, server time */
	char		 kind[LOG_KIND_LEN];	/* pit_in, stop, swap, penalty, fcy, lead, ... */
	int		 lap;			/* <0 none */
	char		 driver[TRACK_NAME_MAX];
	char		 text[LOG_TEXT_LEN];	/* what happened, in words */
	char		 data[LOG_TEXT_LEN];	/* a JSON object of its figures */
	char		 ref[48];		/* identity within (session, kind, car) */
};

struct change {
	enum change_type	 type;
	struct tsession		*s;
	struct tsession		*s2;		/* CH_SESSION_LINK: the successor */
	struct tcar		*car;
	const struct tlap	*lap;
	struct tpit		*pit;
	struct tstint		*stint;
	const struct tentry	*entry;
	struct tbest		 best;		/* CH_BEST: the new best (a copy) */
	enum best_scope		 scope;
	enum best_kind		 kind;
	const char		*client;
	long long		 chat_ts;
	const char		*chat_text;
	const struct obs_point	*points;
	size_t			 npoints;
	int			 n;
	struct tlog		 log;		/* CH_LOG */
};

struct track_counters {
	long long	 frames, applied;
	long long	 dropped[DROP__MAX];
	long long	 drift[DRIFT__MAX];
	long long	 sessions, transitions, merged;
	long long	 order_rows, order_fixed;	/* car rows ordered, rows the game had wrong */
};

/* What the tracker knows of one client: the state its next frame meets. */
struct tclient {
	char		 id[72];
	struct tsession	*s;		/* the session of its last frame, or NULL */
	double		 offset;	/* server clock − client clock */
	int		 offset_known;	/* 1 estimated (smallest seen), 2 measured */
	double		 last_tcap;	/* server time of its last frame */
	double		 last_et;
	int		 last_phase;
	char		 last_key[TRACK_NAME_MAX * 2];
	int		 left;		/* it saw s end (obs.closed) and no longer counts in it */
};

struct track {
	struct tsession	**sess;
	size_t		 nsess, sess_cap;
	struct tclient	**clients;
	size_t		 nclients, clients_cap;
	struct change	*ch;
	size_t		 nch, ch_cap;
	struct track_counters c;
	unsigned long long id_seq;
	char		 force_id[TRACK_ID_LEN + 1];	/* next new session gets this id (reprocess) */
	int		 single;	/* one session only: every frame with a session joins the
					 * first one opened (session merge, split, reprocess) */
};

/* Input of track_frame besides the observation. */
struct track_in {
	const char	*client;
	long long	 seq;
	double		 received_at;	/* server clock */
	double		 captured_at;	/* client clock */
	double		 sent_at;	/* client clock when the upload was sent, 0 = unknown */
	const char	*sim;		/* source_names[] */
};

/* track.c */
int		 track_init(struct track *);
void		 track_free(struct track *);
enum drop	 track_frame(struct track *, const struct track_in *, const struct obs *,
		    struct tsession **out);
void		 track_tick(struct track *, double now);
struct tsession	*track_find(struct track *, const char *id);
void		 track_changes_reset(struct track *);
struct tsession	*track_session_add(struct track *, const char *id);
struct tcar	*track_car_add(struct track *, struct tsession *, int slot, const char *veh);
struct tlap	*track_lap_slot(struct tcar *, int lap);
const char	*track_car_name(struct tcar *, const char *name);
void		 track_session_key(const struct tsession *, char *out, size_t outsz);
int		 track_attach(struct track *, const char *client, struct tsession *);
struct tentry	*track_entry(struct tsession *, int id);
struct tclient	*track_client(struct track *, const char *id, int create);
int		 track_emit(struct track *, enum change_type, struct tsession *, struct tcar *);
struct change	*track_emit_ch(struct track *, enum change_type, struct tsession *, struct tcar *);
void		 track_chat_seen(struct tsession *, long long ts, const char *text);

#define TRACK_ET_TOLERANCE	10.0	/* s: ET vs wall clock */
#define TRACK_INACTIVE_AFTER	600.0	/* s without frames */
#define TRACK_CLOSE_AFTER	1200.0	/* s inactive */
#define TRACK_COND_EVERY	10.0	/* s of ET between conditions samples */
#define TRACK_MERGE_EMPTY	30.0	/* s: an empty session this young merges into its successor */
#define TRACK_OVERLAP_MIN	0.5	/* entry list overlap to share an online session */
#define TRACK_BOUND_CROSSINGS	5	/* crossings that make a learned sector boundary */
#define TRACK_CHAT_OLD		(36000000000LL)	/* 1 h in 100 ns ticks */

/* pits.c: the per car pit state machine on pitState over ET. */
int	 pits_observe(struct track *, struct tsession *, struct tcar *, const struct obs_car *,
	    double et);
int	 pits_strategy(struct track *, struct tsession *, struct tcar *, const struct obs_stop *,
	    size_t n, double et);
int	 pits_stint(struct track *, struct tsession *, struct tcar *, const struct tlap *);
struct tpit *pits_add(struct tcar *);

/* order.c: class positions, laps behind, gaps and intervals from positions. */
#define ORDER_GAP_LAPS	0x1
#define ORDER_GAP	0x2
#define ORDER_INTERVAL	0x4
#define ORDER_TOLERANCE	1.0	/* s a game's gap may differ from the positions' */
int	 order_session(struct track *, struct tsession *);
int	 order_cmp(const void *, const void *);
double	 order_progress(const struct tsession *, const struct tcar *);

/* racelog.c: the race control events of what frame changes ch0.. did to s. */
#define LOGGED_PIT_IN	0x01
#define LOGGED_PIT_OUT	0x02
#define LOGGED_STOP	0x04
#define LOGGED_GARAGE_IN	0x08
#define LOGGED_GARAGE_OUT	0x10
#define LOGGED_SWAP	0x20
int		 racelog_frame(struct track *, struct tsession *, size_t ch0, double at);
unsigned	 racelog_pit_mask(const struct tpit *);

/* bests.c */
int	 bests_lap(struct track *, struct tsession *, struct tcar *, const struct tlap *);
struct tclass_best *bests_class(struct tsession *, const char *cls, int create);
struct tdriver *bests_driver(struct tcar *, const char *name, int create);

#endif
