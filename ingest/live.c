/*
 * Server-sent events for the live views, served by trackside-ingestd on a
 * unix socket in the worker's epoll loop (see live.h for the protocol).
 *
 * Each channel (one per session, one for the live sessions list) keeps the
 * state its viewers see (a view of lib/view.c) and a ring of the last
 * events, each serialised once. A subscriber is a cursor into that ring
 * plus a small buffer for what is its own (the HTTP header, a snapshot);
 * writing is one writev from the ring per subscriber and wakeup, so a
 * viewer costs no copy and a slow viewer holds nothing but its cursor.
 *
 * Event ids are "<boot>-<seq>": boot tells one run of the daemon from the
 * next, seq grows by one per event across all channels. A reconnect with
 * Last-Event-ID "<boot>-<seq>" of this run gets the events after seq when
 * the channel still holds them, otherwise a fresh snapshot.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest.h"
#include "live.h"
#include "track.h"
#include "view.h"

#define LIVE_ID_MAX	64
#define LIVE_REQ_MAX	8192
#define LIVE_IOV	64
#define LIVE_REQ_TIMEOUT 10.0	/* s to send the request headers */
#define LIVE_LINGER	600.0	/* s an ended channel without viewers is kept */
#define LIVE_LIST_REMAINING 15.0 /* s of drift in "remaining" worth a list event */
#define LIVE_ACCEPT_MAX	32	/* connections accepted per loop turn: the worker gets its turn */
#define LIVE_FD_RESERVE	64	/* descriptors kept for the worker (database, inbox, logs) */
#define LIVE_RETRY_AFTER 5	/* s a refused viewer is asked to wait */
#define LIVE_FD_LOG	60.0	/* s between log lines about refused viewers */
#define LIVE_PAUSE	1.0	/* s the socket is not watched when no descriptor is left */
#define LIVE_STR_(x)	#x
#define LIVE_STR(x)	LIVE_STR_(x)

const char *const live_note_names[LN__MAX] = {
	"session", "car", "lap", "pit", "chat", "link", "drop", "map", "entry",
};

enum conn_kind { CONN_LISTEN, CONN_HTTP, CONN__MAX };

/* One serialised event: "id: ..\nevent: ..\ndata: ..\n\n". */
struct live_ev {
	unsigned long long	 seq;
	char			*text;
	size_t			 len;
};

struct live_lapnote {
	long long	 car;
	long long	 lap;
};

/* What the running transaction changed in one channel. */
struct live_pend {
	int			 any, header, map, entry, drop;
	char			 next[LIVE_ID_MAX + 1];
	long long		*cars;
	size_t			 ncars, capcars;
	struct live_lapnote	*laps;
	size_t			 nlaps, caplaps;
	long long		*pits;
	size_t			 npits, cappits;
	cJSON			*chat;
};

struct conn;

struct live_chan {
	struct live_chan	*next;
	char			 id[LIVE_ID_MAX + 1];	/* "" for the sessions list */
	cJSON			*state;		/* what a snapshot sends */
	struct live_ev		*ring;
	size_t			 cap, head, n, bytes;
	unsigned long long	 base;		/* index of ring[head] among the channel's events */
	unsigned long long	 floor;		/* resume only from ids >= floor */
	struct conn		*subs;
	size_t			 nsubs;
	char			*snap;		/* cached snapshot event */
	size_t			 snaplen;
	size_t			 snapmax;	/* size of the latest snapshot, cached or not */
	struct live_pend	 p;
	int			 dirty;		/* events to write */
	double			 ended_at;	/* 0 while live */
};

struct conn {
	enum conn_kind		 kind;		/* first: the epoll tag */
	int			 fd;
	struct live		*hub;
	struct conn		*next, *prev;	/* every connection */
	struct conn		*snext, *sprev;	/* subscribers of ch */
	struct live_chan	*ch;
	char			*req;
	size_t			 reqlen;
	struct buf		 out;		/* own bytes, sent before the ring */
	size_t			 off;
	unsigned long long	 cursor;	/* next ring event to send */
	size_t			 evoff;		/* bytes of it already sent */
	int			 armed, closing;
	double			 since, last_write;
};

struct live {
	struct conn		 listener;
	int			 ep;
	char			*path;
	struct view		 view;
	struct live_conf	 conf;
	unsigned long long	 boot, seq;
	struct live_chan	*list;
	struct live_chan	*chans;
	struct conn		*conns;
	size_t			 nconns;
	struct live_stats	 st;
	double			 now;
	int			 spare;		/* a descriptor given up to refuse a viewer */
	double			 paused_until;	/* listener out of epoll until then */
	long long		 refused_log;	/* refused since the last log line */
	double			 refused_logged;
};

static void	 conn_close(struct conn *);
static void	 conn_flush(struct conn *);

/* ---- channels and their rings ---- */

static struct live_chan *
chan_find(struct live *h, const char *id)
{
	for (struct live_chan *c = h->chans; c != NULL; c = c->next)
		if (strcmp(c->id, id) == 0)
			return c;
	return NULL;
}

/* A new channel, not linked anywhere, or NULL. */
static struct live_chan *
chan_new(struct live *h, const char *id)
{
	struct live_chan *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->ring = calloc(h->conf.ring, sizeof(*c->ring))) == NULL) {
		free(c);
		return NULL;
	}
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->cap = h->conf.ring;
	c->floor = h->seq;
	return c;
}

static void
pend_reset(struct live_pend *p)
{
	p->any = p->header = p->map = p->entry = p->drop = 0;
	p->next[0] = '\0';
	p->ncars = p->nlaps = p->npits = 0;
	cJSON_Delete(p->chat);
	p->chat = NULL;
}

static void
chan_free(struct live_chan *c)
{
	if (c == NULL)
		return;
	while (c->subs != NULL)
		conn_close(c->subs);
	for (size_t i = 0; i < c->n; i++)
		free(c->ring[(c->head + i) % c->cap].text);
	free(c->ring);
	free(c->snap);
	cJSON_Delete(c->state);
	pend_reset(&c->p);
	free(c->p.cars);
	free(c->p.laps);
	free(c->p.pits);
	free(c);
}

static struct live_ev *
chan_ev(struct live *h, struct live_chan *c, unsigned long long idx)
{
	return &c->ring[(c->head + (size_t)(idx - c->base)) % h->conf.ring];
}

