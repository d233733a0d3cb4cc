//! The aggregated export's rows, made once for any face: one per service × round ×
//! subdomain, from the cluster's line-up (`cluster::LineUp`: its services, their rounds and
//! the gathering each round is tied to) and the kept scores (`Scores::round_scores`).
//! Small groups are held back by the one rule the cluster report counts by too
//! (`cluster_figures::Behind::too_few`, under `compare::min_group`); the facts a round asks
//! the leader alone are the service's, shown.

use chrono::NaiveDate;

use crate::domain::cluster::{GatheringKind, anonymous_letters};
use crate::domain::cluster_figures::{Behind, leaders_only};
use crate::domain::compare::{Options, min_group};
use crate::domain::instrument::Instrument;
use crate::domain::model::{Round, Service};
use crate::domain::scoring::{Tally, subdomain_key};
use crate::exchange::subdomain_table::{Figures, SubdomainRow};
use crate::store::{Backend, RoundScores, StoreError};

use super::cluster::LineUp;
use super::rounds::RoundData;

/// Which services the rows are of.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every cluster, then the services in none.
    All,
    /// The cluster by the name its services carry.
    Cluster(&'a str),
    /// One service, with its cluster's gatherings when it has one.
    Service(&'a Service),
}

/// How the rows are made: without the services' names (their letters instead, and no
/// round labels, which are the services' own text), and the smallest group shown.
#[derive(Debug, Clone, Copy)]
pub struct Aggregation {
    pub anonymous: bool,
    pub min_group: usize,
}

/// The rows of `scope`: clusters by name, services as the line-up orders them (by name;
/// anonymous, by letter, so that the order says nothing either), rounds by the day held,
/// subdomains in the instrument's order.
pub fn subdomain_rows(
    store: &impl Backend,
    instrument: &Instrument,
    scope: Scope<'_>,
    how: Aggregation,
) -> Result<Vec<SubdomainRow>, StoreError> {
    let how = Aggregation {
        min_group: min_group(how.min_group),
        ..how
    };
    let mut rows = Vec::new();
    match scope {
        Scope::Cluster(name) => {
            let line_up = LineUp::load(store, name)?;
            cluster_rows(store, instrument, &line_up, None, how, &mut rows)?;
        }
        Scope::Service(service) if service.cluster.is_empty() => {
            unclustered_rows(
                store,
                instrument,
                std::slice::from_ref(service),
                how,
                &mut rows,
            )?;
        }
        Scope::Service(service) => {
            let line_up = LineUp::load(store, &service.cluster)?;
            cluster_rows(
                store,
                instrument,
                &line_up,
                Some(&service.id),
                how,
                &mut rows,
            )?;
        }
        Scope::All => {
            let mut clusters = store.clusters()?;
            clusters.sort_by_key(|c| c.cluster.name.to_lowercase());
            for summary in clusters.iter().filter(|c| !c.services.is_empty()) {
                let line_up = LineUp::load(store, &summary.cluster.name)?;
                cluster_rows(store, instrument, &line_up, None, how, &mut rows)?;
            }
            let alone: Vec<Service> = store
                .service_list()?
                .into_iter()
                .filter(|s| s.cluster.is_empty())
                .collect();
            unclustered_rows(store, instrument, &alone, how, &mut rows)?;
        }
    }
    Ok(rows)
}

/// The rows of a cluster's services (only `only`, when given), each round with the
/// gathering the line-up ties it to.
fn cluster_rows(
    store: &impl Backend,
    instrument: &Instrument,
    line_up: &LineUp,
    only: Option<&str>,
    how: Aggregation,
    rows: &mut Vec<SubdomainRow>,
) -> Result<(), StoreError> {
    let letters = line_up.letters();
    let mut order: Vec<usize> = (0..line_up.services.len()).collect();
    if how.anonymous {
        // The letters' order is the ids' order.
        order.sort_by_key(|&i| &line_up.services[i].id);
    }
    for i in order {
        let service = &line_up.services[i];
        if only.is_some_and(|id| id != service.id) {
            continue;
        }
        let name = if how.anonymous {
            letters[i].clone()
        } else {
            service.name.clone()
        };
        for summary in &line_up.rounds[i] {
            let round = &summary.round;
            let whose = Whose {
                service: &name,
                cluster: &service.cluster,
                round,
                gathering: line_up.gathering_of(round).map(|g| (g.held_on, g.kind)),
            };
            round_rows(store, instrument, &whose, how, rows)?;
        }
    }
    Ok(())
}

/// The rows of services in no cluster: no gatherings to tie a round to.
fn unclustered_rows(
    store: &impl Backend,
    instrument: &Instrument,
    services: &[Service],
    how: Aggregation,
    rows: &mut Vec<SubdomainRow>,
) -> Result<(), StoreError> {
    let ids: Vec<&str> = services.iter().map(|s| s.id.as_str()).collect();
    let letters = anonymous_letters(&ids);
    for (service, letter) in services.iter().zip(letters) {
        let name = if how.anonymous {
            letter
        } else {
            service.name.clone()
        };
        for summary in store.rounds(&service.id)? {
            let whose = Whose {
                service: &name,
                cluster: "",
                round: &summary.round,
                gathering: None,
            };
            round_rows(store, instrument, &whose, how, rows)?;
        }
    }
    Ok(())
}

/// A round with what its rows say of it: the service as shown, its cluster, and the
/// gathering it is tied to.
struct Whose<'a> {
    service: &'a str,
    cluster: &'a str,
    round: &'a Round,
    gathering: Option<(NaiveDate, GatheringKind)>,
}

