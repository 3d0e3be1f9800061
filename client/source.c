/*
 * The table of the client's sources, the queue of frames each keeps until
 * main.c takes them, the recordings they write and replay, and what the
 * sources of UDP datagrams do alike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

/* Indexed by enum src_id, named by src_names. */
const struct source *const sources[SRC__MAX] = {
	&src_lmu,
	&src_ac,
	&src_pcars2,
	&src_pcars2_shm,
};

/*
 * Resolves "HOST:PORT", "[V6]:PORT" or, when host is not NULL, "PORT" on
 * that host, for option what. Returns 1, or 0 with a message logged.
 */
int
src_resolve(const char *what, const char *spec, const char *host_default, struct os_addr *a)
{
	char		 why[160];
	char		 host[256], port[16];
	const char	*colon = strrchr(spec, ':'), *portp;
	size_t		 hl;
	long long	 pn;

	if (colon == NULL && host_default != NULL) {
		snprintf(host, sizeof(host), "%s", host_default);
		portp = spec;
	} else if (colon == NULL || colon == spec) {
		log_err("%s: \"%s\" is not HOST:PORT", what, spec);
		return 0;
	} else {
		hl = (size_t)(colon - spec);
		if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']') {
			spec++;
			hl -= 2;
		}
		if (hl >= sizeof(host)) {
			log_err("%s: the host of \"%s\" is too long", what, spec);
			return 0;
		}
		memcpy(host, spec, hl);
		host[hl] = '\0';
		portp = colon + 1;
	}
	if (!num_parse_ll(portp, 1, 65535, &pn)) {
		log_err("%s: \"%s\" has no port number (1-65535)", what, spec);
		return 0;
	}
	snprintf(port, sizeof(port), "%lld", pn);
	if (!os_resolve(host, port, a, why, sizeof(why))) {
		log_err("%s: %s: %s", what, host, why);
		return 0;
	}
	snprintf(a->text, sizeof(a->text), "%s%s%s:%s", strchr(host, ':') ? "[" : "", host,
	    strchr(host, ':') ? "]" : "", port);
	return 1;
}

/* done() of a source that makes no HTTP requests. */
void
src_no_done(void *arg, struct http_req *r)
{
	(void)arg;
	(void)r;
}

/*
 * Appends a copy of the frame data (len bytes) captured at captured_at.
 * Returns 1 or -1.
 */
int
srcq_push(struct src_queue *q, double captured_at, const char *data, size_t len)
{
	struct src_frame *f;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 4;
		struct src_frame *v = realloc(q->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		memset(v + q->cap, 0, (cap - q->cap) * sizeof(*v));
		q->v = v;
		q->cap = cap;
	}
	f = &q->v[q->n];
	buf_reset(&f->data);
	if (buf_add(&f->data, data, len) < 0)
		return -1;
	f->captured_at = captured_at;
	q->n++;
	return 1;
}

/*
 * Takes the oldest frame: 1 with *out (valid until the next call), 0 when
 * the queue is empty.
 */
int
srcq_take(struct src_queue *q, struct src_frame **out)
{
	struct buf tmp;

	if (q->head == q->n)
		return 0;
	/* swap the buffers, so each keeps its memory for the next frame */
	tmp = q->taken.data;
	q->taken = q->v[q->head];
	q->v[q->head].data = tmp;
	buf_reset(&q->v[q->head].data);
	q->head++;
	if (q->head == q->n)
		q->head = q->n = 0;
	*out = &q->taken;
	return 1;
}

/* Frames made and not taken yet. */
long long
srcq_len(const struct src_queue *q)
{
	return (long long)(q->n - q->head);
}

void
srcq_free(struct src_queue *q)
{
	for (size_t i = 0; i < q->cap; i++)
		buf_free(&q->v[i].data);
	free(q->v);
	buf_free(&q->taken.data);
	memset(q, 0, sizeof(*q));
}

/*
 * Starts the recording at path of format (REC_LMU, REC_AC). Returns 1, or
 * 0 with a message logged.
 */
int
srcrec_open(struct src_rec *r, const char *path, const char *format, const char *note)
{
	if (rec_create_format(&r->w, path, format, note) < 0) {
		log_err("--record %s: %s", path, strerror(errno));
		return 0;
	}
	r->mono0 = time_mono();
	return 1;
}

/* Seconds since the recording started. */
double
srcrec_t(const struct src_rec *r)
{
	return time_mono() - r->mono0;
}

/* A write failed: says so and stops recording. */
void
srcrec_failed(struct src_rec *r)
{
	log_err("--record: cannot write: %s; recording stopped", strerror(errno));
	rec_finish(r->w);
	r->w = NULL;
}

