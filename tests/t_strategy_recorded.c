/*
 * Strategy on the recorded races of ../shared/data/recordings, run through
 * the worker into a database and read back through the handlers: the fuel
 * per lap and the laps of fuel left of the recording client's car must be
 * within 5 % of what the recording's own usage data (/rest/strategy/usage,
 * the fuel level the game gives at the end of each lap) implies, worked out
 * here from the raw rows: the mean drop between consecutive laps over the
 * race, neither lap in the pits and no refuelling between them; the laps
 * left: the last level over that. Then the pages: the car's
 * strategy page and JSON, the compact figures of every car, the timing
 * page's columns, and 404s.
 */
#include <math.h>

#include "hist.h"
#include "t_track_util.h"

#define ROLL 5	/* laps the server's figure is taken over */

/* What the recording's usage data says of its player's driver. */
struct ref {
	double	 per_lap;	/* fuel per lap, % of a tank */
	double	 now;		/* the last level, % */
	int	 laps;		/* deltas averaged */
};

/* What keep_usage() looks for and keeps. */
struct usage {
	const char	*driver;
	cJSON		*last;	/* the last non-empty usage rows of driver */
};

/* Keeps the last non-empty usage rows of u->driver a poll carries. */
static void
keep_usage(void *arg, const struct rec_reader *r)
{
	struct usage	*u = arg;
	cJSON		*resp = cJSON_ParseWithLength(r->responses, r->rlen);
	const cJSON	*rows = cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(resp, "/rest/strategy/usage"), u->driver);

	if (cJSON_IsArray(rows) && cJSON_GetArraySize(rows) > 0) {
		cJSON_Delete(u->last);
		u->last = cJSON_Duplicate(rows, 1);
	}
	cJSON_Delete(resp);
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The reference from the usage rows [{lap, pit, fuel}...] of one driver. */
static void
reference(const cJSON *usage, struct ref *ref)
{
	int	 n = cJSON_GetArraySize(usage);
	double	 sum = 0;

	ref->laps = 0;
	ref->now = NAN;
	for (int i = n - 1; i >= 0; i--) {
		const cJSON *l = cJSON_GetArrayItem(usage, i);
		if (isnan(ref->now))
			ref->now = num(l, "fuel");
		if (i == 0)
			continue;
		const cJSON *p = cJSON_GetArrayItem(usage, i - 1);
		if (num(p, "lap") != num(l, "lap") - 1 ||
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "pit")) ||
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "pit")) ||
		    isnan(num(p, "fuel")) || isnan(num(l, "fuel")) || num(p, "fuel") < num(l, "fuel"))
			continue;
		sum += num(p, "fuel") - num(l, "fuel");
		ref->laps++;
	}
	ref->per_lap = ref->laps ? sum / ref->laps : NAN;
}

/* The car id of the session's car in slot. */
static long long
car_of_slot(struct resp *r, const char *id, int slot)
{
	char		 url[256];
	cJSON		*s;
	const cJSON	*row;
	long long	 car = -1;

	snprintf(url, sizeof(url), "/api/v1/sessions/%s", id);
	s = get_json(r, url, NULL);
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(s, "standings"))
		if (num(row, "slot") == slot)
			car = (long long)num(row, "car");
	cJSON_Delete(s);
	return car;
}

static int
within(double got, double want, double share)
{
	return !isnan(got) && !isnan(want) && fabs(got - want) <= share * fabs(want);
}

#define RACE_TESTS 6

