/*
 * Views of a session built from SQLite: header, standings rows with best
 * marks, laps, pits, chat, the live sessions list. trackside-fcgi renders
 * them as pages and JSON; trackside-ingestd sends them as live snapshots
 * and diffs them into deltas, so both show the same thing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trackside.h"
#include "db.h"
#include "view.h"

const char *const view_phase_names[VIEW_PHASE_N] = {
	[PHASE_STARTING] = "before session", [PHASE_RECON] = "reconnaissance laps",
	[PHASE_GRID] = "grid walk", [PHASE_FORMATION] = "formation lap",
	[PHASE_COUNTDOWN] = "countdown", [PHASE_GREEN] = "green flag",
	[PHASE_FCY] = "full course yellow", [PHASE_STOPPED] = "session stopped",
	[PHASE_CHECKERED] = "session over", [PHASE_PAUSED] = "paused",
};

#define ROW_COLUMNS \
	"c.id AS car, c.slot, c.number, c.team, c.vehicle_name AS vehicle, " \
	"c.vehicle AS veh, c.class, s.driver, " \
	"EXISTS (SELECT 1 FROM known_drivers k WHERE k.name = s.driver) AS known, " \
	"s.position, s.class_position, s.laps, " \
	"s.gap, s.gap_laps, s.interval, s.interval_laps, s.class_gap, s.class_gap_laps, " \
	"s.best, s.last, s.s1, s.s2, s.s3, " \
	"s.pits, s.stint_laps, s.status, s.pit_state, " \
	/* the tyres the game reports, else the compound of the car's last stop */ \
	"coalesce(s.tyres, (SELECT p.tyres FROM pits p WHERE p.car_id = c.id AND p.tyres IS NOT NULL " \
	"ORDER BY p.lap DESC, p.id DESC LIMIT 1)) AS tyres, s.fuel, s.ve, s.finish, " \
	"s.present, s.x, s.z, s.lap_dist / NULLIF(se.track_length, 0) AS progress " \
	"FROM cars c JOIN car_state s ON s.car_id = c.id JOIN sessions se ON se.id = c.session_id "

/*
 * A line of the live sessions list. A session an admin hid is not in that
 * list: its line says it is not live, which takes it off the list.
 */
#define SUMMARY_COLUMNS \
	"id, name, sim, track, type, online, server, started_at, last_update, et, phase, " \
	"remaining, finished, state = 'live' AND NOT hidden AS live, state, cars, laps, " \
	"clients, next_id AS next FROM sessions "

#define BEST_COLUMNS \
	"min(CASE WHEN l.valid AND l.time > 0 THEN l.time END) AS best, " \
	"min(CASE WHEN l.valid AND l.s1 > 0 THEN l.s1 END) AS s1, " \
	"min(CASE WHEN l.valid AND l.s2 > 0 THEN l.s2 END) AS s2, " \
	"min(CASE WHEN l.valid AND l.s3 > 0 THEN l.s3 END) AS s3 "

/* A race_log row as a log entry (see view_log_entry). */
#define VIEW_LOG_COLUMNS \
	"et, at, kind, NULLIF(car_id, 0) AS car, number, class, lap, driver, text, data"

