/*
 * Numbers checked against each other: the fake game's weekend (in process,
 * tests/sim_frames.c) and every recording of ../shared/data/recordings run
 * through the tracker (the LMU source, track_frame), and after every frame the
 * order it keeps must add up: an interval is the difference of two gaps on
 * one lap, class positions count 1, 2, 3 in each class and class gaps
 * are gaps to the class's first car, laps behind grow down the order and
 * match the laps completed; at the end every stop's lane time is exit -
 * entry with the stop inside it, and no stop comes before the start.
 * Prints the rows checked and the rows where the game's own figures
 * disagreed with its positions (and were corrected) as TAP comments.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tap.h"
#include "source.h"
#include "track.h"
#include "t_track_util.h"
#include "sim_frames.h"

#define EPS	0.002	/* s: rounding of the figures compared */

struct figures {
	long long	 frames, rows;
	long long	 bad_interval, bad_class_pos, bad_class_gap, bad_laps, bad_gap_order;
	long long	 stops, stops_exit, race_stops, race_exit;
	long long	 bad_lane, before_start, lap1, no_compound;
	long long	 logged;
	double		 green_et;	/* ET of the first green frame of the race */
	char		 race_id[TRACK_ID_LEN + 1];
	char		 first_bad[256];
};

static void
bad(struct figures *f, long long *counter, const struct tsession *s, const struct tcar *c,
    const char *what)
{
	(*counter)++;
	if (f->first_bad[0] == '\0')
		snprintf(f->first_bad, sizeof(f->first_bad), "%s ET %.1f car #%s P%d (%d laps, "
		    "%.0f m; gap %.3f, %d laps; interval %.3f, %d laps): %s", s->type, s->et,
		    c->number, c->position, c->laps, c->lap_dist, c->gap, c->gap_laps, c->interval,
		    c->interval_laps, what);
}

/* Whether s is a session of kind want. */
static int
is_kind(const struct tsession *s, enum session_kind want)
{
	enum session_kind	 kind;
	int			 n;

	return session_type_parse(s->type, &kind, &n) == 0 && kind == want;
}

/* The order of session s after a frame: every rule of the header. */
static void
check_order(struct figures *f, const struct tsession *s)
{
	struct tcar	*v[256];
	size_t		 n = 0;
	int		 race = is_kind(s, SK_RACE);

	for (size_t i = 0; i < s->ncars && n < 256; i++)
		if (s->cars[i]->present && s->cars[i]->position > 0)
			v[n++] = s->cars[i];
	qsort(v, n, sizeof(v[0]), order_cmp);
	f->rows += (long long)n;
	for (size_t i = 0; i < n; i++) {
		const struct tcar *c = v[i], *ahead = i > 0 ? v[i - 1] : NULL, *cl = NULL;
		int cp = 0;
		for (size_t j = 0; j <= i; j++)
			if (strcmp(v[j]->cls, c->cls) == 0) {
				if (cl == NULL)
					cl = v[j];
				cp++;
			}
		if (c->class_position != cp)
			bad(f, &f->bad_class_pos, s, c, "class position");
		if (c->gap >= 0 && cl->gap >= 0 && c->class_gap_laps == 0 &&
		    fabs(c->class_gap - (c->gap - cl->gap)) > EPS)
			bad(f, &f->bad_class_gap, s, c, "class gap is not the gap to the class's first car");
		if (ahead == NULL)
			continue;
		if (race) {
			/* a retired car's laps say nothing of where it stands */
			int d = c->finish == FIN_DNF || c->finish == FIN_DQ ? c->gap_laps :
			    v[0]->laps - c->laps;
			if (c->interval_laps == 0 && c->gap >= 0 && ahead->gap >= 0 &&
			    fabs(c->interval - (c->gap - ahead->gap)) > EPS)
				bad(f, &f->bad_interval, s, c, "interval is not the gap difference");
			if (c->interval_laps == 0 && c->interval < -EPS)
				bad(f, &f->bad_gap_order, s, c, "negative interval on one lap");
			if (c->gap_laps < ahead->gap_laps || d < c->gap_laps || d > c->gap_laps + 1)
				bad(f, &f->bad_laps, s, c, "laps behind against laps completed");
			if (c->interval_laps > c->gap_laps)
				bad(f, &f->bad_laps, s, c, "more laps behind the car ahead than the leader");
		} else {
			if (c->best > 0 && v[0]->best > 0 && fabs(c->gap - (c->best - v[0]->best)) > EPS)
				bad(f, &f->bad_interval, s, c, "gap is not the best lap difference");
			if (c->best > 0 && ahead->best > 0 &&
			    fabs(c->interval - (c->best - ahead->best)) > EPS)
				bad(f, &f->bad_interval, s, c, "interval is not the best lap difference");
		}
	}
}

