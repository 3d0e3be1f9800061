/*
 * SQLite rows as JSON objects: the column names (SQL aliases) are the keys,
 * NULL is null, REAL values are rounded to the millisecond.
 */
#include <math.h>

#include "fcgi.h"
#include "view.h"

/* Adds a time in seconds rounded to the millisecond; NaN (unknown) is null. */
void
json_add_time(cJSON *o, const char *key, double t)
{
	if (isnan(t))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, round(t * 1000.0) / 1000.0);
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
		cJSON *o = view_row_json(st);
		if (o == NULL)
			return -1;
		cJSON_AddItemToArray(array, o);
		n++;
	}
	return rc == SQLITE_DONE ? n : -1;
}

