//! Promise 3: nothing is written into a damaged database, also one too large to check whole
//! as it opens (a cluster's, 50 MB): a command checks it before its first write, the
//! full-screen program checks it apart from the start and holds its writes until the verdict.
//! What an earlier session left in the log is never copied into a damaged file.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

const EXIT_UNUSABLE: i32 = 3;

/// A cluster's demo: larger than the size checked whole as a database opens.
fn cluster_database(db: &Path) {
    run_cli(&["demo", "--scale", "cluster"], db, "nb");
    let size = fs::metadata(db).unwrap().len();
    assert!(
        size > kartlegg::store::health::CHECK_AT_OPENING_MAX_BYTES,
        "{size} bytes is checked as it opens"
    );
}

fn log_of(db: &Path) -> PathBuf {
    let mut log = db.as_os_str().to_owned();
    log.push("-wal");
    PathBuf::from(log)
}

/// Overwrites a few leaf pages of the index of the answers' history, deep in the file; the
/// header, the schema and every table are left intact.
fn damage_an_index(db: &Path) {
    let (page_size, root) = {
        let conn =
            rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap();
        let page_size: i64 = conn
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .unwrap();
        let root: i64 = conn
            .query_row(
                "SELECT rootpage FROM sqlite_schema WHERE name = 'answer_history_by_answer'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        (page_size as usize, root as usize)
    };
    let mut bytes = fs::read(db).unwrap();
    let page = |number: usize| (number - 1) * page_size..number * page_size;
    let root_page = bytes[page(root)].to_vec();
    assert_eq!(root_page[0], 0x02, "the index's root is an interior page");
    let child = |at: usize| u32::from_be_bytes(root_page[at..at + 4].try_into().unwrap()) as usize;
    // The right-most child, and the left child of the first two cells.
    let first_cells = [12, 14].map(|at| u16::from_be_bytes([root_page[at], root_page[at + 1]]));
    let children = [
        child(8),
        child(first_cells[0].into()),
        child(first_cells[1].into()),
    ];
    let mut rng = fastrand::Rng::with_seed(11);
    for number in children {
        bytes[page(number)].fill_with(|| rng.u8(..));
    }
    fs::write(db, &bytes).unwrap();
}

/// A small export from another machine, to import.
fn an_export(dir: &Path) -> PathBuf {
    let other = dir.join("other.db");
    run_cli(&["demo", "--seed", "7"], &other, "nb");
    let file = dir.join("other.json");
    export_json(&other, &file);
    file
}

fn import(db: &Path, file: &Path) -> std::process::Output {
    kartlegg()
        .args(["import", "--lang", "nb", "--db"])
        .arg(db)
        .arg(file)
        .output()
        .unwrap()
}

fn history_rows(db: &Path) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row("SELECT count(*) FROM answer_history", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn check_and_an_import_leave_a_large_damaged_database_and_its_log_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.db");
    cluster_database(&whole);
    // An earlier session's work still in the log: a copy taken while it was open.
    let writer = rusqlite::Connection::open(&whole).unwrap();
    writer.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    writer
        .execute(
            "UPDATE service SET cluster = 'Klynge Vest' WHERE rowid = 1",
            [],
        )
        .unwrap();
    let db = dir.path().join("k.db");
    fs::copy(&whole, &db).unwrap();
    fs::copy(log_of(&whole), log_of(&db)).unwrap();
    drop(writer);
    damage_an_index(&db);
    let (bytes, log) = (fs::read(&db).unwrap(), fs::read(log_of(&db)).unwrap());
    assert!(!log.is_empty(), "the log holds the earlier session's work");

    // `check` reads it whole, says it is damaged, and leaves the log out of it as it closes.
    let out = kartlegg()
        .args(["check", "--lang", "nb", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(EXIT_UNUSABLE));
    assert!(
        fs::read(&db).unwrap() == bytes,
        "check let the log into the damaged file"
    );
    assert!(
        fs::read(log_of(&db)).unwrap() == log,
        "check changed the log"
    );

    let export = an_export(dir.path());
    let out = import(&db, &export);
    let message = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(EXIT_UNUSABLE), "{message}");
    assert!(message.contains("er skadet"), "{message}");
    assert!(message.contains("Filen er ikke endret"), "{message}");
    assert!(
        fs::read(&db).unwrap() == bytes,
        "the damaged file was written into"
    );
    assert!(
        fs::read(log_of(&db)).unwrap() == log,
        "the log was changed or copied into the damaged file"
    );

    // The same import into the whole one goes through, after the same check.
    let out = import(&whole, &export);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Opens the first service's last round's leader, whose first answer is 4.
fn the_leaders_first_item(tui: &mut Tui, lang: &str) {
    let (rounds, respondents, item) = match lang {
        "en" => ("Rounds – Askdal", "Last change", "Item 1 of 63"),
        _ => ("Runder – Askdal", "Sist endret", "Spørsmål 1 av 63"),
    };
    tui.wait_for("Askdal barneverntjeneste");
    tui.send(ENTER);
    tui.wait_for(rounds);
    tui.send(ENTER);
    tui.wait_for(respondents);
    tui.send(ENTER);
    tui.wait_for(item);
}

/// The program on a cluster's database whose check waits until the file `release` is
/// made (the test seam `KARTLEGG_TEST_HOLD_CHECK`), at the leader's first item, in bokmål.
fn with_the_check_held(dir: &tempfile::TempDir) -> (Tui, PathBuf, PathBuf) {
    let db = db_in(dir);
    cluster_database(&db);
    let release = dir.path().join("release");
    let hold = [("KARTLEGG_TEST_HOLD_CHECK", release.as_path())];
    let mut tui = Tui::start_with(&db, "nb", 24, 80, &hold);
    the_leaders_first_item(&mut tui, "nb");
    (tui, db, release)
}

#[test]
fn the_full_screen_program_holds_its_writes_until_a_large_database_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let (mut tui, db, release) = with_the_check_held(&dir);
    let before = history_rows(&db);
    tui.send("2");
    tui.wait_for("Sjekker at databasen er hel");
    tui.wait_for("Ingenting er lagret ennå");
    assert_eq!(
        history_rows(&db),
        before,
        "written before the check was done"
    );

    fs::write(&release, "").unwrap();
    tui.wait_for("Svaret er lagret");
    assert_eq!(history_rows(&db), before + 1);
    tui.send("q");
    tui.expect_clean_exit();
}

#[test]
fn the_full_screen_program_says_a_large_database_is_damaged_and_writes_nothing_into_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    cluster_database(&db);
    damage_an_index(&db);
    let bytes = fs::read(&db).unwrap();

    let mut tui = Tui::start(&db, "en");
    tui.wait_for("is damaged");
    the_leaders_first_item(&mut tui, "en");
    tui.send("2");
    tui.wait_for("is damaged");
    tui.wait_for("The file was not changed");
    tui.send("q");
    tui.expect_clean_exit();
    assert!(
        fs::read(&db).unwrap() == bytes,
        "the damaged file was written into"
    );
}

#[test]
fn stopped_with_a_comment_open_while_a_large_database_is_checked_it_saves_the_comment_after_the_check()
 {
    let dir = tempfile::tempdir().unwrap();
    let (mut tui, db, release) = with_the_check_held(&dir);
    tui.send("c");
    tui.wait_for("Kommentar til spørsmål 1");
    tui.send("Sett i planen");
    tui.wait_for("Sett i planen");
    let sent = std::process::Command::new("kill")
        .args(["-s", "TERM", &tui.pid().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    tui.wait_for("avslutte. Sjekker at databasen er hel");
    fs::write(&release, "").unwrap();
    tui.expect_exit_giving_terminal_back(0);

    let conn = rusqlite::Connection::open(&db).unwrap();
    let comments: i64 = conn
        .query_row(
            "SELECT count(*) FROM answer WHERE comment = 'Sett i planen'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(comments, 1, "the comment was saved once the check was done");
}
