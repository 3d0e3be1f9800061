/*
 * trackside-ingestd and the trackside admin command: internal declarations.
 *
 * main.c takes frames from the inbox in order and applies each inside a
 * transaction through ingest_frame(); the tracking side (sources, merge
 * rules, storage) lives behind that call.
 */
#ifndef INGEST_H
#define INGEST_H

#include <stdarg.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "trackside.h"

/* One frame from the inbox, as the upload handler accepted it. */
struct frame {
	const char	*client;	/* the id the client generated */
	const char	*client_name;	/* display name or NULL */
	const char	*client_version;
	long long	 seq;
	long long	 token;		/* clients.id of the uploading token */
	double		 received_at;	/* server wall clock */
	double		 captured_at;	/* client wall clock */
	double		 sent_at;	/* client wall clock when sent, 0 = unknown */
	const char	*source;	/* "lmu", "ac" or "pcars2" */
	const cJSON	*data;		/* the frame's "data" object */
};

#define SESSION_ID_LEN 32

/*
 * stmt.c: all SQL of trackside-ingestd and trackside in one enum-indexed
 * table, prepared once.
 */
enum stmt {
	STMT_SEQ_GET,
	STMT_SEQ_PUT,
	STMT_RAW_PUT,
	STMT_RAW_EXISTS,
	STMT_POS_GET,
	STMT_POS_PUT,
	STMT_POS_DEL,
	STMT_SESSION_INS,
	STMT_SESSION_UPD,
	STMT_SESSION_NEXT,
	STMT_SESSION_PREV,
	STMT_SESSION_DEL,
	STMT_RAW_MOVE,
	STMT_SCLIENT_UPS,
	STMT_CAR_INS,
	STMT_CAR_UPD,
	STMT_STATE_INS,
	STMT_STATE_UPD,
	STMT_LAP_UPS,
	STMT_LAP_PIT,
	STMT_PIT_INS,
	STMT_PIT_UPD,
	STMT_STINT_INS,
	STMT_STINT_UPD,
	STMT_BEST_UPS,
	STMT_CHAT_INS,
	STMT_COND_INS,
	STMT_ENTRY_UPS,
	STMT_MEMBER_DEL,
	STMT_MEMBER_INS,
	STMT_TRACKMAP_UPS,
	STMT_BOUND_UPS,
	STMT_COUNTER_ADD,
	STMT_R_SESSIONS,
	STMT_R_CARS,
	STMT_R_LAPS,
	STMT_R_PITS,
	STMT_R_STINTS,
	STMT_R_CHAT,
	STMT_R_CLIENTS,
	STMT_R_TRACKMAP,
	STMT_R_BESTS,
	STMT_R_ENTRIES,
	STMT_R_MEMBERS,
	STMT_R_CLIENT,
	STMT_CLIENT_PUT,
	STMT_R_ID_SEQ,
	STMT_SESSION_AC,
	STMT_CAR_KEY,
	STMT_LAP_AC,
	STMT_R_SESSION_AC,
	STMT_R_CAR_KEYS,
	STMT_LOG_INS,
	STMT__MAX
};
struct stmts {
	sqlite3		*db;
	sqlite3_stmt	*st[STMT__MAX];
};
int		 stmts_prepare(struct stmts *, sqlite3 *, struct buf *err);
sqlite3_stmt	*stmt(struct stmts *, enum stmt);
void		 stmts_finalize(struct stmts *);

/*
 * The tracking side (state kept between frames: live sessions, cars, pit
 * state machines). All calls run inside the caller's transaction on db.
 */
struct ingest;
int	 ingest_open(struct ingest **out, struct stmts *, struct buf *err);
int	 ingest_frame(struct ingest *, const struct frame *, char session[SESSION_ID_LEN + 1]);
int	 ingest_tick(struct ingest *, double now);
void	 ingest_close(struct ingest *);
struct change;
struct track;
void	 ingest_hook(struct ingest *, void (*on_change)(void *, const struct change *), void *arg);
struct track *ingest_tracker(struct ingest *);
int	 ingest_open_fresh(struct ingest **out, struct stmts *, const char *first_id, struct buf *err);

/* worker.c: the inbox loop, shared by trackside-ingestd and trackside reprocess. */
struct worker {
	sqlite3		*db;
	struct stmts	 stmts;
	struct ingest	*ing;
	const char	*inbox;
	struct inbox_reader *reader;
	size_t		 batch;		/* frames per transaction */
	long long	 applied;	/* counters since start */
	long long	 duplicates;
	long long	 rejected;
	long long	 commits;
	/* the live events: see each change, then each transaction's end */
	void		(*on_change)(void *, const struct change *);
	void		(*on_end)(void *, int committed);
	void		*hook_arg;
	/* poison frames: the in-flight note, the frame the last runs died on */
	int		 note;
	struct inbox_note suspect;
	int		 has_suspect;
	int		 cmd_reload;	/* an admin command rewrote sessions: reload after commit */
	int		 resync;	/* an admin command changed what live views show */
	/* tests only (trackside-ingestd-faults): may fail (-1) or crash on a frame */
	int		(*fault)(const char *client, long long seq);
};
int	 worker_open(struct worker *, const char *db_path, const char *inbox, struct buf *err);
void	 worker_hook(struct worker *, void (*on_change)(void *, const struct change *),
	    void (*on_end)(void *, int committed), void *arg);
int	 worker_recover(struct worker *);
void	 worker_fatal_signals(struct worker *);
int	 worker_drain(struct worker *, int *more);
int	 worker_apply(struct worker *, const char *rec, size_t len, const char *client,
	    long long seq, int store_raw);
int	 worker_tick(struct worker *, double now);
void	 worker_close(struct worker *);

/*
 * command.c: applying an admin command (lib/cmd.h) inside the writer's
 * transaction. maint.c: the session maintenance commands.
 */
struct cmd;
struct cmd_ctx {
	sqlite3		*db;
	struct stmts	*stmts;
	const char	*inbox;		/* the inbox directory (client id bindings) */
	struct buf	 summary;	/* what it did, or why it was refused, in words */
	cJSON		*result;	/* what it hands back to the sender, or NULL */
	char		 target[128];	/* what it acted on (admin_log.target) */
	int		 reload;	/* the tracking state must be loaded again */
	int		 resync;	/* live views must get fresh snapshots */
};
int	 command_apply(struct cmd_ctx *, const struct cmd *);
sqlite3_stmt *command_stmtv(struct cmd_ctx *, const char *sql, const char *fmt, va_list);
int	 command_record(struct cmd_ctx *, const struct cmd *, int ok);
void	 command_ctx_free(struct cmd_ctx *);
int	 maint_delete(struct cmd_ctx *, const struct cmd *);
int	 maint_merge(struct cmd_ctx *, const struct cmd *);
int	 maint_split(struct cmd_ctx *, const struct cmd *);
int	 maint_reprocess(struct cmd_ctx *, const struct cmd *);

#endif
