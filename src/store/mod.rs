//! The store: what the faces need of a database, as traits, with driver-free errors and
//! plain summary types. `sqlite` is the one implementation today; a second backend
//! implements the same traits and runs the same contract suite (`tests/store_contract.rs`).
//!
//! Every write is one transaction: an answer is saved the moment it is given, whole or not
//! at all.

mod any;
mod columns;
mod doomed;
mod exchange_rows;
mod kept_count;
pub mod location;
pub mod lookup;
pub mod postgres;
pub mod sqlite;
pub mod temp;

pub use crate::exchange::timestamp;
use crate::exchange::{CsvExport, Disclosure, ImportClock, ImportSummary, PlanCounts, Scope};
pub use any::{Store, server_address};
pub use sqlite::{FileStore, SCHEMA_VERSION};
pub use sqlite::{backup, bulk, health, private, recovery};

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::cluster::{Attendance, AttendanceField, Cluster, ClusterField};
use crate::domain::cluster::{ClusterProblem, Gathering, GatheringKind};
use crate::domain::compare::Options;
use crate::domain::instrument::Instrument;
use crate::domain::invite::{self, Scheme};
use crate::domain::model::{Answer, Respondent, Response, Role, Round, RoundKind, Service};
use crate::domain::needs::{Area, CompetenceAreas, Expectations, FactField, FactProblem, Facts};
use crate::domain::needs::{Need, NeedField, OwnArea};
use crate::domain::plan::{Goal, GoalStatus, PlanItem, Stage};
use crate::domain::requirement::{Position, PositionFacts};
use crate::domain::scoring::{AnswerSet, SectionScore};
pub use lookup::LookupError;

/// How long a write waits while another process writes: SQLite's busy timeout for each
/// try, and how long to go on trying before giving up with `StoreError::Busy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusyWait {
    pub per_try: Duration,
    pub patience: Duration,
}

impl BusyWait {
    /// Commands wait where they are, for up to a minute: an import of a large file or a
    /// demo on another kartlegg may hold the database that long.
    pub const COMMAND: BusyWait = BusyWait {
        per_try: Duration::from_secs(5),
        patience: Duration::from_secs(60),
    };
    /// The full-screen program gives up after one short try and tries again on its next
    /// tick, so that it can say in the status line why it waits (`Store::take_held`).
    pub const SCREEN: BusyWait = BusyWait {
        per_try: Duration::from_secs(1),
        patience: Duration::ZERO,
    };
    /// One try that does not wait at all: the full-screen program, stopped from outside
    /// with a comment open, tries this first, so that it can say that it waits.
    pub const AT_ONCE: BusyWait = BusyWait {
        per_try: Duration::ZERO,
        patience: Duration::ZERO,
    };
    /// Then it waits this long for another kartlegg's write to end: long enough for a write,
    /// short enough for a machine that is shutting down, which kills what is still running
    /// some seconds after it asked.
    pub const STOPPING: BusyWait = BusyWait {
        per_try: Duration::from_millis(250),
        patience: Duration::from_secs(5),
    };
}

