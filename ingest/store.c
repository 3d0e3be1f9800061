/*
 * Storage around the tracker: ingest_open() resumes the open sessions from
 * the database, ingest_frame() parses a frame, lets the tracker derive the
 * changes and writes them, ingest_tick() runs liveness. Writes are
 * O(what changed): new laps, pits and chat lines are inserted, each car's
 * current-state row is updated in place; a session's history is never
 * re-read or rewritten per frame.
 *
 * The live events get every change through the on_change hook
 * (ingest_hook()), after it has been written, inside the same transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ingest.h"
#include "db.h"
#include "source.h"
#include "track.h"
#include "notify.h"

/* What a client's source keeps between its frames (source.h). */
struct src_client {
	char		 id[72];
	enum source	 src;
	void		*state;
};

struct ingest {
	struct stmts	*st;
	struct track	 t;
	struct obs	 o;
	struct src_client *sc;		/* one per client met since the start */
	size_t		 nsc, sc_cap;
	struct buf	 state;		/* a state as saved */
	void		(*on_change)(void *, const struct change *);
	void		*arg;
	long long	 dropped[DROP__MAX];	/* not yet added to ingest_counters */
	long long	 drift[DRIFT__MAX];
	double		 now;
	int		 fresh;		/* reprocess: no client carries over from or to the live tracker */
};

static void
bind_opt(sqlite3_stmt *s, int i, double v)
{
	if (v >= 0)
		sqlite3_bind_double(s, i, v);
}

static void
bind_str(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL && v[0] != '\0')
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* Runs a statement that writes and leaves it reset. Returns 1 or -1. */
static int
step_done(sqlite3_stmt *s)
{
	int rc = db_step(s);

	if (rc == SQLITE_ROW)
		sqlite3_reset(s);
	else if (rc != SQLITE_DONE) {
		log_err("store: %s", sqlite3_errmsg(sqlite3_db_handle(s)));
		return -1;
	}
	return 1;
}

static int
store_session_new(struct ingest *ig, const struct tsession *s)
{
	sqlite3_stmt *st = stmt(ig->st, STMT_SESSION_INS);

	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->sim, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->track, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, s->type, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, s->online);
	bind_str(st, 6, s->server);
	sqlite3_bind_int(st, 7, s->port);
	bind_str(st, 8, s->owner);
	sqlite3_bind_double(st, 9, s->started_at);
	bind_str(st, 10, s->prev_id);
	return step_done(st);
}

/* What a session holds besides its header (sql/008-ac.sql). Returns 1 or -1. */
static int
store_session_more(struct ingest *ig, const struct tsession *s)
{
	sqlite3_stmt *st = stmt(ig->st, STMT_SESSION_AC);

	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, s->et_zero);
	bind_str(st, 3, s->results_file);
	return step_done(st);
}

/* A car's key and its slot now (a keyed car changes slots). Returns 1 or -1. */
static int
store_car_key(struct ingest *ig, const struct tcar *c)
{
	sqlite3_stmt *st;

	if (c->key[0] == '\0')
		return 1;
	st = stmt(ig->st, STMT_CAR_KEY);
	sqlite3_bind_int64(st, 1, c->store_id);
	sqlite3_bind_text(st, 2, c->key, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, c->slot);
	return step_done(st);
}

static int
store_session_update(struct ingest *ig, const struct tsession *s)
{
	sqlite3_stmt *st = stmt(ig->st, STMT_SESSION_UPD);

	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, s->last_update);
	bind_opt(st, 3, s->et);
	if (s->phase >= 0)
		sqlite3_bind_int(st, 4, s->phase);
	bind_opt(st, 5, s->remaining);
	bind_opt(st, 6, s->max_time);
	if (s->max_laps >= 0)
		sqlite3_bind_int64(st, 7, s->max_laps);
	bind_opt(st, 8, s->track_len);
	sqlite3_bind_text(st, 9, liveness_names[s->state], -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, s->finished);
	if (s->air > -300)
		sqlite3_bind_double(st, 11, s->air);
	if (s->track_temp > -300)
		sqlite3_bind_double(st, 12, s->track_temp);
	bind_opt(st, 13, s->rain);
	bind_opt(st, 14, s->wetness);
	bind_str(st, 15, s->sector_flags);
	sqlite3_bind_int64(st, 16, (long long)s->ncars);
	sqlite3_bind_int(st, 17, s->nlaps);
	sqlite3_bind_int(st, 18, s->nclients);
	sqlite3_bind_int64(st, 19, s->frames);
	sqlite3_bind_int64(st, 20, s->dropped);
	bind_opt(st, 21, s->end_et);
	bind_opt(st, 22, s->et_at);
	for (int k = 0; k < 2; k++) {
		sqlite3_bind_int(st, 23 + 2 * k, s->bound_n[k]);
		sqlite3_bind_double(st, 24 + 2 * k, s->bound_sum[k]);
	}
	return step_done(st);
}

static int
store_link(struct ingest *ig, const char *id, enum stmt which, const char *other)
{
	sqlite3_stmt *st = stmt(ig->st, which);

	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	bind_str(st, 2, other);
	return step_done(st);
}

static int
store_car_new(struct ingest *ig, const struct tsession *s, struct tcar *c)
{
	sqlite3_stmt *st = stmt(ig->st, STMT_CAR_INS);

	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, c->slot);
	sqlite3_bind_text(st, 3, c->veh, -1, SQLITE_STATIC);
	bind_str(st, 4, c->vehicle_name);
	bind_str(st, 5, c->number);
	bind_str(st, 6, c->team);
	bind_str(st, 7, c->cls);
	if (step_done(st) < 0)
		return -1;
	c->store_id = sqlite3_last_insert_rowid(ig->st->db);
	st = stmt(ig->st, STMT_STATE_INS);
	sqlite3_bind_int64(st, 1, c->store_id);
	sqlite3_bind_text(st, 2, s->id, -1, SQLITE_STATIC);
	return step_done(st);
}

static int
store_car_info(struct ingest *ig, const struct tcar *c)
{
	sqlite3_stmt *st = stmt(ig->st, STMT_CAR_UPD);

	sqlite3_bind_int64(st, 1, c->store_id);
	bind_str(st, 2, c->number);
	bind_str(st, 3, c->team);
	bind_str(st, 4, c->cls);
	bind_str(st, 5, c->vehicle_name);
	return step_done(st);
}

