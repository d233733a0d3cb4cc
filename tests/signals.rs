//! Promise 1, for the comment being written: the full-screen program stopped from outside
//! (SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1) gives the terminal back and saves the comment
//! open in the editor, also while another kartlegg holds the database, if it frees within
//! the wait (`BusyWait::STOPPING`); else the comment is kept in a recovery file beside the
//! database, which the next start offers to save or to discard.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::Duration;

use common::*;
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::Role;
use kartlegg::store::Answers;
use kartlegg::store::Store;

const DELETE: &str = "\x1b[3~";
/// What the screen says while the stopped program waits for the database.
const WAITS: &str = "kartlegg er bedt om å avslutte";
/// Longer than the program waits for the database when it is stopped.
const PAST_THE_WAIT: Duration = Duration::from_secs(12);

/// A database with a service, a round and a key person (AB); returns the key person's id.
fn key_person(db: &Path) -> String {
    let round = seeded_round(db);
    Store::open(db)
        .unwrap()
        .create_respondent(&round, Role::KeyPerson, "AB", chrono::Utc::now())
        .unwrap()
        .id
}

/// The program in the key person's walk, with `text` typed into the comment on item 1.
fn writing_a_comment(db: &Path, text: &str) -> Tui {
    let mut tui = Tui::start(db, "nb");
    tui.wait_for("Fjellbygd barnevern");
    tui.send(ENTER);
    tui.wait_for("Før samling 1");
    tui.send(ENTER);
    tui.wait_for("Nøkkelperson");
    tui.send(ENTER);
    tui.wait_for("Spørsmål 1 av 29");
    tui.send("c");
    tui.wait_for("Kommentar til spørsmål 1");
    tui.send(text);
    tui.wait_for(text);
    tui
}

fn signal(tui: &Tui, name: &str) {
    let pid = tui.pid().to_string();
    let sent = Command::new("kill")
        .args(["-s", name, &pid])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -s {name} {pid}");
}

/// The comment on item 1 of the respondent, as saved in the database.
fn saved_comment(db: &Path, who: &str) -> Option<String> {
    let first = &Instrument::standard().items()[0].item.key;
    let answers = Store::open(db).unwrap().answers(who).unwrap();
    answers.get(first).map(|a| a.comment.clone())
}

/// The recovery files beside the database.
fn recovery_files(db: &Path) -> Vec<PathBuf> {
    let prefix = format!("{}.unsaved-", db.file_name().unwrap().to_string_lossy());
    let mut found: Vec<PathBuf> = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&prefix)
        })
        .collect();
    found.sort();
    found
}

/// The one recovery file there must be: private, holding the comment.
fn the_recovery_file(db: &Path, text: &str) -> PathBuf {
    let files = recovery_files(db);
    assert_eq!(files.len(), 1, "{files:?}");
    let file = files[0].clone();
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{file:?}");
    let kept = std::fs::read_to_string(&file).unwrap();
    assert!(kept.contains(text), "{kept}");
    file
}

#[test]
fn sigterm_while_another_kartlegg_writes_saves_the_comment_once_the_database_is_free() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let who = key_person(&db);
    let text = "Skrevet mens en annen lagret";
    let tui = writing_a_comment(&db, text);

    let holder = hold_write_lock(&db);
    signal(&tui, "TERM");
    tui.wait_for(WAITS);
    holder.execute_batch("COMMIT").unwrap();
    tui.expect_clean_exit();

    assert_eq!(saved_comment(&db, &who).as_deref(), Some(text));
    assert!(recovery_files(&db).is_empty());
    assert_eq!(integrity_check(&db), ["ok"]);
}

