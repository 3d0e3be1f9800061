/*
 * GET /sessions/{id}/entries and /api/v1/sessions/{id}/entries: the entry
 * list of an online session: team, number, car, class, and members with
 * nationality, badge and roles; known drivers marked.
 */
#include <ctype.h>
#include <string.h>

#include "fcgi.h"
#include "view.h"

/*
 * The flag emoji of a two-letter country code ("GB" → 🇬🇧), or "" for
 * anything else.
 */
static void
entries_flag(const char *nat, char out[9])
{
	out[0] = '\0';
	if (nat == NULL || strlen(nat) != 2 || !isalpha((unsigned char)nat[0]) ||
	    !isalpha((unsigned char)nat[1]))
		return;
	for (int i = 0; i < 2; i++) {
		/* U+1F1E6 + letter: F0 9F 87 A6+ */
		unsigned cp = 0x1F1E6u + (unsigned)(toupper((unsigned char)nat[i]) - 'A');
		out[i * 4] = (char)0xF0;
		out[i * 4 + 1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[i * 4 + 2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[i * 4 + 3] = (char)(0x80 | (cp & 0x3F));
	}
	out[8] = '\0';
}

/* The entry list of the path's session, or NULL after answering an error. */
static cJSON *
entries_load(struct req *req, struct resp *resp, const char *id)
{
	struct view	 v;
	cJSON		*arr = NULL, *e, *m;
	char		 key[32], flag[9];
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
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(e, "members")) {
			const cJSON *nat = cJSON_GetObjectItemCaseSensitive(m, "nationality");
			entries_flag(cJSON_IsString(nat) ? nat->valuestring : NULL, flag);
			cJSON_AddStringToObject(m, "flag", flag);
		}
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
