-- Assetto Corsa (ingest/src_ac.c, docs/ac.md): what a lap had besides its
-- time, sectors a source derived from positions, the game's results file of
-- a session it ended, the server time of a session's ET 0 (chat timed on
-- the session's ET) and the identity of a car whatever its slot (the
-- driver's GUID).
ALTER TABLE laps ADD COLUMN cuts INTEGER;
ALTER TABLE laps ADD COLUMN collisions INTEGER;
ALTER TABLE laps ADD COLUMN sectors_derived INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN results_file TEXT;
ALTER TABLE sessions ADD COLUMN et_zero REAL;
ALTER TABLE cars ADD COLUMN key TEXT;
