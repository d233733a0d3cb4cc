//! What other programs read: the codebook, the scale bounds in the long CSV, and the CSV
//! form for a spreadsheet with Norwegian settings (semicolons, decimal comma, a byte-order
//! mark), beside the default form for R and SPSS, which stays as it was.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::kartlegg;
use kartlegg::domain::instrument::{Asked, Instrument};
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::domain::scoring::subdomain_key;
use kartlegg::i18n::{Lang, Localized};
use kartlegg::store::Store;
use kartlegg::store::{Answers, Scores};

const BOM: &str = "\u{feff}";
const AGREE: &str = "readiness.problem_awareness.1";
const DRIVER: &str = "competence.coaching.2";

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, 0, 0).unwrap() + Duration::minutes(minute)
}

fn instrument() -> &'static Instrument {
    Instrument::standard()
}

/// What `answered` made, by id.
struct Ids {
    service: String,
    round: String,
    respondent: String,
}

/// One respondent with an answer on each scale, a "don't know" with a comment in
/// Norwegian letters, and text a spreadsheet would run as a formula or split on `;`.
fn answered(db: &Path) -> Ids {
    let mut store = Store::open(db).unwrap();
    let service = store
        .create_service(
            "Sjøbyen barneverntjeneste",
            &["3401".into()],
            "Innlandet",
            at(0),
        )
        .unwrap();
    let round = store
        .create_round(
            &service.id,
            "=Før samling 1",
            NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            RoundKind::Before,
            instrument(),
            at(0),
        )
        .unwrap();
    let who = store
        .create_respondent(&round.id, Role::KeyPerson, "-007", at(0))
        .unwrap();
    store
        .save_response(&who.id, AGREE, Some(Response::Score(4)), at(1))
        .unwrap();
    store
        .save_response(&who.id, DRIVER, Some(Response::Score(1)), at(2))
        .unwrap();
    let dont_know = "competence.coaching.3";
    store
        .save_comment(
            &who.id,
            dont_know,
            "Æ, ø og å; «veiledning»\nny linje",
            at(3),
        )
        .unwrap();
    store
        .save_response(&who.id, dont_know, Some(Response::DontKnow), at(4))
        .unwrap();
    Ids {
        service: service.id,
        round: round.id,
        respondent: who.id,
    }
}

/// `kartlegg export` with `args` on `db`; its standard output, or a panic with what it said.
fn export(db: &Path, args: &[&str]) -> Vec<u8> {
    let out = kartlegg()
        .arg("export")
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "export {args:?}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn parse(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// A spreadsheet-form file: it starts with a byte-order mark, and parses with `;`.
fn parse_spreadsheet(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let rest = text
        .strip_prefix(BOM)
        .expect("a UTF-8 byte-order mark first");
    parse(rest.as_bytes(), b';')
}

/// The cell in `column` of `row`, by the header's name.
fn cell<'r>(rows: &'r [Vec<String>], row: usize, column: &str) -> &'r str {
    let i = rows[0]
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {:?}", rows[0]));
    &rows[row][i]
}

/// "1=Helt uenig | 2=Delvis uenig": the value before each `=`, the text after it.
fn pairs(cell: &str) -> Vec<(u8, String)> {
    cell.split(" | ")
        .map(|pair| {
            let (value, text) = pair.split_once('=').expect("value=text");
            (value.parse().expect("a value"), text.to_string())
        })
        .collect()
}

const CODEBOOK_HEADER: &str = "item_order,item_key,section_key,subdomain_key,\
scale_key,scale_min,scale_max,points_score,code_dont_know,code_not_applicable,code_not_answered,\
asked_in,answered_by,instrument_key,instrument_version,section_nb,section_nn,section_en,subdomain_nb,subdomain_nn,\
subdomain_en,item_nb,item_nn,item_en,points_nb,points_nn,points_en";

