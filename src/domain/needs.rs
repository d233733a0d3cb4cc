//! Competence needs: the areas a service weighs (`competence_areas.toml`, and areas of its
//! own), its view per round of how well it masters each and how much each matters, the gap
//! between the two and which needs it is ready to work on; its expectations of the
//! programme and the facts about the service that explain its needs (issue 14; seed 004,
//! ch. 3.1.3–3.2 and 5). Plain data, sorted, for every face and the report alike.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::Deserialize;

use super::lang::Localized;
use super::model::Id;
use super::plan::codes;
use super::scoring::Band;

const AREAS_TOML: &str = include_str!("competence_areas.toml");

static AREAS: LazyLock<CompetenceAreas> = LazyLock::new(|| {
    CompetenceAreas::from_toml(AREAS_TOML).expect("the embedded areas are checked by a unit test")
});

/// A need is a gap of at least this many points: importance high, mastery low (say 5 and 3,
/// or 4 and 2). One point apart is within what two people rating the same thing differ by.
pub const NEED_GAP: i8 = 2;

/// The instrument's section whose score the readiness rule reads (`readiness`).
pub const READINESS_SECTION: &str = "readiness";

/// The most areas a round can mark as its top priorities.
pub const TOP_THREE: usize = 3;

/// The lowest and highest mastery and importance.
pub const SCALE: std::ops::RangeInclusive<u8> = 1..=5;

/// The list of areas kartlegg ships, with its version and source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompetenceAreas {
    pub key: String,
    pub version: String,
    pub source: String,
    pub areas: Vec<Area>,
}

/// A competence area: its stable key, name and short help text. An area of the service's
/// own has its UUID as key, the name the service gave in every language, and no help.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub key: String,
    pub name: Localized,
    #[serde(default)]
    pub help: Localized,
}

impl CompetenceAreas {
    /// The areas kartlegg ships with.
    pub fn standard() -> &'static CompetenceAreas {
        &AREAS
    }

    pub fn from_toml(text: &str) -> Result<CompetenceAreas, String> {
        let areas: CompetenceAreas = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut problems = Vec::new();
        let mut keys = HashSet::new();
        for area in &areas.areas {
            if !keys.insert(area.key.as_str()) {
                problems.push(format!("{}: the key is used twice", area.key));
            }
            if !area.name.is_complete() || !area.help.is_complete() {
                problems.push(format!("{}: a text is missing in a language", area.key));
            }
        }
        if areas.areas.is_empty() || areas.version.is_empty() || areas.source.is_empty() {
            problems.push("no areas, version or source".to_string());
        }
        if problems.is_empty() {
            Ok(areas)
        } else {
            Err(problems.join("; "))
        }
    }

    /// Every area a service weighs, in list order: these, then its own in the order given.
    pub fn with_own(&self, own: &[OwnArea]) -> Vec<Area> {
        let mut all = self.areas.clone();
        all.extend(own.iter().map(OwnArea::area));
        all
    }
}

/// An area a service added itself, with the name it gave.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct OwnArea {
    pub id: Id,
    pub service_id: Id,
    pub name: String,
}

impl OwnArea {
    pub fn area(&self) -> Area {
        let name = Localized {
            nb: self.name.clone(),
            nn: self.name.clone(),
            en: self.name.clone(),
        };
        Area {
            key: self.id.clone(),
            name,
            help: Localized::default(),
        }
    }
}

codes! {
    /// Who in the service needs an area.
    Who { Leaders = "leaders", Caseworkers = "caseworkers", All = "all" }
}

impl Who {
    /// The next in the cycle none → leaders → caseworkers → all → none.
    pub fn cycle(who: Option<Who>) -> Option<Who> {
        match who {
            None => Some(Who::Leaders),
            Some(Who::Leaders) => Some(Who::Caseworkers),
            Some(Who::Caseworkers) => Some(Who::All),
            Some(Who::All) => None,
        }
    }
}

