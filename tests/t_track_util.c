/*
 * Helpers of the tracking tests and the tracking benchmark: recordings
 * read poll by poll, polls wrapped as the inbox records worker_apply()
 * takes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "tap.h"

#include "db.h"
#include "ingest.h"
#include "source.h"
#include "t_track_util.h"

/* Reads one line into r->line. Returns 1, or 0 at the end. */
static int
rec_line(struct rec_reader *r)
{
	char chunk[65536];

	buf_reset(&r->line);
	while (gzgets(r->gz, chunk, sizeof(chunk)) != NULL) {
		size_t n = strlen(chunk);
		buf_add(&r->line, chunk, n);
		if (n > 0 && chunk[n - 1] == '\n')
			return 1;
	}
	return r->line.len > 0;
}

/*
 * Opens a recording and reads its header. Returns 1, or 0 when it cannot
 * be read or is not a recording; rec_close() releases it.
 */
int
rec_open(struct rec_reader *r, const char *path)
{
	const char *c;

	memset(r, 0, sizeof(*r));
	if ((r->gz = gzopen(path, "rb")) == NULL)
		return 0;
	gzbuffer(r->gz, 1 << 17);
	if (!rec_line(r) || strstr(r->line.p, "\"lmu-recording\"") == NULL)
		return 0;
	if ((c = strstr(r->line.p, "\"created\":\"")) != NULL) {
		char iso[40];
		snprintf(iso, sizeof(iso), "%.24s", c + 11);
		if (!time_iso_parse(iso, &r->created))
			r->created = 0;
	}
	return 1;
}

/*
 * Reads the next poll: r->t and r->responses (pointing into r->line).
 * Returns 1, or 0 at the end.
 */
int
rec_next(struct rec_reader *r)
{
	const char *p, *resp;
	size_t len;

	while (rec_line(r)) {
		p = r->line.p;
		len = r->line.len;
		while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		if (strncmp(p, "{\"t\":", 5) != 0 ||
		    (resp = strstr(p, "\"responses\":")) == NULL || p[len - 1] != '}')
			continue;
		r->t = strtod(p + 5, NULL);
		r->responses = resp + 12;
		r->rlen = (size_t)(p + len - 1 - r->responses);
		return 1;
	}
	r->eof = 1;
	return 0;
}

void
rec_close(struct rec_reader *r)
{
	if (r->gz != NULL)
		gzclose(r->gz);
	buf_free(&r->line);
	memset(r, 0, sizeof(*r));
}

/*
 * Writes an inbox record "<header>\n<frame>" for one poll of client at
 * wall time at into out (reset first).
 */
void
rec_frame(struct buf *out, const char *client, long long seq, double at, const char *responses,
    size_t rlen)
{
	char iso[32];

	time_iso(at, iso);
	buf_reset(out);
	buf_printf(out, "{\"token\":0,\"received_at\":%.3f}\n{\"v\":1,\"client\":{\"id\":\"%s\","
	    "\"name\":\"%s\",\"version\":\"test\"},\"seq\":%lld,\"captured_at\":\"%s\","
	    "\"source\":\"lmu\",\"data\":", at, client, client, seq, iso);
	buf_add(out, responses, rlen);
	buf_putc(out, '}');
}

/* The first column of the first row of sql on db, or -1. */
long long
db_count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;
	long long	 n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Removes a test database with its -wal and -shm files. */
