/*
 * live-flood: opens N live views at once, as many viewers would, and holds
 * them until SIGTERM or the time is up. Prints "connected" once every
 * connection is made, "answered" once each has an answer (or was closed),
 * and at the end how each was answered:
 *
 *	200 <n>		streams that started
 *	503 <n>		refused as busy (nginx's cap), with Retry-After and a JSON error
 *	429 <n>		refused by nginx's per-address limit, with a JSON error
 *	other <n>	any other answer, or a 503/429 without those
 *	none <n>	no answer, or no connection
 *
 *	live-flood -p HOST:PORT [-a K] [-n N] [-t seconds] PATH
 * -a spreads the viewers over K loopback addresses (127.0.0.2 and up), as
 * viewers from many places. One process, one poll loop: a thousand viewers
 * cost a thousand sockets, not a thousand curl processes.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX 1024

struct viewer {
	int	 fd;
	char	 head[HEAD_MAX];	/* the first bytes of the answer */
	size_t	 len;
};

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* A connected socket, from 127.0.0.(2 + from) when from >= 0, or -1. */
static int
dial(const char *hostport, int from)
{
	struct timeval		 tv = { .tv_sec = 2 };
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	char			 host[64];
	const char		*colon = strrchr(hostport, ':');
	int			 fd;

	if (colon == NULL || (size_t)(colon - hostport) >= sizeof(host))
		return -1;
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	sin.sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1 || (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (from >= 0) {
		struct sockaddr_in src = { .sin_family = AF_INET };
		src.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)from);
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
			close(fd);
			return -1;
		}
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* What an answer is: 200, 503, 429 (each only when well formed), 1 other, 0 none. */
static int
classify(const struct viewer *v)
{
	int status;

	if (v->len == 0 || sscanf(v->head, "HTTP/1.%*d %d", &status) != 1)
		return v->len == 0 ? 0 : 1;
	if (status == 200)
		return strstr(v->head, "text/event-stream") ? 200 : 1;
	if (status == 503)
		return strstr(v->head, "\r\nRetry-After: ") && strstr(v->head, "\"error\":\"busy\"") ?
		    503 : 1;
	if (status == 429)
		return strstr(v->head, "application/json") && strstr(v->head, "\"error\":") ? 429 : 1;
	return 1;
}

int
main(int argc, char *argv[])
{
	struct viewer	*v;
	struct pollfd	*pf;
	const char	*hostport = NULL;
	char		 req[512], tmp[16384];
	int		 n = 100, ch, count[5] = { 0 }, answered = 0, addrs = 0;
	double		 secs = 30;
	time_t		 end;

	while ((ch = getopt(argc, argv, "a:n:p:t:")) != -1) {
		switch (ch) {
		case 'a': addrs = atoi(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 'p': hostport = optarg; break;
		case 't': secs = atof(optarg); break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc || hostport == NULL || n < 1 || n > 100000 ||
	    addrs < 0 || addrs > 250)
		goto usage;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_term);
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost\r\nAccept: "
	    "text/event-stream\r\n\r\n", argv[optind]);
	if ((v = calloc((size_t)n, sizeof(*v))) == NULL || (pf = calloc((size_t)n, sizeof(*pf))) == NULL)
		return 1;
	end = time(NULL) + (time_t)secs;
	for (int i = 0; i < n && !stop; i++) {
		/* A refusal may come before the request is written: it is read all the same. */
		if ((v[i].fd = dial(hostport, addrs > 0 ? i % addrs : -1)) >= 0)
			(void)write(v[i].fd, req, strlen(req));
	}
	printf("connected\n");
	fflush(stdout);
	while (!stop && time(NULL) < end) {
		int np = 0;
		for (int i = 0; i < n; i++)
			if (v[i].fd >= 0) {
				pf[np].fd = v[i].fd;
				pf[np++].events = POLLIN;
			}
		if (np == 0 || poll(pf, (nfds_t)np, 100) < 0)
			break;
		for (int i = 0; i < n; i++) {
			ssize_t got;
			if (v[i].fd < 0)
				continue;
			while ((got = read(v[i].fd, tmp, sizeof(tmp))) > 0) {
				size_t k = (size_t)got < HEAD_MAX - 1 - v[i].len ? (size_t)got :
				    HEAD_MAX - 1 - v[i].len;
				memcpy(v[i].head + v[i].len, tmp, k);
				v[i].len += k;
				v[i].head[v[i].len] = '\0';
			}
			if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
				close(v[i].fd);
				v[i].fd = -1;
			}
		}
		if (!answered) {
			answered = 1;
			for (int i = 0; i < n; i++)
				answered &= v[i].fd < 0 || v[i].len > 0;
			if (answered) {
				printf("answered\n");
				fflush(stdout);
			}
		}
	}
	for (int i = 0; i < n; i++) {
		int c = classify(&v[i]);
		count[c == 200 ? 2 : c == 503 ? 3 : c == 429 ? 4 : c]++;
		if (v[i].fd >= 0)
			close(v[i].fd);
	}
	printf("200 %d\n503 %d\n429 %d\nother %d\nnone %d\n", count[2], count[3], count[4],
	    count[1], count[0]);
	free(v);
	free(pf);
	return 0;
usage:
	fprintf(stderr, "usage: live-flood -p HOST:PORT [-a K] [-n N] [-t seconds] PATH\n");
	return 2;
}
