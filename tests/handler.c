/*
 * In-memory handler driver: a temporary directory with a fresh database
 * (created by the same migrations as the real one) and an inbox, the
 * templates of the source tree, and app_dispatch().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "handler.h"
#include "admin.h"
#include "cmd.h"
#include "db.h"
#include "tmpl.h"

/*
 * Creates the directory, database and inbox and loads the templates.
 * Returns 1, or 0 after printing why.
 */
int
hctx_open(struct hctx *h)
{
	struct buf	 err = { 0 };
	sqlite3		*rw;
	const char	*src = getenv("top_srcdir");
	char		 tdir[512];

	memset(h, 0, sizeof(*h));
	snprintf(h->dir, sizeof(h->dir), "%s/trackside-test.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(h->dir) == NULL)
		return 0;
	snprintf(h->db_path, sizeof(h->db_path), "%s/t.db", h->dir);
	snprintf(h->inbox, sizeof(h->inbox), "%s/inbox", h->dir);
	if (!db_open(&rw, h->db_path, DB_RW, &err) || !db_migrate(rw, &err)) {
		fprintf(stderr, "hctx: %s\n", err.p);
		return 0;
	}
	db_close(rw);
	if (!db_open(&h->db, h->db_path, DB_RO, &err) || inbox_writer_open(&h->writer, h->inbox) < 0) {
		fprintf(stderr, "hctx: %s\n", err.p ? err.p : "inbox");
		return 0;
	}
	snprintf(tdir, sizeof(tdir), "%s/templates", src ? src : ".");
	if (tmpl_load(&h->tmpl, tdir, &err) <= 0) {
		fprintf(stderr, "hctx: templates: %s\n", err.p);
		return 0;
	}
	h->app.db_path = h->db_path;
	h->app.inbox = h->inbox;
	h->app.writer = h->writer;
	h->app.tmpl = h->tmpl;
	h->app.max_body = 2u << 20;
	h->app.max_inflated = 16u << 20;
	h->app.min_free_mb = 0;
	buf_free(&err);
	return 1;
}

void
hctx_close(struct hctx *h)
{
	char cmd[400];

	db_close(h->db);
	tmpl_free(h->tmpl);
	inbox_writer_close(h->writer);
	if (h->dir[0] && getenv("KEEP_TEST_DIR") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "hctx: cannot remove %s\n", h->dir);
	}
}

/* Runs SQL on a writable connection (test setup). Returns 1 or 0. */
int
hctx_sql(struct hctx *h, const char *sql)
{
	struct buf	 err = { 0 };
	sqlite3		*rw;
	int		 ok;

	if (!db_open(&rw, h->db_path, DB_RW, &err))
		return 0;
	if (!(ok = db_exec(rw, sql, &err)))
		fprintf(stderr, "hctx: %s\n", err.p);
	db_close(rw);
	buf_free(&err);
	return ok;
}

/* Runs the SQL of a file (paths relative to $top_srcdir). Returns 1 or 0. */
int
hctx_sql_file(struct hctx *h, const char *path)
{
	struct buf	 text = { 0 };
	char		 p[512];
	const char	*src = getenv("top_srcdir");
	int		 ok;

	snprintf(p, sizeof(p), "%s/%s", src ? src : ".", path);
	if (file_read(p, 64u << 20, &text) <= 0) {
		fprintf(stderr, "hctx: cannot read %s\n", p);
		return 0;
	}
	ok = hctx_sql(h, text.p ? text.p : "");
	buf_free(&text);
	return ok;
}

/*
 * Adds a client token as "trackside client add" does; returns the token
 * (caller frees) or NULL.
 */
char *
hctx_token(struct hctx *h, const char *name)
{
	char	 tok[80], hash[65], sql[512];

	snprintf(tok, sizeof(tok), "ts_test_%s", name);
	sha256_hex(tok, strlen(tok), hash);
	snprintf(sql, sizeof(sql), "INSERT INTO clients (name, token_hash, created_at) "
	    "VALUES ('%s', '%s', 0)", name, hash);
	return hctx_sql(h, sql) ? strdup(tok) : NULL;
}

/*
 * Runs one request through the route table. resp must be initialised
 * with resp_init(); the caller frees it with resp_free().
 */
void
hctx_call(struct hctx *h, struct resp *resp, enum method m, const char *path,
    const char *query, const char *ctype, const char *encoding, const char *auth,
    const void *body, size_t len)
{
	struct req req;

	memset(&req, 0, sizeof(req));
	req.app = &h->app;
	req.db = h->db;
	req.method = m;
	req.path = path;
	req.query = query;
	req.content_type = ctype;
	req.content_encoding = encoding;
	req.authorization = auth;
	req.body = body;
	req.bodylen = len;
	req.content_length = len;
	app_dispatch(&req, resp);
	req_free(&req);
}

/* GETs path?query into r (reset first). Returns the status. */
int
hctx_get(struct hctx *h, struct resp *r, const char *path, const char *query)
{
	resp_free(r);
	resp_init(r);
	hctx_call(h, r, METHOD_GET, path, query, NULL, NULL, NULL, NULL, 0);
	return r->status;
}