/// What opening does when there is no database at the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMissing {
    /// Creates it, and its folder.
    Create,
    /// Refuses with `StoreError::Missing` and creates nothing: a mistyped path must not
    /// leave an empty database behind that looks like a real one.
    Refuse,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: no database there")]
    Missing { path: PathBuf },
    #[error("{path}: not an SQLite database")]
    NotADatabase { path: PathBuf },
    #[error("{path}: an SQLite database, but not kartlegg's")]
    ForeignDatabase { path: PathBuf },
    #[error("{path}: schema version {found} is newer than this kartlegg knows ({known})")]
    NewerSchema {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("{path}: damaged ({detail})")]
    Corrupt { path: PathBuf, detail: String },
    #[error("{path}: read-only")]
    ReadOnly { path: PathBuf },
    /// A write to a database opened for reading only (`Sharing::reading_only`).
    #[error("{path}: opened for reading only")]
    ReadingOnly { path: PathBuf },
    /// A database in WAL mode that may only be read, whose log or its index is not there.
    #[error("{path}: may only be read, and its -wal or -shm is not there")]
    LogMissing { path: PathBuf },
    /// A database of an older schema that may only be read: it cannot be upgraded.
    #[error("{path}: may only be read, and its schema version {found} is older")]
    NeedsUpgrade { path: PathBuf, found: u32 },
    /// New codes for a round whose answering alone is closed: they would open it again, and
    /// its figures would move with each one who answers.
    #[error("answering alone is closed for the round")]
    AnsweringClosed,
    /// A fourth area marked among a round's top three (`needs::TOP_THREE`).
    #[error("the round has three top priorities already")]
    TopThreeFull,
    /// A mastery or importance outside 1–5.
    #[error("a need's value is outside 1–5")]
    NeedOutOfRange,
    /// A service fact outside its range (`needs::check_fact`).
    #[error("the fact {0:?} is out of range ({1:?})")]
    FactOutOfRange(FactField, FactProblem),
    /// A cluster's record, a gathering or an attendance that its check refused
    /// (`domain::cluster`).
    #[error("the {0:?} is refused ({1:?})")]
    ClusterRefused(ClusterField, ClusterProblem),
    /// A cluster renamed to the name of another.
    #[error("another cluster is named {0:?}")]
    ClusterNameTaken(String),
    /// A round tied to, or an attendance of, a service at a gathering of a cluster the
    /// service is not in.
    #[error("the service {service:?} is not in the cluster {cluster:?}")]
    OutsideCluster { service: String, cluster: String },
    /// Sharing with a group that this user is not one of.
    #[error("not in the group {group}")]
    NotInGroup { group: String },
    /// Sharing a database whose folder holds more than it, and is not the group's yet.
    #[error("{folder}: not kartlegg's folder, and not the group {group}'s ({mode:o})")]
    FolderNotShared {
        folder: PathBuf,
        group: String,
        mode: u32,
    },
    #[error("{path}: the disk is full")]
    DiskFull { path: PathBuf },
    #[error("{path}: says schema version {version}, but its tables do not fit it ({detail})")]
    SchemaMismatch {
        path: PathBuf,
        version: u32,
        detail: String,
    },
    #[error("{path}: not private ({why:?})")]
    NotPrivate { path: PathBuf, why: NotPrivate },
    #[error("{path}: another process kept the database busy")]
    Busy { path: PathBuf },
    /// A write waits for the check of a large database to end (`health`).
    #[error("{path}: still being checked before its first write")]
    Checking { path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Database(DriverError),
    #[error("no such {0}")]
    NotFound(&'static str),
    /// What only a database file has (a backup copy, sharing with a Unix group), asked of
    /// a server's: the server's own tools and roles do that there.
    #[error("{0} is for a database file, not a server's")]
    OnServer(&'static str),
    /// On a server: what the role's duties do not reach (row-level security, a table right
    /// not granted). The server's own words.
    #[error("not permitted: {0}")]
    NotPermitted(String),
    /// A server role's name that is not a plain lower-case identifier.
    #[error("{0:?} is not a role name kartlegg makes")]
    BadRoleName(String),
    /// A login role made with a name the server has already.
    #[error("the server has a role named {0:?} already")]
    RoleTaken(String),
    #[error("{0}")]
    ImportRefused(Box<crate::exchange::Refusal>),
}

/// A failure the database driver reported: what kind it is, and the driver's own words.
#[derive(Debug, thiserror::Error)]
#[error("{detail}")]
pub struct DriverError {
    pub kind: DriverKind,
    pub detail: String,
}

/// The kinds of driver failure kartlegg acts on; each backend maps its own codes to these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverKind {
    /// Another process holds the database.
    Busy,
    /// No room left for a write.
    DiskFull,
    /// The operating system failed a read or write.
    IoFailure,
    /// The file is damaged or not a database.
    Corrupt,
    /// The file cannot be opened or written: read-only, no permission.
    Unreachable,
    /// A statement the tables refused: a constraint, or SQL that does not fit them.
    Refused,
    Other,
}

impl From<crate::exchange::WriteFailed> for StoreError {
    fn from(failed: crate::exchange::WriteFailed) -> StoreError {
        StoreError::Io {
            path: failed.path,
            source: failed.source,
        }
    }
}

/// Why a file at the database's path is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotPrivate {
    /// A symbolic link that another user made.
    Link { uid: u32 },
    /// A file that another user owns.
    Owner { uid: u32 },
    /// A file that its group or everyone may write to.
    Writable { mode: u32 },
    /// An empty file that is not private (0600): not taken as a new database.
    Empty { mode: u32 },
}

