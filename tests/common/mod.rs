//! What the tests that run the real binary share: a pseudo-terminal harness (the program in
//! a pty, read back through a terminal emulator, driven by the keys a person would press),
//! the command line, and a database with a service and a round to write into.
//!
//! Every wait is for a text on the screen, never a blind sleep, and every run has a hard
//! bound: a harness that is dropped (also by a failing assertion) kills its child.

// Each test file uses its own part of this module.
#![allow(dead_code)]

pub mod browser;
pub mod import;
pub mod postgres;

use kartlegg::store::Answers;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

pub const BIN: &str = env!("CARGO_BIN_EXE_kartlegg");

/// The longest any single run of the program may take before the test fails.
pub const RUN_BOUND: Duration = Duration::from_secs(20);
/// The longest one expected text may take to appear.
pub const WAIT: Duration = Duration::from_secs(8);
pub const POLL: Duration = Duration::from_millis(20);

/// Leaves the alternate screen: the program has given the terminal back.
pub const LEAVE_ALT_SCREEN: &[u8] = b"\x1b[?1049l";

pub const ENTER: &str = "\r";
pub const TAB: &str = "\t";
pub const ESC: &str = "\x1b";
pub const BACKSPACE: &str = "\x7f";
pub const UP: &str = "\x1b[A";
pub const DOWN: &str = "\x1b[B";
pub const RIGHT: &str = "\x1b[C";
pub const LEFT: &str = "\x1b[D";

/// The program running in a pseudo-terminal of its own.
pub struct Tui {
    child: Box<dyn Child + Send + Sync>,
    writer: Option<Box<dyn Write + Send>>,
    master: Option<Box<dyn MasterPty + Send>>,
    parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte the program wrote, for checks on escape sequences.
    output: Arc<Mutex<Vec<u8>>>,
    /// Set by the reader thread when the pty has no more to give.
    reader_done: Arc<AtomicBool>,
    /// Asks the reader thread to stop (and close its end) after its next read.
    reader_stop: Arc<AtomicBool>,
    started: Instant,
    exited: bool,
}

/// The emulator, also after a panic inside it.
fn lock(parser: &Mutex<vt100::Parser>) -> std::sync::MutexGuard<'_, vt100::Parser> {
    parser
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Feeds the emulator. vt100 0.16 panics on a double-width character in a one-column
/// screen (`size.cols - width` underflows in `col_wrap`), which a burst of resizes can
/// bring about when output drawn for a wider screen arrives after the emulator shrank.
/// That is the emulator's fault, not the program's: the emulator is then made anew at its
/// size, and the next full redraw, which follows every resize, fills it again.
fn process(parser: &Mutex<vt100::Parser>, bytes: &[u8]) {
    let mut guard = lock(parser);
    let fed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| guard.process(bytes)));
    if fed.is_err() {
        let (rows, cols) = guard.screen().size();
        *guard = vt100::Parser::new(rows, cols, 0);
    }
}

/// The program's arguments for `db` in `lang`, run from the database's folder.
fn on_database(cmd: &mut CommandBuilder, db: &Path, lang: &str) {
    cmd.arg("--db");
    cmd.arg(db);
    cmd.arg("--lang");
    cmd.arg(lang);
    if let Some(dir) = db.parent() {
        cmd.cwd(dir);
    }
}

impl Tui {
    pub fn start(db: &Path, lang: &str) -> Tui {
        Tui::start_sized(db, lang, 24, 80)
    }

    pub fn start_sized(db: &Path, lang: &str, rows: u16, cols: u16) -> Tui {
        Tui::start_with(db, lang, rows, cols, &[])
    }

    /// `start_sized`, with more in the program's environment.
    pub fn start_with(db: &Path, lang: &str, rows: u16, cols: u16, env: &[(&str, &Path)]) -> Tui {
        let mut cmd = CommandBuilder::new(BIN);
        on_database(&mut cmd, db, lang);
        let env = env
            .iter()
            .map(|(n, v)| (*n, v.as_os_str()))
            .collect::<Vec<_>>();
        Tui::spawn(cmd, rows, cols, &env)
    }

