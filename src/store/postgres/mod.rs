//! The PostgreSQL store: a region's database on one server, beside the embedded SQLite that
//! stays the default. The same tables as `schema.sql` (translated in `schema`), the same
//! traits, the same contract (`tests/store_contract.rs`).
//!
//! Every write is one transaction that first takes the database's write lock (an advisory
//! lock), so writers take turns as they do on SQLite: a change to an answer, its history and
//! the kept scores it moves are one step, never interleaved with another's. Readers never
//! wait: each read sees what was committed when it began.

pub mod access;
mod answers;
mod bulk;
mod changes;
mod clusters;
mod copied;
mod erase;
mod exchange;
mod invite;
mod kept;
mod needs;
mod plan;
mod positions;
pub mod schema;
mod shared;
pub mod target;
mod tls;

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::{Client, NoTls};

use target::{Target, Tls};

use super::{Admin, BusyWait, Counts, DriverError, DriverKind, Held, Result, StoreError, Verdict};
use crate::store::sqlite::{SCHEMA, SCHEMA_VERSION};

/// The tables' rules that SQLite writes as triggers, in PL/pgSQL.
const RULES: &str = include_str!("rules.sql");

/// The key of the advisory lock every write takes: kartlegg's writers take turns.
const WRITE_LOCK: i64 = 0x6b61_7274_6c65_6767; // "kartlegg"

pub struct PgStore {
    /// `None` once the connection is lost: the next read or write connects again.
    client: RefCell<Option<Client>>,
    target: Target,
    /// The server and database, without any password: what messages name.
    shown: PathBuf,
    busy: BusyWait,
    /// Set when a write was held (another kartlegg writes, or the server is unreachable),
    /// to be tried again.
    held: Cell<Option<Held>>,
    /// Inside `in_transaction`: each write is a savepoint of the one transaction.
    bulk: Cell<bool>,
    /// This connection's server process: its own changes are no news to it.
    backend: Cell<i32>,
    /// A change from another connection was heard and not yet told (`news`).
    heard: Cell<bool>,
}

/// Whether `target` names a server rather than a file: a `postgres://` or `postgresql://`
/// URL.
pub fn is_server(target: &str) -> bool {
    target.starts_with("postgres://") || target.starts_with("postgresql://")
}

/// The server's codes, as the kinds of failure the store's interface names: the one place
/// that reads them.
impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        // A row or table the role's duties do not reach (`access`): said as such.
        if e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) {
            let detail = e.as_db_error().map(|db| db.message().to_string());
            return StoreError::NotPermitted(detail.unwrap_or_else(|| e.to_string()));
        }
        let kind = match e.code() {
            Some(code) => kind_of(code),
            // No code: the connection broke, or never was.
            None if e.is_closed() => DriverKind::Unreachable,
            None => DriverKind::Other,
        };
        let detail = match e.as_db_error() {
            Some(db) => db.message().to_string(),
            // With what lies under it: "error performing TLS handshake" alone says not why.
            None => {
                let mut detail = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(under) = cause {
                    detail.push_str(&format!(": {under}"));
                    cause = under.source();
                }
                detail
            }
        };
        StoreError::Database(DriverError { kind, detail })
    }
}

fn kind_of(code: &SqlState) -> DriverKind {
    let class = &code.code()[..2];
    match class {
        // integrity constraint violation, data exception (a day that is no day)
        "23" | "22" => DriverKind::Refused,
        // serialization failure, deadlock; lock not available
        "40" | "55" => DriverKind::Busy,
        // connection exception; operator intervention (the server shuts down)
        "08" | "57" => DriverKind::Unreachable,
        // insufficient resources: a full disk among them
        "53" if *code == SqlState::DISK_FULL => DriverKind::DiskFull,
        "58" => DriverKind::IoFailure,
        "XX" => DriverKind::Corrupt,
        // syntax or access rule: SQL that does not fit the tables, or a right not granted
        "42" => DriverKind::Refused,
        _ => DriverKind::Other,
    }
}

impl PgStore {
    /// Connects to a kartlegg database on a server. An empty database is refused with
    /// `Missing` (`init` makes the schema), another program's with `ForeignDatabase`, one
    /// of a newer schema with `NewerSchema`.
    pub fn open(target: &str) -> Result<PgStore> {
        PgStore::connect(target)?.usable()
    }

