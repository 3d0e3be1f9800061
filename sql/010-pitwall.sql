-- The pit wall (docs/pitwall.md): the race control log as the tracker
-- derives it (ingest/racelog.c), webhooks and their deliveries (ingestd
-- delivers them after COMMIT, ingest/notify.c), and per-session drive-time
-- rules an admin set (NULL: the configuration's).

CREATE TABLE race_log (
	id		INTEGER PRIMARY KEY,
	session_id	TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	et		REAL NOT NULL,          -- session ET of the event
	at		REAL NOT NULL,          -- server wall clock
	kind		TEXT NOT NULL,          -- pit_in, stop, swap, penalty, fcy, lead, ... (docs/pitwall.md)
	car_id		INTEGER NOT NULL DEFAULT 0,     -- cars.id, 0: the whole session
	class		TEXT,
	number		TEXT,
	lap		INTEGER,
	driver		TEXT,
	text		TEXT NOT NULL,          -- what happened, in words
	data		TEXT,                   -- JSON object of its figures
	ref		TEXT NOT NULL,          -- the event's identity: derived again, it is written once
	UNIQUE (session_id, kind, car_id, ref)
);
CREATE INDEX race_log_session ON race_log(session_id, et);

CREATE TABLE webhooks (
	id		INTEGER PRIMARY KEY,
	url		TEXT NOT NULL,
	car		TEXT,                   -- NULL: every car; else a car number or team name
	events		TEXT NOT NULL,          -- session_start,pit,swap,penalty,pit_window,finish
	format		TEXT NOT NULL DEFAULT 'json',   -- json | discord
	window_laps	INTEGER NOT NULL DEFAULT 3,     -- pit_window: laps left at most
	origin		TEXT NOT NULL DEFAULT 'admin',  -- admin | config
	created_at	REAL NOT NULL,
	removed_at	REAL
);

CREATE TABLE webhook_deliveries (
	id		INTEGER PRIMARY KEY,
	hook_id		INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
	event_key	TEXT NOT NULL,          -- "log:<race_log.id>", "window:<car>:<stint's first lap>"
	session_id	TEXT,
	payload		TEXT NOT NULL,
	created_at	REAL NOT NULL,
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_at		REAL NOT NULL,
	delivered_at	REAL,
	last_status	INTEGER,
	last_error	TEXT,
	UNIQUE (hook_id, event_key)
);
CREATE INDEX webhook_due ON webhook_deliveries(next_at) WHERE delivered_at IS NULL;

ALTER TABLE sessions ADD COLUMN drive_rules TEXT;     -- JSON, seconds; NULL: the configuration's
