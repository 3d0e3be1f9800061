/*
 * live-fanout: N server-sent-event viewers through nginx, and a feeder.
 *
 *   live-fanout real -u URL -t TOKEN [-n viewers] [-f frames] [-r frames/s] [-c cars]
 *	[-W frames] [-B frames] [-P name=pid,...] [-o payload-out] RECORDING
 *	A race of `cars` cars (the recording's cars, cloned) uploaded to
 *	URL/api/v1/frames; every viewer follows /live/sessions/{id}. In order:
 *	W frames into the race, as fast as they are taken (batches of 20);
 *	with -B, B more as fast as they are taken with no viewer, until the
 *	inbox is empty (URL/healthz): the ingest rate; the viewers join (the
 *	snapshot and the delta buffer: the join burst); with -B, B frames as
 *	fast as they are taken with the viewers following; `frames` frames at
 *	`rate`, the latency from each frame's 202 to the delta carrying its ET
 *	at every viewer; with -B, the viewers go and B frames as fast as they
 *	are taken with no viewer again (against the race's drift and noise).
 *   live-fanout null -u URL -C CONTROL_SOCKET -p PAYLOAD [-n] [-f] [-r] [-P]
 *	The same viewers on a trivial hub (bench/live-hub-null) behind nginx;
 *	each payload (a captured delta with its "et" rewritten) is sent to the
 *	control socket. Latency: from the send to the event at a viewer.
 *
 * Prints the join burst, p50/p90/p99/max latency over every (frame, viewer)
 * pair, bytes per viewer per second while frames come, the CPU seconds of
 * the processes named with -P (utime + stime, summed per name) over that
 * time, and with -B the two ingest rates. With -o FILE (real), saves one
 * delta as a payload for the null run.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "trackside.h"

#define BATCH		20	/* frames per upload in a burst, as a client catching up */
#define MAXCPU		4
#define QUIET		0.5	/* s without a byte: the join burst is over */

enum phase {
	PH_JOIN,		/* viewers connect: the snapshot and the buffer */
	PH_RUN,			/* frames at the rate: latencies */
	PH_BURST		/* frames as fast as they are taken */
};

struct arrival {
	double		 et;
	double		 at;
};

struct viewer {
	int		 fd;
	int		 ready;		/* header and first event seen */
	struct buf	 in;
	struct arrival	*arr;		/* deltas while PH_RUN */
	size_t		 narr, cap;
	long long	 join_bytes, run_bytes;
	long long	 run_snap;	/* of run_bytes, in snapshots (their data) */
	double		 last_et;	/* of the latest delta or snapshot */
};

/* The processes of one name whose CPU time is measured. */
struct cpuset {
	char		 name[32];
	int		 pids[64];
	double		 t0[64];	/* each one's at the start, -1 if gone */
	int		 npids;
	double		 secs;
};

/* Frames uploaded as fast as they are taken. */
struct burst {
	struct buf	*bodies;	/* gzipped batches */
	int		 nbodies, frames;
	double		 t0;		/* when the first upload went */
	double		 t_posted;	/* s from then to the last 202 */
	double		 t_applied;	/* to an empty inbox */
	double		 cpu[MAXCPU];	/* s of each -P set while it ran */
	int		 ok;
	atomic_int	 done;
};

static struct viewer	*vs;
static int		 nv = 1000, nframes = 60, ncars = 60, nburst, nwarm;
static double		 rate = 2;
static const char	*base, *token, *control, *payload_file, *save_file;
static double		*t_sent, *t_post, *et_sent;
static atomic_int	 sent;
static char		 host[64] = "127.0.0.1";
static char		*saved;		/* a delta of the real run, for the null one */
static int		 port;
static enum phase	 phase;
static double		 last_byte;
static struct cpuset	 cpus[MAXCPU];
static int		 ncpus;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- CPU time from /proc ---- */

