/*
 * The publisher thread of trackside-ingestd (see publish.h): a bounded
 * queue filled by the worker and emptied by one thread that POSTs each
 * event to nchan over one kept-alive connection on a unix socket.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "ingest.h"
#include "publish.h"

#define PUB_CHANNEL_MAX	80
#define PUB_EVENT_MAX	24
#define PUB_TIMEOUT_MS	5000L	/* one POST at most */
#define PUB_PAUSE_S	0.5	/* after nginx refused the connection */

struct pub_item {
	struct pub_item	*next;
	char		 channel[PUB_CHANNEL_MAX];
	char		 event[PUB_EVENT_MAX];
	char		*body;
	size_t		 len;
};

struct publish {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* an item, or stop */
	pthread_cond_t		 idle;		/* the queue is empty and nothing in flight */
	pthread_t		 th;
	int			 started, stop, busy, lost;
	struct pub_item		*head, *tail;
	size_t			 bytes;
	struct publish_conf	 conf;
	char			*socket;
	struct publish_stats	 st;
	CURL			*curl;
	char			 err[CURL_ERROR_SIZE];
	char			 answer[128];
	size_t			 answerlen;
};

/* Keeps the start of nchan's answer: {"messages": N, ...}. */
static size_t
pub_answer(char *data, size_t size, size_t n, void *arg)
{
	struct publish	*p = arg;
	size_t		 len = size * n, room = sizeof(p->answer) - 1 - p->answerlen;

	if (len < room)
		room = len;
	memcpy(p->answer + p->answerlen, data, room);
	p->answerlen += room;
	p->answer[p->answerlen] = '\0';
	return len;
}

/* POSTs one event. Returns 1 taken, 0 refused or failed (logged by the caller). */
static int
pub_post(struct publish *p, const struct pub_item *it, long *status, int *refused)
{
	char			 url[PUB_CHANNEL_MAX + 32], hdr[PUB_EVENT_MAX + 32];
	struct curl_slist	*h = NULL, *h2;
	CURLcode		 rc;

	*status = 0;
	*refused = 0;
	snprintf(url, sizeof(url), "http://trackside/pub/%s", it->channel);
	snprintf(hdr, sizeof(hdr), "X-EventSource-Event: %s", it->event);
	if ((h2 = curl_slist_append(h, hdr)) == NULL)
		return 0;
	h = h2;
	if ((h2 = curl_slist_append(h, "Content-Type: application/json")) != NULL)
		h = h2;
	if ((h2 = curl_slist_append(h, "Accept: application/json")) != NULL)
		h = h2;
	if ((h2 = curl_slist_append(h, "Expect:")) != NULL)
		h = h2;
	curl_easy_setopt(p->curl, CURLOPT_URL, url);
	curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(p->curl, CURLOPT_POSTFIELDS, it->body);
	curl_easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)it->len);
	p->err[0] = '\0';
	p->answer[0] = '\0';
	p->answerlen = 0;
	rc = curl_easy_perform(p->curl);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		*refused = rc == CURLE_COULDNT_CONNECT;
		return 0;
	}
	curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, status);
	return *status >= 200 && *status < 300;
}

/*
 * Whether nchan answered that the delta channel holds just this event: a
 * new channel, or one nginx forgot (restarted): snapshots are then due.
 */
static int
pub_fresh(const struct publish *p, const struct pub_item *it)
{
	return it->channel[0] == 'd' && strstr(p->answer, "\"messages\": 1,") != NULL;
}

static void
pub_wait(struct publish *p, double s)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)s;
	ts.tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&p->cv, &p->mu, &ts);
}

static void *
pub_main(void *arg)
{
	struct publish	*p = arg;
	double		 logged = 0;
	long long	 unlogged = 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->head == NULL && !p->stop) {
			p->busy = 0;
			pthread_cond_broadcast(&p->idle);
			pthread_cond_wait(&p->cv, &p->mu);
		}
		if (p->head == NULL)
			break;
		struct pub_item *it = p->head;
		p->head = it->next;
		if (p->head == NULL)
			p->tail = NULL;
		p->bytes -= it->len;
		p->st.waiting--;
		p->busy = 1;
		pthread_mutex_unlock(&p->mu);

		long status;
		int refused, ok = pub_post(p, it, &status, &refused);

		pthread_mutex_lock(&p->mu);
		if (ok) {
			p->st.sent++;
			if (pub_fresh(p, it))
				p->lost = 1;
		} else {
			p->st.failed++;
			p->lost = 1;
			unlogged++;
			double now = time_mono();
			if (now - logged >= 60.0) {
				if (status != 0)
					log_warn("live: nginx answered %ld to an event of %s "
					    "(%lld not published since the last report)",
					    status, it->channel, unlogged);
				else
					log_warn("live: cannot publish to %s: %s (%lld not published "
					    "since the last report)", p->socket,
					    p->err[0] ? p->err : "no answer", unlogged);
				logged = now;
				unlogged = 0;
			}
			/* nginx is not there: let the queue fill rather than spin */
			if (refused && !p->stop)
				pub_wait(p, PUB_PAUSE_S);
		}
		free(it->body);
		free(it);
	}
	p->busy = 0;
	pthread_cond_broadcast(&p->idle);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/*
 * Starts the publisher for the socket in conf. Returns 1, 0 with a
 * message in err. Free with publish_close.
 */
