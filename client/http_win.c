/*
 * client/http.h on WinHTTP, the HTTP stack of Windows: the system's TLS,
 * certificate store and proxy settings, nothing to ship.
 *
 * One WinHTTP session serves the struct http. Each run of a request is the
 * plain synchronous WinHTTP sequence (send, receive, read) on a thread of
 * its own; when it ends, the thread hands the answer to the request, puts
 * the request on the done list and sets an event, which http_wait() waits
 * on together with the game's sockets. A request keeps its connect handle
 * between runs, and the session keeps the connection open behind it
 * (keep-alive).
 *
 * A run owns what it works with: its request handle, a copy of the body,
 * the answer until handed over. http_cancel() and the whole-request timeout
 * do not stop the thread, they let go of it: it ends by itself at its
 * WinHTTP timeouts, closes its handle and frees its run, touching nothing
 * of the request again. Closing the handle from outside would abort the
 * call on Windows (not on Wine), but the thread could then use a closed
 * handle whose value WinHTTP has already given to a new request.
 */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <windows.h>
#include <winhttp.h>
#include <process.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "client.h"
#include "http.h"

#ifndef WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY
#define WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY	4
#endif
#ifndef WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3
#define WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3	0x00002000
#endif

/* The most sockets http_wait() watches: WaitForMultipleObjects() takes 64. */
#define WAIT_SOCKS	(MAXIMUM_WAIT_OBJECTS - 1)

struct win_run;

struct win_req {
	struct http_req	*r;
	struct http	*h;
	HINTERNET	 conn;		/* WinHttpConnect(), kept between runs */
	wchar_t		*host;		/* conn's */
	INTERNET_PORT	 port;
	int		 secure;
	wchar_t		*path;		/* path and query */
	wchar_t		*hdrs;		/* "Name: value\r\n"..., or NULL */
	struct win_run	*run;		/* the one running, or NULL */
	int		 done;		/* on the done list */
	double		 deadline;	/* time_mono() when the run times out, or 0 */
	struct win_req	*next_done;
	struct win_req	*next;		/* every request of the struct http */
};

/* One run of a request, the thread's: freed by the thread when it ends. */
struct win_run {
	struct http	*h;
	struct win_req	*c;		/* NULL once let go: nothing to hand over */
	HINTERNET	 req;
	void		*body;		/* a copy: the caller may free its own once let go */
	size_t		 body_len;
	wchar_t		*hdrs;
	DWORD		 tls_flags;	/* why TLS failed, from the callback */
	struct buf	 resp;
};

struct http {
	HINTERNET	 session;
	HANDLE		 done_ev;	/* manual reset: set while the done list is not empty */
	struct win_req	*done, *done_tail;
	struct win_req	*all;
	unsigned	 threads;	/* runs not ended, let go of or not */
	int		 closed;	/* http_close() left the rest to the last thread */
};

/*
 * Guards the done list, each request's run and done, each run's c, threads
 * and closed. Static: a thread let go of may outlive its struct http's user.
 */
static SRWLOCK lock = SRWLOCK_INIT;

int
http_global_init(void)
{
	return 1;
}

void
http_global_cleanup(void)
{
}

const char *
http_engine(void)
{
	return "WinHTTP";
}

/*
 * Opens the session. The automatic proxy (WinHTTP's own discovery and the
 * user's Internet settings) exists from Windows 8.1; Windows 8 takes the
 * proxy configured with netsh winhttp.
 */