/* Parses "name=pid,pid,...". Returns 1, or 0 when malformed. */
static int
cpu_add(const char *arg)
{
	struct cpuset	*c = &cpus[ncpus];
	const char	*eq = strchr(arg, '=');
	char		*end;

	if (ncpus == MAXCPU || eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(c->name))
		return 0;
	memcpy(c->name, arg, (size_t)(eq - arg));
	for (const char *p = eq + 1; *p != '\0' && c->npids < 64; p = end + (*end == ',')) {
		long pid = strtol(p, &end, 10);
		if (end == p || pid <= 0 || (*end != ',' && *end != '\0'))
			return 0;
		c->pids[c->npids++] = (int)pid;
	}
	ncpus++;
	return c->npids > 0;
}

/* utime + stime of a process in seconds, or -1 when it is gone. */
static double
cpu_read(int pid)
{
	static long	 hz;
	unsigned long	 ut, st;
	double		 t = -1;
	char		 path[64], line[1024], *p;
	FILE		*f;

	if (hz == 0)
		hz = sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	/* after "pid (comm) ": state, then fields 4..13, then utime stime */
	if (fgets(line, sizeof(line), f) != NULL && (p = strrchr(line, ')')) != NULL &&
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
		t = (double)(ut + st) / (double)hz;
	fclose(f);
	return t;
}

static void
cpu_start(void)
{
	for (int i = 0; i < ncpus; i++)
		for (int k = 0; k < cpus[i].npids; k++)
			cpus[i].t0[k] = cpu_read(cpus[i].pids[k]);
}

/* The CPU time of each set since cpu_start, of the processes still there. */
static void
cpu_stop(void)
{
	for (int i = 0; i < ncpus; i++) {
		cpus[i].secs = 0;
		for (int k = 0; k < cpus[i].npids; k++) {
			double t = cpu_read(cpus[i].pids[k]);
			if (t >= 0 && cpus[i].t0[k] >= 0)
				cpus[i].secs += t - cpus[i].t0[k];
		}
	}
}

/* ", name 1.23 s" for each set into b. */
static void
cpu_print(struct buf *b)
{
	buf_reset(b);
	for (int i = 0; i < ncpus; i++)
		buf_printf(b, "%s%s %.2f", i ? ", " : "", cpus[i].name, cpus[i].secs);
	if (b->p == NULL)
		buf_puts(b, "-");
}

/* This process's CPU time in seconds. */
static double
cpu_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* ---- the viewers ---- */

static int
viewer_connect(struct viewer *v, const char *path, int ep)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char req[512];

	inet_pton(AF_INET, host, &sin.sin_addr);
	if ((v->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(v->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return 0;
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n",
	    path, host);
	if (write(v->fd, req, strlen(req)) < 0)
		return 0;
	fcntl(v->fd, F_SETFL, O_NONBLOCK);
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = v };
	return epoll_ctl(ep, EPOLL_CTL_ADD, v->fd, &e) == 0;
}

/* Takes complete events out of the viewer's buffer and notes their ETs. */
static void
viewer_scan(struct viewer *v, double t)
{
	char *p = v->in.p, *end;

	while ((end = strstr(p, "\n\n")) != NULL) {
		*end = '\0';
		int snap = strstr(p, "event: snapshot") != NULL;
		if (snap || strstr(p, "retry:"))
			v->ready = 1;
		char *d = strstr(p, "event: delta");
		char *e = strstr(d ? d : p, "\"et\":");
		if (snap && phase == PH_RUN)
			v->run_snap += (long long)strlen(p);
		if (e != NULL && (d != NULL || snap)) {
			double et = strtod(e + 5, NULL);
			if (et > v->last_et)
				v->last_et = et;
		}
		if (d != NULL && e != NULL && phase == PH_RUN) {
			/* the null hub's payload: a delta from the middle of the run */
			if (save_file != NULL && v == &vs[0] && strstr(d, "\"pos\"") &&
			    v->narr <= (size_t)nframes / 2) {
				char *data = strstr(d, "data: ");
				if (data != NULL) {
					free(saved);
					saved = strdup(data + 6);
				}
			}
			if (v->narr == v->cap) {
				v->cap = v->cap ? v->cap * 2 : 128;
				v->arr = realloc(v->arr, v->cap * sizeof(*v->arr));
			}
			v->arr[v->narr].et = strtod(e + 5, NULL);
			v->arr[v->narr++].at = t;
		}
		p = end + 2;
	}
	size_t left = v->in.len - (size_t)(p - v->in.p);
	memmove(v->in.p, p, left);
	v->in.len = left;
	v->in.p[left] = '\0';
}

static void
pump(int ep, double until)
{
	struct epoll_event got[512];
	char tmp[65536];

	while (now() < until) {
		int n = epoll_wait(ep, got, 512, 5);
		double t = now();
		for (int i = 0; i < n; i++) {
			struct viewer *v = got[i].data.ptr;
			ssize_t r;
			while ((r = read(v->fd, tmp, sizeof(tmp))) > 0) {
				if (phase == PH_JOIN)
					v->join_bytes += r;
				else if (phase == PH_RUN)
					v->run_bytes += r;
				last_byte = t;
				buf_add(&v->in, tmp, (size_t)r);
			}
			if (r == 0) {
				epoll_ctl(ep, EPOLL_CTL_DEL, v->fd, NULL);
				close(v->fd);
			}
			viewer_scan(v, t);
		}
	}
}

/* ---- the race: a recording's cars cloned to ncars ---- */

static gzFile	 rec;

static size_t
curl_sink(char *p, size_t sz, size_t n, void *arg)
{
	buf_add(arg, p, sz * n);
	return sz * n;
}

/* The recording's next poll in green with its cars cloned, or NULL. */
static cJSON *
poll_next(void)
{
	static char line[1 << 22];

	while (gzgets(rec, line, sizeof(line)) != NULL) {
		cJSON *o = cJSON_Parse(line);
		cJSON *r = cJSON_GetObjectItem(o, "responses");
		cJSON *si = cJSON_GetObjectItem(r, "/rest/watch/sessionInfo");
		cJSON *ph = cJSON_GetObjectItem(si, "gamePhase");
		if (!cJSON_IsNumber(ph) || ph->valueint != 5 ||
		    !cJSON_IsNumber(cJSON_GetObjectItem(si, "currentEventTime"))) {
			cJSON_Delete(o);
			continue;
		}
		cJSON_DetachItemViaPointer(o, r);
		cJSON_Delete(o);
		/* offline, no strategy: the cars are all that counts */
		cJSON_DeleteItemFromObject(r, "/rest/multiplayer/teams");
		cJSON *st = cJSON_GetObjectItem(r, "/rest/watch/standings");
		int n0 = cJSON_GetArraySize(st);
		for (int k = n0; k < ncars && n0 > 0; k++) {
			cJSON *c = cJSON_Duplicate(cJSON_GetArrayItem(st, k % n0), 1);
			char s[64];
			cJSON_ReplaceItemInObject(c, "slotID", cJSON_CreateNumber(100 + k));
			cJSON_ReplaceItemInObject(c, "position", cJSON_CreateNumber(k + 1));
			snprintf(s, sizeof(s), "Bench Driver %d", k);
			cJSON_ReplaceItemInObject(c, "driverName", cJSON_CreateString(s));
			snprintf(s, sizeof(s), "%d", 100 + k);
			cJSON_ReplaceItemInObject(c, "carNumber", cJSON_CreateString(s));
			cJSON_ReplaceItemInObject(c, "player", cJSON_CreateFalse());
			cJSON_AddItemToArray(st, c);
		}
		return r;
	}
	return NULL;
}

static double
poll_et(const cJSON *poll)
{
	cJSON *si = cJSON_GetObjectItem(poll, "/rest/watch/sessionInfo");

	return cJSON_GetObjectItem(si, "currentEventTime")->valuedouble;
}

/* Appends a frame of seq with the poll as data to the array arr. */
static void
frame_add(cJSON *arr, int seq, cJSON *data)
{
	cJSON *fr = cJSON_CreateObject(), *cl;
	char ts[32];

	cJSON_AddNumberToObject(fr, "v", 1);
	cl = cJSON_AddObjectToObject(fr, "client");
	cJSON_AddStringToObject(cl, "id", "livebench0001");
	cJSON_AddStringToObject(cl, "name", "live benchmark");
	cJSON_AddNumberToObject(fr, "seq", seq);
	time_iso(time_now(), ts);
	cJSON_AddStringToObject(fr, "captured_at", ts);
	cJSON_AddStringToObject(fr, "source", "lmu");
	cJSON_AddItemReferenceToObject(fr, "data", data);
	cJSON_AddItemToArray(arr, fr);
}

/* The gzipped upload of frames seq.. for the n polls into z. */
static void
body_build(struct buf *z, int seq, cJSON **data, int n)
{
	cJSON *arr = cJSON_CreateArray();

	for (int i = 0; i < n; i++)
		frame_add(arr, seq + i, data[i]);
	char *js = cJSON_PrintUnformatted(arr);
	buf_reset(z);
	gz_deflate(js, strlen(js), 6, z);
	free(js);
	cJSON_Delete(arr);
}

/* Posts an upload. Returns 1 on a 202, else 0 with the answer in answer. */
static int
body_post(CURL *c, const struct buf *z, struct buf *answer)
{
	struct curl_slist *h = NULL;
	char url[256], auth[256];
	long code = 0;

	snprintf(url, sizeof(url), "%s/api/v1/frames", base);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Content-Encoding: gzip");
	h = curl_slist_append(h, auth);
	buf_reset(answer);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, z->p);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)z->len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	return rc == CURLE_OK && code == 202;
}

