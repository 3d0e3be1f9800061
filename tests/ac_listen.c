/*
 * ac_listen: a minimal Assetto Corsa server plugin for the tests
 * (spec/ac-udp.md). It listens on a UDP port, writes each datagram it gets
 * as a JSON line (decoded as far as the tests check), and asks the server
 * what a plugin asks: at the first NEW_CONNECTION the version (56), the
 * current session (204 -1), a session that does not exist (204 99) and a
 * car out of range (201 250); the current session again at every
 * NEW_SESSION, and at the first of those after a connection, only then,
 * the realtime interval (200), so that a whole session passes without it;
 * the car info (201) of every car that loaded.
 * Each request sent is a line too ({"sent":ID}).
 *
 *	ac_listen --port-file F --server-port-file F --out FILE
 *	    [--interval MS] [--until FILE] [--timeout S]
 *
 * It exits 0 a second after the --until file appears, 1 at the timeout.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trackside.h"

struct rd {
	const unsigned char	*p;
	size_t			 n, off;
	int			 bad;
};

static unsigned
rd_u8(struct rd *r)
{
	if (r->off + 1 > r->n) {
		r->bad = 1;
		return 0;
	}
	return r->p[r->off++];
}

static unsigned
rd_u16(struct rd *r)
{
	unsigned v = rd_u8(r);

	return v | rd_u8(r) << 8;
}

static uint32_t
rd_u32(struct rd *r)
{
	uint32_t v = rd_u16(r);

	return v | (uint32_t)rd_u16(r) << 16;
}

static double
rd_f32(struct rd *r)
{
	uint32_t	 v = rd_u32(r);
	float		 f;

	memcpy(&f, &v, sizeof(f));
	return f;
}

/* An "A" string into out as a JSON string. */
static void
rd_a(struct rd *r, struct buf *out)
{
	unsigned n = rd_u8(r);

	buf_putc(out, '"');
	if (r->off + n > r->n)
		r->bad = 1;
	else
		esc_json(out, (const char *)r->p + r->off, n);
	r->off += n;
	buf_putc(out, '"');
}

/* A "W" string (UTF-32LE) into out as a JSON string, UTF-8 encoded. */
static void
rd_w(struct rd *r, struct buf *out)
{
	unsigned	 n = rd_u8(r);
	struct buf	 s = { 0 };

	for (unsigned i = 0; i < n && !r->bad; i++) {
		uint32_t c = rd_u32(r);
		if (c < 0x80)
			buf_putc(&s, (int)c);
		else if (c < 0x800) {
			buf_putc(&s, (int)(0xc0 | c >> 6));
			buf_putc(&s, (int)(0x80 | (c & 0x3f)));
		} else if (c < 0x10000) {
			buf_putc(&s, (int)(0xe0 | c >> 12));
			buf_putc(&s, (int)(0x80 | (c >> 6 & 0x3f)));
			buf_putc(&s, (int)(0x80 | (c & 0x3f)));
		} else {
			buf_putc(&s, (int)(0xf0 | c >> 18));
			buf_putc(&s, (int)(0x80 | (c >> 12 & 0x3f)));
			buf_putc(&s, (int)(0x80 | (c >> 6 & 0x3f)));
			buf_putc(&s, (int)(0x80 | (c & 0x3f)));
		}
	}
	buf_putc(out, '"');
	esc_json(out, s.p ? s.p : "", s.len);
	buf_putc(out, '"');
	buf_free(&s);
}

static void
key(struct buf *b, const char *k)
{
	buf_printf(b, ",\"%s\":", k);
}

/* Reads the next field and writes it as "k": value, in the order read. */
static void
u8(struct rd *r, struct buf *b, const char *k)
{
	unsigned v = rd_u8(r);

	buf_printf(b, ",\"%s\":%u", k, v);
}

static void
u16(struct rd *r, struct buf *b, const char *k)
{
	unsigned v = rd_u16(r);

	buf_printf(b, ",\"%s\":%u", k, v);
}

static void
u32(struct rd *r, struct buf *b, const char *k)
{
	uint32_t v = rd_u32(r);

	buf_printf(b, ",\"%s\":%u", k, v);
}

