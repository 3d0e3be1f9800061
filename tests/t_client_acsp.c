/*
 * The Assetto Corsa datagram decoder and request encoder (client/acsp.c):
 * every message's fields, both leaderboard row layouts, W and A strings,
 * the signed elapsed time, each kind of malformed datagram, the JSON events
 * of docs/ac.md and the requests byte for byte.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "acsp.h"
#include "acsp_build.h"
#include "tap.h"

static struct acsp_msg m;

static enum acsp_result
dec(struct acsp_dec *d, const struct dg *g)
{
	return acsp_decode(d, g->b, g->n, &m);
}

static int
str_is(const struct acsp_str *s, const char *want)
{
	return s->len == strlen(want) && memcmp(s->s, want, s->len) == 0;
}

/* The JSON event of the last decoded message; a static buffer. */
static const char *
json_of(const struct dg *g)
{
	static struct buf b;

	buf_reset(&b);
	if (acsp_json(&b, 1764995405123LL, &m, g->b, g->n) < 0)
		return "";
	return b.p;
}

static int
json_valid(const char *s)
{
	struct jspan v;

	return jscan_document(s, strlen(s), &v) && v.type == JT_OBJECT;
}

static void
t_session(void)
{
	struct acsp_dec	 d = { 0 };
	struct dg	 g = { 0 };

	dg_session(&g, ACSP_NEW_SESSION, 4, "Race", 3, -5000);
	ok(dec(&d, &g) == ACSP_OK && m.id == ACSP_NEW_SESSION, "NEW_SESSION decodes");
	ok(m.u.session.proto_version == 4 && m.u.session.session_index == 1 &&
	    m.u.session.current_session_index == 1 && m.u.session.session_count == 3,
	    "NEW_SESSION: version and indices");
	ok(str_is(&m.u.session.server_name, "Trackside Test Server") &&
	    str_is(&m.u.session.track, "ks_nordschleife") &&
	    str_is(&m.u.session.track_config, "endurance") &&
	    str_is(&m.u.session.session_name, "Race") &&
	    str_is(&m.u.session.weather_graphics, "3_clear"), "NEW_SESSION: W and A strings");
	ok(m.u.session.session_type == 3 && m.u.session.time == 60 && m.u.session.laps == 0 &&
	    m.u.session.wait_time == 60000 && m.u.session.ambient_temp == 22 &&
	    m.u.session.road_temp == 31, "NEW_SESSION: type, time, laps, wait, temperatures");
	ok(m.u.session.elapsed_ms == -5000, "elapsed_ms is signed (%d)",
	    (int)m.u.session.elapsed_ms);
	ok(d.proto == 4, "NEW_SESSION sets the protocol version");
	const char *j = json_of(&g);
	ok(json_valid(j) && strstr(j, "\"type\":\"ACSP_NEW_SESSION\"") &&
	    strstr(j, "\"elapsed_ms\":-5000,") && strstr(j, "\"server_name\":\"Trackside Test "
	    "Server\"") && strncmp(j, "{\"at_ms\":1764995405123,", 23) == 0,
	    "NEW_SESSION JSON: %.120s", j);
	g.n = 0;
	dg_session(&g, ACSP_SESSION_INFO, 2, "Qualify", 2, 123456);
	ok(dec(&d, &g) == ACSP_OK && m.id == ACSP_SESSION_INFO && m.u.session.elapsed_ms ==
	    123456 && d.proto == 2, "SESSION_INFO decodes and sets the version");
}

