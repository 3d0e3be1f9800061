/*
 * trackside-client: polls the game, guards against what must not be sent,
 * keeps every frame in an on-disk spool and uploads it in order.
 * trackside-fakegame shares the recording reader and the JSON helpers.
 */
#ifndef CLIENT_H
#define CLIENT_H

#include <stdint.h>
#include <stdio.h>

#include "pcars2.h"
#include "trackside.h"

#define CLIENT_VERSION		"trackside-client/" VERSION_STRING
#define CLIENT_ID_LEN		32	/* hex digits of a generated client id */
#define FRAME_MAX_INFLATED	(16u << 20)	/* the server's default inflated cap */
#define BATCH_MAX_FRAMES	100
#define BATCH_MAX_BYTES		(8u << 20)	/* inflated bytes of one batch body */
#define BODY_MAX		(16u << 20)	/* largest game answer kept */

/*
 * The system and processor the client is built for, named by --version.
 * CLIENT_WINDOWS picks Windows' places for the configuration in config.c:
 * a constant rather than an #ifdef there, so both sides compile everywhere.
 */
#ifdef _WIN32
#define CLIENT_SYSTEM		"windows"
#define CLIENT_WINDOWS		1
#elif defined(__linux__)
#define CLIENT_SYSTEM		"linux"
#define CLIENT_WINDOWS		0
#else
#define CLIENT_SYSTEM		"unix"
#define CLIENT_WINDOWS		0
#endif
#if defined(__x86_64__) || defined(_M_X64)
#define CLIENT_ARCH		"x86_64"
#elif defined(__aarch64__)
#define CLIENT_ARCH		"aarch64"
#elif defined(__i386__)
#define CLIENT_ARCH		"x86"
#else
#define CLIENT_ARCH		"unknown"
#endif

/*
 * json.c: small helpers over lib/jscan.c spans.
 */
int	 json_num(const struct jspan *, double *out);
int	 json_member_num(const struct jspan *obj, const char *key, double *out);
int	 json_member_str(const struct jspan *obj, const char *key, char *out, size_t outsz);
int	 json_member_bool(const struct jspan *obj, const char *key);
int	 json_obj_next(const struct jspan *obj, size_t *off, struct jspan *key,
	    struct jspan *val);

/*
 * config.c: the configuration file and the flags, one table.
 */
enum mode { MODE_LIVE, MODE_REPLAY };

/* The games a client reads: one row each in main's source table. */
enum src_id { SRC_LMU, SRC_AC, SRC_PCARS2, SRC_PCARS2_SHM, SRC__MAX };
extern const char *const src_names[SRC__MAX];

struct config {
	char		*config_path;	/* the file read, or NULL */
	char		*server;	/* base URL, "" = do not upload */
	char		*token;
	char		*name;
	char		*game_host;
	int		 game_port;
	double		 poll_interval;
	double		 timeout;	/* per game request, seconds */
	char		*state_dir;
	char		*spool_dir;
	long long	 spool_cap;
	enum log_level	 log_level;
	int		 gzip;
	char		*record;	/* --record FILE */
	char		*replay;	/* --replay FILE */
	double		 speed;		/* replay speed, 0 = as fast as possible */
	char		*replay_epoch;	/* --replay-epoch TIME */
	double		 epoch;		/* ... parsed, 0 = the recording's own start */
	char		*replay_clock;	/* "now" or "original" */
	int		 once;
	int		 print;
	int		 flush;
	int		 quiet;
	int		 foreground;
	enum src_id	 source;	/* --source lmu|ac|pcars2|pcars2-shm */
	char		*ac_listen;	/* [HOST:]PORT, the server's UDP_PLUGIN_ADDRESS */
	char		*ac_server;	/* HOST:PORT, its UDP_PLUGIN_LOCAL_PORT */
	char		*ac_forward;	/* HOST:PORT of a second plugin, or NULL */
	int		 ac_interval;	/* ms between CAR_UPDATEs asked for */
	char		*replay_to;	/* HOST:PORT: replay as datagrams (ac, pcars2) */
	char		*pcars2_listen;	/* [HOST:]PORT the game sends to */
	char		*pcars2_forward; /* HOST:PORT of another tool, or NULL */
	int		 pcars2_shm_hz;	/* shared-memory polls a second */
};

