/*
 * The Project CARS 2 / Automobilista 2 decoder (lib/pcars2.c): every packet
 * kind of both revisions written here byte by byte at the offsets of
 * spec/pcars2.md decodes to the values put there, over a background of
 * noise (a field read from a wrong offset reads noise); the encoder writes
 * the same bytes back; kinds by type and size; the bit fields; strings
 * without a NUL or not UTF-8; the timed race length; the shared-memory
 * block at every size and version it meets.
 */
#include <stdint.h>
#include <string.h>

#include "pcars2.h"
#include "tap.h"

#define NOISE	0xa5

static unsigned char	 pkt[P2_MAX_PACKET], out[P2_MAX_PACKET];
static unsigned char	 blk[P2_SHM_V14_SIZE + 64], shm_out[P2_SHM_V14_SIZE];
static struct p2_packet	 p, q;
static struct p2_shm	 s, t;

static void
put8(unsigned char *b, size_t off, unsigned v)
{
	b[off] = (unsigned char)v;
}

static void
put16(unsigned char *b, size_t off, unsigned v)
{
	b[off] = (unsigned char)(v & 0xff);
	b[off + 1] = (unsigned char)(v >> 8 & 0xff);
}

static void
put32(unsigned char *b, size_t off, uint32_t v)
{
	for (size_t i = 0; i < 4; i++)
		b[off + i] = (unsigned char)(v >> (8 * i) & 0xff);
}

static void
putf(unsigned char *b, size_t off, float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	put32(b, off, u);
}

/* A char[len] field: s, then NULs to the end of the field. */
static void
puts_field(unsigned char *b, size_t off, size_t len, const char *str)
{
	size_t n = strlen(str);

	memset(b + off, 0, len);
	memcpy(b + off, str, n < len ? n : len);
}

/* A packet of n bytes: noise (or zeros), then the header. */
static void
header(unsigned char *b, size_t n, int zero, unsigned type)
{
	memset(b, zero ? 0 : NOISE, n);
	put32(b, 0, 0x04030201);
	put32(b, 4, 0x0d0c0b0a);
	put8(b, 8, 2);
	put8(b, 9, 3);
	put8(b, 10, type);
	put8(b, 11, 7);
}

static int
header_ok(const struct p2_header *h, unsigned type)
{
	return h->packet == 0x04030201 && h->category == 0x0d0c0b0a && h->part_index == 2 &&
	    h->part_count == 3 && h->type == type && h->version == 7;
}

/*
 * Decodes pkt (n bytes) into p, and checks that it is kind k of revision
 * rev, that its header reads back, and that the encoder writes the same n
 * bytes when pkt was built over zeros.
 */
static int
decode_as(size_t n, enum p2_kind k, enum p2_rev rev, int zero, const char *what)
{
	int	 good;

	memset(&p, 0x5a, sizeof(p));
	good = p2_decode(pkt, n, &p) == 0 && p.kind == k && p.rev == rev;
	ok(good, "%s: decodes as %s, revision %d", what, p2_kind_names[k], rev);
	ok(header_ok(&p.h, pkt[10]), "%s: header", what);
	if (!zero)
		return good;
	memset(out, NOISE, sizeof(out));
	ok(p2_encode(&p, out) == n && memcmp(out, pkt, n) == 0,
	    "%s: encoded back byte for byte", what);
	/* and what the encoder wrote decodes to the same struct */
	memset(&q, 0x5a, sizeof(q));
	ok(p2_decode(out, n, &q) == 0 && memcmp(&p, &q, sizeof(p)) == 0,
	    "%s: encode then decode gives the same struct", what);
	return good;
}

