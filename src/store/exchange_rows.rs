//! What both backends' exchange shares: the export's queries (written once with SQLite's
//! `?N`; the server reads them through `store::postgres::exchange`), the JSON writer that streams
//! them a row to a line, the CSV writer, and the few mappings of the file's rows that need
//! no driver. One copy, so that both backends write the same file byte for byte.

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::instrument::Instrument;
use crate::domain::model::Service;
use crate::exchange::disclose::{self, Pseudonyms};
use crate::exchange::{
    CSV_CONTEXT, CSV_LONG, Contents, CsvExport, CsvLayout, FORMAT, FORMAT_VERSION, InstrumentRef,
    Scope, ServiceRow, csv_io_error, neutralise, timestamp, write_error,
};
use crate::store::{Result, StoreError};

/// A query over one table, narrowed to one service by joining up to `round`.
pub(crate) struct Scoped {
    pub(crate) select: &'static str,
    join: &'static str,
    service_column: &'static str,
    order: &'static str,
}

impl Scoped {
    pub(crate) fn sql(&self, scope: Scope<'_>) -> String {
        match scope {
            Scope::All => format!("{} {}", self.select, self.order),
            Scope::Service(_) => format!(
                "{} {} WHERE {} = ?1 {}",
                self.select, self.join, self.service_column, self.order
            ),
        }
    }
}

