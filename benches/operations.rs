//! The store's operations on the national demo database: saving an answer (one durable
//! commit), comparing two rounds of a service, the overview of one round over all 357
//! services, export to JSON and CSV, and importing the national export into an empty
//! database.

mod support;

use std::io;
use std::path::Path;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use kartlegg::domain::instrument::Asked;
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::{Response, Round};
use kartlegg::domain::scoring::{Answering, summarize};
use kartlegg::exchange::{CsvDialect, CsvExport, CsvLayout, Disclosure, ImportClock, Scope};
use kartlegg::store::Exchange;
use kartlegg::store::Store;
use kartlegg::store::{Answers, Scores};
use kartlegg::usecase::comparison::ComparisonModel;
use kartlegg::usecase::rounds::RoundData;
use support::{data_dir, national, national_export, national_to_write};

const FIRST_ROUND: &str = "Før samling 1";

/// One answer changed back and forth: each save is a real change, committed durably (WAL,
/// `synchronous=FULL`) with its history row and the kept scores of its subdomain.
fn save_answer(c: &mut Criterion) {
    let mut store = Store::open(&national_to_write()).unwrap();
    let service = &store.services().unwrap()[0].service;
    let round = store.rounds(&service.id).unwrap().remove(0).round;
    let respondent = store.respondents(&round.id).unwrap().remove(0).respondent;
    let key = &Instrument::standard().items()[0].item.key;
    let now = Utc.with_ymd_and_hms(2027, 6, 1, 12, 0, 0).unwrap();
    let mut value = 2;
    c.bench_function("save_answer", |b| {
        b.iter(|| {
            value = 6 - value;
            store
                .save_response(&respondent.id, key, Some(Response::Score(value)), now)
                .unwrap()
        })
    });
}

/// The first service's first and last rounds: both rounds' answers read and compared per
/// section, subdomain and item, with the n behind each score (what `kartlegg compare`
/// prints, before formatting).
fn compare(c: &mut Criterion) {
    let store = Store::open(&national()).unwrap();
    let instrument = Instrument::standard();
    let service = store.services().unwrap().remove(0).service;
    let rounds: Vec<Round> = store
        .rounds(&service.id)
        .unwrap()
        .into_iter()
        .map(|r| r.round)
        .collect();
    let (first, last) = (rounds[0].clone(), rounds[rounds.len() - 1].clone());
    c.bench_function("compare_two_rounds", |b| {
        b.iter(|| {
            let from = RoundData::load(&store, first.clone()).unwrap();
            let to = RoundData::load(&store, last.clone()).unwrap();
            let model = ComparisonModel::new(
                instrument,
                &service,
                &from,
                &to,
                kartlegg::domain::compare::Options::default(),
            );
            model.comparison.sections.len()
        })
    });
}

/// Every service's latest round with the first label, as the cluster overview picks it.
fn first_rounds(store: &Store) -> Vec<Round> {
    store
        .services()
        .unwrap()
        .iter()
        .filter_map(|s| {
            let rounds = store.rounds(&s.service.id).unwrap();
            rounds
                .into_iter()
                .rev()
                .find(|r| r.round.label == FIRST_ROUND)
                .map(|r| r.round)
        })
        .collect()
}

