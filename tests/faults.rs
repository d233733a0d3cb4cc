//! Promise 3 and 6: a database file that is damaged, read-only or on a full disk gets one
//! clear message and a distinct exit code, and its bytes are never changed; a database in
//! a synchronised folder gets a warning before use. (Not SQLite, another program's and a
//! newer schema are in `tests/store.rs` and `tests/cli.rs`.)

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use common::*;
use kartlegg::store::Store;

const EXIT_UNUSABLE: i32 = 3;
const EXIT_IO: i32 = 5;

fn check(db: &Path) -> Output {
    kartlegg()
        .args(["check", "--lang", "nb", "--db"])
        .arg(db)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The refusal: its exit code, one line on standard error holding `says`.
fn expect_refused(out: &Output, code: i32, says: &str) {
    let message = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{message}");
    assert!(message.contains(says), "{message}");
    assert_eq!(message.lines().count(), 1, "one clear line: {message}");
}

/// A database with a demo's worth of data, closed cleanly (no journal beside it).
fn demo_database(db: &Path) {
    run_cli(&["demo"], db, "nb");
    assert!(!db.with_extension("db-wal").exists());
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_damaged_database_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    demo_database(&db);
    // The header and the schema (page 1) intact, four pages of tables overwritten.
    let mut bytes = fs::read(&db).unwrap();
    let mut rng = fastrand::Rng::with_seed(3);
    bytes[2 * 4096..6 * 4096].fill_with(|| rng.u8(..));
    fs::write(&db, &bytes).unwrap();

    for args in [&["check"][..], &["export", "--format", "json"], &["backup"]] {
        let out = kartlegg()
            .args(args)
            .args(["--lang", "nb", "--db"])
            .arg(&db)
            .output()
            .unwrap();
        expect_refused(&out, EXIT_UNUSABLE, "er skadet");
        assert!(stderr(&out).contains("Filen er ikke endret"), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert!(fs::read(&db).unwrap() == bytes, "the file was changed");
    let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no backup or journal was left: {left:?}");
}

#[test]
fn a_file_with_an_sqlite_header_and_garbage_after_it_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    drop(Store::open(&db).unwrap());
    let mut bytes = fs::read(&db).unwrap()[..100].to_vec();
    let mut rng = fastrand::Rng::with_seed(4);
    bytes.extend((0..64 * 1024).map(|_| rng.u8(..)));
    fs::write(&db, &bytes).unwrap();

    let out = check(&db);
    assert_eq!(out.status.code(), Some(EXIT_UNUSABLE), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(fs::read(&db).unwrap() == bytes, "the file was changed");
}

/// Whether this test runs with the power to write any file whatever its mode (root).
fn privileged() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// A user who owns nothing here, for the runs where file modes must count.
const SOMEONE_ELSE: u32 = 65534;

/// `kartlegg check` as a user for whom the modes below hold: this user, or `nobody` when
/// the tests run as root, to whom modes mean nothing.
fn check_as_user(db: &Path) -> Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = kartlegg();
    cmd.args(["check", "--lang", "nb", "--db"]).arg(db);
    if privileged() {
        cmd.uid(SOMEONE_ELSE).gid(SOMEONE_ELSE);
    }
    cmd.output().unwrap()
}

#[test]
fn a_read_only_database_file_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    demo_database(&db);
    // Someone else may enter the folder and read the file, not write either; as root, the
    // file is that user's own, as another user's is refused before it is read (exit 6).
    set_mode(dir.path(), 0o755);
    if privileged() {
        std::os::unix::fs::chown(&db, Some(SOMEONE_ELSE), Some(SOMEONE_ELSE)).unwrap();
    }
    set_mode(&db, 0o444);
    let before = fs::read(&db).unwrap();

    let out = check_as_user(&db);
    expect_refused(&out, EXIT_IO, "kan bare leses");
    assert!(stderr(&out).contains(&db.display().to_string()));
    assert!(fs::read(&db).unwrap() == before, "the file was changed");
    assert_eq!(mode(&db), 0o444);
}

#[test]
fn a_database_in_a_read_only_folder_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    demo_database(&db);
    let before = fs::read(&db).unwrap();
    // The file may be written, but its folder may not: SQLite keeps its journal there.
    if privileged() {
        std::os::unix::fs::chown(&db, Some(SOMEONE_ELSE), Some(SOMEONE_ELSE)).unwrap();
        set_mode(dir.path(), 0o755);
    } else {
        set_mode(dir.path(), 0o555);
    }

    let out = check_as_user(&db);
    set_mode(dir.path(), 0o755);
    expect_refused(&out, EXIT_IO, "kan bare leses");
    assert!(fs::read(&db).unwrap() == before, "the file was changed");
}

