/*
 * The live hub of trackside-ingestd: server-sent events on a unix socket
 * (nginx proxies /live/ to it), in the worker's own epoll loop.
 *
 *   GET /live/sessions        snapshot, then session events
 *   GET /live/sessions/{id}   snapshot, then delta, transition and end events
 *
 * The worker notes what a transaction changed (live_note, or live_change
 * as the tracker's change hook); live_commit turns the notes into events
 * once the transaction committed, live_rollback forgets them. Each event is
 * serialised once into its channel's ring and written to every subscriber
 * from there; a subscriber that falls behind the ring gets a fresh
 * snapshot, one whose unsent bytes pass a bound is disconnected.
 */
#ifndef LIVE_H
#define LIVE_H

#include <sqlite3.h>
#include <stdint.h>

struct buf;
struct change;
struct live;

/* What a transaction changed, as live_note takes it. */
enum live_note_type {
	LN_SESSION,	/* id: header fields (time, phase, conditions, counters, state) */
	LN_CAR,		/* id, car: a car is new or its row changed */
	LN_LAP,		/* id, car, n = lap: a lap was recorded or filled */
	LN_PIT,		/* id, car, n = pits row id: a visit began or changed */
	LN_CHAT,	/* id, n = timestamp (100 ns ticks), text: a chat line */
	LN_LINK,	/* id, text = successor id: the session continued as another */
	LN_DROP,	/* id, text = successor id or NULL: the session was merged away */
	LN_MAP,		/* id: the track outline is known */
	LN_ENTRY,	/* id: the entry list changed */
	LN__MAX
};
extern const char *const live_note_names[LN__MAX];

/* Limits; struct live_conf overrides them (0 keeps the default). */
struct live_conf {
	size_t		 ring;		/* events kept per channel for resuming */
	size_t		 ring_bytes;	/* bytes kept per channel */
	size_t		 max_out;	/* unsent bytes before a subscriber is dropped */
	size_t		 max_conns;	/* viewers at once (live_max_viewers); fewer when
					   the descriptor limit leaves less */
	double		 heartbeat;	/* seconds between heartbeat comments */
};

/* Counters, for logs and tests. */
struct live_stats {
	long long	 conns, subscribers, events, snapshots, resumes, resets, dropped, rejected;
	long long	 nofile;	/* accepts that found no descriptor left */
};

int	 live_open(struct live **out, const char *path, sqlite3 *db, int ep,
	    const struct live_conf *, struct buf *err);
void	 live_close(struct live *);
int	 live_ready(struct live *, void *tag, uint32_t events);
void	 live_tick(struct live *, double now);
void	 live_note(struct live *, enum live_note_type, const char *session, long long car,
	    long long n, const char *text);
void	 live_change(void *live, const struct change *);
int	 live_commit(struct live *);
void	 live_rollback(struct live *);
const struct live_stats *live_stats(const struct live *);

#endif
