//! The SQLite side of exchange: export as SQLite yields the rows (JSON and CSV), and the
//! import's writes, inside one IMMEDIATE transaction that the first problem rolls back, so a
//! refused file leaves the database as it was. The format, its checks and the reader are
//! `crate::exchange`.
//!
//! Both directions stream, so that a national database (1.5 million answers) never has to
//! fit in memory.

use super::{Counts, Result, Store, StoreError, kept};
use crate::exchange::check::{
    bad_code, canonical, check_response, checked_date, checked_plan_item, checked_text, identity,
    instant, missing_parent, not_empty, snapshot_of,
};
use crate::exchange::merge::{self, Verdict};
use crate::exchange::read::{BATCHES_AHEAD, Handed, Parsed, Reading};
use crate::exchange::{
    AnswerRow, CSV_CONTEXT, CSV_LONG, ChangeRow, ConsensusRow, CsvDialect, CsvLayout, FORMAT,
    FORMAT_VERSION, GoalRow, GoalStatusRow, HistoryRow, ImportClock, ImportSummary, InstrumentRef,
    PlanCounts, PlanItemRow, Problem, Refusal, RespondentRow, RoundRow, RoundStageRow, Scope,
    ServiceRow, Tally, csv_io_error, neutralise, timestamp, write_error,
};
use crate::store::Exported;
use std::collections::HashMap;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;
use std::sync::mpsc::{self, Receiver};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Statement, ToSql, params};
use serde::Serialize;

use crate::domain::instrument::{Instrument, Scale};
use crate::domain::model::{Role, RoundKind, TextKind};
use crate::domain::plan::{Goal, GoalStatus, Level, Stage};
use crate::store::Admin;

/// The page cache during an import, in KiB (SQLite's negative `cache_size`).
const IMPORT_CACHE_KIB: i64 = -32_768;

// ---- export ----

/// A query over one table, narrowed to one service by joining up to `round`.
struct Scoped {
    select: &'static str,
    join: &'static str,
    service_column: &'static str,
    order: &'static str,
}

impl Scoped {
    fn sql(&self, scope: Scope<'_>) -> String {
        match scope {
            Scope::All => format!("{} {}", self.select, self.order),
            Scope::Service(_) => format!(
                "{} {} WHERE {} = ?1 {}",
                self.select, self.join, self.service_column, self.order
            ),
        }
    }
}

fn scope_params<'a>(scope: &'a Scope<'a>) -> Vec<&'a dyn ToSql> {
    match scope {
        Scope::All => Vec::new(),
        Scope::Service(id) => vec![id as &dyn ToSql],
    }
}

// Rows come in the order they were made (the order the screens list them in), so that an
// import into an empty database gives back the same order, and its export the same file.
const SERVICES: Scoped = Scoped {
    select: "SELECT s.id, s.name, s.municipalities, s.cluster, s.created_at, s.updated_at
             FROM service s",
    join: "",
    service_column: "s.id",
    order: "ORDER BY s.created_at, s.rowid",
};
const ROUNDS: Scoped = Scoped {
    select: "SELECT r.id, r.service_id, r.label, r.held_on, r.kind, r.instrument_key,
                    r.instrument_version, r.created_at
             FROM round r",
    join: "",
    service_column: "r.service_id",
    order: "ORDER BY r.created_at, r.rowid",
};
const RESPONDENTS: Scoped = Scoped {
    select: "SELECT p.id, p.round_id, p.role, p.code, p.created_at FROM respondent p",
    join: "JOIN round r ON r.id = p.round_id",
    service_column: "r.service_id",
    order: "ORDER BY p.created_at, p.rowid",
};
const ANSWERS: Scoped = Scoped {
    select: "SELECT a.id, a.respondent_id, a.item_key, a.value, a.missing, a.comment, a.updated_at
             FROM answer a",
    join: "JOIN respondent p ON p.id = a.respondent_id JOIN round r ON r.id = p.round_id",
    service_column: "r.service_id",
    order: "ORDER BY a.rowid",
};
const HISTORY: Scoped = Scoped {
    select: "SELECT h.answer_id, h.respondent_id, h.old_value, h.old_missing, h.old_comment,
                    h.new_value, h.new_missing, h.new_comment, h.changed_at
             FROM answer_history h",
    join: "JOIN respondent p ON p.id = h.respondent_id JOIN round r ON r.id = p.round_id",
    service_column: "r.service_id",
    order: "ORDER BY h.seq",
};
const PLAN_ITEMS: Scoped = Scoped {
    select: "SELECT p.id, p.service_id, p.subdomain_key, p.kind, p.text, p.level, p.owner,
                    p.due_on, p.done, p.done_on, p.created_at, p.updated_at
             FROM plan_item p",
    join: "",
    service_column: "p.service_id",
    order: "ORDER BY p.created_at, p.rowid",
};
const GOALS: Scoped = Scoped {
    select: "SELECT g.id, g.service_id, g.text, g.subdomain_keys, g.created_at, g.updated_at
             FROM goal g",
    join: "",
    service_column: "g.service_id",
    order: "ORDER BY g.created_at, g.rowid",
};
const GOAL_STATUSES: Scoped = Scoped {
    select: "SELECT s.goal_id, s.round_id, s.status, s.updated_at FROM goal_status s",
    join: "JOIN goal g ON g.id = s.goal_id",
    service_column: "g.service_id",
    order: "ORDER BY s.rowid",
};
const ROUND_STAGES: Scoped = Scoped {
    select: "SELECT t.round_id, t.stage, t.updated_at FROM round_stage t",
    join: "JOIN round r ON r.id = t.round_id",
    service_column: "r.service_id",
    order: "ORDER BY t.rowid",
};
const CONSENSUS: Scoped = Scoped {
    select: "SELECT c.round_id, c.subdomain_key, c.value, c.updated_at FROM consensus c",
    join: "JOIN round r ON r.id = c.round_id",
    service_column: "r.service_id",
    order: "ORDER BY c.rowid",
};
/// The change log names its row by `entity_key` (`goal/round` and `round/subdomain` for the
/// two-part keys); the service is found through that row's parent.
const CHANGES: Scoped = Scoped {
    select: "SELECT l.entity, l.entity_key, l.old_json, l.new_json, l.changed_at
             FROM change_log l",
    join: "",
    service_column: "CASE l.entity
        WHEN 'plan_item' THEN (SELECT service_id FROM plan_item WHERE id = l.entity_key)
        WHEN 'goal' THEN (SELECT service_id FROM goal WHERE id = l.entity_key)
        WHEN 'goal_status' THEN (SELECT service_id FROM goal
                                 WHERE id = substr(l.entity_key, 1, instr(l.entity_key, '/') - 1))
        WHEN 'round_stage' THEN (SELECT service_id FROM round WHERE id = l.entity_key)
        WHEN 'consensus' THEN (SELECT service_id FROM round
                               WHERE id = substr(l.entity_key, 1, instr(l.entity_key, '/') - 1))
        END",
    order: "ORDER BY l.seq",
};
/// Every respondent with the service and round around it, for CSV.
const CSV_RESPONDENTS: Scoped = Scoped {
    select: "SELECT s.id, s.name, s.cluster, r.id, r.label, r.held_on, r.kind,
                    r.instrument_version, p.id, p.role, p.code
             FROM respondent p JOIN round r ON r.id = p.round_id
                               JOIN service s ON s.id = r.service_id",
    join: "",
    service_column: "s.id",
    order: "ORDER BY s.cluster COLLATE NOCASE, s.name COLLATE NOCASE, s.id, r.held_on,
                     r.created_at, r.rowid, p.created_at, p.rowid",
};

fn service_row(row: &Row) -> rusqlite::Result<ServiceRow> {
    let municipalities: String = row.get(2)?;
    Ok(ServiceRow {
        id: row.get(0)?,
        name: row.get(1)?,
        municipalities: super::split_list(&municipalities),
        cluster: row.get(3)?,
        created_at: row.get(4)?,
        updated_at: row.get(5)?,
    })
}

fn round_row(row: &Row) -> rusqlite::Result<RoundRow> {
    Ok(RoundRow {
        id: row.get(0)?,
        service_id: row.get(1)?,
        label: row.get(2)?,
        held_on: row.get(3)?,
        kind: row.get(4)?,
        instrument_key: row.get(5)?,
        instrument_version: row.get(6)?,
        created_at: row.get(7)?,
    })
}

