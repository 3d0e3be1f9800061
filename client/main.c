/*
 * trackside-client: one thread, one curl multi handle. The source (a row of
 * source.c's table: src_lmu.c polls Le Mans Ultimate, src_ac.c listens to an
 * Assetto Corsa server) makes frames, each frame goes to the spool, and the
 * uploader drains the spool in order, one frame or a batch per request,
 * backing off while the server cannot take them.
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

#include "source.h"

#define UP_RESP_MAX	65536
#define STORE_BYTES	(1u << 20)	/* stored (gzip) bytes read for one batch */

static volatile sig_atomic_t stop;

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
	const struct source *src;
	void		*src_st;	/* the source's state; NULL with --flush */
	struct src_queue q;		/* the frames it made */
	CURLM		*multi;
	struct uploader	 up;
	char		 upload_url[1024];
	struct buf	 frame, gz;
	/* status */
	long long	 frames;
	long long	 print_seq;
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
	if (!c->cfg.flush && c->src->open(&c->src_st, &c->cfg, &c->id, c->multi,
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

int
main(int argc, char *argv[])
{
	struct client	 c;
	struct buf	 err = { 0 };
	double		 once_deadline = 0;
	int		 status = 0, running, dummy;

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
	c.src = sources[c.cfg.source];
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
	log_info("%s: source %s, client %s \"%s\"%s%s", CLIENT_VERSION, c.src->name,
	    c.id.id, c.id.name, c.sp ? ", sending to " : "", c.sp ? c.upload_url : "");

	while (!stop) {
		double now = time_mono(), wait;
		struct curl_waitfd fds[SRC_MAX_FDS];
		unsigned nfds = 0;
		CURLMsg *m;
		int left;

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
			nfds = c.src->wait(c.src_st, now, client_backlog(&c), fds, SRC_MAX_FDS, &wait);
		if (c.sp && !c.up.busy && !c.up.fatal && spool_pending(c.sp) > 0 &&
		    c.up.next_try - now < wait)
			wait = c.up.next_try - now;
		if (wait < 0)
			wait = 0;
		if (wait > 0 || nfds > 0)
			curl_multi_poll(c.multi, nfds ? fds : NULL, nfds,
			    wait > 0 ? (int)(wait * 1000) + 1 : 0, NULL);
		curl_multi_perform(c.multi, &running);
		while ((m = curl_multi_info_read(c.multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			if (m->easy_handle == c.up.h)
				up_done(&c, m->data.result);
			else if (c.src_st)
				c.src->done(c.src_st, m->easy_handle, m->data.result);
		}
		client_take(&c);
	}
	if (stop && c.src_st) {
		/* leaving: tell the server, if it is there to hear it */
		c.src->leave(c.src_st, time_mono());
		long long before = c.frames;
		client_take(&c);
		double until = time_mono() + 2;
		c.up.next_try = 0;
		while (c.frames > before && c.sp && time_mono() < until &&
		    spool_pending(c.sp) > 0 && c.up.state != 0) {
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