static int
store_car_state(struct ingest *ig, const struct tcar *c)
{
	sqlite3_stmt	*st = stmt(ig->st, STMT_STATE_UPD);
	const struct tstint *sn = c->nstints ? &c->stints[c->nstints - 1] : NULL;
	char		 wear[64] = "";
	int		 stops = c->nlane;

	sqlite3_bind_int64(st, 1, c->store_id);
	if (c->et > -1e8)
		sqlite3_bind_double(st, 2, c->et);
	bind_str(st, 3, c->driver);
	if (c->position > 0)
		sqlite3_bind_int(st, 4, c->position);
	if (c->class_position > 0)
		sqlite3_bind_int(st, 5, c->class_position);
	sqlite3_bind_int(st, 6, c->laps);
	bind_opt(st, 7, c->gap);
	sqlite3_bind_int(st, 8, c->gap_laps);
	bind_opt(st, 9, c->interval);
	sqlite3_bind_int(st, 10, c->interval_laps);
	bind_opt(st, 11, c->best);
	bind_opt(st, 12, c->last);
	bind_opt(st, 13, c->s1);
	bind_opt(st, 14, c->s2);
	bind_opt(st, 15, c->s3);
	sqlite3_bind_int(st, 16, c->pitstops > stops ? c->pitstops : stops);
	if (sn != NULL)
		sqlite3_bind_int(st, 17, sn->last_lap - sn->first_lap + 1);
	bind_str(st, 18, c->status);
	sqlite3_bind_text(st, 19, pit_state_names[c->pit_state], -1, SQLITE_STATIC);
	bind_str(st, 20, c->tyres);
	bind_opt(st, 21, c->fuel);
	bind_opt(st, 22, c->ve);
	sqlite3_bind_text(st, 23, finish_names[c->finish], -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 24, c->lap_dist);
	sqlite3_bind_double(st, 25, c->x);
	sqlite3_bind_double(st, 26, c->z);
	sqlite3_bind_int(st, 27, c->present);
	sqlite3_bind_double(st, 28, c->updated_at);
	sqlite3_bind_int(st, 29, c->penalties);
	sqlite3_bind_int(st, 30, c->in_garage);
	sqlite3_bind_int(st, 31, c->player);
	sqlite3_bind_int(st, 32, c->sector);
	bind_opt(st, 33, c->lap_start_et);
	if (c->wear[0] >= 0) {
		snprintf(wear, sizeof(wear), "%.1f,%.1f,%.1f,%.1f", c->wear[0], c->wear[1],
		    c->wear[2], c->wear[3]);
		sqlite3_bind_text(st, 34, wear, -1, SQLITE_TRANSIENT);
	}
	bind_opt(st, 35, c->swap_et);
	bind_str(st, 36, c->swap_from);
	bind_opt(st, 37, c->sm.pending_exit);
	bind_opt(st, 38, c->class_gap);
	sqlite3_bind_int(st, 39, c->class_gap_laps);
	return step_done(st);
}

static int
store_lap(struct ingest *ig, const struct tsession *s, const struct tcar *c, const struct tlap *l)
{
	sqlite3_stmt *st = stmt(ig->st, STMT_LAP_UPS);

	sqlite3_bind_int64(st, 1, c->store_id);
	sqlite3_bind_int(st, 2, l->lap);
	bind_opt(st, 3, l->time);
	bind_opt(st, 4, l->s1);
	bind_opt(st, 5, l->s2);
	bind_opt(st, 6, l->s3);
	bind_str(st, 7, l->driver);
	sqlite3_bind_int(st, 8, l->valid);
	sqlite3_bind_int(st, 9, l->pit);
	if (l->position > 0)
		sqlite3_bind_int(st, 10, l->position);
	bind_opt(st, 11, l->fuel);
	bind_opt(st, 12, l->ve);
	bind_str(st, 13, l->tyres);
	bind_opt(st, 14, l->start_et);
	bind_opt(st, 15, l->seen_at);
	sqlite3_bind_text(st, 16, lap_source_names[l->source], -1, SQLITE_STATIC);
	for (int k = 0; k < 3; k++)
		bind_str(st, 17 + k, l->s_driver[k]);
	if (step_done(st) < 0)
		return -1;
	return 1;
}

/* A lap's cuts, collisions and whether its sectors were derived (sql/008-ac.sql). Returns 1 or -1. */
static int
store_lap_more(struct ingest *ig, const struct tcar *c, const struct tlap *l)
{
	sqlite3_stmt *st;

	if (l->cuts < 0 && l->collisions < 0 && !l->sectors_derived)
		return 1;
	st = stmt(ig->st, STMT_LAP_AC);
	sqlite3_bind_int64(st, 1, c->store_id);
	sqlite3_bind_int(st, 2, l->lap);
	if (l->cuts >= 0)
		sqlite3_bind_int(st, 3, l->cuts);
	if (l->collisions >= 0)
		sqlite3_bind_int(st, 4, l->collisions);
	sqlite3_bind_int(st, 5, l->sectors_derived);
	return step_done(st);
}

static void
pit_bind(sqlite3_stmt *st, const struct tpit *p)
{
	bind_opt(st, 3, p->pit_time);
	bind_opt(st, 4, p->stop_time);
	bind_opt(st, 5, p->release_time);
	bind_opt(st, 6, p->exit_time);
	bind_opt(st, 7, p->garage_in);
	bind_opt(st, 8, p->garage_out);
	sqlite3_bind_int(st, 9, p->swap_time >= 0 || p->driver_out[0]);
	bind_str(st, 10, p->driver_in);
	bind_str(st, 11, p->driver_out);
	bind_str(st, 12, p->tyres);
	bind_opt(st, 13, p->fuel);
	bind_opt(st, 14, p->ve);
	bind_opt(st, 15, p->duration);
	sqlite3_bind_int(st, 16, p->penalty);
	sqlite3_bind_int(st, 17, p->synthesised);
	sqlite3_bind_int(st, 18, p->garage);
	sqlite3_bind_int(st, 19, p->open);
	sqlite3_bind_int(st, 20, p->confirmed);
	bind_opt(st, 21, p->swap_time);
	if (p->swap_time >= 0)
		sqlite3_bind_int(st, 22, p->swap_sector);
	if (p->stop_time >= 0)
		sqlite3_bind_int(st, 23, p->stop_sector);
	sqlite3_bind_int(st, 24, p->tyres_changed);
	if (p->confirmed)
		sqlite3_bind_int(st, 25, p->strategy_lap);
}

static int
store_pit(struct ingest *ig, const struct tcar *c, struct tpit *p)
{
	sqlite3_stmt *st;

	if (p->store_id == 0) {
		st = stmt(ig->st, STMT_PIT_INS);
		sqlite3_bind_int64(st, 1, c->store_id);
	} else {
		st = stmt(ig->st, STMT_PIT_UPD);
		sqlite3_bind_int64(st, 1, p->store_id);
	}
	sqlite3_bind_int(st, 2, p->lap);
	pit_bind(st, p);
	if (step_done(st) < 0)
		return -1;
	if (p->store_id == 0)
		p->store_id = sqlite3_last_insert_rowid(ig->st->db);
	/* A lane visit marks its lap when that lap is already recorded. */
	if (!p->garage && p->lap >= 1 && p->lap <= c->max_lap && c->laps_v[p->lap - 1].known) {
		st = stmt(ig->st, STMT_LAP_PIT);
		sqlite3_bind_int64(st, 1, c->store_id);
		sqlite3_bind_int(st, 2, p->lap);
		c->laps_v[p->lap - 1].pit = 1;
		if (step_done(st) < 0)
			return -1;
	}
	return 1;
}

