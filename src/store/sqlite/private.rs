//! Files kartlegg adopts as its database: the database, its `-wal`, `-shm` and `-journal`
//! must be this user's own and writable by no one else, or another user on the machine (in
//! `/tmp`, in a group folder) who made them first reads every answer written into them.
//!
//! They are checked by path before SQLite opens anything, and again, by the files SQLite
//! actually holds open, once the connection is ready and before anything is written: a file
//! another user plants between the two, or plants and then unlinks while keeping it open,
//! is refused then. In a folder with the sticky bit (as `/tmp`) no one else can rename or
//! remove a file of ours, so one that passes stays ours.

use std::fs::{self, Metadata, OpenOptions};
use std::io::{ErrorKind, Read};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::shared::{self, Shared};
use super::{FileStore, IfMissing, Result, StoreError};
use crate::store::NotPrivate;

/// The files SQLite keeps beside a database.
const COMPANIONS: [&str; 3] = ["-wal", "-shm", "-journal"];

fn me() -> u32 {
    rustix::process::geteuid().as_raw()
}

fn refuse(path: &Path, why: NotPrivate) -> StoreError {
    StoreError::NotPrivate {
        path: path.to_path_buf(),
        why,
    }
}

/// `path` with `suffix` after its name, as SQLite names its companions.
pub(super) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The database and its companions (with whether it is the database), beside the path as
/// given and, where a link leads elsewhere, beside the file it leads to (where SQLite puts
/// them).
fn files_of(path: &Path) -> Vec<(PathBuf, bool)> {
    let mut databases = vec![path.to_path_buf()];
    if let Ok(real) = fs::canonicalize(path)
        && real != path
    {
        databases.push(real);
    }
    databases
        .iter()
        .flat_map(|db| {
            let companions = COMPANIONS.map(|suffix| (with_suffix(db, suffix), false));
            std::iter::once((db.clone(), true)).chain(companions)
        })
        .collect()
}

/// Refuses a file another user owns or may write to; `link` is its own entry (`lstat`),
/// `file` what it leads to. In a folder shared on purpose (`shared::Shared`), a file of its
/// group that others cannot reach is the team's: any member may own it and the group write it.
fn judge(path: &Path, link: &Metadata, file: &Metadata) -> Result<()> {
    let me = me();
    if link.file_type().is_symlink() && link.uid() != me {
        return Err(refuse(path, NotPrivate::Link { uid: link.uid() }));
    }
    let mode = file.mode() & 0o7777;
    if Shared::of_file(path).is_some_and(|shared| shared.holds(file)) {
        return Ok(());
    }
    if file.uid() != me {
        return Err(refuse(path, NotPrivate::Owner { uid: file.uid() }));
    }
    if mode & 0o022 != 0 {
        return Err(refuse(path, NotPrivate::Writable { mode }));
    }
    Ok(())
}

/// The database and its companions at `path`, before SQLite opens anything: another user's
/// or writable by others is refused; an empty database file is no database for a command
/// that only reads, and a new database only when it is private. The log and its index of a
/// database in WAL mode are then made here, private, where they are missing: SQLite would
/// take a file of those names that another user made in the meantime, and, run by root,
/// even make it look like the database owner's.
pub(super) fn check_before_open(path: &Path, if_missing: IfMissing) -> Result<LogFiles> {
    let mut in_wal_mode = false;
    for (file, is_database) in files_of(path) {
        let Ok(link) = fs::symlink_metadata(&file) else {
            continue;
        };
        // A link that leads nowhere is judged by itself.
        let target = fs::metadata(&file).unwrap_or_else(|_| link.clone());
        judge(&file, &link, &target)?;
        if is_database && target.is_file() {
            in_wal_mode = in_wal_mode || uses_the_log(&file);
        }
        if is_database && target.is_file() && target.len() == 0 {
            if if_missing == IfMissing::Refuse {
                return Err(StoreError::Missing {
                    path: path.to_path_buf(),
                });
            }
            let mode = target.mode() & 0o7777;
            let shared = Shared::of_file(&file).is_some_and(|shared| shared.holds(&target));
            if mode != 0o600 && !(shared && mode == shared::FILE_MODE) {
                return Err(refuse(&file, NotPrivate::Empty { mode }));
            }
        }
    }
    crate::pause::here("opening:files-checked");
    let mut made = LogFiles::default();
    // Only a database in WAL mode reads a log it finds (an empty one's SQLite removes and
    // makes again itself; one with a rollback journal would be read as if in WAL mode).
    // The journal too: SQLite looks for a hot journal to play back before it finds the log,
    // and one another user planted would be written into the database. An empty one of ours
    // is not hot, and goes once the log is open (`in_use`).
    if let (true, Ok(real)) = (in_wal_mode, fs::canonicalize(path)) {
        let mode = shared::companion_mode(&real);
        for suffix in COMPANIONS {
            made.make(with_suffix(&real, suffix), mode)?;
        }
    }
    crate::pause::here("opening:log-made");
    Ok(made)
}

/// The rollback journal an import into an empty database writes with (`import_json`), made
/// here, private, before SQLite makes it: SQLite would take a file of that name that another
/// user planted since the opening, and, run by root, make it look like the database owner's.
/// One already there is judged as at opening. What is left of it, empty, goes with the guard.
pub(super) fn make_journal(path: &Path) -> Result<LogFiles> {
    let mut made = LogFiles::default();
    let Ok(real) = fs::canonicalize(path) else {
        return Ok(made);
    };
    made.make(
        with_suffix(&real, "-journal"),
        shared::companion_mode(&real),
    )?;
    Ok(made)
}