int
publish_open(struct publish **out, const struct publish_conf *conf, struct buf *err)
{
	struct publish *p;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL || (p->socket = strdup(conf->socket)) == NULL) {
		free(p);
		buf_printf(err, "live: %s", strerror(errno));
		return 0;
	}
	p->conf = *conf;
	p->conf.socket = p->socket;
	if (p->conf.max_events == 0)
		p->conf.max_events = 4096;
	if (p->conf.max_bytes == 0)
		p->conf.max_bytes = 64u << 20;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	pthread_cond_init(&p->idle, NULL);
	if ((p->curl = curl_easy_init()) == NULL) {
		buf_printf(err, "live: cannot start libcurl");
		publish_close(p);
		return 0;
	}
	curl_easy_setopt(p->curl, CURLOPT_UNIX_SOCKET_PATH, p->socket);
	curl_easy_setopt(p->curl, CURLOPT_TIMEOUT_MS, PUB_TIMEOUT_MS);
	curl_easy_setopt(p->curl, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, pub_answer);
	curl_easy_setopt(p->curl, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(p->curl, CURLOPT_ERRORBUFFER, p->err);
	if (pthread_create(&p->th, NULL, pub_main, p) != 0) {
		buf_printf(err, "live: cannot start the publisher thread");
		publish_close(p);
		return 0;
	}
	p->started = 1;
	*out = p;
	return 1;
}

/*
 * Queues an event for channel ("d.<session>"...) under the EventSource
 * name event. Takes body (freed by the publisher). Returns 1 queued, 0
 * dropped: the queue was full (counted; publish_lost() then says so).
 */
int
publish_event(struct publish *p, const char *channel, const char *event, char *body, size_t len)
{
	struct pub_item *it;

	if (strlen(channel) >= PUB_CHANNEL_MAX || strlen(event) >= PUB_EVENT_MAX ||
	    (it = calloc(1, sizeof(*it))) == NULL) {
		free(body);
		pthread_mutex_lock(&p->mu);
		p->st.dropped++;
		p->lost = 1;
		pthread_mutex_unlock(&p->mu);
		return 0;
	}
	memcpy(it->channel, channel, strlen(channel) + 1);
	memcpy(it->event, event, strlen(event) + 1);
	it->body = body;
	it->len = len;
	pthread_mutex_lock(&p->mu);
	if (p->st.waiting >= p->conf.max_events || p->bytes + len > p->conf.max_bytes) {
		p->st.dropped++;
		p->lost = 1;
		pthread_mutex_unlock(&p->mu);
		free(body);
		free(it);
		return 0;
	}
	if (p->tail != NULL)
		p->tail->next = it;
	else
		p->head = it;
	p->tail = it;
	p->bytes += len;
	p->st.waiting++;
	p->st.queued++;
	p->busy = 1;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 1;
}

/*
 * Whether an event was dropped or not taken since the last call, or nginx
 * holds a delta channel without its past (it restarted, or the channel is
 * new): the caller then sends fresh snapshots.
 */
int
publish_lost(struct publish *p)
{
	int lost;

	pthread_mutex_lock(&p->mu);
	lost = p->lost;
	p->lost = 0;
	pthread_mutex_unlock(&p->mu);
	return lost;
}

void
publish_stats(struct publish *p, struct publish_stats *st)
{
	pthread_mutex_lock(&p->mu);
	*st = p->st;
	pthread_mutex_unlock(&p->mu);
}

/* Waits up to timeout seconds for the queue to empty. Returns whether it did. */
int
publish_drain(struct publish *p, double timeout)
{
	double until = time_mono() + timeout;
	int done;

	pthread_mutex_lock(&p->mu);
	while (p->busy && time_mono() < until) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->idle, &p->mu, &ts);
	}
	done = !p->busy;
	pthread_mutex_unlock(&p->mu);
	return done;
}

/* Sends what is queued for up to 2 s, then stops the thread and frees. NULL is a no-op. */
void
publish_close(struct publish *p)
{
	if (p == NULL)
		return;
	if (p->started) {
		publish_drain(p, 2.0);
		pthread_mutex_lock(&p->mu);
		p->stop = 1;
		/* what is still queued is not sent */
		while (p->head != NULL) {
			struct pub_item *it = p->head;
			p->head = it->next;
			free(it->body);
			free(it);
		}
		p->tail = NULL;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->th, NULL);
	}
	if (p->curl != NULL)
		curl_easy_cleanup(p->curl);
	pthread_cond_destroy(&p->idle);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->socket);
	free(p);
}