static const char *const view_sql[VIEW_SQL__MAX] = {
	[VIEW_SQL_HEADER] = "SELECT id, name, sim, track, type, online, server, server_port, "
	    "started_at, last_update, et, phase, remaining, max_time, max_laps, track_length, "
	    "finished, state = 'live' AS live, state, cars, laps, clients, next_id AS next, "
	    "prev_id AS prev, air_temp, track_temp, raining, wetness, sector_flags "
	    "FROM sessions WHERE id = ?",
	[VIEW_SQL_ROWS] = "SELECT " ROW_COLUMNS "WHERE c.session_id = ? "
	    "ORDER BY s.position IS NULL, s.position, c.slot",
	[VIEW_SQL_ROW] = "SELECT " ROW_COLUMNS "WHERE c.id = ?",
	[VIEW_SQL_CAR_BESTS] = "SELECT l.car_id AS car, " BEST_COLUMNS
	    "FROM laps l WHERE l.car_id = ?",
	[VIEW_SQL_SESSION_BESTS] = "SELECT c.class, " BEST_COLUMNS
	    "FROM laps l JOIN cars c ON c.id = l.car_id WHERE c.session_id = ? "
	    "GROUP BY c.class ORDER BY c.class",
	[VIEW_SQL_LAP] = "SELECT car_id AS car, lap, time, s1, s2, s3, driver, valid, pit, "
	    "position, fuel, ve, tyres FROM laps WHERE car_id = ? AND lap = ?",
	[VIEW_SQL_PIT] = "SELECT car_id AS car, lap, pit_time, stop_time, release_time, "
	    "exit_time, garage_in, garage_out, swap, driver_in, driver_out, tyres, fuel, ve, "
	    "duration, penalty FROM pits WHERE id = ?",
	[VIEW_SQL_CHAT] = "SELECT at, text FROM (SELECT ts / 10000000.0 AS at, ts, text "
	    "FROM chat WHERE session_id = ?1 ORDER BY ts DESC, text DESC LIMIT ?2) "
	    "ORDER BY ts, text",
	[VIEW_SQL_LIVE] = "SELECT " SUMMARY_COLUMNS "WHERE state = 'live' AND NOT hidden "
	    "ORDER BY started_at DESC, id DESC LIMIT 200",
	[VIEW_SQL_SUMMARY] = "SELECT " SUMMARY_COLUMNS "WHERE id = ?",
	[VIEW_SQL_MAP] = "SELECT s.track, s.track_length, m.points, "
	    "(SELECT lap_dist FROM sector_bounds b WHERE b.track = s.track AND b.sector = 1), "
	    "(SELECT lap_dist FROM sector_bounds b WHERE b.track = s.track AND b.sector = 2) "
	    "FROM sessions s LEFT JOIN track_maps m ON m.track = s.track WHERE s.id = ?",
	[VIEW_SQL_ENTRIES] = "SELECT e.utid, e.number, e.name AS team, e.vehicle AS veh, "
	    "c.vehicle_name AS vehicle, c.class, e.car_id AS car FROM entries e "
	    "LEFT JOIN cars c ON c.id = e.car_id WHERE e.session_id = ? "
	    "ORDER BY CAST(e.number AS INTEGER), e.number, e.utid",
	[VIEW_SQL_MEMBERS] = "SELECT m.utid, m.name, m.badge, m.nationality, m.roles, "
	    "EXISTS (SELECT 1 FROM known_drivers k WHERE k.name = m.name) AS known "
	    "FROM entry_members m WHERE m.session_id = ? ORDER BY m.utid, m.name",
	[VIEW_SQL_LOG] = "SELECT " VIEW_LOG_COLUMNS " FROM (SELECT * FROM race_log "
	    "WHERE session_id = ?1 ORDER BY et DESC, id DESC LIMIT ?2) ORDER BY et, id",
};

static const char *const header_bools[] = { "online", "finished", "live" };
static const char *const row_bools[] = { "known" };
static const char *const lap_bools[] = { "valid", "pit" };
static const char *const pit_bools[] = { "swap", "penalty" };

void
view_init(struct view *v, sqlite3 *db)
{
	memset(v, 0, sizeof(*v));
	v->db = db;
}

/* Finalizes the statements; the database stays open. */
void
view_free(struct view *v)
{
	for (size_t i = 0; i < VIEW_SQL__MAX; i++)
		sqlite3_finalize(v->st[i]);
	memset(v->st, 0, sizeof(v->st));
}

/*
 * The statement, prepared on first use, with its bindings cleared, or NULL
 * on an error. Every function here leaves it reset when it returns (see
 * db_step): trackside-ingestd reads these views on its writing connection.
 */
static sqlite3_stmt *
view_stmt(struct view *v, enum view_sql which)
{
	if (v->st[which] == NULL) {
		if (sqlite3_prepare_v3(v->db, view_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
		    &v->st[which], NULL) != SQLITE_OK)
			return NULL;
	} else {
		sqlite3_reset(v->st[which]);
		sqlite3_clear_bindings(v->st[which]);
	}
	return v->st[which];
}

/* x rounded to 1/per (per = 1000: milliseconds), as the nearest double. */
static double
round_to(double x, double per)
{
	return round(x * per) / per;
}

/*
 * The current row of st as a new object keyed by column names: NULL is
 * null, REAL is rounded to the millisecond, positions (x, z) to the
 * decimetre and lap progress to a thousandth. NULL when memory runs out.
 */
