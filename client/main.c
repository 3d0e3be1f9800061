/*
 * trackside-client: one thread, one HTTP engine (client/http.h). The source (a row of
 * source.c's table: src_lmu.c polls Le Mans Ultimate, src_ac.c listens to an
 * Assetto Corsa server) makes frames, each frame goes to the spool, and the
 * uploader drains the spool in order, one frame or a batch per request,
 * backing off while the server cannot take them.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

#define UP_RESP_MAX	65536
#define STORE_BYTES	(1u << 20)	/* stored (gzip) bytes read for one batch */

struct uploader {
	struct http_req	 req;		/* its headers: auth etc., then Trackside-Sent-At */
	char		 auth[1024];
	char		 sent_at[UP_SENT_AT_MAX];
	int		 nhdrs;		/* the fixed headers; sent_at goes after them */
	struct buf	 body;
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
	const struct source *src;
	void		*src_st;	/* the source's state; NULL with --flush */
	struct src_queue q;		/* the frames it made */
	struct http	*http;
	struct uploader	 up;
	struct buf	 frame, gz;
	/* status */
	long long	 frames;
	long long	 print_seq;
	int		 tty;
	double		 status_at;
};

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
		if (frame_build_source(&c->frame, &c->id, ++c->print_seq, captured_at,
		    c->src->name, resp, len) < 0)
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
	if (frame_build_source(&c->frame, &c->id, seq, captured_at, c->src->name, resp,
	    len) < 0 ||
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
 * Takes the frames the source made.
 */
static void
client_take(struct client *c)
{
	struct src_frame *f;

	while (srcq_take(&c->q, &f) == 1)
		client_emit(c, f->captured_at, f->data.p, f->data.len);
}

/* Frames held that the server has not taken. */
static long long
client_backlog(const struct client *c)
{
	return c->sp ? spool_pending(c->sp) : 0;
}

static void
up_release(struct uploader *up)
{
	spool_recs_free(up->recs, up->n);
	up->recs = NULL;
	up->n = up->nsent = 0;
	up->busy = 0;
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
	up->req.body = up->body.p;
	up->req.body_len = up->body.len;
	/* sent now, also when the frames were captured long ago */
	upload_sent_at(time_now(), up->sent_at);
	up->req.headers[up->nhdrs] = up->sent_at;
	if (http_start(c->http, &up->req) < 0) {
		log_err("server: %s", up->req.error);
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
up_done(struct client *c)
{
	struct uploader	*up = &c->up;
	struct up_answer a;
	long		 status = up->req.status;
	char		 what[256];

	upload_classify(status, up->req.resp.p, up->req.resp.len,
	    up->req.retry_after[0] ? up->req.retry_after : NULL, &a);
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
			snprintf(what, sizeof(what), "unreachable (%s)", up->req.error);
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

static void
status_line(struct client *c, int final)
{
	char		 game[200], server[200], line[600];

	if (c->cfg.flush || c->src_st == NULL)
		snprintf(game, sizeof(game), "flushing the spool");
	else
		c->src->status(c->src_st, game, sizeof(game));
	if (c->cfg.print)
		snprintf(server, sizeof(server), "printing (%lld frames)", c->frames);
	else if (c->sp == NULL)
		snprintf(server, sizeof(server), "no server configured");
	else if (c->up.state == 1)
		snprintf(server, sizeof(server), "server reachable | %lld frames sent, %lld spooled%s",
		    c->up.sent, spool_pending(c->sp), spool_dropped(c->sp) ?
		    " (SOME DROPPED: the spool is full)" : "");
	else
		snprintf(server, sizeof(server), "server %s | %lld frames sent, %lld spooled%s",
		    c->up.state == 0 ? c->up.last : "not tried yet", c->up.sent,
		    spool_pending(c->sp), spool_dropped(c->sp) ?
		    " (SOME DROPPED: the spool is full)" : "");
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

	if ((rc = frame_ident_load(&c->id, c->cfg.state_dir, c->cfg.name)) <= 0) {
		if (rc < 0)
			log_err("%s: %s", c->cfg.state_dir, strerror(errno));
		return 0;
	}
	if (c->cfg.server[0] != '\0' && !c->cfg.print) {
		size_t n = strlen(c->cfg.server);
		while (n > 0 && c->cfg.server[n - 1] == '/')
			n--;
		if (snprintf(c->up.req.url, sizeof(c->up.req.url), "%.*s/api/v1/frames", (int)n,
		    c->cfg.server) >= (int)sizeof(c->up.req.url)) {
			log_err("the server URL is too long");
			return 0;
		}
		if ((rc = spool_open(&c->sp, c->cfg.spool_dir, c->cfg.spool_cap, &err)) <= 0) {
			log_err("spool: %s", err.p ? err.p : "cannot open");
			buf_free(&err);
			return 0;
		}
		struct http_req *r = &c->up.req;
		if (snprintf(c->up.auth, sizeof(c->up.auth), "Authorization: Bearer %s",
		    c->cfg.token) >= (int)sizeof(c->up.auth)) {
			log_err("the token is too long");
			return 0;
		}
		r->headers[c->up.nhdrs++] = "Content-Type: application/json";
		if (c->cfg.gzip)
			r->headers[c->up.nhdrs++] = "Content-Encoding: gzip";
		r->headers[c->up.nhdrs++] = c->up.auth;
		r->connect_timeout = 10;
		r->timeout = 60;
		r->max_resp = UP_RESP_MAX;
		c->up.state = -1;
	} else if (!c->cfg.print && c->cfg.record == NULL)
		log_warn("no server configured: nothing is sent (set server, or use --print "
		    "or --record)");
	if (!c->cfg.flush && c->src->open(&c->src_st, &c->cfg, &c->id, c->http,
	    &c->q) <= 0)
		return 0;
	buf_free(&err);
	return 1;
}

static void
client_free(struct client *c)
{
	c->src->close(c->src_st);
	c->src_st = NULL;
	srcq_free(&c->q);
	if (c->http)
		http_req_free(c->http, &c->up.req);
	up_release(&c->up);
	buf_free(&c->up.body);
	http_close(c->http);
	spool_close(c->sp);
	buf_free(&c->frame);
	buf_free(&c->gz);
	config_free(&c->cfg);
}

/*
 * Whether the client is done: the source is through (--once after its
 * poll, a replay at the end of the recording) and the spool is drained.
 * Sets *status.
 */
static int
client_finished(struct client *c, int *status)
{
	int drained = c->sp == NULL || spool_pending(c->sp) == 0;

	if (c->up.fatal) {
		*status = 1;
		return 1;
	}
	if (c->cfg.flush && drained) {
		*status = 0;
		return 1;
	}
	if (c->src_st && c->src->finished(c->src_st, status) && drained)
		return 1;
	return 0;
}

/*
 * Hands each finished request to its owner: the uploader or the source.
 */
static void
client_answers(struct client *c)
{
	struct http_req *r;

	while ((r = http_done(c->http)) != NULL)
		if (r == &c->up.req)
			up_done(c);
		else if (c->src_st)
			c->src->done(c->src_st, r);
}

int
main(int argc, char *argv[])
{
	struct client	 c;
	struct buf	 err = { 0 };
	double		 once_deadline = 0;
	int		 status = 0, dummy;

	memset(&c, 0, sizeof(c));
	if (os_args(&argc, &argv) < 0) {
		fprintf(stderr, "trackside-client: cannot read the command line\n");
		return 2;
	}
	switch ((status = config_load(&c.cfg, argc, argv, &err))) {
	case CONFIG_EXIT:
		config_free(&c.cfg);
		return 0;
	case CONFIG_VERSION:
		config_version(stdout, http_engine());
		config_free(&c.cfg);
		return 0;
	case CONFIG_OK:
		status = 0;
		break;
	default:
		/* a first run speaks to the player, in its own words */
		fprintf(stderr, "%s%s\n", status == CONFIG_FIRST ? "" : "trackside-client: ",
		    err.p ? err.p : "out of memory");
		/* double-clicked: the window would go before it is read */
		if (os_own_console())
			os_wait_key("Press any key to close this window.");
		buf_free(&err);
		config_free(&c.cfg);
		return 2;
	}
	buf_free(&err);
	c.src = sources[c.cfg.source];
	log_init("trackside-client", 1, c.cfg.log_level);
	c.tty = os_stderr_tty() && !c.cfg.quiet;
	if (os_net_init() < 0 || http_global_init() < 0 || http_open(&c.http) < 0) {
		log_err("cannot start the network (%s)", http_engine());
		config_free(&c.cfg);
		return 1;
	}
	if (os_on_stop() < 0 || !client_setup(&c)) {
		client_free(&c);
		http_global_cleanup();
		return 1;
	}
	log_info("%s: source %s, client %s \"%s\"%s%s", CLIENT_VERSION, c.src->name,
	    c.id.id, c.id.name, c.sp ? ", sending to " : "", c.sp ? c.up.req.url : "");

	while (!os_stopping()) {
		double now = time_mono(), wait;
		os_sock socks[SRC_MAX_SOCKS];
		unsigned nsocks = 0;

		if (c.src_st) {
			c.src->ready(c.src_st, now, client_backlog(&c));
			client_take(&c);
		}
		up_start(&c, now);
		if (client_finished(&c, &status))
			break;
		if (c.cfg.once && c.src_st && c.src->finished(c.src_st, &dummy) &&
		    once_deadline == 0)
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
		if (c.src_st)
			nsocks = c.src->wait(c.src_st, now, client_backlog(&c), socks, SRC_MAX_SOCKS,
			    &wait);
		if (c.sp && !c.up.busy && !c.up.fatal && spool_pending(c.sp) > 0 &&
		    c.up.next_try - now < wait)
			wait = c.up.next_try - now;
		http_wait(c.http, socks, nsocks, wait < 0 ? 0 : wait);
		client_answers(&c);
		client_take(&c);
	}
	if (os_stopping() && c.src_st) {
		/* leaving: tell the server, if it is there to hear it */
		c.src->leave(c.src_st, time_mono());
		long long before = c.frames;
		client_take(&c);
		double until = time_mono() + 2;
		c.up.next_try = 0;
		while (c.frames > before && c.sp && time_mono() < until &&
		    spool_pending(c.sp) > 0 && c.up.state != 0) {
			up_start(&c, time_mono());
			http_wait(c.http, NULL, 0, 0.1);
			struct http_req *r;
			while ((r = http_done(c.http)) != NULL)
				if (r == &c.up.req)
					up_done(&c);
		}
	}
	if (!c.cfg.quiet || c.cfg.once)
		status_line(&c, 1);
	if (c.sp && spool_pending(c.sp) > 0)
		log_info("%lld frames stay in the spool (%s) for the next run", spool_pending(c.sp),
		    c.cfg.spool_dir);
	client_free(&c);
	http_global_cleanup();
	os_stop_done();
	return status;
}
