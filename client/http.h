/*
 * HTTP for the client, one interface with two engines: libcurl on POSIX
 * (client/http_curl.c), WinHTTP on Windows (client/http_win.c). The same
 * calls poll the game and upload frames.
 *
 * A struct http runs any number of requests at once. A request is a struct
 * http_req the caller owns: it fills the first part, http_start() sends it,
 * and when http_wait() has returned, http_done() hands back each request
 * that finished with its answer in the second part. A request is started
 * again (the same URL, a new body) with http_start(); each one keeps its
 * connection open between runs (HTTP/1.1 keep-alive). https URLs use the
 * system's TLS and certificate store; proxies come from the environment
 * (POSIX: http_proxy, https_proxy) or the system's settings (Windows).
 */
#ifndef HTTP_H
#define HTTP_H

#include "os.h"

#define HTTP_MAX_HEADERS	8

struct http;
struct http_req {
	/* set by the caller */
	char		 url[1024];
	const char	*headers[HTTP_MAX_HEADERS + 1];	/* "Name: value", NULL-terminated */
	const void	*body;		/* POST when not NULL */
	size_t		 body_len;
	double		 timeout;	/* the whole request, seconds */
	double		 connect_timeout;
	size_t		 max_resp;	/* a larger answer fails the request */
	int		 tag;		/* the caller's */
	/* the answer, valid when http_done() returned the request */
	long		 status;	/* 0: no answer; error says why */
	char		 error[160];
	struct buf	 resp;		/* the body */
	char		 retry_after[32];	/* the Retry-After header, or "" */
	/* the engine's */
	void		*impl;
	int		 running;
};

int	 http_global_init(void);
void	 http_global_cleanup(void);
const char *http_engine(void);		/* "libcurl/7.88.1", "WinHTTP" */

int	 http_open(struct http **);
void	 http_close(struct http *);
/* Returns 1, or -1 when the request cannot be started (error says why). */
int	 http_start(struct http *, struct http_req *);
/* Stops a running request; it is not returned by http_done(). */
void	 http_cancel(struct http *, struct http_req *);
/* Stops a request and frees its connection and its answer. */
void	 http_req_free(struct http *, struct http_req *);
/*
 * Waits at most timeout seconds for a request to finish or one of the
 * sockets to have a datagram waiting.
 */
void	 http_wait(struct http *, const os_sock *, unsigned n, double timeout);
/* The next request that finished, or NULL. */
struct http_req *http_done(struct http *);

#endif
