//! Schema version 2: the migration from version 1, and plans, goals, stage and consensus
//! in the store.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::{schema_of, version_1_database};
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::domain::plan::{GoalStatus, Level, PlanItem, PlanKind, Stage};
use kartlegg::store::{Admin, Answers, ChangeLog, Plans};
use kartlegg::store::{SCHEMA_VERSION, Store};

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, minute, 0).unwrap()
}

#[test]
fn a_version_1_database_is_upgraded_with_its_data_intact_and_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    version_1_database(&old);
    let store = Store::open(&old).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let answers = store.answers("p1").unwrap();
    assert_eq!(
        answers["fit.answers_problem.1"].response,
        Some(Response::Score(4))
    );
    assert_eq!(answers["fit.answers_problem.1"].comment, "Ja");
    assert_eq!(
        store.history("p1", "fit.answers_problem.1").unwrap().len(),
        1
    );
    assert!(store.integrity_problems().unwrap().is_empty());
    assert!(store.plan_items("s1").unwrap().is_empty());
    drop(store);

    // The copy made before the change is beside it, private, and still version 1.
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("old.db.v1-"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let mode = std::fs::metadata(&backups[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let backup = rusqlite::Connection::open(&backups[0]).unwrap();
    let version: u32 = backup
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);

    // Both roads lead to the same schema.
    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh).unwrap());
    assert_eq!(schema_of(&old), schema_of(&fresh));
}

fn seeded(path: &Path) -> (Store, String, String) {
    let mut store = Store::open(path).unwrap();
    let service = store.create_service("Fjellbygd", &[], "", at(0)).unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let round = store
        .create_round(
            &service.id,
            "Før",
            date,
            RoundKind::Before,
            Instrument::standard(),
            at(0),
        )
        .unwrap();
    store
        .create_respondent(&round.id, Role::Leader, "", at(0))
        .unwrap();
    (store, service.id, round.id)
}

#[test]
fn plan_items_are_saved_with_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let (mut store, service, _) = seeded(&path);
    let barrier = store
        .add_plan_item(
            &PlanItem {
                id: String::new(),
                service_id: service.clone(),
                subdomain_key: "competence.coaching".into(),
                kind: PlanKind::Barrier,
                text: "Ingen tid satt av til veiledning".into(),
                level: Some(Level::Organisation),
                owner: String::new(),
                due_on: None,
                done: false,
                done_on: None,
            },
            at(1),
        )
        .unwrap();
    let measure = store
        .add_plan_item(
            &PlanItem {
                kind: PlanKind::Measure,
                text: "Fast veiledning annenhver uke".into(),
                level: None,
                owner: "Fagleder".into(),
                due_on: NaiveDate::from_ymd_opt(2026, 4, 1),
                ..barrier.clone()
            },
            at(2),
        )
        .unwrap();
    assert_ne!(barrier.id, measure.id);
    let done = PlanItem {
        done: true,
        done_on: NaiveDate::from_ymd_opt(2026, 3, 30),
        ..measure.clone()
    };
    store.update_plan_item(&done, at(3)).unwrap();
    store.update_plan_item(&done, at(4)).unwrap();
    drop(store);

    let store = Store::open(&path).unwrap();
    let items = store.plan_items(&service).unwrap();
    assert_eq!(items, [barrier.clone(), done.clone()]);
    let log = store.changes("plan_item", &measure.id).unwrap();
    assert_eq!(log.len(), 2, "an unchanged save writes nothing");
    assert_eq!(log[0].old_json, None);
    assert!(
        log[1]
            .old_json
            .as_deref()
            .unwrap()
            .contains("\"done\":false")
    );
    assert!(
        log[1]
            .new_json
            .as_deref()
            .unwrap()
            .contains("\"done\":true")
    );
}

#[test]
fn goals_stage_and_consensus_are_kept_apart_from_the_answers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let (mut store, service, round) = seeded(&path);
    let goal = store
        .add_goal(
            &service,
            "Alle får veiledning",
            &["competence.coaching".into()],
            at(1),
        )
        .unwrap();
    store
        .set_goal_status(&goal.id, &round, Some(GoalStatus::Partly), at(2))
        .unwrap();
    store
        .set_goal_status(&goal.id, &round, Some(GoalStatus::Achieved), at(3))
        .unwrap();
    store
        .set_round_stage(&round, Some(Stage::Adapt), at(4))
        .unwrap();
    store
        .set_consensus(&round, "competence.coaching", Some(1), at(5))
        .unwrap();
    let answers_before = store.counts().unwrap();
    drop(store);

    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.goals(&service).unwrap(), std::slice::from_ref(&goal));
    let statuses = store.goal_statuses(&service).unwrap();
    assert_eq!(
        statuses[&(goal.id.clone(), round.clone())],
        GoalStatus::Achieved
    );
    assert_eq!(store.round_stage(&round).unwrap(), Some(Stage::Adapt));
    assert_eq!(store.consensus(&round).unwrap()["competence.coaching"], 1);
    assert_eq!(
        store.counts().unwrap(),
        answers_before,
        "no answer was touched"
    );
    assert_eq!(
        store
            .changes("goal_status", &format!("{}/{round}", goal.id))
            .unwrap()
            .len(),
        2
    );

    store
        .set_consensus(&round, "competence.coaching", None, at(6))
        .unwrap();
    assert!(store.consensus(&round).unwrap().is_empty());
    let log = store
        .changes("consensus", &format!("{round}/competence.coaching"))
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].new_json, None);

    let conn = rusqlite::Connection::open(&path).unwrap();
    assert!(
        conn.execute("DELETE FROM change_log", []).is_err(),
        "append-only"
    );
}

/// Two kartlegg set a round's stage at once: each change log entry's old value is the value
/// the other had just written, read inside the same write transaction.
#[test]
fn two_writers_setting_a_stage_log_each_others_value_as_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let (store, _, round) = seeded(&db);
    drop(store);
    let holder = common::hold_write_lock(&db);
    let writers: Vec<_> = [Stage::Agenda, Stage::Decide]
        .into_iter()
        .map(|stage| {
            let (db, round) = (db.clone(), round.clone());
            std::thread::spawn(move || {
                let mut store = Store::open(&db).unwrap();
                store.set_round_stage(&round, Some(stage), at(5)).unwrap();
            })
        })
        .collect();
    // Both have read what they could before the lock is let go.
    std::thread::sleep(std::time::Duration::from_millis(500));
    holder.execute_batch("ROLLBACK").unwrap();
    for writer in writers {
        writer.join().unwrap();
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT old_json, new_json FROM change_log WHERE entity = 'round_stage' ORDER BY seq",
        )
        .unwrap();
    let log: Vec<(Option<String>, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0].0, None, "{log:?}");
    assert_eq!(
        log[1].0, log[0].1,
        "the second writer's old value is the first's new: {log:?}"
    );
}
