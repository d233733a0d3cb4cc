//! Where the database lies. On a network file system or in a folder that a file-sync
//! client copies between machines, SQLite's locking cannot be trusted: two machines may
//! write at once, WAL's shared memory does not reach across machines, and a sync client
//! may copy the file halfway through a write. kartlegg warns before it uses such a file.
//!
//! The file system's kind comes from `statfs` (Linux); the sync clients are recognised by
//! the folder names they create and by the marker files they leave in the folders they
//! synchronise. A warning may come without reason (a FUSE file system can be local), but
//! it never stops anyone: the database is still opened.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Risk {
    /// A network (or user-space) file system, by its kind, e.g. "NFS".
    Network(&'static str),
    /// A folder a file-sync client copies to other machines, by the client's name.
    Synced(&'static str),
}

/// Whether the database at `path` (which need not exist yet) lies where SQLite's locking
/// cannot be trusted.
pub fn risk(path: &Path) -> Option<Risk> {
    let path = resolved(path);
    if let Some(client) = sync_client(&path) {
        return Some(Risk::Synced(client));
    }
    for folder in path.ancestors().skip(1) {
        if let Some(client) = SYNC_MARKERS
            .iter()
            .find(|(marker, _)| folder.join(marker).exists())
            .map(|(_, client)| *client)
        {
            return Some(Risk::Synced(client));
        }
    }
    file_system_kind(&path).map(Risk::Network)
}

/// Files a sync client leaves in the root of every folder it synchronises.
const SYNC_MARKERS: &[(&str, &str)] = &[(".stfolder", "Syncthing"), (".dropbox", "Dropbox")];

/// The path with its existing part resolved (links followed), so that a link into a
/// synchronised folder is seen for what it is.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, name| p.join(name));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// The sync client whose folder `path` lies in, by the folder names the clients make
/// (on Linux, macOS and Windows alike).
pub fn sync_client(path: &Path) -> Option<&'static str> {
    path.components().find_map(|component| {
        let name = component.as_os_str().to_string_lossy().to_lowercase();
        let name = name.as_str();
        let client = if name == "dropbox" || name.starts_with("dropbox (") {
            "Dropbox"
        } else if name.starts_with("onedrive") {
            // "OneDrive", "OneDrive - Kommune", macOS's "OneDrive-Personal".
            "OneDrive"
        } else if name == "google drive" || name.starts_with("googledrive") || name == "my drive" {
            "Google Drive"
        } else if name == "icloud drive" || name == "mobile documents" || name.contains("clouddocs")
        {
            "iCloud"
        } else if name.starts_with("nextcloud") {
            "Nextcloud"
        } else if name.starts_with("owncloud") {
            "ownCloud"
        } else if name == "syncthing" {
            "Syncthing"
        } else {
            return None;
        };
        Some(client)
    })
}

/// The kind of a file system whose locking SQLite cannot trust, from its Linux magic
/// number (`statfs`'s `f_type`, see statfs(2)). FUSE carries many sync clients and
/// network mounts (sshfs, rclone, Google Drive); it can also be a local disk.
pub fn network_kind(f_type: u32) -> Option<&'static str> {
    Some(match f_type {
        0x0000_6969 => "NFS",
        0x0000_517B => "SMB",
        0xFF53_4D42 => "CIFS",
        0xFE53_4D42 => "SMB2",
        0x6573_5546 => "FUSE",
        0x5346_414F => "AFS",
        0x0102_1997 => "9P",
        0x00C3_6400 => "Ceph",
        0x7375_7245 => "Coda",
        0x0BD0_0BD0 => "Lustre",
        _ => return None,
    })
}

#[cfg(target_os = "linux")]
fn file_system_kind(path: &Path) -> Option<&'static str> {
    let existing = path.ancestors().find(|p| p.exists())?;
    let stat = rustix::fs::statfs(existing).ok()?;
    // The magic numbers are 32 bits; on some platforms the field is signed.
    network_kind(stat.f_type as u32)
}

#[cfg(not(target_os = "linux"))]
fn file_system_kind(_path: &Path) -> Option<&'static str> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_folders_are_recognised_by_name() {
        for (path, client) in [
            ("/home/kari/Dropbox/kartlegg/k.db", "Dropbox"),
            ("/home/kari/Dropbox (Bufetat)/k.db", "Dropbox"),
            (
                "/Users/kari/Library/CloudStorage/OneDrive-Personal/k.db",
                "OneDrive",
            ),
            ("C:/Users/kari/OneDrive - Kommune/k.db", "OneDrive"),
            ("/Users/kari/Google Drive/k.db", "Google Drive"),
            (
                "/Users/kari/Library/CloudStorage/GoogleDrive-kari@example.no/My Drive/k.db",
                "Google Drive",
            ),
            (
                "/Users/kari/Library/Mobile Documents/com~apple~CloudDocs/k.db",
                "iCloud",
            ),
            ("/home/kari/Nextcloud/k.db", "Nextcloud"),
            ("/home/kari/ownCloud/k.db", "ownCloud"),
            ("/home/kari/Syncthing/k.db", "Syncthing"),
        ] {
            assert_eq!(sync_client(Path::new(path)), Some(client), "{path}");
        }
    }

    #[test]
    fn ordinary_folders_are_not_sync_folders() {
        for path in [
            "/home/kari/.local/share/kartlegg/kartlegg.db",
            "/home/kari/Documents/dropboxes.db",
            "/srv/drive/k.db",
            "/home/kari/cloud/k.db",
        ] {
            assert_eq!(sync_client(Path::new(path)), None, "{path}");
        }
    }

    #[test]
    fn network_file_systems_by_magic_number() {
        for (magic, kind) in [
            (0x6969, "NFS"),
            (0x517B, "SMB"),
            (0xFF53_4D42, "CIFS"),
            (0xFE53_4D42, "SMB2"),
            (0x6573_5546, "FUSE"),
        ] {
            assert_eq!(network_kind(magic), Some(kind), "{magic:#x}");
        }
        // ext4, btrfs, xfs, tmpfs, overlayfs: local.
        for magic in [0xEF53, 0x9123_683E, 0x5846_5342, 0x0102_1994, 0x794C_7630] {
            assert_eq!(network_kind(magic), None, "{magic:#x}");
        }
        // A signed 32-bit field holds CIFS's number as a negative one.
        assert_eq!(network_kind(0xFF53_4D42_u32 as i32 as u32), Some("CIFS"));
    }

    #[test]
    fn a_marker_file_marks_a_synchronised_folder() {
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("delt");
        std::fs::create_dir_all(shared.join("kartlegg")).unwrap();
        std::fs::write(shared.join(".stfolder"), "").unwrap();
        assert_eq!(
            risk(&shared.join("kartlegg").join("k.db")),
            Some(Risk::Synced("Syncthing"))
        );
        // Not the folder beside it, and not a file that does not exist yet elsewhere.
        let other = dir.path().join("eget").join("k.db");
        assert!(!matches!(risk(&other), Some(Risk::Synced(_))), "{other:?}");
    }

    #[test]
    fn a_link_into_a_synchronised_folder_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let synced = dir.path().join("Nextcloud").join("kartlegg");
        std::fs::create_dir_all(&synced).unwrap();
        let link = dir.path().join("snarvei");
        std::os::unix::fs::symlink(&synced, &link).unwrap();
        assert_eq!(risk(&link.join("k.db")), Some(Risk::Synced("Nextcloud")));
    }
}
