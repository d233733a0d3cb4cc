//! Work a killed kartlegg leaves behind: a backup, a schema upgrade, an export or a demo
//! killed part-way never leaves a file that looks whole, or half a demo that cannot be
//! finished, and what it left is cleaned up or finished by the next run.
//!
//! Each kill is at a named point (`kartlegg::pause`): the process stops itself there and is
//! killed with SIGKILL, so no test guesses at times.

mod common;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::mpsc;
use std::thread;

use common::*;
use kartlegg::store::{Admin, Answers};
use kartlegg::store::{SCHEMA_VERSION, Store};

const EXIT_UNUSABLE: i32 = 3;

/// Runs `kartlegg <args> --db <db>` until it reaches `point`, and kills it there (SIGKILL).
/// Returns what it said on standard error.
fn kill_at(point: &str, args: &[&str], db: &Path) -> String {
    let mut child = kartlegg()
        .args(args)
        .args(["--lang", "en", "--db"])
        .arg(db)
        .env(kartlegg::pause::VARIABLE, point)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kartlegg");
    let stderr = child.stderr.take().unwrap();
    let (lines, heard) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let wanted = format!("kartlegg: paused at {point}");
    let mut said = String::new();
    loop {
        match heard.recv_timeout(WAIT) {
            Ok(line) => {
                said.push_str(&line);
                said.push('\n');
                if line == wanted {
                    break;
                }
            }
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().unwrap();
                panic!("kartlegg {args:?} never reached {point} ({status}); it said:\n{said}");
            }
        }
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed, it cannot have succeeded");
    said
}

/// Every file in `dir`, hidden ones too, by name.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// kartlegg's temporary files in `dir` (`store::temp`): hidden, ending in `.tmp`.
fn temporary_files(dir: &Path) -> Vec<String> {
    names_in(dir)
        .into_iter()
        .filter(|n| n.starts_with('.') && n.contains(".tmp"))
        .collect()
}

fn user_version(db: &Path) -> u32 {
    rusqlite::Connection::open(db)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

// ---- backup ----

#[test]
fn a_backup_killed_part_way_leaves_nothing_with_the_name_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    run_cli(&["demo"], &db, "en");
    let copies = dir.path().join("copies");
    fs::create_dir(&copies).unwrap();
    let target = copies.join("backup.db");
    let out = ["backup", "--out", target.to_str().unwrap()];

    // Killed once the copy is written, and once more after it was checked, just before it
    // takes its name: nothing has the name, whatever opens it later.
    for point in ["backup-written", "backup-checked"] {
        kill_at(point, &out, &db);
        assert!(
            fs::symlink_metadata(&target).is_err(),
            "killed at {point}, it left {target:?}: {:?}",
            names_in(&copies)
        );
        assert!(
            !temporary_files(&copies).is_empty(),
            "the kill at {point} was part-way: the copy is there under its temporary name"
        );
    }

    // The next backup there is whole, and takes away what the killed ones left.
    let said = run_cli(&out, &db, "en");
    assert!(said.contains("integrity ok"), "{said}");
    assert_eq!(integrity_check(&target), ["ok"]);
    assert_eq!(
        Store::open_existing(&target).unwrap().counts().unwrap(),
        Store::open_existing(&db).unwrap().counts().unwrap()
    );
    assert_eq!(names_in(&copies), ["backup.db"]);
}

// ---- a schema upgrade ----

/// The backups a migration wrote beside `db` (`k.db.v1-….bak`).
fn migration_backups(db: &Path) -> Vec<PathBuf> {
    let prefix = format!("{}.v", db.file_name().unwrap().to_string_lossy());
    let dir = db.parent().unwrap();
    names_in(dir)
        .into_iter()
        .filter(|n| n.starts_with(&prefix) && n.ends_with(".bak"))
        .map(|n| dir.join(n))
        .collect()
}

/// Whether `copy` is a whole copy of `version_1_database`.
fn is_whole_version_1_copy(copy: &Path) -> bool {
    let Ok(conn) = rusqlite::Connection::open(copy) else {
        return false;
    };
    let answer: rusqlite::Result<String> =
        conn.query_row("SELECT comment FROM answer WHERE id = 'a1'", [], |r| {
            r.get(0)
        });
    let version: rusqlite::Result<u32> =
        conn.pragma_query_value(None, "user_version", |r| r.get(0));
    matches!((answer, version), (Ok(comment), Ok(1)) if comment == "Ja")
}

