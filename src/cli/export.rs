//! `kartlegg export`: everything, or one service, as JSON (to merge into the database on
//! another machine) or as CSV (for SPSS, R and spreadsheets). The formats are described in
//! `docs/exchange.md`.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{exit, fail};
use crate::domain::instrument::Instrument;
use crate::i18n::{Lang, tr, trf};
use crate::store::exchange::{CsvLayout, Scope};
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Everything, with ids and history; `kartlegg import` merges it on another machine
    Json,
    /// The answers as a table, for analysis
    Csv,
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

    /// Write to FILE (created readable by its owner alone) instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

enum Written {
    Json(crate::store::Counts),
    Csv(usize),
}

pub fn run(
    store: &Store,
    instrument: &Instrument,
    lang: Lang,
    db: &Path,
    args: ExportArgs,
) -> ExitCode {
    if args.wide && args.format != Format::Csv {
        super::complain(tr(lang, "export.wide_needs_csv"));
        return ExitCode::from(exit::USAGE);
    }
    let service_id = match &args.service {
        None => None,
        Some(wanted) => match pick_service(store, lang, wanted) {
            Ok(id) => Some(id),
            Err(code) => return code,
        },
    };
    let scope = match &service_id {
        None => Scope::All,
        Some(id) => Scope::Service(id),
    };
    if let Some(out) = &args.out
        && same_file(out, db)
    {
        super::complain(&trf(
            lang,
            "export.out_is_database",
            &[("path", &out.display())],
        ));
        return ExitCode::from(exit::FAILURE);
    }

    let write = |out: &mut dyn Write, name: &Path| match args.format {
        Format::Json => store
            .export_json(scope, instrument, chrono::Utc::now(), out, name)
            .map(Written::Json),
        Format::Csv => {
            let layout = if args.wide {
                CsvLayout::Wide
            } else {
                CsvLayout::Long
            };
            store
                .export_csv(scope, instrument, layout, out, name)
                .map(Written::Csv)
        }
    };
    let outcome = match &args.out {
        None => write(&mut io::stdout().lock(), Path::new("<stdout>")),
        Some(path) => write_file(path, write),
    };
    match (outcome, &args.out) {
        (Ok(Written::Json(counts)), Some(path)) => println!(
            "{}",
            trf(
                lang,
                "export.done",
                &[
                    ("path", &path.display()),
                    ("services", &counts.services),
                    ("rounds", &counts.rounds),
                    ("respondents", &counts.respondents),
                    ("answers", &counts.answers),
                    ("history", &counts.history),
                ],
            )
        ),
        (Ok(Written::Csv(rows)), Some(path)) => println!(
            "{}",
            trf(
                lang,
                "export.done_csv",
                &[("path", &path.display()), ("rows", &rows)]
            )
        ),
        // On standard output the data is the whole answer.
        (Ok(_), None) => {}
        // A reader that stops early (`| head`) is no failure.
        (Err(StoreError::Io { source, .. }), None)
            if source.kind() == io::ErrorKind::BrokenPipe => {}
        (Err(e), _) => return fail(lang, &e),
    }
    ExitCode::SUCCESS
}

/// The id of the one service whose id is `wanted`, or else whose name is `wanted` in any
/// case. None, or several of that name, is said on standard error.
fn pick_service(store: &Store, lang: Lang, wanted: &str) -> Result<String, ExitCode> {
    let services = store.services().map_err(|e| fail(lang, &e))?;
    let wanted = wanted.trim();
    if let Some(found) = services.iter().find(|s| s.service.id == wanted) {
        return Ok(found.service.id.clone());
    }
    let lower = wanted.to_lowercase();
    let named: Vec<&str> = services
        .iter()
        .filter(|s| s.service.name.to_lowercase() == lower)
        .map(|s| s.service.id.as_str())
        .collect();
    let message = match named.as_slice() {
        [id] => return Ok(id.to_string()),
        [] => trf(lang, "export.no_service", &[("service", &wanted)]),
        several => trf(
            lang,
            "export.ambiguous_service",
            &[("service", &wanted), ("ids", &several.join(", "))],
        ),
    };
    super::complain(&message);
    Err(ExitCode::from(exit::FAILURE))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Writes through a new file beside `path`, created readable by its owner alone, then
/// renamed over it: the export is never readable by others, not even for a moment, and a
/// failed export leaves no half-written file behind. A device or a pipe (`/dev/stdout`,
/// a FIFO) is written straight into.
fn write_file<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write, &Path) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    if let Ok(meta) = fs::metadata(path)
        && !meta.is_file()
    {
        let mut file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(io_error(path))?;
        return write(&mut file, path);
    }
    let Some(name) = path.file_name() else {
        return Err(io_error(path)(io::Error::from(io::ErrorKind::InvalidInput)));
    };
    let temp = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp)
        .map_err(io_error(&temp))?;
    let outcome = write(&mut file, path).and_then(|value| {
        file.sync_all().map_err(io_error(path))?;
        fs::rename(&temp, path).map_err(io_error(path))?;
        Ok(value)
    });
    if outcome.is_err() {
        let _ = fs::remove_file(&temp);
    }
    outcome
}
