/*
 * Pages show what a session's source reports and hide what it lacks
 * (lib/vocab.h's caps): the same race from Le Mans Ultimate, from Assetto
 * Corsa (no fuel, virtual energy, tyres, pits or classes), from Automobilista
 * 2 / Project CARS 2 (no virtual energy, tyres or entry list) and from a
 * source no longer known (everything shown), through the in-memory handler
 * driver on tests/fixtures/sources.sql.
 */
#include "hist.h"

#define LMU	"0190cccc000070008000000000000001"
#define AC	"0190cccc000070008000000000000002"
#define OLD	"0190cccc000070008000000000000003"
#define P2	"0190cccc000070008000000000000004"

static struct resp r;

/* The body of path (with query), or "" when it is not 200. */
static const char *
page(const char *path, const char *query)
{
	return get(&r, path, query) == 200 && r.body.p != NULL ? r.body.p : "";
}

/* The text of path's body from needle to the end of its line ("" when absent). */
static char *
line_of(const char *path, const char *needle)
{
	const char *p = strstr(page(path, NULL), needle), *e;

	if (p == NULL)
		return strdup("");
	e = strchr(p, '\n');
	return strndup(p, e ? (size_t)(e - p) : strlen(p));
}

static int
has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* Whether the string at path of o is want. */
static int
jis(const cJSON *o, const char *path, const char *want)
{
	const char *v = jstr(o, path);

	return v != NULL && strcmp(v, want) == 0;
}

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The timing page: the chooser offers and the table shows only what the source reports. */
static void
test_timing(void)
{
	const char *b = page("/sessions/" LMU "/timing", NULL);

	ok(has(b, "value=\"fuel\" checked") && has(b, "value=\"tyres\" checked") &&
	    has(b, "value=\"pits\" checked") && has(b, "value=\"class\" checked") &&
	    has(b, "<th data-col=\"fuel\" class=\"num\"") && has(b, "<td data-col=\"fuel\" class=\"num\">41% · 38%</td>"),
	    "LMU timing: fuel/VE, tyres, pits and class are offered and shown");
	b = page("/sessions/" AC "/timing", NULL);
	ok(!has(b, "value=\"fuel\"") && !has(b, "value=\"tyres\"") && !has(b, "value=\"pits\"") &&
	    !has(b, "value=\"stint\"") && !has(b, "value=\"class\"") && !has(b, "value=\"cpos\"") &&
	    has(b, "value=\"best\" checked") && has(b, "value=\"s1\" checked"),
	    "AC timing: no fuel/VE, tyres, pits or class to choose; times and sectors are");
	ok(has(b, "<th data-col=\"fuel\" class=\"num hide\"") &&
	    has(b, "<th data-col=\"tyres\" class=\"hide\"") && has(b, "<th data-col=\"pits\" class=\"num hide\"") &&
	    has(b, "<th data-col=\"class\" class=\"hide\"") && has(b, "<th data-col=\"best\" class=\"num\""),
	    "AC timing: those columns are hidden, even when asked for by default");
	b = page("/sessions/" AC "/timing", "c=pos&c=fuel&c=driver");
	ok(has(b, "<th data-col=\"fuel\" class=\"num hide\"") && has(b, "<th data-col=\"driver\" class=\"\""),
	    "AC timing: a fuel column asked for in the address stays hidden");
	ok(has(b, "data-classless=\"1\"") && !has(page("/sessions/" LMU "/timing", NULL), "data-classless"),
	    "the tower of a source without classes says so to static/live.js");
	b = page("/sessions/" AC "/timing", NULL);
	ok(has(b, "<span class=\"sb\">purple</span> best of the session · ") &&
	    has(b, "S1, S2 and S3 are timed from the cars' positions") && !has(b, "the car's class") &&
	    has(page("/sessions/" LMU "/timing", NULL), "best in class") &&
	    !has(r.body.p, "timed from the cars' positions"),
	    "AC timing: the legend says its sectors are derived, and speaks of no classes");
	b = page("/sessions/" OLD "/timing", NULL);
	ok(has(b, "value=\"fuel\" checked") && has(b, "value=\"pits\" checked") &&
	    has(b, "<td data-col=\"fuel\" class=\"num\">41% · 38%</td>"),
	    "a session of a source no longer known shows everything");
}

