/*
 * trackside session list|show|rename|hide|unhide|delete|merge|split and
 * trackside reprocess: the sessions, read from the database; every change
 * is a session command (lib/cmd.h) applied by trackside-ingestd, or here
 * when it does not run (admin_run). With -n (or --dry-run after the
 * arguments) a change prints what it would do (lib/preview.c) instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "db.h"

enum ssql {
	SS_LIST,
	SS_SHOW,
	SS_CLIENTS,
	SS__MAX
};

static const char *const ssql[SS__MAX] = {
	/* SS_LIST */
	"SELECT id, coalesce(name, ''), sim, track, type, state, hidden, "
	"(SELECT count(*) FROM raw_frames r WHERE r.session_id = s.id), started_at "
	"FROM sessions s ORDER BY started_at, id",
	/* SS_SHOW */
	"SELECT id, coalesce(name, ''), sim, track, type, state, hidden, online, "
	"coalesce(server, ''), started_at, last_update, coalesce(prev_id, '-'), "
	"coalesce(next_id, '-'), "
	"(SELECT count(*) FROM raw_frames r WHERE r.session_id = s.id), "
	"(SELECT count(*) FROM cars c WHERE c.session_id = s.id), "
	"(SELECT count(*) FROM laps l JOIN cars c ON c.id = l.car_id WHERE c.session_id = s.id "
	"AND coalesce(l.source, '') <> 'missing'), "
	"(SELECT count(*) FROM pits p JOIN cars c ON c.id = p.car_id WHERE c.session_id = s.id "
	"AND NOT p.garage), "
	"(SELECT min(captured_at) FROM raw_frames r WHERE r.session_id = s.id), "
	"(SELECT max(captured_at) FROM raw_frames r WHERE r.session_id = s.id) "
	"FROM sessions s WHERE id = ?1",
	/* SS_CLIENTS */
	"SELECT client, frames, first_at, last_at FROM session_clients WHERE session_id = ?1 "
	"ORDER BY first_at",
};

static int
db_fail(struct admin *a)
{
	fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
	return 1;
}

/*
 * Takes a trailing --dry-run (or -n) off the arguments: sets a->dry_run.
 * Returns the number of arguments left.
 */
static int
dry_run_arg(struct admin *a, int argc, char *argv[])
{
	while (argc > 0 && (strcmp(argv[argc - 1], "--dry-run") == 0 ||
	    strcmp(argv[argc - 1], "-n") == 0)) {
		a->dry_run = 1;
		argc--;
	}
	return argc;
}

static int
session_id_ok(const char *id)
{
	if (!id_valid(id, 1, 64)) {
		fprintf(stderr, "trackside: \"%s\" is not a session id\n", id);
		return 0;
	}
	return 1;
}

/* Prints the preview of c. Exit status: 0 it would apply, 1 refused or error. */
static int
session_preview(struct admin *a, const struct cmd *c)
{
	struct buf	 err = { 0 };
	cJSON		*p = NULL;
	const cJSON	*v, *ok, *e;
	int		 rc;

	if ((rc = preview_cmd(a->db, c, &p, &err)) <= 0) {
		fprintf(stderr, "trackside: %s\n", err.p ? err.p : "no preview");
		buf_free(&err);
		return 1;
	}
	v = cJSON_GetObjectItemCaseSensitive(p, "title");
	printf("%s (dry run: nothing changes)\n", cJSON_IsString(v) ? v->valuestring : "");
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(p, "rows")) {
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(v, "label");
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(v, "before");
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(v, "after");
		printf("  %-28s %s -> %s\n", cJSON_IsString(l) ? l->valuestring : "",
		    cJSON_IsString(b) ? b->valuestring : "", cJSON_IsString(f) ? f->valuestring : "");
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(p, "warnings"))
		if (cJSON_IsString(v))
			printf("  note: %s\n", v->valuestring);
	ok = cJSON_GetObjectItemCaseSensitive(p, "ok");
	e = cJSON_GetObjectItemCaseSensitive(p, "error");
	rc = cJSON_IsTrue(ok) ? 0 : 1;
	if (rc)
		printf("refused: %s\n", cJSON_IsString(e) ? e->valuestring : "");
	cJSON_Delete(p);
	buf_free(&err);
	return rc;
}

/*
 * Sends c (or, with --dry-run, prints its preview) and frees it. Returns
 * the exit status.
 */
