/*
 * What the history pages share: the session and car arguments of their paths,
 * the session header they show, known drivers, phase names and the filter
 * values echoed back into forms.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fcgi.h"

#define HIST_ID_MAX 64

/* The session columns SQLite holds as 0/1. */
static const char *const hist_session_bools[] = { "online", "finished", "live" };

/*
 * The session id of the path (args[0]), or NULL after answering 404.
 */
const char *
hist_session_arg(struct req *req, struct resp *resp)
{
	if (req->nargs < 1 || !id_valid(req->args[0], 1, HIST_ID_MAX)) {
		resp_error(resp, 404, "not_found", "There is no such session.");
		return NULL;
	}
	return req->args[0];
}

/*
 * The header of session id (what every history page of a session shows),
 * with "phase_name" and what its source and type mean (view_add_source()). Returns a new object (caller frees), or NULL after
 * answering 404 or 503.
 */
cJSON *
hist_session(struct req *req, struct resp *resp, const char *id)
{
	sqlite3_stmt	*st;
	cJSON		*o = NULL;
	int		 rc;

	if (sqlite3_prepare_v2(req->db, "SELECT id, name, sim, track, type, online, server, "
	    "started_at, last_update, et, phase, remaining, finished, state = 'live' AS live, "
	    "state, cars, laps, next_id AS next, prev_id AS prev, air_temp, track_temp, raining, "
	    "wetness FROM sessions WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		log_err("session %s: %s", id, sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The session cannot be read now.");
		return NULL;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && (o = view_row_json(st)) != NULL) {
		view_bools(o, hist_session_bools, 3);
		view_add_phase(o);
		view_add_source(o);
		resp_cache_closed(resp, o);
	} else if (rc == SQLITE_DONE)
		resp_error(resp, 404, "not_found", "There is no such session.");
	else {
		log_err("session %s: %s", id, sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The session cannot be read now.");
	}
	sqlite3_finalize(st);
	return o;
}

/*
 * The car id of the path (args[1]) when it belongs to session id, with the
 * car's entry (number, team, vehicle, class...) in *out (caller frees).
 * Returns 1, or 0 after answering 404 or 503.
 */
int
hist_car(struct req *req, struct resp *resp, const char *id, cJSON **out)
{
	sqlite3_stmt	*st;
	long long	 car;
	int		 rc;

	*out = NULL;
	if (req->nargs < 2 || !num_parse_ll(req->args[1], 1, (1LL << 53), &car)) {
		resp_error(resp, 404, "not_found", "There is no such car in this session.");
		return 0;
	}
	if (sqlite3_prepare_v2(req->db, "SELECT c.id AS car, c.slot, c.number, c.team, "
	    "c.vehicle_name AS vehicle, c.vehicle AS veh, c.class, s.driver, s.position, "
	    "s.class_position, s.laps, s.best, s.pits, s.status, s.finish, s.tyres, s.present "
	    "FROM cars c LEFT JOIN car_state s ON s.car_id = c.id "
	    "WHERE c.id = ?1 AND c.session_id = ?2", -1, &st, NULL) != SQLITE_OK) {
		log_err("car %lld: %s", car, sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The car cannot be read now.");
		return 0;
	}
	sqlite3_bind_int64(st, 1, car);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = view_row_json(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		resp_error(resp, 404, "not_found", "There is no such car in this session.");
		return 0;
	}
	if (*out == NULL) {
		resp_error(resp, 503, "unavailable", "The car cannot be read now.");
		return 0;
	}
	return 1;
}

/*
 * Sets "known" (true or false) on every object of arr from whether the name
 * under key is in the known drivers list. Returns 1, or -1 on an SQLite
 * error.
 */
int
hist_known_mark(sqlite3 *db, cJSON *arr, const char *key)
{
	sqlite3_stmt	*st;
	cJSON		*el;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM known_drivers WHERE name = ?", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	cJSON_ArrayForEach(el, arr) {
		cJSON *n = cJSON_GetObjectItemCaseSensitive(el, key);
		int known = 0;
		if (cJSON_IsString(n)) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, n->valuestring, -1, SQLITE_STATIC);
			known = sqlite3_step(st) == SQLITE_ROW;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(el, "known");
		cJSON_AddBoolToObject(el, "known", known);
	}
	sqlite3_finalize(st);
	return 1;
}

/*
 * Adds the request's non-empty parameters to o under "filter" (for forms to
 * show what was asked) and, URL-encoded without offset (and an admin page's
 * "done", the command whose outcome it shows once), under "filter_query"
 * (for pager links). Returns 1 or -1.
 */
