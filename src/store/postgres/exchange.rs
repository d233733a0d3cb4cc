//! Exchange on the server: the export (JSON and CSV) from one read snapshot, row by row as
//! the server streams them, and the import merged through `crate::exchange::import`'s rules
//! in one write transaction that the first problem rolls back, as on SQLite
//! (`store::sqlite::exchange`, whose queries and writers `store::exchange_rows` shares).

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc;

use chrono::{DateTime, Utc};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, Row, Statement};
use serde::Serialize;

use super::answers::{insert_service, service_from, unknown_code, write_service};
use super::copied::{Ahead, Counting, Held};
use super::{PgStore, found_version, kept};
use crate::domain::instrument::Instrument;
use crate::domain::invite;
use crate::domain::model::new_id;
use crate::domain::needs::{Expectation, Expectations, Facts, Need, Who, YesPartlyNo};
use crate::domain::plan::{GoalStatus, PlanItem, Stage};
use crate::domain::requirement::{Education, Position, PositionFacts, PositionRole};
use crate::exchange::check::snapshot_of;
use crate::exchange::import::{
    self, AnswerHere, Content, Failed, MergeTx, Note, Stop, StoredAnswer, Table, Valued,
};
use crate::exchange::read::{BATCHES_AHEAD, Parsed, Place, Reading};
use crate::exchange::{
    AnswerRow, CSV_CONTEXT, ChangeRow, ConsensusRow, CsvExport, Disclosure, ExpectationsRow,
    FactsRow, GoalRow, GoalStatusRow, HistoryRow, ImportClock, ImportSummary, NeedRow, OwnAreaRow,
    PlanCounts, PlanItemRow, PositionRow, Problem, RespondentRow, RoundRow, RoundStageRow, Scope,
    ServiceRow,
};
use crate::store::columns::response_from;
use crate::store::exchange_rows::HistoryAdded;
use crate::store::exchange_rows::{
    ANSWERS, CHANGES, CONSENSUS, CSV_RESPONDENTS, CsvAnswer, CsvOut, EXPECTATIONS, FACTS,
    GOAL_STATUSES, GOALS, HISTORY, JsonOut, NEEDS, OWN_AREAS, PLAN_ITEMS, POSITIONS, RESPONDENTS,
    ROUND_STAGES, ROUNDS, SERVICES, Scoped, count_number, decimal_number, service_of,
};
use crate::store::kept_count::Counter;
use crate::store::sqlite::split_list;
use crate::store::{Counts, Exchange, Exported, Result, StoreError};

// ---- export ----

/// A shared query as the server reads it: `$N` for SQLite's `?N`, and `strpos` for SQLite's
/// `instr` (the same arguments, the same answer).
fn server_query(query: &Scoped, scope: Scope<'_>) -> String {
    kept::server_sql(&query.sql(scope)).replace("instr(", "strpos(")
}

fn scope_params<'a>(scope: &'a Scope<'a>) -> Vec<&'a (dyn ToSql + Sync)> {
    match scope {
        Scope::All => Vec::new(),
        Scope::Service(id) => vec![id as &(dyn ToSql + Sync)],
    }
}

/// `"name": [` a row a line `]`, streamed from the query; rows `read` makes `None` are
/// left out.
fn array_of<T: Serialize>(
    json: &mut JsonOut,
    tx: &mut Client,
    name: &str,
    query: &Scoped,
    scope: Scope<'_>,
    mut read: impl FnMut(&Row) -> Result<Option<T>>,
) -> Result<usize> {
    json.begin(name)?;
    let mut rows = tx.query_raw(&server_query(query, scope), scope_params(&scope))?;
    while let Some(row) = rows.next()? {
        if let Some(written) = read(&row)? {
            json.row(&written)?;
        }
    }
    json.end()
}

fn array<T: Serialize>(
    json: &mut JsonOut,
    tx: &mut Client,
    name: &str,
    query: &Scoped,
    scope: Scope<'_>,
    read: fn(&Row) -> Result<T>,
) -> Result<usize> {
    array_of(json, tx, name, query, scope, |row| read(row).map(Some))
}

fn service_row(row: &Row) -> Result<ServiceRow> {
    let service = service_from(row);
    Ok(ServiceRow {
        id: service.id,
        name: service.name,
        municipalities: service.municipalities,
        cluster: service.cluster,
        created_at: row.get(4),
        updated_at: row.get(5),
    })
}

fn round_row(row: &Row) -> Result<RoundRow> {
    Ok(RoundRow {
        id: row.get(0),
        service_id: row.get(1),
        label: row.get(2),
        held_on: row.get(3),
        kind: row.get(4),
        instrument_key: row.get(5),
        instrument_version: row.get(6),
        created_at: row.get(7),
    })
}

fn respondent_row(row: &Row) -> RespondentRow {
    RespondentRow {
        id: row.get(0),
        round_id: row.get(1),
        role: row.get(2),
        code: row.get(3),
        created_at: row.get(4),
        by_code: row.get(5),
    }
}

fn answer_row(row: &Row) -> AnswerRow {
    AnswerRow {
        id: row.get(0),
        respondent_id: row.get(1),
        item_key: row.get(2),
        value: row.get(3),
        missing: row.get(4),
        comment: row.get(5),
        updated_at: row.get(6),
    }
}

