/*
 * The race control log (ingest/racelog.c, docs/pitwall.md): each kind of
 * event derived from frames fed to the pure tracker, once, in order, with
 * what it says; and what the log must not say (a first look, a practice
 * lead, a frame seen again).
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "t_track_util.h"

static struct track	 T;
static struct tobs	 B;
static char		 got[4096];	/* "kind kind ..." of every event since reset */
static struct tlog	 last[64];	/* the events themselves */
static int		 nlast;
static struct tsession	*S;

static void
reset(void)
{
	track_free(&T);
	track_init(&T);
	got[0] = '\0';
	nlast = 0;
	S = NULL;
}

/* Feeds B at ET BASE + et (a session under way) and notes the events it made. */
#define BASE 1000.0
static void
feed(double et)
{
	et += BASE;
	B.o.et = et;
	B.o.remaining = 3600 - et;
	enum drop d = tfeed(&T, "c1", 100000 + et, &B, &S);
	if (d != DROP_NONE)
		diag("frame at %.1f: %s", et, drop_names[d]);
	for (size_t i = 0; i < T.nch; i++) {
		if (T.ch[i].type != CH_LOG)
			continue;
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", got[0] ? " " : "",
		    T.ch[i].log.kind);
		if (nlast < 64)
			last[nlast++] = T.ch[i].log;
	}
}

/* One car, "Ann" in "#7", on laps. */
static struct obs_car *
one(const char *type, double et, int laps)
{
	struct obs_car *c;

	tobs_session(&B, type, et, 0);
	c = tobs_car(&B, 0, "CAR_A", "Ann", laps);
	c->number = "7";
	return c;
}

static const struct tlog *
find(const char *kind)
{
	for (int i = 0; i < nlast; i++)
		if (strcmp(last[i].kind, kind) == 0)
			return &last[i];
	return NULL;
}

static void
session_begins(void)
{
	reset();
	one("RACE1", 10, 0);
	feed(10);
	feed(11);
	is_str(got, "session", "a new session is logged once, and nothing else on a first look");
	ok(find("session") && strstr(find("session")->text, "Test Ring"), "it names the track");
}

static void
stop_with_swap(void)
{
	struct obs_car *c;

	reset();
	c = one("RACE1", 10, 3);
	feed(10);
	c->pit_state = PIT_ENTERING;
	feed(20);
	c->pit_state = PIT_STOPPED;
	feed(30);
	c->driver = "Bob";
	feed(50);
	c->pit_state = PIT_EXITING;
	feed(62.5);
	c->pit_state = PIT_NONE;
	feed(80);
	c->laps = 4;
	feed(100);
	feed(101);
	is_str(got, "session pit_in swap stop pit_out",
	    "a stop: lane entry, the swap, the stop with its time, the lane exit, once each");
	ok(find("stop") && strstr(find("stop")->text, "#7 stopped 32.5 s") &&
	    strstr(find("stop")->text, "Bob takes over") && strstr(find("stop")->data, "\"duration\":32.5"),
	    "the stop says its length and who takes over: %s", find("stop") ? find("stop")->text : "");
	ok(find("swap") && strstr(find("swap")->text, "Ann → Bob") &&
	    strcmp(find("swap")->driver, "Bob") == 0, "the swap names both drivers");
	ok(find("pit_out") && strstr(find("pit_out")->text, "after 60.0 s") &&
	    find("pit_out")->et == BASE + 80 && find("pit_in")->et == BASE + 20 && find("pit_in")->lap == 4,
	    "lane time, ETs and the lap of the visit");
}

static void
drive_through(void)
{
	struct obs_car *c;

	reset();
	c = one("RACE1", 10, 3);
	feed(10);
	c->pit_state = PIT_ENTERING;
	feed(20);
	c->pit_state = PIT_EXITING;
	feed(40);
	c->pit_state = PIT_NONE;
	feed(45);
	is_str(got, "session pit_in pit_out", "a drive-through is an entry and an exit, no stop");
}

static void
garage_visit(void)
{
	struct obs_car *c;

	reset();
	c = one("PRACTICE1", 10, 2);
	feed(10);
	c->in_garage = 1;
	feed(20);
	c->in_garage = 0;
	feed(200);
	is_str(got, "session garage_in garage_out", "a garage visit: in and out");
}

static void
penalties(void)
{
	struct obs_car *c;

	reset();
	c = one("RACE1", 10, 3);
	c->penalties = 1;
	feed(10);
	is_str(got, "session", "a penalty already there on the first look is not logged");
	c->penalties = 3;
	feed(20);
	c->penalties = 2;
	feed(30);
	c->penalties = 0;
	feed(40);
	feed(50);
	is_str(got, "session penalty penalty penalty_served penalty_served penalty_served",
	    "each penalty given and served once");
	ok(find("penalty") && strstr(find("penalty")->text, "3 to serve") &&
	    strcmp(last[1].ref, last[2].ref) != 0, "two penalties at once are two events");
}

