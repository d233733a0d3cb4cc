//! Erasure (schema version 5): a respondent, round, service, plan item, goal or gathering goes with its
//! answers, their history, its change log and kept scores, in one transaction, leaving a
//! tombstone; an import does not bring it back; retention erases old rounds.

mod common;

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use kartlegg::domain::compare::Options;
use kartlegg::domain::instrument::Asked;
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::domain::plan::{GoalStatus, PlanItem, PlanKind, Stage};
use kartlegg::domain::scoring::{Answering, summarize};
use kartlegg::store::{
    Admin, Answers, ChangeLog, Erasable, Erase, ErasedBy, Erasure, Exchange, Plans, Scores, Store,
    StoreError,
};

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, minute, 0).unwrap()
}

struct Seeded {
    service: String,
    round: String,
    other_round: String,
    /// Leader AB with three answers, each changed once (history of six).
    ab: String,
    /// Staff EF with two answers.
    ef: String,
    item: String,
    goal: String,
}

/// A service with two rounds: the first with AB and EF, consensus, a stage and a goal's
/// status; the second with one respondent. A plan item and a goal.
fn seed(store: &mut Store) -> Seeded {
    let instrument = Instrument::standard();
    let service = store
        .create_service("Fjellbygd barnevern", &["3401".into()], "Innlandet", at(0))
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let round = store
        .create_round(
            &service.id,
            "Før",
            day,
            RoundKind::Before,
            instrument,
            at(0),
        )
        .unwrap();
    let later = NaiveDate::from_ymd_opt(2026, 9, 9).unwrap();
    let other = store
        .create_round(
            &service.id,
            "Etter",
            later,
            RoundKind::After,
            instrument,
            at(0),
        )
        .unwrap();
    let ab = store
        .create_respondent(&round.id, Role::Leader, "AB", at(1))
        .unwrap();
    let ef = store
        .create_respondent(&round.id, Role::Staff, "EF", at(1))
        .unwrap();
    let gh = store
        .create_respondent(&other.id, Role::Staff, "GH", at(1))
        .unwrap();
    for (i, item) in [
        "fit.answers_problem.1",
        "fit.answers_problem.2",
        "competence.training.1",
    ]
    .iter()
    .enumerate()
    {
        store
            .save_response(&ab.id, item, Some(Response::DontKnow), at(2))
            .unwrap();
        store
            .save_response(&ab.id, item, Some(Response::Score([2, 1, 2][i])), at(3))
            .unwrap();
        store.save_comment(&gh.id, item, "Snart", at(3)).unwrap();
    }
    for item in ["fit.answers_problem.1", "competence.training.1"] {
        store
            .save_response(&ef.id, item, Some(Response::Score(2)), at(4))
            .unwrap();
        store
            .save_response(&gh.id, item, Some(Response::Score(1)), at(4))
            .unwrap();
    }
    store
        .set_consensus(&round.id, "fit.answers_problem", Some(3), at(5))
        .unwrap();
    store
        .set_round_stage(&round.id, Some(Stage::Adapt), at(5))
        .unwrap();
    let item = store
        .add_plan_item(
            &PlanItem {
                id: String::new(),
                service_id: service.id.clone(),
                subdomain_key: "fit.answers_problem".into(),
                kind: PlanKind::Measure,
                text: "Opplæring i metoden".into(),
                level: None,
                owner: "Leder".into(),
                due_on: None,
                done: false,
                done_on: None,
            },
            at(6),
        )
        .unwrap();
    let goal = store
        .add_goal(&service.id, "Alle kjenner metoden", &[], at(6))
        .unwrap();
    store
        .set_goal_status(&goal.id, &round.id, Some(GoalStatus::Partly), at(7))
        .unwrap();
    store
        .set_goal_status(&goal.id, &other.id, Some(GoalStatus::Achieved), at(7))
        .unwrap();
    Seeded {
        service: service.id,
        round: round.id,
        other_round: other.id,
        ab: ab.id,
        ef: ef.id,
        item: item.id,
        goal: goal.id,
    }
}

fn opened() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("k.db")).unwrap();
    (dir, store)
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// How many rows of every table mention `id`, in any column: what an erasure leaves of it
/// outside its tombstone.
fn rows_naming(db: &Path, id: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name != 'erased'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut found = Vec::new();
    for table in tables {
        let columns: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for column in columns {
            let n: i64 = conn
                .query_row(
                    &format!(
                        "SELECT count(*) FROM {table} WHERE instr(CAST({column} AS TEXT), ?1) > 0"
                    ),
                    [id],
                    |r| r.get(0),
                )
                .unwrap();
            if n > 0 {
                found.push(format!("{table}.{column}: {n}"));
            }
        }
    }
    found
}

