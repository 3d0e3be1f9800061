-- The neutral vocabulary (lib/vocab.h): car states speak our words, not a
-- game's. LMU's finish statuses become none / finished / dnf / dq.
UPDATE car_state SET finish = CASE finish
	WHEN 'FSTAT_NONE' THEN 'none'
	WHEN 'FSTAT_FINISHED' THEN 'finished'
	WHEN 'FSTAT_CHECKERED' THEN 'finished'
	WHEN 'FSTAT_DNF' THEN 'dnf'
	WHEN 'FSTAT_DQ' THEN 'dq'
	ELSE finish END
    WHERE finish LIKE 'FSTAT_%';
-- What a source keeps per client (ingest/source.h), as its state_save wrote it.
ALTER TABLE tracker_clients ADD COLUMN source_state TEXT;
-- Session types: LMU's words become a kind and its number, as
-- session_type_format() writes them: "RACE1" → "race1", "QUALIFY2" →
-- "qualify2", "PRACTICE3" → "practice3", "WARMUP" → "warmup", "TESTDAY" →
-- "test"; a word the game does not use → "other". best_laps follows through
-- its trigger (best_laps_session, 003-history.sql).
UPDATE sessions SET type = CASE
	WHEN type GLOB 'PRACTICE[1-4]' OR type GLOB 'QUALIFY[1-4]' OR type GLOB 'RACE[1-4]'
	    THEN lower(type)
	WHEN type = 'WARMUP' THEN 'warmup'
	WHEN type = 'TESTDAY' THEN 'test'
	ELSE 'other' END
    WHERE sim = 'lmu';
-- A tracker client's identity key (sim|server|port|track|type|online) holds
-- the type too: the next frame of a resumed client compares its key with it.
UPDATE tracker_clients SET last_key =
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
    replace(replace(replace(replace(last_key,
	'|TESTDAY|', '|test|'), '|WARMUP|', '|warmup|'),
	'|PRACTICE1|', '|practice1|'), '|PRACTICE2|', '|practice2|'),
	'|PRACTICE3|', '|practice3|'), '|PRACTICE4|', '|practice4|'),
	'|QUALIFY1|', '|qualify1|'), '|QUALIFY2|', '|qualify2|'),
	'|QUALIFY3|', '|qualify3|'), '|QUALIFY4|', '|qualify4|'),
	'|RACE1|', '|race1|'), '|RACE2|', '|race2|'), '|RACE3|', '|race3|'), '|RACE4|', '|race4|')
    WHERE last_key LIKE 'lmu|%';
-- The LMU source keeps what still_since and sessions.utid_offset held in its
-- state (ingest/src_lmu.c): those columns are no longer written.
