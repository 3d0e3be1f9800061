/*
 * acsp.c: the Assetto Corsa server's UDP plugin protocol (spec/ac-udp.md,
 * version 4). A pure decoder of one datagram into a struct and into the
 * JSON event of docs/ac.md, and an encoder of the plugin's requests.
 */
#ifndef ACSP_H
#define ACSP_H

#include <stddef.h>
#include <stdint.h>

#include "trackside.h"

/* Server -> plugin messages. */
#define ACSP_NEW_SESSION	50
#define ACSP_NEW_CONNECTION	51
#define ACSP_CONNECTION_CLOSED	52
#define ACSP_CAR_UPDATE		53
#define ACSP_CAR_INFO		54
#define ACSP_END_SESSION	55
#define ACSP_VERSION		56
#define ACSP_CHAT		57
#define ACSP_CLIENT_LOADED	58
#define ACSP_SESSION_INFO	59
#define ACSP_ERROR		60
#define ACSP_LAP_COMPLETED	73
#define ACSP_CLIENT_EVENT	130
/* Plugin -> server requests. */
#define ACSP_REALTIMEPOS_INTERVAL 200
#define ACSP_GET_CAR_INFO	201
#define ACSP_SEND_CHAT		202
#define ACSP_BROADCAST_CHAT	203
#define ACSP_GET_SESSION_INFO	204

#define ACSP_CE_COLLISION_WITH_CAR 10
#define ACSP_CE_COLLISION_WITH_ENV 11

/* What a datagram is when it is not a message. */
enum acsp_result {
	ACSP_OK,
	ACSP_EMPTY,		/* no bytes */
	ACSP_UNKNOWN,		/* an id no server sends */
	ACSP_TRUNCATED,		/* ends inside a field */
	ACSP_TRAILING,		/* bytes after the last field */
	ACSP_BAD_ROWS,		/* leaderboard rows fit neither layout */
	ACSP__MAX
};
extern const char *const acsp_result_names[ACSP__MAX];

#define ACSP_STR_MAX	(255 * 4 + 1)	/* the UTF-8 of 255 code points, NUL */

/* A string as UTF-8 (invalid code points and bytes as U+FFFD). */
struct acsp_str {
	size_t	 len;
	char	 s[ACSP_STR_MAX];
};

struct acsp_vec {
	float	 x, y, z;
};

struct acsp_row {
	uint8_t	 car_id;
	uint32_t time_ms;
	uint16_t laps;
	uint8_t	 finished;
};

struct acsp_session {		/* NEW_SESSION, SESSION_INFO */
	uint8_t	 proto_version, session_index, current_session_index, session_count;
	struct acsp_str server_name, track, track_config, session_name;
	uint8_t	 session_type;
	uint16_t time, laps, wait_time;
	uint8_t	 ambient_temp, road_temp;
	struct acsp_str weather_graphics;
	int32_t	 elapsed_ms;
};

struct acsp_conn {		/* NEW_CONNECTION, CONNECTION_CLOSED */
	struct acsp_str driver_name, driver_guid;
	uint8_t	 car_id;
	struct acsp_str car_model, car_skin;
};

struct acsp_car_update {
	uint8_t	 car_id;
	struct acsp_vec pos, velocity;
	uint8_t	 gear;
	uint16_t engine_rpm;
	float	 normalized_spline_pos;
};

struct acsp_car_info {
	uint8_t	 car_id, is_connected;
	struct acsp_str car_model, car_skin, driver_name, driver_team, driver_guid;
};

struct acsp_lap {
	uint8_t	 car_id;
	uint32_t laptime_ms;
	uint8_t	 cuts;
	uint8_t	 nrows;
	int	 has_finished;	/* 8-byte rows */
	struct acsp_row rows[255];
	float	 grip_level;
};

struct acsp_client_event {
	uint8_t	 ev_type, car_id, other_car_id;	/* other_car_id only for 10 */
	float	 impact_speed;
	struct acsp_vec world_pos, rel_pos;
};

struct acsp_msg {
	int	 id;
	union {
		struct acsp_session session;
		struct acsp_conn conn;
		struct acsp_car_update car;
		struct acsp_car_info info;
		struct acsp_str text;	/* END_SESSION path, ERROR message */
		struct {
			uint8_t	 car_id;
			struct acsp_str message;
		} chat;
		uint8_t	 car_id;	/* CLIENT_LOADED */
		uint8_t	 protocol_version;	/* VERSION */
		struct acsp_lap lap;
		struct acsp_client_event ev;
	} u;
};

/* What the decoder learnt from earlier datagrams of the same server. */
struct acsp_dec {
	int	 proto;		/* protocol version seen, 0 = none yet */
};

const char	*acsp_name(int id);
enum acsp_result acsp_decode(struct acsp_dec *, const void *, size_t, struct acsp_msg *);
int	 acsp_json(struct buf *, long long at_ms, const struct acsp_msg *, const void *raw,
	    size_t len);

size_t	 acsp_req_interval(uint8_t out[3], unsigned ms);
size_t	 acsp_req_car_info(uint8_t out[2], unsigned car_id);
size_t	 acsp_req_session_info(uint8_t out[3], int index);
#define ACSP_CHAT_MAX	(2 + 4 * 255)
size_t	 acsp_req_broadcast_chat(uint8_t out[ACSP_CHAT_MAX], const char *utf8, size_t len);

#endif
