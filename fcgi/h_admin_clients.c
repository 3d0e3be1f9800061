/*
 * /admin/clients and /admin/enroll: who may upload. GET /admin/clients
 * lists the client tokens and, under each, the client ids that upload
 * with it (last upload, frames, session, version, address); POST add makes
 * a token and shows it once, revoke (after a confirmation) and rebind send
 * their commands. GET /admin/enroll lists the open-enrollment codes; POST
 * add makes one and shows it once, end ends one. Only hashes of tokens and
 * codes are sent and kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "admin.h"

#define ENROLL_HOURS_MAX 720

/* The letters of an enrollment code: no 0/O, 1/I/L to mix up. */
static const char enroll_alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

enum clients_sql { CS_TOKENS, CS_IDS, CS_CODES, CS__MAX };
static const char *const clients_sqls[CS__MAX] = {
	/* CS_TOKENS: the active ones first, the newest first */
	"SELECT id, name, created_at, revoked_at, revoked_at IS NOT NULL AS revoked, enrolled "
	"FROM clients ORDER BY revoked_at IS NOT NULL, id DESC",
	/* CS_IDS: ?1 the token */
	"SELECT client, name AS client_name, version, last_at, last_seq, frames, "
	"session_id AS session, addr FROM client_seqs WHERE token_id = ?1 ORDER BY last_at DESC",
	/* CS_CODES */
	"SELECT code_hash, label, created_at, expires_at, ended_at, used, "
	"ended_at IS NULL AND expires_at > ?1 AS open FROM enroll_codes ORDER BY created_at DESC",
};

/* A positive whole number of a form field, or 0. */
static long long
clients_id(const struct req *req, const char *key)
{
	const char	*v = admin_form(req, key);
	char		*end;
	long long	 n;

	if (v == NULL || *v < '1' || *v > '9' || strlen(v) > 18)
		return 0;
	n = strtoll(v, &end, 10);
	return *end == '\0' ? n : 0;
}

/*
 * The hash an enrollment code is kept under: of the code as it was
 * shown, whatever case, dashes and spaces a person typed. Returns 1, or 0
 * when the text cannot be a code.
 */
int
admin_enroll_hash(const char *code, char hash[65])
{
	char	 norm[ENROLL_CODE_LEN + 1];
	size_t	 n = 0;

	for (const char *p = code; *p; p++) {
		char ch = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
		if (ch == '-' || ch == ' ')
			continue;
		if (n == ENROLL_CODE_LEN || strchr(enroll_alphabet, ch) == NULL || ch == '\0')
			return 0;
		norm[n++] = ch;
	}
	if (n != ENROLL_CODE_LEN)
		return 0;
	norm[n] = '\0';
	sha256_hex(norm, n, hash);
	return 1;
}

/* GET /admin/clients. */
void
h_admin_clients_page(struct req *req, struct resp *resp)
{
	sqlite3_stmt	*st[CS__MAX] = { NULL };
	cJSON		*o = NULL, *tokens, *t, *active;

	if ((o = cJSON_CreateObject()) == NULL ||
	    (tokens = cJSON_AddArrayToObject(o, "tokens")) == NULL ||
	    (active = cJSON_AddArrayToObject(o, "active")) == NULL)
		goto dberr;
	if (sqlite3_prepare_v2(req->db, clients_sqls[CS_TOKENS], -1, &st[CS_TOKENS], NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(req->db, clients_sqls[CS_IDS], -1, &st[CS_IDS],
	    NULL) != SQLITE_OK || json_rows(st[CS_TOKENS], tokens) < 0)
		goto dberr;
	cJSON_ArrayForEach(t, tokens) {
		static const char *const bools[] = { "revoked", "enrolled" };
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "id");
		cJSON *ids = cJSON_AddArrayToObject(t, "ids");
		view_bools(t, bools, 2);
		sqlite3_reset(st[CS_IDS]);
		sqlite3_bind_int64(st[CS_IDS], 1, (sqlite3_int64)id->valuedouble);
		if (ids == NULL || json_rows(st[CS_IDS], ids) < 0)
			goto dberr;
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "revoked"))) {
			cJSON *a = cJSON_CreateObject();
			cJSON_AddNumberToObject(a, "id", id->valuedouble);
			cJSON_AddItemReferenceToObject(a, "name",
			    cJSON_GetObjectItemCaseSensitive(t, "name"));
			cJSON_AddItemToArray(active, a);
		}
	}
	for (int i = 0; i < CS__MAX; i++)
		sqlite3_finalize(st[i]);
	admin_page(req, resp, "admin_clients", o, "Client access");
	cJSON_Delete(o);
	return;
