/*
 * Webhooks, the sending side (notify.h): one thread of trackside-ingestd,
 * with a database connection of its own, POSTs the due webhook_deliveries
 * rows with libcurl, one at a time, oldest first.
 *
 * The thread writes each outcome itself, on webhook_deliveries alone, in
 * a one-statement transaction (a second writer beside the frames' one:
 * the writer's transactions wait for it a few milliseconds at most, and it
 * never holds a read open across a request, so checkpoints go on). A row
 * is in flight on this thread alone, so it is never sent twice at once; a
 * crash after the POST and before the row is marked sends it again at the
 * next start, which is why each request carries X-Trackside-Delivery, the
 * row's id, for the receiver to drop what it already has.
 *
 * A failure (no answer, or a status outside 2xx) counts an attempt and
 * holds the hook's next rows behind the failed one until its next try
 * (notify_backoff(): 5 s, 15 s, 1 min, 5 min, 15 min, then every 30 min),
 * so a hook's events arrive in order and a receiver that is down gets one
 * request per try. A row still failing a day after it was queued is given
 * up ("gave up"); a row of a removed hook is never sent.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "ingest.h"
#include "notify.h"
#include "db.h"

#define DELIVER_BATCH	16	/* due rows read at a time */
#define DELIVER_TIMEOUT	10L	/* s a request may take */
#define DELIVER_GRACE	3.0	/* s a request in flight may go on after the stop */
#define DELIVER_IDLE	60.0	/* s between looks at the queue when nothing is due */
#define DELIVER_WRITES	12	/* tries of an outcome's write when the database is busy */

enum dst {
	DST_DUE,
	DST_NEXT,
	DST_OK,
	DST_FAIL,
	DST_HOLD,
	DST_DROP,
	DST__MAX
};

static const char *const dst_sql[DST__MAX] = {
	/* DST_DUE */
	"SELECT d.id, d.hook_id, d.payload, d.attempts, d.created_at, h.url, "
	"h.removed_at IS NOT NULL FROM webhook_deliveries d JOIN webhooks h ON h.id = d.hook_id "
	"WHERE d.delivered_at IS NULL AND d.next_at <= ? ORDER BY d.next_at, d.id LIMIT ?",
	/* DST_NEXT */
	"SELECT min(next_at) FROM webhook_deliveries WHERE delivered_at IS NULL AND next_at < ?",
	/* DST_OK */
	"UPDATE webhook_deliveries SET delivered_at = ?, attempts = attempts + 1, "
	"last_status = ?, last_error = NULL WHERE id = ?",
	/* DST_FAIL */
	"UPDATE webhook_deliveries SET attempts = attempts + 1, next_at = ?, last_status = ?, "
	"last_error = ? WHERE id = ?",
	/* DST_HOLD */
	"UPDATE webhook_deliveries SET next_at = ?1 WHERE hook_id = ?2 AND delivered_at IS NULL "
	"AND next_at < ?1 AND id <> ?3",
	/* DST_DROP */
	"UPDATE webhook_deliveries SET next_at = ?, last_error = 'hook removed' WHERE id = ?",
};

struct deliver {
	pthread_t	 th;
	int		 started;
	sqlite3		*db;
	sqlite3_stmt	*st[DST__MAX];
	CURL		*curl;
	struct notify	*nt;
	double		 stop_at;	/* time_mono() of deliver_stop() */
	long long	 sent, failed;
};

/* A due row, copied out of the read so no read stays open across a request. */
struct due {
	long long	 id, hook;
	char		*payload, *url;
	int		 attempts, removed;
	double		 created_at;
};

/* Runs a write, retrying a bounded number of times while the database is busy. */
static int
deliver_write(struct deliver *d, sqlite3_stmt *st)
{
	int rc = SQLITE_BUSY;

	for (int i = 0; i < DELIVER_WRITES; i++) {
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return 1;
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			break;
		if (notify_stopping(d->nt) && i >= 1)
			break;
	}
	log_err("webhooks: writing an outcome: %s", sqlite3_errstr(rc));
	sqlite3_clear_bindings(st);
	return -1;
}

static size_t
deliver_discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* libcurl's progress callback: ends a request in flight DELIVER_GRACE s after the stop. */
static int
deliver_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct deliver *d = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	return notify_stopping(d->nt) && time_mono() - d->stop_at >= DELIVER_GRACE;
}

/*
 * POSTs row r. Returns 1 delivered (2xx), 0 failed (*status the answer's
 * status or 0, why says why), -1 cut by the stop.
 */
