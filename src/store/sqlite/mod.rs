//! The SQLite store, the one implementation of the store today: opening, pragmas,
//! migrations and queries. Returns domain types and knows nothing of the terminal.
//!
//! Every write is one IMMEDIATE transaction: a deferred one that upgrades to a write can
//! fail with SQLITE_BUSY whatever the busy timeout.

pub mod exchange;

pub mod plan;

pub mod backup;
pub mod clusters;

pub mod kept;

pub mod bulk;

pub mod recovery;

pub mod health;

pub mod private;

pub mod erase;
pub mod invite;
pub mod needs;
pub mod positions;
pub mod shared;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{
    Admin, Answers, BusyWait, Counts, DriverError, DriverKind, Held, HistoryEntry, IfMissing,
    RespondentSummary, Result, RoundSummary, ServiceSummary, StoreError, Verdict, timestamp,
};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior, params,
};

use crate::domain::instrument::Instrument;
use crate::domain::model::{Answer, Respondent, Response, Role, Round, RoundKind, Service, new_id};
use crate::domain::scoring::AnswerSet;
pub(crate) use crate::store::columns::{response_columns, response_from};

/// The current schema, for a new database.
pub(crate) const SCHEMA: &str = include_str!("../../../schema.sql");
/// `UPGRADES[i]` brings a database from version `i + 1` to `i + 2`.
const UPGRADES: &[&str] = &[
    include_str!("migrations/002_plans.sql"),
    include_str!("migrations/003_kept_scores.sql"),
    include_str!("migrations/004_respondent_roles.sql"),
    include_str!("migrations/005_erasure.sql"),
    include_str!("migrations/006_invites.sql"),
    include_str!("migrations/007_invite_key.sql"),
    include_str!("migrations/008_needs.sql"),
    include_str!("migrations/009_positions.sql"),
    include_str!("migrations/010_asked_items.sql"),
    include_str!("migrations/011_clusters.sql"),
    include_str!("migrations/012_position_log.sql"),
];
pub const SCHEMA_VERSION: u32 = 1 + UPGRADES.len() as u32;
/// The versions whose step fills the kept scores from the answers: 3 brought them, 10
/// counts only the items put to each respondent (instrument 2.0). An upgrade across either
/// counts them once, at its end, by the rules of this kartlegg.
const KEPT_SCORES_REBUILT_AT: [u32; 2] = [3, 10];

/// SQLite's busy timeout for each try to get a database ready as it opens.
const OPENING_TRY: Duration = Duration::from_millis(100);
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// SQLite's codes, as the kinds of failure the store's interface names: the one place that
/// reads them.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        let code = match &e {
            rusqlite::Error::SqlInputError { error, .. } => Some(error.code),
            e => e.sqlite_error_code(),
        };
        let kind = match code {
            Some(ErrorCode::DatabaseBusy) => DriverKind::Busy,
            Some(ErrorCode::DiskFull) => DriverKind::DiskFull,
            Some(ErrorCode::SystemIoFailure) => DriverKind::IoFailure,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => DriverKind::Corrupt,
            Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                DriverKind::Unreachable
            }
            Some(ErrorCode::Unknown | ErrorCode::ConstraintViolation) => DriverKind::Refused,
            _ => DriverKind::Other,
        };
        StoreError::Database(DriverError {
            kind,
            detail: e.to_string(),
        })
    }
}

impl StoreError {
    /// Another process holds the database ("database is locked").
    fn is_busy(&self) -> bool {
        self.driver_kind() == Some(DriverKind::Busy)
    }

    fn driver_kind(&self) -> Option<DriverKind> {
        match self {
            StoreError::Database(e) => Some(e.kind),
            _ => None,
        }
    }

    /// SQLite says "disk is full" when a write finds no room, but "disk I/O error" when
    /// there is no room for its shared-memory file as it opens; both become `DiskFull`
    /// when the database's file system has no space left, so that the user reads why.
    fn on_full_disk(self, path: &Path) -> StoreError {
        let full = match self.driver_kind() {
            Some(DriverKind::DiskFull) => true,
            Some(DriverKind::IoFailure) => no_space_left(path),
            _ => false,
        };
        if full {
            StoreError::DiskFull {
                path: path.to_path_buf(),
            }
        } else {
            self
        }
    }
}

fn no_space_left(path: &Path) -> bool {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    rustix::fs::statvfs(folder.unwrap_or(Path::new("."))).is_ok_and(|stat| stat.f_bavail == 0)
}