/// One round of all 357 services, every section: from the kept scores (how kartlegg reads
/// it), and from every answer (how it did before the kept scores, for comparison).
fn overview(c: &mut Criterion) {
    let store = Store::open(&national()).unwrap();
    let instrument = Instrument::standard();
    let rounds = first_rounds(&store);
    assert_eq!(rounds.len(), support::SERVICES);
    let ids: Vec<&str> = rounds.iter().map(|r| r.id.as_str()).collect();
    let from_answers = || -> Vec<_> {
        rounds
            .iter()
            .map(|round| {
                let answers = store.round_answers(&round.id).unwrap();
                // The service's own score: the process leader apart.
                let sets: Vec<Answering> = answers
                    .iter()
                    .filter(|(r, _)| r.role != kartlegg::domain::model::Role::Consultant)
                    .map(|(r, a)| (Asked::new(round.kind, r.role), a))
                    .collect();
                summarize(instrument, &sets)
            })
            .collect()
    };
    let kept: Vec<_> = store
        .round_scores(
            instrument,
            &ids,
            kartlegg::domain::compare::Options::default(),
        )
        .unwrap();
    let kept: Vec<_> = kept.into_iter().map(|k| k.sections).collect();
    assert!(
        kept == from_answers(),
        "the kept scores differ from the answers"
    );

    let mut group = c.benchmark_group("overview_357_services");
    group.bench_function("kept_scores", |b| {
        b.iter(|| {
            store
                .round_scores(
                    instrument,
                    &ids,
                    kartlegg::domain::compare::Options::default(),
                )
                .unwrap()
        })
    });
    group.sample_size(10);
    group.bench_function("from_answers", |b| b.iter(from_answers));
    group.finish();
}

fn export(c: &mut Criterion) {
    let store = Store::open(&national()).unwrap();
    let instrument = Instrument::standard();
    let now = Utc.with_ymd_and_hms(2027, 6, 1, 12, 0, 0).unwrap();
    let name = Path::new("national");
    let mut group = c.benchmark_group("export_national");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("json", |b| {
        b.iter(|| {
            store
                .export_json(
                    Scope::All,
                    instrument,
                    now,
                    Disclosure::identified(),
                    &mut io::sink(),
                    name,
                )
                .unwrap()
        })
    });
    group.bench_function("csv", |b| {
        b.iter(|| {
            let mut sink = io::sink();
            store
                .export_csv(
                    Scope::All,
                    instrument,
                    CsvExport {
                        layout: CsvLayout::Long,
                        dialect: CsvDialect::Plain,
                        disclosure: Disclosure::identified(),
                    },
                    &mut sink,
                    name,
                )
                .unwrap()
        })
    });
    group.finish();
}

fn import(c: &mut Criterion) {
    let file = national_export();
    let instrument = Instrument::standard();
    // A machine whose clock is past every time in the file, so that every time is weighed
    // and none refused (a national database cached by an older kartlegg ran into 2028).
    let clock = ImportClock::at(Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap());
    let mut group = c.benchmark_group("import_national");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("json_into_empty_database", |b| {
        b.iter_with_large_drop(|| {
            let dir = tempfile::tempdir_in(data_dir()).unwrap();
            let mut store = Store::open(&dir.path().join("k.db")).unwrap();
            let input = io::BufReader::new(std::fs::File::open(&file).unwrap());
            let summary = store.import_json(input, instrument, clock).unwrap();
            assert_eq!(summary.services.added, support::SERVICES);
            (store, dir)
        })
    });
    group.finish();
}

/// What the check before the first write costs on a database too large to check as it
/// opens (`store::health`): a command's opening alone, and its opening with its first save,
/// which reads every page first. The full-screen program opens as fast as `open` and checks
/// on a thread of its own (`startup` in the frames bench).
fn first_write(c: &mut Criterion) {
    let path = national_to_write();
    let now = Utc.with_ymd_and_hms(2027, 6, 1, 12, 0, 0).unwrap();
    let (respondent, key) = {
        let store = Store::open(&path).unwrap();
        let service = &store.services().unwrap()[0].service;
        let round = store.rounds(&service.id).unwrap().remove(0).round;
        let respondent = store.respondents(&round.id).unwrap().remove(0).respondent;
        (
            respondent.id,
            Instrument::standard().items()[0].item.key.clone(),
        )
    };
    let mut value = 2;
    let mut group = c.benchmark_group("first_write_national");
    group.sample_size(10);
    group.bench_function("open", |b| b.iter(|| Store::open(&path).unwrap()));
    group.bench_function("open_and_first_save", |b| {
        b.iter(|| {
            value = 6 - value;
            let mut store = Store::open(&path).unwrap();
            store
                .save_response(&respondent, &key, Some(Response::Score(value)), now)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    save_answer,
    compare,
    overview,
    export,
    import,
    first_write
);
criterion_main!(benches);