static void
full_course_yellow(void)
{
	reset();
	one("RACE1", 10, 3);
	feed(10);
	B.o.phase = PHASE_FCY;
	feed(20);
	feed(30);
	B.o.phase = PHASE_GREEN;
	feed(90);
	B.o.phase = PHASE_CHECKERED;
	feed(200);
	is_str(got, "session fcy fcy_end phase",
	    "a full-course yellow and its end, without a green phase besides; then the flag");
	ok(find("fcy")->et == BASE + 20 && find("fcy_end")->et == BASE + 90 && find("fcy")->lap < 0,
	    "the yellow's ETs; it concerns no car");
	ok(strstr(find("phase")->text, "Chequered") && strstr(find("phase")->data, "checkered"),
	    "the phase says which");
}

static void
local_yellows(void)
{
	reset();
	one("RACE1", 10, 3);
	snprintf(B.o.sector_flags, sizeof(B.o.sector_flags), "GGG");
	feed(10);
	snprintf(B.o.sector_flags, sizeof(B.o.sector_flags), "GYG");
	feed(20);
	snprintf(B.o.sector_flags, sizeof(B.o.sector_flags), "GYG");
	feed(25);
	snprintf(B.o.sector_flags, sizeof(B.o.sector_flags), "GGG");
	feed(30);
	is_str(got, "session yellow yellow_clear", "a local yellow in a sector and its clearing");
	ok(strstr(find("yellow")->text, "sector 2") != NULL, "the sector is named");
}

static void
retirement_and_flag(void)
{
	struct obs_car *a, *b;

	reset();
	tobs_session(&B, "RACE1", 10, 0);
	a = tobs_car(&B, 0, "CAR_A", "Ann", 3);
	b = tobs_car(&B, 1, "CAR_B", "Bob", 3);
	a->number = "7";
	b->number = "8";
	b->cls = "LMP2";
	feed(10);
	b->finish = FIN_DNF;
	feed(20);
	a->finish = FIN_FINISHED;
	a->laps = 4;
	feed(30);
	feed(40);
	is_str(got, "session retired finish", "a retirement and the chequered flag of a car, once each");
	ok(strstr(find("finish")->text, "#7 took the chequered flag") != NULL &&
	    strstr(find("finish")->data, "\"position\":1") && find("finish")->lap == 4,
	    "the flag, with the position and laps: %s", find("finish")->text);
	b->finish = FIN_DQ;
	feed(50);
	ok(strstr(got, " dq") != NULL, "a disqualification");
}

static void
class_fastest_lap(void)
{
	struct obs_car *c;

	reset();
	c = one("RACE1", 10, 1);
	feed(10);
	c->laps = 2;
	c->last = 95.5;
	feed(100);
	c->laps = 3;
	c->last = 97.0;
	feed(200);
	c->laps = 4;
	c->last = 94.25;
	feed(300);
	is_str(got, "session fastest_lap fastest_lap", "each new class best lap; a slower lap is none");
	ok(nlast == 3 && strstr(last[2].text, "1:34.250") && strstr(last[2].text, "GT3") &&
	    last[2].lap == 4, "the best's time, class and lap: %s", nlast == 3 ? last[2].text : "");
}

static void
lead_changes(const char *type, const char *want, const char *name)
{
	struct obs_car *a, *b;

	reset();
	tobs_session(&B, type, 10, 0);
	a = tobs_car(&B, 0, "CAR_A", "Ann", 2);
	b = tobs_car(&B, 1, "CAR_B", "Bob", 2);
	a->number = "7";
	b->number = "8";
	a->lap_dist = 500;
	b->lap_dist = 400;
	feed(10);
	a->lap_dist = 100;
	b->lap_dist = 600;
	a->position = 2;
	b->position = 1;
	feed(20);
	feed(30);
	is_str(got, want, "%s", name);
}

static void
stale_frames(void)
{
	struct obs_car *c;

	reset();
	c = one("RACE1", 10, 3);
	feed(50);
	c->penalties = 1;
	feed(60);
	/* a late frame, from before the penalty */
	c->penalties = 0;
	B.o.et = BASE + 55;
	{
		enum drop d = tfeed(&T, "c1", 100000 + BASE + 55, &B, &S);
		int logs = 0;
		for (size_t i = 0; i < T.nch; i++)
			logs += T.ch[i].type == CH_LOG;
		ok(d == DROP_NONE && logs == 0, "an older view is applied and logs nothing (%s, %d)",
		    drop_names[d], logs);
	}
	c->penalties = 1;
	feed(70);
	is_str(got, "session penalty", "and the newer view goes on without a repeat");
}

int
main(void)
{
	session_begins();
	stop_with_swap();
	drive_through();
	garage_visit();
	penalties();
	full_course_yellow();
	local_yellows();
	retirement_and_flag();
	class_fastest_lap();
	lead_changes("RACE1", "session lead", "a class lead change in a race");
	lead_changes("PRACTICE1", "session", "no lead changes outside races");
	stale_frames();
	track_free(&T);
	return tap_done();
}
