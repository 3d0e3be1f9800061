/*
 * Recordings: the reader checks every line and reports bad ones by line
 * number, reads gzip and plain files, and reads back what the writer wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "tap.h"

#define HDR "{\"format\":\"lmu-recording\",\"version\":1,\"created\":\"2026-03-09T12:58:28.982Z\"}\n"
#define POLL(t) "{\"t\":" #t ",\"responses\":{\"/rest/watch/sessionInfo\":null}}\n"

static char root[256];

/* Opens text (of len bytes) as an in-memory recording. */
static struct rec_reader *
mem(const char *text, struct buf *err)
{
	struct rec_reader *r = NULL;

	buf_reset(err);
	rec_open_mem(&r, text, strlen(text), err);
	return r;
}

static int
count_polls(struct rec_reader *r, int *bad)
{
	struct rec_poll	 p;
	struct buf	 err = { 0 };
	enum rec_result	 rc;
	int		 n = 0;

	*bad = 0;
	while ((rc = rec_next(r, &p, &err)) == REC_OK || rc == REC_BAD) {
		if (rc == REC_OK)
			n++;
		else
			(*bad)++;
	}
	buf_free(&err);
	return rc == REC_EOF ? n : -1;
}

int
main(void)
{
	struct rec_reader	*r;
	struct rec_poll		 p;
	struct buf		 err = { 0 };
	const char		*tmp = getenv("TMPDIR"), *top = getenv("top_srcdir");
	char			 path[512];
	int			 bad, n;

	log_init("t_client_record", 1, LOG_LVL_ERR);
	snprintf(root, sizeof(root), "%s/t_client_record.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(root) == NULL)
		return 1;

	r = mem(HDR POLL(0.0) POLL(1.0) POLL(2.5), &err);
	ok(r && rec_created(r) > 1.7e9 && count_polls(r, &bad) == 3 && bad == 0,
	    "a plain recording reads poll by poll, with its creation time");
	rec_close(r);

	r = mem(HDR POLL(0.0) "\n\r\n" POLL(1.0), &err);
	ok(r && count_polls(r, &bad) == 2 && bad == 0, "blank lines are skipped");
	rec_close(r);

	r = mem(HDR POLL(0.0) "{\"t\":1,\"responses\":{\"/rest/watch/sessionInfo\":nul}}\n" POLL(2),
	    &err);
	n = r ? count_polls(r, &bad) : -1;
	ok(n == 2 && bad == 1, "a line that is not JSON is reported and skipped");
	rec_close(r);

	r = mem(HDR "{\"t\":0,\"responses\":{}}\n{\"responses\":{}}\n", &err);
	buf_reset(&err);
	ok(r && rec_next(r, &p, &err) == REC_OK && rec_next(r, &p, &err) == REC_BAD && err.p &&
	    strstr(err.p, "line 3") && strstr(err.p, "\"t\""),
	    "a poll without t is reported with its line number");
	rec_close(r);

	r = mem(HDR "{\"t\":0,\"responses\":[1]}\n", &err);
	buf_reset(&err);
	ok(r && rec_next(r, &p, &err) == REC_BAD && err.p && strstr(err.p, "responses"),
	    "a poll whose responses are not an object is reported");
	rec_close(r);

	r = mem(HDR "{\"t\":0,\"responses\":{\"sessionInfo\":{}}}\n", &err);
	buf_reset(&err);
	ok(r && rec_next(r, &p, &err) == REC_BAD && err.p && strstr(err.p, "request path"),
	    "a response key that is not a request path is reported");
	rec_close(r);

	r = mem(HDR POLL(5.0) POLL(4.0), &err);
	buf_reset(&err);
	ok(r && rec_next(r, &p, &err) == REC_OK && rec_next(r, &p, &err) == REC_BAD && err.p &&
	    strstr(err.p, "back in time"), "a poll going back in time is reported");
	rec_close(r);

	r = mem("{\"format\":\"something\",\"version\":1}\n" POLL(0), &err);
	ok(r == NULL && err.p && strstr(err.p, "lmu-recording"), "a file that is not a recording is refused");

	r = mem("{\"format\":\"lmu-recording\",\"version\":2}\n" POLL(0), &err);
	ok(r == NULL && err.p && strstr(err.p, "version"), "a recording of another version is refused");

	r = mem("", &err);
	ok(r == NULL && err.p && strstr(err.p, "empty"), "an empty file is refused");

	r = mem(HDR "{\"t\":0,\"responses\":{\"/a\":1}", &err);
	buf_reset(&err);
	ok(r && rec_next(r, &p, &err) == REC_BAD, "a truncated last line is reported");
	rec_close(r);

	{
		struct buf gz = { 0 };
		static const char txt[] = HDR POLL(0) POLL(1);
		gz_deflate(txt, sizeof(txt) - 1, 6, &gz);
		buf_reset(&err);
		r = NULL;
		rec_open_mem(&r, gz.p, gz.len, &err);
		ok(r && count_polls(r, &bad) == 2, "a gzip recording in memory reads like a plain one");
		rec_close(r);
		buf_free(&gz);
	}

	for (int gzip = 0; gzip < 2; gzip++) {
		struct rec_writer *w = NULL;
		static const char resp[] = "{\"/rest/watch/sessionInfo\":{\"currentEventTime\":1.5}}";
		int good;

		snprintf(path, sizeof(path), "%s/rec%d.jsonl%s", root, gzip, gzip ? ".gz" : "");
		good = rec_create(&w, path, "test \"note\"") == 1 &&
		    rec_write(w, 0, resp, sizeof(resp) - 1) == 1 &&
		    rec_write(w, 1.25, resp, sizeof(resp) - 1) == 1 && rec_finish(w) == 1;
		buf_reset(&err);
		r = NULL;
		good = good && rec_open(&r, path, &err) == 1 && rec_next(r, &p, &err) == REC_OK &&
		    p.t == 0 && rec_next(r, &p, &err) == REC_OK && p.t == 1.25 &&
		    p.responses.len == sizeof(resp) - 1 &&
		    memcmp(p.responses.p, resp, p.responses.len) == 0 &&
		    rec_next(r, &p, &err) == REC_EOF;
		ok(good, gzip ? "a gzip recording written is read back the same" :
		    "a plain recording written is read back the same");
		rec_close(r);
	}

	{
		/* Assetto Corsa recordings: datagrams as base64 with their times */
		struct rec_writer *w = NULL;
		struct buf raw = { 0 };
		double t = -1;
		int good;

		snprintf(path, sizeof(path), "%s/ac.jsonl.gz", root);
		good = rec_create_format(&w, path, REC_AC, "ac") == 1 &&
		    rec_write_raw(w, 0.004, "\x38\x04", 2) == 1 &&
		    rec_write_raw(w, 1.5, "\x00\xff\x3a", 3) == 1 && rec_finish(w) == 1;
		buf_reset(&err);
		r = NULL;
		good = good && rec_open_format(&r, path, REC_AC, &err) == 1 &&
		    rec_next_raw(r, &t, &raw, &err) == REC_OK && t == 0.004 && raw.len == 2 &&
		    memcmp(raw.p, "\x38\x04", 2) == 0 && rec_next_raw(r, &t, &raw, &err) == REC_OK &&
		    t == 1.5 && raw.len == 3 && memcmp(raw.p, "\x00\xff\x3a", 3) == 0 &&
		    rec_next_raw(r, &t, &raw, &err) == REC_EOF;
		ok(good, "an ac-recording written is read back the same");
		rec_close(r);
		buf_reset(&err);
		r = NULL;
		ok(rec_open(&r, path, &err) == 0 && err.p && strstr(err.p, "lmu-recording"),
		    "an ac-recording is not an LMU recording");
		rec_close(r);
		static const char badlines[] = "{\"format\":\"ac-recording\",\"version\":1}\n"
		    "{\"t\":1,\"raw\":\"O=AQ\"}\n{\"t\":2}\n{\"t\":0.5,\"raw\":\"OAQ=\"}\n"
		    "{\"t\":3,\"raw\":\"OAQ=\"}\n";
		buf_reset(&err);
		r = NULL;
		rec_open_mem_format(&r, badlines, sizeof(badlines) - 1, REC_AC, &err);
		good = r != NULL && rec_next_raw(r, &t, &raw, &err) == REC_BAD &&
		    strstr(err.p, "line 2") && rec_next_raw(r, &t, &raw, &err) == REC_BAD &&
		    rec_next_raw(r, &t, &raw, &err) == REC_OK && t == 0.5 &&
		    rec_next_raw(r, &t, &raw, &err) == REC_OK && t == 3 && raw.len == 2;
		ok(good, "bad datagram lines (not base64, no raw) are reported and skipped");
		rec_close(r);
		buf_free(&raw);
	}

	buf_reset(&err);
	r = NULL;
	ok(rec_open(&r, "/nonexistent/x.jsonl", &err) == -1 && err.p && strstr(err.p, "/nonexistent"),
	    "a missing file is reported with its name");

	if (top != NULL) {
		snprintf(path, sizeof(path), "%s/../shared/data/recordings/sebring-school-race-B.jsonl.gz",
		    top);
		if (access(path, R_OK) == 0) {
			buf_reset(&err);
			r = NULL;
			ok(rec_open(&r, path, &err) == 1 && count_polls(r, &bad) == 1670 && bad == 0,
			    "a real recording reads completely");
			rec_close(r);
		} else
			skip_data("a real recording reads completely: no %s", path);
	}
	buf_free(&err);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	if (system(path) != 0)
		return 1;
	return tap_done();
}
