/*
 * A stand-in for an Assetto Corsa server's UDP side and for a second
 * plugin, for tests/t_client_ac.sh.
 *
 *	ac_send port
 *		prints a UDP port of 127.0.0.1 that is free now
 *	ac_send send HOST-PORT FILE
 *		sends each line of FILE (hex bytes of one datagram; "#" lines and
 *		blank lines skipped, "-" an empty datagram) to 127.0.0.1:PORT
 *	ac_send sample good|bad|session
 *		prints datagrams (as send reads them) of a short session with
 *		every kind of message, malformed ones of every kind, or car 7
 *		connecting before a new session
 *	ac_send listen PORT-FILE OUT [REPLY]
 *		binds 127.0.0.1 on a free port, writes the port to PORT-FILE and
 *		appends every datagram it gets to OUT as a hex line; with REPLY
 *		(hex) it answers each datagram with it. Runs until killed, five
 *		minutes at most.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acsp_build.h"

static int
udp_socket(int port)
{
	struct sockaddr_in	 a;
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
bound_port(int fd)
{
	struct sockaddr_in	 a;
	socklen_t		 len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	return ntohs(a.sin_port);
}

/* Hex text to bytes; returns the count, -1 when s is not hex. */
static long
unhex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;

	while (*s) {
		unsigned v;
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			s++;
			continue;
		}
		if (n == max || sscanf(s, "%2x", &v) != 1 || s[1] == '\0')
			return -1;
		out[n++] = (unsigned char)v;
		s += 2;
	}
	return (long)n;
}

static void
put(struct dg *d)
{
	if (d->n == 0)
		printf("-");
	for (size_t i = 0; i < d->n; i++)
		printf("%02x", d->b[i]);
	printf("\n");
	d->n = 0;
}

/* A session's datagrams, every message kind; malformed ones; a new session. */
static void
sample(const char *which)
{
	static const uint32_t name[] = { 'R', 0xe9, 'n', 0xe9, 0xd800 };
	struct dg d = { 0 };

	if (strcmp(which, "session") == 0) {
		dg_conn(&d, 51, "Seven", "76561198000000007", 7);
		put(&d);
		dg_session(&d, 50, 4, "Race", 3, -60000);
		put(&d);
		return;
	}
	if (strcmp(which, "good") != 0) {
		put(&d);			/* empty */
		dg_u8(&d, 99);
		dg_u8(&d, 1);
		put(&d);			/* unknown id */
		dg_car_update(&d, 3, 1.0f, 0.5f);
		d.n -= 3;
		put(&d);			/* truncated */
		dg_u8(&d, 58);
		dg_u8(&d, 3);
		dg_u8(&d, 0);
		put(&d);			/* trailing */
		dg_lap(&d, 3, 90000, 2, 8);
		d.n -= 1;
		put(&d);			/* rows fit no layout */
		return;
	}
	dg_u8(&d, 56);
	dg_u8(&d, 4);
	put(&d);
	dg_session(&d, 50, 4, "Race", 3, -15000);
	put(&d);
	dg_u8(&d, 51);
	dg_w32(&d, name, 5);
	dg_w(&d, "76561198000000003");
	dg_u8(&d, 3);
	dg_a(&d, "ks_porsche_911_gt3_r_2016");
	dg_a(&d, "00_official");
	put(&d);
	dg_u8(&d, 58);
	dg_u8(&d, 3);
	put(&d);
	dg_car_info(&d, 3, 1, "Rene");
	put(&d);
	for (int i = 0; i < 10; i++) {
		dg_car_update(&d, 3, (float)i, (float)i / 10);
		put(&d);
	}
	dg_lap(&d, 3, 91234, 2, 8);
	put(&d);
	dg_chat(&d, 3, "box box");
	put(&d);
	dg_event(&d, 10, 3, 5);
	put(&d);
	dg_event(&d, 11, 3, 0);
	put(&d);
	dg_u8(&d, 60);
	dg_w(&d, "ACSP_KICK_USER index 40 out of bound");
	put(&d);
	dg_session(&d, 59, 4, "Race", 3, 2000);
	put(&d);
	dg_conn(&d, 52, "Rene", "76561198000000003", 3);
	put(&d);
	dg_u8(&d, 55);
	dg_w(&d, "results/2026_12_6_6_0_RACE.json");
	put(&d);
}

int
main(int argc, char *argv[])
{
	static unsigned char	 b[65536], reply[65536];
	struct sockaddr_in	 to, from;
	socklen_t		 flen;
	char			 line[140000];
	long			 n, nreply = -1;
	int			 fd;
	FILE			*f, *out;

	if (argc == 2 && strcmp(argv[1], "port") == 0) {
		if ((fd = udp_socket(0)) < 0)
			return 1;
		printf("%d\n", bound_port(fd));
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "sample") == 0) {
		sample(argv[2]);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "send") == 0) {
		if ((fd = udp_socket(0)) < 0 || (f = fopen(argv[3], "r")) == NULL)
			return 1;
		memset(&to, 0, sizeof(to));
		to.sin_family = AF_INET;
		to.sin_port = htons((unsigned short)atoi(argv[2]));
		to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		while (fgets(line, sizeof(line), f) != NULL) {
			if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
				continue;
			n = line[0] == '-' ? 0 : unhex(line, b, sizeof(b));
			if (n < 0) {
				fprintf(stderr, "ac_send: not hex: %s", line);
				return 1;
			}
			if (sendto(fd, b, (size_t)n, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
				perror("ac_send: sendto");
				return 1;
			}
		}
		fclose(f);
		return 0;
	}
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "listen") == 0) {
		if (argc == 5 && (nreply = unhex(argv[4], reply, sizeof(reply))) < 0)
			return 1;
		if ((fd = udp_socket(0)) < 0 || (out = fopen(argv[3], "a")) == NULL)
			return 1;
		alarm(300);
		snprintf(line, sizeof(line), "%s.tmp", argv[2]);
		if ((f = fopen(line, "w")) == NULL)
			return 1;
		fprintf(f, "%d\n", bound_port(fd));
		if (fclose(f) != 0 || rename(line, argv[2]) < 0)
			return 1;
		for (;;) {
			flen = sizeof(from);
			if ((n = recvfrom(fd, b, sizeof(b), 0, (struct sockaddr *)&from, &flen)) < 0)
				return 1;
			for (long i = 0; i < n; i++)
				fprintf(out, "%02x", b[i]);
			fputc('\n', out);
			fflush(out);
			if (nreply >= 0)
				sendto(fd, reply, (size_t)nreply, 0, (struct sockaddr *)&from, flen);
		}
	}
	fprintf(stderr, "usage: ac_send port | sample good|bad|session | send PORT FILE | "
	    "listen PORT-FILE OUT [REPLY]\n");
	return 2;
}
