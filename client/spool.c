/*
 * The spool: every frame is appended here (and synced) before it is sent,
 * and removed only when the server's ack covers it.
 *
 * A spool directory holds segment files named for the first seq they hold
 * (00000000000000004711.spool), an "acked" file with the highest seq the
 * server acknowledged (or that was set aside or dropped), a "lock" file, and
 * rejected/ with frames the server refused (400/413). A segment is a row of
 * records:
 *
 *	"TSR1" | seq (8 bytes LE) | len (4 bytes LE) | crc32 (4 bytes LE) | len bytes
 *
 * where the crc covers the seq bytes and the payload. Seqs are contiguous
 * within a segment. A torn record at the end of the newest segment (a crash
 * during a write) is cut off when the spool is opened. The spool is bounded:
 * when a frame does not fit, the oldest segments go, loudly.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "client.h"
#include "os.h"

#define SPOOL_MAGIC	"TSR1"
#define SPOOL_HDR	20
#define SPOOL_SUFFIX	".spool"

struct seg {
	long long	 first;		/* seq of the first record (the file name) */
	long long	 last;		/* seq of the last record, first - 1 when empty */
	long long	 bytes;		/* file size */
};

struct spool {
	char		*dir;
	long long	 cap;
	long long	 seg_max;
	struct seg	*segs;		/* oldest first; the last one is appended to */
	size_t		 nseg;
	int		 fd;		/* the newest segment, open for appending, or -1 */
	int		 lockfd;
	long long	 acked;
	long long	 next_seq;
	long long	 total;		/* bytes of all segments */
	long long	 dropped;	/* unsent frames dropped because of the cap */
	/* read cursor: a record boundary in segment cur_first */
	long long	 cur_first;
	long long	 cur_off;
	long long	 cur_seq;
};

static void
spool_put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
spool_put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
spool_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
spool_get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t
spool_crc(const unsigned char *seq8, const void *p, size_t n)
{
	uLong c = crc32(0L, Z_NULL, 0);

	c = crc32(c, seq8, 8);
	while (n > 0) {		/* crc32() takes a uInt length */
		uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, p, chunk);
		p = (const char *)p + chunk;
		n -= chunk;
	}
	return (uint32_t)c;
}

/*
 * Checks a record header. Returns 1 with seq and payload length, 0 when the
 * bytes are not a header.
 */
static int
spool_hdr_parse(const unsigned char *h, long long *seq, uint32_t *len, uint32_t *crc)
{
	uint64_t s;

	if (memcmp(h, SPOOL_MAGIC, 4) != 0)
		return 0;
	s = spool_get64(h + 4);
	*len = spool_get32(h + 12);
	*crc = spool_get32(h + 16);
	if (s == 0 || s > (uint64_t)INT64_MAX / 2 || *len == 0 || *len > SPOOL_REC_MAX)
		return 0;
	*seq = (long long)s;
	return 1;
}

/*
 * Parses a segment image in memory: records with contiguous seqs and good
 * checksums. Returns 1 with the number of good leading bytes, the first and
 * last seq and the record count (first = last = 0 when none); 0 when bytes
 * follow the good records (a torn or corrupt tail).
 */
int
spool_parse(const void *p, size_t len, size_t *good, long long *first, long long *last,
    size_t *count)
{
	const unsigned char	*b = p;
	size_t			 off = 0;
	long long		 seq;
	uint32_t		 n, crc;

	*first = *last = 0;
	*count = 0;
	while (len - off >= SPOOL_HDR) {
		if (!spool_hdr_parse(b + off, &seq, &n, &crc))
			break;
		if (*count > 0 && seq != *last + 1)
			break;
		if (n > len - off - SPOOL_HDR)
			break;
		if (spool_crc(b + off + 4, b + off + SPOOL_HDR, n) != crc)
			break;
		if (*count == 0)
			*first = seq;
		*last = seq;
		(*count)++;
		off += SPOOL_HDR + n;
	}
	*good = off;
	return off == len;
}

