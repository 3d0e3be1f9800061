/*
 * The race charts (/sessions/{id}/charts and its JSON twin): every lap of
 * every car of the class drawn once, the SVG polylines carrying exactly
 * those points, the gap to the class leader from crossing times (a lapped
 * car capped, pit stops marked, full-course yellows shaded), the lap-time
 * clip, the class and car filters, escaping, and caching of a closed
 * session against a live one.
 */
#include <ctype.h>
#include <math.h>

#include "hist.h"

#define DONE	"0190cccc000070008000000000000001"
#define LIVE_S	"0190cccc000070008000000000000002"
#define EMPTY	"0190cccc000070008000000000000003"
#define API	"/api/v1/sessions/" DONE "/charts"
#define PAGE	"/sessions/" DONE "/charts"

/*
 * DONE: Hypercar #7 and #8 (the leading class), LMGT3 #31, #92 and #27.
 * Laps of 100 s (Hypercar) and 110, 112, 150 s (LMGT3) from ET 0; #31's
 * lap 2 is an invalid 108. In LMGT3: #92 is ahead of #31 on lap 2 by the
 * game's positions; #92's lap 3 has no start, so its crossing is lap 4's
 * start (336); #27 crosses lap 2 at 300, 82 s after #31 (218), and lap 3
 * at 450, after #31 crossed lap 4 (440): a lap down; #27's lap 4 has
 * neither time nor a next lap, so no crossing, and no position. #92
 * stopped on lap 2 (a pits row), #31's lap 3 is a pit lap (laps.pit);
 * #27's garage visit on lap 1 is not a stop. #31's lap 5 repeats lap 4
 * (start and time, as a retirement can store it): no crossing. Yellows: the log's fcy from
 * 150 to 250, and phase samples 6 from 380 until 400.
 */
static const char fixture[] =
    "INSERT INTO sessions (id, sim, track, type, online, started_at, last_update, et, phase, "
    "remaining, state, finished, cars, laps) VALUES "
    "('" DONE "', 'lmu', 'Sebring International Raceway', 'race1', 1, 1794686400, 1794687400, "
    "1000, 8, 0, 'closed', 1, 5, 21), "
    "('" LIVE_S "', 'lmu', 'Autodromo Nazionale Monza', 'race1', 1, 1794772800, 1794773200, "
    "400, 5, 1400, 'live', 0, 1, 2), "
    "('" EMPTY "', 'lmu', 'Autodromo Nazionale Monza', 'race1', 1, 1794772800, 1794773200, "
    "0, 5, 1400, 'closed', 0, 1, 0);"
    "INSERT INTO cars (id, session_id, slot, vehicle, number, team, class) VALUES "
    "(101, '" DONE "', 1, 'TS050', '7', 'Toyota <b>Gazoo</b> & \"Co\"', 'Hypercar'), "
    "(102, '" DONE "', 2, '963', '8', 'Porsche Penske', 'Hypercar'), "
    "(201, '" DONE "', 3, 'M4', '31', 'Team WRT', 'LMGT3'), "
    "(202, '" DONE "', 4, '911', '92', 'Manthey', 'LMGT3'), "
    "(203, '" DONE "', 5, 'VANTAGE', '27', 'Heart of Racing', 'LMGT3'), "
    "(301, '" LIVE_S "', 1, 'M4', '46', 'Team WRT', 'LMGT3'), "
    "(401, '" EMPTY "', 1, 'M4', '46', 'Team WRT', 'LMGT3');"
    "INSERT INTO car_state (car_id, session_id, position, class_position, laps) VALUES "
    "(101, '" DONE "', 1, 1, 5), (102, '" DONE "', 2, 2, 5), (201, '" DONE "', 3, 1, 4), "
    "(202, '" DONE "', 4, 2, 4), (203, '" DONE "', 5, 3, 4), (301, '" LIVE_S "', 1, 1, 2);"
    "INSERT INTO laps (car_id, lap, time, valid, pit, position, start_et) VALUES "
    "(101, 1, 100, 1, 0, 1, 0), (101, 2, 100, 1, 0, 1, 100), (101, 3, 100, 1, 0, 1, 200), "
    "(101, 4, 100, 1, 0, 1, 300), (101, 5, 100, 1, 0, 1, 400), "
    "(102, 1, 101, 1, 0, 2, 0), (102, 2, 101, 1, 0, 2, 101), (102, 3, 101, 1, 0, 2, 202), "
    "(102, 4, 101, 1, 0, 2, 303), (102, 5, 101, 1, 0, 2, 404), "
    "(201, 1, 110, 1, 0, 3, 0), (201, 2, 108, 0, 0, 4, 110), (201, 3, 110, 1, 1, 3, 220), "
    "(201, 4, 110, 1, 0, 3, 330), (201, 5, 110, 1, 0, 3, 330), "
    "(202, 1, 112, 1, 0, 4, 0), (202, 2, 112, 1, 0, 3, 112), (202, 3, 112, 1, 0, 4, NULL), "
    "(202, 4, 112, 1, 0, 4, 336), "
    "(203, 1, 150, 1, 0, 5, 0), (203, 2, 150, 1, 0, 5, 150), (203, 3, 150, 1, 0, 5, 300), "
    "(203, 4, NULL, 0, 0, NULL, 450), "
    "(301, 1, 110, 1, 0, 1, 0), (301, 2, 109, 1, 0, 1, 110);"
    "INSERT INTO pits (car_id, lap, pit_time, stop_time, garage_in) VALUES "
    "(202, 2, 200, 210, NULL), (203, 1, 120, NULL, 130);"
    "INSERT INTO race_log (session_id, et, at, kind, text, ref) VALUES "
    "('" DONE "', 150, 1794686550, 'fcy', 'Full-course yellow', 'fcy:150'), "
    "('" DONE "', 250, 1794686650, 'fcy_end', 'Green', 'fcy_end:250');"
    "INSERT INTO conditions (session_id, et, at, phase) VALUES "
    "('" DONE "', 370, 1794686770, 5), ('" DONE "', 380, 1794686780, 6), "
    "('" DONE "', 390, 1794686790, 6), ('" DONE "', 400, 1794686800, 5);";

