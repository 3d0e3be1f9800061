/*
 * Live events of trackside-ingestd (see live.h): what each committed
 * transaction changed in a session, as a delta against the view the
 * session's viewers hold (lib/view.c, the same JSON the pages are
 * rendered from), and now and then that whole view as a snapshot.
 *
 * Each channel keeps the state its viewers see, so a delta is computed
 * once, whatever the number of viewers; nginx fans it out (docs/live.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "live.h"
#include "track.h"
#include "view.h"

#define LIVE_ID_MAX	64
#define LIVE_LINGER	600.0	/* s an ended channel is kept (a late change to it is a delta) */
#define LIVE_LIST_REMAINING 15.0 /* s of drift in "remaining" worth a list event */
#define LIVE_LIST_ID	"sessions"
#define LIVE_DELTA_BURST 4.0	/* deltas a session may send at once, then one per delta_every */

const char *const live_note_names[LN__MAX] = {
	"session", "car", "lap", "pit", "chat", "link", "drop", "map", "entry", "log",
};

struct live_lapnote {
	long long	 car;
	long long	 lap;
};

/* What the running transaction changed in one channel. */
struct live_pend {
	int			 any, header, map, entry, drop;
	char			 next[LIVE_ID_MAX + 1];
	long long		*cars;
	size_t			 ncars, capcars;
	struct live_lapnote	*laps;
	size_t			 nlaps, caplaps;
	long long		*pits;
	size_t			 npits, cappits;
	cJSON			*chat;
	cJSON			*log;		/* race control events (racelog.c) */
};

struct live_chan {
	struct live_chan	*next;
	char			 id[LIVE_ID_MAX + 1];	/* LIVE_LIST_ID for the sessions list */
	cJSON			*state;		/* what a snapshot sends */
	long long		 seq;		/* of the last event */
	long long		 snap_seq;	/* of the last snapshot sent */
	double			 snap_at;	/* when it was sent */
	long long		 snap_sec;	/* and the second of the clock it was in */
	int			 resnap;	/* an event was lost: a snapshot is due */
	struct live_pend	 t;		/* what the running transaction changed */
	struct live_pend	 p;		/* what committed ones changed, not sent yet */
	double			 tokens;	/* deltas that may go out now (see live_flush) */
	double			 filled_at;	/* when tokens were last counted */
	double			 ended_at;	/* 0 while live */
};

struct live {
	struct view		 view;
	struct live_conf	 conf;
	live_emit_fn		 emit;
	void			*emit_arg;
	struct live_chan	*list;
	struct live_chan	*chans;
	struct live_stats	 st;
	double			 now;
};

/* ---- channels ---- */

static struct live_chan *
chan_find(struct live *h, const char *id)
{
	for (struct live_chan *c = h->chans; c != NULL; c = c->next)
		if (strcmp(c->id, id) == 0)
			return c;
	return NULL;
}

/* A new channel, not linked anywhere, or NULL. */
static struct live_chan *
chan_new(struct live *h, const char *id)
{
	struct live_chan *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	snprintf(c->id, sizeof(c->id), "%s", id);
	/* above what an earlier channel of this id sent, in this run or the last */
	c->seq = c->snap_seq = (long long)llround(time_now() * 1000.0);
	c->tokens = LIVE_DELTA_BURST;
	c->filled_at = h->now;
	return c;
}

static void
pend_reset(struct live_pend *p)
{
	p->any = p->header = p->map = p->entry = p->drop = 0;
	p->next[0] = '\0';
	p->ncars = p->nlaps = p->npits = 0;
	cJSON_Delete(p->chat);
	p->chat = NULL;
	cJSON_Delete(p->log);
	p->log = NULL;
}

static void
chan_free(struct live_chan *c)
{
	if (c == NULL)
		return;
	cJSON_Delete(c->state);
	pend_reset(&c->t);
	free(c->t.cars);
	free(c->t.laps);
	free(c->t.pits);
	pend_reset(&c->p);
	free(c->p.cars);
	free(c->p.laps);
	free(c->p.pits);
	free(c);
}

/*
 * Sends data with "seq" and "event" (the event's name, for WebSocket
 * viewers) on the channel's delta ('d') or snapshot ('s') channel.
 */
