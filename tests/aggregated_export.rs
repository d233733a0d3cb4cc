//! `kartlegg export --table subdomains`: the aggregated export for a regional centre, one
//! row per service × round × subdomain, checked cell by cell against figures worked out by
//! hand from the answers recorded through the store.

mod common;

use std::collections::HashMap;
use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use common::*;
use kartlegg::domain::cluster::GatheringKind;
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::store::{Answers, Clusters, Store};

fn at(minute: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, minute, 0).unwrap()
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// The fixture's service ids.
struct Fixture {
    fjell: String,
    dal: String,
}

/// Two services of the cluster "Innlandet", one round each.
///
/// Fjellbygd's "Før samling 1" (20 January, tied to the leaders' gathering of 1 February):
/// a leader, three staff and a process leader.
/// - readiness.problem_awareness: leader 5, 4, don't know; staff 3, 2; staff 4, not
///   applicable; staff don't know, don't know; the process leader 1 (kept apart). Four
///   answered, three with a score; scores 1, .75, .5, .25, .75 = 3.25 of 5 = 65 % (partly),
///   3 "don't know", 1 "not applicable".
/// - readiness.leaders_seek_solutions: leader 5, staff 1, staff don't know: three answered
///   but the score is two people's: suppressed.
/// - fit.answers_problem: 4, 4, 5, 1 = .75 + .75 + 1 + 0 = 2.5 of 4 = 62.5 → 63 % (partly).
/// - fit.manageable_demands: 5, 5, 4 = 2.75 of 3 = 91.7 → 92 % (in place).
/// - competence.recruitment.1 (put to the leader only, items 2 and 3 to everyone): the
///   leader 2: one person: suppressed.
/// - leadership.dialogue (every item put to the leader only: facts the leader gives for the
///   service): 2 and 1 on 0–2 = 1 + .5 of 2 = 75 % (partly), shown though n is 1.
///
/// Dalbygd's "Før" (25 January, not tied): two staff, problem awareness 5 each: suppressed.
fn fixture(db: &Path) -> Fixture {
    use Response::{DontKnow, NotApplicable, Score};
    let mut store = Store::open(db).unwrap();
    let instrument = Instrument::standard();
    let fjell = store
        .create_service("Fjellbygd", &[], "Innlandet", at(0))
        .unwrap();
    let dal = store
        .create_service("Dalbygd", &[], "Innlandet", at(0))
        .unwrap();
    let cluster = store.cluster_named("Innlandet").unwrap().unwrap();
    let gathering = store
        .add_gathering(
            &cluster.id,
            day(2, 1),
            GatheringKind::Leaders,
            "Tiltaksplan",
            at(1),
        )
        .unwrap();
    let before = store
        .create_round(
            &fjell.id,
            "Før samling 1",
            day(1, 20),
            RoundKind::Before,
            instrument,
            at(2),
        )
        .unwrap();
    store
        .tie_round(&before.id, Some(&gathering.id), at(3))
        .unwrap();
    let dal_round = store
        .create_round(
            &dal.id,
            "Før",
            day(1, 25),
            RoundKind::Before,
            instrument,
            at(2),
        )
        .unwrap();
    let mut answer = |round: &str, role: Role, answers: &[(&str, Response)]| {
        let who = store.create_respondent(round, role, "", at(4)).unwrap();
        for (key, response) in answers {
            store
                .save_response(&who.id, key, Some(*response), at(5))
                .unwrap();
        }
    };
    let pa = |n: u8| format!("readiness.problem_awareness.{n}");
    let ls = |n: u8| format!("readiness.leaders_seek_solutions.{n}");
    let ap = |n: u8| format!("fit.answers_problem.{n}");
    let md = |n: u8| format!("fit.manageable_demands.{n}");
    answer(
        &before.id,
        Role::Leader,
        &[
            (&pa(1), Score(5)),
            (&pa(2), Score(4)),
            (&pa(3), DontKnow),
            (&ls(1), Score(5)),
            (&ap(1), Score(4)),
            (&md(1), Score(5)),
            ("competence.recruitment.1", Score(2)),
            ("leadership.dialogue.1", Score(2)),
            ("leadership.dialogue.2", Score(1)),
        ],
    );
    answer(
        &before.id,
        Role::Staff,
        &[
            (&pa(1), Score(3)),
            (&pa(2), Score(2)),
            (&ls(1), Score(1)),
            (&ap(1), Score(4)),
            (&md(1), Score(5)),
        ],
    );
    answer(
        &before.id,
        Role::Staff,
        &[
            (&pa(1), Score(4)),
            (&pa(2), NotApplicable),
            (&ls(1), DontKnow),
            (&ap(1), Score(5)),
            (&md(1), Score(4)),
        ],
    );
    answer(
        &before.id,
        Role::Staff,
        &[(&pa(1), DontKnow), (&pa(2), DontKnow), (&ap(1), Score(1))],
    );
    answer(&before.id, Role::Consultant, &[(&pa(1), Score(1))]);
    answer(&dal_round.id, Role::Staff, &[(&pa(1), Score(5))]);
    answer(&dal_round.id, Role::Staff, &[(&pa(1), Score(5))]);
    Fixture {
        fjell: fjell.id,
        dal: dal.id,
    }
}

