//! A database shared on purpose through a Unix group, and one opened for reading only, with
//! two users and more: the tests run kartlegg as other users (`setpriv`, util-linux), which
//! only root may do, so they need root and say so when they do not have it.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{BIN, Tui};

/// A Unix group made for one test (`groupadd`), removed again as the test ends.
struct Group {
    name: String,
    gid: u32,
}

impl Group {
    fn new(test: &str) -> Group {
        let name = format!("kl{}{}", std::process::id(), test);
        let made = Command::new("groupadd")
            .arg(&name)
            .status()
            .expect("this test needs groupadd(8) (passwd) to make a group of its own");
        assert!(made.success(), "groupadd {name} failed");
        let line = Command::new("getent")
            .args(["group", &name])
            .output()
            .expect("getent");
        let line = String::from_utf8_lossy(&line.stdout).into_owned();
        let gid = line.split(':').nth(2).unwrap().trim().parse().unwrap();
        Group { name, gid }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        let _ = Command::new("groupdel").arg(&self.name).status();
    }
}

/// A user by number, with the groups it is one of.
#[derive(Clone)]
struct User {
    uid: u32,
    groups: Vec<u32>,
}

impl User {
    fn new(uid: u32, also: &[u32]) -> User {
        let mut groups = vec![uid];
        groups.extend_from_slice(also);
        User { uid, groups }
    }

    /// `setpriv`'s arguments that make a process this user.
    fn setpriv(&self) -> Vec<String> {
        let groups: Vec<String> = self.groups.iter().map(u32::to_string).collect();
        vec![
            format!("--reuid={}", self.uid),
            format!("--regid={}", self.uid),
            format!("--groups={}", groups.join(",")),
        ]
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("setpriv");
        cmd.args(self.setpriv())
            .arg("--")
            .arg(BIN)
            .env_remove("KARTLEGG_DB")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C.UTF-8")
            .env("HOME", "/nonexistent")
            .stdin(Stdio::null());
        cmd
    }

    fn run(&self, args: &[&str], db: &Path, lang: &str) -> Output {
        self.command()
            .args(args)
            .arg("--db")
            .arg(db)
            .args(["--lang", lang])
            .output()
            .expect("this test needs setpriv(1) (util-linux) to run kartlegg as another user")
    }

    /// `kartlegg export --format json` of `db` into `file`, as this user.
    fn export_json(&self, db: &Path, file: &Path) {
        self.ok(
            &[
                "export",
                "--format",
                "json",
                "--out",
                file.to_str().unwrap(),
            ],
            db,
            "en",
        );
    }

