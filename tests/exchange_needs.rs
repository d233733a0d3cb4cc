//! Competence needs travel in the JSON export (format version 5): own areas, needs,
//! expectations and facts round trip, merge newer-wins with the older in the change log,
//! and are refused as the store refuses them (a fourth top priority, a fact out of range),
//! the database unchanged. Older files still import.

mod common;

use std::path::Path;

use chrono::NaiveDate;
use common::import::{at, export_as, line_of};
use common::import::{export_identified as export, import_file as import, refusal_of as refusal};
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::RoundKind;
use kartlegg::domain::needs::{
    Expectation, Expectations, FactField, FactProblem, Facts, NeedField, Who, YesPartlyNo,
};
use kartlegg::exchange::{Disclosure, Problem};
use kartlegg::store::{Admin, Answers, Needs, Store};

struct Mapped {
    service: String,
    round: String,
    own: String,
}

/// A service with one round whose needs are mapped: three shipped areas and one of its own,
/// two of them among the top three, with expectations and facts; each edited once.
fn mapped(path: &Path) -> (Store, Mapped) {
    let mut store = Store::open(path).unwrap();
    let service = store
        .create_service("Fjellbygd", &["3401".into()], "Innlandet", at(0))
        .unwrap();
    let round = store
        .create_round(
            &service.id,
            "Før samling 1",
            NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            RoundKind::Before,
            Instrument::standard(),
            at(0),
        )
        .unwrap();
    let own = store.add_own_area(&service.id, "Rus", at(1)).unwrap();
    let r = round.id.as_str();
    for (minute, area, change) in [
        (2, "investigation", NeedField::Mastery(Some(2))),
        (3, "investigation", NeedField::Importance(Some(5))),
        (4, "investigation", NeedField::TopThree(true)),
        (5, "investigation", NeedField::Who(Some(Who::Caseworkers))),
        (
            6,
            "investigation",
            NeedField::Missing("Mer tid til\nveiledning".into()),
        ),
        (7, "law", NeedField::Mastery(Some(3))),
        (8, "law", NeedField::Importance(Some(4))),
        (9, own.id.as_str(), NeedField::Importance(Some(5))),
        (10, own.id.as_str(), NeedField::TopThree(true)),
    ] {
        store.set_need(r, area, &change, at(minute)).unwrap();
    }
    let expectations = Expectations {
        wants: vec![Expectation::Methods, Expectation::Exchange],
        text: "Lære av de andre".into(),
        knows_why: Some(YesPartlyNo::Yes),
        own_wish: Some(YesPartlyNo::Partly),
    };
    store.set_expectations(r, &expectations, at(11)).unwrap();
    let facts = Facts {
        ftes: Some(12.5),
        vacancies: Some(2),
        newly_qualified: Some(40.0),
        ..Facts::default()
    };
    store.set_facts(r, &facts, at(12)).unwrap();
    let facts = Facts {
        complaints: Some(3),
        ..facts
    };
    store.set_facts(r, &facts, at(13)).unwrap();
    let mapped = Mapped {
        service: service.id,
        round: round.id,
        own: own.id,
    };
    (store, mapped)
}

/// Everything of the needs one round and its service have, read back through the store.
fn needs_of(store: &Store, m: &Mapped) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}",
        store.own_areas(&m.service).unwrap(),
        store.needs(&m.round).unwrap(),
        store.expectations(&m.round).unwrap(),
        store.facts(&m.round).unwrap()
    )
}

/// The change log as stored, in its order, without the local `seq`, and but for the entry
/// that logs the cluster's record made: each machine makes its own until clusters travel
/// (docs/exchange.md).
fn change_log(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT entity, entity_key, ifnull(old_json, '-'), ifnull(new_json, '-'), changed_at
             FROM change_log WHERE entity <> 'cluster' ORDER BY seq",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((0..5)
            .map(|i| r.get::<_, String>(i))
            .collect::<rusqlite::Result<Vec<_>>>()?
            .join(" | "))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

