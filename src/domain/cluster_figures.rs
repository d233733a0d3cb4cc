//! The cluster's figures: how its services spread across the bands in each section and
//! subdomain, how that moved between two points of the year, and the subdomains where most
//! of them are weak. The figures count services, not people, and every one carries its n.
//!
//! One rule for small groups for every face of a service's figures (`Behind::too_few`):
//! the aggregated export suppresses a row by it, and the cluster report counts such a
//! subdomain of the service as "too few" and nothing else — its band is in no count, no
//! movement and no weak area. A section is too few where any of its subdomains is, so that
//! no hidden subdomain can be worked back from the section and the others. A round with
//! fewer respondents than the smallest group has every answered subdomain too few, except
//! the facts it asks the leader alone: the report shows what the export shows.
//! (docs/compare-and-report.md, docs/analysis.md.)

use super::instrument::{Asked, Subdomain};
use super::model::{Role, RoundKind};
use super::scoring::{Band, SectionScore, Tally};

/// The bands a subdomain is weak in, and the rule that makes it a shared weak area: more
/// than half of the services scored in it are in one of these bands (the lowest, priority).
/// Services too few there (`Behind::too_few`), or without a score, are not among those scored.
pub const WEAK_BANDS: [Band; 1] = [Band::Priority];

/// Who stands behind one service's figure in one subdomain of one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behind {
    /// Respondents with any answer in the subdomain.
    pub answered: usize,
    /// Those of them with a scored answer.
    pub scored: usize,
    /// The round puts the subdomain to the leader alone (`leaders_only`).
    pub leaders_only: bool,
}

impl Behind {
    /// Too few to show, under the smallest group `min_group` (already held to the floor):
    /// fewer than `min_group` answered, or some but fewer than `min_group` gave a score (the
    /// score would be theirs). Where no one answered there is nothing to hide, and the facts
    /// a round asks the leader alone are the service's, no one's view: never too few.
    pub fn too_few(&self, min_group: usize) -> bool {
        !self.leaders_only
            && self.answered > 0
            && (self.answered < min_group || (self.scored > 0 && self.scored < min_group))
    }
}

/// A subdomain whose items a round of `kind` puts to the leader alone: facts only the
/// leader can know (a signed agreement, a data routine), answered for the service.
pub fn leaders_only(subdomain: &Subdomain, kind: RoundKind) -> bool {
    Role::ALL.into_iter().all(|role| {
        let slots = subdomain.slots(Asked::new(kind, role));
        if role == Role::Leader {
            slots > 0
        } else {
            slots == 0
        }
    })
}

/// Where one service stands at one point of the cluster's year.
#[derive(Debug, Clone, PartialEq)]
pub enum Standing {
    /// No round of the service stands at the point.
    NoRound,
    /// A round, with its respondents, its scores and the areas too few to show.
    Round {
        respondents: usize,
        sections: Vec<SectionScore>,
        hidden: Vec<AreaKey>,
    },
}

/// Where one service stands in one area at one point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    NoRound,
    TooFew,
    NoScore,
    Band(Band),
}

impl Standing {
    /// A round's standing under the smallest group `min_group` (already held to the floor):
    /// `behind` says who stands behind each subdomain (a subdomain missing there has no one).
    pub fn of(
        respondents: usize,
        sections: Vec<SectionScore>,
        behind: &[(AreaKey, Behind)],
        min_group: usize,
    ) -> Standing {
        let hidden_subdomains: Vec<&AreaKey> = behind
            .iter()
            .filter(|(_, b)| b.too_few(min_group))
            .map(|(area, _)| area)
            .collect();
        // A section with a hidden subdomain: it and the others shown would give it away.
        let mut hidden: Vec<AreaKey> = Vec::new();
        for area in &hidden_subdomains {
            let section = AreaKey {
                section: area.section.clone(),
                subdomain: None,
            };
            if !hidden.contains(&section) {
                hidden.push(section);
            }
        }
        hidden.extend(hidden_subdomains.into_iter().cloned());
        Standing::Round {
            respondents,
            sections,
            hidden,
        }
    }

    /// The area is too few to show for this service.
    pub fn is_hidden(&self, area: &AreaKey) -> bool {
        matches!(self, Standing::Round { hidden, .. } if hidden.contains(area))
    }