dberr:
	log_err("admin clients: %s", sqlite3_errmsg(req->db));
	for (int i = 0; i < CS__MAX; i++)
		sqlite3_finalize(st[i]);
	cJSON_Delete(o);
	resp_error(resp, 503, "unavailable", "The client tokens cannot be read now.");
	page_error(req, resp);
}

/*
 * The address clients upload to, as the admin's browser reached this
 * server: scheme and host of the request.
 */
static void
clients_server(const struct req *req, char *out, size_t outsz)
{
	const char *host = req->host;

	if (host == NULL || *host == '\0' || strlen(host) > 255 ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
	    strlen(host))
		host = "timing.example.org";
	snprintf(out, outsz, "%s://%s", req->https ? "https" : "http", host);
}

/*
 * POST /admin/clients/add: name. Makes the token, sends client.add with
 * its hash and shows the token once (200, never stored, never cached),
 * with the client's configuration ready to paste.
 */
void
h_admin_clients_add(struct req *req, struct resp *resp)
{
	const char	*name = admin_form(req, "name");
	char		 tok[CMD_TOKEN_SIZE], hash[65], server[300];
	struct buf	 summary = { 0 };
	struct cmd	 c;
	cJSON		*o;
	int		 ok = 0, rc;

	if (name == NULL || !cmd_text_valid(name, CMD_NAME_MAX)) {
		admin_bad(req, resp, "A client's name has 1 to 64 bytes and no control characters.");
		return;
	}
	if (cmd_token(tok, hash) < 0) {
		resp_error(resp, 500, "internal", "There is no randomness to make a token from.");
		page_error(req, resp);
		return;
	}
	if (!admin_cmd(req, resp, &c, CMD_CLIENT_ADD))
		return;
	cJSON_AddStringToObject(c.args, "name", name);
	cJSON_AddStringToObject(c.args, "token_hash", hash);
	if ((rc = admin_send(req, resp, &c, ADMIN_WAIT, &ok, &summary, NULL)) < 0) {
		cmd_free(&c);
		return;
	}
	if (rc > 0 && !ok) {
		admin_done(req, resp, ok, &summary, "/admin/clients");
		cmd_free(&c);
		buf_free(&summary);
		return;
	}
	clients_server(req, server, sizeof(server));
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "token", tok);
	cJSON_AddStringToObject(o, "server", server);
	cJSON_AddBoolToObject(o, "pending", rc == 0);
	cJSON_AddStringToObject(o, "summary", summary.p ? summary.p : "");
	admin_page(req, resp, "admin_client_new", o, "New client token");
	cJSON_Delete(o);
	cmd_free(&c);
	buf_free(&summary);
}

/* POST /admin/clients/revoke: token (its id); without confirm=1 a page asks first. */
void
h_admin_clients_revoke(struct req *req, struct resp *resp)
{
	long long	 id = clients_id(req, "token");
	const char	*confirm = admin_form(req, "confirm"), *name = admin_form(req, "name");
	struct cmd	 c;
	cJSON		*o;

	if (id <= 0) {
		admin_bad(req, resp, "Which token? Its number is missing.");
		return;
	}
	if (confirm == NULL || strcmp(confirm, "1") != 0) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "confirm_revoke", (double)id);
		if (name != NULL && cmd_text_valid(name, CMD_NAME_MAX))
			cJSON_AddStringToObject(o, "confirm_name", name);
		admin_page(req, resp, "admin_clients", o, "Revoke a client token");
		cJSON_Delete(o);
		return;
	}
	if (admin_cmd(req, resp, &c, CMD_CLIENT_REVOKE)) {
		cJSON_AddNumberToObject(c.args, "token", (double)id);
		admin_send_back(req, resp, &c, "/admin/clients");
	}
}

/* POST /admin/clients/rebind: client (a client id), token (the id of the token it moves to). */
void
h_admin_clients_rebind(struct req *req, struct resp *resp)
{
	const char	*client = admin_form(req, "client");
	long long	 id = clients_id(req, "token");
	struct cmd	 c;

	if (client == NULL || !id_valid(client, 8, INBOX_CLIENT_MAX) || id <= 0) {
		admin_bad(req, resp, "A client id and the token to move it to are needed.");
		return;
	}
	if (admin_cmd(req, resp, &c, CMD_CLIENT_REBIND)) {
		cJSON_AddStringToObject(c.args, "client", client);
		cJSON_AddNumberToObject(c.args, "token", (double)id);
		admin_send_back(req, resp, &c, "/admin/clients");
	}
}

