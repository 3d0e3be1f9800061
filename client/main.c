/*
 * trackside-client: one thread, one curl multi handle. A fixed-rate
 * schedule starts a poll of the game (or takes the next poll of a
 * recording), the guard decides whether it becomes a frame, the frame goes
 * to the spool, and the uploader drains the spool in order, one frame or a
 * batch per request, backing off while the server cannot take them.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "client.h"

#define UP_RESP_MAX	65536
#define REPLAY_AHEAD	1000	/* frames pending before --speed max waits */
#define STORE_BYTES	(1u << 20)	/* stored (gzip) bytes read for one batch */

static volatile sig_atomic_t stop;

struct game_poll {
	CURL		*h[EP__MAX];
	struct buf	 body[EP__MAX];
	int		 ok[EP__MAX];
	int		 tag[EP__MAX];	/* tag[e] == e, the handles' private pointers */
	unsigned	 asked;		/* every round of this poll */
	unsigned	 running;
	int		 round;
	int		 active;
	double		 wall;		/* captured_at */
	double		 mono;
};

struct uploader {
	CURL		*h;
	struct curl_slist *hdrs;	/* the same for every request */
	struct curl_slist *req_hdrs;	/* ... and Trackside-Sent-At, this request's */
	struct buf	 body;
	struct buf	 resp;
	char		 retry_after[32];
	struct spool_rec *recs;
	size_t		 n;		/* frames read from the spool */
	size_t		 nsent;		/* ... of which this upload carries */
	int		 busy;
	int		 failures;
	double		 next_try;	/* mono */
	long long	 single_until;	/* send one at a time up to this seq */
	int		 state;		/* -1 unknown, 0 failing, 1 ok */
	char		 last[160];	/* last problem, for the status line */
	long long	 sent;
	long long	 rejected;
	int		 fatal;		/* a problem that only a person can fix */
};

struct client {
	struct config	 cfg;
	struct client_ident id;
	struct spool	*sp;
	struct rec_writer *rec;
	double		 rec_mono0;
	struct guard	 guard;
	struct lmu_sched sched;
	CURLM		*multi;
	struct game_poll gp;
	struct uploader	 up;
	char		 game_base[512];
	char		 upload_url[1024];
	struct buf	 resp, frame, gz;
	/* replay */
	struct rec_reader *rr;
	struct rec_poll	 rp;
	int		 rr_have;
	int		 rr_done;
	int		 rr_error;
	double		 rr_created;
	double		 rr_epoch;
	double		 rr_mono0;
	double		 rr_last_w;
	/* status */
	enum guard_verdict verdict;
	char		 session[160];
	long long	 polls;
	long long	 frames;
	long long	 print_seq;
	int		 game_ok;
	int		 tty;
	double		 status_at;
};

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t len = size * n;

	if (b->len + len > BODY_MAX || buf_add(b, p, len) < 0)
		return 0;	/* too large: the transfer fails */
	return len;
}

static size_t
up_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t len = size * n;

	if (b->len < UP_RESP_MAX)
		buf_add(b, p, b->len + len > UP_RESP_MAX ? UP_RESP_MAX - b->len : len);
	return len;
}

static size_t
up_header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct uploader	*up = arg;
	size_t		 len = size * n;

	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		size_t i = 12, o = 0;
		while (i < len && p[i] == ' ')
			i++;
		while (i < len && p[i] != '\r' && p[i] != '\n' && o + 1 < sizeof(up->retry_after))
			up->retry_after[o++] = p[i++];
		up->retry_after[o] = '\0';
	}
	return len;
}

/*
 * Turns the frame of a poll into a line on standard output (--print) or a
 * record in the spool. Returns 1, 0 when the frame could not be kept
 * (logged), -1 on a system error.
 */
