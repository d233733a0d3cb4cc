//! The command line: arguments, the non-interactive subcommands, and exit codes.

pub mod backup;
pub mod compare;
pub mod demo;
pub mod demo_scale;
pub mod export;
pub mod files;
pub mod import;
pub mod report;
pub mod report_model;
pub mod write_answers;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::domain::instrument::Instrument;
use crate::i18n::{Lang, tr, trf};
use crate::store::private::made_private_message;
use crate::store::{IfMissing, SCHEMA_VERSION, Store, StoreError};

#[derive(Debug, Parser)]
#[command(
    name = "kartlegg",
    version,
    about = "Map a child welfare service's readiness for change, programme fit and implementation drivers, round by round."
)]
pub struct Cli {
    /// The database file [default: the platform's data folder, e.g. ~/.local/share/kartlegg/kartlegg.db]
    #[arg(long, global = true, env = "KARTLEGG_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Language of the interface: nb (bokmål), nn (nynorsk) or en [default: from LC_ALL/LANG, else nb]
    #[arg(long, global = true, value_parser = parse_lang, value_name = "LANG")]
    pub lang: Option<Lang>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fill a new database with a realistic demo: a cluster of four services, two rounds each, or larger
    Demo {
        /// Seed for the made-up answers; the same seed gives the same demo
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// How much: small (4 services), cluster (25 services, 6 rounds each) or national (357 services, about 1.5 million answers)
        #[arg(long, value_enum, default_value_t = demo_scale::Scale::Small)]
        scale: demo_scale::Scale,
    },
    /// Check the database: SQLite's integrity check, the schema version and counts
    Check,
    /// Write everything, or one service, as JSON (for another machine) or CSV (for analysis)
    Export(export::ExportArgs),
    /// Merge a JSON export from another machine into this database, all or nothing
    Import(import::ImportArgs),
    /// Compare two rounds of a service: change per section, subdomain and item, as text, JSON or Markdown
    Compare(compare::CompareArgs),
    /// Write a report for a gathering (Markdown or one self-contained HTML file)
    Report(report::ReportArgs),
    /// Write a consistent copy of the database, also while it is in use, and check it
    Backup(backup::BackupArgs),
    /// For tests: write answers, printing each as it is committed
    #[command(name = "_write-answers", hide = true)]
    WriteAnswers(write_answers::WriteAnswersArgs),
}

impl Command {
    /// Only the commands that put data into a database may create one; the others, on a
    /// mistyped path, would leave an empty database behind and report on it.
    fn if_missing(&self) -> IfMissing {
        match self {
            Command::Demo { .. } | Command::Import(_) | Command::WriteAnswers(_) => {
                IfMissing::Create
            }
            Command::Check
            | Command::Export(_)
            | Command::Compare(_)
            | Command::Report(_)
            | Command::Backup(_) => IfMissing::Refuse,
        }
    }
}

fn parse_lang(value: &str) -> Result<Lang, String> {
    Lang::parse(value).ok_or_else(|| format!("unknown language '{value}' (use nb, nn or en)"))
}

/// Exit codes, documented in README.md.
pub mod exit {
    pub const FAILURE: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const UNUSABLE_DATABASE: u8 = 3;
    pub const NEWER_SCHEMA: u8 = 4;
    pub const IO: u8 = 5;
    /// The database or a file beside it is another user's, or others may write to it.
    pub const NOT_PRIVATE: u8 = 6;
}

