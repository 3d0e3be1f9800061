/*
 * trackside-fcgi: the FastCGI transport. A pool of threads accepts on one
 * socket (FCGX_Accept_r), turns each request into a struct req, runs the
 * route table and writes the struct resp back. Nothing else here knows
 * FastCGI. SIGTERM and SIGINT stop accepting, let running requests finish
 * and exit.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <fcgiapp.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fcgi.h"
#include "db.h"
#include "drive.h"
#include "tmpl.h"

static pthread_mutex_t	 accept_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int	 stopping;
static int		 listen_fd = -1;
static struct app	 app;
static struct timeval	 read_timeout = { 30, 0 };	/* per read from nginx */

static const char *
env(FCGX_Request *r, const char *name)
{
	const char *v = FCGX_GetParam(name, r->envp);

	return v && *v ? v : NULL;
}

/*
 * Reads up to cap bytes of body. Returns 1, 0 when the body is larger than
 * cap (the request is answered 413), -1 on a read error.
 */
static int
read_body(FCGX_Request *r, size_t announced, size_t cap, struct buf *out)
{
	char	 chunk[65536];
	int	 n;

	if (announced > cap)
		return 0;
	if (buf_grow(out, announced) < 0)
		return -1;
	while ((n = FCGX_GetStr(chunk, sizeof(chunk), r->in)) > 0) {
		if (out->len + (size_t)n > cap)
			return 0;
		if (buf_add(out, chunk, (size_t)n) < 0)
			return -1;
	}
	return FCGX_GetError(r->in) == 0 ? 1 : -1;
}

static void
write_resp(FCGX_Request *r, const struct req *q, const struct resp *p)
{
	FCGX_FPrintF(r->out, "Status: %d %s\r\nContent-Type: %s\r\n", p->status,
	    status_text(p->status), p->ctype ? p->ctype : "text/plain; charset=utf-8");
	if (p->headers.len)
		FCGX_PutStr(p->headers.p, (int)p->headers.len, r->out);
	/* a 304 has no body, and no length but that of the 200 it stands for */
	if (p->status == 304)
		FCGX_PutS("\r\n", r->out);
	else
		FCGX_FPrintF(r->out, "Content-Length: %lu\r\n\r\n", (unsigned long)p->body.len);
	if (q->method != METHOD_HEAD && p->body.len)
		FCGX_PutStr(p->body.p, (int)p->body.len, r->out);
}

static void
serve(FCGX_Request *r, sqlite3 **db, sqlite3_stmt **cache)
{
	struct req	 q;
	struct resp	 p;
	struct buf	 body = { 0 }, err = { 0 };
	const char	*m = env(r, "REQUEST_METHOD"), *cl = env(r, "CONTENT_LENGTH"), *v;
	long long	 len = 0;
	int		 rc;

	memset(&q, 0, sizeof(q));
	resp_init(&p);
	q.app = &app;
	q.method = METHOD__MAX;
	for (int i = 0; m && i < METHOD__MAX; i++)
		if (strcmp(m, method_names[i]) == 0)
			q.method = (enum method)i;
	q.path = env(r, "DOCUMENT_URI");
	if (q.path == NULL)
		q.path = env(r, "SCRIPT_NAME");
	if (q.path == NULL)
		q.path = "/";
	q.query = env(r, "QUERY_STRING");
	q.content_type = env(r, "CONTENT_TYPE");
	q.content_encoding = env(r, "HTTP_CONTENT_ENCODING");
	q.authorization = env(r, "HTTP_AUTHORIZATION");
	q.sent_at = env(r, "HTTP_TRACKSIDE_SENT_AT");
	q.remote_addr = env(r, "REMOTE_ADDR");
	q.cookie = env(r, "HTTP_COOKIE");
	q.origin = env(r, "HTTP_ORIGIN");
	q.if_none_match = env(r, "HTTP_IF_NONE_MATCH");
	/* The Host as the browser sent it, port included (see trackside.conf.in). */
	if ((q.host = env(r, "TRACKSIDE_HOST")) == NULL)
		q.host = env(r, "HTTP_HOST");
	q.https = (v = env(r, "HTTPS")) != NULL && strcasecmp(v, "on") == 0;
	if (cl != NULL && !num_parse_ll(cl, 0, (long long)1 << 40, &len)) {
		resp_error(&p, 400, "bad_request", "Content-Length is not a number.");
		goto out;
	}
	q.content_length = (size_t)len;
	if (*db == NULL && !db_open(db, app.db_path, DB_RO, &err)) {
		log_err("database: %s", err.p);
		resp_error(&p, 503, "unavailable", "The database cannot be opened.");
		goto out;
	}
	q.db = *db;
	q.cache = cache;
	if (len > 0 && q.method == METHOD_POST) {
		size_t cap = route_body_cap(&app, q.path, q.method);
		if ((rc = read_body(r, q.content_length, cap, &body)) <= 0) {
			if (rc == 0)
				resp_error(&p, 413, "too_large",
				    "The body is larger than the %zu bytes this server accepts.", cap);
			else
				resp_error(&p, 400, "bad_request", "The body could not be read.");
			goto out;
		}
		q.body = body.p;
		q.bodylen = body.len;
	}
	app_dispatch(&q, &p);
out:
	write_resp(r, &q, &p);
	req_free(&q);
	resp_free(&p);
	buf_free(&body);
	buf_free(&err);
}

