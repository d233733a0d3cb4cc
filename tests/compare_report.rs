//! `kartlegg compare` and `kartlegg report` against a small fixture whose numbers are
//! worked out by hand below, through the real binary. The HTML report is opened in headless
//! Chromium, so the page a browser builds is checked, not only the string.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::domain::plan::{GoalStatus, Level, PlanItem, PlanKind, Stage};
use kartlegg::store::Store;
use kartlegg::store::{Answers, Plans};
use serde_json::Value;

mod common;
use common::browser::run_chromium;

const SERVICE: &str = "Testby <b>barnevern</b> & «co» | *x*";
const ROUND_A: &str = "Før | samling <1>";

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, minute, 0).unwrap()
}

fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

/// The fixture, with every number the tests expect worked out by hand.
///
/// Round A "Før | samling <1>" (2026-01-10), a round between gatherings (training is asked
/// only once it has been given, so a before-round could not hold its answers): a leader,
/// three staff and the process leader.
///   leader "L":  awareness.1 = 5, awareness.2 = 4, training.1 = 2, fit.answers_problem.1 = 3
///   staff "s1":  awareness.1 = 1, awareness.2 = don't know, training.1 = 0
///   staff "s2":  awareness.1 = 3, awareness.2 = don't know, training.1 = 1
///   staff (no code): awareness.1 = don't know, awareness.2 = 2, training.1 = don't know
///   consultant:  awareness.1 = 5, awareness.2 = 5
/// Round B "Etter programmet" (2026-06-10): a leader, a key person, two staff, the process
/// leader.
///   leader "L":  awareness.1 = 5, awareness.2 = 5, training.1 = 2, support.evaluation.1 = 4
///   key person:  awareness.1 = 4, awareness.2 = 4, training.1 = don't know
///   staff "S1 ": awareness.1 = 1, awareness.2 = 3, training.1 = don't know
///   staff "s2":  awareness.1 = 4, awareness.2 = 3, training.1 = 1
///   consultant:  awareness.1 = 2, awareness.2 = 2
/// Round C "Underveis" (2026-03-15, made last): a leader, awareness.1 = 3.
///
/// The process leader is kept apart. Items with a score in both rounds: awareness.1,
/// awareness.2, training.1. So problem awareness compares 2 of its 4 items (comparable):
/// A = (1 + .75 + 0 + .5 + .25) / 5 = 50 %, n 4; B = (1 + 1 + .75 + .75 + 0 + .5 + .75 + .5)
/// / 8 = 65.625, reported as 66 %, n 4; +16, no interval and no ★ (4 respondents are too
/// few). Readiness compares 2 of 15 items and training 1 of 4, competence 1 of 16: ⊘, no
/// change. Fit and support have no item in common.
/// Paired (codes L, s1 = "S1 ", s2): awareness A = (1 + .75 + 0 + .5) / 4 = 56.25 → 56 %,
/// B = (1 + 1 + 0 + .5 + .75 + .5) / 6 = 62.5 → 63 %: +7, n 3.
/// The process leader apart: awareness 100 % → 25 %. Pooled (--with-consultant): A = 4.5 / 7
/// = 64.3 → 64 %, B = 5.75 / 10 = 57.5 → 58 %: −6, n 5 → 5.
/// "Don't know" in problem awareness: A 3 of 8 answers (38 %, ⚑), B 0 of 8; in training
/// A 1 of 4 (25 %, not over a quarter), B 2 of 4 (50 %, ⚑). In all: A 4 of 13 (31 %), B 2 of
/// 13 (15 %).
/// Items: training.1 means 1.0 → 1.5, 50 → 75 %, +25, n 3 → 2; awareness.2 3.0 → 3.8
/// (3.75), 50 → 69 % (68.75), +19, n 2 → 4; awareness.1 3.0 → 3.5, 50 → 63 % (62.5), +13,
/// n 3 → 4. Not comparable: fit.answers_problem.1 (item 16, scored in A only) and
/// support.evaluation.1 (item 24, in B only).
/// Staff in A (n = 3): readiness (0 + .5 + .25) / 3 = 25 %; the leader alone is never shown.
/// In B every role has fewer than 3.
/// A role and its answers, by item key.
type Respondent = (Role, &'static str, Vec<(&'static str, Response)>);

struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    dir: PathBuf,
    round_a_id: String,
}

fn fixture() -> Fixture {
    use Response::{DontKnow, Score};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let mut store = Store::open(&db).unwrap();
    let instrument = Instrument::standard();
    let service = store
        .create_service(SERVICE, &["3401".into()], "Klynge_1", at(0))
        .unwrap();
    let rounds = [
        (ROUND_A, date(1, 10), RoundKind::Between),
        ("Etter programmet", date(6, 10), RoundKind::After),
        ("Underveis", date(3, 15), RoundKind::Between),
    ];
    let (pa1, pa2, ct1) = (
        "readiness.problem_awareness.1",
        "readiness.problem_awareness.2",
        "competence.training.1",
    );
    let answers: [Vec<Respondent>; 3] = [
        vec![
            (
                Role::Leader,
                "L",
                vec![
                    (pa1, Score(5)),
                    (pa2, Score(4)),
                    (ct1, Score(2)),
                    ("fit.answers_problem.1", Score(3)),
                ],
            ),
            (
                Role::Staff,
                "s1",
                vec![(pa1, Score(1)), (pa2, DontKnow), (ct1, Score(0))],
            ),
            (
                Role::Staff,
                "s2",
                vec![(pa1, Score(3)), (pa2, DontKnow), (ct1, Score(1))],
            ),
            (
                Role::Staff,
                "",
                vec![(pa1, DontKnow), (pa2, Score(2)), (ct1, DontKnow)],
            ),
            (Role::Consultant, "", vec![(pa1, Score(5)), (pa2, Score(5))]),
        ],
        vec![
            (
                Role::Leader,
                "L",
                vec![
                    (pa1, Score(5)),
                    (pa2, Score(5)),
                    (ct1, Score(2)),
                    ("support.evaluation.1", Score(4)),
                ],
            ),
            (
                Role::KeyPerson,
                "",
                vec![(pa1, Score(4)), (pa2, Score(4)), (ct1, DontKnow)],
            ),
            (
                Role::Staff,
                "S1 ",
                vec![(pa1, Score(1)), (pa2, Score(3)), (ct1, DontKnow)],
            ),
            (
                Role::Staff,
                "s2",
                vec![(pa1, Score(4)), (pa2, Score(3)), (ct1, Score(1))],
            ),
            (Role::Consultant, "", vec![(pa1, Score(2)), (pa2, Score(2))]),
        ],
        vec![(Role::Leader, "", vec![(pa1, Score(3))])],
    ];
    let mut round_a_id = String::new();
    for ((label, held_on, kind), respondents) in rounds.into_iter().zip(answers) {
        let round = store
            .create_round(&service.id, label, held_on, kind, instrument, at(1))
            .unwrap();
        if label == ROUND_A {
            round_a_id = round.id.clone();
        }
        for (role, code, items) in respondents {
            let who = store
                .create_respondent(&round.id, role, code, at(2))
                .unwrap();
            for (key, response) in items {
                store
                    .save_response(&who.id, key, Some(response), at(3))
                    .unwrap();
            }
        }
    }
    // A comment with markup: the report leaves comments out, and never runs them.
    let key_person = store
        .round_answers(&round_b_id(&store, &service.id))
        .unwrap()[1]
        .0
        .id
        .clone();
    store
        .save_comment(&key_person, pa1, "<script>Alert()</script>", at(4))
        .unwrap();
    Fixture {
        db,
        dir: dir.path().to_path_buf(),
        _dir: dir,
        round_a_id,
    }
}

fn round_b_id(store: &Store, service_id: &str) -> String {
    store
        .rounds(service_id)
        .unwrap()
        .into_iter()
        .find(|r| r.round.label == "Etter programmet")
        .unwrap()
        .round
        .id
}

fn kartlegg(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kartlegg"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env_remove("KARTLEGG_DB")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn success(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn compare(fixture: &Fixture, extra: &[&str]) -> String {
    let mut args = vec![
        "compare",
        "--service",
        "TESTBY <B>BARNEVERN</B> & «CO» | *X*",
        "--from",
        ROUND_A,
        "--to",
        "etter programmet",
    ];
    args.extend(extra);
    success(&kartlegg(&fixture.db, &args))
}

