/*
 * A restarted worker resumes exactly where an uninterrupted one stands
 * (spec/tracking.md §1, DESIGN.md "after a crash"): sebring-school-race-A
 * through the worker on a temporary database, once without a break, once
 * with the tracker dropped and reloaded from the database at cut points
 * found in the first run: before any stop, in the lane before a stop,
 * stopped, during a driver swap, in a swap's pitState blip, right after a
 * lane exit, right after strategy data confirmed a stop, and on a swap lap
 * still in progress, between a lap and the later fill of its fuel (the
 * rewrite keeps what the game does not report unknown); and in the weekend, while the game loads the next
 * session and right after it began. The race recording has no driver swap, so the test gives
 * slot 68 one in its first stop, with the pitState blip to NONE the game
 * shows during a swap. At every cut the frames after it are first applied
 * and rolled back (kill -9 loses the open batch), then applied again.
 * Laps, pits, stints, bests, car states and the session must be the same
 * row for row. A hosted race built in the test restarts, and reloads after
 * a failed batch, while ET stands still: the source's state per client
 * carries over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "tap.h"
#include "ingest.h"
#include "db.h"
#include "t_track_util.h"

#define BATCH	50	/* frames per transaction */
#define LOST	7	/* frames applied, then rolled back at a cut */

enum cut {
	CUT_EARLY, CUT_LANE, CUT_STOPPED, CUT_SWAP, CUT_BLIP, CUT_EXITED, CUT_CONFIRMED,
	CUT_SWAP_LAP, CUT_LAP_FILL, CUT_LOADING, CUT_NEXT_SESSION, CUT__MAX
};
static const char *const cut_names[CUT__MAX] = { "before any stop", "in the lane before a stop",
	"stopped", "during a driver swap", "in a swap's pitState blip", "right after a lane exit",
	"right after a stop was confirmed", "on a swap lap in progress",
	"between a lap and the later fill of its fuel", "while the game loads the next session", "right after the next session began" };
#define CUTS_PITS	0x1ff	/* every cut but the session transition */
#define CUTS_NEXT	0x601	/* the session transition */

/* What one table looks like, row by row, without the session id. */
static const struct {
	const char *name, *sql;
} tables[] = {
	{ "laps", "SELECT c.slot, c.vehicle, x.* FROM laps x JOIN cars c ON c.id = x.car_id "
	    "ORDER BY c.id, x.lap" },
	{ "pits", "SELECT c.slot, c.vehicle, x.* FROM pits x JOIN cars c ON c.id = x.car_id "
	    "ORDER BY c.id, x.id" },
	{ "stints", "SELECT c.slot, c.vehicle, x.* FROM stints x JOIN cars c ON c.id = x.car_id "
	    "ORDER BY c.id, x.id" },
	{ "bests", "SELECT scope, kind, class, car_id, driver, time, lap, holder_car, holder_driver "
	    "FROM bests ORDER BY 1, 2, 3, 4, 5" },
	{ "car states", "SELECT c.slot, c.vehicle, x.* FROM car_state x JOIN cars c ON c.id = x.car_id "
	    "ORDER BY c.id" },
	{ "sessions", "SELECT * FROM sessions ORDER BY started_at" },
	{ "conditions", "SELECT * FROM conditions ORDER BY session_id, et" },
	{ "entries", "SELECT * FROM entries ORDER BY session_id, utid" },
	{ "entry members", "SELECT * FROM entry_members ORDER BY session_id, utid, name" },
	{ "tracker clients", "SELECT client, clock_offset, last_et, last_at, last_phase, last_key, "
	    "source_state FROM tracker_clients ORDER BY client" },
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

/* Appends every row of sql on db to out, one line per row. */
static void
dump(sqlite3 *db, const char *sql, struct buf *out)
{
	sqlite3_stmt *st;

	buf_reset(out);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		buf_printf(out, "error: %s\n", sqlite3_errmsg(db));
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *v = sqlite3_column_text(st, i);
			buf_printf(out, "%s%s", i ? "|" : "", v ? (const char *)v : "NULL");
		}
		buf_putc(out, '\n');
	}
	buf_putc(out, '\0');
	sqlite3_finalize(st);
}