static int
post_frame(CURL *c, int seq, cJSON *data, struct buf *answer)
{
	struct buf z = { 0 };
	int rc;

	body_build(&z, seq, &data, 1);
	rc = body_post(c, &z, answer);
	buf_free(&z);
	return rc;
}

/* GETs URL/path into answer. Returns the parsed JSON or NULL. */
static cJSON *
get_json(CURL *c, const char *path, struct buf *answer)
{
	char url[256];

	snprintf(url, sizeof(url), "%s%s", base, path);
	buf_reset(answer);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	if (curl_easy_perform(c) != CURLE_OK || answer->p == NULL)
		return NULL;
	return cJSON_Parse(answer->p);
}

/* Frames seq.. of the next n polls, in batches; NULL when the recording ends. */
static struct burst *
burst_new(int seq, int n, double *et_last)
{
	struct burst *b = calloc(1, sizeof(*b));
	cJSON *data[BATCH];

	b->bodies = calloc((size_t)(n + BATCH - 1) / BATCH, sizeof(*b->bodies));
	for (int i = 0; i < n; i += BATCH) {
		int k = n - i < BATCH ? n - i : BATCH;
		for (int j = 0; j < k; j++)
			if ((data[j] = poll_next()) == NULL)
				return NULL;
		*et_last = poll_et(data[k - 1]);
		body_build(&b->bodies[b->nbodies++], seq + i, data, k);
		for (int j = 0; j < k; j++)
			cJSON_Delete(data[j]);
	}
	b->frames = n;
	return b;
}