type Row = HashMap<String, String>;

/// The CSV written with `extra` arguments, as rows by column name; the raw bytes too.
fn csv(db: &Path, extra: &[&str]) -> (Vec<Row>, Vec<u8>, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("subdomains.csv");
    let mut args = vec![
        "export",
        "--format",
        "csv",
        "--table",
        "subdomains",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    run_cli(&args, db, "en");
    let bytes = std::fs::read(&out).unwrap();
    let about = std::fs::read_to_string(dir.path().join("subdomains.about.txt")).unwrap();
    let spreadsheet = bytes.starts_with("\u{feff}".as_bytes());
    let text = String::from_utf8(bytes.clone()).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if spreadsheet { b';' } else { b',' })
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    (rows, bytes, about)
}

fn find<'a>(rows: &'a [Row], service: &str, subdomain: &str) -> &'a Row {
    rows.iter()
        .find(|r| r["service"] == service && r["subdomain"] == subdomain)
        .unwrap_or_else(|| panic!("no row for {service} {subdomain}"))
}

/// The cells of a row that carry figures, in order: score, band, n, scored, dont_know,
/// not_applicable, suppressed.
fn figures(row: &Row) -> [&str; 7] {
    [
        "score",
        "band",
        "n",
        "scored",
        "dont_know",
        "not_applicable",
        "suppressed",
    ]
    .map(|c| row[c].as_str())
}

const SUBDOMAINS: usize = 21;

#[test]
fn every_row_is_worked_out_by_hand_and_small_groups_are_suppressed() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    fixture(&db);
    let (rows, bytes, about) = csv(&db, &["--cluster", "Innlandet"]);
    assert!(
        !bytes.starts_with("\u{feff}".as_bytes()),
        "R's form has no BOM"
    );
    let header = String::from_utf8(bytes).unwrap();
    assert!(header.starts_with(
        "service,cluster,round,round_held_on,round_kind,gathering_held_on,gathering_kind,\
         section,subdomain,score,band,n,scored,dont_know,not_applicable,suppressed\n"
    ));
    // Two rounds, a row for every subdomain of each; Dalbygd first, by name.
    assert_eq!(rows.len(), 2 * SUBDOMAINS);
    assert_eq!(rows[0]["service"], "Dalbygd");
    assert_eq!(rows[SUBDOMAINS]["service"], "Fjellbygd");

    let pa = find(&rows, "Fjellbygd", "readiness.problem_awareness");
    let context: Vec<&str> = [
        "cluster",
        "round",
        "round_held_on",
        "round_kind",
        "gathering_held_on",
        "gathering_kind",
        "section",
    ]
    .iter()
    .map(|c| pa[*c].as_str())
    .collect();
    assert_eq!(
        context,
        [
            "Innlandet",
            "Før samling 1",
            "2026-01-20",
            "before",
            "2026-02-01",
            "leaders",
            "readiness"
        ]
    );
    // The process leader's 1 is kept apart: n stays four and the score 65.
    assert_eq!(figures(pa), ["65", "partly", "4", "5", "3", "1", "0"]);
    assert_eq!(
        figures(find(&rows, "Fjellbygd", "fit.answers_problem")),
        ["63", "partly", "4", "4", "0", "0", "0"],
        "62.5 rounds half away from zero"
    );
    assert_eq!(
        figures(find(&rows, "Fjellbygd", "fit.manageable_demands")),
        ["92", "in_place", "3", "3", "0", "0", "0"]
    );
    assert_eq!(
        figures(find(&rows, "Fjellbygd", "leadership.dialogue")),
        ["75", "partly", "1", "2", "0", "0", "0"],
        "the leader's facts are the service's"
    );
    // Suppressed: three answered but two scored; the leader alone; Dalbygd's two staff.
    for (service, subdomain, n) in [
        ("Fjellbygd", "readiness.leaders_seek_solutions", "3"),
        ("Fjellbygd", "competence.recruitment", "1"),
        ("Dalbygd", "readiness.problem_awareness", "2"),
    ] {
        assert_eq!(
            figures(find(&rows, service, subdomain)),
            ["", "", n, "", "", "", "1"],
            "{service} {subdomain}"
        );
    }
    // Where no one answered there is nothing to hide, and no score.
    assert_eq!(
        figures(find(&rows, "Fjellbygd", "readiness.staff_motivation")),
        ["", "", "0", "0", "0", "0", "0"]
    );
    let dal = find(&rows, "Dalbygd", "readiness.problem_awareness");
    assert_eq!(
        (
            &*dal["round"],
            &*dal["gathering_held_on"],
            &*dal["gathering_kind"]
        ),
        ("Før", "", ""),
        "an untied round has no gathering"
    );
    assert!(about.contains("the cluster Innlandet"), "{about}");
    assert!(about.contains("fewer than 3 respondents"), "{about}");
    assert!(about.contains("the services by name"), "{about}");
}