/// Text table lines with their columns (two or more spaces apart) joined by " | ".
fn columns(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            line.trim()
                .split("  ")
                .map(str::trim)
                .filter(|cell| !cell.is_empty())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

fn has_line(lines: &[String], expected: &str) {
    assert!(
        lines.iter().any(|l| l == expected),
        "no line {expected:?} in:\n{}",
        lines.join("\n")
    );
}

#[test]
fn compare_as_json_carries_the_hand_computed_numbers() {
    let fixture = fixture();
    let json: Value = serde_json::from_str(&compare(&fixture, &["--format", "json"])).unwrap();
    assert_eq!(json["format"], "kartlegg-compare");
    assert_eq!(json["format_version"], 5);
    assert_eq!(json["service"]["name"], SERVICE);
    assert_eq!(json["from"]["label"], ROUND_A);
    assert_eq!(json["from"]["held_on"], "2026-01-10");
    assert_eq!(json["from"]["kind"], "between");
    assert_eq!(json["backwards"], false);
    // Five respondents each; four counted, the process leader apart.
    assert_eq!(
        (&json["from"]["respondents"], &json["to"]["respondents"]),
        (&Value::from(5), &Value::from(5))
    );
    assert_eq!(
        (&json["from"]["counted"], &json["to"]["counted"]),
        (&Value::from(4), &Value::from(4))
    );
    assert_eq!(json["with_consultant"], false);
    assert_eq!(json["rules"]["notable_points"], 10.0);
    assert_eq!(json["rules"]["min_respondents_for_star"], 5);
    assert_eq!(json["rules"]["interval_level"], 95);
    assert_eq!(json["rules"]["dont_know_flag_min_answers"], 4);
    assert_eq!(json["pairs"], 3);

    let section = |key: &str| {
        json["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .unwrap()
            .clone()
    };
    // Readiness: 2 of 15 items in common, so no change, though both sides have a score.
    let readiness = section("readiness");
    assert_eq!(
        (&readiness["items"], &readiness["items_common"]),
        (&15.into(), &2.into())
    );
    assert_eq!(readiness["comparable"], false);
    assert_eq!(
        (&readiness["from"], &readiness["to"]),
        (&50.0.into(), &66.0.into())
    );
    assert_eq!(readiness["delta"], Value::Null);
    assert_eq!(readiness["notable"], false);

    // Problem awareness: 2 of 4 in common; +16 over 4 → 4 respondents, too few for an
    // interval or a star.
    let awareness = &readiness["subdomains"][0];
    assert_eq!(awareness["key"], "readiness.problem_awareness");
    assert_eq!(
        (&awareness["items"], &awareness["items_common"]),
        (&4.into(), &2.into())
    );
    assert_eq!(awareness["comparable"], true);
    assert_eq!(awareness["from"], 50.0);
    assert_eq!(awareness["to"], 66.0);
    assert_eq!(awareness["delta"], 16.0);
    assert_eq!(
        (&awareness["n_from"], &awareness["n_to"]),
        (&4.into(), &4.into())
    );
    assert_eq!(awareness["interval_low"], Value::Null);
    assert_eq!(awareness["notable"], false);
    assert_eq!(awareness["band_from"], "partly");
    // Paired over L, s1 and s2: 56 % → 63 %, +7.
    let paired = &awareness["paired"];
    assert_eq!((&paired["n_from"], &paired["n_to"]), (&3.into(), &3.into()));
    assert_eq!(
        (&paired["from"], &paired["to"]),
        (&56.0.into(), &63.0.into())
    );
    assert_eq!(paired["delta"], 7.0);
    // "Don't know" as a share of the answers: 3 of 8 (38 %, flagged) → 0 of 8.
    let answers = &awareness["answers"];
    assert_eq!(answers["from"]["answered"], 8);
    assert_eq!(answers["from"]["dont_know"], 3);
    assert_eq!(answers["from"]["dont_know_share"], 38.0);
    assert_eq!(answers["from"]["dont_know_flagged"], true);
    assert_eq!(answers["to"]["dont_know_share"], 0.0);
    assert_eq!(readiness["subdomains"][1]["from"], Value::Null);
    assert_eq!(readiness["subdomains"][1]["n_from"], 0);

    // Training: 1 of 4 in common; "don't know" 1 of 4 (not over a quarter) → 2 of 4 (⚑).
    let competence = section("competence");
    assert_eq!(competence["comparable"], false);
    let training = competence["subdomains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "competence.training")
        .unwrap();
    assert_eq!(
        (&training["items"], &training["items_common"]),
        (&4.into(), &1.into())
    );
    assert_eq!(training["delta"], Value::Null);
    assert_eq!(training["answers"]["from"]["dont_know_share"], 25.0);
    assert_eq!(training["answers"]["from"]["dont_know_flagged"], false);
    assert_eq!(training["answers"]["to"]["dont_know_share"], 50.0);
    assert_eq!(training["answers"]["to"]["dont_know_flagged"], true);

    // Fit: scored before only, nothing in common; the round's own score is still there.
    let fit = section("fit");
    assert_eq!(fit["items_common"], 0);
    assert_eq!((&fit["from"], &fit["delta"]), (&Value::Null, &Value::Null));
    assert_eq!(fit["answers"]["from"]["score"], 50.0);
    let support = section("support");
    assert_eq!(support["answers"]["to"]["score"], 75.0);

    let items = json["items"].as_array().unwrap();
    let keys: Vec<&str> = items.iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "competence.training.1",
            "readiness.problem_awareness.2",
            "readiness.problem_awareness.1"
        ]
    );
    assert_eq!(items[0]["number"], 35);
    assert_eq!(items[0]["mean_from"], 1.0);
    assert_eq!(items[0]["mean_to"], 1.5);
    assert_eq!(items[0]["delta"], 25.0);
    assert_eq!(
        (&items[0]["n_from"], &items[0]["n_to"]),
        (&3.into(), &2.into())
    );
    assert_eq!(
        (&items[0]["scale_min"], &items[0]["scale_max"]),
        (&0.into(), &2.into())
    );
    assert_eq!(items[0]["dont_know_to"], 2);
    // 3.75 is shown, and written, as 3.8: one rounding rule, halves away from zero.
    assert_eq!(items[1]["mean_to"], 3.8);
    assert_eq!(items[1]["to"], 69.0);
    assert_eq!(items[1]["delta"], 19.0);
    assert_eq!(items[1]["mean_delta"], 0.8);
    assert_eq!(items[2]["mean_delta"], 0.5);
    assert_eq!(items[2]["delta"], 13.0);

    let not_comparable = json["not_comparable"].as_array().unwrap();
    assert_eq!(not_comparable.len(), 2);
    assert_eq!(not_comparable[0]["key"], "fit.answers_problem.1");
    assert_eq!(not_comparable[0]["number"], 16);
    assert_eq!(not_comparable[0]["scored_from"], true);
    assert_eq!(not_comparable[0]["scored_to"], false);
    assert_eq!(not_comparable[1]["key"], "support.evaluation.1");
    assert_eq!(not_comparable[1]["answered_to"], true);
    assert_eq!(not_comparable[1]["known"], true);

    assert_eq!(json["answers"]["from"]["dont_know"], 4);
    assert_eq!(json["answers"]["from"]["answered"], 13);
    assert_eq!(json["answers"]["from"]["dont_know_share"], 31.0);
    assert_eq!(json["answers"]["to"]["dont_know"], 2);
    assert_eq!(json["answers"]["to"]["dont_know_share"], 15.0);

    // The process leader apart: 100 % → 25 % in problem awareness.
    let consultant = &json["consultant"];
    assert_eq!(
        (&consultant["n_from"], &consultant["n_to"]),
        (&1.into(), &1.into())
    );
    let awareness_apart = consultant["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == "readiness.problem_awareness")
        .unwrap();
    assert_eq!(
        (&awareness_apart["from"], &awareness_apart["to"]),
        (&100.0.into(), &25.0.into())
    );

    let roles_from = json["roles"]["from"].as_array().unwrap();
    assert_eq!(roles_from[0]["role"], "leader");
    assert_eq!(roles_from[0]["n"], 1);
    assert_eq!(roles_from[0]["shown"], false);
    assert_eq!(roles_from[0]["sections"][0]["hidden"], "too_few");
    assert_eq!(roles_from[0]["sections"][0]["score"], Value::Null);
    // The three staff beside the lone leader are hidden too: the service's score (four
    // respondents) minus theirs would give the leader's back.
    assert_eq!(roles_from[1]["role"], "staff");
    assert_eq!(roles_from[1]["shown"], false);
    assert_eq!(roles_from[1]["sections"][0]["hidden"], "protects");
    assert_eq!(roles_from[1]["sections"][0]["score"], Value::Null);
    assert_eq!(roles_from[1]["sections"][0]["n_answers"], Value::Null);
    // Every group of the service's own people in B is under 3; the process leader's own
    // rating is shown apart on purpose (100 % → 25 % in readiness).
    let shown: Vec<(&Value, &Value)> = json["roles"]["to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (&g["role"], &g["shown"]))
        .collect();
    assert_eq!(
        shown,
        [
            (&"leader".into(), &false.into()),
            (&"key_person".into(), &false.into()),
            (&"staff".into(), &false.into()),
            (&"consultant".into(), &true.into()),
        ]
    );
    assert_eq!(roles_from[2]["role"], "consultant");
    assert_eq!(roles_from[2]["sections"][0]["score"], 100.0);

    // A larger group size is taken; the keys stay English in nynorsk.
    let json: Value = serde_json::from_str(&compare(
        &fixture,
        &["--format", "json", "--min-group", "4", "--lang", "nn"],
    ))
    .unwrap();
    assert_eq!(json["min_group"], 4);
    assert_eq!(json["lang"], "nn");
    assert_eq!(json["sections"][3]["name"], "Kompetansedrivarar");
}

#[test]
fn the_process_leader_is_pooled_only_when_asked() {
    let fixture = fixture();
    let json: Value = serde_json::from_str(&compare(
        &fixture,
        &["--format", "json", "--with-consultant"],
    ))
    .unwrap();
    assert_eq!(json["with_consultant"], true);
    assert_eq!(json["consultant"], Value::Null);
    assert_eq!(json["from"]["counted"], 5);
    // Problem awareness with the process leader: 4.5 / 7 = 64 % → 5.75 / 10 = 58 %, −6.
    let awareness = &json["sections"][0]["subdomains"][0];
    assert_eq!(
        (&awareness["from"], &awareness["to"]),
        (&64.0.into(), &58.0.into())
    );
    assert_eq!(awareness["delta"], -6.0);
    assert_eq!(
        (&awareness["n_from"], &awareness["n_to"]),
        (&5.into(), &5.into())
    );
    let text = compare(&fixture, &["--with-consultant", "--lang", "en"]);
    assert!(
        text.contains("pooled into the service's score (--with-consultant)"),
        "{text}"
    );
}

/// Staff answers: a code and the score they give each item key.
type StaffAnswers = Vec<(&'static str, Vec<(String, u8)>)>;

/// A service "Før" (2026-01-10) → "Etter" (2026-06-10) whose respondents are staff with codes,
/// each answering the given items with the given scores.
fn staff_fixture(service: &str, before: StaffAnswers, after: StaffAnswers) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let mut store = Store::open(&db).unwrap();
    let instrument = Instrument::standard();
    let service = store.create_service(service, &[], "", at(0)).unwrap();
    let mut round_a_id = String::new();
    for (label, held_on, respondents) in
        [("Før", date(1, 10), before), ("Etter", date(6, 10), after)]
    {
        let round = store
            .create_round(
                &service.id,
                label,
                held_on,
                RoundKind::Before,
                instrument,
                at(1),
            )
            .unwrap();
        if round_a_id.is_empty() {
            round_a_id = round.id.clone();
        }
        for (code, answers) in respondents {
            let who = store
                .create_respondent(&round.id, Role::Staff, code, at(2))
                .unwrap();
            for (key, value) in answers {
                store
                    .save_response(&who.id, &key, Some(Response::Score(value)), at(3))
                    .unwrap();
            }
        }
    }
    Fixture {
        db,
        dir: dir.path().to_path_buf(),
        _dir: dir,
        round_a_id,
    }
}

/// Every item key of a subdomain (`section.subdomain`).
fn keys_of(subdomain: &str) -> Vec<String> {
    Instrument::standard()
        .items()
        .iter()
        .filter(|i| format!("{}.{}", i.section.key, i.subdomain.key) == subdomain)
        .map(|i| i.item.key.clone())
        .collect()
}

/// A service whose change is hand-computable with its interval: five staff (codes a–e)
/// answer problem awareness all 2 (25 %) before and all 4 (75 %) after, with no spread:
/// the interval is +50 to +50 and the change is starred. In leaders seeking solutions they
/// answer 1, 1, 5, 5, 3 (50 %) before and 1, 5, 5, 5, 2 (65 %) after: +15 ± 2.306 · 31.22
/// = −57.0 to +87.0, which holds 0, so no star. They answer capacity_for_change.1 as they
/// answer seeking solutions, so that readiness has 8 of its 15 items in common (at least
/// half) and every respondent's own readiness score stays the mean of the two: readiness
/// pools them (12.5, 12.5, 62.5, 62.5, 37.5 % before, 37.5, 87.5, 87.5, 87.5, 50 % after):
/// 37.5 → 38 % against 70 %, +32.5 ± 2.306 · 15.61 = −3.5 to +68.5 (scipy agrees), which
/// holds 0: a change of 32 points that five people's spread does not carry, so no star.
fn starred_fixture() -> Fixture {
    let (awareness, seek) = (
        keys_of("readiness.problem_awareness"),
        keys_of("readiness.leaders_seek_solutions"),
    );
    let round = |aware: u8, seeking: [u8; 5]| -> StaffAnswers {
        ["a", "b", "c", "d", "e"]
            .into_iter()
            .zip(seeking)
            .map(|(code, value)| {
                let answers = awareness
                    .iter()
                    .map(|k| (k.clone(), aware))
                    .chain(seek.iter().map(|k| (k.clone(), value)))
                    .chain([("readiness.capacity_for_change.1".to_string(), value)])
                    .collect();
                (code, answers)
            })
            .collect()
    };
    staff_fixture(
        "Nordby barnevern",
        round(2, [1, 1, 5, 5, 3]),
        round(4, [1, 5, 5, 5, 2]),
    )
}

/// One person, code "a", in both rounds among two others each time: their paired change
/// would be their own, readable by anyone who knows the code.
#[test]
fn one_pair_is_not_shown_as_a_paired_change_in_any_format() {
    let awareness = keys_of("readiness.problem_awareness");
    let round = |codes: [&'static str; 3], value: u8| -> StaffAnswers {
        codes
            .into_iter()
            .map(|code| (code, awareness.iter().map(|k| (k.clone(), value)).collect()))
            .collect()
    };
    let fixture = staff_fixture(
        "Nordby barnevern",
        round(["a", "b", "c"], 2),
        round(["a", "x", "y"], 4),
    );
    let compare = |format: &str| {
        success(&kartlegg(
            &fixture.db,
            &[
                "compare",
                "--service",
                "Nordby barnevern",
                "--from",
                "Før",
                "--to",
                "Etter",
                "--format",
                format,
                "--lang",
                "en",
            ],
        ))
    };
    let json: Value = serde_json::from_str(&compare("json")).unwrap();
    assert_eq!(json["pairs"], 1);
    for section in json["sections"].as_array().unwrap() {
        assert_eq!(section["paired"], Value::Null, "{}", section["key"]);
        for sub in section["subdomains"].as_array().unwrap() {
            assert_eq!(sub["paired"], Value::Null, "{}", sub["key"]);
        }
    }
    // The change itself is there; the pair's is not, and the reason is said.
    assert_eq!(json["sections"][0]["subdomains"][0]["delta"], 50.0);
    let why = "Only 1 respondent gave the same code in both rounds, fewer than 3: the paired \
               change is not shown, so that no one's own change can be read.";
    for format in ["text", "markdown"] {
        let text = compare(format);
        assert!(text.contains(why), "{format}: {text}");
    }
    let out = fixture.dir.join("pairs.md");
    success(&kartlegg(
        &fixture.db,
        &[
            "report",
            "--service",
            "Nordby barnevern",
            "--format",
            "markdown",
            "--lang",
            "en",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    let markdown = fs::read_to_string(&out).unwrap();
    assert!(markdown.contains(why), "{markdown}");
}

#[test]
fn a_star_needs_five_respondents_and_an_interval_beyond_zero() {
    let fixture = starred_fixture();
    let out = kartlegg(
        &fixture.db,
        &[
            "compare",
            "--service",
            "Nordby barnevern",
            "--from",
            "Før",
            "--to",
            "Etter",
            "--format",
            "json",
        ],
    );
    let json: Value = serde_json::from_str(&success(&out)).unwrap();
    let readiness = &json["sections"][0];
    let awareness = &readiness["subdomains"][0];
    assert_eq!(
        (&awareness["from"], &awareness["to"]),
        (&25.0.into(), &75.0.into())
    );
    assert_eq!(awareness["delta"], 50.0);
    assert_eq!(
        (&awareness["interval_low"], &awareness["interval_high"]),
        (&50.0.into(), &50.0.into())
    );
    assert_eq!(awareness["notable"], true);
    // Paired: the same five, the same +50.
    assert_eq!(awareness["paired"]["delta"], 50.0);
    assert_eq!(awareness["paired"]["notable"], true);

    let seek = &readiness["subdomains"][1];
    assert_eq!((&seek["from"], &seek["to"]), (&50.0.into(), &65.0.into()));
    assert_eq!(seek["delta"], 15.0);
    let (low, high) = (
        seek["interval_low"].as_f64().unwrap(),
        seek["interval_high"].as_f64().unwrap(),
    );
    assert!(low < 0.0 && high > 15.0, "{low} {high}");
    assert_eq!(seek["notable"], false);

    // Readiness pools them: 8 of 15 items in common, comparable; (25 + 50) / 2 = 37.5 → 38 %
    // against (75 + 65) / 2 = 70 %: +32, with −3.5 to +68.5 written as −4 to +69.
    assert_eq!(
        (&readiness["items_common"], &readiness["comparable"]),
        (&8.into(), &true.into())
    );
    assert_eq!(
        (&readiness["from"], &readiness["to"]),
        (&38.0.into(), &70.0.into())
    );
    assert_eq!(readiness["delta"], 32.0);
    let (low, high) = (
        readiness["interval_low"].as_f64().unwrap(),
        readiness["interval_high"].as_f64().unwrap(),
    );
    assert_eq!((low, high), (-4.0, 69.0));
    assert_eq!(readiness["notable"], false);
    let seek_interval = (
        seek["interval_low"].as_f64().unwrap(),
        seek["interval_high"].as_f64().unwrap(),
    );
    assert_eq!(seek_interval, (-57.0, 87.0));

    // The text says the same: the star, the interval, the coverage, n.
    let text = success(&kartlegg(
        &fixture.db,
        &[
            "compare",
            "--service",
            "Nordby barnevern",
            "--from",
            "Før",
            "--to",
            "Etter",
            "--lang",
            "en",
        ],
    ));
    let lines = columns(&text);
    has_line(
        &lines,
        "Problem awareness | 25 % ○ | 75 % ◐ | +50 ★ | +50 to +50 | 4/4 | 5 → 5 | 0 % → 0 %",
    );
    // The paired table: five with the same codes.
    has_line(
        &lines,
        "Problem awareness | 5 | 25 % ○ | 75 % ◐ | +50 ★ | +50 to +50",
    );
}

#[test]
fn compare_as_text_and_markdown() {
    let fixture = fixture();
    let text = compare(&fixture, &[]);
    let lines = columns(&text);
    has_line(
        &lines,
        "Endringsberedskap | 50 % ◐ | 66 % ◐ | ⊘ | – | 2/15 | 4 → 4 | 38 % ⚑ → 0 % | 100 % ● → 25 % ○",
    );
    has_line(
        &lines,
        "Problemforståelse | 50 % ◐ | 66 % ◐ | +16 | – | 2/4 | 4 → 4 | 38 % ⚑ → 0 % | 100 % ● → 25 % ○",
    );
    has_line(
        &lines,
        "Opplæring | 50 % ◐ | 75 % ◐ | ⊘ | – | 1/4 | 3 → 2 | 25 % → 50 % ⚑ | – → –",
    );
    // An area with nothing answered has no change, not "not comparable".
    has_line(
        &lines,
        "Ledere søker løsninger | – | – | – | – | 0/3 | 0 → 0 | – → – | – → –",
    );
    has_line(&lines, "Problemforståelse | 3 | 56 % ◐ | 63 % ◐ | +7 | –");
    assert!(text.contains(&format!("«{SERVICE}»")), "{text}");
    assert!(
        text.contains("«Vet ikke» i alt: 4 av 13 (31 %) → 2 av 13 (15 %)."),
        "{text}"
    );
    // Items that cannot be compared by number and text, with the reason.
    has_line(
        &lines,
        "support.evaluation.1 | Svar med skåre bare i Etter programmet | 24. Programeier hjelper oss å finne ut om praksisen vår faktisk har endret seg.",
    );
    has_line(
        &lines,
        "readiness.problem_awareness.2 | 2 → 4 | +19 | 3,0 | 3,8 | 2. Behovet for endring bygger på kunnskap om tjenesten, for eksempel tilsyn, avvik, fristbrudd eller tilbakemeldinger fra barn og familier.",
    );
    has_line(
        &lines,
        "Endringsberedskap – Problemforståelse | 3 av 8 (38 %) ⚑ | 0 av 8 (0 %) | 0 av 8 (0 %) | 0 av 8 (0 %)",
    );
    has_line(
        &lines,
        "Endringsberedskap | for få til å vise | skjult, vern av en liten gruppe | 100 % ●",
    );
    assert!(text.contains("konvensjon fra NIRN/SISEP"), "{text}");
    assert!(
        text.contains("«verken enig eller uenig» som 50 %"),
        "{text}"
    );

    let english = compare(&fixture, &["--lang", "en"]);
    assert!(
        english.contains("“Don't know” in all: 4 of 13 (31 %) → 2 of 13 (15 %)."),
        "{english}"
    );
    assert!(english.contains("Leader (n = 1)"), "{english}");
    assert!(english.contains("3.0"), "{english}");
    assert!(
        english.contains("From: Før | samling <1> (2026-01-10), 4 respondents"),
        "{english}"
    );

    let markdown = compare(&fixture, &["--format", "markdown"]);
    assert!(
        markdown.starts_with(
            "# Sammenligning av runder: «Testby \\<b\\>barnevern\\</b\\> \\& «co» \\| \\*x\\*»\n"
        ),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "| Område | Før \\| samling \\<1\\> | Etter programmet | Endring | 95 %-intervall | Spørsmål | n | «Vet ikke» | Prosessleder |"
        ),
        "{markdown}"
    );
    assert!(
        markdown.contains("| **Endringsberedskap** | 50 % ◐ | 66 % ◐ | ⊘ | – | 2/15 | 4 → 4 | 38 % ⚑ → 0 % | 100 % ● → 25 % ○ |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| · Problemforståelse | 50 % ◐ | 66 % ◐ | +16 | – | 2/4 | 4 → 4 | 38 % ⚑ → 0 % | 100 % ● → 25 % ○ |"),
        "{markdown}"
    );
    assert!(!markdown.contains("<b>"), "{markdown}");
}

#[test]
fn unknown_names_list_the_candidates_and_fail() {
    let fixture = fixture();
    let out = kartlegg(
        &fixture.db,
        &[
            "compare",
            "--service",
            "Nowhere",
            "--from",
            "a",
            "--to",
            "b",
            "--lang",
            "en",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("No service “Nowhere”"), "{stderr}");
    assert!(stderr.contains(SERVICE), "{stderr}");

    let out = kartlegg(
        &fixture.db,
        &[
            "report",
            "--service",
            SERVICE,
            "--round",
            "Etter",
            "--format",
            "html",
            "--out",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "--out needs a file");
    let out = kartlegg(
        &fixture.db,
        &[
            "compare",
            "--service",
            SERVICE,
            "--from",
            "Før",
            "--to",
            "Underveis",
            "--lang",
            "en",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Rounds: “Før | samling <1>” (2026-01-10), “Underveis” (2026-03-15), “Etter programmet” (2026-06-10)"),
        "{stderr}"
    );
    let out = kartlegg(
        &fixture.db,
        &[
            "compare",
            "--service",
            SERVICE,
            "--from",
            "x",
            "--to",
            "y",
            "--min-group",
            "0",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_smallest_group_under_three_is_refused_naming_the_floor() {
    let fixture = fixture();
    let round_a = ROUND_A.to_string();
    for (command, lang, expected) in [
        (
            "compare",
            "en",
            "kartlegg: --min-group 2 is too small: the smallest group is 3, so that no single person's answers can be read. Use 3 or more.\n",
        ),
        (
            "report",
            "nb",
            "kartlegg: --min-group 2 er for lite: minste gruppe er 3, så ingen enkeltpersons svar kan leses. Bruk 3 eller mer.\n",
        ),
    ] {
        let out_file = fixture.dir.join("refused.md");
        let mut args = vec![command, "--service", SERVICE, "--lang", lang];
        if command == "compare" {
            args.extend(["--from", &round_a, "--to", "Underveis"]);
        } else {
            args.extend(["--format", "markdown", "--out", out_file.to_str().unwrap()]);
        }
        args.extend(["--min-group", "2"]);
        let out = kartlegg(&fixture.db, &args);
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), expected);
        assert!(out.stdout.is_empty());
        assert!(!out_file.exists(), "no report is written");
    }
}

fn report(fixture: &Fixture, name: &str, extra: &[&str]) -> (PathBuf, String) {
    let out = fixture.dir.join(name);
    let mut args = vec![
        "report",
        "--service",
        SERVICE,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    success(&kartlegg(&fixture.db, &args));
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the report is readable by its owner alone");
    let text = fs::read_to_string(&out).unwrap();
    (out, text)
}

#[test]
fn markdown_report_for_a_gathering() {
    let fixture = fixture();
    // An old report with a wider mode is replaced by a private one.
    let old = fixture.dir.join("rapport.md");
    fs::write(&old, "old").unwrap();
    fs::set_permissions(&old, fs::Permissions::from_mode(0o644)).unwrap();
    let (_, md) = report(&fixture, "rapport.md", &["--format", "markdown"]);
    let expect = |needle: &str| assert!(md.contains(needle), "no {needle:?} in:\n{md}");
    expect("# Rapport: «Testby \\<b\\>barnevern\\</b\\> \\& «co» \\| \\*x\\*»\n");
    expect("## Sammenligning: Før \\| samling \\<1\\> → Etter programmet\n");
    // The comparison with its coverage, n and the process leader apart.
    expect("Prosessleders svar er holdt utenfor tjenestens skåre og står for seg.");
    expect(
        "| · Problemforståelse | 50 % ◐ | 66 % ◐ | +16 | – | 2/4 | 4 → 4 | 38 % ⚑ → 0 % | 100 % ● → 25 % ○ |",
    );
    expect("| · Problemforståelse | 3 | 56 % ◐ | 63 % ◐ | +7 | – |");
    expect("konvensjon fra NIRN/SISEP");
    // The trend has every round, in date order (Underveis was made last).
    expect(
        "| Område | Før \\| samling \\<1\\> (10.01.2026) | Underveis (15.03.2026) | Etter programmet (10.06.2026) |",
    );
    expect("| Endringsberedskap | 50 % ◐ · n 4 | 50 % ◐ · n 1 | 66 % ◐ · n 4 |");
    // Roles: the leader alone is never shown, nor the staff beside them, from whom and the
    // service's score the leader's could be worked out.
    expect("| Område | Leder (n = 1) | Ansatt (n = 3) | Prosessleder (n = 1) |");
    expect("| Endringsberedskap | for få til å vise | skjult, vern av en liten gruppe | 100 % ● |");
    // Spread: A's readiness per respondent 87.5, 0, 50, 25: the range's top would be the
    // hidden leader, so only the mean; so too in B, where every group is hidden; B's
    // competence has n 2 < 3.
    expect("| Endringsberedskap | n 4 · 41 % | n 1 · for få til å vise | n 4 · 66 % |");
    expect("| Kompetansedrivere | n 3 · 50 % | n 0 · – | n 2 · for få til å vise |");
    // The items that moved most, and "vet ikke".
    expect(
        "| 35. Opplæringen har et omfang som er nok til å lære det nye, uten å ta mer tid enn tjenesten kan avse. | 1,0 | 1,5 | +25 | 3 → 2 | competence.training.1 |",
    );
    expect("«Vet ikke» i alt: 4 av 13 (31 %) → 2 av 13 (15 %).");
    expect(
        "| Endringsberedskap – Problemforståelse | 3 av 8 (38 %) ⚑ | 0 av 8 (0 %) | 0 av 8 (0 %) | 0 av 8 (0 %) |",
    );
    expect(
        "| Kompetansedrivere – Opplæring | 1 av 4 (25 %) | 2 av 4 (50 %) ⚑ | 0 av 4 (0 %) | 0 av 4 (0 %) |",
    );
    expect(
        "| 16. Det programmet handler om, passer med de forbedringsområdene tjenesten selv har pekt ut. | Svar med skåre bare i Før \\| samling \\<1\\> | fit.answers\\_problem.1 |",
    );
    assert!(!md.contains("<b>"));

    // Chosen rounds, by id and label, still in date order; then a single round.
    let (_, md) = report(
        &fixture,
        "two.md",
        &[
            "--format",
            "markdown",
            "--round",
            "etter programmet",
            "--round",
            &fixture.round_a_id,
            "--lang",
            "en",
        ],
    );
    assert!(
        md.contains(
            "| Area | Før \\| samling \\<1\\> (2026-01-10) | Etter programmet (2026-06-10) |"
        ),
        "{md}"
    );
    assert!(!md.contains("Underveis"), "{md}");
    let (_, md) = report(
        &fixture,
        "one.md",
        &["--format", "markdown", "--round", "Underveis"],
    );
    assert!(md.contains("Rapporten har bare én runde"), "{md}");
    assert!(
        md.contains("| **Endringsberedskap** | 50 % ◐ | 1 | 0 |"),
        "{md}"
    );
}

// ---- plans, goals, stage and consensus ----

const BARRIER: &str = "<i>Ingen tid</i> | *x*";

/// Adds to the fixture what a gathering and the planning after it would:
/// stage "agenda" in round A and "adapt" in B (none in Underveis); consensus on problem
/// awareness 3 in A ((3 − 1) / 4 = 50 %) and 4 in B (75 %), on training 2 in B (2 / 2 =
/// 100 %); on training a barrier (team level), a strategy, and three measures: one done,
/// one due long ago (overdue on any report date), one due far ahead; a goal achieved step
/// by step (A not, Underveis partly, B achieved) and a goal without any status.
/// The fixture's service and its round ids in date order: A, Underveis, B.
fn service_and_rounds(store: &Store) -> (String, Vec<String>) {
    let service = store.services().unwrap()[0].service.id.clone();
    let rounds = store
        .rounds(&service)
        .unwrap()
        .into_iter()
        .map(|r| r.round.id)
        .collect();
    (service, rounds)
}

fn with_plans(fixture: &Fixture) {
    let mut store = Store::open(&fixture.db).unwrap();
    let (service, rounds) = service_and_rounds(&store);
    // In date order: A, Underveis, B.
    let (a, between, b) = (&rounds[0], &rounds[1], &rounds[2]);
    assert_eq!(a, &fixture.round_a_id);
    store
        .set_round_stage(a, Some(Stage::Agenda), at(10))
        .unwrap();
    store
        .set_round_stage(b, Some(Stage::Adapt), at(10))
        .unwrap();
    let awareness = "readiness.problem_awareness";
    store.set_consensus(a, awareness, Some(3), at(11)).unwrap();
    store.set_consensus(b, awareness, Some(4), at(11)).unwrap();
    store
        .set_consensus(b, "competence.training", Some(2), at(11))
        .unwrap();
    let item = |kind, text: &str| PlanItem {
        id: String::new(),
        service_id: service.clone(),
        subdomain_key: "competence.training".into(),
        kind,
        text: text.into(),
        level: None,
        owner: String::new(),
        due_on: None,
        done: false,
        done_on: None,
    };
    let plan = [
        PlanItem {
            level: Some(Level::Team),
            ..item(PlanKind::Barrier, BARRIER)
        },
        item(PlanKind::Strategy, "Opplæring i arbeidstiden"),
        PlanItem {
            owner: "Fagleder".into(),
            due_on: Some(date(2, 1)),
            done: true,
            done_on: Some(date(2, 20)),
            ..item(PlanKind::Measure, "Kurs for alle")
        },
        PlanItem {
            owner: "Leder".into(),
            due_on: NaiveDate::from_ymd_opt(2020, 1, 1),
            ..item(PlanKind::Measure, "Avtale med RKBU")
        },
        PlanItem {
            owner: "Nøkkelperson".into(),
            due_on: NaiveDate::from_ymd_opt(2099, 12, 31),
            ..item(PlanKind::Measure, "Oppfølging i teamet")
        },
    ];
    for (minute, item) in (12..).zip(&plan) {
        store.add_plan_item(item, at(minute)).unwrap();
    }
    let goal = store
        .add_goal(
            &service,
            "Alle har fått opplæring",
            &["competence.training".into()],
            at(20),
        )
        .unwrap();
    store
        .add_goal(&service, "Felles språk", &[], at(21))
        .unwrap();
    for (round, status) in [
        (a, GoalStatus::Not),
        (between, GoalStatus::Partly),
        (b, GoalStatus::Achieved),
    ] {
        store
            .set_goal_status(&goal.id, round, Some(status), at(22))
            .unwrap();
    }
}

#[test]
fn compare_carries_consensus_stage_plans_and_goals() {
    let fixture = fixture();
    with_plans(&fixture);
    let json: Value = serde_json::from_str(&compare(&fixture, &["--format", "json"])).unwrap();
    assert_eq!(json["format_version"], 5);
    assert_eq!(json["from"]["stage"], "agenda");
    assert_eq!(json["from"]["stage_name"], "Sette problemet på dagsorden");
    assert_eq!(json["to"]["stage"], "adapt");
    let readiness = &json["sections"][0];
    assert!(readiness.get("consensus_from").is_none(), "subdomains only");
    let awareness = &readiness["subdomains"][0];
    assert_eq!(awareness["from"], 50.0);
    assert_eq!(awareness["delta"], 16.0);
    assert_eq!(awareness["consensus_from"], 3);
    assert_eq!(awareness["consensus_to"], 4);
    assert_eq!(awareness["consensus_percent_from"], 50.0);
    assert_eq!(awareness["consensus_percent_to"], 75.0);
    let training = json["sections"][3]["subdomains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "competence.training")
        .unwrap()
        .clone();
    assert_eq!(training["consensus_from"], Value::Null);
    assert_eq!(training["consensus_to"], 2);
    assert_eq!(training["consensus_percent_to"], 100.0);

    let items = json["plan_items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["kind"], "barrier");
    assert_eq!(items[0]["text"], BARRIER);
    assert_eq!(items[0]["level"], "team");
    assert_eq!(items[0]["subdomain"], "competence.training");
    assert_eq!(items[0]["subdomain_name"], "Opplæring");
    assert_eq!(items[2]["done_on"], "2026-02-20");
    assert_eq!(items[3]["due_on"], "2020-01-01");
    assert_eq!(items[3]["done"], false);
    let goals = json["goals"].as_array().unwrap();
    assert_eq!(goals[0]["status_from"], "not");
    assert_eq!(goals[0]["status_to"], "achieved");
    assert_eq!(goals[0]["subdomains"][0], "competence.training");
    assert_eq!(goals[1]["status_to"], Value::Null);

    // Text and Markdown: the consensus beside the scores, the stage beside each round.
    let lines = columns(&compare(&fixture, &[]));
    has_line(
        &lines,
        "Problemforståelse | 50 % ◐ | 66 % ◐ | +16 | – | 2/4 | 4 → 4 | 38 % ⚑ → 0 % | 3 (50 %) → 4 (75 %) | 100 % ● → 25 % ○",
    );
    has_line(
        &lines,
        "Opplæring | 50 % ◐ | 75 % ◐ | ⊘ | – | 1/4 | 3 → 2 | 25 % → 50 % ⚑ | – → 2 (100 %) | – → –",
    );
    let markdown = compare(&fixture, &["--format", "markdown", "--lang", "en"]);
    for needle in [
        "| Area | Før \\| samling \\<1\\> | Etter programmet | Change | 95 % interval | Items | n | “Don't know” | Consensus | Process leader |",
        "| · Problem awareness | 50 % ◐ | 66 % ◐ | +16 | – | 2/4 | 4 → 4 | 38 % ⚑ → 0 % | 3 (50 %) → 4 (75 %) | 100 % ● → 25 % ○ |",
        "| **Readiness for change** | 50 % ◐ | 66 % ◐ | ⊘ | – | 2/15 | 4 → 4 | 38 % ⚑ → 0 % |  | 100 % ● → 25 % ○ |",
        "· Implementation stage: Put the problem on the agenda",
        "· Implementation stage: Adapt the measures",
    ] {
        assert!(markdown.contains(needle), "no {needle:?} in:\n{markdown}");
    }
}

/// The use case the compare screen is to call gives what `kartlegg compare` prints: the
/// same comparison and each round's consensus and stage.
#[test]
fn load_and_compare_gives_what_compare_prints() {
    use kartlegg::domain::compare::Options;
    use kartlegg::usecase::comparison::load_and_compare;
    let fixture = fixture();
    with_plans(&fixture);
    let store = Store::open(&fixture.db).unwrap();
    let service = store.services().unwrap()[0].service.id.clone();
    let rounds: Vec<_> = store
        .rounds(&service)
        .unwrap()
        .into_iter()
        .map(|r| r.round)
        .collect();
    let (a, b) = (rounds[0].clone(), rounds[2].clone());
    let compared =
        load_and_compare(&store, Instrument::standard(), a, b, Options::default()).unwrap();
    assert_eq!(compared.from.stage, Some(Stage::Agenda));
    assert_eq!(compared.to.stage, Some(Stage::Adapt));
    assert_eq!(compared.from.consensus["readiness.problem_awareness"], 3);
    assert_eq!(compared.to.consensus["competence.training"], 2);
    let json: Value = serde_json::from_str(&compare(&fixture, &["--format", "json"])).unwrap();
    let (c, readiness) = (&compared.comparison, &json["sections"][0]);
    assert_eq!(json["from"]["counted"], c.n_from);
    assert_eq!(json["pairs"], c.pairs);
    assert_eq!(readiness["key"], c.sections[0].area.key.as_str());
    assert_eq!(readiness["n_from"], c.sections[0].area.change.n_from);
    assert_eq!(readiness["n_to"], c.sections[0].area.change.n_to);
    assert_eq!(readiness["items_common"], c.sections[0].area.items_common);
    assert_eq!(
        readiness["from"].as_f64(),
        c.sections[0].area.change.from.percent()
    );
    assert_eq!(json["items"].as_array().unwrap().len(), c.items.len());
}

/// Needs by hand, in the first and the last round (the fixture's readiness is 50 % and
/// 66 %, both at least "partly"): investigations 2→5 then 4→5, a top-three priority, so a
/// gap of +3 then +1 the service is ready to work on; the law 4→3 (−1), not a priority.
/// Nothing in the round between. Expectations and two facts in the first round.
/// Needs in A and B (none in Underveis): investigation 2→5 in A and 4→5 in B, among the top
/// three, for caseworkers; law 4→3 in both. Gives A's and B's ids.
fn with_needs(store: &mut Store) -> (String, String) {
    use kartlegg::domain::needs::{NeedField, Who};
    use kartlegg::store::Needs;
    let (_, rounds) = service_and_rounds(store);
    let (a, b) = (rounds[0].clone(), rounds[2].clone());
    for (round, mastery) in [(&a, 2), (&b, 4)] {
        for change in [
            NeedField::Mastery(Some(mastery)),
            NeedField::Importance(Some(5)),
            NeedField::TopThree(true),
            NeedField::Who(Some(Who::Caseworkers)),
        ] {
            store
                .set_need(round, "investigation", &change, at(5))
                .unwrap();
        }
        for change in [NeedField::Mastery(Some(4)), NeedField::Importance(Some(3))] {
            store.set_need(round, "law", &change, at(5)).unwrap();
        }
    }
    (a, b)
}

#[test]
fn markdown_report_shows_the_needs_the_expectations_and_the_facts() {
    use kartlegg::domain::needs::{Expectation, Expectations, Facts, NeedField, YesPartlyNo};
    use kartlegg::store::Needs;
    let fixture = fixture();
    let mut store = Store::open(&fixture.db).unwrap();
    let (a, _) = with_needs(&mut store);
    let a = a.as_str();
    store
        .set_need(
            a,
            "investigation",
            &NeedField::Missing("Struktur | <i>".into()),
            at(5),
        )
        .unwrap();
    let expectations = Expectations {
        wants: vec![Expectation::NewKnowledge, Expectation::Supervision],
        text: "Verktøy".into(),
        knows_why: Some(YesPartlyNo::Partly),
        own_wish: Some(YesPartlyNo::No),
    };
    store.set_expectations(a, &expectations, at(5)).unwrap();
    let facts = Facts {
        ftes: Some(12.5),
        newly_qualified: Some(40.0),
        ..Facts::default()
    };
    store.set_facts(a, &facts, at(5)).unwrap();
    drop(store);

    let (_, md) = report(&fixture, "needs.md", &["--format", "markdown"]);
    let expect = |needle: &str| assert!(md.contains(needle), "no {needle:?} in:\n{md}");
    expect("## Kompetansebehov\n");
    expect("### Behovene i Etter programmet (10.06.2026)\n");
    expect("Beredskap for endring i runden: 66 % ◐ (n = 4).");
    let needs = markdown_table(&md, "Kompetansebehov");
    assert_eq!(
        needs,
        [
            vec![
                "Område",
                "Mestring",
                "Viktighet",
                "Gap",
                "Topp 3",
                "Hvem",
                "Klar?",
                "Hva mangler"
            ],
            vec![
                "Undersøkelse og beslutning",
                "4",
                "5",
                "+1",
                "✓",
                "saksbehandlere",
                "klar til å jobbe med",
                ""
            ],
            vec![
                "Barnevernsloven og annet regelverk",
                "4",
                "3",
                "−1",
                "",
                "",
                "ikke blant topp 3",
                ""
            ],
        ]
    );
    // Round by round, the round between with nothing recorded left empty.
    expect("| Undersøkelse og beslutning | +3 (2→5) ✓ |  | +1 (4→5) ✓ |");
    expect("| Barnevernsloven og annet regelverk | −1 (4→3) |  | −1 (4→3) |");
    expect(
        "| Før \\| samling \\<1\\> (10.01.2026) | ny kunnskap, veiledning | delvis | nei | Verktøy |",
    );
    expect("| Årsverk | 12,5 |  |  |");
    expect("| Andel nyutdannede | 40 % |  |  |");
    expect("| Akuttsaker |  |  |  |");
}

// ---- positions against the 2031 requirement ----

/// Posts recorded in round A (10.01.2026) and B (10.06.2026), none in Underveis; each
/// status worked out by hand against requirement_2031.toml (a master's in child welfare
/// meets it; a bachelor's with 60 credits and 5 years; another master's with 5 years).
/// A: one leader, master → meets; four caseworkers: master → meets; bachelor 60 cr 5 y →
///    meets; bachelor 30 cr 2 y with 30 planned for 2028 → will (2 + 4 whole years until
///    1.1.2031 = 6 ≥ 5, 30 + 30 = 60); other education → will not; one other role, not
///    covered. The leader alone is too few, so the caseworkers are hidden too; all 5 shown:
///    3 (60 %), 1 (20 %), 1 (20 %).
/// B: three leaders: master → meets; other master, 5 y → meets; bachelor 0 cr 1 y → will
///    not: 2 (67 %), 0 (0 %), 1 (33 %). Four caseworkers: master ×2 → meets; bachelor 30 cr
///    3 y with 30 planned for 2030 → will (3 + 4 = 7); none → will not: 2 (50 %), 1 (25 %),
///    1 (25 %). All 7: 4 (57 %), 1 (14 %), 2 (29 %).
fn with_positions(fixture: &Fixture) {
    use kartlegg::domain::requirement::{Education, PositionFacts, PositionRole};
    use kartlegg::store::Positions;
    let mut store = Store::open(&fixture.db).unwrap();
    let (_, rounds) = service_and_rounds(&store);
    let post = |role, education, credits, years, planned: Option<(u16, u16)>| PositionFacts {
        role,
        education,
        credits,
        years,
        planned_credits: planned.map_or(0, |p| p.0),
        planned_year: planned.map(|p| p.1),
    };
    use Education as E;
    use PositionRole::{Caseworker, Leader, Other as OtherRole};
    let a = [
        post(Leader, E::MasterChildWelfare, 0, 0, None),
        post(Caseworker, E::MasterChildWelfare, 0, 0, None),
        post(Caseworker, E::BachelorRelevant, 60, 5, None),
        post(Caseworker, E::BachelorRelevant, 30, 2, Some((30, 2028))),
        post(Caseworker, E::Other, 0, 10, None),
        post(OtherRole, E::None, 0, 0, None),
    ];
    let b = [
        post(Leader, E::MasterChildWelfare, 0, 0, None),
        post(Leader, E::MasterOtherRelevant, 0, 5, None),
        post(Leader, E::BachelorRelevant, 0, 1, None),
        post(Caseworker, E::MasterChildWelfare, 0, 0, None),
        post(Caseworker, E::MasterChildWelfare, 0, 0, None),
        post(Caseworker, E::BachelorRelevant, 30, 3, Some((30, 2030))),
        post(Caseworker, E::None, 0, 0, None),
    ];
    for (round, posts) in [(&rounds[0], &a[..]), (&rounds[2], &b[..])] {
        for facts in posts {
            store.add_position(round, facts, at(6)).unwrap();
        }
    }
}

/// The rows of the Markdown table that follows a `### subheading`, header row first.
fn markdown_subtable(markdown: &str, subheading: &str) -> Vec<String> {
    table_lines(markdown, &format!("### {subheading}\n"))
        .map(str::to_string)
        .collect()
}

#[test]
fn markdown_report_shows_the_positions_against_the_2031_requirement() {
    let fixture = fixture();
    let (_, md) = report(&fixture, "none.md", &["--format", "markdown"]);
    assert!(
        md.contains("## Formell kompetanse mot kravet for 2031\n"),
        "{md}"
    );
    assert!(
        md.contains("Ingen stillinger er registrert i de valgte rundene."),
        "{md}"
    );
    with_positions(&fixture);
    let (_, md) = report(&fixture, "positions.md", &["--format", "markdown"]);
    let expect = |needle: &str| assert!(md.contains(needle), "no {needle:?} in:\n{md}");
    // The requirement, its rules' key and version, and its source.
    expect("Kravet: Kompetansekravet i barnevernsloven (fra 2031).");
    expect("barnevernsloven-2031, versjon 1; kilde: Prop. 133 L (2020–2021) kap. 4;");
    expect("med planlagt videreutdanning ferdig senest 2030");
    assert_eq!(
        markdown_subtable(&md, "Stillingene i Etter programmet (10.06.2026)"),
        [
            "| Gruppe | n | Oppfyller nå | Vil oppfylle innen 2031 | Vil ikke | Landet 2020 |",
            "| Ledere | 3 | 2 (67 %) | 0 (0 %) | 1 (33 %) | 16 % ledere med master |",
            "| Saksbehandlere | 4 | 2 (50 %) | 1 (25 %) | 1 (25 %) | 9 % saksbehandlere med master |",
            "| Alle | 7 | 4 (57 %) | 1 (14 %) | 2 (29 %) | 36 % relevant kompetanse, med videreutdanning |",
        ]
    );
    expect("Landet 2020 (SSB, Kompetanse i barnevernet. Kartlegging 2020): 9 % saksbehandlere");
    // Round by round, the round between with none recorded; A's other post apart.
    assert_eq!(
        markdown_subtable(&md, "Runde for runde, alle stillinger kravet gjelder"),
        [
            "| Runde | n | Oppfyller nå | Vil oppfylle innen 2031 | Vil ikke | Ikke omfattet |",
            "| Før \\| samling \\<1\\> (10.01.2026) | 5 | 3 (60 %) | 1 (20 %) | 1 (20 %) | 1 |",
            "| Underveis (15.03.2026) | 0 | – | – | – | 0 |",
            "| Etter programmet (10.06.2026) | 7 | 4 (57 %) | 1 (14 %) | 2 (29 %) | 0 |",
        ]
    );
    // In English, the same table.
    let (_, md) = report(
        &fixture,
        "positions-en.md",
        &["--format", "markdown", "--lang", "en"],
    );
    assert!(
        md.contains(
            "| Caseworkers | 4 | 2 (50 %) | 1 (25 %) | 1 (25 %) | 9 % caseworkers with a master's |"
        ),
        "{md}"
    );
    assert!(
        md.contains("## Formal competence against the 2031 requirement\n"),
        "{md}"
    );
}

/// `compare` from A to B with `with_positions` and `with_needs` (in A investigation 2→5, gap
/// +3, a need, among the top three, and law 4→3, −1; in B investigation 4→5, +1, among the
/// top three, and law −1), and in B documentation with a mastery of 3 and no importance (no
/// gap, `–`).
#[test]
fn compare_carries_the_needs_and_the_positions_against_2031_in_every_format() {
    use kartlegg::domain::needs::NeedField;
    use kartlegg::store::Needs;
    let fixture = fixture();
    let text = compare(&fixture, &[]);
    assert!(
        text.contains("Ingen kompetansebehov er registrert i de to rundene."),
        "{text}"
    );
    assert!(
        text.contains("Ingen stillinger er registrert i de to rundene."),
        "{text}"
    );
    with_positions(&fixture);
    let mut store = Store::open(&fixture.db).unwrap();
    let (_, b) = with_needs(&mut store);
    store
        .set_need(&b, "documentation", &NeedField::Mastery(Some(3)), at(5))
        .unwrap();
    drop(store);

    // Posts in the to-round only: the from-round says it has none, with no table of dashes.
    let only_b = success(&kartlegg(
        &fixture.db,
        &[
            "compare",
            "--service",
            SERVICE,
            "--from",
            "Underveis",
            "--to",
            "Etter programmet",
        ],
    ));
    let rows = columns(&only_b);
    let between = rows
        .iter()
        .rposition(|l| l == "Underveis (15.03.2026)")
        .unwrap();
    assert_eq!(
        rows[between + 2],
        "Ingen stillinger er registrert i runden.",
        "{only_b}"
    );
    let text = compare(&fixture, &[]);
    let lines = columns(&text);
    has_line(
        &lines,
        "Undersøkelse og beslutning | +3 (2→5) ✓ | +1 (4→5) ✓",
    );
    has_line(
        &lines,
        "Barnevernsloven og annet regelverk | −1 (4→3) | −1 (4→3)",
    );
    // An area with a mastery alone has no gap: nothing in A, `–` in B.
    has_line(&lines, "Dokumentasjon og saksbehandling | –");
    has_line(
        &lines,
        "Ledere | 1 | for få til å vise | for få til å vise | for få til å vise | 16 % ledere med master",
    );
    has_line(
        &lines,
        "Alle | 7 | 4 (57 %) | 1 (14 %) | 2 (29 %) | 36 % relevant kompetanse, med videreutdanning",
    );
    assert!(
        text.contains("Andre stillinger, ikke omfattet av kravet: 1"),
        "{text}"
    );

    let md = compare(&fixture, &["--format", "markdown", "--lang", "en"]);
    for row in [
        "| Investigations and decisions | +3 (2→5) ✓ | +1 (4→5) ✓ |",
        "| Leaders | 3 | 2 (67 %) | 0 (0 %) | 1 (33 %) | 16 % leaders with a master's |",
        "| Caseworkers | 4 | hidden, protects a small group | hidden, protects a small group | hidden, protects a small group | 9 % caseworkers with a master's |",
        "| All | 5 | 3 (60 %) | 1 (20 %) | 1 (20 %) | 36 % relevant competence, with further education |",
    ] {
        assert!(md.contains(row), "no {row:?} in:\n{md}");
    }

    let json: Value = serde_json::from_str(&compare(&fixture, &["--format", "json"])).unwrap();
    let needs = &json["needs"];
    assert_eq!(needs["need_gap"], 2);
    assert_eq!(
        needs["top_three"]["from"],
        serde_json::json!(["investigation"])
    );
    assert_eq!(
        needs["top_three"]["to"],
        serde_json::json!(["investigation"])
    );
    let area = |key: &str| {
        needs["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["key"] == key)
            .unwrap_or_else(|| panic!("no area {key} in {needs}"))
            .clone()
    };
    let investigation = area("investigation");
    assert_eq!(investigation["own"], false);
    assert_eq!(
        investigation["from"],
        serde_json::json!({"mastery": 2, "importance": 5, "gap": 3, "is_need": true, "top_three": true})
    );
    assert_eq!(
        investigation["to"],
        serde_json::json!({"mastery": 4, "importance": 5, "gap": 1, "is_need": false, "top_three": true})
    );
    assert_eq!(area("law")["to"]["gap"], -1);
    let documentation = area("documentation");
    assert_eq!(documentation["from"], Value::Null);
    assert_eq!(documentation["to"]["gap"], Value::Null);
    assert_eq!(needs["areas"].as_array().unwrap().len(), 3);
    let positions = &json["positions_2031"];
    assert_eq!(positions["requirement"]["key"], "barnevernsloven-2031");
    assert_eq!(positions["requirement"]["version"], "1");
    assert_eq!(positions["requirement"]["applies_from"], "2031-01-01");
    assert_eq!(positions["baseline"]["year"], 2020);
    assert_eq!(positions["baseline"]["figures"][0]["group"], "caseworker");
    assert_eq!(positions["baseline"]["figures"][0]["percent"], 9);
    let group = |side: &str, index: usize| positions[side]["groups"][index].clone();
    assert_eq!(
        group("from", 0),
        serde_json::json!({"group": "leader", "n": 1, "shown": false, "hidden": "too_few", "meets": null, "will": null, "will_not": null})
    );
    assert_eq!(group("from", 1)["hidden"], "protects");
    assert_eq!(
        group("from", 2),
        serde_json::json!({"group": "all", "n": 5, "shown": true, "hidden": null, "meets": 3, "will": 1, "will_not": 1})
    );
    assert_eq!(positions["from"]["not_covered"], 1);
    assert_eq!(
        group("to", 1),
        serde_json::json!({"group": "caseworker", "n": 4, "shown": true, "hidden": null, "meets": 2, "will": 1, "will_not": 1})
    );
    assert_eq!(group("to", 2)["meets"], 4);
    assert_eq!(positions["to"]["not_covered"], 0);
}

/// Round A alone: its one leader is too few to show, and the four caseworkers are hidden
/// with it, so that "all" (shown, n 5) minus the caseworkers cannot give the leader's back.
#[test]
fn a_small_role_among_the_positions_is_not_shown_nor_computed_back_from_all() {
    let fixture = fixture();
    with_positions(&fixture);
    let (_, md) = report(
        &fixture,
        "a.md",
        &["--format", "markdown", "--round", &fixture.round_a_id],
    );
    let table = markdown_subtable(&md, "Stillingene i Før \\| samling \\<1\\> (10.01.2026)");
    assert_eq!(
        table[1..],
        [
            "| Ledere | 1 | for få til å vise | for få til å vise | for få til å vise | 16 % ledere med master |",
            "| Saksbehandlere | 4 | skjult, vern av en liten gruppe | skjult, vern av en liten gruppe | skjult, vern av en liten gruppe | 9 % saksbehandlere med master |",
            "| Alle | 5 | 3 (60 %) | 1 (20 %) | 1 (20 %) | 36 % relevant kompetanse, med videreutdanning |",
        ]
    );
    assert!(
        md.contains("Andre stillinger, ikke omfattet av kravet: 1"),
        "{md}"
    );
    // Nowhere else in the report does a count of the leader's or the caseworkers' appear.
    assert!(!md.contains("Runde for runde, alle stillinger"), "{md}");
}

#[test]
fn markdown_report_shows_the_plan_the_goal_matrix_and_the_consensus() {
    let fixture = fixture();
    with_plans(&fixture);
    let (_, md) = report(&fixture, "plan.md", &["--format", "markdown"]);
    let expect = |needle: &str| assert!(md.contains(needle), "no {needle:?} in:\n{md}");
    // Rounds with their stage, and the stage on the trend.
    expect("| Runde | Dato | Når | Respondenter | Versjon | Implementeringsfase |");
    expect(
        "| Før \\| samling \\<1\\> | 10.01.2026 | Underveis | 5 | 2.0 | Sette problemet på dagsorden |",
    );
    expect("| Underveis | 15.03.2026 | Underveis | 1 | 2.0 | – |");
    expect("| Implementeringsfase | Sette problemet på dagsorden | – | Tilpasse tiltak |");
    // The comparison table has the consensus column.
    expect(
        "| Område | Før \\| samling \\<1\\> | Etter programmet | Endring | 95 %-intervall | Spørsmål | n | «Vet ikke» | Konsensus | Prosessleder |",
    );
    expect(
        "| · Problemforståelse | 50 % ◐ | 66 % ◐ | +16 | – | 2/4 | 4 → 4 | 38 % ⚑ → 0 % | 3 (50 %) → 4 (75 %) | 100 % ● → 25 % ○ |",
    );
    expect("*Konsensus = verdien gruppen ble enig om");
    // The plan, with user text escaped.
    expect("## Plan: barrierer, strategier og tiltak\n");
    expect("2 åpne tiltak, 1 av dem over fristen per ");
    expect("### Kompetansedrivere – Opplæring\n");
    expect("*Skåre i Etter programmet: 75 % ◐ · konsensus 2 (100 %)*");
    expect("| Barriere | Nivå |");
    expect("| \\<i\\>Ingen tid\\</i\\> \\| \\*x\\* | Gruppe/team |");
    expect("| Strategi |\n| --- |\n| Opplæring i arbeidstiden |");
    expect("| Tiltak | Ansvarlig | Frist | Status |");
    expect("| Kurs for alle | Fagleder | 01.02.2026 | ✓ utført 20.02.2026 |");
    expect("| Avtale med RKBU | Leder | 01.01.2020 | ⚠ over fristen |");
    expect("| Oppfølging i teamet | Nøkkelperson | 31.12.2099 | ☐ åpent |");
    assert!(!md.contains("<i>"), "{md}");
    // The goal matrix: goals × rounds, in words and symbols.
    expect("## Mål, runde for runde\n");
    expect("*○ Ikke oppnådd · ◐ Delvis oppnådd · ● Oppnådd · – ikke vurdert i runden*");
    expect(
        "| Mål | Gjelder | Før \\| samling \\<1\\> (10.01.2026) | Underveis (15.03.2026) | Etter programmet (10.06.2026) |",
    );
    expect(
        "| Alle har fått opplæring | Opplæring | ○ Ikke oppnådd | ◐ Delvis oppnådd | ● Oppnådd |",
    );
    expect("| Felles språk | – | – | – | – |");

    // One round alone: its consensus beside its scores.
    let (_, md) = report(
        &fixture,
        "one.md",
        &[
            "--format",
            "markdown",
            "--round",
            "Etter programmet",
            "--lang",
            "nn",
        ],
    );
    assert!(
        md.contains("| Område | Skåre | n | Veit ikkje | Konsensus |"),
        "{md}"
    );
    assert!(
        md.contains("| · Problemforståing | 66 % ◐ | 4 | 0 | 4 (75 %) |"),
        "{md}"
    );
}

// ---- the HTML report in a real browser ----

#[test]
fn html_report_renders_in_headless_chromium() {
    let fixture = fixture();
    with_plans(&fixture);
    with_positions(&fixture);
    let (page, html) = report(
        &fixture,
        "rapport.html",
        &["--format", "html", "--lang", "en"],
    );
    assert!(!html.contains("<script"), "no scripts in the file");
    let without_namespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for link in [
        "http://",
        "https://",
        "src=",
        "href=",
        "@import",
        "@font-face",
    ] {
        assert!(
            !without_namespace.contains(link),
            "nothing to fetch: {link}"
        );
    }
    assert!(
        !without_namespace.contains("url("),
        "nothing to fetch from CSS"
    );
    assert!(!html.contains("Alert"), "comments are not in the report");

    let url = format!("file://{}", page.display());
    let dom_file = fixture.dir.join("dom.html");
    run_chromium(&["--dump-dom".to_string(), url.clone()], &dom_file);
    let dom = fs::read_to_string(&dom_file).unwrap();
    let expect = |needle: &str| assert!(dom.contains(needle), "no {needle:?} in the DOM:\n{dom}");

    // Escaped user text stays text: no <b> element comes out of the service's name.
    expect("<h1>Report: “Testby &lt;b&gt;barnevern&lt;/b&gt; &amp; «co» | *x*”</h1>");
    assert!(!dom.contains("<b>"), "{dom}");
    for heading in [
        "Comparison: Før | samling &lt;1&gt; → Etter programmet",
        "Trend per section, round by round",
        "Roles side by side",
        "n, mean and spread per section",
        "The items that moved most",
        "“Don't know”",
        "Plan: barriers, strategies and measures",
        "Goals, round by round",
    ] {
        expect(&format!("-heading\">{heading}</h2>"));
    }
    expect(
        "<th scope=\"row\">Readiness for change</th><td class=\"num\">50 % ◐</td><td class=\"num\">66 % ◐</td><td class=\"num\">⊘</td><td class=\"num\">–</td><td class=\"num\">2/15</td><td class=\"num\">4 → 4</td><td class=\"num\">38 % ⚑ → 0 %</td><td class=\"num\"></td><td class=\"num\">100 % ● → 25 % ○</td>",
    );
    expect("<td class=\"num\">3 (50 %) → 4 (75 %)</td>");
    // The plan, its user text inert, and the goal matrix as a table of words and symbols.
    expect("<th scope=\"row\">&lt;i&gt;Ingen tid&lt;/i&gt; | *x*</th><td>Group/team</td>");
    assert!(!dom.contains("<i>"), "{dom}");
    expect("<td>2020-01-01</td><td>⚠ overdue</td>");
    expect(
        "<table class=\"goals\">\n<thead><tr><th scope=\"col\">Goal</th><th scope=\"col\">Concerns</th><th scope=\"col\">Før | samling &lt;1&gt; <span class=\"nobr\">(2026-01-10)</span></th>",
    );
    expect(
        "<th scope=\"row\">Alle har fått opplæring</th><td>Training</td><td>○ Not achieved</td><td>◐ Partly achieved</td><td>● Achieved</td>",
    );
    expect("<td class=\"num\">too few to show</td>");
    expect("<td class=\"num\">hidden, protects a small group</td>");
    expect("<td class=\"num\">n 4 · 41 %</td>");
    // The positions against 2031 beside the national figure, a hidden count in words.
    expect("-heading\">Formal competence against the 2031 requirement</h2>");
    expect(
        "<th scope=\"row\">Caseworkers</th><td class=\"num\">4</td><td class=\"num\">2 (50 %)</td><td class=\"num\">1 (25 %)</td><td class=\"num\">1 (25 %)</td><td class=\"num\">9 % caseworkers with a master's</td>",
    );
    expect(
        "<th scope=\"row\">Før | samling &lt;1&gt; (2026-01-10)</th><td class=\"num\">5</td><td class=\"num\">3 (60 %)</td>",
    );
    // Every chart is an image with a title and a description holding its numbers.
    let charts = dom.matches("<svg role=\"img\"").count();
    assert!(charts >= 4, "{charts} charts");
    assert_eq!(dom.matches("<title id=\"chart-").count(), charts);
    assert_eq!(dom.matches("<desc id=\"chart-").count(), charts);
    expect(
        "Readiness for change: Før | samling &lt;1&gt; (2026-01-10) 50 %, Etter programmet (2026-06-10) 66 %",
    );
    expect("Leader (n = 1) too few to show");
    assert!(!dom.contains("<script"), "{dom}");
    expect("@media print");

    let png = fixture.dir.join("rapport.png");
    run_chromium(
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1000,1400".to_string(),
            url,
        ],
        &fixture.dir.join("screenshot.log"),
    );
    let bytes = fs::read(&png).expect("a screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        bytes.len() > 20_000,
        "a page with content, not a blank one: {} bytes",
        bytes.len()
    );
}

// ---- the HTML report on paper and on a phone, with many rounds ----

/// The rounds of a service followed through a whole programme, with their dates.
const SIX_ROUNDS: [(&str, u32, u32); 6] = [
    ("Før samling 1", 2, 10),
    ("Etter samling 1", 3, 17),
    ("Før samling 2", 4, 21),
    ("Etter samling 2", 5, 26),
    ("Før samling 3", 6, 30),
    ("Etter programmet", 8, 4),
];

/// The service of `SERVICE` with six rounds of twelve respondents (a leader, a key person
/// and ten staff) who answer every item, some "don't know": the widest round columns a
/// real service gives, "76 % ◐ · n 12" and "n 12 · 76 % (50–100 %)".
fn six_rounds() -> Fixture {
    use Response::{DontKnow, Score};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let mut store = Store::open(&db).unwrap();
    let instrument = Instrument::standard();
    let items = instrument.items();
    let mut first_round = String::new();
    store
        .in_transaction(|store| {
            let service = store.create_service(SERVICE, &[], "", at(0))?;
            for (r, (label, month, day)) in SIX_ROUNDS.into_iter().enumerate() {
                let kind = match r {
                    0 => RoundKind::Before,
                    5 => RoundKind::After,
                    _ => RoundKind::Between,
                };
                let round = store.create_round(
                    &service.id,
                    label,
                    date(month, day),
                    kind,
                    instrument,
                    at(1),
                )?;
                if r == 0 {
                    first_round = round.id.clone();
                }
                let roles = [Role::Leader, Role::KeyPerson]
                    .into_iter()
                    .chain(std::iter::repeat_n(Role::Staff, 10));
                for (p, role) in roles.enumerate() {
                    let who = store.create_respondent(&round.id, role, "", at(2))?;
                    for (i, item) in items.iter().enumerate() {
                        // Spread over the scale, and higher round by round.
                        let (min, max) = (item.scale.min(), item.scale.max());
                        let span = usize::from(max - min);
                        let response = if (i + 2 * p + r) % 11 == 10 {
                            DontKnow
                        } else {
                            Score(min + ((i + p) % (span + 1) + r).min(span) as u8)
                        };
                        store.save_response(&who.id, &item.item.key, Some(response), at(3))?;
                    }
                }
            }
            Ok(())
        })
        .unwrap();
    Fixture {
        db,
        dir: dir.path().to_path_buf(),
        _dir: dir,
        round_a_id: first_round,
    }
}

/// "Før samling 1 (2026-02-10)": how the report heads a round's column.
fn round_titles() -> Vec<String> {
    SIX_ROUNDS
        .iter()
        .map(|(label, month, day)| format!("{label} ({})", date(*month, *day)))
        .collect()
}

/// The cells of the Markdown table that follows a `## heading`, header row first.
fn markdown_table(markdown: &str, heading: &str) -> Vec<Vec<String>> {
    table_lines(markdown, &format!("## {heading}\n"))
        .map(|line| {
            line.trim_matches('|')
                .split(" | ")
                .map(|cell| cell.trim().replace('\\', ""))
                .collect()
        })
        .collect()
}

/// The lines of the first Markdown table after `marker`, its rule left out.
fn table_lines<'m>(markdown: &'m str, marker: &str) -> impl Iterator<Item = &'m str> {
    let start = markdown
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in:\n{markdown}"));
    markdown[start..]
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .filter(|line| !line.starts_with("| ---"))
}

/// A word on a printed page, with its box in points.
#[derive(Debug)]
struct Word {
    page: usize,
    page_width: f64,
    x_min: f64,
    x_max: f64,
    y_min: f64,
    text: String,
}

fn pdftotext() -> PathBuf {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("pdftotext"))
        .find(|path| path.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "this test needs pdftotext to read the printed report, and found none on PATH. \
             Install Debian's package: apt-get install poppler-utils (.ci/run does this in CI)"
        )
    })
}

/// Every word of a PDF with its place, in reading order: page by page, top to bottom,
/// left to right.
fn pdf_words(pdf: &Path) -> Vec<Word> {
    let output = Command::new(pdftotext())
        .arg("-bbox-layout")
        .arg(pdf)
        .arg("-")
        .stdin(Stdio::null())
        .output()
        .expect("pdftotext runs");
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let attribute = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        let end = start + tag[start..].find('"').unwrap();
        tag[start..end].parse().unwrap()
    };
    let mut words = Vec::new();
    let (mut page, mut page_width) = (0, 0.0);
    for line in text.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page += 1;
            page_width = attribute(line, "width");
        } else if line.starts_with("<word ") {
            let (tag, content) = line.split_once('>').unwrap();
            let content = content.strip_suffix("</word>").unwrap();
            words.push(Word {
                page,
                page_width,
                x_min: attribute(tag, "xMin"),
                x_max: attribute(tag, "xMax"),
                y_min: attribute(tag, "yMin"),
                text: content
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&"),
            });
        }
    }
    words.sort_by(|a, b| {
        (a.page, a.y_min, a.x_min)
            .partial_cmp(&(b.page, b.y_min, b.x_min))
            .unwrap()
    });
    words
}

/// Where a phrase starts among the words, at or after `from`.
fn find_phrase(words: &[Word], phrase: &str, from: usize) -> Option<usize> {
    let phrase: Vec<&str> = phrase.split_whitespace().collect();
    (from..words.len().saturating_sub(phrase.len() - 1)).find(|&i| {
        phrase
            .iter()
            .enumerate()
            .all(|(k, word)| words[i + k].text == *word)
    })
}

/// Checks that a table's every header and cell, as the Markdown report has them, is
/// printed under `heading` (after its chart, if any) and before the `next` heading: each
/// round's column, and each word of the headers and cells at least as often as the table
/// holds it.
fn printed_in_full(words: &[Word], table: &[Vec<String>], heading: &str, next: &str) {
    let at = find_phrase(words, heading, 0)
        .unwrap_or_else(|| panic!("the heading {heading:?} is not on the printed pages"));
    let end = find_phrase(words, next, at)
        .unwrap_or_else(|| panic!("the heading {next:?} is not on the printed pages"));
    let caption = "The same numbers are in the table below.";
    let start = find_phrase(words, caption, at)
        .filter(|&i| i < end)
        .map_or(at, |i| i + caption.split_whitespace().count());
    let printed = &words[start..end];
    let all: Vec<&str> = printed.iter().map(|w| w.text.as_str()).collect();
    // A round's date, "(2026-02-10)", is a word of its own in its column's header.
    for title in &table[0][1..] {
        let date = title.split_whitespace().last().unwrap();
        assert!(
            all.contains(&date),
            "the column {title:?} under {heading:?} is not printed; printed: {}",
            all.join(" ")
        );
    }
    let mut wanted: Vec<(&str, usize)> = Vec::new();
    for word in table
        .iter()
        .flatten()
        .flat_map(|cell| cell.split_whitespace())
    {
        match wanted.iter_mut().find(|(w, _)| *w == word) {
            Some((_, n)) => *n += 1,
            None => wanted.push((word, 1)),
        }
    }
    let missing: Vec<String> = wanted
        .iter()
        .filter_map(|&(word, n)| {
            let found = all.iter().filter(|w| **w == word).count();
            (found < n).then(|| format!("{word:?} printed {found} times of {n}"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "the printed table under {heading:?} lacks cells the report holds: {}; printed: {}",
        missing.join(", "),
        all.join(" ")
    );
}

#[test]
fn html_report_prints_every_round_on_a4() {
    let fixture = six_rounds();
    let (page, _) = report(&fixture, "six.html", &["--format", "html", "--lang", "en"]);
    let (_, markdown) = report(
        &fixture,
        "six.md",
        &["--format", "markdown", "--lang", "en"],
    );
    let trend_heading = "Trend per section, round by round";
    let spread_heading = "n, mean and spread per section";
    let trend = markdown_table(&markdown, trend_heading);
    let spread = markdown_table(&markdown, spread_heading);
    let mut header = vec!["Area".to_string()];
    header.extend(round_titles());
    for table in [&trend, &spread] {
        assert_eq!(table[0], header, "a column for every round, in date order");
        assert_eq!(table.len(), 7, "a row for each of the six sections");
    }
    assert!(trend[1][1].ends_with(" · n 12"), "{:?}", trend[1]);
    assert!(spread[1][1].starts_with("n 12 · "), "{:?}", spread[1]);

    let pdf = fixture.dir.join("six.pdf");
    run_chromium(
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".to_string(),
            format!("file://{}", page.display()),
        ],
        &fixture.dir.join("print.log"),
    );
    let words = pdf_words(&pdf);
    assert!(!words.is_empty(), "the printed report has text");
    // A4 from the @page rule, with its 12 mm side margins.
    let margin = 12.0 / 25.4 * 72.0;
    for word in &words {
        assert!(
            (word.page_width - 595.0).abs() < 1.0,
            "an A4 page: {word:?}"
        );
        assert!(
            word.x_min >= margin - 1.0 && word.x_max <= word.page_width - margin + 1.0,
            "a word beyond the printed area of page {}: {word:?}",
            word.page
        );
    }
    printed_in_full(&words, &trend, trend_heading, "Roles side by side");
    printed_in_full(&words, &spread, spread_heading, "The items that moved most");
}

/// Measures, in the browser, how the report lays out on a phone: the page must not be
/// wider than the screen, and each table on screen must sit in a focusable, named box that
/// scrolls sideways. The report itself runs no scripts; a copy of it with this one does,
/// and hands what it found to the page around it.
const LAYOUT_CHECK: &str = r#"<script>
(() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width) {
    problems.push(`the page is ${document.documentElement.scrollWidth} px wide on a ${width} px screen`);
  }
  let tables = 0, scrolling = 0;
  for (const table of document.querySelectorAll("table")) {
    if (table.getClientRects().length === 0) continue;
    tables++;
    const box = table.parentElement;
    const named = (box.getAttribute("aria-label") || "").trim() !== ""
      && ["group", "region"].includes(box.getAttribute("role"));
    const scrolls = ["auto", "scroll"].includes(getComputedStyle(box).overflowX);
    if (box.tabIndex !== 0 || !named || !scrolls) {
      problems.push(`table.${table.className} is not in a focusable, named box that scrolls`);
    }
    if (box.getBoundingClientRect().right > width) {
      problems.push(`the box of table.${table.className} reaches beyond the screen`);
    }
    if (box.scrollWidth > box.clientWidth) scrolling++;
  }
  const result = parent.document.createElement("pre");
  result.id = "layout-check";
  result.textContent = JSON.stringify({ width, tables, scrolling, problems });
  parent.document.body.append(result);
})();
</script>"#;

#[test]
fn html_report_fits_a_phone_screen() {
    let fixture = six_rounds();
    let (_, html) = report(
        &fixture,
        "phone.html",
        &["--format", "html", "--lang", "en"],
    );
    let csp = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n";
    assert!(html.contains(csp), "the report forbids scripts");
    let measured = html
        .replace(csp, "")
        .replace("</body>", &format!("{LAYOUT_CHECK}\n</body>"));
    // Headless Chromium lays a page out at least 500 px wide, whatever the window; a frame
    // as wide as a small phone is not held to that. It is tall enough not to scroll.
    let phone = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Phone</title></head>\
         <body style=\"margin:0\"><iframe title=\"Report\" style=\"border:0;width:360px;height:40000px\" srcdoc=\"{}\"></iframe></body></html>",
        measured.replace('&', "&amp;").replace('"', "&quot;")
    );
    let page = fixture.dir.join("phone-frame.html");
    fs::write(&page, phone).unwrap();
    let dom_file = fixture.dir.join("phone-dom.html");
    run_chromium(
        &[
            "--dump-dom".to_string(),
            format!("file://{}", page.display()),
        ],
        &dom_file,
    );
    let dom = fs::read_to_string(&dom_file).unwrap();
    let start = dom
        .find("<pre id=\"layout-check\">")
        .expect("the layout was measured")
        + "<pre id=\"layout-check\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let result: Value = serde_json::from_str(&dom[start..end].replace("&quot;", "\"")).unwrap();
    assert_eq!(result["width"], 360, "a small phone's width: {result}");
    assert_eq!(result["problems"], Value::Array(vec![]), "{result}");
    // The rounds, the comparison, the trend, the roles in two rounds, the spread, the
    // items and "don't know": every table is seen to, and the wide ones scroll.
    assert!(result["tables"].as_u64().unwrap() >= 8, "{result}");
    assert!(result["scrolling"].as_u64().unwrap() >= 2, "{result}");
}

// ---- one number everywhere ----

/// Numbers that sit on a half, where rounding rules part: four staff (codes a–d).
/// Round "Før" (2026-01-10): awareness.1 = 4, 4, 4, 5 (mean 4.25, shown 4,3; 81.25 → 81 %),
/// awareness.2 = 3 for all (mean 3.0, 50 %). Readiness (1 + .75·3 + .5·4) / 8 = 65.625 →
/// 66 %; each respondent's own 62.5, 62.5, 62.5, 75: mean 65.625 → 66, range 63–75.
/// Round "Etter" (2026-06-10): awareness.1 = 5 for all (100 %), awareness.2 = 1, 3, 2, 2
/// (mean 2.0, 25 %). Readiness (4 + 0 + .5 + .25 + .25) / 8 = 62.5 → 63 %; −3; each
/// respondent's own 50, 75, 62.5, 62.5: mean 62.5 → 63, range 50–75.
fn halves_fixture() -> Fixture {
    let round = |first: [u8; 4], second: [u8; 4]| -> StaffAnswers {
        ["a", "b", "c", "d"]
            .into_iter()
            .zip(first.into_iter().zip(second))
            .map(|(code, (a, b))| {
                let answers = vec![
                    ("readiness.problem_awareness.1".to_string(), a),
                    ("readiness.problem_awareness.2".to_string(), b),
                ];
                (code, answers)
            })
            .collect()
    };
    staff_fixture(
        "Halvby",
        round([4, 4, 4, 5], [3, 3, 3, 3]),
        round([5, 5, 5, 5], [1, 3, 2, 2]),
    )
}

/// Renders the full-screen program on `db` after `actions`, at 120×40.
fn screen_after(db: &Path, actions: &[kartlegg::ui::action::Action]) -> String {
    use ratatui::{Terminal, backend::TestBackend};
    let store = Store::open(db).unwrap();
    let mut app = kartlegg::ui::App::new(
        store,
        Instrument::standard(),
        kartlegg::i18n::Lang::Nb,
        Box::new(|| at(30)),
    );
    app.theme = kartlegg::ui::widgets::Theme { color: false };
    for action in actions {
        let mut next = Some(action.clone());
        while let Some(action) = next {
            next = app.update(action);
        }
    }
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|frame| kartlegg::ui::view::view(&app, frame))
        .unwrap();
    terminal.backend().to_string()
}