    /// This store, if its database is kartlegg's at the schema this kartlegg knows.
    fn usable(self) -> Result<PgStore> {
        let store = self;
        match store.found_version()? {
            Some(version) if version == SCHEMA_VERSION => Ok(store),
            Some(found) if found > SCHEMA_VERSION => Err(StoreError::NewerSchema {
                path: store.shown.clone(),
                found,
                known: SCHEMA_VERSION,
            }),
            // The server's schema began at this version: there is nothing older to upgrade.
            Some(found) => Err(StoreError::SchemaMismatch {
                path: store.shown.clone(),
                version: found,
                detail: format!("a server's schema begins at version {SCHEMA_VERSION}"),
            }),
            None if store.is_empty()? => Err(StoreError::Missing {
                path: store.shown.clone(),
            }),
            None => Err(StoreError::ForeignDatabase {
                path: store.shown.clone(),
            }),
        }
    }

    /// Makes kartlegg's schema on an empty database, in one transaction: whole or not at
    /// all. A database that is kartlegg's already, at this version, is left as it is.
    pub fn init(target: &str) -> Result<PgStore> {
        let store = PgStore::connect(target)?;
        store.write(|tx| {
            // kartlegg's already: `open` says whether this kartlegg can use it.
            if found_version(tx)?.is_some() {
                return Ok(());
            }
            if !is_empty(tx)? {
                return Err(StoreError::ForeignDatabase {
                    path: store.shown.clone(),
                });
            }
            for statement in schema::statements(SCHEMA) {
                tx.batch_execute(&statement)?;
            }
            tx.batch_execute(RULES)?;
            tx.batch_execute(&access::access_sql())?;
            tx.execute(
                "INSERT INTO kartlegg_schema (version) VALUES ($1)",
                &[&i64::from(SCHEMA_VERSION)],
            )?;
            Ok(())
        })?;
        store.usable()
    }

    fn connect(url: &str) -> Result<PgStore> {
        let user = nix::unistd::User::from_uid(nix::unistd::getuid())
            .ok()
            .flatten()
            .map(|u| u.name)
            .unwrap_or_default();
        let target = Target::resolve(url, &|name| std::env::var(name).ok(), &user)?;
        let client = connect(&target)?;
        Ok(PgStore {
            client: RefCell::new(Some(client)),
            shown: target.shown.clone(),
            target,
            busy: BusyWait::COMMAND,
            held: Cell::new(None),
            bulk: Cell::new(false),
            backend: Cell::new(0),
            heard: Cell::new(false),
        })
    }

    fn found_version(&self) -> Result<Option<u32>> {
        self.read(found_version)
    }

    fn is_empty(&self) -> Result<bool> {
        self.read(is_empty)
    }

    /// Where on this machine the comments that could not be saved on this server are kept
    /// (`store::recovery`): the user's data folder, `servers/`, a name for the server and
    /// database. `None` without a data folder.
    pub fn recovery_anchor(&self) -> Option<PathBuf> {
        let data = directories::ProjectDirs::from("", "", "kartlegg")?
            .data_dir()
            .join("servers");
        let name: String = (self.shown.display().to_string().chars())
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect();
        Some(data.join(name))
    }

    /// Whether `id` has a tombstone; unknown (the server away) counts as not erased.
    pub fn is_erased(&self, id: &str) -> bool {
        self.read(|client| Ok(client.query_opt("SELECT 1 FROM erased WHERE id = $1", &[&id])?))
            .is_ok_and(|row| row.is_some())
    }

    /// How long writes wait for another kartlegg's write; see `BusyWait`.
    pub fn set_busy_wait(&mut self, wait: BusyWait) {
        self.busy = wait;
    }

    /// Whether a write was held since the last call, and why.
    pub fn take_held(&self) -> Option<Held> {
        self.held.take()
    }

