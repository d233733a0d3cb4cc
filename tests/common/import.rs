//! Damaging a valid export and checking that an import takes it whole or refuses it with
//! the database unchanged: shared by the property tests and the fuzz corpus test.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::domain::needs::{Expectation, Expectations, Facts, NeedField};
use kartlegg::domain::requirement::{Education, PositionFacts, PositionRole};
use kartlegg::exchange::{Disclosure, ImportClock, ImportSummary, Problem, Scope};
use kartlegg::store::Exchange;
use kartlegg::store::{Admin, Answers, Needs, Positions};
use kartlegg::store::{Store, StoreError};

/// This machine's clock in the tests that import: two years past the fixtures' times, so
/// that none of them is in its future.
pub fn clock() -> ImportClock {
    ImportClock::at(Utc.with_ymd_and_hms(2028, 3, 9, 10, 0, 0).unwrap())
}

/// Every service of `store` as a file with `disclosure`, dated at minute 999.
pub fn export_as(store: &Store, disclosure: Disclosure) -> String {
    let mut out = Vec::new();
    store
        .export_json(
            Scope::All,
            Instrument::standard(),
            at(999),
            disclosure,
            &mut out,
            Path::new("test"),
        )
        .unwrap();
    String::from_utf8(out).unwrap()
}

/// Every service of `store` as a file `import` merges.
pub fn export_identified(store: &Store) -> String {
    export_as(store, Disclosure::identified())
}

pub fn import_file(store: &mut Store, file: &str) -> Result<ImportSummary, StoreError> {
    store.import_json(file.as_bytes(), Instrument::standard(), clock())
}

/// The line and the problem of a file's refusal; a panic where it was not refused.
pub fn refusal_of(store: &mut Store, file: &str) -> (usize, Problem) {
    match import_file(store, file) {
        Err(StoreError::ImportRefused(refusal)) => (refusal.line, refusal.problem),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The line (from 1) of the first line of `file` that holds every one of `parts`.
pub fn line_of(file: &str, parts: &[&str]) -> usize {
    file.lines()
        .position(|line| parts.iter().all(|p| line.contains(p)))
        .expect("a line with every part")
        + 1
}

pub fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, 0, 0).unwrap() + Duration::minutes(minute)
}

/// A service with a round and two respondents, each with `items` answers that were
/// changed once and carry a comment; the round's needs (one of an own area, both among the
/// top three), expectations and facts; and two positions.
pub fn fill(store: &mut Store, name: &str, municipality: &str, items: usize) {
    let instrument = Instrument::standard();
    let service = store
        .create_service(name, &[municipality.into()], "Innlandet", at(0))
        .unwrap();
    let round = store
        .create_round(
            &service.id,
            "Før samling 1",
            chrono::NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            RoundKind::Before,
            instrument,
            at(0),
        )
        .unwrap();
    for (r, role) in [Role::Leader, Role::Staff].into_iter().enumerate() {
        let who = store
            .create_respondent(&round.id, role, "", at(1))
            .unwrap()
            .id;
        for (i, item) in instrument.items().iter().take(items).enumerate() {
            let minute = (r * 20 + i) as i64;
            let key = &item.item.key;
            store
                .save_response(&who, key, Some(Response::DontKnow), at(minute))
                .unwrap();
            store
                .save_response(
                    &who,
                    key,
                    Some(Response::Score(item.scale.max())),
                    at(minute + 1),
                )
                .unwrap();
            store
                .save_comment(
                    &who,
                    key,
                    &format!("Merknad {i} om «rutiner», æøå"),
                    at(minute + 2),
                )
                .unwrap();
        }
    }
    let own = store
        .add_own_area(&service.id, "Rus og psykisk helse", at(2))
        .unwrap();
    for (minute, area, change) in [
        (3, "investigation", NeedField::Mastery(Some(2))),
        (4, "investigation", NeedField::TopThree(true)),
        (5, own.id.as_str(), NeedField::Importance(Some(5))),
        (6, own.id.as_str(), NeedField::TopThree(true)),
        (
            7,
            own.id.as_str(),
            NeedField::Missing("Kurs, «rutiner»".into()),
        ),
    ] {
        store
            .set_need(&round.id, area, &change, at(minute))
            .unwrap();
    }
    let expectations = Expectations {
        wants: vec![Expectation::Methods],
        text: "Lære av andre, æøå".into(),
        ..Expectations::default()
    };
    store
        .set_expectations(&round.id, &expectations, at(8))
        .unwrap();
    let facts = Facts {
        ftes: Some(7.5),
        vacancies: Some(1),
        ..Facts::default()
    };
    store.set_facts(&round.id, &facts, at(9)).unwrap();
    for (minute, education, planned_credits, planned_year) in [
        (10, Education::MasterChildWelfare, 0, None),
        (11, Education::BachelorRelevant, 30, Some(2028)),
    ] {
        let facts = PositionFacts {
            role: PositionRole::Caseworker,
            education,
            credits: 30,
            years: 6,
            planned_credits,
            planned_year,
        };
        store.add_position(&round.id, &facts, at(minute)).unwrap();
    }
}

