//! From scores to action: barriers, strategies and measures per subdomain, goals followed
//! from round to round, where the service is in its implementation, and the consensus a
//! gathering agrees on (seed 001, slides 18 and 30; seed 002's goal and measures matrices).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::{Id, InputError, NameField, TextKind, single_line};

macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}
pub(crate) use codes;

codes! {
    /// What a plan item is.
    PlanKind { Barrier = "barrier", Strategy = "strategy", Measure = "measure" }
}

codes! {
    /// Where a barrier sits (seed 001).
    Level { System = "system", Organisation = "organisation", Team = "team", Individual = "individual" }
}

codes! {
    /// A goal's status in a round: ikke / delvis / oppnådd (seed 002).
    GoalStatus { Not = "not", Partly = "partly", Achieved = "achieved" }
}

codes! {
    /// Where the service is in its implementation (seed 001's simple model, in order).
    Stage {
        Agenda = "agenda",
        FindMeasures = "find_measures",
        Adapt = "adapt",
        Decide = "decide",
        Prepare = "prepare",
        Routines = "routines",
    }
}

/// A barrier, a strategy or a measure for one subdomain of one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    pub id: Id,
    pub service_id: Id,
    /// `section.subdomain`
    pub subdomain_key: String,
    pub kind: PlanKind,
    pub text: String,
    pub level: Option<Level>,
    pub owner: String,
    pub due_on: Option<NaiveDate>,
    pub done: bool,
    pub done_on: Option<NaiveDate>,
}

impl PlanItem {
    /// A new item of `kind` in a service's plan for a subdomain, its id given when it is added.
    pub fn new(service_id: &str, subdomain_key: &str, kind: PlanKind) -> PlanItem {
        PlanItem {
            id: String::new(),
            service_id: service_id.to_string(),
            subdomain_key: subdomain_key.to_string(),
            kind,
            text: String::new(),
            level: None,
            owner: String::new(),
            due_on: None,
            done: false,
            done_on: None,
        }
    }

    /// An open measure whose date has passed.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.kind == PlanKind::Measure && !self.done && self.due_on.is_some_and(|d| d < today)
    }

    pub fn is_open_measure(&self) -> bool {
        self.kind == PlanKind::Measure && !self.done
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub id: Id,
    pub service_id: Id,
    pub text: String,
    /// `section.subdomain` keys the goal concerns.
    pub subdomain_keys: Vec<String>,
}

/// Checks a plan item's text and, for a measure, its due date as typed (may be empty).
pub fn validate_plan_text(text: &str) -> Result<String, InputError> {
    let text = single_line(text);
    if text.is_empty() {
        return Err(InputError::EmptyText);
    }
    if TextKind::Plan.too_long(&text) {
        return Err(InputError::TooLong(NameField::Text, TextKind::Plan));
    }
    Ok(text)
}

pub fn parse_optional_date(text: &str) -> Result<Option<NaiveDate>, InputError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        super::model::parse_date(text).map(Some)
    }
}

/// How many measures are open and how many of them are overdue.
pub fn measure_counts(items: &[PlanItem], today: NaiveDate) -> (usize, usize) {
    let open = items.iter().filter(|i| i.is_open_measure()).count();
    let overdue = items.iter().filter(|i| i.is_overdue(today)).count();
    (open, overdue)
}

/// A consensus value as percent of the maximum, on the scale of its section, so that it can
/// stand beside the individual scores.
pub fn consensus_percent(value: u8, scale: &super::instrument::Scale) -> f64 {
    100.0 * scale.fraction(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(due: Option<&str>, done: bool) -> PlanItem {
        PlanItem {
            id: "m".into(),
            service_id: "s".into(),
            subdomain_key: "competence.coaching".into(),
            kind: PlanKind::Measure,
            text: "Fast veiledning hver fjortende dag".into(),
            level: None,
            owner: "Leder".into(),
            due_on: due.map(|d| d.parse().unwrap()),
            done,
            done_on: None,
        }
    }

    #[test]
    fn overdue_means_open_and_past_its_date() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        assert!(measure(Some("2026-03-09"), false).is_overdue(today));
        assert!(!measure(Some("2026-03-10"), false).is_overdue(today));
        assert!(!measure(Some("2026-03-09"), true).is_overdue(today));
        assert!(!measure(None, false).is_overdue(today));
        let items = [
            measure(Some("2026-03-01"), false),
            measure(None, false),
            measure(Some("2026-01-01"), true),
        ];
        assert_eq!(measure_counts(&items, today), (2, 1));
    }

    #[test]
    fn codes_round_trip() {
        for stage in Stage::ALL {
            assert_eq!(Stage::from_code(stage.code()), Some(*stage));
        }
        assert_eq!(Level::from_code("team"), Some(Level::Team));
        assert_eq!(GoalStatus::from_code("oppnådd"), None);
        assert_eq!(Stage::ALL.len(), 6);
    }

    #[test]
    fn texts_and_dates_are_checked() {
        assert_eq!(validate_plan_text("  Ny\\nrutine ").unwrap(), "Ny\\nrutine");
        assert_eq!(validate_plan_text(" \n "), Err(InputError::EmptyText));
        assert_eq!(parse_optional_date(""), Ok(None));
        assert!(parse_optional_date("31.02.2026").is_err());
    }

    #[test]
    fn consensus_sits_on_the_same_percent_scale() {
        let instrument = super::super::instrument::Instrument::standard();
        assert_eq!(
            consensus_percent(4, instrument.scale("agree5").unwrap()),
            75.0
        );
        assert_eq!(
            consensus_percent(1, instrument.scale("driver3").unwrap()),
            50.0
        );
    }
}