static void
t_sizes(void)
{
	static const unsigned	 types[] = { 0, 1, 2, 3, 4, 7, 8, 8 };
	enum p2_rev		 rev;
	int			 good = 1;

	for (int k = P2K_UNKNOWN + 1; k < P2K__MAX; k++)
		for (int r = P2_EARLY; r <= P2_LATER; r++) {
			size_t n = p2_sizes[k][r];
			header(pkt, P2_MAX_PACKET, 1, types[k - 1]);
			rev = (enum p2_rev)-1;
			if (p2_classify(pkt, n, &rev) != (enum p2_kind)k ||
			    (p2_sizes[k][0] != p2_sizes[k][1] && rev != (enum p2_rev)r) ||
			    (p2_sizes[k][0] == p2_sizes[k][1] && rev != P2_EARLY)) {
				diag("%s size %zu: %d rev %d", p2_kind_names[k], n,
				    p2_classify(pkt, n, &rev), rev);
				good = 0;
			}
			if (p2_classify(pkt, n - 1, &rev) != P2K_UNKNOWN ||
			    p2_classify(pkt, n + 1, &rev) != P2K_UNKNOWN) {
				diag("%s size %zu +-1 is known", p2_kind_names[k], n);
				good = 0;
			}
			/* a type no packet is sent as, at this size */
			for (unsigned ty = 5; ty < 256; ty++) {
				if (ty == 7 || ty == 8)
					continue;
				pkt[10] = (unsigned char)ty;
				if (p2_classify(pkt, n, &rev) != P2K_UNKNOWN) {
					diag("type %u size %zu is known", ty, n);
					good = 0;
				}
			}
		}
	ok(good, "every size of the table is its kind, +-1 and types 5, 6, 9.. unknown");
	ok(p2_sizes[P2K_UNKNOWN][0] == 0 && p2_sizes[P2K_TELEMETRY][0] == 538 &&
	    p2_sizes[P2K_TELEMETRY][1] == 559 && p2_sizes[P2K_RACE][0] == 308 &&
	    p2_sizes[P2K_PARTICIPANTS][0] == 1040 && p2_sizes[P2K_PARTICIPANTS][1] == 1136 &&
	    p2_sizes[P2K_TIMINGS][0] == 993 && p2_sizes[P2K_TIMINGS][1] == 1063 &&
	    p2_sizes[P2K_GAME][1] == 24 && p2_sizes[P2K_TIME_STATS][0] == 784 &&
	    p2_sizes[P2K_TIME_STATS][1] == 1040 && p2_sizes[P2K_VEHICLES][0] == 1164 &&
	    p2_sizes[P2K_CLASSES][1] == 1452, "the size table is the spec's");
	header(pkt, P2_MAX_PACKET, 1, 8);
	ok(p2_classify(pkt, 1452, NULL) == P2K_CLASSES &&
	    p2_classify(pkt, 1164, NULL) == P2K_VEHICLES, "type 8: 1452 bytes are the classes");
	/* a size of one kind under another's type */
	header(pkt, P2_MAX_PACKET, 1, 0);
	ok(p2_classify(pkt, 1040, NULL) == P2K_UNKNOWN && p2_classify(pkt, 24, NULL) ==
	    P2K_UNKNOWN, "telemetry at the participants' or game state's size is unknown");
	header(pkt, P2_MAX_PACKET, 1, 2);
	ok(p2_classify(pkt, 1040, NULL) == P2K_PARTICIPANTS, "type 2, 1040: participants");
	header(pkt, P2_MAX_PACKET, 1, 7);
	ok(p2_classify(pkt, 1040, &rev) == P2K_TIME_STATS && rev == P2_LATER,
	    "type 7, 1040: later time stats");
	/* byte 8 is not the type */
	header(pkt, P2_MAX_PACKET, 1, 3);
	pkt[8] = 0;
	ok(p2_classify(pkt, 993, NULL) == P2K_TIMINGS, "the type is byte 10, not 8");
	ok(p2_classify(pkt, 0, NULL) == P2K_UNKNOWN && p2_classify(pkt, 11, NULL) ==
	    P2K_UNKNOWN && p2_classify(pkt, P2_MAX_PACKET, NULL) == P2K_UNKNOWN,
	    "empty, short of a header, 1500 bytes: unknown");
	memset(&p, 0, sizeof(p));
	p.u.game.build = 4242;
	header(pkt, P2_MAX_PACKET, 1, 5);
	ok(p2_decode(pkt, 24, &p) == -1 && header_ok(&p.h, 5) && p.u.game.build == 4242,
	    "an unknown packet: -1, the header read, the rest untouched");
	ok(p2_decode(pkt, 5, &p) == -1 && p.h.packet == 0 && p.h.type == 0,
	    "shorter than a header: -1, a zero header");
	p.kind = P2K_UNKNOWN;
	ok(p2_encode(&p, out) == 0, "p2_encode: nothing for an unknown kind");
	p.kind = P2K__MAX;
	ok(p2_encode(&p, out) == 0, "p2_encode: nothing for a kind out of range");
	good = 1;
	for (int k = 0; k < P2K__MAX; k++)
		if (p2_kind_names[k] == NULL || *p2_kind_names[k] == '\0')
			good = 0;
	ok(good && strcmp(p2_kind_names[P2K_CLASSES], "classes") == 0,
	    "every kind has a name");
}

static void
build_telemetry(int zero, enum p2_rev rev)
{
	size_t n = p2_sizes[P2K_TELEMETRY][rev];

	header(pkt, n, zero, 0);
	put8(pkt, 12, 0xff);			/* viewed -1 */
	put8(pkt, 28, 60);
	putf(pkt, 32, 0.625f);
	putf(pkt, 36, 45.25f);
	put16(pkt, 40, 7012);
	put16(pkt, 42, 8550);
	put8(pkt, 45, 0x6f);			/* reverse of 6 */
	put8(pkt, 47, 2);
	putf(pkt, 48, 1234.5f);
	for (size_t i = 0; i < 4; i++)
		put8(pkt, 196 + i, 10 * (i + 1));
	puts_field(pkt, 378, 40, "slick_soft");
	puts_field(pkt, 418, 40, "slick_medium");
	puts_field(pkt, 458, 40, "");
	/* 40 bytes, no NUL */
	puts_field(pkt, 498, 40, "0123456789012345678901234567890123456789");
	if (rev == P2_EARLY)
		return;
	putf(pkt, 538, 1.5f);
	putf(pkt, 542, 100.25f);
	putf(pkt, 546, -5.5f);
	putf(pkt, 550, 2000.75f);
	put8(pkt, 554, 55);
	put32(pkt, 555, 0xdeadbeef);
}

static void
t_telemetry(void)
{
	for (int r = P2_EARLY; r <= P2_LATER; r++)
		for (int zero = 0; zero <= 1; zero++) {
			const char *what = r == P2_EARLY ? "early telemetry" : "later telemetry";
			struct p2_telemetry *e = &p.u.tel;
			build_telemetry(zero, (enum p2_rev)r);
			decode_as(p2_sizes[P2K_TELEMETRY][r], P2K_TELEMETRY, (enum p2_rev)r,
			    zero, what);
			ok(e->viewed == -1 && e->fuel_capacity == 60 && e->fuel_level == 0.625 &&
			    e->speed == 45.25 && e->rpm == 7012 && e->max_rpm == 8550 &&
			    e->crash_state == 2 && e->odometer_km == 1234.5,
			    "%s: viewed, fuel, speed, rpm, crash, odometer", what);
			ok(e->gear == -1 && e->gears == 6, "%s: reverse (15) of 6 gears", what);
			ok(e->tyre_wear[0] == 10 && e->tyre_wear[1] == 20 && e->tyre_wear[2] == 30 &&
			    e->tyre_wear[3] == 40, "%s: tyre wear", what);
			ok(strcmp(e->compound[0], "slick_soft") == 0 &&
			    strcmp(e->compound[1], "slick_medium") == 0 && e->compound[2][0] == '\0' &&
			    strcmp(e->compound[3], "0123456789012345678901234567890123456789") == 0,
			    "%s: compounds, one of 40 bytes without a NUL", what);
			if (r == P2_EARLY)
				ok(!e->has_full && e->turbo == 0 && e->tick == 0 && e->pos[0] == 0,
				    "%s: nothing of the later fields", what);
			else
				ok(e->has_full && e->turbo == 1.5 && e->pos[0] == 100.25 &&
				    e->pos[1] == -5.5 && e->pos[2] == 2000.75 && e->brake_bias == 55 &&
				    e->tick == 0xdeadbeef, "%s: turbo, position, bias, tick", what);
		}
	build_telemetry(1, P2_EARLY);
	put8(pkt, 45, 0x63);
	p2_decode(pkt, 538, &p);
	ok(p.u.tel.gear == 3 && p.u.tel.gears == 6, "gear 3 of 6");
	put8(pkt, 45, 0x50);
	p2_decode(pkt, 538, &p);
	ok(p.u.tel.gear == 0 && p.u.tel.gears == 5, "neutral of 5");
}