// Rows come in the order they were made (the order the screens list them in), so that an
// import into an empty database gives back the same order, and its export the same file.
pub(crate) const SERVICES: Scoped = Scoped {
    select: "SELECT s.id, s.name, s.municipalities, s.cluster, s.created_at, s.updated_at
             FROM service s",
    join: "",
    service_column: "s.id",
    order: "ORDER BY s.created_at, s.rowid",
};
pub(crate) const ROUNDS: Scoped = Scoped {
    select: "SELECT r.id, r.service_id, r.label, r.held_on, r.kind, r.instrument_key,
                    r.instrument_version, r.created_at
             FROM round r",
    join: "",
    service_column: "r.service_id",
    order: "ORDER BY r.created_at, r.rowid",
};
/// With whether they answered by code (an invite claimed by them), and the service, by
/// which a pseudonymous file draws the codes typed (`disclose`).
pub(crate) const RESPONDENTS: Scoped = Scoped {
    select: "SELECT p.id, p.round_id, p.role, p.code, p.created_at,
                    EXISTS (SELECT 1 FROM invite i WHERE i.respondent_id = p.id), r.service_id
             FROM respondent p JOIN round r ON r.id = p.round_id",
    join: "",
    service_column: "r.service_id",
    order: "ORDER BY p.created_at, p.rowid",
};
pub(crate) const ANSWERS: Scoped = Scoped {
    select: "SELECT a.id, a.respondent_id, a.item_key, a.value, a.missing, a.comment, a.updated_at
             FROM answer a",
    join: "JOIN respondent p ON p.id = a.respondent_id JOIN round r ON r.id = p.round_id",
    service_column: "r.service_id",
    order: "ORDER BY a.rowid",
};
pub(crate) const HISTORY: Scoped = Scoped {
    select: "SELECT h.answer_id, h.respondent_id, h.old_value, h.old_missing, h.old_comment,
                    h.new_value, h.new_missing, h.new_comment, h.changed_at
             FROM answer_history h",
    join: "JOIN respondent p ON p.id = h.respondent_id JOIN round r ON r.id = p.round_id",
    service_column: "r.service_id",
    order: "ORDER BY h.seq",
};
pub(crate) const PLAN_ITEMS: Scoped = Scoped {
    select: "SELECT p.id, p.service_id, p.subdomain_key, p.kind, p.text, p.level, p.owner,
                    p.due_on, p.done, p.done_on, p.created_at, p.updated_at
             FROM plan_item p",
    join: "",
    service_column: "p.service_id",
    order: "ORDER BY p.created_at, p.rowid",
};
pub(crate) const GOALS: Scoped = Scoped {
    select: "SELECT g.id, g.service_id, g.text, g.subdomain_keys, g.created_at, g.updated_at
             FROM goal g",
    join: "",
    service_column: "g.service_id",
    order: "ORDER BY g.created_at, g.rowid",
};
pub(crate) const GOAL_STATUSES: Scoped = Scoped {
    select: "SELECT s.goal_id, s.round_id, s.status, s.updated_at FROM goal_status s",
    join: "JOIN goal g ON g.id = s.goal_id",
    service_column: "g.service_id",
    order: "ORDER BY s.rowid",
};
pub(crate) const ROUND_STAGES: Scoped = Scoped {
    select: "SELECT t.round_id, t.stage, t.updated_at FROM round_stage t",
    join: "JOIN round r ON r.id = t.round_id",
    service_column: "r.service_id",
    order: "ORDER BY t.rowid",
};
pub(crate) const CONSENSUS: Scoped = Scoped {
    select: "SELECT c.round_id, c.subdomain_key, c.value, c.updated_at FROM consensus c",
    join: "JOIN round r ON r.id = c.round_id",
    service_column: "r.service_id",
    order: "ORDER BY c.rowid",
};
pub(crate) const OWN_AREAS: Scoped = Scoped {
    select: "SELECT o.id, o.service_id, o.name, o.created_at FROM own_area o",
    join: "",
    service_column: "o.service_id",
    order: "ORDER BY o.created_at, o.rowid",
};
pub(crate) const NEEDS: Scoped = Scoped {
    select: "SELECT n.round_id, n.area_key, n.mastery, n.importance, n.top_three, n.who,
                    n.missing, n.updated_at
             FROM need n",
    join: "JOIN round r ON r.id = n.round_id",
    service_column: "r.service_id",
    order: "ORDER BY n.round_id, n.area_key",
};
pub(crate) const EXPECTATIONS: Scoped = Scoped {
    select: "SELECT e.round_id, e.wants, e.text, e.knows_why, e.own_wish, e.updated_at
             FROM expectations e",
    join: "JOIN round r ON r.id = e.round_id",
    service_column: "r.service_id",
    order: "ORDER BY e.rowid",
};
pub(crate) const FACTS: Scoped = Scoped {
    select: "SELECT f.round_id, f.ftes, f.vacancies, f.turnover, f.newly_qualified,
                    f.deadline_breaches, f.complaints, f.emergency_cases, f.updated_at
             FROM service_facts f",
    join: "JOIN round r ON r.id = f.round_id",
    service_column: "r.service_id",
    order: "ORDER BY f.rowid",
};
pub(crate) const POSITIONS: Scoped = Scoped {
    select: "SELECT w.id, w.round_id, w.role, w.education, w.credits, w.years,
                    w.planned_credits, w.planned_year, w.created_at, w.updated_at
             FROM position w",
    join: "JOIN round r ON r.id = w.round_id",
    service_column: "r.service_id",
    order: "ORDER BY w.round_id, w.created_at, w.rowid",
};
/// The change log names its row by `entity_key` (`goal/round`, `round/subdomain`,
/// `round/area`, `round/position` and `service/own area` for the two-part keys); the
/// service is found through that row's parent. The clusters' entries (version 11) stay home: their rows do not
/// travel yet, and an importer would refuse their kinds.
pub(crate) const CHANGES: Scoped = Scoped {
    select: "SELECT l.entity, l.entity_key, l.old_json, l.new_json, l.changed_at
             FROM (SELECT * FROM change_log
                   WHERE entity NOT IN ('cluster', 'gathering', 'attendance',
                                        'round_gathering')) l",
    join: "",
    service_column: "CASE l.entity
        WHEN 'plan_item' THEN (SELECT service_id FROM plan_item WHERE id = l.entity_key)
        WHEN 'goal' THEN (SELECT service_id FROM goal WHERE id = l.entity_key)
        WHEN 'goal_status' THEN (SELECT service_id FROM goal
                                 WHERE id = substr(l.entity_key, 1, instr(l.entity_key, '/') - 1))
        WHEN 'round_stage' THEN (SELECT service_id FROM round WHERE id = l.entity_key)
        WHEN 'consensus' THEN (SELECT service_id FROM round
                               WHERE id = substr(l.entity_key, 1, instr(l.entity_key, '/') - 1))
        WHEN 'need' THEN (SELECT service_id FROM round
                          WHERE id = substr(l.entity_key, 1, instr(l.entity_key, '/') - 1))
        WHEN 'own_area' THEN substr(l.entity_key, 1, instr(l.entity_key, '/') - 1)
        WHEN 'expectations' THEN (SELECT service_id FROM round WHERE id = l.entity_key)
        WHEN 'service_facts' THEN (SELECT service_id FROM round WHERE id = l.entity_key)
        WHEN 'position' THEN (SELECT service_id FROM round
                              WHERE id = substr(l.entity_key, 1, instr(l.entity_key, '/') - 1))
        END",
    order: "ORDER BY l.seq",
};
/// Every respondent with the service and round around it, for CSV.
pub(crate) const CSV_RESPONDENTS: Scoped = Scoped {
    select: "SELECT s.id, s.name, s.cluster, r.id, r.label, r.held_on, r.kind,
                    r.instrument_version, p.id, p.role, p.code
             FROM respondent p JOIN round r ON r.id = p.round_id
                               JOIN service s ON s.id = r.service_id",
    join: "",
    service_column: "s.id",
    order: "ORDER BY s.cluster COLLATE NOCASE, s.name COLLATE NOCASE, s.id, r.held_on,
                     r.created_at, r.rowid, p.created_at, p.rowid",
};