/*
 * Drops the oldest event of the channel. A subscriber in the middle of it
 * keeps the rest in its own buffer; one that had not started it is now
 * behind and gets a snapshot when it next writes.
 */
static void
chan_evict(struct live *h, struct live_chan *c)
{
	struct live_ev *e = &c->ring[c->head];

	for (struct conn *s = c->subs; s != NULL; s = s->snext)
		if (s->cursor == c->base && s->evoff > 0) {
			buf_add(&s->out, e->text + s->evoff, e->len - s->evoff);
			s->cursor++;
			s->evoff = 0;
		}
	if (e->seq > c->floor)
		c->floor = e->seq;
	c->bytes -= e->len;
	free(e->text);
	e->text = NULL;
	c->head = (c->head + 1) % h->conf.ring;
	c->n--;
	c->base++;
}

/*
 * Publishes an event on a channel: gives it the next id, serialises it
 * once and keeps it in the ring. Takes data (may be NULL: "{}").
 */
static int
chan_publish(struct live *h, struct live_chan *c, const char *name, cJSON *data)
{
	struct buf	 b = { 0 };
	char		*js = data ? cJSON_PrintUnformatted(data) : NULL;
	int		 rc = -1;

	cJSON_Delete(data);
	if (data != NULL && js == NULL)
		return -1;
	h->seq++;
	if (buf_printf(&b, "id: %llu-%llu\nevent: %s\ndata: %s\n\n", h->boot, h->seq, name,
	    js ? js : "{}") < 0)
		goto out;
	while (c->n > 0 && (c->n == h->conf.ring || c->bytes + b.len > h->conf.ring_bytes))
		chan_evict(h, c);
	struct live_ev *e = &c->ring[(c->head + c->n) % h->conf.ring];
	e->seq = h->seq;
	e->text = b.p;
	e->len = b.len;
	c->bytes += b.len;
	c->n++;
	b.p = NULL;
	free(c->snap);
	c->snap = NULL;
	c->dirty = 1;
	h->st.events++;
	rc = 1;
out:
	free(js);
	buf_free(&b);
	return rc;
}

/* The channel's snapshot event (cached until the next event), or NULL. */
static const char *
chan_snapshot(struct live *h, struct live_chan *c, size_t *len)
{
	struct buf	 b = { 0 };
	char		*js;
	cJSON		*data;

	if (c->snap != NULL) {
		*len = c->snaplen;
		return c->snap;
	}
	if (c->id[0] == '\0') {
		data = cJSON_CreateObject();
		cJSON_AddItemReferenceToObject(data, "sessions", c->state);
		js = cJSON_PrintUnformatted(data);
		cJSON_Delete(data);
	} else {
		view_marks(c->state);
		js = cJSON_PrintUnformatted(c->state);
	}
	if (js == NULL)
		return NULL;
	if (buf_printf(&b, "id: %llu-%llu\nevent: snapshot\ndata: %s\n\n", h->boot, h->seq,
	    js) < 0) {
		free(js);
		buf_free(&b);
		return NULL;
	}
	free(js);
	c->snap = b.p;
	c->snaplen = c->snapmax = b.len;
	*len = b.len;
	return c->snap;
}

/* ---- connections ---- */

static int
conn_arm(struct conn *s, int out)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | (out ? EPOLLOUT : 0),
	    .data.ptr = s };

	if (s->armed == out)
		return 1;
	s->armed = out;
	return epoll_ctl(s->hub->ep, EPOLL_CTL_MOD, s->fd, &ev) < 0 ? -1 : 1;
}

static void
conn_unsub(struct conn *s)
{
	struct live_chan *c = s->ch;

	if (c == NULL)
		return;
	if (s->sprev)
		s->sprev->snext = s->snext;
	else
		c->subs = s->snext;
	if (s->snext)
		s->snext->sprev = s->sprev;
	c->nsubs--;
	s->ch = NULL;
	s->hub->st.subscribers--;
}

static void
conn_close(struct conn *s)
{
	struct live *h = s->hub;

	conn_unsub(s);
	epoll_ctl(h->ep, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	if (s->prev)
		s->prev->next = s->next;
	else
		h->conns = s->next;
	if (s->next)
		s->next->prev = s->prev;
	h->nconns--;
	h->st.conns--;
	buf_free(&s->out);
	free(s->req);
	free(s);
}

/* Answers an HTTP error with a JSON body and closes after writing it. */
static void
conn_error(struct conn *s, int status, const char *reason, const char *code, const char *msg)
{
	struct buf body = { 0 };

	buf_printf(&body, "{\"error\":\"%s\",\"message\":\"%s\"}\n", code, msg);
	buf_printf(&s->out, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\nConnection: close\r\n%s\r\n%s",
	    status, reason, body.len, status == 503 ? "Retry-After: " LIVE_STR(LIVE_RETRY_AFTER)
	    "\r\n" : "", body.p ? body.p : "");
	buf_free(&body);
	s->closing = 1;
	s->hub->st.rejected++;
	conn_flush(s);
}

/*
 * Writes what the subscriber has pending: its own bytes, then the ring from
 * its cursor, in one writev at a time until the socket is full. A
 * subscriber left behind by the ring gets a fresh snapshot; one with too
 * much unsent is dropped.
 */
static void
conn_flush(struct conn *s)
{
	struct live		*h = s->hub;
	struct live_chan	*c = s->ch;
	struct iovec		 iov[LIVE_IOV];

	if (c != NULL && s->cursor < c->base) {
		size_t len;
		const char *snap = chan_snapshot(h, c, &len);
		if (snap == NULL) {
			conn_close(s);
			return;
		}
		buf_add(&s->out, snap, len);
		s->cursor = c->base + c->n;
		s->evoff = 0;
		h->st.resets++;
	}
	for (;;) {
		int n = 0;
		if (s->off < s->out.len) {
			iov[n].iov_base = s->out.p + s->off;
			iov[n++].iov_len = s->out.len - s->off;
		}
		for (unsigned long long i = s->cursor; c != NULL && n < LIVE_IOV &&
		    i < c->base + c->n; i++) {
			struct live_ev *e = chan_ev(h, c, i);
			size_t skip = i == s->cursor && s->off >= s->out.len ? s->evoff : 0;
			iov[n].iov_base = e->text + skip;
			iov[n++].iov_len = e->len - skip;
		}
		if (n == 0) {
			if (s->closing) {
				conn_close(s);
				return;
			}
			conn_arm(s, 0);
			return;
		}
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)n };
		ssize_t w = sendmsg(s->fd, &mh, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* its own bytes (snapshots) pile up only when it does not read */
				if (s->out.len - s->off > h->conf.max_out + (c ? c->snapmax : 0)) {
					h->st.dropped++;
					conn_close(s);
					return;
				}
				conn_arm(s, 1);
				return;
			}
			conn_close(s);
			return;
		}
		s->last_write = h->now;
		size_t left = (size_t)w;
		if (s->off < s->out.len) {
			size_t k = s->out.len - s->off < left ? s->out.len - s->off : left;
			s->off += k;
			left -= k;
			if (s->off == s->out.len) {
				buf_reset(&s->out);
				s->off = 0;
			}
		}
		while (left > 0 && c != NULL) {
			struct live_ev *e = chan_ev(h, c, s->cursor);
			size_t k = e->len - s->evoff < left ? e->len - s->evoff : left;
			s->evoff += k;
			left -= k;
			if (s->evoff == e->len) {
				s->cursor++;
				s->evoff = 0;
			}
		}
	}
}

