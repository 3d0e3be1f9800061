/*
 * The pit state machine of one car (spec/tracking.md §5), on pitState and
 * inGarageStall over ET, fed only with the freshest observation of the car.
 *
 * A lane visit opens on ENTERING (or STOPPED/EXITING seen first) and
 * records lane entry, stop, release (EXITING) and exit (back to NONE). Its
 * lap is the lap in progress at entry; crossing the line in the lane does
 * not open another. A NONE between STOPPED and STOPPED (a driver swap blip)
 * is held for one observation before it ends the visit. EXITING that
 * outlives a line crossing ends the visit with the exit unknown. A garage
 * visit (inGarageStall) is its own record and ends a lane visit that never
 * saw its end. Strategy data confirms stops and synthesises missed ones;
 * stints are the laps between stops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "track.h"

static void
pcopy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src ? src : "");
}

/* Appends an empty visit to c. Returns it (pointer valid until the next add) or NULL. */
struct tpit *
pits_add(struct tcar *c)
{
	struct tpit *p;

	if (c->npits == c->pits_cap) {
		size_t nc = c->pits_cap ? c->pits_cap * 2 : 8;
		struct tpit *np = realloc(c->pits, nc * sizeof(*np));
		if (np == NULL)
			return NULL;
		c->pits = np;
		c->pits_cap = nc;
	}
	p = &c->pits[c->npits++];
	memset(p, 0, sizeof(*p));
	p->pit_time = p->stop_time = p->release_time = p->exit_time = -1;
	p->garage_in = p->garage_out = p->swap_time = -1;
	p->fuel = p->ve = p->duration = -1;
	p->open = 1;
	c->nlane++;	/* a garage visit takes it back */
	return p;
}

static int
pit_emit(struct track *t, struct tsession *s, struct tcar *c, enum change_type type, int idx)
{
	struct change *ch = track_emit_ch(t, type, s, c);

	if (ch == NULL)
		return -1;
	ch->n = idx;
	return 1;
}

/* Ends the open lane visit, with exit time et (<0: unknown). */
static int
lane_close(struct track *t, struct tsession *s, struct tcar *c, double et)
{
	struct tpit *p;

	if (c->sm.lane < 0)
		return 1;
	p = &c->pits[c->sm.lane];
	p->exit_time = et;
	p->open = 0;
	c->sm.lane = -1;
	c->sm.pending_exit = -1;
	c->sm.released = 0;
	return pit_emit(t, s, c, CH_PIT_UPDATE, (int)(p - c->pits));
}

static int
lane_open(struct track *t, struct tsession *s, struct tcar *c, int lap)
{
	struct tpit *p = pits_add(c);

	if (p == NULL)
		return -1;
	p->lap = lap;
	pcopy(p->driver_in, sizeof(p->driver_in), c->driver);
	c->sm.lane = (int)(p - c->pits);
	c->sm.released = 0;
	c->sm.pending_exit = -1;
	/* The lap in progress has a lane visit. */
	return pit_emit(t, s, c, CH_PIT, c->sm.lane);
}

/*
 * A driver change seen while a visit is open: the swap, its time and place.
 * Returns 1 when it recorded one, else 0.
 */
static int
pit_swap(struct tcar *c, struct tpit *p, const struct obs_car *oc, double et)
{
	if (p->swap_time >= 0 || oc->driver == NULL || c->driver[0] == '\0' ||
	    strcmp(oc->driver, c->driver) == 0)
		return 0;
	p->swap_time = et;
	p->swap_sector = oc->sector;
	pcopy(p->driver_out, sizeof(p->driver_out), c->driver);
	pcopy(p->driver_in, sizeof(p->driver_in), oc->driver);
	return 1;
}

/*
 * Feeds the car's freshest observation (at ET et) to its state machine.
 * Emits CH_PIT for a new visit and CH_PIT_UPDATE when one changes. Returns
 * 1 or -1 (out of memory).
 */