/* The results of the finished session, on its page. */
static void
test_results(void)
{
	char *l;

	l = line_of("/sessions/" LMU, "<thead><tr><th class=\"num\">Pos</th>");
	ok(has(l, "<th>Class</th>") && has(l, "<th class=\"num\">Pits</th><th>Tyres</th>"),
	    "LMU results: class, pits and tyres columns");
	free(l);
	l = line_of("/sessions/" AC, "<thead><tr><th class=\"num\">Pos</th>");
	ok(l[0] != '\0' && !has(l, "Class") && !has(l, "Pits") && !has(l, "Tyres") &&
	    has(l, "<th class=\"num\">Best S3</th><th>Status</th>"),
	    "AC results: no class, pits or tyres columns");
	free(l);
	ok(has(page("/sessions/" AC, NULL), "<dt>Sim</dt><dd>Assetto Corsa · online · AC league</dd>") &&
	    has(page("/sessions/" LMU, NULL), "<dt>Sim</dt><dd>Le Mans Ultimate · online"),
	    "the session header names the sim");
	ok(!has(page("/sessions/" AC, NULL), "/pits\">Pit stops</a>") &&
	    !has(r.body.p, "/entries\">Entries</a>") &&
	    has(page("/sessions/" LMU, NULL), "/pits\">Pit stops</a>") && has(r.body.p, "/entries\">Entries</a>"),
	    "AC has no pit stop or entry list pages to link to");
}

/* The car page: stints, pit stops and laps. */
static void
test_car(void)
{
	const char *b = page("/sessions/" LMU "/cars/101", NULL);

	ok(has(b, "<th>Tyres</th><th class=\"num\">Fuel used</th><th class=\"num\">VE used</th></tr>") &&
	    has(b, "<h2>Pit stops</h2>") &&
	    has(b, "<th>Pit</th><th class=\"num\">Fuel</th><th class=\"num\">Fuel used</th>"
	    "<th class=\"num\">VE</th><th class=\"num\">VE used</th><th>Tyres</th><th>Valid</th>") &&
	    has(b, "<td class=\"num\">52%</td>"),
	    "LMU car: tyres, fuel and VE in stints and laps, and the pit stops");
	b = page("/sessions/" AC "/cars/201", NULL);
	ok(b[0] != '\0' && !has(b, "Fuel") && !has(b, "VE") && !has(b, "Tyres") &&
	    !has(b, "Pit stops") && !has(b, "pit stops") &&
	    has(b, "<th class=\"num\">Pos</th><th>Valid</th>") && has(b, "1:35.100"),
	    "AC car: no tyres, fuel, VE or pit stops; its laps are there");
	ok(has(b, "<th>Valid</th><th class=\"num\">Cuts</th><th class=\"num\">Collisions</th>") &&
	    has(b, "<td class=\"num\">2</td><td class=\"num\">1</td>") &&
	    has(b, "title=\"derived from positions\">") &&
	    !has(page("/sessions/" LMU "/cars/101", NULL), "Cuts") &&
	    !has(r.body.p, "derived from positions"),
	    "AC car: cuts and collisions per lap, sectors marked as derived; LMU: neither");
}

