//! `kartlegg export`: everything, or one service, as JSON (to merge into the database on
//! another machine) or as CSV (for SPSS, R and spreadsheets), and the instrument's codebook.
//! The formats are described in `docs/exchange.md` and `docs/analysis.md`. The answers
//! are pseudonymous unless `--identified` (`crate::exchange::disclose`).

use std::io::{self, Write};

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::files::{is_database_file, write_failed, write_private};
use super::{exit, fail};
use crate::domain::compare::MIN_GROUP;
use crate::domain::instrument::Instrument;
use crate::domain::model::{Round, Service};
use crate::exchange::disclose::Respondents;
use crate::exchange::round_tables::{RoundData, RoundTable, write_round_table};
use crate::exchange::subdomain_table::{
    SUBDOMAIN_FORMAT, SUBDOMAIN_FORMAT_VERSION, SubdomainHeader, write_subdomain_csv,
    write_subdomain_json,
};
use crate::exchange::{
    Contents, CsvDialect, CsvExport, CsvLayout, Disclosure, Scope, export_codebook, timestamp,
};
use crate::i18n::{Lang, tr, trf};
use crate::present::count;
use crate::store::Exchange;
use crate::store::{Answers, Clusters, Needs};
use crate::usecase::aggregate;
use crate::usecase::positions::PositionsData;

use crate::store::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Everything (with --identified: ids and history, which `kartlegg import` merges on another machine)
    Json,
    /// The answers as a table, for analysis
    Csv,
    /// The codebook to read the CSV by, one row per item: keys, scale, missing codes, texts (CSV)
    Codebook,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Table {
    Answers,
    Needs,
    Facts,
    Expectations,
    Positions,
    Subdomains,
}

impl Table {
    /// The round-level table, or `None` for the answers and the subdomains.
    fn of_rounds(self) -> Option<RoundTable> {
        match self {
            Table::Answers | Table::Subdomains => None,
            Table::Needs => Some(RoundTable::Needs),
            Table::Facts => Some(RoundTable::Facts),
            Table::Expectations => Some(RoundTable::Expectations),
            Table::Positions => Some(RoundTable::Positions),
        }
    }
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Only this service (its id, or its name in any case) and all its rounds
    #[arg(long, value_name = "NAME_OR_ID")]
    pub service: Option<String>,

    /// What to write
    #[arg(long, value_enum)]
    pub format: Format,

    /// CSV with one row per respondent and round and one column per item, in walk order
    #[arg(long)]
    pub wide: bool,

    /// CSV for a spreadsheet with Norwegian settings (Excel, LibreOffice): semicolons, decimal comma, a UTF-8 byte-order mark
    #[arg(long)]
    pub spreadsheet: bool,

    /// Keep the respondents' ids, codes, times, the history and comments, to import on another machine
    #[arg(long)]
    pub identified: bool,

    /// Keep the comments in a pseudonymous export
    #[arg(long)]
    pub with_comments: bool,

    /// Which table a CSV holds: the answers, or a round-level table of the competence needs (a row per round and area), the facts or the expectations (a row per round), or the posts against the 2031 requirement (counts per role, small groups suppressed); or, as CSV or JSON, the subdomains: a row per service, round and subdomain with its score, n, "don't know" and "not applicable" counts, band and gathering (small groups suppressed)
    #[arg(long, value_enum, default_value_t = Table::Answers)]
    pub table: Table,

    /// With --table subdomains: only this cluster's services (its name)
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,

    /// With --table subdomains: the services as the letters A, B, C (in an order that says nothing of their scores), without their names or the rounds' labels
    #[arg(long)]
    pub anonymous: bool,

