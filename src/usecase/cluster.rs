//! A cluster's year as every face lines it up: its services, its gatherings, and each
//! service's rounds at the points of the year they belong to. A round tied to a gathering
//! stands at that gathering; a round not tied yet stands at its label, as before clusters
//! were records, so old rounds keep working until someone ties them.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::domain::cluster::{Cluster, Gathering, anonymous_letters};
use crate::domain::model::{Round, Service};
use crate::store::{Backend, RoundSummary, StoreError};

/// A point of the cluster's year that rounds line up at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Point {
    /// The rounds tied to this gathering.
    Gathering(Gathering),
    /// The rounds of this label not tied to any gathering.
    Label(String),
}

impl Point {
    pub fn gathering(&self) -> Option<&Gathering> {
        match self {
            Point::Gathering(gathering) => Some(gathering),
            Point::Label(_) => None,
        }
    }
}

/// The cluster with its services by name, its gatherings by day, and the points its rounds
/// line up at, in the order of the year.
pub struct LineUp {
    pub cluster: Cluster,
    pub services: Vec<Service>,
    pub gatherings: Vec<Gathering>,
    /// Each service's rounds by the day held, in the order of `services`.
    pub rounds: Vec<Vec<RoundSummary>>,
    /// Every point at least one round stands at: a gathering by its day, a label by the day
    /// its first untied round was held.
    pub points: Vec<Point>,
    /// Each tied round's gathering (its place in `gatherings`), by the round's id.
    tied: HashMap<String, usize>,
}

impl LineUp {
    /// The cluster named `name` (as its services carry it), or `NotFound("cluster")`. The
    /// services with no cluster have no record and no gatherings: they line up by label.
    pub fn load(store: &impl Backend, name: &str) -> Result<LineUp, StoreError> {
        let cluster = match store.cluster_named(name)? {
            Some(cluster) => cluster,
            None if name.is_empty() => Cluster::default(),
            None => return Err(StoreError::NotFound("cluster")),
        };
        let mut services: Vec<Service> = store
            .service_list()?
            .into_iter()
            .filter(|service| service.cluster == cluster.name)
            .collect();
        services.sort_by_key(|service| service.name.to_lowercase());
        let gatherings = match cluster.id.as_str() {
            "" => Vec::new(),
            id => store.gatherings(id)?,
        };
        let rounds = services
            .iter()
            .map(|service| store.rounds(&service.id))
            .collect::<Result<Vec<_>, _>>()?;
        let mut tied = HashMap::new();
        for (place, gathering) in gatherings.iter().enumerate() {
            for round in store.tied_rounds(&gathering.id)? {
                tied.insert(round.id, place);
            }
        }
        let points = points(
            &gatherings,
            &tied,
            rounds.iter().flatten().map(|r| &r.round),
        );
        Ok(LineUp {
            cluster,
            services,
            gatherings,
            rounds,
            points,
            tied,
        })
    }

    /// Each service's round at `point` (the latest held, when a service has several there),
    /// in the order of `services`.
    pub fn at(&self, point: &Point) -> Vec<Option<&RoundSummary>> {
        self.rounds
            .iter()
            .map(|list| list.iter().rev().find(|r| self.stands_at(&r.round, point)))
            .collect()
    }

    /// Each service's letter for the views without names (`anonymous_letters`), in the
    /// order of `services`: over the whole cluster, so that a service has one letter on
    /// every face.
    pub fn letters(&self) -> Vec<String> {
        let ids: Vec<&str> = self.services.iter().map(|s| s.id.as_str()).collect();
        anonymous_letters(&ids)
    }

    /// A text from the data (a label, the cluster's name) fit for a face without names: every
    /// service's name in it is replaced by its letter, longest names first so that no part of
    /// one is left.
    pub fn without_names(&self, text: &str) -> String {
        let mut named: Vec<(&str, String)> = (self.services.iter())
            .map(|s| s.name.as_str())
            .zip(self.letters())
            .filter(|(name, _)| !name.trim().is_empty())
            .collect();
        named.sort_by_key(|(name, _)| std::cmp::Reverse(name.chars().count()));
        let mut out = text.to_string();
        for (name, letter) in named {
            out = replace_ignoring_case(&out, name, &letter);
        }
        out
    }

    /// The gathering a round is tied to, if any.
    pub fn gathering_of(&self, round: &Round) -> Option<&Gathering> {
        self.tied
            .get(&round.id)
            .map(|&place| &self.gatherings[place])
    }

    /// The first gathering after `day`, if one is planned.
    pub fn next_gathering(&self, day: NaiveDate) -> Option<&Gathering> {
        self.gatherings.iter().find(|g| g.held_on > day)
    }

    fn stands_at(&self, round: &Round, point: &Point) -> bool {
        match point {
            Point::Gathering(gathering) => self
                .gathering_of(round)
                .is_some_and(|g| g.id == gathering.id),
            Point::Label(label) => &round.label == label && !self.tied.contains_key(&round.id),
        }
    }
}

/// The points of the year, in date order (a gathering before a label on the same day, then
/// in the order found): each gathering some round is tied to, each label of an untied round.
fn points<'a>(
    gatherings: &[Gathering],
    tied: &HashMap<String, usize>,
    rounds: impl Iterator<Item = &'a Round>,
) -> Vec<Point> {
    let mut dated: Vec<(NaiveDate, u8, Point)> = (gatherings.iter().enumerate())
        .filter(|(place, _)| tied.values().any(|p| p == place))
        .map(|(_, gathering)| (gathering.held_on, 0, Point::Gathering(gathering.clone())))
        .collect();
    let mut untied: Vec<&Round> = rounds.filter(|r| !tied.contains_key(&r.id)).collect();
    untied.sort_by_key(|r| r.held_on);
    for round in untied {
        let seen = dated
            .iter()
            .any(|(_, _, p)| matches!(p, Point::Label(l) if l == &round.label));
        if !seen {
            dated.push((round.held_on, 1, Point::Label(round.label.clone())));
        }
    }
    dated.sort_by_key(|(day, order, _)| (*day, *order));
    dated.into_iter().map(|(_, _, point)| point).collect()
}

/// `text` with every occurrence of `name` replaced by `by`, whatever the case.
fn replace_ignoring_case(text: &str, name: &str, by: &str) -> String {
    let lower_text = text.to_lowercase();
    let lower_name = name.to_lowercase();
    // Lowercasing can change a text's length; then the whole text is withheld rather than
    // risk a name left in it.
    if lower_text.len() != text.len() || lower_name.len() != name.len() {
        return if lower_text.contains(&lower_name) {
            by.to_string()
        } else {
            text.to_string()
        };
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (start, _) in lower_text.match_indices(&lower_name) {
        if start < rest {
            continue;
        }
        out.push_str(&text[rest..start]);
        out.push_str(by);
        rest = start + name.len();
    }
    out.push_str(&text[rest..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_replaced_whatever_its_case() {
        assert_eq!(
            replace_ignoring_case("Før Fjellbygd og FJELLBYGD", "fjellbygd", "B"),
            "Før B og B"
        );
        assert_eq!(
            replace_ignoring_case("Før samling 1", "Dal", "A"),
            "Før samling 1"
        );
    }
}
