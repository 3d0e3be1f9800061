/*
 * The session list and the session page, as HTML and as JSON, through the
 * in-memory handler driver on a fixture database.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "handler.h"
#include "tmpl.h"
#include "trackside.h"

static struct hctx h;

static int
get(struct resp *r, const char *path, const char *query)
{
	return hctx_get(&h, r, path, query);
}

static cJSON *
get_json(struct resp *r, const char *path, const char *query)
{
	return hctx_get_json(&h, r, path, query);
}

#define LIVE "0190aaaa000070008000000000000001"

/* How many times needle occurs in hay. */
static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Every time of a minute or more reads m:ss.mmm: laps, sectors, gaps. */
static void
test_times(void)
{
	struct tmpl_set	*t = NULL;
	struct buf	 out = { 0 }, err = { 0 };
	cJSON		*d = cJSON_Parse("{\"s\":93.687,\"g\":75.568,\"h\":3.25,\"l\":60}");

	ok(tmpl_parse(&t, "t", "{{s|sector}} {{g|gap}} {{h|gap}} {{l|laptime}}", &err) == 1 &&
	    tmpl_render(t, "t", d, &out) == 1 && out.p && strcmp(out.p, "1:33.687 +1:15.568 +3.250 1:00.000") == 0,
	    "sectors and gaps of a minute or more read m:ss.mmm");
	tmpl_free(t);
	buf_free(&out);
	buf_free(&err);
	cJSON_Delete(d);
}

/* A list guard tests the list once and never iterates it. */
static void
test_guard(void)
{
	struct tmpl_set	*t = NULL;
	struct buf	 out = { 0 }, err = { 0 };
	cJSON		*d = cJSON_Parse("{\"entries\":[{\"n\":1},{\"n\":2},{\"n\":3}],\"none\":[]}");

	ok(tmpl_parse(&t, "g", "{{?entries}}<table>{{#entries}}<tr>{{n}}</tr>{{/entries}}</table>"
	    "{{/entries}}{{?none}}<table>{{/none}}", &err) == 1 &&
	    tmpl_render(t, "g", d, &out) == 1 && count(out.p, "<table>") == 1 &&
	    count(out.p, "<tr>") == 3, "a list guard opens once around the list's rows");
	tmpl_free(t);
	t = NULL;
	buf_reset(&err);
	ok(tmpl_parse(&t, "bad", "{{#entries}}<table>{{#entries}}<tr>{{/entries}}</table>{{/entries}}",
	    &err) == 0 && err.p && strstr(err.p, "{{?entries}}") != NULL,
	    "a list opened inside itself is a parse error that names the guard");
	tmpl_free(t);
	buf_free(&out);
	buf_free(&err);
	cJSON_Delete(d);
}

