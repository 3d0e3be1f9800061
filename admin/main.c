/*
 * trackside: the admin command. Creates and migrates the database, manages
 * client tokens. Every subcommand is one row of admin_cmds[].
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int
cmd_client_add(struct admin *a, int argc, char *argv[])
{
	unsigned char	 raw[24];
	char		 token[sizeof(raw) * 2 + 4], hash[65];
	sqlite3_stmt	*st;
	const char	*name = argv[0];

	if (strlen(name) == 0 || strlen(name) > 64) {
		fprintf(stderr, "trackside: a client name has 1 to 64 characters\n");
		return 2;
	}
	if (rand_bytes(raw, sizeof(raw)) < 0) {
		fprintf(stderr, "trackside: no randomness: %s\n", strerror(errno));
		return 1;
	}
	memcpy(token, "ts_", 3);
	hex_encode(raw, sizeof(raw), token + 3);
	sha256_hex(token, strlen(token), hash);
	if (sqlite3_prepare_v2(a->db, "INSERT INTO clients (name, token_hash, created_at) "
	    "VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 1;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, time_now());
	if (sqlite3_step(st) != SQLITE_DONE) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		sqlite3_finalize(st);
		return 1;
	}
	sqlite3_finalize(st);
	fprintf(stderr, "client %lld \"%s\" added; its token (shown once, only its hash is kept):\n",
	    (long long)sqlite3_last_insert_rowid(a->db), name);
	printf("%s\n", token);
	return 0;
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

static int
cmd_client_revoke(struct admin *a, int argc, char *argv[])
{
	sqlite3_stmt	*st;
	long long	 id = 0;
	int		 n;

	/* By id when the argument is a number, else by name. */
	if (sqlite3_prepare_v2(a->db, num_parse_ll(argv[0], 1, 1LL << 62, &id) ?
	    "UPDATE clients SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL" :
	    "UPDATE clients SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
	    -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 1;
	}
	if (id)
		sqlite3_bind_int64(st, 1, id);
	else
		sqlite3_bind_text(st, 1, argv[0], -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, time_now());
	if (sqlite3_step(st) != SQLITE_DONE) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		sqlite3_finalize(st);
		return 1;
	}
	sqlite3_finalize(st);
	if ((n = sqlite3_changes(a->db)) == 0) {
		fprintf(stderr, "trackside: no active client token \"%s\"\n", argv[0]);
		return 1;
	}
	printf("revoked %d client token%s\n", n, n == 1 ? "" : "s");
	return 0;
}

/* The inbox directory of the configuration. */
static const char *
admin_inbox(const struct admin *a)
{
	const char *dir = conf_get(a->conf, "inbox");

	return dir ? dir : LOCALSTATEDIR "/lib/trackside/inbox";
}

/*
 * client rebind CLIENT_ID ID|NAME: a client id belongs to the token that
 * first used it; this moves it to another active token (a person's token
 * revoked and issued again), in the inbox's binding the upload handler
 * checks and in the database the worker checks.
 */
static int
cmd_client_rebind(struct admin *a, int argc, char *argv[])
{
	const char	*client = argv[0], *who = argv[1];
	sqlite3_stmt	*st;
	long long	 id = 0, num = 0;
	int		 rc;

	if (!id_valid(client, 8, INBOX_CLIENT_MAX)) {
		fprintf(stderr, "trackside: a client id has 8 to %d characters of A-Z a-z 0-9 _ -\n",
		    INBOX_CLIENT_MAX);
		return 2;
	}
	/* The token by id when the argument is a number, else by name. */
	if (sqlite3_prepare_v2(a->db, "SELECT id FROM clients WHERE (id = ?1 OR name = ?2) "
	    "AND revoked_at IS NULL", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 1;
	}
	if (num_parse_ll(who, 1, 1LL << 62, &num))
		sqlite3_bind_int64(st, 1, num);
	sqlite3_bind_text(st, 2, who, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	if (rc == SQLITE_ROW && sqlite3_step(st) == SQLITE_ROW)
		id = -1;
	sqlite3_finalize(st);
	if (id <= 0) {
		fprintf(stderr, "trackside: %s \"%s\"\n", id < 0 ? "more than one active client token is named" :
		    "no active client token", who);
		return 1;
	}
	if (sqlite3_prepare_v2(a->db, "UPDATE client_seqs SET token_id = ?2 WHERE client = ?1",
	    -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 1;
	}
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 1;
	}
	if (inbox_client_rebind(admin_inbox(a), client, id) < 0) {
		fprintf(stderr, "trackside: inbox %s: %s\n", admin_inbox(a), strerror(errno));
		return 1;
	}
	printf("client id %s belongs to client token %lld now\n", client, id);
	return 0;
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
	const char	*dir = admin_inbox(a);
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

	snprintf(rd, sizeof(rd), "%s/rejected", admin_inbox(a));
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
	{ "known remove", "NAME", "remove a known driver", 1, 1, admin_known_remove },
	{ "known list", "", "list the known drivers", 0, 0, admin_known_list },
	{ "known import", "FILE", "add the drivers of FILE, one a line (- for stdin)", 1, 1,
	    admin_known_import },
	{ "reprocess", "SESSION", "re-derive a session from its stored raw frames", 1, 1, admin_reprocess },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: trackside [-c config] [-D database] COMMAND [ARGS]\n\ncommands:\n");
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
	const struct admin_cmd	*cmd = NULL;
	int			 ch, cfile_given = 0, rc, used = 0;

	while ((ch = getopt(argc, argv, "+c:D:h")) != -1) {
		switch (ch) {
		case 'c': cfile = optarg; cfile_given = 1; break;
		case 'D': dbflag = optarg; break;
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