static int
chan_emit(struct live *h, struct live_chan *c, char kind, const char *name, cJSON *data,
    long long seq)
{
	char	 channel[LIVE_ID_MAX + 4];
	char	*js;

	cJSON_DeleteItemFromObjectCaseSensitive(data, "seq");
	cJSON_DeleteItemFromObjectCaseSensitive(data, "event");
	if (cJSON_AddNumberToObject(data, "seq", (double)seq) == NULL ||
	    cJSON_AddStringToObject(data, "event", name) == NULL ||
	    (js = cJSON_PrintUnformatted(data)) == NULL)
		return -1;
	snprintf(channel, sizeof(channel), "%c.%s", kind, c->id);
	if (!h->emit(h->emit_arg, channel, name, js, strlen(js))) {
		c->resnap = 1;
		h->st.lost++;
	}
	return 1;
}

/*
 * Publishes an event on a channel: gives it the next seq and sends it.
 * Takes data (may be NULL: {}).
 */
static int
chan_publish(struct live *h, struct live_chan *c, const char *name, cJSON *data)
{
	int rc = -1;

	c->seq++;
	if (data == NULL)
		data = cJSON_CreateObject();
	if (data != NULL)
		rc = chan_emit(h, c, 'd', name, data, c->seq);
	cJSON_Delete(data);
	if (rc > 0)
		h->st.events++;
	return rc;
}

/* Sends the channel's state as its snapshot, with the seq of its last event. */
static int
chan_snapshot(struct live *h, struct live_chan *c)
{
	cJSON	*data;
	int	 rc;

	if (c->state == NULL)
		return 0;
	c->resnap = 0;
	if (c == h->list) {
		if ((data = cJSON_CreateObject()) == NULL)
			return -1;
		cJSON_AddItemReferenceToObject(data, "sessions", c->state);
	} else {
		view_marks(c->state);
		data = c->state;
	}
	rc = chan_emit(h, c, 's', "snapshot", data, c->seq);
	if (c == h->list)
		cJSON_Delete(data);
	else {
		cJSON_DeleteItemFromObjectCaseSensitive(data, "seq");
		cJSON_DeleteItemFromObjectCaseSensitive(data, "event");
	}
	if (rc > 0) {
		c->snap_seq = c->seq;
		c->snap_at = h->now;
		c->snap_sec = (long long)time_now();
		h->st.snapshots++;
	}
	return rc;
}

/*
 * Whether the channel's snapshot is due: lost events, or enough change.
 * Never twice in one second of the clock: nchan's ids count messages
 * within a second, and its Redis store can skip the event after a
 * snapshot that is not the first of its second.
 */
static int
chan_snap_due(struct live *h, struct live_chan *c)
{
	if (c->state == NULL || (!h->conf.snapshot_same_second && c->snap_sec != 0 &&
	    (long long)time_now() == c->snap_sec))
		return 0;
	return c->resnap || (unsigned long long)(c->seq - c->snap_seq) >= h->conf.snapshot_changes ||
	    (c->seq > c->snap_seq && h->now - c->snap_at >= h->conf.snapshot_every);
}

/* Loads a session channel's state. Returns 1, 0 no such session, -1. */
static int
chan_load(struct live *h, struct live_chan *c)
{
	cJSON *o;
	int rc;

	if ((rc = view_session(&h->view, c->id, &o)) <= 0) {
		if (rc < 0)
			log_err("live: session %s: %s", c->id, sqlite3_errmsg(h->view.db));
		return rc;
	}
	cJSON_Delete(c->state);
	c->state = o;
	cJSON *live = cJSON_GetObjectItemCaseSensitive(o, "live");
	if (!cJSON_IsTrue(live))
		c->ended_at = h->now;
	return 1;
}

/*
 * After an admin command changed what the views show (a name, known
 * drivers, a session merged, split or deleted): every channel's state is
 * read again from the database and sent as a fresh snapshot at the next
 * tick. A channel whose session is gone ends.
 */
void
live_reload(struct live *h)
{
	struct live_chan	*c;
	cJSON			*list;

	if (h == NULL)
		return;
	/*
	 * The fresh snapshot takes a seq of its own: a viewer that has every
	 * event so far must still apply it (no delta carries what changed).
	 */
	if (view_live_sessions(&h->view, &list) < 0)
		log_err("live: the live list: %s", sqlite3_errmsg(h->view.db));
	else {
		cJSON_Delete(h->list->state);
		h->list->state = list;
		h->list->seq++;
		h->list->resnap = 1;
	}
	for (c = h->chans; c != NULL; c = c->next) {
		int rc = chan_load(h, c);
		if (rc == 0 && c->ended_at == 0)
			c->ended_at = h->now;
		if (rc > 0)
			c->seq++;
		c->resnap = rc > 0;
	}
}

/*
 * Periodic work: snapshots that are due by time (or, with resync, for
 * every channel: events were lost on the way to nginx), and the freeing of
 * channels ended long ago.
 */