    /// Write to FILE (created readable by its owner alone) instead of standard output; a CSV gets FILE's name with .about.txt beside it, saying what it holds
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

enum Written {
    Json(crate::store::Exported),
    Csv(usize),
    Codebook(usize),
}

pub fn run(
    open: impl FnOnce() -> Result<Store, StoreError>,
    instrument: &Instrument,
    lang: Lang,
    db: &Path,
    args: ExportArgs,
) -> ExitCode {
    let round_table = args.table.of_rounds();
    let subdomains = args.table == Table::Subdomains;
    let refusal = if (args.cluster.is_some() || args.anonymous) && !subdomains {
        Some("export.cluster_needs_subdomains")
    } else if subdomains && args.format == Format::Codebook {
        Some("export.subdomains_csv_or_json")
    } else if subdomains && (args.wide || args.identified || args.with_comments) {
        Some("export.subdomains_no_respondents")
    } else if args.cluster.is_some() && args.service.is_some() {
        Some("export.cluster_or_service")
    } else if args.wide && args.format != Format::Csv {
        Some("export.wide_needs_csv")
    } else if round_table.is_some() && args.format != Format::Csv {
        Some("export.table_needs_csv")
    } else if round_table.is_some() && args.wide {
        Some("export.wide_is_answers")
    } else if args.spreadsheet && args.format == Format::Json {
        Some("export.spreadsheet_needs_csv")
    } else if args.service.is_some() && args.format == Format::Codebook {
        Some("export.codebook_no_service")
    } else if (args.identified || args.with_comments) && args.format == Format::Codebook {
        Some("export.disclosure_needs_answers")
    } else if args.with_comments && args.wide {
        Some("export.wide_has_no_comments")
    } else {
        None
    };
    if let Some(key) = refusal {
        super::complain(tr(lang, key));
        return ExitCode::from(exit::USAGE);
    }
    let dialect = if args.spreadsheet {
        CsvDialect::Spreadsheet
    } else {
        CsvDialect::Plain
    };
    // The codebook is the instrument's own: it needs no database, and opens none.
    let store = match args.format {
        Format::Codebook => None,
        Format::Json | Format::Csv => match open() {
            Ok(store) => Some(store),
            Err(e) => return fail(lang, &e),
        },
    };
    let service = match (&args.service, &store) {
        (Some(wanted), Some(store)) => match store.find_service(wanted) {
            Ok(service) => Some(service),
            Err(e) => return super::lookup_failed(lang, &e),
        },
        _ => None,
    };
    let scope = match &service {
        None => Scope::All,
        Some(service) => Scope::Service(&service.id),
    };
    let disclosure = disclosure(&args);
    let now = chrono::Utc::now();
    let mut contents = disclosure.contents(db, service.as_ref().map(|s| s.name.as_str()));
    // The wide form has no column for them.
    contents.comments &= !args.wide;
    let about_file = args.out.as_deref().and_then(about_file);
    if let Some(out) = args
        .out
        .iter()
        .chain(&about_file)
        .find(|out| is_database_file(out, db))
    {
        super::complain(&trf(
            lang,
            "export.out_is_database",
            &[("path", &out.display())],
        ));
        return ExitCode::from(exit::FAILURE);
    }

    let cluster = match (&args.cluster, &store) {
        (Some(wanted), Some(store)) => match store.cluster_named(wanted) {
            Ok(Some(cluster)) => Some(cluster.name),
            Ok(None) => {
                super::complain(&trf(lang, "export.no_such_cluster", &[("name", wanted)]));
                return ExitCode::from(exit::FAILURE);
            }
            Err(e) => return fail(lang, &e),
        },
        _ => None,
    };
    // Loaded before a file is made, so that a fault leaves none behind.
    let subdomain_rows = match &store {
        Some(store) if subdomains => {
            let scope = match (&cluster, &service) {
                (Some(name), _) => aggregate::Scope::Cluster(name),
                (None, Some(service)) => aggregate::Scope::Service(service),
                (None, None) => aggregate::Scope::All,
            };
            let how = aggregate::Aggregation {
                anonymous: args.anonymous,
                min_group: MIN_GROUP,
            };
            match aggregate::subdomain_rows(store, instrument, scope, how) {
                Ok(rows) => rows,
                Err(e) => return fail(lang, &e),
            }
        }
        _ => Vec::new(),
    };
    let round_rows = match (&store, round_table) {
        (Some(store), Some(table)) => match round_table_data(store, service.as_ref(), table) {
            Ok(rows) => rows,
            Err(e) => return fail(lang, &e),
        },
        _ => Vec::new(),
    };
    let write = |out: &mut dyn Write, name: &Path| match (&store, args.format) {
        (Some(_), Format::Json) if subdomains => {
            let header = SubdomainHeader {
                format: SUBDOMAIN_FORMAT,
                format_version: SUBDOMAIN_FORMAT_VERSION,
                exported_at: timestamp(now),
                instrument: instrument.key.clone(),
                instrument_version: instrument.version.clone(),
                min_group: MIN_GROUP,
                anonymous: args.anonymous,
                cluster: cluster.clone(),
            };
            write_subdomain_json(&header, &subdomain_rows, out, name)
                .map(Written::Csv)
                .map_err(StoreError::from)
        }
        (Some(_), Format::Csv) if subdomains => {
            write_subdomain_csv(&subdomain_rows, dialect, out, name)
                .map(Written::Csv)
                .map_err(StoreError::from)
        }
        (Some(store), Format::Json) => store
            .export_json(scope, instrument, now, disclosure, out, name)
            .map(Written::Json),
        (Some(_), Format::Csv) if round_table.is_some() => {
            let table = round_table.unwrap_or(RoundTable::Needs);
            let rounds = round_rows.iter().map(|(s, r, d)| (s, r, d));
            write_round_table(table, rounds, dialect, contents.comments, out, name)
                .map(Written::Csv)
                .map_err(StoreError::from)
        }
        (Some(store), Format::Csv) => {
            let layout = if args.wide {
                CsvLayout::Wide
            } else {
                CsvLayout::Long
            };
            let csv = CsvExport {
                layout,
                dialect,
                disclosure,
            };
            store
                .export_csv(scope, instrument, csv, out, name)
                .map(Written::Csv)
        }
        // The codebook, the one export without a store.
        (None, _) | (_, Format::Codebook) => export_codebook(instrument, dialect, out, name)
            .map(Written::Codebook)
            .map_err(StoreError::from),
    };
    let outcome = match &args.out {
        None => write(&mut io::stdout().lock(), Path::new("<stdout>")),
        Some(path) => write_private(path, write),
    };
    // What a CSV holds goes beside it (a line in it would break R's, pandas' and a
    // spreadsheet's header row), or, on standard output, to standard error.
    let about_line = |contents: &Contents| match subdomains {
        true => about_subdomains(lang, now, contents, cluster.as_deref(), args.anonymous),
        false => about(lang, now, contents, round_table),
    };
    let outcome = match (outcome, args.format) {
        (Ok(written), Format::Csv) => {
            let line = about_line(&contents);
            match (&about_file, &args.out) {
                (Some(path), Some(csv)) => write_private(path, |out, name| {
                    writeln!(out, "{}: {line}", csv.display()).map_err(|source| StoreError::Io {
                        path: name.to_path_buf(),
                        source,
                    })
                })
                .map(|()| written)
                // A CSV that cannot say what it holds is not left behind.
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(csv);
                }),
                _ => {
                    eprintln!("{line}");
                    Ok(written)
                }
            }
        }
        (outcome, _) => outcome,
    };
    match (outcome, &args.out) {
        (Ok(Written::Json(exported)), Some(path)) => {
            let (counts, plans) = (exported.counts, exported.plans);
            println!(
                "{}",
                super::counts_message(lang, "export.done", path, &counts)
            );
            println!(
                "{}",
                trf(
                    lang,
                    "export.done_plans",
                    &[
                        ("plan_items", &plans.plan_items),
                        ("goals", &plans.goals),
                        ("goal_statuses", &plans.goal_statuses),
                        ("round_stages", &plans.round_stages),
                        ("consensus", &plans.consensus),
                        ("changes", &plans.changes),
                    ],
                )
            );
            println!(
                "{}",
                trf(
                    lang,
                    "export.done_needs",
                    &[
                        ("own_areas", &plans.own_areas),
                        ("needs", &plans.needs),
                        ("expectations", &plans.expectations),
                        ("facts", &plans.facts),
                    ],
                )
            );
            println!(
                "{}",
                trf(
                    lang,
                    "export.done_positions",
                    &[("positions", &plans.positions)],
                )
            );
            println!("{}: {}", path.display(), about(lang, now, &contents, None));
            if !contents.importable() {
                println!("{}", tr(lang, "export.identified_hint"));
            }
        }
        (Ok(Written::Csv(rows)), Some(path)) if subdomains => {
            println!(
                "{}",
                trf(
                    lang,
                    "export.done_csv",
                    &[
                        ("path", &path.display()),
                        ("rows", &count(lang, "noun.row", rows))
                    ]
                )
            );
            println!("{}: {}", path.display(), about_line(&contents));
            if let Some(about) = about_file.as_ref().filter(|_| args.format == Format::Csv) {
                println!(
                    "{}",
                    trf(lang, "export.about_written", &[("path", &about.display())])
                );
            }
        }
        (Ok(Written::Csv(rows)), Some(path)) => {
            println!(
                "{}",
                trf(
                    lang,
                    "export.done_csv",
                    &[
                        ("path", &path.display()),
                        ("rows", &count(lang, "noun.row", rows))
                    ]
                )
            );
            println!(
                "{}: {}",
                path.display(),
                about(lang, now, &contents, round_table)
            );
            if let Some(about) = &about_file {
                println!(
                    "{}",
                    trf(lang, "export.about_written", &[("path", &about.display())])
                );
            }
        }
        (Ok(Written::Codebook(items)), Some(path)) => println!(
            "{}",
            trf(
                lang,
                "export.done_codebook",
                &[
                    ("path", &path.display()),
                    ("items", &count(lang, "noun.item", items))
                ]
            )
        ),
        // On standard output the data is the whole answer.
        (Ok(_), None) => {}
        // A reader that stops early (`| head`) is no failure.
        (Err(StoreError::Io { source, .. }), None)
            if source.kind() == io::ErrorKind::BrokenPipe => {}
        (Err(e), Some(_)) => return write_failed(lang, &e),
        (Err(e), None) => return fail(lang, &e),
    }
    ExitCode::SUCCESS
}

