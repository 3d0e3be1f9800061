/*
 * trackside-sink: a stand-in for the server's POST /api/v1/frames, for the
 * client's tests. It checks the token and the envelope the way the server
 * does (spec/wire-protocol.md), appends each new frame to a file (one line
 * each; duplicates are acknowledged and dropped, like the server), and
 * answers 202 {"ack": N}. Restarted with the same file it goes on where it
 * was. For tests it can be told to fail: GET /sink/fail?status=503 answers
 * every upload with that status until /sink/fail?status=0, and
 * /sink/reject?seq=N answers 400 to any upload holding frame N.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>

#include "client.h"

#if MHD_VERSION < 0x00097002
typedef int mhd_result;
#else
typedef enum MHD_Result mhd_result;
#endif

#define SINK_MAX_BODY	(16u << 20)
#define SINK_CLIENTS	16

struct sink {
	pthread_mutex_t	 mu;
	const char	*token;
	FILE		*out;
	struct {
		char		 id[65];
		long long	 last;
	}		 clients[SINK_CLIENTS];
	int		 nclients;
	int		 fail;		/* answer every upload with this status */
	long long	 reject;	/* answer 400 to uploads holding this seq */
	long long	 posts, frames, dups;
	long long	 body_bytes, raw_bytes;	/* as sent, and inflated */
};

struct upload {
	struct buf	 body;
	int		 too_large;
};

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static long long *
sink_last(struct sink *s, const char *id)
{
	for (int i = 0; i < s->nclients; i++)
		if (strcmp(s->clients[i].id, id) == 0)
			return &s->clients[i].last;
	if (s->nclients == SINK_CLIENTS)
		return NULL;
	snprintf(s->clients[s->nclients].id, sizeof(s->clients[0].id), "%s", id);
	s->clients[s->nclients].last = 0;
	return &s->clients[s->nclients++].last;
}

/* Reads client id and seq of a frame. Returns 1, or 0 with msg set. */
static int
sink_envelope(const struct jspan *f, char *id, size_t idsz, long long *seq, const char **msg)
{
	struct jspan	 v, c;
	char		 tmp[64];
	double		 t;

	if (f->type != JT_OBJECT || !jscan_member(f, "v", &v) || !jscan_int(&v, 1, 1, seq)) {
		*msg = "a frame is not an object with \"v\": 1";
		return 0;
	}
	if (!jscan_member(f, "client", &c) || !json_member_str(&c, "id", id, idsz) ||
	    !id_valid(id, 8, 64)) {
		*msg = "client.id must be 8 to 64 characters of A-Z a-z 0-9 _ -";
		return 0;
	}
	if (!jscan_member(f, "seq", &v) || !jscan_int(&v, 1, 9007199254740991LL, seq)) {
		*msg = "seq must be a whole number from 1";
		return 0;
	}
	if (!json_member_str(f, "captured_at", tmp, sizeof(tmp)) || !time_iso_parse(tmp, &t)) {
		*msg = "captured_at must be an ISO-8601 UTC time";
		return 0;
	}
	if (!json_member_str(f, "source", tmp, sizeof(tmp)) || strcmp(tmp, "lmu") != 0) {
		*msg = "source must be lmu";
		return 0;
	}
	if (!jscan_member(f, "data", &v) || v.type != JT_OBJECT) {
		*msg = "a frame has no data object";
		return 0;
	}
	return 1;
}

