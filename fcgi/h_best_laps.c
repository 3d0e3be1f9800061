/*
 * GET /best-laps and /api/v1/best-laps: the best lap of each driver in each
 * car at a track, across sessions, with its sectors and the driver's best
 * sectors in that car. Filters: track (required), since, class, type,
 * known (known drivers only), online. Read from best_laps (kept current by
 * triggers on laps, sql/003-history.sql): the rows of the matching sessions,
 * a few per session, never every lap. The sessions an admin hid count
 * nowhere here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "admin.h"

#define BEST_LIMIT	200
#define BEST_MAX_LIMIT	5000
#define BEST_TEXT_MAX	128

static const char *const network_values[] = { "1", "0" };
static const char *const network_labels[] = { "online", "offline" };

/*
 * The rows of sessions an admin hid, which count nowhere here: by rowid,
 * which the covering index holds (session_id it does not).
 */
#define BEST_HIDDEN \
	"(SELECT h.rowid FROM best_laps h WHERE h.session_id IN " \
	"(SELECT id FROM sessions WHERE hidden))"

/* The filters, on best_laps rows aliased x. */
#define BEST_FILTERS \
	"x.track = ?1 AND (?2 IS NULL OR x.set_at >= ?2) AND (?3 IS NULL OR x.class = ?3) " \
	"AND (?4 IS NULL OR x.session_type LIKE ?4 || '%') AND (?5 IS NULL OR x.online = ?5) " \
	"AND (?6 IS NULL OR x.driver IN (SELECT name FROM known_drivers)) " \
	"AND x.rowid NOT IN " BEST_HIDDEN

/*
 * Each (driver, vehicle)'s best time under the filters, fastest first, from
 * the covering index best_laps_track alone.
 */
static const char groups_sql[] =
	"SELECT x.driver, x.vehicle, min(x.class), min(x.time) AS time, min(x.best_s1), "
	"min(x.best_s2), min(x.best_s3), sum(x.laps), count(*) "
	"FROM best_laps x WHERE " BEST_FILTERS " GROUP BY x.driver, x.vehicle "
	"ORDER BY time, x.driver";
enum { G_DRIVER, G_VEHICLE, G_CLASS, G_TIME, G_B1, G_B2, G_B3, G_LAPS, G_SESSIONS };

/*
 * The row of one group's best (the first set when two are equal) for its
 * sectors, session and car, with the group's figures bound as ?8..?15.
 */
static const char row_sql[] =
	"SELECT b.driver, b.driver IN (SELECT name FROM known_drivers) AS known, "
	"b.vehicle AS veh, coalesce(b.vehicle_name, b.vehicle) AS vehicle, b.class, b.time, "
	"b.s1, b.s2, b.s3, ?8 AS best_s1, ?9 AS best_s2, ?10 AS best_s3, "
	"?8 + ?9 + ?10 AS ideal, ?11 AS laps, ?12 AS sessions, b.session_id AS session, "
	"b.car_id AS car, b.lap, b.set_at, b.session_type, b.online "
	"FROM best_laps b WHERE b.rowid = (SELECT x.rowid FROM best_laps x "
	"  WHERE " BEST_FILTERS " AND x.driver = ?13 AND x.vehicle = ?14 AND x.time = ?15 "
	"  ORDER BY x.set_at LIMIT 1)";

/* The filters of a request, validated. */
struct best_filter {
	const char	*track;
	double		 since;		/* NAN: any */
	const char	*class;
	const char	*type;
	int		 known;		/* 1: known drivers only */
	int		 online;	/* -1: any */
	long long	 limit;
};

/*
 * Reads and checks the filters. Returns 1, or 0 after answering 400.
 */
