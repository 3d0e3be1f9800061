/*
 * libFuzzer harness for ingest/src_ac.c, the Assetto Corsa source that
 * turns the events a client uploads into observations, and the tracker
 * behind it. The input is one frame's data ({"events": [...]}) or an array
 * of them, played in order; half way the source's state is saved and
 * loaded into a fresh one, as a restart does.
 */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "trackside.h"
#include "track.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
frame(struct track *t, void *st, struct obs *o, const cJSON *data, int i)
{
	struct src_in	 in = { "fuzz-a", i + 1, 1764995400.0 + i };
	struct track_in	 tin;
	struct tsession	*s;

	if (ac_parse(st, &in, data, o) <= 0)
		return;
	memset(&tin, 0, sizeof(tin));
	tin.sim = "ac";
	tin.client = in.client;
	tin.seq = in.seq;
	tin.captured_at = tin.received_at = in.captured_at;
	track_frame(t, &tin, o, &s);
	track_changes_reset(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON		*j = cJSON_ParseWithLength((const char *)data, size);
	const cJSON	*f;
	struct obs	 o;
	struct track	 t;
	struct buf	 saved = { 0 };
	void		*st;
	int		 i = 0, n;

	if (j == NULL)
		return 0;
	memset(&o, 0, sizeof(o));
	track_init(&t);
	if ((st = ac_state_new()) == NULL)
		goto out;
	if (!cJSON_IsArray(j)) {
		frame(&t, st, &o, j, 0);
		goto out;
	}
	n = cJSON_GetArraySize(j);
	cJSON_ArrayForEach(f, j) {
		frame(&t, st, &o, f, i);
		if (++i == n / 2 && ac_state_save(st, &saved) == 1) {
			ac_state_free(st);
			if ((st = ac_state_new()) == NULL)
				goto out;
			ac_state_load(st, saved.p);
		}
	}
	track_tick(&t, 1764995400.0 + i + 5000);
	track_changes_reset(&t);
out:
	ac_state_free(st);
	buf_free(&saved);
	track_free(&t);
	obs_free(&o);
	cJSON_Delete(j);
	return 0;
}
