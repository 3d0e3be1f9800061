/*
 * Templates: parsed once into a node list, rendered many times from a cJSON
 * value through the escaping writers of esc.c.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trackside.h"
#include "tmpl.h"

enum node_type { NODE_TEXT, NODE_VAR, NODE_SECTION, NODE_GUARD, NODE_INVERTED, NODE_PARTIAL,
	NODE__MAX };

struct node {
	enum node_type	 type;
	char		*text;		/* NODE_TEXT: the text; else the name */
	size_t		 len;
	char		*filter;	/* NODE_VAR: the filter or NULL */
	struct node	*kids;		/* sections */
	size_t		 nkids;
};

struct tmpl {
	char		*name;
	struct node	*nodes;
	size_t		 n;
};

struct tmpl_set {
	struct tmpl	*t;
	size_t		 n;
};

#define TMPL_MAX_DEPTH 32

/* The sections open around the text being parsed, innermost first. */
struct open {
	const char		*name;
	enum node_type		 type;
	const struct open	*up;
};

static void
node_free(struct node *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].text);
		free(v[i].filter);
		node_free(v[i].kids, v[i].nkids);
	}
	free(v);
}

static int
node_push(struct node **v, size_t *n, struct node *nd)
{
	struct node *nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (nv == NULL)
		return -1;
	*v = nv;
	nv[(*n)++] = *nd;
	return 1;
}