fn history_row(row: &Row) -> Result<HistoryRow> {
    Ok(HistoryRow {
        answer_id: row.get(0),
        respondent_id: row.get(1),
        old_value: row.get(2),
        old_missing: row.get(3),
        old_comment: row.get(4),
        new_value: row.get(5),
        new_missing: row.get(6),
        new_comment: row.get(7),
        changed_at: row.get(8),
    })
}

fn plan_item_row(row: &Row) -> Result<PlanItemRow> {
    Ok(PlanItemRow {
        id: row.get(0),
        service_id: row.get(1),
        subdomain_key: row.get(2),
        kind: row.get(3),
        text: row.get(4),
        level: row.get(5),
        owner: row.get(6),
        due_on: row.get(7),
        done: row.get::<_, i64>(8) != 0,
        done_on: row.get(9),
        created_at: row.get(10),
        updated_at: row.get(11),
    })
}

fn goal_row(row: &Row) -> Result<GoalRow> {
    Ok(GoalRow {
        id: row.get(0),
        service_id: row.get(1),
        text: row.get(2),
        subdomain_keys: split_list(row.get(3)),
        created_at: row.get(4),
        updated_at: row.get(5),
    })
}

fn goal_status_row(row: &Row) -> Result<GoalStatusRow> {
    Ok(GoalStatusRow {
        goal_id: row.get(0),
        round_id: row.get(1),
        status: row.get(2),
        updated_at: row.get(3),
    })
}

fn round_stage_row(row: &Row) -> Result<RoundStageRow> {
    Ok(RoundStageRow {
        round_id: row.get(0),
        stage: row.get(1),
        updated_at: row.get(2),
    })
}

fn consensus_row(row: &Row) -> Result<ConsensusRow> {
    Ok(ConsensusRow {
        round_id: row.get(0),
        subdomain_key: row.get(1),
        value: row.get(2),
        updated_at: row.get(3),
    })
}

fn own_area_row(row: &Row) -> Result<OwnAreaRow> {
    Ok(OwnAreaRow {
        id: row.get(0),
        service_id: row.get(1),
        name: row.get(2),
        created_at: row.get(3),
    })
}

fn need_row(row: &Row) -> Result<NeedRow> {
    Ok(NeedRow {
        round_id: row.get(0),
        area_key: row.get(1),
        mastery: row.get(2),
        importance: row.get(3),
        top_three: row.get::<_, i64>(4) != 0,
        who: row.get(5),
        missing: row.get(6),
        updated_at: row.get(7),
    })
}

fn expectations_row(row: &Row) -> Result<ExpectationsRow> {
    Ok(ExpectationsRow {
        round_id: row.get(0),
        wants: split_list(row.get(1)),
        text: row.get(2),
        knows_why: row.get(3),
        own_wish: row.get(4),
        updated_at: row.get(5),
    })
}

fn facts_row(row: &Row) -> Result<FactsRow> {
    // Counts as whole numbers, FTEs and the share as decimals, as the table keeps them.
    let count = |column: usize| count_number(row.get(column));
    let decimal = |column: usize| decimal_number(row.get(column));
    Ok(FactsRow {
        round_id: row.get(0),
        ftes: decimal(1),
        vacancies: count(2),
        turnover: count(3),
        newly_qualified: decimal(4),
        deadline_breaches: count(5),
        complaints: count(6),
        emergency_cases: count(7),
        updated_at: row.get(8),
    })
}

fn position_row(row: &Row) -> Result<PositionRow> {
    Ok(PositionRow {
        id: row.get(0),
        round_id: row.get(1),
        role: row.get(2),
        education: row.get(3),
        credits: row.get(4),
        years: row.get(5),
        planned_credits: row.get(6),
        planned_year: row.get(7),
        created_at: row.get(8),
        updated_at: row.get(9),
    })
}

fn change_row(row: &Row) -> Result<ChangeRow> {
    let snapshot = |column: usize| -> Result<Option<serde_json::Value>> {
        row.get::<_, Option<&str>>(column)
            .map(|text| serde_json::from_str(text).map_err(|_| unknown_code("change_log", text)))
            .transpose()
    };
    Ok(ChangeRow {
        entity: row.get(0),
        entity_key: row.get(1),
        old: snapshot(2)?,
        new: snapshot(3)?,
        changed_at: row.get(4),
    })
}