cJSON *
view_row_json(sqlite3_stmt *st)
{
	cJSON	*o = cJSON_CreateObject();
	int	 n = sqlite3_column_count(st);

	if (o == NULL)
		return NULL;
	for (int i = 0; i < n; i++) {
		const char *k = sqlite3_column_name(st, i);
		double d;
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			cJSON_AddNumberToObject(o, k, (double)sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			d = sqlite3_column_double(st, i);
			if (strcmp(k, "x") == 0 || strcmp(k, "z") == 0)
				d = round_to(d, 10);
			else if (strcmp(k, "progress") == 0)
				d = round_to(d < 0 ? 0 : d > 1 ? 1 : d, 1000);
			else
				d = round_to(d, 1000);
			cJSON_AddNumberToObject(o, k, d);
			break;
		case SQLITE_TEXT:
			cJSON_AddStringToObject(o, k, (const char *)sqlite3_column_text(st, i));
			break;
		default:
			cJSON_AddNullToObject(o, k);
			break;
		}
	}
	return o;
}

/* Turns 0/1 numbers of the named keys into JSON booleans. */
void
view_bools(cJSON *o, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
		if (cJSON_IsNumber(v))
			cJSON_ReplaceItemInObjectCaseSensitive(o, keys[i],
			    cJSON_CreateBool(v->valuedouble != 0));
	}
}

/* Steps st once and resets it: 1 with the row as *out, 0 no row, -1 error. */
static int
view_one(sqlite3_stmt *st, cJSON **out)
{
	int rc = db_step(st);

	*out = NULL;
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	*out = view_row_json(st);
	sqlite3_reset(st);
	return *out != NULL ? 1 : -1;
}

/* Appends every row of st to arr and resets st. Returns 1 or -1. */
static int
view_all(sqlite3_stmt *st, cJSON *arr)
{
	int rc;

	while ((rc = db_step(st)) == SQLITE_ROW) {
		cJSON *o = view_row_json(st);
		if (o == NULL) {
			sqlite3_reset(st);
			return -1;
		}
		cJSON_AddItemToArray(arr, o);
	}
	return rc == SQLITE_DONE ? 1 : -1;
}

static const char *
view_flag_name(char c)
{
	switch (c) {
	case 'G': return "green";
	case 'Y': return "yellow";
	case 'R': return "red";
	case 'C': return "checkered";
	default: return "unknown";
	}
}

/*
 * Adds the derived header fields: booleans, "phase_name", what the source
 * and type mean (view_add_source) and "flags" (one object per sector with
 * its flag name).
 */
static void
view_header_derive(cJSON *o)
{
	cJSON *sf = cJSON_GetObjectItemCaseSensitive(o, "sector_flags");
	cJSON *flags;

	view_bools(o, header_bools, sizeof(header_bools) / sizeof(header_bools[0]));
	view_add_phase(o);
	view_add_source(o);
	flags = cJSON_AddArrayToObject(o, "flags");
	for (int i = 0; cJSON_IsString(sf) && i < 3 && sf->valuestring[i]; i++) {
		cJSON *f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "sector", i + 1);
		cJSON_AddStringToObject(f, "flag", view_flag_name(sf->valuestring[i]));
		cJSON_AddItemToArray(flags, f);
	}
}

/* The session header: the sessions row with derived fields. */
int
view_header(struct view *v, const char *id, cJSON **out)
{
	sqlite3_stmt	*st = view_stmt(v, VIEW_SQL_HEADER);
	int		 rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = view_one(st, out)) <= 0)
		return rc;
	view_header_derive(*out);
	return 1;
}

