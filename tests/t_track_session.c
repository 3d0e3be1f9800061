/*
 * Which session a frame belongs to (spec/tracking.md §1, §3): one test per
 * scenario, on the pure tracker with observations built in C.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "t_track_util.h"

static struct track	 T;
static struct tobs	 B;

static void
fresh(void)
{
	track_free(&T);
	track_init(&T);
}

/* One frame of a 2-car grid at ET et. */
static enum drop
grid(const char *client, double at, const char *type, double et, int online, struct tsession **s)
{
	tobs_session(&B, type, et, online);
	tobs_car(&B, 0, "CAR_A", "Ann", 0);
	tobs_car(&B, 1, "CAR_B", "Bob", 0);
	if (online) {
		tobs_entry(&B, 0, "CAR_A", "Team A", "Ann");
		tobs_entry(&B, 1, "CAR_B", "Team B", "Bob");
	}
	return tfeed(&T, client, at, &B, s);
}

static void
first_offline_frame_creates_a_session(void)
{
	struct tsession *s;

	fresh();
	ok(grid("c1", 1000, "PRACTICE1", 10, 0, &s) == DROP_NONE && s != NULL &&
	    tcount(&T, CH_SESSION_NEW) == 1 && tcount(&T, CH_CAR_NEW) == 2 &&
	    strcmp(s->owner, "c1") == 0 && !s->online, "first offline frame creates a session");
}

static void
next_frame_continues_it(void)
{
	struct tsession *a, *b;

	fresh();
	grid("c1", 1000, "PRACTICE1", 10, 0, &a);
	grid("c1", 1001, "PRACTICE1", 11, 0, &b);
	ok(a == b && tcount(&T, CH_SESSION_NEW) == 0 && T.nsess == 1, "the next frame continues it");
}

static void
paused_keeps_it(void)
{
	struct tsession *a, *b;

	fresh();
	grid("c1", 1000, "PRACTICE1", 10, 0, &a);
	tobs_session(&B, "PRACTICE1", 10.5, 0);
	B.o.phase = PHASE_PAUSED;
	tobs_car(&B, 0, "CAR_A", "Ann", 0);
	tfeed(&T, "c1", 1300, &B, &b);	/* five minutes paused: ET held */
	ok(a == b && T.nsess == 1, "a paused session (ET held) keeps its session");
}

static void
new_type_starts_new_session_with_transition(void)
{
	struct tsession *p, *q;

	fresh();
	grid("c1", 1000, "PRACTICE1", 10, 0, &p);
	for (int i = 0; i < 40; i++)
		grid("c1", 1001 + i, "PRACTICE1", 11 + i, 0, &p);
	tobs_session(&B, "PRACTICE1", 52, 0);
	tobs_car(&B, 0, "CAR_A", "Ann", 1)->last = 40;
	tfeed(&T, "c1", 1042, &B, &p);
	grid("c1", 1100, "QUALIFY1", 2, 0, &q);
	ok(p != q && tcount(&T, CH_SESSION_NEW) == 1 && tcount(&T, CH_SESSION_LINK) == 1 &&
	    strcmp(p->next_id, q->id) == 0 && strcmp(q->prev_id, p->id) == 0,
	    "a new session type starts a new session with a transition");
}

static void
et_reset_starts_new_session(void)
{
	struct tsession *p, *q;

	fresh();
	grid("c1", 1000, "RACE1", 1500, 0, &p);
	tobs_session(&B, "RACE1", 1501, 0);
	tobs_car(&B, 0, "CAR_A", "Ann", 1)->last = 60;
	tfeed(&T, "c1", 1001, &B, &p);
	grid("c1", 1010, "RACE1", 3, 0, &q);
	ok(p != q && strcmp(p->next_id, q->id) == 0, "an ET reset on the same server starts a new session");
}