/* The series of car in a chart's series array, or NULL. */
static const cJSON *
series_of(const cJSON *chart, long long car)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(chart, "series"))
		if (jnum(s, "car") == (double)car)
			return s;
	return NULL;
}

/* The point of lap in a series, or NULL. */
static const cJSON *
point_of(const cJSON *series, int lap)
{
	const cJSON *d;

	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(series, "data"))
		if (jnum(d, "lap") == lap)
			return d;
	return NULL;
}

/* Counts "x,y" pairs in a points attribute. */
static int
count_points(const char *p, size_t len)
{
	int n = 0, in = 0;

	for (size_t i = 0; i < len; i++) {
		if (!isspace((unsigned char)p[i]) && !in)
			n++;
		in = !isspace((unsigned char)p[i]);
	}
	return n;
}

/*
 * Every lap of every car of the class in the lap chart, once, in lap order,
 * and nothing else: against the laps table itself.
 */
static void
laps_equal_db(struct resp *r)
{
	cJSON		*o = get_json(r, API, "class=LMGT3");
	sqlite3_stmt	*st;
	const cJSON	*s, *d;
	int		 want = 0, got = 0, same = 1, cars = 0;

	ok(o != NULL && strcmp(jstr(o, "class"), "LMGT3") == 0, "the JSON twin answers for a class");
	if (sqlite3_prepare_v2(h.db, "SELECT l.car_id, l.lap FROM laps l JOIN cars c ON c.id = l.car_id "
	    "WHERE c.session_id = ?1 AND c.class = 'LMGT3' ORDER BY l.car_id, l.lap", -1, &st, NULL) != SQLITE_OK) {
		ok(0, "the laps can be read");
		cJSON_Delete(o);
		return;
	}
	sqlite3_bind_text(st, 1, DONE, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const cJSON *ser = series_of(jget(o, "laps"), sqlite3_column_int64(st, 0));
		want++;
		if (ser == NULL || point_of(ser, sqlite3_column_int(st, 1)) == NULL)
			same = 0;
	}
	sqlite3_finalize(st);
	cJSON_ArrayForEach(s, jget(o, "laps.series")) {
		int prev = 0;
		cars++;
		cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(s, "data")) {
			got++;
			if (jnum(d, "lap") <= prev)
				same = 0;
			prev = (int)jnum(d, "lap");
		}
		if (jnum(s, "laps") != cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "data")))
			same = 0;
	}
	ok(want == 13 && got == want && same, "the lap chart has every lap of every car of the class, no more "
	    "(%d of %d)", got, want);
	is_int(cars, 3, "one series per car of the class");
	is_int(jnum(point_of(series_of(jget(o, "laps"), 202), 2), "position"), 1,
	    "a car ahead by the game's position at the line is first in class on that lap");
	is_int(jnum(point_of(series_of(jget(o, "laps"), 201), 2), "position"), 2, "and the other second");
	is_int(jnum(point_of(series_of(jget(o, "laps"), 203), 4), "position"), 3,
	    "a lap without a position comes last");
	cJSON_Delete(o);
}