/// The service's view of one area in one round, recorded by the leader or agreed at a
/// gathering. Every part may be unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Need {
    pub area_key: String,
    /// How well the service masters the area today, 1–5.
    pub mastery: Option<u8>,
    /// How important the area is for the coming period, 1–5.
    pub importance: Option<u8>,
    pub top_three: bool,
    pub who: Option<Who>,
    /// What, concretely, is missing (a comment's limits; never about children or families).
    pub missing: String,
}

/// One change to a round's need for one area: what `Needs::set_need` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NeedField {
    Mastery(Option<u8>),
    Importance(Option<u8>),
    TopThree(bool),
    Who(Option<Who>),
    Missing(String),
}

impl NeedField {
    /// The need with this change made.
    pub fn apply(&self, need: &mut Need) {
        match self {
            NeedField::Mastery(v) => need.mastery = *v,
            NeedField::Importance(v) => need.importance = *v,
            NeedField::TopThree(v) => need.top_three = *v,
            NeedField::Who(v) => need.who = *v,
            NeedField::Missing(v) => need.missing.clone_from(v),
        }
    }

    /// Whether the value is one the scale allows.
    pub fn in_range(&self) -> bool {
        match self {
            NeedField::Mastery(Some(v)) | NeedField::Importance(Some(v)) => SCALE.contains(v),
            _ => true,
        }
    }
}

/// Whether marking one more area as a top priority would pass `TOP_THREE`: `area_key` is
/// the one to be marked, which may be marked already.
pub fn top_three_full(needs: &[Need], area_key: &str) -> bool {
    needs
        .iter()
        .filter(|n| n.top_three && n.area_key != area_key)
        .count()
        >= TOP_THREE
}

/// The gap of one area with both mastery and importance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub area_key: String,
    /// The area's place in the list (`CompetenceAreas::with_own`).
    pub order: usize,
    pub mastery: u8,
    pub importance: u8,
    /// importance − mastery, −4 to 4.
    pub gap: i8,
    pub top_three: bool,
}

impl Gap {
    /// A gap of at least `NEED_GAP`.
    pub fn is_need(&self) -> bool {
        self.gap >= NEED_GAP
    }
}

/// The gaps of the areas with both mastery and importance, largest first; equal gaps by
/// importance, highest first, then in list order. Needs of areas not in `areas` (an own
/// area erased meanwhile) are left out.
pub fn gaps(areas: &[Area], needs: &[Need]) -> Vec<Gap> {
    let mut gaps: Vec<Gap> = needs
        .iter()
        .filter_map(|need| {
            let order = areas.iter().position(|a| a.key == need.area_key)?;
            let (mastery, importance) = (need.mastery?, need.importance?);
            Some(Gap {
                area_key: need.area_key.clone(),
                order,
                mastery,
                importance,
                gap: importance as i8 - mastery as i8,
                top_three: need.top_three,
            })
        })
        .collect();
    gaps.sort_by(|a, b| (b.gap, b.importance, a.order).cmp(&(a.gap, a.importance, b.order)));
    gaps
}

/// Whether the service is ready to work on a need now, and if not, why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// Among its top three, and its readiness at least "partly".
    Ready,
    /// Not among its top three.
    NotPrioritised,
    /// Among its top three, but the round's readiness is below "partly".
    ReadinessLow,
    /// Among its top three, but the round has no readiness score yet.
    ReadinessUnknown,
}

/// The rule: a need (or any area) is one the service is ready to work on when it is among
/// its top three and the round's readiness section (`readiness_percent`, the kept score as
/// shown) is at least "partly" (`Band::Partly`, 50 %).
pub fn readiness(top_three: bool, readiness_percent: Option<f64>) -> Readiness {
    if !top_three {
        return Readiness::NotPrioritised;
    }
    match readiness_percent.map(Band::of) {
        None => Readiness::ReadinessUnknown,
        Some(Band::Priority) => Readiness::ReadinessLow,
        Some(Band::Partly | Band::InPlace) => Readiness::Ready,
    }
}

