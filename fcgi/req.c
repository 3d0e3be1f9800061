/*
 * Requests and responses: query parsing with typed getters, error bodies,
 * JSON and template output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fcgi.h"
#include "admin.h"
#include "tmpl.h"

const char *const method_names[METHOD__MAX] = { "GET", "HEAD", "POST" };

#define REQ_MAX_PARAMS 32
#define REQ_MAX_VALUE 256
#define REQ_MAX_FORM_FIELDS 256

const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes s[0..n) ('+' is a space). NULL for a bad escape, a NUL or
 * bytes that are not UTF-8 (what a handler echoes must be valid JSON).
 */
static char *
url_decode(const char *s, size_t n)
{
	char	*out = malloc(n + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%') {
			int h, l;
			if (i + 2 >= n || (h = hexval(s[i + 1])) < 0 ||
			    (l = hexval(s[i + 2])) < 0 || (h == 0 && l == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(h << 4 | l);
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	if (!jscan_utf8_valid(out, (size_t)(o - out))) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * Parses the pairs of q[0..len) ("k=v&k=v", percent-encoded) onto
 * req->params: at most maxn of them, each value at most maxv bytes
 * encoded. Returns 1, 0 when malformed, -1 when memory runs out.
 */
static int
parse_pairs(struct req *req, const char *q, size_t len, size_t maxn, size_t maxv)
{
	const char	*end = q + len;
	size_t		 added = 0;

	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		size_t n = amp ? (size_t)(amp - q) : (size_t)(end - q);
		if (n > 0) {
			const char *eq = memchr(q, '=', n);
			size_t kl = eq ? (size_t)(eq - q) : n;
			if (added >= maxn || n - kl > maxv || kl > maxv)
				return 0;
			char *k = url_decode(q, kl);
			char *v = eq ? url_decode(eq + 1, n - kl - 1) : strdup("");
			if (k == NULL || v == NULL) {
				free(k);
				free(v);
				return 0;
			}
			struct kv *np = realloc(req->params, (req->nparams + 1) * sizeof(*np));
			if (np == NULL) {
				free(k);
				free(v);
				return -1;
			}
			req->params = np;
			np[req->nparams].key = k;
			np[req->nparams].val = v;
			req->nparams++;
			added++;
		}
		q += n;
		if (q < end && *q == '&')
			q++;
	}
	return 1;
}

/*
 * Parses a query string into req->params. Returns 1, 0 when it is malformed
 * (bad escape, not UTF-8, too many or too long values), -1 when memory runs
 * out.
 */
int
req_parse_query(struct req *req, const char *q)
{
	if (q == NULL || *q == '\0')
		return 1;
	if (req->nparams >= REQ_MAX_PARAMS)
		return 0;
	return parse_pairs(req, q, strlen(q), REQ_MAX_PARAMS - req->nparams, REQ_MAX_VALUE * 3);
}

/*
 * Parses a urlencoded form body onto req->params, after the query's: its
 * fields are what admin_form() sees. Returns 1, 0 when malformed, -1 when
 * memory runs out.
 */
int
req_parse_form(struct req *req, const char *body, size_t len)
{
	req->form_at = req->nparams;
	req->has_form = 1;
	return parse_pairs(req, body ? body : "", body ? len : 0, REQ_MAX_FORM_FIELDS,
	    REQ_FORM_MAX);
}

/* Forgets the fields of a form that could not be parsed: it has none. */
void
req_drop_form(struct req *req)
{
	for (size_t i = req->form_at; i < req->nparams; i++) {
		free(req->params[i].key);
		free(req->params[i].val);
	}
	req->nparams = req->form_at;
	req->has_form = 1;
}

/*
 * The value of cookie name in the request's Cookie header, copied into out
 * (outsz bytes, NUL included). Returns out, or NULL when the cookie is
 * absent or its value does not fit.
 */
const char *
req_cookie(const struct req *req, const char *name, char *out, size_t outsz)
{
	const char	*p = req->cookie;
	size_t		 nl = strlen(name);

	while (p != NULL && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *semi = strchr(p, ';');
		size_t n = semi ? (size_t)(semi - p) : strlen(p);
		if (n > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			size_t vl = n - nl - 1;
			if (vl + 1 > outsz)
				return NULL;
			memcpy(out, p + nl + 1, vl);
			out[vl] = '\0';
			return out;
		}
		p = semi;
	}
	return NULL;
}

/*
 * Whether the request's If-None-Match lists etag (a quoted entity tag),
 * compared weakly (W/ ignored), or is "*": the copy the browser holds is
 * current. An empty header (nginx's cache clears it) lists nothing.
 */
int
req_etag_fresh(const struct req *req, const char *etag)
{
	const char	*p = req->if_none_match;
	size_t		 n = strlen(etag);

	if (p == NULL)
		return 0;
	while (*p) {
		size_t len;
		p += strspn(p, " \t,");
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		len = strcspn(p, " \t,");
		if (len == 0)
			break;
		if ((len == 1 && *p == '*') || (len == n && memcmp(p, etag, n) == 0))
			return 1;
		p += len;
	}
	return 0;
}

/* The first value of key, or NULL. An empty value counts as absent. */
const char *
req_param(const struct req *req, const char *key)
{
	for (size_t i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].key, key) == 0)
			return req->params[i].val[0] ? req->params[i].val : NULL;
	return NULL;
}

/*
 * An integer parameter in [min, max], dflt when absent. Returns 1, or 0
 * after answering 400.
 */
int
req_param_int(struct req *req, struct resp *resp, const char *key, long long min,
    long long max, long long dflt, long long *out)
{
	const char *v = req_param(req, key);

	*out = dflt;
	if (v == NULL)
		return 1;
	if (!num_parse_ll(v, min, max, out)) {
		resp_error(resp, 400, "bad_parameter", "%s must be a whole number from %lld to %lld.",
		    key, min, max);
		return 0;
	}
	return 1;
}

/*
 * A parameter that is one of names (in any case): *out is its index, -1
 * when absent. Returns 1, or 0 after answering 400 with the names.
 */
int
req_param_enum(struct req *req, struct resp *resp, const char *key, const char *const *names,
    size_t n, int *out)
{
	const char	*v = req_param(req, key);
	struct buf	 list = { 0 };

	*out = -1;
	if (v == NULL)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v, names[i]) == 0) {
			*out = (int)i;
			return 1;
		}
	req_names(&list, names, n);
	resp_error(resp, 400, "bad_parameter", "%s must be %s.", key, list.p ? list.p : "");
	buf_free(&list);
	return 0;
}

