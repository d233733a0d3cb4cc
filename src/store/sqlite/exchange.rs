//! Exchange between machines: a JSON export that holds everything and merges into another
//! database, and CSV (long or wide) for SPSS, R and spreadsheets. `docs/exchange.md`
//! documents the file format field by field, and the merge rules.
//!
//! Both directions stream, so that a national database (1.5 million answers) never has to
//! fit in memory: export writes each row as SQLite yields it; import writes each row as soon
//! as it is parsed, inside one IMMEDIATE transaction that the first problem rolls back, so a
//! refused file leaves the database as it was.
//!
//! Format version 2 adds the plans (barriers, strategies, measures), goals with their status
//! per round, the implementation stage of each round, the gathering's consensus values and
//! their change log; a version 1 file (without them) is still read.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Statement, ToSql, params};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess};
use serde::{Deserialize, Serialize};

use super::{Counts, Result, Store, StoreError, kept, timestamp};
use crate::domain::instrument::{Instrument, Scale, ScalePoint};
use crate::domain::model::{Role, RoundKind, TextKind, is_direction_control, neutralise_bidi};
use crate::domain::plan::{Goal, GoalStatus, Level, PlanItem, PlanKind, Stage};
use crate::domain::scoring::subdomain_key;
use crate::i18n::{Lang, tr, trf};
use crate::store::Admin;

/// The value of the file's first field: what tells a kartlegg export from any other JSON.
pub const FORMAT: &str = "kartlegg-export";
/// Raised when a file written by this version could be misread by an older reader.
/// Version 2 added the plan arrays after `history`; every version from 1 up is read.
pub const FORMAT_VERSION: u64 = 2;

/// The top-level fields, in the order they are written and must be read: the header comes
/// before the rows so that a foreign or newer file is refused before anything is written,
/// and the arrays come parents first so that every reference can be checked as it arrives.
const FIELDS: [&str; 16] = [
    "format",
    "format_version",
    "exported_at",
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
    "change_log",
];

/// A format version 1 file has the first this many fields, and ends after `history`.
const V1_FIELDS: usize = 10;

/// The page cache during an import, in KiB (SQLite's negative `cache_size`).
const IMPORT_CACHE_KIB: i64 = -32_768;

const MISSING_CODES: [&str; 2] = ["dont_know", "not_applicable"];

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

/// One row of `change_log`, without its `seq`, with the snapshots as JSON values rather
/// than as text holding JSON.
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
    pub changes: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Exported {
    pub counts: Counts,
    pub plans: PlanCounts,
}

/// What an export covers: everything, or one service (by id) with all that hangs under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    All,
    Service(&'a str),
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
    fn writer(self, out: &mut dyn Write) -> io::Result<csv::Writer<&mut dyn Write>> {
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
    fn decimal(self, value: f64, places: u32) -> String {
        let lang = match self {
            CsvDialect::Plain => Lang::En,
            CsvDialect::Spreadsheet => Lang::Nb,
        };
        crate::present::decimal(lang, value, places)
    }
}

/// A failed write to `out_name`.
fn write_error(out_name: &Path) -> impl Fn(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: out_name.to_path_buf(),
        source,
    }
}

/// An error from the CSV writer as the I/O error it is, on `out_name`.
fn csv_io_error(out_name: &Path) -> impl Fn(csv::Error) -> StoreError + '_ {
    move |e| {
        write_error(out_name)(match e.into_kind() {
            csv::ErrorKind::Io(e) => e,
            other => io::Error::other(format!("{other:?}")),
        })
    }
}

/// The codebook's columns: one row per item, what an analyst needs to read the answers.
const CODEBOOK: [&str; 25] = [
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
) -> Result<usize> {
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
const CSV_CONTEXT: [&str; 11] = [
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
const CSV_LONG: [&str; 7] = [
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
    fn latest(self) -> Option<String> {
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
    pub changes: Tally,
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
            self.changes,
        ]
        .iter()
        .any(Tally::changed)
    }
}

/// Why an import file was refused, and where the reader was when it found out: for a row,
/// just after the row's closing brace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub line: usize,
    pub column: usize,
    pub problem: Problem,
}

impl Refusal {
    pub fn message(&self, lang: Lang) -> String {
        trf(
            lang,
            "import.at",
            &[
                ("line", &self.line),
                ("column", &self.column),
                ("reason", &readable(&self.problem.message(lang))),
            ],
        )
    }
}

