/*
 * libFuzzer harness for ingest/lmu.c, the parser of the game's responses
 * that clients upload raw, and the tracker behind it: bytes → JSON → an
 * observation → two clients' frames through a fresh tracker.
 */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "trackside.h"
#include "track.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON		*j = cJSON_ParseWithLength((const char *)data, size);
	struct obs	 o;
	struct track	 t;
	struct track_in	 in;
	struct tsession	*s;

	if (j == NULL)
		return 0;
	memset(&o, 0, sizeof(o));
	track_init(&t);
	if (lmu_parse(j, &o) > 0) {
		memset(&in, 0, sizeof(in));
		in.sim = "lmu";
		in.client = "fuzz-a";
		in.seq = 1;
		in.received_at = in.captured_at = 1000;
		track_frame(&t, &in, &o, &s);
		track_changes_reset(&t);
		in.client = "fuzz-b";
		in.received_at = in.captured_at = 1001;
		track_frame(&t, &in, &o, &s);
		track_tick(&t, 5000);
		track_changes_reset(&t);
	}
	track_free(&t);
	obs_free(&o);
	cJSON_Delete(j);
	return 0;
}
