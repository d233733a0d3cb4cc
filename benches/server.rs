//! The store's operations on the national demo data on a PostgreSQL server (`PgStore`),
//! durable as a real server: saving an answer, the overview of one round over all 357
//! services, what `kartlegg compare` does for two rounds of a service, one round trip to the
//! server by its socket and by TCP on the loopback, and importing the national export into
//! an empty database. The server and its data are made once into `target/bench-data/pg`
//! (see `support::pg_server`); `benches/server_floor.sh` does the same work in `psql`.

mod support;

use std::io;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use kartlegg::cli::compare::competence::Competence;
use kartlegg::cli::compare::json;
use kartlegg::domain::compare::{MIN_GROUP, Options};
use kartlegg::domain::instrument::{Asked, Instrument};
use kartlegg::domain::model::{Response, Role, Round};
use kartlegg::domain::scoring::{Answering, summarize};
use kartlegg::exchange::ImportClock;
use kartlegg::i18n::Lang;
use kartlegg::store::postgres::PgStore;
use kartlegg::store::{Answers, Backend, Exchange, Scores};
use kartlegg::usecase::comparison::{ComparisonModel, ComparisonRows, PlanRows};
use kartlegg::usecase::rounds::find_pair;
use support::pg_server::server;
use support::{SERVICES, national_export};

const FIRST_ROUND: &str = "Før samling 1";
/// The service and rounds of the SQLite side by side (`benches/side_by_side.sh`).
const SERVICE: &str = "Bjørkedal barneverntjeneste";
const LAST_ROUND: &str = "Etter samling 3";

/// The database the benches read, filled once from the national export.
const NATIONAL: &str = "national";
/// A copy of it for the save bench, made anew each run.
const WRITES: &str = "national_writes";
/// Where the import bench imports.
const EMPTY: &str = "national_import";

/// A machine whose clock is past every time in the file (see the SQLite import bench).
fn clock() -> ImportClock {
    ImportClock::at(Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap())
}

/// The national export imported into an empty server database: what the import bench
/// measures, timed here once as well.
fn import_national(name: &str) -> (PgStore, Duration) {
    let url = server().database(name);
    let mut store = PgStore::init(&url).unwrap();
    let input = io::BufReader::new(std::fs::File::open(national_export()).unwrap());
    let started = Instant::now();
    let summary = store
        .import_json(input, Instrument::standard(), clock())
        .unwrap();
    let took = started.elapsed();
    assert_eq!(summary.services.added, SERVICES);
    (store, took)
}

/// The `national` database on the server, imported once and kept while it holds the 357
/// services at this schema.
fn national() -> String {
    let url = server().url(NATIONAL);
    let complete = PgStore::open(&url)
        .and_then(|store| store.services())
        .is_ok_and(|services| services.len() == SERVICES);
    if !complete {
        eprintln!("importing the national export into the server (once) ...");
        let (_, took) = import_national(NATIONAL);
        eprintln!("imported in {:.1} s", took.as_secs_f64());
        // The planner's statistics, as autovacuum would make them soon after.
        let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        admin.batch_execute("VACUUM ANALYZE").unwrap();
    }
    url
}

/// One answer changed back and forth, as the SQLite `save_answer`: each save a real change,
/// committed durably with its history row and the kept scores of its subdomain.
fn save_answer(c: &mut Criterion) {
    national();
    let mut admin = postgres::Client::connect(&server().url("postgres"), postgres::NoTls).unwrap();
    server().drop_database(WRITES);
    admin
        .batch_execute(&format!("CREATE DATABASE {WRITES} TEMPLATE {NATIONAL}"))
        .unwrap();
    let mut store = PgStore::open(&server().url(WRITES)).unwrap();
    let service = &store.services().unwrap()[0].service;
    let round = store.rounds(&service.id).unwrap().remove(0).round;
    let respondent = store.respondents(&round.id).unwrap().remove(0).respondent;
    let key = &Instrument::standard().items()[0].item.key;
    let now = Utc.with_ymd_and_hms(2027, 6, 1, 12, 0, 0).unwrap();
    let mut value = 2;
    c.bench_function("server/save_answer", |b| {
        b.iter(|| {
            value = 6 - value;
            store
                .save_response(&respondent.id, key, Some(Response::Score(value)), now)
                .unwrap()
        })
    });
    drop(store);
    server().drop_database(WRITES);
}

