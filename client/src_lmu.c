/*
 * The Le Mans Ultimate source: a fixed-rate schedule starts a poll of the
 * game's REST API (lmu.c says which endpoints), every request at once on
 * main's HTTP engine, or takes the next poll of a recording; the
 * guard (guard_lmu.c) decides whether the poll becomes a frame.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

struct game_poll {
	struct http_req	 req[EP__MAX];	/* req[e].tag == e */
	struct buf	 body[EP__MAX];	/* the answers, for lmu_responses() */
	int		 ok[EP__MAX];
	unsigned	 asked;		/* every round of this poll */
	unsigned	 running;
	int		 round;
	int		 active;
	double		 wall;		/* captured_at */
	double		 mono;
};

struct lmu_src {
	const struct config *cfg;
	struct http	*http;
	struct src_rec	 rec;
	struct guard	 guard;
	struct lmu_sched sched;
	struct game_poll gp;
	char		 game_base[512];
	struct buf	 resp;
	double		 next_poll;
	struct src_queue *q;		/* main's */
	/* replay */
	struct src_replay rp;
	struct rec_poll	 poll;		/* the next poll of the recording */
	int		 have;		/* ... read and not yet due */
	double		 last_w;
	/* status */
	enum guard_verdict verdict;
	char		 session[160];
	long long	 polls;
	int		 game_ok;
};

/* What a client that left its session sends last. */
static const char lmu_left[] = "{\"/rest/watch/sessionInfo\":null,"
    "\"/rest/multiplayer/join/state\":null,\"/rest/sessions/GetGameState\":null}";

/* Queues a frame; a full memory is logged and the frame lost. */
static void
lmu_emit(struct lmu_src *s, double captured_at, const char *resp, size_t len)
{
	if (srcq_push(s->q, captured_at, resp, len) < 0)
		log_err("out of memory: a frame is lost");
}

/*
 * Everything a poll goes through, live or replayed: the recording, the
 * guard, the frame. wall is captured_at, gt the time the guard measures
 * game time against. asked and ok are NULL when replaying.
 */
static void
lmu_poll_done(struct lmu_src *s, double wall, double gt, const char *resp, size_t len,
    unsigned asked, const int *ok)
{
	struct poll_summary	 sum;
	enum guard_verdict	 v;
	int			 rc;

	s->polls++;
	if (s->rec.w && rec_write(s->rec.w, srcrec_t(&s->rec), resp, len) < 0)
		srcrec_failed(&s->rec);
	if ((rc = guard_summarize(resp, len, &sum)) <= 0) {
		log_err("poll %lld: %s", s->polls, rc < 0 ? "out of memory" : "not a JSON object");
		return;
	}
	v = guard_decide(&s->guard, gt, &sum);
	if (asked != 0)
		lmu_observe(&s->sched, time_mono(), asked, ok, &sum);
	if (v != s->verdict)
		log_debug("game: %s", guard_names[v]);
	s->verdict = v;
	s->game_ok = sum.any_ok;
	if (sum.has_session)
		snprintf(s->session, sizeof(s->session), "%s ET %.0f %s", sum.session, sum.et,
		    sum.track);
	else
		s->session[0] = '\0';
	if (v == GUARD_SEND || v == GUARD_LEFT) {
		if (v == GUARD_LEFT)
			log_info("session left: sending the last frame");
		lmu_emit(s, wall, resp, len);
	}
	guard_summary_free(&sum);
}

/*
 * Starts one game request of the current poll. Returns 1 or -1.
 */
static int
game_request(struct lmu_src *s, int e)
{
	struct game_poll	*gp = &s->gp;
	struct http_req		*r = &gp->req[e];

	if (r->url[0] == '\0') {
		snprintf(r->url, sizeof(r->url), "%s%s", s->game_base, lmu_paths[e]);
		r->tag = e;
		r->timeout = r->connect_timeout = s->cfg->timeout;
		r->max_resp = BODY_MAX;
	}
	gp->ok[e] = 0;
	if (http_start(s->http, r) < 0)
		return -1;
	gp->running++;
	return 1;
}

static void
game_start_round(struct lmu_src *s, unsigned mask)
{
	for (int e = 0; e < EP__MAX; e++)
		if ((mask & (1u << e)) && !(s->gp.asked & (1u << e))) {
			s->gp.asked |= 1u << e;
			if (game_request(s, e) < 0)
				log_err("cannot start a request for %s", lmu_paths[e]);
		}
}

