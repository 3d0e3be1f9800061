/*
 * client/http.h on libcurl: one multi handle runs every request; each
 * request keeps its easy handle, and so its connection, between runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "client.h"
#include "http.h"

struct curl_req;
struct http {
	CURLM		 *multi;
	struct curl_req	 *done;		/* finished, not yet taken, oldest first */
	struct curl_req	 *done_tail;
};

struct curl_req {
	CURL		 *h;
	struct curl_slist *hdrs;
	struct http_req	 *req;
	struct curl_req	 *next_done;	/* the done list needs no memory of its own */
	int		  done;
	int		  too_large;	/* the answer passed max_resp */
};

int
http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 1 : -1;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

const char *
http_engine(void)
{
	static char	 name[64];
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	snprintf(name, sizeof(name), "libcurl/%s", v && v->version ? v->version : "?");
	return name;
}

int
http_open(struct http **out)
{
	struct http *h;

	if ((*out = h = calloc(1, sizeof(*h))) == NULL)
		return -1;
	if ((h->multi = curl_multi_init()) == NULL) {
		free(h);
		*out = NULL;
		return -1;
	}
	return 1;
}

void
http_close(struct http *h)
{
	if (h == NULL)
		return;
	curl_multi_cleanup(h->multi);
	free(h);
}

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct http_req	*r = arg;
	struct curl_req	*c = r->impl;
	size_t		 len = size * n;

	if (r->resp.len + len > r->max_resp) {
		c->too_large = 1;
		return 0;	/* the transfer fails */
	}
	return buf_add(&r->resp, p, len) < 0 ? 0 : len;
}

static size_t
header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct http_req	*r = arg;
	size_t		 len = size * n, i = 12, o = 0;

	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		while (i < len && p[i] == ' ')
			i++;
		while (i < len && p[i] != '\r' && p[i] != '\n' && o + 1 < sizeof(r->retry_after))
			r->retry_after[o++] = p[i++];
		r->retry_after[o] = '\0';
	}
	return len;
}

int
http_start(struct http *h, struct http_req *r)
{
	struct curl_req		*c = r->impl;
	struct curl_slist	*l;

	r->status = 0;
	r->error[0] = '\0';
	r->retry_after[0] = '\0';
	buf_reset(&r->resp);
	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL || (c->h = curl_easy_init()) == NULL) {
			free(c);
			snprintf(r->error, sizeof(r->error), "out of memory");
			return -1;
		}
		r->impl = c;
		c->req = r;
		curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, write_cb);
		curl_easy_setopt(c->h, CURLOPT_WRITEDATA, r);
		curl_easy_setopt(c->h, CURLOPT_HEADERFUNCTION, header_cb);
		curl_easy_setopt(c->h, CURLOPT_HEADERDATA, r);
		curl_easy_setopt(c->h, CURLOPT_PRIVATE, (char *)r);
		curl_easy_setopt(c->h, CURLOPT_USERAGENT, CLIENT_VERSION);
	}
	c->too_large = 0;
	curl_slist_free_all(c->hdrs);
	c->hdrs = NULL;
	for (size_t i = 0; r->headers[i] != NULL; i++) {
		if ((l = curl_slist_append(c->hdrs, r->headers[i])) == NULL)
			goto nomem;
		c->hdrs = l;
	}
	if (r->body != NULL) {
		/* no "Expect: 100-continue" round trip before a body */
		if ((l = curl_slist_append(c->hdrs, "Expect:")) == NULL)
			goto nomem;
		c->hdrs = l;
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	} else
		curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c->h, CURLOPT_URL, r->url);
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->hdrs);
	curl_easy_setopt(c->h, CURLOPT_TIMEOUT_MS, (long)(r->timeout * 1000));
	curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT_MS, (long)(r->connect_timeout * 1000));
	if (curl_multi_add_handle(h->multi, c->h) != CURLM_OK) {
		snprintf(r->error, sizeof(r->error), "cannot start the request");
		return -1;
	}
	r->running = 1;
	return 1;
nomem:
	snprintf(r->error, sizeof(r->error), "out of memory");
	return -1;
}

void
http_cancel(struct http *h, struct http_req *r)
{
	struct curl_req *c = r->impl, *p, *prev = NULL;

	if (c != NULL && c->done) {	/* off the done list */
		for (p = h->done; p != c; p = p->next_done)
			prev = p;
		if (prev != NULL)
			prev->next_done = c->next_done;
		else
			h->done = c->next_done;
		if (h->done_tail == c)
			h->done_tail = prev;
		c->done = 0;
	}
	if (c != NULL && r->running)
		curl_multi_remove_handle(h->multi, c->h);
	r->running = 0;
}

void
http_req_free(struct http *h, struct http_req *r)
{
	struct curl_req *c = r->impl;

	http_cancel(h, r);
	if (c != NULL) {
		curl_easy_cleanup(c->h);
		curl_slist_free_all(c->hdrs);
		free(c);
	}
	r->impl = NULL;
	buf_free(&r->resp);
}

/* A finished transfer: its answer, or why there is none. */
static void
http_finish(struct http *h, CURL *e, CURLcode res)
{
	struct http_req	*r = NULL;
	struct curl_req	*c;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
	if (r == NULL)
		return;
	c = r->impl;
	curl_multi_remove_handle(h->multi, e);
	r->running = 0;
	if (res == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	else if (c->too_large)
		snprintf(r->error, sizeof(r->error), "answer larger than %zu bytes", r->max_resp);
	else
		snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(res));
	c->done = 1;
	c->next_done = NULL;
	if (h->done_tail != NULL)
		h->done_tail->next_done = c;
	else
		h->done = c;
	h->done_tail = c;
}

void
http_wait(struct http *h, const os_sock *socks, unsigned n, double timeout)
{
	struct curl_waitfd	 fds[8];
	CURLMsg			*m;
	int			 running, left;

	if (n > sizeof(fds) / sizeof(fds[0]))
		n = sizeof(fds) / sizeof(fds[0]);
	for (unsigned i = 0; i < n; i++) {
		fds[i].fd = socks[i];
		fds[i].events = CURL_WAIT_POLLIN;
		fds[i].revents = 0;
	}
	if (timeout > 0 || n > 0)
		curl_multi_poll(h->multi, n ? fds : NULL, n, timeout > 0 ?
		    (int)(timeout * 1000) + 1 : 0, NULL);
	curl_multi_perform(h->multi, &running);
	while ((m = curl_multi_info_read(h->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE)
			http_finish(h, m->easy_handle, m->data.result);
}

struct http_req *
http_done(struct http *h)
{
	struct curl_req *c;

	if ((c = h->done) == NULL)
		return NULL;
	if ((h->done = c->next_done) == NULL)
		h->done_tail = NULL;
	c->done = 0;
	return c->req;
}