/// Keeps a refusal to one readable line whatever the file holds: quoted text (a value, or
/// serde's quote of one) and any unbroken run (an id) keep their first 60 characters, the
/// whole its first 400, each cut marked with "…"; control characters are shown escaped,
/// so that a file cannot move the cursor or change the terminal it is reported on.
fn readable(message: &str) -> String {
    const KEEP: usize = 60;
    const WHOLE: usize = 400;
    let mut out = String::with_capacity(message.len().min(WHOLE * 4));
    let (mut quoted, mut word, mut total) = (None::<usize>, 0, 0);
    for c in message.chars() {
        match (quoted, c) {
            (None, '“' | '«' | '"') => quoted = Some(0),
            (Some(_), '”' | '»' | '"') => quoted = None,
            (Some(n), _) => quoted = Some(n + 1),
            (None, _) => {}
        }
        word = if c.is_whitespace() { 0 } else { word + 1 };
        let run = quoted.unwrap_or(0).max(word);
        if run > KEEP {
            if run == KEEP + 1 {
                out.push('…');
            }
            continue;
        }
        if total == WHOLE {
            out.push('…');
            break;
        }
        total += 1;
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

/// `section` is the name of the array in the file (`rounds`, `answers`, ...), `field` the
/// name of a field in it: the file's own words, so a reader can find the place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    NotJson(String),
    Truncated,
    Unexpected(String),
    Read(String),
    NotAnExport,
    /// A version above the newest this kartlegg reads: a newer kartlegg wrote it.
    FormatVersion {
        found: String,
    },
    /// Zero, negative, a fraction or not a number: no kartlegg writes that.
    UnknownFormatVersion {
        found: String,
    },
    FieldOrder {
        expected: &'static str,
        found: String,
    },
    MissingField {
        expected: &'static str,
    },
    ExtraField {
        found: String,
    },
    Instrument {
        found: String,
        known: String,
    },
    /// A round answered with a version of the instrument this kartlegg does not have.
    InstrumentVersion {
        id: String,
        found: String,
        known: String,
    },
    UnknownItem {
        id: String,
        item: String,
        instrument: String,
    },
    OutOfScale {
        id: String,
        item: String,
        value: i64,
        min: u8,
        max: u8,
    },
    /// A history row's old or new value off the scale of its answer's item.
    HistoryOutOfScale {
        id: String,
        item: String,
        field: &'static str,
        value: i64,
        min: u8,
        max: u8,
    },
    BadValue {
        section: &'static str,
        id: String,
        value: i64,
    },
    ValueAndMissing {
        section: &'static str,
        id: String,
        missing: String,
    },
    BadCode {
        section: &'static str,
        id: String,
        field: &'static str,
        value: String,
    },
    BadDate {
        section: &'static str,
        id: String,
        field: &'static str,
        value: String,
    },
    BadTime {
        section: &'static str,
        id: String,
        field: &'static str,
        value: String,
    },
    /// A time the merge rules weigh, more than `FUTURE_TOLERANCE` past the import's clock.
    FutureTime {
        section: &'static str,
        id: String,
        field: &'static str,
        value: String,
        now: String,
    },
    /// The header's `exported_at` is not a time.
    BadExportTime {
        value: String,
    },
    /// The file says it was written more than `FUTURE_TOLERANCE` after the import's clock.
    FutureExport {
        value: String,
        now: String,
    },
    EmptyText {
        section: &'static str,
        id: String,
        field: &'static str,
    },
    /// Control characters could move the cursor or change colours when the text is shown.
    ControlCharacter {
        section: &'static str,
        id: String,
        field: &'static str,
    },
    /// A direction control in a name, label or code could make one name read as another.
    DirectionControl {
        section: &'static str,
        id: String,
        field: &'static str,
    },
    /// A text past its kind's limit (`TextKind`).
    TooLong {
        section: &'static str,
        id: String,
        field: &'static str,
        kind: TextKind,
    },
    /// One string in the file longer than any field may be, refused as it is read, before
    /// it is in memory whole.
    StringTooLong,
    Municipality {
        section: &'static str,
        id: String,
        value: String,
    },
    MissingParent {
        section: &'static str,
        id: String,
        field: &'static str,
        parent: String,
    },
    Identity {
        section: &'static str,
        id: String,
        field: &'static str,
        here: String,
        there: String,
    },
    /// A plan item, goal or consensus value about a subdomain the instrument does not have.
    UnknownSubdomain {
        section: &'static str,
        id: String,
        subdomain: String,
        instrument: String,
    },
    /// A consensus value off the scale of its subdomain's section; `id` is `round/subdomain`.
    ConsensusOutOfScale {
        id: String,
        value: i64,
        min: u8,
        max: u8,
    },
    /// A change log snapshot that is not a row of its entity.
    BadSnapshot {
        id: String,
        field: &'static str,
        reason: String,
    },
    Rejected(String),
}

impl Problem {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Problem::NotJson(reason) => trf(lang, "import.not_json", &[("reason", reason)]),
            Problem::Truncated => tr(lang, "import.truncated").to_string(),
            Problem::Unexpected(reason) => trf(lang, "import.unexpected", &[("reason", reason)]),
            Problem::Read(reason) => trf(lang, "import.read", &[("reason", reason)]),
            Problem::NotAnExport => tr(lang, "import.not_export").to_string(),
            Problem::FormatVersion { found } => trf(
                lang,
                "import.format_version",
                &[("found", found), ("known", &FORMAT_VERSION)],
            ),
            Problem::UnknownFormatVersion { found } => trf(
                lang,
                "import.unknown_format_version",
                &[("found", found), ("known", &FORMAT_VERSION)],
            ),
            Problem::FieldOrder { expected, found } => trf(
                lang,
                "import.field_order",
                &[("expected", expected), ("found", found)],
            ),
            Problem::MissingField { expected } => {
                trf(lang, "import.missing_field", &[("expected", expected)])
            }
            Problem::ExtraField { found } => trf(lang, "import.extra_field", &[("found", found)]),
            Problem::Instrument { found, known } => trf(
                lang,
                "import.instrument",
                &[("found", found), ("known", known)],
            ),
            Problem::InstrumentVersion { id, found, known } => trf(
                lang,
                "import.instrument_version",
                &[("id", id), ("found", found), ("known", known)],
            ),
            Problem::UnknownItem {
                id,
                item,
                instrument,
            } => trf(
                lang,
                "import.unknown_item",
                &[("id", id), ("item", item), ("instrument", instrument)],
            ),
            Problem::OutOfScale {
                id,
                item,
                value,
                min,
                max,
            } => trf(
                lang,
                "import.out_of_scale",
                &[
                    ("id", id),
                    ("item", item),
                    ("value", value),
                    ("min", min),
                    ("max", max),
                ],
            ),
            Problem::HistoryOutOfScale {
                id,
                item,
                field,
                value,
                min,
                max,
            } => trf(
                lang,
                "import.history_out_of_scale",
                &[
                    ("id", id),
                    ("item", item),
                    ("field", field),
                    ("value", value),
                    ("min", min),
                    ("max", max),
                ],
            ),
            Problem::BadValue { section, id, value } => trf(
                lang,
                "import.bad_value",
                &[("section", section), ("id", id), ("value", value)],
            ),
            Problem::ValueAndMissing {
                section,
                id,
                missing,
            } => trf(
                lang,
                "import.value_and_missing",
                &[("section", section), ("id", id), ("missing", missing)],
            ),
            Problem::BadCode {
                section,
                id,
                field,
                value,
            } => trf(
                lang,
                "import.bad_code",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("value", value),
                ],
            ),
            Problem::BadDate {
                section,
                id,
                field,
                value,
            } => trf(
                lang,
                "import.bad_date",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("value", value),
                ],
            ),
            Problem::BadTime {
                section,
                id,
                field,
                value,
            } => trf(
                lang,
                "import.bad_time",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("value", value),
                ],
            ),
            Problem::FutureTime {
                section,
                id,
                field,
                value,
                now,
            } => trf(
                lang,
                "import.future_time",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("value", value),
                    ("now", now),
                ],
            ),
            Problem::BadExportTime { value } => {
                trf(lang, "import.bad_export_time", &[("value", value)])
            }
            Problem::FutureExport { value, now } => trf(
                lang,
                "import.future_export",
                &[("value", value), ("now", now)],
            ),
            Problem::EmptyText { section, id, field } => trf(
                lang,
                "import.empty_text",
                &[("section", section), ("id", id), ("field", field)],
            ),
            Problem::ControlCharacter { section, id, field } => trf(
                lang,
                "import.control_character",
                &[("section", section), ("id", id), ("field", field)],
            ),
            Problem::DirectionControl { section, id, field } => trf(
                lang,
                "import.direction_control",
                &[("section", section), ("id", id), ("field", field)],
            ),
            Problem::TooLong {
                section,
                id,
                field,
                kind,
            } => trf(
                lang,
                "import.too_long",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("limit", &limit_text(lang, *kind)),
                ],
            ),
            Problem::StringTooLong => trf(
                lang,
                "import.string_too_long",
                &[("limit", &limit_text(lang, TextKind::Comment))],
            ),
            Problem::Municipality { section, id, value } => trf(
                lang,
                "import.municipality",
                &[("section", section), ("id", id), ("value", value)],
            ),
            Problem::MissingParent {
                section,
                id,
                field,
                parent,
            } => trf(
                lang,
                "import.missing_parent",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("parent", parent),
                ],
            ),
            Problem::Identity {
                section,
                id,
                field,
                here,
                there,
            } => trf(
                lang,
                "import.identity",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("here", here),
                    ("there", there),
                ],
            ),
            Problem::UnknownSubdomain {
                section,
                id,
                subdomain,
                instrument,
            } => trf(
                lang,
                "import.unknown_subdomain",
                &[
                    ("section", section),
                    ("id", id),
                    ("subdomain", subdomain),
                    ("instrument", instrument),
                ],
            ),
            Problem::ConsensusOutOfScale {
                id,
                value,
                min,
                max,
            } => trf(
                lang,
                "import.consensus_out_of_scale",
                &[("id", id), ("value", value), ("min", min), ("max", max)],
            ),
            Problem::BadSnapshot { id, field, reason } => trf(
                lang,
                "import.bad_snapshot",
                &[("id", id), ("field", field), ("reason", reason)],
            ),
            Problem::Rejected(reason) => trf(lang, "import.rejected", &[("reason", reason)]),
        }
    }
}

