/*
 * libFuzzer harness for lib/jscan.c, the scanner that checks upload bodies:
 * validate, then walk every member and element the way the upload handler
 * reads a frame's envelope. Differential: what jscan accepts cJSON (the
 * worker's parser) must parse, to the same envelope.
 */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "trackside.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
walk(const struct jspan *v, int depth)
{
	struct jspan	 el;
	size_t		 off = 0;
	char		 s[64];
	long long	 n;
	static const char *const keys[] = { "v", "client", "id", "seq", "captured_at", "source", "data" };

	if (depth > 8)
		return;
	switch (v->type) {
	case JT_ARRAY:
		while (jscan_next(v, &off, &el))
			walk(&el, depth + 1);
		break;
	case JT_OBJECT:
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (jscan_member(v, keys[i], &el))
				walk(&el, depth + 1);
		break;
	case JT_STRING:
		jscan_string(v, s, sizeof(s));
		break;
	case JT_NUMBER:
		jscan_int(v, -1000000, 1000000, &n);
		break;
	default:
		break;
	}
}

/* The member key of jscan's obj and of cJSON's o agree: type, string, integer. */
static void
same(const struct jspan *obj, const cJSON *o, const char *key)
{
	struct jspan	 v;
	const cJSON	*c = cJSON_GetObjectItemCaseSensitive(o, key);
	char		 s[256];
	long long	 n;
	static const int types[JT__MAX] = {
		[JT_NONE] = cJSON_Invalid, [JT_OBJECT] = cJSON_Object, [JT_ARRAY] = cJSON_Array,
		[JT_STRING] = cJSON_String, [JT_NUMBER] = cJSON_Number, [JT_TRUE] = cJSON_True,
		[JT_FALSE] = cJSON_False, [JT_NULL] = cJSON_NULL,
	};

	if (!jscan_member(obj, key, &v))
		v.type = JT_NONE;
	if ((c ? (c->type & 0xff) : cJSON_Invalid) != types[v.type])
		__builtin_trap();
	if (v.type == JT_STRING && jscan_string(&v, s, sizeof(s)) && strcmp(s, c->valuestring) != 0)
		__builtin_trap();
	if (v.type == JT_NUMBER && jscan_int(&v, 1, 9007199254740991LL, &n) && (double)n != c->valuedouble)
		__builtin_trap();
}

/* What jscan accepts, cJSON parses to the same envelope. */
static void
differential(const uint8_t *data, size_t size)
{
	static const char *const env[] = { "v", "seq", "captured_at", "source", "data", "client" };
	struct jspan	 doc, client;
	cJSON		*o;

	if (!jscan_document((const char *)data, size, &doc))
		return;
	if ((o = cJSON_ParseWithLength((const char *)data, size)) == NULL)
		__builtin_trap();	/* acknowledged by the handler, rejected by the worker */
	if (doc.type == JT_OBJECT) {
		for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++)
			same(&doc, o, env[i]);
		if (jscan_member(&doc, "client", &client) && client.type == JT_OBJECT) {
			same(&client, cJSON_GetObjectItemCaseSensitive(o, "client"), "id");
			same(&client, cJSON_GetObjectItemCaseSensitive(o, "client"), "name");
		}
	}
	cJSON_Delete(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jspan	 doc;
	size_t		 used;

	static const char *const keys[] = { "v", "client", "seq", "data" };
	struct jspan vals[4];

	if (jscan_document((const char *)data, size, &doc))
		walk(&doc, 0);
	if (jscan_fields((const char *)data, size, keys, 4, vals, &doc, &used)) {
		if (used > size)
			__builtin_trap();
		for (int i = 0; i < 4; i++)
			if (vals[i].type != JT_NONE)
				walk(&vals[i], 1);
	}
	if (jscan_value((const char *)data, size, &doc, &used) && used > size)
		__builtin_trap();
	differential(data, size);
	return 0;
}