/*
 * The page's SVG: in each figure one polyline per series of the JSON twin,
 * with as many points as the twin's data.
 */
static void
svg_matches(struct resp *r)
{
	static const char *const charts[] = { "laps", "gaps", "times" };
	cJSON	*o = get_json(r, API, "class=LMGT3");

	ok(get(r, PAGE, "class=LMGT3") == 200 && strstr(r->body.p, "<svg") != NULL, "the page answers with SVG");
	for (size_t i = 0; i < 3; i++) {
		char		 tag[64];
		const char	*fig, *end, *p;
		int		 lines = 0, right = 1;
		snprintf(tag, sizeof(tag), "data-chart=\"%s\"", charts[i]);
		fig = strstr(r->body.p, tag);
		end = fig ? strstr(fig, "</figure>") : NULL;
		if (end == NULL) {
			ok(0, "the %s chart is on the page", charts[i]);
			continue;
		}
		for (p = fig; (p = strstr(p, "data-car=\"")) != NULL && p < end; p++) {
			long long car = strtoll(p + 10, NULL, 10);
			const char *pl = strstr(p, "<polyline points=\""), *q;
			const cJSON *s = series_of(jget(o, charts[i]), car);
			if (pl == NULL || pl > end || s == NULL) {
				right = 0;
				break;
			}
			pl += 18;
			q = strchr(pl, '"');
			if (count_points(pl, (size_t)(q - pl)) != jsize(s, "data") ||
			    strncmp(pl, jstr(s, "points"), (size_t)(q - pl)) != 0)
				right = 0;
			lines++;
		}
		snprintf(tag, sizeof(tag), "%s.series", charts[i]);
		ok(right && lines == jsize(o, tag) && lines > 0,
		    "the %s chart: one polyline per car with its points", charts[i]);
	}
	cJSON_Delete(o);
}

static void
gaps(struct resp *r)
{
	cJSON		*o = get_json(r, API, "class=LMGT3");
	const cJSON	*g = jget(o, "gaps"), *p;

	ok(jsize(series_of(g, 201), "data") == 4 && jsize(series_of(g, 202), "data") == 4 &&
	    jsize(series_of(g, 203), "data") == 3, "a gap at every lap whose crossing is known");
	p = point_of(series_of(g, 201), 4);
	ok(same_time(jnum(p, "gap"), 0) && same_time(jnum(p, "et"), 440), "the leader: no gap, crossing at 440");
	p = point_of(series_of(g, 202), 3);
	ok(same_time(jnum(p, "et"), 336) && same_time(jnum(p, "gap"), 6),
	    "a lap without a start crosses at the next lap's start");
	p = point_of(series_of(g, 203), 2);
	ok(same_time(jnum(p, "gap"), 82) && jnum(p, "laps_down") == 0 && cJSON_IsFalse(jget(p, "capped")),
	    "a car behind on the same lap: its gap in seconds");
	p = point_of(series_of(g, 203), 3);
	ok(same_time(jnum(p, "gap"), 120) && jnum(p, "laps_down") == 1 && cJSON_IsTrue(jget(p, "capped")) &&
	    jnum(p, "y") == jnum(g, "lapped_y"), "a lapped car: a lap down, drawn capped on the lapped row");
	ok(jnum(p, "y") > jnum(g, "yticks.0.y") && jnum(point_of(series_of(g, 203), 2), "y") < jnum(g, "lapped_y"),
	    "the lapped row is below the gaps");
	ok(point_of(series_of(g, 201), 5) == NULL && jnum(point_of(series_of(g, 202), 4), "laps_down") == 0 &&
	    same_time(jnum(point_of(series_of(g, 202), 4), "gap"), 8),
	    "a lap repeated with the same crossing is no crossing: it laps nobody");
	ok(jsize(series_of(g, 203), "marks") == 1 && strcmp(jstr(series_of(g, 203), "marks.0.kind"), "lapped") == 0,
	    "the lapped car is marked once, where it went a lap down");
	ok(cJSON_IsTrue(jget(point_of(series_of(g, 202), 2), "pit")) &&
	    cJSON_IsTrue(jget(point_of(series_of(g, 201), 3), "pit")) &&
	    cJSON_IsFalse(jget(point_of(series_of(g, 203), 1), "pit")),
	    "pit laps from the pits table and from laps.pit are marked; a garage visit is not a stop");
	ok(jsize(g, "fcy") == 2 && same_time(jnum(g, "fcy.0.from"), 150) && same_time(jnum(g, "fcy.0.to"), 250) &&
	    same_time(jnum(g, "fcy.1.from"), 380) && same_time(jnum(g, "fcy.1.to"), 400),
	    "full-course yellows from the log and from the phase samples");
	ok(jnum(g, "fcy.0.x") > jnum(g, "left") && jnum(g, "fcy.0.w") > 0, "a yellow is shaded where it was");
	cJSON_Delete(o);
}

