/*
 * GET /sessions/{id}/chat and /api/v1/sessions/{id}/chat: every chat line
 * of a session, newest last.
 */
#include <time.h>

#include "fcgi.h"
#include "view.h"

#define CHAT_MAX 5000	/* lines a page shows */

/* Adds "time" (HH:MM:SS UTC of "at") to each chat line. */
void
chat_decorate(cJSON *lines)
{
	cJSON	*l;
	char	 tmp[16];

	cJSON_ArrayForEach(l, lines) {
		const cJSON *at = cJSON_GetObjectItemCaseSensitive(l, "at");
		if (!cJSON_IsNumber(at))
			continue;
		time_t t = (time_t)at->valuedouble;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(tmp, sizeof(tmp), "%H:%M:%S", &tm);
		cJSON_AddStringToObject(l, "time", tmp);
	}
}

/* The whole chat of the path's session, or NULL after answering an error. */
static cJSON *
chat_load(struct req *req, struct resp *resp, const char *id)
{
	struct view	 v;
	cJSON		*lines = NULL;
	int		 rc;

	view_init(&v, req->db);
	rc = view_chat(&v, id, CHAT_MAX, &lines);
	view_free(&v);
	if (rc < 0) {
		log_err("chat %s: %s", id, sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The chat cannot be read now.");
		return NULL;
	}
	return lines;
}

void
h_chat_page(struct req *req, struct resp *resp)
{
	cJSON *o = session_page_load(req, resp, "Chat"), *lines;

	if (o == NULL)
		return;
	if ((lines = chat_load(req, resp, req->args[0])) == NULL) {
		cJSON_Delete(o);
		page_error(req, resp);
		return;
	}
	chat_decorate(lines);
	cJSON_ReplaceItemInObjectCaseSensitive(o, "chat", lines);
	resp_page(req, resp, "chat", o);
	cJSON_Delete(o);
}

void
h_chat_api(struct req *req, struct resp *resp)
{
	cJSON *s, *o, *lines;

	if ((s = session_api_load(req, resp)) == NULL)
		return;
	cJSON_Delete(s);
	if ((lines = chat_load(req, resp, req->args[0])) == NULL)
		return;
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "chat", lines);
	resp_json(resp, 200, o);
	cJSON_Delete(o);
}