pub struct FileStore {
    conn: Connection,
    path: PathBuf,
    /// Whether this opening made the database file.
    created: bool,
    /// The user's own files of the database that others could read, made private as it
    /// opened.
    made_private: Vec<PathBuf>,
    busy: BusyWait,
    /// Set when a write was held: another process held the database, or it is still being
    /// checked.
    held: Cell<Option<Held>>,
    /// Whether the database is known whole; every write asks first (`health`).
    health: RefCell<health::Health>,
    /// Opened for reading only (`open_for_reading`): every write is refused.
    reading_only: bool,
    /// SQLite's count of the changes other connections committed, when last asked (`news`).
    seen_version: Cell<Option<i64>>,
}

impl FileStore {
    /// Opens (or creates) the database at `path`, creating its folder and file readable by
    /// the owner alone. A file that is not kartlegg's, or of a newer schema, is refused
    /// before anything is written to it.
    pub fn open(path: &Path) -> Result<FileStore> {
        FileStore::open_saying_when_waiting(path, IfMissing::Create, &|| {})
    }

    /// `open`, but only a database that is there: see `IfMissing::Refuse`.
    pub fn open_existing(path: &Path) -> Result<FileStore> {
        FileStore::open_saying_when_waiting(path, IfMissing::Refuse, &|| {})
    }