/* Adds the subscriber to a channel after the response header. */
static void
conn_subscribe(struct conn *s, struct live_chan *c, int resume, unsigned long long after)
{
	struct live *h = s->hub;

	buf_puts(&s->out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
	    "Cache-Control: no-cache, no-store\r\nX-Accel-Buffering: no\r\n"
	    "Connection: close\r\n\r\nretry: 2000\n\n");
	s->ch = c;
	s->snext = c->subs;
	s->sprev = NULL;
	if (c->subs)
		c->subs->sprev = s;
	c->subs = s;
	c->nsubs++;
	h->st.subscribers++;
	if (resume) {
		unsigned long long i = c->base;
		while (i < c->base + c->n && chan_ev(h, c, i)->seq <= after)
			i++;
		s->cursor = i;
		h->st.resumes++;
	} else {
		size_t len;
		const char *snap = chan_snapshot(h, c, &len);
		if (snap == NULL) {
			conn_close(s);
			return;
		}
		buf_add(&s->out, snap, len);
		s->cursor = c->base + c->n;
		h->st.snapshots++;
	}
	free(s->req);
	s->req = NULL;
	conn_flush(s);
}

/* The value of header name in the request (NUL-terminated copy), or NULL. */
static const char *
req_header(const char *req, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name);

	for (const char *p = strstr(req, "\r\n"); p != NULL; p = strstr(p, "\r\n")) {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1, *e = strstr(v, "\r\n");
			while (*v == ' ' || *v == '\t')
				v++;
			size_t n = e ? (size_t)(e - v) : strlen(v);
			while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			if (n >= outsz)
				return NULL;
			memcpy(out, v, n);
			out[n] = '\0';
			return out;
		}
	}
	return NULL;
}

/*
 * Parses a Last-Event-ID of the form "<boot>-<seq>". Returns 1, 0 when it
 * is malformed.
 */
static int
parse_event_id(const char *s, unsigned long long *boot, unsigned long long *seq)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return 0;
	errno = 0;
	*boot = strtoull(s, &end, 10);
	if (errno || *end != '-' || !isdigit((unsigned char)end[1]))
		return 0;
	*seq = strtoull(end + 1, &end, 10);
	return errno == 0 && *end == '\0';
}

/* Loads a session channel's state. Returns 1, 0 no such session, -1. */
static int
chan_load(struct live *h, struct live_chan *c)
{
	cJSON *o;
	int rc;

	if ((rc = view_session(&h->view, c->id, &o)) <= 0) {
		if (rc < 0)
			log_err("live: session %s: %s", c->id, sqlite3_errmsg(h->view.db));
		return rc;
	}
	cJSON_Delete(c->state);
	c->state = o;
	cJSON *live = cJSON_GetObjectItemCaseSensitive(o, "live");
	if (!cJSON_IsTrue(live))
		c->ended_at = h->now;
	return 1;
}

/* The channel of a session, created and loaded when needed. */
static int
chan_get(struct live *h, const char *id, struct live_chan **out)
{
	struct live_chan *c = chan_find(h, id);
	int rc;

	*out = NULL;
	if (c == NULL) {
		if ((c = chan_new(h, id)) == NULL)
			return -1;
		if ((rc = chan_load(h, c)) <= 0) {
			chan_free(c);
			return rc;
		}
		c->next = h->chans;
		h->chans = c;
	}
	*out = c;
	return 1;
}

/* Handles a complete request head: routes it and subscribes or answers. */
static void
conn_request(struct conn *s)
{
	struct live		*h = s->hub;
	struct live_chan	*c;
	char			 path[256], idbuf[128], *sp;
	const char		*lei;
	unsigned long long	 boot = 0, seq = 0;
	int			 resume = 0, rc;

	if (strncmp(s->req, "GET ", 4) != 0) {
		conn_error(s, 405, "Method Not Allowed", "method_not_allowed",
		    "Live views take GET.");
		return;
	}
	sp = strchr(s->req + 4, ' ');
	if (sp == NULL || (size_t)(sp - (s->req + 4)) >= sizeof(path)) {
		conn_error(s, 400, "Bad Request", "bad_request", "The request line is malformed.");
		return;
	}
	memcpy(path, s->req + 4, (size_t)(sp - (s->req + 4)));
	path[sp - (s->req + 4)] = '\0';
	if ((sp = strchr(path, '?')) != NULL)
		*sp = '\0';
	if ((lei = req_header(s->req, "Last-Event-ID", idbuf, sizeof(idbuf))) != NULL &&
	    lei[0] != '\0') {
		if (!parse_event_id(lei, &boot, &seq)) {
			conn_error(s, 400, "Bad Request", "bad_last_event_id",
			    "Last-Event-ID is not an id this server sent.");
			return;
		}
	}
	if (strcmp(path, "/live/sessions") == 0)
		c = h->list;
	else if (strncmp(path, "/live/sessions/", 15) == 0) {
		const char *id = path + 15;
		if (!id_valid(id, 1, LIVE_ID_MAX)) {
			conn_error(s, 404, "Not Found", "not_found", "There is no such session.");
			return;
		}
		if ((rc = chan_get(h, id, &c)) <= 0) {
			if (rc == 0)
				conn_error(s, 404, "Not Found", "not_found", "There is no such session.");
			else
				conn_error(s, 503, "Service Unavailable", "unavailable",
				    "The session cannot be read now.");
			return;
		}
	} else {
		conn_error(s, 404, "Not Found", "not_found", "There is nothing at this address.");
		return;
	}
	if (lei != NULL && lei[0] != '\0' && boot == h->boot && seq >= c->floor && seq <= h->seq)
		resume = 1;
	conn_subscribe(s, c, resume, seq);
}

