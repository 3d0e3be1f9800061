/*
 * view_log (lib/view.c): the newest entries of a session's race control
 * log, oldest first, in the live events' shape; and the session view's
 * "log" (the newest VIEW_LOG_RECENT).
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "handler.h"

#define SID "0190cccc000070008000000000000021"
#define OTHER "0190cccc000070008000000000000022"

static struct hctx h;

static const char *
text_of(const cJSON *arr, int i)
{
	const cJSON *t = cJSON_GetObjectItem(cJSON_GetArrayItem(arr, i), "text");

	return cJSON_IsString(t) ? t->valuestring : "";
}

int
main(void)
{
	struct view	 v;
	cJSON		*arr = NULL, *e, *s = NULL;
	char		 sql[256];
	int		 rc, good;

	if (!hctx_open(&h))
		return 1;
	if (!hctx_sql(&h,
	    "INSERT INTO sessions (id, sim, track, type, online, started_at, last_update, et, "
	    "state, cars) VALUES "
	    "('" SID "', 'lmu', 'Test Ring', 'race1', 1, 1700000000, 1700000000, 900, 'live', 1),"
	    "('" OTHER "', 'lmu', 'Test Ring', 'race1', 1, 1700000000, 1700000000, 900, 'live', 0);"
	    "INSERT INTO cars (id, session_id, slot, vehicle, vehicle_name, number, team, class) VALUES "
	    "(1, '" SID "', 0, 'a', 'Car A', '7', 'Team A', 'GT3');"
	    "INSERT INTO race_log (session_id, et, at, kind, car_id, text, data, ref) VALUES "
	    "('" OTHER "', 5, 1700000005, 'fcy', 0, 'other session', NULL, 'o');"))
		return 1;
	/* 40 entries, ET 10..400, written newest first; two share ET 400 */
	for (int i = 40; i >= 1; i--) {
		snprintf(sql, sizeof(sql), "INSERT INTO race_log (session_id, et, at, kind, car_id, "
		    "class, number, lap, driver, text, data, ref) VALUES ('" SID "', %d, %d, '%s', %d, "
		    "%s, %s, %d, 'Ann', 'e%d', '%s', 'r%d')", i == 40 ? 390 + 10 : i * 10,
		    1700000000 + i * 10, i % 2 ? "pit_in" : "fcy", i % 2, i % 2 ? "'GT3'" : "NULL",
		    i % 2 ? "'7'" : "NULL", i, i, i == 3 ? "not json" : "{\"n\":1}", i);
		if (!hctx_sql(&h, sql))
			return 1;
	}
	if (!hctx_sql(&h, "INSERT INTO race_log (session_id, et, at, kind, car_id, text, ref) "
	    "VALUES ('" SID "', 400, 1700000401, 'phase', 0, 'e41', 'r41')"))
		return 1;

	view_init(&v, h.db);
	rc = view_log(&v, SID, 5, &arr);
	ok(rc == 1 && cJSON_GetArraySize(arr) == 5, "view_log gives as many as asked");
	ok(strcmp(text_of(arr, 0), "e37") == 0 && strcmp(text_of(arr, 3), "e40") == 0 &&
	    strcmp(text_of(arr, 4), "e41") == 0,
	    "the newest, oldest first; the same ET in the order written");
	e = cJSON_GetArrayItem(arr, 0);
	ok(e && cJSON_GetObjectItem(e, "car")->valuedouble == 1 &&
	    strcmp(cJSON_GetObjectItem(e, "kind")->valuestring, "pit_in") == 0 &&
	    cJSON_GetObjectItem(e, "et")->valuedouble == 370 &&
	    cJSON_GetObjectItem(e, "at")->valuedouble == 1700000370 &&
	    cJSON_GetObjectItem(e, "lap")->valuedouble == 37 &&
	    strcmp(cJSON_GetObjectItem(e, "number")->valuestring, "7") == 0 &&
	    strcmp(cJSON_GetObjectItem(e, "class")->valuestring, "GT3") == 0 &&
	    strcmp(cJSON_GetObjectItem(e, "driver")->valuestring, "Ann") == 0 &&
	    cJSON_GetObjectItem(cJSON_GetObjectItem(e, "data"), "n") != NULL,
	    "an entry has et, at, kind, car, number, class, lap, driver, text, data");
	good = 1;
	cJSON_ArrayForEach(e, arr)
		good &= cJSON_GetArraySize(e) == 10;
	ok(good, "entries carry those ten fields only");
	e = cJSON_GetArrayItem(arr, 1);
	ok(e && cJSON_IsNull(cJSON_GetObjectItem(e, "car")) && cJSON_IsNull(cJSON_GetObjectItem(e, "class")),
	    "a whole-session entry has car null");
	ok(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 4), "data")),
	    "an entry without data has data null");
	cJSON_Delete(arr);

	rc = view_log(&v, SID, 1000, &arr);
	ok(rc == 1 && cJSON_GetArraySize(arr) == 41 && strcmp(text_of(arr, 0), "e1") == 0,
	    "the whole log, of its own session only");
	ok(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 2), "data")),
	    "data that is not a JSON object is null");
	cJSON_Delete(arr);

	rc = view_log(&v, "0190ffff000070008000000000000009", 10, &arr);
	ok(rc == 1 && cJSON_IsArray(arr) && cJSON_GetArraySize(arr) == 0,
	    "an unknown session has an empty log");
	cJSON_Delete(arr);

	rc = view_session(&v, SID, &s);
	arr = cJSON_GetObjectItem(s, "log");
	ok(rc == 1 && cJSON_GetArraySize(arr) == VIEW_LOG_RECENT &&
	    strcmp(text_of(arr, VIEW_LOG_RECENT - 1), "e41") == 0 &&
	    strcmp(text_of(arr, 0), "e12") == 0, "the session view carries the newest %d, oldest first",
	    VIEW_LOG_RECENT);
	cJSON_Delete(s);
	rc = view_session(&v, OTHER, &s);
	ok(rc == 1 && cJSON_GetArraySize(cJSON_GetObjectItem(s, "log")) == 1,
	    "each session view has its own log");
	cJSON_Delete(s);
	view_free(&v);
	hctx_close(&h);
	return tap_done();
}