/* Sets or adds key of o to the number (or null when x is NAN). */
static void
view_set_num(cJSON *o, const char *key, double x)
{
	cJSON *n = isnan(x) ? cJSON_CreateNull() : cJSON_CreateNumber(x);

	if (cJSON_GetObjectItemCaseSensitive(o, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(o, key, n);
	else
		cJSON_AddItemToObject(o, key, n);
}

/* The number under key of o, or NAN. */
double
view_num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The string under key of o (borrowed from o), or NULL. */
const char *
view_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * The newest `limit` rows of statement which for session id into *out, an
 * array (empty when there are none or no such session). Returns 1 or -1.
 */
static int
view_recent(struct view *v, enum view_sql which, const char *id, int limit, cJSON **out)
{
	sqlite3_stmt *st = view_stmt(v, which);

	*out = NULL;
	if (st == NULL || (*out = cJSON_CreateArray()) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, limit);
	if (view_all(st, *out) < 0) {
		cJSON_Delete(*out);
		*out = NULL;
		return -1;
	}
	return 1;
}

/*
 * Copies the personal bests of the row of st (columns best, s1, s2, s3)
 * into row as pb_lap, pb_s1, pb_s2, pb_s3.
 */
static void
view_pb_copy(sqlite3_stmt *st, cJSON *row)
{
	static const char *const keys[4] = { "pb_lap", "pb_s1", "pb_s2", "pb_s3" };

	for (int i = 0; i < 4; i++) {
		int col = sqlite3_column_count(st) - 4 + i;
		view_set_num(row, keys[i], sqlite3_column_type(st, col) == SQLITE_NULL ? NAN :
		    round_to(sqlite3_column_double(st, col), 1000));
	}
}

/*
 * Adds the car's personal bests (pb_lap, pb_s1..pb_s3, null when none) to
 * row. Returns 1 or -1.
 */
int
view_car_bests(struct view *v, long long car, cJSON *row)
{
	sqlite3_stmt *st = view_stmt(v, VIEW_SQL_CAR_BESTS);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, car);
	if (db_step(st) != SQLITE_ROW)
		return -1;
	view_pb_copy(st, row);
	sqlite3_reset(st);
	return 1;
}

/*
 * One standings row, without the personal bests (view_car_bests adds them;
 * they change with laps only, and reading them costs the car's laps).
 * "known" tells whether its driver is in the known drivers list.
 */
int
view_row(struct view *v, long long car, cJSON **out)
{
	sqlite3_stmt	*st = view_stmt(v, VIEW_SQL_ROW);
	int		 rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, car);
	if ((rc = view_one(st, out)) == 1)
		view_bools(*out, row_bools, 1);
	return rc;
}

/* Whether a and b are the same time to the millisecond. */
static int
view_same(double a, double b)
{
	return !isnan(a) && !isnan(b) && a > 0 && fabs(a - b) < 0.0005;
}

static const cJSON *
view_class_best(const cJSON *bests, const char *cls)
{
	const cJSON *b;

	cJSON_ArrayForEach(b, bests) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(b, "class");
		if ((cls == NULL && cJSON_IsNull(c)) ||
		    (cls != NULL && cJSON_IsString(c) && strcmp(c->valuestring, cls) == 0))
			return b;
	}
	return NULL;
}

/*
 * Sets best_mark, last_mark, s1_mark, s2_mark, s3_mark of a standings row:
 * "sb" for the best of its class in the session (purple), "pb" for the
 * car's own best (green), "" otherwise.
 */
void
view_mark_row(cJSON *row, const cJSON *bests)
{
	static const char *const cols[5] = { "best", "last", "s1", "s2", "s3" };
	static const char *const marks[5] = { "best_mark", "last_mark", "s1_mark", "s2_mark",
	    "s3_mark" };
	static const char *const cb_keys[5] = { "best", "best", "s1", "s2", "s3" };
	static const char *const pb_keys[5] = { "pb_lap", "pb_lap", "pb_s1", "pb_s2", "pb_s3" };
	const cJSON	*cls = cJSON_GetObjectItemCaseSensitive(row, "class");
	const cJSON	*cb = view_class_best(bests, cJSON_IsString(cls) ? cls->valuestring : NULL);

	for (int i = 0; i < 5; i++) {
		double t = view_num(row, cols[i]);
		const char *m = "";
		if (cb != NULL && view_same(t, view_num(cb, cb_keys[i])))
			m = "sb";
		else if (i > 0 && view_same(t, view_num(row, pb_keys[i])))
			m = "pb";
		cJSON_DeleteItemFromObjectCaseSensitive(row, marks[i]);
		cJSON_AddStringToObject(row, marks[i], m);
	}
}

/* Marks every standings row of a session view (see view_mark_row). */
void
view_marks(cJSON *session)
{
	const cJSON	*bests = cJSON_GetObjectItemCaseSensitive(session, "bests");
	cJSON		*row;

	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(session, "standings"))
		view_mark_row(row, bests);
}

/*
 * The whole session as a page shows it: the header, "standings" (rows with
 * personal bests and marks), "bests" (per class: best, s1, s2, s3), the
 * recent "chat" and the recent race control "log".
 */