static void
a_str(struct rd *r, struct buf *b, const char *k)
{
	key(b, k);
	rd_a(r, b);
}

static void
w_str(struct rd *r, struct buf *b, const char *k)
{
	key(b, k);
	rd_w(r, b);
}

/* Decodes one datagram into a JSON line. Returns its id. */
static int
decode(const unsigned char *p, size_t n, double t, struct buf *b)
{
	struct rd	 r = { p, n, 0, 0 };
	unsigned	 id = rd_u8(&r), k;

	buf_printf(b, "{\"t\":%.3f,\"id\":%u,\"len\":%zu", t, id, n);
	switch (id) {
	case 50: case 59:
		u8(&r, b, "proto");
		u8(&r, b, "index");
		u8(&r, b, "current");
		u8(&r, b, "count");
		w_str(&r, b, "server");
		a_str(&r, b, "track");
		a_str(&r, b, "config");
		a_str(&r, b, "name");
		u8(&r, b, "type");
		u16(&r, b, "time");
		u16(&r, b, "laps");
		u16(&r, b, "wait");
		u8(&r, b, "ambient");
		u8(&r, b, "road");
		a_str(&r, b, "weather");
		buf_printf(b, ",\"elapsed\":%d", (int32_t)rd_u32(&r));
		break;
	case 51: case 52:
		w_str(&r, b, "name");
		w_str(&r, b, "guid");
		u8(&r, b, "car");
		a_str(&r, b, "model");
		a_str(&r, b, "skin");
		break;
	case 53:
		u8(&r, b, "car");
		for (int i = 0; i < 6; i++)
			rd_f32(&r);
		u8(&r, b, "gear");
		u16(&r, b, "rpm");
		buf_printf(b, ",\"spline\":%.4f", rd_f32(&r));
		break;
	case 54:
		u8(&r, b, "car");
		u8(&r, b, "connected");
		w_str(&r, b, "model");
		w_str(&r, b, "skin");
		w_str(&r, b, "name");
		w_str(&r, b, "team");
		w_str(&r, b, "guid");
		break;
	case 55: case 60:
		w_str(&r, b, id == 55 ? "path" : "message");
		break;
	case 56:
		u8(&r, b, "proto");
		break;
	case 57:
		u8(&r, b, "car");
		w_str(&r, b, "message");
		break;
	case 58:
		u8(&r, b, "car");
		break;
	case 73:
		u8(&r, b, "car");
		u32(&r, b, "time");
		u8(&r, b, "cuts");
		k = rd_u8(&r);
		buf_puts(b, ",\"board\":[");
		for (unsigned i = 0; i < k && !r.bad; i++) {
			unsigned car = rd_u8(&r);
			uint32_t time = rd_u32(&r);
			unsigned laps = rd_u16(&r), fin = rd_u8(&r);
			buf_printf(b, "%s[%u,%u,%u,%u]", i ? "," : "", car, time, laps, fin);
		}
		buf_printf(b, "],\"grip\":%.3f", rd_f32(&r));
		break;
	case 130:
		k = rd_u8(&r);
		buf_printf(b, ",\"type\":%u", k);
		u8(&r, b, "car");
		if (k == 10)
			u8(&r, b, "other");
		buf_printf(b, ",\"speed\":%.2f", rd_f32(&r));
		for (int i = 0; i < 6; i++)
			rd_f32(&r);
		break;
	default:
		break;
	}
	buf_printf(b, ",\"ok\":%s}\n", !r.bad && r.off == n ? "true" : "false");
	return (int)id;
}

static int	 fd = -1;
static struct sockaddr_in server;
static int	 have_server;
static FILE	*out;

/* Sends request id with its payload, and says so in the output. */
static void
request(unsigned id, const unsigned char *pay, size_t n, const char *what)
{
	unsigned char	 dg[16];

	if (!have_server)
		return;
	dg[0] = (unsigned char)id;
	if (n > 0)
		memcpy(dg + 1, pay, n);
	if (sendto(fd, dg, n + 1, 0, (struct sockaddr *)&server, sizeof(server)) < 0)
		fprintf(stderr, "ac_listen: sendto: %s\n", strerror(errno));
	fprintf(out, "{\"t\":%.3f,\"sent\":%u,\"what\":\"%s\"}\n", time_mono(), id, what);
}

