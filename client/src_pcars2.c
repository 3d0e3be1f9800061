/*
 * The Project CARS 2 / Automobilista 2 UDP source (spec/pcars2.md): listens
 * where the game sends its "Project CARS 2" packets (--pcars2-listen,
 * default port 5606 on every address, since the game may broadcast). Every
 * datagram is stamped with its arrival time, recorded (--record), passed on
 * unchanged to another tool (--pcars2-forward: the game feeds one consumer
 * per port) and classified (p2udp.c): unknown kinds are counted, the known
 * ones thinned, and once a second the kept ones become one frame
 * {"packets": [...], "stats": {...}}.
 *
 * --replay FILE takes the datagrams of a pcars2-recording instead, at their
 * pace (--speed), into frames, or with --replay-to HOST:PORT sends them as
 * the game would to a listening client or tool.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

#define PC2_DGRAM_MAX	65536
#define PC2_READ_MAX	4096		/* datagrams read in one ready() */
#define PC2_FRAME_BYTES	(4u << 20)	/* packets in one frame at most */
#define PC2_RCVBUF	(1 << 20)

struct pc2_src {
	const struct config *cfg;
	os_sock		 fd;		/* bound to --pcars2-listen */
	struct os_addr	 listen_at;
	struct src_udp	 io;		/* --pcars2-forward, --record, --replay */
	struct p2udp	 u;
	unsigned char	*dgram;		/* PC2_DGRAM_MAX bytes */
	/* the frame being filled */
	struct buf	 packets;	/* {"packets":[ ... */
	size_t		 npackets;
	long long	 f_received, f_unknown, f_thinned;	/* counts at the last frame */
	/* counts */
	long long	 frames;
	long long	 rate_n;	/* datagrams in the current second */
	double		 rate_at;	/* mono start of that second */
	long long	 rate;		/* datagrams in the last whole second */
	double		 last_at;	/* mono time of the last datagram, 0 none */
	double		 mono0;		/* the recording's start: thinning's clock */
	int		 warned_unknown;
};

/* Turns the packets gathered so far into a frame captured at captured_at. */
static void
pc2_flush(void *arg, double captured_at)
{
	struct pc2_src *s = arg;

	if (s->npackets == 0)
		return;
	if (buf_printf(&s->packets, "],\"stats\":{\"received\":%lld,\"unknown\":%lld,"
	    "\"thinned\":%lld}}", s->u.received - s->f_received,
	    s->u.unknown - s->f_unknown, s->u.thinned - s->f_thinned) < 0 ||
	    srcq_push(s->io.q, captured_at, s->packets.p, s->packets.len) < 0)
		log_err("out of memory: a frame of %zu packets is lost", s->npackets);
	else
		s->frames++;
	buf_reset(&s->packets);
	s->npackets = 0;
	s->f_received = s->u.received;
	s->f_unknown = s->u.unknown;
	s->f_thinned = s->u.thinned;
}

/*
 * One datagram from the game, arrived at wall time at (seconds) and at
 * thin_ms on the source's own clock (the recording's, in milliseconds, so
 * a replay thins as the live client did): kept in the frame being filled,
 * thinned, or counted as unknown.
 */
static void
pc2_datagram(struct pc2_src *s, const unsigned char *p, size_t len, double at,
    long long thin_ms, int live)
{
	long long	 at_ms = (long long)(at * 1000);
	size_t		 mark = s->packets.len;

	switch (p2udp_take(&s->u, p, len, thin_ms)) {
	case P2UDP_UNKNOWN:
		if (!s->warned_unknown++)
			log_warn("pcars2: a packet of %zu bytes (type %u) is of no kind the game "
			    "sends; such packets are counted, not sent", len, len > 10 ? p[10] : 0);
		return;
	case P2UDP_THINNED:
		return;
	case P2UDP_KEEP:
		break;
	}
	if ((s->npackets == 0 && buf_puts(&s->packets, "{\"packets\":[") < 0) ||
	    (s->npackets > 0 && buf_putc(&s->packets, ',') < 0) ||
	    p2udp_json(&s->packets, at_ms, p, len) < 0) {
		log_err("out of memory: a packet is lost");
		s->packets.len = mark;
		return;
	}
	s->npackets++;
	if (s->packets.len >= PC2_FRAME_BYTES)
		pc2_flush(s, live ? time_now() : at);
}

