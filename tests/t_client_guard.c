/*
 * The guards: loading, replay and stale standings are held back, a session
 * end gives one "left" frame. Each poll is a responses object built here.
 */
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "tap.h"

/*
 * A poll: sessionInfo with session type, ET and phase (or no session when
 * session is NULL), game state, and standings of ncars cars with laps and a
 * finish status.
 */
static enum guard_verdict
poll(struct guard *g, double wall, const char *session, double et, int phase,
    const char *gamestate, int ncars, int laps, const char *finish)
{
	struct buf		 b = { 0 };
	struct poll_summary	 s;
	enum guard_verdict	 v;

	buf_puts(&b, "{\"/rest/watch/sessionInfo\":");
	if (session)
		buf_printf(&b, "{\"session\":\"%s\",\"currentEventTime\":%.3f,\"gamePhase\":%d,"
		    "\"trackName\":\"Sebring\",\"serverName\":\"S\"}", session, et, phase);
	else
		buf_puts(&b, "null");
	buf_printf(&b, ",\"/rest/sessions/GetGameState\":%s", gamestate ? gamestate :
	    "{\"MultiStintState\":\"DRIVING\",\"isReplayActive\":false}");
	buf_puts(&b, ",\"/rest/multiplayer/join/state\":\"JOIN_JOINED_SERVER\"");
	if (session) {
		buf_puts(&b, ",\"/rest/watch/standings\":[");
		for (int i = 0; i < ncars; i++)
			buf_printf(&b, "%s{\"slotID\":%d,\"lapsCompleted\":%d,\"finishStatus\":\"%s\"}",
			    i ? "," : "", i, laps, finish);
		buf_puts(&b, "]");
	}
	buf_puts(&b, "}");
	if (guard_summarize(b.p, b.len, &s) != 1) {
		buf_free(&b);
		return GUARD__MAX;
	}
	v = guard_decide(g, wall, &s);
	guard_summary_free(&s);
	buf_free(&b);
	return v;
}

static enum guard_verdict
live(struct guard *g, double wall, const char *session, double et)
{
	return poll(g, wall, session, et, 5, NULL, 3, 0, "FSTAT_NONE");
}

static enum guard_verdict
down(struct guard *g, double wall)
{
	struct poll_summary s;
	static const char all_null[] = "{\"/rest/watch/sessionInfo\":null,"
	    "\"/rest/multiplayer/join/state\":null,\"/rest/sessions/GetGameState\":null}";
	enum guard_verdict v;

	if (guard_summarize(all_null, sizeof(all_null) - 1, &s) != 1)
		return GUARD__MAX;
	v = guard_decide(g, wall, &s);
	guard_summary_free(&s);
	return v;
}

#define REPLAY_ON "{\"MultiStintState\":\"DRIVING\",\"isReplayActive\":true}"
#define LOADING "{\"MultiStintState\":\"LOADING\",\"isReplayActive\":false}"

