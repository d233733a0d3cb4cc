//! The importer, once for every backend: it takes the rows the reader hands over, checks
//! each, weighs it against the database's version by the merge rule (`merge`), and writes
//! through `MergeTx`, one open transaction of a backend. What a backend implements is only
//! how to find, add and change a row; which rows may come, what wins and what goes into the
//! history is said here.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::Receiver;

use super::check::{
    bad_code, canonical, check_response, checked_date, checked_expectations, checked_facts,
    checked_need, checked_plan_item, checked_position, checked_text, identity, instant,
    missing_parent, not_empty, snapshot_of,
};
use super::merge::{self, Verdict};
use super::read::Handed;
use super::read::{Parsed, Place};
use super::{
    AnswerRow, ChangeRow, ConsensusRow, ExpectationsRow, FactsRow, GoalRow, GoalStatusRow,
    HistoryRow, ImportClock, ImportSummary, NeedRow, OwnAreaRow, PlanItemRow, PositionRow, Problem,
    Refusal, RespondentRow, RoundRow, RoundStageRow, ServiceRow, Tally, timestamp,
};
use crate::domain::instrument::{Instrument, Scale};
use crate::domain::model::{Role, RoundKind, TextKind};
use crate::domain::needs::{CompetenceAreas, Expectations, Facts, Need, TOP_THREE};
use crate::domain::plan::{Goal, GoalStatus, PlanItem, Stage};
use crate::domain::requirement::Position;

/// Why an import stopped: the file's fault (refused with a place) or the backend's.
#[derive(Debug)]
pub enum Stop<E> {
    Problem(Problem),
    /// A problem found after its row was merged (a round's top three, counted once all its
    /// needs are in), at that row's place rather than where the reader is.
    At(Box<Refusal>),
    Backend(E),
}

impl<E> From<Problem> for Stop<E> {
    fn from(problem: Problem) -> Stop<E> {
        Stop::Problem(problem)
    }
}

/// How an import ended when it did not end well.
#[derive(Debug)]
pub enum Failed<E> {
    /// The file is refused, nothing written.
    Refused(Box<Refusal>),
    Backend(E),
}

pub type Step<E> = Result<(), Stop<E>>;
type Found<T, E> = Result<T, Stop<E>>;

/// An answer's content, ordered so that an exact tie in time still picks the same winner
/// on both machines.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Content {
    pub value: Option<i64>,
    pub missing: Option<String>,
    pub comment: String,
}

/// An answer the database has: its id, and where the backend keeps it (SQLite: its rowid),
/// for the backend to find it again without a look-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub id: String,
    pub place: i64,
}

/// An answer the database has for one respondent and item, with its content and time.
pub struct AnswerHere {
    pub stored: StoredAnswer,
    pub content: Content,
    pub updated_at: String,
}

/// The tables whose rows have an id that other rows refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Service,
    Round,
    Respondent,
    PlanItem,
    Goal,
}

/// The values that can be removed (set to nothing), each under a change log key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Valued {
    /// `goal_id/round_id`
    GoalStatus,
    /// `round_id`
    RoundStage,
    /// `round_id/subdomain_key`
    Consensus,
}

impl Valued {
    pub fn entity(self) -> &'static str {
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

/// A round's notes that can be cleared as a whole, under the round's id as change log key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    Expectations,
    Facts,
}

impl Note {
    pub fn entity(self) -> &'static str {
        match self {
            Note::Expectations => "expectations",
            Note::Facts => "service_facts",
        }
    }
}

/// A round's note as a file has it, checked.
enum NoteValue {
    Expectations(Expectations),
    Facts(Facts),
}

impl NoteValue {
    fn note(&self) -> Note {
        match self {
            NoteValue::Expectations(_) => Note::Expectations,
            NoteValue::Facts(_) => Note::Facts,
        }
    }
}

/// What a removal in the change log can clear: a plan value, a round's note or a position
/// (keyed `round_id/position_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cleared {
    Value(Valued),
    Note(Note),
    Position,
}

impl Cleared {
    fn of_entity(entity: &str) -> Option<Cleared> {
        Valued::of_entity(entity).map(Cleared::Value).or_else(|| {
            [Note::Expectations, Note::Facts]
                .into_iter()
                .find(|n| n.entity() == entity)
                .map(Cleared::Note)
                .or((entity == POSITION).then_some(Cleared::Position))
        })
    }

    fn entity(self) -> &'static str {
        match self {
            Cleared::Value(valued) => valued.entity(),
            Cleared::Note(note) => note.entity(),
            Cleared::Position => POSITION,
        }
    }
}

/// The change log's entity of a position (version 12).
const POSITION: &str = "position";

/// The entities of the change log.
pub const CHANGE_ENTITIES: [&str; 10] = [
    "plan_item",
    "goal",
    "goal_status",
    "round_stage",
    "consensus",
    "need",
    "own_area",
    "expectations",
    "service_facts",
    POSITION,
];

/// One open transaction of a backend, as the importer needs it: finding a row, adding it,
/// changing it. Times given are already checked and in the one form `timestamp` writes; a
/// row handed to an add or an update has its times in that form. A backend's error is its
/// own (`Stop::Backend`); a row its tables refuse (a constraint) is `Problem::Rejected`.
/// The backend keeps its own derived data (kept scores) up to date as rows are added or
/// changed.
pub(crate) trait MergeTx {
    type Error;

    /// Whether `table` has a row with this id.
    fn exists(&mut self, table: Table, id: &str) -> Found<bool, Self::Error>;