static int
deliver_post(struct deliver *d, const struct due *r, long *status, char *why, size_t whysz)
{
	struct curl_slist	*hdr = NULL, *h;
	char			 line[64];
	CURLcode		 cc;

	*status = 0;
	snprintf(line, sizeof(line), "X-Trackside-Delivery: %lld", r->id);
	if ((h = curl_slist_append(hdr, "Content-Type: application/json")) == NULL ||
	    (hdr = h, h = curl_slist_append(hdr, line)) == NULL ||
	    (hdr = h, h = curl_slist_append(hdr, "Expect:")) == NULL) {
		curl_slist_free_all(hdr);
		snprintf(why, whysz, "out of memory");
		return 0;
	}
	hdr = h;
	curl_easy_reset(d->curl);
	curl_easy_setopt(d->curl, CURLOPT_URL, r->url);
	curl_easy_setopt(d->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(d->curl, CURLOPT_POSTFIELDS, r->payload);
	curl_easy_setopt(d->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(r->payload));
	curl_easy_setopt(d->curl, CURLOPT_USERAGENT, "trackside");
	curl_easy_setopt(d->curl, CURLOPT_TIMEOUT, DELIVER_TIMEOUT);
	curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, deliver_discard);
	curl_easy_setopt(d->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(d->curl, CURLOPT_XFERINFOFUNCTION, deliver_progress);
	curl_easy_setopt(d->curl, CURLOPT_XFERINFODATA, d);
	cc = curl_easy_perform(d->curl);
	curl_slist_free_all(hdr);
	if (cc == CURLE_ABORTED_BY_CALLBACK)
		return -1;
	if (cc != CURLE_OK) {
		snprintf(why, whysz, "%s", curl_easy_strerror(cc));
		return 0;
	}
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, status);
	if (*status >= 200 && *status < 300)
		return 1;
	snprintf(why, whysz, "HTTP %ld", *status);
	return 0;
}

/* Writes the outcome of row r. Returns 1 or -1. */
static int
deliver_outcome(struct deliver *d, const struct due *r, int ok, long status, const char *why)
{
	double		 now = time_now(), next;
	sqlite3_stmt	*st;

	if (ok) {
		st = d->st[DST_OK];
		sqlite3_bind_double(st, 1, now);
		sqlite3_bind_int64(st, 2, status);
		sqlite3_bind_int64(st, 3, r->id);
		d->sent++;
		return deliver_write(d, st);
	}
	d->failed++;
	next = now + notify_backoff(d->nt, r->attempts + 1);
	if (now - r->created_at >= HOOK_GIVE_UP) {
		next = HOOK_NEVER;
		why = "gave up";
		log_warn("webhook %lld: gave up delivery %lld after %d attempts", r->hook, r->id,
		    r->attempts + 1);
	} else
		log_info("webhook %lld: delivery %lld failed (%s); next try in %.1f s", r->hook,
		    r->id, why, next - now);
	st = d->st[DST_FAIL];
	sqlite3_bind_double(st, 1, next);
	if (status > 0)
		sqlite3_bind_int64(st, 2, status);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, why, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, r->id);
	if (deliver_write(d, st) < 0)
		return -1;
	if (next >= HOOK_NEVER)
		return 1;
	/* the hook's other rows wait behind this one */
	st = d->st[DST_HOLD];
	sqlite3_bind_double(st, 1, next);
	sqlite3_bind_int64(st, 2, r->hook);
	sqlite3_bind_int64(st, 3, r->id);
	return deliver_write(d, st);
}

static void
due_free(struct due *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].payload);
		free(r[i].url);
	}
}

/*
 * Sends up to DELIVER_BATCH due rows. Returns the rows read, or -1 on a
 * database error.
 */
