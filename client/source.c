/*
 * The table of the client's sources, the queue of frames each keeps until
 * main.c takes them, and the recordings they write and replay.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

/* Indexed by enum src_id, named by src_names. */
const struct source *const sources[SRC__MAX] = {
	&src_lmu,
	&src_ac,
};

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
