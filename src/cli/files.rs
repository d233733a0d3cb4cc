//! Files the command line writes: exports and reports, readable by their owner alone.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::store::StoreError;

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
/// a FIFO) is written straight into.
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
