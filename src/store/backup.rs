//! Copies of the database: before a schema migration, and on request (`kartlegg backup`).

use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{Result, Store, StoreError};

impl Store {
    /// Writes a consistent copy of the database to `target`, a new file readable by its
    /// owner alone; an existing file is never replaced.
    ///
    /// `VACUUM INTO` reads inside one transaction: in WAL mode other processes go on
    /// writing meanwhile, and the copy holds exactly what was committed when it began.
    pub fn backup_to(&self, target: &Path) -> Result<()> {
        let io_error = |source| StoreError::Io {
            path: target.to_path_buf(),
            source,
        };
        // SQLite takes the name as text; a lossy name would write somewhere else.
        let name = target
            .to_str()
            .ok_or_else(|| io_error(io::Error::from(io::ErrorKind::InvalidFilename)))?;
        // Made here, empty and private: SQLite would create it with the umask's mode,
        // readable by others for a moment. VACUUM INTO accepts an empty file.
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(target)
            .map_err(io_error)?;
        let outcome = self
            .conn
            .execute("VACUUM INTO ?1", [name])
            .map_err(StoreError::from)
            .and_then(|_| file.sync_all().map_err(io_error));
        if outcome.is_err() {
            let _ = fs::remove_file(target);
        }
        outcome
    }

    /// Where `kartlegg backup` writes without `--out`: beside the database, named by the
    /// moment (UTC), e.g. `kartlegg.db.20260309T101500Z.bak`, with `-2`, `-3` … after the
    /// moment when a copy of that second is there already.
    pub fn default_backup_path(&self, now: DateTime<Utc>) -> PathBuf {
        let base = format!(
            "{}.{}",
            self.path.file_name().unwrap_or_default().to_string_lossy(),
            now.format("%Y%m%dT%H%M%SZ")
        );
        (1..)
            .map(|n| match n {
                1 => self.path.with_file_name(format!("{base}.bak")),
                n => self.path.with_file_name(format!("{base}-{n}.bak")),
            })
            .find(|path| !path.exists())
            .expect("some name is free")
    }
}