/// A text kind's limit as the user reads it ("200 tegn", "256 KiB").
pub fn limit_text(lang: Lang, kind: TextKind) -> String {
    let chars = |n: usize| trf(lang, "import.limit_chars", &[("n", &n)]);
    match kind {
        TextKind::Name => chars(TextKind::NAME_CHARS),
        TextKind::Plan => chars(TextKind::PLAN_CHARS),
        TextKind::Comment => trf(
            lang,
            "import.limit_kib",
            &[("n", &(TextKind::COMMENT_BYTES / 1024))],
        ),
    }
}

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
                let ours = (here_updated, name, here_municipalities, cluster);
                let theirs = (updated_at, row.name, municipalities, row.cluster);
                // The newer wins; an exact tie in time is settled by the content, so that both
                // machines settle it the same way.
                if theirs.1 == ours.1 && theirs.2 == ours.2 && theirs.3 == ours.3 || theirs < ours {
                    tally.skipped += 1;
                    return Ok(());
                }
                self.conn
                    .prepare_cached(
                        "UPDATE service SET name = ?2, municipalities = ?3, cluster = ?4,
                                            updated_at = ?5
                         WHERE id = ?1",
                    )?
                    .execute(params![row.id, theirs.1, theirs.2, theirs.3, theirs.0])?;
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
            return Err(bad_code(S, &row.id, "kind", &row.kind));
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
            return Err(missing_parent(S, &row.id, "service_id", &row.service_id));
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
                return Err(identity(
                    S,
                    &row.id,
                    "service_id",
                    service_id,
                    row.service_id,
                ));
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
            return Err(bad_code(S, &row.id, "role", &row.role));
        }
        let created_at = instant(S, &row.id, "created_at", &row.created_at)?;
        if !self.exists(
            "SELECT EXISTS (SELECT 1 FROM round WHERE id = ?1)",
            &row.round_id,
        )? {
            return Err(missing_parent(S, &row.id, "round_id", &row.round_id));
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
                return Err(identity(S, &row.id, "round_id", round_id, row.round_id));
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
                return Err(missing_parent(
                    S,
                    &row.id,
                    "respondent_id",
                    &row.respondent_id,
                ));
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
            return Err(identity(S, &row.id, "respondent_id item_key", other, there));
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
        if theirs == ours {
            self.summary.answers.skipped += 1;
            return Ok(());
        }
        // The newer wins; the older goes into the history as the old side of the change
        // that replaced it, dated when the newer was made. Both machines write the same row,
        // so after they have exchanged files both ways their histories agree.
        if (&updated_at, &theirs) > (&our_time, &ours) {
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
                ))
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
                return Err(missing_parent(
                    S,
                    &row.answer_id,
                    "answer_id",
                    &row.answer_id,
                ));
            }
            Some((_, respondent, _)) if respondent != row.respondent_id => {
                return Err(identity(
                    S,
                    &row.answer_id,
                    "respondent_id",
                    respondent,
                    row.respondent_id,
                ));
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
            Err(missing_parent(section, id, field, parent))
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
                        return Err(identity(S, &row.id, field, ours.clone(), theirs.clone()));
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
                return Err(identity(
                    S,
                    &row.id,
                    "service_id",
                    here.service_id,
                    row.service_id,
                ));
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
            return Err(bad_code(S, key, "entity", &row.entity));
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
            return Err(missing_parent(S, key, "entity_key", key));
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
        if ours.as_deref() == Some(theirs) {
            return Ok(Settled::Same);
        }
        if (their_time, Some(theirs)) > (our_time.as_str(), ours.as_deref()) {
            self.log_change(entity, key, ours.as_deref(), Some(theirs), their_time)?;
            return Ok(if ours.is_some() {
                Settled::Replace
            } else {
                Settled::Add
            });
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

/// A snapshot as the store writes one (`store::plan`): compact JSON in the field order of
/// the domain type.
fn snapshot_of<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serializes")
}

/// A change log snapshot from a file, checked to be a row of its entity and written as the
/// store writes one, so that the same change is the same text on every machine.
fn canonical(entity: &str, value: serde_json::Value) -> std::result::Result<String, String> {
    fn again<T: DeserializeOwned + Serialize>(
        value: serde_json::Value,
    ) -> std::result::Result<String, String> {
        serde_json::from_value::<T>(value)
            .map(|v| snapshot_of(&v))
            .map_err(|e| e.to_string())
    }
    match entity {
        "plan_item" => again::<PlanItem>(value),
        "goal" => again::<Goal>(value),
        "goal_status" => again::<GoalStatus>(value),
        "round_stage" => again::<Stage>(value),
        "consensus" => again::<u8>(value),
        other => Err(format!("unknown entity {other}")),
    }
}

/// A plan item row as the domain has it, its codes and dates checked.
fn checked_plan_item(
    section: &'static str,
    row: &PlanItemRow,
) -> std::result::Result<PlanItem, Stop> {
    not_empty(section, &row.id, "id", &row.id)?;
    checked_text(section, &row.id, "id", &row.id, TextKind::Name)?;
    not_empty(section, &row.id, "text", &row.text)?;
    checked_text(section, &row.id, "text", &row.text, TextKind::Plan)?;
    checked_text(section, &row.id, "owner", &row.owner, TextKind::Name)?;
    let kind = PlanKind::from_code(&row.kind)
        .ok_or_else(|| bad_code(section, &row.id, "kind", &row.kind))?;
    let level = row
        .level
        .as_deref()
        .map(|l| Level::from_code(l).ok_or_else(|| bad_code(section, &row.id, "level", l)))
        .transpose()?;
    let date = |field: &'static str, text: &Option<String>| {
        text.as_deref()
            .map(|t| checked_date(section, &row.id, field, t))
            .transpose()
    };
    Ok(PlanItem {
        id: row.id.clone(),
        service_id: row.service_id.clone(),
        subdomain_key: row.subdomain_key.clone(),
        kind,
        text: row.text.clone(),
        level,
        owner: row.owner.clone(),
        due_on: date("due_on", &row.due_on)?,
        done: row.done,
        done_on: date("done_on", &row.done_on)?,
    })
}