static int
best_filters(struct req *req, struct resp *resp, struct best_filter *f)
{
	int kind;

	if (!hist_param_text(req, resp, "track", BEST_TEXT_MAX, &f->track) ||
	    !hist_param_date(req, resp, "since", 0, &f->since) ||
	    !hist_param_text(req, resp, "class", BEST_TEXT_MAX, &f->class) ||
	    !hist_param_bool(req, resp, "known", &f->known) ||
	    !hist_param_bool(req, resp, "online", &f->online) ||
	    !req_param_int(req, resp, "limit", 1, BEST_MAX_LIMIT, BEST_LIMIT, &f->limit))
		return 0;
	/* a kind matches its sessions of every number: "race" is race1, race2... */
	if (!req_param_enum(req, resp, "type", session_kind_names, SK__MAX, &kind))
		return 0;
	f->type = kind >= 0 ? session_kind_names[kind] : NULL;
	return 1;
}

/* Marks the fastest value of each timing column among the rows ("*_mark"). */
static void
best_marks(cJSON *laps)
{
	static const char *const cols[] = { "time", "s1", "s2", "s3", "best_s1", "best_s2",
	    "best_s3", "ideal" };
	char	 key[32];
	cJSON	*el;

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		double min = NAN;
		cJSON_ArrayForEach(el, laps) {
			cJSON *v = cJSON_GetObjectItemCaseSensitive(el, cols[i]);
			if (cJSON_IsNumber(v) && v->valuedouble > 0 && (isnan(min) || v->valuedouble < min))
				min = v->valuedouble;
		}
		snprintf(key, sizeof(key), "%s_mark", cols[i]);
		cJSON_ArrayForEach(el, laps) {
			cJSON *v = cJSON_GetObjectItemCaseSensitive(el, cols[i]);
			cJSON_AddStringToObject(el, key, cJSON_IsNumber(v) && v->valuedouble == min ?
			    "sb" : "");
		}
	}
}

/*
 * Adds rank, gap (to the fastest) and class position to each row (the rows
 * are the fastest first, so positions among them are the real ones).
 */
static void
best_ranks(cJSON *laps)
{
	cJSON	*el, *seen = cJSON_CreateObject();
	double	 lead = NAN;
	int	 rank = 0;

	cJSON_ArrayForEach(el, laps) {
		double t = cJSON_GetObjectItemCaseSensitive(el, "time")->valuedouble;
		const cJSON *cl = cJSON_GetObjectItemCaseSensitive(el, "class");
		const char *k = cJSON_IsString(cl) ? cl->valuestring : "";
		cJSON *n = cJSON_GetObjectItemCaseSensitive(seen, k);
		if (isnan(lead))
			lead = t;
		cJSON_AddNumberToObject(el, "rank", ++rank);
		if (rank == 1)
			cJSON_AddNullToObject(el, "gap");
		else
			json_add_time(el, "gap", t - lead);
		if (n == NULL)
			n = cJSON_AddNumberToObject(seen, k, 0);
		cJSON_SetNumberValue(n, n->valuedouble + 1);
		cJSON_AddNumberToObject(el, "class_position", n->valuedouble);
	}
	cJSON_Delete(seen);
}

/*
 * The values of the one column sql selects (bound to track when not NULL),
 * as the array name of o: objects named for the column, with "selected" on
 * chosen. Returns their number, or -1 on an SQLite error.
 */
static int
best_choices(sqlite3 *db, cJSON *o, const char *name, const char *sql, const char *track,
    const char *chosen)
{
	sqlite3_stmt	*st;
	cJSON		*arr = cJSON_AddArrayToObject(o, name), *el;
	int		 rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (track != NULL)
		sqlite3_bind_text(st, 1, track, -1, SQLITE_STATIC);
	rc = json_rows(st, arr);
	cJSON_ArrayForEach(el, arr) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(el, sqlite3_column_name(st, 0));
		cJSON_AddBoolToObject(el, "selected", chosen != NULL && cJSON_IsString(v) &&
		    strcmp(v->valuestring, chosen) == 0);
	}
	sqlite3_finalize(st);
	return rc;
}

#define BEST_MAX_CLASSES 32

/*
 * The best row of the group st is on, as a new JSON object (caller frees),
 * or NULL on an SQLite error.
 */
