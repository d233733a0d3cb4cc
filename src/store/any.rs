//! The database the faces work on: a file, kartlegg's embedded SQLite (the default and the
//! way to start), or a region's on a PostgreSQL server (`--db postgres://…`). Both implement
//! every trait of the store and pass the same contract; this is the one place that picks.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use super::postgres::PgStore;
use super::recovery::Recovery;
use super::sqlite::FileStore;
use super::*;
use crate::domain::cluster::{Attendance, AttendanceField, Cluster, Gathering, GatheringKind};
use crate::domain::compare::Options;
use crate::domain::instrument::Instrument;
use crate::domain::invite::{self, Scheme};
use crate::domain::model::{Answer, Respondent, Response, Role, Round, RoundKind, Service};
use crate::domain::needs::{Expectations, Facts, Need, NeedField, OwnArea};
use crate::domain::plan::{Goal, GoalStatus, PlanItem, Stage};
use crate::domain::requirement::{Position, PositionFacts};
use crate::domain::scoring::{AnswerSet, SectionScore};
use crate::exchange::{CsvExport, Disclosure, ImportClock, ImportSummary, Scope};

// One per process, moved seldom: the size of the larger variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Store {
    File(FileStore),
    Server(PgStore),
}

/// The same call on whichever database it is.
macro_rules! each {
    ($store:expr, $s:ident => $call:expr) => {
        match $store {
            Store::File($s) => $call,
            Store::Server($s) => $call,
        }
    };
}

impl Store {
    /// Opens (or creates) the database file at `path` (`FileStore::open`).
    pub fn open(path: &Path) -> Result<Store> {
        FileStore::open(path).map(Store::File)
    }

    /// `open`, but only a database file that is there.
    pub fn open_existing(path: &Path) -> Result<Store> {
        FileStore::open_existing(path).map(Store::File)
    }

    /// The database `target` names: a server's for a `postgres://` address, else the file
    /// at that path, opened as `FileStore::open_or_read` opens it (`waiting` is called once if
    /// another process keeps the file busy).
    pub fn open_or_read(target: &Path, if_missing: IfMissing, waiting: &dyn Fn()) -> Result<Store> {
        match server_address(target) {
            Some(url) => PgStore::open(url).map(Store::Server),
            None => FileStore::open_or_read(target, if_missing, waiting).map(Store::File),
        }
    }

    /// `open_or_read`, but a file this user may only read is refused, not read.
    pub fn open_saying_when_waiting(
        target: &Path,
        if_missing: IfMissing,
        waiting: &dyn Fn(),
    ) -> Result<Store> {
        match server_address(target) {
            Some(url) => PgStore::open(url).map(Store::Server),
            None => {
                FileStore::open_saying_when_waiting(target, if_missing, waiting).map(Store::File)
            }
        }
    }

    /// Whether this is a server's database.
    pub fn is_server(&self) -> bool {
        matches!(self, Store::Server(_))
    }

    /// Whether this opening made a new database file.
    pub fn created(&self) -> bool {
        match self {
            Store::File(s) => s.created(),
            Store::Server(_) => false,
        }
    }

    /// The user's own files of the database that this opening made private.
    pub fn made_private(&self) -> &[PathBuf] {
        match self {
            Store::File(s) => s.made_private(),
            Store::Server(_) => &[],
        }
    }

    /// Starts the check of a large database file apart; a server checks its own pages.
    pub fn check_in_background(&self) {
        if let Store::File(s) = self {
            s.check_in_background();
        }
    }

    /// The verdict of the check started by `check_in_background`, once.
    pub fn health_news(&self) -> Option<Result<()>> {
        match self {
            Store::File(s) => s.health_news(),
            Store::Server(_) => None,
        }
    }

    /// How long writes wait for another kartlegg's write; see `BusyWait`.
    pub fn set_busy_wait(&mut self, wait: BusyWait) -> Result<()> {
        match self {
            Store::File(s) => s.set_busy_wait(wait),
            Store::Server(s) => {
                s.set_busy_wait(wait);
                Ok(())
            }
        }
    }

    /// Whether a write was held since the last call, and why.
    pub fn take_held(&self) -> Option<Held> {
        each!(self, s => s.take_held())
    }

