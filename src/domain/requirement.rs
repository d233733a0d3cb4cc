//! The formal competence requirement of 2031 for caseworkers and leaders in municipal child
//! welfare services, and where a service's positions stand against it. The rules (which
//! education, how many credits, how many years) are data (`requirement_2031.toml`) with a
//! source and a version, so that a change in the regulations is an edit of the data.
//!
//! A position is a post, never a person: a role, an education, credits and years, planned
//! further education. No name, no initials.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::compare;
use super::lang::Localized;
use super::model::{Id, Round};

const STANDARD_TOML: &str = include_str!("requirement_2031.toml");

static STANDARD: LazyLock<Requirement> = LazyLock::new(|| {
    Requirement::from_toml(STANDARD_TOML)
        .expect("the embedded requirement is checked by a unit test")
});

/// The roles a position may have. Kept apart from a respondent's roles: a position is a
/// post in the service, a respondent someone who answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionRole {
    Leader,
    Caseworker,
    Other,
}

impl PositionRole {
    pub const ALL: [PositionRole; 3] = [
        PositionRole::Leader,
        PositionRole::Caseworker,
        PositionRole::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PositionRole::Leader => "leader",
            PositionRole::Caseworker => "caseworker",
            PositionRole::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<PositionRole> {
        PositionRole::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// The highest relevant education of a position's holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Education {
    MasterChildWelfare,
    MasterOtherRelevant,
    /// A bachelor's in child welfare, social work or social education.
    BachelorRelevant,
    Other,
    None,
}

impl Education {
    pub const ALL: [Education; 5] = [
        Education::MasterChildWelfare,
        Education::MasterOtherRelevant,
        Education::BachelorRelevant,
        Education::Other,
        Education::None,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Education::MasterChildWelfare => "master_child_welfare",
            Education::MasterOtherRelevant => "master_other_relevant",
            Education::BachelorRelevant => "bachelor_relevant",
            Education::Other => "other",
            Education::None => "none",
        }
    }

    pub fn from_code(code: &str) -> Option<Education> {
        Education::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// The largest number of credits and years a position takes: more is a typing error.
pub const MAX_CREDITS: u16 = 600;
pub const MAX_YEARS: u8 = 60;

/// What is recorded of one position, without its identity; its change log snapshot too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PositionFacts {
    pub role: PositionRole,
    pub education: Education,
    /// Credits (studiepoeng) of relevant further education taken.
    pub credits: u16,
    /// Whole years of relevant experience.
    pub years: u8,
    /// Credits of relevant further education planned, and the year it is to be done.
    pub planned_credits: u16,
    pub planned_year: Option<u16>,
}

/// A typed figure of a position's form that cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactsError {
    /// Not a whole number from 0 to `max`, in the field `field` (credits, years, planned).
    Number {
        field: FactsField,
        text: String,
        max: u16,
    },
    /// Not a year.
    Year(String),
    /// Planned credits without the year they will be done.
    YearMissing,
    /// A year for planned education without its credits.
    CreditsMissing,
}

/// The typed fields of a position, for saying which one is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactsField {
    Credits,
    Years,
    PlannedCredits,
    PlannedYear,
}

impl FactsError {
    pub fn field(&self) -> FactsField {
        match self {
            FactsError::Number { field, .. } => *field,
            FactsError::Year(_) | FactsError::YearMissing => FactsField::PlannedYear,
            FactsError::CreditsMissing => FactsField::PlannedCredits,
        }
    }
}

