/*
 * A validating JSON scanner that allocates nothing: it checks syntax
 * (RFC 8259, UTF-8 strings, bounded nesting) and hands out spans of the
 * input, so the upload handler can read a frame's envelope without building
 * a tree of the whole frame.
 */
#include <string.h>

#include "trackside.h"

struct jscan {
	const char	*p;
	const char	*end;
};

static int jscan_any(struct jscan *, struct jspan *, int depth);

static void
jscan_ws(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
jscan_hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return 0;
	}
	*out = v;
	return 1;
}

/* Length of a valid UTF-8 sequence at p (lead byte >= 0x80), or 0. */
static size_t
jscan_utf8(const unsigned char *p, const unsigned char *end)
{
	size_t		 n;
	unsigned	 cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/*
 * Whether s[0..n) is UTF-8 by the rule JSON strings follow here (no
 * overlong forms, no surrogates, nothing past U+10FFFF). Returns 1 or 0.
 */
int
jscan_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		size_t k = *p < 0x80 ? 1 : jscan_utf8(p, end);
		if (k == 0)
			return 0;
		p += k;
	}
	return 1;
}

/* Bytes that need no attention inside a string: printable ASCII but " and \. */
static const unsigned char jscan_plain[256] = {
#define R8(x) x, x, x, x, x, x, x, x
	R8(0), R8(0), R8(0), R8(0),		/* 0x00-0x1f: control */
	1, 1, 0, 1, 1, 1, 1, 1, R8(1),		/* 0x20-0x2f: " is 0x22 */
	R8(1), R8(1), R8(1), R8(1),		/* 0x30-0x4f */
	R8(1), 1, 1, 1, 1, 0, 1, 1, 1,		/* 0x50-0x5f: \ is 0x5c */
	R8(1), R8(1), R8(1), R8(1),		/* 0x60-0x7f */
	R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
	R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
#undef R8
};

static int
jscan_str(struct jscan *s)
{
	const unsigned char *p = (const unsigned char *)s->p + 1;
	const unsigned char *end = (const unsigned char *)s->end;
	unsigned u;

	while (p < end) {
		while (end - p >= 4 && jscan_plain[p[0]] && jscan_plain[p[1]] &&
		    jscan_plain[p[2]] && jscan_plain[p[3]])
			p += 4;
		while (p < end && jscan_plain[*p])
			p++;
		if (p >= end)
			break;
		if (*p == '"') {
			s->p = (const char *)p + 1;
			return 1;
		}
		if (*p < 0x20)
			return 0;
		if (*p == '\\') {
			if (end - p < 2)
				return 0;
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				p += 2;
				break;
			case 'u':
				if (end - p < 6 || !jscan_hex4((const char *)p + 2, &u))
					return 0;
				p += 6;
				/* A surrogate only as a high-low pair: what cJSON decodes. */
				if (u >= 0xdc00 && u <= 0xdfff)
					return 0;
				if (u >= 0xd800 && u <= 0xdbff) {
					if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
					    !jscan_hex4((const char *)p + 2, &u) || u < 0xdc00 || u > 0xdfff)
						return 0;
					p += 6;
				}
				break;
			default:
				return 0;
			}
		} else if (*p >= 0x80) {
			size_t n = jscan_utf8(p, end);
			if (n == 0)
				return 0;
			p += n;
		} else
			p++;
	}
	return 0;
}

static int
jscan_num(struct jscan *s)
{
	const char *p = s->p, *end = s->end;

	if (p < end && *p == '-')
		p++;
	if (p >= end)
		return 0;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	else
		return 0;
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return 0;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return 0;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	s->p = p;
	return 1;
}

static int
jscan_lit(struct jscan *s, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return 0;
	s->p += n;
	return 1;
}

static int
jscan_container(struct jscan *s, int depth, char close)
{
	struct jspan v;

	if (depth >= JSCAN_MAX_DEPTH)
		return 0;
	s->p++;
	jscan_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 1;
	}
	for (;;) {
		if (close == '}') {
			jscan_ws(s);
			if (s->p >= s->end || *s->p != '"' || !jscan_str(s))
				return 0;
			jscan_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return 0;
			s->p++;
		}
		if (!jscan_any(s, &v, depth + 1))
			return 0;
		jscan_ws(s);
		if (s->p >= s->end)
			return 0;
		if (*s->p == close) {
			s->p++;
			return 1;
		}
		if (*s->p != ',')
			return 0;
		s->p++;
	}
}