static void
times(struct resp *r)
{
	cJSON		*o = get_json(r, API, "class=LMGT3");
	const cJSON	*t = jget(o, "times"), *p;

	ok(jsize(t, "series") == 3 && jnum(t, "series.0.car") == 201 && jnum(t, "series.1.car") == 202 &&
	    jnum(t, "series.2.car") == 203, "the lap times of the class's top three by default");
	ok(same_time(jnum(t, "best"), 110) && same_time(jnum(t, "clip"), 126.5),
	    "clipped at 115%% of the best valid lap");
	p = point_of(series_of(t, 203), 2);
	ok(cJSON_IsTrue(jget(p, "clipped")) && jnum(p, "y") == jnum(t, "clip_y"),
	    "a slower lap is drawn clipped at the top and marked");
	ok(jsize(series_of(t, 203), "data") == 3, "an untimed lap has no point");
	ok(cJSON_IsFalse(jget(point_of(series_of(t, 201), 2), "valid")) &&
	    cJSON_IsTrue(jget(point_of(series_of(t, 201), 3), "pit")), "invalid and pit laps are marked");
	cJSON_Delete(o);

	o = get_json(r, API, "class=LMGT3&cars=202,101");
	ok(o && jsize(o, "times.series") == 2 && jnum(o, "times.series.0.car") == 202 &&
	    jnum(o, "times.series.1.car") == 101, "?cars= chooses the cars, in order, of any class");
	cJSON_Delete(o);
	o = get_json(r, API, "class=LMGT3&cars=203&cars=201,203");
	ok(o && jsize(o, "times.series") == 2, "cars given in several parameters, once each");
	cJSON_Delete(o);
	ok(get(r, API, "cars=999") == 400, "a car of another session: 400");
	ok(get(r, API, "cars=20x") == 400, "a car that is not a number: 400");
	ok(get(r, API, "cars=101,,102") == 200, "an empty item is skipped");
}

static void
filters(struct resp *r)
{
	cJSON *o = get_json(r, API, NULL);

	ok(o && strcmp(jstr(o, "class"), "Hypercar") == 0 && jsize(o, "laps.series") == 2,
	    "the leading class by default");
	ok(jsize(o, "classes") == 2 && strcmp(jstr(o, "classes.1.name"), "LMGT3") == 0 &&
	    cJSON_IsTrue(jget(o, "classes.0.selected")), "the classes to choose from");
	ok(jsize(o, "class_cars") == 2 && strcmp(jstr(o, "class_cars.0.label"), "#7") == 0,
	    "the class's cars in class order, for the legend and the form");
	ok(jsize(o, "times.series") == 2, "a class of two: both cars' lap times");
	cJSON_Delete(o);
	ok(get(r, API, "class=Nope") == 400, "an unknown class: 400");
	ok(get(r, PAGE, "class=%22%3E%3Cx") == 400 && strstr(r->body.p, "\"><x") == NULL,
	    "an unknown class on the page: a 400 page that does not echo it");
	ok(get(r, "/sessions/0190ffff000070008000000000000009/charts", NULL) == 404, "an unknown session: 404");
	o = get_json(r, "/api/v1/sessions/" EMPTY "/charts", NULL);
	ok(o && jnull(o, "laps") && jnull(o, "gaps") && jnull(o, "times"), "a session without laps: no charts");
	cJSON_Delete(o);
	ok(get(r, "/sessions/" EMPTY "/charts", NULL) == 200 && strstr(r->body.p, "No laps yet") != NULL,
	    "and the page says so");
}

