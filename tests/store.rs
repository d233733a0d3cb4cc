//! The store against real files: answers, history, reopening, refusals, concurrency.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::store::{Admin, Answers};
use kartlegg::store::{SCHEMA_VERSION, Store, StoreError};

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, minute, 0).unwrap()
}

/// A store with one service, round and respondent; returns the respondent's id.
fn seeded(path: &Path) -> (Store, String) {
    let mut store = Store::open(path).unwrap();
    let service = store
        .create_service("Fjellbygd", &["3401".into()], "Innlandet", at(0))
        .unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let round = store
        .create_round(
            &service.id,
            "Før samling 1",
            date,
            RoundKind::Before,
            Instrument::standard(),
            at(0),
        )
        .unwrap();
    let respondent = store
        .create_respondent(&round.id, Role::KeyPerson, "AB", at(0))
        .unwrap();
    (store, respondent.id)
}

#[test]
fn answers_survive_reopening_and_changes_keep_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let (mut store, who) = seeded(&path);
    let key = "readiness.problem_awareness.1";
    store
        .save_response(&who, key, Some(Response::Score(2)), at(1))
        .unwrap();
    store
        .save_comment(&who, key, "Tatt opp på møtet", at(2))
        .unwrap();
    store
        .save_response(&who, key, Some(Response::Score(4)), at(3))
        .unwrap();
    store
        .save_response(
            &who,
            "fit.answers_problem.1",
            Some(Response::DontKnow),
            at(4),
        )
        .unwrap();
    drop(store);

    let store = Store::open(&path).unwrap();
    let answers = store.answers(&who).unwrap();
    assert_eq!(answers[key].response, Some(Response::Score(4)));
    assert_eq!(answers[key].comment, "Tatt opp på møtet");
    assert_eq!(
        answers["fit.answers_problem.1"].response,
        Some(Response::DontKnow)
    );

    let history = store.history(&who, key).unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].old, None);
    assert_eq!(history[0].new.response, Some(Response::Score(2)));
    assert_eq!(history[1].new.comment, "Tatt opp på møtet");
    assert_eq!(
        history[2].old.as_ref().unwrap().response,
        Some(Response::Score(2))
    );
    assert_eq!(history[2].new.response, Some(Response::Score(4)));
    assert!(history[2].changed_at.starts_with("2026-03-09T10:03"));

    let service = &store.services().unwrap()[0].service;
    let round = &store.rounds(&service.id).unwrap()[0].round;
    let listed = store.respondents(&round.id).unwrap();
    assert_eq!(listed[0].respondent.id, who);
    assert_eq!(listed[0].answered, 2);
}

#[test]
fn an_unchanged_answer_writes_no_history_and_clearing_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, who) = seeded(&dir.path().join("k.db"));
    let key = "competence.training.2";
    store
        .save_response(&who, key, Some(Response::Score(1)), at(1))
        .unwrap();
    store
        .save_response(&who, key, Some(Response::Score(1)), at(2))
        .unwrap();
    assert_eq!(store.history(&who, key).unwrap().len(), 1);
    store.save_response(&who, key, None, at(3)).unwrap();
    let history = store.history(&who, key).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].new.response, None);
    assert!(!store.answers(&who).unwrap()[key].is_answered());
}

#[test]
fn history_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let (mut store, who) = seeded(&path);
    store
        .save_response(
            &who,
            "support.evaluation.1",
            Some(Response::Score(3)),
            at(1),
        )
        .unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert!(
        conn.execute("UPDATE answer_history SET new_comment = 'x'", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM answer_history", []).is_err());
}

#[test]
fn files_are_private_to_their_owner() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("new").join("kartlegg");
    let path = folder.join("k.db");
    let (mut store, who) = seeded(&path);
    store
        .save_response(
            &who,
            "fit.answers_problem.2",
            Some(Response::Score(5)),
            at(1),
        )
        .unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&folder.join("k.db-wal")), 0o600);
}

fn refused_unchanged(path: &Path, check: impl Fn(&StoreError) -> bool) {
    let before = fs::read(path).unwrap();
    let error = Store::open(path).err().expect("refused");
    assert!(check(&error), "unexpected error: {error}");
    assert_eq!(fs::read(path).unwrap(), before, "the file was changed");
    assert!(!path.with_extension("db-wal").exists());
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    drop(seeded(&path));
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    refused_unchanged(
        &path,
        |e| matches!(e, StoreError::NewerSchema { found, known, .. } if *found == SCHEMA_VERSION + 1 && *known == SCHEMA_VERSION),
    );
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    fs::write(&path, "Dette er et notat, ikke en database.\n").unwrap();
    refused_unchanged(&path, |e| matches!(e, StoreError::NotADatabase { .. }));
}

#[test]
fn another_programs_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    refused_unchanged(&path, |e| matches!(e, StoreError::ForeignDatabase { .. }));
}

#[test]
fn the_schema_version_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = seeded(&dir.path().join("k.db"));
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let rounds = store
        .rounds(&store.services().unwrap()[0].service.id)
        .unwrap();
    assert_eq!(
        rounds[0].round.instrument_version,
        Instrument::standard().version
    );
}

#[test]
fn integrity_holds_after_many_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let (mut store, who) = seeded(&path);
    let items = Instrument::standard().items();
    for round in 0..10u32 {
        for item in &items {
            let value =
                item.scale.min() + ((round as u8) % (item.scale.max() - item.scale.min() + 1));
            store
                .save_response(
                    &who,
                    &item.item.key,
                    Some(Response::Score(value)),
                    at(round),
                )
                .unwrap();
        }
    }
    assert!(store.integrity_problems().unwrap().is_empty());
    let counts = store.counts().unwrap();
    assert_eq!(counts.answers, items.len());
    assert!(counts.history >= items.len() * 5);
}

#[test]
fn two_connections_write_side_by_side_without_losing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let (mut store, _) = seeded(&path);
    let round_id = {
        let service = &store.services().unwrap()[0].service;
        store.rounds(&service.id).unwrap()[0].round.id.clone()
    };
    let a = store
        .create_respondent(&round_id, Role::Leader, "", at(0))
        .unwrap();
    let b = store
        .create_respondent(&round_id, Role::Staff, "", at(0))
        .unwrap();
    drop(store);
    let items: Vec<String> = Instrument::standard()
        .items()
        .iter()
        .map(|i| i.item.key.clone())
        .collect();
    let writers: Vec<_> = [a.id.clone(), b.id.clone()]
        .into_iter()
        .map(|who| {
            let path = path.clone();
            let items = items.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                for (n, key) in items.iter().enumerate() {
                    let response = if n % 7 == 0 {
                        Response::DontKnow
                    } else {
                        Response::Score(1)
                    };
                    store
                        .save_response(&who, key, Some(response), at(5))
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.answers(&a.id).unwrap().len(), items.len());
    assert_eq!(store.answers(&b.id).unwrap().len(), items.len());
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn opening_an_existing_database_only_creates_nothing_and_says_which_was_new() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ny").join("k.db");
    match Store::open_existing(&db) {
        Err(StoreError::Missing { path }) => assert_eq!(path, db),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("opened a database that is not there"),
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "nothing made");

    assert!(Store::open(&db).unwrap().created());
    assert!(!Store::open(&db).unwrap().created());
    assert!(!Store::open_existing(&db).unwrap().created());
}
