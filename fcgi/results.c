/*
 * Final standings of a session, derived from its recorded laps and the last
 * state of each car: a race by laps completed, then, between cars the game
 * saw finish (a finish status), the game's classification (it includes
 * penalties), else the order in which they crossed the line on their last
 * lap; any other session by best valid lap. The last state's position
 * breaks what the laps cannot (no laps, or an unknown crossing time).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "admin.h"

enum res_sql { RES_CARS, RES_LAPS, RES_PITS, RES__MAX };

static const char *const res_sqls[RES__MAX] = {
	/* RES_CARS */
	"SELECT c.id AS car, c.slot, c.number, c.team, c.vehicle_name AS vehicle, "
	"c.vehicle AS veh, c.class, s.position AS last_position, s.status, s.finish, "
	"s.tyres, s.present FROM cars c LEFT JOIN car_state s ON s.car_id = c.id "
	"WHERE c.session_id = ? ORDER BY c.id",
	/* RES_LAPS */
	"SELECT l.car_id, l.lap, l.time, l.s1, l.s2, l.s3, l.driver, l.valid, l.start_et, "
	"l.tyres FROM laps l JOIN cars c ON c.id = l.car_id WHERE c.session_id = ? "
	"ORDER BY l.car_id, l.lap",
	/* RES_PITS */
	"SELECT p.car_id, count(*) FROM pits p JOIN cars c ON c.id = p.car_id "
	"WHERE c.session_id = ? AND " PITS_STOP_SQL " GROUP BY p.car_id",
};

/* What the laps of one car add up to. */
struct res_car {
	cJSON		*o;		/* the car's row, becomes its result */
	long long	 id;
	const char	*class;
	int		 slot;
	int		 last_position;	/* 0: unknown */
	int		 laps;		/* highest lap number completed */
	double		 finish;	/* ET the last lap ended, NAN unknown */
	double		 start;		/* ET lap 1 began, NAN unknown */
	double		 best;		/* best valid lap, NAN none */
	int		 best_lap;
	const cJSON	*best_lap_s[3];
	char		*best_driver;
	double		 bs[3];		/* best sectors, NAN none */
	char		*bs_driver[3];
	char		*tyres;		/* of the last lap that had them */
	int		 pits;
	int		 race;		/* ordered as a race */
	int		 final;		/* the game gave it a finish status */
};