/// The kept scores of every round equal a recomputation from its answers as stored.
fn assert_kept_equal_recomputed(store: &Store) {
    let instrument = Instrument::standard();
    for service in store.services().unwrap() {
        for round in store.rounds(&service.service.id).unwrap() {
            let pooled = Options {
                with_consultant: true,
            };
            let kept = store
                .round_scores(instrument, &[round.round.id.as_str()], pooled)
                .unwrap();
            let answers = store.round_answers(&round.round.id).unwrap();
            let sets: Vec<Answering> = answers
                .iter()
                .map(|(r, a)| (Asked::new(round.round.kind, r.role), a))
                .collect();
            assert_eq!(kept[0].respondents, answers.len());
            assert_eq!(kept[0].sections, summarize(instrument, &sets));
        }
    }
}

#[test]
fn an_erased_respondent_goes_with_answers_history_and_kept_scores_leaving_a_tombstone() {
    let (dir, mut store) = opened();
    let db = dir.path().join("k.db");
    let s = seed(&mut store);
    let target = [Erasable::Respondent(s.ab.clone())];
    let expected = Erasure {
        respondents: 1,
        answers: 3,
        ..Erasure::default()
    };
    assert_eq!(store.erasure(&target).unwrap(), expected);
    assert_eq!(
        store.erase(&target, ErasedBy::Screen, at(30)).unwrap(),
        expected
    );
    assert_eq!(rows_naming(&db, &s.ab), Vec::<String>::new());
    let left: Vec<String> = (store.respondents(&s.round).unwrap().into_iter())
        .map(|r| r.respondent.code)
        .collect();
    assert_eq!(left, ["EF"], "the respondent list's n");
    assert_kept_equal_recomputed(&store);
    let scores = store
        .round_scores(
            Instrument::standard(),
            &[s.round.as_str()],
            Options::default(),
        )
        .unwrap();
    assert_eq!(scores[0].respondents, 1, "the summary's n");
    let tombstones = store.tombstones().unwrap();
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (tombstones[0].kind.as_str(), tombstones[0].id.as_str()),
        ("respondent", s.ab.as_str())
    );
    assert_eq!(tombstones[0].erased_by, "screen");
    assert_eq!(tombstones[0].erased_at, "2026-03-09T10:30:00.000Z");
    // EF keeps their answers and history.
    assert_eq!(store.answers(&s.ef).unwrap().len(), 2);
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn the_history_stays_append_only_for_what_is_not_erased() {
    let (dir, mut store) = opened();
    let db = dir.path().join("k.db");
    let s = seed(&mut store);
    let conn = rusqlite::Connection::open(&db).unwrap();
    for sql in [
        "DELETE FROM answer_history",
        "DELETE FROM change_log",
        "UPDATE answer_history SET new_comment = 'x'",
    ] {
        let refused = conn.execute(sql, []).unwrap_err().to_string();
        assert!(refused.contains("append-only"), "{sql}: {refused}");
    }
    // Nor does a tombstone for one respondent open another's history.
    store
        .erase(&[Erasable::Respondent(s.ab)], ErasedBy::Command, at(30))
        .unwrap();
    let refused = conn
        .execute(
            "DELETE FROM answer_history WHERE respondent_id = ?1",
            [&s.ef],
        )
        .unwrap_err()
        .to_string();
    assert!(refused.contains("append-only"), "{refused}");
}