/// Writes JSON one field or one row at a time, a row to a line, so that a problem found on
/// import has a line number that points at its row.
pub(crate) struct JsonOut<'w, 'p> {
    out: BufWriter<&'w mut dyn Write>,
    name: &'p Path,
    buffer: Vec<u8>,
    /// Rows written so far in the open array.
    rows: usize,
}

impl<'w, 'p> JsonOut<'w, 'p> {
    pub(crate) fn new(out: &'w mut dyn Write, name: &'p Path) -> JsonOut<'w, 'p> {
        JsonOut {
            out: BufWriter::with_capacity(1 << 16, out),
            name,
            buffer: Vec::with_capacity(1024),
            rows: 0,
        }
    }

    fn io(&self, source: io::Error) -> StoreError {
        StoreError::Io {
            path: self.name.to_path_buf(),
            source,
        }
    }

    pub(crate) fn raw(&mut self, text: &str) -> Result<()> {
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

    /// `{` and the fields before the arrays: what the file is, when, of what.
    pub(crate) fn head(
        &mut self,
        now: DateTime<Utc>,
        contents: &Contents,
        schema_version: u32,
        instrument: &Instrument,
    ) -> Result<()> {
        self.raw("{\n")?;
        self.field("format", &FORMAT)?;
        self.field("format_version", &FORMAT_VERSION)?;
        self.field("exported_at", &timestamp(now))?;
        self.field("contents", contents)?;
        self.field("schema_version", &schema_version)?;
        self.field(
            "instrument",
            &InstrumentRef {
                key: instrument.key.clone(),
                version: instrument.version.clone(),
            },
        )
    }

    /// `"name": [`, the rows to come one a line (`row`), until `end`.
    pub(crate) fn begin(&mut self, name: &str) -> Result<()> {
        self.value(&name)?;
        self.raw(": [")?;
        self.rows = 0;
        Ok(())
    }

    pub(crate) fn row(&mut self, row: &impl Serialize) -> Result<()> {
        self.raw(if self.rows == 0 { "\n" } else { ",\n" })?;
        self.value(row)?;
        self.rows += 1;
        Ok(())
    }

    /// `]`; gives the number of rows in the array.
    pub(crate) fn end(&mut self) -> Result<usize> {
        self.raw("\n]")?;
        Ok(self.rows)
    }

    /// `"name": [` `]`, as an array without rows is written.
    pub(crate) fn empty(&mut self, name: &str) -> Result<usize> {
        self.begin(name)?;
        self.end()
    }

    /// `}` after the last array, and everything out of the buffer.
    pub(crate) fn finish(&mut self) -> Result<()> {
        self.raw("\n}\n")?;
        self.out.flush().map_err(|e| self.io(e))
    }
}

pub(crate) fn service_of(row: &ServiceRow) -> Service {
    Service {
        id: row.id.clone(),
        name: row.name.clone(),
        municipalities: row.municipalities.clone(),
        cluster: row.cluster.clone(),
    }
}

/// A count of the facts as the file writes it: a whole number.
pub(crate) fn count_number(count: Option<i64>) -> Option<serde_json::Number> {
    count.map(serde_json::Number::from)
}

/// FTEs and the share of the facts as the file writes them: decimals.
pub(crate) fn decimal_number(decimal: Option<f64>) -> Option<serde_json::Number> {
    decimal.and_then(serde_json::Number::from_f64)
}

/// One answer as the CSV export reads it: item, value, missing, comment, when.
pub(crate) type CsvAnswer = (String, Option<i64>, Option<String>, String, String);

/// The CSV export's writer, given each respondent's context (`CSV_RESPONDENTS`' columns) and
/// answers in turn: items in walk order; an item the instrument does not know comes last in
/// the long layout (without scale bounds) and is left out of the wide one.
pub(crate) struct CsvOut<'w, 'p> {
    csv: csv::Writer<&'w mut dyn Write>,
    name: &'p Path,
    layout: CsvLayout,
    walk: HashMap<String, usize>,
    /// Beside each value in the long layout, so that 0–2 and 1–5 are never mixed up.
    bounds: Vec<[String; 2]>,
    wide: Vec<String>,
    hide: Option<Pseudonyms>,
    comments: bool,
    written: usize,
}

impl<'w, 'p> CsvOut<'w, 'p> {
    /// Writes the header row.
    pub(crate) fn new(
        instrument: &Instrument,
        CsvExport {
            layout,
            dialect,
            disclosure,
        }: CsvExport,
        out: &'w mut dyn Write,
        name: &'p Path,
    ) -> Result<CsvOut<'w, 'p>> {
        let items = instrument.items();
        let walk = items
            .iter()
            .map(|i| (i.item.key.clone(), i.index))
            .collect();
        let bounds = items
            .iter()
            .map(|i| [i.scale.min().to_string(), i.scale.max().to_string()])
            .collect();
        let mut csv = dialect.writer(out).map_err(write_error(name))?;
        let header: Vec<&str> = match layout {
            CsvLayout::Long => CSV_CONTEXT.iter().chain(&CSV_LONG).copied().collect(),
            CsvLayout::Wide => CSV_CONTEXT
                .iter()
                .copied()
                .chain(items.iter().map(|i| i.item.key.as_str()))
                .collect(),
        };
        csv.write_record(&header).map_err(csv_io_error(name))?;
        Ok(CsvOut {
            csv,
            name,
            layout,
            walk,
            bounds,
            wide: vec![String::new(); items.len()],
            hide: disclosure.pseudonyms(),
            comments: disclosure.comments,
            written: 0,
        })
    }

