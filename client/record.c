/*
 * Recordings (spec/lmu-recording.md): JSON Lines, optionally gzip, a header
 * line then one {"t": seconds, "responses": {path: body}} per poll. Assetto
 * Corsa recordings (docs/ac.md) have the same shape, format "ac-recording",
 * and one {"t": seconds, "raw": base64} per datagram; so have Project CARS
 * 2 / Automobilista 2 recordings, format "pcars2-recording", one line per
 * UDP packet. The reader checks
 * every line (it may come from anywhere) and hands out spans of the line;
 * the writer is what --record uses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "client.h"
#include "os.h"

struct rec_reader {
	const char	*format;	/* the header's "format" */
	gzFile		 gz;		/* a file (gzip or plain), or NULL */
	struct buf	 mem;		/* an in-memory recording, inflated */
	size_t		 mem_off;
	struct buf	 line;
	struct buf	 chunk;		/* read ahead from gz */
	size_t		 chunk_off;
	int		 eof;
	long long	 lineno;
	double		 created;
	double		 last_t;
};

struct rec_writer {
	gzFile		 gz;
	struct buf	 line;
};

/*
 * Checks a header line of format (REC_LMU, REC_AC or REC_P2). Returns 1 with the
 * creation time (0 when absent or unreadable), 0 with a message in err when
 * it is not a version 1 header of that format.
 */
static int
rec_header(const char *p, size_t len, const char *format, double *created, struct buf *err)
{
	struct jspan	 doc, v;
	char		 s[64];
	long long	 ver;

	*created = 0;
	if (!jscan_document(p, len, &doc) || doc.type != JT_OBJECT) {
		buf_printf(err, "line 1 is not a JSON object");
		return 0;
	}
	if (!json_member_str(&doc, "format", s, sizeof(s)) || strcmp(s, format) != 0) {
		buf_printf(err, "line 1 is not an %s header (\"format\":\"%s\")", format, format);
		return 0;
	}
	if (!jscan_member(&doc, "version", &v) || !jscan_int(&v, 0, 1000000, &ver) || ver != 1) {
		buf_printf(err, "unsupported recording version (this client reads version 1)");
		return 0;
	}
	if (json_member_str(&doc, "created", s, sizeof(s)) && !time_iso_parse(s, created))
		*created = 0;
	return 1;
}

/* The header of an LMU recording; see rec_header(). */
int
rec_parse_header(const char *p, size_t len, double *created, struct buf *err)
{
	return rec_header(p, len, REC_LMU, created, err);
}

/*
 * Checks a poll line and points poll->responses into it. Returns 1, or 0
 * with a message in err.
 */
int
rec_parse_poll(const char *p, size_t len, struct rec_poll *poll, struct buf *err)
{
	struct jspan	 doc, v, key;
	size_t		 off = 0;

	if (!jscan_document(p, len, &doc) || doc.type != JT_OBJECT) {
		buf_printf(err, "not a JSON object");
		return 0;
	}
	if (!jscan_member(&doc, "t", &v) || !json_num(&v, &poll->t) || poll->t < 0 ||
	    poll->t > 1e9) {
		buf_printf(err, "no \"t\" (seconds since the recording started)");
		return 0;
	}
	if (!jscan_member(&doc, "responses", &poll->responses) ||
	    poll->responses.type != JT_OBJECT) {
		buf_printf(err, "no \"responses\" object");
		return 0;
	}
	/* every key must be a request path */
	while (json_obj_next(&poll->responses, &off, &key, &v))
		if (key.len < 4 || key.p[1] != '/') {
			buf_printf(err, "response key %.*s is not a request path",
			    key.len > 60 ? 60 : (int)key.len, key.p);
			return 0;
		}
	return 1;
}

/*
 * Reads the next line into r->line (without its newline). Returns 1, 0 at
 * the end, -1 on a read error, 2 when the line is longer than REC_LINE_MAX.
 */
