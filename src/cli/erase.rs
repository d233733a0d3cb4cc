//! `kartlegg erase`: a respondent, round, service, plan item, goal or gathering goes with
//! everything it holds and the history of it (a gathering lets its rounds go, they stay), in one transaction, leaving only a tombstone (what kind, its
//! id, when, by which face); `--older-than` erases old rounds (retention). `--dry-run` says
//! what would go and changes nothing.

use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};

use super::{complain, exit, fail, lookup_failed, print};
use crate::domain::cluster::GatheringKind;
use crate::i18n::{Lang, tr, trf};
use crate::messages::{Erasing, erasure_counts, quoted};
use crate::present::{count, date};
use crate::store::{Answers, Clusters, Erasable, Erase, ErasedBy, Plans, Store};

#[derive(Debug, clap::Args)]
pub struct EraseArgs {
    #[command(subcommand)]
    pub what: Option<What>,

    /// Retention: erase every round whose last answer (or, without answers, whose day) is
    /// before DATE (YYYY-MM-DD), with all it holds: its respondents, their answers and the
    /// answers' history, its consensus, stage and goal statuses. The services, their plans
    /// and goals stay. A municipality keeps answers only as long as the work they were given
    /// for needs them (the GDPR's storage limitation) and keeps what its archive plan says it
    /// must (export it to the archive first); agree the date with the data protection officer
    #[arg(long, value_name = "DATE")]
    pub older_than: Option<NaiveDate>,

    /// Say what would be erased, and change nothing
    #[arg(long, global = true)]
    pub dry_run: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// A respondent of a round, with their answers and the answers' history
    Respondent {
        /// The service: its id, or its name in any case
        #[arg(long, value_name = "NAME_OR_ID")]
        service: String,
        /// The round: its label in any case, or its id
        #[arg(long, value_name = "ROUND")]
        round: String,
        /// The respondent's code (initials) in any case
        #[arg(long, value_name = "CODE", required_unless_present = "id")]
        code: Option<String>,
        /// The respondent's id, where codes are empty or shared
        #[arg(long, value_name = "ID", conflicts_with = "code")]
        id: Option<String>,
    },
    /// A round, with its respondents, answers and their history, consensus, stage and goal statuses
    Round {
        /// The service: its id, or its name in any case
        #[arg(long, value_name = "NAME_OR_ID")]
        service: String,
        /// The round: its label in any case, or its id
        #[arg(long, value_name = "ROUND")]
        round: String,
    },
    /// A service, with all its rounds, its plan and its goals
    Service {
        /// The service: its id, or its name in any case
        #[arg(long, value_name = "NAME_OR_ID")]
        service: String,
    },
    /// A barrier, strategy or measure of a service's plan, with its change log
    PlanItem {
        /// The service: its id, or its name in any case
        #[arg(long, value_name = "NAME_OR_ID")]
        service: String,
        /// The plan item's id (as the JSON export names it)
        #[arg(long, value_name = "ID")]
        id: String,
    },
    /// A goal of a service, with its statuses and change log
    Goal {
        /// The service: its id, or its name in any case
        #[arg(long, value_name = "NAME_OR_ID")]
        service: String,
        /// The goal's id (as the JSON export names it)
        #[arg(long, value_name = "ID")]
        id: String,
    },
    /// A gathering of a cluster, with the attendance recorded at it; the rounds tied to it
    /// stay, no longer tied
    Gathering {
        /// The cluster: its name in any case
        #[arg(long, value_name = "NAME", required_unless_present = "id")]
        cluster: Option<String>,
        /// The day it was held (YYYY-MM-DD)
        #[arg(long, value_name = "DATE", required_unless_present = "id")]
        day: Option<NaiveDate>,
        /// Its kind, where two gatherings fall on one day
        #[arg(long, value_enum, value_name = "KIND")]
        kind: Option<Kind>,
        /// The gathering's id, instead of its cluster and day
        #[arg(long, value_name = "ID", conflicts_with_all = ["cluster", "day", "kind"])]
        id: Option<String>,
    },
}

/// A gathering's kind as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Leaders,
    Joint,
    Digital,
}

impl From<Kind> for GatheringKind {
    fn from(kind: Kind) -> GatheringKind {
        match kind {
            Kind::Leaders => GatheringKind::Leaders,
            Kind::Joint => GatheringKind::Joint,
            Kind::Digital => GatheringKind::Digital,
        }
    }
}

pub fn run(store: &mut Store, lang: Lang, args: &EraseArgs, now: DateTime<Utc>) -> ExitCode {
    match (&args.what, args.older_than) {
        (Some(_), Some(_)) => refuse(lang, "erase.both"),
        (None, None) => refuse(lang, "erase.choose"),
        (None, Some(before)) => retention(store, lang, before, args.dry_run, now),
        (Some(what), None) => match named(store, lang, what) {
            Ok(erasing) => one(store, lang, &erasing, args.dry_run, now),
            Err(code) => code,
        },
    }
}

fn refuse(lang: Lang, key: &str) -> ExitCode {
    complain(tr(lang, key));
    ExitCode::from(exit::USAGE)
}

