/*
 * What a session command would change, before it is given: for the admin
 * pages' confirmation and trackside ... --dry-run. Read-only and cheap
 * (counts over one or two sessions' rows, never a re-derivation): the
 * figures of a split's sides and of a merge's result are estimates, said
 * so in their labels. The refusals are those trackside-ingestd makes
 * (ingest/maint.c), so a preview that says "ok" is a command it applies.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trackside.h"
#include "cmd.h"
#include "vocab.h"

enum psql {
	PS_SESSION,	/* id */
	PS_SIDE,	/* id, from, to: frames and span of the frames captured in [from, to) */
	PS_SIDE_LAPS,	/* id, at: laps seen before at, and cars and drivers with them */
	PS__MAX
};

static const char *const psql[PS__MAX] = {
	/* PS_SESSION */
	"SELECT s.sim, s.track, s.type, s.state, s.name, s.hidden, s.started_at, s.last_update, "
	"(SELECT count(*) FROM raw_frames WHERE session_id = s.id), "
	"(SELECT count(*) FROM laps l JOIN cars c ON c.id = l.car_id WHERE c.session_id = s.id "
	"AND coalesce(l.source, '') <> 'missing'), "
	"(SELECT count(*) FROM pits p JOIN cars c ON c.id = p.car_id WHERE c.session_id = s.id "
	"AND NOT p.garage), "
	"(SELECT count(*) FROM cars WHERE session_id = s.id), "
	"(SELECT count(DISTINCT l.driver) FROM laps l JOIN cars c ON c.id = l.car_id "
	"WHERE c.session_id = s.id AND l.driver <> ''), "
	"coalesce(s.prev_id, ''), coalesce(s.next_id, ''), s.et_zero "
	"FROM sessions s WHERE s.id = ?1",
	/* PS_SIDE */
	"SELECT count(*), min(coalesce(captured_at, received_at)), "
	"max(coalesce(captured_at, received_at)) FROM raw_frames WHERE session_id = ?1 AND "
	"coalesce(captured_at, received_at) >= ?2 AND coalesce(captured_at, received_at) < ?3",
	/* PS_SIDE_LAPS */
	"SELECT count(*), count(DISTINCT l.car_id), count(DISTINCT nullif(l.driver, '')), "
	"(SELECT count(*) FROM pits p JOIN cars c ON c.id = p.car_id WHERE c.session_id = ?1 "
	"AND NOT p.garage AND (SELECT et_zero FROM sessions WHERE id = ?1) + p.pit_time < ?2) "
	"FROM laps l JOIN cars c ON c.id = l.car_id WHERE c.session_id = ?1 "
	"AND coalesce(l.source, '') <> 'missing' AND l.seen_at < ?2",
};

struct psess {
	int		 found;
	char		 sim[48], track[128], type[32], state[16], name[CMD_NAME_MAX + 1];
	char		 prev[65], next[65];
	int		 hidden;
	double		 started_at, last_update;
	long long	 frames, laps, pits, cars, drivers;
};

static sqlite3_stmt *
ps_prepare(sqlite3 *db, enum psql which, const char *id, double a, double b)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, psql[which], -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (which != PS_SESSION)
		sqlite3_bind_double(st, 2, a);
	if (which == PS_SIDE)
		sqlite3_bind_double(st, 3, b);
	return st;
}

static void
pcopy(char *dst, size_t sz, const unsigned char *src)
{
	snprintf(dst, sz, "%s", src != NULL ? (const char *)src : "");
}