/// An upgrade killed while it wrote its backup left a partial `.bak`; an opening in the same
/// second, which wants that very name, upgraded nothing ("File exists"). It must upgrade, and
/// leave one whole backup under that name.
#[test]
fn an_upgrade_after_a_killed_one_reuses_the_name_of_its_partial_backup() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    version_1_database(&db);
    let bytes = fs::read(&db).unwrap();
    // The name the next opening will use is that of its second; the partial backup is laid
    // under the names of the next few seconds, so that one of them is it.
    let now = chrono::Utc::now();
    let planted: Vec<PathBuf> = (0..5)
        .map(|s| {
            let at = now + chrono::Duration::seconds(s);
            kartlegg::store::backup::migration_backup_path(&db, 1, at)
        })
        .collect();
    for path in &planted {
        fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
    }

    let out = run_en(&["check"], &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(user_version(&db), SCHEMA_VERSION);
    let whole: Vec<&PathBuf> = migration_backups(&db)
        .iter()
        .filter(|p| is_whole_version_1_copy(p))
        .map(|p| planted.iter().find(|q| *q == p).expect("one of the names"))
        .collect();
    assert_eq!(
        whole.len(),
        1,
        "one whole backup: {:?}",
        names_in(dir.path())
    );
    assert_eq!(
        migration_backups(&db).len(),
        planted.len(),
        "the partial one replaced, no other written: {:?}",
        names_in(dir.path())
    );
}

/// Killed after its backup is written, before it is named: the next opening upgrades, writes
/// one whole backup, and removes the one the killed run left.
#[test]
fn an_upgrade_killed_while_it_writes_its_backup_runs_again_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    version_1_database(&db);
    kill_at("migration-backup-written", &["check"], &db);
    assert_eq!(user_version(&db), 1, "killed before the upgrade");
    assert!(
        migration_backups(&db).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
    assert!(!temporary_files(dir.path()).is_empty());

    let out = run_en(&["check"], &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(user_version(&db), SCHEMA_VERSION);
    let backups = migration_backups(&db);
    assert_eq!(backups.len(), 1, "{:?}", names_in(dir.path()));
    assert!(is_whole_version_1_copy(&backups[0]));
    assert_eq!(
        temporary_files(dir.path()),
        Vec::<String>::new(),
        "what the killed run left is gone"
    );
}

/// A database whose `user_version` was set back by hand: its tables do not fit the older
/// version's upgrade. One line, exit code 3, no backup left behind, the file as it was.
#[test]
fn a_database_set_back_to_an_older_version_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    run_cli(&["demo"], &db, "en");
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 2)
        .unwrap();
    let before = fs::read(&db).unwrap();

    for _ in 0..2 {
        let out = run_en(&["check"], &db);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(EXIT_UNUSABLE), "{said}");
        assert_eq!(said.lines().count(), 1, "one line: {said}");
        assert!(said.contains(db.to_str().unwrap()), "{said}");
        assert!(said.contains("schema version 2"), "{said}");
        assert!(said.contains("not a usable kartlegg database"), "{said}");
    }
    assert_eq!(fs::read(&db).unwrap(), before, "the file is as it was");
    assert!(
        migration_backups(&db).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
    assert_eq!(user_version(&db), 2);
}

// ---- export ----

/// A killed export leaves its temporary file, comments and all; the next command that writes
/// in that folder removes it. A temporary file of a process still running is left alone.
#[test]
fn what_a_killed_export_left_is_removed_by_the_next_write_there() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    run_cli(&["demo"], &db, "en");
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    let file = out.join("all.json");
    let export = [
        "export",
        "--format",
        "json",
        "--identified",
        "--out",
        file.to_str().unwrap(),
    ];

    kill_at("file-written", &export, &db);
    assert!(fs::symlink_metadata(&file).is_err(), "{:?}", names_in(&out));
    let left = temporary_files(&out);
    assert_eq!(left.len(), 1, "{left:?}");
    let leftover = fs::read_to_string(out.join(&left[0])).unwrap();
    assert!(
        leftover.contains("Veiledning skjer bare"),
        "it holds the comments"
    );

    // Named as kartlegg names them, by a process that runs (this test, started before the
    // file was made): kept. By this test's id, but older than this test: the process that made
    // it is gone, and the id was given again since.
    let running = out.join(format!(".report.md.{}.tmp", std::process::id()));
    fs::write(&running, "a report on its way").unwrap();
    let stale = out.join(format!(".old.csv.{}.tmp", std::process::id()));
    fs::write(&stale, "left long ago").unwrap();
    fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(86_400))
        .unwrap();
    // Not kartlegg's: kept whatever their age.
    for other in [".hidden.tmp", "notes.1.tmp", ".notes.txt"] {
        fs::write(out.join(other), "someone else's").unwrap();
    }

    let csv = out.join("all.csv");
    run_cli(
        &["export", "--format", "csv", "--out", csv.to_str().unwrap()],
        &db,
        "en",
    );
    let mut expected = vec![
        ".hidden.tmp".to_string(),
        ".notes.txt".to_string(),
        running.file_name().unwrap().to_string_lossy().into_owned(),
        "all.csv".to_string(),
        // What the CSV holds, beside it.
        "all.about.txt".to_string(),
        "notes.1.tmp".to_string(),
    ];
    expected.sort();
    assert_eq!(names_in(&out), expected);
}