/// No figure of a suppressed row can be worked back: the table has no row of a section or
/// a service total (a total minus the shown rows would give the hidden one), and a hidden
/// row carries nothing but who it is and its n.
#[test]
fn a_suppressed_row_cannot_be_worked_back_from_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    fixture(&db);
    let (rows, _, _) = csv(&db, &[]);
    let instrument = Instrument::standard();
    let subdomains = instrument.subdomain_keys();
    for row in &rows {
        assert!(
            subdomains.contains(&row["subdomain"]),
            "only subdomains, no totals: {row:?}"
        );
    }
    // Per round, each subdomain once.
    for service in ["Fjellbygd", "Dalbygd"] {
        let mine: Vec<&str> = rows
            .iter()
            .filter(|r| r["service"] == service)
            .map(|r| r["subdomain"].as_str())
            .collect();
        assert_eq!(mine, subdomains, "{service}");
    }
    // Dalbygd's round has only the hidden row with answers: its section's other rows are
    // empty, so nothing in the section adds up to the hidden figure.
    let hidden: Vec<&Row> = rows.iter().filter(|r| r["suppressed"] == "1").collect();
    assert_eq!(hidden.len(), 3);
    for row in hidden {
        for cell in ["score", "band", "scored", "dont_know", "not_applicable"] {
            assert_eq!(row[cell], "", "{cell} of {row:?}");
        }
    }
}

#[test]
fn the_spreadsheet_form_has_the_same_cells_with_semicolons_and_a_bom() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    fixture(&db);
    let (plain, _, _) = csv(&db, &["--cluster", "Innlandet"]);
    let (sheet, bytes, _) = csv(&db, &["--cluster", "Innlandet", "--spreadsheet"]);
    assert!(bytes.starts_with("\u{feff}service;cluster;round;".as_bytes()));
    assert_eq!(plain, sheet);
}