    /// `open_saying_when_waiting`, but a database that this user may read and not write (the
    /// file or its folder) is opened for reading only, where it can be (`open_for_reading`).
    pub fn open_or_read(
        path: &Path,
        if_missing: IfMissing,
        waiting: &dyn Fn(),
    ) -> Result<FileStore> {
        let there = fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() > 0);
        if there && matches!(check_writable(path), Err(StoreError::ReadOnly { .. })) {
            return FileStore::open_for_reading(path, waiting).map_err(|e| e.on_full_disk(path));
        }
        FileStore::open_saying_when_waiting(path, if_missing, waiting)
    }

    /// `open` or `open_existing`, calling `waiting` once if another process keeps the
    /// database busy (an import into an empty database keeps everyone out until it is
    /// done), before waiting for it as a write does (`BusyWait::COMMAND`).
    pub fn open_saying_when_waiting(
        path: &Path,
        if_missing: IfMissing,
        waiting: &dyn Fn(),
    ) -> Result<FileStore> {
        FileStore::open_unmapped(path, if_missing, waiting).map_err(|e| e.on_full_disk(path))
    }

    fn open_unmapped(path: &Path, if_missing: IfMissing, waiting: &dyn Fn()) -> Result<FileStore> {
        let io = |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        if if_missing == IfMissing::Create
            && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.exists()
        {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(io)?;
        }
        let log_files = private::check_before_open(path, if_missing)?;
        let mut created = false;
        match OpenOptions::new().read(true).open(path) {
            Ok(mut file) => {
                let mut header = Vec::with_capacity(16);
                file.by_ref()
                    .take(16)
                    .read_to_end(&mut header)
                    .map_err(io)?;
                if !header.is_empty() && header != SQLITE_MAGIC {
                    return Err(StoreError::NotADatabase {
                        path: path.to_path_buf(),
                    });
                }
                check_writable(path)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if if_missing == IfMissing::Refuse {
                    return Err(StoreError::Missing {
                        path: path.to_path_buf(),
                    });
                }
                // The group's in a folder shared on purpose, else the user's alone.
                let mode = shared::new_database_mode(path);
                match OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(mode)
                    .open(path)
                {
                    Ok(file) => {
                        // Exactly that mode, whatever the umask.
                        file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))
                            .map_err(io)?;
                        created = true;
                    }
                    // Another process created it a moment ago.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        OpenOptions::new().read(true).open(path).map_err(io)?;
                    }
                    Err(e) => return Err(io(e)),
                }
            }
            Err(e) => return Err(io(e)),
        }

        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(e, path))?;
        let mut store = FileStore::around(conn, path, false)?;
        store.created = created;
        store.wait_until_ready(waiting, FileStore::get_ready)?;
        log_files.in_use();
        Ok(store)
    }

    /// A store on a connection just opened, not yet ready.
    fn around(conn: Connection, path: &Path, reading_only: bool) -> Result<FileStore> {
        conn.busy_timeout(BusyWait::COMMAND.per_try)?;
        Ok(FileStore {
            conn,
            path: path.to_path_buf(),
            created: false,
            made_private: Vec::new(),
            busy: BusyWait::COMMAND,
            held: Cell::new(None),
            health: RefCell::new(health::Health::Unchecked),
            reading_only,
            seen_version: Cell::new(None),
        })
    }

    /// Checks the file and sets the connection up; busy while another process holds the
    /// database (a read waits out SQLite's busy timeout, switching to the log does not wait).
    fn get_ready(&mut self) -> Result<()> {
        self.check_ownership()?;
        self.check_health()?;
        // Pragmas outside any transaction: inside one they do nothing.
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        // Without the query planner stability guarantee, a cached statement whose plan
        // looked at a bound value (most with an ORDER BY or a join) is compiled again every
        // time it gets a new value: a third of the time of reading a cluster's rounds.
        self.conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        // Extended, not replaced: a try that found the database busy may have made them
        // private already, and the next finds nothing left to say.
        let made = self.check_open_files()?;
        self.made_private.extend(made);
        self.keep_log_if_shared();
        self.migrate()
    }

    /// Whether this opening made a new database, so that the user can be told.
    pub fn created(&self) -> bool {
        self.created
    }

    /// The user's own files of the database that others could read and that this opening
    /// made readable by them alone, so that the user can be told.
    pub fn made_private(&self) -> &[PathBuf] {
        &self.made_private
    }

    /// Refuses, without writing, a file of a newer schema or another program's database.
    fn check_ownership(&self) -> Result<()> {
        let version = self.user_version().map_err(|e| classify(e, &self.path))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: self.path.clone(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        if version == 0 {
            let tables: i64 =
                self.conn
                    .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
            if tables > 0 {
                return Err(StoreError::ForeignDatabase {
                    path: self.path.clone(),
                });
            }
        }
        Ok(())
    }

    /// Refuses, before anything is written, a file SQLite can only read, and one up to
    /// `health::CHECK_AT_OPENING_MAX_BYTES` that it finds damaged; a larger one is checked
    /// before its first write (`before_write`).
    fn check_health(&self) -> Result<()> {
        if self.conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
            });
        }
        let size = fs::metadata(&self.path).map_or(0, |m| m.len());
        if size <= health::CHECK_AT_OPENING_MAX_BYTES {
            let verdict = health::quick_check(&self.conn, &self.path);
            self.settle_health(&verdict);
            verdict?;
        } else {
            // Not known whole: what an earlier session left in the log stays there when a
            // command that only reads closes, until a check finds the file whole.
            health::keep_log_out(&self.conn, &self.path);
        }
        Ok(())
    }

    /// Starts the check of a database too large to check as it opened, on a thread of its
    /// own, so that the full-screen program can be used at once; its writes wait for it.
    pub fn check_in_background(&self) {
        let mut health = self.health.borrow_mut();
        if matches!(*health, health::Health::Unchecked) {
            // Where it cannot even open, the first write checks it instead.
            if let Ok(checker) = health::check_apart(&self.path) {
                *health = health::Health::Checking(checker);
            }
        }
    }

    /// The verdict of the check started by `check_in_background`, once, when it is in.
    pub fn health_news(&self) -> Option<Result<()>> {
        let verdict = match &*self.health.borrow() {
            health::Health::Checking(checker) => checker.verdict.try_recv().ok()?,
            _ => return None,
        };
        self.settle_health(&verdict);
        Some(verdict)
    }

    fn settle_health(&self, verdict: &Result<()>) {
        let after = health::after(verdict);
        match after {
            health::Health::Damaged(_) => health::keep_log_out(&self.conn, &self.path),
            health::Health::Whole => {
                health::let_log_in(&self.conn);
                self.keep_log_if_shared();
            }
            _ => {}
        }
        *self.health.borrow_mut() = after;
    }

    /// Every write asks first: a damaged database is refused, an unchecked one is checked
    /// now, and while the check runs apart, the write waits for it as long as `BusyWait`'s
    /// patience allows, or is held (`Held::Checking`) to be tried again.
    pub(crate) fn before_write(&self) -> Result<()> {
        if self.reading_only {
            return Err(StoreError::ReadingOnly {
                path: self.path.clone(),
            });
        }
        let verdict = match &*self.health.borrow() {
            health::Health::Whole => return Ok(()),
            health::Health::Damaged(detail) => {
                return Err(StoreError::Corrupt {
                    path: self.path.clone(),
                    detail: detail.clone(),
                });
            }
            health::Health::Unchecked => health::quick_check(&self.conn, &self.path),
            health::Health::Checking(checker) => {
                match checker.verdict.recv_timeout(self.busy.patience) {
                    Ok(verdict) => verdict,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        self.held.set(Some(Held::Checking));
                        return Err(StoreError::Checking {
                            path: self.path.clone(),
                        });
                    }
                    // The thread is gone without a word: check here.
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                        health::quick_check(&self.conn, &self.path)
                    }
                }
            }
        };
        self.settle_health(&verdict);
        verdict
    }

    /// How long writes wait for another process; see `BusyWait`.
    pub fn set_busy_wait(&mut self, wait: BusyWait) -> Result<()> {
        self.conn.busy_timeout(wait.per_try)?;
        self.busy = wait;
        Ok(())
    }

    /// Whether another process committed a change since the last call (SQLite's
    /// `data_version`): the screens then read what they show again. The first call only
    /// notes where things stand.
    pub fn news(&self) -> bool {
        let Ok(version) = self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get::<_, i64>(0))
        else {
            return false;
        };
        self.seen_version
            .replace(Some(version))
            .is_some_and(|seen| seen != version)
    }

    /// Whether a write was held since the last call, and why; the screen then says so and
    /// tries the same action again.
    pub fn take_held(&self) -> Option<Held> {
        self.held.take()
    }

    /// Begins an IMMEDIATE transaction, trying again while another process writes, as
    /// long as `BusyWait::patience` allows.
    pub(crate) fn begin_immediate(&self) -> Result<Transaction<'_>> {
        self.before_write()?;
        self.retry_busy(|| Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate))
    }

    fn retry_busy<T>(&self, mut attempt: impl FnMut() -> rusqlite::Result<T>) -> Result<T> {
        let started = Instant::now();
        loop {
            match attempt() {
                Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {
                    if !pause_while_busy(started, self.busy.patience) {
                        self.held.set(Some(Held::Busy));
                        return Err(StoreError::Busy {
                            path: self.path.clone(),
                        });
                    }
                }
                other => return Ok(other?),
            }
        }
    }

    fn user_version(&self) -> rusqlite::Result<u32> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
    }

    fn migrate(&mut self) -> Result<()> {
        let before = self.user_version()?;
        if before == SCHEMA_VERSION {
            return Ok(());
        }
        let backup = match before {
            0 => None,
            _ => Some(self.backup_before_migration(before)?),
        };
        let migrated = self.upgrade();
        if let (Err(StoreError::SchemaMismatch { .. }), Some(backup)) = (&migrated, &backup) {
            // Nothing was changed, and every opening would fail the same way: a copy per
            // try would only fill the folder.
            backup::remove_copy(backup);
        }
        migrated
    }

    /// Brings the schema to `SCHEMA_VERSION` in one transaction. A step that does not fit
    /// the tables there (a version number set back by hand, say) is `SchemaMismatch`.
    fn upgrade(&mut self) -> Result<()> {
        let tx = self.begin_immediate()?;
        // Another process may have migrated while this one waited for the lock.
        let mut version: u32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version == 0 {
            tx.execute_batch(SCHEMA)?;
            version = SCHEMA_VERSION;
        }
        let found = version;
        // A statement the tables refuse means they do not fit the version they say: SQLite's
        // own words, without the statement it quotes (a migration's is many lines long).
        let mismatch = |e: StoreError, detail: Option<String>| match e {
            StoreError::Database(e) if e.kind == DriverKind::Refused => {
                StoreError::SchemaMismatch {
                    path: self.path.clone(),
                    version: found,
                    detail: detail.unwrap_or(e.detail),
                }
            }
            e => e,
        };
        while version < SCHEMA_VERSION {
            tx.execute_batch(UPGRADES[version as usize - 1])
                .map_err(|e| {
                    let detail = sqlite_message(&e);
                    mismatch(e.into(), Some(detail))
                })?;
            version += 1;
        }
        if KEPT_SCORES_REBUILT_AT
            .iter()
            .any(|&v| found < v && v <= SCHEMA_VERSION)
        {
            kept::rebuild(&tx, Instrument::standard()).map_err(|e| mismatch(e, None))?;
        }
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        Ok(())
    }

    /// One write as its own IMMEDIATE transaction, or as a savepoint inside a bulk
    /// transaction (`in_transaction`).
    fn write<T>(&mut self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if self.conn.is_autocommit() {
            let written = self.begin_immediate().and_then(|tx| {
                let value = work(&tx)?;
                tx.commit()?;
                Ok(value)
            });
            written.map_err(|e| e.on_full_disk(&self.path))
        } else {
            let savepoint = self.conn.savepoint()?;
            let value = work(&savepoint)?;
            savepoint.commit()?;
            Ok(value)
        }
    }

    // ---- services ----

    // ---- rounds ----

    // ---- respondents ----

    // ---- answers ----

    /// Changes one answer and appends the change to its history, in one transaction, which
    /// also brings the kept scores up to date. A change that changes nothing writes nothing.
    fn change_answer(
        &mut self,
        respondent_id: &str,
        item_key: &str,
        now: DateTime<Utc>,
        change: impl FnOnce(&mut Answer),
    ) -> Result<Answer> {
        self.write(|tx| {
            // Erased meanwhile (by another kartlegg, say): said as such, not as a constraint.
            let present = tx
                .prepare_cached("SELECT 1 FROM respondent WHERE id = ?1")?
                .exists([respondent_id])?;
            if !present {
                return Err(StoreError::NotFound("respondent"));
            }
            let existing = tx
                .query_row(
                    "SELECT id, value, missing, comment FROM answer
                     WHERE respondent_id = ?1 AND item_key = ?2",
                    params![respondent_id, item_key],
                    |row| Ok((row.get::<_, String>(0)?, answer_from(row, 1)?)),
                )
                .optional()?;
            let (id, old) = match existing {
                Some((id, old)) => (id, Some(old)),
                None => (new_id(), None),
            };
            let mut new = old.clone().unwrap_or_default();
            change(&mut new);
            if old.as_ref() == Some(&new) {
                return Ok(new);
            }
            let at = timestamp(now);
            let (new_value, new_missing) = response_columns(new.response);
            tx.execute(
                "INSERT INTO answer (id, respondent_id, item_key, value, missing, comment, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET
                    value = excluded.value, missing = excluded.missing,
                    comment = excluded.comment, updated_at = excluded.updated_at",
                params![id, respondent_id, item_key, new_value, new_missing, new.comment, at],
            )?;
            let (old_value, old_missing) = response_columns(old.as_ref().and_then(|a| a.response));
            tx.execute(
                "INSERT INTO answer_history (answer_id, respondent_id, old_value, old_missing,
                     old_comment, new_value, new_missing, new_comment, changed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    id,
                    respondent_id,
                    old_value,
                    old_missing,
                    old.as_ref().map(|a| a.comment.as_str()),
                    new_value,
                    new_missing,
                    new.comment,
                    at
                ],
            )?;
            if old.as_ref().and_then(|a| a.response) != new.response {
                kept::answer_changed(tx, Instrument::standard(), respondent_id, item_key)?;
            }
            Ok(new)
        })
    }

    // ---- maintenance ----

    /// Begins many writes as one transaction (`Store::in_transaction`): each write is a
    /// savepoint of it until `end_bulk`.
    pub(crate) fn begin_bulk(&mut self) -> Result<()> {
        self.before_write()?;
        self.retry_busy(|| self.conn.execute_batch("BEGIN IMMEDIATE"))
    }

    /// Commits what `begin_bulk` began when `outcome` is a success, else rolls it back.
    pub(crate) fn end_bulk<T>(&mut self, outcome: Result<T>) -> Result<T> {
        let outcome = outcome.and_then(|value| {
            self.conn.execute_batch("COMMIT")?;
            Ok(value)
        });
        if outcome.is_err() && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        outcome.map_err(|e| e.on_full_disk(&self.path))
    }
}