    /// The tally of an area (a section, or a subdomain of it) where it is shown.
    pub fn tally(&self, area: &AreaKey) -> Option<&Tally> {
        let Standing::Round { sections, .. } = self else {
            return None;
        };
        if self.is_hidden(area) {
            return None;
        }
        let section = sections.iter().find(|s| s.key == area.section)?;
        match &area.subdomain {
            None => Some(&section.tally),
            Some(key) => section
                .subdomains
                .iter()
                .find(|s| &s.key == key)
                .map(|s| &s.tally),
        }
    }

    /// The area's band, where it is shown and scored.
    pub fn band(&self, area: &AreaKey) -> Option<Band> {
        self.tally(area).and_then(Tally::band)
    }

    pub fn place(&self, area: &AreaKey) -> Place {
        match self {
            Standing::NoRound => Place::NoRound,
            _ if self.is_hidden(area) => Place::TooFew,
            _ => self.band(area).map_or(Place::NoScore, Place::Band),
        }
    }
}

/// A section (without a subdomain) or one of its subdomains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaKey {
    pub section: String,
    pub subdomain: Option<String>,
}

/// Every section followed by its subdomains, in the order of `sections`.
pub fn areas_of(sections: &[SectionScore]) -> Vec<AreaKey> {
    sections
        .iter()
        .flat_map(|section| {
            std::iter::once(AreaKey {
                section: section.key.clone(),
                subdomain: None,
            })
            .chain(section.subdomains.iter().map(|sub| AreaKey {
                section: section.key.clone(),
                subdomain: Some(sub.key.clone()),
            }))
        })
        .collect()
}

/// How many services of the cluster are in each band in one area at one point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spread {
    pub area: AreaKey,
    pub in_place: usize,
    pub partly: usize,
    pub priority: usize,
    /// Services shown, without a scored answer in the area.
    pub no_score: usize,
    /// Services too few to show in the area (`Behind::too_few`).
    pub too_few: usize,
    /// Services with a round at the point: the whole the counts above add up to.
    pub n: usize,
}

impl Spread {
    /// The services with a band in the area.
    pub fn scored(&self) -> usize {
        self.in_place + self.partly + self.priority
    }

    pub fn count(&self, band: Band) -> usize {
        match band {
            Band::InPlace => self.in_place,
            Band::Partly => self.partly,
            Band::Priority => self.priority,
        }
    }

    /// More than half of the services scored are in `WEAK_BANDS`.
    pub fn is_shared_weak(&self) -> bool {
        let weak: usize = WEAK_BANDS.iter().map(|&band| self.count(band)).sum();
        weak * 2 > self.scored()
    }
}

/// The band spread of every area in `areas` over the services' standings at one point.
pub fn spread(areas: &[AreaKey], standings: &[Standing]) -> Vec<Spread> {
    areas
        .iter()
        .map(|area| {
            let mut spread = Spread {
                area: area.clone(),
                in_place: 0,
                partly: 0,
                priority: 0,
                no_score: 0,
                too_few: 0,
                n: 0,
            };
            for standing in standings {
                match standing.place(area) {
                    Place::NoRound => continue,
                    Place::TooFew => spread.too_few += 1,
                    Place::NoScore => spread.no_score += 1,
                    Place::Band(Band::InPlace) => spread.in_place += 1,
                    Place::Band(Band::Partly) => spread.partly += 1,
                    Place::Band(Band::Priority) => spread.priority += 1,
                }
                spread.n += 1;
            }
            spread
        })
        .collect()
}

/// The subdomains (never a whole section) that are shared weak areas, in instrument order.
pub fn shared_weak(spreads: &[Spread]) -> Vec<&Spread> {
    spreads
        .iter()
        .filter(|s| s.area.subdomain.is_some() && s.is_shared_weak())
        .collect()
}

/// How the services moved between two points in one area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub area: AreaKey,
    pub up: usize,
    pub stayed: usize,
    pub down: usize,
    /// Services without a band at both points: no round, too few, or no score there.
    pub not_comparable: usize,
    /// Every service of the cluster: the whole the counts above add up to.
    pub n: usize,
}

/// A band's rank, lowest first: moving up is moving to a higher rank.
fn rank(band: Band) -> u8 {
    match band {
        Band::Priority => 0,
        Band::Partly => 1,
        Band::InPlace => 2,
    }
}