    /// The ids of everything erased here (its tombstones): rows with one of these ids, or
    /// under a parent with one, are skipped, so that an import never brings them back.
    fn erased_ids(&mut self) -> Found<HashSet<String>, Self::Error>;

    /// The next rows of the file, before they are merged one by one: a backend may look up
    /// at once what merging them will ask (a server, to spare a round trip a row). What it
    /// learns must stay true while they are merged.
    fn ahead(&mut self, _rows: &[(Parsed, Place)]) -> Step<Self::Error> {
        Ok(())
    }

    fn service(&mut self, id: &str) -> Found<Option<ServiceRow>, Self::Error>;
    fn add_service(&mut self, row: &ServiceRow) -> Step<Self::Error>;
    /// Writes the row's name, municipalities, cluster and `updated_at` over the service's.
    fn update_service(&mut self, row: &ServiceRow) -> Step<Self::Error>;

    /// The service of the round with this id, if there is one.
    fn round_service(&mut self, id: &str) -> Found<Option<String>, Self::Error>;
    fn add_round(&mut self, row: &RoundRow) -> Step<Self::Error>;
    /// The round of the respondent with this id, if there is one.
    fn respondent_round(&mut self, id: &str) -> Found<Option<String>, Self::Error>;
    fn add_respondent(&mut self, row: &RespondentRow) -> Step<Self::Error>;
    /// Records the respondent here (already here, in the row's round) as answered by code
    /// on another machine, at `at`, unless they are so already: then no code here opens
    /// their walk, and they are seen only in aggregate. Says whether it did.
    fn answered_by_code(&mut self, row: &RespondentRow, at: &str) -> Found<bool, Self::Error>;

    /// Adds the answer unless its id, or its respondent and item, are taken; says whether
    /// it did.
    fn add_answer(&mut self, row: &AnswerRow) -> Found<bool, Self::Error>;
    /// The answer of a respondent to an item.
    fn answer_to(
        &mut self,
        respondent_id: &str,
        item_key: &str,
    ) -> Found<Option<AnswerHere>, Self::Error>;
    /// The answer with this id, with its respondent and item.
    fn answer_by_id(
        &mut self,
        id: &str,
    ) -> Found<Option<(StoredAnswer, String, String)>, Self::Error>;
    fn replace_answer(
        &mut self,
        answer: &StoredAnswer,
        respondent_id: &str,
        content: &Content,
        updated_at: &str,
    ) -> Step<Self::Error>;
    /// Whether the history has a change of `answer` to `new` at `at`.
    fn history_has(
        &mut self,
        answer: &StoredAnswer,
        at: &str,
        new: &Content,
    ) -> Found<bool, Self::Error>;
    /// Appends a change unless the history already has it: a change is the same change
    /// when its answer, its time and both its sides are the same (the natural key in
    /// `docs/exchange.md`). Says whether it was new.
    fn append_history(
        &mut self,
        answer: &StoredAnswer,
        respondent_id: &str,
        old: Option<&Content>,
        new: &Content,
        at: &str,
    ) -> Found<bool, Self::Error>;

    fn plan_item(&mut self, id: &str) -> Found<Option<PlanItemRow>, Self::Error>;
    fn add_plan_item(
        &mut self,
        item: &PlanItem,
        created_at: &str,
        updated_at: &str,
    ) -> Step<Self::Error>;
    fn update_plan_item(&mut self, item: &PlanItem, updated_at: &str) -> Step<Self::Error>;
    fn goal(&mut self, id: &str) -> Found<Option<GoalRow>, Self::Error>;
    fn add_goal(&mut self, row: &GoalRow) -> Step<Self::Error>;
    /// Writes the row's text, subdomains and `updated_at` over the goal's.
    fn update_goal(&mut self, row: &GoalRow) -> Step<Self::Error>;
    fn put_goal_status(
        &mut self,
        goal_id: &str,
        round_id: &str,
        status: GoalStatus,
        updated_at: &str,
    ) -> Step<Self::Error>;
    fn put_round_stage(
        &mut self,
        round_id: &str,
        stage: Stage,
        updated_at: &str,
    ) -> Step<Self::Error>;
    fn put_consensus(
        &mut self,
        round_id: &str,
        subdomain_key: &str,
        value: i64,
        updated_at: &str,
    ) -> Step<Self::Error>;
    /// The value here under a change log key, as its snapshot (`snapshot_of` of its code or
    /// number), and when it was set.
    fn current(
        &mut self,
        valued: Valued,
        key: &str,
    ) -> Found<Option<(String, String)>, Self::Error>;
    fn remove(&mut self, valued: Valued, key: &str) -> Step<Self::Error>;

    /// The service of the own area with this id, if there is one.
    fn own_area_service(&mut self, id: &str) -> Found<Option<String>, Self::Error>;
    fn add_own_area(&mut self, row: &OwnAreaRow) -> Step<Self::Error>;
    /// A round's need for an area, and when it was set.
    fn need(
        &mut self,
        round_id: &str,
        area_key: &str,
    ) -> Found<Option<(Need, String)>, Self::Error>;
    /// Writes the need over the round's for its area, or adds it.
    fn put_need(&mut self, round_id: &str, need: &Need, updated_at: &str) -> Step<Self::Error>;
    /// How many areas the round has among its top three.
    fn top_three_count(&mut self, round_id: &str) -> Found<usize, Self::Error>;
    fn expectations(
        &mut self,
        round_id: &str,
    ) -> Found<Option<(Expectations, String)>, Self::Error>;
    fn put_expectations(
        &mut self,
        round_id: &str,
        expectations: &Expectations,
        updated_at: &str,
    ) -> Step<Self::Error>;
    fn facts(&mut self, round_id: &str) -> Found<Option<(Facts, String)>, Self::Error>;
    fn put_facts(&mut self, round_id: &str, facts: &Facts, updated_at: &str) -> Step<Self::Error>;
    /// Clears a round's note (its expectations or facts).
    fn clear_note(&mut self, note: Note, round_id: &str) -> Step<Self::Error>;

