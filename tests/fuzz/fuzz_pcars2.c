/*
 * libFuzzer harness for the Project CARS 2 / Automobilista 2 decoder
 * (lib/pcars2.c). The input is taken three ways:
 *  - as a datagram: p2_classify and p2_decode agree, and a packet that
 *    decodes encodes to its size and decodes again to the same struct;
 *  - as the body of a packet of the kind its first byte picks, the type
 *    byte set: it always decodes, and round-trips the same way;
 *  - as a shared-memory block when it is one (>= 20576 bytes), and tiled
 *    into a block of 20576, 20700 or 20704 bytes of a version 8..15 when
 *    its first byte is odd: what decodes encodes and decodes to the same
 *    struct.
 * Every string decoded is NUL-terminated inside its field and UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcars2.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const unsigned kind_types[P2K__MAX] = { 0, 0, 1, 2, 3, 4, 7, 8, 8 };

/* A string of a field of len bytes: shorter than len + 1, UTF-8. */
static void
check_str(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n = strnlen(s, len + 1), i = 0;

	if (n > len)
		__builtin_trap();
	while (i < n) {
		size_t need = u[i] < 0x80 ? 0 : u[i] < 0xe0 ? 1 : u[i] < 0xf0 ? 2 : 3;
		if (u[i] >= 0x80 && (u[i] < 0xc2 || u[i] > 0xf4))
			__builtin_trap();
		if (need > 0 && i + need >= n)
			__builtin_trap();
		for (size_t k = 1; k <= need; k++)
			if ((u[i + k] & 0xc0) != 0x80)
				__builtin_trap();
		i += need + 1;
	}
}

static void
check_strings(const struct p2_packet *p)
{
	switch (p->kind) {
	case P2K_TELEMETRY:
		for (size_t i = 0; i < 4; i++)
			check_str(p->u.tel.compound[i], P2_TYRE_NAME);
		break;
	case P2K_RACE:
		check_str(p->u.race.location, P2_NAME);
		check_str(p->u.race.variation, P2_NAME);
		check_str(p->u.race.tr_location, P2_NAME);
		check_str(p->u.race.tr_variation, P2_NAME);
		break;
	case P2K_PARTICIPANTS:
		for (size_t i = 0; i < P2_PER_PACKET; i++)
			check_str(p->u.part.name[i], P2_NAME);
		break;
	case P2K_VEHICLES:
		for (size_t i = 0; i < P2_PER_PACKET; i++)
			check_str(p->u.veh.v[i].name, P2_NAME);
		break;
	case P2K_CLASSES:
		for (size_t i = 0; i < P2_CLASSES; i++)
			check_str(p->u.cls.c[i].name, P2_CLASS_NAME);
		break;
	default:
		break;
	}
}

/* b (n bytes) decodes as a known kind: check it and its round trip. */
static void
packet(const unsigned char *b, size_t n, int must)
{
	static struct p2_packet	 p, q;
	static unsigned char	 out[P2_MAX_PACKET], again[P2_MAX_PACKET];
	enum p2_rev		 rev = P2_EARLY;
	enum p2_kind		 k = p2_classify(b, n, &rev);
	size_t			 m;

	memset(&p, 0, sizeof(p));
	if (p2_decode(b, n, &p) != 0) {
		if (k != P2K_UNKNOWN || must)
			__builtin_trap();
		return;
	}
	if (k == P2K_UNKNOWN || p.kind != k || p.rev != rev || p.h.type != b[10])
		__builtin_trap();
	check_strings(&p);
	if ((m = p2_encode(&p, out)) != n)
		__builtin_trap();
	memset(&q, 0, sizeof(q));
	if (p2_decode(out, m, &q) != 0 || memcmp(&p, &q, sizeof(p)) != 0)
		__builtin_trap();
	if (p2_encode(&q, again) != m || memcmp(out, again, m) != 0)
		__builtin_trap();
}

/* b (n bytes) as a block: when it decodes, it round-trips. */
static void
block(const unsigned char *b, size_t n, int must)
{
	static struct p2_shm	 s, t;
	static unsigned char	 out[P2_SHM_V14_SIZE];
	size_t			 m = n < P2_SHM_V14_SIZE ? n : P2_SHM_V14_SIZE;

	if (n >= P2_SHM_SEQ_OFF + 4)
		(void)p2_shm_sequence(b);
	if (p2_shm_decode(b, n, &s) != 0) {
		if (must)
			__builtin_trap();
		return;
	}
	if (s.num < 0 || s.num > P2_SHM_CARS || s.has_ams2 != (s.version >= 10 &&
	    n >= P2_SHM_V14_SIZE))
		__builtin_trap();
	check_str(s.location, P2_NAME);
	check_str(s.variation, P2_NAME);
	check_str(s.tr_location, P2_NAME);
	for (size_t i = 0; i < 4; i++)
		check_str(s.compound[i], P2_TYRE_NAME);
	for (size_t i = 0; i < P2_SHM_CARS; i++) {
		check_str(s.car[i].name, P2_NAME);
		check_str(s.car[i].car, P2_NAME);
		check_str(s.car[i].cls, P2_NAME);
	}
	p2_shm_encode(&s, out);
	if (p2_shm_decode(out, m, &t) != 0 || memcmp(&s, &t, sizeof(s)) != 0 ||
	    p2_shm_sequence(out) != s.sequence)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char	 pkt[P2_MAX_PACKET];
	static unsigned char	 blk[P2_SHM_V14_SIZE + 4];
	static const size_t	 blk_sizes[] = { P2_SHM_PC2_SIZE, P2_SHM_V14_SIZE,
	    P2_SHM_V14_SIZE + 4, P2_SHM_V14_SIZE };
	enum p2_kind		 k;
	enum p2_rev		 r;
	size_t			 n;

	(void)p2_classify(data, size, NULL);
	packet(data, size, 0);
	if (size >= P2_SHM_MIN_SIZE)
		block(data, size, 0);
	if (size == 0)
		return 0;

	/* the rest of the input as the body of the kind byte 0 picks */
	k = (enum p2_kind)(1 + data[0] % (P2K__MAX - 1));
	r = (data[0] >> 4) & 1 ? P2_LATER : P2_EARLY;
	n = p2_sizes[k][r];
	memset(pkt, 0, n);
	memcpy(pkt, data + 1, size - 1 < n ? size - 1 : n);
	pkt[10] = (unsigned char)kind_types[k];
	packet(pkt, n, 1);

	/* the input tiled into a block */
	if ((data[0] & 1) == 0)
		return 0;
	n = blk_sizes[(data[0] >> 1) & 3];
	for (size_t o = 0; o < n; o += size)
		memcpy(blk + o, data, n - o < size ? n - o : size);
	blk[0] = (unsigned char)(8 + ((data[0] >> 3) & 7));
	blk[1] = blk[2] = blk[3] = 0;
	block(blk, n, 1);
	return 0;
}