/* Reads request bytes; at the end of the head, handles it. */
static void
conn_read(struct conn *s)
{
	char	 tmp[1024];
	ssize_t	 n;

	for (;;) {
		if (s->req == NULL) {
			/* subscribed: nothing more is expected; EOF means gone */
			n = read(s->fd, tmp, sizeof(tmp));
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				conn_close(s);
				return;
			}
			if (n < 0)
				return;
			continue;
		}
		n = read(s->fd, s->req + s->reqlen, LIVE_REQ_MAX - 1 - s->reqlen);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_close(s);
			return;
		}
		if (n < 0)
			return;
		s->reqlen += (size_t)n;
		s->req[s->reqlen] = '\0';
		if (strstr(s->req, "\r\n\r\n") != NULL) {
			conn_request(s);
			return;
		}
		if (s->reqlen >= LIVE_REQ_MAX - 1) {
			free(s->req);
			s->req = NULL;
			conn_error(s, 431, "Request Header Fields Too Large", "too_large",
			    "The request head is too large.");
			return;
		}
	}
}

/* The answer to a viewer over the cap. */
#define LIVE_BUSY_BODY "{\"error\":\"busy\",\"message\":\"Too many live viewers; try again shortly.\"}\n"
_Static_assert(sizeof(LIVE_BUSY_BODY) - 1 == 71, "Content-Length of the busy answer");
static const char live_busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json\r\nContent-Length: 71\r\nCache-Control: no-store\r\n"
    "Retry-After: " LIVE_STR(LIVE_RETRY_AFTER) "\r\nConnection: close\r\n\r\n" LIVE_BUSY_BODY;

/*
 * Counts a viewer refused (or kept waiting); logs at most one line per
 * LIVE_FD_LOG seconds, with the count, however fast they come.
 */
static void
live_refused(struct live *h)
{
	h->refused_log++;
	if (h->refused_logged > 0 && h->now - h->refused_logged < LIVE_FD_LOG)
		return;
	log_warn("live: %lld viewer(s) refused: %zu connected, at most %zu (live_max_viewers "
	    "and the descriptor limit), %lld times out of descriptors", h->refused_log,
	    h->nconns, h->conf.max_conns, h->st.nofile);
	h->refused_log = 0;
	h->refused_logged = h->now;
}

/*
 * Refuses a new connection at once: 503 with Retry-After, then closed. What
 * the viewer sent already is read first, so the answer is not lost to a
 * reset.
 */
static void
live_refuse(struct live *h, int fd)
{
	char drain[1024];

	while (recv(fd, drain, sizeof(drain), MSG_DONTWAIT) > 0)
		;
	(void)send(fd, live_busy, sizeof(live_busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
	h->st.rejected++;
	live_refused(h);
}

/*
 * Out of descriptors: gives up the spare one to take the waiting
 * connection and refuse it, so the socket does not stay ready for nothing.
 * Without a spare, stops watching the socket for LIVE_PAUSE seconds
 * (live_tick watches it again). Returns 1 when a connection was refused.
 */
static int
live_shed(struct live *h)
{
	int fd, saved;

	h->st.nofile++;
	if (h->spare >= 0) {
		close(h->spare);
		fd = accept4(h->listener.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		saved = errno;
		if (fd >= 0)
			live_refuse(h, fd);
		h->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			return 1;
		if (saved == EAGAIN || saved == EWOULDBLOCK)
			return 0;	/* nobody waits any more */
	}
	if (h->paused_until == 0 && epoll_ctl(h->ep, EPOLL_CTL_DEL, h->listener.fd, NULL) == 0) {
		h->paused_until = h->now + LIVE_PAUSE;
		live_refused(h);
	}
	return 0;
}

/* Accepts up to LIVE_ACCEPT_MAX waiting connections; the rest wait for the next turn. */
static void
live_accept(struct live *h)
{
	for (int i = 0; i < LIVE_ACCEPT_MAX; i++) {
		int fd = accept4(h->listener.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				if (live_shed(h))
					continue;
				return;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_err("live: accept: %s", strerror(errno));
			return;
		}
		if (h->nconns >= h->conf.max_conns) {
			live_refuse(h, fd);
			continue;
		}
		struct conn *s = calloc(1, sizeof(*s));
		if (s == NULL || (s->req = malloc(LIVE_REQ_MAX)) == NULL) {
			free(s);
			live_refuse(h, fd);
			continue;
		}
		s->kind = CONN_HTTP;
		s->fd = fd;
		s->hub = h;
		s->since = s->last_write = h->now;
		s->req[0] = '\0';
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = s };
		if (epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			free(s->req);
			free(s);
			live_refuse(h, fd);
			continue;
		}
		s->next = h->conns;
		if (h->conns)
			h->conns->prev = s;
		h->conns = s;
		h->nconns++;
		h->st.conns++;
	}
}

/*
 * Handles readiness of one of the hub's descriptors (its epoll tag).
 * Returns 1 when tag was the hub's, 0 otherwise.
 */
int
live_ready(struct live *h, void *tag, uint32_t events)
{
	struct conn *s = tag;

	if (h == NULL || tag == NULL)
		return 0;
	h->now = time_mono();
	if (s == &h->listener) {
		live_accept(h);
		return 1;
	}
	if (events & (EPOLLERR | EPOLLHUP)) {
		conn_close(s);
		return 1;
	}
	if (events & EPOLLOUT) {
		conn_flush(s);
		return 1;	/* s may be gone; EPOLLIN comes again */
	}
	if (events & (EPOLLIN | EPOLLRDHUP))
		conn_read(s);
	return 1;
}

/*
 * Periodic work: heartbeat comments to quiet subscribers, an end to
 * connections that never sent a request, and the freeing of ended channels
 * nobody watches.
 */
void
live_tick(struct live *h, double now)
{
	struct conn		*s, *next;
	struct live_chan	**pc, *c;

	if (h == NULL)
		return;
	h->now = now;
	if (h->paused_until > 0 && now >= h->paused_until) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &h->listener };
		if (epoll_ctl(h->ep, EPOLL_CTL_ADD, h->listener.fd, &ev) == 0)
			h->paused_until = 0;
	}
	for (s = h->conns; s != NULL; s = next) {
		next = s->next;
		if (s->req != NULL && now - s->since > LIVE_REQ_TIMEOUT) {
			conn_close(s);
			continue;
		}
		if (s->ch != NULL && !s->armed && now - s->last_write >= h->conf.heartbeat) {
			buf_puts(&s->out, ": heartbeat\n\n");
			s->last_write = now;
			conn_flush(s);
		}
	}
	for (pc = &h->chans; (c = *pc) != NULL;) {
		if (c->nsubs == 0 && c->ended_at > 0 && now - c->ended_at > LIVE_LINGER && !c->p.any) {
			*pc = c->next;
			chan_free(c);
			continue;
		}
		pc = &c->next;
	}
}