static int
store_stint(struct ingest *ig, const struct tcar *c, struct tstint *sn)
{
	sqlite3_stmt *st;

	if (sn->store_id == 0) {
		st = stmt(ig->st, STMT_STINT_INS);
		sqlite3_bind_int64(st, 1, c->store_id);
		sqlite3_bind_int(st, 2, sn->first_lap);
		sqlite3_bind_int(st, 3, sn->last_lap);
		bind_str(st, 4, sn->driver);
		bind_str(st, 5, sn->compound);
		sqlite3_bind_int(st, 6, sn->tyre_laps);
	} else {
		st = stmt(ig->st, STMT_STINT_UPD);
		sqlite3_bind_int64(st, 1, sn->store_id);
		sqlite3_bind_int(st, 2, sn->last_lap);
		bind_str(st, 3, sn->driver);
		bind_str(st, 4, sn->compound);
		sqlite3_bind_int(st, 5, sn->tyre_laps);
	}
	if (step_done(st) < 0)
		return -1;
	if (sn->store_id == 0)
		sn->store_id = sqlite3_last_insert_rowid(ig->st->db);
	return 1;
}

static int
store_best(struct ingest *ig, const struct change *ch)
{
	sqlite3_stmt *st = stmt(ig->st, STMT_BEST_UPS);

	sqlite3_bind_text(st, 1, ch->s->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, best_scope_names[ch->scope], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, best_kind_names[ch->kind], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ch->car->cls, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, ch->scope == BEST_CLASS ? 0 : ch->car->store_id);
	sqlite3_bind_text(st, 6, ch->scope == BEST_DRIVER ? ch->best.driver : "", -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 7, ch->best.time);
	sqlite3_bind_int(st, 8, ch->best.lap);
	sqlite3_bind_int64(st, 9, ch->best.car ? ch->best.car->store_id : 0);
	bind_str(st, 10, ch->best.driver);
	return step_done(st);
}

static int
store_entry(struct ingest *ig, const struct tsession *s, const struct tentry *e)
{
	sqlite3_stmt	*st = stmt(ig->st, STMT_ENTRY_UPS);
	const char	*p;

	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, e->id);
	bind_str(st, 3, e->team_id);
	bind_str(st, 4, e->number);
	bind_str(st, 5, e->name);
	bind_str(st, 6, e->veh);
	if (e->car != NULL)
		sqlite3_bind_int64(st, 7, e->car->store_id);
	if (step_done(st) < 0)
		return -1;
	st = stmt(ig->st, STMT_MEMBER_DEL);
	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, e->id);
	if (step_done(st) < 0)
		return -1;
	/* members: "name\tbadge\tnationality\troles\n" lines */
	for (p = e->members; p != NULL && *p;) {
		const char *f[4], *end = strchr(p, '\n');
		int len[4], k = 0;
		if (end == NULL)
			break;
		for (const char *q = p; k < 4 && q <= end;) {
			const char *tab = memchr(q, '\t', (size_t)(end - q));
			const char *stop = tab ? tab : end;
			f[k] = q;
			len[k++] = (int)(stop - q);
			q = stop + 1;
		}
		if (k == 4) {
			st = stmt(ig->st, STMT_MEMBER_INS);
			sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 2, e->id);
			sqlite3_bind_text(st, 3, f[0], len[0], SQLITE_STATIC);
			for (int i = 1; i < 4; i++)
				if (len[i] > 0)
					sqlite3_bind_text(st, 3 + i, f[i], len[i], SQLITE_STATIC);
			if (step_done(st) < 0)
				return -1;
		}
		p = end + 1;
	}
	return 1;
}

static int
store_trackmap(struct ingest *ig, const struct change *ch)
{
	struct buf	 b = { 0 };
	sqlite3_stmt	*st;
	int		 rc;

	buf_putc(&b, '[');
	for (size_t i = 0; i < ch->npoints; i++)
		buf_printf(&b, "%s[%.2f,%.2f,%d]", i ? "," : "", ch->points[i].x, ch->points[i].z,
		    ch->points[i].type);
	buf_putc(&b, ']');
	st = stmt(ig->st, STMT_TRACKMAP_UPS);
	sqlite3_bind_text(st, 1, ch->s->track, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b.p, (int)b.len, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, ig->now);
	rc = step_done(st);
	buf_free(&b);
	return rc;
}

/* A race control event, once (racelog.c). Returns 1 or -1. */
static int
store_log(struct ingest *ig, const struct change *ch)
{
	sqlite3_stmt		*st = stmt(ig->st, STMT_LOG_INS);
	const struct tlog	*l = &ch->log;
	const struct tcar	*c = ch->car;

	sqlite3_bind_text(st, 1, ch->s->id, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, l->et);
	sqlite3_bind_double(st, 3, l->at);
	sqlite3_bind_text(st, 4, l->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, c != NULL ? c->store_id : 0);
	if (c != NULL) {
		bind_str(st, 6, c->cls);
		bind_str(st, 7, c->number);
	}
	if (l->lap >= 0)
		sqlite3_bind_int(st, 8, l->lap);
	bind_str(st, 9, l->driver);
	sqlite3_bind_text(st, 10, l->text, -1, SQLITE_STATIC);
	bind_str(st, 11, l->data);
	sqlite3_bind_text(st, 12, l->ref, -1, SQLITE_STATIC);
	if (step_done(st) < 0)
		return -1;
	/* a new event (not one derived again) goes to the webhooks that follow it */
	if (sqlite3_changes(sqlite3_db_handle(st)) == 1)
		return notify_log(ig, ch, sqlite3_last_insert_rowid(sqlite3_db_handle(st)));
	return 1;
}