    /// The position with this id, and when it was last changed.
    fn position(&mut self, id: &str) -> Found<Option<(Position, String)>, Self::Error>;
    /// Writes the position over the one with its id, or adds it (with `created_at`).
    fn put_position(
        &mut self,
        position: &Position,
        created_at: &str,
        updated_at: &str,
    ) -> Step<Self::Error>;

    /// Removes the position with this id.
    fn remove_position(&mut self, id: &str) -> Step<Self::Error>;

    /// When the value under `key` was last removed here, if it ever was.
    fn removed_at(&mut self, entity: &str, key: &str) -> Found<Option<String>, Self::Error>;
    /// Whether the log here has `new` as the result of a change at `at`.
    fn logged(&mut self, entity: &str, key: &str, new: &str, at: &str) -> Found<bool, Self::Error>;
    /// Appends a change unless the log already has it: the same entity and key, the same
    /// time and both sides the same. Says whether it was new.
    fn log_change(
        &mut self,
        entity: &str,
        key: &str,
        old: Option<&str>,
        new: Option<&str>,
        at: &str,
    ) -> Found<bool, Self::Error>;
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

/// The position's id in its change log key, `round_id/position_id`.
fn position_id(key: &str) -> &str {
    key.split_once('/').map_or(key, |(_, id)| id)
}

/// A removal read from the file's change log, weighed once the whole log is in.
struct Removal {
    cleared: Cleared,
    key: String,
    old: Option<String>,
    at: String,
    /// Whether this database learnt of it from this file.
    new_here: bool,
}

/// Merges the rows `handed` over by the reader into `merge`, in the file's order, until the
/// reader is done or a row is refused. The caller commits `merge` on success.
pub(crate) fn merge_rows<M: MergeTx>(
    merge: &mut M,
    instrument: &Instrument,
    clock: ImportClock,
    handed: Receiver<Handed>,
) -> Result<ImportSummary, Failed<M::Error>> {
    let mut importer = Importer::new(merge, instrument, clock);
    importer.erased = importer
        .merge
        .erased_ids()
        .map_err(|stop| failed(stop, 0, 0))?;
    for message in handed {
        match message {
            Handed::Rows(rows) => {
                if let Some((_, place)) = rows.first() {
                    let (line, column) = (place.line, place.column);
                    importer
                        .merge
                        .ahead(&rows)
                        .map_err(|stop| failed(stop, line, column))?;
                }
                for (parsed, place) in rows {
                    importer.place = (place.line, place.column);
                    importer
                        .take(parsed)
                        .map_err(|stop| failed(stop, place.line, place.column))?;
                }
            }
            Handed::End(None) => return Ok(importer.summary),
            Handed::End(Some(refusal)) => return Err(Failed::Refused(Box::new(refusal))),
        }
    }
    // The reader went without saying how reading ended: it panicked, and the scope it runs
    // in passes that on. Nothing is committed.
    Err(Failed::Refused(Box::new(Refusal {
        line: 0,
        column: 0,
        problem: Problem::Read("the file's reader stopped".into()),
    })))
}

/// A stop as the import's end: a problem at `line` and `column` unless it has its own place.
fn failed<E>(stop: Stop<E>, line: usize, column: usize) -> Failed<E> {
    match stop {
        Stop::Problem(problem) => Failed::Refused(Box::new(Refusal {
            line,
            column,
            problem,
        })),
        Stop::At(refusal) => Failed::Refused(refusal),
        Stop::Backend(e) => Failed::Backend(e),
    }
}

struct Importer<'a, M> {
    merge: &'a mut M,
    /// The place (line, column) of the row being merged.
    place: (usize, usize),
    /// The needs written with `top_three` set, with their places, in the file's order: each
    /// round's are counted once all needs are in, as a file may move a priority from one
    /// area to another in either order.
    top_three: Vec<(String, String, (usize, usize))>,
    instrument: &'a Instrument,
    scales: HashMap<&'a str, &'a Scale>,
    /// Removals from the file's change log, weighed once the whole log is in.
    removals: Vec<Removal>,
    /// Answer ids in the file that are another id here (the same respondent and item was
    /// answered on both machines), for the history rows that refer to them.
    remap: HashMap<String, String>,
    /// The respondent last found here, for the answers that follow theirs.
    known_respondent: Option<String>,
    /// The ids erased here, and those of the file's rows skipped for it, whose own rows
    /// are then skipped too.
    erased: HashSet<String>,
    summary: ImportSummary,
    clock: ImportClock,
    /// `clock.latest()`, made once.
    latest: Option<String>,
}

