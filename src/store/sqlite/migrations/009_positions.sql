-- Version 8 → 9 (or 7 → 8 before 008 is merged): positions in a round, for the formal
-- competence requirement of 2031 (`domain::requirement`). A position is a post, never a
-- person: no name, no initials. schema.sql holds the same for a new database; a test checks
-- the two agree.
CREATE TABLE position (
    id              TEXT PRIMARY KEY,
    round_id        TEXT NOT NULL REFERENCES round (id),
    role            TEXT NOT NULL CHECK (role IN ('leader', 'caseworker', 'other')),
    education       TEXT NOT NULL CHECK (education IN ('master_child_welfare',
                        'master_other_relevant', 'bachelor_relevant', 'other', 'none')),
    credits         INTEGER NOT NULL CHECK (credits BETWEEN 0 AND 600),
    years           INTEGER NOT NULL CHECK (years BETWEEN 0 AND 60),
    planned_credits INTEGER NOT NULL CHECK (planned_credits BETWEEN 0 AND 600),
    planned_year    INTEGER CHECK (planned_year BETWEEN 1900 AND 2200),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX position_by_round ON position (round_id);