int
main(int argc, char *argv[])
{
	static struct option lo[] = {
		{ "port-file", required_argument, NULL, 'p' },
		{ "server-port-file", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "interval", required_argument, NULL, 'i' },
		{ "until", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*portfile = NULL, *spf = NULL, *outf = NULL, *until = NULL;
	struct sockaddr_in	 sa;
	socklen_t		 salen = sizeof(sa);
	long long		 interval = 100;
	double			 timeout = 120, t0, end_at = -1;
	int			 ch, connected = 0, asked = 0;
	unsigned char		 iv[2];
	char			 line[32];

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'p': portfile = optarg; break;
		case 's': spf = optarg; break;
		case 'o': outf = optarg; break;
		case 'i':
			if (!num_parse_ll(optarg, 0, 65535, &interval))
				return 2;
			break;
		case 'u': until = optarg; break;
		case 't':
			if (!num_parse_d(optarg, 1, 3600, &timeout))
				return 2;
			break;
		default:
			return 2;
		}
	}
	if (!portfile || !spf || !outf) {
		fprintf(stderr, "usage: ac_listen --port-file F --server-port-file F --out FILE "
		    "[--interval MS] [--until FILE] [--timeout S]\n");
		return 2;
	}
	if ((out = fopen(outf, "w")) == NULL) {
		fprintf(stderr, "ac_listen: %s: %s\n", outf, strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen) < 0) {
		fprintf(stderr, "ac_listen: %s\n", strerror(errno));
		return 1;
	}
	snprintf(line, sizeof(line), "%u\n", ntohs(sa.sin_port));
	if (file_write_durable(".", portfile, line, strlen(line)) < 0) {
		fprintf(stderr, "ac_listen: %s: %s\n", portfile, strerror(errno));
		return 1;
	}
	iv[0] = (unsigned char)(interval & 0xff);
	iv[1] = (unsigned char)(interval >> 8);
	t0 = time_mono();
	for (;;) {
		struct pollfd	 pfd = { fd, POLLIN, 0 };
		unsigned char	 dg[4096];
		double		 now = time_mono();
		ssize_t		 n;

		if (now - t0 > timeout) {
			fprintf(stderr, "ac_listen: timed out after %.0f s\n", timeout);
			fclose(out);
			return 1;
		}
		if (end_at < 0 && until && access(until, F_OK) == 0)
			end_at = now + 1.0;
		if (end_at >= 0 && now >= end_at)
			break;
		if (!have_server) {
			struct buf	 s = { 0 };
			long long	 port;
			if (file_read(spf, 64, &s) > 0 && s.len > 1 && s.p[s.len - 1] == '\n') {
				s.p[s.len - 1] = '\0';
				if (num_parse_ll(s.p, 1, 65535, &port)) {
					server = sa;
					server.sin_port = htons((uint16_t)port);
					have_server = 1;
				}
			}
			buf_free(&s);
		}
		if (poll(&pfd, 1, 50) <= 0 || (n = recv(fd, dg, sizeof(dg), 0)) <= 0)
			continue;
		struct buf	 b = { 0 };
		int		 id = decode(dg, (size_t)n, time_mono(), &b);
		fwrite(b.p, 1, b.len, out);
		buf_free(&b);
		if (id == 51 && !connected++) {
			request(56, NULL, 0, "version");
			request(204, (const unsigned char *)"\xff\xff", 2, "session -1");
			request(204, (const unsigned char *)"\x63\x00", 2, "session 99");
			request(201, (const unsigned char *)"\xfa", 1, "car 250");
		} else if (id == 50 && connected) {
			if (!asked++)
				request(200, iv, 2, "interval");
			request(204, (const unsigned char *)"\xff\xff", 2, "session -1");
		} else if (id == 58 && n >= 2) {
			request(201, dg + 1, 1, "car");
		}
		fflush(out);
	}
	fclose(out);
	return 0;
}