pub struct Fixture {
    /// A valid export of one small database.
    pub export: Vec<u8>,
    /// Another database, settled (no write-ahead log), that each case imports into.
    pub target: Vec<u8>,
}

pub static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let mut source = Store::open(&dir.path().join("source.db")).unwrap();
    fill(&mut source, "Fjellbygd barnevern", "3401", 8);
    let mut export = Vec::new();
    source
        .export_json(
            Scope::All,
            Instrument::standard(),
            at(99),
            Disclosure::identified(),
            &mut export,
            Path::new("export.json"),
        )
        .unwrap();
    let target_path = dir.path().join("target.db");
    let mut target = Store::open(&target_path).unwrap();
    fill(&mut target, "Sjøbyen barnevern", "3405", 8);
    drop(target);
    Fixture {
        export,
        target: settled_bytes(&target_path),
    }
});

/// The main file's bytes once every committed change is in it.
pub fn settled_bytes(path: &Path) -> Vec<u8> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(conn);
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    assert!(
        fs::metadata(&wal).map(|m| m.len() == 0).unwrap_or(true),
        "write-ahead log left with content"
    );
    fs::read(path).unwrap()
}

/// A place along whatever it picks from: 0 is the first, `u64::MAX` the last.
#[derive(Debug, Clone, Copy)]
pub struct At(pub u64);

impl At {
    pub fn index(self, len: usize) -> usize {
        ((u128::from(self.0) * len as u128) >> 64) as usize
    }
}

#[derive(Debug, Clone)]
pub enum Mutation {
    Truncate(At),
    FlipByte(At, u8),
    DeleteField { row: At, field: At },
    ChangeType { row: At, field: At, to: At },
    DuplicateRow(At),
    HugeString { row: At, field: At },
    InvalidUtf8(At),
}

pub const OTHER_TYPES: &[&str] = &["12345", "-1.5", "\"tekst\"", "null", "true", "[]", "{}"];

/// The byte ranges of a row's top-level fields (`"key":value`) and where each value
/// begins. Rows are one JSON object per line, as kartlegg writes them.
fn fields(row: &str) -> Vec<(usize, usize, usize)> {
    let bytes = row.as_bytes();
    let (mut depth, mut in_string, mut escaped) = (0, false, false);
    let mut found = Vec::new();
    let (mut start, mut value) = (1, None);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 1 => {
                found.extend(value.map(|v| (start, v, i)));
                break;
            }
            b'}' | b']' => depth -= 1,
            b':' if depth == 1 && value.is_none() => value = Some(i + 1),
            b',' if depth == 1 => {
                found.extend(value.map(|v| (start, v, i)));
                (start, value) = (i + 1, None);
            }
            _ => {}
        }
    }
    found
}

/// The export with one mutation applied.
pub fn apply(good: &[u8], mutation: &Mutation) -> Vec<u8> {
    let text = std::str::from_utf8(good).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let rows: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("{\""))
        .collect();
    // A field of a row: its line, the field's span and where its value starts.
    let pick = |row: &At, field: &At| {
        let line = rows[row.index(rows.len())];
        let spans = fields(&lines[line]);
        (line, spans[field.index(spans.len())])
    };
    match mutation {
        Mutation::Truncate(at) => return good[..at.index(good.len())].to_vec(),
        Mutation::FlipByte(at, bits) => {
            let mut bad = good.to_vec();
            bad[at.index(good.len())] ^= bits;
            return bad;
        }
        Mutation::InvalidUtf8(at) => {
            let mut bad = good.to_vec();
            let at = at.index(good.len());
            bad.splice(at..at, [0xC3, 0x28, 0xFF]);
            return bad;
        }
        Mutation::DeleteField { row, field } => {
            let (line, (start, _, end)) = pick(row, field);
            let text = &mut lines[line];
            // The field and the comma after it, or before it for the last one.
            if text.as_bytes()[end] == b',' {
                text.replace_range(start..=end, "");
            } else {
                text.replace_range(start.saturating_sub(1).max(1)..end, "");
            }
        }
        Mutation::ChangeType { row, field, to } => {
            let (line, (_, value, end)) = pick(row, field);
            lines[line].replace_range(value..end, OTHER_TYPES[to.index(OTHER_TYPES.len())]);
        }
        Mutation::HugeString { row, field } => {
            let (line, (_, value, end)) = pick(row, field);
            let huge = format!("\"{}\"", "æ".repeat(500_000));
            lines[line].replace_range(value..end, &huge);
        }
        Mutation::DuplicateRow(row) => {
            let line = rows[row.index(rows.len())];
            let copy = lines[line].trim_end_matches(',').to_string() + ",";
            lines.insert(line, copy);
        }
    }
    (lines.join("\n") + "\n").into_bytes()
}

