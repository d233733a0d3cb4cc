//! Schema version 3: kept scores. Whatever writes the answers (saving one by one, a bulk
//! load, an import, the migration from version 2), the kept scores equal a recomputation
//! from the answers as stored.

mod common;

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::import::clock;
use common::schema_of;
use kartlegg::domain::compare::Options;
use kartlegg::domain::instrument::{Asked, Instrument};
use kartlegg::domain::model::{Answer, Respondent, Response, Role, Round, RoundKind, Service};
use kartlegg::domain::scoring::{Answering, summarize};
use kartlegg::exchange::Disclosure;
use kartlegg::exchange::Scope::All;
use kartlegg::store::Exchange;
use kartlegg::store::bulk::{Batch, BatchAnswer, BatchRespondent};
use kartlegg::store::{Admin, Answers, Scores};
use kartlegg::store::{SCHEMA_VERSION, Store, timestamp};
use proptest::prelude::*;

fn at(second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, second / 60, second % 60)
        .unwrap()
}

/// Every round's and every respondent's kept scores, beside `summarize` over their answers.
fn assert_kept_equal_recomputed(store: &Store) {
    let instrument = Instrument::standard();
    for service in store.services().unwrap() {
        let rounds = store.rounds(&service.service.id).unwrap();
        let ids: Vec<&str> = rounds.iter().map(|r| r.round.id.as_str()).collect();
        let pooled = Options {
            with_consultant: true,
        };
        let kept = store.round_scores(instrument, &ids, pooled).unwrap();
        let own = store
            .round_scores(instrument, &ids, Options::default())
            .unwrap();
        for ((round, kept), own) in rounds.iter().zip(kept).zip(own) {
            let answers = store.round_answers(&round.round.id).unwrap();
            let asked = |r: &Respondent| Asked::new(round.round.kind, r.role);
            let sets: Vec<Answering> = answers.iter().map(|(r, a)| (asked(r), a)).collect();
            assert_eq!(kept.respondents, answers.len());
            assert_eq!(
                kept.sections,
                summarize(instrument, &sets),
                "{}",
                round.round.label
            );
            // The service's own score: the process leader's answers taken out.
            let service_sets: Vec<Answering> = answers
                .iter()
                .filter(|(r, _)| r.role != Role::Consultant)
                .map(|(r, a)| (asked(r), a))
                .collect();
            assert_eq!(own.respondents, service_sets.len());
            assert_eq!(own.apart, answers.len() - service_sets.len());
            assert_eq!(
                own.sections,
                summarize(instrument, &service_sets),
                "{} without the process leader",
                round.round.label
            );
            for (respondent, set) in &answers {
                assert_eq!(
                    store.respondent_scores(instrument, &respondent.id).unwrap(),
                    summarize(instrument, &[(asked(respondent), set)]),
                    "respondent {}",
                    respondent.id
                );
            }
        }
    }
}

/// Two rounds of one service, with two and one respondents; the second in the first round
/// is the process leader, whose tallies the service's own score leaves out.
fn seeded(path: &Path) -> (Store, Vec<String>) {
    let mut store = Store::open(path).unwrap();
    let instrument = Instrument::standard();
    let service = store.create_service("Fjellbygd", &[], "", at(0)).unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let mut respondents = Vec::new();
    for (label, n) in [("Før", 2), ("Etter", 1)] {
        let round = store
            .create_round(
                &service.id,
                label,
                date,
                RoundKind::Before,
                instrument,
                at(0),
            )
            .unwrap();
        for i in 0..n {
            let role = if i == 1 {
                Role::Consultant
            } else {
                Role::Staff
            };
            let p = store.create_respondent(&round.id, role, "", at(0)).unwrap();
            respondents.push(p.id);
        }
    }
    (store, respondents)
}

#[derive(Debug, Clone)]
enum Op {
    Respond(Option<Response>),
    Comment(String),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..=6).prop_map(|v| Op::Respond(Some(Response::Score(v)))),
        1 => Just(Op::Respond(Some(Response::DontKnow))),
        1 => Just(Op::Respond(Some(Response::NotApplicable))),
        1 => Just(Op::Respond(None)),
        1 => "[a-z ]{0,8}".prop_map(Op::Comment),
    ]
}