void
live_tick(struct live *h, double now, int resync)
{
	struct live_chan **pc, *c;

	if (h == NULL)
		return;
	h->now = now;
	if (resync)
		h->list->resnap = 1;
	if (chan_snap_due(h, h->list))
		chan_snapshot(h, h->list);
	for (pc = &h->chans; (c = *pc) != NULL;) {
		if (c->ended_at > 0 && now - c->ended_at > LIVE_LINGER && !c->p.any && !c->t.any) {
			*pc = c->next;
			chan_free(c);
			continue;
		}
		if (resync)
			c->resnap = 1;
		if (chan_snap_due(h, c))
			chan_snapshot(h, c);
		pc = &c->next;
	}
}

/* ---- notes and commits ---- */

static int
grow(void **v, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 1;
	size_t nc = *cap ? *cap * 2 : 16;
	void *nv = realloc(*v, nc * sz);
	if (nv == NULL)
		return -1;
	*v = nv;
	*cap = nc;
	return 1;
}

static void
pend_car(struct live_pend *p, long long car)
{
	for (size_t i = 0; i < p->ncars; i++)
		if (p->cars[i] == car)
			return;
	if (car > 0 && grow((void **)&p->cars, &p->capcars, p->ncars, sizeof(*p->cars)) > 0)
		p->cars[p->ncars++] = car;
}

static void
pend_lap(struct live_pend *p, long long car, long long lap)
{
	for (size_t i = 0; i < p->nlaps; i++)
		if (p->laps[i].car == car && p->laps[i].lap == lap)
			return;
	if (car > 0 && grow((void **)&p->laps, &p->caplaps, p->nlaps, sizeof(*p->laps)) > 0) {
		p->laps[p->nlaps].car = car;
		p->laps[p->nlaps++].lap = lap;
	}
}

static void
pend_pit(struct live_pend *p, long long id)
{
	for (size_t i = 0; i < p->npits; i++)
		if (p->pits[i] == id)
			return;
	if (id > 0 && grow((void **)&p->pits, &p->cappits, p->npits, sizeof(*p->pits)) > 0)
		p->pits[p->npits++] = id;
}

/* Moves the items of *from to the end of *to. */
static void
list_merge(cJSON **to, cJSON **from)
{
	cJSON *item;

	if (*from == NULL)
		return;
	if (*to == NULL) {
		*to = *from;
		*from = NULL;
		return;
	}
	while ((item = cJSON_DetachItemFromArray(*from, 0)) != NULL)
		cJSON_AddItemToArray(*to, item);
}

/* Adds what t noted to p, and empties t. */
static void
pend_merge(struct live_pend *p, struct live_pend *t)
{
	p->any |= t->any;
	p->header |= t->header;
	p->map |= t->map;
	p->entry |= t->entry;
	p->drop |= t->drop;
	if (t->next[0] != '\0')
		memcpy(p->next, t->next, sizeof(p->next));
	for (size_t i = 0; i < t->ncars; i++)
		pend_car(p, t->cars[i]);
	for (size_t i = 0; i < t->nlaps; i++)
		pend_lap(p, t->laps[i].car, t->laps[i].lap);
	for (size_t i = 0; i < t->npits; i++)
		pend_pit(p, t->pits[i]);
	list_merge(&p->chat, &t->chat);
	list_merge(&p->log, &t->log);
	pend_reset(t);
}

/*
 * Notes one change of the running transaction (see enum live_note_type).
 * Nothing is sent before live_commit.
 */
void
live_note(struct live *h, enum live_note_type t, const char *session, long long car,
    long long n, const char *text)
{
	struct live_chan	*c;
	struct live_pend	*p;

	if (h == NULL || session == NULL || !id_valid(session, 1, LIVE_ID_MAX))
		return;
	if ((c = chan_find(h, session)) == NULL) {
		if ((c = chan_new(h, session)) == NULL)
			return;
		c->next = h->chans;
		h->chans = c;
	}
	p = &c->t;
	p->any = 1;
	switch (t) {
	case LN_SESSION:
		p->header = 1;
		break;
	case LN_CAR:
		pend_car(p, car);
		break;
	case LN_LAP:
		pend_lap(p, car, n);
		break;
	case LN_PIT:
		pend_pit(p, n);
		break;
	case LN_CHAT:
		if (text == NULL)
			return;
		if (p->chat == NULL && (p->chat = cJSON_CreateArray()) == NULL)
			return;
		cJSON *line = cJSON_CreateObject();
		cJSON_AddNumberToObject(line, "at", round((double)n / 10000.0) / 1000.0);
		cJSON_AddStringToObject(line, "text", text);
		cJSON_AddItemToArray(p->chat, line);
		break;
	case LN_LOG:
		/* text: the event as JSON (live_change) */
		if (text == NULL)
			return;
		if (p->log == NULL && (p->log = cJSON_CreateArray()) == NULL)
			return;
		cJSON_AddItemToArray(p->log, cJSON_Parse(text));
		break;
	case LN_LINK:
		if (text != NULL)
			snprintf(p->next, sizeof(p->next), "%s", text);
		p->header = 1;
		break;
	case LN_DROP:
		p->drop = 1;
		if (text != NULL)
			snprintf(p->next, sizeof(p->next), "%s", text);
		break;
	case LN_MAP:
		p->map = 1;
		break;
	case LN_ENTRY:
		p->entry = 1;
		break;
	default:
		break;
	}
}

