/*
 * client/http.h, whichever engine is linked (libcurl natively, WinHTTP in
 * the Windows build), against a small HTTP/1.1 server of its own on a
 * loopback port: answers, bodies, headers, Retry-After, the size cap,
 * keep-alive, a refused connection, the whole-request timeout, cancel, and
 * http_wait() waking for a datagram.
 */
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <process.h>
typedef SOCKET tsock;
#define TSOCK_BAD	INVALID_SOCKET
#define tclose		closesocket
#define NOSIGNAL	0
#else
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <unistd.h>
typedef int tsock;
#define TSOCK_BAD	(-1)
#define tclose		close
#define NOSIGNAL	MSG_NOSIGNAL
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "http.h"
#include "tap.h"

static tsock		 lsock;
static int		 port;
static volatile long	 conns;		/* connections accepted */

static void
send_all(tsock s, const char *p, size_t n)
{
	while (n > 0) {
		int r = send(s, p, (int)n, NOSIGNAL);
		if (r <= 0)
			return;
		p += r;
		n -= (size_t)r;
	}
}

static void
answer(tsock s, int code, const char *extra, const char *body, size_t len)
{
	char head[256];

	snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n%s\r\n", code, len,
	    extra);
	send_all(s, head, strlen(head));
	send_all(s, body, len);
}

/* The value of header name in the head, or "". */
static void
header(const char *head, const char *name, char *out, size_t outsz)
{
	const char	*p = head;
	size_t		 n = strlen(name), o = 0;

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			while (*p && *p != '\r' && o + 1 < outsz)
				out[o++] = *p++;
			out[o] = '\0';
			return;
		}
	}
}

/* One connection: requests one after the other until the client closes. */
static void
serve(tsock s, long nconn)
{
	static char	 big[100000];
	char		 buf[65536], val[256], path[256], body[512];
	size_t		 have = 0;
	char		*end;
	int		 r;

	buf[0] = '\0';
	for (;;) {
		while ((end = strstr(buf, "\r\n\r\n")) == NULL) {
			if (have + 1 >= sizeof(buf) ||
			    (r = recv(s, buf + have, (int)(sizeof(buf) - 1 - have), 0)) <= 0)
				return;
			have += (size_t)r;
			buf[have] = '\0';
		}
		size_t hlen = (size_t)(end - buf) + 4, blen;
		*end = '\0';
		header(buf, "Content-Length", val, sizeof(val));
		blen = (size_t)atol(val);
		while (have < hlen + blen) {
			if (have + 1 >= sizeof(buf) ||
			    (r = recv(s, buf + have, (int)(sizeof(buf) - 1 - have), 0)) <= 0)
				return;
			have += (size_t)r;
		}
		if (sscanf(buf, "%*s %255s", path) != 1)
			return;
		if (strcmp(path, "/ok") == 0)
			answer(s, 200, "", "hello", 5);
		else if (strcmp(path, "/echo") == 0) {
			header(buf, "X-A", val, sizeof(val));
			snprintf(body, sizeof(body), "%.*s|%s", (int)(blen < 200 ? blen : 200),
			    buf + hlen, val);
			answer(s, 200, "", body, strlen(body));
		} else if (strcmp(path, "/retry") == 0)
			answer(s, 503, "Retry-After: 7\r\n", "busy", 4);
		else if (strcmp(path, "/big") == 0) {
			memset(big, 'x', sizeof(big));
			answer(s, 200, "", big, sizeof(big));
		} else if (strcmp(path, "/conn") == 0) {
			snprintf(body, sizeof(body), "%ld", nconn);
			answer(s, 200, "", body, strlen(body));
		} else if (strcmp(path, "/ua") == 0) {
			header(buf, "User-Agent", val, sizeof(val));
			answer(s, 200, "", val, strlen(val));
		} else if (strcmp(path, "/slow") == 0) {
			/* no answer: wait for the client to give up */
			while (recv(s, buf, sizeof(buf), 0) > 0)
				;
			return;
		} else
			answer(s, 404, "", "no", 2);
		memmove(buf, buf + hlen + blen, have - hlen - blen);
		have -= hlen + blen;
		buf[have] = '\0';
	}
}

#ifdef _WIN32
static unsigned __stdcall
conn_thread(void *arg)
#else
static void *
conn_thread(void *arg)
#endif
{
	tsock s = (tsock)(uintptr_t)arg;

	serve(s, conns);
	tclose(s);
	return 0;
}

#ifdef _WIN32
static unsigned __stdcall
accept_thread(void *arg)
#else
static void *
accept_thread(void *arg)
#endif
{
	tsock s;

	(void)arg;
	while ((s = accept(lsock, NULL, NULL)) != TSOCK_BAD) {
		conns++;
#ifdef _WIN32
		HANDLE th = (HANDLE)_beginthreadex(NULL, 0, conn_thread, (void *)(uintptr_t)s, 0,
		    NULL);
		if (th != NULL)
			CloseHandle(th);
#else
		pthread_t th;
		if (pthread_create(&th, NULL, conn_thread, (void *)(uintptr_t)s) == 0)
			pthread_detach(th);
#endif
	}
	return 0;
}

