/*
 * The tracker: observations of any number of clients in, model changes
 * out (spec/tracking.md). Which session a frame belongs to (§1), cars and
 * entries (§2), merging (§3), laps (§4); pits.c does §5, bests.c §6.
 * Pure: no I/O, no clock; time comes with each frame.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "track.h"

const char *const pit_state_names[PIT__MAX] = { "NONE", "REQUEST", "ENTERING", "STOPPED", "EXITING" };
const char *const drift_names[DRIFT__MAX] = { "unknown_session", "unknown_pit_state",
	"unknown_finish", "unknown_phase", "bad_type", "missing_field" };
const char *const liveness_names[LIVE__MAX] = { "live", "inactive", "closed" };
const char *const lap_source_names[LSRC__MAX] = { "live", "history", "missing" };
const char *const drop_names[DROP__MAX] = { "applied", "no_session", "loading", "replay",
	"stale", "unknown_source", "nomem" };
const char *const change_names[CH__MAX] = { "session_new", "session_update", "session_link",
	"session_drop", "session_client", "car_new", "car_info", "car_state", "lap", "lap_fill",
	"pit", "pit_update", "stint", "best", "chat", "conditions", "entry", "trackmap",
	"sector_bound", "log" };

/* A set of chat lines: 64-bit hashes of (timestamp, text), open addressing. */
struct tchat_set {
	unsigned long long *h;
	size_t		 n, cap;
};

static void
scopy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src ? src : "");
}

static int
grow(void **p, size_t *cap, size_t need, size_t sz)
{
	size_t	 nc;
	void	*np;

	if (need <= *cap)
		return 1;
	nc = *cap ? *cap : 8;
	while (nc < need)
		nc *= 2;
	if ((np = realloc(*p, nc * sz)) == NULL)
		return -1;
	memset((char *)np + *cap * sz, 0, (nc - *cap) * sz);
	*p = np;
	*cap = nc;
	return 1;
}

/* Initialises an empty tracker. Returns 1. */
int
track_init(struct track *t)
{
	memset(t, 0, sizeof(*t));
	return 1;
}

static void
car_free(struct tcar *c)
{
	if (c == NULL)
		return;
	while (c->names != NULL) {
		struct tname *n = c->names;
		c->names = n->next;
		free(n);
	}
	free(c->laps_v);
	free(c->pits);
	free(c->stints);
	free(c->drivers);
	free(c);
}

static void
session_free(struct tsession *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->ncars; i++)
		car_free(s->cars[i]);
	free(s->cars);
	free(s->by_slot);
	for (size_t i = 0; i < s->nentries; i++)
		free(s->entries[i].members);
	free(s->entries);
	free(s->cbest);
	if (s->chat)
		free(s->chat->h);
	free(s->chat);
	free(s);
}

/* Releases everything the tracker holds. */
void
track_free(struct track *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nsess; i++)
		session_free(t->sess[i]);
	free(t->sess);
	for (size_t i = 0; i < t->nclients; i++)
		free(t->clients[i]);
	free(t->clients);
	free(t->ch);
	memset(t, 0, sizeof(*t));
}

/*
 * Forgets the change list of the last frame; frees sessions that were
 * dropped or closed (their last changes have been consumed).
 */
void
track_changes_reset(struct track *t)
{
	size_t j = 0;

	t->nch = 0;
	for (size_t i = 0; i < t->nsess; i++) {
		struct tsession *s = t->sess[i];
		int linked = 0;
		/* a client that saw s end links it to its next session: kept till then */
		for (size_t k = 0; k < t->nclients && !s->gone; k++)
			linked |= t->clients[k]->s == s && t->clients[k]->left;
		if (s->gone || (s->state == LIVE_CLOSED && !linked)) {
			for (size_t k = 0; k < t->nclients; k++)
				if (t->clients[k]->s == s)
					t->clients[k]->s = NULL;
			session_free(s);
		} else
			t->sess[j++] = s;
	}
	t->nsess = j;
}

/* Appends a change; returns it (zeroed but for type, s, car) or NULL when out of memory. */
struct change *
track_emit_ch(struct track *t, enum change_type type, struct tsession *s, struct tcar *car)
{
	struct change *c;

	if (grow((void **)&t->ch, &t->ch_cap, t->nch + 1, sizeof(*t->ch)) < 0)
		return NULL;
	c = &t->ch[t->nch++];
	memset(c, 0, sizeof(*c));
	c->type = type;
	c->s = s;
	c->car = car;
	return c;
}

/* Appends a change of type. Returns 1 or -1. */
int
track_emit(struct track *t, enum change_type type, struct tsession *s, struct tcar *car)
{
	return track_emit_ch(t, type, s, car) ? 1 : -1;
}

/* The open session with this id, or NULL. */
struct tsession *
track_find(struct track *t, const char *id)
{
	for (size_t i = 0; i < t->nsess; i++)
		if (!t->sess[i]->gone && strcmp(t->sess[i]->id, id) == 0)
			return t->sess[i];
	return NULL;
}

/* Adds an empty session with id. Returns it or NULL. */
struct tsession *
track_session_add(struct track *t, const char *id)
{
	struct tsession *s;

	if (grow((void **)&t->sess, &t->sess_cap, t->nsess + 1, sizeof(*t->sess)) < 0 ||
	    (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->chat = calloc(1, sizeof(*s->chat))) == NULL) {
		free(s);
		return NULL;
	}
	scopy(s->id, sizeof(s->id), id);
	s->sector_bound[0] = s->sector_bound[1] = -1;
	s->cond_et = -1e9;
	s->et = -1;
	t->sess[t->nsess++] = s;
	return s;
}

