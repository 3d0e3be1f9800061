/*
 * Uploads: answers classified the way spec/wire-protocol.md says, backoff,
 * and batch bodies.
 */
#include <string.h>

#include "client.h"
#include "tap.h"

static enum up_result
cls(long status, const char *body, const char *retry_after, struct up_answer *a)
{
	upload_classify(status, body, body ? strlen(body) : 0, retry_after, a);
	return a->result;
}

int
main(void)
{
	struct up_answer	 a;
	struct spool_rec	 r[3];
	struct buf		 body = { 0 }, json = { 0 };
	struct jspan		 doc, el, v;
	size_t			 off = 0, nb;
	long long		 seq;
	int			 good, n = 0;

	log_init("t_client_upload", 1, LOG_LVL_ERR);
	ok(cls(202, "{\"ack\":17,\"session\":null}", NULL, &a) == UP_OK && a.ack == 17,
	    "202 with an ack acknowledges up to it");
	ok(cls(202, "{\"session\":null}", NULL, &a) == UP_RETRY,
	    "202 without an ack is retried, not taken as an ack");
	ok(cls(0, NULL, NULL, &a) == UP_RETRY, "no answer (network, DNS, timeout) is retried");
	ok(cls(503, "{\"error\":\"inbox_full\",\"message\":\"full\"}", NULL, &a) == UP_RETRY &&
	    strcmp(a.error, "inbox_full") == 0, "503 is retried");
	ok(cls(502, "<html>bad gateway</html>", NULL, &a) == UP_RETRY,
	    "a 5xx with an HTML body is retried");
	ok(cls(429, "{}", "7", &a) == UP_RETRY && a.retry_after == 7,
	    "429 is retried after Retry-After");
	ok(cls(400, "{\"error\":\"bad_frame\",\"message\":\"Frame 0 has no data.\"}", NULL, &a) ==
	    UP_REJECT && strcmp(a.message, "Frame 0 has no data.") == 0,
	    "400 sets the frame aside with the server's message");
	ok(cls(413, "{\"error\":\"too_large\",\"message\":\"big\"}", NULL, &a) == UP_REJECT,
	    "413 sets the frame aside");
	ok(cls(401, "{\"error\":\"unauthorized\",\"message\":\"x\"}", NULL, &a) == UP_HOLD &&
	    cls(403, NULL, NULL, &a) == UP_HOLD && cls(404, NULL, NULL, &a) == UP_HOLD,
	    "401, 403 and 404 keep the frames and wait for a person");

	good = 1;
	for (int f = 1; f < 12; f++) {
		double lo = upload_backoff(f, UP_BACKOFF_MAX, 0.0);
		double hi = upload_backoff(f, UP_BACKOFF_MAX, 0.999);
		double step = f > 10 ? UP_BACKOFF_MAX : (double)(1 << (f - 1));
		if (step > UP_BACKOFF_MAX)
			step = UP_BACKOFF_MAX;
		good = good && lo >= step * 0.5 - 1e-9 && hi <= step + 1e-9 && hi > lo;
	}
	ok(good, "backoff doubles from 1 s up to the cap, with jitter");

	memset(r, 0, sizeof(r));
	for (int i = 0; i < 3; i++) {
		char frame[64];
		snprintf(frame, sizeof(frame), "{\"seq\":%d}", i + 1);
		gz_deflate(frame, strlen(frame), 6, &r[i].data);
		r[i].seq = i + 1;
	}
	nb = 3;
	good = upload_batch_body(&body, r, &nb, 1 << 20, 6) == 1 && nb == 3 &&
	    gz_is_gzip(body.p, body.len) &&
	    gz_inflate(body.p, body.len, 1 << 20, &json) == GZ_OK &&
	    jscan_document(json.p, json.len, &doc) && doc.type == JT_ARRAY;
	while (good && jscan_next(&doc, &off, &el))
		good = jscan_member(&el, "seq", &v) && jscan_int(&v, 1, 3, &seq) && seq == ++n;
	ok(good && n == 3, "a batch is a gzip JSON array of the frames in order");

	buf_reset(&body);
	buf_reset(&json);
	nb = 3;
	good = upload_batch_body(&body, r, &nb, 22, 6) == 1 && nb == 2 &&
	    gz_inflate(body.p, body.len, 1 << 20, &json) == GZ_OK && json.len <= 22;
	nb = 3;
	buf_reset(&body);
	good = good && upload_batch_body(&body, r, &nb, 5, 6) == 1 && nb == 1;
	ok(good, "a batch takes frames while it stays under the size cap, at least one");

	buf_reset(&body);
	buf_reset(&r[1].data);
	buf_add(&r[1].data, "not gzip", 8);
	nb = 3;
	ok(upload_batch_body(&body, r, &nb, 1 << 20, 6) == 0, "a batch with a damaged frame is refused");

	char	 line[UP_SENT_AT_MAX];
	double	 t;
	upload_sent_at(1794916805.456, line);
	ok(strcmp(line, "Trackside-Sent-At: 2026-11-17T12:00:05.456Z") == 0,
	    "a request carries the client's clock as Trackside-Sent-At, RFC 3339 UTC to the ms");
	upload_sent_at(1794916805.9996, line);
	ok(strncmp(line, UP_SENT_AT ": ", strlen(UP_SENT_AT) + 2) == 0 &&
	    time_iso_parse(line + strlen(UP_SENT_AT) + 2, &t) && t == 1794916806.0,
	    "the send time reads back as what the server parses (rounded to the ms)");
	for (int i = 0; i < 3; i++)
		buf_free(&r[i].data);
	buf_free(&body);
	buf_free(&json);
	return tap_done();
}