// ---- demo ----

/// The small demo is one transaction: killed in the middle, it leaves an empty database that
/// the next `demo` fills.
#[test]
fn a_small_demo_killed_in_the_middle_leaves_nothing_and_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    kill_at("demo-service-2", &["demo"], &db);
    assert_eq!(Store::open(&db).unwrap().counts().unwrap().services, 0);
    let said = run_cli(&["demo"], &db, "en");
    assert!(said.contains("4 services, 8 rounds"), "{said}");
    assert_eq!(integrity_check(&db), ["ok"]);
}

/// Services with their rounds, respondents and answers, in order, to compare two demos.
fn demo_contents(db: &Path) -> Vec<(String, usize, usize)> {
    let store = Store::open_existing(db).unwrap();
    store
        .service_list()
        .unwrap()
        .into_iter()
        .map(|service| {
            let rounds = store.rounds(&service.id).unwrap();
            let answers = rounds
                .iter()
                .flat_map(|r| store.round_answers(&r.round.id).unwrap())
                .map(|(_, answers)| answers.len())
                .sum();
            (service.id, rounds.len(), answers)
        })
        .collect()
}

/// A large demo commits one service at a time: killed after three, the next `demo` with the
/// same scale and seed finishes it, to the same demo as one that was never stopped. Another
/// seed refuses, and writes nothing.
#[test]
fn a_large_demo_killed_part_way_is_finished_by_the_next_demo() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let demo = ["demo", "--scale", "cluster", "--seed", "11"];
    kill_at("demo-service-3", &demo, &db);
    assert_eq!(Store::open(&db).unwrap().counts().unwrap().services, 3);

    let other = run_en(&["demo", "--scale", "cluster", "--seed", "12"], &db);
    assert_eq!(other.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&other.stderr).contains("already has services"),
        "{}",
        String::from_utf8_lossy(&other.stderr)
    );
    assert_eq!(Store::open(&db).unwrap().counts().unwrap().services, 3);

    let out = run_en(&demo, &db);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("3 of 25 services were written"), "{said}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("25 services, 150 rounds"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(integrity_check(&db), ["ok"]);

    let whole = dir.path().join("whole.db");
    run_cli(&demo, &whole, "en");
    assert_eq!(demo_contents(&db), demo_contents(&whole));

    // A finished demo is not finished again.
    let again = run_en(&demo, &db);
    assert_eq!(again.status.code(), Some(1));
}

/// An erasure killed after it removed everything, before it committed, leaves everything
/// it found: no tombstone, no answer or history missing.
#[test]
fn an_erasure_killed_before_it_commits_leaves_all_it_found() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    run_cli(&["demo"], &db, "nb");
    let rows = |db: &Path| -> Vec<i64> {
        let conn = rusqlite::Connection::open(db).unwrap();
        [
            "service",
            "round",
            "respondent",
            "answer",
            "answer_history",
            "change_log",
            "erased",
        ]
        .iter()
        .map(|t| {
            conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap()
        })
        .collect()
    };
    let before = rows(&db);
    assert_eq!(before[6], 0);
    let args = [
        "erase",
        "service",
        "--service",
        "Fjellbygd barneverntjeneste",
    ];
    kill_at("erase:removed", &args, &db);
    let store = Store::open(&db).unwrap();
    assert!(store.integrity_problems().unwrap().is_empty());
    drop(store);
    assert_eq!(rows(&db), before);
    // And the same erasure, not killed, goes whole.
    let said = run_cli(&args, &db, "en");
    assert!(said.starts_with("Erased service"), "{said}");
    let after = rows(&db);
    assert_eq!(after[0], before[0] - 1);
    assert!(after[6] > 0);
}