/* results.csv, laps.csv, results.xml and the JSON export leave out what the source lacks. */
static void
test_exports(void)
{
	const char	*b;
	cJSON		*o;

	ok(starts(page("/sessions/" LMU "/results.csv", NULL), "position,class_position,class,") &&
	    has(r.body.p, ",pits,tyres,status,"), "LMU results.csv: class, pits and tyres");
	b = page("/sessions/" AC "/results.csv", NULL);
	ok(starts(b, "position,number,team,vehicle,veh,laps,") &&
	    has(b, ",best_s3,status,finish,drivers\r\n1,31,WRT,"), "AC results.csv: none of them");
	ok(has(page("/sessions/" LMU "/laps.csv", NULL), ",driver,valid,pit,position,fuel,ve,tyres,start_et\r\n"),
	    "LMU laps.csv: pit, fuel, VE and tyres");
	b = page("/sessions/" AC "/laps.csv", NULL);
	ok(starts(b, "car,slot,number,team,lap,time,s1,s2,s3,driver,valid,position,start_et\r\n") &&
	    has(b, "\r\n201,0,31,WRT,2,95.100,31.700,31.700,31.700,Ann Lane,1,1,109.000\r\n"),
	    "AC laps.csv: none of them");
	ok(has(page("/sessions/" LMU "/results.xml", NULL), "<Pitstops>1</Pitstops>") &&
	    has(r.body.p, " fuel=\"0.520\""), "LMU results.xml: pit stops and fuel");
	b = page("/sessions/" AC "/results.xml", NULL);
	ok(has(b, "<Laps>2</Laps>") && !has(b, "Pitstops") && !has(b, "fuel="),
	    "AC results.xml: what AC has, no pit stops or fuel");
	o = cJSON_Parse(page("/api/v1/sessions/" AC "/export", NULL));
	ok(o != NULL && cJSON_IsFalse(jget(o, "session.caps.fuel")) &&
	    jget(o, "cars.0.laps.0.fuel") == NULL && jget(o, "cars.0.laps.0.tyres") == NULL &&
	    jget(o, "results.0.pits") == NULL && jget(o, "cars.0.laps.0.time") != NULL,
	    "AC JSON export: its caps, and no fuel, tyres or pits in laps and results");
	cJSON_Delete(o);
	o = cJSON_Parse(page("/api/v1/sessions/" LMU "/export", NULL));
	ok(o != NULL && jget(o, "cars.0.laps.0.fuel") != NULL && jget(o, "results.0.pits") != NULL,
	    "LMU JSON export: fuel and pits");
	cJSON_Delete(o);
}

/* The session header of the API: the source's label and caps. */
static void
test_api(void)
{
	cJSON *o = cJSON_Parse(page("/api/v1/sessions/" AC, NULL));

	ok(o != NULL && jis(o, "sim_label", "Assetto Corsa") &&
	    cJSON_IsFalse(jget(o, "caps.fuel")) && cJSON_IsFalse(jget(o, "caps.ve")) &&
	    cJSON_IsFalse(jget(o, "caps.wear")) && cJSON_IsFalse(jget(o, "caps.pits")) &&
	    jis(o, "kind", "race") && jis(o, "type_label", "Race"),
	    "an AC session's header: its sim's name, no fuel, VE, wear or pits, a race");
	cJSON_Delete(o);
	o = cJSON_Parse(page("/api/v1/sessions/" OLD, NULL));
	ok(o != NULL && jis(o, "sim_label", "rf2") && cJSON_IsTrue(jget(o, "caps.fuel")) &&
	    cJSON_IsTrue(jget(o, "caps.wear")) && cJSON_IsTrue(jget(o, "caps.classes")),
	    "a source no longer known: its stored name, and every cap");
	cJSON_Delete(o);
	o = cJSON_Parse(page("/api/v1/sessions", "sim=ac"));
	ok(o != NULL && jsize(o, "sessions") == 1 && jis(o, "sessions.0.sim_label", "Assetto Corsa"),
	    "the session list names each session's sim");
	cJSON_Delete(o);
	ok(has(page("/", NULL), "<td>Assetto Corsa</td>") && has(r.body.p, "<td>Le Mans Ultimate</td>"),
	    "the history list shows the sim");
}