/* The enrollment codes, the open ones first; into o (a new one shown when code is not NULL). */
static void
enroll_answer(struct req *req, struct resp *resp, cJSON *o)
{
	static const char *const bools[] = { "open" };
	sqlite3_stmt	*st;
	cJSON		*arr, *el;

	if ((arr = cJSON_AddArrayToObject(o, "codes")) == NULL ||
	    sqlite3_prepare_v2(req->db, clients_sqls[CS_CODES], -1, &st, NULL) != SQLITE_OK) {
		log_err("admin enroll: %s", sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The enrollment codes cannot be read now.");
		page_error(req, resp);
		return;
	}
	sqlite3_bind_double(st, 1, time_now());
	if (json_rows(st, arr) < 0) {
		sqlite3_finalize(st);
		log_err("admin enroll: %s", sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The enrollment codes cannot be read now.");
		page_error(req, resp);
		return;
	}
	sqlite3_finalize(st);
	cJSON_ArrayForEach(el, arr)
		view_bools(el, bools, 1);
	cJSON_AddBoolToObject(o, "open_enrollment", req->app->open_enrollment);
	admin_page(req, resp, "admin_enroll", o, "Open enrollment");
}

/* GET /admin/enroll. */
void
h_admin_enroll_page(struct req *req, struct resp *resp)
{
	cJSON *o = cJSON_CreateObject();

	enroll_answer(req, resp, o);
	cJSON_Delete(o);
}

/*
 * POST /admin/enroll/add: label, hours (1 to 720). Makes a code of
 * ENROLL_CODE_LEN letters, sends enroll.add with its hash and shows the
 * code once.
 */
void
h_admin_enroll_add(struct req *req, struct resp *resp)
{
	const char	*label = admin_form(req, "label");
	long long	 hours = clients_id(req, "hours");
	char		 code[ENROLL_CODE_LEN + 2], hash[65];
	unsigned char	 raw[64];
	size_t		 n = 0;
	struct buf	 summary = { 0 };
	struct cmd	 c;
	cJSON		*o;
	int		 ok = 0, rc;

	if (label == NULL || !cmd_text_valid(label, CMD_NAME_MAX)) {
		admin_bad(req, resp, "A label has 1 to 64 bytes and no control characters.");
		return;
	}
	if (hours < 1 || hours > ENROLL_HOURS_MAX) {
		admin_bad(req, resp, "A code is valid for 1 to 720 hours.");
		return;
	}
	/* uniform letters: bytes past the last whole multiple of the alphabet are dropped */
	while (n < ENROLL_CODE_LEN) {
		size_t len = sizeof(enroll_alphabet) - 1;
		if (rand_bytes(raw, sizeof(raw)) < 0) {
			resp_error(resp, 500, "internal", "There is no randomness to make a code from.");
			page_error(req, resp);
			return;
		}
		for (size_t i = 0; i < sizeof(raw) && n < ENROLL_CODE_LEN; i++)
			if (raw[i] < 256 / len * len)
				code[n++] = enroll_alphabet[raw[i] % len];
	}
	code[n] = '\0';
	admin_enroll_hash(code, hash);
	if (!admin_cmd(req, resp, &c, CMD_ENROLL_ADD))
		return;
	cJSON_AddStringToObject(c.args, "code_hash", hash);
	cJSON_AddStringToObject(c.args, "label", label);
	cJSON_AddNumberToObject(c.args, "expires_at", (double)(long long)time_now() + hours * 3600);
	if ((rc = admin_send(req, resp, &c, ADMIN_WAIT, &ok, &summary, NULL)) < 0) {
		cmd_free(&c);
		return;
	}
	if (rc > 0 && !ok) {
		admin_done(req, resp, ok, &summary, "/admin/enroll");
	} else {
		o = cJSON_CreateObject();
		cJSON *nc = cJSON_AddObjectToObject(o, "new_code");
		/* shown in two halves, as people read it out */
		char shown[ENROLL_CODE_LEN + 2];
		snprintf(shown, sizeof(shown), "%.5s-%s", code, code + 5);
		cJSON_AddStringToObject(nc, "code", shown);
		cJSON_AddStringToObject(nc, "label", label);
		cJSON_AddNumberToObject(nc, "hours", (double)hours);
		cJSON_AddBoolToObject(nc, "pending", rc == 0);
		char server[300];
		clients_server(req, server, sizeof(server));
		cJSON_AddStringToObject(nc, "server", server);
		enroll_answer(req, resp, o);
		cJSON_Delete(o);
	}
	cmd_free(&c);
	buf_free(&summary);
}

/* POST /admin/enroll/end: code_hash. */
void
h_admin_enroll_end(struct req *req, struct resp *resp)
{
	const char	*hash = admin_form(req, "code_hash");
	struct cmd	 c;

	if (hash == NULL || strlen(hash) != 64 || strspn(hash, "0123456789abcdef") != 64) {
		admin_bad(req, resp, "Which code? Its hash is missing.");
		return;
	}
	if (admin_cmd(req, resp, &c, CMD_ENROLL_END)) {
		cJSON_AddStringToObject(c.args, "code_hash", hash);
		admin_send_back(req, resp, &c, "/admin/enroll");
	}
}
