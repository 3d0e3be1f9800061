/*
 * In-memory handler driver: a temporary directory with a fresh database
 * (created by the same migrations as the real one) and an inbox, the
 * templates of the source tree, and app_dispatch().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handler.h"
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

/* Frames written to the inbox so far (none has been applied in memory). */
long long
hctx_inbox_count(struct hctx *h)
{
	return inbox_pending(h->inbox, inbox_pos_zero, NULL);
}