impl Exchange for PgStore {
    /// Writes everything in `scope` as a JSON export (see `docs/exchange.md`), row by row,
    /// from one snapshot: the arrays agree even while others write.
    fn export_json(
        &self,
        scope: Scope<'_>,
        instrument: &Instrument,
        now: DateTime<Utc>,
        disclosure: Disclosure,
        out: &mut dyn Write,
        out_name: &Path,
    ) -> Result<Exported> {
        self.read(|tx| {
            let mut json = JsonOut::new(out, out_name);
            let service: Option<String> = match scope {
                Scope::All => None,
                Scope::Service(id) => tx
                    .query_opt("SELECT name FROM service WHERE id = $1", &[&id])?
                    .map(|row| row.get(0)),
            };
            let schema_version = found_version(tx)?.unwrap_or(0);
            json.head(
                now,
                &disclosure.contents(&self.shown, service.as_deref()),
                schema_version,
                instrument,
            )?;
            let mut hide = disclosure.pseudonyms();
            let j = &mut json;
            let services = array(j, tx, "services", &SERVICES, scope, service_row)?;
            j.raw(",\n")?;
            let rounds = array(j, tx, "rounds", &ROUNDS, scope, round_row)?;
            j.raw(",\n")?;
            let respondents = array_of(j, tx, "respondents", &RESPONDENTS, scope, |row| {
                let respondent = respondent_row(row);
                Ok(Some(match &mut hide {
                    None => respondent,
                    Some(hide) => hide.respondent(respondent, row.get(6)),
                }))
            })?;
            j.raw(",\n")?;
            let answers = array_of(j, tx, "answers", &ANSWERS, scope, |row| {
                let answer = answer_row(row);
                Ok(match &mut hide {
                    None => Some(answer),
                    Some(hide) => hide.answer(answer),
                })
            })?;
            j.raw(",\n")?;
            // The history is what a merge needs, and its times and old comments could tell
            // who answered what: a pseudonymous file has none.
            let history = if hide.is_none() {
                array(j, tx, "history", &HISTORY, scope, history_row)?
            } else {
                j.empty("history")?
            };
            j.raw(",\n")?;
            let plan_items = array(j, tx, "plan_items", &PLAN_ITEMS, scope, plan_item_row)?;
            j.raw(",\n")?;
            let goals = array(j, tx, "goals", &GOALS, scope, goal_row)?;
            j.raw(",\n")?;
            let goal_statuses = array(
                j,
                tx,
                "goal_statuses",
                &GOAL_STATUSES,
                scope,
                goal_status_row,
            )?;
            j.raw(",\n")?;
            let round_stages = array(j, tx, "round_stages", &ROUND_STAGES, scope, round_stage_row)?;
            j.raw(",\n")?;
            let consensus = array(j, tx, "consensus", &CONSENSUS, scope, consensus_row)?;
            j.raw(",\n")?;
            let own_areas = array(j, tx, "own_areas", &OWN_AREAS, scope, own_area_row)?;
            j.raw(",\n")?;
            let needs = array(j, tx, "needs", &NEEDS, scope, need_row)?;
            j.raw(",\n")?;
            let expectations = array(
                j,
                tx,
                "expectations",
                &EXPECTATIONS,
                scope,
                expectations_row,
            )?;
            j.raw(",\n")?;
            let facts = array(j, tx, "facts", &FACTS, scope, facts_row)?;
            j.raw(",\n")?;
            let positions = array(j, tx, "positions", &POSITIONS, scope, position_row)?;
            j.raw(",\n")?;
            let changes = array(j, tx, "change_log", &CHANGES, scope, change_row)?;
            j.finish()?;
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
        })
    }

    /// Writes the answers in `scope` as CSV with a header row, as SQLite's does; returns
    /// the number of rows after the header.
    fn export_csv(
        &self,
        scope: Scope<'_>,
        instrument: &Instrument,
        export: CsvExport,
        out: &mut dyn Write,
        out_name: &Path,
    ) -> Result<usize> {
        self.read(|tx| {
            let mut csv = CsvOut::new(instrument, export, out, out_name)?;
            // The respondents first, then each one's answers: one query at a time on the
            // connection. A respondent's context is a few short texts.
            let contexts: Vec<Vec<String>> = tx
                .query(
                    &server_query(&CSV_RESPONDENTS, scope),
                    &scope_params(&scope),
                )?
                .iter()
                .map(|row| (0..CSV_CONTEXT.len()).map(|i| row.get(i)).collect())
                .collect();
            let answers = tx.prepare(
                "SELECT item_key, value, missing, comment, updated_at
                 FROM answer WHERE respondent_id = $1",
            )?;
            for context in contexts {
                let theirs: Vec<CsvAnswer> = tx
                    .query(&answers, &[&context[8]])?
                    .iter()
                    .map(|a| (a.get(0), a.get(1), a.get(2), a.get(3), a.get(4)))
                    .collect();
                csv.respondent(context, theirs)?;
            }
            csv.finish()
        })
    }

    /// Merges a JSON export into this database, all or nothing, by the same rules as on
    /// SQLite (`docs/exchange.md`); a refused file writes nothing.
    fn import_json(
        &mut self,
        input: impl Read + Send,
        instrument: &Instrument,
        clock: ImportClock,
    ) -> Result<ImportSummary> {
        self.write(|tx| {
            // The file is parsed on a thread of its own while this one writes what it has
            // read. Leaving the scope on a refusal drops `handed`, which stops the reader.
            std::thread::scope(|scope| {
                let (out, handed) = mpsc::sync_channel(BATCHES_AHEAD);
                scope.spawn(move || Reading::run(input, instrument, clock, out));
                let answers_before: i64 = tx
                    .query_one("SELECT coalesce(max(rowid), 0) FROM answer", &[])?
                    .get(0);
                let mut merge = PgMerge {
                    tx,
                    statements: HashMap::new(),
                    kept: Counter::new(instrument),
                    history_added: HistoryAdded::new(answers_before),
                    held: Held::default(),
                    ahead: Ahead::default(),
                    parents: HashSet::new(),
                };
                let summary = import::merge_rows(&mut merge, instrument, clock, handed).map_err(
                    |failed| match failed {
                        Failed::Refused(refusal) => StoreError::ImportRefused(refusal),
                        Failed::Backend(e) => e,
                    },
                )?;
                merge.kept.finish(&mut Counting {
                    client: merge.tx,
                    held: &mut merge.held,
                })?;
                merge.held.send(merge.tx)?;
                Ok(summary)
            })
        })
    }
}

