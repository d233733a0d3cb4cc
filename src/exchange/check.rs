//! The checks every row of a file passes before it is merged: plain Rust, for any backend.

use super::{
    ExpectationsRow, FactsRow, MISSING_CODES, NeedRow, PlanItemRow, PositionRow, Problem, timestamp,
};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::domain::model::{TextKind, is_direction_control};
use crate::domain::needs::{
    Expectation, Expectations, FactField, FactProblem, Facts, Need, OwnArea, SCALE, Who,
    YesPartlyNo, check_fact,
};
use crate::domain::plan::{Goal, GoalStatus, Level, PlanItem, PlanKind, Stage};
use crate::domain::requirement::{
    Education, FactsField, MAX_CREDITS, MAX_YEAR, MAX_YEARS, MIN_YEAR, Position, PositionFacts,
    PositionRole, half_plan,
};

/// A snapshot as the store writes one (`store::plan`): compact JSON in the field order of
/// the domain type.
pub(crate) fn snapshot_of<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serializes")
}

/// A change log snapshot from a file, checked to be a row of its entity and written as the
/// store writes one, so that the same change is the same text on every machine.
pub(crate) fn canonical(
    entity: &str,
    value: serde_json::Value,
) -> std::result::Result<String, String> {
    fn again<T: DeserializeOwned + Serialize>(
        value: serde_json::Value,
    ) -> std::result::Result<String, String> {
        serde_json::from_value::<T>(value)
            .map(|v| snapshot_of(&v))
            .map_err(|e| e.to_string())
    }
    match entity {
        "plan_item" => again::<PlanItem>(value),
        "goal" => again::<Goal>(value),
        "goal_status" => again::<GoalStatus>(value),
        "round_stage" => again::<Stage>(value),
        "consensus" => again::<u8>(value),
        "own_area" => again::<OwnArea>(value),
        // A need or the facts off their ranges is no row the store could have held.
        "need" => {
            let need: Need = serde_json::from_value(value).map_err(|e| e.to_string())?;
            match [need.mastery, need.importance]
                .into_iter()
                .flatten()
                .find(|v| !SCALE.contains(v))
            {
                Some(v) => Err(format!("{v} is outside 1–5")),
                None => Ok(snapshot_of(&need)),
            }
        }
        "expectations" => again::<Expectations>(value),
        "service_facts" => {
            let facts: Facts = serde_json::from_value(value).map_err(|e| e.to_string())?;
            match facts.problem() {
                Some((field, problem)) => Err(format!("{field:?}: {problem:?}")),
                None => Ok(snapshot_of(&facts)),
            }
        }
        // A position off its ranges, or with half a plan, is no row the store could have held.
        "position" => {
            let facts: PositionFacts = serde_json::from_value(value).map_err(|e| e.to_string())?;
            let off = facts.credits > MAX_CREDITS
                || facts.years > MAX_YEARS
                || facts.planned_credits > MAX_CREDITS
                || facts
                    .planned_year
                    .is_some_and(|y| !(MIN_YEAR..=MAX_YEAR).contains(&y));
            match half_plan(facts.planned_credits, facts.planned_year) {
                _ if off => Err("a figure outside its range".to_string()),
                Some(half) => Err(format!("{half:?}")),
                None => Ok(snapshot_of(&facts)),
            }
        }
        other => Err(format!("unknown entity {other}")),
    }
}

