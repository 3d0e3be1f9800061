/*
 * Uploads (spec/wire-protocol.md): the body of one frame or of a batch, the
 * server's answer classified, and the backoff between failed attempts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

const char *const up_result_names[UP__MAX] = { "ok", "retry", "reject", "hold" };

/*
 * Builds the gzip body of a batch: the frames (stored gzip) inflated, put in
 * one JSON array and compressed again at level. Takes frames while the
 * array stays within max bytes (at least one) and sets *n to how many it
 * took. Returns 1, 0 when a stored frame is not valid gzip (its seq is
 * logged), -1 when memory runs out.
 */
int
upload_batch_body(struct buf *out, const struct spool_rec *r, size_t *n, size_t max, int level)
{
	struct buf	 json = { 0 };
	size_t		 used = 0, before;
	int		 rc = 1;

	if (buf_putc(&json, '[') < 0)
		rc = -1;
	for (size_t i = 0; rc == 1 && i < *n; i++) {
		enum gz_result g;
		before = json.len;
		if (i > 0 && buf_putc(&json, ',') < 0) {
			rc = -1;
			break;
		}
		if ((g = gz_inflate(r[i].data.p, r[i].data.len, FRAME_MAX_INFLATED, &json)) != GZ_OK) {
			log_err("spool: frame %lld is not valid gzip", r[i].seq);
			rc = g == GZ_ERR ? -1 : 0;
			break;
		}
		if (i > 0 && json.len + 1 > max) {
			json.len = before;	/* this one goes in the next batch */
			break;
		}
		used++;
	}
	if (rc == 1 && (buf_putc(&json, ']') < 0 || gz_deflate(json.p, json.len, level, out) < 0))
		rc = -1;
	buf_free(&json);
	*n = used;
	return rc;
}

/*
 * Writes into out (UP_SENT_AT_MAX bytes) the header line that tells the
 * server this client's wall clock at the moment a request is sent (now,
 * epoch seconds): "Trackside-Sent-At: 2026-11-21T12:00:05.456Z". Every
 * request carries its own, batches from the spool too, so the server
 * knows the client's clock offset whenever the frames were captured.
 */
void
upload_sent_at(double now, char out[UP_SENT_AT_MAX])
{
	char ts[32];

	time_iso(now, ts);
	snprintf(out, UP_SENT_AT_MAX, "%s: %s", UP_SENT_AT, ts);
}

/*
 * Classifies the server's answer: HTTP status (0 = no answer), body and
 * the Retry-After header (or NULL). Fills a; never fails.
 */
void
upload_classify(long status, const char *body, size_t len, const char *retry_after,
    struct up_answer *a)
{
	struct jspan	 doc, v;
	double		 d;

	memset(a, 0, sizeof(*a));
	a->status = status;
	a->ack = -1;
	if (body != NULL && len > 0 && jscan_document(body, len, &doc) && doc.type == JT_OBJECT) {
		json_member_str(&doc, "error", a->error, sizeof(a->error));
		json_member_str(&doc, "message", a->message, sizeof(a->message));
		if (jscan_member(&doc, "ack", &v) && json_num(&v, &d) && d >= 0 && d < 9.1e15)
			a->ack = (long long)d;
	}
	if (retry_after != NULL && num_parse_d(retry_after, 0, 86400, &d))
		a->retry_after = d;
	if (status == 200 || status == 202) {
		if (a->ack >= 0)
			a->result = UP_OK;
		else {
			a->result = UP_RETRY;
			snprintf(a->message, sizeof(a->message), "the answer has no \"ack\"");
		}
	} else if (status == 400 || status == 409 || status == 413)
		a->result = UP_REJECT;
	else if (status == 0 || status == 408 || status == 429 || status >= 500)
		a->result = UP_RETRY;
	else
		a->result = UP_HOLD;	/* 401, 403, 404, 415, ...: a configuration problem */
	if (a->message[0] == '\0' && status != 0 && a->result != UP_OK)
		snprintf(a->message, sizeof(a->message), "HTTP status %ld", status);
}

/*
 * The delay before attempt number failures + 1 (failures >= 1): exponential
 * from 1 s, capped at max seconds, with jitter from rnd in [0, 1): between
 * half and all of the exponential step.
 */
double
upload_backoff(int failures, double max, double rnd)
{
	double step = failures > 30 ? max : ldexp(1.0, failures - 1);

	if (step > max)
		step = max;
	return step * (0.5 + 0.5 * rnd);
}