/// What kind of failure an error is, so that a face can act on it (the command line's exit
/// code) without knowing the database driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The file is not a kartlegg database it can use: not SQLite, another program's,
    /// damaged, or with tables that do not fit its version.
    Unusable,
    /// From a newer kartlegg.
    Newer,
    /// A file another user prepared, or that others may write to.
    NotPrivate,
    /// The file or its folder cannot be read or written: missing, read-only, a full disk.
    Unreachable,
    /// Anything else: a refused import, something not found, a busy database.
    Other,
}

impl StoreError {
    pub fn fault(&self) -> Fault {
        match self {
            StoreError::NotADatabase { .. }
            | StoreError::ForeignDatabase { .. }
            | StoreError::Corrupt { .. }
            | StoreError::SchemaMismatch { .. } => Fault::Unusable,
            StoreError::NewerSchema { .. } => Fault::Newer,
            StoreError::NotPrivate { .. } => Fault::NotPrivate,
            StoreError::Missing { .. }
            | StoreError::Io { .. }
            | StoreError::ReadOnly { .. }
            | StoreError::ReadingOnly { .. }
            | StoreError::LogMissing { .. }
            | StoreError::NeedsUpgrade { .. }
            | StoreError::DiskFull { .. } => Fault::Unreachable,
            StoreError::Database(e) => match e.kind {
                DriverKind::Corrupt => Fault::Unusable,
                DriverKind::DiskFull | DriverKind::IoFailure | DriverKind::Unreachable => {
                    Fault::Unreachable
                }
                DriverKind::Busy | DriverKind::Refused | DriverKind::Other => Fault::Other,
            },
            _ => Fault::Other,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSummary {
    pub service: Service,
    pub rounds: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundSummary {
    pub round: Round,
    pub respondents: usize,
    /// Where the service was in its implementation at this round, if recorded.
    pub stage: Option<crate::domain::plan::Stage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RespondentSummary {
    pub respondent: Respondent,
    /// The items put to them that they answered (an answer to an item not put to them is
    /// kept, and not counted).
    pub answered: usize,
    pub last_change: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub old: Option<Answer>,
    pub new: Answer,
    pub changed_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub services: usize,
    pub rounds: usize,
    pub respondents: usize,
    pub answers: usize,
    pub history: usize,
}

/// Why a write of the full-screen program was held, to be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// Another process writes.
    Busy,
    /// The database is still being checked before its first write.
    Checking,
    /// The server did not answer: the connection is made again at the next try.
    Unreachable,
}

/// One entry of the change log: the row before (None: created) and after (None: removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub old_json: Option<String>,
    pub new_json: Option<String>,
    pub changed_at: String,
}

/// The scores of one round from its kept tallies.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundScores {
    /// The respondents counted in the scores.
    pub respondents: usize,
    /// Process leaders (consultants) kept out of the scores.
    pub apart: usize,
    pub sections: Vec<SectionScore>,
}

/// A copy that was written and checked: how many answers it holds, or why it is no backup
/// (the copy is then gone).
pub type Verdict = std::result::Result<usize, CopyFault>;

#[derive(Debug)]
pub enum CopyFault {
    /// What SQLite's integrity check found.
    Problems(String),
    /// The copy did not open as a kartlegg database.
    Refused(StoreError),
}

/// What the faces need of a database: every backend implements all twelve (and runs
/// `tests/store_contract.rs`).
pub trait Backend:
    Answers
    + ChangeLog
    + Plans
    + Scores
    + Admin
    + Exchange
    + Sharing
    + Invites
    + Erase
    + Needs
    + Positions
    + Clusters
{
}

impl<
    S: Answers
        + ChangeLog
        + Plans
        + Scores
        + Admin
        + Exchange
        + Sharing
        + Invites
        + Erase
        + Needs
        + Positions
        + Clusters,
> Backend for S
{
}

/// A Unix group, by its id and the name the user gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnixGroup {
    pub gid: u32,
    pub name: String,
}

/// What the group may do with a database shared with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupAccess {
    /// Read and write: the team maps together (files 0660, folder 2770).
    ReadWrite,
    /// Read: only the owner writes (files 0640, folder 2750).
    Read,
}

/// A file or folder `share_with` gave the group, with its mode now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedFile {
    pub path: PathBuf,
    pub mode: u32,
}

/// A database shared on purpose, and one opened for reading only.
pub trait Sharing {
    /// Whether the database was opened for reading only: every write is refused
    /// (`StoreError::ReadingOnly`).
    fn reading_only(&self) -> bool;