static char *
tmpl_strndup_trim(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

/*
 * Whether a {{#x}} opened inside open sections repeats one of them: a list
 * opened as its own guard would print the whole list once per element.
 */
static int
tmpl_reopened(const struct open *up, const char *x)
{
	for (; up != NULL; up = up->up)
		if (up->type == NODE_SECTION && strcmp(up->name, x) == 0)
			return 1;
	return 0;
}

/*
 * Parses text from *p up to the closing tag of the innermost open section
 * (none at top level). Returns 1, 0 with a message in err.
 */
static int
tmpl_parse_nodes(const char *name, const char **p, const struct open *up,
    struct node **out, size_t *nout, struct buf *err, int depth)
{
	const char	*section = up ? up->name : NULL;
	const char	*s = *p, *open, *close;
	struct node	 nd;

	if (depth > TMPL_MAX_DEPTH) {
		buf_printf(err, "%s: sections nested too deeply", name);
		return 0;
	}
	for (;;) {
		open = strstr(s, "{{");
		size_t tl = open ? (size_t)(open - s) : strlen(s);
		if (tl > 0) {
			memset(&nd, 0, sizeof(nd));
			nd.type = NODE_TEXT;
			nd.text = strndup(s, tl);
			nd.len = tl;
			if (nd.text == NULL || node_push(out, nout, &nd) < 0)
				goto nomem;
		}
		if (open == NULL) {
			if (section != NULL) {
				buf_printf(err, "%s: section \"%s\" is not closed", name, section);
				return 0;
			}
			*p = s + tl;
			return 1;
		}
		if ((close = strstr(open + 2, "}}")) == NULL) {
			buf_printf(err, "%s: \"{{\" without \"}}\"", name);
			return 0;
		}
		const char *in = open + 2;
		size_t inlen = (size_t)(close - in);
		char kind = inlen ? in[0] : '\0';
		s = close + 2;
		memset(&nd, 0, sizeof(nd));
		switch (kind) {
		case '!':
			continue;
		case '/': {
			char *nm = tmpl_strndup_trim(in + 1, inlen - 1);
			if (nm == NULL)
				goto nomem;
			int ok = section != NULL && strcmp(nm, section) == 0;
			if (!ok)
				buf_printf(err, "%s: unexpected {{/%s}}", name, nm);
			free(nm);
			if (ok)
				*p = s;
			return ok;
		}
		case '#':
		case '?':
		case '^': {
			nd.type = kind == '#' ? NODE_SECTION : kind == '?' ? NODE_GUARD : NODE_INVERTED;
			if ((nd.text = tmpl_strndup_trim(in + 1, inlen - 1)) == NULL)
				goto nomem;
			if (nd.type == NODE_SECTION && tmpl_reopened(up, nd.text)) {
				buf_printf(err, "%s: {{#%s}} inside {{#%s}} repeats it per element; "
				    "test the outer one with {{?%s}}", name, nd.text, nd.text, nd.text);
				free(nd.text);
				return 0;
			}
			struct open here = { nd.text, nd.type, up };
			if (!tmpl_parse_nodes(name, &s, &here, &nd.kids, &nd.nkids, err, depth + 1)) {
				free(nd.text);
				node_free(nd.kids, nd.nkids);
				return 0;
			}
			break;
		}
		case '>':
			nd.type = NODE_PARTIAL;
			if ((nd.text = tmpl_strndup_trim(in + 1, inlen - 1)) == NULL)
				goto nomem;
			break;
		default: {
			nd.type = NODE_VAR;
			const char *bar = memchr(in, '|', inlen);
			size_t nl = bar ? (size_t)(bar - in) : inlen;
			if ((nd.text = tmpl_strndup_trim(in, nl)) == NULL)
				goto nomem;
			if (bar && (nd.filter = tmpl_strndup_trim(bar + 1, inlen - nl - 1)) == NULL)
				goto nomem;
			if (nd.text[0] == '\0') {
				buf_printf(err, "%s: empty marker", name);
				free(nd.text);
				free(nd.filter);
				return 0;
			}
			break;
		}
		}
		if (node_push(out, nout, &nd) < 0)
			goto nomem;
	}
nomem:
	buf_printf(err, "%s: out of memory", name);
	return 0;
}

static int
tmpl_add(struct tmpl_set *set, const char *name, const char *text, struct buf *err)
{
	struct tmpl	 t = { 0 };
	const char	*p = text;

	if ((t.name = strdup(name)) == NULL)
		return -1;
	if (!tmpl_parse_nodes(name, &p, NULL, &t.nodes, &t.n, err, 0)) {
		free(t.name);
		node_free(t.nodes, t.n);
		return 0;
	}
	struct tmpl *nt = realloc(set->t, (set->n + 1) * sizeof(*nt));
	if (nt == NULL) {
		free(t.name);
		node_free(t.nodes, t.n);
		return -1;
	}
	set->t = nt;
	nt[set->n++] = t;
	return 1;
}

/*
 * Parses one template text into a new set (tests use it). Returns 1, 0 with
 * a message in err, -1 when memory runs out. Free with tmpl_free().
 */
int
tmpl_parse(struct tmpl_set **out, const char *name, const char *text, struct buf *err)
{
	int rc;

	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return -1;
	if ((rc = tmpl_add(*out, name, text, err)) <= 0) {
		tmpl_free(*out);
		*out = NULL;
	}
	return rc;
}

/*
 * Loads every *.html file of dir; a template's name is its file name
 * without ".html". Returns 1, 0 with a message in err, -1 with errno set.
 */
int
tmpl_load(struct tmpl_set **out, const char *dir, struct buf *err)
{
	DIR		*d;
	struct dirent	*de;
	struct buf	 text = { 0 };
	char		 path[PATH_MAX];
	int		 rc = 1;

	if ((d = opendir(dir)) == NULL) {
		buf_printf(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if ((*out = calloc(1, sizeof(**out))) == NULL) {
		closedir(d);
		return -1;
	}
	while (rc > 0 && (de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);
		if (nl < 6 || strcmp(de->d_name + nl - 5, ".html") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		buf_reset(&text);
		if ((rc = file_read(path, 1 << 20, &text)) <= 0) {
			buf_printf(err, "%s: cannot read", path);
			rc = rc == 0 ? 0 : -1;
			break;
		}
		de->d_name[nl - 5] = '\0';
		rc = tmpl_add(*out, de->d_name, text.p ? text.p : "", err);
	}
	closedir(d);
	buf_free(&text);
	if (rc <= 0) {
		tmpl_free(*out);
		*out = NULL;
	}
	return rc;
}

void
tmpl_free(struct tmpl_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++) {
		free(set->t[i].name);
		node_free(set->t[i].nodes, set->t[i].n);
	}
	free(set->t);
	free(set);
}

/* The context stack: innermost last. */
struct ctx {
	const cJSON	*v[TMPL_MAX_DEPTH + 2];
	size_t		 n;
};

static const cJSON *
tmpl_lookup(const struct ctx *c, const char *name)
{
	char		 part[128];
	const char	*dot;
	const cJSON	*v = NULL;

	if (strcmp(name, ".") == 0)
		return c->v[c->n - 1];
	dot = strchr(name, '.');
	size_t fl = dot ? (size_t)(dot - name) : strlen(name);
	if (fl >= sizeof(part))
		return NULL;
	memcpy(part, name, fl);
	part[fl] = '\0';
	for (size_t i = c->n; i-- > 0;)
		if (cJSON_IsObject(c->v[i]) &&
		    (v = cJSON_GetObjectItemCaseSensitive(c->v[i], part)) != NULL)
			break;
	while (v != NULL && dot != NULL) {
		name = dot + 1;
		dot = strchr(name, '.');
		fl = dot ? (size_t)(dot - name) : strlen(name);
		if (fl >= sizeof(part))
			return NULL;
		memcpy(part, name, fl);
		part[fl] = '\0';
		v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, part) : NULL;
	}
	return v;
}

static int
tmpl_truthy(const cJSON *v)
{
	if (v == NULL || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v))
		return v->valuestring[0] != '\0';
	if (cJSON_IsArray(v))
		return cJSON_GetArraySize(v) > 0;
	return 1;
}

/*
 * A time as every page shows it: m:ss.mmm, or ss.mmm under a minute, into
 * out (static/live.js's laptime() writes the same).
 */
void
tmpl_time(char *out, size_t outsz, double t)
{
	long ms = lround(t * 1000.0);

	if (ms >= 60000)
		snprintf(out, outsz, "%ld:%02ld.%03ld", ms / 60000, ms / 1000 % 60, ms % 1000);
	else
		snprintf(out, outsz, "%ld.%03ld", ms / 1000, ms % 1000);
}

static int
fmt_laptime(struct buf *b, double t)
{
	char tmp[48];

	tmpl_time(tmp, sizeof(tmp), t);
	return buf_puts(b, tmp);
}

/*
 * Writes a value through a filter, escaped for HTML. An unknown value
 * (missing, null) writes nothing. Returns 1 or -1.
 */
int
tmpl_format(struct buf *b, const cJSON *v, const char *filter)
{
	char	 tmp[64];
	double	 d;

	if (v == NULL || cJSON_IsNull(v))
		return 1;
	if (filter != NULL && strcmp(filter, "json") == 0) {
		char *s = cJSON_PrintUnformatted(v);
		if (s == NULL)
			return -1;
		/* JSON text made safe for <script>: strings re-escaped below. */
		int rc = 1;
		for (char *p = s; *p && rc > 0; p++) {
			if (*p == '<' || *p == '>' || *p == '&')
				rc = buf_printf(b, "\\u%04x", *p);
			else
				rc = buf_putc(b, *p);
		}
		free(s);
		return rc;
	}
	if (cJSON_IsString(v)) {
		if (filter != NULL && strcmp(filter, "url") == 0)
			return esc_url(b, v->valuestring, strlen(v->valuestring));
		return esc_html(b, v->valuestring, strlen(v->valuestring));
	}
	if (cJSON_IsBool(v))
		return buf_puts(b, cJSON_IsTrue(v) ? "yes" : "no");
	if (!cJSON_IsNumber(v))
		return 1;
	d = v->valuedouble;
	if (filter == NULL || strcmp(filter, "int") == 0 || strcmp(filter, "url") == 0) {
		if (filter == NULL && d != floor(d))
			return buf_printf(b, "%.3f", d);
		return buf_printf(b, "%lld", (long long)llround(d));
	}
	if (strcmp(filter, "laptime") == 0)
		return d > 0 ? fmt_laptime(b, d) : 1;
	if (strcmp(filter, "sector") == 0)	/* a time like a lap's, m:ss.mmm from a minute */
		return d > 0 ? fmt_laptime(b, d) : 1;
	if (strcmp(filter, "gap") == 0)
		return buf_putc(b, '+') < 0 ? -1 : fmt_laptime(b, d);
	if (strcmp(filter, "duration") == 0) {
		long s = lround(d < 0 ? 0 : d);
		return buf_printf(b, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	}
	if (strcmp(filter, "fixed1") == 0)
		return buf_printf(b, "%.1f", d);
	if (strcmp(filter, "pct") == 0)
		return buf_printf(b, "%.0f%%", d * 100.0);
	if (strcmp(filter, "date") == 0 || strcmp(filter, "iso") == 0) {
		time_t t = (time_t)d;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(tmp, sizeof(tmp), filter[0] == 'd' ? "%Y-%m-%d %H:%M" : "%Y-%m-%dT%H:%M:%SZ", &tm);
		return buf_puts(b, tmp);
	}
	return buf_printf(b, "%g", d);
}

static int tmpl_run(const struct tmpl_set *, const struct node *, size_t, struct ctx *,
    struct buf *, int depth);

static const struct tmpl *
tmpl_find(const struct tmpl_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->t[i].name, name) == 0)
			return &set->t[i];
	return NULL;
}

