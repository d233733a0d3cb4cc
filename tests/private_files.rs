//! Promise 5, nobody let in: in a folder where others may create files (a sticky 1777
//! folder, as `/tmp`), kartlegg never takes a database, `-wal`, `-shm` or `-journal` that
//! another user made or may write to, nor a link another user made; an empty file is a new
//! database only when it is the user's own and private; the user's own database that others
//! could read is made private, and kartlegg says so.
//!
//! "Another user" is `nobody`: the files are given to that user with chown, which needs
//! root (as the tests run here); where it cannot be done, the tests fail and say why.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Instant;

use common::*;

const EXIT_IO: i32 = 5;
const EXIT_NOT_PRIVATE: i32 = 6;

/// `nobody`'s user id, from /etc/passwd.
fn nobody() -> u32 {
    let passwd = fs::read_to_string("/etc/passwd").expect("these tests need /etc/passwd");
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.first() == Some(&"nobody")).then(|| fields[2].parse().unwrap())
        })
        .expect("these tests need the user nobody in /etc/passwd, to own files that are not ours")
}

/// The user the tests run as.
fn me() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Gives `path` (a link itself, not what it leads to) to `nobody`.
fn give_to_nobody(path: &Path) {
    std::os::unix::fs::lchown(path, Some(nobody()), None).unwrap_or_else(|e| {
        panic!(
            "cannot give {} to nobody ({e}): these tests must run as root, to make files of another user",
            path.display()
        )
    });
    assert_eq!(fs::symlink_metadata(path).unwrap().uid(), nobody());
}

