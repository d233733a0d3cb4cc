//! What an erasure reaches, collected the same way by both backends: each target, and
//! everything it holds (a service its rounds, plan items and goals; a round its
//! respondents), each id once, parents before what they hold. Each backend only says which
//! rows are there (`Reach`); counting and removing them is its own SQL.

use std::collections::HashSet;

use super::{Erasable, Erasure, Result, StoreError};

/// The rows a thing holds, which `Reach::held` finds by their parent's id.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Held {
    RoundsOfService,
    PlanItemsOfService,
    GoalsOfService,
    RespondentsOfRound,
}

/// What a backend tells the collection: whether a row is there, and what a row holds.
pub(crate) trait Reach {
    /// Whether `table` has a row with this id.
    fn exists(&mut self, table: &'static str, id: &str) -> Result<bool>;

    /// The ids of the rows `held` names under `parent`.
    fn held(&mut self, held: Held, parent: &str) -> Result<Vec<String>>;
}

/// Everything an erasure reaches, each id once, parents before what they hold.
#[derive(Default)]
pub(crate) struct Doomed {
    pub(crate) seen: HashSet<String>,
    pub(crate) services: Vec<String>,
    pub(crate) rounds: Vec<String>,
    pub(crate) respondents: Vec<String>,
    pub(crate) plan_items: Vec<String>,
    pub(crate) goals: Vec<String>,
    pub(crate) gatherings: Vec<String>,
}

impl Doomed {
    /// Whether `id` is new here; adds it to `list`.
    fn add(seen: &mut HashSet<String>, list: &mut Vec<String>, id: String) -> bool {
        if seen.insert(id.clone()) {
            list.push(id);
            true
        } else {
            false
        }
    }

    /// What erasing `targets` reaches; `NotFound` names a target that is not there.
    pub(crate) fn collect(reach: &mut impl Reach, targets: &[Erasable]) -> Result<Doomed> {
        let mut doomed = Doomed::default();
        for target in targets {
            match target {
                Erasable::Service(id) => doomed.service(reach, id)?,
                Erasable::Round(id) => doomed.round(reach, id)?,
                Erasable::Respondent(id) => {
                    must_exist(reach, "respondent", id)?;
                    Doomed::add(&mut doomed.seen, &mut doomed.respondents, id.clone());
                }
                Erasable::PlanItem(id) => {
                    must_exist(reach, "plan_item", id)?;
                    Doomed::add(&mut doomed.seen, &mut doomed.plan_items, id.clone());
                }
                Erasable::Goal(id) => {
                    must_exist(reach, "goal", id)?;
                    Doomed::add(&mut doomed.seen, &mut doomed.goals, id.clone());
                }
                Erasable::Gathering(id) => {
                    must_exist(reach, "gathering", id)?;
                    Doomed::add(&mut doomed.seen, &mut doomed.gatherings, id.clone());
                }
            }
        }
        Ok(doomed)
    }

    fn service(&mut self, reach: &mut impl Reach, id: &str) -> Result<()> {
        must_exist(reach, "service", id)?;
        if !Doomed::add(&mut self.seen, &mut self.services, id.to_string()) {
            return Ok(());
        }
        for round in reach.held(Held::RoundsOfService, id)? {
            self.round(reach, &round)?;
        }
        for item in reach.held(Held::PlanItemsOfService, id)? {
            Doomed::add(&mut self.seen, &mut self.plan_items, item);
        }
        for goal in reach.held(Held::GoalsOfService, id)? {
            Doomed::add(&mut self.seen, &mut self.goals, goal);
        }
        Ok(())
    }

    fn round(&mut self, reach: &mut impl Reach, id: &str) -> Result<()> {
        must_exist(reach, "round", id)?;
        if !Doomed::add(&mut self.seen, &mut self.rounds, id.to_string()) {
            return Ok(());
        }
        for respondent in reach.held(Held::RespondentsOfRound, id)? {
            Doomed::add(&mut self.seen, &mut self.respondents, respondent);
        }
        Ok(())
    }

    /// Each kind of thing with its ids, in the order their tombstones are written.
    pub(crate) fn by_kind(&self) -> [(&'static str, &[String]); 6] {
        [
            ("service", &self.services),
            ("round", &self.rounds),
            ("respondent", &self.respondents),
            ("plan_item", &self.plan_items),
            ("goal", &self.goals),
            ("gathering", &self.gatherings),
        ]
    }

    /// What goes, with the answers given and the attendances recorded that the backend
    /// counted.
    pub(crate) fn erasure(&self, answers: usize, attendances: usize) -> Erasure {
        Erasure {
            services: self.services.len(),
            rounds: self.rounds.len(),
            respondents: self.respondents.len(),
            answers,
            plan_items: self.plan_items.len(),
            goals: self.goals.len(),
            gatherings: self.gatherings.len(),
            attendances,
        }
    }
}

fn must_exist(reach: &mut impl Reach, table: &'static str, id: &str) -> Result<()> {
    if reach.exists(table, id)? {
        Ok(())
    } else {
        Err(StoreError::NotFound(match table {
            "plan_item" => "plan item",
            other => other,
        }))
    }
}

/// The query of `held`, with its parent as the first parameter (written `?1`, SQLite's; the
/// server reads `$1`).
pub(crate) fn held_sql(held: Held) -> &'static str {
    match held {
        Held::RoundsOfService => "SELECT id FROM round WHERE service_id = ?1",
        Held::PlanItemsOfService => "SELECT id FROM plan_item WHERE service_id = ?1",
        Held::GoalsOfService => "SELECT id FROM goal WHERE service_id = ?1",
        Held::RespondentsOfRound => "SELECT id FROM respondent WHERE round_id = ?1",
    }
}
