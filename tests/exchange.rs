//! Export and import between machines: round trips, idempotence, conflicts, refusals that
//! leave the database untouched, CSV for analysis, and the command line around them.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::import::{clock, settled_bytes};
use common::without_change_counter;
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::domain::plan::{GoalStatus, Level, PlanItem, PlanKind, Stage};
use kartlegg::exchange::{
    CsvDialect, CsvExport, CsvLayout, Disclosure, ImportClock, ImportSummary, Problem, Scope,
};
use kartlegg::store::Exchange;
use kartlegg::store::{Admin, Answers, ChangeLog, Plans};
use kartlegg::store::{Store, StoreError};
use proptest::prelude::*;

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, 0, 0).unwrap() + Duration::minutes(minute)
}

fn instrument() -> &'static Instrument {
    Instrument::standard()
}

fn demo(path: &Path, seed: u64) -> Store {
    let mut store = Store::open(path).unwrap();
    kartlegg::cli::demo::fill(&mut store, instrument(), seed, at(0))
        .unwrap()
        .expect("an empty database");
    store
}

fn export(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    store
        .export_json(
            Scope::All,
            instrument(),
            at(999),
            Disclosure::identified(),
            &mut out,
            Path::new("test"),
        )
        .unwrap();
    out
}

fn csv(store: &Store, layout: CsvLayout) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    store
        .export_csv(
            Scope::All,
            instrument(),
            CsvExport {
                layout,
                dialect: CsvDialect::Plain,
                disclosure: Disclosure::identified(),
            },
            &mut out,
            Path::new("test"),
        )
        .unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_slice())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn import(store: &mut Store, file: &[u8]) -> Result<ImportSummary, StoreError> {
    store.import_json(file, instrument(), clock())
}

