/*
 * The inbox loop: frames in the order they arrived, each applied once, in
 * transactions of up to `batch` frames. The same transaction stores the raw
 * frame and moves the worker's position in the inbox segment, and a frame
 * whose (client, seq) the database already holds is skipped, so a crash at
 * any point loses and duplicates nothing. Segments are removed only after
 * the transaction that finished them committed.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest.h"
#include "cmd.h"
#include "db.h"
#include "notify.h"

/*
 * Opens the database (migrating it), prepares statements and the tracking
 * state. Returns 1, or 0 with a message in err.
 */
int
worker_open(struct worker *w, const char *db_path, const char *inbox, struct buf *err)
{
	memset(w, 0, sizeof(*w));
	w->inbox = inbox;
	w->batch = 200;
	w->note = -1;
	if (inbox_reader_open(&w->reader, inbox) < 0) {
		buf_printf(err, "inbox %s: %s", inbox, strerror(errno));
		goto fail;
	}
	if (!db_open(&w->db, db_path, DB_RW, err) || !db_migrate(w->db, err))
		goto fail;
	if (!stmts_prepare(&w->stmts, w->db, err))
		goto fail;
	if (!db_exec(w->db, "BEGIN IMMEDIATE", err))
		goto fail;
	if (ingest_open(&w->ing, &w->stmts, err) <= 0) {
		db_exec(w->db, "ROLLBACK", NULL);
		goto fail;
	}
	if (!db_exec(w->db, "COMMIT", err))
		goto fail;
	return 1;
fail:
	worker_close(w);
	return 0;
}

void
worker_close(struct worker *w)
{
	ingest_close(w->ing);
	w->ing = NULL;
	stmts_finalize(&w->stmts);
	db_close(w->db);
	w->db = NULL;
	inbox_reader_free(w->reader);
	w->reader = NULL;
	if (w->note >= 0)
		close(w->note);
	w->note = -1;
}

static const char *
json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
json_num(const cJSON *o, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/*
 * Whether frame (client, seq) uploaded with token may be applied after what
 * the database holds for its client. Frames of a client are applied in seq
 * order, so one at or below its highest applied seq is a duplicate; a client
 * id belongs to the token that first used it (trackside client rebind moves
 * it). token 0 is a frame stored without one. Returns 1 apply, 2 duplicate,
 * 0 the client id belongs to another token, -1 database error.
 */
static int
worker_seq_check(struct worker *w, const char *client, long long seq, long long token)
{
	sqlite3_stmt	*st = stmt(&w->stmts, STMT_SEQ_GET);
	int		 rc;

	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (token > 0 && sqlite3_column_type(st, 1) != SQLITE_NULL &&
		    sqlite3_column_int64(st, 1) != token) {
			log_err("frame %s/%lld came with token %lld; the client id belongs to token %lld",
			    client, seq, token, (long long)sqlite3_column_int64(st, 1));
			rc = 0;
		} else
			rc = seq <= sqlite3_column_int64(st, 0) ? 2 : 1;
	} else
		rc = rc == SQLITE_DONE ? 1 : -1;
	sqlite3_reset(st);
	return rc;
}

/*
 * Applies one inbox record ("<header JSON>\n<frame JSON>") inside the
 * caller's transaction. store_raw also keeps the frame (gzip) and advances
 * the client's seq. Returns 1 applied, 2 duplicate, 0 rejected (malformed;
 * logged), -1 database error (the caller rolls back).
 */
