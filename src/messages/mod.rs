//! What went wrong, in the user's words: the store's and the exchange's errors are plain
//! types that say what happened; this is where each becomes a message in the user's
//! language, for both faces. The store and the exchange never translate.

mod erase;
mod import;

pub use erase::{Erasing, erasure_counts};
pub use import::limit_text;

use std::path::{Path, PathBuf};

use crate::domain::cluster::{ClusterField, ClusterProblem};
use crate::domain::model::{Respondent, Round, Service};
use crate::domain::needs::{FactField, FactProblem};
use crate::domain::requirement::FactsError;
use crate::i18n::{Lang, tr, trf};
use crate::store::location::Risk;
use crate::store::{DriverKind, LookupError, NotPrivate, StoreError, server_address};

impl StoreError {
    /// The message a user reads, in their language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            StoreError::Missing { path } if server_address(path).is_some() => {
                trf(lang, "server.no_schema", &[("path", &path.display())])
            }
            StoreError::Missing { path } => {
                trf(lang, "error.no_database", &[("path", &path.display())])
            }
            StoreError::NotADatabase { path } => {
                trf(lang, "error.not_a_database", &[("path", &path.display())])
            }
            StoreError::ForeignDatabase { path } if server_address(path).is_some() => {
                trf(lang, "server.foreign", &[("path", &path.display())])
            }
            StoreError::ForeignDatabase { path } => {
                trf(lang, "error.foreign_database", &[("path", &path.display())])
            }
            StoreError::NewerSchema { path, found, known } => trf(
                lang,
                "error.newer_schema",
                &[
                    ("path", &path.display()),
                    ("found", found),
                    ("known", known),
                ],
            ),
            StoreError::Io { path, source } => trf(
                lang,
                "error.io",
                &[
                    ("path", &path.display()),
                    ("reason", &io_reason(lang, source)),
                ],
            ),
            StoreError::Corrupt { path, detail } => trf(
                lang,
                "fault.corrupt",
                &[("path", &path.display()), ("detail", detail)],
            ),
            StoreError::ReadOnly { path } => {
                trf(lang, "fault.read_only", &[("path", &path.display())])
            }
            StoreError::ReadingOnly { path } => {
                trf(lang, "fault.reading_only", &[("path", &path.display())])
            }
            StoreError::LogMissing { path } => {
                trf(lang, "fault.log_missing", &[("path", &path.display())])
            }
            StoreError::NeedsUpgrade { path, found } => trf(
                lang,
                "fault.needs_upgrade",
                &[("path", &path.display()), ("found", found)],
            ),
            StoreError::AnsweringClosed => tr(lang, "error.answering_closed").to_string(),
            StoreError::TopThreeFull => trf(
                lang,
                "error.top_three_full",
                &[("most", &crate::domain::needs::TOP_THREE)],
            ),
            StoreError::NeedOutOfRange => tr(lang, "error.need_out_of_range").to_string(),
            StoreError::FactOutOfRange(field, problem) => fact_problem(lang, *field, *problem),
            StoreError::ClusterRefused(field, problem) => cluster_problem(lang, *field, *problem),
            StoreError::ClusterNameTaken(name) => trf(
                lang,
                "error.cluster_name_taken",
                &[("name", &quoted(lang, name))],
            ),
            StoreError::OutsideCluster { service, cluster } => trf(
                lang,
                "error.outside_cluster",
                &[
                    ("service", &quoted(lang, service)),
                    ("cluster", &quoted(lang, cluster)),
                ],
            ),
            StoreError::NotInGroup { group } => {
                trf(lang, "share.not_in_group", &[("group", group)])
            }
            StoreError::FolderNotShared {
                folder,
                group,
                mode,
            } => trf(
                lang,
                "share.folder_not_own",
                &[
                    ("folder", &folder.display()),
                    ("group", group),
                    ("mode", &format!("{mode:o}")),
                ],
            ),
            StoreError::SchemaMismatch {
                path,
                version,
                detail,
            } => trf(
                lang,
                "wip.schema_mismatch",
                &[
                    ("path", &path.display()),
                    ("version", version),
                    ("detail", detail),
                ],
            ),
            StoreError::NotPrivate { path, why } => why.message(lang, path),
            StoreError::Busy { path } => trf(lang, "busy.gave_up", &[("path", &path.display())]),
            StoreError::Checking { path } => {
                trf(lang, "health.checking", &[("path", &path.display())])
            }
            StoreError::DiskFull { path } => {
                format!("{}: {}", path.display(), tr(lang, "fault.disk_full"))
            }
            StoreError::Database(e) if e.kind == DriverKind::DiskFull => {
                tr(lang, "fault.disk_full").to_string()
            }
            StoreError::Database(e) => trf(lang, "error.database", &[("reason", e)]),
            StoreError::NotFound(what) => trf(lang, "error.not_found", &[("what", what)]),
            StoreError::ImportRefused(refusal) => refusal.message(lang),
            StoreError::OnServer(what) => trf(lang, "error.on_server", &[("what", what)]),
            StoreError::NotPermitted(reason) => {
                trf(lang, "error.not_permitted", &[("reason", reason)])
            }
            StoreError::BadRoleName(name) => trf(lang, "error.bad_role_name", &[("name", name)]),
            StoreError::RoleTaken(name) => trf(lang, "error.role_taken", &[("name", name)]),
        }
    }
}

