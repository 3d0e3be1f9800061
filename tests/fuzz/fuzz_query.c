/*
 * libFuzzer harness for query strings (fcgi/req.c: req_parse_query and
 * url_decode): whatever the bytes, every parameter it keeps is bounded and
 * UTF-8 (a handler may echo it into JSON). The same bytes as an
 * If-None-Match header (req_etag_fresh): a match only when they hold the
 * tag or a "*".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"

#define TAG	"\"0123456789abcdef0123456789abcdef\""

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 req;
	char		*q;

	if ((q = malloc(size + 1)) == NULL)
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';	/* the transport hands a C string */
	memset(&req, 0, sizeof(req));
	if (req_parse_query(&req, q) > 0)
		for (size_t i = 0; i < req.nparams; i++) {
			const char *k = req.params[i].key, *v = req.params[i].val;
			if (!jscan_utf8_valid(k, strlen(k)) || !jscan_utf8_valid(v, strlen(v)) ||
			    strlen(v) > 256 * 3)
				__builtin_trap();
			if (req_param(&req, k) == NULL && v[0] != '\0' && i == 0)
				__builtin_trap();
		}
	req_free(&req);
	memset(&req, 0, sizeof(req));
	req.if_none_match = q;
	if (req_etag_fresh(&req, TAG) && strstr(q, TAG) == NULL && strchr(q, '*') == NULL)
		__builtin_trap();
	free(q);
	return 0;
}