int
view_session(struct view *v, const char *id, cJSON **out)
{
	sqlite3_stmt	*st;
	cJSON		*o, *arr, *row, *chat;
	int		 rc;

	if ((rc = view_header(v, id, out)) <= 0)
		return rc;
	o = *out;
	arr = cJSON_AddArrayToObject(o, "standings");
	if ((st = view_stmt(v, VIEW_SQL_ROWS)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (view_all(st, arr) < 0)
		goto fail;
	cJSON_ArrayForEach(row, arr) {
		view_bools(row, row_bools, 1);
		if (view_car_bests(v, (long long)view_num(row, "car"), row) < 0)
			goto fail;
	}
	arr = cJSON_AddArrayToObject(o, "bests");
	if ((st = view_stmt(v, VIEW_SQL_SESSION_BESTS)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (view_all(st, arr) < 0)
		goto fail;
	if (view_chat(v, id, VIEW_CHAT_RECENT, &chat) < 0)
		goto fail;
	cJSON_AddItemToObject(o, "chat", chat);
	if (view_log(v, id, VIEW_LOG_RECENT, &chat) < 0)
		goto fail;
	cJSON_AddItemToObject(o, "log", chat);
	view_marks(o);
	return 1;
fail:
	cJSON_Delete(o);
	*out = NULL;
	return -1;
}

/* One recorded lap of a car. */
int
view_lap(struct view *v, long long car, int lap, cJSON **out)
{
	sqlite3_stmt	*st = view_stmt(v, VIEW_SQL_LAP);
	int		 rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, car);
	sqlite3_bind_int(st, 2, lap);
	if ((rc = view_one(st, out)) == 1)
		view_bools(*out, lap_bools, 2);
	return rc;
}

/* One pit or garage visit by its row id. */
int
view_pit(struct view *v, long long pit, cJSON **out)
{
	sqlite3_stmt	*st = view_stmt(v, VIEW_SQL_PIT);
	int		 rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, pit);
	if ((rc = view_one(st, out)) == 1)
		view_bools(*out, pit_bools, 2);
	return rc;
}

/*
 * The newest `limit` chat lines of a session, oldest first, as an array of
 * {"at": epoch seconds, "text"}. Returns 1 (an empty array when there is
 * no chat or no such session) or -1.
 */
int
view_chat(struct view *v, const char *id, int limit, cJSON **out)
{
	return view_recent(v, VIEW_SQL_CHAT, id, limit, out);
}

/*
 * Makes a race_log row read as view_row_json gave it a log entry: "data"
 * (stored as JSON text) becomes the object it holds, null when it is not
 * an object. The entry is then {"et", "at", "kind", "car" (cars.id, null
 * for the whole session), "number", "class", "lap", "driver", "text",
 * "data"}, the shape the live deltas carry.
 */
void
view_log_entry(cJSON *e)
{
	const cJSON	*d = cJSON_GetObjectItemCaseSensitive(e, "data");
	cJSON		*o = NULL;

	if (cJSON_IsString(d))
		o = cJSON_Parse(d->valuestring);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = cJSON_CreateNull();
	}
	if (cJSON_GetObjectItemCaseSensitive(e, "data") != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(e, "data", o);
	else
		cJSON_AddItemToObject(e, "data", o);
}

/*
 * The newest `limit` race control log entries of a session, oldest first
 * (by ET, then as written), as an array of entries (see view_log_entry).
 * Returns 1 (an empty array when there are none or no such session) or -1.
 */
int
view_log(struct view *v, const char *id, int limit, cJSON **out)
{
	cJSON *e;

	if (view_recent(v, VIEW_SQL_LOG, id, limit, out) < 0)
		return -1;
	cJSON_ArrayForEach(e, *out)
		view_log_entry(e);
	return 1;
}

/*
 * Adds "phase_name" (null when unknown) from a session object's "phase".
 */
void
view_add_phase(cJSON *o)
{
	cJSON *ph = cJSON_GetObjectItemCaseSensitive(o, "phase");

	if (cJSON_IsNumber(ph) && ph->valuedouble >= 0 && ph->valuedouble < VIEW_PHASE_N)
		cJSON_AddStringToObject(o, "phase_name", view_phase_names[(int)ph->valuedouble]);
	else
		cJSON_AddNullToObject(o, "phase_name");
}

/* The caps a session's "caps" names (lib/vocab.h's CAP_*). */
static const struct {
	unsigned	 cap;
	const char	*name;
} view_caps[] = {
	{ CAP_FUEL, "fuel" }, { CAP_VE, "ve" }, { CAP_WEAR, "wear" },
	{ CAP_COMPOUND, "compound" }, { CAP_SECTORS, "sectors" }, { CAP_PITS, "pits" },
	{ CAP_ENTRIES, "entries" }, { CAP_CLASSES, "classes" }, { CAP_TEAMS, "teams" },
	{ CAP_CHAT, "chat" },
};

/*
 * Adds what a session object's "sim" and "type" mean: "sim_label" (the
 * source's name for people; the stored word for a source we do not know),
 * "caps" (one boolean per thing the source reports, all true for an
 * unknown source: pages hide the columns of what it lacks), "kind" (the
 * session kind's name, "other" for a type that is none of ours) and
 * "type_label".
 */
void
view_add_source(cJSON *o)
{
	const cJSON		*sim = cJSON_GetObjectItemCaseSensitive(o, "sim");
	const cJSON		*type = cJSON_GetObjectItemCaseSensitive(o, "type");
	const char		*name = cJSON_IsString(sim) ? sim->valuestring : NULL;
	const char		*t = cJSON_IsString(type) ? type->valuestring : NULL;
	unsigned		 caps = source_caps_of(name);
	enum session_kind	 k = SK_OTHER;
	cJSON			*c;
	char			 label[48];
	int			 src = source_find(name), n;

	if (src >= 0)
		cJSON_AddStringToObject(o, "sim_label", source_labels[src]);
	else if (name != NULL)
		cJSON_AddStringToObject(o, "sim_label", name);
	else
		cJSON_AddNullToObject(o, "sim_label");
	if ((c = cJSON_AddObjectToObject(o, "caps")) != NULL)
		for (size_t i = 0; i < sizeof(view_caps) / sizeof(view_caps[0]); i++)
			cJSON_AddBoolToObject(c, view_caps[i].name, (caps & view_caps[i].cap) != 0);
	(void)session_type_parse(t, &k, &n);
	cJSON_AddStringToObject(o, "kind", session_kind_names[k]);
	session_type_label(t, label, sizeof(label));
	cJSON_AddStringToObject(o, "type_label", label);
}

static void
view_summary_derive(cJSON *o)
{
	view_bools(o, header_bools, sizeof(header_bools) / sizeof(header_bools[0]));
	view_add_phase(o);
	view_add_source(o);
}

/* One line of the sessions list. */
int
view_summary(struct view *v, const char *id, cJSON **out)
{
	sqlite3_stmt	*st = view_stmt(v, VIEW_SQL_SUMMARY);
	int		 rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = view_one(st, out)) == 1)
		view_summary_derive(*out);
	return rc;
}