fn respondent_row(row: &Row) -> rusqlite::Result<RespondentRow> {
    Ok(RespondentRow {
        id: row.get(0)?,
        round_id: row.get(1)?,
        role: row.get(2)?,
        code: row.get(3)?,
        created_at: row.get(4)?,
    })
}

fn answer_row(row: &Row) -> rusqlite::Result<AnswerRow> {
    Ok(AnswerRow {
        id: row.get(0)?,
        respondent_id: row.get(1)?,
        item_key: row.get(2)?,
        value: row.get(3)?,
        missing: row.get(4)?,
        comment: row.get(5)?,
        updated_at: row.get(6)?,
    })
}

fn history_row(row: &Row) -> rusqlite::Result<HistoryRow> {
    Ok(HistoryRow {
        answer_id: row.get(0)?,
        respondent_id: row.get(1)?,
        old_value: row.get(2)?,
        old_missing: row.get(3)?,
        old_comment: row.get(4)?,
        new_value: row.get(5)?,
        new_missing: row.get(6)?,
        new_comment: row.get(7)?,
        changed_at: row.get(8)?,
    })
}

fn plan_item_row(row: &Row) -> rusqlite::Result<PlanItemRow> {
    Ok(PlanItemRow {
        id: row.get(0)?,
        service_id: row.get(1)?,
        subdomain_key: row.get(2)?,
        kind: row.get(3)?,
        text: row.get(4)?,
        level: row.get(5)?,
        owner: row.get(6)?,
        due_on: row.get(7)?,
        done: row.get::<_, i64>(8)? != 0,
        done_on: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
    })
}

fn goal_row(row: &Row) -> rusqlite::Result<GoalRow> {
    let keys: String = row.get(3)?;
    Ok(GoalRow {
        id: row.get(0)?,
        service_id: row.get(1)?,
        text: row.get(2)?,
        subdomain_keys: super::split_list(&keys),
        created_at: row.get(4)?,
        updated_at: row.get(5)?,
    })
}

fn goal_status_row(row: &Row) -> rusqlite::Result<GoalStatusRow> {
    Ok(GoalStatusRow {
        goal_id: row.get(0)?,
        round_id: row.get(1)?,
        status: row.get(2)?,
        updated_at: row.get(3)?,
    })
}

fn round_stage_row(row: &Row) -> rusqlite::Result<RoundStageRow> {
    Ok(RoundStageRow {
        round_id: row.get(0)?,
        stage: row.get(1)?,
        updated_at: row.get(2)?,
    })
}

fn consensus_row(row: &Row) -> rusqlite::Result<ConsensusRow> {
    Ok(ConsensusRow {
        round_id: row.get(0)?,
        subdomain_key: row.get(1)?,
        value: row.get(2)?,
        updated_at: row.get(3)?,
    })
}

fn change_row(row: &Row) -> rusqlite::Result<ChangeRow> {
    let snapshot = |column: usize| -> rusqlite::Result<Option<serde_json::Value>> {
        row.get::<_, Option<String>>(column)?
            .map(|text| {
                serde_json::from_str(&text).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        column,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })
            })
            .transpose()
    };
    Ok(ChangeRow {
        entity: row.get(0)?,
        entity_key: row.get(1)?,
        old: snapshot(2)?,
        new: snapshot(3)?,
        changed_at: row.get(4)?,
    })
}

/// Writes JSON one field or one row at a time, a row to a line, so that a problem found on
/// import has a line number that points at its row.
struct JsonOut<'w, 'p> {
    out: BufWriter<&'w mut dyn Write>,
    name: &'p Path,
    buffer: Vec<u8>,
}

impl JsonOut<'_, '_> {
    fn io(&self, source: io::Error) -> StoreError {
        StoreError::Io {
            path: self.name.to_path_buf(),
            source,
        }
    }

    fn raw(&mut self, text: &str) -> Result<()> {
        self.out.write_all(text.as_bytes()).map_err(|e| self.io(e))
    }

    fn value(&mut self, value: &impl Serialize) -> Result<()> {
        self.buffer.clear();
        serde_json::to_writer(&mut self.buffer, value).map_err(|e| self.io(io::Error::other(e)))?;
        self.out.write_all(&self.buffer).map_err(|e| self.io(e))
    }

    fn field(&mut self, name: &str, value: &impl Serialize) -> Result<()> {
        self.value(&name)?;
        self.raw(": ")?;
        self.value(value)?;
        self.raw(",\n")
    }

    /// `"name": [` a row a line `]`, streamed from the query.
    fn array<T: Serialize>(
        &mut self,
        conn: &Connection,
        name: &str,
        query: &Scoped,
        scope: Scope<'_>,
        read: fn(&Row) -> rusqlite::Result<T>,
    ) -> Result<usize> {
        self.value(&name)?;
        self.raw(": [")?;
        let mut stmt = conn.prepare(&query.sql(scope))?;
        let mut rows = stmt.query(scope_params(&scope).as_slice())?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            self.raw(if count == 0 { "\n" } else { ",\n" })?;
            self.value(&read(row)?)?;
            count += 1;
        }
        self.raw("\n]")?;
        Ok(count)
    }
}

impl Store {
    /// Writes everything in `scope` as a JSON export (see `docs/exchange.md`), row by row.
    /// `out_name` names `out` in error messages.
    pub fn export_json(
        &self,
        scope: Scope<'_>,
        instrument: &Instrument,
        now: DateTime<Utc>,
        out: &mut dyn Write,
        out_name: &Path,
    ) -> Result<Exported> {
        // One read transaction, so that the arrays agree even while someone else writes.
        let tx = self.conn.unchecked_transaction()?;
        let mut json = JsonOut {
            out: BufWriter::with_capacity(1 << 16, out),
            name: out_name,
            buffer: Vec::with_capacity(1024),
        };
        json.raw("{\n")?;
        json.field("format", &FORMAT)?;
        json.field("format_version", &FORMAT_VERSION)?;
        json.field("exported_at", &timestamp(now))?;
        json.field("schema_version", &self.schema_version()?)?;
        json.field(
            "instrument",
            &InstrumentRef {
                key: instrument.key.clone(),
                version: instrument.version.clone(),
            },
        )?;
        let services = json.array(&tx, "services", &SERVICES, scope, service_row)?;
        json.raw(",\n")?;
        let rounds = json.array(&tx, "rounds", &ROUNDS, scope, round_row)?;
        json.raw(",\n")?;
        let respondents = json.array(&tx, "respondents", &RESPONDENTS, scope, respondent_row)?;
        json.raw(",\n")?;
        let answers = json.array(&tx, "answers", &ANSWERS, scope, answer_row)?;
        json.raw(",\n")?;
        let history = json.array(&tx, "history", &HISTORY, scope, history_row)?;
        json.raw(",\n")?;
        let plan_items = json.array(&tx, "plan_items", &PLAN_ITEMS, scope, plan_item_row)?;
        json.raw(",\n")?;
        let goals = json.array(&tx, "goals", &GOALS, scope, goal_row)?;
        json.raw(",\n")?;
        let goal_statuses =
            json.array(&tx, "goal_statuses", &GOAL_STATUSES, scope, goal_status_row)?;
        json.raw(",\n")?;
        let round_stages =
            json.array(&tx, "round_stages", &ROUND_STAGES, scope, round_stage_row)?;
        json.raw(",\n")?;
        let consensus = json.array(&tx, "consensus", &CONSENSUS, scope, consensus_row)?;
        json.raw(",\n")?;
        let changes = json.array(&tx, "change_log", &CHANGES, scope, change_row)?;
        json.raw("\n}\n")?;
        json.out.flush().map_err(|e| json.io(e))?;
        Ok(Exported {
            counts: Counts {
                services,
                rounds,
                respondents,
                answers,
                history,
            },
            plans: PlanCounts {
                plan_items,
                goals,
                goal_statuses,
                round_stages,
                consensus,
                changes,
            },
        })
    }

