-- Version 11 → 12: positions keep a change log, so that a post removed on one machine is not
-- brought back by an older file, and the older of two edits is kept. A position's entries
-- are keyed `round_id/position_id`, as a consensus value's are: they go with their round
-- when it is erased (the delete trigger lets the entries of an erased part go). A removal
-- is an entry with no new side, weighed by the import as a cleared value is, not a
-- tombstone: a newer edit in a file still wins over it.
-- SQLite cannot widen a CHECK in place, so the change log is made anew as 011 did; its
-- triggers go with the old table and are made again, and the services' triggers that write
-- to it (version 11) are dropped first and made again after, or renaming the new table
-- would find them wanting. schema.sql holds the same for a new
-- database; a test checks the two agree. The positions there are now are not logged: their
-- row is their version, dated when it was last changed, and the import weighs that.
DROP TRIGGER service_cluster_recorded_on_insert;
DROP TRIGGER service_cluster_recorded_on_update;

CREATE TABLE change_log_new (
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

-- The services' triggers, as version 11 made them.
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
