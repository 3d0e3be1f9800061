/*
 * Admin commands (see cmd.h): their names, the arguments each takes with
 * their bounds, building, checking and sending them, and reading back
 * what trackside-ingestd made of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trackside.h"
#include "cmd.h"

const char *const cmd_names[CMD__MAX] = {
	"known.add", "known.rename", "known.remove", "known.import",
	"client.add", "client.revoke", "client.rebind",
	"enroll.add", "enroll.end",
	"session.rename", "session.hide", "session.delete", "session.merge", "session.split",
	"session.reprocess",
	"account.add", "account.passwd", "account.remove",
	"login.open", "login.touch", "login.close", "login.fail",
	"session.rules", "hook.add", "hook.remove",
};

const char *const cmd_hook_events[CMD_HOOK_EVENTS] = {
	"session_start", "pit", "swap", "penalty", "pit_window", "finish",
};
const char *const cmd_hook_formats[CMD_HOOK_FORMATS] = { "json", "discord" };

/* The keys of session.rules' "rules", as lib/drive.h names them. */
static const char *const rule_keys[] = { "min", "max", "window", "window_max", "stint" };

/* What an argument holds. */
enum arg_type {
	ARG_TEXT,	/* 1..CMD_NAME_MAX bytes of UTF-8, no control characters */
	ARG_TEXT0,	/* the same, or empty */
	ARG_NOTE,	/* 0..CMD_NOTE_MAX bytes, no control characters */
	ARG_ACCOUNT,	/* 1..CMD_NAME_MAX of A-Z a-z 0-9 . _ - */
	ARG_SHA256,	/* 64 lower-case hex digits */
	ARG_SESSION,	/* a session id */
	ARG_CLIENT,	/* a client id (8..64 of A-Z a-z 0-9 _ -) */
	ARG_ID,		/* a row id, 1..2^62 */
	ARG_TIME,	/* epoch seconds */
	ARG_BOOL,
	ARG_PWHASH,	/* an encoded Argon2id hash */
	ARG_ROWS,	/* [{name: TEXT, note: NOTE?}], 1..CMD_IMPORT_MAX, names distinct */
	ARG_RULES,	/* {min?, max?, window?, window_max?, stint?}: 0..CMD_RULE_MAX s */
	ARG_URL,	/* http:// or https://, 1..CMD_URL_MAX, no spaces or control characters */
	ARG_EVENTS,	/* a comma list of cmd_hook_events, each once */
	ARG_FORMAT,	/* one of cmd_hook_formats */
	ARG_LAPS,	/* a whole number 1..CMD_WINDOW_LAPS_MAX */
};

struct arg {
	const char	*key;
	enum arg_type	 type;
	int		 optional;
};