/* Adds a car (slot, veh) to s. Returns it or NULL. */
struct tcar *
track_car_add(struct track *t, struct tsession *s, int slot, const char *veh)
{
	struct tcar *c;

	if (slot < 0 || grow((void **)&s->cars, &s->cars_cap, s->ncars + 1, sizeof(*s->cars)) < 0 ||
	    grow((void **)&s->by_slot, &s->nslots, (size_t)slot + 1, sizeof(*s->by_slot)) < 0 ||
	    (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->idx = s->ncars;
	c->slot = slot;
	scopy(c->veh, sizeof(c->veh), veh);
	c->et = -1e9;
	c->present = 1;
	c->fuel = c->ve = -1;
	c->best = c->last = c->s1 = c->s2 = c->s3 = -1;
	c->swap_et = -1;
	c->sm.lane = c->sm.garage = -1;
	c->sm.pending_exit = -1;
	for (int i = 0; i < TYRE_N; i++)
		c->wear[i] = -1;
	s->cars[s->ncars++] = c;
	s->by_slot[slot] = c;
	return c;
}

/* The record of lap n of car c (1-based), grown as needed; NULL when out of memory. */
struct tlap *
track_lap_slot(struct tcar *c, int n)
{
	if (n < 1 || grow((void **)&c->laps_v, &c->laps_cap, (size_t)n, sizeof(*c->laps_v)) < 0)
		return NULL;
	c->laps_v[n - 1].lap = n;
	return &c->laps_v[n - 1];
}

/*
 * name as kept by car c: the same pointer for the same name for as long as
 * the car lives (laps point to it). NULL when out of memory.
 */
const char *
track_car_name(struct tcar *c, const char *name)
{
	struct tname	*n;
	size_t		 len = strlen(name);

	for (n = c->names; n != NULL; n = n->next)
		if (strcmp(n->name, name) == 0)
			return n->name;
	if ((n = malloc(sizeof(*n) + len + 1)) == NULL)
		return NULL;
	memcpy(n->name, name, len + 1);
	n->next = c->names;
	c->names = n;
	return n->name;
}

/* 64-bit FNV-1a of a chat line. */
static unsigned long long
chat_hash(long long ts, const char *text)
{
	unsigned long long h = 1469598103934665603ULL;

	for (int i = 0; i < 8; i++) {
		h ^= (unsigned long long)(ts >> (8 * i)) & 0xff;
		h *= 1099511628211ULL;
	}
	for (; *text; text++) {
		h ^= (unsigned char)*text;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

/* Adds a line to the set; returns 1 when it was new, 0 when known, -1. */
static int
chat_add(struct tchat_set *cs, long long ts, const char *text)
{
	unsigned long long h = chat_hash(ts, text);
	size_t i;

	if ((cs->n + 1) * 2 > cs->cap) {
		size_t nc = cs->cap ? cs->cap * 2 : 64;
		unsigned long long *nh = calloc(nc, sizeof(*nh));
		if (nh == NULL)
			return -1;
		for (size_t k = 0; k < cs->cap; k++)
			if (cs->h[k]) {
				for (i = cs->h[k] & (nc - 1); nh[i]; i = (i + 1) & (nc - 1))
					;
				nh[i] = cs->h[k];
			}
		free(cs->h);
		cs->h = nh;
		cs->cap = nc;
	}
	for (i = h & (cs->cap - 1); cs->h[i]; i = (i + 1) & (cs->cap - 1))
		if (cs->h[i] == h)
			return 0;
	cs->h[i] = h;
	cs->n++;
	return 1;
}

/* Whether the set holds the line. */
static int
chat_known(const struct tchat_set *cs, long long ts, const char *text)
{
	unsigned long long h = chat_hash(ts, text);

	if (cs->cap == 0)
		return 0;
	for (size_t i = h & (cs->cap - 1); cs->h[i]; i = (i + 1) & (cs->cap - 1))
		if (cs->h[i] == h)
			return 1;
	return 0;
}

/* Records a chat line as already stored (resume). */
void
track_chat_seen(struct tsession *s, long long ts, const char *text)
{
	chat_add(s->chat, ts, text);
	if (ts > s->chat_max)
		s->chat_max = ts;
}

/*
 * The client id as the tracker knows it; a new one is added when create is
 * set. NULL when unknown or out of memory.
 */
struct tclient *
track_client(struct track *t, const char *id, int create)
{
	struct tclient *c;

	for (size_t i = 0; i < t->nclients; i++)
		if (strcmp(t->clients[i]->id, id) == 0)
			return t->clients[i];
	if (!create ||
	    grow((void **)&t->clients, &t->clients_cap, t->nclients + 1, sizeof(*t->clients)) < 0 ||
	    (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	scopy(c->id, sizeof(c->id), id);
	c->last_phase = -1;
	t->clients[t->nclients++] = c;
	return c;
}

/* The identity key of an observation: sim, server, port, track, type, online. */
static void
obs_key(const struct track_in *in, const struct obs *o, char *out, size_t sz)
{
	char type[16];

	session_type_format(o->kind, o->kind_n, type, sizeof(type));
	snprintf(out, sz, "%s|%s|%d|%s|%s|%d", in->sim ? in->sim : "", o->server, o->port,
	    o->track, type, o->online);
}

/* The identity key of the frames of s, as obs_key() writes it. */
void
track_session_key(const struct tsession *s, char *out, size_t sz)
{
	snprintf(out, sz, "%s|%s|%d|%s|%s|%d", s->sim, s->server, s->port, s->track, s->type,
	    s->online);
}

/*
 * Attaches a client to s (resume: the session of its last frame), as if
 * its last frame had just been applied. Returns 1 or -1.
 */
int
track_attach(struct track *t, const char *client, struct tsession *s)
{
	struct tclient *c = track_client(t, client, 1);

	if (c == NULL)
		return -1;
	c->s = s;
	if (s != NULL) {
		c->last_et = s->et;
		c->last_tcap = s->et_at;
		c->last_phase = s->phase;
		track_session_key(s, c->last_key, sizeof(c->last_key));
	}
	return 1;
}

static int
session_matches(const struct tsession *s, const struct track_in *in, const struct obs *o)
{
	enum session_kind	 kind;
	int			 n;

	return strcmp(s->sim, in->sim ? in->sim : "") == 0 && strcmp(s->server, o->server) == 0 &&
	    s->port == o->port && strcmp(s->track, o->track) == 0 &&
	    session_type_parse(s->type, &kind, &n) == 0 && kind == o->kind && n == o->kind_n &&
	    s->online == o->online;
}

/*
 * Whether an ET seen at server time tcap continues s: not ahead of its ET
 * plus the wall time passed, not behind it (an older frame may be behind by
 * as much as it is older).
 */
static int
session_continues(const struct tsession *s, double et, double tcap)
{
	double dt = tcap - s->et_at;

	if (s->et < 0)
		return 1;
	if (et > s->et + (dt > 0 ? dt : 0) + TRACK_ET_TOLERANCE)
		return 0;
	if (et < s->et - (dt < 0 ? -dt : 0) - TRACK_ET_TOLERANCE)
		return 0;
	return 1;
}

/* Share of the frame's cars (slot, vehicle) that s knows; 1 when either side has none. */
static double
session_overlap(const struct tsession *s, const struct obs *o)
{
	size_t hit = 0, n = 0;

	if (s->ncars == 0)
		return 1;
	if (o->ncars > 0) {
		for (size_t i = 0; i < o->ncars; i++) {
			const struct obs_car *oc = &o->cars[i];
			n++;
			if ((size_t)oc->slot < s->nslots && s->by_slot[oc->slot] != NULL &&
			    strcmp(s->by_slot[oc->slot]->veh, oc->veh) == 0)
				hit++;
		}
	} else if (o->nentries > 0 && s->nentries > 0) {
		for (size_t i = 0; i < o->nentries; i++) {
			n++;
			for (size_t k = 0; k < s->nentries; k++)
				if (strcmp(s->entries[k].veh, o->entries[i].veh) == 0 &&
				    strcmp(s->entries[k].name, o->entries[i].name ?
				    o->entries[i].name : "") == 0) {
					hit++;
					break;
				}
		}
	} else
		return 1;
	return n ? (double)hit / (double)n : 1;
}

/* A time-ordered id: milliseconds of tcap, then a mix of client, seq and a counter. */
static void
session_id(struct track *t, const struct track_in *in, double tcap, char out[TRACK_ID_LEN + 1])
{
	unsigned long long ms = tcap > 0 ? (unsigned long long)(tcap * 1000.0) : 0, h;

	if (t->force_id[0]) {
		scopy(out, TRACK_ID_LEN + 1, t->force_id);
		t->force_id[0] = '\0';
		return;
	}
	h = chat_hash(in->seq ^ (long long)(++t->id_seq << 40), in->client ? in->client : "");
	snprintf(out, TRACK_ID_LEN + 1, "%012llx%04llx%016llx", ms & 0xffffffffffffULL,
	    t->id_seq & 0xffff, h);
}

/*
 * Whether the frame shows the previous session's finished cars during a
 * transition: most cars finished or laps done at an ET where that cannot be.
 */
static int
obs_stale(const struct obs *o)
{
	size_t done = 0;

	if (o->ncars == 0 || o->et > 60 || o->phase == PHASE_CHECKERED)
		return 0;
	for (size_t i = 0; i < o->ncars; i++)
		if (o->cars[i].finish != FIN_NONE || o->cars[i].laps > 1)
			done++;
	return done * 2 > o->ncars;
}

/* Whether s holds nothing worth keeping: no lap recorded, no pit but the initial garage. */
static int
session_empty(const struct tsession *s)
{
	return !s->any_laps;
}

static struct tsession *
session_new(struct track *t, const struct track_in *in, const struct obs *o, double tcap,
    struct tclient *cl)
{
	struct tsession	*s, *prev = cl->s;
	char		 id[TRACK_ID_LEN + 1];

	session_id(t, in, tcap, id);
	if ((s = track_session_add(t, id)) == NULL)
		return NULL;
	scopy(s->sim, sizeof(s->sim), in->sim);
	scopy(s->track, sizeof(s->track), o->track);
	session_type_format(o->kind, o->kind_n, s->type, sizeof(s->type));
	scopy(s->server, sizeof(s->server), o->server);
	s->port = o->port;
	s->online = o->online;
	if (!o->online)
		scopy(s->owner, sizeof(s->owner), in->client);
	s->started_at = tcap;
	s->et_zero = tcap - o->et;
	s->et_zero_known = o->et > 0;
	s->state = LIVE_LIVE;
	s->phase = -1;
	t->c.sessions++;
	if (track_emit(t, CH_SESSION_NEW, s, NULL) < 0)
		return NULL;
	/* The transition from the client's previous session on the same server. */
	if (prev != NULL && !prev->gone && strcmp(prev->server, s->server) == 0 &&
	    prev->port == s->port && strcmp(prev->track, s->track) == 0) {
		if (session_empty(prev) && tcap - prev->started_at < TRACK_MERGE_EMPTY) {
			/* (better) an empty session created seconds ago: merge it away. */
			struct tsession *pp = prev->prev_id[0] ? track_find(t, prev->prev_id) : NULL;
			prev->gone = 1;
			t->c.merged++;
			if (track_emit(t, CH_SESSION_DROP, prev, NULL) < 0)
				return NULL;
			scopy(s->prev_id, sizeof(s->prev_id), prev->prev_id);
			if (pp != NULL) {
				struct change *ch;
				scopy(pp->next_id, sizeof(pp->next_id), s->id);
				if ((ch = track_emit_ch(t, CH_SESSION_LINK, pp, NULL)) == NULL)
					return NULL;
				ch->s2 = s;
			}
		} else if (prev->next_id[0] == '\0') {
			struct change *ch;
			scopy(prev->next_id, sizeof(prev->next_id), s->id);
			scopy(s->prev_id, sizeof(s->prev_id), prev->id);
			t->c.transitions++;
			if ((ch = track_emit_ch(t, CH_SESSION_LINK, prev, NULL)) == NULL)
				return NULL;
			ch->s2 = s;
		}
	}
	return s;
}

/* Finds the session the frame continues, or NULL. */
static struct tsession *
session_find(struct track *t, const struct track_in *in, const struct obs *o, double tcap,
    struct tclient *cl)
{
	if (cl->s != NULL && !cl->s->gone && cl->s->state != LIVE_CLOSED &&
	    session_matches(cl->s, in, o) && session_continues(cl->s, o->et, tcap))
		return cl->s;
	for (size_t i = 0; i < t->nsess; i++) {
		struct tsession *s = t->sess[i];
		if (s->gone || s->state == LIVE_CLOSED || !session_matches(s, in, o))
			continue;
		if (!s->online && strcmp(s->owner, in->client) != 0)
			continue;
		if (!session_continues(s, o->et, tcap))
			continue;
		if (s->online && session_overlap(s, o) < TRACK_OVERLAP_MIN)
			continue;
		return s;
	}
	return NULL;
}

/* Copies the header of a fresh observation into s. */
static int
session_header(struct track *t, struct tsession *s, const struct obs *o, double tcap)
{
	if (s->et >= 0 && o->et < s->et)
		return 1;	/* an older view never overwrites a newer one */
	s->et = o->et;
	s->et_at = tcap;
	/* a session first seen at ET 0 (a countdown) learns its ET 0 once ET runs */
	if (!s->et_zero_known && o->et > 0) {
		s->et_zero = tcap - o->et;
		s->et_zero_known = 1;
		s->more_dirty = 1;
	}
	if (o->phase >= 0)
		s->phase = o->phase;
	s->remaining = o->remaining;
	s->end_et = o->end_et;
	s->max_time = o->max_time;
	s->max_laps = o->max_laps;
	s->track_len = o->track_len;
	s->air = o->air;
	s->track_temp = o->track_temp;
	s->rain = o->rain;
	s->wetness = o->wetness;
	scopy(s->sector_flags, sizeof(s->sector_flags), o->sector_flags);
	if (o->phase == PHASE_CHECKERED)
		s->finished = 1;
	if (o->et - s->cond_et >= TRACK_COND_EVERY) {
		s->cond_et = o->et;
		if (track_emit(t, CH_CONDITIONS, s, NULL) < 0)
			return -1;
	}
	return 1;
}

static unsigned
entry_roles_str(unsigned r, char *out, size_t sz)
{
	snprintf(out, sz, "%s%s%s%s", r & ROLE_DRIVER ? "D" : "", r & ROLE_ENGINEER ? "E" : "",
	    r & ROLE_ADMIN ? "A" : "", r & ROLE_OWNER ? "O" : "");
	return r;
}

/* The entry list row id of s, added empty when new; NULL when out of memory. */
struct tentry *
track_entry(struct tsession *s, int id)
{
	struct tentry	*te;
	size_t		 cap = s->nentries;

	for (size_t k = 0; k < s->nentries; k++)
		if (s->entries[k].id == id)
			return &s->entries[k];
	if (grow((void **)&s->entries, &cap, s->nentries + 1, sizeof(*s->entries)) < 0)
		return NULL;
	te = &s->entries[s->nentries++];
	memset(te, 0, sizeof(*te));
	te->id = id;
	return te;
}

/*
 * Entry list of an online frame: teams, numbers, members with badges and
 * roles; each entry joins the car in its slot. A list seen before, whose
 * slots were known then, is not walked again.
 */
static int
session_entries(struct track *t, struct tsession *s, const struct obs *o)
{
	if (!o->has_teams || (o->coherence >= 0 && o->coherence == s->coherence &&
	    o->entry_slots_known))
		return 1;
	s->coherence = o->coherence;
	for (size_t i = 0; i < o->nentries; i++) {
		const struct obs_entry	*e = &o->entries[i];
		struct tentry		*te = NULL;
		struct buf_s { char *p; size_t len, cap; } mb = { 0 };
		int			 slot = e->slot;
		char			 roles[8];
		struct change		*ch;

		if ((te = track_entry(s, e->id)) == NULL)
			return -1;
		for (size_t m = 0; m < e->nmembers; m++) {
			const struct obs_member *om = &o->members[e->member0 + m];
			size_t need;
			entry_roles_str(om->roles, roles, sizeof(roles));
			need = strlen(om->name) + (om->badge ? strlen(om->badge) : 0) +
			    (om->nationality ? strlen(om->nationality) : 0) + 16;
			if (grow((void **)&mb.p, &mb.cap, mb.len + need, 1) < 0) {
				free(mb.p);
				return -1;
			}
			mb.len += (size_t)snprintf(mb.p + mb.len, need, "%s\t%s\t%s\t%s\n", om->name,
			    om->badge ? om->badge : "", om->nationality ? om->nationality : "", roles);
		}
		struct tcar *car = slot >= 0 && (size_t)slot < s->nslots ? s->by_slot[slot] : NULL;
		if (car != NULL && strcmp(car->veh, e->veh) != 0)
			car = NULL;
		if (te->car == car && strcmp(te->veh, e->veh) == 0 &&
		    strcmp(te->name, e->name ? e->name : "") == 0 &&
		    strcmp(te->number, e->number ? e->number : "") == 0 &&
		    ((te->members == NULL && mb.p == NULL) ||
		    (te->members && mb.p && strcmp(te->members, mb.p) == 0))) {
			free(mb.p);
			continue;
		}
		scopy(te->team_id, sizeof(te->team_id), e->team_id);
		scopy(te->number, sizeof(te->number), e->number);
		scopy(te->name, sizeof(te->name), e->name);
		scopy(te->veh, sizeof(te->veh), e->veh);
		te->car = car;
		free(te->members);
		te->members = mb.p;
		if ((ch = track_emit_ch(t, CH_ENTRY, s, car)) == NULL)
			return -1;
		ch->n = (int)(te - s->entries);
	}
	return 1;
}

static void
lap_pieces(struct tlap *l, double time, double sp1, double sp2)
{
	l->time = time > 0 ? time : -1;
	l->s1 = sp1 > 0 ? sp1 : -1;
	l->s2 = sp2 > 0 && sp1 > 0 && sp2 > sp1 ? sp2 - sp1 : -1;
	l->s3 = time > 0 && sp2 > 0 && time > sp2 ? time - sp2 : -1;
	l->valid = time > 0;
}

/*
 * Who drove each sector of l: on a swap lap the swap time against the
 * lap's splits. Returns 1, or -1 when out of memory.
 */
static int
lap_sector_drivers(struct tcar *c, struct tlap *l, double sp1, double sp2)
{
	double ends[3];

	for (int k = 0; k < 3; k++)
		l->s_driver[k] = NULL;
	if (c->swap_et < 0 || l->start_et < 0 || c->swap_et < l->start_et || c->swap_from[0] == '\0')
		return 1;
	ends[0] = sp1 > 0 ? l->start_et + sp1 : -1;
	ends[1] = sp2 > 0 ? l->start_et + sp2 : -1;
	ends[2] = l->time > 0 ? l->start_et + l->time : -1;
	for (int k = 0; k < 3; k++)
		if (ends[k] > 0 && ends[k] <= c->swap_et &&
		    (l->s_driver[k] = track_car_name(c, c->swap_from)) == NULL)
			return -1;
	return 1;
}

/* Records lap n of car c from an observation whose lapsCompleted is n. */
static int
lap_record(struct track *t, struct tsession *s, struct tcar *c, const struct obs_car *oc,
    double et, double tcap)
{
	struct tlap	*l = track_lap_slot(c, oc->laps), *prev;
	struct change	*ch;
	double		 prev_end;

	if (l == NULL)
		return -1;
	prev = oc->laps > 1 ? &c->laps_v[oc->laps - 2] : NULL;
	l->known = 1;
	l->source = LSRC_LIVE;
	lap_pieces(l, oc->last, oc->last_s1, oc->last_s2);
	scopy(l->driver, sizeof(l->driver), oc->driver);
	l->position = oc->position;
	l->fuel = oc->player ? c->fuel : oc->fuel;
	l->ve = oc->ve;
	l->seen_at = tcap;
	l->cuts = oc->cuts;
	l->collisions = oc->collisions;
	l->sectors_derived = oc->splits_derived;
	/*
	 * The lap began where the lap in progress began less its time, unless
	 * that start has not moved on from the previous lap's end (a look
	 * with the new lap count but the old lap start): then at that end.
	 */
	prev_end = prev && prev->known && prev->start_et >= 0 && prev->time > 0 ?
	    prev->start_et + prev->time : -1;
	l->start_et = l->time > 0 && oc->lap_start_et > 0 &&
	    (prev_end < 0 || oc->lap_start_et > prev_end + 0.5) ? oc->lap_start_et - l->time : prev_end;
	scopy(l->tyres, sizeof(l->tyres), c->tyres);
	/* The lap had a lane visit when a pit entry happened on it. */
	l->pit = 0;
	for (size_t i = c->npits; i-- > 0;) {
		if (c->pits[i].lap < oc->laps)
			break;
		if (c->pits[i].lap == oc->laps && !c->pits[i].garage)
			l->pit = 1;
	}
	if (lap_sector_drivers(c, l, oc->last_s1, oc->last_s2) < 0)
		return -1;
	if (oc->laps > c->max_lap)
		c->max_lap = oc->laps;
	s->nlaps++;
	s->any_laps = 1;
	if ((ch = track_emit_ch(t, CH_LAP, s, c)) == NULL)
		return -1;
	ch->n = l->lap;
	if (bests_lap(t, s, c, l) < 0 || pits_stint(t, s, c, l) < 0)
		return -1;
	return 1;
}

/* Lap n of c, which no client saw: stored as missing until history fills it. */
static int
lap_missing(struct track *t, struct tsession *s, struct tcar *c, int n)
{
	struct tlap	*l = track_lap_slot(c, n);
	struct change	*ch;

	if (l == NULL)
		return -1;
	if (l->known)
		return 1;
	memset(l, 0, sizeof(*l));
	l->lap = n;
	l->known = 1;
	l->source = LSRC_MISSING;
	l->time = l->s1 = l->s2 = l->s3 = l->fuel = l->ve = l->start_et = l->seen_at = -1;
	l->cuts = l->collisions = -1;
	if ((ch = track_emit_ch(t, CH_LAP, s, c)) == NULL)
		return -1;
	ch->n = n;
	return 1;
}

/* Fills the unknown pieces of c's lap oc->laps from a later observation of it. */
static int
lap_fill(struct track *t, struct tsession *s, struct tcar *c, const struct obs_car *oc)
{
	struct tlap	 nl, *l = oc->laps >= 1 && oc->laps <= c->max_lap ? &c->laps_v[oc->laps - 1] : NULL;
	int		 changed = 0;
	struct change	*ch;

	if (l == NULL || !l->known || l->source != LSRC_LIVE)
		return 1;
	memset(&nl, 0, sizeof(nl));
	lap_pieces(&nl, oc->last, oc->last_s1, oc->last_s2);
	if (l->time < 0 && nl.time > 0) {
		l->time = nl.time;
		l->valid = 1;
		changed = 1;
	}
	if (l->s1 < 0 && nl.s1 > 0) {
		l->s1 = nl.s1;
		changed = 1;
	}
	if (l->s2 < 0 && nl.s2 > 0) {
		l->s2 = nl.s2;
		changed = 1;
	}
	if (l->s3 < 0 && nl.s3 > 0) {
		l->s3 = nl.s3;
		changed = 1;
	}
	if (!changed)
		return 1;
	if ((ch = track_emit_ch(t, CH_LAP_FILL, s, c)) == NULL)
		return -1;
	ch->n = l->lap;
	return bests_lap(t, s, c, l);
}

/* Back-fills missing laps from /rest/watch/standings/history rows. */
static int
laps_history(struct track *t, struct tsession *s, const struct obs *o)
{
	for (size_t i = 0; i < o->nhist; i++) {
		const struct obs_hist	*h = &o->hist[i];
		struct tcar		*c = (size_t)h->slot < s->nslots ? s->by_slot[h->slot] : NULL;
		struct tlap		*l;
		struct change		*ch;

		if (c == NULL || h->lap < 1 || h->lap > c->max_lap)
			continue;
		l = &c->laps_v[h->lap - 1];
		if (!l->known || l->source != LSRC_MISSING)
			continue;
		lap_pieces(l, h->time, h->s1, h->s2);
		l->source = LSRC_HISTORY;
		scopy(l->driver, sizeof(l->driver), h->driver);
		l->position = h->position;
		l->pit = h->pitting;
		s->nlaps++;
		s->any_laps = 1;
		if ((ch = track_emit_ch(t, CH_LAP_FILL, s, c)) == NULL)
			return -1;
		ch->n = l->lap;
		if (bests_lap(t, s, c, l) < 0)
			return -1;
	}
	return 1;
}

/* What car c is doing, as the timing screen shows it (lib/vocab.h). */
static void
car_status(struct tcar *c)
{
	enum car_status st = CST_RUNNING;

	if (c->finish == FIN_DNF)
		st = CST_DNF;
	else if (c->finish == FIN_DQ)
		st = CST_DQ;
	else if (c->finish == FIN_FINISHED)
		st = CST_FINISHED;
	else if (c->in_garage)
		st = CST_GARAGE;
	else if (c->pit_state >= PIT_ENTERING)
		st = CST_PIT;
	else if (!c->present)
		st = CST_LEFT;
	scopy(c->status, sizeof(c->status), car_status_names[st]);
}

/* The car of s whose identity is key (AC: the driver's GUID), or NULL. */
static struct tcar *
car_by_key(const struct tsession *s, const char *key)
{
	for (size_t i = 0; i < s->ncars; i++)
		if (strcmp(s->cars[i]->key, key) == 0)
			return s->cars[i];
	return NULL;
}

/* Applies one car's observation. */
static int
car_observe(struct track *t, struct tsession *s, const struct obs *o, const struct obs_car *oc,
    double tcap, const char *client, int *touched)
{
	struct tcar	*c = (size_t)oc->slot < s->nslots ? s->by_slot[oc->slot] : NULL;
	int		 fresh;

	if (oc->key != NULL && oc->key[0] && (c = car_by_key(s, oc->key)) != NULL &&
	    c->slot != oc->slot) {
		/* the car's driver came back on another slot: by_slot follows */
		struct tcar *old = (size_t)oc->slot < s->nslots ? s->by_slot[oc->slot] : NULL;
		if (grow((void **)&s->by_slot, &s->nslots, (size_t)oc->slot + 1,
		    sizeof(*s->by_slot)) < 0)
			return -1;
		if (old != NULL && old != c && old->present) {
			old->present = 0;
			car_status(old);
			if (track_emit(t, CH_CAR_STATE, s, old) < 0)
				return -1;
		}
		if ((size_t)c->slot < s->nslots && s->by_slot[c->slot] == c)
			s->by_slot[c->slot] = NULL;
		c->slot = oc->slot;
		s->by_slot[oc->slot] = c;
		if (track_emit(t, CH_CAR_INFO, s, c) < 0)
			return -1;
	} else if (oc->key != NULL && oc->key[0] && c == NULL)
		c = (size_t)oc->slot < s->nslots ? s->by_slot[oc->slot] : NULL;
	if (c != NULL && (strcmp(c->veh, oc->veh) != 0 ||
	    (oc->key != NULL && strcmp(c->key, oc->key) != 0))) {
		/* A slot reused by another vehicle is another car; the old one left. */
		c->present = 0;
		car_status(c);
		if (track_emit(t, CH_CAR_STATE, s, c) < 0)
			return -1;
		c = NULL;
	}
	if (c == NULL) {
		if ((c = track_car_add(t, s, oc->slot, oc->veh)) == NULL)
			return -1;
		scopy(c->key, sizeof(c->key), oc->key);
		scopy(c->vehicle_name, sizeof(c->vehicle_name), oc->vehicle_name);
		scopy(c->number, sizeof(c->number), oc->number);
		scopy(c->team, sizeof(c->team), oc->team);
		scopy(c->cls, sizeof(c->cls), oc->cls);
		if (track_emit(t, CH_CAR_NEW, s, c) < 0)
			return -1;
	} else if ((oc->number && strcmp(c->number, oc->number) != 0) ||
	    (oc->team && strcmp(c->team, oc->team) != 0) || (oc->cls && strcmp(c->cls, oc->cls) != 0) ||
	    (oc->vehicle_name && oc->vehicle_name[0] &&
	    strcmp(c->vehicle_name, oc->vehicle_name) != 0)) {
		/* (a source may learn a car's vehicle name after the car) */
		if (oc->vehicle_name && oc->vehicle_name[0])
			scopy(c->vehicle_name, sizeof(c->vehicle_name), oc->vehicle_name);
		scopy(c->number, sizeof(c->number), oc->number);
		scopy(c->team, sizeof(c->team), oc->team);
		scopy(c->cls, sizeof(c->cls), oc->cls);
		if (track_emit(t, CH_CAR_INFO, s, c) < 0)
			return -1;
	}
	fresh = o->et > c->et;
	if (fresh) {
		/* A driver change: remembered for the sectors of this lap. */
		if (c->driver[0] && oc->driver && strcmp(c->driver, oc->driver) != 0) {
			c->swap_et = o->et;
			scopy(c->swap_from, sizeof(c->swap_from), c->driver);
		}
		if (pits_observe(t, s, c, oc, o->et) < 0)
			return -1;
		/* Learn sector boundaries from cars crossing them. */
		if (c->sector && oc->sector == c->sector + 1 && oc->sector <= 3 && oc->lap_dist > 0 &&
		    s->sector_bound[c->sector - 1] < 0) {
			int k = c->sector - 1;
			s->bound_sum[k] += oc->lap_dist;
			if (++s->bound_n[k] >= TRACK_BOUND_CROSSINGS) {
				struct change *ch;
				s->sector_bound[k] = s->bound_sum[k] / s->bound_n[k];
				if ((ch = track_emit_ch(t, CH_SECTOR_BOUND, s, NULL)) == NULL)
					return -1;
				ch->n = k;
			}
		}
		c->et = o->et;
		c->updated_at = tcap;
		scopy(c->driver, sizeof(c->driver), oc->driver);
		c->position = oc->position;
		c->laps = oc->laps > c->laps ? oc->laps : c->laps;
		/* what the game says of the gaps; order_session() derives them */
		c->said.gap = oc->gap;
		c->said.gap_laps = oc->gap_laps;
		c->said.interval = oc->interval;
		c->said.interval_laps = oc->interval_laps;
		c->best = oc->best;
		if (oc->laps >= 1 && oc->laps <= c->max_lap && c->laps_v[oc->laps - 1].known) {
			const struct tlap *l = &c->laps_v[oc->laps - 1];
			c->last = l->time;
			c->s1 = l->s1;
			c->s2 = l->s2;
			c->s3 = l->s3;
		}
		c->pitstops = oc->pitstops;
		c->penalties = oc->penalties;
		c->player = oc->player;
		c->pit_state = oc->pit_state;
		c->in_garage = oc->in_garage;
		c->finish = oc->finish;
		if (!oc->player) {
			if (oc->fuel >= 0)
				c->fuel = oc->fuel;
		} else
			scopy(c->fuel_client, sizeof(c->fuel_client), client);
		if (oc->ve >= 0)
			c->ve = oc->ve;
		c->lap_dist = oc->lap_dist;
		c->x = oc->x;
		c->z = oc->z;
		c->sector = oc->sector;
		c->lap_start_et = oc->lap_start_et;
		if (oc->compounds_known) {
			c->tyres[0] = '\0';
			for (int k = 0; k < TYRE_N; k++) {
				size_t n = strlen(c->tyres);
				snprintf(c->tyres + n, sizeof(c->tyres) - n, "%s%.1s", k ? "" : "",
				    oc->compound[k]);
			}
		}
		c->present = 1;
		car_status(c);
		*touched = 1;
	}
	/* Laps: recorded once, the first time any client shows lapsCompleted ≥ N. */
	if (oc->laps > c->max_lap) {
		if (track_lap_slot(c, oc->laps) == NULL)
			return -1;
		for (int n = c->max_lap + 1; n < oc->laps; n++)
			if (lap_missing(t, s, c, n) < 0)
				return -1;
		if (lap_record(t, s, c, oc, o->et, tcap) < 0)
			return -1;
		if (!fresh || c->last < 0) {
			const struct tlap *l = &c->laps_v[oc->laps - 1];
			c->last = l->time;
			c->s1 = l->s1;
			c->s2 = l->s2;
			c->s3 = l->s3;
		}
		*touched = 1;
	} else if (oc->laps >= 1 && oc->laps == c->max_lap) {
		size_t before = t->nch;
		if (lap_fill(t, s, c, oc) < 0)
			return -1;
		if (t->nch != before)
			*touched = 1;
	}
	return 1;
}

/* New chat lines: unique by (timestamp, text) across clients; lines far older than the newest ignored. */
static int
session_chat(struct track *t, struct tsession *s, const struct obs *o)
{
	for (size_t i = 0; i < o->nchat; i++) {
		const struct obs_chat	*l = &o->chat[i];
		struct change		*ch;
		long long		 ts = l->ts;
		int			 rc;

		/*
		 * A line timed on the session's ET (whole seconds: clients
		 * receive it a few ms apart) gets the session's clock; the same
		 * text a second off is the same line.
		 */
		if (o->chat_et) {
			ts += llround(s->et_zero) * 10000000LL;
			if (chat_known(s->chat, ts - 10000000LL, l->text) ||
			    chat_known(s->chat, ts + 10000000LL, l->text))
				continue;
		}
		if (s->chat_max > 0 && ts < s->chat_max - TRACK_CHAT_OLD)
			continue;
		if ((rc = chat_add(s->chat, ts, l->text)) < 0)
			return -1;
		if (rc == 0)
			continue;
		if (ts > s->chat_max)
			s->chat_max = ts;
		if ((ch = track_emit_ch(t, CH_CHAT, s, NULL)) == NULL)
			return -1;
		ch->chat_ts = ts;
		ch->chat_text = l->text;
	}
	return 1;
}

/*
 * The player car's fuel and tyre wear from its own client's usage data
 * (its fuelFraction reads ~100 %). The newest lap of its driver wins.
 */
static int
session_usage(struct track *t, struct tsession *s, const struct obs *o, int *touched)
{
	const struct obs_car	*pc = NULL;
	const struct obs_usage	*best = NULL;
	struct tcar		*c;

	for (size_t i = 0; i < o->ncars && pc == NULL; i++)
		if (o->cars[i].player)
			pc = &o->cars[i];
	if (pc == NULL || (size_t)pc->slot >= s->nslots || (c = s->by_slot[pc->slot]) == NULL)
		return 1;
	for (size_t i = 0; i < o->nusage; i++) {
		const struct obs_usage *u = &o->usage[i];
		if (u->fuel < 0 && u->wear[0] < 0)
			continue;
		if (pc->driver && strcmp(u->driver, pc->driver) != 0 &&
		    bests_driver(c, u->driver, 0) == NULL)
			continue;
		if (best == NULL || u->lap > best->lap)
			best = u;
	}
	if (best == NULL)
		return 1;
	/*
	 * Each lap's level at the line as the usage data gives it for that
	 * lap: it comes after the lap was recorded with the level before.
	 */
	for (size_t i = 0; i < o->nusage; i++) {
		const struct obs_usage *u = &o->usage[i];
		struct tlap *l;
		struct change *ch;
		int changed = 0;
		if (u->lap < 1 || u->lap > c->max_lap)
			continue;
		if (pc->driver && strcmp(u->driver, pc->driver) != 0 &&
		    bests_driver(c, u->driver, 0) == NULL)
			continue;
		l = &c->laps_v[u->lap - 1];
		if (!l->known || l->source != LSRC_LIVE)
			continue;
		if (u->fuel >= 0 && fabs(l->fuel - u->fuel / 100.0) > 1e-9) {
			l->fuel = u->fuel / 100.0;
			changed = 1;
		}
		if (u->ve >= 0 && fabs(l->ve - u->ve) > 1e-9) {
			l->ve = u->ve;
			changed = 1;
		}
		if (!changed)
			continue;
		if ((ch = track_emit_ch(t, CH_LAP_FILL, s, c)) == NULL)
			return -1;
		ch->n = l->lap;
	}
	if (best->fuel >= 0)
		c->fuel = best->fuel / 100.0;
	if (best->ve >= 0)
		c->ve = best->ve;
	for (int k = 0; k < TYRE_N; k++)
		c->wear[k] = best->wear[k];
	c->info_dirty = 1;
	*touched = 1;
	return 1;
}

/* Strategy (race): per team, confirms stops and adds tyres/fuel/VE; synthesises missed ones. */
static int
session_strategy(struct track *t, struct tsession *s, const struct obs *o)
{
	size_t i = 0;

	while (i < o->nstops) {
		size_t j = i;
		const char *team = o->stops[i].team;
		struct tcar *c = NULL;
		int n = 0;
		while (j < o->nstops && o->stops[j].team == team)
			j++;
		for (size_t k = 0; k < s->ncars; k++)
			if (s->cars[k]->present && strcmp(s->cars[k]->team, team) == 0) {
				c = s->cars[k];
				n++;
			}
		/* Team names may not be unique: only an unambiguous team counts. */
		if (c != NULL && n == 1 && pits_strategy(t, s, c, &o->stops[i], j - i, o->et) < 0)
			return -1;
		i = j;
	}
	return 1;
}

/* A frame of cl dropped: counted in its session, if any. */
static int
client_dropped(struct track *t, struct tclient *cl)
{
	if (cl->s == NULL)
		return 0;
	cl->s->dropped++;
	return track_emit(t, CH_SESSION_UPDATE, cl->s, NULL);
}

/*
 * Applies an observation of one client. *out is the session the frame
 * belongs to (NULL when dropped). Returns why it was dropped, or DROP_NONE.
 * The changes are in t->ch until the next track_changes_reset().
 * DROP_NOMEM is no drop but an error: memory ran out part way, t is no
 * longer what the database holds, and the caller rolls back and reloads.
 */
enum drop
track_frame(struct track *t, const struct track_in *in, const struct obs *o, struct tsession **out)
{
	struct tclient	*cl;
	struct tsession	*s;
	double		 tcap;
	char		 key[sizeof(cl->last_key)];
	int		 state_changed = 0;
	size_t		 ch0 = t->nch;

	*out = NULL;
	t->c.frames++;
	for (int i = 0; i < DRIFT__MAX; i++)
		t->c.drift[i] += o->drift[i];
	if ((cl = track_client(t, in->client, 1)) == NULL)
		return DROP_NOMEM;
	/*
	 * Server time of the capture: the client clock plus its offset,
	 * measured on the upload that carried the frame (received − sent), so
	 * spooled, late and replayed frames keep their capture time. Without
	 * a send time, the smallest received − captured seen estimates it.
	 */
	if (in->sent_at > 0) {
		cl->offset = in->received_at - in->sent_at;
		cl->offset_known = 2;
	} else if (cl->offset_known < 2 &&
	    (!cl->offset_known || in->received_at - in->captured_at < cl->offset)) {
		cl->offset = in->received_at - in->captured_at;
		cl->offset_known = 1;
	}
	tcap = in->captured_at + cl->offset;
	if (!o->has_session) {
		enum drop d = o->loading ? DROP_LOADING : DROP_NO_SESSION;
		if (d == DROP_LOADING && client_dropped(t, cl) < 0)
			return DROP_NOMEM;
		if (d == DROP_NO_SESSION && cl->s != NULL) {
			if (!cl->left)
				cl->s->nclients = cl->s->nclients > 0 ? cl->s->nclients - 1 : 0;
			cl->left = 0;
			cl->s->dirty = 1;
			if (track_emit(t, CH_SESSION_UPDATE, cl->s, NULL) < 0)
				return DROP_NOMEM;
			cl->s = NULL;
		}
		t->c.dropped[d]++;
		return d;
	}
	if (o->replay || o->loading || o->et < 0) {
		enum drop d = o->replay ? DROP_REPLAY : DROP_LOADING;
		if (client_dropped(t, cl) < 0)
			return DROP_NOMEM;
		t->c.dropped[d]++;
		return d;
	}
	obs_key(in, o, key, sizeof(key));
	/* Loading: ET jumping far more than wall-clock time within one view. */
	if (strcmp(key, cl->last_key) == 0 && cl->last_tcap > 0 && tcap > cl->last_tcap &&
	    o->et > cl->last_et + (tcap - cl->last_tcap) + 3 * TRACK_ET_TOLERANCE &&
	    cl->s != NULL && session_matches(cl->s, in, o) &&
	    !session_continues(cl->s, o->et, tcap)) {
		if (client_dropped(t, cl) < 0)
			return DROP_NOMEM;
		t->c.dropped[DROP_LOADING]++;
		return DROP_LOADING;
	}
	if (t->single && t->nsess > 0)
		s = t->sess[0];		/* the one session of a re-derivation */
	else if ((s = session_find(t, in, o, tcap, cl)) == NULL) {
		if (obs_stale(o)) {
			if (client_dropped(t, cl) < 0)
				return DROP_NOMEM;
			t->c.dropped[DROP_STALE]++;
			return DROP_STALE;
		}
		/* the end of a session already closed begins none */
		if (o->closed) {
			t->c.dropped[DROP_STALE]++;
			return DROP_STALE;
		}
		if ((s = session_new(t, in, o, tcap, cl)) == NULL)
			return DROP_NOMEM;
	}
	if (cl->s != s || cl->left) {
		if (cl->s != NULL && !cl->s->gone && !cl->left) {
			cl->s->nclients = cl->s->nclients > 0 ? cl->s->nclients - 1 : 0;
			if (track_emit(t, CH_SESSION_UPDATE, cl->s, NULL) < 0)
				return DROP_NOMEM;
		}
		s->nclients++;
		cl->s = s;
		cl->left = 0;
	}
	cl->last_tcap = tcap;
	cl->last_et = o->et;
	cl->last_phase = o->phase;
	scopy(cl->last_key, sizeof(cl->last_key), key);
	s->frames++;
	/* Liveness goes by arrival: frames captured long ago keep a session live as they come. */
	if (in->received_at > s->last_frame)
		s->last_frame = in->received_at;
	s->last_update = tcap > s->last_update ? tcap : s->last_update;
	if (s->state != LIVE_LIVE) {
		s->state = LIVE_LIVE;
		state_changed = 1;
	}
	if (session_header(t, s, o, tcap) < 0)
		return DROP_NOMEM;
	for (size_t i = 0; i < o->ncars; i++) {
		int touched = 0;
		if (car_observe(t, s, o, &o->cars[i], tcap, in->client, &touched) < 0)
			return DROP_NOMEM;
		if (touched) {
			struct tcar *c = s->by_slot[o->cars[i].slot];
			c->info_dirty = 1;
		}
	}
	if (session_entries(t, s, o) < 0)
		return DROP_NOMEM;
	if (o->has_usage) {
		int touched = 0;
		if (session_usage(t, s, o, &touched) < 0)
			return DROP_NOMEM;
	}
	if (o->has_strategy && session_strategy(t, s, o) < 0)
		return DROP_NOMEM;
	if (o->has_history && laps_history(t, s, o) < 0)
		return DROP_NOMEM;
	if (o->has_chat && session_chat(t, s, o) < 0)
		return DROP_NOMEM;
	if (o->has_trackmap && !s->has_trackmap && o->npoints > 0) {
		struct change *ch = track_emit_ch(t, CH_TRACKMAP, s, NULL);
		if (ch == NULL)
			return DROP_NOMEM;
		ch->points = o->points;
		ch->npoints = o->npoints;
		s->has_trackmap = 1;
	}
	if (o->ncars > 0 && order_session(t, s) < 0)
		return DROP_NOMEM;
	if (racelog_frame(t, s, ch0, tcap) < 0)
		return DROP_NOMEM;
	for (size_t i = 0; i < o->ncars; i++) {
		struct tcar *c = (size_t)o->cars[i].slot < s->nslots ? s->by_slot[o->cars[i].slot] : NULL;
		if (c != NULL && c->info_dirty) {
			c->info_dirty = 0;
			if (track_emit(t, CH_CAR_STATE, s, c) < 0)
				return DROP_NOMEM;
		}
	}
	/*
	 * The game ended the session: it is over, and closes once its clients
	 * saw the end (track_tick). The client stays linked to it for the
	 * transition to its next session.
	 */
	if (o->closed) {
		s->finished = 1;
		scopy(s->results_file, sizeof(s->results_file), o->results_file);
		s->more_dirty = 1;
		s->nclients = s->nclients > 0 ? s->nclients - 1 : 0;
		cl->left = 1;
	}
	{
		struct change *ch = track_emit_ch(t, CH_SESSION_CLIENT, s, NULL);
		if (ch == NULL)
			return DROP_NOMEM;
		ch->client = in->client;
		ch->n = state_changed;
		if (track_emit(t, CH_SESSION_UPDATE, s, NULL) < 0)
			return DROP_NOMEM;
	}
	t->c.applied++;
	*out = s;
	return DROP_NONE;
}

/*
 * Liveness, once a second: live while any client sends; inactive after
 * TRACK_INACTIVE_AFTER without frames; closed at the chequered flag once
 * its clients left, or after TRACK_CLOSE_AFTER inactive, unless an online
 * session's remaining time has not run out.
 */
void
track_tick(struct track *t, double now)
{
	for (size_t i = 0; i < t->nsess; i++) {
		struct tsession	*s = t->sess[i];
		double		 idle = now - s->last_frame;
		enum liveness	 st = s->state;

		if (s->gone || s->state == LIVE_CLOSED)
			continue;
		if (s->finished && s->nclients == 0)
			st = LIVE_CLOSED;
		else if (idle >= TRACK_INACTIVE_AFTER + TRACK_CLOSE_AFTER) {
			int time_left = s->online && !s->finished && s->end_et > 0 &&
			    s->et + idle < s->end_et;
			st = time_left ? LIVE_INACTIVE : LIVE_CLOSED;
		} else if (idle >= TRACK_INACTIVE_AFTER)
			st = LIVE_INACTIVE;
		if (st != s->state) {
			s->state = st;
			track_emit(t, CH_SESSION_UPDATE, s, NULL);
		}
	}
}

/* Releases the arrays of ob. */
void
obs_free(struct obs *ob)
{
	if (ob == NULL)
		return;
	free(ob->cars);
	free(ob->entries);
	free(ob->members);
	free(ob->chat);
	free(ob->stops);
	free(ob->usage);
	free(ob->hist);
	free(ob->points);
	memset(ob, 0, sizeof(*ob));
}
