-- Version 6 → 7: a code's hash is its Argon2id under this database's own random key (made on
-- first use, never shown), not its bare SHA-256 (see `domain::invite::hash`). Each invite
-- says which way its hash was made: those of version 6 stay 'sha256' and still work.
-- schema.sql holds the same for a new database; a test checks the two agree.
CREATE TABLE invite_key (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    key        BLOB NOT NULL CHECK (length(key) = 32),
    created_at TEXT NOT NULL
) STRICT;
ALTER TABLE invite ADD COLUMN code_scheme TEXT NOT NULL DEFAULT 'sha256'
    CHECK (code_scheme IN ('sha256', 'argon2id'));