#[test]
fn an_erased_round_takes_its_consensus_stage_goal_statuses_and_their_log() {
    let (dir, mut store) = opened();
    let db = dir.path().join("k.db");
    let s = seed(&mut store);
    let erased = store
        .erase(
            &[Erasable::Round(s.round.clone())],
            ErasedBy::Command,
            at(30),
        )
        .unwrap();
    assert_eq!(
        erased,
        Erasure {
            rounds: 1,
            respondents: 2,
            answers: 5,
            ..Erasure::default()
        }
    );
    for id in [&s.round, &s.ab, &s.ef] {
        assert_eq!(rows_naming(&db, id), Vec::<String>::new(), "{id}");
    }
    // The other round, the plan and the goal stay, with the goal's other status.
    assert_eq!(store.rounds(&s.service).unwrap().len(), 1);
    assert_eq!(store.goal_statuses(&s.service).unwrap().len(), 1);
    assert_eq!(store.changes("goal", &s.goal).unwrap().len(), 1);
    assert_eq!(store.plan_items(&s.service).unwrap().len(), 1);
    let kinds: Vec<String> = store
        .tombstones()
        .unwrap()
        .into_iter()
        .map(|t| t.kind)
        .collect();
    assert_eq!(kinds, ["round", "respondent", "respondent"]);
    assert_kept_equal_recomputed(&store);
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn an_erased_service_leaves_nothing_but_tombstones() {
    let (dir, mut store) = opened();
    let db = dir.path().join("k.db");
    let s = seed(&mut store);
    let erased = store
        .erase(
            &[Erasable::Service(s.service.clone())],
            ErasedBy::Command,
            at(30),
        )
        .unwrap();
    assert_eq!(
        erased,
        Erasure {
            services: 1,
            rounds: 2,
            respondents: 3,
            // GH's comment alone, without a response, goes uncounted.
            answers: 7,
            plan_items: 1,
            goals: 1,
            ..Erasure::default()
        }
    );
    for table in [
        "service",
        "round",
        "respondent",
        "answer",
        "answer_history",
        "plan_item",
        "goal",
        "goal_status",
        "round_stage",
        "consensus",
        "change_log",
        "respondent_score",
        "round_score",
    ] {
        assert_eq!(
            count(
                &db,
                &format!("SELECT count(*) FROM {}", not_the_cluster(table))
            ),
            0,
            "{table}"
        );
    }
    // The service, two rounds, three respondents, the plan item and the goal.
    assert_eq!(count(&db, "SELECT count(*) FROM erased"), 8);
    // No name or content in the tombstones: only kinds, ids, times and faces.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('erased')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(columns, ["id", "kind", "erased_at", "erased_by"]);
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn a_plan_item_and_a_goal_go_with_their_log_and_statuses() {
    let (dir, mut store) = opened();
    let db = dir.path().join("k.db");
    let s = seed(&mut store);
    let erased = store
        .erase(
            &[
                Erasable::PlanItem(s.item.clone()),
                Erasable::Goal(s.goal.clone()),
            ],
            ErasedBy::Screen,
            at(30),
        )
        .unwrap();
    assert_eq!((erased.plan_items, erased.goals, erased.answers), (1, 1, 0));
    assert_eq!(rows_naming(&db, &s.item), Vec::<String>::new());
    assert_eq!(rows_naming(&db, &s.goal), Vec::<String>::new());
    // The rounds' own log (stage, consensus) stays.
    assert_eq!(store.changes("round_stage", &s.round).unwrap().len(), 1);
    assert_eq!(store.rounds(&s.service).unwrap().len(), 2);
}

#[test]
fn erasing_what_is_not_there_is_refused_and_changes_nothing() {
    let (dir, mut store) = opened();
    let db = dir.path().join("k.db");
    let s = seed(&mut store);
    let refused = store
        .erase(
            &[
                Erasable::Respondent(s.ab.clone()),
                Erasable::Goal("nope".into()),
            ],
            ErasedBy::Command,
            at(30),
        )
        .unwrap_err();
    assert!(
        matches!(refused, StoreError::NotFound("goal")),
        "{refused:?}"
    );
    assert_eq!(store.answers(&s.ab).unwrap().len(), 3);
    assert!(store.tombstones().unwrap().is_empty());
    assert_eq!(count(&db, "SELECT count(*) FROM erased"), 0);
}

#[test]
fn retention_finds_the_rounds_whose_last_answer_is_older_than_the_date() {
    let (_dir, mut store) = opened();
    let s = seed(&mut store);
    // Answers were given on 2026-03-09; the second round has answers too.
    let day = |d: &str| d.parse::<NaiveDate>().unwrap();
    assert!(
        store
            .rounds_last_answered_before(day("2026-03-09"))
            .unwrap()
            .is_empty()
    );
    let aged = store
        .rounds_last_answered_before(day("2026-03-10"))
        .unwrap();
    let ids: Vec<&str> = aged.iter().map(|a| a.round.id.as_str()).collect();
    assert_eq!(ids, [s.round.as_str(), s.other_round.as_str()]);
    assert_eq!(aged[0].respondents, 2);
    assert_eq!(aged[0].last_answer, day("2026-03-09"));
    assert_eq!(aged[0].service_name, "Fjellbygd barnevern");
    // A round without answers counts from the day it was held.
    let service = store.service(&s.service).unwrap();
    store
        .create_round(
            &service.id,
            "Tom",
            day("2025-01-01"),
            RoundKind::Between,
            Instrument::standard(),
            at(40),
        )
        .unwrap();
    let aged = store
        .rounds_last_answered_before(day("2025-06-01"))
        .unwrap();
    assert_eq!(aged.len(), 1);
    assert_eq!(aged[0].round.label, "Tom");
}

#[test]
fn an_old_database_is_migrated_and_its_history_can_then_be_erased() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    common::version_1_database(&db);
    let mut store = Store::open(&db).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        kartlegg::store::SCHEMA_VERSION
    );
    assert_eq!(
        store.history("p1", "fit.answers_problem.1").unwrap().len(),
        1
    );
    store
        .erase(
            &[Erasable::Respondent("p1".into())],
            ErasedBy::Command,
            at(30),
        )
        .unwrap();
    assert_eq!(rows_naming(&db, "p1"), Vec::<String>::new());
    assert_eq!(store.tombstones().unwrap().len(), 1);
}

fn export(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    store
        .export_json(
            kartlegg::exchange::Scope::All,
            Instrument::standard(),
            at(50),
            kartlegg::exchange::Disclosure::identified(),
            &mut out,
            Path::new("export.json"),
        )
        .unwrap();
    out
}