/* Writes one change. Returns 1 or -1. */
static int
store_change(struct ingest *ig, const struct change *ch)
{
	sqlite3_stmt	*st;
	struct tsession	*s = ch->s;
	struct tcar	*c = ch->car;

	switch (ch->type) {
	case CH_SESSION_NEW:
		if (store_session_new(ig, s) < 0)
			return -1;
		return store_session_more(ig, s);
	case CH_SESSION_UPDATE:
		if (s->more_dirty && store_session_more(ig, s) < 0)
			return -1;
		s->more_dirty = 0;
		return store_session_update(ig, s);
	case CH_SESSION_LINK:
		if (store_link(ig, s->id, STMT_SESSION_NEXT, s->next_id) < 0)
			return -1;
		return store_link(ig, ch->s2->id, STMT_SESSION_PREV, ch->s2->prev_id);
	case CH_SESSION_DROP:
		/* Its frames belong to its successor now; then it goes. */
		if (s->next_id[0] == '\0') {
			for (size_t i = 0; i < ig->t.nch; i++)
				if (ig->t.ch[i].type == CH_SESSION_NEW && ig->t.ch[i].s != s) {
					store_link(ig, s->id, STMT_RAW_MOVE, ig->t.ch[i].s->id);
					break;
				}
		} else if (store_link(ig, s->id, STMT_RAW_MOVE, s->next_id) < 0)
			return -1;
		return store_link(ig, s->id, STMT_SESSION_DEL, NULL);
	case CH_SESSION_CLIENT:
		st = stmt(ig->st, STMT_SCLIENT_UPS);
		sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, ch->client, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 3, s->last_update);
		return step_done(st);
	case CH_CAR_NEW:
		if (store_car_new(ig, s, c) < 0)
			return -1;
		return store_car_key(ig, c);
	case CH_CAR_INFO:
		if (store_car_info(ig, c) < 0)
			return -1;
		return store_car_key(ig, c);
	case CH_CAR_STATE:
		return store_car_state(ig, c);
	case CH_LAP:
	case CH_LAP_FILL:
		if (store_lap(ig, s, c, &c->laps_v[ch->n - 1]) < 0 ||
		    store_lap_more(ig, c, &c->laps_v[ch->n - 1]) < 0)
			return -1;
		return ch->type == CH_LAP ? notify_lap(ig, ch) : 1;
	case CH_PIT:
	case CH_PIT_UPDATE:
		return store_pit(ig, c, &c->pits[ch->n]);
	case CH_STINT:
		return store_stint(ig, c, &c->stints[ch->n]);
	case CH_BEST:
		return store_best(ig, ch);
	case CH_CHAT:
		st = stmt(ig->st, STMT_CHAT_INS);
		sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ch->chat_ts);
		sqlite3_bind_text(st, 3, ch->chat_text, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 4, s->last_update);
		return step_done(st);
	case CH_CONDITIONS:
		st = stmt(ig->st, STMT_COND_INS);
		sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 2, s->et);
		sqlite3_bind_double(st, 3, s->et_at);
		if (s->air > -300)
			sqlite3_bind_double(st, 4, s->air);
		if (s->track_temp > -300)
			sqlite3_bind_double(st, 5, s->track_temp);
		bind_opt(st, 6, s->rain);
		bind_opt(st, 7, s->wetness);
		if (s->phase >= 0)
			sqlite3_bind_int(st, 8, s->phase);
		return step_done(st);
	case CH_ENTRY:
		return store_entry(ig, s, &s->entries[ch->n]);
	case CH_TRACKMAP:
		st = stmt(ig->st, STMT_R_TRACKMAP);
		sqlite3_bind_text(st, 1, s->track, -1, SQLITE_STATIC);
		if (db_step(st) == SQLITE_ROW) {
			sqlite3_reset(st);
			return 1;	/* one outline per track layout */
		}
		return store_trackmap(ig, ch);
	case CH_LOG:
		return store_log(ig, ch);
	case CH_SECTOR_BOUND:
		st = stmt(ig->st, STMT_BOUND_UPS);
		sqlite3_bind_text(st, 1, s->track, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, ch->n + 1);
		sqlite3_bind_double(st, 3, s->sector_bound[ch->n]);
		sqlite3_bind_double(st, 4, ig->now);
		return step_done(st);
	default:
		return 1;
	}
}

/*
 * Writes what the tracker and the client's source know of client cl after
 * its frame. Returns 1 or -1.
 */
static int
store_client(struct ingest *ig, const struct tclient *cl, const struct src_client *sc)
{
	sqlite3_stmt			*st = stmt(ig->st, STMT_CLIENT_PUT);
	const struct source_ops		*so = &sources[sc->src];

	buf_reset(&ig->state);
	if (buf_printf(&ig->state, "{\"source\":\"%s\",\"state\":", so->name) < 0 ||
	    so->state_save(sc->state, &ig->state) < 0 || buf_putc(&ig->state, '}') < 0)
		return -1;

	sqlite3_bind_text(st, 1, cl->id, -1, SQLITE_STATIC);
	if (cl->offset_known)
		sqlite3_bind_double(st, 2, cl->offset);
	if (cl->s != NULL)
		sqlite3_bind_text(st, 3, cl->s->id, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 4, cl->last_et);
	sqlite3_bind_double(st, 5, cl->last_tcap);
	sqlite3_bind_int(st, 6, cl->last_phase);
	sqlite3_bind_text(st, 7, cl->last_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, ig->state.p, (int)ig->state.len, SQLITE_STATIC);
	return step_done(st);
}

/* Writes the tracker's pending changes, calls the hook, resets the list. Returns 1 or -1. */
static int
store_flush(struct ingest *ig)
{
	int rc = 1;

	for (size_t i = 0; i < ig->t.nch; i++) {
		const struct change *ch = &ig->t.ch[i];
		/* Changes of a session dropped in the same frame need no writing. */
		if (ch->s != NULL && ch->s->gone && ch->type != CH_SESSION_DROP)
			continue;
		if (store_change(ig, ch) < 0) {
			rc = -1;
			break;
		}
		if (ig->on_change != NULL)
			ig->on_change(ig->arg, ch);
	}
	track_changes_reset(&ig->t);
	return rc;
}

static enum pit_state
pit_state_parse(const char *s)
{
	for (int i = 0; i < PIT__MAX; i++)
		if (strcmp(s, pit_state_names[i]) == 0)
			return (enum pit_state)i;
	return PIT_NONE;
}

#define COL_TEXT(st, i) ((const char *)sqlite3_column_text((st), (i)))

/* Reads a client's row (STMT_R_CLIENT, STMT_R_CLIENTS) into cl. */
static void
resume_client(struct tclient *cl, sqlite3_stmt *q)
{
	if (sqlite3_column_type(q, 2) != SQLITE_NULL) {
		cl->offset = sqlite3_column_double(q, 2);
		cl->offset_known = 1;
	}
	if (sqlite3_column_type(q, 4) == SQLITE_NULL)
		return;		/* no frame since this table came: as track_attach() derived it */
	cl->last_et = sqlite3_column_double(q, 3);
	cl->last_tcap = sqlite3_column_double(q, 4);
	cl->last_phase = sqlite3_column_int(q, 5);
	snprintf(cl->last_key, sizeof(cl->last_key), "%s", COL_TEXT(q, 6));
}

/*
 * Restores the source state a client's row holds (column 7 of
 * STMT_R_CLIENT), when it is the state of source src. An unreadable one
 * leaves the state new. Returns 1 or -1.
 */
static int
resume_source(struct src_client *sc, sqlite3_stmt *q)
{
	const struct source_ops	*so = &sources[sc->src];
	cJSON			*o, *st;
	const cJSON		*name;
	char			*txt;
	int			 rc = 1;

	if (sqlite3_column_type(q, 7) == SQLITE_NULL)
		return 1;
	if ((o = cJSON_Parse(COL_TEXT(q, 7))) == NULL)
		return 1;
	name = cJSON_GetObjectItemCaseSensitive(o, "source");
	st = cJSON_GetObjectItemCaseSensitive(o, "state");
	if (cJSON_IsString(name) && strcmp(name->valuestring, so->name) == 0 && st != NULL) {
		if ((txt = cJSON_PrintUnformatted(st)) == NULL)
			rc = -1;
		else if (so->state_load(sc->state, txt) < 0)
			rc = -1;
		cJSON_free(txt);
	}
	cJSON_Delete(o);
	return rc;
}