/// The top needs of a round for a summary: its gaps of at least `NEED_GAP`, at most
/// `TOP_THREE`, in the order of `gaps`.
pub fn top_needs(gaps: &[Gap]) -> Vec<&Gap> {
    gaps.iter()
        .filter(|g| g.is_need())
        .take(TOP_THREE)
        .collect()
}

/// A need a plan's measure can be started from: a gap of at least `NEED_GAP`, or an area
/// the service put among its top three, in the order of `gaps`.
pub fn plannable(gaps: &[Gap]) -> Vec<&Gap> {
    gaps.iter().filter(|g| g.is_need() || g.top_three).collect()
}

/// The text of a measure started from a need: the area's name, then what was typed, or
/// what the round says is missing where nothing was typed.
pub fn measure_text(area_name: &str, typed: &str, missing: &str) -> String {
    let what = if typed.trim().is_empty() {
        missing.trim()
    } else {
        typed.trim()
    };
    if what.is_empty() {
        area_name.to_string()
    } else {
        format!("{area_name}: {what}")
    }
}

codes! {
    /// What a service wants to get out of the programme.
    Expectation {
        NewKnowledge = "new_knowledge",
        Methods = "methods",
        Exchange = "exchange",
        Supervision = "supervision",
        Other = "other",
    }
}

codes! {
    /// An answer of yes, partly or no.
    YesPartlyNo { Yes = "yes", Partly = "partly", No = "no" }
}

/// What the service expects of the programme in a round.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Expectations {
    /// In the order of `Expectation::ALL`, each once.
    pub wants: Vec<Expectation>,
    pub text: String,
    /// Whether the service knows why it was invited.
    pub knows_why: Option<YesPartlyNo>,
    /// Whether it takes part by its own wish.
    pub own_wish: Option<YesPartlyNo>,
}

impl Expectations {
    pub fn is_empty(&self) -> bool {
        *self == Expectations::default()
    }
}

/// Which fact about the service a value is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FactField {
    Ftes,
    Vacancies,
    Turnover,
    NewlyQualified,
    DeadlineBreaches,
    Complaints,
    EmergencyCases,
}

impl FactField {
    pub const ALL: [FactField; 7] = [
        FactField::Ftes,
        FactField::Vacancies,
        FactField::Turnover,
        FactField::NewlyQualified,
        FactField::DeadlineBreaches,
        FactField::Complaints,
        FactField::EmergencyCases,
    ];

    /// The field's name in `Facts` as data (the export's and the change log's).
    pub fn code(self) -> &'static str {
        match self {
            FactField::Ftes => "ftes",
            FactField::Vacancies => "vacancies",
            FactField::Turnover => "turnover",
            FactField::NewlyQualified => "newly_qualified",
            FactField::DeadlineBreaches => "deadline_breaches",
            FactField::Complaints => "complaints",
            FactField::EmergencyCases => "emergency_cases",
        }
    }
}

/// Facts about the service in a round, entered by the leader; each may be left out. They
/// explain a need, and are never used to rank services by name.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, Deserialize)]
pub struct Facts {
    /// Full-time equivalents (årsverk), one decimal.
    pub ftes: Option<f64>,
    pub vacancies: Option<u32>,
    /// Staff who left in the last year.
    pub turnover: Option<u32>,
    /// Share of newly qualified staff, percent 0–100.
    pub newly_qualified: Option<f64>,
    /// Deadline breaches (fristbrudd) in the last period.
    pub deadline_breaches: Option<u32>,
    pub complaints: Option<u32>,
    pub emergency_cases: Option<u32>,
}

/// What is wrong with a fact as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactProblem {
    /// Not a number (or, for a count, not a whole number).
    NotANumber,
    Negative,
    /// A share over 100 %.
    OverHundred,
    /// More than the form takes (a typing slip): 100,000 for counts and FTEs.
    TooLarge,
}

/// The largest count or number of FTEs taken: far above any municipal service.
pub const FACT_MAX: u32 = 100_000;

impl Facts {
    pub fn is_empty(&self) -> bool {
        *self == Facts::default()
    }