/// What an import of a damaged file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Imported,
    Refused,
}

/// Imports `file` into a fresh copy of the target: whole, or refused with the database
/// as it was and a one-line message. Anything else is described in the error.
pub fn imported_whole_or_refused(file: &[u8]) -> Result<Outcome, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    fs::write(&path, &FIXTURE.target).unwrap();
    let mut store = Store::open(&path).unwrap();
    match store.import_json(file, Instrument::standard(), clock()) {
        Ok(_) => {
            let problems = store.integrity_problems().unwrap();
            ensure(problems.is_empty(), || {
                format!("imported, yet {problems:?}")
            })?;
            // Every service, round, respondent and answer of the file is there.
            let parsed: serde_json::Value =
                serde_json::from_slice(file).map_err(|e| format!("imported, yet not JSON: {e}"))?;
            let conn = rusqlite::Connection::open(&path).unwrap();
            let count = |sql: &str, args: &[&str]| -> i64 {
                conn.query_row(sql, rusqlite::params_from_iter(args), |r| r.get(0))
                    .unwrap()
            };
            let rows = |array: &str| parsed[array].as_array().cloned().unwrap_or_default();
            for (array, table) in [
                ("services", "service"),
                ("rounds", "round"),
                ("respondents", "respondent"),
                ("positions", "position"),
            ] {
                for row in rows(array) {
                    let id = row["id"].as_str().unwrap_or_default();
                    let sql = format!("SELECT count(*) FROM {table} WHERE id = ?1");
                    ensure(count(&sql, &[id]) == 1, || {
                        format!("imported, yet {table} {id} is missing")
                    })?;
                }
            }
            for row in rows("needs") {
                let round = row["round_id"].as_str().unwrap_or_default();
                let area = row["area_key"].as_str().unwrap_or_default();
                let sql = "SELECT count(*) FROM need WHERE round_id = ?1 AND area_key = ?2";
                ensure(count(sql, &[round, area]) == 1, || {
                    format!("imported, yet the need {round} {area} is missing")
                })?;
            }
            for row in rows("answers") {
                let who = row["respondent_id"].as_str().unwrap_or_default();
                let key = row["item_key"].as_str().unwrap_or_default();
                let sql = "SELECT count(*) FROM answer WHERE respondent_id = ?1 AND item_key = ?2";
                ensure(count(sql, &[who, key]) == 1, || {
                    format!("imported, yet the answer {who} {key} is missing")
                })?;
            }
            // And all of it: a second import has nothing left to add.
            let again = store
                .import_json(file, Instrument::standard(), clock())
                .unwrap();
            ensure(!again.changed_anything(), || {
                format!("imported in part: a second import changed {again:?}")
            })?;
            Ok(Outcome::Imported)
        }
        Err(StoreError::ImportRefused(refusal)) => {
            // One line that a person reads, however large the value it quotes.
            let message = refusal.message(kartlegg::i18n::Lang::Nb);
            ensure(
                message.lines().count() == 1 && message.chars().count() < 500,
                || {
                    format!(
                        "not one short line: {}",
                        message.chars().take(300).collect::<String>()
                    )
                },
            )?;
            drop(store);
            ensure(settled_bytes(&path) == FIXTURE.target, || {
                format!("refused ({message}), yet the database changed")
            })?;
            Ok(Outcome::Refused)
        }
        Err(other) => Err(format!("not a clean refusal: {other:?}")),
    }
}

fn ensure(ok: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(why()) }
}
