/*
 * The history list (GET / and /api/v1/sessions): live sessions first, every
 * filter, bad filter values, paging that keeps the filters.
 */
#include "hist.h"

/* The number of sessions the API lists for query, or -1. */
static int
count(struct resp *r, const char *query)
{
	cJSON	*o = get_json(r, "/api/v1/sessions", query);
	int	 n = o ? jsize(o, "sessions") : -1;

	cJSON_Delete(o);
	return n;
}

int
main(void)
{
	struct resp	 r;
	cJSON		*o;

	hist_open();
	resp_init(&r);

	ok(get(&r, "/", NULL) == 200, "the history list answers");
	ok(golden("hist_list.html", &r.body), "the history list matches its golden file");
	ok(strstr(r.body.p, "<td>complete</td>") != NULL, "a finished session reads complete");
	o = get_json(&r, "/api/v1/sessions", NULL);
	ok(o && strcmp(jstr(o, "sessions.0.id"), LIVE) == 0 && strcmp(jstr(o, "sessions.1.id"), RACE) == 0,
	    "live sessions first, then the newest");
	is_str(jstr(o, "sessions.0.phase_name"), "green flag", "a session's phase is named");
	cJSON_Delete(o);

	is_int(count(&r, "track=Sebring%20International%20Raceway"), 2, "the track filter");
	is_int(count(&r, "sim=lmu"), 4, "the sim filter");
	is_int(count(&r, "type=race"), 2, "the session type filter: a kind, of every number");
	is_int(count(&r, "type=RACE"), 2, "an old link's type in capitals still filters");
	is_int(count(&r, "type=qualify"), 1, "the session type filter ignores case");
	is_int(count(&r, "online=0"), 1, "the offline filter");
	is_int(count(&r, "online=1"), 3, "the online filter");
	is_int(count(&r, "since=2026-11-14"), 2, "since includes its day");
	is_int(count(&r, "until=2026-11-13"), 2, "until includes its whole day");
	is_int(count(&r, "since=2026-11-13&until=2026-11-14&type=RACE"), 1, "filters combine");

	ok(get(&r, "/api/v1/sessions", "sim=rf2") == 400 && strstr(r.body.p, "sim must be lmu, ac or pcars2."),
	    "an unknown sim: 400 naming the values");
	ok(get(&r, "/api/v1/sessions", "type=ENDURO") == 400 && strstr(r.body.p,
	    "type must be test, practice, qualify, warmup, race or other."),
	    "an unknown session type: 400 naming the kinds");
	ok(get(&r, "/api/v1/sessions", "online=yes") == 400 && strstr(r.body.p, "online"),
	    "a bad online value: 400");
	ok(get(&r, "/api/v1/sessions", "until=2026-13-01") == 400 && strstr(r.body.p, "until"),
	    "a bad until date: 400");
	ok(get(&r, "/api/v1/sessions", "track=a%0Ab") == 400, "a track with a control character: 400");
	ok(get(&r, "/", "type=ENDURO") == 400 && strstr(r.ctype, "text/html") &&
	    strstr(r.body.p, "type must be"), "a bad filter on the page: a 400 page");

	ok(get(&r, "/", "type=RACE&limit=1") == 200 &&
	    strstr(r.body.p, "href=\"/?type=RACE&amp;limit=1&amp;offset=1\"") != NULL,
	    "the next page link keeps the filters");
	ok(get(&r, "/", "type=RACE&limit=1&offset=1") == 200 &&
	    strstr(r.body.p, "href=\"/?type=RACE&amp;limit=1&amp;offset=0\"") != NULL,
	    "the previous page link back to the first page");
	ok(strstr(r.body.p, "<option value=\"race\" selected>") != NULL,
	    "the form shows the chosen filter, chosen by an old link in capitals too");
	ok(get(&r, "/", "track=Nordschleife") == 200 && strstr(r.body.p, "No session matches"),
	    "no match says so");

	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
