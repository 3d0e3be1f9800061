/*
 * post-recording: uploads the polls of an LMU recording (spec/lmu-recording.md)
 * as frames of one client, the way a client catching up would: batches, gzip,
 * bearer token, seq from 1. For the full-stack tests, the benchmarks and the
 * demo feed.
 *
 *	post-recording -u URL -t TOKEN -c CLIENT [-b batch] [-n max] [-r polls/s]
 *	    [-s first-seq] FILE
 */
#include <curl/curl.h>
#include <zlib.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trackside.h"

struct poster {
	CURL		*curl;
	const char	*url;
	char		 auth[256];
	const char	*client;
	struct buf	 batch;
	int		 nbatch;
	long long	 posted;
	long long	 acked;
};

static size_t
sink(char *p, size_t sz, size_t n, void *arg)
{
	struct buf *b = arg;

	buf_add(b, p, sz * n);
	return sz * n;
}

/* Sends the batch; retries 5xx/429 and network errors. Returns 1 or 0. */
static int
poster_flush(struct poster *p)
{
	struct buf		 z = { 0 }, answer = { 0 };
	struct curl_slist	*h = NULL;
	long			 code = 0;
	int			 tries = 0;

	if (p->nbatch == 0)
		return 1;
	buf_putc(&p->batch, ']');
	gz_deflate(p->batch.p, p->batch.len, 6, &z);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Content-Encoding: gzip");
	h = curl_slist_append(h, p->auth);
	for (;;) {
		buf_reset(&answer);
		curl_easy_setopt(p->curl, CURLOPT_URL, p->url);
		curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(p->curl, CURLOPT_POSTFIELDS, z.p);
		curl_easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE, (long)z.len);
		curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, sink);
		curl_easy_setopt(p->curl, CURLOPT_WRITEDATA, &answer);
		curl_easy_setopt(p->curl, CURLOPT_TIMEOUT, 30L);
		CURLcode rc = curl_easy_perform(p->curl);
		code = 0;
		if (rc == CURLE_OK)
			curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &code);
		if (code == 202)
			break;
		if ((rc == CURLE_OK && code < 500 && code != 429) || ++tries > 600) {
			fprintf(stderr, "post-recording: %s: %ld %s\n", p->url, code,
			    rc == CURLE_OK ? (answer.p ? answer.p : "") : curl_easy_strerror(rc));
			break;
		}
		usleep(100000);
	}
	curl_slist_free_all(h);
	buf_free(&z);
	buf_free(&answer);
	p->posted += p->nbatch;
	buf_reset(&p->batch);
	p->nbatch = 0;
	return code == 202;
}

int
main(int argc, char *argv[])
{
	struct poster	 p;
	const char	*token = NULL;
	long long	 batch = 20, max = -1, seq = 1, n = 0;
	double		 rate = 0;
	int		 ch;
	char		 line_buf[1 << 16];

	memset(&p, 0, sizeof(p));
	p.client = "post-recording";
	while ((ch = getopt(argc, argv, "b:c:n:r:s:t:u:")) != -1) {
		switch (ch) {
		case 'b': if (!num_parse_ll(optarg, 1, 100, &batch)) goto usage; break;
		case 'c': p.client = optarg; break;
		case 'n': if (!num_parse_ll(optarg, 0, 1LL << 40, &max)) goto usage; break;
		case 'r': if (!num_parse_d(optarg, 0, 1e6, &rate)) goto usage; break;
		case 's': if (!num_parse_ll(optarg, 1, 1LL << 50, &seq)) goto usage; break;
		case 't': token = optarg; break;
		case 'u': p.url = optarg; break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc || p.url == NULL || token == NULL || !id_valid(p.client, 8, 64))
		goto usage;
	snprintf(p.auth, sizeof(p.auth), "Authorization: Bearer %s", token);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	p.curl = curl_easy_init();

	gzFile f = gzopen(argv[optind], "rb");
	if (f == NULL) {
		fprintf(stderr, "post-recording: cannot open %s\n", argv[optind]);
		return 1;
	}
	struct buf line = { 0 };
	int first = 1;
	double start = time_mono();
	while (max < 0 || n < max) {
		buf_reset(&line);
		char *got;
		while ((got = gzgets(f, line_buf, sizeof(line_buf))) != NULL) {
			buf_puts(&line, line_buf);
			if (line.len && line.p[line.len - 1] == '\n')
				break;
		}
		if (line.len == 0)
			break;
		if (first) {	/* the header */
			first = 0;
			continue;
		}
		struct jspan doc, resp;
		if (!jscan_document(line.p, line.len, &doc) || !jscan_member(&doc, "responses", &resp)) {
			fprintf(stderr, "post-recording: line %lld is not a poll\n", n + 2);
			return 1;
		}
		if (rate > 0) {
			double due = start + (double)n / rate;
			while (time_mono() < due)
				usleep(1000);
		}
		char iso[32];
		time_iso(time_now(), iso);
		buf_puts(&p.batch, p.nbatch ? "," : "[");
		buf_printf(&p.batch, "{\"v\":1,\"client\":{\"id\":\"%s\",\"name\":\"%s\","
		    "\"version\":\"post-recording/1\"},\"seq\":%lld,\"captured_at\":\"%s\","
		    "\"source\":\"lmu\",\"data\":", p.client, p.client, seq++, iso);
		buf_add(&p.batch, resp.p, resp.len);
		buf_putc(&p.batch, '}');
		n++;
		if (++p.nbatch >= batch || rate > 0)
			if (!poster_flush(&p))
				return 1;
	}
	if (!poster_flush(&p))
		return 1;
	gzclose(f);
	printf("%lld frames posted\n", p.posted);
	curl_easy_cleanup(p.curl);
	buf_free(&line);
	buf_free(&p.batch);
	return 0;
usage:
	fprintf(stderr, "usage: post-recording -u URL -t TOKEN -c CLIENT [-b batch] [-n max] "
	    "[-r polls/s] [-s first-seq] FILE\n");
	return 2;
}