/* The pit visits of every car of every session once the feed is over. */
static void
check_pits(struct figures *f, struct track *t, int want_all)
{
	for (size_t k = 0; k < t->nsess; k++) {
		const struct tsession *s = t->sess[k];
		int race = is_kind(s, SK_RACE);
		if (s->gone)
			continue;
		for (size_t i = 0; i < s->ncars; i++) {
			const struct tcar *c = s->cars[i];
			/* a car that retired into the garage made no stop */
			int stop = race && c->finish != FIN_DNF && c->finish != FIN_DQ;
			f->logged += __builtin_popcount(c->order_logged);
			for (size_t j = 0; j < c->npits; j++) {
				const struct tpit *p = &c->pits[j];
				double entry = p->pit_time >= 0 ? p->pit_time : p->stop_time;
				if (p->garage || p->open)
					continue;
				f->stops++;
				if (race && f->green_et >= 0 && strcmp(s->id, f->race_id) == 0 &&
				    entry >= 0 && entry < f->green_et)
					bad(f, &f->before_start, s, c, "a stop before the start");
				if (race && p->lap <= 1)
					bad(f, &f->lap1, s, c, "a stop on lap 1");
				/* a drive-through (a penalty) passes the lane without stopping */
				if (stop && want_all && p->stop_time >= 0 && p->tyres[0] == '\0')
					bad(f, &f->no_compound, s, c, "a stop without a tyre compound");
				f->race_stops += stop;
				if (p->exit_time < 0 || p->pit_time < 0)
					continue;
				f->stops_exit++;
				f->race_exit += stop;
				/* lane time = exit - entry, the stop inside it */
				if (p->exit_time - p->pit_time <= 0 ||
				    (p->stop_time >= 0 && (p->stop_time < p->pit_time ||
				    p->stop_time > p->exit_time)) ||
				    (p->release_time >= 0 && (p->release_time < p->stop_time ||
				    p->release_time > p->exit_time)))
					bad(f, &f->bad_lane, s, c, "stop times out of order in the lane");
			}
		}
	}
}

/* Applies one poll's responses object to the tracker (and the client's state) at wall time at. */
static int
feed(struct track *t, void *st, struct obs *o, const char *resp, size_t len, double at,
    long long seq, struct figures *f)
{
	struct track_in	 in;
	struct src_in	 sin = { "consistency", seq, at };
	struct tsession	*s = NULL;
	cJSON		*data = cJSON_ParseWithLength(resp, len);

	if (data == NULL)
		return 0;
	if (lmu_parse(st, &sin, data, o) < 0) {
		cJSON_Delete(data);
		return -1;
	}
	memset(&in, 0, sizeof(in));
	in.client = "consistency";
	in.seq = seq;
	in.received_at = in.captured_at = at;
	in.sim = "lmu";
	track_changes_reset(t);
	if (track_frame(t, &in, o, &s) == DROP_NONE) {
		f->frames++;
		if (is_kind(s, SK_RACE) && o->phase == PHASE_GREEN &&
		    strcmp(f->race_id, s->id) != 0) {
			snprintf(f->race_id, sizeof(f->race_id), "%s", s->id);
			f->green_et = o->et;
		}
		check_order(f, s);
	}
	cJSON_Delete(data);
	return 1;
}

