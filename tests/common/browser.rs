//! Headless Chromium for the tests that render the HTML reports: found on PATH or at
//! /usr/bin/chromium, run with a fresh profile and a bound on its time.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn chromium() -> PathBuf {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("chromium"))
        .chain([PathBuf::from("/usr/bin/chromium")])
        .find(|path| path.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "this test needs Chromium to render the HTML report, and found none on PATH or at \
             /usr/bin/chromium. Install Debian's package: apt-get install chromium \
             (.ci/run does this in CI)"
        )
    })
}

/// Runs headless Chromium with a fresh profile, its output to `out`, and waits at most a
/// minute.
pub fn run_chromium(args: &[String], out: &Path) {
    let profile = tempfile::tempdir().unwrap();
    let log = fs::File::create(out).unwrap();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed: {status}");
            return;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
