/*
 * The client's Project CARS 2 / Automobilista 2 source without sockets:
 * which packets a frame carries (thinning), the roster reassembled from
 * partial packets, and the shared-memory block copied while the game
 * writes it and sent as the ranges that changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "tap.h"

static unsigned char pkt[P2_MAX_PACKET];

/* Encodes p as kind in revision rev into pkt; returns its size. */
static size_t
enc(struct p2_packet *p, enum p2_kind kind, enum p2_rev rev)
{
	p->kind = kind;
	p->rev = rev;
	return p2_encode(p, pkt);
}

/* Timings of n active cars, all on lap 1 in sector 1. */
static void
timings(struct p2_packet *p, int n)
{
	memset(p, 0, sizeof(*p));
	p->u.tim.num = n;
	for (int i = 0; i < n; i++) {
		p->u.tim.car[i].active = 1;
		p->u.tim.car[i].position = (unsigned)i + 1;
		p->u.tim.car[i].current_lap = 1;
		p->u.tim.car[i].sector = 1;
		p->u.tim.car[i].race_state = P2R_RACING;
		p->u.tim.car[i].mp_index = i;
	}
}

/* Feeds the telemetry of a 60 Hz stream for ms milliseconds; how many were kept. */
static int
stream_telemetry(struct p2udp *u, enum p2_rev rev, long long from, long long ms,
    long long *min_gap)
{
	struct p2_packet	 p;
	size_t			 n;
	long long		 at, last = -1;
	int			 kept = 0;

	memset(&p, 0, sizeof(p));
	n = enc(&p, P2K_TELEMETRY, rev);
	*min_gap = 1000000;
	for (int k = 0; (at = from + k * 1000LL / 60) < from + ms; k++)
		if (p2udp_take(u, pkt, n, at) == P2UDP_KEEP) {
			if (last >= 0 && at - last < *min_gap)
				*min_gap = at - last;
			last = at;
			kept++;
		}
	return kept;
}

