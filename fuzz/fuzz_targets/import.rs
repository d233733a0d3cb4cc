//! Fuzzes the import of an export file (`Store::import_json`), the one parser of outside
//! input: whatever the bytes, it must not panic, and it must import the file whole or
//! refuse it. `tests/fuzz_corpus.rs` runs the seed corpus on every `cargo test`.

#![no_main]

use std::sync::{LazyLock, Mutex};

use chrono::{TimeZone, Utc};
use kartlegg::domain::instrument::Instrument;
use kartlegg::i18n::Lang;
use kartlegg::exchange::ImportClock;
use kartlegg::store::{Admin, Exchange, Store, StoreError};
use libfuzzer_sys::fuzz_target;

/// One database for the whole run: opening one per input would drown the parser in file
/// system calls. A refused input leaves it as it was; an accepted one adds to it.
static STORE: LazyLock<Mutex<(tempfile::TempDir, Store)>> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = Store::open(&dir.path().join("fuzz.db")).expect("a new database");
    Mutex::new((dir, store))
});

fuzz_target!(|data: &[u8]| {
    let mut guard = STORE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let store = &mut guard.1;
    // A fixed clock, so that a time past it is refused the same way on every run.
    let clock = ImportClock::at(Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap());
    match store.import_json(data, Instrument::standard(), clock) {
        Ok(_) => assert!(
            store.integrity_problems().expect("a check").is_empty(),
            "an accepted import broke the database"
        ),
        Err(StoreError::ImportRefused(refusal)) => {
            // The message is built from the file's content; it must not panic either.
            let message = refusal.message(Lang::Nb);
            assert_eq!(message.lines().count(), 1, "{message}");
        }
        Err(other) => panic!("not a clean refusal: {other}"),
    }
});
