/*
 * The Assetto Corsa server's UDP plugin protocol (spec/ac-udp.md): one
 * message per datagram, little-endian, no framing. The decoder reads every
 * field with bounds checks and turns the datagram into a struct acsp_msg or
 * names what is wrong with it; acsp_json() writes the event of docs/ac.md.
 * No I/O here: src_ac.c does the sockets.
 */
#include <math.h>
#include <string.h>

#include "acsp.h"

const char *const acsp_result_names[ACSP__MAX] = {
	"ok",
	"empty datagram",
	"unknown message id",
	"truncated message",
	"trailing bytes",
	"leaderboard rows fit no layout",
};

/* A cursor over one datagram; bad is set by the first read past its end. */
struct rd {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
	int		 bad;
};

static int
rd_need(struct rd *r, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = 1;
		return 0;
	}
	return 1;
}

static uint8_t
rd_u8(struct rd *r)
{
	return rd_need(r, 1) ? r->p[r->off++] : 0;
}

static uint16_t
rd_u16(struct rd *r)
{
	uint16_t v;

	if (!rd_need(r, 2))
		return 0;
	v = (uint16_t)(r->p[r->off] | r->p[r->off + 1] << 8);
	r->off += 2;
	return v;
}

static uint32_t
rd_u32(struct rd *r)
{
	uint32_t v;

	if (!rd_need(r, 4))
		return 0;
	v = (uint32_t)r->p[r->off] | (uint32_t)r->p[r->off + 1] << 8 |
	    (uint32_t)r->p[r->off + 2] << 16 | (uint32_t)r->p[r->off + 3] << 24;
	r->off += 4;
	return v;
}