/* Bounds every read from fd (nginx's connection) by read_timeout. */
static void
recv_timeout(int fd)
{
	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &read_timeout, sizeof(read_timeout)) < 0)
		log_warn("SO_RCVTIMEO: %s", strerror(errno));
}

static void *
worker(void *arg)
{
	FCGX_Request	 r;
	sqlite3		*db = NULL;
	sqlite3_stmt	*cache[RS__MAX] = { NULL };
	int		 rc;

	(void)arg;
	if (FCGX_InitRequest(&r, listen_fd, 0) != 0) {
		log_err("FCGX_InitRequest failed");
		return NULL;
	}
	while (!stopping) {
		pthread_mutex_lock(&accept_lock);
		/*
		 * Accepted here, so that a peer that stalls while sending its
		 * request (parameters or body) times out instead of holding
		 * this thread: FCGX_Accept_r reads from the descriptor it is
		 * given (keepConnection stops it closing that one first; the
		 * request's own flags set it again).
		 */
		if (!stopping && (r.ipcFd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			recv_timeout(r.ipcFd);
			r.keepConnection = 1;
		}
		rc = stopping ? -1 : FCGX_Accept_r(&r);
		pthread_mutex_unlock(&accept_lock);
		if (rc < 0)
			break;
		recv_timeout(r.ipcFd);	/* when libfcgi accepted again itself */
		serve(&r, &db, cache);
		FCGX_Finish_r(&r);
	}
	FCGX_Free(&r, 1);
	for (int i = 0; i < RS__MAX; i++)
		sqlite3_finalize(cache[i]);
	db_close(db);
	return NULL;
}

/*
 * A number of seconds in [min, max] from the config into *out, left as it
 * is when the key is absent. Returns 1, or 0 after logging a bad value.
 */
static int
conf_seconds(const struct conf *conf, const char *key, long long min, long long max, double *out)
{
	const char	*v = conf_get(conf, key);
	long long	 ll;

	if (v == NULL)
		return 1;
	if (!num_parse_ll(v, min, max, &ll)) {
		log_err("%s must be %lld to %lld seconds, not \"%s\"", key, min, max, v);
		return 0;
	}
	*out = (double)ll;
	return 1;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: trackside-fcgi [-d] [-c config] [-s socket] [-D database] [-i inbox]\n"
	    "                      [-t templates] [-n threads] [-u user]\n"
	    "Config file default: %s/trackside/trackside.conf\n", SYSCONFDIR);
}