    /// Whether another program committed a change since the last call, so that what a
    /// screen shows is read again: the server says so (LISTEN/NOTIFY), a file's count of
    /// changes tells. Never waits.
    pub fn news(&self) -> bool {
        each!(self, s => s.news())
    }

    /// The respondent a server's login role answers as (its code is the role's password);
    /// `None` for a file, and for any other role.
    pub fn own_respondent(&self) -> Result<Option<Respondent>> {
        match self {
            Store::File(_) => Ok(None),
            Store::Server(s) => s.own_respondent(),
        }
    }

    /// Many writes as one transaction: all of them or none.
    pub fn in_transaction<T>(&mut self, work: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        each!(self, s => s.begin_bulk())?;
        let outcome = work(self);
        each!(self, s => s.end_bulk(outcome))
    }

    /// Writes a national-scale batch of generated respondents and answers at once (the
    /// scale demo).
    pub fn load_batch(&mut self, instrument: &Instrument, batch: &bulk::Batch) -> Result<()> {
        match self {
            Store::File(s) => s.load_batch(instrument, batch),
            Store::Server(s) => s.load_batch(instrument, batch),
        }
    }

    /// Where `kartlegg backup` writes without `--out`: beside the database file.
    pub fn default_backup_path(&self, now: DateTime<Utc>) -> Result<PathBuf> {
        match self {
            Store::File(s) => Ok(s.default_backup_path(now)),
            Store::Server(_) => Err(StoreError::OnServer("backup")),
        }
    }

    /// Keeps a comment that could not be saved in a recovery file beside the database file,
    /// or, for a server's, in the user's data folder on this machine (`recovery`).
    pub fn keep_unsaved(
        &self,
        respondent_id: &str,
        item_key: &str,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<PathBuf> {
        match self {
            Store::File(s) => s.keep_unsaved(respondent_id, item_key, comment, now),
            Store::Server(s) => {
                let anchor = s
                    .recovery_anchor()
                    .ok_or(StoreError::OnServer("recovery"))?;
                let unsaved = recovery::Unsaved::new(respondent_id, item_key, comment, now);
                recovery::keep(&anchor, &|id| s.is_erased(id), unsaved, now)
            }
        }
    }

    /// The comments kept in recovery files for this database, oldest first.
    pub fn unsaved(&self) -> Vec<Recovery> {
        match self {
            Store::File(s) => s.unsaved(),
            Store::Server(s) => match s.recovery_anchor() {
                Some(anchor) => recovery::kept(&anchor, &|id| s.is_erased(id)),
                None => Vec::new(),
            },
        }
    }

    /// Saves a kept comment and removes its recovery file.
    pub fn restore_unsaved(&mut self, recovery: &Recovery, now: DateTime<Utc>) -> Result<Answer> {
        recovery::restore(self, recovery, now)
    }

    /// Removes a recovery file without saving its comment.
    pub fn discard_unsaved(&self, recovery: &Recovery) -> Result<()> {
        recovery::discard(recovery)
    }
}

/// The server address a database target is, if it is one (`postgres://…`).
pub fn server_address(target: &Path) -> Option<&str> {
    target.to_str().filter(|t| super::postgres::is_server(t))
}

impl Answers for Store {
    fn services(&self) -> Result<Vec<ServiceSummary>> {
        each!(self, s => s.services())
    }

    fn service_list(&self) -> Result<Vec<Service>> {
        each!(self, s => s.service_list())
    }

    fn service_ids_named(&self, matches: impl Fn(&str) -> bool) -> Result<Vec<String>> {
        each!(self, s => s.service_ids_named(matches))
    }

    fn service(&self, id: &str) -> Result<Service> {
        each!(self, s => s.service(id))
    }

    fn create_service(
        &mut self,
        name: &str,
        municipalities: &[String],
        cluster: &str,
        now: DateTime<Utc>,
    ) -> Result<Service> {
        each!(self, s => s.create_service(name, municipalities, cluster, now))
    }

    fn update_service(&mut self, service: &Service, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.update_service(service, now))
    }

    fn rounds(&self, service_id: &str) -> Result<Vec<RoundSummary>> {
        each!(self, s => s.rounds(service_id))
    }