static float
rd_f32(struct rd *r)
{
	uint32_t	 u = rd_u32(r);
	float		 f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static void
rd_vec(struct rd *r, struct acsp_vec *v)
{
	v->x = rd_f32(r);
	v->y = rd_f32(r);
	v->z = rd_f32(r);
}

/* Appends code point cp as UTF-8 at s + *len. */
static void
utf8_put(char *s, size_t *len, uint32_t cp)
{
	char *o = s + *len;

	if (cp < 0x80)
		*o++ = (char)cp;
	else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	*len = (size_t)(o - s);
}

/*
 * An "A" string: a length byte, then bytes. Kept when they are UTF-8 (ASCII
 * in practice); otherwise every byte above 0x7f becomes U+FFFD.
 */
static void
rd_astr(struct rd *r, struct acsp_str *out)
{
	size_t n = rd_u8(r);

	out->len = 0;
	out->s[0] = '\0';
	if (!rd_need(r, n))
		return;
	const char *src = (const char *)r->p + r->off;
	if (jscan_utf8_valid(src, n)) {
		memcpy(out->s, src, n);
		out->len = n;
	} else
		for (size_t i = 0; i < n; i++)
			utf8_put(out->s, &out->len, (unsigned char)src[i] < 0x80 ?
			    (unsigned char)src[i] : 0xfffd);
	out->s[out->len] = '\0';
	r->off += n;
}

/*
 * A "W" string: a length byte (code points), then 4 bytes each, UTF-32LE
 * without a BOM. Surrogates and values past U+10FFFF become U+FFFD.
 */
static void
rd_wstr(struct rd *r, struct acsp_str *out)
{
	size_t n = rd_u8(r);

	out->len = 0;
	out->s[0] = '\0';
	if (!rd_need(r, n * 4))
		return;
	for (size_t i = 0; i < n; i++) {
		uint32_t cp = rd_u32(r);
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			cp = 0xfffd;
		utf8_put(out->s, &out->len, cp);
	}
	out->s[out->len] = '\0';
}

static void
dec_session(struct rd *r, struct acsp_session *s)
{
	s->proto_version = rd_u8(r);
	s->session_index = rd_u8(r);
	s->current_session_index = rd_u8(r);
	s->session_count = rd_u8(r);
	rd_wstr(r, &s->server_name);
	rd_astr(r, &s->track);
	rd_astr(r, &s->track_config);
	rd_astr(r, &s->session_name);
	s->session_type = rd_u8(r);
	s->time = rd_u16(r);
	s->laps = rd_u16(r);
	s->wait_time = rd_u16(r);
	s->ambient_temp = rd_u8(r);
	s->road_temp = rd_u8(r);
	rd_astr(r, &s->weather_graphics);
	s->elapsed_ms = (int32_t)rd_u32(r);
}

/*
 * LAP_COMPLETED: 7-byte leaderboard rows before protocol 4, 8-byte rows
 * (with "finished") from 4 on; when no version was seen yet, the layout
 * whose rows fill the datagram exactly.
 */
static enum acsp_result
dec_lap(struct acsp_dec *d, struct rd *r, struct acsp_lap *l)
{
	size_t	 row, n;

	l->car_id = rd_u8(r);
	l->laptime_ms = rd_u32(r);
	l->cuts = rd_u8(r);
	l->nrows = rd_u8(r);
	if (r->bad || r->len - r->off < 4)
		return ACSP_TRUNCATED;
	n = l->nrows;
	/* what is left: n rows and the grip level */
	if (d->proto >= 4)
		row = 8;
	else if (d->proto > 0)
		row = 7;
	else if (r->len - r->off == n * 8 + 4)
		row = 8;
	else if (r->len - r->off == n * 7 + 4)
		row = 7;
	else
		return ACSP_BAD_ROWS;
	if (r->len - r->off != n * row + 4)
		return ACSP_BAD_ROWS;
	l->has_finished = row == 8;
	for (size_t i = 0; i < n; i++) {
		l->rows[i].car_id = rd_u8(r);
		l->rows[i].time_ms = rd_u32(r);
		l->rows[i].laps = rd_u16(r);
		l->rows[i].finished = row == 8 ? rd_u8(r) : 0;
	}
	l->grip_level = rd_f32(r);
	return ACSP_OK;
}

/*
 * Decodes one datagram of len bytes into m. d keeps the protocol version
 * across calls (VERSION, NEW_SESSION and SESSION_INFO set it). Returns
 * ACSP_OK, or what is wrong with the datagram (m is then undefined).
 */
enum acsp_result
acsp_decode(struct acsp_dec *d, const void *p, size_t len, struct acsp_msg *m)
{
	struct rd		 r = { p, len, 1, 0 };
	enum acsp_result	 rc;

	if (len == 0)
		return ACSP_EMPTY;
	m->id = r.p[0];
	switch (m->id) {
	case ACSP_NEW_SESSION:
	case ACSP_SESSION_INFO:
		dec_session(&r, &m->u.session);
		break;
	case ACSP_NEW_CONNECTION:
	case ACSP_CONNECTION_CLOSED:
		rd_wstr(&r, &m->u.conn.driver_name);
		rd_wstr(&r, &m->u.conn.driver_guid);
		m->u.conn.car_id = rd_u8(&r);
		rd_astr(&r, &m->u.conn.car_model);
		rd_astr(&r, &m->u.conn.car_skin);
		break;
	case ACSP_CAR_UPDATE:
		m->u.car.car_id = rd_u8(&r);
		rd_vec(&r, &m->u.car.pos);
		rd_vec(&r, &m->u.car.velocity);
		m->u.car.gear = rd_u8(&r);
		m->u.car.engine_rpm = rd_u16(&r);
		m->u.car.normalized_spline_pos = rd_f32(&r);
		break;
	case ACSP_CAR_INFO:
		m->u.info.car_id = rd_u8(&r);
		m->u.info.is_connected = rd_u8(&r);
		rd_wstr(&r, &m->u.info.car_model);
		rd_wstr(&r, &m->u.info.car_skin);
		rd_wstr(&r, &m->u.info.driver_name);
		rd_wstr(&r, &m->u.info.driver_team);
		rd_wstr(&r, &m->u.info.driver_guid);
		break;
	case ACSP_END_SESSION:
	case ACSP_ERROR:
		rd_wstr(&r, &m->u.text);
		break;
	case ACSP_VERSION:
		m->u.protocol_version = rd_u8(&r);
		break;
	case ACSP_CHAT:
		m->u.chat.car_id = rd_u8(&r);
		rd_wstr(&r, &m->u.chat.message);
		break;
	case ACSP_CLIENT_LOADED:
		m->u.car_id = rd_u8(&r);
		break;
	case ACSP_LAP_COMPLETED:
		if ((rc = dec_lap(d, &r, &m->u.lap)) != ACSP_OK)
			return rc;
		break;
	case ACSP_CLIENT_EVENT:
		m->u.ev.ev_type = rd_u8(&r);
		m->u.ev.car_id = rd_u8(&r);
		m->u.ev.other_car_id = m->u.ev.ev_type == ACSP_CE_COLLISION_WITH_CAR ?
		    rd_u8(&r) : 0;
		m->u.ev.impact_speed = rd_f32(&r);
		rd_vec(&r, &m->u.ev.world_pos);
		rd_vec(&r, &m->u.ev.rel_pos);
		break;
	default:
		return ACSP_UNKNOWN;
	}
	if (r.bad)
		return ACSP_TRUNCATED;
	if (r.off != len)
		return ACSP_TRAILING;
	if (m->id == ACSP_VERSION)
		d->proto = m->u.protocol_version;
	else if (m->id == ACSP_NEW_SESSION || m->id == ACSP_SESSION_INFO)
		d->proto = m->u.session.proto_version;
	return ACSP_OK;
}

/* The message's name as in the spec's table, NULL for an unknown id. */
const char *
acsp_name(int id)
{
	switch (id) {
	case ACSP_NEW_SESSION: return "ACSP_NEW_SESSION";
	case ACSP_NEW_CONNECTION: return "ACSP_NEW_CONNECTION";
	case ACSP_CONNECTION_CLOSED: return "ACSP_CONNECTION_CLOSED";
	case ACSP_CAR_UPDATE: return "ACSP_CAR_UPDATE";
	case ACSP_CAR_INFO: return "ACSP_CAR_INFO";
	case ACSP_END_SESSION: return "ACSP_END_SESSION";
	case ACSP_VERSION: return "ACSP_VERSION";
	case ACSP_CHAT: return "ACSP_CHAT";
	case ACSP_CLIENT_LOADED: return "ACSP_CLIENT_LOADED";
	case ACSP_SESSION_INFO: return "ACSP_SESSION_INFO";
	case ACSP_ERROR: return "ACSP_ERROR";
	case ACSP_LAP_COMPLETED: return "ACSP_LAP_COMPLETED";
	case ACSP_CLIENT_EVENT: return "ACSP_CLIENT_EVENT";
	default: return NULL;
	}
}

/* ,"key":"string" */
static int
js_str(struct buf *b, const char *key, const struct acsp_str *s)
{
	return buf_printf(b, ",\"%s\":\"", key) < 0 || esc_json(b, s->s, s->len) < 0 ||
	    buf_putc(b, '"') < 0 ? -1 : 1;
}

/* ,"key":n */
static int
js_int(struct buf *b, const char *key, long long v)
{
	return buf_printf(b, ",\"%s\":%lld", key, v);
}

/* A float as JSON: null when it is not a finite number. */
static int
js_float(struct buf *b, float f)
{
	return isfinite(f) ? buf_printf(b, "%.9g", (double)f) : buf_puts(b, "null");
}

static int
js_num(struct buf *b, const char *key, float f)
{
	return buf_printf(b, ",\"%s\":", key) < 0 ? -1 : js_float(b, f);
}

static int
js_vec(struct buf *b, const char *key, const struct acsp_vec *v)
{
	if (buf_printf(b, ",\"%s\":[", key) < 0 || js_float(b, v->x) < 0 ||
	    buf_putc(b, ',') < 0 || js_float(b, v->y) < 0 || buf_putc(b, ',') < 0 ||
	    js_float(b, v->z) < 0 || buf_putc(b, ']') < 0)
		return -1;
	return 1;
}

static int
js_session(struct buf *b, const struct acsp_session *s)
{
	if (js_int(b, "proto_version", s->proto_version) < 0 ||
	    js_int(b, "session_index", s->session_index) < 0 ||
	    js_int(b, "current_session_index", s->current_session_index) < 0 ||
	    js_int(b, "session_count", s->session_count) < 0 ||
	    js_str(b, "server_name", &s->server_name) < 0 ||
	    js_str(b, "track", &s->track) < 0 ||
	    js_str(b, "track_config", &s->track_config) < 0 ||
	    js_str(b, "session_name", &s->session_name) < 0 ||
	    js_int(b, "session_type", s->session_type) < 0 ||
	    js_int(b, "time", s->time) < 0 || js_int(b, "laps", s->laps) < 0 ||
	    js_int(b, "wait_time", s->wait_time) < 0 ||
	    js_int(b, "ambient_temp", s->ambient_temp) < 0 ||
	    js_int(b, "road_temp", s->road_temp) < 0 ||
	    js_str(b, "weather_graphics", &s->weather_graphics) < 0 ||
	    js_int(b, "elapsed_ms", s->elapsed_ms) < 0)
		return -1;
	return 1;
}

static int
js_fields(struct buf *b, const struct acsp_msg *m)
{
	const struct acsp_lap *l = &m->u.lap;

	switch (m->id) {
	case ACSP_NEW_SESSION:
	case ACSP_SESSION_INFO:
		return js_session(b, &m->u.session);
	case ACSP_NEW_CONNECTION:
	case ACSP_CONNECTION_CLOSED:
		if (js_str(b, "driver_name", &m->u.conn.driver_name) < 0 ||
		    js_str(b, "driver_guid", &m->u.conn.driver_guid) < 0 ||
		    js_int(b, "car_id", m->u.conn.car_id) < 0 ||
		    js_str(b, "car_model", &m->u.conn.car_model) < 0 ||
		    js_str(b, "car_skin", &m->u.conn.car_skin) < 0)
			return -1;
		return 1;
	case ACSP_CAR_UPDATE:
		if (js_int(b, "car_id", m->u.car.car_id) < 0 ||
		    js_vec(b, "pos", &m->u.car.pos) < 0 ||
		    js_vec(b, "velocity", &m->u.car.velocity) < 0 ||
		    js_int(b, "gear", m->u.car.gear) < 0 ||
		    js_int(b, "engine_rpm", m->u.car.engine_rpm) < 0 ||
		    js_num(b, "normalized_spline_pos", m->u.car.normalized_spline_pos) < 0)
			return -1;
		return 1;
	case ACSP_CAR_INFO:
		if (js_int(b, "car_id", m->u.info.car_id) < 0 ||
		    buf_printf(b, ",\"is_connected\":%s", m->u.info.is_connected ? "true" :
		    "false") < 0 ||
		    js_str(b, "car_model", &m->u.info.car_model) < 0 ||
		    js_str(b, "car_skin", &m->u.info.car_skin) < 0 ||
		    js_str(b, "driver_name", &m->u.info.driver_name) < 0 ||
		    js_str(b, "driver_team", &m->u.info.driver_team) < 0 ||
		    js_str(b, "driver_guid", &m->u.info.driver_guid) < 0)
			return -1;
		return 1;
	case ACSP_END_SESSION:
		return js_str(b, "results_json_path", &m->u.text);
	case ACSP_ERROR:
		return js_str(b, "message", &m->u.text);
	case ACSP_VERSION:
		return js_int(b, "protocol_version", m->u.protocol_version);
	case ACSP_CHAT:
		if (js_int(b, "car_id", m->u.chat.car_id) < 0 ||
		    js_str(b, "message", &m->u.chat.message) < 0)
			return -1;
		return 1;
	case ACSP_CLIENT_LOADED:
		return js_int(b, "car_id", m->u.car_id);
	case ACSP_LAP_COMPLETED:
		if (js_int(b, "car_id", l->car_id) < 0 ||
		    js_int(b, "laptime_ms", l->laptime_ms) < 0 ||
		    js_int(b, "cuts", l->cuts) < 0 || buf_puts(b, ",\"leaderboard\":[") < 0)
			return -1;
		for (size_t i = 0; i < l->nrows; i++) {
			const struct acsp_row *w = &l->rows[i];
			if (buf_printf(b, "%s{\"car_id\":%u,\"time_ms\":%lu,\"laps\":%u", i ? "," : "",
			    w->car_id, (unsigned long)w->time_ms, w->laps) < 0 ||
			    (l->has_finished && js_int(b, "finished", w->finished) < 0) ||
			    buf_putc(b, '}') < 0)
				return -1;
		}
		if (buf_putc(b, ']') < 0 || js_num(b, "grip_level", l->grip_level) < 0)
			return -1;
		return 1;
	case ACSP_CLIENT_EVENT:
		if (js_int(b, "ev_type", m->u.ev.ev_type) < 0 ||
		    js_int(b, "car_id", m->u.ev.car_id) < 0 ||
		    (m->u.ev.ev_type == ACSP_CE_COLLISION_WITH_CAR &&
		    js_int(b, "other_car_id", m->u.ev.other_car_id) < 0) ||
		    js_num(b, "impact_speed", m->u.ev.impact_speed) < 0 ||
		    js_vec(b, "world_pos", &m->u.ev.world_pos) < 0 ||
		    js_vec(b, "rel_pos", &m->u.ev.rel_pos) < 0)
			return -1;
		return 1;
	default:
		return -1;
	}
}

/*
 * Appends the JSON event of docs/ac.md for message m, decoded from the len
 * bytes at raw that arrived at at_ms (wall clock, ms since the epoch).
 * Returns 1 or -1.
 */
int
acsp_json(struct buf *b, long long at_ms, const struct acsp_msg *m, const void *raw,
    size_t len)
{
	const char *name = acsp_name(m->id);

	if (name == NULL ||
	    buf_printf(b, "{\"at_ms\":%lld,\"type\":\"%s\"", at_ms, name) < 0 ||
	    js_fields(b, m) < 0 || buf_puts(b, ",\"raw\":\"") < 0 ||
	    b64_encode(b, raw, len) < 0 || buf_puts(b, "\"}") < 0)
		return -1;
	return 1;
}

/* 200 REALTIMEPOS_INTERVAL: CAR_UPDATE every ms milliseconds (0 = off). */
size_t
acsp_req_interval(uint8_t out[3], unsigned ms)
{
	out[0] = ACSP_REALTIMEPOS_INTERVAL;
	out[1] = (uint8_t)(ms & 0xff);
	out[2] = (uint8_t)(ms >> 8 & 0xff);
	return 3;
}

/* 201 GET_CAR_INFO of one slot. */
size_t
acsp_req_car_info(uint8_t out[2], unsigned car_id)
{
	out[0] = ACSP_GET_CAR_INFO;
	out[1] = (uint8_t)car_id;
	return 2;
}

/* 204 GET_SESSION_INFO: index is an i16, -1 = the current session. */
size_t
acsp_req_session_info(uint8_t out[3], int index)
{
	uint16_t u = (uint16_t)(int16_t)index;

	out[0] = ACSP_GET_SESSION_INFO;
	out[1] = (uint8_t)(u & 0xff);
	out[2] = (uint8_t)(u >> 8);
	return 3;
}

/*
 * 203 BROADCAST_CHAT: the len bytes of UTF-8 at utf8 as a W string
 * (UTF-32LE, no BOM). Returns the request's length, 0 when utf8 is not
 * valid UTF-8 or longer than 255 code points.
 */
size_t
acsp_req_broadcast_chat(uint8_t out[ACSP_CHAT_MAX], const char *utf8, size_t len)
{
	const unsigned char	*p = (const unsigned char *)utf8, *end = p + len;
	size_t			 n = 0, o = 2;

	if (!jscan_utf8_valid(utf8, len))
		return 0;
	out[0] = ACSP_BROADCAST_CHAT;
	while (p < end) {
		uint32_t cp;
		if (*p < 0x80)
			cp = *p++;
		else if (*p < 0xe0) {
			cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
			p += 2;
		} else if (*p < 0xf0) {
			cp = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 |
			    (p[2] & 0x3f);
			p += 3;
		} else {
			cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
			    (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
			p += 4;
		}
		if (++n > 255)
			return 0;
		out[o++] = (uint8_t)cp;
		out[o++] = (uint8_t)(cp >> 8);
		out[o++] = (uint8_t)(cp >> 16);
		out[o++] = (uint8_t)(cp >> 24);
	}
	out[1] = (uint8_t)n;
	return o;
}