/* A race control event as the session view shows it (view_log). */
static char *
log_json(const struct change *ch)
{
	const struct tlog	*l = &ch->log;
	const struct tcar	*c = ch->car;
	cJSON			*o = cJSON_CreateObject(), *data;
	char			*js;

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "et", round(l->et * 1000.0) / 1000.0);
	cJSON_AddNumberToObject(o, "at", round(l->at * 1000.0) / 1000.0);
	cJSON_AddStringToObject(o, "kind", l->kind);
	if (c != NULL) {
		cJSON_AddNumberToObject(o, "car", (double)c->store_id);
		cJSON_AddStringToObject(o, "number", c->number);
		cJSON_AddStringToObject(o, "class", c->cls);
	} else {
		cJSON_AddNullToObject(o, "car");
		cJSON_AddNullToObject(o, "number");
		cJSON_AddNullToObject(o, "class");
	}
	if (l->lap >= 0)
		cJSON_AddNumberToObject(o, "lap", l->lap);
	else
		cJSON_AddNullToObject(o, "lap");
	if (l->driver[0] != '\0')
		cJSON_AddStringToObject(o, "driver", l->driver);
	else
		cJSON_AddNullToObject(o, "driver");
	cJSON_AddStringToObject(o, "text", l->text);
	data = l->data[0] != '\0' ? cJSON_Parse(l->data) : NULL;
	cJSON_AddItemToObject(o, "data", data != NULL ? data : cJSON_CreateObject());
	js = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return js;
}

/* The tracker's change hook: turns a model change into notes. */
void
live_change(void *arg, const struct change *ch)
{
	struct live		*h = arg;
	const struct tsession	*s = ch->s;
	long long		 car = ch->car ? ch->car->store_id : 0;

	if (h == NULL || s == NULL)
		return;
	switch (ch->type) {
	case CH_SESSION_NEW:
	case CH_SESSION_UPDATE:
	case CH_SESSION_CLIENT:
	case CH_CONDITIONS:
		live_note(h, LN_SESSION, s->id, 0, 0, NULL);
		break;
	case CH_SESSION_LINK:
		live_note(h, LN_LINK, s->id, 0, 0, ch->s2 ? ch->s2->id : s->next_id);
		break;
	case CH_SESSION_DROP:
		live_note(h, LN_DROP, s->id, 0, 0, s->next_id[0] ? s->next_id : NULL);
		break;
	case CH_CAR_NEW:
		live_note(h, LN_SESSION, s->id, 0, 0, NULL);
		/* FALLTHROUGH */
	case CH_CAR_INFO:
	case CH_CAR_STATE:
	case CH_STINT:
		live_note(h, LN_CAR, s->id, car, 0, NULL);
		break;
	case CH_LAP:
	case CH_LAP_FILL:
		/* the lap number is in n (or lap) */
		live_note(h, LN_LAP, s->id, car, ch->lap ? ch->lap->lap : ch->n, NULL);
		break;
	case CH_PIT:
	case CH_PIT_UPDATE:
		/* the visit is pit, or car->pits[n] */
		if (ch->pit != NULL)
			live_note(h, LN_PIT, s->id, car, ch->pit->store_id, NULL);
		else if (ch->car != NULL && ch->n >= 0 && (size_t)ch->n < ch->car->npits)
			live_note(h, LN_PIT, s->id, car, ch->car->pits[ch->n].store_id, NULL);
		live_note(h, LN_CAR, s->id, car, 0, NULL);
		break;
	case CH_CHAT:
		live_note(h, LN_CHAT, s->id, 0, ch->chat_ts, ch->chat_text);
		break;
	case CH_TRACKMAP:
		live_note(h, LN_MAP, s->id, 0, 0, NULL);
		break;
	case CH_ENTRY:
		live_note(h, LN_ENTRY, s->id, 0, 0, NULL);
		break;
	case CH_LOG: {
		char *js = log_json(ch);
		live_note(h, LN_LOG, s->id, car, 0, js);
		free(js);
		break;
	}
	default:
		break;
	}
}

