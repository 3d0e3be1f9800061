/*
 * libFuzzer harness for ingest/src_pcars2.c, the Project CARS 2 /
 * Automobilista 2 source that turns the packets and shared-memory polls a
 * client uploads into observations, and the tracker behind it. The input
 * is one frame's data ({"packets": [...], "shm": {...}}) or an array of
 * them, played in order; half way the source's state is saved and loaded
 * into a fresh one, as a restart does.
 *
 * Input that is no JSON is taken as datagrams, so that any value of any
 * field reaches the source: each begins with a byte choosing its kind and
 * revision and takes that packet's size in bytes (its header's type set to
 * the kind's); they follow a race start the harness sends, four a frame.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "trackside.h"
#include "pcars2.h"
#include "track.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
frame(struct track *t, void *st, struct obs *o, const cJSON *data, int i)
{
	struct src_in	 in = { "fuzz-a", i + 1, 1764995400.0 + i };
	struct track_in	 tin;
	struct tsession	*s;

	if (pcars2_parse(st, &in, data, o) <= 0)
		return;
	memset(&tin, 0, sizeof(tin));
	tin.sim = "pcars2";
	tin.client = in.client;
	tin.seq = in.seq;
	tin.captured_at = tin.received_at = in.captured_at;
	track_frame(t, &tin, o, &s);
	track_changes_reset(t);
}

static void
add_packet(cJSON *frame, const unsigned char *p, size_t n, long long at)
{
	cJSON		*a = cJSON_GetObjectItemCaseSensitive(frame, "packets"), *x;
	struct buf	 b = { 0 };

	if (a == NULL)
		a = cJSON_AddArrayToObject(frame, "packets");
	if (a == NULL || b64_encode(&b, p, n) < 0 || (x = cJSON_CreateObject()) == NULL) {
		buf_free(&b);
		return;
	}
	cJSON_AddItemToArray(a, x);
	cJSON_AddNumberToObject(x, "at_ms", (double)at);
	cJSON_AddNumberToObject(x, "type", p[10]);
	cJSON_AddStringToObject(x, "raw", b.p ? b.p : "");
	buf_free(&b);
}

/* The frames of datagrams made of the bytes at p (see above). */
static cJSON *
datagrams(const uint8_t *p, size_t size)
{
	static const unsigned	 type[P2K__MAX] = { 0, 0, 1, 2, 3, 4, 7, 8, 8 };
	cJSON			*frames = cJSON_CreateArray(), *f = cJSON_CreateObject();
	unsigned char		 d[P2_MAX_PACKET];
	struct p2_packet	 pk;
	size_t			 pos = 0, n;
	int			 i = 0, k = 0;

	if (frames == NULL || f == NULL) {
		cJSON_Delete(frames);
		cJSON_Delete(f);
		return NULL;
	}
	cJSON_AddItemToArray(frames, f);
	memset(&pk, 0, sizeof(pk));
	pk.kind = P2K_GAME;
	pk.u.game.game_state = P2G_PLAYING;
	pk.u.game.session_state = P2S_RACE;
	add_packet(f, d, p2_encode(&pk, d), 1764995400000LL);
	memset(&pk, 0, sizeof(pk));
	pk.kind = P2K_RACE;
	snprintf(pk.u.race.location, sizeof(pk.u.race.location), "Fuzz Ring");
	pk.u.race.laps_time = 5;
	add_packet(f, d, p2_encode(&pk, d), 1764995400000LL);
	while (pos < size) {
		unsigned	 b = p[pos++];
		enum p2_kind	 kind = (enum p2_kind)(1 + b % (P2K__MAX - 1));
		enum p2_rev	 rev = (b >> 4) & 1 ? P2_LATER : P2_EARLY;

		if ((n = p2_sizes[kind][rev]) == 0)
			n = p2_sizes[kind][rev == P2_EARLY ? P2_LATER : P2_EARLY];
		memset(d, 0, sizeof(d));
		memcpy(d, p + pos, size - pos < n ? size - pos : n);
		pos += size - pos < n ? size - pos : n;
		d[10] = (unsigned char)type[kind];
		if (k++ % 4 == 0) {
			if ((f = cJSON_CreateObject()) == NULL)
				break;
			cJSON_AddItemToArray(frames, f);
			i++;
		}
		add_packet(f, d, n, (1764995400LL + i) * 1000 + k);
	}
	return frames;
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

	if (j == NULL && (j = datagrams(data, size)) == NULL)
		return 0;
	memset(&o, 0, sizeof(o));
	track_init(&t);
	if ((st = pcars2_state_new()) == NULL)
		goto out;
	if (!cJSON_IsArray(j)) {
		frame(&t, st, &o, j, 0);
		goto out;
	}
	n = cJSON_GetArraySize(j);
	cJSON_ArrayForEach(f, j) {
		frame(&t, st, &o, f, i);
		if (++i == n / 2 && pcars2_state_save(st, &saved) == 1) {
			pcars2_state_free(st);
			if ((st = pcars2_state_new()) == NULL)
				goto out;
			pcars2_state_load(st, saved.p);
		}
	}
	track_tick(&t, 1764995400.0 + i + 5000);
	track_changes_reset(&t);
out:
	pcars2_state_free(st);
	buf_free(&saved);
	track_free(&t);
	obs_free(&o);
	cJSON_Delete(j);
	return 0;
}
