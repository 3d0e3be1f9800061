/*
 * The neutral vocabulary (lib/vocab.c): stored session types formatted,
 * parsed and labelled for every kind and number, bad inputs refused;
 * sources, their caps and finish statuses found by name.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "vocab.h"

static void
session_types(void)
{
	static const struct { const char *type, *label; } labels[] = {
		{ "race1", "Race" }, { "race2", "Race 2" }, { "qualify1", "Qualifying" },
		{ "practice3", "Practice 3" }, { "warmup", "Warm-up" }, { "test", "Test day" },
		{ "other", "Session" }, { "RACE1", "RACE1" }, { NULL, "" },
	};
	char			 type[16], label[32];
	enum session_kind	 k;
	int			 n, good = 1;

	for (int kind = 0; kind < SK__MAX; kind++)
		for (n = 0; n <= 9; n++) {
			enum session_kind	 pk;
			int			 pn;
			char			 want[16];
			if (n == 0)
				snprintf(want, sizeof(want), "%s", session_kind_names[kind]);
			else
				snprintf(want, sizeof(want), "%s%d", session_kind_names[kind], n);
			if (session_type_format(kind, n, type, sizeof(type)) != 0 ||
			    strcmp(type, want) != 0 || session_type_parse(type, &pk, &pn) != 0 ||
			    pk != (enum session_kind)kind || pn != n ||
			    session_kind_find(session_kind_names[kind]) != kind) {
				diag("kind %d number %d: %s", kind, n, type);
				good = 0;
			}
		}
	ok(good, "every kind and number is formatted and parsed back");
	ok(session_type_format(SK__MAX + 3, 1, type, sizeof(type)) == 0 &&
	    strcmp(type, "other1") == 0, "a kind out of range is formatted as other");
	ok(session_type_format(SK_PRACTICE, 1, type, 9) == -1 &&
	    session_type_format(SK_PRACTICE, 1, type, 10) == 0, "a type too long for out is refused");
	ok(session_type_parse(NULL, &k, &n) < 0 && session_type_parse("", &k, &n) < 0 &&
	    session_type_parse("RACE1", &k, &n) < 0 && session_type_parse("race0", &k, &n) < 0 &&
	    session_type_parse("race12", &k, &n) < 0 && session_type_parse("races", &k, &n) < 0 &&
	    session_type_parse("race1 ", &k, &n) < 0 && session_type_parse("qualify-1", &k, &n) < 0,
	    "a type that is none of ours is refused");
	ok(session_kind_find("RACE") == SK_RACE && session_kind_find("warmup") == SK_WARMUP &&
	    session_kind_find("race1") == -1 && session_kind_find(NULL) == -1,
	    "a kind name is found in any case, nothing else");
	good = 1;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		session_type_label(labels[i].type, label, sizeof(label));
		if (strcmp(label, labels[i].label) != 0) {
			diag("%s: %s", labels[i].type ? labels[i].type : "NULL", label);
			good = 0;
		}
	}
	ok(good, "labels read as a person says them; a type that is none of ours as it is");
}

static void
sources_and_finish(void)
{
	ok(source_find("lmu") == SRC_LMU && source_find("ac") == SRC_AC &&
	    source_find("pcars2") == SRC_PCARS2 && source_find("LMU") == -1 &&
	    source_find("PCARS2") == -1 && source_find("ams2") == -1 && source_find("") == -1 &&
	    source_find(NULL) == -1, "sources are found by their exact name");
	ok(strcmp(source_labels[SRC_PCARS2], "Automobilista 2 / Project CARS 2") == 0 &&
	    (source_caps_of("pcars2") & (CAP_SECTORS | CAP_PITS | CAP_FUEL)) ==
	    (CAP_SECTORS | CAP_PITS | CAP_FUEL) && !(source_caps_of("pcars2") & CAP_ENTRIES) &&
	    !(source_caps_of("pcars2") & (CAP_VE | CAP_TEAMS)),
	    "pcars2 has its label and shows sectors, pits and fuel, no entry list, no VE, no teams");
	ok((source_caps_of("lmu") & CAP_TEAMS) && (source_caps_of("ac") & CAP_TEAMS) &&
	    (source_caps_of("lmu") & CAP_CHAT) && (source_caps_of("ac") & CAP_CHAT) &&
	    !(source_caps_of("pcars2") & CAP_CHAT), "LMU and AC name teams and chat, pcars2 neither");
	ok((source_caps_of("lmu") & (CAP_FUEL | CAP_SECTORS | CAP_ENTRIES)) ==
	    (CAP_FUEL | CAP_SECTORS | CAP_ENTRIES) && source_caps_of("ac") == source_caps[SRC_AC] &&
	    source_caps_of("nope") == ~0u && source_caps_of(NULL) == ~0u,
	    "a source's caps; an unknown source hides nothing");
	ok(finish_find("none") == FIN_NONE && finish_find("finished") == FIN_FINISHED &&
	    finish_find("dnf") == FIN_DNF && finish_find("dq") == FIN_DQ &&
	    finish_find("FSTAT_DNF") == -1 && finish_find("DNF") == -1 && finish_find(NULL) == -1,
	    "finish statuses are found by their stored name, nothing else");
	ok(strcmp(car_status_names[CST_RUNNING], "running") == 0 &&
	    strcmp(car_status_names[CST_DQ], "dq") == 0 &&
	    strcmp(phase_names[PHASE_PAUSED], "paused") == 0, "car statuses and phases have names");
}

int
main(void)
{
	tap_plan(12);
	session_types();
	sources_and_finish();
	return tap_done();
}