#[test]
fn the_screen_text_markdown_json_and_html_show_the_same_numbers() {
    use kartlegg::ui::action::Action;
    let fixture = halves_fixture();
    let args = |format: &str| {
        vec![
            "compare",
            "--service",
            "Halvby",
            "--from",
            "Før",
            "--to",
            "Etter",
            "--format",
            format,
            "--lang",
            "nb",
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>()
    };
    let run = |format: &str| {
        let args = args(format);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        success(&kartlegg(&fixture.db, &args))
    };

    // JSON: the numbers themselves.
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    let awareness = &json["sections"][0]["subdomains"][0];
    assert_eq!(
        (&awareness["from"], &awareness["to"], &awareness["delta"]),
        (&66.0.into(), &63.0.into(), &(-3.0).into())
    );
    let first = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "readiness.problem_awareness.1")
        .unwrap();
    assert_eq!(first["mean_from"], 4.3, "4.25 rounds half away from zero");
    assert_eq!(
        (&first["from"], &first["to"]),
        (&81.0.into(), &100.0.into())
    );

    // Text and Markdown: the same numbers in the comparison's rows.
    let text = run("text");
    let lines = columns(&text);
    has_line(
        &lines,
        "Endringsberedskap | 66 % ◐ | 63 % ◐ | ⊘ | – | 2/15 | 4 → 4 | 0 % → 0 %",
    );
    has_line(
        &lines,
        "readiness.problem_awareness.1 | 4 → 4 | +19 | 4,3 | 5,0 | 1. I tjenesten vår er vi enige om hvilke sider ved praksisen vår som må bli bedre.",
    );
    let markdown = run("markdown");
    assert!(
        markdown.contains(
            "| · Problemforståelse | 66 % ◐ | 63 % ◐ | −3 | – | 2/4 | 4 → 4 | 0 % → 0 % |"
        ),
        "{markdown}"
    );
    assert!(markdown.contains("| 4,3 | 5,0 | +19 |"), "{markdown}");

    // HTML and Markdown reports: the same scores, and the spread of the respondents'
    // own scores, 62.5 → 63.
    let page = fixture.dir.join("halv.html");
    success(&kartlegg(
        &fixture.db,
        &[
            "report",
            "--service",
            "Halvby",
            "--format",
            "html",
            "--lang",
            "nb",
            "--out",
            page.to_str().unwrap(),
        ],
    ));
    let html = fs::read_to_string(&page).unwrap();
    for cell in [
        "<td class=\"num\">66 % ◐</td>",
        "<td class=\"num\">63 % ◐</td>",
        "<td class=\"num\">4,3</td>",
        "<td class=\"num\">n 4 · 63 % (50–75 %)</td>",
        "<td class=\"num\">n 4 · 66 % (63–75 %)</td>",
    ] {
        assert!(html.contains(cell), "no {cell} in the HTML report");
    }

    // The screens: the comparison's row and item, the round's summary, the spread beside
    // the roles.
    let compare = screen_after(&fixture.db, &[Action::Open, Action::Compare]);
    let row = compare
        .lines()
        .find(|l| l.contains("│  Problemforståelse"))
        .unwrap_or_else(|| panic!("{compare}"));
    assert!(row.contains("◐  66 ◐  63 ▼ −3"), "{row}");
    let items = screen_after(
        &fixture.db,
        &[Action::Open, Action::Compare, Action::NextTab],
    );
    assert!(items.contains("4,3   5,0   ▲ +19"), "{items}");
    let summary = screen_after(&fixture.db, &[Action::Open, Action::Summary]);
    let readiness = summary
        .lines()
        .find(|l| l.contains("│Endringsberedskap"))
        .unwrap();
    assert!(readiness.contains(" 63 %"), "{readiness}");
    let roles = screen_after(&fixture.db, &[Action::Open, Action::Open, Action::Roles]);
    let readiness = roles
        .lines()
        .find(|l| l.contains("│Endringsberedskap"))
        .unwrap_or_else(|| panic!("{roles}"));
    assert!(readiness.contains("63 % (50–75 %)"), "{readiness}");
}