void
srcrec_close(struct src_rec *r)
{
	if (r->w && rec_finish(r->w) < 0)
		log_err("--record: the end of the recording could not be written");
	r->w = NULL;
}

/*
 * Opens --replay, a recording of format. Returns 1, or 0 with a message
 * logged.
 */
int
srcrp_open(struct src_replay *r, const struct config *cfg, const char *format)
{
	struct buf	 err = { 0 };

	if (rec_open_format(&r->rr, cfg->replay, format, &err) <= 0) {
		log_err("--replay: %s", err.p ? err.p : "cannot open");
		buf_free(&err);
		return 0;
	}
	r->created = rec_created(r->rr);
	r->epoch = cfg->epoch;
	r->mono0 = time_mono();
	r->original = cfg->replay_clock && strcmp(cfg->replay_clock, "original") == 0;
	if (r->original && r->created == 0)
		log_warn("%s has no creation time; captured_at counts from 1970", cfg->replay);
	return 1;
}

/*
 * Takes the result r of reading the next item of the recording (err its
 * message). Returns 1 for an item, 0 for a bad line (logged; read on), -1
 * at the end (done is set; a read error is logged and makes error).
 */
int
srcrp_result(struct src_replay *r, const char *path, enum rec_result rc, const struct buf *err)
{
	if (rc == REC_OK)
		return 1;
	if (rc == REC_BAD) {
		log_warn("%s: %s; skipped", path, err->p);
		return 0;
	}
	if (rc == REC_ERR) {
		log_err("%s: %s", path, err->p);
		r->error = 1;
	}
	r->done = 1;
	return -1;
}

/* The first item, at recording time t: without --replay-epoch, now is t. */
void
srcrp_start(struct src_replay *r, double t)
{
	if (!r->started && r->epoch == 0)
		r->epoch = r->created + t;
	r->started = 1;
}

/* Whether the replay is through; *status 1 when reading it failed. */
int
srcrp_finished(const struct src_replay *r, int *status)
{
	if (!r->done)
		return 0;
	*status = r->error ? 1 : 0;
	return 1;
}

/* When recording time t is due on the monotonic clock, at speed (> 0). */
double
srcrp_due(const struct src_replay *r, double speed, double t)
{
	return r->mono0 + (r->created + t - r->epoch) / speed;
}

/* The wall clock of what was recorded at t: as recorded, or now. */
double
srcrp_wall(const struct src_replay *r, double t)
{
	return r->original ? r->created + t : time_now();
}

void
srcrp_close(struct src_replay *r)
{
	rec_close(r->rr);
	r->rr = NULL;
}

/*
 * Sets up u, without sockets yet, for the source arg, whose frames go to q
 * through flush() and whose replayed datagrams go to take().
 */
void
srcudp_init(struct src_udp *u, const struct config *cfg, struct src_queue *q, void *arg,
    void (*flush)(void *, double),
    void (*take)(void *, const unsigned char *, size_t, double, double))
{
	u->cfg = cfg;
	u->q = q;
	u->arg = arg;
	u->flush = flush;
	u->take = take;
	u->fwd_fd = u->out_fd = OS_SOCK_NONE;
}

/*
 * Opens --replay, a recording of format, and the socket to --replay-to
 * when it is given. Returns 1, or 0 with a message logged.
 */
int
srcudp_replay_open(struct src_udp *u, const char *format)
{
	const struct config *cfg = u->cfg;

	if (!srcrp_open(&u->rp, cfg, format))
		return 0;
	if (cfg->replay_to) {
		if (!src_resolve("--replay-to", cfg->replay_to, NULL, &u->replay_to))
			return 0;
		if ((u->out_fd = os_udp_open(&u->replay_to, 0, 0)) == OS_SOCK_NONE) {
			log_err("--replay-to: %s", os_sock_error());
			return 0;
		}
		log_info("replaying %s to %s", cfg->replay, u->replay_to.text);
	} else
		log_info("replaying %s", cfg->replay);
	return 1;
}

/*
 * A datagram of n bytes that arrived live: recorded at recording time t
 * (--record) and sent on unchanged (the forward option).
 */
void
srcudp_pass(struct src_udp *u, double t, const unsigned char *p, size_t n)
{
	if (u->rec.w && rec_write_raw(u->rec.w, t, p, n) < 0)
		srcrec_failed(&u->rec);
	if (u->fwd_fd != OS_SOCK_NONE && os_udp_send(u->fwd_fd, p, n, &u->forward) == 0)
		u->forwarded++;
}

