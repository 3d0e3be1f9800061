-- Trackside schema, version 4: what the tracker needs to resume after a
-- restart exactly where an uninterrupted run stands (spec/tracking.md §1).
-- Everything else it keeps is read back from the rows it already writes.

ALTER TABLE sessions ADD COLUMN et_at REAL;            -- server time the last ET was seen
ALTER TABLE sessions ADD COLUMN bound_n1 INTEGER;      -- sector boundaries being learned:
ALTER TABLE sessions ADD COLUMN bound_sum1 REAL;       -- crossings seen and the sum of their
ALTER TABLE sessions ADD COLUMN bound_n2 INTEGER;      -- lap distances, for S1 and S2
ALTER TABLE sessions ADD COLUMN bound_sum2 REAL;

ALTER TABLE car_state ADD COLUMN swap_et REAL;         -- ET of the last driver change
ALTER TABLE car_state ADD COLUMN swap_from TEXT;       -- the driver before it
ALTER TABLE car_state ADD COLUMN pending_exit REAL;    -- pitState NONE while stopped (a swap blip)

ALTER TABLE pits ADD COLUMN strategy_lap INTEGER;      -- lap of the strategy stop that confirmed it

CREATE TABLE tracker_clients (          -- what the tracker knows of each client
	client		TEXT PRIMARY KEY,
	clock_offset	REAL,                   -- server clock − client clock, the smallest seen
	session_id	TEXT,                   -- the session it is in (kept while frames are dropped)
	last_et		REAL,                   -- its last frame: ET, server time, phase, identity
	last_at		REAL,
	last_phase	INTEGER,
	last_key	TEXT,
	still_since	REAL                    -- server time its ET stopped moving, 0 when moving
) WITHOUT ROWID;
INSERT INTO tracker_clients (client, session_id)
    SELECT client, session_id FROM client_seqs WHERE session_id IS NOT NULL;
