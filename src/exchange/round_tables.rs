//! The round-level tables as CSV, for a centre's own statistics: a round's competence needs
//! (a row per area with anything recorded), its facts and its expectations (a row per
//! round), and its posts against the 2031 requirement as counts per role, small groups
//! suppressed as on the screen: never a row per post, which would name a service's one
//! leader's education. Described in `docs/analysis.md`.

use std::io::Write;
use std::path::Path;

use crate::domain::model::{Round, Service};
use crate::domain::needs::{Area, Expectation, Expectations, FactField, Facts, Need, Who};
use crate::domain::requirement::{Counts, StatusTable};

use super::{CSV_CONTEXT, CsvDialect, WriteFailed, csv_io_error, neutralise, write_error};

/// Which round-level table a CSV export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundTable {
    Needs,
    Facts,
    Expectations,
    Positions,
}

/// One round's part of a table, as loaded for it.
pub enum RoundData {
    /// The service's areas (shipped, then its own) and the round's needs.
    Needs(Vec<Area>, Vec<Need>),
    Facts(Facts),
    Expectations(Expectations),
    Positions(StatusTable),
}

/// The fixed columns of every round table: the round and its service, as the answers' CSV
/// begins (its respondent's columns follow there).
const CONTEXT: &[&str] = CSV_CONTEXT.split_at(7).0;

impl RoundTable {
    /// The columns after the context, as data (codes, never translated).
    fn columns(self) -> Vec<&'static str> {
        match self {
            RoundTable::Needs => vec![
                "area_key",
                "area_nb",
                "area_nn",
                "area_en",
                "mastery",
                "importance",
                "gap",
                "top_three",
                "who",
                "missing",
            ],
            RoundTable::Facts => FactField::ALL.iter().map(|f| f.code()).collect(),
            RoundTable::Expectations => Expectation::ALL
                .iter()
                .map(|e| e.code())
                .chain(["knows_why", "own_wish", "text"])
                .collect(),
            RoundTable::Positions => vec!["role", "n", "meets", "will", "will_not", "suppressed"],
        }
    }
}

/// Writes `table` with its header row from `rounds` (each round's service, the round and its
/// data); free text (what is missing, the expectations' own words) only with `comments`.
/// Gives the number of rows after the header.
pub fn write_round_table<'a>(
    table: RoundTable,
    rounds: impl IntoIterator<Item = (&'a Service, &'a Round, &'a RoundData)>,
    dialect: CsvDialect,
    comments: bool,
    out: &mut dyn Write,
    out_name: &Path,
) -> Result<usize, WriteFailed> {
    let io_error = csv_io_error(out_name);
    let mut csv = dialect.writer(out).map_err(write_error(out_name))?;
    let header: Vec<&str> = CONTEXT.iter().copied().chain(table.columns()).collect();
    csv.write_record(&header).map_err(&io_error)?;
    let mut written = 0;
    for (service, round, data) in rounds {
        let context = [
            service.id.clone(),
            service.name.clone(),
            service.cluster.clone(),
            round.id.clone(),
            round.label.clone(),
            round.held_on.to_string(),
            round.kind.code().to_string(),
        ];
        for row in rows(data, dialect, comments) {
            let record = context
                .iter()
                .chain(&row)
                .map(|c| neutralise(c).into_owned());
            csv.write_record(record).map_err(&io_error)?;
            written += 1;
        }
    }
    csv.flush().map_err(write_error(out_name))?;
    Ok(written)
}

/// A round's rows of its table, after the context columns.
fn rows(data: &RoundData, dialect: CsvDialect, comments: bool) -> Vec<Vec<String>> {
    let number = |v: Option<u8>| v.map(|v| v.to_string()).unwrap_or_default();
    let flag = |on: bool| if on { "1" } else { "0" }.to_string();
    let free = |text: &str| {
        if comments {
            text.to_string()
        } else {
            String::new()
        }
    };
    match data {
        RoundData::Needs(areas, needs) => {
            // In the list's order, as the screen shows them.
            let mut rows: Vec<(usize, Vec<String>)> = needs
                .iter()
                .filter_map(|need| {
                    let place = areas.iter().position(|a| a.key == need.area_key)?;
                    let area = &areas[place];
                    let gap = need
                        .mastery
                        .zip(need.importance)
                        .map(|(m, i)| (i as i8 - m as i8).to_string())
                        .unwrap_or_default();
                    let mut row = vec![need.area_key.clone()];
                    row.extend(
                        crate::domain::lang::Lang::ALL.map(|l| area.name.get(l).to_string()),
                    );
                    row.extend([
                        number(need.mastery),
                        number(need.importance),
                        gap,
                        flag(need.top_three),
                        need.who.map(Who::code).unwrap_or_default().to_string(),
                        free(&need.missing),
                    ]);
                    Some((place, row))
                })
                .collect();
            rows.sort_by_key(|(place, _)| *place);
            rows.into_iter().map(|(_, row)| row).collect()
        }
        RoundData::Facts(facts) if facts.is_empty() => Vec::new(),
        RoundData::Facts(facts) => vec![
            FactField::ALL
                .iter()
                .map(|f| facts.get(*f).map(|v| exact(dialect, v)).unwrap_or_default())
                .collect(),
        ],
        RoundData::Expectations(e) if e.is_empty() => Vec::new(),
        RoundData::Expectations(e) => {
            let answer = |a: Option<crate::domain::needs::YesPartlyNo>| {
                a.map(|a| a.code()).unwrap_or_default().to_string()
            };
            let mut row: Vec<String> = Expectation::ALL
                .iter()
                .map(|x| flag(e.wants.contains(x)))
                .collect();
            row.extend([answer(e.knows_why), answer(e.own_wish), free(&e.text)]);
            vec![row]
        }
        RoundData::Positions(table) if table.rows.iter().all(|r| r.n == 0) => Vec::new(),
        RoundData::Positions(table) => table
            .rows
            .iter()
            .map(|row| {
                let role = row.role.map_or("all", |r| r.code()).to_string();
                let (counts, suppressed) = match row.counts {
                    Counts::Shown(c) => {
                        ([c.meets, c.will, c.will_not].map(|v| v.to_string()), false)
                    }
                    Counts::Empty => (Default::default(), false),
                    Counts::TooFew | Counts::Protects => (Default::default(), true),
                };
                let mut out = vec![role, row.n.to_string()];
                out.extend(counts);
                out.push(flag(suppressed));
                out
            })
            .chain((table.not_covered > 0).then(|| {
                let mut out = vec!["not_covered".to_string(), table.not_covered.to_string()];
                out.extend([String::new(), String::new(), String::new(), flag(false)]);
                out
            }))
            .collect(),
    }
}

/// A stored number as it is, not rounded (a share typed as 33.3333 stays so), with the
/// dialect's decimal mark.
fn exact(dialect: CsvDialect, value: f64) -> String {
    let text = value.to_string();
    match dialect {
        CsvDialect::Plain => text,
        CsvDialect::Spreadsheet => text.replace('.', ","),
    }
}