#[test]
fn needs_own_areas_expectations_and_facts_round_trip_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (a, m) = mapped(&dir.path().join("a.db"));
    let file = export(&a);
    let json: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(json["format_version"], 6);
    assert_eq!(json["own_areas"][0]["name"], "Rus");
    assert_eq!(json["needs"].as_array().unwrap().len(), 3);
    assert_eq!(json["expectations"][0]["wants"][1], "exchange");
    assert_eq!(json["facts"][0]["vacancies"], 2);
    assert_eq!(json["facts"][0]["ftes"], 12.5);
    // The needs come after the consensus values and before the change log that is about them.
    let place = |key: &str| file.find(&format!("\n\"{key}\": [")).unwrap();
    assert!(place("consensus") < place("own_areas"));
    assert!(place("own_areas") < place("needs"));
    assert!(place("needs") < place("expectations"));
    assert!(place("expectations") < place("facts"));
    assert!(place("facts") < place("change_log"));

    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    let summary = import(&mut b, &file).unwrap();
    assert_eq!(
        (
            summary.own_areas.added,
            summary.needs.added,
            summary.expectations.added,
            summary.facts.added
        ),
        (1, 3, 1, 1)
    );
    // 1 own area, 9 need edits, expectations once, facts twice.
    assert_eq!(summary.changes.added, 13);
    assert_eq!(needs_of(&b, &m), needs_of(&a, &m));
    assert_eq!(
        change_log(&dir.path().join("b.db")),
        change_log(&dir.path().join("a.db"))
    );
    assert_eq!(
        export(&b).replace("\"database\":\"b.db\"", "\"database\":\"a.db\""),
        file,
        "the same file again from the other machine"
    );

    let again = import(&mut b, &file).unwrap();
    assert!(!again.changed_anything(), "{again:?}");
    assert_eq!((again.needs.skipped, again.own_areas.skipped), (3, 1));
}

#[test]
fn the_summary_names_the_needs_and_says_nothing_new_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = mapped(&dir.path().join("a.db"));
    drop(a);
    let file = dir.path().join("a.json");
    common::export_json(&dir.path().join("a.db"), &file);
    let b = dir.path().join("b.db");
    let first = common::run_cli(&["import", file.to_str().unwrap()], &b, "en");
    for line in [
        "\n  own areas:    1 added, 0 updated, 0 skipped\n",
        "\n  needs:        3 added, 0 updated, 0 skipped (0 of them newer here)\n",
        "\n  expectations: 1 added, 0 updated, 0 skipped (0 of them newer here)\n",
        "\n  facts:        1 added, 0 updated, 0 skipped (0 of them newer here)\n",
    ] {
        assert!(first.contains(line), "{line:?} in\n{first}");
    }
    let second = common::run_cli(&["import", file.to_str().unwrap()], &b, "nb");
    assert!(
        second.contains("  behov:        lagt til 0, oppdatert 0, hoppet over 3 (nyere her: 0)"),
        "{second}"
    );
    assert!(second.contains("Ingenting nytt"), "{second}");
}

#[test]
fn a_pseudonymous_file_carries_the_needs_as_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = mapped(&dir.path().join("a.db"));
    let identified: serde_json::Value = serde_json::from_str(&export(&a)).unwrap();
    let pseudonymous: serde_json::Value =
        serde_json::from_str(&export_as(&a, Disclosure::pseudonymous(5))).unwrap();
    for array in ["own_areas", "needs", "expectations", "facts"] {
        assert_eq!(pseudonymous[array], identified[array], "{array}");
    }
}

