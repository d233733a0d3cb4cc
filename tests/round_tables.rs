//! `kartlegg export --format csv --table …`: the round-level tables a centre counts with,
//! checked cell by cell against what was recorded through the store.

mod common;

use std::path::Path;

use chrono::Utc;
use common::*;
use kartlegg::domain::needs::{Expectation, Expectations, Facts, NeedField, Who, YesPartlyNo};
use kartlegg::domain::requirement::{Education, PositionFacts, PositionRole};
use kartlegg::store::{Needs, Positions, Store};

/// The CSV `table` of the database as rows of cells by column name, header first.
fn table(db: &Path, table: &str, extra: &[&str]) -> Vec<std::collections::HashMap<String, String>> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.csv");
    let mut args = vec!["export", "--format", "csv", "--table", table, "--out"];
    let out_arg = out.to_str().unwrap();
    args.push(out_arg);
    args.extend(extra);
    run_cli(&args, db, "en");
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// A round with two needs, facts, expectations and six posts: two leaders with the master's
/// (meet), four caseworkers of whom one meets and three will not.
fn recorded(db: &Path) -> String {
    let round = seeded_round(db);
    let mut store = Store::open(db).unwrap();
    let now = Utc::now();
    for change in [
        NeedField::Mastery(Some(2)),
        NeedField::Importance(Some(5)),
        NeedField::TopThree(true),
        NeedField::Who(Some(Who::Caseworkers)),
        NeedField::Missing("Samtaler med små barn".into()),
    ] {
        store
            .set_need(&round, "child_participation", &change, now)
            .unwrap();
    }
    store
        .set_need(&round, "investigation", &NeedField::Mastery(Some(4)), now)
        .unwrap();
    let mut facts = Facts::default();
    facts
        .set_typed(kartlegg::domain::needs::FactField::Ftes, "12,5")
        .unwrap();
    facts
        .set_typed(kartlegg::domain::needs::FactField::Vacancies, "2")
        .unwrap();
    store.set_facts(&round, &facts, now).unwrap();
    let expectations = Expectations {
        wants: vec![Expectation::Methods, Expectation::Supervision],
        text: "Mer veiledning".into(),
        knows_why: Some(YesPartlyNo::Partly),
        own_wish: None,
    };
    store.set_expectations(&round, &expectations, now).unwrap();
    let post = |role, education| PositionFacts {
        role,
        education,
        credits: 0,
        years: 1,
        planned_credits: 0,
        planned_year: None,
    };
    for facts in [
        post(PositionRole::Leader, Education::MasterChildWelfare),
        post(PositionRole::Leader, Education::MasterChildWelfare),
        post(PositionRole::Caseworker, Education::MasterChildWelfare),
        post(PositionRole::Caseworker, Education::None),
        post(PositionRole::Caseworker, Education::None),
        post(PositionRole::Caseworker, Education::None),
    ] {
        store.add_position(&round, &facts, now).unwrap();
    }
    round
}

#[test]
fn the_needs_table_has_a_row_per_area_recorded_with_its_gap_and_the_missing_text_only_with_comments()
 {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let round = recorded(&db);
    let rows = table(&db, "needs", &[]);
    assert_eq!(rows.len(), 2, "{rows:?}");
    // In the list's order: investigations first, then talking with children.
    assert_eq!(rows[0]["area_key"], "investigation");
    assert_eq!(
        (
            &*rows[0]["mastery"],
            &*rows[0]["importance"],
            &*rows[0]["gap"]
        ),
        ("4", "", "")
    );
    let child = &rows[1];
    assert_eq!(child["round_id"], round);
    assert_eq!(child["kind"], "before");
    assert_eq!(
        child["area_en"],
        "Talking with children and children's participation"
    );
    assert_eq!(
        (
            &*child["mastery"],
            &*child["importance"],
            &*child["gap"],
            &*child["top_three"],
            &*child["who"]
        ),
        ("2", "5", "3", "1", "caseworkers")
    );
    assert_eq!(child["missing"], "", "free text only with --with-comments");
    let with = table(&db, "needs", &["--with-comments"]);
    assert_eq!(with[1]["missing"], "Samtaler med små barn");
}

#[test]
fn the_facts_and_expectations_tables_have_a_row_per_round_as_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    recorded(&db);
    let facts = table(&db, "facts", &[]);
    assert_eq!(facts.len(), 1);
    assert_eq!(
        (
            &*facts[0]["ftes"],
            &*facts[0]["vacancies"],
            &*facts[0]["turnover"]
        ),
        ("12.5", "2", ""),
        "an empty fact is empty, never 0"
    );
    let expectations = table(&db, "expectations", &[]);
    assert_eq!(expectations.len(), 1);
    let e = &expectations[0];
    assert_eq!(
        (
            &*e["new_knowledge"],
            &*e["methods"],
            &*e["supervision"],
            &*e["knows_why"],
            &*e["own_wish"],
            &*e["text"]
        ),
        ("0", "1", "1", "partly", "", "")
    );
}

/// Two leaders are too few to show; hidden alone they could be computed back from "all"
/// minus the caseworkers, so the caseworkers are hidden too, and only "all" shows: 3 of 6
/// meet, 3 will not.
#[test]
fn the_positions_table_counts_per_role_and_never_gives_a_small_role_away() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    recorded(&db);
    let rows = table(&db, "positions", &[]);
    let row = |role: &str| rows.iter().find(|r| r["role"] == role).unwrap();
    let leader = row("leader");
    assert_eq!(
        (&*leader["n"], &*leader["meets"], &*leader["suppressed"]),
        ("2", "", "1")
    );
    let caseworker = row("caseworker");
    assert_eq!(
        (
            &*caseworker["n"],
            &*caseworker["meets"],
            &*caseworker["suppressed"]
        ),
        ("4", "", "1")
    );
    let all = row("all");
    assert_eq!(
        (
            &*all["n"],
            &*all["meets"],
            &*all["will"],
            &*all["will_not"],
            &*all["suppressed"]
        ),
        ("6", "3", "0", "3", "0")
    );
    assert!(
        !rows.iter().any(|r| r.contains_key("education")),
        "no row per post"
    );
}

#[test]
fn a_round_table_is_csv_only_and_has_no_wide_form() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    recorded(&db);
    for args in [
        &["export", "--format", "json", "--table", "needs"][..],
        &["export", "--format", "csv", "--table", "facts", "--wide"][..],
    ] {
        let out = run_en(args, &db);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--table") || err.contains("--wide"), "{err}");
    }
}