#[test]
fn a_closed_terminal_while_another_kartlegg_writes_saves_the_comment_once_the_database_is_free() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let who = key_person(&db);
    let text = "Vinduet lukket mens en annen lagret";
    let mut tui = writing_a_comment(&db, text);

    let holder = hold_write_lock(&db);
    tui.hang_up();
    // Nobody sees the terminal any more. The program waits for the database; the other
    // kartlegg is done two seconds later, longer than the one second any write of the screen
    // waits, shorter than the wait on the way out.
    thread::sleep(Duration::from_secs(2));
    holder.execute_batch("COMMIT").unwrap();
    let status = tui.wait_exit(PAST_THE_WAIT);
    assert!(status.success(), "{status:?}");
    drop(tui);

    assert_eq!(saved_comment(&db, &who).as_deref(), Some(text));
    assert!(recovery_files(&db).is_empty());
}

/// Held past the wait: the comment goes into a recovery file, the terminal is given back with
/// a message that names the file, and the next start asks, and saves it on Enter.
#[test]
fn sigterm_while_the_database_is_held_too_long_keeps_the_comment_for_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let who = key_person(&db);
    let text = "Dette må ikke gå tapt";
    let tui = writing_a_comment(&db, text);

    let holder = hold_write_lock(&db);
    signal(&tui, "TERM");
    tui.wait_for(WAITS);
    let screen = tui.expect_exit_giving_terminal_back(1);
    drop(holder);
    let file = the_recovery_file(&db, text);
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        screen.contains("Kommentaren som ble skrevet, kunne ikke lagres"),
        "{screen}"
    );
    assert!(screen.replace('\n', "").contains(&name), "{screen}");
    assert_eq!(saved_comment(&db, &who), None);

    let mut tui = Tui::start(&db, "nb");
    tui.wait_for("Ulagret kommentar");
    tui.wait_for("Fjellbygd barnevern › Før samling 1 › Nøkkelperson (AB)");
    tui.wait_for(text);
    tui.send(ENTER);
    tui.wait_for("Kommentaren er lagret");
    tui.wait_for("Fjellbygd barnevern");
    tui.send("q");
    tui.expect_clean_exit();
    assert_eq!(saved_comment(&db, &who).as_deref(), Some(text));
    assert!(recovery_files(&db).is_empty());
}

/// A closed terminal, held past the wait: kept in a recovery file. The next start asks;
/// Esc leaves it for the start after, where Del gives it up and removes the file.
#[test]
fn a_closed_terminal_while_the_database_is_held_too_long_keeps_the_comment_until_declined() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let who = key_person(&db);
    let text = "Ikke lagret, men tatt vare på";
    let mut tui = writing_a_comment(&db, text);

    let holder = hold_write_lock(&db);
    tui.hang_up();
    let status = tui.wait_exit(PAST_THE_WAIT);
    assert_eq!(status.exit_code(), 1, "{status:?}");
    drop(tui);
    drop(holder);
    the_recovery_file(&db, text);

    let mut tui = Tui::start(&db, "nb");
    tui.wait_for("Ulagret kommentar");
    tui.wait_for(text);
    tui.esc_then("fortsatt tatt vare på");
    tui.send("q");
    tui.expect_clean_exit();
    the_recovery_file(&db, text);

    let mut tui = Tui::start(&db, "nb");
    tui.wait_for("Ulagret kommentar");
    tui.send(DELETE);
    tui.wait_for("Kommentaren er forkastet");
    tui.send("q");
    tui.expect_clean_exit();
    assert!(recovery_files(&db).is_empty());
    assert_eq!(saved_comment(&db, &who), None);
}

/// In raw mode Ctrl-C is a key; these come from another program. Each gives the terminal
/// back and saves the comment, as SIGTERM does.
#[test]
fn sigint_sigquit_and_sigusr1_from_outside_give_the_terminal_back_and_save_the_comment() {
    for name in ["INT", "QUIT", "USR1"] {
        let dir = tempfile::tempdir().unwrap();
        let db = db_in(&dir);
        let who = key_person(&db);
        let text = format!("Stoppet med SIG{name}");
        let tui = writing_a_comment(&db, &text);
        signal(&tui, name);
        tui.expect_clean_exit();
        assert_eq!(
            saved_comment(&db, &who).as_deref(),
            Some(text.as_str()),
            "SIG{name}"
        );
    }
}