/*
 * The same race from Automobilista 2 / Project CARS 2 (offline): sectors,
 * pits, classes and the fuel of the client's own car; no VE, tyres, wear
 * or entry list.
 */
static void
test_pcars2(void)
{
	const char	*b;
	cJSON		*o;

	hctx_sql(&h, "INSERT INTO sessions (id, sim, track, type, online, server, started_at, "
	    "last_update, et, phase, remaining, state, finished, cars, laps) VALUES ('" P2 "', "
	    "'pcars2', 'Brands Hatch/Indy', 'race', 0, '', 1795521800, 1795522400, 600.0, 8, 0, "
	    "'closed', 1, 2, 4)");
	hctx_sql(&h, "INSERT INTO cars (id, session_id, slot, vehicle, vehicle_name, number, team, "
	    "class) VALUES (401, '" P2 "', 0, 'BMW M4 GT3', 'BMW M4 GT3', NULL, NULL, 'GT3'), "
	    "(402, '" P2 "', 1, 'Porsche 911 GT3 R', 'Porsche 911 GT3 R', NULL, NULL, 'GT3')");
	hctx_sql(&h, "INSERT INTO car_state (car_id, session_id, driver, position, class_position, "
	    "laps, best, last, pits, stint_laps, status, tyres, fuel, ve, finish, present) VALUES "
	    "(401, '" P2 "', 'Ann Lane', 1, 1, 2, 95.1, 95.1, 1, 1, 'finished', NULL, 0.41, NULL, "
	    "'finished', 1), (402, '" P2 "', 'Bo Park', 2, 2, 2, 95.9, 95.9, 0, 2, 'finished', NULL, "
	    "NULL, NULL, 'finished', 1)");
	hctx_sql(&h, "INSERT INTO laps (car_id, lap, time, s1, s2, s3, driver, valid, pit, position, "
	    "start_et) VALUES (401, 1, 99.0, 33.0, 33.0, 33.0, 'Ann Lane', 1, 1, 1, 10.0), "
	    "(401, 2, 95.1, 31.7, 31.7, 31.7, 'Ann Lane', 1, 0, 1, 109.0), "
	    "(402, 1, 99.5, 33.1, 33.2, 33.2, 'Bo Park', 1, 0, 2, 10.0), "
	    "(402, 2, 95.9, 31.9, 32.0, 32.0, 'Bo Park', 1, 0, 2, 109.5)");
	b = page("/sessions/" P2 "/timing", NULL);
	ok(has(b, "value=\"fuel\" checked") && has(b, "value=\"pits\" checked") &&
	    has(b, "value=\"class\" checked") && has(b, "value=\"s1\" checked") &&
	    !has(b, "value=\"tyres\"") && has(b, "<th data-col=\"tyres\" class=\"hide\"") &&
	    !has(b, "timed from the cars' positions"),
	    "PC2/AMS2 timing: fuel, pits, class and the game's sectors; no tyres");
	ok(!has(b, "value=\"team\"") && has(b, "<th data-col=\"team\" class=\"hide\"") &&
	    has(b, ">Fuel</th>") && !has(b, "Fuel·VE") && !has(b, "Fuel/VE"),
	    "PC2/AMS2 timing: no team column (the game has no teams); fuel without VE");
	ok(has(page("/sessions/" P2, NULL), "<dt>Sim</dt><dd>Automobilista 2 / Project CARS 2 · ") &&
	    has(r.body.p, "/pits\">Pit stops</a>") && !has(r.body.p, "/entries\">Entries</a>") &&
	    !has(r.body.p, "/chat\">Chat</a>") && !has(r.body.p, "class=\"chat-panel\""),
	    "PC2/AMS2 session: the sim named, pit stops linked, no entry list, no chat (the game has none)");
	o = cJSON_Parse(page("/api/v1/sessions/" P2, NULL));
	ok(o != NULL && jis(o, "sim_label", "Automobilista 2 / Project CARS 2") &&
	    cJSON_IsTrue(jget(o, "caps.fuel")) && cJSON_IsFalse(jget(o, "caps.ve")) &&
	    cJSON_IsFalse(jget(o, "caps.wear")) && cJSON_IsTrue(jget(o, "caps.pits")) &&
	    cJSON_IsTrue(jget(o, "caps.sectors")) && cJSON_IsTrue(jget(o, "caps.classes")) &&
	    cJSON_IsFalse(jget(o, "caps.entries")) && cJSON_IsFalse(jget(o, "caps.teams")),
	    "a PC2/AMS2 session's header: its sim and caps");
	cJSON_Delete(o);
	o = cJSON_Parse(page("/api/v1/sessions", "sim=pcars2"));
	ok(o != NULL && jsize(o, "sessions") == 1 && jis(o, "sessions.0.id", P2),
	    "the session list filters on the third sim");
	cJSON_Delete(o);
	ok(has(page("/", NULL), "<td>Automobilista 2 / Project CARS 2</td>"),
	    "the history list shows the third sim");
	b = page("/sessions/" P2 "/cars/401", NULL);
	ok(has(b, "<h1> <span class=\"type\">BMW M4 GT3</span></h1>") && !has(b, "<h1>#"),
	    "a PC2/AMS2 car page: its vehicle, no empty car number");
	b = page("/sessions/" P2 "/pits", NULL);
	ok(has(b, "/cars/401\">BMW M4 GT3 · Ann Lane</a>") && !has(b, "\">#"),
	    "PC2/AMS2 pit stops: each car by its vehicle and driver, no empty number");
	b = page("/sessions/" P2 "/results.csv", NULL);
	ok(has(b, ",pits,") && !has(b, ",tyres,") && has(b, "class"),
	    "PC2/AMS2 results.csv: pits and class, no tyres");
}

