//! Comparing rounds: change per section, subdomain and item, spread between respondents,
//! and groups by role. Only items with the same key are compared.
//!
//! A change a consultant can defend (DOMAIN.md, "Numbers a consultant can defend"):
//! - an area's change is computed over its items that have a score in **both** rounds, and
//!   says how many of the area's items that is; under half of them, it is not comparable;
//! - every change carries the respondents behind each side (n);
//! - ★ marks a change of at least 10 points, with at least 5 respondents in both rounds,
//!   whose 95 % interval does not include 0: the difference of the pooled scores ± t times
//!   its standard error, from the spread between respondents (Taylor linearisation of the
//!   pooled score, Welch–Satterthwaite degrees of freedom; person by person when paired);
//! - beside it, the change over the respondents whose code appears in both rounds (paired);
//! - the process leader's (consultant's) answers stand apart unless asked for.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::instrument::{Asked, Instrument, ItemRef};
use super::model::{Respondent, Response, Role, RoundKind};
use super::rounding::round;
use super::scoring::{AnswerSet, Answering, SectionScore, Tally, summarize};

/// A change of 10 percentage points or more is notable (DOMAIN.md).
pub const NOTABLE_POINTS: f64 = 10.0;

/// Fewer respondents than this on either side, and no change is marked: with four or fewer,
/// one person moves the score by ten points.
pub const MIN_RESPONDENTS_FOR_STAR: usize = 5;

/// An area is comparable when at least this share of its items has a score in both rounds.
pub const COMPARABLE_SHARE: f64 = 0.5;

/// The interval's coverage, in percent.
pub const INTERVAL_LEVEL: u32 = 95;

/// The smallest group shown, by default and at the least: a group size can be raised, never
/// lowered below it, so that no single person's answers can be read.
pub const MIN_GROUP: usize = 3;

/// A requested smallest group, held to the floor.
pub fn min_group(requested: usize) -> usize {
    requested.max(MIN_GROUP)
}

/// One respondent as a comparison sees them: the kind of their round and their role (which
/// say the items put to them), the code they gave (may be empty), whether they answered
/// alone by code (and so may be seen only in aggregate), and their answers.
#[derive(Debug, Clone, Copy)]
pub struct Answered<'a> {
    pub kind: RoundKind,
    pub role: Role,
    pub code: &'a str,
    pub by_code: bool,
    pub answers: &'a AnswerSet,
}

impl Answered<'_> {
    pub fn asked(&self) -> Asked {
        Asked::new(self.kind, self.role)
    }
}

/// A round's respondents with their answers, as a comparison sees them; `kind` is the
/// round's, `by_code` holds the ids of those who answered by code.
pub fn answered<'a>(
    kind: RoundKind,
    round: &'a [(Respondent, AnswerSet)],
    by_code: &HashSet<String>,
) -> Vec<Answered<'a>> {
    round
        .iter()
        .map(|(respondent, answers)| Answered {
            kind,
            role: respondent.role,
            code: &respondent.code,
            by_code: by_code.contains(&respondent.id),
            answers,
        })
        .collect()
}

/// Enough respondents by code to count them in a figure: fewer, and the figure minus the
/// respondents a leader can see (those entered at the machine) would be theirs.
pub fn codes_counted(by_code: usize) -> bool {
    by_code >= MIN_GROUP
}

/// A round's respondents as every figure counts them. Until answering alone is `closed` for
/// the round (no code of it can be used any more), respondents by code are left out: each
/// one arriving, or changing an answer, would otherwise move a figure alone, and two
/// moments compared would give their answers away. Once closed, rule A: while the round
/// has fewer than `MIN_GROUP` respondents by code they are left out, and in an area
/// (subdomain) where fewer than `MIN_GROUP` of them have a score, their answers there are.
/// The kept scores apply the same rule (`store::Scores`); `by_code` keeps only the ids of
/// those still counted.
pub fn hold_back_codes(
    instrument: &Instrument,
    kind: RoundKind,
    round: &mut Vec<(Respondent, AnswerSet)>,
    by_code: &mut HashSet<String>,
    closed: bool,
) {
    let coded = |r: &Respondent, codes: &HashSet<String>| codes.contains(&r.id);
    let claimed = round.iter().filter(|(r, _)| coded(r, by_code)).count();
    if !closed || !codes_counted(claimed) {
        round.retain(|(r, _)| !coded(r, by_code));
        by_code.clear();
        return;
    }
    let mut counted_items: HashSet<&str> = HashSet::new();
    for section in &instrument.sections {
        let Some(scale) = instrument.scale(&section.scale) else {
            continue;
        };
        for subdomain in &section.subdomains {
            let scoring = round
                .iter()
                .filter(|(r, set)| {
                    coded(r, by_code)
                        && super::scoring::subdomain_tally(
                            subdomain,
                            scale,
                            set,
                            Asked::new(kind, r.role),
                        )
                        .scored
                            > 0
                })
                .count();
            if codes_counted(scoring) {
                counted_items.extend(subdomain.items.iter().map(|i| i.key.as_str()));
            }
        }
    }
    for (respondent, answers) in round.iter_mut() {
        if coded(respondent, by_code) {
            answers.retain(|key, _| counted_items.contains(key.as_str()));
        }
    }
}

/// The areas (subdomains) whose figures per item are withheld (rule C of answering alone):
/// those where, in either round, some item has a score, or any answer, from one or two
/// respondents by code. Such an item's figure minus the answers a leader can see would be
/// theirs (a score, or a "don't know" counted); and every item of the area goes, so that the
/// area's own figure (safe by rule A) cannot be split by subtracting the items shown. Every
/// face that shows items learns it from `compare`.
pub fn items_withheld(
    instrument: &Instrument,
    from: &[Answered<'_>],
    to: &[Answered<'_>],
) -> Vec<String> {
    let by_code = |people: &[Answered<'_>], key: &str, scored: bool| {
        people
            .iter()
            .filter(|who| who.by_code)
            .filter_map(|who| who.answers.get(key)?.response)
            .filter(|r| !scored || matches!(r, Response::Score(_)))
            .count()
    };
    let safe = |n: usize| n == 0 || codes_counted(n);
    let mut withheld = Vec::new();
    for section in &instrument.sections {
        for subdomain in &section.subdomains {
            let splits = subdomain.items.iter().any(|item| {
                [from, to].iter().any(|people| {
                    [true, false]
                        .into_iter()
                        .any(|scored| !safe(by_code(people, &item.key, scored)))
                })
            });
            if splits {
                withheld.push(format!("{}.{}", section.key, subdomain.key));
            }
        }
    }
    withheld
}

/// What to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Pool the process leader's (consultant's) answers into the service's score.
    pub with_consultant: bool,
}

/// A change between two rounds, over a fixed set of items.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub from: Tally,
    pub to: Tally,
    /// Respondents with at least one score behind each side.
    pub n_from: usize,
    pub n_to: usize,
    /// The change's 95 % interval in points (of the unrounded scores), from the spread
    /// between respondents; `None` with fewer than `MIN_RESPONDENTS_FOR_STAR` on a side.
    pub interval: Option<(f64, f64)>,
}