/// A position's facts from what was typed: credits, years and planned credits as whole
/// numbers (empty is 0), the planned year as a year or empty; planned credits and their year
/// go together.
pub fn parse_facts(
    role: PositionRole,
    education: Education,
    [credits, years, planned_credits, planned_year]: [&str; 4],
) -> Result<PositionFacts, FactsError> {
    let number = |field, text: &str, max: u16| {
        let text = text.trim();
        if text.is_empty() {
            return Ok(0);
        }
        text.parse::<u16>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| FactsError::Number {
                field,
                text: text.to_string(),
                max,
            })
    };
    let credits = number(FactsField::Credits, credits, MAX_CREDITS)?;
    let years = number(FactsField::Years, years, u16::from(MAX_YEARS))?;
    let planned_credits = number(FactsField::PlannedCredits, planned_credits, MAX_CREDITS)?;
    let year_text = planned_year.trim();
    let planned_year = match year_text {
        "" => None,
        text => Some(
            text.parse::<u16>()
                .ok()
                .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
                .ok_or_else(|| FactsError::Year(text.to_string()))?,
        ),
    };
    match half_plan(planned_credits, planned_year) {
        Some(problem) => Err(problem),
        None => Ok(PositionFacts {
            role,
            education,
            credits,
            years: u8::try_from(years).unwrap_or(MAX_YEARS),
            planned_credits,
            planned_year,
        }),
    }
}

/// Planned credits without their year, or a year without credits: the two go together.
pub fn half_plan(planned_credits: u16, planned_year: Option<u16>) -> Option<FactsError> {
    match (planned_credits, planned_year) {
        (0, Some(_)) => Some(FactsError::CreditsMissing),
        (1.., None) => Some(FactsError::YearMissing),
        _ => None,
    }
}

/// The years a planned education may be done in (as the store takes them).
pub const MIN_YEAR: u16 = 1900;
pub const MAX_YEAR: u16 = 2200;

/// One position in one round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub id: Id,
    pub round_id: Id,
    pub facts: PositionFacts,
}

impl Position {
    /// Its key in the change log: under its round, so that the round's erasure takes its
    /// entries too, as a consensus value's.
    pub fn log_key(&self) -> String {
        format!("{}/{}", self.round_id, self.id)
    }
}

/// Where a position stands against the requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Meets it now.
    Meets,
    /// Will meet it on the day it applies, with its planned education done in time and its
    /// experience as it will stand then.
    Will,
    /// Will not, as planned now.
    WillNot,
    /// The requirement does not cover the role.
    NotCovered,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Meets => "meets",
            Status::Will => "will",
            Status::WillNot => "will_not",
            Status::NotCovered => "not_covered",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Way {
    pub education: Vec<Education>,
    pub credits: u16,
    pub years: u8,
    /// kartlegg's reading of a number the law leaves to regulations.
    pub reading: bool,
    pub text: Localized,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFigure {
    /// `leader`, `caseworker` or `all`.
    pub role: String,
    pub percent: u8,
    pub text: Localized,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub year: u16,
    pub source: Localized,
    pub figures: Vec<BaselineFigure>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub key: String,
    pub version: String,
    pub applies_from: NaiveDate,
    pub covered_roles: Vec<PositionRole>,
    pub name: Localized,
    pub source: Localized,
    pub reading_note: Localized,
    pub ways: Vec<Way>,
    pub baseline: Baseline,
}

impl Requirement {
    /// The requirement kartlegg ships with.
    pub fn standard() -> &'static Requirement {
        &STANDARD
    }

    pub fn from_toml(text: &str) -> Result<Requirement, String> {
        let requirement: Requirement = toml::from_str(text).map_err(|e| e.to_string())?;
        let problems = requirement.problems();
        if problems.is_empty() {
            Ok(requirement)
        } else {
            Err(problems.join("; "))
        }
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let texts = std::iter::once(("name", &self.name))
            .chain([
                ("source", &self.source),
                ("reading_note", &self.reading_note),
            ])
            .chain(self.ways.iter().map(|w| ("way", &w.text)))
            .chain(std::iter::once(("baseline", &self.baseline.source)))
            .chain(
                self.baseline
                    .figures
                    .iter()
                    .map(|f| ("baseline figure", &f.text)),
            );
        for (what, text) in texts {
            if [&text.nb, &text.nn, &text.en]
                .iter()
                .any(|t| t.trim().is_empty())
            {
                problems.push(format!("{what}: a text is missing a language"));
            }
        }
        if self.ways.is_empty() {
            problems.push("no way to meet the requirement".into());
        }
        if self.covered_roles.contains(&PositionRole::Other) {
            problems.push("the role other is never covered".into());
        }
        for figure in &self.baseline.figures {
            if !["leader", "caseworker", "all"].contains(&figure.role.as_str())
                || figure.percent > 100
            {
                problems.push(format!(
                    "baseline figure {}: unknown role or share",
                    figure.role
                ));
            }
        }
        problems
    }

    /// The last year in which planned education counts: the year before the day it applies.
    pub fn last_planned_year(&self) -> u16 {
        u16::try_from(self.applies_from.year() - 1).unwrap_or(0)
    }

    fn met(&self, education: Education, credits: u16, years: u32) -> bool {
        self.ways.iter().any(|way| {
            way.education.contains(&education)
                && credits >= way.credits
                && years >= u32::from(way.years)
        })
    }

    /// Where a position recorded on `on` (its round's date) stands: it meets the
    /// requirement now; or it will, with its planned further education done by the year
    /// before it applies and the experience it will have by then if it stays; or it will not.
    pub fn status(&self, facts: &PositionFacts, on: NaiveDate) -> Status {
        if !self.covered_roles.contains(&facts.role) {
            return Status::NotCovered;
        }
        if self.met(facts.education, facts.credits, facts.years.into()) {
            return Status::Meets;
        }
        let planned = match facts.planned_year {
            Some(year) if year <= self.last_planned_year() => facts.planned_credits,
            _ => 0,
        };
        let years_then = u32::from(facts.years) + whole_years(on, self.applies_from);
        if self.met(
            facts.education,
            facts.credits.saturating_add(planned),
            years_then,
        ) {
            Status::Will
        } else {
            Status::WillNot
        }
    }

    /// The share of `role` (`leader`, `caseworker` or `all`) in the national baseline.
    pub fn baseline_for(&self, role: &str) -> Option<&BaselineFigure> {
        self.baseline.figures.iter().find(|f| f.role == role)
    }
}

