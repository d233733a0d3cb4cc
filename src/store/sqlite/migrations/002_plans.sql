-- Version 1 → 2: plans (barriers, strategies, measures), goals with a status per round,
-- the implementation stage of a round, a gathering's consensus, and one change log for them.
-- schema.sql holds the same tables for a new database; a test checks the two agree.

CREATE TABLE plan_item (
    id            TEXT PRIMARY KEY,
    service_id    TEXT NOT NULL REFERENCES service (id),
    -- `section.subdomain`, e.g. `competence.coaching`
    subdomain_key TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('barrier', 'strategy', 'measure')),
    text          TEXT NOT NULL CHECK (length(trim(text)) > 0),
    -- barriers: where the barrier sits
    level         TEXT CHECK (level IN ('system', 'organisation', 'team', 'individual')),
    -- measures: who, by when, done
    owner         TEXT NOT NULL DEFAULT '',
    due_on        TEXT CHECK (due_on IS NULL OR date(due_on) = due_on),
    done          INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    done_on       TEXT CHECK (done_on IS NULL OR date(done_on) = done_on),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX plan_item_by_service ON plan_item (service_id, subdomain_key);

CREATE TABLE goal (
    id             TEXT PRIMARY KEY,
    service_id     TEXT NOT NULL REFERENCES service (id),
    text           TEXT NOT NULL CHECK (length(trim(text)) > 0),
    -- the subdomains it concerns, comma separated `section.subdomain` keys
    subdomain_keys TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE INDEX goal_by_service ON goal (service_id);

CREATE TABLE goal_status (
    goal_id    TEXT NOT NULL REFERENCES goal (id),
    round_id   TEXT NOT NULL REFERENCES round (id),
    status     TEXT NOT NULL CHECK (status IN ('not', 'partly', 'achieved')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (goal_id, round_id)
) STRICT;

-- Where the service is in its implementation when the round is held (seed 001's model).
CREATE TABLE round_stage (
    round_id   TEXT PRIMARY KEY REFERENCES round (id),
    stage      TEXT NOT NULL CHECK (stage IN ('agenda', 'find_measures', 'adapt', 'decide',
                                              'prepare', 'routines')),
    updated_at TEXT NOT NULL
) STRICT;

-- A value the group agreed on at a gathering, per subdomain, on the section's scale. Kept
-- apart from the individual answers, which it never changes.
CREATE TABLE consensus (
    round_id      TEXT NOT NULL REFERENCES round (id),
    subdomain_key TEXT NOT NULL,
    value         INTEGER NOT NULL CHECK (value BETWEEN 0 AND 9),
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (round_id, subdomain_key)
) STRICT;

-- Append-only: every change to a plan item, goal, goal status, stage or consensus value,
-- as JSON snapshots of the row before and after.
CREATE TABLE change_log (
    seq        INTEGER PRIMARY KEY,
    entity     TEXT NOT NULL CHECK (entity IN ('plan_item', 'goal', 'goal_status',
                                               'round_stage', 'consensus')),
    entity_key TEXT NOT NULL,
    old_json   TEXT,
    new_json   TEXT,
    changed_at TEXT NOT NULL
) STRICT;
CREATE INDEX change_log_by_entity ON change_log (entity, entity_key, seq);

CREATE TRIGGER change_log_is_append_only_update BEFORE UPDATE ON change_log
BEGIN
    SELECT RAISE(ABORT, 'change_log is append-only');
END;
CREATE TRIGGER change_log_is_append_only_delete BEFORE DELETE ON change_log
BEGIN
    SELECT RAISE(ABORT, 'change_log is append-only');
END;