static void
build_race(int zero, unsigned laps_time, unsigned pit)
{
	header(pkt, 308, zero, 1);
	putf(pkt, 12, 101.5f);
	putf(pkt, 16, 102.25f);
	putf(pkt, 20, 30.5f);
	putf(pkt, 24, 31.5f);
	putf(pkt, 28, 32.5f);
	putf(pkt, 32, 29.5f);
	putf(pkt, 36, 30.25f);
	putf(pkt, 40, 31.25f);
	putf(pkt, 44, 7004.0f);
	puts_field(pkt, 48, 64, "Spa-Francorchamps");
	puts_field(pkt, 112, 64, "Grand Prix");
	puts_field(pkt, 176, 64, "Circuit de Spa-Francorchamps");
	puts_field(pkt, 240, 64, "GP 2022");
	put16(pkt, 304, laps_time);
	put8(pkt, 306, pit);
	put8(pkt, 307, zero ? 0 : NOISE);
}

static void
t_race(void)
{
	struct p2_race	*e = &p.u.race;

	for (int zero = 0; zero <= 1; zero++) {
		build_race(zero, 25, 0xff);
		decode_as(308, P2K_RACE, P2_EARLY, zero, "race definition");
		ok(e->world_fastest == 101.5 && e->personal_fastest == 102.25 &&
		    e->personal_s[0] == 30.5 && e->personal_s[1] == 31.5 && e->personal_s[2] == 32.5 &&
		    e->world_s[0] == 29.5 && e->world_s[1] == 30.25 && e->world_s[2] == 31.25 &&
		    e->track_length == 7004.0, "race definition: fastest laps, sectors, length");
		ok(strcmp(e->location, "Spa-Francorchamps") == 0 &&
		    strcmp(e->variation, "Grand Prix") == 0 &&
		    strcmp(e->tr_location, "Circuit de Spa-Francorchamps") == 0 &&
		    strcmp(e->tr_variation, "GP 2022") == 0, "race definition: track names");
		ok(e->laps_time == 25 && !e->timed && e->laps == 25 && e->minutes == 0 &&
		    e->enforced_pit_lap == -1, "a 25-lap race, no enforced stop");
	}
	build_race(1, 0x8000 | 6, 12);
	decode_as(308, P2K_RACE, P2_EARLY, 1, "timed race definition");
	ok(e->laps_time == 0x8006 && e->timed && e->laps == 0 && e->minutes == 30 &&
	    e->enforced_pit_lap == 12, "top bit: a timed race of 6 five-minute units");
	build_race(1, 0xffff, 0);
	decode_as(308, P2K_RACE, P2_EARLY, 1, "stuck timed race definition");
	ok(e->timed && e->laps == 0 && e->minutes == 0 && e->laps_time == 0xffff,
	    "32767 units: timed, duration unknown (minutes 0)");
	build_race(1, 0x7fff, 0);
	p2_decode(pkt, 308, &p);
	ok(!e->timed && e->laps == 32767, "0x7fff without the top bit: laps");
	/* the encoder's laps_time from timed/minutes or laps */
	memset(&q, 0, sizeof(q));
	q.kind = P2K_RACE;
	q.u.race.timed = 1;
	q.u.race.minutes = 45;
	ok(p2_encode(&q, out) == 308 && out[304] == 9 && out[305] == 0x80,
	    "encoded without laps_time: a timed race of 45 minutes is 0x8009");
	q.u.race.timed = 0;
	q.u.race.laps = 12;
	ok(p2_encode(&q, out) == 308 && out[304] == 12 && out[305] == 0,
	    "encoded without laps_time: 12 laps");
}

static const char *const names[] = {
	"Alice Arnoux", "Zoë Müller", "Łukasz 日本 😀",
	"0123456789012345678901234567890123456789012345678901234567890123",
};

static void
build_participants(int zero, enum p2_rev rev)
{
	size_t n = p2_sizes[P2K_PARTICIPANTS][rev];

	header(pkt, n, zero, 2);
	put32(pkt, 12, 987654);
	for (size_t i = 0; i < P2_PER_PACKET; i++)
		puts_field(pkt, 16 + i * 64, 64, i < 4 ? names[i] : "");
	puts_field(pkt, 16 + 15 * 64, 64, "Last Driver");
	if (rev == P2_EARLY)
		return;
	for (size_t i = 0; i < P2_PER_PACKET; i++) {
		put32(pkt, 1040 + i * 4, 100 + i);
		put16(pkt, 1104 + i * 2, i == 15 ? 0xffff : 16 + i);
	}
}