/// The label of a service fact, as its form field and the summary name it.
pub fn fact_key(field: FactField) -> &'static str {
    match field {
        FactField::Ftes => "facts.ftes",
        FactField::Vacancies => "facts.vacancies",
        FactField::Turnover => "facts.turnover",
        FactField::NewlyQualified => "facts.newly_qualified",
        FactField::DeadlineBreaches => "facts.deadline_breaches",
        FactField::Complaints => "facts.complaints",
        FactField::EmergencyCases => "facts.emergency_cases",
    }
}

/// What is wrong with a service fact, naming the field.
pub fn fact_problem(lang: Lang, field: FactField, problem: FactProblem) -> String {
    fact_problem_named(lang, field, tr(lang, fact_key(field)), problem)
}

/// As `fact_problem`, the field called `name` (an import names the file's field).
pub fn fact_problem_named(
    lang: Lang,
    field: FactField,
    name: &str,
    problem: FactProblem,
) -> String {
    let key = match problem {
        FactProblem::NotANumber if matches!(field, FactField::Ftes | FactField::NewlyQualified) => {
            "error.fact_not_a_number"
        }
        FactProblem::NotANumber => "error.fact_not_whole",
        FactProblem::Negative => "error.fact_negative",
        FactProblem::OverHundred => "error.fact_over_hundred",
        FactProblem::TooLarge => "error.fact_too_large",
    };
    trf(
        lang,
        key,
        &[("field", &name), ("most", &crate::domain::needs::FACT_MAX)],
    )
}

/// The label of a field of a cluster's record, a gathering or an attendance.
pub fn cluster_field_key(field: ClusterField) -> &'static str {
    match field {
        ClusterField::Name => "cluster_field.name",
        ClusterField::County => "cluster_field.county",
        ClusterField::Centre => "cluster_field.centre",
        ClusterField::ProcessLeaders => "cluster_field.process_leaders",
        ClusterField::PeriodTo => "cluster_field.period_to",
        ClusterField::Topics => "cluster_field.topics",
        ClusterField::Leaders => "cluster_field.leaders",
        ClusterField::KeyPersons => "cluster_field.key_persons",
        ClusterField::Staff => "cluster_field.staff",
        ClusterField::Note => "cluster_field.note",
    }
}

/// What is wrong with a field of a cluster, a gathering or an attendance, naming the field.
pub fn cluster_problem(lang: Lang, field: ClusterField, problem: ClusterProblem) -> String {
    let key = match problem {
        ClusterProblem::Empty => "error.cluster_empty",
        ClusterProblem::TooLong => "error.cluster_too_long",
        ClusterProblem::DirectionControl => "error.cluster_direction_control",
        ClusterProblem::TooMany => "error.cluster_too_many",
        ClusterProblem::EndsBeforeStart => "error.cluster_ends_before_start",
        ClusterProblem::NotACount => "error.cluster_not_a_count",
    };
    trf(
        lang,
        key,
        &[
            ("field", &tr(lang, cluster_field_key(field))),
            ("most", &crate::domain::cluster::ATTENDANCE_MAX),
        ],
    )
}