#define ARGS_MAX 5
static const struct arg cmd_args[CMD__MAX][ARGS_MAX] = {
	[CMD_KNOWN_ADD] = { { "name", ARG_TEXT, 0 }, { "note", ARG_NOTE, 1 } },
	[CMD_KNOWN_RENAME] = { { "name", ARG_TEXT, 0 }, { "to", ARG_TEXT, 0 } },
	[CMD_KNOWN_REMOVE] = { { "name", ARG_TEXT, 0 } },
	[CMD_KNOWN_IMPORT] = { { "rows", ARG_ROWS, 0 } },
	[CMD_CLIENT_ADD] = { { "name", ARG_TEXT, 0 }, { "token_hash", ARG_SHA256, 0 },
	    { "code_hash", ARG_SHA256, 1 } },
	[CMD_CLIENT_REVOKE] = { { "token", ARG_ID, 0 } },
	[CMD_CLIENT_REBIND] = { { "client", ARG_CLIENT, 0 }, { "token", ARG_ID, 0 } },
	[CMD_ENROLL_ADD] = { { "code_hash", ARG_SHA256, 0 }, { "label", ARG_TEXT, 0 },
	    { "expires_at", ARG_TIME, 0 } },
	[CMD_ENROLL_END] = { { "code_hash", ARG_SHA256, 0 } },
	[CMD_SESSION_RENAME] = { { "session", ARG_SESSION, 0 }, { "name", ARG_TEXT0, 0 } },
	[CMD_SESSION_HIDE] = { { "session", ARG_SESSION, 0 }, { "hidden", ARG_BOOL, 0 } },
	[CMD_SESSION_DELETE] = { { "session", ARG_SESSION, 0 } },
	[CMD_SESSION_MERGE] = { { "session", ARG_SESSION, 0 }, { "into", ARG_SESSION, 0 } },
	[CMD_SESSION_SPLIT] = { { "session", ARG_SESSION, 0 }, { "at", ARG_TIME, 0 } },
	[CMD_SESSION_REPROCESS] = { { "session", ARG_SESSION, 0 } },
	[CMD_ACCOUNT_ADD] = { { "name", ARG_ACCOUNT, 0 }, { "pw_hash", ARG_PWHASH, 0 } },
	[CMD_ACCOUNT_PASSWD] = { { "name", ARG_ACCOUNT, 0 }, { "pw_hash", ARG_PWHASH, 0 } },
	[CMD_ACCOUNT_REMOVE] = { { "name", ARG_ACCOUNT, 0 } },
	[CMD_LOGIN_OPEN] = { { "id_hash", ARG_SHA256, 0 }, { "account", ARG_ACCOUNT, 0 } },
	[CMD_LOGIN_TOUCH] = { { "id_hash", ARG_SHA256, 0 } },
	[CMD_LOGIN_CLOSE] = { { "id_hash", ARG_SHA256, 0 } },
	[CMD_LOGIN_FAIL] = { { "account", ARG_TEXT, 0 } },
	[CMD_SESSION_RULES] = { { "session", ARG_SESSION, 0 }, { "rules", ARG_RULES, 0 } },
	[CMD_HOOK_ADD] = { { "url", ARG_URL, 0 }, { "car", ARG_TEXT, 1 }, { "events", ARG_EVENTS, 0 },
	    { "format", ARG_FORMAT, 0 }, { "window_laps", ARG_LAPS, 1 } },
	[CMD_HOOK_REMOVE] = { { "hook", ARG_ID, 0 } },
};

/*
 * Whether s is text a person may give a name or a note: valid UTF-8, at
 * most max bytes, no control characters. Returns 1 or 0.
 */
