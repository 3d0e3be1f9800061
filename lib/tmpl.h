/*
 * Templates: plain HTML files with markers, rendered from a cJSON value.
 *   {{name}} {{a.b}}        value, HTML-escaped (text and quoted attributes)
 *   {{name|filter}}         laptime, sector, gap (all m:ss.mmm from a minute), int,
 *                           fixed1, pct, date (UTC), iso (for <time datetime>), url, json
 *   {{#name}}..{{/name}}    each element of an array, or once for a true value
 *   {{^name}}..{{/name}}    once when name is missing, false, null, 0, "" or []
 *   {{?name}}..{{/name}}    once when it is not, in the same context (a guard:
 *                           never iterates). {{#x}} inside {{#x}} is an error.
 *   {{> other}}             another template of the set
 *   {{! comment}}
 * The only raw output is the template text itself.
 */
#ifndef TMPL_H
#define TMPL_H

#include <cjson/cJSON.h>

struct buf;
struct tmpl_set;

int	 tmpl_load(struct tmpl_set **out, const char *dir, struct buf *err);
int	 tmpl_parse(struct tmpl_set **out, const char *name, const char *text, struct buf *err);
int	 tmpl_render(const struct tmpl_set *, const char *name, const cJSON *data, struct buf *out);
void	 tmpl_free(struct tmpl_set *);
int	 tmpl_format(struct buf *, const cJSON *, const char *filter);
void	 tmpl_time(char *out, size_t outsz, double t);

#endif