fn refusal(store: &mut Store, file: &[u8]) -> (usize, usize, Problem) {
    match import(store, file) {
        Err(StoreError::ImportRefused(refusal)) => (refusal.line, refusal.column, refusal.problem),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The export as data, without the moment it was made and the database it came from.
fn data(file: &[u8]) -> serde_json::Value {
    let mut value: serde_json::Value = serde_json::from_slice(file).unwrap();
    value.as_object_mut().unwrap().remove("exported_at");
    value["contents"]
        .as_object_mut()
        .unwrap()
        .remove("database");
    value
}

/// An export of `b.db` as if `a.db` had written it: the `contents` name the database.
fn as_if_from_a(file: &[u8]) -> String {
    let file = String::from_utf8(file.to_vec()).unwrap();
    assert!(file.contains(r#""database":"b.db""#), "{file}");
    file.replace(r#""database":"b.db""#, r#""database":"a.db""#)
}

/// `file` as a kartlegg before format version 3 wrote it, without `contents` (nor
/// `by_code`).
fn before_contents(file: &str, version: u64) -> String {
    before_by_code(file, version)
        .lines()
        .filter(|line| !line.starts_with("\"contents\": "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `file` as a kartlegg before format version 4 wrote it, whose respondents have no
/// `by_code`, under `version`.
fn before_by_code(file: &str, version: u64) -> String {
    before_needs(file, version)
        .replace(",\"by_code\":false}", "}")
        .replace(",\"by_code\":true}", "}")
}

/// `file` as a kartlegg before format version 5 wrote it, without the needs arrays between
/// `consensus` and `change_log`, under `version` (a file cut before them stays as it is).
fn before_needs(file: &str, version: u64) -> String {
    let file = match (
        file.find(",\n\"own_areas\": ["),
        file.find(",\n\"change_log\": ["),
    ) {
        (Some(start), Some(end)) => format!("{}{}", &file[..start], &file[end..]),
        _ => file.to_string(),
    };
    file.replacen(
        "\"format_version\": 6,",
        &format!("\"format_version\": {version},"),
        1,
    )
}

/// Every row of every table, history with its local `seq`, in a stable order.
fn dump(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut rows = Vec::new();
    for (table, order) in [
        ("service", "id"),
        ("round", "id"),
        ("respondent", "id"),
        ("answer", "id"),
        ("answer_history", "seq"),
        ("plan_item", "id"),
        ("goal", "id"),
        ("goal_status", "goal_id, round_id"),
        ("round_stage", "round_id"),
        ("consensus", "round_id, subdomain_key"),
        ("change_log", "seq"),
    ] {
        // A cluster's record is each machine's own until clusters travel (docs/exchange.md):
        // the entry that logs it made is left out.
        let only = match table {
            "change_log" => "WHERE entity <> 'cluster'",
            _ => "",
        };
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} {only} ORDER BY {order}"))
            .unwrap();
        let n = stmt.column_count();
        let found = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        for row in found {
            rows.push(format!("{table}: {}", row.unwrap().join(" | ")));
        }
    }
    rows
}

/// The history without `seq`, as a set: what two machines should agree on after exchanging.
fn history_set(path: &Path) -> Vec<String> {
    log_set(path, "answer_history:")
}

/// The rows of an append-only log (`answer_history:` or `change_log:`) without their `seq`,
/// as a set.
fn log_set(path: &Path, table: &str) -> Vec<String> {
    let mut rows: Vec<String> = dump(path)
        .into_iter()
        .filter(|r| r.starts_with(table))
        .map(|r| r.split_once(" | ").unwrap().1.to_string())
        .collect();
    rows.sort();
    rows
}

/// Every row but those of the two logs, whose `seq` is each machine's own.
fn without_logs(path: &Path) -> Vec<String> {
    dump(path)
        .into_iter()
        .filter(|r| !r.starts_with("answer_history:") && !r.starts_with("change_log:"))
        .collect()
}

/// One service, round and respondent: what two machines share before they part.
fn small(path: &Path) -> (Store, String) {
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
            instrument(),
            at(0),
        )
        .unwrap();
    let who = store
        .create_respondent(&round.id, Role::KeyPerson, "AB", at(0))
        .unwrap();
    (store, who.id)
}

const ITEM: &str = "readiness.problem_awareness.1";

#[test]
fn export_then_import_into_an_empty_database_then_export_gives_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo(&dir.path().join("a.db"), 7);
    let first = export(&a);
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    let summary = import(&mut b, &first).unwrap();
    let counts = a.counts().unwrap();
    assert_eq!(summary.services.added, counts.services);
    assert_eq!(summary.answers.added, counts.answers);
    assert_eq!(summary.history.added, counts.history);
    assert_eq!(b.counts().unwrap(), counts);
    assert!(b.integrity_problems().unwrap().is_empty());
    let second = export(&b);
    assert_eq!(data(&first), data(&second));
    // The same rows in the same order: the files are the same line for line, but for the
    // database each names in its `contents`.
    assert_eq!(String::from_utf8(first).unwrap(), as_if_from_a(&second));
    // And what the screens show is the same too: respondents in the order they were added.
    let services = a.services().unwrap();
    let round = &a.rounds(&services[0].service.id).unwrap()[0].round;
    assert_eq!(
        a.round_answers(&round.id).unwrap(),
        b.round_answers(&round.id).unwrap()
    );
}

#[test]
fn importing_the_same_file_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo(&dir.path().join("a.db"), 7);
    let file = export(&a);
    let b_path = dir.path().join("b.db");
    // The second database has data of its own, so the merge is a real one.
    let mut b = demo(&b_path, 8);
    let first = import(&mut b, &file).unwrap();
    assert!(first.changed_anything());
    drop(b);
    let before = dump(&b_path);
    let mut b = Store::open(&b_path).unwrap();
    let second = import(&mut b, &file).unwrap();
    assert!(!second.changed_anything(), "{second:?}");
    assert_eq!(second.answers.skipped, a.counts().unwrap().answers);
    assert_eq!(second.history.skipped, a.counts().unwrap().history);
    drop(b);
    assert_eq!(dump(&b_path), before);
}

#[test]
fn a_change_on_both_machines_keeps_the_newer_and_puts_the_older_in_history() {
    let dir = tempfile::tempdir().unwrap();
    let (a_path, b_path) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let (mut a, who) = small(&a_path);
    a.save_response(&who, ITEM, Some(Response::Score(3)), at(1))
        .unwrap();
    let mut b = Store::open(&b_path).unwrap();
    import(&mut b, &export(&a)).unwrap();

    // They part: A says 5 at minute 2, B says 2 at minute 3, later.
    a.save_response(&who, ITEM, Some(Response::Score(5)), at(2))
        .unwrap();
    b.save_response(&who, ITEM, Some(Response::Score(2)), at(3))
        .unwrap();
    b.save_comment(&who, "fit.answers_problem.1", "Bare hos B", at(4))
        .unwrap();

    // B gets A's file: B's answer is newer and stays; A's 5 goes into B's history.
    let summary = import(&mut b, &export(&a)).unwrap();
    assert_eq!(summary.answers.newer_here, 1);
    assert_eq!(summary.answers.updated, 0);
    let answers = b.answers(&who).unwrap();
    assert_eq!(answers[ITEM].response, Some(Response::Score(2)));
    let history = b.history(&who, ITEM).unwrap();
    assert!(
        history
            .iter()
            .any(|h| h.new.response == Some(Response::Score(5))),
        "A's 5 is in B's history: {history:?}"
    );
    assert!(history.iter().any(|h| {
        h.old.as_ref().map(|o| o.response) == Some(Some(Response::Score(5)))
            && h.new.response == Some(Response::Score(2))
    }));

    // A gets B's file: B's 2 is newer and wins; A's 5 is the old side of the change.
    let summary = import(&mut a, &export(&b)).unwrap();
    assert_eq!(summary.answers.updated, 1);
    assert_eq!(summary.answers.added, 1, "the comment only B had");
    let answers = a.answers(&who).unwrap();
    assert_eq!(answers[ITEM].response, Some(Response::Score(2)));
    assert_eq!(answers["fit.answers_problem.1"].comment, "Bare hos B");
    let history = a.history(&who, ITEM).unwrap();
    assert!(history.iter().any(|h| {
        h.old.as_ref().map(|o| o.response) == Some(Some(Response::Score(5)))
            && h.new.response == Some(Response::Score(2))
    }));

    // After one more exchange each way the two machines agree, history and all.
    import(&mut b, &export(&a)).unwrap();
    import(&mut a, &export(&b)).unwrap();
    drop((a, b));
    assert_eq!(without_logs(&a_path), without_logs(&b_path));
    assert_eq!(history_set(&a_path), history_set(&b_path));
}

#[test]
fn the_same_item_answered_on_two_machines_under_different_ids_merges_by_respondent_and_item() {
    let dir = tempfile::tempdir().unwrap();
    let (a_path, b_path) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let (mut a, who) = small(&a_path);
    let mut b = Store::open(&b_path).unwrap();
    import(&mut b, &export(&a)).unwrap();
    // Neither has answered yet; both do, each making its own answer row.
    a.save_response(&who, ITEM, Some(Response::Score(4)), at(5))
        .unwrap();
    b.save_response(&who, ITEM, Some(Response::DontKnow), at(6))
        .unwrap();
    let summary = import(&mut a, &export(&b)).unwrap();
    assert_eq!(summary.answers.updated, 1);
    assert_eq!(summary.history.added, 1, "B's own change, under A's id");
    assert_eq!(
        a.answers(&who).unwrap()[ITEM].response,
        Some(Response::DontKnow)
    );
    let history = a.history(&who, ITEM).unwrap();
    assert!(
        history
            .iter()
            .any(|h| h.new.response == Some(Response::Score(4)))
    );
    assert!(a.integrity_problems().unwrap().is_empty());
    // And twice is still once.
    assert!(!import(&mut a, &export(&b)).unwrap().changed_anything());
}

#[test]
fn a_refused_file_leaves_the_database_byte_for_byte_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let good = export(&demo(&dir.path().join("a.db"), 7));
    let target = dir.path().join("b.db");
    drop(demo(&target, 8));
    let before = settled_bytes(&target);
    let text = String::from_utf8(good.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The last answer gets an item key the instrument does not have, so the import fails
    // only after thousands of rows were written.
    let last_answer = lines
        .iter()
        .rposition(|l| l.contains("\"item_key\""))
        .unwrap();
    let unknown = {
        let mut lines = lines.clone();
        let changed = lines[last_answer].replacen("\"item_key\":\"", "\"item_key\":\"x.", 1);
        lines[last_answer] = &changed;
        lines.join("\n").into_bytes()
    };
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("half", good[..good.len() / 2].to_vec()),
        ("all but the end", good[..good.len() - 3].to_vec()),
        ("not json", b"service;round\nFjellbygd;1\n".to_vec()),
        ("foreign json", br#"{"name": "another program"}"#.to_vec()),
        ("an array", b"[1, 2, 3]".to_vec()),
        ("unknown item", unknown),
        ("trailing garbage", [good.as_slice(), b"{}"].concat()),
    ];
    for (what, file) in &bad {
        let mut store = Store::open(&target).unwrap();
        let (line, column, problem) = refusal(&mut store, file);
        assert!(
            line >= 1 || what == &"empty",
            "{what}: {problem:?} at {line}:{column}"
        );
        drop(store);
        assert!(
            settled_bytes(&target) == before,
            "{what} changed the database"
        );
    }
}

#[test]
fn a_refusal_says_why_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, who) = small(&dir.path().join("a.db"));
    a.save_response(&who, ITEM, Some(Response::Score(3)), at(1))
        .unwrap();
    let text = String::from_utf8(export(&a)).unwrap();
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;

    let unknown = text.replace(ITEM, "readiness.problem_awareness.9");
    let (line, column, problem) = refusal(&mut b, unknown.as_bytes());
    assert_eq!(line, line_of("\"item_key\""));
    let row = unknown.lines().nth(line - 1).unwrap();
    assert_eq!(column, row.trim_end_matches(',').len(), "{row}");
    assert!(
        matches!(&problem, Problem::UnknownItem { item, .. } if item == "readiness.problem_awareness.9")
    );
    let message = problem.message(kartlegg::i18n::Lang::En);
    assert!(
        message.contains("readiness.problem_awareness.9"),
        "{message}"
    );

    let newer = text.replace("\"format_version\": 6,", "\"format_version\": 7,");
    let (line, _, problem) = refusal(&mut b, newer.as_bytes());
    assert_eq!(line, line_of("\"format_version\""));
    assert_eq!(problem, Problem::FormatVersion { found: "7".into() });

    let out_of_scale = text.replace("\"value\":3", "\"value\":7");
    let (_, _, problem) = refusal(&mut b, out_of_scale.as_bytes());
    assert!(matches!(
        problem,
        Problem::OutOfScale {
            value: 7,
            min: 1,
            max: 5,
            ..
        }
    ));

    // A row is refused just after its closing brace, as serde_json counts (columns in bytes).
    let orphan = text.replacen("\"service_id\":\"", "\"service_id\":\"gone-", 1);
    let (line, column, problem) = refusal(&mut b, orphan.as_bytes());
    assert_eq!(line, line_of("\"service_id\""));
    let row = orphan.lines().nth(line - 1).unwrap();
    assert_eq!(column, row.trim_end_matches(',').len(), "{row}");
    assert!(matches!(
        problem,
        Problem::MissingParent {
            field: "service_id",
            ..
        }
    ));

    let cut = &text[..text.len() / 2];
    let (line, _, problem) = refusal(&mut b, cut.as_bytes());
    assert_eq!(problem, Problem::Truncated);
    assert_eq!(line, cut.matches('\n').count() + 1);

    assert_eq!(refusal(&mut b, b"{\"name\": 1}").2, Problem::NotAnExport);
    assert!(matches!(
        refusal(&mut b, b"name;code").2,
        Problem::NotJson(_)
    ));
    assert_eq!(b.counts().unwrap(), Default::default());

    // Every problem reads in every language, with the place.
    let e = import(&mut b, unknown.as_bytes()).unwrap_err();
    for lang in kartlegg::i18n::Lang::ALL {
        let message = e.message(lang);
        assert!(
            message.contains(&line_of("\"item_key\"").to_string()),
            "{message}"
        );
    }
}

/// The answer rows' ids in a file, in the file's order.
fn answer_ids(text: &str) -> Vec<String> {
    let file: serde_json::Value = serde_json::from_str(text).unwrap();
    file["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

/// A refusal at the end of the row that holds `needle`, the database as it was.
fn refused_at_row(target: &Path, text: &str, needle: &str) -> Problem {
    refused_at_row_by(target, text, needle, clock())
}

fn refused_at_row_by(target: &Path, text: &str, needle: &str, clock: ImportClock) -> Problem {
    let before = settled_bytes(target);
    let mut store = Store::open(target).unwrap();
    let (line, column, problem) = match store.import_json(text.as_bytes(), instrument(), clock) {
        Err(StoreError::ImportRefused(refusal)) => (refusal.line, refusal.column, refusal.problem),
        other => panic!("expected a refusal, got {other:?}"),
    };
    drop(store);
    let row = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no row holds {needle}"));
    assert_eq!(line, row + 1, "{problem:?}");
    let row = text.lines().nth(row).unwrap();
    assert_eq!(column, row.trim_end_matches(',').len(), "{row}");
    assert!(
        settled_bytes(target) == before,
        "{problem:?} changed the database"
    );
    for lang in kartlegg::i18n::Lang::ALL {
        assert!(!problem.message(lang).is_empty());
    }
    problem
}

#[test]
fn a_history_value_off_its_items_scale_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, who) = small(&dir.path().join("a.db"));
    a.save_response(&who, ITEM, Some(Response::Score(3)), at(1))
        .unwrap();
    a.save_response(&who, ITEM, Some(Response::Score(4)), at(2))
        .unwrap();
    let two = "competence.training.1";
    a.save_response(&who, two, Some(Response::Score(2)), at(3))
        .unwrap();
    let text = String::from_utf8(export(&a)).unwrap();
    let target = dir.path().join("b.db");
    drop(demo(&target, 8));
    let history = |from: &str, to: &str| {
        let lines: Vec<String> = text
            .lines()
            .map(|l| match l.contains("\"changed_at\"") && l.contains(from) {
                true => l.replacen(from, to, 1),
                false => l.to_string(),
            })
            .collect();
        lines.join("\n")
    };
    // 3 → 4 on the 1–5 scale becomes 3 → 7; 2 on the 0–2 scale becomes 3.
    for (file, needle, field, value) in [
        (
            history("\"new_value\":4", "\"new_value\":7"),
            "\"new_value\":7",
            "new_value",
            7,
        ),
        (
            history("\"old_value\":3", "\"old_value\":0"),
            "\"old_value\":0",
            "old_value",
            0,
        ),
        (
            history("\"new_value\":2", "\"new_value\":3"),
            "\"new_value\":3,\"new_missing\":null,\"new_comment\":\"\",\"changed_at\":\"2026-03-09T10:03",
            "new_value",
            3,
        ),
    ] {
        assert_ne!(file, text, "{needle}: the fixture changed");
        let problem = refused_at_row(&target, &file, needle);
        assert!(
            matches!(&problem, Problem::HistoryOutOfScale { field: f, value: v, .. } if *f == field && *v == value),
            "{problem:?}"
        );
    }
    import(&mut Store::open(&target).unwrap(), text.as_bytes()).expect("the good file imports");
}

/// One id for two answers: the history of both would be filed under one of them.
#[test]
fn one_answer_id_for_two_items_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, who) = small(&dir.path().join("a.db"));
    let other = "readiness.problem_awareness.2";
    let empty = export(&a);
    a.save_response(&who, ITEM, Some(Response::Score(3)), at(2))
        .unwrap();
    a.save_response(&who, other, Some(Response::Score(5)), at(3))
        .unwrap();
    let text = String::from_utf8(export(&a)).unwrap();
    let ids = answer_ids(&text);
    // Both answers under the first one's id.
    let file = text.replace(ids[1].as_str(), &ids[0]);
    // This machine has its own answer to the first item (the file's is filed under this
    // one's id, then the id comes again), or to the second (the file's id is added with the
    // first, then comes again for one filed under this machine's id).
    for (n, here) in [ITEM, other].into_iter().enumerate() {
        let target = dir.path().join(format!("b{n}.db"));
        let mut b = Store::open(&target).unwrap();
        import(&mut b, &empty).unwrap();
        b.save_response(&who, here, Some(Response::Score(2)), at(1))
            .unwrap();
        drop(b);
        let problem = refused_at_row(&target, &file, &format!("\"item_key\":\"{other}\""));
        assert!(
            matches!(&problem, Problem::Identity { section: "answers", field: "respondent_id item_key", id, .. } if id == &ids[0]),
            "{here}: {problem:?}"
        );
        import(&mut Store::open(&target).unwrap(), text.as_bytes()).expect("the good file imports");
    }
}

