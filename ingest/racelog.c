/*
 * The race control log: what happened in a session, as the tracker derives
 * it (docs/pitwall.md). After each frame, racelog_frame compares what the
 * frame did to the session with what the log last said of it and emits a
 * CH_LOG change for each event: pit entries and exits, stops, garage
 * visits, driver swaps, penalties given and served, the phase and
 * full-course yellows, local yellows, retirements, the chequered flag of
 * each car, class fastest laps and class lead changes.
 *
 * What the log last said lives in the model (tsession, tcar, tpit and
 * tclass_best log fields); the first look at a session or car only notes
 * it, and store.c's resume notes what the database holds, so a restart
 * logs nothing twice. Each event has a ref that is the same however often
 * the frames are derived again, and the store writes a (session, kind,
 * car, ref) once.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "track.h"

static const char *const phase_text[PHASE__MAX] = {
	"Session starting", "Reconnaissance laps", "Cars on the grid", "Formation lap",
	"Countdown to the start", "Green flag", "Full-course yellow", "Session stopped",
	"Chequered flag", "Session paused"
};

/* m:ss.mmm */
static void
laptime(double t, char *out, size_t sz)
{
	long ms = lround(t * 1000);

	snprintf(out, sz, "%ld:%02ld.%03ld", ms / 60000, ms / 1000 % 60, ms % 1000);
}

/* "#7" or, for a sim without numbers, the vehicle. */
static void
car_label(const struct tcar *c, char *out, size_t sz)
{
	if (c->number[0] != '\0')
		snprintf(out, sz, "#%s", c->number);
	else
		snprintf(out, sz, "%s", c->vehicle_name[0] ? c->vehicle_name : c->veh);
}

/* Emits one event; fmt makes its text. Returns the change or NULL (out of memory). */
static struct tlog *
log_emit(struct track *t, struct tsession *s, struct tcar *c, const char *kind, double at,
    const char *fmt, ...)
{
	struct change	*ch;
	va_list		 ap;

	if ((ch = track_emit_ch(t, CH_LOG, s, c)) == NULL)
		return NULL;
	ch->log.et = s->et;
	ch->log.at = at;
	ch->log.lap = c != NULL ? c->laps + 1 : -1;
	snprintf(ch->log.kind, sizeof(ch->log.kind), "%s", kind);
	snprintf(ch->log.ref, sizeof(ch->log.ref), "%.1f", s->et);
	if (c != NULL)
		snprintf(ch->log.driver, sizeof(ch->log.driver), "%s", c->driver);
	va_start(ap, fmt);
	vsnprintf(ch->log.text, sizeof(ch->log.text), fmt, ap);
	va_end(ap);
	return &ch->log;
}

/* What of a visit is known: the LOGGED_* events it can have. */
unsigned
racelog_pit_mask(const struct tpit *p)
{
	unsigned m = 0;

	if (p->pit_time >= 0)
		m |= LOGGED_PIT_IN;
	if (p->exit_time >= 0)
		m |= LOGGED_PIT_OUT;
	if ((p->stop_time >= 0 && (p->release_time >= 0 || p->exit_time >= 0)) ||
	    (p->synthesised && p->duration > 0))
		m |= LOGGED_STOP;
	if (p->garage_in >= 0)
		m |= LOGGED_GARAGE_IN;
	if (p->garage_out >= 0)
		m |= LOGGED_GARAGE_OUT;
	if (p->swap_time >= 0 && p->driver_in[0] != '\0' && p->driver_out[0] != '\0' &&
	    strcmp(p->driver_in, p->driver_out) != 0)
		m |= LOGGED_SWAP;
	return m;
}