static void
game_start(struct lmu_src *s)
{
	struct game_poll *gp = &s->gp;

	gp->active = 1;
	gp->round = 0;
	gp->asked = 0;
	gp->running = 0;
	gp->wall = time_now();
	gp->mono = time_mono();
	game_start_round(s, lmu_plan(&s->sched, gp->mono, 0));
	if (gp->running == 0)
		gp->active = 0;
}

/*
 * One game request finished. When the poll's last one is in, either asks for
 * the session endpoints (the poll found a session the client did not know
 * about) or hands the poll on.
 */
static void
lmu_done(void *arg, struct http_req *r)
{
	struct lmu_src		*s = arg;
	struct game_poll	*gp = &s->gp;
	int			 e = r->tag;

	gp->running--;
	/* the answer moves out of the request; their buffers trade places */
	struct buf b = gp->body[e];
	gp->body[e] = r->resp;
	r->resp = b;
	gp->ok[e] = lmu_body_ok(r->status, &gp->body[e]);
	if (!gp->ok[e])
		log_debug("game %s: %s", lmu_paths[e], r->status == 0 ? r->error :
		    r->status != 200 ? "not 200" : "not JSON");
	if (gp->running > 0)
		return;
	if (gp->round == 0 && !s->sched.in_session && gp->ok[EP_SESSIONINFO] &&
	    gp->body[EP_SESSIONINFO].p[strspn(gp->body[EP_SESSIONINFO].p, " \t\r\n")] == '{') {
		char sess[24] = "";
		struct jspan v;
		if (jscan_document(gp->body[EP_SESSIONINFO].p, gp->body[EP_SESSIONINFO].len, &v))
			json_member_str(&v, "session", sess, sizeof(sess));
		s->sched.in_session = 1;
		s->sched.race = strncmp(sess, "RACE", 4) == 0;
		gp->round = 1;
		game_start_round(s, lmu_plan(&s->sched, time_mono(), 1));
		if (gp->running > 0)
			return;
	}
	gp->active = 0;
	if (lmu_responses(&s->resp, gp->asked, gp->body, gp->ok) < 0) {
		log_err("out of memory");
		return;
	}
	lmu_poll_done(s, gp->wall, gp->mono, s->resp.p, s->resp.len, gp->asked, gp->ok);
}

/*
 * Takes the polls of the recording that are due. Returns when none is due,
 * or when enough frames wait for the server at --speed max.
 */
static void
replay_feed(struct lmu_src *s, double now, long long backlog)
{
	struct buf	 err = { 0 };
	int		 rc;

	while (!s->rp.done) {
		if (!s->have) {
			buf_reset(&err);
			rc = srcrp_result(&s->rp, s->cfg->replay, rec_next(s->rp.rr, &s->poll, &err),
			    &err);
			if (rc == 0)
				continue;
			if (rc < 0) {
				if (s->guard.joined) {
					guard_end(&s->guard);
					log_info("end of the recording: sending the last frame");
					lmu_emit(s, s->rp.original ? s->last_w + s->cfg->poll_interval :
					    time_now(), lmu_left, sizeof(lmu_left) - 1);
				}
				log_info("%s: replayed %lld polls", s->cfg->replay, s->polls);
				break;
			}
			s->have = 1;
			srcrp_start(&s->rp, s->poll.t);
		}
		if (s->cfg->speed > 0) {
			if (srcrp_due(&s->rp, s->cfg->speed, s->poll.t) > now)
				break;
		} else if (backlog + srcq_len(s->q) >= SRC_AHEAD)
			break;
		/* captured now, as if live; the guard goes by the recording's clock */
		double w = s->rp.created + s->poll.t;
		s->last_w = w;
		s->have = 0;
		lmu_poll_done(s, srcrp_wall(&s->rp, s->poll.t), w, s->poll.responses.p,
		    s->poll.responses.len, 0, NULL);
	}
	buf_free(&err);
}

static void
lmu_ready(void *arg, double now, long long backlog)
{
	struct lmu_src *s = arg;

	if (s->cfg->replay) {
		replay_feed(s, now, backlog);
		return;
	}
	if (s->gp.active || now < s->next_poll || (s->cfg->once && s->polls > 0))
		return;
	game_start(s);
	s->next_poll += s->cfg->poll_interval;
	if (s->next_poll <= now)	/* fell behind: skip, do not catch up */
		s->next_poll = now + s->cfg->poll_interval -
		    fmod(now - s->next_poll, s->cfg->poll_interval);
}

