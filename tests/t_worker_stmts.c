/*
 * No statement of trackside-ingestd's connection stays open between
 * transactions: the worker (worker_drain, as trackside-ingestd runs it,
 * with the live events reading their views after each commit) is fed
 * sebring-school-race-A through a real inbox, with a duplicate frame and a
 * track outline the database already holds (the lookups that stop at their
 * first row). After every batch no statement is busy; another connection
 * writes in the middle and the worker goes on applying frames; the WAL is
 * restarted by checkpoints instead of growing with the race.
 */
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "ingest.h"
#include "live.h"
#include "db.h"
#include "t_track_util.h"

#define CLIENT "stmtclient01"

static char			 dir[64];
static struct inbox_writer	*iw;
static unsigned long		 ticket;

/* Appends one inbox record (durable at the next drain). Returns 1 or -1. */
static int
put(const struct buf *rec, long long seq)
{
	const char *nl = memchr(rec->p, '\n', rec->len);

	return inbox_append(iw, CLIENT, seq, rec->p, (size_t)(nl - rec->p), nl + 1,
	    rec->len - (size_t)(nl + 1 - rec->p), &ticket);
}

/* The live events' way out, as far as this test goes: counted. */
static long long emitted;

static int
emit_count(void *arg, const char *channel, const char *event, char *body, size_t len)
{
	(void)arg;
	(void)channel;
	(void)event;
	(void)len;
	free(body);
	emitted++;
	return 1;
}

/*
 * Drains the inbox the way trackside-ingestd does, the live events after
 * each commit; adds the statements left busy after any batch to busy.
 * Returns the frames applied, or -1 when a batch failed.
 */
static long long
drain(struct worker *w, struct live *hub, int *nbusy, struct buf *busy)
{
	long long	 before = w->applied;
	int		 more, rc;

	if (inbox_sync(iw, ticket) < 0)
		return -1;
	do {
		if ((rc = worker_drain(w, &more)) < 0) {
			live_rollback(hub);
			return -1;
		}
		live_commit(hub);
		*nbusy += db_busy_stmts(w->db, busy);
	} while (more || rc > 0);
	return w->applied - before;
}

static long long
wal_size(const char *db)
{
	char		 p[PATH_MAX];
	struct stat	 st;

	snprintf(p, sizeof(p), "%s-wal", db);
	return stat(p, &st) == 0 ? (long long)st.st_size : 0;
}

int
main(void)
{
	struct worker		 w;
	struct live		*hub;
	struct rec_reader	 r;
	struct buf		 err = { 0 }, rec = { 0 }, first = { 0 }, busy = { 0 };
	sqlite3			*other;
	char			 path[PATH_MAX], db[PATH_MAX], inbox[PATH_MAX];
	long long		 seq = 0, applied = 0, after, wal_max = 0;
	int			 nbusy = 0, ok_put = 1;

	log_init("t_worker_stmts", 1, LOG_LVL_WARN);
	snprintf(path, sizeof(path), "%s/sebring-school-race-A.jsonl.gz", data_dir());
	if (access(path, R_OK) != 0) {
		printf("1..0 # SKIP no recordings in %s\n", data_dir());
		return 0;
	}
	tap_plan(6);
	snprintf(dir, sizeof(dir), "/tmp/t_worker_stmts.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(db, sizeof(db), "%s/db", dir);
	snprintf(inbox, sizeof(inbox), "%s/inbox", dir);
	if (inbox_init(inbox) < 0 || inbox_writer_open(&iw, inbox) < 0 ||
	    !worker_open(&w, db, inbox, &err) ||
	    !live_open(&hub, w.db, emit_count, NULL, NULL, &err) || !rec_open(&r, path)) {
		diag("setup: %s", err.p ? err.p : "inbox or recording");
		return 1;
	}
	ingest_hook(w.ing, live_change, hub);
	w.batch = 50;
	/* The outline is known already: the lookup finds its row and stops there. */
	db_exec(w.db, "INSERT INTO track_maps (track, points, updated_at) VALUES "
	    "('Sebring School Circuit', '[]', 0)", NULL);

	/* The first part of the race, and its first frame once more (a duplicate). */
	while (seq < 600 && rec_next(&r)) {
		rec_frame(&rec, CLIENT, ++seq, r.created + r.t, r.responses, r.rlen);
		ok_put &= put(&rec, seq) > 0;
		if (seq == 1)
			buf_add(&first, rec.p, rec.len);
	}
	ok_put &= put(&first, 1) > 0;
	applied = drain(&w, hub, &nbusy, &busy);
	if (!ok(applied == 600 && w.duplicates == 1 && ok_put,
	    "the worker applies the frames and skips the duplicate"))
		diag("applied %lld, %lld duplicates", applied, w.duplicates);
	if (!ok(nbusy == 0, "no statement is left open after a batch"))
		diag("%d busy: %s", nbusy, busy.p);

	/* Another process writes (an admin adds a client token). */
	if (!db_open(&other, db, DB_RW, &err) ||
	    !db_exec(other, "INSERT INTO clients (name, token_hash, created_at) "
	    "VALUES ('admin-added', 'x', 1)", &err)) {
		diag("other writer: %s", err.p);
		return 1;
	}
	db_close(other);
	while (rec_next(&r)) {
		rec_frame(&rec, CLIENT, ++seq, r.created + r.t, r.responses, r.rlen);
		ok_put &= put(&rec, seq) > 0;
		if (seq % 200 == 0) {
			if ((after = drain(&w, hub, &nbusy, &busy)) < 0)
				break;
			applied += after;
			db_checkpoint(w.db, DB_WAL_LIMIT);
			if (wal_size(db) > wal_max)
				wal_max = wal_size(db);
		}
	}
	after = drain(&w, hub, &nbusy, &busy);
	if (after > 0)
		applied += after;
	if (!ok(after >= 0 && applied == seq && ok_put,
	    "after another connection wrote, the worker still applies every frame"))
		diag("applied %lld of %lld: %s", applied, seq, sqlite3_errmsg(w.db));
	if (!ok(nbusy == 0, "no statement is left open after any later batch"))
		diag("%d busy: %s", nbusy, busy.p);
	ok(db_exec(w.db, "BEGIN IMMEDIATE; COMMIT;", NULL), "the worker can still begin a write");
	if (!ok(wal_max > 0 && wal_max < 16LL << 20, "the WAL stays under 16 MiB"))
		diag("the WAL reached %lld bytes", wal_max);

	rec_close(&r);
	live_close(hub);
	worker_close(&w);
	inbox_writer_close(iw);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	buf_free(&err);
	buf_free(&rec);
	buf_free(&first);
	buf_free(&busy);
	return tap_done();
}
