//! Files the command line writes: exports and reports, readable by their owner alone.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::ExitCode;

use super::{complain, exit, fail};
use crate::i18n::{Lang, trf};
use crate::messages::io_reason;
use crate::store::{StoreError, temp};

/// Why the file the user named at `path` could not be read or written, in their
/// language: a folder given for a file, or a folder on the way that is not there, is named
/// as such rather than as the file "not found".
pub fn why(lang: Lang, path: &Path, error: &io::Error) -> String {
    if path.is_dir() {
        return io_reason(lang, &io::Error::from(io::ErrorKind::IsADirectory));
    }
    if error.kind() == io::ErrorKind::NotFound
        && let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !folder.exists()
    {
        return trf(lang, "file.no_folder", &[("folder", &folder.display())]);
    }
    io_reason(lang, error)
}

/// Says that a file the user named could not be written, and why, with the exit code
/// README gives; an error that is not about the file is said as any other.
pub fn write_failed(lang: Lang, error: &StoreError) -> ExitCode {
    match error {
        StoreError::Io { path, source } => {
            complain(&trf(
                lang,
                "file.cannot_write",
                &[
                    ("path", &path.display()),
                    ("reason", &why(lang, path, source)),
                ],
            ));
            ExitCode::from(exit::IO)
        }
        e => fail(lang, e),
    }
}

/// Whether `out` names the database or one of its companion files, which a report must
/// never replace.
pub fn is_database_file(out: &Path, database: &Path) -> bool {
    let Ok(database) = fs::canonicalize(database) else {
        return false;
    };
    let out = match (out.parent(), out.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            match fs::canonicalize(parent) {
                Ok(parent) => parent.join(name),
                Err(_) => return false,
            }
        }
        _ => return false,
    };
    let out = fs::canonicalize(&out).unwrap_or(out);
    ["", "-wal", "-shm", "-journal"].iter().any(|suffix| {
        let mut companion = database.clone().into_os_string();
        companion.push(suffix);
        out == Path::new(&companion)
    })
}

/// Writes through a new file beside `path`, created readable by its owner alone, then
/// renamed over it: the export is never readable by others, not even for a moment, and a
/// failed export leaves no half-written file behind. A device or a pipe (`/dev/stdout`,
/// a FIFO) is written straight into. Every error names `path`, the file the user asked
/// for, never the temporary one. Temporary files that killed runs left in that folder are
/// removed first (`store::temp::sweep`).
pub fn write_private<T>(
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
    let Some(temp) = temp::beside(path) else {
        return Err(io_error(path)(io::Error::from(io::ErrorKind::InvalidInput)));
    };
    // What killed runs left here: their files hold comments too.
    temp::sweep(path.parent().unwrap_or(Path::new("")));
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp)
        .map_err(io_error(path))?;
    let outcome = write(&mut file, path).and_then(|value| {
        file.sync_all().map_err(io_error(path))?;
        crate::pause::here("file-written");
        fs::rename(&temp, path).map_err(io_error(path))?;
        Ok(value)
    });
    if outcome.is_err() {
        let _ = fs::remove_file(&temp);
    }
    outcome
}