/* The car of s whose row is id, or NULL. */
static struct tcar *
resume_car(struct tsession *s, long long id)
{
	for (size_t i = 0; i < s->ncars; i++)
		if (s->cars[i]->store_id == id)
			return s->cars[i];
	return NULL;
}

/*
 * The bests of s as they were written (each improvement is stored), over
 * what its laps gave: on equal times the first lap seen keeps the best.
 * Returns 1 or -1.
 */
static int
resume_bests(struct ingest *ig, struct tsession *s)
{
	sqlite3_stmt	*q = stmt(ig->st, STMT_R_BESTS);
	int		 rc;

	sqlite3_bind_text(q, 1, s->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char		*scope = COL_TEXT(q, 0), *kind = COL_TEXT(q, 1);
		struct tcar		*c = resume_car(s, sqlite3_column_int64(q, 3));
		struct tclass_best	*cb;
		struct tdriver		*d;
		struct tbest		*b = NULL;
		int			 k;

		for (k = 0; k < BK__MAX && strcmp(kind, best_kind_names[k]) != 0; k++)
			;
		if (k == BK__MAX)
			continue;
		if (strcmp(scope, best_scope_names[BEST_CLASS]) == 0) {
			if ((cb = bests_class(s, COL_TEXT(q, 2), 1)) == NULL)
				return -1;
			b = &cb->best[k];
		} else if (c != NULL && strcmp(scope, best_scope_names[BEST_CAR]) == 0)
			b = &c->best_car[k];
		else if (c != NULL && strcmp(scope, best_scope_names[BEST_DRIVER]) == 0) {
			if ((d = bests_driver(c, COL_TEXT(q, 4), 1)) == NULL)
				return -1;
			b = &d->best[k];
		}
		if (b == NULL)
			continue;
		b->time = sqlite3_column_double(q, 5);
		b->lap = sqlite3_column_int(q, 6);
		b->car = resume_car(s, sqlite3_column_int64(q, 7));
		snprintf(b->driver, sizeof(b->driver), "%s", COL_TEXT(q, 8));
	}
	return rc == SQLITE_DONE ? 1 : -1;
}

