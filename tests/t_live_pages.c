/*
 * The live session pages through the in-memory handler driver: the session
 * page complete without JavaScript (every standings column, marks, map,
 * chat), timing with its column chooser, entries, chat, and their JSON
 * twins; bad ids and bad columns answered clearly.
 */
#include <stdlib.h>
#include <string.h>

#include "hist.h"

#define SID "0190cccc000070008000000000000001"

static const char *
body(struct resp *r)
{
	return r->body.p ? r->body.p : "";
}

int
main(void)
{
	struct resp	 r;
	cJSON		*o;

	if (!hctx_open(&h))
		return 1;
	resp_init(&r);
	if (!hctx_sql(&h,
	    "INSERT INTO sessions (id, sim, track, type, online, started_at, last_update, et, phase, "
	    "remaining, track_length, state, cars, sector_flags, air_temp, track_temp, raining, wetness) "
	    "VALUES ('" SID "', 'lmu', 'Test Ring', 'race1', 1, 1700000000, 1700000000, 600, 5, 3000, "
	    "1000, 'live', 2, 'GYG', 21.5, 30.25, 0.1, 0.2);"
	    "INSERT INTO cars (id, session_id, slot, vehicle, vehicle_name, number, team, class) VALUES "
	    "(1, '" SID "', 0, 'a', 'Car A', '7', 'Team <A>', 'GT3'),"
	    "(2, '" SID "', 1, 'b', 'Car B', '8', 'Team B', 'GT3');"
	    "INSERT INTO car_state (car_id, session_id, driver, position, class_position, laps, gap, "
	    "gap_laps, interval, interval_laps, best, last, s1, s2, s3, pits, stint_laps, status, "
	    "pit_state, tyres, fuel, ve, x, z, lap_dist) VALUES "
	    "(1, '" SID "', '<img src=x onerror=alert(1)>', 1, 1, 5, 0, 0, 0, 0, 90.1, 91, 30, 30.1, 30.5, "
	    "1, 2, 'running', 'NONE', 'MMMM', 0.05, 0.5, 100, -50, 250),"
	    "(2, '" SID "', 'Bob', 2, 1, 4, 0, 1, 0, 1, 92, 92, 31, 31, 30, 0, 4, 'pit', 'STOPPED', "
	    "'SSHH', 0.5, NULL, 200, 50, 500);"
	    "INSERT INTO laps (car_id, lap, time, s1, s2, s3, valid) VALUES "
	    "(1, 4, 90.1, 29.8, 30.1, 30.2, 1), (1, 5, 91, 30, 30.5, 30.5, 1), (2, 4, 92, 31, 29, 32, 1);"
	    "INSERT INTO chat (session_id, ts, text, seen_at) VALUES "
	    "('" SID "', 17000000000000000, 'Ann: <script>x</script>', 1700000000);"
	    "INSERT INTO track_maps (track, points, updated_at) VALUES ('Test Ring', "
	    "'[[0,0,0],[100,0,0],[100,100,0],[0,100,0],[50,50,1],[55,50,1]]', 1700000000);"
	    "INSERT INTO entries (session_id, utid, number, name, vehicle, car_id) VALUES "
	    "('" SID "', 0, '7', 'Team <A>', 'a', 1), ('" SID "', 1, '8', 'Team B', 'b', NULL);"
	    "INSERT INTO entry_members (session_id, utid, name, badge, nationality, roles) VALUES "
	    "('" SID "', 0, 'Ann', 'sr-clean', 'GB', 'DE');"
	    "INSERT INTO known_drivers (name, added_at) VALUES ('Ann', 1700000000), "
	    "('Bob', 1700000000);"))
		return 1;

	ok(get(&r, "/sessions/" SID, NULL) == 200 && strstr(r.ctype, "text/html"), "the session page is HTML");
	const char *cols[] = { "status", "pos", "cpos", "class", "num", "make", "team", "driver", "laps",
	    "gap", "int", "best", "last", "s1", "s2", "s3", "pits", "stint", "tyres", "fuel", "progress" };
	int all = 1;
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		char th[64];
		snprintf(th, sizeof(th), "<th data-col=\"%s\"", cols[i]);
		all &= strstr(body(&r), th) != NULL;
	}
	ok(all, "the standings have every column of the spec");
	ok(strstr(body(&r), "&lt;img src=x onerror=alert(1)&gt;") && !strstr(body(&r), "<img src=x"),
	    "a driver name with markup is escaped");
	ok(strstr(body(&r), "data-col=\"best\" class=\"num sb\">1:30.100") != NULL,
	    "the class best lap is marked purple");
	ok(strstr(body(&r), "data-col=\"s2\" class=\"num pb\">30.100") != NULL &&
	    strstr(body(&r), "data-col=\"s1\" class=\"num \">30.000") != NULL,
	    "a sector equal to the car's own best is marked green");
	ok(strstr(body(&r), ">+1 L<") != NULL, "a lapped car shows its gap in laps in a race");
	ok(strstr(body(&r), "class=\"num low\"") != NULL, "a car low on fuel is flagged");
	ok(strstr(body(&r), "flag flag-yellow") != NULL, "a yellow sector is shown");
	ok(strstr(body(&r), "class=\"st st-pit\">pit<") != NULL, "a stopped car shows pit");
	ok(strstr(body(&r), "<svg id=\"map\"") && strstr(body(&r), "data-car=\"1\" transform=\"translate(100 50)\""),
	    "the map draws each car where it was seen");
	ok(strstr(body(&r), "Ann: &lt;script&gt;x&lt;/script&gt;") != NULL, "chat lines are escaped");
	ok(strstr(body(&r), "data-live=\"1\"") && strstr(body(&r), "src=\"/static/live.js\""),
	    "a live session page carries the live script and its hook");
	ok(strstr(body(&r), "<td data-col=\"driver\" class=\"driver known\">Bob</td>") != NULL,
	    "a known driver's standings row is marked");
	ok(strstr(body(&r), "<td data-col=\"driver\" class=\"driver\">&lt;img") != NULL,
	    "an unknown driver's standings row is not marked");

	ok(get(&r, "/sessions/" SID "/timing", "c=pos&c=driver") == 200 &&
	    strstr(body(&r), "<th data-col=\"pos\" class=\"num\"") &&
	    strstr(body(&r), "<th data-col=\"team\" class=\"hide\""),
	    "the timing page shows the chosen columns only");
	ok(strstr(body(&r), "value=\"pos\" checked") && !strstr(body(&r), "value=\"team\" checked"),
	    "the chooser shows the choice");
	ok(strstr(body(&r), "<td data-col=\"driver\" class=\"driver known\">Bob</td>") != NULL,
	    "the timing page marks a known driver too");
	ok(get(&r, "/sessions/" SID "/timing", "c=nope") == 400, "an unknown column is 400");

	ok(get(&r, "/sessions/" SID "/entries", NULL) == 200 && strstr(body(&r), "Team &lt;A&gt;") &&
	    strstr(body(&r), ">GB</abbr>") && strstr(body(&r), ">engineer<") &&
	    strstr(body(&r), "class=\"known\""),
	    "the entry list shows team, nationality, roles and known drivers");
	const char *first = strstr(body(&r), "<table class=\"entries\"");
	ok(first != NULL && strstr(first + 1, "<table class=\"entries\"") == NULL,
	    "the entry list is one table");
	o = get(&r, "/api/v1/sessions/" SID "/entries", NULL) == 200 ?
	    cJSON_ParseWithLength(r.body.p, r.body.len) : NULL;
	cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "entries"), 0), "members"), 0);
	ok(m && cJSON_IsTrue(cJSON_GetObjectItem(m, "known")) &&
	    cJSON_GetArraySize(cJSON_GetObjectItem(m, "roles")) == 2, "the entries JSON has members with roles");
	cJSON_Delete(o);

	ok(get(&r, "/sessions/" SID "/chat", NULL) == 200 && strstr(body(&r), "<time datetime=\"") &&
	    strstr(body(&r), "&lt;script&gt;"), "the chat page lists the lines");
	o = get(&r, "/api/v1/sessions/" SID "/chat", NULL) == 200 ?
	    cJSON_ParseWithLength(r.body.p, r.body.len) : NULL;
	ok(o && cJSON_GetArraySize(cJSON_GetObjectItem(o, "chat")) == 1, "the chat JSON has the lines");
	cJSON_Delete(o);

	o = get(&r, "/api/v1/sessions/" SID "/map", NULL) == 200 ?
	    cJSON_ParseWithLength(r.body.p, r.body.len) : NULL;
	ok(o && cJSON_GetArraySize(cJSON_GetObjectItem(o, "line")) == 4 &&
	    cJSON_GetArraySize(cJSON_GetObjectItem(o, "pit")) == 1, "the map JSON has the line and the pit lane");
	cJSON_Delete(o);

	ok(get(&r, "/sessions/0190ffff000070008000000000000009/timing", NULL) == 404, "an unknown session is 404");
	ok(get(&r, "/api/v1/sessions/0190ffff000070008000000000000009/map", NULL) == 404 &&
	    strstr(body(&r), "not_found"), "the map of an unknown session is a JSON 404");
	ok(get(&r, "/api/v1/sessions/bad%20id/chat", NULL) == 404, "a malformed id is 404");

	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
