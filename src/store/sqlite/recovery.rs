//! A comment that could not be saved when the full-screen program was stopped from outside
//! (another kartlegg held the database past the wait): kept in a file beside the database,
//! `<database>.unsaved-<UTC moment>-<process id>.json`, readable by its owner alone, which
//! the next start offers to restore.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use serde::{Deserialize, Serialize};

use super::{FileStore, Result, StoreError, timestamp};
use crate::domain::model::Answer;
use crate::store::Answers;
use crate::store::temp;

/// What a recovery file's name holds after the database's name, and how it ends.
const MARK: &str = ".unsaved-";
const EXTENSION: &str = ".json";
/// Larger is not a file kartlegg wrote (a comment is typed, or pasted, by a person).
const MAX_BYTES: u64 = 16 << 20;

/// The comment, and where it belongs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unsaved {
    pub respondent_id: String,
    pub item_key: String,
    pub comment: String,
    /// When it was kept (the store's form of a time, UTC).
    pub kept_at: String,
}

/// A recovery file found beside the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub path: PathBuf,
    pub unsaved: Unsaved,
}

/// Keeps a comment that could not be saved in a new recovery file beside `anchor` (a
/// database file, or the place a server's database stands for on this machine), written
/// whole under a temporary name first; returns the file. An erased respondent's words go
/// with them: nothing is kept for later.
pub(crate) fn keep(
    anchor: &Path,
    is_erased: &dyn Fn(&str) -> bool,
    unsaved: Unsaved,
    now: DateTime<Utc>,
) -> Result<PathBuf> {
    if is_erased(&unsaved.respondent_id) {
        return Err(StoreError::NotFound("respondent"));
    }
    let name = format!(
        "{}{MARK}{}-{}{EXTENSION}",
        anchor.file_name().unwrap_or_default().to_string_lossy(),
        now.format("%Y%m%dT%H%M%S%.3fZ"),
        std::process::id()
    );
    let target = anchor.with_file_name(name);
    let io_error = |source| StoreError::Io {
        path: target.clone(),
        source,
    };
    let temp =
        temp::beside(&target).ok_or_else(|| io_error(io::ErrorKind::InvalidFilename.into()))?;
    let folder = target.parent().unwrap_or(Path::new(""));
    // A server's folder on this machine is made at the first comment kept, its owner's alone
    // (a database file's is there already).
    if !folder.as_os_str().is_empty() && !folder.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)
            .map_err(io_error)?;
    }
    temp::sweep(folder);
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        serde_json::to_writer_pretty(&mut file, &unsaved)?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        fs::rename(&temp, &target)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(io_error(e));
    }
    super::backup::sync_folder(&target);
    Ok(target)
}

/// The recovery files beside `anchor`, oldest first: files of this user's whose name and
/// content are what `keep` writes. Others are left alone, unread. Those of an erased
/// respondent are removed on the way, never among them.
pub(crate) fn kept(anchor: &Path, is_erased: &dyn Fn(&str) -> bool) -> Vec<Recovery> {
    recovery_files(anchor)
        .into_iter()
        .filter(|recovery| {
            let erased = is_erased(&recovery.unsaved.respondent_id);
            if erased {
                let _ = discard(recovery);
            }
            !erased
        })
        .collect()
}

fn recovery_files(anchor: &Path) -> Vec<Recovery> {
    let prefix = format!(
        "{}{MARK}",
        anchor.file_name().unwrap_or_default().to_string_lossy()
    );
    let folder = match anchor.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(folder) else {
        return Vec::new();
    };
    let me = rustix::process::getuid().as_raw();
    let mut found: Vec<Recovery> = entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with(&prefix) && name.ends_with(EXTENSION)
        })
        .filter(|entry| {
            entry
                .metadata()
                .is_ok_and(|meta| meta.is_file() && meta.uid() == me && meta.len() <= MAX_BYTES)
        })
        .filter_map(|entry| {
            let text = fs::read(entry.path()).ok()?;
            let unsaved = serde_json::from_slice(&text).ok()?;
            Some(Recovery {
                path: entry.path(),
                unsaved,
            })
        })
        .collect();
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// Removes a recovery file: its comment is given up.
pub(crate) fn discard(recovery: &Recovery) -> Result<()> {
    match fs::remove_file(&recovery.path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(StoreError::Io {
            path: recovery.path.clone(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Saves a kept comment as the comment of its respondent's item, then removes its file.
pub(crate) fn restore(
    store: &mut impl Answers,
    recovery: &Recovery,
    now: DateTime<Utc>,
) -> Result<Answer> {
    let unsaved = &recovery.unsaved;
    if store.respondent(&unsaved.respondent_id)?.is_none() {
        return Err(StoreError::NotFound("respondent"));
    }
    let answer = store.save_comment(
        &unsaved.respondent_id,
        &unsaved.item_key,
        &unsaved.comment,
        now,
    )?;
    discard(recovery)?;
    Ok(answer)
}

impl Unsaved {
    pub(crate) fn new(
        respondent_id: &str,
        item_key: &str,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Unsaved {
        Unsaved {
            respondent_id: respondent_id.to_string(),
            item_key: item_key.to_string(),
            comment: comment.to_string(),
            kept_at: timestamp(now),
        }
    }
}

impl FileStore {
    /// Keeps a comment that could not be saved in a new recovery file beside the database
    /// (`keep`); returns the file.
    pub fn keep_unsaved(
        &self,
        respondent_id: &str,
        item_key: &str,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<PathBuf> {
        let unsaved = Unsaved::new(respondent_id, item_key, comment, now);
        keep(&self.path, &|id| self.is_erased(id), unsaved, now)
    }

    /// The recovery files beside the database, oldest first (`kept`).
    pub fn unsaved(&self) -> Vec<Recovery> {
        // A reader could only be asked about what they cannot save.
        if self.reading_only {
            return Vec::new();
        }
        kept(&self.path, &|id| self.is_erased(id))
    }

    /// Removes the recovery files of erased respondents: an erasure takes their comments
    /// kept for later too, and no one is asked about them.
    pub(super) fn forget_erased_unsaved(&self) {
        kept(&self.path, &|id| self.is_erased(id));
    }

    /// Whether `id` has a tombstone. When that cannot be read, it counts as not erased: the
    /// question about a kept comment then still comes, as before.
    fn is_erased(&self, id: &str) -> bool {
        self.conn
            .prepare_cached("SELECT 1 FROM erased WHERE id = ?1")
            .and_then(|mut stmt| stmt.exists([id]))
            .unwrap_or(false)
    }

    /// Saves a kept comment as the comment of its respondent's item, then removes its file.
    pub fn restore_unsaved(&mut self, recovery: &Recovery, now: DateTime<Utc>) -> Result<Answer> {
        restore(self, recovery, now)
    }

    /// Removes a recovery file: its comment is given up.
    pub fn discard_unsaved(&self, recovery: &Recovery) -> Result<()> {
        discard(recovery)
    }
}
