/*
 * libFuzzer harness for the source table's LMU entry (ingest/src_lmu.c),
 * the parser of the game's responses that clients upload raw, and the
 * tracker behind it: bytes → JSON → a state per client, an observation →
 * two clients' frames through a fresh tracker. The first client sends the
 * input three times, so the state's rules (ET standing still, the entry
 * list's offset) run, and its state is saved and loaded again between.
 */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "trackside.h"
#include "source.h"
#include "track.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* One frame of client through its source state and the tracker at time at. */
static void
frame(struct track *t, void *st, const cJSON *j, struct obs *o, const char *client, double at)
{
	const struct source_ops	*so = &sources[SRC_LMU];
	struct src_in		 sin = { client, 1, at };
	struct track_in		 in;
	struct tsession		*s;

	if (so->parse(st, &sin, j, o) <= 0)
		return;
	memset(&in, 0, sizeof(in));
	in.sim = so->name;
	in.client = client;
	in.seq = 1;
	in.received_at = in.captured_at = at;
	track_frame(t, &in, o, &s);
	track_changes_reset(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct source_ops	*so = &sources[SRC_LMU];
	cJSON			*j = cJSON_ParseWithLength((const char *)data, size);
	struct obs		 o;
	struct track		 t;
	struct buf		 saved = { 0 };
	void			*a, *b;

	if (j == NULL)
		return 0;
	memset(&o, 0, sizeof(o));
	track_init(&t);
	a = so->state_new();
	b = so->state_new();
	if (a != NULL && b != NULL) {
		frame(&t, a, j, &o, "fuzz-a", 1000);
		frame(&t, b, j, &o, "fuzz-b", 1001);
		frame(&t, a, j, &o, "fuzz-a", 1003);
		if (so->state_save(a, &saved) > 0) {
			buf_putc(&saved, '\0');
			so->state_free(a);
			if ((a = so->state_new()) != NULL)
				so->state_load(a, saved.p);
		}
		if (a != NULL)
			frame(&t, a, j, &o, "fuzz-a", 1010);
		track_tick(&t, 5000);
		track_changes_reset(&t);
	}
	so->state_free(a);
	so->state_free(b);
	buf_free(&saved);
	track_free(&t);
	obs_free(&o);
	cJSON_Delete(j);
	return 0;
}