static unsigned
lmu_wait(void *arg, double now, long long backlog, os_sock *socks, unsigned max,
    double *timeout)
{
	struct lmu_src *s = arg;

	(void)socks;
	(void)max;
	if (!s->cfg->replay && !s->gp.active && s->next_poll - now < *timeout)
		*timeout = s->next_poll - now;
	if (s->cfg->replay && s->cfg->speed > 0 && s->have) {
		double due = srcrp_due(&s->rp, s->cfg->speed, s->poll.t);
		if (due - now < *timeout)
			*timeout = due - now;
	}
	if (s->cfg->replay && s->cfg->speed == 0 && !s->rp.done &&
	    backlog + srcq_len(s->q) < SRC_AHEAD)
		*timeout = 0;
	return 0;
}

/*
 * Whether the source is through: --once after its poll, a replay at the
 * end of the recording.
 */
static int
lmu_finished(void *arg, int *status)
{
	struct lmu_src *s = arg;

	if (s->cfg->once && s->polls > 0 && !s->gp.active) {
		*status = s->game_ok ? 0 : 1;
		return 1;
	}
	return s->cfg->replay && srcrp_finished(&s->rp, status);
}

/* Leaving a live session: tell the server. */
static void
lmu_leave(void *arg, double now)
{
	struct lmu_src *s = arg;

	(void)now;
	if (s->cfg->replay || !s->guard.joined)
		return;
	guard_end(&s->guard);
	lmu_emit(s, time_now(), lmu_left, sizeof(lmu_left) - 1);
}

static void
lmu_status(void *arg, char *out, size_t outsz)
{
	struct lmu_src *s = arg;

	if (s->cfg->replay)
		snprintf(out, outsz, "replay %s%s", s->session[0] ? s->session : "-",
		    s->rp.done ? " (done)" : "");
	else if (!s->game_ok)
		snprintf(out, outsz, "game not found (nothing answers at %s)", s->game_base);
	else if (s->session[0])
		snprintf(out, outsz, "game found, in session %s%s", s->session,
		    s->verdict == GUARD_SEND ? "" : s->verdict == GUARD_LOADING ? " (loading)" :
		    s->verdict == GUARD_REPLAY ? " (watching a replay)" :
		    s->verdict == GUARD_STALE ? " (waiting for fresh standings)" : "");
	else
		snprintf(out, outsz, "game found, not in a session");
}

static void
lmu_close(void *arg)
{
	struct lmu_src *s = arg;

	if (s == NULL)
		return;
	for (int e = 0; e < EP__MAX; e++) {
		http_req_free(s->http, &s->gp.req[e]);
		buf_free(&s->gp.body[e]);
	}
	srcrec_close(&s->rec);
	srcrp_close(&s->rp);
	lmu_sched_free(&s->sched);
	buf_free(&s->resp);
	free(s);
}

/*
 * Opens the source: the game's address, the recording written (--record) or
 * read (--replay). Returns 1 with *out, 0 when it cannot start (logged).
 */
static int
lmu_open(void **out, const struct config *cfg, const struct client_ident *id,
    struct http *http, struct src_queue *q)
{
	struct lmu_src	*s;

	if ((*out = s = calloc(1, sizeof(*s))) == NULL) {
		log_err("out of memory");
		return 0;
	}
	s->cfg = cfg;
	s->q = q;
	s->http = http;
	s->next_poll = time_mono();
	snprintf(s->game_base, sizeof(s->game_base), "http://%s%s%s:%d",
	    strchr(cfg->game_host, ':') ? "[" : "", cfg->game_host,
	    strchr(cfg->game_host, ':') ? "]" : "", cfg->game_port);
	if (cfg->record) {
		char note[512];
		snprintf(note, sizeof(note), "recorded by %s from %s", id->name, s->game_base);
		if (!srcrec_open(&s->rec, cfg->record, REC_LMU, note))
			return 0;
	}
	if (cfg->replay) {
		if (!srcrp_open(&s->rp, cfg, REC_LMU))
			return 0;
		log_info("replaying %s", cfg->replay);
	} else
		log_info("polling %s", s->game_base);
	return 1;
}

const struct source src_lmu = {
	"lmu",
	lmu_open,
	lmu_wait,
	lmu_ready,
	lmu_done,
	lmu_finished,
	lmu_leave,
	lmu_status,
	lmu_close,
};
