//! A comment that could not be saved when the full-screen program was stopped from outside
//! (another kartlegg held the database past the wait): kept in a file beside the database,
//! `<database>.unsaved-<UTC moment>-<process id>.json`, readable by its owner alone, which
//! the next start offers to restore.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
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

impl FileStore {
    /// Keeps a comment that could not be saved in a new recovery file beside the database,
    /// written whole under a temporary name first; returns the file.
    pub fn keep_unsaved(
        &self,
        respondent_id: &str,
        item_key: &str,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<PathBuf> {
        // An erased respondent's words go with them: nothing is kept for later.
        if self.is_erased(respondent_id) {
            return Err(StoreError::NotFound("respondent"));
        }
        let unsaved = Unsaved {
            respondent_id: respondent_id.to_string(),
            item_key: item_key.to_string(),
            comment: comment.to_string(),
            kept_at: timestamp(now),
        };
        let name = format!(
            "{}{MARK}{}-{}{EXTENSION}",
            self.path.file_name().unwrap_or_default().to_string_lossy(),
            now.format("%Y%m%dT%H%M%S%.3fZ"),
            std::process::id()
        );
        let target = self.path.with_file_name(name);
        let io_error = |source| StoreError::Io {
            path: target.clone(),
            source,
        };
        let temp =
            temp::beside(&target).ok_or_else(|| io_error(io::ErrorKind::InvalidFilename.into()))?;
        temp::sweep(target.parent().unwrap_or(Path::new("")));
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

    /// The recovery files beside the database, oldest first: files of this user's whose name
    /// and content are what `keep_unsaved` writes. Others are left alone, unread. Those of an
    /// erased respondent are never among them (`forget_erased_unsaved`).
    pub fn unsaved(&self) -> Vec<Recovery> {
        // A reader could only be asked about what they cannot save.
        if self.reading_only {
            return Vec::new();
        }
        self.without_erased(self.recovery_files())
    }

    /// Removes the recovery files of erased respondents: an erasure takes their comments
    /// kept for later too, and no one is asked about them.
    pub(super) fn forget_erased_unsaved(&self) {
        self.without_erased(self.recovery_files());
    }

    /// `found` without the files of erased respondents, which are removed on the way.
    fn without_erased(&self, found: Vec<Recovery>) -> Vec<Recovery> {
        found
            .into_iter()
            .filter(|recovery| {
                let erased = self.is_erased(&recovery.unsaved.respondent_id);
                if erased {
                    let _ = self.discard_unsaved(recovery);
                }
                !erased
            })
            .collect()
    }

    /// Whether `id` has a tombstone. When that cannot be read, it counts as not erased: the
    /// question about a kept comment then still comes, as before.
    fn is_erased(&self, id: &str) -> bool {
        self.conn
            .prepare_cached("SELECT 1 FROM erased WHERE id = ?1")
            .and_then(|mut stmt| stmt.exists([id]))
            .unwrap_or(false)
    }

    fn recovery_files(&self) -> Vec<Recovery> {
        let prefix = format!(
            "{}{MARK}",
            self.path.file_name().unwrap_or_default().to_string_lossy()
        );
        let folder = match self.path.parent() {
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

    /// Saves a kept comment as the comment of its respondent's item, then removes its file.
    pub fn restore_unsaved(&mut self, recovery: &Recovery, now: DateTime<Utc>) -> Result<Answer> {
        let unsaved = &recovery.unsaved;
        if self.respondent(&unsaved.respondent_id)?.is_none() {
            return Err(StoreError::NotFound("respondent"));
        }
        let answer = self.save_comment(
            &unsaved.respondent_id,
            &unsaved.item_key,
            &unsaved.comment,
            now,
        )?;
        self.discard_unsaved(recovery)?;
        Ok(answer)
    }

    /// Removes a recovery file: its comment is given up.
    pub fn discard_unsaved(&self, recovery: &Recovery) -> Result<()> {
        match fs::remove_file(&recovery.path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(StoreError::Io {
                path: recovery.path.clone(),
                source: e,
            }),
            _ => Ok(()),
        }
    }
}
