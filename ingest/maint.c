/*
 * Session maintenance, applied by command.c inside the writer's open
 * transaction: delete, merge, split and reprocess a session.
 *
 * Merge, split and reprocess re-derive sessions from their raw frames: the
 * derived rows go (they cascade from the sessions row), the frames run
 * again through a tracker that resumes nothing, gives its session the id
 * asked for and puts every frame that belongs to a session into that one
 * session (track.h, single). What a person gave a session (its name, its
 * visibility) and where it stands (its links to the sessions before and
 * after it, its liveness) are kept across. Each function returns 1
 * applied, 0 refused (the summary says why), -1 database error; a command
 * that rewrote rows the tracker may hold sets reload.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ingest.h"
#include "track.h"
#include "cmd.h"
#include "db.h"

#define MAINT_MAX_FRAME	(17u << 20)	/* inflated frame */
#define MAINT_ID_MAX	64		/* cmd.c ARG_SESSION */
#define MAINT_T_MIN	(-1e18)
#define MAINT_T_MAX	1e18

/* All SQL of the maintenance commands; bindings are listed with each. */
enum msql {
	MS_SESSION,		/* id */
	MS_STATS,		/* id */
	MS_RAW_ARRIVAL,		/* id, from, to: frames in arrival order */
	MS_RAW_CAPTURE,		/* id, from, to: frames in capture order */
	MS_RAW_COUNT,		/* id, from, to */
	MS_RAW_MOVE,		/* id, to id, from, to */
	MS_RAW_DEL,		/* id */
	MS_SESSION_DEL,		/* id */
	MS_SESSION_EXISTS,	/* id */
	MS_KEEP,		/* id, prev, next, state, name, hidden, started_at */
	MS_RELINK_NEXT,		/* id, other: who led to id leads to other */
	MS_RELINK_PREV,		/* id, other: who followed id follows other */
	MS_SEQS_MOVE,		/* id, to id (NULL clears) */
	MS_TCLIENTS_MOVE,	/* id, to id (NULL clears) */
	MS_SEQS_FOLLOW,		/* id, to id: clients whose frames went to the new side */
	MS_TCLIENTS_FOLLOW,	/* id, to id */
	MS__MAX
};

static const char *const msql[MS__MAX] = {
	/* MS_SESSION */
	"SELECT sim, track, state, coalesce(prev_id, ''), coalesce(next_id, ''), name, hidden, "
	"started_at FROM sessions WHERE id = ?1",
	/* MS_STATS: frames, laps, pit stops, cars */
	"SELECT (SELECT count(*) FROM raw_frames WHERE session_id = ?1), "
	"(SELECT count(*) FROM laps l JOIN cars c ON c.id = l.car_id WHERE c.session_id = ?1 "
	"AND coalesce(l.source, '') <> 'missing'), "
	"(SELECT count(*) FROM pits p JOIN cars c ON c.id = p.car_id WHERE c.session_id = ?1 "
	"AND NOT p.garage), "
	"(SELECT count(*) FROM cars WHERE session_id = ?1)",
	/* MS_RAW_ARRIVAL */
	"SELECT client, seq, captured_at, received_at, source, body, sent_at FROM raw_frames "
	"WHERE session_id = ?1 AND coalesce(captured_at, received_at) >= ?2 AND "
	"coalesce(captured_at, received_at) < ?3 ORDER BY received_at, rowid",
	/* MS_RAW_CAPTURE */
	"SELECT client, seq, captured_at, received_at, source, body, sent_at FROM raw_frames "
	"WHERE session_id = ?1 AND coalesce(captured_at, received_at) >= ?2 AND "
	"coalesce(captured_at, received_at) < ?3 "
	"ORDER BY coalesce(captured_at, received_at), received_at, rowid",
	/* MS_RAW_COUNT */
	"SELECT count(*) FROM raw_frames WHERE session_id = ?1 AND "
	"coalesce(captured_at, received_at) >= ?2 AND coalesce(captured_at, received_at) < ?3",
	/* MS_RAW_MOVE */
	"UPDATE raw_frames SET session_id = ?2 WHERE session_id = ?1 AND "
	"coalesce(captured_at, received_at) >= ?3 AND coalesce(captured_at, received_at) < ?4",
	/* MS_RAW_DEL */
	"DELETE FROM raw_frames WHERE session_id = ?1",
	/* MS_SESSION_DEL: the derived rows cascade */
	"DELETE FROM sessions WHERE id = ?1",
	/* MS_SESSION_EXISTS */
	"SELECT 1 FROM sessions WHERE id = ?1",
	/* MS_KEEP */
	"UPDATE sessions SET prev_id = nullif(?2, ''), next_id = nullif(?3, ''), state = ?4, "
	"name = ?5, hidden = ?6, started_at = min(started_at, coalesce(?7, started_at)) "
	"WHERE id = ?1",
	/* MS_RELINK_NEXT */
	"UPDATE sessions SET next_id = nullif(?2, '') WHERE next_id = ?1",
	/* MS_RELINK_PREV */
	"UPDATE sessions SET prev_id = nullif(?2, '') WHERE prev_id = ?1",
	/* MS_SEQS_MOVE */
	"UPDATE client_seqs SET session_id = ?2 WHERE session_id = ?1",
	/* MS_TCLIENTS_MOVE */
	"UPDATE tracker_clients SET session_id = ?2 WHERE session_id = ?1",
	/* MS_SEQS_FOLLOW */
	"UPDATE client_seqs SET session_id = ?2 WHERE session_id = ?1 AND client IN "
	"(SELECT client FROM raw_frames WHERE session_id = ?2)",
	/* MS_TCLIENTS_FOLLOW */
	"UPDATE tracker_clients SET session_id = ?2 WHERE session_id = ?1 AND client IN "
	"(SELECT client FROM raw_frames WHERE session_id = ?2)",
};