static void
t_participants(void)
{
	struct p2_participants	*e = &p.u.part;

	for (int r = P2_EARLY; r <= P2_LATER; r++)
		for (int zero = 0; zero <= 1; zero++) {
			const char *what = r == P2_EARLY ? "early participants" :
			    "later participants";
			build_participants(zero, (enum p2_rev)r);
			decode_as(p2_sizes[P2K_PARTICIPANTS][r], P2K_PARTICIPANTS,
			    (enum p2_rev)r, zero, what);
			ok(e->changed == 987654 && strcmp(e->name[0], names[0]) == 0 &&
			    strcmp(e->name[1], names[1]) == 0 && strcmp(e->name[2], names[2]) == 0 &&
			    e->name[4][0] == '\0' && strcmp(e->name[15], "Last Driver") == 0,
			    "%s: timestamp, names, UTF-8 kept", what);
			ok(strlen(e->name[3]) == 64 && strcmp(e->name[3], names[3]) == 0,
			    "%s: a name of 64 bytes without a NUL", what);
			if (r == P2_EARLY)
				ok(!e->has_ext && e->nationality[0] == 0 && e->index[1] == 0,
				    "%s: no nationality, no index", what);
			else
				ok(e->has_ext && e->nationality[0] == 100 && e->nationality[15] == 115 &&
				    e->index[0] == 16 && e->index[14] == 30 && e->index[15] == 0xffff,
				    "%s: nationalities and indices", what);
		}
	/* bytes that are not UTF-8 */
	build_participants(1, P2_EARLY);
	puts_field(pkt, 16, 64, "A\xff" "B\xc3");		/* bad byte, cut sequence */
	puts_field(pkt, 80, 64, "\xc0\xaf" "x\xed\xa0\x80" "y");	/* overlong, surrogate */
	puts_field(pkt, 144, 64, "\xf4\x90\x80\x80\xe2\x82");	/* past U+10FFFF, short */
	puts_field(pkt, 208, 64, "");
	memcpy(pkt + 208, "ok\0\xff\xff", 5);			/* junk after the NUL */
	puts_field(pkt, 272, 64, "\xe0\x80\x80" "\xe2\x28\xa1" "\xf0\x9f\x98" "!");
	puts_field(pkt, 336, 64, "\xe0\xa0\x80" "\xf0\x90\x80\x80" "\xf4\x8f\xbf\xbf");
	p2_decode(pkt, 1040, &p);
	ok(strcmp(e->name[0], "A?B?") == 0, "a bad byte and a cut sequence become '?'");
	ok(strcmp(e->name[1], "??x???y") == 0, "an overlong form and a surrogate become '?'");
	ok(strcmp(e->name[2], "??????") == 0, "past U+10FFFF and a short sequence become '?'");
	ok(strcmp(e->name[3], "ok") == 0, "a string ends at its first NUL");
	ok(strcmp(e->name[4], "???" "?(?" "???" "!") == 0,
	    "an overlong 3-byte form, a bad continuation, a cut 4-byte form become '?'");
	ok(strcmp(e->name[5], "\xe0\xa0\x80" "\xf0\x90\x80\x80" "\xf4\x8f\xbf\xbf") == 0,
	    "U+0800, U+10000 and U+10FFFF are kept");
}

/* Participant info i of a timings packet of revision rev. */
static void
build_timing(size_t o, enum p2_rev rev, int i)
{
	put16(pkt, o, (unsigned)(-1000 - i) & 0xffff);
	put16(pkt, o + 2, 20 + i);
	put16(pkt, o + 4, 30000 + i);
	put16(pkt, o + 6, (unsigned)-2 & 0xffff);
	put16(pkt, o + 8, 3);
	put16(pkt, o + 10, 0x7fff);
	put16(pkt, o + 12, 4500 + i);
	put8(pkt, o + 14, i == 0 ? 0x80 | 5 : 0x1f);	/* active 5th, inactive 31st */
	put8(pkt, o + 15, 0xf2);			/* precision bits over sector 2 */
	put8(pkt, o + 16, 0x36);			/* reason 3, yellow */
	put8(pkt, o + 17, 0x2a);			/* schedule 5, in pit */
	put16(pkt, o + 18, i == 0 ? 0x8003 : 0x0011);	/* human car 3, AI 17 */
	put8(pkt, o + 20, i == 0 ? 0x0b : 0x02);	/* finished, invalid; racing */
	put8(pkt, o + 21, 7 + i);
	putf(pkt, o + 22, 61.25f);
	putf(pkt, o + 26, 20.5f);
	if (rev == P2_LATER)
		put16(pkt, o + 30, 40 + i);
}

static void
build_timings(int zero, enum p2_rev rev)
{
	size_t	 n = p2_sizes[P2K_TIMINGS][rev], row = rev == P2_LATER ? 32 : 30;

	header(pkt, n, zero, 3);
	put8(pkt, 12, 24);
	put32(pkt, 13, 0x11223344);
	putf(pkt, 17, 1799.5f);
	putf(pkt, 21, 1.25f);
	putf(pkt, 25, 2.5f);
	putf(pkt, 29, -0.75f);
	for (size_t i = 0; i < P2_UDP_CARS; i++)
		build_timing(33 + i * row, rev, (int)i);
	if (rev == P2_LATER) {
		put16(pkt, 1057, 4);
		put32(pkt, 1059, 123456789);
	}
}

