/*
 * truth-check DB TRUTH: compares the sessions of a Trackside database with
 * a recording's .truth.json (tests/t_track_util.c: laps, pits, sessions,
 * transitions, chat, final positions), prints the score, and exits 0 when
 * everything matches, 1 otherwise, 2 when the database cannot be opened.
 * The stack tests use it on the database the real programs wrote.
 */
#include <stdio.h>

#include "ingest.h"
#include "t_track_util.h"

int
main(int argc, char *argv[])
{
	sqlite3		*db = NULL;
	struct score	 sc;
	int		 same;

	if (argc != 3) {
		fprintf(stderr, "usage: truth-check DB TRUTH\n");
		return 2;
	}
	log_init("truth-check", 1, LOG_LVL_WARN);
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "truth-check: %s: %s\n", argv[1], sqlite3_errmsg(db));
		sqlite3_close(db);
		return 2;
	}
	truth_compare(db, argv[2], &sc);
	sqlite3_close(db);
	same = sc.laps > 0 && sc.laps_ok == sc.laps && sc.laps_extra == 0 && sc.pits_ok == sc.pits &&
	    sc.pits_extra == 0 && sc.sessions_ok && sc.transitions_ok && sc.chat_ok && sc.positions_ok;
	printf("laps %lld/%lld (%lld extra), pits %lld/%lld (%lld extra), sessions %s, "
	    "transitions %s, chat %s, positions %s\n", sc.laps_ok, sc.laps, sc.laps_extra, sc.pits_ok,
	    sc.pits, sc.pits_extra, sc.sessions_ok ? "ok" : "WRONG", sc.transitions_ok ? "ok" : "WRONG",
	    sc.chat_ok ? "ok" : "WRONG", sc.positions_ok ? "ok" : "WRONG");
	return same ? 0 : 1;
}
