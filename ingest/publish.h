/*
 * Publishing live events to nginx's pub/sub module (nchan): a thread of
 * its own POSTs each event to the internal publisher location on a unix
 * socket (deploy/nginx/trackside.conf.in), in the order they were queued.
 *
 * The worker never waits for it: publish_event only appends to a bounded
 * queue. An event that does not fit, or that nginx did not take, is
 * counted and reported once by publish_lost(), after which the caller
 * publishes fresh snapshots: a viewer sees a hole in the sequence numbers
 * and heals it with the next snapshot. So does a delta channel that nginx
 * reports as new (nginx restarted and lost its memory).
 */
#ifndef PUBLISH_H
#define PUBLISH_H

#include <stddef.h>

struct buf;
struct publish;

struct publish_conf {
	const char	*socket;	/* nginx's publisher socket */
	size_t		 max_events;	/* events waiting at most (0: 4096) */
	size_t		 max_bytes;	/* bytes waiting at most (0: 64 MB) */
};

struct publish_stats {
	long long	 queued;	/* taken into the queue */
	long long	 sent;		/* accepted by nginx */
	long long	 dropped;	/* refused: the queue was full */
	long long	 failed;	/* nginx did not take them */
	size_t		 waiting;	/* in the queue now */
};

int	 publish_open(struct publish **out, const struct publish_conf *, struct buf *err);
int	 publish_event(struct publish *, const char *channel, const char *event, char *body,
	    size_t len);
int	 publish_lost(struct publish *);
void	 publish_stats(struct publish *, struct publish_stats *);
int	 publish_drain(struct publish *, double timeout);
void	 publish_close(struct publish *);

#endif