    fn ok(&self, args: &[&str], db: &Path, lang: &str) -> Output {
        let out = self.run(args, db, lang);
        assert!(
            out.status.success(),
            "kartlegg {args:?} as {} failed: {:?}\n{}",
            self.uid,
            out.status,
            text(&out.stderr)
        );
        out
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Fails, loudly, where the tests cannot act as two users.
fn need_root() {
    let out = Command::new("id").arg("-u").output().expect("id(1)");
    assert_eq!(
        text(&out.stdout).trim(),
        "0",
        "these tests need root: they run kartlegg as two users and more (setpriv), which only \
         root may do. Run them as root (as CI does)."
    );
}

/// A folder every user may enter, holding `team/`, which user `owner` makes (as kartlegg
/// makes a database's folder).
fn place(owner: &User) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
    let db = dir.path().join("team").join("k.db");
    owner.ok(&["demo"], &db, "en");
    (dir, db)
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().mode() & 0o7777
}

fn gid(path: &Path) -> u32 {
    fs::metadata(path).unwrap().gid()
}

fn beside(db: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", db.display()))
}

/// Nothing in the database's folder, nor the folder, may be read by others.
fn nothing_world_readable(db: &Path) {
    let folder = db.parent().unwrap();
    assert_eq!(mode(folder) & 0o007, 0, "{folder:?} is open to others");
    for entry in fs::read_dir(folder).unwrap().flatten() {
        assert_eq!(
            mode(&entry.path()) & 0o007,
            0,
            "{:?} is open to others",
            entry.path()
        );
    }
}

/// The services and rounds of the demo, from a JSON export as `user`: the first service's
/// name and its first two rounds' labels and the first round's id.
fn first_service(user: &User, db: &Path) -> (String, String, String, String) {
    let out = user.ok(&["export", "--format", "json"], db, "en");
    let export: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let service = &export["services"][0];
    let rounds: Vec<&serde_json::Value> = export["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["service_id"] == service["id"])
        .collect();
    (
        service["name"].as_str().unwrap().to_string(),
        rounds[0]["label"].as_str().unwrap().to_string(),
        rounds[1]["label"].as_str().unwrap().to_string(),
        rounds[0]["id"].as_str().unwrap().to_string(),
    )
}

fn answers(user: &User, db: &Path) -> String {
    let out = user.ok(&["check"], db, "en");
    text(&out.stdout)
        .lines()
        .find(|line| line.starts_with("Services:"))
        .unwrap()
        .to_string()
}

/// The database and its log as they are now, to see that a reader wrote nothing.
fn bytes_of(db: &Path) -> Vec<Vec<u8>> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| fs::read(beside(db, suffix)).unwrap_or_default())
        .collect()
}