#[test]
fn a_round_of_an_instrument_version_kartlegg_does_not_have_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = small(&dir.path().join("a.db"));
    let text = String::from_utf8(export(&a)).unwrap();
    let version = format!("\"instrument_version\":\"{}\"", instrument().version);
    let file = text.replacen(&version, "\"instrument_version\":\"9.9\"", 1);
    assert_ne!(file, text);
    let target = dir.path().join("b.db");
    drop(demo(&target, 8));
    let problem = refused_at_row(&target, &file, "\"instrument_version\":\"9.9\"");
    assert!(
        matches!(&problem, Problem::InstrumentVersion { found, .. } if found == "9.9"),
        "{problem:?}"
    );
    let message = problem.message(kartlegg::i18n::Lang::En);
    assert!(
        message.contains("9.9") && message.contains("1.0"),
        "{message}"
    );
}

/// A round answered with 1.0, which 2.0 declares it reads (the same keys, the same items), is
/// imported as it is, keeping its version.
#[test]
fn a_round_of_a_version_the_instrument_reads_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = small(&dir.path().join("a.db"));
    let text = String::from_utf8(export(&a)).unwrap();
    assert!(instrument().reads.iter().any(|v| v == "1.0"));
    let version = format!("\"instrument_version\":\"{}\"", instrument().version);
    let file = text.replace(&version, "\"instrument_version\":\"1.0\"");
    assert_ne!(file, text);
    let mut target = Store::open(&dir.path().join("b.db")).unwrap();
    import(&mut target, file.as_bytes()).expect("a 1.0 round imports");
    let service = &target.services().unwrap()[0].service;
    let rounds = target.rounds(&service.id).unwrap();
    assert!(!rounds.is_empty());
    assert!(
        rounds.iter().all(|r| r.round.instrument_version == "1.0"),
        "{rounds:?}"
    );
}

/// A reader that hands over one byte at a time, as a slow pipe may.
struct Trickle<'a>(&'a [u8]);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let Some((&first, rest)) = self.0.split_first() else {
            return Ok(0);
        };
        match out.first_mut() {
            Some(byte) => *byte = first,
            None => return Ok(0),
        }
        self.0 = rest;
        Ok(1)
    }
}

/// Notepad and other Windows editors save UTF-8 with a byte-order mark first.
#[test]
fn a_file_that_starts_with_a_byte_order_mark_imports() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo(&dir.path().join("a.db"), 7);
    let file = [b"\xEF\xBB\xBF".as_slice(), &export(&a)].concat();
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    import(&mut b, &file).expect("a file with a byte-order mark imports");
    assert_eq!(b.counts().unwrap(), a.counts().unwrap());
    let mut c = Store::open(&dir.path().join("c.db")).unwrap();
    c.import_json(Trickle(&file), instrument(), clock())
        .expect("also when the mark comes a byte at a time");
    assert_eq!(c.counts().unwrap(), a.counts().unwrap());
    // Only the mark goes: a refusal's place is still counted from the first brace.
    let text = String::from_utf8(file).unwrap();
    let broken = text.replacen("\"format\": ", "\"format\" ", 1);
    let (line, column, problem) = refusal(&mut b, broken.as_bytes());
    assert!(matches!(problem, Problem::NotJson(_)), "{problem:?}");
    assert_eq!((line, column), (2, 10));
}

/// Only a version above this kartlegg's is from a newer one; 0 and -1 no kartlegg writes.
#[test]
fn a_format_version_no_kartlegg_wrote_is_named_so() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = small(&dir.path().join("a.db"));
    let text = String::from_utf8(export(&a)).unwrap();
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    for found in ["0", "-1", "1.5", "\"2\""] {
        let file = text.replace(
            "\"format_version\": 6,",
            &format!("\"format_version\": {found},"),
        );
        let (line, _, problem) = refusal(&mut b, file.as_bytes());
        assert_eq!(line, 3);
        assert_eq!(
            problem,
            Problem::UnknownFormatVersion {
                found: found.into()
            }
        );
        for lang in kartlegg::i18n::Lang::ALL {
            let message = problem.message(lang);
            assert!(!message.contains("?"), "{found}: {message}");
            assert!(message.contains(found), "{found}: {message}");
        }
        assert!(
            problem
                .message(kartlegg::i18n::Lang::En)
                .contains("no kartlegg")
        );
    }
    assert_eq!(b.counts().unwrap(), Default::default());
}

#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("k.db")).unwrap();
    let service = store
        .create_service("=HYPERLINK(\"http://x\")", &[], "+47 cluster", at(0))
        .unwrap();
    let round = store
        .create_round(
            &service.id,
            "@runde",
            NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            RoundKind::Before,
            instrument(),
            at(0),
        )
        .unwrap();
    let who = store
        .create_respondent(&round.id, Role::Staff, "-A1", at(0))
        .unwrap();
    store
        .save_comment(&who.id, ITEM, "=1+1, \"quoted\"\nand a new line", at(1))
        .unwrap();
    store
        .save_response(&who.id, ITEM, Some(Response::Score(4)), at(2))
        .unwrap();
    for layout in [CsvLayout::Long, CsvLayout::Wide] {
        let rows = csv(&store, layout);
        assert_eq!(rows.len(), 2, "{layout:?}: a header and one row");
        let row = &rows[1];
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "{layout:?}: {cell:?} could run as a formula"
            );
        }
        assert!(row.contains(&"'=HYPERLINK(\"http://x\")".to_string()));
        assert!(row.contains(&"'+47 cluster".to_string()));
        assert!(row.contains(&"'@runde".to_string()));
        assert!(row.contains(&"'-A1".to_string()));
    }
    let long = csv(&store, CsvLayout::Long);
    let comment = long[0].iter().position(|h| h == "comment").unwrap();
    assert_eq!(long[1][comment], "'=1+1, \"quoted\"\nand a new line");
    let value = long[0].iter().position(|h| h == "value").unwrap();
    assert_eq!(long[1][value], "4");
}

