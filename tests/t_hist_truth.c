/*
 * The recorded weekends of ../shared/data/recordings, run through the worker
 * into a database, then read through the history pages' JSON: the finished
 * race's results must have the truth file's final order and lap counts, and
 * /api/v1/best-laps each driver's best valid lap with the right car.
 */
#include <math.h>

#include "hist.h"
#include "t_track_util.h"

/* The highest lap number of a truth car. */
static int
truth_laps(const cJSON *car)
{
	const cJSON	*l;
	int		 n = 0;

	cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(car, "laps"))
		if (jnum(l, "lap") > n)
			n = (int)jnum(l, "lap");
	return n;
}

static void
weekend(const char *name, const char *file, const char *truthfile)
{
	char		 id[64];
	struct resp	 r;
	cJSON		*truth, *race = NULL, *best = NULL;
	const cJSON	*tr, *el, *c;
	int		 order_ok = 1, laps_ok = 1, n = 0, best_ok = 1, nbest = 0, rc;

	if ((rc = rec_load(&h.db, h.dir, name, file, NULL, NULL)) < 0) {
		rec_skip(name, 3);
		return;
	}
	if (rc == 0 || (truth = truth_load(truthfile)) == NULL) {
		ok(0, "%s: the recording goes through the worker", name);
		return;
	}
	resp_init(&r);
	tr = truth_race(truth);
	race = get_race(&r, id, sizeof(id));
	/* results in truth order: the car at position i has final_position i */
	cJSON_ArrayForEach(el, cJSON_GetObjectItemCaseSensitive(race, "results")) {
		n++;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(tr, "cars"))
			if (jnum(c, "slot") == jnum(el, "slot"))
				break;
		if (c == NULL || jnum(c, "final_position") != jnum(el, "position")) {
			if (order_ok)
				diag("%s: P%.0f is slot %.0f, the truth has it P%.0f", name,
				    jnum(el, "position"), jnum(el, "slot"), c ? jnum(c, "final_position") : -1);
			order_ok = 0;
		}
		if (c == NULL || truth_laps(c) != (int)jnum(el, "laps")) {
			if (laps_ok)
				diag("%s: slot %.0f has %.0f laps, the truth %d", name, jnum(el, "slot"),
				    jnum(el, "laps"), c ? truth_laps(c) : -1);
			laps_ok = 0;
		}
	}
	ok(tr != NULL && n == cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tr, "cars")) &&
	    order_ok, "%s: the race results have the truth's final order", name);
	ok(n > 0 && laps_ok, "%s: the race results have the truth's lap counts", name);

	/* best laps at the track: each driver's best valid lap in the truth, with its car */
	char *q = NULL;
	const cJSON *tt = cJSON_GetObjectItemCaseSensitive(tr, "track");
	struct buf qb = { 0 };
	buf_puts(&qb, "track=");
	esc_url(&qb, tt->valuestring, strlen(tt->valuestring));
	q = qb.p;
	best = get_json(&r, "/api/v1/best-laps", q);
	const cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(truth, "sessions"))
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(s, "cars")) {
			const cJSON *l;
			cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(c, "laps")) {
				const cJSON *d = cJSON_GetObjectItemCaseSensitive(l, "driver");
				if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "valid")) ||
				    jnum(l, "time") <= 0 || !cJSON_IsString(d))
					continue;
				/* the truth's best of this driver in this car over the weekend */
				double tb = jnum(l, "time");
				const cJSON *s2, *c2, *l2;
				cJSON_ArrayForEach(s2, cJSON_GetObjectItemCaseSensitive(truth, "sessions"))
					cJSON_ArrayForEach(c2, cJSON_GetObjectItemCaseSensitive(s2, "cars")) {
						if (strcmp(cJSON_GetObjectItemCaseSensitive(c2, "veh")->valuestring,
						    cJSON_GetObjectItemCaseSensitive(c, "veh")->valuestring) != 0)
							continue;
						cJSON_ArrayForEach(l2, cJSON_GetObjectItemCaseSensitive(c2, "laps")) {
							const cJSON *d2 = cJSON_GetObjectItemCaseSensitive(l2, "driver");
							if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l2, "valid")) &&
							    jnum(l2, "time") > 0 && cJSON_IsString(d2) &&
							    strcmp(d2->valuestring, d->valuestring) == 0 &&
							    jnum(l2, "time") < tb)
								tb = jnum(l2, "time");
						}
					}
				if (tb != jnum(l, "time"))
					continue;	/* checked at the driver's best lap only */
				const cJSON *b = NULL;
				cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(best, "laps")) {
					const cJSON *bd = cJSON_GetObjectItemCaseSensitive(b, "driver");
					const cJSON *bv = cJSON_GetObjectItemCaseSensitive(b, "veh");
					if (cJSON_IsString(bd) && cJSON_IsString(bv) &&
					    strcmp(bd->valuestring, d->valuestring) == 0 &&
					    strcmp(bv->valuestring,
					    cJSON_GetObjectItemCaseSensitive(c, "veh")->valuestring) == 0)
						break;
				}
				nbest++;
				if (b == NULL || fabs(jnum(b, "time") - tb) > 0.0005) {
					if (best_ok)
						diag("%s: %s in %s: best %.3f, the truth %.3f", name, d->valuestring,
						    cJSON_GetObjectItemCaseSensitive(c, "veh")->valuestring,
						    b ? jnum(b, "time") : -1, tb);
					best_ok = 0;
				}
			}
		}
	ok(nbest > 0 && best_ok, "%s: best laps show each driver's best with the right car", name);
	buf_free(&qb);
	cJSON_Delete(best);
	cJSON_Delete(race);
	cJSON_Delete(truth);
	resp_free(&r);
}

int
main(void)
{
	hist_open();
	tap_plan(6);
	weekend("monza", "monza-weekend.jsonl.gz", "monza-weekend.truth.json");
	weekend("sebring", "sebring-school-weekend.jsonl.gz", "sebring-school-weekend.truth.json");
	hctx_close(&h);
	return tap_done();
}