int
cmd_text_valid(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max || !jscan_utf8_valid(s, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int
account_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CMD_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static int
sha256_valid(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * Whether s is a webhook's address: http:// or https:// and a host, at
 * most CMD_URL_MAX bytes of printable ASCII without spaces. Returns 1 or 0.
 */
int
cmd_url_valid(const char *s)
{
	size_t n = strlen(s), p;

	if (n > CMD_URL_MAX)
		return 0;
	if (strncmp(s, "http://", 7) == 0)
		p = 7;
	else if (strncmp(s, "https://", 8) == 0)
		p = 8;
	else
		return 0;
	if (s[p] == '\0' || s[p] == '/' || s[p] == '?' || s[p] == '#')
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/*
 * Whether s is a comma list of webhook events (cmd_hook_events), at least
 * one, none twice, no spaces. Returns 1 or 0.
 */
int
cmd_events_valid(const char *s)
{
	int seen[CMD_HOOK_EVENTS] = { 0 };

	for (;;) {
		size_t n = strcspn(s, ","), i;
		for (i = 0; i < CMD_HOOK_EVENTS; i++)
			if (strlen(cmd_hook_events[i]) == n && strncmp(s, cmd_hook_events[i], n) == 0)
				break;
		if (i == CMD_HOOK_EVENTS || seen[i]++)
			return 0;
		if (s[n] == '\0')
			return 1;
		s += n + 1;
	}
}

/* Checks session.rules' rules: known keys, each once, 0..CMD_RULE_MAX s. */
static int
rules_valid(const cJSON *v, const char *key, struct buf *err)
{
	const size_t	 nkeys = sizeof(rule_keys) / sizeof(rule_keys[0]);
	const cJSON	*r;

	if (!cJSON_IsObject(v)) {
		buf_printf(err, "\"%s\" must be an object", key);
		return 0;
	}
	cJSON_ArrayForEach(r, v) {
		size_t i;
		for (i = 0; i < nkeys; i++)
			if (strcmp(r->string, rule_keys[i]) == 0)
				break;
		if (i == nkeys) {
			buf_printf(err, "\"%s\" is no drive-time rule (min, max, window, window_max, "
			    "stint)", r->string);
			return 0;
		}
		for (const cJSON *o = v->child; o != r; o = o->next)
			if (strcmp(o->string, r->string) == 0) {
				buf_printf(err, "\"%s\" comes twice", r->string);
				return 0;
			}
		if (!cJSON_IsNumber(r) || !(r->valuedouble >= 0 && r->valuedouble <= CMD_RULE_MAX)) {
			buf_printf(err, "the rule \"%s\" must be 0 to %d seconds", r->string,
			    CMD_RULE_MAX);
			return 0;
		}
	}
	return 1;
}

/* Whether v is a string of this type; sets err. */
static int
arg_string_valid(const cJSON *v, enum arg_type t, const char *key, struct buf *err)
{
	const char *s;

	if (!cJSON_IsString(v)) {
		buf_printf(err, "\"%s\" must be a string", key);
		return 0;
	}
	s = v->valuestring;
	switch (t) {
	case ARG_TEXT:
	case ARG_TEXT0:
		if ((t == ARG_TEXT && *s == '\0') || !cmd_text_valid(s, CMD_NAME_MAX)) {
			buf_printf(err, "\"%s\" must be %d to %d characters of text, without control "
			    "characters", key, t == ARG_TEXT, CMD_NAME_MAX);
			return 0;
		}
		return 1;
	case ARG_NOTE:
		if (!cmd_text_valid(s, CMD_NOTE_MAX)) {
			buf_printf(err, "\"%s\" must be at most %d characters of text, without control "
			    "characters", key, CMD_NOTE_MAX);
			return 0;
		}
		return 1;
	case ARG_ACCOUNT:
		if (!account_valid(s)) {
			buf_printf(err, "an account name has 1 to %d characters of A-Z a-z 0-9 . _ -",
			    CMD_NAME_MAX);
			return 0;
		}
		return 1;
	case ARG_SHA256:
		if (!sha256_valid(s)) {
			buf_printf(err, "\"%s\" must be 64 hex digits", key);
			return 0;
		}
		return 1;
	case ARG_SESSION:
		if (!id_valid(s, 1, 64)) {
			buf_printf(err, "\"%s\" is not a session id", key);
			return 0;
		}
		return 1;
	case ARG_CLIENT:
		if (!id_valid(s, 8, INBOX_CLIENT_MAX)) {
			buf_printf(err, "a client id has 8 to %d characters of A-Z a-z 0-9 _ -",
			    INBOX_CLIENT_MAX);
			return 0;
		}
		return 1;
	case ARG_PWHASH:
		if (strncmp(s, "$argon2id$", 10) != 0 || strlen(s) > 127) {
			buf_printf(err, "\"%s\" is not an Argon2id hash", key);
			return 0;
		}
		return 1;
	case ARG_URL:
		if (!cmd_url_valid(s)) {
			buf_printf(err, "\"%s\" must be an http:// or https:// address of at most %d "
			    "characters, without spaces", key, CMD_URL_MAX);
			return 0;
		}
		return 1;
	case ARG_EVENTS:
		if (!cmd_events_valid(s)) {
			buf_printf(err, "\"%s\" must list events among session_start, pit, swap, "
			    "penalty, pit_window, finish, separated by commas, each once", key);
			return 0;
		}
		return 1;
	case ARG_FORMAT:
		for (int i = 0; i < CMD_HOOK_FORMATS; i++)
			if (strcmp(s, cmd_hook_formats[i]) == 0)
				return 1;
		buf_printf(err, "\"%s\" must be json or discord", key);
		return 0;
	default:
		return 0;
	}
}

/* Checks an import's rows: each a name and an optional note, no name twice. */
static int
rows_valid(const cJSON *v, struct buf *err)
{
	const cJSON	*row;
	int		 n = 0;

	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1 || cJSON_GetArraySize(v) > CMD_IMPORT_MAX) {
		buf_printf(err, "\"rows\" must be a list of 1 to %d drivers", CMD_IMPORT_MAX);
		return 0;
	}
	cJSON_ArrayForEach(row, v) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(row, "name");
		const cJSON *note = cJSON_GetObjectItemCaseSensitive(row, "note");
		n++;
		if (!cJSON_IsObject(row) || !arg_string_valid(name, ARG_TEXT, "name", err) ||
		    (note != NULL && !arg_string_valid(note, ARG_NOTE, "note", err))) {
			if (!cJSON_IsObject(row))
				buf_printf(err, "a row must be an object");
			buf_printf(err, " (row %d)", n);
			return 0;
		}
		for (const cJSON *o = v->child; o != row; o = o->next)
			if (strcmp(cJSON_GetObjectItemCaseSensitive(o, "name")->valuestring,
			    name->valuestring) == 0) {
				buf_printf(err, "\"%s\" comes twice (row %d)", name->valuestring, n);
				return 0;
			}
	}
	return 1;
}

/*
 * Checks c's arguments against its kind's table: every one present (unless
 * optional) and of its type, nothing else. Returns 1 valid, 0 not (err
 * says why).
 */
int
cmd_check(const struct cmd *c, struct buf *err)
{
	const struct arg	*a = cmd_args[c->kind];
	const cJSON		*v;

	if (!cJSON_IsObject(c->args)) {
		buf_printf(err, "the command has no arguments object");
		return 0;
	}
	cJSON_ArrayForEach(v, c->args) {
		int known = 0;
		for (int i = 0; i < ARGS_MAX && a[i].key != NULL; i++)
			known |= strcmp(a[i].key, v->string) == 0;
		if (!known) {
			buf_printf(err, "%s takes no \"%s\"", cmd_names[c->kind], v->string);
			return 0;
		}
		/* one value per key: every reader takes the same one */
		for (const cJSON *o = c->args->child; o != v; o = o->next)
			if (strcmp(o->string, v->string) == 0) {
				buf_printf(err, "\"%s\" comes twice", v->string);
				return 0;
			}
	}
	for (int i = 0; i < ARGS_MAX && a[i].key != NULL; i++) {
		v = cJSON_GetObjectItemCaseSensitive(c->args, a[i].key);
		if (v == NULL) {
			if (a[i].optional)
				continue;
			buf_printf(err, "%s needs \"%s\"", cmd_names[c->kind], a[i].key);
			return 0;
		}
		switch (a[i].type) {
		case ARG_ID:
			if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 4.6e18 ||
			    v->valuedouble != (double)(long long)v->valuedouble) {
				buf_printf(err, "\"%s\" must be a positive whole number", a[i].key);
				return 0;
			}
			break;
		case ARG_TIME:
			if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 3e10) {
				buf_printf(err, "\"%s\" must be a time", a[i].key);
				return 0;
			}
			break;
		case ARG_BOOL:
			if (!cJSON_IsBool(v)) {
				buf_printf(err, "\"%s\" must be true or false", a[i].key);
				return 0;
			}
			break;
		case ARG_ROWS:
			if (!rows_valid(v, err))
				return 0;
			break;
		case ARG_RULES:
			if (!rules_valid(v, a[i].key, err))
				return 0;
			break;
		case ARG_LAPS:
			if (!cJSON_IsNumber(v) || v->valuedouble < 1 ||
			    v->valuedouble > CMD_WINDOW_LAPS_MAX ||
			    v->valuedouble != (double)(int)v->valuedouble) {
				buf_printf(err, "\"%s\" must be a whole number from 1 to %d", a[i].key,
				    CMD_WINDOW_LAPS_MAX);
				return 0;
			}
			break;
		default:
			if (!arg_string_valid(v, a[i].type, a[i].key, err))
				return 0;
		}
	}
	return 1;
}

