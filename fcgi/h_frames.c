/*
 * POST /api/v1/frames (spec/wire-protocol.md): authenticate, cap, check the
 * envelope of each frame without building a tree of it, store each new frame
 * durably in the inbox, answer 202 with the acknowledged seq. Merging is the
 * ingest worker's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fcgi.h"

#define FRAMES_MAX_BATCH	100
#define CLIENT_ID_MIN		8
#define CLIENT_ID_MAX		64

struct envelope {
	char		 client[CLIENT_ID_MAX + 1];
	long long	 seq;
	struct jspan	 frame;
};

/*
 * Looks the bearer token up. Returns the token's id, or 0 after answering
 * 401/403/503.
 */
static long long
frames_auth(struct req *req, struct resp *resp)
{
	const char	*a = req->authorization, *tok;
	char		 hash[65];
	sqlite3_stmt	*st = NULL;
	long long	 id = 0;
	int		 rc;

	if (a == NULL || strncasecmp(a, "Bearer ", 7) != 0 || *(tok = a + 7) == '\0') {
		resp_header(resp, "WWW-Authenticate", "Bearer realm=\"trackside\"");
		resp_error(resp, 401, "unauthorized", "A client token is required (Authorization: Bearer <token>).");
		return 0;
	}
	sha256_hex(tok, strlen(tok), hash);
	if ((st = req_stmt(req, RS_TOKEN)) == NULL) {
		log_err("auth: %s", sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The token cannot be checked now.");
		return 0;
	}
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int(st, 1) == 0)
		id = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_ROW)
		resp_error(resp, 403, "revoked", "This client token has been revoked.");
	else if (rc == SQLITE_DONE) {
		resp_header(resp, "WWW-Authenticate", "Bearer realm=\"trackside\", error=\"invalid_token\"");
		resp_error(resp, 401, "unauthorized", "The client token is not known to this server.");
	} else {
		log_err("auth: %s", sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The token cannot be checked now.");
	}
	sqlite3_reset(st);
	return id;
}

/*
 * The client's wall clock when it sent the request: Trackside-Sent-At, an
 * RFC 3339 UTC time (spec/wire-protocol.md). Returns 1 with *t, 0 when
 * the header is absent (a client that does not send it: the worker then
 * estimates the client's clock), or -1 after answering 400.
 */
static int
frames_sent_at(const struct req *req, struct resp *resp, double *t)
{
	const char	*v = req->sent_at;
	size_t		 n;

	*t = 0;
	if (v == NULL)
		return 0;
	n = strlen(v);
	if (n < 20 || n > 32 || v[10] != 'T' || v[n - 1] != 'Z' || !time_iso_parse(v, t) ||
	    *t <= 0) {
		resp_error(resp, 400, "bad_sent_at", "Trackside-Sent-At must be an RFC 3339 UTC "
		    "time such as 2026-11-21T12:00:05.456Z.");
		return -1;
	}
	return 1;
}

enum field { F_V, F_CLIENT, F_SEQ, F_CAPTURED, F_SOURCE, F_DATA, F__MAX };
static const char *const field_names[F__MAX] = {
	"v", "client", "seq", "captured_at", "source", "data"
};

/*
 * Scans and checks the frame at the start of p (one pass over it). Returns
 * 1 with the bytes used, or 0 after answering 400.
 */
