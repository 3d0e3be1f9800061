/*
 * Helpers of the tracking tests and the tracking benchmark: read LMU
 * recordings (spec/lmu-recording.md) poll by poll, wrap polls as inbox
 * records, build small observations in C.
 */
#ifndef T_TRACK_UTIL_H
#define T_TRACK_UTIL_H

#include <zlib.h>

#include "trackside.h"

struct rec_reader {
	gzFile		 gz;
	struct buf	 line;
	double		 created;	/* epoch seconds of the header's "created" */
	double		 t;		/* t of the current poll */
	const char	*responses;	/* the current poll's responses object */
	size_t		 rlen;
	int		 eof;
};

int	 rec_open(struct rec_reader *, const char *path);
int	 rec_next(struct rec_reader *);
void	 rec_close(struct rec_reader *);
void	 rec_frame(struct buf *out, const char *client, long long seq, double at,
	    const char *responses, size_t rlen);
const char *data_dir(void);

#endif