/*
 * CONFIG_VERSION: --version, printed by the caller with config_version()
 * (it knows the HTTP engine). CONFIG_FIRST: a first run without a
 * configuration; a sample was written and err says where, for the player.
 */
enum config_result { CONFIG_ERR = -1, CONFIG_BAD = 0, CONFIG_OK = 1, CONFIG_EXIT = 2,
	CONFIG_VERSION = 3, CONFIG_FIRST = 4 };
enum config_result config_load(struct config *, int argc, char *argv[], struct buf *err);
void	 config_free(struct config *);
const char *config_default_path(void);
void	 config_version(FILE *, const char *http_engine);
extern const char config_sample[];
int	 config_parse_size(const char *, long long *out);
void	 config_usage(FILE *);

/*
 * guard_lmu.c: what one LMU poll says, and whether it may be sent.
 */
struct car_laps {
	long long	 slot;
	long long	 laps;
};

struct poll_summary {
	int		 any_ok;	/* at least one endpoint answered */
	int		 has_session;	/* sessionInfo is an object */
	double		 et;		/* currentEventTime */
	long long	 phase;		/* sessionInfo gamePhase, -1 unknown */
	char		 session[24];	/* RACE1, PRACTICE1, ... */
	char		 track[96];
	char		 server[96];
	int		 replay;	/* GetGameState isReplayActive */
	int		 loading;	/* GetGameState MultiStintState LOADING */
	int		 has_standings;
	size_t		 ncars;
	size_t		 finished;	/* cars FSTAT_FINISHED or FSTAT_CHECKERED */
	long long	 max_laps;
	struct car_laps	*cars;		/* ncars entries, owned */
};

enum guard_verdict {
	GUARD_SEND,	/* a frame of a live session */
	GUARD_LEFT,	/* the session ended for this client: one "left" frame */
	GUARD_IDLE,	/* not in a session */
	GUARD_DOWN,	/* the game does not answer */
	GUARD_LOADING,	/* game time not advancing, negative or jumping */
	GUARD_REPLAY,	/* the game shows a replay */
	GUARD_STALE,	/* the previous session's finished cars */
	GUARD__MAX
};
extern const char *const guard_names[GUARD__MAX];

struct guard {
	int		 joined;	/* sent a frame of the current session */
	int		 have_ref;
	double		 ref_et;
	double		 ref_wall;
	char		 ref_session[24];
	double		 down_since;	/* 0 = the game answers */
	double		 stale_since;	/* 0 = not stale */
};

#define GUARD_JUMP_SLACK	10.0	/* s of game time beyond wall-clock time */
#define GUARD_LEFT_AFTER	5.0	/* s without any answer before "left" */
#define GUARD_STALE_MAX		120.0	/* s of stale standings before giving in */
#define GUARD_MIN_LAP		20.0	/* s, no real lap is shorter */

int	 guard_summarize(const char *resp, size_t len, struct poll_summary *);
void	 guard_summary_free(struct poll_summary *);
enum guard_verdict guard_decide(struct guard *, double wall, const struct poll_summary *);
void	 guard_end(struct guard *);

/*
 * frame.c: the upload envelope around one poll.
 */
struct client_ident {
	char	 id[65];
	char	 name[128];
};
int	 frame_build(struct buf *, const struct client_ident *, long long seq,
	    double captured_at, const char *resp, size_t len);
int	 frame_build_source(struct buf *, const struct client_ident *, long long seq,
	    double captured_at, const char *source, const char *resp, size_t len);
int	 frame_ident_load(struct client_ident *, const char *state_dir, const char *name);

/*
 * spool.c: frames on disk until the server acknowledged them.
 */
struct spool;
struct spool_rec {
	long long	 seq;
	struct buf	 data;		/* the stored (gzip) frame */
};
#define SPOOL_DEFAULT_CAP	(1LL << 30)
#define SPOOL_REC_MAX		(64u << 20)
int	 spool_open(struct spool **, const char *dir, long long cap, struct buf *err);
void	 spool_close(struct spool *);
int	 spool_append(struct spool *, const void *, size_t, long long *seq);
int	 spool_read(struct spool *, size_t max_n, size_t max_bytes,
	    struct spool_rec **out, size_t *n);
