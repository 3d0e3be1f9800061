/*
 * Admin commands as trackside-ingestd applies them (ingest/command.c): one
 * test per rule of each command on a temporary database, driven through
 * command_apply() in a transaction of its own; the audit log and the
 * idempotence by command id; then the worker over a temporary inbox, where
 * commands come between frames, in inbox order, are set aside when
 * malformed and are applied once even when the inbox is read again.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "ingest.h"
#include "cmd.h"
#include "db.h"

#define AT	1800000000.0	/* when the commands are given */
#define BY	"cli:tester"
#define ADDR	"192.0.2.7"
#define SID	"0191aaaabbbbccccddddeeeeffff0001"
#define PWH	"$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
#define PWH2	"$argon2id$v=19$m=65536,t=2,p=1$b3RoZXJzYWx0$b3RoZXJoYXNoaGFzaA"

static struct worker		 w;
static struct inbox_writer	*iw;
static unsigned long		 ticket;
static char			 dir[PATH_MAX], inbox[PATH_MAX];
static const char		*ctx_inbox;	/* what command_apply sees as the inbox */
static struct buf		 said;		/* the last command's summary */
static struct buf		 handed;	/* the last command's result, as JSON */
static char			 last_id[CMD_ID_LEN + 1];
static long long		 ncmds;		/* commands applied or refused */

/* Starts a command of kind given at at (0: now) with args (JSON). */
static void
mk(struct cmd *c, enum cmd_kind kind, double at, const char *args)
{
	cJSON *a;

	if (cmd_new(c, kind, BY, ADDR) < 0 || (a = cJSON_Parse(args)) == NULL) {
		printf("Bail out! cannot make %s %s\n", cmd_names[kind], args);
		exit(1);
	}
	cJSON_ReplaceItemInObjectCaseSensitive(c->root, "args", a);
	c->args = a;
	if (at > 0)
		c->at = at;
}

/* Applies c in a transaction of its own; command_apply's result. */
static int
apply(const struct cmd *c)
{
	struct cmd_ctx	 x;
	int		 rc;

	memset(&x, 0, sizeof(x));
	x.db = w.db;
	x.stmts = &w.stmts;
	x.inbox = ctx_inbox;
	buf_reset(&said);
	buf_reset(&handed);
	if (!db_exec(w.db, "BEGIN IMMEDIATE", NULL))
		return -1;
	rc = command_apply(&x, c);
	if (rc < 0)
		db_exec(w.db, "ROLLBACK", NULL);
	else if (!db_exec(w.db, "COMMIT", NULL))
		rc = -1;
	if (x.summary.len)
		buf_printf(&said, "%s", x.summary.p);
	if (rc == 1 && x.result != NULL) {
		char *j = cJSON_PrintUnformatted(x.result);
		buf_printf(&handed, "%s", j ? j : "");
		free(j);
	}
	command_ctx_free(&x);
	ncmds += rc == 1;
	snprintf(last_id, sizeof(last_id), "%s", c->id);
	return rc;
}

/* What admin_log says of command id: 1 applied, 0 refused, -1 no row. */
static int
outcome(const char *id)
{
	int ok;

	return cmd_outcome(w.db, id, &ok, NULL, NULL) == 1 ? ok : -1;
}

/* Makes, applies and frees a command; its outcome (1, 0, or -1). */
static int
run(enum cmd_kind kind, double at, const char *args)
{
	struct cmd	 c;
	int		 rc;

	mk(&c, kind, at, args);
	rc = apply(&c);
	cmd_free(&c);
	if (rc != 1) {
		diag("%s %s: command_apply returned %d", cmd_names[kind], args, rc);
		return -1;
	}
	return outcome(last_id);
}

