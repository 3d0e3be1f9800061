/*
 * The Assetto Corsa source (docs/ac.md): takes the server's one UDP plugin
 * slot. Every datagram the server sends is stamped with its arrival time,
 * recorded (--record), passed on unchanged to a second plugin
 * (--ac-forward), decoded (acsp.c) and kept as an event; once a second the
 * events become one frame. The source asks the server for what it needs:
 * the session, each connected car, and position updates every
 * --ac-interval ms, at start and again on every NEW_SESSION. A datagram it
 * cannot decode is counted and logged once per kind, never sent.
 *
 * --replay FILE takes the datagrams of an ac-recording instead, at their
 * pace (--speed), into frames, or with --replay-to HOST:PORT sends them as
 * the server would to a listening client.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acsp.h"
#include "source.h"

#define AC_DGRAM_MAX	65536
#define AC_READ_MAX	4096		/* datagrams read in one ready() */
#define AC_FRAME_BYTES	(4u << 20)	/* events in one frame at most */
#define AC_RCVBUF	(1 << 20)

struct ac_src {
	const struct config *cfg;
	os_sock		 fd;		/* bound to --ac-listen; requests leave from it */
	struct os_addr	 server;
	struct src_udp	 io;		/* --ac-forward, --record, --replay */
	struct acsp_dec	 dec;
	struct acsp_msg	*msg;
	uint8_t		 connected[256 / 8];	/* slots known to be connected */
	unsigned char	*dgram;		/* AC_DGRAM_MAX bytes */
	/* the frame being filled */
	struct buf	 events;	/* {"events":[ ... */
	size_t		 nevents;
	/* counts */
	long long	 datagrams;
	long long	 bad[ACSP__MAX];
	long long	 relayed;
	long long	 requests;
	long long	 frames;
};

static void
ac_send(struct ac_src *s, os_sock fd, const struct os_addr *to, const void *p, size_t len,
    const char *what)
{
	if (os_udp_send(fd, p, len, to) < 0)
		log_debug("ac: cannot send %s to %s: %s", what, to->text, os_sock_error());
	else if (fd == s->fd)
		s->requests++;
}

static int
ac_is_connected(const struct ac_src *s, unsigned car)
{
	return s->connected[car / 8] >> (car % 8) & 1;
}

static void
ac_set_connected(struct ac_src *s, unsigned car, int on)
{
	if (on)
		s->connected[car / 8] |= (uint8_t)(1u << (car % 8));
	else
		s->connected[car / 8] &= (uint8_t)~(1u << (car % 8));
}

static void
ac_ask_car(struct ac_src *s, unsigned car)
{
	uint8_t b[2];

	ac_send(s, s->fd, &s->server, b, acsp_req_car_info(b, car), "GET_CAR_INFO");
}

/* The session, every car known to be connected, position updates. */
static void
ac_ask_all(struct ac_src *s)
{
	uint8_t b[3];

	ac_send(s, s->fd, &s->server, b, acsp_req_session_info(b, -1), "GET_SESSION_INFO");
	ac_send(s, s->fd, &s->server, b, acsp_req_interval(b, (unsigned)s->cfg->ac_interval),
	    "REALTIMEPOS_INTERVAL");
	for (unsigned car = 0; car < 256; car++)
		if (ac_is_connected(s, car))
			ac_ask_car(s, car);
}

/* What a live client asks after message m. */
static void
ac_react(struct ac_src *s, const struct acsp_msg *m)
{
	switch (m->id) {
	case ACSP_NEW_SESSION:
		ac_ask_all(s);
		break;
	case ACSP_NEW_CONNECTION:
		ac_set_connected(s, m->u.conn.car_id, 1);
		ac_ask_car(s, m->u.conn.car_id);
		break;
	case ACSP_CLIENT_LOADED:
		ac_set_connected(s, m->u.car_id, 1);
		ac_ask_car(s, m->u.car_id);
		break;
	case ACSP_CONNECTION_CLOSED:
		ac_set_connected(s, m->u.conn.car_id, 0);
		break;
	case ACSP_CAR_UPDATE:
		/* a car that was there before the client started */
		if (!ac_is_connected(s, m->u.car.car_id)) {
			ac_set_connected(s, m->u.car.car_id, 1);
			ac_ask_car(s, m->u.car.car_id);
		}
		break;
	case ACSP_CAR_INFO:
		ac_set_connected(s, m->u.info.car_id, m->u.info.is_connected != 0);
		break;
	default:
		break;
	}
}