static int
jscan_any(struct jscan *s, struct jspan *out, int depth)
{
	const char *start;
	int ok;

	jscan_ws(s);
	if (s->p >= s->end)
		return 0;
	start = s->p;
	switch (*s->p) {
	case '{': out->type = JT_OBJECT; ok = jscan_container(s, depth, '}'); break;
	case '[': out->type = JT_ARRAY; ok = jscan_container(s, depth, ']'); break;
	case '"': out->type = JT_STRING; ok = jscan_str(s); break;
	case 't': out->type = JT_TRUE; ok = jscan_lit(s, "true"); break;
	case 'f': out->type = JT_FALSE; ok = jscan_lit(s, "false"); break;
	case 'n': out->type = JT_NULL; ok = jscan_lit(s, "null"); break;
	default: out->type = JT_NUMBER; ok = jscan_num(s); break;
	}
	if (!ok)
		return 0;
	out->p = start;
	out->len = (size_t)(s->p - start);
	return 1;
}

/*
 * Scans one value at the start of p (leading white space allowed). Returns 1
 * with its span and the bytes used, or 0 when the bytes are not valid JSON.
 */
int
jscan_value(const char *p, size_t len, struct jspan *out, size_t *used)
{
	struct jscan s = { p, p + len };

	if (!jscan_any(&s, out, 0))
		return 0;
	if (used)
		*used = (size_t)(s.p - p);
	return 1;
}

/*
 * Scans a whole document: one value and nothing but white space after it.
 */
int
jscan_document(const char *p, size_t len, struct jspan *out)
{
	struct jscan s = { p, p + len };

	if (!jscan_any(&s, out, 0))
		return 0;
	jscan_ws(&s);
	return s.p == s.end;
}

/*
 * Finds key in a scanned object (the first match). Returns 1 with its value,
 * 0 when absent or obj is not an object. The key is compared with the
 * decoded member name.
 */
int
jscan_member(const struct jspan *obj, const char *key, struct jspan *out)
{
	struct jspan whole;

	if (obj->type != JT_OBJECT ||
	    !jscan_fields(obj->p, obj->len, &key, 1, out, &whole, NULL))
		return 0;
	return out->type != JT_NONE;
}

/*
 * Iterates a scanned array: *off starts at 0. Returns 1 with the next
 * element, 0 at the end.
 */
int
jscan_next(const struct jspan *arr, size_t *off, struct jspan *out)
{
	struct jscan s = { arr->p + *off, arr->p + arr->len };

	if (arr->type != JT_ARRAY)
		return 0;
	if (*off == 0)
		s.p++;
	jscan_ws(&s);
	if (s.p >= s.end || *s.p == ']')
		return 0;
	if (*s.p == ',')
		s.p++;
	if (!jscan_any(&s, out, 1))
		return 0;
	*off = (size_t)(s.p - arr->p);
	return 1;
}

/*
 * Decodes the escaped string bytes p[0..end) (already validated) into out,
 * NUL-terminated. A \u0000 is refused, or with nul_ends ends the string
 * (cJSON keeps strings as C strings: that is how it reads such a name).
 * Returns 1, or 0 when it does not fit or holds a refused NUL.
 */
static int
jscan_decode(const char *p, const char *end, char *out, size_t outsz, int nul_ends)
{
	size_t		 o = 0;
	unsigned	 u, lo;

	if (outsz == 0)
		return 0;
	while (p < end) {
		char c = *p++;
		if (c == '\\') {
			c = *p++;
			switch (c) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				jscan_hex4(p, &u);
				p += 4;
				/* The scanner lets a surrogate through only in a high-low pair. */
				if (u >= 0xd800 && u <= 0xdbff && end - p >= 6 && p[0] == '\\' &&
				    p[1] == 'u' && jscan_hex4(p + 2, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
					u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				} else if (u >= 0xd800 && u <= 0xdfff)
					return 0;
				if (u == 0) {
					if (!nul_ends)
						return 0;
					out[o] = '\0';
					return 1;
				}
				char enc[4];
				size_t n;
				if (u < 0x80) {
					enc[0] = (char)u; n = 1;
				} else if (u < 0x800) {
					enc[0] = (char)(0xc0 | u >> 6); enc[1] = (char)(0x80 | (u & 0x3f)); n = 2;
				} else if (u < 0x10000) {
					enc[0] = (char)(0xe0 | u >> 12); enc[1] = (char)(0x80 | ((u >> 6) & 0x3f));
					enc[2] = (char)(0x80 | (u & 0x3f)); n = 3;
				} else {
					enc[0] = (char)(0xf0 | u >> 18); enc[1] = (char)(0x80 | ((u >> 12) & 0x3f));
					enc[2] = (char)(0x80 | ((u >> 6) & 0x3f)); enc[3] = (char)(0x80 | (u & 0x3f)); n = 4;
				}
				if (o + n >= outsz)
					return 0;
				memcpy(out + o, enc, n);
				o += n;
				continue;
			default: break;	/* " \ / */
			}
		}
		if (o + 1 >= outsz)
			return 0;
		out[o++] = c;
	}
	out[o] = '\0';
	return 1;
}