/// What the flags ask to disclose, with this export's own draw of codes.
fn disclosure(args: &ExportArgs) -> Disclosure {
    if args.identified {
        return Disclosure::identified();
    }
    // From the system's randomness: nothing in the file may let anyone draw its codes again.
    let (seed, _) = uuid::Uuid::new_v4().as_u64_pair();
    let pseudonymous = Disclosure::pseudonymous(seed);
    if args.with_comments {
        pseudonymous.with_comments()
    } else {
        pseudonymous
    }
}

/// The file beside a CSV written to `out` that says what it holds (`answers.csv` →
/// `answers.about.txt`); none for a device or a pipe (`/dev/stdout`).
fn about_file(out: &Path) -> Option<PathBuf> {
    match std::fs::metadata(out) {
        Ok(meta) if !meta.is_file() => None,
        _ => Some(out.with_extension("about.txt")),
    }
}

/// One line on what an export holds, in the user's language: its respondents, or the
/// round-level table it is instead.
fn about(
    lang: Lang,
    at: chrono::DateTime<chrono::Utc>,
    contents: &Contents,
    table: Option<RoundTable>,
) -> String {
    let service = match &contents.service {
        None => tr(lang, "export.about_every_service").to_string(),
        Some(name) => trf(lang, "export.about_service", &[("name", name)]),
    };
    let respondents = match (table, contents.respondents) {
        (Some(RoundTable::Needs), _) => "export.about_table_needs",
        (Some(RoundTable::Facts), _) => "export.about_table_facts",
        (Some(RoundTable::Expectations), _) => "export.about_table_expectations",
        (Some(RoundTable::Positions), _) => "export.about_table_positions",
        (None, Respondents::Identified) => "export.about_identified",
        (None, Respondents::Pseudonymous) => "export.about_pseudonymous",
    };
    let comments = if contents.comments {
        "export.about_comments"
    } else {
        "export.about_no_comments"
    };
    trf(
        lang,
        "export.about",
        &[
            ("at", &timestamp(at)),
            ("database", &contents.database),
            ("service", &service),
            ("respondents", &tr(lang, respondents)),
            ("comments", &tr(lang, comments)),
        ],
    )
}

