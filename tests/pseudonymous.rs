//! Exports are pseudonymous by default: no respondent id of the database, no code a leader
//! typed, no comment and no minute of answering leaves in a file for analysis; an export
//! with `--identified` carries everything, and only such a file imports
//! (`docs/exchange.md`, "What a file discloses").

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use common::{db_in, run_cli, run_en};
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::store::{Admin, Answers, Store};

const COMMENT: &str = "Hemmelig: Kari sa dette på møtet";
const COMMENT_ONLY: &str = "Bare en kommentar her";
/// Initials; no code kartlegg draws holds an L or an I, so none can hold these.
const CODE: &str = "LI";
const ITEM: &str = "readiness.problem_awareness.1";
const OTHER: &str = "readiness.problem_awareness.2";

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, minute, 17).unwrap()
}

/// Two rounds of one service; the same person (code LI, typed once in capitals and once
/// not) in both, and one more without a code; a comment on an answer and one alone.
/// Returns the respondents' ids.
fn database(db: &Path) -> Vec<String> {
    let mut store = Store::open(db).unwrap();
    let service = store
        .create_service("Fjellbygd barnevern", &["3401".into()], "Innlandet", at(0))
        .unwrap();
    let mut ids = Vec::new();
    for (label, code) in [("Før", CODE), ("Etter", " li")] {
        let round = store
            .create_round(
                &service.id,
                label,
                chrono::NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
                RoundKind::Before,
                Instrument::standard(),
                at(1),
            )
            .unwrap();
        for (role, code) in [(Role::Staff, code), (Role::Leader, "")] {
            let who = store
                .create_respondent(&round.id, role, code, at(2))
                .unwrap();
            store
                .save_response(&who.id, ITEM, Some(Response::Score(4)), at(3))
                .unwrap();
            store.save_comment(&who.id, ITEM, COMMENT, at(4)).unwrap();
            store
                .save_comment(&who.id, OTHER, COMMENT_ONLY, at(5))
                .unwrap();
            ids.push(who.id);
        }
    }
    ids
}

fn export(db: &Path, args: &[&str]) -> String {
    run_cli(&[&["export"][..], args].concat(), db, "en")
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

/// What a file for analysis must not hold, and says instead.
fn assert_pseudonymous(what: &str, text: &str, ids: &[String]) {
    for id in ids {
        assert!(
            !text.contains(id.as_str()),
            "{what}: respondent {id}\n{text}"
        );
    }
    assert!(!text.contains(CODE), "{what}: the typed code\n{text}");
    for minute in ["10:02:17", "10:03:17", "10:04:17", "10:05:17"] {
        assert!(!text.contains(minute), "{what}: the minute\n{text}");
    }
}

#[test]
fn a_default_json_export_has_no_respondent_id_code_comment_time_or_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let ids = database(&db);
    let text = export(&db, &["--format", "json"]);
    assert_pseudonymous("json", &text, &ids);
    assert!(
        !text.contains(COMMENT) && !text.contains(COMMENT_ONLY),
        "{text}"
    );
    // The first lines say what the file is.
    let contents = text.lines().nth(4).unwrap();
    assert_eq!(
        contents,
        format!(
            r#""contents": {{"respondents":"pseudonymous","comments":false,"database":"{}","service":null}},"#,
            db.file_name().unwrap().to_str().unwrap()
        )
    );

    let file = json(&text);
    let respondents = file["respondents"].as_array().unwrap();
    assert_eq!(respondents.len(), 4);
    // Within the file a respondent keeps one code, and so does the person whose code
    // appears in both rounds: the pairs of the paired change are still there.
    let pseudonyms: Vec<&str> = respondents
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let codes: Vec<&str> = respondents
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes[0], codes[2]);
    assert_eq!(codes[0].len(), 6);
    assert_eq!((codes[1], codes[3]), ("", ""));
    let answers = file["answers"].as_array().unwrap();
    // The answers that held only a comment say nothing without it.
    assert_eq!(answers.len(), 4);
    for answer in answers {
        assert!(pseudonyms.contains(&answer["respondent_id"].as_str().unwrap()));
        assert_eq!(answer["comment"], "");
        assert_eq!(answer["updated_at"], "2026-03-09T00:00:00.000Z");
    }
    assert_eq!(respondents[0]["created_at"], "2026-03-09T00:00:00.000Z");
    assert!(file["history"].as_array().unwrap().is_empty());

    // Another export draws other codes.
    let again = json(&export(&db, &["--format", "json"]));
    assert_ne!(again["respondents"][0]["id"], respondents[0]["id"]);
    assert_ne!(again["respondents"][0]["code"], respondents[0]["code"]);
}

