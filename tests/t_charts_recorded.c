/*
 * The race charts of the recorded races of ../shared/data/recordings, run
 * through the worker into a database and read back through the handlers:
 * for every class, the lap chart's points are the laps table's (every lap
 * of every car of the class, once), a position in class is given once on
 * each lap, the gaps are never negative with one car at 0 on each lap, a
 * car shown lapped is a lap or more down, and the page draws one polyline
 * per series with the twin's points.
 */

#include "hist.h"
#include "t_track_util.h"

#define MAX_LAP 2000

/* Laps of the class in the database, and how many of them the lap chart has. */
static void
laps_vs_db(const char *name, const char *id, const cJSON *o)
{
	sqlite3_stmt	*st;
	const cJSON	*s, *d, *found;
	const char	*cls = jstr(o, "class");
	int		 want = 0, got = 0, missing = 0;

	if (sqlite3_prepare_v2(h.db, "SELECT l.car_id, l.lap FROM laps l JOIN cars c ON c.id = l.car_id "
	    "WHERE c.session_id = ?1 AND coalesce(c.class, '') = ?2", -1, &st, NULL) != SQLITE_OK) {
		ok(0, "%s %s: the laps can be read", name, cls);
		return;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cls ? cls : "", -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		long long car = sqlite3_column_int64(st, 0);
		int lap = sqlite3_column_int(st, 1);
		want++;
		found = NULL;
		cJSON_ArrayForEach(s, jget(o, "laps.series"))
			if (jnum(s, "car") == (double)car)
				cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(s, "data"))
					if (jnum(d, "lap") == lap)
						found = d;
		if (found == NULL)
			missing++;
	}
	sqlite3_finalize(st);
	cJSON_ArrayForEach(s, jget(o, "laps.series"))
		got += jsize(s, "data");
	ok(want > 0 && got == want && missing == 0,
	    "%s, %s: the lap chart has every lap of the class once (%d points, %d laps, %d missing)",
	    name, cls, got, want, missing);
}

/* On each lap, positions in class 1..k once each. */
static void
positions(const char *name, const cJSON *o)
{
	static int	 seen[MAX_LAP + 1][64];
	const cJSON	*s, *d;
	int		 bad = 0;

	memset(seen, 0, sizeof(seen));
	cJSON_ArrayForEach(s, jget(o, "laps.series"))
		cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(s, "data")) {
			int lap = (int)jnum(d, "lap"), p = (int)jnum(d, "position");
			if (lap < 0 || lap > MAX_LAP || p < 1 || p > 63 || seen[lap][p]++)
				bad++;
		}
	for (int lap = 0; lap <= MAX_LAP; lap++)
		for (int p = 2; p < 64; p++)
			if (seen[lap][p] && !seen[lap][p - 1])
				bad++;
	ok(bad == 0, "%s, %s: one car at each position in class on each lap", name, jstr(o, "class"));
}

/* Gaps: never negative, a 0 on each lap that has gaps, capped when a lap down. */
static void
gaps(const char *name, const cJSON *o)
{
	static char	 zero[MAX_LAP + 1], any[MAX_LAP + 1];
	const cJSON	*s, *d;
	int		 bad = 0, lapped = 0;

	memset(zero, 0, sizeof(zero));
	memset(any, 0, sizeof(any));
	cJSON_ArrayForEach(s, jget(o, "gaps.series"))
		cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(s, "data")) {
			int lap = (int)jnum(d, "lap");
			double g = jnum(d, "gap");
			if (lap < 0 || lap > MAX_LAP || g < 0) {
				bad++;
				continue;
			}
			any[lap] = 1;
			if (g == 0)
				zero[lap] = 1;
			if (cJSON_IsTrue(jget(d, "capped")) != (jnum(d, "laps_down") > 0))
				bad++;
			if (jnum(d, "laps_down") > 0) {
				lapped++;
				if (jnum(d, "y") != jnum(o, "gaps.lapped_y"))
					bad++;
			}
		}
	for (int lap = 0; lap <= MAX_LAP; lap++)
		if (any[lap] && !zero[lap])
			bad++;
	ok(bad == 0, "%s, %s: gaps from 0 on each lap, never negative; %d points a lap or more down, capped",
	    name, jstr(o, "class"), lapped);
}

/* Counts the polylines of one chart on a page. */
static int
polylines(const struct buf *page, const char *chart)
{
	char		 tag[64];
	const char	*p, *end;
	int		 n = 0;

	snprintf(tag, sizeof(tag), "data-chart=\"%s\"", chart);
	if ((p = strstr(page->p, tag)) == NULL || (end = strstr(p, "</figure>")) == NULL)
		return 0;
	while ((p = strstr(p + 1, "<polyline points=\"")) != NULL && p < end)
		n++;
	return n;
}

static void
race(const char *name, const char *file)
{
	static const char *const charts[] = { "laps", "gaps", "times" };
	char		 path[4096], q[160], page[160];
	struct resp	 r;
	cJSON		*list, *o;
	const cJSON	*cl, *s;
	const char	*id;
	int		 rc;

	if ((rc = rec_load(&h.db, h.dir, name, file, NULL, NULL)) <= 0) {
		if (rc < 0)
			rec_skip(name, 1);
		else
			ok(0, "%s: the recording goes through the worker", name);
		return;
	}
	resp_init(&r);
	list = get_json(&r, "/api/v1/sessions", "type=RACE");
	id = jstr(list, "sessions.0.id");
	ok(id != NULL, "%s: a race", name);
	snprintf(path, sizeof(path), "/api/v1/sessions/%s/charts", id ? id : "x");
	snprintf(page, sizeof(page), "/sessions/%s/charts", id ? id : "x");
	o = id ? get_json(&r, path, NULL) : NULL;
	ok(o != NULL && jsize(o, "classes") > 0, "%s: the charts answer with the classes", name);
	cJSON_ArrayForEach(cl, jget(o, "classes")) {
		cJSON *c;
		int right = 1;
		struct buf e = { 0 };
		const char *cname = jstr(cl, "name");
		esc_url(&e, cname, strlen(cname));
		snprintf(q, sizeof(q), "class=%s", e.p ? e.p : "");
		buf_free(&e);
		if ((c = get_json(&r, path, q)) == NULL) {
			ok(0, "%s, %s: the class's charts", name, cname);
			continue;
		}
		laps_vs_db(name, id, c);
		positions(name, c);
		gaps(name, c);
		for (size_t k = 0; k < sizeof(charts) / sizeof(charts[0]); k++)
			cJSON_ArrayForEach(s, jget(jget(c, charts[k]), "series")) {
				const char *pts = jstr(s, "points");
				int n = pts && *pts ? 1 : 0;
				for (const char *p = pts; p && *p; p++)
					n += *p == ' ';
				if (n != jsize(s, "data"))
					right = 0;
			}
		ok(right, "%s, %s: every polyline has its series' points", name, cname);
		ok(get(&r, page, q) == 200 && polylines(&r.body, "laps") == jsize(c, "laps.series") &&
		    polylines(&r.body, "gaps") == jsize(c, "gaps.series") &&
		    polylines(&r.body, "times") == jsize(c, "times.series"),
		    "%s, %s: the page draws one polyline per series", name, cname);
		cJSON_Delete(c);
	}
	cJSON_Delete(o);
	cJSON_Delete(list);
	resp_free(&r);
}

int
main(void)
{
	hist_open();
	race("sebring", "sebring-school-race-A.jsonl.gz");
	race("monza", "monza-weekend.jsonl.gz");
	hctx_close(&h);
	return tap_done();
}