static int
client_emit(struct client *c, double captured_at, const char *resp, size_t len)
{
	long long seq;
	int rc;

	buf_reset(&c->frame);
	if (c->cfg.print) {
		if (frame_build(&c->frame, &c->id, ++c->print_seq, captured_at, resp, len) < 0)
			return -1;
		fwrite(c->frame.p, 1, c->frame.len, stdout);
		fputc('\n', stdout);
		fflush(stdout);
		c->frames++;
		return 1;
	}
	if (c->sp == NULL)
		return 1;	/* no server: recording only */
	seq = spool_next_seq(c->sp);
	buf_reset(&c->gz);
	if (frame_build(&c->frame, &c->id, seq, captured_at, resp, len) < 0 ||
	    gz_deflate(c->frame.p, c->frame.len, 6, &c->gz) < 0)
		return -1;
	if (c->frame.len > FRAME_MAX_INFLATED) {
		log_err("frame %lld is %zu bytes, more than a server takes; not kept", seq,
		    c->frame.len);
		return 0;
	}
	if ((rc = spool_append(c->sp, c->gz.p, c->gz.len, &seq)) <= 0) {
		if (rc < 0)
			log_err("spool: cannot keep frame %lld: %s", seq, strerror(errno));
		else
			log_err("spool: frame %lld (%zu bytes) is larger than spool-cap", seq,
			    c->gz.len);
		return rc;
	}
	c->frames++;
	return 1;
}

/*
 * Everything a poll goes through, live or replayed: the recording, the
 * guard, the frame. wall is captured_at, gt the time the guard measures
 * game time against. asked and ok are NULL when replaying.
 */
static void
client_poll_done(struct client *c, double wall, double gt, const char *resp, size_t len,
    unsigned asked, const int *ok)
{
	struct poll_summary	 sum;
	enum guard_verdict	 v;
	int			 rc;

	c->polls++;
	if (c->rec && rec_write(c->rec, time_mono() - c->rec_mono0, resp, len) < 0) {
		log_err("--record: cannot write: %s; recording stopped", strerror(errno));
		rec_finish(c->rec);
		c->rec = NULL;
	}
	if ((rc = guard_summarize(resp, len, &sum)) <= 0) {
		log_err("poll %lld: %s", c->polls, rc < 0 ? "out of memory" : "not a JSON object");
		return;
	}
	v = guard_decide(&c->guard, gt, &sum);
	if (asked != 0)
		lmu_observe(&c->sched, time_mono(), asked, ok, &sum);
	if (v != c->verdict)
		log_debug("game: %s", guard_names[v]);
	c->verdict = v;
	c->game_ok = sum.any_ok;
	if (sum.has_session)
		snprintf(c->session, sizeof(c->session), "%s ET %.0f %s", sum.session, sum.et,
		    sum.track);
	else
		c->session[0] = '\0';
	if (v == GUARD_SEND || v == GUARD_LEFT) {
		if (v == GUARD_LEFT)
			log_info("session left: sending the last frame");
		client_emit(c, wall, resp, len);
	}
	guard_summary_free(&sum);
}

/*
 * Adds one game request of the current poll to the multi handle. Returns 1
 * or -1.
 */
