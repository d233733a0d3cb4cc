//! Exchange between machines, apart from any database: the file format (its fields and
//! rows, plain data), the problems that refuse a file, the checks of each row, the reader
//! that follows a file on its own thread, and the newer-wins rule that merges a row
//! (`merge`). A backend writes and reads rows; what a file may hold and how two versions of
//! a row settle is said here once. `docs/exchange.md` documents the format field by field.
//!
//! Format version 2 adds the plans (barriers, strategies, measures), goals with their status
//! per round, the implementation stage of each round, the gathering's consensus values and
//! their change log; a version 1 file (without them) is still read.
//!
//! Format version 3 adds `contents`, what the file discloses of its respondents
//! (`disclose`): only an identified file imports; version 1 and 2 files, written before
//! there was any other, are identified.
//!
//! Format version 4 adds `by_code` to each respondent: whether they answered alone with a
//! one-time code, so that the machine a file is imported into shows them only in aggregate
//! too. An older file's respondents were entered at the machine, as far as it says.
//!
//! Format version 5 adds the competence needs after the consensus values: the services'
//! own areas, the needs per round and area, the expectations and the service facts per
//! round (their changes are in the change log under their own entities).
//!
//! Format version 6 adds the positions against the 2031 requirement after the facts: posts
//! (role, education, credits, years, planned further education), never people, by id.

pub mod check;
pub mod disclose;
pub mod import;
pub mod merge;
pub mod problem;
pub mod read;
pub mod round_tables;
pub mod subdomain_table;

pub use disclose::{Contents, Disclosure};
pub use problem::{Problem, Refusal};

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::instrument::{Instrument, Scale, ScalePoint};
use crate::domain::model::{Role, RoundKind, neutralise_bidi};
use crate::domain::scoring::subdomain_key;
use crate::i18n::Lang;

/// The value of the file's first field: what tells a kartlegg export from any other JSON.
pub const FORMAT: &str = "kartlegg-export";
/// Raised when a file written by this version could be misread by an older reader.
/// Version 2 added the plan arrays after `history`, version 3 `contents`, version 4 the
/// respondents' `by_code`, version 5 the needs arrays; every version from 1 up is read.
pub const FORMAT_VERSION: u64 = 6;

/// The top-level fields, in the order they are written and must be read: the header comes
/// before the rows so that a foreign or newer file is refused before anything is written,
/// and the arrays come parents first so that every reference can be checked as it arrives.
pub(crate) const FIELDS: [&str; 22] = [
    "format",
    "format_version",
    "exported_at",
    "contents",
    "schema_version",
    "instrument",
    "services",
    "rounds",
    "respondents",
    "answers",
    "history",
    "plan_items",
    "goals",
    "goal_statuses",
    "round_stages",
    "consensus",
    "own_areas",
    "needs",
    "expectations",
    "facts",
    "positions",
    "change_log",
];

/// A format version 1 file has the first this many fields (but `contents`), and ends
/// after `history`.
pub(crate) const V1_FIELDS: usize = 11;
/// The first format version with `contents`; an older file has none.
pub(crate) const CONTENTS_SINCE: u64 = 3;
/// The first format version whose respondents say `by_code`; an older file's have none.
pub(crate) const BY_CODE_SINCE: u64 = 4;
/// The first format version with the needs arrays (`NEEDS_FIELDS`); an older file has none.
pub(crate) const NEEDS_SINCE: u64 = 5;
pub(crate) const NEEDS_FIELDS: [&str; 4] = ["own_areas", "needs", "expectations", "facts"];
pub(crate) const POSITIONS_SINCE: u64 = 6;

pub(crate) const MISSING_CODES: [&str; 2] = ["dont_know", "not_applicable"];

