//! `kartlegg backup`: a consistent copy while the database is in use, private to its
//! owner, that opens and passes the integrity check; an existing file is never replaced.

mod common;

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::*;
use kartlegg::store::Admin;
use kartlegg::store::Store;

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The files beside the database that `backup` wrote.
fn backups(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "bak"))
        .collect();
    found.sort();
    found
}

#[test]
fn a_backup_while_another_process_writes_holds_everything_committed_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let round = seeded_round(&db);
    let copy = dir.path().join("kopi.db");

    let mut writer = kartlegg()
        .args(["_write-answers", "--round", &round, "--count", "100000"])
        .arg("--db")
        .arg(&db)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(writer.stdout.take().unwrap()).lines();
    let mut before = Reported::default();
    for _ in 0..150 {
        before.add_line(&lines.next().unwrap().unwrap());
    }
    // The writer goes on while the copy is made.
    let out = run_cli(&["backup", "--out", copy.to_str().unwrap()], &db, "nb");
    let mut during = 0;
    for _ in 0..20 {
        lines.next().unwrap().unwrap();
        during += 1;
    }
    writer.kill().unwrap();
    writer.wait().unwrap();

    assert!(out.contains("Sikkerhetskopi skrevet til"), "{out}");
    assert!(out.contains("integritet ok"), "{out}");
    assert_eq!(during, 20, "the writer lived on past the backup");
    assert_eq!(mode(&copy), 0o600);
    assert_eq!(integrity_check(&copy), ["ok"]);
    before.expect_all_in(&copy);
    let store = Store::open(&copy).unwrap();
    assert!(store.integrity_problems().unwrap().is_empty());
    assert!(store.counts().unwrap().answers >= before.answers.len());
}

#[test]
fn a_backup_while_the_screen_is_open_goes_beside_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    seeded_round(&db);
    let mut tui = Tui::start(&db, "nb");
    tui.wait_for("Fjellbygd barnevern");

    let first = run_cli(&["backup"], &db, "en");
    let second = run_cli(&["backup"], &db, "en");
    let made = backups(dir.path());
    assert_eq!(made.len(), 2, "two backups, none replaced: {made:?}");
    for copy in &made {
        let name = copy.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with("k.db.") && name.ends_with(".bak"),
            "{name}"
        );
        assert!(
            first.contains(copy.to_str().unwrap()) != second.contains(copy.to_str().unwrap()),
            "each backup names its own file: {first}{second}"
        );
        assert_eq!(mode(copy), 0o600, "{name}");
        assert_eq!(integrity_check(copy), ["ok"], "{name}");
        assert_eq!(Store::open(copy).unwrap().counts().unwrap().rounds, 1);
    }

    // The screen did not notice.
    tui.send(ENTER);
    tui.wait_for("Før samling 1");
    tui.send("q");
    tui.expect_clean_exit();
}

#[test]
fn a_backup_never_replaces_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    seeded_round(&db);
    let taken = dir.path().join("viktig.txt");
    fs::write(&taken, "Ikke rør\n").unwrap();
    for target in [&taken, &db] {
        let out = kartlegg()
            .args(["backup", "--lang", "nb", "--out"])
            .arg(target)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap();
        // Refusing to overwrite, README's exit code 1.
        assert_eq!(out.status.code(), Some(1), "{target:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(target.to_str().unwrap()),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(fs::read_to_string(&taken).unwrap(), "Ikke rør\n");
    assert_eq!(integrity_check(&db), ["ok"]);
}
