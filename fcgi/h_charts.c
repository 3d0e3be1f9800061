/*
 * GET /sessions/{id}/charts and /api/v1/sessions/{id}/charts: the race
 * charts of a class, for the whole field, as inline SVG drawn by the
 * template from the coordinates computed here (the JSON twin carries the
 * same points):
 *
 *  - laps: the position in class of every car at the end of every lap it
 *    has in the database (the order of the class's cars at the line: the
 *    game's position at the crossing, then the crossing time);
 *  - gaps: seconds behind the class leader at each line crossing, from
 *    crossing times (the car's crossing of lap n against the first
 *    crossing of lap n in the class); a car a lap or more down is drawn on
 *    the "lapped" row, pit laps are marked, full-course yellows shaded;
 *  - times: the lap times of chosen cars (?cars=, the class's top three by
 *    default), clipped at CHART_CLIP times the best, pit laps marked.
 *
 * ?class= picks the class (the leading class by default). A closed
 * session's charts no longer change: they carry Cache-Control, an ETag
 * and Last-Modified; a live session's are not stored.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgi.h"

/* The drawing area of every chart inside its viewBox. */
#define CHART_W		800.0
#define CHART_LEFT	66.0
#define CHART_RIGHT	76.0	/* room for the car numbers at the line ends */
#define CHART_TOP	12.0
#define CHART_BOTTOM	28.0
#define CHART_H		340.0	/* the gap and lap-time charts */
#define CHART_ROW	32.0	/* a position of the lap chart */
#define CHART_LAPBAND	32.0	/* the gap chart's "lapped" row */
/* A crossing sooner than this after the car's last one is not a lap (s). */
#define CHART_MIN_LAP	1.0
/* Lap times slower than this factor of the best are drawn clipped at the top. */
#define CHART_CLIP	1.15
/* Cars the lap-time chart takes at most, and by default. */
#define CHART_CARS_MAX	8
#define CHART_CARS_DFLT	3
/* Colours of the categorical palette (style.css's --k0...); cars beyond it are dashed. */
#define CHART_COLOURS	10
#define CHART_CLASS_MAX	64

/* How long a browser may reuse a closed session's charts. */
#define CHARTS_MAX_AGE	60

struct ch_car {
	long long	 id;
	char		*number, *team, *cls;	/* cls "" when the source has none */
	int		 class_pos, pos;	/* car_state's, 0 unknown */
	int		 colour, dash;
	int		 sel;			/* place among the chosen cars, or -1 */
	size_t		 first, n;		/* its laps in charts.laps */
};

struct ch_lap {
	size_t		 car;		/* index in charts.cars */
	int		 lap, pos, pit, valid, cpos, down;
	double		 time, start, cross, gap;	/* NAN unknown */
};

struct charts {
	struct ch_car	*cars;
	size_t		 ncars;
	struct ch_lap	*laps;
	size_t		 nlaps;
	double		*fcy;		/* [from, to] pairs, merged */
	size_t		 nfcy;
	double		 et;		/* the session's clock */
	const char	*cls;		/* the class shown */
	size_t		*order;		/* its cars, in class order */
	size_t		 norder;
};

static void
charts_free(struct charts *c)
{
	for (size_t i = 0; i < c->ncars; i++) {
		free(c->cars[i].number);
		free(c->cars[i].team);
		free(c->cars[i].cls);
	}
	free(c->cars);
	free(c->laps);
	free(c->fcy);
	free(c->order);
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return strdup(s ? (const char *)s : "");
}