fn import(store: &mut Store, file: &[u8]) -> kartlegg::exchange::ImportSummary {
    store
        .import_json(file, Instrument::standard(), common::import::clock())
        .unwrap()
}

#[test]
fn an_import_does_not_bring_an_erased_respondent_back() {
    let (dir, mut store) = opened();
    let db = dir.path().join("k.db");
    let s = seed(&mut store);
    let file = export(&store);
    store
        .erase(
            &[Erasable::Respondent(s.ab.clone())],
            ErasedBy::Screen,
            at(30),
        )
        .unwrap();
    let summary = import(&mut store, &file);
    // The respondent, their three answers and six changes.
    assert_eq!(summary.erased, 10);
    assert_eq!(summary.respondents.added, 0);
    assert_eq!(rows_naming(&db, &s.ab), Vec::<String>::new());
    assert_eq!(store.respondents(&s.round).unwrap().len(), 1);
    assert_kept_equal_recomputed(&store);

    // Nor into another database that has the tombstone from nowhere but its own erasure:
    // a copy made before, erased there too, takes the first one's file.
    let (_other_dir, mut other) = opened();
    import(&mut other, &file);
    other
        .erase(
            &[Erasable::Respondent(s.ab.clone())],
            ErasedBy::Command,
            at(31),
        )
        .unwrap();
    assert_eq!(import(&mut other, &file).erased, 10);
    assert!(other.respondent(&s.ab).unwrap().is_none());
}

#[test]
fn an_import_does_not_bring_back_an_erased_service_nor_what_was_added_to_it_elsewhere() {
    let (_dir, mut store) = opened();
    let s = seed(&mut store);
    // Another machine has the service and adds a round and a respondent to it.
    let (_other_dir, mut other) = opened();
    import(&mut other, &export(&store));
    let round = other
        .create_round(
            &s.service,
            "Senere",
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            RoundKind::Between,
            Instrument::standard(),
            at(40),
        )
        .unwrap();
    let late = other
        .create_respondent(&round.id, Role::Staff, "IJ", at(40))
        .unwrap();
    other
        .save_response(
            &late.id,
            "fit.answers_problem.1",
            Some(Response::Score(3)),
            at(41),
        )
        .unwrap();
    store
        .erase(
            &[Erasable::Service(s.service.clone())],
            ErasedBy::Command,
            at(45),
        )
        .unwrap();
    let summary = import(&mut store, &export(&other));
    assert!(!summary.changed_anything(), "{summary:?}");
    assert!(summary.erased > 0);
    assert!(store.services().unwrap().is_empty());
    assert_eq!(store.counts().unwrap(), kartlegg::store::Counts::default());
}

/// Every table's rows, for telling that nothing changed.
/// The rows of each table, but for the record of the cluster the services named and its
/// one entry in the change log: the cluster is the county's programme, not a service's, and
/// stays when its services go (it names none of them).
fn table_counts(db: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables
        .into_iter()
        .filter(|t| t != "cluster")
        .map(|t| {
            let n = count(db, &format!("SELECT count(*) FROM {}", not_the_cluster(&t)));
            (t, n)
        })
        .collect()
}

/// `table`, the change log without the cluster's entries (see `table_counts`).
fn not_the_cluster(table: &str) -> String {
    match table {
        "change_log" => "change_log WHERE entity <> 'cluster'".to_string(),
        other => other.to_string(),
    }
}

fn seeded_db() -> (tempfile::TempDir, std::path::PathBuf, Seeded) {
    let (dir, mut store) = opened();
    let s = seed(&mut store);
    drop(store);
    let db = dir.path().join("k.db");
    (dir, db, s)
}

const SERVICE: &str = "fjellbygd BARNEVERN";

#[test]
fn the_command_erases_a_respondent_named_by_code_and_says_what_went() {
    let (_dir, db, s) = seeded_db();
    let args = [
        "erase",
        "respondent",
        "--service",
        SERVICE,
        "--round",
        "før",
        "--code",
        "ab",
    ];
    let before = table_counts(&db);
    let dry = common::run_cli(&[&args[..], &["--dry-run"]].concat(), &db, "en");
    assert_eq!(
        dry,
        "Would erase respondent AB and 3 answers.\nNothing was changed (--dry-run).\n"
    );
    assert_eq!(table_counts(&db), before, "a dry run changes nothing");
    let out = common::run_cli(&args, &db, "nb");
    assert!(
        out.starts_with("Slettet respondenten AB og 3 svar.\n"),
        "{out}"
    );
    assert_eq!(rows_naming(&db, &s.ab), Vec::<String>::new());
    let store = Store::open(&db).unwrap();
    let tombstones = store.tombstones().unwrap();
    assert_eq!(tombstones.len(), 1);
    assert_eq!(tombstones[0].erased_by, "command");
    assert_kept_equal_recomputed(&store);
}