/* Reads session id into p (p->found 0 when there is none). Returns 1 or -1. */
static int
ps_session(sqlite3 *db, const char *id, struct psess *p)
{
	sqlite3_stmt	*st = ps_prepare(db, PS_SESSION, id, 0, 0);
	int		 rc, src;

	memset(p, 0, sizeof(*p));
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p->found = 1;
		pcopy(p->sim, sizeof(p->sim), sqlite3_column_text(st, 0));
		/* the sim as people call it ("Le Mans Ultimate"), not its key */
		if ((src = source_find(p->sim)) >= 0)
			pcopy(p->sim, sizeof(p->sim), (const unsigned char *)source_labels[src]);
		pcopy(p->track, sizeof(p->track), sqlite3_column_text(st, 1));
		pcopy(p->type, sizeof(p->type), sqlite3_column_text(st, 2));
		pcopy(p->state, sizeof(p->state), sqlite3_column_text(st, 3));
		pcopy(p->name, sizeof(p->name), sqlite3_column_text(st, 4));
		p->hidden = sqlite3_column_int(st, 5);
		p->started_at = sqlite3_column_double(st, 6);
		p->last_update = sqlite3_column_double(st, 7);
		p->frames = sqlite3_column_int64(st, 8);
		p->laps = sqlite3_column_int64(st, 9);
		p->pits = sqlite3_column_int64(st, 10);
		p->cars = sqlite3_column_int64(st, 11);
		p->drivers = sqlite3_column_int64(st, 12);
		pcopy(p->prev, sizeof(p->prev), sqlite3_column_text(st, 13));
		pcopy(p->next, sizeof(p->next), sqlite3_column_text(st, 14));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 1 : -1;
}

/* The preview being built. */
struct pv {
	cJSON		*root, *rows, *warnings;
	int		 oom;
};

static void
pv_title(struct pv *v, const char *fmt, ...) PRINTF(2, 3);
static void
pv_title(struct pv *v, const char *fmt, ...)
{
	struct buf	 b = { 0 };
	va_list		 ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (b.p == NULL || cJSON_AddStringToObject(v->root, "title", b.p) == NULL)
		v->oom = 1;
	buf_free(&b);
}

static void
pv_row(struct pv *v, const char *label, const char *before, const char *after)
{
	cJSON *r = cJSON_CreateObject();

	if (r == NULL || !cJSON_AddItemToArray(v->rows, r) ||
	    cJSON_AddStringToObject(r, "label", label) == NULL ||
	    cJSON_AddStringToObject(r, "before", before) == NULL ||
	    cJSON_AddStringToObject(r, "after", after) == NULL)
		v->oom = 1;
}

/* A row of numbers. */
static void
pv_num(struct pv *v, const char *label, long long before, long long after)
{
	char b[32], a[32];

	snprintf(b, sizeof(b), "%lld", before);
	snprintf(a, sizeof(a), "%lld", after);
	pv_row(v, label, b, a);
}

static void
pv_warn(struct pv *v, const char *fmt, ...) PRINTF(2, 3);
static void
pv_warn(struct pv *v, const char *fmt, ...)
{
	struct buf	 b = { 0 };
	va_list		 ap;
	cJSON		*s;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (b.p == NULL || (s = cJSON_CreateString(b.p)) == NULL || !cJSON_AddItemToArray(v->warnings, s))
		v->oom = 1;
	buf_free(&b);
}

/* Refuses: ok false, error says why (the words trackside-ingestd would use). */
static void
pv_refuse(struct pv *v, const char *fmt, ...) PRINTF(2, 3);
static void
pv_refuse(struct pv *v, const char *fmt, ...)
{
	struct buf	 b = { 0 };
	va_list		 ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	cJSON_DeleteItemFromObjectCaseSensitive(v->root, "ok");
	if (b.p == NULL || cJSON_AddFalseToObject(v->root, "ok") == NULL ||
	    cJSON_AddStringToObject(v->root, "error", b.p) == NULL)
		v->oom = 1;
	buf_free(&b);
}

/* "2026-11-21 12:00:00 – 13:02:11" (UTC) of [from, to]. */
static void
span(char *out, size_t sz, double from, double to)
{
	char a[32], b[32];

	if (from <= 0) {
		snprintf(out, sz, "none");
		return;
	}
	time_iso(from, a);
	time_iso(to, b);
	snprintf(out, sz, "%.10s %.8s – %.10s %.8s", a, a + 11, b, b + 11);
}

static const char *
pname(const struct psess *p)
{
	return p->name[0] ? p->name : p->type;
}

