/*
 * The `$pcars2$` shared-memory block (spec/pcars2.md 2.5) while the game
 * writes it: a consistent copy (mSequenceNumber even and the same before
 * and after the copy), and the byte ranges that changed between two copies,
 * as a frame's "polls" carry them (spec/wire-protocol.md, source pcars2).
 * No system calls: src_pcars2_shm.c maps the block and hands a view.
 */
#include <string.h>

#include "client.h"

/*
 * How many bytes of a mapping of mapped bytes to copy: the prefix this
 * client knows (P2_SHM_V14_SIZE; a newer game's block is longer, a
 * Project CARS 2 block shorter). 0 when it is too small to be the block.
 */
size_t
p2shm_prefix(size_t mapped)
{
	if (mapped < P2_SHM_MIN_SIZE)
		return 0;
	return mapped < P2_SHM_V14_SIZE ? mapped : P2_SHM_V14_SIZE;
}

static uint32_t
p2shm_seq(const struct p2shm_view *v)
{
	unsigned char b[4];

	v->read(v->arg, P2_SHM_SEQ_OFF, b, sizeof(b));
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

/*
 * Copies the first n bytes (n > P2_SHM_SEQ_OFF + 4) of the block into
 * out, at most tries times: a try starts when the sequence number is even
 * (odd: the game writes; *busy counts the wait) and holds when it is the
 * same after the copy (else *torn counts it). Returns 1 with out a
 * consistent copy, 0 when no try held.
 */
int
p2shm_copy(const struct p2shm_view *v, unsigned char *out, size_t n, int tries,
    long long *torn, long long *busy)
{
	uint32_t before, after;

	for (int i = 0; i < tries; i++) {
		if (i > 0 && v->pause)
			v->pause(v->arg);
		if ((before = p2shm_seq(v)) & 1) {
			(*busy)++;
			continue;
		}
		v->read(v->arg, 0, out, n);
		after = p2shm_seq(v);
		if (after == before && p2_shm_sequence(out) == before)
			return 1;
		(*torn)++;
	}
	return 0;
}

/*
 * Appends the ranges where cur differs from prev (n bytes each) as
 * [[offset,"<base64>"],...]; ranges less than merge bytes apart become
 * one. Returns the number of ranges, -1 when memory runs out.
 */
int
p2shm_diff(struct buf *b, const unsigned char *prev, const unsigned char *cur, size_t n,
    size_t merge)
{
	size_t	 i = 0, start, end, gap;
	int	 nr = 0;

	if (buf_putc(b, '[') < 0)
		return -1;
	while (i < n) {
		if (prev[i] == cur[i]) {
			i++;
			continue;
		}
		start = i;
		end = i + 1;
		/* grow while the next difference is closer than merge */
		for (i = end; i < n; i++) {
			if (prev[i] == cur[i])
				continue;
			gap = i - end;
			if (gap >= merge)
				break;
			end = i + 1;
		}
		i = end;
		if (buf_printf(b, "%s[%zu,\"", nr ? "," : "", start) < 0 ||
		    b64_encode(b, cur + start, end - start) < 0 || buf_puts(b, "\"]") < 0)
			return -1;
		nr++;
	}
	if (buf_putc(b, ']') < 0)
		return -1;
	return nr;
}
