-- kartlegg's schema (version 1). The one schema, embedded in the binary; later versions
-- add numbered migrations in src/store/migrations.rs and raise PRAGMA user_version.
-- Identifiers are UUIDs as text so that databases from two machines merge without clashes.
-- Times are RFC 3339 in UTC, dates YYYY-MM-DD.

CREATE TABLE service (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
    -- four-digit municipality numbers, comma separated; several for an inter-municipal service
    municipalities TEXT NOT NULL DEFAULT '',
    cluster        TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

CREATE TABLE round (
    id                 TEXT PRIMARY KEY,
    service_id         TEXT NOT NULL REFERENCES service (id),
    label              TEXT NOT NULL CHECK (length(trim(label)) > 0),
    held_on            TEXT NOT NULL CHECK (date(held_on) = held_on),
    kind               TEXT NOT NULL CHECK (kind IN ('before', 'between', 'after')),
    instrument_key     TEXT NOT NULL,
    instrument_version TEXT NOT NULL,
    created_at         TEXT NOT NULL
) STRICT;
CREATE INDEX round_by_service ON round (service_id, held_on);

CREATE TABLE respondent (
    id         TEXT PRIMARY KEY,
    round_id   TEXT NOT NULL REFERENCES round (id),
    role       TEXT NOT NULL CHECK (role IN ('leader', 'key_person', 'staff', 'consultant')),
    -- optional initials or a code; never a required name
    code       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX respondent_by_round ON respondent (round_id);

-- One row per respondent and item. A row may hold only a comment (value and missing NULL):
-- a comment can be written before the item is answered.
CREATE TABLE answer (
    id            TEXT PRIMARY KEY,
    respondent_id TEXT NOT NULL REFERENCES respondent (id),
    item_key      TEXT NOT NULL,
    value         INTEGER CHECK (value BETWEEN 0 AND 9),
    missing       TEXT CHECK (missing IN ('dont_know', 'not_applicable')),
    comment       TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL,
    UNIQUE (respondent_id, item_key),
    CHECK (value IS NULL OR missing IS NULL)
) STRICT;

-- Append-only: every change to an answer, old and new side by side.
CREATE TABLE answer_history (
    seq           INTEGER PRIMARY KEY,
    answer_id     TEXT NOT NULL REFERENCES answer (id),
    respondent_id TEXT NOT NULL REFERENCES respondent (id),
    old_value     INTEGER,
    old_missing   TEXT,
    old_comment   TEXT,
    new_value     INTEGER,
    new_missing   TEXT,
    new_comment   TEXT NOT NULL,
    changed_at    TEXT NOT NULL
) STRICT;
CREATE INDEX answer_history_by_answer ON answer_history (answer_id, seq);

CREATE TRIGGER answer_history_is_append_only_update BEFORE UPDATE ON answer_history
BEGIN
    SELECT RAISE(ABORT, 'answer_history is append-only');
END;
CREATE TRIGGER answer_history_is_append_only_delete BEFORE DELETE ON answer_history
BEGIN
    SELECT RAISE(ABORT, 'answer_history is append-only');
END;