int
main(void)
{
	struct resp	 r;
	cJSON		*o, *s;

	test_guard();
	test_times();
	if (!hctx_open(&h))
		return 1;
	resp_init(&r);
	ok(get(&r, "/", NULL) == 200 && strstr(r.body.p, "No sessions yet"),
	    "the session list of an empty database says so");
	if (!hctx_sql_file(&h, "tests/fixtures/pages.sql"))
		return 1;

	ok(get(&r, "/", NULL) == 200 && strstr(r.ctype, "text/html"), "the session list is HTML");
	const char *rows = strstr(r.body.p, "<tbody");
	const char *a = rows ? strstr(rows, "Sebring School Circuit") : NULL;
	const char *b = rows ? strstr(rows, "Autodromo") : NULL;
	ok(a && b && a < b, "live sessions come first");
	ok(strstr(r.body.p, "href=\"/sessions/" LIVE "\"") != NULL, "each session links to its page");

	o = get_json(&r, "/api/v1/sessions", NULL);
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "sessions"), 0);
	ok(o && cJSON_GetObjectItem(o, "total")->valueint == 2, "the JSON list counts every session");
	ok(s && cJSON_IsTrue(cJSON_GetObjectItem(s, "live")) && cJSON_IsTrue(cJSON_GetObjectItem(s, "online")),
	    "live and online are booleans");
	cJSON_Delete(o);
	o = get_json(&r, "/api/v1/sessions", "track=Autodromo%20Nazionale%20Monza");
	ok(o && cJSON_GetArraySize(cJSON_GetObjectItem(o, "sessions")) == 1, "the track filter selects");
	cJSON_Delete(o);
	o = get_json(&r, "/api/v1/sessions", "live=0");
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "sessions"), 0);
	ok(o && cJSON_GetArraySize(cJSON_GetObjectItem(o, "sessions")) == 1 &&
	    cJSON_IsFalse(cJSON_GetObjectItem(s, "live")), "the live filter selects");
	cJSON_Delete(o);
	o = get_json(&r, "/api/v1/sessions", "limit=1&offset=1");
	ok(o && cJSON_GetArraySize(cJSON_GetObjectItem(o, "sessions")) == 1 &&
	    cJSON_GetObjectItem(o, "total")->valueint == 2, "limit and offset page the list");
	cJSON_Delete(o);
	ok(get(&r, "/api/v1/sessions", "limit=0") == 400 && strstr(r.body.p, "limit"),
	    "a bad limit: 400 naming it");
	ok(get(&r, "/api/v1/sessions", "since=yesterday") == 400, "a bad date: 400");
	ok(get(&r, "/api/v1/sessions", "track=%zz") == 400, "a malformed query string: 400");

	ok(get(&r, "/sessions/" LIVE, NULL) == 200, "the session page answers");
	ok(strstr(r.body.p, "&lt;img src=x onerror=alert(1)&gt;") != NULL &&
	    strstr(r.body.p, "<img src=x") == NULL, "a driver name is HTML-escaped");
	a = strstr(r.body.p, "Frank Riley");
	b = strstr(r.body.p, "Lewis Kyle");
	ok(a && b && a < b, "standings are in position order");
	ok(strstr(r.body.p, "1:04.566") != NULL, "lap times read m:ss.mmm");
	ok(r.headers.p == NULL || strstr(r.headers.p, "X-Accel-Expires") == NULL,
	    "a live session's page is not cached");
	ok(get(&r, "/sessions/0190aaaa000070008000000000000000", NULL) == 200 && r.headers.p &&
	    strstr(r.headers.p, "X-Accel-Expires: 60\r\n"), "a closed session's page may be cached a minute");
	ok(get(&r, "/sessions/0190ffff000070008000000000000009", NULL) == 404 &&
	    strstr(r.ctype, "text/html") && strstr(r.body.p, "no such session"),
	    "an unknown session is a 404 page");
	ok(r.headers.p == NULL || strstr(r.headers.p, "X-Accel-Expires") == NULL, "an error is not cached");
	ok(get(&r, "/sessions/..%2f..", NULL) == 404, "a malformed session id is a 404");

	o = get_json(&r, "/api/v1/sessions/" LIVE, NULL);
	s = cJSON_GetObjectItem(o, "standings");
	ok(o && cJSON_GetArraySize(s) == 3, "the JSON session has every car's standings");
	cJSON *c = cJSON_GetArrayItem(s, 2);
	ok(c && cJSON_IsNull(cJSON_GetObjectItem(c, "best")), "an unknown time is null");
	ok(c && cJSON_GetObjectItem(cJSON_GetArrayItem(s, 1), "gap")->valuedouble == 3.25,
	    "gaps are seconds");
	cJSON_Delete(o);
	o = get_json(&r, "/api/v1/sessions/" LIVE "/laps", "car=1");
	s = cJSON_GetObjectItem(o, "cars");
	ok(o && cJSON_GetArraySize(s) == 1 &&
	    cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(s, 0), "laps")) == 2,
	    "the laps of one car");
	cJSON_Delete(o);
	o = get_json(&r, "/api/v1/sessions/" LIVE "/laps", NULL);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "cars"), 1),
	    "laps"), 1);
	ok(c && cJSON_IsFalse(cJSON_GetObjectItem(c, "valid")) && cJSON_IsNull(cJSON_GetObjectItem(c, "time")),
	    "an invalid lap has valid false and time null");
	cJSON_Delete(o);
	ok(get(&r, "/api/v1/sessions/" LIVE "/laps", "car=abc") == 400, "a bad car filter: 400");

	resp_free(&r);
	resp_init(&r);
	hctx_call(&h, &r, METHOD_POST, "/sessions/" LIVE, NULL, "text/plain", NULL, NULL, "x", 1);
	is_int(r.status, 405, "POST to a page: 405");
	ok(strstr(r.ctype, "text/html") && strstr(r.body.p, "<h1>405"), "the 405 of a page is a page");
	ok(get(&r, "/nope", NULL) == 404 && strstr(r.ctype, "text/html") &&
	    strstr(r.body.p, "<h1>404") && strstr(r.body.p, "<title>Not Found"),
	    "an unknown path outside the API is an HTML 404 page");
	ok(get(&r, "/sessions/" LIVE "/nope", NULL) == 404 && strstr(r.ctype, "text/html"),
	    "an unknown page of a session is an HTML 404");
	ok(get(&r, "/", "track=%zz") == 400 && strstr(r.ctype, "text/html") && strstr(r.body.p, "<h1>400"),
	    "a malformed query string on a page is an HTML 400");
	ok(get(&r, "/api/v1/nope", NULL) == 404 && strstr(r.ctype, "application/json"),
	    "an unknown API path is a JSON 404");
	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