void
db_remove(const char *path)
{
	char p[4096];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* The recordings directory: $top_srcdir/../shared/data/recordings. */
const char *
data_dir(void)
{
	static char dir[4096];
	const char *top = getenv("top_srcdir");

	snprintf(dir, sizeof(dir), "%s/../shared/data/recordings", top ? top : ".");
	return dir;
}

/*
 * Runs one recording through the worker, as client name, into a fresh
 * database at dir/name.db: every poll an inbox record, committed in
 * batches, then a tick an hour after the last poll, when every session has
 * gone quiet. Before a poll goes in, each(arg, reader) sees it when each is
 * not NULL. Then opens *ro read-only on that database, closing what *ro
 * had. Returns 1; 0 when it cannot (diag says why); -1 when the recording
 * is not in data_dir().
 */
int
rec_load(sqlite3 **ro, const char *dir, const char *name, const char *file,
    void (*each)(void *, const struct rec_reader *), void *arg)
{
	struct rec_reader	 r;
	struct worker		 w;
	struct buf		 err = { 0 }, rec = { 0 };
	char			 path[4096], db[4096];
	long long		 seq = 0;
	int			 rc = 1;

	snprintf(path, sizeof(path), "%s/%s", data_dir(), file);
	snprintf(db, sizeof(db), "%s/%s.db", dir, name);
	if (access(path, R_OK) != 0)
		return -1;
	if (!rec_open(&r, path)) {
		diag("%s: cannot read", path);
		rec_close(&r);
		return 0;
	}
	if (!worker_open(&w, db, "/nonexistent", &err)) {
		diag("%s: %s", db, err.p ? err.p : "cannot open");
		rec_close(&r);
		buf_free(&err);
		return 0;
	}
	db_exec(w.db, "BEGIN", NULL);
	while (rc && rec_next(&r)) {
		double at = r.created + r.t;
		if (each != NULL)
			each(arg, &r);
		rec_frame(&rec, name, ++seq, at, r.responses, r.rlen);
		if (worker_apply(&w, rec.p, rec.len, name, seq, 1) < 0) {
			diag("worker_apply: %s", sqlite3_errmsg(w.db));
			rc = 0;
		}
		ingest_tick(w.ing, at);
		if (seq % 500 == 0) {
			db_exec(w.db, "COMMIT", NULL);
			db_exec(w.db, "BEGIN", NULL);
		}
	}
	db_exec(w.db, "COMMIT", NULL);
	db_exec(w.db, "BEGIN", NULL);
	ingest_tick(w.ing, r.created + r.t + 3600);
	db_exec(w.db, "COMMIT", NULL);
	worker_close(&w);
	rec_close(&r);
	buf_free(&rec);
	if (rc) {
		db_close(*ro);
		*ro = NULL;
		if (!db_open(ro, db, DB_RO, &err)) {
			diag("%s: %s", db, err.p ? err.p : "cannot open");
			rc = 0;
		}
	}
	buf_free(&err);
	return rc;
}

/* Skips the tests of recording name when the recordings are not there. */
void
rec_skip(const char *name, int tests)
{
	for (int i = 0; i < tests; i++)
		skip_data("%s: no recordings in %s", name, data_dir());
}

/* A frame of a session: type (the game's word) at ET et, online or not; no cars yet. */
void
tobs_session(struct tobs *b, const char *type, double et, int online)
{
	memset(b, 0, sizeof(*b));
	b->o.has_session = 1;
	lmu_session_type(type, &b->o.kind, &b->o.kind_n);
	b->o.track = "Test Ring";
	b->o.server = online ? "Test Server" : "";
	b->o.port = online ? 64297 : 0;
	b->o.online = online;
	b->o.has_teams = online;
	b->o.et = et;
	b->o.phase = PHASE_GREEN;
	b->o.end_et = 3600;
	b->o.remaining = 3600 - et;
	b->o.air = 20;
	b->o.track_temp = 25;
	b->o.rain = 0;
	b->o.wetness = 0;
	b->o.coherence = -1;
	b->o.cars = b->cars;
	b->o.has_standings = 1;
	b->o.entries = b->entries;
	b->o.members = b->members;
	b->o.chat = b->chat;
	b->o.stops = b->stops;
	b->o.usage = b->usage;
	b->o.hist = b->hist;
}

/* A car in the frame, running on track in class GT3. */
struct obs_car *
tobs_car(struct tobs *b, int slot, const char *veh, const char *driver, int laps)
{
	struct obs_car *c = &b->cars[b->o.ncars++];

	memset(c, 0, sizeof(*c));
	c->slot = slot;
	snprintf(c->veh, sizeof(c->veh), "%s", veh);
	c->vehicle_name = veh;
	c->number = "1";
	c->team = veh;
	c->cls = "GT3";
	c->driver = driver;
	c->position = (int)b->o.ncars;
	c->laps = laps;
	c->last = c->last_s1 = c->last_s2 = c->cur_s1 = c->cur_s2 = c->best = -1;
	c->fuel = 0.5;
	c->ve = -1;
	c->cuts = c->collisions = -1;
	c->lap_start_et = -1;
	c->sector = 1;
	return c;
}

/* An entry list row with one member (driver role), for the car in slot id. */
struct obs_entry *
tobs_entry(struct tobs *b, int id, const char *veh, const char *name, const char *member)
{
	struct obs_entry	*e = &b->entries[b->o.nentries++];
	struct obs_member	*m = &b->members[b->o.nmembers];

	memset(e, 0, sizeof(*e));
	e->id = e->slot = id;
	e->team_id = "7";
	e->number = "1";
	e->name = name;
	snprintf(e->veh, sizeof(e->veh), "%s", veh);
	e->member0 = b->o.nmembers;
	if (member != NULL) {
		m->name = member;
		m->badge = "sr-clean";
		m->nationality = "FR";
		m->roles = ROLE_DRIVER | ROLE_ENGINEER;
		b->o.nmembers++;
		e->nmembers = 1;
	}
	return e;
}

void
tobs_chat(struct tobs *b, long long ts, const char *text)
{
	b->o.has_chat = 1;
	b->chat[b->o.nchat].ts = ts;
	b->chat[b->o.nchat].text = text;
	b->o.nchat++;
}

/* Feeds the frame of client at server time at (the client's clock agrees). */
enum drop
tfeed(struct track *t, const char *client, double at, struct tobs *b, struct tsession **s)
{
	struct track_in	 in;
	struct tsession	*dummy;
	static long long seq;

	memset(&in, 0, sizeof(in));
	in.client = client;
	in.seq = ++seq;
	in.received_at = at;
	in.captured_at = at;
	in.sim = "lmu";
	track_changes_reset(t);
	return track_frame(t, &in, &b->o, s ? s : &dummy);
}

/* How many changes of type the last frame produced. */
int
tcount(const struct track *t, enum change_type type)
{
	int n = 0;

	for (size_t i = 0; i < t->nch; i++)
		n += t->ch[i].type == type;
	return n;
}


static int
same(double a, double b)
{
	if (a <= 0 && b <= 0)
		return 1;
	return fabs(a - b) < 0.0005;
}

static double
jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The truth file named file in data_dir(), parsed (caller frees), or NULL. */
cJSON *
truth_load(const char *file)
{
	struct buf	 text = { 0 };
	char		 path[4096];
	cJSON		*truth = NULL;

	snprintf(path, sizeof(path), "%s/%s", data_dir(), file);
	if (file_read(path, 16u << 20, &text) > 0)
		truth = cJSON_ParseWithLength(text.p, text.len);
	if (truth == NULL)
		diag("%s: cannot read", path);
	buf_free(&text);
	return truth;
}

/* The race session of a truth file's JSON, or NULL. */
const cJSON *
truth_race(const cJSON *truth)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(truth, "sessions")) {
		const cJSON		*t = cJSON_GetObjectItemCaseSensitive(s, "type");
		enum session_kind	 kind;
		int			 n;
		/* The truth speaks the game's words ("RACE1"). */
		if (cJSON_IsString(t) && lmu_session_type(t->valuestring, &kind, &n) &&
		    kind == SK_RACE)
			return s;
	}
	return NULL;
}