/* What a session is and what a person gave it. */
struct msess {
	char		 id[MAINT_ID_MAX + 1];
	char		 sim[16], track[TRACK_NAME_MAX], state[16];
	char		 prev[MAINT_ID_MAX + 1], next[MAINT_ID_MAX + 1];
	char		 name[CMD_NAME_MAX + 1];
	int		 has_name, hidden;
	double		 started_at;
};

/* What a session holds, for the summaries. */
struct mstats {
	long long	 frames, laps, pits, cars;
};

/*
 * Prepares statement which with its bindings: fmt has one letter per
 * binding, s text (NULL binds NULL), d double, i integer. Returns the
 * statement (the caller finalizes it) or NULL.
 */
static sqlite3_stmt *
ms_prepare(struct cmd_ctx *x, enum msql which, const char *fmt, ...)
{
	sqlite3_stmt	*st;
	va_list		 ap;

	va_start(ap, fmt);
	st = command_stmtv(x, msql[which], fmt, ap);
	va_end(ap);
	return st;
}

/* Runs a statement that returns no row. Returns the rows changed, or -1. */
static int
ms_exec(struct cmd_ctx *x, sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = db_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_err("maint: %s", sqlite3_errmsg(x->db));
		return -1;
	}
	return sqlite3_changes(x->db);
}