/*
 * A datagram of the recording, replayed into frames at wall time at and
 * thinned on the recording's clock t.
 */
static void
pc2_take(void *arg, const unsigned char *p, size_t len, double at, double t)
{
	pc2_datagram(arg, p, len, at, llround(t * 1000), 0);
}

/* Reads what waits on the socket. */
static void
pc2_read(struct pc2_src *s, double now)
{
	struct os_addr	 from;
	long		 n;
	long long	 ms;

	for (int i = 0; i < PC2_READ_MAX; i++) {
		n = os_udp_recv(s->fd, s->dgram, PC2_DGRAM_MAX, &from);
		if (n < 0) {
			if (n == OS_UDP_ERROR)
				log_debug("pcars2: cannot read a datagram: %s", os_sock_error());
			return;
		}
		s->rate_n++;
		s->last_at = now;
		ms = llround((time_mono() - s->mono0) * 1000);
		srcudp_pass(&s->io, (double)ms / 1000, s->dgram, (size_t)n);
		pc2_datagram(s, s->dgram, (size_t)n, time_now(), ms, 1);
	}
}

static void
pc2_ready(void *arg, double now, long long backlog)
{
	struct pc2_src *s = arg;

	if (s->cfg->replay) {
		srcudp_replay(&s->io, now, backlog, "packets");
		return;
	}
	pc2_read(s, now);
	if (now - s->rate_at >= 1.0) {
		s->rate = now - s->rate_at < 2.0 ? s->rate_n : 0;
		s->rate_n = 0;
		s->rate_at = now;
	}
	srcudp_tick(&s->io, now);
}

static unsigned
pc2_wait(void *arg, double now, long long backlog, os_sock *socks, unsigned max,
    double *timeout)
{
	struct pc2_src	*s = arg;
	unsigned	 n = 0;

	if (srcudp_wait(&s->io, now, backlog, timeout))
		return 0;
	if (n < max)
		socks[n++] = s->fd;
	return n;
}

static int
pc2_finished(void *arg, int *status)
{
	struct pc2_src *s = arg;

	return s->cfg->replay && srcrp_finished(&s->io.rp, status);
}

/* Stopping: what was gathered still goes out. */
static void
pc2_leave(void *arg, double now)
{
	struct pc2_src *s = arg;

	(void)now;
	pc2_flush(s, time_now());
}

/* The race as the packets tell it: revision, grid, names, track, session. */
static void
pc2_race(const struct pc2_src *s, struct buf *b)
{
	const char *session = p2udp_session(&s->u);

	if (s->u.have_rev)
		buf_printf(b, ", %s packets", s->u.rev == P2_EARLY ? "early" : "later");
	if (s->u.grid >= 0)
		buf_printf(b, ", %d cars", s->u.grid);
	buf_printf(b, ", %d names", p2udp_names(&s->u));
	if (p2udp_vehicle_names(&s->u) > 0)
		buf_printf(b, ", %d vehicles", p2udp_vehicle_names(&s->u));
	if (s->u.have_race && s->u.location[0] != '\0')
		buf_printf(b, ", %s%s%s", s->u.location, s->u.variation[0] ? " " : "",
		    s->u.variation);
	if (session[0] != '\0')
		buf_printf(b, ", %s", session);
}

static void
pc2_status(void *arg, char *out, size_t outsz)
{
	struct pc2_src	*s = arg;
	struct buf	 b = { 0 };
	double		 now = time_mono();

	if (srcudp_status(&s->io, "pcars2", "packets", out, outsz))
		return;
	if (s->cfg->replay)
		buf_printf(&b, "pcars2 replay%s: %lld packets", s->io.rp.done ? " (done)" : "",
		    s->u.received);
	else if (s->last_at == 0)
		buf_printf(&b, "no packets on port %s yet: is UDP on and the protocol \"Project "
		    "CARS 2\" in the game?", strrchr(s->listen_at.text, ':') ?
		    strrchr(s->listen_at.text, ':') + 1 : s->listen_at.text);
	else if (now - s->last_at > 5)
		buf_printf(&b, "pcars2: no packets for %.0f s (the game is in its menus or "
		    "closed)", now - s->last_at);
	else
		buf_printf(&b, "pcars2: %lld packets/s", s->rate);
	if (s->u.received > 0) {
		pc2_race(s, &b);
		buf_printf(&b, "; %lld frames", s->frames);
		if (s->u.unknown > 0)
			buf_printf(&b, ", %lld unknown packets", s->u.unknown);
	}
	snprintf(out, outsz, "%s", b.p ? b.p : "pcars2");
	buf_free(&b);
}