    /// Gives the database, its log and its index (and its folder, setgid, where it holds
    /// nothing else) to `group`, with `access`, and nothing to others; refused, with nothing
    /// changed, for a group this user is not one of, or a folder that holds more than the
    /// database and is not the group's already.
    fn share_with(&mut self, group: &UnixGroup, access: GroupAccess) -> Result<Vec<SharedFile>>;
}

/// One-time codes with which a respondent answers alone (`crate::domain::invite`). Only a
/// code's hash is ever handed to the store, and only the hash is kept.
pub trait Invites {
    /// This database's key for the hashes of its codes (`invite::hash`): 32 bytes from the
    /// OS's random source, made and kept on first use, the same ever after.
    fn invite_key(&mut self) -> Result<[u8; invite::KEY_LEN]>;

    /// Adds one invite per hash (each `invite::hash` under `invite_key`) to a round, for a
    /// respondent of `role`: all of them, or (a hash already there, say) none.
    fn add_invites(
        &mut self,
        round_id: &str,
        role: Role,
        hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Withdraws the invite with the first of these hashes (one code's, by scheme:
    /// `invite::hashes`) that one has; false when there is no such invite, or it was
    /// withdrawn already. Its respondent's answers stay; when it was the round's last open
    /// code, answering alone is closed and the round's kept scores are summed again.
    fn withdraw_invite(&mut self, hashes: &[(Scheme, String)], now: DateTime<Utc>) -> Result<bool>;

    /// Closes answering alone for a round: withdraws every code of it still open, in one
    /// transaction that sums the round's kept scores again, so that the answers by code
    /// count from now on (`domain::compare::hold_back_codes`). How many it withdrew.
    fn close_invites(&mut self, round_id: &str, now: DateTime<Utc>) -> Result<usize>;

    /// Whether answering alone is closed for a round: it has codes, and none is still open.
    fn answering_closed(&self, round_id: &str) -> Result<bool>;

    /// The respondent of the invite with the first of these hashes that one has, made on
    /// its first use with the invite's role under a label drawn at random (`invite::label`,
    /// none other of its round's), in one transaction; `None` when no invite that is not
    /// withdrawn has one of these hashes.
    fn claim_invite(
        &mut self,
        hashes: &[(Scheme, String)],
        now: DateTime<Utc>,
    ) -> Result<Option<Respondent>>;

    /// The ids of a round's respondents who answer by code: others see them only in
    /// aggregate.
    fn code_respondents(&self, round_id: &str) -> Result<HashSet<String>>;
}

/// A thing that can be erased, by its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Erasable {
    /// With its rounds, plan and goals.
    Service(String),
    /// With its respondents, answers, consensus, stage and goal statuses.
    Round(String),
    /// With their answers.
    Respondent(String),
    PlanItem(String),
    /// With its statuses.
    Goal(String),
    /// With its attendance; the rounds tied to it are let go, and stay.
    Gathering(String),
}

impl Erasable {
    /// The kind as the tombstone names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Erasable::Service(_) => "service",
            Erasable::Round(_) => "round",
            Erasable::Respondent(_) => "respondent",
            Erasable::PlanItem(_) => "plan_item",
            Erasable::Goal(_) => "goal",
            Erasable::Gathering(_) => "gathering",
        }
    }
}

/// The face that erased something, as its tombstone says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErasedBy {
    /// The full-screen program.
    Screen,
    /// `kartlegg erase` naming what goes.
    Command,
    /// `kartlegg erase --older-than`.
    Retention,
}

impl ErasedBy {
    pub fn code(self) -> &'static str {
        match self {
            ErasedBy::Screen => "screen",
            ErasedBy::Command => "command",
            ErasedBy::Retention => "retention",
        }
    }
}

/// What an erasure removes, or would: each thing once, however it was named. The history
/// of the answers and the change log of the plans go with them, and are not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Erasure {
    pub services: usize,
    pub rounds: usize,
    pub respondents: usize,
    /// The answers given (a score, "vet ikke" or "ikke relevant"), as the respondents list
    /// counts them; a comment without one goes too, uncounted.
    pub answers: usize,
    pub plan_items: usize,
    pub goals: usize,
    pub gatherings: usize,
    /// The attendances recorded (a service at a gathering), with their services or their
    /// gatherings.
    pub attendances: usize,
}

/// What is left of an erased thing: what kind it was, its id, when and by which face.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    pub kind: String,
    pub id: String,
    pub erased_at: String,
    pub erased_by: String,
}

