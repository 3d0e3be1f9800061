/*
 * The Le Mans Ultimate source (spec/lmu-api.md): which endpoints each poll
 * asks for (src_lmu.c makes the requests, every one at once through one
 * curl multi handle, each time-boxed, so a stalled game never stalls the
 * client).
 *
 * Cadence: session info, game state and join state every poll; teams and
 * standings while in a session; chat (and strategy and usage in races)
 * every few seconds; track map and event schedule once per session; the
 * profile once; standings history when laps were missed.
 */
#include <stdlib.h>
#include <string.h>

#include "client.h"

const char *const lmu_paths[EP__MAX] = {
	"/rest/watch/sessionInfo",
	"/rest/multiplayer/join/state",
	"/rest/sessions/GetGameState",
	"/rest/multiplayer/teams",
	"/rest/watch/standings",
	"/rest/chat/",
	"/rest/strategy/overall",
	"/rest/strategy/usage",
	"/rest/watch/standings/history",
	"/rest/watch/trackmap",
	"/rest/sessions/GetSessionsInfoForEvent",
	"/rest/profile/profileInfo/getProfileInfo",
};

#define BIT(e) (1u << (e))
#define EP_ALWAYS (BIT(EP_SESSIONINFO) | BIT(EP_JOINSTATE) | BIT(EP_GAMESTATE))

/*
 * The endpoints to ask for in a poll at now. followup is 0 for the first
 * round of a poll, 1 for the second round that a poll gets when its first
 * round found a session the client did not know it was in. Returns a bit
 * mask of enum lmu_ep.
 */
unsigned
lmu_plan(struct lmu_sched *s, double now, int followup)
{
	unsigned m = followup ? 0 : EP_ALWAYS;

	if (!s->have_profile && (s->last_profile_try == 0 ||
	    now - s->last_profile_try >= LMU_RETRY_EVERY * 6) && !followup) {
		m |= BIT(EP_PROFILE);
		s->last_profile_try = now;
	}
	if (!s->in_session)
		return m;
	m |= BIT(EP_TEAMS) | BIT(EP_STANDINGS);
	if (s->last_chat == 0 || now - s->last_chat >= LMU_CHAT_EVERY - 0.05) {
		m |= BIT(EP_CHAT);
		if (s->race)
			m |= BIT(EP_STRATEGY) | BIT(EP_USAGE);
		s->last_chat = now;
	}
	if ((!s->have_map || !s->have_sched) && (s->last_map_try == 0 ||
	    now - s->last_map_try >= LMU_RETRY_EVERY)) {
		if (!s->have_map)
			m |= BIT(EP_TRACKMAP);
		if (!s->have_sched)
			m |= BIT(EP_SCHEDULE);
		s->last_map_try = now;
	}
	if (s->want_history && (s->last_history == 0 || now - s->last_history >= LMU_HISTORY_EVERY)) {
		m |= BIT(EP_HISTORY);
		s->last_history = now;
		s->want_history = 0;
	}
	return m;
}

static long long
lmu_laps_of(const struct lmu_sched *s, long long slot)
{
	for (size_t i = 0; i < s->nlaps; i++)
		if (s->laps[i].slot == slot)
			return s->laps[i].laps;
	return -1;
}

/*
 * Learns from a finished poll taken at now: asked is what was asked for,
 * ok[e] whether endpoint e answered, sum the poll's summary.
 */
void
lmu_observe(struct lmu_sched *s, double now, unsigned asked, const int *ok,
    const struct poll_summary *sum)
{
	char key[sizeof(s->key)];

	if ((asked & BIT(EP_PROFILE)) && ok[EP_PROFILE])
		s->have_profile = 1;
	if (!sum->has_session) {
		s->in_session = 0;
		s->key[0] = '\0';
		return;
	}
	snprintf(key, sizeof(key), "%s|%s|%s", sum->track, sum->session, sum->server);
	if (!s->in_session || strcmp(key, s->key) != 0) {
		/* a new session: map, schedule and chat again; laps start over */
		snprintf(s->key, sizeof(s->key), "%s", key);
		s->have_map = s->have_sched = 0;
		s->last_map_try = asked & (BIT(EP_TRACKMAP) | BIT(EP_SCHEDULE)) ? now : 0;
		s->last_chat = asked & BIT(EP_CHAT) ? now : 0;
		s->nlaps = 0;
	}
	s->in_session = 1;
	s->race = strncmp(sum->session, "RACE", 4) == 0;
	if ((asked & BIT(EP_TRACKMAP)) && ok[EP_TRACKMAP])
		s->have_map = 1;
	if ((asked & BIT(EP_SCHEDULE)) && ok[EP_SCHEDULE])
		s->have_sched = 1;
	if (!sum->has_standings)
		return;
	/* laps this client did not see: a car gained two or more since the last
	 * poll, or cars had laps before this client first saw the session */
	if (s->nlaps == 0 && sum->max_laps > 1)
		s->want_history = 1;
	for (size_t i = 0; i < sum->ncars && s->nlaps > 0; i++) {
		long long before = lmu_laps_of(s, sum->cars[i].slot);
		if (before >= 0 && sum->cars[i].laps - before >= 2)
			s->want_history = 1;
	}
	if (s->last_seen > 0 && now - s->last_seen > 30.0 && sum->max_laps > 0)
		s->want_history = 1;	/* the client was away */
	s->last_seen = now;
	free(s->laps);
	s->laps = NULL;
	s->nlaps = 0;
	if (sum->ncars > 0 && (s->laps = malloc(sum->ncars * sizeof(*s->laps))) != NULL) {
		memcpy(s->laps, sum->cars, sum->ncars * sizeof(*s->laps));
		s->nlaps = sum->ncars;
	}
}

void
lmu_sched_free(struct lmu_sched *s)
{
	free(s->laps);
	memset(s, 0, sizeof(*s));
}

/*
 * Writes the responses object of a poll: every asked endpoint in enum order,
 * its body when ok[e] (already checked to be JSON), else null. Returns 1 or
 * -1.
 */
int
lmu_responses(struct buf *out, unsigned asked, struct buf *bodies, const int *ok)
{
	int first = 1;

	buf_reset(out);
	if (buf_putc(out, '{') < 0)
		return -1;
	for (int e = 0; e < EP__MAX; e++) {
		if (!(asked & BIT(e)))
			continue;
		if (buf_printf(out, "%s\"%s\":", first ? "" : ",", lmu_paths[e]) < 0)
			return -1;
		first = 0;
		if ((ok[e] ? buf_add(out, bodies[e].p, bodies[e].len) : buf_puts(out, "null")) < 0)
			return -1;
	}
	return buf_putc(out, '}');
}

/*
 * Checks a game answer: HTTP 200 and a JSON document of at most BODY_MAX
 * bytes. Returns 1 when the body may go into a frame as it is, else 0.
 */
int
lmu_body_ok(long status, const struct buf *body)
{
	struct jspan v;

	return status == 200 && body->len > 0 && body->len <= BODY_MAX &&
	    jscan_document(body->p, body->len, &v);
}
