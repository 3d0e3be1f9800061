/*
 * trackside-fakegame: answers the requests of Le Mans Ultimate's local REST
 * API (spec/lmu-api.md) on loopback, from a recording played at a chosen
 * speed or from a simulated race weekend (race.c, in LMU's words by
 * sim_lmu.c). Several ports may serve one simulation, each as seen from its
 * own car or as a spectator, so one process stands in for the games of a
 * whole team. With --sim ac it plays an Assetto Corsa dedicated server's
 * UDP plugin interface instead (sim_ac.c), with --sim pcars2 the UDP
 * packets of Automobilista 2 / Project CARS 2 (sim_pcars2.c).
 *
 * For tests, /fake/ endpoints stall the game, make it answer garbage, or
 * put it into a replay or a loading screen.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "fakegame.h"
#include "raceopt.h"
#include "sim_pcars2.h"

#define MAX_VIEWS	8
#define MAX_PATHS	48

#if MHD_VERSION < 0x00097002
typedef int mhd_result;
#else
typedef enum MHD_Result mhd_result;
#endif

/* A recording as a game: the newest body seen for each path. */
struct recsrc {
	char			*file;
	int			 loop;
	struct rec_reader	*rr;
	struct rec_poll		 next;
	int			 have_next;
	int			 ended;
	double			 t0;		/* t of the first poll */
	struct {
		char		 path[128];
		struct buf	 body;
		int		 failed;
	}			 paths[MAX_PATHS];
	size_t			 npaths;
};

struct game {
	pthread_mutex_t	 mu;
	double		 speed;
	double		 start;		/* time_mono() at game time 0 */
	struct recsrc	*rec;
	struct sim	*sim;
	struct view	 views[MAX_VIEWS];
	struct MHD_Daemon *mhd[MAX_VIEWS];
	size_t		 nviews;
	/* faults */
	double		 stall_until;
	int		 garbage_left;
	int		 garbage_n;
	int		 replay;
	int		 loading;
	double		 frozen_at;	/* game time held while loading, -1 = not */
	double		 hold;		/* game time lost to loading screens */
	long long	 requests;
};

/* what each MHD daemon is handed: its view and the game */
struct vctx {
	struct view	 v;
	struct game	*g;
};

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static int
recsrc_path(struct recsrc *r, const char *path)
{
	for (size_t i = 0; i < r->npaths; i++)
		if (strcmp(r->paths[i].path, path) == 0)
			return (int)i;
	if (r->npaths == MAX_PATHS)
		return -1;
	snprintf(r->paths[r->npaths].path, sizeof(r->paths[0].path), "%s", path);
	buf_reset(&r->paths[r->npaths].body);
	r->paths[r->npaths].failed = 1;
	return (int)r->npaths++;
}

/* Takes the next poll of the recording into the table. Returns 1 or 0 at the end. */
static int
recsrc_read(struct recsrc *r)
{
	struct buf	 err = { 0 };
	enum rec_result	 rc;

	while ((rc = rec_next(r->rr, &r->next, &err)) == REC_BAD) {
		fprintf(stderr, "trackside-fakegame: %s: %s (skipped)\n", r->file, err.p);
		buf_reset(&err);
	}
	if (rc == REC_ERR)
		fprintf(stderr, "trackside-fakegame: %s: %s\n", r->file, err.p);
	buf_free(&err);
	r->have_next = rc == REC_OK;
	return r->have_next;
}

static int
recsrc_open(struct recsrc *r)
{
	struct buf err = { 0 };

	rec_close(r->rr);
	r->rr = NULL;
	if (rec_open(&r->rr, r->file, &err) <= 0) {
		fprintf(stderr, "trackside-fakegame: %s\n", err.p ? err.p : "cannot open");
		buf_free(&err);
		return 0;
	}
	buf_free(&err);
	if (!recsrc_read(r)) {
		fprintf(stderr, "trackside-fakegame: %s holds no poll\n", r->file);
		return 0;
	}
	r->t0 = r->next.t;
	r->ended = 0;
	return 1;
}