int
http_open(struct http **out)
{
	struct http	*h;
	wchar_t		*ua;
	DWORD		 tls = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return -1;
	if ((ua = utf8_to_w(CLIENT_VERSION, 0)) == NULL) {
		free(h);
		return -1;
	}
	h->session = WinHttpOpen(ua, WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY, WINHTTP_NO_PROXY_NAME,
	    WINHTTP_NO_PROXY_BYPASS, 0);
	if (h->session == NULL)
		h->session = WinHttpOpen(ua, WINHTTP_ACCESS_TYPE_DEFAULT_PROXY,
		    WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0);
	free(ua);
	if (h->session == NULL) {
		free(h);
		return -1;
	}
	/* TLS 1.2, and 1.3 where the system has it (older ones refuse the flag) */
	if (!WinHttpSetOption(h->session, WINHTTP_OPTION_SECURE_PROTOCOLS, &tls, sizeof(tls))) {
		tls = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2;
		WinHttpSetOption(h->session, WINHTTP_OPTION_SECURE_PROTOCOLS, &tls, sizeof(tls));
	}
	if ((h->done_ev = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL) {
		WinHttpCloseHandle(h->session);
		free(h);
		return -1;
	}
	*out = h;
	return 1;
}

/* The session goes when the last thread has ended. */
static void
http_free(struct http *h)
{
	WinHttpCloseHandle(h->session);
	CloseHandle(h->done_ev);
	free(h);
}

/*
 * Closes the session; the requests are the caller's to free first. A run
 * still going is let go of, and the last one to end frees the session.
 */
void
http_close(struct http *h)
{
	int last;

	if (h == NULL)
		return;
	for (struct win_req *c = h->all; c != NULL; c = c->next)
		http_cancel(h, c->r);
	AcquireSRWLockExclusive(&lock);
	h->closed = 1;
	last = h->threads == 0;
	ReleaseSRWLockExclusive(&lock);
	if (last)
		http_free(h);
}

/* Why a run failed, in words. */
static void
win_error(DWORD tls_flags, DWORD e, char *out, size_t outsz)
{
	const char *s = NULL;

	switch (e) {
	case ERROR_WINHTTP_TIMEOUT:
		s = "timed out";
		break;
	case ERROR_WINHTTP_NAME_NOT_RESOLVED:
		s = "cannot find the server (its name does not resolve)";
		break;
	case ERROR_WINHTTP_CANNOT_CONNECT:
		s = "cannot connect to the server";
		break;
	case ERROR_WINHTTP_CONNECTION_ERROR:
		s = "the connection to the server broke";
		break;
	case ERROR_WINHTTP_INVALID_SERVER_RESPONSE:
		s = "the server's answer is not HTTP";
		break;
	case ERROR_WINHTTP_INVALID_URL:
	case ERROR_WINHTTP_UNRECOGNIZED_SCHEME:
		s = "not an http or https URL";
		break;
	case ERROR_WINHTTP_OPERATION_CANCELLED:
		s = "cancelled";
		break;
	case ERROR_WINHTTP_AUTODETECTION_FAILED:
	case ERROR_WINHTTP_AUTO_PROXY_SERVICE_ERROR:
	case ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT:
	case ERROR_WINHTTP_BAD_AUTO_PROXY_SCRIPT:
		s = "cannot use the system's proxy settings";
		break;
	case ERROR_WINHTTP_SECURE_INVALID_CA:
		s = "the server's certificate is not trusted";
		break;
	case ERROR_WINHTTP_SECURE_CERT_CN_INVALID:
		s = "the server's certificate is for another name";
		break;
	case ERROR_WINHTTP_SECURE_CERT_DATE_INVALID:
		s = "the server's certificate has expired or is not valid yet";
		break;
	case ERROR_WINHTTP_SECURE_CERT_REVOKED:
		s = "the server's certificate has been revoked";
		break;
	case ERROR_WINHTTP_SECURE_CERT_REV_FAILED:
		s = "cannot check whether the server's certificate was revoked";
		break;
	case ERROR_WINHTTP_SECURE_INVALID_CERT:
		s = "the server's certificate is not valid";
		break;
	case ERROR_WINHTTP_SECURE_CHANNEL_ERROR:
		s = "the secure connection (TLS) failed";
		break;
	case ERROR_WINHTTP_SECURE_FAILURE:
		/* the callback told which, in a run that is synchronous */
		if (tls_flags & WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CA)
			s = "the server's certificate is not trusted";
		else if (tls_flags & WINHTTP_CALLBACK_STATUS_FLAG_CERT_CN_INVALID)
			s = "the server's certificate is for another name";
		else if (tls_flags & WINHTTP_CALLBACK_STATUS_FLAG_CERT_DATE_INVALID)
			s = "the server's certificate has expired or is not valid yet";
		else if (tls_flags & WINHTTP_CALLBACK_STATUS_FLAG_CERT_REVOKED)
			s = "the server's certificate has been revoked";
		else if (tls_flags & WINHTTP_CALLBACK_STATUS_FLAG_CERT_REV_FAILED)
			s = "cannot check whether the server's certificate was revoked";
		else if (tls_flags & WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CERT)
			s = "the server's certificate is not valid";
		else
			s = "the secure connection (TLS) failed";
		break;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
		s = "out of memory";
		break;
	default:
		break;
	}
	if (s != NULL)
		snprintf(out, outsz, "%s", s);
	else
		snprintf(out, outsz, "HTTP failed (WinHTTP error %lu)", (unsigned long)e);
}

/* WinHTTP tells why TLS failed only here, before the call fails. */
static void CALLBACK
on_status(HINTERNET hi, DWORD_PTR ctx, DWORD status, LPVOID info, DWORD len)
{
	struct win_run *run = (struct win_run *)ctx;

	(void)hi;
	if (run != NULL && status == WINHTTP_CALLBACK_STATUS_SECURE_FAILURE && info != NULL &&
	    len >= sizeof(DWORD))
		run->tls_flags = *(const DWORD *)info;
}

/* Puts c on the done list; under the lock. */
static void
done_add(struct http *h, struct win_req *c)
{
	c->done = 1;
	c->next_done = NULL;
	if (h->done_tail != NULL)
		h->done_tail->next_done = c;
	else
		h->done = c;
	h->done_tail = c;
	SetEvent(h->done_ev);
}

/* Takes c off the done list; under the lock. */
static void
done_remove(struct http *h, struct win_req *c)
{
	struct win_req **pp, *prev = NULL;

	for (pp = &h->done; *pp != NULL; prev = *pp, pp = &(*pp)->next_done)
		if (*pp == c) {
			*pp = c->next_done;
			if (h->done_tail == c)
				h->done_tail = prev;
			break;
		}
	c->done = 0;
	if (h->done == NULL)
		ResetEvent(h->done_ev);
}

/*
 * One run, on its own thread: send, receive, read the body up to max_resp,
 * then, unless let go of, the answer into the request and the request onto
 * the done list. max_resp is read under the lock: the request may be gone.
 */
static unsigned __stdcall
run_thread(void *arg)
{
	struct win_run	*run = arg;
	struct http	*h = run->h;
	struct win_req	*c;
	struct http_req	*r;
	DWORD		 e = 0, status = 0, len, avail, got;
	wchar_t		 ra[64] = L"";
	size_t		 max;
	int		 too_large = 0, last = 0;

	AcquireSRWLockExclusive(&lock);
	max = run->c != NULL ? run->c->r->max_resp : 0;
	ReleaseSRWLockExclusive(&lock);
	if (!WinHttpSendRequest(run->req, run->hdrs ? run->hdrs : WINHTTP_NO_ADDITIONAL_HEADERS,
	    run->hdrs ? (DWORD)-1L : 0, run->body ? run->body : WINHTTP_NO_REQUEST_DATA,
	    (DWORD)run->body_len, (DWORD)run->body_len, (DWORD_PTR)run) ||
	    !WinHttpReceiveResponse(run->req, NULL)) {
		e = GetLastError();
		goto out;
	}
	len = sizeof(status);
	if (!WinHttpQueryHeaders(run->req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
	    WINHTTP_HEADER_NAME_BY_INDEX, &status, &len, WINHTTP_NO_HEADER_INDEX)) {
		e = GetLastError();
		goto out;
	}
	len = sizeof(ra) - sizeof(ra[0]);
	if (!WinHttpQueryHeaders(run->req, WINHTTP_QUERY_RETRY_AFTER,
	    WINHTTP_HEADER_NAME_BY_INDEX, ra, &len, WINHTTP_NO_HEADER_INDEX))
		ra[0] = L'\0';
	for (;;) {
		if (!WinHttpQueryDataAvailable(run->req, &avail)) {
			e = GetLastError();
			goto out;
		}
		if (avail == 0)
			break;
		if (run->resp.len + avail > max) {
			too_large = 1;
			goto out;
		}
		if (buf_grow(&run->resp, avail) < 0) {
			e = ERROR_NOT_ENOUGH_MEMORY;
			goto out;
		}
		if (!WinHttpReadData(run->req, run->resp.p + run->resp.len, avail, &got)) {
			e = GetLastError();
			goto out;
		}
		if (got == 0)
			break;
		run->resp.len += got;
		run->resp.p[run->resp.len] = '\0';
	}
out:
	WinHttpCloseHandle(run->req);
	AcquireSRWLockExclusive(&lock);
	if ((c = run->c) != NULL) {
		struct buf tmp;

		r = c->r;
		/* the answer changes hands: the caller's buffer is the run's to free */
		tmp = r->resp;
		r->resp = run->resp;
		run->resp = tmp;
		if (r->resp.p == NULL)
			buf_add(&r->resp, "", 0);
		if (too_large)
			snprintf(r->error, sizeof(r->error), "answer larger than %zu bytes",
			    r->max_resp);
		else if (e != 0)
			win_error(run->tls_flags, e, r->error, sizeof(r->error));
		else {
			r->status = (long)status;
			if (WideCharToMultiByte(CP_UTF8, 0, ra, -1, r->retry_after,
			    sizeof(r->retry_after), NULL, NULL) == 0)
				r->retry_after[0] = '\0';
		}
		c->run = NULL;
		done_add(h, c);
	}
	last = --h->threads == 0 && h->closed;
	ReleaseSRWLockExclusive(&lock);
	if (last)
		http_free(h);
	buf_free(&run->resp);
	free(run->body);
	free(run->hdrs);
	free(run);
	return 0;
}

/* Milliseconds for WinHTTP's timeouts: at least 1 (0 would mean never). */
static int
ms(double s)
{
	if (!(s > 0))
		return 0;
	if (s > 86400)
		return 86400000;
	return (int)ceil(s * 1000) > 0 ? (int)ceil(s * 1000) : 1;
}

/*
 * Readies the request's URL, connect handle and headers for a run. Returns
 * 1, or -1 with r->error filled.
 */
static int
prepare(struct http *h, struct win_req *c, struct http_req *r)
{
	URL_COMPONENTS	 u;
	wchar_t		*url, *host = NULL, *frag;
	size_t		 n, plen;
	int		 rc = -1;

	if ((url = utf8_to_w(r->url, 0)) == NULL) {
		snprintf(r->error, sizeof(r->error), "not a URL: %s", r->url);
		return -1;
	}
	memset(&u, 0, sizeof(u));
	u.dwStructSize = sizeof(u);
	u.dwHostNameLength = (DWORD)-1;
	u.dwUrlPathLength = (DWORD)-1;
	u.dwExtraInfoLength = (DWORD)-1;
	if (!WinHttpCrackUrl(url, 0, 0, &u) || u.dwHostNameLength == 0 ||
	    (u.nScheme != INTERNET_SCHEME_HTTP && u.nScheme != INTERNET_SCHEME_HTTPS)) {
		snprintf(r->error, sizeof(r->error), "not an http or https URL: %s", r->url);
		goto out;
	}
	if ((host = malloc((u.dwHostNameLength + 1) * sizeof(*host))) == NULL)
		goto nomem;
	memcpy(host, u.lpszHostName, u.dwHostNameLength * sizeof(*host));
	host[u.dwHostNameLength] = L'\0';
	/* the path and the query; a fragment is the browser's */
	plen = u.dwUrlPathLength + u.dwExtraInfoLength;
	free(c->path);
	if ((c->path = malloc((plen + 2) * sizeof(*c->path))) == NULL)
		goto nomem;
	n = 0;
	if (u.dwUrlPathLength == 0 || u.lpszUrlPath[0] != L'/')
		c->path[n++] = L'/';
	memcpy(c->path + n, u.lpszUrlPath, u.dwUrlPathLength * sizeof(*c->path));
	n += u.dwUrlPathLength;
	memcpy(c->path + n, u.lpszExtraInfo, u.dwExtraInfoLength * sizeof(*c->path));
	n += u.dwExtraInfoLength;
	c->path[n] = L'\0';
	if ((frag = wcschr(c->path, L'#')) != NULL)
		*frag = L'\0';

	/* the same server keeps its connect handle; another gets a new one */
	if (c->conn != NULL && (c->port != u.nPort || wcscmp(c->host, host) != 0)) {
		WinHttpCloseHandle(c->conn);
		c->conn = NULL;
	}
	if (c->conn == NULL) {
		if ((c->conn = WinHttpConnect(h->session, host, u.nPort, 0)) == NULL) {
			win_error(0, GetLastError(), r->error, sizeof(r->error));
			goto out;
		}
		free(c->host);
		c->host = host;
		host = NULL;
		c->port = u.nPort;
	}
	c->secure = u.nScheme == INTERNET_SCHEME_HTTPS;

	free(c->hdrs);
	c->hdrs = NULL;
	if (r->headers[0] != NULL) {
		struct buf b = { 0 };
		for (size_t i = 0; i < HTTP_MAX_HEADERS && r->headers[i] != NULL; i++)
			if (buf_puts(&b, r->headers[i]) < 0 || buf_puts(&b, "\r\n") < 0) {
				buf_free(&b);
				goto nomem;
			}
		c->hdrs = utf8_to_w(b.p, 0);
		buf_free(&b);
		if (c->hdrs == NULL)
			goto nomem;
	}
	rc = 1;
	goto out;
nomem:
	snprintf(r->error, sizeof(r->error), "out of memory");
out:
	free(host);
	free(url);
	return rc;
}

int
http_start(struct http *h, struct http_req *r)
{
	struct win_req	*c = r->impl;
	struct win_run	*run;
	HANDLE		 th;
	DWORD		 opt;
	DWORD_PTR	 ctx;

	r->status = 0;
	r->error[0] = '\0';
	r->retry_after[0] = '\0';
	if (r->running) {
		snprintf(r->error, sizeof(r->error), "the request is running");
		return -1;
	}
	buf_reset(&r->resp);
	if (r->body != NULL && r->body_len > 0xffffffffu) {
		snprintf(r->error, sizeof(r->error), "request body too large");
		return -1;
	}
	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			snprintf(r->error, sizeof(r->error), "out of memory");
			return -1;
		}
		c->r = r;
		c->h = h;
		c->next = h->all;
		h->all = c;
		r->impl = c;
	}
	if (prepare(h, c, r) < 0)
		return -1;
	if ((run = calloc(1, sizeof(*run))) == NULL)
		goto nomem;
	run->h = h;
	if (r->body != NULL && r->body_len > 0) {
		if ((run->body = malloc(r->body_len)) == NULL)
			goto nomem;
		memcpy(run->body, r->body, r->body_len);
		run->body_len = r->body_len;
	}
	if (c->hdrs != NULL && (run->hdrs = _wcsdup(c->hdrs)) == NULL)
		goto nomem;
	run->req = WinHttpOpenRequest(c->conn, r->body != NULL ? L"POST" : L"GET", c->path,
	    NULL, WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES,
	    c->secure ? WINHTTP_FLAG_SECURE : 0);
	if (run->req == NULL) {
		win_error(0, GetLastError(), r->error, sizeof(r->error));
		goto fail;
	}
	WinHttpSetTimeouts(run->req, ms(r->connect_timeout), ms(r->connect_timeout),
	    ms(r->timeout), ms(r->timeout));
	/* the wait for the answer's head has a timeout of its own */
	opt = (DWORD)ms(r->timeout);
	WinHttpSetOption(run->req, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &opt, sizeof(opt));
	/* as libcurl's default: a redirect is an answer, not followed */
	opt = WINHTTP_OPTION_REDIRECT_POLICY_NEVER;
	WinHttpSetOption(run->req, WINHTTP_OPTION_REDIRECT_POLICY, &opt, sizeof(opt));
	ctx = (DWORD_PTR)run;
	WinHttpSetOption(run->req, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, sizeof(ctx));
	WinHttpSetStatusCallback(run->req, on_status, WINHTTP_CALLBACK_FLAG_SECURE_FAILURE, 0);
	c->deadline = r->timeout > 0 ? time_mono() + r->timeout : 0;

	AcquireSRWLockExclusive(&lock);
	run->c = c;
	c->run = run;
	h->threads++;
	ReleaseSRWLockExclusive(&lock);
	if ((th = (HANDLE)_beginthreadex(NULL, 0, run_thread, run, 0, NULL)) == NULL) {
		AcquireSRWLockExclusive(&lock);
		c->run = NULL;
		h->threads--;
		ReleaseSRWLockExclusive(&lock);
		WinHttpCloseHandle(run->req);
		snprintf(r->error, sizeof(r->error), "cannot start a thread for the request");
		goto fail;
	}
	CloseHandle(th);	/* nobody joins it: the run frees itself */
	r->running = 1;
	return 1;
