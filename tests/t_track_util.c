/*
 * Helpers of the tracking tests and the tracking benchmark: recordings
 * read poll by poll, polls wrapped as the inbox records worker_apply()
 * takes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t_track_util.h"

/* Reads one line into r->line. Returns 1, or 0 at the end. */
static int
rec_line(struct rec_reader *r)
{
	char chunk[65536];

	buf_reset(&r->line);
	while (gzgets(r->gz, chunk, sizeof(chunk)) != NULL) {
		size_t n = strlen(chunk);
		buf_add(&r->line, chunk, n);
		if (n > 0 && chunk[n - 1] == '\n')
			return 1;
	}
	return r->line.len > 0;
}

/*
 * Opens a recording and reads its header. Returns 1, or 0 when it cannot
 * be read or is not a recording; rec_close() releases it.
 */
int
rec_open(struct rec_reader *r, const char *path)
{
	const char *c;

	memset(r, 0, sizeof(*r));
	if ((r->gz = gzopen(path, "rb")) == NULL)
		return 0;
	gzbuffer(r->gz, 1 << 17);
	if (!rec_line(r) || strstr(r->line.p, "\"lmu-recording\"") == NULL)
		return 0;
	if ((c = strstr(r->line.p, "\"created\":\"")) != NULL) {
		char iso[40];
		snprintf(iso, sizeof(iso), "%.24s", c + 11);
		if (!time_iso_parse(iso, &r->created))
			r->created = 0;
	}
	return 1;
}

/*
 * Reads the next poll: r->t and r->responses (pointing into r->line).
 * Returns 1, or 0 at the end.
 */
int
rec_next(struct rec_reader *r)
{
	const char *p, *resp;
	size_t len;

	while (rec_line(r)) {
		p = r->line.p;
		len = r->line.len;
		while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		if (strncmp(p, "{\"t\":", 5) != 0 ||
		    (resp = strstr(p, "\"responses\":")) == NULL || p[len - 1] != '}')
			continue;
		r->t = strtod(p + 5, NULL);
		r->responses = resp + 12;
		r->rlen = (size_t)(p + len - 1 - r->responses);
		return 1;
	}
	r->eof = 1;
	return 0;
}

void
rec_close(struct rec_reader *r)
{
	if (r->gz != NULL)
		gzclose(r->gz);
	buf_free(&r->line);
	memset(r, 0, sizeof(*r));
}

/*
 * Writes an inbox record "<header>\n<frame>" for one poll of client at
 * wall time at into out (reset first).
 */
void
rec_frame(struct buf *out, const char *client, long long seq, double at, const char *responses,
    size_t rlen)
{
	char iso[32];

	time_iso(at, iso);
	buf_reset(out);
	buf_printf(out, "{\"token\":0,\"received_at\":%.3f}\n{\"v\":1,\"client\":{\"id\":\"%s\","
	    "\"name\":\"%s\",\"version\":\"test\"},\"seq\":%lld,\"captured_at\":\"%s\","
	    "\"source\":\"lmu\",\"data\":", at, client, client, seq, iso);
	buf_add(out, responses, rlen);
	buf_putc(out, '}');
}

/* The recordings directory: $top_srcdir/../shared/data/recordings. */
const char *
data_dir(void)
{
	static char dir[4096];
	const char *top = getenv("top_srcdir");

	snprintf(dir, sizeof(dir), "%s/../shared/data/recordings", top ? top : ".");
	return dir;
}