/// A folder where everyone may create files and only the owner of a file may remove it.
fn sticky_folder(dir: &tempfile::TempDir) -> PathBuf {
    let shared = dir.path().join("shared");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    shared
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().mode() & 0o7777
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A demo database in `folder`, and an export of it to import.
fn demo_and_export(folder: &Path) -> (PathBuf, PathBuf) {
    let db = folder.join("k.db");
    run_cli(&["demo"], &db, "en");
    let export = folder.join("export.json");
    run_cli(
        &[
            "export",
            "--format",
            "json",
            "--identified",
            "--out",
            export.to_str().unwrap(),
        ],
        &db,
        "en",
    );
    fs::remove_file(&db).unwrap();
    (db, export)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Refused with exit code 6 in one line that names `file` and says `why`.
fn expect_not_private(out: &Output, file: &Path, why: &str) {
    let message = stderr(out);
    assert_eq!(out.status.code(), Some(EXIT_NOT_PRIVATE), "{message}");
    assert!(
        message.contains(&format!("{} {why}", file.display())),
        "names {} and says {why:?}: {message}",
        file.display()
    );
    assert!(message.contains("Nothing was written."), "{message}");
    assert_eq!(message.lines().count(), 1, "one line: {message}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The commands that create a database (import) and those that only read (check, export).
fn every_command(export: &Path) -> [Vec<String>; 3] {
    [
        vec!["import".into(), export.display().to_string()],
        vec!["check".into()],
        vec!["export".into(), "--format".into(), "json".into()],
    ]
}

/// Every file in `folder` with its owner, mode and bytes.
fn everything_in(folder: &Path) -> Vec<(String, u32, u32, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(folder)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let meta = fs::symlink_metadata(entry.path()).unwrap();
            let bytes = if meta.is_file() {
                fs::read(entry.path()).unwrap()
            } else {
                Vec::new()
            };
            (
                entry.file_name().to_string_lossy().into_owned(),
                meta.uid(),
                meta.mode(),
                bytes,
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_database_of_another_user_or_writable_by_others_is_refused_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let shared = sticky_folder(&dir);
    let (db, export) = demo_and_export(&shared);
    run_cli(&["import", export.to_str().unwrap()], &db, "en");

    // Another user's, private to them as kartlegg makes it.
    give_to_nobody(&db);
    let before = everything_in(&shared);
    for args in every_command(&export) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run_en(&args, &db);
        expect_not_private(&out, &db, "belongs to another user");
        assert_eq!(everything_in(&shared), before, "{args:?}");
    }

    // The user's own, but the group and everyone may write to it.
    std::os::unix::fs::chown(&db, Some(me()), None).unwrap();
    set_mode(&db, 0o666);
    let before = everything_in(&shared);
    for args in every_command(&export) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run_en(&args, &db);
        expect_not_private(&out, &db, "can be written by others than you (mode 0666)");
        assert_eq!(everything_in(&shared), before, "{args:?}");
    }
    set_mode(&db, 0o660);
    let out = run_en(&["check"], &db);
    expect_not_private(&out, &db, "can be written by others than you (mode 0660)");
}

#[test]
fn a_log_index_or_journal_of_another_user_or_writable_by_others_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let shared = sticky_folder(&dir);
    let (db, export) = demo_and_export(&shared);
    run_cli(&["import", export.to_str().unwrap()], &db, "en");
    for suffix in ["-wal", "-shm", "-journal"] {
        let planted = with_suffix(&db, suffix);
        for (mine, mode, why) in [
            (false, 0o600, "belongs to another user"),
            (false, 0o666, "belongs to another user"),
            (true, 0o666, "can be written by others than you (mode 0666)"),
        ] {
            fs::write(&planted, b"").unwrap();
            set_mode(&planted, mode);
            if !mine {
                give_to_nobody(&planted);
            }
            let before = everything_in(&shared);
            for args in every_command(&export) {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let out = run_en(&args, &db);
                expect_not_private(&out, &planted, why);
                assert_eq!(everything_in(&shared), before, "{suffix} {args:?}");
            }
            fs::remove_file(&planted).unwrap();
        }
    }
    // And without them, it opens.
    run_cli(&["check"], &db, "en");
}

#[test]
fn a_symbolic_link_another_user_made_is_refused_and_ones_own_followed() {
    let dir = tempfile::tempdir().unwrap();
    let shared = sticky_folder(&dir);
    let (real, export) = demo_and_export(&shared);
    run_cli(&["import", export.to_str().unwrap()], &real, "en");
    let link = shared.join("link.db");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    run_cli(&["check"], &link, "en");

    give_to_nobody(&link);
    let before = everything_in(&shared);
    for args in every_command(&export) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run_en(&args, &link);
        expect_not_private(&out, &link, "is a symbolic link another user (uid");
        assert_eq!(everything_in(&shared), before, "{args:?}");
    }
    // One that leads nowhere yet, where an import would create the database.
    let dangling = shared.join("dangling.db");
    std::os::unix::fs::symlink(shared.join("not-yet.db"), &dangling).unwrap();
    give_to_nobody(&dangling);
    let out = run_en(&["import", export.to_str().unwrap()], &dangling);
    expect_not_private(&out, &dangling, "is a symbolic link another user (uid");
    assert!(!shared.join("not-yet.db").exists());
}

#[test]
fn an_empty_file_is_a_new_database_only_when_it_is_ones_own_and_private() {
    let dir = tempfile::tempdir().unwrap();
    let shared = sticky_folder(&dir);
    let (db, export) = demo_and_export(&shared);
    let import = ["import", export.to_str().unwrap()];

    for (mine, bits, why) in [
        (true, 0o644, "is an empty file with mode 0644"),
        (true, 0o640, "is an empty file with mode 0640"),
        (true, 0o666, "can be written by others than you (mode 0666)"),
        (false, 0o600, "belongs to another user"),
    ] {
        fs::write(&db, b"").unwrap();
        set_mode(&db, bits);
        if !mine {
            give_to_nobody(&db);
        }
        let out = run_en(&import, &db);
        expect_not_private(&out, &db, why);
        assert_eq!(fs::metadata(&db).unwrap().len(), 0, "{bits:o}");
        assert_eq!(mode(&db), bits);
        fs::remove_file(&db).unwrap();
    }

    // For a command that only reads, an empty file is no database, as a missing one is.
    fs::write(&db, b"").unwrap();
    set_mode(&db, 0o600);
    for args in [
        &["check"][..],
        &["export", "--format", "json"],
        &["backup"],
        &["compare", "--service", "x", "--from", "a", "--to", "b"],
        &[
            "report",
            "--service",
            "x",
            "--format",
            "markdown",
            "--out",
            "r.md",
        ],
    ] {
        let out = run_en(args, &db);
        let message = stderr(&out);
        assert_eq!(out.status.code(), Some(EXIT_IO), "{args:?}: {message}");
        assert!(
            message.contains(&format!("No database at {}.", db.display())),
            "{args:?}: {message}"
        );
        assert_eq!(fs::metadata(&db).unwrap().len(), 0, "{args:?}");
    }
    let names: Vec<_> = fs::read_dir(&shared).unwrap().collect();
    assert_eq!(names.len(), 2, "nothing written beside it: {names:?}");

    // The user's own and private: a new database.
    let out = run_en(&import, &db);
    assert!(out.status.success(), "{}", stderr(&out));
    run_cli(&["check"], &db, "en");
    assert_eq!(mode(&db), 0o600);
}

#[test]
fn ones_own_database_that_others_could_read_is_made_private_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let shared = sticky_folder(&dir);
    let (db, export) = demo_and_export(&shared);
    run_cli(&["import", export.to_str().unwrap()], &db, "en");

    set_mode(&db, 0o644);
    let out = run_en(&["check"], &db);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "kartlegg: {}: could be read by others, now by you alone.\n",
            db.display()
        )
    );
    assert_eq!(mode(&db), 0o600);

    // Its log and index the same, named where the database was private already (left
    // over, with something in them: SQLite itself gives an empty one the database's mode).
    let (wal, shm) = (with_suffix(&db, "-wal"), with_suffix(&db, "-shm"));
    for file in [&wal, &shm] {
        fs::write(file, b"left over").unwrap();
        set_mode(file, 0o644);
    }
    let held = kartlegg::store::Store::open(&db).unwrap();
    assert_eq!(held.made_private(), [wal.clone(), shm.clone()]);
    assert_eq!((mode(&wal), mode(&shm)), (0o600, 0o600));
    // And with them held open by another connection, a command says so the same way.
    set_mode(&wal, 0o640);
    let out = run_en(&["export", "--format", "json"], &db);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "kartlegg: {}: could be read by others, now by you alone.\n",
            wal.display()
        )
    );
    assert_eq!(mode(&wal), 0o600);
    drop(held);

    // A file already private is not said.
    let out = run_en(&["check"], &db);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        stderr(&out)
    );
}

