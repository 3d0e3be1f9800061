/*
 * live-fanout: N server-sent-event viewers through nginx, and a feeder.
 *
 *   live-fanout real -u URL -t TOKEN [-n viewers] [-f frames] [-r frames/s] [-c cars] RECORDING
 *	Uploads a race of `cars` cars (the recording's cars, cloned) frame by
 *	frame to URL/api/v1/frames; every viewer follows /live/sessions/{id}.
 *	Latency: from a frame's 202 to the delta carrying its ET at a viewer.
 *   live-fanout null -u URL -C CONTROL_SOCKET -p PAYLOAD [-n] [-f] [-r]
 *	The same viewers on a trivial hub (bench/live-hub-null); each payload
 *	(a captured delta with its "et" rewritten) is sent to the control
 *	socket. Latency: from the send to the event at a viewer.
 *
 * Prints p50/p90/p99/max latency over every (frame, viewer) pair, and bytes
 * per viewer per second. With -o FILE (real), saves one delta as a payload
 * for the null run.
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

struct arrival {
	double		 et;
	double		 at;
};

struct viewer {
	int		 fd;
	int		 ready;		/* header and first event seen */
	struct buf	 in;
	struct arrival	*arr;
	size_t		 narr, cap;
	long long	 bytes;		/* after ready */
};

static struct viewer	*vs;
static int		 nv = 1000, nframes = 60, ncars = 60;
static double		 rate = 2;
static const char	*base, *token, *control, *payload_file, *save_file;
static double		*t_sent, *et_sent;
static atomic_int	 sent;
static char		 host[64] = "127.0.0.1";
static char		*saved;		/* a delta of the real run, for the null one */
static int		 port;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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