/* The keys of the cars of s and what else the session holds (sql/008-ac.sql). Returns 1 or -1. */
static int
resume_more(struct ingest *ig, struct tsession *s)
{
	sqlite3_stmt	*st = stmt(ig->st, STMT_R_SESSION_AC);
	int		 rc;

	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s->et_zero = sqlite3_column_double(st, 0);
		s->et_zero_known = s->et > 0;
		snprintf(s->results_file, sizeof(s->results_file), "%s", COL_TEXT(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	st = stmt(ig->st, STMT_R_CAR_KEYS);
	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (size_t i = 0; i < s->ncars; i++)
			if (s->cars[i]->store_id == sqlite3_column_int64(st, 0))
				snprintf(s->cars[i]->key, sizeof(s->cars[i]->key), "%s",
				    COL_TEXT(st, 1));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 1 : -1;
}

/* Loads the cars of s with their laps, pits, stints and bests. Returns 1 or -1. */
static int
resume_cars(struct ingest *ig, struct tsession *s)
{
	sqlite3_stmt *st = stmt(ig->st, STMT_R_CARS), *q;
	int rc, fin;

	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tcar *c = track_car_add(&ig->t, s, sqlite3_column_int(st, 1), COL_TEXT(st, 2));
		if (c == NULL)
			return sqlite3_reset(st), -1;
		c->store_id = sqlite3_column_int64(st, 0);
		snprintf(c->vehicle_name, sizeof(c->vehicle_name), "%s", COL_TEXT(st, 3));
		snprintf(c->number, sizeof(c->number), "%s", COL_TEXT(st, 4));
		snprintf(c->team, sizeof(c->team), "%s", COL_TEXT(st, 5));
		snprintf(c->cls, sizeof(c->cls), "%s", COL_TEXT(st, 6));
		c->et = sqlite3_column_double(st, 7);
		snprintf(c->driver, sizeof(c->driver), "%s", COL_TEXT(st, 8));
		c->position = sqlite3_column_int(st, 9);
		c->laps = sqlite3_column_int(st, 10);
		c->pit_state = pit_state_parse(COL_TEXT(st, 11));
		c->in_garage = sqlite3_column_int(st, 12);
		c->fuel = sqlite3_column_double(st, 13);
		c->ve = sqlite3_column_double(st, 14);
		c->present = sqlite3_column_int(st, 15);
		c->best = sqlite3_column_double(st, 16);
		c->sector = sqlite3_column_int(st, 17);
		c->player = sqlite3_column_int(st, 18);
		c->class_position = sqlite3_column_int(st, 19);
		c->gap = sqlite3_column_double(st, 20);
		c->gap_laps = sqlite3_column_int(st, 21);
		c->interval = sqlite3_column_double(st, 22);
		c->interval_laps = sqlite3_column_int(st, 23);
		c->last = sqlite3_column_double(st, 24);
		c->s1 = sqlite3_column_double(st, 25);
		c->s2 = sqlite3_column_double(st, 26);
		c->s3 = sqlite3_column_double(st, 27);
		/* max(pitstops, lane visits) was written: the same when written again */
		c->pitstops = sqlite3_column_int(st, 28);
		snprintf(c->status, sizeof(c->status), "%s", COL_TEXT(st, 29));
		snprintf(c->tyres, sizeof(c->tyres), "%s", COL_TEXT(st, 30));
		fin = finish_find(COL_TEXT(st, 31));
		c->finish = fin < 0 ? FIN_NONE : (enum finish)fin;
		c->lap_dist = sqlite3_column_double(st, 32);
		c->x = sqlite3_column_double(st, 33);
		c->z = sqlite3_column_double(st, 34);
		c->updated_at = sqlite3_column_double(st, 35);
		c->penalties = sqlite3_column_int(st, 36);
		c->lap_start_et = sqlite3_column_double(st, 37);
		if (sscanf(COL_TEXT(st, 38), "%lf,%lf,%lf,%lf", &c->wear[0], &c->wear[1],
		    &c->wear[2], &c->wear[3]) != TYRE_N)
			for (int k = 0; k < TYRE_N; k++)
				c->wear[k] = -1;
		c->swap_et = sqlite3_column_double(st, 39);
		snprintf(c->swap_from, sizeof(c->swap_from), "%s", COL_TEXT(st, 40));
		/* The pit state machine stands where the car's last observation left it. */
		c->sm.seen = 1;
		c->sm.prev = c->pit_state;
		c->sm.prev_garage = c->in_garage;
		c->sm.prev_laps = c->laps;
		c->sm.pending_exit = sqlite3_column_double(st, 41);
		snprintf(c->sm.driver, sizeof(c->sm.driver), "%s", c->driver);
		/* the race log has said what the database holds */
		c->log_seen = 1;
		c->log_penalties = c->penalties;
		c->log_finish = c->finish;
	}
	if (rc != SQLITE_DONE)
		return -1;
	for (size_t i = 0; i < s->ncars; i++) {
		struct tcar *c = s->cars[i];
		q = stmt(ig->st, STMT_R_LAPS);
		sqlite3_bind_int64(q, 1, c->store_id);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			struct tlap *l = track_lap_slot(c, sqlite3_column_int(q, 0));
			const char *src = COL_TEXT(q, 13);
			if (l == NULL)
				return sqlite3_reset(q), -1;
			l->known = 1;
			l->time = sqlite3_column_double(q, 1);
			l->s1 = sqlite3_column_double(q, 2);
			l->s2 = sqlite3_column_double(q, 3);
			l->s3 = sqlite3_column_double(q, 4);
			snprintf(l->driver, sizeof(l->driver), "%s", COL_TEXT(q, 5));
			l->valid = sqlite3_column_int(q, 6);
			l->pit = sqlite3_column_int(q, 7);
			l->position = sqlite3_column_int(q, 8);
			l->fuel = sqlite3_column_double(q, 9);
			l->ve = sqlite3_column_double(q, 10);
			l->start_et = sqlite3_column_double(q, 11);
			l->seen_at = sqlite3_column_double(q, 12);
			l->source = strcmp(src, "missing") == 0 ? LSRC_MISSING :
			    strcmp(src, "history") == 0 ? LSRC_HISTORY : LSRC_LIVE;
			snprintf(l->tyres, sizeof(l->tyres), "%s", COL_TEXT(q, 14));
			l->cuts = sqlite3_column_int(q, 18);
			l->collisions = sqlite3_column_int(q, 19);
			l->sectors_derived = sqlite3_column_int(q, 20);
			for (int k = 0; k < 3; k++)
				if (sqlite3_column_type(q, 15 + k) != SQLITE_NULL &&
				    (l->s_driver[k] = track_car_name(c, COL_TEXT(q, 15 + k))) == NULL)
					return -1;
			if (l->lap > c->max_lap)
				c->max_lap = l->lap;
			s->any_laps = 1;
			/* The drivers of the car, with what their laps give as bests. */
			size_t mark = ig->t.nch;
			bests_lap(&ig->t, s, c, l);
			ig->t.nch = mark;
		}
		if (rc != SQLITE_DONE)
			return -1;
		q = stmt(ig->st, STMT_R_PITS);
		sqlite3_bind_int64(q, 1, c->store_id);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			struct tpit *p = pits_add(c);
			if (p == NULL)
				return sqlite3_reset(q), -1;
			p->store_id = sqlite3_column_int64(q, 0);
			p->lap = sqlite3_column_int(q, 1);
			p->pit_time = sqlite3_column_double(q, 2);
			p->stop_time = sqlite3_column_double(q, 3);
			p->release_time = sqlite3_column_double(q, 4);
			p->exit_time = sqlite3_column_double(q, 5);
			p->garage_in = sqlite3_column_double(q, 6);
			p->garage_out = sqlite3_column_double(q, 7);
			snprintf(p->driver_in, sizeof(p->driver_in), "%s", COL_TEXT(q, 8));
			snprintf(p->driver_out, sizeof(p->driver_out), "%s", COL_TEXT(q, 9));
			p->synthesised = sqlite3_column_int(q, 10);
			p->garage = sqlite3_column_int(q, 11);
			if (p->garage)
				c->nlane--;
			p->open = sqlite3_column_int(q, 12);
			p->confirmed = sqlite3_column_int(q, 13);
			p->swap_time = sqlite3_column_double(q, 14);
			snprintf(p->tyres, sizeof(p->tyres), "%s", COL_TEXT(q, 15));
			p->fuel = sqlite3_column_double(q, 16);
			p->ve = sqlite3_column_double(q, 17);
			p->duration = sqlite3_column_double(q, 18);
			p->penalty = sqlite3_column_int(q, 19);
			p->swap_sector = sqlite3_column_int(q, 20);
			p->stop_sector = sqlite3_column_int(q, 21);
			p->tyres_changed = sqlite3_column_int(q, 22);
			p->strategy_lap = sqlite3_column_int(q, 23);
			p->logged = racelog_pit_mask(p);
			if (p->open && p->garage)
				c->sm.garage = (int)(c->npits - 1);
			else if (p->open) {
				c->sm.lane = (int)(c->npits - 1);
				c->sm.released = p->release_time >= 0;
			}
		}
		if (rc != SQLITE_DONE)
			return -1;
		q = stmt(ig->st, STMT_R_STINTS);
		sqlite3_bind_int64(q, 1, c->store_id);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			struct tstint *sn;
			if (c->nstints == c->stints_cap) {
				size_t nc = c->stints_cap ? c->stints_cap * 2 : 4;
				struct tstint *np = realloc(c->stints, nc * sizeof(*np));
				if (np == NULL)
					return sqlite3_reset(q), -1;
				c->stints = np;
				c->stints_cap = nc;
			}
			sn = &c->stints[c->nstints++];
			memset(sn, 0, sizeof(*sn));
			sn->store_id = sqlite3_column_int64(q, 0);
			sn->first_lap = sqlite3_column_int(q, 1);
			sn->last_lap = sqlite3_column_int(q, 2);
			snprintf(sn->driver, sizeof(sn->driver), "%s", COL_TEXT(q, 3));
			snprintf(sn->compound, sizeof(sn->compound), "%s", COL_TEXT(q, 4));
			sn->tyre_laps = sqlite3_column_int(q, 5);
		}
		if (rc != SQLITE_DONE)
			return -1;
	}
	if (resume_bests(ig, s) < 0)
		return -1;
	for (size_t i = 0; i < s->ncars; i++) {
		struct tclass_best *cb;
		if (s->cars[i]->class_position == 1 &&
		    (cb = bests_class(s, s->cars[i]->cls, 1)) != NULL)
			cb->leader = s->cars[i]->idx + 1;
	}
	return 1;
}

/*
 * The entry list of s with its members (in name order: an entry whose
 * members the game lists in another order is written again, unchanged).
 * Returns 1 or -1.
 */
