/*
 * trackside-ingestd: the single writer. Waits on the inbox (inotify, with a
 * periodic rescan), applies frames in transactions, ticks session liveness,
 * keeps the WAL bounded, publishes the live events of each committed
 * transaction to nginx (live.c, publish.c) and sends the webhooks those
 * transactions queued from a thread of its own (notify.c, deliver.c).
 * SIGTERM and SIGINT finish the running transaction and exit.
 */
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "ingest.h"
#include "live.h"
#include "publish.h"
#include "notify.h"
#include "db.h"
#include "source.h"

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* The end of a transaction of the worker, for the live events. */
static void
on_end(void *arg, int committed)
{
	if (committed)
		live_commit(arg);
	else
		live_rollback(arg);
}

/* The live events' way out: the publisher's queue. */
static int
emit(void *arg, const char *channel, const char *event, char *body, size_t len)
{
	return publish_event(arg, channel, event, body, len);
}

#ifdef TS_FAULTS
/*
 * trackside-ingestd-faults, built for the tests only: TS_FAULT=fail:SEQ
 * makes the frame of seq fail to apply, TS_FAULT=crash:SEQ crashes the
 * process on it.
 */
static long long fault_seq = -1;
static int fault_crash;

static int
fault(const char *client, long long seq)
{
	(void)client;
	if (seq != fault_seq)
		return 1;
	if (fault_crash)
		raise(SIGSEGV);
	return -1;
}

static void
fault_setup(struct worker *w)
{
	const char *v = getenv("TS_FAULT"), *colon;

	if (v == NULL || (colon = strchr(v, ':')) == NULL ||
	    !num_parse_ll(colon + 1, 1, LLONG_MAX, &fault_seq))
		return;
	fault_crash = strncmp(v, "crash:", 6) == 0;
	w->fault = fault;
	log_warn("test faults: %s on seq %lld", fault_crash ? "crash" : "fail", fault_seq);
}
#endif

static void
usage(void)
{
	fprintf(stderr,
	    "usage: trackside-ingestd [-1d] [-c config] [-D database] [-i inbox] [-b batch] [-u user]\n"
	    "  -1  apply what the inbox holds, then exit\n"
	    "  -d  stay in the foreground and log to stderr\n"
	    "Config file default: %s/trackside/trackside.conf\n", SYSCONFDIR);
}