static int
deliver_round(struct deliver *d)
{
	struct due	 r[DELIVER_BATCH];
	long long	 held[DELIVER_BATCH];
	size_t		 n = 0, nheld = 0;
	sqlite3_stmt	*st = d->st[DST_DUE];
	int		 rc;

	sqlite3_bind_double(st, 1, time_now());
	sqlite3_bind_int(st, 2, DELIVER_BATCH);
	while (n < DELIVER_BATCH && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *payload = (const char *)sqlite3_column_text(st, 2);
		const char *url = (const char *)sqlite3_column_text(st, 5);
		memset(&r[n], 0, sizeof(r[n]));
		r[n].id = sqlite3_column_int64(st, 0);
		r[n].hook = sqlite3_column_int64(st, 1);
		r[n].attempts = sqlite3_column_int(st, 3);
		r[n].created_at = sqlite3_column_double(st, 4);
		r[n].removed = sqlite3_column_int(st, 6);
		if ((r[n].payload = strdup(payload ? payload : "")) == NULL ||
		    (r[n].url = strdup(url ? url : "")) == NULL) {
			n++;
			rc = SQLITE_NOMEM;
			break;
		}
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_err("webhooks: reading the queue: %s", sqlite3_errstr(rc));
		due_free(r, n);
		return -1;
	}
	for (size_t i = 0; i < n && !notify_stopping(d->nt); i++) {
		char why[CURL_ERROR_SIZE + 32];
		long status;
		size_t j;
		for (j = 0; j < nheld && held[j] != r[i].hook; j++)
			;
		if (j < nheld)
			continue;	/* behind a row of its hook that failed just now */
		if (r[i].removed) {
			st = d->st[DST_DROP];
			sqlite3_bind_double(st, 1, HOOK_NEVER);
			sqlite3_bind_int64(st, 2, r[i].id);
			if (deliver_write(d, st) < 0)
				break;
			continue;
		}
		why[0] = '\0';
		if ((rc = deliver_post(d, &r[i], &status, why, sizeof(why))) < 0)
			break;	/* stopping: the row stays due for the next start */
		if (rc == 0)
			held[nheld++] = r[i].hook;
		if (deliver_outcome(d, &r[i], rc, status, why) < 0)
			break;
	}
	due_free(r, n);
	return (int)n;
}

/* s until the next row is due (0 when one is, DELIVER_IDLE at most), or -1. */
static double
deliver_next(struct deliver *d)
{
	sqlite3_stmt	*st = d->st[DST_NEXT];
	double		 wait = DELIVER_IDLE;
	int		 rc;

	sqlite3_bind_double(st, 1, HOOK_NEVER);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		wait = sqlite3_column_double(st, 0) - time_now();
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return wait < 0 ? 0 : wait > DELIVER_IDLE ? DELIVER_IDLE : wait;
}

static void *
deliver_main(void *arg)
{
	struct deliver		*d = arg;
	unsigned long long	 seen = 0;
	double			 wait;
	int			 n;

	while (!notify_stopping(d->nt)) {
		if ((n = deliver_round(d)) == DELIVER_BATCH)
			continue;
		if (n < 0 || (wait = deliver_next(d)) < 0)
			wait = 1.0;	/* the database was busy or failed: look again soon */
		if (wait > 0 && notify_wait(d->nt, &seen, wait))
			break;
	}
	return NULL;
}

static void
deliver_free(struct deliver *d)
{
	for (int i = 0; i < DST__MAX; i++)
		sqlite3_finalize(d->st[i]);
	if (d->curl != NULL)
		curl_easy_cleanup(d->curl);
	db_close(d->db);
	free(d);
}

/*
 * Opens the sender's connection to db_path and starts its thread (call
 * after daemon(), with curl_global_init() done). Returns 1, or 0 with a
 * message in err. deliver_stop() ends it.
 */
int
deliver_start(struct deliver **out, const char *db_path, struct notify *nt, struct buf *err)
{
	struct deliver	*d;
	int		 e;

	*out = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		buf_printf(err, "out of memory");
		return 0;
	}
	d->nt = nt;
	if (!db_open(&d->db, db_path, DB_RW, err))
		goto fail;
	for (int i = 0; i < DST__MAX; i++)
		if (sqlite3_prepare_v3(d->db, dst_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &d->st[i],
		    NULL) != SQLITE_OK) {
			buf_printf(err, "webhooks: %s", sqlite3_errmsg(d->db));
			goto fail;
		}
	if ((d->curl = curl_easy_init()) == NULL) {
		buf_printf(err, "webhooks: libcurl cannot start");
		goto fail;
	}
	if ((e = pthread_create(&d->th, NULL, deliver_main, d)) != 0) {
		buf_printf(err, "webhooks: thread: %s", strerror(e));
		goto fail;
	}
	d->started = 1;
	*out = d;
	return 1;
fail:
	deliver_free(d);
	return 0;
}

/*
 * Stops the sender: a request in flight may finish for DELIVER_GRACE s,
 * then is cut (its row stays due). deliver_stop(NULL) is a no-op.
 */
void
deliver_stop(struct deliver *d)
{
	if (d == NULL)
		return;
	d->stop_at = time_mono();
	notify_stop(d->nt);
	if (d->started)
		pthread_join(d->th, NULL);
	if (d->sent || d->failed)
		log_info("webhooks: %lld delivered, %lld failed attempts since the start", d->sent,
		    d->failed);
	deliver_free(d);
}