static void
escaping(struct resp *r)
{
	ok(get(r, PAGE, NULL) == 200, "the page of the default class");
	ok(strstr(r->body.p, "<b>Gazoo") == NULL &&
	    strstr(r->body.p, "Toyota &lt;b&gt;Gazoo&lt;/b&gt; &amp; &quot;Co&quot;") != NULL,
	    "names from the game are escaped");
	ok(strstr(r->body.p, "<form class=\"chart-filter\" method=\"get\"") != NULL &&
	    strstr(r->body.p, "name=\"cars\" value=\"101\" checked") != NULL, "the filters are GET forms");
	ok(strstr(r->body.p, "/static/charts.js") != NULL, "the live script is on the page");
	ok(strstr(r->body.p, "class=\"tick\"") != NULL && strstr(r->body.p, "fill=\"#") == NULL &&
	    strstr(r->body.p, "stroke=\"#") == NULL, "no fixed colours in the SVG: the theme's variables");
}

/* The value of header name in r, or "" (a static copy). */
static const char *
header(const struct resp *r, const char *name)
{
	static char v[256];

	return hctx_header(r, name, v, sizeof(v)) ? v : "";
}

/* GET path (no query) with the If-None-Match header inm; returns the status. */
static int
get_if(struct resp *r, const char *path, const char *inm)
{
	struct hreq q = { .method = METHOD_GET, .path = path, .if_none_match = inm };

	return hctx_send(&h, r, &q);
}

static void
caching(struct resp *r)
{
	char etag[128], list[300];

	get(r, PAGE, NULL);
	is_str(header(r, "Cache-Control"), "public, max-age=60", "a closed session's charts may be kept");
	snprintf(etag, sizeof(etag), "%s", header(r, "ETag"));
	ok(strlen(etag) == 34 && etag[0] == '"', "with an ETag");
	is_str(header(r, "Last-Modified"), "Sat, 14 Nov 2026 20:16:40 GMT", "and Last-Modified");
	is_str(header(r, "X-Accel-Expires"), "60", "nginx keeps them");
	get(r, PAGE, NULL);
	is_str(header(r, "ETag"), etag, "the same charts: the same ETag");
	get(r, PAGE, "class=LMGT3");
	ok(strcmp(header(r, "ETag"), etag) != 0 && header(r, "ETag")[0] == '"', "other charts: another ETag");
	ok(get_if(r, PAGE, etag) == 304 && r->body.len == 0 && strcmp(header(r, "ETag"), etag) == 0 &&
	    strcmp(header(r, "Cache-Control"), "public, max-age=60") == 0,
	    "a browser holding the current charts gets 304, no body, the same ETag");
	snprintf(list, sizeof(list), "\"0123\", W/%s", etag);
	ok(get_if(r, PAGE, list) == 304, "a list of tags, weak or not, that holds it: 304");
	ok(get_if(r, PAGE, "\"0123\"") == 200 && r->body.len > 0, "another tag: the charts");
	ok(get_if(r, PAGE, "") == 200 && r->body.len > 0, "an empty header (nginx's cache clears it): the charts");
	snprintf(list, sizeof(list), "%.20s\"", etag);
	ok(get_if(r, PAGE, list) == 200, "a tag that only starts the same: the charts");
	get(r, API, NULL);
	ok(strcmp(header(r, "Cache-Control"), "public, max-age=60") == 0 && header(r, "ETag")[0] == '"',
	    "the JSON twin of a closed session too");

	ok(get(r, "/sessions/" LIVE_S "/charts", NULL) == 200, "a live session's charts");
	is_str(header(r, "Cache-Control"), "no-store", "are not stored");
	ok(header(r, "ETag")[0] == '\0' && header(r, "X-Accel-Expires")[0] == '\0', "nor cached by nginx");
	ok(get_if(r, "/sessions/" LIVE_S "/charts", "*") == 200 && r->body.len > 0,
	    "a live session's charts are sent whatever the browser holds");
	ok(get(r, "/api/v1/sessions/" LIVE_S "/charts", NULL) == 200 &&
	    strcmp(header(r, "Cache-Control"), "no-store") == 0, "nor their JSON twin");
	ok(get(r, API, "class=Nope") == 400 && header(r, "ETag")[0] == '\0', "an error has no ETag");
}

int
main(void)
{
	struct resp r;

	if (!hctx_open(&h) || !hctx_sql(&h, fixture)) {
		printf("Bail out! cannot set up the test database\n");
		return 1;
	}
	resp_init(&r);
	laps_equal_db(&r);
	svg_matches(&r);
	gaps(&r);
	times(&r);
	filters(&r);
	escaping(&r);
	caching(&r);
	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
