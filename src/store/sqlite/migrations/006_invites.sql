-- Version 5 → 6: one-time codes with which a respondent answers alone (`kartlegg invite`,
-- `kartlegg answer`). Only a code's SHA-256 is kept, never the code. The respondent is
-- made when the code is first used; until then `respondent_id` is NULL.
-- schema.sql holds the same table for a new database; a test checks the two agree.
CREATE TABLE invite (
    id            TEXT PRIMARY KEY,
    round_id      TEXT NOT NULL REFERENCES round (id),
    role          TEXT NOT NULL CHECK (role IN ('leader', 'key_person', 'staff', 'consultant')),
    code_hash     TEXT NOT NULL UNIQUE CHECK (length(code_hash) = 64),
    created_at    TEXT NOT NULL,
    withdrawn_at  TEXT,
    respondent_id TEXT UNIQUE REFERENCES respondent (id)
) STRICT;
CREATE INDEX invite_by_round ON invite (round_id);