/* Plays the recording up to t seconds after its first poll. */
static void
recsrc_advance(struct game *g, struct recsrc *r, double t)
{
	struct jspan	 key, val;
	size_t		 off;
	char		 path[128];

	while (r->have_next && r->next.t - r->t0 <= t) {
		off = 0;
		while (json_obj_next(&r->next.responses, &off, &key, &val)) {
			int i;
			if (!jscan_string(&key, path, sizeof(path)) || (i = recsrc_path(r, path)) < 0)
				continue;
			buf_reset(&r->paths[i].body);
			r->paths[i].failed = val.type == JT_NULL;
			if (!r->paths[i].failed)
				buf_add(&r->paths[i].body, val.p, val.len);
		}
		if (!recsrc_read(r)) {
			if (r->loop && recsrc_open(r)) {
				g->start = time_mono();
				break;
			}
			r->ended = 1;
		}
	}
}

/* The answer of a recording: 200 with the newest body, or 503. */
static int
recsrc_render(struct recsrc *r, const char *path, struct buf *out)
{
	if (r->ended) {
		if (strcmp(path, lmu_paths[EP_JOINSTATE]) == 0) {
			buf_puts(out, "\"JOIN_IDLE\"");
			return 200;
		}
		return 503;
	}
	for (size_t i = 0; i < r->npaths; i++)
		if (strcmp(r->paths[i].path, path) == 0) {
			if (r->paths[i].failed)
				return 503;
			buf_add(out, r->paths[i].body.p, r->paths[i].body.len);
			return 200;
		}
	return 404;
}

/* Game time now: wall time since the start times the speed, less loading. */
static double
game_time(struct game *g)
{
	double t = (time_mono() - g->start) * g->speed - g->hold;

	if (g->frozen_at >= 0)
		return g->frozen_at;
	return t;
}

static int
query_int(struct MHD_Connection *con, const char *key, int def)
{
	const char	*v = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, key);
	long long	 n;

	return v && num_parse_ll(v, 0, 1000000, &n) ? (int)n : def;
}

/*
 * Writes what the simulation did to file (--truth): once the weekend is
 * over, or whatever it is when final is set. Returns 1 when written, 0 not
 * yet, -1 after a message.
 */
