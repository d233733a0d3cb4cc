//! The fuzz target's corpus (`fuzz/corpus/import/`) as a regression check on every
//! `cargo test`, without cargo-fuzz or nightly Rust: every file is imported whole or
//! refused with the database unchanged, and never panics. A file named `valid_…` must be
//! imported and one named `broken_…` refused; a file a fuzzer found may do either.

mod common;

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use common::import::{At, Mutation, Outcome, apply, fill, imported_whole_or_refused};
use kartlegg::domain::instrument::Instrument;
use kartlegg::exchange::{Disclosure, Scope};
use kartlegg::store::Exchange;
use kartlegg::store::Store;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/import");

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(CORPUS)
        .expect("the seed corpus in fuzz/corpus/import")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn expected(path: &Path) -> Option<Outcome> {
    let name = path.file_name()?.to_str()?;
    if name.starts_with("valid_") {
        Some(Outcome::Imported)
    } else if name.starts_with("broken_") {
        Some(Outcome::Refused)
    } else {
        None
    }
}

#[test]
fn every_file_of_the_fuzz_corpus_is_imported_whole_or_refused() {
    let files = corpus();
    assert!(files.len() >= 10, "the seed corpus is gone: {files:?}");
    let mut wrong = Vec::new();
    for path in &files {
        let bytes = fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        match catch_unwind(AssertUnwindSafe(|| imported_whole_or_refused(&bytes))) {
            Err(_) => wrong.push(format!("{name}: panicked")),
            Ok(Err(why)) => wrong.push(format!("{name}: {why}")),
            Ok(Ok(outcome)) => {
                if expected(path).is_some_and(|e| e != outcome) {
                    wrong.push(format!("{name}: {outcome:?}"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{}\n(after a deliberate change to the export format, write the seeds again: \
         KARTLEGG_WRITE_CORPUS=1 cargo test --test fuzz_corpus)",
        wrong.join("\n")
    );
}

/// A small valid export with answers, a comment and history: the seed the others are
/// damaged from.
fn small_export(dir: &Path, empty: bool) -> Vec<u8> {
    let mut store = Store::open(&dir.join(if empty { "empty.db" } else { "small.db" })).unwrap();
    if !empty {
        fill(&mut store, "Fjellbygd barnevern", "3401", 2);
    }
    let mut out = Vec::new();
    store
        .export_json(
            Scope::All,
            Instrument::standard(),
            common::import::at(99),
            Disclosure::identified(),
            &mut out,
            Path::new("seed.json"),
        )
        .unwrap();
    out
}

/// The export with the first occurrence of `from` replaced.
fn replaced(good: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = std::str::from_utf8(good).unwrap();
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1).into_bytes()
}

/// The seeds are made from a fresh export, and each does what its name says. After a
/// deliberate change to the export format, `KARTLEGG_WRITE_CORPUS=1 cargo test --test
/// fuzz_corpus` writes them into `fuzz/corpus/import` as well.
#[test]
fn the_seed_corpus_is_made_from_a_fresh_export() {
    let write = std::env::var_os("KARTLEGG_WRITE_CORPUS").is_some_and(|v| v == "1");
    let dir = tempfile::tempdir().unwrap();
    let good = small_export(dir.path(), false);
    let at = |fraction: f64| At((fraction * u64::MAX as f64) as u64);
    let item = &Instrument::standard().items()[0].item.key;
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("valid_small.json", good.clone()),
        ("valid_empty.json", small_export(dir.path(), true)),
        (
            "valid_row_twice.json",
            apply(&good, &Mutation::DuplicateRow(at(0.5))),
        ),
        ("broken_empty", Vec::new()),
        (
            "broken_not_json.csv",
            b"tjeneste;runde\nFjellbygd;1\n".to_vec(),
        ),
        (
            "broken_foreign.json",
            br#"{"name": "another program"}"#.to_vec(),
        ),
        (
            "broken_truncated.json",
            apply(&good, &Mutation::Truncate(at(0.6))),
        ),
        (
            "broken_format_version.json",
            replaced(&good, "\"format_version\": ", "\"format_version\": 9"),
        ),
        (
            "broken_unknown_item.json",
            replaced(
                &good,
                &format!("\"item_key\":\"{item}\""),
                "\"item_key\":\"x.y.1\"",
            ),
        ),
        (
            "broken_out_of_scale.json",
            replaced(&good, "\"value\":", "\"value\":9"),
        ),
        (
            "broken_wrong_type.json",
            replaced(&good, "\"value\":", "\"value\":\"fem\",\"x\":"),
        ),
        (
            "broken_missing_field.json",
            apply(
                &good,
                &Mutation::DeleteField {
                    row: at(0.4),
                    field: at(0.0),
                },
            ),
        ),
        ("broken_invalid_utf8.json", {
            let mut bad = replaced(&good, "Merknad", "Merknad \u{1}");
            let at = bad.iter().position(|&b| b == 1).unwrap();
            bad.splice(at..=at, [0xC3, 0x28]);
            bad
        }),
        (
            "broken_field_order.json",
            replaced(&good, "\"format\": \"kartlegg-export\",\n", ""),
        ),
    ];
    if write {
        for entry in fs::read_dir(CORPUS).unwrap() {
            let path = entry.unwrap().path();
            if expected(&path).is_some() {
                fs::remove_file(path).unwrap();
            }
        }
    }
    for (name, bytes) in &seeds {
        let path = Path::new(CORPUS).join(name);
        let outcome = imported_whole_or_refused(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(Some(outcome), expected(&path), "{name}");
        if write {
            fs::write(path, bytes).unwrap();
        }
    }
}