#[test]
fn the_wide_header_has_one_column_per_item_in_walk_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo(&dir.path().join("k.db"), 7);
    let rows = csv(&store, CsvLayout::Wide);
    let keys: Vec<String> = instrument()
        .items()
        .iter()
        .map(|i| i.item.key.clone())
        .collect();
    let header = &rows[0];
    assert_eq!(
        header[..11].join(","),
        "service_id,service,cluster,round_id,round,held_on,kind,instrument_version,respondent_id,role,code"
    );
    assert_eq!(header[11..], keys[..]);
    assert_eq!(rows.len() - 1, store.counts().unwrap().respondents);
    // Every cell of an item is a score on its scale, a missing code, or empty.
    for row in &rows[1..] {
        for (cell, item) in row[11..].iter().zip(instrument().items()) {
            let ok = cell.is_empty()
                || cell == "dont_know"
                || cell == "not_applicable"
                || cell.parse::<u8>().is_ok_and(|v| item.scale.contains(v));
            assert!(ok, "{cell:?} for {}", item.item.key);
        }
    }
    let long = csv(&store, CsvLayout::Long);
    assert_eq!(long.len() - 1, store.counts().unwrap().answers);
}

// ---- plans, goals, stage and consensus ----

const COACHING: &str = "competence.coaching";

/// What `planned` made, by id.
struct Planned {
    service: String,
    round: String,
    measure: PlanItem,
    goal: String,
}

/// `small`, with a plan on coaching (a barrier, a strategy and a measure, the measure
/// edited once), a goal with a status in the round, the round's stage and a consensus
/// value set twice: every kind of row and a change log with updates.
fn planned(path: &Path) -> (Store, Planned) {
    let (mut store, _) = small(path);
    let service = store.services().unwrap()[0].service.id.clone();
    let round = store.rounds(&service).unwrap()[0].round.id.clone();
    let barrier = store
        .add_plan_item(
            &PlanItem {
                id: String::new(),
                service_id: service.clone(),
                subdomain_key: COACHING.into(),
                kind: PlanKind::Barrier,
                text: "Ingen tid satt av til veiledning".into(),
                level: Some(Level::Organisation),
                owner: String::new(),
                due_on: None,
                done: false,
                done_on: None,
            },
            at(1),
        )
        .unwrap();
    store
        .add_plan_item(
            &PlanItem {
                kind: PlanKind::Strategy,
                text: "Fast tid i turnusen".into(),
                level: None,
                ..barrier.clone()
            },
            at(2),
        )
        .unwrap();
    let measure = store
        .add_plan_item(
            &PlanItem {
                kind: PlanKind::Measure,
                text: "Veiledning annenhver uke".into(),
                level: None,
                owner: "Fagleder".into(),
                due_on: NaiveDate::from_ymd_opt(2026, 4, 1),
                ..barrier.clone()
            },
            at(3),
        )
        .unwrap();
    let measure = PlanItem {
        text: "Veiledning hver fjortende dag".into(),
        ..measure
    };
    store.update_plan_item(&measure, at(4)).unwrap();
    let goal = store
        .add_goal(&service, "Alle får veiledning", &[COACHING.into()], at(5))
        .unwrap()
        .id;
    store
        .set_goal_status(&goal, &round, Some(GoalStatus::Partly), at(6))
        .unwrap();
    store
        .set_round_stage(&round, Some(Stage::Adapt), at(7))
        .unwrap();
    store
        .set_consensus(&round, COACHING, Some(0), at(8))
        .unwrap();
    store
        .set_consensus(&round, COACHING, Some(1), at(9))
        .unwrap();
    (
        store,
        Planned {
            service,
            round,
            measure,
            goal,
        },
    )
}

/// A year past the clock of the tests below (`at(999)`, when their files are exported).
const A_YEAR_AHEAD: &str = "2027-03-09T10:00:00.000Z";

/// Every time a merge weighs (each `updated_at`) and each log's `changed_at`, one row at a
/// time, a year past this machine's clock: refused at that row, the database unchanged.
#[test]
fn every_time_the_merge_weighs_more_than_a_day_past_this_machines_clock_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, _) = planned(&dir.path().join("a.db"));
    let file: serde_json::Value = serde_json::from_slice(&export(&a)).unwrap();
    let who = file["respondents"][0]["id"].as_str().unwrap().to_string();
    a.save_response(&who, ITEM, Some(Response::Score(2)), at(10))
        .unwrap();
    a.save_response(&who, ITEM, Some(Response::Score(3)), at(11))
        .unwrap();
    let text = String::from_utf8(export(&a)).unwrap();
    let target = dir.path().join("b.db");
    drop(demo(&target, 8));
    let now = ImportClock::at(at(999));
    let mut section = String::new();
    let mut seen = std::collections::BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        if let Some(name) = line.strip_suffix(": [") {
            section = name.trim_matches('"').to_string();
        }
        let Some((name, time)) = weighed_time(line) else {
            continue;
        };
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let written = format!("\"{name}\":\"{time}\"");
        lines[index] = line.replacen(&written, &format!("\"{name}\":\"{A_YEAR_AHEAD}\""), 1);
        let file = lines.join("\n");
        let problem = refused_at_row_by(&target, &file, &lines[index], now);
        match &problem {
            Problem::FutureTime {
                section: s,
                field: f,
                value,
                now,
                ..
            } if *s == section && *f == name && value == A_YEAR_AHEAD => {
                assert_eq!(now, "2026-03-10T02:39:00.000Z");
            }
            other => panic!("{section} {name}: {other:?}"),
        }
        seen.insert(section.clone());
    }
    let every: std::collections::BTreeSet<String> = [
        "services",
        "answers",
        "history",
        "plan_items",
        "goals",
        "goal_statuses",
        "round_stages",
        "consensus",
        "change_log",
    ]
    .map(String::from)
    .into();
    assert_eq!(seen, every);
    // A day is a clock's error, not a year's: 23 hours ahead is still imported.
    let mut b = Store::open(&target).unwrap();
    let ahead = text.replace(
        &kartlegg::store::timestamp(at(11)),
        &kartlegg::store::timestamp(at(999) + Duration::hours(23)),
    );
    assert_ne!(ahead, text);
    b.import_json(ahead.as_bytes(), instrument(), now)
        .expect("a time less than a day ahead imports");
}

/// The first field that a merge weighs in a row, with its time as written.
fn weighed_time(line: &str) -> Option<(&'static str, String)> {
    ["updated_at", "changed_at"].into_iter().find_map(|name| {
        let key = format!("\"{name}\":\"");
        let start = line.find(&key)? + key.len();
        let end = start + line[start..].find('"')?;
        Some((name, line[start..end].to_string()))
    })
}