#[test]
fn the_newer_need_wins_on_either_side_and_the_older_goes_into_the_change_log() {
    let dir = tempfile::tempdir().unwrap();
    let (a_path, b_path) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let (mut a, m) = mapped(&a_path);
    let mut b = Store::open(&b_path).unwrap();
    import(&mut b, &export(&a)).unwrap();
    let law = |mastery| NeedField::Mastery(Some(mastery));
    a.set_need(&m.round, "law", &law(4), at(50)).unwrap();
    b.set_need(&m.round, "law", &law(1), at(60)).unwrap();
    let (from_a, from_b) = (export(&a), export(&b));

    // b's is newer: it replaces a's, and a's goes into a's log as the old side.
    let summary = import(&mut a, &from_b).unwrap();
    assert_eq!((summary.needs.updated, summary.needs.newer_here), (1, 0));
    let law_of = |store: &Store| {
        let needs = store.needs(&m.round).unwrap();
        needs.into_iter().find(|n| n.area_key == "law").unwrap()
    };
    assert_eq!(law_of(&a).mastery, Some(1));
    let merged = format!("need | {}/law | ", m.round);
    let merge_row = |path: &Path| {
        change_log(path)
            .into_iter()
            .filter(|row| row.starts_with(&merged) && row.contains("\"mastery\":4,"))
            .filter(|row| row.ends_with("2026-03-09T11:00:00.000Z"))
            .count()
    };
    assert_eq!(merge_row(&a_path), 1, "{:#?}", change_log(&a_path));

    // a's older file on b: b's stays, and b logs the same change.
    let summary = import(&mut b, &from_a).unwrap();
    assert_eq!((summary.needs.updated, summary.needs.newer_here), (0, 1));
    assert_eq!(law_of(&b).mastery, Some(1));
    assert_eq!(merge_row(&b_path), 1, "{:#?}", change_log(&b_path));
    assert_eq!(needs_of(&a, &m), needs_of(&b, &m));
}

#[test]
fn a_fourth_top_priority_is_refused_at_its_row_and_the_database_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, m) = mapped(&dir.path().join("a.db"));
    a.set_need(&m.round, "law", &NeedField::TopThree(true), at(20))
        .unwrap();
    a.set_need(
        &m.round,
        "documentation",
        &NeedField::Mastery(Some(3)),
        at(21),
    )
    .unwrap();
    let file = export(&a);
    let fourth = file.replacen(
        "\"area_key\":\"documentation\",\"mastery\":3,\"importance\":null,\"top_three\":false",
        "\"area_key\":\"documentation\",\"mastery\":3,\"importance\":null,\"top_three\":true",
        1,
    );
    assert_ne!(fourth, file);
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    let (line, problem) = refusal(&mut b, &fourth);
    // Refused at the round's last row that marks one, the fourth in the file's order.
    let (last, row) = fourth
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("{\"round_id\"") && l.contains("\"top_three\":true"))
        .last()
        .unwrap();
    let row: serde_json::Value = serde_json::from_str(row.trim_end_matches(',')).unwrap();
    assert_eq!(line, last + 1);
    assert_eq!(
        problem,
        Problem::TopThreeFull {
            id: format!("{}/{}", m.round, row["area_key"].as_str().unwrap()),
            round: m.round.clone(),
        }
    );
    assert!(
        problem
            .message(kartlegg::i18n::Lang::En)
            .contains("more than 3")
    );
    assert_eq!(b.counts().unwrap(), Default::default());
    assert!(b.services().unwrap().is_empty());

    // The same fourth against three here: refused too, and this database's needs stay.
    import(&mut b, &file).unwrap();
    let before = needs_of(&b, &m);
    let (_, problem) = refusal(&mut b, &fourth);
    assert!(matches!(problem, Problem::TopThreeFull { .. }));
    assert_eq!(needs_of(&b, &m), before);
}

#[test]
fn a_priority_moved_from_one_area_to_another_imports_whatever_the_order_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, m) = mapped(&dir.path().join("a.db"));
    a.set_need(&m.round, "law", &NeedField::TopThree(true), at(20))
        .unwrap();
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    import(&mut b, &export(&a)).unwrap();
    // "documentation" comes before "law" in the file: for a moment the round has four.
    a.set_need(&m.round, "law", &NeedField::TopThree(false), at(30))
        .unwrap();
    a.set_need(
        &m.round,
        "documentation",
        &NeedField::TopThree(true),
        at(31),
    )
    .unwrap();
    let summary = import(&mut b, &export(&a)).unwrap();
    assert_eq!((summary.needs.added, summary.needs.updated), (1, 1));
    assert_eq!(needs_of(&b, &m), needs_of(&a, &m));
}