    /// Writes the answers in `scope` as CSV with a header row; returns the number of rows
    /// after the header. Items are in walk order; an item the instrument does not know comes
    /// last in the long layout (without scale bounds) and is left out of the wide one.
    pub fn export_csv(
        &self,
        scope: Scope<'_>,
        instrument: &Instrument,
        layout: CsvLayout,
        dialect: CsvDialect,
        out: &mut dyn Write,
        out_name: &Path,
    ) -> Result<usize> {
        let io_error = csv_io_error(out_name);
        let tx = self.conn.unchecked_transaction()?;
        let items = instrument.items();
        let walk: HashMap<&str, usize> = items
            .iter()
            .map(|i| (i.item.key.as_str(), i.index))
            .collect();
        // Beside each value in the long layout, so that 0–2 and 1–5 are never mixed up.
        let bounds: Vec<[String; 2]> = items
            .iter()
            .map(|i| [i.scale.min().to_string(), i.scale.max().to_string()])
            .collect();
        let mut csv = dialect.writer(out).map_err(write_error(out_name))?;
        let header: Vec<&str> = match layout {
            CsvLayout::Long => CSV_CONTEXT.iter().chain(&CSV_LONG).copied().collect(),
            CsvLayout::Wide => CSV_CONTEXT
                .iter()
                .copied()
                .chain(items.iter().map(|i| i.item.key.as_str()))
                .collect(),
        };
        csv.write_record(&header).map_err(&io_error)?;

        let mut respondents = tx.prepare(&CSV_RESPONDENTS.sql(scope))?;
        let mut answers = tx.prepare_cached(
            "SELECT item_key, value, missing, comment, updated_at
             FROM answer WHERE respondent_id = ?1",
        )?;
        let mut rows = respondents.query(scope_params(&scope).as_slice())?;
        let mut written = 0;
        let mut wide = vec![String::new(); items.len()];
        while let Some(row) = rows.next()? {
            let context = (0..CSV_CONTEXT.len())
                .map(|i| row.get::<_, String>(i))
                .collect::<rusqlite::Result<Vec<String>>>()?;
            let mut theirs = answers
                .query_map([&context[8]], |a| {
                    Ok((
                        a.get::<_, String>(0)?,
                        a.get::<_, Option<i64>>(1)?,
                        a.get::<_, Option<String>>(2)?,
                        a.get::<_, String>(3)?,
                        a.get::<_, String>(4)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            theirs.sort_by(|a, b| {
                let place = |key: &str| walk.get(key).copied().unwrap_or(usize::MAX);
                (place(&a.0), &a.0).cmp(&(place(&b.0), &b.0))
            });
            match layout {
                CsvLayout::Long => {
                    for (key, value, missing, comment, updated_at) in &theirs {
                        let value = value.map(|v| v.to_string()).unwrap_or_default();
                        let [min, max] = walk
                            .get(key.as_str())
                            .map_or(["", ""], |&i| bounds[i].each_ref().map(String::as_str));
                        let record = context.iter().map(String::as_str).chain([
                            key.as_str(),
                            &value,
                            min,
                            max,
                            missing.as_deref().unwrap_or(""),
                            comment,
                            updated_at,
                        ]);
                        csv.write_record(record.map(neutralise).map(|c| c.into_owned()))
                            .map_err(&io_error)?;
                        written += 1;
                    }
                }
                CsvLayout::Wide => {
                    wide.iter_mut().for_each(String::clear);
                    for (key, value, missing, _, _) in &theirs {
                        if let Some(&i) = walk.get(key.as_str()) {
                            wide[i] = match (value, missing) {
                                (Some(v), _) => v.to_string(),
                                (None, Some(code)) => code.clone(),
                                (None, None) => String::new(),
                            };
                        }
                    }
                    let record = context.iter().chain(&wide).map(|c| neutralise(c));
                    csv.write_record(record.map(|c| c.into_owned()))
                        .map_err(&io_error)?;
                    written += 1;
                }
            }
        }
        csv.flush().map_err(write_error(out_name))?;
        Ok(written)
    }

    /// Merges a JSON export into this database, all or nothing (see `docs/exchange.md` for
    /// the rules). A file that cannot be merged is refused with `StoreError::ImportRefused`,
    /// which says why and where, and nothing is written. `clock` is this machine's: times
    /// past it are refused (see `ImportClock`).
    pub fn import_json(
        &mut self,
        input: impl Read + Send,
        instrument: &Instrument,
        clock: ImportClock,
    ) -> Result<ImportSummary> {
        // Checked before the import's pragmas touch it, and through the default page cache:
        // the import's larger one would only hold the check's pages.
        self.before_write()?;
        // A large file inserts into indexes of random ids far bigger than SQLite's default
        // page cache (2 MB); a bigger one for the import alone saves most of the page reads.
        let cache: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))?;
        self.conn
            .pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
        // The write-ahead log takes every page of an import twice: into the log, then into
        // the database. Into an empty database (a new machine, a national collection), a
        // rollback journal takes them once, as the journal holds only pages that had
        // content, and is as safe. It keeps readers out until the import is done, so it is
        // used only where there is nothing to read yet, and only when no other connection
        // is open (SQLite refuses the switch otherwise, and the import runs in the log).
        let empty: bool =
            self.conn
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM service)", [], |r| {
                    r.get(0)
                })?;
        let journal = if empty {
            crate::pause::here("import:journal-next");
            let made = super::private::make_journal(&self.path)?;
            let _ = self.conn.pragma_update(None, "journal_mode", "TRUNCATE");
            Some(made)
        } else {
            None
        };
        // The import looks up every row's parents itself before it writes the row, so that a
        // refusal can say which and where; SQLite's own check of each reference, another
        // look-up per reference, took a fifth of a large import.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let outcome = self
            .import_in_transaction(input, instrument, clock)
            .map_err(|e| e.on_full_disk(&self.path));
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn.pragma_update(None, "cache_size", cache)?;
        // Another process that opened meanwhile brings the log back itself when we cannot.
        let _ = self.conn.pragma_update(None, "journal_mode", "WAL");
        drop(journal);
        outcome
    }

    fn import_in_transaction(
        &mut self,
        input: impl Read + Send,
        instrument: &Instrument,
        clock: ImportClock,
    ) -> Result<ImportSummary> {
        let tx = self.begin_immediate()?;
        // The file is parsed on a thread of its own while this one writes what it has read:
        // parsing takes a fifth of a large import.
        let summary = std::thread::scope(|scope| {
            let (out, handed) = mpsc::sync_channel(BATCHES_AHEAD);
            scope.spawn(move || Reading::run(input, instrument, clock, out));
            let mut importer = Importer::new(&tx, instrument, clock)?;
            // Dropping `handed` on a refusal stops the reader; the scope waits for it.
            importer.write(handed)?;
            let Importer { summary, kept, .. } = importer;
            kept.finish(&tx)?;
            Ok::<_, StoreError>(summary)
        })?;
        tx.commit()?;
        Ok(summary)
    }
}

// ---- import ----

/// Why reading stopped: the file's fault (refused with a place) or the database's.
enum Stop {
    Problem(Problem),
    Store(StoreError),
}

impl From<Problem> for Stop {
    fn from(problem: Problem) -> Stop {
        Stop::Problem(problem)
    }
}

impl From<rusqlite::Error> for Stop {
    fn from(e: rusqlite::Error) -> Stop {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => {
                Stop::Problem(Problem::Rejected(e.to_string()))
            }
            _ => Stop::Store(e.into()),
        }
    }
}

type Step = std::result::Result<(), Stop>;

/// An answer's content, ordered so that an exact tie in time still picks the same winner
/// on both machines.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Content {
    value: Option<i64>,
    missing: Option<String>,
    comment: String,
}

/// An answer as this database stores it.
struct Stored {
    rowid: i64,
    id: String,
}

/// Which answers added by this import have a history row yet, one bit each by rowid (a
/// rowid past `answers_before` is an answer the import added). Until it has one, no change
/// of that answer can be in the history, so the first needs no look for itself.
struct HistoryAdded {
    answers_before: i64,
    bits: Vec<u64>,
}

impl HistoryAdded {
    /// Far more answers than one import adds; past it, every change is looked for.
    const MOST: u64 = 1 << 32;

    fn new(answers_before: i64) -> HistoryAdded {
        HistoryAdded {
            answers_before,
            bits: Vec::new(),
        }
    }