static void
race(const char *name, const char *file, const char *driver, int slot, int pages)
{
	char		 url[256];
	struct resp	 r;
	struct usage	 usage = { driver, NULL };
	cJSON		*list = NULL, *st = NULL;
	struct ref	 ref;
	long long	 car;
	int		 rc;

	if ((rc = rec_load(&h.db, h.dir, name, file, keep_usage, &usage)) < 0) {
		rec_skip(name, RACE_TESTS + (pages ? 12 : 0));
		return;
	}
	if (rc == 0 || usage.last == NULL) {
		ok(0, "%s: the recording goes through the worker with usage data", name);
		cJSON_Delete(usage.last);
		return;
	}
	resp_init(&r);
	reference(usage.last, &ref);
	list = get_json(&r, "/api/v1/sessions", "type=RACE");
	const char *id = jstr(list, "sessions.0.id");
	car = id ? car_of_slot(&r, id, slot) : -1;
	if (car > 0) {
		snprintf(url, sizeof(url), "/api/v1/sessions/%s/cars/%lld/strategy", id, car);
		st = get_json(&r, url, NULL);
	}
	const cJSON *s = jget(st, "strategy");
	double fpl = num(s, "fuel_per_lap") * 100, left = num(s, "laps_left_fuel");
	double want_left = ref.now / ref.per_lap;
	diag("%s: fuel per lap %.3f %% over %.0f laps, usage data %.3f %% over %d; laps left "
	    "%.2f, usage data %.2f", name, fpl, num(s, "fuel_laps"), ref.per_lap, ref.laps, left,
	    want_left);
	ok(s != NULL && strcmp(jstr(s, "fuel_source") ? jstr(s, "fuel_source") : "", "client") == 0,
	    "%s: the recording client's car's fuel is from its own client", name);
	ok(ref.laps >= 2 * ROLL && num(s, "fuel_laps") >= 3,
	    "%s: enough laps on both sides to compare", name);
	ok(within(fpl, ref.per_lap, 0.05), "%s: fuel per lap within 5 %% of the usage data's", name);
	ok(within(left, want_left, 0.05), "%s: laps of fuel left within 5 %% of the usage data's",
	    name);
	ok(jstr(s, "limiting") != NULL && !isnan(num(s, "laps_left")) && num(s, "laps_left") <= left + 1e-9,
	    "%s: laps left is the smaller of fuel and energy", name);
	/* every lap listed, each with why it counts or not, and 5 counted at most */
	const cJSON *l;
	int nlaps = 0, used = 0, whys = 1;
	cJSON_ArrayForEach(l, jget(st, "laps")) {
		nlaps++;
		used += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "fuel_used_in"));
		if (jstr(l, "fuel_why") == NULL || jstr(l, "fuel_why_text") == NULL)
			whys = 0;
	}
	ok(nlaps > 10 && whys && used == (int)num(s, "fuel_laps"),
	    "%s: the laps behind the figure are listed with why each counts", name);

	if (pages) {
		char	 other[256];
		cJSON	*all;
		int	 n = 0, windows = 0;

		snprintf(url, sizeof(url), "/sessions/%s/cars/%lld/strategy", id, car);
		ok(get(&r, url, NULL) == 200, "the strategy page answers 200");
		buf_putc(&r.body, '\0');
		ok(strstr(r.body.p, "Fuel per lap") != NULL && strstr(r.body.p, "Laps left") != NULL &&
		    strstr(r.body.p, "Pit window") != NULL && strstr(r.body.p, "Tyre age") != NULL,
		    "the page shows the figures");
		ok(strstr(r.body.p, "from the car&#39;s own client") != NULL ||
		    strstr(r.body.p, "from the car's own client") != NULL,
		    "the page says the fuel comes from the car's own client");
		ok(strstr(r.body.p, "How these are estimated") != NULL &&
		    strstr(r.body.p, "class=\"why why-used\"") != NULL &&
		    strstr(r.body.p, "class=\"why why-outlap\"") != NULL,
		    "the page says how, with the laps used and those left out");
		ok(strstr(r.body.p, "/static/strategy.js") != NULL, "the page loads strategy.js");

		snprintf(url, sizeof(url), "/api/v1/sessions/%s/strategy", id);
		all = get_json(&r, url, NULL);
		cJSON_ArrayForEach(l, jget(all, "cars")) {
			n++;
			if (jstr(l, "window_text") == NULL || jstr(l, "window_text")[0] != '\0')
				windows++;
			if ((long long)num(l, "car") == car && !within(num(l, "laps_left"),
			    num(s, "laps_left"), 0.01))
				n = -1000;
		}
		ok(n == (int)num(jget(list, "sessions.0"), "cars") && windows == 0,
		    "the compact figures have every car, the same laps left, no pit window after the flag");
		cJSON_Delete(all);

		/* another car: what the game shows of it */
		long long car2 = car_of_slot(&r, id, slot == 68 ? 56 : 68);
		snprintf(other, sizeof(other), "/api/v1/sessions/%s/cars/%lld/strategy", id, car2);
		all = get_json(&r, other, NULL);
		ok(car2 > 0 && strcmp(jstr(all, "strategy.fuel_source") ?
		    jstr(all, "strategy.fuel_source") : "", "game") == 0,
		    "another car's fuel is what the game shows of it");
		cJSON_Delete(all);

		snprintf(url, sizeof(url), "/sessions/%s/timing", id);
		ok(get(&r, url, NULL) == 200, "the timing page answers 200");
		buf_putc(&r.body, '\0');
		snprintf(other, sizeof(other), "href=\"/sessions/%s/cars/%lld/strategy\"", id, car);
		ok(strstr(r.body.p, "data-col=\"sleft\"") != NULL &&
		    strstr(r.body.p, "data-col=\"swin\"") != NULL &&
		    strstr(r.body.p, "data-col=\"styre\"") != NULL &&
		    strstr(r.body.p, "data-col=\"space\"") != NULL && strstr(r.body.p, other) != NULL,
		    "the timing page has the strategy columns, linked to each car's page");
		ok(strstr(r.body.p, "value=\"sleft\" checked") != NULL,
		    "the column chooser offers them");
		snprintf(url, sizeof(url), "/sessions/%s/timing", id);
		get(&r, url, "c=pos&c=swin");
		buf_putc(&r.body, '\0');
		ok(r.status == 200 && strstr(r.body.p, "data-col=\"sleft\" class=\"num hide\"") != NULL &&
		    strstr(r.body.p, "<th data-col=\"swin\" class=\"\"") != NULL,
		    "a choice of columns shows only those");

		snprintf(url, sizeof(url), "/api/v1/sessions/%s/cars/999999/strategy", id);
		ok(get(&r, url, NULL) == 404, "a car not in the session: 404");
	}
	cJSON_Delete(st);
	cJSON_Delete(list);
	cJSON_Delete(usage.last);
	resp_free(&r);
}

int
main(void)
{
	hist_open();
	tap_plan(2 * RACE_TESTS + 12);
	race("sebring", "sebring-school-race-A.jsonl.gz", "Eric Dean", 68, 1);
	race("monza", "monza-weekend.jsonl.gz", "Frank Riley", 55, 0);
	hctx_close(&h);
	return tap_done();
}