/* The first column of a statement's first row as a number; -1 on error. */
static long long
ms_count(struct cmd_ctx *x, sqlite3_stmt *st)
{
	long long	 n = 0;
	int		 rc;

	if (st == NULL)
		return -1;
	if ((rc = db_step(st)) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		n = -1;
	sqlite3_finalize(st);
	if (n < 0)
		log_err("maint: %s", sqlite3_errmsg(x->db));
	return n;
}

static void
mcopy(char *dst, size_t sz, const unsigned char *src)
{
	snprintf(dst, sz, "%s", src != NULL ? (const char *)src : "");
}

/* Reads session id into m. Returns 1, 0 no such session, -1. */
static int
ms_session(struct cmd_ctx *x, const char *id, struct msess *m)
{
	sqlite3_stmt	*st = ms_prepare(x, MS_SESSION, "s", id);
	int		 rc;

	if (st == NULL)
		return -1;
	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "%s", id);
	if ((rc = db_step(st)) == SQLITE_ROW) {
		mcopy(m->sim, sizeof(m->sim), sqlite3_column_text(st, 0));
		mcopy(m->track, sizeof(m->track), sqlite3_column_text(st, 1));
		mcopy(m->state, sizeof(m->state), sqlite3_column_text(st, 2));
		mcopy(m->prev, sizeof(m->prev), sqlite3_column_text(st, 3));
		mcopy(m->next, sizeof(m->next), sqlite3_column_text(st, 4));
		m->has_name = sqlite3_column_type(st, 5) != SQLITE_NULL;
		mcopy(m->name, sizeof(m->name), sqlite3_column_text(st, 5));
		m->hidden = sqlite3_column_int(st, 6);
		m->started_at = sqlite3_column_double(st, 7);
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else {
		log_err("maint: %s", sqlite3_errmsg(x->db));
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Reads session id, or refuses: "there is no session ID". Returns 1, 0, -1. */
static int
ms_need(struct cmd_ctx *x, const char *id, struct msess *m)
{
	int rc = ms_session(x, id, m);

	if (rc == 0)
		buf_printf(&x->summary, "there is no session %s", id);
	return rc;
}

static int
ms_stats(struct cmd_ctx *x, const char *id, struct mstats *s)
{
	sqlite3_stmt	*st = ms_prepare(x, MS_STATS, "s", id);
	int		 rc;

	memset(s, 0, sizeof(*s));
	if (st == NULL)
		return -1;
	if ((rc = db_step(st)) == SQLITE_ROW) {
		s->frames = sqlite3_column_int64(st, 0);
		s->laps = sqlite3_column_int64(st, 1);
		s->pits = sqlite3_column_int64(st, 2);
		s->cars = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : -1;
}

/* "1 204 frames, 96 laps, 4 pit stops, 12 cars" appended to b. */
static void
stats_words(struct buf *b, const struct mstats *s)
{
	buf_printf(b, "%lld frame%s, %lld lap%s, %lld pit stop%s, %lld car%s", s->frames,
	    s->frames == 1 ? "" : "s", s->laps, s->laps == 1 ? "" : "s", s->pits,
	    s->pits == 1 ? "" : "s", s->cars, s->cars == 1 ? "" : "s");
}

/*
 * Applies one raw frame (the row of q: gzip of the frame JSON) to ig.
 * session receives the session it joined, or "". Returns ingest_frame's
 * result; a frame that cannot be read is skipped (0).
 */
static int
ms_frame(struct ingest *ig, sqlite3_stmt *q, char session[SESSION_ID_LEN + 1])
{
	struct buf	 json = { 0 };
	cJSON		*fr;
	struct frame	 f;
	const cJSON	*c, *name;
	int		 rc;

	session[0] = '\0';
	if (gz_inflate(sqlite3_column_blob(q, 5), (size_t)sqlite3_column_bytes(q, 5),
	    MAINT_MAX_FRAME, &json) != GZ_OK ||
	    (fr = cJSON_ParseWithLength(json.p, json.len)) == NULL) {
		buf_free(&json);
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.client = (const char *)sqlite3_column_text(q, 0);
	f.seq = sqlite3_column_int64(q, 1);
	f.received_at = sqlite3_column_double(q, 3);
	f.captured_at = sqlite3_column_type(q, 2) != SQLITE_NULL ? sqlite3_column_double(q, 2) :
	    f.received_at;
	f.source = (const char *)sqlite3_column_text(q, 4);
	f.sent_at = sqlite3_column_double(q, 6);
	c = cJSON_GetObjectItemCaseSensitive(fr, "client");
	name = cJSON_GetObjectItemCaseSensitive(c, "name");
	f.client_name = cJSON_IsString(name) ? name->valuestring : NULL;
	f.data = cJSON_GetObjectItemCaseSensitive(fr, "data");
	rc = cJSON_IsObject(f.data) ? ingest_frame(ig, &f, session) : 0;
	cJSON_Delete(fr);
	buf_free(&json);
	return rc;
}

/*
 * Derives one session from the raw frames of session src captured in
 * [from, to), in arrival order (reprocess) or capture order, with a fresh
 * tracker holding one session only. That session gets the id force, or
 * when force is NULL a new time-ordered id (track.c), written to made.
 * The derived rows of src must be gone already. Returns 1 (made holds the
 * id; "" when no frame joined a session), -1 database error.
 */
static int
ms_derive(struct cmd_ctx *x, const char *src, double from, double to, int capture,
    const char *force, char made[SESSION_ID_LEN + 1], long long *applied)
{
	struct ingest	*ig = NULL;
	struct track	*t;
	struct buf	 err = { 0 };
	sqlite3_stmt	*q = NULL, *seq;
	char		 session[SESSION_ID_LEN + 1];
	int		 rc;

	made[0] = '\0';
	*applied = 0;
	if (ingest_open_fresh(&ig, x->stmts, force, &err) < 0) {
		log_err("maint: %s", err.p);
		buf_free(&err);
		return -1;
	}
	t = ingest_tracker(ig);
	t->single = 1;
	if (force == NULL) {
		/* New ids go on numbering where the stored ones stopped, as resume does. */
		seq = stmt(x->stmts, STMT_R_ID_SEQ);
		if (db_step(seq) != SQLITE_ROW) {
			sqlite3_reset(seq);
			goto fail;
		}
		t->id_seq = strtoull((const char *)sqlite3_column_text(seq, 0), NULL, 16);
		sqlite3_reset(seq);
	}
	if ((q = ms_prepare(x, capture ? MS_RAW_CAPTURE : MS_RAW_ARRIVAL, "sdd", src, from,
	    to)) == NULL)
		goto fail;
	while ((rc = db_step(q)) == SQLITE_ROW) {
		if ((rc = ms_frame(ig, q, session)) < 0)
			goto fail;
		if (rc > 0) {
			(*applied)++;
			if (made[0] == '\0')
				snprintf(made, SESSION_ID_LEN + 1, "%s", session);
		}
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(q);
	ingest_close(ig);
	return 1;
fail:
	log_err("maint: deriving %s: %s", src, sqlite3_errmsg(x->db));
	sqlite3_finalize(q);
	ingest_close(ig);
	buf_free(&err);
	return -1;
}

/* Gives session m.id back what it had besides its derived rows. Returns 1 or -1. */
static int
ms_keep(struct cmd_ctx *x, const struct msess *m, const char *state, double started_at)
{
	sqlite3_stmt *st;

	if ((st = ms_prepare(x, MS_KEEP, "sssssid", m->id, m->prev, m->next, state,
	    m->has_name ? m->name : NULL, (long long)m->hidden, started_at)) == NULL)
		return -1;
	if (started_at <= 0)
		sqlite3_bind_null(st, 7);
	return ms_exec(x, st) < 0 ? -1 : 1;
}

/* Takes session id out of the chain of sessions: its neighbours join around it. */
static int
ms_unlink(struct cmd_ctx *x, const struct msess *m)
{
	if (ms_exec(x, ms_prepare(x, MS_RELINK_NEXT, "ss", m->id, m->next)) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_RELINK_PREV, "ss", m->id, m->prev)) < 0)
		return -1;
	return 1;
}

static int
ms_set_result(struct cmd_ctx *x, const char *id)
{
	cJSON_Delete(x->result);
	if ((x->result = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(x->result, "session", id) == NULL)
		return -1;
	return 1;
}

/* Which of two liveness states is more alive. */
static const char *
ms_livelier(const char *a, const char *b)
{
	if (strcmp(a, "live") == 0 || strcmp(b, "live") == 0)
		return "live";
	if (strcmp(a, "inactive") == 0 || strcmp(b, "inactive") == 0)
		return "inactive";
	return "closed";
}

/*
 * session.reprocess {session}: the session again from its raw frames,
 * under its id, with its name, visibility, links and liveness.
 */
int
maint_reprocess(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*id = cmd_str(c, "session");
	struct msess	 m;
	struct mstats	 before, after;
	char		 made[SESSION_ID_LEN + 1];
	long long	 n, applied;
	int		 rc;

	snprintf(x->target, sizeof(x->target), "%s", id);
	if ((rc = ms_need(x, id, &m)) <= 0)
		return rc;
	if (strlen(id) != SESSION_ID_LEN) {
		buf_printf(&x->summary, "session %s has no id the tracker can give again", id);
		return 0;
	}
	if ((n = ms_count(x, ms_prepare(x, MS_RAW_COUNT, "sdd", id, MAINT_T_MIN,
	    MAINT_T_MAX))) < 0)
		return -1;
	if (n == 0) {
		buf_printf(&x->summary, "session %s has no raw frames to reprocess", id);
		return 0;
	}
	if (ms_stats(x, id, &before) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_SESSION_DEL, "s", id)) < 0 ||
	    ms_derive(x, id, MAINT_T_MIN, MAINT_T_MAX, 0, id, made, &applied) < 0)
		return -1;
	if (strcmp(made, id) != 0) {
		buf_printf(&x->summary, "none of the %lld raw frames of session %s belongs to a "
		    "session any more", n, id);
		return 0;
	}
	if (ms_keep(x, &m, m.state, 0) < 0 || ms_stats(x, id, &after) < 0)
		return -1;
	x->reload = 1;
	buf_printf(&x->summary, "reprocessed session %s: %lld frames re-derived (%lld joined "
	    "it); before: ", id, n, applied);
	stats_words(&x->summary, &before);
	buf_printf(&x->summary, "; now: ");
	stats_words(&x->summary, &after);
	return 1;
}

/*
 * session.delete {session}: the session, its derived rows and its raw
 * frames; the sessions before and after it are linked to each other.
 */
int
maint_delete(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*id = cmd_str(c, "session");
	struct msess	 m;
	struct mstats	 s;
	int		 rc;

	snprintf(x->target, sizeof(x->target), "%s", id);
	if ((rc = ms_need(x, id, &m)) <= 0)
		return rc;
	if (ms_stats(x, id, &s) < 0 || ms_unlink(x, &m) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_RAW_DEL, "s", id)) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_SESSION_DEL, "s", id)) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_SEQS_MOVE, "ss", id, NULL)) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_TCLIENTS_MOVE, "ss", id, NULL)) < 0)
		return -1;
	if (strcmp(m.state, "closed") != 0)
		x->reload = 1;
	buf_printf(&x->summary, "deleted session %s (%s, %s): ", id, m.sim, m.track);
	stats_words(&x->summary, &s);
	return 1;
}

