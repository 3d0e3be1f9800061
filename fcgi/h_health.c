/*
 * GET /healthz: whether this process can read the database at the current
 * schema and store frames in the inbox, with the inbox backlog. 200 when
 * both are healthy, 503 (saying which failed) when either is not.
 */
#include <sys/stat.h>

#include "fcgi.h"
#include "db.h"

void
h_healthz(struct req *req, struct resp *resp)
{
	cJSON		*o = cJSON_CreateObject(), *d, *in;
	const char	*why = NULL;
	struct stat	 st;
	long long	 waiting = inbox_pending(req->app->inbox, req_inbox_pos, req);
	int		 version = db_version(req->db);
	int		 db_ok, inbox_ok;

	/* The file itself: an open handle still reads a database that was removed. */
	db_ok = stat(req->app->db_path, &st) == 0 && version == db_latest_version();
	inbox_ok = waiting >= 0 && inbox_writable(req->app->inbox, req->app->min_free_mb, 1, &why);
	cJSON_AddStringToObject(o, "status", db_ok && inbox_ok ? "ok" : "unhealthy");
	cJSON_AddStringToObject(o, "version", VERSION_STRING);
	d = cJSON_AddObjectToObject(o, "database");
	cJSON_AddBoolToObject(d, "ok", db_ok);
	cJSON_AddNumberToObject(d, "schema", version);
	if (!db_ok)
		cJSON_AddStringToObject(d, "error", version != db_latest_version() ?
		    "the database cannot be read at the current schema" : "the database file is missing");
	in = cJSON_AddObjectToObject(o, "inbox");
	cJSON_AddBoolToObject(in, "ok", inbox_ok);
	cJSON_AddNumberToObject(in, "waiting", (double)waiting);
	if (!inbox_ok)
		cJSON_AddStringToObject(in, "error", waiting < 0 ? "the inbox cannot be read" : why);
	resp_json(resp, db_ok && inbox_ok ? 200 : 503, o);
	cJSON_Delete(o);
}