/* Shows the first line where a and b differ. */
static void
first_diff(const char *a, const char *b)
{
	int line = 1;

	for (;;) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
		size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);
		if (la != lb || memcmp(a, b, la) != 0) {
			diag("row %d: uninterrupted %.*s", line, (int)la, a);
			diag("row %d: resumed       %.*s", line, (int)lb, b);
			return;
		}
		if (ea == NULL || eb == NULL)
			return;
		a = ea + 1;
		b = eb + 1;
		line++;
	}
}

static int
open_worker(struct worker *w, const char *db)
{
	struct buf err = { 0 };

	if (!worker_open(w, db, "/nonexistent", &err)) {
		diag("%s", err.p);
		buf_free(&err);
		return 0;
	}
	buf_free(&err);
	return db_exec(w->db, "BEGIN", NULL);
}

#define MAXFRAMES 12000
static int rows[2][MAXFRAMES];	/* rows each frame wrote, per run */

/* Applies frame seq of run (0 uninterrupted, 1 restarted). Returns 1 when applied. */
static int
apply(struct worker *w, int run, const struct buf *rec, long long seq, double at)
{
	int before = sqlite3_total_changes(w->db), rc;

	rc = worker_apply(w, rec->p, rec->len, "clientA", seq, 1);
	ingest_tick(w->ing, at);
	if (seq < MAXFRAMES)
		rows[run][seq] = sqlite3_total_changes(w->db) - before;
	return rc == 1;
}

#define SWAP_SLOT	68
#define SWAP_DRIVER	"Swap Driver"

/*
 * Rewrites a poll's responses so that SWAP_SLOT hands over to SWAP_DRIVER
 * on the second poll of its first stop, which shows pitState NONE (the
 * blip); *stopped counts the polls it was seen stopped. Returns out->p, or
 * the poll unchanged.
 */
static const char *
swap_poll(int *stopped, const char *resp, size_t *len, struct buf *out)
{
	cJSON		*root, *car;
	const cJSON	*cars;
	char		*p;

	if ((root = cJSON_ParseWithLength(resp, *len)) == NULL)
		return resp;
	cars = cJSON_GetObjectItemCaseSensitive(root, "/rest/watch/standings");
	cJSON_ArrayForEach(car, cars) {
		const cJSON *slot = cJSON_GetObjectItemCaseSensitive(car, "slotID");
		const cJSON *ps = cJSON_GetObjectItemCaseSensitive(car, "pitState");
		if (!cJSON_IsNumber(slot) || slot->valueint != SWAP_SLOT)
			continue;
		if (cJSON_IsString(ps) && strcmp(ps->valuestring, "STOPPED") == 0 && ++*stopped == 2)
			cJSON_ReplaceItemInObjectCaseSensitive(car, "pitState", cJSON_CreateString("NONE"));
		if (*stopped >= 2)
			cJSON_ReplaceItemInObjectCaseSensitive(car, "driverName",
			    cJSON_CreateString(SWAP_DRIVER));
	}
	p = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (p == NULL)
		return resp;
	buf_reset(out);
	buf_add(out, p, strlen(p));
	free(p);
	*len = out->len;
	return out->p;
}

/* Which cut points the tracker's state after a frame offers. */
static void
cut_classify(struct track *t, int cut[CUT__MAX], int n, int *prev_lane, size_t nprev)
{
#define CUT(w) do { if (cut[w] == 0) cut[w] = n; } while (0)
	if (t->c.sessions > 1)
		CUT(CUT_NEXT_SESSION);
	for (size_t i = 0; i < t->nsess; i++) {
		const struct tsession *s = t->sess[i];
		for (size_t k = 0; k < s->ncars; k++) {
			const struct tcar	*c = s->cars[k];
			const struct tpit	*p = c->sm.lane >= 0 ? &c->pits[c->sm.lane] : NULL;
			const struct tlap	*l = c->max_lap > 0 ? &c->laps_v[c->max_lap - 1] : NULL;
			int			 was = k < nprev ? prev_lane[k] : -1;

			if (p != NULL && p->stop_time < 0)
				CUT(CUT_LANE);
			if (p != NULL && p->stop_time >= 0 && p->release_time < 0)
				CUT(CUT_STOPPED);
			if (p != NULL && p->swap_time >= 0 && c->sm.pending_exit < 0)
				CUT(CUT_SWAP);
			if (p != NULL && c->sm.pending_exit >= 0)
				CUT(CUT_BLIP);
			if (p == NULL && was >= 0 && c->pits[was].exit_time >= 0)
				CUT(CUT_EXITED);
			if (p == NULL && was < 0 && c->swap_et >= 0 && l != NULL && l->start_et >= 0 && l->time > 0 &&
			    c->swap_et > l->start_et + l->time)
				CUT(CUT_SWAP_LAP);
			if (k < nprev)
				prev_lane[k] = c->sm.lane;
		}
	}
}

