//! Promise 4, the import's half: a valid export damaged at random (cut short, a byte
//! flipped, a field deleted or of the wrong type, a row twice, a 1 MB string, invalid
//! UTF-8) is either imported whole or refused with the database byte for byte unchanged;
//! it never panics and never half-writes. (Valid exports round-trip in `tests/exchange.rs`.)

mod common;

use common::import::{At, FIXTURE, Mutation, apply, imported_whole_or_refused};
use proptest::prelude::*;

fn place() -> impl Strategy<Value = At> {
    any::<u64>().prop_map(At)
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        place().prop_map(Mutation::Truncate),
        (place(), 1..=255u8).prop_map(|(at, bits)| Mutation::FlipByte(at, bits)),
        (place(), place()).prop_map(|(row, field)| Mutation::DeleteField { row, field }),
        (place(), place(), place()).prop_map(|(row, field, to)| Mutation::ChangeType {
            row,
            field,
            to
        }),
        place().prop_map(Mutation::DuplicateRow),
        (place(), place()).prop_map(|(row, field)| Mutation::HugeString { row, field }),
        place().prop_map(Mutation::InvalidUtf8),
    ]
}

/// Each kind of damage at least once, at fixed places, before the random ones.
#[test]
fn every_kind_of_damage_is_imported_whole_or_refused() {
    let good = &FIXTURE.export;
    let index = |fraction: f64| At((fraction * u64::MAX as f64) as u64);
    for mutation in [
        Mutation::Truncate(index(0.5)),
        Mutation::Truncate(index(0.999)),
        Mutation::FlipByte(index(0.3), 0x20),
        Mutation::DeleteField {
            row: index(0.0),
            field: index(0.0),
        },
        Mutation::DeleteField {
            row: index(0.6),
            field: index(0.99),
        },
        Mutation::ChangeType {
            row: index(0.5),
            field: index(0.4),
            to: index(0.0),
        },
        Mutation::ChangeType {
            row: index(0.9),
            field: index(0.2),
            to: index(0.5),
        },
        Mutation::DuplicateRow(index(0.0)),
        Mutation::DuplicateRow(index(0.7)),
        Mutation::HugeString {
            row: index(0.7),
            field: index(0.7),
        },
        Mutation::HugeString {
            row: index(0.0),
            field: index(0.0),
        },
        Mutation::InvalidUtf8(index(0.8)),
    ] {
        let bad = apply(good, &mutation);
        if let Err(e) = imported_whole_or_refused(&bad) {
            panic!("{mutation:?}: {e}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_damage_is_imported_whole_or_refused(mutation in mutation()) {
        let bad = apply(&FIXTURE.export, &mutation);
        imported_whole_or_refused(&bad).map_err(TestCaseError::fail)?;
    }
}