void	 spool_recs_free(struct spool_rec *, size_t n);
int	 spool_ack(struct spool *, long long seq);
int	 spool_set_aside(struct spool *, long long seq, const void *, size_t, const char *why);
long long spool_pending(const struct spool *);
long long spool_acked(const struct spool *);
long long spool_next_seq(const struct spool *);
long long spool_bytes(const struct spool *);
long long spool_dropped(const struct spool *);
int	 spool_parse(const void *, size_t, size_t *good, long long *first, long long *last,
	    size_t *count);

/*
 * record.c: recordings (spec/lmu-recording.md), read and written.
 */
struct rec_reader;
struct rec_poll {
	double		 t;
	struct jspan	 responses;	/* points into the reader's line */
};
enum rec_result { REC_ERR = -1, REC_BAD = 0, REC_OK = 1, REC_EOF = 2 };
#define REC_LINE_MAX	(64u << 20)
#define REC_LMU		"lmu-recording"
#define REC_AC		"ac-recording"
#define REC_P2		"pcars2-recording"
int	 rec_open(struct rec_reader **, const char *path, struct buf *err);
int	 rec_open_format(struct rec_reader **, const char *path, const char *format,
	    struct buf *err);
int	 rec_open_mem(struct rec_reader **, const void *, size_t, struct buf *err);
int	 rec_open_mem_format(struct rec_reader **, const void *, size_t, const char *format,
	    struct buf *err);
enum rec_result rec_next(struct rec_reader *, struct rec_poll *, struct buf *err);
enum rec_result rec_next_raw(struct rec_reader *, double *t, struct buf *raw, struct buf *err);
double	 rec_created(const struct rec_reader *);
long long rec_lineno(const struct rec_reader *);
void	 rec_close(struct rec_reader *);
int	 rec_parse_header(const char *, size_t, double *created, struct buf *err);
int	 rec_parse_poll(const char *, size_t, struct rec_poll *, struct buf *err);

struct rec_writer;
int	 rec_create(struct rec_writer **, const char *path, const char *note);
int	 rec_create_format(struct rec_writer **, const char *path, const char *format,
	    const char *note);
int	 rec_write(struct rec_writer *, double t, const char *resp, size_t len);
int	 rec_write_raw(struct rec_writer *, double t, const void *, size_t);
int	 rec_finish(struct rec_writer *);

/*
 * p2udp.c: Project CARS 2 / Automobilista 2 UDP packets (lib/pcars2.c
 * decodes them): what the client keeps of each, and what it learnt of the
 * race for the status line.
 */
#define P2UDP_TEL_GAP_MS	500	/* telemetry: at most 2 a second */
#define P2UDP_TIM_GAP_MS	200	/* timings: at most 5 a second, but ... */
#define P2UDP_VEHICLES		64

enum p2udp_verdict {
	P2UDP_UNKNOWN,		/* a kind neither revision sends: counted, not sent */
	P2UDP_THINNED,		/* known, and not needed in the frame */
	P2UDP_KEEP		/* goes into the frame */
};

/* What the thinning compares between two timings packets, per participant. */
struct p2udp_car {
	unsigned	 lap, sector, pit, state, position;
	int		 active;
};

struct p2udp {
	/* thinning */
	int		 have_tel, have_tim;
	long long	 tel_ms, tim_ms;	/* when the last kept came, ms */
	int		 tim_num;
	struct p2udp_car tim[P2_UDP_CARS];
	/* what the packets said */
	int		 have_rev;
	enum p2_rev	 rev;			/* of the last known packet */
	int		 have_race, have_game;
	char		 location[P2_NAME + 1], variation[P2_NAME + 1];
	unsigned	 game_state, session_state;
	int		 grid;			/* timings' participants, -1 unknown */
	uint32_t	 roster_stamp;
	int		 one_based;		/* the game counts parts from 1 */
	char		 names[P2_UDP_CARS][P2_NAME + 1];	/* by participant index */
	char		 vehicles[P2UDP_VEHICLES][P2_NAME + 1];	/* by vehicle index */
	int		 classes;
	/* counts since the start */
	long long	 received, unknown, thinned, kept;
	long long	 kinds[P2K__MAX];	/* received, by kind */
	struct p2_packet *pkt;			/* scratch */
};

