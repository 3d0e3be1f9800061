/*
 * live-hub-null: the trivial fan-out hub the live benchmark compares the
 * real one with. One epoll loop: subscribers connect on a unix socket (nginx
 * proxies /live/ to it), get a 200 event-stream header, and every datagram
 * that arrives on the control socket is written as one event to each of
 * them. No state, no ring, no database.
 *
 *	live-hub-null LIVE_SOCKET CONTROL_SOCKET
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXFD 65536

static char	*pending[MAXFD];	/* what a slow subscriber still has to get */
static size_t	 plen[MAXFD];
static int	 subscribed[MAXFD];
static int	 ep;

static int
listen_unix(const char *path, int type)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 1024) < 0)) {
		perror(path);
		exit(1);
	}
	return fd;
}

/* Writes to a subscriber, keeping what does not fit until it can take it. */
static void
send_to(int fd, const char *p, size_t n)
{
	struct epoll_event e = { .events = EPOLLIN | EPOLLOUT, .data.fd = fd };
	ssize_t w;

	if (plen[fd] == 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN) {
			subscribed[fd] = 0;
			close(fd);
			return;
		}
		if (w < 0)
			w = 0;
		p += w;
		n -= (size_t)w;
	}
	if (n > 0) {
		if (plen[fd] == 0)
			epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
		pending[fd] = realloc(pending[fd], plen[fd] + n);
		memcpy(pending[fd] + plen[fd], p, n);
		plen[fd] += n;
	}
}

int
main(int argc, char *argv[])
{
	static char	 buf[1 << 20], ev[(1 << 20) + 64];
	struct epoll_event e, got[256];
	int		 lfd, cfd;

	if (argc != 3) {
		fprintf(stderr, "usage: live-hub-null LIVE_SOCKET CONTROL_SOCKET\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_unix(argv[1], SOCK_STREAM);
	cfd = listen_unix(argv[2], SOCK_DGRAM);
	ep = epoll_create1(0);
	e.events = EPOLLIN;
	e.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &e);
	e.data.fd = cfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &e);
	for (unsigned long long seq = 1;; ) {
		int n = epoll_wait(ep, got, 256, -1);
		for (int i = 0; i < n; i++) {
			int fd = got[i].data.fd;
			if (fd == lfd) {
				int s;
				while ((s = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0 && s < MAXFD) {
					e.events = EPOLLIN;
					e.data.fd = s;
					epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
				}
			} else if (fd == cfd) {
				ssize_t r;
				while ((r = recv(cfd, buf, sizeof(buf) - 1, 0)) > 0) {
					int len = snprintf(ev, sizeof(ev), "id: %llu\nevent: delta\ndata: %.*s\n\n",
					    seq++, (int)r, buf);
					for (int s = 0; s < MAXFD; s++)
						if (subscribed[s])
							send_to(s, ev, (size_t)len);
				}
			} else if (got[i].events & EPOLLOUT) {
				ssize_t w = send(fd, pending[fd], plen[fd], MSG_NOSIGNAL);
				if (w > 0) {
					memmove(pending[fd], pending[fd] + w, plen[fd] - (size_t)w);
					plen[fd] -= (size_t)w;
				}
				if (plen[fd] == 0) {
					e.events = EPOLLIN;
					e.data.fd = fd;
					epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
				}
			} else {
				ssize_t r = read(fd, buf, sizeof(buf));
				if (r <= 0) {
					subscribed[fd] = 0;
					plen[fd] = 0;
					close(fd);
				} else if (!subscribed[fd] && memmem(buf, (size_t)r, "\r\n\r\n", 4)) {
					static const char hdr[] = "HTTP/1.1 200 OK\r\n"
					    "Content-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
					    "Connection: close\r\n\r\nretry: 2000\n\n";
					subscribed[fd] = 1;
					send_to(fd, hdr, sizeof(hdr) - 1);
				}
			}
		}
	}
}