/// A need row as the domain has it: mastery and importance 1–5, a known `who`, and what is
/// missing as free text with a comment's limits. `id` is `round_id/area_key`.
pub(crate) fn checked_need(
    section: &'static str,
    id: &str,
    row: &NeedRow,
) -> std::result::Result<Need, Problem> {
    checked_text(section, id, "round_id", &row.round_id, TextKind::Name)?;
    not_empty(section, id, "area_key", &row.area_key)?;
    checked_text(section, id, "area_key", &row.area_key, TextKind::Name)?;
    checked_text(section, id, "missing", &row.missing, TextKind::Comment)?;
    let scaled = |field: &'static str, value: Option<i64>| {
        value
            .map(|v| {
                u8::try_from(v)
                    .ok()
                    .filter(|v| SCALE.contains(v))
                    .ok_or_else(|| Problem::NeedOutOfRange {
                        id: id.to_string(),
                        field,
                        value: v,
                    })
            })
            .transpose()
    };
    let who = row
        .who
        .as_deref()
        .map(|w| Who::from_code(w).ok_or_else(|| bad_code(section, id, "who", w)))
        .transpose()?;
    Ok(Need {
        area_key: row.area_key.clone(),
        mastery: scaled("mastery", row.mastery)?,
        importance: scaled("importance", row.importance)?,
        top_three: row.top_three,
        who,
        missing: row.missing.clone(),
    })
}

/// An expectations row as the domain has it: known codes, each choice once and in the
/// order the store keeps them, the text free text with a comment's limits.
pub(crate) fn checked_expectations(
    section: &'static str,
    row: &ExpectationsRow,
) -> std::result::Result<Expectations, Problem> {
    let id = row.round_id.as_str();
    checked_text(section, id, "round_id", id, TextKind::Name)?;
    checked_text(section, id, "text", &row.text, TextKind::Comment)?;
    let wants = row
        .wants
        .iter()
        .map(|w| Expectation::from_code(w).ok_or_else(|| bad_code(section, id, "wants", w)))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let answer = |field: &'static str, code: &Option<String>| {
        code.as_deref()
            .map(|c| YesPartlyNo::from_code(c).ok_or_else(|| bad_code(section, id, field, c)))
            .transpose()
    };
    Ok(Expectations {
        wants: Expectation::ALL
            .iter()
            .copied()
            .filter(|e| wants.contains(e))
            .collect(),
        text: row.text.clone(),
        knows_why: answer("knows_why", &row.knows_why)?,
        own_wish: answer("own_wish", &row.own_wish)?,
    })
}

/// A facts row as the domain has it, each value in its range (`check_fact`), a count a
/// whole number; the first out of range is refused naming its field.
pub(crate) fn checked_facts(row: &FactsRow) -> std::result::Result<Facts, Problem> {
    let id = row.round_id.as_str();
    checked_text("facts", id, "round_id", id, TextKind::Name)?;
    let refused = |field, problem| Problem::FactOutOfRange {
        id: id.to_string(),
        field,
        problem,
    };
    let decimal = |field: FactField, number: &Option<serde_json::Number>| {
        number
            .as_ref()
            .map(|n| {
                let value = n.as_f64().ok_or(refused(field, FactProblem::NotANumber))?;
                check_fact(field, value).map_err(|p| refused(field, p))?;
                Ok(value)
            })
            .transpose()
    };
    // A whole number however written (`3`, `3.0`, `-0`); `check_fact` has held it in range.
    let count = |field: FactField, number: &Option<serde_json::Number>| {
        decimal(field, number)?
            .map(|v| {
                (v.fract() == 0.0)
                    .then_some(v as u32)
                    .ok_or(refused(field, FactProblem::NotANumber))
            })
            .transpose()
    };
    Ok(Facts {
        ftes: decimal(FactField::Ftes, &row.ftes)?,
        vacancies: count(FactField::Vacancies, &row.vacancies)?,
        turnover: count(FactField::Turnover, &row.turnover)?,
        newly_qualified: decimal(FactField::NewlyQualified, &row.newly_qualified)?,
        deadline_breaches: count(FactField::DeadlineBreaches, &row.deadline_breaches)?,
        complaints: count(FactField::Complaints, &row.complaints)?,
        emergency_cases: count(FactField::EmergencyCases, &row.emergency_cases)?,
    })
}

