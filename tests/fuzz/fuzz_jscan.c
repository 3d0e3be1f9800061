/*
 * libFuzzer harness for lib/jscan.c, the scanner that checks upload bodies:
 * validate, then walk every member and element the way the upload handler
 * reads a frame's envelope.
 */
#include <stdint.h>
#include <string.h>

#include "trackside.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
walk(const struct jspan *v, int depth)
{
	struct jspan	 el;
	size_t		 off = 0;
	char		 s[64];
	long long	 n;
	static const char *const keys[] = { "v", "client", "id", "seq", "captured_at", "source", "data" };

	if (depth > 8)
		return;
	switch (v->type) {
	case JT_ARRAY:
		while (jscan_next(v, &off, &el))
			walk(&el, depth + 1);
		break;
	case JT_OBJECT:
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (jscan_member(v, keys[i], &el))
				walk(&el, depth + 1);
		break;
	case JT_STRING:
		jscan_string(v, s, sizeof(s));
		break;
	case JT_NUMBER:
		jscan_int(v, -1000000, 1000000, &n);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jspan	 doc;
	size_t		 used;

	static const char *const keys[] = { "v", "client", "seq", "data" };
	struct jspan vals[4];

	if (jscan_document((const char *)data, size, &doc))
		walk(&doc, 0);
	if (jscan_fields((const char *)data, size, keys, 4, vals, &doc, &used)) {
		if (used > size)
			__builtin_trap();
		for (int i = 0; i < 4; i++)
			if (vals[i].type != JT_NONE)
				walk(&vals[i], 1);
	}
	if (jscan_value((const char *)data, size, &doc, &used) && used > size)
		__builtin_trap();
	return 0;
}
