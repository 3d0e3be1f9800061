/*
 * The race control log pages through the in-memory handler driver: the log
 * page newest first with kind badges and car links, its class and car
 * filters (a GET form, no JavaScript), the JSON twin in time order, text
 * escaped, the empty state; the session page's ticker (the newest eight)
 * and the My team panel from ?pin= with gaps and gap trends, and its JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "hist.h"

#define SID "0190cccc000070008000000000000011"
#define EMPTY "0190cccc000070008000000000000012"

static const char *
body(struct resp *r)
{
	return r->body.p ? r->body.p : "";
}

/* Whether a comes before b in the body (both there). */
static int
before(struct resp *r, const char *a, const char *b)
{
	const char *pa = strstr(body(r), a), *pb = strstr(body(r), b);

	return pa != NULL && pb != NULL && pa < pb;
}

/* The "text" of each entry of o's "log", joined by '|'. */
static void
texts(const cJSON *o, char *out, size_t outsz)
{
	const cJSON *e;

	out[0] = '\0';
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(o, "log")) {
		const cJSON *t = cJSON_GetObjectItem(e, "text");
		if (out[0] != '\0')
			strncat(out, "|", outsz - strlen(out) - 1);
		strncat(out, cJSON_IsString(t) ? t->valuestring : "?", outsz - strlen(out) - 1);
	}
}