/// A position row as the domain has it, by the rules the form and the store hold: known
/// role and education, credits and years in range, planned credits and their year together.
pub(crate) fn checked_position(row: &PositionRow) -> std::result::Result<Position, Problem> {
    const S: &str = "positions";
    let id = row.id.as_str();
    not_empty(S, id, "id", id)?;
    checked_text(S, id, "id", id, TextKind::Name)?;
    checked_text(S, id, "round_id", &row.round_id, TextKind::Name)?;
    let role =
        PositionRole::from_code(&row.role).ok_or_else(|| bad_code(S, id, "role", &row.role))?;
    let education = Education::from_code(&row.education)
        .ok_or_else(|| bad_code(S, id, "education", &row.education))?;
    let ranged = |field: &'static str, value: i64, min: u16, max: u16| {
        u16::try_from(value)
            .ok()
            .filter(|v| (min..=max).contains(v))
            .ok_or(Problem::PositionOutOfRange {
                id: id.to_string(),
                field,
                value,
                min,
                max,
            })
    };
    let credits = ranged("credits", row.credits, 0, MAX_CREDITS)?;
    let years = ranged("years", row.years, 0, u16::from(MAX_YEARS))?;
    let planned_credits = ranged("planned_credits", row.planned_credits, 0, MAX_CREDITS)?;
    let planned_year = row
        .planned_year
        .map(|y| ranged("planned_year", y, MIN_YEAR, MAX_YEAR))
        .transpose()?;
    if let Some(half) = half_plan(planned_credits, planned_year) {
        let field = match half.field() {
            FactsField::PlannedCredits => "planned_credits",
            _ => "planned_year",
        };
        return Err(Problem::PositionHalfPlan {
            id: id.to_string(),
            field,
        });
    }
    Ok(Position {
        id: row.id.clone(),
        round_id: row.round_id.clone(),
        facts: PositionFacts {
            role,
            education,
            credits,
            years: u8::try_from(years).unwrap_or(MAX_YEARS),
            planned_credits,
            planned_year,
        },
    })
}

/// A plan item row as the domain has it, its codes and dates checked.
pub(crate) fn checked_plan_item(
    section: &'static str,
    row: &PlanItemRow,
) -> std::result::Result<PlanItem, Problem> {
    not_empty(section, &row.id, "id", &row.id)?;
    checked_text(section, &row.id, "id", &row.id, TextKind::Name)?;
    not_empty(section, &row.id, "text", &row.text)?;
    checked_text(section, &row.id, "text", &row.text, TextKind::Plan)?;
    checked_text(section, &row.id, "owner", &row.owner, TextKind::Name)?;
    let kind = PlanKind::from_code(&row.kind)
        .ok_or_else(|| bad_code(section, &row.id, "kind", &row.kind))?;
    let level = row
        .level
        .as_deref()
        .map(|l| Level::from_code(l).ok_or_else(|| bad_code(section, &row.id, "level", l)))
        .transpose()?;
    let date = |field: &'static str, text: &Option<String>| {
        text.as_deref()
            .map(|t| checked_date(section, &row.id, field, t))
            .transpose()
    };
    Ok(PlanItem {
        id: row.id.clone(),
        service_id: row.service_id.clone(),
        subdomain_key: row.subdomain_key.clone(),
        kind,
        text: row.text.clone(),
        level,
        owner: row.owner.clone(),
        due_on: date("due_on", &row.due_on)?,
        done: row.done,
        done_on: date("done_on", &row.done_on)?,
    })
}

/// A date written `YYYY-MM-DD`, exactly.
pub(crate) fn checked_date(
    section: &'static str,
    id: &str,
    field: &'static str,
    text: &str,
) -> std::result::Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| d.to_string() == text)
        .ok_or_else(|| Problem::BadDate {
            section,
            id: id.to_string(),
            field,
            value: text.to_string(),
        })
}

pub(crate) fn not_empty(
    section: &'static str,
    id: &str,
    field: &'static str,
    text: &str,
) -> std::result::Result<(), Problem> {
    if text.trim().is_empty() {
        return Err(Problem::EmptyText {
            section,
            id: id.to_string(),
            field,
        });
    }
    Ok(())
}

