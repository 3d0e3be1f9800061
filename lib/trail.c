/*
 * A trail: where something was, progress (laps and the fraction of the lap
 * in progress) over time, kept for the last TRAIL_MAX samples. The gap
 * between two cars is the time since the car ahead passed the point where
 * the other one is now: the simulated game (fakegame/race.c) and the ingest
 * worker (ingest/order.c) both measure gaps that way.
 */
#include "trackside.h"

/*
 * Adds the sample (progress p at time t). A trail only moves forward: a
 * sample behind the last is ignored, and one that goes back in time or by
 * more than half a lap starts the trail over (a restart, or the green flag
 * after a formation lap). Standing still (a pit stop) keeps two samples,
 * arrival and the latest, so the point is passed when the car moves on.
 */
void
trail_add(struct trail *tr, double p, double t)
{
	int last = (tr->head + tr->n - 1) % TRAIL_MAX;
	int prev = (tr->head + tr->n - 2 + TRAIL_MAX) % TRAIL_MAX;

	if (tr->n > 0 && (t < tr->t[last] || p < tr->p[last] - 0.5))
		tr->n = tr->head = 0;
	if (tr->n > 0 && p < tr->p[last])
		return;
	if (tr->n > 1 && p == tr->p[last] && p == tr->p[prev]) {
		tr->t[last] = t;
		return;
	}
	if (tr->n == TRAIL_MAX) {
		tr->head = (tr->head + 1) % TRAIL_MAX;
		tr->n--;
	}
	last = (tr->head + tr->n) % TRAIL_MAX;
	tr->p[last] = p;
	tr->t[last] = t;
	tr->n++;
}

/*
 * The time at which the trail passed progress p, interpolated between its
 * samples; beyond the last sample, between it and (now_p, now), where the
 * trail's owner is now. Returns -1 when the trail does not reach back to p.
 */
double
trail_at(const struct trail *tr, double p, double now_p, double now)
{
	int lo = 0, hi = tr->n - 1;
#define TR(k) ((tr->head + (k)) % TRAIL_MAX)

	if (tr->n == 0 || p < tr->p[TR(0)])
		return -1;
	if (p >= tr->p[TR(hi)]) {
		double p0 = tr->p[TR(hi)], t0 = tr->t[TR(hi)];
		if (now_p <= p0 || p > now_p)
			return p == p0 ? t0 : -1;
		return t0 + (now - t0) * (p - p0) / (now_p - p0);
	}
	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;
		if (tr->p[TR(mid)] <= p)
			lo = mid;
		else
			hi = mid;
	}
	return tr->t[TR(lo)] + (tr->t[TR(hi)] - tr->t[TR(lo)]) * (p - tr->p[TR(lo)]) /
	    (tr->p[TR(hi)] - tr->p[TR(lo)]);
#undef TR
}