/* Uploads a burst, then waits for the inbox to be empty (120 s at most). */
static void *
burst_run(void *arg)
{
	struct burst *b = arg;
	CURL *c = curl_easy_init();
	struct buf answer = { 0 };
	double t0 = b->t0 = now();

	b->ok = 1;
	for (int i = 0; i < b->nbodies && b->ok; i++)
		if (!body_post(c, &b->bodies[i], &answer)) {
			fprintf(stderr, "live-fanout: a burst's upload was not accepted: %s\n",
			    answer.p ? answer.p : "");
			b->ok = 0;
		}
	b->t_posted = now() - t0;
	while (b->ok) {
		cJSON *o = get_json(c, "/healthz", &answer);
		cJSON *w = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "inbox"), "waiting");
		int empty = cJSON_IsNumber(w) && w->valuedouble == 0;
		cJSON_Delete(o);
		if (empty)
			break;
		if (now() - t0 > 120) {
			fprintf(stderr, "live-fanout: the inbox is still not empty after 120 s\n");
			b->ok = 0;
		}
		usleep(5000);
	}
	b->t_applied = now() - t0;
	buf_free(&answer);
	curl_easy_cleanup(c);
	atomic_store(&b->done, 1);
	return NULL;
}

/* Prints a burst's rate, and the CPU time of each -P set per frame. */
static void
burst_print(struct burst *b, const char *what)
{
	printf("ingest, %s: %d frames applied in %.2f s: %.1f frames/s (uploaded in %.2f s); cpu ms/frame",
	    what, b->frames, b->t_applied, b->frames / b->t_applied, b->t_posted);
	for (int i = 0; i < ncpus; i++) {
		b->cpu[i] = cpus[i].secs;
		printf("%s %s %.2f", i ? "," : "", cpus[i].name, cpus[i].secs * 1000 / b->frames);
	}
	printf("\n");
	fflush(stdout);
}