/* The events of one visit that became known. */
static int
log_pit(struct track *t, struct tsession *s, struct tcar *c, size_t i, double at)
{
	struct tpit	*p = &c->pits[i];
	unsigned	 now = racelog_pit_mask(p), add = now & ~p->logged;
	char		 who[48], extra[96];
	struct tlog	*l;
	/* p may move when a change is emitted: copy what the texts need */
	struct tpit	 v = *p;

	if (add == 0)
		return 0;
	p->logged = now;
	car_label(c, who, sizeof(who));
	if (add & LOGGED_GARAGE_IN) {
		if ((l = log_emit(t, s, c, "garage_in", at, "%s went to the garage", who)) == NULL)
			return -1;
		snprintf(l->ref, sizeof(l->ref), "v%zu", i);
		l->lap = v.lap;
	}
	if (add & LOGGED_PIT_IN) {
		if ((l = log_emit(t, s, c, "pit_in", at, "%s entered the pit lane", who)) == NULL)
			return -1;
		snprintf(l->ref, sizeof(l->ref), "v%zu", i);
		snprintf(l->data, sizeof(l->data), "{\"pit_time\":%.1f}", v.pit_time);
		l->et = v.pit_time;
		l->lap = v.lap;
	}
	if (add & LOGGED_SWAP) {
		/* driver_out left the car, driver_in took it over */
		if ((l = log_emit(t, s, c, "swap", at, "%s driver swap: %s → %s", who, v.driver_out,
		    v.driver_in)) == NULL)
			return -1;
		snprintf(l->ref, sizeof(l->ref), "v%zu", i);
		snprintf(l->driver, sizeof(l->driver), "%s", v.driver_in);
		snprintf(l->data, sizeof(l->data), "{\"swap_time\":%.1f}", v.swap_time);
		l->et = v.swap_time;
		l->lap = v.lap;
	}
	if (add & LOGGED_STOP) {
		double d = v.duration > 0 ? v.duration :
		    (v.release_time >= 0 ? v.release_time : v.exit_time) - v.stop_time;
		extra[0] = '\0';
		if (now & LOGGED_SWAP)
			snprintf(extra, sizeof(extra), ", %s takes over", v.driver_in);
		if ((l = log_emit(t, s, c, "stop", at, "%s stopped %.1f s%s", who, d, extra)) == NULL)
			return -1;
		snprintf(l->ref, sizeof(l->ref), "v%zu", i);
		/*
		 * What the strategy data adds (tyres, a penalty served) comes
		 * after the stop: the pit stops page has it; a penalty served is
		 * an event of its own.
		 */
		snprintf(l->data, sizeof(l->data), "{\"duration\":%.1f,\"swap\":%s}", d,
		    now & LOGGED_SWAP ? "true" : "false");
		if (v.stop_time >= 0)
			l->et = v.stop_time;
		l->lap = v.lap;
	}
	if (add & LOGGED_PIT_OUT) {
		if (v.pit_time >= 0) {
			if ((l = log_emit(t, s, c, "pit_out", at, "%s left the pit lane after %.1f s", who,
			    v.exit_time - v.pit_time)) == NULL)
				return -1;
			snprintf(l->data, sizeof(l->data), "{\"lane\":%.1f}", v.exit_time - v.pit_time);
		} else if ((l = log_emit(t, s, c, "pit_out", at, "%s left the pit lane", who)) == NULL)
			return -1;
		snprintf(l->ref, sizeof(l->ref), "v%zu", i);
		l->et = v.exit_time;
		l->lap = v.lap;
	}
	if (add & LOGGED_GARAGE_OUT) {
		if ((l = log_emit(t, s, c, "garage_out", at, "%s left the garage", who)) == NULL)
			return -1;
		snprintf(l->ref, sizeof(l->ref), "v%zu", i);
		l->et = v.garage_out;
		l->lap = v.lap;
	}
	return 1;
}