/*
 * Whether this frame filled in the fuel of a lap an earlier frame stored
 * (the player's lap takes it from the usage row that follows the lap):
 * lap and fuel hold each car's last lap as the previous frame left it.
 */
static int
lap_filled(struct track *t, int lap[256], double fuel[256])
{
	int filled = 0;
	size_t n = 0;

	for (size_t i = 0; i < t->nsess; i++)
		for (size_t k = 0; k < t->sess[i]->ncars && n < 256; k++, n++) {
			const struct tcar *c = t->sess[i]->cars[k];
			const struct tlap *l = c->max_lap > 0 ? &c->laps_v[c->max_lap - 1] : NULL;
			if (l != NULL && l->lap == lap[n] && l->fuel != fuel[n])
				filled = 1;
			lap[n] = l ? l->lap : 0;
			fuel[n] = l ? l->fuel : -1;
		}
	return filled;
}

/* Strategy confirmations so far (the confirmed pits of every car). */
static int
confirmed(struct track *t)
{
	int n = 0;

	for (size_t i = 0; i < t->nsess; i++)
		for (size_t k = 0; k < t->sess[i]->ncars; k++)
			for (size_t j = 0; j < t->sess[i]->cars[k]->npits; j++)
				n += t->sess[i]->cars[k]->pits[j].confirmed;
	return n;
}

/*
 * Applies recording file (with a swap in slot SWAP_SLOT when swap is set)
 * without a break, then with restarts at the cut points it offers; stops
 * after the frame the first run ends at (0: the end). Checks that the cuts
 * of mask are there and both runs are the same.
 */
