/*
 * Project CARS 2 / Automobilista 2 (docs/pcars2.md, spec/pcars2.md): the
 * "Project CARS 2" UDP packets in both revisions and the `$pcars2$`
 * shared-memory block, decoded into plain structs and encoded from them.
 * No I/O, no allocation: the client checks and reassembles with it, the
 * server decodes frames with it, the fake game writes packets and blocks
 * with it, and the fuzz harnesses feed it any bytes.
 *
 * Little-endian, packed; every read is bounds-checked against the size the
 * caller gives. Strings are copied NUL-terminated, cut at the first NUL of
 * the field, and made valid UTF-8 (a bad byte becomes '?').
 */
#ifndef PCARS2_H
#define PCARS2_H

#include <stddef.h>
#include <stdint.h>

#define P2_PORT			5606
#define P2_MAX_PACKET		1500	/* the game's datagram limit */
#define P2_UDP_CARS		32	/* participants UDP carries */
#define P2_PER_PACKET		16	/* names / vehicles per packet */
#define P2_SHM_CARS		64	/* participants shared memory carries */
#define P2_CLASSES		60	/* class names per packet */
#define P2_NAME			64	/* participant, track, vehicle names */
#define P2_CLASS_NAME		20	/* class names in UDP */
#define P2_TYRE_NAME		40	/* tyre compound names */
#define P2_HEADER		12

enum p2_type {
	P2_TELEMETRY = 0, P2_RACE = 1, P2_PARTICIPANTS = 2, P2_TIMINGS = 3,
	P2_GAME = 4, P2_WEATHER = 5, P2_VEHICLE_NAMES = 6, P2_TIME_STATS = 7,
	P2_PARTICIPANT_VEHICLES = 8, P2_TYPE__MAX
};

/* What a datagram is, from its type and size (spec/pcars2.md 2.2). */
enum p2_kind {
	P2K_UNKNOWN,		/* a type or size neither revision sends */
	P2K_TELEMETRY,		/* 538 early, 559 later */
	P2K_RACE,		/* 308 */
	P2K_PARTICIPANTS,	/* 1040 early, 1136 later */
	P2K_TIMINGS,		/* 993 early, 1063 later */
	P2K_GAME,		/* 24 */
	P2K_TIME_STATS,		/* 784 early, 1040 later */
	P2K_VEHICLES,		/* type 8, 1164 */
	P2K_CLASSES,		/* type 8, 1452: the class-names packet */
	P2K__MAX
};
extern const char *const p2_kind_names[P2K__MAX];

enum p2_rev { P2_EARLY, P2_LATER };

/* Sizes per kind and revision; 0 where a revision has no such packet. */
extern const unsigned p2_sizes[P2K__MAX][2];

/* Enums, numbered as the game numbers them (shared with shared memory). */
enum p2_game_state {
	P2G_EXITED, P2G_FRONT_END, P2G_PLAYING, P2G_PAUSED, P2G_MENU_TICKING,
	P2G_RESTARTING, P2G_REPLAY, P2G_FRONT_END_REPLAY
};
enum p2_session_state {
	P2S_INVALID, P2S_PRACTICE, P2S_TEST, P2S_QUALIFY, P2S_FORMATION, P2S_RACE,
	P2S_TIME_ATTACK
};
enum p2_race_state {
	P2R_INVALID, P2R_NOT_STARTED, P2R_RACING, P2R_FINISHED, P2R_DSQ,
	P2R_RETIRED, P2R_DNF
};
enum p2_pit_mode {
	P2P_NONE, P2P_INTO_PITS, P2P_IN_PIT, P2P_OUT_OF_PITS, P2P_IN_GARAGE,
	P2P_OUT_OF_GARAGE
};
enum p2_flag {
	P2F_NONE, P2F_GREEN, P2F_BLUE, P2F_WHITE_SLOW, P2F_WHITE_FINAL, P2F_RED,
	P2F_YELLOW, P2F_DOUBLE_YELLOW, P2F_BLACK_WHITE, P2F_BLACK_ORANGE, P2F_BLACK,
	P2F_CHEQUERED
};

struct p2_header {
	uint32_t	 packet;		/* mPacketNumber */
	uint32_t	 category;		/* mCategoryPacketNumber */
	unsigned	 part_index;		/* mPartialPacketIndex */
	unsigned	 part_count;		/* mPartialPacketNumber */
	unsigned	 type;			/* mPacketType (byte 10) */
	unsigned	 version;		/* mPacketVersion */
};

