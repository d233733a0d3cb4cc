//! `kartlegg server …`: what a region's PostgreSQL database needs once, before anyone opens it
//! (`init` makes kartlegg's schema on an empty database).

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{complain, exit, fail, print};
use crate::i18n::{Lang, tr, trf};
use crate::store::postgres::PgStore;
use crate::store::{Admin, server_address};

#[derive(Debug, Args)]
pub struct ServerArgs {
    #[command(subcommand)]
    pub command: ServerCommand,
}

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Make kartlegg's schema on an empty database on the server named by --db (or KARTLEGG_DB), in one transaction; a database that is kartlegg's already is left as it is
    Init,
}

pub fn run(lang: Lang, target: &Path, args: &ServerArgs) -> ExitCode {
    let Some(url) = server_address(target) else {
        complain(&trf(
            lang,
            "server.not_a_server",
            &[("path", &target.display())],
        ));
        return ExitCode::from(exit::USAGE);
    };
    match args.command {
        ServerCommand::Init => init(lang, url),
    }
}

fn init(lang: Lang, url: &str) -> ExitCode {
    let had = PgStore::open(url).is_ok();
    match PgStore::init(url) {
        Ok(store) => {
            let key = if had {
                "server.init_already"
            } else {
                "server.init_done"
            };
            let version = store.schema_version().unwrap_or_default();
            print(&format!(
                "{}\n",
                trf(
                    lang,
                    key,
                    &[("server", &store.path().display()), ("version", &version)]
                )
            ))
        }
        Err(e) => {
            let code = fail(lang, &e);
            complain(tr(lang, "server.init_nothing_written"));
            code
        }
    }
}
