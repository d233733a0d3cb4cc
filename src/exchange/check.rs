//! The checks every row of a file passes before it is merged: plain Rust, for any backend.

use super::{MISSING_CODES, PlanItemRow, Problem, timestamp};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::domain::model::{TextKind, is_direction_control};
use crate::domain::plan::{Goal, GoalStatus, Level, PlanItem, PlanKind, Stage};

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
        other => Err(format!("unknown entity {other}")),
    }
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
