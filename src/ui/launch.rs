//! Starting the full-screen program: the database opened, what the status line says first,
//! and how the program ended, said on standard error with its exit code.

use std::path::Path;
use std::process::ExitCode;

use super::app::{App, Stopped};
use super::status::{Status, StatusKind};
use crate::domain::instrument::Instrument;
use crate::i18n::{Lang, trf};
use crate::messages::made_private_message;
use crate::start::{Start, complain, exit, fail, open_store_or_read};
use crate::store::IfMissing;

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
    match super::terminal::run(app) {
        Ok(Stopped::Clean) => ExitCode::SUCCESS,
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