/// Refuses text that a terminal would act on (a comment may hold line breaks and tabs),
/// direction controls in a name, and text past its kind's limit.
pub(crate) fn checked_text(
    section: &'static str,
    id: &str,
    field: &'static str,
    text: &str,
    kind: TextKind,
) -> std::result::Result<(), Problem> {
    let id = || id.to_string();
    if kind.too_long(text) {
        return Err(Problem::TooLong {
            section,
            id: id(),
            field,
            kind,
        });
    }
    let allowed = |c: char| kind == TextKind::Comment && (c == '\n' || c == '\t');
    // Most texts of a file are ids and codes in ASCII, which holds no direction control:
    // one look at the bytes says all (this runs for every field of every row).
    let ascii = text.is_ascii();
    let control = if ascii {
        text.bytes()
            .any(|b| b.is_ascii_control() && !allowed(char::from(b)))
    } else {
        text.chars().any(|c| c.is_control() && !allowed(c))
    };
    if control {
        return Err(Problem::ControlCharacter {
            section,
            id: id(),
            field,
        });
    }
    if kind == TextKind::Name && !ascii && text.contains(is_direction_control) {
        return Err(Problem::DirectionControl {
            section,
            id: id(),
            field,
        });
    }
    Ok(())
}

/// An RFC 3339 time in the store's own form (UTC, milliseconds), so that times from both
/// machines compare as text.
pub(crate) fn instant(
    section: &'static str,
    id: &str,
    field: &'static str,
    text: &str,
) -> std::result::Result<String, Problem> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| timestamp(t.with_timezone(&Utc)))
        .map_err(|_| Problem::BadTime {
            section,
            id: id.to_string(),
            field,
            value: text.to_string(),
        })
}

/// A value (0–9) or a missing code, never both.
pub(crate) fn check_response(
    section: &'static str,
    id: &str,
    value: Option<i64>,
    missing: Option<&str>,
) -> std::result::Result<(), Problem> {
    if let Some(code) = missing {
        if !MISSING_CODES.contains(&code) {
            return Err(bad_code(section, id, "missing", code));
        }
        if value.is_some() {
            return Err(Problem::ValueAndMissing {
                section,
                id: id.to_string(),
                missing: code.to_string(),
            });
        }
    }
    match value {
        Some(v) if !(0..=9).contains(&v) => Err(Problem::BadValue {
            section,
            id: id.to_string(),
            value: v,
        }),
        _ => Ok(()),
    }
}

pub(crate) fn bad_code(
    section: &'static str,
    id: &str,
    field: &'static str,
    value: &str,
) -> Problem {
    Problem::BadCode {
        section,
        id: id.to_string(),
        field,
        value: value.to_string(),
    }
}

pub(crate) fn missing_parent(
    section: &'static str,
    id: &str,
    field: &'static str,
    parent: &str,
) -> Problem {
    Problem::MissingParent {
        section,
        id: id.to_string(),
        field,
        parent: parent.to_string(),
    }
}

pub(crate) fn identity(
    section: &'static str,
    id: &str,
    field: &'static str,
    here: String,
    there: String,
) -> Problem {
    Problem::Identity {
        section,
        id: id.to_string(),
        field,
        here,
        there,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_normalised_to_the_stores_form() {
        assert_eq!(
            instant("answers", "x", "updated_at", "2026-03-09T11:15:00+01:00").ok(),
            Some("2026-03-09T10:15:00.000Z".to_string())
        );
        assert!(instant("answers", "x", "updated_at", "09.03.2026").is_err());
    }

    #[test]
    fn responses_are_checked() {
        assert!(check_response("answers", "x", Some(3), None).is_ok());
        assert!(check_response("answers", "x", None, Some("dont_know")).is_ok());
        assert!(check_response("answers", "x", None, None).is_ok());
        assert!(check_response("answers", "x", Some(3), Some("dont_know")).is_err());
        assert!(check_response("answers", "x", None, Some("maybe")).is_err());
        assert!(check_response("answers", "x", Some(10), None).is_err());
    }
}