int
pits_observe(struct track *t, struct tsession *s, struct tcar *c, const struct obs_car *oc,
    double et)
{
	struct pitsm	*sm = &c->sm;
	enum pit_state	 ps = oc->pit_state;
	int		 lap = oc->laps + 1, crossed;
	struct tpit	*p;

	crossed = sm->seen && oc->laps > sm->prev_laps;
	/* Garage: its own visit; it ends a lane visit that never saw its end. */
	if (oc->in_garage) {
		if (sm->lane >= 0)
			if (lane_close(t, s, c, sm->pending_exit) < 0)
				return -1;
		if (sm->garage < 0) {
			if ((p = pits_add(c)) == NULL)
				return -1;
			p->garage = 1;
			c->nlane--;
			p->lap = lap;
			p->garage_in = et;
			pcopy(p->driver_in, sizeof(p->driver_in), c->driver[0] ? c->driver : oc->driver);
			sm->garage = (int)(p - c->pits);
			if (pit_emit(t, s, c, CH_PIT, sm->garage) < 0)
				return -1;
		} else if (pit_swap(c, &c->pits[sm->garage], oc, et) &&
		    pit_emit(t, s, c, CH_PIT_UPDATE, sm->garage) < 0)
			return -1;
		goto out;
	}
	if (sm->garage >= 0) {
		p = &c->pits[sm->garage];
		p->garage_out = et;
		p->open = 0;
		pit_swap(c, p, oc, et);
		sm->garage = -1;
		if (pit_emit(t, s, c, CH_PIT_UPDATE, (int)(p - c->pits)) < 0)
			return -1;
		/* Leaving the garage through the lane is part of the garage visit. */
		goto out;
	}
	if (sm->lane >= 0) {
		p = &c->pits[sm->lane];
		/* Written at once: the car's state holds the new driver from now on. */
		if (pit_swap(c, p, oc, et) &&
		    pit_emit(t, s, c, CH_PIT_UPDATE, sm->lane) < 0)
			return -1;
		/* Released and then over the line: the exit was not seen. */
		if (crossed && sm->released) {
			if (lane_close(t, s, c, -1) < 0)
				return -1;
			if (ps == PIT_ENTERING || ps == PIT_STOPPED)
				goto open;
			goto out;
		}
		switch (ps) {
		case PIT_NONE:
		case PIT_REQUEST:
			if (sm->pending_exit < 0 && sm->prev == PIT_STOPPED) {
				/* A blip to NONE while stopped (driver swap): wait one look. */
				sm->pending_exit = et;
				goto out;
			}
			if (lane_close(t, s, c, sm->pending_exit >= 0 ? sm->pending_exit : et) < 0)
				return -1;
			goto out;
		case PIT_ENTERING:
			sm->pending_exit = -1;
			goto out;
		case PIT_STOPPED:
			sm->pending_exit = -1;
			if (p->stop_time < 0) {
				p->stop_time = et;
				p->stop_sector = oc->sector;
				if (pit_emit(t, s, c, CH_PIT_UPDATE, sm->lane) < 0)
					return -1;
			}
			goto out;
		case PIT_EXITING:
			sm->pending_exit = -1;
			if (p->release_time < 0) {
				p->release_time = et;
				sm->released = 1;
				if (pit_emit(t, s, c, CH_PIT_UPDATE, sm->lane) < 0)
					return -1;
			}
			goto out;
		default:
			goto out;
		}
	}
open:
	/* No open visit: ENTERING or STOPPED opens one; EXITING left over does not. */
	if (ps == PIT_ENTERING || (ps == PIT_STOPPED && sm->prev != PIT_STOPPED)) {
		if (lane_open(t, s, c, lap) < 0)
			return -1;
		p = &c->pits[sm->lane];
		if (ps == PIT_ENTERING)
			p->pit_time = et;
		else {
			p->stop_time = et;
			p->stop_sector = oc->sector;
		}
	}
out:
	sm->seen = 1;
	sm->prev = ps;
	sm->prev_garage = oc->in_garage;
	sm->prev_laps = oc->laps;
	return 1;
}

/*
 * Strategy stops of c's team (race): a stop on lap L confirms the lane
 * visit of lap L (or L−1: crossing the line in the lane) and adds its
 * tyres, fuel, VE and duration; a stop with no visit is synthesised.
 * Returns 1 or -1 (out of memory).
 */
