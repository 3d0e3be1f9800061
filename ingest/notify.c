/*
 * Webhooks, the queueing side (notify.h). Runs on the writer's connection,
 * inside the transaction that applies frames: a race log event or a pit
 * window becomes one webhook_deliveries row per hook that follows it, with
 * its payload ready to send. The row's key, (hook, "log:<race_log.id>") or
 * (hook, "window:<car>:<stint's first lap>"), makes it once: an event
 * derived again is ignored. The sending thread (deliver.c) is woken after
 * the COMMIT (notify_end()), never before: it cannot see rows that may
 * still roll back.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "ingest.h"
#include "notify.h"
#include "cmd.h"
#include "db.h"
#include "strategy.h"
#include "track.h"

const char *const hook_event_names[HEV__MAX] = { "session_start", "pit", "swap", "penalty",
	"pit_window", "finish" };

/* The retry schedule in seconds, for webhook_retry = 5 (the first wait). */
static const double backoff_s[] = { 5, 15, 60, 300, 900, 1800 };

enum nst {
	NST_HOOKS,
	NST_INSERT,
	NST_CONF_LIST,
	NST_CONF_ADD,
	NST_REMOVE,
	NST_DROP,
	NST__MAX
};

static const char *const nst_sql[NST__MAX] = {
	/* NST_HOOKS */
	"SELECT id, car, events, format, window_laps FROM webhooks WHERE removed_at IS NULL "
	"ORDER BY id",
	/* NST_INSERT: behind a row of the same hook waiting for a retry, so a
	 * hook's events go out in order and a receiver that is down is not
	 * sent every queued row at each retry */
	"INSERT OR IGNORE INTO webhook_deliveries (hook_id, event_key, session_id, payload, "
	"created_at, next_at) VALUES (?1, ?2, ?3, ?4, ?5, max(?5, coalesce((SELECT max(next_at) "
	"FROM webhook_deliveries WHERE hook_id = ?1 AND delivered_at IS NULL AND next_at < ?6), 0)))",
	/* NST_CONF_LIST */
	"SELECT id, url, coalesce(car, ''), events, format, window_laps FROM webhooks "
	"WHERE origin = 'config' AND removed_at IS NULL",
	/* NST_CONF_ADD */
	"INSERT INTO webhooks (url, car, events, format, window_laps, origin, created_at) "
	"VALUES (?, ?, ?, ?, ?, 'config', ?)",
	/* NST_REMOVE */
	"UPDATE webhooks SET removed_at = ? WHERE id = ?",
	/* NST_DROP: what a removed hook still had queued is never sent */
	"UPDATE webhook_deliveries SET next_at = ?, last_error = 'hook removed' "
	"WHERE hook_id = ? AND delivered_at IS NULL",
};

struct notify {
	sqlite3			*db;
	sqlite3_stmt		*st[NST__MAX];
	char			 base[256];	/* public_url without a trailing '/', "" none */
	double			 retry;		/* s before the first retry */
	int			 queued;	/* rows queued in the open transaction */
	struct strat_lap	*laps;		/* notify_lap's scratch */
	size_t			 laps_cap;
	/* the wake-up of the sender */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	unsigned long long	 gen;		/* commits that queued rows */
	int			 stop;
};

/* A hook as a configuration line or the webhooks table gives it. */
struct hook {
	long long	 id;
	char		 url[HOOK_URL_MAX + 1];
	char		 car[HOOK_CAR_MAX + 1];	/* "" every car */
	char		 events[128];
	char		 format[8];
	int		 window;
	int		 kept;
};

/* The process's notifier (one writer per process), or NULL. */
static struct notify *notify_cur;