static void
test_thinning(void)
{
	struct p2udp		 u;
	struct p2_packet	 p;
	size_t			 n;
	long long		 gap;
	int			 kept;

	p2udp_init(&u);
	kept = stream_telemetry(&u, P2_LATER, 0, 2000, &gap);
	ok(kept == 4 && gap >= P2UDP_TEL_GAP_MS,
	    "telemetry at 60 Hz for 2 s: 4 kept, at least 500 ms apart (%d, %lld ms)", kept, gap);
	kept = stream_telemetry(&u, P2_EARLY, 5000, 1000, &gap);
	ok(kept == 2, "early telemetry: 2 a second too (%d)", kept);
	ok(u.thinned == 120 - 4 + 60 - 2 && u.kept == 6 && u.received == 180,
	    "thinned ones are counted (%lld thinned, %lld kept)", u.thinned, u.kept);
	p2udp_free(&u);

	/* timings that do not change: at most 5 a second */
	p2udp_init(&u);
	timings(&p, 20);
	n = enc(&p, P2K_TIMINGS, P2_LATER);
	kept = 0;
	for (int k = 0; k < 120; k++)
		kept += p2udp_take(&u, pkt, n, k * 1000LL / 60) == P2UDP_KEEP;
	ok(kept == 10, "unchanged timings at 60 Hz for 2 s: 10 kept (%d)", kept);

	/* a change right after a kept one is kept; the same again is not */
	struct {
		const char	*what;
		void		 (*change)(struct p2_packet *);
	} changes[] = {
		{ "a lap", NULL }, { "a sector", NULL }, { "a pit mode", NULL },
		{ "a race state", NULL }, { "the active bit", NULL }, { "a position", NULL },
	};
	long long at = 10000;
	ok(p2udp_take(&u, pkt, n, at) == P2UDP_KEEP, "timings after a pause are kept");
	for (size_t c = 0; c < sizeof(changes) / sizeof(changes[0]); c++) {
		struct p2_timing *car = &p.u.tim.car[7];
		switch (c) {
		case 0: car->current_lap++; break;
		case 1: car->sector = car->sector % 3 + 1; break;
		case 2: car->pit_mode = P2P_IN_PIT; break;
		case 3: car->race_state = P2R_FINISHED; break;
		case 4: car->active = !car->active; break;
		default: car->position = 1; p.u.tim.car[0].position = 8; break;
		}
		n = enc(&p, P2K_TIMINGS, P2_LATER);
		at += 16;
		ok(p2udp_take(&u, pkt, n, at) == P2UDP_KEEP,
		    "timings 16 ms after the last kept are kept when %s changed", changes[c].what);
		at += 16;
		ok(p2udp_take(&u, pkt, n, at) == P2UDP_THINNED,
		    "... and the same 16 ms later are not (%s)", changes[c].what);
	}
	/* other fields do not count as a change */
	p.u.tim.car[3].lap_distance += 40;
	p.u.tim.car[3].current_time += 0.5;
	p.u.tim.car[3].world[0] += 3;
	n = enc(&p, P2K_TIMINGS, P2_LATER);
	ok(p2udp_take(&u, pkt, n, at + 16) == P2UDP_THINNED,
	    "a car moving along its lap does not keep timings");
	/* a participant joining does */
	p.u.tim.num = 21;
	p.u.tim.car[20].active = 1;
	n = enc(&p, P2K_TIMINGS, P2_EARLY);
	ok(p2udp_take(&u, pkt, n, at + 32) == P2UDP_KEEP,
	    "a participant joining keeps timings (early revision)");
	p2udp_free(&u);

	/* every other kind is kept, however often it comes */
	p2udp_init(&u);
	static const enum p2_kind always[] = { P2K_RACE, P2K_PARTICIPANTS, P2K_GAME,
	    P2K_TIME_STATS, P2K_VEHICLES, P2K_CLASSES };
	kept = 0;
	for (int r = 0; r < 2; r++)
		for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
			memset(&p, 0, sizeof(p));
			if ((n = enc(&p, always[i], (enum p2_rev)r)) == 0)
				continue;
			for (int k = 0; k < 10; k++)
				kept += p2udp_take(&u, pkt, n, 100 + k) == P2UDP_KEEP;
		}
	ok(kept == 120 && u.kept == 120, "race, participants, game state, time stats, vehicle "
	    "and class names are always kept (%d of 120)", kept);
	p2udp_free(&u);
}

static void
test_unknown(void)
{
	struct p2udp		 u;
	struct p2_packet	 p;
	size_t			 n;
	int			 unknown = 0;

	p2udp_init(&u);
	memset(pkt, 0, sizeof(pkt));
	pkt[10] = 5;	/* weather: never sent */
	unknown += p2udp_take(&u, pkt, 100, 0) == P2UDP_UNKNOWN;
	pkt[10] = 6;
	unknown += p2udp_take(&u, pkt, 24, 0) == P2UDP_UNKNOWN;
	pkt[10] = 0;	/* telemetry of neither size */
	unknown += p2udp_take(&u, pkt, 540, 0) == P2UDP_UNKNOWN;
	pkt[10] = 3;	/* a telemetry size under the timings type */
	unknown += p2udp_take(&u, pkt, 559, 0) == P2UDP_UNKNOWN;
	unknown += p2udp_take(&u, pkt, 5, 0) == P2UDP_UNKNOWN;
	unknown += p2udp_take(&u, pkt, 0, 0) == P2UDP_UNKNOWN;
	memset(&p, 0, sizeof(p));
	n = enc(&p, P2K_GAME, P2_LATER);
	pkt[10] = 9;	/* a game state's size, an unknown type */
	unknown += p2udp_take(&u, pkt, n, 0) == P2UDP_UNKNOWN;
	ok(unknown == 7 && u.unknown == 7 && u.kept == 0 && u.thinned == 0 && !u.have_rev,
	    "unknown kinds are counted, never kept (%d)", unknown);
	p2udp_free(&u);
}