/* The first column of sql's first row (? bound to arg when not NULL); -1. */
static long long
num(const char *sql, const char *arg)
{
	sqlite3_stmt	*st;
	long long	 n = -1;

	if (sqlite3_prepare_v2(w.db, sql, -1, &st, NULL) != SQLITE_OK) {
		diag("%s: %s", sql, sqlite3_errmsg(w.db));
		return -1;
	}
	if (arg != NULL)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The text of sql's first row (? bound to arg), "(null)" for NULL, "" for none. */
static const char *
text(const char *sql, const char *arg)
{
	static char	 out[512];
	sqlite3_stmt	*st;

	out[0] = '\0';
	if (sqlite3_prepare_v2(w.db, sql, -1, &st, NULL) != SQLITE_OK)
		return out;
	if (arg != NULL)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, sizeof(out), "%s", sqlite3_column_type(st, 0) == SQLITE_NULL ?
		    "(null)" : (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static void
hash(const char *s, char out[65])
{
	sha256_hex(s, strlen(s), out);
}

static void
test_parse(void)
{
	struct cmd	 c, d;
	struct buf	 err = { 0 };
	char		*json = NULL;
	const char	*dup = "{\"v\":1,\"id\":\"0123456789abcdef0123456789abcdef\",\"cmd\":"
	    "\"login.fail\",\"at\":1,\"by\":\"x\",\"args\":{\"account\":\"a\"},\"v\":2,"
	    "\"id\":\"ffffffffffffffffffffffffffffffff\"}";
	const char	*inf = "{\"v\":1,\"id\":\"0123456789abcdef0123456789abcdef\",\"cmd\":"
	    "\"login.fail\",\"at\":1e999,\"by\":\"x\",\"args\":{\"account\":\"a\"}}";
	const char	*twice = "{\"v\":1,\"id\":\"0123456789abcdef0123456789abcdef\",\"cmd\":"
	    "\"known.add\",\"at\":1,\"by\":\"x\",\"args\":{\"name\":\"Ann\",\"name\":\"\"}}";

	memset(&d, 0, sizeof(d));
	ok(cmd_parse(&c, dup, strlen(dup), &err) == 1 && (json = cmd_json(&c)) != NULL &&
	    cmd_parse(&d, json, strlen(json), &err) == 1 &&
	    strcmp(d.id, "0123456789abcdef0123456789abcdef") == 0,
	    "a command with its envelope's keys twice is written back with the keys it was read with");
	free(json);
	cmd_free(&c);
	cmd_free(&d);
	is_int(cmd_parse(&c, inf, strlen(inf), &err), 0,
	    "a command whose time is not a time is malformed");
	buf_reset(&err);
	ok(cmd_parse(&c, twice, strlen(twice), &err) == 0 && strstr(err.p, "twice") != NULL,
	    "a command with an argument given twice is malformed");
	buf_free(&err);
}

static void
test_known(void)
{
	struct cmd	 c;
	struct buf	 err = { 0 };

	is_int(run(CMD_KNOWN_ADD, AT, "{\"name\":\"Ann Example\",\"note\":\"first\"}"), 1,
	    "known.add adds a driver");
	is_str(text("SELECT note FROM known_drivers WHERE name = 'Ann Example'", NULL), "first",
	    "known.add keeps the note");
	is_int(run(CMD_KNOWN_ADD, AT, "{\"name\":\"Ann Example\",\"note\":\"second\"}"), 1,
	    "a second known.add of the name is applied");
	ok(num("SELECT count(*) FROM known_drivers WHERE name = 'Ann Example'", NULL) == 1 &&
	    strcmp(text("SELECT note FROM known_drivers WHERE name = 'Ann Example'", NULL),
	    "second") == 0 && strstr(said.p, "already") != NULL,
	    "a second known.add updates the note and adds no row");
	run(CMD_KNOWN_ADD, AT, "{\"name\":\"Bob Example\"}");
	is_int(run(CMD_KNOWN_RENAME, AT, "{\"name\":\"Ann Example\",\"to\":\"Bob Example\"}"), 0,
	    "known.rename refuses a name that is known already");
	ok(num("SELECT count(*) FROM known_drivers WHERE name IN ('Ann Example', 'Bob Example')",
	    NULL) == 2 && strstr(said.p, "already") != NULL, "both drivers stay as they were");
	is_int(run(CMD_KNOWN_RENAME, AT, "{\"name\":\"Nobody Here\",\"to\":\"Zed\"}"), 0,
	    "known.rename refuses an unknown name");
	is_int(num("SELECT count(*) FROM known_drivers WHERE name = 'Zed'", NULL), 0,
	    "the refused rename adds nothing");
	is_int(run(CMD_KNOWN_RENAME, AT, "{\"name\":\"Ann Example\",\"to\":\"Ann Renamed\"}"), 1,
	    "known.rename renames a known driver");
	is_str(text("SELECT note FROM known_drivers WHERE name = 'Ann Renamed'", NULL), "second",
	    "the renamed driver keeps its note");
	is_int(run(CMD_KNOWN_REMOVE, AT, "{\"name\":\"Nobody Here\"}"), 0,
	    "known.remove refuses an unknown name");
	is_int(num("SELECT count(*) FROM known_drivers", NULL), 2, "the refused remove removes nothing");
	is_int(run(CMD_KNOWN_REMOVE, AT, "{\"name\":\"Bob Example\"}"), 1,
	    "known.remove removes a known driver");

	/* all or nothing: a row that fails the check refuses the whole import */
	mk(&c, CMD_KNOWN_IMPORT, AT, "{\"rows\":[{\"name\":\"Imp One\"},{\"name\":\"\"}]}");
	ok(!cmd_check(&c, &err) && strstr(err.p, "row 2") != NULL,
	    "known.import with a bad second row fails the check, naming the row");
	cmd_free(&c);
	buf_reset(&err);
	mk(&c, CMD_KNOWN_IMPORT, AT, "{\"rows\":[{\"name\":\"Imp One\"},{\"name\":\"Imp One\"}]}");
	ok(!cmd_check(&c, &err) && strstr(err.p, "twice") != NULL,
	    "known.import with a name twice fails the check");
	cmd_free(&c);
	buf_free(&err);
	is_int(run(CMD_KNOWN_IMPORT, AT, "{\"rows\":[{\"name\":\"Imp One\"},"
	    "{\"name\":\"Ann Renamed\",\"note\":\"imported\"}]}"), 1,
	    "known.import of valid rows is applied");
	ok(num("SELECT count(*) FROM known_drivers WHERE name = 'Imp One'", NULL) == 1 &&
	    strstr(said.p, "imported 1 known driver (1 already known)") != NULL,
	    "known.import adds the new rows and counts the known ones");
}

static void
test_clients(void)
{
	struct buf	 args = { 0 };
	char		 h1[65], h2[65], h3[65], h5[65], code[65], old[65], ended[65];
	char		 nocode[65], path[PATH_MAX], bad[PATH_MAX];
	struct buf	 b = { 0 };
	long long	 id;
	FILE		*f;

	hash("ts_first", h1);
	hash("ts_second", h2);
	hash("ts_third", h3);
	hash("ts_fifth", h5);
	hash("code-valid", code);
	hash("code-expired", old);
	hash("code-ended", ended);
	hash("code-nobody", nocode);

	buf_printf(&args, "{\"name\":\"Car 7\",\"token_hash\":\"%s\"}", h1);
	is_int(run(CMD_CLIENT_ADD, AT, args.p), 1, "client.add creates a client token");
	id = num("SELECT id FROM clients WHERE token_hash = ?", h1);
	ok(id > 0 && num("SELECT count(*) FROM clients WHERE token_hash = 'ts_first' OR "
	    "name = 'ts_first'", NULL) == 0, "client.add stores the token's hash");
	buf_reset(&b);
	buf_printf(&b, "{\"id\":%lld}", id);
	is_str(handed.p, b.p, "client.add hands back the new id");
	is_str(text("SELECT result FROM admin_log WHERE id = ?", last_id), b.p,
	    "the id is in the command's log row for the sender");
	is_int(num("SELECT enrolled FROM clients WHERE id = 1", NULL), 0,
	    "a token made without a code is not marked enrolled");

	/* enrollment codes */
	buf_reset(&args);
	buf_printf(&args, "{\"code_hash\":\"%s\",\"label\":\"past\",\"expires_at\":%.0f}", h5, AT - 1);
	is_int(run(CMD_ENROLL_ADD, AT, args.p), 0, "enroll.add refuses an expiry in the past");
	is_int(num("SELECT count(*) FROM enroll_codes", NULL), 0, "the refused code is not stored");
	buf_reset(&args);
	buf_printf(&args, "{\"code_hash\":\"%s\",\"label\":\"now\",\"expires_at\":%.0f}", h5, AT);
	is_int(run(CMD_ENROLL_ADD, AT, args.p), 0, "enroll.add refuses an expiry at its own time");
	buf_reset(&args);
	buf_printf(&args, "{\"code_hash\":\"%s\",\"label\":\"open day\",\"expires_at\":%.0f}", code,
	    AT + 3600);
	is_int(run(CMD_ENROLL_ADD, AT, args.p), 1, "enroll.add opens a code");
	buf_reset(&args);
	buf_printf(&args, "{\"code_hash\":\"%s\",\"label\":\"short\",\"expires_at\":%.0f}", old, AT + 100);
	run(CMD_ENROLL_ADD, AT, args.p);
	buf_reset(&args);
	buf_printf(&args, "{\"code_hash\":\"%s\",\"label\":\"ended\",\"expires_at\":%.0f}", ended,
	    AT + 3600);
	run(CMD_ENROLL_ADD, AT, args.p);
	buf_reset(&args);
	buf_printf(&args, "{\"code_hash\":\"%s\"}", ended);
	is_int(run(CMD_ENROLL_END, AT + 1, args.p), 1, "enroll.end ends a code");

	buf_reset(&args);
	buf_printf(&args, "{\"name\":\"Guest\",\"token_hash\":\"%s\",\"code_hash\":\"%s\"}", h2, code);
	is_int(run(CMD_CLIENT_ADD, AT + 10, args.p), 1, "client.add with a valid code is applied");
	ok(num("SELECT used FROM enroll_codes WHERE code_hash = ?", code) == 1 &&
	    num("SELECT enrolled FROM clients WHERE token_hash = ?", h2) == 1,
	    "the code counts the token in used; the token is marked enrolled");
	buf_reset(&args);
	buf_printf(&args, "{\"name\":\"Late\",\"token_hash\":\"%s\",\"code_hash\":\"%s\"}", h3, old);
	ok(run(CMD_CLIENT_ADD, AT + 200, args.p) == 0 &&
	    num("SELECT count(*) FROM clients WHERE token_hash = ?", h3) == 0 &&
	    num("SELECT used FROM enroll_codes WHERE code_hash = ?", old) == 0,
	    "client.add with an expired code is refused and makes no client");
	buf_reset(&args);
	buf_printf(&args, "{\"name\":\"Late\",\"token_hash\":\"%s\",\"code_hash\":\"%s\"}", h3, ended);
	ok(run(CMD_CLIENT_ADD, AT + 10, args.p) == 0 &&
	    num("SELECT count(*) FROM clients WHERE token_hash = ?", h3) == 0,
	    "client.add with an ended code is refused and makes no client");
	buf_reset(&args);
	buf_printf(&args, "{\"name\":\"Late\",\"token_hash\":\"%s\",\"code_hash\":\"%s\"}", h3, nocode);
	ok(run(CMD_CLIENT_ADD, AT + 10, args.p) == 0 &&
	    num("SELECT count(*) FROM clients WHERE token_hash = ?", h3) == 0,
	    "client.add with an unknown code is refused and makes no client");
	/* refused after it counted the code: the count is rolled back */
	buf_reset(&args);
	buf_printf(&args, "{\"name\":\"Again\",\"token_hash\":\"%s\",\"code_hash\":\"%s\"}", h2, code);
	ok(run(CMD_CLIENT_ADD, AT + 20, args.p) == 0 &&
	    num("SELECT used FROM enroll_codes WHERE code_hash = ?", code) == 1 &&
	    num("SELECT count(*) FROM clients", NULL) == 2,
	    "a client.add refused after counting its code changes nothing (used stays 1)");

	/* revoke */
	is_int(run(CMD_CLIENT_REVOKE, AT, "{\"token\":999}"), 0, "client.revoke refuses an unknown token");
	buf_reset(&args);
	buf_printf(&args, "{\"token\":%lld}", id);
	is_int(run(CMD_CLIENT_REVOKE, AT + 30, args.p), 1, "client.revoke revokes a token");
	is_int(num("SELECT revoked_at FROM clients WHERE id = 1", NULL), (long long)AT + 30,
	    "the token's revoked_at is the command's time");
	is_int(run(CMD_CLIENT_REVOKE, AT + 40, args.p), 0, "client.revoke refuses a revoked token");
	is_int(num("SELECT revoked_at FROM clients WHERE id = 1", NULL), (long long)AT + 30,
	    "a second revoke changes nothing");

	/* rebind: token 1 is revoked, token 2 (Guest) active */
	db_exec(w.db, "INSERT INTO client_seqs (client, token_id, last_seq, last_at) "
	    "VALUES ('rigAAAAA', 1, 5, 0)", NULL);
	is_int(run(CMD_CLIENT_REBIND, AT, "{\"client\":\"rigAAAAA\",\"token\":1}"), 0,
	    "client.rebind refuses a revoked token");
	snprintf(path, sizeof(path), "%s/clients/rigAAAAA", inbox);
	ok(num("SELECT token_id FROM client_seqs WHERE client = 'rigAAAAA'", NULL) == 1 &&
	    access(path, F_OK) != 0, "the refused rebind changes neither binding");
	/* the inbox's binding cannot be written: refused, the database's rolled back */
	snprintf(bad, sizeof(bad), "%s/badinbox", dir);
	mkdir(bad, 0755);
	snprintf(path, sizeof(path), "%s/clients", bad);
	if ((f = fopen(path, "w")) != NULL)
		fclose(f);
	ctx_inbox = bad;
	is_int(run(CMD_CLIENT_REBIND, AT, "{\"client\":\"rigAAAAA\",\"token\":2}"), 0,
	    "client.rebind is refused when the inbox's binding cannot be written");
	is_int(num("SELECT token_id FROM client_seqs WHERE client = 'rigAAAAA'", NULL), 1,
	    "the refused rebind leaves client_seqs as it was");
	ctx_inbox = inbox;
	is_int(run(CMD_CLIENT_REBIND, AT, "{\"client\":\"rigAAAAA\",\"token\":2}"), 1,
	    "client.rebind moves a client id to an active token");
	snprintf(path, sizeof(path), "%s/clients/rigAAAAA", inbox);
	buf_reset(&b);
	ok(num("SELECT token_id FROM client_seqs WHERE client = 'rigAAAAA'", NULL) == 2 &&
	    file_read(path, 64, &b) > 0 && strcmp(b.p, "2\n") == 0,
	    "client_seqs.token_id and the inbox's binding name the new token");
	buf_free(&args);
	buf_free(&b);
}

static void
test_sessions(void)
{
	db_exec(w.db, "INSERT INTO sessions (id, sim, track, type, online, started_at, last_update) "
	    "VALUES ('" SID "', 'lmu', 'Sebring', 'RACE1', 0, 1, 2)", NULL);
	is_int(run(CMD_SESSION_RENAME, AT, "{\"session\":\"" SID "\",\"name\":\"Club night\"}"), 1,
	    "session.rename is applied");
	is_str(text("SELECT name FROM sessions WHERE id = ?", SID), "Club night",
	    "session.rename sets the name");
	is_int(run(CMD_SESSION_RENAME, AT, "{\"session\":\"" SID "\",\"name\":\"\"}"), 1,
	    "session.rename with an empty name is applied");
	is_str(text("SELECT name FROM sessions WHERE id = ?", SID), "(null)",
	    "session.rename with an empty name clears it");
	is_int(run(CMD_SESSION_RENAME, AT, "{\"session\":\"0191ffffffffffffffffffffffff0000\","
	    "\"name\":\"Ghost\"}"), 0, "session.rename refuses an unknown session");
	ok(strstr(said.p, "no session 0191ffffffffffffffffffffffff0000") != NULL,
	    "the refusal names the session");
	is_int(run(CMD_SESSION_HIDE, AT, "{\"session\":\"" SID "\",\"hidden\":true}"), 1,
	    "session.hide is applied");
	is_int(num("SELECT hidden FROM sessions WHERE id = ?", SID), 1, "session.hide hides the session");
	run(CMD_SESSION_HIDE, AT, "{\"session\":\"" SID "\",\"hidden\":false}");
	is_int(num("SELECT hidden FROM sessions WHERE id = ?", SID), 0,
	    "session.hide with false shows it again");
	is_int(run(CMD_SESSION_HIDE, AT, "{\"session\":\"0191ffffffffffffffffffffffff0000\","
	    "\"hidden\":true}"), 0, "session.hide refuses an unknown session");
}

/* Whether a command of kind with args fails the check, err saying what is in why. */
static int
refused_check(enum cmd_kind kind, const char *args, const char *why)
{
	struct cmd	 c;
	struct buf	 err = { 0 };
	int		 rc;

	mk(&c, kind, AT, args);
	rc = cmd_check(&c, &err) == 0 && err.p != NULL && strstr(err.p, why) != NULL;
	if (!rc)
		diag("%s %s: %s", cmd_names[kind], args, err.p ? err.p : "passed the check");
	cmd_free(&c);
	buf_free(&err);
	return rc;
}

static void
test_rules(void)
{
	const char *rules = "SELECT drive_rules FROM sessions WHERE id = ?";

	is_int(run(CMD_SESSION_RULES, AT, "{\"session\":\"" SID "\",\"rules\":{\"min\":2700,"
	    "\"max\":14400,\"stint\":7200}}"), 1, "session.rules is applied");
	is_str(text(rules, SID), "{\"min\":2700,\"max\":14400,\"stint\":7200}",
	    "session.rules stores the rules in seconds");
	ok(strstr(said.p, "min 0:45:00, max 4:00:00, stint 2:00:00") != NULL,
	    "the summary says the rules in hours and minutes");
	is_int(run(CMD_SESSION_RULES, AT, "{\"session\":\"" SID "\",\"rules\":{\"min\":0,"
	    "\"window\":21600,\"window_max\":12600}}"), 1, "session.rules with a window is applied");
	ok(strcmp(text(rules, SID), "{\"min\":0,\"window\":21600,\"window_max\":12600}") == 0 &&
	    strstr(said.p, "min none") != NULL, "new rules replace the old; 0 is no such rule");
	is_int(run(CMD_SESSION_RULES, AT, "{\"session\":\"" SID "\",\"rules\":{\"window\":3600}}"), 0,
	    "session.rules refuses a window without its maximum");
	is_int(run(CMD_SESSION_RULES, AT, "{\"session\":\"" SID "\",\"rules\":{\"window\":3600,"
	    "\"window_max\":4000}}"), 0, "session.rules refuses a window maximum longer than the window");
	is_int(run(CMD_SESSION_RULES, AT, "{\"session\":\"" SID "\",\"rules\":{\"min\":7200,"
	    "\"max\":3600}}"), 0, "session.rules refuses a minimum above the maximum");
	ok(strstr(said.p, "minimum") != NULL, "the refusal says why");
	is_int(run(CMD_SESSION_RULES, AT, "{\"session\":\"0191ffffffffffffffffffffffff0000\","
	    "\"rules\":{\"min\":60}}"), 0, "session.rules refuses an unknown session");
	is_str(text(rules, SID), "{\"min\":0,\"window\":21600,\"window_max\":12600}",
	    "the refused commands changed nothing");
	is_int(run(CMD_SESSION_RULES, AT, "{\"session\":\"" SID "\",\"rules\":{}}"), 1,
	    "session.rules with no rules is applied");
	ok(strcmp(text(rules, SID), "(null)") == 0 && strstr(said.p, "configuration") != NULL,
	    "no rules clear the session's: the configuration's apply");
	ok(refused_check(CMD_SESSION_RULES, "{\"session\":\"" SID "\",\"rules\":{\"laps\":3}}",
	    "no drive-time rule"), "session.rules: an unknown rule fails the check");
	ok(refused_check(CMD_SESSION_RULES, "{\"session\":\"" SID "\",\"rules\":{\"min\":-1}}",
	    "0 to"), "session.rules: a negative time fails the check");
	ok(refused_check(CMD_SESSION_RULES, "{\"session\":\"" SID "\",\"rules\":{\"max\":\"4h\"}}",
	    "0 to"), "session.rules: a time that is no number fails the check");
	ok(refused_check(CMD_SESSION_RULES, "{\"session\":\"" SID "\",\"rules\":{\"max\":1e9}}",
	    "0 to"), "session.rules: a time beyond a week fails the check");
	ok(refused_check(CMD_SESSION_RULES, "{\"session\":\"" SID "\",\"rules\":{\"min\":1,\"min\":2}}",
	    "twice"), "session.rules: a rule given twice fails the check");
	ok(refused_check(CMD_SESSION_RULES, "{\"session\":\"" SID "\",\"rules\":[]}", "object"),
	    "session.rules: rules that are no object fail the check");
	ok(refused_check(CMD_SESSION_RULES, "{\"session\":\"" SID "\"}", "needs \"rules\""),
	    "session.rules: no rules at all fails the check");
}

/* Arguments hook.add refuses: what the refusal says, and the test's name. */
static const struct {
	const char	*args;
	const char	*says;
	const char	*name;
} bad_hooks[] = {
	{ "{\"url\":\"ftp://example.org/x\",\"events\":\"pit\",\"format\":\"json\"}",
	    "http://", "hook.add: an address that is not http(s) fails" },
	{ "{\"url\":\"http://exa mple.org/\",\"events\":\"pit\",\"format\":\"json\"}",
	    "without spaces", "hook.add: an address with a space fails" },
	{ "{\"url\":\"http://example.org/\\n\",\"events\":\"pit\",\"format\":\"json\"}",
	    "without spaces", "hook.add: an address with a control character fails" },
	{ "{\"url\":\"https:///path\",\"events\":\"pit\",\"format\":\"json\"}",
	    "http://", "hook.add: an address without a host fails" },
	{ "{\"url\":\"http://example.org/\",\"events\":\"pit,bogus\",\"format\":\"json\"}",
	    "events", "hook.add: an unknown event fails" },
	{ "{\"url\":\"http://example.org/\",\"events\":\"pit,pit\",\"format\":\"json\"}",
	    "each once", "hook.add: an event twice fails" },
	{ "{\"url\":\"http://example.org/\",\"events\":\"pit, swap\",\"format\":\"json\"}",
	    "events", "hook.add: a space in the events fails" },
	{ "{\"url\":\"http://example.org/\",\"events\":\"\",\"format\":\"json\"}",
	    "events", "hook.add: no events fails" },
	{ "{\"url\":\"http://example.org/\",\"events\":\"pit\",\"format\":\"xml\"}",
	    "json or discord", "hook.add: an unknown format fails" },
	{ "{\"url\":\"http://example.org/\",\"events\":\"pit\",\"format\":\"json\",\"window_laps\":0}",
	    "1 to 50", "hook.add: 0 laps fails" },
	{ "{\"url\":\"http://example.org/\",\"events\":\"pit\",\"format\":\"json\",\"window_laps\":51}",
	    "1 to 50", "hook.add: 51 laps fails" },
	{ "{\"url\":\"http://example.org/\",\"events\":\"pit\",\"format\":\"json\",\"window_laps\":2.5}",
	    "whole number", "hook.add: part of a lap fails" },
	{ "{\"url\":\"http://example.org/\",\"events\":\"pit\",\"format\":\"json\",\"car\":\"\"}",
	    "\"car\"", "hook.add: an empty car fails" },
	{ "{\"url\":\"http://example.org/\",\"events\":\"pit\",\"format\":\"json\",\"car\":"
	    "\"12345678901234567890123456789012345678901234567890123456789012345\"}",
	    "\"car\"", "hook.add: a car of 65 characters fails" },
	{ "{\"url\":\"http://example.org/\",\"events\":\"pit\"}",
	    "needs \"format\"", "hook.add: no format fails" },
};

static void
test_hooks(void)
{
	struct buf	 b = { 0 };
	long long	 before, id;

	is_int(run(CMD_HOOK_ADD, AT, "{\"url\":\"https://discord.com/api/webhooks/1/S3CRET\","
	    "\"events\":\"pit,swap,penalty\",\"format\":\"discord\"}"), 1, "hook.add is applied");
	id = num("SELECT max(id) FROM webhooks", NULL);
	buf_printf(&b, "{\"id\":%lld}", id);
	is_str(handed.p, b.p, "hook.add hands back the new id");
	ok(num("SELECT count(*) FROM webhooks WHERE origin = 'admin' AND car IS NULL AND window_laps = 3 "
	    "AND format = 'discord' AND events = 'pit,swap,penalty' AND removed_at IS NULL AND "
	    "created_at = 1800000000", NULL) == 1, "the webhook is stored: every car, 3 laps, admin's");
	ok(strstr(said.p, "https://discord.com") != NULL && strstr(said.p, "S3CRET") == NULL &&
	    num("SELECT count(*) FROM admin_log WHERE summary LIKE '%S3CRET%' OR target LIKE '%S3CRET%'",
	    NULL) == 0, "the audit log names the host, not the address's secret part");
	is_int(run(CMD_HOOK_ADD, AT, "{\"url\":\"http://127.0.0.1:9/hook\",\"car\":\"7\","
	    "\"events\":\"pit_window\",\"format\":\"json\",\"window_laps\":5}"), 1,
	    "hook.add for one car with a pit window is applied");
	ok(num("SELECT count(*) FROM webhooks WHERE car = '7' AND window_laps = 5 AND format = 'json'",
	    NULL) == 1, "the car and the window's laps are stored");

	before = num("SELECT count(*) FROM webhooks", NULL);
	for (size_t i = 0; i < sizeof(bad_hooks) / sizeof(bad_hooks[0]); i++)
		ok(refused_check(CMD_HOOK_ADD, bad_hooks[i].args, bad_hooks[i].says), "%s",
		    bad_hooks[i].name);
	buf_reset(&b);
	buf_printf(&b, "{\"url\":\"http://example.org/");
	for (int i = 0; i < 482; i++)	/* 501 characters in all */
		buf_putc(&b, 'a');
	buf_printf(&b, "\",\"events\":\"pit\",\"format\":\"json\"}");
	ok(refused_check(CMD_HOOK_ADD, b.p, "at most 500"), "hook.add: an address over 500 characters fails");
	is_int(num("SELECT count(*) FROM webhooks", NULL), before, "the refused hooks added nothing");

	buf_reset(&b);
	buf_printf(&b, "{\"hook\":%lld}", id);
	is_int(run(CMD_HOOK_REMOVE, AT + 5, b.p), 1, "hook.remove is applied");
	is_int(num("SELECT count(*) FROM webhooks WHERE removed_at = 1800000005 AND url LIKE "
	    "'https://discord.com/%'", NULL), 1, "hook.remove sets removed_at to the command's time");
	is_int(run(CMD_HOOK_REMOVE, AT + 6, b.p), 0, "hook.remove refuses a hook removed already");
	is_int(num("SELECT count(*) FROM webhooks WHERE removed_at = 1800000005", NULL), 1,
	    "the refused remove keeps the first removal's time");
	is_int(run(CMD_HOOK_REMOVE, AT, "{\"hook\":99999}"), 0, "hook.remove refuses an unknown hook");
	ok(strstr(said.p, "no webhook 99999") != NULL, "the refusal names the hook");
	db_exec(w.db, "INSERT INTO webhooks (url, events, origin, created_at) VALUES "
	    "('http://example.org/c', 'finish', 'config', 1)", NULL);
	buf_reset(&b);
	buf_printf(&b, "{\"hook\":%lld}", num("SELECT max(id) FROM webhooks", NULL));
	ok(run(CMD_HOOK_REMOVE, AT, b.p) == 0 && strstr(said.p, "configuration") != NULL &&
	    num("SELECT count(*) FROM webhooks WHERE origin = 'config' AND removed_at IS NULL", NULL) == 1,
	    "hook.remove refuses a hook of the configuration, which stays");
	ok(refused_check(CMD_HOOK_REMOVE, "{\"hook\":0}", "positive"), "hook.remove: hook 0 fails the check");
	buf_free(&b);
}

static void
test_accounts(void)
{
	char		 l1[65], l2[65], l3[65], l4[65];
	struct buf	 args = { 0 };

	hash("login-1", l1);
	hash("login-2", l2);
	hash("login-3", l3);
	hash("login-4", l4);
	is_int(run(CMD_ACCOUNT_ADD, AT, "{\"name\":\"Alice\",\"pw_hash\":\"" PWH "\"}"), 1,
	    "account.add adds an account");
	is_int(run(CMD_ACCOUNT_ADD, AT, "{\"name\":\"alice\",\"pw_hash\":\"" PWH2 "\"}"), 0,
	    "account.add refuses a second account of the same name in another case");
	ok(num("SELECT count(*) FROM admin_accounts", NULL) == 1 &&
	    strcmp(text("SELECT pw_hash FROM admin_accounts", NULL), PWH) == 0,
	    "the refused account.add changes nothing");
	run(CMD_ACCOUNT_ADD, AT, "{\"name\":\"bob\",\"pw_hash\":\"" PWH "\"}");

	buf_printf(&args, "{\"id_hash\":\"%s\",\"account\":\"nobody\"}", l4);
	is_int(run(CMD_LOGIN_OPEN, AT, args.p), 0, "login.open refuses an unknown account");
	is_int(num("SELECT count(*) FROM admin_logins", NULL), 0, "the refused sign-in is not stored");
	buf_reset(&args);
	buf_printf(&args, "{\"id_hash\":\"%s\",\"account\":\"Alice\"}", l1);
	is_int(run(CMD_LOGIN_OPEN, AT, args.p), 1, "login.open signs an account in");
	is_str(text("SELECT addr FROM admin_logins WHERE id_hash = ?", l1), ADDR,
	    "the sign-in keeps the browser's address");
	buf_reset(&args);
	buf_printf(&args, "{\"id_hash\":\"%s\",\"account\":\"Alice\"}", l2);
	run(CMD_LOGIN_OPEN, AT, args.p);
	buf_reset(&args);
	buf_printf(&args, "{\"id_hash\":\"%s\",\"account\":\"bob\"}", l3);
	run(CMD_LOGIN_OPEN, AT, args.p);

	/* login.touch: forward only, and not on an ended sign-in */
	buf_reset(&args);
	buf_printf(&args, "{\"id_hash\":\"%s\"}", l1);
	run(CMD_LOGIN_TOUCH, AT + 100, args.p);
	is_int(num("SELECT seen_at FROM admin_logins WHERE id_hash = ?", l1), (long long)AT + 100,
	    "login.touch moves seen_at forward");
	run(CMD_LOGIN_TOUCH, AT + 50, args.p);
	is_int(num("SELECT seen_at FROM admin_logins WHERE id_hash = ?", l1), (long long)AT + 100,
	    "login.touch never moves seen_at backwards");
	ok(num("SELECT shown FROM admin_log WHERE id = ?", last_id) == 0 &&
	    num("SELECT count(*) FROM admin_log WHERE cmd = 'login.touch'", NULL) == 2,
	    "login.touch rows are logged but not shown");
	is_int(num("SELECT count(*) FROM admin_log WHERE cmd <> 'login.touch' AND shown = 0", NULL), 0,
	    "every other command's row is shown");
	buf_reset(&args);
	buf_printf(&args, "{\"id_hash\":\"%s\"}", l2);
	is_int(run(CMD_LOGIN_CLOSE, AT + 110, args.p), 1, "login.close is applied");
	is_int(num("SELECT ended_at FROM admin_logins WHERE id_hash = ?", l2), (long long)AT + 110,
	    "login.close ends the sign-in");
	run(CMD_LOGIN_TOUCH, AT + 200, args.p);
	is_int(num("SELECT seen_at FROM admin_logins WHERE id_hash = ?", l2), (long long)AT,
	    "login.touch does nothing on an ended sign-in");

	/* a new password ends the account's sign-ins, not others' */
	is_int(run(CMD_ACCOUNT_PASSWD, AT + 300, "{\"name\":\"Alice\",\"pw_hash\":\"" PWH2 "\"}"), 1,
	    "account.passwd is applied");
	ok(num("SELECT count(*) FROM admin_logins WHERE account = 'Alice' AND ended_at IS NULL",
	    NULL) == 0 && num("SELECT ended_at FROM admin_logins WHERE id_hash = ?", l1) ==
	    (long long)AT + 300 && strcmp(text("SELECT pw_hash FROM admin_accounts WHERE "
	    "name = 'Alice'", NULL), PWH2) == 0,
	    "account.passwd sets the hash and ends every open sign-in of the account");
	is_int(num("SELECT count(*) FROM admin_logins WHERE account = 'bob' AND ended_at IS NULL",
	    NULL), 1, "another account's sign-in stays open");
	is_int(run(CMD_ACCOUNT_PASSWD, AT, "{\"name\":\"nobody\",\"pw_hash\":\"" PWH2 "\"}"), 0,
	    "account.passwd refuses an unknown account");
	is_int(run(CMD_ACCOUNT_REMOVE, AT, "{\"name\":\"Alice\"}"), 1, "account.remove is applied");
	ok(num("SELECT count(*) FROM admin_logins WHERE account = 'Alice'", NULL) == 0 &&
	    num("SELECT count(*) FROM admin_accounts WHERE name = 'Alice'", NULL) == 0,
	    "account.remove removes the account and its sign-ins");
	is_int(num("SELECT count(*) FROM admin_logins WHERE account = 'bob'", NULL), 1,
	    "another account's sign-ins stay");
	is_int(run(CMD_ACCOUNT_REMOVE, AT, "{\"name\":\"Alice\"}"), 0,
	    "account.remove refuses an unknown account");

	/* failed sign-ins */
	is_int(run(CMD_LOGIN_FAIL, AT - 90000, "{\"account\":\"MiXed\"}"), 1, "login.fail is applied");
	ok(num("SELECT count(*) FROM admin_failures WHERE account = 'mixed' AND addr = '" ADDR "'",
	    NULL) == 1, "login.fail records the lower-cased account and the address");
	run(CMD_LOGIN_FAIL, AT, "{\"account\":\"MiXed\"}");
	ok(num("SELECT count(*) FROM admin_failures", NULL) == 1 &&
	    num("SELECT min(at) FROM admin_failures", NULL) == (long long)AT,
	    "login.fail drops failures older than a day");
	buf_free(&args);
}

static void
test_log(void)
{
	struct cmd	 c;

	is_int(num("SELECT count(*) FROM admin_log", NULL), ncmds,
	    "every command, applied or refused, left exactly one admin_log row");
	is_int(num("SELECT count(*) FROM admin_log WHERE by <> '" BY "' OR addr <> '" ADDR "' OR "
	    "summary = '' OR ok NOT IN (0, 1) OR applied_at IS NULL", NULL), 0,
	    "every row has its author, address, summary and outcome");
	ok(strcmp(text("SELECT target || '|' || ok || '|' || summary FROM admin_log WHERE cmd = "
	    "'known.remove' AND ok = 0", NULL),
	    "Nobody Here|0|\"Nobody Here\" is not a known driver") == 0,
	    "a refused command's row says what it acted on and why");
	ok(strcmp(text("SELECT target || '|' || ok FROM admin_log WHERE cmd = 'session.hide' AND ok",
	    NULL), SID "|1") == 0, "an applied command's row names its target");

	mk(&c, CMD_LOGIN_FAIL, AT + 1, "{\"account\":\"twice\"}");
	is_int(apply(&c), 1, "a command is applied the first time");
	is_int(apply(&c), 2, "the same command id again is reported as applied before");
	ok(num("SELECT count(*) FROM admin_failures WHERE account = 'twice'", NULL) == 1 &&
	    num("SELECT count(*) FROM admin_log WHERE id = ?", c.id) == 1,
	    "the second time changes nothing and logs nothing");
	cmd_free(&c);
}

/* Appends a frame of client at seq. Returns 1 or -1. */
static int
put_frame(const char *client, long long seq)
{
	char	 head[64];
	struct buf b = { 0 };
	int	 rc;

	snprintf(head, sizeof(head), "{\"token\":1,\"received_at\":%.3f}", time_now());
	buf_printf(&b, "{\"v\":1,\"client\":{\"id\":\"%s\"},\"seq\":%lld,\"captured_at\":"
	    "\"2026-11-21T12:00:00.000Z\",\"source\":\"lmu\",\"data\":{\"/rest/watch/sessionInfo\":null}}",
	    client, seq);
	rc = inbox_append(iw, client, seq, head, strlen(head), b.p, b.len, &ticket);
	buf_free(&b);
	return rc;
}

/* Appends a command record of any bytes, as cmd_put would put a valid one. */
static int
put_raw_cmd(const char *json)
{
	const char *head = "{\"received_at\":1800000000}";

	return inbox_append(iw, CMD_CLIENT, (long long)(time_now() * 1e6), head, strlen(head), json,
	    strlen(json), &ticket);
}

/* One drain of the worker; -1 when it failed. */
static int
drain_once(int *more)
{
	if (inbox_sync(iw, ticket) < 0)
		return -1;
	return worker_drain(&w, more);
}

/* Drains until nothing waits. Returns 1 or -1. */
static int
drain_all(void)
{
	int more, rc;

	do {
		if ((rc = drain_once(&more)) < 0)
			return -1;
	} while (rc > 0 || more);
	return 1;
}

static void
test_worker_order(void)
{
	struct cmd	 c;
	long long	 raw_at_cmd = -1, steps = 0;
	int		 more, rc, put = 1;

	put &= put_frame("orderclient1", 1) > 0;
	mk(&c, CMD_KNOWN_ADD, 0, "{\"name\":\"Between Frames\"}");
	put &= cmd_put(iw, &c) > 0;
	put &= put_frame("orderclient1", 2) > 0;
	ok(put, "two frames and a command between them are in the inbox");
	/* After each transaction: was the command there, and which frames? */
	do {
		if ((rc = drain_once(&more)) < 0)
			break;
		steps++;
		if (raw_at_cmd < 0 && outcome(c.id) >= 0)
			raw_at_cmd = num("SELECT count(*) FROM raw_frames WHERE client = "
			    "'orderclient1'", NULL);
	} while (rc > 0 || more);
	is_int(raw_at_cmd, 1, "the command was applied after the first frame and before the second");
	is_int(num("SELECT count(*) FROM raw_frames WHERE client = 'orderclient1'", NULL), 2,
	    "both frames were applied");
	ok(outcome(c.id) == 1 && num("SELECT count(*) FROM known_drivers WHERE name = "
	    "'Between Frames'", NULL) == 1, "the command was applied through the inbox");
	ok(rc >= 0 && steps >= 3, "the command was a transaction of its own (%lld drains)", steps);
	cmd_free(&c);
}

static void
test_worker_replay(void)
{
	struct cmd	 c;
	struct buf	 args = { 0 };
	char		 code[65], tok[65];
	long long	 dups;

	hash("code-replay", code);
	hash("ts_replay", tok);
	buf_printf(&args, "{\"code_hash\":\"%s\",\"label\":\"replay\",\"expires_at\":%.0f}", code,
	    time_now() + 3600);
	run(CMD_ENROLL_ADD, 0, args.p);
	db_exec(w.db, "DROP TABLE IF EXISTS temp.pos_saved; CREATE TEMP TABLE pos_saved AS "
	    "SELECT * FROM inbox_pos", NULL);
	buf_reset(&args);
	buf_printf(&args, "{\"name\":\"Replayed\",\"token_hash\":\"%s\",\"code_hash\":\"%s\"}", tok, code);
	mk(&c, CMD_CLIENT_ADD, 0, args.p);
	ok(cmd_put(iw, &c) == 1 && drain_all() > 0 && outcome(c.id) == 1,
	    "a client.add with a code is applied through the inbox");
	ok(num("SELECT used FROM enroll_codes WHERE code_hash = ?", code) == 1 &&
	    num("SELECT count(*) FROM clients WHERE token_hash = ?", tok) == 1,
	    "it counted the code once");
	/* a crash before the position moved: the record is read again */
	dups = w.duplicates;
	db_exec(w.db, "DELETE FROM inbox_pos; INSERT INTO inbox_pos SELECT * FROM pos_saved", NULL);
	ok(drain_all() > 0 && w.duplicates == dups + 1, "the worker reads the command again and "
	    "finds it applied");
	ok(num("SELECT used FROM enroll_codes WHERE code_hash = ?", code) == 1 &&
	    num("SELECT count(*) FROM clients WHERE token_hash = ?", tok) == 1 &&
	    num("SELECT count(*) FROM admin_log WHERE id = ?", c.id) == 1,
	    "a command replayed after a crash is not applied twice");
	cmd_free(&c);
	buf_free(&args);
}

/* The files in directory d, or -1. */
static long long
count_files(const char *d)
{
	DIR		*dp;
	struct dirent	*de;
	long long	 n = 0;

	if ((dp = opendir(d)) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL)
		n += de->d_name[0] != '.';
	closedir(dp);
	return n;
}

static void
test_worker_malformed(void)
{
	char		 rd[PATH_MAX + 16];
	struct cmd	 c;
	long long	 rejected = w.rejected, files;
	int		 put = 1;

	put &= put_raw_cmd("{not json") > 0;
	put &= put_raw_cmd("{\"v\":1,\"id\":\"0123456789abcdef0123456789abcdef\",\"cmd\":\"known.frob\","
	    "\"at\":1800000000,\"by\":\"cli:x\",\"args\":{\"name\":\"Frob\"}}") > 0;
	put &= put_raw_cmd("{\"v\":1,\"id\":\"0123456789abcdef0123456789abcde0\",\"cmd\":\"known.add\","
	    "\"at\":1800000000,\"by\":\"cli:x\",\"args\":{\"name\":\"\"}}") > 0;
	put &= put_raw_cmd("{\"v\":1,\"cmd\":\"known.add\",\"at\":1800000000,\"by\":\"cli:x\","
	    "\"args\":{\"name\":\"No Id\"}}") > 0;
	put &= put_raw_cmd("{\"v\":1,\"id\":\"0123456789abcdef0123456789abcde1\",\"cmd\":\"known.import\","
	    "\"at\":1800000000,\"by\":\"cli:x\",\"args\":{\"rows\":[{\"name\":\"Imp Good\"},"
	    "{\"name\":\"Imp Bad\",\"note\":3}]}}") > 0;
	put &= put_frame("orderclient1", 3) > 0;
	mk(&c, CMD_KNOWN_ADD, 0, "{\"name\":\"After The Bad\"}");
	put &= cmd_put(iw, &c) > 0;
	ok(put && drain_all() > 0, "the worker drains an inbox with malformed command records");
	is_int(w.rejected - rejected, 5, "each malformed command record is set aside");
	snprintf(rd, sizeof(rd), "%s/rejected", inbox);
	files = count_files(rd);
	is_int(files, 5, "they are kept in the inbox's rejected directory");
	ok(num("SELECT count(*) FROM known_drivers WHERE name IN ('Frob', 'No Id', 'Imp Good', "
	    "'Imp Bad')", NULL) == 0 && num("SELECT count(*) FROM admin_log WHERE id LIKE "
	    "'0123456789abcdef0123456789abcde%'", NULL) == 0,
	    "none of them changed anything; an import with one bad row adds none");
	ok(num("SELECT count(*) FROM raw_frames WHERE client = 'orderclient1' AND seq = 3", NULL) == 1 &&
	    outcome(c.id) == 1, "the worker goes on with the frame and the command after them");
	cmd_free(&c);
}

int
main(void)
{
	struct buf	 err = { 0 };
	const char	*tmp = getenv("TMPDIR");
	char		 db[PATH_MAX + 8];

	log_init("t_command", 1, LOG_LVL_ERR);
	snprintf(dir, sizeof(dir), "%s/t_command.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! no temporary directory\n");
		return 1;
	}
	snprintf(db, sizeof(db), "%s/db", dir);
	snprintf(inbox, sizeof(inbox), "%s/inbox", dir);
	ctx_inbox = inbox;
	if (inbox_init(inbox) < 0 || inbox_writer_open(&iw, inbox) < 0 ||
	    !worker_open(&w, db, inbox, &err)) {
		printf("Bail out! setup: %s\n", err.p ? err.p : "inbox");
		return 1;
	}
	test_parse();
	test_known();
	test_clients();
	test_sessions();
	test_rules();
	test_hooks();
	test_accounts();
	test_log();
	test_worker_order();
	test_worker_replay();
	test_worker_malformed();
	worker_close(&w);
	inbox_writer_close(iw);
	if (tap_failed == 0) {
		char cmdline[PATH_MAX + 16];
		snprintf(cmdline, sizeof(cmdline), "rm -rf '%s'", dir);
		if (system(cmdline) != 0)
			diag("%s was not removed", dir);
	} else
		diag("kept %s", dir);
	buf_free(&said);
	buf_free(&handed);
	buf_free(&err);
	return tap_done();
}