#[test]
fn the_codebook_describes_every_item_with_its_scale_and_texts_in_three_languages() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let bytes = export(&db, &["--format", "codebook"]);
    assert!(!bytes.starts_with(BOM.as_bytes()), "the default has no BOM");
    let rows = parse(&bytes, b',');
    assert_eq!(rows[0].join(","), CODEBOOK_HEADER);
    let items = instrument().items();
    assert_eq!(items.len(), 63);
    assert_eq!(rows.len() - 1, items.len(), "one row per item");

    for (row, item) in (1..).zip(&items) {
        let get = |column: &str| cell(&rows, row, column).to_string();
        let scale = item.scale;
        assert_eq!(get("item_order"), (item.index + 1).to_string());
        assert_eq!(get("item_key"), item.item.key);
        assert_eq!(get("section_key"), item.section.key);
        assert_eq!(
            get("subdomain_key"),
            subdomain_key(item.section, item.subdomain)
        );
        assert_eq!(get("scale_key"), scale.key);
        assert_eq!(get("scale_min"), scale.min().to_string());
        assert_eq!(get("scale_max"), scale.max().to_string());
        assert_eq!(get("instrument_key"), "kartlegg-standard");
        assert_eq!(get("instrument_version"), instrument().version);
        assert_eq!(get("code_dont_know"), "dont_know");
        assert_eq!(get("code_not_applicable"), "not_applicable");
        assert_eq!(get("code_not_answered"), "");
        // Whom the item is put to, as the walk and the scores decide it.
        let asked = |kind, role| item.asks(Asked::new(kind, role));
        let kinds: Vec<&str> = RoundKind::ALL
            .into_iter()
            .filter(|&k| Role::ALL.into_iter().any(|r| asked(k, r)))
            .map(RoundKind::code)
            .collect();
        let roles: Vec<&str> = Role::ALL
            .into_iter()
            .filter(|&r| RoundKind::ALL.into_iter().any(|k| asked(k, r)))
            .map(Role::code)
            .collect();
        assert_eq!(get("asked_in"), kinds.join(" | "), "{}", item.item.key);
        assert_eq!(get("answered_by"), roles.join(" | "), "{}", item.item.key);
        for lang in Lang::ALL {
            let code = lang.code();
            let text = |localized: &Localized| localized.exact(lang).to_string();
            assert_eq!(get(&format!("section_{code}")), text(&item.section.name));
            assert_eq!(
                get(&format!("subdomain_{code}")),
                text(&item.subdomain.name)
            );
            assert_eq!(get(&format!("item_{code}")), text(&item.item.text));
            let points = pairs(&get(&format!("points_{code}")));
            let expected: Vec<(u8, String)> = scale
                .points
                .iter()
                .map(|p| (p.value, text(&p.label)))
                .collect();
            assert_eq!(points, expected, "{} {code}", item.item.key);
        }
        // What each point counts as: (v − min) / (max − min), so that 1–5 and 0–2 compare.
        let scores = pairs(&get("points_score"));
        assert_eq!(scores.len(), scale.points.len());
        for ((value, score), point) in scores.iter().zip(&scale.points) {
            assert_eq!(*value, point.value);
            let score: f64 = score.parse().expect("a decimal with a point");
            let expected = f64::from(value - scale.min()) / f64::from(scale.max() - scale.min());
            assert!((score - expected).abs() < 0.005, "{score} for {value}");
        }
    }

    // Why a cell is empty, by hand from instrument.toml: whether a programme adapts shows only
    // once it is in use, so a before-round does not ask it; whether the service assessed its
    // readiness before joining is the leader's to know; problem awareness is asked of all.
    let row_of = |key: &str| {
        (1..rows.len())
            .find(|&r| cell(&rows, r, "item_key") == key)
            .unwrap()
    };
    for (key, kinds, roles) in [
        (
            "fit.manageable_demands.3",
            "between | after",
            "leader | key_person | staff | consultant",
        ),
        (
            "competence.recruitment.1",
            "before | between | after",
            "leader",
        ),
        (
            "readiness.problem_awareness.1",
            "before | between | after",
            "leader | key_person | staff | consultant",
        ),
    ] {
        assert_eq!(cell(&rows, row_of(key), "asked_in"), kinds, "{key}");
        assert_eq!(cell(&rows, row_of(key), "answered_by"), roles, "{key}");
    }

    // The analyst's trap: the driver items run 0–2, the readiness items 1–5.
    let coaching = (1..rows.len())
        .find(|&r| cell(&rows, r, "item_key") == "competence.coaching.1")
        .unwrap();
    assert_eq!(cell(&rows, coaching, "scale_min"), "0");
    assert_eq!(cell(&rows, coaching, "scale_max"), "2");
    assert_eq!(
        cell(&rows, coaching, "points_score"),
        "0=0.00 | 1=0.50 | 2=1.00"
    );
    assert_eq!(
        cell(&rows, coaching, "points_nb"),
        "0=Ikke på plass | 1=Delvis på plass | 2=På plass"
    );
    assert_eq!(cell(&rows, 1, "scale_min"), "1");
    assert_eq!(cell(&rows, 1, "scale_max"), "5");
    assert_eq!(
        cell(&rows, 1, "points_score"),
        "1=0.00 | 2=0.25 | 3=0.50 | 4=0.75 | 5=1.00"
    );
}

