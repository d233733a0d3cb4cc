//! Competence needs: a version 7 database upgraded to hold them with its data intact, and
//! the needs screen in a pseudo-terminal. What the store promises of needs is in
//! `store_contract.rs`; the gap's rule is in `domain::needs`'s unit tests.

mod common;

use std::path::Path;

use chrono::Utc;
use common::*;
use kartlegg::domain::needs::{CompetenceAreas, NeedField};
use kartlegg::store::{Needs, Plans, SCHEMA_VERSION, Store};

/// A database at `path` as the migrations up to version 7 made it from version 1, with
/// version 1's answer and a plan item, a stage and their change log added at version 7.
fn version_7_database(path: &Path) {
    version_1_database(path);
    let conn = rusqlite::Connection::open(path).unwrap();
    for step in [
        include_str!("../src/store/sqlite/migrations/002_plans.sql"),
        include_str!("../src/store/sqlite/migrations/003_kept_scores.sql"),
        include_str!("../src/store/sqlite/migrations/004_respondent_roles.sql"),
        include_str!("../src/store/sqlite/migrations/005_erasure.sql"),
        include_str!("../src/store/sqlite/migrations/006_invites.sql"),
        include_str!("../src/store/sqlite/migrations/007_invite_key.sql"),
    ] {
        conn.execute_batch(step).unwrap();
    }
    conn.execute_batch(
        "INSERT INTO plan_item (id, service_id, subdomain_key, kind, text, owner, done,
                                created_at, updated_at)
             VALUES ('pi1', 's1', 'readiness.problem_awareness', 'barrier', 'Lite tid', '', 0,
                     't', 't');
         INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
             VALUES ('plan_item', 'pi1', NULL, '{\"text\":\"Lite tid\"}', 't');
         INSERT INTO round_stage (round_id, stage, updated_at) VALUES ('r1', 'agenda', 't');
         INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
             VALUES ('round_stage', 'r1', NULL, '\"agenda\"', 't');
         PRAGMA user_version = 7;",
    )
    .unwrap();
}

fn rows(path: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Version 7 → 8 rebuilds the change log to take needs: every entry is still there, in
/// order and still append-only; the answer and the plan are intact; needs can be recorded
/// and logged; and the upgraded database has the schema a new one is made with.
#[test]
fn a_version_7_database_is_upgraded_to_hold_needs_with_its_data_intact() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    version_7_database(&old);
    let log_before = rows(
        &old,
        "SELECT seq || ' ' || entity || ' ' || entity_key || ' ' || coalesce(new_json, '')
         FROM change_log ORDER BY seq",
    );
    assert_eq!(log_before.len(), 2);

    let mut store = Store::open(&old).unwrap();
    assert_eq!(
        kartlegg::store::Admin::schema_version(&store).unwrap(),
        SCHEMA_VERSION
    );
    assert_eq!(store.plan_items("s1").unwrap()[0].text, "Lite tid");
    let area = CompetenceAreas::standard().areas[0].key.clone();
    store
        .set_need("r1", &area, &NeedField::Mastery(Some(2)), Utc::now())
        .unwrap();
    assert_eq!(store.needs("r1").unwrap()[0].mastery, Some(2));
    drop(store);

    let log_after = rows(
        &old,
        "SELECT seq || ' ' || entity || ' ' || entity_key || ' ' || coalesce(new_json, '')
         FROM change_log ORDER BY seq",
    );
    assert_eq!(
        log_after[..2],
        log_before[..],
        "the old entries, as they were"
    );
    // After them the upgrade's own entries (version 11 logs the cluster record it makes),
    // then the need set after the upgrade.
    assert!(
        log_after[2..]
            .iter()
            .any(|entry| entry.contains(&format!("need r1/{area}"))),
        "{log_after:?}"
    );
    assert_eq!(
        rows(&old, "SELECT comment FROM answer WHERE id = 'a1'"),
        ["Ja"]
    );
    let conn = rusqlite::Connection::open(&old).unwrap();
    let refused = conn.execute("DELETE FROM change_log WHERE entity_key = 'pi1'", []);
    assert!(
        refused.unwrap_err().to_string().contains("append-only"),
        "still append-only after the rebuild"
    );
    drop(conn);

    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh).unwrap());
    assert_eq!(
        schema_of(&old),
        schema_of(&fresh),
        "both roads lead to one schema"
    );
}
