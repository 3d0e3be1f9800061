/*
 * Allocation failure in the tracker is an error the caller rolls back
 * (DROP_NOMEM, ingest_frame() -1), never a drop that loses the frame: for
 * frames of a recorded race, the tracker is run again and again with its
 * k-th allocation failing, for every k the frame makes. malloc, calloc and
 * realloc of the statically linked code are wrapped (-Wl,--wrap).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "ingest.h"
#include "source.h"
#include "track.h"
#include "t_track_util.h"

void	*__real_malloc(size_t);
void	*__real_calloc(size_t, size_t);
void	*__real_realloc(void *, size_t);
void	*__wrap_malloc(size_t);
void	*__wrap_calloc(size_t, size_t);
void	*__wrap_realloc(void *, size_t);

static long	fail_at;	/* the allocation that fails, 0 for none, -1 to count */
static long	nalloc;		/* allocations since fail_at was set */

static int
fails(void)
{
	return fail_at != 0 && ++nalloc == fail_at;
}

void *
__wrap_malloc(size_t n)
{
	return fails() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t sz)
{
	return fails() ? NULL : __real_calloc(n, sz);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return fails() ? NULL : __real_realloc(p, n);
}

#define MAXF	400

static cJSON	*frames[MAXF];
static double	 at[MAXF];
static int	 nframes;
static void	*lmu;		/* the client's parser state, new with each tracker */

/* A tracker and a parser state as a client's first frame meets them. */
static void
fresh(struct track *t)
{
	track_init(t);
	lmu_state_free(lmu);
	if ((lmu = lmu_state_new()) == NULL)
		abort();
}

/* Feeds frame i of the recording to t; returns what track_frame says. */
static enum drop
feed(struct track *t, struct obs *o, int i)
{
	struct track_in	 in;
	struct src_in	 sin = { "clientA", i + 1, at[i] };
	struct tsession	*s;

	if (lmu_parse(lmu, &sin, frames[i], o) < 0)
		return DROP_NOMEM;
	memset(&in, 0, sizeof(in));
	in.client = "clientA";
	in.seq = i + 1;
	in.received_at = in.captured_at = at[i];
	in.sim = "lmu";
	track_changes_reset(t);
	return track_frame(t, &in, o, &s);
}

#define NPROBE	5

/*
 * The frames to probe: the first (a new session, its cars and entries) and
 * the later ones that allocate most (laps, pits, stints, bests).
 */
static void
probes(struct obs *o, int probe[NPROBE])
{
	struct track	t;
	long		n[MAXF];

	fresh(&t);
	for (int i = 0; i < nframes; i++) {
		fail_at = -1;
		nalloc = 0;
		feed(&t, o, i);
		n[i] = nalloc;
	}
	fail_at = 0;
	track_free(&t);
	probe[0] = 0;
	for (int p = 1; p < NPROBE; p++) {
		int best = 1;
		for (int i = 1; i < nframes; i++)
			if (n[i] > n[best])
				best = i;
		probe[p] = best;
		n[best] = -1;
	}
}

int
main(void)
{
	struct rec_reader	 r;
	struct obs		 o;
	char			 path[4096];
	int			 probe[NPROBE];

	log_init("t_track_nomem", 1, LOG_LVL_WARN);
	snprintf(path, sizeof(path), "%s/sebring-school-race-A.jsonl.gz", data_dir());
	if (access(path, R_OK) != 0 || !rec_open(&r, path)) {
		printf("1..0 # SKIP no recordings in %s\n", data_dir());
		return 0;
	}
	while (nframes < MAXF && rec_next(&r)) {
		frames[nframes] = cJSON_ParseWithLength(r.responses, r.rlen);
		at[nframes++] = r.created + r.t;
	}
	rec_close(&r);
	tap_plan(NPROBE);
	memset(&o, 0, sizeof(o));
	probes(&o, probe);
	for (int p = 0; p < NPROBE; p++) {
		int f = probe[p], bad = 0;
		long k;
		for (k = 1; k < 100000; k++) {
			struct track	t;
			enum drop	d;
			fresh(&t);
			for (int i = 0; i < f; i++)
				feed(&t, &o, i);
			fail_at = k;
			nalloc = 0;
			d = feed(&t, &o, f);
			fail_at = 0;
			track_free(&t);
			if (nalloc < k) {
				if (d != DROP_NONE)
					bad++;
				break;
			}
			if (d != DROP_NOMEM) {
				if (bad++ < 3)
					diag("frame %d, allocation %ld failing: %s", f + 1, k, drop_names[d]);
			}
		}
		ok(bad == 0 && k > 1, "frame %d: each of its %ld allocations failing is an error, no drop",
		    f + 1, k - 1);
	}
	obs_free(&o);
	lmu_state_free(lmu);
	for (int i = 0; i < nframes; i++)
		cJSON_Delete(frames[i]);
	return tap_done();
}