/// A few items, so that the same answer is often changed again: two of one subdomain and
/// one of another on the 1–5 scale, two of one subdomain on the 0–2 scale, the last item.
fn item() -> impl Strategy<Value = usize> {
    proptest::sample::select(vec![0, 1, 4, 30, 31, 56])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Scores in and out of the scale, "vet ikke", "ikke relevant", clearing and comments,
    /// saved one by one, each in its own transaction.
    #[test]
    fn kept_scores_follow_every_save(
        ops in proptest::collection::vec((0usize..3, item(), op()), 1..40),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, respondents) = seeded(&dir.path().join("k.db"));
        let items = Instrument::standard().items();
        for (step, (who, item, op)) in ops.into_iter().enumerate() {
            let (id, key) = (&respondents[who], &items[item].item.key);
            match op {
                Op::Respond(response) => store.save_response(id, key, response, at(step as u32)),
                Op::Comment(text) => store.save_comment(id, key, &text, at(step as u32)),
            }
            .unwrap();
        }
        assert_kept_equal_recomputed(&store);
    }
}

#[test]
fn kept_scores_follow_a_bulk_load() {
    let dir = tempfile::tempdir().unwrap();
    bulk_load_keeps_its_scores(Store::open(&dir.path().join("k.db")).unwrap());
}

/// The large demos' bulk load on a server: the same rows, history and kept scores.
#[test]
fn kept_scores_follow_a_bulk_load_on_a_server() {
    let database = common::postgres::database();
    kartlegg::store::postgres::PgStore::init(&database.url).unwrap();
    let store = Store::open_or_read(
        Path::new(&database.url),
        kartlegg::store::IfMissing::Refuse,
        &|| {},
    )
    .unwrap();
    bulk_load_keeps_its_scores(store);
}

fn bulk_load_keeps_its_scores(mut store: Store) {
    let instrument = Instrument::standard();
    let service = Service {
        id: "s1".into(),
        name: "Fjellbygd".into(),
        municipalities: vec!["3401".into()],
        cluster: "Innlandet".into(),
    };
    let round = Round {
        id: "r1".into(),
        service_id: "s1".into(),
        label: "Før".into(),
        held_on: NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
        kind: RoundKind::Before,
        instrument_key: instrument.key.clone(),
        instrument_version: instrument.version.clone(),
    };
    let responses = [
        Response::Score(4),
        Response::DontKnow,
        Response::Score(1),
        Response::NotApplicable,
        Response::Score(2),
    ];
    let respondents = (0..3)
        .map(|p| BatchRespondent {
            respondent: Respondent {
                id: format!("p{p}"),
                round_id: "r1".into(),
                role: Role::Staff,
                code: String::new(),
            },
            created_at: timestamp(at(0)),
            // The third respondent answers nothing.
            answers: (0..if p == 2 { 0 } else { 57 - p * 20 })
                .map(|i| BatchAnswer {
                    id: format!("a{p}-{i}"),
                    item_key: instrument.items()[i].item.key.clone(),
                    answer: Answer {
                        response: Some(responses[(i + p) % responses.len()]),
                        comment: String::new(),
                    },
                    at: timestamp(at(1)),
                })
                .collect(),
        })
        .collect();
    let batch = Batch {
        services: vec![(service, timestamp(at(0)))],
        rounds: vec![(round, timestamp(at(0)))],
        respondents,
    };
    store.load_batch(instrument, &batch).unwrap();
    assert_eq!(store.counts().unwrap().history, 57 + 37);
    assert_kept_equal_recomputed(&store);
}

/// `seeded`, with the first 30 items answered in turn by the three respondents (so that their
/// answers come apart in an export), and its export.
fn answered(path: &Path) -> (Store, Vec<String>, Vec<u8>) {
    let instrument = Instrument::standard();
    let (mut store, respondents) = seeded(path);
    for (i, item) in instrument.items().iter().enumerate().take(30) {
        let response = Some(Response::Score(item.scale.min() + (i % 3) as u8));
        store
            .save_response(&respondents[i % 3], &item.item.key, response, at(1))
            .unwrap();
    }
    let mut file = Vec::new();
    store
        .export_json(
            All,
            instrument,
            at(2),
            Disclosure::identified(),
            &mut file,
            Path::new("x"),
        )
        .unwrap();
    (store, respondents, file)
}