int
main(void)
{
	struct guard g;

	memset(&g, 0, sizeof(g));
	ok(live(&g, 100, "RACE1", 10) == GUARD_SEND, "the first poll of a session is sent");

	memset(&g, 0, sizeof(g));
	ok(live(&g, 100, "RACE1", 10) == GUARD_SEND && live(&g, 101, "RACE1", 11) == GUARD_SEND &&
	    live(&g, 102, "RACE1", 12.2) == GUARD_SEND,
	    "game time advancing with the wall clock is sent");

	memset(&g, 0, sizeof(g));
	ok(down(&g, 100) == GUARD_DOWN, "a game that does not answer is reported down");

	memset(&g, 0, sizeof(g));
	ok(poll(&g, 100, NULL, 0, 0, NULL, 0, 0, "") == GUARD_IDLE,
	    "no session info before any session is idle, not left");

	memset(&g, 0, sizeof(g));
	live(&g, 100, "RACE1", 50);
	ok(live(&g, 101, "RACE1", 50) == GUARD_LOADING && live(&g, 102, "RACE1", 50) == GUARD_LOADING,
	    "loading guard: game time not advancing is held back");

	memset(&g, 0, sizeof(g));
	live(&g, 100, "RACE1", 50);
	ok(poll(&g, 101, "RACE1", 50, 9, NULL, 3, 0, "FSTAT_NONE") == GUARD_SEND,
	    "a paused session (phase 9) holding game time still is sent");

	memset(&g, 0, sizeof(g));
	ok(live(&g, 100, "RACE1", -3) == GUARD_LOADING, "loading guard: negative game time is held back");

	memset(&g, 0, sizeof(g));
	live(&g, 100, "PRACTICE1", 100);
	ok(live(&g, 101, "PRACTICE1", 400) == GUARD_LOADING,
	    "loading guard: game time jumping far beyond the wall clock is held back");

	memset(&g, 0, sizeof(g));
	live(&g, 100, "PRACTICE1", 100);
	live(&g, 101, "PRACTICE1", 400);
	ok(live(&g, 102, "PRACTICE1", 401) == GUARD_SEND,
	    "after a time jump, normal progress from the new time is sent");

	memset(&g, 0, sizeof(g));
	live(&g, 100, "RACE1", 100);
	ok(live(&g, 101, "RACE1", 109) == GUARD_SEND,
	    "a game running faster than the wall clock within the slack is sent");

	memset(&g, 0, sizeof(g));
	ok(poll(&g, 100, "RACE1", 20, 5, LOADING, 3, 0, "FSTAT_NONE") == GUARD_LOADING,
	    "loading guard: MultiStintState LOADING is held back");

	memset(&g, 0, sizeof(g));
	live(&g, 100, "RACE1", 100);
	ok(poll(&g, 101, "RACE1", 101, 5, REPLAY_ON, 3, 0, "FSTAT_NONE") == GUARD_REPLAY,
	    "replay guard: a poll while a replay plays is held back");

	memset(&g, 0, sizeof(g));
	live(&g, 100, "RACE1", 100);
	poll(&g, 101, "RACE1", 30, 5, REPLAY_ON, 3, 0, "FSTAT_NONE");
	poll(&g, 130, "RACE1", 60, 5, REPLAY_ON, 3, 0, "FSTAT_NONE");
	ok(live(&g, 131, "RACE1", 131) == GUARD_SEND,
	    "replay guard: the live session after a replay is sent again");

	memset(&g, 0, sizeof(g));
	ok(poll(&g, 100, "QUALIFY1", 3, 0, NULL, 3, 20, "FSTAT_FINISHED") == GUARD_STALE,
	    "stale guard: the previous session's finished cars are held back");

	memset(&g, 0, sizeof(g));
	ok(poll(&g, 100, "RACE1", 5, 0, NULL, 3, 12, "FSTAT_NONE") == GUARD_STALE,
	    "stale guard: more laps than the game time allows are held back");

	memset(&g, 0, sizeof(g));
	poll(&g, 100, "QUALIFY1", 3, 0, NULL, 3, 20, "FSTAT_FINISHED");
	ok(poll(&g, 101, "QUALIFY1", 4, 0, NULL, 3, 0, "FSTAT_NONE") == GUARD_SEND,
	    "stale guard: fresh standings of the new session are sent");

	memset(&g, 0, sizeof(g));
	poll(&g, 100, "QUALIFY1", 3, 0, NULL, 3, 20, "FSTAT_FINISHED");
	ok(poll(&g, 100 + GUARD_STALE_MAX + 1, "QUALIFY1", 3 + GUARD_STALE_MAX + 1, 5, NULL, 3, 20,
	    "FSTAT_FINISHED") == GUARD_SEND, "stale guard gives in after a while");

	memset(&g, 0, sizeof(g));
	ok(poll(&g, 100, "RACE1", 3000, 8, NULL, 3, 47, "FSTAT_FINISHED") == GUARD_SEND,
	    "finished cars under the chequered flag are sent");

	memset(&g, 0, sizeof(g));
	ok(poll(&g, 100, "PRACTICE1", 371, 5, NULL, 3, 7, "FSTAT_NONE") == GUARD_SEND,
	    "joining a session late with laps already done is sent");

	memset(&g, 0, sizeof(g));
	live(&g, 100, "RACE1", 100);
	ok(poll(&g, 101, NULL, 0, 0, LOADING, 0, 0, "") == GUARD_LEFT &&
	    poll(&g, 102, NULL, 0, 0, LOADING, 0, 0, "") == GUARD_IDLE,
	    "a session ending gives exactly one left frame");

	memset(&g, 0, sizeof(g));
	live(&g, 100, "RACE1", 100);
	ok(down(&g, 101) == GUARD_DOWN && down(&g, 103) == GUARD_DOWN &&
	    down(&g, 101 + GUARD_LEFT_AFTER) == GUARD_LEFT && down(&g, 110) == GUARD_DOWN,
	    "a game gone for a few seconds gives one left frame, a short stall none");

	memset(&g, 0, sizeof(g));
	live(&g, 100, "RACE1", 100);
	down(&g, 101);
	ok(live(&g, 103, "RACE1", 103) == GUARD_SEND, "a short stall of the game changes nothing");

	memset(&g, 0, sizeof(g));
	live(&g, 100, "PRACTICE1", 3000);
	ok(live(&g, 101, "QUALIFY1", 2) == GUARD_SEND,
	    "a new session type is sent without waiting for the old time reference");

	memset(&g, 0, sizeof(g));
	live(&g, 100, "RACE1", 3000);
	ok(live(&g, 101, "RACE1", 3) == GUARD_SEND, "game time starting over is a new session, sent");

	memset(&g, 0, sizeof(g));
	{
		struct poll_summary s;
		ok(guard_summarize("[1,2]", 5, &s) == 0 && guard_summarize("{\"a\":", 5, &s) == 0,
		    "a poll that is not a JSON object is refused");
	}
	memset(&g, 0, sizeof(g));
	{
		struct poll_summary s;
		static const char odd[] = "{\"/rest/watch/sessionInfo\":{\"session\":7,"
		    "\"currentEventTime\":\"x\"},\"/rest/watch/standings\":{\"a\":1},"
		    "\"/rest/sessions/GetGameState\":[]}";
		int rc = guard_summarize(odd, sizeof(odd) - 1, &s);
		ok(rc == 1 && s.has_session && s.et < 0 && guard_decide(&g, 1, &s) == GUARD_LOADING,
		    "fields of the wrong type count as unknown, never as a crash");
		guard_summary_free(&s);
	}
	return tap_done();
}
