//! Starting the full-screen program: the database opened, what the status line says first,
//! and how the program ended, said on standard error with its exit code.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::app::{App, Stopped};
use super::status::{Status, StatusKind};
use crate::domain::instrument::Instrument;
use crate::i18n::{Lang, tr, trf};
use crate::messages::made_private_message;
use crate::start::{Start, complain, exit, fail, open_store, open_store_or_read};
use crate::store::{IfMissing, StoreError};
use crate::usecase::invites::{own_walk, redeem};

/// Runs the full-screen program on the database `start` names, creating it when it is not
/// there, until the user quits or it is stopped.
pub fn launch(start: Start) -> ExitCode {
    let Start {
        lang,
        path,
        location_warning,
    } = start;
    let store = match open_store_or_read(lang, &path, IfMissing::Create) {
        Ok(store) => store,
        Err(e) => return fail(lang, &e),
    };
    let created = store.created();
    // Said in the status line, not on standard error.
    let made_private = made_private_message(lang, store.made_private());
    let mut app = App::new(
        store,
        Instrument::standard(),
        lang,
        Box::new(chrono::Utc::now),
    );
    app.theme = super::widgets::Theme::from_env();
    app.status = first_status(lang, &path, created, location_warning, made_private);
    ended(lang, super::terminal::run(app))
}

/// How long `answer --code` waits before it says that a code cannot be used: a script that
/// guesses gets one try a second at most.
const REFUSED_PAUSE: Duration = Duration::from_secs(1);

/// `kartlegg answer`: one respondent answering alone by code (`App::answering`), on an
/// existing database only. A code given on the command line is tried before the terminal
/// is taken, and one that cannot be used is said on standard error. Nothing of the
/// command line but the code is heard: run as an SSH forced command, what the person asked
/// for (`SSH_ORIGINAL_COMMAND`) is never read.
pub fn answer(start: Start, code: Option<String>) -> ExitCode {
    let Start { lang, path, .. } = start;
    let on_server = crate::store::server_address(&path).is_some();
    if on_server && let Some(code) = &code {
        // On a server the code is the respondent's login password, checked by the server.
        // SAFETY: nothing else runs yet: the process has no other thread before it connects.
        unsafe { std::env::set_var("PGPASSWORD", code) };
    }
    let refused = || {
        std::thread::sleep(REFUSED_PAUSE);
        complain(tr(lang, "answer.refused"));
        ExitCode::from(exit::FAILURE)
    };
    let mut store = match open_store(lang, &path, IfMissing::Refuse) {
        Ok(store) => store,
        // A wrong code is a login the server refuses: said as any code that cannot be used.
        Err(StoreError::Database(e))
            if on_server && code.is_some() && e.detail.contains("authentication") =>
        {
            return refused();
        }
        Err(e) => return fail(lang, &e),
    };
    let claimed = if store.is_server() {
        match own_walk(&store) {
            Ok(Some(claimed)) => Some(claimed),
            Ok(None) => return refused(),
            Err(e) => return fail(lang, &e),
        }
    } else {
        match code {
            None => None,
            Some(code) => match redeem(&mut store, &code, chrono::Utc::now()) {
                Ok(Some(claimed)) => Some(claimed),
                Ok(None) => return refused(),
                Err(e) => return fail(lang, &e),
            },
        }
    };
    let mut app = App::answering(
        store,
        Instrument::standard(),
        lang,
        Box::new(chrono::Utc::now),
        claimed,
    );
    app.theme = super::widgets::Theme::from_env();
    ended(lang, super::terminal::run(app))
}

/// The exit code for how the program ended, and what is said about it on standard error.
fn ended(lang: Lang, stopped: anyhow::Result<Stopped>) -> ExitCode {
    match stopped {
        Ok(Stopped::Clean) => ExitCode::SUCCESS,
        Ok(Stopped::Ended(text)) => {
            complain(&text);
            ExitCode::from(exit::FAILURE)
        }
        Ok(Stopped::Kept(file)) => {
            complain(&trf(lang, "wip.comment_kept", &[("file", &file.display())]));
            ExitCode::from(exit::FAILURE)
        }
        // The last place left for the text is the terminal.
        Ok(Stopped::Lost { comment, error }) => {
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
    }
}

/// What the status line says as the full-screen program starts: that the database is new,
/// and a warning about where it lies. The warning names the path and comes first in the
/// two lines there are, so beside it the new database is said in short. That files were
/// made private comes last (a new database never needs it).
fn first_status(
    lang: Lang,
    path: &Path,
    created: bool,
    location_warning: Option<String>,
    made_private: Option<String>,
) -> Option<Status> {
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
