//! A service's rounds as the faces load them: answers, stage and consensus, and its plan.

use std::collections::{HashMap, HashSet};

use crate::domain::cluster_figures::{AreaKey, Behind, leaders_only};
use crate::domain::compare::{Answered, Options, hold_back_codes};
use crate::domain::instrument::{Asked, Instrument};
use crate::domain::model::{Respondent, Role, Round, Service};
use crate::domain::plan::{Goal, GoalStatus, PlanItem, Stage, consensus_percent};
use crate::domain::scoring::{AnswerSet, Answering, subdomain_tally};
use crate::i18n::Lang;
use crate::present;
use crate::store::lookup::LookupError;
use crate::store::{Backend, StoreError};

/// One round with every respondent's answers, where the service was in its implementation,
/// and the values a gathering agreed on.
pub struct RoundData {
    pub round: Round,
    /// As every figure counts them: respondents by code only as `hold_back_codes` lets them.
    pub respondents: Vec<(Respondent, AnswerSet)>,
    /// The ids of the respondents by code among them.
    pub by_code: HashSet<String>,
    pub stage: Option<Stage>,
    /// Consensus values on the section's scale, by subdomain key.
    pub consensus: HashMap<String, u8>,
}

impl RoundData {
    /// The one place a round's respondents are gathered for figures: every face that shows
    /// a figure of a round's answers loads it here.
    pub fn load(store: &impl Backend, round: Round) -> Result<RoundData, StoreError> {
        let mut respondents = store.round_answers(&round.id)?;
        let mut by_code = store.code_respondents(&round.id)?;
        let closed = store.answering_closed(&round.id)?;
        hold_back_codes(
            Instrument::standard(),
            round.kind,
            &mut respondents,
            &mut by_code,
            closed,
        );
        let stage = store.round_stage(&round.id)?;
        let consensus = store.consensus(&round.id)?;
        Ok(RoundData {
            round,
            respondents,
            by_code,
            stage,
            consensus,
        })
    }

    /// The consensus on a subdomain: the value on its section's scale, and as a percent of
    /// the maximum like the scores beside it.
    pub fn consensus_on(&self, instrument: &Instrument, key: &str) -> Option<(u8, f64)> {
        let value = *self.consensus.get(key)?;
        let scale = instrument.subdomain(key)?.scale;
        Some((value, consensus_percent(value, scale)))
    }

    pub fn sets(&self) -> Vec<Answering<'_>> {
        self.respondents
            .iter()
            .map(|(r, set)| (self.asked(r), set))
            .collect()
    }

    /// Whom the items were put to: this round's kind and `respondent`'s role.
    pub fn asked(&self, respondent: &Respondent) -> Asked {
        Asked::new(self.round.kind, respondent.role)
    }

    /// The respondents as a comparison sees them: role, code, by code or not, and answers.
    pub fn answered(&self) -> Vec<Answered<'_>> {
        crate::domain::compare::answered(self.round.kind, &self.respondents, &self.by_code)
    }

    /// The answers of the respondents counted in the service's own score: everyone but the
    /// process leader, unless asked for.
    pub fn counted_sets(&self, options: Options) -> Vec<Answering<'_>> {
        self.respondents
            .iter()
            .filter(|(r, _)| options.with_consultant || r.role != Role::Consultant)
            .map(|(r, set)| (self.asked(r), set))
            .collect()
    }

    /// Who stands behind each subdomain's figure of the round (the respondents counted as
    /// in `counted_sets`), in the instrument's order: what the one rule for small groups
    /// (`Behind::too_few`) decides by, for the aggregated export and the cluster report.
    pub fn behind(&self, instrument: &Instrument, options: Options) -> Vec<(AreaKey, Behind)> {
        let counted = self.counted_sets(options);
        let mut behind = Vec::new();
        for section in &instrument.sections {
            let Some(scale) = instrument.scale(&section.scale) else {
                continue;
            };
            for subdomain in &section.subdomains {
                let (mut answered, mut scored) = (0, 0);
                for (asked, answers) in &counted {
                    let own = subdomain_tally(subdomain, scale, answers, *asked);
                    answered += usize::from(own.answered() > 0);
                    scored += usize::from(own.scored > 0);
                }
                let area = AreaKey {
                    section: section.key.clone(),
                    subdomain: Some(subdomain.key.clone()),
                };
                let leaders_only = leaders_only(subdomain, self.round.kind);
                behind.push((
                    area,
                    Behind {
                        answered,
                        scored,
                        leaders_only,
                    },
                ));
            }
        }
        behind
    }

    /// "Før samling 1 (10.02.2026)"
    pub fn title(&self, lang: Lang) -> String {
        format!(
            "{} ({})",
            self.round.label,
            present::date(lang, self.round.held_on)
        )
    }
}