static void
pv_live(struct pv *v, const char *id, const struct psess *p)
{
	if (strcmp(p->state, "live") == 0)
		pv_warn(v, "session %s is live: frames still arrive for it", id);
}

static int
pv_delete(struct pv *v, const char *id, const struct psess *p)
{
	char s[96];

	pv_title(v, "Delete session %s (%s, %s, %s)", id, pname(p), p->sim, p->track);
	span(s, sizeof(s), p->started_at, p->last_update);
	pv_num(v, "sessions", 1, 0);
	pv_num(v, "raw frames", p->frames, 0);
	pv_num(v, "laps", p->laps, 0);
	pv_num(v, "pit stops", p->pits, 0);
	pv_num(v, "cars", p->cars, 0);
	pv_num(v, "drivers", p->drivers, 0);
	pv_row(v, "time span", s, "none");
	pv_warn(v, "the raw frames are deleted too: the session cannot be derived again");
	pv_live(v, id, p);
	if (p->prev[0] && p->next[0])
		pv_warn(v, "sessions %s and %s become neighbours", p->prev, p->next);
	return 1;
}

static int
pv_reprocess(struct pv *v, const char *id, const struct psess *p)
{
	char s[96];

	pv_title(v, "Reprocess session %s (%s, %s, %s)", id, pname(p), p->sim, p->track);
	span(s, sizeof(s), p->started_at, p->last_update);
	pv_num(v, "raw frames", p->frames, p->frames);
	pv_num(v, "laps", p->laps, p->laps);
	pv_num(v, "pit stops", p->pits, p->pits);
	pv_num(v, "cars", p->cars, p->cars);
	pv_num(v, "drivers", p->drivers, p->drivers);
	pv_row(v, "time span", s, s);
	pv_warn(v, "laps, pit stops and cars are derived again from the raw frames: the figures "
	    "after may differ where the tracking rules changed");
	pv_live(v, id, p);
	if (p->frames == 0)
		pv_refuse(v, "session %s has no raw frames to reprocess", id);
	return 1;
}

static int
pv_merge(struct pv *v, const char *id, const struct psess *a, const char *into,
    const struct psess *b)
{
	char	 sa[96], sb[96], s[96], w[200], n1[64], n2[64];
	double	 from = a->started_at < b->started_at ? a->started_at : b->started_at;
	double	 to = a->last_update > b->last_update ? a->last_update : b->last_update;

	pv_title(v, "Merge session %s (%s) into %s (%s)", id, pname(a), into, pname(b));
	span(sa, sizeof(sa), a->started_at, a->last_update);
	span(sb, sizeof(sb), b->started_at, b->last_update);
	span(s, sizeof(s), from, to);
	pv_row(v, "sessions", "2", "1");
#define PAIR(label, f, approx) do {						\
	snprintf(n1, sizeof(n1), "%lld + %lld", a->f, b->f);			\
	snprintf(n2, sizeof(n2), approx ? "at most %lld" : "%lld", a->f + b->f);	\
	pv_row(v, label, n1, n2);						\
} while (0)
	PAIR("raw frames", frames, 0);
	PAIR("laps", laps, 1);
	PAIR("pit stops", pits, 1);
	PAIR("cars", cars, 1);
	PAIR("drivers", drivers, 1);
#undef PAIR
	snprintf(w, sizeof(w), "%s | %s", sa, sb);
	pv_row(v, "time span (of each | merged)", w, s);
	pv_warn(v, "a lap or pit stop both sessions saw counts once");
	if (strcmp(a->type, b->type) != 0)
		pv_warn(v, "session %s is a %s, session %s a %s: %s keeps its type", id, a->type,
		    into, b->type, into);
	if (a->name[0])
		pv_warn(v, "the name \"%s\" of session %s goes", a->name, id);
	if (a->started_at < b->last_update && b->started_at < a->last_update)
		pv_warn(v, "the sessions overlap in time");
	pv_live(v, id, a);
	pv_live(v, into, b);
	if (strcmp(id, into) == 0)
		pv_refuse(v, "a session cannot be merged into itself");
	else if (strcmp(a->sim, b->sim) != 0 || strcmp(a->track, b->track) != 0)
		pv_refuse(v, "session %s (%s, %s) and session %s (%s, %s) are not of the same sim "
		    "and track", id, a->sim, a->track, into, b->sim, b->track);
	else if (a->frames + b->frames == 0)
		pv_refuse(v, "sessions %s and %s have no raw frames to merge", id, into);
	return 1;
}