/// After a busy answer: pauses briefly and says to try again, until `patience` has passed
/// since `started`. SQLite may also answer busy at once (a checkpoint, a recovery, a switch of
/// journal); a short, uneven pause keeps waiting processes out of step.
fn pause_while_busy(started: Instant, patience: Duration) -> bool {
    if started.elapsed() >= patience {
        return false;
    }
    std::thread::sleep(Duration::from_millis(fastrand::u64(5..40)));
    true
}

/// SQLite's own words for an error, without the statement it quotes (a migration's is many
/// lines long).
fn sqlite_message(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        e => e.to_string(),
    }
    .lines()
    .next()
    .unwrap_or_default()
    .to_string()
}

/// Turns SQLite's "not a database" and "malformed" into our own errors.
fn classify(e: rusqlite::Error, path: &Path) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotADatabase {
            path: path.to_path_buf(),
        },
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        _ => e.into(),
    }
}

/// Refuses a database that this user may only read, or whose folder they cannot write to
/// (SQLite keeps its journal beside the file), before SQLite opens it.
fn check_writable(path: &Path) -> Result<()> {
    let read_only = |e: std::io::Error, at: &Path| match e.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            StoreError::ReadOnly {
                path: at.to_path_buf(),
            }
        }
        _ => StoreError::Io {
            path: at.to_path_buf(),
            source: e,
        },
    };
    // Opening for writing, without creating or truncating, changes nothing in the file.
    OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| read_only(e, path))?;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    rustix::fs::access(folder, rustix::fs::Access::WRITE_OK)
        .map_err(|e| read_only(e.into(), folder))
}