/* The names of part k (of 2) of a 32-car roster, its index counted from base. */
static size_t
names_part(struct p2_packet *p, int k, int base, uint32_t stamp, enum p2_rev rev)
{
	memset(p, 0, sizeof(*p));
	p->h.part_index = (unsigned)(k + base);
	p->h.part_count = 2;
	p->u.part.changed = stamp;
	p->u.part.has_ext = rev == P2_LATER;
	for (int i = 0; i < P2_PER_PACKET; i++)
		snprintf(p->u.part.name[i], sizeof(p->u.part.name[i]), "Driver %d",
		    k * P2_PER_PACKET + i + 1);
	return enc(p, P2K_PARTICIPANTS, rev);
}

static void
test_roster(void)
{
	struct p2udp		 u;
	struct p2_packet	 p;
	size_t			 n;

	for (int base = 0; base < 2; base++) {
		p2udp_init(&u);
		n = names_part(&p, 1, base, 5, base ? P2_LATER : P2_EARLY);
		p2udp_take(&u, pkt, n, 0);
		ok(p2udp_names(&u) == 16 && u.names[0][0] == '\0' &&
		    strcmp(u.names[16], "Driver 17") == 0,
		    "the second part alone gives participants 16..31 (parts counted from %d)",
		    base);
		n = names_part(&p, 0, base, 5, base ? P2_LATER : P2_EARLY);
		p2udp_take(&u, pkt, n, 0);
		ok(p2udp_names(&u) == 32 && strcmp(u.names[0], "Driver 1") == 0 &&
		    strcmp(u.names[31], "Driver 32") == 0,
		    "16 + 16 names make the roster of 32 (parts counted from %d)", base);
		n = names_part(&p, 0, base, 6, P2_LATER);
		p2udp_take(&u, pkt, n, 0);
		ok(p2udp_names(&u) == 16, "a new roster (another timestamp) starts empty");
		p2udp_free(&u);
	}
	/* counted from 1, the first part first: it moves down when the second comes */
	p2udp_init(&u);
	n = names_part(&p, 0, 1, 5, P2_LATER);
	p2udp_take(&u, pkt, n, 0);
	n = names_part(&p, 1, 1, 5, P2_LATER);
	p2udp_take(&u, pkt, n, 0);
	ok(p2udp_names(&u) == 32 && strcmp(u.names[0], "Driver 1") == 0 &&
	    strcmp(u.names[16], "Driver 17") == 0,
	    "parts counted from 1 in order: part 1 of 2 then 2 of 2 make the roster of 32");
	n = names_part(&p, 0, 1, 6, P2_LATER);
	p2udp_take(&u, pkt, n, 0);
	ok(p2udp_names(&u) == 16 && strcmp(u.names[0], "Driver 1") == 0,
	    "... and the next set's part 1 goes to participants 0..15");
	p2udp_free(&u);

	/* vehicles by their own index, classes counted */
	p2udp_init(&u);
	memset(&p, 0, sizeof(p));
	for (int i = 0; i < P2_PER_PACKET; i++) {
		p.u.veh.v[i].index = (unsigned)(i + 16);
		snprintf(p.u.veh.v[i].name, sizeof(p.u.veh.v[i].name), "Car %d", i + 17);
	}
	n = enc(&p, P2K_VEHICLES, P2_LATER);
	p2udp_take(&u, pkt, n, 0);
	/* a part of 8: the other 8 entries are empty, of index 0 */
	memset(&p, 0, sizeof(p));
	for (int i = 0; i < 8; i++) {
		p.u.veh.v[i].index = (unsigned)i;
		snprintf(p.u.veh.v[i].name, sizeof(p.u.veh.v[i].name), "Car %d", i + 1);
	}
	n = enc(&p, P2K_VEHICLES, P2_LATER);
	p2udp_take(&u, pkt, n, 0);
	memset(&p, 0, sizeof(p));
	snprintf(p.u.cls.c[0].name, sizeof(p.u.cls.c[0].name), "GT3");
	snprintf(p.u.cls.c[1].name, sizeof(p.u.cls.c[1].name), "GT4");
	n = enc(&p, P2K_CLASSES, P2_LATER);
	p2udp_take(&u, pkt, n, 0);
	ok(p2udp_vehicle_names(&u) == 24 && strcmp(u.vehicles[31], "Car 32") == 0 &&
	    strcmp(u.vehicles[0], "Car 1") == 0 && u.classes == 2,
	    "vehicle names go by their index, empty entries do not count; class names are "
	    "counted");

	memset(&p, 0, sizeof(p));
	snprintf(p.u.race.location, sizeof(p.u.race.location), "Brands Hatch");
	snprintf(p.u.race.variation, sizeof(p.u.race.variation), "Indy");
	n = enc(&p, P2K_RACE, P2_LATER);
	p2udp_take(&u, pkt, n, 0);
	memset(&p, 0, sizeof(p));
	p.u.game.game_state = P2G_PLAYING;
	p.u.game.session_state = P2S_QUALIFY;
	n = enc(&p, P2K_GAME, P2_LATER);
	p2udp_take(&u, pkt, n, 0);
	ok(strcmp(u.location, "Brands Hatch") == 0 && strcmp(u.variation, "Indy") == 0 &&
	    strcmp(p2udp_session(&u), "qualifying") == 0,
	    "the track and the session are known for the status line");
	p2udp_free(&u);
}