    /// Whether this is the first change added for an answer the import added; marks it.
    fn first(&mut self, rowid: i64) -> bool {
        let Some(index) = rowid
            .checked_sub(self.answers_before)
            .and_then(|past| u64::try_from(past - 1).ok())
            .filter(|&index| index < Self::MOST)
        else {
            return false;
        };
        let (word, bit) = ((index / 64) as usize, 1u64 << (index % 64));
        if word >= self.bits.len() {
            self.bits.resize(word + 1, 0);
        }
        let first = self.bits[word] & bit == 0;
        self.bits[word] |= bit;
        first
    }
}

/// The statements run for nearly every answer and change, prepared once.
struct Hot<'a> {
    add_answer: Statement<'a>,
    answer_by_id: Statement<'a>,
    add_history: Statement<'a>,
}

impl<'a> Hot<'a> {
    fn new(conn: &'a Connection) -> rusqlite::Result<Hot<'a>> {
        Ok(Hot {
            // Does nothing when the id, or the respondent and item, are taken.
            add_answer: conn.prepare(
                "INSERT INTO answer (id, respondent_id, item_key, value, missing, comment,
                                     updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT DO NOTHING",
            )?,
            answer_by_id: conn
                .prepare("SELECT rowid, respondent_id, item_key FROM answer WHERE id = ?1")?,
            add_history: conn.prepare(
                "INSERT INTO answer_history (answer_id, respondent_id, old_value, old_missing,
                     old_comment, new_value, new_missing, new_comment, changed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
        })
    }
}

struct Importer<'a> {
    conn: &'a Connection,
    hot: Hot<'a>,
    instrument: &'a Instrument,
    scales: HashMap<&'a str, &'a Scale>,
    /// Every subdomain (`section.subdomain`) with its section's scale, for consensus values.
    subdomains: HashMap<String, &'a Scale>,
    /// Removals from the file's change log, weighed once the whole log is in.
    removals: Vec<Removal>,
    /// Answer ids in the file that are another id here (the same respondent and item was
    /// answered on both machines), for the history rows that refer to them.
    remap: HashMap<String, String>,
    /// The respondent last found here, for the answers that follow theirs.
    known_respondent: Option<String>,
    kept: kept::Counter<'a>,
    history_added: HistoryAdded,
    summary: ImportSummary,
    clock: ImportClock,
    /// `clock.latest()`, made once.
    latest: Option<String>,
}

impl<'a> Importer<'a> {
    fn new(
        conn: &'a Connection,
        instrument: &'a Instrument,
        clock: ImportClock,
    ) -> rusqlite::Result<Importer<'a>> {
        let answers_before =
            conn.query_row("SELECT ifnull(max(rowid), 0) FROM answer", [], |r| r.get(0))?;
        Ok(Importer {
            conn,
            hot: Hot::new(conn)?,
            instrument,
            scales: instrument
                .items()
                .iter()
                .map(|i| (i.item.key.as_str(), i.scale))
                .collect(),
            subdomains: instrument
                .sections
                .iter()
                .filter_map(|s| Some((s, instrument.scale(&s.scale)?)))
                .flat_map(|(s, scale)| {
                    s.subdomains
                        .iter()
                        .map(move |d| (format!("{}.{}", s.key, d.key), scale))
                })
                .collect(),
            removals: Vec::new(),
            remap: HashMap::new(),
            known_respondent: None,
            kept: kept::Counter::new(instrument),
            history_added: HistoryAdded::new(answers_before),
            summary: ImportSummary::default(),
            clock,
            latest: clock.latest(),
        })
    }

    /// Writes the rows the reader hands over, in the file's order, until it is done or a
    /// row is refused.
    fn write(&mut self, handed: Receiver<Handed>) -> Result<()> {
        for message in handed {
            match message {
                Handed::Rows(rows) => {
                    for (parsed, place) in rows {
                        self.take(parsed).map_err(|stop| match stop {
                            Stop::Problem(problem) => {
                                StoreError::ImportRefused(Box::new(Refusal {
                                    line: place.line,
                                    column: place.column,
                                    problem,
                                }))
                            }
                            Stop::Store(e) => e,
                        })?;
                    }
                }
                Handed::End(None) => return Ok(()),
                Handed::End(Some(refusal)) => {
                    return Err(StoreError::ImportRefused(Box::new(refusal)));
                }
            }
        }
        // The reader went without saying how reading ended: it panicked, and the scope it
        // runs in passes that on. Nothing is committed.
        Err(StoreError::ImportRefused(Box::new(Refusal {
            line: 0,
            column: 0,
            problem: Problem::Read("the file's reader stopped".into()),
        })))
    }

    fn take(&mut self, parsed: Parsed) -> Step {
        match parsed {
            Parsed::Service(row) => self.service(row),
            Parsed::Round(row) => self.round(row),
            Parsed::Respondent(row) => self.respondent(row),
            Parsed::Answer(row) => self.answer(row),
            Parsed::History(row) => self.history(row),
            Parsed::PlanItem(row) => self.plan_item(row),
            Parsed::Goal(row) => self.goal(row),
            Parsed::GoalStatus(row) => self.goal_status(row),
            Parsed::RoundStage(row) => self.round_stage(row),
            Parsed::Consensus(row) => self.consensus(row),
            Parsed::Change(row) => self.change(row),
            Parsed::ChangeLogEnd => self.apply_removals(),
        }
    }

    /// A time the merge rules weigh (an `updated_at`) or a log's `changed_at`: refused more
    /// than a day past this machine's clock, for it would win every merge from then on.
    fn weighed_time(
        &self,
        section: &'static str,
        id: &str,
        field: &'static str,
        text: &str,
    ) -> std::result::Result<String, Stop> {
        let time = instant(section, id, field, text)?;
        match &self.latest {
            Some(latest) if time > *latest => Err(Problem::FutureTime {
                section,
                id: id.to_string(),
                field,
                value: time,
                now: timestamp(self.clock.now),
            }
            .into()),
            _ => Ok(time),
        }
    }

    fn exists(&self, sql: &str, id: &str) -> rusqlite::Result<bool> {
        self.conn.prepare_cached(sql)?.query_row([id], |r| r.get(0))
    }

    fn service(&mut self, row: ServiceRow) -> Step {
        const S: &str = "services";
        not_empty(S, &row.id, "id", &row.id)?;
        checked_text(S, &row.id, "id", &row.id, TextKind::Name)?;
        not_empty(S, &row.id, "name", &row.name)?;
        checked_text(S, &row.id, "name", &row.name, TextKind::Name)?;
        checked_text(S, &row.id, "cluster", &row.cluster, TextKind::Name)?;
        if let Some(bad) = row
            .municipalities
            .iter()
            .find(|m| m.len() != 4 || !m.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Problem::Municipality {
                section: S,
                id: row.id.clone(),
                value: bad.clone(),
            }
            .into());
        }
        let created_at = instant(S, &row.id, "created_at", &row.created_at)?;
        let updated_at = self.weighed_time(S, &row.id, "updated_at", &row.updated_at)?;
        let municipalities = row.municipalities.join(",");
        let here = self
            .conn
            .prepare_cached(
                "SELECT name, municipalities, cluster, updated_at FROM service WHERE id = ?1",
            )?
            .query_row([&row.id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .optional()?;
        let tally = &mut self.summary.services;
        match here {
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO service (id, name, municipalities, cluster, created_at,
                                              updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![
                        row.id,
                        row.name,
                        municipalities,
                        row.cluster,
                        created_at,
                        updated_at
                    ])?;
                tally.added += 1;
            }
            Some((name, here_municipalities, cluster, here_updated)) => {
                let ours = (name, here_municipalities, cluster);
                let theirs = (row.name, municipalities, row.cluster);
                if merge::weigh(&here_updated, &ours, &updated_at, &theirs) != Verdict::Theirs {
                    tally.skipped += 1;
                    return Ok(());
                }
                self.conn
                    .prepare_cached(
                        "UPDATE service SET name = ?2, municipalities = ?3, cluster = ?4,
                                            updated_at = ?5
                         WHERE id = ?1",
                    )?
                    .execute(params![row.id, theirs.0, theirs.1, theirs.2, updated_at])?;
                tally.updated += 1;
            }
        }
        Ok(())
    }