    /// `start_sized` as another user: `setpriv` (util-linux) with `who`, its arguments
    /// (`--reuid=N --regid=G --groups=G`), runs the program.
    pub fn start_as(db: &Path, lang: &str, rows: u16, cols: u16, who: &[String]) -> Tui {
        let mut cmd = CommandBuilder::new("setpriv");
        cmd.args(who);
        cmd.arg("--");
        cmd.arg(BIN);
        on_database(&mut cmd, db, lang);
        Tui::spawn(cmd, rows, cols, &[])
    }

    /// `program` with `args` in a terminal of its own (a shell that runs kartlegg, say), in
    /// the same clean environment, with `env` added.
    pub fn start_program(
        program: &str,
        args: &[&str],
        rows: u16,
        cols: u16,
        env: &[(&str, &str)],
    ) -> Tui {
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        let env = env
            .iter()
            .map(|(n, v)| (*n, OsStr::new(v)))
            .collect::<Vec<_>>();
        Tui::spawn(cmd, rows, cols, &env)
    }

    /// Runs `cmd` in a new pty of this size, without the language and database of the
    /// environment the tests run in, with `env` added.
    fn spawn(mut cmd: CommandBuilder, rows: u16, cols: u16, env: &[(&str, &OsStr)]) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        for name in [
            "KARTLEGG_DB",
            "LC_ALL",
            "LC_MESSAGES",
            "LANGUAGE",
            "COLORTERM",
        ] {
            cmd.env_remove(name);
        }
        cmd.env("NO_COLOR", "1");
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        for (name, value) in env {
            cmd.env(name, value);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn kartlegg");
        // Only the child may hold the slave, so that its end is seen as the pty's end.
        drop(pair.slave);

        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let output = Arc::new(Mutex::new(Vec::new()));
        let reader_done = Arc::new(AtomicBool::new(false));
        let reader_stop = Arc::new(AtomicBool::new(false));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        {
            let (parser, output, done, stop) = (
                Arc::clone(&parser),
                Arc::clone(&output),
                Arc::clone(&reader_done),
                Arc::clone(&reader_stop),
            );
            thread::spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            output.lock().unwrap().extend_from_slice(&buf[..n]);
                            process(&parser, &buf[..n]);
                        }
                    }
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                }
                drop(reader);
                done.store(true, Ordering::SeqCst);
            });
        }
        let writer = pair.master.take_writer().expect("pty writer");
        Tui {
            child,
            writer: Some(writer),
            master: Some(pair.master),
            parser,
            output,
            reader_done,
            reader_stop,
            started: Instant::now(),
            exited: false,
        }
    }

    pub fn remaining(&self) -> Duration {
        RUN_BOUND.saturating_sub(self.started.elapsed())
    }

    /// Writes bytes to the terminal, as typed keys.
    pub fn send(&mut self, keys: &str) {
        let writer = self.writer.as_mut().expect("the terminal is open");
        writer.write_all(keys.as_bytes()).expect("write to the pty");
        writer.flush().expect("flush the pty");
    }

    /// Sends Esc alone and waits for its effect, so that the next key cannot be read
    /// together with it as Alt+key.
    pub fn esc_then(&mut self, expected: &str) {
        self.send(ESC);
        self.wait_for(expected);
    }

    pub fn screen(&self) -> String {
        lock(&self.parser).screen().contents()
    }

    /// The first screen line that contains `text`, or a panic that shows the screen.
    pub fn line_with(&self, text: &str) -> String {
        let screen = self.screen();
        match screen.lines().find(|line| line.contains(text)) {
            Some(line) => line.to_string(),
            None => panic!("no line contains {text:?}; the screen is:\n{screen}"),
        }
    }

    pub fn wait_for(&self, text: &str) {
        self.wait_for_within(text, WAIT);
    }

    pub fn wait_for_within(&self, text: &str, timeout: Duration) {
        self.wait_until(&format!("the text {text:?}"), timeout, |s| s.contains(text));
    }

    pub fn wait_until(&self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) {
        let limit = Instant::now() + timeout.min(self.remaining());
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return;
            }
            if Instant::now() >= limit {
                panic!(
                    "timed out after {:.1} s waiting for {what}; the screen is:\n{}\n{}\n{}",
                    self.started.elapsed().as_secs_f64(),
                    "-".repeat(80),
                    screen,
                    "-".repeat(80)
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Resizes the terminal and the emulator that reads it.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        let mut parser = lock(&self.parser);
        parser.screen_mut().set_size(rows, cols);
        self.master
            .as_ref()
            .expect("the terminal is open")
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
    }

    /// Waits as long as keys wait once the screen is back at full size after "too small"
    /// (0.3 s, `ui::app`): a key read sooner may have been typed while it was small.
    pub fn let_the_size_settle(&self) {
        std::thread::sleep(kartlegg::ui::app::SIZE_SETTLES + Duration::from_millis(100));
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("the child has a process id")
    }

    /// Waits (bounded) for the program to end by itself.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let limit = Instant::now() + timeout.min(self.remaining());
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                self.exited = true;
                return status;
            }
            if Instant::now() >= limit {
                panic!(
                    "kartlegg did not exit within {:.1} s; the screen is:\n{}",
                    timeout.as_secs_f64(),
                    self.screen()
                );
            }
            thread::sleep(POLL);
        }
    }

    /// The program must end by itself, successfully, and give the terminal back.
    pub fn expect_clean_exit(self) {
        self.expect_exit_giving_terminal_back(0);
    }

    /// The program must end by itself with exit code `code`, and give the terminal back;
    /// returns the screen it left, where what it said on the way out stands.
    pub fn expect_exit_giving_terminal_back(mut self, code: u32) -> String {
        let status = self.wait_exit(WAIT);
        assert_eq!(
            status.exit_code(),
            code,
            "kartlegg exited with {status:?}; the screen was:\n{}",
            self.screen()
        );
        // Everything it wrote before it ended is read once the pty reports its end.
        let limit = Instant::now() + Duration::from_secs(5).min(self.remaining());
        while !self.reader_done.load(Ordering::SeqCst) && Instant::now() < limit {
            thread::sleep(POLL);
        }
        let output = self.output.lock().unwrap();
        assert!(
            output
                .windows(LEAVE_ALT_SCREEN.len())
                .any(|w| w == LEAVE_ALT_SCREEN),
            "kartlegg did not leave the alternate screen (\\e[?1049l) on the way out"
        );
        let leave = output
            .windows(LEAVE_ALT_SCREEN.len())
            .rposition(|w| w == LEAVE_ALT_SCREEN)
            .unwrap();
        let enter = output.windows(8).rposition(|w| w == b"\x1b[?1049h");
        assert!(
            enter.is_none_or(|e| e < leave),
            "kartlegg entered the alternate screen again after leaving it"
        );
        drop(output);
        assert!(
            self.is_cooked(),
            "kartlegg left the terminal in raw mode (local flags {:#o})",
            self.local_flags()
        );
        self.screen()
    }

    /// Closes every handle on the terminal, as when a terminal window is closed.
    pub fn hang_up(&mut self) {
        // The reader thread holds a handle too; it lets go after its next read, and the
        // program answers every key with a redraw. → changes no text (a space would be kept
        // in a comment being written) and no answer.
        self.reader_stop.store(true, Ordering::SeqCst);
        self.send(RIGHT);
        let limit = Instant::now() + WAIT.min(self.remaining());
        while !self.reader_done.load(Ordering::SeqCst) {
            assert!(
                Instant::now() < limit,
                "the reader did not let go of the pty"
            );
            thread::sleep(POLL);
        }
        // A closing window makes the kernel send SIGHUP and end the input. portable-pty's
        // writer also types "\n" and Ctrl-D when dropped, which a real window never does, so
        // the hang-up signal goes first, as the kernel's would.
        let status = Command::new("kill")
            .args(["-HUP", &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        drop(self.writer.take());
        drop(self.master.take());
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if !self.exited && matches!(self.child.try_wait(), Ok(None)) {
            // SIGHUP, then SIGKILL after a short grace period.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Tui {
    /// The pty's local modes (`ICANON`, `ECHO`, …) as the program has set them.
    pub fn local_flags(&self) -> libc::tcflag_t {
        let termios = self
            .master
            .as_ref()
            .expect("the terminal is open")
            .get_termios()
            .expect("the pty has termios");
        libc::termios::from(termios).c_lflag
    }

    /// Whether the terminal reads lines and echoes them, as a shell expects it to.
    pub fn is_cooked(&self) -> bool {
        let cooked = libc::ICANON | libc::ECHO;
        self.local_flags() & cooked == cooked
    }

    /// Types `text` as a terminal pastes it, between bracketed-paste marks.
    pub fn paste(&mut self, text: &str) {
        self.send(&format!("\x1b[200~{text}\x1b[201~"));
    }

    /// Kills the program at once (SIGKILL), as a crash or a flat battery would, and reaps it.
    pub fn kill_hard(&mut self) {
        let pid = self.pid().to_string();
        let status = Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -KILL {pid}");
        let status = self.wait_exit(WAIT);
        assert!(!status.success(), "killed, it cannot have succeeded");
    }
}

pub fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("k.db")
}

/// The binary, ready to run a subcommand with no terminal and no language from outside.
pub fn kartlegg() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("KARTLEGG_DB")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null());
    cmd
}