impl<'a, M: MergeTx> Importer<'a, M> {
    fn new(merge: &'a mut M, instrument: &'a Instrument, clock: ImportClock) -> Importer<'a, M> {
        Importer {
            merge,
            place: (0, 0),
            top_three: Vec::new(),
            instrument,
            scales: instrument
                .items()
                .iter()
                .map(|i| (i.item.key.as_str(), i.scale))
                .collect(),
            removals: Vec::new(),
            remap: HashMap::new(),
            known_respondent: None,
            erased: HashSet::new(),
            summary: ImportSummary::default(),
            clock,
            latest: clock.latest(),
        }
    }

    /// Whether a row is of something erased here: its own id (`id`, kept so that what it
    /// holds is skipped too) or one of its parents' (`parents`). Counts it as skipped.
    fn erased(&mut self, id: Option<&str>, parents: &[&str]) -> bool {
        let erased = id
            .into_iter()
            .chain(parents.iter().copied())
            .any(|i| self.erased.contains(i));
        if erased {
            if let Some(id) = id {
                self.erased.insert(id.to_string());
            }
            self.summary.erased += 1;
        }
        erased
    }

    fn take(&mut self, parsed: Parsed) -> Step<M::Error> {
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
            Parsed::OwnArea(row) => self.own_area(row),
            Parsed::Need(row) => self.need(row),
            Parsed::NeedsEnd => self.needs_end(),
            Parsed::Expectations(row) => self.expectations(row),
            Parsed::Facts(row) => self.facts(row),
            Parsed::Position(row) => self.position(row),
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
    ) -> Found<String, M::Error> {
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

    fn service(&mut self, mut row: ServiceRow) -> Step<M::Error> {
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
        row.created_at = instant(S, &row.id, "created_at", &row.created_at)?;
        row.updated_at = self.weighed_time(S, &row.id, "updated_at", &row.updated_at)?;
        if self.erased(Some(&row.id), &[]) {
            return Ok(());
        }
        let Some(here) = self.merge.service(&row.id)? else {
            self.merge.add_service(&row)?;
            self.summary.services.added += 1;
            return Ok(());
        };
        // The municipalities weigh as the store keeps them, one text, as they always have.
        let ours = (here.name, here.municipalities.join(","), here.cluster);
        let theirs = (&row.name, row.municipalities.join(","), &row.cluster);
        let ours = (&ours.0, ours.1, &ours.2);
        if merge::weigh(&here.updated_at, &ours, &row.updated_at, &theirs) == Verdict::Theirs {
            self.merge.update_service(&row)?;
            self.summary.services.updated += 1;
        } else {
            self.summary.services.skipped += 1;
        }
        Ok(())
    }

    fn round(&mut self, mut row: RoundRow) -> Step<M::Error> {
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
        // Its answers are read against this kartlegg's items and scales: a version this one
        // does not declare it `reads` could mean other things under the same keys.
        if !self.instrument.reads_version(&row.instrument_version) {
            return Err(Problem::InstrumentVersion {
                id: row.id.clone(),
                found: row.instrument_version.clone(),
                // Every version it reads, its own first: "kartlegg-standard 2.0, 1.0".
                known: format!(
                    "{} {}",
                    self.instrument.key,
                    std::iter::once(&self.instrument.version)
                        .chain(&self.instrument.reads)
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
            .into());
        }
        row.created_at = instant(S, &row.id, "created_at", &row.created_at)?;
        if self.erased(Some(&row.id), &[&row.service_id]) {
            return Ok(());
        }
        if !self.merge.exists(Table::Service, &row.service_id)? {
            return Err(missing_parent(S, &row.id, "service_id", &row.service_id).into());
        }
        match self.merge.round_service(&row.id)? {
            None => {
                self.merge.add_round(&row)?;
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

    fn respondent(&mut self, mut row: RespondentRow) -> Step<M::Error> {
        const S: &str = "respondents";
        not_empty(S, &row.id, "id", &row.id)?;
        checked_text(S, &row.id, "id", &row.id, TextKind::Name)?;
        checked_text(S, &row.id, "code", &row.code, TextKind::Name)?;
        if Role::from_code(&row.role).is_none() {
            return Err(bad_code(S, &row.id, "role", &row.role).into());
        }
        row.created_at = instant(S, &row.id, "created_at", &row.created_at)?;
        if self.erased(Some(&row.id), &[&row.round_id]) {
            return Ok(());
        }
        if !self.merge.exists(Table::Round, &row.round_id)? {
            return Err(missing_parent(S, &row.id, "round_id", &row.round_id).into());
        }
        match self.merge.respondent_round(&row.id)? {
            None => {
                self.merge.add_respondent(&row)?;
                self.summary.respondents.added += 1;
            }
            Some(round_id) if round_id != row.round_id => {
                return Err(identity(S, &row.id, "round_id", round_id, row.round_id).into());
            }
            Some(_) => self.summary.respondents.skipped += 1,
        }
        // Answered by code anywhere is answered by code here, never the other way back: a
        // file that does not say so (an older one) leaves them as they are.
        if row.by_code
            && self
                .merge
                .answered_by_code(&row, &timestamp(self.clock.now))?
        {
            self.summary.by_code += 1;
        }
        Ok(())
    }

    fn answer(&mut self, mut row: AnswerRow) -> Step<M::Error> {
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
        row.updated_at = self.weighed_time(S, &row.id, "updated_at", &row.updated_at)?;
        if self.erased(Some(&row.id), &[&row.respondent_id]) {
            return Ok(());
        }
        // A respondent's answers come together: their respondent is looked up once.
        if self.known_respondent.as_ref() != Some(&row.respondent_id) {
            if !self.merge.exists(Table::Respondent, &row.respondent_id)? {
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
            let filed_as = filed_as.clone();
            self.same_answer(&row, &filed_as)?;
        }
        // Most answers in a file are new here: try to add it first, and merge only when its
        // id or its respondent and item are taken (the add then does nothing).
        if self.merge.add_answer(&row)? {
            self.summary.answers.added += 1;
            return Ok(());
        }
        // An answer is one respondent's answer to one item, whatever its id: the same item
        // may have been answered on two machines before they met.
        let Some(here) = self.merge.answer_to(&row.respondent_id, &row.item_key)? else {
            // The add did nothing, so the id is another answer's.
            let other = self
                .merge
                .answer_by_id(&row.id)?
                .map(|(_, respondent, item)| format!("{respondent} {item}"))
                .unwrap_or_default();
            let there = format!("{} {}", row.respondent_id, row.item_key);
            return Err(identity(S, &row.id, "respondent_id item_key", other, there).into());
        };
        let AnswerHere {
            stored,
            content: ours,
            updated_at: our_time,
        } = here;
        if stored.id != row.id {
            // The file's id is another answer here (added earlier from the file): filing
            // this one under this machine's id would put that answer's history under it.
            let id = row.id.clone();
            self.same_answer(&row, &id)?;
            self.remap.insert(row.id.clone(), stored.id.clone());
        }
        let updated_at = row.updated_at;
        let theirs = Content {
            value: row.value,
            missing: row.missing,
            comment: row.comment,
        };
        let respondent_id = row.respondent_id;
        match merge::weigh(&our_time, &ours, &updated_at, &theirs) {
            Verdict::Same => self.summary.answers.skipped += 1,
            Verdict::Theirs => {
                self.merge
                    .replace_answer(&stored, &respondent_id, &theirs, &updated_at)?;
                self.merge.append_history(
                    &stored,
                    &respondent_id,
                    Some(&ours),
                    &theirs,
                    &updated_at,
                )?;
                self.summary.answers.updated += 1;
            }
            Verdict::Ours => {
                // An older version this database has had itself is no conflict, only a stale
                // file.
                if !self.merge.history_has(&stored, &updated_at, &theirs)? {
                    self.merge.append_history(
                        &stored,
                        &respondent_id,
                        Some(&theirs),
                        &ours,
                        &our_time,
                    )?;
                }
                self.summary.answers.skipped += 1;
                self.summary.answers.newer_here += 1;
            }
        }
        Ok(())
    }

    /// Refuses `row` unless the answer `id` here, if there is one, is its respondent's
    /// answer to its item.
    fn same_answer(&mut self, row: &AnswerRow, id: &str) -> Step<M::Error> {
        match self.merge.answer_by_id(id)? {
            Some((_, respondent, item))
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

    fn history(&mut self, row: HistoryRow) -> Step<M::Error> {
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
        if self.erased(None, &[&row.answer_id, &row.respondent_id]) {
            return Ok(());
        }
        let answer_id = self.remap.get(&row.answer_id).unwrap_or(&row.answer_id);
        let (stored, item) = match self.merge.answer_by_id(answer_id)? {
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
        let added = self.merge.append_history(
            &stored,
            &row.respondent_id,
            old.as_ref(),
            &new,
            &changed_at,
        )?;
        if added {
            self.summary.history.added += 1;
        } else {
            self.summary.history.skipped += 1;
        }
        Ok(())
    }

    // ---- plans, goals, stage, consensus, and their change log ----

    fn known_subdomain(&self, section: &'static str, id: &str, key: &str) -> Step<M::Error> {
        if self.instrument.subdomain(key).is_some() {
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
        &mut self,
        section: &'static str,
        id: &str,
        field: &'static str,
        table: Table,
        parent: &str,
    ) -> Step<M::Error> {
        if self.merge.exists(table, parent)? {
            Ok(())
        } else {
            Err(missing_parent(section, id, field, parent).into())
        }
    }

    fn plan_item(&mut self, row: PlanItemRow) -> Step<M::Error> {
        const S: &str = "plan_items";
        let theirs = checked_plan_item(S, &row)?;
        self.known_subdomain(S, &row.id, &row.subdomain_key)?;
        let created_at = instant(S, &row.id, "created_at", &row.created_at)?;
        let updated_at = self.weighed_time(S, &row.id, "updated_at", &row.updated_at)?;
        if self.erased(Some(&row.id), &[&row.service_id]) {
            return Ok(());
        }
        self.require(S, &row.id, "service_id", Table::Service, &row.service_id)?;
        let ours = match self.merge.plan_item(&row.id)? {
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
        match settled {
            Settled::Add => self
                .merge
                .add_plan_item(&theirs, &created_at, &updated_at)?,
            Settled::Replace => self.merge.update_plan_item(&theirs, &updated_at)?,
            Settled::Same | Settled::OursNewer => {}
        }
        self.summary.plan_items.count(settled);
        Ok(())
    }

    fn goal(&mut self, mut row: GoalRow) -> Step<M::Error> {
        const S: &str = "goals";
        not_empty(S, &row.id, "id", &row.id)?;
        checked_text(S, &row.id, "id", &row.id, TextKind::Name)?;
        not_empty(S, &row.id, "text", &row.text)?;
        checked_text(S, &row.id, "text", &row.text, TextKind::Plan)?;
        for key in &row.subdomain_keys {
            self.known_subdomain(S, &row.id, key)?;
        }
        row.created_at = instant(S, &row.id, "created_at", &row.created_at)?;
        row.updated_at = self.weighed_time(S, &row.id, "updated_at", &row.updated_at)?;
        if self.erased(Some(&row.id), &[&row.service_id]) {
            return Ok(());
        }
        self.require(S, &row.id, "service_id", Table::Service, &row.service_id)?;
        let goal = |row: &GoalRow| Goal {
            id: row.id.clone(),
            service_id: row.service_id.clone(),
            text: row.text.clone(),
            subdomain_keys: row.subdomain_keys.clone(),
        };
        let ours = match self.merge.goal(&row.id)? {
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
            &row.updated_at,
        )?;
        match settled {
            Settled::Add => self.merge.add_goal(&row)?,
            Settled::Replace => self.merge.update_goal(&row)?,
            Settled::Same | Settled::OursNewer => {}
        }
        self.summary.goals.count(settled);
        Ok(())
    }

    fn goal_status(&mut self, row: GoalStatusRow) -> Step<M::Error> {
        const S: &str = "goal_statuses";
        let key = format!("{}/{}", row.goal_id, row.round_id);
        let status = GoalStatus::from_code(&row.status)
            .ok_or_else(|| bad_code(S, &key, "status", &row.status))?;
        let updated_at = self.weighed_time(S, &key, "updated_at", &row.updated_at)?;
        if self.erased(None, &[&row.goal_id, &row.round_id]) {
            return Ok(());
        }
        self.require(S, &key, "goal_id", Table::Goal, &row.goal_id)?;
        self.require(S, &key, "round_id", Table::Round, &row.round_id)?;
        let settled = self.settle_value(Valued::GoalStatus, &key, &status, &updated_at)?;
        if let Settled::Add | Settled::Replace = settled {
            self.merge
                .put_goal_status(&row.goal_id, &row.round_id, status, &updated_at)?;
        }
        self.summary.goal_statuses.count(settled);
        Ok(())
    }

    fn round_stage(&mut self, row: RoundStageRow) -> Step<M::Error> {
        const S: &str = "round_stages";
        let key = row.round_id.clone();
        let stage =
            Stage::from_code(&row.stage).ok_or_else(|| bad_code(S, &key, "stage", &row.stage))?;
        let updated_at = self.weighed_time(S, &key, "updated_at", &row.updated_at)?;
        if self.erased(None, &[&row.round_id]) {
            return Ok(());
        }
        self.require(S, &key, "round_id", Table::Round, &row.round_id)?;
        let settled = self.settle_value(Valued::RoundStage, &key, &stage, &updated_at)?;
        if let Settled::Add | Settled::Replace = settled {
            self.merge
                .put_round_stage(&row.round_id, stage, &updated_at)?;
        }
        self.summary.round_stages.count(settled);
        Ok(())
    }

    fn consensus(&mut self, row: ConsensusRow) -> Step<M::Error> {
        const S: &str = "consensus";
        let key = format!("{}/{}", row.round_id, row.subdomain_key);
        let Some(subdomain) = self.instrument.subdomain(&row.subdomain_key) else {
            return self.known_subdomain(S, &key, &row.subdomain_key);
        };
        let scale = subdomain.scale;
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
        if self.erased(None, &[&row.round_id]) {
            return Ok(());
        }
        self.require(S, &key, "round_id", Table::Round, &row.round_id)?;
        let settled = self.settle_value(Valued::Consensus, &key, &row.value, &updated_at)?;
        if let Settled::Add | Settled::Replace = settled {
            self.merge
                .put_consensus(&row.round_id, &row.subdomain_key, row.value, &updated_at)?;
        }
        self.summary.consensus.count(settled);
        Ok(())
    }

    // ---- competence needs: own areas, needs, expectations, facts ----

    /// An own area is never edited after it is made: one already here stays as it is, as a
    /// round does; its service never changes.
    fn own_area(&mut self, mut row: OwnAreaRow) -> Step<M::Error> {
        const S: &str = "own_areas";
        not_empty(S, &row.id, "id", &row.id)?;
        checked_text(S, &row.id, "id", &row.id, TextKind::Name)?;
        not_empty(S, &row.id, "name", &row.name)?;
        checked_text(S, &row.id, "name", &row.name, TextKind::Name)?;
        row.created_at = instant(S, &row.id, "created_at", &row.created_at)?;
        if self.erased(Some(&row.id), &[&row.service_id]) {
            return Ok(());
        }
        self.require(S, &row.id, "service_id", Table::Service, &row.service_id)?;
        match self.merge.own_area_service(&row.id)? {
            None => {
                self.merge.add_own_area(&row)?;
                self.summary.own_areas.added += 1;
            }
            Some(service_id) if service_id != row.service_id => {
                return Err(identity(S, &row.id, "service_id", service_id, row.service_id).into());
            }
            Some(_) => self.summary.own_areas.skipped += 1,
        }
        Ok(())
    }

    fn need(&mut self, row: NeedRow) -> Step<M::Error> {
        const S: &str = "needs";
        let key = format!("{}/{}", row.round_id, row.area_key);
        let theirs = checked_need(S, &key, &row)?;
        let updated_at = self.weighed_time(S, &key, "updated_at", &row.updated_at)?;
        if self.erased(None, &[&row.round_id, &row.area_key]) {
            return Ok(());
        }
        let Some(service) = self.merge.round_service(&row.round_id)? else {
            return Err(missing_parent(S, &key, "round_id", &row.round_id).into());
        };
        let shipped = CompetenceAreas::standard()
            .areas
            .iter()
            .any(|a| a.key == row.area_key);
        if !shipped && self.merge.own_area_service(&row.area_key)? != Some(service) {
            return Err(Problem::UnknownArea {
                id: key,
                area: row.area_key,
            }
            .into());
        }
        let ours = self
            .merge
            .need(&row.round_id, &row.area_key)?
            .map(|(need, at)| (snapshot_of(&need), at));
        let settled = self.settle("need", &key, ours, &snapshot_of(&theirs), &updated_at)?;
        if let Settled::Add | Settled::Replace = settled {
            self.merge.put_need(&row.round_id, &theirs, &updated_at)?;
            if theirs.top_three {
                self.top_three.push((row.round_id, key, self.place));
            }
        }
        self.summary.needs.count(settled);
        Ok(())
    }

    /// Once every need is in, no round may have more than `TOP_THREE` top priorities: the
    /// file is refused at the last of a round's rows that marked one anew (written by it).
    fn needs_end(&mut self) -> Step<M::Error> {
        let marked = std::mem::take(&mut self.top_three);
        for (index, (round, key, (line, column))) in marked.iter().enumerate() {
            let later = marked[index + 1..].iter().any(|(r, _, _)| r == round);
            if later || self.merge.top_three_count(round)? <= TOP_THREE {
                continue;
            }
            return Err(Stop::At(Box::new(Refusal {
                line: *line,
                column: *column,
                problem: Problem::TopThreeFull {
                    id: key.clone(),
                    round: round.clone(),
                },
            })));
        }
        Ok(())
    }

    fn expectations(&mut self, row: ExpectationsRow) -> Step<M::Error> {
        let theirs = checked_expectations("expectations", &row)?;
        let value = NoteValue::Expectations(theirs);
        self.round_note("expectations", row.round_id, &row.updated_at, value)
    }

    fn facts(&mut self, row: FactsRow) -> Step<M::Error> {
        let theirs = checked_facts(&row)?;
        self.round_note(
            "facts",
            row.round_id,
            &row.updated_at,
            NoteValue::Facts(theirs),
        )
    }

    /// A round's expectations or facts, merged whole under the round's id as a stage is.
    fn round_note(
        &mut self,
        section: &'static str,
        key: String,
        updated_at: &str,
        theirs: NoteValue,
    ) -> Step<M::Error> {
        let cleared = Cleared::Note(theirs.note());
        let updated_at = self.weighed_time(section, &key, "updated_at", updated_at)?;
        if self.erased(None, &[&key]) {
            return Ok(());
        }
        self.require(section, &key, "round_id", Table::Round, &key)?;
        let ours = self.cleared_current(cleared, &key)?;
        let snapshot = match &theirs {
            NoteValue::Expectations(e) => snapshot_of(e),
            NoteValue::Facts(f) => snapshot_of(f),
        };
        let settled = self.settle(cleared.entity(), &key, ours, &snapshot, &updated_at)?;
        if let Settled::Add | Settled::Replace = settled {
            match &theirs {
                NoteValue::Expectations(e) => self.merge.put_expectations(&key, e, &updated_at)?,
                NoteValue::Facts(f) => self.merge.put_facts(&key, f, &updated_at)?,
            }
        }
        self.cleared_tally(cleared).count(settled);
        Ok(())
    }

    /// A position is recognised by its id and merged whole, the newer winning (on a tie the
    /// content decides), the older into the change log, as a need is; a removal here newer
    /// than the file's version keeps it out. Its round never changes.
    fn position(&mut self, row: PositionRow) -> Step<M::Error> {
        const S: &str = "positions";
        let theirs = checked_position(&row)?;
        let created_at = instant(S, &row.id, "created_at", &row.created_at)?;
        let updated_at = self.weighed_time(S, &row.id, "updated_at", &row.updated_at)?;
        if self.erased(Some(&row.id), &[&row.round_id]) {
            return Ok(());
        }
        self.require(S, &row.id, "round_id", Table::Round, &row.round_id)?;
        let ours = match self.merge.position(&row.id)? {
            Some((ours, _)) if ours.round_id != theirs.round_id => {
                return Err(identity(S, &row.id, "round_id", ours.round_id, row.round_id).into());
            }
            ours => ours.map(|(p, at)| (snapshot_of(&p.facts), at)),
        };
        let key = theirs.log_key();
        let snapshot = snapshot_of(&theirs.facts);
        let settled = self.settle(POSITION, &key, ours, &snapshot, &updated_at)?;
        if let Settled::Add | Settled::Replace = settled {
            self.merge.put_position(&theirs, &created_at, &updated_at)?;
        }
        self.summary.positions.count(settled);
        Ok(())
    }

    fn change(&mut self, row: ChangeRow) -> Step<M::Error> {
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
        let (first, second) = key.split_once('/').unwrap_or((key, ""));
        if self.erased(None, &[key, first, second]) {
            return Ok(());
        }
        if !self.change_parent(&row.entity, key)? {
            return Err(missing_parent(S, key, "entity_key", key).into());
        }
        let added = self.merge.log_change(
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
        if let (Some(cleared), None) = (Cleared::of_entity(&row.entity), &new) {
            self.removals.push(Removal {
                cleared,
                key: key.clone(),
                old,
                at: changed_at,
                new_here: added,
            });
        }
        Ok(())
    }

    /// Whether the row a change log entry is about is here (or came earlier in the file).
    fn change_parent(&mut self, entity: &str, key: &str) -> Found<bool, M::Error> {
        let (first, second) = key.split_once('/').unwrap_or((key, ""));
        match entity {
            "plan_item" => self.merge.exists(Table::PlanItem, key),
            "goal" => self.merge.exists(Table::Goal, key),
            "goal_status" => Ok(self.merge.exists(Table::Goal, first)?
                && self.merge.exists(Table::Round, second)?),
            "round_stage" => self.merge.exists(Table::Round, key),
            "consensus" | "need" => {
                Ok(!second.is_empty() && self.merge.exists(Table::Round, first)?)
            }
            "own_area" => Ok(self.merge.own_area_service(second)?.as_deref() == Some(first)),
            "expectations" | "service_facts" => self.merge.exists(Table::Round, key),
            // A removed position is no longer here: its round is.
            POSITION => Ok(!second.is_empty() && self.merge.exists(Table::Round, first)?),
            _ => Ok(false),
        }
    }

    /// A value removed on the other machine (a status, stage or consensus value cleared)
    /// arrives as a change log entry with no new side. Once the whole log is merged, each
    /// removal is weighed against the value here by the merge rule, from the other side: a
    /// removal newer than the value here removes it, and the value goes into the log; an
    /// older one leaves it, and the change back to it is logged.
    fn apply_removals(&mut self) -> Step<M::Error> {
        for removal in std::mem::take(&mut self.removals) {
            let Some((ours, our_time)) = self.cleared_current(removal.cleared, &removal.key)?
            else {
                continue;
            };
            let entity = removal.cleared.entity();
            let verdict = merge::weigh(&our_time, &Some(ours.as_str()), &removal.at, &None);
            if verdict == Verdict::Theirs {
                match removal.cleared {
                    Cleared::Value(valued) => self.merge.remove(valued, &removal.key)?,
                    Cleared::Note(note) => self.merge.clear_note(note, &removal.key)?,
                    Cleared::Position => self.merge.remove_position(position_id(&removal.key))?,
                }
                if removal.old.as_deref() != Some(ours.as_str()) {
                    self.merge
                        .log_change(entity, &removal.key, Some(&ours), None, &removal.at)?;
                }
                self.cleared_tally(removal.cleared).updated += 1;
            } else if removal.new_here {
                self.merge
                    .log_change(entity, &removal.key, None, Some(&ours), &our_time)?;
            }
        }
        Ok(())
    }

    fn cleared_tally(&mut self, cleared: Cleared) -> &mut Tally {
        match cleared {
            Cleared::Value(Valued::GoalStatus) => &mut self.summary.goal_statuses,
            Cleared::Value(Valued::RoundStage) => &mut self.summary.round_stages,
            Cleared::Value(Valued::Consensus) => &mut self.summary.consensus,
            Cleared::Note(Note::Expectations) => &mut self.summary.expectations,
            Cleared::Note(Note::Facts) => &mut self.summary.facts,
            Cleared::Position => &mut self.summary.positions,
        }
    }

    /// What a removal would clear here, as its snapshot, and when it was set.
    fn cleared_current(
        &mut self,
        cleared: Cleared,
        key: &str,
    ) -> Found<Option<(String, String)>, M::Error> {
        Ok(match cleared {
            Cleared::Value(valued) => self.merge.current(valued, key)?,
            Cleared::Note(Note::Expectations) => self
                .merge
                .expectations(key)?
                .map(|(e, at)| (snapshot_of(&e), at)),
            Cleared::Note(Note::Facts) => {
                self.merge.facts(key)?.map(|(f, at)| (snapshot_of(&f), at))
            }
            Cleared::Position => self
                .merge
                .position(position_id(key))?
                .filter(|(p, _)| p.log_key() == key)
                .map(|(p, at)| (snapshot_of(&p.facts), at)),
        })
    }

    /// `settle` for a value under a change log key, against the value here.
    fn settle_value(
        &mut self,
        valued: Valued,
        key: &str,
        theirs: &impl serde::Serialize,
        their_time: &str,
    ) -> Found<Settled, M::Error> {
        let ours = self.merge.current(valued, key)?;
        self.settle(valued.entity(), key, ours, &snapshot_of(theirs), their_time)
    }

    /// The merge rule for a row of the plan tables, as for answers: `ours` is the row here
    /// (its snapshot and `updated_at`), if any. The older goes into the change log as the
    /// old side of the change to the newer, unless the log here already had the file's
    /// version at its time (then the file is only out of date). A value removed here is a
    /// version of its own, dated when it was removed. The caller writes the row.
    fn settle(
        &mut self,
        entity: &'static str,
        key: &str,
        ours: Option<(String, String)>,
        theirs: &str,
        their_time: &str,
    ) -> Found<Settled, M::Error> {
        let ours = match ours {
            Some((snapshot, time)) => Some((time, Some(snapshot))),
            None => self.merge.removed_at(entity, key)?.map(|time| (time, None)),
        };
        let Some((our_time, ours)) = ours else {
            return Ok(Settled::Add);
        };
        match merge::weigh(&our_time, &ours.as_deref(), their_time, &Some(theirs)) {
            Verdict::Same => Ok(Settled::Same),
            Verdict::Theirs => {
                self.merge
                    .log_change(entity, key, ours.as_deref(), Some(theirs), their_time)?;
                Ok(if ours.is_some() {
                    Settled::Replace
                } else {
                    Settled::Add
                })
            }
            Verdict::Ours => {
                if !self.merge.logged(entity, key, theirs, their_time)? {
                    self.merge
                        .log_change(entity, key, Some(theirs), ours.as_deref(), &our_time)?;
                }
                Ok(Settled::OursNewer)
            }
        }
    }
}