    fn round(&mut self, row: RoundRow) -> Step {
        const S: &str = "rounds";
        not_empty(S, &row.id, "id", &row.id)?;
        checked_text(S, &row.id, "id", &row.id, TextKind::Name)?;
        not_empty(S, &row.id, "label", &row.label)?;
        checked_text(S, &row.id, "label", &row.label, TextKind::Name)?;
        not_empty(S, &row.id, "instrument_version", &row.instrument_version)?;
        let version = &row.instrument_version;
        checked_text(S, &row.id, "instrument_version", version, TextKind::Name)?;
        checked_date(S, &row.id, "held_on", &row.held_on)?;
        if RoundKind::from_code(&row.kind).is_none() {
            return Err(bad_code(S, &row.id, "kind", &row.kind).into());
        }
        if row.instrument_key != self.instrument.key {
            return Err(Problem::Instrument {
                found: row.instrument_key.clone(),
                known: self.instrument.key.clone(),
            }
            .into());
        }
        // Its answers are read against this kartlegg's items and scales: another version's
        // could mean other things under the same keys.
        if row.instrument_version != self.instrument.version {
            return Err(Problem::InstrumentVersion {
                id: row.id.clone(),
                found: row.instrument_version.clone(),
                known: format!("{} {}", self.instrument.key, self.instrument.version),
            }
            .into());
        }
        let created_at = instant(S, &row.id, "created_at", &row.created_at)?;
        if !self.exists(
            "SELECT EXISTS (SELECT 1 FROM service WHERE id = ?1)",
            &row.service_id,
        )? {
            return Err(missing_parent(S, &row.id, "service_id", &row.service_id).into());
        }
        let here: Option<String> = self
            .conn
            .prepare_cached("SELECT service_id FROM round WHERE id = ?1")?
            .query_row([&row.id], |r| r.get(0))
            .optional()?;
        match here {
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO round (id, service_id, label, held_on, kind, instrument_key,
                                            instrument_version, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    )?
                    .execute(params![
                        row.id,
                        row.service_id,
                        row.label,
                        row.held_on,
                        row.kind,
                        row.instrument_key,
                        row.instrument_version,
                        created_at
                    ])?;
                self.summary.rounds.added += 1;
            }
            Some(service_id) if service_id != row.service_id => {
                return Err(identity(S, &row.id, "service_id", service_id, row.service_id).into());
            }
            // Rounds are not edited after they are made; a round already here stays as it is.
            Some(_) => self.summary.rounds.skipped += 1,
        }
        Ok(())
    }

    fn respondent(&mut self, row: RespondentRow) -> Step {
        const S: &str = "respondents";
        not_empty(S, &row.id, "id", &row.id)?;
        checked_text(S, &row.id, "id", &row.id, TextKind::Name)?;
        checked_text(S, &row.id, "code", &row.code, TextKind::Name)?;
        if Role::from_code(&row.role).is_none() {
            return Err(bad_code(S, &row.id, "role", &row.role).into());
        }
        let created_at = instant(S, &row.id, "created_at", &row.created_at)?;
        if !self.exists(
            "SELECT EXISTS (SELECT 1 FROM round WHERE id = ?1)",
            &row.round_id,
        )? {
            return Err(missing_parent(S, &row.id, "round_id", &row.round_id).into());
        }
        let here: Option<String> = self
            .conn
            .prepare_cached("SELECT round_id FROM respondent WHERE id = ?1")?
            .query_row([&row.id], |r| r.get(0))
            .optional()?;
        match here {
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO respondent (id, round_id, role, code, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![
                        row.id,
                        row.round_id,
                        row.role,
                        row.code,
                        created_at
                    ])?;
                self.kept.respondent_added(&row.id, &row.round_id);
                self.summary.respondents.added += 1;
            }
            Some(round_id) if round_id != row.round_id => {
                return Err(identity(S, &row.id, "round_id", round_id, row.round_id).into());
            }
            Some(_) => self.summary.respondents.skipped += 1,
        }
        Ok(())
    }

    fn answer(&mut self, row: AnswerRow) -> Step {
        const S: &str = "answers";
        not_empty(S, &row.id, "id", &row.id)?;
        checked_text(S, &row.id, "id", &row.id, TextKind::Name)?;
        checked_text(S, &row.id, "comment", &row.comment, TextKind::Comment)?;
        let Some(scale) = self.scales.get(row.item_key.as_str()) else {
            return Err(Problem::UnknownItem {
                id: row.id.clone(),
                item: row.item_key.clone(),
                instrument: format!("{} {}", self.instrument.key, self.instrument.version),
            }
            .into());
        };
        check_response(S, &row.id, row.value, row.missing.as_deref())?;
        if let Some(value) = row.value
            && !u8::try_from(value).is_ok_and(|v| scale.contains(v))
        {
            return Err(Problem::OutOfScale {
                id: row.id.clone(),
                item: row.item_key.clone(),
                value,
                min: scale.min(),
                max: scale.max(),
            }
            .into());
        }
        let updated_at = self.weighed_time(S, &row.id, "updated_at", &row.updated_at)?;
        // A respondent's answers come together: their respondent is looked up once.
        if self.known_respondent.as_ref() != Some(&row.respondent_id) {
            if !self.exists(
                "SELECT EXISTS (SELECT 1 FROM respondent WHERE id = ?1)",
                &row.respondent_id,
            )? {
                return Err(missing_parent(S, &row.id, "respondent_id", &row.respondent_id).into());
            }
            self.known_respondent = Some(row.respondent_id.clone());
        }
        // An id the file used before for an answer filed here under another id: its
        // history would go to that answer, so it must be that answer again.
        if let Some(filed_as) = (!self.remap.is_empty())
            .then(|| self.remap.get(&row.id))
            .flatten()
        {
            self.same_answer(&row, filed_as)?;
        }
        // Most answers in a file are new here: try to add it first, and merge only when its
        // id or its respondent and item are taken (the insert then does nothing).
        let added = self.hot.add_answer.execute(params![
            row.id,
            row.respondent_id,
            row.item_key,
            row.value,
            row.missing,
            row.comment,
            updated_at
        ]);
        if added? > 0 {
            let response = super::response_from(row.value, row.missing);
            self.kept
                .answer_added(self.conn, &row.respondent_id, &row.item_key, response)
                .map_err(Stop::Store)?;
            self.summary.answers.added += 1;
            return Ok(());
        }
        // An answer is one respondent's answer to one item, whatever its id: the same item
        // may have been answered on two machines before they met.
        let here = self
            .conn
            .prepare_cached(
                "SELECT rowid, id, value, missing, comment, updated_at FROM answer
                 WHERE respondent_id = ?1 AND item_key = ?2",
            )?
            .query_row(params![row.respondent_id, row.item_key], |r| {
                Ok((
                    Stored {
                        rowid: r.get(0)?,
                        id: r.get(1)?,
                    },
                    Content {
                        value: r.get(2)?,
                        missing: r.get(3)?,
                        comment: r.get(4)?,
                    },
                    r.get::<_, String>(5)?,
                ))
            })
            .optional()?;
        let Some((stored, ours, our_time)) = here else {
            // The insert did nothing, so the id is another answer's.
            let other: String = self
                .conn
                .prepare_cached(
                    "SELECT respondent_id || ' ' || item_key FROM answer WHERE id = ?1",
                )?
                .query_row([&row.id], |r| r.get(0))?;
            let there = format!("{} {}", row.respondent_id, row.item_key);
            return Err(identity(S, &row.id, "respondent_id item_key", other, there).into());
        };
        if stored.id != row.id {
            // The file's id is another answer here (added earlier from the file): filing
            // this one under this machine's id would put that answer's history under it.
            self.same_answer(&row, &row.id)?;
            self.remap.insert(row.id.clone(), stored.id.clone());
        }
        let theirs = Content {
            value: row.value,
            missing: row.missing,
            comment: row.comment,
        };
        let verdict = merge::weigh(&our_time, &ours, &updated_at, &theirs);
        if verdict == Verdict::Same {
            self.summary.answers.skipped += 1;
            return Ok(());
        }
        if verdict == Verdict::Theirs {
            self.conn
                .prepare_cached(
                    "UPDATE answer SET value = ?2, missing = ?3, comment = ?4, updated_at = ?5
                     WHERE id = ?1",
                )?
                .execute(params![
                    stored.id,
                    theirs.value,
                    theirs.missing,
                    theirs.comment,
                    updated_at
                ])?;
            self.append_history(
                &stored,
                &row.respondent_id,
                Some(&ours),
                &theirs,
                &updated_at,
            )?;
            self.summary.answers.updated += 1;
            self.kept.answer_changed(&row.respondent_id);
        } else {
            // An older version this database has had itself is no conflict, only a stale file.
            let known: bool = self
                .conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM answer_history
                     WHERE answer_id = ?1 AND changed_at = ?2 AND new_value IS ?3
                       AND new_missing IS ?4 AND new_comment = ?5)",
                )?
                .query_row(
                    params![
                        stored.id,
                        updated_at,
                        theirs.value,
                        theirs.missing,
                        theirs.comment
                    ],
                    |r| r.get(0),
                )?;
            if !known {
                self.append_history(&stored, &row.respondent_id, Some(&theirs), &ours, &our_time)?;
            }
            self.summary.answers.skipped += 1;
            self.summary.answers.newer_here += 1;
        }
        Ok(())
    }

    /// Refuses `row` unless the answer `id` here, if there is one, is its respondent's
    /// answer to its item.
    fn same_answer(&self, row: &AnswerRow, id: &str) -> Step {
        let here: Option<(String, String)> = self
            .conn
            .prepare_cached("SELECT respondent_id, item_key FROM answer WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match here {
            Some((respondent, item))
                if (&respondent, &item) != (&row.respondent_id, &row.item_key) =>
            {
                Err(identity(
                    "answers",
                    &row.id,
                    "respondent_id item_key",
                    format!("{respondent} {item}"),
                    format!("{} {}", row.respondent_id, row.item_key),
                )
                .into())
            }
            _ => Ok(()),
        }
    }

    fn history(&mut self, row: HistoryRow) -> Step {
        const S: &str = "history";
        let changed_at = self.weighed_time(S, &row.answer_id, "changed_at", &row.changed_at)?;
        if let Some(old) = &row.old_comment {
            checked_text(S, &row.answer_id, "old_comment", old, TextKind::Comment)?;
        }
        checked_text(
            S,
            &row.answer_id,
            "new_comment",
            &row.new_comment,
            TextKind::Comment,
        )?;
        check_response(S, &row.answer_id, row.old_value, row.old_missing.as_deref())?;
        check_response(S, &row.answer_id, row.new_value, row.new_missing.as_deref())?;
        let answer_id = self.remap.get(&row.answer_id).unwrap_or(&row.answer_id);
        let here = self
            .hot
            .answer_by_id
            .query_row([answer_id], |r| {
                Ok((
                    Stored {
                        rowid: r.get(0)?,
                        id: answer_id.clone(),
                    },
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .optional()?;
        let (stored, item) = match here {
            None => {
                return Err(missing_parent(S, &row.answer_id, "answer_id", &row.answer_id).into());
            }
            Some((_, respondent, _)) if respondent != row.respondent_id => {
                return Err(identity(
                    S,
                    &row.answer_id,
                    "respondent_id",
                    respondent,
                    row.respondent_id,
                )
                .into());
            }
            Some((stored, _, item)) => (stored, item),
        };
        let scale = self.scales.get(item.as_str());
        for (field, value) in [("old_value", row.old_value), ("new_value", row.new_value)] {
            if let (Some(value), Some(scale)) = (value, scale)
                && !u8::try_from(value).is_ok_and(|v| scale.contains(v))
            {
                return Err(Problem::HistoryOutOfScale {
                    id: row.answer_id.clone(),
                    item,
                    field,
                    value,
                    min: scale.min(),
                    max: scale.max(),
                }
                .into());
            }
        }
        let old = row.old_comment.map(|comment| Content {
            value: row.old_value,
            missing: row.old_missing,
            comment,
        });
        let new = Content {
            value: row.new_value,
            missing: row.new_missing,
            comment: row.new_comment,
        };
        if self.append_history(&stored, &row.respondent_id, old.as_ref(), &new, &changed_at)? {
            self.summary.history.added += 1;
        } else {
            self.summary.history.skipped += 1;
        }
        Ok(())
    }

    /// Appends a change unless the history already has it: a change is the same change when
    /// its answer, its time and both its sides are the same (the natural key in
    /// `docs/exchange.md`). Returns whether it was new.
    fn append_history(
        &mut self,
        answer: &Stored,
        respondent_id: &str,
        old: Option<&Content>,
        new: &Content,
        at: &str,
    ) -> rusqlite::Result<bool> {
        let (old_value, old_missing, old_comment) = match old {
            Some(old) => (
                old.value,
                old.missing.as_deref(),
                Some(old.comment.as_str()),
            ),
            None => (None, None, None),
        };
        if !self.history_added.first(answer.rowid) {
            let already: bool = self
                .conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM answer_history
                     WHERE answer_id = ?1 AND changed_at = ?2
                       AND old_value IS ?3 AND old_missing IS ?4 AND old_comment IS ?5
                       AND new_value IS ?6 AND new_missing IS ?7 AND new_comment = ?8)",
                )?
                .query_row(
                    params![
                        answer.id,
                        at,
                        old_value,
                        old_missing,
                        old_comment,
                        new.value,
                        new.missing,
                        new.comment
                    ],
                    |r| r.get(0),
                )?;
            if already {
                return Ok(false);
            }
        }
        self.hot.add_history.execute(params![
            answer.id,
            respondent_id,
            old_value,
            old_missing,
            old_comment,
            new.value,
            new.missing,
            new.comment,
            at
        ])?;
        Ok(true)
    }

    // ---- plans, goals, stage, consensus, and their change log ----

    fn known_subdomain(&self, section: &'static str, id: &str, key: &str) -> Step {
        if self.subdomains.contains_key(key) {
            return Ok(());
        }
        Err(Problem::UnknownSubdomain {
            section,
            id: id.to_string(),
            subdomain: key.to_string(),
            instrument: format!("{} {}", self.instrument.key, self.instrument.version),
        }
        .into())
    }

    /// `parent` must be a row of `table`, in the file before or in this database.
    fn require(
        &self,
        section: &'static str,
        id: &str,
        field: &'static str,
        table: &str,
        parent: &str,
    ) -> Step {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)");
        if self.exists(&sql, parent)? {
            Ok(())
        } else {
            Err(missing_parent(section, id, field, parent).into())
        }
    }

    fn plan_item(&mut self, row: PlanItemRow) -> Step {
        const S: &str = "plan_items";
        let theirs = checked_plan_item(S, &row)?;
        self.known_subdomain(S, &row.id, &row.subdomain_key)?;
        let created_at = instant(S, &row.id, "created_at", &row.created_at)?;
        let updated_at = self.weighed_time(S, &row.id, "updated_at", &row.updated_at)?;
        self.require(S, &row.id, "service_id", "service", &row.service_id)?;
        let here = self
            .conn
            .prepare_cached(&format!("{} WHERE p.id = ?1", PLAN_ITEMS.select))?
            .query_row([&row.id], plan_item_row)
            .optional()?;
        let ours = match here {
            None => None,
            Some(here) => {
                // None of these changes after a plan item is made: another value means
                // another thing under the same id.
                for (field, ours, theirs) in [
                    ("service_id", &here.service_id, &row.service_id),
                    ("subdomain_key", &here.subdomain_key, &row.subdomain_key),
                    ("kind", &here.kind, &row.kind),
                ] {
                    if ours != theirs {
                        return Err(
                            identity(S, &row.id, field, ours.clone(), theirs.clone()).into()
                        );
                    }
                }
                Some((snapshot_of(&checked_plan_item(S, &here)?), here.updated_at))
            }
        };
        let settled = self.settle(
            "plan_item",
            &row.id,
            ours,
            &snapshot_of(&theirs),
            &updated_at,
        )?;
        let item = &theirs;
        match settled {
            Settled::Add => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO plan_item (id, service_id, subdomain_key, kind, text, level,
                             owner, due_on, done, done_on, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    )?
                    .execute(params![
                        item.id,
                        item.service_id,
                        item.subdomain_key,
                        item.kind.code(),
                        item.text,
                        item.level.map(Level::code),
                        item.owner,
                        item.due_on.map(|d| d.to_string()),
                        item.done,
                        item.done_on.map(|d| d.to_string()),
                        created_at,
                        updated_at
                    ])?;
            }
            Settled::Replace => {
                self.conn
                    .prepare_cached(
                        "UPDATE plan_item SET text = ?2, level = ?3, owner = ?4, due_on = ?5,
                                              done = ?6, done_on = ?7, updated_at = ?8
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        item.id,
                        item.text,
                        item.level.map(Level::code),
                        item.owner,
                        item.due_on.map(|d| d.to_string()),
                        item.done,
                        item.done_on.map(|d| d.to_string()),
                        updated_at
                    ])?;
            }
            Settled::Same | Settled::OursNewer => {}
        }
        self.summary.plan_items.count(settled);
        Ok(())
    }

    fn goal(&mut self, row: GoalRow) -> Step {
        const S: &str = "goals";
        not_empty(S, &row.id, "id", &row.id)?;
        checked_text(S, &row.id, "id", &row.id, TextKind::Name)?;
        not_empty(S, &row.id, "text", &row.text)?;
        checked_text(S, &row.id, "text", &row.text, TextKind::Plan)?;
        for key in &row.subdomain_keys {
            self.known_subdomain(S, &row.id, key)?;
        }
        let created_at = instant(S, &row.id, "created_at", &row.created_at)?;
        let updated_at = self.weighed_time(S, &row.id, "updated_at", &row.updated_at)?;
        self.require(S, &row.id, "service_id", "service", &row.service_id)?;
        let here = self
            .conn
            .prepare_cached(&format!("{} WHERE g.id = ?1", GOALS.select))?
            .query_row([&row.id], goal_row)
            .optional()?;
        let goal = |row: &GoalRow| Goal {
            id: row.id.clone(),
            service_id: row.service_id.clone(),
            text: row.text.clone(),
            subdomain_keys: row.subdomain_keys.clone(),
        };
        let ours = match here {
            None => None,
            Some(here) if here.service_id != row.service_id => {
                return Err(
                    identity(S, &row.id, "service_id", here.service_id, row.service_id).into(),
                );
            }
            Some(here) => Some((snapshot_of(&goal(&here)), here.updated_at)),
        };
        let settled = self.settle(
            "goal",
            &row.id,
            ours,
            &snapshot_of(&goal(&row)),
            &updated_at,
        )?;
        let keys = row.subdomain_keys.join(",");
        match settled {
            Settled::Add => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO goal (id, service_id, text, subdomain_keys, created_at,
                                           updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![
                        row.id,
                        row.service_id,
                        row.text,
                        keys,
                        created_at,
                        updated_at
                    ])?;
            }
            Settled::Replace => {
                self.conn
                    .prepare_cached(
                        "UPDATE goal SET text = ?2, subdomain_keys = ?3, updated_at = ?4
                         WHERE id = ?1",
                    )?
                    .execute(params![row.id, row.text, keys, updated_at])?;
            }
            Settled::Same | Settled::OursNewer => {}
        }
        self.summary.goals.count(settled);
        Ok(())
    }

    fn goal_status(&mut self, row: GoalStatusRow) -> Step {
        const S: &str = "goal_statuses";
        let key = format!("{}/{}", row.goal_id, row.round_id);
        let status = GoalStatus::from_code(&row.status)
            .ok_or_else(|| bad_code(S, &key, "status", &row.status))?;
        let updated_at = self.weighed_time(S, &key, "updated_at", &row.updated_at)?;
        self.require(S, &key, "goal_id", "goal", &row.goal_id)?;
        self.require(S, &key, "round_id", "round", &row.round_id)?;
        let ours = self.current(Valued::GoalStatus, &key)?;
        let settled = self.settle(
            Valued::GoalStatus.entity(),
            &key,
            ours,
            &snapshot_of(&status),
            &updated_at,
        )?;
        if let Settled::Add | Settled::Replace = settled {
            self.conn
                .prepare_cached(
                    "INSERT INTO goal_status (goal_id, round_id, status, updated_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (goal_id, round_id) DO UPDATE SET
                        status = excluded.status, updated_at = excluded.updated_at",
                )?
                .execute(params![
                    row.goal_id,
                    row.round_id,
                    status.code(),
                    updated_at
                ])?;
        }
        self.summary.goal_statuses.count(settled);
        Ok(())
    }

    fn round_stage(&mut self, row: RoundStageRow) -> Step {
        const S: &str = "round_stages";
        let key = row.round_id.clone();
        let stage =
            Stage::from_code(&row.stage).ok_or_else(|| bad_code(S, &key, "stage", &row.stage))?;
        let updated_at = self.weighed_time(S, &key, "updated_at", &row.updated_at)?;
        self.require(S, &key, "round_id", "round", &row.round_id)?;
        let ours = self.current(Valued::RoundStage, &key)?;
        let settled = self.settle(
            Valued::RoundStage.entity(),
            &key,
            ours,
            &snapshot_of(&stage),
            &updated_at,
        )?;
        if let Settled::Add | Settled::Replace = settled {
            self.conn
                .prepare_cached(
                    "INSERT INTO round_stage (round_id, stage, updated_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (round_id) DO UPDATE SET
                        stage = excluded.stage, updated_at = excluded.updated_at",
                )?
                .execute(params![row.round_id, stage.code(), updated_at])?;
        }
        self.summary.round_stages.count(settled);
        Ok(())
    }

    fn consensus(&mut self, row: ConsensusRow) -> Step {
        const S: &str = "consensus";
        let key = format!("{}/{}", row.round_id, row.subdomain_key);
        self.known_subdomain(S, &key, &row.subdomain_key)?;
        let scale = self.subdomains[row.subdomain_key.as_str()];
        if !u8::try_from(row.value).is_ok_and(|v| scale.contains(v)) {
            return Err(Problem::ConsensusOutOfScale {
                id: key,
                value: row.value,
                min: scale.min(),
                max: scale.max(),
            }
            .into());
        }
        let updated_at = self.weighed_time(S, &key, "updated_at", &row.updated_at)?;
        self.require(S, &key, "round_id", "round", &row.round_id)?;
        let ours = self.current(Valued::Consensus, &key)?;
        let settled = self.settle(
            Valued::Consensus.entity(),
            &key,
            ours,
            &snapshot_of(&row.value),
            &updated_at,
        )?;
        if let Settled::Add | Settled::Replace = settled {
            self.conn
                .prepare_cached(
                    "INSERT INTO consensus (round_id, subdomain_key, value, updated_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (round_id, subdomain_key) DO UPDATE SET
                        value = excluded.value, updated_at = excluded.updated_at",
                )?
                .execute(params![
                    row.round_id,
                    row.subdomain_key,
                    row.value,
                    updated_at
                ])?;
        }
        self.summary.consensus.count(settled);
        Ok(())
    }

    fn change(&mut self, row: ChangeRow) -> Step {
        const S: &str = "change_log";
        let key = &row.entity_key;
        if !CHANGE_ENTITIES.contains(&row.entity.as_str()) {
            return Err(bad_code(S, key, "entity", &row.entity).into());
        }
        let changed_at = self.weighed_time(S, key, "changed_at", &row.changed_at)?;
        let snapshot = |field: &'static str, value: Option<serde_json::Value>| {
            value
                .map(|v| canonical(&row.entity, v))
                .transpose()
                .map_err(|reason| Problem::BadSnapshot {
                    id: key.clone(),
                    field,
                    reason,
                })
        };
        let old = snapshot("old", row.old.clone())?;
        let new = snapshot("new", row.new.clone())?;
        if !self.change_parent(&row.entity, key)? {
            return Err(missing_parent(S, key, "entity_key", key).into());
        }
        let added = self.log_change(
            &row.entity,
            key,
            old.as_deref(),
            new.as_deref(),
            &changed_at,
        )?;
        if added {
            self.summary.changes.added += 1;
        } else {
            self.summary.changes.skipped += 1;
        }
        if let (Some(valued), None) = (Valued::of_entity(&row.entity), &new) {
            self.removals.push(Removal {
                valued,
                key: key.clone(),
                old,
                at: changed_at,
                new_here: added,
            });
        }
        Ok(())
    }

    /// Whether the row a change log entry is about is here (or came earlier in the file).
    fn change_parent(&self, entity: &str, key: &str) -> rusqlite::Result<bool> {
        let (first, second) = key.split_once('/').unwrap_or((key, ""));
        let exists = |table: &str, id: &str| {
            self.exists(
                &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"),
                id,
            )
        };
        match entity {
            "plan_item" => exists("plan_item", key),
            "goal" => exists("goal", key),
            "goal_status" => Ok(exists("goal", first)? && exists("round", second)?),
            "round_stage" => exists("round", key),
            "consensus" => Ok(!second.is_empty() && exists("round", first)?),
            _ => Ok(false),
        }
    }

    /// A value removed on the other machine (a status, stage or consensus value cleared)
    /// arrives as a change log entry with no new side. Once the whole log is merged, each
    /// removal is weighed against the value here by the rule of `settle`, from the other
    /// side: a removal newer than the value here removes it, and the value goes into the
    /// log; an older one leaves it, and the change back to it is logged.
    fn apply_removals(&mut self) -> Step {
        for removal in std::mem::take(&mut self.removals) {
            let Some((ours, our_time)) = self.current(removal.valued, &removal.key)? else {
                continue;
            };
            let entity = removal.valued.entity();
            if (removal.at.as_str(), None) > (our_time.as_str(), Some(ours.as_str())) {
                self.remove(removal.valued, &removal.key)?;
                if removal.old.as_deref() != Some(ours.as_str()) {
                    self.log_change(entity, &removal.key, Some(&ours), None, &removal.at)?;
                }
                self.valued_tally(removal.valued).updated += 1;
            } else if removal.new_here {
                self.log_change(entity, &removal.key, None, Some(&ours), &our_time)?;
            }
        }
        Ok(())
    }

    fn valued_tally(&mut self, valued: Valued) -> &mut Tally {
        match valued {
            Valued::GoalStatus => &mut self.summary.goal_statuses,
            Valued::RoundStage => &mut self.summary.round_stages,
            Valued::Consensus => &mut self.summary.consensus,
        }
    }

    /// The value here under a change log key, as its snapshot, and when it was set.
    fn current(&self, valued: Valued, key: &str) -> rusqlite::Result<Option<(String, String)>> {
        let (first, second) = key.split_once('/').unwrap_or((key, ""));
        let text = |r: &Row| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?));
        let found = match valued {
            Valued::GoalStatus => self
                .conn
                .prepare_cached(
                    "SELECT status, updated_at FROM goal_status
                     WHERE goal_id = ?1 AND round_id = ?2",
                )?
                .query_row([first, second], text)
                .optional()?
                .map(|(code, at)| (snapshot_of(&code), at)),
            Valued::RoundStage => self
                .conn
                .prepare_cached("SELECT stage, updated_at FROM round_stage WHERE round_id = ?1")?
                .query_row([key], text)
                .optional()?
                .map(|(code, at)| (snapshot_of(&code), at)),
            Valued::Consensus => self
                .conn
                .prepare_cached(
                    "SELECT value, updated_at FROM consensus
                     WHERE round_id = ?1 AND subdomain_key = ?2",
                )?
                .query_row([first, second], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })
                .optional()?
                .map(|(value, at)| (snapshot_of(&value), at)),
        };
        Ok(found)
    }

    fn remove(&self, valued: Valued, key: &str) -> rusqlite::Result<()> {
        let (first, second) = key.split_once('/').unwrap_or((key, ""));
        match valued {
            Valued::GoalStatus => self
                .conn
                .prepare_cached("DELETE FROM goal_status WHERE goal_id = ?1 AND round_id = ?2")?
                .execute([first, second])?,
            Valued::RoundStage => self
                .conn
                .prepare_cached("DELETE FROM round_stage WHERE round_id = ?1")?
                .execute([key])?,
            Valued::Consensus => self
                .conn
                .prepare_cached("DELETE FROM consensus WHERE round_id = ?1 AND subdomain_key = ?2")?
                .execute([first, second])?,
        };
        Ok(())
    }

    /// The newer-wins rule for a row of the plan tables, as for answers: `ours` is the row
    /// here (its snapshot and `updated_at`), if any. The newer wins; an exact tie in time is
    /// settled by the content, the same way on both machines. The older goes into the change
    /// log as the old side of the change to the newer, dated when the newer was made, unless
    /// the log here already had the file's version at its time (then the file is only out of
    /// date). A value removed here is a version of its own, dated when it was removed, and
    /// older than any value of the same moment. The caller writes the row.
    fn settle(
        &mut self,
        entity: &'static str,
        key: &str,
        ours: Option<(String, String)>,
        theirs: &str,
        their_time: &str,
    ) -> std::result::Result<Settled, Stop> {
        let ours = match ours {
            Some((snapshot, time)) => Some((time, Some(snapshot))),
            None => self.removed_at(entity, key)?.map(|time| (time, None)),
        };
        let Some((our_time, ours)) = ours else {
            return Ok(Settled::Add);
        };
        let theirs_now = Some(theirs);
        match merge::weigh(&our_time, &ours.as_deref(), their_time, &theirs_now) {
            Verdict::Same => return Ok(Settled::Same),
            Verdict::Theirs => {
                self.log_change(entity, key, ours.as_deref(), Some(theirs), their_time)?;
                return Ok(if ours.is_some() {
                    Settled::Replace
                } else {
                    Settled::Add
                });
            }
            Verdict::Ours => {}
        }
        if !self.logged(entity, key, theirs, their_time)? {
            self.log_change(entity, key, Some(theirs), ours.as_deref(), &our_time)?;
        }
        Ok(Settled::OursNewer)
    }

    /// When the value under `key` was last removed here, if it ever was.
    fn removed_at(&self, entity: &str, key: &str) -> rusqlite::Result<Option<String>> {
        self.conn
            .prepare_cached(
                "SELECT max(changed_at) FROM change_log
                 WHERE entity = ?1 AND entity_key = ?2 AND new_json IS NULL",
            )?
            .query_row([entity, key], |r| r.get(0))
    }

    /// Whether the log here has `new` as the result of a change at `at`.
    fn logged(&self, entity: &str, key: &str, new: &str, at: &str) -> rusqlite::Result<bool> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM change_log
                 WHERE entity = ?1 AND entity_key = ?2 AND changed_at = ?3 AND new_json = ?4)",
            )?
            .query_row([entity, key, at, new], |r| r.get(0))
    }

    /// Appends a change unless the log already has it: the same entity and key, the same
    /// time and both sides the same (the natural key in `docs/exchange.md`). Returns whether
    /// it was new.
    fn log_change(
        &self,
        entity: &str,
        key: &str,
        old: Option<&str>,
        new: Option<&str>,
        at: &str,
    ) -> rusqlite::Result<bool> {
        let already: bool = self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM change_log
                 WHERE entity = ?1 AND entity_key = ?2 AND changed_at = ?3
                   AND old_json IS ?4 AND new_json IS ?5)",
            )?
            .query_row(params![entity, key, at, old, new], |r| r.get(0))?;
        if already {
            return Ok(false);
        }
        self.conn
            .prepare_cached(
                "INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![entity, key, old, new, at])?;
        Ok(true)
    }
}

