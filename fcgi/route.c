/*
 * The route table: every page and API path, its methods, whether it takes
 * a body and whether it is for a signed-in admin alone. Method and path are
 * checked here, once, before any handler runs (404, 405); the body cap is
 * applied by the transport before reading (413); an admin route passes
 * admin_gate() here, the one place, before its handler.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fcgi.h"
#include "admin.h"

#define M(x) (1u << METHOD_##x)

static const struct route routes[] = {
	{ M(POST), "/api/v1/frames", ROUTE_BODY | ROUTE_JSON, h_frames },
	{ M(GET) | M(HEAD), "/healthz", ROUTE_JSON, h_healthz },
	{ M(GET) | M(HEAD), "/", 0, h_sessions_page },
	{ M(GET) | M(HEAD), "/sessions/*", 0, h_session_page },
	{ M(GET) | M(HEAD), "/api/v1/sessions", ROUTE_JSON, h_sessions_api },
	{ M(GET) | M(HEAD), "/api/v1/sessions/*", ROUTE_JSON, h_session_api },
	{ M(GET) | M(HEAD), "/api/v1/sessions/*/laps", ROUTE_JSON, h_laps_api },
	{ M(GET) | M(HEAD), "/sessions/*/cars/*", 0, h_car_page },
	{ M(GET) | M(HEAD), "/api/v1/sessions/*/cars/*", ROUTE_JSON, h_car_api },
	{ M(GET) | M(HEAD), "/sessions/*/pits", 0, h_pits_page },
	{ M(GET) | M(HEAD), "/api/v1/sessions/*/pits", ROUTE_JSON, h_pits_api },
	{ M(GET) | M(HEAD), "/sessions/*/results.csv", 0, h_results_csv },
	{ M(GET) | M(HEAD), "/sessions/*/results.xml", 0, h_results_xml },
	{ M(GET) | M(HEAD), "/sessions/*/laps.csv", 0, h_laps_csv },
	{ M(GET) | M(HEAD), "/api/v1/sessions/*/export", ROUTE_JSON, h_export_api },
	{ M(GET) | M(HEAD), "/best-laps", 0, h_best_laps_page },
	{ M(GET) | M(HEAD), "/api/v1/best-laps", ROUTE_JSON, h_best_laps_api },
	{ M(GET) | M(HEAD), "/sessions/*/timing", 0, h_timing_page },
	{ M(GET) | M(HEAD), "/sessions/*/entries", 0, h_entries_page },
	{ M(GET) | M(HEAD), "/api/v1/sessions/*/entries", ROUTE_JSON, h_entries_api },
	{ M(GET) | M(HEAD), "/sessions/*/chat", 0, h_chat_page },
	{ M(GET) | M(HEAD), "/api/v1/sessions/*/chat", ROUTE_JSON, h_chat_api },
	{ M(GET) | M(HEAD), "/api/v1/sessions/*/map", ROUTE_JSON, h_map_api },
	{ M(GET) | M(HEAD), "/sessions/*/cars/*/strategy", 0, h_strategy_page },
	{ M(GET) | M(HEAD), "/api/v1/sessions/*/cars/*/strategy", ROUTE_JSON, h_strategy_api },
	{ M(GET) | M(HEAD), "/api/v1/sessions/*/strategy", ROUTE_JSON, h_strategy_cars_api },
	{ M(GET) | M(HEAD), "/sessions/*/charts", 0, h_charts_page },
	{ M(GET) | M(HEAD), "/api/v1/sessions/*/charts", ROUTE_JSON, h_charts_api },
	{ M(GET) | M(HEAD), "/sessions/*/log", 0, h_log_page },
	{ M(GET) | M(HEAD), "/api/v1/sessions/*/log", ROUTE_JSON, h_log_api },
	{ M(GET) | M(HEAD), "/api/v1/sessions/*/pins", ROUTE_JSON, h_pins_api },
	{ M(GET) | M(HEAD), "/admin/login", 0, h_admin_login_page },
	{ M(POST), "/admin/login", ROUTE_FORM, h_admin_login },
	{ M(POST), "/admin/logout", ROUTE_ADMIN | ROUTE_FORM, h_admin_logout },
	{ M(GET) | M(HEAD), "/admin/", ROUTE_ADMIN, h_admin_home },
	{ M(GET) | M(HEAD), "/admin/known", ROUTE_ADMIN, h_admin_known_page },
	{ M(GET) | M(HEAD), "/admin/known.csv", ROUTE_ADMIN, h_admin_known_csv },
	{ M(POST), "/admin/known/add", ROUTE_ADMIN | ROUTE_FORM, h_admin_known_add },
	{ M(POST), "/admin/known/rename", ROUTE_ADMIN | ROUTE_FORM, h_admin_known_rename },
	{ M(POST), "/admin/known/remove", ROUTE_ADMIN | ROUTE_FORM, h_admin_known_remove },
	{ M(POST), "/admin/known/mark", ROUTE_ADMIN | ROUTE_FORM, h_admin_known_mark },
	{ M(GET) | M(HEAD), "/admin/known/import", ROUTE_ADMIN, h_admin_known_import_page },
	{ M(POST), "/admin/known/import", ROUTE_ADMIN | ROUTE_FORM, h_admin_known_import },
	{ M(GET) | M(HEAD), "/admin/clients", ROUTE_ADMIN, h_admin_clients_page },
	{ M(POST), "/admin/clients/add", ROUTE_ADMIN | ROUTE_FORM, h_admin_clients_add },
	{ M(POST), "/admin/clients/revoke", ROUTE_ADMIN | ROUTE_FORM, h_admin_clients_revoke },
	{ M(POST), "/admin/clients/rebind", ROUTE_ADMIN | ROUTE_FORM, h_admin_clients_rebind },
	{ M(GET) | M(HEAD), "/admin/enroll", ROUTE_ADMIN, h_admin_enroll_page },
	{ M(POST), "/admin/enroll/add", ROUTE_ADMIN | ROUTE_FORM, h_admin_enroll_add },
	{ M(POST), "/admin/enroll/end", ROUTE_ADMIN | ROUTE_FORM, h_admin_enroll_end },
	{ M(GET) | M(HEAD), "/admin/log", ROUTE_ADMIN, h_admin_log_page },
	{ M(POST), "/api/v1/clients", ROUTE_BODY | ROUTE_JSON, h_clients_enroll },
	{ M(GET) | M(HEAD), "/admin/sessions", ROUTE_ADMIN, h_admin_sessions_page },
	{ M(GET) | M(HEAD), "/admin/sessions/*", ROUTE_ADMIN, h_admin_session_page },
	{ M(POST), "/admin/sessions/*/rename", ROUTE_ADMIN | ROUTE_FORM, h_admin_session_post },
	{ M(POST), "/admin/sessions/*/hide", ROUTE_ADMIN | ROUTE_FORM, h_admin_session_post },
	{ M(POST), "/admin/sessions/*/delete", ROUTE_ADMIN | ROUTE_FORM, h_admin_session_post },
	{ M(POST), "/admin/sessions/*/merge", ROUTE_ADMIN | ROUTE_FORM, h_admin_session_post },
	{ M(POST), "/admin/sessions/*/split", ROUTE_ADMIN | ROUTE_FORM, h_admin_session_post },
	{ M(POST), "/admin/sessions/*/reprocess", ROUTE_ADMIN | ROUTE_FORM, h_admin_session_post },
	{ M(GET) | M(HEAD), "/admin/hooks", ROUTE_ADMIN, h_admin_hooks_page },
	{ M(POST), "/admin/hooks/add", ROUTE_ADMIN | ROUTE_FORM, h_admin_hooks_add },
	{ M(POST), "/admin/hooks/remove", ROUTE_ADMIN | ROUTE_FORM, h_admin_hooks_remove },
	{ M(POST), "/admin/sessions/*/rules", ROUTE_ADMIN | ROUTE_FORM, h_admin_session_post },
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* The route table and its length (*n), for tests that walk it. */
const struct route *
route_table(size_t *n)
{
	*n = NROUTES;
	return routes;
}