int
hist_echo_filters(struct req *req, cJSON *o)
{
	cJSON		*f = cJSON_AddObjectToObject(o, "filter");
	struct buf	 q = { 0 };
	int		 rc = 1;

	if (f == NULL)
		return -1;
	for (size_t i = 0; i < req->nparams && rc > 0; i++) {
		const char *k = req->params[i].key, *v = req->params[i].val;
		if (v[0] == '\0' || cJSON_GetObjectItemCaseSensitive(f, k) != NULL)
			continue;
		if (cJSON_AddStringToObject(f, k, v) == NULL)
			rc = -1;
		if (strcmp(k, "offset") == 0 || strcmp(k, "done") == 0)
			continue;
		if (q.len)
			buf_putc(&q, '&');
		if (esc_url(&q, k, strlen(k)) < 0 || buf_putc(&q, '=') < 0 ||
		    esc_url(&q, v, strlen(v)) < 0)
			rc = -1;
	}
	if (rc > 0 && cJSON_AddStringToObject(o, "filter_query", q.p ? q.p : "") == NULL)
		rc = -1;
	buf_free(&q);
	return rc;
}

/*
 * A list of options for a <select>: each {"value","label","selected"},
 * selected when value is the request's parameter key (in any case). Added to o under
 * name. Returns 1 or -1.
 */
int
hist_options(struct req *req, cJSON *o, const char *name, const char *key,
    const char *const *values, const char *const *labels, size_t n)
{
	cJSON		*arr = cJSON_AddArrayToObject(o, name);
	const char	*cur = req_param(req, key);

	if (arr == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cJSON *el = cJSON_CreateObject();
		if (el == NULL)
			return -1;
		cJSON_AddItemToArray(arr, el);
		cJSON_AddStringToObject(el, "value", values[i]);
		cJSON_AddStringToObject(el, "label", labels[i]);
		cJSON_AddBoolToObject(el, "selected", cur != NULL && strcasecmp(cur, values[i]) == 0);
	}
	return 1;
}

/*
 * A 0/1 parameter: *out is -1 when absent, else 0 or 1. Returns 1, or 0
 * after answering 400.
 */
int
hist_param_bool(struct req *req, struct resp *resp, const char *key, int *out)
{
	const char *v = req_param(req, key);

	*out = -1;
	if (v == NULL)
		return 1;
	if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
		*out = 1;
	else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
		*out = 0;
	else {
		resp_error(resp, 400, "bad_parameter", "%s must be 1 or 0.", key);
		return 0;
	}
	return 1;
}

/*
 * A date parameter (YYYY-MM-DD, or an ISO time): *out is NAN when absent.
 * A plain date given as an upper bound (end) means the end of that day.
 * Returns 1, or 0 after answering 400.
 */
int
hist_param_date(struct req *req, struct resp *resp, const char *key, int end, double *out)
{
	const char *v = req_param(req, key);

	*out = NAN;
	if (v == NULL)
		return 1;
	if (strlen(v) > 32 || !time_iso_parse(v, out)) {
		resp_error(resp, 400, "bad_parameter", "%s must be a date (YYYY-MM-DD).", key);
		return 0;
	}
	if (end && strlen(v) == 10)
		*out += 86400;
	return 1;
}

/*
 * A text parameter of at most max bytes without control characters: *out
 * is NULL when absent. Returns 1, or 0 after answering 400.
 */
int
hist_param_text(struct req *req, struct resp *resp, const char *key, size_t max,
    const char **out)
{
	const char *v = req_param(req, key);

	*out = NULL;
	if (v == NULL)
		return 1;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			resp_error(resp, 400, "bad_parameter", "%s has a control character.", key);
			return 0;
		}
	if (strlen(v) > max) {
		resp_error(resp, 400, "bad_parameter", "%s is longer than %zu bytes.", key, max);
		return 0;
	}
	*out = v;
	return 1;
}

/*
 * Decorates the objects in v (recursively) for the templates: for each
 * array member "x", "has_x" (whether it has elements); for a string
 * "class", "cls_key" (its colour, see standings_class_key()); for a string
 * "type" or "session_type", "type_label" or "session_type_label" (see
 * session_type_label()).
 */