static int
game_request(struct client *c, int e)
{
	struct game_poll	*gp = &c->gp;
	char			 url[1024];

	if (gp->h[e] == NULL) {
		if ((gp->h[e] = curl_easy_init()) == NULL)
			return -1;
		snprintf(url, sizeof(url), "%s%s", c->game_base, lmu_paths[e]);
		curl_easy_setopt(gp->h[e], CURLOPT_URL, url);
		curl_easy_setopt(gp->h[e], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(gp->h[e], CURLOPT_WRITEFUNCTION, write_cb);
		curl_easy_setopt(gp->h[e], CURLOPT_WRITEDATA, &gp->body[e]);
		gp->tag[e] = e;
		curl_easy_setopt(gp->h[e], CURLOPT_PRIVATE, (char *)&gp->tag[e]);
		curl_easy_setopt(gp->h[e], CURLOPT_TIMEOUT_MS, (long)(c->cfg.timeout * 1000));
		curl_easy_setopt(gp->h[e], CURLOPT_CONNECTTIMEOUT_MS, (long)(c->cfg.timeout * 1000));
		curl_easy_setopt(gp->h[e], CURLOPT_USERAGENT, CLIENT_VERSION);
		curl_easy_setopt(gp->h[e], CURLOPT_HTTPHEADER, NULL);
	}
	buf_reset(&gp->body[e]);
	gp->ok[e] = 0;
	if (curl_multi_add_handle(c->multi, gp->h[e]) != CURLM_OK)
		return -1;
	gp->running++;
	return 1;
}

static void
game_start_round(struct client *c, unsigned mask)
{
	for (int e = 0; e < EP__MAX; e++)
		if ((mask & (1u << e)) && !(c->gp.asked & (1u << e))) {
			c->gp.asked |= 1u << e;
			if (game_request(c, e) < 0)
				log_err("cannot start a request for %s", lmu_paths[e]);
		}
}

static void
game_start(struct client *c)
{
	struct game_poll *gp = &c->gp;

	gp->active = 1;
	gp->round = 0;
	gp->asked = 0;
	gp->running = 0;
	gp->wall = time_now();
	gp->mono = time_mono();
	game_start_round(c, lmu_plan(&c->sched, gp->mono, 0));
	if (gp->running == 0)
		gp->active = 0;
}

/*
 * One game request finished. When the poll's last one is in, either asks for
 * the session endpoints (the poll found a session the client did not know
 * about) or hands the poll on.
 */
static void
game_done(struct client *c, int e, CURL *h, CURLcode res)
{
	struct game_poll	*gp = &c->gp;
	long			 status = 0;

	curl_multi_remove_handle(c->multi, h);
	gp->running--;
	if (res == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	gp->ok[e] = lmu_body_ok(status, &gp->body[e]);
	if (!gp->ok[e])
		log_debug("game %s: %s", lmu_paths[e], res != CURLE_OK ? curl_easy_strerror(res) :
		    status != 200 ? "not 200" : "not JSON");
	if (gp->running > 0)
		return;
	if (gp->round == 0 && !c->sched.in_session && gp->ok[EP_SESSIONINFO] &&
	    gp->body[EP_SESSIONINFO].p[strspn(gp->body[EP_SESSIONINFO].p, " \t\r\n")] == '{') {
		char sess[24] = "";
		struct jspan v;
		if (jscan_document(gp->body[EP_SESSIONINFO].p, gp->body[EP_SESSIONINFO].len, &v))
			json_member_str(&v, "session", sess, sizeof(sess));
		c->sched.in_session = 1;
		c->sched.race = strncmp(sess, "RACE", 4) == 0;
		gp->round = 1;
		game_start_round(c, lmu_plan(&c->sched, time_mono(), 1));
		if (gp->running > 0)
			return;
	}
	gp->active = 0;
	if (lmu_responses(&c->resp, gp->asked, gp->body, gp->ok) < 0) {
		log_err("out of memory");
		return;
	}
	client_poll_done(c, gp->wall, gp->mono, c->resp.p, c->resp.len, gp->asked, gp->ok);
}

static void
up_release(struct uploader *up)
{
	curl_slist_free_all(up->req_hdrs);
	up->req_hdrs = NULL;
	spool_recs_free(up->recs, up->n);
	up->recs = NULL;
	up->n = up->nsent = 0;
	up->busy = 0;
}

/*
 * The headers of a request sent now: the fixed ones and the client's clock
 * at this moment. Returns the list (curl_slist_free_all() frees it), or
 * NULL when memory runs out.
 */
static struct curl_slist *
up_headers(const struct uploader *up, double now)
{
	struct curl_slist	*l = NULL, *n;
	char			 sent[UP_SENT_AT_MAX];

	upload_sent_at(now, sent);
	for (const struct curl_slist *p = up->hdrs; p != NULL; p = p->next) {
		if ((n = curl_slist_append(l, p->data)) == NULL) {
			curl_slist_free_all(l);
			return NULL;
		}
		l = n;
	}
	if ((n = curl_slist_append(l, sent)) == NULL)
		curl_slist_free_all(l);
	return n;
}

/*
 * Starts an upload of the oldest pending frames when the uploader is idle
 * and its backoff has passed.
 */
static void
up_start(struct client *c, double now)
{
	struct uploader	*up = &c->up;
	size_t		 n;
	int		 rc;

	if (c->sp == NULL || up->busy || up->fatal || now < up->next_try ||
	    spool_pending(c->sp) == 0)
		return;
	if (spool_read(c->sp, spool_acked(c->sp) < up->single_until ? 1 : BATCH_MAX_FRAMES,
	    STORE_BYTES, &up->recs, &up->n) < 0) {
		log_err("spool: cannot read: %s", strerror(errno));
		up->next_try = now + 5;
		return;
	}
	if ((n = up->n) == 0)
		return;
	buf_reset(&up->body);
	buf_reset(&up->resp);
	up->retry_after[0] = '\0';
	if (n == 1 && c->cfg.gzip)
		rc = buf_add(&up->body, up->recs[0].data.p, up->recs[0].data.len);
	else if (n == 1)
		rc = gz_inflate(up->recs[0].data.p, up->recs[0].data.len, FRAME_MAX_INFLATED,
		    &up->body) == GZ_OK ? 1 : 0;
	else {
		struct buf json = { 0 };
		rc = upload_batch_body(&json, up->recs, &n, BATCH_MAX_BYTES, c->cfg.gzip ? 6 : 0);
		if (rc == 1 && !c->cfg.gzip) {
			rc = gz_inflate(json.p, json.len, BATCH_MAX_BYTES * 2, &up->body) == GZ_OK;
			buf_free(&json);
		} else {
			buf_free(&up->body);
			up->body = json;
		}
	}
	up->nsent = n;
	if (rc <= 0) {
		if (rc == 0 && up->n == 1) {
			log_err("spool: frame %lld is damaged; set aside", up->recs[0].seq);
			spool_set_aside(c->sp, up->recs[0].seq, up->recs[0].data.p,
			    up->recs[0].data.len, "damaged in the spool (not valid gzip)");
		} else if (rc == 0)	/* one at a time finds the damaged one */
			up->single_until = up->recs[up->n - 1].seq;
		up_release(up);
		return;
	}
	if (up->h == NULL) {
		if ((up->h = curl_easy_init()) == NULL) {
			up_release(up);
			return;
		}
		curl_easy_setopt(up->h, CURLOPT_URL, c->upload_url);
		curl_easy_setopt(up->h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(up->h, CURLOPT_POST, 1L);
		curl_easy_setopt(up->h, CURLOPT_WRITEFUNCTION, up_write_cb);
		curl_easy_setopt(up->h, CURLOPT_WRITEDATA, &up->resp);
		curl_easy_setopt(up->h, CURLOPT_HEADERFUNCTION, up_header_cb);
		curl_easy_setopt(up->h, CURLOPT_HEADERDATA, up);
				curl_easy_setopt(up->h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
		curl_easy_setopt(up->h, CURLOPT_TIMEOUT_MS, 60000L);
		curl_easy_setopt(up->h, CURLOPT_USERAGENT, CLIENT_VERSION);
	}
	curl_easy_setopt(up->h, CURLOPT_POSTFIELDS, up->body.p);
	curl_easy_setopt(up->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)up->body.len);
	/* sent now, also when the frames were captured long ago */
	if ((up->req_hdrs = up_headers(up, time_now())) == NULL) {
		up_release(up);
		up->next_try = now + 1;
		return;
	}
	curl_easy_setopt(up->h, CURLOPT_HTTPHEADER, up->req_hdrs);
	if (curl_multi_add_handle(c->multi, up->h) != CURLM_OK) {
		up_release(up);
		up->next_try = now + 1;
		return;
	}
	up->busy = 1;
}

static void
up_fail(struct client *c, double max, const struct up_answer *a, const char *what)
{
	struct uploader	*up = &c->up;
	unsigned char	 r;
	double		 delay;

	up->failures++;
	if (rand_bytes(&r, 1) < 0)
		r = 128;
	delay = upload_backoff(up->failures, max, r / 256.0);
	if (a->retry_after > delay)
		delay = a->retry_after;
	up->next_try = time_mono() + delay;
	snprintf(up->last, sizeof(up->last), "%s", what);
	if (up->state != 0 || up->failures == 1)
		log_warn("server: %s; %lld frames kept, retrying in %.0f s", what,
		    spool_pending(c->sp), delay);
	else
		log_debug("server: %s; retrying in %.1f s", what, delay);
	up->state = 0;
}

/*
 * The answer to an upload: acknowledge, set aside, or back off.
 */
static void
up_done(struct client *c, CURLcode res)
{
	struct uploader	*up = &c->up;
	struct up_answer a;
	long		 status = 0;
	char		 what[256];

	curl_multi_remove_handle(c->multi, up->h);
	if (res == CURLE_OK)
		curl_easy_getinfo(up->h, CURLINFO_RESPONSE_CODE, &status);
	upload_classify(status, up->resp.p, up->resp.len,
	    up->retry_after[0] ? up->retry_after : NULL, &a);
	long long first = up->recs[0].seq, last = up->recs[up->nsent - 1].seq;
	switch (a.result) {
	case UP_OK:
		if (a.ack < first) {
			snprintf(what, sizeof(what), "acknowledged seq %lld, below the frames sent "
			    "(%lld..%lld)", a.ack, first, last);
			up_fail(c, UP_BACKOFF_MAX, &a, what);
			break;
		}
		if (spool_ack(c->sp, a.ack) < 0)
			log_err("spool: cannot record the ack: %s", strerror(errno));
		if (up->state == 0)
			log_info("server: reachable again; sending %lld kept frames",
			    spool_pending(c->sp));
		up->sent += (a.ack < last ? a.ack : last) - first + 1;
		up->state = 1;
		up->failures = 0;
		up->next_try = 0;
		up->last[0] = '\0';
		break;
	case UP_RETRY:
		if (status == 0)
			snprintf(what, sizeof(what), "unreachable (%s)", curl_easy_strerror(res));
		else
			snprintf(what, sizeof(what), "HTTP %ld %s", status, a.message);
		up_fail(c, UP_BACKOFF_MAX, &a, what);
		break;
	case UP_REJECT:
		if (up->nsent > 1) {
			/* find the frame: send this batch one at a time */
			log_warn("server refused a batch of %zu frames (HTTP %ld %s); sending them one "
			    "at a time", up->nsent, status, a.message);
			up->single_until = last;
			break;
		}
		up->rejected++;
		log_err("server refused frame %lld: HTTP %ld %s: %s; set aside in %s/rejected", first,
		    status, a.error[0] ? a.error : "-", a.message, c->cfg.spool_dir);
		snprintf(what, sizeof(what), "HTTP %ld %s: %s", status, a.error, a.message);
		if (spool_set_aside(c->sp, first, up->recs[0].data.p, up->recs[0].data.len, what) < 0)
			log_err("spool: cannot set frame %lld aside: %s", first, strerror(errno));
		up->state = 1;
		break;
	case UP_HOLD:
	default:
		snprintf(what, sizeof(what), "HTTP %ld %s%s", status, a.message,
		    status == 401 || status == 403 ? " (check the token)" :
		    status == 404 ? " (check the server URL)" : "");
		log_err("server: %s", what);
		up_fail(c, UP_HOLD_MAX, &a, what);
		if (c->cfg.once || c->cfg.replay || c->cfg.flush)
			up->fatal = 1;
		break;
	}
	up_release(up);
}

/*
 * Takes the polls of the recording that are due. Returns when none is due,
 * or when the spool holds enough unsent frames at --speed max.
 */
static void
replay_feed(struct client *c, double now)
{
	struct buf	 err = { 0 };
	static const char left[] = "{\"/rest/watch/sessionInfo\":null,"
	    "\"/rest/multiplayer/join/state\":null,\"/rest/sessions/GetGameState\":null}";

	while (!c->rr_done) {
		if (!c->rr_have) {
			enum rec_result r;
			buf_reset(&err);
			r = rec_next(c->rr, &c->rp, &err);
			if (r == REC_BAD) {
				log_warn("%s: %s; skipped", c->cfg.replay, err.p);
				continue;
			}
			if (r != REC_OK) {
				if (r == REC_ERR) {
					log_err("%s: %s", c->cfg.replay, err.p);
					c->rr_error = 1;
				}
				c->rr_done = 1;
				if (c->guard.joined) {
					double w = c->rr_last_w + c->cfg.poll_interval;
					guard_end(&c->guard);
					log_info("end of the recording: sending the last frame");
					client_emit(c, c->cfg.replay_clock && strcmp(c->cfg.replay_clock,
					    "original") == 0 ? w : time_now(), left, sizeof(left) - 1);
				}
				log_info("%s: replayed %lld polls", c->cfg.replay, c->polls);
				break;
			}
			c->rr_have = 1;
			if (c->rr_epoch == 0 && c->polls == 0)
				c->rr_epoch = c->rr_created + c->rp.t;
		}
		double w = c->rr_created + c->rp.t;
		if (c->cfg.speed > 0) {
			if (c->rr_mono0 + (w - c->rr_epoch) / c->cfg.speed > now)
				break;
		} else if (c->sp != NULL && spool_pending(c->sp) >= REPLAY_AHEAD)
			break;
		/* captured now, as if live; the guard goes by the recording's clock */
		double wall = c->cfg.replay_clock && strcmp(c->cfg.replay_clock, "original") == 0 ?
		    w : time_now();
		c->rr_last_w = w;
		c->rr_have = 0;
		client_poll_done(c, wall, w, c->rp.responses.p, c->rp.responses.len, 0, NULL);
	}
	buf_free(&err);
}

static void
status_line(struct client *c, int final)
{
	char		 game[200], server[200], line[600];

	if (c->cfg.replay)
		snprintf(game, sizeof(game), "replay %s%s", c->session[0] ? c->session : "-",
		    c->rr_done ? " (done)" : "");
	else if (c->cfg.flush)
		snprintf(game, sizeof(game), "flushing the spool");
	else if (!c->game_ok)
		snprintf(game, sizeof(game), "game: not answering on %s", c->game_base);
	else if (c->session[0])
		snprintf(game, sizeof(game), "game: %s [%s]", c->session, guard_names[c->verdict]);
	else
		snprintf(game, sizeof(game), "game: connected, not in a session");
	if (c->cfg.print)
		snprintf(server, sizeof(server), "printing (%lld frames)", c->frames);
	else if (c->sp == NULL)
		snprintf(server, sizeof(server), "no server configured");
	else
		snprintf(server, sizeof(server), "server: %s | frames %lld sent, %lld spooled%s",
		    c->up.state == 1 ? "ok" : c->up.state == 0 ? c->up.last : "not tried yet",
		    c->up.sent, spool_pending(c->sp),
		    spool_dropped(c->sp) ? " (SOME DROPPED: spool full)" : "");
	snprintf(line, sizeof(line), "%s | %s", game, server);
	if (c->tty && !final)
		fprintf(stderr, "\r\033[K%s\r", line);
	else if (c->tty)
		fprintf(stderr, "\r\033[K%s\n", line);
	else
		log_info("%s", line);
	fflush(stderr);
}

static int
client_setup(struct client *c)
{
	struct buf	 err = { 0 };
	int		 rc;

	snprintf(c->game_base, sizeof(c->game_base), "http://%s%s%s:%d",
	    strchr(c->cfg.game_host, ':') ? "[" : "", c->cfg.game_host,
	    strchr(c->cfg.game_host, ':') ? "]" : "", c->cfg.game_port);
	if ((rc = frame_ident_load(&c->id, c->cfg.state_dir, c->cfg.name)) <= 0) {
		if (rc < 0)
			log_err("%s: %s", c->cfg.state_dir, strerror(errno));
		return 0;
	}
	if (c->cfg.server[0] != '\0' && !c->cfg.print) {
		size_t n = strlen(c->cfg.server);
		while (n > 0 && c->cfg.server[n - 1] == '/')
			n--;
		snprintf(c->upload_url, sizeof(c->upload_url), "%.*s/api/v1/frames", (int)n,
		    c->cfg.server);
		if ((rc = spool_open(&c->sp, c->cfg.spool_dir, c->cfg.spool_cap, &err)) <= 0) {
			log_err("spool: %s", err.p ? err.p : "cannot open");
			buf_free(&err);
			return 0;
		}
		struct buf h = { 0 };
		buf_printf(&h, "Authorization: Bearer %s", c->cfg.token);
		c->up.hdrs = curl_slist_append(NULL, "Content-Type: application/json");
		if (c->cfg.gzip)
			c->up.hdrs = curl_slist_append(c->up.hdrs, "Content-Encoding: gzip");
		c->up.hdrs = curl_slist_append(c->up.hdrs, h.p);
		c->up.hdrs = curl_slist_append(c->up.hdrs, "Expect:");
		buf_free(&h);
		if (c->up.hdrs == NULL)
			return 0;
		c->up.state = -1;
	} else if (!c->cfg.print && c->cfg.record == NULL)
		log_warn("no server configured: nothing is sent (set server, or use --print "
		    "or --record)");
	if (c->cfg.record) {
		char note[512];
		snprintf(note, sizeof(note), "recorded by %s from %s", c->id.name, c->game_base);
		if (rec_create(&c->rec, c->cfg.record, note) < 0) {
			log_err("--record %s: %s", c->cfg.record, strerror(errno));
			return 0;
		}
		c->rec_mono0 = time_mono();
	}
	if (c->cfg.replay) {
		if ((rc = rec_open(&c->rr, c->cfg.replay, &err)) <= 0) {
			log_err("--replay: %s", err.p ? err.p : "cannot open");
			buf_free(&err);
			return 0;
		}
		c->rr_created = rec_created(c->rr);
		c->rr_epoch = c->cfg.epoch;
		c->rr_mono0 = time_mono();
		if (c->cfg.replay_clock && strcmp(c->cfg.replay_clock, "original") == 0 &&
		    c->rr_created == 0)
			log_warn("%s has no creation time; captured_at counts from 1970",
			    c->cfg.replay);
	}
	buf_free(&err);
	return 1;
}

static void
client_free(struct client *c)
{
	for (int e = 0; e < EP__MAX; e++) {
		if (c->gp.h[e]) {
			curl_multi_remove_handle(c->multi, c->gp.h[e]);
			curl_easy_cleanup(c->gp.h[e]);
		}
		buf_free(&c->gp.body[e]);
	}
	if (c->up.h) {
		curl_multi_remove_handle(c->multi, c->up.h);
		curl_easy_cleanup(c->up.h);
	}
	up_release(&c->up);
	curl_slist_free_all(c->up.hdrs);
	buf_free(&c->up.body);
	buf_free(&c->up.resp);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	spool_close(c->sp);
	if (c->rec && rec_finish(c->rec) < 0)
		log_err("--record: the end of the recording could not be written");
	rec_close(c->rr);
	lmu_sched_free(&c->sched);
	buf_free(&c->resp);
	buf_free(&c->frame);
	buf_free(&c->gz);
	config_free(&c->cfg);
}

/*
 * Whether the client is done: --once after its poll was sent, a replay once
 * the recording is through and the spool is drained. Sets *status.
 */
static int
client_finished(struct client *c, int *status)
{
	int drained = c->sp == NULL || spool_pending(c->sp) == 0;

	if (c->up.fatal) {
		*status = 1;
		return 1;
	}
	if (c->cfg.once && c->polls > 0 && !c->gp.active) {
		if (drained) {
			*status = c->game_ok ? 0 : 1;
			return 1;
		}
	}
	if (c->cfg.flush && drained) {
		*status = 0;
		return 1;
	}
	if (c->cfg.replay && c->rr_done && drained) {
		*status = c->rr_error ? 1 : 0;
		return 1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct client	 c;
	struct buf	 err = { 0 };
	double		 next_poll, once_deadline = 0;
	int		 status = 0, running;

	memset(&c, 0, sizeof(c));
	switch (config_load(&c.cfg, argc, argv, &err)) {
	case CONFIG_EXIT:
		config_free(&c.cfg);
		return 0;
	case CONFIG_OK:
		break;
	default:
		fprintf(stderr, "trackside-client: %s\n", err.p ? err.p : "out of memory");
		buf_free(&err);
		config_free(&c.cfg);
		return 2;
	}
	buf_free(&err);
	log_init("trackside-client", 1, c.cfg.log_level);
	c.tty = isatty(STDERR_FILENO) && !c.cfg.quiet;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (c.multi = curl_multi_init()) == NULL) {
		log_err("cannot start libcurl");
		config_free(&c.cfg);
		return 1;
	}
	if (!client_setup(&c)) {
		client_free(&c);
		curl_global_cleanup();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
#ifdef SIGPIPE
	signal(SIGPIPE, SIG_IGN);
#endif
	log_info("%s: %s%s, client %s \"%s\"%s%s", CLIENT_VERSION,
	    c.cfg.replay ? "replaying " : "polling ", c.cfg.replay ? c.cfg.replay : c.game_base,
	    c.id.id, c.id.name, c.sp ? ", sending to " : "", c.sp ? c.upload_url : "");

	next_poll = time_mono();
	while (!stop) {
		double now = time_mono(), wait;
		CURLMsg *m;
		int left;

		if (c.cfg.replay)
			replay_feed(&c, now);
		else if (!c.cfg.flush && !c.gp.active && now >= next_poll &&
		    !(c.cfg.once && c.polls > 0)) {
			game_start(&c);
			next_poll += c.cfg.poll_interval;
			if (next_poll <= now)	/* fell behind: skip, do not catch up */
				next_poll = now + c.cfg.poll_interval -
				    fmod(now - next_poll, c.cfg.poll_interval);
		}
		up_start(&c, now);
		if (client_finished(&c, &status))
			break;
		if (c.cfg.once && c.polls > 0 && once_deadline == 0)
			once_deadline = now + 20;
		if (once_deadline > 0 && now > once_deadline) {
			log_err("--once: the server did not acknowledge the frame in 20 s");
			status = 1;
			break;
		}
		if (!c.cfg.quiet && now - c.status_at >= (c.tty ? 1.0 : 60.0)) {
			status_line(&c, 0);
			c.status_at = now;
		}

		wait = 0.5;
		if (!c.cfg.replay && !c.cfg.flush && !c.gp.active && next_poll - now < wait)
			wait = next_poll - now;
		if (c.cfg.replay && c.cfg.speed > 0 && c.rr_have) {
			double due = c.rr_mono0 + (c.rr_created + c.rp.t - c.rr_epoch) / c.cfg.speed;
			if (due - now < wait)
				wait = due - now;
		}
		if (c.cfg.replay && c.cfg.speed == 0 && !c.rr_done &&
		    (c.sp == NULL || spool_pending(c.sp) < REPLAY_AHEAD))
			wait = 0;
		if (c.sp && !c.up.busy && !c.up.fatal && spool_pending(c.sp) > 0 &&
		    c.up.next_try - now < wait)
			wait = c.up.next_try - now;
		if (wait < 0)
			wait = 0;
		if (wait > 0)
			curl_multi_poll(c.multi, NULL, 0, (int)(wait * 1000) + 1, NULL);
		curl_multi_perform(c.multi, &running);
		while ((m = curl_multi_info_read(c.multi, &left)) != NULL) {
			char *priv = NULL;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
			if (m->easy_handle == c.up.h)
				up_done(&c, m->data.result);
			else if (priv != NULL)
				game_done(&c, *(int *)(void *)priv, m->easy_handle, m->data.result);
		}
	}
	if (stop && !c.cfg.replay && c.guard.joined && (c.sp || c.cfg.print)) {
		/* leaving: tell the server, if it is there to hear it */
		static const char left[] = "{\"/rest/watch/sessionInfo\":null,"
		    "\"/rest/multiplayer/join/state\":null,\"/rest/sessions/GetGameState\":null}";
		guard_end(&c.guard);
		client_emit(&c, time_now(), left, sizeof(left) - 1);
		double until = time_mono() + 2;
		c.up.next_try = 0;
		while (c.sp && time_mono() < until && spool_pending(c.sp) > 0 && c.up.state != 0) {
			up_start(&c, time_mono());
			curl_multi_poll(c.multi, NULL, 0, 100, NULL);
			curl_multi_perform(c.multi, &running);
			CURLMsg *m;
			int left_n;
			while ((m = curl_multi_info_read(c.multi, &left_n)) != NULL)
				if (m->msg == CURLMSG_DONE && m->easy_handle == c.up.h)
					up_done(&c, m->data.result);
		}
	}
	if (!c.cfg.quiet || c.cfg.once)
		status_line(&c, 1);
	if (c.sp && spool_pending(c.sp) > 0)
		log_info("%lld frames stay in the spool (%s) for the next run", spool_pending(c.sp),
		    c.cfg.spool_dir);
	client_free(&c);
	curl_global_cleanup();
	return status;
}
