-- History: the best laps across sessions.
--
-- best_laps holds, for every (car, driver in that car) of every session, the
-- driver's best valid lap in that car with its sectors and the driver's best
-- sectors in that car, plus copies of what the /best-laps filters need
-- (track, vehicle, class, session type, online, when it was set). The page
-- then picks each (driver, vehicle)'s best over the matching rows: a few rows
-- per session, never every lap.
--
-- The triggers below keep it current whatever writes laps: an inserted lap
-- costs one upsert; an updated or deleted lap (rare: a later observation
-- fills a sector, a session is reprocessed or deleted) recomputes the one or
-- two rows it touches from that car's laps.

CREATE TABLE best_laps (
	session_id	TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	car_id		INTEGER NOT NULL REFERENCES cars(id) ON DELETE CASCADE,
	driver		TEXT NOT NULL,
	track		TEXT NOT NULL,
	vehicle		TEXT NOT NULL,          -- cars.vehicle
	vehicle_name	TEXT,
	class		TEXT,
	session_type	TEXT NOT NULL,
	online		INTEGER NOT NULL,
	lap		INTEGER NOT NULL,       -- the best lap's number
	time		REAL NOT NULL,
	s1		REAL,                   -- the best lap's sectors
	s2		REAL,
	s3		REAL,
	best_s1		REAL,                   -- the driver's best sectors in the car
	best_s2		REAL,
	best_s3		REAL,
	laps		INTEGER NOT NULL,       -- valid timed laps counted
	set_at		REAL NOT NULL,          -- wall clock of the best lap
	PRIMARY KEY (car_id, driver)
);
-- /best-laps reads only this index to find each (driver, vehicle)'s best
-- under its filters, then fetches the rows it shows.
CREATE INDEX best_laps_track ON best_laps(track, driver, vehicle, time, set_at, class,
    session_type, online, best_s1, best_s2, best_s3, laps);
CREATE INDEX best_laps_session ON best_laps(session_id);

-- A lap counts when it is valid, timed and has a driver.
CREATE TRIGGER best_laps_insert AFTER INSERT ON laps
WHEN NEW.valid AND NEW.time > 0 AND NEW.driver IS NOT NULL AND NEW.driver <> ''
BEGIN
	INSERT INTO best_laps (session_id, car_id, driver, track, vehicle, vehicle_name,
	    class, session_type, online, lap, time, s1, s2, s3, best_s1, best_s2, best_s3,
	    laps, set_at)
	SELECT s.id, c.id, NEW.driver, s.track, c.vehicle, c.vehicle_name, c.class, s.type,
	    s.online, NEW.lap, NEW.time, NEW.s1, NEW.s2, NEW.s3,
	    CASE WHEN NEW.s1 > 0 THEN NEW.s1 END, CASE WHEN NEW.s2 > 0 THEN NEW.s2 END,
	    CASE WHEN NEW.s3 > 0 THEN NEW.s3 END, 1, coalesce(NEW.seen_at, s.started_at)
	FROM cars c JOIN sessions s ON s.id = c.session_id WHERE c.id = NEW.car_id
	ON CONFLICT (car_id, driver) DO UPDATE SET
	    lap = CASE WHEN excluded.time < time THEN excluded.lap ELSE lap END,
	    s1 = CASE WHEN excluded.time < time THEN excluded.s1 ELSE s1 END,
	    s2 = CASE WHEN excluded.time < time THEN excluded.s2 ELSE s2 END,
	    s3 = CASE WHEN excluded.time < time THEN excluded.s3 ELSE s3 END,
	    set_at = CASE WHEN excluded.time < time THEN excluded.set_at ELSE set_at END,
	    time = min(time, excluded.time),
	    best_s1 = CASE WHEN best_s1 IS NULL OR excluded.best_s1 < best_s1
	        THEN coalesce(excluded.best_s1, best_s1) ELSE best_s1 END,
	    best_s2 = CASE WHEN best_s2 IS NULL OR excluded.best_s2 < best_s2
	        THEN coalesce(excluded.best_s2, best_s2) ELSE best_s2 END,
	    best_s3 = CASE WHEN best_s3 IS NULL OR excluded.best_s3 < best_s3
	        THEN coalesce(excluded.best_s3, best_s3) ELSE best_s3 END,
	    laps = laps + 1;
END;