/// A date written `YYYY-MM-DD`, exactly.
fn checked_date(
    section: &'static str,
    id: &str,
    field: &'static str,
    text: &str,
) -> std::result::Result<NaiveDate, Stop> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| d.to_string() == text)
        .ok_or_else(|| {
            Problem::BadDate {
                section,
                id: id.to_string(),
                field,
                value: text.to_string(),
            }
            .into()
        })
}

fn not_empty(section: &'static str, id: &str, field: &'static str, text: &str) -> Step {
    if text.trim().is_empty() {
        return Err(Problem::EmptyText {
            section,
            id: id.to_string(),
            field,
        }
        .into());
    }
    Ok(())
}

/// Refuses text that a terminal would act on (a comment may hold line breaks and tabs),
/// direction controls in a name, and text past its kind's limit.
fn checked_text(
    section: &'static str,
    id: &str,
    field: &'static str,
    text: &str,
    kind: TextKind,
) -> Step {
    let id = || id.to_string();
    if kind.too_long(text) {
        return Err(Problem::TooLong {
            section,
            id: id(),
            field,
            kind,
        }
        .into());
    }
    let allowed = |c: char| kind == TextKind::Comment && (c == '\n' || c == '\t');
    // Most texts of a file are ids and codes in ASCII, which holds no direction control:
    // one look at the bytes says all (this runs for every field of every row).
    let ascii = text.is_ascii();
    let control = if ascii {
        text.bytes()
            .any(|b| b.is_ascii_control() && !allowed(char::from(b)))
    } else {
        text.chars().any(|c| c.is_control() && !allowed(c))
    };
    if control {
        return Err(Problem::ControlCharacter {
            section,
            id: id(),
            field,
        }
        .into());
    }
    if kind == TextKind::Name && !ascii && text.contains(is_direction_control) {
        return Err(Problem::DirectionControl {
            section,
            id: id(),
            field,
        }
        .into());
    }
    Ok(())
}