/*
 * session.merge {session, into}: session's frames join into's; session
 * goes and into is derived again from all of them in capture order. into
 * keeps its id, name and visibility, the earlier start, and is live when
 * either was.
 */
int
maint_merge(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*id = cmd_str(c, "session"), *into = cmd_str(c, "into");
	struct msess	 a, b;
	struct mstats	 sa, sb, after;
	char		 made[SESSION_ID_LEN + 1], state[16];
	long long	 applied;
	double		 start;
	int		 rc;

	snprintf(x->target, sizeof(x->target), "%s", into);
	if (strcmp(id, into) == 0) {
		buf_printf(&x->summary, "a session cannot be merged into itself");
		return 0;
	}
	if ((rc = ms_need(x, id, &a)) <= 0 || (rc = ms_need(x, into, &b)) <= 0)
		return rc;
	if (strcmp(a.sim, b.sim) != 0 || strcmp(a.track, b.track) != 0) {
		buf_printf(&x->summary, "session %s (%s, %s) and session %s (%s, %s) are not of the "
		    "same sim and track", id, a.sim, a.track, into, b.sim, b.track);
		return 0;
	}
	if (strlen(into) != SESSION_ID_LEN) {
		buf_printf(&x->summary, "session %s has no id the tracker can give again", into);
		return 0;
	}
	if (ms_stats(x, id, &sa) < 0 || ms_stats(x, into, &sb) < 0)
		return -1;
	if (sa.frames + sb.frames == 0) {
		buf_printf(&x->summary, "sessions %s and %s have no raw frames to merge", id, into);
		return 0;
	}
	start = a.started_at < b.started_at ? a.started_at : b.started_at;
	snprintf(state, sizeof(state), "%s", ms_livelier(a.state, b.state));
	/* session leaves the chain; into's links may have gone through it */
	if (ms_unlink(x, &a) < 0 || ms_session(x, into, &b) <= 0)
		return -1;
	if (ms_exec(x, ms_prepare(x, MS_RAW_MOVE, "ssdd", id, into, MAINT_T_MIN,
	    MAINT_T_MAX)) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_SEQS_MOVE, "ss", id, into)) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_TCLIENTS_MOVE, "ss", id, into)) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_SESSION_DEL, "s", id)) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_SESSION_DEL, "s", into)) < 0 ||
	    ms_derive(x, into, MAINT_T_MIN, MAINT_T_MAX, 1, into, made, &applied) < 0)
		return -1;
	if (strcmp(made, into) != 0) {
		buf_printf(&x->summary, "none of the frames of sessions %s and %s belongs to a "
		    "session any more", id, into);
		return 0;
	}
	if (ms_keep(x, &b, state, start) < 0 || ms_stats(x, into, &after) < 0 ||
	    ms_set_result(x, into) < 0)
		return -1;
	x->reload = 1;
	buf_printf(&x->summary, "merged session %s (", id);
	stats_words(&x->summary, &sa);
	buf_printf(&x->summary, ") into %s (", into);
	stats_words(&x->summary, &sb);
	buf_printf(&x->summary, "): now ");
	stats_words(&x->summary, &after);
	return 1;
}

