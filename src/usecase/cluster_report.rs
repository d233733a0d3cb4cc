//! The cluster report's model, loaded once for every face: the cluster's year lined up
//! (`LineUp`), each service's standing at the last two points, the band spread, the
//! movement and the shared weak areas (`domain::cluster_figures`), the needs the services
//! share at the last point (`domain::shared_needs`, as the cluster overview's needs view),
//! attendance and between-work per gathering, and a line per service.

use chrono::NaiveDate;

use crate::domain::cluster::{Attendance, Gathering};
use crate::domain::cluster_figures::{
    AreaKey, Movement, Spread, Standing, areas_of, movement, spread,
};
use crate::domain::compare::{Options, min_group};
use crate::domain::instrument::Instrument;
use crate::domain::needs::{Area, CompetenceAreas, YesPartlyNo};
use crate::domain::scoring::summarize;
use crate::domain::shared_needs::{SharedNeeds, shared_needs};
use crate::store::{Backend, RoundSummary, StoreError};

use super::cluster::{LineUp, Point};
use super::rounds::RoundData;

/// One service's line: its latest round, where it stands there, and its between-work after
/// the last gathering held.
#[derive(Debug, Clone)]
pub struct ServiceLine {
    pub latest: Option<RoundSummary>,
    pub standing: Standing,
    pub between_work: Option<YesPartlyNo>,
}

pub struct ClusterReport {
    pub line_up: LineUp,
    /// The smallest group shown, held to the floor.
    pub min_group: usize,
    /// Every section followed by its subdomains, in instrument order.
    pub areas: Vec<AreaKey>,
    /// The last point of the year some round stands at, with the band spread there.
    pub last: Option<(Point, Vec<Spread>)>,
    /// The point before it, and the movement from there to the last.
    pub movement: Option<(Point, Vec<Movement>)>,
    /// The needs the services share at the last point, and the areas each service weighs
    /// (in the order of the line-up's services).
    pub needs: SharedNeeds,
    pub weighed: Vec<Vec<Area>>,
    /// Per gathering (in the line-up's order), each service's attendance, if recorded.
    pub attendance: Vec<Vec<Option<Attendance>>>,
    /// The last gathering held by `today`.
    pub last_gathering: Option<Gathering>,
    /// One line per service, in the line-up's order.
    pub lines: Vec<ServiceLine>,
}

impl ClusterReport {
    /// The report of the cluster named `name` as it stands on `today`; `NotFound("cluster")`
    /// when there is none.
    pub fn load(
        store: &impl Backend,
        instrument: &Instrument,
        name: &str,
        requested_min_group: usize,
        options: Options,
        today: NaiveDate,
    ) -> Result<ClusterReport, StoreError> {
        let line_up = LineUp::load(store, name)?;
        let min_group = min_group(requested_min_group);
        let standings_at = |rounds: &[Option<&RoundSummary>]| -> Result<Vec<Standing>, StoreError> {
            standings(store, instrument, rounds, Some(min_group), options)
        };
        let points = &line_up.points;
        let last = points.last().cloned();
        let last_standings = match &last {
            Some(point) => standings_at(&line_up.at(point))?,
            None => Vec::new(),
        };
        let areas = areas_of(&summarize(instrument, &[]));
        let movement = match points.len() {
            n if n >= 2 => {
                let before = &points[n - 2];
                let from = standings_at(&line_up.at(before))?;
                Some((before.clone(), movement(&areas, &from, &last_standings)))
            }
            _ => None,
        };

        let mut weighed = Vec::new();
        let mut services_needs = Vec::new();
        let at_last = last.as_ref().map(|p| line_up.at(p)).unwrap_or_default();
        for (index, service) in line_up.services.iter().enumerate() {
            let areas = store.areas(&service.id)?;
            let needs = match at_last.get(index).copied().flatten() {
                Some(round) => store.needs(&round.round.id)?,
                None => Vec::new(),
            };
            weighed.push(areas.clone());
            services_needs.push((areas, needs));
        }
        let needs = shared_needs(&CompetenceAreas::standard().areas, &services_needs);

        let mut attendance = Vec::new();
        for gathering in &line_up.gatherings {
            let recorded = store.attendances(&gathering.id)?;
            attendance.push(
                line_up
                    .services
                    .iter()
                    .map(|s| recorded.iter().find(|a| a.service_id == s.id).cloned())
                    .collect::<Vec<_>>(),
            );
        }
        let held = line_up.gatherings.iter().rposition(|g| g.held_on <= today);
        let last_gathering = held.map(|i| line_up.gatherings[i].clone());

        let latest: Vec<Option<&RoundSummary>> =
            line_up.rounds.iter().map(|rounds| rounds.last()).collect();
        let latest_standings = standings_at(&latest)?;
        let lines = latest
            .iter()
            .zip(latest_standings)
            .enumerate()
            .map(|(index, (round, standing))| ServiceLine {
                latest: round.cloned(),
                standing,
                between_work: held
                    .and_then(|g| attendance[g][index].as_ref())
                    .and_then(|a| a.between_work),
            })
            .collect();
        let last = last.map(|point| (point, spread(&areas, &last_standings)));

        Ok(ClusterReport {
            line_up,
            min_group,
            areas,
            last,
            movement,
            needs,
            weighed,
            attendance,
            last_gathering,
            lines,
        })
    }
}

/// Each service's standing at its round (or without one), all from one read of the kept
/// scores. With `hide_below` (the smallest group), who stands behind each subdomain as the
/// aggregated export counts them (`RoundData::behind`, which reads the round's answers), so
/// that the report hides what the export hides, and the cluster overview's view for the
/// programme owner too; without it nothing is hidden and no answers are read (the named
/// overview, stepped through on every key).
pub fn standings(
    store: &impl Backend,
    instrument: &Instrument,
    rounds: &[Option<&RoundSummary>],
    hide_below: Option<usize>,
    options: Options,
) -> Result<Vec<Standing>, StoreError> {
    let ids: Vec<&str> = rounds
        .iter()
        .flatten()
        .map(|r| r.round.id.as_str())
        .collect();
    let mut kept = store.round_scores(instrument, &ids, options)?.into_iter();
    let mut standings = Vec::with_capacity(rounds.len());
    for round in rounds {
        let standing = match round.and_then(|r| kept.next().map(|scores| (r, scores))) {
            Some((round, scores)) => match hide_below {
                Some(min_group) => {
                    let behind =
                        RoundData::load(store, round.round.clone())?.behind(instrument, options);
                    Standing::of(scores.respondents, scores.sections, &behind, min_group)
                }
                None => Standing::of(scores.respondents, scores.sections, &[], 0),
            },
            None => Standing::NoRound,
        };
        standings.push(standing);
    }
    Ok(standings)
}