// ---- the file format: plain data ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentRef {
    pub key: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceRow {
    pub id: String,
    pub name: String,
    pub municipalities: Vec<String>,
    pub cluster: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundRow {
    pub id: String,
    pub service_id: String,
    pub label: String,
    pub held_on: String,
    pub kind: String,
    pub instrument_key: String,
    pub instrument_version: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RespondentRow {
    pub id: String,
    pub round_id: String,
    pub role: String,
    pub code: String,
    pub created_at: String,
    /// Answered alone with a one-time code: seen by others only in aggregate. Never the
    /// code nor its hash, which work only on the machine that made them.
    pub by_code: bool,
}

/// A respondent of a file before format version 4, which has no `by_code`: entered at the
/// machine, as far as the file can say.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RespondentRowBefore4 {
    pub id: String,
    pub round_id: String,
    pub role: String,
    pub code: String,
    pub created_at: String,
}

impl From<RespondentRowBefore4> for RespondentRow {
    fn from(row: RespondentRowBefore4) -> RespondentRow {
        RespondentRow {
            id: row.id,
            round_id: row.round_id,
            role: row.role,
            code: row.code,
            created_at: row.created_at,
            by_code: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerRow {
    pub id: String,
    pub respondent_id: String,
    pub item_key: String,
    pub value: Option<i64>,
    pub missing: Option<String>,
    pub comment: String,
    pub updated_at: String,
}

/// One row of `answer_history`, without its `seq`: that is only this machine's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryRow {
    pub answer_id: String,
    pub respondent_id: String,
    pub old_value: Option<i64>,
    pub old_missing: Option<String>,
    pub old_comment: Option<String>,
    pub new_value: Option<i64>,
    pub new_missing: Option<String>,
    pub new_comment: String,
    pub changed_at: String,
}

/// A barrier, a strategy or a measure for one subdomain of one service (`plan_item`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanItemRow {
    pub id: String,
    pub service_id: String,
    pub subdomain_key: String,
    pub kind: String,
    pub text: String,
    pub level: Option<String>,
    pub owner: String,
    pub due_on: Option<String>,
    pub done: bool,
    pub done_on: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalRow {
    pub id: String,
    pub service_id: String,
    pub text: String,
    pub subdomain_keys: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalStatusRow {
    pub goal_id: String,
    pub round_id: String,
    pub status: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundStageRow {
    pub round_id: String,
    pub stage: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsensusRow {
    pub round_id: String,
    pub subdomain_key: String,
    pub value: i64,
    pub updated_at: String,
}

/// A competence area a service added itself (`own_area`): its id is the area's key in
/// `needs`. Never edited after it is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnAreaRow {
    pub id: String,
    pub service_id: String,
    pub name: String,
    pub created_at: String,
}

/// A round's need for one area (`need`); the numbers as the file has them, so that one
/// off the scale is refused naming its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedRow {
    pub round_id: String,
    pub area_key: String,
    pub mastery: Option<i64>,
    pub importance: Option<i64>,
    pub top_three: bool,
    pub who: Option<String>,
    pub missing: String,
    pub updated_at: String,
}

/// What a service expects of the programme in a round (`expectations`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectationsRow {
    pub round_id: String,
    pub wants: Vec<String>,
    pub text: String,
    pub knows_why: Option<String>,
    pub own_wish: Option<String>,
    pub updated_at: String,
}

/// Facts about a service in a round (`service_facts`). Any number is read, so that one out
/// of its range (a negative count, a share over 100) is refused naming its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactsRow {
    pub round_id: String,
    pub ftes: Option<serde_json::Number>,
    pub vacancies: Option<serde_json::Number>,
    pub turnover: Option<serde_json::Number>,
    pub newly_qualified: Option<serde_json::Number>,
    pub deadline_breaches: Option<serde_json::Number>,
    pub complaints: Option<serde_json::Number>,
    pub emergency_cases: Option<serde_json::Number>,
    pub updated_at: String,
}

/// One row of `change_log`, without its `seq`, with the snapshots as JSON values rather
/// than as text holding JSON.
/// A post in a round against the 2031 requirement, never a person (`requirement::Position`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionRow {
    pub id: String,
    pub round_id: String,
    pub role: String,
    pub education: String,
    pub credits: i64,
    pub years: i64,
    pub planned_credits: i64,
    pub planned_year: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRow {
    pub entity: String,
    pub entity_key: String,
    pub old: Option<serde_json::Value>,
    pub new: Option<serde_json::Value>,
    pub changed_at: String,
}

/// The plan rows an export wrote, beside the answers' `Counts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanCounts {
    pub plan_items: usize,
    pub goals: usize,
    pub goal_statuses: usize,
    pub round_stages: usize,
    pub consensus: usize,
    pub own_areas: usize,
    pub needs: usize,
    pub expectations: usize,
    pub facts: usize,
    pub positions: usize,
    pub changes: usize,
}

/// What an export covers: everything, or one service (by id) with all that hangs under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    All,
    Service(&'a str),
}

/// How the answers are written as CSV, and what of their respondents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvExport {
    pub layout: CsvLayout,
    pub dialect: CsvDialect,
    pub disclosure: Disclosure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvLayout {
    /// One row per answer.
    Long,
    /// One row per respondent (and so per round), one column per item in walk order.
    Wide,
}

/// How a CSV file is written. Only the form differs; the cells are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvDialect {
    /// Comma, decimal point, no byte-order mark: what R, SPSS and pandas read as they are.
    #[default]
    Plain,
    /// Semicolon, decimal comma and a UTF-8 byte-order mark: a spreadsheet with Norwegian
    /// settings (Excel, LibreOffice) otherwise puts a row in one column and garbles æøå.
    Spreadsheet,
}

