//! The SQLite side of exchange: export as SQLite yields the rows (JSON and CSV), and the
//! import's writes, inside one IMMEDIATE transaction that the first problem rolls back, so a
//! refused file leaves the database as it was. The format, its checks and the reader are
//! `crate::exchange`; the queries and writers both backends share, `store::exchange_rows`.
//!
//! Both directions stream, so that a national database (1.5 million answers) never has to
//! fit in memory.

use super::{Counts, FileStore, Result, StoreError, needs, plan, positions};
use crate::exchange::import::{
    self, AnswerHere, Content, Failed, MergeTx, Note, Stop, StoredAnswer, Table, Valued,
};
use crate::exchange::read::{BATCHES_AHEAD, Reading};
use crate::exchange::{
    AnswerRow, CSV_CONTEXT, ChangeRow, ConsensusRow, CsvExport, Disclosure, ExpectationsRow,
    FactsRow, GoalRow, GoalStatusRow, HistoryRow, ImportClock, ImportSummary, NeedRow, OwnAreaRow,
    PlanCounts, PlanItemRow, PositionRow, Problem, RespondentRow, RoundRow, RoundStageRow, Scope,
    ServiceRow,
};
use crate::store::exchange_rows::HistoryAdded;
use crate::store::exchange_rows::{
    ANSWERS, CHANGES, CONSENSUS, CSV_RESPONDENTS, CsvAnswer, CsvOut, EXPECTATIONS, FACTS,
    GOAL_STATUSES, GOALS, HISTORY, JsonOut, NEEDS, OWN_AREAS, PLAN_ITEMS, POSITIONS, RESPONDENTS,
    ROUND_STAGES, ROUNDS, SERVICES, Scoped, count_number, decimal_number, service_of,
};
use crate::store::kept_count::Counter;
use crate::store::{Exchange, Exported};
use rusqlite::types::Value;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc::{self};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Statement, ToSql, params};
use serde::Serialize;

use crate::domain::instrument::Instrument;
use crate::domain::invite;
use crate::domain::model::new_id;
use crate::domain::needs::{Expectations, Facts, Need, OwnArea};
use crate::domain::plan::{GoalStatus, PlanItem, Stage};
use crate::domain::requirement::Position;
use crate::store::Admin;

/// The page cache during an import, in KiB (SQLite's negative `cache_size`).
const IMPORT_CACHE_KIB: i64 = -32_768;

// ---- export ----

fn scope_params<'a>(scope: &'a Scope<'a>) -> Vec<&'a dyn ToSql> {
    match scope {
        Scope::All => Vec::new(),
        Scope::Service(id) => vec![id as &dyn ToSql],
    }
}

// A row of the file is the domain's row (one mapping of its columns, first) and its times.