static cJSON *
best_row(sqlite3_stmt *st, sqlite3_stmt *row)
{
	cJSON *o = NULL;

	sqlite3_reset(row);
	for (int i = 0; i < 5; i++)
		sqlite3_bind_value(row, 8 + i, sqlite3_column_value(st, G_B1 + i));
	sqlite3_bind_value(row, 13, sqlite3_column_value(st, G_DRIVER));
	sqlite3_bind_value(row, 14, sqlite3_column_value(st, G_VEHICLE));
	sqlite3_bind_value(row, 15, sqlite3_column_value(st, G_TIME));
	if (sqlite3_step(row) == SQLITE_ROW)
		o = view_row_json(row);
	return o;
}

/*
 * Walks every group of st (fastest first): the first f->limit go to laps
 * with their best row; the first of each class goes to classes, with
 * "entries", its class's number of groups. Returns the number of groups,
 * or -1 on an SQLite error.
 */
static int
best_groups(sqlite3_stmt *st, sqlite3_stmt *row, const struct best_filter *f, cJSON *laps,
    cJSON *classes)
{
	char	*names[BEST_MAX_CLASSES];
	cJSON	*firsts[BEST_MAX_CLASSES];
	size_t	 ncls = 0, k;
	int	 n = 0, rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cl = (const char *)sqlite3_column_text(st, G_CLASS);
		cl = cl ? cl : "";
		for (k = 0; k < ncls && strcmp(names[k], cl) != 0; k++)
			;
		if (k == ncls && ncls < BEST_MAX_CLASSES) {
			cJSON *c = best_row(st, row);
			if (c == NULL || (names[ncls] = strdup(cl)) == NULL) {
				cJSON_Delete(c);
				rc = SQLITE_NOMEM;
				break;
			}
			firsts[ncls++] = c;
			cJSON_AddItemToArray(classes, c);
			cJSON_AddNumberToObject(c, "entries", 0);
		}
		if (k < ncls) {
			cJSON *e = cJSON_GetObjectItemCaseSensitive(firsts[k], "entries");
			cJSON_SetNumberValue(e, e->valuedouble + 1);
		}
		if (n++ < f->limit) {
			cJSON *r = best_row(st, row);
			if (r == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			cJSON_AddItemToArray(laps, r);
		}
	}
	for (k = 0; k < ncls; k++)
		free(names[k]);
	return rc == SQLITE_DONE ? n : -1;
}

/* Binds the filters to ?1..?6 of st. */
static void
best_bind(sqlite3_stmt *st, const struct best_filter *f)
{
	sqlite3_bind_text(st, 1, f->track, -1, SQLITE_STATIC);
	if (!isnan(f->since))
		sqlite3_bind_double(st, 2, f->since);
	if (f->class != NULL)
		sqlite3_bind_text(st, 3, f->class, -1, SQLITE_STATIC);
	if (f->type != NULL)
		sqlite3_bind_text(st, 4, f->type, -1, SQLITE_STATIC);
	if (f->online >= 0)
		sqlite3_bind_int(st, 5, f->online);
	if (f->known == 1)
		sqlite3_bind_int(st, 6, 1);
}

/*
 * The best laps of the request's filters. Returns a new object (caller
 * frees), or NULL after answering an error. Without a track, the API
 * answers 400 and the page only offers the form.
 */
