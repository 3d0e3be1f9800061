/*
 * libFuzzer harness for CSV reading (lib/csv.c): whatever the bytes, it
 * ends, every record it returns has at most CSV_FIELDS_MAX fields, each
 * field is UTF-8 without NUL and at most CSV_FIELD_MAX bytes, line numbers
 * never go back, and a record without an error is one a writer could make.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trackside.h"
#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv	 c;
	struct csv_rec	 r;
	size_t		 line = 0, nrec = 0;
	int		 rc;

	csv_init(&c, (const char *)data, size);
	while ((rc = csv_read(&c, &r)) > 0) {
		if (r.line < line || r.line < 1 || r.n > CSV_FIELDS_MAX || ++nrec > size + 1)
			__builtin_trap();
		line = r.line;
		for (size_t i = 0; i < r.n; i++) {
			size_t n = strlen(r.f[i]);
			if (n > CSV_FIELD_MAX || !jscan_utf8_valid(r.f[i], n))
				__builtin_trap();
		}
		if (r.err == NULL && r.n == 0)
			__builtin_trap();
		csv_rec_free(&r);
	}
	if (rc < 0)
		__builtin_trap();
	return 0;
}