fn answer_from(row: &Row, first: usize) -> rusqlite::Result<Answer> {
    Ok(Answer {
        response: response_from(
            row.get(first)?,
            row.get::<_, Option<String>>(first + 1)?.as_deref(),
        ),
        comment: row.get(first + 2)?,
    })
}

/// A list column (municipality numbers, subdomain keys) as stored: comma separated.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect()
}

/// A service from the first four columns of its row (id, name, municipalities, cluster).
pub(super) fn service_from(row: &Row) -> rusqlite::Result<Service> {
    let municipalities: String = row.get(2)?;
    Ok(Service {
        id: row.get(0)?,
        name: row.get(1)?,
        municipalities: split_list(&municipalities),
        cluster: row.get(3)?,
    })
}

/// Adds a service as it is, for the screens and the import alike.
pub(super) fn insert_service(
    conn: &Connection,
    service: &Service,
    created_at: &str,
    updated_at: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO service (id, name, municipalities, cluster, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        service.id,
        service.name,
        service.municipalities.join(","),
        service.cluster,
        created_at,
        updated_at
    ])?;
    Ok(())
}

/// Writes a service's name, municipalities and cluster over it; says whether it was there.
pub(super) fn write_service(
    conn: &Connection,
    service: &Service,
    updated_at: &str,
) -> rusqlite::Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE service SET name = ?2, municipalities = ?3, cluster = ?4, updated_at = ?5
             WHERE id = ?1",
        )?
        .execute(params![
            service.id,
            service.name,
            service.municipalities.join(","),
            service.cluster,
            updated_at
        ])?;
    Ok(changed > 0)
}

