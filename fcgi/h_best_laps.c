/*
 * GET /best-laps and /api/v1/best-laps: the best lap of each driver in each
 * car at a track, across sessions, with its sectors and the driver's best
 * sectors in that car. Filters: track (required), since, class, type,
 * known (known drivers only), online. Read from best_laps (kept current by
 * triggers on laps, sql/003-history.sql): the rows of the matching sessions,
 * a few per session, never every lap.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fcgi.h"

#define BEST_LIMIT	500
#define BEST_MAX_LIMIT	5000
#define BEST_TEXT_MAX	128

/* Session type filters: the prefix of sessions.type they match. */
static const char *const type_values[] = { "PRACTICE", "QUALIFY", "WARMUP", "RACE" };
static const char *const type_labels[] = { "Practice", "Qualifying", "Warm-up", "Race" };
static const char *const network_values[] = { "1", "0" };
static const char *const network_labels[] = { "online", "offline" };
#define NTYPES (sizeof(type_values) / sizeof(type_values[0]))

static const char best_sql[] =
	"SELECT driver, driver IN (SELECT name FROM known_drivers) AS known, vehicle AS veh, "
	"coalesce(vehicle_name, vehicle) AS vehicle, class, time, s1, s2, s3, "
	"b1 AS best_s1, b2 AS best_s2, b3 AS best_s3, b1 + b2 + b3 AS ideal, n AS laps, "
	"sessions, session_id AS session, car_id AS car, lap, set_at, session_type, online "
	"FROM (SELECT *, row_number() OVER (PARTITION BY driver, vehicle ORDER BY time, set_at) "
	"    AS rn, min(best_s1) OVER w AS b1, min(best_s2) OVER w AS b2, "
	"    min(best_s3) OVER w AS b3, sum(laps) OVER w AS n, count(*) OVER w AS sessions "
	"  FROM best_laps WHERE track = ?1 AND (?2 IS NULL OR set_at >= ?2) "
	"  AND (?3 IS NULL OR class = ?3) AND (?4 IS NULL OR session_type LIKE ?4 || '%') "
	"  AND (?5 IS NULL OR online = ?5) "
	"  AND (?6 IS NULL OR driver IN (SELECT name FROM known_drivers)) "
	"  WINDOW w AS (PARTITION BY driver, vehicle)) "
	"WHERE rn = 1 ORDER BY time, set_at, driver LIMIT ?7";

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
	const char *t;

	if (!hist_param_text(req, resp, "track", BEST_TEXT_MAX, &f->track) ||
	    !hist_param_date(req, resp, "since", 0, &f->since) ||
	    !hist_param_text(req, resp, "class", BEST_TEXT_MAX, &f->class) ||
	    !hist_param_bool(req, resp, "known", &f->known) ||
	    !hist_param_bool(req, resp, "online", &f->online) ||
	    !req_param_int(req, resp, "limit", 1, BEST_MAX_LIMIT, BEST_LIMIT, &f->limit))
		return 0;
	f->type = NULL;
	if ((t = req_param(req, "type")) != NULL) {
		for (size_t i = 0; i < NTYPES; i++)
			if (strcasecmp(t, type_values[i]) == 0)
				f->type = type_values[i];
		if (f->type == NULL) {
			resp_error(resp, 400, "bad_parameter",
			    "type must be PRACTICE, QUALIFY, WARMUP or RACE.");
			return 0;
		}
	}
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

/* The entry of classes for the class of row el, or NULL. */
static cJSON *
best_class(cJSON *classes, const cJSON *el)
{
	const cJSON	*cl = cJSON_GetObjectItemCaseSensitive(el, "class");
	cJSON		*c;

	cJSON_ArrayForEach(c, classes) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "class");
		if ((cJSON_IsNull(k) && cJSON_IsNull(cl)) || (cJSON_IsString(k) &&
		    cJSON_IsString(cl) && strcmp(k->valuestring, cl->valuestring) == 0))
			return c;
	}
	return NULL;
}

/*
 * Adds rank, gap (to the fastest) and class position to each row; the
 * first (fastest) row of each class goes to classes with "entries", the
 * number of rows of its class.
 */