static double
col_num(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* The index of car id in c->cars (sorted by id), or -1. */
static long
charts_car(const struct charts *c, long long id)
{
	size_t lo = 0, hi = c->ncars;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->cars[mid].id == id)
			return (long)mid;
		if (c->cars[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Adds [a, b] to the yellow periods. Returns 1 or -1. */
static int
charts_fcy_add(struct charts *c, double a, double b)
{
	double *nf;

	if (!(b > a))
		return 1;
	if ((nf = realloc(c->fcy, (c->nfcy + 1) * 2 * sizeof(*nf))) == NULL)
		return -1;
	c->fcy = nf;
	nf[c->nfcy * 2] = a;
	nf[c->nfcy * 2 + 1] = b;
	c->nfcy++;
	return 1;
}

static int
dbl_cmp(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Sorts and merges the yellow periods. */
static void
charts_fcy_merge(struct charts *c)
{
	size_t n = 0;

	if (c->nfcy == 0)
		return;
	qsort(c->fcy, c->nfcy, 2 * sizeof(double), dbl_cmp);
	for (size_t i = 0; i < c->nfcy; i++) {
		if (n > 0 && c->fcy[i * 2] <= c->fcy[(n - 1) * 2 + 1]) {
			if (c->fcy[i * 2 + 1] > c->fcy[(n - 1) * 2 + 1])
				c->fcy[(n - 1) * 2 + 1] = c->fcy[i * 2 + 1];
			continue;
		}
		c->fcy[n * 2] = c->fcy[i * 2];
		c->fcy[n * 2 + 1] = c->fcy[i * 2 + 1];
		n++;
	}
	c->nfcy = n;
}

/*
 * Adds the yellows of st (rows of et and whether a yellow is out from
 * then), stepped through and finalized here: each from a row that puts one
 * out to the next that does not; one still out ends at the session's clock.
 * Returns 1 or -1.
 */
static int
charts_fcy_rows(sqlite3_stmt *st, struct charts *c)
{
	double	 from = NAN;
	int	 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		double et = sqlite3_column_double(st, 0);
		if (sqlite3_column_int(st, 1)) {
			if (isnan(from))
				from = et;
		} else if (!isnan(from)) {
			if (charts_fcy_add(c, from, et) < 0)
				break;
			from = NAN;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || (!isnan(from) && charts_fcy_add(c, from, c->et) < 0))
		return -1;
	return 1;
}

/*
 * Full-course yellows: from the race control log (fcy to fcy_end) and from
 * the phase samples of the conditions (a run of PHASE_FCY samples, to the
 * next sample). Returns 1 or -1.
 */
static int
charts_load_fcy(sqlite3 *db, const char *id, struct charts *c)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(db, "SELECT et, kind = 'fcy' FROM race_log WHERE session_id = ?1 "
	    "AND kind IN ('fcy', 'fcy_end') ORDER BY et, id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (charts_fcy_rows(st, c) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT et, phase = ?2 FROM conditions WHERE session_id = ?1 "
	    "AND phase IS NOT NULL ORDER BY et", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, PHASE_FCY);
	if (charts_fcy_rows(st, c) < 0)
		return -1;
	charts_fcy_merge(c);
	return 1;
}

/*
 * Loads the cars, every lap of the session (with the stops of the pits
 * table marked on their laps) and the yellow periods. Returns 1 or -1.
 */
static int
charts_load(sqlite3 *db, const char *id, struct charts *c)
{
	sqlite3_stmt	*st = NULL;
	size_t		 cap = 0;
	double		 before = NAN;
	int		 rc;

	if (sqlite3_prepare_v2(db, "SELECT c.id, c.number, c.team, coalesce(c.class, ''), "
	    "s.class_position, s.position FROM cars c LEFT JOIN car_state s ON s.car_id = c.id "
	    "WHERE c.session_id = ?1 ORDER BY c.id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ch_car *k;
		if (c->ncars == cap) {
			struct ch_car *nv = realloc(c->cars, (cap = cap ? cap * 2 : 64) * sizeof(*nv));
			if (nv == NULL)
				goto fail;
			c->cars = nv;
		}
		k = &c->cars[c->ncars++];
		memset(k, 0, sizeof(*k));
		k->id = sqlite3_column_int64(st, 0);
		k->number = sqlite3_column_type(st, 1) == SQLITE_NULL ? NULL : col_dup(st, 1);
		k->team = col_dup(st, 2);
		k->cls = col_dup(st, 3);
		k->class_pos = sqlite3_column_int(st, 4);
		k->pos = sqlite3_column_int(st, 5);
		k->sel = -1;
		if (k->team == NULL || k->cls == NULL || (sqlite3_column_type(st, 1) != SQLITE_NULL &&
		    k->number == NULL))
			goto fail;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);

	cap = 0;
	if (sqlite3_prepare_v2(db, "SELECT l.car_id, l.lap, l.time, l.position, l.pit OR EXISTS "
	    "(SELECT 1 FROM pits p WHERE p.car_id = l.car_id AND p.lap = l.lap AND " PITS_STOP_SQL
	    "), l.valid, l.start_et FROM laps l JOIN cars c ON c.id = l.car_id "
	    "WHERE c.session_id = ?1 ORDER BY l.car_id, l.lap", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long k = charts_car(c, sqlite3_column_int64(st, 0));
		struct ch_lap *l;
		if (k < 0)
			continue;
		if (c->nlaps == cap) {
			struct ch_lap *nv = realloc(c->laps, (cap = cap ? cap * 2 : 1024) * sizeof(*nv));
			if (nv == NULL)
				goto fail;
			c->laps = nv;
		}
		l = &c->laps[c->nlaps];
		memset(l, 0, sizeof(*l));
		l->car = (size_t)k;
		l->lap = sqlite3_column_int(st, 1);
		l->time = col_num(st, 2);
		if (!(l->time > 0))
			l->time = NAN;
		l->pos = sqlite3_column_type(st, 3) == SQLITE_NULL ? 0 : sqlite3_column_int(st, 3);
		l->pit = sqlite3_column_int(st, 4) != 0;
		l->valid = sqlite3_column_int(st, 5) != 0;
		l->start = col_num(st, 6);
		if (l->start < 0)
			l->start = NAN;
		l->cross = l->gap = NAN;
		if (c->cars[k].n++ == 0)
			c->cars[k].first = c->nlaps;
		c->nlaps++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	/*
	 * Where each lap ended: its start and time, or the next lap's start.
	 * A crossing no later than the car's one before is not one (a lap
	 * stored again as the car retired, with the last one's start and
	 * time): it would lap the whole class.
	 */
	for (size_t i = 0; i < c->nlaps; i++) {
		struct ch_lap *l = &c->laps[i];
		if (i == 0 || c->laps[i - 1].car != l->car)
			before = NAN;
		if (!isnan(l->start) && !isnan(l->time))
			l->cross = l->start + l->time;
		else if (i + 1 < c->nlaps && c->laps[i + 1].car == l->car &&
		    c->laps[i + 1].lap == l->lap + 1 && !isnan(c->laps[i + 1].start))
			l->cross = c->laps[i + 1].start;
		if (!isnan(l->cross) && !isnan(before) && l->cross < before + CHART_MIN_LAP)
			l->cross = NAN;
		if (!isnan(l->cross))
			before = l->cross;
	}
	return charts_load_fcy(db, id, c);
fail:
	sqlite3_finalize(st);
	return -1;
}

/* The classes in order: the one of the best-placed car first, then by name. */
struct ch_class {
	const char	*name;
	int		 best;
	int		 cars;
};

static int
class_cmp(const void *a, const void *b)
{
	const struct ch_class *x = a, *y = b;

	if (x->best != y->best)
		return x->best < y->best ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The session's classes, in order, into *out (caller frees). Returns 1 or -1. */
static int
charts_classes(const struct charts *c, struct ch_class **out, size_t *nout)
{
	struct ch_class	*v = calloc(c->ncars ? c->ncars : 1, sizeof(*v));
	size_t		 n = 0;

	*out = v;
	*nout = 0;
	if (v == NULL)
		return -1;
	for (size_t i = 0; i < c->ncars; i++) {
		int best = c->cars[i].pos > 0 ? c->cars[i].pos : 1 << 30;
		size_t j;
		for (j = 0; j < n; j++)
			if (strcmp(v[j].name, c->cars[i].cls) == 0)
				break;
		if (j == n) {
			v[n].name = c->cars[i].cls;
			v[n++].best = best;
		} else if (best < v[j].best)
			v[j].best = best;
		v[j].cars++;
	}
	qsort(v, n, sizeof(*v), class_cmp);
	*nout = n;
	return 1;
}

/* A car's place in its class's order: standing in class, unknown last, then by id. */
struct ch_ord {
	int		 class_pos, pos;
	long long	 id;
	size_t		 i;
};

static int
order_cmp(const void *a, const void *b)
{
	const struct ch_ord *x = a, *y = b;

	if (x->class_pos != y->class_pos)
		return x->class_pos < y->class_pos ? -1 : 1;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The cars of class c->cls into c->order, in class order. Returns 1 or -1. */
static int
charts_order(struct charts *c)
{
	struct ch_ord *v = calloc(c->ncars ? c->ncars : 1, sizeof(*v));

	if (v == NULL || (c->order = calloc(c->ncars ? c->ncars : 1, sizeof(*c->order))) == NULL) {
		free(v);
		return -1;
	}
	for (size_t i = 0; i < c->ncars; i++) {
		const struct ch_car *k = &c->cars[i];
		if (strcmp(k->cls, c->cls) != 0)
			continue;
		v[c->norder].class_pos = k->class_pos > 0 ? k->class_pos : 1 << 30;
		v[c->norder].pos = k->pos > 0 ? k->pos : 1 << 30;
		v[c->norder].id = k->id;
		v[c->norder++].i = i;
	}
	qsort(v, c->norder, sizeof(*v), order_cmp);
	for (size_t k = 0; k < c->norder; k++) {
		c->order[k] = v[k].i;
		c->cars[v[k].i].colour = (int)(k % CHART_COLOURS);
		c->cars[v[k].i].dash = (int)(k / CHART_COLOURS) % 2;
	}
	free(v);
	return 1;
}

/*
 * The order of the class's cars at the line of one lap: the game's
 * position at the crossing (unknown last), then the crossing, then the
 * car.
 */
static int
line_cmp(const void *a, const void *b)
{
	const struct ch_lap *x = *(struct ch_lap *const *)a, *y = *(struct ch_lap *const *)b;
	int px = x->pos > 0 ? x->pos : 1 << 30, py = y->pos > 0 ? y->pos : 1 << 30;

	if (x->lap != y->lap)
		return x->lap < y->lap ? -1 : 1;
	if (px != py)
		return px < py ? -1 : 1;
	if (!isnan(x->cross) && !isnan(y->cross) && x->cross != y->cross)
		return x->cross < y->cross ? -1 : 1;
	return x->car < y->car ? -1 : x->car > y->car;
}

/*
 * For the class's laps: the position in class at the line, the gap to the
 * first crossing of the same lap in the class, and how many laps down that
 * is (first crossings of later laps before it). *maxlap gets the class's
 * highest lap. Returns 1 or -1.
 */
static int
charts_class_figures(struct charts *c, int *maxlap)
{
	struct ch_lap	**v;
	double		*lead;
	size_t		 n = 0;
	int		 top = 0;

	*maxlap = 0;
	for (size_t k = 0; k < c->norder; k++) {
		const struct ch_car *car = &c->cars[c->order[k]];
		n += car->n;
		if (car->n > 0 && c->laps[car->first + car->n - 1].lap > top)
			top = c->laps[car->first + car->n - 1].lap;
	}
	if ((v = calloc(n ? n : 1, sizeof(*v))) == NULL ||
	    (lead = calloc((size_t)top + 2, sizeof(*lead))) == NULL) {
		free(v);
		return -1;
	}
	n = 0;
	for (int i = 0; i <= top + 1; i++)
		lead[i] = NAN;
	for (size_t k = 0; k < c->norder; k++) {
		const struct ch_car *car = &c->cars[c->order[k]];
		for (size_t j = car->first; j < car->first + car->n; j++) {
			struct ch_lap *l = &c->laps[j];
			v[n++] = l;
			if (l->lap >= 0 && l->lap <= top && !isnan(l->cross) &&
			    (isnan(lead[l->lap]) || l->cross < lead[l->lap]))
				lead[l->lap] = l->cross;
		}
	}
	qsort(v, n, sizeof(*v), line_cmp);
	for (size_t i = 0; i < n; i++)
		v[i]->cpos = i > 0 && v[i - 1]->lap == v[i]->lap ? v[i - 1]->cpos + 1 : 1;
	for (size_t i = 0; i < n; i++) {
		struct ch_lap *l = v[i];
		if (isnan(l->cross) || l->lap < 0 || l->lap > top || isnan(lead[l->lap]))
			continue;
		l->gap = l->cross - lead[l->lap];
		for (int m = l->lap + 1; m <= top && !isnan(lead[m]) && lead[m] <= l->cross; m++)
			l->down++;
	}
	free(v);
	free(lead);
	*maxlap = top;
	return 1;
}

/* Coordinates of a value in [lo, hi] on an axis from a to b. */
static double
scale(double v, double lo, double hi, double a, double b)
{
	if (!(hi > lo))
		return (a + b) / 2;
	return a + (v - lo) / (hi - lo) * (b - a);
}

static double
r1(double v)
{
	return round(v * 10) / 10;
}

/* The frame every chart has: size, drawing area. */
static cJSON *
chart_frame(double height)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "width", CHART_W);
	cJSON_AddNumberToObject(o, "height", height);
	cJSON_AddNumberToObject(o, "left", CHART_LEFT);
	cJSON_AddNumberToObject(o, "right", CHART_W - CHART_RIGHT);
	cJSON_AddNumberToObject(o, "top", CHART_TOP);
	cJSON_AddNumberToObject(o, "bottom", height - CHART_BOTTOM);
	return o;
}

/* Lap ticks from lo to hi, at most about ten. */
static void
chart_lap_ticks(cJSON *o, int lo, int hi)
{
	static const int steps[] = { 1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000 };
	cJSON	*ticks = cJSON_AddArrayToObject(o, "xticks");
	int	 step = steps[sizeof(steps) / sizeof(steps[0]) - 1];

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if ((hi - lo) / steps[i] <= 10) {
			step = steps[i];
			break;
		}
	for (int lap = (lo + step - 1) / step * step; lap <= hi; lap += step) {
		cJSON *k;
		if (lap < lo)
			continue;
		k = cJSON_CreateObject();
		cJSON_AddItemToArray(ticks, k);
		cJSON_AddNumberToObject(k, "lap", lap);
		cJSON_AddNumberToObject(k, "x", r1(scale(lap, lo, hi, CHART_LEFT, CHART_W - CHART_RIGHT)));
	}
}

/* What names a car on a chart: "#7", or its team when it has no number. */
static void
chart_car_fields(cJSON *s, const struct ch_car *car, int colour, int dash)
{
	char label[80];

	cJSON_AddNumberToObject(s, "car", (double)car->id);
	if (car->number != NULL)
		cJSON_AddStringToObject(s, "number", car->number);
	else
		cJSON_AddNullToObject(s, "number");
	cJSON_AddStringToObject(s, "team", car->team);
	cJSON_AddStringToObject(s, "class", car->cls);
	if (car->number != NULL && car->number[0] != '\0')
		snprintf(label, sizeof(label), "#%s", car->number);
	else
		snprintf(label, sizeof(label), "%.20s", car->team[0] ? car->team : "?");
	cJSON_AddStringToObject(s, "label", label);
	cJSON_AddNumberToObject(s, "colour", colour);
	cJSON_AddBoolToObject(s, "dash", dash);
}

/* Appends "x,y" to a polyline's points. */
static int
pts_add(struct buf *b, double x, double y)
{
	return buf_printf(b, "%s%.1f,%.1f", b->len ? " " : "", x, y);
}

/*
 * The lap chart: one series per car of the class with a point for every
 * lap it has, at its position in class on that lap.
 */
static cJSON *
chart_laps(const struct charts *c, int maxlap)
{
	int	 lo = maxlap, rows = (int)c->norder;
	double	 h, bottom;
	cJSON	*o, *ticks, *series;
	struct buf pts = { 0 };

	for (size_t k = 0; k < c->norder; k++) {
		const struct ch_car *car = &c->cars[c->order[k]];
		if (car->n > 0 && c->laps[car->first].lap < lo)
			lo = c->laps[car->first].lap;
	}
	if (maxlap < 1 || rows < 1)
		return cJSON_CreateNull();
	h = CHART_TOP + CHART_BOTTOM + CHART_ROW * rows;
	bottom = h - CHART_BOTTOM;
	o = chart_frame(h);
	chart_lap_ticks(o, lo, maxlap);
	ticks = cJSON_AddArrayToObject(o, "yticks");
	for (int p = 1; p <= rows; p++) {
		cJSON *k = cJSON_CreateObject();
		cJSON_AddItemToArray(ticks, k);
		cJSON_AddNumberToObject(k, "position", p);
		cJSON_AddNumberToObject(k, "y", r1(CHART_TOP + CHART_ROW * (p - 0.5)));
		cJSON_AddBoolToObject(k, "minor", p > 1 && p % 2 == 0 && p != rows);
	}
	series = cJSON_AddArrayToObject(o, "series");
	for (size_t k = 0; k < c->norder; k++) {
		const struct ch_car *car = &c->cars[c->order[k]];
		cJSON *s, *data;
		double x = 0, y = 0;
		if (car->n == 0)
			continue;
		s = cJSON_CreateObject();
		cJSON_AddItemToArray(series, s);
		chart_car_fields(s, car, car->colour, car->dash);
		data = cJSON_AddArrayToObject(s, "data");
		buf_reset(&pts);
		for (size_t j = car->first; j < car->first + car->n; j++) {
			const struct ch_lap *l = &c->laps[j];
			cJSON *d = cJSON_CreateObject();
			x = r1(scale(l->lap, lo, maxlap, CHART_LEFT, CHART_W - CHART_RIGHT));
			y = r1(fmin(CHART_TOP + CHART_ROW * (l->cpos - 0.5), bottom));
			pts_add(&pts, x, y);
			cJSON_AddItemToArray(data, d);
			cJSON_AddNumberToObject(d, "lap", l->lap);
			cJSON_AddNumberToObject(d, "position", l->cpos);
			cJSON_AddNumberToObject(d, "x", x);
			cJSON_AddNumberToObject(d, "y", y);
		}
		cJSON_AddStringToObject(s, "points", pts.p ? pts.p : "");
		cJSON_AddNumberToObject(s, "end_x", r1(x + 4));
		cJSON_AddNumberToObject(s, "end_y", y);
		cJSON_AddNumberToObject(s, "laps", (double)car->n);
	}
	buf_free(&pts);
	return o;
}

/* A gap in words for an axis: "0", "45 s", "1:30". */
static void
gap_label(double g, char *out, size_t outsz)
{
	long s = lround(g);

	if (s == 0)
		snprintf(out, outsz, "0");
	else if (s < 60)
		snprintf(out, outsz, "%ld s", s);
	else
		snprintf(out, outsz, "%ld:%02ld", s / 60, s % 60);
}

/* A lap time in words for an axis: "1:52", "1:52.5" (steps under a second), "58". */
static void
time_label(double t, double step, char *out, size_t outsz)
{
	long tenths = lround(t * 10), s = tenths / 10;

	if (step < 1 && tenths % 10 != 0 && s >= 60)
		snprintf(out, outsz, "%ld:%02ld.%ld", s / 60, s % 60, tenths % 10);
	else if (step < 1 && tenths % 10 != 0)
		snprintf(out, outsz, "%ld.%ld", s, tenths % 10);
	else if (s >= 60)
		snprintf(out, outsz, "%ld:%02ld", s / 60, s % 60);
	else
		snprintf(out, outsz, "%ld", s);
}

/* Session time in words for an axis: "h:mm". */
static void
et_label(double et, char *out, size_t outsz)
{
	long s = lround(et < 0 ? 0 : et);

	snprintf(out, outsz, "%ld:%02ld", s / 3600, s / 60 % 60);
}

/* The smallest step of steps[] that cuts range into at most max pieces. */
static double
tick_step(double range, const double *steps, size_t n, int max)
{
	for (size_t i = 0; i < n; i++)
		if (range / steps[i] <= max)
			return steps[i];
	return steps[n - 1] * ceil(range / (steps[n - 1] * max));
}

/*
 * The gap chart: for each car of the class a point at every lap whose
 * crossing is known. Gaps run down from the leader at the top; a car a lap
 * or more down is drawn on the "lapped" row at the bottom (capped).
 */
static cJSON *
chart_gaps(const struct charts *c)
{
	static const double gsteps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600 };
	static const double esteps[] = { 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800 };
	double	 xlo = NAN, xhi = NAN, gmax = 0, step, hi, top = CHART_TOP;
	double	 gbottom = CHART_H - CHART_BOTTOM - CHART_LAPBAND, lapped = CHART_H - CHART_BOTTOM;
	cJSON	*o, *ticks, *series, *fcy;
	struct buf pts = { 0 };
	char	 label[32];

	for (size_t k = 0; k < c->norder; k++) {
		const struct ch_car *car = &c->cars[c->order[k]];
		for (size_t j = car->first; j < car->first + car->n; j++) {
			const struct ch_lap *l = &c->laps[j];
			if (isnan(l->gap))
				continue;
			if (isnan(xlo) || l->cross < xlo)
				xlo = l->cross;
			if (isnan(xhi) || l->cross > xhi)
				xhi = l->cross;
			if (l->down == 0 && l->gap > gmax)
				gmax = l->gap;
		}
	}
	if (isnan(xlo))
		return cJSON_CreateNull();
	step = tick_step(gmax, gsteps, sizeof(gsteps) / sizeof(gsteps[0]), 6);
	hi = fmax(step, ceil(gmax / step) * step);
	o = chart_frame(CHART_H);
	cJSON_AddNumberToObject(o, "lapped_y", lapped);
	ticks = cJSON_AddArrayToObject(o, "yticks");
	for (double g = 0; g <= hi + 1e-9; g += step) {
		cJSON *k = cJSON_CreateObject();
		cJSON_AddItemToArray(ticks, k);
		gap_label(g, label, sizeof(label));
		cJSON_AddNumberToObject(k, "gap", g);
		cJSON_AddStringToObject(k, "label", label);
		cJSON_AddNumberToObject(k, "y", r1(scale(g, 0, hi, top, gbottom)));
	}
	ticks = cJSON_AddArrayToObject(o, "xticks");
	step = tick_step(xhi - xlo, esteps, sizeof(esteps) / sizeof(esteps[0]), 8);
	for (double t = ceil(xlo / step) * step; t <= xhi; t += step) {
		cJSON *k = cJSON_CreateObject();
		cJSON_AddItemToArray(ticks, k);
		et_label(t, label, sizeof(label));
		cJSON_AddNumberToObject(k, "et", t);
		cJSON_AddStringToObject(k, "label", label);
		cJSON_AddNumberToObject(k, "x", r1(scale(t, xlo, xhi, CHART_LEFT, CHART_W - CHART_RIGHT)));
	}
	fcy = cJSON_AddArrayToObject(o, "fcy");
	for (size_t i = 0; i < c->nfcy; i++) {
		double a = fmax(c->fcy[i * 2], xlo), b = fmin(c->fcy[i * 2 + 1], xhi), xa, xb;
		cJSON *f;
		if (!(b > a) && !(xhi == xlo && c->fcy[i * 2] <= xlo && c->fcy[i * 2 + 1] >= xhi))
			continue;
		xa = r1(scale(a, xlo, xhi, CHART_LEFT, CHART_W - CHART_RIGHT));
		xb = r1(scale(b, xlo, xhi, CHART_LEFT, CHART_W - CHART_RIGHT));
		f = cJSON_CreateObject();
		cJSON_AddItemToArray(fcy, f);
		cJSON_AddNumberToObject(f, "from", c->fcy[i * 2]);
		cJSON_AddNumberToObject(f, "to", c->fcy[i * 2 + 1]);
		cJSON_AddNumberToObject(f, "x", xa);
		cJSON_AddNumberToObject(f, "w", r1(fmax(xb - xa, 1)));
		cJSON_AddNumberToObject(f, "h", r1(lapped - top));
	}
	series = cJSON_AddArrayToObject(o, "series");
	for (size_t k = 0; k < c->norder; k++) {
		const struct ch_car *car = &c->cars[c->order[k]];
		cJSON *s = NULL, *data = NULL, *marks = NULL;
		buf_reset(&pts);
		for (size_t j = car->first; j < car->first + car->n; j++) {
			const struct ch_lap *l = &c->laps[j];
			double x, y;
			cJSON *d;
			if (isnan(l->gap))
				continue;
			if (s == NULL) {
				s = cJSON_CreateObject();
				cJSON_AddItemToArray(series, s);
				chart_car_fields(s, car, car->colour, car->dash);
				data = cJSON_AddArrayToObject(s, "data");
				marks = cJSON_AddArrayToObject(s, "marks");
			}
			x = r1(scale(l->cross, xlo, xhi, CHART_LEFT, CHART_W - CHART_RIGHT));
			y = l->down > 0 ? lapped : r1(scale(fmin(l->gap, hi), 0, hi, top, gbottom));
			pts_add(&pts, x, y);
			d = cJSON_CreateObject();
			cJSON_AddItemToArray(data, d);
			cJSON_AddNumberToObject(d, "lap", l->lap);
			cJSON_AddNumberToObject(d, "et", round(l->cross * 1000) / 1000);
			cJSON_AddNumberToObject(d, "gap", round(l->gap * 1000) / 1000);
			cJSON_AddNumberToObject(d, "laps_down", l->down);
			cJSON_AddBoolToObject(d, "capped", l->down > 0);
			cJSON_AddBoolToObject(d, "pit", l->pit);
			cJSON_AddNumberToObject(d, "x", x);
			cJSON_AddNumberToObject(d, "y", y);
			if (l->pit || (l->down > 0 && (j == car->first || c->laps[j - 1].down != l->down))) {
				cJSON *m = cJSON_CreateObject();
				cJSON_AddItemToArray(marks, m);
				cJSON_AddStringToObject(m, "kind", l->pit ? "pit" : "lapped");
				cJSON_AddNumberToObject(m, "lap", l->lap);
				cJSON_AddNumberToObject(m, "laps_down", l->down);
				cJSON_AddBoolToObject(m, "capped", l->down > 0);
				cJSON_AddNumberToObject(m, "gap", round(l->gap * 1000) / 1000);
				cJSON_AddNumberToObject(m, "x", x);
				cJSON_AddNumberToObject(m, "y", y);
			}
		}
		if (s != NULL)
			cJSON_AddStringToObject(s, "points", pts.p ? pts.p : "");
	}
	buf_free(&pts);
	return o;
}

/*
 * The lap-time chart of the chosen cars: a point for every timed lap,
 * clipped at CHART_CLIP times the best (valid) lap among them.
 */
static cJSON *
chart_times(const struct charts *c, const size_t *sel, size_t nsel)
{
	static const double tsteps[] = { 0.5, 1, 2, 5, 10, 15, 30, 60, 120 };
	double	 best = NAN, any = NAN, lo, hi, step, bottom = CHART_H - CHART_BOTTOM;
	int	 xlo = 0, xhi = 0, have = 0;
	cJSON	*o, *ticks, *series;
	struct buf pts = { 0 };
	char	 label[32];

	for (size_t i = 0; i < nsel; i++) {
		const struct ch_car *car = &c->cars[sel[i]];
		for (size_t j = car->first; j < car->first + car->n; j++) {
			const struct ch_lap *l = &c->laps[j];
			if (isnan(l->time))
				continue;
			if (!have || l->lap < xlo)
				xlo = l->lap;
			if (!have || l->lap > xhi)
				xhi = l->lap;
			have = 1;
			if (isnan(any) || l->time < any)
				any = l->time;
			if (l->valid && (isnan(best) || l->time < best))
				best = l->time;
		}
	}
	if (!have)
		return cJSON_CreateNull();
	if (isnan(best))
		best = any;
	hi = best * CHART_CLIP;
	step = tick_step(hi - best, tsteps, sizeof(tsteps) / sizeof(tsteps[0]), 5);
	lo = floor((fmin(any, best) - step / 2) / step) * step;
	if (lo < 0)
		lo = 0;
	o = chart_frame(CHART_H);
	json_add_time(o, "best", best);
	json_add_time(o, "clip", hi);
	cJSON_AddNumberToObject(o, "clip_y", CHART_TOP);
	chart_lap_ticks(o, xlo, xhi);
	ticks = cJSON_AddArrayToObject(o, "yticks");
	for (double t = ceil(lo / step) * step; t <= hi + 1e-9; t += step) {
		cJSON *k = cJSON_CreateObject();
		cJSON_AddItemToArray(ticks, k);
		json_add_time(k, "time", t);
		time_label(t, step, label, sizeof(label));
		cJSON_AddStringToObject(k, "label", label);
		cJSON_AddNumberToObject(k, "y", r1(scale(t, lo, hi, bottom, CHART_TOP)));
	}
	series = cJSON_AddArrayToObject(o, "series");
	for (size_t i = 0; i < nsel; i++) {
		const struct ch_car *car = &c->cars[sel[i]];
		cJSON *s = cJSON_CreateObject(), *data;
		cJSON_AddItemToArray(series, s);
		chart_car_fields(s, car, (int)i % CHART_COLOURS, 0);
		data = cJSON_AddArrayToObject(s, "data");
		buf_reset(&pts);
		for (size_t j = car->first; j < car->first + car->n; j++) {
			const struct ch_lap *l = &c->laps[j];
			double x, y;
			cJSON *d;
			if (isnan(l->time))
				continue;
			x = r1(scale(l->lap, xlo, xhi, CHART_LEFT, CHART_W - CHART_RIGHT));
			y = r1(scale(fmin(l->time, hi), lo, hi, bottom, CHART_TOP));
			pts_add(&pts, x, y);
			d = cJSON_CreateObject();
			cJSON_AddItemToArray(data, d);
			cJSON_AddNumberToObject(d, "lap", l->lap);
			json_add_time(d, "time", l->time);
			cJSON_AddBoolToObject(d, "valid", l->valid);
			cJSON_AddBoolToObject(d, "pit", l->pit);
			cJSON_AddBoolToObject(d, "clipped", l->time > hi);
			cJSON_AddNumberToObject(d, "x", x);
			cJSON_AddNumberToObject(d, "y", y);
		}
		cJSON_AddStringToObject(s, "points", pts.p ? pts.p : "");
	}
	buf_free(&pts);
	return o;
}

/*
 * The cars of ?cars= (comma lists, the parameter given once or more), in
 * the order given, into sel[] (indexes in c->cars). Returns how many, or
 * -1 after answering 400.
 */
static long
charts_param_cars(struct req *req, struct resp *resp, struct charts *c, size_t *sel)
{
	size_t n = 0;

	for (size_t i = 0; i < req->nparams; i++) {
		const char *v = req->params[i].val;
		if (strcmp(req->params[i].key, "cars") != 0)
			continue;
		while (*v) {
			char part[24];
			size_t len = strcspn(v, ",");
			long long id;
			long k;
			if (len == 0 || len >= sizeof(part)) {
				if (len == 0 && v[0] == ',') {
					v++;
					continue;
				}
				goto bad;
			}
			memcpy(part, v, len);
			part[len] = '\0';
			v += len + (v[len] == ',');
			if (!num_parse_ll(part, 1, 1LL << 53, &id))
				goto bad;
			if ((k = charts_car(c, id)) < 0) {
				resp_error(resp, 400, "bad_parameter", "cars: there is no car %lld in this session.",
				    id);
				return -1;
			}
			if (c->cars[k].sel >= 0)
				continue;
			if (n == CHART_CARS_MAX) {
				resp_error(resp, 400, "bad_parameter", "cars: at most %d cars at a time.",
				    CHART_CARS_MAX);
				return -1;
			}
			c->cars[k].sel = (int)n;
			sel[n++] = (size_t)k;
		}
	}
	return (long)n;
bad:
	resp_error(resp, 400, "bad_parameter", "cars must be a comma list of car ids.");
	return -1;
}

/*
 * Adds the charts of the request's class to o: "class", "classes",
 * "class_cars" (the class's, for the legends and the form), "laps", "gaps" and
 * "times". Returns 1, 0 after answering 400, -1 on an SQLite error.
 */
static int
charts_build(struct req *req, struct resp *resp, const char *id, cJSON *o)
{
	struct charts	 c;
	struct ch_class	*cls = NULL;
	size_t		 ncls = 0, sel[CHART_CARS_MAX];
	const char	*want;
	const cJSON	*et = cJSON_GetObjectItemCaseSensitive(o, "et");
	cJSON		*arr, *list;
	long		 nsel;
	int		 maxlap, rc = -1;

	memset(&c, 0, sizeof(c));
	c.et = cJSON_IsNumber(et) ? et->valuedouble : 0;
	if (!hist_param_text(req, resp, "class", CHART_CLASS_MAX, &want))
		return 0;
	if (charts_load(req->db, id, &c) < 0)
		goto out;
	if (charts_classes(&c, &cls, &ncls) < 0 || (list = cJSON_AddArrayToObject(o, "classes")) == NULL)
		goto out;
	if (want != NULL && want[0] == '\0')
		want = NULL;
	c.cls = ncls > 0 ? cls[0].name : "";
	if (want != NULL) {
		size_t i;
		for (i = 0; i < ncls && strcmp(cls[i].name, want) != 0; i++)
			;
		if (i == ncls) {
			resp_error(resp, 400, "bad_parameter", "There is no class by that name in this session.");
			rc = 0;
			goto out;
		}
		c.cls = cls[i].name;
	}
	for (size_t i = 0; i < ncls; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddItemToArray(list, e);
		cJSON_AddStringToObject(e, "name", cls[i].name);
		cJSON_AddNumberToObject(e, "cars", cls[i].cars);
		cJSON_AddBoolToObject(e, "selected", strcmp(cls[i].name, c.cls) == 0);
	}
	cJSON_AddStringToObject(o, "class", c.cls);
	cJSON_AddBoolToObject(o, "classless", ncls == 1 && c.cls[0] == '\0');

	if (charts_order(&c) < 0)
		goto out;
	if ((nsel = charts_param_cars(req, resp, &c, sel)) < 0) {
		rc = 0;
		goto out;
	}
	cJSON_AddBoolToObject(o, "cars_chosen", nsel > 0);
	for (size_t k = 0; nsel == 0 && k < c.norder && k < CHART_CARS_DFLT; k++) {
		c.cars[c.order[k]].sel = (int)k;
		sel[k] = c.order[k];
	}
	if (nsel == 0)
		nsel = (long)(c.norder < CHART_CARS_DFLT ? c.norder : CHART_CARS_DFLT);
	if (charts_class_figures(&c, &maxlap) < 0)
		goto out;

	arr = cJSON_AddArrayToObject(o, "class_cars");
	for (size_t k = 0; k < c.norder; k++) {
		const struct ch_car *car = &c.cars[c.order[k]];
		cJSON *e = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, e);
		chart_car_fields(e, car, car->colour, car->dash);
		cJSON_AddBoolToObject(e, "selected", car->sel >= 0);
		cJSON_AddNumberToObject(e, "laps", (double)car->n);
	}
	/* "laps" of the session header is its count of laps: here, the lap chart */
	cJSON_DeleteItemFromObjectCaseSensitive(o, "laps");
	cJSON_AddItemToObject(o, "laps", chart_laps(&c, maxlap));
	cJSON_AddItemToObject(o, "gaps", chart_gaps(&c));
	cJSON_AddItemToObject(o, "times", chart_times(&c, sel, (size_t)nsel));
	rc = 1;
out:
	free(cls);
	charts_free(&c);
	return rc;
}

/*
 * Caching: a closed session's charts no longer change, so nginx and
 * browsers may keep them (Cache-Control, ETag from the body, Last-Modified
 * from the session's last update); a live session's are never stored. A
 * browser that holds the current ones (If-None-Match) gets 304.
 */
static void
charts_cache(const struct req *req, struct resp *resp, const cJSON *session)
{
	const cJSON	*last = cJSON_GetObjectItemCaseSensitive(session, "last_update");
	char		 hash[65], date[64], etag[40];
	struct tm	 tm;
	time_t		 t;

	if (resp->status != 200)
		return;
	resp_cache_closed(resp, session);
	if (resp->cache <= 0) {
		resp_header(resp, "Cache-Control", "no-store");
		return;
	}
	resp_header(resp, "Cache-Control", "public, max-age=%d", CHARTS_MAX_AGE);
	sha256_hex(resp->body.p ? resp->body.p : "", resp->body.len, hash);
	snprintf(etag, sizeof(etag), "\"%.32s\"", hash);
	resp_header(resp, "ETag", "%s", etag);
	if (cJSON_IsNumber(last) && last->valuedouble > 0) {
		t = (time_t)last->valuedouble;
		if (gmtime_r(&t, &tm) != NULL &&
		    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0)
			resp_header(resp, "Last-Modified", "%s", date);
	}
	if (req_etag_fresh(req, etag)) {
		resp->status = 304;
		buf_reset(&resp->body);
	}
}

/* The session of the path: its header as the page or the API needs it. */
static void
charts_answer(struct req *req, struct resp *resp, int api)
{
	cJSON		*o, *head = NULL;
	const char	*id;
	int		 rc;

	if (api)
		o = session_api_load(req, resp);
	else
		o = session_page_load(req, resp, "Charts");
	if (o == NULL)
		return;
	id = req->args[0];
	rc = charts_build(req, resp, id, o);
	if (rc < 0) {
		log_err("charts %s: %s", id, sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The charts cannot be read now.");
	}
	if (rc <= 0) {
		if (!api)
			page_error(req, resp);
		cJSON_Delete(o);
		return;
	}
	if (api) {
		resp_json(resp, 200, o);
	} else {
		hist_decorate(o, 0);
		resp_page(req, resp, "charts", o);
	}
	/* the cache is decided on the session's state, read with the charts */
	head = cJSON_CreateObject();
	cJSON_AddItemReferenceToObject(head, "state", cJSON_GetObjectItemCaseSensitive(o, "state"));
	cJSON_AddItemReferenceToObject(head, "last_update",
	    cJSON_GetObjectItemCaseSensitive(o, "last_update"));
	resp->cache = 0;
	charts_cache(req, resp, head);
	cJSON_Delete(head);
	cJSON_Delete(o);
}

void
h_charts_page(struct req *req, struct resp *resp)
{
	charts_answer(req, resp, 0);
}

void
h_charts_api(struct req *req, struct resp *resp)
{
	charts_answer(req, resp, 1);
}