/* Listens on a loopback port and serves it from a thread. Returns 1 or 0. */
static int
server_start(void)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lsock = socket(AF_INET, SOCK_STREAM, 0)) == TSOCK_BAD ||
	    bind(lsock, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lsock, 16) != 0 ||
	    getsockname(lsock, (struct sockaddr *)&sa, &len) != 0)
		return 0;
	port = ntohs(sa.sin_port);
#ifdef _WIN32
	HANDLE th = (HANDLE)_beginthreadex(NULL, 0, accept_thread, NULL, 0, NULL);
	if (th == NULL)
		return 0;
	CloseHandle(th);
#else
	pthread_t th;
	if (pthread_create(&th, NULL, accept_thread, NULL) != 0)
		return 0;
	pthread_detach(th);
#endif
	return 1;
}

/* A free loopback TCP port nobody listens on, for a refused connection. */
static int
closed_port(void)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);
	tsock			 s;
	int			 p = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == TSOCK_BAD)
		return 0;
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(s, (struct sockaddr *)&sa, &len) == 0)
		p = ntohs(sa.sin_port);
	tclose(s);
	return p;
}

static struct http *h;

static void
req_init(struct http_req *r, const char *path, double timeout)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->url, sizeof(r->url), "http://127.0.0.1:%d%s", port, path);
	r->timeout = timeout;
	r->connect_timeout = 5;
	r->max_resp = 1 << 20;
}

/* Runs r to the end (at most 20 s). Returns what http_done() gave, or NULL. */
static struct http_req *
run(struct http_req *r)
{
	struct http_req	*d;
	double		 end = time_mono() + 20;

	if (http_start(h, r) != 1) {
		diag("http_start: %s", r->error);
		return NULL;
	}
	while (time_mono() < end) {
		http_wait(h, NULL, 0, 1);
		if ((d = http_done(h)) != NULL)
			return d;
	}
	return NULL;
}

static int
body_is(const struct http_req *r, const char *s)
{
	return r->resp.len == strlen(s) && r->resp.p != NULL && memcmp(r->resp.p, s, r->resp.len) == 0;
}