static void
t_messages(void)
{
	struct acsp_dec	 d = { 4 };
	struct dg	 g = { 0 };
	const char	*j;

	dg_conn(&g, ACSP_NEW_CONNECTION, "Max Driver", "76561198000000001", 7);
	ok(dec(&d, &g) == ACSP_OK && m.id == ACSP_NEW_CONNECTION &&
	    str_is(&m.u.conn.driver_name, "Max Driver") &&
	    str_is(&m.u.conn.driver_guid, "76561198000000001") && m.u.conn.car_id == 7 &&
	    str_is(&m.u.conn.car_model, "ks_porsche_911_gt3_r_2016") &&
	    str_is(&m.u.conn.car_skin, "00_official"), "NEW_CONNECTION: all fields");
	g.n = 0;
	dg_conn(&g, ACSP_CONNECTION_CLOSED, "Max Driver", "0", 7);
	ok(dec(&d, &g) == ACSP_OK && m.id == ACSP_CONNECTION_CLOSED &&
	    str_is(&m.u.conn.driver_guid, "0"), "CONNECTION_CLOSED: all fields");

	g.n = 0;
	dg_car_update(&g, 12, 250.25f, 0.5f);
	ok(dec(&d, &g) == ACSP_OK && m.u.car.car_id == 12 && m.u.car.pos.x == 250.25f &&
	    m.u.car.pos.y == 1.5f && m.u.car.pos.z == -250.25f && m.u.car.velocity.x == 40.0f &&
	    m.u.car.velocity.z == -2.5f && m.u.car.gear == 4 && m.u.car.engine_rpm == 7200 &&
	    m.u.car.normalized_spline_pos == 0.5f, "CAR_UPDATE: all fields");
	j = json_of(&g);
	ok(json_valid(j) && strstr(j, "\"pos\":[250.25,1.5,-250.25],\"velocity\":[40,0,-2.5],"
	    "\"gear\":4,\"engine_rpm\":7200,\"normalized_spline_pos\":0.5,\"raw\":\""),
	    "CAR_UPDATE JSON: %s", j);
	/* a NaN from the wire is not JSON: null */
	g.b[g.n - 1] = 0x7f;
	g.b[g.n - 2] = 0xc0;
	ok(dec(&d, &g) == ACSP_OK && isnan(m.u.car.normalized_spline_pos) &&
	    json_valid(json_of(&g)) && strstr(json_of(&g), "\"normalized_spline_pos\":null"),
	    "a NaN becomes null");

	g.n = 0;
	dg_car_info(&g, 3, 1, "Ann Other");
	ok(dec(&d, &g) == ACSP_OK && m.u.info.car_id == 3 && m.u.info.is_connected == 1 &&
	    str_is(&m.u.info.car_model, "ks_porsche_911_gt3_r_2016") &&
	    str_is(&m.u.info.car_skin, "00_official") &&
	    str_is(&m.u.info.driver_name, "Ann Other") &&
	    str_is(&m.u.info.driver_team, "Team A") &&
	    str_is(&m.u.info.driver_guid, "76561198000000001"), "CAR_INFO: all fields");
	j = json_of(&g);
	ok(json_valid(j) && strstr(j, "\"car_id\":3,\"is_connected\":true,"), "CAR_INFO JSON");

	g.n = 0;
	dg_u8(&g, ACSP_END_SESSION);
	dg_w(&g, "results/2016_7_24_23_34_RACE.json");
	ok(dec(&d, &g) == ACSP_OK && str_is(&m.u.text, "results/2016_7_24_23_34_RACE.json") &&
	    strstr(json_of(&g), "\"results_json_path\":\"results/2016_7_24_23_34_RACE.json\""),
	    "END_SESSION: results path");

	g.n = 0;
	dg_u8(&g, ACSP_VERSION);
	dg_u8(&g, 4);
	d.proto = 0;
	ok(dec(&d, &g) == ACSP_OK && m.u.protocol_version == 4 && d.proto == 4 &&
	    strcmp(json_of(&g), "{\"at_ms\":1764995405123,\"type\":\"ACSP_VERSION\","
	    "\"protocol_version\":4,\"raw\":\"OAQ=\"}") == 0, "VERSION: %s", json_of(&g));

	g.n = 0;
	dg_chat(&g, 5, "box \"now\"");
	ok(dec(&d, &g) == ACSP_OK && m.u.chat.car_id == 5 &&
	    str_is(&m.u.chat.message, "box \"now\"") &&
	    strstr(json_of(&g), "\"car_id\":5,\"message\":\"box \\\"now\\\"\""), "CHAT: %s",
	    json_of(&g));

	g.n = 0;
	dg_u8(&g, ACSP_CLIENT_LOADED);
	dg_u8(&g, 9);
	ok(dec(&d, &g) == ACSP_OK && m.u.car_id == 9 &&
	    strcmp(json_of(&g), "{\"at_ms\":1764995405123,\"type\":\"ACSP_CLIENT_LOADED\","
	    "\"car_id\":9,\"raw\":\"Ogk=\"}") == 0, "CLIENT_LOADED: %s", json_of(&g));

	g.n = 0;
	dg_u8(&g, ACSP_ERROR);
	dg_w(&g, "ACSP_KICK_USER index 40 out of bound");
	ok(dec(&d, &g) == ACSP_OK && m.id == ACSP_ERROR &&
	    str_is(&m.u.text, "ACSP_KICK_USER index 40 out of bound") &&
	    strstr(json_of(&g), "\"message\":\"ACSP_KICK_USER index 40"), "ERROR: message");

	g.n = 0;
	dg_event(&g, ACSP_CE_COLLISION_WITH_CAR, 2, 6);
	ok(dec(&d, &g) == ACSP_OK && m.u.ev.ev_type == 10 && m.u.ev.car_id == 2 &&
	    m.u.ev.other_car_id == 6 && m.u.ev.impact_speed == 12.5f &&
	    m.u.ev.world_pos.x == 100.0f && m.u.ev.world_pos.z == -50.0f &&
	    m.u.ev.rel_pos.z == 1.0f, "CLIENT_EVENT with a car: all fields");
	ok(strstr(json_of(&g), "\"ev_type\":10,\"car_id\":2,\"other_car_id\":6,"
	    "\"impact_speed\":12.5,\"world_pos\":[100,2,-50],\"rel_pos\":[0.5,0,1]") != NULL,
	    "CLIENT_EVENT with a car: JSON");
	g.n = 0;
	dg_event(&g, ACSP_CE_COLLISION_WITH_ENV, 2, 0);
	ok(dec(&d, &g) == ACSP_OK && m.u.ev.ev_type == 11 && m.u.ev.impact_speed == 12.5f &&
	    strstr(json_of(&g), "other_car_id") == NULL, "CLIENT_EVENT with the environment: "
	    "no other car");
}