/* Whether the comma list list holds name. */
static int
list_has(const char *list, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p = list;

	while (p != NULL && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

/* s before the next try after failed attempt n (1..). */
double
notify_backoff(const struct notify *nt, int n)
{
	size_t	 i = n < 1 ? 0 : (size_t)(n - 1);
	double	 scale = nt != NULL ? nt->retry / backoff_s[0] : 1.0;

	if (i >= sizeof(backoff_s) / sizeof(backoff_s[0]))
		i = sizeof(backoff_s) / sizeof(backoff_s[0]) - 1;
	return backoff_s[i] * scale;
}

/*
 * Next word of a configuration line at *p (spaces separate words; "..."
 * keeps spaces in a value) into out. Returns 1, 0 at the end, -1 too long
 * or unterminated.
 */
static int
conf_word(const char **p, char *out, size_t outsz)
{
	const char	*s = *p;
	size_t		 n = 0;
	int		 quoted = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return 0;
	for (; *s && (quoted || (*s != ' ' && *s != '\t')); s++) {
		if (*s == '"') {
			quoted = !quoted;
			continue;
		}
		if (n + 1 >= outsz)
			return -1;
		out[n++] = *s;
	}
	out[n] = '\0';
	*p = s;
	return quoted ? -1 : 1;
}

/*
 * Parses a webhook_N value: "<url> [events=a,b] [car=<n>]
 * [format=json|discord] [window=<laps>]". Returns 1, or 0 with a message
 * in err.
 */
static int
conf_hook(const char *key, const char *v, struct hook *h, struct buf *err)
{
	char		 w[HOOK_URL_MAX + 16];
	const char	*p = v;
	long long	 n;
	int		 rc;

	memset(h, 0, sizeof(*h));
	snprintf(h->format, sizeof(h->format), "json");
	h->window = 3;
	snprintf(h->events, sizeof(h->events), "session_start,pit,swap,penalty,pit_window,finish");
	if (conf_word(&p, w, sizeof(w)) <= 0 || !cmd_url_valid(w)) {
		buf_printf(err, "%s: expected an http:// or https:// URL first", key);
		return 0;
	}
	snprintf(h->url, sizeof(h->url), "%s", w);
	while ((rc = conf_word(&p, w, sizeof(w))) > 0) {
		if (strncmp(w, "events=", 7) == 0 && cmd_events_valid(w + 7))
			snprintf(h->events, sizeof(h->events), "%s", w + 7);
		else if (strncmp(w, "car=", 4) == 0 && w[4] && strlen(w + 4) <= HOOK_CAR_MAX)
			snprintf(h->car, sizeof(h->car), "%s", w + 4);
		else if (strcmp(w, "format=json") == 0 || strcmp(w, "format=discord") == 0)
			snprintf(h->format, sizeof(h->format), "%s", w + 7);
		else if (strncmp(w, "window=", 7) == 0 && num_parse_ll(w + 7, 1, HOOK_WINDOW_MAX, &n))
			h->window = (int)n;
		else {
			buf_printf(err, "%s: cannot use \"%s\" (events=a,b of %s,%s,%s,%s,%s,%s; "
			    "car=<number or team>; format=json|discord; window=1..%d)", key, w,
			    hook_event_names[0], hook_event_names[1], hook_event_names[2],
			    hook_event_names[3], hook_event_names[4], hook_event_names[5],
			    HOOK_WINDOW_MAX);
			return 0;
		}
	}
	if (rc < 0) {
		buf_printf(err, "%s: a word is too long or a quote is not closed", key);
		return 0;
	}
	return 1;
}

static int
step_done(sqlite3_stmt *st)
{
	int rc = db_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_err("webhooks: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
		return -1;
	}
	return 1;
}

/*
 * Makes the config hooks the configuration's webhook_N lines: a line an
 * active config hook already says keeps its row (and its deliveries), a
 * new one is added, the others are removed. Inside the caller's
 * transaction. Returns 1, 0 (a bad line; message in err) or -1.
 */
static int
notify_conf(struct notify *nt, const struct conf *conf, struct buf *err)
{
	struct hook	 want[HOOK_CONF_MAX], have;
	size_t		 nwant = 0, ngone = 0, gone_cap = 0;
	long long	*gone = NULL, *p;
	sqlite3_stmt	*st;
	double		 now = time_now();
	int		 rc, added = 0;

	for (int i = 1; i <= HOOK_CONF_MAX; i++) {
		char key[32];
		const char *v;
		snprintf(key, sizeof(key), "webhook_%d", i);
		if ((v = conf_get(conf, key)) == NULL || *v == '\0')
			continue;
		if (!conf_hook(key, v, &want[nwant], err))
			return 0;
		nwant++;
	}
	/* the rows to remove are collected first: no writes while the list steps */
	st = nt->st[NST_CONF_LIST];
	while ((rc = db_step(st)) == SQLITE_ROW) {
		size_t i;
		memset(&have, 0, sizeof(have));
		have.id = sqlite3_column_int64(st, 0);
		snprintf(have.url, sizeof(have.url), "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(have.car, sizeof(have.car), "%s", (const char *)sqlite3_column_text(st, 2));
		snprintf(have.events, sizeof(have.events), "%s",
		    (const char *)sqlite3_column_text(st, 3));
		snprintf(have.format, sizeof(have.format), "%s",
		    (const char *)sqlite3_column_text(st, 4));
		have.window = sqlite3_column_int(st, 5);
		for (i = 0; i < nwant; i++)
			if (!want[i].kept && strcmp(want[i].url, have.url) == 0 &&
			    strcmp(want[i].car, have.car) == 0 &&
			    strcmp(want[i].events, have.events) == 0 &&
			    strcmp(want[i].format, have.format) == 0 && want[i].window == have.window)
				break;
		if (i < nwant) {
			want[i].kept = 1;
			continue;
		}
		if (ngone == gone_cap) {
			gone_cap = gone_cap ? gone_cap * 2 : 16;
			if ((p = realloc(gone, gone_cap * sizeof(*gone))) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			gone = p;
		}
		gone[ngone++] = have.id;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(gone);
		return -1;
	}
	for (size_t i = 0; i < ngone; i++) {
		st = nt->st[NST_REMOVE];
		sqlite3_bind_double(st, 1, now);
		sqlite3_bind_int64(st, 2, gone[i]);
		if (step_done(st) < 0) {
			free(gone);
			return -1;
		}
		st = nt->st[NST_DROP];
		sqlite3_bind_double(st, 1, HOOK_NEVER);
		sqlite3_bind_int64(st, 2, gone[i]);
		if (step_done(st) < 0) {
			free(gone);
			return -1;
		}
	}
	free(gone);
	for (size_t i = 0; i < nwant; i++) {
		if (want[i].kept)
			continue;
		st = nt->st[NST_CONF_ADD];
		sqlite3_bind_text(st, 1, want[i].url, -1, SQLITE_STATIC);
		if (want[i].car[0])
			sqlite3_bind_text(st, 2, want[i].car, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, want[i].events, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, want[i].format, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, want[i].window);
		sqlite3_bind_double(st, 6, now);
		if (step_done(st) < 0)
			return -1;
		added++;
	}
	if (added || ngone)
		log_info("webhooks of the configuration: %d added, %zu removed, %zu kept", added,
		    ngone, nwant - (size_t)added);
	return 1;
}

int
notify_open(struct notify **out, sqlite3 *db, const struct conf *conf, struct buf *err)
{
	struct notify		*nt;
	const char		*v;
	pthread_condattr_t	 ca;
	int			 rc;

	*out = NULL;
	if ((nt = calloc(1, sizeof(*nt))) == NULL) {
		buf_printf(err, "out of memory");
		return 0;
	}
	nt->db = db;
	nt->retry = backoff_s[0];
	pthread_mutex_init(&nt->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&nt->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((v = conf_get(conf, "webhook_retry")) != NULL &&
	    !num_parse_d(v, 0.01, 3600, &nt->retry)) {
		buf_printf(err, "webhook_retry: expected 0.01..3600 (seconds), got %s", v);
		goto fail;
	}
	if ((v = conf_get(conf, "public_url")) != NULL && *v) {
		size_t n = strlen(v);
		if (!cmd_url_valid(v) || n >= sizeof(nt->base)) {
			buf_printf(err, "public_url: expected an http:// or https:// URL, got %s", v);
			goto fail;
		}
		while (n > 0 && v[n - 1] == '/')
			n--;
		snprintf(nt->base, sizeof(nt->base), "%.*s", (int)n, v);
	}
	for (int i = 0; i < NST__MAX; i++)
		if (sqlite3_prepare_v3(db, nst_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &nt->st[i],
		    NULL) != SQLITE_OK) {
			buf_printf(err, "webhooks: %s", sqlite3_errmsg(db));
			goto fail;
		}
	if (!db_exec(db, "BEGIN IMMEDIATE", err))
		goto fail;
	if ((rc = notify_conf(nt, conf, err)) <= 0) {
		if (rc < 0)
			buf_printf(err, "webhooks: %s", sqlite3_errmsg(db));
		db_exec(db, "ROLLBACK", NULL);
		goto fail;
	}
	if (!db_exec(db, "COMMIT", err))
		goto fail;
	notify_cur = nt;
	*out = nt;
	return 1;
fail:
	notify_close(nt);
	return 0;
}

void
notify_close(struct notify *nt)
{
	if (nt == NULL)
		return;
	if (notify_cur == nt)
		notify_cur = NULL;
	for (int i = 0; i < NST__MAX; i++)
		sqlite3_finalize(nt->st[i]);
	pthread_cond_destroy(&nt->cv);
	pthread_mutex_destroy(&nt->mu);
	free(nt->laps);
	free(nt);
}

/* The hook event of a race log kind, or -1 when no hook hears of it. */
static int
log_event(const struct tlog *lg)
{
	static const struct {
		const char	*kind;
		enum hook_event	 ev;
	} map[] = {
		{ "session", HEV_SESSION_START }, { "pit_in", HEV_PIT }, { "pit_out", HEV_PIT },
		{ "stop", HEV_PIT }, { "garage_in", HEV_PIT }, { "swap", HEV_SWAP },
		{ "penalty", HEV_PENALTY }, { "penalty_served", HEV_PENALTY },
		{ "finish", HEV_FINISH },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(lg->kind, map[i].kind) == 0)
			return (int)map[i].ev;
	if (strcmp(lg->kind, "phase") == 0) {
		cJSON *d = cJSON_Parse(lg->data);
		const cJSON *ph = cJSON_GetObjectItemCaseSensitive(d, "phase");
		int checkered = cJSON_IsString(ph) &&
		    strcmp(ph->valuestring, phase_names[PHASE_CHECKERED]) == 0;
		cJSON_Delete(d);
		if (checkered)
			return HEV_FINISH;
	}
	return -1;
}

/* Whether a hook for car (a number or a team) follows car c. */
static int
hook_follows(const char *car, const struct tcar *c)
{
	if (car == NULL || *car == '\0')
		return 1;
	if (c == NULL)
		return 0;
	return strcmp(car, c->number) == 0 || (c->team[0] && strcasecmp(car, c->team) == 0);
}

/* An event, as both payload formats tell it. */
struct event {
	enum hook_event	 ev;
	const char	*kind;
	const char	*key;		/* event_key */
	const struct tsession *s;
	const struct tcar *car;
	int		 lap;		/* <0 none */
	const char	*driver;
	const char	*text;
	double		 et, at;
	cJSON		*data;		/* borrowed; may be NULL */
	double		 laps_left;	/* HEV_PIT_WINDOW: a hook's window_laps must reach it */
};

static void
event_link(const struct notify *nt, const struct event *e, char *out, size_t outsz)
{
	out[0] = '\0';
	if (nt->base[0] == '\0')
		return;
	if (e->car != NULL && e->car->store_id > 0)
		snprintf(out, outsz, "%s/sessions/%s/cars/%lld", nt->base, e->s->id,
		    e->car->store_id);
	else
		snprintf(out, outsz, "%s/sessions/%s", nt->base, e->s->id);
}

/* The JSON format: the event as it is. Returns the text (caller frees) or NULL. */
static char *
payload_json(const struct notify *nt, const struct event *e)
{
	cJSON	*o = cJSON_CreateObject(), *s, *c;
	char	 link[512], *out = NULL;

	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "event", hook_event_names[e->ev]);
	cJSON_AddStringToObject(o, "kind", e->kind);
	cJSON_AddStringToObject(o, "id", e->key);
	if ((s = cJSON_AddObjectToObject(o, "session")) != NULL) {
		cJSON_AddStringToObject(s, "id", e->s->id);
		cJSON_AddStringToObject(s, "track", e->s->track);
		cJSON_AddStringToObject(s, "type", e->s->type);
		cJSON_AddStringToObject(s, "sim", e->s->sim);
	}
	if (e->car == NULL)
		cJSON_AddNullToObject(o, "car");
	else if ((c = cJSON_AddObjectToObject(o, "car")) != NULL) {
		cJSON_AddNumberToObject(c, "id", (double)e->car->store_id);
		cJSON_AddStringToObject(c, "number", e->car->number);
		cJSON_AddStringToObject(c, "team", e->car->team);
		cJSON_AddStringToObject(c, "class", e->car->cls);
		cJSON_AddStringToObject(c, "vehicle", e->car->vehicle_name[0] ?
		    e->car->vehicle_name : e->car->veh);
		cJSON_AddStringToObject(c, "driver", e->car->driver);
	}
	if (e->lap >= 0)
		cJSON_AddNumberToObject(o, "lap", e->lap);
	else
		cJSON_AddNullToObject(o, "lap");
	if (e->driver != NULL && e->driver[0])
		cJSON_AddStringToObject(o, "driver", e->driver);
	cJSON_AddStringToObject(o, "text", e->text);
	cJSON_AddNumberToObject(o, "et", e->et);
	cJSON_AddNumberToObject(o, "at", e->at);
	if (e->data != NULL)
		cJSON_AddItemToObject(o, "data", cJSON_Duplicate(e->data, 1));
	else
		cJSON_AddObjectToObject(o, "data");
	event_link(nt, e, link, sizeof(link));
	if (link[0])
		cJSON_AddStringToObject(o, "url", link);
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

static void
discord_field(cJSON *fields, const char *name, const char *value)
{
	cJSON *f;

	if (value == NULL || *value == '\0' || (f = cJSON_CreateObject()) == NULL)
		return;
	cJSON_AddStringToObject(f, "name", name);
	cJSON_AddStringToObject(f, "value", value);
	cJSON_AddBoolToObject(f, "inline", 1);
	cJSON_AddItemToArray(fields, f);
}

/*
 * Discord's webhook body: the text as the message, and one embed with the
 * session as its title and the car, driver and lap as fields (far inside
 * Discord's limits: text and names are short). Returns the text (caller
 * frees) or NULL.
 */
static char *
payload_discord(const struct notify *nt, const struct event *e)
{
	static const int colors[HEV__MAX] = { 0x2e7d32, 0x1565c0, 0x6a1b9a, 0xc62828,
		0xef6c00, 0x212121 };
	cJSON	*o = cJSON_CreateObject(), *embeds, *em, *fields;
	char	 title[256], link[512], when[32], v[160], *out = NULL;

	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "content", e->text);
	if ((embeds = cJSON_AddArrayToObject(o, "embeds")) == NULL ||
	    (em = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddItemToArray(embeds, em);
	snprintf(title, sizeof(title), "%s · %s", e->s->track[0] ? e->s->track : e->s->sim,
	    e->s->type);
	cJSON_AddStringToObject(em, "title", title);
	cJSON_AddStringToObject(em, "description", e->text);
	event_link(nt, e, link, sizeof(link));
	if (link[0])
		cJSON_AddStringToObject(em, "url", link);
	time_iso(e->at, when);
	cJSON_AddStringToObject(em, "timestamp", when);
	cJSON_AddNumberToObject(em, "color", colors[e->ev]);
	if ((fields = cJSON_AddArrayToObject(em, "fields")) != NULL) {
		discord_field(fields, "Event", hook_event_names[e->ev]);
		if (e->car != NULL) {
			snprintf(v, sizeof(v), "%s%s%s%s", e->car->number[0] ? "#" : "",
			    e->car->number, e->car->number[0] && e->car->team[0] ? " " : "",
			    e->car->team[0] ? e->car->team : (e->car->number[0] ? "" :
			    e->car->vehicle_name));
			discord_field(fields, "Car", v);
			discord_field(fields, "Class", e->car->cls);
		}
		discord_field(fields, "Driver", e->driver);
		if (e->lap >= 0) {
			snprintf(v, sizeof(v), "%d", e->lap);
			discord_field(fields, "Lap", v);
		}
	}
	cJSON_AddItemToObject(o, "username", cJSON_CreateString("Trackside"));
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

/*
 * Queues event e for every hook that follows it (car: only those whose car
 * is e's car; an event of no car reaches every hook that lists it). Inside
 * the caller's transaction. Returns 1 or -1.
 */
static int
notify_event(struct notify *nt, const struct event *e)
{
	sqlite3_stmt	*q = nt->st[NST_HOOKS], *ins;
	char		*json = NULL, *discord = NULL;
	double		 now = time_now();
	int		 rc, ret = 1;

	while ((rc = db_step(q)) == SQLITE_ROW) {
		long long hook = sqlite3_column_int64(q, 0);
		const char *car = (const char *)sqlite3_column_text(q, 1);
		const char *events = (const char *)sqlite3_column_text(q, 2);
		const char *format = (const char *)sqlite3_column_text(q, 3);
		char **body;
		if (!list_has(events, hook_event_names[e->ev]) ||
		    (e->car != NULL && !hook_follows(car, e->car)))
			continue;
		/* a pit window is for a team's hook, at its window */
		if (e->ev == HEV_PIT_WINDOW && (car == NULL || *car == '\0' ||
		    e->laps_left > sqlite3_column_int(q, 4)))
			continue;
		body = format != NULL && strcmp(format, "discord") == 0 ? &discord : &json;
		if (*body == NULL)
			*body = body == &discord ? payload_discord(nt, e) : payload_json(nt, e);
		if (*body == NULL) {
			log_err("webhooks: out of memory");
			ret = -1;
			break;
		}
		ins = nt->st[NST_INSERT];
		sqlite3_bind_int64(ins, 1, hook);
		sqlite3_bind_text(ins, 2, e->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, e->s->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, *body, -1, SQLITE_STATIC);
		sqlite3_bind_double(ins, 5, now);
		sqlite3_bind_double(ins, 6, HOOK_NEVER);
		if (step_done(ins) < 0) {
			ret = -1;
			break;
		}
		if (sqlite3_changes(nt->db) > 0)
			nt->queued++;
	}
	if (ret > 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = -1;
	sqlite3_reset(q);
	cJSON_free(json);
	cJSON_free(discord);
	return ret;
}

/* The process's notifier for ig's changes: NULL when none, or ig re-derives history. */
static struct notify *
notify_for(struct ingest *ig)
{
	if (notify_cur == NULL || ig == NULL || ingest_tracker(ig)->single)
		return NULL;
	return notify_cur;
}

int
notify_log(struct ingest *ig, const struct change *ch, long long log_id)
{
	struct notify	*nt = notify_for(ig);
	struct event	 e;
	char		 key[48];
	int		 ev, rc;

	if (nt == NULL || ch == NULL || ch->type != CH_LOG || ch->s == NULL || log_id <= 0 ||
	    (ev = log_event(&ch->log)) < 0)
		return 1;
	/* a car's finish; the session's is its phase */
	if (strcmp(ch->log.kind, "finish") == 0 && ch->car == NULL)
		return 1;
	snprintf(key, sizeof(key), "log:%lld", log_id);
	memset(&e, 0, sizeof(e));
	e.ev = (enum hook_event)ev;
	e.kind = ch->log.kind;
	e.key = key;
	e.s = ch->s;
	e.car = ch->car;
	e.lap = ch->log.lap;
	e.driver = ch->log.driver;
	e.text = ch->log.text;
	e.et = ch->log.et;
	e.at = ch->log.at;
	e.data = ch->log.data[0] ? cJSON_Parse(ch->log.data) : NULL;
	rc = notify_event(nt, &e);
	cJSON_Delete(e.data);
	return rc;
}

/* Whether any live hook with a car follows the pit window of car c. Returns 1, 0 or -1. */
static int
window_wanted(struct notify *nt, const struct tcar *c, int *window)
{
	sqlite3_stmt	*q = nt->st[NST_HOOKS];
	int		 rc, found = 0;

	*window = 0;
	while ((rc = db_step(q)) == SQLITE_ROW) {
		const char *car = (const char *)sqlite3_column_text(q, 1);
		if (car == NULL || !hook_follows(car, c) ||
		    !list_has((const char *)sqlite3_column_text(q, 2), "pit_window"))
			continue;
		found = 1;
		if (sqlite3_column_int(q, 4) > *window)
			*window = sqlite3_column_int(q, 4);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? found : -1;
}

/*
 * The pit window of a team's car: after each live lap, the laps its fuel
 * (or virtual energy) has left, from the same figures as the strategy page;
 * at window_laps or fewer, once per stint, for each hook whose window it
 * reached.
 */
int
notify_lap(struct ingest *ig, const struct change *ch)
{
	struct notify	*nt = notify_for(ig);
	struct tcar	*c;
	const struct tlap *lap;
	struct strat_in	 in;
	struct strat_out out;
	struct event	 e;
	char		 key[64], text[LOG_TEXT_LEN];
	size_t		 n = 0;
	int		 window, rc;

	if (nt == NULL || ch == NULL || ch->type != CH_LAP || ch->s == NULL ||
	    (c = ch->car) == NULL || ch->n < 1 || ch->n > c->max_lap ||
	    (size_t)ch->n > c->laps_cap)
		return 1;
	lap = &c->laps_v[ch->n - 1];	/* the change names its lap by number */
	if (lap->source != LSRC_LIVE || ch->s->finished || c->finish != FIN_NONE)
		return 1;
	if ((rc = window_wanted(nt, c, &window)) <= 0)
		return rc;
	if ((size_t)c->max_lap > nt->laps_cap) {
		size_t cap = (size_t)c->max_lap + 64;
		struct strat_lap *p = realloc(nt->laps, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		nt->laps = p;
		nt->laps_cap = cap;
	}
	for (int i = 0; i < c->max_lap && (size_t)i < c->laps_cap; i++) {
		const struct tlap *l = &c->laps_v[i];
		struct strat_lap *sl = &nt->laps[n];
		if (!l->known)
			continue;
		memset(sl, 0, sizeof(*sl));
		sl->lap = l->lap;
		sl->time = l->time;
		sl->start_et = l->start_et;
		sl->fuel = l->fuel;
		sl->ve = l->ve;
		sl->pit = l->pit;
		sl->valid = l->valid;
		sl->driver = l->driver;
		n++;
	}
	memset(&in, 0, sizeof(in));
	in.laps = nt->laps;
	in.n = n;
	in.remaining = ch->s->remaining;
	in.max_laps = ch->s->max_laps;
	in.et = ch->s->et;
	in.fuel_now = c->fuel;
	in.ve_now = c->ve;
	in.class_pace = -1;
	in.leader_pace = -1;
	if (strategy_compute(&in, &out) <= 0 || !isfinite(out.laps_left) ||
	    out.laps_left > window || out.stops_needed == 0)
		return 1;
	snprintf(key, sizeof(key), "window:%lld:%d", c->store_id, out.stint_first);
	snprintf(text, sizeof(text), "%s%s%s%s: pit window, %.1f laps of %s left (lap %d)",
	    c->number[0] ? "#" : "", c->number, c->number[0] ? " " : "",
	    c->team[0] ? c->team : c->driver, out.laps_left, out.limiting == 1 ? "energy" : "fuel",
	    lap->lap);
	memset(&e, 0, sizeof(e));
	e.ev = HEV_PIT_WINDOW;
	e.kind = "pit_window";
	e.key = key;
	e.s = ch->s;
	e.car = c;
	e.lap = lap->lap;
	e.driver = c->driver;
	e.text = text;
	e.et = ch->s->et;
	e.at = time_now();
	e.laps_left = out.laps_left;
	if ((e.data = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddNumberToObject(e.data, "laps_left", round(out.laps_left * 100) / 100);
	cJSON_AddStringToObject(e.data, "limiting", out.limiting == 1 ? "ve" : "fuel");
	if (isfinite(out.fuel_per_lap))
		cJSON_AddNumberToObject(e.data, "fuel_per_lap", out.fuel_per_lap);
	if (isfinite(out.ve_per_lap))
		cJSON_AddNumberToObject(e.data, "ve_per_lap", out.ve_per_lap);
	cJSON_AddNumberToObject(e.data, "stint_first", out.stint_first);
	if (out.window_first >= 0)
		cJSON_AddNumberToObject(e.data, "window_first", out.window_first);
	if (out.window_last >= 0)
		cJSON_AddNumberToObject(e.data, "window_last", out.window_last);
	rc = notify_event(nt, &e);
	cJSON_Delete(e.data);
	return rc;
}

void
notify_end(int committed)
{
	struct notify *nt = notify_cur;

	if (nt == NULL || nt->queued == 0)
		return;
	nt->queued = 0;
	if (!committed)
		return;
	pthread_mutex_lock(&nt->mu);
	nt->gen++;
	pthread_cond_signal(&nt->cv);
	pthread_mutex_unlock(&nt->mu);
}

int
notify_wait(struct notify *nt, unsigned long long *seen, double timeout)
{
	struct timespec	 ts;
	int		 stop;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (timeout < 0)
		timeout = 0;
	ts.tv_sec += (time_t)timeout;
	ts.tv_nsec += (long)((timeout - floor(timeout)) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&nt->mu);
	while (nt->gen == *seen && !nt->stop)
		if (pthread_cond_timedwait(&nt->cv, &nt->mu, &ts) == ETIMEDOUT)
			break;
	*seen = nt->gen;
	stop = nt->stop;
	pthread_mutex_unlock(&nt->mu);
	return stop;
}

void
notify_stop(struct notify *nt)
{
	pthread_mutex_lock(&nt->mu);
	nt->stop = 1;
	pthread_cond_broadcast(&nt->cv);
	pthread_mutex_unlock(&nt->mu);
}

int
notify_stopping(struct notify *nt)
{
	int stop;

	pthread_mutex_lock(&nt->mu);
	stop = nt->stop;
	pthread_mutex_unlock(&nt->mu);
	return stop;
}