/// An RFC 3339 time in the store's own form (UTC, milliseconds), so that times from both
/// machines compare as text.
fn instant(
    section: &'static str,
    id: &str,
    field: &'static str,
    text: &str,
) -> std::result::Result<String, Stop> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| timestamp(t.with_timezone(&Utc)))
        .map_err(|_| {
            Problem::BadTime {
                section,
                id: id.to_string(),
                field,
                value: text.to_string(),
            }
            .into()
        })
}

/// A value (0–9) or a missing code, never both.
fn check_response(
    section: &'static str,
    id: &str,
    value: Option<i64>,
    missing: Option<&str>,
) -> Step {
    if let Some(code) = missing {
        if !MISSING_CODES.contains(&code) {
            return Err(bad_code(section, id, "missing", code));
        }
        if value.is_some() {
            return Err(Problem::ValueAndMissing {
                section,
                id: id.to_string(),
                missing: code.to_string(),
            }
            .into());
        }
    }
    match value {
        Some(v) if !(0..=9).contains(&v) => Err(Problem::BadValue {
            section,
            id: id.to_string(),
            value: v,
        }
        .into()),
        _ => Ok(()),
    }
}

fn bad_code(section: &'static str, id: &str, field: &'static str, value: &str) -> Stop {
    Problem::BadCode {
        section,
        id: id.to_string(),
        field,
        value: value.to_string(),
    }
    .into()
}

fn missing_parent(section: &'static str, id: &str, field: &'static str, parent: &str) -> Stop {
    Problem::MissingParent {
        section,
        id: id.to_string(),
        field,
        parent: parent.to_string(),
    }
    .into()
}

fn identity(
    section: &'static str,
    id: &str,
    field: &'static str,
    here: String,
    there: String,
) -> Stop {
    Problem::Identity {
        section,
        id: id.to_string(),
        field,
        here,
        there,
    }
    .into()
}

// ---- reading the file, on its own thread ----
//
// serde_json gives a problem the line and column where the reader stood when it was raised.
// Each row is handed over with the place the reader stood at in its own `visit_map`, just
// past the row's closing brace, so that a row refused later by the writer is refused at its
// own line, as a problem the reader finds is.

