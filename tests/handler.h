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

#endif