#[test]
fn the_command_erases_a_round_a_service_a_plan_item_and_a_goal() {
    let (_dir, db, s) = seeded_db();
    let out = common::run_cli(
        &["erase", "plan-item", "--service", SERVICE, "--id", &s.item],
        &db,
        "en",
    );
    assert!(
        out.starts_with("Erased “Opplæring i metoden” from the plan.\n"),
        "{out}"
    );
    let out = common::run_cli(
        &["erase", "goal", "--service", SERVICE, "--id", &s.goal],
        &db,
        "en",
    );
    assert!(
        out.starts_with("Erased goal “Alle kjenner metoden”.\n"),
        "{out}"
    );
    let out = common::run_cli(
        &["erase", "round", "--service", SERVICE, "--round", "Etter"],
        &db,
        "en",
    );
    assert!(
        out.starts_with("Erased round “Etter” with 1 respondent, 2 answers.\n"),
        "{out}"
    );
    assert_eq!(rows_naming(&db, &s.other_round), Vec::<String>::new());
    let out = common::run_cli(&["erase", "service", "--service", SERVICE], &db, "en");
    assert!(
        out.starts_with(
            "Erased service “Fjellbygd barnevern” with 1 round, 2 respondents, 5 answers.\n"
        ),
        "{out}"
    );
    let kinds: Vec<(String, i64)> = table_counts(&db)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(kinds, [("erased".to_string(), 8)]);
}

#[test]
fn the_command_names_the_candidates_when_it_finds_no_one_and_refuses_two_ways_at_once() {
    let (_dir, db, s) = seeded_db();
    let before = table_counts(&db);
    let out = common::run_en(
        &[
            "erase",
            "respondent",
            "--service",
            SERVICE,
            "--round",
            "Før",
            "--code",
            "XY",
        ],
        &db,
    );
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("No respondent with the code “XY” in round “Før”"),
        "{said}"
    );
    assert!(
        said.contains(&format!("AB (Leader, id {})", s.ab)),
        "{said}"
    );
    assert!(!said.trim_end().contains('\n'), "one line: {said}");
    let out = common::run_en(
        &["erase", "goal", "--service", SERVICE, "--id", "nope"],
        &db,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no goal with the id nope"));
    for args in [
        &["erase"][..],
        &[
            "erase",
            "--older-than",
            "2030-01-01",
            "service",
            "--service",
            SERVICE,
        ][..],
    ] {
        let out = common::run_en(args, &db);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    assert_eq!(table_counts(&db), before);
}

#[test]
fn retention_lists_without_changing_anything_on_a_dry_run_and_then_erases_the_old_rounds() {
    let (_dir, db, s) = seeded_db();
    {
        // A round answered later, which retention keeps.
        let mut store = Store::open(&db).unwrap();
        let round = store
            .create_round(
                &s.service,
                "Senere",
                NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
                RoundKind::Between,
                Instrument::standard(),
                at(0),
            )
            .unwrap();
        let late = store
            .create_respondent(&round.id, Role::Staff, "KL", at(0))
            .unwrap();
        let later = Utc.with_ymd_and_hms(2026, 10, 2, 9, 0, 0).unwrap();
        store
            .save_response(
                &late.id,
                "fit.answers_problem.1",
                Some(Response::Score(3)),
                later,
            )
            .unwrap();
    }
    let before = table_counts(&db);
    let dry = common::run_cli(
        &["erase", "--older-than", "2026-06-01", "--dry-run"],
        &db,
        "en",
    );
    assert_eq!(
        dry,
        "These rounds were last answered before 2026-06-01 and would be erased with all they \
         hold (2 rounds, 3 respondents, 7 answers):\n  \
         “Fjellbygd barnevern”, “Før”: held 2026-03-09, last answer 2026-03-09, 2 respondents\n  \
         “Fjellbygd barnevern”, “Etter”: held 2026-09-09, last answer 2026-03-09, 1 respondent\n\
         Nothing was changed (--dry-run).\n"
    );
    assert_eq!(table_counts(&db), before, "a dry run changes nothing");
    let done = common::run_cli(&["erase", "--older-than", "2026-06-01"], &db, "nb");
    assert!(
        done.starts_with("Disse rundene hadde siste svar før 01.06.2026 og er slettet"),
        "{done}"
    );
    let store = Store::open(&db).unwrap();
    let left: Vec<String> = (store.rounds(&s.service).unwrap().into_iter())
        .map(|r| r.round.label)
        .collect();
    assert_eq!(left, ["Senere"]);
    assert_eq!(
        store.plan_items(&s.service).unwrap().len(),
        1,
        "the plan stays"
    );
    assert!(
        store
            .tombstones()
            .unwrap()
            .iter()
            .all(|t| t.erased_by == "retention")
    );
    assert_kept_equal_recomputed(&store);
    let again = common::run_cli(&["erase", "--older-than", "2026-06-01"], &db, "en");
    assert_eq!(
        again,
        "No round was last answered before 2026-06-01; nothing to erase.\n"
    );
}

const DELETE: &str = "\x1b[3~";

#[test]
fn a_respondent_erased_in_the_program_is_gone_from_the_lists_the_summary_and_the_database() {
    let (_dir, db, s) = seeded_db();
    let mut tui = common::Tui::start_sized(&db, "nb", 24, 120);
    tui.wait_for("Fjellbygd barnevern");
    tui.send(common::ENTER);
    tui.wait_for("Etter");
    tui.send(common::UP);
    tui.send(common::ENTER);
    tui.wait_for("Før – Fjellbygd barnevern");
    tui.send(common::DOWN);
    tui.send(DELETE);
    tui.wait_for("Slette respondenten EF og 2 svar? Dette kan ikke angres. j/n");
    // Any other key leaves the question standing; n keeps everything.
    tui.send("x");
    tui.send("n");
    tui.wait_for("Ingenting er slettet.");
    assert!(tui.screen().contains("EF"));
    tui.send(DELETE);
    tui.wait_for("Slette respondenten EF og 2 svar?");
    tui.send("j");
    tui.wait_for("Slettet respondenten EF og 2 svar.");
    let list = tui.screen();
    assert!(!list.contains("Ansatt"), "EF's row is gone: {list}");
    assert!(list.contains("AB"), "{list}");
    // The summary's n.
    tui.send("s");
    tui.wait_for("Sammendrag");
    tui.wait_for("1 respondent");
    tui.esc_then("Før – Fjellbygd barnevern");
    tui.esc_then("Runder – Fjellbygd barnevern");
    // The round's n on the rounds list.
    let row = tui.line_with("Før");
    assert!(row.contains(" 1 "), "{row}");
    tui.send("q");
    tui.expect_clean_exit();

    assert_eq!(rows_naming(&db, &s.ef), Vec::<String>::new());
    let store = Store::open(&db).unwrap();
    let tombstones = store.tombstones().unwrap();
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (tombstones[0].kind.as_str(), tombstones[0].id.as_str()),
        ("respondent", s.ef.as_str())
    );
    assert_eq!(tombstones[0].erased_by, "screen");
    assert_eq!(store.answers(&s.ab).unwrap().len(), 3);
    assert_kept_equal_recomputed(&store);
}