/// Where the parser is in the file, counted as serde_json counts (lines from 1, columns in
/// bytes since the line began), which it tells only in its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    line: usize,
    column: usize,
}

impl Place {
    const START: Place = Place { line: 1, column: 0 };

    fn after(self, byte: u8) -> Place {
        if byte == b'\n' {
            Place {
                line: self.line + 1,
                column: 0,
            }
        } else {
            Place {
                column: self.column + 1,
                ..self
            }
        }
    }
}

/// The file as the parser reads it, with the place of the last byte it took. serde_json
/// takes one byte at a time, each counted as it goes; the parser's place is this one.
struct Counted<'p, R> {
    inner: R,
    buffer: Box<[u8]>,
    start: usize,
    end: usize,
    place: &'p Cell<Place>,
    /// Whether the first bytes were read yet (and a byte-order mark skipped).
    begun: bool,
    /// Inside a JSON string, after a backslash in one, and how many bytes it has so far
    /// (`follow_strings`): serde_json reads a string into memory whole, so one too long is
    /// refused here.
    in_string: bool,
    escaped: bool,
    string_bytes: usize,
    /// Set when a string was too long, so that the refusal says that and not a read error
    /// (serde_json passes on only the kind of an error from a reader).
    too_long: &'p Cell<bool>,
}

/// The most bytes one string of the file may take: the longest comment (`TextKind`), each
/// of its bytes written as a `\u` escape at worst. A longer one is no field's.
const LONGEST_STRING: usize = 6 * TextKind::COMMENT_BYTES;

impl<'p, R: Read> Counted<'p, R> {
    fn new(inner: R, place: &'p Cell<Place>, too_long: &'p Cell<bool>) -> Self {
        Counted {
            inner,
            buffer: vec![0; 1 << 16].into_boxed_slice(),
            start: 0,
            end: 0,
            place,
            begun: false,
            in_string: false,
            escaped: false,
            string_bytes: 0,
            too_long,
        }
    }
}

impl<R: Read> Counted<'_, R> {
    #[inline]
    fn count(&self, byte: u8) {
        self.place.set(self.place.get().after(byte));
    }

    /// Follows the file's strings through bytes just read into the buffer, a chunk at a
    /// time (jumping from quote to backslash to quote), so that serde_json's byte-by-byte
    /// reading pays nothing for it; a string grown past `LONGEST_STRING` is refused. The
    /// refusal comes as the chunk it is in is read, within a chunk of where it grew too long.
    fn follow_strings(&mut self) -> io::Result<()> {
        let mut at = self.start;
        while at < self.end {
            let rest = &self.buffer[at..self.end];
            if !self.in_string {
                let Some(quote) = memchr::memchr(b'"', rest) else {
                    break;
                };
                (self.in_string, self.string_bytes) = (true, 0);
                at += quote + 1;
            } else if self.escaped {
                self.escaped = false;
                self.string_bytes += 1;
                at += 1;
            } else if let Some(special) = memchr::memchr2(b'"', b'\\', rest) {
                self.string_bytes += special;
                if rest[special] == b'"' {
                    self.in_string = false;
                } else {
                    self.escaped = true;
                    self.string_bytes += 1;
                }
                at += special + 1;
            } else {
                self.string_bytes += rest.len();
                at = self.end;
            }
            if self.string_bytes > LONGEST_STRING {
                self.too_long.set(true);
                return Err(io::Error::other("a string longer than any field may be"));
            }
        }
        Ok(())
    }

    fn read_more(&mut self, out: &mut [u8]) -> io::Result<usize> {
        // Again while only a byte-order mark was read: an empty read is the end of the file.
        while self.start == self.end {
            self.start = 0;
            self.end = if self.begun {
                self.inner.read(&mut self.buffer)?
            } else {
                self.begin()?
            };
            if self.end == 0 {
                break;
            }
            self.follow_strings()?;
        }
        let n = out.len().min(self.end - self.start);
        out[..n].copy_from_slice(&self.buffer[self.start..self.start + n]);
        self.start += n;
        for &byte in &out[..n] {
            self.count(byte);
        }
        Ok(n)
    }
}

impl<R: Read> Counted<'_, R> {
    /// The first bytes, without the UTF-8 byte-order mark that Windows editors put first
    /// (JSON has none, and serde_json refuses one). Reads until it can tell, as a pipe may
    /// hand over fewer than three bytes at a time.
    fn begin(&mut self) -> io::Result<usize> {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let mut end = 0;
        while end < BOM.len() {
            match self.inner.read(&mut self.buffer[end..]) {
                Ok(0) => break,
                Ok(n) => end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.begun = true;
        if self.buffer[..end].starts_with(BOM) {
            self.start = BOM.len();
        }
        Ok(end)
    }
}

impl<R: Read> Read for Counted<'_, R> {
    /// serde_json asks for one byte at a time: that case is kept short, to be inlined.
    #[inline]
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match out {
            [only] if self.start < self.end => {
                let byte = self.buffer[self.start];
                self.start += 1;
                *only = byte;
                self.count(byte);
                Ok(1)
            }
            _ => self.read_more(out),
        }
    }
}