    /// One respondent's rows (long) or row (wide).
    pub(crate) fn respondent(
        &mut self,
        mut context: Vec<String>,
        mut theirs: Vec<CsvAnswer>,
    ) -> Result<()> {
        let io_error = csv_io_error(self.name);
        if let Some(hide) = &mut self.hide {
            context[8] = hide.respondent_id(&context[8]);
            context[10] = hide.code(&context[0], &context[10]);
            for answer in &mut theirs {
                answer.4 = disclose::day(&answer.4);
            }
        }
        if !self.comments {
            // A row that holds only a comment says nothing without it.
            theirs.retain(|(_, value, missing, _, _)| value.is_some() || missing.is_some());
            theirs.iter_mut().for_each(|answer| answer.3.clear());
        }
        let walk = &self.walk;
        theirs.sort_by(|a, b| {
            let place = |key: &str| walk.get(key).copied().unwrap_or(usize::MAX);
            (place(&a.0), &a.0).cmp(&(place(&b.0), &b.0))
        });
        match self.layout {
            CsvLayout::Long => {
                for (key, value, missing, comment, updated_at) in &theirs {
                    let value = value.map(|v| v.to_string()).unwrap_or_default();
                    let [min, max] = walk
                        .get(key.as_str())
                        .map_or(["", ""], |&i| self.bounds[i].each_ref().map(String::as_str));
                    let record = context.iter().map(String::as_str).chain([
                        key.as_str(),
                        &value,
                        min,
                        max,
                        missing.as_deref().unwrap_or(""),
                        comment,
                        updated_at,
                    ]);
                    self.csv
                        .write_record(record.map(neutralise).map(|c| c.into_owned()))
                        .map_err(&io_error)?;
                    self.written += 1;
                }
            }
            CsvLayout::Wide => {
                self.wide.iter_mut().for_each(String::clear);
                for (key, value, missing, _, _) in &theirs {
                    if let Some(&i) = walk.get(key.as_str()) {
                        self.wide[i] = match (value, missing) {
                            (Some(v), _) => v.to_string(),
                            (None, Some(code)) => code.clone(),
                            (None, None) => String::new(),
                        };
                    }
                }
                let record = context.iter().chain(&self.wide).map(|c| neutralise(c));
                self.csv
                    .write_record(record.map(|c| c.into_owned()))
                    .map_err(&io_error)?;
                self.written += 1;
            }
        }
        Ok(())
    }

    /// Flushes; gives the number of rows after the header.
    pub(crate) fn finish(mut self) -> Result<usize> {
        self.csv.flush().map_err(write_error(self.name))?;
        Ok(self.written)
    }
}

/// Which answers added by this import have a history row yet, one bit each by rowid (a
/// rowid past `answers_before` is an answer the import added: SQLite's rowid and the
/// server's identity column only grow, and the import holds the write lock). Until it has
/// one, no change of that answer can be in the history, so the first needs no look for
/// itself.
pub(crate) struct HistoryAdded {
    answers_before: i64,
    bits: Vec<u64>,
}

impl HistoryAdded {
    /// Far more answers than one import adds; past it, every change is looked for.
    const MOST: u64 = 1 << 32;

    pub(crate) fn new(answers_before: i64) -> HistoryAdded {
        HistoryAdded {
            answers_before,
            bits: Vec::new(),
        }
    }

    /// Whether this is the first change added for an answer the import added; marks it.
    pub(crate) fn first(&mut self, rowid: i64) -> bool {
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