int
main(int argc, char *argv[])
{
	struct conf	 conf = { 0 }, flags = { 0 };
	struct buf	 err = { 0 };
	struct worker	 w;
	struct live	*live = NULL;
	struct publish	*pub = NULL;
	struct notify	*nt = NULL;
	struct deliver	*dl = NULL;
	const char	*cfile = SYSCONFDIR "/trackside/trackside.conf", *v, *db, *inbox;
	int		 ch, fg = 0, once = 0, cfile_given = 0, rc, more, lockfd;
	long long	 batch = 200, queue = 4096, every = 60, changes = 40;
	struct live_conf lconf = { 0 };
	struct publish_conf pconf = { 0 };
	enum log_level	 lvl = LOG_LVL_INFO;
	char		 newdir[PATH_MAX];

	if (daemon_fds() < 0)
		return 1;
	while ((ch = getopt(argc, argv, "1b:c:dD:hi:u:")) != -1) {
		switch (ch) {
		case '1': once = 1; break;
		case 'b': conf_set(&flags, "batch", optarg); break;
		case 'c': cfile = optarg; cfile_given = 1; break;
		case 'd': fg = 1; break;
		case 'D': conf_set(&flags, "database", optarg); break;
		case 'i': conf_set(&flags, "inbox", optarg); break;
		case 'u': conf_set(&flags, "user", optarg); break;
		default: usage(); return ch == 'h' ? 0 : 2;
		}
	}
	if (!daemon_conf(&conf, cfile, cfile_given, &flags, &err)) {
		fprintf(stderr, "trackside-ingestd: %s\n", err.p);
		return 1;
	}
	if ((v = conf_get(&conf, "log_level")) && !log_level_parse(v, &lvl)) {
		fprintf(stderr, "trackside-ingestd: log_level: unknown level %s\n", v);
		return 1;
	}
	log_init("trackside-ingestd", fg || once, lvl);
	if ((v = conf_get(&conf, "batch")) && !num_parse_ll(v, 1, 100000, &batch)) {
		log_err("batch: expected 1..100000, got %s", v);
		return 1;
	}
	if ((v = conf_get(&conf, "live_queue")) && !num_parse_ll(v, 16, 1000000, &queue)) {
		log_err("live_queue: expected 16..1000000, got %s", v);
		return 1;
	}
	if ((v = conf_get(&conf, "live_snapshot_every")) && !num_parse_ll(v, 1, 3600, &every)) {
		log_err("live_snapshot_every: expected 1..3600 (seconds), got %s", v);
		return 1;
	}
	if ((v = conf_get(&conf, "live_snapshot_changes")) && !num_parse_ll(v, 1, 100000, &changes)) {
		log_err("live_snapshot_changes: expected 1..100000, got %s", v);
		return 1;
	}
	if (conf_get(&conf, "live_socket") || conf_get(&conf, "live_max_viewers"))
		log_warn("live_socket and live_max_viewers are no longer used: nginx serves the "
		    "viewers (publish_socket, docs/live.md)");
	pconf.max_events = (size_t)queue;
	lconf.snapshot_every = (double)every;
	lconf.snapshot_changes = (unsigned)changes;
	if (!ac_sectors_conf(conf_get(&conf, "ac_sectors"), &err)) {
		log_err("%s", err.p);
		return 1;
	}
	if ((db = conf_get(&conf, "database")) == NULL)
		db = LOCALSTATEDIR "/lib/trackside/trackside.db";
	if ((inbox = conf_get(&conf, "inbox")) == NULL)
		inbox = LOCALSTATEDIR "/lib/trackside/inbox";
	if (!daemon_drop(conf_get(&conf, "user")))
		return 1;
	if (inbox_init(inbox) < 0) {
		log_err("inbox %s: %s", inbox, strerror(errno));
		return 1;
	}
	/* One writer: a trackside command applying a change waits for nothing long. */
	if ((lockfd = inbox_lock(inbox, 0)) == -2) {
		log_info("waiting for the trackside command to finish with %s", db);
		lockfd = inbox_lock(inbox, 1);
	}
	if (lockfd < 0) {
		log_err("inbox %s: the writer's lock: %s", inbox, strerror(errno));
		return 1;
	}
	if (!worker_open(&w, db, inbox, &err)) {
		log_err("%s", err.p);
		return 1;
	}
	w.batch = (size_t)batch;
	if (worker_recover(&w) < 0)
		return 1;
	worker_fatal_signals(&w);
#ifdef TS_FAULTS
	fault_setup(&w);
#endif
	/* webhooks: queued by the frames' transactions, sent by a thread (below) */
	if (!notify_open(&nt, w.db, &conf, &err)) {
		log_err("%s", err.p);
		worker_close(&w);
		return 1;
	}

	if (once) {
		do {
			if ((rc = worker_drain(&w, &more)) < 0)
				break;
		} while (more || rc > 0);
		log_info("applied %lld frames (%lld duplicates, %lld set aside) in %lld transactions",
		    w.applied, w.duplicates, w.rejected, w.commits);
		notify_close(nt);
		worker_close(&w);
		return rc < 0;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);

	int ep = epoll_create1(EPOLL_CLOEXEC);
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	snprintf(newdir, sizeof(newdir), "%s/seg", inbox);
	if (ep < 0 || in < 0 || inotify_add_watch(in, newdir, IN_CREATE | IN_MODIFY | IN_MOVED_TO) < 0) {
		log_err("inotify on %s: %s", newdir, strerror(errno));
		return 1;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	epoll_ctl(ep, EPOLL_CTL_ADD, in, &ev);
	if (!fg && daemon(1, 0) < 0) {
		log_err("daemon: %s", strerror(errno));
		return 1;
	}
	/* after daemon(): the publisher's thread must be of this process */
	if ((pconf.socket = conf_get(&conf, "publish_socket")) == NULL)
		pconf.socket = "/run/trackside/publish.sock";
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!publish_open(&pub, &pconf, &err) ||
	    !live_open(&live, w.db, emit, pub, &lconf, &err)) {
		log_err("%s", err.p);
		return 1;
	}
	if (!deliver_start(&dl, db, nt, &err)) {
		log_err("%s", err.p);
		return 1;
	}
	worker_hook(&w, live_change, on_end, live);
	log_info("applying frames from %s to %s", inbox, db);

	double last_tick = 0, last_ckpt = time_mono(), last_stats = time_mono();
	long long last_applied = 0;
	while (!stopping) {
		/* worker_drain ends its transactions through on_end() */
		if ((rc = worker_drain(&w, &more)) < 0)
			more = 0;	/* retried after the wait below */
		double now = time_mono();
		if (now - last_tick >= 1.0) {
			if (worker_tick(&w, time_now()) < 0) {
				live_rollback(live);
				log_err("tick: %s", sqlite3_errmsg(w.db));
			} else
				live_commit(live);
			if (w.resync)
				live_reload(live);
			live_tick(live, now, publish_lost(pub));
			w.resync = 0;
			last_tick = now;
		}
		if (now - last_ckpt >= DB_CHECKPOINT_S) {
			db_checkpoint(w.db, DB_WAL_LIMIT);
			last_ckpt = now;
		}
		if (now - last_stats >= 60.0 && w.applied != last_applied) {
			struct publish_stats ps;
			publish_stats(pub, &ps);
			log_info("%lld frames applied (%lld duplicates, %lld set aside); live: %lld "
			    "events published, %lld dropped, %lld not taken by nginx",
			    w.applied, w.duplicates, w.rejected, ps.sent, ps.dropped, ps.failed);
			last_applied = w.applied;
			last_stats = now;
		}
		/* with frames waiting, only drain the inotify queue */
		struct epoll_event got[8];
		live_flush(live);	/* deltas held back by delta_every */
		if (epoll_wait(ep, got, 8, more ? 0 : rc < 0 ? 1000 : 500) > 0) {
			char drain[4096];
			while (read(in, drain, sizeof(drain)) > 0)
				;
		}
	}
	log_info("stopping: %lld frames applied", w.applied);
	deliver_stop(dl);
	notify_close(nt);
	live_close(live);
	publish_close(pub);
	curl_global_cleanup();
	worker_close(&w);
	close(in);
	close(ep);
	conf_free(&conf);
	buf_free(&err);
	return 0;
}