/* Turns the events gathered so far into a frame captured at captured_at. */
static void
ac_flush(void *arg, double captured_at)
{
	struct ac_src *s = arg;

	if (s->nevents == 0)
		return;
	if (buf_puts(&s->events, "]}") < 0 ||
	    srcq_push(s->io.q, captured_at, s->events.p, s->events.len) < 0)
		log_err("out of memory: a frame of %zu events is lost", s->nevents);
	else
		s->frames++;
	buf_reset(&s->events);
	s->nevents = 0;
}

/*
 * One datagram from the server, arrived at wall time at (seconds): decoded
 * into an event of the frame being filled, or counted as malformed.
 * live says whether to ask the server for more.
 */
static void
ac_datagram(struct ac_src *s, const unsigned char *p, size_t len, double at, int live)
{
	enum acsp_result	 rc;
	size_t			 mark = s->events.len;

	s->datagrams++;
	if ((rc = acsp_decode(&s->dec, p, len, s->msg)) != ACSP_OK) {
		if (s->bad[rc]++ == 0)
			log_warn("ac: a datagram of %zu bytes (id %u): %s; such datagrams are "
			    "counted, not sent", len, len ? p[0] : 0, acsp_result_names[rc]);
		return;
	}
	if (live)
		ac_react(s, s->msg);
	if ((s->nevents == 0 && buf_puts(&s->events, "{\"events\":[") < 0) ||
	    (s->nevents > 0 && buf_putc(&s->events, ',') < 0) ||
	    acsp_json(&s->events, (long long)(at * 1000), s->msg, p, len) < 0) {
		log_err("out of memory: an event is lost");
		s->events.len = mark;
		return;
	}
	s->nevents++;
	if (s->events.len >= AC_FRAME_BYTES)
		ac_flush(s, live ? time_now() : at);
}

/* A datagram of the recording, replayed into frames at wall time at. */
static void
ac_take(void *arg, const unsigned char *p, size_t len, double at, double t)
{
	(void)t;
	ac_datagram(arg, p, len, at, 0);
}

/* Reads what waits on fd; from_plugin: datagrams of the forward plugin. */
static void
ac_read(struct ac_src *s, os_sock fd, int from_plugin)
{
	struct os_addr	 from;
	long		 n;

	for (int i = 0; i < AC_READ_MAX; i++) {
		n = os_udp_recv(fd, s->dgram, AC_DGRAM_MAX, &from);
		if (n < 0) {
			if (n == OS_UDP_ERROR)
				log_debug("ac: cannot read a datagram: %s", os_sock_error());
			return;
		}
		/* the second plugin's requests go on to the server */
		if (from_plugin || (s->io.fwd_fd != OS_SOCK_NONE &&
		    os_addr_same(&from, &s->io.forward))) {
			if (os_udp_send(s->fd, s->dgram, (size_t)n, &s->server) == 0)
				s->relayed++;
			continue;
		}
		srcudp_pass(&s->io, srcrec_t(&s->io.rec), s->dgram, (size_t)n);
		ac_datagram(s, s->dgram, (size_t)n, time_now(), 1);
	}
}

static void
ac_ready(void *arg, double now, long long backlog)
{
	struct ac_src *s = arg;

	if (s->cfg->replay) {
		srcudp_replay(&s->io, now, backlog, "datagrams");
		return;
	}
	ac_read(s, s->fd, 0);
	if (s->io.fwd_fd != OS_SOCK_NONE)
		ac_read(s, s->io.fwd_fd, 1);
	srcudp_tick(&s->io, now);
}

static unsigned
ac_wait(void *arg, double now, long long backlog, os_sock *socks, unsigned max,
    double *timeout)
{
	struct ac_src	*s = arg;
	unsigned	 n = 0;

	if (srcudp_wait(&s->io, now, backlog, timeout))
		return 0;
	if (n < max)
		socks[n++] = s->fd;
	if (s->io.fwd_fd != OS_SOCK_NONE && n < max)
		socks[n++] = s->io.fwd_fd;
	return n;
}

static int
ac_finished(void *arg, int *status)
{
	struct ac_src *s = arg;

	return s->cfg->replay && srcrp_finished(&s->io.rp, status);
}

