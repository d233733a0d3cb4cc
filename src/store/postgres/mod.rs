//! The PostgreSQL store: a region's database on one server, beside the embedded SQLite that
//! stays the default. The same tables as `schema.sql` (translated in `schema`), the same
//! traits, the same contract (`tests/store_contract.rs`).
//!
//! Every write is one transaction that first takes the database's write lock (an advisory
//! lock), so writers take turns as they do on SQLite: a change to an answer, its history and
//! the kept scores it moves are one step, never interleaved with another's. Readers never
//! wait: each read sees what was committed when it began.

mod answers;
mod exchange;
mod kept;
pub mod schema;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use postgres::error::SqlState;
use postgres::{Client, NoTls, Transaction};

use super::{Admin, Counts, DriverError, DriverKind, Result, StoreError, Verdict};
use crate::store::sqlite::{SCHEMA, SCHEMA_VERSION};

/// The tables' rules that SQLite writes as triggers, in PL/pgSQL.
const RULES: &str = include_str!("rules.sql");

/// The key of the advisory lock every write takes: kartlegg's writers take turns.
const WRITE_LOCK: i64 = 0x6b61_7274_6c65_6767; // "kartlegg"

pub struct PgStore {
    client: RefCell<Client>,
    /// The server and database, without any password: what messages name.
    shown: PathBuf,
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
        let kind = match e.code() {
            Some(code) => kind_of(code),
            // No code: the connection broke, or never was.
            None if e.is_closed() => DriverKind::Unreachable,
            None => DriverKind::Other,
        };
        let detail = match e.as_db_error() {
            Some(db) => db.message().to_string(),
            None => e.to_string(),
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

/// The server and database a connection string names, without its password.
fn shown(config: &postgres::Config) -> PathBuf {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let database = config.get_dbname().unwrap_or_default();
    PathBuf::from(format!("postgres://{user}{}/{database}", hosts.join(",")))
}

impl PgStore {
    /// Connects to a kartlegg database on a server. An empty database is refused with
    /// `Missing` (`init` makes the schema), another program's with `ForeignDatabase`, one
    /// of a newer schema with `NewerSchema`.
    pub fn open(target: &str) -> Result<PgStore> {
        let store = PgStore::connect(target)?;
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
            tx.execute(
                "INSERT INTO kartlegg_schema (version) VALUES ($1)",
                &[&i64::from(SCHEMA_VERSION)],
            )?;
            Ok(())
        })?;
        PgStore::open(target)
    }

    fn connect(target: &str) -> Result<PgStore> {
        let config = postgres::Config::from_str(target).map_err(|e| {
            StoreError::Database(DriverError {
                kind: DriverKind::Unreachable,
                detail: format!("not a server address: {e}"),
            })
        })?;
        let shown = shown(&config);
        let client = config.connect(NoTls)?;
        Ok(PgStore {
            client: RefCell::new(client),
            shown,
        })
    }

    fn found_version(&self) -> Result<Option<u32>> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction()?;
        let version = found_version(&mut tx)?;
        tx.commit()?;
        Ok(version)
    }

    fn is_empty(&self) -> Result<bool> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction()?;
        is_empty(&mut tx)
    }

    /// One write as its own transaction, after the writers before it.
    fn write<T>(&self, work: impl FnOnce(&mut Transaction) -> Result<T>) -> Result<T> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
        let value = work(&mut tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// One read, from a snapshot of its own.
    fn read<T>(&self, work: impl FnOnce(&mut Transaction) -> Result<T>) -> Result<T> {
        let mut client = self.client.borrow_mut();
        let mut tx = client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let value = work(&mut tx)?;
        tx.commit()?;
        Ok(value)
    }
}

fn found_version(tx: &mut Transaction) -> Result<Option<u32>> {
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
fn is_empty(tx: &mut Transaction) -> Result<bool> {
    let tables: i64 = tx
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()",
            &[],
        )?
        .get(0);
    Ok(tables == 0)
}

fn count(tx: &mut Transaction, table: &str) -> Result<usize> {
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
