-- kartlegg's schema, version 12: the one schema of a new database, embedded in the binary.
-- An older database is brought here by the steps in src/store/migrations/ (00N upgrades
-- version N-1 to N); a test checks that both roads lead to the same schema.
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
, gathering_id TEXT REFERENCES gathering (id) ON DELETE SET NULL) STRICT;
-- (`gathering_id` came in version 11 by ALTER TABLE: written as SQLite writes it then.)
CREATE INDEX round_by_service ON round (service_id, held_on);

CREATE TABLE respondent (
    id         TEXT PRIMARY KEY,
    round_id   TEXT NOT NULL REFERENCES round (id),
    role       TEXT NOT NULL CHECK (role IN ('leader', 'key_person', 'staff', 'consultant')),
    -- optional initials or a code; never a required name
    code       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
) STRICT;
-- With the role: the process leader is kept apart from the service's own score (version 4).
CREATE INDEX respondent_by_round ON respondent (round_id, role);

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
-- Deletes only the history of an erased respondent (version 5: see `erased` below).
CREATE TRIGGER answer_history_is_append_only_delete BEFORE DELETE ON answer_history
WHEN NOT EXISTS (SELECT 1 FROM erased WHERE id = OLD.respondent_id)
BEGIN
    SELECT RAISE(ABORT, 'answer_history is append-only');
END;

-- ---- version 2: plans, goals, stage, consensus ----

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
-- (version 8) to a need, an own area, expectations or service facts, and (version 11) to a
-- cluster's record, a gathering, an attendance or a round's gathering, and (version 12) to a
-- position (keyed `round_id/position_id`; a removal has no new side), as JSON snapshots of
-- the row before and after. Versions 8, 11 and 12 rebuilt the table to widen the CHECK: the name
-- is written as SQLite writes it after the rename (migrations/008_needs.sql).
CREATE TABLE "change_log" (
    seq        INTEGER PRIMARY KEY,
    entity     TEXT NOT NULL CHECK (entity IN ('plan_item', 'goal', 'goal_status',
                                               'round_stage', 'consensus', 'need',
                                               'own_area', 'expectations', 'service_facts',
                                               'cluster', 'gathering', 'attendance',
                                               'round_gathering', 'position')),
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
-- Deletes only the entries of an erased thing (version 5): a key is an id, or two joined
-- by '/' (`goal_id/round_id`, `round_id/subdomain_key`), and goes when either part is erased.
CREATE TRIGGER change_log_is_append_only_delete BEFORE DELETE ON change_log
WHEN NOT EXISTS (SELECT 1 FROM erased
                 WHERE id IN (OLD.entity_key,
                              substr(OLD.entity_key, 1, instr(OLD.entity_key, '/') - 1),
                              substr(OLD.entity_key, instr(OLD.entity_key, '/') + 1)))
BEGIN
    SELECT RAISE(ABORT, 'change_log is append-only');
END;

-- ---- version 3: kept scores (see src/store/migrations/003_kept_scores.sql) ----

-- A respondent's answers in one subdomain (`section.subdomain`): how many have a score, the
-- sum of their fractions of the scale's maximum, and the "vet ikke" and "ikke relevant".
-- Only subdomains with an answer have a row. The slots (items × respondents) follow from the
-- instrument and are not kept.
CREATE TABLE respondent_score (
    respondent_id  TEXT NOT NULL REFERENCES respondent (id),
    subdomain_key  TEXT NOT NULL,
    scored         INTEGER NOT NULL CHECK (scored >= 0),
    fraction_sum   REAL NOT NULL CHECK (fraction_sum >= 0),
    dont_know      INTEGER NOT NULL CHECK (dont_know >= 0),
    not_applicable INTEGER NOT NULL CHECK (not_applicable >= 0),
    PRIMARY KEY (respondent_id, subdomain_key)
) STRICT, WITHOUT ROWID;

-- The sum of respondent_score over the respondents of a round, per subdomain: the round's
-- scores in about twenty rows, together on disk.
CREATE TABLE round_score (
    round_id       TEXT NOT NULL REFERENCES round (id),
    subdomain_key  TEXT NOT NULL,
    scored         INTEGER NOT NULL CHECK (scored >= 0),
    fraction_sum   REAL NOT NULL CHECK (fraction_sum >= 0),
    dont_know      INTEGER NOT NULL CHECK (dont_know >= 0),
    not_applicable INTEGER NOT NULL CHECK (not_applicable >= 0),
    PRIMARY KEY (round_id, subdomain_key)
) STRICT, WITHOUT ROWID;

-- ---- version 5: erasure (see src/store/migrations/005_erasure.sql) ----

-- A tombstone per erased thing: what kind, its id, when, and by which face; never a name or
-- content. An import skips rows whose id (or whose parent's id) has one. Version 11 rebuilt
-- the table to take gatherings (the name as SQLite writes it after the rename).
CREATE TABLE "erased" (
    id        TEXT PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('service', 'round', 'respondent', 'plan_item',
                                            'goal', 'gathering')),
    erased_at TEXT NOT NULL,
    -- the face that erased it: the program, the `erase` command, or retention
    -- (`erase --older-than`)
    erased_by TEXT NOT NULL CHECK (erased_by IN ('screen', 'command', 'retention'))
) STRICT;

-- ---- version 6 (migrations/006_invites.sql): codes for answering alone ----

-- A one-time code with which one respondent answers alone (`kartlegg invite`, `kartlegg
-- answer`). Only the code's hash is kept, never the code (its Argon2id under `invite_key`
-- since version 7, `code_scheme` 'argon2id'; its SHA-256 before, 'sha256'). The respondent is
-- made when the code is first used; until then `respondent_id` is NULL. A respondent with an
-- invite is seen by others only in aggregate.
CREATE TABLE invite (
    id            TEXT PRIMARY KEY,
    round_id      TEXT NOT NULL REFERENCES round (id),
    role          TEXT NOT NULL CHECK (role IN ('leader', 'key_person', 'staff', 'consultant')),
    code_hash     TEXT NOT NULL UNIQUE CHECK (length(code_hash) = 64),
    created_at    TEXT NOT NULL,
    withdrawn_at  TEXT,
    respondent_id TEXT UNIQUE REFERENCES respondent (id)
    , code_scheme TEXT NOT NULL DEFAULT 'sha256' CHECK (code_scheme IN ('sha256', 'argon2id'))) STRICT;