static int
sink_frames(struct sink *s, const char *body, size_t len, struct buf *out)
{
	struct jspan	 doc, el, frames[100];
	char		 id[65] = "", fid[65];
	long long	 seqs[100], *last;
	size_t		 n = 0, off = 0;
	const char	*msg = NULL;

	if (!jscan_document(body, len, &doc)) {
		buf_puts(out, "{\"error\":\"bad_json\",\"message\":\"The body is not valid JSON.\"}");
		return 400;
	}
	if (doc.type == JT_ARRAY) {
		while (jscan_next(&doc, &off, &el)) {
			if (n == 100) {
				buf_puts(out, "{\"error\":\"batch_too_large\",\"message\":\"At most 100.\"}");
				return 400;
			}
			frames[n++] = el;
		}
	} else
		frames[n++] = doc;
	for (size_t i = 0; i < n; i++) {
		if (!sink_envelope(&frames[i], fid, sizeof(fid), &seqs[i], &msg)) {
			buf_printf(out, "{\"error\":\"bad_frame\",\"message\":\"Frame %zu: %s.\"}", i, msg);
			return 400;
		}
		if (i == 0)
			snprintf(id, sizeof(id), "%s", fid);
		else if (strcmp(id, fid) != 0 || seqs[i] <= seqs[i - 1]) {
			buf_puts(out, "{\"error\":\"bad_batch\",\"message\":\"One client, increasing seq.\"}");
			return 400;
		}
		if (s->reject > 0 && seqs[i] == s->reject) {
			buf_printf(out, "{\"error\":\"bad_frame\",\"message\":\"Frame %zu (seq %lld) is "
			    "refused by this test.\"}", i, seqs[i]);
			return 400;
		}
	}
	if ((last = sink_last(s, id)) == NULL) {
		buf_puts(out, "{\"error\":\"unavailable\",\"message\":\"Too many clients.\"}");
		return 503;
	}
	for (size_t i = 0; i < n; i++) {
		if (seqs[i] <= *last) {
			s->dups++;
			continue;
		}
		fwrite(frames[i].p, 1, frames[i].len, s->out);
		fputc('\n', s->out);
		*last = seqs[i];
		s->frames++;
	}
	fflush(s->out);
	buf_printf(out, "{\"ack\":%lld,\"session\":null}", *last);
	return 202;
}