int
main(void)
{
	struct resp	 r;
	cJSON		*o, *e;
	char		 got[512];

	if (!hctx_open(&h))
		return 1;
	resp_init(&r);
	/*
	 * Three cars, two classes. #7 leads GT3 and gains 0.5 s a lap on #8
	 * (the gap grows 1.0, 1.5, 2.0, 2.5, 3.0 over laps 1..5).
	 */
	if (!hctx_sql(&h,
	    "INSERT INTO sessions (id, sim, track, type, online, started_at, last_update, et, phase, "
	    "remaining, track_length, state, cars) VALUES "
	    "('" SID "', 'lmu', 'Test Ring', 'race1', 1, 1700000000, 1700000000, 900, 5, 3000, "
	    "1000, 'live', 3),"
	    "('" EMPTY "', 'lmu', 'Test Ring', 'race1', 1, 1700000000, 1700000000, 10, 5, 3000, "
	    "1000, 'closed', 0);"
	    "INSERT INTO cars (id, session_id, slot, vehicle, vehicle_name, number, team, class) VALUES "
	    "(1, '" SID "', 0, 'a', 'Car A', '7', 'Team <A>', 'GT3'),"
	    "(2, '" SID "', 1, 'b', 'Car B', '8', 'Team B', 'GT3'),"
	    "(3, '" SID "', 2, 'c', 'Car C', '22', 'Team C', 'LMP2');"
	    "INSERT INTO car_state (car_id, session_id, driver, position, class_position, laps, gap, "
	    "gap_laps, class_gap, class_gap_laps, status) VALUES "
	    "(3, '" SID "', 'Cid', 1, 1, 6, 0, 0, 0, 0, 'running'),"
	    "(1, '" SID "', 'Ann', 2, 1, 5, 20, 1, 0, 0, 'running'),"
	    "(2, '" SID "', 'Bob', 3, 2, 5, 23, 1, 3.0, 0, 'running');"
	    "INSERT INTO laps (car_id, lap, time, start_et, valid) VALUES "
	    "(1, 1, 100, 0, 1), (1, 2, 100, 100, 1), (1, 3, 100, 200, 1), (1, 4, 100, 300, 1),"
	    "(1, 5, 100, 400, 1),"
	    "(2, 1, 101, 0, 1), (2, 2, 100.5, 101, 1), (2, 3, 100.5, 201.5, 1),"
	    "(2, 4, 100.5, 302, 1), (2, 5, 100.5, 402.5, 1);"
	    /* written out of time order: the pages sort by ET */
	    "INSERT INTO race_log (session_id, et, at, kind, car_id, class, number, lap, driver, "
	    "text, data, ref) VALUES "
	    "('" SID "', 0, 1700000000, 'session', 0, NULL, NULL, NULL, NULL, 'Race began', "
	    "'{\"phase\":\"green flag\"}', 's'),"
	    "('" SID "', 310, 1700000310, 'pit_in', 1, 'GT3', '7', 4, 'Ann', '#7 Ann: pit lane', "
	    "NULL, 'p1'),"
	    "('" SID "', 340, 1700000340, 'stop', 1, 'GT3', '7', 4, 'Ann', '#7 Ann: stop 24.5 s', "
	    "'{\"duration\":24.5,\"swap\":false}', 'st1'),"
	    "('" SID "', 200, 1700000200, 'fcy', 0, NULL, NULL, NULL, NULL, 'Full course yellow', "
	    "NULL, 'f1'),"
	    "('" SID "', 250, 1700000250, 'fcy_end', 0, NULL, NULL, NULL, NULL, 'Green', NULL, 'f2'),"
	    "('" SID "', 400, 1700000400, 'penalty', 2, 'GT3', '8', 5, 'Bob', "
	    "'#8 Bob: penalty <script>alert(1)</script>', '{\"count\":1}', 'pe1'),"
	    "('" SID "', 420, 1700000420, 'swap', 3, 'LMP2', '22', 5, 'Cid', '#22 Dee to Cid', "
	    "'{\"from\":\"Dee\",\"to\":\"Cid\"}', 'sw1'),"
	    "('" SID "', 500, 1700000500, 'fastest_lap', 3, 'LMP2', '22', 5, 'Cid', "
	    "'#22 Cid: fastest lap 1:39.000', '{\"time\":99}', 'fl1'),"
	    "('" SID "', 600, 1700000600, 'lead', 3, 'LMP2', '22', 6, 'Cid', 'Lead: #22', "
	    "'{\"from_car\":null,\"to_car\":3}', 'l1'),"
	    "('" SID "', 700, 1700000700, 'penalty_served', 2, 'GT3', '8', 6, 'Bob', "
	    "'#8 Bob: penalty served', '{\"count\":0}', 'pe1s');"))
		return 1;

	/* the log page */
	ok(get(&r, "/sessions/" SID "/log", NULL) == 200 && strstr(r.ctype, "text/html"),
	    "the log page is HTML");
	ok(strstr(body(&r), "#8 Bob: penalty &lt;script&gt;alert(1)&lt;/script&gt;") != NULL &&
	    strstr(body(&r), "<script>alert") == NULL, "a log text with markup is escaped");
	ok(before(&r, "penalty served", "Lead: #22") && before(&r, "Lead: #22", "Green") &&
	    before(&r, "Green", "Full course yellow") && before(&r, "#7 Ann: pit lane", "Race began"),
	    "the page shows the entries newest first, by ET");
	ok(strstr(body(&r), "class=\"badge-k badge-penalty\">penalty<") &&
	    strstr(body(&r), "class=\"badge-k badge-flag\">FCY<") &&
	    strstr(body(&r), "class=\"badge-k badge-stop\">stop<") &&
	    strstr(body(&r), "class=\"badge-k badge-fastest\">fastest<") &&
	    strstr(body(&r), "class=\"badge-k badge-lead\">lead<"),
	    "each entry has the badge of its kind");
	ok(strstr(body(&r), "<span class=\"et\">0:05:40</span>") != NULL,
	    "the ET is shown as a duration");
	ok(strstr(body(&r), "href=\"/sessions/" SID "/cars/1\">#7 Team &lt;A&gt;</a>") != NULL,
	    "a car's entry links to the car page with its number and team");
	ok(strstr(body(&r), "<option selected>") == NULL &&
	    strstr(body(&r), "<option>GT3</option>") && strstr(body(&r), "<option>LMP2</option>") &&
	    strstr(body(&r), "<option value=\"3\" data-number=\"22\""),
	    "the filter form offers the session's classes and cars");
	ok(strstr(body(&r), "action=\"/sessions/" SID "/log\"") && strstr(body(&r), "src=\"/static/log.js\""),
	    "the filter form is a GET form and the page carries its live script");

	ok(get(&r, "/sessions/" SID "/log", "class=LMP2") == 200 &&
	    strstr(body(&r), "#22 Dee to Cid") && !strstr(body(&r), "#7 Ann: pit lane") &&
	    !strstr(body(&r), "penalty served") && strstr(body(&r), "Full course yellow") &&
	    strstr(body(&r), "<option selected>LMP2</option>"),
	    "?class= keeps the class's entries and the whole session's");
	ok(get(&r, "/sessions/" SID "/log", "car=1&car=2") == 200 &&
	    strstr(body(&r), "#7 Ann: pit lane") && strstr(body(&r), "penalty served") &&
	    !strstr(body(&r), "#22 Dee to Cid") && strstr(body(&r), " multiple size=\"4\"") &&
	    strstr(body(&r), "<option value=\"1\" selected") &&
	    strstr(body(&r), "<option value=\"2\" selected"),
	    "several car= show those cars and the form shows them chosen");
	ok(get(&r, "/sessions/" SID "/log", "class=GT3&car=3") == 200 &&
	    !strstr(body(&r), "log-entry kind-swap") && !strstr(body(&r), "log-entry kind-stop") &&
	    strstr(body(&r), "log-entry kind-fcy"), "class and car filters both apply");
	ok(get(&r, "/sessions/" SID "/log", "car=x") == 400, "a car that is not an id is 400");
	ok(get(&r, "/sessions/" SID "/log", "class=Hyper") == 200 &&
	    strstr(body(&r), "log-entry kind-session") && !strstr(body(&r), "no-log"),
	    "a class without entries still shows the session's");
	ok(get(&r, "/sessions/" EMPTY "/log", NULL) == 200 &&
	    strstr(body(&r), "No race control messages yet.") &&
	    !strstr(body(&r), "class=\"log-entry"), "a session without a log says so");
	ok(get(&r, "/sessions/0190ffff000070008000000000000009/log", NULL) == 404,
	    "the log of an unknown session is 404");

	/* the JSON twin */
	o = get_json(&r, "/api/v1/sessions/" SID "/log", NULL);
	texts(o, got, sizeof(got));
	ok(strcmp(got, "Race began|Full course yellow|Green|#7 Ann: pit lane|#7 Ann: stop 24.5 s|"
	    "#8 Bob: penalty <script>alert(1)</script>|#22 Dee to Cid|#22 Cid: fastest lap 1:39.000|"
	    "Lead: #22|#8 Bob: penalty served") == 0, "the JSON has every entry in time order");
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "log"), 4);
	ok(e && cJSON_GetObjectItem(cJSON_GetObjectItem(e, "data"), "duration") &&
	    cJSON_GetObjectItem(cJSON_GetObjectItem(e, "data"), "duration")->valuedouble == 24.5 &&
	    cJSON_GetObjectItem(e, "car")->valuedouble == 1 &&
	    strcmp(cJSON_GetObjectItem(e, "kind")->valuestring, "stop") == 0 &&
	    cJSON_GetObjectItem(e, "lap")->valuedouble == 4 &&
	    cJSON_GetObjectItem(e, "at")->valuedouble == 1700000340 &&
	    strcmp(cJSON_GetObjectItem(e, "number")->valuestring, "7") == 0 &&
	    strcmp(cJSON_GetObjectItem(e, "class")->valuestring, "GT3") == 0 &&
	    strcmp(cJSON_GetObjectItem(e, "driver")->valuestring, "Ann") == 0 &&
	    cJSON_GetObjectItem(e, "team") == NULL,
	    "a JSON entry has the live event's fields, its data an object");
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "log"), 0);
	ok(e && cJSON_IsNull(cJSON_GetObjectItem(e, "car")) &&
	    cJSON_IsObject(cJSON_GetObjectItem(e, "data")), "a session entry has car null");
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "log"), 1);
	ok(e && cJSON_IsNull(cJSON_GetObjectItem(e, "data")), "an entry without figures has data null");
	cJSON_Delete(o);
	o = get_json(&r, "/api/v1/sessions/" SID "/log", "car=2");
	texts(o, got, sizeof(got));
	ok(strcmp(got, "Race began|Full course yellow|Green|#8 Bob: penalty <script>alert(1)</script>|"
	    "#8 Bob: penalty served") == 0, "the JSON takes the car filter");
	cJSON_Delete(o);
	o = get_json(&r, "/api/v1/sessions/" EMPTY "/log", NULL);
	ok(o && cJSON_IsArray(cJSON_GetObjectItem(o, "log")) &&
	    cJSON_GetArraySize(cJSON_GetObjectItem(o, "log")) == 0, "an empty log is an empty array");
	cJSON_Delete(o);
	ok(get(&r, "/api/v1/sessions/0190ffff000070008000000000000009/log", NULL) == 404 &&
	    strstr(body(&r), "not_found"), "the JSON log of an unknown session is a JSON 404");
	ok(get(&r, "/api/v1/sessions/" SID "/log", "car=0") == 400 && strstr(body(&r), "bad_parameter"),
	    "a bad car in the JSON is a JSON 400");

	/* the session page: ticker */
	ok(get(&r, "/sessions/" SID, NULL) == 200 && strstr(body(&r), "id=\"ticker\""),
	    "the session page has the race control ticker");
	const char *t = strstr(body(&r), "id=\"ticker\"");
	const char *tend = t ? strstr(t, "</ol>") : NULL;
	int n = 0;
	for (const char *p = t; p != NULL && p < tend && (p = strstr(p + 1, "<li ")) != NULL && p < tend; )
		n++;
	ok(n == 8, "the ticker shows eight entries (%d)", n);
	ok(before(&r, "penalty served", "Lead: #22") && before(&r, "#7 Ann: pit lane", "Green</span>") &&
	    !strstr(body(&r), "Full course yellow") && !strstr(body(&r), "Race began"),
	    "the ticker shows the newest, newest first");
	ok(strstr(body(&r), "href=\"/sessions/" SID "/log\">Full log") != NULL,
	    "the ticker links to the full log");
	ok(strstr(body(&r), "id=\"pins\" data-pins-session=\"" SID "\" hidden") != NULL &&
	    strstr(body(&r), "src=\"/static/pins.js\""),
	    "without pins the My team panel is hidden, its script there");
	ok(get(&r, "/sessions/" EMPTY, NULL) == 200 && !strstr(body(&r), "id=\"ticker\""),
	    "a closed session without a log has no ticker");

	/* My team, without JavaScript */
	ok(get(&r, "/sessions/" SID, "pin=2") == 200 &&
	    strstr(body(&r), "id=\"pins\" data-pins-session=\"" SID "\">") &&
	    strstr(body(&r), "<li class=\"pin\" data-car=\"2\">"), "?pin= shows the pinned car");
	t = strstr(body(&r), "class=\"pin-side ahead\"");
	ok(t && strstr(t, "#7 Team &lt;A&gt;</a> <span class=\"gap\">+3.000</span>") &&
	    strstr(t, "trend-opening\">opening 0.50 s/lap"),
	    "the car ahead in the class with the gap and its trend");
	ok(strstr(body(&r), "last in the class") != NULL, "no car behind in the class is said");
	ok(get(&r, "/sessions/" SID, "pin=1,3") == 200 && strstr(body(&r), "leads the class") &&
	    (t = strstr(body(&r), "class=\"pin-side behind\"")) && strstr(t, "#8 Team B</a>") &&
	    strstr(t, "+3.000") && !strstr(body(&r), "#22 Team C</a> <span class=\"gap\""),
	    "a class leader shows the car behind, never a car of another class");
	ok(get(&r, "/sessions/" SID, "pin=99,x") == 200 &&
	    strstr(body(&r), "data-pins-session=\"" SID "\" hidden"),
	    "pins of no car of the session show nothing");

	/* its JSON */
	o = get_json(&r, "/api/v1/sessions/" SID "/pins", "cars=2");
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "pins"), 0);
	cJSON *a = cJSON_GetObjectItem(e, "ahead");
	ok(a && cJSON_GetObjectItem(a, "car")->valuedouble == 1 &&
	    cJSON_GetObjectItem(a, "gap")->valuedouble == 3.0 &&
	    cJSON_GetObjectItem(a, "trend")->valuedouble == 0.5 &&
	    strcmp(cJSON_GetObjectItem(a, "trend_dir")->valuestring, "opening") == 0 &&
	    cJSON_IsNull(cJSON_GetObjectItem(e, "behind")),
	    "the pins JSON has the gap and its trend per lap");
	cJSON_Delete(o);
	o = get_json(&r, "/api/v1/sessions/" SID "/pins", "cars=1");
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "pins"), 0);
	a = cJSON_GetObjectItem(e, "behind");
	ok(a && cJSON_GetObjectItem(a, "trend")->valuedouble == 0.5 &&
	    cJSON_IsNull(cJSON_GetObjectItem(e, "ahead")),
	    "the car behind losing ground is an opening gap too");
	cJSON_Delete(o);
	o = get_json(&r, "/api/v1/sessions/" SID "/pins", NULL);
	ok(o && cJSON_GetArraySize(cJSON_GetObjectItem(o, "pins")) == 0, "no cars, no pins");
	cJSON_Delete(o);

	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
