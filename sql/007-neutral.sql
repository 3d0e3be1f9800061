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