#[test]
fn the_json_has_a_header_and_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    fixture(&db);
    let out = run_cli(
        &[
            "export",
            "--format",
            "json",
            "--table",
            "subdomains",
            "--cluster",
            "Innlandet",
        ],
        &db,
        "en",
    );
    let file: serde_json::Value = serde_json::from_str(&out).unwrap();
    let header = &file["header"];
    assert_eq!(header["format"], "kartlegg-subdomains");
    assert_eq!(header["format_version"], 1);
    assert_eq!(header["instrument"], "kartlegg-standard");
    assert_eq!(header["instrument_version"], "2.0");
    assert_eq!(header["min_group"], 3);
    assert_eq!(header["anonymous"], false);
    assert_eq!(header["cluster"], "Innlandet");
    let rows = file["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2 * SUBDOMAINS);
    let row = |service: &str, subdomain: &str| {
        rows.iter()
            .find(|r| r["service"] == service && r["subdomain"] == subdomain)
            .unwrap()
    };
    assert_eq!(
        row("Fjellbygd", "readiness.problem_awareness"),
        &serde_json::json!({
            "service": "Fjellbygd",
            "cluster": "Innlandet",
            "round": "Før samling 1",
            "round_held_on": "2026-01-20",
            "round_kind": "before",
            "gathering_held_on": "2026-02-01",
            "gathering_kind": "leaders",
            "section": "readiness",
            "subdomain": "readiness.problem_awareness",
            "score": 65.0,
            "band": "partly",
            "n": 4,
            "scored": 5,
            "dont_know": 3,
            "not_applicable": 1,
            "suppressed": false
        })
    );
    let hidden = row("Fjellbygd", "competence.recruitment");
    assert_eq!(hidden["suppressed"], true);
    assert_eq!(hidden["n"], 1);
    for field in ["score", "band", "scored", "dont_know", "not_applicable"] {
        assert!(hidden[field].is_null(), "{field}: {hidden}");
    }
    let dal = row("Dalbygd", "readiness.problem_awareness");
    assert!(dal["gathering_held_on"].is_null() && dal["gathering_kind"].is_null());
}

#[test]
fn anonymous_gives_letters_by_id_and_no_names_labels_or_days() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let ids = fixture(&db);
    let (rows, bytes, about) = csv(&db, &["--cluster", "Innlandet", "--anonymous"]);
    let text = String::from_utf8(bytes).unwrap();
    for name in ["Fjellbygd", "Dalbygd", "Før"] {
        assert!(!text.contains(name), "{name} in\n{text}");
    }
    // The lower id is A, whatever the names or scores.
    let (fjell, dal) = if ids.fjell < ids.dal {
        ("A", "B")
    } else {
        ("B", "A")
    };
    assert_eq!(rows[0]["service"], "A", "in letter order");
    assert_eq!(
        figures(find(&rows, fjell, "readiness.problem_awareness")),
        ["65", "partly", "4", "5", "3", "1", "0"]
    );
    assert_eq!(
        find(&rows, dal, "readiness.problem_awareness")["suppressed"],
        "1"
    );
    // A round's label and day are the service's own; the gathering's day is the cluster's.
    assert!(rows.iter().all(|r| r["round"].is_empty()));
    assert!(rows.iter().all(|r| r["round_held_on"].is_empty()));
    assert_eq!(
        find(&rows, fjell, "fit.answers_problem")["gathering_held_on"],
        "2026-02-01"
    );
    assert!(about.contains("anonymous"), "{about}");

    // One service alone keeps its cluster's letter.
    let (one, _, about) = csv(&db, &["--service", "Fjellbygd", "--anonymous"]);
    assert_eq!(one.len(), SUBDOMAINS);
    assert!(one.iter().all(|r| r["service"] == fjell));
    assert!(!about.contains("Fjellbygd"), "{about}");
}

#[test]
fn a_service_alone_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    fixture(&db);
    let (rows, _, about) = csv(&db, &["--service", "dalbygd"]);
    assert_eq!(rows.len(), SUBDOMAINS);
    assert!(rows.iter().all(|r| r["service"] == "Dalbygd"));
    assert!(about.contains("the service Dalbygd"), "{about}");

    let refused = |args: &[&str], says: &str| {
        let out = run_en(args, &db);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    };
    let table = ["export", "--table", "subdomains", "--format"];
    refused(
        &[&table[..], &["csv", "--cluster", "Nowhere"]].concat(),
        "Found no cluster named “Nowhere”",
    );
    refused(
        &[&table[..], &["codebook"]].concat(),
        "written as CSV or JSON",
    );
    refused(
        &[&table[..], &["csv", "--identified"]].concat(),
        "no respondents or comments",
    );
    refused(
        &[
            &table[..],
            &["csv", "--cluster", "Innlandet", "--service", "Dalbygd"],
        ]
        .concat(),
        "either --cluster or --service",
    );
    refused(
        &["export", "--format", "csv", "--anonymous"],
        "only apply to the subdomains",
    );
}