static int
game_truth(struct game *g, const char *file, int final)
{
	struct buf	 out = { 0 };
	char		 dir[4096], *slash;
	int		 rc;

	pthread_mutex_lock(&g->mu);
	sim_advance(g->sim, game_time(g));
	rc = sim_truth(g->sim, &out);
	pthread_mutex_unlock(&g->mu);
	if (!rc && !final) {
		buf_free(&out);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", file);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	rc = file_write_durable(slash ? dir : ".", slash ? slash + 1 : file, out.p, out.len) < 0 ?
	    -1 : 1;
	if (rc < 0)
		fprintf(stderr, "trackside-fakegame: %s: %s\n", file, strerror(errno));
	buf_free(&out);
	return rc;
}

/* The /fake/ control endpoints. Returns the status; out holds the answer. */
static int
game_control(struct game *g, struct MHD_Connection *con, const char *url, struct buf *out)
{
	if (strcmp(url, "/fake/stall") == 0) {
		int s = query_int(con, "seconds", 5);
		g->stall_until = time_mono() + s;
		buf_printf(out, "{\"stall\":%d}", s);
	} else if (strcmp(url, "/fake/garbage") == 0) {
		g->garbage_left = query_int(con, "count", 10);
		buf_printf(out, "{\"garbage\":%d}", g->garbage_left);
	} else if (strcmp(url, "/fake/replay") == 0) {
		g->replay = query_int(con, "on", 1) != 0;
		if (g->sim)
			sim_set_flags(g->sim, g->replay, g->loading);
		buf_printf(out, "{\"replay\":%d}", g->replay);
	} else if (strcmp(url, "/fake/loading") == 0) {
		int on = query_int(con, "on", 1) != 0;
		if (on && g->frozen_at < 0)
			g->frozen_at = game_time(g);
		else if (!on && g->frozen_at >= 0) {
			/* game time goes on from where it stood */
			g->hold = (time_mono() - g->start) * g->speed - g->frozen_at;
			g->frozen_at = -1;
		}
		g->loading = on && query_int(con, "state", 0) != 0;
		if (g->sim)
			sim_set_flags(g->sim, g->replay, g->loading);
		buf_printf(out, "{\"loading\":%d,\"state\":%d}", on, g->loading);
	} else if (strcmp(url, "/fake/status") == 0) {
		buf_printf(out, "{\"time\":%.3f,\"requests\":%lld,\"progress\":%.4f}", game_time(g),
		    g->requests, g->sim ? sim_progress(g->sim) : 0.0);
	} else {
		buf_puts(out, "{\"error\":\"unknown control\"}");
		return 404;
	}
	return 200;
}

/* A garbage answer, one of several kinds in turn. */
static int
game_garbage(struct game *g, struct buf *out)
{
	switch (g->garbage_n++ % 4) {
	case 0:
		buf_puts(out, "{\"currentEventTime\": 12.5, \"session\": \"RAC");
		return 200;
	case 1:
		buf_puts(out, "<html><body>Internal error</body></html>");
		return 500;
	case 2:
		for (int i = 0; i < 64; i++)
			buf_putc(out, (i * 37 + 11) & 0xff ? (i * 37 + 11) & 0xff : 1);
		return 200;
	default:
		return 200;	/* empty body */
	}
}

static mhd_result
game_handler(void *cls, struct MHD_Connection *con, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct vctx		*vc = cls;
	struct game		*g = vc->g;
	const struct view	*view = &vc->v;
	struct buf		 out = { 0 };
	struct MHD_Response	*resp;
	int			 status = 404;
	mhd_result		 ret;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		return MHD_NO;
	pthread_mutex_lock(&g->mu);
	g->requests++;
	if (strncmp(url, "/fake/", 6) == 0)
		status = game_control(g, con, url, &out);
	else {
		double wait = g->stall_until - time_mono();
		if (wait > 0) {
			pthread_mutex_unlock(&g->mu);
			usleep((useconds_t)(wait * 1e6));
			pthread_mutex_lock(&g->mu);
		}
		if (g->garbage_left > 0) {
			g->garbage_left--;
			status = game_garbage(g, &out);
		} else if (g->rec) {
			recsrc_advance(g, g->rec, game_time(g));
			status = recsrc_render(g->rec, url, &out);
		} else {
			int e;
			for (e = 0; e < EP__MAX; e++)
				if (strcmp(url, lmu_paths[e]) == 0)
					break;
			if (strcmp(url, "/navigation/state") == 0) {
				buf_printf(&out, "{\"settingMode\":\"%s\"}", g->replay ? "REPLAY" : "LIVE");
				status = 200;
			} else if (e < EP__MAX) {
				sim_advance(g->sim, game_time(g));
				status = sim_render(g->sim, e, view, &out);
			}
		}
	}
	pthread_mutex_unlock(&g->mu);
	if (status == 404 && out.len == 0)
		buf_puts(&out, "{\"error\":\"not found\"}");
	resp = MHD_create_response_from_buffer(out.len, out.p ? out.p : (char *)"",
	    MHD_RESPMEM_MUST_COPY);
	buf_free(&out);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	ret = MHD_queue_response(con, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: trackside-fakegame [--listen [HOST:]PORT[=VIEW]]... [--port-file FILE]\n"
	    "           [--speed N] (--recording FILE [--loop] |\n"
	    "           --sim [lmu] [--truth FILE] [sim options])\n"
	    "       trackside-fakegame --sim ac --ac-plugin HOST:PORT [--ac-listen [HOST:]PORT]\n"
	    "           [--port-file FILE] [--truth FILE] [--speed N] [sim options]\n"
	    "       trackside-fakegame --sim pcars2 --pcars2-send HOST:PORT [--pcars2-send ...]\n"
	    "           [--pcars2-rev early|later] [--pcars2-hz N] [--truth FILE] [--speed N]\n"
	    "           [sim options]\n"
	    "A stand-in for Le Mans Ultimate's local REST API, on loopback, for an\n"
	    "Assetto Corsa dedicated server's UDP plugin interface, or for Automobilista 2's\n"
	    "UDP packets.\n\n"
	    "  --listen [HOST:]PORT[=VIEW]  serve on PORT (0: any free port; default 6397);\n"
	    "                               VIEW is car:SLOT, car:auto1, car:auto2 or spectator,\n"
	    "                               with ,join-at=F and ,leave-at=F (fractions of the\n"
	    "                               weekend) to join late or leave early\n"
	    "  --port-file FILE             write the ports, one a line, once listening\n"
	    "  --speed N                    game time runs N times faster than the wall clock\n"
	    "  --recording FILE             serve a recording (spec/lmu-recording.md)\n"
	    "  --loop                       start the recording over at its end\n"
	    "  --sim                        simulate a weekend (the default)\n"
	    "  --cars N                     cars in the simulation (default 20, at most 100)\n"
	    "  --classes LIST               e.g. Hyper:6,LMP2:4,GT3:10 (default: a mix)\n"
	    "  --sessions LIST              P, Q and R in order, e.g. P,Q,R or R (default P,Q,R)\n"
	    "  --practice-minutes M, --qualify-minutes M, --race-minutes M   session lengths\n"
	    "  --track-length METRES        length of the generated circuit (default 5200)\n"
	    "  --offline                    no multiplayer teams (an offline session)\n"
	    "  --seed N                     random seed (default 1)\n"
	    "  --sim ac                     an Assetto Corsa server (12 GT3 cars by default)\n"
	    "  --ac-plugin HOST:PORT        where its events go (UDP_PLUGIN_ADDRESS)\n"
	    "  --ac-listen [HOST:]PORT      where it takes requests (default: any free port,\n"
	    "                               written to --port-file)\n"
	    "  --truth FILE                 write what was simulated as JSON at the end\n"
	    "  --sim pcars2                 Automobilista 2 / Project CARS 2 UDP (16 cars by\n"
	    "                               default, at most 32)\n"
	    "  --pcars2-send HOST:PORT      where a player's game sends its packets; the k-th\n"
	    "                               one views the k-th player's car (at most 8)\n"
	    "  --pcars2-rev early|later     the packets' revision (default later)\n"
	    "  --pcars2-hz N                ticks per second of wall time (default 20, 1 to 60)\n"
	    "  --shm                        the $pcars2$ shared memory instead (Windows only)\n\n"
	    "Test controls (GET): /fake/stall?seconds=N /fake/garbage?count=N\n"
	    "  /fake/replay?on=1|0 /fake/loading?on=1|0[&state=1] (game time stands still;\n"
	    "  state=1 also says MultiStintState LOADING) /fake/status\n");
}

/*
 * Parses [HOST:]PORT[=VIEW]. Returns 1, or 0 with a message on stderr.
 */
static int
parse_listen(const char *arg, struct sockaddr_in *sa, struct view *v, char *spec, size_t specsz)
{
	char		 tmp[256], *eq, *port, *opt, *save = NULL;
	long long	 n;
	double		 d;

	snprintf(tmp, sizeof(tmp), "%s", arg);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	v->slot = -2;	/* the first automatic player */
	v->join_at = 0;
	v->leave_at = 1;
	snprintf(spec, specsz, "car:auto1");
	if ((eq = strchr(tmp, '=')) != NULL) {
		*eq++ = '\0';
		snprintf(spec, specsz, "%s", eq);
		for (opt = strtok_r(eq, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
			if (strcmp(opt, "spectator") == 0)
				v->slot = -1;
			else if (strcmp(opt, "car:auto1") == 0)
				v->slot = -2;
			else if (strcmp(opt, "car:auto2") == 0)
				v->slot = -3;
			else if (strncmp(opt, "car:", 4) == 0 && num_parse_ll(opt + 4, 0, 10000, &n))
				v->slot = n;
			else if (strncmp(opt, "join-at=", 8) == 0 && num_parse_d(opt + 8, 0, 1, &d))
				v->join_at = d;
			else if (strncmp(opt, "leave-at=", 9) == 0 && num_parse_d(opt + 9, 0, 1, &d))
				v->leave_at = d;
			else {
				fprintf(stderr, "trackside-fakegame: --listen %s: \"%s\" is not car:SLOT, "
				    "car:auto1, car:auto2, spectator, join-at=F or leave-at=F\n", arg, opt);
				return 0;
			}
		}
	}
	if ((port = strrchr(tmp, ':')) != NULL) {
		*port++ = '\0';
		if (inet_pton(AF_INET, tmp, &sa->sin_addr) != 1) {
			fprintf(stderr, "trackside-fakegame: --listen %s: \"%s\" is not an IPv4 address\n",
			    arg, tmp);
			return 0;
		}
	} else
		port = tmp;
	if (!num_parse_ll(port, 0, 65535, &n)) {
		fprintf(stderr, "trackside-fakegame: --listen %s: \"%s\" is not a port\n", arg, port);
		return 0;
	}
	sa->sin_port = htons((uint16_t)n);
	return 1;
}

enum {
	OPT_LISTEN = 256, OPT_PORTFILE, OPT_RECORDING, OPT_LOOP, OPT_SIM, OPT_OFFLINE,
	OPT_AC_PLUGIN, OPT_AC_LISTEN, OPT_TRUTH, OPT_P2_SEND, OPT_P2_REV, OPT_P2_HZ, OPT_SHM,
	OPT_SHM_SIZE, OPT_RACE,
};

/*
 * Parses [HOST:]PORT, HOST an IPv4 address or localhost (the default).
 * Returns 1, or 0 with a message on stderr.
 */
static int
parse_udp(const char *opt, const char *arg, int need_host, struct sockaddr_in *sa)
{
	char		 tmp[128], *port;
	long long	 n;

	snprintf(tmp, sizeof(tmp), "%s", arg);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((port = strrchr(tmp, ':')) != NULL) {
		*port++ = '\0';
		if (strcmp(tmp, "localhost") != 0 && inet_pton(AF_INET, tmp, &sa->sin_addr) != 1) {
			fprintf(stderr, "trackside-fakegame: %s %s: \"%s\" is not an IPv4 address\n",
			    opt, arg, tmp);
			return 0;
		}
	} else if (need_host) {
		fprintf(stderr, "trackside-fakegame: %s %s: HOST:PORT expected\n", opt, arg);
		return 0;
	} else
		port = tmp;
	if (!num_parse_ll(port, need_host ? 1 : 0, 65535, &n)) {
		fprintf(stderr, "trackside-fakegame: %s %s: \"%s\" is not a port\n", opt, arg, port);
		return 0;
	}
	sa->sin_port = htons((uint16_t)n);
	return 1;
}

/* The players' games of --sim pcars2: one socket, a destination each. */
struct p2dest {
	int			 fd;
	struct sockaddr_in	 to[P2SIM_MAX_VIEWS];
	int			 warned;
};

static void
p2_sendto(void *arg, int view, const unsigned char *p, size_t n)
{
	struct p2dest *d = arg;

	if (sendto(d->fd, p, n, 0, (const struct sockaddr *)&d->to[view], sizeof(d->to[0])) < 0 &&
	    errno != ECONNREFUSED && !d->warned++)
		fprintf(stderr, "trackside-fakegame: sendto: %s\n", strerror(errno));
}

/*
 * Plays the weekend as Automobilista 2 sends it over UDP, a tick every
 * 1/hz s of wall time, until quit. Returns 0, or 1 after a message.
 */
static int
p2_run(const struct p2sim_opts *o, struct p2dest *d)
{
	struct p2sim	*p = NULL;
	struct buf	 err = { 0 };
	double		 start;
	long long	 tick = 0;
	int		 done = 0, rc;

	if ((rc = p2sim_new(&p, o, &err)) <= 0) {
		fprintf(stderr, "trackside-fakegame: %s\n", rc < 0 ? "out of memory" :
		    err.p ? err.p : "cannot start the simulation");
		buf_free(&err);
		return rc < 0 ? 1 : 2;
	}
	buf_free(&err);
	if ((d->fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0) {
		fprintf(stderr, "trackside-fakegame: socket: %s\n", strerror(errno));
		p2sim_free(p);
		return 1;
	}
	for (int v = 0; v < o->views; v++)
		printf("trackside-fakegame: Automobilista 2 (%s revision), the game of car %d "
		    "sends to %s:%u\n", o->rev == P2_EARLY ? "early" : "later", p2sim_slot(p, v),
		    inet_ntoa(d->to[v].sin_addr), ntohs(d->to[v].sin_port));
	fflush(stdout);
	start = time_mono();
	while (!quit) {
		double wait = start + (double)tick / o->hz - time_mono();
		if (wait > 0) {
			usleep((useconds_t)(wait * 1e6));
			continue;
		}
		/* game time follows the ticks: a slow machine slows the game */
		p2sim_tick(p, (double)tick * o->speed / o->hz, p2_sendto, d);
		tick++;
		if (p2sim_done(p) && !done) {
			done = 1;
			printf("trackside-fakegame: the weekend is over\n");
			fflush(stdout);
		}
	}
	close(d->fd);
	p2sim_free(p);
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct option lo[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "port-file", required_argument, NULL, OPT_PORTFILE },
		{ "recording", required_argument, NULL, OPT_RECORDING },
		{ "loop", no_argument, NULL, OPT_LOOP },
		{ "sim", no_argument, NULL, OPT_SIM },
		{ "ac-plugin", required_argument, NULL, OPT_AC_PLUGIN },
		{ "ac-listen", required_argument, NULL, OPT_AC_LISTEN },
		{ "truth", required_argument, NULL, OPT_TRUTH },
		{ "pcars2-send", required_argument, NULL, OPT_P2_SEND },
		{ "pcars2-rev", required_argument, NULL, OPT_P2_REV },
		{ "pcars2-hz", required_argument, NULL, OPT_P2_HZ },
		{ "shm", no_argument, NULL, OPT_SHM },
		{ "shm-size", required_argument, NULL, OPT_SHM_SIZE },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		RACEOPT_LONG(OPT_RACE),
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vctx	 ctx[MAX_VIEWS];
	struct sockaddr_in addrs[MAX_VIEWS];
	char		 specs[MAX_VIEWS][128];
	size_t		 naddr = 0;
	struct game	 g;
	struct sim_opts	 so;
	struct sim_ac_opts ao;
	struct p2sim_opts po;
	struct p2dest	 pd;
	int		 ac = 0, p2 = 0, have_plugin = 0, cars_given = 0;
	struct recsrc	 rec;
	const char	*portfile = NULL;
	struct buf	 err = { 0 };
	double		 d;
	int		 ch, status = 1;

	memset(&g, 0, sizeof(g));
	memset(&rec, 0, sizeof(rec));
	memset(&so, 0, sizeof(so));
	memset(&ao, 0, sizeof(ao));
	memset(&po, 0, sizeof(po));
	memset(&pd, 0, sizeof(pd));
	po.rev = P2_LATER;
	po.hz = 20;
	parse_udp("--ac-listen", "0", 0, &ao.listen);
	memset(ctx, 0, sizeof(ctx));
	pthread_mutex_init(&g.mu, NULL);
	g.speed = 1;
	g.frozen_at = -1;
	raceopt_defaults(&so.race, 20);
	so.online = 1;

#define BAD(...) do { fprintf(stderr, "trackside-fakegame: " __VA_ARGS__); \
	fputc('\n', stderr); return 2; } while (0)
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (ch >= OPT_RACE && ch < OPT_RACE + RACEOPT__MAX) {
			if (!raceopt_parse(ch - OPT_RACE, optarg, 100, &so.race, &g.speed))
				return 2;
			if (ch == OPT_RACE + RACEOPT_CARS)
				cars_given = 1;
			continue;
		}
		switch (ch) {
		case OPT_LISTEN:
			if (naddr == MAX_VIEWS)
				BAD("at most %d --listen", MAX_VIEWS);
			if (!parse_listen(optarg, &addrs[naddr], &ctx[naddr].v, specs[naddr],
			    sizeof(specs[0])))
				return 2;
			naddr++;
			break;
		case OPT_PORTFILE:
			portfile = optarg;
			break;
		case OPT_RECORDING:
			rec.file = optarg;
			break;
		case OPT_LOOP:
			rec.loop = 1;
			break;
		case OPT_SIM:
			/* --sim [lmu|ac|pcars2]: the game is an optional word of its own */
			if (optind < argc && (strcmp(argv[optind], "lmu") == 0 ||
			    strcmp(argv[optind], "ac") == 0 || strcmp(argv[optind], "pcars2") == 0)) {
				ac = strcmp(argv[optind], "ac") == 0;
				p2 = strcmp(argv[optind++], "pcars2") == 0;
			}
			break;
		case OPT_P2_SEND:
			if (po.views == P2SIM_MAX_VIEWS)
				BAD("at most %d --pcars2-send", P2SIM_MAX_VIEWS);
			if (!parse_udp("--pcars2-send", optarg, 1, &pd.to[po.views]))
				return 2;
			po.views++;
			break;
		case OPT_P2_REV:
			if (strcmp(optarg, "early") != 0 && strcmp(optarg, "later") != 0)
				BAD("--pcars2-rev is early or later, not \"%s\"", optarg);
			po.rev = strcmp(optarg, "early") == 0 ? P2_EARLY : P2_LATER;
			break;
		case OPT_P2_HZ:
			if (!num_parse_d(optarg, 1, 60, &d))
				BAD("--pcars2-hz must be a number from 1 to 60, not \"%s\"", optarg);
			po.hz = d;
			break;
		case OPT_SHM: case OPT_SHM_SIZE:
			BAD("--shm and --shm-size write the $pcars2$ shared memory: Windows only "
			    "(trackside-fakegame.exe); here the game sends UDP (--pcars2-send)");
		case OPT_AC_PLUGIN:
			if (!parse_udp("--ac-plugin", optarg, 1, &ao.plugin))
				return 2;
			have_plugin = 1;
			break;
		case OPT_AC_LISTEN:
			if (!parse_udp("--ac-listen", optarg, 0, &ao.listen))
				return 2;
			break;
		case OPT_TRUTH:
			ao.truth = optarg;
			break;
		case OPT_OFFLINE:
			so.online = 0;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		BAD("unexpected argument \"%s\" (see --help)", argv[optind]);
	if (p2) {
		if (po.views == 0)
			BAD("--sim pcars2 needs --pcars2-send HOST:PORT (where the game's UDP goes)");
		if (rec.file != NULL || naddr > 0 || have_plugin)
			BAD("--sim pcars2 sends UDP: no --recording, --listen or --ac-plugin");
		po.race = so.race;
		if (!cars_given && po.race.classes[0] == '\0')
			po.race.cars = 16;
		if (po.race.cars > P2_UDP_CARS && po.race.classes[0] == '\0')
			BAD("--cars: UDP carries at most %d cars", P2_UDP_CARS);
		po.race.max_drivers = 2;
		po.speed = g.speed;
		po.truth = ao.truth;
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		return p2_run(&po, &pd);
	}
	if (ac) {
		if (!have_plugin)
			BAD("--sim ac needs --ac-plugin HOST:PORT (the server's UDP_PLUGIN_ADDRESS)");
		if (rec.file != NULL || naddr > 0)
			BAD("--sim ac plays a server over UDP: no --recording or --listen");
		ao.race = so.race;
		if (!cars_given)
			ao.race.cars = 12;
		if (ao.race.classes[0] == '\0')
			snprintf(ao.race.classes, sizeof(ao.race.classes), "GT3:%d", ao.race.cars);
		ao.race.max_drivers = 1;	/* no driver swaps on an AC server */
		ao.race.mistakes = 0.12;	/* cuts are common */
		ao.speed = g.speed;
		ao.portfile = portfile;
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		return sim_ac_run(&ao, &quit);
	}
	if (naddr == 0) {
		parse_listen("6397", &addrs[0], &ctx[0].v, specs[0], sizeof(specs[0]));
		naddr = 1;
	}
	if (rec.file != NULL) {
		if (naddr > 1)
			BAD("a recording has one point of view: one --listen only");
		if (!recsrc_open(&rec))
			return 1;
		g.rec = &rec;
	} else {
		if (sim_new(&g.sim, &so, &err) <= 0)
			BAD("%s", err.p ? err.p : "cannot start the simulation");
		for (size_t i = 0; i < naddr; i++) {
			if (ctx[i].v.slot <= -2)
				ctx[i].v.slot = sim_default_player(g.sim, (int)(-ctx[i].v.slot - 2));
			else if (ctx[i].v.slot >= so.race.cars)
				BAD("--listen %s: the simulation has slots 0 to %d", specs[i],
				    so.race.cars - 1);
		}
	}
	buf_free(&err);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	g.start = time_mono();
	struct buf ports = { 0 };
	for (size_t i = 0; i < naddr; i++) {
		const union MHD_DaemonInfo *info;
		ctx[i].g = &g;
		g.views[i] = ctx[i].v;
		g.mhd[i] = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
		    0, NULL, NULL, (MHD_AccessHandlerCallback)game_handler, &ctx[i],
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addrs[i],
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		    MHD_OPTION_END);
		if (g.mhd[i] == NULL) {
			char a[64];
			inet_ntop(AF_INET, &addrs[i].sin_addr, a, sizeof(a));
			fprintf(stderr, "trackside-fakegame: cannot listen on %s:%d: %s\n", a,
			    ntohs(addrs[i].sin_port), strerror(errno));
			goto out;
		}
		info = MHD_get_daemon_info(g.mhd[i], MHD_DAEMON_INFO_BIND_PORT);
		unsigned port = info ? info->port : ntohs(addrs[i].sin_port);
		buf_printf(&ports, "%u\n", port);
		printf("trackside-fakegame: listening on 127.0.0.1:%u (%s%s)\n", port,
		    g.rec ? "recording " : "simulation, ", g.rec ? rec.file : specs[i]);
	}
	g.nviews = naddr;
	fflush(stdout);
	if (portfile) {
		char dir[4096], *slash;
		snprintf(dir, sizeof(dir), "%s", portfile);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		if (file_write_durable(slash ? dir : ".", slash ? slash + 1 : portfile, ports.p,
		    ports.len) < 0) {
			fprintf(stderr, "trackside-fakegame: %s: %s\n", portfile, strerror(errno));
			goto out;
		}
	}
	for (int wrote = 0; !quit; ) {
		usleep(100000);
		if (ao.truth != NULL && g.sim != NULL && !wrote)
			wrote = game_truth(&g, ao.truth, 0) != 0;
	}
	if (ao.truth != NULL && g.sim != NULL && game_truth(&g, ao.truth, 1) < 0)
		goto out;
	status = 0;
out:
	buf_free(&ports);
	for (size_t i = 0; i < naddr; i++)
		if (g.mhd[i])
			MHD_stop_daemon(g.mhd[i]);
	sim_free(g.sim);
	rec_close(rec.rr);
	for (size_t i = 0; i < rec.npaths; i++)
		buf_free(&rec.paths[i].body);
	return status;
}
