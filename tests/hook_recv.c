/*
 * hook-recv: a webhook receiver for the tests. Listens on 127.0.0.1 (an
 * ephemeral port, written to PORTFILE), reads HTTP/1.1 POSTs one at a time
 * and writes a line per request to OUT:
 *
 *	<status answered> TAB <X-Trackside-Delivery> TAB <path> TAB
 *	<Content-Type> TAB <User-Agent> TAB <body on one line>
 *
 * It answers 503 while the file DOWN exists or for the first FAIL
 * requests, 200 otherwise (-s: 204, as Discord does); -w keeps each
 * request waiting that many seconds before the answer (a receiver that
 * hangs).
 *
 *	hook-recv -p PORTFILE -o OUT [-d DOWN] [-f FAIL] [-s] [-w SECONDS]
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define REQ_MAX	(1 << 20)

static volatile sig_atomic_t stopping;

static int
usage(void)
{
	fprintf(stderr, "usage: hook-recv -p PORTFILE -o OUT [-d DOWN] [-f FAIL] [-s] "
	    "[-w SECONDS]\n");
	return 2;
}

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* The value of header name in the head (NUL-terminated) into out, "" when absent. */
static void
header(const char *head, const char *name, char *out, size_t outsz)
{
	size_t		 n = strlen(name);
	const char	*p = head;

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1, *e;
			while (*v == ' ')
				v++;
			e = strstr(v, "\r\n");
			snprintf(out, outsz, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
			for (char *q = out; *q; q++)
				if (*q == '\t')
					*q = ' ';
			return;
		}
	}
}

/* Reads one request from fd into buf. Returns its length (head + body), or -1. */
static long
read_request(int fd, char *buf, size_t cap, size_t *head_len, long *body_len)
{
	size_t	 got = 0;
	char	*end = NULL, cl[32];

	*body_len = 0;
	for (;;) {
		ssize_t n;
		if (end == NULL && got > 0) {
			buf[got] = '\0';
			if ((end = strstr(buf, "\r\n\r\n")) != NULL) {
				*head_len = (size_t)(end - buf) + 4;
				*end = '\0';
				header(buf, "Content-Length", cl, sizeof(cl));
				*end = '\r';
				*body_len = strtol(cl, NULL, 10);
				if (*body_len < 0 || *head_len + (size_t)*body_len >= cap)
					return -1;
			}
		}
		if (end != NULL && got >= *head_len + (size_t)*body_len)
			return (long)(*head_len + (size_t)*body_len);
		if (got + 1 >= cap)
			return -1;
		if ((n = read(fd, buf + got, cap - got - 1)) <= 0)
			return -1;
		got += (size_t)n;
	}
}

int
main(int argc, char *argv[])
{
	const char		*portfile = NULL, *out = NULL, *down = NULL;
	long			 fail = 0, seen = 0, hang = 0;
	int			 ch, ls, ok_status = 200;
	struct sockaddr_in	 sa;
	struct sigaction	 sig;
	socklen_t		 slen = sizeof(sa);
	FILE			*f, *pf;
	char			*buf;

	while ((ch = getopt(argc, argv, "d:f:o:p:sw:")) != -1) {
		switch (ch) {
		case 'd': down = optarg; break;
		case 'f': fail = strtol(optarg, NULL, 10); break;
		case 'o': out = optarg; break;
		case 'p': portfile = optarg; break;
		case 's': ok_status = 204; break;
		case 'w': hang = strtol(optarg, NULL, 10); break;
		default:
			return usage();
		}
	}
	if (portfile == NULL || out == NULL)
		return usage();
	memset(&sig, 0, sizeof(sig));
	sig.sa_handler = on_signal;	/* no SA_RESTART: accept() returns */
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGINT, &sig, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((buf = malloc(REQ_MAX)) == NULL || (f = fopen(out, "a")) == NULL) {
		perror("hook-recv");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 16) < 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &slen) < 0) {
		perror("hook-recv: listen");
		return 1;
	}
	if ((pf = fopen(portfile, "w")) == NULL) {
		perror(portfile);
		return 1;
	}
	fprintf(pf, "%d\n", ntohs(sa.sin_port));
	fclose(pf);
	while (!stopping) {
		struct timeval	 tv = { 5, 0 };
		struct stat	 st;
		size_t		 head_len = 0;
		long		 body_len, len;
		char		 id[64], ctype[128], ua[128], path[256], resp[256];
		int		 fd, status;

		if ((fd = accept(ls, NULL, NULL)) < 0) {
			if (errno == EINTR)
				continue;
			perror("hook-recv: accept");
			return 1;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		/* one request per connection: it answers Connection: close */
		if ((len = read_request(fd, buf, REQ_MAX, &head_len, &body_len)) < 0) {
			close(fd);
			continue;
		}
		buf[head_len - 4] = '\0';
		header(buf, "X-Trackside-Delivery", id, sizeof(id));
		header(buf, "Content-Type", ctype, sizeof(ctype));
		header(buf, "User-Agent", ua, sizeof(ua));
		if (sscanf(buf, "%*s %255s", path) != 1)
			snprintf(path, sizeof(path), "?");
		seen++;
		status = seen <= fail || (down != NULL && stat(down, &st) == 0) ? 503 : ok_status;
		for (long i = 0; i < body_len; i++)
			if (buf[head_len + (size_t)i] == '\n' || buf[head_len + (size_t)i] == '\r')
				buf[head_len + (size_t)i] = ' ';
		fprintf(f, "%d\t%s\t%s\t%s\t%s\t%.*s\n", status, id, path, ctype, ua, (int)body_len,
		    buf + head_len);
		fflush(f);
		if (hang > 0)
			sleep((unsigned)hang);
		snprintf(resp, sizeof(resp), "HTTP/1.1 %d %s\r\nContent-Length: 0\r\n"
		    "Connection: close\r\n\r\n", status, status == 503 ? "Service Unavailable" :
		    status == 204 ? "No Content" : "OK");
		if (write(fd, resp, strlen(resp)) < 0)
			perror("hook-recv: write");
		close(fd);
	}
	fclose(f);
	free(buf);
	return 0;
}