static int
frames_check(struct resp *resp, const char *p, size_t len, size_t idx, struct envelope *e,
    size_t *used)
{
	struct jspan	 f[F__MAX], v, obj;
	char		 tmp[64];
	long long	 ver;
	double		 t;

#define BAD(...) do { resp_error(resp, 400, "bad_frame", __VA_ARGS__); return 0; } while (0)
	if (!jscan_fields(p, len, field_names, F__MAX, f, &obj, used)) {
		struct jspan any;
		if (jscan_value(p, len, &any, NULL))
			BAD("Frame %zu is not a JSON object.", idx);
		resp_error(resp, 400, "bad_json", "The body is not valid JSON.");
		return 0;
	}
	if (f[F_V].type == JT_NONE || !jscan_int(&f[F_V], 0, 1000, &ver))
		BAD("Frame %zu has no protocol version \"v\".", idx);
	if (ver != 1)
		BAD("Frame %zu has protocol version %lld; this server speaks version 1.", idx, ver);
	if (f[F_CLIENT].type != JT_OBJECT)
		BAD("Frame %zu has no \"client\" object.", idx);
	if (!jscan_member(&f[F_CLIENT], "id", &v) || !jscan_string(&v, e->client, sizeof(e->client)) ||
	    !id_valid(e->client, CLIENT_ID_MIN, CLIENT_ID_MAX))
		BAD("Frame %zu: client.id must be %d to %d characters of A-Z a-z 0-9 _ -.", idx,
		    CLIENT_ID_MIN, CLIENT_ID_MAX);
	if (jscan_member(&f[F_CLIENT], "name", &v) && v.type != JT_STRING && v.type != JT_NULL)
		BAD("Frame %zu: client.name must be a string.", idx);
	if (f[F_SEQ].type == JT_NONE || !jscan_int(&f[F_SEQ], 1, 9007199254740991LL, &e->seq))
		BAD("Frame %zu: seq must be a whole number from 1 to 9007199254740991 (2^53 - 1).", idx);
	if (!jscan_string(&f[F_CAPTURED], tmp, sizeof(tmp)) || !time_iso_parse(tmp, &t))
		BAD("Frame %zu: captured_at must be an ISO-8601 UTC time.", idx);
	if (!jscan_string(&f[F_SOURCE], tmp, sizeof(tmp)))
		BAD("Frame %zu has no \"source\".", idx);
	if (source_find(tmp) < 0) {
		struct buf known = { 0 };
		req_names(&known, source_names, SRC__MAX);
		resp_error(resp, 400, "bad_frame", "Frame %zu: unknown source \"%s\" (%s).", idx, tmp,
		    known.p ? known.p : "");
		buf_free(&known);
		return 0;
	}
	if (f[F_DATA].type != JT_OBJECT)
		BAD("Frame %zu has no \"data\" object.", idx);
	if (strcmp(tmp, source_names[SRC_PCARS2]) == 0) {
		/* what src_pcars2.c reads: a "packets" array and/or a "shm" object */
		struct jspan pk, sh;
		int has_pk = jscan_member(&f[F_DATA], "packets", &pk);
		int has_sh = jscan_member(&f[F_DATA], "shm", &sh);
		if ((has_pk && pk.type != JT_ARRAY) || (has_sh && sh.type != JT_OBJECT) ||
		    (!has_pk && !has_sh))
			BAD("Frame %zu: pcars2 data must hold a \"packets\" array and/or a \"shm\" "
			    "object.", idx);
	}
#undef BAD
	e->frame = obj;
	return 1;
}

/* Skips JSON white space. */
static size_t
ws(const char *p, size_t len, size_t i)
{
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	return i;
}

/*
 * Reads the body: one frame, or an array of frames of one client in seq
 * order, each scanned once. Returns the number of frames, or 0 after
 * answering 400.
 */
static size_t
frames_parse(struct resp *resp, const char *body, size_t len, struct envelope *env)
{
	size_t i = ws(body, len, 0), n = 0, used;

	if (i < len && body[i] == '[') {
		i = ws(body, len, i + 1);
		if (i < len && body[i] == ']') {
			resp_error(resp, 400, "empty", "The batch is empty.");
			return 0;
		}
		for (;;) {
			if (n == FRAMES_MAX_BATCH) {
				resp_error(resp, 400, "batch_too_large",
				    "A batch holds at most %d frames.", FRAMES_MAX_BATCH);
				return 0;
			}
			if (!frames_check(resp, body + i, len - i, n, &env[n], &used))
				return 0;
			if (n > 0 && (strcmp(env[n].client, env[0].client) != 0 ||
			    env[n].seq <= env[n - 1].seq)) {
				resp_error(resp, 400, "bad_batch",
				    "A batch holds frames of one client in increasing seq order.");
				return 0;
			}
			n++;
			i = ws(body, len, i + used);
			if (i < len && body[i] == ',') {
				i = ws(body, len, i + 1);
				continue;
			}
			if (i < len && body[i] == ']') {
				i++;
				break;
			}
			resp_error(resp, 400, "bad_json", "The body is not valid JSON.");
			return 0;
		}
	} else {
		if (!frames_check(resp, body, len, 0, &env[0], &used))
			return 0;
		n = 1;
		i = used;
	}
	if (ws(body, len, i) != len) {
		resp_error(resp, 400, "bad_json", "The body is not valid JSON (something follows it).");
		return 0;
	}
	return n;
}

/*
 * The highest seq the database holds for client, the session of its last
 * frame (copied into session, "" when none) and the token that uploaded it
 * (*owner, 0 when none). Returns 1, or -1.
 */
static int
frames_applied(struct req *req, const char *client, long long *last, char *session, size_t sz,
    long long *owner)
{
	sqlite3_stmt	*st;
	int		 rc;

	*last = *owner = 0;
	session[0] = '\0';
	if ((st = req_stmt(req, RS_APPLIED)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*last = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) == SQLITE_TEXT)
			snprintf(session, sz, "%s", (const char *)sqlite3_column_text(st, 1));
		*owner = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 1 : -1;
}