/// The fault this rule is for: a machine whose clock is a year ahead would overwrite a
/// correction made here today, and again at every import. With the flag, its times are
/// taken as right.
#[test]
fn a_machine_whose_clock_is_ahead_does_not_win_every_merge() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, who) = small(&dir.path().join("a.db"));
    let target = dir.path().join("b.db");
    let mut b = Store::open(&target).unwrap();
    import(&mut b, &export(&a)).unwrap();
    let ahead = at(0) + Duration::days(365);
    a.save_response(&who, ITEM, Some(Response::Score(1)), ahead)
        .unwrap();
    let mut file = Vec::new();
    a.export_json(
        Scope::All,
        instrument(),
        ahead,
        Disclosure::identified(),
        &mut file,
        Path::new("t"),
    )
    .unwrap();
    // Today's correction here.
    b.save_response(&who, ITEM, Some(Response::Score(4)), at(30))
        .unwrap();
    drop(b);
    let before = settled_bytes(&target);
    let today = ImportClock::at(at(31));
    let mut b = Store::open(&target).unwrap();
    match b.import_json(file.as_slice(), instrument(), today) {
        Err(StoreError::ImportRefused(refusal)) => {
            assert_eq!(refusal.line, 4, "exported_at is the fourth line");
            assert!(
                matches!(&refusal.problem, Problem::FutureExport { value, .. } if *value == kartlegg::store::timestamp(ahead)),
                "{:?}",
                refusal.problem
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    drop(b);
    assert!(settled_bytes(&target) == before);
    // Exported today, the answer still from the future: refused at the answer.
    let text = String::from_utf8(file.clone()).unwrap().replacen(
        &kartlegg::store::timestamp(ahead),
        &kartlegg::store::timestamp(at(31)),
        1,
    );
    let problem = refused_at_row_by(&target, &text, "\"item_key\"", today);
    assert!(
        matches!(
            &problem,
            Problem::FutureTime {
                section: "answers",
                field: "updated_at",
                ..
            }
        ),
        "{problem:?}"
    );
    let mut b = Store::open(&target).unwrap();
    assert_eq!(
        b.answers(&who).unwrap()[ITEM].response,
        Some(Response::Score(4)),
        "today's correction stands"
    );
    b.import_json(
        file.as_slice(),
        instrument(),
        today.accepting_future_times(),
    )
    .expect("with the flag the times are taken as right");
    assert_eq!(
        b.answers(&who).unwrap()[ITEM].response,
        Some(Response::Score(1))
    );
}

fn change_log_rows(store: &Store) -> usize {
    let file = data(&export(store));
    file["change_log"].as_array().unwrap().len()
}

#[test]
fn plans_goals_stage_and_consensus_round_trip_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (a, planned) = planned(&dir.path().join("a.db"));
    let first = export(&a);
    let file = data(&first);
    assert_eq!(file["format_version"], 6);
    assert_eq!(file["plan_items"].as_array().unwrap().len(), 3);
    assert_eq!(file["plan_items"][0]["level"], "organisation");
    assert_eq!(file["goals"][0]["subdomain_keys"][0], COACHING);
    assert_eq!(file["goal_statuses"][0]["status"], "partly");
    assert_eq!(file["round_stages"][0]["stage"], "adapt");
    assert_eq!(file["consensus"][0]["value"], 1);
    // 3 plan items + 1 edit, a goal, a status, a stage, a consensus value twice.
    let log = file["change_log"].as_array().unwrap();
    assert_eq!(log.len(), 9);
    assert_eq!(log[3]["entity"], "plan_item");
    assert_eq!(log[3]["old"]["text"], "Veiledning annenhver uke");
    assert_eq!(log[3]["new"]["text"], "Veiledning hver fjortende dag");
    assert_eq!(log[8]["old"], 0);
    assert_eq!(log[8]["new"], 1);

    let b_path = dir.path().join("b.db");
    let mut b = Store::open(&b_path).unwrap();
    let summary = import(&mut b, &first).unwrap();
    assert_eq!(summary.plan_items.added, 3);
    assert_eq!(summary.goals.added, 1);
    assert_eq!(summary.goal_statuses.added, 1);
    assert_eq!(summary.round_stages.added, 1);
    assert_eq!(summary.consensus.added, 1);
    assert_eq!(summary.changes.added, 9);
    assert_eq!(
        b.plan_items(&planned.service).unwrap(),
        a.plan_items(&planned.service).unwrap()
    );
    assert!(
        b.plan_items(&planned.service)
            .unwrap()
            .contains(&planned.measure)
    );
    assert_eq!(
        b.goals(&planned.service).unwrap(),
        a.goals(&planned.service).unwrap()
    );
    assert_eq!(
        b.goal_statuses(&planned.service).unwrap()[&(planned.goal.clone(), planned.round.clone())],
        GoalStatus::Partly
    );
    assert_eq!(b.round_stage(&planned.round).unwrap(), Some(Stage::Adapt));
    assert_eq!(b.consensus(&planned.round).unwrap()[COACHING], 1);
    assert_eq!(
        b.changes("plan_item", &planned.measure.id).unwrap(),
        a.changes("plan_item", &planned.measure.id).unwrap(),
        "the snapshots are the same text on both machines"
    );
    assert!(b.integrity_problems().unwrap().is_empty());
    // The same file again, line for line, but for the database it names.
    assert_eq!(
        String::from_utf8(first.clone()).unwrap(),
        as_if_from_a(&export(&b))
    );

    drop(b);
    let before = dump(&b_path);
    let mut b = Store::open(&b_path).unwrap();
    let second = import(&mut b, &first).unwrap();
    assert!(!second.changed_anything(), "{second:?}");
    assert_eq!(second.plan_items.skipped, 3);
    assert_eq!(second.changes.skipped, 9);
    drop(b);
    assert_eq!(dump(&b_path), before);

    // One service's export carries its plan, and nothing of another service's.
    let mut a = a;
    let other = a.create_service("Sjøbyen", &[], "", at(10)).unwrap();
    a.add_goal(&other.id, "Et annet mål", &[], at(11)).unwrap();
    let mut out = Vec::new();
    a.export_json(
        Scope::Service(&planned.service),
        instrument(),
        at(999),
        Disclosure::identified(),
        &mut out,
        Path::new("test"),
    )
    .unwrap();
    // The same rows; the file says which service it holds.
    let mut whole = data(&first);
    whole["contents"]["service"] = "Fjellbygd".into();
    assert_eq!(data(&out), whole);
    assert_eq!(change_log_rows(&a), 10);
}

#[test]
fn a_conflict_on_a_plan_item_or_a_consensus_keeps_the_newer_and_logs_the_older() {
    let dir = tempfile::tempdir().unwrap();
    let (a_path, b_path) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let (mut a, planned) = planned(&a_path);
    let mut b = Store::open(&b_path).unwrap();
    import(&mut b, &export(&a)).unwrap();

    // They part. The measure: A marks it done at minute 20, B renames it at 21 (newer).
    // The consensus: B says 2 at minute 20, A says 0 at 21 (newer).
    let done = PlanItem {
        done: true,
        done_on: NaiveDate::from_ymd_opt(2026, 3, 20),
        ..planned.measure.clone()
    };
    a.update_plan_item(&done, at(20)).unwrap();
    let renamed = PlanItem {
        text: "Veiledning hver uke".into(),
        ..planned.measure.clone()
    };
    b.update_plan_item(&renamed, at(21)).unwrap();
    b.set_consensus(&planned.round, COACHING, Some(2), at(20))
        .unwrap();
    a.set_consensus(&planned.round, COACHING, Some(0), at(21))
        .unwrap();

    // B gets A's file: B's measure is newer and stays, A's consensus is newer and wins.
    let summary = import(&mut b, &export(&a)).unwrap();
    assert_eq!(summary.plan_items.newer_here, 1);
    assert_eq!(summary.plan_items.updated, 0);
    assert_eq!(summary.consensus.updated, 1);
    let measure = |store: &Store| {
        store
            .plan_items(&planned.service)
            .unwrap()
            .into_iter()
            .find(|i| i.id == planned.measure.id)
            .unwrap()
    };
    assert_eq!(measure(&b), renamed);
    assert_eq!(b.consensus(&planned.round).unwrap()[COACHING], 0);
    // The older of each is in B's change log, as the old side of the change to the newer.
    let log = b.changes("plan_item", &planned.measure.id).unwrap();
    assert!(
        log.iter().any(|c| {
            c.old_json
                .as_deref()
                .is_some_and(|o| o.contains("\"done\":true"))
                && c.new_json
                    .as_deref()
                    .is_some_and(|n| n.contains("Veiledning hver uke"))
        }),
        "A's done measure is in B's log: {log:?}"
    );
    let key = format!("{}/{COACHING}", planned.round);
    let log = b.changes("consensus", &key).unwrap();
    assert!(
        log.iter()
            .any(|c| c.old_json.as_deref() == Some("2") && c.new_json.as_deref() == Some("0")),
        "B's 2 is the old side: {log:?}"
    );

    // A gets B's file: B's measure is newer and wins; B already has A's consensus.
    let summary = import(&mut a, &export(&b)).unwrap();
    assert_eq!(summary.plan_items.updated, 1);
    assert_eq!(summary.consensus.skipped, 1);
    assert_eq!(measure(&a), renamed);
    assert_eq!(a.consensus(&planned.round).unwrap()[COACHING], 0);

    // After one more exchange each way the two machines agree, change log and all.
    import(&mut b, &export(&a)).unwrap();
    import(&mut a, &export(&b)).unwrap();
    assert!(!import(&mut a, &export(&b)).unwrap().changed_anything());
    drop((a, b));
    assert_eq!(without_logs(&a_path), without_logs(&b_path));
    assert_eq!(
        log_set(&a_path, "change_log:"),
        log_set(&b_path, "change_log:")
    );
}

#[test]
fn a_cleared_value_is_cleared_on_the_other_machine_unless_set_again_later_there() {
    let dir = tempfile::tempdir().unwrap();
    let (a_path, b_path) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let (mut a, planned) = planned(&a_path);
    let mut b = Store::open(&b_path).unwrap();
    import(&mut b, &export(&a)).unwrap();

    // A clears the stage and the consensus; B sets another stage after that.
    a.set_consensus(&planned.round, COACHING, None, at(20))
        .unwrap();
    a.set_round_stage(&planned.round, None, at(20)).unwrap();
    b.set_round_stage(&planned.round, Some(Stage::Decide), at(21))
        .unwrap();

    let summary = import(&mut b, &export(&a)).unwrap();
    assert_eq!(summary.consensus.updated, 1, "the removal");
    assert!(b.consensus(&planned.round).unwrap().is_empty());
    assert_eq!(b.round_stage(&planned.round).unwrap(), Some(Stage::Decide));
    // A does not get the cleared values back from B, and takes B's newer stage.
    let summary = import(&mut a, &export(&b)).unwrap();
    assert_eq!(summary.consensus.added, 0);
    assert!(a.consensus(&planned.round).unwrap().is_empty());
    assert_eq!(a.round_stage(&planned.round).unwrap(), Some(Stage::Decide));

    import(&mut b, &export(&a)).unwrap();
    import(&mut a, &export(&b)).unwrap();
    assert!(!import(&mut b, &export(&a)).unwrap().changed_anything());
    drop((a, b));
    assert_eq!(without_logs(&a_path), without_logs(&b_path));
    assert_eq!(
        log_set(&a_path, "change_log:"),
        log_set(&b_path, "change_log:")
    );
}

#[test]
fn a_format_version_1_file_still_imports() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = planned(&dir.path().join("a.db"));
    let text = String::from_utf8(export(&a)).unwrap();
    // A file as version 1 wrote it: the same header, and nothing after the history.
    let cut = text.find(",\n\"plan_items\"").unwrap();
    let v1 = before_contents(&format!("{}\n}}\n", &text[..cut]), 1);
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    let summary = import(&mut b, v1.as_bytes()).unwrap();
    assert_eq!(summary.services.added, 1);
    assert_eq!(summary.respondents.added, 1);
    assert_eq!(summary.plan_items, Default::default());
    assert_eq!(b.counts().unwrap(), a.counts().unwrap());
    let service = &b.services().unwrap()[0].service.id;
    assert!(b.plan_items(service).unwrap().is_empty());
    assert!(!import(&mut b, v1.as_bytes()).unwrap().changed_anything());

    // A version 1 file with the plan arrays, or a version 2 file without them, is refused.
    let mixed = before_contents(&text, 1);
    assert_eq!(
        refusal(&mut b, mixed.as_bytes()).2,
        Problem::ExtraField {
            found: "plan_items".into()
        }
    );
    let short = v1.replacen("\"format_version\": 1,", "\"format_version\": 2,", 1);
    assert_eq!(
        refusal(&mut b, short.as_bytes()).2,
        Problem::MissingField {
            expected: "plan_items"
        }
    );

    // A version 2 file, written before files said what they hold, holds everything as
    // stored and imports; a version 3 file must say it.
    let mut c = Store::open(&dir.path().join("c.db")).unwrap();
    assert_eq!(
        import(&mut c, before_contents(&text, 2).as_bytes())
            .unwrap()
            .plan_items
            .added,
        3
    );
    assert_eq!(
        refusal(&mut c, before_contents(&text, 3).as_bytes()).2,
        Problem::FieldOrder {
            expected: "contents",
            found: "schema_version".into()
        }
    );
}