/* Stopping: what was gathered still goes out. */
static void
ac_leave(void *arg, double now)
{
	struct ac_src *s = arg;

	(void)now;
	ac_flush(s, time_now());
}

static long long
ac_malformed(const struct ac_src *s)
{
	long long n = 0;

	for (int i = 1; i < ACSP__MAX; i++)
		n += s->bad[i];
	return n;
}

static void
ac_status(void *arg, char *out, size_t outsz)
{
	struct ac_src *s = arg;

	if (!srcudp_status(&s->io, "ac", "datagrams", out, outsz))
		snprintf(out, outsz, "ac%s%s: %lld datagrams, %lld malformed, %lld frames",
		    s->cfg->replay ? " replay" : "", s->io.rp.done ? " (done)" : "", s->datagrams,
		    ac_malformed(s), s->frames);
}

static void
ac_close(void *arg)
{
	struct ac_src *s = arg;

	if (s == NULL)
		return;
	if (ac_malformed(s) > 0) {
		struct buf b = { 0 };
		for (int i = 1; i < ACSP__MAX; i++)
			if (s->bad[i])
				buf_printf(&b, "%s%s %lld", b.len ? ", " : "", acsp_result_names[i],
				    s->bad[i]);
		log_info("ac: %lld malformed datagrams (%s)", ac_malformed(s), b.p);
		buf_free(&b);
	}
	log_info("ac: %lld datagrams, %lld frames, %lld requests, %lld forwarded, %lld relayed",
	    s->datagrams, s->frames, s->requests, s->io.forwarded, s->relayed);
	os_udp_close(s->fd);
	srcudp_close(&s->io);
	buf_free(&s->events);
	free(s->msg);
	free(s->dgram);
	free(s);
}

/*
 * Opens the source: the sockets, the recording written or read. Returns 1
 * with *out, 0 when it cannot start (logged).
 */
static int
ac_open(void **out, const struct config *cfg, const struct client_ident *id,
    struct http *http, struct src_queue *q)
{
	struct ac_src	*s;
	struct os_addr	 listen_at;

	(void)http;
	if ((*out = s = calloc(1, sizeof(*s))) == NULL) {
		log_err("out of memory");
		return 0;
	}
	s->cfg = cfg;
	s->fd = OS_SOCK_NONE;
	srcudp_init(&s->io, cfg, q, s, ac_flush, ac_take);
	if ((s->msg = malloc(sizeof(*s->msg))) == NULL ||
	    (s->dgram = malloc(AC_DGRAM_MAX)) == NULL) {
		log_err("out of memory");
		return 0;
	}
	if (cfg->replay)
		return srcudp_replay_open(&s->io, REC_AC);
	if (!src_resolve("--ac-listen", cfg->ac_listen, "127.0.0.1", &listen_at) ||
	    !src_resolve("--ac-server", cfg->ac_server, NULL, &s->server) ||
	    (cfg->ac_forward && !src_resolve("--ac-forward", cfg->ac_forward, NULL,
	    &s->io.forward)))
		return 0;
	if ((s->fd = os_udp_open(&listen_at, 1, AC_RCVBUF)) == OS_SOCK_NONE) {
		log_err("--ac-listen %s: %s", listen_at.text, os_sock_error());
		return 0;
	}
	if (cfg->ac_forward &&
	    (s->io.fwd_fd = os_udp_open(&s->io.forward, 0, 0)) == OS_SOCK_NONE) {
		log_err("--ac-forward %s: %s", s->io.forward.text, os_sock_error());
		return 0;
	}
	if (cfg->record) {
		char note[512];
		snprintf(note, sizeof(note), "recorded by %s from the Assetto Corsa server at %s",
		    id->name, s->server.text);
		if (!srcrec_open(&s->io.rec, cfg->record, REC_AC, note))
			return 0;
	}
	s->io.next_frame = time_mono() + SRC_FRAME_EVERY;
	log_info("listening on %s for the Assetto Corsa server at %s%s%s", listen_at.text,
	    s->server.text, cfg->ac_forward ? ", forwarding to " : "",
	    cfg->ac_forward ? s->io.forward.text : "");
	ac_ask_all(s);
	return 1;
}

const struct source src_ac = {
	"ac",
	ac_open,
	ac_wait,
	ac_ready,
	src_no_done,
	ac_finished,
	ac_leave,
	ac_status,
	ac_close,
};