impl CsvDialect {
    /// A CSV writer on `out`, the byte-order mark already written.
    pub(crate) fn writer(self, out: &mut dyn Write) -> io::Result<csv::Writer<&mut dyn Write>> {
        let delimiter = match self {
            CsvDialect::Plain => b',',
            CsvDialect::Spreadsheet => {
                out.write_all("\u{feff}".as_bytes())?;
                b';'
            }
        };
        Ok(csv::WriterBuilder::new()
            .delimiter(delimiter)
            .buffer_capacity(1 << 16)
            .from_writer(out))
    }

    /// A decimal number as every face writes it (`present::decimal`): the comma for
    /// Norwegian spreadsheets, the point otherwise.
    pub(crate) fn decimal(self, value: f64, places: u32) -> String {
        let lang = match self {
            CsvDialect::Plain => Lang::En,
            CsvDialect::Spreadsheet => Lang::Nb,
        };
        crate::present::decimal(lang, value, places)
    }
}

/// A write to an export file that failed, with the file.
#[derive(Debug)]
pub struct WriteFailed {
    pub path: PathBuf,
    pub source: io::Error,
}

/// A failed write to `out_name`.
pub(crate) fn write_error(out_name: &Path) -> impl Fn(io::Error) -> WriteFailed + '_ {
    move |source| WriteFailed {
        path: out_name.to_path_buf(),
        source,
    }
}

/// An error from the CSV writer as the I/O error it is, on `out_name`.
pub(crate) fn csv_io_error(out_name: &Path) -> impl Fn(csv::Error) -> WriteFailed + '_ {
    move |e| {
        write_error(out_name)(match e.into_kind() {
            csv::ErrorKind::Io(e) => e,
            other => io::Error::other(format!("{other:?}")),
        })
    }
}

/// The codebook's columns: one row per item, what an analyst needs to read the answers.
pub(crate) const CODEBOOK: [&str; 27] = [
    "item_order",
    "item_key",
    "section_key",
    "subdomain_key",
    "scale_key",
    "scale_min",
    "scale_max",
    "points_score",
    "code_dont_know",
    "code_not_applicable",
    "code_not_answered",
    "asked_in",
    "answered_by",
    "instrument_key",
    "instrument_version",
    "section_nb",
    "section_nn",
    "section_en",
    "subdomain_nb",
    "subdomain_nn",
    "subdomain_en",
    "item_nb",
    "item_nn",
    "item_en",
    "points_nb",
    "points_nn",
    "points_en",
];

/// Writes the codebook of `instrument` as CSV with a header row: one row per item in walk
/// order, with its keys, scale, what each point scores, the missing codes the answer CSVs
/// use, and its texts in every language (`docs/analysis.md`). Returns the number of items.
pub fn export_codebook(
    instrument: &Instrument,
    dialect: CsvDialect,
    out: &mut dyn Write,
    out_name: &Path,
) -> Result<usize, WriteFailed> {
    let io_error = csv_io_error(out_name);
    let mut csv = dialect.writer(out).map_err(write_error(out_name))?;
    csv.write_record(CODEBOOK).map_err(&io_error)?;
    let items = instrument.items();
    // A value and what it stands for, as value labels are commonly written: "1=Helt uenig | 2=…".
    let points = |scale: &Scale, what: &dyn Fn(&ScalePoint) -> String| {
        scale
            .points
            .iter()
            .map(|p| format!("{}={}", p.value, what(p)))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    for item in &items {
        let scale = item.scale;
        let mut record = vec![
            (item.index + 1).to_string(),
            item.item.key.clone(),
            item.section.key.clone(),
            subdomain_key(item.section, item.subdomain),
            scale.key.clone(),
            scale.min().to_string(),
            scale.max().to_string(),
            points(scale, &|p| dialect.decimal(scale.fraction(p.value), 2)),
            MISSING_CODES[0].to_string(),
            MISSING_CODES[1].to_string(),
            String::new(),
            // Why a cell is empty: the item was not put to that round's kind or role.
            codes(item.asked_in().into_iter().map(RoundKind::code)),
            codes(item.asked_of().into_iter().map(Role::code)),
            instrument.key.clone(),
            instrument.version.clone(),
        ];
        for text in [&item.section.name, &item.subdomain.name, &item.item.text] {
            record.extend(Lang::ALL.map(|lang| text.exact(lang).to_string()));
        }
        record.extend(Lang::ALL.map(|lang| points(scale, &|p| p.label.exact(lang).to_string())));
        csv.write_record(record.iter().map(|c| neutralise(c).into_owned()))
            .map_err(&io_error)?;
    }
    csv.flush().map_err(write_error(out_name))?;
    Ok(items.len())
}

/// Codes in one cell as the codebook lists values: "between | after".
fn codes(codes: impl Iterator<Item = &'static str>) -> String {
    codes.collect::<Vec<_>>().join(" | ")
}

/// A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a formula (some also
/// after a leading tab or carriage return); a leading apostrophe makes it plain text, as
/// OWASP advises against CSV injection. Direction controls go first (`neutralise_bidi`), so
/// that none can hide a formula's first character, nor turn a name around in the sheet.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let cell = neutralise_bidi(cell);
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        cell
    }
}

