-- Who sees what on a server, held by the server itself (row-level security), not by the
-- program: whatever a role runs, kartlegg or psql, it reaches only the rows its duty names.
-- Run by `PgStore::init` after the rules, in the same transaction; docs/server.md says the
-- model in words.
--
-- The database's owner (who ran init) sees and changes everything: RLS is enabled, not
-- forced, so the owner's own queries and the SECURITY DEFINER lookups below (which run as
-- the owner) read the tables whole. Everyone else reaches a row only through a policy.

-- The group roles are the server's, shared by its databases; what a member reaches in this
-- database is what this database's `kartlegg_access` assigns them.
DO $$
DECLARE
    group_name TEXT;
BEGIN
    FOREACH group_name IN ARRAY ARRAY['kartlegg_consultant', 'kartlegg_leader',
                                      'kartlegg_respondent'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = group_name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', group_name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                -- Another database's init made it meanwhile.
                NULL;
            END;
        END IF;
    END LOOP;
END $$;

-- Which login role has which duty here: consultant of a cluster (its id), leader of a
-- service (its id), or respondent (a respondent's id: the role answers as that one alone).
-- Only the owner reads or writes it; the lookups below read it for the others.
CREATE TABLE kartlegg_access (
    role_name  TEXT NOT NULL,
    duty       TEXT NOT NULL CHECK (duty IN ('consultant', 'leader', 'respondent')),
    target     TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (role_name, duty, target)
);
REVOKE ALL ON kartlegg_access FROM PUBLIC;

-- The lookups, one per question. Each takes the asking role (`current_user` in the policy:
-- inside a SECURITY DEFINER function `current_user` is the owner) and answers only for a
-- role the session may act as, so no one learns another's duties by asking about them.

-- May `asker` read and change the data of the service `of_service` in the cluster named
-- `named`? Its leader, or a consultant of its cluster. Takes the cluster's name so that a
-- new service's row is checked before it is in the table. (The parameters' names are
-- no table's columns: in SQL functions a column of the same name would win.)
CREATE FUNCTION kartlegg_keeps(of_service TEXT, named TEXT, asker NAME)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT pg_has_role(session_user, asker, 'MEMBER') AND EXISTS (
        SELECT 1 FROM kartlegg_access a
        WHERE a.role_name = asker
          AND ((a.duty = 'leader' AND a.target = of_service)
               OR (a.duty = 'consultant'
                   AND a.target IN (SELECT c.id FROM cluster c WHERE c.name = named))))
$$;

-- May `asker` read and change the data of the service `of_service`?
CREATE FUNCTION kartlegg_keeps_service(of_service TEXT, asker NAME)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT coalesce((SELECT kartlegg_keeps(s.id, s.cluster, asker) FROM service s
                     WHERE s.id = of_service), false)
$$;

-- May `asker` read and change the data of the round `of_round`?
CREATE FUNCTION kartlegg_keeps_round(of_round TEXT, asker NAME)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT coalesce((SELECT kartlegg_keeps_service(r.service_id, asker) FROM round r
                     WHERE r.id = of_round), false)
$$;

-- May `asker` read and change the answers of the respondent `of_respondent`, as the keeper
-- of its service?
CREATE FUNCTION kartlegg_keeps_respondent(of_respondent TEXT, asker NAME)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT coalesce((SELECT kartlegg_keeps_round(p.round_id, asker) FROM respondent p
                     WHERE p.id = of_respondent), false)
$$;

-- Is `asker` a consultant of the cluster `of_cluster`?
CREATE FUNCTION kartlegg_consults(of_cluster TEXT, asker NAME)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT pg_has_role(session_user, asker, 'MEMBER') AND EXISTS (
        SELECT 1 FROM kartlegg_access a
        WHERE a.role_name = asker AND a.duty = 'consultant' AND a.target = of_cluster)
$$;

-- Does `asker` see the cluster `of_cluster`: its consultant, or the leader of a service in
-- it (who reads its record and gatherings, and changes neither)?
CREATE FUNCTION kartlegg_sees_cluster(of_cluster TEXT, asker NAME)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT kartlegg_consults(of_cluster, asker) OR EXISTS (
        SELECT 1 FROM cluster c JOIN service s ON s.cluster = c.name
        WHERE c.id = of_cluster AND kartlegg_keeps(s.id, s.cluster, asker))
$$;

-- Is `asker` the respondent `of_respondent`, answering as that one alone?
CREATE FUNCTION kartlegg_is_respondent(of_respondent TEXT, asker NAME)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT pg_has_role(session_user, asker, 'MEMBER') AND EXISTS (
        SELECT 1 FROM kartlegg_access a
        WHERE a.role_name = asker AND a.duty = 'respondent' AND a.target = of_respondent)
$$;

-- Does `asker` answer in the round `of_round` (and so read the round and its service)?
CREATE FUNCTION kartlegg_answers_in(of_round TEXT, asker NAME)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT pg_has_role(session_user, asker, 'MEMBER') AND EXISTS (
        SELECT 1 FROM kartlegg_access a JOIN respondent p ON p.id = a.target
        WHERE a.role_name = asker AND a.duty = 'respondent' AND p.round_id = of_round)
$$;

-- Does `asker` answer in a round of the service `of_service`?
CREATE FUNCTION kartlegg_answers_for(of_service TEXT, asker NAME)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT pg_has_role(session_user, asker, 'MEMBER') AND EXISTS (
        SELECT 1 FROM kartlegg_access a JOIN respondent p ON p.id = a.target
        JOIN round r ON r.id = p.round_id
        WHERE a.role_name = asker AND a.duty = 'respondent' AND r.service_id = of_service)
$$;

-- Does `asker` see the change-log entry of `of_entity` under `of_key`: the keeper of what
-- it is about (keys as `store::postgres` writes them: an id, or two joined by '/')?
CREATE FUNCTION kartlegg_sees_change(of_entity TEXT, of_key TEXT, asker NAME)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT CASE
        WHEN of_entity IN ('round_stage', 'consensus', 'need', 'expectations',
                           'service_facts', 'position', 'round_gathering')
            THEN kartlegg_keeps_round(split_part(of_key, '/', 1), asker)
        WHEN of_entity = 'goal_status'
            THEN kartlegg_keeps_round(split_part(of_key, '/', 2), asker)
        WHEN of_entity = 'own_area'
            THEN kartlegg_keeps_service(split_part(of_key, '/', 1), asker)
        WHEN of_entity = 'attendance'
            THEN kartlegg_keeps_service(split_part(of_key, '/', 2), asker)
        WHEN of_entity = 'plan_item'
            THEN coalesce((SELECT kartlegg_keeps_service(i.service_id, asker)
                           FROM plan_item i WHERE i.id = of_key), false)
        WHEN of_entity = 'goal'
            THEN coalesce((SELECT kartlegg_keeps_service(g.service_id, asker)
                           FROM goal g WHERE g.id = of_key), false)
        WHEN of_entity = 'cluster' THEN kartlegg_consults(of_key, asker)
        WHEN of_entity = 'gathering'
            THEN coalesce((SELECT kartlegg_consults(g.cluster_id, asker)
                           FROM gathering g WHERE g.id = of_key), false)
        ELSE false
    END
$$;

-- Rounds' kept sums, made again from their respondents' kept tallies: what
-- `store::postgres::kept::sum_rounds` asks for (one round at a save, every round an import
-- touched at its end, in one pass). The owner's, because a respondent moves its
-- round's sums with its own tallies, and may not read the others' that they are summed from
-- (from its own rows alone the sums would be wrong). Only for the owner and for a round the
-- caller keeps or answers in. The braced name below is the shared rule
-- (`store::columns::COUNTED`), written in by `access::access_sql`.
CREATE FUNCTION kartlegg_sum_rounds(of_rounds TEXT[], of_subdomain TEXT, min_group BIGINT,
                                    asker NAME)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    refused TEXT;
BEGIN
    IF NOT pg_has_role(asker, (SELECT c.relowner FROM pg_class c
                               WHERE c.oid = 'round_score'::regclass), 'MEMBER')
    THEN
        SELECT r INTO refused FROM unnest(of_rounds) AS r
        WHERE NOT (kartlegg_keeps_round(r, asker) OR kartlegg_answers_in(r, asker))
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'no right to the round %', refused
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    DELETE FROM round_score s
    WHERE s.round_id = ANY (of_rounds)
      AND (of_subdomain IS NULL OR s.subdomain_key = of_subdomain);
    INSERT INTO round_score
        (round_id, subdomain_key, scored, fraction_sum, dont_know, not_applicable)
    SELECT p.round_id, s.subdomain_key, sum(s.scored), sum(s.fraction_sum),
           sum(s.dont_know), sum(s.not_applicable)
    -- Each respondent's tallies by its key (`OFFSET 0` keeps it so): a plan for any
    -- subdomain would otherwise read every tally, for one round as for all.
    FROM respondent p
    CROSS JOIN LATERAL (SELECT * FROM respondent_score t WHERE t.respondent_id = p.id
                        OFFSET 0) s
    WHERE p.round_id = ANY (of_rounds)
      AND (of_subdomain IS NULL OR s.subdomain_key = of_subdomain)
      AND {COUNTED}
    GROUP BY p.round_id, s.subdomain_key;
END $$;

-- What every group reads to open the database at all.
GRANT SELECT ON kartlegg_schema TO kartlegg_consultant, kartlegg_leader, kartlegg_respondent;
-- Identity columns (rowid, seq) draw from sequences.
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public
    TO kartlegg_consultant, kartlegg_leader, kartlegg_respondent;

-- Keepers (consultants and leaders) work on their services' data whole.
GRANT SELECT, INSERT, UPDATE, DELETE ON service, round, respondent, answer, respondent_score,
    round_score, plan_item, goal, goal_status, round_stage, consensus, own_area, need,
    expectations, service_facts, position, invite, attendance
    TO kartlegg_consultant, kartlegg_leader;
-- The history and the change log are append-only; erasing (which deletes from them) is the
-- owner's, as the one answerable for the data.
GRANT SELECT, INSERT ON answer_history, change_log TO kartlegg_consultant, kartlegg_leader;
-- Which ids were erased, and when: no service's data, read so that erased things stay gone.
GRANT SELECT ON erased TO kartlegg_consultant, kartlegg_leader;
GRANT SELECT ON cluster, gathering TO kartlegg_consultant, kartlegg_leader;
GRANT INSERT, UPDATE, DELETE ON cluster, gathering TO kartlegg_consultant;
-- The key codes are hashed with: the consultant hands out codes. A leader holding it could
-- try codes against their service's hashes and answer as another.
GRANT SELECT, INSERT ON invite_key TO kartlegg_consultant;

-- A respondent reads the round it answers in and its service, and works on its own answers.
GRANT SELECT ON service, round, respondent, answer, answer_history, respondent_score
    TO kartlegg_respondent;
GRANT INSERT, UPDATE ON answer TO kartlegg_respondent;
GRANT INSERT ON answer_history TO kartlegg_respondent;
GRANT INSERT, UPDATE, DELETE ON respondent_score TO kartlegg_respondent;

-- The policies: per table, whose rows are whose. PERMISSIVE policies add up (OR).
ALTER TABLE service ENABLE ROW LEVEL SECURITY;
CREATE POLICY keeper ON service TO kartlegg_consultant, kartlegg_leader
    USING (kartlegg_keeps(id, cluster, current_user));
CREATE POLICY respondent ON service FOR SELECT TO kartlegg_respondent
    USING (kartlegg_answers_for(id, current_user));

ALTER TABLE round ENABLE ROW LEVEL SECURITY;
CREATE POLICY keeper ON round TO kartlegg_consultant, kartlegg_leader
    USING (kartlegg_keeps_service(service_id, current_user));
CREATE POLICY respondent ON round FOR SELECT TO kartlegg_respondent
    USING (kartlegg_answers_in(id, current_user));

ALTER TABLE respondent ENABLE ROW LEVEL SECURITY;
CREATE POLICY keeper ON respondent TO kartlegg_consultant, kartlegg_leader
    USING (kartlegg_keeps_round(round_id, current_user));
CREATE POLICY respondent ON respondent FOR SELECT TO kartlegg_respondent
    USING (kartlegg_is_respondent(id, current_user));

-- A respondent's own rows: its answers, their history, its kept tallies.
DO $$
DECLARE
    own TEXT;
BEGIN
    FOREACH own IN ARRAY ARRAY['answer', 'answer_history', 'respondent_score'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', own);
        EXECUTE format('CREATE POLICY keeper ON %I TO kartlegg_consultant, kartlegg_leader
                            USING (kartlegg_keeps_respondent(respondent_id, current_user))',
                       own);
        EXECUTE format('CREATE POLICY respondent ON %I TO kartlegg_respondent
                            USING (kartlegg_is_respondent(respondent_id, current_user))',
                       own);
    END LOOP;
END $$;

-- A round's rows.
DO $$
DECLARE
    of_round TEXT;
BEGIN
    FOREACH of_round IN ARRAY ARRAY['round_score', 'goal_status', 'round_stage', 'consensus',
                                    'need', 'expectations', 'service_facts', 'position',
                                    'invite'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', of_round);
        EXECUTE format('CREATE POLICY keeper ON %I TO kartlegg_consultant, kartlegg_leader
                            USING (kartlegg_keeps_round(round_id, current_user))',
                       of_round);
    END LOOP;
END $$;

-- A service's rows.
DO $$
DECLARE
    of_service TEXT;
BEGIN
    FOREACH of_service IN ARRAY ARRAY['plan_item', 'goal', 'own_area', 'attendance'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', of_service);
        EXECUTE format('CREATE POLICY keeper ON %I TO kartlegg_consultant, kartlegg_leader
                            USING (kartlegg_keeps_service(service_id, current_user))',
                       of_service);
    END LOOP;
END $$;

ALTER TABLE cluster ENABLE ROW LEVEL SECURITY;
CREATE POLICY sees ON cluster FOR SELECT TO kartlegg_consultant, kartlegg_leader
    USING (kartlegg_sees_cluster(id, current_user));
CREATE POLICY consultant ON cluster TO kartlegg_consultant
    USING (kartlegg_consults(id, current_user));

ALTER TABLE gathering ENABLE ROW LEVEL SECURITY;
CREATE POLICY sees ON gathering FOR SELECT TO kartlegg_consultant, kartlegg_leader
    USING (kartlegg_sees_cluster(cluster_id, current_user));
CREATE POLICY consultant ON gathering TO kartlegg_consultant
    USING (kartlegg_consults(cluster_id, current_user));

ALTER TABLE change_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY keeper ON change_log TO kartlegg_consultant, kartlegg_leader
    USING (kartlegg_sees_change(entity, entity_key, current_user));

-- Asked by the policies as their caller.
REVOKE ALL ON FUNCTION kartlegg_keeps, kartlegg_keeps_service, kartlegg_keeps_round,
    kartlegg_keeps_respondent, kartlegg_consults, kartlegg_sees_cluster,
    kartlegg_is_respondent, kartlegg_answers_in, kartlegg_answers_for, kartlegg_sees_change,
    kartlegg_sum_rounds FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kartlegg_keeps, kartlegg_keeps_service, kartlegg_keeps_round,
    kartlegg_keeps_respondent, kartlegg_consults, kartlegg_sees_cluster,
    kartlegg_is_respondent, kartlegg_answers_in, kartlegg_answers_for, kartlegg_sees_change,
    kartlegg_sum_rounds TO kartlegg_consultant, kartlegg_leader, kartlegg_respondent;