/// Every service's latest round with the first label, as the cluster overview picks it.
fn first_rounds(store: &impl Backend) -> Vec<Round> {
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

/// One round of all 357 services, every section, from the kept scores: the store call of the
/// SQLite `overview_357_services/kept_scores`, checked once against every answer.
fn overview(c: &mut Criterion) {
    let store = PgStore::open(&national()).unwrap();
    let instrument = Instrument::standard();
    let rounds = first_rounds(&store);
    assert_eq!(rounds.len(), SERVICES);
    let ids: Vec<&str> = rounds.iter().map(|r| r.id.as_str()).collect();
    let kept: Vec<_> = store
        .round_scores(instrument, &ids, Options::default())
        .unwrap()
        .into_iter()
        .map(|k| k.sections)
        .collect();
    let from_answers: Vec<_> = rounds
        .iter()
        .map(|round| {
            let answers = store.round_answers(&round.id).unwrap();
            let sets: Vec<Answering> = answers
                .iter()
                .filter(|(r, _)| r.role != Role::Consultant)
                .map(|(r, a)| (Asked::new(round.kind, r.role), a))
                .collect();
            summarize(instrument, &sets)
        })
        .collect();
    assert!(
        kept == from_answers,
        "the kept scores differ from the answers"
    );
    c.bench_function("server/overview_357_services", |b| {
        b.iter(|| {
            store
                .round_scores(instrument, &ids, Options::default())
                .unwrap()
        })
    });
}

/// What `kartlegg compare --format json` does between reading its arguments and printing:
/// the service and both rounds found by name, loaded, compared, the competence and the plan
/// read, the JSON written.
fn compare(c: &mut Criterion) {
    let store = PgStore::open(&national()).unwrap();
    let instrument = Instrument::standard();
    let lang = Lang::Nb;
    c.bench_function("server/compare", |b| {
        b.iter(|| {
            let (service, from, to, plan) =
                find_pair(&store, SERVICE, FIRST_ROUND, LAST_ROUND).unwrap();
            let model = ComparisonModel::new(instrument, &service, &from, &to, Options::default());
            let rows = ComparisonRows::new(instrument, lang, &model, MIN_GROUP);
            let competence =
                Competence::load(&store, lang, &service.id, &from, &to, MIN_GROUP).unwrap();
            let plan = PlanRows::new(instrument, lang, &plan, &from.round, &to.round);
            json::write(lang, &rows, &plan, &competence).len()
        })
    });
}

/// One round trip to the server, `SELECT 1` by the simple protocol: by its Unix socket, and
/// by TCP on the loopback (what a network adds at the least).
fn round_trip(c: &mut Criterion) {
    national();
    let mut group = c.benchmark_group("server/round_trip");
    for (name, url) in [
        ("socket", server().url(NATIONAL)),
        ("tcp_loopback", server().tcp_url(NATIONAL)),
    ] {
        let config: postgres::Config = url.parse().unwrap();
        let mut client = config.connect(postgres::NoTls).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| client.batch_execute("SELECT 1").unwrap())
        });
    }
    group.finish();
}

/// The national export imported into an empty server database, timed once: at minutes a
/// run, criterion's ten samples at the least would take most of an hour. Only when asked
/// for by name (`cargo bench --bench server -- server/import`), so that the other benches
/// stay a few minutes.
fn import(c: &mut Criterion) {
    let chosen = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .any(|filter| filter.contains("import"));
    if !chosen {
        return;
    }
    national();
    let (store, took) = import_national(EMPTY);
    drop(store);
    server().drop_database(EMPTY);
    println!(
        "server/import_national/json_into_empty_database: {:.1} s (one run)",
        took.as_secs_f64()
    );
    // Criterion's own summary lists what it measured; this one is printed above.
    let _ = c;
}

criterion_group!(benches, round_trip, save_answer, overview, compare, import);
criterion_main!(benches);