static void
report(const char *name, const struct track *t, const struct figures *f)
{
	printf("# %s: %lld frames, %lld rows checked, %lld rows corrected (the game's gaps "
	    "against its positions), %lld log lines; %lld stops, %lld with entry and exit (race "
	    "%lld, %lld)\n", name, f->frames, t->c.order_rows, t->c.order_fixed, f->logged,
	    f->stops, f->stops_exit, f->race_stops, f->race_exit);
	if (f->first_bad[0])
		printf("# first problem: %s\n", f->first_bad);
}

/* The numbered checks of one feed. */
static void
verdicts(const char *name, const struct figures *f, int sim)
{
	ok(f->rows > 0 && f->bad_interval == 0 && f->bad_gap_order == 0,
	    "%s: intervals are gap differences on one lap (%lld wrong)", name,
	    f->bad_interval + f->bad_gap_order);
	ok(f->bad_class_pos == 0 && f->bad_class_gap == 0,
	    "%s: class positions and class gaps per class (%lld wrong)", name,
	    f->bad_class_pos + f->bad_class_gap);
	ok(f->bad_laps == 0, "%s: laps behind agree with positions and laps (%lld wrong)", name,
	    f->bad_laps);
	ok(f->bad_lane == 0 && f->before_start == 0,
	    "%s: lane time = exit - entry around each stop, none before the start (%lld wrong)",
	    name, f->bad_lane + f->before_start);
	if (sim)
		ok(f->race_stops > 0 && f->race_exit == f->race_stops && f->lap1 == 0 &&
		    f->no_compound == 0, "%s: every race stop has an exit and a compound, none is "
		    "on lap 1 (%lld of %lld with exit, %lld on lap 1, %lld without compound)", name,
		    f->race_exit, f->race_stops, f->lap1, f->no_compound);
}

/* Qualifying of the fake game: three timed laps or more for every car; pole near race pace. */
static void
check_qualifying(struct track *t)
{
	const struct tsession *q = NULL, *r = NULL;
	int fewest = 1 << 30;
	double pole = -1, race_best = -1;
	const char *pole_cls = "";

	for (size_t k = 0; k < t->nsess; k++) {
		if (is_kind(t->sess[k], SK_QUALIFY))
			q = t->sess[k];
		if (is_kind(t->sess[k], SK_RACE))
			r = t->sess[k];
	}
	if (q == NULL || r == NULL) {
		ok(0, "the fake game had a qualifying and a race");
		return;
	}
	for (size_t i = 0; i < q->ncars; i++) {
		const struct tcar *c = q->cars[i];
		int timed = 0;
		for (int l = 0; l < c->max_lap; l++)
			timed += c->laps_v[l].known && c->laps_v[l].valid && c->laps_v[l].time > 0;
		if (timed < fewest)
			fewest = timed;
		if (c->best > 0 && (pole < 0 || c->best < pole)) {
			pole = c->best;
			pole_cls = c->cls;
		}
	}
	for (size_t i = 0; i < r->ncars; i++)
		for (int l = 0; l < r->cars[i]->max_lap; l++) {
			const struct tlap *lp = &r->cars[i]->laps_v[l];
			if (strcmp(r->cars[i]->cls, pole_cls) == 0 && lp->known && lp->valid &&
			    lp->time > 0 && !lp->pit && (race_best < 0 || lp->time < race_best))
				race_best = lp->time;
		}
	printf("# qualifying: %zu cars, fewest timed laps %d; pole %.3f, best race lap of its "
	    "class %.3f\n", q->ncars, fewest, pole, race_best);
	ok(fewest >= 3, "every car sets three timed laps or more in qualifying (fewest %d)", fewest);
	ok(pole > 0 && race_best > 0 && pole < race_best * 1.03 && pole > race_best * 0.95,
	    "pole (%.3f) is a timed lap near race pace (%.3f)", pole, race_best);
}

