/*
 * GET /best-laps and /api/v1/best-laps: each driver's best lap per car at a
 * track across sessions, its filters and their bad values.
 */
#include "hist.h"

#define SEBRING "track=Sebring%20International%20Raceway"
#define MONZA "track=Autodromo%20Nazionale%20Monza"

static cJSON *
best(struct resp *r, const char *query)
{
	return get_json(r, "/api/v1/best-laps", query);
}

/* The index of the row of driver in vehicle (veh), or -1. */
static int
row(const cJSON *o, const char *driver, const char *veh)
{
	char p[64];

	for (int i = 0; i < jsize(o, "laps"); i++) {
		snprintf(p, sizeof(p), "laps.%d.driver", i);
		const char *d = jstr(o, p);
		snprintf(p, sizeof(p), "laps.%d.veh", i);
		const char *v = jstr(o, p);
		if (d && v && strcmp(d, driver) == 0 && strcmp(v, veh) == 0)
			return i;
	}
	return -1;
}

static double
row_num(const cJSON *o, int i, const char *key)
{
	char p[64];

	snprintf(p, sizeof(p), "laps.%d.%s", i, key);
	return jnum(o, p);
}

int
main(void)
{
	struct resp	 r;
	cJSON		*o;
	int		 i;

	hist_open();
	resp_init(&r);

	o = best(&r, SEBRING);
	ok(o != NULL && jsize(o, "laps") == 8, "a row per driver and car at the track");
	is_str(jstr(o, "laps.0.driver"), "Antonio Fuoco", "the fastest first");
	ok(same_time(jnum(o, "laps.0.time"), 108.4) && strcmp(jstr(o, "laps.0.session"), QUALI) == 0 &&
	    jnum(o, "laps.0.car") == 21, "a driver's best is the fastest of all sessions, with its car");
	is_str(jstr(o, "laps.0.vehicle"), "Ferrari 499P", "the car is named");
	ok(row(o, "Kevin Estre", "963_2024") >= 0 && row(o, "Kevin Estre", "911GT3R_LMGT3") >= 0,
	    "one driver in two cars has a row for each");
	ok(row(o, "Antonio Fuoco", "499P_2024") >= 0 && row(o, "Miguel Molina", "499P_2024") >= 0,
	    "two drivers of one car have a row each");
	i = row(o, "Augusto Farfus", "M4_LMGT3");
	ok(i >= 0 && same_time(row_num(o, i, "time"), 120.1), "an invalid lap never counts");
	i = row(o, "Kevin Estre", "963_2024");
	ok(same_time(row_num(o, i, "s1"), 38.369) && same_time(row_num(o, i, "best_s1"), 38.262),
	    "the best lap's sectors and the driver's best sectors, from another lap");
	ok(same_time(row_num(o, i, "ideal"), 38.262 + 30.493 + 39.714), "the ideal lap adds the best sectors");
	ok(jnum(o, "laps.1.rank") == 2 && same_time(jnum(o, "laps.1.gap"), 0.2), "rank and gap to the fastest");
	ok(jsize(o, "classes") == 2 && strcmp(jstr(o, "classes.0.class"), "Hypercar") == 0 &&
	    strcmp(jstr(o, "classes.1.driver"), "Kevin Estre") == 0 && jnum(o, "classes.1.entries") == 5,
	    "class bests on top, with their number of entries");
	ok(cJSON_IsTrue(jget(o, "laps.0.known")) && cJSON_IsFalse(jget(o, "laps.2.known")),
	    "known drivers are marked");
	is_str(jstr(o, "laps.0.time_mark"), "sb", "the fastest lap of the list is marked");
	cJSON_Delete(o);

	o = best(&r, SEBRING "&since=2026-11-14");
	i = row(o, "Antonio Fuoco", "499P_2024");
	ok(jsize(o, "laps") == 7 && i >= 0 && same_time(row_num(o, i, "time"), 109.6),
	    "since: the best lap set from that day on");
	cJSON_Delete(o);
	o = best(&r, SEBRING "&type=qualify");
	ok(jsize(o, "laps") == 4, "the session type filter");
	cJSON_Delete(o);
	o = best(&r, SEBRING "&type=QUALIFY");
	ok(jsize(o, "laps") == 4, "an old link's type in capitals still filters");
	cJSON_Delete(o);
	o = best(&r, SEBRING "&class=LMGT3");
	ok(jsize(o, "laps") == 5 && strcmp(jstr(o, "laps.4.class"), "LMGT3") == 0, "the class filter");
	cJSON_Delete(o);
	o = best(&r, SEBRING "&known=1");
	ok(jsize(o, "laps") == 3 && row(o, "Miguel Molina", "499P_2024") < 0, "known drivers only");
	cJSON_Delete(o);
	o = best(&r, MONZA "&online=0");
	ok(jsize(o, "laps") == 1 && strcmp(jstr(o, "laps.0.session"), PRACT) == 0, "offline sessions only");
	cJSON_Delete(o);
	o = best(&r, MONZA "&online=1");
	ok(jsize(o, "laps") == 2 && strcmp(jstr(o, "laps.0.driver"), "Lewis Kyle") == 0,
	    "online sessions only, a live one included");
	cJSON_Delete(o);
	o = best(&r, "track=Spa");
	ok(o != NULL && jsize(o, "laps") == 0, "a track without laps: an empty list");
	cJSON_Delete(o);

	ok(get(&r, "/api/v1/best-laps", NULL) == 400 && strstr(r.body.p, "track is required"),
	    "the API needs a track");
	ok(get(&r, "/api/v1/best-laps", SEBRING "&since=last%20week") == 400, "a bad since: 400");
	ok(get(&r, "/api/v1/best-laps", SEBRING "&type=ENDURO") == 400 && strstr(r.body.p,
	    "type must be test, practice, qualify, warmup, race or other."),
	    "a bad session type: 400 naming the kinds");
	ok(get(&r, "/api/v1/best-laps", SEBRING "&online=2") == 400, "a bad online value: 400");
	ok(get(&r, "/api/v1/best-laps", SEBRING "&known=maybe") == 400, "a bad known value: 400");
	ok(get(&r, "/api/v1/best-laps", SEBRING "&limit=0") == 400, "a bad limit: 400");

	ok(get(&r, "/best-laps", NULL) == 200 && strstr(r.body.p, "Choose a track") &&
	    strstr(r.body.p, "<option>Sebring International Raceway</option>"),
	    "the page without a track offers the tracks");
	ok(get(&r, "/best-laps", SEBRING) == 200, "the best laps page answers");
	ok(golden("hist_best_laps.html", &r.body), "the best laps page matches its golden file");
	ok(strstr(r.body.p, "<option selected>Sebring International Raceway</option>") != NULL,
	    "the chosen track is selected");
	ok(strstr(r.body.p, "<tr class=\"known\">") != NULL, "known drivers stand out");
	ok(get(&r, "/best-laps", SEBRING "&known=1") == 200 && strstr(r.body.p, "value=\"1\" checked"),
	    "the known-only box stays checked");

	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