static double
col(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_double(st, i);
}

#define SHOW(sc, ...) do { if ((sc)->shown++ < 25) diag(__VA_ARGS__); } while (0)

/*
 * The race control log of a car against its truth visits: each visit's
 * events (docs/pitwall.md) once, on the visit's lap, in the order of the
 * visits, and no others of those kinds.
 */
static void
compare_log(sqlite3 *db, long long car, int slot, const cJSON *pits, struct score *sc)
{
	struct buf	 want = { 0 }, got = { 0 };
	sqlite3_stmt	*st;
	const cJSON	*p;

	cJSON_ArrayForEach(p, pits) {
		int lap = (int)jnum(p, "lap");
		if (jnum(p, "garage_in") >= 0)
			buf_printf(&want, " garage_in:%d", lap);
		if (jnum(p, "pit_time") >= 0)
			buf_printf(&want, " pit_in:%d", lap);
		if (jnum(p, "stop_time") >= 0 && (jnum(p, "release_time") >= 0 || jnum(p, "exit_time") >= 0))
			buf_printf(&want, " stop:%d", lap);
		if (jnum(p, "exit_time") >= 0)
			buf_printf(&want, " pit_out:%d", lap);
		if (jnum(p, "garage_out") >= 0)
			buf_printf(&want, " garage_out:%d", lap);
	}
	/* by visit (ref "v<index>"), then in the order a visit's events are logged */
	sqlite3_prepare_v2(db, "SELECT kind, lap FROM race_log WHERE car_id = ? AND kind IN ('garage_in', "
	    "'pit_in', 'stop', 'pit_out', 'garage_out') ORDER BY CAST(substr(ref, 2) AS INTEGER), "
	    "CASE kind WHEN 'garage_in' THEN 0 WHEN 'pit_in' THEN 1 WHEN 'stop' THEN 2 "
	    "WHEN 'pit_out' THEN 3 ELSE 4 END", -1, &st, NULL);
	sqlite3_bind_int64(st, 1, car);
	while (sqlite3_step(st) == SQLITE_ROW)
		buf_printf(&got, " %s:%d", sqlite3_column_text(st, 0), sqlite3_column_int(st, 1));
	sqlite3_finalize(st);
	sc->log_cars++;
	if (strcmp(want.p ? want.p : "", got.p ? got.p : "") == 0)
		sc->log_ok++;
	else
		SHOW(sc, "slot %d race log:%s; truth:%s", slot, got.p ? got.p : "", want.p ? want.p : "");
	buf_free(&want);
	buf_free(&got);
}