fn service_row(row: &Row) -> rusqlite::Result<ServiceRow> {
    let service = super::service_from(row)?;
    Ok(ServiceRow {
        id: service.id,
        name: service.name,
        municipalities: service.municipalities,
        cluster: service.cluster,
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
        by_code: row.get(5)?,
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
    let goal = plan::goal_from(row)?;
    Ok(GoalRow {
        id: goal.id,
        service_id: goal.service_id,
        text: goal.text,
        subdomain_keys: goal.subdomain_keys,
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

fn own_area_row(row: &Row) -> rusqlite::Result<OwnAreaRow> {
    Ok(OwnAreaRow {
        id: row.get(0)?,
        service_id: row.get(1)?,
        name: row.get(2)?,
        created_at: row.get(3)?,
    })
}

fn need_row(row: &Row) -> rusqlite::Result<NeedRow> {
    Ok(NeedRow {
        round_id: row.get(0)?,
        area_key: row.get(1)?,
        mastery: row.get(2)?,
        importance: row.get(3)?,
        top_three: row.get(4)?,
        who: row.get(5)?,
        missing: row.get(6)?,
        updated_at: row.get(7)?,
    })
}

fn expectations_row(row: &Row) -> rusqlite::Result<ExpectationsRow> {
    Ok(ExpectationsRow {
        round_id: row.get(0)?,
        wants: super::split_list(&row.get::<_, String>(1)?),
        text: row.get(2)?,
        knows_why: row.get(3)?,
        own_wish: row.get(4)?,
        updated_at: row.get(5)?,
    })
}

fn facts_row(row: &Row) -> rusqlite::Result<FactsRow> {
    // Counts as whole numbers, FTEs and the share as decimals, as the table keeps them.
    let count = |column: usize| -> rusqlite::Result<Option<serde_json::Number>> {
        Ok(count_number(row.get(column)?))
    };
    let decimal = |column: usize| -> rusqlite::Result<Option<serde_json::Number>> {
        Ok(decimal_number(row.get(column)?))
    };
    Ok(FactsRow {
        round_id: row.get(0)?,
        ftes: decimal(1)?,
        vacancies: count(2)?,
        turnover: count(3)?,
        newly_qualified: decimal(4)?,
        deadline_breaches: count(5)?,
        complaints: count(6)?,
        emergency_cases: count(7)?,
        updated_at: row.get(8)?,
    })
}

fn position_row(row: &Row) -> rusqlite::Result<PositionRow> {
    Ok(PositionRow {
        id: row.get(0)?,
        round_id: row.get(1)?,
        role: row.get(2)?,
        education: row.get(3)?,
        credits: row.get(4)?,
        years: row.get(5)?,
        planned_credits: row.get(6)?,
        planned_year: row.get(7)?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
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

/// The arrays of the file as SQLite yields their rows.
trait SqliteArrays {
    /// `"name": [` a row a line `]`, streamed from the query.
    fn array<T: Serialize>(
        &mut self,
        conn: &Connection,
        name: &str,
        query: &Scoped,
        scope: Scope<'_>,
        read: fn(&Row) -> rusqlite::Result<T>,
    ) -> Result<usize> {
        self.array_of(conn, name, query, scope, |row| read(row).map(Some))
    }

    /// As `array`, leaving out the rows that `read` makes `None`.
    fn array_of<T: Serialize>(
        &mut self,
        conn: &Connection,
        name: &str,
        query: &Scoped,
        scope: Scope<'_>,
        read: impl FnMut(&Row) -> rusqlite::Result<Option<T>>,
    ) -> Result<usize>;
}

impl SqliteArrays for JsonOut<'_, '_> {
    fn array_of<T: Serialize>(
        &mut self,
        conn: &Connection,
        name: &str,
        query: &Scoped,
        scope: Scope<'_>,
        mut read: impl FnMut(&Row) -> rusqlite::Result<Option<T>>,
    ) -> Result<usize> {
        self.begin(name)?;
        let mut stmt = conn.prepare(&query.sql(scope))?;
        let mut rows = stmt.query(scope_params(&scope).as_slice())?;
        while let Some(row) = rows.next()? {
            if let Some(written) = read(row)? {
                self.row(&written)?;
            }
        }
        self.end()
    }
}

impl Exchange for FileStore {
    /// Writes everything in `scope` as a JSON export (see `docs/exchange.md`), row by row.
    /// `out_name` names `out` in error messages.
    fn export_json(
        &self,
        scope: Scope<'_>,
        instrument: &Instrument,
        now: DateTime<Utc>,
        disclosure: Disclosure,
        out: &mut dyn Write,
        out_name: &Path,
    ) -> Result<Exported> {
        // One read transaction, so that the arrays agree even while someone else writes.
        let tx = self.conn.unchecked_transaction()?;
        let mut json = JsonOut::new(out, out_name);
        let service = match scope {
            Scope::All => None,
            Scope::Service(id) => tx
                .query_row("SELECT name FROM service WHERE id = ?1", [id], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?,
        };
        json.head(
            now,
            &disclosure.contents(&self.path, service.as_deref()),
            self.schema_version()?,
            instrument,
        )?;
        let mut hide = disclosure.pseudonyms();
        let services = json.array(&tx, "services", &SERVICES, scope, service_row)?;
        json.raw(",\n")?;
        let rounds = json.array(&tx, "rounds", &ROUNDS, scope, round_row)?;
        json.raw(",\n")?;
        let respondents = json.array_of(&tx, "respondents", &RESPONDENTS, scope, |row| {
            let respondent = respondent_row(row)?;
            Ok(Some(match &mut hide {
                None => respondent,
                Some(hide) => hide.respondent(respondent, &row.get::<_, String>(6)?),
            }))
        })?;
        json.raw(",\n")?;
        let answers = json.array_of(&tx, "answers", &ANSWERS, scope, |row| {
            let answer = answer_row(row)?;
            Ok(match &mut hide {
                None => Some(answer),
                Some(hide) => hide.answer(answer),
            })
        })?;
        json.raw(",\n")?;
        // The history is what a merge needs, and its times and old comments could tell who
        // answered what: a pseudonymous file has none.
        let history = if hide.is_none() {
            json.array(&tx, "history", &HISTORY, scope, history_row)?
        } else {
            json.empty("history")?
        };
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
        // The needs are about the service, not a person: every file has them as stored.
        let own_areas = json.array(&tx, "own_areas", &OWN_AREAS, scope, own_area_row)?;
        json.raw(",\n")?;
        let needs = json.array(&tx, "needs", &NEEDS, scope, need_row)?;
        json.raw(",\n")?;
        let expectations =
            json.array(&tx, "expectations", &EXPECTATIONS, scope, expectations_row)?;
        json.raw(",\n")?;
        let facts = json.array(&tx, "facts", &FACTS, scope, facts_row)?;
        json.raw(",\n")?;
        // Posts, never people: every file has them as stored, as the needs.
        let positions = json.array(&tx, "positions", &POSITIONS, scope, position_row)?;
        json.raw(",\n")?;
        let changes = json.array(&tx, "change_log", &CHANGES, scope, change_row)?;
        json.finish()?;
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
                own_areas,
                needs,
                expectations,
                facts,
                positions,
                changes,
            },
        })
    }

    /// Writes the answers in `scope` as CSV with a header row; returns the number of rows
    /// after the header. Items are in walk order; an item the instrument does not know comes
    /// last in the long layout (without scale bounds) and is left out of the wide one.
    fn export_csv(
        &self,
        scope: Scope<'_>,
        instrument: &Instrument,
        export: CsvExport,
        out: &mut dyn Write,
        out_name: &Path,
    ) -> Result<usize> {
        let tx = self.conn.unchecked_transaction()?;
        let mut csv = CsvOut::new(instrument, export, out, out_name)?;
        let mut respondents = tx.prepare(&CSV_RESPONDENTS.sql(scope))?;
        let mut answers = tx.prepare_cached(
            "SELECT item_key, value, missing, comment, updated_at
             FROM answer WHERE respondent_id = ?1",
        )?;
        let mut rows = respondents.query(scope_params(&scope).as_slice())?;
        while let Some(row) = rows.next()? {
            let context = (0..CSV_CONTEXT.len())
                .map(|i| row.get::<_, String>(i))
                .collect::<rusqlite::Result<Vec<String>>>()?;
            let theirs = answers
                .query_map([&context[8]], |a| {
                    Ok((a.get(0)?, a.get(1)?, a.get(2)?, a.get(3)?, a.get(4)?))
                })?
                .collect::<rusqlite::Result<Vec<CsvAnswer>>>()?;
            csv.respondent(context, theirs)?;
        }
        csv.finish()
    }

    /// Merges a JSON export into this database, all or nothing (see `docs/exchange.md` for
    /// the rules). A file that cannot be merged is refused with `StoreError::ImportRefused`,
    /// which says why and where, and nothing is written. `clock` is this machine's: times
    /// past it are refused (see `ImportClock`).
    fn import_json(
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
}

impl FileStore {
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
            let mut merge = SqliteMerge::new(&tx, instrument)?;
            // Dropping `handed` on a refusal stops the reader; the scope waits for it.
            let summary =
                import::merge_rows(&mut merge, instrument, clock, handed).map_err(|failed| {
                    match failed {
                        Failed::Refused(refusal) => StoreError::ImportRefused(refusal),
                        Failed::Backend(e) => e,
                    }
                })?;
            let mut conn: &Connection = &tx;
            merge.kept.finish(&mut conn)?;
            Ok::<_, StoreError>(summary)
        })?;
        tx.commit()?;
        Ok(summary)
    }
}

// ---- import: the merge transaction the importer writes through ----

impl From<rusqlite::Error> for Stop<StoreError> {
    fn from(e: rusqlite::Error) -> Stop<StoreError> {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => {
                Stop::Problem(Problem::Rejected(e.to_string()))
            }
            _ => Stop::Backend(e.into()),
        }
    }
}

impl From<StoreError> for Stop<StoreError> {
    fn from(e: StoreError) -> Stop<StoreError> {
        Stop::Backend(e)
    }
}

type Step = std::result::Result<(), Stop<StoreError>>;
type Found<T> = std::result::Result<T, Stop<StoreError>>;

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

/// The import's open IMMEDIATE transaction, as `crate::exchange::import` writes through it;
/// it keeps the kept scores counted as answers come (`kept_count::Counter`).
struct SqliteMerge<'a> {
    conn: &'a Connection,
    hot: Hot<'a>,
    kept: Counter<'a>,
    history_added: HistoryAdded,
}

impl<'a> SqliteMerge<'a> {
    fn new(conn: &'a Connection, instrument: &'a Instrument) -> rusqlite::Result<SqliteMerge<'a>> {
        let answers_before =
            conn.query_row("SELECT ifnull(max(rowid), 0) FROM answer", [], |r| r.get(0))?;
        Ok(SqliteMerge {
            conn,
            hot: Hot::new(conn)?,
            kept: Counter::new(instrument),
            history_added: HistoryAdded::new(answers_before),
        })
    }

    fn one<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        row: impl FnOnce(&Row) -> rusqlite::Result<T>,
    ) -> Found<Option<T>> {
        Ok(self
            .conn
            .prepare_cached(sql)?
            .query_row(params, row)
            .optional()?)
    }

    fn run(&self, sql: &str, params: impl rusqlite::Params) -> Step {
        self.conn.prepare_cached(sql)?.execute(params)?;
        Ok(())
    }
}

