/*
 * Drive time on the recorded races of ../shared/data/recordings: each
 * recording through the worker into a database, then every car of the race
 * through /api/v1/sessions/{id}/cars/{car}: each driver's total is the sum
 * of their stints; a car's driving time covers its laps once, from the
 * start of the first to the end of the last; and where the truth times
 * every one of those laps, it is what they add up to.
 */
#include <math.h>

#include "hist.h"
#include "t_track_util.h"

/*
 * The truth's time of laps first..last of the car in slot: their sum, or
 * -1 when the truth does not time every one of them.
 */
static double
truth_time(const cJSON *race, double slot, int first, int last)
{
	const cJSON	*c, *l;
	double		 sum = 0;
	int		 n = 0;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(race, "cars")) {
		if (jnum(c, "slot") != slot)
			continue;
		cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(c, "laps")) {
			if (jnum(l, "lap") < first || jnum(l, "lap") > last)
				continue;
			if (!(jnum(l, "time") > 0))
				return -1;
			sum += jnum(l, "time");
			n++;
		}
		return n == last - first + 1 ? sum : -1;
	}
	return -1;
}

static void
race(const char *name, const char *file, const char *truthfile)
{
	char		 id[64], url[256];
	struct resp	 r;
	cJSON		*truth = NULL, *sess = NULL;
	const cJSON	*tr, *el;
	int		 cars = 0, sums = 1, spans = 1, times = 1, one = 1, timed = 0, rc;
	double		 worst = 0;

	if ((rc = rec_load(&h.db, h.dir, name, file, NULL, NULL)) < 0) {
		rec_skip(name, 5);
		return;
	}
	if (rc == 0 || (truth = truth_load(truthfile)) == NULL) {
		ok(0, "%s: the recording goes through the worker", name);
		return;
	}
	resp_init(&r);
	tr = truth_race(truth);
	sess = get_race(&r, id, sizeof(id));
	cJSON_ArrayForEach(el, cJSON_GetObjectItemCaseSensitive(sess, "results")) {
		cJSON		*o;
		const cJSON	*d, *s;
		double		 all = 0, want, start = -1, end = -1;
		int		 first = 0, last = 0;

		snprintf(url, sizeof(url), "/api/v1/sessions/%s/cars/%.0f", id, jnum(el, "car"));
		if ((o = get_json(&r, url, NULL)) == NULL)
			continue;
		cars++;
		cJSON_ArrayForEach(d, jget(o, "drive_time.drivers")) {
			double sum = 0;
			int n = 0;
			cJSON_ArrayForEach(s, jget(o, "drive_time.stints"))
				if (strcmp(jstr(s, "driver"), jstr(d, "name")) == 0) {
					sum += jnum(s, "duration");
					n++;
				}
			/* each figure is rounded to the millisecond in the JSON */
			if (fabs(sum - jnum(d, "total")) > 0.0005 * (n + 1)) {
				diag("%s car %.0f %s: total %.3f, stints %.3f", name, jnum(el, "car"),
				    jstr(d, "name"), jnum(d, "total"), sum);
				sums = 0;
			}
			all += jnum(d, "total");
		}
		if (jsize(o, "drive_time.drivers") != 1)
			one = 0;
		cJSON_ArrayForEach(s, jget(o, "drive_time.stints")) {
			if (first == 0 || jnum(s, "first_lap") < first)
				first = (int)jnum(s, "first_lap");
			if (jnum(s, "last_lap") > last)
				last = (int)jnum(s, "last_lap");
			if (start < 0 || jnum(s, "start") < start)
				start = jnum(s, "start");
			end = fmax(end, jnum(s, "end"));
		}
		if (fabs(all - (end - start)) > 0.01) {
			diag("%s car %.0f: driven %.3f s from %.3f to %.3f", name, jnum(el, "car"), all,
			    start, end);
			spans = 0;
		}
		if ((want = truth_time(tr, jnum(el, "slot"), first, last)) >= 0) {
			timed++;
			if (fabs(all - want) > 0.1) {
				diag("%s car %.0f: driven %.3f s over laps %d-%d, the truth's laps "
				    "%.3f s", name, jnum(el, "car"), all, first, last, want);
				times = 0;
			}
			worst = fmax(worst, fabs(all - want));
		}
		cJSON_Delete(o);
	}
	diag("%s: %d cars, %d timed throughout in the truth; the largest difference %.3f s", name,
	    cars, timed, worst);
	ok(cars > 0 && cars == jsize(sess, "results"), "%s: every car of the race has its drive time",
	    name);
	ok(sums, "%s: each driver's total is the sum of their stints", name);
	ok(one, "%s: one driver per car, as in the recording", name);
	ok(spans, "%s: a car's driving time spans its laps once, without gaps", name);
	ok(timed > 0 && times, "%s: within 0.1 s of what the truth's laps add up to", name);
	cJSON_Delete(sess);
	cJSON_Delete(truth);
	resp_free(&r);
}

int
main(void)
{
	hist_open();
	race("sebring", "sebring-school-race-A.jsonl.gz",
	    "sebring-school-race.truth.json");
	race("monza", "monza-weekend.jsonl.gz", "monza-weekend.truth.json");
	hctx_close(&h);
	return tap_done();
}
