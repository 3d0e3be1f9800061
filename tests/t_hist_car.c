/*
 * The car page (/sessions/{id}/cars/{car}) and the pit summary
 * (/sessions/{id}/pits), as HTML and JSON; the car's drive time against
 * the rules of the session or of the configuration.
 */
#include "hist.h"
#include "drive.h"

#define CAR50 "/api/v1/sessions/" RACE "/cars/31"

static void
car(struct resp *r)
{
	cJSON *o = get_json(r, CAR50, NULL);

	ok(o != NULL && jsize(o, "laps") == 8, "the car page has every lap");
	ok(strcmp(jstr(o, "car.number"), "50") == 0 && strcmp(jstr(o, "track"), "Sebring International Raceway") == 0,
	    "the car's entry and its session");
	is_str(jstr(o, "laps.5.time_mark"), "sb", "the class's best lap of the session is purple");
	is_str(jstr(o, "laps.1.time_mark"), "pb", "a driver's best lap in the car is green");
	is_str(jstr(o, "laps.2.time_mark"), "", "another lap is not marked");
	is_str(jstr(o, "laps.5.s1_mark"), "sb", "sectors are marked too");
	ok(same_time(jnum(o, "laps.1.fuel_used"), 0.03) && jnull(o, "laps.3.fuel_used"),
	    "fuel used per lap, unknown across a refuel");
	ok(same_time(jnum(o, "laps.1.ve_used"), 0.11), "virtual energy used per lap");
	ok(cJSON_IsTrue(jget(o, "laps.3.pit")) && cJSON_IsTrue(jget(o, "laps.3.stop")),
	    "the in-lap shows its pit stop");
	ok(jsize(o, "stints") == 2, "a stop splits the laps into stints");
	ok(strcmp(jstr(o, "stints.0.driver"), "Antonio Fuoco") == 0 && jnum(o, "stints.0.first_lap") == 1 &&
	    jnum(o, "stints.0.last_lap") == 4 && strcmp(jstr(o, "stints.1.driver"), "Miguel Molina") == 0,
	    "stints have their driver and laps");
	ok(same_time(jnum(o, "stints.0.average"), (116.8 + 109.6 + 109.9) / 3),
	    "a stint's average leaves out the in-lap");
	ok(same_time(jnum(o, "stints.1.average"), (109.4 + 109.8 + 110.1) / 3),
	    "a stint's average leaves out the out-lap");
	ok(same_time(jnum(o, "stints.1.best"), 109.4) && strcmp(jstr(o, "stints.1.tyres"), "Hard") == 0,
	    "a stint's best lap and tyres");
	ok(same_time(jnum(o, "stints.1.fuel_used"), 0.12) && same_time(jnum(o, "stints.0.fuel_used"), 0.06),
	    "a stint's fuel used adds the laps where it is known");
	ok(jsize(o, "pits") == 1 && same_time(jnum(o, "pits.0.lane"), 37.4) &&
	    same_time(jnum(o, "pits.0.stop"), 26.5), "the car's pit stop with lane and stop times");
	ok(jsize(o, "drivers") == 2 && same_time(jnum(o, "drivers.0.time"), 467.7) &&
	    same_time(jnum(o, "drivers.1.time"), 447.3), "driving time per driver");
	ok(same_time(jnum(o, "drivers.0.share"), 0.511), "each driver's share of the driving");
	ok(cJSON_IsTrue(jget(o, "drivers.0.known")), "known drivers are marked");
	ok(jsize(o, "chart.series") == 2 && strlen(jstr(o, "chart.series.0.points")) > 0 &&
	    jsize(o, "chart.series.0.dots") == 4 && jsize(o, "chart.series.1.dots") == 4,
	    "the chart has a series per stint with a point per valid lap");
	cJSON_Delete(o);

	o = get_json(r, "/api/v1/sessions/" RACE "/cars/34", NULL);
	ok(o && cJSON_IsFalse(jget(o, "laps.6.valid")) && jnull(o, "laps.6.time") &&
	    jnull(o, "laps.6.duration"), "an invalid last lap: no time, no known duration");
	ok(jsize(o, "chart.series.0.dots") == 5 && jsize(o, "chart.series.1.dots") == 1,
	    "invalid laps are not drawn");
	cJSON_Delete(o);

	ok(get(r, "/sessions/" RACE "/cars/31", NULL) == 200, "the car page answers");
	ok(golden("hist_car.html", &r->body), "the car page matches its golden file");
	ok(strstr(r->body.p, "<polyline points=\"") != NULL && strstr(r->body.p, "<svg") != NULL,
	    "the lap-time chart is inline SVG");
	ok(get(r, "/sessions/" RACE "/cars/21", NULL) == 404 && strstr(r->body.p, "no such car"),
	    "a car of another session: 404");
	ok(get(r, "/sessions/" RACE "/cars/x1", NULL) == 404, "a car id that is not a number: 404");
	ok(get(r, "/api/v1/sessions/0190ffff000070008000000000000009/cars/31", NULL) == 404,
	    "a car of an unknown session: 404");
}