fn round_from(row: &Row) -> rusqlite::Result<Round> {
    let held_on: String = row.get(3)?;
    let kind: String = row.get(4)?;
    Ok(Round {
        id: row.get(0)?,
        service_id: row.get(1)?,
        label: row.get(2)?,
        held_on: held_on.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e))
        })?,
        kind: RoundKind::from_code(&kind).ok_or_else(|| invalid_code(4, &kind))?,
        instrument_key: row.get(5)?,
        instrument_version: row.get(6)?,
    })
}

/// `N` bytes from the OS's random source; a system that has none is an error of the store
/// (nothing is written without them).
pub(super) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut random = [0u8; N];
    getrandom::fill(&mut random).map_err(|e| {
        StoreError::Database(DriverError {
            kind: DriverKind::Other,
            detail: format!("no random bytes from the system: {e}"),
        })
    })?;
    Ok(random)
}

pub(super) fn insert_respondent(
    tx: &Connection,
    respondent: &Respondent,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO respondent (id, round_id, role, code, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            respondent.id,
            respondent.round_id,
            respondent.role.code(),
            respondent.code,
            timestamp(now)
        ],
    )?;
    Ok(())
}

pub(super) fn find_respondent(conn: &Connection, id: &str) -> Result<Option<Respondent>> {
    Ok(conn
        .query_row(
            "SELECT id, round_id, role, code FROM respondent WHERE id = ?1",
            [id],
            respondent_from,
        )
        .optional()?)
}

fn respondent_from(row: &Row) -> rusqlite::Result<Respondent> {
    let role: String = row.get(2)?;
    Ok(Respondent {
        id: row.get(0)?,
        round_id: row.get(1)?,
        role: Role::from_code(&role).ok_or_else(|| invalid_code(2, &role))?,
        code: row.get(3)?,
    })
}

pub(crate) fn invalid_code(column: usize, code: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("unknown code {code:?}").into(),
    )
}