/* The fake game's weekend, qualifying and race, seen by a spectator. */
static void
run_sim(void)
{
	struct sim_frames_opts	 so = { "Q,R", "Hyper:5,LMP2:3,GT3:8", 10, 25, 16, 11, -1 };
	struct sim_frames	*sf;
	struct figures		 f;
	struct track		 t;
	struct obs		 o;
	void			*st = lmu_state_new();
	struct buf		 resp = { 0 }, err = { 0 };
	long long		 seq = 0;
	double			 at;

	memset(&f, 0, sizeof(f));
	memset(&o, 0, sizeof(o));
	f.green_et = -1;
	track_init(&t);
	if (sim_frames_new(&sf, &so, &err) <= 0) {
		ok(0, "the fake game starts: %s", err.p ? err.p : "out of memory");
		return;
	}
	while (sim_frames_next(sf, &at, &resp))
		if (feed(&t, st, &o, resp.p, resp.len, 1.8e9 + at, ++seq, &f) < 0)
			break;
	check_pits(&f, &t, 1);
	report("fake game", &t, &f);
	verdicts("fake game", &f, 1);
	check_qualifying(&t);
	ok(t.c.order_fixed == 0, "the fake game's own gaps agree with its positions (%lld rows "
	    "disagree)", t.c.order_fixed);
	sim_frames_free(sf);
	track_free(&t);
	obs_free(&o);
	lmu_state_free(st);
	buf_free(&resp);
	buf_free(&err);
}

/* One recording, alone, as one client. Returns 1, or 0 when it cannot be read. */
static int
run_recording(const char *file)
{
	struct rec_reader	 r;
	struct figures		 f;
	struct track		 t;
	struct obs		 o;
	void			*st;
	char			 path[4096];
	long long		 seq = 0;

	snprintf(path, sizeof(path), "%s/%s", data_dir(), file);
	if (!rec_open(&r, path))
		return 0;
	memset(&f, 0, sizeof(f));
	memset(&o, 0, sizeof(o));
	f.green_et = -1;
	track_init(&t);
	if ((st = lmu_state_new()) == NULL)
		abort();
	while (rec_next(&r))
		if (feed(&t, st, &o, r.responses, r.rlen, r.created + r.t, ++seq, &f) < 0)
			break;
	check_pits(&f, &t, 0);
	report(file, &t, &f);
	verdicts(file, &f, 0);
	rec_close(&r);
	track_free(&t);
	obs_free(&o);
	lmu_state_free(st);
	return 1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	DIR		*d;
	struct dirent	*e;
	char		*files[64];
	int		 n = 0;

	/* the log says why once per car; keep it out of the TAP stream */
	log_init("t_consistency", 1, getenv("T_DEBUG") ? LOG_LVL_INFO : LOG_LVL_WARN);
	if ((d = opendir(data_dir())) != NULL) {
		while ((e = readdir(d)) != NULL && n < 64) {
			size_t len = strlen(e->d_name);
			if (len > 9 && strcmp(e->d_name + len - 9, ".jsonl.gz") == 0)
				files[n++] = strdup(e->d_name);
		}
		closedir(d);
		qsort(files, (size_t)n, sizeof(files[0]), cmp_str);
	}
	tap_plan(8 + (n > 0 ? 4 * n : 1));
	run_sim();
	for (int i = 0; i < n; i++) {
		if (!run_recording(files[i]))
			for (int k = 0; k < 4; k++)
				skip("%s cannot be read", files[i]);
		free(files[i]);
	}
	if (n == 0)
		skip("no recordings in %s", data_dir());
	return tap_done();
}