static int
rec_getline(struct rec_reader *r)
{
	buf_reset(&r->line);
	for (;;) {
		const char	*src;
		size_t		 avail;

		if (r->gz == NULL) {
			src = r->mem.p + r->mem_off;
			avail = r->mem.len - r->mem_off;
		} else {
			if (r->chunk_off == r->chunk.len && !r->eof) {
				int n;
				buf_reset(&r->chunk);
				r->chunk_off = 0;
				if (buf_grow(&r->chunk, 1 << 16) < 0)
					return -1;
				n = gzread(r->gz, r->chunk.p, 1 << 16);
				if (n < 0)
					return -1;
				if (n == 0)
					r->eof = 1;
				r->chunk.len = (size_t)n;
			}
			src = r->chunk.p + r->chunk_off;
			avail = r->chunk.len - r->chunk_off;
		}
		if (avail == 0)
			return r->line.len > 0 ? 1 : 0;
		const char *nl = memchr(src, '\n', avail);
		size_t take = nl ? (size_t)(nl - src) : avail;
		if (r->line.len + take > REC_LINE_MAX)
			return 2;
		if (buf_add(&r->line, src, take) < 0)
			return -1;
		if (r->gz == NULL)
			r->mem_off += take + (nl != NULL);
		else
			r->chunk_off += take + (nl != NULL);
		if (nl)
			return 1;
	}
}

static int
rec_start(struct rec_reader *r, struct buf *err)
{
	int rc = rec_getline(r);

	if (rc != 1) {
		buf_printf(err, rc == 0 ? "the recording is empty" : rc == 2 ?
		    "line 1 is too long" : "cannot read the recording");
		return rc < 0 ? -1 : 0;
	}
	r->lineno = 1;
	return rec_header(r->line.p, r->line.len, r->format, &r->created, err);
}

/*
 * gzopen() through os_open(): a UTF-8 path on every platform. Returns NULL
 * with errno set.
 */
static gzFile
rec_gzopen(const char *path, int flags, const char *mode)
{
	gzFile	 gz;
	int	 fd;

	if ((fd = os_open(path, flags, 0644)) < 0)
		return NULL;
	if ((gz = gzdopen(fd, mode)) == NULL) {
		os_close(fd);
		errno = ENOMEM;
	}
	return gz;
}

/*
 * Opens a recording file (gzip or plain) of format (REC_LMU, REC_AC, REC_P2) and
 * checks its header. Returns 1 with *out (rec_close() frees it), 0 with a
 * message in err when the file is not such a recording, -1 when it cannot be
 * read.
 */
int
rec_open_format(struct rec_reader **out, const char *path, const char *format,
    struct buf *err)
{
	struct rec_reader	*r;
	int			 rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	r->format = format;
	r->last_t = -1;
	if ((r->gz = rec_gzopen(path, OS_RDONLY, "rb")) == NULL) {
		buf_printf(err, "%s: %s", path, errno ? strerror(errno) : "cannot open");
		free(r);
		return -1;
	}
	gzbuffer(r->gz, 1 << 17);
	if ((rc = rec_start(r, err)) != 1) {
		rec_close(r);
		return rc;
	}
	*out = r;
	return 1;
}

/* Opens an LMU recording file; see rec_open_format(). */
int
rec_open(struct rec_reader **out, const char *path, struct buf *err)
{
	return rec_open_format(out, path, REC_LMU, err);
}

/*
 * Opens a recording of format held in memory (gzip or plain; it is copied).
 * Returns like rec_open_format().
 */
int
rec_open_mem_format(struct rec_reader **out, const void *p, size_t len, const char *format,
    struct buf *err)
{
	struct rec_reader	*r;
	int			 rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	r->format = format;
	r->last_t = -1;
	if (gz_is_gzip(p, len)) {
		if ((rc = gz_inflate(p, len, 1u << 30, &r->mem)) != GZ_OK) {
			buf_printf(err, rc == GZ_BAD ? "not valid gzip" : rc == GZ_TOO_LARGE ?
			    "inflates to more than 1 GiB" : "out of memory");
			rec_close(r);
			return rc == GZ_ERR ? -1 : 0;
		}
	} else if (buf_add(&r->mem, p, len) < 0) {
		rec_close(r);
		return -1;
	}
	if ((rc = rec_start(r, err)) != 1) {
		rec_close(r);
		return rc;
	}
	*out = r;
	return 1;
}