/// Runs `script` (sh) in a mount namespace of its own, where it may mount a small
/// file system; `$1` is the binary and `$2` the test's folder, which it shares.
fn in_own_mount_namespace(dir: &Path, script: &str) {
    fs::create_dir(dir.join("mnt")).unwrap();
    let out = std::process::Command::new("unshare")
        .args(["--map-root-user", "--mount", "sh", "-euc", script, "sh"])
        .arg(env!("CARGO_BIN_EXE_kartlegg"))
        .arg(dir)
        .env("LANG", "C.UTF-8")
        .env_remove("KARTLEGG_DB")
        .output()
        .expect(
            "this test needs unshare(1) (util-linux) to mount a small file system in a \
             namespace of its own",
        );
    assert!(
        out.status.success(),
        "the file system for this test could not be set up. It needs user and mount \
         namespaces (`unshare --map-root-user --mount`), which this machine refuses:\n{}",
        stderr(&out)
    );
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn a_full_disk_is_said_plainly_and_the_database_is_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.db");
    drop(Store::open(&seed).unwrap());
    let other = dir.path().join("other.db");
    demo_database(&other);
    run_cli(
        &[
            "export",
            "--format",
            "json",
            "--identified",
            "--out",
            dir.path().join("export.json").to_str().unwrap(),
        ],
        &other,
        "nb",
    );

    in_own_mount_namespace(
        dir.path(),
        r#"
        bin=$1; dir=$2; mnt=$dir/mnt
        mount -t tmpfs -o size=1m tmpfs "$mnt"
        cp "$dir/seed.db" "$mnt/k.db"
        # Room to open the database, not to import a demo into it: the write fails halfway.
        avail=$(df -k --output=avail "$mnt" | tail -n 1)
        dd if=/dev/zero of="$mnt/fill" bs=1k count=$((avail - 96)) 2>/dev/null
        code=0
        "$bin" import "$dir/export.json" --db "$mnt/k.db" --lang nb 2>"$dir/halfway.err" || code=$?
        echo $code >"$dir/halfway.code"
        cp "$mnt/k.db" "$dir/halfway.db"
        # No room at all, not even to open it.
        dd if=/dev/zero of="$mnt/fill2" bs=1k 2>/dev/null || true
        code=0
        "$bin" import "$dir/export.json" --db "$mnt/k.db" --lang nb 2>"$dir/full.err" || code=$?
        echo $code >"$dir/full.code"
        cp "$mnt/k.db" "$dir/full.db"
        # With room again, the database is whole and as it was.
        rm "$mnt/fill" "$mnt/fill2"
        "$bin" check --db "$mnt/k.db" --lang nb >"$dir/check.out"
        "#,
    );
    let seed_bytes = fs::read(&seed).unwrap();
    for case in ["halfway", "full"] {
        let message = read(dir.path(), &format!("{case}.err"));
        assert_eq!(
            read(dir.path(), &format!("{case}.code")).trim(),
            EXIT_IO.to_string(),
            "{case}: {message}"
        );
        assert!(message.contains("Disken er full"), "{case}: {message}");
        assert_eq!(message.lines().count(), 1, "{case}: {message}");
        // The seed is empty: its journal is switched for the import (see
        // `without_change_counter`).
        assert!(
            without_change_counter(fs::read(dir.path().join(format!("{case}.db"))).unwrap())
                == without_change_counter(seed_bytes.clone()),
            "{case}: the file was changed"
        );
    }
    let check = read(dir.path(), "check.out");
    assert!(check.contains("Integritet: ok"), "{check}");
    assert!(
        check.contains("Tjenester: 0"),
        "nothing half-imported: {check}"
    );
}

#[test]
fn a_read_only_file_system_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.db");
    demo_database(&seed);

    in_own_mount_namespace(
        dir.path(),
        r#"
        bin=$1; dir=$2; mnt=$dir/mnt
        mount -t tmpfs -o size=4m tmpfs "$mnt"
        cp "$dir/seed.db" "$mnt/k.db"
        mount -o remount,ro "$mnt"
        code=0
        "$bin" check --db "$mnt/k.db" --lang nb 2>"$dir/ro.err" || code=$?
        echo $code >"$dir/ro.code"
        cp "$mnt/k.db" "$dir/ro.db"
        "#,
    );
    let message = read(dir.path(), "ro.err");
    assert_eq!(
        read(dir.path(), "ro.code").trim(),
        EXIT_IO.to_string(),
        "{message}"
    );
    assert!(message.contains("kan bare leses"), "{message}");
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(fs::read(dir.path().join("ro.db")).unwrap() == fs::read(&seed).unwrap());
}

#[test]
fn a_database_in_a_synchronised_folder_gets_a_warning_before_use() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("Dropbox").join("kartlegg").join("k.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();

    // The full-screen program shows it in the status line as it starts, after saying that
    // the database is new.
    let mut tui = Tui::start_sized(&db, "en", 30, 160);
    tui.wait_for("New database created. Warning:");
    tui.wait_for("Dropbox copies to other machines");
    tui.send("q");
    tui.expect_clean_exit();

    let out = check(&db);
    assert!(
        out.status.success(),
        "a warning does not stop it: {}",
        stderr(&out)
    );
    let warning = stderr(&out);
    assert!(
        warning.starts_with("kartlegg: Advarsel: ") && warning.contains("Dropbox"),
        "{warning}"
    );
    assert_eq!(warning.lines().count(), 1, "{warning}");
}

#[test]
fn an_ordinary_folder_gets_no_warning() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(&db_in(&dir)).unwrap());
    let out = check(&db_in(&dir));
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}