/// Why a file could not be read or written, in the user's language where kartlegg knows
/// the reason, else in the operating system's words.
pub fn io_reason(lang: Lang, error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let key = match error.kind() {
        ErrorKind::NotFound => "io.not_found",
        ErrorKind::PermissionDenied => "io.permission_denied",
        ErrorKind::AlreadyExists => "io.already_exists",
        ErrorKind::IsADirectory => "io.is_a_folder",
        ErrorKind::NotADirectory => "io.not_a_folder",
        ErrorKind::ReadOnlyFilesystem => "io.read_only",
        ErrorKind::StorageFull => "io.storage_full",
        _ => return error.to_string(),
    };
    tr(lang, key).to_string()
}

impl NotPrivate {
    /// The refusal as the user reads it, naming the file.
    pub fn message(&self, lang: Lang, path: &Path) -> String {
        let path: &dyn std::fmt::Display = &path.display();
        match *self {
            NotPrivate::Link { uid } => trf(lang, "private.link", &[("path", path), ("uid", &uid)]),
            NotPrivate::Owner { uid } => {
                trf(lang, "private.owner", &[("path", path), ("uid", &uid)])
            }
            NotPrivate::Writable { mode } => trf(
                lang,
                "private.writable",
                &[("path", path), ("mode", &format!("{mode:04o}"))],
            ),
            NotPrivate::Empty { mode } => trf(
                lang,
                "private.empty",
                &[("path", path), ("mode", &format!("{mode:04o}"))],
            ),
        }
    }
}

/// Says which of the user's files kartlegg made private as it opened them.
pub fn made_private_message(lang: Lang, files: &[PathBuf]) -> Option<String> {
    if files.is_empty() {
        return None;
    }
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    Some(trf(
        lang,
        "private.made_private",
        &[("files", &names.join(", "))],
    ))
}

impl Risk {
    /// The warning a user reads, in their language.
    pub fn message(self, lang: Lang, path: &Path) -> String {
        match self {
            Risk::Network(kind) => trf(
                lang,
                "fault.network_fs",
                &[("path", &path.display()), ("kind", &kind)],
            ),
            Risk::Synced(client) => trf(
                lang,
                "fault.synced_folder",
                &[("path", &path.display()), ("client", &client)],
            ),
        }
    }
}

/// What is wrong with a position's typed figures, in the user's language.
pub fn facts_error_text(lang: Lang, error: &FactsError) -> String {
    match error {
        FactsError::Number { text, max, .. } => trf(
            lang,
            "positions.error_number",
            &[("value", text), ("max", max)],
        ),
        FactsError::Year(text) => trf(lang, "positions.error_year", &[("value", text)]),
        FactsError::YearMissing => tr(lang, "positions.error_year_missing").to_string(),
        FactsError::CreditsMissing => tr(lang, "positions.error_credits_missing").to_string(),
    }
}

/// A user's text in the language's quotation marks: «…» or “…”.
pub fn quoted(lang: Lang, text: &str) -> String {
    trf(lang, "report.quoted", &[("text", &text)])
}

fn listing(lang: Lang, parts: Vec<String>) -> String {
    if parts.is_empty() {
        tr(lang, "report.none").to_string()
    } else {
        parts.join(", ")
    }
}