/// A round found for retention, with what the listing says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgedRound {
    pub round: Round,
    pub service_name: String,
    /// The day of its last answer (UTC), or the day it was held when it has none.
    pub last_answer: NaiveDate,
    pub respondents: usize,
}

/// Erasure: a thing and everything that refers to it go, its history too, in one
/// transaction; a tombstone stays.
pub trait Erase {
    /// What erasing `targets` would remove; changes nothing. `NotFound` names a target
    /// that is not there.
    fn erasure(&self, targets: &[Erasable]) -> Result<Erasure>;

    /// Erases `targets`, all or nothing: the things, what they hold, their answers'
    /// history, their change log, their kept scores (a round that loses a respondent is
    /// summed again), leaving a tombstone for each thing with an id.
    fn erase(&mut self, targets: &[Erasable], by: ErasedBy, now: DateTime<Utc>) -> Result<Erasure>;

    /// The rounds whose last answer (or, without answers, whose day) is before `date`, by
    /// service and day: what retention erases.
    fn rounds_last_answered_before(&self, date: NaiveDate) -> Result<Vec<AgedRound>>;

    /// Retention: finds the rounds of `rounds_last_answered_before` and erases them in one
    /// transaction, so that a round answered meanwhile stays.
    fn erase_rounds_last_answered_before(
        &mut self,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(Vec<AgedRound>, Erasure)>;

    /// Every tombstone, oldest first.
    fn tombstones(&self) -> Result<Vec<Tombstone>>;
}

/// Files between machines (`crate::exchange` holds the format and the merge rules).
pub trait Exchange {
    /// Writes everything in `scope` as one JSON export, streaming, from one read
    /// transaction so that the arrays agree even while someone else writes; its
    /// respondents as `disclosure` says (`crate::exchange::disclose`).
    fn export_json(
        &self,
        scope: Scope<'_>,
        instrument: &Instrument,
        now: DateTime<Utc>,
        disclosure: Disclosure,
        out: &mut dyn Write,
        out_name: &Path,
    ) -> Result<Exported>;

    /// Writes the answers in `scope` as CSV in the layout, dialect and disclosure of
    /// `csv`; returns the rows.
    fn export_csv(
        &self,
        scope: Scope<'_>,
        instrument: &Instrument,
        csv: CsvExport,
        out: &mut dyn Write,
        out_name: &Path,
    ) -> Result<usize>;

    /// Merges a JSON export into this database, all or nothing, by the rules of
    /// `crate::exchange::import` (`docs/exchange.md`). A file that cannot be merged is
    /// refused with `StoreError::ImportRefused`, which says why and where, and nothing is
    /// written. `clock` is this machine's: times past it are refused (see `ImportClock`).
    fn import_json(
        &mut self,
        input: impl Read + Send,
        instrument: &Instrument,
        clock: ImportClock,
    ) -> Result<ImportSummary>;
}

pub trait Answers {
    /// Every service with how many rounds it has, by cluster and name.
    fn services(&self) -> Result<Vec<ServiceSummary>>;

    /// Every service, in the order of `services`, without counting their rounds.
    fn service_list(&self) -> Result<Vec<Service>>;

    /// The ids of the services whose name `matches`.
    fn service_ids_named(&self, matches: impl Fn(&str) -> bool) -> Result<Vec<String>>;

    /// The service with this id, or `NotFound`.
    fn service(&self, id: &str) -> Result<Service>;

    /// Adds a service; its name and municipalities are checked first.
    fn create_service(
        &mut self,
        name: &str,
        municipalities: &[String],
        cluster: &str,
        now: DateTime<Utc>,
    ) -> Result<Service>;

    /// Saves a changed name, municipalities or cluster.
    fn update_service(&mut self, service: &Service, now: DateTime<Utc>) -> Result<()>;

    /// The rounds of a service with their respondents and stage, by the day held.
    fn rounds(&self, service_id: &str) -> Result<Vec<RoundSummary>>;

    /// The round with this id, or `NotFound`.
    fn round(&self, id: &str) -> Result<Round>;

    /// Adds a round of a service, answered with `instrument`.
    fn create_round(
        &mut self,
        service_id: &str,
        label: &str,
        held_on: NaiveDate,
        kind: RoundKind,
        instrument: &Instrument,
        now: DateTime<Utc>,
    ) -> Result<Round>;

    /// The respondents of a round, with how much each has answered and when last, in the
    /// order they were added.
    fn respondents(&self, round_id: &str) -> Result<Vec<RespondentSummary>>;