/* Opens an LMU recording held in memory; see rec_open_mem_format(). */
int
rec_open_mem(struct rec_reader **out, const void *p, size_t len, struct buf *err)
{
	return rec_open_mem_format(out, p, len, REC_LMU, err);
}

/*
 * Reads the next line that is not blank. Returns REC_OK, REC_EOF, or
 * REC_ERR with a message in err.
 */
static enum rec_result
rec_line(struct rec_reader *r, struct buf *err)
{
	int rc;

	for (;;) {
		if ((rc = rec_getline(r)) == 0)
			return REC_EOF;
		if (rc < 0) {
			buf_printf(err, "line %lld: cannot read: %s", r->lineno + 1,
			    r->gz ? "read error or damaged gzip" : "out of memory");
			return REC_ERR;
		}
		r->lineno++;
		if (rc == 2) {
			buf_printf(err, "line %lld: longer than %u bytes", r->lineno, REC_LINE_MAX);
			return REC_ERR;
		}
		/* blank lines (and a trailing \r) are tolerated */
		while (r->line.len > 0 && (r->line.p[r->line.len - 1] == '\r' ||
		    r->line.p[r->line.len - 1] == ' '))
			r->line.p[--r->line.len] = '\0';
		if (r->line.len > 0)
			return REC_OK;
	}
}

/* Whether t goes on from the line before; REC_BAD with a message if not. */
static enum rec_result
rec_in_order(struct rec_reader *r, double t, struct buf *err)
{
	if (t < r->last_t) {
		buf_printf(err, "line %lld: t %.3f goes back in time (previous %.3f)", r->lineno,
		    t, r->last_t);
		return REC_BAD;
	}
	r->last_t = t;
	return REC_OK;
}

/*
 * Reads the next poll. Returns REC_OK with poll (valid until the next call),
 * REC_EOF at the end, REC_BAD with a message in err for a line that is not a
 * poll (the caller may go on with the next), REC_ERR when reading fails.
 */
enum rec_result
rec_next(struct rec_reader *r, struct rec_poll *poll, struct buf *err)
{
	enum rec_result rc;

	if ((rc = rec_line(r, err)) != REC_OK)
		return rc;
	size_t before = err->len;
	if (!rec_parse_poll(r->line.p, r->line.len, poll, err)) {
		struct buf tmp = { 0 };
		buf_add(&tmp, err->p + before, err->len - before);
		err->len = before;
		buf_printf(err, "line %lld: %s", r->lineno, tmp.p ? tmp.p : "bad poll");
		buf_free(&tmp);
		return REC_BAD;
	}
	return rec_in_order(r, poll->t, err);
}

/*
 * Reads the next datagram of an ac- or pcars2-recording: *t, and its bytes replace
 * raw's. Returns like rec_next().
 */
enum rec_result
rec_next_raw(struct rec_reader *r, double *t, struct buf *raw, struct buf *err)
{
	struct jspan	 doc, v;
	enum rec_result	 rc;

	if ((rc = rec_line(r, err)) != REC_OK)
		return rc;
	buf_reset(raw);
	if (!jscan_document(r->line.p, r->line.len, &doc) || doc.type != JT_OBJECT ||
	    !jscan_member(&doc, "t", &v) || !json_num(&v, t) || *t < 0 || *t > 1e9) {
		buf_printf(err, "line %lld: not a JSON object with \"t\" (seconds since the "
		    "recording started)", r->lineno);
		return REC_BAD;
	}
	if (!jscan_member(&doc, "raw", &v) || v.type != JT_STRING || v.len < 3 ||
	    b64_decode(raw, v.p + 1, v.len - 2) != 1) {
		buf_printf(err, "line %lld: no \"raw\" (the datagram's bytes, base64)", r->lineno);
		return REC_BAD;
	}
	return rec_in_order(r, *t, err);
}

/* The header's creation time (epoch seconds), 0 when unknown. */
double
rec_created(const struct rec_reader *r)
{
	return r->created;
}