/* The JSON body of a 200 answer to GET path?query (caller frees), or NULL. */
cJSON *
hctx_get_json(struct hctx *h, struct resp *r, const char *path, const char *query)
{
	if (hctx_get(h, r, path, query) != 200)
		return NULL;
	return cJSON_ParseWithLength(r->body.p, r->body.len);
}

/*
 * Runs one request as a browser at trackside.test sends it, with its
 * cookies, origin and address, into r (reset first). Returns the status.
 */
int
hctx_send(struct hctx *h, struct resp *r, const struct hreq *q)
{
	struct req req;

	resp_free(r);
	resp_init(r);
	memset(&req, 0, sizeof(req));
	req.app = &h->app;
	req.db = h->db;
	req.method = q->method;
	req.path = q->path;
	req.query = q->query;
	req.cookie = q->cookie;
	req.origin = q->origin;
	req.if_none_match = q->if_none_match;
	req.host = "trackside.test";
	req.https = q->https;
	req.remote_addr = q->addr ? q->addr : "192.0.2.7";
	if (q->body != NULL) {
		req.content_type = q->ctype ? q->ctype : "application/x-www-form-urlencoded";
		req.body = q->body;
		req.bodylen = req.content_length = strlen(q->body);
	}
	app_dispatch(&req, r);
	req_free(&req);
	return r->status;
}

/*
 * POSTs a form to path as the browser hctx_sign_in() signed in: its csrf
 * token, then the key, value pairs (NULL-terminated), URL-encoded here.
 * Returns the status.
 */
int
hctx_post(struct hctx *h, struct resp *r, const char *path, ...)
{
	struct hreq	 q = { .method = METHOD_POST, .path = path, .cookie = h->cookie };
	struct buf	 b = { 0 };
	va_list		 ap;
	const char	*k, *v;
	int		 rc;

	buf_printf(&b, "csrf=%s", h->csrf);
	va_start(ap, path);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		buf_printf(&b, "&%s=", k);
		esc_url(&b, v, strlen(v));
	}
	va_end(ap);
	q.body = b.p;
	rc = hctx_send(h, r, &q);
	buf_free(&b);
	return rc;
}

/* The body of r as a string ("" when empty). */
const char *
hctx_body(const struct resp *r)
{
	return r->body.p ? r->body.p : "";
}

/* The value of r's first header name (any case), into out; NULL when absent. */
const char *
hctx_header(const struct resp *r, const char *name, char *out, size_t outsz)
{
	const char	*p = r->headers.p, *e, *v;
	size_t		 n = strlen(name);

	for (; p != NULL && (e = strstr(p, "\r\n")) != NULL; p = e + 2)
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			for (v = p + n + 1; *v == ' '; v++)
				continue;
			snprintf(out, outsz, "%.*s", (int)(e - v), v);
			return out;
		}
	return NULL;
}

/*
 * Signs the admin account name in, as if through the sign-in page: the
 * account and an open sign-in from 192.0.2.7. Its cookie ("ts_admin=<id>")
 * into h->cookie, the csrf token of its forms into h->csrf. Returns 1 or 0.
 */
int
hctx_sign_in(struct hctx *h, const char *name)
{
	char	 id[65], hash[65], sql[1024];
	double	 now = time_now();

	if (admin_new_id(id) < 0)
		return 0;
	sha256_hex(id, 64, hash);
	admin_csrf_of(id, h->csrf);
	snprintf(h->cookie, sizeof(h->cookie), "ts_admin=%s", id);
	snprintf(sql, sizeof(sql), "INSERT INTO admin_accounts (name, pw_hash, created_at, "
	    "changed_at) VALUES ('%s', '$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA', %.0f, %.0f);"
	    "INSERT INTO admin_logins (id_hash, account, created_at, seen_at, addr) VALUES "
	    "('%s', '%s', %.3f, %.3f, '192.0.2.7')", name, now, now, hash, name, now, now);
	return hctx_sql(h, sql);
}

/*
 * The records put in the inbox since record *seen (moved past them): their
 * number, or -1. When last is not NULL, it is cleared and, when the newest
 * of them is a command, has it parsed (the caller frees it with cmd_free).
 */
int
hctx_inbox_new(struct hctx *h, int *seen, struct cmd *last)
{
	struct inbox_reader	*rd;
	struct buf		 err = { 0 };
	const char		*json;
	int			 n;

	if (last != NULL)
		memset(last, 0, sizeof(*last));
	if (inbox_reader_open(&rd, h->inbox) < 0)
		return -1;
	if ((n = inbox_read(rd, inbox_pos_zero, NULL, 100000, 64u << 20)) < 0) {
		inbox_reader_free(rd);
		return -1;
	}
	if (last != NULL && n > *seen && strcmp(rd->recs[n - 1].client, CMD_CLIENT) == 0 &&
	    (json = strchr(rd->recs[n - 1].body, '\n')) != NULL &&
	    cmd_parse(last, json + 1, strlen(json + 1), &err) != 1)
		fprintf(stderr, "hctx: inbox record %d: %s\n", n - 1, err.p ? err.p : "");
	n = n > *seen ? n - *seen : 0;
	*seen += n;
	inbox_reader_free(rd);
	buf_free(&err);
	return n;
}

/* Frames written to the inbox so far (none has been applied in memory). */
long long
hctx_inbox_count(struct hctx *h)
{
	return inbox_pending(h->inbox, inbox_pos_zero, NULL);
}