/*
 * Matches path against pattern; each '*' takes one non-empty segment into
 * req->args when req is not NULL. Returns 1 or 0.
 */
static int
route_match(const char *pattern, const char *path, struct req *req)
{
	const char *p = pattern, *s = path;

	while (*p && *s) {
		if (*p == '*') {
			const char *end = strchr(s, '/');
			size_t n = end ? (size_t)(end - s) : strlen(s);
			if (n == 0)
				return 0;
			if (req != NULL && req->nargs < REQ_MAX_ARGS)
				req->args[req->nargs++] = strndup(s, n);
			s += n;
			p++;
			continue;
		}
		if (*p++ != *s++)
			return 0;
	}
	return *p == '\0' && *s == '\0';
}

static const struct route *
route_find(const char *path, int *path_known, unsigned method_bit)
{
	*path_known = 0;
	for (size_t i = 0; i < NROUTES; i++) {
		if (!route_match(routes[i].pattern, path, NULL))
			continue;
		*path_known = 1;
		if (routes[i].methods & method_bit)
			return &routes[i];
	}
	return NULL;
}

/* The most body route r takes. */
static size_t
route_cap(const struct app *app, const struct route *r)
{
	if (r == NULL)
		return 0;
	if (r->flags & ROUTE_BODY)
		return app->max_body;
	if (r->flags & ROUTE_FORM)
		return REQ_FORM_MAX;
	return 0;
}

