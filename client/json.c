/*
 * Typed reads of single values out of lib/jscan.c spans: numbers as
 * doubles, short strings, booleans. Nothing is allocated.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/*
 * Reads a number span as a double. Returns 1, or 0 when the span is not a
 * finite number.
 */
int
json_num(const struct jspan *v, double *out)
{
	char	 tmp[64], *end;
	double	 d;

	if (v->type != JT_NUMBER || v->len == 0 || v->len >= sizeof(tmp))
		return 0;
	memcpy(tmp, v->p, v->len);
	tmp[v->len] = '\0';
	d = strtod(tmp, &end);
	if (*end != '\0' || !isfinite(d))
		return 0;
	*out = d;
	return 1;
}

/*
 * Reads the number member key of obj. Returns 1, or 0 when absent or not a
 * number.
 */
int
json_member_num(const struct jspan *obj, const char *key, double *out)
{
	struct jspan v;

	return jscan_member(obj, key, &v) && json_num(&v, out);
}

/*
 * Copies the string member key of obj into out (NUL-terminated). Returns 1,
 * or 0 when absent, not a string or too long.
 */
int
json_member_str(const struct jspan *obj, const char *key, char *out, size_t outsz)
{
	struct jspan v;

	return jscan_member(obj, key, &v) && jscan_string(&v, out, outsz);
}

/*
 * Returns 1 when the member key of obj is the literal true, else 0.
 */
int
json_member_bool(const struct jspan *obj, const char *key)
{
	struct jspan v;

	return jscan_member(obj, key, &v) && v.type == JT_TRUE;
}

static size_t
json_skip_ws(const struct jspan *s, size_t off)
{
	while (off < s->len && (s->p[off] == ' ' || s->p[off] == '\t' || s->p[off] == '\n' ||
	    s->p[off] == '\r'))
		off++;
	return off;
}

/*
 * Iterates the members of a scanned object: *off starts at 0. Returns 1 with
 * the next member's key (a string span, quotes included) and value, 0 at the
 * end or when obj is not a well-formed object.
 */
int
json_obj_next(const struct jspan *obj, size_t *off, struct jspan *key, struct jspan *val)
{
	size_t	 o = *off, used;

	if (obj->type != JT_OBJECT || obj->len < 2)
		return 0;
	if (o == 0)
		o = 1;
	o = json_skip_ws(obj, o);
	if (o < obj->len && obj->p[o] == ',')
		o = json_skip_ws(obj, o + 1);
	if (o >= obj->len || obj->p[o] != '"')
		return 0;
	if (!jscan_value(obj->p + o, obj->len - o, key, &used) || key->type != JT_STRING)
		return 0;
	o = json_skip_ws(obj, o + used);
	if (o >= obj->len || obj->p[o] != ':')
		return 0;
	o++;
	if (!jscan_value(obj->p + o, obj->len - o, val, &used))
		return 0;
	*off = o + used;
	return 1;
}