int
main(int argc, char *argv[])
{
	struct conf	 conf = { 0 }, flags = { 0 };
	struct buf	 err = { 0 };
	const char	*cfile = SYSCONFDIR "/trackside/trackside.conf", *v;
	const char	*sock, *tdir, *user;
	int		 fg = 0, ch, cfile_given = 0, rc;
	long long	 nthreads, ll;
	enum log_level	 lvl = LOG_LVL_INFO;
	sigset_t	 sigs;
	pthread_t	*th;
	struct tmpl_set	*tmpl = NULL;

	if (daemon_fds() < 0)
		return 1;
	while ((ch = getopt(argc, argv, "c:dD:hi:n:s:t:u:")) != -1) {
		switch (ch) {
		case 'c': cfile = optarg; cfile_given = 1; break;
		case 'd': fg = 1; break;
		case 'D': conf_set(&flags, "database", optarg); break;
		case 'i': conf_set(&flags, "inbox", optarg); break;
		case 'n': conf_set(&flags, "fcgi_threads", optarg); break;
		case 's': conf_set(&flags, "fcgi_socket", optarg); break;
		case 't': conf_set(&flags, "templates", optarg); break;
		case 'u': conf_set(&flags, "user", optarg); break;
		default: usage(); return ch == 'h' ? 0 : 2;
		}
	}
	if (!daemon_conf(&conf, cfile, cfile_given, &flags, &err)) {
		fprintf(stderr, "trackside-fcgi: %s\n", err.p);
		return 1;
	}
	if ((v = conf_get(&conf, "log_level")) && !log_level_parse(v, &lvl)) {
		fprintf(stderr, "trackside-fcgi: log_level: unknown level %s\n", v);
		return 1;
	}
	log_init("trackside-fcgi", fg, lvl);

	app.db_path = conf_get(&conf, "database");
	if (app.db_path == NULL)
		app.db_path = LOCALSTATEDIR "/lib/trackside/trackside.db";
	app.inbox = conf_get(&conf, "inbox");
	if (app.inbox == NULL)
		app.inbox = LOCALSTATEDIR "/lib/trackside/inbox";
	sock = conf_get(&conf, "fcgi_socket");
	if (sock == NULL)
		sock = "/run/trackside/fcgi.sock";
	tdir = conf_get(&conf, "templates");
	if (tdir == NULL)
		tdir = PKGDATADIR "/templates";
	user = conf_get(&conf, "user");
	nthreads = 16;
	if ((v = conf_get(&conf, "fcgi_threads")) && !num_parse_ll(v, 1, 256, &nthreads)) {
		log_err("fcgi_threads: expected 1..256, got %s", v);
		return 1;
	}
	app.max_body = 2u << 20;
	if ((v = conf_get(&conf, "max_body")) && num_parse_ll(v, 1024, 1LL << 30, &ll))
		app.max_body = (size_t)ll;
	app.max_inflated = 16u << 20;
	if ((v = conf_get(&conf, "max_inflated")) && num_parse_ll(v, 1024, 1LL << 32, &ll))
		app.max_inflated = (size_t)ll;
	app.min_free_mb = 64;
	if ((v = conf_get(&conf, "min_free_mb")) && num_parse_ll(v, 0, 1LL << 40, &ll))
		app.min_free_mb = ll;
	app.open_enrollment = (v = conf_get(&conf, "enrollment")) && strcmp(v, "open") == 0;
	if (!conf_seconds(&conf, "admin_idle", 60, 7 * 86400, &app.admin_idle) ||
	    !conf_seconds(&conf, "admin_max_age", 60, 365 * 86400, &app.admin_max_age) ||
	    !conf_seconds(&conf, "admin_wait", 1, 60, &app.admin_wait))
		return 1;
	{
		/* the drive-time rules of a session no admin gave rules */
		struct drive_rules	dr;
		char			derr[128];

		if (!drive_rules_conf(&conf, &dr, derr, sizeof(derr))) {
			log_err("%s", derr);
			return 1;
		}
		drive_defaults_set(&dr);
	}
	if ((v = conf_get(&conf, "read_timeout")) && !num_parse_ll(v, 1, 3600, &ll)) {
		log_err("read_timeout must be 1 to 3600 seconds, not \"%s\"", v);
		return 1;
	}
	if (v != NULL)
		read_timeout.tv_sec = (time_t)ll;

	if ((rc = tmpl_load(&tmpl, tdir, &err)) <= 0) {
		log_err("templates: %s", err.p ? err.p : strerror(errno));
		return 1;
	}
	app.tmpl = tmpl;
	if (inbox_writer_open(&app.writer, app.inbox) < 0) {
		log_err("inbox %s: %s", app.inbox, strerror(errno));
		return 1;
	}

	/* Signals are taken by sigwait() below, in no other thread. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (FCGX_Init() != 0) {
		log_err("FCGX_Init failed");
		return 1;
	}
	unlink(sock);
	mode_t old = umask(0);
	listen_fd = FCGX_OpenSocket(sock, 128);
	umask(old);
	if (listen_fd < 0) {
		log_err("cannot listen on %s: %s", sock, strerror(errno));
		return 1;
	}
	chmod(sock, 0660);
	if (!daemon_drop(user))
		return 1;
	if (!fg && daemon(0, 0) < 0) {
		log_err("daemon: %s", strerror(errno));
		return 1;
	}
	if ((th = calloc((size_t)nthreads, sizeof(*th))) == NULL)
		return 1;
	for (long long i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, worker, NULL) != 0) {
			log_err("pthread_create: %s", strerror(errno));
			return 1;
		}
	log_info("listening on %s with %lld threads (database %s, inbox %s)", sock,
	    nthreads, app.db_path, app.inbox);

	int sig = 0;
	while (sigwait(&sigs, &sig) == 0 && sig == SIGHUP)
		log_info("SIGHUP ignored; restart to reload the configuration");
	log_info("signal %d: finishing running requests", sig);
	stopping = 1;
	FCGX_ShutdownPending();
	shutdown(listen_fd, SHUT_RDWR);
	for (long long i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	close(listen_fd);
	unlink(sock);
	inbox_writer_close(app.writer);
	free(th);
	tmpl_free(tmpl);
	conf_free(&conf);
	buf_free(&err);
	log_info("stopped");
	return 0;
}
