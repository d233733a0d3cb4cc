-- Version 10 → 11: the cluster as a record, its gatherings and who attended them (issue 15).
-- A service still names its cluster by text (`service.cluster`, as the export carries it);
-- the triggers below give every name a service carries its record, whichever write path
-- sets it. The migration makes a record of each name the services carry now.
-- The change log and the tombstones take the new kinds: SQLite cannot widen a CHECK in
-- place, so both tables are made anew as 008 did (the triggers that read `erased` are
-- dropped first and made again after, or renaming the new table would find them wanting).
-- schema.sql holds the same for a new database; a test checks the two agree.
DROP TRIGGER answer_history_is_append_only_delete;

CREATE TABLE change_log_new (
    seq        INTEGER PRIMARY KEY,
    entity     TEXT NOT NULL CHECK (entity IN ('plan_item', 'goal', 'goal_status',
                                               'round_stage', 'consensus', 'need',
                                               'own_area', 'expectations', 'service_facts',
                                               'cluster', 'gathering', 'attendance',
                                               'round_gathering')),
    entity_key TEXT NOT NULL,
    old_json   TEXT,
    new_json   TEXT,
    changed_at TEXT NOT NULL
) STRICT;
INSERT INTO change_log_new (seq, entity, entity_key, old_json, new_json, changed_at)
    SELECT seq, entity, entity_key, old_json, new_json, changed_at FROM change_log;
DROP TABLE change_log;

CREATE TABLE erased_new (
    id        TEXT PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('service', 'round', 'respondent', 'plan_item',
                                            'goal', 'gathering')),
    erased_at TEXT NOT NULL,
    -- the face that erased it: the program, the `erase` command, or retention
    -- (`erase --older-than`)
    erased_by TEXT NOT NULL CHECK (erased_by IN ('screen', 'command', 'retention'))
) STRICT;
INSERT INTO erased_new (id, kind, erased_at, erased_by)
    SELECT id, kind, erased_at, erased_by FROM erased;
DROP TABLE erased;
ALTER TABLE erased_new RENAME TO erased;

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
CREATE TRIGGER answer_history_is_append_only_delete BEFORE DELETE ON answer_history
WHEN NOT EXISTS (SELECT 1 FROM erased WHERE id = OLD.respondent_id)
BEGIN
    SELECT RAISE(ABORT, 'answer_history is append-only');
END;

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

-- The gathering a round belongs to (its kind says before, between or after); the store
-- ties a round only to a gathering of its service's cluster.
ALTER TABLE round ADD COLUMN gathering_id TEXT REFERENCES gathering (id) ON DELETE SET NULL;
CREATE INDEX round_by_gathering ON round (gathering_id);

-- The records of the clusters the services name now, logged as made.
INSERT INTO cluster (id, name, created_at, updated_at)
    SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
               || substr(lower(hex(randomblob(2))), 2) || '-'
               || substr('89ab', 1 + abs(random() % 4), 1)
               || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
           cluster, min(created_at), min(created_at)
    FROM service WHERE length(trim(cluster)) > 0 GROUP BY cluster ORDER BY cluster;
INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
    SELECT 'cluster', id, NULL,
           json_object('id', id, 'name', name, 'county', county, 'centre', centre,
                       'process_leaders', process_leaders, 'period_from', period_from,
                       'period_to', period_to),
           created_at
    FROM cluster ORDER BY name;

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