/* The live sessions, newest first, as an array of summaries. Returns 1 or -1. */
int
view_live_sessions(struct view *v, cJSON **out)
{
	sqlite3_stmt	*st = view_stmt(v, VIEW_SQL_LIVE);
	cJSON		*o;

	*out = NULL;
	if (st == NULL || (*out = cJSON_CreateArray()) == NULL)
		return -1;
	if (view_all(st, *out) < 0) {
		cJSON_Delete(*out);
		*out = NULL;
		return -1;
	}
	cJSON_ArrayForEach(o, *out)
		view_summary_derive(o);
	return 1;
}

/* Distance between two [x, z] points. */
static double
view_dist(const cJSON *a, const cJSON *b)
{
	double dx = cJSON_GetArrayItem(a, 0)->valuedouble - cJSON_GetArrayItem(b, 0)->valuedouble;
	double dz = cJSON_GetArrayItem(a, 1)->valuedouble - cJSON_GetArrayItem(b, 1)->valuedouble;

	return sqrt(dx * dx + dz * dz);
}

static cJSON *
view_point(double x, double z)
{
	cJSON *p = cJSON_CreateArray();

	cJSON_AddItemToArray(p, cJSON_CreateNumber(round(x * 10.0) / 10.0));
	cJSON_AddItemToArray(p, cJSON_CreateNumber(round(z * 10.0) / 10.0));
	return p;
}

/*
 * The track map of a session: {"track", "length", "bounds": [end of S1,
 * end of S2] (lap distances, null when not learned), "line": [[x, z]...]
 * (the racing line from the start line on), "pit": [[[x, z]...]...] (pit
 * lane pieces, split where points are more than 10 m apart)}; "line" is
 * empty when the track outline is not known.
 */
