/*
 * The LMU source (ingest/src_lmu.c): the game's words onto lib/vocab.h, and
 * the rules it keeps in its state per client: ET standing still on the
 * client's clock means loading, a hosted session's entry list numbered from
 * an offset maps onto the standings' slots; the state saved and loaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tap.h"
#include "source.h"
#include "track.h"

static struct obs o;

/*
 * One poll: session word at ET et in game phase phase; the standings of two
 * cars when cars is set; the entry list numbered from first (no list when
 * first < 0).
 */
static cJSON *
poll_json(const char *word, double et, int phase, int cars, int first)
{
	char	 buf[4096];
	int	 n;

	n = snprintf(buf, sizeof(buf), "{\"/rest/watch/sessionInfo\":{\"session\":\"%s\","
	    "\"trackName\":\"Test Ring\",\"serverName\":\"Host\",\"serverPort\":64297,"
	    "\"currentEventTime\":%g,\"gamePhase\":%d},\"/rest/watch/standings\":[%s]", word, et,
	    phase, cars ? "{\"slotID\":0,\"vehicleFilename\":\"CAR_A.veh\",\"driverName\":\"Ann\","
	    "\"finishStatus\":\"FSTAT_CHECKERED\"},{\"slotID\":1,\"vehicleFilename\":\"CAR_B.veh\","
	    "\"driverName\":\"Bob\",\"finishStatus\":\"FSTAT_WHATEVER\"}" : "");
	if (first >= 0)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",\"/rest/multiplayer/teams\":{"
		    "\"coherenceId\":7,\"teams\":{\"utid%d\":{\"Id\":\"a\",\"carNumber\":\"1\","
		    "\"name\":\"Team A\",\"vehicle\":\"CAR_A.veh\",\"drivers\":{\"Ann\":{}}},"
		    "\"utid%d\":{\"Id\":\"b\",\"carNumber\":\"2\",\"name\":\"Team B\",\"vehicle\":"
		    "\"CAR_B.veh\",\"drivers\":{\"Bob\":{}}}},\"drivers\":{}}", first, first + 1);
	snprintf(buf + n, sizeof(buf) - (size_t)n, "}");
	return cJSON_Parse(buf);
}

/* Parses a poll into o for a client whose clock says at. Returns what parse says. */
static int
feed(void *st, double at, const char *word, double et, int phase, int cars, int first)
{
	struct src_in	 in = { "c1", 1, at };
	cJSON		*j = poll_json(word, et, phase, cars, first);
	int		 rc;

	if (j == NULL)
		return -2;
	rc = sources[SRC_LMU].parse(st, &in, j, &o);
	cJSON_Delete(j);
	return rc;
}

static void
session_words(void)
{
	static const struct { const char *word, *type; } w[] = {
		{ "TESTDAY", "test" }, { "PRACTICE1", "practice1" }, { "PRACTICE4", "practice4" },
		{ "QUALIFY1", "qualify1" }, { "QUALIFY3", "qualify3" }, { "WARMUP", "warmup" },
		{ "RACE1", "race1" }, { "RACE2", "race2" }, { "RACE4", "race4" },
	};
	enum session_kind	 k;
	int			 n, good = 1;
	char			 type[16];
	void			*st = lmu_state_new();

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		session_type_format(SK_OTHER, 0, type, sizeof(type));
		if (feed(st, 1000, w[i].word, 10, PHASE_GREEN, 0, -1) != 1 ||
		    session_type_format(o.kind, o.kind_n, type, sizeof(type)) < 0 ||
		    strcmp(type, w[i].type) != 0 || o.drift[DRIFT_UNKNOWN_SESSION] != 0) {
			diag("%s: %s", w[i].word, type);
			good = 0;
		}
	}
	ok(good, "the game's session words become a kind and its number");
	ok(feed(st, 1000, "RACE9", 10, PHASE_GREEN, 0, -1) == 1 && o.kind == SK_OTHER &&
	    o.kind_n == 0 && o.drift[DRIFT_UNKNOWN_SESSION] == 1,
	    "a word the game does not use is another kind of session, counted as drift");
	ok(lmu_session_type("RACE3", &k, &n) == 1 && k == SK_RACE && n == 3 &&
	    lmu_session_type("race3", &k, &n) == 0 && k == SK_OTHER &&
	    lmu_session_type(NULL, &k, &n) == 0, "lmu_session_type maps the game's words only");
	ok(feed(st, 1000, "RACE1", 10, PHASE_GREEN, 1, -1) == 1 && o.ncars == 2 &&
	    o.cars[0].finish == FIN_FINISHED && o.cars[1].finish == FIN_NONE &&
	    o.drift[DRIFT_UNKNOWN_FINISH] == 1, "finish statuses speak lib/vocab.h's words");
	lmu_state_free(st);
}