static int
session_send(struct admin *a, struct cmd *c)
{
	int rc = a->dry_run ? session_preview(a, c) : admin_run(a, c);

	cmd_free(c);
	return rc;
}

/* A new command of kind on session id; 1, or 0 (said why). */
static int
session_cmd(struct admin *a, struct cmd *c, enum cmd_kind kind, const char *id)
{
	if (!session_id_ok(id))
		return 0;
	if (cmd_new(c, kind, a->by, NULL) < 0 ||
	    cJSON_AddStringToObject(c->args, "session", id) == NULL) {
		fprintf(stderr, "trackside: out of memory\n");
		cmd_free(c);
		return 0;
	}
	return 1;
}

/* trackside session list: every session, oldest first. */
int
admin_session_list(struct admin *a, int argc, char *argv[])
{
	sqlite3_stmt	*st;
	char		 t[32];
	int		 rc;

	(void)argc;
	(void)argv;
	if (sqlite3_prepare_v2(a->db, ssql[SS_LIST], -1, &st, NULL) != SQLITE_OK)
		return db_fail(a);
	printf("%-32s %-20s %-5s %-28s %-10s %-8s %-6s %7s %s\n", "id", "name", "sim", "track",
	    "type", "state", "hidden", "frames", "started");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		time_iso(sqlite3_column_double(st, 8), t);
		printf("%-32s %-20s %-5s %-28s %-10s %-8s %-6s %7lld %s\n",
		    sqlite3_column_text(st, 0), *sqlite3_column_text(st, 1) ?
		    (const char *)sqlite3_column_text(st, 1) : "-", sqlite3_column_text(st, 2),
		    sqlite3_column_text(st, 3), sqlite3_column_text(st, 4),
		    sqlite3_column_text(st, 5), sqlite3_column_int(st, 6) ? "yes" : "no",
		    (long long)sqlite3_column_int64(st, 7), t);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(a);
}

