/*
 * Which endpoints a poll asks for (spec/lmu-api.md section 1).
 */
#include <string.h>

#include "client.h"
#include "tap.h"

#define B(e) (1u << (e))

static void
seen(struct lmu_sched *s, double now, unsigned asked, const char *session, int max_laps,
    int car_laps)
{
	struct poll_summary	 sum;
	struct car_laps		 cars[2] = { { 1, car_laps }, { 2, 0 } };
	int			 ok_all[EP__MAX];

	for (int e = 0; e < EP__MAX; e++)
		ok_all[e] = 1;
	memset(&sum, 0, sizeof(sum));
	sum.any_ok = 1;
	if (session) {
		sum.has_session = 1;
		snprintf(sum.session, sizeof(sum.session), "%s", session);
		snprintf(sum.track, sizeof(sum.track), "Sebring");
		sum.has_standings = 1;
		sum.max_laps = max_laps;
		sum.cars = cars;
		sum.ncars = 2;
	}
	lmu_observe(s, now, asked, ok_all, &sum);
}

int
main(void)
{
	struct lmu_sched	 s;
	unsigned		 m, m2;
	const unsigned		 always = B(EP_SESSIONINFO) | B(EP_GAMESTATE) | B(EP_JOINSTATE);

	memset(&s, 0, sizeof(s));
	m = lmu_plan(&s, 1, 0);
	ok((m & always) == always && (m & B(EP_PROFILE)) && !(m & B(EP_STANDINGS)),
	    "outside a session: session info, game state, join state (and the profile once)");
	seen(&s, 1, m, NULL, 0, 0);
	ok(!(lmu_plan(&s, 2, 0) & B(EP_PROFILE)), "the profile is asked for once");

	m = lmu_plan(&s, 3, 1);
	ok(m == 0, "a follow-up round outside a session asks for nothing");
	s.in_session = 1;
	m = lmu_plan(&s, 3, 1);
	ok((m & B(EP_STANDINGS)) && (m & B(EP_TEAMS)) && (m & B(EP_TRACKMAP)) &&
	    (m & B(EP_SCHEDULE)) && (m & B(EP_CHAT)) && !(m & B(EP_SESSIONINFO)),
	    "a follow-up round in a new session asks for standings, teams, map, schedule, chat");
	seen(&s, 3, m | always, "PRACTICE1", 0, 0);
	m = lmu_plan(&s, 4, 0);
	ok((m & B(EP_STANDINGS)) && (m & B(EP_TEAMS)) && !(m & B(EP_TRACKMAP)) &&
	    !(m & B(EP_SCHEDULE)) && !(m & B(EP_CHAT)),
	    "in a session: standings and teams every poll, map and schedule once, chat not yet");
	seen(&s, 4, m, "PRACTICE1", 0, 0);
	m = lmu_plan(&s, 8.0, 0);
	ok((m & B(EP_CHAT)) && !(m & B(EP_STRATEGY)) && !(m & B(EP_USAGE)),
	    "chat every few seconds; no strategy outside races");
	seen(&s, 8, m, "PRACTICE1", 0, 0);

	m = lmu_plan(&s, 9, 0);
	seen(&s, 9, m, "RACE1", 0, 0);
	m = lmu_plan(&s, 10, 0);
	ok((m & B(EP_TRACKMAP)) && (m & B(EP_CHAT)) && (m & B(EP_STRATEGY)) && (m & B(EP_USAGE)),
	    "a new session asks for the map again; races add strategy and usage");
	seen(&s, 10, m, "RACE1", 0, 0);
	seen(&s, 11, lmu_plan(&s, 11, 0), "RACE1", 1, 1);
	m = lmu_plan(&s, 12, 0);
	ok(!(m & B(EP_HISTORY)), "no standings history while no lap is missed");
	seen(&s, 12, m, "RACE1", 3, 3);
	m = lmu_plan(&s, 13, 0);
	ok(m & B(EP_HISTORY), "a car gaining two laps between polls asks for the standings history");
	seen(&s, 13, m, "RACE1", 6, 6);
	seen(&s, 14, lmu_plan(&s, 14, 0), "RACE1", 8, 8);
	ok(!(lmu_plan(&s, 15, 0) & B(EP_HISTORY)), "the history is asked for at most every 30 s");

	lmu_sched_free(&s);
	s.in_session = 1;
	m = lmu_plan(&s, 1, 1);
	seen(&s, 1, m | always, "RACE1", 20, 20);
	ok(lmu_plan(&s, 2, 0) & B(EP_HISTORY),
	    "joining a session with laps already done asks for the standings history");

	lmu_sched_free(&s);
	s.in_session = 1;
	m = lmu_plan(&s, 1, 1);
	{
		struct poll_summary sum;
		int okv[EP__MAX] = { 0 };
		memset(&sum, 0, sizeof(sum));
		sum.any_ok = sum.has_session = 1;
		snprintf(sum.session, sizeof(sum.session), "RACE1");
		lmu_observe(&s, 1, m | always, okv, &sum);	/* the map request failed */
	}
	m = lmu_plan(&s, 2, 0);
	m2 = lmu_plan(&s, 7, 0);
	ok(!(m & B(EP_TRACKMAP)) && (m2 & B(EP_TRACKMAP)), "a failed map request is retried after a few seconds");
	lmu_sched_free(&s);
	return tap_done();
}
