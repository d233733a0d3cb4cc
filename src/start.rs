//! How the process starts and ends, whichever face it shows: the language, the database's
//! path and the warning about where it lies, opening the database, the exit codes, and what
//! is said on standard error. `main` picks the face; the faces share this and never each
//! other.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::i18n::{Lang, tr};
use crate::store::{Fault, IfMissing, Store, StoreError};

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

/// The exit code for a store's error, by its kind (`Fault`).
pub fn exit_code(error: &StoreError) -> u8 {
    match error.fault() {
        Fault::Unusable => exit::UNUSABLE_DATABASE,
        Fault::Newer => exit::NEWER_SCHEMA,
        Fault::NotPrivate => exit::NOT_PRIVATE,
        Fault::Unreachable => exit::IO,
        Fault::Other => exit::FAILURE,
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

/// What both faces start from.
pub struct Start {
    pub lang: Lang,
    pub path: PathBuf,
    /// A warning about where the database lies (a network or synchronised folder).
    pub location_warning: Option<String>,
}

impl Start {
    /// The language (`--lang`, else the environment) and the database (`--db` or
    /// `KARTLEGG_DB`, else the platform's data folder); the full-screen program also needs a
    /// terminal on both ends.
    pub fn new(lang: Option<Lang>, db: Option<PathBuf>, screen: bool) -> Result<Start, ExitCode> {
        let lang = lang.unwrap_or_else(|| Lang::from_env_vars(|name| std::env::var(name).ok()));
        let Some(path) = db.or_else(default_db_path) else {
            complain(tr(lang, "error.no_home"));
            return Err(ExitCode::from(exit::FAILURE));
        };
        if screen && !(std::io::stdout().is_terminal() && std::io::stdin().is_terminal()) {
            complain(tr(lang, "error.no_terminal"));
            return Err(ExitCode::from(exit::FAILURE));
        }
        // A server's database lies on the server: no folder of this machine to warn about.
        let location_warning = match crate::store::server_address(&path) {
            Some(_) => None,
            None => crate::store::location::risk(&path).map(|risk| risk.message(lang, &path)),
        };
        Ok(Start {
            lang,
            path,
            location_warning,
        })
    }
}

/// Opens the database, saying on standard error, once, that it waits when another process
/// keeps it busy.
pub fn open_store(lang: Lang, path: &Path, if_missing: IfMissing) -> Result<Store, StoreError> {
    let waiting = || complain(tr(lang, "busy.opening"));
    Store::open_saying_when_waiting(path, if_missing, &waiting)
}

/// `open_store`, but a database this user may only read is opened for reading only
/// (`Store::open_or_read`); the face says so.
pub fn open_store_or_read(
    lang: Lang,
    path: &Path,
    if_missing: IfMissing,
) -> Result<Store, StoreError> {
    let waiting = || complain(tr(lang, "busy.opening"));
    Store::open_or_read(path, if_missing, &waiting)
}