/* The sum of the "duration" of the stints of driver name in o's drive_time. */
static double
stint_sum(const cJSON *o, const char *name)
{
	const cJSON	*el;
	double		 sum = 0;

	cJSON_ArrayForEach(el, jget(o, "drive_time.stints"))
		if (strcmp(jstr(el, "driver"), name) == 0)
			sum += jnum(el, "duration");
	return sum;
}

static void
drive(struct resp *r)
{
	struct drive_rules	 conf = { 0 };
	cJSON			*o = get_json(r, CAR50, NULL);

	ok(o != NULL && jsize(o, "drive_time.drivers") == 2 && jsize(o, "drive_time.stints") == 2 &&
	    strcmp(jstr(o, "drive_time.rules_source"), "none") == 0 &&
	    cJSON_IsFalse(jget(o, "drive_time.rules_apply")), "drive time without rules: the stints, no rules");
	ok(same_time(jnum(o, "drive_time.drivers.0.total"), 467.7) &&
	    same_time(jnum(o, "drive_time.drivers.1.total"), 447.3) &&
	    same_time(jnum(o, "drive_time.drivers.0.total"), stint_sum(o, "Antonio Fuoco")) &&
	    same_time(jnum(o, "drive_time.drivers.1.total"), stint_sum(o, "Miguel Molina")),
	    "each driver's total is the sum of their stints, and the driving time above");
	ok(jnum(o, "drive_time.stints.0.first_lap") == 1 && jnum(o, "drive_time.stints.0.last_lap") == 4 &&
	    jnum(o, "drive_time.stints.1.laps") == 4 && cJSON_IsFalse(jget(o, "drive_time.stints.1.current")),
	    "a stint's laps; nobody drives in a finished session");
	cJSON_Delete(o);

	/* the session's own rules */
	hctx_sql(&h, "UPDATE sessions SET drive_rules = '{\"min\":460,\"max\":2000,\"stint\":450}' "
	    "WHERE id = '" RACE "'");
	o = get_json(r, CAR50, NULL);
	ok(o != NULL && strcmp(jstr(o, "drive_time.rules_source"), "session") == 0 &&
	    jnum(o, "drive_time.rules.min") == 460 && jnull(o, "drive_time.rules.window"),
	    "rules an admin set for the session apply, seconds as given");
	ok(strcmp(jstr(o, "drive_time.drivers.0.status"), "over") == 0 &&
	    strstr(jstr(o, "drive_time.drivers.0.why"), "stint") != NULL,
	    "a stint over the maximum is over");
	ok(same_time(jnum(o, "drive_time.drivers.1.owed"), 12.7) &&
	    strcmp(jstr(o, "drive_time.drivers.1.status"), "over") == 0 &&
	    same_time(jnum(o, "drive_time.owed"), 12.7) && cJSON_IsFalse(jget(o, "drive_time.can_make")),
	    "time still owed when the session is over is over");
	ok(same_time(jnum(o, "drive_time.drivers.1.allowance"), 2000 - 447.3),
	    "what is left of the maximum");
	cJSON_Delete(o);
	ok(get(r, "/sessions/" RACE "/cars/31", NULL) == 200 && strstr(r->body.p, "<h2>Drive time</h2>") &&
	    strstr(r->body.p, "class=\"drive-over\"") && strstr(r->body.p, "each driver at least 0:07:40 in all") &&
	    strstr(r->body.p, "(set for this session)"), "the page shows the rules, where they come from, and the status");

	/* the configuration's, when the session has none */
	hctx_sql(&h, "UPDATE sessions SET drive_rules = NULL WHERE id = '" RACE "'");
	conf.max = 3600;
	drive_defaults_set(&conf);
	o = get_json(r, CAR50, NULL);
	ok(o != NULL && strcmp(jstr(o, "drive_time.rules_source"), "configuration") == 0 &&
	    jnum(o, "drive_time.rules.max") == 3600 && strcmp(jstr(o, "drive_time.status"), "ok") == 0,
	    "without its own, the configuration's rules apply");
	cJSON_Delete(o);
	memset(&conf, 0, sizeof(conf));
	drive_defaults_set(&conf);

	/* a live race: the running stint, a driver of the entry who has not driven */
	hctx_sql(&h, "INSERT INTO entries (session_id, utid, number, name, car_id) VALUES "
	    "('" LIVE "', 7, '04', 'Riley Racing', 41)");
	hctx_sql(&h, "INSERT INTO entry_members (session_id, utid, name, roles) VALUES "
	    "('" LIVE "', 7, 'Frank Riley', 'D'), ('" LIVE "', 7, 'Zoe Second', 'D'), "
	    "('" LIVE "', 7, 'Pat Engineer', 'E')");
	hctx_sql(&h, "UPDATE sessions SET drive_rules = '{\"min\":600,\"stint\":600}' WHERE id = '"
	    LIVE "'");
	o = get_json(r, "/api/v1/sessions/" LIVE "/cars/41", NULL);
	ok(o != NULL && jsize(o, "drive_time.drivers") == 2 &&
	    strcmp(jstr(o, "drive_time.drivers.1.name"), "Zoe Second") == 0 &&
	    jnum(o, "drive_time.drivers.1.total") == 0 && jnum(o, "drive_time.drivers.1.owed") == 600,
	    "a driver of the entry who has not driven owes the whole minimum; an engineer is not listed");
	ok(same_time(jnum(o, "drive_time.drivers.0.current"), 380) &&
	    same_time(jnum(o, "drive_time.drivers.0.total"), 380) &&
	    cJSON_IsTrue(jget(o, "drive_time.stints.0.current")),
	    "the running stint counts up to the session's time now");
	ok(same_time(jnum(o, "drive_time.drivers.0.stint_left"), 220) &&
	    strcmp(jstr(o, "drive_time.drivers.0.status"), "warning") == 0,
	    "220 s left of the stint is a warning");
	ok(same_time(jnum(o, "drive_time.owed"), 820) && jnum(o, "drive_time.remaining") == 1400 &&
	    cJSON_IsTrue(jget(o, "drive_time.can_make")), "820 s owed fits in the 1400 s left");
	cJSON_Delete(o);
	hctx_sql(&h, "UPDATE sessions SET drive_rules = NULL WHERE id = '" LIVE "'");
}