static void
t_timings(void)
{
	struct p2_timings	*e = &p.u.tim;

	for (int r = P2_EARLY; r <= P2_LATER; r++)
		for (int zero = 0; zero <= 1; zero++) {
			const char		*what = r == P2_EARLY ? "early timings" :
			    "later timings";
			struct p2_timing	*a = &e->car[0], *z = &e->car[31];
			build_timings(zero, (enum p2_rev)r);
			decode_as(p2_sizes[P2K_TIMINGS][r], P2K_TIMINGS, (enum p2_rev)r, zero, what);
			ok(e->num == 24 && e->changed == 0x11223344 && e->time_remaining == 1799.5 &&
			    e->split_ahead == 1.25 && e->split_behind == 2.5 && e->split == -0.75,
			    "%s: count, timestamp, time remaining, splits", what);
			ok(a->world[0] == -1000 && a->world[1] == 20 && a->world[2] == 30000 &&
			    a->orientation[0] == -2 && a->orientation[1] == 3 &&
			    a->orientation[2] == 32767 && a->lap_distance == 4500,
			    "%s: first car's position, orientation, lap distance", what);
			ok(a->position == 5 && a->active && z->position == 31 && !z->active,
			    "%s: position and the active bit", what);
			ok(a->sector == 2 && a->sector_raw == 0xf2 && z->sector == 2,
			    "%s: sector, precision bits ignored", what);
			ok(a->flag_colour == P2F_YELLOW && a->flag_reason == 3,
			    "%s: flag colour and reason", what);
			ok(a->pit_mode == P2P_IN_PIT && a->pit_schedule == 5,
			    "%s: pit mode and schedule", what);
			ok(a->car_index == 3 && a->human && z->car_index == 17 && !z->human,
			    "%s: car index and the human bit", what);
			ok(a->race_state == P2R_FINISHED && a->lap_invalid &&
			    z->race_state == P2R_RACING && !z->lap_invalid,
			    "%s: race state and the lap-invalid bit", what);
			ok(a->current_lap == 7 && z->current_lap == 38 && a->current_time == 61.25 &&
			    z->sector_time == 20.5, "%s: lap, lap time, sector time", what);
			ok(z->world[0] == -1031 && z->lap_distance == 4531,
			    "%s: the last car at its stride", what);
			if (r == P2_EARLY)
				ok(a->mp_index == -1 && z->mp_index == -1 && e->local_index == -1 &&
				    e->tick == 0, "%s: no MP indices, local index or tick", what);
			else
				ok(a->mp_index == 40 && z->mp_index == 71 && e->local_index == 4 &&
				    e->tick == 123456789, "%s: MP indices, local index, tick", what);
		}
	build_timings(1, P2_LATER);
	put8(pkt, 12, 0xff);
	put16(pkt, 1057, 0xffff);
	put16(pkt, 33 + 30, 0xffff);
	p2_decode(pkt, 1063, &p);
	ok(e->num == -1 && e->local_index == -1 && e->car[0].mp_index == -1,
	    "count -1 is signed; index 0xffff is none (-1)");
	memset(out, 0, sizeof(out));
	ok(p2_encode(&p, out) == 1063 && memcmp(out, pkt, 1063) == 0,
	    "and encodes back to the same bytes");
}

static void
build_game(int zero)
{
	header(pkt, 24, zero, 4);
	put16(pkt, 12, 1234);
	put8(pkt, 14, 5 << 3 | 2);
	put8(pkt, 15, (unsigned)-5 & 0xff);
	put8(pkt, 16, 31);
	put8(pkt, 17, 200);
	put8(pkt, 18, 3);
	put8(pkt, 19, (unsigned)-3 & 0xff);
	put8(pkt, 20, (unsigned)-100 & 0xff);
	put8(pkt, 21, 100);
	memset(pkt + 22, zero ? 0 : NOISE, 2);
}

static void
t_game(void)
{
	struct p2_game *e = &p.u.game;

	for (int zero = 0; zero <= 1; zero++) {
		build_game(zero);
		decode_as(24, P2K_GAME, P2_EARLY, zero, "game state");
		ok(e->build == 1234 && e->game_state == P2G_PLAYING &&
		    e->session_state == P2S_RACE, "game state: build, game and session state");
		ok(e->ambient == -5 && e->track == 31 && e->rain == 200 && e->snow == 3 &&
		    e->wind_speed == -3 && e->wind_x == -100 && e->wind_y == 100,
		    "game state: temperatures, rain, snow, wind");
	}
	put8(pkt, 14, 0xff);
	p2_decode(pkt, 24, &p);
	ok(e->game_state == 7 && e->session_state == 7, "game state: the top bits ignored");
}

static void
build_stats(int zero, enum p2_rev rev)
{
	size_t	 n = p2_sizes[P2K_TIME_STATS][rev], row = rev == P2_LATER ? 32 : 24;

	header(pkt, n, zero, 7);
	put32(pkt, 12, 55555);
	for (size_t i = 0; i < P2_UDP_CARS; i++) {
		size_t o = 16 + i * row;
		putf(pkt, o, 90.5f + (float)i);
		putf(pkt, o + 4, 91.25f + (float)i);
		putf(pkt, o + 8, i == 1 ? -1.0f : 30.75f);
		putf(pkt, o + 12, 29.5f);
		putf(pkt, o + 16, 30.5f);
		putf(pkt, o + 20, 31.5f);
		if (rev == P2_LATER) {
			put32(pkt, o + 24, 0x00c80003);
			put16(pkt, o + 28, 8 + i);
			put16(pkt, o + 30, 0);
		}
	}
}

static void
t_stats(void)
{
	struct p2_time_stats *e = &p.u.stats;

	for (int r = P2_EARLY; r <= P2_LATER; r++)
		for (int zero = 0; zero <= 1; zero++) {
			const char *what = r == P2_EARLY ? "early time stats" : "later time stats";
			build_stats(zero, (enum p2_rev)r);
			decode_as(p2_sizes[P2K_TIME_STATS][r], P2K_TIME_STATS, (enum p2_rev)r, zero,
			    what);
			ok(e->changed == 55555 && e->car[0].fastest == 90.5 && e->car[0].last == 91.25 &&
			    e->car[0].last_sector == 30.75 && e->car[0].fastest_s[0] == 29.5 &&
			    e->car[0].fastest_s[1] == 30.5 && e->car[0].fastest_s[2] == 31.5,
			    "%s: the first row", what);
			ok(e->car[31].fastest == 121.5 && e->car[31].last == 122.25 &&
			    e->car[1].last_sector == -1.0, "%s: the last row; -1 kept", what);
			if (r == P2_EARLY)
				ok(e->car[0].rep == 0 && e->car[0].mp_index == -1 &&
				    e->car[31].mp_index == -1, "%s: no rep, no MP index", what);
			else
				ok(e->car[0].rep == 0x00c80003 && e->car[0].mp_index == 8 &&
				    e->car[31].mp_index == 39, "%s: rep and MP index", what);
		}
}

