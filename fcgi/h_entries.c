/*
 * GET /sessions/{id}/entries and /api/v1/sessions/{id}/entries: the entry
 * list of an online session: team, number, car, class, and members with
 * nationality, badge and roles; known drivers marked.
 */
#include <string.h>

#include "fcgi.h"
#include "admin.h"
#include "view.h"

/* The entry list of the path's session, or NULL after answering an error. */
static cJSON *
entries_load(struct req *req, struct resp *resp, const char *id)
{
	struct view	 v;
	cJSON		*arr = NULL, *e;
	char		 key[32];
	int		 rc;

	view_init(&v, req->db);
	rc = view_entries(&v, id, &arr);
	view_free(&v);
	if (rc < 0) {
		log_err("entries %s: %s", id, sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The entry list cannot be read now.");
		return NULL;
	}
	cJSON_ArrayForEach(e, arr) {
		const cJSON *cls = cJSON_GetObjectItemCaseSensitive(e, "class");
		standings_class_key(cJSON_IsString(cls) ? cls->valuestring : NULL, key, sizeof(key));
		cJSON_AddStringToObject(e, "cls_key", key);
	}
	return arr;
}

void
h_entries_page(struct req *req, struct resp *resp)
{
	cJSON *o = session_page_load(req, resp, "Entries"), *arr;

	if (o == NULL)
		return;
	if ((arr = entries_load(req, resp, req->args[0])) == NULL) {
		cJSON_Delete(o);
		page_error(req, resp);
		return;
	}
	cJSON_AddItemToObject(o, "entries", arr);
	/* a signed-in admin gets a "mark known" button beside each unknown member */
	if (admin_known_csrf(req, o) < 0) {
		cJSON_Delete(o);
		resp_error(resp, 500, "internal", "Out of memory.");
		page_error(req, resp);
		return;
	}
	resp_page(req, resp, "entries", o);
	cJSON_Delete(o);
}

void
h_entries_api(struct req *req, struct resp *resp)
{
	cJSON *s, *o, *arr;

	if ((s = session_api_load(req, resp)) == NULL)
		return;
	cJSON_Delete(s);
	if ((arr = entries_load(req, resp, req->args[0])) == NULL)
		return;
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "entries", arr);
	resp_json(resp, 200, o);
	cJSON_Delete(o);
}
