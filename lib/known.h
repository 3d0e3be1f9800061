/*
 * Known drivers as CSV, for the admin pages and the trackside command
 * (lib/known.c).
 */
#ifndef KNOWN_H
#define KNOWN_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "trackside.h"

#define KNOWN_CSV_HEADER	"name,note\r\n"

cJSON	*known_import_read(sqlite3 *, const char *text, size_t len, int *errors, int *fresh);
int	 known_csv_row(struct buf *, const char *name, const char *note);

#endif