static void
t_vehicles(void)
{
	struct p2_vehicles	*v = &p.u.veh;
	struct p2_classes	*c = &p.u.cls;

	for (int zero = 0; zero <= 1; zero++) {
		header(pkt, 1164, zero, 8);
		for (size_t i = 0; i < P2_PER_PACKET; i++) {
			size_t o = 12 + i * 72;
			put16(pkt, o, 16 + i);
			put32(pkt, o + 2, 0x10000 + i);
			puts_field(pkt, o + 6, 64, i == 15 ? "Porsche 911 GT3 R" : "Formula Classic");
			put16(pkt, o + 70, 0);
		}
		decode_as(1164, P2K_VEHICLES, P2_EARLY, zero, "vehicle names");
		ok(v->v[0].index == 16 && v->v[0].cls == 0x10000 &&
		    strcmp(v->v[0].name, "Formula Classic") == 0 && v->v[15].index == 31 &&
		    v->v[15].cls == 0x1000f && strcmp(v->v[15].name, "Porsche 911 GT3 R") == 0,
		    "vehicle names: index, class, name of the first and the last");

		header(pkt, 1452, zero, 8);
		for (size_t i = 0; i < P2_CLASSES; i++) {
			size_t o = 12 + i * 24;
			put32(pkt, o, 0x10000 + i);
			puts_field(pkt, o + 4, 20, i == 0 ? "GT3" : "01234567890123456789");
		}
		decode_as(1452, P2K_CLASSES, P2_EARLY, zero, "class names");
		ok(c->c[0].index == 0x10000 && strcmp(c->c[0].name, "GT3") == 0 &&
		    c->c[59].index == 0x1003b &&
		    strcmp(c->c[59].name, "01234567890123456789") == 0,
		    "class names: the first, the last of 20 bytes without a NUL");
	}
}

/* Round trips from structs set here, in both revisions. */
static void
t_roundtrip(void)
{
	int	 good = 1;

	for (int k = P2K_UNKNOWN + 1; k < P2K__MAX; k++)
		for (int r = P2_EARLY; r <= P2_LATER; r++) {
			memset(&p, 0, sizeof(p));
			p.kind = (enum p2_kind)k;
			p.rev = p2_sizes[k][0] == p2_sizes[k][1] ? P2_EARLY : (enum p2_rev)r;
			p.h.packet = 1u << 31;
			p.h.category = 77;
			p.h.part_index = 255;
			p.h.part_count = 1;
			p.h.version = 2;
			switch (k) {
			case P2K_TELEMETRY:
				p.u.tel.viewed = 31;
				p.u.tel.gear = 14;
				p.u.tel.gears = 15;
				p.u.tel.speed = -3.5;
				strcpy(p.u.tel.compound[3], "wet");
				p.u.tel.has_full = r == P2_LATER;
				if (r == P2_LATER)
					p.u.tel.pos[2] = -8000.5;
				break;
			case P2K_RACE:
				p.u.race.laps_time = 0x8003;
				p.u.race.timed = 1;
				p.u.race.minutes = 15;
				p.u.race.enforced_pit_lap = 127;
				strcpy(p.u.race.tr_variation, "Nürburgring");
				break;
			case P2K_PARTICIPANTS:
				strcpy(p.u.part.name[15], "Ömer");
				p.u.part.has_ext = r == P2_LATER;
				if (r == P2_LATER)
					p.u.part.index[15] = 65535;
				break;
			case P2K_TIMINGS:
				for (int i = 0; i < P2_UDP_CARS; i++) {
					struct p2_timing *c = &p.u.tim.car[i];
					c->world[0] = -32768;
					c->world[2] = 32767;
					c->position = 127;
					c->active = 1;
					c->sector = 3;
					c->sector_raw = 0xfb;
					c->flag_colour = 11;
					c->flag_reason = 7;
					c->pit_mode = 5;
					c->pit_schedule = 31;
					c->car_index = 32767;
					c->human = 1;
					c->race_state = 6;
					c->lap_invalid = 1;
					c->current_lap = 255;
					c->mp_index = r == P2_LATER ? 65534 : -1;
				}
				p.u.tim.num = -128;
				p.u.tim.local_index = r == P2_LATER ? 0 : -1;
				break;
			case P2K_GAME:
				p.u.game.game_state = 7;
				p.u.game.session_state = 6;
				p.u.game.ambient = -128;
				p.u.game.wind_y = 127;
				break;
			case P2K_TIME_STATS:
				for (int i = 0; i < P2_UDP_CARS; i++)
					p.u.stats.car[i].mp_index = r == P2_LATER ? i : -1;
				p.u.stats.car[31].last = 91.125;
				if (r == P2_LATER)
					p.u.stats.car[31].rep = 0xffffffff;
				break;
			case P2K_VEHICLES:
				p.u.veh.v[15].index = 65535;
				p.u.veh.v[15].cls = 0xffffffff;
				strcpy(p.u.veh.v[15].name, "Ginetta G55");
				break;
			case P2K_CLASSES:
				p.u.cls.c[59].index = 9;
				strcpy(p.u.cls.c[59].name, "GT4");
				break;
			}
			size_t n = p2_encode(&p, out);
			p.h.type = out[10];
			memset(&q, 0x5a, sizeof(q));
			if (n != p2_sizes[k][p.rev] || p2_decode(out, n, &q) != 0 ||
			    memcmp(&p.h, &q.h, sizeof(p.h)) != 0 || q.kind != p.kind ||
			    q.rev != p.rev || memcmp(&p.u, &q.u, sizeof(p.u)) != 0) {
				diag("%s revision %d does not round-trip", p2_kind_names[k], r);
				good = 0;
			}
		}
	ok(good, "p2_encode then p2_decode gives the struct back, every kind and revision");
	memset(&p, 0, sizeof(p));
	p.kind = P2K_TELEMETRY;
	p.rev = P2_LATER;
	p.h.type = 3;
	ok(p2_encode(&p, out) == 559 && out[10] == 0, "the header's type is the kind's");
}