int
view_map(struct view *v, const char *id, cJSON **out)
{
	sqlite3_stmt	*st = view_stmt(v, VIEW_SQL_MAP);
	cJSON		*o, *pts = NULL, *line, *pit, *bounds, *p, *piece = NULL, *last = NULL;
	int		 rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = db_step(st)) == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	if ((o = cJSON_CreateObject()) == NULL) {
		sqlite3_reset(st);
		return -1;
	}
	cJSON_AddStringToObject(o, "track", (const char *)sqlite3_column_text(st, 0));
	if (sqlite3_column_type(st, 1) == SQLITE_NULL)
		cJSON_AddNullToObject(o, "length");
	else
		cJSON_AddNumberToObject(o, "length", round_to(sqlite3_column_double(st, 1), 10));
	bounds = cJSON_AddArrayToObject(o, "bounds");
	for (int i = 3; i <= 4; i++)
		cJSON_AddItemToArray(bounds, sqlite3_column_type(st, i) == SQLITE_NULL ?
		    cJSON_CreateNull() : cJSON_CreateNumber(round_to(sqlite3_column_double(st, i), 10)));
	line = cJSON_AddArrayToObject(o, "line");
	pit = cJSON_AddArrayToObject(o, "pit");
	if (sqlite3_column_type(st, 2) == SQLITE_TEXT)
		pts = cJSON_ParseWithLength((const char *)sqlite3_column_text(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2));
	sqlite3_reset(st);
	if (!cJSON_IsArray(pts))
		cJSON_Delete(pts), pts = NULL;
	cJSON_ArrayForEach(p, pts) {
		cJSON *x = cJSON_GetArrayItem(p, 0), *z = cJSON_GetArrayItem(p, 1);
		cJSON *t = cJSON_GetArrayItem(p, 2);
		if (!cJSON_IsNumber(x) || !cJSON_IsNumber(z) || !cJSON_IsNumber(t))
			continue;
		cJSON *pt = view_point(x->valuedouble, z->valuedouble);
		if (t->valueint == 0) {
			cJSON_AddItemToArray(line, pt);
			continue;
		}
		if (t->valueint != 1) {
			cJSON_Delete(pt);
			continue;
		}
		if (piece == NULL || last == NULL || view_dist(last, pt) > 10.0) {
			piece = cJSON_CreateArray();
			cJSON_AddItemToArray(pit, piece);
		}
		cJSON_AddItemToArray(piece, pt);
		last = pt;
	}
	cJSON_Delete(pts);
	*out = o;
	return 1;
}

static const char *
view_role_name(char c)
{
	switch (c) {
	case 'D': return "driver";
	case 'E': return "engineer";
	case 'A': return "admin";
	case 'O': return "owner";
	default: return NULL;
	}
}

/*
 * The entry list: [{"utid", "number", "team", "veh", "vehicle", "class",
 * "car", "members": [{"name", "badge", "nationality", "roles": [...],
 * "known"}]}], empty when the session has none (offline).
 */
int
view_entries(struct view *v, const char *id, cJSON **out)
{
	sqlite3_stmt	*st;
	cJSON		*arr, *e, *m;
	int		 rc;

	*out = NULL;
	if ((st = view_stmt(v, VIEW_SQL_ENTRIES)) == NULL || (arr = cJSON_CreateArray()) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (view_all(st, arr) < 0)
		goto fail;
	cJSON_ArrayForEach(e, arr)
		cJSON_AddArrayToObject(e, "members");
	if ((st = view_stmt(v, VIEW_SQL_MEMBERS)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		double utid = (double)sqlite3_column_int64(st, 0);
		if ((m = view_row_json(st)) == NULL) {
			sqlite3_reset(st);
			goto fail;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(m, "utid");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(m, "roles");
		cJSON *roles = cJSON_CreateArray();
		for (const char *c = cJSON_IsString(r) ? r->valuestring : ""; *c; c++)
			if (view_role_name(*c) != NULL)
				cJSON_AddItemToArray(roles, cJSON_CreateString(view_role_name(*c)));
		cJSON_ReplaceItemInObjectCaseSensitive(m, "roles", roles);
		view_bools(m, (const char *const[]){ "known" }, 1);
		cJSON_ArrayForEach(e, arr)
			if (view_num(e, "utid") == utid)
				break;
		if (e == NULL)
			cJSON_Delete(m);
		else
			cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(e, "members"), m);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	*out = arr;
	return 1;
fail:
	cJSON_Delete(arr);
	return -1;
}