    fn round(&self, id: &str) -> Result<Round> {
        each!(self, s => s.round(id))
    }

    fn create_round(
        &mut self,
        service_id: &str,
        label: &str,
        held_on: NaiveDate,
        kind: RoundKind,
        instrument: &Instrument,
        now: DateTime<Utc>,
    ) -> Result<Round> {
        each!(self, s => s.create_round(service_id, label, held_on, kind, instrument, now))
    }

    fn respondents(&self, round_id: &str) -> Result<Vec<RespondentSummary>> {
        each!(self, s => s.respondents(round_id))
    }

    fn create_respondent(
        &mut self,
        round_id: &str,
        role: Role,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Respondent> {
        each!(self, s => s.create_respondent(round_id, role, code, now))
    }

    fn answers(&self, respondent_id: &str) -> Result<AnswerSet> {
        each!(self, s => s.answers(respondent_id))
    }

    fn round_answers(&self, round_id: &str) -> Result<Vec<(Respondent, AnswerSet)>> {
        each!(self, s => s.round_answers(round_id))
    }

    fn save_response(
        &mut self,
        respondent_id: &str,
        item_key: &str,
        response: Option<Response>,
        now: DateTime<Utc>,
    ) -> Result<Answer> {
        each!(self, s => s.save_response(respondent_id, item_key, response, now))
    }

    fn save_comment(
        &mut self,
        respondent_id: &str,
        item_key: &str,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<Answer> {
        each!(self, s => s.save_comment(respondent_id, item_key, comment, now))
    }

    fn history(&self, respondent_id: &str, item_key: &str) -> Result<Vec<HistoryEntry>> {
        each!(self, s => s.history(respondent_id, item_key))
    }

    fn respondent(&self, id: &str) -> Result<Option<Respondent>> {
        each!(self, s => s.respondent(id))
    }
}

impl Plans for Store {
    fn plan_items(&self, service_id: &str) -> Result<Vec<PlanItem>> {
        each!(self, s => s.plan_items(service_id))
    }

    fn add_plan_item(&mut self, item: &PlanItem, now: DateTime<Utc>) -> Result<PlanItem> {
        each!(self, s => s.add_plan_item(item, now))
    }

    fn update_plan_item(&mut self, item: &PlanItem, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.update_plan_item(item, now))
    }

    fn goals(&self, service_id: &str) -> Result<Vec<Goal>> {
        each!(self, s => s.goals(service_id))
    }

    fn add_goal(
        &mut self,
        service_id: &str,
        text: &str,
        subdomain_keys: &[String],
        now: DateTime<Utc>,
    ) -> Result<Goal> {
        each!(self, s => s.add_goal(service_id, text, subdomain_keys, now))
    }

    fn goal_statuses(&self, service_id: &str) -> Result<HashMap<(String, String), GoalStatus>> {
        each!(self, s => s.goal_statuses(service_id))
    }

    fn set_goal_status(
        &mut self,
        goal_id: &str,
        round_id: &str,
        status: Option<GoalStatus>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        each!(self, s => s.set_goal_status(goal_id, round_id, status, now))
    }

    fn round_stage(&self, round_id: &str) -> Result<Option<Stage>> {
        each!(self, s => s.round_stage(round_id))
    }

    fn set_round_stage(
        &mut self,
        round_id: &str,
        stage: Option<Stage>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        each!(self, s => s.set_round_stage(round_id, stage, now))
    }

    fn consensus(&self, round_id: &str) -> Result<HashMap<String, u8>> {
        each!(self, s => s.consensus(round_id))
    }

    fn set_consensus(
        &mut self,
        round_id: &str,
        subdomain_key: &str,
        value: Option<u8>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        each!(self, s => s.set_consensus(round_id, subdomain_key, value, now))
    }
}

impl ChangeLog for Store {
    fn changes(&self, entity: &str, entity_key: &str) -> Result<Vec<Change>> {
        each!(self, s => s.changes(entity, entity_key))
    }
}

impl Scores for Store {
    fn round_scores(
        &self,
        instrument: &Instrument,
        round_ids: &[&str],
        options: Options,
    ) -> Result<Vec<RoundScores>> {
        each!(self, s => s.round_scores(instrument, round_ids, options))
    }