CREATE INDEX invite_by_round ON invite (round_id);

-- ---- version 7 (migrations/007_invite_key.sql): codes hashed slowly ----
-- (`invite.code_scheme` above came then too, by ALTER TABLE: written as SQLite writes it then.)

-- The salt of every code's hash in this database: 32 random bytes made on first use.
CREATE TABLE invite_key (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    key        BLOB NOT NULL CHECK (length(key) = 32),
    created_at TEXT NOT NULL
) STRICT;

-- ---- version 8 (migrations/008_needs.sql): competence needs ----

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

-- ---- version 9 (migrations/009_positions.sql): positions against the 2031 requirement ----

-- A post in a round (role, education, credits of relevant further education, years of
-- relevant experience, planned further education and its year), never a person: no name, no
-- initials. Erased with its round.
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

-- ---- version 10 (migrations/010_asked_items.sql): no table changes; the kept tallies are
-- counted again under instrument 2.0's rules of which items are put to whom ----

-- ---- version 11 (migrations/011_clusters.sql): clusters, gatherings, attendance ----

-- A cluster of services in the programme: its name is the text its services carry.
CREATE TABLE cluster (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    county          TEXT NOT NULL DEFAULT '',
    -- the regional centre that runs the programme, e.g. 'RBUP Øst og Sør'
    centre          TEXT NOT NULL DEFAULT '',
    -- roles or initials, never required
    process_leaders TEXT NOT NULL DEFAULT '',
    period_from     TEXT CHECK (period_from IS NULL OR date(period_from) = period_from),
    period_to       TEXT CHECK (period_to IS NULL OR date(period_to) = period_to),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK (period_from IS NULL OR period_to IS NULL OR period_from <= period_to)
) STRICT;