static cJSON *
best_load(struct req *req, struct resp *resp, int api)
{
	static const char *const bools[] = { "known", "online" };
	struct best_filter	 f;
	sqlite3_stmt		*st = NULL, *row = NULL;
	cJSON			*o, *laps, *classes, *el;
	int			 rc;

	if (!best_filters(req, resp, &f))
		return NULL;
	if (f.track == NULL && api) {
		resp_error(resp, 400, "bad_parameter", "track is required.");
		return NULL;
	}
	if ((o = cJSON_CreateObject()) == NULL)
		goto dberr;
	/* the type offers every kind but the catch-all "other" (the last) */
	if (hist_echo_filters(req, o) < 0 ||
	    hist_options(req, o, "types", "type", session_kind_names, session_kind_labels,
	    SK_OTHER) < 0 ||
	    hist_options(req, o, "networks", "online", network_values, network_labels, 2) < 0)
		goto dberr;
	cJSON_AddBoolToObject(o, "known_only", f.known == 1);
	if (!api) {
		if (best_choices(req->db, o, "tracks", "SELECT DISTINCT track FROM sessions "
		    "WHERE NOT hidden ORDER BY track", NULL, f.track) < 0)
			goto dberr;
		/* the only track there is needs no choosing */
		cJSON *tracks = cJSON_GetObjectItemCaseSensitive(o, "tracks"), *only;
		if (f.track == NULL && cJSON_GetArraySize(tracks) == 1 &&
		    cJSON_IsString(cJSON_GetObjectItemCaseSensitive((only = cJSON_GetArrayItem(tracks, 0)),
		    "track"))) {
			f.track = cJSON_GetObjectItemCaseSensitive(only, "track")->valuestring;
			cJSON_ReplaceItemInObjectCaseSensitive(only, "selected", cJSON_CreateTrue());
		}
	}
	if (f.track == NULL)
		return o;
	cJSON_AddStringToObject(o, "track", f.track);
	if (!api && best_choices(req->db, o, "class_options", "SELECT DISTINCT class FROM best_laps x "
	    "WHERE track = ? AND class IS NOT NULL AND class <> '' AND x.rowid NOT IN " BEST_HIDDEN
	    " ORDER BY class", f.track, f.class) < 0)
		goto dberr;
	laps = cJSON_AddArrayToObject(o, "laps");
	classes = cJSON_AddArrayToObject(o, "classes");
	if (sqlite3_prepare_v2(req->db, groups_sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(req->db, row_sql, -1, &row, NULL) != SQLITE_OK)
		goto dberr;
	best_bind(st, &f);
	best_bind(row, &f);
	if ((rc = best_groups(st, row, &f, laps, classes)) < 0)
		goto dberr;
	cJSON_AddBoolToObject(o, "more", rc > f.limit);
	cJSON_AddNumberToObject(o, "drivers", rc);
	if (f.limit < BEST_MAX_LIMIT)
		cJSON_AddNumberToObject(o, "more_limit", (double)(f.limit * 5 < BEST_MAX_LIMIT ?
		    f.limit * 5 : BEST_MAX_LIMIT));
	cJSON_ArrayForEach(el, classes)
		view_bools(el, bools, 2);
	sqlite3_finalize(st);
	sqlite3_finalize(row);
	cJSON_ArrayForEach(el, laps)
		view_bools(el, bools, 2);
	best_marks(laps);
	best_ranks(laps);
	return o;
dberr:
	log_err("best laps: %s", sqlite3_errmsg(req->db));
	resp_error(resp, 503, "unavailable", "The best laps cannot be read now.");
	sqlite3_finalize(st);
	sqlite3_finalize(row);
	cJSON_Delete(o);
	return NULL;
}

/* Best laps change only as laps come in: nginx may keep them a little. */
#define CACHE_BEST_LAPS 10

void
h_best_laps_api(struct req *req, struct resp *resp)
{
	resp->cache = CACHE_BEST_LAPS;
	hist_answer(req, resp, best_load(req, resp, 1), 1, NULL, NULL);
}

void
h_best_laps_page(struct req *req, struct resp *resp)
{
	cJSON *o;

	resp->cache = CACHE_BEST_LAPS;
	o = best_load(req, resp, 0);
	/* a signed-in admin gets a "mark known" button beside each unknown driver */
	if (o != NULL && admin_known_csrf(req, o) < 0) {
		cJSON_Delete(o);
		o = NULL;
		resp_error(resp, 500, "internal", "Out of memory.");
	}
	hist_answer(req, resp, o, 0, "best_laps", "Best laps");
}