static int
spool_path(const struct spool *sp, long long first, char *out, size_t sz)
{
	if (snprintf(out, sz, "%s/%020lld" SPOOL_SUFFIX, sp->dir, first) >= (int)sz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 1;
}

static int
spool_read_at(int fd, long long off, void *p, size_t n)
{
	char *c = p;

	while (n > 0) {
		long long r = os_pread(fd, c, n, off);
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		c += r;
		n -= (size_t)r;
		off += r;
	}
	return 1;
}

static int
spool_write_acked(struct spool *sp)
{
	char line[32];

	snprintf(line, sizeof(line), "%lld\n", sp->acked);
	return file_write_durable(sp->dir, "acked", line, strlen(line));
}

static int
spool_seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * Scans one segment file: headers only, except in the newest segment, whose
 * records are all checked and whose bad tail is cut off; *seq_floor is
 * raised past any seq seen in that tail. Returns 1 or -1 on a system error.
 */
static int
spool_scan(struct spool *sp, struct seg *s, int newest, long long *seq_floor)
{
	char		 path[4096];
	unsigned char	 h[SPOOL_HDR];
	struct buf	 payload = { 0 };
	long long	 size, off = 0, seq;
	uint32_t	 n, crc;
	int		 fd, rc;

	if (spool_path(sp, s->first, path, sizeof(path)) < 0)
		return -1;
	if ((fd = os_open(path, newest ? OS_RDWR : OS_RDONLY, 0)) < 0)
		return -1;
	if (os_fsize(fd, &size) < 0) {
		os_close(fd);
		return -1;
	}
	s->last = s->first - 1;
	while (off + SPOOL_HDR <= size) {
		if ((rc = spool_read_at(fd, off, h, SPOOL_HDR)) <= 0)
			break;
		if (!spool_hdr_parse(h, &seq, &n, &crc) || seq != s->last + 1 ||
		    off + SPOOL_HDR + (long long)n > size)
			break;
		if (newest) {
			buf_reset(&payload);
			if (buf_grow(&payload, n) < 0) {
				os_close(fd);
				buf_free(&payload);
				return -1;
			}
			if (spool_read_at(fd, off + SPOOL_HDR, payload.p, n) <= 0 ||
			    spool_crc(h + 4, payload.p, n) != crc)
				break;
		}
		s->last = seq;
		off += SPOOL_HDR + n;
	}
	if (off < size && newest) {
		/* a torn write (never sent: appends are synced before sending) or
		 * damage: the seqs of whole records after the cut may have reached
		 * the server, so they are not used again */
		long long tail = size - off, top = 0;
		buf_reset(&payload);
		if (tail <= SPOOL_REC_MAX && buf_grow(&payload, (size_t)tail) > 0 &&
		    spool_read_at(fd, off, payload.p, (size_t)tail) > 0)
			for (long long i = 0; i + SPOOL_HDR <= tail; i++) {
				unsigned char *q = (unsigned char *)payload.p + i;
				if (q[0] == 'T' && spool_hdr_parse(q, &seq, &n, &crc) &&
				    i + SPOOL_HDR + (long long)n <= tail &&
				    seq > s->last && seq < s->last + 1000000 && seq > top)
					top = seq;
			}
		if (top > 0) {
			log_err("spool: %s: damaged at offset %lld; frames %lld..%lld are lost", path,
			    off, s->last + 1, top);
			sp->dropped += top - s->last;
			if (top + 1 > *seq_floor)
				*seq_floor = top + 1;
		}
	}
	buf_free(&payload);
	if (off < size) {
		if (newest) {
			log_warn("spool: %s: cutting %lld bytes of a torn record at offset %lld",
			    path, size - off, off);
			if (os_ftruncate(fd, off) < 0 || os_fsync(fd) < 0) {
				os_close(fd);
				return -1;
			}
		} else
			log_err("spool: %s: corrupt at offset %lld; the frames after seq %lld "
			    "in this file are lost", path, off, s->last);
	}
	os_close(fd);
	s->bytes = off;
	return 1;
}

/*
 * Opens (creating it if needed) the spool in dir, bounded to cap bytes.
 * Returns 1 with *out, 0 with a message in err when the directory holds
 * something unusable or another client uses it, -1 on a system error (err
 * says which). spool_close() releases it.
 */
int
spool_open(struct spool **out, const char *dir, long long cap, struct buf *err)
{
	struct spool	*sp;
	struct buf	 b = { 0 };
	char		 path[4096];
	struct os_dir	*d;
	const char	*de;
	long long	 v, floor = 0;

	*out = NULL;
	if ((sp = calloc(1, sizeof(*sp))) == NULL || (sp->dir = strdup(dir)) == NULL) {
		free(sp);
		buf_printf(err, "out of memory");
		return -1;
	}
	sp->fd = sp->lockfd = -1;
	sp->cap = cap;
	sp->seg_max = cap / 8;
	if (sp->seg_max > (16 << 20))
		sp->seg_max = 16 << 20;
	if (sp->seg_max < 4096)
		sp->seg_max = 4096;
	if (mkdir_p(dir, 0700) < 0) {
		buf_printf(err, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/lock", dir);
	if ((sp->lockfd = os_open(path, OS_RDWR | OS_CREAT, 0600)) < 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (os_lock(sp->lockfd) < 0) {
		if (errno == EAGAIN)
			buf_printf(err, "%s: the spool is in use by another trackside-client", dir);
		else
			buf_printf(err, "%s: cannot lock: %s", path, strerror(errno));
		spool_close(sp);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/acked", dir);
	if (file_read(path, 64, &b) > 0) {
		while (b.len > 0 && (b.p[b.len - 1] == '\n' || b.p[b.len - 1] == '\r'))
			b.p[--b.len] = '\0';
		if (b.p == NULL || !num_parse_ll(b.p, 0, INT64_MAX / 2, &v)) {
			buf_printf(err, "%s: not a sequence number", path);
			buf_free(&b);
			spool_close(sp);
			return 0;
		}
		sp->acked = v;
	} else if (errno != ENOENT) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		buf_free(&b);
		goto fail;
	}
	buf_free(&b);

	if ((d = os_dir_open(dir)) == NULL) {
		buf_printf(err, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	while ((de = os_dir_next(d)) != NULL) {
		char name[32];
		size_t nl = strlen(de);
		if (nl != 20 + strlen(SPOOL_SUFFIX) || strcmp(de + 20, SPOOL_SUFFIX) != 0)
			continue;
		memcpy(name, de, 20);
		name[20] = '\0';
		if (!num_parse_ll(name, 1, INT64_MAX / 2, &v))
			continue;
		struct seg *ns = realloc(sp->segs, (sp->nseg + 1) * sizeof(*ns));
		if (ns == NULL) {
			os_dir_close(d);
			buf_printf(err, "out of memory");
			goto fail;
		}
		sp->segs = ns;
		memset(&sp->segs[sp->nseg], 0, sizeof(struct seg));
		sp->segs[sp->nseg++].first = v;
	}
	os_dir_close(d);
	if (sp->nseg > 1)
		qsort(sp->segs, sp->nseg, sizeof(*sp->segs), spool_seg_cmp);
	for (size_t i = 0; i < sp->nseg; i++) {
		if (spool_scan(sp, &sp->segs[i], i + 1 == sp->nseg, &floor) < 0) {
			buf_printf(err, "%s: segment %lld: %s", dir, sp->segs[i].first,
			    strerror(errno));
			goto fail;
		}
		if (i > 0 && sp->segs[i].first <= sp->segs[i - 1].last) {
			buf_printf(err, "%s: segments %lld and %lld overlap", dir,
			    sp->segs[i - 1].first, sp->segs[i].first);
			spool_close(sp);
			return 0;
		}
		sp->total += sp->segs[i].bytes;
	}
	sp->next_seq = sp->acked + 1;
	if (sp->nseg > 0 && sp->segs[sp->nseg - 1].last >= sp->next_seq)
		sp->next_seq = sp->segs[sp->nseg - 1].last + 1;
	if (floor > sp->next_seq)
		sp->next_seq = floor;
	for (size_t i = 1; i < sp->nseg; i++)
		if (sp->segs[i].first > sp->segs[i - 1].last + 1 &&
		    sp->segs[i - 1].last >= sp->acked)
			log_warn("spool: frames %lld..%lld are missing", sp->segs[i - 1].last + 1,
			    sp->segs[i].first - 1);
	/* the newest segment is appended to */
	if (sp->nseg > 0) {
		struct seg *s = &sp->segs[sp->nseg - 1];
		if (spool_path(sp, s->first, path, sizeof(path)) < 0 ||
		    (sp->fd = os_open(path, OS_WRONLY | OS_APPEND, 0)) < 0) {
			buf_printf(err, "%s: %s", path, strerror(errno));
			goto fail;
		}
	}
	spool_ack(sp, sp->acked);	/* removes what was acknowledged */
	*out = sp;
	if (spool_pending(sp) > 0)
		log_info("spool: %lld frames to send (seq %lld..%lld)", spool_pending(sp),
		    sp->acked + 1, sp->next_seq - 1);
	return 1;
fail:
	spool_close(sp);
	return -1;
}

void
spool_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->fd >= 0)
		os_close(sp->fd);
	if (sp->lockfd >= 0)
		os_close(sp->lockfd);
	free(sp->segs);
	free(sp->dir);
	free(sp);
}

/*
 * Removes the oldest segment. Frames in it not yet acknowledged are lost
 * (counted and logged). Returns 1 or -1.
 */
static int
spool_drop_oldest(struct spool *sp)
{
	struct seg	*s = &sp->segs[0];
	char		 path[4096];

	if (s->last > sp->acked) {
		long long from = s->first > sp->acked ? s->first : sp->acked + 1;
		sp->dropped += s->last - from + 1;
		log_err("spool: FULL (cap %lld bytes): dropped %lld unsent frames, seq %lld..%lld; "
		    "the server has not acknowledged them. Raise spool-cap or check the server.",
		    sp->cap, s->last - from + 1, from, s->last);
		sp->acked = s->last;
		if (spool_write_acked(sp) < 0)
			return -1;
	}
	if (sp->nseg == 1 && sp->fd >= 0) {
		os_close(sp->fd);
		sp->fd = -1;
	}
	if (spool_path(sp, s->first, path, sizeof(path)) < 0)
		return -1;
	if (os_unlink(path) < 0)
		return -1;
	sp->total -= s->bytes;
	memmove(sp->segs, sp->segs + 1, (sp->nseg - 1) * sizeof(*sp->segs));
	sp->nseg--;
	return 1;
}

/*
 * Starts a new newest segment whose first record will be next_seq. Returns
 * 1 or -1.
 */
static int
spool_rotate(struct spool *sp)
{
	char		 path[4096];
	struct seg	*ns;

	if (sp->fd >= 0) {
		os_close(sp->fd);
		sp->fd = -1;
	}
	if (spool_path(sp, sp->next_seq, path, sizeof(path)) < 0)
		return -1;
	if ((ns = realloc(sp->segs, (sp->nseg + 1) * sizeof(*ns))) == NULL)
		return -1;
	sp->segs = ns;
	if ((sp->fd = os_open(path, OS_WRONLY | OS_CREAT | OS_TRUNC | OS_APPEND, 0600)) < 0)
		return -1;
	os_sync_dir(sp->dir);
	ns[sp->nseg].first = sp->next_seq;
	ns[sp->nseg].last = sp->next_seq - 1;
	ns[sp->nseg].bytes = 0;
	sp->nseg++;
	return 1;
}

/*
 * Appends one frame (len bytes, stored as given) as seq, which must be
 * spool_next_seq(). The record is synced to disk before this returns.
 * Returns 1, 0 when the frame alone is larger than the cap or seq is not the
 * next one, -1 on a system error (the spool is unchanged).
 */
int
spool_append(struct spool *sp, const void *p, size_t len, long long *seq)
{
	unsigned char	 h[SPOOL_HDR];
	long long	 need = SPOOL_HDR + (long long)len;
	struct seg	*s;

	if (*seq != sp->next_seq || len == 0 || len > SPOOL_REC_MAX || need > sp->cap)
		return 0;
	while (sp->nseg > 0 && sp->total + need > sp->cap)
		if (spool_drop_oldest(sp) < 0)
			return -1;
	if (sp->fd < 0 || sp->nseg == 0 || sp->segs[sp->nseg - 1].bytes >= sp->seg_max ||
	    sp->segs[sp->nseg - 1].last + 1 != *seq) {
		if (spool_rotate(sp) < 0)
			return -1;
		spool_ack(sp, sp->acked);	/* the old newest may be done */
	}
	s = &sp->segs[sp->nseg - 1];
	memcpy(h, SPOOL_MAGIC, 4);
	spool_put64(h + 4, (uint64_t)*seq);
	spool_put32(h + 12, (uint32_t)len);
	spool_put32(h + 16, spool_crc(h + 4, p, len));
	if (write_all(sp->fd, h, sizeof(h)) < 0 || write_all(sp->fd, p, len) < 0 ||
	    os_fsync(sp->fd) < 0) {
		int saved = errno;
		if (os_ftruncate(sp->fd, s->bytes) < 0)
			log_err("spool: cannot undo a failed write: %s", strerror(errno));
		errno = saved;
		return -1;
	}
	s->last = *seq;
	s->bytes += need;
	sp->total += need;
	sp->next_seq++;
	return 1;
}

/*
 * Reads up to max_n frames (at least one, then up to max_bytes in all) that
 * the server has not acknowledged, oldest first. Returns 1 with *out (free
 * with spool_recs_free()) and *n (0 when nothing is pending), or -1. A
 * corrupt record is logged and skipped as lost.
 */
int
spool_read(struct spool *sp, size_t max_n, size_t max_bytes, struct spool_rec **out, size_t *n)
{
	struct spool_rec	*recs = NULL;
	size_t			 got = 0, bytes = 0;
	char			 path[4096];
	unsigned char		 h[SPOOL_HDR];

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < sp->nseg && got < max_n; i++) {
		struct seg *s = &sp->segs[i];
		long long off = 0, expect = s->first, seq;
		uint32_t len, crc;
		int fd;

		if (s->last <= sp->acked || s->last < s->first)
			continue;
		if (sp->cur_first == s->first && sp->cur_seq <= sp->acked + 1 && sp->cur_seq > 0) {
			off = sp->cur_off;
			expect = sp->cur_seq;
		}
		if (spool_path(sp, s->first, path, sizeof(path)) < 0 ||
		    (fd = os_open(path, OS_RDONLY, 0)) < 0)
			goto fail;
		while (got < max_n && expect <= s->last) {
			int rc = spool_read_at(fd, off, h, SPOOL_HDR);
			if (rc < 0) {
				os_close(fd);
				goto fail;
			}
			if (rc == 0 || !spool_hdr_parse(h, &seq, &len, &crc) || seq != expect) {
				log_err("spool: %s: corrupt at offset %lld; frames %lld..%lld are lost",
				    path, off, expect, s->last);
				if (sp->acked < s->last) {
					sp->dropped += s->last - (expect > sp->acked ? expect : sp->acked + 1) + 1;
					sp->acked = s->last;
					spool_write_acked(sp);
				}
				break;
			}
			if (seq <= sp->acked) {
				off += SPOOL_HDR + len;
				expect++;
				continue;
			}
			if (got > 0 && bytes + len > max_bytes)
				break;
			if (got == 0) {
				sp->cur_first = s->first;
				sp->cur_off = off;
				sp->cur_seq = seq;
			}
			struct spool_rec *nr = realloc(recs, (got + 1) * sizeof(*nr));
			if (nr == NULL) {
				os_close(fd);
				goto fail;
			}
			recs = nr;
			memset(&recs[got], 0, sizeof(recs[got]));
			if (buf_grow(&recs[got].data, len) < 0) {
				os_close(fd);
				goto fail;
			}
			rc = spool_read_at(fd, off + SPOOL_HDR, recs[got].data.p, len);
			if (rc < 0) {
				buf_free(&recs[got].data);
				os_close(fd);
				goto fail;
			}
			if (rc == 0 || spool_crc(h + 4, recs[got].data.p, len) != crc) {
				log_err("spool: %s: frame %lld is damaged (checksum); it is lost",
				    path, seq);
				buf_free(&recs[got].data);
				if (got == 0 && sp->acked == seq - 1) {
					sp->acked = seq;
					sp->dropped++;
					spool_write_acked(sp);
					off += SPOOL_HDR + len;
					expect++;
					continue;
				}
				break;	/* send what comes before it first */
			}
			recs[got].data.len = len;
			recs[got].data.p[len] = '\0';
			recs[got].seq = seq;
			got++;
			bytes += len;
			off += SPOOL_HDR + len;
			expect++;
		}
		os_close(fd);
		if (got > 0 && (expect <= s->last || bytes >= max_bytes))
			break;	/* stopped inside this segment: keep the order */
	}
	*out = recs;
	*n = got;
	return 1;
fail:
	spool_recs_free(recs, got);
	return -1;
}

void
spool_recs_free(struct spool_rec *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_free(&r[i].data);
	free(r);
}

/*
 * Records that the server holds every frame up to seq, and removes the
 * segments it covers (but not the newest, which is appended to). Returns 1
 * or -1.
 */
int
spool_ack(struct spool *sp, long long seq)
{
	char path[4096];

	if (seq > sp->acked) {
		if (seq >= sp->next_seq) {
			log_warn("spool: the server acknowledged seq %lld, beyond the last frame "
			    "made here (%lld); continuing from %lld", seq, sp->next_seq - 1, seq + 1);
			sp->next_seq = seq + 1;
		}
		sp->acked = seq;
		if (spool_write_acked(sp) < 0)
			return -1;
	}
	while (sp->nseg > 1 && sp->segs[0].last <= sp->acked) {
		if (spool_path(sp, sp->segs[0].first, path, sizeof(path)) < 0)
			return -1;
		if (os_unlink(path) < 0)
			return -1;
		sp->total -= sp->segs[0].bytes;
		memmove(sp->segs, sp->segs + 1, (sp->nseg - 1) * sizeof(*sp->segs));
		sp->nseg--;
	}
	return 1;
}

/*
 * Moves frame seq (the oldest pending one) to rejected/ with the reason the
 * server gave, and counts it as done. Returns 1 or -1.
 */
int
spool_set_aside(struct spool *sp, long long seq, const void *p, size_t len, const char *why)
{
	char	 dir[4096], name[64];

	if (snprintf(dir, sizeof(dir), "%s/rejected", sp->dir) >= (int)sizeof(dir) ||
	    mkdir_p(dir, 0700) < 0)
		return -1;
	snprintf(name, sizeof(name), "%020lld.json.gz", seq);
	if (file_write_durable(dir, name, p, len) < 0)
		return -1;
	snprintf(name, sizeof(name), "%020lld.txt", seq);
	if (file_write_durable(dir, name, why, strlen(why)) < 0)
		return -1;
	return spool_ack(sp, seq);
}

long long
spool_pending(const struct spool *sp)
{
	long long n = 0;

	for (size_t i = 0; i < sp->nseg; i++) {
		const struct seg *s = &sp->segs[i];
		long long from = s->first > sp->acked + 1 ? s->first : sp->acked + 1;
		if (s->last >= from)
			n += s->last - from + 1;
	}
	return n;
}

long long
spool_acked(const struct spool *sp)
{
	return sp->acked;
}

long long
spool_next_seq(const struct spool *sp)
{
	return sp->next_seq;
}

long long
spool_bytes(const struct spool *sp)
{
	return sp->total;
}

long long
spool_dropped(const struct spool *sp)
{
	return sp->dropped;
}