/// A service's plan: barriers, strategies and measures per subdomain, and its goals with
/// their status per round.
pub struct PlanData {
    pub items: Vec<PlanItem>,
    pub goals: Vec<Goal>,
    /// By (goal id, round id).
    pub statuses: HashMap<(String, String), GoalStatus>,
}

impl PlanData {
    pub fn load(store: &impl Backend, service_id: &str) -> Result<PlanData, StoreError> {
        Ok(PlanData {
            items: store.plan_items(service_id)?,
            goals: store.goals(service_id)?,
            statuses: store.goal_statuses(service_id)?,
        })
    }

    /// The plan items grouped by subdomain, in the instrument's order (a key the instrument
    /// does not know last); within a subdomain barriers, strategies, measures, as the store
    /// gives them.
    pub fn by_subdomain(&self, instrument: &Instrument) -> Vec<(&str, Vec<&PlanItem>)> {
        let order: HashMap<String, usize> = instrument
            .subdomain_keys()
            .into_iter()
            .enumerate()
            .map(|(i, key)| (key, i))
            .collect();
        let mut groups: Vec<(&str, Vec<&PlanItem>)> = Vec::new();
        for item in &self.items {
            match groups
                .iter_mut()
                .find(|(key, _)| *key == item.subdomain_key)
            {
                Some((_, items)) => items.push(item),
                None => groups.push((&item.subdomain_key, vec![item])),
            }
        }
        groups.sort_by_key(|(key, _)| (order.get(*key).copied().unwrap_or(usize::MAX), *key));
        groups
    }

    pub fn status(&self, goal: &Goal, round: &Round) -> Option<GoalStatus> {
        self.statuses
            .get(&(goal.id.clone(), round.id.clone()))
            .copied()
    }
}

/// The service a person named, two of its rounds loaded, and its plan: what `compare`
/// starts from.
pub fn find_pair(
    store: &impl Backend,
    service: &str,
    from: &str,
    to: &str,
) -> Result<(Service, RoundData, RoundData, PlanData), LookupError> {
    let service = store.find_service(service)?;
    let from = store.find_round(&service, from)?;
    let to = store.find_round(&service, to)?;
    let from = RoundData::load(store, from)?;
    let to = RoundData::load(store, to)?;
    let plan = PlanData::load(store, &service.id)?;
    Ok((service, from, to, plan))
}

/// The service a person named, the rounds they named (every round when none) loaded in
/// date order, and its plan: what `report` starts from.
pub fn find_rounds(
    store: &impl Backend,
    service: &str,
    rounds: &[String],
) -> Result<(Service, Vec<RoundData>, PlanData), LookupError> {
    let service = store.find_service(service)?;
    let mut chosen = Vec::new();
    for query in rounds {
        chosen.push(store.find_round(&service, query)?.id);
    }
    // The store gives the rounds in date order; the report keeps it.
    let rounds = store
        .rounds(&service.id)?
        .into_iter()
        .map(|summary| summary.round)
        .filter(|round| chosen.is_empty() || chosen.contains(&round.id))
        .map(|round| RoundData::load(store, round))
        .collect::<Result<Vec<_>, _>>()?;
    let plan = PlanData::load(store, &service.id)?;
    Ok((service, rounds, plan))
}
