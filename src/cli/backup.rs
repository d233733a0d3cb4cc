//! `kartlegg backup`: a consistent copy of the database, also while it is in use.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};

use super::files::write_failed;
use super::{complain, exit};
use crate::i18n::{Lang, trf};
use crate::store::Admin;
use crate::store::CopyFault;
use crate::store::{Store, StoreError};

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Where to write the copy; an existing file is never replaced [default: beside the database, named by the time, e.g. kartlegg.db.20260309T101500Z.bak]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Writes the copy, opens it as a database and checks it, and only then gives it the name
/// asked for: a copy that reports success is known to open and pass SQLite's integrity check,
/// and a backup killed part-way leaves nothing with that name.
pub fn run(store: &Store, lang: Lang, args: &BackupArgs, now: DateTime<Utc>) -> ExitCode {
    let target = match args
        .out
        .clone()
        .map_or_else(|| store.default_backup_path(now), Ok)
    {
        Ok(target) => target,
        Err(e) => return write_failed(lang, &e),
    };
    let verdict = match store.backup_to(&target) {
        Ok(verdict) => verdict,
        Err(StoreError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::AlreadyExists && target.is_file() =>
        {
            complain(&trf(
                lang,
                "backup.out_exists",
                &[("path", &target.display())],
            ));
            return ExitCode::from(exit::FAILURE);
        }
        Err(e) => return write_failed(lang, &e),
    };
    let problem = match verdict {
        Ok(answers) => {
            println!(
                "{}",
                trf(
                    lang,
                    "backup.done",
                    &[
                        ("path", &target.display()),
                        (
                            "answers",
                            &crate::present::count(lang, "noun.answer", answers)
                        )
                    ]
                )
            );
            return ExitCode::SUCCESS;
        }
        Err(CopyFault::Problems(problems)) => problems,
        Err(CopyFault::Refused(e)) => e.message(lang),
    };
    complain(&trf(
        lang,
        "backup.damaged",
        &[("path", &target.display()), ("detail", &problem)],
    ));
    ExitCode::from(exit::FAILURE)
}
