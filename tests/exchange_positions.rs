//! Positions against the 2031 requirement travel in the JSON export (format version 6): they
//! round trip by id with the same status table, merge newer-wins, are refused as the form
//! refuses them (an unknown education, a number out of range, half a plan) with the database
//! unchanged, and files of format version 5 still import.

mod common;

use std::path::Path;

use chrono::NaiveDate;
use common::import::{at, line_of};
use common::import::{export_identified as export, import_file as import, refusal_of as refusal};
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::RoundKind;
use kartlegg::domain::requirement::{Education, PositionFacts, PositionRole};
use kartlegg::exchange::Problem;
use kartlegg::store::{Admin, Answers, ChangeLog, Positions, Store};
use kartlegg::usecase::positions::PositionsData;

fn post(
    role: PositionRole,
    education: Education,
    credits: u16,
    years: u8,
    planned: Option<(u16, u16)>,
) -> PositionFacts {
    PositionFacts {
        role,
        education,
        credits,
        years,
        planned_credits: planned.map_or(0, |(c, _)| c),
        planned_year: planned.map(|(_, y)| y),
    }
}

/// A service with one round and seven posts: leaders and caseworkers who meet the
/// requirement, will meet it with planned education, and will not; one edited once.
fn staffed(path: &Path) -> (Store, String) {
    use Education as E;
    use PositionRole as R;
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
    let r = round.id.as_str();
    let mut first = None;
    for (minute, facts) in [
        (1, post(R::Leader, E::MasterChildWelfare, 0, 8, None)),
        (
            2,
            post(R::Leader, E::BachelorRelevant, 0, 12, Some((60, 2028))),
        ),
        (3, post(R::Caseworker, E::MasterChildWelfare, 0, 3, None)),
        (4, post(R::Caseworker, E::BachelorRelevant, 60, 2, None)),
        (
            5,
            post(R::Caseworker, E::BachelorRelevant, 0, 1, Some((30, 2029))),
        ),
        (6, post(R::Caseworker, E::Other, 0, 0, None)),
        (7, post(R::Other, E::None, 0, 5, None)),
    ] {
        let p = store.add_position(r, &facts, at(minute)).unwrap();
        first.get_or_insert(p.id);
    }
    let id = first.unwrap();
    let changed = post(R::Leader, E::MasterChildWelfare, 0, 9, None);
    store.change_position(&id, &changed, at(8)).unwrap();
    (store, round.id)
}

/// The round's positions and their status table, read back as the screen reads them.
fn positions_of(store: &Store, round_id: &str) -> String {
    let round = store.round(round_id).unwrap();
    let data = PositionsData::load(store, &round, 3).unwrap();
    format!("{:?}\n{:?}", data.positions, data.table)
}

#[test]
fn positions_round_trip_with_the_same_status_table_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (a, round) = staffed(&dir.path().join("a.db"));
    let file = export(&a);
    let json: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(json["format_version"], 6);
    let rows = json["positions"].as_array().unwrap();
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[1]["education"], "bachelor_relevant");
    assert_eq!(rows[1]["planned_credits"], 60);
    assert_eq!(rows[1]["planned_year"], 2028);
    assert_eq!(rows[0]["years"], 9, "the edit is in the file");
    // After the facts and before the change log, as the format's order says.
    let place = |key: &str| file.find(&format!("\n\"{key}\": [")).unwrap();
    assert!(place("facts") < place("positions"));
    assert!(place("positions") < place("change_log"));

    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    let summary = import(&mut b, &file).unwrap();
    assert_eq!(summary.positions.added, 7);
    let here = positions_of(&b, &round);
    assert_eq!(here, positions_of(&a, &round));
    assert!(here.contains("Shown"), "a table with counts: {here}");
    assert_eq!(
        export(&b).replace("\"database\":\"b.db\"", "\"database\":\"a.db\""),
        file,
        "the same file again from the other machine, times and all"
    );

    let again = import(&mut b, &file).unwrap();
    assert!(!again.changed_anything(), "{again:?}");
    assert_eq!(again.positions.skipped, 7);
    assert_eq!(positions_of(&b, &round), here);
}