/* Takes complete events out of the viewer's buffer and notes delta ETs. */
static void
viewer_scan(struct viewer *v, double t)
{
	char *p = v->in.p, *end;

	while ((end = strstr(p, "\n\n")) != NULL) {
		*end = '\0';
		if (strstr(p, "event: snapshot") || strstr(p, "retry:"))
			v->ready = 1;
		char *d = strstr(p, "event: delta");
		char *e = d ? strstr(d, "\"et\":") : NULL;
		if (e != NULL && save_file != NULL && saved == NULL && v == &vs[0] && strstr(d, "\"pos\"") &&
		    v->narr > 5) {
			char *data = strstr(d, "data: ");
			if (data != NULL)
				saved = strdup(data + 6);
		}
		if (e != NULL) {
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
				if (v->ready)
					v->bytes += r;
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

/* ---- the real feeder: a 60-car race from a recording ---- */

static size_t
curl_sink(char *p, size_t sz, size_t n, void *arg)
{
	buf_add(arg, p, sz * n);
	return sz * n;
}

static cJSON **polls;
static int npolls;

/* Reads the recording's polls from the first one in green on. */
static int
read_polls(const char *file, int want)
{
	gzFile f = gzopen(file, "rb");
	static char line[1 << 22];

	if (f == NULL)
		return 0;
	polls = calloc((size_t)want, sizeof(*polls));
	while (npolls < want && gzgets(f, line, sizeof(line)) != NULL) {
		cJSON *o = cJSON_Parse(line);
		cJSON *r = cJSON_GetObjectItem(o, "responses");
		cJSON *si = cJSON_GetObjectItem(r, "/rest/watch/sessionInfo");
		cJSON *ph = cJSON_GetObjectItem(si, "gamePhase");
		if (!cJSON_IsNumber(ph) || ph->valueint != 5) {
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
		polls[npolls++] = r;
	}
	gzclose(f);
	return npolls == want;
}

static int
post_frame(CURL *c, int seq, cJSON *data, struct buf *answer)
{
	cJSON *fr = cJSON_CreateObject(), *cl;
	struct buf z = { 0 };
	struct curl_slist *h = NULL;
	char url[256], auth[256], ts[32];
	long code = 0;

	cJSON_AddNumberToObject(fr, "v", 1);
	cl = cJSON_AddObjectToObject(fr, "client");
	cJSON_AddStringToObject(cl, "id", "livebench0001");
	cJSON_AddStringToObject(cl, "name", "live benchmark");
	cJSON_AddNumberToObject(fr, "seq", seq);
	time_iso(time_now(), ts);
	cJSON_AddStringToObject(fr, "captured_at", ts);
	cJSON_AddStringToObject(fr, "source", "lmu");
	cJSON_AddItemReferenceToObject(fr, "data", data);
	char *js = cJSON_PrintUnformatted(fr);
	gz_deflate(js, strlen(js), 6, &z);
	snprintf(url, sizeof(url), "%s/api/v1/frames", base);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Content-Encoding: gzip");
	h = curl_slist_append(h, auth);
	buf_reset(answer);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, z.p);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)z.len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	free(js);
	buf_free(&z);
	cJSON_Delete(fr);
	return rc == CURLE_OK && code == 202;
}

static double
poll_et(int i)
{
	cJSON *si = cJSON_GetObjectItem(polls[i], "/rest/watch/sessionInfo");
	return cJSON_GetObjectItem(si, "currentEventTime")->valuedouble;
}

/* Posts frames 1..nframes (poll 2.. of the list) at the rate; notes each 202. */
static void *
feeder_real(void *arg)
{
	CURL *c = curl_easy_init();
	struct buf answer = { 0 };
	double t0 = now();

	(void)arg;
	for (int i = 0; i < nframes; i++) {
		double due = t0 + i / rate;
		while (now() < due)
			usleep(1000);
		if (!post_frame(c, i + 3, polls[i + 2], &answer))
			fprintf(stderr, "live-fanout: frame %d not accepted: %s\n", i, answer.p ? answer.p : "");
		t_sent[i] = now();
		et_sent[i] = poll_et(i + 2);
		atomic_store(&sent, i + 1);
	}
	buf_free(&answer);
	curl_easy_cleanup(c);
	return NULL;
}

/* ---- the null feeder ---- */

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
	    "[-c cars] [-o payload-out] RECORDING\n"
	    "       live-fanout null -u URL -C CONTROL_SOCKET -p PAYLOAD [-n] [-f] [-r]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct rlimit	 rl = { 65536, 65536 };
	char		 path[256];
	int		 ch, real, ep;
	pthread_t	 th;

	if (argc < 2)
		usage();
	real = strcmp(argv[1], "real") == 0;
	if (!real && strcmp(argv[1], "null") != 0)
		usage();
	optind = 2;
	while ((ch = getopt(argc, argv, "u:t:n:f:r:c:C:p:o:")) != -1) {
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
		default: usage();
		}
	}
	if (base == NULL || sscanf(base, "http://%63[^:]:%d", host, &port) != 2 || nv < 1 ||
	    nframes < 1 || rate <= 0 || (real && (token == NULL || optind != argc - 1)) ||
	    (!real && (control == NULL || payload_file == NULL)))
		usage();
	setrlimit(RLIMIT_NOFILE, &rl);
	t_sent = calloc((size_t)nframes, sizeof(double));
	et_sent = calloc((size_t)nframes, sizeof(double));
	vs = calloc((size_t)nv, sizeof(*vs));
	ep = epoll_create1(0);

	if (real) {
		struct buf answer = { 0 };
		CURL *c;
		curl_global_init(CURL_GLOBAL_DEFAULT);
		if (!read_polls(argv[optind], nframes + 2)) {
			fprintf(stderr, "live-fanout: %s has fewer than %d polls in green\n", argv[optind], nframes + 2);
			return 1;
		}
		c = curl_easy_init();
		if (!post_frame(c, 1, polls[0], &answer) || !post_frame(c, 2, polls[1], &answer)) {
			fprintf(stderr, "live-fanout: the first frames were not accepted: %s\n", answer.p ? answer.p : "");
			return 1;
		}
		/* the session id, once the worker made it */
		char id[80] = "";
		for (int i = 0; i < 200 && id[0] == '\0'; i++) {
			char url[256];
			snprintf(url, sizeof(url), "%s/api/v1/sessions?live=1", base);
			buf_reset(&answer);
			curl_easy_setopt(c, CURLOPT_URL, url);
			curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
			curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
			curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink);
			curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
			curl_easy_perform(c);
			cJSON *o = cJSON_Parse(answer.p ? answer.p : "");
			cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "sessions"), 0);
			cJSON *sid = cJSON_GetObjectItem(s, "id");
			if (cJSON_IsString(sid))
				snprintf(id, sizeof(id), "%s", sid->valuestring);
			cJSON_Delete(o);
			if (id[0] == '\0')
				usleep(50000);
		}
		curl_easy_cleanup(c);
		buf_free(&answer);
		if (id[0] == '\0') {
			fprintf(stderr, "live-fanout: no live session appeared\n");
			return 1;
		}
		snprintf(path, sizeof(path), "/live/sessions/%s", id);
	} else {
		struct buf p = { 0 };
		if (file_read(payload_file, 1 << 20, &p) <= 0) {
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

	/* the viewers */
	for (int i = 0; i < nv; i++) {
		if (!viewer_connect(&vs[i], path, ep)) {
			fprintf(stderr, "live-fanout: viewer %d: %s\n", i, strerror(errno));
			return 1;
		}
		if (i % 100 == 99)
			pump(ep, now() + 0.01);
	}
	double deadline = now() + 30;
	int ready = 0;
	while (now() < deadline && ready < nv) {
		pump(ep, now() + 0.1);
		ready = 0;
		for (int i = 0; i < nv; i++)
			ready += vs[i].ready;
	}
	if (ready < nv) {
		fprintf(stderr, "live-fanout: only %d of %d viewers got the stream\n", ready, nv);
		return 1;
	}

	/* the run */
	double start = now();
	pthread_create(&th, NULL, real ? feeder_real : feeder_null, NULL);
	while (atomic_load(&sent) < nframes)
		pump(ep, now() + 0.05);
	pump(ep, now() + 3.0);
	double secs = now() - start - 3.0 + 1.0 / rate;
	pthread_join(th, NULL);

	/* (frame, viewer) latencies */
	size_t n = 0, missing = 0, negative = 0;
	double *lat = malloc((size_t)nframes * (size_t)nv * sizeof(double));
	long long bytes = 0;
	for (int v = 0; v < nv; v++) {
		size_t k = 0;
		bytes += vs[v].bytes;
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
			lat[n++] = l * 1000.0;
		}
	}
	qsort(lat, n, sizeof(double), cmp_double);
#define PCT(p) (n ? lat[(size_t)((double)(n - 1) * (p))] : NAN)
	printf("%s: %d viewers, %d frames at %.1f/s: latency ms p50 %.1f p90 %.1f p99 %.1f max %.1f"
	    " (%zu samples, %zu missing, %zu before the 202); %.0f bytes/viewer/s\n",
	    real ? "trackside" : "null hub", nv, nframes, rate, PCT(0.5), PCT(0.9), PCT(0.99),
	    n ? lat[n - 1] : NAN, n, missing, negative, (double)bytes / nv / secs);
	if (save_file != NULL) {
		/* one delta of the run, as the null hub's payload */
		FILE *f = fopen(save_file, "w");
		if (f != NULL && saved != NULL)
			fputs(saved, f);
		if (f != NULL)
			fclose(f);
	}
	return missing > 0;
}