pub fn exit_code(error: &StoreError) -> u8 {
    match error {
        StoreError::NotADatabase { .. }
        | StoreError::ForeignDatabase { .. }
        | StoreError::Corrupt { .. }
        | StoreError::SchemaMismatch { .. } => exit::UNUSABLE_DATABASE,
        StoreError::NewerSchema { .. } => exit::NEWER_SCHEMA,
        StoreError::NotPrivate { .. } => exit::NOT_PRIVATE,
        StoreError::Missing { .. }
        | StoreError::Io { .. }
        | StoreError::ReadOnly { .. }
        | StoreError::DiskFull { .. } => exit::IO,
        StoreError::Sqlite(e)
            if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
            ) =>
        {
            exit::UNUSABLE_DATABASE
        }
        StoreError::Sqlite(e)
            if matches!(
                e.sqlite_error_code(),
                Some(
                    rusqlite::ErrorCode::DiskFull
                        | rusqlite::ErrorCode::ReadOnly
                        | rusqlite::ErrorCode::CannotOpen
                        | rusqlite::ErrorCode::PermissionDenied
                        | rusqlite::ErrorCode::SystemIoFailure
                )
            ) =>
        {
            exit::IO
        }
        _ => exit::FAILURE,
    }
}

pub fn default_db_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "kartlegg").map(|d| d.data_dir().join("kartlegg.db"))
}

/// Tells the user what went wrong, on standard error. Never panics: when the terminal is
/// gone there is no one to tell, and a failed write must not abort the process.
pub fn complain(message: &str) {
    use std::io::Write;
    // A message may quote a name or a value from a file or the command line.
    let message = crate::domain::model::neutralise_bidi(message);
    let _ = writeln!(std::io::stderr(), "kartlegg: {message}");
}

pub fn fail(lang: Lang, error: &StoreError) -> ExitCode {
    complain(&error.message(lang));
    ExitCode::from(exit_code(error))
}

/// Runs what the command line asks for and says how it went.
pub fn run(cli: Cli) -> ExitCode {
    let lang = cli
        .lang
        .unwrap_or_else(|| Lang::from_env_vars(|name| std::env::var(name).ok()));
    let Some(path) = cli.db.or_else(default_db_path) else {
        complain(tr(lang, "error.no_home"));
        return ExitCode::from(exit::FAILURE);
    };
    if cli.command.is_none() && !(std::io::stdout().is_terminal() && std::io::stdin().is_terminal())
    {
        complain(tr(lang, "error.no_terminal"));
        return ExitCode::from(exit::FAILURE);
    }
    // Before the database is used, so that the warning is read first.
    let location_warning =
        crate::store::location::risk(&path).map(|risk| risk.message(lang, &path));
    if let (Some(warning), Some(_)) = (&location_warning, &cli.command) {
        complain(warning);
    }
    let waiting = || complain(tr(lang, "busy.opening"));
    let if_missing = cli
        .command
        .as_ref()
        .map_or(IfMissing::Create, Command::if_missing);
    let is_command = cli.command.is_some();
    let open = || {
        let store = Store::open_saying_when_waiting(&path, if_missing, &waiting)?;
        // The full-screen program says it in its status line.
        if let (true, Some(message)) =
            (is_command, made_private_message(lang, store.made_private()))
        {
            complain(&message);
        }
        Ok(store)
    };
    let instrument = Instrument::standard();
    let Some(command) = cli.command else {
        let store = match open() {
            Ok(store) => store,
            Err(e) => return fail(lang, &e),
        };
        let created = store.created();
        let made_private = made_private_message(lang, store.made_private());
        let mut app = crate::ui::App::new(store, instrument, lang, Box::new(chrono::Utc::now));
        app.theme = crate::ui::view::Theme::from_env();
        app.status = first_status(lang, &path, created, location_warning, made_private);
        return match crate::ui::run(app) {
            Ok(crate::ui::Stopped::Clean) => ExitCode::SUCCESS,
            Ok(crate::ui::Stopped::Kept(file)) => {
                complain(&trf(lang, "wip.comment_kept", &[("file", &file.display())]));
                ExitCode::from(exit::FAILURE)
            }
            // The last place left for the text is the terminal.
            Ok(crate::ui::Stopped::Lost { comment, error }) => {
                complain(&trf(
                    lang,
                    "wip.comment_lost",
                    &[("reason", &error.message(lang)), ("comment", &comment)],
                ));
                ExitCode::from(exit::FAILURE)
            }
            Err(e) => {
                complain(&format!("{e:#}"));
                ExitCode::from(exit::FAILURE)
            }
        };
    };
    // Each command opens the database when it needs it: an import once its file is read, a
    // codebook never.
    let with_store = |run: &mut dyn FnMut(&mut Store) -> ExitCode| match open() {
        Ok(mut store) => run(&mut store),
        Err(e) => fail(lang, &e),
    };
    match command {
        Command::Import(args) => import::run(open, instrument, lang, args, chrono::Utc::now()),
        Command::Export(args) => export::run(open, instrument, lang, &path, args),
        Command::Demo { seed, scale } => {
            with_store(&mut |store| demo_scale::run(store, instrument, lang, &path, scale, seed))
        }
        Command::Check => with_store(&mut |store| check(store, lang)),
        Command::Compare(ref args) => {
            with_store(&mut |store| compare::run(store, instrument, lang, args))
        }
        Command::Backup(ref args) => {
            with_store(&mut |store| backup::run(store, lang, args, chrono::Utc::now()))
        }
        Command::WriteAnswers(ref args) => {
            with_store(&mut |store| write_answers::run(store, instrument, lang, args))
        }
        Command::Report(ref args) => with_store(&mut |store| {
            report::run(
                store,
                instrument,
                lang,
                args,
                chrono::Local::now().date_naive(),
            )
        }),
    }
}