static void
t_leaderboard(void)
{
	struct acsp_dec	 d = { 0 };
	struct dg	 g = { 0 };
	const char	*j;

	dg_lap(&g, 1, 91234, 3, 7);
	ok(dec(&d, &g) == ACSP_OK && !m.u.lap.has_finished && m.u.lap.nrows == 3 &&
	    m.u.lap.car_id == 1 && m.u.lap.laptime_ms == 91234 && m.u.lap.cuts == 1 &&
	    m.u.lap.rows[2].car_id == 2 && m.u.lap.rows[2].time_ms == 300000 &&
	    m.u.lap.rows[2].laps == 8 && m.u.lap.grip_level == 0.98f,
	    "version unknown: 7-byte rows when they add up");
	j = json_of(&g);
	ok(json_valid(j) && strstr(j, "\"leaderboard\":[{\"car_id\":0,\"time_ms\":100000,"
	    "\"laps\":10},") && strstr(j, "finished") == NULL, "7-byte rows: no finished in "
	    "JSON");
	g.n = 0;
	dg_lap(&g, 1, 91234, 3, 8);
	ok(dec(&d, &g) == ACSP_OK && m.u.lap.has_finished && m.u.lap.rows[0].finished == 1 &&
	    m.u.lap.rows[1].finished == 0 && m.u.lap.rows[2].laps == 8 &&
	    m.u.lap.grip_level == 0.98f, "version unknown: 8-byte rows when they add up");
	j = json_of(&g);
	ok(json_valid(j) && strstr(j, "{\"car_id\":0,\"time_ms\":100000,\"laps\":10,"
	    "\"finished\":1}"), "8-byte rows: finished in JSON");
	/* 7 rows of 8 bytes = 8 rows of 7: the version decides */
	g.n = 0;
	dg_lap(&g, 1, 91234, 7, 8);
	g.b[7] = 8;
	ok(dec(&d, &g) == ACSP_OK && m.u.lap.nrows == 8 && !m.u.lap.has_finished,
	    "version unknown, 56 bytes of 8 rows: 7-byte rows");
	g.b[7] = 7;
	d.proto = 4;
	ok(dec(&d, &g) == ACSP_OK && m.u.lap.nrows == 7 && m.u.lap.has_finished &&
	    m.u.lap.rows[0].finished == 1, "version 4: 8-byte rows");
	g.n = 0;
	dg_lap(&g, 1, 91234, 3, 7);
	ok(dec(&d, &g) == ACSP_BAD_ROWS, "version 4 with 7-byte rows: bad rows");
	d.proto = 2;
	ok(dec(&d, &g) == ACSP_OK && !m.u.lap.has_finished, "version 2: 7-byte rows");
	g.n = 0;
	dg_lap(&g, 1, 91234, 3, 8);
	ok(dec(&d, &g) == ACSP_BAD_ROWS, "version 2 with 8-byte rows: bad rows");
	d.proto = 0;
	g.n = 0;
	dg_lap(&g, 1, 91234, 3, 8);
	g.n -= 2;
	ok(dec(&d, &g) == ACSP_BAD_ROWS, "rows that fit no layout: bad rows");
	g.n = 0;
	dg_lap(&g, 1, 91234, 0, 8);
	ok(dec(&d, &g) == ACSP_OK && m.u.lap.nrows == 0, "an empty leaderboard");
}