/// One round's rows: the tallies from the kept scores, the respondents behind them from
/// the round's answers as every figure counts them (`RoundData::load`).
fn round_rows(
    store: &impl Backend,
    instrument: &Instrument,
    whose: &Whose<'_>,
    how: Aggregation,
    rows: &mut Vec<SubdomainRow>,
) -> Result<(), StoreError> {
    let round = whose.round;
    let options = Options::default();
    let kept: RoundScores = store
        .round_scores(instrument, &[&round.id], options)?
        .into_iter()
        .next()
        .unwrap_or(RoundScores {
            respondents: 0,
            apart: 0,
            sections: Vec::new(),
        });
    let behind = RoundData::load(store, round.clone())?.behind(instrument, options);
    for (section, scores) in instrument.sections.iter().zip(&kept.sections) {
        if instrument.scale(&section.scale).is_none() {
            continue;
        }
        for (subdomain, score) in section.subdomains.iter().zip(&scores.subdomains) {
            // Every subdomain of a section with a scale is in `behind`; one missing would
            // have no one behind it.
            let here = behind
                .iter()
                .find(|(area, _)| {
                    area.section == section.key
                        && area.subdomain.as_deref() == Some(subdomain.key.as_str())
                })
                .map_or(
                    Behind {
                        answered: 0,
                        scored: 0,
                        leaders_only: leaders_only(subdomain, round.kind),
                    },
                    |(_, b)| *b,
                );
            rows.push(SubdomainRow {
                service: whose.service.to_string(),
                cluster: whose.cluster.to_string(),
                round: if how.anonymous {
                    String::new()
                } else {
                    round.label.clone()
                },
                round_held_on: (!how.anonymous).then_some(round.held_on),
                round_kind: round.kind,
                gathering: whose.gathering,
                section: section.key.clone(),
                subdomain: subdomain_key(section, subdomain),
                n: here.answered,
                figures: figures(&score.tally, here, how.min_group),
            });
        }
    }
    Ok(())
}

/// A row's figures, or none where too few stand behind them by the one rule for small
/// groups (`Behind::too_few`, which the cluster report counts by too).
fn figures(tally: &Tally, behind: Behind, min_group: usize) -> Figures {
    if behind.too_few(min_group) {
        return Figures::Suppressed;
    }
    shown(tally)
}

fn shown(tally: &Tally) -> Figures {
    Figures::Shown {
        score: tally.percent(),
        band: tally.band(),
        scored: tally.scored,
        dont_know: tally.dont_know,
        not_applicable: tally.not_applicable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(scored: u32, fraction_sum: f64, dont_know: u32) -> Tally {
        Tally {
            slots: 0,
            scored,
            fraction_sum,
            dont_know,
            not_applicable: 0,
        }
    }

    fn behind(answered: usize, scored: usize) -> Behind {
        Behind {
            answered,
            scored,
            leaders_only: false,
        }
    }

    #[test]
    fn too_few_behind_a_figure_hide_it_and_no_one_hides_nothing() {
        // 3 respondents, 6 scored answers summing to 4.5: 75 %.
        let t = tally(6, 4.5, 1);
        assert_eq!(
            figures(&t, behind(3, 3), 3),
            Figures::Shown {
                score: Some(75.0),
                band: Some(crate::domain::scoring::Band::Partly),
                scored: 6,
                dont_know: 1,
                not_applicable: 0,
            }
        );
        assert_eq!(figures(&t, behind(2, 2), 3), Figures::Suppressed);
        // Three answered, but the score is two people's.
        assert_eq!(figures(&t, behind(3, 2), 3), Figures::Suppressed);
        // Three said only "don't know": a finding, and no one's score.
        let dont_know = tally(0, 0.0, 6);
        assert!(matches!(
            figures(&dont_know, behind(3, 0), 3),
            Figures::Shown {
                score: None,
                dont_know: 6,
                ..
            }
        ));
        assert!(matches!(
            figures(&Tally::default(), behind(0, 0), 3),
            Figures::Shown { score: None, .. }
        ));
    }
}