#[test]
fn the_newer_edit_of_a_position_wins_on_either_side() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, round) = staffed(&dir.path().join("a.db"));
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    import(&mut b, &export(&a)).unwrap();
    let id = a.positions(&round).unwrap()[4].id.clone();
    // Done on the laptop (a) at 20; the office (b) had changed the same post at 15.
    let office = post(
        PositionRole::Caseworker,
        Education::BachelorRelevant,
        0,
        2,
        Some((30, 2029)),
    );
    b.change_position(&id, &office, at(15)).unwrap();
    let done = post(
        PositionRole::Caseworker,
        Education::BachelorRelevant,
        30,
        2,
        None,
    );
    a.change_position(&id, &done, at(20)).unwrap();

    let summary = import(&mut b, &export(&a)).unwrap();
    assert_eq!(
        (summary.positions.updated, summary.positions.skipped),
        (1, 6)
    );
    assert_eq!(b.positions(&round).unwrap()[4].facts, done);

    // Back the other way the office's older edit does not win over the laptop's, but it is
    // kept: the laptop learns the office's edit and its replacement from the change log, so
    // both machines hold the same history of the post.
    let back = import(&mut a, &export(&b)).unwrap();
    assert_eq!(
        (
            back.positions.updated,
            back.positions.added,
            back.changes.added
        ),
        (0, 0, 2),
        "{back:?}"
    );
    assert_eq!(a.positions(&round).unwrap()[4].facts, done);
    // The same entries, each machine's in the order it learnt them.
    let history = |store: &Store| {
        let mut entries: Vec<_> = store
            .changes("position", &format!("{round}/{id}"))
            .unwrap()
            .into_iter()
            .map(|c| (c.changed_at, c.old_json, c.new_json))
            .collect();
        entries.sort();
        entries
    };
    assert_eq!(history(&a).len(), 4);
    assert_eq!(history(&a), history(&b));

    // The office's older file, brought to the laptop later, is only out of date.
    b.change_position(&id, &office, at(16)).unwrap();
    let stale = import(&mut a, &export(&b)).unwrap();
    assert_eq!(
        (stale.positions.updated, stale.positions.newer_here),
        (0, 1)
    );
    assert_eq!(a.positions(&round).unwrap()[4].facts, done);
}

#[test]
fn a_bad_education_or_a_number_out_of_range_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let (a, round) = staffed(&dir.path().join("a.db"));
    let file = export(&a);
    let id = a.positions(&round).unwrap()[1].id.clone();
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    let row = line_of(&file, &[&format!("{{\"id\":\"{id}\"")]);
    for (from, to, expected, named) in [
        (
            "\"education\":\"bachelor_relevant\",\"credits\":0,\"years\":12",
            "\"education\":\"phd\",\"credits\":0,\"years\":12",
            Problem::BadCode {
                section: "positions",
                id: id.clone(),
                field: "education",
                value: "phd".into(),
            },
            "education",
        ),
        (
            "\"years\":12",
            "\"years\":61",
            Problem::PositionOutOfRange {
                id: id.clone(),
                field: "years",
                value: 61,
                min: 0,
                max: 60,
            },
            "years",
        ),
        (
            "\"planned_year\":2028",
            "\"planned_year\":1800",
            Problem::PositionOutOfRange {
                id: id.clone(),
                field: "planned_year",
                value: 1800,
                min: 1900,
                max: 2200,
            },
            "planned_year",
        ),
        (
            "\"planned_year\":2028",
            "\"planned_year\":null",
            Problem::PositionHalfPlan {
                id: id.clone(),
                field: "planned_year",
            },
            "planned_year",
        ),
    ] {
        let bad = file.replacen(from, to, 1);
        assert_ne!(bad, file, "{from}");
        let (line, found) = refusal(&mut b, &bad);
        assert_eq!(line, row, "{to}");
        assert_eq!(found, expected);
        for lang in [kartlegg::i18n::Lang::Nb, kartlegg::i18n::Lang::En] {
            let message = found.message(lang);
            assert!(
                message.contains(named) && message.contains(&id),
                "{message}"
            );
        }
        assert_eq!(b.counts().unwrap(), Default::default(), "{to}");
        assert!(b.services().unwrap().is_empty(), "nothing written: {to}");
    }
}

#[test]
fn a_position_under_another_round_here_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, round) = staffed(&dir.path().join("a.db"));
    let file = export(&a);
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    import(&mut b, &file).unwrap();
    let other = b
        .create_round(
            &a.round(&round).unwrap().service_id,
            "Etter",
            NaiveDate::from_ymd_opt(2027, 3, 9).unwrap(),
            RoundKind::After,
            Instrument::standard(),
            at(30),
        )
        .unwrap();
    let moved = file.replacen(
        &format!("\"round_id\":\"{round}\",\"role\""),
        &format!("\"round_id\":\"{}\",\"role\"", other.id),
        1,
    );
    let before = positions_of(&b, &round);
    let (_, problem) = refusal(&mut b, &moved);
    assert!(
        matches!(
            problem,
            Problem::Identity {
                section: "positions",
                field: "round_id",
                ..
            }
        ),
        "{problem:?}"
    );
    assert_eq!(positions_of(&b, &round), before);
    assert!(b.positions(&other.id).unwrap().is_empty());
}

#[test]
fn a_format_5_file_without_positions_imports_and_a_format_6_file_needs_them() {
    let dir = tempfile::tempdir().unwrap();
    let (a, round) = staffed(&dir.path().join("a.db"));
    let file = export(&a);
    let start = file.find(",\n\"positions\": [").unwrap();
    let end = file.find(",\n\"change_log\": [").unwrap();
    let v5 = format!("{}{}", &file[..start], &file[end..]).replacen(
        "\"format_version\": 6,",
        "\"format_version\": 5,",
        1,
    );
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    let summary = import(&mut b, &v5).unwrap();
    assert_eq!(summary.rounds.added, 1);
    assert_eq!(summary.positions, Default::default());
    assert!(b.positions(&round).unwrap().is_empty());

    // A version 5 file with the positions is refused where its change log should be.
    let mut c = Store::open(&dir.path().join("c.db")).unwrap();
    let with = file.replacen("\"format_version\": 6,", "\"format_version\": 5,", 1);
    let (line, problem) = refusal(&mut c, &with);
    assert_eq!(line, line_of(&with, &["\"positions\": ["]));
    assert_eq!(
        problem,
        Problem::FieldOrder {
            expected: "change_log",
            found: "positions".into(),
        }
    );
    // And a version 6 file without them where they should begin.
    let without = v5.replacen("\"format_version\": 5,", "\"format_version\": 6,", 1);
    let (_, problem) = refusal(&mut c, &without);
    assert_eq!(
        problem,
        Problem::FieldOrder {
            expected: "positions",
            found: "change_log".into(),
        }
    );
    assert_eq!(c.counts().unwrap(), Default::default());
}