/// One line on what the subdomains' table holds: whose services, named or by letter.
fn about_subdomains(
    lang: Lang,
    at: chrono::DateTime<chrono::Utc>,
    contents: &Contents,
    cluster: Option<&str>,
    anonymous: bool,
) -> String {
    let services = match (cluster, &contents.service) {
        (Some(name), _) => trf(lang, "export.about_cluster", &[("name", &name)]),
        (None, Some(name)) if !anonymous => trf(lang, "export.about_service", &[("name", name)]),
        (None, Some(_)) => tr(lang, "export.about_one_service").to_string(),
        (None, None) => tr(lang, "export.about_every_service").to_string(),
    };
    let names = if anonymous {
        "export.about_anonymous"
    } else {
        "export.about_named"
    };
    trf(
        lang,
        "export.about_subdomains",
        &[
            ("at", &timestamp(at)),
            ("database", &contents.database),
            ("services", &services),
            ("min", &MIN_GROUP),
            ("names", &tr(lang, names)),
        ],
    )
}

/// Every round in scope with its service and its part of `table`, services in the order
/// `services` gives them and rounds by the day held.
fn round_table_data(
    store: &Store,
    service: Option<&Service>,
    table: RoundTable,
) -> Result<Vec<(Service, Round, RoundData)>, StoreError> {
    let services = match service {
        Some(service) => vec![service.clone()],
        None => store.service_list()?,
    };
    let mut out = Vec::new();
    for service in services {
        let areas = match table {
            RoundTable::Needs => store.areas(&service.id)?,
            _ => Vec::new(),
        };
        for summary in store.rounds(&service.id)? {
            let round = summary.round;
            let data = match table {
                RoundTable::Needs => RoundData::Needs(areas.clone(), store.needs(&round.id)?),
                RoundTable::Facts => RoundData::Facts(store.facts(&round.id)?),
                RoundTable::Expectations => RoundData::Expectations(store.expectations(&round.id)?),
                RoundTable::Positions => {
                    RoundData::Positions(PositionsData::load(store, &round, MIN_GROUP)?.table)
                }
            };
            out.push((service.clone(), round, data));
        }
    }
    Ok(out)
}