/* Frames, span, laps, cars, drivers, pit stops of one side of a split. */
struct pside {
	long long	 frames, laps, cars, drivers, pits;
	double		 from, to;
};

static int
pv_side(sqlite3 *db, const char *id, double from, double to, struct pside *s)
{
	sqlite3_stmt *st = ps_prepare(db, PS_SIDE, id, from, to);

	memset(s, 0, sizeof(*s));
	if (st == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -1;
	}
	s->frames = sqlite3_column_int64(st, 0);
	s->from = sqlite3_column_double(st, 1);
	s->to = sqlite3_column_double(st, 2);
	sqlite3_finalize(st);
	return 1;
}

static int
pv_split(sqlite3 *db, struct pv *v, const char *id, const struct psess *p, double at)
{
	struct pside	 e, l;
	sqlite3_stmt	*st;
	char		 t[32], s[96], s1[96], s2[96], w[200], b[64], a[64];

	time_iso(at, t);
	pv_title(v, "Split session %s (%s) at %s", id, pname(p), t);
	if (pv_side(db, id, -1e18, at, &e) < 0 || pv_side(db, id, at, 1e18, &l) < 0 ||
	    (st = ps_prepare(db, PS_SIDE_LAPS, id, at, 0)) == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -1;
	}
	e.laps = sqlite3_column_int64(st, 0);
	e.cars = sqlite3_column_int64(st, 1);
	e.drivers = sqlite3_column_int64(st, 2);
	e.pits = sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	l.laps = p->laps - e.laps;
	l.pits = p->pits - e.pits;
	pv_row(v, "sessions", "1", "2");
	span(s, sizeof(s), e.from > 0 ? e.from : l.from, l.to > 0 ? l.to : e.to);
	span(s1, sizeof(s1), e.from, e.to);
	span(s2, sizeof(s2), l.from, l.to);
	snprintf(w, sizeof(w), "%s | %s", s1, s2);
	pv_row(v, "time span of the raw frames (before | after the split)", s, w);
	snprintf(b, sizeof(b), "%lld", p->frames);
	snprintf(a, sizeof(a), "%lld | %lld", e.frames, l.frames);
	pv_row(v, "raw frames (before | after the split)", b, a);
	snprintf(b, sizeof(b), "%lld", p->laps);
	snprintf(a, sizeof(a), "about %lld | %lld", e.laps, l.laps);
	pv_row(v, "laps", b, a);
	snprintf(b, sizeof(b), "%lld", p->pits);
	snprintf(a, sizeof(a), "about %lld | %lld", e.pits, l.pits);
	pv_row(v, "pit stops", b, a);
	snprintf(b, sizeof(b), "%lld", p->cars);
	snprintf(a, sizeof(a), "about %lld | up to %lld", e.cars, p->cars);
	pv_row(v, "cars", b, a);
	snprintf(b, sizeof(b), "%lld", p->drivers);
	snprintf(a, sizeof(a), "about %lld | up to %lld", e.drivers, p->drivers);
	pv_row(v, "drivers", b, a);
	pv_warn(v, "the frames captured at or after %s go to a new session after %s; both are "
	    "derived again", t, id);
	if (p->name[0])
		pv_warn(v, "the new session has no name; %s keeps \"%s\"", id, p->name);
	pv_live(v, id, p);
	if (e.frames == 0 || l.frames == 0)
		pv_refuse(v, "splitting session %s at %s leaves no frame %s it", id, t,
		    e.frames == 0 ? "before" : "at or after");
	return 1;
}

