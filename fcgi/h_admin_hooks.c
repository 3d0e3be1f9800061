/*
 * /admin/hooks: the webhooks. GET lists them (addresses partly masked: a
 * webhook's URL often holds its credential) with what they delivered, and
 * the recent deliveries (status, attempts, next try, last error); POST add
 * and remove (after a confirmation) send hook.add and hook.remove. Hooks of
 * the configuration (webhook_N) are listed but changed there alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "admin.h"

#define HOOKS_RECENT	50	/* deliveries listed */

enum hooks_sql { HS_HOOKS, HS_RECENT, HS__MAX };
static const char *const hooks_sqls[HS__MAX] = {
	/*
	 * HS_HOOKS: the live ones first, the newest first; the pit window's
	 * laps only when it is followed; 1e15 is "no more tries"
	 */
	"SELECT h.id, h.url, h.car, replace(h.events, ',', ', ') AS events, h.format, "
	"CASE WHEN instr(',' || h.events || ',', ',pit_window,') THEN h.window_laps END AS window_laps, "
	"h.origin, h.created_at, "
	"h.removed_at, h.removed_at IS NOT NULL AS removed, h.origin = 'config' AS config, "
	"(SELECT count(*) FROM webhook_deliveries d WHERE d.hook_id = h.id "
	"AND d.delivered_at IS NOT NULL) AS delivered, "
	"(SELECT count(*) FROM webhook_deliveries d WHERE d.hook_id = h.id "
	"AND d.delivered_at IS NULL AND d.next_at < 1e15) AS pending, "
	"(SELECT count(*) FROM webhook_deliveries d WHERE d.hook_id = h.id "
	"AND d.delivered_at IS NULL AND d.next_at >= 1e15) AS dropped "
	"FROM webhooks h ORDER BY h.removed_at IS NOT NULL, h.id DESC",
	/* HS_RECENT */
	"SELECT d.id, d.hook_id AS hook, d.event_key, d.session_id AS session, d.created_at, "
	"d.attempts, CASE WHEN d.delivered_at IS NULL AND d.next_at < 1e15 THEN d.next_at END "
	"AS next_at, d.delivered_at, d.last_status, d.last_error, d.delivered_at IS NOT NULL "
	"AS delivered, coalesce(json_extract(d.payload, '$.event'), "
	"json_extract(d.payload, '$.embeds[0].fields[0].value')) AS event, "
	"coalesce(json_extract(d.payload, '$.text'), json_extract(d.payload, '$.content')) AS text "
	"FROM webhook_deliveries d ORDER BY d.id DESC LIMIT ?1",
};

/*
 * url with what may be a credential masked, into out: the user and
 * password, long path segments and query values keep 3 characters and
 * "…". Scheme, host and short path segments (such as "api", "webhooks")
 * stay readable.
 */
static void
hooks_mask(const char *url, char *out, size_t outsz)
{
	struct buf	 b = { 0 };
	const char	*p = strstr(url, "://"), *host, *at;
	size_t		 n;

	if (p == NULL) {
		snprintf(out, outsz, "…");
		return;
	}
	buf_add(&b, url, (size_t)(p - url) + 3);
	host = p + 3;
	n = strcspn(host, "/?#");
	if ((at = memchr(host, '@', n)) != NULL) {
		buf_puts(&b, "…@");
		n -= (size_t)(at + 1 - host);
		host = at + 1;
	}
	buf_add(&b, host, n);
	p = host + n;
	while (*p) {
		size_t seg;
		if (*p == '/' || *p == '?' || *p == '&' || *p == '#' || *p == '=') {
			buf_putc(&b, *p);
			p++;
			continue;
		}
		seg = strcspn(p, "/?&#=");
		/* a query's value, or a long segment: the start alone */
		if (p[-1] == '=' || seg > 12) {
			buf_add(&b, p, seg < 3 ? seg : 3);
			buf_puts(&b, "…");
		} else
			buf_add(&b, p, seg);
		p += seg;
	}
	snprintf(out, outsz, "%s", b.p ? b.p : "");
	buf_free(&b);
}