/// A service "Kodeby", "Før" → "Etter", whose problem awareness (items 1–3) is answered in
/// each round by the leader, entered at the machine, and by three staff by code: all three
/// answer items 2 and 3, only the first of them item 1. Rule A counts the three (three by
/// code have a score in the area); item 1's figure alone, minus the leader's own answer,
/// would be that one staff member's.
fn one_by_code_on_an_item_fixture() -> Fixture {
    use kartlegg::store::Invites;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let mut store = Store::open(&db).unwrap();
    let instrument = Instrument::standard();
    let service = store.create_service("Kodeby", &[], "", at(0)).unwrap();
    let keys = keys_of("readiness.problem_awareness");
    let mut round_a_id = String::new();
    for (r, (label, held_on, value)) in [("Før", date(1, 10), 1), ("Etter", date(6, 10), 4)]
        .into_iter()
        .enumerate()
    {
        let round = store
            .create_round(
                &service.id,
                label,
                held_on,
                RoundKind::Before,
                instrument,
                at(1),
            )
            .unwrap();
        if round_a_id.is_empty() {
            round_a_id = round.id.clone();
        }
        let leader = store
            .create_respondent(&round.id, Role::Leader, "L", at(2))
            .unwrap();
        for key in &keys {
            store
                .save_response(&leader.id, key, Some(Response::Score(5)), at(3))
                .unwrap();
        }
        let hashes: Vec<String> = (0..3).map(|i| format!("{r}{i:063}")).collect();
        store
            .add_invites(&round.id, Role::Staff, &hashes, at(2))
            .unwrap();
        for (i, hash) in hashes.iter().enumerate() {
            let staff = store
                .claim_invite(
                    &[(kartlegg::domain::invite::Scheme::Argon2id, hash.clone())],
                    at(3),
                )
                .unwrap()
                .unwrap();
            for key in keys.iter().skip(usize::from(i > 0)) {
                store
                    .save_response(&staff.id, key, Some(Response::Score(value)), at(3))
                    .unwrap();
            }
        }
        // Answering by code closed: only then do their answers count (promise 7).
        store.close_invites(&round.id, at(4)).unwrap();
    }
    Fixture {
        db,
        dir: dir.path().to_path_buf(),
        _dir: dir,
        round_a_id,
    }
}