impl Admin for FileStore {
    fn backup_to(&self, target: &Path) -> Result<Verdict> {
        self.write_checked_copy(target)
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn schema_version(&self) -> Result<u32> {
        Ok(self.user_version()?)
    }

    fn counts(&self) -> Result<Counts> {
        let count = |table: &str| -> Result<usize> {
            let n: i64 =
                self.conn
                    .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            Ok(n as usize)
        };
        Ok(Counts {
            services: count("service")?,
            rounds: count("round")?,
            respondents: count("respondent")?,
            answers: count("answer")?,
            history: count("answer_history")?,
        })
    }

    fn integrity_problems(&self) -> Result<Vec<String>> {
        let checked = (|| {
            let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect::<rusqlite::Result<Vec<String>>>()
        })()
        .map_err(|e| classify(e, &self.path));
        if let Err(e @ StoreError::Corrupt { .. }) = &checked {
            self.settle_health(&Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: e.to_string(),
            }));
        }
        let mut problems = checked?;
        problems.retain(|line| line != "ok");
        if let Some(first) = problems.first() {
            // Found damaged here too: nothing of the log goes into it as this closes.
            self.settle_health(&Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: first.clone(),
            }));
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let broken = stmt.query_map([], |r| {
            Ok(format!(
                "foreign key: {} row {} -> {}",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?
            ))
        })?;
        for line in broken {
            problems.push(line?);
        }
        Ok(problems)
    }
}

impl Answers for FileStore {
    fn respondent(&self, id: &str) -> Result<Option<Respondent>> {
        find_respondent(&self.conn, id)
    }