static void
resume_case(const char *file, int swap, unsigned mask, int after_next)
{
	struct rec_reader r;
	struct worker	 w;
	struct buf	 rec = { 0 }, poll = { 0 }, a = { 0 }, b = { 0 }, lost[LOST];
	char		 path[4096], db1[256], db2[256];
	int		 cut[CUT__MAX] = { 0 }, prev_lane[256], nconf = 0, n, cuts_done = 0, all_ok = 1;
	int		 stopped = 0, last, fill_lap[256] = { 0 };
	double		 fill_fuel[256] = { 0 };
	long long	 no_session = 0;
	long long	 seq;

	snprintf(path, sizeof(path), "%s/%s", data_dir(), file);
	memset(lost, 0, sizeof(lost));
	memset(rows, 0, sizeof(rows));
	for (size_t i = 0; i < sizeof(prev_lane) / sizeof(prev_lane[0]); i++)
		prev_lane[i] = -1;
	snprintf(db1, sizeof(db1), "/tmp/t_track_resume.%d.a.db", (int)getpid());
	snprintf(db2, sizeof(db2), "/tmp/t_track_resume.%d.b.db", (int)getpid());
	unlink(db1);
	unlink(db2);

	/* The uninterrupted run, which also finds the cut points. */
	if (!rec_open(&r, path) || !open_worker(&w, db1))
		exit(1);
	cut[CUT_EARLY] = 150;
	for (n = 1, seq = 1; rec_next(&r) && n < MAXFRAMES; n++, seq++) {
		int c;
		size_t len = r.rlen;
		const char *resp = swap ? swap_poll(&stopped, r.responses, &len, &poll) : r.responses;
		rec_frame(&rec, "clientA", seq, r.created + r.t, resp, len);
		apply(&w, 0, &rec, seq, r.created + r.t);
		if (n % BATCH == 0)
			db_exec(w.db, "COMMIT; BEGIN", NULL);
		cut_classify(ingest_tracker(w.ing), cut, n, prev_lane,
		    sizeof(prev_lane) / sizeof(prev_lane[0]));
		if (lap_filled(ingest_tracker(w.ing), fill_lap, fill_fuel) && cut[CUT_LAP_FILL] == 0 &&
		    n > 1)
			cut[CUT_LAP_FILL] = n - 1;
		if ((c = confirmed(ingest_tracker(w.ing))) > nconf) {
			if (nconf > 0 && cut[CUT_CONFIRMED] == 0)
				cut[CUT_CONFIRMED] = n;	/* the second: after a restart-free first one */
			nconf = c;
		}
		/* The last frame the game showed no session before the next one began. */
		struct track *t = ingest_tracker(w.ing);
		if (t->c.dropped[DROP_NO_SESSION] + t->c.dropped[DROP_LOADING] > no_session) {
			no_session = t->c.dropped[DROP_NO_SESSION] + t->c.dropped[DROP_LOADING];
			if (cut[CUT_NEXT_SESSION] == 0)
				cut[CUT_LOADING] = n;
		}
		if (after_next > 0 && cut[CUT_NEXT_SESSION] > 0 && n >= cut[CUT_NEXT_SESSION] + after_next)
			break;
	}
	last = n;
	db_exec(w.db, "COMMIT", NULL);
	worker_close(&w);
	rec_close(&r);
	{
		int found = 1;
		for (int i = 0; i < CUT__MAX; i++) {
			if (cut[i] > 0)
				diag("cut %s: after frame %d", cut_names[i], cut[i]);
			if (mask & (1u << i))
				found &= cut[i] > 0;
		}
		ok(found, "%s offers the cut points (%d frames)", file, last);
	}

	/* The run with a restart at every cut point. */
	stopped = 0;
	if (!rec_open(&r, path) || !open_worker(&w, db2))
		exit(1);
	for (n = 1, seq = 1; n <= last && rec_next(&r); n++, seq++) {
		int at_cut = 0, next = n + 1 + LOST;
		size_t len = r.rlen;
		const char *resp = swap ? swap_poll(&stopped, r.responses, &len, &poll) : r.responses;
		rec_frame(&rec, "clientA", seq, r.created + r.t, resp, len);
		all_ok &= apply(&w, 1, &rec, seq, r.created + r.t);
		for (int i = 0; i < CUT__MAX; i++) {
			at_cut |= cut[i] == n;
			if (cut[i] > n && cut[i] < next)
				next = cut[i];
		}
		if (next > last + 1)
			next = last + 1;
		if (n % BATCH == 0 || at_cut)
			db_exec(w.db, "COMMIT; BEGIN", NULL);
		if (!at_cut)
			continue;
		/* kill -9: frames after the cut (up to the next cut) applied, never committed. */
		int k;
		for (k = 0; n + 1 + k < next && rec_next(&r); k++) {
			len = r.rlen;
			resp = swap ? swap_poll(&stopped, r.responses, &len, &poll) : r.responses;
			rec_frame(&lost[k], "clientA", seq + 1 + k, r.created + r.t, resp, len);
			apply(&w, 1, &lost[k], seq + 1 + k, r.created + r.t);
		}
		db_exec(w.db, "ROLLBACK", NULL);
		worker_close(&w);
		if (!open_worker(&w, db2))
			exit(1);
		cuts_done++;
		/* The restarted worker gets them again. */
		for (int j = 0; j < k; j++) {
			const char *at = strstr(lost[j].p, "\"received_at\":");
			all_ok &= apply(&w, 1, &lost[j], seq + 1 + j, at ? strtod(at + 14, NULL) : 0);
		}
		n += k;
		seq += k;
	}
	db_exec(w.db, "COMMIT", NULL);
	rec_close(&r);
	ok(all_ok && cuts_done > 0, "%d restarts, every frame applied", cuts_done);
	{
		int differ = 0;
		for (int i = 1; i <= last && i < MAXFRAMES; i++)
			if (rows[0][i] != rows[1][i] && differ++ == 0)
				diag("frame %d wrote %d rows, %d without a restart", i, rows[1][i],
				    rows[0][i]);
		ok(differ == 0, "every frame writes as many rows as without a restart (%d differ)",
		    differ);
	}
	{
		sqlite3 *clean;
		struct buf err = { 0 };
		if (!db_open(&clean, db1, DB_RO, &err))
			exit(1);
		for (size_t i = 0; i < NTABLES; i++) {
			dump(clean, tables[i].sql, &a);
			dump(w.db, tables[i].sql, &b);
			if (!ok(a.len > 2 && strcmp(a.p, b.p) == 0, "%s are the same as without a restart",
			    tables[i].name))
				first_diff(a.p, b.p);
		}
		db_close(clean);
		buf_free(&err);
	}
	worker_close(&w);
	for (int i = 0; i < LOST; i++)
		buf_free(&lost[i]);
	buf_free(&rec);
	buf_free(&poll);
	buf_free(&a);
	buf_free(&b);
	for (int i = 0; i < 2; i++) {
		const char *db = i ? db2 : db1;
		unlink(db);
		snprintf(path, sizeof(path), "%s-wal", db);
		unlink(path);
		snprintf(path, sizeof(path), "%s-shm", db);
		unlink(path);
	}
}