static void
et_standing_still_is_loading(void)
{
	void	*st = lmu_state_new();
	int	 l1, l2, l3, l4;

	feed(st, 1000, "PRACTICE1", 100, PHASE_GREEN, 1, -1);
	feed(st, 1002, "PRACTICE1", 100, PHASE_GREEN, 1, -1);
	l1 = o.loading;		/* still for 2 s: could be a slow poll */
	feed(st, 1006, "PRACTICE1", 100, PHASE_GREEN, 1, -1);
	l2 = o.loading;		/* still for 6 s: the game is loading */
	feed(st, 1007, "PRACTICE1", 107, PHASE_GREEN, 1, -1);
	l3 = o.loading;		/* moving again */
	feed(st, 1008, "PRACTICE1", 107, PHASE_GREEN, 1, -1);
	l4 = o.loading;
	ok(!l1 && l2 && !l3 && !l4,
	    "ET standing still for seconds on the client's clock is loading (%d %d %d %d)", l1, l2,
	    l3, l4);
	lmu_state_free(st);

	st = lmu_state_new();
	feed(st, 1000, "PRACTICE1", 100, PHASE_PAUSED, 1, -1);
	feed(st, 1010, "PRACTICE1", 100, PHASE_PAUSED, 1, -1);
	l1 = o.loading;
	feed(st, 1020, "QUALIFY1", 100, PHASE_GREEN, 1, -1);
	l2 = o.loading;
	ok(!l1 && !l2, "a pause holds ET without loading, and a new session starts over");
	lmu_state_free(st);
}

static void
hosted_entry_slots(void)
{
	void	*st = lmu_state_new();
	int	 first;

	feed(st, 1000, "RACE1", 100, PHASE_GREEN, 1, 37);
	first = o.entry_slots_known;
	ok(o.nentries == 2 && o.entries[0].id == 37 && o.entries[0].slot == 0 &&
	    o.entries[1].id == 38 && o.entries[1].slot == 1 && !first,
	    "hosted sessions: an entry list numbered from an offset maps onto the standings' slots");
	feed(st, 1001, "RACE1", 101, PHASE_GREEN, 0, 37);
	ok(o.nentries == 2 && o.entries[0].slot == 0 && o.entries[1].slot == 1 &&
	    o.entry_slots_known, "the list seen again without standings keeps its slots");
	lmu_state_free(st);
	st = lmu_state_new();
	feed(st, 1000, "RACE1", 100, PHASE_GREEN, 0, 37);
	ok(o.nentries == 2 && o.entries[0].slot == 37 && !o.entry_slots_known,
	    "until standings show the offset, entry N is slot N");
	lmu_state_free(st);
}

static void
state_saved_and_loaded(void)
{
	struct buf	 b = { 0 };
	void		*st = lmu_state_new(), *back = lmu_state_new(), *bad = lmu_state_new();
	int		 l1, l2;

	feed(st, 1000, "RACE1", 100, PHASE_GREEN, 1, 37);
	feed(st, 1003, "RACE1", 100, PHASE_GREEN, 1, 37);
	ok(lmu_state_save(st, &b) == 1 && buf_putc(&b, '\0') >= 0 &&
	    lmu_state_load(back, b.p) == 1, "a state is saved and loaded");
	feed(back, 1006, "RACE1", 100, PHASE_GREEN, 0, 37);
	l1 = o.loading;
	ok(l1, "the loaded state goes on where the saved one stood");
	ok(lmu_state_load(bad, "not json") == 0 && lmu_state_load(bad, "{\"key\":5}") == 0 &&
	    lmu_state_load(bad, "{\"key\":\"k\",\"last_et\":1,\"last_at\":1,\"still_since\":0,"
	    "\"coherence\":1,\"utid_offset\":\"x\"}") == 0, "an unreadable state is refused");
	feed(bad, 1006, "RACE1", 100, PHASE_GREEN, 0, 37);
	l2 = o.loading;
	ok(!l2 && o.entries[0].slot == 37, "and leaves the state new");
	lmu_state_free(st);
	lmu_state_free(back);
	lmu_state_free(bad);
	buf_free(&b);
}

int
main(void)
{
	tap_plan(13);
	session_words();
	et_standing_still_is_loading();
	hosted_entry_slots();
	state_saved_and_loaded();
	obs_free(&o);
	return tap_done();
}