/// `kartlegg <args>` stopped at each of `points` in turn, where `at` is called with the
/// point's name; returns what it printed on standard error and how it ended.
fn run_pausing(
    args: &[&str],
    db: &Path,
    as_user: Option<u32>,
    points: &[&str],
    mut at: impl FnMut(&str),
) -> (String, Option<i32>) {
    let mut command = kartlegg();
    command
        .args(args)
        .args(["--lang", "en", "--db"])
        .arg(db)
        .env(kartlegg::pause::VARIABLE, points.join(","))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(uid) = as_user {
        command.uid(uid).gid(uid);
    }
    let mut child: Child = command.spawn().expect("run kartlegg");
    let stderr = child.stderr.take().unwrap();
    let (lines, heard) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut said = String::new();
    for point in points {
        let wanted = format!("kartlegg: paused at {point}");
        loop {
            let Ok(line) = heard.recv_timeout(WAIT) else {
                let _ = child.kill();
                panic!("kartlegg {args:?} never reached {point}; it said:\n{said}");
            };
            said.push_str(&line);
            said.push('\n');
            if line == wanted {
                break;
            }
        }
        // It says so, then stops itself: a SIGCONT before it is stopped would be lost.
        let stat = format!("/proc/{}/stat", child.id());
        let started = Instant::now();
        while !fs::read_to_string(&stat).is_ok_and(|s| s.contains(") T ")) {
            assert!(
                started.elapsed() < WAIT,
                "kartlegg never stopped at {point}"
            );
            thread::sleep(POLL);
        }
        at(point);
        // SAFETY: kill has no preconditions; the child is ours and not reaped yet.
        assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGCONT) }, 0);
    }
    let status = child.wait().unwrap();
    said.extend(heard.iter().map(|line| line + "\n"));
    (said, status.code())
}

/// Another user's log file, 0666, that they keep open to read what is written into it.
fn plant(file: &Path) -> fs::File {
    fs::write(file, b"").unwrap();
    set_mode(file, 0o666);
    give_to_nobody(file);
    fs::File::open(file).unwrap()
}

fn read_all(mut held: &fs::File) -> Vec<u8> {
    let mut bytes = Vec::new();
    held.read_to_end(&mut bytes).unwrap();
    bytes
}

#[test]
fn a_log_planted_while_the_database_opens_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let shared = sticky_folder(&dir);
    let (db, export) = demo_and_export(&shared);
    // An empty database, so that the import writes everything into the log.
    drop(kartlegg::store::Store::open(&db).unwrap());
    let wal = with_suffix(&db, "-wal");
    let import = ["import", export.to_str().unwrap()];
    let answers = |db: &Path| run_cli(&["check"], db, "en");
    let counted = answers(&db);

    // Planted after the files were checked, before SQLite opens them: the name is taken.
    let mut held = None;
    let (said, code) = run_pausing(&import, &db, None, &["opening:files-checked"], |_| {
        held = Some(plant(&wal));
    });
    assert_eq!(code, Some(EXIT_NOT_PRIVATE), "{said}");
    assert!(
        said.contains(&format!("{} belongs to another user", wal.display())),
        "{said}"
    );
    assert!(
        read_all(held.as_ref().unwrap()).is_empty(),
        "nothing written into it"
    );
    let _ = fs::remove_file(&wal);
    assert_eq!(answers(&db), counted);

    // Too late: kartlegg made the log, private, before SQLite opens it, and in a sticky
    // folder no one else can remove it to plant another.
    let (said, code) = run_pausing(&import, &db, None, &["opening:log-made"], |_| {
        for suffix in ["-wal", "-shm", "-journal"] {
            let made = with_suffix(&db, suffix);
            assert_eq!(
                (fs::metadata(&made).unwrap().uid(), mode(&made)),
                (me(), 0o600)
            );
        }
    });
    assert_eq!(code, Some(0), "{said}");
    assert_ne!(answers(&db), counted, "imported");
    let names: Vec<_> = fs::read_dir(&shared).unwrap().collect();
    assert_eq!(names.len(), 2, "nothing left beside it: {names:?}");
}

