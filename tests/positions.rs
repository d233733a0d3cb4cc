//! Positions against the 2031 requirement: the migration that brings them, and the real
//! program recording positions and showing their status.

mod common;

use std::path::Path;

use chrono::{TimeZone, Utc};
use common::*;
use kartlegg::domain::model::Response;
use kartlegg::domain::requirement::{Education, PositionFacts, PositionRole};
use kartlegg::store::{Admin, Answers, ChangeLog, Positions, SCHEMA_VERSION, Store};

/// The version before positions came (009_positions.sql brings version 9); the steps after
/// it run too, up to `SCHEMA_VERSION`.
const BEFORE_POSITIONS: u32 = 8;

/// A database as the version before positions left it, with a service, a round, a
/// respondent and an answer: made new, then the position table taken away again.
fn database_before_positions(db: &Path) -> String {
    let round = seeded_round(db);
    let mut store = Store::open(db).unwrap();
    let who = store
        .create_respondent(
            &round,
            kartlegg::domain::model::Role::Leader,
            "AB",
            Utc::now(),
        )
        .unwrap();
    store
        .save_response(
            &who.id,
            "fit.answers_problem.1",
            Some(Response::Score(4)),
            Utc::now(),
        )
        .unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(db).unwrap();
    drop_since_clusters(&conn);
    conn.execute_batch(&format!(
        "DROP TABLE position; PRAGMA user_version = {BEFORE_POSITIONS};"
    ))
    .unwrap();
    who.id
}

#[test]
fn a_database_of_the_version_before_is_upgraded_to_hold_positions_with_its_data_intact() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    let who = database_before_positions(&old);
    assert_eq!(
        rusqlite::Connection::open(&old)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0))
            .unwrap(),
        BEFORE_POSITIONS
    );

    let mut store = Store::open(&old).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let answers = store.answers(&who).unwrap();
    assert_eq!(
        answers["fit.answers_problem.1"].response,
        Some(Response::Score(4))
    );
    let round = store.respondent(&who).unwrap().unwrap().round_id;
    assert!(store.positions(&round).unwrap().is_empty());
    let facts = PositionFacts {
        role: PositionRole::Caseworker,
        education: Education::BachelorRelevant,
        credits: 30,
        years: 4,
        planned_credits: 30,
        planned_year: Some(2029),
    };
    let at = Utc.with_ymd_and_hms(2026, 3, 9, 10, 0, 0).unwrap();
    store.add_position(&round, &facts, at).unwrap();
    assert_eq!(store.positions(&round).unwrap()[0].facts, facts);
    assert!(store.integrity_problems().unwrap().is_empty());
    drop(store);

    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh).unwrap());
    assert_eq!(
        schema_of(&old),
        schema_of(&fresh),
        "both roads lead to one schema"
    );
}

/// The version before the positions' change log (012_position_log.sql brings version 12).
const BEFORE_POSITION_LOG: u32 = 11;

#[test]
fn a_version_11_database_is_upgraded_to_log_its_positions_with_its_posts_intact() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    let round = seeded_round(&old);
    let facts = PositionFacts {
        role: PositionRole::Leader,
        education: Education::MasterChildWelfare,
        credits: 0,
        years: 7,
        planned_credits: 0,
        planned_year: None,
    };
    let at = Utc.with_ymd_and_hms(2026, 3, 9, 10, 0, 0).unwrap();
    let mut store = Store::open(&old).unwrap();
    let post = store.add_position(&round, &facts, at).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&old).unwrap();
    drop_since_position_log(&conn);
    conn.execute_batch(&format!("PRAGMA user_version = {BEFORE_POSITION_LOG};"))
        .unwrap();
    // Version 11's change log refuses the kind: the database is the old one.
    assert!(
        conn.execute(
            "INSERT INTO change_log (entity, entity_key, changed_at) VALUES ('position', 'x', 'y')",
            [],
        )
        .is_err()
    );
    drop(conn);

    let mut store = Store::open(&old).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(
        store.positions(&round).unwrap(),
        std::slice::from_ref(&post)
    );
    assert!(
        store
            .changes("position", &post.log_key())
            .unwrap()
            .is_empty()
    );
    store.remove_position(&post.id, at).unwrap();
    assert!(store.positions(&round).unwrap().is_empty());
    let logged = store.changes("position", &post.log_key()).unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].new_json, None);
    assert!(store.integrity_problems().unwrap().is_empty());
    drop(store);

    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh).unwrap());
    assert_eq!(
        schema_of(&old),
        schema_of(&fresh),
        "both roads lead to one schema"
    );
}