/*
 * Starts a command of kind: a new random id, the time, who gives it and
 * from where (addr may be NULL), and an empty args object to fill.
 * Returns 1 or -1 (nothing to free then).
 */
int
cmd_new(struct cmd *c, enum cmd_kind kind, const char *by, const char *addr)
{
	unsigned char raw[CMD_ID_LEN / 2];

	memset(c, 0, sizeof(*c));
	if (rand_bytes(raw, sizeof(raw)) < 0)
		return -1;
	hex_encode(raw, sizeof(raw), c->id);
	c->kind = kind;
	c->at = time_now();
	snprintf(c->by, sizeof(c->by), "%s", by);
	snprintf(c->addr, sizeof(c->addr), "%s", addr ? addr : "");
	if ((c->root = cJSON_CreateObject()) == NULL ||
	    (c->args = cJSON_AddObjectToObject(c->root, "args")) == NULL) {
		cJSON_Delete(c->root);
		c->root = NULL;
		return -1;
	}
	return 1;
}

/* A string member of c's args, or NULL. */
const char *
cmd_str(const struct cmd *c, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->args, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
field_text(const cJSON *o, const char *key, char *out, size_t outsz, int (*ok)(const char *))
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) || strlen(v->valuestring) >= outsz || !ok(v->valuestring))
		return 0;
	snprintf(out, outsz, "%s", v->valuestring);
	return 1;
}

