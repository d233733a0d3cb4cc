//! `kartlegg backup`: a consistent copy of the database, also while it is in use.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};

use super::files::write_failed;
use super::{complain, exit};
use crate::i18n::{Lang, trf};
use crate::store::{Store, StoreError};

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Where to write the copy; an existing file is never replaced [default: beside the database, named by the time, e.g. kartlegg.db.20260309T101500Z.bak]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Writes the copy, then opens it as a database and checks it, so that a copy that
/// reports success is known to open and pass SQLite's integrity check.
pub fn run(store: &Store, lang: Lang, args: &BackupArgs, now: DateTime<Utc>) -> ExitCode {
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| store.default_backup_path(now));
    match store.backup_to(&target) {
        Ok(()) => {}
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
    }
    // Only the copy just written: were it gone, a new empty one must not pass the check.
    let checked = Store::open_existing(&target)
        .and_then(|copy| Ok((copy.integrity_problems()?, copy.counts()?.answers)));
    let problem = match checked {
        Ok((problems, answers)) if problems.is_empty() => {
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
        Ok((problems, _)) => problems.join("; "),
        Err(e) => e.message(lang),
    };
    // A copy that does not pass is no backup; it goes, so that nobody trusts it later.
    for suffix in ["", "-wal", "-shm"] {
        let mut file = target.clone().into_os_string();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
    complain(&trf(
        lang,
        "backup.damaged",
        &[("path", &target.display()), ("detail", &problem)],
    ));
    ExitCode::from(exit::FAILURE)
}
