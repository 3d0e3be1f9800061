/*
 * Final results of finished sessions (fcgi/results.c) on the session page
 * and its JSON twin, and the exports (results.csv, laps.csv, JSON).
 */
#include "hist.h"

static const char *
car_number(const cJSON *o, int i)
{
	char path[64];

	snprintf(path, sizeof(path), "results.%d.number", i);
	return jstr(o, path);
}

/* The numbers of the cars in result order, "50 6 31 ...". */
static const char *
order(const cJSON *o)
{
	static char	 s[256];
	const char	*n;

	s[0] = '\0';
	for (int i = 0; (n = car_number(o, i)) != NULL; i++)
		snprintf(s + strlen(s), sizeof(s) - strlen(s), "%s%s", i ? " " : "", n);
	return s;
}

static void
race_results(struct resp *r)
{
	cJSON *o = get_json(r, "/api/v1/sessions/" RACE, NULL);

	ok(o != NULL && jsize(o, "results") == 5, "a finished race has a result per car");
	is_str(order(o), "50 6 31 92 27", "race order: laps, then the game's classification of cars seen finishing, else crossing order");
	ok(jnum(o, "results.0.laps") == 8 && jnum(o, "results.1.laps") == 8 &&
	    jnum(o, "results.2.laps") == 7 && jnum(o, "results.3.laps") == 7 &&
	    jnum(o, "results.4.laps") == 3, "lap counts come from the recorded laps");
	ok(same_time(jnum(o, "results.0.time"), 915.0),
	    "the winner's race time runs from the start to its last crossing");
	ok(jnull(o, "results.0.gap") && same_time(jnum(o, "results.1.gap"), 2.0),
	    "the gap on the same lap is the crossing time difference");
	ok(jnum(o, "results.3.gap_laps") == 1 && jnull(o, "results.3.gap"),
	    "a car a lap down has gap_laps and no gap");
	ok(jnum(o, "results.2.class_position") == 1 && jnum(o, "results.3.class_position") == 2 &&
	    jnum(o, "results.4.class_position") == 3 && jnum(o, "results.1.class_position") == 2,
	    "class positions count within each class");
	ok(same_time(jnum(o, "results.0.best"), 109.4) && jnum(o, "results.0.best_lap") == 6,
	    "the best lap and its number");
	is_str(jstr(o, "results.0.best_driver"), "Miguel Molina", "the best lap's driver is named");
	ok(same_time(jnum(o, "results.0.sectors.0.time"), 38.509) &&
	    strcmp(jstr(o, "results.0.sectors.0.driver"), "Miguel Molina") == 0,
	    "each best sector names who set it");
	ok(cJSON_IsTrue(jget(o, "results.0.class_best")) && cJSON_IsFalse(jget(o, "results.1.class_best")),
	    "the class's best lap is marked");
	ok(jnum(o, "results.0.pits") == 1 && jnum(o, "results.4.pits") == 0,
	    "pit count: stops, not a retirement to the garage");
	is_str(jstr(o, "results.0.tyres"), "Hard", "tyres are the last lap's");
	ok(jsize(o, "results.0.drivers") == 2 &&
	    strcmp(jstr(o, "results.0.drivers.0.name"), "Antonio Fuoco") == 0 &&
	    jnum(o, "results.0.drivers.0.laps") == 4,
	    "the drivers of a car with their laps, first driver first");
	ok(cJSON_IsTrue(jget(o, "results.0.drivers.0.known")) &&
	    cJSON_IsFalse(jget(o, "results.0.drivers.1.known")), "known drivers are marked");
	is_str(jstr(o, "results.4.finish"), "dnf", "a retired car keeps its finish status");
	cJSON_Delete(o);
}

