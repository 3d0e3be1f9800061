/*
 * GET /api/v1/sessions/{id}/map: the track outline, pit lane and sector
 * boundaries of a session's track; and the SVG map the session page draws
 * from them, with the cars where they were last seen (static/live.js moves
 * them).
 */
#include <math.h>
#include <stdio.h>

#include "fcgi.h"
#include "view.h"

/* Appends "x,y " of a point ([x, z]; y is -z so north is up) to b. */
static void
map_point(struct buf *b, const cJSON *p)
{
	buf_printf(b, "%s%.1f,%.1f", b->len ? " " : "", cJSON_GetArrayItem(p, 0)->valuedouble,
	    -cJSON_GetArrayItem(p, 1)->valuedouble);
}

static void
map_bbox(const cJSON *pts, double bb[4])
{
	const cJSON *p;

	cJSON_ArrayForEach(p, pts) {
		double x = cJSON_GetArrayItem(p, 0)->valuedouble;
		double y = -cJSON_GetArrayItem(p, 1)->valuedouble;
		bb[0] = fmin(bb[0], x);
		bb[1] = fmin(bb[1], y);
		bb[2] = fmax(bb[2], x);
		bb[3] = fmax(bb[3], y);
	}
}

/* Adds one piece of line as {"n", "flag", "points"} to arr. */
static void
map_piece(cJSON *arr, int n, const char *flag, struct buf *b)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "n", n);
	cJSON_AddStringToObject(o, "flag", flag);
	cJSON_AddStringToObject(o, "points", b->p ? b->p : "");
	cJSON_AddItemToArray(arr, o);
	buf_reset(b);
}

static const char *
map_flag(const cJSON *flags, int n)
{
	const cJSON *f = cJSON_GetArrayItem(flags, n - 1);
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "flag");

	return cJSON_IsString(name) ? name->valuestring : "unknown";
}

/*
 * Adds "map" to a session view when its track outline is known: "viewbox",
 * "r" (car marker radius), "sectors" (the racing line cut at the learned
 * sector ends, each with its flag; one piece when they are not known),
 * "pit" (lane pieces); and "map_x"/"map_y" to each standings row with a
 * position. Returns 1 (also when there is no outline) or -1.
 */
int
map_add(struct req *req, cJSON *o)
{
	struct view	 v;
	cJSON		*m, *line, *p, *sectors, *pits, *row;
	const cJSON	*id = cJSON_GetObjectItemCaseSensitive(o, "id");
	const cJSON	*flags = cJSON_GetObjectItemCaseSensitive(o, "flags");
	struct buf	 b = { 0 };
	double		 bb[4] = { INFINITY, INFINITY, -INFINITY, -INFINITY }, dist = 0, b1, b2;
	int		 rc, n = 1;
	char		 vb[96];

	if (!cJSON_IsString(id))
		return 1;
	view_init(&v, req->db);
	rc = view_map(&v, id->valuestring, &m);
	view_free(&v);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	line = cJSON_GetObjectItemCaseSensitive(m, "line");
	if (cJSON_GetArraySize(line) < 3) {
		cJSON_Delete(m);
		return 1;
	}
	map_bbox(line, bb);
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "pit"))
		map_bbox(p, bb);
	double w = bb[2] - bb[0], h = bb[3] - bb[1], pad = fmax(w, h) * 0.04;
	snprintf(vb, sizeof(vb), "%.0f %.0f %.0f %.0f", bb[0] - pad, bb[1] - pad, w + 2 * pad,
	    h + 2 * pad);
	cJSON *map = cJSON_AddObjectToObject(o, "map");
	cJSON_AddStringToObject(map, "viewbox", vb);
	cJSON_AddNumberToObject(map, "r", round(fmax(w, h) / 48.0));
	cJSON_AddNumberToObject(map, "stroke", round(fmax(w, h) / 110.0));
	cJSON_AddNumberToObject(map, "font", round(fmax(w, h) / 42.0));
	cJSON *bounds = cJSON_GetObjectItemCaseSensitive(m, "bounds");
	b1 = cJSON_IsNumber(cJSON_GetArrayItem(bounds, 0)) ?
	    cJSON_GetArrayItem(bounds, 0)->valuedouble : INFINITY;
	b2 = cJSON_IsNumber(cJSON_GetArrayItem(bounds, 1)) ?
	    cJSON_GetArrayItem(bounds, 1)->valuedouble : INFINITY;
	if (!isfinite(b1) || !isfinite(b2))
		b1 = b2 = INFINITY, n = 0;
	sectors = cJSON_AddArrayToObject(map, "sectors");
	const cJSON *prev = NULL;
	cJSON_ArrayForEach(p, line) {
		if (prev != NULL) {
			double dx = p->child->valuedouble - prev->child->valuedouble;
			double dz = p->child->next->valuedouble - prev->child->next->valuedouble;
			dist += sqrt(dx * dx + dz * dz);
		}
		map_point(&b, p);
		if ((n == 1 && dist >= b1) || (n == 2 && dist >= b2)) {
			map_piece(sectors, n, map_flag(flags, n), &b);
			n++;
			map_point(&b, p);	/* pieces join */
		}
		prev = p;
	}
	map_point(&b, line->child);	/* close the loop */
	map_piece(sectors, n, n ? map_flag(flags, n) : "unknown", &b);
	pits = cJSON_AddArrayToObject(map, "pit");
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "pit")) {
		const cJSON *q;
		cJSON_ArrayForEach(q, p)
			map_point(&b, q);
		map_piece(pits, 0, "", &b);
	}
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(o, "standings")) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(row, "x");
		const cJSON *z = cJSON_GetObjectItemCaseSensitive(row, "z");
		if (cJSON_IsNumber(x) && cJSON_IsNumber(z)) {
			cJSON_AddNumberToObject(row, "map_x", round(x->valuedouble * 10) / 10);
			cJSON_AddNumberToObject(row, "map_y", round(-z->valuedouble * 10) / 10);
		}
	}
	buf_free(&b);
	cJSON_Delete(m);
	return 1;
}

void
h_map_api(struct req *req, struct resp *resp)
{
	struct view	 v;
	cJSON		*m = NULL;
	int		 rc;

	if (req->nargs < 1 || !id_valid(req->args[0], 1, 64)) {
		resp_error(resp, 404, "not_found", "There is no such session.");
		return;
	}
	view_init(&v, req->db);
	rc = view_map(&v, req->args[0], &m);
	view_free(&v);
	if (rc < 0) {
		log_err("map %s: %s", req->args[0], sqlite3_errmsg(req->db));
		resp_error(resp, 503, "unavailable", "The map cannot be read now.");
	} else if (rc == 0)
		resp_error(resp, 404, "not_found", "There is no such session.");
	else
		resp_json(resp, 200, m);
	cJSON_Delete(m);
}