static int
resume_entries(struct ingest *ig, struct tsession *s)
{
	sqlite3_stmt	*q = stmt(ig->st, STMT_R_ENTRIES);
	struct tentry	*te;
	int		 rc;

	sqlite3_bind_text(q, 1, s->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((te = track_entry(s, sqlite3_column_int(q, 0))) == NULL)
			return -1;
		snprintf(te->team_id, sizeof(te->team_id), "%s", COL_TEXT(q, 1));
		snprintf(te->number, sizeof(te->number), "%s", COL_TEXT(q, 2));
		snprintf(te->name, sizeof(te->name), "%s", COL_TEXT(q, 3));
		snprintf(te->veh, sizeof(te->veh), "%s", COL_TEXT(q, 4));
		te->car = resume_car(s, sqlite3_column_int64(q, 5));
	}
	if (rc != SQLITE_DONE)
		return -1;
	q = stmt(ig->st, STMT_R_MEMBERS);
	sqlite3_bind_text(q, 1, s->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char	*line = COL_TEXT(q, 1);
		size_t		 had, len = strlen(line);
		char		*m;

		if ((te = track_entry(s, sqlite3_column_int(q, 0))) == NULL)
			return -1;
		had = te->members ? strlen(te->members) : 0;
		if ((m = realloc(te->members, had + len + 1)) == NULL)
			return -1;
		memcpy(m + had, line, len + 1);
		te->members = m;
	}
	return rc == SQLITE_DONE ? 1 : -1;
}

/*
 * Resumes the open sessions of the database: headers, cars with their
 * state, laps, pits and stints, chat lines, the session of each client.
 * Returns 1 or -1.
 */
static int
resume(struct ingest *ig)
{
	sqlite3_stmt	*st = stmt(ig->st, STMT_R_SESSIONS), *q;
	int		 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tsession *s = track_session_add(&ig->t, COL_TEXT(st, 0));
		if (s == NULL)
			return sqlite3_reset(st), -1;
		snprintf(s->sim, sizeof(s->sim), "%s", COL_TEXT(st, 1));
		snprintf(s->track, sizeof(s->track), "%s", COL_TEXT(st, 2));
		snprintf(s->type, sizeof(s->type), "%s", COL_TEXT(st, 3));
		s->online = sqlite3_column_int(st, 4);
		snprintf(s->server, sizeof(s->server), "%s", COL_TEXT(st, 5));
		s->port = sqlite3_column_int(st, 6);
		snprintf(s->owner, sizeof(s->owner), "%s", COL_TEXT(st, 7));
		s->started_at = sqlite3_column_double(st, 8);
		s->last_update = s->last_frame = sqlite3_column_double(st, 9);
		s->et = sqlite3_column_double(st, 10);
		s->phase = sqlite3_column_int(st, 11);
		s->remaining = sqlite3_column_double(st, 12);
		s->max_time = sqlite3_column_double(st, 13);
		s->max_laps = sqlite3_column_int64(st, 14);
		s->track_len = sqlite3_column_double(st, 15);
		s->state = strcmp(COL_TEXT(st, 16), "inactive") == 0 ? LIVE_INACTIVE : LIVE_LIVE;
		s->finished = sqlite3_column_int(st, 17);
		snprintf(s->prev_id, sizeof(s->prev_id), "%s", COL_TEXT(st, 18));
		snprintf(s->next_id, sizeof(s->next_id), "%s", COL_TEXT(st, 19));
		s->frames = sqlite3_column_int64(st, 23);
		s->dropped = sqlite3_column_int64(st, 24);
		s->end_et = sqlite3_column_double(st, 25);
		s->air = sqlite3_column_double(st, 26);
		s->track_temp = sqlite3_column_double(st, 27);
		s->rain = sqlite3_column_double(st, 28);
		s->wetness = sqlite3_column_double(st, 29);
		snprintf(s->sector_flags, sizeof(s->sector_flags), "%s", COL_TEXT(st, 30));
		s->log_seen = 1;
		s->log_phase = s->phase;
		snprintf(s->log_flags, sizeof(s->log_flags), "%s", s->sector_flags);
		s->et_at = sqlite3_column_double(st, 31);
		/* Sector boundaries: as far as this session learned them. */
		for (int k = 0; k < 2; k++) {
			s->bound_n[k] = sqlite3_column_int(st, 32 + 2 * k);
			s->bound_sum[k] = sqlite3_column_double(st, 33 + 2 * k);
			if (s->bound_n[k] >= TRACK_BOUND_CROSSINGS)
				s->sector_bound[k] = s->bound_sum[k] / s->bound_n[k];
		}
		/* The next conditions sample comes TRACK_COND_EVERY after the last one. */
		if (sqlite3_column_type(st, 36) != SQLITE_NULL)
			s->cond_et = sqlite3_column_double(st, 36);
		s->has_trackmap = sqlite3_column_int(st, 37);
		s->coherence = -1;
	}
	if (rc != SQLITE_DONE)
		return -1;
	for (size_t i = 0; i < ig->t.nsess; i++) {
		struct tsession *s = ig->t.sess[i];
		if (resume_cars(ig, s) < 0 || resume_entries(ig, s) < 0 || resume_more(ig, s) < 0)
			return -1;
		s->nlaps = 0;
		for (size_t k = 0; k < s->ncars; k++)
			for (int n = 0; n < s->cars[k]->max_lap; n++)
				s->nlaps += s->cars[k]->laps_v[n].known &&
				    s->cars[k]->laps_v[n].source != LSRC_MISSING;
		q = stmt(ig->st, STMT_R_CHAT);
		sqlite3_bind_text(q, 1, s->id, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW)
			track_chat_seen(s, sqlite3_column_int64(q, 0), COL_TEXT(q, 1));
		if (rc != SQLITE_DONE)
			return -1;
	}
	/* New sessions go on numbering where the stored ones stopped (session_id()). */
	q = stmt(ig->st, STMT_R_ID_SEQ);
	if (sqlite3_step(q) != SQLITE_ROW)
		return sqlite3_reset(q), -1;
	ig->t.id_seq = strtoull(COL_TEXT(q, 0), NULL, 16);
	sqlite3_reset(q);
	q = stmt(ig->st, STMT_R_CLIENTS);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct tsession *s = track_find(&ig->t, COL_TEXT(q, 1));
		if (s != NULL) {
			if (track_attach(&ig->t, COL_TEXT(q, 0), s) < 0)
				return sqlite3_reset(q), -1;
			resume_client(track_client(&ig->t, COL_TEXT(q, 0), 0), q);
			s->nclients++;
		}
	}
	return rc == SQLITE_DONE ? 1 : -1;
}

/*
 * Opens the tracking side and resumes the open sessions of the database
 * (inside the caller's transaction). Returns 1, or -1 with a message in
 * err. ingest_close() frees *out.
 */
int
ingest_open(struct ingest **out, struct stmts *st, struct buf *err)
{
	struct ingest *ig;

	*out = NULL;
	if ((ig = calloc(1, sizeof(*ig))) == NULL) {
		buf_printf(err, "out of memory");
		return -1;
	}
	ig->st = st;
	track_init(&ig->t);
	if (resume(ig) < 0) {
		buf_printf(err, "resuming sessions: %s", sqlite3_errmsg(st->db));
		ingest_close(ig);
		return -1;
	}
	*out = ig;
	return 1;
}

/*
 * Opens a tracking side that resumes nothing, whose first new session gets
 * the id first_id (trackside reprocess). Returns 1 or -1; ingest_close()
 * frees *out.
 */
