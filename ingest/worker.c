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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "db.h"

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
	int		 rc;

	if (store_raw) {
		st = stmt(&w->stmts, STMT_RAW_EXISTS);
		sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, seq);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			return 2;
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
	f.token = (long long)json_num(hdr, "token", 0);
	f.received_at = json_num(hdr, "received_at", time_now());
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
 * Keeps a frame that cannot be applied in <inbox>/rejected/, where it stays
 * for a person to look at. Returns 1 or -1.
 */
static int
worker_reject(struct worker *w, const struct inbox_rec *r)
{
	char dir[PATH_MAX], name[160];

	snprintf(dir, sizeof(dir), "%s/rejected", w->inbox);
	snprintf(name, sizeof(name), "%s.%lld", r->seg, r->off);
	if (mkdir_p(dir, 0755) < 0 || file_write_durable(dir, name, r->body, r->len) < 0) {
		log_err("cannot set %s aside: %s", name, strerror(errno));
		return -1;
	}
	log_err("frame %s/%lld (%s) set aside in %s/%s", r->client, r->seq, name, dir, name);
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
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		return sqlite3_column_int64(st, 0);
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
 * Applies up to one batch of waiting frames in one transaction. Sets *more
 * when frames may still be waiting. Returns the number of frames taken from
 * the inbox, or -1 (nothing was committed; the frames stay).
 */
int
worker_drain(struct worker *w, int *more)
{
	struct inbox_reader	*r = w->reader;
	struct buf		 err = { 0 };
	int			 n, rc;
	long long		 applied = 0, dups = 0;

	*more = 0;
	if ((n = inbox_read(r, worker_pos, w, w->batch, 32u << 20)) < 0) {
		log_err("inbox %s: %s", w->inbox, strerror(errno));
		return -1;
	}
	if (n == 0 && r->ndone == 0)
		return 0;
	if (!db_exec(w->db, "BEGIN IMMEDIATE", &err))
		goto fail;
	for (int i = 0; i < n; i++) {
		struct inbox_rec *rec = &r->recs[i];
		rc = rec->bad ? 0 : worker_apply(w, rec->body, rec->len, rec->client, rec->seq, 1);
		if (rc < 0) {
			log_err("database: %s", sqlite3_errmsg(w->db));
			goto rollback;
		}
		if (rc == 0 && worker_reject(w, rec) < 0)
			goto rollback;	/* nothing is dropped unseen */
		applied += rc == 1;
		dups += rc == 2;
		/* The position of each segment after its last record of the batch. */
		if ((i + 1 == n || strcmp(r->recs[i + 1].seg, rec->seg) != 0) &&
		    worker_pos_put(w, rec->seg, rec->end) < 0)
			goto rollback;
	}
	for (size_t i = 0; i < r->ndone; i++) {
		sqlite3_stmt *st = stmt(&w->stmts, STMT_POS_DEL);
		sqlite3_bind_text(st, 1, r->done[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto rollback;
	}
	if (!db_exec(w->db, "COMMIT", &err))
		goto rollback;
	w->commits++;
	w->applied += applied;
	w->duplicates += dups;
	for (size_t i = 0; i < r->ndone; i++)
		if (inbox_remove(w->inbox, r->done[i]) < 0)
			log_err("inbox: cannot remove %s: %s", r->done[i], strerror(errno));
	*more = (size_t)n >= w->batch;
	buf_free(&err);
	return n;
rollback:
	db_exec(w->db, "ROLLBACK", NULL);
fail:
	if (err.len)
		log_err("database: %s", err.p);
	buf_free(&err);
	return -1;
}

/*
 * Lets the tracking side close or park sessions without frames. Returns 1
 * or -1.
 */
int
worker_tick(struct worker *w, double now)
{
	if (!db_exec(w->db, "BEGIN IMMEDIATE", NULL))
		return -1;
	if (ingest_tick(w->ing, now) < 0) {
		db_exec(w->db, "ROLLBACK", NULL);
		return -1;
	}
	return db_exec(w->db, "COMMIT", NULL) ? 1 : -1;
}