static void
empty_session_merged_into_successor(void)
{
	struct tsession *p, *phantom, *q;

	fresh();
	grid("c1", 1000, "PRACTICE1", 100, 0, &p);
	tobs_session(&B, "PRACTICE1", 101, 0);
	tobs_car(&B, 0, "CAR_A", "Ann", 1)->last = 70;
	tfeed(&T, "c1", 1001, &B, &p);
	/* The game changes the phase (ET reset) before the session type... */
	grid("c1", 1100, "PRACTICE1", 1, 0, &phantom);
	/* ...and a couple of seconds later the type follows. */
	grid("c1", 1102, "QUALIFY1", 3, 0, &q);
	ok(phantom != p && q != phantom && tcount(&T, CH_SESSION_DROP) == 1 &&
	    strcmp(p->next_id, q->id) == 0 && strcmp(q->prev_id, p->id) == 0 && T.c.merged == 1,
	    "(better) an empty session created seconds before its successor is merged away");
}

static void
client_without_session_info_detaches(void)
{
	struct tsession *s, *none;
	enum drop d;

	fresh();
	grid("c1", 1000, "PRACTICE1", 10, 0, &s);
	memset(&B, 0, sizeof(B));
	d = tfeed(&T, "c1", 1001, &B, &none);
	ok(d == DROP_NO_SESSION && none == NULL && s->nclients == 0,
	    "a client that leaves (no sessionInfo) detaches");
}

static void
two_offline_clients_two_sessions(void)
{
	struct tsession *a, *b;

	fresh();
	grid("c1", 1000, "PRACTICE1", 10, 0, &a);
	grid("c2", 1000.5, "PRACTICE1", 10.5, 0, &b);
	ok(a != b && T.nsess == 2 && strcmp(b->owner, "c2") == 0,
	    "two offline clients make two sessions, never shared");
}

static void
two_online_clients_one_session(void)
{
	struct tsession *a, *b;

	fresh();
	grid("c1", 1000, "RACE1", 100, 1, &a);
	grid("c2", 1000.2, "RACE1", 100.2, 1, &b);
	ok(a == b && T.nsess == 1 && a->nclients == 2, "two online clients with the same data share one session");
}

static void
different_entry_lists_two_sessions(void)
{
	struct tsession *a, *b;

	fresh();
	grid("c1", 1000, "RACE1", 100, 1, &a);
	tobs_session(&B, "RACE1", 100.3, 1);
	tobs_car(&B, 0, "OTHER_X", "Xav", 0);
	tobs_car(&B, 1, "OTHER_Y", "Yan", 0);
	tobs_entry(&B, 0, "OTHER_X", "Team X", "Xav");
	tfeed(&T, "c2", 1000.3, &B, &b);
	ok(a != b && T.nsess == 2, "online frames with a different entry list make another session");
}

static void
late_joiner_continues_session(void)
{
	struct tsession *a, *b;

	fresh();
	for (int i = 0; i < 600; i += 10)
		grid("c1", 1000 + i, "RACE1", 100 + i, 1, &a);
	grid("c2", 1600, "RACE1", 700, 1, &b);
	ok(a == b && T.nsess == 1, "a second client joining late continues the same session");
}

static void
first_leaves_other_stays(void)
{
	struct tsession *a, *b, *c;

	fresh();
	grid("c1", 1000, "RACE1", 100, 1, &a);
	grid("c2", 1000.5, "RACE1", 100.5, 1, &b);
	memset(&B, 0, sizeof(B));
	tfeed(&T, "c1", 1001, &B, NULL);
	grid("c2", 1001.5, "RACE1", 101.5, 1, &c);
	ok(a == b && b == c && c->nclients == 1 && c->state == LIVE_LIVE,
	    "the first client leaving while another stays: the session continues");
}

static void
silent_client_back_same_session(void)
{
	struct tsession *a, *b;

	fresh();
	grid("c1", 1000, "RACE1", 100, 1, &a);
	grid("c1", 1300, "RACE1", 400, 1, &b);	/* five minutes without frames */
	ok(a == b && T.nsess == 1, "a client silent for minutes and back: same session");
}