    /// The value of a field as a number, for the form and the summary.
    pub fn get(&self, field: FactField) -> Option<f64> {
        match field {
            FactField::Ftes => self.ftes,
            FactField::NewlyQualified => self.newly_qualified,
            FactField::Vacancies => self.vacancies.map(f64::from),
            FactField::Turnover => self.turnover.map(f64::from),
            FactField::DeadlineBreaches => self.deadline_breaches.map(f64::from),
            FactField::Complaints => self.complaints.map(f64::from),
            FactField::EmergencyCases => self.emergency_cases.map(f64::from),
        }
    }

    /// Sets a field from what was typed: empty leaves it out; a decimal comma or point for
    /// FTEs and the share (FTEs kept to one decimal), a whole number for the counts. A
    /// value refused leaves the facts as they were.
    pub fn set_typed(&mut self, field: FactField, typed: &str) -> Result<(), FactProblem> {
        let typed = typed.trim().replace(',', ".");
        if typed.is_empty() {
            self.set(field, None);
            return Ok(());
        }
        let decimal = matches!(field, FactField::Ftes | FactField::NewlyQualified);
        let value: f64 = if decimal {
            typed.parse().map_err(|_| FactProblem::NotANumber)?
        } else {
            typed.parse::<i64>().map_err(|_| FactProblem::NotANumber)? as f64
        };
        check_fact(field, value)?;
        self.set(field, Some(value));
        Ok(())
    }

    fn set(&mut self, field: FactField, value: Option<f64>) {
        // `check_fact` has held a count to a whole number from 0 to `FACT_MAX`.
        let count = value.map(|v| v as u32);
        match field {
            FactField::Ftes => self.ftes = value.map(|v| super::rounding::round(v, 1)),
            FactField::NewlyQualified => self.newly_qualified = value,
            FactField::Vacancies => self.vacancies = count,
            FactField::Turnover => self.turnover = count,
            FactField::DeadlineBreaches => self.deadline_breaches = count,
            FactField::Complaints => self.complaints = count,
            FactField::EmergencyCases => self.emergency_cases = count,
        }
    }

    /// The first field whose value is out of its range (a store checks before it writes).
    pub fn problem(&self) -> Option<(FactField, FactProblem)> {
        FactField::ALL.iter().find_map(|&field| {
            let value = self.get(field)?;
            check_fact(field, value).err().map(|p| (field, p))
        })
    }
}