static mhd_result
sink_handler(void *cls, struct MHD_Connection *con, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct sink		*s = cls;
	struct upload		*u = *state;
	struct buf		 out = { 0 }, inflated = { 0 };
	struct MHD_Response	*resp;
	const char		*auth, *ce, *v;
	int			 status;
	mhd_result		 ret;
	long long		 n;

	(void)version;
	if (u == NULL) {
		if ((u = calloc(1, sizeof(*u))) == NULL)
			return MHD_NO;
		*state = u;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (u->body.len + *upload_size > SINK_MAX_BODY)
			u->too_large = 1;
		else
			buf_add(&u->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&s->mu);
	if (strcmp(url, "/sink/fail") == 0) {
		v = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "status");
		s->fail = v && num_parse_ll(v, 0, 599, &n) ? (int)n : 0;
		buf_printf(&out, "{\"fail\":%d}", s->fail);
		status = 200;
	} else if (strcmp(url, "/sink/reject") == 0) {
		v = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "seq");
		s->reject = v && num_parse_ll(v, 0, INT64_MAX / 2, &n) ? n : 0;
		buf_printf(&out, "{\"reject\":%lld}", s->reject);
		status = 200;
	} else if (strcmp(url, "/sink/status") == 0) {
		buf_printf(&out, "{\"posts\":%lld,\"frames\":%lld,\"dups\":%lld,\"body_bytes\":%lld,"
		    "\"raw_bytes\":%lld}", s->posts, s->frames, s->dups, s->body_bytes, s->raw_bytes);
		status = 200;
	} else if (strcmp(url, "/api/v1/frames") != 0 || strcmp(method, "POST") != 0) {
		buf_puts(&out, "{\"error\":\"not_found\",\"message\":\"No such page.\"}");
		status = 404;
	} else {
		s->posts++;
		auth = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Authorization");
		ce = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Encoding");
		if (s->fail) {
			status = s->fail;
			buf_printf(&out, "{\"error\":\"test\",\"message\":\"Failing on purpose (%d).\"}",
			    status);
		} else if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 ||
		    strcmp(auth + 7, s->token) != 0) {
			status = 401;
			buf_puts(&out, "{\"error\":\"unauthorized\",\"message\":\"Bad token.\"}");
		} else if (u->too_large) {
			status = 413;
			buf_puts(&out, "{\"error\":\"too_large\",\"message\":\"Too large.\"}");
		} else if (ce && strcasecmp(ce, "gzip") == 0 &&
		    gz_inflate(u->body.p, u->body.len, SINK_MAX_BODY, &inflated) != GZ_OK) {
			status = 400;
			buf_puts(&out, "{\"error\":\"bad_gzip\",\"message\":\"The body is not valid gzip.\"}");
		} else if (ce && strcasecmp(ce, "gzip") == 0)
			status = sink_frames(s, inflated.p, inflated.len, &out);
		else
			status = sink_frames(s, u->body.p ? u->body.p : "", u->body.len, &out);
		if (status == 202) {
			s->body_bytes += (long long)u->body.len;
			s->raw_bytes += (long long)(inflated.len ? inflated.len : u->body.len);
		}
	}
	pthread_mutex_unlock(&s->mu);
	resp = MHD_create_response_from_buffer(out.len, out.p ? out.p : (char *)"",
	    MHD_RESPMEM_MUST_COPY);
	buf_free(&out);
	buf_free(&inflated);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "application/json");
	ret = MHD_queue_response(con, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
sink_done(void *cls, struct MHD_Connection *con, void **state, enum MHD_RequestTerminationCode c)
{
	struct upload *u = *state;

	(void)cls;
	(void)con;
	(void)c;
	if (u) {
		buf_free(&u->body);
		free(u);
		*state = NULL;
	}
}

/* Rebuilds the last seq of each client from the frames file. */
static void
sink_load(struct sink *s, const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*line = NULL, id[65];
	size_t	 cap = 0;
	ssize_t	 n;

	if (f == NULL)
		return;
	while ((n = getline(&line, &cap, f)) > 0) {
		struct jspan doc;
		long long seq, *last;
		const char *msg;
		if (jscan_document(line, (size_t)n, &doc) &&
		    sink_envelope(&doc, id, sizeof(id), &seq, &msg) && (last = sink_last(s, id)) &&
		    seq > *last)
			*last = seq;
	}
	free(line);
	fclose(f);
}

int
main(int argc, char *argv[])
{
	static struct option lo[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'P' },
		{ "token", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct sink		 s;
	struct sockaddr_in	 sa;
	struct MHD_Daemon	*d;
	const char		*portfile = NULL, *outpath = NULL;
	long long		 port = 0;
	int			 ch;

	memset(&s, 0, sizeof(s));
	pthread_mutex_init(&s.mu, NULL);
	s.token = "test-token";
	while ((ch = getopt_long(argc, argv, "p:P:t:o:", lo, NULL)) != -1)
		switch (ch) {
		case 'p':
			if (!num_parse_ll(optarg, 0, 65535, &port)) {
				fprintf(stderr, "trackside-sink: bad port %s\n", optarg);
				return 2;
			}
			break;
		case 'P':
			portfile = optarg;
			break;
		case 't':
			s.token = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		default:
			fprintf(stderr, "usage: trackside-sink --out FILE [--port N] [--port-file F] "
			    "[--token T]\n");
			return 2;
		}
	if (outpath == NULL) {
		fprintf(stderr, "trackside-sink: --out FILE is needed\n");
		return 2;
	}
	sink_load(&s, outpath);
	if ((s.out = fopen(outpath, "a")) == NULL) {
		fprintf(stderr, "trackside-sink: %s: %s\n", outpath, strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    (MHD_AccessHandlerCallback)sink_handler, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_NOTIFY_COMPLETED, sink_done, NULL, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "trackside-sink: cannot listen on port %lld: %s\n", port,
		    strerror(errno));
		return 1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (portfile) {
		FILE *pf = fopen(portfile, "w");
		if (pf == NULL || fprintf(pf, "%u\n", info ? info->port : (unsigned)port) < 0 ||
		    fclose(pf) != 0) {
			fprintf(stderr, "trackside-sink: %s: %s\n", portfile, strerror(errno));
			MHD_stop_daemon(d);
			return 1;
		}
	}
	while (!quit)
		usleep(100000);
	MHD_stop_daemon(d);
	fclose(s.out);
	return 0;
}