/* Penalties given and served, retirement, the flag: against what the log last said. */
static int
log_car(struct track *t, struct tsession *s, struct tcar *c, double at)
{
	char		 who[48];
	struct tlog	*l;

	for (size_t i = 0; i < c->npits; i++)
		if (log_pit(t, s, c, i, at) < 0)
			return -1;
	if (!c->log_seen) {
		c->log_seen = 1;
		c->log_penalties = c->penalties;
		c->log_finish = c->finish;
		return 0;
	}
	car_label(c, who, sizeof(who));
	if (c->penalties > c->log_penalties) {
		for (int n = c->log_penalties + 1; n <= c->penalties; n++) {
			if ((l = log_emit(t, s, c, "penalty", at, "%s penalty: %d to serve", who,
			    c->penalties)) == NULL)
				return -1;
			snprintf(l->data, sizeof(l->data), "{\"count\":%d}", c->penalties);
			snprintf(l->ref, sizeof(l->ref), "%.1f:%d", s->et, n);
		}
	} else if (c->penalties < c->log_penalties && c->penalties >= 0) {
		for (int n = c->log_penalties; n > c->penalties; n--) {
			if ((l = log_emit(t, s, c, "penalty_served", at, "%s served a penalty%s", who,
			    c->penalties > 0 ? ", more to serve" : "")) == NULL)
				return -1;
			snprintf(l->data, sizeof(l->data), "{\"count\":%d}", c->penalties);
			snprintf(l->ref, sizeof(l->ref), "%.1f:%d", s->et, n);
		}
	}
	c->log_penalties = c->penalties;
	if (c->finish != c->log_finish) {
		l = NULL;
		if (c->finish == FIN_DNF)
			l = log_emit(t, s, c, "retired", at, "%s retired", who);
		else if (c->finish == FIN_DQ)
			l = log_emit(t, s, c, "dq", at, "%s disqualified", who);
		else if (c->finish == FIN_FINISHED) {
			/* its position as it crossed the line: data, not words (cars behind may pass) */
			l = log_emit(t, s, c, "finish", at, "%s took the chequered flag", who);
			if (l != NULL)
				snprintf(l->data, sizeof(l->data), "{\"position\":%d,\"laps\":%d}",
				    c->position, c->laps);
		}
		if (c->finish != FIN_NONE && l == NULL)
			return -1;
		if (l != NULL)
			l->lap = c->laps > 0 ? c->laps : -1;
		c->log_finish = c->finish;
	}
	return 0;
}

static int
is_race(const struct tsession *s)
{
	return strncmp(s->type, "race", 4) == 0;
}

/* The phase, full-course yellows and local yellows. */
static int
log_session(struct track *t, struct tsession *s, double at)
{
	struct tlog *l;

	if (!s->log_seen) {
		s->log_seen = 1;
		s->log_phase = s->phase;
		snprintf(s->log_flags, sizeof(s->log_flags), "%s", s->sector_flags);
		return 0;
	}
	if (s->phase != s->log_phase && s->phase >= 0 && s->phase < PHASE__MAX) {
		int was = s->log_phase, now = s->phase;

		s->log_phase = now;
		if (was == PHASE_FCY &&
		    log_emit(t, s, NULL, "fcy_end", at, "Full-course yellow ends") == NULL)
			return -1;
		if (now == PHASE_FCY) {
			if (log_emit(t, s, NULL, "fcy", at, "Full-course yellow") == NULL)
				return -1;
		} else if (was != PHASE_FCY || now != PHASE_GREEN) {	/* else fcy_end says it */
			if ((l = log_emit(t, s, NULL, "phase", at, "%s", phase_text[now])) == NULL)
				return -1;
			snprintf(l->data, sizeof(l->data), "{\"phase\":\"%s\"}", phase_names[now]);
		}
	}
	for (size_t i = 0; s->sector_flags[i] != '\0' && i < 3; i++) {
		int was = i < strlen(s->log_flags) && s->log_flags[i] == 'Y';
		int now = s->sector_flags[i] == 'Y';

		if (was == now)
			continue;
		l = now ? log_emit(t, s, NULL, "yellow", at, "Yellow flag in sector %zu", i + 1) :
		    log_emit(t, s, NULL, "yellow_clear", at, "Sector %zu clear", i + 1);
		if (l == NULL)
			return -1;
		snprintf(l->data, sizeof(l->data), "{\"sector\":%zu}", i + 1);
		snprintf(l->ref, sizeof(l->ref), "%.1f:%zu", s->et, i + 1);
	}
	snprintf(s->log_flags, sizeof(s->log_flags), "%s", s->sector_flags);
	return 0;
}