/// A row of the file, or the end of its change log (when the removals in it are weighed).
enum Parsed {
    Service(ServiceRow),
    Round(RoundRow),
    Respondent(RespondentRow),
    Answer(AnswerRow),
    History(HistoryRow),
    PlanItem(PlanItemRow),
    Goal(GoalRow),
    GoalStatus(GoalStatusRow),
    RoundStage(RoundStageRow),
    Consensus(ConsensusRow),
    Change(ChangeRow),
    ChangeLogEnd,
}

/// What the reading thread hands the writing one, in the file's order: rows with the place
/// just after each (where a refusal of that row points), then how reading ended.
enum Handed {
    Rows(Vec<(Parsed, Place)>),
    End(Option<Refusal>),
}

/// Rows are handed over this many at a time, and at most `BATCHES_AHEAD` batches wait:
/// the reader stays a little ahead of the writer, and memory stays small.
const BATCH: usize = 512;
const BATCHES_AHEAD: usize = 8;

/// The reading thread: parses the file and hands its rows over as it goes. The header's
/// problems and the file's own (not JSON, cut short, a wrong type) are found here; what
/// the rows mean for the database is found by the writer.
struct Reading<'p> {
    instrument: &'p Instrument,
    clock: ImportClock,
    place: &'p Cell<Place>,
    too_long: &'p Cell<bool>,
    batch: Vec<(Parsed, Place)>,
    out: SyncSender<Handed>,
    stopped: Option<Problem>,
    /// The writer stopped (it refused a row, or the database failed): stop reading.
    writer_gone: bool,
}

impl Reading<'_> {
    /// Reads the whole file and hands over its rows, then how reading ended.
    fn run(input: impl Read, instrument: &Instrument, clock: ImportClock, out: SyncSender<Handed>) {
        let (place, too_long) = (Cell::new(Place::START), Cell::new(false));
        let mut reading = Reading {
            instrument,
            clock,
            place: &place,
            too_long: &too_long,
            batch: Vec::with_capacity(BATCH),
            out,
            stopped: None,
            writer_gone: false,
        };
        let mut de = serde_json::Deserializer::from_reader(Counted::new(input, &place, &too_long));
        let outcome = FileSeed {
            reading: &mut reading,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        if reading.writer_gone {
            return;
        }
        let end = outcome.err().map(|e| reading.refusal(&e));
        if reading.hand_over().is_ok() {
            // Nobody to tell when the writer has stopped meanwhile.
            let _ = reading.out.send(Handed::End(end));
        }
    }

    fn push<E: de::Error>(&mut self, parsed: Parsed) -> Result<(), E> {
        self.batch.push((parsed, self.place.get()));
        if self.batch.len() < BATCH {
            return Ok(());
        }
        self.hand_over().map_err(|()| {
            self.writer_gone = true;
            E::custom("the import stopped")
        })
    }

    fn hand_over(&mut self) -> Result<(), ()> {
        let rows = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        if rows.is_empty() {
            return Ok(());
        }
        self.out.send(Handed::Rows(rows)).map_err(|_| ())
    }

    /// Keeps why reading stops, for `refusal`; the parser only carries a text and a place.
    fn stop<E: de::Error>(&mut self, problem: Problem) -> E {
        let text = problem.message(Lang::En);
        self.stopped = Some(problem);
        E::custom(text)
    }

    fn refusal(&mut self, e: &serde_json::Error) -> Refusal {
        let problem = self.stopped.take().unwrap_or_else(|| {
            let text = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let reason = text.strip_suffix(&suffix).unwrap_or(&text).to_string();
            match e.classify() {
                serde_json::error::Category::Io if self.too_long.get() => Problem::StringTooLong,
                serde_json::error::Category::Io => Problem::Read(reason),
                serde_json::error::Category::Syntax => Problem::NotJson(reason),
                serde_json::error::Category::Data => Problem::Unexpected(reason),
                serde_json::error::Category::Eof => Problem::Truncated,
            }
        });
        Refusal {
            line: e.line(),
            column: e.column(),
            problem,
        }
    }
}

/// The whole file: the header fields, then the arrays, in the order of `FIELDS` (a format
/// version 1 file ends after `history`).
struct FileSeed<'i, 'p> {
    reading: &'i mut Reading<'p>,
}