#[test]
fn kept_scores_follow_an_import_and_a_merge() {
    let dir = tempfile::tempdir().unwrap();
    let instrument = Instrument::standard();
    let (mut here, respondents, file) = answered(&dir.path().join("here.db"));
    let items = instrument.items();

    // Into an empty database.
    let mut there = Store::open(&dir.path().join("there.db")).unwrap();
    there
        .import_json(file.as_slice(), instrument, clock())
        .unwrap();
    assert_kept_equal_recomputed(&there);
    assert_eq!(
        there
            .respondent_scores(instrument, &respondents[0])
            .unwrap(),
        here.respondent_scores(instrument, &respondents[0]).unwrap()
    );

    // Changed there, later, and merged back here.
    for item in items.iter().take(10) {
        let response = Some(Response::DontKnow);
        there
            .save_response(&respondents[0], &item.item.key, response, at(30))
            .unwrap();
    }
    let mut file = Vec::new();
    there
        .export_json(
            All,
            instrument,
            at(31),
            Disclosure::identified(),
            &mut file,
            Path::new("x"),
        )
        .unwrap();
    here.import_json(file.as_slice(), instrument, clock())
        .unwrap();
    assert_kept_equal_recomputed(&here);
    let scores = here.respondent_scores(instrument, &respondents[0]).unwrap();
    assert!(scores.iter().map(|s| s.tally.dont_know).sum::<u32>() >= 10);
}

#[test]
fn a_version_2_database_is_upgraded_with_its_kept_scores_filled() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    {
        // A database as version 2 of kartlegg made it: scores, "vet ikke", "ikke relevant",
        // a comment without a response, an out-of-scale value and an unknown item.
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.execute_batch(include_str!("fixtures/schema_v2.sql"))
            .unwrap();
        conn.execute_batch(
            "INSERT INTO service VALUES ('s1', 'Fjellbygd', '3401', 'Innlandet', 't', 't');
             INSERT INTO round VALUES ('r1', 's1', 'Før samling 1', '2026-02-10', 'before',
                                       'kartlegg-standard', '1.0', 't');
             INSERT INTO round VALUES ('r2', 's1', 'Etter', '2026-09-10', 'after',
                                       'kartlegg-standard', '1.0', 't');
             INSERT INTO respondent VALUES ('p1', 'r1', 'leader', 'AB', 't');
             INSERT INTO respondent VALUES ('p2', 'r1', 'staff', '', 't');
             INSERT INTO respondent VALUES ('p3', 'r2', 'staff', '', 't');
             INSERT INTO answer VALUES ('a1', 'p1', 'fit.answers_problem.1', 4, NULL, 'Ja', 't');
             INSERT INTO answer VALUES ('a2', 'p1', 'fit.answers_problem.2', NULL, 'dont_know', '', 't');
             INSERT INTO answer VALUES ('a3', 'p2', 'fit.answers_problem.1', 2, NULL, '', 't');
             INSERT INTO answer VALUES ('a4', 'p2', 'competence.training.1', 1, NULL, '', 't');
             INSERT INTO answer VALUES ('a5', 'p2', 'competence.training.2', NULL, 'not_applicable', '', 't');
             INSERT INTO answer VALUES ('a6', 'p2', 'competence.training.3', NULL, NULL, 'Snart', 't');
             INSERT INTO answer VALUES ('a7', 'p2', 'competence.coaching.1', 9, NULL, '', 't');
             INSERT INTO answer VALUES ('a8', 'p3', 'gone.away.1', 3, NULL, '', 't');
             INSERT INTO answer VALUES ('a9', 'p3', 'readiness.staff_motivation.1', 5, NULL, '', 't');
             PRAGMA user_version = 2;",
        )
        .unwrap();
    }
    let store = Store::open(&old).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_kept_equal_recomputed(&store);
    let kept = store
        .round_scores(Instrument::standard(), &["r1", "r2"], Options::default())
        .unwrap();
    let fit = &kept[0].sections[1];
    assert_eq!((fit.key.as_str(), fit.tally.scored), ("fit", 2));
    assert_eq!((fit.tally.dont_know, fit.tally.percent()), (1, Some(50.0)));
    assert_eq!(kept[1].respondents, 1);
    assert!(store.integrity_problems().unwrap().is_empty());
    drop(store);

    let backups = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().contains("old.db.v2-")
        })
        .count();
    assert_eq!(backups, 1);

    // Both roads lead to the same schema.
    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh).unwrap());
    assert_eq!(schema_of(&old), schema_of(&fresh));
}