#[test]
fn the_long_csv_carries_each_answers_scale_bounds_beside_its_value() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    answered(&db);
    let rows = parse(&export(&db, &["--format", "csv"]), b',');
    assert_eq!(
        rows[0][11..].join(","),
        "item_key,value,scale_min,scale_max,missing,comment,updated_at"
    );
    let bounds: Vec<[&str; 4]> = (1..rows.len())
        .map(|r| {
            [
                cell(&rows, r, "item_key"),
                cell(&rows, r, "value"),
                cell(&rows, r, "scale_min"),
                cell(&rows, r, "scale_max"),
            ]
        })
        .collect();
    assert_eq!(
        bounds,
        [
            [AGREE, "4", "1", "5"],
            [DRIVER, "1", "0", "2"],
            ["competence.coaching.3", "", "0", "2"],
        ]
    );
}

#[test]
fn the_default_csv_is_comma_separated_with_a_decimal_point_and_no_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let Ids {
        service,
        round,
        respondent,
    } = answered(&db);
    let context = format!(
        "{service},Sjøbyen barneverntjeneste,Innlandet,{round},'=Før samling 1,2026-03-09,before,2.0,{respondent},key_person,'-007"
    );
    let long = String::from_utf8(export(&db, &["--format", "csv", "--identified"])).unwrap();
    assert_eq!(
        long,
        format!(
            "service_id,service,cluster,round_id,round,held_on,kind,instrument_version,respondent_id,role,code,item_key,value,scale_min,scale_max,missing,comment,updated_at\n\
             {context},{AGREE},4,1,5,,,2026-03-09T10:01:00.000Z\n\
             {context},{DRIVER},1,0,2,,,2026-03-09T10:02:00.000Z\n\
             {context},competence.coaching.3,,0,2,dont_know,\"Æ, ø og å; «veiledning»\nny linje\",2026-03-09T10:04:00.000Z\n"
        )
    );
    let wide =
        String::from_utf8(export(&db, &["--format", "csv", "--wide", "--identified"])).unwrap();
    let keys: Vec<String> = instrument()
        .items()
        .iter()
        .map(|i| i.item.key.clone())
        .collect();
    let mut cells = vec![""; keys.len()];
    for (key, value) in [
        (AGREE, "4"),
        (DRIVER, "1"),
        ("competence.coaching.3", "dont_know"),
    ] {
        cells[keys.iter().position(|k| k == key).unwrap()] = value;
    }
    assert_eq!(
        wide,
        format!(
            "service_id,service,cluster,round_id,round,held_on,kind,instrument_version,respondent_id,role,code,{}\n{context},{}\n",
            keys.join(","),
            cells.join(",")
        )
    );
}

#[test]
fn the_spreadsheet_form_has_a_bom_semicolons_and_decimal_commas_and_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    answered(&db);
    for form in [
        &["--format", "csv", "--identified"][..],
        &["--format", "csv", "--wide", "--identified"],
    ] {
        let plain = parse(&export(&db, form), b',');
        let bytes = export(&db, &[form, &["--spreadsheet"]].concat());
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.starts_with(&format!("{BOM}service_id;service;cluster;")),
            "{form:?}"
        );
        let sheet = parse_spreadsheet(&bytes);
        // Only the form differs: the same cells, æøå and line breaks intact.
        assert_eq!(sheet, plain, "{form:?}");
        assert_eq!(cell(&sheet, 1, "service"), "Sjøbyen barneverntjeneste");
        assert_eq!(
            cell(&sheet, 1, "instrument_version"),
            "2.0",
            "a version is text"
        );
        // Formulas stay neutralised in this form too.
        assert_eq!(cell(&sheet, 1, "round"), "'=Før samling 1");
        assert_eq!(cell(&sheet, 1, "code"), "'-007");
        for row in &sheet[1..] {
            for value in row {
                assert!(!value.starts_with(['=', '+', '-', '@']), "{value:?}");
            }
        }
    }
    let long = parse_spreadsheet(&export(
        &db,
        &["--format", "csv", "--spreadsheet", "--with-comments"],
    ));
    assert_eq!(
        cell(&long, 3, "comment"),
        "Æ, ø og å; «veiledning»\nny linje"
    );

    let codebook = export(&db, &["--format", "codebook", "--spreadsheet"]);
    let sheet = parse_spreadsheet(&codebook);
    let plain = parse(&export(&db, &["--format", "codebook"]), b',');
    assert_eq!(sheet[0].join(","), CODEBOOK_HEADER);
    assert_eq!(sheet.len(), plain.len());
    for (s, p) in sheet.iter().zip(&plain).skip(1) {
        for (column, (s, p)) in sheet[0].iter().zip(s.iter().zip(p)) {
            if column == "points_score" {
                // The one decimal number: a comma in the spreadsheet form.
                assert_eq!(s, &p.replace('.', ","));
                assert!(s.contains(','), "{s}");
            } else {
                assert_eq!(s, p, "{column}");
            }
        }
    }
    assert_eq!(
        cell(&sheet, 1, "points_score"),
        "1=0,00 | 2=0,25 | 3=0,50 | 4=0,75 | 5=1,00"
    );
    assert_eq!(cell(&sheet, 1, "instrument_version"), "2.0");
    assert!(cell(&sheet, 1, "points_nn").contains("Heilt usamd"));
}