/* Type 0: the viewed car. Only what the server and the client use. */
struct p2_telemetry {
	int		 viewed;		/* sViewedParticipantIndex, -1 none */
	unsigned	 fuel_capacity;		/* litres */
	double		 fuel_level;		/* fraction of the capacity */
	double		 speed;			/* m/s */
	double		 odometer_km;
	unsigned	 rpm, max_rpm;
	int		 gear, gears;
	unsigned	 tyre_wear[4];		/* 0..255 */
	unsigned	 crash_state;
	char		 compound[4][P2_TYRE_NAME + 1];
	/* later revision only (has_full set) */
	int		 has_full;
	double		 turbo;
	double		 pos[3];		/* full-precision world position */
	unsigned	 brake_bias;
	uint32_t	 tick;
};

/* Type 1. */
struct p2_race {
	double		 world_fastest, personal_fastest;
	double		 personal_s[3], world_s[3];
	double		 track_length;		/* metres */
	char		 location[P2_NAME + 1], variation[P2_NAME + 1];
	char		 tr_location[P2_NAME + 1], tr_variation[P2_NAME + 1];
	unsigned	 laps_time;		/* sLapsTimeInEvent as sent */
	int		 timed;			/* top bit set */
	unsigned	 laps;			/* lap race: laps; 0 timed */
	unsigned	 minutes;		/* timed: (laps_time & 0x7fff) * 5; 0 lap race */
	int		 enforced_pit_lap;	/* -1 none */
};
/*
 * The game is known to get stuck at 0x7fff units in timed sessions: that
 * decodes as timed with minutes 0 (duration unknown). p2_encode writes
 * laps_time when it is not 0, else 0x8000 | minutes / 5 when timed, else
 * laps.
 */

/* Type 2: 16 names, part part_index of part_count (header). */
struct p2_participants {
	uint32_t	 changed;		/* sParticipantsChangedTimestamp */
	char		 name[P2_PER_PACKET][P2_NAME + 1];
	int		 has_ext;		/* later: nationality and index */
	uint32_t	 nationality[P2_PER_PACKET];
	unsigned	 index[P2_PER_PACKET];	/* sMPParticipantIndex */
};

/* Type 3, per participant (30 bytes early, 32 later). */
struct p2_timing {
	int		 world[3];		/* quantised metres */
	int		 orientation[3];
	unsigned	 lap_distance;		/* metres */
	unsigned	 position;		/* sRacePosition & 0x7f */
	int		 active;		/* bit 7 */
	unsigned	 sector;		/* sSector & 0x07 */
	unsigned	 sector_raw;
	unsigned	 flag_colour;		/* sHighestFlag & 0x0f */
	unsigned	 flag_reason;		/* (sHighestFlag >> 4) & 0x07 */
	unsigned	 pit_mode;		/* sPitModeSchedule & 0x07 */
	unsigned	 pit_schedule;		/* (sPitModeSchedule >> 3) & 0x1f */
	unsigned	 car_index;		/* sCarIndex & 0x7fff */
	int		 human;			/* bit 15 */
	unsigned	 race_state;		/* sRaceState & 0x07 */
	int		 lap_invalid;		/* bit 3 */
	unsigned	 current_lap;
	double		 current_time, sector_time;
	int		 mp_index;		/* later only, -1 early */
};

struct p2_timings {
	int		 num;			/* sNumParticipants */
	uint32_t	 changed;
	double		 time_remaining;	/* sEventTimeRemaining */
	double		 split_ahead, split_behind, split;
	struct p2_timing car[P2_UDP_CARS];
	int		 local_index;		/* later only, -1 early */
	uint32_t	 tick;			/* later only */
};

/* Type 4. */
struct p2_game {
	unsigned	 build;
	unsigned	 game_state;		/* low 3 bits */
	unsigned	 session_state;		/* next 3 bits */
	int		 ambient, track;	/* °C */
	unsigned	 rain, snow;		/* 0..255 */
	int		 wind_speed, wind_x, wind_y;
};

/* Type 7, per participant. */
struct p2_stat {
	double		 fastest, last, last_sector;
	double		 fastest_s[3];
	uint32_t	 rep;			/* later only */
	int		 mp_index;		/* later only, -1 early */
};

struct p2_time_stats {
	uint32_t	 changed;
	struct p2_stat	 car[P2_UDP_CARS];
};

/* Type 8, 1164 bytes: 16 vehicles. */
struct p2_vehicles {
	struct {
		unsigned	 index;
		uint32_t	 cls;
		char		 name[P2_NAME + 1];
	}		 v[P2_PER_PACKET];
};

/* Type 8, 1452 bytes: 60 classes. */
struct p2_classes {
	struct {
		uint32_t	 index;
		char		 name[P2_CLASS_NAME + 1];
	}		 c[P2_CLASSES];
};