    fn services(&self) -> Result<Vec<ServiceSummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, s.name, s.municipalities, s.cluster,
                    (SELECT count(*) FROM round r WHERE r.service_id = s.id)
             FROM service s ORDER BY s.cluster COLLATE NOCASE, s.name COLLATE NOCASE",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(ServiceSummary {
                service: service_from(row)?,
                rounds: row.get::<_, i64>(4)? as usize,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn service_list(&self) -> Result<Vec<Service>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, municipalities, cluster
             FROM service ORDER BY cluster COLLATE NOCASE, name COLLATE NOCASE",
        )?;
        let rows = stmt.query_map([], service_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn service_ids_named(&self, matches: impl Fn(&str) -> bool) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT id, name FROM service")?;
        let mut rows = stmt.query([])?;
        let mut ids = Vec::new();
        while let Some(row) = rows.next()? {
            if matches(row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?) {
                ids.push(row.get(0)?);
            }
        }
        Ok(ids)
    }

    fn service(&self, id: &str) -> Result<Service> {
        self.conn
            .query_row(
                "SELECT id, name, municipalities, cluster FROM service WHERE id = ?1",
                [id],
                service_from,
            )
            .optional()?
            .ok_or(StoreError::NotFound("service"))
    }

    fn create_service(
        &mut self,
        name: &str,
        municipalities: &[String],
        cluster: &str,
        now: DateTime<Utc>,
    ) -> Result<Service> {
        let service = Service {
            id: new_id(),
            name: name.to_string(),
            municipalities: municipalities.to_vec(),
            cluster: cluster.to_string(),
        };
        let at = timestamp(now);
        self.write(|tx| Ok(insert_service(tx, &service, &at, &at)?))?;
        Ok(service)
    }

    fn update_service(&mut self, service: &Service, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            if !write_service(tx, service, &timestamp(now))? {
                return Err(StoreError::NotFound("service"));
            }
            Ok(())
        })
    }

    fn rounds(&self, service_id: &str) -> Result<Vec<RoundSummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.service_id, r.label, r.held_on, r.kind, r.instrument_key,
                    r.instrument_version,
                    (SELECT count(*) FROM respondent p WHERE p.round_id = r.id),
                    (SELECT stage FROM round_stage s WHERE s.round_id = r.id)
             FROM round r WHERE r.service_id = ?1 ORDER BY r.held_on, r.created_at, r.rowid",
        )?;
        let rows = stmt.query_map([service_id], |row| {
            let stage: Option<String> = row.get(8)?;
            Ok(RoundSummary {
                round: round_from(row)?,
                respondents: row.get::<_, i64>(7)? as usize,
                stage: stage.and_then(|s| crate::domain::plan::Stage::from_code(&s)),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn round(&self, id: &str) -> Result<Round> {
        self.conn
            .query_row(
                "SELECT id, service_id, label, held_on, kind, instrument_key, instrument_version
                 FROM round WHERE id = ?1",
                [id],
                round_from,
            )
            .optional()?
            .ok_or(StoreError::NotFound("round"))
    }

    fn create_round(
        &mut self,
        service_id: &str,
        label: &str,
        held_on: NaiveDate,
        kind: RoundKind,
        instrument: &Instrument,
        now: DateTime<Utc>,
    ) -> Result<Round> {
        let round = Round {
            id: new_id(),
            service_id: service_id.to_string(),
            label: label.to_string(),
            held_on,
            kind,
            instrument_key: instrument.key.clone(),
            instrument_version: instrument.version.clone(),
        };
        self.write(|tx| {
            tx.execute(
                "INSERT INTO round (id, service_id, label, held_on, kind, instrument_key,
                                    instrument_version, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    round.id,
                    round.service_id,
                    round.label,
                    round.held_on.to_string(),
                    round.kind.code(),
                    round.instrument_key,
                    round.instrument_version,
                    timestamp(now)
                ],
            )?;
            Ok(())
        })?;
        Ok(round)
    }

    fn respondents(&self, round_id: &str) -> Result<Vec<RespondentSummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.id, p.round_id, p.role, p.code,
                    -- The kept tallies count only the items put to the respondent, so an
                    -- answer to one not asked (old data, an import) is no item answered.
                    (SELECT coalesce(sum(s.scored + s.dont_know + s.not_applicable), 0)
                      FROM respondent_score s WHERE s.respondent_id = p.id),
                    (SELECT max(a.updated_at) FROM answer a WHERE a.respondent_id = p.id)
             FROM respondent p WHERE p.round_id = ?1 ORDER BY p.created_at, p.rowid",
        )?;
        let rows = stmt.query_map([round_id], |row| {
            Ok(RespondentSummary {
                respondent: respondent_from(row)?,
                answered: row.get::<_, i64>(4)? as usize,
                last_change: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn create_respondent(
        &mut self,
        round_id: &str,
        role: Role,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Respondent> {
        let respondent = Respondent {
            id: new_id(),
            round_id: round_id.to_string(),
            role,
            code: code.to_string(),
        };
        self.write(|tx| insert_respondent(tx, &respondent, now))?;
        Ok(respondent)
    }

    fn answers(&self, respondent_id: &str) -> Result<AnswerSet> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT item_key, value, missing, comment FROM answer WHERE respondent_id = ?1",
        )?;
        let rows = stmt.query_map([respondent_id], |row| {
            Ok((row.get::<_, String>(0)?, answer_from(row, 1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
    }

    fn round_answers(&self, round_id: &str) -> Result<Vec<(Respondent, AnswerSet)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, round_id, role, code FROM respondent
             WHERE round_id = ?1 ORDER BY created_at, rowid",
        )?;
        let rows = stmt.query_map([round_id], respondent_from)?;
        let mut all: Vec<(Respondent, AnswerSet)> = rows
            .map(|r| r.map(|respondent| (respondent, AnswerSet::new())))
            .collect::<rusqlite::Result<_>>()?;
        let position: HashMap<String, usize> = (all.iter().enumerate())
            .map(|(i, (respondent, _))| (respondent.id.clone(), i))
            .collect();
        // The answers as the index gives them, each to its respondent: no sorting.
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.respondent_id, a.item_key, a.value, a.missing, a.comment
             FROM respondent p JOIN answer a ON a.respondent_id = p.id
             WHERE p.round_id = ?1",
        )?;
        let mut rows = stmt.query([round_id])?;
        while let Some(row) = rows.next()? {
            let respondent = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
            if let Some(&i) = position.get(respondent) {
                all[i].1.insert(row.get(1)?, answer_from(row, 2)?);
            }
        }
        Ok(all)
    }

    fn save_response(
        &mut self,
        respondent_id: &str,
        item_key: &str,
        response: Option<Response>,
        now: DateTime<Utc>,
    ) -> Result<Answer> {
        self.change_answer(respondent_id, item_key, now, |answer| {
            answer.response = response;
        })
    }

    fn save_comment(
        &mut self,
        respondent_id: &str,
        item_key: &str,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<Answer> {
        self.change_answer(respondent_id, item_key, now, |answer| {
            answer.comment = comment.to_string();
        })
    }

    fn history(&self, respondent_id: &str, item_key: &str) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.old_value, h.old_missing, h.old_comment, h.new_value, h.new_missing,
                    h.new_comment, h.changed_at
             FROM answer_history h JOIN answer a ON a.id = h.answer_id
             WHERE a.respondent_id = ?1 AND a.item_key = ?2 ORDER BY h.seq",
        )?;
        let rows = stmt.query_map(params![respondent_id, item_key], |row| {
            let old_comment: Option<String> = row.get(2)?;
            let old = match old_comment {
                Some(comment) => Some(Answer {
                    response: response_from(
                        row.get(0)?,
                        row.get::<_, Option<String>>(1)?.as_deref(),
                    ),
                    comment,
                }),
                None => None,
            };
            Ok(HistoryEntry {
                old,
                new: answer_from(row, 3)?,
                changed_at: row.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