int
pits_strategy(struct track *t, struct tsession *s, struct tcar *c, const struct obs_stop *st,
    size_t n, double et)
{
	for (size_t i = 0; i < n; i++) {
		const struct obs_stop	*o = &st[i];
		struct tpit		*p = NULL;
		int			 changed = 0;

		if (o->lap <= 0)
			continue;
		/* The stop this entry already confirmed, else an unconfirmed lane visit with a stop. */
		for (size_t k = 0; k < c->npits && p == NULL; k++)
			if (c->pits[k].confirmed && c->pits[k].strategy_lap == o->lap)
				p = &c->pits[k];
		for (size_t k = 0; k < c->npits && p == NULL; k++)
			if (!c->pits[k].garage && (c->pits[k].lap == o->lap || c->pits[k].lap == o->lap - 1 ||
			    c->pits[k].lap == o->lap + 1) && c->pits[k].stop_time >= 0 &&
			    !c->pits[k].confirmed)
				p = &c->pits[k];
		if (p == NULL) {
			/* A stop nobody saw: only once the lap is over, so a live visit can claim it. */
			if (o->lap > c->max_lap)
				continue;
			if ((p = pits_add(c)) == NULL)
				return -1;
			p->lap = o->lap;
			p->synthesised = 1;
			p->open = 0;
			pcopy(p->driver_in, sizeof(p->driver_in), o->driver);
			changed = 2;
		}
		if (!p->confirmed) {
			char tyres[sizeof(p->tyres)];
			tyres[0] = '\0';
			for (int w = 0; w < TYRE_N; w++) {
				size_t l = strlen(tyres);
				snprintf(tyres + l, sizeof(tyres) - l, "%.1s", o->compound[w]);
			}
			p->confirmed = 1;
			p->strategy_lap = o->lap;
			pcopy(p->tyres, sizeof(p->tyres), tyres);
			p->tyres_changed = o->changed;
			p->fuel = o->fuel;
			p->ve = o->ve;
			p->duration = o->duration;
			p->penalty = o->penalty;
			if (o->swap && o->driver && p->driver_in[0] && strcmp(p->driver_in, o->driver) != 0)
				pcopy(p->driver_out, sizeof(p->driver_out), p->driver_in);
			if (o->driver)
				pcopy(p->driver_in, sizeof(p->driver_in), o->driver);
			if (!changed)
				changed = 1;
		}
		if (changed &&
		    pit_emit(t, s, c, changed == 2 ? CH_PIT : CH_PIT_UPDATE, (int)(p - c->pits)) < 0)
			return -1;
	}
	(void)et;
	return 1;
}

/*
 * Stints after lap l of c: a stint is the laps between stops (a lane visit
 * with a stop, or a garage visit) or driver changes; it carries the driver,
 * tyre compound and laps on the tyres. Emits CH_STINT. Returns 1 or -1.
 */
int
pits_stint(struct track *t, struct tsession *s, struct tcar *c, const struct tlap *l)
{
	struct tstint	*st = c->nstints ? &c->stints[c->nstints - 1] : NULL;
	int		 new_stint = st == NULL;
	struct change	*ch;

	if (l->source == LSRC_MISSING)
		return 1;
	if (st != NULL) {
		/* A stop that ended after the stint's last lap began a new stint. */
		for (size_t i = c->npits; i-- > 0;) {
			const struct tpit *p = &c->pits[i];
			if (p->lap <= st->last_lap)
				break;
			if (p->garage || p->stop_time >= 0 || p->synthesised)
				new_stint = 1;
		}
		if (l->driver[0] && strcmp(st->driver, l->driver) != 0)
			new_stint = 1;
	}
	if (new_stint) {
		if (c->nstints == c->stints_cap) {
			size_t nc = c->stints_cap ? c->stints_cap * 2 : 4;
			struct tstint *np = realloc(c->stints, nc * sizeof(*np));
			if (np == NULL)
				return -1;
			c->stints = np;
			c->stints_cap = nc;
		}
		st = &c->stints[c->nstints++];
		memset(st, 0, sizeof(*st));
		st->first_lap = l->lap;
		pcopy(st->driver, sizeof(st->driver), l->driver);
	}
	st->last_lap = l->lap;
	st->tyre_laps++;
	if (c->tyres[0])
		pcopy(st->compound, sizeof(st->compound), c->tyres);
	if ((ch = track_emit_ch(t, CH_STINT, s, c)) == NULL)
		return -1;
	ch->n = (int)(st - c->stints);
	return 1;
}
