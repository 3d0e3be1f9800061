/*
 * What the history tests share: requests through the in-memory driver,
 * JSON lookups by path, and golden files (tests/golden/). Set
 * TRACKSIDE_GOLDEN_UPDATE=1 to rewrite the golden files from the output
 * after checking the difference by hand.
 */
#ifndef HIST_H
#define HIST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "handler.h"

static struct hctx h;

static inline int
get(struct resp *r, const char *path, const char *query)
{
	return hctx_get(&h, r, path, query);
}

/* The JSON body of a 200 answer (caller frees), or NULL. */
static inline cJSON *
get_json(struct resp *r, const char *path, const char *query)
{
	return hctx_get_json(&h, r, path, query);
}

/*
 * The first race of the database: its id into id (empty when there is
 * none) and its /api/v1/sessions/{id} (caller frees), or NULL.
 */
static inline cJSON *
get_race(struct resp *r, char *id, size_t idsz)
{
	cJSON		*list = get_json(r, "/api/v1/sessions", "type=RACE");
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(list, "sessions"), 0), "id");
	char		 url[256];

	snprintf(id, idsz, "%s", cJSON_IsString(v) ? v->valuestring : "");
	cJSON_Delete(list);
	if (*id == '\0')
		return NULL;
	snprintf(url, sizeof(url), "/api/v1/sessions/%s", id);
	return get_json(r, url, NULL);
}

/*
 * Follows a path of object keys and array indexes ("results.0.laps") from
 * o. NULL when something on the way is missing.
 */
static inline const cJSON *
jget(const cJSON *o, const char *path)
{
	char	 part[64];
	size_t	 n;

	while (o != NULL && *path) {
		n = strcspn(path, ".");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		path += n + (path[n] == '.');
		if (cJSON_IsArray(o) && part[0] >= '0' && part[0] <= '9')
			o = cJSON_GetArrayItem(o, atoi(part));
		else
			o = cJSON_GetObjectItemCaseSensitive(o, part);
	}
	return o;
}

static inline double
jnum(const cJSON *o, const char *path)
{
	const cJSON *v = jget(o, path);

	return cJSON_IsNumber(v) ? v->valuedouble : -999999;
}

static inline const char *
jstr(const cJSON *o, const char *path)
{
	const cJSON *v = jget(o, path);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline int
jnull(const cJSON *o, const char *path)
{
	return cJSON_IsNull(jget(o, path));
}

static inline int
jsize(const cJSON *o, const char *path)
{
	const cJSON *v = jget(o, path);

	return cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
}

/* Whether two seconds values agree to the millisecond. */
static inline int
same_time(double a, double b)
{
	return a > b - 0.0005 && a < b + 0.0005;
}

/*
 * Compares body with tests/golden/name; prints the first differing line.
 * Of an HTML page only what is inside <main> is compared, so a change of
 * the shared layout (head.html, foot.html) does not touch these pages.
 * Returns 1 when they are the same (or the file was rewritten on request).
 */
static inline int
golden(const char *name, const struct buf *page)
{
	const char	*src = getenv("top_srcdir");
	char		 path[512];
	struct buf	 want = { 0 }, part = { 0 };
	const struct buf *body = page;
	const char	*m, *e;
	FILE		*f;
	int		 same;

	if (page->p != NULL && (m = strstr(page->p, "<main>")) != NULL &&
	    (e = strstr(m, "</main>")) != NULL) {
		buf_add(&part, m, (size_t)(e - m) + 7);
		buf_putc(&part, '\n');
		body = &part;
	}

	snprintf(path, sizeof(path), "%s/tests/golden/%s", src ? src : ".", name);
	if (getenv("TRACKSIDE_GOLDEN_UPDATE") != NULL) {
		if ((f = fopen(path, "w")) == NULL)
			return 0;
		fwrite(body->p, 1, body->len, f);
		buf_free(&part);
		return fclose(f) == 0;
	}
	if (file_read(path, 16u << 20, &want) < 0) {
		diag("cannot read %s", path);
		buf_free(&part);
		return 0;
	}
	same = want.len == body->len && memcmp(want.p, body->p, body->len) == 0;
	if (!same) {
		const char *a = want.p ? want.p : "", *b = body->p ? body->p : "";
		int line = 1;
		while (*a && *a == *b) {
			if (*a == '\n')
				line++;
			a++;
			b++;
		}
		diag("%s differs at line %d:", name, line);
		diag("  want: %.*s", (int)strcspn(a, "\n"), a);
		diag("  got:  %.*s", (int)strcspn(b, "\n"), b);
	}
	buf_free(&want);
	buf_free(&part);
	return same;
}

/* Opens the driver and loads the history fixture; exits when it cannot. */
static inline void
hist_open(void)
{
	if (!hctx_open(&h) || !hctx_sql_file(&h, "tests/fixtures/history.sql")) {
		printf("Bail out! cannot set up the test database\n");
		exit(1);
	}
}

#define RACE	"0190bbbb000070008000000000000003"
#define QUALI	"0190bbbb000070008000000000000002"
#define PRACT	"0190bbbb000070008000000000000001"
#define LIVE	"0190bbbb000070008000000000000004"

#endif
