//! Promise 2: several kartlegg processes on one database (a shared machine) work side by
//! side. No "database is locked" reaches anyone as an error, no write is lost, and a write
//! that must wait says so in the status line and tries again.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::{Response, Role};
use kartlegg::store::{Admin, Answers};
use kartlegg::store::{BusyWait, Held, Store, StoreError};

/// A respondent in a new database; returns its id.
fn respondent(db: &Path, role: Role, code: &str) -> String {
    let round = seeded_round(db);
    add_respondent(db, &round, role, code)
}

fn add_respondent(db: &Path, round: &str, role: Role, code: &str) -> String {
    Store::open(db)
        .unwrap()
        .create_respondent(round, role, code, chrono::Utc::now())
        .unwrap()
        .id
}

fn first_item() -> String {
    Instrument::standard().items()[0].item.key.clone()
}

#[test]
fn four_processes_writing_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let round = seeded_round(&db);
    let started = Instant::now();
    let writers: Vec<_> = (1..=4)
        .map(|seed| {
            kartlegg()
                .args(["_write-answers", "--round", &round, "--count", "200"])
                .args(["--seed", &seed.to_string()])
                .arg("--db")
                .arg(&db)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start a writer")
        })
        .collect();
    let mut reported = Reported::default();
    for writer in writers {
        let out = writer.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "a writer failed: {stderr}");
        assert!(stderr.is_empty(), "a writer complained: {stderr}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            stdout.lines().filter(|l| l.starts_with("answer")).count(),
            200
        );
        stdout.lines().for_each(|line| reported.add_line(line));
    }
    reported.expect_all_in(&db);
    assert_eq!(integrity_check(&db), ["ok"]);
    let counts = Store::open(&db).unwrap().counts().unwrap();
    assert_eq!(counts.answers, 800);
    assert_eq!(counts.respondents, reported.respondents.len());
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

/// A command's write waits past SQLite's busy timeout, as long as its patience lasts.
#[test]
fn a_write_waits_out_a_held_lock_and_then_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let who = respondent(&db, Role::Leader, "");
    let mut store = Store::open(&db).unwrap();
    store
        .set_busy_wait(BusyWait {
            per_try: Duration::from_millis(100),
            patience: Duration::from_secs(10),
        })
        .unwrap();

    let holder = hold_write_lock(&db);
    let release = thread::spawn(move || {
        thread::sleep(Duration::from_millis(1500));
        holder.execute_batch("COMMIT").unwrap();
    });
    let started = Instant::now();
    store
        .save_response(
            &who,
            &first_item(),
            Some(Response::Score(3)),
            chrono::Utc::now(),
        )
        .expect("the write waits, then succeeds");
    let waited = started.elapsed();
    release.join().unwrap();
    assert!(
        waited >= Duration::from_millis(1200),
        "it cannot have written while the lock was held ({waited:?})"
    );
    assert_eq!(store.take_held(), None, "it did not give up");
    assert_eq!(
        store.answers(&who).unwrap()[&first_item()].response,
        Some(Response::Score(3))
    );
}

/// The screen's store gives up after one short try, says so, and has written nothing.
#[test]
fn a_write_without_patience_gives_up_with_a_distinct_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let who = respondent(&db, Role::Leader, "");
    let mut store = Store::open(&db).unwrap();
    store
        .set_busy_wait(BusyWait {
            per_try: Duration::from_millis(50),
            patience: Duration::ZERO,
        })
        .unwrap();
    let holder = hold_write_lock(&db);
    let error = store
        .save_response(
            &who,
            &first_item(),
            Some(Response::Score(3)),
            chrono::Utc::now(),
        )
        .unwrap_err();
    assert!(matches!(error, StoreError::Busy { .. }), "{error:?}");
    assert_eq!(store.take_held(), Some(Held::Busy));
    assert_eq!(store.take_held(), None, "taken once");
    holder.execute_batch("ROLLBACK").unwrap();
    assert!(store.answers(&who).unwrap().is_empty());
}

/// Another kartlegg holds the database (here: a connection in the middle of a write); the
/// screen says it waits, keeps the answer unsaved and unshown, and saves it once the
/// database is free.
#[test]
fn the_screen_says_it_waits_and_saves_when_the_database_is_free() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let who = respondent(&db, Role::KeyPerson, "AB");

    let mut tui = Tui::start(&db, "nb");
    tui.wait_for("Fjellbygd barnevern");
    tui.send(ENTER);
    tui.wait_for("Før samling 1");
    tui.send(ENTER);
    tui.wait_for("Nøkkelperson");
    tui.send(ENTER);
    tui.wait_for("Spørsmål 1 av 29");

    let holder = hold_write_lock(&db);
    let held = Instant::now();
    tui.send("4");
    tui.wait_for("Venter på en annen kartlegg");
    assert!(tui.screen().contains("Besvart 0 av 29"), "{}", tui.screen());
    assert!(
        tui.screen().contains("Spørsmål 1 av 29"),
        "{}",
        tui.screen()
    );
    // Let it try again at least once while the lock is still held.
    thread::sleep(Duration::from_millis(1500).saturating_sub(held.elapsed()));
    assert!(tui.screen().contains("Venter på en annen kartlegg"));
    holder.execute_batch("COMMIT").unwrap();

    tui.wait_for("Svaret er lagret");
    tui.wait_for("Besvart 1 av 29");
    tui.wait_for("Spørsmål 2 av 29");
    tui.send("q");
    tui.expect_clean_exit();

    let answers = Store::open(&db).unwrap().answers(&who).unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[&first_item()].response, Some(Response::Score(4)));
}