int
main(void)
{
	struct http_req	 a, b, c, *d;
	struct os_addr	 sa, from;
	char		 err[128], pbuf[16], first[32];
	unsigned char	 rnd[2];
	os_sock		 us = OS_SOCK_NONE, cs;
	double		 t0;

	tap_plan(27);
	if (os_net_init() != 1 || !server_start()) {
		printf("Bail out! cannot listen on a loopback port\n");
		return 1;
	}
	ok(http_global_init() == 1 && http_open(&h) == 1, "open (%s)", http_engine());

	req_init(&a, "/ok", 5);
	d = run(&a);
	ok(d == &a && a.status == 200 && body_is(&a, "hello"), "GET: 200 \"hello\" (%ld %s)",
	    a.status, a.error);
	ok(!a.running && http_done(h) == NULL, "done once, and no longer running");

	a.body = "abc";
	a.body_len = 3;
	a.headers[0] = "X-A: one";
	snprintf(a.url, sizeof(a.url), "http://127.0.0.1:%d/echo", port);
	d = run(&a);
	ok(d == &a && a.status == 200 && body_is(&a, "abc|one"), "POST with a header: \"%s\"",
	    a.resp.p ? a.resp.p : "");
	a.body = NULL;
	a.headers[0] = NULL;

	snprintf(a.url, sizeof(a.url), "http://127.0.0.1:%d/ua", port);
	d = run(&a);
	ok(d == &a && strncmp(a.resp.p ? a.resp.p : "", "trackside-client/", 17) == 0,
	    "the user agent is the client's: \"%s\"", a.resp.p ? a.resp.p : "");

	snprintf(a.url, sizeof(a.url), "http://127.0.0.1:%d/retry", port);
	d = run(&a);
	ok(d == &a && a.status == 503 && strcmp(a.retry_after, "7") == 0 && body_is(&a, "busy"),
	    "503 with Retry-After \"%s\"", a.retry_after);
	snprintf(a.url, sizeof(a.url), "http://127.0.0.1:%d/ok", port);
	d = run(&a);
	ok(d == &a && a.status == 200 && a.retry_after[0] == '\0', "the next run clears it");

	snprintf(a.url, sizeof(a.url), "http://127.0.0.1:%d/conn", port);
	d = run(&a);
	snprintf(first, sizeof(first), "%s", a.resp.p ? a.resp.p : "");
	d = run(&a);
	ok(d == &a && first[0] && body_is(&a, first), "the next runs keep the connection (%s, %s)",
	    first, a.resp.p ? a.resp.p : "");

	snprintf(a.url, sizeof(a.url), "http://127.0.0.1:%d/nothing", port);
	d = run(&a);
	ok(d == &a && a.status == 404 && a.error[0] == '\0', "a 404 is an answer");

	a.max_resp = 1000;
	snprintf(a.url, sizeof(a.url), "http://127.0.0.1:%d/big", port);
	d = run(&a);
	ok(d == &a && a.status == 0 && strcmp(a.error, "answer larger than 1000 bytes") == 0,
	    "over max_resp: \"%s\"", a.error);
	a.max_resp = 1 << 20;
	d = run(&a);
	ok(d == &a && a.status == 200 && a.resp.len == 100000, "under it: %zu bytes", a.resp.len);

	req_init(&b, "/ok", 5);
	snprintf(b.url, sizeof(b.url), "http://127.0.0.1:%d/ok", closed_port());
	d = run(&b);
	ok(d == &b && b.status == 0 && b.error[0] != '\0', "a refused connection: \"%s\"",
	    b.error);
	/* WinHTTP refuses it at the start, libcurl tries FTP and fails */
	snprintf(b.url, sizeof(b.url), "ftp://127.0.0.1:%d/", closed_port());
	if (http_start(h, &b) == -1)
		ok(b.error[0] != '\0', "not an http URL: \"%s\"", b.error);
	else {
		d = NULL;
		for (int i = 0; i < 100 && d == NULL; i++) {
			http_wait(h, NULL, 0, 0.2);
			d = http_done(h);
		}
		ok(d == &b && b.status == 0 && b.error[0] != '\0', "not an http URL: \"%s\"",
		    b.error);
	}

	req_init(&c, "/slow", 1);
	t0 = time_mono();
	d = run(&c);
	ok(d == &c && c.status == 0 && c.error[0] != '\0', "no answer: \"%s\" after %.2f s",
	    c.error, time_mono() - t0);
	ok(time_mono() - t0 >= 0.9 && time_mono() - t0 < 4, "at the request's timeout");

	/* cancel a request that waits, while another one runs */
	c.timeout = 30;
	ok(http_start(h, &c) == 1, "a request that gets no answer");
	snprintf(a.url, sizeof(a.url), "http://127.0.0.1:%d/ok", port);
	ok(http_start(h, &a) == 1 && a.running, "and one that does");
	http_wait(h, NULL, 0, 0.3);
	t0 = time_mono();
	http_cancel(h, &c);
	ok(!c.running && time_mono() - t0 < 2, "cancel returns at once (%.2f s)",
	    time_mono() - t0);
	d = NULL;
	for (int i = 0; i < 100 && d == NULL; i++) {
		http_wait(h, NULL, 0, 0.2);
		d = http_done(h);
	}
	ok(d == &a && a.status == 200, "the other one ends");
	http_wait(h, NULL, 0, 0.2);
	ok(http_done(h) == NULL, "the cancelled one is never done");
	snprintf(c.url, sizeof(c.url), "http://127.0.0.1:%d/ok", port);
	c.timeout = 5;
	d = run(&c);
	ok(d == &c && c.status == 200 && body_is(&c, "hello"), "the cancelled request runs again");

	/* http_wait() and the game's sockets */
	for (int i = 0; i < 50 && us == OS_SOCK_NONE; i++) {
		if (rand_bytes(rnd, sizeof(rnd)) != 1)
			break;
		snprintf(pbuf, sizeof(pbuf), "%d", 20000 + (rnd[0] << 8 | rnd[1]) % 40000);
		if (os_resolve("127.0.0.1", pbuf, &sa, err, sizeof(err)) == 1)
			us = os_udp_open(&sa, 1, 0);
	}
	cs = os_udp_open(&sa, 0, 0);
	ok(us != OS_SOCK_NONE && cs != OS_SOCK_NONE, "two UDP sockets");
	t0 = time_mono();
	http_wait(h, &us, 1, 0.3);
	ok(time_mono() - t0 >= 0.25, "no datagram: http_wait() takes its timeout (%.2f s)",
	    time_mono() - t0);
	os_udp_send(cs, "x", 1, &sa);
	t0 = time_mono();
	http_wait(h, &us, 1, 10);
	ok(time_mono() - t0 < 5, "a datagram waiting: http_wait() returns (%.3f s)",
	    time_mono() - t0);
	ok(os_udp_recv(us, err, sizeof(err), &from) == 1, "and the datagram is read");
	ok(os_udp_recv(us, err, sizeof(err), &from) == OS_UDP_NONE, "the socket is non-blocking still");
	os_udp_close(us);
	os_udp_close(cs);

	http_req_free(h, &a);
	http_req_free(h, &b);
	http_req_free(h, &c);
	ok(a.impl == NULL && a.resp.p == NULL, "http_req_free frees the answer too");
	http_close(h);
	http_global_cleanup();
	return tap_done();
}