/* Class lead changes of a race, once its leader has crossed the line. */
static int
log_leaders(struct track *t, struct tsession *s, double at)
{
	for (size_t i = 0; i < s->ncars; i++) {
		struct tcar		*c = s->cars[i], *was;
		struct tclass_best	*cb;
		char			 who[48], from[48];
		struct tlog		*l;

		if (c->class_position != 1 || !c->present)
			continue;
		if ((cb = bests_class(s, c->cls, 1)) == NULL)
			return -1;
		if (cb->leader == c->idx + 1)
			continue;
		was = cb->leader > 0 && cb->leader <= s->ncars ? s->cars[cb->leader - 1] : NULL;
		cb->leader = c->idx + 1;
		if (was == NULL || !is_race(s) || c->laps < 1 || s->phase < PHASE_GREEN)
			continue;
		car_label(c, who, sizeof(who));
		car_label(was, from, sizeof(from));
		if (c->cls[0] != '\0')
			l = log_emit(t, s, c, "lead", at, "%s leads %s, ahead of %s", who, c->cls, from);
		else
			l = log_emit(t, s, c, "lead", at, "%s leads, ahead of %s", who, from);
		if (l == NULL)
			return -1;
		snprintf(l->data, sizeof(l->data), "{\"from_car\":%lld}", was->store_id);
	}
	return 0;
}

/*
 * The events of one frame: changes ch0.. are what it did (new sessions,
 * bests, visits); at is the server time of its capture. Returns 0 or -1
 * (out of memory).
 */
int
racelog_frame(struct track *t, struct tsession *s, size_t ch0, double at)
{
	size_t nch = t->nch;

	for (size_t i = ch0; i < nch; i++) {
		struct change	 ch = t->ch[i];	/* t->ch moves as events are emitted */
		struct tlog	*l;
		char		 who[48], tm[24];

		if (ch.s != s)
			continue;
		if (ch.type == CH_SESSION_NEW) {
			char label[48];
			session_type_label(s->type, label, sizeof(label));
			if ((l = log_emit(t, s, NULL, "session", at, "%s at %s", label, s->track)) == NULL)
				return -1;
			snprintf(l->ref, sizeof(l->ref), "new");
		} else if (ch.type == CH_BEST && ch.scope == BEST_CLASS && ch.kind == BK_LAP &&
		    ch.best.car != NULL) {
			car_label(ch.best.car, who, sizeof(who));
			laptime(ch.best.time, tm, sizeof(tm));
			l = ch.best.car->cls[0] != '\0' ?
			    log_emit(t, s, ch.best.car, "fastest_lap", at, "%s %s fastest lap in %s: %s",
				who, ch.best.driver, ch.best.car->cls, tm) :
			    log_emit(t, s, ch.best.car, "fastest_lap", at, "%s %s fastest lap: %s",
				who, ch.best.driver, tm);
			if (l == NULL)
				return -1;
			l->lap = ch.best.lap;
			snprintf(l->driver, sizeof(l->driver), "%s", ch.best.driver);
			snprintf(l->ref, sizeof(l->ref), "%d:%.3f", ch.best.lap, ch.best.time);
			snprintf(l->data, sizeof(l->data), "{\"time\":%.3f}", ch.best.time);
		}
	}
	if (log_session(t, s, at) < 0)
		return -1;
	for (size_t i = 0; i < s->ncars; i++)
		if (log_car(t, s, s->cars[i], at) < 0)
			return -1;
	return log_leaders(t, s, at);
}
