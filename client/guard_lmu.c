/*
 * The LMU source's guard. What must not reach the server: polls taken while the game loads (game
 * time not advancing, negative, or jumping far beyond wall-clock time),
 * while it plays a replay, or while it still shows the previous session's
 * finished cars. And the one "left" frame when a session ends for this
 * client. The decisions are pure: a poll summary and a wall time in, a
 * verdict out, so every case is unit-tested without a game.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

const char *const guard_names[GUARD__MAX] = {
	"send", "left", "idle", "down", "loading", "replay", "stale",
};

/*
 * Reads laps and finish states of the standings array into s.
 */
static int
guard_standings(const struct jspan *st, struct poll_summary *s)
{
	struct jspan	 car;
	size_t		 off = 0, cap = 0;
	char		 fs[32];
	double		 d;

	s->has_standings = 1;
	while (jscan_next(st, &off, &car)) {
		if (car.type != JT_OBJECT)
			continue;
		if (json_member_str(&car, "finishStatus", fs, sizeof(fs)) &&
		    (strcmp(fs, "FSTAT_FINISHED") == 0 || strcmp(fs, "FSTAT_CHECKERED") == 0))
			s->finished++;
		if (s->ncars == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct car_laps *n = realloc(s->cars, ncap * sizeof(*n));
			if (n == NULL)
				return -1;
			s->cars = n;
			cap = ncap;
		}
		struct car_laps *c = &s->cars[s->ncars];
		if (!json_member_num(&car, "slotID", &d) || !num_to_ll(d, LLONG_MIN, LLONG_MAX, &c->slot))
			c->slot = -1;
		if (!json_member_num(&car, "lapsCompleted", &d) || !num_to_ll(d, 0, 999999, &c->laps))
			c->laps = 0;
		if (c->laps > s->max_laps)
			s->max_laps = c->laps;
		s->ncars++;
	}
	return 1;
}

/*
 * Summarizes a poll's responses object (path -> body or null). Returns 1,
 * 0 when resp is not a JSON object, -1 when memory runs out. The summary
 * owns memory: guard_summary_free() releases it.
 */
int
guard_summarize(const char *resp, size_t len, struct poll_summary *s)
{
	struct jspan	 doc, v;
	char		 ms[32];
	double		 d;

	memset(s, 0, sizeof(*s));
	s->phase = -1;
	if (!jscan_document(resp, len, &doc) || doc.type != JT_OBJECT)
		return 0;
	/* any member with a non-null value means the game answered */
	for (size_t i = 0; i < EP__MAX && !s->any_ok; i++)
		if (jscan_member(&doc, lmu_paths[i], &v) && v.type != JT_NULL)
			s->any_ok = 1;
	if (jscan_member(&doc, lmu_paths[EP_SESSIONINFO], &v) && v.type == JT_OBJECT) {
		s->has_session = 1;
		if (!json_member_num(&v, "currentEventTime", &s->et))
			s->et = -1;
		if (!json_member_num(&v, "gamePhase", &d) || !num_to_ll(d, LLONG_MIN, LLONG_MAX, &s->phase))
			s->phase = -1;
		json_member_str(&v, "session", s->session, sizeof(s->session));
		json_member_str(&v, "trackName", s->track, sizeof(s->track));
		json_member_str(&v, "serverName", s->server, sizeof(s->server));
	}
	if (jscan_member(&doc, lmu_paths[EP_GAMESTATE], &v) && v.type == JT_OBJECT) {
		s->replay = json_member_bool(&v, "isReplayActive");
		if (json_member_str(&v, "MultiStintState", ms, sizeof(ms)) &&
		    strcmp(ms, "LOADING") == 0)
			s->loading = 1;
	}
	if (jscan_member(&doc, lmu_paths[EP_STANDINGS], &v) && v.type == JT_ARRAY)
		if (guard_standings(&v, s) < 0) {
			guard_summary_free(s);
			return -1;
		}
	return 1;
}

void
guard_summary_free(struct poll_summary *s)
{
	free(s->cars);
	s->cars = NULL;
	s->ncars = 0;
}

static void
guard_anchor(struct guard *g, double wall, const struct poll_summary *s)
{
	g->have_ref = 1;
	g->ref_et = s->et;
	g->ref_wall = wall;
	snprintf(g->ref_session, sizeof(g->ref_session), "%s", s->session);
}

/*
 * Whether the standings still show the previous session: cars that
 * finished while this session has not seen the chequered flag, or more laps
 * than the session's game time allows.
 */
static int
guard_is_stale(const struct poll_summary *s)
{
	if (s->finished > 0 && s->phase != 8 && s->phase != 9)
		return 1;
	if (s->max_laps > 0 && (double)s->max_laps * GUARD_MIN_LAP > s->et + 30.0)
		return 1;
	return 0;
}

/*
 * Forgets the session: the next poll in a session is taken as the first.
 */
void
guard_end(struct guard *g)
{
	g->joined = 0;
	g->have_ref = 0;
	g->stale_since = 0;
}

/*
 * Decides what to do with a poll taken at wall (seconds; the replay clock
 * when replaying). Returns the verdict; GUARD_SEND and GUARD_LEFT produce a
 * frame, the others nothing.
 */
enum guard_verdict
guard_decide(struct guard *g, double wall, const struct poll_summary *s)
{
	if (!s->any_ok) {
		if (!g->joined)
			return GUARD_DOWN;
		if (g->down_since == 0)
			g->down_since = wall;
		if (wall - g->down_since >= GUARD_LEFT_AFTER) {
			guard_end(g);
			return GUARD_LEFT;
		}
		return GUARD_DOWN;
	}
	g->down_since = 0;
	if (!s->has_session) {
		if (g->joined) {
			guard_end(g);
			return GUARD_LEFT;
		}
		g->have_ref = 0;
		return GUARD_IDLE;
	}
	if (s->replay) {
		g->have_ref = 0;	/* live time resumes from wherever it is */
		return GUARD_REPLAY;
	}
	if (s->et < 0 || s->loading)
		return GUARD_LOADING;
	if (g->have_ref && (strcmp(s->session, g->ref_session) != 0 || s->et < g->ref_et - 1.0)) {
		g->have_ref = 0;	/* a new session: no time reference */
		g->stale_since = 0;
	}
	if (g->have_ref) {
		double d_et = s->et - g->ref_et, d_wall = wall - g->ref_wall;
		if (d_et > (d_wall > 0 ? d_wall : 0) + GUARD_JUMP_SLACK) {
			guard_anchor(g, wall, s);	/* resume from the new time */
			return GUARD_LOADING;
		}
		if (d_et <= 0 && d_wall >= 0.2 && s->phase != 9) {
			g->ref_wall = wall;
			return GUARD_LOADING;
		}
	}
	if (guard_is_stale(s)) {
		if (g->stale_since == 0)
			g->stale_since = wall;
		if (wall - g->stale_since < GUARD_STALE_MAX) {
			g->have_ref = 0;
			return GUARD_STALE;
		}
	} else
		g->stale_since = 0;
	guard_anchor(g, wall, s);
	g->joined = 1;
	return GUARD_SEND;
}
