-- Admin (docs/admin.md): accounts and their browser sessions, failed
-- sign-ins, the audit log of every admin command, open-enrollment codes,
-- session names and visibility, and what the client list shows.
-- Every row here is written by trackside-ingestd, applying the commands
-- trackside-fcgi and the trackside command put in the inbox.

CREATE TABLE admin_accounts (
	name		TEXT PRIMARY KEY,       -- 1-64 of A-Z a-z 0-9 . _ -
	pw_hash		TEXT NOT NULL,          -- Argon2id, encoded ($argon2id$v=19$...)
	created_at	REAL NOT NULL,
	changed_at	REAL NOT NULL
);

CREATE TABLE admin_logins (             -- signed-in browsers
	id_hash		TEXT PRIMARY KEY,       -- sha256 hex of the cookie's 256-bit id
	account		TEXT NOT NULL REFERENCES admin_accounts(name) ON DELETE CASCADE,
	created_at	REAL NOT NULL,
	seen_at		REAL NOT NULL,          -- refreshed at most once a minute
	addr		TEXT,
	ended_at	REAL                    -- signed out (or the account's password changed)
) WITHOUT ROWID;
CREATE INDEX admin_logins_account ON admin_logins(account);

CREATE TABLE admin_failures (           -- failed sign-ins, for the rate limit
	at		REAL NOT NULL,
	account		TEXT NOT NULL,          -- as typed (lower case), may not exist
	addr		TEXT NOT NULL
);
CREATE INDEX admin_failures_account ON admin_failures(account, at);
CREATE INDEX admin_failures_addr ON admin_failures(addr, at);

CREATE TABLE admin_log (                -- every admin command, applied or refused
	id		TEXT PRIMARY KEY,       -- the command's random id (idempotence)
	at		REAL NOT NULL,          -- when it was given
	applied_at	REAL NOT NULL,
	by		TEXT NOT NULL,          -- account, or "cli:<user>" for the trackside command
	addr		TEXT,                   -- the browser's address
	cmd		TEXT NOT NULL,          -- cmd_names[] (lib/cmd.c)
	target		TEXT,                   -- what it acted on, for the log's filter
	summary		TEXT NOT NULL,          -- what it did, in words
	ok		INTEGER NOT NULL,       -- 1 applied, 0 refused
	result		TEXT,                   -- JSON the command hands back (ids made)
	shown		INTEGER NOT NULL DEFAULT 1	-- 0: kept for idempotence only (a login's refresh)
) WITHOUT ROWID;
CREATE INDEX admin_log_at ON admin_log(applied_at) WHERE shown;

CREATE TABLE enroll_codes (             -- open enrollment: POST /api/v1/clients
	code_hash	TEXT PRIMARY KEY,       -- sha256 hex of the code
	label		TEXT NOT NULL,
	created_at	REAL NOT NULL,
	expires_at	REAL NOT NULL,
	ended_at	REAL,
	used		INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

ALTER TABLE sessions ADD COLUMN name TEXT;            -- a name an admin gave it
ALTER TABLE sessions ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE client_seqs ADD COLUMN frames INTEGER NOT NULL DEFAULT 0;
ALTER TABLE client_seqs ADD COLUMN addr TEXT;         -- address of its last upload
UPDATE client_seqs SET frames = (SELECT count(*) FROM raw_frames r WHERE r.client = client_seqs.client);
ALTER TABLE clients ADD COLUMN enrolled INTEGER NOT NULL DEFAULT 0;  -- made by an enrollment code
