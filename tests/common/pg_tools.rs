//! What starting a throwaway PostgreSQL takes, for the tests (`tests/common/postgres.rs`)
//! and the benches (`benches/support/pg_server.rs`) alike: finding Debian's programs, and
//! running them as the `postgres` user when root runs them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The newest PostgreSQL's programs: Debian keeps them in /usr/lib/postgresql/N/bin.
pub fn binaries() -> Result<PathBuf, String> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "/usr/lib/postgresql is not there: run `bash .ci/deps`".to_string())?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "no initdb in /usr/lib/postgresql/*/bin: run `bash .ci/deps`".into())
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// PostgreSQL refuses to run as root: root runs it as the `postgres` user the package made.
pub fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

pub fn run(mut command: Command, what: &str) -> Result<(), String> {
    let out = command.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