impl Change {
    /// Percentage points from `from` to `to`, where both have a score: the difference of
    /// the reported (whole) percents, so that it is the difference of what is shown.
    pub fn delta(&self) -> Option<f64> {
        Some(self.to.percent()? - self.from.percent()?)
    }

    pub fn enough_respondents(&self) -> bool {
        self.n_from >= MIN_RESPONDENTS_FOR_STAR && self.n_to >= MIN_RESPONDENTS_FOR_STAR
    }

    /// The interval, as shown (whole points), lies wholly on one side of 0: more than the
    /// spread between respondents explains. Read from the shown bounds, so that an interval
    /// shown as "0 to +20" is never called beyond the spread.
    pub fn beyond_spread(&self) -> bool {
        self.interval
            .is_some_and(|(low, high)| round(low, 0) > 0.0 || round(high, 0) < 0.0)
    }

    /// ★: large, with enough respondents, and beyond the spread.
    pub fn notable(&self) -> bool {
        self.delta().is_some_and(|d| d.abs() >= NOTABLE_POINTS)
            && self.enough_respondents()
            && self.beyond_spread()
    }
}

/// A section's or a subdomain's change.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaChange {
    /// `section` or `section.subdomain`.
    pub key: String,
    /// The area's items, and how many of them have a score in both rounds.
    pub items: usize,
    pub items_common: usize,
    /// Over the common items.
    pub change: Change,
    /// Over the respondents whose code appears in both rounds, and the same items; `None`
    /// when no such respondent has a score here.
    pub paired: Option<Change>,
    /// Every answer to the area's items in each round: its "don't know" and "not
    /// applicable" shares.
    pub answers_from: Tally,
    pub answers_to: Tally,
}

impl AreaChange {
    /// At least `COMPARABLE_SHARE` of the area's items have a score in both rounds.
    pub fn comparable(&self) -> bool {
        self.items_common > 0 && self.items_common as f64 >= COMPARABLE_SHARE * self.items as f64
    }

    /// Some answer in the area has a score, in either round.
    pub fn has_scores(&self) -> bool {
        self.answers_from.scored > 0 || self.answers_to.scored > 0
    }

    pub fn delta(&self) -> Option<f64> {
        if self.comparable() {
            self.change.delta()
        } else {
            None
        }
    }

    pub fn notable(&self) -> bool {
        self.comparable() && self.change.notable()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionChange {
    pub area: AreaChange,
    pub subdomains: Vec<AreaChange>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemChange {
    pub key: String,
    /// Mean of the scored values, on the item's own scale.
    pub from_mean: Option<f64>,
    pub to_mean: Option<f64>,
    pub change: Change,
}

/// Why an item is left out of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct NotComparable {
    pub key: String,
    /// The instrument knows the key.
    pub known: bool,
    /// Answered at all (a score, "don't know" or "not applicable"), and with a score.
    pub answered_from: bool,
    pub answered_to: bool,
    pub scored_from: bool,
    pub scored_to: bool,
}

/// The process leader's own answers, pooled if there are several, per area: shown beside
/// the service's scores, never mixed in (unless asked for).
#[derive(Debug, Clone, PartialEq)]
pub struct ConsultantScores {
    pub n_from: usize,
    pub n_to: usize,
    /// By area key (`section` and `section.subdomain`), over every item of the area.
    pub areas: Vec<(String, Tally, Tally)>,
}

impl ConsultantScores {
    pub fn area(&self, key: &str) -> Option<(&Tally, &Tally)> {
        self.areas
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, from, to)| (from, to))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub options: Options,
    /// Respondents in the service's score in each round.
    pub n_from: usize,
    pub n_to: usize,
    /// Codes found once in each round: the respondents of the paired change.
    pub pairs: usize,
    pub sections: Vec<SectionChange>,
    /// Comparable items, the largest change first.
    pub items: Vec<ItemChange>,
    /// Items answered in the rounds but without a score in both, or unknown to the
    /// instrument: listed, never silently dropped.
    pub not_comparable: Vec<NotComparable>,
    /// The consultants' answers apart; `None` when there are none, or when they are pooled.
    pub consultant: Option<ConsultantScores>,
    /// Subdomains whose items are in neither `items` nor `not_comparable`, to shield answers
    /// by code (`items_withheld`), in the instrument's order.
    pub withheld: Vec<String>,
}

impl Comparison {
    /// Every area, sections each followed by their subdomains.
    pub fn areas(&self) -> impl Iterator<Item = &AreaChange> {
        self.sections
            .iter()
            .flat_map(|s| std::iter::once(&s.area).chain(&s.subdomains))
    }

    pub fn area(&self, key: &str) -> Option<&AreaChange> {
        self.areas().find(|a| a.key == key)
    }
}

fn mean(values: &[u8]) -> Option<f64> {
    (!values.is_empty())
        .then(|| values.iter().map(|v| f64::from(*v)).sum::<f64>() / values.len() as f64)
}

/// `who`'s response to `item`, if the item was put to them: an answer to an item not put to
/// them (old data, an import) is kept but counts nowhere.
fn response(who: &Answered<'_>, item: &ItemRef<'_>) -> Option<Response> {
    if !item.asks(who.asked()) {
        return None;
    }
    who.answers.get(&item.item.key).and_then(|a| a.response)
}

/// Whether `item` was put to anyone among `people`.
fn asked_of(item: &ItemRef<'_>, people: &[Answered<'_>]) -> bool {
    people.iter().any(|who| item.asks(who.asked()))
}

fn scored(item: &ItemRef<'_>, response: Option<Response>) -> Option<f64> {
    match response? {
        Response::Score(v) if item.scale.contains(v) => Some(item.scale.fraction(v)),
        _ => None,
    }
}

/// A respondent's (scores, sum of fractions) over some items: what the interval is made of.
type Part = (u32, f64);