/// Whole years from `from` to `to`, none when `to` is not later.
fn whole_years(from: NaiveDate, to: NaiveDate) -> u32 {
    if to <= from {
        return 0;
    }
    let mut years = u32::try_from(to.year() - from.year()).unwrap_or(0);
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years = years.saturating_sub(1);
    }
    years
}

/// How many positions of a group meet the requirement, will, and will not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusCounts {
    pub meets: usize,
    pub will: usize,
    pub will_not: usize,
}

impl StatusCounts {
    pub fn n(&self) -> usize {
        self.meets + self.will + self.will_not
    }

    fn add(&mut self, status: Status) {
        match status {
            Status::Meets => self.meets += 1,
            Status::Will => self.will += 1,
            Status::WillNot => self.will_not += 1,
            Status::NotCovered => {}
        }
    }
}

/// What may be shown of a group's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counts {
    Shown(StatusCounts),
    /// No positions in the group.
    Empty,
    /// Fewer positions than the smallest group.
    TooFew,
    /// Enough, but hidden too: with "all" it would give away a group that is too few.
    Protects,
}

/// One row of the status table: a covered role, or all covered positions (`role` None).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRow {
    pub role: Option<PositionRole>,
    /// Positions in the group (how many posts a role has is no secret).
    pub n: usize,
    pub counts: Counts,
}

/// A service's positions in one round against the requirement, decided once for every face.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusTable {
    pub min_group: usize,
    /// The covered roles in the requirement's order, then "all".
    pub rows: Vec<StatusRow>,
    /// Positions whose role the requirement does not cover.
    pub not_covered: usize,
}