/* GET /admin/hooks. */
void
h_admin_hooks_page(struct req *req, struct resp *resp)
{
	static const char *const bools[] = { "removed", "config", "delivered" };
	sqlite3_stmt	*st[HS__MAX] = { NULL };
	cJSON		*o = NULL, *hooks, *recent, *h, *evs;
	char		 masked[600];

	if ((o = cJSON_CreateObject()) == NULL ||
	    (hooks = cJSON_AddArrayToObject(o, "hooks")) == NULL ||
	    (recent = cJSON_AddArrayToObject(o, "recent")) == NULL ||
	    (evs = cJSON_AddArrayToObject(o, "events")) == NULL)
		goto dberr;
	for (int i = 0; i < HS__MAX; i++)
		if (sqlite3_prepare_v2(req->db, hooks_sqls[i], -1, &st[i], NULL) != SQLITE_OK)
			goto dberr;
	sqlite3_bind_int(st[HS_RECENT], 1, HOOKS_RECENT);
	if (json_rows(st[HS_HOOKS], hooks) < 0 || json_rows(st[HS_RECENT], recent) < 0)
		goto dberr;
	cJSON_ArrayForEach(h, hooks) {
		cJSON *url = cJSON_GetObjectItemCaseSensitive(h, "url");
		view_bools(h, bools, 2);
		hooks_mask(cJSON_IsString(url) ? url->valuestring : "", masked, sizeof(masked));
		cJSON_ReplaceItemInObjectCaseSensitive(h, "url", cJSON_CreateString(masked));
	}
	cJSON_ArrayForEach(h, recent)
		view_bools(h, bools + 2, 1);
	for (int i = 0; i < CMD_HOOK_EVENTS; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", cmd_hook_events[i]);
		/* what a new hook follows unless unticked: all but the team's pit window */
		cJSON_AddBoolToObject(e, "checked", strcmp(cmd_hook_events[i], "pit_window") != 0);
		cJSON_AddItemToArray(evs, e);
	}
	cJSON_AddNumberToObject(o, "window_max", CMD_WINDOW_LAPS_MAX);
	cJSON_AddNumberToObject(o, "url_max", CMD_URL_MAX);
	for (int i = 0; i < HS__MAX; i++)
		sqlite3_finalize(st[i]);
	admin_page(req, resp, "admin_hooks", o, "Webhooks");
	cJSON_Delete(o);
	return;
dberr:
	log_err("admin hooks: %s", sqlite3_errmsg(req->db));
	for (int i = 0; i < HS__MAX; i++)
		sqlite3_finalize(st[i]);
	cJSON_Delete(o);
	resp_error(resp, 503, "unavailable", "The webhooks cannot be read now.");
	page_error(req, resp);
}

/*
 * POST /admin/hooks/add: url, car (a number or team, may be empty), one
 * field ev_<event> per event followed, format, window_laps.
 */
void
h_admin_hooks_add(struct req *req, struct resp *resp)
{
	const char	*url = admin_form(req, "url"), *car = admin_form(req, "car");
	const char	*format = admin_form(req, "format"), *wl = admin_form(req, "window_laps");
	struct buf	 events = { 0 };
	struct cmd	 c;
	long long	 window = 3;
	int		 fmt_ok = 0;

	for (int i = 0; i < CMD_HOOK_EVENTS; i++) {
		char key[32];
		snprintf(key, sizeof(key), "ev_%s", cmd_hook_events[i]);
		if (admin_form(req, key) != NULL)
			buf_printf(&events, "%s%s", events.len ? "," : "", cmd_hook_events[i]);
	}
	for (int i = 0; format != NULL && i < CMD_HOOK_FORMATS; i++)
		fmt_ok |= strcmp(format, cmd_hook_formats[i]) == 0;
	while (car != NULL && (*car == ' ' || *car == '\t'))
		car++;
	if (url == NULL || !cmd_url_valid(url))
		admin_bad(req, resp, "A webhook's address is an http:// or https:// URL of at most "
		    "500 characters, without spaces.");
	else if (events.len == 0 || !cmd_events_valid(events.p))
		admin_bad(req, resp, "Tick at least one event for the webhook.");
	else if (!fmt_ok)
		admin_bad(req, resp, "The format is json or discord.");
	else if (car != NULL && *car && !cmd_text_valid(car, CMD_NAME_MAX))
		admin_bad(req, resp, "A car is a number or a team's name of at most 64 characters.");
	else if (wl != NULL && *wl && !num_parse_ll(wl, 1, CMD_WINDOW_LAPS_MAX, &window))
		admin_bad(req, resp, "The pit window warning comes 1 to 50 laps before it closes.");
	else if (admin_cmd(req, resp, &c, CMD_HOOK_ADD)) {
		cJSON_AddStringToObject(c.args, "url", url);
		if (car != NULL && *car)
			cJSON_AddStringToObject(c.args, "car", car);
		cJSON_AddStringToObject(c.args, "events", events.p);
		cJSON_AddStringToObject(c.args, "format", format);
		cJSON_AddNumberToObject(c.args, "window_laps", (double)window);
		admin_send_back(req, resp, &c, "/admin/hooks");
	}
	buf_free(&events);
}

/* POST /admin/hooks/remove: hook; without confirm=1 it answers a page that asks. */
void
h_admin_hooks_remove(struct req *req, struct resp *resp)
{
	const char	*v = admin_form(req, "hook"), *confirm = admin_form(req, "confirm");
	long long	 id;
	struct cmd	 c;
	cJSON		*o;

	if (v == NULL || !num_parse_ll(v, 1, (1LL << 62), &id)) {
		admin_bad(req, resp, "Which webhook? The form did not say.");
		return;
	}
	if (confirm == NULL || strcmp(confirm, "1") != 0) {
		if ((o = cJSON_CreateObject()) == NULL) {
			resp_error(resp, 500, "internal", "Out of memory.");
			return;
		}
		cJSON_AddNumberToObject(o, "confirm_remove", (double)id);
		admin_page(req, resp, "admin_hooks", o, "Remove a webhook");
		cJSON_Delete(o);
		return;
	}
	if (admin_cmd(req, resp, &c, CMD_HOOK_REMOVE)) {
		cJSON_AddNumberToObject(c.args, "hook", (double)id);
		admin_send_back(req, resp, &c, "/admin/hooks");
	}
}