    /// The connection, made again first where it was lost. A failure to connect is the
    /// server unreachable, and held to be tried again.
    fn with_client<T>(&self, work: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        let mut slot = self.client.borrow_mut();
        if slot.as_ref().is_none_or(Client::is_closed) {
            if self.bulk.get() {
                // The transaction went with the connection: nothing of it is there to go on.
                return Err(unreachable(
                    "the connection was lost during the transaction",
                ));
            }
            let client = connect(&self.target).inspect_err(|_| {
                self.held.set(Some(Held::Unreachable));
            })?;
            *slot = Some(client);
            // What others changed while it was away is news too.
            self.heard.set(true);
            self.backend.set(0);
        }
        let client = slot.as_mut().expect("connected above");
        // Listening from the first use of a connection: a change committed after it opened
        // is news, whenever the program first asks.
        if self.backend.get() == 0 {
            let backend = client
                .batch_execute("LISTEN kartlegg_changed")
                .and_then(|()| client.query_one("SELECT pg_backend_pid()", &[]));
            match backend {
                Ok(row) => self.backend.set(row.get(0)),
                Err(e) => {
                    if client.is_closed() {
                        *slot = None;
                        self.held.set(Some(Held::Unreachable));
                    }
                    return Err(e.into());
                }
            }
        }
        let outcome = work(client);
        if client.is_closed() {
            *slot = None;
            self.backend.set(0);
            self.held.set(Some(Held::Unreachable));
        }
        outcome
    }

    /// Whether another connection committed a change since the last call (the server's
    /// LISTEN/NOTIFY): the screens then read what they show again. Waits a millisecond at
    /// most: the client reads what the socket holds only when its runtime gets a turn.
    pub fn news(&self) -> bool {
        if self.bulk.get() {
            return false;
        }
        let mut slot = self.client.borrow_mut();
        if let Some(client) = slot.as_mut() {
            let own = self.backend.get();
            use postgres::fallible_iterator::FallibleIterator;
            let mut notifications = client.notifications();
            let mut pending = notifications.timeout_iter(Duration::from_millis(1));
            let mut heard = self.heard.replace(false);
            while let Ok(Some(notification)) = pending.next() {
                heard |= notification.process_id() != own;
            }
            return heard;
        }
        self.heard.replace(false)
    }

    /// One write as its own transaction, after the writers before it (they take turns at
    /// the database's write lock, waiting as `BusyWait` says); inside `in_transaction`, a
    /// savepoint of that one.
    fn write<T>(&self, work: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        self.with_client(|client| {
            if self.bulk.get() {
                client.batch_execute("SAVEPOINT write")?;
                let written = work(client);
                return finish(
                    client,
                    written,
                    "RELEASE SAVEPOINT write",
                    "ROLLBACK TO SAVEPOINT write",
                );
            }
            client.batch_execute("BEGIN")?;
            let written = self.take_write_lock(client).and_then(|()| work(client));
            finish(client, written, "COMMIT", "ROLLBACK")
        })
    }