fn part_of(items: &[&ItemRef<'_>], who: &Answered<'_>) -> Part {
    items
        .iter()
        .filter_map(|item| scored(item, response(who, item)))
        .fold((0, 0.0), |(n, sum), f| (n + 1, sum + f))
}

fn tally_of(items: &[&ItemRef<'_>], people: &[Answered<'_>]) -> Tally {
    let mut tally = Tally::default();
    for who in people {
        for item in items.iter().filter(|item| item.asks(who.asked())) {
            tally.add(response(who, item), item.scale);
        }
    }
    tally
}

/// The linearised variance of a pooled score (the sum of the respondents' fractions over the
/// sum of their scored answers): a ratio estimator with the respondents as clusters, the
/// variance of the mean of their residuals `(f − p·s) / s̄` (Taylor linearisation, as survey
/// statistics does for a ratio). Returns the score (0–1), the residuals and the variance.
fn linearised(parts: &[Part]) -> (f64, Vec<f64>, f64) {
    let m = parts.len() as f64;
    let scored: f64 = parts.iter().map(|(n, _)| f64::from(*n)).sum();
    let sum: f64 = parts.iter().map(|(_, s)| *s).sum();
    let p = sum / scored;
    let mean_scored = scored / m;
    let residuals: Vec<f64> = parts
        .iter()
        .map(|(n, s)| (s - p * f64::from(*n)) / mean_scored)
        .collect();
    let variance = residuals.iter().map(|e| e * e).sum::<f64>() / (m * (m - 1.0));
    (p, residuals, variance)
}

/// The interval's two-sided Student t quantile at `df` degrees of freedom.
fn t_quantile(df: f64) -> f64 {
    let tail = f64::from(100 - INTERVAL_LEVEL) / 200.0;
    distrs::StudentsT::ppf(1.0 - tail, df)
}

/// The 95 % interval of `to − from` in points, from the spread between respondents: the
/// difference of the pooled scores ± t · its standard error. Two rounds' respondents are two
/// independent samples (Welch–Satterthwaite degrees of freedom); `paired` parts are the same
/// people in both rounds, in the same order, and their difference is taken person by
/// person (m − 1 degrees of freedom). Without spread the interval is the change itself.
/// `None` with fewer than `MIN_RESPONDENTS_FOR_STAR` on a side.
fn interval(from: &[Part], to: &[Part], paired: bool) -> Option<(f64, f64)> {
    if from.len() < MIN_RESPONDENTS_FOR_STAR || to.len() < MIN_RESPONDENTS_FOR_STAR {
        return None;
    }
    let (p_from, e_from, v_from) = linearised(from);
    let (p_to, e_to, v_to) = linearised(to);
    let delta = 100.0 * (p_to - p_from);
    let (variance, df) = if paired {
        let m = from.len() as f64;
        let variance = e_from
            .iter()
            .zip(&e_to)
            .map(|(f, t)| (t - f) * (t - f))
            .sum::<f64>()
            / (m * (m - 1.0));
        (variance, m - 1.0)
    } else {
        let (m_from, m_to) = (from.len() as f64, to.len() as f64);
        let variance = v_from + v_to;
        let df =
            variance * variance / (v_from * v_from / (m_from - 1.0) + v_to * v_to / (m_to - 1.0));
        (variance, df)
    };
    if variance <= 0.0 {
        return Some((delta, delta));
    }
    let half = t_quantile(df) * 100.0 * variance.sqrt();
    Some((delta - half, delta + half))
}

/// The change over `items` between two groups of respondents.
fn change_over(items: &[&ItemRef<'_>], from: &[Answered<'_>], to: &[Answered<'_>]) -> Change {
    let parts = |people: &[Answered<'_>]| -> Vec<Part> {
        people
            .iter()
            .map(|who| part_of(items, who))
            .filter(|(n, _)| *n > 0)
            .collect()
    };
    let (parts_from, parts_to) = (parts(from), parts(to));
    Change {
        from: tally_of(items, from),
        to: tally_of(items, to),
        n_from: parts_from.len(),
        n_to: parts_to.len(),
        interval: interval(&parts_from, &parts_to, false),
    }
}

/// The change over `items` for respondents matched by code; pairs without a score on
/// both sides are left out. `None` under `MIN_GROUP` pairs: one pair's change is that
/// person's own, readable by anyone who knows their code, and of two each knows the other's.
fn paired_change(items: &[&ItemRef<'_>], pairs: &[(Answered<'_>, Answered<'_>)]) -> Option<Change> {
    let kept: Vec<&(Answered, Answered)> = pairs
        .iter()
        .filter(|(a, b)| part_of(items, a).0 > 0 && part_of(items, b).0 > 0)
        .collect();
    if kept.len() < MIN_GROUP {
        return None;
    }
    let from: Vec<Answered> = kept.iter().map(|(a, _)| *a).collect();
    let to: Vec<Answered> = kept.iter().map(|(_, b)| *b).collect();
    let parts = |people: &[Answered]| -> Vec<Part> {
        people.iter().map(|who| part_of(items, who)).collect()
    };
    Some(Change {
        from: tally_of(items, &from),
        to: tally_of(items, &to),
        n_from: kept.len(),
        n_to: kept.len(),
        interval: interval(&parts(&from), &parts(&to), true),
    })
}

/// Respondents whose code, compared without case and surrounding spaces, occurs exactly once
/// in each round: the same person, as far as the codes tell.
fn match_codes<'a>(
    from: &[Answered<'a>],
    to: &[Answered<'a>],
) -> Vec<(Answered<'a>, Answered<'a>)> {
    let unique = |people: &[Answered<'a>]| -> HashMap<String, Answered<'a>> {
        let mut seen: HashMap<String, Vec<Answered<'a>>> = HashMap::new();
        for who in people {
            let code = who.code.trim().to_lowercase();
            if !code.is_empty() {
                seen.entry(code).or_default().push(*who);
            }
        }
        seen.into_iter()
            .filter(|(_, list)| list.len() == 1)
            .map(|(code, list)| (code, list[0]))
            .collect()
    };
    let (before, after) = (unique(from), unique(to));
    let mut pairs: Vec<(String, Answered<'a>, Answered<'a>)> = before
        .into_iter()
        .filter_map(|(code, a)| after.get(&code).map(|b| (code, a, *b)))
        .collect();
    pairs.sort_by(|x, y| x.0.cmp(&y.0));
    pairs.into_iter().map(|(_, a, b)| (a, b)).collect()
}

/// Compares the answers of two rounds of one service.
pub fn compare(
    instrument: &Instrument,
    from: &[Answered<'_>],
    to: &[Answered<'_>],
    options: Options,
) -> Comparison {
    let counted = |who: &&Answered<'_>| options.with_consultant || who.role != Role::Consultant;
    let (from, consultants_from): (Vec<Answered>, Vec<Answered>) = from.iter().partition(counted);
    let (to, consultants_to): (Vec<Answered>, Vec<Answered>) = to.iter().partition(counted);
    let pairs = match_codes(&from, &to);

    let all_items = instrument.items();
    let scored_in = |item: &ItemRef<'_>, people: &[Answered<'_>]| {
        people
            .iter()
            .any(|who| scored(item, response(who, item)).is_some())
    };
    let common: Vec<bool> = all_items
        .iter()
        .map(|item| scored_in(item, &from) && scored_in(item, &to))
        .collect();
    let withheld = items_withheld(instrument, &from, &to);
    let shown: Vec<bool> = all_items
        .iter()
        .map(|item| !withheld.contains(&item.area_key()))
        .collect();

    let area = |key: String, items: Vec<&ItemRef<'_>>| -> AreaChange {
        let shared: Vec<&ItemRef> = items
            .iter()
            .copied()
            .filter(|item| common[item.index])
            .collect();
        AreaChange {
            key,
            // Only the items put to someone in both rounds: one not asked in a round is no
            // item missing from the comparison.
            items: items
                .iter()
                .filter(|item| asked_of(item, &from) && asked_of(item, &to))
                .count(),
            items_common: shared.len(),
            change: change_over(&shared, &from, &to),
            paired: paired_change(&shared, &pairs),
            answers_from: tally_of(&items, &from),
            answers_to: tally_of(&items, &to),
        }
    };
    let sections = instrument
        .sections
        .iter()
        .enumerate()
        .map(|(index, section)| {
            let in_section: Vec<&ItemRef> = all_items
                .iter()
                .filter(|i| i.section_index == index)
                .collect();
            SectionChange {
                area: area(section.key.clone(), in_section.clone()),
                subdomains: section
                    .subdomains
                    .iter()
                    .map(|subdomain| {
                        let items = in_section
                            .iter()
                            .copied()
                            .filter(|i| std::ptr::eq(i.subdomain, subdomain))
                            .collect();
                        area(format!("{}.{}", section.key, subdomain.key), items)
                    })
                    .collect(),
            }
        })
        .collect();

    let mut items: Vec<ItemChange> = all_items
        .iter()
        .filter(|item| common[item.index] && shown[item.index])
        .map(|item| {
            let values = |people: &[Answered<'_>]| -> Vec<u8> {
                people
                    .iter()
                    .filter_map(|who| match response(who, item)? {
                        Response::Score(v) if item.scale.contains(v) => Some(v),
                        _ => None,
                    })
                    .collect()
            };
            ItemChange {
                key: item.item.key.clone(),
                from_mean: mean(&values(&from)),
                to_mean: mean(&values(&to)),
                change: change_over(&[item], &from, &to),
            }
        })
        .collect();
    // Largest change first; a stable sort keeps walk order among equals.
    items.sort_by(|a, b| {
        let magnitude = |i: &ItemChange| i.change.delta().map(f64::abs).unwrap_or(-1.0);
        magnitude(b).total_cmp(&magnitude(a))
    });

    Comparison {
        options,
        n_from: from.len(),
        n_to: to.len(),
        pairs: pairs.len(),
        sections,
        items,
        not_comparable: not_comparable(instrument, &from, &to, &common, &shown),
        consultant: consultant_scores(instrument, &consultants_from, &consultants_to),
        withheld,
    }
}

fn not_comparable(
    instrument: &Instrument,
    from: &[Answered<'_>],
    to: &[Answered<'_>],
    common: &[bool],
    shown: &[bool],
) -> Vec<NotComparable> {
    let items = instrument.items();
    let index: HashMap<&str, &ItemRef> = items.iter().map(|i| (i.item.key.as_str(), i)).collect();
    // An answer to a known item not put to its respondent is no answer here.
    let counts = |who: &Answered<'_>, key: &str| {
        who.answers.get(key).is_some_and(|a| a.is_answered())
            && index.get(key).is_none_or(|item| item.asks(who.asked()))
    };
    let answered_keys: BTreeSet<&str> = from
        .iter()
        .chain(to)
        .flat_map(|who| {
            who.answers
                .keys()
                .map(String::as_str)
                .filter(|key| counts(who, key))
        })
        .collect();
    let answered = |people: &[Answered<'_>], key: &str| people.iter().any(|who| counts(who, key));
    let mut list: Vec<NotComparable> = answered_keys
        .into_iter()
        // Whether a withheld item was answered is itself a trace of who answered it.
        .filter(|key| {
            index
                .get(key)
                .is_none_or(|item| !common[item.index] && shown[item.index])
        })
        .map(|key| {
            let item = index.get(key);
            let has_score = |people: &[Answered<'_>]| {
                item.is_some_and(|item| {
                    people
                        .iter()
                        .any(|who| scored(item, response(who, item)).is_some())
                })
            };
            NotComparable {
                key: key.to_string(),
                known: item.is_some(),
                answered_from: answered(from, key),
                answered_to: answered(to, key),
                scored_from: has_score(from),
                scored_to: has_score(to),
            }
        })
        .collect();
    // In walk order, unknown keys last.
    list.sort_by_key(|n| {
        (
            index.get(n.key.as_str()).map_or(usize::MAX, |i| i.index),
            n.key.clone(),
        )
    });
    list
}

fn consultant_scores(
    instrument: &Instrument,
    from: &[Answered<'_>],
    to: &[Answered<'_>],
) -> Option<ConsultantScores> {
    if from.is_empty() && to.is_empty() {
        return None;
    }
    let before: Vec<Answering> = from.iter().map(|who| (who.asked(), who.answers)).collect();
    let after: Vec<Answering> = to.iter().map(|who| (who.asked(), who.answers)).collect();
    let (before, after) = (
        summarize(instrument, &before),
        summarize(instrument, &after),
    );
    let mut areas = Vec::new();
    for (b, a) in before.iter().zip(&after) {
        areas.push((b.key.clone(), b.tally, a.tally));
        for (bs, as_) in b.subdomains.iter().zip(&a.subdomains) {
            areas.push((format!("{}.{}", b.key, bs.key), bs.tally, as_.tally));
        }
    }
    Some(ConsultantScores {
        n_from: from.len(),
        n_to: to.len(),
        areas,
    })
}

/// A role group's figures in one section, before anything is hidden.
#[derive(Debug, Clone, Copy, Default)]
struct Figure {
    /// Respondents with a score here, and those of them who answered by code.
    n: usize,
    by_code: usize,
    tally: Tally,
}

impl Figure {
    /// None by code, or enough of them that their pooled score is no one's own.
    fn codes_safe(&self) -> bool {
        self.by_code == 0 || codes_counted(self.by_code)
    }
}

/// One group's figure in one section of the role table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// The group's score over its answers here; `n` its respondents with a score here.
    Shown { n: usize, tally: Tally },
    /// No one in the group has a score here.
    Empty,
    /// Fewer respondents with a score here than the smallest group.
    TooFew,
    /// Enough, but hidden too: with the service's score it would give away a group that is
    /// too few (complementary suppression).
    Protects,
}

impl Cell {
    pub fn shown(&self) -> Option<&Tally> {
        match self {
            Cell::Shown { tally, .. } => Some(tally),
            _ => None,
        }
    }
}

/// One role's figures within a round, per section in the instrument's order.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleGroup {
    pub role: Role,
    /// Respondents in the role (who is in which role is no secret: every list shows it).
    pub n: usize,
    pub cells: Vec<Cell>,
}

/// "All", the respondents of the service's score, in one section: their n, and what may be
/// shown of their own scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AllCell {
    /// Respondents with a score here.
    pub n: usize,
    /// The mean of their own scores: shown when they are at least the smallest group and no
    /// group too few could be worked out from it.
    pub mean: Option<f64>,
    /// The lowest and highest own score: shown only where no group is hidden, since an end
    /// of the range may be the one person of a hidden group.
    pub range: Option<(f64, f64)>,
}

/// The roles side by side in one round, decided once for every face (the roles screen, the
/// comparison in every format, the report).
#[derive(Debug, Clone, PartialEq)]
pub struct RoleTable {
    pub min_group: usize,
    /// The sections' keys, in the instrument's order.
    pub sections: Vec<String>,
    pub groups: Vec<RoleGroup>,
    /// Per section, in the instrument's order.
    pub all: Vec<AllCell>,
}

/// Complementary suppression of a table's groups: `hidden` are those hidden first (too
/// few); while they are not `held_together` (together too few, so that a total minus the
/// shown groups would give them back), the smallest shown group of `by_size` (group indexes,
/// smallest first) is hidden too. Every table of groups of people hides by this one rule.
pub fn suppress(
    by_size: &[usize],
    mut hidden: Vec<usize>,
    held_together: impl Fn(&[usize]) -> bool,
) -> Vec<usize> {
    if !hidden.is_empty() {
        for &g in by_size {
            if held_together(&hidden) {
                break;
            }
            if !hidden.contains(&g) {
                hidden.push(g);
            }
        }
    }
    hidden
}

/// Leaders beside key persons beside staff (and the process leader), each with n, and "all".
///
/// The rule, per section, as statistics agencies suppress a table: a group of the service's
/// own people with fewer than `min_group` respondents with a score there is not shown
/// (primary suppression). The service's score is shown on every face, and it pools the
/// groups: were one group hidden alone, the service's score minus the visible groups would
/// give it back. So while the hidden groups together are fewer than `min_group`, the
/// smallest visible group is hidden too (secondary suppression); if all are hidden and still
/// too few, "all" is not shown either. The range of own scores is shown only where no group
/// is hidden. Respondents by code are seen only in aggregate: a group with one or two of them
/// beside people the leader can see is hidden too, and the hidden groups are held together
/// to none or at least `MIN_GROUP` by code; the range is not shown where any of them has a
/// score. The process leader's rating is shown whatever its n: it is the professional's
/// rating of the service, shown apart by design; pooled in (`with_consultant`), it is a
/// visible part of "all".
pub fn role_table(
    instrument: &Instrument,
    respondents: &[Answered<'_>],
    options: Options,
    min_group: usize,
) -> RoleTable {
    let min_group = self::min_group(min_group);
    let sections = instrument.sections.len();
    // Each respondent's own score per section, once, and whether they answered by code.
    let own: Vec<(Role, bool, Vec<SectionScore>)> = respondents
        .iter()
        .map(|who| {
            (
                who.role,
                who.by_code,
                summarize(instrument, &[(who.asked(), who.answers)]),
            )
        })
        .collect();
    let roles: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|role| respondents.iter().any(|who| who.role == *role))
        .collect();
    // Per role and section: respondents with a score, those of them by code, and the
    // pooled tally.
    let figures: Vec<Vec<Figure>> = roles
        .iter()
        .map(|role| {
            (0..sections)
                .map(|s| {
                    own.iter().filter(|(r, _, _)| r == role).fold(
                        Figure::default(),
                        |mut f, (_, by_code, scores)| {
                            f.tally.merge(&scores[s].tally);
                            let scored = usize::from(scores[s].tally.scored > 0);
                            f.n += scored;
                            f.by_code += if *by_code { scored } else { 0 };
                            f
                        },
                    )
                })
                .collect()
        })
        .collect();
    let pooled = |role: Role| options.with_consultant || role != Role::Consultant;
    let mut cells: Vec<Vec<Cell>> = vec![Vec::with_capacity(sections); roles.len()];
    let mut all = Vec::with_capacity(sections);
    for s in 0..sections {
        // Indexes of the own groups with a score here, smallest first, in role order on a tie.
        let mut own_groups: Vec<usize> = (0..roles.len())
            .filter(|&g| roles[g] != Role::Consultant && figures[g][s].n > 0)
            .collect();
        own_groups.sort_by_key(|&g| figures[g][s].n);
        // Too few; or one or two by code beside people the leader can see, which the
        // group's score minus those people would give away.
        let too_few = |g: usize| figures[g][s].n < min_group;
        let first: Vec<usize> = own_groups
            .iter()
            .copied()
            .filter(|&g| too_few(g) || !figures[g][s].codes_safe())
            .collect();
        let held_together = |hidden: &[usize]| {
            let together = hidden.iter().fold(Figure::default(), |mut f, &g| {
                f.n += figures[g][s].n;
                f.by_code += figures[g][s].by_code;
                f
            });
            together.n >= min_group && together.codes_safe()
        };
        let hidden = suppress(&own_groups, first, held_together);
        for (g, role) in roles.iter().enumerate() {
            let Figure { n, tally, .. } = figures[g][s];
            cells[g].push(match hidden.contains(&g) {
                _ if n == 0 => Cell::Empty,
                true if too_few(g) => Cell::TooFew,
                true => Cell::Protects,
                false if *role == Role::Consultant || n >= min_group => Cell::Shown { n, tally },
                false => Cell::TooFew,
            });
        }
        let scored: Vec<(bool, f64)> = own
            .iter()
            .filter(|(role, _, _)| pooled(*role))
            .filter_map(|(_, by_code, scores)| Some((*by_code, scores[s].tally.exact_percent()?)))
            .collect();
        let scores: Vec<f64> = scored.iter().map(|(_, score)| *score).collect();
        let n = scores.len();
        let enough = n >= min_group && (hidden.is_empty() || held_together(&hidden));
        // An end of the range may be one respondent by code.
        let no_codes = scored.iter().all(|(by_code, _)| !by_code);
        all.push(AllCell {
            n,
            mean: enough.then(|| scores.iter().sum::<f64>() / n as f64),
            range: (enough && hidden.is_empty() && no_codes).then(|| {
                (
                    scores.iter().copied().fold(f64::INFINITY, f64::min),
                    scores.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                )
            }),
        });
    }
    RoleTable {
        min_group,
        sections: instrument.sections.iter().map(|s| s.key.clone()).collect(),
        groups: roles
            .into_iter()
            .zip(cells)
            .map(|(role, cells)| RoleGroup {
                role,
                n: respondents.iter().filter(|who| who.role == role).count(),
                cells,
            })
            .collect(),
        all,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::test_support::answer_set as set;

    fn staff(answers: &AnswerSet) -> Answered<'_> {
        Answered {
            kind: RoundKind::After,
            role: Role::Staff,
            code: "",
            by_code: false,
            answers,
        }
    }

    fn coded<'a>(role: Role, code: &'a str, answers: &'a AnswerSet) -> Answered<'a> {
        Answered {
            kind: RoundKind::After,
            role,
            code,
            by_code: false,
            answers,
        }
    }

    fn area<'a>(c: &'a Comparison, key: &str) -> &'a AreaChange {
        c.area(key).unwrap_or_else(|| panic!("no area {key}"))
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
        let c = compare(
            instrument,
            &[staff(&b1), staff(&b2)],
            &[staff(&a1)],
            Options::default(),
        );
        assert_eq!((c.n_from, c.n_to), (2, 1));

        let awareness = area(&c, "readiness.problem_awareness");
        assert_eq!((awareness.items, awareness.items_common), (4, 1));
        assert!(!awareness.comparable(), "1 of 4 items is under half");
        assert_eq!(awareness.delta(), None);
        assert_eq!(awareness.change.from.exact_percent(), Some(37.5));
        assert_eq!(awareness.change.to.percent(), Some(100.0));
        assert_eq!((awareness.change.n_from, awareness.change.n_to), (2, 1));

        let readiness = area(&c, "readiness");
        assert_eq!((readiness.items, readiness.items_common), (15, 1));
        assert!(!readiness.notable());

        // Fit has a score before only: nothing in common, and the item is not comparable.
        let fit = area(&c, "fit");
        assert_eq!(fit.items_common, 0);
        assert_eq!(fit.delta(), None);
        assert_eq!(fit.answers_from.scored, 1);

        // Items: only the two scored in both rounds; training moved 100 points.
        let keys: Vec<&str> = c.items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            ["competence.training.1", "readiness.problem_awareness.1"]
        );
        let awareness_item = &c.items[1];
        assert_eq!(awareness_item.from_mean, Some(2.5));
        assert_eq!(awareness_item.to_mean, Some(5.0));
        assert_eq!(awareness_item.change.delta(), Some(62.0));
        assert!(!awareness_item.change.notable(), "n 2 → 1 is too few");
        let training = &c.items[0];
        assert_eq!(
            (training.change.from.dont_know, training.change.to.dont_know),
            (1, 0)
        );
        assert_eq!((training.change.n_from, training.change.n_to), (1, 1));

        let not: Vec<(&str, bool, bool)> = c
            .not_comparable
            .iter()
            .map(|n| (n.key.as_str(), n.scored_from, n.scored_to))
            .collect();
        assert_eq!(
            not,
            [
                ("fit.answers_problem.1", true, false),
                ("support.evaluation.1", false, true)
            ]
        );
    }

    /// Five staff before and after, the same code each; every item of readiness answered.
    fn readiness_round(values: &[u8], codes: &[&'static str]) -> Vec<(AnswerSet, &'static str)> {
        let instrument = Instrument::standard();
        let keys: Vec<String> = instrument
            .items()
            .iter()
            .filter(|i| i.section.key == "readiness")
            .map(|i| i.item.key.clone())
            .collect();
        values
            .iter()
            .zip(codes)
            .map(|(value, code)| {
                let pairs: Vec<(&str, Response)> = keys
                    .iter()
                    .map(|k| (k.as_str(), Response::Score(*value)))
                    .collect();
                (set(&pairs), *code)
            })
            .collect()
    }

    fn people<'a>(round: &'a [(AnswerSet, &'static str)]) -> Vec<Answered<'a>> {
        round
            .iter()
            .map(|(answers, code)| coded(Role::Staff, code, answers))
            .collect()
    }

    #[test]
    fn a_star_needs_five_respondents_and_a_change_beyond_the_spread() {
        let instrument = Instrument::standard();
        let codes = ["a", "b", "c", "d", "e"];
        // Everyone at 2 (25 %) before and 4 (75 %) after: no spread, the interval is the
        // change itself, +50.
        let before = readiness_round(&[2, 2, 2, 2, 2], &codes);
        let after = readiness_round(&[4, 4, 4, 4, 4], &codes);
        let c = compare(
            instrument,
            &people(&before),
            &people(&after),
            Options::default(),
        );
        let readiness = area(&c, "readiness");
        assert_eq!((readiness.items, readiness.items_common), (15, 15));
        assert_eq!(readiness.delta(), Some(50.0));
        assert_eq!(readiness.change.interval, Some((50.0, 50.0)));
        assert!(readiness.notable());

        // Four respondents: the same change is not marked, and has no interval.
        let c = compare(
            instrument,
            &people(&before[..4]),
            &people(&after[..4]),
            Options::default(),
        );
        assert_eq!(area(&c, "readiness").delta(), Some(50.0));
        assert_eq!(area(&c, "readiness").change.interval, None);
        assert!(!area(&c, "readiness").notable());

        // A rise of 15 points in the mean that the spread explains: 1,1,5,5,3 (50 %)
        // against 1,5,5,5,2 (65 %). Each respondent answers every item alike, so the
        // interval is Welch's for the respondents' own scores (checked with scipy):
        // 15 ± t(0.975, 7.99) · 31.22 = −57.0 to +87.0; it holds 0.
        let before = readiness_round(&[1, 1, 5, 5, 3], &codes);
        let after = readiness_round(&[1, 5, 5, 5, 2], &codes);
        let c = compare(
            instrument,
            &people(&before),
            &people(&after),
            Options::default(),
        );
        let readiness = area(&c, "readiness");
        assert_eq!(readiness.delta(), Some(15.0));
        let (low, high) = readiness.change.interval.unwrap();
        assert!(
            (low + 57.013).abs() < 0.01 && (high - 87.013).abs() < 0.01,
            "{low} {high}"
        );
        assert!(!readiness.notable());
    }

    #[test]
    fn a_hand_computed_interval_beyond_the_spread() {
        let instrument = Instrument::standard();
        let codes = ["a", "b", "c", "d", "e", "f"];
        // Own scores 0, 25, 50, 25, 25, 75 % (mean 33.3) against 50, 75, 75, 100, 50, 75 %
        // (mean 70.8): +37.5 unrounded, variances of the means 0.011111 and 0.005903,
        // Welch's 9.14 degrees of freedom: 37.5 ± 2.257 · 13.04 = +8.06 to +66.94 (scipy
        // agrees). Shown: 33 % → 71 %, +38 ★.
        let before = readiness_round(&[1, 2, 3, 2, 2, 4], &codes);
        let after = readiness_round(&[3, 4, 4, 5, 3, 4], &codes);
        let c = compare(
            instrument,
            &people(&before),
            &people(&after),
            Options::default(),
        );
        let readiness = area(&c, "readiness");
        let (low, high) = readiness.change.interval.unwrap();
        assert!(
            (low - 8.063).abs() < 0.01 && (high - 66.937).abs() < 0.01,
            "{low} {high}"
        );
        assert_eq!(readiness.delta(), Some(38.0));
        assert!(readiness.notable());
        // The same people in both rounds: their own changes +50, +50, +25, +75, +25, 0;
        // mean +37.5, standard error 10.70 on 5 degrees of freedom: +9.98 to +65.02.
        let paired = readiness.paired.as_ref().unwrap();
        let (low, high) = paired.interval.unwrap();
        assert!(
            (low - 9.984).abs() < 0.01 && (high - 65.016).abs() < 0.01,
            "{low} {high}"
        );
        // The order the respondents come in changes nothing.
        let reversed: Vec<(AnswerSet, &'static str)> = before.iter().rev().cloned().collect();
        let again = compare(
            instrument,
            &people(&reversed),
            &people(&after),
            Options::default(),
        );
        assert_eq!(
            again.area("readiness").unwrap().change.interval,
            readiness.change.interval
        );
    }

    #[test]
    fn paired_change_follows_the_people_who_answered_both_times() {
        let instrument = Instrument::standard();
        // Before: a, b, c at 25 %, and d at 100 %. After: a, b, c at 75 %, and a newcomer e
        // at 0 %. Unpaired: (25·3 + 100) / 4 = 43.75 → 44 % against (75·3 + 0) / 4 =
        // 56.25 → 56 %: +12. Paired over a, b, c alone: 25 % → 75 %, +50, n 3.
        let before = readiness_round(&[2, 2, 2, 5], &["a", "b", "c", "d"]);
        let after = readiness_round(&[4, 4, 4, 1], &["A ", "b", "c", "e"]);
        let c = compare(
            instrument,
            &people(&before),
            &people(&after),
            Options::default(),
        );
        assert_eq!(c.pairs, 3, "codes match without case or spaces");
        let readiness = area(&c, "readiness");
        assert_eq!(readiness.delta(), Some(12.0));
        let paired = readiness.paired.as_ref().unwrap();
        assert_eq!((paired.n_from, paired.n_to), (3, 3));
        assert_eq!(paired.delta(), Some(50.0));
        assert_eq!(
            paired.interval, None,
            "three pairs are too few for an interval"
        );

        // A code used twice in a round names no one.
        let before = readiness_round(&[2, 2], &["a", "a"]);
        let after = readiness_round(&[4], &["a"]);
        let c = compare(
            instrument,
            &people(&before),
            &people(&after),
            Options::default(),
        );
        assert_eq!(c.pairs, 0);
        assert_eq!(area(&c, "readiness").paired, None);
    }

    #[test]
    fn a_paired_change_of_fewer_than_the_smallest_group_is_not_shown() {
        let instrument = Instrument::standard();
        // One person with the same code both times: their paired change would be their own
        // change, readable by anyone who knows the code; two, each the other's.
        for pairs in 1..MIN_GROUP {
            let codes: Vec<&'static str> = ["a", "b", "c", "d", "e"][..pairs + 2].to_vec();
            let before = readiness_round(&vec![2; codes.len()], &codes);
            let mut after_codes = codes[..pairs].to_vec();
            after_codes.extend(["x", "y"]);
            let after = readiness_round(&vec![4; after_codes.len()], &after_codes);
            let c = compare(
                instrument,
                &people(&before),
                &people(&after),
                Options::default(),
            );
            assert_eq!(c.pairs, pairs);
            for section in &c.sections {
                assert_eq!(section.area.paired, None, "{pairs} pairs");
                for sub in &section.subdomains {
                    assert_eq!(sub.paired, None, "{pairs} pairs");
                }
            }
        }
    }

    #[test]
    fn the_process_leader_stands_apart_unless_asked_for() {
        use Response::*;
        let instrument = Instrument::standard();
        let low = set(&[("fit.answers_problem.1", Score(1))]);
        let high = set(&[("fit.answers_problem.1", Score(5))]);
        let from = [
            coded(Role::Staff, "", &low),
            coded(Role::Consultant, "", &high),
        ];
        let to = [
            coded(Role::Staff, "", &low),
            coded(Role::Consultant, "", &low),
        ];
        let c = compare(instrument, &from, &to, Options::default());
        assert_eq!((c.n_from, c.n_to), (1, 1));
        let fit = area(&c, "fit.answers_problem");
        assert_eq!(fit.change.from.percent(), Some(0.0));
        let consultant = c.consultant.as_ref().unwrap();
        assert_eq!((consultant.n_from, consultant.n_to), (1, 1));
        let (before, after) = consultant.area("fit.answers_problem").unwrap();
        assert_eq!(
            (before.percent(), after.percent()),
            (Some(100.0), Some(0.0))
        );

        let pooled = compare(
            instrument,
            &from,
            &to,
            Options {
                with_consultant: true,
            },
        );
        assert_eq!((pooled.n_from, pooled.n_to), (2, 2));
        assert_eq!(pooled.consultant, None);
        assert_eq!(
            pooled
                .area("fit.answers_problem")
                .unwrap()
                .change
                .from
                .percent(),
            Some(50.0)
        );
    }

    #[test]
    fn an_item_not_asked_in_one_round_is_no_item_missing_from_the_change() {
        use Response::*;
        let instrument = Instrument::standard();
        // Staff before the programme (never asked about the training, nor about the
        // agreement, though one answered it in an old version) and after it.
        let before = set(&[
            ("competence.recruitment.2", Score(0)),
            ("competence.recruitment.3", Score(0)),
            ("competence.training.1", DontKnow),
            ("leadership.binding_agreement.1", Score(0)),
        ]);
        let after = set(&[
            ("competence.recruitment.2", Score(2)),
            ("competence.recruitment.3", Score(2)),
            ("competence.training.1", Score(2)),
            ("leadership.binding_agreement.1", Score(2)),
        ]);
        let who = |kind, answers| Answered {
            kind,
            role: Role::Staff,
            code: "",
            by_code: false,
            answers,
        };
        let c = compare(
            instrument,
            &[who(RoundKind::Before, &before)],
            &[who(RoundKind::After, &after)],
            Options::default(),
        );
        // Recruitment: 2 of its 3 items are put to staff, both scored both times.
        let recruitment = area(&c, "competence.recruitment");
        assert_eq!((recruitment.items, recruitment.items_common), (2, 2));
        assert_eq!(recruitment.delta(), Some(100.0));
        // Training was asked of no one before: no items to compare, and its "vet ikke"
        // from before counts nowhere.
        let training = area(&c, "competence.training");
        assert_eq!((training.items, training.items_common), (0, 0));
        assert_eq!(training.answers_from.dont_know, 0);
        assert_eq!(training.answers_from.slots, 0);
        assert_eq!(training.answers_to.slots, 4);
        // The competence section counts the 6 items put to staff in both rounds.
        assert_eq!(area(&c, "competence").items, 6);
        // The agreement is the leader's: staff's answers to it count on neither side.
        let agreement = area(&c, "leadership.binding_agreement");
        assert_eq!((agreement.items, agreement.answers_to.scored), (0, 0));
        assert!(c.items.iter().all(|i| !i.key.starts_with("leadership.")));
        assert!(
            c.not_comparable
                .iter()
                .all(|n| n.key != "leadership.binding_agreement.1"),
            "an answer not asked is not listed as answered"
        );
    }

    #[test]
    fn a_change_over_under_half_the_items_is_never_starred() {
        let instrument = Instrument::standard();
        let codes = ["a", "b", "c", "d", "e"];
        // Readiness fully answered before; after, only problem awareness (4 of 15 items).
        let before = readiness_round(&[2, 2, 2, 2, 2], &codes);
        let after_full = readiness_round(&[5, 5, 5, 5, 5], &codes);
        let after: Vec<(AnswerSet, &'static str)> = after_full
            .iter()
            .map(|(answers, code)| {
                let kept = answers
                    .iter()
                    .filter(|(k, _)| k.starts_with("readiness.problem_awareness."))
                    .map(|(k, a)| (k.clone(), a.clone()))
                    .collect();
                (kept, *code)
            })
            .collect();
        let c = compare(
            instrument,
            &people(&before),
            &people(&after),
            Options::default(),
        );
        let readiness = area(&c, "readiness");
        assert_eq!((readiness.items, readiness.items_common), (15, 4));
        assert!(!readiness.comparable());
        assert!(!readiness.notable());
        // Its subdomain, answered in full both times, is comparable and marked.
        let awareness = area(&c, "readiness.problem_awareness");
        assert!(awareness.comparable());
        assert_eq!(awareness.delta(), Some(75.0));
        assert!(awareness.notable());
    }

    fn table(respondents: &[(Role, &AnswerSet)], options: Options, min: usize) -> RoleTable {
        let people: Vec<Answered> = respondents
            .iter()
            .map(|(role, answers)| Answered {
                kind: RoundKind::After,
                role: *role,
                code: "",
                by_code: false,
                answers,
            })
            .collect();
        role_table(Instrument::standard(), &people, options, min)
    }

    fn cell(table: &RoleTable, role: Role, section: usize) -> &Cell {
        &table.groups.iter().find(|g| g.role == role).unwrap().cells[section]
    }

    #[test]
    fn all_shows_the_mean_and_range_of_own_scores_where_no_group_is_hidden() {
        use Response::*;
        let low = set(&[("fit.answers_problem.1", Score(1))]);
        let high = set(&[
            ("fit.answers_problem.1", Score(5)),
            ("fit.answers_problem.2", Score(3)),
        ]);
        let none = set(&[("fit.answers_problem.1", DontKnow)]);
        let staff = [
            (Role::Staff, &low),
            (Role::Staff, &high),
            (Role::Staff, &low),
            (Role::Staff, &none),
        ];
        let t = table(&staff, Options::default(), 3);
        // Section 1 is fit: own scores 0, 75, 0; the one who does not know has none.
        let fit = t.all[1];
        assert_eq!(fit.n, 3);
        assert_eq!(fit.mean, Some(25.0));
        assert_eq!(fit.range, Some((0.0, 75.0)));
        assert_eq!(t.all[0].n, 0);
        assert_eq!(t.all[0].mean, None);
        assert_eq!(cell(&t, Role::Staff, 0), &Cell::Empty);
        // Three with a score are too few once the smallest group is raised to four.
        let t = table(&staff, Options::default(), 4);
        assert_eq!(cell(&t, Role::Staff, 1), &Cell::TooFew);
        assert_eq!((t.all[1].mean, t.all[1].range), (None, None));
    }

    #[test]
    fn the_floor_is_three_whatever_is_asked() {
        assert_eq!(min_group(1), MIN_GROUP);
        assert_eq!(min_group(2), 3);
        assert_eq!(min_group(5), 5);
        let a = set(&[("fit.answers_problem.1", Response::Score(5))]);
        let two = [(Role::Staff, &a), (Role::Staff, &a)];
        let t = table(&two, Options::default(), 1);
        assert_eq!(t.min_group, 3);
        assert_eq!(cell(&t, Role::Staff, 1), &Cell::TooFew);
    }

    #[test]
    fn a_hidden_group_hides_the_next_smallest_so_that_it_cannot_be_worked_out() {
        use Response::*;
        let a = set(&[("fit.answers_problem.1", Score(5))]);
        let b = set(&[("fit.answers_problem.1", Score(1))]);
        // One leader, three key persons, five staff: the leader is too few, and the key
        // persons (the smallest visible group) are hidden too; the staff stay.
        let mut respondents = vec![(Role::Leader, &a)];
        respondents.extend([(Role::KeyPerson, &b); 3]);
        respondents.extend([(Role::Staff, &b); 5]);
        let t = table(&respondents, Options::default(), 3);
        assert_eq!(cell(&t, Role::Leader, 1), &Cell::TooFew);
        assert_eq!(cell(&t, Role::KeyPerson, 1), &Cell::Protects);
        assert!(cell(&t, Role::Staff, 1).shown().is_some());
        assert_eq!(t.groups[0].n, 1, "n stays: who has which role is no secret");
        // "All" keeps its mean (the hidden are four together), never its range.
        assert_eq!(t.all[1].n, 9);
        assert!(t.all[1].mean.is_some());
        assert_eq!(t.all[1].range, None);

        // One leader and one key person beside three staff: the two hidden are still too
        // few together, so the staff are hidden too; "all" is then the five together, the
        // service's own score, with no range.
        let respondents = [
            (Role::Leader, &a),
            (Role::KeyPerson, &b),
            (Role::Staff, &b),
            (Role::Staff, &b),
            (Role::Staff, &b),
        ];
        let t = table(&respondents, Options::default(), 3);
        assert_eq!(cell(&t, Role::Staff, 1), &Cell::Protects);
        assert_eq!((t.all[1].mean, t.all[1].range), (Some(20.0), None));
        // Two leaders and two key persons hide each other and leave the staff.
        let respondents = [
            (Role::Leader, &a),
            (Role::Leader, &a),
            (Role::KeyPerson, &b),
            (Role::KeyPerson, &b),
            (Role::Staff, &b),
            (Role::Staff, &b),
            (Role::Staff, &b),
        ];
        let t = table(&respondents, Options::default(), 3);
        assert_eq!(cell(&t, Role::Leader, 1), &Cell::TooFew);
        assert_eq!(cell(&t, Role::KeyPerson, 1), &Cell::TooFew);
        assert!(cell(&t, Role::Staff, 1).shown().is_some());
        assert!(t.all[1].mean.is_some());
    }

    #[test]
    fn the_process_leader_is_shown_whatever_their_n_and_pooled_is_part_of_all() {
        use Response::*;
        let a = set(&[("fit.answers_problem.1", Score(5))]);
        let b = set(&[("fit.answers_problem.1", Score(1))]);
        let respondents = [(Role::Consultant, &a), (Role::Staff, &b), (Role::Staff, &b)];
        let apart = table(&respondents, Options::default(), 3);
        assert!(cell(&apart, Role::Consultant, 1).shown().is_some());
        assert_eq!(cell(&apart, Role::Staff, 1), &Cell::TooFew);
        assert_eq!((apart.all[1].n, apart.all[1].mean), (2, None));
        // Pooled in: "all" minus the process leader would be the two staff.
        let pooled = table(
            &respondents,
            Options {
                with_consultant: true,
            },
            3,
        );
        assert_eq!(pooled.all[1].n, 3);
        assert_eq!(pooled.all[1].mean, None);
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
        let t = table(&respondents, Options::default(), 3);
        assert_eq!(t.groups.len(), 2);
        assert_eq!(t.groups[0].role, Role::Leader);
        assert_eq!(t.groups[0].n, 1);
        assert_eq!(cell(&t, Role::Leader, 1), &Cell::TooFew);
        // With the leader alone hidden, the staff would give them away: hidden too.
        assert_eq!(cell(&t, Role::Staff, 1), &Cell::Protects);
    }
}