/// Runs a non-interactive subcommand in English, however it ends.
pub fn run_en(args: &[&str], db: &Path) -> std::process::Output {
    kartlegg()
        .args(args)
        .args(["--lang", "en", "--db"])
        .arg(db)
        .output()
        .expect("run kartlegg")
}

/// Runs a non-interactive subcommand; returns its standard output, or panics with all of it.
pub fn run_cli(args: &[&str], db: &Path, lang: &str) -> String {
    let out = kartlegg()
        .args(args)
        .arg("--db")
        .arg(db)
        .args(["--lang", lang])
        .output()
        .expect("run kartlegg");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "kartlegg {args:?} failed with {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// `kartlegg export --format json --identified` of `db` into `file`, to import elsewhere.
pub fn export_json(db: &Path, file: &Path) {
    run_cli(
        &[
            "export",
            "--format",
            "json",
            "--identified",
            "--out",
            file.to_str().unwrap(),
        ],
        db,
        "en",
    );
}

/// A database with one service and one round; returns the round's id.
pub fn seeded_round(db: &Path) -> String {
    use kartlegg::domain::instrument::Instrument;
    use kartlegg::domain::model::RoundKind;
    let mut store = kartlegg::store::Store::open(db).expect("open the database");
    let now = chrono::Utc::now();
    let service = store
        .create_service("Fjellbygd barnevern", &["3401".into()], "Innlandet", now)
        .unwrap();
    let round = store
        .create_round(
            &service.id,
            "Før samling 1",
            chrono::NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            RoundKind::Before,
            Instrument::standard(),
            now,
        )
        .unwrap();
    round.id
}

/// A database at `path` as version 1 of kartlegg made it: a service, a round, a leader (AB)
/// with one answer (4, comment "Ja") and its history.
pub fn version_1_database(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(include_str!("../fixtures/schema_v1.sql"))
        .unwrap();
    conn.execute_batch(
        "INSERT INTO service VALUES ('s1', 'Fjellbygd', '3401', 'Innlandet', 't', 't');
         INSERT INTO round VALUES ('r1', 's1', 'Før samling 1', '2026-02-10', 'before',
                                   'kartlegg-standard', '1.0', 't');
         INSERT INTO respondent VALUES ('p1', 'r1', 'leader', 'AB', 't');
         INSERT INTO answer VALUES ('a1', 'p1', 'fit.answers_problem.1', 4, NULL, 'Ja', 't');
         INSERT INTO answer_history (answer_id, respondent_id, new_value, new_comment, changed_at)
             VALUES ('a1', 'p1', 4, 'Ja', 't');
         PRAGMA user_version = 1;",
    )
    .unwrap();
}

/// Takes from a new database the tables of version 8 (needs) and after (9: positions, 11:
/// clusters), for a test that makes an older version from a new one; the migrations make
/// them again, and the change log anew whichever CHECK it has.
pub fn drop_since_needs(conn: &rusqlite::Connection) {
    drop_since_clusters(conn);
    conn.execute_batch(
        "DROP TABLE own_area; DROP TABLE need; DROP TABLE expectations;
         DROP TABLE service_facts; DROP TABLE position;",
    )
    .unwrap();
}

/// Takes from a new database what version 12 (the positions' change log) brought: the
/// change log made again with version 11's CHECK, without the positions' entries, which
/// that CHECK would refuse. The version number is the caller's to set.
pub fn drop_since_position_log(conn: &rusqlite::Connection) {
    conn.execute_batch(
        "CREATE TABLE change_log_v11 (
             seq        INTEGER PRIMARY KEY,
             entity     TEXT NOT NULL CHECK (entity IN ('plan_item', 'goal', 'goal_status',
                                                        'round_stage', 'consensus', 'need',
                                                        'own_area', 'expectations', 'service_facts',
                                                        'cluster', 'gathering', 'attendance',
                                                        'round_gathering')),
             entity_key TEXT NOT NULL,
             old_json   TEXT,
             new_json   TEXT,
             changed_at TEXT NOT NULL
         ) STRICT;
         INSERT INTO change_log_v11 SELECT * FROM change_log WHERE entity <> 'position';
         DROP TABLE change_log;
         -- The services' triggers write to it: the rename leaves them as they are.
         PRAGMA legacy_alter_table = ON;
         ALTER TABLE change_log_v11 RENAME TO change_log;
         PRAGMA legacy_alter_table = OFF;
         CREATE INDEX change_log_by_entity ON change_log (entity, entity_key, seq);
         CREATE TRIGGER change_log_is_append_only_update BEFORE UPDATE ON change_log
         BEGIN
             SELECT RAISE(ABORT, 'change_log is append-only');
         END;
         CREATE TRIGGER change_log_is_append_only_delete BEFORE DELETE ON change_log
         WHEN NOT EXISTS (SELECT 1 FROM erased
                          WHERE id IN (OLD.entity_key,
                                       substr(OLD.entity_key, 1, instr(OLD.entity_key, '/') - 1),
                                       substr(OLD.entity_key, instr(OLD.entity_key, '/') + 1)))
         BEGIN
             SELECT RAISE(ABORT, 'change_log is append-only');
         END;",
    )
    .unwrap();
}