/* Live, after reading: a frame a second of what was kept. */
void
srcudp_tick(struct src_udp *u, double now)
{
	if (now >= u->next_frame) {
		u->flush(u->arg, time_now());
		u->next_frame += SRC_FRAME_EVERY;
		if (u->next_frame <= now)	/* fell behind: skip, do not catch up */
			u->next_frame = now + SRC_FRAME_EVERY;
	}
}

/*
 * Takes the datagrams of the recording that are due: into frames, or to
 * --replay-to. what names them in the log ("datagrams", "packets").
 */
void
srcudp_replay(struct src_udp *u, double now, long long backlog, const char *what)
{
	const struct config *cfg = u->cfg;
	struct buf	 err = { 0 };
	int		 rc;

	while (!u->rp.done) {
		if (!u->have) {
			buf_reset(&err);
			rc = srcrp_result(&u->rp, cfg->replay, rec_next_raw(u->rp.rr, &u->raw_t,
			    &u->raw, &err), &err);
			if (rc == 0)
				continue;
			if (rc < 0) {
				u->flush(u->arg, srcrp_wall(&u->rp, u->next_frame));
				log_info("%s: replayed %lld %s", cfg->replay,
				    u->taken + u->forwarded, what);
				break;
			}
			u->have = 1;
			srcrp_start(&u->rp, u->raw_t);
			if (u->next_frame == 0)
				u->next_frame = u->raw_t + SRC_FRAME_EVERY;
		}
		if (cfg->speed > 0 && srcrp_due(&u->rp, cfg->speed, u->raw_t) > now)
			break;
		if (cfg->speed == 0 && u->out_fd == OS_SOCK_NONE &&
		    backlog + srcq_len(u->q) >= SRC_AHEAD)
			break;
		u->have = 0;
		if (u->out_fd != OS_SOCK_NONE) {
			if (os_udp_send(u->out_fd, u->raw.p, u->raw.len, &u->replay_to) == 0)
				u->forwarded++;
			continue;
		}
		/* a frame a second of the recording's time */
		if (u->raw_t >= u->next_frame) {
			u->flush(u->arg, srcrp_wall(&u->rp, u->next_frame));
			while (u->next_frame <= u->raw_t)
				u->next_frame += SRC_FRAME_EVERY;
		}
		u->taken++;
		u->take(u->arg, (const unsigned char *)u->raw.p, u->raw.len,
		    srcrp_wall(&u->rp, u->raw_t), u->raw_t);
	}
	/* at the recording's pace, a second without datagrams still ends a frame */
	if (cfg->speed > 0 && u->out_fd == OS_SOCK_NONE && !u->rp.done && u->next_frame > 0 &&
	    now >= srcrp_due(&u->rp, cfg->speed, u->next_frame)) {
		u->flush(u->arg, srcrp_wall(&u->rp, u->next_frame));
		u->next_frame += SRC_FRAME_EVERY;
	}
	buf_free(&err);
}

/*
 * Shortens *timeout to what is due next. Returns 1 when replaying (there
 * are no sockets to wait on), 0 live.
 */
int
srcudp_wait(struct src_udp *u, double now, long long backlog, double *timeout)
{
	const struct config *cfg = u->cfg;

	if (!cfg->replay) {
		if (u->next_frame - now < *timeout)
			*timeout = u->next_frame - now;
		return 0;
	}
	if (u->rp.done)
		return 1;
	if (cfg->speed > 0 && u->have && srcrp_due(&u->rp, cfg->speed, u->raw_t) - now < *timeout)
		*timeout = srcrp_due(&u->rp, cfg->speed, u->raw_t) - now;
	if (cfg->speed == 0 && (u->out_fd != OS_SOCK_NONE ||
	    backlog + srcq_len(u->q) < SRC_AHEAD))
		*timeout = 0;
	if (cfg->speed > 0 && *timeout > 0.1)
		*timeout = 0.1;		/* the frame that ends without datagrams */
	return 1;
}

/*
 * The status line of a replay to --replay-to, of source name counting
 * what. Returns 1, or 0 when the source makes frames (its own line).
 */
int
srcudp_status(const struct src_udp *u, const char *name, const char *what, char *out,
    size_t outsz)
{
	if (u->out_fd == OS_SOCK_NONE)
		return 0;
	snprintf(out, outsz, "%s replay to %s%s: %lld %s sent", name, u->replay_to.text,
	    u->rp.done ? " (done)" : "", u->forwarded, what);
	return 1;
}

void
srcudp_close(struct src_udp *u)
{
	os_udp_close(u->fwd_fd);
	os_udp_close(u->out_fd);
	srcrec_close(&u->rec);
	srcrp_close(&u->rp);
	buf_free(&u->raw);
}