static void
test_json(void)
{
	struct p2_packet	 p;
	struct buf		 b = { 0 }, raw = { 0 };
	struct jspan		 doc, v;
	long long		 at, type;
	size_t			 n;

	timings(&p, 12);
	n = enc(&p, P2K_TIMINGS, P2_EARLY);
	p2udp_json(&b, 1765000000123LL, pkt, n);
	ok(jscan_document(b.p, b.len, &doc) && jscan_member(&doc, "at_ms", &v) &&
	    jscan_int(&v, 0, 1LL << 50, &at) && at == 1765000000123LL &&
	    jscan_member(&doc, "type", &v) && jscan_int(&v, 0, 255, &type) && type == 3 &&
	    jscan_member(&doc, "raw", &v) && v.type == JT_STRING &&
	    b64_decode(&raw, v.p + 1, v.len - 2) == 1 && raw.len == n &&
	    memcmp(raw.p, pkt, n) == 0,
	    "a kept packet is {at_ms, type, raw}: the datagram's bytes in base64");
	buf_free(&b);
	buf_free(&raw);
}

/*
 * A block as the game writes it, read through a script: the game may write
 * between two reads of the client.
 */
struct script {
	unsigned char	*block;
	size_t		 size;
	int		 odd_reads;	/* sequence reads that find it odd */
	int		 tear;		/* whole copies during which the game writes */
	int		 pauses;
};

static void
set_seq(unsigned char *b, uint32_t seq)
{
	b[P2_SHM_SEQ_OFF] = (unsigned char)seq;
	b[P2_SHM_SEQ_OFF + 1] = (unsigned char)(seq >> 8);
	b[P2_SHM_SEQ_OFF + 2] = (unsigned char)(seq >> 16);
	b[P2_SHM_SEQ_OFF + 3] = (unsigned char)(seq >> 24);
}

static void
script_read(void *arg, size_t off, void *dst, size_t len)
{
	struct script *s = arg;

	if (len == 4 && off == P2_SHM_SEQ_OFF && s->odd_reads > 0) {
		s->odd_reads--;
		memcpy(dst, s->block + off, len);
		((unsigned char *)dst)[0] |= 1;
		return;
	}
	if (off == 0 && s->tear > 0) {
		/* half read, then the game writes a new state */
		s->tear--;
		memcpy(dst, s->block, len / 2);
		s->block[100] ^= 0x5a;
		s->block[len - 1] ^= 0xa5;
		set_seq(s->block, p2_shm_sequence(s->block) + 2);
		memcpy((unsigned char *)dst + len / 2, s->block + len / 2, len - len / 2);
		return;
	}
	memcpy(dst, s->block + off, len);
}

static void
script_pause(void *arg)
{
	((struct script *)arg)->pauses++;
}