nomem:
	snprintf(r->error, sizeof(r->error), "out of memory");
fail:
	if (run != NULL) {
		free(run->body);
		free(run->hdrs);
		free(run);
	}
	return -1;
}

/*
 * Lets go of c's run, if any, and takes it off the done list; with reason,
 * the request ends now with that error (the whole-request timeout).
 * Under the lock. Returns whether a run was let go of.
 */
static int
let_go(struct http *h, struct win_req *c)
{
	if (c->done)
		done_remove(h, c);
	if (c->run == NULL)
		return 0;
	c->run->c = NULL;
	c->run = NULL;
	return 1;
}

void
http_cancel(struct http *h, struct http_req *r)
{
	struct win_req *c = r->impl;

	if (c != NULL) {
		AcquireSRWLockExclusive(&lock);
		let_go(h, c);
		ReleaseSRWLockExclusive(&lock);
	}
	r->running = 0;
}

void
http_req_free(struct http *h, struct http_req *r)
{
	struct win_req *c = r->impl, **pp;

	http_cancel(h, r);
	if (c != NULL) {
		for (pp = &h->all; *pp != NULL; pp = &(*pp)->next)
			if (*pp == c) {
				*pp = c->next;
				break;
			}
		/* a run let go of holds its own reference through its request handle */
		if (c->conn != NULL)
			WinHttpCloseHandle(c->conn);
		free(c->host);
		free(c->path);
		free(c->hdrs);
		free(c);
	}
	r->impl = NULL;
	buf_free(&r->resp);
}