static void
burst_free(struct burst *b)
{
	if (b == NULL)
		return;
	for (int i = 0; i < b->nbodies; i++)
		buf_free(&b->bodies[i]);
	free(b->bodies);
	free(b);
}

/* ---- the feeders at the rate ---- */

static cJSON	**polls;	/* of the run */
static int	  seq_run;	/* of its first frame */

/* Posts the run's frames at the rate; notes each 202. */
static void *
feeder_real(void *arg)
{
	CURL *c = curl_easy_init();
	struct buf answer = { 0 }, z = { 0 };
	double t0 = now();

	(void)arg;
	for (int i = 0; i < nframes; i++) {
		double due = t0 + i / rate;
		while (now() < due)
			usleep(1000);
		body_build(&z, seq_run + i, &polls[i], 1);
		t_post[i] = now();
		if (!body_post(c, &z, &answer))
			fprintf(stderr, "live-fanout: frame %d not accepted: %s\n", i, answer.p ? answer.p : "");
		t_sent[i] = now();
		et_sent[i] = poll_et(polls[i]);
		atomic_store(&sent, i + 1);
	}
	buf_free(&answer);
	buf_free(&z);
	curl_easy_cleanup(c);
	return NULL;
}

static char *payload;

static void *
feeder_null(void *arg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	double t0 = now();
	struct buf msg = { 0 };
	char *et = strstr(payload, "\"et\":");

	(void)arg;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", control);
	for (int i = 0; i < nframes; i++) {
		double due = t0 + i / rate;
		while (now() < due)
			usleep(1000);
		buf_reset(&msg);
		/* the payload with its ET rewritten to this message's */
		char *rest = et + 5;
		strtod(rest, &rest);
		buf_printf(&msg, "%.*s\"et\":%d%s", (int)(et - payload), payload, 10000 + i, rest);
		et_sent[i] = 10000 + i;
		t_post[i] = now();
		sendto(fd, msg.p, msg.len, 0, (struct sockaddr *)&sun, sizeof(sun));
		t_sent[i] = now();
		atomic_store(&sent, i + 1);
	}
	buf_free(&msg);
	close(fd);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
usage(void)
{
	fprintf(stderr, "usage: live-fanout real -u URL -t TOKEN [-n viewers] [-f frames] [-r rate] "
	    "[-c cars] [-W frames] [-B frames] [-P name=pid,...] [-o payload-out] RECORDING\n"
	    "       live-fanout null -u URL -C CONTROL_SOCKET -p PAYLOAD [-n] [-f] [-r] [-P]\n");
	exit(2);
}

/* The live session's id, once the worker made it, into id (empty if none). */
static void
session_find(char id[80])
{
	CURL *c = curl_easy_init();
	struct buf answer = { 0 };

	id[0] = '\0';
	for (int i = 0; i < 200 && id[0] == '\0'; i++) {
		cJSON *o = get_json(c, "/api/v1/sessions?live=1", &answer);
		cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "sessions"), 0);
		cJSON *sid = cJSON_GetObjectItem(s, "id");
		if (cJSON_IsString(sid))
			snprintf(id, 80, "%s", sid->valuestring);
		cJSON_Delete(o);
		if (id[0] == '\0')
			usleep(50000);
	}
	buf_free(&answer);
	curl_easy_cleanup(c);
}

