/*
 * trackside: the admin command. Creates and migrates the database, manages
 * client tokens. Every subcommand is one row of admin_cmds[].
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "ingest.h"
#include "db.h"
#include "source.h"

static int
cmd_db_init(struct admin *a, int argc, char *argv[])
{
	struct buf err = { 0 };

	if (db_version(a->db) > 0) {
		printf("%s already holds a Trackside database (schema version %d)\n",
		    a->db_path, db_version(a->db));
		return 0;
	}
	if (!db_migrate(a->db, &err)) {
		fprintf(stderr, "trackside: %s\n", err.p);
		buf_free(&err);
		return 1;
	}
	printf("created %s (schema version %d)\n", a->db_path, db_version(a->db));
	return 0;
}

static int
cmd_db_migrate(struct admin *a, int argc, char *argv[])
{
	struct buf	 err = { 0 };
	int		 from = db_version(a->db);

	if (!db_migrate(a->db, &err)) {
		fprintf(stderr, "trackside: %s\n", err.p);
		buf_free(&err);
		return 1;
	}
	if (from == db_version(a->db))
		printf("%s is up to date (schema version %d)\n", a->db_path, from);
	else
		printf("migrated %s from schema version %d to %d\n", a->db_path, from,
		    db_version(a->db));
	return 0;
}

/*
 * Applies c: through trackside-ingestd when it runs (it holds the inbox's
 * writer lock), waiting up to a->wait seconds for the outcome; otherwise
 * here, in one transaction, holding that lock so that trackside-ingestd
 * does not start meanwhile. Prints the summary (stdout when applied,
 * stderr when refused). Returns the exit status: 0 applied, 1 refused or
 * failed, 2 not a valid command (said why), 3 queued but not applied yet.
 */
static int
admin_send(struct admin *a, struct cmd *c, int quiet)
{
	struct inbox_writer	*w;
	struct cmd_ctx		 x;
	struct stmts		 st;
	struct buf		 summary = { 0 }, err = { 0 };
	int			 lock, ok = 0, rc;

	if (!cmd_check(c, &err)) {
		fprintf(stderr, "trackside: %s\n", err.p);
		buf_free(&err);
		return 2;
	}
	if ((lock = inbox_lock(a->inbox, 0)) == -2) {
		if (inbox_writer_open(&w, a->inbox) < 0 || (rc = cmd_put(w, c)) < 0) {
			fprintf(stderr, "trackside: inbox %s: %s\n", a->inbox, strerror(errno));
			return 1;
		}
		inbox_writer_close(w);
		if (rc == 0)
			return 1;
		if ((rc = cmd_wait(a->db, c->id, a->wait, &ok, &summary, NULL)) <= 0) {
			if (rc < 0)
				fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
			else
				fprintf(stderr, "trackside: queued (command %s): trackside-ingestd applies "
				    "it after the frames before it; \"trackside log\" shows it then\n", c->id);
			return rc < 0 ? 1 : 3;
		}
	} else {
		/* No trackside-ingestd: no inbox at all (ENOENT), or its lock is ours. */
		if (lock < 0 && errno != ENOENT) {
			fprintf(stderr, "trackside: inbox %s: %s\n", a->inbox, strerror(errno));
			return 1;
		}
		memset(&x, 0, sizeof(x));
		x.db = a->db;
		x.stmts = &st;
		x.inbox = lock >= 0 ? a->inbox : NULL;
		if (!stmts_prepare(&st, a->db, &err))
			rc = -1;
		else {
			if (!db_exec(a->db, "BEGIN IMMEDIATE", &err) || (rc = command_apply(&x, c)) < 0 ||
			    !db_exec(a->db, "COMMIT", &err)) {
				db_exec(a->db, "ROLLBACK", NULL);
				rc = -1;
			}
			stmts_finalize(&st);
		}
		if (rc < 0)
			fprintf(stderr, "trackside: %s\n", err.len ? err.p : sqlite3_errmsg(a->db));
		command_ctx_free(&x);
		if (lock >= 0)
			close(lock);
		if (rc < 0) {
			buf_free(&err);
			return 1;
		}
		cmd_outcome(a->db, c->id, &ok, &summary, NULL);
	}
	if (ok && !quiet)
		printf("%s\n", summary.p);
	else if (!ok)
		fprintf(stderr, "trackside: %s\n", summary.p);
	buf_free(&summary);
	buf_free(&err);
	return ok ? 0 : 1;
}