#[test]
fn after_share_a_second_member_writes_and_a_user_outside_the_group_can_neither_read_nor_write() {
    need_root();
    let group = Group::new("rw");
    let owner = User::new(24101, &[group.gid]);
    let member = User::new(24102, &[group.gid]);
    let outsider = User::new(24103, &[]);
    let (_dir, db) = place(&owner);

    let out = owner.ok(&["share", "--group", &group.name], &db, "en");
    let said = text(&out.stdout);
    assert!(
        said.contains(&format!("shared with the group {}", group.name)),
        "{said}"
    );
    let folder = db.parent().unwrap();
    for (path, expected) in [
        (folder.to_path_buf(), 0o2770),
        (db.clone(), 0o660),
        (beside(&db, "-wal"), 0o660),
        (beside(&db, "-shm"), 0o660),
    ] {
        assert!(
            said.contains(&format!("{}: group", path.display())),
            "{said}"
        );
        assert_eq!(mode(&path), expected, "{path:?}");
        assert_eq!(gid(&path), group.gid, "{path:?}");
    }
    nothing_world_readable(&db);

    // The second member writes: answers added, the database checked whole, still shared.
    let before = answers(&owner, &db);
    let (_, _, _, round) = first_service(&member, &db);
    member.ok(
        &["_write-answers", "--round", &round, "--count", "5"],
        &db,
        "en",
    );
    let after = answers(&owner, &db);
    assert_ne!(before, after, "the member's answers are not there");
    assert!(after.contains("answers: 2012"), "{after}");
    for file in [db.clone(), beside(&db, "-wal"), beside(&db, "-shm")] {
        assert_eq!(mode(&file), 0o660, "{file:?}");
        assert_eq!(gid(&file), group.gid, "{file:?}");
    }
    nothing_world_readable(&db);

    // Someone outside the group reads nothing and writes nothing, and is told why.
    let bytes = bytes_of(&db);
    for args in [
        &["check"][..],
        &["export", "--format", "csv"],
        &["_write-answers", "--round", &round, "--count", "1"],
    ] {
        let out = outsider.run(args, &db, "en");
        assert_eq!(
            out.status.code(),
            Some(5),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?} printed something");
        assert!(
            text(&out.stderr).contains("permission denied"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert!(bytes_of(&db) == bytes, "the outsider changed the database");
}

#[test]
fn share_refuses_a_group_it_cannot_use_and_changes_nothing() {
    need_root();
    let group = Group::new("no");
    let owner = User::new(24111, &[]);
    let (dir, db) = place(&owner);
    let before = (mode(&db), gid(&db), mode(db.parent().unwrap()));

    let out = owner.run(&["share", "--group", &group.name], &db, "nb");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(
        said.contains(&format!("Du er ikke med i gruppen {}", group.name)),
        "{said}"
    );
    let out = owner.run(&["share", "--group", "ingen-slik-gruppe"], &db, "en");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("There is no group named ingen-slik-gruppe"));

    // A folder that holds more than the database is not kartlegg's to change.
    let member = User::new(24112, &[group.gid]);
    let shared_db = dir.path().join("felles").join("k.db");
    member.ok(&["demo"], &shared_db, "en");
    fs::write(shared_db.parent().unwrap().join("notater.txt"), "").unwrap();
    let out = member.run(&["share", "--group", &group.name], &shared_db, "en");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("holds more than the database"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(mode(&shared_db), 0o600);
    assert_eq!(mode(shared_db.parent().unwrap()), 0o700);
    assert_eq!((mode(&db), gid(&db), mode(db.parent().unwrap())), before);

    // Root outside the group is refused too: its kartlegg would not keep the group's files
    // shared (the opening checks ask for a member), and the next open undid the setup.
    let root_db = dir.path().join("roots").join("k.db");
    let out = std::process::Command::new(BIN)
        .args(["--lang", "en", "--db"])
        .arg(&root_db)
        .arg("demo")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let root_before = (mode(&root_db), gid(&root_db));
    let out = std::process::Command::new(BIN)
        .args(["--lang", "en", "--db"])
        .arg(&root_db)
        .args(["share", "--group", &group.name])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("not a member of the group"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!((mode(&root_db), gid(&root_db)), root_before);
}

#[test]
fn a_database_made_in_a_setgid_group_folder_is_the_groups_and_the_rest_stays_private() {
    need_root();
    let group = Group::new("sg");
    let owner = User::new(24121, &[group.gid]);
    let member = User::new(24122, &[group.gid]);
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let folder = dir.path().join("team");
    fs::create_dir(&folder).unwrap();
    std::os::unix::fs::chown(&folder, Some(owner.uid), Some(group.gid)).unwrap();
    fs::set_permissions(&folder, fs::Permissions::from_mode(0o2770)).unwrap();
    let db = folder.join("k.db");

    // The umask would take the group's bits: kartlegg sets them anyway.
    owner.ok(&["demo"], &db, "en");
    assert_eq!(mode(&db), 0o660);
    assert_eq!(gid(&db), group.gid);
    // The log and its index of a new database SQLite makes itself, with the database's mode;
    // they stay as the last connection closes, for a member who may only read.
    for suffix in ["-wal", "-shm"] {
        let file = beside(&db, suffix);
        assert_eq!(mode(&file), 0o660, "{file:?}");
        assert_eq!(gid(&file), group.gid, "{file:?}");
    }
    fs::remove_file(beside(&db, "-wal")).unwrap();
    fs::remove_file(beside(&db, "-shm")).unwrap();
    // Made again by the member's opening, as kartlegg makes them before SQLite opens.
    let (_, _, _, round) = first_service(&member, &db);
    member.ok(
        &["_write-answers", "--round", &round, "--count", "1"],
        &db,
        "en",
    );
    for suffix in ["-wal", "-shm"] {
        let file = beside(&db, suffix);
        assert_eq!(mode(&file), 0o660, "{file:?}");
        assert_eq!(gid(&file), group.gid, "{file:?}");
    }
    // A backup and an export beside it stay their maker's alone.
    let backup = folder.join("kopi.db");
    member.ok(&["backup", "--out", backup.to_str().unwrap()], &db, "en");
    assert_eq!(mode(&backup), 0o600);
    let export = folder.join("alt.json");
    owner.export_json(&db, &export);
    assert_eq!(mode(&export), 0o600);
    nothing_world_readable(&db);
}

#[test]
fn a_member_who_may_only_read_compares_reports_and_exports_and_every_write_is_refused() {
    need_root();
    let group = Group::new("ro");
    let owner = User::new(24131, &[group.gid]);
    let reader = User::new(24132, &[group.gid]);
    let (dir, db) = place(&owner);
    let out = owner.ok(&["share", "--group", &group.name, "--read-only"], &db, "en");
    assert!(text(&out.stdout).contains("only you may write it"));
    assert_eq!(mode(db.parent().unwrap()), 0o2750);
    assert_eq!(mode(&db), 0o640);
    nothing_world_readable(&db);

    let (service, from, to, round) = first_service(&reader, &db);
    let bytes = bytes_of(&db);
    let out_dir = dir.path().join("reader");
    fs::create_dir(&out_dir).unwrap();
    std::os::unix::fs::chown(&out_dir, Some(reader.uid), Some(reader.uid)).unwrap();
    let report = out_dir.join("rapport.md");
    for lang in ["nb", "en"] {
        let note = match lang {
            "nb" => "Bare lesing: du kan lese",
            _ => "Read only: you may read",
        };
        for args in [
            vec![
                "compare",
                "--service",
                &service,
                "--from",
                &from,
                "--to",
                &to,
            ],
            vec!["export", "--format", "csv"],
            vec!["erase", "--older-than", "2099-01-01", "--dry-run"],
            vec![
                "report",
                "--service",
                &service,
                "--format",
                "markdown",
                "--out",
                report.to_str().unwrap(),
            ],
        ] {
            let out = reader.ok(&args, &db, lang);
            let said = text(&out.stderr);
            assert!(said.contains(note), "{args:?}: {said}");
            // Said once; beside it only what a CSV on standard output says it holds.
            let others: Vec<&str> = said
                .lines()
                .filter(|line| !line.contains(note))
                .filter(|line| {
                    !["kartlegg-eksport", "kartlegg export"]
                        .iter()
                        .any(|p| line.starts_with(p))
                })
                .collect();
            assert_eq!(said.matches(note).count(), 1, "{args:?}: {said}");
            assert!(others.is_empty(), "{args:?}: {said}");
        }
    }
    assert!(fs::read_to_string(&report).unwrap().contains(&service));

    // Every command that writes is refused, saying the database can only be read.
    let export = dir.path().join("eksport.json");
    owner.export_json(&db, &export);
    fs::set_permissions(&export, fs::Permissions::from_mode(0o644)).unwrap();
    for args in [
        vec!["_write-answers", "--round", &round, "--count", "1"],
        vec!["import", export.to_str().unwrap()],
        vec!["share", "--group", &group.name],
        vec!["erase", "--older-than", "2099-01-01"],
    ] {
        let out = reader.run(&args, &db, "nb");
        assert_eq!(
            out.status.code(),
            Some(5),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("kan bare leses"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert!(bytes_of(&db) == bytes, "the reader changed the database");
    nothing_world_readable(&db);

    // Without the log and its index (removed by hand), the reader cannot read safely and is
    // told so, making nothing; once the owner has opened it, the reader reads again.
    fs::remove_file(beside(&db, "-wal")).unwrap();
    fs::remove_file(beside(&db, "-shm")).unwrap();
    let compare = [
        "compare",
        "--service",
        &service,
        "--from",
        &from,
        "--to",
        &to,
    ];
    let out = reader.run(&compare, &db, "nb");
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("loggen ved siden av"),
        "{}",
        text(&out.stderr)
    );
    assert!(!beside(&db, "-wal").exists() && !beside(&db, "-shm").exists());
    owner.ok(&["check"], &db, "en");
    for suffix in ["-wal", "-shm"] {
        assert_eq!(mode(&beside(&db, suffix)), 0o640, "{suffix}");
    }
    reader.ok(&compare, &db, "nb");
}

/// A demo database of an owner (`uid`), shared with a group for reading (`share
/// --read-only`), and a member of the group (`uid + 1`), who may only read it.
fn shared_for_reading(test: &str, uid: u32) -> (Group, User, User, tempfile::TempDir, PathBuf) {
    need_root();
    let group = Group::new(test);
    let owner = User::new(uid, &[group.gid]);
    let reader = User::new(uid + 1, &[group.gid]);
    let (dir, db) = place(&owner);
    owner.ok(&["share", "--group", &group.name, "--read-only"], &db, "en");
    (group, owner, reader, dir, db)
}

#[test]
fn a_reader_reads_while_the_owner_writes_and_sees_what_was_written() {
    let (_group, owner, reader, _dir, db) = shared_for_reading("rw2", 24141);
    let (_, _, _, round) = first_service(&owner, &db);

    // The owner writes 400 answers, one transaction each, while the reader exports again and
    // again: every export is whole, and the last one, after the writer is done, has them all.
    let mut writer = owner
        .command()
        .args(["_write-answers", "--round", &round, "--count", "400"])
        .arg("--db")
        .arg(&db)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut reads = 0;
    while writer.try_wait().unwrap().is_none() {
        let out = reader.ok(&["export", "--format", "csv"], &db, "en");
        assert!(!out.stdout.is_empty());
        reads += 1;
    }
    assert!(writer.wait().unwrap().success());
    assert!(reads > 0, "the writer was done before anything was read");
    let last = reader.ok(&["export", "--format", "csv"], &db, "en");
    let rows = text(&last.stdout).lines().count();
    // A header and the demo's 2,007 (only the items put to each respondent) + 400 answers.
    assert_eq!(rows, 1 + 2007 + 400);
}

#[test]
fn the_program_opened_read_only_shows_the_reading_screens_and_says_no_to_every_write() {
    let (_group, _owner, reader, _dir, db) = shared_for_reading("tui", 24151);
    let bytes = bytes_of(&db);

    // The words each language shows: the note, a refusal, and the screens' names.
    for (lang, note, refused, screens) in [
        (
            "nb",
            "⚠ Bare lesing: du kan lese",
            "✗ Bare lesing:",
            ["Runder – ", "Sammendrag", "Sammenligning", "Spørsmål 1 av"],
        ),
        (
            "en",
            "⚠ Read only: you may read",
            "✗ Read only:",
            ["Rounds – ", "Summary", "Comparison", "Item 1 of"],
        ),
    ] {
        let mut tui = Tui::start_as(&db, lang, 24, 80, &reader.setpriv());
        tui.wait_for(note);
        // The footer offers no key that would write.
        let footer = tui.line_with("F1");
        assert!(!footer.contains(" n "), "{footer}");
        // A new service would write: refused, and no form opens (Enter then opens the rounds).
        tui.send("n");
        tui.wait_for(refused);
        // The rounds, a summary and a comparison read.
        tui.send("\r");
        tui.wait_for(screens[0]);
        tui.send("s");
        tui.wait_for(screens[1]);
        tui.esc_then(screens[0]);
        tui.send("c");
        tui.wait_for(screens[2]);
        tui.esc_then(screens[0]);
        // A respondent's walk opens; an answer, "don't know" and a comment are refused.
        tui.send("\r");
        tui.send("\r");
        tui.wait_for(screens[3]);
        for key in ["4", "v", "c", "\x1b[3~"] {
            tui.send("\x1b[A");
            tui.wait_until("the refusal cleared", Duration::from_secs(5), |s| {
                !s.contains(refused)
            });
            tui.send(key);
            tui.wait_for(refused);
        }
        tui.send("q");
        tui.expect_clean_exit();
    }
    assert!(bytes_of(&db) == bytes, "the program changed the database");
    nothing_world_readable(&db);
}
