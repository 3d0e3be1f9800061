-- Trackside schema, version 2: session tracking (spec/tracking.md).
-- Entry lists, stints, bests, conditions series, track outlines, learned
-- sector boundaries, and what the tracker needs to resume after a restart.

ALTER TABLE sessions ADD COLUMN end_et REAL;
ALTER TABLE sessions ADD COLUMN utid_offset INTEGER;

ALTER TABLE car_state ADD COLUMN penalties INTEGER;
ALTER TABLE car_state ADD COLUMN in_garage INTEGER;
ALTER TABLE car_state ADD COLUMN player INTEGER;
ALTER TABLE car_state ADD COLUMN sector INTEGER;
ALTER TABLE car_state ADD COLUMN lap_start_et REAL;
ALTER TABLE car_state ADD COLUMN wear TEXT;            -- "fl,fr,rl,rr" percent

ALTER TABLE laps ADD COLUMN s1_driver TEXT;            -- on a swap lap: who drove the sector
ALTER TABLE laps ADD COLUMN s2_driver TEXT;
ALTER TABLE laps ADD COLUMN s3_driver TEXT;

ALTER TABLE pits ADD COLUMN garage INTEGER NOT NULL DEFAULT 0;     -- a garage visit
ALTER TABLE pits ADD COLUMN open INTEGER NOT NULL DEFAULT 0;       -- not ended yet
ALTER TABLE pits ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0;  -- by strategy data
ALTER TABLE pits ADD COLUMN swap_time REAL;
ALTER TABLE pits ADD COLUMN swap_sector INTEGER;
ALTER TABLE pits ADD COLUMN stop_sector INTEGER;
ALTER TABLE pits ADD COLUMN tyres_changed INTEGER;     -- bit per tyre FL, FR, RL, RR

CREATE TABLE entries (                  -- online entry list
	session_id	TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	utid		INTEGER NOT NULL,       -- N of "utid<N>"
	team_id		TEXT,
	number		TEXT,
	name		TEXT,
	vehicle		TEXT,
	car_id		INTEGER,                -- the standings car it maps to
	PRIMARY KEY (session_id, utid)
) WITHOUT ROWID;

CREATE TABLE entry_members (
	session_id	TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	utid		INTEGER NOT NULL,
	name		TEXT NOT NULL,
	badge		TEXT,
	nationality	TEXT,
	roles		TEXT,                   -- D driver, E race engineer, A admin, O owner
	PRIMARY KEY (session_id, utid, name)
) WITHOUT ROWID;

CREATE TABLE stints (
	id		INTEGER PRIMARY KEY,
	car_id		INTEGER NOT NULL REFERENCES cars(id) ON DELETE CASCADE,
	first_lap	INTEGER NOT NULL,
	last_lap	INTEGER NOT NULL,
	driver		TEXT,
	compound	TEXT,
	tyre_laps	INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX stints_car ON stints(car_id, first_lap);

CREATE TABLE bests (                    -- per session: class, car, driver in car
	session_id	TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	scope		TEXT NOT NULL,          -- class | car | driver
	kind		TEXT NOT NULL,          -- lap | s1 | s2 | s3
	class		TEXT NOT NULL,
	car_id		INTEGER NOT NULL,       -- 0 for class bests
	driver		TEXT NOT NULL,          -- '' unless scope = driver
	time		REAL NOT NULL,
	lap		INTEGER,
	holder_car	INTEGER,
	holder_driver	TEXT,
	PRIMARY KEY (session_id, scope, kind, class, car_id, driver)
) WITHOUT ROWID;

CREATE TABLE conditions (               -- time series for charts
	session_id	TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	et		REAL NOT NULL,
	at		REAL NOT NULL,
	air_temp	REAL,
	track_temp	REAL,
	raining		REAL,
	wetness		REAL,
	phase		INTEGER,
	PRIMARY KEY (session_id, et)
) WITHOUT ROWID;

CREATE TABLE track_maps (               -- outline per track layout
	track		TEXT PRIMARY KEY,
	points		TEXT NOT NULL,          -- JSON [[x, z, type], ...]; type 0 line, 1 pit lane
	updated_at	REAL NOT NULL
);

CREATE TABLE sector_bounds (            -- learned from cars crossing sector lines
	track		TEXT NOT NULL,
	sector		INTEGER NOT NULL,       -- 1: end of S1, 2: end of S2
	lap_dist	REAL NOT NULL,
	learned_at	REAL NOT NULL,
	PRIMARY KEY (track, sector)
) WITHOUT ROWID;

CREATE TABLE ingest_counters (          -- dropped frames and drift, by reason
	name		TEXT PRIMARY KEY,
	value		INTEGER NOT NULL
) WITHOUT ROWID;