/*
 * New items of a list the view keeps the newest recent of (chat, log): into
 * the channel's state, and taken into delta d.
 */
static void
list_out(cJSON *state, cJSON *d, const char *key, int recent, cJSON **items)
{
	cJSON *kept, *item;

	if (*items == NULL || cJSON_GetArraySize(*items) == 0)
		return;
	if ((kept = cJSON_GetObjectItemCaseSensitive(state, key)) == NULL)
		kept = cJSON_AddArrayToObject(state, key);
	cJSON_ArrayForEach(item, *items)
		cJSON_AddItemToArray(kept, cJSON_Duplicate(item, 1));
	while (cJSON_GetArraySize(kept) > recent)
		cJSON_DeleteItemFromArray(kept, 0);
	cJSON_AddItemToObject(d, key, *items);
	*items = NULL;
}

/* Whether two scalar JSON values are equal. */
static int
json_same(const cJSON *a, const cJSON *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if ((a->type & 0xff) != (b->type & 0xff))
		return 0;
	if (cJSON_IsNumber(a))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsString(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	return 1;
}

static void
json_put(cJSON *o, const char *key, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(o, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
	else
		cJSON_AddItemToObject(o, key, v);
}

/*
 * Copies every scalar of neu that differs from old into old and, unless
 * its key is in skip, into delta; counts the skipped ones in *skipped when
 * not NULL. Returns the number copied to delta.
 */
static int
json_diff(cJSON *old, const cJSON *neu, cJSON *delta, const char *const *skip, size_t nskip,
    int *skipped)
{
	const cJSON	*v;
	int		 n = 0;

	cJSON_ArrayForEach(v, neu) {
		if (cJSON_IsArray(v) || cJSON_IsObject(v))
			continue;
		if (json_same(cJSON_GetObjectItemCaseSensitive(old, v->string), v))
			continue;
		json_put(old, v->string, cJSON_Duplicate(v, 0));
		size_t i;
		for (i = 0; i < nskip; i++)
			if (strcmp(skip[i], v->string) == 0)
				break;
		if (i < nskip) {
			if (skipped != NULL)
				(*skipped)++;
			continue;
		}
		cJSON_AddItemToObject(delta, v->string, cJSON_Duplicate(v, 0));
		n++;
	}
	return n;
}

static double
num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static cJSON *
state_row(cJSON *state, long long car)
{
	cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(state, "standings"))
		if (num(r, "car") == (double)car)
			return r;
	return NULL;
}

/* Lowers *best to t when t is a better time. Returns whether it did. */
static int
better(cJSON *o, const char *key, double t)
{
	double cur = num(o, key);

	if (!(t > 0) || (!isnan(cur) && cur <= t))
		return 0;
	json_put(o, key, cJSON_CreateNumber(t));
	return 1;
}

/*
 * Folds a new lap into the state's class bests and the car's personal
 * bests; adds what improved to delta ("bests" entries, row fields).
 */
static void
fold_lap(cJSON *state, cJSON *row, const cJSON *lap, cJSON *bests_delta, cJSON *row_delta)
{
	static const char *const lk[4] = { "time", "s1", "s2", "s3" };
	static const char *const ck[4] = { "best", "s1", "s2", "s3" };
	static const char *const pk[4] = { "pb_lap", "pb_s1", "pb_s2", "pb_s3" };
	const cJSON	*cls = cJSON_GetObjectItemCaseSensitive(row, "class");
	cJSON		*bests = cJSON_GetObjectItemCaseSensitive(state, "bests"), *cb = NULL, *b;
	int		 improved = 0;

	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lap, "valid")))
		return;
	cJSON_ArrayForEach(b, bests) {
		const cJSON *bc = cJSON_GetObjectItemCaseSensitive(b, "class");
		if ((cJSON_IsString(cls) && cJSON_IsString(bc) &&
		    strcmp(cls->valuestring, bc->valuestring) == 0) ||
		    (!cJSON_IsString(cls) && cJSON_IsNull(bc)))
			cb = b;
	}
	if (cb == NULL) {
		cb = cJSON_CreateObject();
		cJSON_AddItemToObject(cb, "class", cJSON_IsString(cls) ?
		    cJSON_CreateString(cls->valuestring) : cJSON_CreateNull());
		for (int i = 0; i < 4; i++)
			cJSON_AddNullToObject(cb, ck[i]);
		cJSON_AddItemToArray(bests, cb);
	}
	for (int i = 0; i < 4; i++) {
		double t = num(lap, lk[i]);
		improved |= better(cb, ck[i], t);
		if (better(row, pk[i], t))
			cJSON_AddNumberToObject(row_delta, pk[i], t);
	}
	if (improved)
		cJSON_AddItemToArray(bests_delta, cJSON_Duplicate(cb, 1));
}