/* Compares one truth car with the database car of (session, slot, veh). */
static void
compare_car(sqlite3 *db, const char *sid, const cJSON *tc, struct score *sc)
{
	sqlite3_stmt	*st;
	long long	 car = 0;
	int		 pos = 0, slot = (int)jnum(tc, "slot");
	const cJSON	*l, *laps = cJSON_GetObjectItemCaseSensitive(tc, "laps");
	const cJSON	*p, *pits = cJSON_GetObjectItemCaseSensitive(tc, "pits");
	int		 ntl = cJSON_GetArraySize(laps), ntp = cJSON_GetArraySize(pits);

	sqlite3_prepare_v2(db, "SELECT c.id, s.position FROM cars c JOIN car_state s ON s.car_id = c.id "
	    "WHERE c.session_id = ? AND c.slot = ? AND c.vehicle = ? ORDER BY c.id DESC", -1, &st, NULL);
	sqlite3_bind_text(st, 1, sid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, slot);
	sqlite3_bind_text(st, 3, jstr(tc, "veh"), -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		car = sqlite3_column_int64(st, 0);
		pos = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	sc->laps += ntl;
	sc->pits += ntp;
	if (car == 0) {
		SHOW(sc, "slot %d %s: no such car", slot, jstr(tc, "veh"));
		sc->positions_ok = 0;
		return;
	}
	if (pos != (int)jnum(tc, "final_position")) {
		SHOW(sc, "slot %d: final position %d, truth %d", slot, pos, (int)jnum(tc, "final_position"));
		sc->positions_ok = 0;
	}
	/* Laps: by number; missing rows are not laps. */
	sqlite3_prepare_v2(db, "SELECT lap, time, s1, s2, s3, coalesce(driver, ''), valid, pit FROM laps "
	    "WHERE car_id = ? AND source <> 'missing' ORDER BY lap", -1, &st, NULL);
	sqlite3_bind_int64(st, 1, car);
	int ndb = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int n = sqlite3_column_int(st, 0), found = 0;
		ndb++;
		cJSON_ArrayForEach(l, laps) {
			if ((int)jnum(l, "lap") != n)
				continue;
			found = 1;
			const cJSON *valid = cJSON_GetObjectItemCaseSensitive(l, "valid");
			const cJSON *pit = cJSON_GetObjectItemCaseSensitive(l, "pit");
			if (same(col(st, 1), jnum(l, "time")) && same(col(st, 2), jnum(l, "s1")) &&
			    same(col(st, 3), jnum(l, "s2")) && same(col(st, 4), jnum(l, "s3")) &&
			    strcmp((const char *)sqlite3_column_text(st, 5), jstr(l, "driver")) == 0 &&
			    sqlite3_column_int(st, 6) == cJSON_IsTrue(valid) &&
			    sqlite3_column_int(st, 7) == cJSON_IsTrue(pit))
				sc->laps_ok++;
			else
				SHOW(sc, "slot %d lap %d: %.3f %.3f %.3f %.3f %s v%d p%d; truth %.3f %.3f %.3f "
				    "%.3f %s v%d p%d", slot, n, col(st, 1), col(st, 2), col(st, 3), col(st, 4),
				    sqlite3_column_text(st, 5), sqlite3_column_int(st, 6),
				    sqlite3_column_int(st, 7), jnum(l, "time"), jnum(l, "s1"), jnum(l, "s2"),
				    jnum(l, "s3"), jstr(l, "driver"), cJSON_IsTrue(valid), cJSON_IsTrue(pit));
			break;
		}
		if (!found) {
			sc->laps_extra++;
			SHOW(sc, "slot %d lap %d: not in truth", slot, n);
		}
	}
	sqlite3_finalize(st);
	if (ndb - 0 < ntl)
		SHOW(sc, "slot %d: %d laps stored, truth %d", slot, ndb, ntl);
	/* Pits: in order; each truth visit must be there with every time. */
	sqlite3_prepare_v2(db, "SELECT lap, pit_time, stop_time, release_time, exit_time, garage_in, "
	    "garage_out, swap FROM pits WHERE car_id = ? ORDER BY id", -1, &st, NULL);
	sqlite3_bind_int64(st, 1, car);
	int k = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		p = cJSON_GetArrayItem(pits, k);
		if (p != NULL && (int)jnum(p, "lap") == sqlite3_column_int(st, 0) &&
		    same(col(st, 1), jnum(p, "pit_time")) && same(col(st, 2), jnum(p, "stop_time")) &&
		    same(col(st, 3), jnum(p, "release_time")) && same(col(st, 4), jnum(p, "exit_time")) &&
		    same(col(st, 5), jnum(p, "garage_in")) && same(col(st, 6), jnum(p, "garage_out")) &&
		    sqlite3_column_int(st, 7) == cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "swap"))) {
			sc->pits_ok++;
			k++;
			continue;
		}
		SHOW(sc, "slot %d pit: lap %d %.1f %.1f %.1f %.1f garage %.1f %.1f; truth[%d] lap %d %.1f "
		    "%.1f %.1f %.1f garage %.1f %.1f", slot, sqlite3_column_int(st, 0), col(st, 1),
		    col(st, 2), col(st, 3), col(st, 4), col(st, 5), col(st, 6), k,
		    p ? (int)jnum(p, "lap") : -1, p ? jnum(p, "pit_time") : 0, p ? jnum(p, "stop_time") : 0,
		    p ? jnum(p, "release_time") : 0, p ? jnum(p, "exit_time") : 0,
		    p ? jnum(p, "garage_in") : 0, p ? jnum(p, "garage_out") : 0);
		sc->pits_extra++;
		if (p != NULL && (int)jnum(p, "lap") < sqlite3_column_int(st, 0))
			k++;
	}
	sqlite3_finalize(st);
	(void)ntp;
	compare_log(db, car, slot, pits, sc);
}