static void
quali_to_race_either_first(void)
{
	struct tsession *q1, *q2, *r1, *r2;

	for (int order = 0; order < 2; order++) {
		const char *first = order ? "c2" : "c1", *second = order ? "c1" : "c2";
		fresh();
		grid("c1", 1000, "QUALIFY1", 500, 1, &q1);
		grid("c2", 1000.5, "QUALIFY1", 500.5, 1, &q2);
		tobs_session(&B, "QUALIFY1", 501, 1);
		tobs_car(&B, 0, "CAR_A", "Ann", 3)->last = 80;
		tobs_entry(&B, 0, "CAR_A", "Team A", "Ann");
		tfeed(&T, "c1", 1001, &B, NULL);
		grid(first, 1100, "RACE1", 2, 1, &r1);
		grid(second, 1100.5, "QUALIFY1", 600, 1, &q2);	/* still in qualifying */
		grid(second, 1101, "RACE1", 3, 1, &r2);
		ok(q1 == q2 && r1 == r2 && r1 != q1 && T.nsess == 2 && T.c.transitions == 1 &&
		    strcmp(q1->next_id, r1->id) == 0,
		    "qualifying to race with %s first: one new race session, one transition", first);
	}
}

static void
chequered_accepts_its_clients(void)
{
	struct tsession *a, *b, *c;

	fresh();
	grid("c1", 1000, "RACE1", 3500, 1, &a);
	tobs_session(&B, "RACE1", 3600, 1);
	B.o.phase = PHASE_CHECKERED;
	tobs_car(&B, 0, "CAR_A", "Ann", 0)->finish = FIN_FINISHED;
	tobs_car(&B, 1, "CAR_B", "Bob", 0);
	tfeed(&T, "c1", 1100, &B, &b);
	B.o.et = 3601;
	tfeed(&T, "c2", 1101, &B, &c);
	ok(a == b && b == c && c->finished && T.nsess == 1,
	    "at the chequered flag the session still takes its clients; new clients see it finished");
}

static void
closed_after_inactive_unless_time_remains(void)
{
	struct tsession *s;

	fresh();
	grid("c1", 1000, "PRACTICE1", 100, 0, &s);
	track_tick(&T, 1000 + TRACK_INACTIVE_AFTER + 1);
	int inactive = s->state == LIVE_INACTIVE;
	track_tick(&T, 1000 + TRACK_INACTIVE_AFTER + TRACK_CLOSE_AFTER + 1);
	ok(inactive && s->state == LIVE_CLOSED, "inactive after 10 min without frames, closed 20 min later");
	fresh();
	grid("c1", 1000, "RACE1", 100, 1, &s);
	s->end_et = 86400;	/* a 24-hour race: its time has not run out */
	track_tick(&T, 1000 + TRACK_INACTIVE_AFTER + TRACK_CLOSE_AFTER + 1);
	ok(s->state == LIVE_INACTIVE, "an online session whose remaining time has not run out is not closed");
}

static void
loading_and_replay_dropped_and_counted(void)
{
	struct tsession *s, *none;
	enum drop d1, d2, d3;

	fresh();
	grid("c1", 1000, "PRACTICE1", 100, 0, &s);
	tobs_session(&B, "PRACTICE1", 101, 0);
	B.o.replay = 1;
	d1 = tfeed(&T, "c1", 1001, &B, &none);
	tobs_session(&B, "PRACTICE1", -1, 0);
	d2 = tfeed(&T, "c1", 1002, &B, &none);
	tobs_session(&B, "PRACTICE1", 5000, 0);	/* ET jumps far more than wall clock */
	d3 = tfeed(&T, "c1", 1003, &B, &none);
	ok(d1 == DROP_REPLAY && d2 == DROP_LOADING && d3 == DROP_LOADING && s->dropped == 3 &&
	    T.c.dropped[DROP_REPLAY] == 1 && T.c.dropped[DROP_LOADING] == 2 && T.nsess == 1,
	    "replay and loading frames (negative ET, ET jumping) are dropped and counted");
}

static void
previous_sessions_finished_cars_dropped(void)
{
	struct tsession *q, *none;
	enum drop d;

	fresh();
	grid("c1", 1000, "QUALIFY1", 900, 0, &q);
	tobs_session(&B, "RACE1", 1, 0);
	tobs_car(&B, 0, "CAR_A", "Ann", 9)->finish = FIN_FINISHED;
	tobs_car(&B, 1, "CAR_B", "Bob", 8)->finish = FIN_FINISHED;
	d = tfeed(&T, "c1", 1100, &B, &none);
	ok(d == DROP_STALE && none == NULL && T.nsess == 1,
	    "a frame showing the previous session's finished cars during a transition is dropped");
}

