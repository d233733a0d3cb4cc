-- What schema.sql says in SQLite's own language, for PostgreSQL: its triggers, as PL/pgSQL,
-- and the case-blind order that the queries name. Run after the translated tables
-- (src/store/postgres/schema.rs), in the same transaction.

-- The version of the schema the tables are at: SQLite keeps it in `PRAGMA user_version`.
CREATE TABLE kartlegg_schema (
    version BIGINT NOT NULL
);

-- SQLite's NOCASE, which the queries sort by: case-blind, in Norwegian order.
CREATE COLLATION nocase (provider = icu, locale = 'nb-u-ks-level2', deterministic = false);

-- A row as SQLite's json_object writes it: compact, the keys in the order given, so that a
-- change-log entry is the same text on either backend (an import compares it as text).
CREATE FUNCTION kartlegg_json(VARIADIC pairs TEXT[]) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT '{' || coalesce(string_agg(to_json(pairs[i])::text || ':'
                                      || coalesce(to_json(pairs[i + 1])::text, 'null'),
                                      ',' ORDER BY i), '') || '}'
    FROM generate_subscripts(pairs, 1) AS i WHERE i % 2 = 1
$$;

CREATE FUNCTION kartlegg_is_erased(id TEXT) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM erased WHERE erased.id = $1)
$$;

CREATE FUNCTION kartlegg_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE TRIGGER answer_history_is_append_only_update BEFORE UPDATE ON answer_history
FOR EACH ROW EXECUTE FUNCTION kartlegg_append_only();
-- Deletes only the history of an erased respondent (see `erased`).
CREATE TRIGGER answer_history_is_append_only_delete BEFORE DELETE ON answer_history
FOR EACH ROW WHEN (NOT kartlegg_is_erased(OLD.respondent_id))
EXECUTE FUNCTION kartlegg_append_only();

CREATE TRIGGER change_log_is_append_only_update BEFORE UPDATE ON change_log
FOR EACH ROW EXECUTE FUNCTION kartlegg_append_only();
-- Deletes only the entries of an erased thing: a key is an id, or two joined by '/', and
-- goes when either part is erased.
CREATE TRIGGER change_log_is_append_only_delete BEFORE DELETE ON change_log
FOR EACH ROW WHEN (NOT (kartlegg_is_erased(OLD.entity_key)
                        OR kartlegg_is_erased(split_part(OLD.entity_key, '/', 1))
                        OR kartlegg_is_erased(substr(OLD.entity_key,
                                                     strpos(OLD.entity_key, '/') + 1))))
EXECUTE FUNCTION kartlegg_append_only();

-- Every name a service carries has its record, whichever write sets it: made, and logged,
-- when it is missing. A service that moves to another cluster lets go of its rounds'
-- gatherings of the one it left (logged).
-- A cluster's record as its change-log entries hold it.
CREATE FUNCTION kartlegg_cluster_json(c cluster) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT kartlegg_json('id', c.id, 'name', c.name, 'county', c.county, 'centre', c.centre,
                         'process_leaders', c.process_leaders, 'period_from', c.period_from,
                         'period_to', c.period_to)
$$;

CREATE FUNCTION kartlegg_service_cluster() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF length(trim(NEW.cluster)) > 0
           AND NOT EXISTS (SELECT 1 FROM cluster WHERE name = NEW.cluster) THEN
            INSERT INTO cluster (id, name, created_at, updated_at)
            VALUES (gen_random_uuid()::text, NEW.cluster, NEW.updated_at, NEW.updated_at);
            INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
            SELECT 'cluster', id, NULL, kartlegg_cluster_json(cluster), created_at
            FROM cluster WHERE name = NEW.cluster;
        END IF;
        RETURN NULL;
    END IF;
    IF NEW.cluster IS NOT DISTINCT FROM OLD.cluster THEN
        RETURN NULL;
    END IF;
    INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
    SELECT 'round_gathering', r.id, to_json(r.gathering_id)::text, NULL, NEW.updated_at
    FROM round r JOIN gathering g ON g.id = r.gathering_id
    JOIN cluster c ON c.id = g.cluster_id
    WHERE r.service_id = NEW.id AND c.name IS DISTINCT FROM NEW.cluster
    ORDER BY r.rowid;
    UPDATE round SET gathering_id = NULL
    WHERE service_id = NEW.id AND gathering_id IN
        (SELECT g.id FROM gathering g JOIN cluster c ON c.id = g.cluster_id
         WHERE c.name IS DISTINCT FROM NEW.cluster);
    IF length(trim(NEW.cluster)) > 0
       AND NOT EXISTS (SELECT 1 FROM cluster WHERE name = NEW.cluster) THEN
        INSERT INTO cluster (id, name, created_at, updated_at)
        VALUES (gen_random_uuid()::text, NEW.cluster, NEW.updated_at, NEW.updated_at);
    END IF;
    INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
    SELECT 'cluster', id, NULL, kartlegg_cluster_json(cluster), created_at
    FROM cluster WHERE name = NEW.cluster
      AND NOT EXISTS (SELECT 1 FROM change_log l
                      WHERE l.entity = 'cluster' AND l.entity_key = cluster.id);
    RETURN NULL;
END $$;

CREATE TRIGGER service_cluster_recorded_on_insert AFTER INSERT ON service
FOR EACH ROW EXECUTE FUNCTION kartlegg_service_cluster();
CREATE TRIGGER service_cluster_recorded_on_update AFTER UPDATE OF cluster ON service
FOR EACH ROW EXECUTE FUNCTION kartlegg_service_cluster();

-- Live during a gathering: every committed change to what the screens show says so on the
-- channel `kartlegg_changed` (once per statement; the server gives it to the listeners only
-- when the change is committed, and folds repeats within a transaction into one).
CREATE FUNCTION kartlegg_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kartlegg_changed', TG_TABLE_NAME);
    RETURN NULL;
END $$;

DO $$
DECLARE
    shown TEXT;
BEGIN
    FOREACH shown IN ARRAY ARRAY['service', 'round', 'respondent', 'answer', 'round_score',
                                 'plan_item', 'goal', 'goal_status', 'round_stage',
                                 'consensus', 'own_area', 'need', 'expectations',
                                 'service_facts', 'position', 'cluster', 'gathering',
                                 'attendance', 'invite', 'erased'] LOOP
        EXECUTE format('CREATE TRIGGER kartlegg_notify_%s AFTER INSERT OR UPDATE OR DELETE '
                       'ON %I FOR EACH STATEMENT EXECUTE FUNCTION kartlegg_notify()',
                       shown, shown);
    END LOOP;
END $$;