/* ---- notes and commits ---- */

static int
grow(void **v, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 1;
	size_t nc = *cap ? *cap * 2 : 16;
	void *nv = realloc(*v, nc * sz);
	if (nv == NULL)
		return -1;
	*v = nv;
	*cap = nc;
	return 1;
}

/*
 * Notes one change of the running transaction (see enum live_note_type).
 * Nothing is sent before live_commit.
 */
void
live_note(struct live *h, enum live_note_type t, const char *session, long long car,
    long long n, const char *text)
{
	struct live_chan	*c;
	struct live_pend	*p;

	if (h == NULL || session == NULL || !id_valid(session, 1, LIVE_ID_MAX))
		return;
	if ((c = chan_find(h, session)) == NULL) {
		if ((c = chan_new(h, session)) == NULL)
			return;
		c->next = h->chans;
		h->chans = c;
	}
	p = &c->p;
	p->any = 1;
	switch (t) {
	case LN_SESSION:
		p->header = 1;
		break;
	case LN_CAR:
		for (size_t i = 0; i < p->ncars; i++)
			if (p->cars[i] == car)
				return;
		if (car > 0 && grow((void **)&p->cars, &p->capcars, p->ncars, sizeof(*p->cars)) > 0)
			p->cars[p->ncars++] = car;
		break;
	case LN_LAP:
		for (size_t i = 0; i < p->nlaps; i++)
			if (p->laps[i].car == car && p->laps[i].lap == n)
				return;
		if (car > 0 && grow((void **)&p->laps, &p->caplaps, p->nlaps, sizeof(*p->laps)) > 0) {
			p->laps[p->nlaps].car = car;
			p->laps[p->nlaps++].lap = n;
		}
		break;
	case LN_PIT:
		for (size_t i = 0; i < p->npits; i++)
			if (p->pits[i] == n)
				return;
		if (n > 0 && grow((void **)&p->pits, &p->cappits, p->npits, sizeof(*p->pits)) > 0)
			p->pits[p->npits++] = n;
		break;
	case LN_CHAT:
		if (text == NULL)
			return;
		if (p->chat == NULL && (p->chat = cJSON_CreateArray()) == NULL)
			return;
		cJSON *line = cJSON_CreateObject();
		cJSON_AddNumberToObject(line, "at", round((double)n / 10000.0) / 1000.0);
		cJSON_AddStringToObject(line, "text", text);
		cJSON_AddItemToArray(p->chat, line);
		break;
	case LN_LINK:
		if (text != NULL)
			snprintf(p->next, sizeof(p->next), "%s", text);
		p->header = 1;
		break;
	case LN_DROP:
		p->drop = 1;
		if (text != NULL)
			snprintf(p->next, sizeof(p->next), "%s", text);
		break;
	case LN_MAP:
		p->map = 1;
		break;
	case LN_ENTRY:
		p->entry = 1;
		break;
	default:
		break;
	}
}

/* The tracker's change hook: turns a model change into notes. */
void
live_change(void *arg, const struct change *ch)
{
	struct live		*h = arg;
	const struct tsession	*s = ch->s;
	long long		 car = ch->car ? ch->car->store_id : 0;

	if (h == NULL || s == NULL)
		return;
	switch (ch->type) {
	case CH_SESSION_NEW:
	case CH_SESSION_UPDATE:
	case CH_SESSION_CLIENT:
	case CH_CONDITIONS:
		live_note(h, LN_SESSION, s->id, 0, 0, NULL);
		break;
	case CH_SESSION_LINK:
		live_note(h, LN_LINK, s->id, 0, 0, ch->s2 ? ch->s2->id : s->next_id);
		break;
	case CH_SESSION_DROP:
		live_note(h, LN_DROP, s->id, 0, 0, s->next_id[0] ? s->next_id : NULL);
		break;
	case CH_CAR_NEW:
		live_note(h, LN_SESSION, s->id, 0, 0, NULL);
		/* FALLTHROUGH */
	case CH_CAR_INFO:
	case CH_CAR_STATE:
	case CH_STINT:
		live_note(h, LN_CAR, s->id, car, 0, NULL);
		break;
	case CH_LAP:
	case CH_LAP_FILL:
		/* the lap number is in n (or lap) */
		live_note(h, LN_LAP, s->id, car, ch->lap ? ch->lap->lap : ch->n, NULL);
		break;
	case CH_PIT:
	case CH_PIT_UPDATE:
		/* the visit is pit, or car->pits[n] */
		if (ch->pit != NULL)
			live_note(h, LN_PIT, s->id, car, ch->pit->store_id, NULL);
		else if (ch->car != NULL && ch->n >= 0 && (size_t)ch->n < ch->car->npits)
			live_note(h, LN_PIT, s->id, car, ch->car->pits[ch->n].store_id, NULL);
		live_note(h, LN_CAR, s->id, car, 0, NULL);
		break;
	case CH_CHAT:
		live_note(h, LN_CHAT, s->id, 0, ch->chat_ts, ch->chat_text);
		break;
	case CH_TRACKMAP:
		live_note(h, LN_MAP, s->id, 0, 0, NULL);
		break;
	case CH_ENTRY:
		live_note(h, LN_ENTRY, s->id, 0, 0, NULL);
		break;
	default:
		break;
	}
}