/* Appends names as a sentence lists them: "a, b or c". Returns 1 or -1. */
int
req_names(struct buf *b, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]) < 0)
			return -1;
	return 1;
}

void
req_free(struct req *req)
{
	for (size_t i = 0; i < req->nparams; i++) {
		free(req->params[i].key);
		free(req->params[i].val);
	}
	free(req->params);
	req->params = NULL;
	req->nparams = 0;
	req->form_at = 0;
	req->has_form = 0;
	free(req->admin);
	req->admin = NULL;
	req->sent[0] = '\0';
	for (size_t i = 0; i < req->nargs; i++)
		free(req->args[i]);
	req->nargs = 0;
	for (int i = 0; i < RS__MAX; i++) {
		sqlite3_finalize(req->own[i]);
		req->own[i] = NULL;
	}
	if (req->cache != NULL)
		for (int i = 0; i < RS__MAX; i++)
			if (req->cache[i] != NULL)
				sqlite3_reset(req->cache[i]);
}

void
resp_init(struct resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = 200;
}

void
resp_free(struct resp *resp)
{
	buf_free(&resp->headers);
	buf_free(&resp->body);
}

void
resp_header(struct resp *resp, const char *name, const char *fmt, ...)
{
	va_list ap;

	buf_printf(&resp->headers, "%s: ", name);
	va_start(ap, fmt);
	buf_vprintf(&resp->headers, fmt, ap);
	va_end(ap);
	buf_puts(&resp->headers, "\r\n");
}

/*
 * Answers with {"error": code, "message": ...}, replacing any body.
 */