// ---- import: the merge transaction the importer writes through ----

/// A row the server refuses by a rule of the tables is a problem of the file; anything
/// else is the server's.
impl From<postgres::Error> for Stop<StoreError> {
    fn from(e: postgres::Error) -> Stop<StoreError> {
        let broken_rule = e.code().is_some_and(|code| code.code().starts_with("23"));
        let e = StoreError::from(e);
        match e {
            StoreError::Database(driver) if broken_rule => {
                Stop::Problem(Problem::Rejected(driver.detail))
            }
            e => Stop::Backend(e),
        }
    }
}

type Step = std::result::Result<(), Stop<StoreError>>;
type Found<T> = std::result::Result<T, Stop<StoreError>>;

/// The import's open write transaction, as `crate::exchange::import` writes through it;
/// it keeps the kept scores counted as answers come (`kept_count::Counter`), as SQLite's.
struct PgMerge<'t, 'i> {
    tx: &'t mut Client,
    /// Each statement prepared once for the whole import: most run for every row.
    statements: HashMap<String, Statement>,
    kept: Counter<'i>,
    history_added: HistoryAdded,
    /// Rows for the next `COPY`: sent before any other statement.
    held: Held,
    /// What one look told of the batch being merged.
    ahead: Ahead,
    /// Services, rounds and respondents known to be here: an import removes none, so
    /// each is asked for once, however many rows come under it.
    parents: HashSet<(Table, String)>,
}

/// A value read as a domain code, or the database is not as kartlegg wrote it.
fn code_of<T>(column: &str, text: &str, parse: fn(&str) -> Option<T>) -> Found<T> {
    parse(text).ok_or_else(|| Stop::Backend(unknown_code(column, text)))
}

/// A whole number of the tables as the domain's narrower type.
fn narrow<T: TryFrom<i64>>(column: &str, number: i64) -> Found<T> {
    T::try_from(number).map_err(|_| Stop::Backend(unknown_code(column, &number.to_string())))
}

/// The halves of a two-part change log key (`goal/round`, `round/subdomain`).
fn halves(key: &str) -> (&str, &str) {
    key.split_once('/').unwrap_or((key, ""))
}