static void
test_copy(void)
{
	struct script		 sc;
	struct p2shm_view	 v = { script_read, script_pause, &sc };
	unsigned char		*out = malloc(P2_SHM_V14_SIZE);
	long long		 torn = 0, busy = 0;
	int			 rc;

	ok(p2shm_prefix(20575) == 0 && p2shm_prefix(P2_SHM_PC2_SIZE) == 20576 &&
	    p2shm_prefix(P2_SHM_V14_SIZE) == 20700 && p2shm_prefix(20704) == 20700 &&
	    p2shm_prefix(24576) == 20700 && p2shm_prefix(0) == 0,
	    "the prefix read: none under 20576, 20576 of a PC2 block, 20700 of 20700, 20704 or "
	    "a page-rounded view");

	memset(&sc, 0, sizeof(sc));
	sc.size = P2_SHM_V14_SIZE;
	sc.block = calloc(1, sc.size);
	for (size_t i = 0; i < sc.size; i++)
		sc.block[i] = (unsigned char)(i * 7);
	set_seq(sc.block, 40);
	rc = p2shm_copy(&v, out, sc.size, P2SHM_TRIES, &torn, &busy);
	ok(rc == 1 && memcmp(out, sc.block, sc.size) == 0 && torn == 0 && busy == 0 &&
	    sc.pauses == 0, "a quiet block is copied at the first try");

	sc.tear = 2;
	rc = p2shm_copy(&v, out, sc.size, P2SHM_TRIES, &torn, &busy);
	ok(rc == 1 && torn == 2 && memcmp(out, sc.block, sc.size) == 0 &&
	    p2_shm_sequence(out) == 44,
	    "a copy the game wrote into is torn: retried, the copy is the new state (%lld torn)",
	    torn);

	torn = busy = 0;
	sc.odd_reads = 3;
	sc.pauses = 0;
	rc = p2shm_copy(&v, out, sc.size, P2SHM_TRIES, &torn, &busy);
	ok(rc == 1 && busy == 3 && torn == 0 && sc.pauses == 3 &&
	    memcmp(out, sc.block, sc.size) == 0,
	    "an odd sequence (the game writing) is waited out (%lld waits)", busy);

	torn = busy = 0;
	sc.tear = 100;
	rc = p2shm_copy(&v, out, sc.size, P2SHM_TRIES, &torn, &busy);
	ok(rc == 0 && torn == P2SHM_TRIES, "a game that writes during every try: no copy after "
	    "%d tries, each counted torn", P2SHM_TRIES);

	torn = busy = 0;
	sc.tear = 0;
	sc.odd_reads = 100;
	rc = p2shm_copy(&v, out, sc.size, P2SHM_TRIES, &torn, &busy);
	ok(rc == 0 && busy == P2SHM_TRIES && torn == 0, "a sequence odd for good: no copy");
	sc.odd_reads = 0;

	/* the PC2 prefix: only its bytes are read */
	memset(out, 0xee, P2_SHM_V14_SIZE);
	rc = p2shm_copy(&v, out, P2_SHM_PC2_SIZE, P2SHM_TRIES, &torn, &busy);
	ok(rc == 1 && memcmp(out, sc.block, P2_SHM_PC2_SIZE) == 0 &&
	    out[P2_SHM_PC2_SIZE] == 0xee, "a copy of 20576 bytes reads 20576 bytes");
	free(sc.block);
	free(out);
}

/*
 * Applies the ranges of a "set" array to block (n bytes). Returns the
 * number of ranges, -1 when one is malformed or out of the block.
 */
static int
apply(unsigned char *block, size_t n, const struct buf *set)
{
	struct jspan	 doc, r, off, data;
	struct buf	 bytes = { 0 };
	size_t		 i = 0, j;
	long long	 o;
	int		 nr = 0;

	if (!jscan_document(set->p, set->len, &doc) || doc.type != JT_ARRAY)
		return -1;
	while (jscan_next(&doc, &i, &r)) {
		j = 0;
		if (r.type != JT_ARRAY || !jscan_next(&r, &j, &off) ||
		    !jscan_int(&off, 0, (long long)n, &o) || !jscan_next(&r, &j, &data) ||
		    data.type != JT_STRING)
			return -1;
		buf_reset(&bytes);
		if (b64_decode(&bytes, data.p + 1, data.len - 2) != 1 ||
		    (size_t)o + bytes.len > n)
			return -1;
		memcpy(block + o, bytes.p, bytes.len);
		nr++;
	}
	buf_free(&bytes);
	return nr;
}