/// The fixed columns of both CSV layouts, one respondent's context.
pub(crate) const CSV_CONTEXT: [&str; 11] = [
    "service_id",
    "service",
    "cluster",
    "round_id",
    "round",
    "held_on",
    "kind",
    "instrument_version",
    "respondent_id",
    "role",
    "code",
];
pub(crate) const CSV_LONG: [&str; 7] = [
    "item_key",
    "value",
    "scale_min",
    "scale_max",
    "missing",
    "comment",
    "updated_at",
];

// ---- import: what happened, and why a file is refused ----

/// The importing machine's clock, against which the file's times are weighed. Newer wins
/// every merge, so a machine whose clock ran ahead would win every merge with its future
/// times, again at every import: a time more than `FUTURE_TOLERANCE` past `now` is refused,
/// unless the person importing says the times are right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportClock {
    pub now: DateTime<Utc>,
    pub accept_future_times: bool,
}

/// How far past this machine's clock a file's time may be: clocks set by hand, and time
/// zones got wrong, are hours off, not days.
pub const FUTURE_TOLERANCE: chrono::TimeDelta = chrono::TimeDelta::days(1);

impl ImportClock {
    pub fn at(now: DateTime<Utc>) -> ImportClock {
        ImportClock {
            now,
            accept_future_times: false,
        }
    }

    pub fn accepting_future_times(self) -> ImportClock {
        ImportClock {
            accept_future_times: true,
            ..self
        }
    }

    /// The latest time accepted, in the store's form (which compares as text); none when
    /// every time is.
    pub(crate) fn latest(self) -> Option<String> {
        (!self.accept_future_times).then(|| timestamp(self.now + FUTURE_TOLERANCE))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub added: usize,
    pub updated: usize,
    pub skipped: usize,
    /// Rows that differed but were newer here, so this database's version was kept (they
    /// are counted as skipped too).
    pub newer_here: usize,
}

impl Tally {
    pub fn changed(&self) -> bool {
        self.added + self.updated > 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    pub services: Tally,
    pub rounds: Tally,
    pub respondents: Tally,
    pub answers: Tally,
    pub history: Tally,
    pub plan_items: Tally,
    pub goals: Tally,
    /// A removal that came in through the change log counts as updated.
    pub goal_statuses: Tally,
    pub round_stages: Tally,
    pub consensus: Tally,
    pub own_areas: Tally,
    pub needs: Tally,
    /// A removal that came in through the change log counts as updated, as for the facts.
    pub expectations: Tally,
    pub facts: Tally,
    pub positions: Tally,
    pub changes: Tally,
    /// Rows of something erased here (or under it), skipped: an import never brings back
    /// what was erased.
    pub erased: usize,
    /// Respondents who answered by code elsewhere, seen only in aggregate here from this
    /// import on (they were not marked so here before).
    pub by_code: usize,
}

impl ImportSummary {
    pub fn changed_anything(&self) -> bool {
        [
            self.services,
            self.rounds,
            self.respondents,
            self.answers,
            self.history,
            self.plan_items,
            self.goals,
            self.goal_statuses,
            self.round_stages,
            self.consensus,
            self.own_areas,
            self.needs,
            self.expectations,
            self.facts,
            self.positions,
            self.changes,
        ]
        .iter()
        .any(Tally::changed)
            || self.by_code > 0
    }
}

/// A time as the store keeps it and the file carries it: UTC, milliseconds, `Z`.
pub fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_neutralised() {
        for cell in ["=1+1", "+47 22", "-3", "@SUM(A1)", "\t=x", "\r=x"] {
            assert_eq!(neutralise(cell), format!("'{cell}"));
        }
        for cell in ["", "3", "Fjellbygd", "a=b", "2026-03-09", " =x"] {
            assert_eq!(neutralise(cell), cell);
        }
    }
}
