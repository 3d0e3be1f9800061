/*
 * libFuzzer harness for the client's handling of Project CARS 2 / AMS2
 * datagrams (client/p2udp.c: classifying, thinning, putting the partial
 * participant and vehicle sets together): the input is a stream of
 * datagrams, each a 2-byte little-endian length and its bytes, arriving
 * 10 ms apart. Every datagram the client keeps must make a packet that is
 * valid JSON and carries the datagram's bytes; the names it learnt must be
 * NUL-terminated UTF-8 within their fields; the counts must add up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_str(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL || !jscan_utf8_valid(s, strlen(s)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct p2udp	 u;
	struct buf	 b = { 0 }, raw = { 0 };
	struct jspan	 v;
	long long	 ms = 1764995405123LL, kept = 0;

	if (p2udp_init(&u) < 0)
		return 0;
	while (n >= 2) {
		size_t len = (size_t)p[0] | (size_t)p[1] << 8;
		enum p2udp_verdict verdict;

		p += 2;
		n -= 2;
		if (len > n)
			len = n;
		verdict = p2udp_take(&u, p, len, ms);
		if (verdict == P2UDP_KEEP) {
			const char *r;
			kept++;
			buf_reset(&b);
			buf_reset(&raw);
			if (p2udp_json(&b, ms, p, len) < 0)
				abort();
			if (!jscan_document(b.p, b.len, &v) || v.type != JT_OBJECT ||
			    (r = strstr(b.p, "\"raw\":\"")) == NULL)
				abort();
			r += 7;
			if (b64_decode(&raw, r, (size_t)(strchr(r, '"') - r)) < 0 || raw.len != len ||
			    (len > 0 && memcmp(raw.p, p, len) != 0))
				abort();	/* the frame carries the datagram as it came */
		} else if (verdict == P2UDP_UNKNOWN && p2_classify(p, len, NULL) != P2K_UNKNOWN)
			abort();
		p += len;
		n -= len;
		ms += 10;
	}
	for (int i = 0; i < P2_UDP_CARS; i++)
		check_str(u.names[i], sizeof(u.names[i]));
	for (int i = 0; i < P2UDP_VEHICLES; i++)
		check_str(u.vehicles[i], sizeof(u.vehicles[i]));
	if (p2udp_names(&u) > P2_UDP_CARS || p2udp_vehicle_names(&u) > P2UDP_VEHICLES ||
	    p2udp_session(&u) == NULL || u.kept != kept ||
	    u.received != u.unknown + u.thinned + u.kept)
		abort();
	p2udp_free(&u);
	buf_free(&b);
	buf_free(&raw);
	return 0;
}
