/*
 * The live events of trackside-ingestd. The worker notes what a
 * transaction changed (live_note, or live_change as the tracker's change
 * hook); live_commit turns the notes into events once the transaction
 * committed, live_rollback forgets them. A session sends a few deltas at
 * once, then one every delta_every seconds at most: what commits change
 * in between (a client catching up, a replay) goes out as one, at the
 * latest from the live_flush that follows (the worker calls it every turn
 * of its loop). Each event goes out once, through
 * the emit function (ingestd: publish.c, to nginx's pub/sub module), on a
 * session's delta channel, and every so often the whole view goes out on
 * its snapshot channel:
 *
 *   d.<session>   delta, transition, end      s.<session>   snapshot
 *   d.sessions    session (the live list)     s.sessions    snapshot
 *
 * Every event carries the channel's sequence number "seq", one more than
 * the event before; a snapshot carries the seq of the last event it
 * includes. seq starts at the channel's start in milliseconds of the
 * clock, so a channel started again (by a new run of the daemon, or after
 * an ended session was forgotten) continues above the last (a channel gets
 * far fewer than one event a millisecond). A new run sends every live
 * session's snapshot at once. See docs/live.md.
 */
#ifndef LIVE_H
#define LIVE_H

#include <sqlite3.h>
#include <stddef.h>

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
	LN_LOG,		/* id, car, text = the event as JSON: a race control event */
	LN__MAX
};
extern const char *const live_note_names[LN__MAX];

/*
 * Sends one event: channel, EventSource name, body (taken). Returns 1, or
 * 0 when it was not taken (the channel then gets a fresh snapshot).
 */
typedef int (*live_emit_fn)(void *arg, const char *channel, const char *event, char *body,
    size_t len);

/* Limits; 0 keeps the default. */
struct live_conf {
	double		 snapshot_every;	/* s between snapshots of a changing channel (60) */
	unsigned	 snapshot_changes;	/* events between snapshots at most (40) */
	int		 snapshot_same_second;	/* allow two in one second (tests only) */
	double		 delta_every;		/* s between a session's deltas once it sent
						   a burst of them (0.25) */
};

/* Counters, for logs and tests. */
struct live_stats {
	long long	 events, snapshots, lost;
};

int	 live_open(struct live **out, sqlite3 *db, live_emit_fn, void *emit_arg,
	    const struct live_conf *, struct buf *err);
void	 live_close(struct live *);
void	 live_tick(struct live *, double now, int resync);
void	 live_reload(struct live *);
void	 live_note(struct live *, enum live_note_type, const char *session, long long car,
	    long long n, const char *text);
void	 live_change(void *live, const struct change *);
int	 live_commit(struct live *);
int	 live_flush(struct live *);
void	 live_rollback(struct live *);
const struct live_stats *live_stats(const struct live *);

#endif