    fn respondent_scores(
        &self,
        instrument: &Instrument,
        respondent_id: &str,
    ) -> Result<Vec<SectionScore>> {
        each!(self, s => s.respondent_scores(instrument, respondent_id))
    }
}

impl Admin for Store {
    fn path(&self) -> &Path {
        each!(self, s => s.path())
    }

    fn schema_version(&self) -> Result<u32> {
        each!(self, s => s.schema_version())
    }

    fn counts(&self) -> Result<Counts> {
        each!(self, s => s.counts())
    }

    fn integrity_problems(&self) -> Result<Vec<String>> {
        each!(self, s => s.integrity_problems())
    }

    fn backup_to(&self, target: &Path) -> Result<Verdict> {
        each!(self, s => s.backup_to(target))
    }
}

impl Exchange for Store {
    fn export_json(
        &self,
        scope: Scope<'_>,
        instrument: &Instrument,
        now: DateTime<Utc>,
        disclosure: Disclosure,
        out: &mut dyn Write,
        out_name: &Path,
    ) -> Result<Exported> {
        each!(self, s => s.export_json(scope, instrument, now, disclosure, out, out_name))
    }

    fn export_csv(
        &self,
        scope: Scope<'_>,
        instrument: &Instrument,
        csv: CsvExport,
        out: &mut dyn Write,
        out_name: &Path,
    ) -> Result<usize> {
        each!(self, s => s.export_csv(scope, instrument, csv, out, out_name))
    }

    fn import_json(
        &mut self,
        input: impl Read + Send,
        instrument: &Instrument,
        clock: ImportClock,
    ) -> Result<ImportSummary> {
        each!(self, s => s.import_json(input, instrument, clock))
    }
}

impl Sharing for Store {
    fn reading_only(&self) -> bool {
        each!(self, s => s.reading_only())
    }

    fn share_with(&mut self, group: &UnixGroup, access: GroupAccess) -> Result<Vec<SharedFile>> {
        each!(self, s => s.share_with(group, access))
    }
}

impl Invites for Store {
    fn invite_key(&mut self) -> Result<[u8; invite::KEY_LEN]> {
        each!(self, s => s.invite_key())
    }

    fn add_invites(
        &mut self,
        round_id: &str,
        role: Role,
        hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<()> {
        each!(self, s => s.add_invites(round_id, role, hashes, now))
    }

    fn withdraw_invite(&mut self, hashes: &[(Scheme, String)], now: DateTime<Utc>) -> Result<bool> {
        each!(self, s => s.withdraw_invite(hashes, now))
    }

    fn close_invites(&mut self, round_id: &str, now: DateTime<Utc>) -> Result<usize> {
        each!(self, s => s.close_invites(round_id, now))
    }

    fn answering_closed(&self, round_id: &str) -> Result<bool> {
        each!(self, s => s.answering_closed(round_id))
    }

    fn claim_invite(
        &mut self,
        hashes: &[(Scheme, String)],
        now: DateTime<Utc>,
    ) -> Result<Option<Respondent>> {
        each!(self, s => s.claim_invite(hashes, now))
    }

    fn code_respondents(&self, round_id: &str) -> Result<HashSet<String>> {
        each!(self, s => s.code_respondents(round_id))
    }
}

impl Erase for Store {
    fn erasure(&self, targets: &[Erasable]) -> Result<Erasure> {
        each!(self, s => s.erasure(targets))
    }

    fn erase(&mut self, targets: &[Erasable], by: ErasedBy, now: DateTime<Utc>) -> Result<Erasure> {
        each!(self, s => s.erase(targets, by, now))
    }

    fn rounds_last_answered_before(&self, date: NaiveDate) -> Result<Vec<AgedRound>> {
        each!(self, s => s.rounds_last_answered_before(date))
    }

    fn erase_rounds_last_answered_before(
        &mut self,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(Vec<AgedRound>, Erasure)> {
        each!(self, s => s.erase_rounds_last_answered_before(date, now))
    }

    fn tombstones(&self) -> Result<Vec<Tombstone>> {
        each!(self, s => s.tombstones())
    }
}

impl Needs for Store {
    fn own_areas(&self, service_id: &str) -> Result<Vec<OwnArea>> {
        each!(self, s => s.own_areas(service_id))
    }