impl MergeTx for SqliteMerge<'_> {
    type Error = StoreError;

    fn exists(&mut self, table: Table, id: &str) -> Found<bool> {
        let sql = match table {
            Table::Service => "SELECT EXISTS (SELECT 1 FROM service WHERE id = ?1)",
            Table::Round => "SELECT EXISTS (SELECT 1 FROM round WHERE id = ?1)",
            Table::Respondent => "SELECT EXISTS (SELECT 1 FROM respondent WHERE id = ?1)",
            Table::PlanItem => "SELECT EXISTS (SELECT 1 FROM plan_item WHERE id = ?1)",
            Table::Goal => "SELECT EXISTS (SELECT 1 FROM goal WHERE id = ?1)",
        };
        Ok(self
            .conn
            .prepare_cached(sql)?
            .query_row([id], |r| r.get(0))?)
    }

    fn erased_ids(&mut self) -> Found<HashSet<String>> {
        let mut stmt = self.conn.prepare("SELECT id FROM erased")?;
        let ids = stmt.query_map([], |r| r.get(0))?;
        Ok(ids.collect::<rusqlite::Result<_>>()?)
    }

    fn service(&mut self, id: &str) -> Found<Option<ServiceRow>> {
        self.one(
            &format!("{} WHERE s.id = ?1", SERVICES.select),
            [id],
            service_row,
        )
    }

    fn add_service(&mut self, row: &ServiceRow) -> Step {
        let service = service_of(row);
        Ok(super::insert_service(
            self.conn,
            &service,
            &row.created_at,
            &row.updated_at,
        )?)
    }

    fn update_service(&mut self, row: &ServiceRow) -> Step {
        super::write_service(self.conn, &service_of(row), &row.updated_at)?;
        Ok(())
    }

    fn round_service(&mut self, id: &str) -> Found<Option<String>> {
        self.one("SELECT service_id FROM round WHERE id = ?1", [id], |r| {
            r.get(0)
        })
    }

    fn add_round(&mut self, row: &RoundRow) -> Step {
        self.run(
            "INSERT INTO round (id, service_id, label, held_on, kind, instrument_key,
                                instrument_version, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                row.id,
                row.service_id,
                row.label,
                row.held_on,
                row.kind,
                row.instrument_key,
                row.instrument_version,
                row.created_at
            ],
        )
    }

    fn respondent_round(&mut self, id: &str) -> Found<Option<String>> {
        self.one("SELECT round_id FROM respondent WHERE id = ?1", [id], |r| {
            r.get(0)
        })
    }

    fn add_respondent(&mut self, row: &RespondentRow) -> Step {
        self.run(
            "INSERT INTO respondent (id, round_id, role, code, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![row.id, row.round_id, row.role, row.code, row.created_at],
        )?;
        self.kept.respondent_added(&mut self.conn, &row.id)?;
        Ok(())
    }

    fn answered_by_code(&mut self, row: &RespondentRow, at: &str) -> Found<bool> {
        let random = super::random_bytes::<32>()?;
        // Withdrawn, claimed, and under a hash no code has: nothing here opens their walk,
        // and everything that shows respondents by code counts them. One with an invite
        // here already (the machine that made their code, or an earlier import) keeps it.
        let added = self
            .conn
            .prepare_cached(
                "INSERT INTO invite (id, round_id, role, code_hash, created_at, withdrawn_at,
                                     respondent_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)
                 ON CONFLICT (respondent_id) DO NOTHING",
            )?
            .execute(params![
                new_id(),
                row.round_id,
                row.role,
                invite::sealed(&random),
                at,
                row.id
            ])?;
        Ok(added == 1)
    }

    fn add_answer(&mut self, row: &AnswerRow) -> Found<bool> {
        let added = self.hot.add_answer.execute(params![
            row.id,
            row.respondent_id,
            row.item_key,
            row.value,
            row.missing,
            row.comment,
            row.updated_at
        ])?;
        if added == 0 {
            return Ok(false);
        }
        let response = super::response_from(row.value, row.missing.as_deref());
        self.kept
            .answer_added(&mut self.conn, &row.respondent_id, &row.item_key, response)?;
        Ok(true)
    }

    fn answer_to(&mut self, respondent_id: &str, item_key: &str) -> Found<Option<AnswerHere>> {
        self.one(
            "SELECT rowid, id, value, missing, comment, updated_at FROM answer
             WHERE respondent_id = ?1 AND item_key = ?2",
            params![respondent_id, item_key],
            |r| {
                Ok(AnswerHere {
                    stored: StoredAnswer {
                        place: r.get(0)?,
                        id: r.get(1)?,
                    },
                    content: Content {
                        value: r.get(2)?,
                        missing: r.get(3)?,
                        comment: r.get(4)?,
                    },
                    updated_at: r.get(5)?,
                })
            },
        )
    }

    fn answer_by_id(&mut self, id: &str) -> Found<Option<(StoredAnswer, String, String)>> {
        Ok(self
            .hot
            .answer_by_id
            .query_row([id], |r| {
                Ok((
                    StoredAnswer {
                        place: r.get(0)?,
                        id: id.to_string(),
                    },
                    r.get(1)?,
                    r.get(2)?,
                ))
            })
            .optional()?)
    }

    fn replace_answer(
        &mut self,
        answer: &StoredAnswer,
        respondent_id: &str,
        content: &Content,
        updated_at: &str,
    ) -> Step {
        self.run(
            "UPDATE answer SET value = ?2, missing = ?3, comment = ?4, updated_at = ?5
             WHERE id = ?1",
            params![
                answer.id,
                content.value,
                content.missing,
                content.comment,
                updated_at
            ],
        )?;
        self.kept.answer_changed(respondent_id);
        Ok(())
    }

    fn history_has(&mut self, answer: &StoredAnswer, at: &str, new: &Content) -> Found<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM answer_history
                 WHERE answer_id = ?1 AND changed_at = ?2 AND new_value IS ?3
                   AND new_missing IS ?4 AND new_comment = ?5)",
            )?
            .query_row(
                params![answer.id, at, new.value, new.missing, new.comment],
                |r| r.get(0),
            )?)
    }

    fn append_history(
        &mut self,
        answer: &StoredAnswer,
        respondent_id: &str,
        old: Option<&Content>,
        new: &Content,
        at: &str,
    ) -> Found<bool> {
        let (old_value, old_missing, old_comment) = match old {
            Some(old) => (
                old.value,
                old.missing.as_deref(),
                Some(old.comment.as_str()),
            ),
            None => (None, None, None),
        };
        if !self.history_added.first(answer.place) {
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

    fn plan_item(&mut self, id: &str) -> Found<Option<PlanItemRow>> {
        self.one(
            &format!("{} WHERE p.id = ?1", PLAN_ITEMS.select),
            [id],
            plan_item_row,
        )
    }

    fn add_plan_item(&mut self, item: &PlanItem, created_at: &str, updated_at: &str) -> Step {
        Ok(plan::insert_plan_item(
            self.conn, item, created_at, updated_at,
        )?)
    }

    fn update_plan_item(&mut self, item: &PlanItem, updated_at: &str) -> Step {
        Ok(plan::update_plan_item(self.conn, item, updated_at)?)
    }

    fn goal(&mut self, id: &str) -> Found<Option<GoalRow>> {
        self.one(&format!("{} WHERE g.id = ?1", GOALS.select), [id], goal_row)
    }

    fn add_goal(&mut self, row: &GoalRow) -> Step {
        self.run(
            "INSERT INTO goal (id, service_id, text, subdomain_keys, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                row.id,
                row.service_id,
                row.text,
                row.subdomain_keys.join(","),
                row.created_at,
                row.updated_at
            ],
        )
    }

    fn update_goal(&mut self, row: &GoalRow) -> Step {
        self.run(
            "UPDATE goal SET text = ?2, subdomain_keys = ?3, updated_at = ?4 WHERE id = ?1",
            params![
                row.id,
                row.text,
                row.subdomain_keys.join(","),
                row.updated_at
            ],
        )
    }

    fn put_goal_status(
        &mut self,
        goal_id: &str,
        round_id: &str,
        status: GoalStatus,
        updated_at: &str,
    ) -> Step {
        let key = format!("{goal_id}/{round_id}");
        let status = Value::Text(status.code().into());
        Ok(plan::put_value(
            self.conn,
            Valued::GoalStatus,
            &key,
            &status,
            updated_at,
        )?)
    }

    fn put_round_stage(&mut self, round_id: &str, stage: Stage, updated_at: &str) -> Step {
        let stage = Value::Text(stage.code().into());
        Ok(plan::put_value(
            self.conn,
            Valued::RoundStage,
            round_id,
            &stage,
            updated_at,
        )?)
    }

    fn put_consensus(
        &mut self,
        round_id: &str,
        subdomain_key: &str,
        value: i64,
        updated_at: &str,
    ) -> Step {
        let key = format!("{round_id}/{subdomain_key}");
        let value = Value::Integer(value);
        Ok(plan::put_value(
            self.conn,
            Valued::Consensus,
            &key,
            &value,
            updated_at,
        )?)
    }

    fn current(&mut self, valued: Valued, key: &str) -> Found<Option<(String, String)>> {
        Ok(plan::current_value(self.conn, valued, key)?
            .map(|(value, at)| (plan::snapshot(&value), at)))
    }

    fn remove(&mut self, valued: Valued, key: &str) -> Step {
        Ok(plan::remove_value(self.conn, valued, key)?)
    }

    fn own_area_service(&mut self, id: &str) -> Found<Option<String>> {
        Ok(needs::own_area_service(self.conn, id)?)
    }

    fn add_own_area(&mut self, row: &OwnAreaRow) -> Step {
        let area = OwnArea {
            id: row.id.clone(),
            service_id: row.service_id.clone(),
            name: row.name.clone(),
        };
        Ok(needs::insert_own_area(self.conn, &area, &row.created_at)?)
    }

    fn need(&mut self, round_id: &str, area_key: &str) -> Found<Option<(Need, String)>> {
        Ok(needs::need_at(self.conn, round_id, area_key)?)
    }

    fn put_need(&mut self, round_id: &str, need: &Need, updated_at: &str) -> Step {
        Ok(needs::put_need(self.conn, round_id, need, updated_at)?)
    }

    fn top_three_count(&mut self, round_id: &str) -> Found<usize> {
        let count: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM need WHERE round_id = ?1 AND top_three = 1")?
            .query_row([round_id], |r| r.get(0))?;
        Ok(count as usize)
    }

    fn expectations(&mut self, round_id: &str) -> Found<Option<(Expectations, String)>> {
        Ok(needs::expectations_at(self.conn, round_id)?)
    }

    fn put_expectations(
        &mut self,
        round_id: &str,
        expectations: &Expectations,
        updated_at: &str,
    ) -> Step {
        Ok(needs::put_expectations(
            self.conn,
            round_id,
            expectations,
            updated_at,
        )?)
    }

    fn facts(&mut self, round_id: &str) -> Found<Option<(Facts, String)>> {
        Ok(needs::facts_at(self.conn, round_id)?)
    }

    fn put_facts(&mut self, round_id: &str, facts: &Facts, updated_at: &str) -> Step {
        Ok(needs::put_facts(self.conn, round_id, facts, updated_at)?)
    }

    fn clear_note(&mut self, note: Note, round_id: &str) -> Step {
        Ok(needs::clear_note(self.conn, note, round_id)?)
    }

    fn position(&mut self, id: &str) -> Found<Option<(Position, String)>> {
        Ok(positions::position_at(self.conn, id)?)
    }

    fn put_position(&mut self, position: &Position, created_at: &str, updated_at: &str) -> Step {
        Ok(positions::put_position(
            self.conn, position, created_at, updated_at,
        )?)
    }

    fn remove_position(&mut self, id: &str) -> Step {
        self.run("DELETE FROM position WHERE id = ?1", [id])
    }

    fn removed_at(&mut self, entity: &str, key: &str) -> Found<Option<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT max(changed_at) FROM change_log
                 WHERE entity = ?1 AND entity_key = ?2 AND new_json IS NULL",
            )?
            .query_row([entity, key], |r| r.get(0))?)
    }

    fn logged(&mut self, entity: &str, key: &str, new: &str, at: &str) -> Found<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM change_log
                 WHERE entity = ?1 AND entity_key = ?2 AND changed_at = ?3 AND new_json = ?4)",
            )?
            .query_row([entity, key, at, new], |r| r.get(0))?)
    }

    fn log_change(
        &mut self,
        entity: &str,
        key: &str,
        old: Option<&str>,
        new: Option<&str>,
        at: &str,
    ) -> Found<bool> {
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
        self.run(
            "INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![entity, key, old, new, at],
        )?;
        Ok(true)
    }
}
