//! Why an import file was refused, in the user's words.

use std::fmt;

use crate::domain::model::TextKind;
use crate::exchange::{FORMAT_VERSION, Problem, Refusal};
use crate::i18n::{Lang, tr, trf};

impl Refusal {
    pub fn message(&self, lang: Lang) -> String {
        trf(
            lang,
            "import.at",
            &[
                ("line", &self.line),
                ("column", &self.column),
                ("reason", &readable(&self.problem.message(lang))),
            ],
        )
    }
}

/// Keeps a refusal to one readable line whatever the file holds: quoted text (a value, or
/// serde's quote of one) and any unbroken run (an id) keep their first 60 characters, the
/// whole its first 400, each cut marked with "…"; control characters are shown escaped,
/// so that a file cannot move the cursor or change the terminal it is reported on.
fn readable(message: &str) -> String {
    const KEEP: usize = 60;
    const WHOLE: usize = 400;
    let mut out = String::with_capacity(message.len().min(WHOLE * 4));
    let (mut quoted, mut word, mut total) = (None::<usize>, 0, 0);
    for c in message.chars() {
        match (quoted, c) {
            (None, '“' | '«' | '"') => quoted = Some(0),
            (Some(_), '”' | '»' | '"') => quoted = None,
            (Some(n), _) => quoted = Some(n + 1),
            (None, _) => {}
        }
        word = if c.is_whitespace() { 0 } else { word + 1 };
        let run = quoted.unwrap_or(0).max(word);
        if run > KEEP {
            if run == KEEP + 1 {
                out.push('…');
            }
            continue;
        }
        if total == WHOLE {
            out.push('…');
            break;
        }
        total += 1;
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl Problem {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Problem::NotJson(reason) => trf(lang, "import.not_json", &[("reason", reason)]),
            Problem::Truncated => tr(lang, "import.truncated").to_string(),
            Problem::Unexpected(reason) => trf(lang, "import.unexpected", &[("reason", reason)]),
            Problem::Read(reason) => trf(lang, "import.read", &[("reason", reason)]),
            Problem::NotAnExport => tr(lang, "import.not_export").to_string(),
            Problem::FormatVersion { found } => trf(
                lang,
                "import.format_version",
                &[("found", found), ("known", &FORMAT_VERSION)],
            ),
            Problem::UnknownFormatVersion { found } => trf(
                lang,
                "import.unknown_format_version",
                &[("found", found), ("known", &FORMAT_VERSION)],
            ),
            Problem::FieldOrder { expected, found } => trf(
                lang,
                "import.field_order",
                &[("expected", expected), ("found", found)],
            ),
            Problem::MissingField { expected } => {
                trf(lang, "import.missing_field", &[("expected", expected)])
            }
            Problem::ExtraField { found } => trf(lang, "import.extra_field", &[("found", found)]),
            Problem::Instrument { found, known } => trf(
                lang,
                "import.instrument",
                &[("found", found), ("known", known)],
            ),
            Problem::NotIdentified => tr(lang, "import.not_identified").to_string(),
            Problem::InstrumentVersion { id, found, known } => trf(
                lang,
                "import.instrument_version",
                &[("id", id), ("found", found), ("known", known)],
            ),
            Problem::UnknownItem {
                id,
                item,
                instrument,
            } => trf(
                lang,
                "import.unknown_item",
                &[("id", id), ("item", item), ("instrument", instrument)],
            ),
            Problem::OutOfScale {
                id,
                item,
                value,
                min,
                max,
            } => trf(
                lang,
                "import.out_of_scale",
                &[
                    ("id", id),
                    ("item", item),
                    ("value", value),
                    ("min", min),
                    ("max", max),
                ],
            ),
            Problem::HistoryOutOfScale {
                id,
                item,
                field,
                value,
                min,
                max,
            } => trf(
                lang,
                "import.history_out_of_scale",
                &[
                    ("id", id),
                    ("item", item),
                    ("field", field),
                    ("value", value),
                    ("min", min),
                    ("max", max),
                ],
            ),
            Problem::BadValue { section, id, value } => trf(
                lang,
                "import.bad_value",
                &[("section", section), ("id", id), ("value", value)],
            ),
            Problem::ValueAndMissing {
                section,
                id,
                missing,
            } => trf(
                lang,
                "import.value_and_missing",
                &[("section", section), ("id", id), ("missing", missing)],
            ),
            Problem::BadCode {
                section,
                id,
                field,
                value,
            } => trf(
                lang,
                "import.bad_code",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("value", value),
                ],
            ),
            Problem::BadDate {
                section,
                id,
                field,
                value,
            } => trf(
                lang,
                "import.bad_date",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("value", value),
                ],
            ),
            Problem::BadTime {
                section,
                id,
                field,
                value,
            } => trf(
                lang,
                "import.bad_time",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("value", value),
                ],
            ),
            Problem::FutureTime {
                section,
                id,
                field,
                value,
                now,
            } => trf(
                lang,
                "import.future_time",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("value", value),
                    ("now", now),
                ],
            ),
            Problem::BadExportTime { value } => {
                trf(lang, "import.bad_export_time", &[("value", value)])
            }
            Problem::FutureExport { value, now } => trf(
                lang,
                "import.future_export",
                &[("value", value), ("now", now)],
            ),
            Problem::EmptyText { section, id, field } => trf(
                lang,
                "import.empty_text",
                &[("section", section), ("id", id), ("field", field)],
            ),
            Problem::ControlCharacter { section, id, field } => trf(
                lang,
                "import.control_character",
                &[("section", section), ("id", id), ("field", field)],
            ),
            Problem::DirectionControl { section, id, field } => trf(
                lang,
                "import.direction_control",
                &[("section", section), ("id", id), ("field", field)],
            ),
            Problem::TooLong {
                section,
                id,
                field,
                kind,
            } => trf(
                lang,
                "import.too_long",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("limit", &limit_text(lang, *kind)),
                ],
            ),
            Problem::StringTooLong => trf(
                lang,
                "import.string_too_long",
                &[("limit", &limit_text(lang, TextKind::Comment))],
            ),
            Problem::Municipality { section, id, value } => trf(
                lang,
                "import.municipality",
                &[("section", section), ("id", id), ("value", value)],
            ),
            Problem::MissingParent {
                section,
                id,
                field,
                parent,
            } => trf(
                lang,
                "import.missing_parent",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("parent", parent),
                ],
            ),
            Problem::Identity {
                section,
                id,
                field,
                here,
                there,
            } => trf(
                lang,
                "import.identity",
                &[
                    ("section", section),
                    ("id", id),
                    ("field", field),
                    ("here", here),
                    ("there", there),
                ],
            ),
            Problem::UnknownSubdomain {
                section,
                id,
                subdomain,
                instrument,
            } => trf(
                lang,
                "import.unknown_subdomain",
                &[
                    ("section", section),
                    ("id", id),
                    ("subdomain", subdomain),
                    ("instrument", instrument),
                ],
            ),
            Problem::ConsensusOutOfScale {
                id,
                value,
                min,
                max,
            } => trf(
                lang,
                "import.consensus_out_of_scale",
                &[("id", id), ("value", value), ("min", min), ("max", max)],
            ),
            Problem::NeedOutOfRange { id, field, value } => trf(
                lang,
                "import.need_out_of_range",
                &[("id", id), ("field", field), ("value", value)],
            ),
            Problem::UnknownArea { id, area } => {
                trf(lang, "import.unknown_area", &[("id", id), ("area", area)])
            }
            Problem::TopThreeFull { id, .. } => trf(
                lang,
                "import.top_three_full",
                &[("id", id), ("most", &crate::domain::needs::TOP_THREE)],
            ),
            Problem::FactOutOfRange { id, field, problem } => {
                // The refusal's line puts its own full stop after the reason.
                let reason = super::fact_problem_named(lang, *field, field.code(), *problem);
                let reason = reason.trim_end_matches('.');
                trf(
                    lang,
                    "import.fact_out_of_range",
                    &[("id", id), ("reason", &reason)],
                )
            }
            Problem::PositionOutOfRange {
                id,
                field,
                value,
                min,
                max,
            } => trf(
                lang,
                "import.position_out_of_range",
                &[
                    ("id", id),
                    ("field", field),
                    ("value", value),
                    ("min", min),
                    ("max", max),
                ],
            ),
            Problem::PositionHalfPlan { id, field } => trf(
                lang,
                "import.position_half_plan",
                &[("id", id), ("field", field)],
            ),
            Problem::BadSnapshot { id, field, reason } => trf(
                lang,
                "import.bad_snapshot",
                &[("id", id), ("field", field), ("reason", reason)],
            ),
            Problem::Rejected(reason) => trf(lang, "import.rejected", &[("reason", reason)]),
        }
    }
}

/// A text kind's limit as the user reads it ("200 tegn", "256 KiB").
pub fn limit_text(lang: Lang, kind: TextKind) -> String {
    let chars = |n: usize| trf(lang, "import.limit_chars", &[("n", &n)]);
    match kind {
        TextKind::Name => chars(TextKind::NAME_CHARS),
        TextKind::Plan => chars(TextKind::PLAN_CHARS),
        TextKind::Comment => trf(
            lang,
            "import.limit_kib",
            &[("n", &(TextKind::COMMENT_BYTES / 1024))],
        ),
    }
}
