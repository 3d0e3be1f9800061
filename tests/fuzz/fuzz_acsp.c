/*
 * libFuzzer harness for the Assetto Corsa datagram decoder (client/acsp.c):
 * the input is decoded with the protocol version unknown, 2 and 4; every
 * datagram that decodes must give a JSON event that is valid JSON.
 */
#include <stdint.h>
#include <stdlib.h>

#include "acsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static struct acsp_msg	 m;
	static const int	 protos[] = { 0, 2, 4 };
	struct buf		 b = { 0 };
	struct jspan		 v;

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		struct acsp_dec d = { protos[i] };
		if (acsp_decode(&d, p, n, &m) != ACSP_OK)
			continue;
		buf_reset(&b);
		if (acsp_json(&b, 1764995405123LL, &m, p, n) < 0 ||
		    !jscan_document(b.p, b.len, &v) || v.type != JT_OBJECT)
			abort();	/* a decoded datagram always makes an event */
	}
	buf_free(&b);
	return 0;
}