long long
rec_lineno(const struct rec_reader *r)
{
	return r->lineno;
}

void
rec_close(struct rec_reader *r)
{
	if (r == NULL)
		return;
	if (r->gz)
		gzclose(r->gz);
	buf_free(&r->mem);
	buf_free(&r->line);
	buf_free(&r->chunk);
	free(r);
}

/* Creates an LMU recording; see rec_create_format(). */
int
rec_create(struct rec_writer **out, const char *path, const char *note)
{
	return rec_create_format(out, path, REC_LMU, note);
}

/*
 * Creates a recording of format (REC_LMU, REC_AC, REC_P2) at path (gzip when it
 * ends in ".gz") and writes its header. Returns 1 with *out, -1 with errno
 * set. rec_finish() closes it.
 */
int
rec_create_format(struct rec_writer **out, const char *path, const char *format,
    const char *note)
{
	struct rec_writer	*w;
	struct buf		 h = { 0 };
	char			 ts[32];
	size_t			 n = strlen(path);
	int			 gz = n > 3 && strcmp(path + n - 3, ".gz") == 0;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	if ((w->gz = rec_gzopen(path, OS_WRONLY | OS_CREAT | OS_TRUNC, gz ? "wb6" : "wT")) == NULL) {
		if (errno == 0)
			errno = EIO;
		free(w);
		return -1;
	}
	time_iso(time_now(), ts);
	buf_printf(&h, "{\"format\":\"%s\",\"version\":1,\"source\":\"%s\",\"created\":\"%s\","
	    "\"client\":\"%s\",\"note\":\"", format, strcmp(format, REC_AC) == 0 ? "ac" :
	    strcmp(format, REC_P2) == 0 ? "pcars2" : "lmu",
	    ts, CLIENT_VERSION);
	esc_json(&h, note, strlen(note));
	buf_puts(&h, "\"}\n");
	if (h.p == NULL || gzwrite(w->gz, h.p, (unsigned)h.len) != (int)h.len ||
	    gzflush(w->gz, Z_SYNC_FLUSH) != Z_OK) {
		buf_free(&h);
		gzclose(w->gz);
		free(w);
		errno = EIO;
		return -1;
	}
	buf_free(&h);
	*out = w;
	return 1;
}

/* Writes w->line and flushes it, so a killed client keeps what it wrote. */
static int
rec_put(struct rec_writer *w)
{
	if (gzwrite(w->gz, w->line.p, (unsigned)w->line.len) != (int)w->line.len ||
	    gzflush(w->gz, Z_SYNC_FLUSH) != Z_OK)
		return -1;
	return 1;
}

/*
 * Writes one poll taken t seconds after the recording started; resp is its
 * responses object. Returns 1 or -1.
 */
int
rec_write(struct rec_writer *w, double t, const char *resp, size_t len)
{
	buf_reset(&w->line);
	if (buf_printf(&w->line, "{\"t\":%.3f,\"responses\":", t) < 0 ||
	    buf_add(&w->line, resp, len) < 0 || buf_puts(&w->line, "}\n") < 0)
		return -1;
	return rec_put(w);
}

/*
 * Writes one datagram of an ac- or pcars2-recording, received t seconds after the
 * recording started. Returns 1 or -1.
 */
int
rec_write_raw(struct rec_writer *w, double t, const void *raw, size_t len)
{
	buf_reset(&w->line);
	if (buf_printf(&w->line, "{\"t\":%.3f,\"raw\":\"", t) < 0 ||
	    b64_encode(&w->line, raw, len) < 0 || buf_puts(&w->line, "\"}\n") < 0)
		return -1;
	return rec_put(w);
}

/*
 * Closes the recording. Returns 1, or -1 when the last bytes could not be
 * written. w is freed either way.
 */
int
rec_finish(struct rec_writer *w)
{
	int rc = 1;

	if (w == NULL)
		return 1;
	if (gzclose(w->gz) != Z_OK)
		rc = -1;
	buf_free(&w->line);
	free(w);
	return rc;
}