    /// Waits for the database's write lock, a try at a time, as long as `BusyWait` allows.
    fn take_write_lock(&self, client: &mut Client) -> Result<()> {
        // Most writes find it free: then it is one round trip, not four.
        let free: bool = client
            .query_typed(
                "SELECT pg_try_advisory_xact_lock($1)",
                &[(&WRITE_LOCK, postgres::types::Type::INT8)],
            )?
            .first()
            .is_some_and(|row| row.get(0));
        if free {
            return Ok(());
        }
        let started = Instant::now();
        loop {
            let per_try = self.busy.per_try.max(Duration::from_millis(1));
            client.batch_execute(&format!(
                "SET LOCAL lock_timeout = {}; SAVEPOINT lock",
                per_try.as_millis()
            ))?;
            let lock = client.query_typed(
                "SELECT pg_advisory_xact_lock($1)",
                &[(&WRITE_LOCK, postgres::types::Type::INT8)],
            );
            match lock {
                Ok(_) => {
                    client.batch_execute("RELEASE SAVEPOINT lock; SET LOCAL lock_timeout = 0")?;
                    return Ok(());
                }
                Err(e) if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => {
                    client.batch_execute("ROLLBACK TO SAVEPOINT lock")?;
                    if started.elapsed() >= self.busy.patience {
                        self.held.set(Some(Held::Busy));
                        return Err(StoreError::Busy {
                            path: self.shown.clone(),
                        });
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// One read, from a snapshot of its own; inside `in_transaction`, in that one.
    fn read<T>(&self, work: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        self.with_client(|client| {
            if self.bulk.get() {
                return work(client);
            }
            client.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
            let read = work(client);
            finish(client, read, "COMMIT", "ROLLBACK")
        })
    }

    /// Begins many writes as one transaction (`Store::in_transaction`): each write is a
    /// savepoint of it until `end_bulk`.
    pub(crate) fn begin_bulk(&mut self) -> Result<()> {
        self.with_client(|client| {
            client.batch_execute("BEGIN")?;
            self.take_write_lock(client)
        })?;
        self.bulk.set(true);
        Ok(())
    }

    /// Commits what `begin_bulk` began when `outcome` is a success, else rolls it back.
    pub(crate) fn end_bulk<T>(&mut self, outcome: Result<T>) -> Result<T> {
        // Still in bulk while it ends: a connection lost meanwhile is not made again, and
        // nothing is said to be written that went with it.
        let ended = self.with_client(|client| finish(client, outcome, "COMMIT", "ROLLBACK"));
        self.bulk.set(false);
        ended
    }
}

/// Ends what `outcome` ran in: `commit` after a success, `rollback` after a failure, whose
/// error is then what is said.
fn finish<T>(client: &mut Client, outcome: Result<T>, commit: &str, rollback: &str) -> Result<T> {
    match outcome {
        Ok(value) => {
            client.batch_execute(commit)?;
            Ok(value)
        }
        Err(e) => {
            let _ = client.batch_execute(rollback);
            Err(e)
        }
    }
}

fn unreachable(detail: &str) -> StoreError {
    StoreError::Database(DriverError {
        kind: DriverKind::Unreachable,
        detail: detail.to_string(),
    })
}

/// A connection to the server `target` names, with TLS as it asks.
fn connect(target: &Target) -> Result<Client> {
    // A Unix socket never carries TLS, as with libpq: it does not leave the machine.
    let on_socket = (target.config.get_hosts().iter())
        .all(|host| matches!(host, postgres::config::Host::Unix(_)));
    Ok(match target.tls {
        _ if on_socket => target.config.connect(NoTls)?,
        Tls::Off => target.config.connect(NoTls)?,
        Tls::Prefer | Tls::Require => target.config.connect(tls::unchecked()?)?,
        Tls::Verify => target
            .config
            .connect(tls::verified(&|name| std::env::var(name).ok())?)?,
    })
}

fn found_version(tx: &mut Client) -> Result<Option<u32>> {
    let there: bool = tx
        .query_one("SELECT to_regclass('kartlegg_schema') IS NOT NULL", &[])?
        .get(0);
    if !there {
        return Ok(None);
    }
    let version: Option<i64> = tx
        .query_opt("SELECT max(version) FROM kartlegg_schema", &[])?
        .and_then(|row| row.get(0));
    Ok(version.map(|v| u32::try_from(v).unwrap_or(u32::MAX)))
}

/// Whether the database's current schema holds no tables at all.
fn is_empty(tx: &mut Client) -> Result<bool> {
    let tables: i64 = tx
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()",
            &[],
        )?
        .get(0);
    Ok(tables == 0)
}

fn count(tx: &mut Client, table: &str) -> Result<usize> {
    let n: i64 = tx
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])?
        .get(0);
    Ok(n as usize)
}

impl Admin for PgStore {
    fn path(&self) -> &Path {
        &self.shown
    }

    fn schema_version(&self) -> Result<u32> {
        Ok(self.found_version()?.unwrap_or(0))
    }

    fn counts(&self) -> Result<Counts> {
        self.read(|tx| {
            Ok(Counts {
                services: count(tx, "service")?,
                rounds: count(tx, "round")?,
                respondents: count(tx, "respondent")?,
                answers: count(tx, "answer")?,
                history: count(tx, "answer_history")?,
            })
        })
    }

    /// The server holds every key and check at each write and checks its own pages; what
    /// is left to look for is a schema that is not kartlegg's whole.
    fn integrity_problems(&self) -> Result<Vec<String>> {
        self.read(|tx| {
            let mut problems = Vec::new();
            for statement in schema::statements(SCHEMA) {
                if let Some(table) = statement
                    .strip_prefix("CREATE TABLE ")
                    .and_then(|rest| rest.split_whitespace().next())
                {
                    let there: bool = tx
                        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])?
                        .get(0);
                    if !there {
                        problems.push(format!("table {table} is missing"));
                    }
                }
            }
            Ok(problems)
        })
    }

    fn backup_to(&self, _target: &Path) -> Result<Verdict> {
        Err(StoreError::OnServer("backup"))
    }
}