-- Every counted lap as a candidate best_laps row of its (car, driver), with
-- that driver's best sectors and lap count in the car (columns in best_laps'
-- order): a recompute takes the fastest.
CREATE VIEW best_lap_of AS
SELECT s.id AS session_id, c.id AS car_id, b.driver, s.track, c.vehicle, c.vehicle_name,
    c.class, s.type AS session_type, s.online, b.lap, b.time, b.s1, b.s2, b.s3,
    (SELECT min(x.s1) FROM laps x WHERE x.car_id = b.car_id AND x.driver = b.driver
        AND x.valid AND x.time > 0 AND x.s1 > 0) AS best_s1,
    (SELECT min(x.s2) FROM laps x WHERE x.car_id = b.car_id AND x.driver = b.driver
        AND x.valid AND x.time > 0 AND x.s2 > 0) AS best_s2,
    (SELECT min(x.s3) FROM laps x WHERE x.car_id = b.car_id AND x.driver = b.driver
        AND x.valid AND x.time > 0 AND x.s3 > 0) AS best_s3,
    (SELECT count(*) FROM laps x WHERE x.car_id = b.car_id AND x.driver = b.driver
        AND x.valid AND x.time > 0) AS laps,
    coalesce(b.seen_at, s.started_at) AS set_at
FROM laps b JOIN cars c ON c.id = b.car_id JOIN sessions s ON s.id = c.session_id
WHERE b.driver <> '' AND b.valid AND b.time > 0;

-- An updated or deleted lap recomputes the rows of its (car, driver) from
-- that car's laps: the row goes when no valid timed lap is left.
CREATE TRIGGER best_laps_update AFTER UPDATE OF car_id, time, s1, s2, s3, driver, valid,
    seen_at ON laps
BEGIN
	DELETE FROM best_laps WHERE (car_id = OLD.car_id AND driver = OLD.driver)
	    OR (car_id = NEW.car_id AND driver = NEW.driver);
	INSERT INTO best_laps SELECT * FROM best_lap_of
	WHERE car_id = OLD.car_id AND driver = OLD.driver
	ORDER BY time, lap LIMIT 1;
	INSERT INTO best_laps SELECT * FROM best_lap_of
	WHERE car_id = NEW.car_id AND driver = NEW.driver
	    AND (NEW.car_id <> OLD.car_id OR NEW.driver IS NOT OLD.driver)
	ORDER BY time, lap LIMIT 1;
END;

CREATE TRIGGER best_laps_delete AFTER DELETE ON laps
BEGIN
	DELETE FROM best_laps WHERE car_id = OLD.car_id AND driver = OLD.driver;
	INSERT INTO best_laps SELECT * FROM best_lap_of
	WHERE car_id = OLD.car_id AND driver = OLD.driver
	ORDER BY time, lap LIMIT 1;
END;

-- What the filters copy follows the session and the car.
CREATE TRIGGER best_laps_session AFTER UPDATE OF track, type, online ON sessions
BEGIN
	UPDATE best_laps SET track = NEW.track, session_type = NEW.type, online = NEW.online
	WHERE session_id = NEW.id;
END;

CREATE TRIGGER best_laps_car AFTER UPDATE OF vehicle, vehicle_name, class ON cars
BEGIN
	UPDATE best_laps SET vehicle = NEW.vehicle, vehicle_name = NEW.vehicle_name,
	    class = NEW.class
	WHERE car_id = NEW.id;
END;

-- Rows for laps stored before this migration.
INSERT INTO best_laps (session_id, car_id, driver, track, vehicle, vehicle_name, class,
    session_type, online, lap, time, s1, s2, s3, best_s1, best_s2, best_s3, laps, set_at)
SELECT s.id, c.id, w.driver, s.track, c.vehicle, c.vehicle_name, c.class, s.type, s.online,
    w.lap, w.time, w.s1, w.s2, w.s3, w.b1, w.b2, w.b3, w.n, coalesce(w.seen_at, s.started_at)
FROM (SELECT l.*,
        row_number() OVER (PARTITION BY car_id, driver ORDER BY time, lap) AS rn,
        min(CASE WHEN s1 > 0 THEN s1 END) OVER (PARTITION BY car_id, driver) AS b1,
        min(CASE WHEN s2 > 0 THEN s2 END) OVER (PARTITION BY car_id, driver) AS b2,
        min(CASE WHEN s3 > 0 THEN s3 END) OVER (PARTITION BY car_id, driver) AS b3,
        count(*) OVER (PARTITION BY car_id, driver) AS n
    FROM laps l WHERE valid AND time > 0 AND driver IS NOT NULL AND driver <> '') w
JOIN cars c ON c.id = w.car_id JOIN sessions s ON s.id = c.session_id
WHERE w.rn = 1;

-- The history list's filters.
CREATE INDEX sessions_type ON sessions(type, started_at);
