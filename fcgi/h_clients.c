/*
 * POST /api/v1/clients: open enrollment (spec/wire-protocol.md). A client
 * asks for a token with {"name": "...", "code": "..."}: an enrollment code
 * an admin made (/admin/enroll) that is neither expired nor ended, or no
 * code when the server's config says "enrollment = open". The token is
 * made here and a client.add command carrying its hash is put in the inbox;
 * the answer waits (admin_wait, as long as an admin page does) for
 * trackside-ingestd to apply it: 201 {"id", "token"}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "admin.h"

#define CLIENTS_BODY_MAX 4096	/* a name and a code */

/*
 * Whether the code with this hash may enroll a client now: 1 yes, 0 no
 * (unknown, expired or ended), -1 on an SQLite error.
 */
static int
clients_code_open(sqlite3 *db, const char *hash)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM enroll_codes WHERE code_hash = ?1 "
	    "AND ended_at IS NULL AND expires_at > ?2", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, time_now());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

void
h_clients_enroll(struct req *req, struct resp *resp)
{
	const cJSON	*name, *code;
	cJSON		*in = NULL, *out, *result = NULL;
	char		 tok[CMD_TOKEN_SIZE], hash[65], code_hash[65];
	struct buf	 summary = { 0 };
	struct cmd	 c = { 0 };
	int		 ok = 0, rc;

	if (req->bodylen > CLIENTS_BODY_MAX) {
		resp_error(resp, 413, "too_large", "An enrollment takes at most %d bytes.",
		    CLIENTS_BODY_MAX);
		return;
	}
	if (req->body == NULL || !jscan_utf8_valid(req->body, req->bodylen) ||
	    (in = cJSON_ParseWithLength(req->body, req->bodylen)) == NULL || !cJSON_IsObject(in)) {
		resp_error(resp, 400, "bad_json", "The body must be a JSON object: "
		    "{\"name\": \"...\", \"code\": \"...\"}.");
		goto done;
	}
	name = cJSON_GetObjectItemCaseSensitive(in, "name");
	code = cJSON_GetObjectItemCaseSensitive(in, "code");
	if (!cJSON_IsString(name) || name->valuestring[0] == '\0' ||
	    !cmd_text_valid(name->valuestring, CMD_NAME_MAX)) {
		resp_error(resp, 400, "bad_name", "\"name\" must be 1 to %d bytes of text without "
		    "control characters.", CMD_NAME_MAX);
		goto done;
	}
	if (code != NULL && !cJSON_IsNull(code) && !cJSON_IsString(code)) {
		resp_error(resp, 400, "bad_code", "\"code\" must be a string.");
		goto done;
	}
	if (cJSON_IsString(code)) {
		if (!admin_enroll_hash(code->valuestring, code_hash) ||
		    (rc = clients_code_open(req->db, code_hash)) == 0) {
			resp_error(resp, 403, "bad_code", "This enrollment code is not valid: "
			    "unknown, expired or ended.");
			goto done;
		}
		if (rc < 0) {
			log_err("enroll: %s", sqlite3_errmsg(req->db));
			resp_error(resp, 503, "unavailable", "Enrollment is not possible now.");
			goto done;
		}
	} else if (!req->app->open_enrollment) {
		resp_error(resp, 403, "enrollment_closed", "This server gives tokens only with an "
		    "enrollment code.");
		goto done;
	}
	if (req->app->writer == NULL || cmd_token(tok, hash) < 0 ||
	    cmd_new(&c, CMD_CLIENT_ADD, "enrollment", req->remote_addr) < 0) {
		resp_error(resp, 503, "unavailable", "Enrollment is not possible now.");
		goto done;
	}
	cJSON_AddStringToObject(c.args, "name", name->valuestring);
	cJSON_AddStringToObject(c.args, "token_hash", hash);
	if (cJSON_IsString(code))
		cJSON_AddStringToObject(c.args, "code_hash", code_hash);
	if (cmd_put(req->app->writer, &c) <= 0) {
		log_err("enroll: the inbox refused the command");
		resp_error(resp, 503, "unavailable", "Enrollment is not possible now.");
		goto done;
	}
	rc = cmd_wait(req->db, c.id, admin_wait(req->app), &ok, &summary, &result);
	if (rc < 0) {
		log_err("enroll: %s", sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "Enrollment is not possible now.");
	} else if (rc == 0) {
		resp_header(resp, "Retry-After", "%d", 5);
		resp_error(resp, 503, "pending", "The server did not make the token in time; "
		    "ask again.");
	} else if (!ok)
		resp_error(resp, 403, cJSON_IsString(code) ? "bad_code" : "enrollment_closed",
		    "%s", summary.p ? summary.p : "The enrollment was refused.");
	else {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(result, "id");
		out = cJSON_CreateObject();
		if (cJSON_IsNumber(id))
			cJSON_AddNumberToObject(out, "id", id->valuedouble);
		cJSON_AddStringToObject(out, "token", tok);
		resp_json(resp, 201, out);
		resp_header(resp, "Cache-Control", "no-store");
		cJSON_Delete(out);
	}
done:
	cJSON_Delete(result);
	cJSON_Delete(in);
	cmd_free(&c);
	buf_free(&summary);
}