/// The thing the command names, found as `compare` and `report` find a service and round.
fn named(store: &Store, lang: Lang, what: &What) -> Result<Erasing, ExitCode> {
    let service_named = |name: &str| {
        store
            .find_service(name)
            .map_err(|e| lookup_failed(lang, &e))
    };
    match what {
        What::Respondent {
            service,
            round,
            code,
            id,
        } => {
            let service = service_named(service)?;
            let round = (store.find_round(&service, round)).map_err(|e| lookup_failed(lang, &e))?;
            let query = id.as_deref().or(code.as_deref()).unwrap_or_default();
            let respondent =
                (store.find_respondent(&round, query)).map_err(|e| lookup_failed(lang, &e))?;
            Ok(Erasing::respondent(lang, &respondent))
        }
        What::Round { service, round } => {
            let service = service_named(service)?;
            let round = (store.find_round(&service, round)).map_err(|e| lookup_failed(lang, &e))?;
            Ok(Erasing::round(lang, &round))
        }
        What::Service { service } => Ok(Erasing::service(lang, &service_named(service)?)),
        What::PlanItem { service, id } => {
            let service = service_named(service)?;
            let items = store.plan_items(&service.id).map_err(|e| fail(lang, &e))?;
            match items.iter().find(|item| item.id == id.trim()) {
                Some(item) => Ok(Erasing::plan_item(lang, item)),
                None => Err(not_in(lang, "erase.no_plan_item", &service.name, id)),
            }
        }
        What::Goal { service, id } => {
            let service = service_named(service)?;
            let goals = store.goals(&service.id).map_err(|e| fail(lang, &e))?;
            match goals.iter().find(|goal| goal.id == id.trim()) {
                Some(goal) => Ok(Erasing::goal(lang, goal)),
                None => Err(not_in(lang, "erase.no_goal", &service.name, id)),
            }
        }
        What::Gathering {
            cluster,
            day,
            kind,
            id,
        } => {
            let found = match (id, cluster, day) {
                (Some(id), _, _) => store.find_gathering_by_id(id),
                (None, Some(cluster), Some(day)) => {
                    store.find_gathering(cluster, *day, kind.map(GatheringKind::from))
                }
                // clap asks for the cluster and the day unless the id is given.
                _ => return Err(refuse(lang, "erase.choose")),
            };
            let gathering = found.map_err(|e| lookup_failed(lang, &e))?;
            Ok(Erasing::gathering(lang, &gathering))
        }
    }
}

fn not_in(lang: Lang, key: &str, service: &str, id: &str) -> ExitCode {
    complain(&trf(
        lang,
        key,
        &[("service", &quoted(lang, service)), ("id", &id)],
    ));
    ExitCode::from(exit::FAILURE)
}

fn one(
    store: &mut Store,
    lang: Lang,
    erasing: &Erasing,
    dry_run: bool,
    now: DateTime<Utc>,
) -> ExitCode {
    let targets = [erasing.target.clone()];
    if dry_run {
        return match store.erasure(&targets) {
            Ok(erasure) => print(&lines(&[
                erasing.would(lang, &erasure),
                tr(lang, "erase.dry_run_note").to_string(),
            ])),
            Err(e) => fail(lang, &e),
        };
    }
    match store.erase(&targets, ErasedBy::Command, now) {
        Ok(erasure) => print(&lines(&[
            erasing.done(lang, &erasure),
            tr(lang, "erase.tombstone_note").to_string(),
        ])),
        Err(e) => fail(lang, &e),
    }
}

/// Every round last answered before `before`, listed, and erased unless `dry_run`.
fn retention(
    store: &mut Store,
    lang: Lang,
    before: NaiveDate,
    dry_run: bool,
    now: DateTime<Utc>,
) -> ExitCode {
    let found = if dry_run {
        store.rounds_last_answered_before(before).and_then(|aged| {
            let targets: Vec<Erasable> = (aged.iter())
                .map(|a| Erasable::Round(a.round.id.clone()))
                .collect();
            Ok((store.erasure(&targets)?, aged))
        })
    } else {
        // Found and erased in one transaction: a round answered meanwhile stays.
        (store.erase_rounds_last_answered_before(before, now))
            .map(|(aged, erasure)| (erasure, aged))
    };
    let (erasure, aged) = match found {
        Ok(found) => found,
        Err(e) => return fail(lang, &e),
    };
    let day = date(lang, before);
    if aged.is_empty() {
        return print(&lines(&[trf(
            lang,
            "erase.retention_none",
            &[("date", &day)],
        )]));
    }
    let heading = if dry_run {
        "erase.retention_would"
    } else {
        "erase.retention_done"
    };
    let mut out = vec![trf(
        lang,
        heading,
        &[("date", &day), ("counts", &erasure_counts(lang, &erasure))],
    )];
    out.extend(aged.iter().map(|a| {
        trf(
            lang,
            "erase.retention_round",
            &[
                ("service", &quoted(lang, &a.service_name)),
                ("round", &quoted(lang, &a.round.label)),
                ("held", &date(lang, a.round.held_on)),
                ("last", &date(lang, a.last_answer)),
                (
                    "respondents",
                    &count(lang, "noun.respondent", a.respondents),
                ),
            ],
        )
    }));
    out.push(
        tr(
            lang,
            if dry_run {
                "erase.dry_run_note"
            } else {
                "erase.tombstone_note"
            },
        )
        .to_string(),
    );
    print(&lines(&out))
}

fn lines(lines: &[String]) -> String {
    let mut text = lines.join("\n");
    text.push('\n');
    text
}