/// Takes from a new database what version 11 (clusters) brought: its tables and triggers,
/// the column `round.gathering_id` (the round table made again as version 10 wrote it) and
/// the change log's entries of its kinds, which an older CHECK would refuse. The version
/// number is the caller's to set.
pub fn drop_since_clusters(conn: &rusqlite::Connection) {
    drop_since_position_log(conn);
    conn.execute_batch(
        // A table rebuilt under its rows, as SQLite's own procedure does it: without the
        // foreign key checks (the bundled SQLite has them on by default) until it is whole.
        "PRAGMA foreign_keys = OFF;
         DROP TRIGGER service_cluster_recorded_on_insert;
         DROP TRIGGER service_cluster_recorded_on_update;
         DROP INDEX round_by_gathering;
         PRAGMA legacy_alter_table = ON;
         ALTER TABLE round RENAME TO round_v11;
         CREATE TABLE round (
             id                 TEXT PRIMARY KEY,
             service_id         TEXT NOT NULL REFERENCES service (id),
             label              TEXT NOT NULL CHECK (length(trim(label)) > 0),
             held_on            TEXT NOT NULL CHECK (date(held_on) = held_on),
             kind               TEXT NOT NULL CHECK (kind IN ('before', 'between', 'after')),
             instrument_key     TEXT NOT NULL,
             instrument_version TEXT NOT NULL,
             created_at         TEXT NOT NULL
         ) STRICT;
         INSERT INTO round SELECT id, service_id, label, held_on, kind, instrument_key,
                                  instrument_version, created_at FROM round_v11;
         DROP TABLE round_v11;
         PRAGMA legacy_alter_table = OFF;
         -- The rename pointed the other tables' references at the old table: back to round.
         PRAGMA writable_schema = ON;
         UPDATE sqlite_schema SET sql = replace(sql, '\"round_v11\"', 'round')
             WHERE sql LIKE '%round_v11%';
         PRAGMA writable_schema = OFF;
         CREATE INDEX round_by_service ON round (service_id, held_on);
         DROP TABLE attendance; DROP TABLE gathering; DROP TABLE cluster;
         DROP TRIGGER change_log_is_append_only_delete;
         DELETE FROM change_log
             WHERE entity IN ('cluster', 'gathering', 'attendance', 'round_gathering');
         CREATE TRIGGER change_log_is_append_only_delete BEFORE DELETE ON change_log
         WHEN NOT EXISTS (SELECT 1 FROM erased
                          WHERE id IN (OLD.entity_key,
                                       substr(OLD.entity_key, 1, instr(OLD.entity_key, '/') - 1),
                                       substr(OLD.entity_key, instr(OLD.entity_key, '/') + 1)))
         BEGIN
             SELECT RAISE(ABORT, 'change_log is append-only');
         END;
         PRAGMA foreign_keys = ON;",
    )
    .unwrap();
}

