//! Why a file is refused: each problem with its place (`messages` puts it in the user's words).

use crate::domain::model::TextKind;
use crate::domain::needs::{FactField, FactProblem};

/// Why an import file was refused, and where the reader was when it found out: for a row,
/// just after the row's closing brace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub line: usize,
    pub column: usize,
    pub problem: Problem,
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
    /// A file exported without `--identified`: its respondents are codes for that file
    /// alone, and would be added anew at every import.
    NotIdentified,
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
    /// A need's mastery or importance off 1–5; `id` is `round/area`.
    NeedOutOfRange {
        id: String,
        field: &'static str,
        value: i64,
    },
    /// A need about an area that is neither shipped nor one of the round's service's own.
    UnknownArea {
        id: String,
        area: String,
    },
    /// The file would give a round more than `TOP_THREE` top priorities: refused at the
    /// row that made one too many; `id` is `round/area`.
    TopThreeFull {
        id: String,
        round: String,
    },
    /// A service fact out of its range, naming the field; `id` is the round.
    FactOutOfRange {
        id: String,
        field: FactField,
        problem: FactProblem,
    },
    /// A position's credits, years or planned year out of its range, naming the field.
    PositionOutOfRange {
        id: String,
        field: &'static str,
        value: i64,
        min: u16,
        max: u16,
    },
    /// A position with planned credits and no year, or a year and no credits; `field` is
    /// the one missing.
    PositionHalfPlan {
        id: String,
        field: &'static str,
    },
    /// A change log snapshot that is not a row of its entity.
    BadSnapshot {
        id: String,
        field: &'static str,
        reason: String,
    },
    Rejected(String),
}