/* Whether two scalar JSON values are equal. */
static int
json_same(const cJSON *a, const cJSON *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if ((a->type & 0xff) != (b->type & 0xff))
		return 0;
	if (cJSON_IsNumber(a))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsString(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	return 1;
}

static void
json_put(cJSON *o, const char *key, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(o, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
	else
		cJSON_AddItemToObject(o, key, v);
}

/*
 * Copies every scalar of neu that differs from old into old and, unless
 * its key is in skip, into delta; counts the skipped ones in *skipped when
 * not NULL. Returns the number copied to delta.
 */
static int
json_diff(cJSON *old, const cJSON *neu, cJSON *delta, const char *const *skip, size_t nskip,
    int *skipped)
{
	const cJSON	*v;
	int		 n = 0;

	cJSON_ArrayForEach(v, neu) {
		if (cJSON_IsArray(v) || cJSON_IsObject(v))
			continue;
		if (json_same(cJSON_GetObjectItemCaseSensitive(old, v->string), v))
			continue;
		json_put(old, v->string, cJSON_Duplicate(v, 0));
		size_t i;
		for (i = 0; i < nskip; i++)
			if (strcmp(skip[i], v->string) == 0)
				break;
		if (i < nskip) {
			if (skipped != NULL)
				(*skipped)++;
			continue;
		}
		cJSON_AddItemToObject(delta, v->string, cJSON_Duplicate(v, 0));
		n++;
	}
	return n;
}

static double
num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static cJSON *
state_row(cJSON *state, long long car)
{
	cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(state, "standings"))
		if (num(r, "car") == (double)car)
			return r;
	return NULL;
}

/* Lowers *best to t when t is a better time. Returns whether it did. */
static int
better(cJSON *o, const char *key, double t)
{
	double cur = num(o, key);

	if (!(t > 0) || (!isnan(cur) && cur <= t))
		return 0;
	json_put(o, key, cJSON_CreateNumber(t));
	return 1;
}

/*
 * Folds a new lap into the state's class bests and the car's personal
 * bests; adds what improved to delta ("bests" entries, row fields).
 */
static void
fold_lap(cJSON *state, cJSON *row, const cJSON *lap, cJSON *bests_delta, cJSON *row_delta)
{
	static const char *const lk[4] = { "time", "s1", "s2", "s3" };
	static const char *const ck[4] = { "best", "s1", "s2", "s3" };
	static const char *const pk[4] = { "pb_lap", "pb_s1", "pb_s2", "pb_s3" };
	const cJSON	*cls = cJSON_GetObjectItemCaseSensitive(row, "class");
	cJSON		*bests = cJSON_GetObjectItemCaseSensitive(state, "bests"), *cb = NULL, *b;
	int		 improved = 0;

	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lap, "valid")))
		return;
	cJSON_ArrayForEach(b, bests) {
		const cJSON *bc = cJSON_GetObjectItemCaseSensitive(b, "class");
		if ((cJSON_IsString(cls) && cJSON_IsString(bc) &&
		    strcmp(cls->valuestring, bc->valuestring) == 0) ||
		    (!cJSON_IsString(cls) && cJSON_IsNull(bc)))
			cb = b;
	}
	if (cb == NULL) {
		cb = cJSON_CreateObject();
		cJSON_AddItemToObject(cb, "class", cJSON_IsString(cls) ?
		    cJSON_CreateString(cls->valuestring) : cJSON_CreateNull());
		for (int i = 0; i < 4; i++)
			cJSON_AddNullToObject(cb, ck[i]);
		cJSON_AddItemToArray(bests, cb);
	}
	for (int i = 0; i < 4; i++) {
		double t = num(lap, lk[i]);
		improved |= better(cb, ck[i], t);
		if (better(row, pk[i], t))
			cJSON_AddNumberToObject(row_delta, pk[i], t);
	}
	if (improved)
		cJSON_AddItemToArray(bests_delta, cJSON_Duplicate(cb, 1));
}

/* Row fields that go into the compact "pos" array instead. */
static const char *const pos_keys[] = { "x", "z", "progress" };

/*
 * Turns a session channel's notes into a delta (and transition/end) and
 * publishes them. Returns 1, or -1 on a database error.
 */
