//! `kartlegg export`: everything, or one service, as JSON (to merge into the database on
//! another machine) or as CSV (for SPSS, R and spreadsheets), and the instrument's codebook.
//! The formats are described in `docs/exchange.md` and `docs/analysis.md`.

use std::io::{self, Write};

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::files::{is_database_file, write_failed, write_private};
use super::{exit, fail};
use crate::domain::instrument::Instrument;
use crate::exchange::{CsvDialect, CsvLayout, Scope, export_codebook};
use crate::i18n::{Lang, tr, trf};
use crate::present::count;
use crate::store::Answers;
use crate::store::Exchange;

use crate::store::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Everything, with ids and history; `kartlegg import` merges it on another machine
    Json,
    /// The answers as a table, for analysis
    Csv,
    /// The codebook to read the CSV by, one row per item: keys, scale, missing codes, texts (CSV)
    Codebook,
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

    /// Write to FILE (created readable by its owner alone) instead of standard output
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
    let refusal = if args.wide && args.format != Format::Csv {
        Some("export.wide_needs_csv")
    } else if args.spreadsheet && args.format == Format::Json {
        Some("export.spreadsheet_needs_csv")
    } else if args.service.is_some() && args.format == Format::Codebook {
        Some("export.codebook_no_service")
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
    let service_id = match (&args.service, &store) {
        (Some(wanted), Some(store)) => match store.find_service(wanted) {
            Ok(service) => Some(service.id),
            Err(e) => return super::lookup_failed(lang, &e),
        },
        _ => None,
    };
    let scope = match &service_id {
        None => Scope::All,
        Some(id) => Scope::Service(id),
    };
    if let Some(out) = &args.out
        && is_database_file(out, db)
    {
        super::complain(&trf(
            lang,
            "export.out_is_database",
            &[("path", &out.display())],
        ));
        return ExitCode::from(exit::FAILURE);
    }

    let write = |out: &mut dyn Write, name: &Path| match (&store, args.format) {
        (Some(store), Format::Json) => store
            .export_json(scope, instrument, chrono::Utc::now(), out, name)
            .map(Written::Json),
        (Some(store), Format::Csv) => {
            let layout = if args.wide {
                CsvLayout::Wide
            } else {
                CsvLayout::Long
            };
            store
                .export_csv(scope, instrument, layout, dialect, out, name)
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
        }
        (Ok(Written::Csv(rows)), Some(path)) => println!(
            "{}",
            trf(
                lang,
                "export.done_csv",
                &[
                    ("path", &path.display()),
                    ("rows", &count(lang, "noun.row", rows))
                ]
            )
        ),
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
