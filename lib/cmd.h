/*
 * Admin commands: what the trackside command and the admin pages ask of
 * trackside-ingestd, the one writer. A command is a JSON object
 *
 *	{"v": 1, "id": "<32 hex>", "cmd": "known.add", "at": <epoch s>,
 *	 "by": "<account or cli:user>", "addr": "<browser address>",
 *	 "args": {...}}
 *
 * put in the inbox as a record of client CMD_CLIENT (a name no uploader can
 * use), ordered with the frames. trackside-ingestd applies it once (its id
 * is kept in admin_log) and writes the outcome to admin_log, where the
 * sender waits for it (cmd_wait). The definitions here (names, arguments and
 * their bounds) are shared by every program, so the command line and the
 * web cannot disagree.
 */
#ifndef CMD_H
#define CMD_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "trackside.h"

#define CMD_CLIENT	"@admin"	/* inbox client of command records */
#define CMD_ID_LEN	32
#define CMD_BY_MAX	64
#define CMD_ADDR_MAX	64

enum cmd_kind {
	CMD_KNOWN_ADD,		/* name, note? */
	CMD_KNOWN_RENAME,	/* name, to */
	CMD_KNOWN_REMOVE,	/* name */
	CMD_KNOWN_IMPORT,	/* rows: [{name, note?}], all or nothing */
	CMD_CLIENT_ADD,		/* name, token_hash, code_hash? (open enrollment) */
	CMD_CLIENT_REVOKE,	/* token (clients.id) */
	CMD_CLIENT_REBIND,	/* client (client id), token (clients.id) */
	CMD_ENROLL_ADD,		/* code_hash, label, expires_at */
	CMD_ENROLL_END,		/* code_hash */
	CMD_SESSION_RENAME,	/* session, name ("" clears) */
	CMD_SESSION_HIDE,	/* session, hidden (bool) */
	CMD_SESSION_DELETE,	/* session */
	CMD_SESSION_MERGE,	/* session, into: session's frames join into's */
	CMD_SESSION_SPLIT,	/* session, at (epoch s of capture): later frames go to a new session */
	CMD_SESSION_REPROCESS,	/* session */
	CMD_ACCOUNT_ADD,	/* name, pw_hash */
	CMD_ACCOUNT_PASSWD,	/* name, pw_hash */
	CMD_ACCOUNT_REMOVE,	/* name */
	CMD_LOGIN_OPEN,		/* id_hash, account */
	CMD_LOGIN_TOUCH,	/* id_hash */
	CMD_LOGIN_CLOSE,	/* id_hash */
	CMD_LOGIN_FAIL,		/* account (as typed) */
	CMD_SESSION_RULES,	/* session, rules {min?, max?, window?, window_max?, stint?} s */
	CMD_HOOK_ADD,		/* url, car?, events, format, window_laps? */
	CMD_HOOK_REMOVE,	/* hook (webhooks.id) */
	CMD__MAX
};
extern const char *const cmd_names[CMD__MAX];

/* A command in memory: root owns everything; args is root's "args". */
struct cmd {
	enum cmd_kind	 kind;
	char		 id[CMD_ID_LEN + 1];
	double		 at;
	char		 by[CMD_BY_MAX + 1];
	char		 addr[CMD_ADDR_MAX + 1];
	cJSON		*root;
	cJSON		*args;
};

/* Bounds of what commands carry, for forms and the command line alike. */
#define CMD_NAME_MAX	64	/* driver, client, account, session names */
#define CMD_NOTE_MAX	200
#define CMD_IMPORT_MAX	5000	/* rows of a known-driver import */
#define CMD_URL_MAX	500	/* a webhook's address */
#define CMD_RULE_MAX	(7 * 86400)	/* a drive-time rule, seconds */
#define CMD_WINDOW_LAPS_MAX 50	/* a pit-window webhook's laps left */
/* What a webhook may be told of, and how it is told. */
#define CMD_HOOK_EVENTS	6
extern const char *const cmd_hook_events[CMD_HOOK_EVENTS];	/* "session_start", "pit", ... */
#define CMD_HOOK_FORMATS 2
extern const char *const cmd_hook_formats[CMD_HOOK_FORMATS];	/* "json", "discord" */
int	 cmd_url_valid(const char *s);
int	 cmd_events_valid(const char *s);

int	 cmd_new(struct cmd *, enum cmd_kind, const char *by, const char *addr);
int	 cmd_parse(struct cmd *, const char *json, size_t len, struct buf *err);
int	 cmd_check(const struct cmd *, struct buf *err);
char	*cmd_json(const struct cmd *);
void	 cmd_free(struct cmd *);
const char *cmd_str(const struct cmd *, const char *key);
int	 cmd_text_valid(const char *s, size_t max);
#define CMD_TOKEN_SIZE	52	/* a client token, "ts_" + 48 hex digits, and its NUL */
int	 cmd_token(char tok[CMD_TOKEN_SIZE], char hash[65]);
int	 cmd_put(struct inbox_writer *, const struct cmd *);
int	 cmd_outcome(sqlite3 *, const char *id, int *ok, struct buf *summary, cJSON **result);
int	 cmd_wait(sqlite3 *, const char *id, double timeout, int *ok, struct buf *summary,
	    cJSON **result);
int	 preview_cmd(sqlite3 *, const struct cmd *, cJSON **out, struct buf *err);

#endif