static int
chan_commit(struct live *h, struct live_chan *c)
{
	static const char *const head_skip[] = { "last_update" };
	struct live_pend	*p = &c->p;
	cJSON			*d = cJSON_CreateObject(), *o, *rows = NULL, *pos = NULL;
	cJSON			*laps = NULL, *pits = NULL, *bests = NULL;
	int			 was_live, rc = 1;

	if (d == NULL)
		return -1;
	if (c->state == NULL) {
		/* first notes of a session nobody watched yet: its state is the commit */
		cJSON_Delete(d);
		if ((rc = chan_load(h, c)) == 0)
			c->ended_at = h->now;	/* gone already: freed once idle */
		return rc < 0 ? -1 : 1;
	}
	was_live = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->state, "live"));
	if (p->header) {
		if (view_header(&h->view, c->id, &o) < 0)
			goto dberr;
		if (o != NULL) {
			cJSON *hd = cJSON_CreateObject();
			if (json_diff(c->state, o, hd, head_skip, 1, NULL) > 0)
				cJSON_AddItemToObject(d, "session", hd);
			else
				cJSON_Delete(hd);
			cJSON_Delete(o);
		}
	}
	for (size_t i = 0; i < p->ncars; i++) {
		cJSON *row = state_row(c->state, p->cars[i]);
		if (view_row(&h->view, p->cars[i], &o) < 0)
			goto dberr;
		if (o == NULL)
			continue;
		if (rows == NULL)
			rows = cJSON_AddArrayToObject(d, "rows");
		if (row == NULL) {
			/* a new car: the whole row */
			if (view_car_bests(&h->view, p->cars[i], o) < 0) {
				cJSON_Delete(o);
				goto dberr;
			}
			cJSON_AddItemToArray(rows, cJSON_Duplicate(o, 1));
			cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(c->state, "standings"), o);
			continue;
		}
		cJSON *rd = cJSON_CreateObject();
		int moved = 0;
		json_diff(row, o, rd, pos_keys, 3, &moved);
		/* a new driver comes with whether they are known, changed or not */
		if (cJSON_GetObjectItemCaseSensitive(rd, "driver") != NULL &&
		    cJSON_GetObjectItemCaseSensitive(rd, "known") == NULL &&
		    cJSON_GetObjectItemCaseSensitive(o, "known") != NULL)
			cJSON_AddItemToObject(rd, "known",
			    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(o, "known"), 0));
		if (rd->child != NULL) {
			cJSON_AddNumberToObject(rd, "car", (double)p->cars[i]);
			cJSON_AddItemToArray(rows, rd);
		} else
			cJSON_Delete(rd);
		/* positions go compact: [car, x, z, progress] */
		if (moved) {
			double x = num(row, "x"), z = num(row, "z"), pr = num(row, "progress");
			cJSON *e = cJSON_CreateArray();
			if (pos == NULL)
				pos = cJSON_AddArrayToObject(d, "pos");
			cJSON_AddItemToArray(e, cJSON_CreateNumber((double)p->cars[i]));
			cJSON_AddItemToArray(e, isnan(x) ? cJSON_CreateNull() : cJSON_CreateNumber(x));
			cJSON_AddItemToArray(e, isnan(z) ? cJSON_CreateNull() : cJSON_CreateNumber(z));
			cJSON_AddItemToArray(e, isnan(pr) ? cJSON_CreateNull() : cJSON_CreateNumber(pr));
			cJSON_AddItemToArray(pos, e);
		}
		cJSON_Delete(o);
	}
	if (rows != NULL && cJSON_GetArraySize(rows) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(d, "rows");
	for (size_t i = 0; i < p->nlaps; i++) {
		if (view_lap(&h->view, p->laps[i].car, (int)p->laps[i].lap, &o) < 0)
			goto dberr;
		if (o == NULL)
			continue;
		if (laps == NULL) {
			laps = cJSON_AddArrayToObject(d, "laps");
			bests = cJSON_CreateArray();
		}
		cJSON *row = state_row(c->state, p->laps[i].car);
		if (row != NULL) {
			cJSON *rd = cJSON_CreateObject();
			fold_lap(c->state, row, o, bests, rd);
			if (rd->child != NULL) {
				cJSON_AddNumberToObject(rd, "car", (double)p->laps[i].car);
				if (rows == NULL && (rows = cJSON_GetObjectItemCaseSensitive(d, "rows")) == NULL)
					rows = cJSON_AddArrayToObject(d, "rows");
				cJSON_AddItemToArray(rows, rd);
			} else
				cJSON_Delete(rd);
		}
		cJSON_AddItemToArray(laps, o);
	}
	if (bests != NULL) {
		if (cJSON_GetArraySize(bests) > 0)
			cJSON_AddItemToObject(d, "bests", bests);
		else
			cJSON_Delete(bests);
	}
	for (size_t i = 0; i < p->npits; i++) {
		if (view_pit(&h->view, p->pits[i], &o) < 0)
			goto dberr;
		if (o == NULL)
			continue;
		if (pits == NULL)
			pits = cJSON_AddArrayToObject(d, "pits");
		cJSON_AddItemToArray(pits, o);
	}
	if (p->chat != NULL && cJSON_GetArraySize(p->chat) > 0) {
		cJSON *chat = cJSON_GetObjectItemCaseSensitive(c->state, "chat"), *l;
		cJSON_ArrayForEach(l, p->chat)
			cJSON_AddItemToArray(chat, cJSON_Duplicate(l, 1));
		while (cJSON_GetArraySize(chat) > VIEW_CHAT_RECENT)
			cJSON_DeleteItemFromArray(chat, 0);
		cJSON_AddItemToObject(d, "chat", p->chat);
		p->chat = NULL;
	}
	if (p->map)
		cJSON_AddTrueToObject(d, "map");
	if (p->entry)
		cJSON_AddTrueToObject(d, "entries");
	if (d->child != NULL) {
		if (chan_publish(h, c, "delta", d) < 0)
			rc = -1;
	} else
		cJSON_Delete(d);
	d = NULL;
	if (p->next[0] != '\0' && !p->drop) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "next", p->next);
		chan_publish(h, c, "transition", o);
	}
	int is_live = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->state, "live"));
	if (p->drop || (was_live && !is_live)) {
		o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "state", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(c->state, "state"), 0));
		cJSON_AddItemToObject(o, "finished", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(c->state, "finished"), 0));
		if (p->next[0] != '\0')
			cJSON_AddStringToObject(o, "next", p->next);
		if (p->drop)
			cJSON_AddTrueToObject(o, "dropped");
		chan_publish(h, c, "end", o);
		c->ended_at = h->now > 0 ? h->now : time_mono();
	} else if (is_live)
		c->ended_at = 0;
	return rc;
dberr:
	log_err("live: session %s: %s", c->id, sqlite3_errmsg(h->view.db));
	cJSON_Delete(d);
	return -1;
}

