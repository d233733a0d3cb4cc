//! Scores as percent of the maximum, so that 1–5 and 0–2 scales compare (see DOMAIN.md).
//!
//! A score counts only answers with a value: "don't know" and "not applicable" are tallied
//! apart and never scored. Sections pool their items, they do not average subdomains.

use std::collections::HashMap;

use super::instrument::{Asked, Instrument, Scale, Section, Subdomain};
use super::model::{Answer, Response};
use super::rounding::round;

/// The "don't know" flag needs at least this many answers in the area...
pub const DONT_KNOW_MIN_ANSWERS: u32 = 4;

/// ...of which more than this share are "don't know".
pub const DONT_KNOW_FLAG_SHARE: f64 = 0.25;

/// Answers of one respondent, by item key.
pub type AnswerSet = HashMap<String, Answer>;

/// One respondent's answers with whom the items were put to (their round's kind and their
/// role): a tally counts only the items put to them.
pub type Answering<'a> = (Asked, &'a AnswerSet);

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Item slots: items × respondents.
    pub slots: u32,
    pub scored: u32,
    pub fraction_sum: f64,
    pub dont_know: u32,
    pub not_applicable: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Band {
    InPlace,
    Partly,
    Priority,
}

impl Band {
    /// Every band, the best first: the order legends and spreads list them in.
    pub const ALL: [Band; 3] = [Band::InPlace, Band::Partly, Band::Priority];

    /// The band's stable code in files (JSON, CSV), never translated.
    pub fn code(self) -> &'static str {
        match self {
            Band::InPlace => "in_place",
            Band::Partly => "partly",
            Band::Priority => "priority",
        }
    }

    pub fn of(percent: f64) -> Band {
        if percent >= 80.0 {
            Band::InPlace
        } else if percent >= 50.0 {
            Band::Partly
        } else {
            Band::Priority
        }
    }
}