int
main(int argc, char *argv[])
{
	struct rlimit	 rl;
	struct buf	 cpu = { 0 };
	struct burst	*b0 = NULL, *b1 = NULL, *b2 = NULL, *b3 = NULL;
	double		 et_b2 = 0, et_dummy;
	const char	*label;
	char		 path[256];
	int		 ch, real, ep;
	pthread_t	 th;

	if (argc < 2)
		usage();
	real = strcmp(argv[1], "real") == 0;
	if (!real && strcmp(argv[1], "null") != 0)
		usage();
	label = real ? "trackside" : "null hub";
	optind = 2;
	while ((ch = getopt(argc, argv, "u:t:n:f:r:c:C:p:o:B:W:P:")) != -1) {
		switch (ch) {
		case 'u': base = optarg; break;
		case 't': token = optarg; break;
		case 'n': nv = atoi(optarg); break;
		case 'f': nframes = atoi(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 'c': ncars = atoi(optarg); break;
		case 'C': control = optarg; break;
		case 'p': payload_file = optarg; break;
		case 'o': save_file = optarg; break;
		case 'B': nburst = atoi(optarg); break;
		case 'W': nwarm = atoi(optarg); break;
		case 'P': if (!cpu_add(optarg)) usage(); break;
		default: usage();
		}
	}
	if (base == NULL || sscanf(base, "http://%63[^:]:%d", host, &port) != 2 || nv < 1 ||
	    nframes < 1 || rate <= 0 || nburst < 0 || nwarm < 0 || (real && (token == NULL || optind != argc - 1)) ||
	    (!real && (control == NULL || payload_file == NULL)))
		usage();
	/* a viewer is a descriptor */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)nv + 64) {
		fprintf(stderr, "live-fanout: %d viewers need %d descriptors, the limit is %llu\n",
		    nv, nv + 64, (unsigned long long)rl.rlim_cur);
		return 1;
	}
	t_sent = calloc((size_t)nframes, sizeof(double));
	t_post = calloc((size_t)nframes, sizeof(double));
	et_sent = calloc((size_t)nframes, sizeof(double));
	vs = calloc((size_t)nv, sizeof(*vs));
	ep = epoll_create1(0);

	if (real) {
		struct buf answer = { 0 };
		cJSON *first[2];
		CURL *c;
		char id[80];
		curl_global_init(CURL_GLOBAL_DEFAULT);
		if ((rec = gzopen(argv[optind], "rb")) == NULL) {
			fprintf(stderr, "live-fanout: cannot open %s\n", argv[optind]);
			return 1;
		}
		/* the race: its first two frames, the bursts' and the run's */
		polls = calloc((size_t)nframes, sizeof(*polls));
		if ((first[0] = poll_next()) == NULL || (first[1] = poll_next()) == NULL ||
		    (nwarm > 0 && (b0 = burst_new(3, nwarm, &et_dummy)) == NULL) ||
		    (nburst > 0 && (b1 = burst_new(3 + nwarm, nburst, &et_dummy)) == NULL))
			goto short_rec;
		if (nburst > 0 && (b2 = burst_new(3 + nwarm + nburst, nburst, &et_b2)) == NULL)
			goto short_rec;
		seq_run = 3 + nwarm + 2 * nburst;
		for (int i = 0; i < nframes; i++)
			if ((polls[i] = poll_next()) == NULL)
				goto short_rec;
		if (nburst > 0 && (b3 = burst_new(seq_run + nframes, nburst, &et_dummy)) == NULL)
			goto short_rec;
		gzclose(rec);
		c = curl_easy_init();
		if (!post_frame(c, 1, first[0], &answer) || !post_frame(c, 2, first[1], &answer)) {
			fprintf(stderr, "live-fanout: the first frames were not accepted: %s\n",
			    answer.p ? answer.p : "");
			return 1;
		}
		curl_easy_cleanup(c);
		buf_free(&answer);
		session_find(id);
		if (id[0] == '\0') {
			fprintf(stderr, "live-fanout: no live session appeared\n");
			return 1;
		}
		snprintf(path, sizeof(path), "/live/sessions/%s", id);
		if (b0 != NULL) {
			/* into the race, past its start */
			burst_run(b0);
			if (!b0->ok)
				return 1;
		}
		if (b1 != NULL) {
			/* the ingest rate with no viewer */
			cpu_start();
			burst_run(b1);
			cpu_stop();
			if (!b1->ok)
				return 1;
			burst_print(b1, "no viewer");
			fflush(stdout);
		}
	} else {
		struct buf p = { 0 };
		if (file_read(payload_file, 1 << 20, &p) <= 0 || p.p == NULL) {
			fprintf(stderr, "live-fanout: cannot read %s\n", payload_file);
			return 1;
		}
		payload = p.p;
		if (strstr(payload, "\"et\":") == NULL) {
			fprintf(stderr, "live-fanout: the payload has no \"et\"\n");
			return 1;
		}
		snprintf(path, sizeof(path), "/live/sessions/null");
	}

	/* the viewers join: the snapshot and the buffer, until all is quiet */
	phase = PH_JOIN;
	double join0 = now();
	last_byte = join0;
	for (int i = 0; i < nv; i++) {
		if (!viewer_connect(&vs[i], path, ep)) {
			fprintf(stderr, "live-fanout: viewer %d: %s\n", i, strerror(errno));
			return 1;
		}
		if (i % 100 == 99)
			pump(ep, now() + 0.01);
	}
	double deadline = now() + 60;
	int ready = 0;
	while (now() < deadline && (ready < nv || now() - last_byte < QUIET)) {
		pump(ep, now() + 0.1);
		ready = 0;
		for (int i = 0; i < nv; i++)
			ready += vs[i].ready;
	}
	if (ready < nv) {
		fprintf(stderr, "live-fanout: only %d of %d viewers got the stream\n", ready, nv);
		return 1;
	}
	long long join_bytes = 0, join_max = 0;
	for (int i = 0; i < nv; i++) {
		join_bytes += vs[i].join_bytes;
		if (vs[i].join_bytes > join_max)
			join_max = vs[i].join_bytes;
	}
	printf("%s: join: %.0f bytes/viewer on average, %lld at most (%s), all %d viewers had them "
	    "%.2f s after the first connect\n", label, (double)join_bytes / nv, join_max,
	    real ? "headers, snapshot, delta buffer" : "headers", nv, last_byte - join0);

	if (b2 != NULL) {
		/* the ingest rate with the viewers following */
		phase = PH_BURST;
		double self = cpu_self();
		cpu_start();
		pthread_create(&th, NULL, burst_run, b2);
		while (!atomic_load(&b2->done))
			pump(ep, now() + 0.05);
		cpu_stop();
		pthread_join(th, NULL);
		self = cpu_self() - self;
		if (!b2->ok)
			return 1;
		/* and until every viewer saw the last frame */
		double seen = -1;
		deadline = now() + 60;
		while (now() < deadline) {
			int behind = 0;
			for (int i = 0; i < nv && !behind; i++)
				behind = vs[i].last_et + 0.0005 < et_b2;
			if (!behind) {
				seen = now() - b2->t0;
				break;
			}
			pump(ep, now() + 0.01);
		}
		snprintf(path, sizeof(path), "%d viewers", nv);
		burst_print(b2, path);
		if (seen < 0)
			printf("  the last frame did not reach every viewer in 60 s\n");
		else
			printf("  the last frame at every viewer %.2f s after the first upload; "
			    "this program's cpu s %.2f (reading the streams)\n", seen, self);
	}

	/* frames at the rate */
	phase = PH_RUN;
	cpu_start();
	double start = now();
	pthread_create(&th, NULL, real ? feeder_real : feeder_null, NULL);
	while (atomic_load(&sent) < nframes)
		pump(ep, now() + 0.05);
	/* the last frame's events, and no more: the stream's rate is per frame */
	double tail = now() + 1.0 / rate;
	pump(ep, tail);
	cpu_stop();
	double secs = tail - start;
	pump(ep, now() + 3.0);
	pthread_join(th, NULL);

	/* (frame, viewer) latencies */
	size_t n = 0, missing = 0, negative = 0;
	double *lat = malloc((size_t)nframes * (size_t)nv * sizeof(double));
	double *lat2 = malloc((size_t)nframes * (size_t)nv * sizeof(double));
	long long bytes = 0, snap_bytes = 0;
	for (int v = 0; v < nv; v++) {
		size_t k = 0;
		bytes += vs[v].run_bytes;
		snap_bytes += vs[v].run_snap;
		for (int i = 0; i < nframes; i++) {
			while (k < vs[v].narr && vs[v].arr[k].et + 0.0005 < et_sent[i])
				k++;
			if (k == vs[v].narr) {
				missing++;
				continue;
			}
			double l = vs[v].arr[k].at - t_sent[i];
			if (l < 0) {
				negative++;
				l = 0;
			}
			lat2[n] = (vs[v].arr[k].at - t_post[i]) * 1000.0;
			lat[n++] = l * 1000.0;
		}
	}
	qsort(lat, n, sizeof(double), cmp_double);
	qsort(lat2, n, sizeof(double), cmp_double);