/* The pit stop page, linked or not, and a live session's tower and bests. */
static void
test_pits_live(void)
{
	const char *b;

	/* a stop of an AC car (a lane visit seen in its positions, say) */
	hctx_sql(&h, "INSERT INTO pits (car_id, lap, pit_time, stop_time, exit_time) "
	    "VALUES (201, 1, 90.0, 95.0, 112.0)");
	ok(has(page("/sessions/" LMU "/pits", NULL), "<th>Tyres</th><th class=\"num\">Fuel</th>") &&
	    has(page("/sessions/" AC "/pits", NULL), "<th>Swap</th><th>Notes</th>") && !has(r.body.p, "Fuel"),
	    "the pit stop page has no fuel, VE or tyres for AC");
	hctx_sql(&h, "UPDATE sessions SET state = 'live', finished = 0 WHERE id IN ('" LMU "', '" AC "')");
	b = page("/sessions/" LMU, NULL);
	ok(has(b, "<h2>Class bests</h2>") && has(b, "<thead><tr><th>Class</th><th class=\"num\">Lap</th>") &&
	    has(b, "<th data-col=\"fuel\" class=\"num\""), "LMU live: class bests, fuel in the tower");
	b = page("/sessions/" AC, NULL);
	ok(has(b, "<h2>Bests</h2>") && has(b, "<thead><tr><th class=\"num\">Lap</th>") &&
	    has(b, "id=\"bests\" data-classless=\"1\"") && has(b, "<th data-col=\"fuel\" class=\"num hide\"") &&
	    has(b, "<th data-col=\"class\" class=\"hide\""),
	    "AC live: bests without classes, no fuel or class in the tower");
}

int
main(void)
{
	if (!hctx_open(&h) || !hctx_sql_file(&h, "tests/fixtures/sources.sql"))
		return 1;
	resp_init(&r);
	test_timing();
	test_results();
	test_car();
	test_exports();
	test_api();
	test_pcars2();
	test_pits_live();
	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