#[test]
fn the_positions_of_a_round_erased_here_are_skipped() {
    use kartlegg::store::{Erasable, Erase, ErasedBy};
    let dir = tempfile::tempdir().unwrap();
    let (a, round) = staffed(&dir.path().join("a.db"));
    let file = export(&a);
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    import(&mut b, &file).unwrap();
    b.erase(&[Erasable::Round(round.clone())], ErasedBy::Command, at(70))
        .unwrap();
    let summary = import(&mut b, &file).unwrap();
    assert!(!summary.changed_anything(), "{summary:?}");
    assert!(summary.erased >= 7, "{summary:?}");
    assert!(b.positions(&round).unwrap().is_empty());
}

/// The change log's entries of one position, as (old, new) snapshots are present.
fn logged(store: &Store, round: &str, id: &str) -> Vec<(bool, bool)> {
    store
        .changes("position", &format!("{round}/{id}"))
        .unwrap()
        .iter()
        .map(|c| (c.old_json.is_some(), c.new_json.is_some()))
        .collect()
}

#[test]
fn a_post_removed_here_is_not_brought_back_by_an_older_file_and_the_removal_travels() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, round) = staffed(&dir.path().join("a.db"));
    let older = export(&a);
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    import(&mut b, &older).unwrap();
    let id = b.positions(&round).unwrap()[1].id.clone();
    b.remove_position(&id, at(30)).unwrap();

    // The file from before the removal (the post last changed at 2) leaves it out.
    let summary = import(&mut b, &older).unwrap();
    assert_eq!(
        (summary.positions.newer_here, summary.positions.added),
        (1, 0)
    );
    assert_eq!(b.positions(&round).unwrap().len(), 6);
    assert!(!b.positions(&round).unwrap().iter().any(|p| p.id == id));
    let again = import(&mut b, &older).unwrap();
    assert!(!again.changed_anything(), "{again:?}");

    // The removal reaches the laptop, whose post is older: it goes there too.
    let removal = export(&b);
    let there = import(&mut a, &removal).unwrap();
    assert_eq!(there.positions.updated, 1, "{there:?}");
    assert_eq!(a.positions(&round).unwrap().len(), 6);
    assert!(!a.positions(&round).unwrap().iter().any(|p| p.id == id));
    assert_eq!(logged(&a, &round, &id), [(false, true), (true, false)]);
    let twice = import(&mut a, &removal).unwrap();
    assert!(!twice.changed_anything(), "{twice:?}");
    assert_eq!(positions_of(&a, &round), positions_of(&b, &round));
}

#[test]
fn a_post_edited_in_a_newer_file_after_a_removal_here_comes_back_with_the_edit() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, round) = staffed(&dir.path().join("a.db"));
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    import(&mut b, &export(&a)).unwrap();
    let id = a.positions(&round).unwrap()[1].id.clone();
    b.remove_position(&id, at(30)).unwrap();
    // The laptop, not knowing of the removal, records the planned education as taken.
    let taken = post(
        PositionRole::Leader,
        Education::BachelorRelevant,
        60,
        12,
        None,
    );
    a.change_position(&id, &taken, at(40)).unwrap();

    let newer = export(&a);
    let summary = import(&mut b, &newer).unwrap();
    assert_eq!(summary.positions.added, 1, "{summary:?}");
    let back = b.positions(&round).unwrap();
    assert_eq!(back.len(), 7);
    assert_eq!(back.iter().find(|p| p.id == id).unwrap().facts, taken);
    // Made, removed here, then the laptop's edit: the removal stays in the log.
    assert_eq!(
        logged(&b, &round, &id),
        [(false, true), (true, false), (false, true), (true, true)]
    );
    let again = import(&mut b, &newer).unwrap();
    assert!(!again.changed_anything(), "{again:?}");

    // The office's older removal, sent back, does not take the edited post from the laptop.
    let office = export(&b);
    let there = import(&mut a, &office).unwrap();
    assert_eq!(there.positions.updated, 0, "{there:?}");
    assert_eq!(
        a.positions(&round).unwrap()[1].facts,
        taken,
        "the newer edit stays"
    );
    let twice = import(&mut a, &office).unwrap();
    assert!(!twice.changed_anything(), "{twice:?}");
    assert_eq!(positions_of(&a, &round), positions_of(&b, &round));
}