int
worker_apply(struct worker *w, const char *rec, size_t len, const char *client,
    long long seq, int store_raw)
{
	const char	*nl = memchr(rec, '\n', len);
	cJSON		*hdr = NULL, *fr = NULL;
	struct frame	 f;
	sqlite3_stmt	*st;
	struct buf	 gz = { 0 };
	char		 session[SESSION_ID_LEN + 1] = "";
	const char	*addr;
	int		 rc;

	if (store_raw) {
		st = stmt(&w->stmts, STMT_RAW_EXISTS);
		sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, seq);
		if ((rc = db_step(st)) == SQLITE_ROW) {
			sqlite3_reset(st);
			return 2;
		}
		if (rc != SQLITE_DONE)
			return -1;
	}
	if (nl == NULL || (hdr = cJSON_ParseWithLength(rec, (size_t)(nl - rec))) == NULL ||
	    (fr = cJSON_ParseWithLength(nl + 1, len - (size_t)(nl - rec) - 1)) == NULL) {
		log_err("frame %s/%lld is malformed; set aside", client, seq);
		cJSON_Delete(hdr);
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.client = client;
	f.seq = seq;
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(fr, "client");
	f.client_name = json_str(c, "name");
	f.client_version = json_str(c, "version");
	if (!num_to_ll(json_num(hdr, "token", 0), 0, LLONG_MAX, &f.token))
		f.token = 0;
	f.received_at = json_num(hdr, "received_at", time_now());
	f.sent_at = json_num(hdr, "sent_at", 0);
	f.source = json_str(fr, "source");
	f.data = cJSON_GetObjectItemCaseSensitive(fr, "data");
	const char *cap = json_str(fr, "captured_at");
	if (cap == NULL || !time_iso_parse(cap, &f.captured_at))
		f.captured_at = f.received_at;
	if (f.source == NULL || !cJSON_IsObject(f.data)) {
		log_err("frame %s/%lld has no source or data; set aside", client, seq);
		rc = 0;
		goto out;
	}
	if (store_raw && (rc = worker_seq_check(w, client, seq, f.token)) != 1)
		goto out;
	if ((rc = ingest_frame(w->ing, &f, session)) < 0)
		goto out;
	if (store_raw) {
		if (gz_deflate(nl + 1, len - (size_t)(nl - rec) - 1, 1, &gz) < 0) {
			rc = -1;
			goto out;
		}
		st = stmt(&w->stmts, STMT_RAW_PUT);
		if (session[0])
			sqlite3_bind_text(st, 1, session, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, client, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, seq);
		sqlite3_bind_double(st, 4, f.captured_at);
		sqlite3_bind_double(st, 5, f.received_at);
		sqlite3_bind_text(st, 6, f.source, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 7, gz.p, (int)gz.len, SQLITE_STATIC);
		if (f.sent_at > 0)
			sqlite3_bind_double(st, 8, f.sent_at);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = -1;
			goto out;
		}
		st = stmt(&w->stmts, STMT_SEQ_PUT);
		sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
		if (f.client_name)
			sqlite3_bind_text(st, 2, f.client_name, -1, SQLITE_STATIC);
		if (f.client_version)
			sqlite3_bind_text(st, 3, f.client_version, -1, SQLITE_STATIC);
		if (f.token > 0)
			sqlite3_bind_int64(st, 4, f.token);
		sqlite3_bind_int64(st, 5, seq);
		sqlite3_bind_double(st, 6, f.received_at);
		if (session[0])
			sqlite3_bind_text(st, 7, session, -1, SQLITE_STATIC);
		if ((addr = json_str(hdr, "addr")) != NULL)
			sqlite3_bind_text(st, 8, addr, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = -1;
			goto out;
		}
	}
	rc = 1;
out:
	buf_free(&gz);
	cJSON_Delete(hdr);
	cJSON_Delete(fr);
	return rc;
}

/*
 * Applies an admin command record ("<header JSON>\n<command JSON>") inside
 * the caller's transaction. Returns 1 applied or refused (both recorded in
 * admin_log), 2 applied before, 0 malformed, -1 database error.
 */
static int
worker_command(struct worker *w, const char *rec, size_t len)
{
	const char	*nl = memchr(rec, '\n', len);
	struct cmd	 c;
	struct cmd_ctx	 x;
	struct buf	 err = { 0 };
	int		 rc;

	if (nl == NULL || (rc = cmd_parse(&c, nl + 1, len - (size_t)(nl + 1 - rec), &err)) == 0) {
		log_err("command %s", err.len ? err.p : "without a header");
		buf_free(&err);
		return 0;
	}
	if (rc < 0)
		return -1;
	memset(&x, 0, sizeof(x));
	x.db = w->db;
	x.stmts = &w->stmts;
	x.inbox = w->inbox;
	if ((rc = command_apply(&x, &c)) == 1) {
		w->cmd_reload |= x.reload;
		w->resync |= x.resync || x.reload;
		log_info("command %s by %s: %s", cmd_names[c.kind], c.by, x.summary.len ? x.summary.p : "");
	}
	command_ctx_free(&x);
	cmd_free(&c);
	return rc;
}

