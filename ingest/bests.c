/*
 * Bests (spec/tracking.md §6): per class, per car and per driver in a car,
 * the best lap and best S1, S2, S3 (values > 0), updated on each new or
 * filled lap. Sector bests go to the driver who drove the sector (on a swap
 * lap, the lap's sector drivers); the lap best to the driver of the lap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "track.h"

const char *const best_scope_names[BEST__MAX] = { "class", "car", "driver" };
const char *const best_kind_names[BK__MAX] = { "lap", "s1", "s2", "s3" };

/* The bests of class cls in s, created when create is set; NULL when absent or out of memory. */
struct tclass_best *
bests_class(struct tsession *s, const char *cls, int create)
{
	struct tclass_best *nb;

	for (size_t i = 0; i < s->ncbest; i++)
		if (strcmp(s->cbest[i].cls, cls) == 0)
			return &s->cbest[i];
	if (!create || (nb = realloc(s->cbest, (s->ncbest + 1) * sizeof(*nb))) == NULL)
		return NULL;
	s->cbest = nb;
	nb = &s->cbest[s->ncbest++];
	memset(nb, 0, sizeof(*nb));
	snprintf(nb->cls, sizeof(nb->cls), "%s", cls);
	return nb;
}

/* The driver name of car c, created when create is set; NULL when absent or out of memory. */
struct tdriver *
bests_driver(struct tcar *c, const char *name, int create)
{
	struct tdriver *nd;

	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < c->ndrivers; i++)
		if (strcmp(c->drivers[i].name, name) == 0)
			return &c->drivers[i];
	if (!create || (nd = realloc(c->drivers, (c->ndrivers + 1) * sizeof(*nd))) == NULL)
		return NULL;
	c->drivers = nd;
	nd = &c->drivers[c->ndrivers++];
	memset(nd, 0, sizeof(*nd));
	snprintf(nd->name, sizeof(nd->name), "%s", name);
	return nd;
}

/* Sets *b when v improves it; emits CH_BEST. Returns 1 when improved, 0, or -1. */
static int
bests_offer(struct track *t, struct tsession *s, struct tcar *c, struct tbest *b,
    enum best_scope scope, enum best_kind kind, double v, int lap, const char *driver)
{
	struct change *ch;

	if (v <= 0 || (b->time > 0 && b->time <= v))
		return 0;
	b->time = v;
	b->lap = lap;
	b->car = c;
	snprintf(b->driver, sizeof(b->driver), "%s", driver ? driver : "");
	if ((ch = track_emit_ch(t, CH_BEST, s, c)) == NULL)
		return -1;
	ch->best = *b;
	ch->scope = scope;
	ch->kind = kind;
	return 1;
}

/* Offers lap l of car c to the class, car and driver bests. Returns 1 or -1 (out of memory). */
int
bests_lap(struct track *t, struct tsession *s, struct tcar *c, const struct tlap *l)
{
	struct tclass_best	*cb = bests_class(s, c->cls, 1);
	double			 v[BK__MAX];

	if (cb == NULL)
		return -1;

	v[BK_LAP] = l->valid ? l->time : -1;
	v[BK_S1] = l->s1;
	v[BK_S2] = l->s2;
	v[BK_S3] = l->s3;
	for (int k = 0; k < BK__MAX; k++) {
		const char	*who = k == BK_LAP || l->s_driver[k - 1] == NULL ? l->driver :
		    l->s_driver[k - 1];
		struct tdriver	*d = who[0] ? bests_driver(c, who, 1) : NULL;

		if (who[0] && d == NULL)
			return -1;
		if (v[k] <= 0)
			continue;
		if (bests_offer(t, s, c, &cb->best[k], BEST_CLASS, k, v[k], l->lap, who) < 0 ||
		    bests_offer(t, s, c, &c->best_car[k], BEST_CAR, k, v[k], l->lap, who) < 0 ||
		    (d != NULL && bests_offer(t, s, c, &d->best[k], BEST_DRIVER, k, v[k], l->lap,
		    who) < 0))
			return -1;
	}
	return 1;
}