/// A store with one respondent entered at the machine and one who answered by code, each
/// with one answer; returns the code's respondent.
fn with_one_by_code(path: &Path) -> (Store, String) {
    use kartlegg::domain::invite;
    use kartlegg::store::Invites;
    let (mut store, at_machine) = small(path);
    let round = store.respondent(&at_machine).unwrap().unwrap().round_id;
    let key = store.invite_key().unwrap();
    store
        .add_invites(
            &round,
            Role::Staff,
            &[invite::hash("K7QM4RTX", &key)],
            at(1),
        )
        .unwrap();
    let alone = store
        .claim_invite(&invite::hashes("K7QM4RTX", &key), at(2))
        .unwrap()
        .unwrap();
    for who in [&at_machine, &alone.id] {
        store
            .save_response(who, ITEM, Some(Response::Score(4)), at(3))
            .unwrap();
    }
    (store, alone.id)
}

/// The respondents' `by_code`, in the file's order.
fn by_code_of(file: &[u8]) -> Vec<serde_json::Value> {
    let file: serde_json::Value = serde_json::from_slice(file).unwrap();
    file["respondents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["by_code"].clone())
        .collect()
}

#[test]
fn every_json_export_says_who_answered_by_code_and_never_their_code() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, alone) = with_one_by_code(&dir.path().join("a.db"));
    let identified = export(&a);
    let file: serde_json::Value = serde_json::from_slice(&identified).unwrap();
    assert_eq!(file["format_version"], 6);
    assert_eq!(file["respondents"][1]["id"], alone.as_str());
    assert_eq!(by_code_of(&identified), [false, true]);
    let mut pseudonymous = Vec::new();
    a.export_json(
        Scope::All,
        instrument(),
        at(999),
        Disclosure::pseudonymous(5),
        &mut pseudonymous,
        Path::new("test"),
    )
    .unwrap();
    assert_eq!(by_code_of(&pseudonymous), [false, true]);
    for file in [&identified, &pseudonymous] {
        let text = String::from_utf8(file.clone()).unwrap();
        let key = kartlegg::store::Invites::invite_key(&mut a).unwrap();
        let hash = kartlegg::domain::invite::hash("K7QM4RTX", &key);
        assert!(!text.contains("K7QM4RTX") && !text.contains(&hash));
    }
}

#[test]
fn the_import_says_how_many_answered_by_code_and_are_seen_here_only_together() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = with_one_by_code(&dir.path().join("a.db"));
    let file = dir.path().join("a.json");
    fs::write(&file, export(&a)).unwrap();
    let fresh = dir.path().join("b.db");
    let out = kartlegg(&["import", arg(&file), "--db", arg(&fresh), "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains(
            "\n  1 of them answered by code: their answers are shown here too only together\n"
        ),
        "{text}"
    );
    let out = kartlegg(&["import", arg(&file), "--db", arg(&fresh), "--lang", "nb"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains("kode"), "{text}");
}

/// Files written before format version 4 have no `by_code`: their respondents import as
/// entered at the machine, as before. A version 4 file must say it, an older one may not.
#[test]
fn a_file_before_by_code_still_imports_and_the_field_belongs_to_version_4() {
    use kartlegg::store::Invites;
    let dir = tempfile::tempdir().unwrap();
    let (a, alone) = with_one_by_code(&dir.path().join("a.db"));
    let text = String::from_utf8(export(&a)).unwrap();
    let round = a.respondent(&alone).unwrap().unwrap().round_id;
    let v3 = before_by_code(&text, 3);
    assert!(!v3.contains("by_code"));
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    let summary = import(&mut b, v3.as_bytes()).unwrap();
    assert_eq!((summary.respondents.added, summary.by_code), (2, 0));
    assert!(b.code_respondents(&round).unwrap().is_empty());
    // The same answers from a version 4 file later: the respondent is by code from then on.
    let summary = import(&mut b, text.as_bytes()).unwrap();
    assert_eq!((summary.respondents.skipped, summary.by_code), (2, 1));
    assert_eq!(b.code_respondents(&round).unwrap().len(), 1);
    assert!(!import(&mut b, text.as_bytes()).unwrap().changed_anything());
    let mut c = Store::open(&dir.path().join("c.db")).unwrap();
    assert!(
        import(
            &mut c,
            before_contents(&before_by_code(&text, 2), 2).as_bytes()
        )
        .is_ok()
    );

    let mut d = Store::open(&dir.path().join("d.db")).unwrap();
    let old_with_field = before_needs(&text, 3);
    assert!(matches!(
        refusal(&mut d, old_with_field.as_bytes()).2,
        Problem::Unexpected(reason) if reason.contains("by_code")
    ));
    let new_without = before_by_code(&text, 4);
    assert!(matches!(
        refusal(&mut d, new_without.as_bytes()).2,
        Problem::Unexpected(reason) if reason.contains("by_code")
    ));
    assert_eq!(d.counts().unwrap(), Default::default());
}