/// A fact's range: never negative, a share at most 100, anything else at most `FACT_MAX`.
pub fn check_fact(field: FactField, value: f64) -> Result<(), FactProblem> {
    if !value.is_finite() {
        Err(FactProblem::NotANumber)
    } else if value < 0.0 {
        Err(FactProblem::Negative)
    } else if field == FactField::NewlyQualified && value > 100.0 {
        Err(FactProblem::OverHundred)
    } else if value > f64::from(FACT_MAX) {
        Err(FactProblem::TooLarge)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(key: &str, mastery: u8, importance: u8, top_three: bool) -> Need {
        Need {
            area_key: key.to_string(),
            mastery: Some(mastery),
            importance: Some(importance),
            top_three,
            ..Need::default()
        }
    }

    fn area(key: &str) -> Area {
        Area {
            key: key.to_string(),
            name: Localized::default(),
            help: Localized::default(),
        }
    }

    #[test]
    fn the_shipped_areas_are_whole_in_every_language_and_keep_their_keys() {
        let areas = CompetenceAreas::from_toml(AREAS_TOML).expect("valid areas");
        assert_eq!(areas.key, "kartlegg-competence-areas");
        assert!(!areas.version.is_empty() && areas.source.contains("NIFU"));
        let keys: Vec<&str> = areas.areas.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "investigation",
                "support_measures",
                "trauma_informed",
                "network_family_conference",
                "child_participation",
                "parent_cooperation",
                "documentation",
                "law",
                "care_orders",
                "violence_abuse",
                "minority_sami",
                "interdisciplinary",
                "leadership_supervision",
            ]
        );
        assert_eq!(CompetenceAreas::standard().areas, areas.areas);
    }

    #[test]
    fn a_list_with_a_key_twice_or_a_language_missing_is_refused() {
        let twice = AREAS_TOML.replace("key = \"support_measures\"", "key = \"investigation\"");
        let err = CompetenceAreas::from_toml(&twice).unwrap_err();
        assert!(
            err.contains("investigation: the key is used twice"),
            "{err}"
        );
        let no_nn = AREAS_TOML.replacen("nn = \"Tverrfagleg samarbeid\"", "nn = \"\"", 1);
        let err = CompetenceAreas::from_toml(&no_nn).unwrap_err();
        assert!(
            err.contains("interdisciplinary: a text is missing"),
            "{err}"
        );
    }

    #[test]
    fn own_areas_follow_the_list_under_their_own_key_and_name() {
        let own = OwnArea {
            id: "u-1".to_string(),
            service_id: "s".to_string(),
            name: "Rus".to_string(),
        };
        let all = CompetenceAreas::standard().with_own(&[own]);
        assert_eq!(all.len(), 14);
        let last = all.last().unwrap();
        assert_eq!(last.key, "u-1");
        assert_eq!(last.name.get(crate::domain::lang::Lang::En), "Rus");
    }

    /// By hand: a's gap is 3 (a need), b's 1 but among the top three, c's 1 and not, d's
    /// −1 but top three: a plan takes up a, b and d, in the order of the gaps.
    #[test]
    fn a_plan_takes_up_the_needs_and_the_top_three_in_the_order_of_the_gaps() {
        let areas: Vec<Area> = ["a", "b", "c", "d"].map(area).to_vec();
        let needs = vec![
            need("d", 4, 3, true),
            need("c", 2, 3, false),
            need("b", 3, 4, true),
            need("a", 2, 5, false),
        ];
        let gaps = gaps(&areas, &needs);
        let keys: Vec<&str> = plannable(&gaps)
            .iter()
            .map(|g| g.area_key.as_str())
            .collect();
        assert_eq!(keys, ["a", "b", "d"]);
    }

    #[test]
    fn a_measure_from_a_need_names_the_area_and_what_was_typed_or_is_missing() {
        assert_eq!(
            measure_text("Lov", " kurs i ny lov ", "Ny lov"),
            "Lov: kurs i ny lov"
        );
        assert_eq!(measure_text("Lov", "  ", " Ny lov "), "Lov: Ny lov");
        assert_eq!(measure_text("Lov", "", ""), "Lov");
    }

    /// Worked by hand: a = 5 − 2 = 3; b = 4 − 1 = 3, but less important than a; c = 5 − 3
    /// = 2; d = 3 − 3 = 0; e = 2 − 4 = −2; f has no importance and no gap.
    #[test]
    fn gaps_are_sorted_by_gap_then_importance_then_list_order() {
        let areas: Vec<Area> = ["a", "b", "c", "d", "e", "f", "g"].map(area).to_vec();
        let mut f = need("f", 1, 5, false);
        f.importance = None;
        let needs = vec![
            need("e", 4, 2, false),
            need("d", 3, 3, false),
            need("b", 1, 4, true),
            f,
            need("c", 3, 5, false),
            need("a", 2, 5, true),
            need("g", 1, 3, false),
        ];
        let gaps = gaps(&areas, &needs);
        let seen: Vec<(&str, i8)> = gaps.iter().map(|g| (g.area_key.as_str(), g.gap)).collect();
        // g = 3 − 1 = 2: as large as c's, but less important, so after it.
        assert_eq!(
            seen,
            [("a", 3), ("b", 3), ("c", 2), ("g", 2), ("d", 0), ("e", -2)]
        );
        let needs_only: Vec<&str> = gaps
            .iter()
            .filter(|g| g.is_need())
            .map(|g| g.area_key.as_str())
            .collect();
        assert_eq!(needs_only, ["a", "b", "c", "g"]);
        let top: Vec<&str> = top_needs(&gaps)
            .iter()
            .map(|g| g.area_key.as_str())
            .collect();
        assert_eq!(top, ["a", "b", "c"]);
    }

    #[test]
    fn equal_gap_and_importance_keep_the_lists_order_and_unknown_areas_are_left_out() {
        let areas: Vec<Area> = ["x", "y"].map(area).to_vec();
        let needs = vec![
            need("y", 2, 4, false),
            need("x", 2, 4, false),
            need("gone", 1, 5, true),
        ];
        let keys: Vec<String> = gaps(&areas, &needs)
            .into_iter()
            .map(|g| g.area_key)
            .collect();
        assert_eq!(keys, ["x", "y"]);
    }

    #[test]
    fn a_gap_of_one_is_not_a_need_and_two_is() {
        let areas = vec![area("a")];
        assert!(!gaps(&areas, &[need("a", 3, 4, false)])[0].is_need());
        assert!(gaps(&areas, &[need("a", 2, 4, false)])[0].is_need());
        assert_eq!(NEED_GAP, 2);
    }

    #[test]
    fn ready_only_among_the_top_three_with_readiness_at_least_partly() {
        assert_eq!(readiness(true, Some(50.0)), Readiness::Ready);
        assert_eq!(readiness(true, Some(85.0)), Readiness::Ready);
        assert_eq!(readiness(true, Some(49.0)), Readiness::ReadinessLow);
        assert_eq!(readiness(true, None), Readiness::ReadinessUnknown);
        assert_eq!(readiness(false, Some(90.0)), Readiness::NotPrioritised);
        assert_eq!(readiness(false, None), Readiness::NotPrioritised);
    }

    #[test]
    fn a_fourth_top_priority_is_full_and_the_same_one_again_is_not() {
        let needs = vec![
            need("a", 1, 5, true),
            need("b", 1, 5, true),
            need("c", 1, 5, false),
        ];
        assert!(!top_three_full(&needs, "c"));
        let mut three = needs.clone();
        three[2].top_three = true;
        assert!(top_three_full(&three, "d"));
        assert!(!top_three_full(&three, "a"), "marking one already marked");
    }

    #[test]
    fn who_cycles_through_every_choice_and_back_to_none() {
        let mut who = None;
        let mut seen = Vec::new();
        for _ in 0..4 {
            who = Who::cycle(who);
            seen.push(who);
        }
        assert_eq!(
            seen,
            [
                Some(Who::Leaders),
                Some(Who::Caseworkers),
                Some(Who::All),
                None
            ]
        );
    }

    #[test]
    fn facts_take_a_decimal_comma_and_refuse_what_is_out_of_range() {
        let mut facts = Facts::default();
        assert_eq!(facts.set_typed(FactField::Ftes, " 12,25 "), Ok(()));
        assert_eq!(facts.ftes, Some(12.3));
        assert_eq!(facts.set_typed(FactField::NewlyQualified, "40.5"), Ok(()));
        assert_eq!(facts.set_typed(FactField::Vacancies, "2"), Ok(()));
        assert_eq!(
            facts.set_typed(FactField::Vacancies, "-1"),
            Err(FactProblem::Negative)
        );
        assert_eq!(
            facts.set_typed(FactField::Turnover, "1.5"),
            Err(FactProblem::NotANumber)
        );
        assert_eq!(
            facts.set_typed(FactField::NewlyQualified, "101"),
            Err(FactProblem::OverHundred)
        );
        assert_eq!(
            facts.set_typed(FactField::Complaints, "1000000"),
            Err(FactProblem::TooLarge)
        );
        assert_eq!(
            facts.set_typed(FactField::Ftes, "NaN"),
            Err(FactProblem::NotANumber)
        );
        assert_eq!(facts.vacancies, Some(2), "a refused value changes nothing");
        assert_eq!(facts.newly_qualified, Some(40.5));
        assert_eq!(facts.problem(), None);
        assert_eq!(facts.set_typed(FactField::Vacancies, ""), Ok(()));
        assert_eq!(facts.vacancies, None);
        let bad = Facts {
            newly_qualified: Some(120.0),
            ..Facts::default()
        };
        assert_eq!(
            bad.problem(),
            Some((FactField::NewlyQualified, FactProblem::OverHundred))
        );
    }
}