#[test]
fn two_screens_on_one_database_answer_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let round = seeded_round(&db);
    let leader = add_respondent(&db, &round, Role::Leader, "A");
    let staff = add_respondent(&db, &round, Role::Staff, "B");

    let mut a = Tui::start(&db, "nb");
    let mut b = Tui::start(&db, "nb");
    for tui in [&mut a, &mut b] {
        tui.wait_for("Fjellbygd barnevern");
        tui.send(ENTER);
        tui.wait_for("Før samling 1");
        tui.send(ENTER);
        tui.wait_for("Ansatt");
    }
    a.send(ENTER);
    b.send(DOWN);
    b.send(ENTER);
    a.wait_for("Leder (A)");
    b.wait_for("Ansatt (B)");
    let answered = 15;
    for n in 1..=answered {
        a.send("4");
        b.send("2");
        a.wait_for(&format!("Besvart {n} av 47"));
        b.wait_for(&format!("Besvart {n} av 29"));
    }
    a.send("q");
    b.send("q");
    a.expect_clean_exit();
    b.expect_clean_exit();

    assert_eq!(integrity_check(&db), ["ok"]);
    let store = Store::open(&db).unwrap();
    for (who, value) in [(leader, 4), (staff, 2)] {
        let answers = store.answers(&who).unwrap();
        assert_eq!(answers.len(), answered);
        assert!(
            answers
                .values()
                .all(|a| a.response == Some(Response::Score(value)))
        );
    }
}

/// The small demo's export, and where in it to hold an import: halfway through its answers.
fn demo_export(dir: &Path) -> (Vec<u8>, usize) {
    let source = dir.join("source.db");
    run_cli(&["demo"], &source, "nb");
    let file = dir.join("demo.json");
    export_json(&source, &file);
    let export = std::fs::read(&file).unwrap();
    let text = String::from_utf8_lossy(&export);
    let answers = text.find("\"answers\": [").unwrap();
    let history = text.find("\"history\": [").unwrap();
    (export, (answers + history) / 2)
}

/// An import into an empty database writes with a rollback journal, which keeps others out
/// until it is done: another kartlegg that opens the database meanwhile waits, and then
/// finds everything; afterwards the database is in the write-ahead log again.
#[test]
fn a_process_that_opens_during_an_import_into_an_empty_database_waits_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let (export, middle) = demo_export(dir.path());
    let db = db_in(&dir);
    drop(Store::open(&db).unwrap());

    let mut import = PipedImport::start(&db, dir.path());
    import.feed(&export[..middle]);
    import.wait_for_journal();
    let reader = kartlegg()
        .args(["export", "--format", "json", "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = import.finish(&export[middle..]);
    assert!(output.status.success(), "{output:?}");
    let read = reader.wait_with_output().unwrap();
    assert!(read.status.success(), "{read:?}");
    let count = |file: &[u8]| {
        String::from_utf8_lossy(file)
            .matches("\"item_key\"")
            .count()
    };
    assert_eq!(
        count(&read.stdout),
        count(&export),
        "it read the whole import"
    );
    assert!(in_wal_mode(&db));
    assert_eq!(integrity_check(&db), ["ok"]);
}

/// With another connection open, SQLite keeps the write-ahead log and the import runs in it,
/// beside that connection.
#[test]
fn an_import_beside_an_open_connection_keeps_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let (export, _) = demo_export(dir.path());
    let db = db_in(&dir);
    let other = Store::open(&db).unwrap();
    let file = dir.path().join("demo.json");
    std::fs::write(&file, &export).unwrap();
    run_cli(&["import", file.to_str().unwrap()], &db, "en");
    assert!(in_wal_mode(&db));
    assert_eq!(other.services().unwrap().len(), 4);
}

/// An import into an empty database, once its pages no longer fit in memory, holds the
/// database exclusively (a rollback journal). Another kartlegg that opens it then says that
/// it waits, waits, and goes on when the import is done; "database is locked" is no error.
#[test]
fn a_process_that_opens_an_exclusively_held_database_says_it_waits() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    drop(Store::open(&db).unwrap());
    let holder = rusqlite::Connection::open(&db).unwrap();
    let mode: String = holder
        .query_row("PRAGMA journal_mode=TRUNCATE", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "truncate");
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let mut check = kartlegg()
        .args(["check", "--lang", "en", "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = check.stderr.take().unwrap();
    let (said, heard) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stderr).read_line(&mut line);
        let _ = said.send(line);
    });
    let line = heard.recv_timeout(WAIT).expect("it says that it waits");
    assert!(line.contains("Waiting for another kartlegg"), "{line}");
    assert!(check.try_wait().unwrap().is_none(), "it waits");

    holder.execute_batch("COMMIT").unwrap();
    drop(holder);
    let output = check.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("Integrity: ok"));
    assert!(in_wal_mode(&db));
}