/// Whether the database's header says WAL mode (its read and write versions are 2).
fn uses_the_log(database: &Path) -> bool {
    let mut header = [0u8; 20];
    fs::File::open(database)
        .and_then(|mut file| file.read_exact(&mut header))
        .is_ok_and(|()| header.starts_with(super::SQLITE_MAGIC) && header[18..20] == [2, 2])
}

fn io(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The log files an opening made before SQLite opened the database. SQLite removes them
/// as the last connection closes; those an opening that was refused leaves empty are
/// removed as this is dropped, unless the opening succeeded (`in_use`).
#[derive(Debug, Default)]
pub(super) struct LogFiles {
    files: Vec<PathBuf>,
}

impl LogFiles {
    /// Makes `file` with `mode` (private, or the group's beside a shared database) where no
    /// file has its name; one that has it is judged. A folder that cannot take it
    /// (read-only, full) is refused with the reason by SQLite's own opening or write.
    fn make(&mut self, file: PathBuf, mode: u32) -> Result<()> {
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&file)
        {
            Ok(made) => {
                // The umask may have taken the group's bits.
                made.set_permissions(fs::Permissions::from_mode(mode))
                    .map_err(|e| io(&file, e))?;
                self.files.push(file);
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                if let Ok(link) = fs::symlink_metadata(&file) {
                    judge(&file, &link, &fs::metadata(&file).unwrap_or(link.clone()))?;
                }
            }
            Err(_) => {}
        }
        Ok(())
    }

    pub(super) fn in_use(mut self) {
        // SQLite removes the log and its index as the last connection closes; the journal
        // of a database in WAL mode is never its own, and goes now (when still empty).
        self.files
            .retain(|file| file.as_os_str().to_string_lossy().ends_with("-journal"));
    }
}

impl Drop for LogFiles {
    fn drop(&mut self) {
        for file in &self.files {
            if fs::symlink_metadata(file)
                .is_ok_and(|m| m.is_file() && m.len() == 0 && m.uid() == me())
            {
                let _ = fs::remove_file(file);
            }
        }
    }
}

/// The files of this process whose name (as the kernel gives it, also after an unlink)
/// is one of `names`, each with what it is.
fn held_open(names: &[PathBuf]) -> Vec<(PathBuf, Metadata)> {
    let Ok(entries) = fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let target = fs::read_link(entry.path()).ok()?;
            let target = target.to_str().map_or(target.clone(), |name| {
                PathBuf::from(name.strip_suffix(" (deleted)").unwrap_or(name))
            });
            let file = names.iter().find(|name| **name == target)?;
            // Through the descriptor: the file SQLite holds, whatever is at the name now.
            let metadata = fs::metadata(entry.path()).ok()?;
            Some((file.clone(), metadata))
        })
        .collect()
}

impl FileStore {
    /// Once SQLite has the database and its log open, before anything is written: refuses
    /// a file another user owns or may write to, among those it holds open and those at
    /// the names, and makes the user's own files readable by them alone, returning those
    /// it changed.
    pub(super) fn check_open_files(&self) -> Result<Vec<PathBuf>> {
        // A read opens the write-ahead log and its index, if they are not open yet.
        self.user_version()?;
        crate::pause::here("opening:log-open");
        // The kernel names an open file by its real folder.
        let real_names: Vec<PathBuf> = files_of(&self.path)
            .iter()
            .filter_map(|(name, _)| real_name(name))
            .collect();
        for (file, metadata) in held_open(&real_names) {
            judge(&file, &metadata, &metadata)?;
        }
        let mut made_private = Vec::new();
        // Each is read afresh: a link and the file it leads to are made private once.
        for (file, is_database) in files_of(&self.path) {
            let (Ok(link), Ok(target)) = (fs::symlink_metadata(&file), fs::metadata(&file)) else {
                continue;
            };
            judge(&file, &link, &target)?;
            let mode = target.mode() & 0o7777;
            // A file shared on purpose keeps its group's bits; others get nothing, ever.
            let keep = match Shared::of_file(&file) {
                Some(shared) if shared.holds(&target) => 0o770,
                _ => 0o700,
            };
            if mode & 0o777 & !keep != 0 && target.uid() == me() {
                fs::set_permissions(&file, fs::Permissions::from_mode(mode & keep))
                    .map_err(|e| io(&file, e))?;
                made_private.push((file, is_database));
            }
        }
        // A log made as SQLite opened a database that others could read took its mode; it
        // follows the database and is not worth a name of its own.
        if made_private.iter().any(|(_, is_database)| *is_database) {
            made_private.retain(|(_, is_database)| *is_database);
        }
        Ok(made_private.into_iter().map(|(file, _)| file).collect())
    }
}

/// `name` in its folder's real path, also when no file has the name (any more).
fn real_name(name: &Path) -> Option<PathBuf> {
    let folder = match name.parent()? {
        folder if folder.as_os_str().is_empty() => Path::new("."),
        folder => folder,
    };
    Some(fs::canonicalize(folder).ok()?.join(name.file_name()?))
}