/// Counts per covered role and for all covered positions, with small groups suppressed as
/// the roles table does (`compare::suppress`): a role with fewer than `min_group` positions
/// shows no count, and while the hidden roles together are fewer, the next smallest is
/// hidden too, so that "all" minus the shown roles gives none of them back; "all" is shown
/// only when the hidden are held together.
pub fn status_table(
    requirement: &Requirement,
    statuses: &[(PositionRole, Status)],
    min_group: usize,
) -> StatusTable {
    let min_group = compare::min_group(min_group);
    let roles = &requirement.covered_roles;
    let counts: Vec<StatusCounts> = roles
        .iter()
        .map(|role| {
            statuses.iter().filter(|(r, _)| r == role).fold(
                StatusCounts::default(),
                |mut c, (_, s)| {
                    c.add(*s);
                    c
                },
            )
        })
        .collect();
    let mut by_size: Vec<usize> = (0..roles.len()).filter(|&g| counts[g].n() > 0).collect();
    by_size.sort_by_key(|&g| counts[g].n());
    let too_few = |g: usize| counts[g].n() < min_group;
    let held_together =
        |hidden: &[usize]| hidden.iter().map(|&g| counts[g].n()).sum::<usize>() >= min_group;
    let first: Vec<usize> = by_size.iter().copied().filter(|&g| too_few(g)).collect();
    let hidden = compare::suppress(&by_size, first, held_together);
    let mut rows: Vec<StatusRow> = roles
        .iter()
        .enumerate()
        .map(|(g, role)| StatusRow {
            role: Some(*role),
            n: counts[g].n(),
            counts: match hidden.contains(&g) {
                _ if counts[g].n() == 0 => Counts::Empty,
                true if too_few(g) => Counts::TooFew,
                true => Counts::Protects,
                false => Counts::Shown(counts[g]),
            },
        })
        .collect();
    let all = counts.iter().fold(StatusCounts::default(), |mut a, c| {
        a.meets += c.meets;
        a.will += c.will;
        a.will_not += c.will_not;
        a
    });
    let enough = all.n() >= min_group && (hidden.is_empty() || held_together(&hidden));
    rows.push(StatusRow {
        role: None,
        n: all.n(),
        counts: match () {
            _ if all.n() == 0 => Counts::Empty,
            _ if enough => Counts::Shown(all),
            _ => Counts::TooFew,
        },
    });
    StatusTable {
        min_group,
        rows,
        not_covered: statuses
            .iter()
            .filter(|(_, s)| *s == Status::NotCovered)
            .count(),
    }
}

/// Each position's role and status on its round's date.
pub fn statuses(
    requirement: &Requirement,
    round: &Round,
    positions: &[Position],
) -> Vec<(PositionRole, Status)> {
    positions
        .iter()
        .map(|p| (p.facts.role, requirement.status(&p.facts, round.held_on)))
        .collect()
}

/// One round's status table, for a trend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundStatus {
    pub round_id: Id,
    pub label: String,
    pub held_on: NaiveDate,
    pub table: StatusTable,
}

