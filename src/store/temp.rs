//! kartlegg's own temporary files. A file is written whole under a hidden name beside its
//! target, `.<target's name>.<process id>.tmp`, and takes the target's name only when it is
//! complete: nothing with the target's name is ever half-written. A process killed part-way
//! leaves its temporary file behind (with SQLite's `-journal`, `-wal` or `-shm` beside it, for
//! a copy of a database); `sweep` removes those, on the next run that writes in that folder.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SUFFIX: &str = ".tmp";
/// SQLite's companions of a database file, which a copy being written or checked has too.
const COMPANIONS: [&str; 3] = ["-journal", "-wal", "-shm"];

/// The temporary name for `target`, in its folder; `None` for a path without a file name.
pub fn beside(target: &Path) -> Option<PathBuf> {
    let name = target.file_name()?.to_string_lossy();
    Some(target.with_file_name(format!(".{name}.{}{SUFFIX}", std::process::id())))
}

/// The process id in a name that `beside` made (or a companion of one), if it is one.
fn maker(name: &str) -> Option<u32> {
    let name = COMPANIONS
        .iter()
        .find_map(|companion| name.strip_suffix(companion))
        .unwrap_or(name);
    let stem = name.strip_prefix('.')?.strip_suffix(SUFFIX)?;
    let (target, pid) = stem.rsplit_once('.')?;
    if target.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Removes, in `folder`, kartlegg's temporary files that no running process is writing any
/// more: named as `beside` names them, regular files owned by this user, and made by a process
/// that has ended. A process has ended when no process has its id, or when the one that has it
/// started after the file was last written (it got the id later); this process's own id counts
/// as ended too, since it is called before this process makes its temporary file. Anything in
/// doubt is kept, and a file that cannot be removed is left: it costs only its space.
pub fn sweep(folder: &Path) {
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    let me = rustix::process::getuid().as_raw();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(maker) else {
            continue;
        };
        // Not followed: a link with the pattern's name is not kartlegg's file.
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if !meta.is_file() || meta.uid() != me {
            continue;
        }
        let written = meta.modified().unwrap_or_else(|_| SystemTime::now());
        if pid == std::process::id() || has_ended(pid, written) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether the process that wrote a file last at `written`, with id `pid`, is gone.
fn has_ended(pid: u32, written: SystemTime) -> bool {
    let Some(id) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return true;
    };
    match rustix::process::test_kill_process(id) {
        Err(rustix::io::Errno::SRCH) => true,
        // Alive (perhaps another user's): the id may have been given again since.
        _ => started(pid).is_some_and(|start| written < start),
    }
}

/// When the process with this id started, from Linux's `/proc`; `None` where that cannot be
/// read. Rounded down to the second, so that a file is never taken for older than it is.
fn started(pid: u32) -> Option<SystemTime> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The name in parentheses may hold spaces; the fields after it are plain. The start time
    // is field 22, the 20th after the name, in clock ticks since the machine started.
    let ticks: u64 = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()?;
    let boot: u64 = fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    // Linux counts these ticks at USER_HZ, 100 a second, on every architecture it gives
    // programs a fixed value on.
    Some(UNIX_EPOCH + Duration::from_secs(boot + ticks / 100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_it_makes_are_the_names_it_recognises() {
        let temp = beside(Path::new("/data/k.db.20260309T101500Z.bak")).unwrap();
        let name = temp.file_name().unwrap().to_str().unwrap();
        assert_eq!(maker(name), Some(std::process::id()));
        for companion in COMPANIONS {
            assert_eq!(
                maker(&format!("{name}{companion}")),
                Some(std::process::id())
            );
        }
        for other in [
            "k.db",
            ".k.db.tmp",
            "..123.tmp",
            ".k.db.12a.tmp",
            ".k.db.123.tmp~",
            "k.db.123.tmp",
            ".k.db.123.tmp-other",
        ] {
            assert_eq!(maker(other), None, "{other}");
        }
    }

    #[test]
    fn this_process_started_before_now_and_after_the_epoch() {
        let start = started(std::process::id()).expect("Linux's /proc");
        assert!(start <= SystemTime::now());
        assert!(!has_ended(std::process::id(), SystemTime::now()));
        assert!(has_ended(std::process::id(), UNIX_EPOCH));
    }
}