#[test]
fn a_version_4_file_with_needs_is_refused_and_one_without_imports() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = mapped(&dir.path().join("a.db"));
    let file = export(&a);
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    let with_needs = file.replacen("\"format_version\": 6,", "\"format_version\": 4,", 1);
    let (line, problem) = refusal(&mut b, &with_needs);
    assert_eq!(line, line_of(&with_needs, &["\"own_areas\": ["]));
    assert_eq!(
        problem,
        Problem::FieldOrder {
            expected: "change_log",
            found: "own_areas".into(),
        }
    );
    assert_eq!(b.counts().unwrap(), Default::default());

    // Without them it is a version 4 file as kartlegg wrote one; its change log has no
    // needs' entries either, as a kartlegg of version 4 had none.
    let start = file.find(",\n\"own_areas\": [").unwrap();
    let end = file.find(",\n\"change_log\": [").unwrap();
    let v4: String = format!("{}{}", &file[..start], &file[end..])
        .replacen("\"format_version\": 6,", "\"format_version\": 4,", 1)
        .lines()
        .filter(|line| {
            ![
                "\"need\"",
                "\"own_area\"",
                "\"expectations\"",
                "\"service_facts\"",
            ]
            .iter()
            .any(|entity| line.starts_with(&format!("{{\"entity\":{entity}")))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let summary = import(&mut b, &v4).unwrap();
    assert_eq!(summary.services.added, 1);
    assert_eq!(summary.needs, Default::default());

    // And a version 5 file without them is refused where they should begin.
    let mut c = Store::open(&dir.path().join("c.db")).unwrap();
    let without = v4.replacen("\"format_version\": 4,", "\"format_version\": 5,", 1);
    let (_, problem) = refusal(&mut c, &without);
    assert_eq!(
        problem,
        Problem::FieldOrder {
            expected: "own_areas",
            found: "change_log".into(),
        }
    );
}

#[test]
fn a_fact_out_of_range_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let (a, m) = mapped(&dir.path().join("a.db"));
    let file = export(&a);
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    for (from, to, field, problem, named) in [
        (
            "\"newly_qualified\":40.0",
            "\"newly_qualified\":140.0",
            FactField::NewlyQualified,
            FactProblem::OverHundred,
            "newly_qualified",
        ),
        (
            "\"vacancies\":2",
            "\"vacancies\":-2",
            FactField::Vacancies,
            FactProblem::Negative,
            "vacancies",
        ),
        (
            "\"vacancies\":2",
            "\"vacancies\":2.5",
            FactField::Vacancies,
            FactProblem::NotANumber,
            "vacancies",
        ),
    ] {
        let bad = file.replacen(from, to, 1);
        assert_ne!(bad, file, "{from}");
        let (line, found) = refusal(&mut b, &bad);
        assert_eq!(
            line,
            line_of(&bad, &["\"ftes\":", "\"updated_at\""]),
            "{to}"
        );
        assert_eq!(
            found,
            Problem::FactOutOfRange {
                id: m.round.clone(),
                field,
                problem,
            }
        );
        let message = found.message(kartlegg::i18n::Lang::En);
        assert!(message.contains(named), "{message}");
        // The refusal's line goes on with ". The database was not changed."
        assert!(!message.ends_with('.'), "{message}");
        assert_eq!(b.counts().unwrap(), Default::default());
    }
    // A whole number however written is a count.
    let zero = file.replacen("\"vacancies\":2", "\"vacancies\":-0", 1);
    import(&mut b, &zero).unwrap();
    assert_eq!(b.facts(&m.round).unwrap().vacancies, Some(0));
}

