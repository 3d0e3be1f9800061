/*
 * POST /api/v1/frames through the in-memory handler driver: what is
 * accepted and acknowledged, and every bad input answered with a clear 4xx
 * that stores nothing.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "handler.h"

static struct hctx h;
static char auth[128];

static char *
frame(const char *client, long long seq, const char *source)
{
	struct buf b = { 0 };

	buf_printf(&b, "{\"v\":1,\"client\":{\"id\":\"%s\",\"name\":\"Test rig\",\"version\":\"t/1\"},"
	    "\"seq\":%lld,\"captured_at\":\"2026-11-21T12:00:00.000Z\",\"source\":\"%s\","
	    "\"data\":{\"/rest/watch/sessionInfo\":null}}", client, seq, source);
	return b.p;
}

static int
post(struct resp *r, const char *body, size_t len, const char *ctype, const char *enc, const char *a)
{
	resp_free(r);
	resp_init(r);
	hctx_call(&h, r, METHOD_POST, "/api/v1/frames", NULL, ctype, enc, a, body, len);
	return r->status;
}

static int
post_json(struct resp *r, const char *body)
{
	return post(r, body, strlen(body), "application/json", NULL, auth);
}

/* Whether the response is {"error": code, "message": "..."}. */
static int
is_error(const struct resp *r, const char *code)
{
	cJSON	*o = cJSON_ParseWithLength(r->body.p, r->body.len);
	cJSON	*e = cJSON_GetObjectItem(o, "error"), *m = cJSON_GetObjectItem(o, "message");
	int	 good = cJSON_IsString(e) && strcmp(e->valuestring, code) == 0 &&
		    cJSON_IsString(m) && strlen(m->valuestring) > 10;

	if (!good)
		diag("body: %.*s", (int)r->body.len, r->body.p);
	cJSON_Delete(o);
	return good;
}

static void
health(struct resp *r)
{
	resp_free(r);
	resp_init(r);
	hctx_call(&h, r, METHOD_GET, "/healthz", NULL, NULL, NULL, NULL, NULL, 0);
}

static long long
ack_of(const struct resp *r)
{
	cJSON		*o = cJSON_ParseWithLength(r->body.p, r->body.len);
	cJSON		*a = cJSON_GetObjectItem(o, "ack");
	long long	 v = cJSON_IsNumber(a) ? (long long)a->valuedouble : -1;

	cJSON_Delete(o);
	return v;
}

