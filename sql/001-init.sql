-- Trackside schema, version 1.
-- trackside-ingestd is the only writer; trackside-fcgi reads.
-- Times: *_at columns are epoch seconds (wall clock, REAL); et columns are
-- game seconds (session elapsed time). Unknown is NULL.

CREATE TABLE clients (                  -- upload tokens
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,
	token_hash	TEXT NOT NULL UNIQUE,   -- sha256 hex of the token
	created_at	REAL NOT NULL,
	revoked_at	REAL
);

CREATE TABLE client_seqs (              -- per client id: what the database holds
	client		TEXT PRIMARY KEY,       -- the id the client generated
	name		TEXT,
	version		TEXT,
	token_id	INTEGER,                -- clients.id of the uploading token
	last_seq	INTEGER NOT NULL,       -- highest seq applied
	last_at		REAL NOT NULL,
	session_id	TEXT                    -- session of its last frame
);

CREATE TABLE inbox_pos (                -- where the worker stands in each inbox segment
	segment		TEXT PRIMARY KEY,
	offset		INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE sessions (
	id		TEXT PRIMARY KEY,       -- time-ordered hex id
	sim		TEXT NOT NULL,          -- lmu | ac | pcars2
	track		TEXT NOT NULL,
	type		TEXT NOT NULL,          -- PRACTICE1, QUALIFY1, RACE1, ...
	online		INTEGER NOT NULL,
	server		TEXT,
	server_port	INTEGER,
	owner		TEXT,                   -- client id of an offline session
	started_at	REAL NOT NULL,
	last_update	REAL NOT NULL,
	et		REAL,                   -- last game time seen
	phase		INTEGER,
	remaining	REAL,
	max_time	REAL,
	max_laps	INTEGER,
	track_length	REAL,
	state		TEXT NOT NULL DEFAULT 'live',   -- live | inactive | closed
	finished	INTEGER NOT NULL DEFAULT 0,
	prev_id		TEXT,
	next_id		TEXT,
	air_temp	REAL,
	track_temp	REAL,
	raining		REAL,
	wetness		REAL,
	sector_flags	TEXT,
	cars		INTEGER NOT NULL DEFAULT 0,
	laps		INTEGER NOT NULL DEFAULT 0,
	clients		INTEGER NOT NULL DEFAULT 0,
	frames		INTEGER NOT NULL DEFAULT 0,
	frames_dropped	INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_started ON sessions(started_at);
CREATE INDEX sessions_track ON sessions(track, started_at);

CREATE TABLE session_clients (
	session_id	TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	client		TEXT NOT NULL,
	first_at	REAL NOT NULL,
	last_at		REAL NOT NULL,
	frames		INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (session_id, client)
);

CREATE TABLE cars (
	id		INTEGER PRIMARY KEY,
	session_id	TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	slot		INTEGER NOT NULL,
	vehicle		TEXT NOT NULL,          -- veh file without ".veh"
	vehicle_name	TEXT,
	number		TEXT,
	team		TEXT,
	class		TEXT,
	UNIQUE (session_id, slot, vehicle)
);

-- The current state of each car: what standings pages read. One row per
-- car, updated in place.
CREATE TABLE car_state (
	car_id		INTEGER PRIMARY KEY REFERENCES cars(id) ON DELETE CASCADE,
	session_id	TEXT NOT NULL,
	et		REAL,
	driver		TEXT,
	position	INTEGER,
	class_position	INTEGER,
	laps		INTEGER,
	gap		REAL,
	gap_laps	INTEGER,
	interval	REAL,
	interval_laps	INTEGER,
	best		REAL,
	last		REAL,
	s1		REAL,
	s2		REAL,
	s3		REAL,
	pits		INTEGER,
	stint_laps	INTEGER,
	status		TEXT,
	pit_state	TEXT,
	tyres		TEXT,
	fuel		REAL,
	ve		REAL,
	finish		TEXT,
	lap_dist	REAL,
	x		REAL,
	z		REAL,
	present		INTEGER NOT NULL DEFAULT 1,
	updated_at	REAL
);
CREATE INDEX car_state_session ON car_state(session_id);

CREATE TABLE laps (
	car_id		INTEGER NOT NULL REFERENCES cars(id) ON DELETE CASCADE,
	lap		INTEGER NOT NULL,
	time		REAL,                   -- NULL: missing or invalid
	s1		REAL,
	s2		REAL,
	s3		REAL,
	driver		TEXT,
	valid		INTEGER NOT NULL DEFAULT 1,
	pit		INTEGER NOT NULL DEFAULT 0,
	position	INTEGER,
	fuel		REAL,
	ve		REAL,
	tyres		TEXT,
	start_et	REAL,
	seen_at		REAL,
	source		TEXT,                   -- live | history | missing
	PRIMARY KEY (car_id, lap)
) WITHOUT ROWID;

CREATE TABLE pits (
	id		INTEGER PRIMARY KEY,
	car_id		INTEGER NOT NULL REFERENCES cars(id) ON DELETE CASCADE,
	lap		INTEGER NOT NULL,
	pit_time	REAL,                   -- lane entry ET
	stop_time	REAL,
	release_time	REAL,
	exit_time	REAL,
	garage_in	REAL,
	garage_out	REAL,
	swap		INTEGER NOT NULL DEFAULT 0,
	driver_in	TEXT,
	driver_out	TEXT,
	tyres		TEXT,
	fuel		REAL,
	ve		REAL,
	duration	REAL,
	penalty		INTEGER NOT NULL DEFAULT 0,
	synthesised	INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX pits_car ON pits(car_id, lap);

CREATE TABLE chat (
	session_id	TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	ts		INTEGER NOT NULL,       -- game timestamp, 100 ns ticks
	text		TEXT NOT NULL,
	seen_at		REAL NOT NULL,
	PRIMARY KEY (session_id, ts, text)
) WITHOUT ROWID;

CREATE TABLE raw_frames (               -- every frame as received, gzip
	session_id	TEXT,                   -- NULL: belonged to no session
	client		TEXT NOT NULL,
	seq		INTEGER NOT NULL,
	captured_at	REAL,
	received_at	REAL NOT NULL,
	source		TEXT NOT NULL,
	body		BLOB NOT NULL,
	PRIMARY KEY (client, seq)
);
CREATE INDEX raw_frames_session ON raw_frames(session_id, received_at);

CREATE TABLE known_drivers (
	name		TEXT PRIMARY KEY,
	note		TEXT,
	added_at	REAL NOT NULL
);