impl LookupError {
    /// One line a user reads, in their language, with the candidates.
    pub fn message(&self, lang: Lang) -> String {
        let service_names = |services: &[Service]| {
            listing(
                lang,
                services.iter().map(|s| quoted(lang, &s.name)).collect(),
            )
        };
        let service_ids = |services: &[Service]| {
            listing(
                lang,
                services
                    .iter()
                    .map(|s| format!("{} ({}, id {})", quoted(lang, &s.name), s.cluster, s.id))
                    .collect(),
            )
        };
        let round_labels = |rounds: &[Round]| {
            listing(
                lang,
                rounds
                    .iter()
                    .map(|r| format!("{} ({})", quoted(lang, &r.label), r.held_on))
                    .collect(),
            )
        };
        let round_ids = |rounds: &[Round]| {
            listing(
                lang,
                rounds
                    .iter()
                    .map(|r| format!("{} ({}, id {})", quoted(lang, &r.label), r.held_on, r.id))
                    .collect(),
            )
        };
        // Codes may be empty or shared: the id is what tells them apart.
        let respondent_ids = |respondents: &[Respondent]| {
            listing(
                lang,
                respondents
                    .iter()
                    .map(|r| {
                        let role = tr(lang, crate::present::role_key(r.role));
                        match r.code.as_str() {
                            "" => format!("{role} (id {})", r.id),
                            code => format!("{code} ({role}, id {})", r.id),
                        }
                    })
                    .collect(),
            )
        };
        // A gathering by its day and kind, and the id that tells two of one day apart.
        let gathering_ids = |gatherings: &[crate::domain::cluster::Gathering]| {
            listing(
                lang,
                gatherings
                    .iter()
                    .map(|g| {
                        let kind = tr(lang, crate::present::gathering_kind_key(g.kind));
                        let day = crate::present::date(lang, g.held_on);
                        format!("{day} ({kind}, id {})", g.id)
                    })
                    .collect(),
            )
        };
        match self {
            LookupError::Store(e) => e.message(lang),
            LookupError::UnknownCluster { query, candidates } => trf(
                lang,
                "erase.unknown_cluster",
                &[
                    ("query", &quoted(lang, query)),
                    (
                        "candidates",
                        &listing(
                            lang,
                            candidates.iter().map(|c| quoted(lang, &c.name)).collect(),
                        ),
                    ),
                ],
            ),
            LookupError::UnknownGathering {
                cluster,
                day,
                candidates,
            }
            | LookupError::AmbiguousGathering {
                cluster,
                day,
                candidates,
            } => trf(
                lang,
                if matches!(self, LookupError::UnknownGathering { .. }) {
                    "erase.unknown_gathering"
                } else {
                    "erase.ambiguous_gathering"
                },
                &[
                    ("cluster", &quoted(lang, cluster)),
                    ("date", &crate::present::date(lang, *day)),
                    ("candidates", &gathering_ids(candidates)),
                ],
            ),
            LookupError::UnknownGatheringId { id } => {
                trf(lang, "erase.unknown_gathering_id", &[("id", id)])
            }
            LookupError::UnknownService { query, candidates } => trf(
                lang,
                "report.unknown_service",
                &[
                    ("query", &quoted(lang, query)),
                    ("candidates", &service_names(candidates)),
                ],
            ),
            LookupError::AmbiguousService { query, candidates } => trf(
                lang,
                "report.ambiguous_service",
                &[
                    ("query", &quoted(lang, query)),
                    ("candidates", &service_ids(candidates)),
                ],
            ),
            LookupError::UnknownRound {
                query,
                service,
                candidates,
            } => trf(
                lang,
                "report.unknown_round",
                &[
                    ("query", &quoted(lang, query)),
                    ("service", &quoted(lang, service)),
                    ("candidates", &round_labels(candidates)),
                ],
            ),
            LookupError::AmbiguousRound {
                query,
                service,
                candidates,
            } => trf(
                lang,
                "report.ambiguous_round",
                &[
                    ("query", &quoted(lang, query)),
                    ("service", &quoted(lang, service)),
                    ("candidates", &round_ids(candidates)),
                ],
            ),
            LookupError::UnknownRespondent {
                query,
                round,
                candidates,
            } => trf(
                lang,
                "erase.unknown_respondent",
                &[
                    ("query", &quoted(lang, query)),
                    ("round", &quoted(lang, round)),
                    ("candidates", &respondent_ids(candidates)),
                ],
            ),
            LookupError::AmbiguousRespondent {
                query,
                round,
                candidates,
            } => trf(
                lang,
                "erase.ambiguous_respondent",
                &[
                    ("query", &quoted(lang, query)),
                    ("round", &quoted(lang, round)),
                    ("candidates", &respondent_ids(candidates)),
                ],
            ),
        }
    }
}
