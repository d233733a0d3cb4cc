//! A database shared on purpose, and one opened for reading only.
//!
//! A team on one server shares a database through a Unix group: the database lies in a
//! folder of the group's with the setgid bit, so that every file made in it (the log and its
//! index, which SQLite makes and removes) takes the group, and nothing there is open to
//! others. Such a folder is the one place where kartlegg takes files another user owns and
//! its group may write (`Shared`); everywhere else they are refused, as before.
//!
//! A database this user may only read is opened read-only and nothing is written to it or
//! beside it. SQLite reads a database in WAL mode through its `-shm` even where it may not
//! write it (it then reads the log itself), also while a writer has it open; what it cannot
//! do is make the `-wal` and `-shm` when they are not there. A reader therefore never makes
//! them (in a folder it may write, one it made would lock the owner out), and a shared
//! database keeps them when its last connection closes (`keeps_log`).

use std::fs::{self, Metadata};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::{Connection, OpenFlags};

use super::private::with_suffix;
use super::{FileStore, SCHEMA_VERSION, SQLITE_MAGIC, health};
use crate::store::{GroupAccess, Result, SharedFile, Sharing, StoreError, UnixGroup};

/// A database (and its log) shared with the group: its members read and write it.
pub(super) const FILE_MODE: u32 = 0o660;

/// A folder shared on purpose: it has the setgid bit, gives others nothing, and this user is
/// one of its group.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shared {
    gid: u32,
}

impl Shared {
    /// The folder `file` lies in, where it is shared on purpose.
    pub(super) fn of_file(file: &Path) -> Option<Shared> {
        Shared::of_folder(&folder_of(file))
    }

    fn of_folder(folder: &Path) -> Option<Shared> {
        let folder = fs::metadata(folder).ok()?;
        let mode = folder.mode();
        (mode & 0o2000 != 0 && mode & 0o007 == 0 && in_group(folder.gid()))
            .then_some(Shared { gid: folder.gid() })
    }

    /// Whether `file` is the team's: of the folder's group, which may read it, while others
    /// may not even read it.
    pub(super) fn holds(&self, file: &Metadata) -> bool {
        file.gid() == self.gid && file.mode() & 0o007 == 0 && file.mode() & 0o040 != 0
    }
}

/// The folder a file lies in (`.` for a bare name).
fn folder_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether this process acts as a member of group `gid`.
fn in_group(gid: u32) -> bool {
    rustix::process::getegid().as_raw() == gid
        || rustix::process::getgroups()
            .is_ok_and(|groups| groups.iter().any(|group| group.as_raw() == gid))
}

/// The mode of a log file made beside `database`: the group's, as the database's, where it is
/// shared; the user's alone otherwise.
pub(super) fn companion_mode(database: &Path) -> u32 {
    match (Shared::of_file(database), fs::metadata(database)) {
        (Some(shared), Ok(file)) if shared.holds(&file) => file.mode() & 0o660,
        _ => 0o600,
    }
}

/// The mode of a new database at `path`: the group's in a folder shared on purpose.
pub(super) fn new_database_mode(path: &Path) -> u32 {
    if Shared::of_file(path).is_some() {
        FILE_MODE
    } else {
        0o600
    }
}

/// Whether the database at `path` is shared on purpose.
pub(super) fn is_shared(path: &Path) -> bool {
    let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    match (Shared::of_file(&real), fs::metadata(&real)) {
        (Some(shared), Ok(file)) => shared.holds(&file),
        _ => false,
    }
}