/* Row fields that go into the compact "pos" array instead. */
static const char *const pos_keys[] = { "x", "z", "progress" };

/*
 * Turns a session channel's notes into a delta (and transition/end) and
 * publishes them. Returns 1, or -1 on a database error.
 */
static int
chan_commit(struct live *h, struct live_chan *c)
{
	static const char *const head_skip[] = { "last_update" };
	struct live_pend	*p = &c->p;
	cJSON			*d = cJSON_CreateObject(), *o, *rows = NULL, *pos = NULL;
	cJSON			*laps = NULL, *pits = NULL, *bests = NULL;
	int			 was_live, rc = 1;

	if (d == NULL)
		return -1;
	if (c->state == NULL) {
		/* first notes of the session in this run: its state is the commit */
		cJSON_Delete(d);
		if ((rc = chan_load(h, c)) == 0)
			c->ended_at = h->now;	/* gone already: freed once idle */
		else if (rc > 0)
			chan_snapshot(h, c);
		return rc < 0 ? -1 : 1;
	}
	was_live = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->state, "live"));
	if (p->header) {
		if (view_header(&h->view, c->id, &o) < 0)
			goto dberr;
		if (o != NULL) {
			cJSON *hd = cJSON_CreateObject();
			if (json_diff(c->state, o, hd, head_skip, 1, NULL) > 0)
				cJSON_AddItemToObject(d, "session", hd);
			else
				cJSON_Delete(hd);
			cJSON_Delete(o);
		}
	}
	for (size_t i = 0; i < p->ncars; i++) {
		cJSON *row = state_row(c->state, p->cars[i]);
		if (view_row(&h->view, p->cars[i], &o) < 0)
			goto dberr;
		if (o == NULL)
			continue;
		if (rows == NULL)
			rows = cJSON_AddArrayToObject(d, "rows");
		if (row == NULL) {
			/* a new car: the whole row */
			if (view_car_bests(&h->view, p->cars[i], o) < 0) {
				cJSON_Delete(o);
				goto dberr;
			}
			cJSON_AddItemToArray(rows, cJSON_Duplicate(o, 1));
			cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(c->state, "standings"), o);
			continue;
		}
		cJSON *rd = cJSON_CreateObject();
		int moved = 0;
		json_diff(row, o, rd, pos_keys, 3, &moved);
		/* a new driver comes with whether they are known, changed or not */
		if (cJSON_GetObjectItemCaseSensitive(rd, "driver") != NULL &&
		    cJSON_GetObjectItemCaseSensitive(rd, "known") == NULL &&
		    cJSON_GetObjectItemCaseSensitive(o, "known") != NULL)
			cJSON_AddItemToObject(rd, "known",
			    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(o, "known"), 0));
		if (rd->child != NULL) {
			cJSON_AddNumberToObject(rd, "car", (double)p->cars[i]);
			cJSON_AddItemToArray(rows, rd);
		} else
			cJSON_Delete(rd);
		/* positions go compact: [car, x, z, progress] */
		if (moved) {
			double x = num(row, "x"), z = num(row, "z"), pr = num(row, "progress");
			cJSON *e = cJSON_CreateArray();
			if (pos == NULL)
				pos = cJSON_AddArrayToObject(d, "pos");
			cJSON_AddItemToArray(e, cJSON_CreateNumber((double)p->cars[i]));
			cJSON_AddItemToArray(e, isnan(x) ? cJSON_CreateNull() : cJSON_CreateNumber(x));
			cJSON_AddItemToArray(e, isnan(z) ? cJSON_CreateNull() : cJSON_CreateNumber(z));
			cJSON_AddItemToArray(e, isnan(pr) ? cJSON_CreateNull() : cJSON_CreateNumber(pr));
			cJSON_AddItemToArray(pos, e);
		}
		cJSON_Delete(o);
	}
	if (rows != NULL && cJSON_GetArraySize(rows) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(d, "rows");
	for (size_t i = 0; i < p->nlaps; i++) {
		if (view_lap(&h->view, p->laps[i].car, (int)p->laps[i].lap, &o) < 0)
			goto dberr;
		if (o == NULL)
			continue;
		if (laps == NULL) {
			laps = cJSON_AddArrayToObject(d, "laps");
			bests = cJSON_CreateArray();
		}
		cJSON *row = state_row(c->state, p->laps[i].car);
		if (row != NULL) {
			cJSON *rd = cJSON_CreateObject();
			fold_lap(c->state, row, o, bests, rd);
			if (rd->child != NULL) {
				cJSON_AddNumberToObject(rd, "car", (double)p->laps[i].car);
				if (rows == NULL && (rows = cJSON_GetObjectItemCaseSensitive(d, "rows")) == NULL)
					rows = cJSON_AddArrayToObject(d, "rows");
				cJSON_AddItemToArray(rows, rd);
			} else
				cJSON_Delete(rd);
		}
		cJSON_AddItemToArray(laps, o);
	}
	if (bests != NULL) {
		if (cJSON_GetArraySize(bests) > 0)
			cJSON_AddItemToObject(d, "bests", bests);
		else
			cJSON_Delete(bests);
	}
	for (size_t i = 0; i < p->npits; i++) {
		if (view_pit(&h->view, p->pits[i], &o) < 0)
			goto dberr;
		if (o == NULL)
			continue;
		if (pits == NULL)
			pits = cJSON_AddArrayToObject(d, "pits");
		cJSON_AddItemToArray(pits, o);
	}
	list_out(c->state, d, "chat", VIEW_CHAT_RECENT, &p->chat);
	list_out(c->state, d, "log", VIEW_LOG_RECENT, &p->log);
	if (p->map)
		cJSON_AddTrueToObject(d, "map");
	if (p->entry)
		cJSON_AddTrueToObject(d, "entries");
	if (d->child != NULL) {
		if (chan_publish(h, c, "delta", d) < 0)
			rc = -1;
	} else
		cJSON_Delete(d);
	d = NULL;
	if (p->next[0] != '\0' && !p->drop) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "next", p->next);
		chan_publish(h, c, "transition", o);
	}
	int is_live = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->state, "live"));
	if (p->drop || (was_live && !is_live)) {
		o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "state", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(c->state, "state"), 0));
		cJSON_AddItemToObject(o, "finished", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(c->state, "finished"), 0));
		if (p->next[0] != '\0')
			cJSON_AddStringToObject(o, "next", p->next);
		if (p->drop)
			cJSON_AddTrueToObject(o, "dropped");
		chan_publish(h, c, "end", o);
		c->ended_at = h->now > 0 ? h->now : time_mono();
		c->resnap = 1;	/* a late viewer gets the final state */
	} else if (is_live)
		c->ended_at = 0;
	return rc;
