/*
 * libFuzzer harness for the upload handler end to end (fcgi/h_frames.c):
 * body, gzip and batch through POST /api/v1/frames with a valid token, in
 * memory. The first byte picks how the rest is sent: as it is, as a gzip
 * body that is really the raw bytes (the inflater), or gzipped first. What
 * the handler acknowledges the worker must parse: every frame it stores is
 * parsed with cJSON, as the worker does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct hctx	 h;
static char		 auth[128];
static int		 ready;
static struct inbox_reader *reader;
static char		 seen_seg[64];
static long long	 seen_off;

/* Where the previous inputs' records end: each is read once. */
static long long
pos(void *arg, const char *seg)
{
	(void)arg;
	return strcmp(seg, seen_seg) == 0 ? seen_off : 0;
}

static void
teardown(void)
{
	inbox_reader_free(reader);
	hctx_close(&h);
}

static void
setup(void)
{
	char *tok;

	log_init("fuzz_upload", 1, LOG_LVL_ERR);
	if (!hctx_open(&h))
		abort();
	tok = hctx_token(&h, "fuzz");
	snprintf(auth, sizeof(auth), "Bearer %s", tok);
	free(tok);
	if (inbox_reader_open(&reader, h.inbox) < 0)
		abort();
	atexit(teardown);
	ready = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resp	 r;
	struct buf	 z = { 0 };
	const char	*body = (const char *)data + 1, *enc = NULL;
	size_t		 len = size ? size - 1 : 0;
	int		 n;

	if (!ready)
		setup();
	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 1:
		enc = "gzip";
		break;
	case 2:
		if (gz_deflate(body, len, 1, &z) < 0)
			abort();
		body = z.p;
		len = z.len;
		enc = "gzip";
		break;
	}
	resp_init(&r);
	hctx_call(&h, &r, METHOD_POST, "/api/v1/frames", NULL, "application/json", enc, auth,
	    body, len);
	cJSON *o = cJSON_ParseWithLength(r.body.p, r.body.len);
	if (o == NULL || (r.status != 202 && !cJSON_IsString(cJSON_GetObjectItem(o, "error"))))
		__builtin_trap();	/* every answer is JSON, every error has its code */
	if (r.status == 202 && !cJSON_IsNumber(cJSON_GetObjectItem(o, "ack")))
		__builtin_trap();
	cJSON_Delete(o);
	/* Each frame stored now, parsed as the worker parses it. */
	while ((n = inbox_read(reader, pos, NULL, 200, 32u << 20)) > 0) {
		for (int i = 0; i < n; i++) {
			const struct inbox_rec *rec = &reader->recs[i];
			const char *nl = memchr(rec->body, '\n', rec->len);
			if (rec->bad || nl == NULL)
				__builtin_trap();
			cJSON *f = cJSON_ParseWithLength(nl + 1, rec->len - (size_t)(nl + 1 - rec->body));
			if (!cJSON_IsObject(f))
				__builtin_trap();	/* acknowledged, then thrown away */
			cJSON_Delete(f);
			snprintf(seen_seg, sizeof(seen_seg), "%s", rec->seg);
			seen_off = rec->end;
		}
	}
	resp_free(&r);
	buf_free(&z);
	return 0;
}
