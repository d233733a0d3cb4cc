//! `kartlegg import FILE`: merges a JSON export from another machine into this database,
//! all or nothing, and says what was added, updated and skipped. The merge rules are in
//! `docs/exchange.md`.

use std::fs::File;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{exit, fail};
use crate::domain::instrument::Instrument;
use crate::exchange::{ImportClock, ImportSummary, Problem, Tally};
use crate::i18n::{Lang, tr, trf};
use crate::store::Admin;
use crate::store::Exchange;
use crate::store::{Store, StoreError};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A file written by `kartlegg export --format json`, on this machine or another
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Import times more than a day past this machine's clock too: for a file whose times
    /// are right, when this machine's clock is behind
    #[arg(long)]
    pub accept_future_times: bool,
}

/// Opens the file, and only then the database with `open`: a file that cannot be read
/// changes nothing, and creates no database. `now` is this machine's clock.
pub fn run(
    open: impl FnOnce() -> Result<Store, StoreError>,
    instrument: &Instrument,
    lang: Lang,
    args: ImportArgs,
    now: chrono::DateTime<chrono::Utc>,
) -> ExitCode {
    // A folder opens as a file does, and fails only when read.
    let opened = File::open(&args.file).and_then(|file| match file.metadata()?.is_dir() {
        true => Err(std::io::ErrorKind::IsADirectory.into()),
        false => Ok(file),
    });
    let file = match opened {
        Ok(file) => file,
        Err(source) => {
            super::complain(&trf(
                lang,
                "import.refused",
                &[
                    ("path", &args.file.display()),
                    ("reason", &super::files::why(lang, &args.file, &source)),
                ],
            ));
            return ExitCode::from(exit::IO);
        }
    };
    let mut store = match open() {
        Ok(store) => store,
        Err(e) => return fail(lang, &e),
    };
    let clock = ImportClock {
        now,
        accept_future_times: args.accept_future_times,
    };
    match store.import_json(file, instrument, clock) {
        Ok(summary) => {
            for line in summary_lines(lang, &args.file, &store, &summary) {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(StoreError::ImportRefused(refusal)) => {
            let mut message = trf(
                lang,
                "import.refused",
                &[
                    ("path", &args.file.display()),
                    ("reason", &refusal.message(lang)),
                ],
            );
            // The one refusal a person can overrule, when they know the times are right.
            if let Problem::FutureTime { .. } | Problem::FutureExport { .. } = refusal.problem {
                message = format!("{message} {}", tr(lang, "import.future_hint"));
            }
            super::complain(&message);
            ExitCode::from(exit::FAILURE)
        }
        Err(e) => fail(lang, &e),
    }
}

fn summary_lines(
    lang: Lang,
    file: &std::path::Path,
    store: &Store,
    summary: &ImportSummary,
) -> Vec<String> {
    let tally = |key: &str, tally: &Tally| {
        trf(
            lang,
            key,
            &[
                ("added", &tally.added),
                ("updated", &tally.updated),
                ("skipped", &tally.skipped),
                ("newer", &tally.newer_here),
            ],
        )
    };
    let mut lines = vec![
        trf(
            lang,
            "import.done",
            &[("path", &file.display()), ("db", &store.path().display())],
        ),
        tally("import.tally_services", &summary.services),
        tally("import.tally_rounds", &summary.rounds),
        tally("import.tally_respondents", &summary.respondents),
    ];
    if summary.by_code > 0 {
        lines.push(trf(
            lang,
            "import.by_code",
            &[("respondents", &summary.by_code)],
        ));
    }
    lines.extend([
        tally("import.tally_answers", &summary.answers),
        tally("import.tally_history", &summary.history),
        tally("import.tally_plan_items", &summary.plan_items),
        tally("import.tally_goals", &summary.goals),
        tally("import.tally_goal_statuses", &summary.goal_statuses),
        tally("import.tally_round_stages", &summary.round_stages),
        tally("import.tally_consensus", &summary.consensus),
        tally("import.tally_own_areas", &summary.own_areas),
        tally("import.tally_needs", &summary.needs),
        tally("import.tally_expectations", &summary.expectations),
        tally("import.tally_facts", &summary.facts),
        tally("import.tally_positions", &summary.positions),
        tally("import.tally_changes", &summary.changes),
    ]);
    if summary.erased > 0 {
        lines.push(trf(
            lang,
            "import.erased_skipped",
            &[("rows", &summary.erased)],
        ));
    }
    if !summary.changed_anything() {
        lines.push(tr(lang, "import.unchanged").to_string());
    }
    lines
}