/// Rule C of answering alone: where an item of an area has one or two answers by code, no
/// item of the area is shown, on the screen, in `compare` as text, Markdown and JSON, and in
/// the report; each says why, and the area's own figure stays.
#[test]
fn one_by_code_on_an_item_hides_every_item_of_its_area_in_every_face() {
    use kartlegg::ui::action::Action;
    let fixture = one_by_code_on_an_item_fixture();
    let run = |format: &str, lang: &str| {
        success(&kartlegg(
            &fixture.db,
            &[
                "compare",
                "--service",
                "Kodeby",
                "--from",
                "Før",
                "--to",
                "Etter",
                "--format",
                format,
                "--lang",
                lang,
            ],
        ))
    };
    let keys = keys_of("readiness.problem_awareness");
    let why_nb = "skjult: vern om svar gitt med kode";

    let json: Value = serde_json::from_str(&run("json", "nb")).unwrap();
    let listed = |list: &str| -> Vec<String> {
        json[list]
            .as_array()
            .unwrap_or_else(|| panic!("no {list} in {json}"))
            .iter()
            .map(|i| i["key"].as_str().unwrap().to_string())
            .collect()
    };
    for list in ["items", "not_comparable"] {
        assert!(
            !listed(list).iter().any(|k| keys.contains(k)),
            "{list} shows an item of problem awareness: {:?}",
            listed(list)
        );
    }
    assert_eq!(listed("withheld_items"), keys);
    assert!(
        json["withheld_items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["hidden"] == "by_code" && i["subdomain"] == "problem_awareness")
    );
    // The area's own figure, safe by rule A, still counts the leader and the three by code.
    let awareness = &json["sections"][0]["subdomains"][0];
    assert_eq!(awareness["key"], "readiness.problem_awareness");
    assert_eq!(awareness["n_from"], 4);

    for (format, lang, why) in [
        ("text", "nb", why_nb),
        ("markdown", "nb", why_nb),
        ("text", "en", "hidden: shields answers given by code"),
    ] {
        let out = run(format, lang);
        assert!(
            out.contains(why),
            "{format} {lang} does not say why:\n{out}"
        );
        assert!(
            !keys.iter().any(|k| out.contains(k.as_str())),
            "{format} {lang} shows an item of problem awareness:\n{out}"
        );
    }

    let out = fixture.dir.join("kodeby.md");
    success(&kartlegg(
        &fixture.db,
        &[
            "report",
            "--service",
            "Kodeby",
            "--format",
            "markdown",
            "--lang",
            "nb",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    let report = fs::read_to_string(&out).unwrap();
    assert!(report.contains(why_nb), "{report}");
    assert!(
        !keys.iter().any(|k| report.contains(k.as_str())),
        "{report}"
    );

    let items = screen_after(
        &fixture.db,
        &[Action::Open, Action::Compare, Action::NextTab],
    );
    assert!(items.contains("Problemforståelse, spørsmål 1–4"), "{items}");
    assert!(items.contains("skjult"), "{items}");
    assert!(!items.contains("1. I tjenesten"), "{items}");
}
