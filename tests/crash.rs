//! Promise 1: an answer is durable once it is reported saved. A process killed with
//! SIGKILL (a crash, a flat battery's last moment as the program sees it) loses nothing it
//! reported, and SQLite's integrity check passes afterwards.
//!
//! What this does not show: a power cut. SIGKILL stops the process, not the machine, so the
//! operating system still writes out what it was given; that SQLite's `synchronous=FULL`
//! survives a power cut is SQLite's own promise, tested by SQLite with fault injection.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::{Response, Role};
use kartlegg::store::Store;
use kartlegg::store::{Admin, Answers};

const KILLS: u64 = 25;
/// The default seed; `KARTLEGG_CRASH_SEED=N cargo test --test crash` repeats another run.
const SEED: u64 = 20_260_309;

#[test]
fn answers_reported_as_committed_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let round = seeded_round(&db);
    let seed = std::env::var("KARTLEGG_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    let mut rng = fastrand::Rng::with_seed(seed);
    let started = Instant::now();
    let mut killed_mid_run = 0;
    let mut survived = 0;

    for kill in 0..KILLS {
        let mut child = kartlegg()
            .args(["_write-answers", "--round", &round, "--count", "1000"])
            .args(["--seed", &kill.to_string()])
            .arg("--db")
            .arg(&db)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the writer");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut reported = Reported::default();
        // Sometimes before the first commit (while it opens the database), mostly a few
        // dozen writes in, and then anywhere inside the next write.
        let before_kill = rng.usize(0..40);
        for _ in 0..before_kill {
            match lines.next() {
                Some(line) => reported.add_line(&line.unwrap()),
                None => break,
            }
        }
        thread::sleep(Duration::from_micros(rng.u64(0..4000)));
        child.kill().expect("SIGKILL the writer");
        // What it printed before it died was committed before it was printed.
        for line in lines {
            reported.add_line(&line.unwrap());
        }
        let status = child.wait().unwrap();
        match status.signal() {
            Some(libc::SIGKILL) => killed_mid_run += 1,
            _ if status.success() => {}
            _ => {
                let mut stderr = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut stderr)
                    .unwrap();
                panic!("the writer failed by itself ({status:?}): {stderr}");
            }
        }
        let context = format!(
            "kill {kill} of seed {seed}, after {} reported answers",
            reported.answers.len()
        );
        assert_eq!(integrity_check(&db), ["ok"], "{context}");
        reported.expect_all_in(&db);
        survived += reported.answers.len();
        // And kartlegg itself opens it again, past its own checks.
        let store = Store::open(&db).unwrap_or_else(|e| panic!("{context}: {e}"));
        assert!(store.integrity_problems().unwrap().is_empty(), "{context}");
    }
    assert!(
        killed_mid_run == KILLS,
        "every writer should have been killed while writing, not after finishing \
         ({killed_mid_run} of {KILLS}); give it more to write"
    );
    assert!(
        survived >= 100,
        "only {survived} answers were reported in {KILLS} runs: too few to show anything"
    );
    eprintln!("{KILLS} kills, {survived} answers reported and found, seed {seed}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the crash test took {:?}",
        started.elapsed()
    );
}

/// The screen says "Besvart N av 29" only once the answer is committed; killed right after,
/// those N answers are there.
#[test]
fn a_killed_screen_keeps_every_answer_it_showed_as_saved() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let round = seeded_round(&db);
    let who = Store::open(&db)
        .unwrap()
        .create_respondent(&round, Role::KeyPerson, "AB", chrono::Utc::now())
        .unwrap()
        .id;

    let mut tui = Tui::start(&db, "nb");
    tui.wait_for("Fjellbygd barnevern");
    tui.send(ENTER);
    tui.wait_for("Før samling 1");
    tui.send(ENTER);
    tui.wait_for("Nøkkelperson");
    tui.send(ENTER);
    tui.wait_for("Spørsmål 1 av 29");
    let shown = 8;
    for n in 1..=shown {
        tui.send("4");
        tui.wait_for(&format!("Besvart {n} av 29"));
    }
    // One more on its way, then the plug.
    tui.send("5");
    tui.kill_hard();
    drop(tui);

    assert_eq!(integrity_check(&db), ["ok"]);
    let answers = Store::open(&db).unwrap().answers(&who).unwrap();
    let items = Instrument::standard().items();
    for item in &items[..shown] {
        assert_eq!(
            answers.get(&item.item.key).and_then(|a| a.response),
            Some(Response::Score(4)),
            "{} was shown as saved",
            item.item.key
        );
    }
    // The last one may or may not have made it, but never half.
    let last = answers.get(&items[shown].item.key).and_then(|a| a.response);
    assert!(matches!(last, None | Some(Response::Score(5))), "{last:?}");
    assert!(answers.len() <= shown + 1, "{} answers", answers.len());
}

/// An import into an empty database writes with a rollback journal (`Store::import_json`):
/// killed in the middle, it leaves a journal from which the next opening restores the empty
/// database, whole, in the write-ahead log again.
#[test]
fn an_import_killed_in_the_middle_leaves_the_empty_database_it_found() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.db");
    run_cli(&["demo"], &source, "nb");
    let export = run_cli(
        &["export", "--format", "json", "--identified"],
        &source,
        "nb",
    );
    let db = db_in(&dir);
    drop(Store::open(&db).unwrap());

    let mut import = PipedImport::start(&db, dir.path());
    import.feed(&export.as_bytes()[..export.len() / 2]);
    import.wait_for_journal();
    import.kill();

    let store = Store::open(&db).unwrap();
    assert!(store.services().unwrap().is_empty());
    drop(store);
    assert!(in_wal_mode(&db));
    assert_eq!(integrity_check(&db), ["ok"]);
    assert!(run_cli(&["check"], &db, "en").contains("ok"));
}