#[test]
fn the_codebook_follows_the_export_rules_and_options_that_do_not_apply_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    answered(&db);
    let file = dir.path().join("codebook.csv");
    let out = kartlegg()
        .args([
            "export",
            "--format",
            "codebook",
            "--spreadsheet",
            "--lang",
            "en",
            "--db",
        ])
        .arg(&db)
        .arg("--out")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("Wrote the codebook, 63 items, to {}.\n", file.display())
    );
    assert_eq!(
        fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        fs::read(&file).unwrap(),
        export(&db, &["--format", "codebook", "--spreadsheet"]),
        "standard output carries the same file"
    );

    for (args, says) in [
        (&["--format", "json", "--spreadsheet"][..], "--spreadsheet"),
        (&["--format", "codebook", "--wide"], "--wide"),
        (
            &[
                "--format",
                "codebook",
                "--service",
                "Sjøbyen barneverntjeneste",
            ],
            "--service",
        ),
    ] {
        let out = kartlegg()
            .arg("export")
            .args(args)
            .args(["--lang", "en", "--db"])
            .arg(&db)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

/// What docs/analysis.md tells an analyst to do with the long CSV: per round and subdomain
/// (or section), 100 × the sum of (value − scale_min) / (scale_max − scale_min) over the
/// answers with a value, divided by their number, rounded half away from zero (Rust's
/// `f64::round`). It must give kartlegg's own scores, ties and all.
#[test]
fn the_documented_rule_applied_to_the_long_csv_gives_kartleggs_own_scores() {
    use std::collections::BTreeMap;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let mut store = Store::open(&db).unwrap();
    kartlegg::cli::demo::fill(&mut store, instrument(), 11, at(0))
        .unwrap()
        .expect("an empty database");
    let rows = parse(&export(&db, &["--format", "csv"]), b',');

    // (round, area) → (sum of shares × 100, number of values)
    let mut sums: BTreeMap<(String, String), (f64, u32)> = BTreeMap::new();
    for r in 1..rows.len() {
        // kartlegg's own scores leave the process leader out (docs/analysis.md says how).
        if cell(&rows, r, "role") == "consultant" {
            continue;
        }
        let Ok(value) = cell(&rows, r, "value").parse::<f64>() else {
            continue;
        };
        let min: f64 = cell(&rows, r, "scale_min").parse().unwrap();
        let max: f64 = cell(&rows, r, "scale_max").parse().unwrap();
        let key = cell(&rows, r, "item_key");
        let subdomain = key.rsplit_once('.').unwrap().0;
        let section = key.split_once('.').unwrap().0;
        for area in [subdomain, section] {
            let sum = sums
                .entry((cell(&rows, r, "round_id").to_string(), area.to_string()))
                .or_default();
            sum.0 += 100.0 * (value - min) / (max - min);
            sum.1 += 1;
        }
    }
    let analyst: BTreeMap<(String, String), f64> = sums
        .into_iter()
        .map(|(key, (sum, n))| (key, (sum / f64::from(n)).round()))
        .collect();

    let mut own = BTreeMap::new();
    let mut halves = 0;
    let rounds: std::collections::BTreeSet<&String> =
        analyst.keys().map(|(round, _)| round).collect();
    for round in rounds {
        let kept = store
            .round_scores(
                instrument(),
                &[round.as_str()],
                kartlegg::domain::compare::Options::default(),
            )
            .unwrap();
        for section in kept.into_iter().next().unwrap().sections {
            let areas = std::iter::once((section.key.clone(), section.tally)).chain(
                section
                    .subdomains
                    .iter()
                    .map(|d| (format!("{}.{}", section.key, d.key), d.tally)),
            );
            for (area, tally) in areas {
                if let Some(percent) = tally.percent() {
                    halves += usize::from(tally.exact_percent().unwrap().fract() == 0.5);
                    own.insert((round.clone(), area), percent);
                }
            }
        }
    }
    let differ: Vec<_> = own
        .iter()
        .filter(|(key, percent)| analyst.get(*key) != Some(percent))
        .collect();
    assert!(
        differ.is_empty(),
        "kartlegg's scores the rule misses: {differ:?}"
    );
    assert_eq!(analyst.len(), own.len());
    assert!(
        halves > 0,
        "the demo has scores that end in .5, where rounding rules differ"
    );
}
