//! Reading the file on its own thread: it parses rows ahead in batches, and follows where
//! it is in the file for the place of a problem.

use super::{
    AnswerRow, BY_CODE_SINCE, CONTENTS_SINCE, ChangeRow, ConsensusRow, Contents, ExpectationsRow,
    FIELDS, FORMAT, FORMAT_VERSION, FactsRow, GoalRow, GoalStatusRow, HistoryRow, ImportClock,
    InstrumentRef, NEEDS_FIELDS, NEEDS_SINCE, NeedRow, OwnAreaRow, POSITIONS_SINCE, PlanItemRow,
    PositionRow, Problem, Refusal, RespondentRow, RespondentRowBefore4, RoundRow, RoundStageRow,
    ServiceRow, V1_FIELDS, timestamp,
};
use std::cell::Cell;
use std::fmt;
use std::io::{self, Read};
use std::sync::mpsc::SyncSender;

use chrono::{DateTime, Utc};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess};

use crate::domain::instrument::Instrument;
use crate::domain::model::TextKind;

// ---- reading the file, on its own thread ----
//
// serde_json gives a problem the line and column where the reader stood when it was raised.
// Each row is handed over with the place the reader stood at in its own `visit_map`, just
// past the row's closing brace, so that a row refused later by the writer is refused at its
// own line, as a problem the reader finds is.

/// Where the parser is in the file, counted as serde_json counts (lines from 1, columns in
/// bytes since the line began), which it tells only in its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    pub(crate) line: usize,
    pub(crate) column: usize,
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
pub(crate) struct Counted<'p, R> {
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
pub(crate) const LONGEST_STRING: usize = 6 * TextKind::COMMENT_BYTES;

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

/// A row of the file, or the end of its needs (when each round's top three are counted) or
/// of its change log (when the removals in it are weighed).
pub(crate) enum Parsed {
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
    OwnArea(OwnAreaRow),
    Need(NeedRow),
    NeedsEnd,
    Expectations(ExpectationsRow),
    Facts(FactsRow),
    Position(PositionRow),
    Change(ChangeRow),
    ChangeLogEnd,
}

/// What the reading thread hands the writing one, in the file's order: rows with the place
/// just after each (where a refusal of that row points), then how reading ended.
pub(crate) enum Handed {
    Rows(Vec<(Parsed, Place)>),
    End(Option<Refusal>),
}

/// Rows are handed over this many at a time, and at most `BATCHES_AHEAD` batches wait:
/// the reader stays a little ahead of the writer, and memory stays small.
pub(crate) const BATCH: usize = 512;
pub(crate) const BATCHES_AHEAD: usize = 8;

/// The reading thread: parses the file and hands its rows over as it goes. The header's
/// problems and the file's own (not JSON, cut short, a wrong type) are found here; what
/// the rows mean for the database is found by the writer.
pub(crate) struct Reading<'p> {
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
    pub(crate) fn run(
        input: impl Read,
        instrument: &Instrument,
        clock: ImportClock,
        out: SyncSender<Handed>,
    ) {
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
        self.stopped = Some(problem);
        // The text is never read: `refusal` takes the problem kept here.
        E::custom("refused")
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
pub(crate) struct FileSeed<'i, 'p> {
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
            if expected == "contents" && version < CONTENTS_SINCE {
                continue;
            }
            // An older file goes from `consensus` to `change_log`: one with needs arrays
            // is refused at the first, as the field order is.
            if NEEDS_FIELDS.contains(&expected) && version < NEEDS_SINCE {
                continue;
            }
            // So does a version 5 file from `facts`: the positions came with version 6.
            if expected == "positions" && version < POSITIONS_SINCE {
                continue;
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
                // Before a row: a pseudonymous file would add its respondents anew.
                "contents" => {
                    let contents: Contents = map.next_value()?;
                    if !contents.importable() {
                        return Err(reading.stop(Problem::NotIdentified));
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
                "respondents" if version < BY_CODE_SINCE => {
                    let older = |row: RespondentRowBefore4| Parsed::Respondent(row.into());
                    map.next_value_seed(Rows::new(reading, older))?
                }
                "respondents" => map.next_value_seed(Rows::new(reading, Parsed::Respondent))?,
                "answers" => map.next_value_seed(Rows::new(reading, Parsed::Answer))?,
                "history" => map.next_value_seed(Rows::new(reading, Parsed::History))?,
                "plan_items" => map.next_value_seed(Rows::new(reading, Parsed::PlanItem))?,
                "goals" => map.next_value_seed(Rows::new(reading, Parsed::Goal))?,
                "goal_statuses" => map.next_value_seed(Rows::new(reading, Parsed::GoalStatus))?,
                "round_stages" => map.next_value_seed(Rows::new(reading, Parsed::RoundStage))?,
                "consensus" => map.next_value_seed(Rows::new(reading, Parsed::Consensus))?,
                "own_areas" => map.next_value_seed(Rows::new(reading, Parsed::OwnArea))?,
                "needs" => {
                    map.next_value_seed(Rows::new(reading, Parsed::Need))?;
                    reading.push(Parsed::NeedsEnd)?;
                }
                "expectations" => map.next_value_seed(Rows::new(reading, Parsed::Expectations))?,
                "facts" => map.next_value_seed(Rows::new(reading, Parsed::Facts))?,
                "positions" => map.next_value_seed(Rows::new(reading, Parsed::Position))?,
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
pub(crate) struct Rows<'i, 'p, T> {
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

pub(crate) struct OneRow<'i, 'p, T> {
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
