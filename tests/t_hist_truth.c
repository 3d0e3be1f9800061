/*
 * The recorded weekends of ../shared/data/recordings, run through the worker
 * into a database, then read through the history pages' JSON: the finished
 * race's results must have the truth file's final order and lap counts, and
 * /api/v1/best-laps each driver's best valid lap with the right car.
 */
#include <math.h>
#include <unistd.h>

#include "hist.h"
#include "ingest.h"
#include "source.h"
#include "db.h"
#include "t_track_util.h"

/* Builds the database of one recording at path db. Returns 1 or 0. */
static int
build(const char *file, const char *db)
{
	struct rec_reader	 r;
	struct worker		 w;
	struct buf		 err = { 0 }, rec = { 0 };
	char			 path[4096];
	long long		 seq = 0;

	snprintf(path, sizeof(path), "%s/%s", data_dir(), file);
	if (!rec_open(&r, path) || !worker_open(&w, db, "/nonexistent", &err)) {
		diag("%s: %s", path, err.p ? err.p : "cannot read");
		return 0;
	}
	db_exec(w.db, "BEGIN", NULL);
	while (rec_next(&r)) {
		double at = r.created + r.t;
		rec_frame(&rec, "weekend", ++seq, at, r.responses, r.rlen);
		if (worker_apply(&w, rec.p, rec.len, "weekend", seq, 1) < 0) {
			diag("worker_apply: %s", sqlite3_errmsg(w.db));
			return 0;
		}
		ingest_tick(w.ing, at);
		if (seq % 500 == 0) {
			db_exec(w.db, "COMMIT", NULL);
			db_exec(w.db, "BEGIN", NULL);
		}
	}
	db_exec(w.db, "COMMIT", NULL);
	/* the end of the recording: every session has gone quiet */
	db_exec(w.db, "BEGIN", NULL);
	ingest_tick(w.ing, r.created + r.t + 3600);
	db_exec(w.db, "COMMIT", NULL);
	worker_close(&w);
	rec_close(&r);
	buf_free(&rec);
	buf_free(&err);
	return 1;
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* The truth's race session, or NULL. */
static const cJSON *
truth_race(const cJSON *truth)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(truth, "sessions")) {
		const cJSON		*t = cJSON_GetObjectItemCaseSensitive(s, "type");
		enum session_kind	 kind;
		int			 n;
		/* The truth speaks the game's words ("RACE1"). */
		if (cJSON_IsString(t) && lmu_session_type(t->valuestring, &kind, &n) &&
		    kind == SK_RACE)
			return s;
	}
	return NULL;
}

/* The highest lap number of a truth car. */
static int
truth_laps(const cJSON *car)
{
	const cJSON	*l;
	int		 n = 0;

	cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(car, "laps"))
		if (num(l, "lap") > n)
			n = (int)num(l, "lap");
	return n;
}

static void
weekend(const char *name, const char *file, const char *truthfile)
{
	char		 db[256], path[4096], url[256];
	struct buf	 text = { 0 }, err = { 0 };
	struct resp	 r;
	cJSON		*truth, *list = NULL, *race = NULL, *best = NULL;
	const cJSON	*tr, *el, *c;
	int		 order_ok = 1, laps_ok = 1, n = 0, best_ok = 1, nbest = 0;

	snprintf(db, sizeof(db), "%s/%s.db", h.dir, name);
	snprintf(path, sizeof(path), "%s/%s", data_dir(), truthfile);
	if (access(path, R_OK) != 0) {
		skip_data("%s: no recordings in %s", name, data_dir());
		skip_data("%s: no recordings", name);
		skip_data("%s: no recordings", name);
		return;
	}
	if (!build(file, db) || file_read(path, 16u << 20, &text) <= 0 ||
	    (truth = cJSON_ParseWithLength(text.p, text.len)) == NULL) {
		ok(0, "%s: the recording goes through the worker", name);
		return;
	}
	db_close(h.db);
	if (!db_open(&h.db, db, DB_RO, &err)) {
		ok(0, "%s: %s", name, err.p);
		return;
	}
	resp_init(&r);
	tr = truth_race(truth);
	list = get_json(&r, "/api/v1/sessions", "type=RACE");
	const char *id = jstr(list, "sessions.0.id");
	if (id != NULL) {
		snprintf(url, sizeof(url), "/api/v1/sessions/%s", id);
		race = get_json(&r, url, NULL);
	}
	/* results in truth order: the car at position i has final_position i */
	cJSON_ArrayForEach(el, cJSON_GetObjectItemCaseSensitive(race, "results")) {
		n++;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(tr, "cars"))
			if (num(c, "slot") == num(el, "slot"))
				break;
		if (c == NULL || num(c, "final_position") != num(el, "position")) {
			if (order_ok)
				diag("%s: P%.0f is slot %.0f, the truth has it P%.0f", name,
				    num(el, "position"), num(el, "slot"), c ? num(c, "final_position") : -1);
			order_ok = 0;
		}
		if (c == NULL || truth_laps(c) != (int)num(el, "laps")) {
			if (laps_ok)
				diag("%s: slot %.0f has %.0f laps, the truth %d", name, num(el, "slot"),
				    num(el, "laps"), c ? truth_laps(c) : -1);
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
				    num(l, "time") <= 0 || !cJSON_IsString(d))
					continue;
				/* the truth's best of this driver in this car over the weekend */
				double tb = num(l, "time");
				const cJSON *s2, *c2, *l2;
				cJSON_ArrayForEach(s2, cJSON_GetObjectItemCaseSensitive(truth, "sessions"))
					cJSON_ArrayForEach(c2, cJSON_GetObjectItemCaseSensitive(s2, "cars")) {
						if (strcmp(cJSON_GetObjectItemCaseSensitive(c2, "veh")->valuestring,
						    cJSON_GetObjectItemCaseSensitive(c, "veh")->valuestring) != 0)
							continue;
						cJSON_ArrayForEach(l2, cJSON_GetObjectItemCaseSensitive(c2, "laps")) {
							const cJSON *d2 = cJSON_GetObjectItemCaseSensitive(l2, "driver");
							if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l2, "valid")) &&
							    num(l2, "time") > 0 && cJSON_IsString(d2) &&
							    strcmp(d2->valuestring, d->valuestring) == 0 &&
							    num(l2, "time") < tb)
								tb = num(l2, "time");
						}
					}
				if (tb != num(l, "time"))
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
				if (b == NULL || fabs(num(b, "time") - tb) > 0.0005) {
					if (best_ok)
						diag("%s: %s in %s: best %.3f, the truth %.3f", name, d->valuestring,
						    cJSON_GetObjectItemCaseSensitive(c, "veh")->valuestring,
						    b ? num(b, "time") : -1, tb);
					best_ok = 0;
				}
			}
		}
	ok(nbest > 0 && best_ok, "%s: best laps show each driver's best with the right car", name);
	buf_free(&qb);
	cJSON_Delete(best);
	cJSON_Delete(list);
	cJSON_Delete(race);
	cJSON_Delete(truth);
	resp_free(&r);
	buf_free(&text);
	buf_free(&err);
}

int
main(void)
{
	if (!hctx_open(&h)) {
		printf("Bail out! cannot set up\n");
		return 1;
	}
	tap_plan(6);
	weekend("monza", "monza-weekend.jsonl.gz", "monza-weekend.truth.json");
	weekend("sebring", "sebring-school-weekend.jsonl.gz", "sebring-school-weekend.truth.json");
	hctx_close(&h);
	return tap_done();
}