impl Tally {
    pub fn add(&mut self, response: Option<Response>, scale: &Scale) {
        self.slots += 1;
        match response {
            Some(Response::Score(value)) if scale.contains(value) => {
                self.scored += 1;
                self.fraction_sum += scale.fraction(value);
            }
            Some(Response::DontKnow) => self.dont_know += 1,
            Some(Response::NotApplicable) => self.not_applicable += 1,
            // An out-of-scale value (from a foreign file) is as good as unanswered.
            Some(Response::Score(_)) | None => {}
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.slots += other.slots;
        self.scored += other.scored;
        self.fraction_sum += other.fraction_sum;
        self.dont_know += other.dont_know;
        self.not_applicable += other.not_applicable;
    }

    pub fn answered(&self) -> u32 {
        self.scored + self.dont_know + self.not_applicable
    }

    /// Percent of the maximum over the scored answers, unrounded; `None` when nothing is
    /// scored.
    pub fn exact_percent(&self) -> Option<f64> {
        (self.scored > 0).then(|| 100.0 * self.fraction_sum / f64::from(self.scored))
    }

    /// The score as reported: a whole percent, by the one rounding rule (halves away from
    /// zero). Bands and changes are read from this number, so that "80 %" is always "in
    /// place" and the change between two shown scores is their difference.
    pub fn percent(&self) -> Option<f64> {
        self.exact_percent().map(|p| round(p, 0))
    }

    pub fn band(&self) -> Option<Band> {
        self.percent().map(Band::of)
    }

    /// A weak or unknown area: a priority, or flagged for "don't know". The summary suggests
    /// planning for these first, and the demo plans for them.
    pub fn wants_plan(&self) -> bool {
        self.band() == Some(Band::Priority) || self.dont_know_flagged()
    }

    /// More than `DONT_KNOW_FLAG_SHARE` of at least `DONT_KNOW_MIN_ANSWERS` answers are "don't know":
    /// not knowing is a finding. With fewer answers one "don't know" would raise the flag.
    pub fn dont_know_flagged(&self) -> bool {
        self.answered() >= DONT_KNOW_MIN_ANSWERS
            && f64::from(self.dont_know) > DONT_KNOW_FLAG_SHARE * f64::from(self.answered())
    }

    /// Taken out again what `merge` put in: exact, since every fraction is a multiple of a
    /// quarter.
    pub fn remove(&mut self, other: &Tally) {
        self.slots = self.slots.saturating_sub(other.slots);
        self.scored = self.scored.saturating_sub(other.scored);
        self.fraction_sum -= other.fraction_sum;
        self.dont_know = self.dont_know.saturating_sub(other.dont_know);
        self.not_applicable = self.not_applicable.saturating_sub(other.not_applicable);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubdomainScore {
    pub key: String,
    pub tally: Tally,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionScore {
    pub key: String,
    pub tally: Tally,
    pub subdomains: Vec<SubdomainScore>,
}

/// Scores every section and subdomain over the answers of one or more respondents.
pub fn summarize(instrument: &Instrument, respondents: &[Answering<'_>]) -> Vec<SectionScore> {
    sections_from(instrument, |_, subdomain, scale| {
        let mut tally = Tally::default();
        for (asked, answers) in respondents {
            tally.merge(&subdomain_tally(subdomain, scale, answers, *asked));
        }
        tally
    })
}

/// One respondent's tally in one subdomain: its items put to them, in instrument order.
pub fn subdomain_tally(
    subdomain: &Subdomain,
    scale: &Scale,
    answers: &AnswerSet,
    asked: Asked,
) -> Tally {
    let mut tally = Tally::default();
    for item in subdomain.items.iter().filter(|i| subdomain.asks(i, asked)) {
        tally.add(answers.get(&item.key).and_then(|a| a.response), scale);
    }
    tally
}

/// The key of a subdomain among all others: `section.subdomain`, as kept scores, plans and
/// comparisons name it.
pub fn subdomain_key(section: &Section, subdomain: &Subdomain) -> String {
    format!("{}.{}", section.key, subdomain.key)
}

/// Scores from kept tallies: the sums over the respondents of their subdomain tallies, by
/// `section.subdomain` key, without slots (a subdomain missing has no answers); `groups`
/// says how many respondents were put which items. Gives what `summarize` gives over the
/// same respondents' answers: the slots are the subdomain's items put to each group times
/// its respondents, and a section pools its subdomains.
///
/// The sums are exact, in whatever order they were added, because every fraction of the
/// instrument's scales is a multiple of a quarter (a test checks this).
pub fn from_kept(
    instrument: &Instrument,
    groups: &[(Asked, usize)],
    kept: &HashMap<String, Tally>,
) -> Vec<SectionScore> {
    sections_from(instrument, |section, subdomain, _| {
        let mut tally = kept
            .get(&subdomain_key(section, subdomain))
            .copied()
            .unwrap_or_default();
        tally.slots = groups
            .iter()
            .map(|&(asked, n)| subdomain.slots(asked) * n)
            .sum::<usize>() as u32;
        tally
    })
}

/// Every section in instrument order with its subdomains' tallies; a section pools its
/// subdomains.
fn sections_from(
    instrument: &Instrument,
    mut tally_of: impl FnMut(&Section, &Subdomain, &Scale) -> Tally,
) -> Vec<SectionScore> {
    instrument
        .sections
        .iter()
        .filter_map(|section| {
            let scale = instrument.scale(&section.scale)?;
            let subdomains: Vec<SubdomainScore> = section
                .subdomains
                .iter()
                .map(|subdomain| SubdomainScore {
                    key: subdomain.key.clone(),
                    tally: tally_of(section, subdomain, scale),
                })
                .collect();
            let mut tally = Tally::default();
            for subdomain in &subdomains {
                tally.merge(&subdomain.tally);
            }
            Some(SectionScore {
                key: section.key.clone(),
                tally,
                subdomains,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::domain::model::{Role, RoundKind};
    use crate::domain::test_support::{ALL_ITEMS, answer_set as answers};

    fn section<'a>(scores: &'a [SectionScore], key: &str) -> &'a SectionScore {
        scores.iter().find(|s| s.key == key).unwrap()
    }

    #[test]
    fn agreement_items_score_from_one_to_five() {
        use Response::*;
        let set = answers(&[
            ("readiness.problem_awareness.1", Score(5)),
            ("readiness.problem_awareness.2", Score(3)),
            ("readiness.problem_awareness.3", Score(1)),
        ]);
        let scores = summarize(Instrument::standard(), &[(ALL_ITEMS, &set)]);
        let readiness = section(&scores, "readiness");
        // (1.0 + 0.5 + 0.0) / 3 = 50 %
        assert_eq!(readiness.subdomains[0].tally.percent(), Some(50.0));
        assert_eq!(readiness.tally.percent(), Some(50.0));
        assert_eq!(readiness.tally.band(), Some(Band::Partly));
        assert_eq!(readiness.subdomains[1].tally.percent(), None);
        assert_eq!(readiness.tally.slots, 15);
    }

    #[test]
    fn a_tally_counts_only_the_items_put_to_the_respondent() {
        use Response::*;
        // A staff member before the programme, with an answer (old data, an import) to a
        // leader item and to one asked only after the start: kept, never counted.
        let set = answers(&[
            ("readiness.problem_awareness.1", Score(5)),
            ("leadership.binding_agreement.1", Score(0)),
            ("competence.training.1", DontKnow),
        ]);
        let staff_before = Asked::new(RoundKind::Before, Role::Staff);
        let scores = summarize(Instrument::standard(), &[(staff_before, &set)]);
        let slots: Vec<u32> = scores.iter().map(|s| s.tally.slots).collect();
        // By hand: 15, 5, 0, 6, 1, 2 items put to staff before the programme.
        assert_eq!(slots, [15, 5, 0, 6, 1, 2]);
        let leadership = section(&scores, "leadership");
        assert_eq!(
            (leadership.tally.scored, leadership.tally.answered()),
            (0, 0)
        );
        assert_eq!(section(&scores, "competence").tally.dont_know, 0);
        assert_eq!(section(&scores, "readiness").tally.percent(), Some(100.0));
        // The leader after the programme is put every item: the same answers count.
        let leader_after = summarize(Instrument::standard(), &[(ALL_ITEMS, &set)]);
        assert_eq!(section(&leader_after, "leadership").tally.scored, 1);
        assert_eq!(section(&leader_after, "competence").tally.dont_know, 1);
        // Kept tallies give the same slots by group.
        let kept = from_kept(
            Instrument::standard(),
            &[
                (staff_before, 2),
                (Asked::new(RoundKind::Before, Role::Leader), 1),
            ],
            &HashMap::new(),
        );
        let slots: Vec<u32> = kept.iter().map(|s| s.tally.slots).collect();
        assert_eq!(slots, [45, 15, 0, 20, 11, 14]);
    }

    #[test]
    fn dont_know_and_not_applicable_are_never_scored() {
        use Response::*;
        let set = answers(&[
            ("competence.training.1", Score(2)),
            ("competence.training.2", DontKnow),
            ("competence.training.3", NotApplicable),
        ]);
        let scores = summarize(Instrument::standard(), &[(ALL_ITEMS, &set)]);
        let training = section(&scores, "competence")
            .subdomains
            .iter()
            .find(|d| d.key == "training")
            .unwrap();
        assert_eq!(training.tally.percent(), Some(100.0));
        assert_eq!(training.tally.band(), Some(Band::InPlace));
        assert_eq!(
            (training.tally.dont_know, training.tally.not_applicable),
            (1, 1)
        );
        // One "don't know" of three answers is more than a quarter, but three answers are
        // too few for the flag.
        assert!(!training.tally.dont_know_flagged());
    }

    #[test]
    fn mixed_scales_pool_as_fractions() {
        use Response::*;
        // A 0–2 item at 1 (50 %) and a 1–5 item at 4 (75 %) from two respondents.
        let a = answers(&[
            ("competence.coaching.1", Score(1)),
            ("fit.answers_problem.1", Score(4)),
        ]);
        let b = answers(&[
            ("competence.coaching.1", Score(0)),
            ("fit.answers_problem.1", Score(2)),
        ]);
        let scores = summarize(Instrument::standard(), &[(ALL_ITEMS, &a), (ALL_ITEMS, &b)]);
        // coaching: (0.5 + 0.0) / 2 = 25 %; fit: (0.75 + 0.25) / 2 = 50 %
        assert_eq!(section(&scores, "competence").tally.percent(), Some(25.0));
        assert_eq!(
            section(&scores, "competence").tally.band(),
            Some(Band::Priority)
        );
        assert_eq!(section(&scores, "fit").tally.percent(), Some(50.0));
    }

    #[test]
    fn reported_scores_are_whole_percents_and_agree_with_their_band() {
        use Response::*;
        // 4 and 5 with one "don't know": (0.75 + 1.0) / 2 = 87.5 %, reported as 88 %.
        let set = answers(&[
            ("readiness.problem_awareness.1", Score(4)),
            ("readiness.problem_awareness.2", Score(5)),
            ("readiness.problem_awareness.3", DontKnow),
        ]);
        let scores = summarize(Instrument::standard(), &[(ALL_ITEMS, &set)]);
        let awareness = &section(&scores, "readiness").subdomains[0].tally;
        assert_eq!(awareness.exact_percent(), Some(87.5));
        assert_eq!(awareness.percent(), Some(88.0));
        // 79.55 % is shown as 80 % and so is in place.
        let tally = Tally {
            slots: 11,
            scored: 11,
            fraction_sum: 8.75,
            ..Tally::default()
        };
        assert!((tally.exact_percent().unwrap() - 79.545).abs() < 0.01);
        assert_eq!(tally.percent(), Some(80.0));
        assert_eq!(tally.band(), Some(Band::InPlace));
    }

    #[test]
    fn bands_follow_the_nirn_convention() {
        assert_eq!(Band::of(80.0), Band::InPlace);
        assert_eq!(Band::of(79.9), Band::Partly);
        assert_eq!(Band::of(50.0), Band::Partly);
        assert_eq!(Band::of(49.9), Band::Priority);
    }

    #[test]
    fn every_fraction_is_a_multiple_of_a_quarter() {
        // Kept scores add the same fractions as `summarize` in another order; with quarters
        // the sums are exact in binary, so both give the very same numbers.
        let instrument = Instrument::standard();
        for scale in &instrument.scales {
            for point in &scale.points {
                let quarters = scale.fraction(point.value) * 4.0;
                assert_eq!(quarters, quarters.trunc(), "{} {}", scale.key, point.value);
            }
        }
    }

    #[test]
    fn kept_tallies_give_what_summarize_gives() {
        use Response::*;
        let instrument = Instrument::standard();
        let a = answers(&[
            ("readiness.problem_awareness.1", Score(4)),
            ("competence.training.2", DontKnow),
            ("competence.coaching.1", Score(1)),
        ]);
        let b = answers(&[
            ("readiness.problem_awareness.1", Score(2)),
            ("competence.training.3", NotApplicable),
        ]);
        let mut kept: HashMap<String, Tally> = HashMap::new();
        for set in [&a, &b] {
            for section in &instrument.sections {
                let scale = instrument.scale(&section.scale).unwrap();
                for subdomain in &section.subdomains {
                    let tally = subdomain_tally(subdomain, scale, set, ALL_ITEMS);
                    if tally.answered() > 0 {
                        kept.entry(subdomain_key(section, subdomain))
                            .or_default()
                            .merge(&Tally { slots: 0, ..tally });
                    }
                }
            }
        }
        // A third respondent without answers still counts in the slots.
        let empty = AnswerSet::new();
        assert_eq!(
            from_kept(instrument, &[(ALL_ITEMS, 3)], &kept),
            summarize(
                instrument,
                &[(ALL_ITEMS, &a), (ALL_ITEMS, &b), (ALL_ITEMS, &empty)]
            )
        );
    }

    #[test]
    fn dont_know_flag_needs_more_than_a_quarter() {
        let tally = Tally {
            slots: 4,
            scored: 3,
            fraction_sum: 1.0,
            dont_know: 1,
            not_applicable: 0,
        };
        assert!(!tally.dont_know_flagged());
        assert!(!Tally::default().dont_know_flagged());
        // Two of four is more than a quarter, and four answers are enough.
        let flagged = Tally {
            slots: 4,
            scored: 2,
            fraction_sum: 1.0,
            dont_know: 2,
            not_applicable: 0,
        };
        assert!(flagged.dont_know_flagged());
        // One of three would be a third, but three answers are too few.
        let few = Tally {
            slots: 3,
            scored: 2,
            fraction_sum: 1.0,
            dont_know: 1,
            not_applicable: 0,
        };
        assert!(!few.dont_know_flagged());
    }

    fn arbitrary_answers() -> impl Strategy<Value = Vec<(usize, Option<Response>)>> {
        let response = prop_oneof![
            Just(None),
            (0u8..=6).prop_map(|v| Some(Response::Score(v))),
            Just(Some(Response::DontKnow)),
            Just(Some(Response::NotApplicable)),
        ];
        proptest::collection::vec(
            (0usize..Instrument::standard().item_count(), response),
            0..80,
        )
    }

    fn to_set(pairs: &[(usize, Option<Response>)]) -> AnswerSet {
        let items = Instrument::standard().items();
        pairs
            .iter()
            .map(|(i, response)| {
                (
                    items[*i].item.key.clone(),
                    Answer {
                        response: *response,
                        comment: String::new(),
                    },
                )
            })
            .collect()
    }

    proptest! {
        #[test]
        fn scores_stay_within_range(pairs in arbitrary_answers()) {
            let set = to_set(&pairs);
            for section in summarize(Instrument::standard(), &[(ALL_ITEMS, &set)]) {
                for tally in std::iter::once(&section.tally).chain(section.subdomains.iter().map(|d| &d.tally)) {
                    if let Some(p) = tally.exact_percent() {
                        prop_assert!((0.0..=100.0).contains(&p));
                    }
                    prop_assert!(tally.answered() <= tally.slots);
                }
            }
        }

        #[test]
        fn respondent_order_does_not_matter(a in arbitrary_answers(), b in arbitrary_answers()) {
            let (a, b) = (to_set(&a), to_set(&b));
            let forward = summarize(Instrument::standard(), &[(ALL_ITEMS, &a), (ALL_ITEMS, &b)]);
            let backward = summarize(Instrument::standard(), &[(ALL_ITEMS, &b), (ALL_ITEMS, &a)]);
            for (f, r) in forward.iter().zip(&backward) {
                prop_assert_eq!(f.tally.scored, r.tally.scored);
                prop_assert_eq!(f.tally.dont_know, r.tally.dont_know);
                let (fp, rp) = (f.tally.exact_percent(), r.tally.exact_percent());
                prop_assert!(fp.zip(rp).is_none_or(|(x, y)| (x - y).abs() < 1e-9));
                prop_assert_eq!(fp.is_some(), rp.is_some());
            }
        }

        #[test]
        fn unanswered_items_change_nothing(pairs in arbitrary_answers()) {
            let set = to_set(&pairs);
            let answered: AnswerSet = set.iter().filter(|(_, a)| a.is_answered()).map(|(k, a)| (k.clone(), a.clone())).collect();
            let with = summarize(Instrument::standard(), &[(ALL_ITEMS, &set)]);
            let without = summarize(Instrument::standard(), &[(ALL_ITEMS, &answered)]);
            for (x, y) in with.iter().zip(&without) {
                prop_assert_eq!(x.tally.percent(), y.tally.percent());
            }
        }
    }
}
