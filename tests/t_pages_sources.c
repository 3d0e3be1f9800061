/*
 * Pages show what a session's source reports and hide what it lacks
 * (lib/vocab.h's caps): the same race from Le Mans Ultimate, from Assetto
 * Corsa (no fuel, virtual energy, tyres, pits or classes) and from a source
 * no longer known (everything shown), through the in-memory handler driver
 * on tests/fixtures/sources.sql.
 */
#include "hist.h"

#define LMU	"0190cccc000070008000000000000001"
#define AC	"0190cccc000070008000000000000002"
#define OLD	"0190cccc000070008000000000000003"

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
	test_pits_live();
	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
