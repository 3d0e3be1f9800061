/*
 * /admin/hooks (fcgi/h_admin_hooks.c) through the in-memory handler
 * driver: the list with its addresses masked and the recent deliveries,
 * the add form's hook.add command and its refusals, remove's confirmation
 * and hook.remove, the nav link, and no hook for someone not signed in.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "handler.h"
#include "cmd.h"

static struct hctx h;

static int seen;	/* inbox records read so far */

/* The records put in the inbox since the last call; the last command in *last. */
static int
inbox_new(struct cmd *last)
{
	return hctx_inbox_new(&h, &seen, last);
}

int
main(void)
{
	struct resp	 r;
	struct cmd	 c;
	struct hreq	 get = { .method = METHOD_GET, .path = "/admin/hooks" };
	struct hreq	 add = { .method = METHOD_POST, .path = "/admin/hooks/add" };
	const char	*b;

	tap_plan(19);
	if (!hctx_open(&h)) {
		printf("Bail out! no test database\n");
		return 1;
	}
	h.app.admin_wait = 0.05;
	if (!hctx_sign_in(&h, "alice") || !hctx_sql(&h,
	    "INSERT INTO webhooks (id, url, car, events, format, window_laps, origin, created_at) VALUES "
	    "(1, 'https://discord.com/api/webhooks/123456789012345678/AbCdEfGhIjKlMnOpQrStUvWxYz', NULL, "
	    "'pit,finish', 'discord', 3, 'config', 1.8e9), "
	    "(2, 'https://bob:hunter2@pit.example.org/hook?key=verysecretkey&team=7', '7', "
	    "'pit,pit_window', 'json', 4, 'admin', 1.8e9), "
	    "(3, 'https://old.example.org/x', NULL, 'pit', 'json', 3, 'admin', 1.7e9); "
	    "UPDATE webhooks SET removed_at = 1.75e9 WHERE id = 3; "
	    "INSERT INTO webhook_deliveries (hook_id, event_key, session_id, payload, created_at, "
	    "attempts, next_at, delivered_at, last_status, last_error) VALUES "
	    "(2, 'log:1', NULL, '{\"event\":\"pit\",\"text\":\"#7 stop 34.2 s\"}', 1.8e9, 1, 1.8e9, "
	    "1.8e9, 200, NULL), "
	    "(2, 'log:2', NULL, '{\"event\":\"swap\",\"text\":\"#7 swap <b>x</b>\"}', 1.8e9, 3, "
	    "1.9e9, NULL, 503, 'HTTP 503'), "
	    "(1, 'log:3', NULL, '{\"content\":\"gone\",\"embeds\":[{\"fields\":[{\"name\":\"Event\","
	    "\"value\":\"finish\"}]}]}', 1.8e9, 40, 1e15, NULL, NULL, 'gave up')")) {
		printf("Bail out! cannot set up\n");
		return 1;
	}
	resp_init(&r);

	get.cookie = h.cookie;
	ok(hctx_send(&h, &r, &get) == 200 && strstr(hctx_body(&r), h.csrf) != NULL,
	    "GET /admin/hooks renders, its forms carry the csrf token");
	b = hctx_body(&r);
	ok(strstr(b, "href=\"/admin/hooks\" aria-current=\"page\">Webhooks") != NULL,
	    "the nav links the page and marks it as the current one");
	ok(strstr(b, "AbCdEf") == NULL && strstr(b, "hunter2") == NULL &&
	    strstr(b, "verysecretkey") == NULL && strstr(b, "123456789012345678") == NULL,
	    "no token, password or key of an address is shown");
	ok(strstr(b, "https://discord.com/api/webhooks/123…/AbC…") != NULL &&
	    strstr(b, "https://…@pit.example.org/hook?key=ver…&amp;team=7") != NULL,
	    "addresses keep their host and the start of each secret");
	ok(strstr(b, "change it in trackside.conf") != NULL &&
	    strstr(b, "name=\"hook\" value=\"2\"") != NULL &&
	    strstr(b, "name=\"hook\" value=\"1\"") == NULL &&
	    strstr(b, "name=\"hook\" value=\"3\"") == NULL,
	    "only a live admin hook has a remove button; a config hook says where it is changed");
	ok(strstr(b, "removed <time") != NULL, "a removed hook is listed as removed");
	ok(strstr(b, ">pit, pit_window <span class=\"meta\">(window 4)</span>") != NULL &&
	    strstr(b, ">pit, finish</td>") != NULL && strstr(b, "(window 3)") == NULL,
	    "events read as a list; the pit window's laps only for a hook that follows it");
	{
		/* hooks 2, 1, 3 in that order: delivered, waiting, not sent */
		static const char *const counts[] = { "1", "1", "0", "0", "0", "1", "0", "0", "0" };
		static const char *const cols[] = { "Delivered", "Waiting", "Not sent" };
		const char *p = b;
		char want[96];
		for (size_t i = 0; i < 9 && p != NULL; i++) {
			snprintf(want, sizeof(want), "<td data-label=\"%s\" class=\"num\">%s</td>",
			    cols[i % 3], counts[i]);
			if ((p = strstr(p, want)) != NULL)
				p += strlen(want);
		}
		ok(p != NULL, "each hook's delivered, waiting and not sent count its deliveries");
	}
	ok(strstr(b, "HTTP 503") != NULL && strstr(b, "gave up") != NULL &&
	    strstr(b, "#7 stop 34.2 s") != NULL && strstr(b, "&lt;b&gt;x&lt;/b&gt;") != NULL &&
	    strstr(b, "<b>x</b>") == NULL,
	    "recent deliveries: status, last error, what they said (escaped)");
	ok(strstr(b, "not sent") != NULL && strstr(b, "waiting") != NULL,
	    "a delivery given up is not sent; one with a retry to come is waiting");

	ok(hctx_post(&h, &r, "/admin/hooks/add", "url", "https://hooks.example.org/t?k=1",
	    "car", " 7", "ev_pit", "1", "ev_pit_window", "1", "format", "discord",
	    "window_laps", "5", NULL) == 303 &&
	    inbox_new(&c) == 1 && c.kind == CMD_HOOK_ADD &&
	    strcmp(cmd_str(&c, "url"), "https://hooks.example.org/t?k=1") == 0 &&
	    strcmp(cmd_str(&c, "car"), "7") == 0 &&
	    strcmp(cmd_str(&c, "events"), "pit,pit_window") == 0 &&
	    strcmp(cmd_str(&c, "format"), "discord") == 0 &&
	    cJSON_GetObjectItem(c.args, "window_laps")->valuedouble == 5 &&
	    strcmp(c.by, "alice") == 0,
	    "add sends hook.add with the address, car, ticked events, format and window");
	cmd_free(&c);
	ok(hctx_post(&h, &r, "/admin/hooks/add", "url", "https://hooks.example.org/all", "car", "",
	    "ev_session_start", "1", "format", "json", NULL) == 303 && inbox_new(&c) == 1 &&
	    cmd_str(&c, "car") == NULL && strcmp(cmd_str(&c, "events"), "session_start") == 0,
	    "without a car the hook follows every car");
	cmd_free(&c);
	ok(hctx_post(&h, &r, "/admin/hooks/add", "url", "ftp://hooks.example.org/", "ev_pit", "1",
	    "format", "json", NULL) == 400 && inbox_new(&c) == 0,
	    "an address that is not http(s) is refused, nothing sent");
	ok(hctx_post(&h, &r, "/admin/hooks/add", "url", "https://hooks.example.org/",
	    "format", "json", NULL) == 400 && inbox_new(&c) == 0,
	    "a hook without an event is refused");
	ok(hctx_post(&h, &r, "/admin/hooks/add", "url", "https://hooks.example.org/",
	    "ev_pit", "1", "format", "xml", NULL) == 400 && inbox_new(&c) == 0,
	    "an unknown format is refused");
	ok(hctx_post(&h, &r, "/admin/hooks/add", "url", "https://hooks.example.org/",
	    "ev_pit", "1", "format", "json", "window_laps", "51", NULL) == 400 &&
	    inbox_new(&c) == 0, "a window beyond 50 laps is refused");

	ok(hctx_post(&h, &r, "/admin/hooks/remove", "hook", "2", NULL) == 200 &&
	    strstr(hctx_body(&r), "Remove webhook 2") != NULL && inbox_new(&c) == 0,
	    "remove asks first, and sends nothing");
	ok(hctx_post(&h, &r, "/admin/hooks/remove", "hook", "2", "confirm", "1", NULL) == 303 &&
	    inbox_new(&c) == 1 && c.kind == CMD_HOOK_REMOVE &&
	    cJSON_GetObjectItem(c.args, "hook")->valuedouble == 2,
	    "confirmed, it sends hook.remove for the hook");
	cmd_free(&c);
	get.cookie = NULL;
	add.body = "url=https%3A%2F%2Fx.example.org%2F&ev_pit=1&format=json";
	ok(hctx_send(&h, &r, &get) == 303 && hctx_send(&h, &r, &add) == 303 &&
	    inbox_new(&c) == 0, "without a sign-in: sent to sign in, nothing added");
	resp_free(&r);
	hctx_close(&h);
	return tap_done();
}