static void
test_diff(void)
{
	unsigned char	*a = calloc(1, P2_SHM_V14_SIZE), *b = calloc(1, P2_SHM_V14_SIZE);
	struct buf	 out = { 0 };
	unsigned	 rnd = 12345;
	int		 nr, good = 1;

	nr = p2shm_diff(&out, a, b, P2_SHM_V14_SIZE, P2SHM_MERGE);
	ok(nr == 0 && out.len == 2 && memcmp(out.p, "[]", 2) == 0, "no change: []");

	b[100] = 1;
	b[110] = 2;		/* 9 bytes after 100's range: one range */
	b[200] = 3;		/* far: a range of its own */
	b[300] = 4;
	b[317] = 5;		/* 16 bytes after 300's range: not merged */
	b[400] = 6;
	b[416] = 7;		/* 15 bytes after: merged */
	b[P2_SHM_V14_SIZE - 1] = 8;
	buf_reset(&out);
	nr = p2shm_diff(&out, a, b, P2_SHM_V14_SIZE, P2SHM_MERGE);
	{
		struct buf want = { 0 };
		buf_puts(&want, "[[100,\"");
		b64_encode(&want, b + 100, 11);
		buf_puts(&want, "\"],[200,\"");
		b64_encode(&want, b + 200, 1);
		buf_puts(&want, "\"],[300,\"");
		b64_encode(&want, b + 300, 1);
		buf_puts(&want, "\"],[317,\"");
		b64_encode(&want, b + 317, 1);
		buf_puts(&want, "\"],[400,\"");
		b64_encode(&want, b + 400, 17);
		buf_printf(&want, "\"],[%d,\"", P2_SHM_V14_SIZE - 1);
		b64_encode(&want, b + P2_SHM_V14_SIZE - 1, 1);
		buf_puts(&want, "\"]]");
		ok(nr == 6 && out.len == want.len && memcmp(out.p, want.p, out.len) == 0,
		    "ranges less than 16 bytes apart are merged, 16 or more are not (%d ranges)",
		    nr);
		if (!(out.len == want.len && memcmp(out.p, want.p, out.len) == 0))
			printf("# got  %.*s\n# want %.*s\n", (int)out.len, out.p, (int)want.len,
			    want.p);
		buf_free(&want);
	}

	/* rounds of a game's changes: the ranges re-applied give the new copy */
	for (int round = 0; round < 200 && good; round++) {
		memcpy(a, b, P2_SHM_V14_SIZE);
		int changes = (int)(rnd % 300);
		for (int c = 0; c < changes; c++) {
			rnd = rnd * 1103515245u + 12345u;
			size_t at = (rnd >> 8) % P2_SHM_V14_SIZE;
			int run = 1 + (int)((rnd >> 4) % 12);
			for (int k = 0; k < run && at + (size_t)k < P2_SHM_V14_SIZE; k++)
				b[at + (size_t)k] ^= (unsigned char)(rnd | 1);
		}
		unsigned char *applied = malloc(P2_SHM_V14_SIZE);
		memcpy(applied, a, P2_SHM_V14_SIZE);
		buf_reset(&out);
		nr = p2shm_diff(&out, a, b, P2_SHM_V14_SIZE, P2SHM_MERGE);
		if (nr < 0 || apply(applied, P2_SHM_V14_SIZE, &out) != nr ||
		    memcmp(applied, b, P2_SHM_V14_SIZE) != 0)
			good = 0;
		free(applied);
	}
	ok(good, "200 rounds of random changes: the ranges applied to the previous copy give "
	    "the new copy exactly");
	buf_free(&out);
	free(a);
	free(b);
}

int
main(void)
{
	log_init("t_client_pcars2", 1, LOG_LVL_ERR);
	tap_plan(42);
	test_thinning();
	test_unknown();
	test_roster();
	test_json();
	test_copy();
	test_diff();
	return tap_done();
}