#[test]
fn a_service_a_round_and_a_goal_are_erased_from_their_lists_in_english() {
    let (_dir, db, s) = seeded_db();
    let mut tui = common::Tui::start_sized(&db, "en", 24, 120);
    tui.wait_for("Fjellbygd barnevern");
    tui.send(common::ENTER);
    tui.wait_for("Etter");
    // The goals, and their goal.
    tui.send("g");
    tui.wait_for("Alle kjenner metoden");
    tui.send(DELETE);
    tui.wait_for("Erase goal “Alle kjenner metoden”? This cannot be undone. y/n");
    tui.send("y");
    tui.wait_for("Erased goal “Alle kjenner metoden”.");
    tui.esc_then("Rounds – Fjellbygd barnevern");
    // The selected round, the last.
    tui.send(DELETE);
    tui.wait_for("Erase round “Etter” with 1 respondent, 2 answers? This cannot be undone. y/n");
    tui.send("y");
    tui.wait_for("Erased round “Etter” with 1 respondent, 2 answers.");
    let rows = tui.screen();
    assert!(
        !rows.lines().any(|l| l.contains('│') && l.contains("Etter")),
        "{rows}"
    );
    tui.esc_then("Municipality");
    tui.send(DELETE);
    tui.wait_for(
        "Erase service “Fjellbygd barnevern” with 1 round, 2 respondents, 5 answers, 1 plan item? \
         This cannot be undone. y/n",
    );
    tui.send(common::ESC);
    tui.wait_for("Nothing was erased.");
    tui.send(DELETE);
    tui.wait_for("Erase service “Fjellbygd barnevern”");
    tui.send("y");
    tui.wait_for("Erased service “Fjellbygd barnevern” with 1 round");
    tui.send("q");
    tui.expect_clean_exit();
    let kinds: Vec<(String, i64)> = table_counts(&db)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(kinds, [("erased".to_string(), 8)]);
    let _ = s;
}