static int
cmdid_valid(const char *s)
{
	if (strlen(s) != CMD_ID_LEN)
		return 0;
	for (size_t i = 0; i < CMD_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int
by_valid(const char *s)
{
	return *s != '\0' && cmd_text_valid(s, CMD_BY_MAX);
}

static int
addr_valid(const char *s)
{
	return cmd_text_valid(s, CMD_ADDR_MAX);
}

/*
 * Reads a command from its JSON (as cmd_json wrote it, from the inbox) and
 * checks it. Returns 1 (free with cmd_free), 0 malformed (err says why;
 * nothing to free), -1 out of memory.
 */
int
cmd_parse(struct cmd *c, const char *json, size_t len, struct buf *err)
{
	const cJSON	*v, *k;
	size_t		 i;

	memset(c, 0, sizeof(*c));
	if ((c->root = cJSON_ParseWithLength(json, len)) == NULL) {
		buf_printf(err, "the command is not JSON");
		return 0;
	}
	v = cJSON_GetObjectItemCaseSensitive(c->root, "v");
	k = cJSON_GetObjectItemCaseSensitive(c->root, "cmd");
	for (i = 0; cJSON_IsString(k) && i < CMD__MAX; i++)
		if (strcmp(k->valuestring, cmd_names[i]) == 0)
			break;
	if (!cJSON_IsNumber(v) || v->valueint != 1 || !cJSON_IsString(k) || i == CMD__MAX) {
		buf_printf(err, "not a command of this version");
		goto bad;
	}
	c->kind = (enum cmd_kind)i;
	v = cJSON_GetObjectItemCaseSensitive(c->root, "at");
	if (!field_text(c->root, "id", c->id, sizeof(c->id), cmdid_valid) ||
	    !cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 3e10) ||
	    !field_text(c->root, "by", c->by, sizeof(c->by), by_valid) ||
	    (cJSON_GetObjectItemCaseSensitive(c->root, "addr") != NULL &&
	    !field_text(c->root, "addr", c->addr, sizeof(c->addr), addr_valid))) {
		buf_printf(err, "the command's id, time or author is missing or malformed");
		goto bad;
	}
	c->at = v->valuedouble;
	c->args = cJSON_GetObjectItemCaseSensitive(c->root, "args");
	if (!cmd_check(c, err))
		goto bad;
	return 1;
bad:
	cJSON_Delete(c->root);
	memset(c, 0, sizeof(*c));
	return 0;
}

/*
 * The JSON of c (malloc'd, the caller frees it), or NULL. The envelope is
 * written from c's fields; every copy of its keys in root goes first, so
 * that a reader of the JSON finds c's and no other.
 */
char *
cmd_json(const struct cmd *c)
{
	static const char *const keys[] = { "v", "id", "cmd", "at", "by", "addr" };
	cJSON *root = c->root;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		while (cJSON_GetObjectItemCaseSensitive(root, keys[i]) != NULL)
			cJSON_DeleteItemFromObjectCaseSensitive(root, keys[i]);
	if (cJSON_AddNumberToObject(root, "v", 1) == NULL ||
	    cJSON_AddStringToObject(root, "id", c->id) == NULL ||
	    cJSON_AddStringToObject(root, "cmd", cmd_names[c->kind]) == NULL ||
	    cJSON_AddNumberToObject(root, "at", c->at) == NULL ||
	    cJSON_AddStringToObject(root, "by", c->by) == NULL ||
	    (c->addr[0] && cJSON_AddStringToObject(root, "addr", c->addr) == NULL))
		return NULL;
	return cJSON_PrintUnformatted(root);
}

/* Releases what c holds; cmd_free on a zeroed struct is a no-op. */
void
cmd_free(struct cmd *c)
{
	cJSON_Delete(c->root);
	memset(c, 0, sizeof(*c));
}

/*
 * A new client token ("ts_" + 48 hex digits: 24 random bytes) into tok and
 * the SHA-256 hex of it, all the server keeps, into hash. Returns 1, -1
 * when there is no randomness.
 */
int
cmd_token(char tok[CMD_TOKEN_SIZE], char hash[65])
{
	unsigned char raw[(CMD_TOKEN_SIZE - 4) / 2];

	if (rand_bytes(raw, sizeof(raw)) < 0)
		return -1;
	memcpy(tok, "ts_", 3);
	hex_encode(raw, sizeof(raw), tok + 3);
	sha256_hex(tok, strlen(tok), hash);
	return 1;
}

/*
 * Puts c in the inbox through w and waits until it is durable. Returns 1,
 * 0 when c is not valid (nothing is written), -1 on failure (errno).
 */
int
cmd_put(struct inbox_writer *w, const struct cmd *c)
{
	struct buf	 err = { 0 };
	char		*json, head[64];
	unsigned long	 ticket;
	int		 rc;

	if (!cmd_check(c, &err)) {
		log_err("command %s: %s", cmd_names[c->kind], err.p);
		buf_free(&err);
		return 0;
	}
	if ((json = cmd_json(c)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	snprintf(head, sizeof(head), "{\"received_at\":%.3f}", time_now());
	/* The worker orders commands by their place in the inbox, not by seq. */
	rc = inbox_append(w, CMD_CLIENT, (long long)(time_now() * 1e6), head, strlen(head), json,
	    strlen(json), &ticket);
	free(json);
	if (rc < 0)
		return -1;
	return inbox_sync(w, ticket) < 0 ? -1 : 1;
}

/*
 * What trackside-ingestd made of command id: *ok 1 applied, 0 refused;
 * summary gets its words; *result (when result is not NULL) the JSON it
 * handed back, or NULL. Returns 1 found, 0 not applied yet, -1 database
 * error.
 */
int
cmd_outcome(sqlite3 *db, const char *id, int *ok, struct buf *summary, cJSON **result)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (result != NULL)
		*result = NULL;
	if (sqlite3_prepare_v2(db, "SELECT ok, summary, result FROM admin_log WHERE id = ?", -1,
	    &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*ok = sqlite3_column_int(st, 0);
		if (summary != NULL)
			buf_printf(summary, "%s", (const char *)sqlite3_column_text(st, 1));
		if (result != NULL && sqlite3_column_type(st, 2) != SQLITE_NULL)
			*result = cJSON_Parse((const char *)sqlite3_column_text(st, 2));
		rc = 1;
	} else
		rc = rc == SQLITE_DONE || rc == SQLITE_BUSY ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/*
 * Waits up to timeout seconds for command id to be applied (cmd_outcome's
 * results). Returns 1 applied or refused, 0 still waiting, -1 error.
 */
int
cmd_wait(sqlite3 *db, const char *id, double timeout, int *ok, struct buf *summary,
    cJSON **result)
{
	double		 until = time_mono() + timeout;
	struct timespec	 ts = { 0, 0 };
	long		 step = 2000000;	/* 2 ms, doubling to 50 ms */
	int		 rc;

	for (;;) {
		if ((rc = cmd_outcome(db, id, ok, summary, result)) != 0 || time_mono() >= until)
			return rc;
		ts.tv_nsec = step;
		nanosleep(&ts, NULL);
		if (step < 50000000)
			step *= 2;
	}
}