dberr:
	log_err("live: session %s: %s", c->id, sqlite3_errmsg(h->view.db));
	cJSON_Delete(d);
	return -1;
}

/* Publishes a session's line of the sessions list when it changed. */
static int
list_commit(struct live *h, struct live_chan *c)
{
	static const char *const skip[] = { "et", "last_update", "remaining" };
	cJSON	*o, *old = NULL, *e, *d;
	int	 rc;

	if ((rc = view_summary(&h->view, c->id, &o)) <= 0) {
		if (rc == 0 && c->p.drop) {
			int idx = 0;
			cJSON_ArrayForEach(e, h->list->state) {
				const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
				if (cJSON_IsString(id) && strcmp(id->valuestring, c->id) == 0) {
					cJSON_DeleteItemFromArray(h->list->state, idx);
					break;
				}
				idx++;
			}
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "id", c->id);
			cJSON_AddFalseToObject(o, "live");
			cJSON_AddTrueToObject(o, "dropped");
			chan_publish(h, h->list, "session", o);
		}
		return rc;
	}
	int idx = 0;
	cJSON_ArrayForEach(e, h->list->state) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
		if (cJSON_IsString(id) && strcmp(id->valuestring, c->id) == 0) {
			old = e;
			break;
		}
		idx++;
	}
	int is_live = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "live"));
	if (old == NULL && !is_live) {
		cJSON_Delete(o);
		return 1;
	}
	d = cJSON_CreateObject();
	int changed = old == NULL || json_diff(old, o, d, skip, 3, NULL) > 0 ||
	    fabs(num(old, "remaining") - num(o, "remaining")) >= LIVE_LIST_REMAINING;
	cJSON_Delete(d);
	if (!changed) {
		cJSON_Delete(o);
		return 1;
	}
	if (old != NULL) {
		if (is_live)
			cJSON_ReplaceItemInArray(h->list->state, idx, cJSON_Duplicate(o, 1));
		else
			cJSON_DeleteItemFromArray(h->list->state, idx);
	} else
		cJSON_InsertItemInArray(h->list->state, 0, cJSON_Duplicate(o, 1));
	return chan_publish(h, h->list, "session", o);
}


