//! Comparing rounds: change per section, subdomain and item, spread between respondents,
//! and groups by role. Only items with the same key are compared.

use std::collections::{BTreeSet, HashMap};

use super::instrument::{Instrument, ItemRef};
use super::model::{Response, Role};
use super::scoring::{AnswerSet, SectionScore, Tally, summarize};

/// A change of 10 percentage points or more is notable (DOMAIN.md).
pub const NOTABLE_POINTS: f64 = 10.0;

/// Groups smaller than this are never shown, so no single person's answers can be read.
pub const DEFAULT_MIN_GROUP: usize = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub key: String,
    pub from: Tally,
    pub to: Tally,
}

impl Change {
    /// Percentage points from `from` to `to`, where both have a score: the difference of
    /// the reported (whole) percents.
    pub fn delta(&self) -> Option<f64> {
        Some(self.to.percent()? - self.from.percent()?)
    }

    pub fn notable(&self) -> bool {
        self.delta().is_some_and(|d| d.abs() >= NOTABLE_POINTS)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionChange {
    pub change: Change,
    pub subdomains: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemChange {
    pub key: String,
    /// Mean of the scored values, on the item's own scale.
    pub from_mean: Option<f64>,
    pub to_mean: Option<f64>,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub n_from: usize,
    pub n_to: usize,
    pub sections: Vec<SectionChange>,
    /// Comparable items, the largest change first; items without a score in one of the
    /// rounds last.
    pub items: Vec<ItemChange>,
    /// Item keys answered in one round only, or unknown to the instrument: listed, never
    /// silently dropped.
    pub not_comparable: Vec<String>,
}

fn mean(values: &[u8]) -> Option<f64> {
    (!values.is_empty())
        .then(|| values.iter().map(|v| f64::from(*v)).sum::<f64>() / values.len() as f64)
}

fn scored_values(key: &str, sets: &[&AnswerSet]) -> Vec<u8> {
    sets.iter()
        .filter_map(|set| match set.get(key)?.response? {
            Response::Score(v) => Some(v),
            _ => None,
        })
        .collect()
}

fn item_tally(item: &ItemRef<'_>, sets: &[&AnswerSet]) -> Tally {
    let mut tally = Tally::default();
    for set in sets {
        tally.add(set.get(&item.item.key).and_then(|a| a.response), item.scale);
    }
    tally
}

/// Compares the answers of two rounds of one service.
pub fn compare(instrument: &Instrument, from: &[&AnswerSet], to: &[&AnswerSet]) -> Comparison {
    let before = summarize(instrument, from);
    let after = summarize(instrument, to);
    let sections = before
        .iter()
        .zip(&after)
        .map(|(b, a)| SectionChange {
            change: Change {
                key: b.key.clone(),
                from: b.tally,
                to: a.tally,
            },
            subdomains: b
                .subdomains
                .iter()
                .zip(&a.subdomains)
                .map(|(bs, as_)| Change {
                    key: format!("{}.{}", b.key, bs.key),
                    from: bs.tally,
                    to: as_.tally,
                })
                .collect(),
        })
        .collect();

    let answered_keys = |sets: &[&AnswerSet]| -> BTreeSet<String> {
        sets.iter()
            .flat_map(|s| {
                s.iter()
                    .filter(|(_, a)| a.is_answered())
                    .map(|(k, _)| k.clone())
            })
            .collect()
    };
    let (keys_from, keys_to) = (answered_keys(from), answered_keys(to));
    let known: BTreeSet<String> = instrument
        .items()
        .iter()
        .map(|i| i.item.key.clone())
        .collect();
    let not_comparable: Vec<String> = keys_from
        .symmetric_difference(&keys_to)
        .chain(
            keys_from
                .intersection(&keys_to)
                .filter(|k| !known.contains(*k)),
        )
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();

    let mut items: Vec<ItemChange> = instrument
        .items()
        .iter()
        .filter(|i| keys_from.contains(&i.item.key) && keys_to.contains(&i.item.key))
        .map(|i| {
            let key = &i.item.key;
            ItemChange {
                key: key.clone(),
                from_mean: mean(&scored_values(key, from)),
                to_mean: mean(&scored_values(key, to)),
                change: Change {
                    key: key.clone(),
                    from: item_tally(i, from),
                    to: item_tally(i, to),
                },
            }
        })
        .collect();
    // Largest change first; a stable sort keeps walk order among equals.
    items.sort_by(|a, b| {
        let magnitude = |i: &ItemChange| i.change.delta().map(f64::abs).unwrap_or(-1.0);
        magnitude(b).total_cmp(&magnitude(a))
    });

    Comparison {
        n_from: from.len(),
        n_to: to.len(),
        sections,
        items,
        not_comparable,
    }
}

/// How far respondents agree on a section: each respondent's own score, then the spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// Respondents with at least one scored answer in the section.
    pub n: usize,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
}

/// Per section, the spread of the respondents' own scores; `None` where nobody has a score.
pub fn spreads(instrument: &Instrument, sets: &[&AnswerSet]) -> Vec<(String, Option<Spread>)> {
    let per_respondent: Vec<Vec<SectionScore>> = sets
        .iter()
        .map(|set| summarize(instrument, &[set]))
        .collect();
    instrument
        .sections
        .iter()
        .enumerate()
        .map(|(index, section)| {
            let scores: Vec<f64> = per_respondent
                .iter()
                .filter_map(|scores| scores.get(index)?.tally.exact_percent())
                .collect();
            let spread = (!scores.is_empty()).then(|| Spread {
                n: scores.len(),
                mean: scores.iter().sum::<f64>() / scores.len() as f64,
                min: scores.iter().copied().fold(f64::INFINITY, f64::min),
                max: scores.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            });
            (section.key.clone(), spread)
        })
        .collect()
}

/// One role's scores within a round; `scores` is `None` when the group is too small to show.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleGroup {
    pub role: Role,
    pub n: usize,
    pub scores: Option<Vec<SectionScore>>,
}

/// Leaders beside key persons beside staff (and consultants), each with n. Groups with
/// fewer than `min_group` respondents keep their n but show no scores.
pub fn by_role(
    instrument: &Instrument,
    respondents: &[(Role, &AnswerSet)],
    min_group: usize,
) -> Vec<RoleGroup> {
    let mut groups: HashMap<Role, Vec<&AnswerSet>> = HashMap::new();
    for (role, set) in respondents {
        groups.entry(*role).or_default().push(set);
    }
    Role::ALL
        .into_iter()
        .filter_map(|role| {
            let sets = groups.remove(&role)?;
            Some(RoleGroup {
                role,
                n: sets.len(),
                scores: (sets.len() >= min_group.max(1)).then(|| summarize(instrument, &sets)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::test_support::answer_set as set;

    fn section<'a>(c: &'a Comparison, key: &str) -> &'a SectionChange {
        c.sections.iter().find(|s| s.change.key == key).unwrap()
    }

    #[test]
    fn a_hand_computed_comparison() {
        use Response::*;
        let instrument = Instrument::standard();
        // Before: two respondents. Readiness problem awareness 1: 2 and 3 → 25 %, 50 %;
        // competence training 1 (0–2): 0 and don't know.
        let b1 = set(&[
            ("readiness.problem_awareness.1", Score(2)),
            ("competence.training.1", Score(0)),
            ("fit.answers_problem.1", Score(3)),
        ]);
        let b2 = set(&[
            ("readiness.problem_awareness.1", Score(3)),
            ("competence.training.1", DontKnow),
        ]);
        // After: one respondent; fit.answers_problem.1 not answered, support only here.
        let a1 = set(&[
            ("readiness.problem_awareness.1", Score(5)),
            ("competence.training.1", Score(2)),
            ("support.evaluation.1", Score(4)),
        ]);
        let c = compare(instrument, &[&b1, &b2], &[&a1]);
        assert_eq!((c.n_from, c.n_to), (2, 1));

        let readiness = section(&c, "readiness");
        assert_eq!(readiness.change.from.exact_percent(), Some(37.5));
        assert_eq!(readiness.change.from.percent(), Some(38.0));
        assert_eq!(readiness.change.to.percent(), Some(100.0));
        assert_eq!(readiness.change.delta(), Some(62.0));
        assert!(readiness.change.notable());
        let awareness = &readiness.subdomains[0];
        assert_eq!(awareness.key, "readiness.problem_awareness");
        assert_eq!(awareness.delta(), Some(62.0));

        let competence = section(&c, "competence");
        assert_eq!(competence.change.from.percent(), Some(0.0));
        assert_eq!(competence.change.from.dont_know, 1);
        assert_eq!(competence.change.to.dont_know, 0);
        assert_eq!(competence.change.delta(), Some(100.0));

        // Fit has a score before only: no delta, and the item is not comparable.
        assert_eq!(section(&c, "fit").change.delta(), None);
        assert!(!section(&c, "fit").change.notable());
        assert_eq!(
            c.not_comparable,
            ["fit.answers_problem.1", "support.evaluation.1"]
        );

        // Items: training moved 100 points, awareness 62.
        let keys: Vec<&str> = c.items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            ["competence.training.1", "readiness.problem_awareness.1"]
        );
        let awareness_item = &c.items[1];
        assert_eq!(awareness_item.from_mean, Some(2.5));
        assert_eq!(awareness_item.to_mean, Some(5.0));
        let training = &c.items[0];
        assert_eq!(
            (training.change.from.dont_know, training.change.to.dont_know),
            (1, 0)
        );
    }

    #[test]
    fn small_changes_are_not_notable() {
        let change = Change {
            key: "x".into(),
            from: Tally {
                slots: 1,
                scored: 1,
                fraction_sum: 0.5,
                ..Tally::default()
            },
            to: Tally {
                slots: 1,
                scored: 1,
                fraction_sum: 0.59,
                ..Tally::default()
            },
        };
        assert!(!change.notable());
    }

    #[test]
    fn spread_shows_how_far_respondents_agree() {
        use Response::*;
        let low = set(&[("fit.answers_problem.1", Score(1))]);
        let high = set(&[
            ("fit.answers_problem.1", Score(5)),
            ("fit.answers_problem.2", Score(3)),
        ]);
        let none = set(&[("fit.answers_problem.1", DontKnow)]);
        let spreads = spreads(Instrument::standard(), &[&low, &high, &none]);
        let (key, fit) = &spreads[1];
        assert_eq!(key, "fit");
        let fit = fit.unwrap();
        assert_eq!(fit.n, 2);
        assert_eq!((fit.min, fit.max), (0.0, 75.0));
        assert_eq!(fit.mean, 37.5);
        assert_eq!(spreads[0].1, None);
    }

    #[test]
    fn small_role_groups_are_never_shown() {
        use Response::*;
        let a = set(&[("fit.answers_problem.1", Score(5))]);
        let b = set(&[("fit.answers_problem.1", Score(1))]);
        let respondents = [
            (Role::Staff, &a),
            (Role::Staff, &b),
            (Role::Staff, &b),
            (Role::Leader, &a),
        ];
        let groups = by_role(Instrument::standard(), &respondents, 3);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].role, Role::Leader);
        assert_eq!(groups[0].n, 1);
        assert!(
            groups[0].scores.is_none(),
            "one leader must not be readable"
        );
        let staff = groups[1].scores.as_ref().unwrap();
        // (1.0 + 0 + 0) / 3
        assert!((staff[1].tally.exact_percent().unwrap() - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(staff[1].tally.percent(), Some(33.0));
    }
}
