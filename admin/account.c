/*
 * trackside admin add|passwd|list|remove: the accounts that sign in to
 * /admin/. A password is read from the terminal (twice, not echoed) or,
 * when stdin is not a terminal, as its first line; only its Argon2id hash
 * leaves this program, in an account.* command.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "admin.h"
#include "pwhash.h"

/* Reads one line into pw without its newline; echo off on a terminal. Returns 1, 0 on EOF. */
static int
read_line(const char *prompt, char *pw, size_t sz, int tty)
{
	struct termios	 old, quiet;
	int		 got;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	got = fgets(pw, (int)sz, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	if (!got)
		return 0;
	pw[strcspn(pw, "\r\n")] = '\0';
	return 1;
}

/* Asks for a new password and hashes it into hash. Returns 1, or 0 (said why). */
static int
new_password(char hash[PWHASH_MAX])
{
	char	 pw[PWHASH_PW_MAX + 2], again[PWHASH_PW_MAX + 2];
	int	 tty = isatty(STDIN_FILENO), rc;

	if (!read_line("Password: ", pw, sizeof(pw), tty)) {
		fprintf(stderr, "trackside: no password given\n");
		return 0;
	}
	if (tty && (!read_line("Password again: ", again, sizeof(again), tty) || strcmp(pw, again) != 0)) {
		fprintf(stderr, "trackside: the passwords differ\n");
		explicit_bzero(pw, sizeof(pw));
		explicit_bzero(again, sizeof(again));
		return 0;
	}
	rc = pwhash_make(pw, hash);
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(again, sizeof(again));
	if (rc == 0)
		fprintf(stderr, "trackside: a password has %d to %d characters\n", PWHASH_PW_MIN,
		    PWHASH_PW_MAX);
	else if (rc < 0)
		fprintf(stderr, "trackside: cannot hash the password: %s\n", strerror(errno));
	return rc > 0;
}

/* Sends account.add or account.passwd for name with a new password. */
static int
account_set(struct admin *a, enum cmd_kind kind, const char *name)
{
	char		 hash[PWHASH_MAX];
	struct cmd	 c;
	struct buf	 err = { 0 };
	int		 rc;

	if (cmd_new(&c, kind, a->by, NULL) < 0) {
		fprintf(stderr, "trackside: %s\n", strerror(errno));
		return 1;
	}
	cJSON_AddStringToObject(c.args, "name", name);
	cJSON_AddStringToObject(c.args, "pw_hash", "$argon2id$");
	/* The name is checked before a password is asked for. */
	if (!cmd_check(&c, &err)) {
		fprintf(stderr, "trackside: %s\n", err.p);
		rc = 2;
	} else if (!new_password(hash))
		rc = 1;
	else {
		cJSON_ReplaceItemInObjectCaseSensitive(c.args, "pw_hash", cJSON_CreateString(hash));
		rc = admin_run(a, &c);
	}
	buf_free(&err);
	cmd_free(&c);
	return rc;
}

/* trackside admin add NAME */
int
admin_account_add(struct admin *a, int argc, char *argv[])
{
	return account_set(a, CMD_ACCOUNT_ADD, argv[0]);
}

/* trackside admin passwd NAME */
int
admin_account_passwd(struct admin *a, int argc, char *argv[])
{
	return account_set(a, CMD_ACCOUNT_PASSWD, argv[0]);
}

/* trackside admin remove NAME */
int
admin_account_remove(struct admin *a, int argc, char *argv[])
{
	struct cmd	 c;
	int		 rc;

	if (cmd_new(&c, CMD_ACCOUNT_REMOVE, a->by, NULL) < 0) {
		fprintf(stderr, "trackside: %s\n", strerror(errno));
		return 1;
	}
	cJSON_AddStringToObject(c.args, "name", argv[0]);
	rc = admin_run(a, &c);
	cmd_free(&c);
	return rc;
}

/* trackside admin list: name, created, password changed, sign-ins open, last seen. */
int
admin_account_list(struct admin *a, int argc, char *argv[])
{
	sqlite3_stmt	*st;
	char		 t[32], ch[32], seen[32];
	int		 rc;

	if (sqlite3_prepare_v2(a->db, "SELECT a.name, a.created_at, a.changed_at, "
	    "(SELECT count(*) FROM admin_logins l WHERE l.account = a.name AND l.ended_at IS NULL), "
	    "(SELECT max(seen_at) FROM admin_logins l WHERE l.account = a.name) "
	    "FROM admin_accounts a ORDER BY a.name", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "trackside: %s\n", sqlite3_errmsg(a->db));
		return 1;
	}
	printf("%-24s %-24s %-24s %-8s %s\n", "name", "created", "password set", "sign-ins",
	    "last seen");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		time_iso(sqlite3_column_double(st, 1), t);
		time_iso(sqlite3_column_double(st, 2), ch);
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			time_iso(sqlite3_column_double(st, 4), seen);
		else
			strcpy(seen, "-");
		printf("%-24s %-24s %-24s %-8d %s\n", (const char *)sqlite3_column_text(st, 0), t, ch,
		    sqlite3_column_int(st, 3), seen);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : 1;
}
