//! Rounds in sequence: a section's score from round to round, how many respondents stand
//! behind each score, the items that moved most, and what changed in "don't know".

use super::compare::{Comparison, ItemChange};
use super::instrument::Instrument;
use super::scoring::{AnswerSet, Answering, Tally, summarize};

/// How many respondents have at least one scored answer in a section and in each of its
/// subdomains: the n behind a score, which can be lower than the round's respondents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoredCount {
    pub key: String,
    pub n: usize,
    /// By subdomain key (`section.subdomain`, as in `Comparison`), in instrument order.
    pub subdomains: Vec<(String, usize)>,
}

pub fn scored_counts(instrument: &Instrument, sets: &[Answering<'_>]) -> Vec<ScoredCount> {
    let per_respondent: Vec<_> = sets
        .iter()
        .map(|set| summarize(instrument, &[*set]))
        .collect();
    let has_score = |tally: &Tally| tally.scored > 0;
    summarize(instrument, &[])
        .into_iter()
        .enumerate()
        .map(|(s, section)| ScoredCount {
            n: per_respondent
                .iter()
                .filter(|scores| has_score(&scores[s].tally))
                .count(),
            subdomains: section
                .subdomains
                .iter()
                .enumerate()
                .map(|(d, subdomain)| {
                    let n = per_respondent
                        .iter()
                        .filter(|scores| has_score(&scores[s].subdomains[d].tally))
                        .count();
                    (format!("{}.{}", section.key, subdomain.key), n)
                })
                .collect(),
            key: section.key,
        })
        .collect()
}

/// One section across rounds: one tally and n per round, in the order the rounds were given
/// (the caller gives them in date order).
#[derive(Debug, Clone, PartialEq)]
pub struct TrendRow {
    pub key: String,
    pub points: Vec<TrendPoint>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendPoint {
    pub tally: Tally,
    /// Respondents with at least one scored answer in the section.
    pub n: usize,
}

/// Every section's score in every round.
pub fn trend(instrument: &Instrument, rounds: &[Vec<Answering<'_>>]) -> Vec<TrendRow> {
    let per_round: Vec<_> = rounds
        .iter()
        .map(|sets| (summarize(instrument, sets), scored_counts(instrument, sets)))
        .collect();
    summarize(instrument, &[])
        .into_iter()
        .enumerate()
        .map(|(s, section)| TrendRow {
            key: section.key,
            points: per_round
                .iter()
                .map(|(scores, counts)| TrendPoint {
                    tally: scores[s].tally,
                    n: counts[s].n,
                })
                .collect(),
        })
        .collect()
}

/// The comparable items that moved, the largest change first, at most `limit`.
pub fn moved_most(comparison: &Comparison, limit: usize) -> Vec<&ItemChange> {
    comparison
        .items
        .iter()
        .filter(|item| item.change.delta().is_some_and(|d| d != 0.0))
        .take(limit)
        .collect()
}

/// A subdomain where "don't know" is a finding: flagged in either round, or its count
/// changed. The answers behind each count make it a share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DontKnowFinding {
    /// `section.subdomain`
    pub key: String,
    pub from: u32,
    pub to: u32,
    pub answered_from: u32,
    pub answered_to: u32,
    pub flagged_from: bool,
    pub flagged_to: bool,
}

pub fn dont_know_findings(comparison: &Comparison) -> Vec<DontKnowFinding> {
    comparison
        .sections
        .iter()
        .flat_map(|section| &section.subdomains)
        .filter(|area| {
            let (from, to) = (&area.answers_from, &area.answers_to);
            from.dont_know != to.dont_know || from.dont_know_flagged() || to.dont_know_flagged()
        })
        .map(|area| DontKnowFinding {
            key: area.key.clone(),
            from: area.answers_from.dont_know,
            to: area.answers_to.dont_know,
            answered_from: area.answers_from.answered(),
            answered_to: area.answers_to.answered(),
            flagged_from: area.answers_from.dont_know_flagged(),
            flagged_to: area.answers_to.dont_know_flagged(),
        })
        .collect()
}

/// Whether any of the respondents answered the item (a score, "don't know" or "not
/// applicable"): says on which side of a comparison a non-comparable item lies.
pub fn answered_in(sets: &[&AnswerSet], key: &str) -> bool {
    sets.iter()
        .any(|set| set.get(key).is_some_and(|answer| answer.is_answered()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compare::{Options, compare};
    use crate::domain::model::{Answer, Response};
    use crate::domain::test_support::{ALL_ITEMS, anonymous};

    use crate::domain::test_support::answer_set as set;

    #[test]
    fn n_counts_respondents_with_a_score_not_answers() {
        use Response::*;
        let a = set(&[
            ("readiness.problem_awareness.1", Score(2)),
            ("readiness.problem_awareness.2", Score(3)),
        ]);
        let b = set(&[
            ("readiness.problem_awareness.1", DontKnow),
            ("readiness.leaders_seek_solutions.1", Score(5)),
        ]);
        let c = set(&[("readiness.problem_awareness.1", NotApplicable)]);
        let counts = scored_counts(
            Instrument::standard(),
            &[(ALL_ITEMS, &a), (ALL_ITEMS, &b), (ALL_ITEMS, &c)],
        );
        assert_eq!(counts[0].key, "readiness");
        assert_eq!(counts[0].n, 2);
        assert_eq!(
            counts[0].subdomains[0],
            ("readiness.problem_awareness".to_string(), 1)
        );
        assert_eq!(counts[0].subdomains[1].1, 1);
        assert_eq!(counts[1].n, 0);
        assert_eq!(counts.len(), Instrument::standard().sections.len());
    }

    #[test]
    fn trend_keeps_the_order_of_the_rounds() {
        use Response::*;
        let low = set(&[("fit.answers_problem.1", Score(1))]);
        let high = set(&[("fit.answers_problem.1", Score(5))]);
        let mid = set(&[("fit.answers_problem.1", Score(3))]);
        let rows = trend(
            Instrument::standard(),
            &[
                vec![(ALL_ITEMS, &low)],
                vec![(ALL_ITEMS, &low), (ALL_ITEMS, &high)],
                vec![],
                vec![(ALL_ITEMS, &mid)],
            ],
        );
        let fit = rows.iter().find(|r| r.key == "fit").unwrap();
        let percents: Vec<Option<f64>> = fit.points.iter().map(|p| p.tally.percent()).collect();
        assert_eq!(percents, [Some(0.0), Some(50.0), None, Some(50.0)]);
        let ns: Vec<usize> = fit.points.iter().map(|p| p.n).collect();
        assert_eq!(ns, [1, 2, 0, 1]);
        assert_eq!(rows[0].points[0].tally.percent(), None);
    }

    #[test]
    fn moved_most_skips_unchanged_and_unscored_items() {
        use Response::*;
        let before = set(&[
            ("fit.answers_problem.1", Score(1)),
            ("fit.answers_problem.2", Score(3)),
            ("fit.answers_problem.3", DontKnow),
            ("competence.training.1", Score(0)),
        ]);
        let after = set(&[
            ("fit.answers_problem.1", Score(2)),
            ("fit.answers_problem.2", Score(3)),
            ("fit.answers_problem.3", Score(4)),
            ("competence.training.1", Score(2)),
        ]);
        let c = compare(
            Instrument::standard(),
            &anonymous(&[&before]),
            &anonymous(&[&after]),
            Options::default(),
        );
        let keys: Vec<&str> = moved_most(&c, 10).iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["competence.training.1", "fit.answers_problem.1"]);
        assert_eq!(moved_most(&c, 1).len(), 1);
    }

    #[test]
    fn dont_know_findings_show_flags_and_changes() {
        use Response::*;
        let before = set(&[
            ("competence.training.1", DontKnow),
            ("competence.training.2", Score(1)),
            ("competence.training.3", Score(1)),
            ("fit.answers_problem.1", DontKnow),
            ("fit.answers_problem.2", Score(1)),
            ("fit.answers_problem.3", Score(1)),
        ]);
        let second = set(&[
            ("competence.training.1", DontKnow),
            ("fit.answers_problem.1", Score(1)),
        ]);
        let after = set(&[
            ("competence.training.1", Score(1)),
            ("competence.training.2", Score(1)),
            ("fit.answers_problem.1", DontKnow),
            ("fit.answers_problem.2", Score(1)),
            ("fit.answers_problem.3", Score(1)),
        ]);
        let third = set(&[("fit.answers_problem.1", DontKnow)]);
        let c = compare(
            Instrument::standard(),
            &anonymous(&[&before, &second]),
            &anonymous(&[&after, &third]),
            Options::default(),
        );
        let findings = dont_know_findings(&c);
        assert_eq!(
            findings,
            [
                // 1 of 4 answers before is not more than a quarter, 2 of 4 after are.
                DontKnowFinding {
                    key: "fit.answers_problem".into(),
                    from: 1,
                    to: 2,
                    answered_from: 4,
                    answered_to: 4,
                    flagged_from: false,
                    flagged_to: true,
                },
                // 2 of 4 before; none of 2 after.
                DontKnowFinding {
                    key: "competence.training".into(),
                    from: 2,
                    to: 0,
                    answered_from: 4,
                    answered_to: 2,
                    flagged_from: true,
                    flagged_to: false,
                },
            ]
        );
    }

    #[test]
    fn answered_in_counts_every_kind_of_answer() {
        let a = set(&[("fit.answers_problem.1", Response::NotApplicable)]);
        let empty = AnswerSet::from([("fit.answers_problem.2".to_string(), Answer::default())]);
        assert!(answered_in(&[&empty, &a], "fit.answers_problem.1"));
        assert!(!answered_in(&[&empty, &a], "fit.answers_problem.2"));
        assert!(!answered_in(&[], "fit.answers_problem.1"));
    }
}