static void
t_strings(void)
{
	struct acsp_dec	 d = { 4 };
	struct dg	 g = { 0 };
	static const uint32_t name[] = { 'J', 0xe9, 0x6f22, 0x1f600 };
	static const uint32_t bad[] = { 'a', 0xd800, 0x110000, 0xffffffffu, 'b' };

	dg_u8(&g, ACSP_CHAT);
	dg_u8(&g, 1);
	dg_w32(&g, name, 4);
	ok(dec(&d, &g) == ACSP_OK && str_is(&m.u.chat.message, "J\xc3\xa9\xe6\xbc\xa2"
	    "\xf0\x9f\x98\x80"), "W string: non-ASCII code points as UTF-8");
	ok(strstr(json_of(&g), "\"message\":\"J\xc3\xa9\xe6\xbc\xa2\xf0\x9f\x98\x80\"") != NULL,
	    "W string: UTF-8 in the JSON");
	g.n = 0;
	dg_u8(&g, ACSP_CHAT);
	dg_u8(&g, 1);
	dg_w32(&g, bad, 5);
	ok(dec(&d, &g) == ACSP_OK && str_is(&m.u.chat.message, "a\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd" "b"), "W string: surrogates and values past U+10FFFF become U+FFFD");
	ok(json_valid(json_of(&g)), "... and the JSON stays valid");
	g.n = 0;
	dg_conn(&g, ACSP_NEW_CONNECTION, "x", "1", 1);
	g.b[g.n - 13] = 0xff;	/* the model's last byte: not UTF-8 */
	ok(dec(&d, &g) == ACSP_OK && strstr(m.u.conn.car_model.s, "\xef\xbf\xbd") != NULL &&
	    json_valid(json_of(&g)), "A string: bytes that are not UTF-8 become U+FFFD");
	g.n = 0;
	dg_u8(&g, ACSP_CHAT);
	dg_u8(&g, 1);
	dg_u8(&g, 0);
	ok(dec(&d, &g) == ACSP_OK && m.u.chat.message.len == 0, "an empty W string");
}