/// What the newer-wins rule decided for one row of the plan tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settled {
    /// Not here (or removed here before the file's version): add it.
    Add,
    /// The file's is newer: write it over this database's.
    Replace,
    Same,
    /// This database's is newer and stays.
    OursNewer,
}

impl Tally {
    fn count(&mut self, settled: Settled) {
        match settled {
            Settled::Add => self.added += 1,
            Settled::Replace => self.updated += 1,
            Settled::Same => self.skipped += 1,
            Settled::OursNewer => {
                self.skipped += 1;
                self.newer_here += 1;
            }
        }
    }
}

/// The values that can be removed (set to nothing), each under a change log key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Valued {
    /// `goal_id/round_id`
    GoalStatus,
    /// `round_id`
    RoundStage,
    /// `round_id/subdomain_key`
    Consensus,
}

impl Valued {
    fn entity(self) -> &'static str {
        match self {
            Valued::GoalStatus => "goal_status",
            Valued::RoundStage => "round_stage",
            Valued::Consensus => "consensus",
        }
    }

    fn of_entity(entity: &str) -> Option<Valued> {
        [Valued::GoalStatus, Valued::RoundStage, Valued::Consensus]
            .into_iter()
            .find(|v| v.entity() == entity)
    }
}

/// A removal read from the file's change log, weighed once the whole log is in.
struct Removal {
    valued: Valued,
    key: String,
    old: Option<String>,
    at: String,
    /// Whether this database learnt of it from this file.
    new_here: bool,
}

const CHANGE_ENTITIES: [&str; 5] = [
    "plan_item",
    "goal",
    "goal_status",
    "round_stage",
    "consensus",
];