#define PCT(a, p) (n ? (a)[(size_t)((double)(n - 1) * (p))] : NAN)
	printf("%s: %d viewers, %d frames at %.1f/s: latency ms p50 %.1f p90 %.1f p99 %.1f max %.1f"
	    " (%zu samples, %zu missing, %zu before the %s, counted 0)\n",
	    label, nv, nframes, rate, PCT(lat, 0.5), PCT(lat, 0.9), PCT(lat, 0.99), PCT(lat, 1), n,
	    missing, negative, real ? "202" : "send");
	if (real)
		printf("%s: from the upload's start instead of its 202: latency ms p50 %.1f p90 %.1f "
		    "p99 %.1f max %.1f\n", label, PCT(lat2, 0.5), PCT(lat2, 0.9), PCT(lat2, 0.99),
		    PCT(lat2, 1));
	cpu_print(&cpu);
	printf("%s: stream: %.0f bytes/viewer/s over %.1f s (%.0f per frame, %.0f of them in "
	    "snapshots); cpu s %s\n", label, (double)bytes / nv / secs, secs,
	    (double)bytes / nv / nframes, (double)snap_bytes / nv / nframes, cpu.p);
	fflush(stdout);
	if (save_file != NULL) {
		/* one delta of the run, as the null hub's payload */
		FILE *f = fopen(save_file, "w");
		if (f != NULL && saved != NULL)
			fputs(saved, f);
		if (f != NULL)
			fclose(f);
	}

	if (b3 != NULL) {
		/* the viewers go: no viewer again, for the noise and the race's drift */
		for (int i = 0; i < nv; i++)
			close(vs[i].fd);
		usleep(500000);
		cpu_start();
		burst_run(b3);
		cpu_stop();
		if (!b3->ok)
			return 1;
		burst_print(b3, "no viewer again");
		double r1 = b1->frames / b1->t_applied, r2 = b2->frames / b2->t_applied;
		double r3 = b3->frames / b3->t_applied;
		printf("ingest rate with/without viewers: %.2f (%.1f / %.1f frames/s, the mean of the two "
		    "without)", r2 / ((r1 + r3) / 2), r2, (r1 + r3) / 2);
		/* the CPU each frame takes is the steadier figure on a busy machine */
		for (int i = 0; i < ncpus; i++)
			if (strcmp(cpus[i].name, "ingestd") == 0 && b1->cpu[i] + b3->cpu[i] > 0)
				printf("; ingestd cpu/frame with/without: %.2f",
				    b2->cpu[i] / ((b1->cpu[i] + b3->cpu[i]) / 2));
		printf("\n");
	}
	burst_free(b0);
	burst_free(b1);
	burst_free(b3);
	burst_free(b2);
	buf_free(&cpu);
	return missing > 0;
short_rec:
	fprintf(stderr, "live-fanout: %s has fewer than %d polls in green\n", argv[optind],
	    2 + nwarm + nframes + 3 * nburst);
	return 1;
}
