/*
 * grid-recording: writes an LMU recording (spec/lmu-recording.md) of a race
 * with NCARS cars, POLLS polls one second apart, to stdout: big grids for
 * the full-stack tests (post it with post-recording).
 *
 *	grid-recording NCARS POLLS
 */
#include <stdio.h>

#include "trackside.h"
#include "t_track_util.h"

int
main(int argc, char *argv[])
{
	struct buf	 b = { 0 };
	long long	 ncars, polls;

	if (argc != 3 || !num_parse_ll(argv[1], 1, 100000, &ncars) ||
	    !num_parse_ll(argv[2], 1, 100000, &polls)) {
		fprintf(stderr, "usage: grid-recording NCARS POLLS\n");
		return 2;
	}
	printf("{\"format\":\"lmu-recording\",\"version\":1,\"created\":\"2026-06-13T14:00:00.000Z\","
	    "\"client\":\"grid-recording\",\"note\":\"%lld cars\"}\n", ncars);
	for (long long i = 0; i < polls; i++) {
		grid_responses(&b, (int)ncars, 100.0 + (double)i);
		printf("{\"t\":%lld.0,\"responses\":", i);
		fwrite(b.p, 1, b.len, stdout);
		printf("}\n");
	}
	buf_free(&b);
	return fflush(stdout) == 0 ? 0 : 1;
}
