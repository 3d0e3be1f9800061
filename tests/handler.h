/*
 * Drives the FastCGI app's handlers in memory: a request struct in, the
 * response struct out, no FastCGI and no sockets. For handler tests.
 */
#ifndef HANDLER_H
#define HANDLER_H

#include "fcgi.h"

struct hctx {
	struct app		 app;
	struct tmpl_set		*tmpl;
	struct inbox_writer	*writer;
	sqlite3			*db;		/* read-only, as the app has it */
	char			 dir[256];	/* temporary directory: db, inbox */
	char			 db_path[300];
	char			 inbox[300];
	char			 cookie[128];	/* of hctx_sign_in(), for hctx_post() */
	char			 csrf[65];
};

int	 hctx_open(struct hctx *);
void	 hctx_close(struct hctx *);
int	 hctx_sql(struct hctx *, const char *sql);
int	 hctx_sql_file(struct hctx *, const char *path);
char	*hctx_token(struct hctx *, const char *name);
long long hctx_inbox_count(struct hctx *);
void	 hctx_call(struct hctx *, struct resp *, enum method, const char *path,
	    const char *query, const char *ctype, const char *encoding,
	    const char *auth, const void *body, size_t len);
int	 hctx_get(struct hctx *, struct resp *, const char *path, const char *query);
cJSON	*hctx_get_json(struct hctx *, struct resp *, const char *path, const char *query);

/* A request as a browser sends it (hctx_send). */
struct hreq {
	enum method	 method;
	const char	*path;
	const char	*query;
	const char	*cookie;
	const char	*origin;
	const char	*addr;		/* the browser's address; NULL: 192.0.2.7 */
	const char	*body;		/* NUL-terminated, or NULL */
	int		 https;
	const char	*ctype;		/* of body; NULL: a form (urlencoded) */
	const char	*if_none_match;	/* the If-None-Match header, or NULL */
};

int	 hctx_send(struct hctx *, struct resp *, const struct hreq *);
int	 hctx_post(struct hctx *, struct resp *, const char *path, ...)
	    __attribute__((sentinel));
const char *hctx_body(const struct resp *);
const char *hctx_header(const struct resp *, const char *name, char *out, size_t outsz);
int	 hctx_sign_in(struct hctx *, const char *name);
struct cmd;
int	 hctx_inbox_new(struct hctx *, int *seen, struct cmd *last);

#endif