    fn add_own_area(
        &mut self,
        service_id: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<OwnArea> {
        each!(self, s => s.add_own_area(service_id, name, now))
    }

    fn needs(&self, round_id: &str) -> Result<Vec<Need>> {
        each!(self, s => s.needs(round_id))
    }

    fn set_need(
        &mut self,
        round_id: &str,
        area_key: &str,
        change: &NeedField,
        now: DateTime<Utc>,
    ) -> Result<Need> {
        each!(self, s => s.set_need(round_id, area_key, change, now))
    }

    fn expectations(&self, round_id: &str) -> Result<Expectations> {
        each!(self, s => s.expectations(round_id))
    }

    fn set_expectations(
        &mut self,
        round_id: &str,
        expectations: &Expectations,
        now: DateTime<Utc>,
    ) -> Result<()> {
        each!(self, s => s.set_expectations(round_id, expectations, now))
    }

    fn facts(&self, round_id: &str) -> Result<Facts> {
        each!(self, s => s.facts(round_id))
    }

    fn set_facts(&mut self, round_id: &str, facts: &Facts, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.set_facts(round_id, facts, now))
    }
}

impl Positions for Store {
    fn positions(&self, round_id: &str) -> Result<Vec<Position>> {
        each!(self, s => s.positions(round_id))
    }

    fn add_position(
        &mut self,
        round_id: &str,
        facts: &PositionFacts,
        now: DateTime<Utc>,
    ) -> Result<Position> {
        each!(self, s => s.add_position(round_id, facts, now))
    }

    fn change_position(
        &mut self,
        id: &str,
        facts: &PositionFacts,
        now: DateTime<Utc>,
    ) -> Result<()> {
        each!(self, s => s.change_position(id, facts, now))
    }

    fn remove_position(&mut self, id: &str, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.remove_position(id, now))
    }
}

impl Clusters for Store {
    fn clusters(&self) -> Result<Vec<ClusterSummary>> {
        each!(self, s => s.clusters())
    }

    fn cluster(&self, id: &str) -> Result<Cluster> {
        each!(self, s => s.cluster(id))
    }

    fn cluster_named(&self, name: &str) -> Result<Option<Cluster>> {
        each!(self, s => s.cluster_named(name))
    }

    fn update_cluster(&mut self, cluster: &Cluster, now: DateTime<Utc>) -> Result<Cluster> {
        each!(self, s => s.update_cluster(cluster, now))
    }

    fn add_gathering(
        &mut self,
        cluster_id: &str,
        held_on: NaiveDate,
        kind: GatheringKind,
        topics: &str,
        now: DateTime<Utc>,
    ) -> Result<Gathering> {
        each!(self, s => s.add_gathering(cluster_id, held_on, kind, topics, now))
    }

    fn update_gathering(&mut self, gathering: &Gathering, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.update_gathering(gathering, now))
    }

    fn gathering(&self, id: &str) -> Result<Gathering> {
        each!(self, s => s.gathering(id))
    }

    fn gatherings(&self, cluster_id: &str) -> Result<Vec<Gathering>> {
        each!(self, s => s.gatherings(cluster_id))
    }

    fn attendances(&self, gathering_id: &str) -> Result<Vec<Attendance>> {
        each!(self, s => s.attendances(gathering_id))
    }

    fn set_attendance(
        &mut self,
        gathering_id: &str,
        service_id: &str,
        change: &AttendanceField,
        now: DateTime<Utc>,
    ) -> Result<Attendance> {
        each!(self, s => s.set_attendance(gathering_id, service_id, change, now))
    }

    fn put_attendance(&mut self, attendance: &Attendance, now: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.put_attendance(attendance, now))
    }

    fn tie_round(
        &mut self,
        round_id: &str,
        gathering_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        each!(self, s => s.tie_round(round_id, gathering_id, now))
    }

    fn round_gathering(&self, round_id: &str) -> Result<Option<String>> {
        each!(self, s => s.round_gathering(round_id))
    }

    fn tied_rounds(&self, gathering_id: &str) -> Result<Vec<Round>> {
        each!(self, s => s.tied_rounds(gathering_id))
    }
}