/* Participant i of a block, at the spec's offsets. */
static void
build_shm_car(unsigned char *b, size_t i)
{
	size_t o = 28 + i * 100;

	put8(b, o, 1);
	puts_field(b, o + 1, 64, i == 0 ? "Ayrton Senna" : "Jim Clark");
	putf(b, o + 68, 10.5f + (float)i);
	putf(b, o + 72, -1.25f);
	putf(b, o + 76, 300.75f);
	putf(b, o + 80, 1500.5f);
	put32(b, o + 84, 1 + i);
	put32(b, o + 88, 4);
	put32(b, o + 92, 5);
	put32(b, o + 96, i == 0 ? 2 : (uint32_t)-1);
	putf(b, 7408 + i * 4, 30.25f);
	putf(b, 7664 + i * 4, 31.25f);
	putf(b, 7920 + i * 4, -1.0f);
	putf(b, 8176 + i * 4, 29.5f);
	putf(b, 8432 + i * 4, 30.5f);
	putf(b, 8688 + i * 4, 31.5f);
	putf(b, 8944 + i * 4, 92.5f);
	putf(b, 9200 + i * 4, 93.5f + (float)i);
	put8(b, 9456 + i, i == 0);
	put32(b, 9520 + i * 4, P2R_RACING);
	put32(b, 9776 + i * 4, i == 0 ? P2P_IN_GARAGE : P2P_NONE);
	putf(b, 10800 + i * 4, 66.5f);
	puts_field(b, 11056 + i * 64, 64, "McLaren MP4/4");
	puts_field(b, 15152 + i * 64, 64, "F-Classic Gen2");
	put32(b, 19548 + i * 4, 3);
	put32(b, 19804 + i * 4, P2F_BLUE);
	put32(b, 20316 + i * 4, 0xbeef + i);
}

/* A block of n bytes (at most sizeof(blk)), version v. */
static void
build_shm(size_t n, unsigned v, int zero)
{
	memset(blk, zero ? 0 : NOISE, n);
	put32(blk, 0, v);
	put32(blk, 4, 1130);
	put32(blk, 8, P2G_PLAYING);
	put32(blk, 12, P2S_QUALIFY);
	put32(blk, 16, P2R_RACING);
	put32(blk, 20, 0);
	put32(blk, 24, 2);
	build_shm_car(blk, 0);
	build_shm_car(blk, 63);
	put32(blk, 6572, 0);
	puts_field(blk, 6576, 64, "Interlagos");
	puts_field(blk, 6640, 64, "Historic");
	putf(blk, 6704, 7900.5f);
	put32(blk, 6708, 3);
	putf(blk, 6716, 80.25f);
	putf(blk, 6720, 81.25f);
	putf(blk, 6724, 12.75f);
	putf(blk, 6728, 0.5f);
	putf(blk, 6732, 1.5f);
	putf(blk, 6740, 900.0f);
	putf(blk, 6744, 79.5f);
	putf(blk, 6748, 78.5f);
	put32(blk, 6800, P2F_GREEN);
	put32(blk, 6808, P2P_OUT_OF_PITS);
	putf(blk, 6840, 0.75f);
	putf(blk, 6844, 100.0f);
	putf(blk, 6848, 55.5f);
	for (size_t i = 0; i < 4; i++) {
		putf(blk, 7136 + i * 4, 0.125f * (float)(i + 1));
		puts_field(blk, 19388 + i * 40, 40, i == 2 ? "" : "Slick Soft");
	}
	putf(blk, 7292, 24.5f);
	putf(blk, 7296, 38.5f);
	putf(blk, 7300, 0.25f);
	put32(blk, 7320, 1234);
	put32(blk, 19248, (uint32_t)-1);
	puts_field(blk, 19252, 64, "Autódromo José Carlos Pace");
	putf(blk, 20572, 0.0f);
	if (n < P2_SHM_V14_SIZE)
		return;
	put32(blk, 20576, 45);
	put32(blk, 20580, 1);
	put32(blk, 20688, 2);
	put32(blk, 20696, 3);
}

static int
shm_car_ok(const struct p2_shm_car *c, unsigned i)
{
	return c->active && strcmp(c->name, i == 0 ? "Ayrton Senna" : "Jim Clark") == 0 &&
	    c->world[0] == 10.5 + i && c->world[1] == -1.25 && c->world[2] == 300.75 &&
	    c->lap_distance == 1500.5 && c->position == 1 + i && c->laps_completed == 4 &&
	    c->current_lap == 5 && c->sector == (i == 0 ? 2 : -1) && c->cur_s[0] == 30.25 &&
	    c->cur_s[1] == 31.25 && c->cur_s[2] == -1.0 && c->fastest_s[0] == 29.5 &&
	    c->fastest_s[1] == 30.5 && c->fastest_s[2] == 31.5 && c->fastest_lap == 92.5 &&
	    c->last_lap == 93.5 + i && c->lap_invalid == (i == 0) &&
	    c->race_state == P2R_RACING &&
	    c->pit_mode == (i == 0 ? P2P_IN_GARAGE : P2P_NONE) && c->pit_schedule == 3 &&
	    c->flag_colour == P2F_BLUE && c->nationality == 0xbeef + i && c->speed == 66.5 &&
	    strcmp(c->car, "McLaren MP4/4") == 0 && strcmp(c->cls, "F-Classic Gen2") == 0;
}