impl<'i> PgMerge<'_, 'i> {
    /// The transaction, once every held row is sent: for every statement but the
    /// `COPY`s, so that the server sees the file's rows in order.
    fn sent(&mut self) -> Found<&mut Client> {
        self.held.send(self.tx)?;
        Ok(self.tx)
    }

    fn statement(&mut self, sql: &str) -> Found<Statement> {
        self.held.send(self.tx)?;
        self.prepared(sql)
    }

    fn prepared(&mut self, sql: &str) -> Found<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.prepare(sql)?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    fn one(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Found<Option<Row>> {
        let statement = self.statement(sql)?;
        Ok(self.tx.query_opt(&statement, params)?)
    }

    fn yes(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Found<bool> {
        let statement = self.statement(sql)?;
        Ok(self.tx.query_one(&statement, params)?.get(0))
    }

    fn run(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Found<u64> {
        let statement = self.statement(sql)?;
        Ok(self.tx.execute(&statement, params)?)
    }

    /// The kept scores' counter, and the transaction as it counts in (tallies held for the
    /// next `COPY`).
    fn counting(&mut self) -> (&mut Counter<'i>, Counting<'_>) {
        let counting = Counting {
            client: self.tx,
            held: &mut self.held,
        };
        (&mut self.kept, counting)
    }

    /// A statement on the parents' tables alone (services, rounds, respondents), which no
    /// held row touches, so it goes with rows still held: only a batch's look, a full
    /// hold and the other statements send them. A parent is written before the rows under
    /// it are held, so its references hold when they are sent.
    fn apart(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Found<Option<Row>> {
        let statement = self.prepared(sql)?;
        Ok(self.tx.query_opt(&statement, params)?)
    }
}

impl MergeTx for PgMerge<'_, '_> {
    type Error = StoreError;

    fn exists(&mut self, table: Table, id: &str) -> Found<bool> {
        let sql = match table {
            Table::Service => "SELECT EXISTS (SELECT 1 FROM service WHERE id = $1)",
            Table::Round => "SELECT EXISTS (SELECT 1 FROM round WHERE id = $1)",
            Table::Respondent => "SELECT EXISTS (SELECT 1 FROM respondent WHERE id = $1)",
            Table::PlanItem => "SELECT EXISTS (SELECT 1 FROM plan_item WHERE id = $1)",
            Table::Goal => "SELECT EXISTS (SELECT 1 FROM goal WHERE id = $1)",
        };
        match table {
            Table::Service | Table::Round | Table::Respondent => {
                let key = (table, id.to_string());
                if self.parents.contains(&key) {
                    return Ok(true);
                }
                let here = self.apart(sql, &[&id])?.is_some_and(|row| row.get(0));
                if here {
                    self.parents.insert(key);
                }
                Ok(here)
            }
            Table::PlanItem | Table::Goal => self.yes(sql, &[&id]),
        }
    }

    fn erased_ids(&mut self) -> Found<HashSet<String>> {
        let rows = self.sent()?.query("SELECT id FROM erased", &[])?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    fn service(&mut self, id: &str) -> Found<Option<ServiceRow>> {
        let row = self.one(&format!("{} WHERE s.id = $1", SERVICES.select), &[&id])?;
        Ok(row.map(|row| service_row(&row)).transpose()?)
    }

    fn add_service(&mut self, row: &ServiceRow) -> Step {
        insert_service(
            self.sent()?,
            &service_of(row),
            &row.created_at,
            &row.updated_at,
        )?;
        Ok(())
    }

    fn update_service(&mut self, row: &ServiceRow) -> Step {
        write_service(self.sent()?, &service_of(row), &row.updated_at)?;
        Ok(())
    }

    fn round_service(&mut self, id: &str) -> Found<Option<String>> {
        let row = self.apart("SELECT service_id FROM round WHERE id = $1", &[&id])?;
        Ok(row.map(|row| row.get(0)))
    }

    fn add_round(&mut self, row: &RoundRow) -> Step {
        self.run(
            "INSERT INTO round (id, service_id, label, held_on, kind, instrument_key,
                                instrument_version, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &row.id,
                &row.service_id,
                &row.label,
                &row.held_on,
                &row.kind,
                &row.instrument_key,
                &row.instrument_version,
                &row.created_at,
            ],
        )?;
        Ok(())
    }

    fn respondent_round(&mut self, id: &str) -> Found<Option<String>> {
        let row = self.apart("SELECT round_id FROM respondent WHERE id = $1", &[&id])?;
        Ok(row.map(|row| row.get(0)))
    }

    fn add_respondent(&mut self, row: &RespondentRow) -> Step {
        self.apart(
            "INSERT INTO respondent (id, round_id, role, code, created_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &row.id,
                &row.round_id,
                &row.role,
                &row.code,
                &row.created_at,
            ],
        )?;
        let (kept, mut counting) = self.counting();
        kept.respondent_added(&mut counting, &row.id)?;
        self.parents.insert((Table::Respondent, row.id.clone()));
        Ok(())
    }

    fn answered_by_code(&mut self, row: &RespondentRow, at: &str) -> Found<bool> {
        let random = crate::store::sqlite::random_bytes::<32>()?;
        // Withdrawn, claimed, and under a hash no code has: nothing here opens their walk,
        // and everything that shows respondents by code counts them. One with an invite
        // here already keeps it.
        let added = self.run(
            "INSERT INTO invite (id, round_id, role, code_hash, created_at, withdrawn_at,
                                 respondent_id)
             VALUES ($1, $2, $3, $4, $5, $5, $6)
             ON CONFLICT (respondent_id) DO NOTHING",
            &[
                &new_id(),
                &row.round_id,
                &row.role,
                &invite::sealed(&random),
                &at,
                &row.id,
            ],
        )?;
        Ok(added == 1)
    }

    fn ahead(&mut self, rows: &[(Parsed, Place)]) -> Step {
        self.ahead = Ahead::look(self.tx, &mut self.held, rows)?;
        Ok(())
    }

    fn add_answer(&mut self, row: &AnswerRow) -> Found<bool> {
        let response = response_from(row.value, row.missing.as_deref());
        if self.ahead.surely_new(row) {
            self.ahead.taken(row);
            self.held.answer(row);
            let (kept, mut counting) = self.counting();
            kept.answer_added(&mut counting, &row.respondent_id, &row.item_key, response)?;
            self.held.send_when_full(self.tx)?;
            return Ok(true);
        }
        // Does nothing when the id, or the respondent and item, are taken. Its rowid tells
        // `history_added` that the import added it.
        let added = self.one(
            "INSERT INTO answer (id, respondent_id, item_key, value, missing, comment,
                                 updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT DO NOTHING RETURNING rowid",
            &[
                &row.id,
                &row.respondent_id,
                &row.item_key,
                &row.value,
                &row.missing,
                &row.comment,
                &row.updated_at,
            ],
        )?;
        if added.is_none() {
            return Ok(false);
        }
        self.ahead.taken(row);
        let (kept, mut counting) = self.counting();
        kept.answer_added(&mut counting, &row.respondent_id, &row.item_key, response)?;
        Ok(true)
    }

    fn answer_to(&mut self, respondent_id: &str, item_key: &str) -> Found<Option<AnswerHere>> {
        let row = self.one(
            "SELECT rowid, id, value, missing, comment, updated_at FROM answer
             WHERE respondent_id = $1 AND item_key = $2",
            &[&respondent_id, &item_key],
        )?;
        Ok(row.map(|r| AnswerHere {
            stored: StoredAnswer {
                place: r.get(0),
                id: r.get(1),
            },
            content: Content {
                value: r.get(2),
                missing: r.get(3),
                comment: r.get(4),
            },
            updated_at: r.get(5),
        }))
    }

    fn answer_by_id(&mut self, id: &str) -> Found<Option<(StoredAnswer, String, String)>> {
        if let Some(found) = self.ahead.answer(id) {
            return Ok(Some(found));
        }
        let row = self.one(
            "SELECT rowid, respondent_id, item_key FROM answer WHERE id = $1",
            &[&id],
        )?;
        Ok(row.map(|r| {
            (
                StoredAnswer {
                    place: r.get(0),
                    id: id.to_string(),
                },
                r.get(1),
                r.get(2),
            )
        }))
    }

    fn replace_answer(
        &mut self,
        answer: &StoredAnswer,
        respondent_id: &str,
        content: &Content,
        updated_at: &str,
    ) -> Step {
        self.run(
            "UPDATE answer SET value = $2, missing = $3, comment = $4, updated_at = $5
             WHERE id = $1",
            &[
                &answer.id,
                &content.value,
                &content.missing,
                &content.comment,
                &updated_at,
            ],
        )?;
        self.kept.answer_changed(respondent_id);
        Ok(())
    }

    fn history_has(&mut self, answer: &StoredAnswer, at: &str, new: &Content) -> Found<bool> {
        self.yes(
            "SELECT EXISTS (SELECT 1 FROM answer_history
             WHERE answer_id = $1 AND changed_at = $2 AND new_value IS NOT DISTINCT FROM $3
               AND new_missing IS NOT DISTINCT FROM $4 AND new_comment = $5)",
            &[&answer.id, &at, &new.value, &new.missing, &new.comment],
        )
    }

    fn append_history(
        &mut self,
        answer: &StoredAnswer,
        respondent_id: &str,
        old: Option<&Content>,
        new: &Content,
        at: &str,
    ) -> Found<bool> {
        if self.history_added.first(answer.place) {
            // Nothing to look for: the server takes it as it is.
            self.held.change(answer, respondent_id, old, new, at);
            self.held.send_when_full(self.tx)?;
            return Ok(true);
        }
        let (old_value, old_missing, old_comment) = match old {
            Some(old) => (
                old.value,
                old.missing.as_deref(),
                Some(old.comment.as_str()),
            ),
            None => (None, None, None),
        };
        if self.yes(
            "SELECT EXISTS (SELECT 1 FROM answer_history
                 WHERE answer_id = $1 AND changed_at = $2
                   AND old_value IS NOT DISTINCT FROM $3 AND old_missing IS NOT DISTINCT FROM $4
                   AND old_comment IS NOT DISTINCT FROM $5
                   AND new_value IS NOT DISTINCT FROM $6 AND new_missing IS NOT DISTINCT FROM $7
                   AND new_comment = $8)",
            &[
                &answer.id,
                &at,
                &old_value,
                &old_missing,
                &old_comment,
                &new.value,
                &new.missing,
                &new.comment,
            ],
        )? {
            return Ok(false);
        }
        self.run(
            "INSERT INTO answer_history (answer_id, respondent_id, old_value, old_missing,
                 old_comment, new_value, new_missing, new_comment, changed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &answer.id,
                &respondent_id,
                &old_value,
                &old_missing,
                &old_comment,
                &new.value,
                &new.missing,
                &new.comment,
                &at,
            ],
        )?;
        Ok(true)
    }

    fn plan_item(&mut self, id: &str) -> Found<Option<PlanItemRow>> {
        let row = self.one(&format!("{} WHERE p.id = $1", PLAN_ITEMS.select), &[&id])?;
        Ok(row.map(|row| plan_item_row(&row)).transpose()?)
    }

    fn add_plan_item(&mut self, item: &PlanItem, created_at: &str, updated_at: &str) -> Step {
        Ok(super::plan::insert_plan_item(
            self.sent()?,
            item,
            created_at,
            updated_at,
        )?)
    }

    fn update_plan_item(&mut self, item: &PlanItem, updated_at: &str) -> Step {
        Ok(super::plan::write_plan_item(
            self.sent()?,
            item,
            updated_at,
        )?)
    }

    fn goal(&mut self, id: &str) -> Found<Option<GoalRow>> {
        let row = self.one(&format!("{} WHERE g.id = $1", GOALS.select), &[&id])?;
        Ok(row.map(|row| goal_row(&row)).transpose()?)
    }

    fn add_goal(&mut self, row: &GoalRow) -> Step {
        self.run(
            "INSERT INTO goal (id, service_id, text, subdomain_keys, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &row.id,
                &row.service_id,
                &row.text,
                &row.subdomain_keys.join(","),
                &row.created_at,
                &row.updated_at,
            ],
        )?;
        Ok(())
    }

    fn update_goal(&mut self, row: &GoalRow) -> Step {
        self.run(
            "UPDATE goal SET text = $2, subdomain_keys = $3, updated_at = $4 WHERE id = $1",
            &[
                &row.id,
                &row.text,
                &row.subdomain_keys.join(","),
                &row.updated_at,
            ],
        )?;
        Ok(())
    }

    fn put_goal_status(
        &mut self,
        goal_id: &str,
        round_id: &str,
        status: GoalStatus,
        updated_at: &str,
    ) -> Step {
        self.run(
            "INSERT INTO goal_status (goal_id, round_id, status, updated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (goal_id, round_id) DO UPDATE SET
                status = excluded.status, updated_at = excluded.updated_at",
            &[&goal_id, &round_id, &status.code(), &updated_at],
        )?;
        Ok(())
    }

    fn put_round_stage(&mut self, round_id: &str, stage: Stage, updated_at: &str) -> Step {
        self.run(
            "INSERT INTO round_stage (round_id, stage, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (round_id) DO UPDATE SET
                stage = excluded.stage, updated_at = excluded.updated_at",
            &[&round_id, &stage.code(), &updated_at],
        )?;
        Ok(())
    }

    fn put_consensus(
        &mut self,
        round_id: &str,
        subdomain_key: &str,
        value: i64,
        updated_at: &str,
    ) -> Step {
        self.run(
            "INSERT INTO consensus (round_id, subdomain_key, value, updated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (round_id, subdomain_key) DO UPDATE SET
                value = excluded.value, updated_at = excluded.updated_at",
            &[&round_id, &subdomain_key, &value, &updated_at],
        )?;
        Ok(())
    }

    /// The value as the change log writes it: a code as a JSON string, a number as a
    /// number (as SQLite's `plan::snapshot`).
    fn current(&mut self, valued: Valued, key: &str) -> Found<Option<(String, String)>> {
        let (first, second) = halves(key);
        Ok(match valued {
            Valued::GoalStatus => self
                .one(
                    "SELECT status, updated_at FROM goal_status
                     WHERE goal_id = $1 AND round_id = $2",
                    &[&first, &second],
                )?
                .map(|r| (snapshot_of(&r.get::<_, &str>(0)), r.get(1))),
            Valued::RoundStage => self
                .one(
                    "SELECT stage, updated_at FROM round_stage WHERE round_id = $1",
                    &[&key],
                )?
                .map(|r| (snapshot_of(&r.get::<_, &str>(0)), r.get(1))),
            Valued::Consensus => self
                .one(
                    "SELECT value, updated_at FROM consensus
                     WHERE round_id = $1 AND subdomain_key = $2",
                    &[&first, &second],
                )?
                .map(|r| (snapshot_of(&r.get::<_, i64>(0)), r.get(1))),
        })
    }

    fn remove(&mut self, valued: Valued, key: &str) -> Step {
        let (first, second) = halves(key);
        match valued {
            Valued::GoalStatus => self.run(
                "DELETE FROM goal_status WHERE goal_id = $1 AND round_id = $2",
                &[&first, &second],
            )?,
            Valued::RoundStage => {
                self.run("DELETE FROM round_stage WHERE round_id = $1", &[&key])?
            }
            Valued::Consensus => self.run(
                "DELETE FROM consensus WHERE round_id = $1 AND subdomain_key = $2",
                &[&first, &second],
            )?,
        };
        Ok(())
    }

    fn own_area_service(&mut self, id: &str) -> Found<Option<String>> {
        let row = self.one("SELECT service_id FROM own_area WHERE id = $1", &[&id])?;
        Ok(row.map(|row| row.get(0)))
    }

    fn add_own_area(&mut self, row: &OwnAreaRow) -> Step {
        self.run(
            "INSERT INTO own_area (id, service_id, name, created_at) VALUES ($1, $2, $3, $4)",
            &[&row.id, &row.service_id, &row.name, &row.created_at],
        )?;
        Ok(())
    }

    fn need(&mut self, round_id: &str, area_key: &str) -> Found<Option<(Need, String)>> {
        let Some(row) = self.one(
            "SELECT area_key, mastery, importance, top_three, who, missing, updated_at
             FROM need WHERE round_id = $1 AND area_key = $2",
            &[&round_id, &area_key],
        )?
        else {
            return Ok(None);
        };
        let scale = |column: usize| -> Found<Option<u8>> {
            row.get::<_, Option<i64>>(column)
                .map(|n| narrow("need", n))
                .transpose()
        };
        let need = Need {
            area_key: row.get(0),
            mastery: scale(1)?,
            importance: scale(2)?,
            top_three: row.get::<_, i64>(3) != 0,
            who: row
                .get::<_, Option<&str>>(4)
                .map(|w| code_of("who", w, Who::from_code))
                .transpose()?,
            missing: row.get(5),
        };
        Ok(Some((need, row.get(6))))
    }

    fn put_need(&mut self, round_id: &str, need: &Need, updated_at: &str) -> Step {
        self.run(
            "INSERT INTO need (round_id, area_key, mastery, importance, top_three, who,
                               missing, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (round_id, area_key) DO UPDATE SET
                mastery = excluded.mastery, importance = excluded.importance,
                top_three = excluded.top_three, who = excluded.who,
                missing = excluded.missing, updated_at = excluded.updated_at",
            &[
                &round_id,
                &need.area_key,
                &need.mastery.map(i64::from),
                &need.importance.map(i64::from),
                &i64::from(need.top_three),
                &need.who.map(Who::code),
                &need.missing,
                &updated_at,
            ],
        )?;
        Ok(())
    }

    fn top_three_count(&mut self, round_id: &str) -> Found<usize> {
        let row = self.one(
            "SELECT count(*) FROM need WHERE round_id = $1 AND top_three = 1",
            &[&round_id],
        )?;
        Ok(row.map_or(0, |row| row.get::<_, i64>(0) as usize))
    }

    fn expectations(&mut self, round_id: &str) -> Found<Option<(Expectations, String)>> {
        let Some(row) = self.one(
            "SELECT wants, text, knows_why, own_wish, updated_at FROM expectations
             WHERE round_id = $1",
            &[&round_id],
        )?
        else {
            return Ok(None);
        };
        let answer = |column: usize| -> Found<Option<YesPartlyNo>> {
            row.get::<_, Option<&str>>(column)
                .map(|t| code_of("expectations", t, YesPartlyNo::from_code))
                .transpose()
        };
        let expectations = Expectations {
            wants: split_list(row.get(0))
                .iter()
                .map(|w| code_of("wants", w, Expectation::from_code))
                .collect::<Found<_>>()?,
            text: row.get(1),
            knows_why: answer(2)?,
            own_wish: answer(3)?,
        };
        Ok(Some((expectations, row.get(4))))
    }

    fn put_expectations(
        &mut self,
        round_id: &str,
        expectations: &Expectations,
        updated_at: &str,
    ) -> Step {
        let wants: Vec<&str> = expectations.wants.iter().map(|e| e.code()).collect();
        self.run(
            "INSERT INTO expectations (round_id, wants, text, knows_why, own_wish, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (round_id) DO UPDATE SET
                wants = excluded.wants, text = excluded.text,
                knows_why = excluded.knows_why, own_wish = excluded.own_wish,
                updated_at = excluded.updated_at",
            &[
                &round_id,
                &wants.join(","),
                &expectations.text,
                &expectations.knows_why.map(YesPartlyNo::code),
                &expectations.own_wish.map(YesPartlyNo::code),
                &updated_at,
            ],
        )?;
        Ok(())
    }

    fn facts(&mut self, round_id: &str) -> Found<Option<(Facts, String)>> {
        let Some(row) = self.one(
            "SELECT ftes, vacancies, turnover, newly_qualified, deadline_breaches, complaints,
                    emergency_cases, updated_at
             FROM service_facts WHERE round_id = $1",
            &[&round_id],
        )?
        else {
            return Ok(None);
        };
        let count = |column: usize| -> Found<Option<u32>> {
            row.get::<_, Option<i64>>(column)
                .map(|n| narrow("service_facts", n))
                .transpose()
        };
        let facts = Facts {
            ftes: row.get(0),
            vacancies: count(1)?,
            turnover: count(2)?,
            newly_qualified: row.get(3),
            deadline_breaches: count(4)?,
            complaints: count(5)?,
            emergency_cases: count(6)?,
        };
        Ok(Some((facts, row.get(7))))
    }

    fn put_facts(&mut self, round_id: &str, facts: &Facts, updated_at: &str) -> Step {
        Ok(super::needs::put_facts(
            self.sent()?,
            round_id,
            facts,
            updated_at,
        )?)
    }

    fn clear_note(&mut self, note: Note, round_id: &str) -> Step {
        let sql = match note {
            Note::Expectations => "DELETE FROM expectations WHERE round_id = $1",
            Note::Facts => "DELETE FROM service_facts WHERE round_id = $1",
        };
        self.run(sql, &[&round_id])?;
        Ok(())
    }

    fn position(&mut self, id: &str) -> Found<Option<(Position, String)>> {
        let Some(row) = self.one(
            "SELECT id, round_id, role, education, credits, years, planned_credits,
                    planned_year, updated_at
             FROM position WHERE id = $1",
            &[&id],
        )?
        else {
            return Ok(None);
        };
        let position = Position {
            id: row.get(0),
            round_id: row.get(1),
            facts: PositionFacts {
                role: code_of("role", row.get(2), PositionRole::from_code)?,
                education: code_of("education", row.get(3), Education::from_code)?,
                credits: narrow("credits", row.get(4))?,
                years: narrow("years", row.get(5))?,
                planned_credits: narrow("planned_credits", row.get(6))?,
                planned_year: row
                    .get::<_, Option<i64>>(7)
                    .map(|y| narrow("planned_year", y))
                    .transpose()?,
            },
        };
        Ok(Some((position, row.get(8))))
    }

    fn put_position(&mut self, position: &Position, created_at: &str, updated_at: &str) -> Step {
        let facts = &position.facts;
        self.run(
            "INSERT INTO position (id, round_id, role, education, credits, years,
                                   planned_credits, planned_year, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (id) DO UPDATE SET
                role = excluded.role, education = excluded.education,
                credits = excluded.credits, years = excluded.years,
                planned_credits = excluded.planned_credits,
                planned_year = excluded.planned_year, updated_at = excluded.updated_at",
            &[
                &position.id,
                &position.round_id,
                &facts.role.code(),
                &facts.education.code(),
                &i64::from(facts.credits),
                &i64::from(facts.years),
                &i64::from(facts.planned_credits),
                &facts.planned_year.map(i64::from),
                &created_at,
                &updated_at,
            ],
        )?;
        Ok(())
    }

    fn remove_position(&mut self, id: &str) -> Step {
        self.run("DELETE FROM position WHERE id = $1", &[&id])?;
        Ok(())
    }

    fn removed_at(&mut self, entity: &str, key: &str) -> Found<Option<String>> {
        let row = self.one(
            "SELECT max(changed_at) FROM change_log
             WHERE entity = $1 AND entity_key = $2 AND new_json IS NULL",
            &[&entity, &key],
        )?;
        Ok(row.and_then(|row| row.get(0)))
    }

    fn logged(&mut self, entity: &str, key: &str, new: &str, at: &str) -> Found<bool> {
        self.yes(
            "SELECT EXISTS (SELECT 1 FROM change_log
             WHERE entity = $1 AND entity_key = $2 AND changed_at = $3 AND new_json = $4)",
            &[&entity, &key, &at, &new],
        )
    }

    fn log_change(
        &mut self,
        entity: &str,
        key: &str,
        old: Option<&str>,
        new: Option<&str>,
        at: &str,
    ) -> Found<bool> {
        let already = self.yes(
            "SELECT EXISTS (SELECT 1 FROM change_log
             WHERE entity = $1 AND entity_key = $2 AND changed_at = $3
               AND old_json IS NOT DISTINCT FROM $4 AND new_json IS NOT DISTINCT FROM $5)",
            &[&entity, &key, &at, &old, &new],
        )?;
        if already {
            return Ok(false);
        }
        self.run(
            "INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[&entity, &key, &old, &new, &at],
        )?;
        Ok(true)
    }
}