static void
best_ranks(cJSON *laps, cJSON *classes)
{
	cJSON	*el, *c;
	double	 lead = NAN;
	int	 rank = 0;

	cJSON_ArrayForEach(el, laps) {
		double t = cJSON_GetObjectItemCaseSensitive(el, "time")->valuedouble;
		if (isnan(lead))
			lead = t;
		cJSON_AddNumberToObject(el, "rank", ++rank);
		if (rank == 1)
			cJSON_AddNullToObject(el, "gap");
		else
			json_add_time(el, "gap", t - lead);
		if ((c = best_class(classes, el)) == NULL) {
			cJSON_AddNumberToObject(el, "class_position", 1);
			c = cJSON_Duplicate(el, 1);
			cJSON_AddNumberToObject(c, "entries", 1);
			cJSON_AddItemToArray(classes, c);
			continue;
		}
		cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "entries");
		cJSON_SetNumberValue(n, n->valuedouble + 1);
		cJSON_AddNumberToObject(el, "class_position", n->valuedouble);
	}
}

/* The tracks that have best laps, for the form; the chosen one selected. */
static int
best_tracks(sqlite3 *db, cJSON *o, const char *chosen)
{
	sqlite3_stmt	*st;
	cJSON		*arr = cJSON_AddArrayToObject(o, "tracks"), *el;
	int		 rc;

	if (sqlite3_prepare_v2(db, "SELECT DISTINCT track FROM best_laps ORDER BY track", -1,
	    &st, NULL) != SQLITE_OK)
		return -1;
	rc = json_rows(st, arr);
	sqlite3_finalize(st);
	cJSON_ArrayForEach(el, arr) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(el, "track");
		cJSON_AddBoolToObject(el, "selected", chosen != NULL && cJSON_IsString(t) &&
		    strcmp(t->valuestring, chosen) == 0);
	}
	return rc;
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
	sqlite3_stmt		*st = NULL;
	cJSON			*o, *laps, *el;

	if (!best_filters(req, resp, &f))
		return NULL;
	if (f.track == NULL && api) {
		resp_error(resp, 400, "bad_parameter", "track is required.");
		return NULL;
	}
	if ((o = cJSON_CreateObject()) == NULL)
		goto dberr;
	if (hist_echo_filters(req, o) < 0 ||
	    hist_options(req, o, "types", "type", type_values, type_labels, NTYPES) < 0 ||
	    hist_options(req, o, "networks", "online", network_values, network_labels, 2) < 0)
		goto dberr;
	cJSON_AddBoolToObject(o, "known_only", f.known == 1);
	if (!api && best_tracks(req->db, o, f.track) < 0)
		goto dberr;
	if (f.track == NULL)
		return o;
	cJSON_AddStringToObject(o, "track", f.track);
	if (sqlite3_prepare_v2(req->db, best_sql, -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, f.track, -1, SQLITE_STATIC);
	if (!isnan(f.since))
		sqlite3_bind_double(st, 2, f.since);
	if (f.class != NULL)
		sqlite3_bind_text(st, 3, f.class, -1, SQLITE_STATIC);
	if (f.type != NULL)
		sqlite3_bind_text(st, 4, f.type, -1, SQLITE_STATIC);
	if (f.online >= 0)
		sqlite3_bind_int(st, 5, f.online);
	if (f.known == 1)
		sqlite3_bind_int(st, 6, 1);
	sqlite3_bind_int64(st, 7, f.limit);
	laps = cJSON_AddArrayToObject(o, "laps");
	if (json_rows(st, laps) < 0)
		goto dberr;
	sqlite3_finalize(st);
	cJSON_ArrayForEach(el, laps)
		json_bools(el, bools, 2);
	best_marks(laps);
	best_ranks(laps, cJSON_AddArrayToObject(o, "classes"));
	return o;
dberr:
	log_err("best laps: %s", sqlite3_errmsg(req->db));
	resp_error(resp, 503, "unavailable", "The best laps cannot be read now.");
	sqlite3_finalize(st);
	cJSON_Delete(o);
	return NULL;
}

void
h_best_laps_api(struct req *req, struct resp *resp)
{
	hist_answer(req, resp, best_load(req, resp, 1), 1, NULL, NULL);
}

void
h_best_laps_page(struct req *req, struct resp *resp)
{
	hist_answer(req, resp, best_load(req, resp, 0), 0, "best_laps", "Best laps");
}