static void
other_results(struct resp *r)
{
	cJSON *o = get_json(r, "/api/v1/sessions/" QUALI, NULL);

	is_str(order(o), "50 6 92 31", "qualifying order: best valid lap, whatever the last state says");
	ok(same_time(jnum(o, "results.3.best"), 120.1), "an invalid lap does not count as best");
	ok(same_time(jnum(o, "results.1.gap"), 0.2), "the gap in qualifying is to the best lap");
	cJSON_Delete(o);
	o = get_json(r, "/api/v1/sessions/" LIVE, NULL);
	ok(o != NULL && jget(o, "results") == NULL, "a live session has no final results");
	cJSON_Delete(o);
}

static void
session_page(struct resp *r)
{
	ok(get(r, "/sessions/" RACE, NULL) == 200 && strstr(r->body.p, "<h2>Results</h2>"),
	    "the page of a finished session shows its results");
	ok(golden("hist_session_race.html", &r->body), "the race results page matches its golden file");
	ok(strstr(r->body.p, "Heart of Racing &lt;script&gt;") != NULL &&
	    strstr(r->body.p, "<script>x") == NULL, "results escape team names");
	ok(get(r, "/sessions/" LIVE, NULL) == 200 && strstr(r->body.p, "<h2>Results</h2>") == NULL,
	    "the page of a live session shows standings, not results");
}

static void
exports(struct resp *r)
{
	cJSON	*o;
	int	 lines = 0;

	ok(get(r, "/sessions/" RACE "/results.csv", NULL) == 200 &&
	    strcmp(r->ctype, "text/csv; charset=utf-8") == 0, "results.csv is CSV");
	ok(strstr(r->headers.p, "attachment; filename=\"" RACE "-results.csv\"") != NULL,
	    "results.csv downloads under the session's name");
	ok(golden("hist_results.csv", &r->body), "results.csv matches its golden file");
	ok(get(r, "/sessions/" RACE "/laps.csv", NULL) == 200, "laps.csv answers");
	for (const char *p = r->body.p; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	is_int(lines, 1 + 8 + 8 + 7 + 7 + 3, "laps.csv has a header and a line per lap");
	ok(strstr(r->body.p, "\r\n34,4,31,Team WRT,LMGT3,7,,42.980,34.202,,Augusto Farfus,0,0,") != NULL,
	    "an invalid lap keeps its known sectors, the unknown ones are empty");
	ok(get(r, "/sessions/0190ffff000070008000000000000009/results.csv", NULL) == 404,
	    "results.csv of an unknown session: 404");
	ok(get(r, "/sessions/0190ffff000070008000000000000009/laps.csv", NULL) == 404,
	    "laps.csv of an unknown session: 404");

	o = get_json(r, "/api/v1/sessions/" RACE "/export", NULL);
	ok(o != NULL && strcmp(jstr(o, "format"), "trackside-session") == 0 &&
	    strcmp(jstr(o, "session.id"), RACE) == 0, "the JSON export names its format and session");
	ok(jsize(o, "results") == 5 && jsize(o, "cars") == 5, "the export has results and cars");
	ok(jsize(o, "cars.0.laps") == 8 && jsize(o, "cars.0.pits") == 1 && jsize(o, "cars.4.pits") == 1,
	    "each car carries its laps and pit rows");
	ok(same_time(jnum(o, "cars.0.laps.0.time"), 116.8) && jget(o, "cars.0.laps.0.car") == NULL,
	    "laps in the export are seconds, without the repeated car");
	ok(jsize(o, "chat") == 2 && same_time(jnum(o, "chat.0.ts"), 13406940000.0),
	    "chat lines come with their game time in seconds");
	cJSON_Delete(o);
	ok(get(r, "/api/v1/sessions/0190ffff000070008000000000000009/export", NULL) == 404 &&
	    strstr(r->body.p, "no such session"), "the export of an unknown session: 404 JSON");
}

int
main(void)
{
	struct resp r;

	hist_open();
	resp_init(&r);
	race_results(&r);
	other_results(&r);
	session_page(&r);
	exports(&r);
	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