static void
t_shm(void)
{
	for (int zero = 0; zero <= 1; zero++) {
		const char *what = zero ? "a block over zeros" : "a block over noise";
		build_shm(P2_SHM_V14_SIZE, 14, zero);
		memset(&s, 0x5a, sizeof(s));
		ok(p2_shm_decode(blk, P2_SHM_V14_SIZE, &s) == 0, "%s of 20700 bytes decodes", what);
		ok(s.version == 14 && s.build == 1130 && s.game_state == P2G_PLAYING &&
		    s.session_state == P2S_QUALIFY && s.race_state == P2R_RACING && s.viewed == 0 &&
		    s.num == 2, "%s: version, build, states, viewed, count", what);
		ok(shm_car_ok(&s.car[0], 0), "%s: the first participant", what);
		ok(shm_car_ok(&s.car[63], 63), "%s: the 64th participant", what);
		ok(s.laps_in_event == 0 && strcmp(s.location, "Interlagos") == 0 &&
		    strcmp(s.variation, "Historic") == 0 &&
		    strcmp(s.tr_location, "Autódromo José Carlos Pace") == 0 &&
		    s.track_length == 7900.5 && s.num_sectors == 3, "%s: the event and track", what);
		ok(s.best_lap == 80.25 && s.last_lap == 81.25 && s.current_time == 12.75 &&
		    s.split_ahead == 0.5 && s.split_behind == 1.5 && s.time_remaining == 900.0 &&
		    s.personal_fastest == 79.5 && s.world_fastest == 78.5,
		    "%s: the viewed car's times, the splits, time remaining", what);
		ok(s.flag_colour == P2F_GREEN && s.pit_mode == P2P_OUT_OF_PITS &&
		    s.fuel_level == 0.75 && s.fuel_capacity == 100.0 && s.speed == 55.5 &&
		    s.tyre_wear[0] == 0.125 && s.tyre_wear[3] == 0.5 &&
		    strcmp(s.compound[0], "Slick Soft") == 0 && s.compound[2][0] == '\0' &&
		    strcmp(s.compound[3], "Slick Soft") == 0, "%s: the viewed car", what);
		ok(s.ambient == 24.5 && s.track_temp == 38.5 && s.rain == 0.25 && s.snow == 0 &&
		    s.sequence == 1234 && s.enforced_pit_lap == -1,
		    "%s: weather, sequence, enforced stop", what);
		ok(s.has_ams2 && s.session_minutes == 45 && s.additional_laps == 1 &&
		    s.yellow_state == 2 && s.launch_stage == 3, "%s: the AMS2 fields", what);
		ok(p2_shm_sequence(blk) == 1234, "%s: p2_shm_sequence", what);
		if (!zero)
			continue;
		p2_shm_encode(&s, shm_out);
		ok(memcmp(shm_out, blk, P2_SHM_V14_SIZE) == 0, "%s: encoded back byte for byte",
		    what);
		memset(&t, 0x5a, sizeof(t));
		ok(p2_shm_decode(shm_out, P2_SHM_V14_SIZE, &t) == 0 &&
		    memcmp(&s, &t, sizeof(s)) == 0, "%s: encode then decode gives the struct",
		    what);
	}

	/* 20704: a newer build's extra field is not read */
	build_shm(P2_SHM_V14_SIZE, 14, 0);
	p2_shm_decode(blk, P2_SHM_V14_SIZE, &t);
	memset(blk + P2_SHM_V14_SIZE, 0xff, 4);
	memset(&s, 0x5a, sizeof(s));
	ok(p2_shm_decode(blk, 20704, &s) == 0 && memcmp(&s, &t, sizeof(s)) == 0,
	    "20704 bytes: decodes as 20700, the extra bytes ignored");
	/* PC2's block */
	build_shm(P2_SHM_PC2_SIZE, 14, 0);
	ok(p2_shm_decode(blk, P2_SHM_PC2_SIZE, &s) == 0 && !s.has_ams2 &&
	    s.session_minutes == 0 && s.launch_stage == 0 && shm_car_ok(&s.car[63], 63) &&
	    s.sequence == 1234, "20576 bytes: decodes, no AMS2 fields");
	ok(p2_shm_decode(blk, P2_SHM_PC2_SIZE - 1, &s) == -1, "20575 bytes are refused");
	build_shm(P2_SHM_V14_SIZE, 9, 0);
	ok(p2_shm_decode(blk, P2_SHM_V14_SIZE, &s) == 0 && s.version == 9 && !s.has_ams2 &&
	    s.session_minutes == 0, "version 9 at 20700 bytes: no AMS2 fields");
	build_shm(P2_SHM_V14_SIZE, 8, 0);
	ok(p2_shm_decode(blk, P2_SHM_V14_SIZE, &s) == 0 && s.version == 8,
	    "version 8 decodes");
	build_shm(P2_SHM_V14_SIZE, 7, 0);
	ok(p2_shm_decode(blk, P2_SHM_V14_SIZE, &s) == -1, "version 7 is refused");
	build_shm(P2_SHM_V14_SIZE, 14, 0);
	put32(blk, 24, 100);
	p2_shm_decode(blk, P2_SHM_V14_SIZE, &s);
	ok(s.num == 64, "100 participants read as 64");
	put32(blk, 24, (uint32_t)-1);
	p2_shm_decode(blk, P2_SHM_V14_SIZE, &s);
	ok(s.num == 0, "-1 participants read as 0");
	put32(blk, 7320, 0x80000001);
	ok(p2_shm_sequence(blk) == 0x80000001, "an odd sequence number is read as it is");

	/* from a struct set here; AMS2 fields only with has_ams2 */
	memset(&s, 0, sizeof(s));
	s.version = 14;
	s.num = 64;
	s.viewed = -1;
	s.car[63].active = 1;
	strcpy(s.car[63].cls, "GT3");
	s.car[63].sector = 3;
	s.car[63].cur_s[1] = 33.5;
	s.has_ams2 = 1;
	s.session_minutes = 60;
	s.yellow_state = -1;
	strcpy(s.compound[3], "Wet");
	p2_shm_encode(&s, shm_out);
	memset(&t, 0x5a, sizeof(t));
	ok(p2_shm_decode(shm_out, P2_SHM_V14_SIZE, &t) == 0 && memcmp(&s, &t, sizeof(s)) == 0,
	    "p2_shm_encode then p2_shm_decode gives the struct back");
	s.has_ams2 = 0;
	p2_shm_encode(&s, shm_out);
	p2_shm_decode(shm_out, P2_SHM_V14_SIZE, &t);
	ok(t.has_ams2 && t.session_minutes == 0 && t.yellow_state == 0,
	    "without has_ams2 the AMS2 fields are written as zeros");
}

int
main(void)
{
	t_sizes();
	t_telemetry();
	t_race();
	t_participants();
	t_timings();
	t_game();
	t_stats();
	t_vehicles();
	t_roundtrip();
	t_shm();
	return tap_done();
}