/// The schema as SQLite reports it, by name, without whitespace differences.
pub fn schema_of(path: &Path) -> BTreeMap<String, String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL")
        .unwrap();
    stmt.query_map([], |r| {
        let sql: String = r.get(1)?;
        Ok((
            r.get(0)?,
            sql.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Holds the write lock, as another kartlegg in the middle of a long write would.
pub fn hold_write_lock(db: &Path) -> rusqlite::Connection {
    let holder = rusqlite::Connection::open(db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    holder
}

/// What `kartlegg _write-answers` reported as committed: respondents, and answers as
/// (respondent, item key, value).
#[derive(Debug, Default)]
pub struct Reported {
    pub respondents: Vec<String>,
    pub answers: Vec<(String, String, u8)>,
}

impl Reported {
    pub fn add_line(&mut self, line: &str) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["respondent", id] => self.respondents.push(id.to_string()),
            ["answer", who, key, value] => {
                self.answers
                    .push((who.to_string(), key.to_string(), value.parse().unwrap()))
            }
            _ => panic!("the writer printed an unexpected line: {line:?}"),
        }
    }

    /// Panics unless every reported respondent and answer is in the database, with the
    /// value reported.
    pub fn expect_all_in(&self, db: &Path) {
        let conn = rusqlite::Connection::open(db).unwrap();
        for id in &self.respondents {
            let found: i64 = conn
                .query_row("SELECT count(*) FROM respondent WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(
                found, 1,
                "respondent {id} was reported committed but is gone"
            );
        }
        for (who, key, value) in &self.answers {
            let found: Option<i64> = conn
                .query_row(
                    "SELECT value FROM answer WHERE respondent_id = ?1 AND item_key = ?2",
                    [who, key],
                    |r| r.get(0),
                )
                .ok()
                .flatten();
            assert_eq!(
                found,
                Some(i64::from(*value)),
                "the answer {who} {key} = {value} was reported committed"
            );
        }
    }
}

/// SQLite's own full integrity check on the file, as a fresh connection sees it.
pub fn integrity_check(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("PRAGMA integrity_check").unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

/// A database file's bytes with SQLite's file change counter (header bytes 24–27, and 92–95
/// that repeat it) set to zero. An import into an empty database runs with a rollback journal
/// and switches back to the write-ahead log after (`Store::import_json`); SQLite counts each
/// switch there, even when the import is refused and nothing else in the file changes.
pub fn without_change_counter(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes[24..28].fill(0);
    bytes[92..96].fill(0);
    bytes
}

/// `kartlegg import` reading its file from a named pipe, so that a test can hold the import
/// in the middle of its transaction: what has been fed is written, the rest not yet read.
pub struct PipedImport {
    child: std::process::Child,
    pipe: Option<std::fs::File>,
    db: PathBuf,
}

impl PipedImport {
    pub fn start(db: &Path, dir: &Path) -> PipedImport {
        let fifo = dir.join("import.pipe");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates the file.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0, "mkfifo");
        let child = kartlegg()
            .args(["import", "--lang", "en", "--db"])
            .arg(db)
            .arg(&fifo)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run kartlegg import");
        // Opening a pipe waits for its reader: the import has opened the database by now.
        let pipe = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        PipedImport {
            child,
            pipe: Some(pipe),
            db: db.to_path_buf(),
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        self.pipe.as_mut().unwrap().write_all(bytes).unwrap();
    }

    /// Waits until the import writes with a rollback journal (as it does into an empty
    /// database), which is while its transaction is open.
    pub fn wait_for_journal(&self) {
        let journal = PathBuf::from(format!("{}-journal", self.db.display()));
        let started = Instant::now();
        while !journal.exists() {
            assert!(
                started.elapsed() < WAIT,
                "the import never wrote with a rollback journal"
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Feeds the rest of the file and waits for the import to end.
    pub fn finish(mut self, rest: &[u8]) -> std::process::Output {
        self.feed(rest);
        drop(self.pipe.take());
        self.child.wait_with_output().unwrap()
    }

    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// Whether a database file's header says it is in write-ahead-log mode (bytes 18 and 19).
pub fn in_wal_mode(db: &Path) -> bool {
    let header = std::fs::read(db).unwrap();
    header[18] == 2 && header[19] == 2
}