static double
col_d(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

static void
set_str(char **dst, char *src)
{
	free(*dst);
	*dst = src;
}

/* Orders cars by finishing position; see the comment at the top. */
static int
res_cmp_race(const struct res_car *a, const struct res_car *b)
{
	if (a->laps != b->laps)
		return a->laps > b->laps ? -1 : 1;
	if (a->final && b->final && a->last_position > 0 && b->last_position > 0)
		return a->last_position < b->last_position ? -1 : a->last_position > b->last_position;
	if (a->laps > 0 && !isnan(a->finish) && !isnan(b->finish) && a->finish != b->finish)
		return a->finish < b->finish ? -1 : 1;
	return 0;
}

static int
res_cmp_best(const struct res_car *a, const struct res_car *b)
{
	if (isnan(a->best) != isnan(b->best))
		return isnan(a->best) ? 1 : -1;
	if (!isnan(a->best) && a->best != b->best)
		return a->best < b->best ? -1 : 1;
	return 0;
}

static int
res_cmp(const void *pa, const void *pb)
{
	const struct res_car	*a = pa, *b = pb;
	int			 c = a->race ? res_cmp_race(a, b) : res_cmp_best(a, b);

	if (c != 0)
		return c;
	if ((a->last_position > 0) != (b->last_position > 0))
		return a->last_position > 0 ? -1 : 1;
	if (a->last_position != b->last_position)
		return a->last_position < b->last_position ? -1 : 1;
	return a->slot < b->slot ? -1 : a->slot > b->slot;
}

static struct res_car *
res_find(struct res_car *v, size_t n, long long id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {	/* v is in id order */
		size_t mid = (lo + hi) / 2;
		if (v[mid].id == id)
			return &v[mid];
		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Folds one lap row of RES_LAPS into its car. */
static void
res_lap(struct res_car *c, sqlite3_stmt *st, cJSON *drivers)
{
	int	 lap = sqlite3_column_int(st, 1), valid = sqlite3_column_int(st, 7);
	double	 t = col_d(st, 2), start = col_d(st, 8);
	const char *drv = (const char *)sqlite3_column_text(st, 6);

	if (lap == 1)
		c->start = start;
	if (lap > c->laps) {
		c->laps = lap;
		c->finish = !isnan(start) && t > 0 ? start + t : NAN;
	}
	if (sqlite3_column_type(st, 9) != SQLITE_NULL)
		set_str(&c->tyres, col_dup(st, 9));
	if (drv != NULL && drv[0] != '\0') {
		cJSON *d = cJSON_GetObjectItemCaseSensitive(drivers, drv);
		if (d == NULL) {
			d = cJSON_AddObjectToObject(drivers, drv);
			cJSON_AddStringToObject(d, "name", drv);
			cJSON_AddNumberToObject(d, "laps", 0);
		}
		cJSON *n = cJSON_GetObjectItemCaseSensitive(d, "laps");
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	}
	if (!valid || !(t > 0))
		return;
	if (isnan(c->best) || t < c->best) {
		c->best = t;
		c->best_lap = lap;
		set_str(&c->best_driver, drv ? strdup(drv) : NULL);
		for (int i = 0; i < 3; i++) {
			double s = col_d(st, 3 + i);
			cJSON_Delete((cJSON *)c->best_lap_s[i]);
			c->best_lap_s[i] = s > 0 ? cJSON_CreateNumber(round(s * 1000) / 1000) : NULL;
		}
	}
	for (int i = 0; i < 3; i++) {
		double s = col_d(st, 3 + i);
		if (s > 0 && (isnan(c->bs[i]) || s < c->bs[i])) {
			c->bs[i] = s;
			set_str(&c->bs_driver[i], drv ? strdup(drv) : NULL);
		}
	}
}

static void
add_str(cJSON *o, const char *k, const char *v)
{
	if (v == NULL)
		cJSON_AddNullToObject(o, k);
	else
		cJSON_AddStringToObject(o, k, v);
}

/* How the results name each finish (lib/vocab.h's enum finish). */
static const char *const finish_labels[FIN__MAX] = { "", "finished", "DNF", "DQ" };

/*
 * How a result row ended, in our words (lib/vocab.h): "dq", "dnf" or
 * "finished" from its finish status or its last status, the graver of the
 * two (enum finish runs from the mildest); NULL when it did none of these.
 */
const char *
results_finish(const cJSON *res)
{
	static const enum finish of_status[CST__MAX] = {
		[CST_FINISHED] = FIN_FINISHED, [CST_DNF] = FIN_DNF, [CST_DQ] = FIN_DQ,
	};
	const cJSON	*fv = cJSON_GetObjectItemCaseSensitive(res, "finish");
	const cJSON	*sv = cJSON_GetObjectItemCaseSensitive(res, "status");
	int		 f = cJSON_IsString(fv) ? finish_find(fv->valuestring) : -1;

	for (int i = 0; cJSON_IsString(sv) && i < CST__MAX; i++)
		if (strcmp(sv->valuestring, car_status_names[i]) == 0 && (int)of_status[i] > f)
			f = of_status[i];
	return f > FIN_NONE ? finish_names[f] : NULL;
}

/* Writes what was added up into the car's result object. */
static void
res_fill(struct res_car *c, const struct res_car *leader, double race_start,
    const double *class_best, const double class_bs[][3], size_t cls, cJSON *drivers)
{
	cJSON *o = c->o, *d, *arr;

	cJSON_AddNumberToObject(o, "laps", c->laps);
	if (c->race) {
		json_add_time(o, "time", !isnan(c->finish) && !isnan(race_start) ?
		    c->finish - race_start : NAN);
		if (c == leader || c->laps == 0)
			cJSON_AddNullToObject(o, "gap");
		else if (c->laps < leader->laps) {
			cJSON_AddNullToObject(o, "gap");
			cJSON_AddNumberToObject(o, "gap_laps", leader->laps - c->laps);
		} else
			json_add_time(o, "gap", c->finish - leader->finish);
	} else
		json_add_time(o, "gap", c == leader ? NAN : c->best - leader->best);
	json_add_time(o, "best", c->best);
	if (c->best_lap > 0)
		cJSON_AddNumberToObject(o, "best_lap", c->best_lap);
	else
		cJSON_AddNullToObject(o, "best_lap");
	add_str(o, "best_driver", c->best_driver);
	const char *sk[3] = { "best_s1", "best_s2", "best_s3" };
	for (int i = 0; i < 3; i++) {
		if (c->best_lap_s[i] != NULL)
			cJSON_AddItemToObject(o, sk[i], (cJSON *)c->best_lap_s[i]);
		else
			cJSON_AddNullToObject(o, sk[i]);
		c->best_lap_s[i] = NULL;
	}
	cJSON_AddBoolToObject(o, "class_best", !isnan(c->best) && c->best == class_best[cls]);
	arr = cJSON_AddArrayToObject(o, "sectors");
	for (int i = 0; i < 3; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, s);
		cJSON_AddNumberToObject(s, "sector", i + 1);
		json_add_time(s, "time", c->bs[i]);
		add_str(s, "driver", c->bs_driver[i]);
		cJSON_AddBoolToObject(s, "class_best", !isnan(c->bs[i]) &&
		    c->bs[i] == class_bs[cls][i]);
	}
	const char *fin = results_finish(o);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
	cJSON_AddStringToObject(o, "finish_key", fin ? fin : "none");
	cJSON_AddStringToObject(o, "finish_label", fin == NULL ? (cJSON_IsString(st) ? st->valuestring : "") :
	    finish_labels[finish_find(fin)]);
	cJSON_AddNumberToObject(o, "pits", c->pits);
	if (c->tyres != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "tyres");
		cJSON_AddStringToObject(o, "tyres", c->tyres);
	}
	arr = cJSON_AddArrayToObject(o, "drivers");
	cJSON_ArrayForEach(d, drivers)
		cJSON_AddItemToArray(arr, cJSON_Duplicate(d, 1));
}

static void
res_free(struct res_car *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cJSON_Delete(v[i].o);
		free(v[i].best_driver);
		free(v[i].tyres);
		for (int j = 0; j < 3; j++) {
			free(v[i].bs_driver[j]);
			cJSON_Delete((cJSON *)v[i].best_lap_s[j]);
		}
	}
	free(v);
}