/* One decoded datagram. */
struct p2_packet {
	struct p2_header h;
	enum p2_kind	 kind;
	enum p2_rev	 rev;
	union {
		struct p2_telemetry	 tel;
		struct p2_race		 race;
		struct p2_participants	 part;
		struct p2_timings	 tim;
		struct p2_game		 game;
		struct p2_time_stats	 stats;
		struct p2_vehicles	 veh;
		struct p2_classes	 cls;
	} u;
};

/*
 * The kind and revision of a datagram from its header's type and its size,
 * without decoding it. P2K_UNKNOWN for anything else (including a size of
 * one revision under the other's type). A kind both revisions send at the
 * same size (race, game, vehicles, classes) is P2_EARLY; rev may be NULL.
 * The MP participant indices (u16) read 0xffff as -1, like "none" early.
 */
enum p2_kind p2_classify(const void *, size_t, enum p2_rev *);

/* Decodes a datagram: 0, or -1 (unknown kind or size; *p untouched but h). */
int	 p2_decode(const void *, size_t, struct p2_packet *);

/*
 * Encodes p (its kind, rev and header; the header's type is set from the
 * kind) into out, which has room for P2_MAX_PACKET bytes. Fields the
 * struct does not hold are written as zeros. Returns the size, 0 for a
 * kind the revision does not have. p2_decode(p2_encode(p)) == p for every
 * field the revision carries.
 */
size_t	 p2_encode(const struct p2_packet *, unsigned char *out);

/*
 * The `$pcars2$` shared-memory block (spec/pcars2.md 2.5), version 14 as
 * AMS2 publishes it; PC2's is the prefix up to P2_SHM_PC2_SIZE.
 */
#define P2_SHM_NAME		"$pcars2$"
#define P2_SHM_V14_SIZE		20700	/* everything this decoder reads */
#define P2_SHM_PC2_SIZE		20576	/* ends after mSnowDensity */
#define P2_SHM_MIN_SIZE		20576	/* a smaller block is refused */
#define P2_SHM_SEQ_OFF		7320	/* mSequenceNumber, odd while written */
#define P2_SHM_STRIDE		100	/* ParticipantInfo */

struct p2_shm_car {
	int		 active;
	char		 name[P2_NAME + 1];
	double		 world[3];
	double		 lap_distance;
	unsigned	 position, laps_completed, current_lap;
	int		 sector;
	/* the per-participant arrays */
	double		 cur_s[3];		/* mCurrentSector{1,2,3}Times */
	double		 fastest_s[3];
	double		 fastest_lap, last_lap;
	int		 lap_invalid;
	unsigned	 race_state, pit_mode, pit_schedule, flag_colour;
	uint32_t	 nationality;
	double		 speed;
	char		 car[P2_NAME + 1], cls[P2_NAME + 1];
};

struct p2_shm {
	unsigned	 version;		/* mVersion */
	unsigned	 build;
	unsigned	 game_state, session_state, race_state;
	int		 viewed;
	int		 num;			/* mNumParticipants, 0..64 */
	struct p2_shm_car car[P2_SHM_CARS];
	unsigned	 laps_in_event;
	char		 location[P2_NAME + 1], variation[P2_NAME + 1];
	char		 tr_location[P2_NAME + 1];
	double		 track_length;
	int		 num_sectors;
	double		 best_lap, last_lap, current_time;	/* viewed car */
	double		 split_ahead, split_behind;
	double		 time_remaining;	/* mEventTimeRemaining */
	double		 personal_fastest, world_fastest;
	unsigned	 flag_colour, pit_mode;	/* viewed car */
	double		 fuel_level, fuel_capacity, speed;	/* viewed car */
	double		 tyre_wear[4];
	char		 compound[4][P2_TYRE_NAME + 1];
	double		 ambient, track_temp, rain, snow;
	uint32_t	 sequence;
	int		 enforced_pit_lap;
	/* AMS2 (version >= 10, size >= P2_SHM_V14_SIZE) */
	int		 has_ams2;
	unsigned	 session_minutes;	/* mSessionDuration, 0 = lap race */
	unsigned	 additional_laps;
	int		 yellow_state;
	int		 launch_stage;
};

/*
 * Decodes the first n bytes of a block (n >= P2_SHM_MIN_SIZE; bytes past
 * P2_SHM_V14_SIZE are ignored). 0, or -1 for a block too small or a
 * version below 8 (not a "Project CARS 2" block).
 */
int	 p2_shm_decode(const void *, size_t n, struct p2_shm *);

/* Writes s into out (P2_SHM_V14_SIZE bytes, zeroed first). */
void	 p2_shm_encode(const struct p2_shm *, unsigned char *out);

/* mSequenceNumber of a block of at least P2_SHM_SEQ_OFF + 4 bytes. */
uint32_t p2_shm_sequence(const void *);

#endif
