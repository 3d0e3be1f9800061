/*
 * Webhooks (docs/pitwall.md): what the race control log and the laps say,
 * sent to the URLs an admin or the configuration gave.
 *
 * notify.c queues: inside the ingest transaction, each race log event and
 * each pit window a hook follows becomes one webhook_deliveries row per
 * hook (INSERT OR IGNORE on (hook, event key): once, even when derived
 * again). deliver.c sends: a thread of trackside-ingestd with its own
 * connection POSTs the due rows with libcurl and writes back each outcome,
 * woken after each COMMIT that queued rows and on its own timer for the
 * retries. HTTP never runs on the thread that applies frames.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <sqlite3.h>

#include "trackside.h"

struct ingest;
struct change;
struct notify;

/* The events a hook may follow (webhooks.events), in this order. */
enum hook_event {
	HEV_SESSION_START, HEV_PIT, HEV_SWAP, HEV_PENALTY, HEV_PIT_WINDOW, HEV_FINISH, HEV__MAX
};
extern const char *const hook_event_names[HEV__MAX];

#define HOOK_URL_MAX	500	/* bytes of a hook's URL */
#define HOOK_CAR_MAX	64	/* bytes of a hook's car (number or team) */
#define HOOK_CONF_MAX	20	/* webhook_1 .. webhook_20 */
#define HOOK_WINDOW_MAX	50	/* window_laps 1..50 */
#define HOOK_NEVER	1e15	/* next_at of a row no longer tried (gave up, hook removed) */
#define HOOK_GIVE_UP	86400.0	/* s after which a row is given up */

/*
 * Opens the queueing side on db, the writer's connection (prepares its
 * statements, applies the configuration's webhook_N keys as the config
 * hooks, inside a transaction of its own), and makes it the process's
 * notifier: notify_log() and notify_lap() do nothing without one. conf
 * also gives public_url (page links) and webhook_retry. Returns 1, or 0
 * with a message in err. notify_close() frees *out.
 */
int	 notify_open(struct notify **out, sqlite3 *db, const struct conf *, struct buf *err);
void	 notify_close(struct notify *);

/*
 * Inside the ingest transaction: queues the deliveries of race log row
 * log_id (ch is its CH_LOG change), or of the pit window of the car of a
 * CH_LAP change. Trackers that re-derive history (merge, split, reprocess)
 * queue nothing. Return 1, or -1 on a database error (the caller rolls
 * back).
 */
int	 notify_log(struct ingest *, const struct change *ch, long long log_id);
int	 notify_lap(struct ingest *, const struct change *ch);

/* The writer's transaction ended: a COMMIT that queued rows wakes the sender. */
void	 notify_end(int committed);

/*
 * The sender's side of the wake-up: waits until a commit queued rows
 * after *seen, notify_stop() was called, or timeout seconds passed.
 * Returns 1 stopping, 0 otherwise; *seen is updated.
 */
int	 notify_wait(struct notify *, unsigned long long *seen, double timeout);
void	 notify_stop(struct notify *);
int	 notify_stopping(struct notify *);
/* s before the next try after attempt n (1..) failed. */
double	 notify_backoff(const struct notify *, int n);

/* deliver.c (trackside-ingestd only): the sending thread. */
struct deliver;
int	 deliver_start(struct deliver **out, const char *db_path, struct notify *, struct buf *err);
void	 deliver_stop(struct deliver *);

#endif