void
h_frames(struct req *req, struct resp *resp)
{
	struct buf	 inflated = { 0 }, rec = { 0 };
	struct envelope	 env[FRAMES_MAX_BATCH];
	const char	*body = req->body, *ct = req->content_type, *ce = req->content_encoding;
	size_t		 len = req->bodylen, n = 0;
	long long	 token, last, owner, ack = 0;
	double		 sent_at;
	char		 session[64];
	int		 rc, addr_ok;

	/* The uploader's address, for the admin's client list: nginx's, an IP. */
	addr_ok = req->remote_addr != NULL && strlen(req->remote_addr) <= 45 &&
	    strspn(req->remote_addr, "0123456789abcdefABCDEF.:") == strlen(req->remote_addr);
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
		resp_error(resp, 415, "unsupported_media_type",
		    "Frames are sent as Content-Type: application/json.");
		return;
	}
	if ((token = frames_auth(req, resp)) == 0 || frames_sent_at(req, resp, &sent_at) < 0)
		return;
	if (ce != NULL && strcasecmp(ce, "gzip") == 0) {
		if ((rc = gz_inflate(body, len, req->app->max_inflated, &inflated)) != GZ_OK) {
			if (rc == GZ_ERR)
				resp_error(resp, 503, "unavailable", "The server is out of memory.");
			else if (rc == GZ_TOO_LARGE)
				resp_error(resp, 413, "too_large",
				    "The body inflates to more than %zu bytes.", req->app->max_inflated);
			else
				resp_error(resp, 400, "bad_gzip", "The body is not valid gzip.");
			goto out;
		}
		body = inflated.p;
		len = inflated.len;
	} else if (ce != NULL && strcasecmp(ce, "identity") != 0) {
		resp_error(resp, 415, "unsupported_encoding",
		    "Content-Encoding must be gzip or absent, not %s.", ce);
		goto out;
	}
	if (body == NULL || len == 0) {
		resp_error(resp, 400, "empty", "The body is empty; send a frame or an array of frames.");
		goto out;
	}
	if ((n = frames_parse(resp, body, len, env)) == 0)
		goto out;

	if (frames_applied(req, env[0].client, &last, session, sizeof(session), &owner) < 0) {
		log_err("frames: %s", sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The database cannot be read now.");
		goto out;
	}
	/* A client id belongs to the token that first used it. */
	if ((rc = inbox_client_bind(req->app->inbox, env[0].client, token, owner, &owner)) < 0) {
		log_err("frames: client %s: %s", env[0].client, strerror(errno));
		resp_error(resp, 503, "unavailable", "The client id cannot be checked now.");
		goto out;
	}
	if (rc == 0) {
		log_warn("frames: token %lld sent frames under client id %s, which belongs to token %lld",
		    token, env[0].client, owner);
		resp_error(resp, 403, "client_id_taken", "Client id %s was first used with another "
		    "token; an admin can move it to yours (trackside client rebind).", env[0].client);
		goto out;
	}
	const char *why;
	if (!inbox_writable(req->app->inbox, req->app->min_free_mb, 0, &why)) {
		log_err("frames: %s", why);
		resp_error(resp, 503, "inbox_full", "The server's storage is full; try again later.");
		goto out;
	}
	ack = last;
	unsigned long ticket = 0;
	for (size_t i = 0; i < n; i++) {
		/* Frames of a client are applied in seq order: one at or below
		 * the highest applied is a duplicate, never applied late. */
		if (env[i].seq <= last)
			continue;
		buf_reset(&rec);
		buf_printf(&rec, "{\"token\":%lld,\"received_at\":%.3f", token, time_now());
		if (sent_at > 0)
			buf_printf(&rec, ",\"sent_at\":%.3f", sent_at);
		if (addr_ok)
			buf_printf(&rec, ",\"addr\":\"%s\"", req->remote_addr);
		buf_putc(&rec, '}');
		if (inbox_append(req->app->writer, env[i].client, env[i].seq, rec.p, rec.len,
		    env[i].frame.p, env[i].frame.len, &ticket) < 0) {
			log_err("inbox: %s", strerror(errno));
			resp_error(resp, 503, "unavailable", "The frame could not be stored; try again.");
			goto out;
		}
		if (env[i].seq > ack)
			ack = env[i].seq;
	}
	if (ticket && inbox_sync(req->app->writer, ticket) < 0) {
		log_err("inbox: %s", strerror(errno));
		resp_error(resp, 503, "unavailable", "The frames could not be stored; try again.");
		goto out;
	}
	/* ack is an exact integer: cJSON would print a double (9.00719925474e+15). */
	char num[24];
	snprintf(num, sizeof(num), "%lld", ack);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddRawToObject(o, "ack", num);
	if (session[0])
		cJSON_AddStringToObject(o, "session", session);
	else
		cJSON_AddNullToObject(o, "session");
	resp_json(resp, 202, o);
	cJSON_Delete(o);
out:
	buf_free(&inflated);
	buf_free(&rec);
}
