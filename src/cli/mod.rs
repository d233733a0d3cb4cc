//! The command line: arguments, the non-interactive subcommands, and exit codes.

pub mod answer;
pub mod backup;
pub mod compare;
pub mod demo;
pub mod demo_scale;
pub mod document;
pub mod erase;
pub mod export;
pub mod files;
pub mod import;
pub mod invite;
pub mod report;
pub mod server;
pub mod share;
pub mod write_answers;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::domain::instrument::Instrument;
use crate::i18n::{Lang, tr, trf};
use crate::messages::made_private_message;
use crate::store::lookup::LookupError;
use crate::store::{Admin, Sharing};
// What both faces share, where the commands have always found it.
use crate::start::{Start, open_store, open_store_or_read};
pub use crate::start::{complain, exit, exit_code, fail};
use crate::store::{IfMissing, SCHEMA_VERSION, Store, StoreError};

#[derive(Debug, Parser)]
#[command(
    name = "kartlegg",
    version,
    about = "Map a child welfare service's readiness for change, programme fit and implementation drivers, round by round."
)]
pub struct Cli {
    /// The database: a file [default: the platform's data folder, e.g. ~/.local/share/kartlegg/kartlegg.db], or a server's, postgres://host/database (its password from PGPASSWORD or ~/.pgpass, never here)
    #[arg(long, global = true, env = "KARTLEGG_DB", value_name = "PATH|URL")]
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
    /// Share the database with a Unix group on this machine: its members read and write it, no one else reads it
    Share(share::ShareArgs),
    /// Make one-time codes with which staff answer a round alone, or withdraw one
    Invite(invite::InviteArgs),
    /// Answer alone with a code: only your own walk and summary (for an SSH forced command)
    Answer(answer::AnswerArgs),
    /// Erase a respondent, round, service, plan item or goal with all it holds and its history, or old rounds (--older-than); a tombstone without names or content remains
    Erase(erase::EraseArgs),
    /// A region's database on a PostgreSQL server: `init` makes kartlegg's schema on an empty one
    Server(server::ServerArgs),
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
            | Command::Invite(_)
            | Command::Answer(_)
            | Command::Export(_)
            | Command::Compare(_)
            | Command::Report(_)
            | Command::Backup(_)
            | Command::Share(_) => IfMissing::Refuse,
            Command::Erase(_) | Command::Server(_) => IfMissing::Refuse,
        }
    }

    /// The commands that only read: they open a database this user may only read, for
    /// reading only, rather than refuse it.
    fn only_reads(&self) -> bool {
        match self {
            Command::Export(_) | Command::Compare(_) | Command::Report(_) => true,
            // A dry run says what would go, and writes nothing.
            Command::Erase(args) => args.dry_run,
            _ => false,
        }
    }
}

fn parse_lang(value: &str) -> Result<Lang, String> {
    Lang::parse(value).ok_or_else(|| format!("unknown language '{value}' (use nb, nn or en)"))
}

/// Runs the command the command line names and says how it went.
pub fn run(start: Start, command: Command) -> ExitCode {
    let Start {
        lang,
        path,
        location_warning,
    } = start;
    // Before the database is used, so that the warning is read first.
    if let Some(warning) = &location_warning {
        complain(warning);
    }
    let if_missing = command.if_missing();
    let only_reads = command.only_reads();
    let open = || {
        let store = if only_reads {
            open_store_or_read(lang, &path, if_missing)?
        } else {
            open_store(lang, &path, if_missing)?
        };
        if let Some(message) = made_private_message(lang, store.made_private()) {
            complain(&message);
        }
        if store.reading_only() {
            complain(&trf(
                lang,
                "share.reading_only",
                &[("path", &path.display())],
            ));
        }
        Ok(store)
    };
    let instrument = Instrument::standard();
    // Each command opens the database when it needs it: an import once its file is read, a
    // codebook never.
    let with_store = |run: &mut dyn FnMut(&mut Store) -> ExitCode| match open() {
        Ok(mut store) => run(&mut store),
        Err(e) => fail(lang, &e),
    };
    match command {
        Command::Import(args) => import::run(open, instrument, lang, args, chrono::Utc::now()),
        // It makes what opening needs, so it opens the database itself.
        Command::Server(ref args) => server::run(lang, &path, args),
        Command::Export(args) => export::run(open, instrument, lang, &path, args),
        Command::Demo { seed, scale } => {
            with_store(&mut |store| demo_scale::run(store, instrument, lang, &path, scale, seed))
        }
        Command::Check => with_store(&mut |store| check(store, lang)),
        Command::Compare(ref args) => {
            with_store(&mut |store| compare::run(store, instrument, lang, args))
        }
        Command::Share(ref args) => match share::group_or_refuse(lang, args) {
            Ok(group) => with_store(&mut |store| share::run(store, lang, &group, args)),
            Err(code) => code,
        },
        Command::Backup(ref args) => {
            with_store(&mut |store| backup::run(store, lang, args, chrono::Utc::now()))
        }
        Command::Erase(ref args) => {
            with_store(&mut |store| erase::run(store, lang, args, chrono::Utc::now()))
        }
        Command::WriteAnswers(ref args) => {
            with_store(&mut |store| write_answers::run(store, instrument, lang, args))
        }
        Command::Invite(ref args) => {
            with_store(&mut |store| invite::run(store, lang, args, chrono::Utc::now()))
        }
        // `main` hands it to the full-screen face, which opens the database itself.
        Command::Answer(_) => ExitCode::from(exit::USAGE),
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
    let printed = print(&lines.join("\n"));
    if !whole {
        return ExitCode::from(exit::UNUSABLE_DATABASE);
    }
    printed
}

/// Says why a service or round was not found, and exits: 1, or the store's own code.
pub fn lookup_failed(lang: Lang, error: &LookupError) -> ExitCode {
    complain(&error.message(lang));
    match error {
        LookupError::Store(e) => ExitCode::from(exit_code(e)),
        _ => ExitCode::from(exit::FAILURE),
    }
}

/// Writes to standard output; a reader that went away (`| head`) is not a failure.
pub fn print(text: &str) -> ExitCode {
    let text = crate::domain::model::neutralise_bidi(text);
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            complain(&e.to_string());
            ExitCode::from(exit::IO)
        }
    }
}

/// A message that names a database or file and what it holds, each count with its noun:
/// services, rounds, respondents, answers and changes in the history (where the text has
/// a place for them).
pub fn counts_message(
    lang: Lang,
    key: &str,
    path: &std::path::Path,
    counts: &crate::store::Counts,
) -> String {
    use crate::present::count;
    trf(
        lang,
        key,
        &[
            ("path", &path.display()),
            ("services", &count(lang, "noun.service", counts.services)),
            ("rounds", &count(lang, "noun.round", counts.rounds)),
            (
                "respondents",
                &count(lang, "noun.respondent", counts.respondents),
            ),
            ("answers", &count(lang, "noun.answer", counts.answers)),
            (
                "history",
                &count(lang, "noun.history_change", counts.history),
            ),
        ],
    )
}