#[test]
fn a_log_swapped_in_a_group_folder_and_unlinked_once_open_is_refused_by_the_file_held() {
    // A folder that the group may write to without the sticky bit: a member may remove a
    // file of ours there and plant another. kartlegg runs as nobody, the planter is this
    // user.
    let dir = tempfile::tempdir().unwrap();
    set_mode(dir.path(), 0o755);
    let group = dir.path().join("group");
    fs::create_dir(&group).unwrap();
    set_mode(&group, 0o777);
    let (db, export) = demo_and_export(&group);
    give_to_nobody(&export);
    let made = kartlegg()
        .args(["import", export.to_str().unwrap(), "--db"])
        .arg(&db)
        .uid(nobody())
        .gid(nobody())
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));
    let wal = with_suffix(&db, "-wal");
    let mut held = None;
    let (said, code) = run_pausing(
        &["check"],
        &db,
        Some(nobody()),
        &["opening:log-made", "opening:log-open"],
        |point| match point {
            "opening:log-made" => {
                fs::remove_file(&wal).unwrap();
                let file = fs::File::create_new(&wal).unwrap();
                set_mode(&wal, 0o666);
                held = Some(file);
            }
            _ => fs::remove_file(&wal).unwrap(),
        },
    );
    assert_eq!(code, Some(EXIT_NOT_PRIVATE), "{said}");
    let real_wal = with_suffix(&fs::canonicalize(&db).unwrap(), "-wal");
    assert!(
        said.contains(&format!("{} belongs to another user", real_wal.display())),
        "{said}"
    );
    let mut bytes = Vec::new();
    fs::File::open(format!(
        "/proc/self/fd/{}",
        std::os::fd::AsRawFd::as_raw_fd(held.as_ref().unwrap())
    ))
    .unwrap()
    .read_to_end(&mut bytes)
    .unwrap();
    assert!(bytes.is_empty(), "nothing written into it");
}

#[test]
fn the_full_screen_program_refuses_a_database_of_another_user_and_says_one_made_private() {
    let dir = tempfile::tempdir().unwrap();
    let shared = sticky_folder(&dir);
    let (db, _) = demo_and_export(&shared);
    run_cli(&["demo"], &db, "en");

    give_to_nobody(&db);
    let mut tui = Tui::start_sized(&db, "en", 24, 200);
    tui.wait_for("belongs to another user");
    let status = tui.wait_exit(WAIT);
    assert_eq!(
        status.exit_code(),
        EXIT_NOT_PRIVATE as u32,
        "{}",
        tui.screen()
    );
    assert!(
        tui.screen().contains("Nothing was written."),
        "{}",
        tui.screen()
    );
    assert_eq!(fs::metadata(&db).unwrap().uid(), nobody());

    std::os::unix::fs::chown(&db, Some(me()), None).unwrap();
    set_mode(&db, 0o644);
    let mut tui = Tui::start_sized(&db, "en", 24, 200);
    tui.wait_for("could be read by others, now by you alone.");
    tui.send("q");
    tui.expect_clean_exit();
    assert_eq!(mode(&db), 0o600);
}

#[test]
fn a_journal_planted_before_an_import_into_an_empty_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let shared = sticky_folder(&dir);
    let (db, export) = demo_and_export(&shared);
    // An empty database: the import writes it with a rollback journal (docs/promises.md, 2).
    drop(kartlegg::store::Store::open(&db).unwrap());
    let journal = with_suffix(&db, "-journal");
    let import = ["import", export.to_str().unwrap()];

    let mut held = None;
    let (said, code) = run_pausing(&import, &db, None, &["import:journal-next"], |_| {
        held = Some(plant(&journal));
    });
    assert_eq!(code, Some(EXIT_NOT_PRIVATE), "{said}");
    assert!(
        said.contains(&format!("{} belongs to another user", journal.display())),
        "{said}"
    );
    assert!(
        read_all(held.as_ref().unwrap()).is_empty(),
        "nothing written into it"
    );
    fs::remove_file(&journal).unwrap();
    assert!(run_cli(&["check"], &db, "en").contains("Services: 0"));

    run_cli(&import, &db, "en");
    assert!(!journal.exists(), "no journal left behind");
    assert!(!run_cli(&["check"], &db, "en").contains("Services: 0"));
}
