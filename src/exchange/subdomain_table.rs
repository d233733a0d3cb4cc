//! The aggregated export for a regional centre's own statistics: one row per service ×
//! round × subdomain, with the score, its n, the "don't know" and "not applicable" counts,
//! the band and the gathering the round is tied to. Rows are made once
//! (`usecase::aggregate`); here they are only written, as CSV in either dialect or as JSON.
//! Described in `docs/analysis.md`.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::cluster::GatheringKind;
use crate::domain::model::RoundKind;
use crate::domain::scoring::Band;

use super::{CsvDialect, WriteFailed, csv_io_error, neutralise, write_error};

/// Raised when a reader of an older file could misread a newer one.
pub const SUBDOMAIN_FORMAT_VERSION: u64 = 1;

/// What the figures of a row are: shown, or held back because too few stand behind them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figures {
    Shown {
        /// Whole percent of the maximum (the one rounding rule); `None` when nothing is
        /// scored.
        score: Option<f64>,
        band: Option<Band>,
        /// Answers (items × respondents) with a score, "don't know", "not applicable".
        scored: u32,
        dont_know: u32,
        not_applicable: u32,
    },
    /// Fewer respondents than the smallest group: no score, no band and no count from
    /// which they could be worked back.
    Suppressed,
}

/// One service's figures in one subdomain in one round.
#[derive(Debug, Clone, PartialEq)]
pub struct SubdomainRow {
    /// The service's name, or its letter in an anonymous export.
    pub service: String,
    pub cluster: String,
    /// The round's label; empty in an anonymous export (a label is the service's own text).
    pub round: String,
    /// The day the round was held; none in an anonymous export (a service's own schedule
    /// would tell which letter it is; the gathering's day, shared by all, stays).
    pub round_held_on: Option<NaiveDate>,
    pub round_kind: RoundKind,
    /// The gathering the round is tied to: its day and kind.
    pub gathering: Option<(NaiveDate, GatheringKind)>,
    pub section: String,
    /// `section.subdomain`, as kept scores, plans and comparisons name it.
    pub subdomain: String,
    /// Respondents with at least one answer here (a score, "don't know" or "not applicable").
    pub n: usize,
    pub figures: Figures,
}

/// What a JSON file says of itself before its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubdomainHeader {
    pub format: &'static str,
    pub format_version: u64,
    pub exported_at: String,
    pub instrument: String,
    pub instrument_version: String,
    pub min_group: usize,
    pub anonymous: bool,
    /// The one cluster exported, by name; `None` for more than one.
    pub cluster: Option<String>,
}

/// The value of the header's `format`: what tells this file from the other exports.
pub const SUBDOMAIN_FORMAT: &str = "kartlegg-subdomains";

/// The columns, in order; the JSON objects have the same fields.
pub const COLUMNS: [&str; 16] = [
    "service",
    "cluster",
    "round",
    "round_held_on",
    "round_kind",
    "gathering_held_on",
    "gathering_kind",
    "section",
    "subdomain",
    "score",
    "band",
    "n",
    "scored",
    "dont_know",
    "not_applicable",
    "suppressed",
];

/// A row's cells, in `COLUMNS`' order; a number the dialect's way.
fn cells(row: &SubdomainRow, dialect: CsvDialect) -> [String; 16] {
    let (held_on, kind) = match row.gathering {
        Some((day, kind)) => (day.to_string(), kind.code().to_string()),
        None => (String::new(), String::new()),
    };
    let (score, band, scored, dont_know, not_applicable, suppressed) = match row.figures {
        Figures::Shown {
            score,
            band,
            scored,
            dont_know,
            not_applicable,
        } => (
            score.map(|s| dialect.decimal(s, 0)).unwrap_or_default(),
            band.map(Band::code).unwrap_or_default().to_string(),
            scored.to_string(),
            dont_know.to_string(),
            not_applicable.to_string(),
            "0",
        ),
        Figures::Suppressed => (
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            "1",
        ),
    };
    [
        row.service.clone(),
        row.cluster.clone(),
        row.round.clone(),
        row.round_held_on
            .map(|day| day.to_string())
            .unwrap_or_default(),
        row.round_kind.code().to_string(),
        held_on,
        kind,
        row.section.clone(),
        row.subdomain.clone(),
        score,
        band,
        row.n.to_string(),
        scored,
        dont_know,
        not_applicable,
        suppressed.to_string(),
    ]
}

/// Writes the rows with their header row; gives the number of rows after it.
pub fn write_subdomain_csv(
    rows: &[SubdomainRow],
    dialect: CsvDialect,
    out: &mut dyn Write,
    out_name: &Path,
) -> Result<usize, WriteFailed> {
    let io_error = csv_io_error(out_name);
    let mut csv = dialect.writer(out).map_err(write_error(out_name))?;
    csv.write_record(COLUMNS).map_err(&io_error)?;
    for row in rows {
        let record = cells(row, dialect).map(|c| neutralise(&c).into_owned());
        csv.write_record(record).map_err(&io_error)?;
    }
    csv.flush().map_err(write_error(out_name))?;
    Ok(rows.len())
}

/// A row as JSON carries it: the same fields, numbers as numbers, nothing for what is
/// empty or suppressed.
#[derive(Serialize)]
struct RowJson<'a> {
    service: &'a str,
    cluster: &'a str,
    round: &'a str,
    round_held_on: Option<String>,
    round_kind: &'static str,
    gathering_held_on: Option<String>,
    gathering_kind: Option<&'static str>,
    section: &'a str,
    subdomain: &'a str,
    score: Option<f64>,
    band: Option<&'static str>,
    n: usize,
    scored: Option<u32>,
    dont_know: Option<u32>,
    not_applicable: Option<u32>,
    suppressed: bool,
}

impl<'a> RowJson<'a> {
    fn of(row: &'a SubdomainRow) -> RowJson<'a> {
        let shown = match row.figures {
            Figures::Shown {
                score,
                band,
                scored,
                dont_know,
                not_applicable,
            } => Some((score, band, scored, dont_know, not_applicable)),
            Figures::Suppressed => None,
        };
        RowJson {
            service: &row.service,
            cluster: &row.cluster,
            round: &row.round,
            round_held_on: row.round_held_on.map(|day| day.to_string()),
            round_kind: row.round_kind.code(),
            gathering_held_on: row.gathering.map(|(day, _)| day.to_string()),
            gathering_kind: row.gathering.map(|(_, kind)| kind.code()),
            section: &row.section,
            subdomain: &row.subdomain,
            score: shown.and_then(|s| s.0),
            band: shown.and_then(|s| s.1).map(Band::code),
            n: row.n,
            scored: shown.map(|s| s.2),
            dont_know: shown.map(|s| s.3),
            not_applicable: shown.map(|s| s.4),
            suppressed: shown.is_none(),
        }
    }
}

#[derive(Serialize)]
struct FileJson<'a> {
    header: &'a SubdomainHeader,
    rows: Vec<RowJson<'a>>,
}

/// Writes `{"header": …, "rows": [ … ]}`; gives the number of rows.
pub fn write_subdomain_json(
    header: &SubdomainHeader,
    rows: &[SubdomainRow],
    out: &mut dyn Write,
    out_name: &Path,
) -> Result<usize, WriteFailed> {
    let file = FileJson {
        header,
        rows: rows.iter().map(RowJson::of).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &file)
        .map_err(|e| write_error(out_name)(std::io::Error::from(e)))?;
    writeln!(out).map_err(write_error(out_name))?;
    out.flush().map_err(write_error(out_name))?;
    Ok(rows.len())
}