/* Publishes a session's line of the sessions list when it changed. */
static int
list_commit(struct live *h, struct live_chan *c)
{
	static const char *const skip[] = { "et", "last_update", "remaining" };
	cJSON	*o, *old = NULL, *e, *d;
	int	 rc;

	if ((rc = view_summary(&h->view, c->id, &o)) <= 0) {
		if (rc == 0 && c->p.drop) {
			int idx = 0;
			cJSON_ArrayForEach(e, h->list->state) {
				const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
				if (cJSON_IsString(id) && strcmp(id->valuestring, c->id) == 0) {
					cJSON_DeleteItemFromArray(h->list->state, idx);
					break;
				}
				idx++;
			}
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "id", c->id);
			cJSON_AddFalseToObject(o, "live");
			cJSON_AddTrueToObject(o, "dropped");
			chan_publish(h, h->list, "session", o);
		}
		return rc;
	}
	int idx = 0;
	cJSON_ArrayForEach(e, h->list->state) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
		if (cJSON_IsString(id) && strcmp(id->valuestring, c->id) == 0) {
			old = e;
			break;
		}
		idx++;
	}
	int is_live = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "live"));
	if (old == NULL && !is_live) {
		cJSON_Delete(o);
		return 1;
	}
	d = cJSON_CreateObject();
	int changed = old == NULL || json_diff(old, o, d, skip, 3, NULL) > 0 ||
	    fabs(num(old, "remaining") - num(o, "remaining")) >= LIVE_LIST_REMAINING;
	cJSON_Delete(d);
	if (!changed) {
		cJSON_Delete(o);
		return 1;
	}
	if (old != NULL) {
		if (is_live)
			cJSON_ReplaceItemInArray(h->list->state, idx, cJSON_Duplicate(o, 1));
		else
			cJSON_DeleteItemFromArray(h->list->state, idx);
	} else
		cJSON_InsertItemInArray(h->list->state, 0, cJSON_Duplicate(o, 1));
	return chan_publish(h, h->list, "session", o);
}

/*
 * The transaction committed: publishes what it changed and writes it to
 * the subscribers. Returns 1, or -1 when a view could not be read (the
 * subscribers of that session then get a fresh snapshot).
 */
int
live_commit(struct live *h)
{
	int rc = 1;

	if (h == NULL)
		return 1;
	h->now = time_mono();
	for (struct live_chan *c = h->chans; c != NULL; c = c->next) {
		if (!c->p.any)
			continue;
		int header = c->p.header || c->p.ncars > 0 || c->p.drop;
		if (chan_commit(h, c) < 0) {
			rc = -1;
			/* resynchronise: reload the state; viewers get a snapshot */
			if (chan_load(h, c) > 0) {
				while (c->n > 0)
					chan_evict(h, c);
				c->floor = h->seq;
			}
		}
		if (header && list_commit(h, c) < 0)
			rc = -1;
		pend_reset(&c->p);
	}
	for (struct live_chan *c = h->chans; c != NULL; c = c->next) {
		if (!c->dirty)
			continue;
		c->dirty = 0;
		for (struct conn *s = c->subs, *next; s != NULL; s = next) {
			next = s->snext;
			conn_flush(s);
		}
	}
	if (h->list->dirty) {
		h->list->dirty = 0;
		for (struct conn *s = h->list->subs, *next; s != NULL; s = next) {
			next = s->snext;
			conn_flush(s);
		}
	}
	return rc;
}

/* The transaction rolled back: forgets its notes. */
void
live_rollback(struct live *h)
{
	if (h == NULL)
		return;
	for (struct live_chan *c = h->chans; c != NULL; c = c->next)
		pend_reset(&c->p);
}

const struct live_stats *
live_stats(const struct live *h)
{
	return &h->st;
}

/*
 * The number of viewers at once: want, or fewer so that viewers leave
 * LIVE_FD_RESERVE descriptors of the process's limit to the worker.
 */
static size_t
live_max_conns(size_t want)
{
	struct rlimit	rl;
	size_t		fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return want;
	fit = rl.rlim_cur > 2 * LIVE_FD_RESERVE ? (size_t)rl.rlim_cur - LIVE_FD_RESERVE :
	    (size_t)rl.rlim_cur / 2;
	if (fit >= want)
		return want;
	log_info("live: at most %zu viewers within the limit of %llu open files", fit,
	    (unsigned long long)rl.rlim_cur);
	return fit > 0 ? fit : 1;
}

/*
 * Listens on the unix socket path and registers it with ep. db is the
 * worker's connection (read between its transactions). Returns 1, 0 with a
 * message in err. Free with live_close.
 */
int
live_open(struct live **out, const char *path, sqlite3 *db, int ep,
    const struct live_conf *conf, struct buf *err)
{
	struct live		*h;
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };

	*out = NULL;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		buf_printf(err, "live socket path too long: %s", path);
		return 0;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		buf_printf(err, "live: %s", strerror(errno));
		return 0;
	}
	h->conf.ring = conf && conf->ring ? conf->ring : 512;
	h->conf.ring_bytes = conf && conf->ring_bytes ? conf->ring_bytes : 4u << 20;
	h->conf.max_out = conf && conf->max_out ? conf->max_out : 1u << 20;
	h->conf.max_conns = live_max_conns(conf && conf->max_conns ? conf->max_conns : 8192);
	h->conf.heartbeat = conf && conf->heartbeat > 0 ? conf->heartbeat : 15.0;
	h->ep = ep;
	h->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	h->listener.kind = CONN_LISTEN;
	h->listener.hub = h;
	h->listener.fd = -1;
	h->boot = (unsigned long long)llround(time_now() * 1000.0);
	h->now = time_mono();
	view_init(&h->view, db);
	if ((h->path = strdup(path)) == NULL || (h->list = chan_new(h, "")) == NULL)
		goto fail;
	if (view_live_sessions(&h->view, &h->list->state) < 0) {
		buf_printf(err, "live: %s", sqlite3_errmsg(db));
		goto fail;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	unlink(path);
	if ((h->listener.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		goto syserr;
	mode_t old = umask(0);
	int rc = bind(h->listener.fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || chmod(path, 0666) < 0 || listen(h->listener.fd, 512) < 0)
		goto syserr;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &h->listener };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, h->listener.fd, &ev) < 0)
		goto syserr;
	*out = h;
	return 1;
syserr:
	buf_printf(err, "live socket %s: %s", path, strerror(errno));
fail:
	live_close(h);
	return 0;
}

/* Closes every connection and the socket; frees the hub. NULL is a no-op. */
void
live_close(struct live *h)
{
	if (h == NULL)
		return;
	while (h->conns != NULL)
		conn_close(h->conns);
	while (h->chans != NULL) {
		struct live_chan *c = h->chans;
		h->chans = c->next;
		chan_free(c);
	}
	chan_free(h->list);
	if (h->listener.fd >= 0) {
		epoll_ctl(h->ep, EPOLL_CTL_DEL, h->listener.fd, NULL);
		close(h->listener.fd);
		unlink(h->path);
	}
	view_free(&h->view);
	if (h->spare >= 0)
		close(h->spare);
	free(h->path);
	free(h);
}