/*
 * Keeps a frame that cannot be applied in <inbox>/rejected/, where it stays
 * for a person to look at (trackside inbox set-aside lists them), and counts
 * it (set_aside in ingest_counters) inside the caller's transaction. why
 * goes to the log. Returns 1 or -1.
 */
static int
worker_reject(struct worker *w, const struct inbox_rec *r, const char *why)
{
	char		 dir[PATH_MAX], name[160];
	sqlite3_stmt	*st = stmt(&w->stmts, STMT_COUNTER_ADD);

	snprintf(dir, sizeof(dir), "%s/rejected", w->inbox);
	snprintf(name, sizeof(name), "%s.%lld", r->seg, r->off);
	if (mkdir_p(dir, 0755) < 0 || file_write_durable(dir, name, r->body, r->len) < 0) {
		log_err("cannot set %s aside: %s", name, strerror(errno));
		return -1;
	}
	sqlite3_bind_text(st, 1, "set_aside", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, 1);
	if (sqlite3_step(st) != SQLITE_DONE)
		return -1;
	log_err("frame %s/%lld %s: set aside in %s/%s", r->client, r->seq, why, dir, name);
	w->rejected++;
	return 1;
}

/* Where the worker stands in segment seg (0 when it never read it). */
static long long
worker_pos(void *arg, const char *seg)
{
	struct worker	*w = arg;
	sqlite3_stmt	*st = stmt(&w->stmts, STMT_POS_GET);
	int		 rc;

	sqlite3_bind_text(st, 1, seg, -1, SQLITE_STATIC);
	if ((rc = db_step(st)) == SQLITE_ROW) {
		long long off = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return off;
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
worker_pos_put(struct worker *w, const char *seg, long long off)
{
	sqlite3_stmt *st = stmt(&w->stmts, STMT_POS_PUT);

	sqlite3_bind_text(st, 1, seg, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, off);
	return sqlite3_step(st) == SQLITE_DONE ? 1 : -1;
}

/*
 * Whether the last failure of the database was the environment's (busy,
 * locked, full, I/O, out of memory) rather than the frame's: then the frame
 * is retried, never set aside.
 */
static int
worker_transient(struct worker *w)
{
	switch (sqlite3_errcode(w->db) & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PROTOCOL:
	case SQLITE_NOMEM:
		return 1;
	default:
		return 0;
	}
}

/* Ends a transaction: commits (commit) or rolls back, and tells the hook. */
static int
worker_end(struct worker *w, int commit, struct buf *err)
{
	if (commit && db_exec(w->db, "COMMIT", err)) {
		w->commits++;
		notify_end(1);
		if (w->on_end != NULL)
			w->on_end(w->hook_arg, 1);
		return 1;
	}
	db_exec(w->db, "ROLLBACK", NULL);
	notify_end(0);
	if (w->on_end != NULL)
		w->on_end(w->hook_arg, 0);
	return -1;
}

/*
 * Drops the tracking state and loads it again from what the database holds,
 * after a rollback left it ahead of the database. Returns 1 or -1 (w->ing
 * is then NULL, and the next drain tries again).
 */
static int
worker_reload(struct worker *w)
{
	struct buf err = { 0 };

	ingest_close(w->ing);
	w->ing = NULL;
	if (!db_exec(w->db, "BEGIN IMMEDIATE", &err))
		goto fail;
	if (ingest_open(&w->ing, &w->stmts, &err) <= 0) {
		db_exec(w->db, "ROLLBACK", NULL);
		goto fail;
	}
	if (!db_exec(w->db, "COMMIT", &err))
		goto fail;
	ingest_hook(w->ing, w->on_change, w->hook_arg);
	buf_free(&err);
	return 1;
fail:
	log_err("reloading the tracking state: %s", err.len ? err.p : "out of memory");
	ingest_close(w->ing);
	w->ing = NULL;
	buf_free(&err);
	return -1;
}

/* Whether rec is the frame two runs in a row crashed on. */
static int
worker_is_poison(const struct worker *w, const struct inbox_rec *rec)
{
	return w->has_suspect && w->suspect.strikes >= 2 && w->suspect.off == rec->off &&
	    strcmp(w->suspect.seg, rec->seg) == 0;
}

/* Notes that rec is in flight (see inbox_note_write). */
static void
worker_note(struct worker *w, const struct inbox_rec *rec)
{
	struct inbox_note n;

	if (w->note < 0)
		return;
	memset(&n, 0, sizeof(n));
	n.strikes = w->has_suspect && w->suspect.off == rec->off &&
	    strcmp(w->suspect.seg, rec->seg) == 0 ? w->suspect.strikes : 0;
	snprintf(n.seg, sizeof(n.seg), "%s", rec->seg);
	n.off = rec->off;
	snprintf(n.client, sizeof(n.client), "%s", rec->client);
	n.seq = rec->seq;
	if (inbox_note_write(w->note, &n) < 0)
		log_err("inbox: cannot write the in-flight note: %s", strerror(errno));
}

/* Nothing in flight any more; the suspect is gone once its batch ended. */
static void
worker_note_clear(struct worker *w)
{
	if (w->note >= 0 && inbox_note_clear(w->note) < 0)
		log_err("inbox: cannot clear the in-flight note: %s", strerror(errno));
}

/* Forgets the positions of the segments the reader finished. Returns 1 or -1. */
static int
worker_forget_done(struct worker *w)
{
	for (size_t i = 0; i < w->reader->ndone; i++) {
		sqlite3_stmt *st = stmt(&w->stmts, STMT_POS_DEL);
		sqlite3_bind_text(st, 1, w->reader->done[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
	}
	return 1;
}

/* Removes the finished segments, once the transaction that forgot them committed. */
static void
worker_remove_done(struct worker *w)
{
	for (size_t i = 0; i < w->reader->ndone; i++)
		if (inbox_remove(w->inbox, w->reader->done[i]) < 0)
			log_err("inbox: cannot remove %s: %s", w->reader->done[i], strerror(errno));
}

/*
 * Applies records [from, to) of the reader in one transaction; with finish,
 * also forgets the segments the reader finished. A record that cannot be
 * applied because it is malformed, or is the frame earlier runs crashed on,
 * is set aside in the same transaction. Returns 1 committed, 0 a frame
 * failed (rolled back; *bad is its index), -1 the database failed (rolled
 * back; retry later).
 */
static int
worker_batch(struct worker *w, size_t from, size_t to, int finish, size_t *bad)
{
	struct inbox_reader	*r = w->reader;
	struct buf		 err = { 0 };
	long long		 applied = 0, dups = 0;
	int			 rc;

	if (!db_exec(w->db, "BEGIN IMMEDIATE", &err)) {
		log_err("database: %s", err.p);
		buf_free(&err);
		return -1;
	}
	for (size_t i = from; i < to; i++) {
		struct inbox_rec *rec = &r->recs[i];
		const char *why = "is malformed";
		if (worker_is_poison(w, rec)) {
			why = "crashed the worker twice";
			rc = 0;
		} else if (rec->bad)
			rc = 0;
		else {
			worker_note(w, rec);
			rc = w->fault != NULL ? w->fault(rec->client, rec->seq) : 1;
			if (rc >= 0 && strcmp(rec->client, CMD_CLIENT) == 0)
				rc = worker_command(w, rec->body, rec->len);
			else if (rc >= 0)
				rc = worker_apply(w, rec->body, rec->len, rec->client, rec->seq, 1);
		}
		if (rc < 0) {
			/* The caller finds out whether the frame fails alone. */
			*bad = i;
			rc = worker_transient(w) ? -1 : 0;
			if (rc < 0)
				log_err("database: %s", sqlite3_errmsg(w->db));
			goto rollback;
		}
		if (rc == 0 && worker_reject(w, rec, why) < 0) {
			rc = -1;
			goto rollback;	/* nothing is dropped unseen */
		}
		applied += rc == 1;
		dups += rc == 2;
		/* The position of each segment after its last record of the batch. */
		if ((i + 1 == to || strcmp(r->recs[i + 1].seg, rec->seg) != 0) &&
		    worker_pos_put(w, rec->seg, rec->end) < 0) {
			rc = -1;
			goto rollback;
		}
	}
	if (finish && worker_forget_done(w) < 0) {
		rc = -1;
		goto rollback;
	}
	if (worker_end(w, 1, &err) < 0) {
		log_err("database: %s", err.p);
		worker_note_clear(w);
		buf_free(&err);
		return -1;
	}
	worker_note_clear(w);
	w->applied += applied;
	w->duplicates += dups;
	/* A command that rewrote sessions: the tracker must not run on stale rows. */
	if (w->cmd_reload) {
		w->cmd_reload = 0;
		if (worker_reload(w) < 0)
			log_err("the tracking state is loaded again at the next frame");
	}
	for (size_t i = from; i < to && w->has_suspect; i++)
		if (w->suspect.off == r->recs[i].off && strcmp(w->suspect.seg, r->recs[i].seg) == 0)
			w->has_suspect = 0;
	if (finish)
		worker_remove_done(w);
	buf_free(&err);
	return 1;
rollback:
	worker_end(w, 0, NULL);
	worker_note_clear(w);
	w->cmd_reload = 0;	/* the caller reloads after any rollback */
	buf_free(&err);
	return rc;
}

/*
 * Sets record i aside alone, in its own transaction (with finish, the
 * finished segments are forgotten too): kept in rejected/, counted, and
 * the worker moves past it. Returns 1 or -1.
 */
static int
worker_set_aside(struct worker *w, size_t i, int finish)
{
	struct inbox_rec	*rec = &w->reader->recs[i];
	struct buf		 err = { 0 };
	int			 ok;

	if (!db_exec(w->db, "BEGIN IMMEDIATE", &err)) {
		log_err("database: %s", err.p);
		buf_free(&err);
		return -1;
	}
	ok = worker_reject(w, rec, "cannot be applied") > 0 &&
	    worker_pos_put(w, rec->seg, rec->end) > 0 && (!finish || worker_forget_done(w) > 0);
	if (!ok || worker_end(w, 1, &err) < 0) {
		if (!ok)
			worker_end(w, 0, NULL);
		log_err("frame %s/%lld cannot be set aside: %s", rec->client, rec->seq,
		    err.len ? err.p : sqlite3_errmsg(w->db));
		buf_free(&err);
		return -1;
	}
	if (finish)
		worker_remove_done(w);
	buf_free(&err);
	return 1;
}

/*
 * A batch failed on a frame: applies the reader's records [from, n) one
 * frame per transaction, from tracking state reloaded after each failure,
 * and sets aside each frame that fails alone. Returns 1, or -1 when the
 * database failed (what committed stays; the rest is retried later).
 */
static int
worker_isolate(struct worker *w, size_t from, size_t n, int finish_last)
{
	size_t bad;

	for (size_t i = from; i < n; i++) {
		int finish = finish_last && i + 1 == n, rc;
		if (w->ing == NULL && worker_reload(w) < 0)
			return -1;
		if ((rc = worker_batch(w, i, i + 1, finish, &bad)) > 0)
			continue;
		if (worker_reload(w) < 0 || rc < 0)
			return -1;
		if (worker_set_aside(w, i, finish) < 0)
			return -1;
	}
	return 1;
}

/*
 * Applies up to one batch of waiting frames in one transaction. A frame
 * that cannot be applied is set aside and the others go on (see
 * worker_isolate). Sets *more when frames may still be waiting. Returns the
 * number of frames taken from the inbox, or -1 (the frames that did not
 * commit stay for the next call).
 */
int
worker_drain(struct worker *w, int *more)
{
	struct inbox_reader	*r = w->reader;
	size_t			 bad = 0, to;
	int			 n, rc, finish;

	*more = 0;
	if (w->ing == NULL && worker_reload(w) < 0)
		return -1;
	if ((n = inbox_read(r, worker_pos, w, w->batch, 32u << 20)) < 0) {
		log_err("inbox %s: %s", w->inbox, strerror(errno));
		return -1;
	}
	if (n == 0 && r->ndone == 0)
		return 0;
	/* An admin command is a transaction of its own, between the frames. */
	for (to = 0; to < (size_t)n && strcmp(r->recs[to].client, CMD_CLIENT) != 0; to++)
		;
	if (to == 0 && n > 0)
		to = 1;
	finish = to == (size_t)n;
	rc = worker_batch(w, 0, to, finish, &bad);
	if (rc <= 0) {
		/* The tracking state went ahead of what rolled back. */
		if (worker_reload(w) < 0 || rc < 0)
			return -1;
		/* The frames before the failing one were fine: one transaction. */
		if (bad > 0 && worker_batch(w, 0, bad, 0, &bad) <= 0) {
			worker_reload(w);
			return -1;
		}
		if (worker_isolate(w, bad, to, finish) < 0)
			return -1;
	}
	*more = !finish || (size_t)n >= w->batch;
	return (int)to;
}

/*
 * Sets the hooks of the live events: on_change sees every change of the
 * tracking side, on_end the end of each transaction (committed or not).
 */
void
worker_hook(struct worker *w, void (*on_change)(void *, const struct change *),
    void (*on_end)(void *, int committed), void *arg)
{
	w->on_change = on_change;
	w->on_end = on_end;
	w->hook_arg = arg;
	if (w->ing != NULL)
		ingest_hook(w->ing, on_change, arg);
}

/*
 * At start-up: opens the in-flight note and reads what the previous run
 * left. A frame it crashed on gets a strike; the frame of two runs in a
 * row that crashed is set aside when it comes (a run that was killed,
 * not crashed, adds no strike). Returns 1 or -1.
 */
int
worker_recover(struct worker *w)
{
	struct inbox_note n;

	if ((w->note = inbox_note_open(w->inbox)) < 0) {
		log_err("inbox: in-flight note: %s", strerror(errno));
		return -1;
	}
	if (inbox_note_read(w->note, &n) <= 0)
		return 1;
	if (n.state == 'C')
		n.strikes++;
	if (n.strikes > 0) {
		w->suspect = n;
		w->has_suspect = 1;
		log_err("frame %s/%lld (%s.%lld) was being applied when the worker crashed "
		    "(%d time%s in a row)%s", n.client, n.seq, n.seg, n.off, n.strikes,
		    n.strikes == 1 ? "" : "s", n.strikes >= 2 ? ": it is set aside" : "");
	} else
		log_warn("frame %s/%lld was being applied when the worker stopped; applying it again",
		    n.client, n.seq);
	return 1;
}

static int worker_signal_note = -1;

static void
worker_on_fatal(int sig)
{
	inbox_note_crashed(worker_signal_note);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The sanitizers' runtime, when linked: reports end the process without a signal. */
void	__sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

static void
worker_on_death(void)
{
	inbox_note_crashed(worker_signal_note);
}

/*
 * A crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, or a sanitizer's
 * report) marks the frame in flight as the one the run crashed on; see
 * worker_recover().
 */
void
worker_fatal_signals(struct worker *w)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;

	worker_signal_note = w->note;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_fatal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(worker_on_death);
}

/*
 * Lets the tracking side close or park sessions without frames. Returns 1
 * or -1.
 */
int
worker_tick(struct worker *w, double now)
{
	int rc;

	if (w->ing == NULL || !db_exec(w->db, "BEGIN IMMEDIATE", NULL))
		return -1;
	if (ingest_tick(w->ing, now) < 0) {
		db_exec(w->db, "ROLLBACK", NULL);
		notify_end(0);
		return -1;
	}
	rc = db_exec(w->db, "COMMIT", NULL) ? 1 : -1;
	notify_end(rc > 0);
	return rc;
}