int
main(void)
{
	struct resp	 r;
	char		*f, *tok;
	struct buf	 b = { 0 }, z = { 0 };
	long long	 before;

	if (!hctx_open(&h))
		return 1;
	resp_init(&r);
	tok = hctx_token(&h, "rig");
	snprintf(auth, sizeof(auth), "Bearer %s", tok);

	f = frame("clientAAAA", 1, "lmu");
	is_int(post_json(&r, f), 202, "a valid frame is accepted with 202");
	is_int(ack_of(&r), 1, "the answer acknowledges its seq");
	is_int(hctx_inbox_count(&h), 1, "the accepted frame is in the inbox");
	is_int(post_json(&r, f), 202, "a frame sent again is accepted again");
	is_int(hctx_inbox_count(&h), 2, "a frame sent again before it was applied waits twice (the worker applies it once)");
	free(f);

	buf_putc(&b, '[');
	for (int i = 2; i <= 4; i++) {
		f = frame("clientAAAA", i, "lmu");
		buf_printf(&b, "%s%s", i > 2 ? "," : "", f);
		free(f);
	}
	buf_putc(&b, ']');
	is_int(post_json(&r, b.p), 202, "a batch of frames is accepted");
	is_int(ack_of(&r), 4, "a batch is acknowledged up to its last seq");
	is_int(hctx_inbox_count(&h), 5, "every frame of a batch is stored");

	f = frame("clientAAAA", 5, "lmu");
	gz_deflate(f, strlen(f), 6, &z);
	is_int(post(&r, z.p, z.len, "application/json", "gzip", auth), 202, "a gzip frame is accepted");
	is_int(hctx_inbox_count(&h), 6, "the gzip frame is stored");
	free(f);

	hctx_sql(&h, "INSERT INTO client_seqs (client, last_seq, last_at, session_id) "
	    "VALUES ('clientBBBB', 10, 0, 'abc123');"
	    "INSERT INTO raw_frames (client, seq, received_at, source, body) "
	    "VALUES ('clientBBBB', 7, 0, 'lmu', x'00')");
	f = frame("clientBBBB", 7, "lmu");
	is_int(post_json(&r, f), 202, "a frame the database already holds is accepted");
	ok(ack_of(&r) == 10 && strstr(r.body.p, "\"session\":\"abc123\"") != NULL,
	    "it is acknowledged with the highest applied seq and its session");
	is_int(hctx_inbox_count(&h), 6, "a frame the database already holds is not stored again");
	free(f);
	f = frame("clientBBBB", 5, "lmu");
	ok(post_json(&r, f) == 202 && ack_of(&r) == 10,
	    "a frame below the highest applied seq (never held) is acknowledged as a duplicate");
	is_int(hctx_inbox_count(&h), 6, "it is not stored: frames of a client are applied in seq order");
	free(f);
	char *tok3 = hctx_token(&h, "thief"), auth3[128];
	snprintf(auth3, sizeof(auth3), "Bearer %s", tok3);
	f = frame("clientAAAA", 50, "lmu");
	ok(post(&r, f, strlen(f), "application/json", NULL, auth3) == 403 && is_error(&r, "client_id_taken"),
	    "frames under a client id first used with another token: 403 client_id_taken");
	is_int(hctx_inbox_count(&h), 6, "they store nothing");
	free(f);
	hctx_sql(&h, "INSERT INTO client_seqs (client, token_id, last_seq, last_at) "
	    "VALUES ('clientEEEE', 999, 3, 0)");
	f = frame("clientEEEE", 4, "lmu");
	ok(post_json(&r, f) == 403 && is_error(&r, "client_id_taken"),
	    "a client id the database knows with another token: 403");
	free(f);
	/* Eight processes race to bind one client id, each with its own token. */
	{
		char		 cid[] = "clientRACE";
		long long	 owner, first = 0;
		int		 wins = 0, agree = 1;
		for (int i = 1; i <= 8; i++)
			if (fork() == 0)
				_exit(inbox_client_bind(h.inbox, cid, i, 0, &owner) == 1 ? 0 : 1);
		for (int i = 1; i <= 8; i++) {
			int st;
			if (wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
				wins++;
		}
		for (int i = 1; i <= 8; i++) {
			int rc = inbox_client_bind(h.inbox, cid, i, 0, &owner);
			if (first == 0)
				first = owner;
			agree &= owner == first && (rc == 1) == (i == first);
		}
		ok(wins == 1 && agree, "of concurrent processes exactly one binds a client id (%d won)", wins);
	}
	f = frame("clientDDDD", 9007199254740000LL, "lmu");
	ok(post_json(&r, f) == 202 && strstr(r.body.p, "\"ack\":9007199254740000") != NULL,
	    "ack is an exact integer, not a double");
	free(f);
	f = frame("clientDDDD", 9007199254740991LL, "lmu");
	ok(post_json(&r, f) == 202 && strstr(r.body.p, "\"ack\":9007199254740991") != NULL,
	    "seq 2^53 - 1 is acknowledged exactly");
	free(f);
	f = frame("clientDDDD", 9007199254740992LL, "lmu");
	ok(post_json(&r, f) == 400 && is_error(&r, "bad_frame"), "seq 2^53: 400");
	free(f);
	is_int(hctx_inbox_count(&h), 8, "only the two frames in range are stored");

	before = hctx_inbox_count(&h);
	f = frame("clientCCCC", 1, "lmu");
	ok(post(&r, f, strlen(f), "application/json", NULL, NULL) == 401 && is_error(&r, "unauthorized"),
	    "no token: 401 with an error body");
	ok(post(&r, f, strlen(f), "application/json", NULL, "Bearer ts_nope") == 401 &&
	    is_error(&r, "unauthorized"), "an unknown token: 401");
	ok(post(&r, f, strlen(f), "application/json", NULL, "Basic abc") == 401, "a non-bearer scheme: 401");
	char *tok2 = hctx_token(&h, "gone"), auth2[128];
	snprintf(auth2, sizeof(auth2), "Bearer %s", tok2);
	hctx_sql(&h, "UPDATE clients SET revoked_at = 1 WHERE name = 'gone'");
	ok(post(&r, f, strlen(f), "application/json", NULL, auth2) == 403 && is_error(&r, "revoked"),
	    "a revoked token: 403");
	ok(post(&r, f, strlen(f), "text/plain", NULL, auth) == 415 &&
	    is_error(&r, "unsupported_media_type"), "a wrong content type: 415");
	ok(post(&r, f, strlen(f), "application/json", "br", auth) == 415, "an unknown content encoding: 415");
	ok(post(&r, f, strlen(f), "application/json", "gzip", auth) == 400 && is_error(&r, "bad_gzip"),
	    "a body that is not the gzip it claims: 400");
	free(f);

	ok(post_json(&r, "{\"v\":1,") == 400 && is_error(&r, "bad_json"), "malformed JSON: 400");
	ok(post_json(&r, "") == 400 && is_error(&r, "empty"), "an empty body: 400");
	ok(post_json(&r, "[]") == 400, "an empty batch: 400");
	ok(post_json(&r, "42") == 400 && is_error(&r, "bad_frame"), "a frame that is not an object: 400");
	f = frame("clientCCCC", 1, "rfactor");
	ok(post_json(&r, f) == 400 && is_error(&r, "bad_frame") && strstr(r.body.p, "rfactor") &&
	    strstr(r.body.p, "(lmu, ac or pcars2)"), "an unknown source: 400 naming it and the known ones");
	free(f);
	f = frame("clientCCCC", 1, "iracing");
	ok(post_json(&r, f) == 400 && is_error(&r, "bad_frame"),
	    "a source lib/vocab.h does not know: 400");
	free(f);
	f = frame("clientCCCC", 1, "pcars2");
	ok(post_json(&r, f) == 400 && is_error(&r, "bad_frame") && strstr(r.body.p, "packets"),
	    "pcars2 data with neither packets nor shm: 400 saying what it needs");
	free(f);
	ok(post_json(&r, "{\"v\":1,\"client\":{\"id\":\"clientCCCC\"},\"seq\":1,\"captured_at\":"
	    "\"2026-11-21T12:00:00Z\",\"source\":\"pcars2\",\"data\":{\"packets\":{}}}") == 400 &&
	    is_error(&r, "bad_frame"), "pcars2 packets that are no array: 400");
	ok(post_json(&r, "{\"v\":1,\"client\":{\"id\":\"clientCCCC\"},\"seq\":1,\"captured_at\":"
	    "\"2026-11-21T12:00:00Z\",\"source\":\"pcars2\",\"data\":{\"packets\":[],"
	    "\"shm\":\"AAAA\"}}") == 400 && is_error(&r, "bad_frame"),
	    "a pcars2 shm that is no object: 400");
	f = frame("short", 1, "lmu");
	ok(post_json(&r, f) == 400 && strstr(r.body.p, "client.id"), "a client id too short: 400");
	free(f);
	ok(post_json(&r, "{\"v\":2,\"client\":{\"id\":\"clientCCCC\"},\"seq\":1,\"captured_at\":"
	    "\"2026-11-21T12:00:00Z\",\"source\":\"lmu\",\"data\":{}}") == 400 &&
	    strstr(r.body.p, "version 2"), "another protocol version: 400");
	ok(post_json(&r, "{\"v\":1,\"client\":{\"id\":\"clientCCCC\"},\"seq\":0,\"captured_at\":"
	    "\"2026-11-21T12:00:00Z\",\"source\":\"lmu\",\"data\":{}}") == 400, "seq 0: 400");
	ok(post_json(&r, "{\"v\":1,\"client\":{\"id\":\"clientCCCC\"},\"seq\":1,\"captured_at\":"
	    "\"noon\",\"source\":\"lmu\",\"data\":{}}") == 400, "a captured_at that is no time: 400");
	ok(post_json(&r, "{\"v\":1,\"client\":{\"id\":\"clientCCCC\"},\"seq\":1,\"captured_at\":"
	    "\"2026-11-21T12:00:00Z\",\"source\":\"lmu\",\"data\":[]}") == 400, "data that is no object: 400");
	ok(post_json(&r, "{\"v\":1,\"client\":{\"id\":\"clientCCCC\",\"name\":\"\\ud800\"},\"seq\":1,"
	    "\"captured_at\":\"2026-11-21T12:00:00Z\",\"source\":\"lmu\",\"data\":{}}") == 400 &&
	    is_error(&r, "bad_json"), "a lone surrogate escape (which the worker cannot parse): 400");
	ok(post_json(&r, "{\"v\":1,\"client\":{\"id\":\"clientCCCC\"},\"seq\":1,\"captured_at\":"
	    "\"2026-11-21T12:00:00Z\",\"source\":\"lmu\",\"data\":{\"x\":\"\\udc00\"}}") == 400,
	    "a lone low surrogate deep in data: 400");
	buf_reset(&b);
	buf_puts(&b, "[");
	char *f1 = frame("clientCCCC", 2, "lmu"), *f2 = frame("clientCCCC", 1, "lmu");
	buf_printf(&b, "%s,%s]", f1, f2);
	ok(post_json(&r, b.p) == 400 && is_error(&r, "bad_batch"), "a batch out of seq order: 400");
	free(f1);
	free(f2);
	buf_reset(&b);
	buf_puts(&b, "[");
	for (int i = 1; i <= 101; i++) {
		f = frame("clientCCCC", i, "lmu");
		buf_printf(&b, "%s%s", i > 1 ? "," : "", f);
		free(f);
	}
	buf_puts(&b, "]");
	ok(post_json(&r, b.p) == 400 && is_error(&r, "batch_too_large"), "a batch of 101 frames: 400");
	is_int(hctx_inbox_count(&h), before, "no bad request stored anything");

	h.app.max_body = 1024;
	ok(post_json(&r, b.p) == 413 && is_error(&r, "too_large"), "a body over the cap: 413");
	h.app.max_body = 2u << 20;
	h.app.max_inflated = 4096;
	buf_reset(&z);
	gz_deflate(b.p, b.len, 9, &z);
	ok(post(&r, z.p, z.len, "application/json", "gzip", auth) == 413 && is_error(&r, "too_large"),
	    "a gzip body that inflates past the cap: 413");
	h.app.max_inflated = 16u << 20;
	is_int(hctx_inbox_count(&h), before, "no oversize request stored anything");
	f = frame("clientACAC", 1, "ac");
	ok(post_json(&r, f) == 202 && hctx_inbox_count(&h) == before + 1,
	    "a frame of Assetto Corsa (lib/vocab.h's sources) is stored");
	free(f);
	ok(post_json(&r, "{\"v\":1,\"client\":{\"id\":\"clientP2P2\"},\"seq\":1,\"captured_at\":"
	    "\"2026-11-21T12:00:00Z\",\"source\":\"pcars2\",\"data\":{\"packets\":[{\"at_ms\":1,"
	    "\"type\":4,\"raw\":\"AAAA\"}]}}") == 202 && hctx_inbox_count(&h) == before + 2,
	    "a pcars2 frame with packets is stored");
	ok(post_json(&r, "{\"v\":1,\"client\":{\"id\":\"clientP2P2\"},\"seq\":2,\"captured_at\":"
	    "\"2026-11-21T12:00:01Z\",\"source\":\"pcars2\",\"data\":{\"shm\":{\"version\":14,"
	    "\"raw\":\"\"}}}") == 202 && hctx_inbox_count(&h) == before + 3,
	    "a pcars2 frame with only shm is stored");

	resp_free(&r);
	resp_init(&r);
	hctx_call(&h, &r, METHOD_GET, "/api/v1/frames", NULL, NULL, NULL, NULL, NULL, 0);
	ok(r.status == 405 && is_error(&r, "method_not_allowed"), "GET of the upload path: 405");
	resp_free(&r);
	resp_init(&r);
	hctx_call(&h, &r, METHOD_GET, "/nothing/here", NULL, NULL, NULL, NULL, NULL, 0);
	is_int(r.status, 404, "an unknown path: 404");
	resp_free(&r);
	resp_init(&r);
	hctx_call(&h, &r, METHOD_GET, "/api/v1/best-laps", "track=%ff%fe", NULL, NULL, NULL, NULL, 0);
	ok(r.status == 400 && is_error(&r, "bad_query"), "a query that is not UTF-8: 400 with a JSON error");
	resp_free(&r);
	resp_init(&r);
	hctx_call(&h, &r, METHOD_GET, "/api/v1/best-laps", "track=%C3%A9", NULL, NULL, NULL, NULL, 0);
	cJSON *j = cJSON_ParseWithLength(r.body.p, r.body.len);
	ok(r.status == 200 && j != NULL, "a UTF-8 query is answered");
	cJSON_Delete(j);
	resp_free(&r);
	resp_init(&r);
	hctx_call(&h, &r, METHOD_GET, "/healthz", NULL, NULL, NULL, NULL, NULL, 0);
	ok(r.status == 200 && strstr(r.body.p, "\"status\":\"ok\"") &&
	    strstr(r.body.p, "\"database\":{\"ok\":true") && strstr(r.body.p, "\"inbox\":{\"ok\":true"),
	    "healthz answers ok for the database and the inbox");
	/* An inbox nothing can be written to (even by root): its seg/ is a file. */
	char seg[400], away[400], dbaway[400];
	snprintf(seg, sizeof(seg), "%s/seg", h.inbox);
	snprintf(away, sizeof(away), "%s/seg.away", h.inbox);
	rename(seg, away);
	fclose(fopen(seg, "w"));
	health(&r);
	ok(r.status == 503 && strstr(r.body.p, "\"inbox\":{\"ok\":false") &&
	    strstr(r.body.p, "\"database\":{\"ok\":true"), "an inbox that cannot be written: 503 saying so");
	unlink(seg);
	rename(away, seg);
	snprintf(dbaway, sizeof(dbaway), "%s.away", h.db_path);
	rename(h.db_path, dbaway);
	health(&r);
	ok(r.status == 503 && strstr(r.body.p, "\"database\":{\"ok\":false"),
	    "a missing database: 503 saying so");
	rename(dbaway, h.db_path);
	health(&r);
	is_int(r.status, 200, "healthy again once both are back");

	resp_free(&r);
	buf_free(&b);
	buf_free(&z);
	free(tok);
	free(tok2);
	free(tok3);
	hctx_close(&h);
	return tap_done();
}
