/*
 * Builds Assetto Corsa server datagrams (spec/ac-udp.md) for the tests and
 * the decoder's benchmark: little-endian fields appended to a byte array.
 *
 *	struct dg d = { 0 };
 *	dg_u8(&d, 58); dg_u8(&d, 3);	(CLIENT_LOADED of car 3)
 */
#ifndef ACSP_BUILD_H
#define ACSP_BUILD_H

#include <stdint.h>
#include <string.h>

struct dg {
	uint8_t	 b[4096];
	size_t	 n;
};

static inline void
dg_u8(struct dg *d, unsigned v)
{
	if (d->n < sizeof(d->b))
		d->b[d->n++] = (uint8_t)v;
}

static inline void
dg_u16(struct dg *d, unsigned v)
{
	dg_u8(d, v & 0xff);
	dg_u8(d, v >> 8 & 0xff);
}

static inline void
dg_u32(struct dg *d, uint32_t v)
{
	dg_u16(d, v & 0xffff);
	dg_u16(d, v >> 16);
}

static inline void
dg_f32(struct dg *d, float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	dg_u32(d, u);
}

static inline void
dg_vec(struct dg *d, float x, float y, float z)
{
	dg_f32(d, x);
	dg_f32(d, y);
	dg_f32(d, z);
}

/* A string of bytes ("A", width 1) or of ASCII code points ("W", width 4). */
static inline void
dg_str(struct dg *d, const char *s, int width)
{
	size_t n = strlen(s);

	dg_u8(d, (unsigned)n);
	for (size_t i = 0; i < n; i++)
		if (width == 4)
			dg_u32(d, (unsigned char)s[i]);
		else
			dg_u8(d, (unsigned char)s[i]);
}
#define dg_a(d, s)	dg_str((d), (s), 1)
#define dg_w(d, s)	dg_str((d), (s), 4)

/* A "W" string of n code points. */
static inline void
dg_w32(struct dg *d, const uint32_t *cp, size_t n)
{
	dg_u8(d, (unsigned)n);
	for (size_t i = 0; i < n; i++)
		dg_u32(d, cp[i]);
}

/* NEW_SESSION (50) or SESSION_INFO (59). */
static inline void
dg_session(struct dg *d, unsigned id, unsigned proto, const char *name, unsigned type,
    int32_t elapsed_ms)
{
	dg_u8(d, id);
	dg_u8(d, proto);
	dg_u8(d, 1);		/* session_index */
	dg_u8(d, 1);		/* current_session_index */
	dg_u8(d, 3);		/* session_count */
	dg_w(d, "Trackside Test Server");
	dg_a(d, "ks_nordschleife");
	dg_a(d, "endurance");
	dg_a(d, name);
	dg_u8(d, type);
	dg_u16(d, 60);		/* time, minutes */
	dg_u16(d, 0);		/* laps */
	dg_u16(d, 60000);	/* wait_time */
	dg_u8(d, 22);
	dg_u8(d, 31);
	dg_a(d, "3_clear");
	dg_u32(d, (uint32_t)elapsed_ms);
}

/* NEW_CONNECTION (51) or CONNECTION_CLOSED (52). */
static inline void
dg_conn(struct dg *d, unsigned id, const char *driver, const char *guid, unsigned car)
{
	dg_u8(d, id);
	dg_w(d, driver);
	dg_w(d, guid);
	dg_u8(d, car);
	dg_a(d, "ks_porsche_911_gt3_r_2016");
	dg_a(d, "00_official");
}

/* CAR_UPDATE (53). */
static inline void
dg_car_update(struct dg *d, unsigned car, float x, float spline)
{
	dg_u8(d, 53);
	dg_u8(d, car);
	dg_vec(d, x, 1.5f, -x);
	dg_vec(d, 40.0f, 0.0f, -2.5f);
	dg_u8(d, 4);
	dg_u16(d, 7200);
	dg_f32(d, spline);
}

/* CAR_INFO (54). */
static inline void
dg_car_info(struct dg *d, unsigned car, int connected, const char *driver)
{
	dg_u8(d, 54);
	dg_u8(d, car);
	dg_u8(d, connected);
	dg_w(d, "ks_porsche_911_gt3_r_2016");
	dg_w(d, "00_official");
	dg_w(d, driver);
	dg_w(d, "Team A");
	dg_w(d, "76561198000000001");
}

/* LAP_COMPLETED (73) with n leaderboard rows of rowlen (7 or 8) bytes. */
static inline void
dg_lap(struct dg *d, unsigned car, uint32_t laptime, unsigned n, int rowlen)
{
	dg_u8(d, 73);
	dg_u8(d, car);
	dg_u32(d, laptime);
	dg_u8(d, 1);		/* cuts */
	dg_u8(d, n);
	for (unsigned i = 0; i < n; i++) {
		dg_u8(d, i);
		dg_u32(d, 100000 * (i + 1));
		dg_u16(d, 10 - i);
		if (rowlen == 8)
			dg_u8(d, i == 0);
	}
	dg_f32(d, 0.98f);
}

/* CHAT (57). */
static inline void
dg_chat(struct dg *d, unsigned car, const char *msg)
{
	dg_u8(d, 57);
	dg_u8(d, car);
	dg_w(d, msg);
}

/* CLIENT_EVENT (130): with another car when ev_type is 10. */
static inline void
dg_event(struct dg *d, unsigned ev_type, unsigned car, unsigned other)
{
	dg_u8(d, 130);
	dg_u8(d, ev_type);
	dg_u8(d, car);
	if (ev_type == 10)
		dg_u8(d, other);
	dg_f32(d, 12.5f);
	dg_vec(d, 100.0f, 2.0f, -50.0f);
	dg_vec(d, 0.5f, 0.0f, 1.0f);
}

#endif
