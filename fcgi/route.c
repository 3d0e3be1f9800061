/*
 * The route table: every page and API path, its methods and whether it takes
 * a body. Method and path are checked here, once, before any handler runs
 * (404, 405); the body cap is applied by the transport before reading (413).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"

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
};

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
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!route_match(routes[i].pattern, path, NULL))
			continue;
		*path_known = 1;
		if (routes[i].methods & method_bit)
			return &routes[i];
	}
	return NULL;
}

/*
 * The most body a request to path may carry: the upload cap for routes that
 * take a body, nothing for the others.
 */
size_t
route_body_cap(const struct app *app, const char *path, enum method m)
{
	int			 known;
	const struct route	*r = route_find(path, &known, 1u << m);

	return r != NULL && (r->flags & ROUTE_BODY) ? app->max_body : 0;
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
	int			 known;
	unsigned		 bit = req->method < METHOD__MAX ? 1u << req->method : 0;

	r = route_find(req->path, &known, bit);
	if (r == NULL) {
		if (known) {
			resp_header(resp, "Allow", "%s", strncmp(req->path, "/api/v1/frames", 14) == 0 ?
			    "POST" : "GET, HEAD");
			resp_error(resp, 405, "method_not_allowed",
			    "This path does not take that method.");
		} else
			resp_error(resp, 404, "not_found", "There is nothing at this address.");
		goto error;
	}
	if (req->bodylen > ((r->flags & ROUTE_BODY) ? req->app->max_body : 0)) {
		resp_error(resp, 413, "too_large", "The body is larger than the %zu bytes this path accepts.",
		    (r->flags & ROUTE_BODY) ? req->app->max_body : 0);
		goto error;
	}
	route_match(r->pattern, req->path, req);
	if (req_parse_query(req, req->query) <= 0) {
		resp_error(resp, 400, "bad_query",
		    "The query string is malformed (a bad escape, or bytes that are not UTF-8).");
		goto error;
	}
	r->fn(req, resp);
	/* nginx's page cache keeps a 200 answer as long as the handler allows. */
	if (resp->status == 200 && resp->cache > 0)
		resp_header(resp, "X-Accel-Expires", "%d", resp->cache);
	return;
error:
	if (!route_json_errors(req->path, r))
		page_error(req, resp);
}
