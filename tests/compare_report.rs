//! `kartlegg compare` and `kartlegg report` against a small fixture whose numbers are
//! worked out by hand below, through the real binary. The HTML report is opened in headless
//! Chromium, so the page a browser builds is checked, not only the string.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::domain::plan::{GoalStatus, Level, PlanItem, PlanKind, Stage};
use kartlegg::store::Store;
use serde_json::Value;

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
/// Round A "Før | samling <1>" (2026-01-10): a leader and three staff.
///   leader: awareness.1 = 5, awareness.2 = 4, training.1 = 2, fit.answers_problem.1 = 3
///   staff 1: awareness.1 = 1, awareness.2 = don't know, training.1 = 0
///   staff 2: awareness.1 = 3, awareness.2 = don't know, training.1 = 1
///   staff 3: awareness.1 = don't know, awareness.2 = 2, training.1 = don't know
/// Round B "Etter programmet" (2026-06-10): a leader, a key person and two staff.
///   leader: awareness.1 = 5, awareness.2 = 5, training.1 = 2, support.evaluation.1 = 4
///   key person: awareness.1 = 4, awareness.2 = 4, training.1 = don't know
///   staff 1: awareness.1 = 1, awareness.2 = 3, training.1 = don't know
///   staff 2: awareness.1 = 4, awareness.2 = 3, training.1 = 1
/// Round C "Underveis" (2026-03-15, made last): a leader, awareness.1 = 3.
///
/// Readiness (1–5: (v − 1) / 4): A = (1 + 0 + .5 + .75 + .25) / 5 = 50 %, 3 don't know of 8
/// answers (flagged); B = (1 + .75 + 0 + .75 + 1 + .75 + .5 + .5) / 8 = 65.625 %, reported
/// as a whole 66 %; +16 (changes are differences of the reported scores).
/// Competence (0–2: v / 2): A = (1 + 0 + .5) / 3 = 50 %, 1 don't know of 4 (not flagged);
/// B = (1 + .5) / 2 = 75 %, 2 of 4 (flagged); +25. Fit: A 50 %, B none. Support: B 75 %.
/// Items: training.1 means 1.0 → 1.5, +25; awareness.2 3.0 → 3.75, 50 → 68.75 (69) %, +19;
/// awareness.1 3.0 → 3.5, 50 → 62.5 (63) %, +13. Not comparable: fit.answers_problem.1 (A
/// only), support.evaluation.1 (B only). Don't know in all: 4 → 2.
/// Staff in A (n = 3): readiness (0 + .5 + .25) / 3 = 25 %; the leader alone is never shown.
/// In B every role has fewer than 3; with --min-group 2, staff readiness (0 + .5 + .75 + .5)
/// / 4 = 43.75, reported as 44 %.
/// A role and its answers, by item key.
type Respondent = (Role, Vec<(&'static str, Response)>);

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
        (ROUND_A, date(1, 10), RoundKind::Before),
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
                vec![
                    (pa1, Score(5)),
                    (pa2, Score(4)),
                    (ct1, Score(2)),
                    ("fit.answers_problem.1", Score(3)),
                ],
            ),
            (
                Role::Staff,
                vec![(pa1, Score(1)), (pa2, DontKnow), (ct1, Score(0))],
            ),
            (
                Role::Staff,
                vec![(pa1, Score(3)), (pa2, DontKnow), (ct1, Score(1))],
            ),
            (
                Role::Staff,
                vec![(pa1, DontKnow), (pa2, Score(2)), (ct1, DontKnow)],
            ),
        ],
        vec![
            (
                Role::Leader,
                vec![
                    (pa1, Score(5)),
                    (pa2, Score(5)),
                    (ct1, Score(2)),
                    ("support.evaluation.1", Score(4)),
                ],
            ),
            (
                Role::KeyPerson,
                vec![(pa1, Score(4)), (pa2, Score(4)), (ct1, DontKnow)],
            ),
            (
                Role::Staff,
                vec![(pa1, Score(1)), (pa2, Score(3)), (ct1, DontKnow)],
            ),
            (
                Role::Staff,
                vec![(pa1, Score(4)), (pa2, Score(3)), (ct1, Score(1))],
            ),
        ],
        vec![(Role::Leader, vec![(pa1, Score(3))])],
    ];
    let mut round_a_id = String::new();
    for ((label, held_on, kind), respondents) in rounds.into_iter().zip(answers) {
        let round = store
            .create_round(&service.id, label, held_on, kind, instrument, at(1))
            .unwrap();
        if label == ROUND_A {
            round_a_id = round.id.clone();
        }
        for (role, items) in respondents {
            let who = store.create_respondent(&round.id, role, "", at(2)).unwrap();
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
    assert_eq!(json["format_version"], 2);
    assert_eq!(json["service"]["name"], SERVICE);
    assert_eq!(json["from"]["label"], ROUND_A);
    assert_eq!(json["from"]["held_on"], "2026-01-10");
    assert_eq!(json["from"]["kind"], "before");
    assert_eq!(
        (&json["from"]["respondents"], &json["to"]["respondents"]),
        (&Value::from(4), &Value::from(4))
    );
    assert_eq!(json["notable_points"], 10.0);

    let section = |key: &str| {
        json["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .unwrap()
            .clone()
    };
    let readiness = section("readiness");
    assert_eq!(readiness["from"], 50.0);
    assert_eq!(readiness["to"], 66.0);
    assert_eq!(readiness["delta"], 16.0);
    assert_eq!(readiness["notable"], true);
    assert_eq!(
        (&readiness["n_from"], &readiness["n_to"]),
        (&4.into(), &4.into())
    );
    assert_eq!(readiness["band_from"], "partly");
    assert_eq!(readiness["band_to"], "partly");
    assert_eq!(readiness["dont_know_from"], 3);
    assert_eq!(readiness["dont_know_to"], 0);
    assert_eq!(readiness["dont_know_flagged_from"], true);
    let awareness = &readiness["subdomains"][0];
    assert_eq!(awareness["key"], "readiness.problem_awareness");
    assert_eq!(awareness["from"], 50.0);
    assert_eq!(awareness["delta"], 16.0);
    assert_eq!(readiness["subdomains"][1]["from"], Value::Null);
    assert_eq!(readiness["subdomains"][1]["n_from"], 0);

    let competence = section("competence");
    assert_eq!(
        (&competence["from"], &competence["to"]),
        (&50.0.into(), &75.0.into())
    );
    assert_eq!(competence["delta"], 25.0);
    assert_eq!(
        (&competence["n_from"], &competence["n_to"]),
        (&3.into(), &2.into())
    );
    assert_eq!(competence["dont_know_from"], 1);
    assert_eq!(competence["dont_know_to"], 2);
    assert_eq!(competence["dont_know_flagged_from"], false);
    assert_eq!(competence["dont_know_flagged_to"], true);

    let fit = section("fit");
    assert_eq!(
        (&fit["from"], &fit["to"], &fit["delta"]),
        (&50.0.into(), &Value::Null, &Value::Null)
    );
    assert_eq!(fit["band_to"], Value::Null);
    assert_eq!((&fit["n_from"], &fit["n_to"]), (&1.into(), &0.into()));
    let support = section("support");
    assert_eq!(
        (&support["to"], &support["band_to"]),
        (&75.0.into(), &"partly".into())
    );

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
    assert_eq!(items[0]["mean_from"], 1.0);
    assert_eq!(items[0]["mean_to"], 1.5);
    assert_eq!(items[0]["delta"], 25.0);
    assert_eq!(
        (&items[0]["scale_min"], &items[0]["scale_max"]),
        (&0.into(), &2.into())
    );
    assert_eq!(items[0]["dont_know_to"], 2);
    assert_eq!(items[1]["mean_to"], 3.75);
    assert_eq!(items[1]["to"], 69.0);
    assert_eq!(items[1]["delta"], 19.0);
    assert_eq!(items[2]["mean_delta"], 0.5);
    assert_eq!(items[2]["delta"], 13.0);

    let not_comparable = json["not_comparable"].as_array().unwrap();
    assert_eq!(not_comparable.len(), 2);
    assert_eq!(not_comparable[0]["key"], "fit.answers_problem.1");
    assert_eq!(not_comparable[0]["answered_from"], true);
    assert_eq!(not_comparable[0]["answered_to"], false);
    assert_eq!(not_comparable[1]["key"], "support.evaluation.1");
    assert_eq!(not_comparable[1]["answered_to"], true);
    assert_eq!(not_comparable[1]["known"], true);

    assert_eq!(json["dont_know"]["from"], 4);
    assert_eq!(json["dont_know"]["to"], 2);

    let roles_from = json["roles"]["from"].as_array().unwrap();
    assert_eq!(roles_from[0]["role"], "leader");
    assert_eq!(roles_from[0]["n"], 1);
    assert_eq!(roles_from[0]["shown"], false);
    assert_eq!(roles_from[0]["sections"], Value::Null);
    assert_eq!(roles_from[1]["role"], "staff");
    assert_eq!(roles_from[1]["sections"][0]["score"], 25.0);
    assert!(
        json["roles"]["to"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["shown"] == false)
    );

    // A smaller group size shows the two staff of round B; the keys stay English in nynorsk.
    let json: Value = serde_json::from_str(&compare(
        &fixture,
        &["--format", "json", "--min-group", "2", "--lang", "nn"],
    ))
    .unwrap();
    let staff = json["roles"]["to"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["role"] == "staff")
        .unwrap()
        .clone();
    assert_eq!(staff["sections"][0]["score"], 44.0);
    assert_eq!(json["lang"], "nn");
    assert_eq!(json["sections"][3]["name"], "Kompetansedrivarar");
}

#[test]
fn compare_as_text_and_markdown() {
    let fixture = fixture();
    let text = compare(&fixture, &[]);
    let lines = columns(&text);
    has_line(
        &lines,
        "Endringsberedskap | 50 % ◐ | 66 % ◐ | +16 ★ | 4 → 4 | 3 ⚑ → 0",
    );
    has_line(
        &lines,
        "Kompetansedrivere | 50 % ◐ | 75 % ◐ | +25 ★ | 3 → 2 | 1 → 2 ⚑",
    );
    has_line(&lines, "Passform | 50 % ◐ | – | – | 1 → 0 | 0 → 0");
    assert!(text.contains(&format!("«{SERVICE}»")), "{text}");
    assert!(text.contains("«Vet ikke»-svar i alt: 4 → 2."), "{text}");
    assert!(text.contains("support.evaluation.1"), "{text}");
    has_line(
        &lines,
        "readiness.problem_awareness.2 | +19 ★ | 3,0 | 3,8 | Behovet for endring bygger på kunnskap om tjenesten, for eksempel tilsyn, avvik, fristbrudd eller tilbakemeldinger fra barn og familier.",
    );
    has_line(&lines, "Endringsberedskap | for få til å vise | 25 % ○");

    let english = compare(&fixture, &["--lang", "en"]);
    assert!(
        english.contains("“Don't know” answers in all: 4 → 2."),
        "{english}"
    );
    assert!(english.contains("Leader (n = 1)"), "{english}");
    assert!(english.contains("3.0"), "{english}");

    let markdown = compare(&fixture, &["--format", "markdown"]);
    assert!(
        markdown.starts_with(
            "# Sammenligning av runder: «Testby \\<b\\>barnevern\\</b\\> \\& «co» \\| \\*x\\*»\n"
        ),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "| Område | Før \\| samling \\<1\\> | Etter programmet | Endring | n | Vet ikke |"
        ),
        "{markdown}"
    );
    assert!(
        markdown.contains("| **Endringsberedskap** | 50 % ◐ | 66 % ◐ | +16 ★ | 4 → 4 | 3 ⚑ → 0 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| · Opplæring | 50 % ◐ | 75 % ◐ | +25 ★ | 3 → 2 | 1 → 2 ⚑ |"),
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
    // The trend has every round, in date order (Underveis was made last).
    expect(
        "| Område | Før \\| samling \\<1\\> (2026-01-10) | Underveis (2026-03-15) | Etter programmet (2026-06-10) |",
    );
    expect("| Endringsberedskap | 50 % ◐ · n 4 | 50 % ◐ · n 1 | 66 % ◐ · n 4 |");
    // Roles: the leader alone is never shown.
    expect("| Område | Leder (n = 1) | Ansatt (n = 3) |");
    expect("| Endringsberedskap | for få til å vise | 25 % ○ |");
    // Spread: A's readiness per respondent 87.5, 0, 50, 25; B's competence has n 2 < 3.
    expect("| Endringsberedskap | n 4 · 41 % (0–88 %) | n 1 · 50 % | n 4 · 66 % (25–100 %) |");
    expect("| Kompetansedrivere | n 3 · 50 % (0–100 %) | n 0 · – | n 2 · 75 % |");
    // The items that moved most, and "vet ikke".
    expect(
        "| Opplæringen har et omfang som er nok til å lære det nye, uten å ta mer tid enn tjenesten kan avse. | 1,0 | 1,5 | +25 ★ | competence.training.1 |",
    );
    expect("«Vet ikke»-svar i alt: 4 → 2.");
    expect("| Endringsberedskap – Problemforståelse | 3 ⚑ | 0 |");
    expect("| Kompetansedrivere – Opplæring | 1 | 2 ⚑ |");
    expect("| fit.answers\\_problem.1 | Før \\| samling \\<1\\> |");
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
fn with_plans(fixture: &Fixture) {
    let mut store = Store::open(&fixture.db).unwrap();
    let service = store.services().unwrap()[0].service.id.clone();
    let rounds: Vec<String> = store
        .rounds(&service)
        .unwrap()
        .into_iter()
        .map(|r| r.round.id)
        .collect();
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
    assert_eq!(json["format_version"], 2);
    assert_eq!(json["from"]["stage"], "agenda");
    assert_eq!(json["from"]["stage_name"], "Sette problemet på dagsorden");
    assert_eq!(json["to"]["stage"], "adapt");
    let readiness = &json["sections"][0];
    assert!(readiness.get("consensus_from").is_none(), "subdomains only");
    let awareness = &readiness["subdomains"][0];
    // The version 1 fields are still there, beside the new ones.
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
        "Problemforståelse | 50 % ◐ | 66 % ◐ | +16 ★ | 3 (50 %) → 4 (75 %) | 4 → 4 | 3 ⚑ → 0",
    );
    has_line(
        &lines,
        "Opplæring | 50 % ◐ | 75 % ◐ | +25 ★ | – → 2 (100 %) | 3 → 2 | 1 → 2 ⚑",
    );
    let markdown = compare(&fixture, &["--format", "markdown", "--lang", "en"]);
    for needle in [
        "| Area | Før \\| samling \\<1\\> | Etter programmet | Change | Consensus | n | Don't know |",
        "| · Problem awareness | 50 % ◐ | 66 % ◐ | +16 ★ | 3 (50 %) → 4 (75 %) | 4 → 4 | 3 ⚑ → 0 |",
        "| **Readiness for change** | 50 % ◐ | 66 % ◐ | +16 ★ |  | 4 → 4 | 3 ⚑ → 0 |",
        "· Implementation stage: Put the problem on the agenda",
        "· Implementation stage: Adapt the measures",
    ] {
        assert!(markdown.contains(needle), "no {needle:?} in:\n{markdown}");
    }
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
        "| Før \\| samling \\<1\\> | 2026-01-10 | Før | 4 | 1.0 | Sette problemet på dagsorden |",
    );
    expect("| Underveis | 2026-03-15 | Underveis | 1 | 1.0 | – |");
    expect("| Implementeringsfase | Sette problemet på dagsorden | – | Tilpasse tiltak |");
    // The comparison table has the consensus column.
    expect(
        "| Område | Før \\| samling \\<1\\> | Etter programmet | Endring | Konsensus | n | Vet ikke |",
    );
    expect(
        "| · Problemforståelse | 50 % ◐ | 66 % ◐ | +16 ★ | 3 (50 %) → 4 (75 %) | 4 → 4 | 3 ⚑ → 0 |",
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
    expect("| Kurs for alle | Fagleder | 2026-02-01 | ✓ utført 2026-02-20 |");
    expect("| Avtale med RKBU | Leder | 2020-01-01 | ⚠ over fristen |");
    expect("| Oppfølging i teamet | Nøkkelperson | 2099-12-31 | ☐ åpent |");
    assert!(!md.contains("<i>"), "{md}");
    // The goal matrix: goals × rounds, in words and symbols.
    expect("## Mål, runde for runde\n");
    expect("*○ Ikke oppnådd · ◐ Delvis oppnådd · ● Oppnådd · – ikke vurdert i runden*");
    expect(
        "| Mål | Gjelder | Før \\| samling \\<1\\> (2026-01-10) | Underveis (2026-03-15) | Etter programmet (2026-06-10) |",
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

fn chromium() -> PathBuf {
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
fn run_chromium(args: &[String], out: &Path) {
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

#[test]
fn html_report_renders_in_headless_chromium() {
    let fixture = fixture();
    with_plans(&fixture);
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
        "<th scope=\"row\">Readiness for change</th><td class=\"num\">50 % ◐</td><td class=\"num\">66 % ◐</td><td class=\"num\">+16 ★</td><td class=\"num\"></td><td class=\"num\">4 → 4</td><td class=\"num\">3 ⚑ → 0</td>",
    );
    expect("<td class=\"num\">3 (50 %) → 4 (75 %)</td>");
    // The plan, its user text inert, and the goal matrix as a table of words and symbols.
    expect("<th scope=\"row\">&lt;i&gt;Ingen tid&lt;/i&gt; | *x*</th><td>Group/team</td>");
    assert!(!dom.contains("<i>"), "{dom}");
    expect("<td>2020-01-01</td><td>⚠ overdue</td>");
    expect(
        "<table class=\"goals\">\n<thead><tr><th scope=\"col\">Goal</th><th scope=\"col\">Concerns</th><th scope=\"col\">Før | samling &lt;1&gt; (2026-01-10)</th>",
    );
    expect(
        "<th scope=\"row\">Alle har fått opplæring</th><td>Training</td><td>○ Not achieved</td><td>◐ Partly achieved</td><td>● Achieved</td>",
    );
    expect("<td class=\"num\">too few to show</td>");
    expect("<td class=\"num\">n 4 · 41 % (0–88 %)</td>");
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