#[test]
fn comments_come_with_with_comments_and_everything_with_identified() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let ids = database(&db);

    let text = export(&db, &["--format", "json", "--with-comments"]);
    assert_pseudonymous("json --with-comments", &text, &ids);
    let file = json(&text);
    assert_eq!(file["contents"]["comments"], true);
    assert_eq!(file["answers"].as_array().unwrap().len(), 8);
    assert!(text.contains(COMMENT) && text.contains(COMMENT_ONLY));

    let text = export(&db, &["--format", "json", "--identified"]);
    let file = json(&text);
    assert_eq!(file["contents"]["respondents"], "identified");
    assert_eq!(file["contents"]["comments"], true);
    for id in &ids {
        assert!(text.contains(id.as_str()), "{id}");
    }
    assert!(text.contains(CODE) && text.contains(COMMENT) && text.contains("10:03:17"));
    assert!(!file["history"].as_array().unwrap().is_empty());

    let csv = export(&db, &["--format", "csv", "--identified"]);
    for id in &ids {
        assert!(csv.contains(id.as_str()), "{id}");
    }
    assert!(csv.contains(CODE) && csv.contains(COMMENT));
}

#[test]
fn a_default_csv_has_no_respondent_id_code_or_comment_and_says_so_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let ids = database(&db);
    for wide in [false, true] {
        let out = dir.path().join(format!("answers-{wide}.csv"));
        let mut args = vec!["--format", "csv", "--out", out.to_str().unwrap()];
        if wide {
            args.push("--wide");
        }
        let said = export(&db, &args);
        let text = fs::read_to_string(&out).unwrap();
        assert_pseudonymous(&format!("csv wide={wide}"), &text, &ids);
        assert!(
            !text.contains(COMMENT) && !text.contains(COMMENT_ONLY),
            "{text}"
        );
        // The header row stays the first, for R, pandas and spreadsheets.
        assert!(text.starts_with("service_id,service,"), "{text}");
        let about = out.with_extension("about.txt");
        let line = fs::read_to_string(&about).unwrap();
        assert_eq!(line.lines().count(), 1, "{line}");
        assert!(line.contains("pseudonymous"), "{line}");
        assert!(line.contains("without comments"), "{line}");
        assert!(line.contains(db.file_name().unwrap().to_str().unwrap()));
        assert_eq!(
            fs::metadata(&about).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(said.contains("about.txt"), "{said}");
        let rows: Vec<&str> = text.lines().skip(1).collect();
        // Long: the two answers (comments alone are left out); wide: the four people.
        assert_eq!(rows.len(), 4, "{text}");
    }

    // To standard output the CSV alone; what it holds goes to standard error.
    let out = run_en(&["export", "--format", "csv", "--with-comments"], &db);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_pseudonymous("csv to standard output", &text, &ids);
    assert!(text.contains(COMMENT) && text.contains(COMMENT_ONLY));
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(
        said.contains("pseudonymous") && said.contains("with comments"),
        "{said}"
    );
}

#[test]
fn a_pseudonymous_file_is_refused_by_import_in_one_line_that_names_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    database(&db);
    let file = dir.path().join("p.json");
    let said = export(&db, &["--format", "json", "--out", file.to_str().unwrap()]);
    assert!(said.contains("--identified"), "{said}");
    let other = dir.path().join("other.db");
    let out = run_en(&["import", file.to_str().unwrap()], &other);
    assert_eq!(out.status.code(), Some(1));
    let message = String::from_utf8(out.stderr).unwrap();
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("line 5, column "), "{message}");
    assert!(message.contains("pseudonymous"), "{message}");
    assert!(message.contains("--identified"), "{message}");
    assert!(message.contains("was not changed"), "{message}");
    assert_eq!(
        Store::open(&other).unwrap().counts().unwrap().respondents,
        0
    );

    // With the flag it moves, and a second time adds nothing.
    let file = dir.path().join("i.json");
    export(
        &db,
        &[
            "--format",
            "json",
            "--identified",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    run_cli(&["import", file.to_str().unwrap()], &other, "en");
    let again = run_cli(&["import", file.to_str().unwrap()], &other, "en");
    assert!(again.contains("Nothing new"), "{again}");
    assert_eq!(
        Store::open(&other).unwrap().counts().unwrap().respondents,
        4
    );
}

#[test]
fn the_flags_are_refused_where_they_mean_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    database(&db);
    for args in [
        &["export", "--format", "codebook", "--identified"][..],
        &["export", "--format", "codebook", "--with-comments"],
        &["export", "--format", "csv", "--wide", "--with-comments"],
    ] {
        let out = run_en(args, &db);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let message = String::from_utf8(out.stderr).unwrap();
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(message.contains("comments"), "{message}");
    }
}
