/*
 * Configuration files: one "key = value" a line, # comments, blank lines.
 * Later entries override earlier ones; flags override the file through
 * conf_set().
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trackside.h"

static char *
conf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * Sets key to val, replacing an earlier value. Returns 1 or -1.
 */
int
conf_set(struct conf *c, const char *key, const char *val)
{
	char *v;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->ents[i].key, key) == 0) {
			if ((v = strdup(val)) == NULL)
				return -1;
			free(c->ents[i].val);
			c->ents[i].val = v;
			return 1;
		}
	struct conf_ent *e = realloc(c->ents, (c->n + 1) * sizeof(*e));
	if (e == NULL)
		return -1;
	c->ents = e;
	e = &c->ents[c->n];
	e->key = strdup(key);
	e->val = strdup(val);
	e->line = 0;
	if (e->key == NULL || e->val == NULL) {
		free(e->key);
		free(e->val);
		return -1;
	}
	c->n++;
	return 1;
}

/*
 * Reads path into c. Returns 1, 0 with a message in err for a syntax error,
 * -1 with errno set when the file cannot be read.
 */
int
conf_load(struct conf *c, const char *path, struct buf *err)
{
	struct buf	 b = { 0 };
	char		*line, *save = NULL;
	int		 rc, lineno = 0;

	if ((rc = file_read(path, 1 << 20, &b)) <= 0) {
		buf_free(&b);
		if (rc == 0)
			buf_printf(err, "%s: file too large", path);
		return rc == 0 ? 0 : -1;
	}
	if (b.p == NULL) {
		buf_free(&b);
		return 1;
	}
	for (char *p = b.p;; p = NULL) {
		if ((line = strtok_r(p, "\n", &save)) == NULL)
			break;
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = conf_trim(line);
		if (*s == '\0')
			continue;
		char *eq = strchr(s, '=');
		if (eq == NULL) {
			buf_printf(err, "%s:%d: expected \"key = value\"", path, lineno);
			buf_free(&b);
			return 0;
		}
		*eq = '\0';
		char *k = conf_trim(s), *v = conf_trim(eq + 1);
		if (*k == '\0') {
			buf_printf(err, "%s:%d: empty key", path, lineno);
			buf_free(&b);
			return 0;
		}
		if (conf_set(c, k, v) < 0) {
			buf_free(&b);
			errno = ENOMEM;
			return -1;
		}
		for (size_t i = 0; i < c->n; i++)
			if (strcmp(c->ents[i].key, k) == 0)
				c->ents[i].line = lineno;
	}
	buf_free(&b);
	return 1;
}

const char *
conf_get(const struct conf *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->ents[i].key, key) == 0)
			return c->ents[i].val;
	return NULL;
}

void
conf_free(struct conf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->ents[i].key);
		free(c->ents[i].val);
	}
	free(c->ents);
	c->ents = NULL;
	c->n = 0;
}