/// The erased comment's words are in none of the database's files afterwards: not in the
/// free space of a page (SQLite's `secure_delete`), nor in the write-ahead log.
#[test]
fn an_erased_comment_is_not_left_in_the_files() {
    let (dir, mut store) = opened();
    let s = seed(&mut store);
    let secret = "Hemmelig-opplysning-XYZ";
    store
        .save_comment(&s.ef, "fit.answers_problem.1", secret, at(20))
        .unwrap();
    store
        .save_comment(
            &s.ef,
            "fit.answers_problem.1",
            &format!("{secret} 2"),
            at(21),
        )
        .unwrap();
    let in_files = |dir: &Path| -> Vec<String> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            if bytes.windows(secret.len()).any(|w| w == secret.as_bytes()) {
                found.push(path.display().to_string());
            }
        }
        found
    };
    assert!(!in_files(dir.path()).is_empty(), "the comment is written");
    store
        .erase(
            &[Erasable::Respondent(s.ef.clone())],
            ErasedBy::Screen,
            at(30),
        )
        .unwrap();
    assert_eq!(
        in_files(dir.path()),
        Vec::<String>::new(),
        "while it is open"
    );
    drop(store);
    assert_eq!(in_files(dir.path()), Vec::<String>::new());
}

/// A code's hash, as the store keeps it (64 hex digits).
fn hash_of(digit: char) -> String {
    std::iter::repeat_n(digit, 64).collect()
}

#[test]
fn an_erased_respondent_by_code_takes_the_code_and_an_erased_round_its_unused_codes() {
    use kartlegg::store::Invites;
    let (dir, mut store) = opened();
    let db = dir.path().join("k.db");
    let s = seed(&mut store);
    let (used, unused) = (hash_of('a'), hash_of('b'));
    store
        .add_invites(
            &s.round,
            Role::Staff,
            &[used.clone(), unused.clone()],
            at(1),
        )
        .unwrap();
    let alone = store
        .claim_invite(
            &[(kartlegg::domain::invite::Scheme::Argon2id, used.clone())],
            at(2),
        )
        .unwrap()
        .unwrap();
    store
        .save_response(
            &alone.id,
            "fit.answers_problem.1",
            Some(Response::Score(4)),
            at(3),
        )
        .unwrap();

    store
        .erase(
            &[Erasable::Respondent(alone.id.clone())],
            ErasedBy::Command,
            at(4),
        )
        .unwrap();
    assert_eq!(rows_naming(&db, &alone.id), Vec::<String>::new());
    assert_eq!(
        rows_naming(&db, &used),
        Vec::<String>::new(),
        "the code went"
    );
    assert_eq!(
        store
            .claim_invite(
                &[(kartlegg::domain::invite::Scheme::Argon2id, used.clone())],
                at(5)
            )
            .unwrap(),
        None,
        "the erased respondent's code makes no one anew"
    );

    store
        .erase(
            &[Erasable::Round(s.round.clone())],
            ErasedBy::Command,
            at(6),
        )
        .unwrap();
    assert_eq!(
        rows_naming(&db, &unused),
        Vec::<String>::new(),
        "unused codes went"
    );
    assert!(store.integrity_problems().unwrap().is_empty());
}

