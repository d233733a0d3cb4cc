//! A seam for the tests that kill kartlegg part-way through writing something (a backup, an
//! export, a demo): with `KARTLEGG_TEST_PAUSE_AT=<point>` in its environment, the process says
//! `kartlegg: paused at <point>` on standard error when it reaches that point and stops itself
//! there (SIGSTOP), so that a test kills it at exactly that point, without guessing at times.
//! Without the variable, or at any other point, it does nothing. Several points, separated
//! by commas, stop it at each.

use std::io::Write;

pub const VARIABLE: &str = "KARTLEGG_TEST_PAUSE_AT";

pub fn here(point: &str) {
    let wanted = std::env::var(VARIABLE).unwrap_or_default();
    if wanted.split(',').any(|wanted| wanted == point) {
        let _ = writeln!(std::io::stderr(), "kartlegg: paused at {point}");
        let _ = signal_hook::low_level::raise(signal_hook::consts::SIGSTOP);
    }
}
