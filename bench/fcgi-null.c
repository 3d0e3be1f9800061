/*
 * fcgi-null: the trivial FastCGI responder the benchmarks compare against:
 * the same libfcgi thread pool as trackside-fcgi, reads the whole body and
 * answers a fixed small JSON (202 for POST, 200 for GET). Nothing else.
 *
 *	fcgi-null SOCKET [THREADS]
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int		 sock;
static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;

static void *
serve(void *arg)
{
	FCGX_Request	 r;
	char		 buf[65536];
	int		 rc;

	(void)arg;
	FCGX_InitRequest(&r, sock, 0);
	for (;;) {
		pthread_mutex_lock(&lock);
		rc = FCGX_Accept_r(&r);
		pthread_mutex_unlock(&lock);
		if (rc < 0)
			break;
		while (FCGX_GetStr(buf, sizeof(buf), r.in) > 0)
			;
		const char *m = FCGX_GetParam("REQUEST_METHOD", r.envp);
		int post = m && strcmp(m, "POST") == 0;
		FCGX_FPrintF(r.out, "Status: %s\r\nContent-Type: application/json\r\n"
		    "Content-Length: 26\r\n\r\n{\"ack\":1,\"session\":null}\r\n", post ? "202 Accepted" : "200 OK");
		FCGX_Finish_r(&r);
	}
	return NULL;
}

/* libfcgi swallows SIGTERM unless a handler is set first: stop at once. */
static void
on_term(int sig)
{
	(void)sig;
	_exit(0);
}

int
main(int argc, char *argv[])
{
	int		 n = argc > 2 ? atoi(argv[2]) : 16;
	pthread_t	 th[256];

	if (argc < 2 || n < 1 || n > 256) {
		fprintf(stderr, "usage: fcgi-null SOCKET [THREADS]\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	FCGX_Init();
	unlink(argv[1]);
	umask(0);
	if ((sock = FCGX_OpenSocket(argv[1], 128)) < 0) {
		perror(argv[1]);
		return 1;
	}
	for (int i = 0; i < n; i++)
		pthread_create(&th[i], NULL, serve, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	return 0;
}
