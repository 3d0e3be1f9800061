/*
 * Project CARS 2 / Automobilista 2 (spec/pcars2.md): the UDP packets of
 * both revisions and the `$pcars2$` shared-memory block.
 *
 * Each layout is written once, as a list of (offset, field) pairs walked
 * by a cursor that either reads the bytes into the struct or writes the
 * struct into the bytes: decoding and encoding cannot disagree on an
 * offset. Every access is checked against the size of the buffer.
 */
#include <string.h>

#include "pcars2.h"

const char *const p2_kind_names[P2K__MAX] = {
	"unknown",
	"telemetry",
	"race",
	"participants",
	"timings",
	"game",
	"time_stats",
	"vehicles",
	"classes",
};

const unsigned p2_sizes[P2K__MAX][2] = {
	[P2K_UNKNOWN] = { 0, 0 },
	[P2K_TELEMETRY] = { 538, 559 },
	[P2K_RACE] = { 308, 308 },
	[P2K_PARTICIPANTS] = { 1040, 1136 },
	[P2K_TIMINGS] = { 993, 1063 },
	[P2K_GAME] = { 24, 24 },
	[P2K_TIME_STATS] = { 784, 1040 },
	[P2K_VEHICLES] = { 1164, 1164 },
	[P2K_CLASSES] = { 1452, 1452 },
};

/* The packet type each kind is sent under. */
static const unsigned kind_type[P2K__MAX] = {
	[P2K_UNKNOWN] = P2_TYPE__MAX,
	[P2K_TELEMETRY] = P2_TELEMETRY,
	[P2K_RACE] = P2_RACE,
	[P2K_PARTICIPANTS] = P2_PARTICIPANTS,
	[P2K_TIMINGS] = P2_TIMINGS,
	[P2K_GAME] = P2_GAME,
	[P2K_TIME_STATS] = P2_TIME_STATS,
	[P2K_VEHICLES] = P2_PARTICIPANT_VEHICLES,
	[P2K_CLASSES] = P2_PARTICIPANT_VEHICLES,
};

/* Sizes of the repeated rows. */
#define TIMING_ROW(rev)		((rev) == P2_LATER ? 32u : 30u)
#define STAT_ROW(rev)		((rev) == P2_LATER ? 32u : 24u)
#define VEHICLE_ROW		72u
#define CLASS_ROW		24u

/*
 * A cursor over a packet or block of n bytes: reads from r when w is NULL,
 * writes to w otherwise. An access past n is skipped (reads give zero).
 */
struct io {
	const unsigned char	*r;
	unsigned char		*w;
	size_t			 n;
};

static int
io_fits(const struct io *io, size_t off, size_t len)
{
	return off <= io->n && io->n - off >= len;
}

static uint32_t
get_le(const struct io *io, size_t off, size_t len)
{
	const unsigned char	*b;

	if (!io_fits(io, off, len))
		return 0;
	b = io->r + off;
	switch (len) {
	case 1:
		return b[0];
	case 2:
		return (uint32_t)b[0] | (uint32_t)b[1] << 8;
	default:
		return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		    (uint32_t)b[3] << 24;
	}
}

static void
put_le(struct io *io, size_t off, size_t len, uint32_t v)
{
	if (!io_fits(io, off, len))
		return;
	for (size_t i = 0; i < len; i++, v >>= 8)
		io->w[off + i] = (unsigned char)(v & 0xff);
}

/* Unsigned fields of len bytes (1, 2 or 4). */
static void
io_uns(struct io *io, size_t off, size_t len, unsigned *v)
{
	if (io->w != NULL)
		put_le(io, off, len, *v);
	else
		*v = get_le(io, off, len);
}

static void
io_u32(struct io *io, size_t off, uint32_t *v)
{
	if (io->w != NULL)
		put_le(io, off, 4, *v);
	else
		*v = get_le(io, off, 4);
}

/* Signed (two's complement) fields of len bytes. */
static void
io_int(struct io *io, size_t off, size_t len, int *v)
{
	uint32_t	 u, sign;

	if (io->w != NULL) {
		put_le(io, off, len, (uint32_t)*v);
		return;
	}
	u = get_le(io, off, len);
	if (len < 4) {
		sign = (uint32_t)1 << (len * 8 - 1);
		u &= (sign << 1) - 1;
		*v = (int)(int32_t)((u ^ sign) - sign);
	} else
		*v = (int)(int32_t)u;
}