/* One poll of a hosted race at ET et; with the standings of its two cars when cars is set. */
static void
hosted_poll(struct buf *out, double et, int cars)
{
	buf_reset(out);
	buf_printf(out, "{\"/rest/watch/sessionInfo\":{\"session\":\"RACE1\",\"trackName\":"
	    "\"Test Ring\",\"serverName\":\"Host\",\"serverPort\":64297,\"currentEventTime\":%g,"
	    "\"endEventTime\":3600,\"gamePhase\":5},\"/rest/watch/standings\":[", et);
	if (cars)
		buf_printf(out, "{\"slotID\":0,\"vehicleFilename\":\"CAR_A.veh\",\"driverName\":"
		    "\"Ann\",\"position\":1,\"lapsCompleted\":0},{\"slotID\":1,\"vehicleFilename\":"
		    "\"CAR_B.veh\",\"driverName\":\"Bob\",\"position\":2,\"lapsCompleted\":0}");
	buf_printf(out, "],\"/rest/multiplayer/teams\":{\"coherenceId\":7,\"teams\":{"
	    "\"utid37\":{\"Id\":\"t37\",\"carNumber\":\"1\",\"name\":\"Team A\",\"vehicle\":"
	    "\"CAR_A.veh\",\"drivers\":{\"Ann\":{\"roles\":[\"Driver\"]}}},"
	    "\"utid38\":{\"Id\":\"t38\",\"carNumber\":\"2\",\"name\":\"Team B\",\"vehicle\":"
	    "\"CAR_B.veh\",\"drivers\":{\"Bob\":{\"roles\":[\"Driver\"]}}}},\"drivers\":{}}}");
}

#define STATE_FRAMES	5
static const struct { double at, et; int cars; } state_f[STATE_FRAMES] = {
	{ 1000, 100, 1 }, { 1003, 100, 1 }, { 1006, 100, 1 }, { 1008, 108, 0 }, { 1009, 109, 1 },
};
static int fault_left;		/* times frame 4 fails */

/* The test fault: frame 4 fails while fault_left says so. */
static int
fault_frame4(const char *client, long long seq)
{
	(void)client;
	if (seq == 4 && fault_left > 0) {
		fault_left--;
		return -1;
	}
	return 1;
}

/* Frame i of the hosted race as an inbox record in rec. */
static void
state_frame(struct buf *rec, struct buf *poll, size_t i)
{
	hosted_poll(poll, state_f[i].et, state_f[i].cars);
	rec_frame(rec, "clientS", (long long)i + 1, state_f[i].at, poll->p, poll->len);
}

/*
 * Drains the inbox as trackside-ingestd does, frames [from, to) appended
 * first. Returns 1, or 0 when it cannot.
 */
static int
state_drain(struct worker *w, struct inbox_writer *iw, size_t from, size_t to)
{
	struct buf	 rec = { 0 }, poll = { 0 };
	unsigned long	 ticket = 0;
	int		 more, rc = 1;

	for (size_t i = from; i < to && rc; i++) {
		const char *nl;
		state_frame(&rec, &poll, i);
		nl = memchr(rec.p, '\n', rec.len);
		rc = inbox_append(iw, "clientS", (long long)i + 1, rec.p, (size_t)(nl - rec.p),
		    nl + 1, rec.len - (size_t)(nl + 1 - rec.p), &ticket) > 0;
	}
	if (rc && inbox_sync(iw, ticket) < 0)
		rc = 0;
	while (rc) {
		int n = worker_drain(w, &more);
		if (n < 0)
			rc = 0;
		else if (n == 0 && !more)
			break;
	}
	buf_free(&rec);
	buf_free(&poll);
	return rc;
}

