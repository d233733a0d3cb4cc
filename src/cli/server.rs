//! `kartlegg server …`: what a region's PostgreSQL database needs once, before anyone opens it
//! (`init` makes kartlegg's schema on an empty database), and who sees what on it (`grant`,
//! `revoke`, `grants`: the duties the server holds with row-level security, docs/server.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{complain, exit, fail, lookup_failed, print};
use crate::domain::model::Service;
use crate::i18n::{Lang, tr, trf};
use crate::store::postgres::PgStore;
use crate::store::postgres::access::Grant;
use crate::store::{Admin, Answers, Clusters, server_address};

#[derive(Debug, Args)]
pub struct ServerArgs {
    #[command(subcommand)]
    pub command: ServerCommand,
}

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Make kartlegg's schema on an empty database on the server named by --db (or KARTLEGG_DB), in one transaction; a database that is kartlegg's already is left as it is
    Init,
    /// Give a login role a duty: consultant of a cluster, leader of a service, or one respondent; the server then lets it reach that and nothing else
    Grant(DutyArgs),
    /// Take a duty back from a login role
    Revoke(DutyArgs),
    /// List every duty granted on this database, with what it reaches
    Grants,
}

#[derive(Debug, Args)]
pub struct DutyArgs {
    /// consultant, leader or respondent
    #[arg(value_enum)]
    pub duty: Duty,
    /// The login role (a PostgreSQL user name: lower-case letters, digits, _)
    #[arg(long)]
    pub role: String,
    /// The cluster, by name (consultant)
    #[arg(long)]
    pub cluster: Option<String>,
    /// The service, by name or id (leader; respondent with --round)
    #[arg(long)]
    pub service: Option<String>,
    /// The round, by label or id (respondent)
    #[arg(long)]
    pub round: Option<String>,
    /// The respondent, by code or id (respondent)
    #[arg(long)]
    pub respondent: Option<String>,
    /// Make the login role first; its password is read from --password-file, else
    /// KARTLEGG_NEW_PASSWORD, else asked for (never given on the command line)
    #[arg(long)]
    pub new_login: bool,
    /// A file whose first line is the new login role's password
    #[arg(long, value_name = "FILE", requires = "new_login")]
    pub password_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Duty {
    Consultant,
    Leader,
    Respondent,
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
    match &args.command {
        ServerCommand::Init => init(lang, url),
        ServerCommand::Grant(duty) => with_server(lang, url, |store| grant(lang, store, duty)),
        ServerCommand::Revoke(duty) => with_server(lang, url, |store| revoke(lang, store, duty)),
        ServerCommand::Grants => with_server(lang, url, |store| list(lang, store)),
    }
}

fn with_server(lang: Lang, url: &str, run: impl FnOnce(&mut PgStore) -> ExitCode) -> ExitCode {
    match PgStore::open(url) {
        Ok(mut store) => run(&mut store),
        Err(e) => fail(lang, &e),
    }
}

/// The duty the arguments name, its target found by name (or id) as the other commands find
/// them.
fn duty_of(lang: Lang, store: &PgStore, args: &DutyArgs) -> Result<Grant, ExitCode> {
    let role = args.role.clone();
    let missing = |option: &str| {
        complain(&trf(lang, "server.grant_needs", &[("option", &option)]));
        ExitCode::from(exit::USAGE)
    };
    let service = || -> Result<Service, ExitCode> {
        let name = args
            .service
            .as_deref()
            .ok_or_else(|| missing("--service"))?;
        store
            .find_service(name)
            .map_err(|e| lookup_failed(lang, &e))
    };
    Ok(match args.duty {
        Duty::Consultant => {
            let name = args
                .cluster
                .as_deref()
                .ok_or_else(|| missing("--cluster"))?;
            match store.cluster_named(name) {
                Ok(Some(cluster)) => Grant::Consultant {
                    role,
                    cluster: cluster.id,
                },
                Ok(None) => {
                    complain(&trf(lang, "server.no_cluster", &[("name", &name)]));
                    return Err(ExitCode::from(exit::FAILURE));
                }
                Err(e) => return Err(fail(lang, &e)),
            }
        }
        Duty::Leader => Grant::Leader {
            role,
            service: service()?.id,
        },
        Duty::Respondent => {
            let service = service()?;
            let label = args.round.as_deref().ok_or_else(|| missing("--round"))?;
            let round = (store.find_round(&service, label)).map_err(|e| lookup_failed(lang, &e))?;
            let code = args
                .respondent
                .as_deref()
                .ok_or_else(|| missing("--respondent"))?;
            let respondent =
                (store.find_respondent(&round, code)).map_err(|e| lookup_failed(lang, &e))?;
            Grant::Respondent {
                role,
                respondent: respondent.id,
            }
        }
    })
}

/// The new login role's password: from the file, the environment, or asked twice.
fn new_password(lang: Lang, args: &DutyArgs) -> Result<String, ExitCode> {
    let unreadable = |path: &Path, e: std::io::Error| {
        complain(&format!("{}: {e}", path.display()));
        ExitCode::from(exit::IO)
    };
    let password = if let Some(path) = &args.password_file {
        let text = std::fs::read_to_string(path).map_err(|e| unreadable(path, e))?;
        text.lines().next().unwrap_or_default().to_string()
    } else if let Ok(password) = std::env::var("KARTLEGG_NEW_PASSWORD") {
        password
    } else {
        let ask = |key: &str| rpassword::prompt_password(format!("{} ", tr(lang, key)));
        let first = ask("server.password_ask").map_err(|e| unreadable(Path::new("-"), e))?;
        let again = ask("server.password_again").map_err(|e| unreadable(Path::new("-"), e))?;
        if first != again {
            complain(tr(lang, "server.password_differs"));
            return Err(ExitCode::from(exit::FAILURE));
        }
        first
    };
    if password.chars().count() < MIN_PASSWORD_CHARS {
        complain(&trf(
            lang,
            "server.password_short",
            &[("least", &MIN_PASSWORD_CHARS)],
        ));
        return Err(ExitCode::from(exit::FAILURE));
    }
    Ok(password)
}

/// A respondent's code is eight symbols (`domain::invite`); no password is shorter.
const MIN_PASSWORD_CHARS: usize = 8;

fn grant(lang: Lang, store: &mut PgStore, args: &DutyArgs) -> ExitCode {
    let grant = match duty_of(lang, store, args) {
        Ok(grant) => grant,
        Err(code) => return code,
    };
    if args.new_login {
        let password = match new_password(lang, args) {
            Ok(password) => password,
            Err(code) => return code,
        };
        if let Err(e) = store.create_login(&args.role, &password) {
            return fail(lang, &e);
        }
    }
    match store.grant(&grant, chrono::Utc::now()) {
        Ok(()) => print(&format!(
            "{}\n",
            trf(lang, "server.granted", &[("role", &args.role)])
        )),
        Err(e) => fail(lang, &e),
    }
}

fn revoke(lang: Lang, store: &mut PgStore, args: &DutyArgs) -> ExitCode {
    let grant = match duty_of(lang, store, args) {
        Ok(grant) => grant,
        Err(code) => return code,
    };
    match store.revoke(&grant) {
        Ok(true) => print(&format!(
            "{}\n",
            trf(lang, "server.revoked", &[("role", &args.role)])
        )),
        Ok(false) => {
            complain(&trf(lang, "server.not_granted", &[("role", &args.role)]));
            ExitCode::from(exit::FAILURE)
        }
        Err(e) => fail(lang, &e),
    }
}

fn list(lang: Lang, store: &PgStore) -> ExitCode {
    let grants = match store.grants() {
        Ok(grants) => grants,
        Err(e) => return fail(lang, &e),
    };
    if grants.is_empty() {
        return print(&format!("{}\n", tr(lang, "server.no_grants")));
    }
    let lines: Vec<String> = grants
        .iter()
        .map(|granted| {
            let duty = match granted.grant {
                Grant::Consultant { .. } => "server.duty_consultant",
                Grant::Leader { .. } => "server.duty_leader",
                Grant::Respondent { .. } => "server.duty_respondent",
            };
            format!(
                "{}\t{}\t{}",
                granted.grant.role(),
                tr(lang, duty),
                granted.target_name
            )
        })
        .collect();
    print(&format!("{}\n", lines.join("\n")))
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