#[test]
fn a_need_off_the_scale_or_about_an_unknown_area_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, m) = mapped(&dir.path().join("a.db"));
    let file = export(&a);
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    let off = file.replacen(
        "\"mastery\":3,\"importance\":4",
        "\"mastery\":6,\"importance\":4",
        1,
    );
    assert_eq!(
        refusal(&mut b, &off).1,
        Problem::NeedOutOfRange {
            id: format!("{}/law", m.round),
            field: "mastery",
            value: 6,
        }
    );
    let unknown = file.replace("\"area_key\":\"law\"", "\"area_key\":\"astrology\"");
    assert_eq!(
        refusal(&mut b, &unknown).1,
        Problem::UnknownArea {
            id: format!("{}/astrology", m.round),
            area: "astrology".into(),
        }
    );
    // A need snapshot in the change log is checked as a need is.
    let bad_log = file.replacen("\"mastery\":2,", "\"mastery\":9,", 1);
    assert_ne!(bad_log, file);
    assert!(matches!(
        refusal(&mut b, &bad_log).1,
        Problem::BadSnapshot { .. } | Problem::NeedOutOfRange { .. }
    ));
    assert_eq!(b.counts().unwrap(), Default::default());
}

#[test]
fn expectations_cleared_on_one_machine_are_cleared_on_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, m) = mapped(&dir.path().join("a.db"));
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    import(&mut b, &export(&a)).unwrap();
    a.set_expectations(&m.round, &Expectations::default(), at(40))
        .unwrap();
    let summary = import(&mut b, &export(&a)).unwrap();
    assert_eq!(summary.expectations.updated, 1);
    assert_eq!(b.expectations(&m.round).unwrap(), Expectations::default());
    assert!(!import(&mut b, &export(&a)).unwrap().changed_anything());
}

#[test]
fn the_needs_of_a_round_erased_here_are_skipped() {
    use kartlegg::store::{Erasable, Erase, ErasedBy};
    let dir = tempfile::tempdir().unwrap();
    let (a, m) = mapped(&dir.path().join("a.db"));
    let file = export(&a);
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    import(&mut b, &file).unwrap();
    b.erase(
        &[Erasable::Round(m.round.clone())],
        ErasedBy::Command,
        at(70),
    )
    .unwrap();
    let summary = import(&mut b, &file).unwrap();
    assert!(!summary.changed_anything(), "{summary:?}");
    assert!(summary.erased > 0);
    assert!(b.needs(&m.round).unwrap().is_empty());
    assert_eq!(b.facts(&m.round).unwrap(), Facts::default());
    assert_eq!(b.own_areas(&m.service).unwrap().len(), 1, "{}", m.own);
}

#[test]
fn an_own_area_under_another_service_or_a_need_of_another_services_area_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, m) = mapped(&dir.path().join("a.db"));
    let other = a
        .create_service("Sjøbyen", &["3405".into()], "Innlandet", at(30))
        .unwrap();
    let file = export(&a);
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    import(&mut b, &file).unwrap();
    let moved = file.replacen(
        &format!("\"id\":\"{}\",\"service_id\":\"{}\"", m.own, m.service),
        &format!("\"id\":\"{}\",\"service_id\":\"{}\"", m.own, other.id),
        1,
    );
    assert_ne!(moved, file);
    let before = needs_of(&b, &m);
    assert_eq!(
        refusal(&mut b, &moved).1,
        Problem::Identity {
            section: "own_areas",
            id: m.own.clone(),
            field: "service_id",
            here: m.service.clone(),
            there: other.id.clone(),
        }
    );
    // Into an empty database the area is the other service's: the round's need of it is not.
    let mut c = Store::open(&dir.path().join("c.db")).unwrap();
    assert_eq!(
        refusal(&mut c, &moved).1,
        Problem::UnknownArea {
            id: format!("{}/{}", m.round, m.own),
            area: m.own.clone(),
        }
    );
    assert_eq!(needs_of(&b, &m), before);
    assert_eq!(c.counts().unwrap(), Default::default());
}