static void
t_malformed(void)
{
	struct acsp_dec	 d = { 0 };
	struct dg	 g = { 0 };

	ok(acsp_decode(&d, "", 0, &m) == ACSP_EMPTY, "no bytes: empty");
	dg_u8(&g, 99);
	dg_u8(&g, 1);
	ok(dec(&d, &g) == ACSP_UNKNOWN, "id 99: unknown");
	g.n = 0;
	dg_u8(&g, ACSP_GET_CAR_INFO);
	dg_u8(&g, 1);
	ok(dec(&d, &g) == ACSP_UNKNOWN, "a request id from the server: unknown");
	g.n = 0;
	dg_car_update(&g, 1, 1.0f, 0.1f);
	for (size_t n = 1; n < g.n; n++)
		if (acsp_decode(&d, g.b, n, &m) != ACSP_TRUNCATED) {
			ok(0, "CAR_UPDATE cut at %zu bytes: truncated", n);
			goto trailing;
		}
	ok(1, "CAR_UPDATE cut anywhere: truncated");
trailing:
	g.b[g.n++] = 0;
	ok(dec(&d, &g) == ACSP_TRAILING, "CAR_UPDATE with a byte more: trailing");
	g.n = 0;
	dg_session(&g, ACSP_NEW_SESSION, 7, "Race", 3, 0);
	g.n -= 1;
	ok(dec(&d, &g) == ACSP_TRUNCATED && d.proto == 0,
	    "a truncated NEW_SESSION: truncated, the version is not taken");
	g.n = 0;
	dg_u8(&g, ACSP_CHAT);
	dg_u8(&g, 1);
	dg_u8(&g, 200);		/* 200 code points announced, none there */
	ok(dec(&d, &g) == ACSP_TRUNCATED, "a W string longer than the datagram: truncated");
	g.n = 0;
	dg_u8(&g, ACSP_VERSION);
	ok(dec(&d, &g) == ACSP_TRUNCATED, "VERSION without its byte: truncated");
	g.n = 0;
	dg_u8(&g, ACSP_LAP_COMPLETED);
	dg_u8(&g, 1);
	ok(dec(&d, &g) == ACSP_TRUNCATED, "a LAP_COMPLETED header cut short: truncated");
	g.n = 0;
	dg_event(&g, 10, 1, 2);
	g.n--;
	ok(dec(&d, &g) == ACSP_TRUNCATED, "CLIENT_EVENT with a car, one byte short: truncated");
	for (int i = 0; i < ACSP__MAX; i++)
		if (acsp_result_names[i] == NULL)
			ok(0, "result %d has a name", i);
}

static void
t_requests(void)
{
	uint8_t		 b[ACSP_CHAT_MAX];
	char		 longs[300];

	ok(acsp_req_interval(b, 1000) == 3 && memcmp(b, "\xc8\xe8\x03", 3) == 0,
	    "REALTIMEPOS_INTERVAL 1000: c8 e8 03");
	ok(acsp_req_car_info(b, 17) == 2 && memcmp(b, "\xc9\x11", 2) == 0,
	    "GET_CAR_INFO 17: c9 11");
	ok(acsp_req_session_info(b, -1) == 3 && memcmp(b, "\xcc\xff\xff", 3) == 0,
	    "GET_SESSION_INFO -1: cc ff ff");
	ok(acsp_req_session_info(b, 2) == 3 && memcmp(b, "\xcc\x02\x00", 3) == 0,
	    "GET_SESSION_INFO 2: cc 02 00");
	ok(acsp_req_broadcast_chat(b, "h\xc3\xa9\xf0\x9f\x98\x80", 7) == 14 &&
	    memcmp(b, "\xcb\x03" "h\0\0\0" "\xe9\0\0\0" "\x00\xf6\x01\x00", 14) == 0,
	    "BROADCAST_CHAT: UTF-32LE without a BOM");
	ok(acsp_req_broadcast_chat(b, "\xff", 1) == 0, "BROADCAST_CHAT refuses invalid UTF-8");
	memset(longs, 'x', sizeof(longs));
	ok(acsp_req_broadcast_chat(b, longs, 255) == 2 + 4 * 255 &&
	    acsp_req_broadcast_chat(b, longs, 256) == 0, "BROADCAST_CHAT: 255 characters at most");
}

static void
t_base64(void)
{
	struct buf	 e = { 0 }, d = { 0 };
	const char	*in = "\x00\xff\x10 any bytes";
	int		 good = 1;

	for (size_t n = 0; n <= 14; n++) {
		buf_reset(&e);
		buf_reset(&d);
		if (b64_encode(&e, in, n) != 1 || b64_decode(&d, e.p, e.len) != 1 ||
		    d.len != n || memcmp(d.p, in, n) != 0)
			good = 0;
	}
	ok(good, "base64: every length round-trips");
	buf_reset(&d);
	ok(b64_decode(&d, "OAQ", 3) == 0 && b64_decode(&d, "O=AQ", 4) == 0 &&
	    b64_decode(&d, "OA*=", 4) == 0 && d.len == 0, "base64: bad text refused");
	buf_free(&e);
	buf_free(&d);
}

int
main(void)
{
	t_session();
	t_messages();
	t_leaderboard();
	t_strings();
	t_malformed();
	t_requests();
	t_base64();
	return tap_done();
}