-- A gathering (samling) of a cluster: for its leaders, for everyone, or online.
CREATE TABLE gathering (
    id         TEXT PRIMARY KEY,
    cluster_id TEXT NOT NULL REFERENCES cluster (id),
    held_on    TEXT NOT NULL CHECK (date(held_on) = held_on),
    kind       TEXT NOT NULL CHECK (kind IN ('leaders', 'joint', 'digital')),
    topics     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX gathering_by_cluster ON gathering (cluster_id, held_on);

-- Who from a service attended a gathering, as numbers (never names), whether the pre-work
-- before it and the between-work after it were done, and a note. Erased with its service
-- or its gathering.
CREATE TABLE attendance (
    gathering_id TEXT NOT NULL REFERENCES gathering (id),
    service_id   TEXT NOT NULL REFERENCES service (id),
    leaders      INTEGER NOT NULL DEFAULT 0 CHECK (leaders BETWEEN 0 AND 1000),
    key_persons  INTEGER NOT NULL DEFAULT 0 CHECK (key_persons BETWEEN 0 AND 1000),
    staff        INTEGER NOT NULL DEFAULT 0 CHECK (staff BETWEEN 0 AND 1000),
    pre_work     TEXT CHECK (pre_work IN ('yes', 'partly', 'no')),
    between_work TEXT CHECK (between_work IN ('yes', 'partly', 'no')),
    note         TEXT NOT NULL DEFAULT '',
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (gathering_id, service_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX attendance_by_service ON attendance (service_id);

-- `round.gathering_id` (above): the gathering a round belongs to (its kind says before,
-- between or after); the store ties a round only to a gathering of its service's cluster.
CREATE INDEX round_by_gathering ON round (gathering_id);

-- Every name a service carries has its record, whichever write sets it (a form, an
-- import): made, and logged, when it is missing.
CREATE TRIGGER service_cluster_recorded_on_insert AFTER INSERT ON service
WHEN length(trim(NEW.cluster)) > 0 AND NOT EXISTS (SELECT 1 FROM cluster WHERE name = NEW.cluster)
BEGIN
    INSERT INTO cluster (id, name, created_at, updated_at)
    VALUES (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
                || substr(lower(hex(randomblob(2))), 2) || '-'
                || substr('89ab', 1 + abs(random() % 4), 1)
                || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
            NEW.cluster, NEW.updated_at, NEW.updated_at);
    INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
    SELECT 'cluster', id, NULL,
           json_object('id', id, 'name', name, 'county', county, 'centre', centre,
                       'process_leaders', process_leaders, 'period_from', period_from,
                       'period_to', period_to),
           created_at
    FROM cluster WHERE name = NEW.cluster;
END;
-- A service that moves to another cluster lets go of its rounds' gatherings of the one it
-- left (logged), and its new cluster gets its record.
CREATE TRIGGER service_cluster_recorded_on_update AFTER UPDATE OF cluster ON service
WHEN NEW.cluster IS NOT OLD.cluster
BEGIN
    INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
    SELECT 'round_gathering', r.id, json_quote(r.gathering_id), NULL, NEW.updated_at
    FROM round r JOIN gathering g ON g.id = r.gathering_id JOIN cluster c ON c.id = g.cluster_id
    WHERE r.service_id = NEW.id AND c.name IS NOT NEW.cluster;
    UPDATE round SET gathering_id = NULL
    WHERE service_id = NEW.id AND gathering_id IN
        (SELECT g.id FROM gathering g JOIN cluster c ON c.id = g.cluster_id
         WHERE c.name IS NOT NEW.cluster);
    INSERT INTO cluster (id, name, created_at, updated_at)
    SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
               || substr(lower(hex(randomblob(2))), 2) || '-'
               || substr('89ab', 1 + abs(random() % 4), 1)
               || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
           NEW.cluster, NEW.updated_at, NEW.updated_at
    WHERE length(trim(NEW.cluster)) > 0
      AND NOT EXISTS (SELECT 1 FROM cluster WHERE name = NEW.cluster);
    INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
    SELECT 'cluster', id, NULL,
           json_object('id', id, 'name', name, 'county', county, 'centre', centre,
                       'process_leaders', process_leaders, 'period_from', period_from,
                       'period_to', period_to),
           created_at
    FROM cluster WHERE name = NEW.cluster
      AND NOT EXISTS (SELECT 1 FROM change_log l
                      WHERE l.entity = 'cluster' AND l.entity_key = cluster.id);
END;