/// An import counts the kept scores of the respondents it adds while their answers stream
/// in, and adds their first changes without looking for them; a file whose rows come apart,
/// or that holds an answer or a change twice, must still end where one at a time would.
#[test]
fn kept_scores_and_history_follow_a_file_with_rows_twice() {
    let dir = tempfile::tempdir().unwrap();
    let instrument = Instrument::standard();
    let (_, _, file) = answered(&dir.path().join("here.db"));
    // One row a line; a row repeated goes right after the first of its array.
    let text = String::from_utf8(file).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let first_of = |lines: &[String], array: &str| {
        1 + lines
            .iter()
            .position(|l| l.starts_with(&format!("\"{array}\": [")))
            .unwrap()
    };
    let row = |line: &str| -> serde_json::Value {
        serde_json::from_str(line.trim_end_matches(',')).unwrap()
    };
    let at_answer = first_of(&lines, "answers");
    let first = row(&lines[at_answer]);
    let (who, item) = (
        first["respondent_id"].as_str().unwrap().to_string(),
        first["item_key"].as_str().unwrap().to_string(),
    );
    // The same respondent and item under another id, answered later on another machine.
    let mut again = first.clone();
    again["id"] = "018d1148-cc00-7000-8000-000000000001".into();
    again["value"] = serde_json::Value::Null;
    again["missing"] = "dont_know".into();
    again["updated_at"] = timestamp(at(20)).into();
    lines.insert(at_answer + 1, format!("{again},"));
    let at_change = first_of(&lines, "history");
    assert_eq!(
        row(&lines[at_change])["answer_id"],
        first["id"],
        "the fixture changed"
    );
    let change = format!("{},", lines[at_change].trim_end_matches(','));
    lines.insert(at_change + 1, change);
    let file = lines.join("\n").into_bytes();

    let mut there = Store::open(&dir.path().join("there.db")).unwrap();
    let summary = there
        .import_json(file.as_slice(), instrument, clock())
        .unwrap();
    assert_eq!(summary.answers.updated, 1, "{summary:?}");
    assert_eq!(summary.history.skipped, 1, "the change twice is one change");
    assert_kept_equal_recomputed(&there);
    assert_eq!(
        there.answers(&who).unwrap()[&item].response,
        Some(Response::DontKnow)
    );
    // Its first version from the file, and the change the newer one made.
    let history = there.history(&who, &item).unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(
        history
            .iter()
            .any(|h| h.new.response == Some(Response::DontKnow)),
        "{history:?}"
    );
    assert!(
        !there
            .import_json(file.as_slice(), instrument, clock())
            .unwrap()
            .changed_anything()
    );
    assert_eq!(there.history(&who, &item).unwrap().len(), 2);
}

/// A database of the version before instrument 2.0's rules (9) kept tallies that counted a
/// staff member's answer to a leader's item in a before round; the upgrade counts them again
/// by the rules of which items are put to whom, so the scores and the answered count are a
/// new database's. The answer itself stays.
#[test]
fn the_upgrade_to_asked_items_counts_the_kept_tallies_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let (mut store, respondents) = seeded(&db);
    let staff = &respondents[0];
    let leaders_item = "competence.recruitment.1";
    let everyones_item = "readiness.problem_awareness.1";
    for key in [leaders_item, everyones_item] {
        store
            .save_response(staff, key, Some(Response::Score(4)), at(1))
            .unwrap();
    }
    drop(store);
    // As version 9 kept it: the leader's item counted in the staff member's tallies (the
    // steps after 10 run too).
    const BEFORE_ASKED_ITEMS: u32 = 9;
    let conn = rusqlite::Connection::open(&db).unwrap();
    common::drop_since_clusters(&conn);
    conn.execute_batch(&format!(
        "UPDATE respondent_score SET scored = scored + 1
           WHERE respondent_id = '{staff}' AND subdomain_key = 'competence.recruitment';
         INSERT INTO respondent_score (respondent_id, subdomain_key, scored, fraction_sum,
                                       dont_know, not_applicable)
           SELECT '{staff}', 'competence.recruitment', 1, 0.75, 0, 0
           WHERE NOT EXISTS (SELECT 1 FROM respondent_score
                             WHERE respondent_id = '{staff}'
                               AND subdomain_key = 'competence.recruitment');
         PRAGMA user_version = {BEFORE_ASKED_ITEMS};"
    ))
    .unwrap();
    drop(conn);

    let store = Store::open(&db).unwrap();
    assert_kept_equal_recomputed(&store);
    let service = &store.services().unwrap()[0].service;
    let round = store.rounds(&service.id).unwrap()[0].round.id.clone();
    let answered = store
        .respondents(&round)
        .unwrap()
        .into_iter()
        .find(|r| r.respondent.id == *staff)
        .unwrap()
        .answered;
    assert_eq!(answered, 1, "only the item put to the staff member counts");
    let kept = store.round_answers(&round).unwrap();
    let (_, set) = kept.iter().find(|(r, _)| r.id == *staff).unwrap();
    assert!(set.contains_key(leaders_item), "the answer itself stays");
}