/*
 * Decodes a string value into out (UTF-8, NUL-terminated). Returns 1, or 0
 * when the span is not a string, does not fit, or holds a NUL.
 */
int
jscan_string(const struct jspan *v, char *out, size_t outsz)
{
	if (v->type != JT_STRING)
		return 0;
	return jscan_decode(v->p + 1, v->p + v->len - 1, out, outsz, 0);
}

/*
 * Whether the member name name[0..nl) (the bytes between its quotes) is key
 * once decoded, so "\u0076" is "v" here as it is for cJSON.
 */
static int
jscan_name_is(const char *name, size_t nl, const char *key)
{
	char buf[128];

	if (memchr(name, '\\', nl) == NULL)
		return strlen(key) == nl && memcmp(key, name, nl) == 0;
	return jscan_decode(name, name + nl, buf, sizeof(buf), 1) && strcmp(buf, key) == 0;
}

/*
 * Reads an integer value in [min, max] (no fraction, no exponent). Returns 1 or 0.
 */
int
jscan_int(const struct jspan *v, long long min, long long max, long long *out)
{
	char tmp[24];

	if (v->type != JT_NUMBER || v->len >= sizeof(tmp))
		return 0;
	memcpy(tmp, v->p, v->len);
	tmp[v->len] = '\0';
	if (strpbrk(tmp, ".eE") != NULL)
		return 0;
	return num_parse_ll(tmp, min, max, out);
}

/*
 * Scans one object at the start of p (leading white space allowed),
 * validating all of it in one pass, and picks the values of keys[0..n)
 * into vals (type JT_NONE when absent; the first of duplicate keys wins).
 * Returns 1 with the object's span and the bytes used, or 0 when the bytes
 * are not a valid JSON object.
 */
int
jscan_fields(const char *p, size_t len, const char *const *keys, size_t n, struct jspan *vals,
    struct jspan *obj, size_t *used)
{
	struct jscan	 s = { p, p + len };
	struct jspan	 v;
	const char	*name;

	for (size_t i = 0; i < n; i++)
		vals[i].type = JT_NONE;
	jscan_ws(&s);
	if (s.p >= s.end || *s.p != '{')
		return 0;
	obj->p = s.p;
	obj->type = JT_OBJECT;
	s.p++;
	jscan_ws(&s);
	if (s.p < s.end && *s.p == '}') {
		s.p++;
		goto done;
	}
	for (;;) {
		jscan_ws(&s);
		if (s.p >= s.end || *s.p != '"')
			return 0;
		name = s.p + 1;
		if (!jscan_str(&s))
			return 0;
		size_t nl = (size_t)(s.p - 1 - name);
		jscan_ws(&s);
		if (s.p >= s.end || *s.p != ':')
			return 0;
		s.p++;
		if (!jscan_any(&s, &v, 1))
			return 0;
		for (size_t i = 0; i < n; i++)
			if (vals[i].type == JT_NONE && jscan_name_is(name, nl, keys[i]))
				vals[i] = v;
		jscan_ws(&s);
		if (s.p >= s.end)
			return 0;
		if (*s.p == '}') {
			s.p++;
			break;
		}
		if (*s.p++ != ',')
			return 0;
	}
done:
	obj->len = (size_t)(s.p - obj->p);
	if (used)
		*used = (size_t)(s.p - p);
	return 1;
}
