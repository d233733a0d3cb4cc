//! Whether the database is whole, found out before anything is written into it.
//!
//! A database up to `CHECK_AT_OPENING_MAX_BYTES` is checked as it opens: SQLite's quick check
//! reads every page once, a few milliseconds at that size. A larger one (a cluster's is
//! 50 MB, the nation's 700 MB and more than a second) would keep every start waiting, so it
//! opens at once and is checked before its first write: by a command at that write, which
//! waits for it, or, in the full-screen program, on a thread of its own from the start, while
//! its writes are held and tried again until the verdict is in.
//!
//! A damaged database is never written into. Nor is what an earlier session left in its log
//! (`-wal`) copied into it when the connection closes: the log is left as it was found.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;

use rusqlite::{Connection, OpenFlags};

use super::{Result, StoreError, classify};

/// Databases up to this size are checked whole as they are opened.
pub const CHECK_AT_OPENING_MAX_BYTES: u64 = 16 << 20;

/// Test seam: with `KARTLEGG_TEST_HOLD_CHECK=<file>` in its environment, the check on a
/// thread of its own waits until `<file>` exists, so that a test sees the writes held.
const HOLD_CHECK_VARIABLE: &str = "KARTLEGG_TEST_HOLD_CHECK";

pub(super) enum Health {
    Whole,
    /// Too large to check as it opened; the first write checks it first.
    Unchecked,
    /// Being checked on a thread of its own; writes wait for its verdict.
    Checking(Checker),
    /// Every write is refused with this.
    Damaged(String),
}

/// The check on a thread of its own. Dropped before its verdict (the program ends, or a
/// benchmark opens the database again and again), it stops the check: a national database
/// takes more than a second to read, and no one would hear the answer.
pub(super) struct Checker {
    pub(super) verdict: mpsc::Receiver<Result<()>>,
    stopped: Arc<AtomicBool>,
}

impl Drop for Checker {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::Relaxed);
    }
}

/// How many of SQLite's steps the check takes between two looks at whether it is still
/// wanted: some microseconds.
const STEPS_BETWEEN_LOOKS: i32 = 1000;

/// SQLite's quick check: every page read once and its structure checked. The first
/// problem is enough to say what is wrong, on one line.
pub(super) fn quick_check(conn: &Connection, path: &Path) -> Result<()> {
    let verdict: String = conn
        .pragma_query_value(None, "quick_check", |r| r.get(0))
        .map_err(|e| classify(e, path))?;
    if verdict == "ok" {
        return Ok(());
    }
    let first = verdict.lines().find(|line| !line.starts_with("***"));
    Err(StoreError::Corrupt {
        path: path.to_path_buf(),
        detail: first.unwrap_or(&verdict).to_string(),
    })
}

/// The quick check on a connection of its own that only reads, on a thread of its own.
pub(super) fn check_apart(path: &Path) -> Result<Checker> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(|e| classify(e, path))?;
    let (verdict, receiver) = mpsc::channel();
    let stopped = Arc::new(AtomicBool::new(false));
    let checker = Checker {
        verdict: receiver,
        stopped: Arc::clone(&stopped),
    };
    // SQLite's check asks its progress handler as it goes (unlike `sqlite3_interrupt`, which
    // a check not yet started would miss): stopped, it ends with SQLITE_INTERRUPT.
    let wanted = Arc::clone(&stopped);
    conn.progress_handler(
        STEPS_BETWEEN_LOOKS,
        Some(move || wanted.load(Ordering::Relaxed)),
    )?;
    let path = path.to_path_buf();
    thread::spawn(move || {
        if let Some(release) = std::env::var_os(HOLD_CHECK_VARIABLE) {
            while !Path::new(&release).exists() {
                if stopped.load(Ordering::Relaxed) {
                    return;
                }
                thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        let _ = verdict.send(quick_check(&conn, &path));
    });
    Ok(checker)
}

/// What a verdict leaves the database as: a damage is kept as its reason; any other failure
/// of the check (the thread could not open its connection) leaves it to the first write.
pub(super) fn after(verdict: &Result<()>) -> Health {
    match verdict {
        Ok(()) => Health::Whole,
        Err(StoreError::Corrupt { detail, .. }) => Health::Damaged(detail.clone()),
        // A file SQLite no longer reads as a database is as damaged as one can be.
        Err(e @ StoreError::NotADatabase { .. }) => Health::Damaged(e.to_string()),
        Err(_) => Health::Unchecked,
    }
}

/// Keeps a log that holds an earlier session's work out of a file not known whole: closing
/// the connection would otherwise copy it in. An empty log is left to close as usual (SQLite
/// then removes it), so that no file is left behind that was not there.
pub(super) fn keep_log_out(conn: &Connection, path: &Path) {
    // Beside the file itself, where SQLite keeps it, also when `path` is a link.
    let database = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let log = super::private::with_suffix(&database, "-wal");
    let holds_work = std::fs::metadata(log).is_ok_and(|m| m.len() > 0);
    if holds_work {
        let _ = conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        );
    }
}

/// Once the file is found whole, closing copies the log in again, as SQLite does by default.
pub(super) fn let_log_in(conn: &Connection) {
    let _ = conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        false,
    );
}