static void
pc2_close(void *arg)
{
	struct pc2_src *s = arg;

	if (s == NULL)
		return;
	if (s->u.received > 0 || s->frames > 0) {
		struct buf b = { 0 };
		for (int k = 1; k < P2K__MAX; k++)
			if (s->u.kinds[k])
				buf_printf(&b, ", %s %lld", p2_kind_names[k], s->u.kinds[k]);
		log_info("pcars2: %lld packets (%lld unknown, %lld thinned%s), %lld frames, "
		    "%lld forwarded", s->u.received, s->u.unknown, s->u.thinned, b.p ? b.p : "",
		    s->frames, s->io.forwarded);
		buf_free(&b);
	}
	os_udp_close(s->fd);
	srcudp_close(&s->io);
	buf_free(&s->packets);
	p2udp_free(&s->u);
	free(s->dgram);
	free(s);
}

/*
 * Opens the source: the sockets, the recording written or read. Returns 1
 * with *out, 0 when it cannot start (logged).
 */
static int
pc2_open(void **out, const struct config *cfg, const struct client_ident *id,
    struct http *http, struct src_queue *q)
{
	struct pc2_src	*s;

	(void)http;
	if ((*out = s = calloc(1, sizeof(*s))) == NULL) {
		log_err("out of memory");
		return 0;
	}
	s->cfg = cfg;
	s->fd = OS_SOCK_NONE;
	srcudp_init(&s->io, cfg, q, s, pc2_flush, pc2_take);
	if (p2udp_init(&s->u) < 0 || (s->dgram = malloc(PC2_DGRAM_MAX)) == NULL) {
		log_err("out of memory");
		return 0;
	}
	if (cfg->replay)
		return srcudp_replay_open(&s->io, REC_P2);
	if (!src_resolve("--pcars2-listen", cfg->pcars2_listen, "0.0.0.0", &s->listen_at) ||
	    (cfg->pcars2_forward && !src_resolve("--pcars2-forward", cfg->pcars2_forward, NULL,
	    &s->io.forward)))
		return 0;
	if ((s->fd = os_udp_open(&s->listen_at, 1, PC2_RCVBUF)) == OS_SOCK_NONE) {
		log_err("--pcars2-listen %s: %s (is another program using the port? the game "
		    "sends to one)", s->listen_at.text, os_sock_error());
		return 0;
	}
	if (cfg->pcars2_forward &&
	    (s->io.fwd_fd = os_udp_open(&s->io.forward, 0, 0)) == OS_SOCK_NONE) {
		log_err("--pcars2-forward %s: %s", s->io.forward.text, os_sock_error());
		return 0;
	}
	if (cfg->record) {
		char note[512];
		snprintf(note, sizeof(note), "recorded by %s from the game's UDP on %s",
		    id->name, s->listen_at.text);
		if (!srcrec_open(&s->io.rec, cfg->record, REC_P2, note))
			return 0;
	}
	s->mono0 = s->io.rec.w ? s->io.rec.mono0 : time_mono();
	s->rate_at = time_mono();
	s->io.next_frame = s->rate_at + SRC_FRAME_EVERY;
	log_info("listening on %s for Automobilista 2 / Project CARS 2%s%s", s->listen_at.text,
	    cfg->pcars2_forward ? ", forwarding to " : "",
	    cfg->pcars2_forward ? s->io.forward.text : "");
	return 1;
}

const struct source src_pcars2 = {
	"pcars2",
	pc2_open,
	pc2_wait,
	pc2_ready,
	src_no_done,
	pc2_finished,
	pc2_leave,
	pc2_status,
	pc2_close,
};
