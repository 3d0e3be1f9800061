/*
 * Session maintenance (ingest/maint.c) on a temporary database filled
 * through the worker with sebring-school-race B (a spectator who leaves
 * halfway) and C (a car that joins late), seen as two sessions: merge
 * combines the laps both saw once, split moves the frames captured at or
 * after its time, delete removes the raw frames and joins the neighbours,
 * reprocess keeps what a person gave the session, and a command that
 * cannot apply changes nothing. The tracker's single-session mode first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "ingest.h"
#include "cmd.h"
#include "db.h"
#include "t_track_util.h"

static struct worker	 w;
static struct buf	 rec;

/* Feeds a recording as client, frames first..last (1-based, 0 = to the end). */
static double
feed(const char *file, const char *client, long long first, long long last)
{
	struct rec_reader	 r;
	char			 path[4096];
	long long		 n = 0;
	double			 at = 0;

	snprintf(path, sizeof(path), "%s/%s", data_dir(), file);
	rec_open(&r, path);
	db_exec(w.db, "BEGIN", NULL);
	while (rec_next(&r)) {
		if (++n < first || (last > 0 && n > last))
			continue;
		at = r.created + r.t;
		rec_frame(&rec, client, n, at, r.responses, r.rlen);
		worker_apply(&w, rec.p, rec.len, client, n, 1);
		ingest_tick(w.ing, at);
	}
	db_exec(w.db, "COMMIT", NULL);
	rec_close(&r);
	return at;
}

