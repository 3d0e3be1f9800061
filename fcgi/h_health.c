/*
 * GET /healthz: whether this process can read the database and the inbox
 * is reachable, with the inbox backlog.
 */
#include "fcgi.h"
#include "db.h"

void
h_healthz(struct req *req, struct resp *resp)
{
	cJSON		*o = cJSON_CreateObject();
	long long	 waiting = inbox_pending(req->app->inbox, req_inbox_pos, req);
	int		 version = db_version(req->db);
	int		 ok = version == db_latest_version() && waiting >= 0;

	cJSON_AddStringToObject(o, "status", ok ? "ok" : "unhealthy");
	cJSON_AddNumberToObject(o, "schema", version);
	cJSON_AddNumberToObject(o, "inbox", (double)waiting);
	cJSON_AddStringToObject(o, "version", VERSION_STRING);
	resp_json(resp, ok ? 200 : 503, o);
	cJSON_Delete(o);
}