static int
tmpl_run(const struct tmpl_set *set, const struct node *v, size_t n, struct ctx *c,
    struct buf *out, int depth)
{
	const cJSON		*val, *el;
	const struct tmpl	*t;
	int			 rc;

	if (depth > TMPL_MAX_DEPTH || c->n >= TMPL_MAX_DEPTH)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct node *nd = &v[i];
		switch (nd->type) {
		case NODE_TEXT:
			if (buf_add(out, nd->text, nd->len) < 0)
				return -1;
			break;
		case NODE_VAR:
			if (tmpl_format(out, tmpl_lookup(c, nd->text), nd->filter) < 0)
				return -1;
			break;
		case NODE_INVERTED:
		case NODE_GUARD:
			if (tmpl_truthy(tmpl_lookup(c, nd->text)) == (nd->type == NODE_INVERTED))
				break;
			if ((rc = tmpl_run(set, nd->kids, nd->nkids, c, out, depth + 1)) <= 0)
				return rc;
			break;
		case NODE_SECTION:
			val = tmpl_lookup(c, nd->text);
			if (!tmpl_truthy(val))
				break;
			if (cJSON_IsArray(val)) {
				cJSON_ArrayForEach(el, val) {
					c->v[c->n++] = el;
					rc = tmpl_run(set, nd->kids, nd->nkids, c, out, depth + 1);
					c->n--;
					if (rc <= 0)
						return rc;
				}
				break;
			}
			c->v[c->n++] = val;
			rc = tmpl_run(set, nd->kids, nd->nkids, c, out, depth + 1);
			c->n--;
			if (rc <= 0)
				return rc;
			break;
		case NODE_PARTIAL:
			if ((t = tmpl_find(set, nd->text)) == NULL)
				return 0;
			if ((rc = tmpl_run(set, t->nodes, t->n, c, out, depth + 1)) <= 0)
				return rc;
			break;
		default:
			return 0;
		}
	}
	return 1;
}

/*
 * Renders template name with data into out. Returns 1, 0 when the
 * template or a partial it names does not exist (or nests too deeply), -1
 * when memory runs out.
 */
int
tmpl_render(const struct tmpl_set *set, const char *name, const cJSON *data, struct buf *out)
{
	const struct tmpl	*t;
	struct ctx		 c = { .n = 0 };

	if ((t = tmpl_find(set, name)) == NULL)
		return 0;
	c.v[c.n++] = data;
	return tmpl_run(set, t->nodes, t->n, &c, out, 0);
}