static void
io_f32(struct io *io, size_t off, double *v)
{
	float		 f;
	uint32_t	 u;

	if (io->w != NULL) {
		f = (float)*v;
		memcpy(&u, &f, sizeof(u));
		put_le(io, off, 4, u);
	} else {
		u = get_le(io, off, 4);
		memcpy(&f, &u, sizeof(f));
		*v = f;
	}
}

/* A bool byte. */
static void
io_bool(struct io *io, size_t off, int *v)
{
	unsigned	 b = *v != 0;

	io_uns(io, off, 1, &b);
	if (io->w == NULL)
		*v = b != 0;
}

/* A u16 participant index: 0xffff is none (-1). */
static void
io_index(struct io *io, size_t off, int *v)
{
	unsigned	 u = *v < 0 ? 0xffff : (unsigned)*v & 0xffff;

	io_uns(io, off, 2, &u);
	if (io->w == NULL)
		*v = u == 0xffff ? -1 : (int)u;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 need;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < need + 1 || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i <= need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need + 1;
}

/*
 * A char[len] field and out[len + 1]: read up to the first NUL, bytes that
 * are not UTF-8 made '?'; written as strnlen(out, len) bytes, zero-padded.
 */
static void
io_str(struct io *io, size_t off, size_t len, char *out)
{
	const unsigned char	*s;
	size_t			 n, i, k, o = 0;

	if (io->w != NULL) {
		if (!io_fits(io, off, len))
			return;
		n = strnlen(out, len);
		memcpy(io->w + off, out, n);
		memset(io->w + off + n, 0, len - n);
		return;
	}
	if (!io_fits(io, off, len)) {
		out[0] = '\0';
		return;
	}
	s = io->r + off;
	n = strnlen((const char *)s, len);
	for (i = 0; i < n; ) {
		if ((k = utf8_len(s + i, n - i)) == 0) {
			out[o++] = '?';
			i++;
			continue;
		}
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
}

static void
io_header(struct io *io, struct p2_header *h)
{
	io_u32(io, 0, &h->packet);
	io_u32(io, 4, &h->category);
	io_uns(io, 8, 1, &h->part_index);
	io_uns(io, 9, 1, &h->part_count);
	io_uns(io, 10, 1, &h->type);
	io_uns(io, 11, 1, &h->version);
}

static void
io_telemetry(struct io *io, enum p2_rev rev, struct p2_telemetry *t)
{
	unsigned	 b = 0;

	io_int(io, 12, 1, &t->viewed);
	io_uns(io, 28, 1, &t->fuel_capacity);
	io_f32(io, 32, &t->fuel_level);
	io_f32(io, 36, &t->speed);
	io_uns(io, 40, 2, &t->rpm);
	io_uns(io, 42, 2, &t->max_rpm);
	/* gear in the low nibble (15 reverse), gears in the high one */
	if (io->w != NULL)
		b = (t->gear < 0 ? 15u : (unsigned)t->gear & 0x0f) |
		    ((unsigned)t->gears & 0x0f) << 4;
	io_uns(io, 45, 1, &b);
	if (io->w == NULL) {
		t->gear = (b & 0x0f) == 15 ? -1 : (int)(b & 0x0f);
		t->gears = (int)(b >> 4);
	}
	io_uns(io, 47, 1, &t->crash_state);
	io_f32(io, 48, &t->odometer_km);
	for (size_t i = 0; i < 4; i++) {
		io_uns(io, 196 + i, 1, &t->tyre_wear[i]);
		io_str(io, 378 + i * P2_TYRE_NAME, P2_TYRE_NAME, t->compound[i]);
	}
	if (io->w == NULL)
		t->has_full = rev == P2_LATER;
	if (rev != P2_LATER)
		return;
	io_f32(io, 538, &t->turbo);
	for (size_t i = 0; i < 3; i++)
		io_f32(io, 542 + i * 4, &t->pos[i]);
	io_uns(io, 554, 1, &t->brake_bias);
	io_u32(io, 555, &t->tick);
}

static void
io_race(struct io *io, struct p2_race *r)
{
	unsigned	 lt = 0, units;

	io_f32(io, 12, &r->world_fastest);
	io_f32(io, 16, &r->personal_fastest);
	for (size_t i = 0; i < 3; i++) {
		io_f32(io, 20 + i * 4, &r->personal_s[i]);
		io_f32(io, 32 + i * 4, &r->world_s[i]);
	}
	io_f32(io, 44, &r->track_length);
	io_str(io, 48, P2_NAME, r->location);
	io_str(io, 112, P2_NAME, r->variation);
	io_str(io, 176, P2_NAME, r->tr_location);
	io_str(io, 240, P2_NAME, r->tr_variation);
	if (io->w != NULL) {
		if (r->laps_time != 0)
			lt = r->laps_time & 0xffff;
		else if (r->timed)
			lt = 0x8000 | ((r->minutes / 5) & 0x7fff);
		else
			lt = r->laps & 0x7fff;
	}
	io_uns(io, 304, 2, &lt);
	if (io->w == NULL) {
		r->laps_time = lt;
		r->timed = (lt & 0x8000) != 0;
		units = lt & 0x7fff;
		r->laps = r->timed ? 0 : lt;
		/* 0x7fff: the value the game gets stuck at, no duration */
		r->minutes = r->timed && units != 0x7fff ? units * 5 : 0;
	}
	io_int(io, 306, 1, &r->enforced_pit_lap);
}

static void
io_participants(struct io *io, enum p2_rev rev, struct p2_participants *p)
{
	io_u32(io, 12, &p->changed);
	for (size_t i = 0; i < P2_PER_PACKET; i++)
		io_str(io, 16 + i * P2_NAME, P2_NAME, p->name[i]);
	if (io->w == NULL)
		p->has_ext = rev == P2_LATER;
	if (rev != P2_LATER)
		return;
	for (size_t i = 0; i < P2_PER_PACKET; i++) {
		io_u32(io, 1040 + i * 4, &p->nationality[i]);
		io_uns(io, 1104 + i * 2, 2, &p->index[i]);
	}
}

static void
io_timing(struct io *io, size_t o, enum p2_rev rev, struct p2_timing *c)
{
	unsigned	 pos = 0, sec = 0, flag = 0, pit = 0, idx = 0, rs = 0;

	for (size_t i = 0; i < 3; i++) {
		io_int(io, o + i * 2, 2, &c->world[i]);
		io_int(io, o + 6 + i * 2, 2, &c->orientation[i]);
	}
	io_uns(io, o + 12, 2, &c->lap_distance);
	if (io->w != NULL) {
		pos = (c->position & 0x7f) | (c->active ? 0x80 : 0);
		sec = (c->sector_raw & ~0x07u & 0xff) | (c->sector & 0x07);
		flag = (c->flag_colour & 0x0f) | (c->flag_reason & 0x07) << 4;
		pit = (c->pit_mode & 0x07) | (c->pit_schedule & 0x1f) << 3;
		idx = (c->car_index & 0x7fff) | (c->human ? 0x8000 : 0);
		rs = (c->race_state & 0x07) | (c->lap_invalid ? 0x08 : 0);
	}
	io_uns(io, o + 14, 1, &pos);
	io_uns(io, o + 15, 1, &sec);
	io_uns(io, o + 16, 1, &flag);
	io_uns(io, o + 17, 1, &pit);
	io_uns(io, o + 18, 2, &idx);
	io_uns(io, o + 20, 1, &rs);
	if (io->w == NULL) {
		c->position = pos & 0x7f;
		c->active = (pos & 0x80) != 0;
		c->sector = sec & 0x07;
		c->sector_raw = sec;
		c->flag_colour = flag & 0x0f;
		c->flag_reason = (flag >> 4) & 0x07;
		c->pit_mode = pit & 0x07;
		c->pit_schedule = (pit >> 3) & 0x1f;
		c->car_index = idx & 0x7fff;
		c->human = (idx & 0x8000) != 0;
		c->race_state = rs & 0x07;
		c->lap_invalid = (rs & 0x08) != 0;
	}
	io_uns(io, o + 21, 1, &c->current_lap);
	io_f32(io, o + 22, &c->current_time);
	io_f32(io, o + 26, &c->sector_time);
	if (rev == P2_LATER)
		io_index(io, o + 30, &c->mp_index);
	else if (io->w == NULL)
		c->mp_index = -1;
}

static void
io_timings(struct io *io, enum p2_rev rev, struct p2_timings *t)
{
	io_int(io, 12, 1, &t->num);
	io_u32(io, 13, &t->changed);
	io_f32(io, 17, &t->time_remaining);
	io_f32(io, 21, &t->split_ahead);
	io_f32(io, 25, &t->split_behind);
	io_f32(io, 29, &t->split);
	for (size_t i = 0; i < P2_UDP_CARS; i++)
		io_timing(io, 33 + i * TIMING_ROW(rev), rev, &t->car[i]);
	if (rev == P2_LATER) {
		io_index(io, 1057, &t->local_index);
		io_u32(io, 1059, &t->tick);
	} else if (io->w == NULL)
		t->local_index = -1;
}

/* Game state in the low 3 bits, session state in the next 3. */
static void
io_game(struct io *io, struct p2_game *g)
{
	unsigned	 b = 0;

	io_uns(io, 12, 2, &g->build);
	if (io->w != NULL)
		b = (g->game_state & 0x07) | (g->session_state & 0x07) << 3;
	io_uns(io, 14, 1, &b);
	if (io->w == NULL) {
		g->game_state = b & 0x07;
		g->session_state = (b >> 3) & 0x07;
	}
	io_int(io, 15, 1, &g->ambient);
	io_int(io, 16, 1, &g->track);
	io_uns(io, 17, 1, &g->rain);
	io_uns(io, 18, 1, &g->snow);
	io_int(io, 19, 1, &g->wind_speed);
	io_int(io, 20, 1, &g->wind_x);
	io_int(io, 21, 1, &g->wind_y);
}

static void
io_time_stats(struct io *io, enum p2_rev rev, struct p2_time_stats *t)
{
	io_u32(io, 12, &t->changed);
	for (size_t i = 0; i < P2_UDP_CARS; i++) {
		size_t		 o = 16 + i * STAT_ROW(rev);
		struct p2_stat	*s = &t->car[i];
		io_f32(io, o, &s->fastest);
		io_f32(io, o + 4, &s->last);
		io_f32(io, o + 8, &s->last_sector);
		for (size_t k = 0; k < 3; k++)
			io_f32(io, o + 12 + k * 4, &s->fastest_s[k]);
		if (rev == P2_LATER) {
			io_u32(io, o + 24, &s->rep);
			io_index(io, o + 28, &s->mp_index);
		} else if (io->w == NULL)
			s->mp_index = -1;
	}
}

static void
io_vehicles(struct io *io, struct p2_vehicles *v)
{
	for (size_t i = 0; i < P2_PER_PACKET; i++) {
		size_t o = 12 + i * VEHICLE_ROW;
		io_uns(io, o, 2, &v->v[i].index);
		io_u32(io, o + 2, &v->v[i].cls);
		io_str(io, o + 6, P2_NAME, v->v[i].name);
	}
}

static void
io_classes(struct io *io, struct p2_classes *c)
{
	for (size_t i = 0; i < P2_CLASSES; i++) {
		size_t o = 12 + i * CLASS_ROW;
		io_u32(io, o, &c->c[i].index);
		io_str(io, o + 4, P2_CLASS_NAME, c->c[i].name);
	}
}

static void
io_packet(struct io *io, struct p2_packet *p)
{
	switch (p->kind) {
	case P2K_TELEMETRY:
		io_telemetry(io, p->rev, &p->u.tel);
		break;
	case P2K_RACE:
		io_race(io, &p->u.race);
		break;
	case P2K_PARTICIPANTS:
		io_participants(io, p->rev, &p->u.part);
		break;
	case P2K_TIMINGS:
		io_timings(io, p->rev, &p->u.tim);
		break;
	case P2K_GAME:
		io_game(io, &p->u.game);
		break;
	case P2K_TIME_STATS:
		io_time_stats(io, p->rev, &p->u.stats);
		break;
	case P2K_VEHICLES:
		io_vehicles(io, &p->u.veh);
		break;
	case P2K_CLASSES:
		io_classes(io, &p->u.cls);
		break;
	default:
		break;
	}
}

/*
 * The kind of a datagram from the type byte (10) and its size; *rev (when
 * not NULL) gets the revision. A kind both revisions send at one size is
 * P2_EARLY.
 */
enum p2_kind
p2_classify(const void *buf, size_t n, enum p2_rev *rev)
{
	const unsigned char	*p = buf;

	if (n < P2_HEADER || n > P2_MAX_PACKET)
		return P2K_UNKNOWN;
	for (int k = P2K_UNKNOWN + 1; k < P2K__MAX; k++) {
		if (kind_type[k] != p[10])
			continue;
		for (int r = P2_EARLY; r <= P2_LATER; r++)
			if (p2_sizes[k][r] == n) {
				if (rev != NULL)
					*rev = (enum p2_rev)r;
				return (enum p2_kind)k;
			}
	}
	return P2K_UNKNOWN;
}

/*
 * Decodes n bytes into p: 0, or -1 when the datagram is no known kind
 * (p->h is then the header, zeros when n is shorter than one).
 */
int
p2_decode(const void *buf, size_t n, struct p2_packet *p)
{
	struct io	 io = { buf, NULL, n };
	enum p2_rev	 rev = P2_EARLY;
	enum p2_kind	 k;

	memset(&p->h, 0, sizeof(p->h));
	if (n >= P2_HEADER)
		io_header(&io, &p->h);
	if ((k = p2_classify(buf, n, &rev)) == P2K_UNKNOWN)
		return -1;
	p->kind = k;
	p->rev = rev;
	memset(&p->u, 0, sizeof(p->u));
	io_packet(&io, p);
	return 0;
}

/*
 * Encodes p into out (room for P2_MAX_PACKET bytes): the size written, 0
 * when the kind has no packet in p->rev. The header's type is the kind's.
 */
size_t
p2_encode(const struct p2_packet *p, unsigned char *out)
{
	struct p2_header	 h;
	struct io		 io = { NULL, out, 0 };

	if (p->kind <= P2K_UNKNOWN || p->kind >= P2K__MAX ||
	    (p->rev != P2_EARLY && p->rev != P2_LATER) ||
	    (io.n = p2_sizes[p->kind][p->rev]) == 0)
		return 0;
	h = p->h;
	h.type = kind_type[p->kind];
	memset(out, 0, io.n);
	io_header(&io, &h);
	/* a writing cursor only reads the struct */
	io_packet(&io, (struct p2_packet *)(uintptr_t)p);
	return io.n;
}

/* Shared memory: offsets of the per-participant arrays (spec/pcars2.md 2.5). */
#define SHM_INFO		28
#define SHM_CUR_S1		7408
#define SHM_CUR_S2		7664
#define SHM_CUR_S3		7920
#define SHM_FAST_S1		8176
#define SHM_FAST_S2		8432
#define SHM_FAST_S3		8688
#define SHM_FASTEST		8944
#define SHM_LAST		9200
#define SHM_INVALID		9456	/* bool[64] */
#define SHM_RACE_STATES		9520
#define SHM_PIT_MODES		9776
#define SHM_SPEEDS		10800
#define SHM_CAR_NAMES		11056	/* char[64][64] */
#define SHM_CLASS_NAMES		15152
#define SHM_PIT_SCHEDULES	19548
#define SHM_FLAG_COLOURS	19804
#define SHM_NATIONALITIES	20316

static void
io_shm_car(struct io *io, size_t i, struct p2_shm_car *c)
{
	static const size_t	 cur[3] = { SHM_CUR_S1, SHM_CUR_S2, SHM_CUR_S3 };
	static const size_t	 fast[3] = { SHM_FAST_S1, SHM_FAST_S2, SHM_FAST_S3 };
	size_t			 o = SHM_INFO + i * P2_SHM_STRIDE;

	io_bool(io, o, &c->active);
	io_str(io, o + 1, P2_NAME, c->name);
	for (size_t k = 0; k < 3; k++)
		io_f32(io, o + 68 + k * 4, &c->world[k]);
	io_f32(io, o + 80, &c->lap_distance);
	io_uns(io, o + 84, 4, &c->position);
	io_uns(io, o + 88, 4, &c->laps_completed);
	io_uns(io, o + 92, 4, &c->current_lap);
	io_int(io, o + 96, 4, &c->sector);
	for (size_t k = 0; k < 3; k++) {
		io_f32(io, cur[k] + i * 4, &c->cur_s[k]);
		io_f32(io, fast[k] + i * 4, &c->fastest_s[k]);
	}
	io_f32(io, SHM_FASTEST + i * 4, &c->fastest_lap);
	io_f32(io, SHM_LAST + i * 4, &c->last_lap);
	io_bool(io, SHM_INVALID + i, &c->lap_invalid);
	io_uns(io, SHM_RACE_STATES + i * 4, 4, &c->race_state);
	io_uns(io, SHM_PIT_MODES + i * 4, 4, &c->pit_mode);
	io_uns(io, SHM_PIT_SCHEDULES + i * 4, 4, &c->pit_schedule);
	io_uns(io, SHM_FLAG_COLOURS + i * 4, 4, &c->flag_colour);
	io_u32(io, SHM_NATIONALITIES + i * 4, &c->nationality);
	io_f32(io, SHM_SPEEDS + i * 4, &c->speed);
	io_str(io, SHM_CAR_NAMES + i * P2_NAME, P2_NAME, c->car);
	io_str(io, SHM_CLASS_NAMES + i * P2_NAME, P2_NAME, c->cls);
}

static void
io_shm(struct io *io, struct p2_shm *s)
{
	io_uns(io, 0, 4, &s->version);
	io_uns(io, 4, 4, &s->build);
	io_uns(io, 8, 4, &s->game_state);
	io_uns(io, 12, 4, &s->session_state);
	io_uns(io, 16, 4, &s->race_state);
	io_int(io, 20, 4, &s->viewed);
	io_int(io, 24, 4, &s->num);
	if (io->w == NULL) {
		if (s->num < 0)
			s->num = 0;
		else if (s->num > P2_SHM_CARS)
			s->num = P2_SHM_CARS;
	}
	for (size_t i = 0; i < P2_SHM_CARS; i++)
		io_shm_car(io, i, &s->car[i]);
	io_uns(io, 6572, 4, &s->laps_in_event);
	io_str(io, 6576, P2_NAME, s->location);
	io_str(io, 6640, P2_NAME, s->variation);
	io_f32(io, 6704, &s->track_length);
	io_int(io, 6708, 4, &s->num_sectors);
	io_f32(io, 6716, &s->best_lap);
	io_f32(io, 6720, &s->last_lap);
	io_f32(io, 6724, &s->current_time);
	io_f32(io, 6728, &s->split_ahead);
	io_f32(io, 6732, &s->split_behind);
	io_f32(io, 6740, &s->time_remaining);
	io_f32(io, 6744, &s->personal_fastest);
	io_f32(io, 6748, &s->world_fastest);
	io_uns(io, 6800, 4, &s->flag_colour);
	io_uns(io, 6808, 4, &s->pit_mode);
	io_f32(io, 6840, &s->fuel_level);
	io_f32(io, 6844, &s->fuel_capacity);
	io_f32(io, 6848, &s->speed);
	for (size_t i = 0; i < 4; i++) {
		io_f32(io, 7136 + i * 4, &s->tyre_wear[i]);
		io_str(io, 19388 + i * P2_TYRE_NAME, P2_TYRE_NAME, s->compound[i]);
	}
	io_f32(io, 7292, &s->ambient);
	io_f32(io, 7296, &s->track_temp);
	io_f32(io, 7300, &s->rain);
	io_u32(io, P2_SHM_SEQ_OFF, &s->sequence);
	io_int(io, 19248, 4, &s->enforced_pit_lap);
	io_str(io, 19252, P2_NAME, s->tr_location);
	io_f32(io, 20572, &s->snow);
	if (io->w == NULL)
		s->has_ams2 = s->version >= 10 && io->n >= P2_SHM_V14_SIZE;
	if (!s->has_ams2)
		return;
	io_uns(io, 20576, 4, &s->session_minutes);
	io_uns(io, 20580, 4, &s->additional_laps);
	io_int(io, 20688, 4, &s->yellow_state);
	io_int(io, 20696, 4, &s->launch_stage);
}

/*
 * Decodes the first n bytes of a `$pcars2$` block: 0, or -1 for a block
 * smaller than P2_SHM_MIN_SIZE or a version below 8. Bytes past
 * P2_SHM_V14_SIZE are not read.
 */
int
p2_shm_decode(const void *buf, size_t n, struct p2_shm *s)
{
	struct io	 io = { buf, NULL, n };

	if (n < P2_SHM_MIN_SIZE || get_le(&io, 0, 4) < 8)
		return -1;
	if (io.n > P2_SHM_V14_SIZE)
		io.n = P2_SHM_V14_SIZE;
	memset(s, 0, sizeof(*s));
	io_shm(&io, s);
	return 0;
}

/*
 * Writes s into out, P2_SHM_V14_SIZE bytes zeroed first; the AMS2 fields
 * only when s->has_ams2.
 */
void
p2_shm_encode(const struct p2_shm *s, unsigned char *out)
{
	struct io	 io = { NULL, out, P2_SHM_V14_SIZE };

	memset(out, 0, P2_SHM_V14_SIZE);
	/* a writing cursor only reads the struct */
	io_shm(&io, (struct p2_shm *)(uintptr_t)s);
}

/* mSequenceNumber of a block of at least P2_SHM_SEQ_OFF + 4 bytes. */
uint32_t
p2_shm_sequence(const void *buf)
{
	struct io	 io = { buf, NULL, P2_SHM_SEQ_OFF + 4 };

	return get_le(&io, P2_SHM_SEQ_OFF, 4);
}