/*
 * The most body a request to path may carry: the upload cap for routes that
 * take a body, REQ_FORM_MAX (1 MiB: a known-driver CSV import) for admin
 * forms, nothing for the others.
 */
size_t
route_body_cap(const struct app *app, const char *path, enum method m)
{
	int known;

	return route_cap(app, route_find(path, &known, 1u << m));
}

/* Answers 405 with the methods path takes in Allow. */
static void
route_405(struct resp *resp, const char *path)
{
	struct buf	 allow = { 0 };
	unsigned	 bits = 0;

	for (size_t i = 0; i < NROUTES; i++)
		if (route_match(routes[i].pattern, path, NULL))
			bits |= routes[i].methods;
	for (int m = 0; m < METHOD__MAX; m++)
		if (bits & (1u << m))
			buf_printf(&allow, "%s%s", allow.len ? ", " : "", method_names[m]);
	resp_header(resp, "Allow", "%s", allow.p ? allow.p : "");
	buf_free(&allow);
	resp_error(resp, 405, "method_not_allowed", "This path does not take that method.");
}

/* Whether the content type is a urlencoded form (parameters allowed). */
static int
form_type(const char *ct)
{
	static const char	 form[] = "application/x-www-form-urlencoded";
	size_t			 n = sizeof(form) - 1;

	return ct != NULL && strncasecmp(ct, form, n) == 0 && (ct[n] == '\0' || ct[n] == ';' ||
	    ct[n] == ' ');
}

/*
 * Whether errors about path are answered as JSON: the API and the routes
 * marked ROUTE_JSON; everything else is a page a person reads.
 */
static int
route_json_errors(const char *path, const struct route *r)
{
	return strncmp(path, "/api/", 5) == 0 || (r != NULL && (r->flags & ROUTE_JSON));
}

/*
 * Answers a request: finds its route (404/405/413/400 here, as JSON for the
 * API and as a page elsewhere), parses the query and runs the handler.
 */
void
app_dispatch(struct req *req, struct resp *resp)
{
	const struct route	*r;
	int			 known, form_bad = 0;
	unsigned		 bit = req->method < METHOD__MAX ? 1u << req->method : 0;

	r = route_find(req->path, &known, bit);
	if (r == NULL) {
		if (known)
			route_405(resp, req->path);
		else
			resp_error(resp, 404, "not_found", "There is nothing at this address.");
		goto error;
	}
	if (req->bodylen > route_cap(req->app, r)) {
		resp_error(resp, 413, "too_large", "The body is larger than the %zu bytes this path accepts.",
		    route_cap(req->app, r));
		goto error;
	}
	route_match(r->pattern, req->path, req);
	if (req_parse_query(req, req->query) <= 0) {
		resp_error(resp, 400, "bad_query",
		    "The query string is malformed (a bad escape, or bytes that are not UTF-8).");
		goto error;
	}
	if ((r->flags & ROUTE_FORM) && req->method == METHOD_POST) {
		req->form_at = req->nparams;
		if (req->bodylen > 0 && !form_type(req->content_type))
			form_bad = 415;
		else if (req_parse_form(req, req->body, req->bodylen) <= 0)
			form_bad = 400;
		if (form_bad)
			req_drop_form(req);
	}
	/* Nobody learns more than "sign in" of an admin route, not even of a bad form. */
	if ((r->flags & ROUTE_ADMIN) && !admin_gate(req, resp))
		goto error;
	if (form_bad == 415) {
		resp_error(resp, 415, "bad_type", "This form takes application/x-www-form-urlencoded.");
		goto error;
	}
	if (form_bad) {
		resp_error(resp, 400, "bad_form",
		    "The form is malformed (a bad escape, bytes that are not UTF-8, or too many fields).");
		goto error;
	}
	r->fn(req, resp);
	/* nginx's page cache keeps a 200 answer as long as the handler allows. */
	if (resp->status == 200 && resp->cache > 0)
		resp_header(resp, "X-Accel-Expires", "%d", resp->cache);
	admin_headers(req, resp);
	return;
error:
	if (resp->status >= 400 && !route_json_errors(req->path, r))
		page_error(req, resp);
	admin_headers(req, resp);
}
