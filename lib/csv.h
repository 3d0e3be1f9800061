/*
 * CSV reading (RFC 4180, as spreadsheets write it): records of fields
 * separated by commas, fields in double quotes where they hold commas,
 * quotes ("" inside) or line breaks. The input is untrusted: every record
 * says where it starts and, when it is malformed, why; a malformed record
 * does not stop the reading of the next.
 */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>

#define CSV_FIELDS_MAX	8	/* fields kept of a record; more is an error */
#define CSV_FIELD_MAX	4096	/* bytes of a field; more is an error */

struct csv {
	const char	*p;		/* where reading goes on */
	const char	*end;
	size_t		 line;		/* line of p, from 1 */
};

struct csv_rec {
	size_t	 line;			/* the line the record starts on */
	size_t	 n;			/* fields in f */
	char	*f[CSV_FIELDS_MAX];	/* each NUL-terminated, spaces around trimmed */
	const char *err;		/* NULL, or why the record is malformed */
};

void	 csv_init(struct csv *, const char *text, size_t len);
int	 csv_read(struct csv *, struct csv_rec *);
void	 csv_rec_free(struct csv_rec *);

#endif