void
hist_decorate(cJSON *v, int depth)
{
	static const char *const types[][2] = { { "type", "type_label" },
	    { "session_type", "session_type_label" } };
	cJSON		*el;
	const cJSON	*cls, *type;
	char		 k[64];

	if (depth > 8)
		return;
	if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(el, v)
			hist_decorate(el, depth + 1);
		return;
	}
	if (!cJSON_IsObject(v))
		return;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		type = cJSON_GetObjectItemCaseSensitive(v, types[i][0]);
		if (cJSON_IsString(type) && cJSON_GetObjectItemCaseSensitive(v, types[i][1]) == NULL) {
			session_type_label(type->valuestring, k, sizeof(k));
			cJSON_AddStringToObject(v, types[i][1], k);
		}
	}
	cls = cJSON_GetObjectItemCaseSensitive(v, "class");
	if (cJSON_IsString(cls) && cJSON_GetObjectItemCaseSensitive(v, "cls_key") == NULL) {
		standings_class_key(cls->valuestring, k, sizeof(k));
		cJSON_AddStringToObject(v, "cls_key", k);
	}
	cJSON_ArrayForEach(el, v) {
		if (el->string == NULL)
			continue;
		if (cJSON_IsObject(el))
			hist_decorate(el, depth + 1);
		if (!cJSON_IsArray(el))
			continue;
		hist_decorate(el, depth + 1);
		snprintf(k, sizeof(k), "has_%s", el->string);
		if (cJSON_GetObjectItemCaseSensitive(v, k) == NULL)
			cJSON_AddBoolToObject(v, k, cJSON_GetArraySize(el) > 0);
	}
}

/* The kind of a stored session type ("race1" → SK_RACE); SK_OTHER when it is none of ours. */
enum session_kind
hist_kind(const char *type)
{
	enum session_kind	 k;
	int			 n;

	return session_type_parse(type, &k, &n) == 0 ? k : SK_OTHER;
}

/*
 * Adds "type_label" and the page's "title" to a session's page data:
 * "<what> · <type> · <track>", the car ("#71 Porsche 963") when what is
 * NULL and o has a "car", the session alone otherwise. A name an admin
 * gave the session ("name") stands for "<type> · <track>".
 */
void
hist_title(cJSON *o, const char *what)
{
	const cJSON	*type = cJSON_GetObjectItemCaseSensitive(o, "type");
	const cJSON	*track = cJSON_GetObjectItemCaseSensitive(o, "track");
	const cJSON	*car = cJSON_GetObjectItemCaseSensitive(o, "car");
	const cJSON	*name = cJSON_GetObjectItemCaseSensitive(o, "name");
	struct buf	 t = { 0 };
	char		 label[48];

	session_type_label(cJSON_IsString(type) ? type->valuestring : NULL, label, sizeof(label));
	cJSON_DeleteItemFromObjectCaseSensitive(o, "type_label");
	cJSON_AddStringToObject(o, "type_label", label);
	if (what != NULL)
		buf_printf(&t, "%s · ", what);
	else if (cJSON_IsObject(car)) {
		const cJSON *num = cJSON_GetObjectItemCaseSensitive(car, "number");
		const cJSON *veh = cJSON_GetObjectItemCaseSensitive(car, "vehicle");
		if (!cJSON_IsString(veh) || veh->valuestring[0] == '\0')
			veh = cJSON_GetObjectItemCaseSensitive(car, "team");
		buf_printf(&t, "#%s %s · ", cJSON_IsString(num) ? num->valuestring : "?",
		    cJSON_IsString(veh) ? veh->valuestring : "");
	}
	if (cJSON_IsString(name) && name->valuestring[0] != '\0')
		buf_printf(&t, "%s", name->valuestring);
	else
		buf_printf(&t, "%s%s%s", label, label[0] ? " · " : "",
		    cJSON_IsString(track) ? track->valuestring : "Session");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "title");
	cJSON_AddStringToObject(o, "title", t.p ? t.p : "");
	buf_free(&t);
}

/*
 * Answers the result of a data builder: as JSON (api), or as the page tmpl
 * with title; an error already answered becomes an error page. Frees o.
 */
void
hist_answer(struct req *req, struct resp *resp, cJSON *o, int api, const char *tmpl,
    const char *title)
{
	if (o == NULL) {
		if (!api)
			page_error(req, resp);
		return;
	}
	if (api)
		resp_json(resp, 200, o);
	else {
		hist_decorate(o, 0);
		if (cJSON_GetObjectItemCaseSensitive(o, "track") != NULL &&
		    cJSON_GetObjectItemCaseSensitive(o, "started_at") != NULL)
			hist_title(o, title);
		else
			cJSON_AddStringToObject(o, "title", title);
		resp_page(req, resp, tmpl, o);
	}
	cJSON_Delete(o);
}