/// A comment kept in a recovery file (the walk was stopped while the database was held)
/// goes with its respondent, and an erased respondent's comment is not kept afterwards.
#[test]
fn an_erased_respondents_kept_comment_goes_with_them_and_none_is_kept_after() {
    let (dir, mut store) = opened();
    let s = seed(&mut store);
    let item = "fit.answers_problem.1";
    let kept = store
        .keep_unsaved(&s.ab, item, "Ord som skal bort", at(20))
        .unwrap();
    let others = store.keep_unsaved(&s.ef, item, "Blir", at(21)).unwrap();
    assert_eq!(store.unsaved().len(), 2);

    store
        .erase(
            &[Erasable::Respondent(s.ab.clone())],
            ErasedBy::Command,
            at(30),
        )
        .unwrap();
    assert!(
        !kept.exists(),
        "the erased respondent's kept comment is gone"
    );
    assert!(others.exists(), "another respondent's stays");
    let left: Vec<String> = store
        .unsaved()
        .into_iter()
        .map(|r| r.unsaved.respondent_id)
        .collect();
    assert_eq!(left, std::slice::from_ref(&s.ef));

    // A walk still open on the erased respondent, stopped now, keeps nothing.
    assert!(matches!(
        store.keep_unsaved(&s.ab, item, "Skrevet etter", at(31)),
        Err(StoreError::NotFound(_))
    ));
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("unsaved"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
}

/// Two gatherings of the seed's cluster on the first round's day (a leaders' and a digital
/// one, the first with an attendance and the round tied to it) and a joint one later.
fn gatherings_seeded() -> (tempfile::TempDir, std::path::PathBuf, Seeded, [String; 3]) {
    use kartlegg::domain::cluster::{AttendanceField, GatheringKind};
    use kartlegg::store::Clusters;
    let (dir, db, s) = seeded_db();
    let mut store = Store::open(&db).unwrap();
    let cluster = store.cluster_named("Innlandet").unwrap().unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let later = NaiveDate::from_ymd_opt(2026, 5, 4).unwrap();
    let mut add = |held_on, kind| {
        (store.add_gathering(&cluster.id, held_on, kind, "Tema", at(30)))
            .unwrap()
            .id
    };
    let ids = [
        add(day, GatheringKind::Leaders),
        add(day, GatheringKind::Digital),
        add(later, GatheringKind::Joint),
    ];
    store
        .set_attendance(&ids[0], &s.service, &AttendanceField::Leaders(2), at(31))
        .unwrap();
    store.tie_round(&s.round, Some(&ids[0]), at(32)).unwrap();
    drop(store);
    (dir, db, s, ids)
}

#[test]
fn the_command_erases_a_gathering_named_by_cluster_day_and_kind_and_its_rounds_stay() {
    use kartlegg::store::Clusters;
    let (_dir, db, s, [leaders, digital, joint]) = gatherings_seeded();
    let args = [
        "erase",
        "gathering",
        "--cluster",
        "INNLANDET",
        "--day",
        "2026-03-09",
        "--kind",
        "leaders",
    ];
    let before = table_counts(&db);
    let dry = common::run_cli(&[&args[..], &["--dry-run"]].concat(), &db, "en");
    assert_eq!(
        dry,
        "Would erase the gathering of 2026-03-09 (Leaders' gathering) with 1 attendance record.\n\
         Nothing was changed (--dry-run).\n"
    );
    assert_eq!(table_counts(&db), before, "a dry run changes nothing");
    let out = common::run_cli(&args, &db, "nb");
    assert!(
        out.starts_with("Slettet samlingen 09.03.2026 (Ledersamling) med 1 oppmøte.\n"),
        "{out}"
    );
    let store = Store::open(&db).unwrap();
    assert!(matches!(
        store.gathering(&leaders),
        Err(StoreError::NotFound("gathering"))
    ));
    assert_eq!(
        store.round(&s.round).unwrap().label,
        "Før",
        "the round stays"
    );
    assert_eq!(store.round_gathering(&s.round).unwrap(), None, "let go");
    assert_eq!(store.gathering(&digital).unwrap().id, digital);
    let tombstones = store.tombstones().unwrap();
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (tombstones[0].kind.as_str(), tombstones[0].id.as_str()),
        ("gathering", leaders.as_str())
    );
    drop(store);

    // Now one gathering is left on the day: the kind is not needed; then one by its id.
    let out = common::run_cli(
        &[
            "erase",
            "gathering",
            "--cluster",
            "Innlandet",
            "--day",
            "2026-03-09",
        ],
        &db,
        "en",
    );
    assert!(
        out.starts_with("Erased the gathering of 2026-03-09 (Digital gathering).\n"),
        "{out}"
    );
    let out = common::run_cli(&["erase", "gathering", "--id", &joint], &db, "en");
    assert!(
        out.starts_with("Erased the gathering of 2026-05-04 (Joint gathering).\n"),
        "{out}"
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(store.tombstones().unwrap().len(), 3);
    assert_kept_equal_recomputed(&store);
}

#[test]
fn a_gathering_not_found_or_two_on_one_day_are_refused_with_the_candidates() {
    let (_dir, db, _s, [leaders, digital, joint]) = gatherings_seeded();
    let before = table_counts(&db);
    let refused = |args: &[&str]| {
        let out = common::run_en(args, &db);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!said.trim_end().contains('\n'), "one line: {said}");
        said
    };
    let on_day = ["erase", "gathering", "--cluster", "Innlandet"];
    let two = refused(&[&on_day[..], &["--day", "2026-03-09"]].concat());
    assert!(
        two.contains("has more than one gathering on 2026-03-09; give --kind, or the id with --id"),
        "{two}"
    );
    assert!(
        two.contains(&format!("2026-03-09 (Leaders' gathering, id {leaders})"))
            && two.contains(&format!("2026-03-09 (Digital gathering, id {digital})"))
            && !two.contains(&joint),
        "only the two of the day: {two}"
    );
    let none = refused(&[&on_day[..], &["--day", "2026-03-10"]].concat());
    assert!(
        none.contains("“Innlandet” has no matching gathering on 2026-03-10")
            && none.contains(&format!("2026-05-04 (Joint gathering, id {joint})")),
        "every gathering of the cluster: {none}"
    );
    let kind = refused(&[&on_day[..], &["--day", "2026-05-04", "--kind", "digital"]].concat());
    assert!(
        kind.contains("no matching gathering on 2026-05-04"),
        "{kind}"
    );
    let cluster = refused(&[
        "erase",
        "gathering",
        "--cluster",
        "Vest",
        "--day",
        "2026-03-09",
    ]);
    assert_eq!(
        cluster.trim_end(),
        "kartlegg: No cluster called “Vest”. Clusters: “Innlandet”."
    );
    let id = refused(&["erase", "gathering", "--id", "nope"]);
    assert_eq!(id.trim_end(), "kartlegg: No gathering with the id nope.");
    // Neither a day nor an id: clap's usage error.
    let out = common::run_en(&on_day, &db);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(table_counts(&db), before, "nothing was erased");
}
