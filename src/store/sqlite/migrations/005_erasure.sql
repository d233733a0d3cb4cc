-- Version 4 → 5: data that can be erased. What is erased leaves a tombstone in `erased`:
-- what kind of thing it was, its id, when and by which face; never a name or content, so
-- that an audit sees that something went and an import does not bring it back.
-- The history and the change log stay append-only, except for the rows of a thing with a
-- tombstone: an erasure writes the tombstone first, then removes the thing's history.
-- schema.sql holds the same table and triggers for a new database; a test checks they agree.
CREATE TABLE erased (
    id        TEXT PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('service', 'round', 'respondent', 'plan_item',
                                            'goal')),
    erased_at TEXT NOT NULL,
    -- the face that erased it: the program, the `erase` command, or retention
    -- (`erase --older-than`)
    erased_by TEXT NOT NULL CHECK (erased_by IN ('screen', 'command', 'retention'))
) STRICT;

DROP TRIGGER answer_history_is_append_only_delete;
CREATE TRIGGER answer_history_is_append_only_delete BEFORE DELETE ON answer_history
WHEN NOT EXISTS (SELECT 1 FROM erased WHERE id = OLD.respondent_id)
BEGIN
    SELECT RAISE(ABORT, 'answer_history is append-only');
END;

-- A change log key is an id, or two joined by '/' (`goal_id/round_id`,
-- `round_id/subdomain_key`): its entries go when either part is erased.
DROP TRIGGER change_log_is_append_only_delete;
CREATE TRIGGER change_log_is_append_only_delete BEFORE DELETE ON change_log
WHEN NOT EXISTS (SELECT 1 FROM erased
                 WHERE id IN (OLD.entity_key,
                              substr(OLD.entity_key, 1, instr(OLD.entity_key, '/') - 1),
                              substr(OLD.entity_key, instr(OLD.entity_key, '/') + 1)))
BEGIN
    SELECT RAISE(ABORT, 'change_log is append-only');
END;