static void
entries_join_cars_by_slot(void)
{
	struct tsession *s;

	fresh();
	tobs_session(&B, "RACE1", 100, 1);
	tobs_car(&B, 0, "CAR_A", "Ann", 0);
	tobs_car(&B, 1, "CAR_B", "Bob", 0);
	tobs_entry(&B, 37, "CAR_A", "Ann", "Ann")->slot = 0;
	tobs_entry(&B, 38, "CAR_B", "Bob", "Bob")->slot = 1;
	tfeed(&T, "c1", 1000, &B, &s);
	ok(s->nentries == 2 && s->entries[0].id == 37 && s->entries[1].id == 38 &&
	    s->entries[0].car == s->by_slot[0] && s->entries[1].car == s->by_slot[1] &&
	    tcount(&T, CH_ENTRY) == 2, "entries keep their own number and join the car in their slot");
}

static void
entry_members_badges_roles(void)
{
	struct tsession *s;

	fresh();
	grid("c1", 1000, "RACE1", 100, 1, &s);
	ok(s->nentries == 2 && s->entries[0].members != NULL &&
	    strcmp(s->entries[0].members, "Ann\tsr-clean\tFR\tDE\n") == 0 &&
	    strcmp(s->entries[0].name, "Team A") == 0,
	    "the entry list keeps members with badge, nationality and roles");
	grid("c1", 1001, "RACE1", 101, 1, &s);
	ok(tcount(&T, CH_ENTRY) == 0, "an unchanged entry list writes nothing");
}

static void
slot_reused_is_another_car(void)
{
	struct tsession *s;

	fresh();
	grid("c1", 1000, "PRACTICE1", 100, 0, &s);
	tobs_session(&B, "PRACTICE1", 101, 0);
	tobs_car(&B, 0, "CAR_C", "Cid", 0);
	tfeed(&T, "c1", 1001, &B, &s);
	ok(s->ncars == 3 && !s->cars[0]->present && s->by_slot[0] == s->cars[2] &&
	    tcount(&T, CH_CAR_NEW) == 1, "a slot reused by another vehicle is another car; the old one is kept");
}

static void
freshest_observation_wins(void)
{
	struct tsession *s;

	fresh();
	tobs_session(&B, "RACE1", 200, 1);
	tobs_car(&B, 0, "CAR_A", "Ann", 3)->position = 1;
	tfeed(&T, "c1", 1000, &B, &s);
	tobs_session(&B, "RACE1", 199, 1);	/* a lagging client */
	tobs_car(&B, 0, "CAR_A", "Ann", 3)->position = 5;
	tfeed(&T, "c2", 1000.1, &B, &s);
	ok(s->cars[0]->position == 1 && s->cars[0]->et == 200 && s->et == 200,
	    "an older observation never overwrites a newer one");
}

static void
conditions_sampled(void)
{
	struct tsession *s;
	int n = 0;

	fresh();
	for (int i = 0; i < 30; i++) {
		grid("c1", 1000 + i, "PRACTICE1", 100 + i, 0, &s);
		n += tcount(&T, CH_CONDITIONS);
	}
	ok(n == 3, "conditions are sampled every %g s of ET (%d samples in 30 s)", TRACK_COND_EVERY, n);
}

int
main(void)
{
	first_offline_frame_creates_a_session();
	next_frame_continues_it();
	paused_keeps_it();
	new_type_starts_new_session_with_transition();
	et_reset_starts_new_session();
	empty_session_merged_into_successor();
	client_without_session_info_detaches();
	two_offline_clients_two_sessions();
	two_online_clients_one_session();
	different_entry_lists_two_sessions();
	late_joiner_continues_session();
	first_leaves_other_stays();
	silent_client_back_same_session();
	quali_to_race_either_first();
	chequered_accepts_its_clients();
	closed_after_inactive_unless_time_remains();
	loading_and_replay_dropped_and_counted();
	previous_sessions_finished_cars_dropped();
	entries_join_cars_by_slot();
	entry_members_badges_roles();
	slot_reused_is_another_car();
	freshest_observation_wins();
	conditions_sampled();
	track_free(&T);
	return tap_done();
}