int
admin_run(struct admin *a, struct cmd *c)
{
	return admin_send(a, c, 0);
}

/* Starts a command of kind from this user; 1, or 0 (said why). */
static int
admin_cmd_new(struct admin *a, struct cmd *c, enum cmd_kind kind)
{
	if (cmd_new(c, kind, a->by, NULL) < 0) {
		fprintf(stderr, "trackside: %s\n", strerror(errno));
		return 0;
	}
	return 1;
}

static int
cmd_client_add(struct admin *a, int argc, char *argv[])
{
	char		 token[CMD_TOKEN_SIZE], hash[65];
	struct cmd	 c;
	cJSON		*res = NULL;
	int		 rc, ok;

	if (!cmd_text_valid(argv[0], CMD_NAME_MAX) || argv[0][0] == '\0') {
		fprintf(stderr, "trackside: a client name has 1 to %d characters and no control "
		    "characters\n", CMD_NAME_MAX);
		return 2;
	}
	if (cmd_token(token, hash) < 0) {
		fprintf(stderr, "trackside: no randomness: %s\n", strerror(errno));
		return 1;
	}
	if (!admin_cmd_new(a, &c, CMD_CLIENT_ADD))
		return 1;
	cJSON_AddStringToObject(c.args, "name", argv[0]);
	cJSON_AddStringToObject(c.args, "token_hash", hash);
	/* The summary goes to stderr: stdout is the token alone. */
	if ((rc = admin_send(a, &c, 1)) == 0 && cmd_outcome(a->db, c.id, &ok, NULL, &res) > 0) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(res, "id");
		fprintf(stderr, "client %.0f \"%s\" added; its token (shown once, only its hash is "
		    "kept):\n", cJSON_IsNumber(id) ? id->valuedouble : 0, argv[0]);
		printf("%s\n", token);
	}
	cJSON_Delete(res);
	cmd_free(&c);
	return rc;
}

static int
cmd_client_list(struct admin *a, int argc, char *argv[])
{
	sqlite3_stmt	*st;
	char		 t[32], r[32];

	if (sqlite3_prepare_v2(a->db, "SELECT c.id, c.name, c.created_at, c.revoked_at, "
	    "(SELECT count(*) FROM client_seqs s WHERE s.token_id = c.id), "
	    "(SELECT max(last_at) FROM client_seqs s WHERE s.token_id = c.id) "
	    "FROM clients c ORDER BY c.id", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 1;
	}
	printf("%-4s %-24s %-24s %-24s %-8s %s\n", "id", "name", "created", "revoked",
	    "clients", "last upload");
	while (sqlite3_step(st) == SQLITE_ROW) {
		time_iso(sqlite3_column_double(st, 2), t);
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			time_iso(sqlite3_column_double(st, 3), r);
		else
			strcpy(r, "-");
		char last[32] = "-";
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			time_iso(sqlite3_column_double(st, 5), last);
		printf("%-4lld %-24s %-24s %-24s %-8d %s\n", (long long)sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1), t, r, sqlite3_column_int(st, 4), last);
	}
	sqlite3_finalize(st);
	return 0;
}

/*
 * The active client token ID|NAME: *id, 0 when there is none, -1 when the
 * name is ambiguous. Returns 1, or 0 after a database error (said).
 */