#[test]
fn plan_rows_are_checked_like_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let (a, planned) = planned(&dir.path().join("a.db"));
    let text = String::from_utf8(export(&a)).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();

    let unknown = text.replacen(
        "\"subdomain_key\":\"competence.coaching\"",
        "\"subdomain_key\":\"competence.gone\"",
        1,
    );
    let (line, _, problem) = refusal(&mut b, unknown.as_bytes());
    assert_eq!(line, line_of("\"kind\":\"barrier\""));
    assert!(
        matches!(&problem, Problem::UnknownSubdomain { section: "plan_items", subdomain, .. } if subdomain == "competence.gone")
    );
    // Coaching is a competence driver: 0–2.
    let off_scale = text.replace(
        "\"subdomain_key\":\"competence.coaching\",\"value\":1",
        "\"subdomain_key\":\"competence.coaching\",\"value\":4",
    );
    assert!(matches!(
        refusal(&mut b, off_scale.as_bytes()).2,
        Problem::ConsensusOutOfScale {
            value: 4,
            min: 0,
            max: 2,
            ..
        }
    ));
    let bad_level = text.replace("\"level\":\"organisation\"", "\"level\":\"county\"");
    assert!(matches!(
        refusal(&mut b, bad_level.as_bytes()).2,
        Problem::BadCode { field: "level", .. }
    ));
    let bad_due = text.replace("\"due_on\":\"2026-04-01\"", "\"due_on\":\"01.04.2026\"");
    assert!(matches!(
        refusal(&mut b, bad_due.as_bytes()).2,
        Problem::BadDate {
            field: "due_on",
            ..
        }
    ));
    let bad_snapshot = text.replace("\"old\":0,", "\"old\":\"zero\",");
    let (line, _, problem) = refusal(&mut b, bad_snapshot.as_bytes());
    assert_eq!(line, line_of("\"old\":0,"));
    assert!(matches!(problem, Problem::BadSnapshot { field: "old", .. }));
    let orphan = text.replace(
        &format!("\"entity_key\":\"{}\"", planned.round),
        "\"entity_key\":\"no-such-round\"",
    );
    assert!(matches!(
        refusal(&mut b, orphan.as_bytes()).2,
        Problem::MissingParent {
            section: "change_log",
            ..
        }
    ));
    assert_eq!(b.counts().unwrap(), Default::default());
    for lang in kartlegg::i18n::Lang::ALL {
        let message = problem.message(lang);
        assert!(message.contains("old"), "{message}");
    }
}

// ---- a random database survives the round trip ----

#[derive(Debug, Clone)]
enum Change {
    Score(u8),
    DontKnow,
    NotApplicable,
    Clear,
    Comment(String),
}

#[derive(Debug, Clone)]
struct RespondentPlan {
    role: usize,
    code: String,
    changes: Vec<(usize, Change)>,
}

#[derive(Debug, Clone)]
struct RoundPlan {
    label: String,
    kind: usize,
    day: u32,
    respondents: Vec<RespondentPlan>,
}

#[derive(Debug, Clone)]
struct ServicePlan {
    name: String,
    municipalities: Vec<String>,
    cluster: String,
    rounds: Vec<RoundPlan>,
}

/// Text as a comment may hold it, line breaks included.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-ZæøåÆØÅ0-9 =+@\"'\\-,;\n]{0,16}"
}

/// Text of a one-line field, as the screens let it be typed.
fn line() -> impl Strategy<Value = String> {
    "[a-zA-ZæøåÆØÅ0-9 =+@\"'\\-,;]{0,16}"
}

fn plan() -> impl Strategy<Value = Vec<ServicePlan>> {
    let change = prop_oneof![
        any::<u8>().prop_map(Change::Score),
        Just(Change::DontKnow),
        Just(Change::NotApplicable),
        Just(Change::Clear),
        text().prop_map(Change::Comment),
    ];
    let respondent = (
        0..4usize,
        "[A-Z]{0,3}",
        prop::collection::vec((0..57usize, change), 0..8),
    )
        .prop_map(|(role, code, changes)| RespondentPlan {
            role,
            code,
            changes,
        });
    let round = (
        "[A-Za-zæøå][A-Za-zæøå 0-9]{0,10}",
        0..3usize,
        1..28u32,
        prop::collection::vec(respondent, 0..3),
    )
        .prop_map(|(label, kind, day, respondents)| RoundPlan {
            label,
            kind,
            day,
            respondents,
        });
    let service = (
        "[A-Za-zæøå=+@-][A-Za-zæøå 0-9]{0,10}",
        prop::collection::vec("[0-9]{4}", 0..3),
        line(),
        prop::collection::vec(round, 0..3),
    )
        .prop_map(|(name, municipalities, cluster, rounds)| ServicePlan {
            name,
            municipalities,
            cluster,
            rounds,
        });
    prop::collection::vec(service, 0..3)
}