void
resp_error(struct resp *resp, int status, const char *code, const char *fmt, ...)
{
	struct buf	 msg = { 0 };
	va_list		 ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	resp->status = status;
	resp->ctype = "application/json";
	buf_reset(&resp->body);
	buf_puts(&resp->body, "{\"error\":\"");
	esc_json(&resp->body, code, strlen(code));
	buf_puts(&resp->body, "\",\"message\":\"");
	esc_json(&resp->body, msg.p ? msg.p : "", msg.len);
	buf_puts(&resp->body, "\"}\n");
	buf_free(&msg);
}

void
resp_json(struct resp *resp, int status, const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);

	if (s == NULL) {
		resp_error(resp, 500, "internal", "The answer could not be built.");
		return;
	}
	resp->status = status;
	resp->ctype = "application/json";
	buf_reset(&resp->body);
	buf_puts(&resp->body, s);
	buf_putc(&resp->body, '\n');
	free(s);
}

/*
 * Renders template tmpl with data as an HTML page; an error status set by
 * the data builder is answered as a page too.
 */
void
resp_page(struct req *req, struct resp *resp, const char *tmpl, cJSON *data)
{
	int rc;

	buf_reset(&resp->body);
	rc = tmpl_render(req->app->tmpl, tmpl, data, &resp->body);
	if (rc <= 0) {
		log_err("template %s: %s", tmpl, rc == 0 ? "missing or too deep" : "out of memory");
		resp_error(resp, 500, "internal", "The page could not be rendered.");
		return;
	}
	resp->ctype = "text/html; charset=utf-8";
}

/*
 * Turns the JSON error a data builder answered into an HTML page.
 */
void
page_error(struct req *req, struct resp *resp)
{
	cJSON	*err = cJSON_ParseWithLength(resp->body.p ? resp->body.p : "", resp->body.len);
	cJSON	*o = cJSON_CreateObject();
	cJSON	*msg = cJSON_GetObjectItemCaseSensitive(err, "message");
	int	 status = resp->status;

	cJSON_AddNumberToObject(o, "status", status);
	cJSON_AddStringToObject(o, "reason", status_text(status));
	cJSON_AddStringToObject(o, "message", cJSON_IsString(msg) ? msg->valuestring : "");
	cJSON_AddStringToObject(o, "title", status_text(status));
	resp_page(req, resp, "error", o);
	resp->status = status;
	cJSON_Delete(o);
	cJSON_Delete(err);
}

static const char *const req_stmt_sql[RS__MAX] = {
	/* RS_TOKEN */
	"SELECT id, revoked_at IS NOT NULL FROM clients WHERE token_hash = ?1",
	/* RS_APPLIED */
	"SELECT last_seq, session_id, token_id FROM client_seqs WHERE client = ?1",
	/* RS_POS */
	"SELECT offset FROM inbox_pos WHERE segment = ?1",
};

/*
 * Statement i, ready to bind: from the thread's cache when the transport
 * keeps one (prepared on first use), else prepared for this request and
 * finalised by req_free(). NULL on an SQLite error.
 */
sqlite3_stmt *
req_stmt(struct req *req, enum req_stmt i)
{
	sqlite3_stmt **slot = req->cache ? &req->cache[i] : &req->own[i];

	if (*slot == NULL) {
		if (sqlite3_prepare_v3(req->db, req_stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    slot, NULL) != SQLITE_OK)
			return NULL;
	} else {
		sqlite3_reset(*slot);
		sqlite3_clear_bindings(*slot);
	}
	return *slot;
}

/*
 * Where the worker stands in an inbox segment, from the database (an
 * inbox_pos_fn for the read-only side). 0 for a segment it never read.
 */
long long
req_inbox_pos(void *arg, const char *seg)
{
	struct req	*req = arg;
	sqlite3_stmt	*st = req_stmt(req, RS_POS);
	long long	 off = 0;
	int		 rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, seg, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		off = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? off : -1;
}

/* How long nginx may keep pages of a closed session (known drivers change). */
#define CACHE_CLOSED 60

/*
 * Lets nginx keep the answer about a session for a while when the session
 * is closed: its pages no longer change (but for known drivers and a
 * reprocess, so not for long).
 */
void
resp_cache_closed(struct resp *resp, const cJSON *session)
{
	const cJSON *state = cJSON_GetObjectItemCaseSensitive(session, "state");

	if (cJSON_IsString(state) && strcmp(state->valuestring, "closed") == 0)
		resp->cache = CACHE_CLOSED;
}