/*
 * Compares the database with a truth file (spec/lmu-recording.md) into sc;
 * prints the first differences as TAP diagnostics.
 */
void
truth_compare(sqlite3 *db, const char *truth_path, struct score *sc)
{
	struct buf	 b = { 0 };
	cJSON		*truth, *ts;
	sqlite3_stmt	*st;
	char		 ids[16][TRACK_ID_LEN + 1];
	char		 types[16][32];
	int		 n = 0, links = 0, nt;

	memset(sc, 0, sizeof(*sc));
	sc->chat_ok = sc->positions_ok = 1;
	if (file_read(truth_path, 1 << 24, &b) <= 0 || (truth = cJSON_Parse(b.p)) == NULL) {
		diag("cannot read %s", truth_path);
		buf_free(&b);
		return;
	}
	buf_free(&b);
	sqlite3_prepare_v2(db, "SELECT id, type, next_id IS NOT NULL FROM sessions ORDER BY started_at",
	    -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW && n < 16) {
		snprintf(ids[n], sizeof(ids[n]), "%s", sqlite3_column_text(st, 0));
		snprintf(types[n], sizeof(types[n]), "%s", sqlite3_column_text(st, 1));
		links += sqlite3_column_int(st, 2);
		n++;
	}
	sqlite3_finalize(st);
	ts = cJSON_GetObjectItemCaseSensitive(truth, "sessions");
	nt = cJSON_GetArraySize(ts);
	sc->sessions_ok = n == nt;
	sc->transitions_ok = links == nt - 1;
	if (!sc->sessions_ok || !sc->transitions_ok)
		diag("%d sessions with %d transitions; truth %d sessions", n, links, nt);
	for (int i = 0; i < nt; i++) {
		const cJSON *tsn = cJSON_GetArrayItem(ts, i), *tc;
		const char *sid = NULL;
		enum session_kind kind;
		int kn;
		char type[16];
		/* The truth speaks the game's words ("RACE1"), the database ours. */
		lmu_session_type(jstr(tsn, "type"), &kind, &kn);
		session_type_format(kind, kn, type, sizeof(type));
		for (int k = 0; k < n && sid == NULL; k++)
			if (strcmp(types[k], type) == 0)
				sid = ids[k];
		if (sid == NULL) {
			diag("no %s session", jstr(tsn, "type"));
			sc->sessions_ok = 0;
			cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(tsn, "cars")) {
				sc->laps += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tc, "laps"));
				sc->pits += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tc, "pits"));
			}
			continue;
		}
		sqlite3_prepare_v2(db, "SELECT count(*) FROM chat WHERE session_id = ?", -1, &st, NULL);
		sqlite3_bind_text(st, 1, sid, -1, SQLITE_STATIC);
		sqlite3_step(st);
		if (sqlite3_column_int(st, 0) != (int)jnum(tsn, "chat_lines")) {
			diag("%s: %d chat lines, truth %d", jstr(tsn, "type"), sqlite3_column_int(st, 0),
			    (int)jnum(tsn, "chat_lines"));
			sc->chat_ok = 0;
		}
		sqlite3_finalize(st);
		cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(tsn, "cars"))
			compare_car(db, sid, tc, sc);
	}
	cJSON_Delete(truth);
}