impl<'de> DeserializeSeed<'de> for FileSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> de::Visitor<'de> for FileSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a kartlegg export (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let reading = self.reading;
        let mut version = FORMAT_VERSION;
        for (index, &expected) in FIELDS.iter().enumerate() {
            if index == V1_FIELDS && version == 1 {
                break;
            }
            let found = map.next_key::<String>()?;
            match found {
                Some(found) if found == expected => {}
                _ if index == 0 => return Err(reading.stop(Problem::NotAnExport)),
                Some(found) => return Err(reading.stop(Problem::FieldOrder { expected, found })),
                None => return Err(reading.stop(Problem::MissingField { expected })),
            }
            match expected {
                "format" => {
                    let format: serde_json::Value = map.next_value()?;
                    if format != FORMAT {
                        return Err(reading.stop(Problem::NotAnExport));
                    }
                }
                "format_version" => {
                    let found: serde_json::Value = map.next_value()?;
                    match found.as_u64() {
                        Some(known @ 1..=FORMAT_VERSION) => version = known,
                        Some(0) | None => {
                            return Err(reading.stop(Problem::UnknownFormatVersion {
                                found: found.to_string(),
                            }));
                        }
                        Some(_) => {
                            return Err(reading.stop(Problem::FormatVersion {
                                found: found.to_string(),
                            }));
                        }
                    }
                }
                // A file written after this machine's clock holds times after it too.
                "exported_at" => {
                    let value = map.next_value::<String>()?;
                    let Ok(at) = DateTime::parse_from_rfc3339(&value) else {
                        return Err(reading.stop(Problem::BadExportTime { value }));
                    };
                    let at = timestamp(at.with_timezone(&Utc));
                    if let Some(latest) = reading.clock.latest()
                        && at > latest
                    {
                        let now = timestamp(reading.clock.now);
                        return Err(reading.stop(Problem::FutureExport { value: at, now }));
                    }
                }
                "schema_version" => {
                    map.next_value::<u32>()?;
                }
                "instrument" => {
                    let theirs: InstrumentRef = map.next_value()?;
                    if theirs.key != reading.instrument.key {
                        let known = reading.instrument.key.clone();
                        return Err(reading.stop(Problem::Instrument {
                            found: theirs.key,
                            known,
                        }));
                    }
                }
                "services" => map.next_value_seed(Rows::new(reading, Parsed::Service))?,
                "rounds" => map.next_value_seed(Rows::new(reading, Parsed::Round))?,
                "respondents" => map.next_value_seed(Rows::new(reading, Parsed::Respondent))?,
                "answers" => map.next_value_seed(Rows::new(reading, Parsed::Answer))?,
                "history" => map.next_value_seed(Rows::new(reading, Parsed::History))?,
                "plan_items" => map.next_value_seed(Rows::new(reading, Parsed::PlanItem))?,
                "goals" => map.next_value_seed(Rows::new(reading, Parsed::Goal))?,
                "goal_statuses" => map.next_value_seed(Rows::new(reading, Parsed::GoalStatus))?,
                "round_stages" => map.next_value_seed(Rows::new(reading, Parsed::RoundStage))?,
                "consensus" => map.next_value_seed(Rows::new(reading, Parsed::Consensus))?,
                "change_log" => {
                    map.next_value_seed(Rows::new(reading, Parsed::Change))?;
                    reading.push(Parsed::ChangeLogEnd)?;
                }
                _ => unreachable!("every field in FIELDS has an arm"),
            }
        }
        if let Some(found) = map.next_key::<String>()? {
            return Err(reading.stop(Problem::ExtraField { found }));
        }
        Ok(())
    }
}

/// One array of rows, each handed over as soon as it is read.
struct Rows<'i, 'p, T> {
    reading: &'i mut Reading<'p>,
    wrap: fn(T) -> Parsed,
}

impl<'i, 'p, T> Rows<'i, 'p, T> {
    fn new(reading: &'i mut Reading<'p>, wrap: fn(T) -> Parsed) -> Self {
        Rows { reading, wrap }
    }
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Rows<'_, '_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned> de::Visitor<'de> for Rows<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(OneRow {
                reading: &mut *self.reading,
                wrap: self.wrap,
            })?
            .is_some()
        {}
        Ok(())
    }
}

struct OneRow<'i, 'p, T> {
    reading: &'i mut Reading<'p>,
    wrap: fn(T) -> Parsed,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for OneRow<'_, '_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> de::Visitor<'de> for OneRow<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a row (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let row = T::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.reading.push((self.wrap)(row))
    }
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

    #[test]
    fn times_are_normalised_to_the_stores_form() {
        assert_eq!(
            instant("answers", "x", "updated_at", "2026-03-09T11:15:00+01:00").ok(),
            Some("2026-03-09T10:15:00.000Z".to_string())
        );
        assert!(instant("answers", "x", "updated_at", "09.03.2026").is_err());
    }

    #[test]
    fn a_tie_in_time_picks_the_same_winner_from_both_sides() {
        let a = Content {
            value: Some(2),
            missing: None,
            comment: String::new(),
        };
        let b = Content {
            value: Some(4),
            missing: None,
            comment: String::new(),
        };
        let t = "2026-03-09T10:15:00.000Z";
        assert!((t, &b) > (t, &a));
        assert!(("2026-03-09T10:16:00.000Z", &a) > (t, &b));
    }

    #[test]
    fn responses_are_checked() {
        assert!(check_response("answers", "x", Some(3), None).is_ok());
        assert!(check_response("answers", "x", None, Some("dont_know")).is_ok());
        assert!(check_response("answers", "x", None, None).is_ok());
        assert!(check_response("answers", "x", Some(3), Some("dont_know")).is_err());
        assert!(check_response("answers", "x", None, Some("maybe")).is_err());
        assert!(check_response("answers", "x", Some(10), None).is_err());
    }
}