impl FileStore {
    /// Opens the database at `path` for reading only, as a user who may read it but not write
    /// it or its folder: nothing is written to it or beside it, and every write is refused
    /// (`StoreError::ReadingOnly`). One whose log is not there, or of an older schema, cannot
    /// be read so and is refused.
    pub(super) fn open_for_reading(path: &Path, waiting: &dyn Fn()) -> Result<FileStore> {
        let io = |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut header = Vec::with_capacity(20);
        fs::File::open(path)
            .and_then(|file| file.take(20).read_to_end(&mut header))
            .map_err(io)?;
        if header.is_empty() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        if !header.starts_with(SQLITE_MAGIC) {
            return Err(StoreError::NotADatabase {
                path: path.to_path_buf(),
            });
        }
        // In WAL mode SQLite would make the log and its index where they are missing, or fail
        // where it may not.
        let real = fs::canonicalize(path).map_err(io)?;
        let in_wal_mode = header.get(18..20) == Some(&[2, 2]);
        if in_wal_mode
            && !["-wal", "-shm"]
                .iter()
                .all(|s| with_suffix(&real, s).exists())
        {
            return Err(StoreError::LogMissing {
                path: path.to_path_buf(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| super::classify(e, path))?;
        let mut store = FileStore::around(conn, path, true)?;
        store.wait_until_ready(waiting, FileStore::get_ready_for_reading)?;
        Ok(store)
    }

    fn get_ready_for_reading(&mut self) -> Result<()> {
        self.check_ownership()?;
        let found = self.user_version()?;
        if found < SCHEMA_VERSION {
            return Err(StoreError::NeedsUpgrade {
                path: self.path.clone(),
                found,
            });
        }
        if fs::metadata(&self.path).map_or(0, |m| m.len()) <= health::CHECK_AT_OPENING_MAX_BYTES {
            let verdict = health::quick_check(&self.conn, &self.path);
            self.settle_health(&verdict);
            verdict?;
        }
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        Ok(())
    }

    /// Tries `ready` until another process no longer keeps the database busy, saying so once
    /// (`waiting`), as long as the store's patience allows.
    pub(super) fn wait_until_ready(
        &mut self,
        waiting: &dyn Fn(),
        ready: fn(&mut FileStore) -> Result<()>,
    ) -> Result<()> {
        // Short tries, so that a wait is said at once; the patience is the same.
        self.conn.busy_timeout(super::OPENING_TRY)?;
        let started = Instant::now();
        let mut said = false;
        loop {
            match ready(self) {
                Err(e) if e.is_busy() => {
                    if !said {
                        waiting();
                        said = true;
                    }
                    if !super::pause_while_busy(started, self.busy.patience) {
                        return Err(StoreError::Busy {
                            path: self.path.clone(),
                        });
                    }
                }
                ready => break ready?,
            }
        }
        self.conn.busy_timeout(self.busy.per_try)?;
        Ok(())
    }

    /// A database shared on purpose keeps its log and the log's index as its last connection
    /// closes: a member who may only read cannot make them again.
    pub(super) fn keep_log_if_shared(&self) {
        if is_shared(&self.path) {
            let _ = self.conn.set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
                true,
            );
        }
    }

    /// The files to give the group: the database and its log and index, where SQLite keeps
    /// them (beside the file a link leads to).
    fn shared_files(&self) -> Result<Vec<PathBuf>> {
        let real = fs::canonicalize(&self.path).map_err(|source| StoreError::Io {
            path: self.path.clone(),
            source,
        })?;
        let mut files = vec![real.clone()];
        files.extend(
            ["-wal", "-shm"]
                .iter()
                .map(|suffix| with_suffix(&real, suffix))
                .filter(|file| file.exists()),
        );
        Ok(files)
    }
}

/// Whether `folder` holds nothing but the database `name` and the files kartlegg keeps
/// beside it (its log, backups, exports' and recovery files): a folder kartlegg made for it.
fn only_the_database(folder: &Path, name: &str) -> bool {
    let hidden = format!(".{name}.");
    fs::read_dir(folder).is_ok_and(|entries| {
        entries.flatten().all(|entry| {
            let entry = entry.file_name();
            let entry = entry.to_string_lossy();
            entry.starts_with(name) || entry.starts_with(&hidden)
        })
    })
}

fn change(path: &Path, gid: u32, mode: u32) -> Result<()> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    std::os::unix::fs::chown(path, None, Some(gid)).map_err(io)?;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(io)
}

impl Sharing for FileStore {
    fn reading_only(&self) -> bool {
        self.reading_only
    }

    fn share_with(&mut self, group: &UnixGroup, access: GroupAccess) -> Result<Vec<SharedFile>> {
        self.before_write()?;
        let me = rustix::process::geteuid().as_raw();
        // Root too: the opening checks keep a group's files only for a member, so root
        // outside the group would set up what its own next open undoes.
        if !in_group(group.gid) {
            return Err(StoreError::NotInGroup {
                group: group.name.clone(),
            });
        }
        let files = self.shared_files()?;
        let folder = folder_of(&files[0]);
        let (file_mode, folder_mode) = match access {
            GroupAccess::ReadWrite => (FILE_MODE, 0o2770),
            GroupAccess::Read => (0o640, 0o2750),
        };
        let folder_meta = fs::metadata(&folder).map_err(|source| StoreError::Io {
            path: folder.clone(),
            source,
        })?;
        let mode = folder_meta.mode() & 0o7777;
        let already = folder_meta.gid() == group.gid && mode == folder_mode;
        let name = files[0].file_name().unwrap_or_default().to_string_lossy();
        // Decided before anything changes: either the whole setup, or nothing.
        let ours = folder_meta.uid() == me && only_the_database(&folder, &name);
        if !already && !ours {
            return Err(StoreError::FolderNotShared {
                folder,
                group: group.name.clone(),
                mode: folder_mode,
            });
        }
        let mut changed = Vec::new();
        if !already {
            change(&folder, group.gid, folder_mode)?;
            changed.push(SharedFile {
                path: folder,
                mode: folder_mode,
            });
        }
        for file in files {
            change(&file, group.gid, file_mode)?;
            changed.push(SharedFile {
                path: file,
                mode: file_mode,
            });
        }
        self.keep_log_if_shared();
        Ok(changed)
    }
}

impl Drop for FileStore {
    /// A shared database keeps its log as it closes (`keep_log_if_shared`), but not the
    /// answers in it: they are copied into the database first, as closing would have, where
    /// it is known whole (a damaged one's log stays as it was found, see `health`).
    fn drop(&mut self) {
        let whole = matches!(*self.health.borrow(), health::Health::Whole);
        if whole && !self.reading_only && is_shared(&self.path) {
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        }
    }
}