/*
 * session.split {session, at}: the frames captured at or after at go to a
 * new session, after the old one in the chain; both are derived again.
 */
int
maint_split(struct cmd_ctx *x, const struct cmd *c)
{
	const char	*id = cmd_str(c, "session");
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(c->args, "at");
	struct msess	 m, n;
	struct mstats	 before, s1, s2;
	char		 made[SESSION_ID_LEN + 1], fresh[SESSION_ID_LEN + 1], t[32];
	long long	 early, late, applied;
	double		 at = cJSON_IsNumber(v) ? v->valuedouble : 0;
	int		 rc;

	snprintf(x->target, sizeof(x->target), "%s", id);
	if ((rc = ms_need(x, id, &m)) <= 0)
		return rc;
	if (strlen(id) != SESSION_ID_LEN) {
		buf_printf(&x->summary, "session %s has no id the tracker can give again", id);
		return 0;
	}
	time_iso(at, t);
	if ((early = ms_count(x, ms_prepare(x, MS_RAW_COUNT, "sdd", id, MAINT_T_MIN, at))) < 0 ||
	    (late = ms_count(x, ms_prepare(x, MS_RAW_COUNT, "sdd", id, at, MAINT_T_MAX))) < 0)
		return -1;
	if (early == 0 || late == 0) {
		buf_printf(&x->summary, "splitting session %s at %s leaves no frame %s it", id, t,
		    early == 0 ? "before" : "at or after");
		return 0;
	}
	if (ms_stats(x, id, &before) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_SESSION_DEL, "s", id)) < 0 ||
	    ms_derive(x, id, MAINT_T_MIN, at, 1, id, made, &applied) < 0)
		return -1;
	if (strcmp(made, id) != 0) {
		buf_printf(&x->summary, "no frame of session %s before %s belongs to a session", id, t);
		return 0;
	}
	if (ms_derive(x, id, at, MAINT_T_MAX, 1, NULL, fresh, &applied) < 0)
		return -1;
	if (fresh[0] == '\0') {
		buf_printf(&x->summary, "no frame of session %s at or after %s belongs to a session",
		    id, t);
		return 0;
	}
	if (ms_exec(x, ms_prepare(x, MS_RAW_MOVE, "ssdd", id, fresh, at, MAINT_T_MAX)) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_SEQS_FOLLOW, "ss", id, fresh)) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_TCLIENTS_FOLLOW, "ss", id, fresh)) < 0)
		return -1;
	/*
	 * The new session comes after the old one and takes over its
	 * successor; the old one has ended (its clients went on in the new).
	 */
	n = m;
	snprintf(n.id, sizeof(n.id), "%s", fresh);
	snprintf(n.prev, sizeof(n.prev), "%s", id);
	n.has_name = 0;
	n.name[0] = '\0';
	snprintf(m.next, sizeof(m.next), "%s", fresh);
	if (ms_keep(x, &m, "closed", 0) < 0 ||
	    ms_exec(x, ms_prepare(x, MS_RELINK_PREV, "ss", id, fresh)) < 0 ||
	    ms_keep(x, &n, n.state, 0) < 0 ||
	    ms_stats(x, id, &s1) < 0 || ms_stats(x, fresh, &s2) < 0 || ms_set_result(x, fresh) < 0)
		return -1;
	x->reload = 1;
	buf_printf(&x->summary, "split session %s at %s (", id, t);
	stats_words(&x->summary, &before);
	buf_printf(&x->summary, "): %s keeps ", id);
	stats_words(&x->summary, &s1);
	buf_printf(&x->summary, "; the new session %s has ", fresh);
	stats_words(&x->summary, &s2);
	return 1;
}