/// What the status line says as the full-screen program starts: that the database is new,
/// and a warning about where it lies. The warning names the path and comes first in the
/// two lines there are, so beside it the new database is said in short. That files were
/// made private comes last (a new database never needs it).
fn first_status(
    lang: Lang,
    path: &std::path::Path,
    created: bool,
    location_warning: Option<String>,
    made_private: Option<String>,
) -> Option<crate::ui::app::Status> {
    use crate::ui::app::{Status, StatusKind};
    let (kind, text) = match (created, location_warning) {
        (false, None) => {
            return made_private.map(|text| Status {
                kind: StatusKind::Info,
                text,
            });
        }
        (true, None) => (
            StatusKind::Info,
            trf(
                lang,
                "status.database_created",
                &[("path", &path.display())],
            ),
        ),
        (false, Some(warning)) => (StatusKind::Warning, warning),
        (true, Some(warning)) => (
            StatusKind::Warning,
            trf(
                lang,
                "status.database_created_warning",
                &[("warning", &warning)],
            ),
        ),
    };
    let text = match made_private {
        Some(private) => format!("{text} {private}"),
        None => text,
    };
    Some(Status { kind, text })
}

fn check(store: &Store, lang: Lang) -> ExitCode {
    let report = || -> Result<(Vec<String>, u32, crate::store::Counts), StoreError> {
        Ok((
            store.integrity_problems()?,
            store.schema_version()?,
            store.counts()?,
        ))
    };
    let (problems, version, counts) = match report() {
        Ok(report) => report,
        Err(e) => return fail(lang, &e),
    };
    let mut lines = vec![
        trf(lang, "cli.check_path", &[("path", &store.path().display())]),
        trf(
            lang,
            "cli.check_version",
            &[("version", &version), ("known", &SCHEMA_VERSION)],
        ),
        trf(
            lang,
            "cli.check_counts",
            &[
                ("services", &counts.services),
                ("rounds", &counts.rounds),
                ("respondents", &counts.respondents),
                ("answers", &counts.answers),
                ("history", &counts.history),
            ],
        ),
    ];
    let whole = problems.is_empty();
    if whole {
        lines.push(tr(lang, "cli.check_ok").to_string());
    } else {
        lines.push(tr(lang, "cli.check_problems").to_string());
        lines.extend(problems.into_iter().map(|problem| format!("  {problem}")));
    }
    lines.push(String::new());
    // Through the one writer that takes a reader going away (`| head`) calmly.
    let printed = report_model::print(&lines.join("\n"));
    if !whole {
        return ExitCode::from(exit::UNUSABLE_DATABASE);
    }
    printed
}