/*
 * The responses of one LMU poll of a race with ncars cars (slots 0..n-1,
 * "GRID_<slot>" each, the "Grid <ncars>" server) at ET et: what a big grid
 * sends. Replaces out's contents.
 */
void
grid_responses(struct buf *out, int ncars, double et)
{
	buf_reset(out);
	buf_printf(out, "{\"/rest/watch/sessionInfo\":{\"currentEventTime\":%.1f,"
	    "\"endEventTime\":86400.0,\"gamePhase\":5,\"lapDistance\":13626.0,\"maxTime\":86400.0,"
	    "\"maximumLaps\":4294967295,\"numberOfVehicles\":%d,\"serverName\":\"Grid %d\","
	    "\"serverPort\":64297,\"session\":\"RACE1\",\"timeRemainingInGamePhase\":%.1f,"
	    "\"trackName\":\"Circuit de la Sarthe\"},\"/rest/watch/standings\":[",
	    et, ncars, ncars, 86400.0 - et);
	for (int i = 0; i < ncars; i++)
		buf_printf(out, "%s{\"bestLapTime\":-1.0,\"carClass\":\"%s\",\"carNumber\":\"%d\","
		    "\"driverName\":\"Driver %d\",\"finishStatus\":\"FSTAT_NONE\",\"fullTeamName\":"
		    "\"Team %d\",\"inGarageStall\":false,\"lapDistance\":%.1f,\"lapsCompleted\":0,"
		    "\"pitState\":\"NONE\",\"position\":%d,\"sector\":\"SECTOR1\",\"slotID\":%d,"
		    "\"vehicleFilename\":\"GRID_%d.veh\",\"vehicleName\":\"Grid car %d\"}",
		    i ? "," : "", i % 3 == 0 ? "Hypercar" : i % 3 == 1 ? "LMP2" : "GT3", i + 1, i, i,
		    10.0 * i + et, i + 1, i, i, i);
	buf_puts(out, "]}");
}