/* A value of the first row of sql with one text binding, into out. */
static void
db_text(const char *sql, const char *arg, char *out, size_t sz)
{
	sqlite3_stmt *st;

	out[0] = '\0';
	if (sqlite3_prepare_v2(w.db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	if (arg != NULL)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		snprintf(out, sz, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* The first column of sql's first row, ? bound to id; -1 on error. */
static long long
count1(const char *sql, const char *id)
{
	sqlite3_stmt	*st;
	long long	 n = -1;

	if (sqlite3_prepare_v2(w.db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Laps of a session (not the missing ones). */
static long long
laps_of(const char *id)
{
	return count1("SELECT count(*) FROM laps l JOIN cars c ON c.id = l.car_id WHERE "
	    "c.session_id = ? AND l.source <> 'missing'", id);
}

/*
 * Applies a maintenance command as the worker does: one transaction, a
 * savepoint rolled back when refused. Returns the function's result;
 * summary and result are left in x (command_ctx_free after).
 */
static int
maint(struct cmd_ctx *x, int (*fn)(struct cmd_ctx *, const struct cmd *), struct cmd *c)
{
	int rc;

	memset(x, 0, sizeof(*x));
	x->db = w.db;
	x->stmts = &w.stmts;
	db_exec(w.db, "BEGIN IMMEDIATE", NULL);
	db_exec(w.db, "SAVEPOINT m", NULL);
	rc = fn(x, c);
	if (rc <= 0)
		db_exec(w.db, "ROLLBACK TO m", NULL);
	db_exec(w.db, "RELEASE m", NULL);
	db_exec(w.db, rc < 0 ? "ROLLBACK" : "COMMIT", NULL);
	if (x->summary.len)
		diag("%s", x->summary.p);
	return rc;
}

static void
cmd_session(struct cmd *c, enum cmd_kind kind, const char *id)
{
	cmd_new(c, kind, "cli:test", NULL);
	cJSON_AddStringToObject(c->args, "session", id);
}

static const char *
result_session(struct cmd_ctx *x)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(x->result, "session");

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The tracker's single-session mode: a restart of ET opens no second session. */
static void
t_single(void)
{
	struct track	 t;
	struct tobs	 b;
	struct tsession	*s1 = NULL, *s2 = NULL;

	track_init(&t);
	tobs_session(&b, "RACE1", 500, 0);
	tobs_car(&b, 0, "car0", "Ann", 3);
	tfeed(&t, "c1", 1000, &b, &s1);
	tobs_session(&b, "RACE1", 20, 0);
	tobs_car(&b, 0, "car0", "Ann", 0);
	tfeed(&t, "c1", 1001, &b, &s2);
	ok(s1 != NULL && s2 != NULL && s1 != s2 && t.nsess == 2,
	    "without single mode, ET starting again opens a second session");
	track_free(&t);

	track_init(&t);
	t.single = 1;
	snprintf(t.force_id, sizeof(t.force_id), "%s", "0123456789abcdef0123456789abcdef");
	tobs_session(&b, "RACE1", 500, 0);
	tobs_car(&b, 0, "car0", "Ann", 3);
	tfeed(&t, "c1", 1000, &b, &s1);
	tobs_session(&b, "QUALIFY1", 20, 0);
	tobs_car(&b, 0, "car0", "Ann", 0);
	tfeed(&t, "c2", 1001, &b, &s2);
	ok(s1 != NULL && s1 == s2 && t.nsess == 1 &&
	    strcmp(s1->id, "0123456789abcdef0123456789abcdef") == 0,
	    "single mode: every frame joins the one session, under the id asked for");
	track_free(&t);
}

int
main(void)
{
	struct buf	 err = { 0 };
	struct cmd	 c;
	struct cmd_ctx	 x;
	struct score	 sc;
	char		 dbpath[256], path[4096], sb[64], scc[64], n[64], p[64], t1s[32];
	char		 buf[256];
	long long	 frames, late, laps_b, laps_c, l1, l2, changes;
	double		 t1, t2, tmin, tmax;
	int		 rc;

	log_init("t_maint", 1, LOG_LVL_WARN);
	snprintf(path, sizeof(path), "%s/sebring-school-race-C.jsonl.gz", data_dir());
	if (access(path, R_OK) != 0) {
		snprintf(path, sizeof(path), "no recordings in %s", data_dir());
		return skip_all_data(path);
	}
	tap_plan(19);
	t_single();

	snprintf(dbpath, sizeof(dbpath), "%s/t_maint.%d.db", getenv("TMPDIR") ? getenv("TMPDIR") :
	    "/tmp", (int)getpid());
	unlink(dbpath);
	if (!worker_open(&w, dbpath, "/nonexistent", &err)) {
		diag("%s", err.p);
		return 1;
	}
	/* B alone; its session closes (nothing arrives for long); then C: a second session. */
	t2 = feed("sebring-school-race-B.jsonl.gz", "clientBBBB", 1, 0);
	db_exec(w.db, "BEGIN", NULL);
	ingest_tick(w.ing, t2 + 4000);
	db_exec(w.db, "COMMIT", NULL);
	feed("sebring-school-race-C.jsonl.gz", "clientCCCC", 1, 0);
	db_text("SELECT session_id FROM raw_frames WHERE client = 'clientBBBB' AND session_id "
	    "IS NOT NULL", NULL, sb, sizeof(sb));
	db_text("SELECT session_id FROM raw_frames WHERE client = 'clientCCCC' AND session_id "
	    "IS NOT NULL", NULL, scc, sizeof(scc));
	laps_b = laps_of(sb);
	laps_c = laps_of(scc);
	frames = db_count(w.db, "SELECT count(*) FROM raw_frames WHERE session_id IS NOT NULL");
	if (!ok(sb[0] && scc[0] && strcmp(sb, scc) != 0 &&
	    db_count(w.db, "SELECT count(*) FROM sessions") == 2,
	    "B and C make two sessions (%lld and %lld laps)", laps_b, laps_c))
		return tap_done();

	/* A command on an unknown session is refused and changes nothing. */
	{
		static const struct {
			enum cmd_kind kind;
			int (*fn)(struct cmd_ctx *, const struct cmd *);
		} kinds[] = {
			{ CMD_SESSION_DELETE, maint_delete }, { CMD_SESSION_MERGE, maint_merge },
			{ CMD_SESSION_SPLIT, maint_split }, { CMD_SESSION_REPROCESS, maint_reprocess },
		};
		int refused = 1;
		changes = sqlite3_total_changes(w.db);
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			cmd_session(&c, kinds[i].kind, "ffffffffffffffffffffffffffffffff");
			if (kinds[i].kind == CMD_SESSION_MERGE)
				cJSON_AddStringToObject(c.args, "into", sb);
			if (kinds[i].kind == CMD_SESSION_SPLIT)
				cJSON_AddNumberToObject(c.args, "at", t2 - 600);
			rc = maint(&x, kinds[i].fn, &c);
			refused &= rc == 0 && strstr(x.summary.p, "there is no session") != NULL;
			command_ctx_free(&x);
			cmd_free(&c);
		}
		ok(refused && sqlite3_total_changes(w.db) == changes,
		    "a command on an unknown session is refused and changes nothing");
	}

	/* Merge refuses sessions of different tracks. */
	db_exec(w.db, "INSERT INTO sessions (id, sim, track, type, online, started_at, last_update) "
	    "VALUES ('eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 'lmu', 'Monza', 'RACE1', 1, 1, 1)", NULL);
	changes = sqlite3_total_changes(w.db);
	cmd_session(&c, CMD_SESSION_MERGE, scc);
	cJSON_AddStringToObject(c.args, "into", "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
	rc = maint(&x, maint_merge, &c);
	ok(rc == 0 && strstr(x.summary.p, "same sim and track") != NULL &&
	    sqlite3_total_changes(w.db) == changes && laps_of(scc) == laps_c,
	    "merge refuses sessions of different tracks, changing nothing");
	command_ctx_free(&x);
	cmd_free(&c);
	db_exec(w.db, "DELETE FROM sessions WHERE id = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'", NULL);

	/* Merge C into B: every lap both saw counts once; the result is the truth. */
	snprintf(buf, sizeof(buf), "UPDATE sessions SET name = 'The race', hidden = 1 WHERE id = '%s'",
	    sb);
	db_exec(w.db, buf, NULL);
	cmd_session(&c, CMD_SESSION_MERGE, scc);
	cJSON_AddStringToObject(c.args, "into", sb);
	rc = maint(&x, maint_merge, &c);
	ok(rc == 1 && x.reload && strcmp(result_session(&x), sb) == 0 &&
	    db_count(w.db, "SELECT count(*) FROM sessions") == 1 &&
	    count1("SELECT count(*) FROM raw_frames WHERE session_id = ?", sb) == frames,
	    "merge: one session left, holding all %lld frames", frames);
	command_ctx_free(&x);
	cmd_free(&c);
	snprintf(path, sizeof(path), "%s/sebring-school-race.truth.json", data_dir());
	truth_compare(w.db, path, &sc);
	ok(sc.laps > 0 && sc.laps_ok == sc.laps && sc.laps_extra == 0 && laps_of(sb) < laps_b + laps_c,
	    "merge combines laps seen by both halves once (%lld/%lld laps, %lld extra; %lld + %lld "
	    "before)", sc.laps_ok, sc.laps, sc.laps_extra, laps_b, laps_c);
	ok(sc.pits_ok == sc.pits && sc.pits_extra == 0 && sc.positions_ok,
	    "the merged session's pit stops and final order are the truth (pits %lld/%lld)",
	    sc.pits_ok, sc.pits);
	db_text("SELECT coalesce(name, '') || '/' || hidden FROM sessions WHERE id = ?", sb, buf,
	    sizeof(buf));
	ok(strcmp(buf, "The race/1") == 0, "the merged session keeps its name and visibility (%s)",
	    buf);

	/* Split at T: the frames captured at or after T go to a new session. */
	db_text("SELECT min(captured_at) FROM raw_frames", NULL, buf, sizeof(buf));
	tmin = atof(buf);
	db_text("SELECT max(captured_at) FROM raw_frames", NULL, buf, sizeof(buf));
	tmax = atof(buf);
	t1 = (double)(long long)(tmin + (tmax - tmin) * 0.5);
	snprintf(buf, sizeof(buf), "SELECT count(*) FROM raw_frames WHERE captured_at >= %.3f", t1);
	late = db_count(w.db, buf);
	cmd_session(&c, CMD_SESSION_SPLIT, sb);
	cJSON_AddNumberToObject(c.args, "at", tmin - 1);
	changes = sqlite3_total_changes(w.db);
	rc = maint(&x, maint_split, &c);
	ok(rc == 0 && strstr(x.summary.p, "leaves no frame") != NULL &&
	    sqlite3_total_changes(w.db) == changes, "split refuses a side without frames");
	command_ctx_free(&x);
	cmd_free(&c);
	l1 = laps_of(sb);
	cmd_session(&c, CMD_SESSION_SPLIT, sb);
	cJSON_AddNumberToObject(c.args, "at", t1);
	rc = maint(&x, maint_split, &c);
	snprintf(n, sizeof(n), "%s", result_session(&x));
	command_ctx_free(&x);
	cmd_free(&c);
	snprintf(buf, sizeof(buf), "SELECT count(*) FROM raw_frames WHERE session_id = '%s' AND "
	    "captured_at >= %.3f", n, t1);
	time_iso(t1, t1s);
	ok(rc == 1 && n[0] && strcmp(n, sb) != 0 && db_count(w.db, buf) == late &&
	    count1("SELECT count(*) FROM raw_frames WHERE session_id = ?", n) == late &&
	    count1("SELECT count(*) FROM raw_frames WHERE session_id = ?", sb) == frames - late,
	    "split moves the %lld frames captured at or after %s to the new session %s", late, t1s, n);
	l2 = laps_of(sb) + laps_of(n);
	db_text("SELECT coalesce(next_id, '') FROM sessions WHERE id = ?", sb, buf, sizeof(buf));
	db_text("SELECT coalesce(prev_id, '') FROM sessions WHERE id = ?", n, p, sizeof(p));
	ok(strcmp(buf, n) == 0 && strcmp(p, sb) == 0 && laps_of(sb) > 0 && laps_of(n) > 0 &&
	    count1("SELECT count(*) FROM sessions WHERE id = ? AND name = 'The race'", sb) == 1,
	    "the new session follows the old one (%lld + %lld laps, %lld before)", laps_of(sb),
	    laps_of(n), l1);
	(void)l2;

	/* Split the new one again (sb -> n -> p), then delete the middle one. */
	cmd_session(&c, CMD_SESSION_SPLIT, n);
	cJSON_AddNumberToObject(c.args, "at", (double)(long long)(t1 + (tmax - t1) * 0.5));
	rc = maint(&x, maint_split, &c);
	snprintf(p, sizeof(p), "%s", result_session(&x));
	command_ctx_free(&x);
	cmd_free(&c);
	ok(rc == 1 && p[0] && db_count(w.db, "SELECT count(*) FROM sessions") == 3,
	    "a second split makes a third session %s", p);
	cmd_session(&c, CMD_SESSION_DELETE, n);
	rc = maint(&x, maint_delete, &c);
	command_ctx_free(&x);
	cmd_free(&c);
	db_text("SELECT coalesce(next_id, '') FROM sessions WHERE id = ?", sb, buf, sizeof(buf));
	ok(rc == 1 && count1("SELECT count(*) FROM raw_frames WHERE session_id = ?", n) == 0 &&
	    count1("SELECT count(*) FROM sessions WHERE id = ?", n) == 0 &&
	    count1("SELECT count(*) FROM cars WHERE session_id = ?", n) == 0 &&
	    count1("SELECT count(*) FROM best_laps WHERE session_id = ?", n) == 0 &&
	    count1("SELECT count(*) FROM client_seqs WHERE session_id = ?", n) == 0 &&
	    strcmp(buf, p) == 0,
	    "delete removes the session, its rows and raw frames, and joins its neighbours");
	snprintf(buf, sizeof(buf), "SELECT count(*) FROM sessions WHERE id = '%s' AND prev_id = '%s'",
	    p, sb);
	ok(db_count(w.db, buf) == 1, "the session after the deleted one now follows the one before");

	/* Reprocess keeps the name, the visibility and the links. */
	db_exec(w.db, "UPDATE sessions SET name = 'Last part', hidden = 1 WHERE prev_id IS NOT NULL",
	    NULL);
	l1 = laps_of(p);
	cmd_session(&c, CMD_SESSION_REPROCESS, p);
	rc = maint(&x, maint_reprocess, &c);
	ok(rc == 1 && x.reload, "reprocess applies");
	command_ctx_free(&x);
	cmd_free(&c);
	snprintf(buf, sizeof(buf), "SELECT count(*) FROM sessions WHERE id = '%s' AND prev_id = '%s' "
	    "AND name = 'Last part' AND hidden = 1", p, sb);
	ok(db_count(w.db, buf) == 1 && laps_of(p) == l1 && l1 > 0,
	    "reprocess keeps the name, visibility and links (%lld laps again)", l1);
	db_text("SELECT coalesce(next_id, '') FROM sessions WHERE id = ?", sb, buf, sizeof(buf));
	ok(strcmp(buf, p) == 0, "the session before still leads to it");

	/* Reprocess refuses a session without raw frames. */
	db_exec(w.db, "INSERT INTO sessions (id, sim, track, type, online, started_at, last_update) "
	    "VALUES ('dddddddddddddddddddddddddddddddd', 'lmu', 'Monza', 'RACE1', 1, 1, 1)", NULL);
	changes = sqlite3_total_changes(w.db);
	cmd_session(&c, CMD_SESSION_REPROCESS, "dddddddddddddddddddddddddddddddd");
	rc = maint(&x, maint_reprocess, &c);
	ok(rc == 0 && strstr(x.summary.p, "no raw frames") != NULL &&
	    sqlite3_total_changes(w.db) == changes, "reprocess refuses a session without raw frames");
	command_ctx_free(&x);
	cmd_free(&c);

	worker_close(&w);
	db_remove(dbpath);
	buf_free(&rec);
	buf_free(&err);
	return tap_done();
}