int	 p2udp_init(struct p2udp *);
void	 p2udp_free(struct p2udp *);
enum p2udp_verdict p2udp_take(struct p2udp *, const void *, size_t, long long ms);
int	 p2udp_json(struct buf *, long long at_ms, const void *, size_t);
int	 p2udp_names(const struct p2udp *);
int	 p2udp_vehicle_names(const struct p2udp *);
const char *p2udp_session(const struct p2udp *);

/*
 * p2shm.c: a consistent copy of the `$pcars2$` block while the game writes
 * it, and the bytes that changed between two copies.
 */
#define P2SHM_TRIES		8	/* reads of one poll before it counts as torn */
#define P2SHM_MERGE		16	/* changed ranges closer than this are one */

/* How the block is read: a mapped view on Windows, a test's script elsewhere. */
struct p2shm_view {
	void	 (*read)(void *arg, size_t off, void *dst, size_t len);
	void	 (*pause)(void *arg);	/* between two tries; may be NULL */
	void	*arg;
};

size_t	 p2shm_prefix(size_t mapped);
int	 p2shm_copy(const struct p2shm_view *, unsigned char *out, size_t n, int tries,
	    long long *torn, long long *busy);
int	 p2shm_diff(struct buf *, const unsigned char *prev, const unsigned char *cur, size_t n,
	    size_t merge);

/*
 * upload.c: one POST of one frame or a batch; the answer classified.
 */
enum up_result {
	UP_OK,		/* 202 with an ack */
	UP_RETRY,	/* network error, 5xx, 429, odd answer: back off, keep the frames */
	UP_REJECT,	/* 400, 409 or 413: set the frame aside */
	UP_HOLD,	/* 401, 403, 404, 415: a configuration problem; keep and wait */
	UP__MAX
};
extern const char *const up_result_names[UP__MAX];
struct up_answer {
	enum up_result	 result;
	long		 status;
	long long	 ack;		/* -1 when absent */
	char		 error[64];
	char		 message[256];
	double		 retry_after;	/* seconds, 0 = none */
};
#define UP_BACKOFF_MAX		30.0
#define UP_HOLD_MAX		300.0
#define UP_SENT_AT		"Trackside-Sent-At"
#define UP_SENT_AT_MAX		64
void	 upload_sent_at(double now, char out[UP_SENT_AT_MAX]);
int	 upload_batch_body(struct buf *out, const struct spool_rec *, size_t *n, size_t max,
	    int level);
void	 upload_classify(long status, const char *body, size_t len, const char *retry_after,
	    struct up_answer *);
double	 upload_backoff(int failures, double max, double rnd);

/*
 * lmu.c: which endpoints an LMU poll asks for (src_lmu.c polls them).
 */
enum lmu_ep {
	EP_SESSIONINFO,
	EP_JOINSTATE,
	EP_GAMESTATE,
	EP_TEAMS,
	EP_STANDINGS,
	EP_CHAT,
	EP_STRATEGY,
	EP_USAGE,
	EP_HISTORY,
	EP_TRACKMAP,
	EP_SCHEDULE,
	EP_PROFILE,
	EP__MAX
};
extern const char *const lmu_paths[EP__MAX];

struct lmu_sched {
	int		 in_session;	/* the last poll showed a session */
	int		 race;		/* ... and it is a race */
	char		 key[256];	/* track + session + server of the last session */
	int		 have_map;	/* trackmap fetched for key */
	int		 have_sched;	/* event schedule fetched for key */
	int		 have_profile;
	int		 want_history;
	double		 last_chat;	/* wall time of the last chat request */
	double		 last_history;
	double		 last_map_try;
	double		 last_profile_try;
	double		 last_seen;	/* wall time of the last in-session poll */
	struct car_laps	*laps;		/* last standings laps, owned */
	size_t		 nlaps;
};
#define LMU_CHAT_EVERY		5.0
#define LMU_HISTORY_EVERY	30.0
#define LMU_RETRY_EVERY		5.0

unsigned lmu_plan(struct lmu_sched *, double now, int session_phase);
void	 lmu_observe(struct lmu_sched *, double now, unsigned asked, const int *ok,
	    const struct poll_summary *);
void	 lmu_sched_free(struct lmu_sched *);
int	 lmu_responses(struct buf *, unsigned asked, struct buf *bodies, const int *ok);
int	 lmu_body_ok(long status, const struct buf *body);

#endif
