-- Version 7 → 8: competence needs per round and area, the service's own areas, its
-- expectations of the programme and facts about it (issue 14). The change log takes their
-- changes too: SQLite cannot widen a CHECK in place, so the table is made anew with the
-- wider one, its rows copied, the old dropped (with its index and triggers) and the new
-- renamed, and the index and triggers made again as they were.
-- schema.sql holds the same for a new database; a test checks the two agree.
CREATE TABLE change_log_new (
    seq        INTEGER PRIMARY KEY,
    entity     TEXT NOT NULL CHECK (entity IN ('plan_item', 'goal', 'goal_status',
                                               'round_stage', 'consensus', 'need',
                                               'own_area', 'expectations', 'service_facts')),
    entity_key TEXT NOT NULL,
    old_json   TEXT,
    new_json   TEXT,
    changed_at TEXT NOT NULL
) STRICT;
INSERT INTO change_log_new (seq, entity, entity_key, old_json, new_json, changed_at)
    SELECT seq, entity, entity_key, old_json, new_json, changed_at FROM change_log;
DROP TABLE change_log;
ALTER TABLE change_log_new RENAME TO change_log;
CREATE INDEX change_log_by_entity ON change_log (entity, entity_key, seq);

CREATE TRIGGER change_log_is_append_only_update BEFORE UPDATE ON change_log
BEGIN
    SELECT RAISE(ABORT, 'change_log is append-only');
END;
CREATE TRIGGER change_log_is_append_only_delete BEFORE DELETE ON change_log
WHEN NOT EXISTS (SELECT 1 FROM erased
                 WHERE id IN (OLD.entity_key,
                              substr(OLD.entity_key, 1, instr(OLD.entity_key, '/') - 1),
                              substr(OLD.entity_key, instr(OLD.entity_key, '/') + 1)))
BEGIN
    SELECT RAISE(ABORT, 'change_log is append-only');
END;

-- A competence area a service added itself, beside the list in competence_areas.toml; its
-- id is the area's key in `need`.
CREATE TABLE own_area (
    id         TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES service (id),
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX own_area_by_service ON own_area (service_id, created_at);

-- The service's view of one area in a round (the leader's, or agreed at a gathering):
-- mastery today and importance for the coming period 1–5, among its top three (at most
-- three per round, which the store holds), who needs it, and what concretely is missing.
-- `area_key` is a key of competence_areas.toml or an own_area id.
CREATE TABLE need (
    round_id   TEXT NOT NULL REFERENCES round (id),
    area_key   TEXT NOT NULL,
    mastery    INTEGER CHECK (mastery BETWEEN 1 AND 5),
    importance INTEGER CHECK (importance BETWEEN 1 AND 5),
    top_three  INTEGER NOT NULL DEFAULT 0 CHECK (top_three IN (0, 1)),
    who        TEXT CHECK (who IN ('leaders', 'caseworkers', 'all')),
    missing    TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (round_id, area_key)
) STRICT, WITHOUT ROWID;

-- What the service expects of the programme in a round: the choices as codes joined by
-- ',', its own words, whether it knows why it was invited and takes part by its own wish.
CREATE TABLE expectations (
    round_id   TEXT PRIMARY KEY REFERENCES round (id),
    wants      TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL DEFAULT '',
    knows_why  TEXT CHECK (knows_why IN ('yes', 'partly', 'no')),
    own_wish   TEXT CHECK (own_wish IN ('yes', 'partly', 'no')),
    updated_at TEXT NOT NULL
) STRICT;

-- Facts about the service in a round, each optional, entered by the leader.
CREATE TABLE service_facts (
    round_id          TEXT PRIMARY KEY REFERENCES round (id),
    ftes              REAL CHECK (ftes >= 0),
    vacancies         INTEGER CHECK (vacancies >= 0),
    turnover          INTEGER CHECK (turnover >= 0),
    newly_qualified   REAL CHECK (newly_qualified BETWEEN 0 AND 100),
    deadline_breaches INTEGER CHECK (deadline_breaches >= 0),
    complaints        INTEGER CHECK (complaints >= 0),
    emergency_cases   INTEGER CHECK (emergency_cases >= 0),
    updated_at        TEXT NOT NULL
) STRICT;