static void
pits(struct resp *r)
{
	cJSON *o = get_json(r, "/api/v1/sessions/" RACE "/pits", NULL);

	ok(o != NULL && jsize(o, "cars") == 5, "the pit summary lists every car");
	ok(jnum(o, "cars.0.count") == 1 && cJSON_IsTrue(jget(o, "cars.0.stops.0.swap")) &&
	    strcmp(jstr(o, "cars.0.stops.0.driver_in"), "Miguel Molina") == 0,
	    "a stop with its driver swap");
	ok(jnum(o, "cars.4.count") == 0 && jsize(o, "cars.4.stops") == 1 &&
	    cJSON_IsTrue(jget(o, "cars.4.stops.0.garage")), "a retirement to the garage is not a stop");
	ok(cJSON_IsTrue(jget(o, "cars.3.stops.0.penalty")), "a penalty is shown");
	ok(same_time(jnum(o, "cars.1.lane_total"), jnum(o, "cars.1.stops.0.lane")), "lane time totals");
	cJSON_Delete(o);
	ok(get(r, "/sessions/" RACE "/pits", NULL) == 200, "the pit summary page answers");
	ok(golden("hist_pits.html", &r->body), "the pit summary matches its golden file");
	ok(strstr(r->body.p, "Antonio Fuoco → Miguel Molina") != NULL, "the page shows who handed over");
	ok(get(r, "/sessions/0190ffff000070008000000000000009/pits", NULL) == 404 &&
	    strstr(r->ctype, "text/html"), "the pits of an unknown session: a 404 page");
	o = get_json(r, "/api/v1/sessions/" LIVE "/pits", NULL);
	ok(o && jsize(o, "cars") == 2 && jsize(o, "cars.0.stops") == 0, "a car without stops has none");
	cJSON_Delete(o);
}

int
main(void)
{
	struct resp r;

	hist_open();
	resp_init(&r);
	car(&r);
	drive(&r);
	pits(&r);
	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