/*
 * Describes what c (a session command) would change: *out gets
 * {"title", "rows": [{"label", "before", "after"}], "warnings": [...],
 * "ok", "error"?} (the caller frees it with cJSON_Delete). Returns 1, 0
 * when c is no session command or not valid (err says why), -1 database
 * error or out of memory.
 */
int
preview_cmd(sqlite3 *db, const struct cmd *c, cJSON **out, struct buf *err)
{
	struct pv	 v = { 0 };
	struct psess	 a, b;
	const char	*id = cmd_str(c, "session");
	const cJSON	*arg;
	int		 rc = 1;

	*out = NULL;
	switch (c->kind) {
	case CMD_SESSION_RENAME:
	case CMD_SESSION_HIDE:
	case CMD_SESSION_DELETE:
	case CMD_SESSION_MERGE:
	case CMD_SESSION_SPLIT:
	case CMD_SESSION_REPROCESS:
		break;
	default:
		buf_printf(err, "%s has no preview", cmd_names[c->kind]);
		return 0;
	}
	if (!cmd_check(c, err))
		return 0;
	if (ps_session(db, id, &a) < 0) {
		buf_printf(err, "%s", sqlite3_errmsg(db));
		return -1;
	}
	if ((v.root = cJSON_CreateObject()) == NULL ||
	    cJSON_AddTrueToObject(v.root, "ok") == NULL ||
	    (v.rows = cJSON_AddArrayToObject(v.root, "rows")) == NULL ||
	    (v.warnings = cJSON_AddArrayToObject(v.root, "warnings")) == NULL)
		goto oom;
	if (!a.found) {
		pv_title(&v, "%s %s", cmd_names[c->kind], id);
		pv_refuse(&v, "there is no session %s", id);
		goto done;
	}
	switch (c->kind) {
	case CMD_SESSION_RENAME:
		pv_title(&v, "Rename session %s (%s, %s, %s)", id, a.type, a.sim, a.track);
		pv_row(&v, "name", a.name[0] ? a.name : "(none)",
		    *cmd_str(c, "name") ? cmd_str(c, "name") : "(none)");
		break;
	case CMD_SESSION_HIDE:
		arg = cJSON_GetObjectItemCaseSensitive(c->args, "hidden");
		pv_title(&v, "%s session %s (%s, %s, %s)", cJSON_IsTrue(arg) ? "Hide" : "Show", id,
		    pname(&a), a.sim, a.track);
		pv_row(&v, "shown in the lists", a.hidden ? "no" : "yes",
		    cJSON_IsTrue(arg) ? "no" : "yes");
		if (cJSON_IsTrue(arg))
			pv_warn(&v, "a hidden session stays at its address and in the admin pages");
		break;
	case CMD_SESSION_DELETE:
		rc = pv_delete(&v, id, &a);
		break;
	case CMD_SESSION_REPROCESS:
		rc = pv_reprocess(&v, id, &a);
		break;
	case CMD_SESSION_MERGE:
		if (ps_session(db, cmd_str(c, "into"), &b) < 0) {
			rc = -1;
			break;
		}
		if (!b.found) {
			pv_title(&v, "Merge session %s into %s", id, cmd_str(c, "into"));
			pv_refuse(&v, "there is no session %s", cmd_str(c, "into"));
			break;
		}
		rc = pv_merge(&v, id, &a, cmd_str(c, "into"), &b);
		break;
	case CMD_SESSION_SPLIT:
		arg = cJSON_GetObjectItemCaseSensitive(c->args, "at");
		rc = pv_split(db, &v, id, &a, arg->valuedouble);
		break;
	default:
		break;
	}
	if (rc < 0) {
		buf_printf(err, "%s", sqlite3_errmsg(db));
		cJSON_Delete(v.root);
		return -1;
	}
done:
	if (v.oom)
		goto oom;
	*out = v.root;
	return 1;
oom:
	buf_printf(err, "out of memory");
	cJSON_Delete(v.root);
	return -1;
}