/*
 * WinHTTP has timeouts for each step but none for a whole request: a run
 * past its deadline is let go of here and its request ends "timed out".
 * Returns the seconds to the next deadline, or timeout if that is sooner.
 */
static double
timeouts(struct http *h, double timeout)
{
	double now = time_mono();

	AcquireSRWLockExclusive(&lock);
	for (struct win_req *c = h->all; c != NULL; c = c->next) {
		if (c->run == NULL || c->deadline <= 0)
			continue;
		if (now >= c->deadline) {
			let_go(h, c);
			c->r->status = 0;
			snprintf(c->r->error, sizeof(c->r->error), "timed out");
			done_add(h, c);
		} else if (c->deadline - now < timeout)
			timeout = c->deadline - now;
	}
	ReleaseSRWLockExclusive(&lock);
	return timeout;
}

/*
 * Waits for a run to end, a datagram on one of the sockets, or timeout.
 * Each socket is tied to an event with WSAEventSelect() for the wait, which
 * signals at once when a datagram already waits, and untied afterwards.
 * WSAEventSelect() makes a socket non-blocking and untying leaves it so;
 * the game's sockets are non-blocking from os_udp_open() anyway.
 */
void
http_wait(struct http *h, const os_sock *socks, unsigned n, double timeout)
{
	HANDLE		 ev[MAXIMUM_WAIT_OBJECTS];
	unsigned	 of[MAXIMUM_WAIT_OBJECTS], tied = 0;

	timeout = timeouts(h, timeout);
	if (n > WAIT_SOCKS)
		n = WAIT_SOCKS;
	ev[0] = h->done_ev;
	for (unsigned i = 0; i < n; i++) {
		if ((ev[1 + tied] = WSACreateEvent()) == WSA_INVALID_EVENT)
			break;
		if (WSAEventSelect((SOCKET)socks[i], ev[1 + tied], FD_READ) != 0) {
			WSACloseEvent(ev[1 + tied]);
			continue;
		}
		of[1 + tied++] = i;
	}
	WaitForMultipleObjects(1 + tied, ev, FALSE, timeout > 0 ? (DWORD)ms(timeout) : 0);
	for (unsigned t = 1; t <= tied; t++) {
		WSAEventSelect((SOCKET)socks[of[t]], NULL, 0);
		WSACloseEvent(ev[t]);
	}
	timeouts(h, 0);
}

struct http_req *
http_done(struct http *h)
{
	struct win_req *c;

	AcquireSRWLockExclusive(&lock);
	if ((c = h->done) != NULL)
		done_remove(h, c);
	ReleaseSRWLockExclusive(&lock);
	if (c == NULL)
		return NULL;
	c->r->running = 0;
	return c->r;
}
