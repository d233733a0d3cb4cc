//! Copies of the database: before a schema migration, and on request (`kartlegg backup`).
//!
//! A copy is written under a temporary name beside its target (`temp`) and takes the
//! target's name only when it is whole: a copy killed part-way never looks like a backup.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{FileStore, Result, StoreError};
use crate::store::Admin;
use crate::store::temp;
use crate::store::{CopyFault, Verdict};

impl FileStore {
    /// A full copy beside the file, kept, before its schema changes. A copy of the same
    /// version and second there already (an upgrade killed a moment ago, or a partial copy
    /// an older kartlegg left) is replaced by this whole one. Returns where it is.
    pub(super) fn backup_before_migration(&self, version: u32) -> Result<PathBuf> {
        let target = migration_backup_path(&self.path, version, Utc::now());
        let copy = self.write_copy(&target)?;
        crate::pause::here("migration-backup-written");
        fs::rename(&copy, &target)
            .map_err(io_error(&target))
            .inspect_err(|_| remove_copy(&copy))?;
        sync_folder(&target);
        Ok(target)
    }

    /// Writes the copy under its temporary name beside `target`, after removing what killed
    /// runs left there; returns that name. Nothing is left behind when it fails.
    fn write_copy(&self, target: &Path) -> Result<PathBuf> {
        let invalid = || io_error(target)(io::ErrorKind::InvalidFilename.into());
        let copy = temp::beside(target).ok_or_else(invalid)?;
        // SQLite takes the name as text; a lossy name would write somewhere else.
        let name = copy.to_str().ok_or_else(invalid)?;
        temp::sweep(target.parent().unwrap_or(Path::new("")));
        // Made here, empty and private: SQLite would create it with the umask's mode,
        // readable by others for a moment. VACUUM INTO accepts an empty file.
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&copy)
            .map_err(io_error(target))?;
        // `VACUUM INTO` reads inside one transaction: in WAL mode other processes go on
        // writing meanwhile, and the copy holds exactly what was committed when it began.
        let written = self
            .conn
            .execute("VACUUM INTO ?1", [name])
            .map_err(StoreError::from)
            .and_then(|_| file.sync_all().map_err(io_error(target)));
        match written {
            Ok(()) => Ok(copy),
            Err(e) => {
                remove_copy(&copy);
                Err(e)
            }
        }
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

/// The backup a migration from `version` at `now` writes beside the database at `database`,
/// e.g. `kartlegg.db.v1-20260309T101500.bak`.
pub fn migration_backup_path(database: &Path, version: u32, now: DateTime<Utc>) -> PathBuf {
    let name = format!(
        "{}.v{version}-{}.bak",
        database.file_name().unwrap_or_default().to_string_lossy(),
        now.format("%Y%m%dT%H%M%S")
    );
    database.with_file_name(name)
}

fn io_error(path: &Path) -> impl Fn(io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io {
        path: path.clone(),
        source,
    }
}

/// Removes a copy that will not become a backup, with the files SQLite keeps beside it.
pub(super) fn remove_copy(copy: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut file = copy.as_os_str().to_owned();
        file.push(suffix);
        let _ = fs::remove_file(file);
    }
}

/// Gives `copy` the name `target` unless something has that name by now, atomically where the
/// file system can (Linux's `renameat2` with `RENAME_NOREPLACE`).
fn rename_without_replacing(copy: &Path, target: &Path) -> Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    let taken = || io_error(target)(io::ErrorKind::AlreadyExists.into());
    match renameat_with(CWD, copy, CWD, target, RenameFlags::NOREPLACE) {
        Ok(()) => {}
        Err(rustix::io::Errno::EXIST) => return Err(taken()),
        // A file system without the flag: look, then rename.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {
            if fs::symlink_metadata(target).is_ok() {
                return Err(taken());
            }
            fs::rename(copy, target).map_err(io_error(target))?;
        }
        Err(e) => return Err(io_error(target)(e.into())),
    }
    sync_folder(target);
    Ok(())
}

/// Makes a new name in the folder of `path` durable: a rename is written with the folder.
pub(super) fn sync_folder(path: &Path) {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if let Ok(folder) = File::open(folder) {
        let _ = folder.sync_all();
    }
}

impl FileStore {
    pub(super) fn write_checked_copy(&self, target: &Path) -> Result<Verdict> {
        if fs::symlink_metadata(target).is_ok() {
            return Err(io_error(target)(io::ErrorKind::AlreadyExists.into()));
        }
        let copy = self.write_copy(target)?;
        crate::pause::here("backup-written");
        // Only the copy just written: were it gone, a new empty one must not pass the check.
        let checked = FileStore::open_existing(&copy)
            .and_then(|copy| Ok((copy.integrity_problems()?, copy.counts()?.answers)));
        let verdict = match checked {
            Ok((problems, answers)) if problems.is_empty() => Ok(answers),
            Ok((problems, _)) => Err(CopyFault::Problems(problems.join("; "))),
            Err(e) => Err(CopyFault::Refused(e)),
        };
        if verdict.is_ok() {
            crate::pause::here("backup-checked");
            rename_without_replacing(&copy, target).inspect_err(|_| remove_copy(&copy))?;
        } else {
            // A copy that does not pass is no backup; it goes, so that nobody trusts it.
            remove_copy(&copy);
        }
        Ok(verdict)
    }
}