    /// Adds a respondent to a round under a code (never a name).
    fn create_respondent(
        &mut self,
        round_id: &str,
        role: Role,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Respondent>;

    /// One respondent's answers, by item key.
    fn answers(&self, respondent_id: &str) -> Result<AnswerSet>;

    /// Every respondent of a round with their answers, in the order they were added: one
    /// query, the respondents with their answers beside them.
    fn round_answers(&self, round_id: &str) -> Result<Vec<(Respondent, AnswerSet)>>;

    /// Records a response (or clears it with `None`), keeping the comment.
    fn save_response(
        &mut self,
        respondent_id: &str,
        item_key: &str,
        response: Option<Response>,
        now: DateTime<Utc>,
    ) -> Result<Answer>;

    /// Records a comment, keeping the response.
    fn save_comment(
        &mut self,
        respondent_id: &str,
        item_key: &str,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<Answer>;

    /// The changes to one answer, oldest first.
    fn history(&self, respondent_id: &str, item_key: &str) -> Result<Vec<HistoryEntry>>;

    /// One respondent, if the database has it.
    fn respondent(&self, id: &str) -> Result<Option<Respondent>>;

    /// The service with this id, or else the one service with this name (ignoring case).
    fn find_service(&self, name_or_id: &str) -> Result<Service, LookupError> {
        lookup::find_service(self, name_or_id)
    }

    /// The round of `service` with this id, or else the one round with this label (ignoring
    /// case). A round of another service is never found.
    fn find_round(&self, service: &Service, label_or_id: &str) -> Result<Round, LookupError> {
        lookup::find_round(self, service, label_or_id)
    }

    /// The respondent of `round` with this id, or else the one with this code (ignoring
    /// case). A respondent of another round is never found.
    fn find_respondent(&self, round: &Round, code_or_id: &str) -> Result<Respondent, LookupError> {
        lookup::find_respondent(self, round, code_or_id)
    }
}

/// The change log that every write of plans, needs, positions and clusters appends to (see
/// each trait for its entities and keys): its own trait, since all of them read it.
pub trait ChangeLog {
    /// The logged changes to one entity, oldest first.
    fn changes(&self, entity: &str, entity_key: &str) -> Result<Vec<Change>>;
}

pub trait Plans {
    /// Every plan item of a service, by subdomain, kind and the order they were added.
    fn plan_items(&self, service_id: &str) -> Result<Vec<PlanItem>>;

    /// Adds a barrier, strategy or measure; `item.id` is ignored and a new one given.
    fn add_plan_item(&mut self, item: &PlanItem, now: DateTime<Utc>) -> Result<PlanItem>;

    /// Saves a changed plan item (text, level, owner, dates, done), keeping the old in the log.
    fn update_plan_item(&mut self, item: &PlanItem, now: DateTime<Utc>) -> Result<()>;

    /// The goals of a service, in the order they were added.
    fn goals(&self, service_id: &str) -> Result<Vec<Goal>>;

    /// Adds a goal tied to the subdomains it is about.
    fn add_goal(
        &mut self,
        service_id: &str,
        text: &str,
        subdomain_keys: &[String],
        now: DateTime<Utc>,
    ) -> Result<Goal>;

    /// Each goal's status per round, for the goals of a service.
    fn goal_statuses(&self, service_id: &str) -> Result<HashMap<(String, String), GoalStatus>>;

    /// Sets, changes or (with `None`) removes a goal's status in a round.
    fn set_goal_status(
        &mut self,
        goal_id: &str,
        round_id: &str,
        status: Option<GoalStatus>,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Where the service was in its implementation at this round, if recorded.
    fn round_stage(&self, round_id: &str) -> Result<Option<Stage>>;

    /// Sets, changes or (with `None`) removes the round's stage, keeping the old in the log.
    fn set_round_stage(
        &mut self,
        round_id: &str,
        stage: Option<Stage>,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// The consensus values of a round, by subdomain key.
    fn consensus(&self, round_id: &str) -> Result<HashMap<String, u8>>;

    /// Sets, changes or (with `None`) removes the group's value for a subdomain.
    fn set_consensus(
        &mut self,
        round_id: &str,
        subdomain_key: &str,
        value: Option<u8>,
        now: DateTime<Utc>,
    ) -> Result<()>;
}

/// Competence needs per round and area, a service's own areas, its expectations of the
/// programme and facts about it. Each write one transaction, with its change in the
/// change log (entities `need`, keyed `round_id/area_key`; `own_area`, keyed
/// `service_id/id`; `expectations` and `service_facts`, keyed by the round).
pub trait Needs {
    /// A service's own areas, in the order they were added.
    fn own_areas(&self, service_id: &str) -> Result<Vec<OwnArea>>;

    /// Every area a service weighs: the shipped list, then its own.
    fn areas(&self, service_id: &str) -> Result<Vec<Area>> {
        Ok(CompetenceAreas::standard().with_own(&self.own_areas(service_id)?))
    }

    /// Adds an area of the service's own under a new UUID; `name` as checked by
    /// `validate_name`.
    fn add_own_area(&mut self, service_id: &str, name: &str, now: DateTime<Utc>)
    -> Result<OwnArea>;

    /// The needs recorded for a round, one per area with anything set, by area key.
    fn needs(&self, round_id: &str) -> Result<Vec<Need>>;

    /// Changes one part of a round's need for an area, and gives the need as it now is.
    /// Refused: a value outside 1–5 (`NeedOutOfRange`), a fourth top priority
    /// (`TopThreeFull`), an area that is neither shipped nor the round's service's own
    /// (`NotFound("area")`); nothing is written then.
    fn set_need(
        &mut self,
        round_id: &str,
        area_key: &str,
        change: &NeedField,
        now: DateTime<Utc>,
    ) -> Result<Need>;

    /// A round's expectations of the programme; empty when none are recorded.
    fn expectations(&self, round_id: &str) -> Result<Expectations>;

    /// Saves a round's expectations whole (empty removes them).
    fn set_expectations(
        &mut self,
        round_id: &str,
        expectations: &Expectations,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Facts about the service in a round; empty when none are recorded.
    fn facts(&self, round_id: &str) -> Result<Facts>;

    /// Saves a round's facts whole (empty removes them); a value out of its range is
    /// refused (`FactOutOfRange`) and nothing written.
    fn set_facts(&mut self, round_id: &str, facts: &Facts, now: DateTime<Utc>) -> Result<()>;
}

/// Positions in a round, for the formal competence requirement of 2031: posts, never people.
/// Each write is one transaction, saved the moment it is given.
pub trait Positions {
    /// The round's positions, in the order they were added.
    fn positions(&self, round_id: &str) -> Result<Vec<Position>>;

    /// Adds a position to a round; `NotFound("round")` where the round is not there.
    fn add_position(
        &mut self,
        round_id: &str,
        facts: &PositionFacts,
        now: DateTime<Utc>,
    ) -> Result<Position>;

    /// Saves a changed position; `NotFound("position")` where it is not there (removed, or
    /// erased with its round by another kartlegg meanwhile).
    fn change_position(
        &mut self,
        id: &str,
        facts: &PositionFacts,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Removes a position, logged at `now` (an import weighs that against an older copy of
    /// it in a file); `NotFound("position")` where it is not there.
    fn remove_position(&mut self, id: &str, now: DateTime<Utc>) -> Result<()>;
}

/// A cluster with its services, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterSummary {
    pub cluster: Cluster,
    pub services: Vec<Service>,
}

/// Clusters as records, their gatherings, who attended them, and the rounds tied to them
/// (`crate::domain::cluster`). A service names its cluster by its name; the backend keeps a
/// record for every name a service carries, whichever write sets it. Each write is one
/// transaction with its change in the change log (entities `cluster` and `gathering`, keyed
/// by their id; `attendance`, keyed `gathering_id/service_id`; `round_gathering`, keyed by
/// the round, its sides the gathering's id). Lists are sorted, for the screens and reports.
pub trait Clusters {
    /// Every cluster by name (ignoring case), each with its services by name.
    fn clusters(&self) -> Result<Vec<ClusterSummary>>;

    /// The cluster with this id, or `NotFound("cluster")`.
    fn cluster(&self, id: &str) -> Result<Cluster>;

    /// The cluster of this name (as a service carries it), if there is one.
    fn cluster_named(&self, name: &str) -> Result<Option<Cluster>>;

    /// Saves a cluster's record, checked by `cluster::check_cluster` (`ClusterRefused`); a
    /// new name goes to its services in the same transaction, and is refused where another
    /// cluster has it (`ClusterNameTaken`). Gives the record as saved.
    fn update_cluster(&mut self, cluster: &Cluster, now: DateTime<Utc>) -> Result<Cluster>;

    /// Adds a gathering to a cluster (`NotFound("cluster")`); topics within a comment's limits.
    fn add_gathering(
        &mut self,
        cluster_id: &str,
        held_on: NaiveDate,
        kind: GatheringKind,
        topics: &str,
        now: DateTime<Utc>,
    ) -> Result<Gathering>;

    /// Saves a gathering's day, kind and topics (its cluster stays); `NotFound("gathering")`.
    fn update_gathering(&mut self, gathering: &Gathering, now: DateTime<Utc>) -> Result<()>;

    /// The gathering with this id, or `NotFound("gathering")`.
    fn gathering(&self, id: &str) -> Result<Gathering>;

    /// A cluster's gatherings by day, then in the order they were added.
    fn gatherings(&self, cluster_id: &str) -> Result<Vec<Gathering>>;

    /// What was recorded of each service at a gathering, by service name; a service with
    /// nothing recorded has no entry.
    fn attendances(&self, gathering_id: &str) -> Result<Vec<Attendance>>;

    /// Changes one part of a service's attendance at a gathering and gives it as it now is
    /// (all unset removes it). Refused: a count past `ATTENDANCE_MAX` or a note past a
    /// comment's limits (`ClusterRefused`), a service not in the gathering's cluster
    /// (`OutsideCluster`); nothing is written then.
    fn set_attendance(
        &mut self,
        gathering_id: &str,
        service_id: &str,
        change: &AttendanceField,
        now: DateTime<Utc>,
    ) -> Result<Attendance>;

    /// Saves a service's attendance at a gathering whole (its ids say which), refused as
    /// `set_attendance` is.
    fn put_attendance(&mut self, attendance: &Attendance, now: DateTime<Utc>) -> Result<()>;

    /// Ties a round to a gathering of its service's cluster (`OutsideCluster` for another),
    /// or with `None` lets it go.
    fn tie_round(
        &mut self,
        round_id: &str,
        gathering_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// The gathering a round is tied to, if any (`NotFound("round")`).
    fn round_gathering(&self, round_id: &str) -> Result<Option<String>>;

    /// The rounds tied to a gathering, by service name, then day held.
    fn tied_rounds(&self, gathering_id: &str) -> Result<Vec<Round>>;

    /// The one gathering of the cluster of this name (ignoring case) on `day`, of `kind`
    /// where two fall on one day; an unknown cluster or day, or two, list the candidates.
    fn find_gathering(
        &self,
        cluster: &str,
        day: NaiveDate,
        kind: Option<GatheringKind>,
    ) -> Result<Gathering, LookupError> {
        lookup::find_gathering(self, cluster, day, kind)
    }

    /// The gathering with this id, or `UnknownGatheringId`.
    fn find_gathering_by_id(&self, id: &str) -> Result<Gathering, LookupError> {
        lookup::find_gathering_by_id(self, id)
    }
}

pub trait Scores {
    /// The scores of many rounds at once, from the kept scores, as `summarize` gives them
    /// over the rounds' answers; in the order of `round_ids`. A round not found has no
    /// respondents. The process leader's (consultant's) tallies are taken out of the sums
    /// unless `options` pools them: the service's own score.
    fn round_scores(
        &self,
        instrument: &Instrument,
        round_ids: &[&str],
        options: Options,
    ) -> Result<Vec<RoundScores>>;

    /// One respondent's scores from the kept scores, as `summarize` gives them over their
    /// answers.
    fn respondent_scores(
        &self,
        instrument: &Instrument,
        respondent_id: &str,
    ) -> Result<Vec<SectionScore>>;
}

pub trait Admin {
    /// Where the database is, as the user named it.
    fn path(&self) -> &Path;

    /// The schema version the database is at.
    fn schema_version(&self) -> Result<u32>;

    /// How many services, rounds, respondents, answers and changes it holds.
    fn counts(&self) -> Result<Counts>;

    /// The backend's own integrity and foreign-key checks; empty when all is well.
    fn integrity_problems(&self) -> Result<Vec<String>>;

    /// Writes a consistent copy of the database to `target`, a new file readable by its
    /// owner alone, and checks it (it opens as a kartlegg database and passes SQLite's
    /// integrity check) before it takes that name. An existing file is never replaced.
    fn backup_to(&self, target: &Path) -> Result<Verdict>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Exported {
    pub counts: Counts,
    pub plans: PlanCounts,
}