/// Per area, the services that moved up a band, stayed, or moved down from `from` to `to`
/// (each service's standing at both points, in the same order).
pub fn movement(areas: &[AreaKey], from: &[Standing], to: &[Standing]) -> Vec<Movement> {
    areas
        .iter()
        .map(|area| {
            let mut movement = Movement {
                area: area.clone(),
                up: 0,
                stayed: 0,
                down: 0,
                not_comparable: 0,
                n: from.len().max(to.len()),
            };
            for index in 0..movement.n {
                let band = |side: &[Standing]| side.get(index).and_then(|s| s.band(area));
                match (band(from), band(to)) {
                    (Some(a), Some(b)) => match rank(b).cmp(&rank(a)) {
                        std::cmp::Ordering::Greater => movement.up += 1,
                        std::cmp::Ordering::Equal => movement.stayed += 1,
                        std::cmp::Ordering::Less => movement.down += 1,
                    },
                    _ => movement.not_comparable += 1,
                }
            }
            movement
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scoring::SubdomainScore;

    /// A tally whose score is `percent` over four scored answers (a quarter each).
    fn scored(percent: Option<f64>) -> Tally {
        match percent {
            None => Tally::default(),
            Some(p) => Tally {
                slots: 4,
                scored: 4,
                fraction_sum: 4.0 * p / 100.0,
                dont_know: 0,
                not_applicable: 0,
            },
        }
    }

    /// One section "fit" with the subdomains "a" and "b", scored as given; every one of
    /// the respondents answered and scored where a subdomain has a score, none where not.
    fn shown(respondents: usize, section: f64, a: Option<f64>, b: Option<f64>) -> Standing {
        let behind = |score: Option<f64>| Behind {
            answered: if score.is_some() { respondents } else { 0 },
            scored: if score.is_some() { respondents } else { 0 },
            leaders_only: false,
        };
        Standing::of(
            respondents,
            vec![SectionScore {
                key: "fit".into(),
                tally: scored(Some(section)),
                subdomains: vec![
                    SubdomainScore {
                        key: "a".into(),
                        tally: scored(a),
                    },
                    SubdomainScore {
                        key: "b".into(),
                        tally: scored(b),
                    },
                ],
            }],
            &[(key(Some("a")), behind(a)), (key(Some("b")), behind(b))],
            3,
        )
    }

    fn key(subdomain: Option<&str>) -> AreaKey {
        AreaKey {
            section: "fit".into(),
            subdomain: subdomain.map(str::to_string),
        }
    }

    /// Four services at two points, worked out by hand:
    ///
    /// | service | first: fit, a, b      | second: fit, a, b        |
    /// | ------- | --------------------- | ------------------------ |
    /// | S1      | 75 ◐, 25 ○, 100 ●     | 80 ●, 50 ◐, 100 ●        |
    /// | S2      | 50 ◐, 25 ○, none      | 25 ○, 0 ○, 50 ◐          |
    /// | S3      | 2 respondents: too few| 90 ●, 25 ○, 75 ◐         |
    /// | S4      | 100 ●, 75 ◐, 100 ●    | no round                 |
    fn points() -> (Vec<Standing>, Vec<Standing>) {
        (
            vec![
                shown(3, 75.0, Some(25.0), Some(100.0)),
                shown(4, 50.0, Some(25.0), None),
                shown(2, 0.0, Some(0.0), Some(0.0)),
                shown(5, 100.0, Some(75.0), Some(100.0)),
            ],
            vec![
                shown(3, 80.0, Some(50.0), Some(100.0)),
                shown(4, 25.0, Some(0.0), Some(50.0)),
                shown(3, 90.0, Some(25.0), Some(75.0)),
                Standing::NoRound,
            ],
        )
    }

    #[test]
    fn areas_are_each_section_then_its_subdomains() {
        let (first, _) = points();
        let Standing::Round { sections, .. } = &first[0] else {
            panic!("shown")
        };
        assert_eq!(
            areas_of(sections),
            [key(None), key(Some("a")), key(Some("b"))]
        );
    }

    #[test]
    fn a_round_under_the_smallest_group_is_too_few_and_nothing_else() {
        let (first, _) = points();
        for area in [key(None), key(Some("a")), key(Some("b"))] {
            assert_eq!(first[2].place(&area), Place::TooFew, "{area:?}");
            assert_eq!(first[2].band(&area), None);
        }
    }

    #[test]
    fn the_one_rule_hides_too_few_answering_or_scoring_and_never_the_leaders_facts() {
        let behind = |answered, scored, leaders_only| Behind {
            answered,
            scored,
            leaders_only,
        };
        assert!(!behind(3, 3, false).too_few(3));
        assert!(behind(2, 2, false).too_few(3));
        // Three answered, but the score is two people's.
        assert!(behind(3, 2, false).too_few(3));
        // Three said only "don't know": a finding, and no one's score.
        assert!(!behind(3, 0, false).too_few(3));
        assert!(!behind(0, 0, false).too_few(3));
        // The leader's facts, one person's answer: the service's, shown.
        assert!(!behind(1, 1, true).too_few(3));
        assert!(behind(3, 3, false).too_few(4));
    }

    #[test]
    fn a_hidden_subdomain_hides_its_section_and_leaves_the_other_shown() {
        // Four respondents, "a" scored by all four (50 %), "b" by two of them (100 %).
        let standing = Standing::of(
            4,
            vec![SectionScore {
                key: "fit".into(),
                tally: scored(Some(75.0)),
                subdomains: vec![
                    SubdomainScore {
                        key: "a".into(),
                        tally: scored(Some(50.0)),
                    },
                    SubdomainScore {
                        key: "b".into(),
                        tally: scored(Some(100.0)),
                    },
                ],
            }],
            &[
                (
                    key(Some("a")),
                    Behind {
                        answered: 4,
                        scored: 4,
                        leaders_only: false,
                    },
                ),
                (
                    key(Some("b")),
                    Behind {
                        answered: 4,
                        scored: 2,
                        leaders_only: false,
                    },
                ),
            ],
            3,
        );
        assert_eq!(standing.place(&key(Some("a"))), Place::Band(Band::Partly));
        assert_eq!(standing.place(&key(Some("b"))), Place::TooFew);
        // 75 % with "a" at 50 % would give "b" away.
        assert_eq!(standing.place(&key(None)), Place::TooFew);
    }

    #[test]
    fn the_band_spread_counts_services_with_the_too_few_apart() {
        let (first, second) = points();
        let areas = [key(None), key(Some("a")), key(Some("b"))];
        let counts = |s: &Spread| (s.in_place, s.partly, s.priority, s.no_score, s.too_few, s.n);
        let at_first: Vec<_> = spread(&areas, &first).iter().map(counts).collect();
        // fit: S4 ●, S1 S2 ◐, S3 too few; a: S4 ◐, S1 S2 ○; b: S1 S4 ●, S2 no score.
        assert_eq!(
            at_first,
            [(1, 2, 0, 0, 1, 4), (0, 1, 2, 0, 1, 4), (2, 0, 0, 1, 1, 4)]
        );
        let at_second: Vec<_> = spread(&areas, &second).iter().map(counts).collect();
        // S4 has no round: n 3. fit: S1 S3 ●, S2 ○; a: S1 ◐, S2 S3 ○; b: S1 ●, S2 S3 ◐.
        assert_eq!(
            at_second,
            [(2, 0, 1, 0, 0, 3), (0, 1, 2, 0, 0, 3), (1, 2, 0, 0, 0, 3)]
        );
    }

    #[test]
    fn movement_counts_only_services_with_a_band_at_both_points() {
        let (first, second) = points();
        let areas = [key(None), key(Some("a")), key(Some("b"))];
        let counts: Vec<_> = movement(&areas, &first, &second)
            .iter()
            .map(|m| (m.up, m.stayed, m.down, m.not_comparable, m.n))
            .collect();
        // fit: S1 ◐→● up, S2 ◐→○ down, S3 too few first, S4 no round second.
        // a: S1 ○→◐ up, S2 ○→○ stayed. b: S1 ●→● stayed, S2 no score first.
        assert_eq!(counts, [(1, 0, 1, 2, 4), (1, 1, 0, 2, 4), (0, 1, 0, 3, 4)]);
    }

    #[test]
    fn a_subdomain_is_shared_weak_when_more_than_half_scored_are_priority() {
        let (first, second) = points();
        let areas = [key(None), key(Some("a")), key(Some("b"))];
        // First: a has 2 of 3 scored in priority (S3 too few is not among them): weak.
        let at_first = spread(&areas, &first);
        let weak: Vec<_> = shared_weak(&at_first)
            .iter()
            .map(|s| s.area.clone())
            .collect();
        assert_eq!(weak, [key(Some("a"))]);
        // Second: a 2 of 3 again; fit has 1 of 3 and is a section, never listed.
        let at_second = spread(&areas, &second);
        assert_eq!(shared_weak(&at_second).len(), 1);
        // Exactly half is not more than half.
        let half = spread(
            &[key(Some("a"))],
            &[
                shown(3, 50.0, Some(25.0), None),
                shown(3, 50.0, Some(50.0), None),
            ],
        );
        assert!(shared_weak(&half).is_empty());
    }
}