/* trackside session show ID: one session, its figures and its clients. */
int
admin_session_show(struct admin *a, int argc, char *argv[])
{
	sqlite3_stmt	*st;
	char		 t1[32], t2[32];
	int		 rc;

	(void)argc;
	if (!session_id_ok(argv[0]))
		return 2;
	if (sqlite3_prepare_v2(a->db, ssql[SS_SHOW], -1, &st, NULL) != SQLITE_OK)
		return db_fail(a);
	sqlite3_bind_text(st, 1, argv[0], -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_fail(a);
		fprintf(stderr, "trackside: there is no session %s\n", argv[0]);
		return 1;
	}
	printf("id          %s\n", sqlite3_column_text(st, 0));
	printf("name        %s\n", *sqlite3_column_text(st, 1) ?
	    (const char *)sqlite3_column_text(st, 1) : "-");
	printf("sim         %s\n", sqlite3_column_text(st, 2));
	printf("track       %s\n", sqlite3_column_text(st, 3));
	printf("type        %s\n", sqlite3_column_text(st, 4));
	printf("state       %s\n", sqlite3_column_text(st, 5));
	printf("hidden      %s\n", sqlite3_column_int(st, 6) ? "yes" : "no");
	printf("online      %s%s%s\n", sqlite3_column_int(st, 7) ? "yes" : "no",
	    *sqlite3_column_text(st, 8) ? ", server " : "", sqlite3_column_text(st, 8));
	time_iso(sqlite3_column_double(st, 9), t1);
	time_iso(sqlite3_column_double(st, 10), t2);
	printf("time        %s to %s\n", t1, t2);
	printf("previous    %s\n", sqlite3_column_text(st, 11));
	printf("next        %s\n", sqlite3_column_text(st, 12));
	printf("frames      %lld\n", (long long)sqlite3_column_int64(st, 13));
	if (sqlite3_column_type(st, 17) != SQLITE_NULL) {
		time_iso(sqlite3_column_double(st, 17), t1);
		time_iso(sqlite3_column_double(st, 18), t2);
		printf("captured    %s to %s\n", t1, t2);
	}
	printf("cars        %lld\n", (long long)sqlite3_column_int64(st, 14));
	printf("laps        %lld\n", (long long)sqlite3_column_int64(st, 15));
	printf("pit stops   %lld\n", (long long)sqlite3_column_int64(st, 16));
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(a->db, ssql[SS_CLIENTS], -1, &st, NULL) != SQLITE_OK)
		return db_fail(a);
	sqlite3_bind_text(st, 1, argv[0], -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		time_iso(sqlite3_column_double(st, 2), t1);
		time_iso(sqlite3_column_double(st, 3), t2);
		printf("client      %s: %lld frames, %s to %s\n", sqlite3_column_text(st, 0),
		    (long long)sqlite3_column_int64(st, 1), t1, t2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(a);
}

/* trackside session rename ID NAME ("" takes the name away). */
int
admin_session_rename(struct admin *a, int argc, char *argv[])
{
	struct cmd c;

	if ((argc = dry_run_arg(a, argc, argv)) != 2) {
		fprintf(stderr, "usage: trackside session rename ID NAME\n");
		return 2;
	}
	if (!cmd_text_valid(argv[1], CMD_NAME_MAX)) {
		fprintf(stderr, "trackside: a session name has at most %d characters and no "
		    "control characters\n", CMD_NAME_MAX);
		return 2;
	}
	if (!session_cmd(a, &c, CMD_SESSION_RENAME, argv[0]))
		return 2;
	cJSON_AddStringToObject(c.args, "name", argv[1]);
	return session_send(a, &c);
}

static int
session_hide(struct admin *a, int argc, char *argv[], int hidden)
{
	struct cmd c;

	if ((argc = dry_run_arg(a, argc, argv)) != 1) {
		fprintf(stderr, "usage: trackside session %s ID\n", hidden ? "hide" : "unhide");
		return 2;
	}
	if (!session_cmd(a, &c, CMD_SESSION_HIDE, argv[0]))
		return 2;
	cJSON_AddBoolToObject(c.args, "hidden", hidden);
	return session_send(a, &c);
}

/* trackside session hide ID: out of the public lists (its address still works). */
int
admin_session_hide(struct admin *a, int argc, char *argv[])
{
	return session_hide(a, argc, argv, 1);
}

/* trackside session unhide ID */
int
admin_session_unhide(struct admin *a, int argc, char *argv[])
{
	return session_hide(a, argc, argv, 0);
}

/* trackside session delete ID: the session, its rows and its raw frames. */
int
admin_session_delete(struct admin *a, int argc, char *argv[])
{
	struct cmd c;

	if ((argc = dry_run_arg(a, argc, argv)) != 1) {
		fprintf(stderr, "usage: trackside session delete ID\n");
		return 2;
	}
	if (!session_cmd(a, &c, CMD_SESSION_DELETE, argv[0]))
		return 2;
	return session_send(a, &c);
}

/* trackside session merge ID INTO: ID's frames join INTO's, ID goes. */
int
admin_session_merge(struct admin *a, int argc, char *argv[])
{
	struct cmd c;

	if ((argc = dry_run_arg(a, argc, argv)) != 2) {
		fprintf(stderr, "usage: trackside session merge ID INTO\n");
		return 2;
	}
	if (!session_id_ok(argv[1]) || !session_cmd(a, &c, CMD_SESSION_MERGE, argv[0]))
		return 2;
	cJSON_AddStringToObject(c.args, "into", argv[1]);
	return session_send(a, &c);
}

/*
 * trackside session split ID TIME: the frames captured at or after TIME
 * (2026-11-21T12:34:56Z, UTC, or epoch seconds) go to a new session.
 */
int
admin_session_split(struct admin *a, int argc, char *argv[])
{
	struct cmd	 c;
	double		 at;

	if ((argc = dry_run_arg(a, argc, argv)) != 2) {
		fprintf(stderr, "usage: trackside session split ID TIME\n");
		return 2;
	}
	if (!time_iso_parse(argv[1], &at) && !num_parse_d(argv[1], 0, 3e10, &at)) {
		fprintf(stderr, "trackside: \"%s\" is no time: give it as 2026-11-21T12:34:56Z "
		    "(UTC) or in epoch seconds\n", argv[1]);
		return 2;
	}
	if (!session_cmd(a, &c, CMD_SESSION_SPLIT, argv[0]))
		return 2;
	cJSON_AddNumberToObject(c.args, "at", at);
	return session_send(a, &c);
}

/* trackside reprocess ID: the session derived again from its raw frames. */
int
admin_reprocess(struct admin *a, int argc, char *argv[])
{
	struct cmd c;

	if ((argc = dry_run_arg(a, argc, argv)) != 1) {
		fprintf(stderr, "usage: trackside reprocess ID\n");
		return 2;
	}
	if (!session_cmd(a, &c, CMD_SESSION_REPROCESS, argv[0]))
		return 2;
	return session_send(a, &c);
}
