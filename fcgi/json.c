/*
 * SQLite rows as JSON objects: the column names (SQL aliases) are the keys,
 * NULL is null, REAL values are rounded to the millisecond.
 */
#include <math.h>

#include "fcgi.h"

void
json_add_time(cJSON *o, const char *key, double t)
{
	cJSON_AddNumberToObject(o, key, round(t * 1000.0) / 1000.0);
}

/* The current row of st as a new object, or NULL when memory runs out. */
cJSON *
json_row(sqlite3_stmt *st)
{
	cJSON	*o = cJSON_CreateObject();
	int	 n = sqlite3_column_count(st);

	if (o == NULL)
		return NULL;
	for (int i = 0; i < n; i++) {
		const char *k = sqlite3_column_name(st, i);
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			cJSON_AddNumberToObject(o, k, (double)sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			json_add_time(o, k, sqlite3_column_double(st, i));
			break;
		case SQLITE_TEXT:
			cJSON_AddStringToObject(o, k, (const char *)sqlite3_column_text(st, i));
			break;
		default:
			cJSON_AddNullToObject(o, k);
			break;
		}
	}
	return o;
}

/*
 * Appends every remaining row of st to array. Returns the number of rows,
 * or -1 on an SQLite error.
 */
int
json_rows(sqlite3_stmt *st, cJSON *array)
{
	int rc, n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = json_row(st);
		if (o == NULL)
			return -1;
		cJSON_AddItemToArray(array, o);
		n++;
	}
	return rc == SQLITE_DONE ? n : -1;
}

/* Turns 0/1 numbers of the named keys into JSON booleans. */
void
json_bools(cJSON *o, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
		if (cJSON_IsNumber(v))
			cJSON_ReplaceItemInObjectCaseSensitive(o, keys[i],
			    cJSON_CreateBool(v->valuedouble != 0));
	}
}