int
ingest_open_fresh(struct ingest **out, struct stmts *st, const char *first_id, struct buf *err)
{
	struct ingest *ig;

	*out = NULL;
	if ((ig = calloc(1, sizeof(*ig))) == NULL) {
		buf_printf(err, "out of memory");
		return -1;
	}
	ig->st = st;
	ig->fresh = 1;
	track_init(&ig->t);
	snprintf(ig->t.force_id, sizeof(ig->t.force_id), "%s", first_id ? first_id : "");
	*out = ig;
	return 1;
}

/* Sets the hook that sees every change once written (the live events). */
void
ingest_hook(struct ingest *ig, void (*fn)(void *, const struct change *), void *arg)
{
	ig->on_change = fn;
	ig->arg = arg;
}

/* The tracker, for tests and tools. */
struct track *
ingest_tracker(struct ingest *ig)
{
	return &ig->t;
}

/* Adds the pending drop and drift counters to ingest_counters. Returns 1 or -1. */
static int
store_counters(struct ingest *ig)
{
	for (int i = 0; i < DROP__MAX; i++) {
		char name[64];
		sqlite3_stmt *st;
		if (ig->dropped[i] == 0 || i == DROP_NONE)
			continue;
		snprintf(name, sizeof(name), "dropped.%s", drop_names[i]);
		st = stmt(ig->st, STMT_COUNTER_ADD);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, ig->dropped[i]);
		if (step_done(st) < 0)
			return -1;
		ig->dropped[i] = 0;
	}
	for (int i = 0; i < DRIFT__MAX; i++) {
		char name[64];
		sqlite3_stmt *st;
		if (ig->drift[i] == 0)
			continue;
		snprintf(name, sizeof(name), "drift.%s", drift_names[i]);
		st = stmt(ig->st, STMT_COUNTER_ADD);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, ig->drift[i]);
		if (step_done(st) < 0)
			return -1;
		ig->drift[i] = 0;
	}
	return 1;
}

/*
 * The source state of client id for source src: a client met for the first
 * time since the start is resumed as its row left it (the tracker's view of
 * it too, unless the tracker resumed it with its session). A client that
 * changed source starts a new state. NULL when out of memory or on a
 * database error.
 */
static struct src_client *
ingest_src_client(struct ingest *ig, const char *id, enum source src)
{
	struct src_client	*sc = NULL;
	sqlite3_stmt		*st;
	struct tclient		*cl;
	int			 rc;

	for (size_t i = 0; i < ig->nsc; i++)
		if (strcmp(ig->sc[i].id, id) == 0)
			sc = &ig->sc[i];
	if (sc != NULL && sc->src == src)
		return sc;
	if (sc != NULL) {
		sources[sc->src].state_free(sc->state);
		sc->src = src;
		return (sc->state = sources[src].state_new()) != NULL ? sc : NULL;
	}
	if (ig->nsc == ig->sc_cap) {
		size_t nc = ig->sc_cap ? ig->sc_cap * 2 : 8;
		struct src_client *np = realloc(ig->sc, nc * sizeof(*np));
		if (np == NULL)
			return NULL;
		ig->sc = np;
		ig->sc_cap = nc;
	}
	sc = &ig->sc[ig->nsc];
	snprintf(sc->id, sizeof(sc->id), "%s", id);
	sc->src = src;
	if ((sc->state = sources[src].state_new()) == NULL)
		return NULL;
	ig->nsc++;
	if (ig->fresh)
		return sc;
	st = stmt(ig->st, STMT_R_CLIENT);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (track_client(&ig->t, id, 0) == NULL) {
			if ((cl = track_client(&ig->t, id, 1)) == NULL)
				rc = SQLITE_NOMEM;
			else
				resume_client(cl, st);
		}
		if (rc == SQLITE_ROW && resume_source(sc, st) < 0)
			rc = SQLITE_NOMEM;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? sc : NULL;
}

/*
 * Applies one frame inside the caller's transaction; session receives the
 * id of the session it was assigned to, or "". Returns 1 applied, 0 the
 * frame belongs to no session (dropped and counted) or its source saw
 * nothing to observe, -1 database error or out of memory (the caller rolls
 * back and reloads the tracking state).
 */
int
ingest_frame(struct ingest *ig, const struct frame *f, char session[SESSION_ID_LEN + 1])
{
	struct track_in		 in;
	struct src_in		 sin;
	struct tsession		*s = NULL;
	struct tclient		*cl;
	struct src_client	*sc;
	enum drop		 d;
	int			 src = source_find(f->source), rc;

	session[0] = '\0';
	ig->now = f->received_at;
	if (src < 0 || sources[src].parse == NULL) {
		ig->dropped[DROP_UNKNOWN_SOURCE]++;
		return store_counters(ig) < 0 ? -1 : 0;
	}
	if ((sc = ingest_src_client(ig, f->client, src)) == NULL)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.client = f->client;
	sin.seq = f->seq;
	sin.captured_at = f->captured_at;
	if ((rc = sources[src].parse(sc->state, &sin, f->data, &ig->o)) < 0)
		return -1;
	for (int i = 0; i < DRIFT__MAX; i++)
		ig->drift[i] += ig->o.drift[i];
	if (rc == 0) {
		/* Nothing to observe, but what the source learned is kept. */
		if (!ig->fresh && ((cl = track_client(&ig->t, f->client, 1)) == NULL ||
		    store_client(ig, cl, sc) < 0))
			return -1;
		return 0;
	}
	memset(&in, 0, sizeof(in));
	in.client = f->client;
	in.seq = f->seq;
	in.received_at = f->received_at;
	in.captured_at = f->captured_at;
	in.sent_at = f->sent_at;
	in.sim = f->source;
	d = track_frame(&ig->t, &in, &ig->o, &s);
	if (d == DROP_NOMEM)
		return -1;
	if (!ig->fresh && (cl = track_client(&ig->t, f->client, 0)) != NULL &&
	    store_client(ig, cl, sc) < 0)
		return -1;
	if (d != DROP_NONE)
		ig->dropped[d]++;
	else
		snprintf(session, SESSION_ID_LEN + 1, "%s", s->id);
	if (store_flush(ig) < 0)
		return -1;
	if ((d != DROP_NONE || ig->t.c.frames % 256 == 0) && store_counters(ig) < 0)
		return -1;
	return d == DROP_NONE ? 1 : 0;
}

/* Liveness of every open session at server time now. Returns 1 or -1. */
int
ingest_tick(struct ingest *ig, double now)
{
	ig->now = now;
	track_tick(&ig->t, now);
	if (store_flush(ig) < 0)
		return -1;
	return store_counters(ig);
}

/* Frees the tracking side; NULL is a no-op. */
void
ingest_close(struct ingest *ig)
{
	if (ig == NULL)
		return;
	track_free(&ig->t);
	obs_free(&ig->o);
	for (size_t i = 0; i < ig->nsc; i++)
		sources[ig->sc[i].src].state_free(ig->sc[i].state);
	free(ig->sc);
	buf_free(&ig->state);
	free(ig);
}