fn build(store: &mut Store, plan: &[ServicePlan]) {
    let items = instrument().items();
    // The clock moves on with every change, as a real one does.
    let mut clock = 0;
    store
        .in_transaction(|store| {
            for s in plan {
                let service =
                    store.create_service(&s.name, &s.municipalities, &s.cluster, at(0))?;
                for r in &s.rounds {
                    let round = store.create_round(
                        &service.id,
                        &r.label,
                        NaiveDate::from_ymd_opt(2026, 2, r.day).unwrap(),
                        RoundKind::ALL[r.kind],
                        instrument(),
                        at(0),
                    )?;
                    for p in &r.respondents {
                        let who = store.create_respondent(
                            &round.id,
                            Role::ALL[p.role],
                            &p.code,
                            at(0),
                        )?;
                        for (item, change) in &p.changes {
                            clock += 1;
                            let item = &items[*item];
                            let key = &item.item.key;
                            let now = at(clock);
                            match change {
                                Change::Score(raw) => {
                                    let span = item.scale.max() - item.scale.min() + 1;
                                    let score = item.scale.min() + raw % span;
                                    store.save_response(
                                        &who.id,
                                        key,
                                        Some(Response::Score(score)),
                                        now,
                                    )?
                                }
                                Change::DontKnow => store.save_response(
                                    &who.id,
                                    key,
                                    Some(Response::DontKnow),
                                    now,
                                )?,
                                Change::NotApplicable => store.save_response(
                                    &who.id,
                                    key,
                                    Some(Response::NotApplicable),
                                    now,
                                )?,
                                Change::Clear => store.save_response(&who.id, key, None, now)?,
                                Change::Comment(text) => {
                                    store.save_comment(&who.id, key, text, now)?
                                }
                            };
                        }
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn random_exports_round_trip(plan in plan()) {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Store::open(&dir.path().join("a.db")).unwrap();
        build(&mut a, &plan);
        let first = export(&a);
        let mut b = Store::open(&dir.path().join("b.db")).unwrap();
        import(&mut b, &first).unwrap();
        prop_assert_eq!(data(&first), data(&export(&b)));
        prop_assert_eq!(b.counts().unwrap(), a.counts().unwrap());
        prop_assert!(!import(&mut b, &first).unwrap().changed_anything());
    }
}

// ---- the command line ----

fn kartlegg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kartlegg"))
        .args(args)
        .env_remove("KARTLEGG_DB")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_command_line_exports_to_private_files_and_imports_with_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    drop(demo(&db, 7));
    let json = dir.path().join("a.json");
    let out = kartlegg(&[
        "export",
        "--db",
        arg(&db),
        "--format",
        "json",
        "--identified",
        "--out",
        arg(&json),
        "--lang",
        "en",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exported 4 services, 8 rounds"));
    for (format, wide) in [("csv", false), ("csv", true)] {
        let file = dir.path().join(format!("a-{wide}.csv"));
        let mut args = vec![
            "export",
            "--db",
            arg(&db),
            "--format",
            format,
            "--out",
            arg(&file),
        ];
        if wide {
            args.push("--wide");
        }
        assert!(kartlegg(&args).status.success());
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert_eq!(
        fs::metadata(&json).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Overwriting keeps it private, even if someone loosened it meanwhile.
    fs::set_permissions(&json, fs::Permissions::from_mode(0o644)).unwrap();
    assert!(
        kartlegg(&[
            "export",
            "--db",
            arg(&db),
            "--format",
            "json",
            "--identified",
            "--out",
            arg(&json)
        ])
        .status
        .success()
    );
    assert_eq!(
        fs::metadata(&json).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // Standard output carries the same data.
    let out = kartlegg(&[
        "export",
        "--db",
        arg(&db),
        "--format",
        "json",
        "--identified",
    ]);
    assert!(out.status.success());
    assert_eq!(data(&out.stdout), data(&fs::read(&json).unwrap()));

    // One service, by name in any case.
    let out = kartlegg(&[
        "export",
        "--db",
        arg(&db),
        "--format",
        "json",
        "--service",
        "sjøbyen BARNEVERNTJENESTE",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let one = data(&out.stdout);
    assert_eq!(one["services"].as_array().unwrap().len(), 1);
    assert_eq!(one["rounds"].as_array().unwrap().len(), 2);
    let out = kartlegg(&[
        "export",
        "--db",
        arg(&db),
        "--format",
        "json",
        "--service",
        "Nowhere",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Nowhere"));

    let fresh = dir.path().join("b.db");
    let out = kartlegg(&["import", arg(&json), "--db", arg(&fresh), "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("services:     4 added, 0 updated, 0 skipped"),
        "{text}"
    );
    let out = kartlegg(&["import", arg(&json), "--db", arg(&fresh), "--lang", "en"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Nothing new"));
    let out = kartlegg(&["check", "--db", arg(&fresh), "--lang", "en"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Integrity: ok"));
}

#[test]
fn the_command_line_refuses_a_bad_file_in_one_line_with_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let good = export(&demo(&db, 7));
    let cut = dir.path().join("cut.json");
    fs::write(&cut, &good[..good.len() / 3]).unwrap();
    let fresh = dir.path().join("b.db");
    let out = kartlegg(&["import", arg(&cut), "--db", arg(&fresh), "--lang", "en"]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("cut.json: line "), "{message}");
    assert!(message.contains(", column "), "{message}");
    assert!(message.contains("ends too early"), "{message}");
    assert!(message.contains("was not changed"), "{message}");

    let out = kartlegg(&[
        "import",
        arg(&dir.path().join("missing.json")),
        "--db",
        arg(&fresh),
    ]);
    assert_eq!(out.status.code(), Some(5));

    let out = kartlegg(&["export", "--db", arg(&db), "--format", "json", "--wide"]);
    assert_eq!(out.status.code(), Some(2));
    let out = kartlegg(&[
        "export",
        "--db",
        arg(&db),
        "--format",
        "json",
        "--out",
        arg(&db),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(Store::open(&db).is_ok(), "the database was not overwritten");
}

/// The real binary weighs the file's times against the machine's own clock.
#[test]
fn the_command_line_refuses_future_times_unless_told_they_are_right() {
    let dir = tempfile::tempdir().unwrap();
    let good = String::from_utf8(export(&demo(&dir.path().join("a.db"), 7))).unwrap();
    let file = dir.path().join("ahead.json");
    let exported = kartlegg::store::timestamp(at(999));
    fs::write(
        &file,
        good.replacen(&exported, "2099-01-01T00:00:00.000Z", 1),
    )
    .unwrap();
    let db = dir.path().join("b.db");
    let out = kartlegg(&["import", arg(&file), "--db", arg(&db), "--lang", "en"]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("ahead.json: line 4, column "), "{message}");
    assert!(message.contains("2099-01-01T00:00:00.000Z"), "{message}");
    assert!(
        message.contains("import with --accept-future-times"),
        "{message}"
    );
    let out = kartlegg(&[
        "import",
        arg(&file),
        "--db",
        arg(&db),
        "--accept-future-times",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A direction control (U+202A–U+202E, U+2066–U+2069) in a name can make it read as
/// another: refused in names, labels and codes; a comment is free text and may hold one.
#[test]
fn a_direction_control_in_a_name_label_or_code_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, _) = planned(&dir.path().join("a.db"));
    let file: serde_json::Value = serde_json::from_slice(&export(&a)).unwrap();
    let who = file["respondents"][0]["id"].as_str().unwrap().to_string();
    a.save_comment(&who, ITEM, "Se \u{202E}vedlegg", at(10))
        .unwrap();
    let text = String::from_utf8(export(&a)).unwrap();
    let target = dir.path().join("b.db");
    drop(demo(&target, 8));
    for (field, from, to) in [
        ("name", "\"Fjellbygd\"", "\"Fjell\\u202ebygd\""),
        ("cluster", "\"Innlandet\"", "\"Inn\u{2066}landet\""),
        ("label", "\"Før samling 1\"", "\"Før\\u2067 samling 1\""),
        ("code", "\"AB\"", "\"A\\u202dB\""),
        ("owner", "\"Fagleder\"", "\"Fag\u{2069}leder\""),
    ] {
        let file = text.replacen(from, to, 1);
        assert_ne!(file, text, "{field}: the fixture changed");
        let problem = refused_at_row(&target, &file, to);
        assert!(
            matches!(&problem, Problem::DirectionControl { field: f, .. } if *f == field),
            "{field}: {problem:?}"
        );
    }
    import(&mut Store::open(&target).unwrap(), text.as_bytes()).expect("a comment may hold one");
}

/// Limits no person reaches: 200 characters for a name, label, code or id, 2,000 for a
/// plan text, 256 KiB for a comment. A string past any field's is refused as it is read.
#[test]
fn a_text_past_its_limit_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, _) = planned(&dir.path().join("a.db"));
    let file: serde_json::Value = serde_json::from_slice(&export(&a)).unwrap();
    let who = file["respondents"][0]["id"].as_str().unwrap().to_string();
    a.save_comment(&who, ITEM, "kort", at(10)).unwrap();
    let text = String::from_utf8(export(&a)).unwrap();
    let target = dir.path().join("b.db");
    drop(demo(&target, 8));
    let at_most = |n: usize| "æ".repeat(n);
    let name = text.replacen("\"Fjellbygd\"", &format!("\"{}\"", at_most(200)), 1);
    let plan = text.replacen(
        "\"Fast tid i turnusen\"",
        &format!("\"{}\"", at_most(2_000)),
        1,
    );
    let comment = text.replacen("\"kort\"", &format!("\"{}\"", "a".repeat(256 * 1024)), 1);
    for ok in [&name, &plan, &comment] {
        let target = dir.path().join("ok.db");
        let _ = fs::remove_file(&target);
        import(&mut Store::open(&target).unwrap(), ok.as_bytes()).expect("at the limit");
    }
    for (field, file, needle) in [
        (
            "name",
            name.replacen(&at_most(200), &at_most(201), 1),
            "\"Fjell",
        ),
        (
            "text",
            plan.replacen(&at_most(2_000), &at_most(2_001), 1),
            "\"kind\":\"strategy\"",
        ),
        (
            "comment",
            text.replacen("\"kort\"", &format!("\"{}\"", "a".repeat(300 * 1024)), 1),
            "\"item_key\"",
        ),
    ] {
        let needle = match field {
            "name" => format!("\"{}", at_most(201)),
            _ => needle.to_string(),
        };
        let problem = refused_at_row(&target, &file, &needle);
        assert!(
            matches!(&problem, Problem::TooLong { field: f, .. } if *f == field),
            "{field}: {problem:?}"
        );
        let message = problem.message(kartlegg::i18n::Lang::En);
        assert!(message.contains("longer than"), "{message}");
    }
    // 20 MB in one string: refused as it is read, where it is, never whole in memory.
    let huge = text.replacen("\"kort\"", &format!("\"{}\"", "a".repeat(20 << 20)), 1);
    let before = settled_bytes(&target);
    let mut store = Store::open(&target).unwrap();
    let (line, _, problem) = refusal(&mut store, huge.as_bytes());
    drop(store);
    assert_eq!(problem, Problem::StringTooLong);
    let row = huge
        .lines()
        .position(|l| l.contains("\"item_key\""))
        .unwrap()
        + 1;
    assert_eq!(line, row);
    assert!(settled_bytes(&target) == before);
}

/// A name or comment from another machine is shown on screens and printed by reports: text
/// that a terminal would act on (cursor moves, colours, a cleared screen) is refused.
#[test]
fn text_with_control_characters_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, who) = small(&dir.path().join("a.db"));
    store
        .save_comment(&who, ITEM, "Første linje\nandre linje", at(1))
        .unwrap();
    let good = String::from_utf8(export(&store)).unwrap();
    // An empty database: the import of one into it switches the journal (see
    // `without_change_counter`); `a_refused_file_leaves_the_database_byte_for_byte_unchanged`
    // refuses into one with content, which keeps the log.
    let target = dir.path().join("b.db");
    drop(Store::open(&target).unwrap());
    let before = without_change_counter(settled_bytes(&target));
    let escape = "\\u001b[2J";
    for (what, file) in [
        (
            "name",
            good.replacen("Fjellbygd", &format!("Fjell{escape}bygd"), 1),
        ),
        (
            "comment",
            good.replacen("andre linje", &format!("andre{escape} linje"), 1),
        ),
        ("code", good.replacen("\"AB\"", "\"A\\u0007B\"", 1)),
    ] {
        assert_ne!(file, good, "{what}: the fixture changed");
        let mut store = Store::open(&target).unwrap();
        let (_, _, problem) = refusal(&mut store, file.as_bytes());
        assert!(
            matches!(problem, Problem::ControlCharacter { .. }),
            "{what}: {problem:?}"
        );
        drop(store);
        assert!(
            without_change_counter(settled_bytes(&target)) == before,
            "{what} changed the database"
        );
    }
    // Line breaks in a comment are text, not control.
    let mut store = Store::open(&target).unwrap();
    import(&mut store, good.as_bytes()).expect("the good file imports");
}