static int
client_token(struct admin *a, const char *who, long long *id)
{
	sqlite3_stmt	*st;
	long long	 num = 0;
	int		 rc;

	*id = 0;
	if (sqlite3_prepare_v2(a->db, "SELECT id FROM clients WHERE (id = ?1 OR name = ?2) "
	    "AND revoked_at IS NULL", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 0;
	}
	if (num_parse_ll(who, 1, 1LL << 62, &num))
		sqlite3_bind_int64(st, 1, num);
	sqlite3_bind_text(st, 2, who, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	if (rc == SQLITE_ROW && sqlite3_step(st) == SQLITE_ROW)
		*id = -1;
	sqlite3_finalize(st);
	return 1;
}

static int
cmd_client_revoke(struct admin *a, int argc, char *argv[])
{
	struct cmd	 c;
	long long	 id;
	int		 rc;

	if (!client_token(a, argv[0], &id))
		return 1;
	if (id <= 0) {
		fprintf(stderr, "trackside: %s \"%s\"\n", id < 0 ? "more than one active client token "
		    "is named (give its id)" : "no active client token", argv[0]);
		return 1;
	}
	if (!admin_cmd_new(a, &c, CMD_CLIENT_REVOKE))
		return 1;
	cJSON_AddNumberToObject(c.args, "token", (double)id);
	rc = admin_run(a, &c);
	cmd_free(&c);
	return rc;
}

/*
 * client rebind CLIENT_ID ID|NAME: a client id belongs to the token that
 * first used it; this moves it to another active token (a person's token
 * revoked and issued again), in the database the worker checks and in the
 * inbox's binding the upload handler checks.
 */
static int
cmd_client_rebind(struct admin *a, int argc, char *argv[])
{
	struct cmd	 c;
	long long	 id;
	int		 rc;

	if (!id_valid(argv[0], 8, INBOX_CLIENT_MAX)) {
		fprintf(stderr, "trackside: a client id has 8 to %d characters of A-Z a-z 0-9 _ -\n",
		    INBOX_CLIENT_MAX);
		return 2;
	}
	if (!client_token(a, argv[1], &id))
		return 1;
	if (id <= 0) {
		fprintf(stderr, "trackside: %s \"%s\"\n", id < 0 ? "more than one active client token "
		    "is named (give its id)" : "no active client token", argv[1]);
		return 1;
	}
	if (!admin_cmd_new(a, &c, CMD_CLIENT_REBIND))
		return 1;
	cJSON_AddStringToObject(c.args, "client", argv[0]);
	cJSON_AddNumberToObject(c.args, "token", (double)id);
	rc = admin_run(a, &c);
	cmd_free(&c);
	return rc;
}

static long long
admin_pos(void *arg, const char *seg)
{
	struct admin	*a = arg;
	sqlite3_stmt	*st;
	long long	 off = 0;

	if (sqlite3_prepare_v2(a->db, "SELECT offset FROM inbox_pos WHERE segment = ?", -1,
	    &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, seg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		off = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return off;
}

/*
 * trackside inbox: the frames waiting, on stdout; the frames set aside, on
 * stderr when there are any.
 */
static int
cmd_inbox(struct admin *a, int argc, char *argv[])
{
	const char	*dir = a->inbox;
	long long	 n, aside;

	if ((n = inbox_pending(dir, admin_pos, a)) < 0 || (aside = inbox_set_aside_count(dir)) < 0) {
		fprintf(stderr, "trackside: inbox %s: %s\n", dir, strerror(errno));
		return 1;
	}
	printf("%lld\n", n);
	if (aside > 0)
		fprintf(stderr, "trackside: %lld frame%s set aside in %s/rejected "
		    "(trackside inbox set-aside lists them)\n", aside, aside == 1 ? "" : "s", dir);
	return 0;
}

/*
 * trackside inbox set-aside: one line per file in rejected/: its name, the
 * client and seq of the frame (or "- -" for the damaged tail of a segment),
 * its size.
 */
static int
cmd_inbox_set_aside(struct admin *a, int argc, char *argv[])
{
	char		 rd[4096], p[8192];
	DIR		*d;
	struct dirent	*de;
	struct buf	 b = { 0 };

	snprintf(rd, sizeof(rd), "%s/rejected", a->inbox);
	if ((d = opendir(rd)) == NULL) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "trackside: %s: %s\n", rd, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		const char	*nl;
		cJSON		*fr = NULL;
		const cJSON	*c, *seq;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", rd, de->d_name);
		buf_reset(&b);
		if (file_read(p, 64u << 20, &b) <= 0) {
			printf("%s - - ?\n", de->d_name);
			continue;
		}
		/* a frame set aside by the worker: header line, then the frame */
		if (b.len > 0 && (nl = memchr(b.p, '\n', b.len)) != NULL)
			fr = cJSON_ParseWithLength(nl + 1, b.len - (size_t)(nl + 1 - b.p));
		c = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(fr, "client"), "id");
		seq = cJSON_GetObjectItemCaseSensitive(fr, "seq");
		if (cJSON_IsString(c) && cJSON_IsNumber(seq))
			printf("%s %s %.0f %zu\n", de->d_name, c->valuestring, seq->valuedouble, b.len);
		else
			printf("%s - - %zu\n", de->d_name, b.len);
		cJSON_Delete(fr);
	}
	closedir(d);
	buf_free(&b);
	return 0;
}

/* trackside log [N]: the audit log, oldest of the last N first. */
static int
cmd_log(struct admin *a, int argc, char *argv[])
{
	sqlite3_stmt	*st;
	long long	 n = 50;
	char		 t[32];
	int		 rc;

	if (argc > 0 && !num_parse_ll(argv[0], 1, 1000000, &n)) {
		fprintf(stderr, "trackside: N is a number from 1 to 1000000\n");
		return 2;
	}
	if (sqlite3_prepare_v2(a->db, "SELECT applied_at, by, coalesce(addr, '-'), cmd, ok, summary "
	    "FROM (SELECT * FROM admin_log WHERE shown ORDER BY applied_at DESC LIMIT ?) "
	    "ORDER BY applied_at", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 1;
	}
	sqlite3_bind_int64(st, 1, n);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		time_iso(sqlite3_column_double(st, 0), t);
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", t, sqlite3_column_text(st, 1),
		    sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
		    sqlite3_column_int(st, 4) ? "applied" : "refused", sqlite3_column_text(st, 5));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : 1;
}

static const struct admin_cmd admin_cmds[] = {
	{ "db init", "", "create the database", 0, 0, cmd_db_init },
	{ "db migrate", "", "bring the database to this version's schema", 0, 0, cmd_db_migrate },
	{ "inbox set-aside", "", "list the frames the worker set aside", 0, 0, cmd_inbox_set_aside },
	{ "inbox", "", "print the number of frames waiting for the worker", 0, 0, cmd_inbox },
	{ "client add", "NAME", "create an upload token for a client and print it", 1, 1, cmd_client_add },
	{ "client list", "", "list client tokens", 0, 0, cmd_client_list },
	{ "client revoke", "ID|NAME", "revoke a client token", 1, 1, cmd_client_revoke },
	{ "client rebind", "CLIENT_ID ID|NAME", "move a client id to another client token", 2, 2,
	    cmd_client_rebind },
	{ "known add", "NAME [NOTE]", "add a known driver", 1, 2, admin_known_add },
	{ "known rename", "NAME TO", "rename a known driver", 2, 2, admin_known_rename },
	{ "known remove", "NAME", "remove a known driver", 1, 1, admin_known_remove },
	{ "known list", "", "list the known drivers", 0, 0, admin_known_list },
	{ "known import", "FILE", "add the drivers of a CSV file (name,note; - for stdin)", 1, 1,
	    admin_known_import },
	{ "known export", "", "print the known drivers as CSV", 0, 0, admin_known_export },
	{ "admin add", "NAME", "add an admin account (password from the terminal or stdin)", 1, 1,
	    admin_account_add },
	{ "admin passwd", "NAME", "set an admin account's password; signs it out everywhere", 1, 1,
	    admin_account_passwd },
	{ "admin list", "", "list the admin accounts", 0, 0, admin_account_list },
	{ "admin remove", "NAME", "remove an admin account", 1, 1, admin_account_remove },
	{ "session list", "", "list the sessions (hidden ones too)", 0, 0, admin_session_list },
	{ "session show", "ID", "a session's figures and clients", 1, 1, admin_session_show },
	{ "session rename", "ID NAME", "name a session (\"\" takes the name away)", 2, 3,
	    admin_session_rename },
	{ "session hide", "ID", "leave a session out of the public lists", 1, 2, admin_session_hide },
	{ "session unhide", "ID", "list a hidden session again", 1, 2, admin_session_unhide },
	{ "session delete", "ID", "delete a session with its raw frames", 1, 2, admin_session_delete },
	{ "session merge", "ID INTO", "merge session ID into session INTO", 2, 3, admin_session_merge },
	{ "session split", "ID TIME", "frames captured from TIME on make a new session", 2, 3,
	    admin_session_split },
	{ "reprocess", "SESSION", "re-derive a session from its stored raw frames", 1, 2, admin_reprocess },
	{ "log", "[N]", "print the last N admin commands (default 50)", 0, 1, cmd_log },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: trackside [-n] [-c config] [-D database] [-w seconds] COMMAND [ARGS]\n\n"
	    "  -n  show what a session command would change, change nothing\n"
	    "  -w  how long to wait for trackside-ingestd to apply a change (default 60)\n"
	    "\ncommands:\n");
	for (size_t i = 0; i < sizeof(admin_cmds) / sizeof(admin_cmds[0]); i++) {
		char left[64];
		snprintf(left, sizeof(left), "%s %s", admin_cmds[i].name, admin_cmds[i].args);
		fprintf(f, "  %-28s %s\n", left, admin_cmds[i].help);
	}
	fprintf(f, "\nConfig file default: %s/trackside/trackside.conf\n", SYSCONFDIR);
}

int
main(int argc, char *argv[])
{
	struct conf		 conf = { 0 };
	struct buf		 err = { 0 };
	struct admin		 a;
	const char		*cfile = SYSCONFDIR "/trackside/trackside.conf", *dbflag = NULL;
	struct passwd		*pw;
	double			 wait = 60;
	int			 dry_run = 0;
	const struct admin_cmd	*cmd = NULL;
	int			 ch, cfile_given = 0, rc, used = 0;

	while ((ch = getopt(argc, argv, "+c:D:hnw:")) != -1) {
		switch (ch) {
		case 'c': cfile = optarg; cfile_given = 1; break;
		case 'D': dbflag = optarg; break;
		case 'n': dry_run = 1; break;
		case 'w':
			if (!num_parse_d(optarg, 0, 86400, &wait)) {
				fprintf(stderr, "trackside: -w takes 0 to 86400 seconds\n");
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	argc -= optind;
	argv += optind;
	for (size_t i = 0; i < sizeof(admin_cmds) / sizeof(admin_cmds[0]) && cmd == NULL; i++) {
		const char *n = admin_cmds[i].name, *sp = strchr(n, ' ');
		size_t l1 = sp ? (size_t)(sp - n) : strlen(n);
		if (argc >= 1 && strlen(argv[0]) == l1 && strncmp(argv[0], n, l1) == 0) {
			if (sp == NULL) {
				cmd = &admin_cmds[i];
				used = 1;
			} else if (argc >= 2 && strcmp(argv[1], sp + 1) == 0) {
				cmd = &admin_cmds[i];
				used = 2;
			}
		}
	}
	if (cmd == NULL) {
		if (argc > 0)
			fprintf(stderr, "trackside: unknown command \"%s%s%s\"\n", argv[0],
			    argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
		usage(stderr);
		return 2;
	}
	argc -= used;
	argv += used;
	if (argc < cmd->min_args || argc > cmd->max_args) {
		fprintf(stderr, "usage: trackside %s %s\n", cmd->name, cmd->args);
		return 2;
	}
	rc = conf_load(&conf, cfile, &err);
	if (rc == 0 || (rc < 0 && (cfile_given || errno != ENOENT))) {
		fprintf(stderr, "trackside: %s\n", rc == 0 ? err.p : strerror(errno));
		return 1;
	}
	log_init("trackside", 1, LOG_LVL_WARN);
	/* reprocess parses frames as trackside-ingestd does */
	if (!ac_sectors_conf(conf_get(&conf, "ac_sectors"), &err)) {
		fprintf(stderr, "trackside: %s\n", err.p);
		return 1;
	}
	memset(&a, 0, sizeof(a));
	a.conf = &conf;
	a.wait = wait;
	a.dry_run = dry_run;
	if ((a.inbox = conf_get(&conf, "inbox")) == NULL)
		a.inbox = LOCALSTATEDIR "/lib/trackside/inbox";
	pw = getpwuid(getuid());
	snprintf(a.by, sizeof(a.by), "cli:%s", pw != NULL ? pw->pw_name : "?");
	a.db_path = dbflag ? dbflag : conf_get(&conf, "database");
	if (a.db_path == NULL)
		a.db_path = LOCALSTATEDIR "/lib/trackside/trackside.db";
	if (!db_open(&a.db, a.db_path, DB_RW, &err)) {
		fprintf(stderr, "trackside: %s\n", err.p);
		return 1;
	}
	if (strcmp(cmd->name, "db init") != 0 && strcmp(cmd->name, "db migrate") != 0 &&
	    db_version(a.db) != db_latest_version()) {
		fprintf(stderr, "trackside: %s has schema version %d, this version needs %d: "
		    "run \"trackside db migrate\"\n", a.db_path, db_version(a.db), db_latest_version());
		db_close(a.db);
		return 1;
	}
	rc = cmd->fn(&a, argc, argv);
	db_close(a.db);
	conf_free(&conf);
	buf_free(&err);
	return rc;
}