/*
 * The transaction committed: publishes what it changed, and the snapshots
 * that are due. Returns 1, or -1 when a view could not be read (the
 * channel is then reloaded and its viewers get a fresh snapshot).
 */
int
live_commit(struct live *h)
{
	if (h == NULL)
		return 1;
	for (struct live_chan *c = h->chans; c != NULL; c = c->next)
		if (c->t.any)
			pend_merge(&c->p, &c->t);
	return live_flush(h);
}

/*
 * Sends what committed transactions changed in each channel, and the
 * snapshots then due. A channel sends LIVE_DELTA_BURST deltas at once, then
 * one per delta_every: a session's own pace (a frame a second from each
 * client, and the worker's tick) goes out as it comes, a flood (a client
 * catching up, a replay) as a few deltas a second that each hold more.
 * Returns 1, or -1 when a view could not be read (the channel is then
 * reloaded and its viewers get a fresh snapshot).
 */
int
live_flush(struct live *h)
{
	int rc = 1;

	if (h == NULL)
		return 1;
	h->now = time_mono();
	for (struct live_chan *c = h->chans; c != NULL; c = c->next) {
		if (!c->p.any)
			continue;
		if (h->now > c->filled_at)
			c->tokens += (h->now - c->filled_at) / h->conf.delta_every;
		if (c->tokens > LIVE_DELTA_BURST)
			c->tokens = LIVE_DELTA_BURST;
		c->filled_at = h->now;
		if (c->tokens < 1.0)
			continue;
		c->tokens -= 1.0;
		int header = c->p.header || c->p.ncars > 0 || c->p.drop;
		if (chan_commit(h, c) < 0) {
			rc = -1;
			if (chan_load(h, c) > 0)
				c->resnap = 1;
		}
		if (header && list_commit(h, c) < 0)
			rc = -1;
		pend_reset(&c->p);
		if (chan_snap_due(h, c))
			chan_snapshot(h, c);
	}
	if (chan_snap_due(h, h->list))
		chan_snapshot(h, h->list);
	return rc;
}

/* The transaction rolled back: forgets its notes (not those of earlier ones). */
void
live_rollback(struct live *h)
{
	if (h == NULL)
		return;
	for (struct live_chan *c = h->chans; c != NULL; c = c->next)
		pend_reset(&c->t);
}

const struct live_stats *
live_stats(const struct live *h)
{
	return &h->st;
}

/*
 * Starts the live events on the worker's connection db (read between its
 * transactions), sending through emit: a snapshot of the live list and of
 * each live session at once, so that viewers of the last run continue.
 * Returns 1, 0 with a message in err. Free with live_close.
 */
int
live_open(struct live **out, sqlite3 *db, live_emit_fn emit, void *emit_arg,
    const struct live_conf *conf, struct buf *err)
{
	struct live	*h;
	cJSON		*e;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		buf_printf(err, "live: out of memory");
		return 0;
	}
	h->conf.snapshot_every = conf && conf->snapshot_every > 0 ? conf->snapshot_every : 60.0;
	h->conf.snapshot_changes = conf && conf->snapshot_changes ? conf->snapshot_changes : 40;
	h->conf.snapshot_same_second = conf && conf->snapshot_same_second;
	h->conf.delta_every = conf && conf->delta_every > 0 ? conf->delta_every : 0.25;
	h->emit = emit;
	h->emit_arg = emit_arg;
	h->now = time_mono();
	view_init(&h->view, db);
	if ((h->list = chan_new(h, LIVE_LIST_ID)) == NULL)
		goto fail;
	if (view_live_sessions(&h->view, &h->list->state) < 0) {
		buf_printf(err, "live: %s", sqlite3_errmsg(db));
		goto fail;
	}
	chan_snapshot(h, h->list);
	cJSON_ArrayForEach(e, h->list->state) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
		struct live_chan *c;
		if (!cJSON_IsString(id) || !id_valid(id->valuestring, 1, LIVE_ID_MAX) ||
		    (c = chan_new(h, id->valuestring)) == NULL)
			continue;
		c->next = h->chans;
		h->chans = c;
		if (chan_load(h, c) > 0)
			chan_snapshot(h, c);
	}
	*out = h;
	return 1;
fail:
	live_close(h);
	return 0;
}

/* Frees the channels. NULL is a no-op. */
void
live_close(struct live *h)
{
	if (h == NULL)
		return;
	while (h->chans != NULL) {
		struct live_chan *c = h->chans;
		h->chans = c->next;
		chan_free(c);
	}
	chan_free(h->list);
	view_free(&h->view);
	free(h);
}