/* The index of class in classes (adding it), for the class bests. */
static size_t
res_class(const char **classes, size_t *nclasses, const char *class)
{
	for (size_t i = 0; i < *nclasses; i++)
		if ((classes[i] == NULL && class == NULL) ||
		    (classes[i] != NULL && class != NULL && strcmp(classes[i], class) == 0))
			return i;
	classes[*nclasses] = class;
	return (*nclasses)++;
}

/*
 * The final standings of session id (type tells how to order them), one
 * object per car: position, class_position, entry, laps, time, gap,
 * gap_laps, best lap with its sectors and driver, best sectors with their
 * drivers, pits, tyres, drivers and their laps, last status. Returns a new
 * array (caller frees), or NULL after answering 503.
 */
cJSON *
results_load(struct req *req, struct resp *resp, const char *id, const char *type)
{
	sqlite3_stmt	*st[RES__MAX] = { NULL };
	struct res_car	*cars = NULL;
	cJSON		*out = NULL, **drivers = NULL;
	const char	**classes = NULL;
	double		*class_best = NULL, (*class_bs)[3] = NULL, race_start = NAN;
	size_t		 n = 0, cap = 0, ncls = 0;
	int		 rc, race = hist_kind(type) == SK_RACE;

	for (int i = 0; i < RES__MAX; i++) {
		if (sqlite3_prepare_v2(req->db, res_sqls[i], -1, &st[i], NULL) != SQLITE_OK)
			goto dberr;
		sqlite3_bind_text(st[i], 1, id, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(st[RES_CARS])) == SQLITE_ROW) {
		if (n == cap) {
			struct res_car *nv = realloc(cars, (cap = cap ? cap * 2 : 32) * sizeof(*nv));
			if (nv == NULL)
				goto dberr;
			cars = nv;
		}
		struct res_car *c = &cars[n++];
		memset(c, 0, sizeof(*c));
		c->race = race;
		c->o = view_row_json(st[RES_CARS]);
		c->id = sqlite3_column_int64(st[RES_CARS], 0);
		c->slot = sqlite3_column_int(st[RES_CARS], 1);
		c->last_position = sqlite3_column_int(st[RES_CARS], 7);
		const char *fin = (const char *)sqlite3_column_text(st[RES_CARS], 9);
		c->final = finish_find(fin) > FIN_NONE;
		c->finish = c->start = c->best = NAN;
		for (int j = 0; j < 3; j++)
			c->bs[j] = NAN;
		if (c->o == NULL)
			goto dberr;
		cJSON *cl = cJSON_GetObjectItemCaseSensitive(c->o, "class");
		c->class = cJSON_IsString(cl) ? cl->valuestring : NULL;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	if ((drivers = calloc(n + 1, sizeof(*drivers))) == NULL ||
	    (classes = calloc(n + 1, sizeof(*classes))) == NULL ||
	    (class_best = calloc(n + 1, sizeof(*class_best))) == NULL ||
	    (class_bs = calloc(n + 1, sizeof(*class_bs))) == NULL)
		goto dberr;
	for (size_t i = 0; i < n; i++)
		if ((drivers[i] = cJSON_CreateObject()) == NULL)
			goto dberr;
	while ((rc = sqlite3_step(st[RES_LAPS])) == SQLITE_ROW) {
		struct res_car *c = res_find(cars, n, sqlite3_column_int64(st[RES_LAPS], 0));
		if (c != NULL)
			res_lap(c, st[RES_LAPS], drivers[c - cars]);
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	while ((rc = sqlite3_step(st[RES_PITS])) == SQLITE_ROW) {
		struct res_car *c = res_find(cars, n, sqlite3_column_int64(st[RES_PITS], 0));
		if (c != NULL)
			c->pits = sqlite3_column_int(st[RES_PITS], 1);
	}
	if (rc != SQLITE_DONE)
		goto dberr;

	/* Class bests and the race start, before the order changes. */
	for (size_t i = 0; i < n; i++) {
		size_t known = ncls, k = res_class(classes, &ncls, cars[i].class);
		if (ncls > known) {
			class_best[k] = NAN;
			for (int j = 0; j < 3; j++)
				class_bs[k][j] = NAN;
		}
		if (!isnan(cars[i].best) && (isnan(class_best[k]) || cars[i].best < class_best[k]))
			class_best[k] = cars[i].best;
		for (int j = 0; j < 3; j++)
			if (!isnan(cars[i].bs[j]) && (isnan(class_bs[k][j]) || cars[i].bs[j] < class_bs[k][j]))
				class_bs[k][j] = cars[i].bs[j];
		if (!isnan(cars[i].start) && (isnan(race_start) || cars[i].start < race_start))
			race_start = cars[i].start;
	}
	/* The drivers go with their car through the sort. */
	for (size_t i = 0; i < n; i++) {
		cJSON_AddItemToObject(cars[i].o, "_drivers", drivers[i]);
		drivers[i] = NULL;
	}
	if (n > 0)
		qsort(cars, n, sizeof(*cars), res_cmp);

	if ((out = cJSON_CreateArray()) == NULL)
		goto dberr;
	int *class_pos = calloc(ncls + 1, sizeof(int));
	if (class_pos == NULL)
		goto dberr;
	for (size_t i = 0; i < n; i++) {
		struct res_car *c = &cars[i];
		size_t k = res_class(classes, &ncls, c->class);
		cJSON *d = cJSON_DetachItemFromObjectCaseSensitive(c->o, "_drivers");
		cJSON_AddNumberToObject(c->o, "position", (double)(i + 1));
		cJSON_AddNumberToObject(c->o, "class_position", ++class_pos[k]);
		res_fill(c, &cars[0], race_start, class_best, (const double (*)[3])class_bs, k, d);
		cJSON_Delete(d);
		cJSON_AddItemToArray(out, c->o);
		c->o = NULL;
	}
	free(class_pos);
	if (hist_known_mark(req->db, out, "best_driver") < 0)
		goto dberr;
	cJSON *el;
	cJSON_ArrayForEach(el, out) {
		static const char *const bools[] = { "present" };
		view_bools(el, bools, 1);
		if (hist_known_mark(req->db, cJSON_GetObjectItemCaseSensitive(el, "drivers"),
		    "name") < 0)
			goto dberr;
		/* the session page (not its exports) offers a signed-in admin "mark known" */
		if (strncmp(req->path, "/sessions/", 10) == 0 && strchr(req->path + 10, '/') == NULL &&
		    admin_known_csrf(req, el) < 0)
			goto dberr;
	}
	goto done;
dberr:
	log_err("results %s: %s", id, sqlite3_errmsg(req->db));
	resp_error(resp, 503, "unavailable", "The results cannot be read now.");
	cJSON_Delete(out);
	out = NULL;
done:
	for (int i = 0; i < RES__MAX; i++)
		sqlite3_finalize(st[i]);
	if (drivers != NULL)
		for (size_t i = 0; i < n; i++)
			cJSON_Delete(drivers[i]);
	res_free(cars, n);
	free(drivers);
	free(classes);
	free(class_best);
	free(class_bs);
	return out;
}
