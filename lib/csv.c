/*
 * CSV reading (see csv.h). A record ends at a line break outside quotes;
 * spaces and tabs around a field (outside its quotes) are not part of it;
 * lines holding nothing but spaces are skipped. A malformed record is
 * returned with err set, and reading resumes on the line after the fault.
 */
#include <stdlib.h>
#include <string.h>

#include "trackside.h"
#include "csv.h"

/* Starts reading text (len bytes; it need not be NUL-terminated). */
void
csv_init(struct csv *c, const char *text, size_t len)
{
	c->p = text;
	c->end = text + len;
	c->line = 1;
}

static int
csv_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Skips lines of nothing but spaces. Returns 1 when a record follows, 0 at the end. */
static int
csv_skip_blank(struct csv *c)
{
	for (;;) {
		const char *q = c->p;
		while (q < c->end && csv_space(*q))
			q++;
		if (q == c->end) {
			c->p = q;
			return 0;
		}
		if (*q == '\n' || *q == '\r') {
			if (*q == '\r' && q + 1 < c->end && q[1] == '\n')
				q++;
			c->p = q + 1;
			c->line++;
			continue;
		}
		return 1;
	}
}

/* After a fault: on to the line after the current one. */
static void
csv_skip_line(struct csv *c)
{
	while (c->p < c->end && *c->p != '\n' && *c->p != '\r')
		c->p++;
	if (c->p < c->end) {
		if (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
			c->p++;
		c->p++;
		c->line++;
	}
}

/* Keeps the field in b as the record's next. Returns 1, 0 (err set), -1. */
static int
csv_keep(struct csv_rec *r, struct buf *b)
{
	char *s;

	if (b->len > CSV_FIELD_MAX) {
		r->err = "a field is too long";
		return 0;
	}
	if (!jscan_utf8_valid(b->p ? b->p : "", b->len)) {
		r->err = "the text is not UTF-8";
		return 0;
	}
	if (r->n == CSV_FIELDS_MAX) {
		r->err = "too many fields";
		return 0;
	}
	if ((s = b->p ? b->p : strdup("")) == NULL)
		return -1;
	memset(b, 0, sizeof(*b));
	r->f[r->n++] = s;
	return 1;
}

/*
 * Reads the next record into r (freed with csv_rec_free, whatever the
 * result). Returns 1 a record (r->err says whether it is malformed), 0 at
 * the end of the text, -1 out of memory.
 */
int
csv_read(struct csv *c, struct csv_rec *r)
{
	struct buf	 b = { 0 };
	int		 rc;

	memset(r, 0, sizeof(*r));
	if (!csv_skip_blank(c))
		return 0;
	r->line = c->line;
	for (;;) {
		while (c->p < c->end && csv_space(*c->p))
			c->p++;
		if (c->p < c->end && *c->p == '"') {
			c->p++;
			for (;;) {
				if (c->p == c->end) {
					r->err = "a quote is not closed";
					goto fault;
				}
				if (*c->p == '"') {
					if (c->p + 1 < c->end && c->p[1] == '"') {
						if (buf_putc(&b, '"') < 0)
							goto nomem;
						c->p += 2;
						continue;
					}
					c->p++;
					break;
				}
				if (*c->p == '\0') {
					r->err = "a NUL byte";
					goto fault;
				}
				if (*c->p == '\n')
					c->line++;
				if (b.len <= CSV_FIELD_MAX && buf_putc(&b, *c->p) < 0)
					goto nomem;
				c->p++;
			}
			while (c->p < c->end && csv_space(*c->p))
				c->p++;
			if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
				r->err = "text after a closing quote";
				goto fault;
			}
		} else {
			size_t trail;
			while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
				if (*c->p == '"') {
					r->err = "a quote inside a field that does not start with one";
					goto fault;
				}
				if (*c->p == '\0') {
					r->err = "a NUL byte";
					goto fault;
				}
				if (b.len <= CSV_FIELD_MAX && buf_putc(&b, *c->p) < 0)
					goto nomem;
				c->p++;
			}
			for (trail = b.len; trail > 0 && csv_space(b.p[trail - 1]); trail--)
				;
			if (b.p != NULL)
				b.p[b.len = trail] = '\0';
		}
		if ((rc = csv_keep(r, &b)) < 0)
			goto nomem;
		if (rc == 0)
			goto fault;
		if (c->p == c->end)
			return 1;
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
			c->p++;
		c->p++;
		c->line++;
		return 1;
	}
fault:
	buf_free(&b);
	csv_skip_line(c);
	return 1;
nomem:
	buf_free(&b);
	return -1;
}

/* Releases r's fields; a zeroed record is a no-op. */
void
csv_rec_free(struct csv_rec *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->f[i]);
	memset(r, 0, sizeof(*r));
}
