/*
 * Clocks (spec/wire-protocol.md Trackside-Sent-At, spec/tracking.md §1):
 * the tracker places each frame at its capture time on the server's clock,
 * using the offset measured on the upload that carried it (received − sent),
 * so which session a frame joins does not depend on when it arrives. One
 * test per case, on the pure tracker with observations built in C.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "t_track_util.h"

#define T0	1790000000.0	/* server time of the first poll, epoch seconds */

static struct track	 T;
static struct tobs	 B;

static void
fresh(void)
{
	track_free(&T);
	track_init(&T);
}

/*
 * One frame of an online 2-car race at ET et: captured at cap (client
 * clock), its upload sent at sent (client clock, 0 = no header) and
 * received at recv (server clock).
 */
static enum drop
frame(const char *client, double recv, double cap, double sent, double et, struct tsession **s)
{
	struct track_in	 in;
	struct tsession	*dummy;
	static long long seq;

	tobs_session(&B, "RACE1", et, 1);
	tobs_car(&B, 0, "CAR_A", "Ann", 0);
	tobs_car(&B, 1, "CAR_B", "Bob", 0);
	tobs_entry(&B, 0, "CAR_A", "Team A", "Ann");
	tobs_entry(&B, 1, "CAR_B", "Team B", "Bob");
	memset(&in, 0, sizeof(in));
	in.client = client;
	in.seq = ++seq;
	in.received_at = recv;
	in.captured_at = cap;
	in.sent_at = sent;
	in.sim = "lmu";
	track_changes_reset(&T);
	return track_frame(&T, &in, &B.o, s ? s : &dummy);
}

/* ET of the race at server time t: green at T0 with ET 100. */
static double
et_at(double t)
{
	return 100 + (t - T0);
}

/* What a test's frames did: the session of the first, whether all joined it, drops. */
struct run {
	struct tsession	*first;
	int		 same, drops;
};

/*
 * Feeds a frame captured at server time at by a client whose clock is skew
 * seconds fast, its upload sent at server time sent (0: without the
 * header) and received at recv.
 */
static void
feed(struct run *r, const char *client, double recv, double at, double skew, double sent)
{
	struct tsession *s = NULL;

	r->drops += frame(client, recv, at + skew, sent > 0 ? sent + skew : 0, et_at(at), &s) !=
	    DROP_NONE;
	if (r->first == NULL)
		r->first = s;
	r->same = r->same && s == r->first;
}

/* Feeds the polls from T0 + from to T0 + to of a client sending live (delay s in transit). */
static void
live(struct run *r, const char *client, int from, int to, double delay, double skew)
{
	for (int k = from; k < to; k++)
		feed(r, client, T0 + k + delay, T0 + k, skew, T0 + k);
}

static void
offset_is_received_minus_sent(void)
{
	struct run r = { NULL, 1, 0 };

	fresh();
	/* A client 90 s fast: captured at T0, sent 5 min later. */
	feed(&r, "c1", T0 + 300, T0, 90, T0 + 300);
	ok(r.drops == 0 && r.first != NULL && r.first->started_at == T0 && r.first->et_at == T0,
	    "a frame sent late by a client with a wrong clock is placed at its capture time "
	    "(received − sent is the offset)");
}

static void
spooled_first_ten_minutes_merges(void)
{
	struct run r = { NULL, 1, 0 };

	fresh();
	/* c1 sends live; c2 saw the same race but reaches the server only at T0 + 600. */
	live(&r, "c1", 0, 600, 0, 0);
	for (int k = 0; k < 600; k++) {
		double recv = T0 + 600 + (k / 100) * 0.2;	/* batches of 100 */
		feed(&r, "c2", recv, T0 + k, 0, recv);
	}
	for (int k = 600; k < 700; k++) {
		live(&r, "c1", k, k + 1, 0, 0);
		live(&r, "c2", k, k + 1, 0.3, 0);
	}
	ok(r.same && r.drops == 0 && T.nsess == 1 && r.first->nclients == 2,
	    "a client that spooled its first 10 minutes joins the live session, nothing dropped "
	    "(%d drops, %zu sessions)", r.drops, T.nsess);
}

static void
skewed_client_merges(void)
{
	struct run r = { NULL, 1, 0 };

	fresh();
	live(&r, "c1", 0, 300, 0, 0);
	/* c2's clock is 90 s fast and its first 2 minutes come late, in one go. */
	for (int k = 180; k < 300; k++)
		feed(&r, "c2", T0 + 300, T0 + k, 90, T0 + 300);
	for (int k = 300; k < 400; k++) {
		live(&r, "c1", k, k + 1, 0, 0);
		live(&r, "c2", k, k + 1, 0.5, 90);
	}
	/* c2's last frame, placed late by its time in transit, 0.5 s */
	ok(r.same && r.drops == 0 && T.nsess == 1 && fabs(r.first->et_at - (T0 + 399.5)) < 1e-6,
	    "a client 90 s fast whose first frames come late merges, placed on the server's clock "
	    "(%d drops, %zu sessions)", r.drops, T.nsess);
}

static void
replayed_out_of_order_merges(void)
{
	struct run	 r = { NULL, 1, 0 };
	double		 recv = T0 + 86400 * 200;	/* replayed 200 days later */

	fresh();
	/*
	 * Two recordings of one race sent as fast as the server takes them:
	 * c3 joined the race 300 s after c1, so its frames run 300 s ahead.
	 */
	for (int k = 0; k < 600; k++) {
		recv += 0.01;
		feed(&r, "c1", recv, T0 + k, 0, recv);
		recv += 0.01;
		feed(&r, "c3", recv, T0 + 300 + k, 0, recv);
	}
	ok(r.same && r.drops == 0 && T.nsess == 1 && r.first->started_at == T0,
	    "recordings replayed at full speed with their capture times make one session whatever "
	    "the arrival order (%d drops, %zu sessions)", r.drops, T.nsess);
	track_tick(&T, recv + 1);
	ok(r.first->state == LIVE_LIVE, "frames captured long ago keep their session live as they arrive");
	track_tick(&T, recv + TRACK_INACTIVE_AFTER + 1);
	ok(r.first->state == LIVE_INACTIVE, "... and it turns inactive once they stop arriving");
}

static void
without_header_the_offset_is_estimated(void)
{
	struct run r = { NULL, 1, 0 };

	fresh();
	/* A version 1 client without Trackside-Sent-At, 90 s fast, sending live. */
	for (int k = 0; k < 60; k++) {
		live(&r, "c1", k, k + 1, 0, 0);
		feed(&r, "c2", T0 + k + 0.4, T0 + k, 90, 0);
	}
	/* c2's last frame, placed 0.4 s after c1's (its smallest delay) */
	ok(r.same && T.nsess == 1 && fabs(r.first->et_at - (T0 + 59.4)) < 1e-6,
	    "without the header the offset is estimated from the smallest received − captured");
}

int
main(void)
{
	log_init("t_track_clock", 1, LOG_LVL_ERR);
	tap_plan(7);
	track_init(&T);
	offset_is_received_minus_sent();
	spooled_first_ten_minutes_merges();
	skewed_client_merges();
	replayed_out_of_order_merges();
	without_header_the_offset_is_estimated();
	track_free(&T);
	return tap_done();
}
