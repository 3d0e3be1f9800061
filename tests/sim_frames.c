/*
 * The simulated weekend of trackside-fakegame in process (sim_frames.h):
 * every poll asks what trackside-client would ask (lmu_plan) and gets what
 * the fake game would answer (sim_render), one second of game time apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakegame.h"
#include "sim_frames.h"

struct sim_frames {
	struct sim	*sim;
	struct view	 view;
	struct lmu_sched sched;
	struct buf	 bodies[EP__MAX];
	double		 t;
};

/*
 * Starts a weekend. Returns 1 with *out (sim_frames_free() releases it),
 * 0 with a message in err for bad options, -1 when memory runs out.
 */
int
sim_frames_new(struct sim_frames **out, const struct sim_frames_opts *o, struct buf *err)
{
	struct sim_frames	*f;
	struct sim_opts		 so;
	int			 rc;

	*out = NULL;
	memset(&so, 0, sizeof(so));
	so.race.cars = o->cars;
	snprintf(so.race.classes, sizeof(so.race.classes), "%s", o->classes ? o->classes : "");
	snprintf(so.race.sessions, sizeof(so.race.sessions), "%s", o->sessions);
	so.race.minutes[0] = 10;
	so.race.minutes[1] = o->qualify_min;
	so.race.minutes[2] = o->race_min;
	so.race.seed = o->seed;
	so.online = 1;
	so.race.track_m = 5200;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	if ((rc = sim_new(&f->sim, &so, err)) <= 0) {
		free(f);
		return rc;
	}
	f->view.slot = o->slot;
	f->view.join_at = 0;
	f->view.leave_at = 1;
	*out = f;
	return 1;
}

/*
 * The next poll, one second of game time after the last: its time in *t and
 * its responses object (path -> body, null for a failed request) in
 * responses. Returns 1, or 0 once the weekend is over.
 */
int
sim_frames_next(struct sim_frames *f, double *t, struct buf *responses)
{
	struct poll_summary	 sum;
	unsigned		 asked;
	int			 ok[EP__MAX];

	if (sim_progress(f->sim) >= 1)
		return 0;
	f->t += 1.0;
	sim_advance(f->sim, f->t);
	asked = lmu_plan(&f->sched, f->t, 0);
	for (int e = 0; e < EP__MAX; e++) {
		buf_reset(&f->bodies[e]);
		ok[e] = (asked & (1u << e)) && sim_render(f->sim, e, &f->view, &f->bodies[e]) == 200;
	}
	if (lmu_responses(responses, asked, f->bodies, ok) < 0)
		return 0;
	if (guard_summarize(responses->p, responses->len, &sum) > 0) {
		lmu_observe(&f->sched, f->t, asked, ok, &sum);
		guard_summary_free(&sum);
	}
	*t = f->t;
	return 1;
}

void
sim_frames_free(struct sim_frames *f)
{
	if (f == NULL)
		return;
	sim_free(f->sim);
	lmu_sched_free(&f->sched);
	for (int e = 0; e < EP__MAX; e++)
		buf_free(&f->bodies[e]);
	free(f);
}