/*
 * What the LMU source keeps per client survives a restart and the worker's
 * reload after a failed batch: in a hosted race whose entry list is
 * numbered from 37, ET stands still from 1000 on (the game loads); the
 * frame at 1006 is still loading, and the entry list seen again without
 * standings still joins its cars. Once without a break; once with a restart
 * after every frame; once through the inbox, where the batch of frames 3
 * to 5 fails on frame 4, is rolled back and applied again frame by frame
 * from the state reloaded as frame 2 left it. Every table the same.
 */
static void
state_case(void)
{
	struct worker		 w;
	struct inbox_writer	*iw = NULL;
	struct buf		 poll = { 0 }, rec = { 0 }, a = { 0 }, b = { 0 };
	char			 db[3][256], inbox[256], cmd[300];
	int			 same = 1;

	snprintf(inbox, sizeof(inbox), "/tmp/t_track_resume.%d.inbox", (int)getpid());
	for (int run = 0; run < 3; run++) {
		snprintf(db[run], sizeof(db[run]), "/tmp/t_track_resume.%d.s%d.db", (int)getpid(), run);
		unlink(db[run]);
	}
	for (int run = 0; run < 2; run++) {
		if (!open_worker(&w, db[run]))
			exit(1);
		for (size_t i = 0; i < STATE_FRAMES; i++) {
			state_frame(&rec, &poll, i);
			worker_apply(&w, rec.p, rec.len, "clientS", (long long)i + 1, 1);
			db_exec(w.db, "COMMIT", NULL);
			if (run == 1) {
				worker_close(&w);
				if (!open_worker(&w, db[run]))
					exit(1);
			} else
				db_exec(w.db, "BEGIN", NULL);
		}
		db_exec(w.db, "COMMIT", NULL);
		worker_close(&w);
	}
	if (inbox_init(inbox) < 0 || inbox_writer_open(&iw, inbox) < 0 ||
	    !worker_open(&w, db[2], inbox, &a))
		exit(1);
	w.fault = fault_frame4;
	fault_left = 1;
	if (!state_drain(&w, iw, 0, 2) || !state_drain(&w, iw, 2, STATE_FRAMES) ||
	    fault_left != 0) {
		diag("the inbox run did not go through its failed batch");
		same = 0;
	}
	worker_close(&w);
	inbox_writer_close(iw);
	for (int run = 1; run < 3; run++)
		for (size_t t = 0; t < NTABLES; t++) {
			sqlite3 *x, *y;
			sqlite3_open(db[0], &x);
			sqlite3_open(db[run], &y);
			dump(x, tables[t].sql, &a);
			dump(y, tables[t].sql, &b);
			if (strcmp(a.p, b.p) != 0) {
				diag("%s: %s differ", run == 1 ? "restarts" : "reload", tables[t].name);
				first_diff(a.p, b.p);
				same = 0;
			}
			sqlite3_close(x);
			sqlite3_close(y);
		}
	ok(same, "restarts between frames and the reload after a failed batch keep the source's "
	    "state per client: loading and the entry list's slots as without a break");
	for (int run = 0; run < 3; run++)
		db_remove(db[run]);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", inbox);
	if (system(cmd) != 0)
		diag("could not remove %s", inbox);
	buf_free(&poll);
	buf_free(&rec);
	buf_free(&a);
	buf_free(&b);
}

int
main(void)
{
	char path[4096];

	log_init("t_track_resume", 1, LOG_LVL_WARN);
	snprintf(path, sizeof(path), "%s/sebring-school-race-A.jsonl.gz", data_dir());
	if (access(path, R_OK) != 0) {
		printf("1..0 # SKIP no recordings in %s\n", data_dir());
		return 0;
	}
	tap_plan(2 * (3 + (int)NTABLES) + 1);
	state_case();
	/* A race with stops, a swap and strategy data. */
	resume_case("sebring-school-race-A.jsonl.gz", 1, CUTS_PITS, 0);
	/* Practice, the loading polls, and qualifying begins. */
	resume_case("sebring-school-weekend.jsonl.gz", 0, CUTS_NEXT, 300);
	return tap_done();
}