/// The status table of each round, sorted by date (then label), for a trend of the service's
/// progress towards the requirement round by round.
pub fn status_by_round(
    requirement: &Requirement,
    rounds: &[(Round, Vec<Position>)],
    min_group: usize,
) -> Vec<RoundStatus> {
    let mut out: Vec<RoundStatus> = rounds
        .iter()
        .map(|(round, positions)| RoundStatus {
            round_id: round.id.clone(),
            label: round.label.clone(),
            held_on: round.held_on,
            table: status_table(
                requirement,
                &statuses(requirement, round, positions),
                min_group,
            ),
        })
        .collect();
    out.sort_by(|a, b| (a.held_on, &a.label).cmp(&(b.held_on, &b.label)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Education::*;
    use Status::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_embedded_requirement_loads_with_every_language_and_its_source() {
        let r = Requirement::standard();
        assert_eq!(r.key, "barnevernsloven-2031");
        assert_eq!(r.applies_from, date(2031, 1, 1));
        assert_eq!(r.last_planned_year(), 2030);
        assert_eq!(
            r.covered_roles,
            [PositionRole::Leader, PositionRole::Caseworker]
        );
        assert!(r.source.nb.contains("Prop. 133 L"));
        assert_eq!(r.baseline.year, 2020);
        assert_eq!(r.baseline_for("caseworker").unwrap().percent, 9);
        assert_eq!(r.baseline_for("leader").unwrap().percent, 16);
        assert_eq!(r.baseline_for("all").unwrap().percent, 36);
        assert!(r.ways.iter().any(|w| w.reading), "readings are marked");
    }

    #[test]
    fn a_requirement_missing_a_language_or_covering_other_is_refused() {
        let broken = STANDARD_TOML.replacen("nn = \"Master i barnevern\"", "nn = \"\"", 1);
        assert!(
            Requirement::from_toml(&broken)
                .unwrap_err()
                .contains("language")
        );
        let other = STANDARD_TOML.replace(
            "covered_roles = [\"leader\", \"caseworker\"]",
            "covered_roles = [\"leader\", \"other\"]",
        );
        assert!(
            Requirement::from_toml(&other)
                .unwrap_err()
                .contains("other")
        );
    }

    /// Every education kind × enough or too few credits × enough or too little experience ×
    /// planned education (60 credits in 2030) or none, for a caseworker and a leader, on a
    /// round held within half a year of the day it applies (no experience is gained by then).
    /// Enough is 60 credits and 5 years (kartlegg's reading in the data): a bachelor with 30
    /// credits planned to 90 meets it then; another master's needs only the years.
    #[test]
    fn each_combination_of_the_rule_has_its_hand_computed_status() {
        // (education, credits, years, planned, expected)
        let table: &[(Education, u16, u8, bool, Status)] = &[
            (MasterChildWelfare, 60, 5, false, Meets),
            (MasterChildWelfare, 60, 5, true, Meets),
            (MasterChildWelfare, 60, 2, false, Meets),
            (MasterChildWelfare, 60, 2, true, Meets),
            (MasterChildWelfare, 0, 5, false, Meets),
            (MasterChildWelfare, 0, 5, true, Meets),
            (MasterChildWelfare, 0, 2, false, Meets),
            (MasterChildWelfare, 0, 2, true, Meets),
            (MasterOtherRelevant, 60, 5, false, Meets),
            (MasterOtherRelevant, 60, 5, true, Meets),
            (MasterOtherRelevant, 60, 2, false, WillNot),
            (MasterOtherRelevant, 60, 2, true, WillNot),
            (MasterOtherRelevant, 0, 5, false, Meets),
            (MasterOtherRelevant, 0, 5, true, Meets),
            (MasterOtherRelevant, 0, 2, false, WillNot),
            (MasterOtherRelevant, 0, 2, true, WillNot),
            (BachelorRelevant, 60, 5, false, Meets),
            (BachelorRelevant, 60, 5, true, Meets),
            (BachelorRelevant, 60, 2, false, WillNot),
            (BachelorRelevant, 60, 2, true, WillNot),
            (BachelorRelevant, 30, 5, false, WillNot),
            (BachelorRelevant, 30, 5, true, Will),
            (BachelorRelevant, 30, 2, false, WillNot),
            (BachelorRelevant, 30, 2, true, WillNot),
            (Other, 60, 5, false, WillNot),
            (Other, 60, 5, true, WillNot),
            (Other, 60, 2, false, WillNot),
            (Other, 60, 2, true, WillNot),
            (Other, 30, 5, false, WillNot),
            (Other, 30, 5, true, WillNot),
            (Other, 30, 2, false, WillNot),
            (Other, 30, 2, true, WillNot),
            (None, 60, 5, false, WillNot),
            (None, 60, 5, true, WillNot),
            (None, 60, 2, false, WillNot),
            (None, 60, 2, true, WillNot),
            (None, 30, 5, false, WillNot),
            (None, 30, 5, true, WillNot),
            (None, 30, 2, false, WillNot),
            (None, 30, 2, true, WillNot),
        ];
        assert_eq!(table.len(), Education::ALL.len() * 2 * 2 * 2);
        let r = Requirement::standard();
        let on = date(2030, 9, 1);
        for role in [
            PositionRole::Caseworker,
            PositionRole::Leader,
            PositionRole::Other,
        ] {
            for &(education, credits, years, planned, expected) in table {
                let facts = PositionFacts {
                    role,
                    education,
                    credits,
                    years,
                    planned_credits: if planned { 60 } else { 0 },
                    planned_year: planned.then_some(2030),
                };
                let expected = if role == PositionRole::Other {
                    NotCovered
                } else {
                    expected
                };
                assert_eq!(r.status(&facts, on), expected, "{role:?} {facts:?}");
            }
        }
    }

    #[test]
    fn education_planned_for_the_year_it_applies_is_too_late_and_experience_grows_until_then() {
        let r = Requirement::standard();
        let bachelor = |years, planned_year| PositionFacts {
            role: PositionRole::Caseworker,
            education: BachelorRelevant,
            credits: 30,
            years,
            planned_credits: 30,
            planned_year,
        };
        let late = date(2030, 9, 1);
        assert_eq!(r.status(&bachelor(5, Some(2030)), late), Will);
        assert_eq!(r.status(&bachelor(5, Some(2031)), late), WillNot);
        assert_eq!(r.status(&bachelor(5, Option::None), late), WillNot);
        // Recorded on 10 February 2026: four whole years until 1 January 2031, so one
        // year of experience now is five then, and none is four.
        let early = date(2026, 2, 10);
        assert_eq!(r.status(&bachelor(1, Some(2028)), early), Will);
        assert_eq!(r.status(&bachelor(0, Some(2028)), early), WillNot);
        assert_eq!(whole_years(date(2026, 2, 10), date(2031, 1, 1)), 4);
        assert_eq!(whole_years(date(2026, 1, 1), date(2031, 1, 1)), 5);
        assert_eq!(whole_years(date(2031, 6, 1), date(2031, 1, 1)), 0);
        // Credits never overflow.
        let huge = PositionFacts {
            credits: u16::MAX,
            planned_credits: u16::MAX,
            ..bachelor(5, Some(2030))
        };
        assert_eq!(r.status(&huge, late), Meets);
    }

    #[test]
    fn typed_figures_are_taken_or_refused_with_the_field_at_fault() {
        let parse = |fields| parse_facts(PositionRole::Leader, BachelorRelevant, fields);
        let facts = parse([" 30 ", "4", "30", "2028"]).unwrap();
        assert_eq!(
            (
                facts.credits,
                facts.years,
                facts.planned_credits,
                facts.planned_year
            ),
            (30, 4, 30, Some(2028))
        );
        let empty = parse(["", "", "", ""]).unwrap();
        assert_eq!((empty.credits, empty.planned_year), (0, Option::None));
        let wrong = |fields| parse(fields).unwrap_err().field();
        assert_eq!(wrong(["-1", "", "", ""]), FactsField::Credits);
        assert_eq!(wrong(["601", "", "", ""]), FactsField::Credits);
        assert_eq!(wrong(["", "61", "", ""]), FactsField::Years);
        assert_eq!(wrong(["", "2,5", "", ""]), FactsField::Years);
        assert_eq!(wrong(["", "", "x", ""]), FactsField::PlannedCredits);
        assert_eq!(wrong(["", "", "30", "28"]), FactsField::PlannedYear);
        assert_eq!(parse(["", "", "30", ""]), Err(FactsError::YearMissing));
        assert_eq!(
            parse(["", "", "0", "2028"]),
            Err(FactsError::CreditsMissing)
        );
        assert_eq!(
            parse(["", "", "", "2O28"]),
            Err(FactsError::Year("2O28".into()))
        );
    }

    fn many(role: PositionRole, statuses: &[Status]) -> Vec<(PositionRole, Status)> {
        statuses.iter().map(|s| (role, *s)).collect()
    }

    #[test]
    fn roles_with_enough_positions_are_counted_with_their_n_and_all() {
        let r = Requirement::standard();
        let mut positions = many(PositionRole::Leader, &[Meets, Will, WillNot]);
        positions.extend(many(
            PositionRole::Caseworker,
            &[Meets, Meets, WillNot, WillNot],
        ));
        positions.push((PositionRole::Other, NotCovered));
        let t = status_table(r, &positions, 3);
        let shown = |c: Counts| match c {
            Counts::Shown(c) => (c.meets, c.will, c.will_not),
            other => panic!("hidden: {other:?}"),
        };
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0].role, Some(PositionRole::Leader));
        assert_eq!(shown(t.rows[0].counts), (1, 1, 1));
        assert_eq!(shown(t.rows[1].counts), (2, 0, 2));
        assert_eq!((t.rows[2].role, t.rows[2].n), (Option::None, 7));
        assert_eq!(shown(t.rows[2].counts), (3, 1, 3));
        assert_eq!(t.not_covered, 1);
    }

    /// A leader alone beside five caseworkers: the leader's count is too few, and "all"
    /// minus the caseworkers would give it back, so the caseworkers are hidden too; the two
    /// hidden together are six, so "all" is shown.
    #[test]
    fn a_role_with_one_or_two_positions_shows_no_count_and_all_does_not_give_it_away() {
        let r = Requirement::standard();
        for few in [1, 2] {
            let mut positions = many(PositionRole::Leader, &vec![WillNot; few]);
            positions.extend(many(PositionRole::Caseworker, &[Meets; 5]));
            let t = status_table(r, &positions, 3);
            assert_eq!(t.rows[0].counts, Counts::TooFew);
            assert_eq!(t.rows[0].n, few);
            assert_eq!(t.rows[1].counts, Counts::Protects);
            assert!(matches!(t.rows[2].counts, Counts::Shown(c) if c.n() == 5 + few));
        }
        // One leader and one caseworker: both too few, together too few: nothing shown.
        let positions = [
            (PositionRole::Leader, Meets),
            (PositionRole::Caseworker, WillNot),
        ];
        let t = status_table(r, &positions, 3);
        assert_eq!(t.rows[0].counts, Counts::TooFew);
        assert_eq!(t.rows[1].counts, Counts::TooFew);
        assert_eq!(t.rows[2].counts, Counts::TooFew);
        // No leaders at all: the caseworkers are "all", nothing to protect.
        let t = status_table(r, &many(PositionRole::Caseworker, &[Meets; 3]), 3);
        assert_eq!(t.rows[0].counts, Counts::Empty);
        assert!(matches!(t.rows[1].counts, Counts::Shown(_)));
        // A raised smallest group hides more; a lowered one is held to three.
        let t = status_table(r, &many(PositionRole::Caseworker, &[Meets; 3]), 4);
        assert_eq!(t.rows[1].counts, Counts::TooFew);
        assert_eq!(status_table(r, &[], 1).min_group, 3);
    }

    #[test]
    fn rounds_are_given_in_date_order_with_their_own_tables() {
        let r = Requirement::standard();
        let round = |id: &str, label: &str, on: NaiveDate| Round {
            id: id.into(),
            service_id: "s".into(),
            label: label.into(),
            held_on: on,
            kind: crate::domain::model::RoundKind::Before,
            instrument_key: "k".into(),
            instrument_version: "1".into(),
        };
        let position = |education| Position {
            id: "p".into(),
            round_id: "r".into(),
            facts: PositionFacts {
                role: PositionRole::Caseworker,
                education,
                credits: 0,
                years: 0,
                planned_credits: 0,
                planned_year: Option::None,
            },
        };
        let rounds = vec![
            (
                round("r2", "Etter", date(2027, 3, 1)),
                vec![position(MasterChildWelfare); 3],
            ),
            (
                round("r1", "Før", date(2026, 3, 1)),
                vec![position(Other); 3],
            ),
        ];
        let trend = status_by_round(r, &rounds, 3);
        assert_eq!(
            trend
                .iter()
                .map(|t| t.round_id.as_str())
                .collect::<Vec<_>>(),
            ["r1", "r2"]
        );
        assert!(matches!(trend[0].table.rows[2].counts, Counts::Shown(c) if c.will_not == 3));
        assert!(matches!(trend[1].table.rows[2].counts, Counts::Shown(c) if c.meets == 3));
    }
}
