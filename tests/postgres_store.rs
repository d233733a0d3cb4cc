//! The server backend's own promises, beside the contract it shares with SQLite
//! (`store_contract.rs`): the same tables as the one schema, opening that refuses what is
//! not kartlegg's, and rules the server holds whatever program writes.

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use kartlegg::domain::compare::Options;
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::invite;
use kartlegg::domain::model::Role;
use kartlegg::domain::needs::{Facts, NeedField};
use kartlegg::domain::plan::PlanItem;
use kartlegg::exchange::{CsvDialect, CsvExport, CsvLayout, Disclosure, ImportClock, Scope};
use kartlegg::store::postgres::PgStore;
use kartlegg::store::{
    Admin, Answers, Exchange, Invites, Needs, Plans, Positions, SCHEMA_VERSION, Scores, Store,
    StoreError,
};

/// Each table's columns, by name, as `(name, nullable, type family)`.
type Catalog = BTreeMap<String, Vec<(String, bool, &'static str)>>;

fn family(declared: &str) -> &'static str {
    match declared.to_ascii_lowercase().as_str() {
        "text" => "text",
        "integer" | "bigint" => "integer",
        "real" | "double precision" => "real",
        "blob" | "bytea" => "bytes",
        other => panic!("a type with no family: {other}"),
    }
}

fn sqlite_catalog() -> (Catalog, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut catalog = Catalog::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for table in tables {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')"
            ))
            .unwrap();
        let mut columns: Vec<(String, bool, &'static str)> = stmt
            .query_map([], |r| {
                let declared: String = r.get(1)?;
                let not_null: bool = r.get(2)?;
                let key: i64 = r.get(3)?;
                Ok((r.get(0)?, !(not_null || key > 0), family(&declared)))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        columns.sort();
        catalog.insert(table, columns);
    }
    let triggers = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (catalog, triggers)
}

fn server_catalog(database: &str) -> (Catalog, Vec<String>) {
    let server = common::postgres::server();
    let mut catalog = Catalog::new();
    for row in server
        .sql(
            database,
            "SELECT c.table_name::text, c.column_name::text, c.is_nullable = 'YES', c.data_type::text
             FROM information_schema.columns c
             JOIN information_schema.tables t
               ON t.table_name = c.table_name AND t.table_schema = c.table_schema
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
               -- kartlegg's own on the server: the schema's version, who has which duty
               AND c.table_name NOT IN ('kartlegg_schema', 'kartlegg_access')
               -- SQLite's hidden rowid, made a column
               AND c.column_name <> 'rowid'",
        )
        .unwrap()
    {
        let declared: String = row.get(3);
        catalog
            .entry(row.get(0))
            .or_default()
            .push((row.get(1), row.get(2), family(&declared)));
    }
    for columns in catalog.values_mut() {
        columns.sort();
    }
    let mut triggers: Vec<String> = server
        .sql(
            database,
            // Less the server's own: those that tell listeners of a change (LISTEN/NOTIFY).
            "SELECT tgname::text FROM pg_trigger
             WHERE NOT tgisinternal AND tgname NOT LIKE 'kartlegg_notify_%' ORDER BY tgname",
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    triggers.sort();
    (catalog, triggers)
}

#[test]
fn the_server_holds_the_same_tables_columns_and_triggers_as_the_one_schema() {
    let database = common::postgres::database();
    let store = PgStore::init(&database.url).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let (sqlite, sqlite_triggers) = sqlite_catalog();
    let (server, server_triggers) = server_catalog(&database.name);
    assert_eq!(server, sqlite);
    assert_eq!(server_triggers, sqlite_triggers);
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn an_empty_database_is_missing_until_init_and_init_twice_changes_nothing() {
    let database = common::postgres::database();
    assert!(matches!(
        PgStore::open(&database.url),
        Err(StoreError::Missing { .. })
    ));
    drop(PgStore::init(&database.url).unwrap());
    let again = PgStore::init(&database.url).unwrap();
    assert_eq!(again.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(PgStore::open(&database.url).is_ok());
}

#[test]
fn another_programs_database_and_a_newer_schema_are_refused_and_left_alone() {
    let server = common::postgres::server();
    let foreign = common::postgres::database();
    server
        .sql(&foreign.name, "CREATE TABLE invoices (id int)")
        .unwrap();
    assert!(matches!(
        PgStore::init(&foreign.url),
        Err(StoreError::ForeignDatabase { .. })
    ));
    let tables = server
        .sql(
            &foreign.name,
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
        )
        .unwrap();
    assert_eq!(tables[0].get::<_, i64>(0), 1, "init wrote nothing");

    let newer = common::postgres::database();
    drop(PgStore::init(&newer.url).unwrap());
    server
        .sql(
            &newer.name,
            &format!(
                "UPDATE kartlegg_schema SET version = {}",
                SCHEMA_VERSION + 1
            ),
        )
        .unwrap();
    match PgStore::open(&newer.url) {
        Err(StoreError::NewerSchema { found, known, path }) => {
            assert_eq!((found, known), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
            assert!(path.display().to_string().starts_with("postgres://"));
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[test]
fn the_history_is_append_only_on_the_server_too() {
    use chrono::{NaiveDate, Utc};
    use kartlegg::domain::instrument::Instrument;
    use kartlegg::domain::model::{Response, Role, RoundKind};
    use kartlegg::store::Answers;
    let database = common::postgres::database();
    let mut store = PgStore::init(&database.url).unwrap();
    let service = store.create_service("Askdal", &[], "", Utc::now()).unwrap();
    let round = store
        .create_round(
            &service.id,
            "Før",
            NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            RoundKind::Before,
            Instrument::standard(),
            Utc::now(),
        )
        .unwrap();
    let who = store
        .create_respondent(&round.id, Role::Leader, "", Utc::now())
        .unwrap();
    let item = &Instrument::standard().sections[0].subdomains[0].items[0].key;
    store
        .save_response(&who.id, item, Some(Response::Score(2)), Utc::now())
        .unwrap();
    let server = common::postgres::server();
    for sql in [
        "UPDATE answer_history SET new_value = 1",
        "DELETE FROM answer_history",
    ] {
        let refused = server.sql(&database.name, sql).unwrap_err();
        let said = refused
            .as_db_error()
            .expect("the server's refusal")
            .message();
        assert_eq!(said, "answer_history is append-only");
    }
}

/// Two programs marking top priorities in the same round at once: the server's writers take
/// turns, so each reads the other's marks before counting, and the round never holds a
/// fourth; each mark that was taken is in the change log, each refused one is not.
#[test]
fn two_programs_marking_top_priorities_at_once_never_make_a_fourth() {
    use chrono::Utc;
    use kartlegg::domain::needs::{CompetenceAreas, NeedField};
    use kartlegg::store::{ChangeLog, Needs};
    let (database, store, round_id) = store_with_round();
    let keys: Vec<String> = CompetenceAreas::standard().areas[..6]
        .iter()
        .map(|a| a.key.clone())
        .collect();
    let barrier = std::sync::Barrier::new(2);
    let taken: Vec<String> = std::thread::scope(|scope| {
        let programs: Vec<_> = keys
            .chunks(3)
            .map(|mine| {
                let (url, round_id, barrier) = (&database.url, &round_id, &barrier);
                scope.spawn(move || {
                    let mut program = PgStore::open(url).unwrap();
                    barrier.wait();
                    let mut taken = Vec::new();
                    for key in mine {
                        match program.set_need(
                            round_id,
                            key,
                            &NeedField::TopThree(true),
                            Utc::now(),
                        ) {
                            Ok(_) => taken.push(key.clone()),
                            Err(StoreError::TopThreeFull) => {}
                            Err(other) => panic!("{other:?}"),
                        }
                    }
                    taken
                })
            })
            .collect();
        programs
            .into_iter()
            .flat_map(|p| p.join().unwrap())
            .collect()
    });
    assert_eq!(taken.len(), 3, "{taken:?}");
    let marked: Vec<String> = store
        .needs(&round_id)
        .unwrap()
        .into_iter()
        .filter(|n| n.top_three)
        .map(|n| n.area_key)
        .collect();
    assert_eq!(marked.len(), 3);
    for key in &keys {
        let logged = store.changes("need", &format!("{round_id}/{key}")).unwrap();
        assert_eq!(logged.len(), usize::from(taken.contains(key)), "{key}");
    }
}

/// A service with one round on a fresh server database; the store, the database and the
/// round's id.
fn store_with_round() -> (common::postgres::Database, PgStore, String) {
    use chrono::{NaiveDate, Utc};
    use kartlegg::domain::instrument::Instrument;
    use kartlegg::domain::model::RoundKind;
    use kartlegg::store::Answers;
    let database = common::postgres::database();
    let mut store = PgStore::init(&database.url).unwrap();
    let service = store.create_service("Askdal", &[], "", Utc::now()).unwrap();
    let round = store
        .create_round(
            &service.id,
            "Før",
            NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            RoundKind::Before,
            Instrument::standard(),
            Utc::now(),
        )
        .unwrap();
    (database, store, round.id)
}

#[test]
fn programs_claiming_one_code_at_once_make_one_respondent() {
    use chrono::Utc;
    use kartlegg::domain::invite;
    use kartlegg::domain::model::Role;
    use kartlegg::store::{Answers, Invites};
    let (database, mut store, round) = store_with_round();
    let key = store.invite_key().unwrap();
    let code = "K7QM4RTX";
    store
        .add_invites(&round, Role::Staff, &[invite::hash(code, &key)], Utc::now())
        .unwrap();
    let programs = 4;
    let start = std::sync::Barrier::new(programs);
    let claimed: Vec<String> = std::thread::scope(|scope| {
        let claims: Vec<_> = (0..programs)
            .map(|_| {
                scope.spawn(|| {
                    let mut program = PgStore::open(&database.url).unwrap();
                    start.wait();
                    let who = program.claim_invite(&invite::hashes(code, &key), Utc::now());
                    who.unwrap().expect("the code is open").id
                })
            })
            .collect();
        claims.into_iter().map(|c| c.join().unwrap()).collect()
    });
    assert!(claimed.iter().all(|id| *id == claimed[0]), "{claimed:?}");
    assert_eq!(store.respondents(&round).unwrap().len(), 1);
    assert_eq!(store.code_respondents(&round).unwrap().len(), 1);
}

#[test]
fn a_server_database_is_never_reading_only_and_shares_through_the_server_not_a_group() {
    use kartlegg::store::{GroupAccess, Sharing, UnixGroup};
    let (_database, mut store, _) = store_with_round();
    assert!(!store.reading_only());
    let group = UnixGroup {
        gid: rustix::process::getegid().as_raw(),
        name: "kartlegg".into(),
    };
    assert!(matches!(
        store.share_with(&group, GroupAccess::ReadWrite),
        Err(StoreError::OnServer("share"))
    ));
}

#[test]
fn only_an_erased_things_change_log_can_go() {
    use chrono::{NaiveDate, Utc};
    use kartlegg::domain::cluster::GatheringKind;
    use kartlegg::store::{ChangeLog, Clusters, Erasable, Erase, ErasedBy};
    let (database, mut store, _) = store_with_round();
    let server = common::postgres::server();
    server
        .sql(&database.name, "UPDATE service SET cluster = 'Innlandet'")
        .unwrap();
    let cluster = store.cluster_named("Innlandet").unwrap().unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 3, 12).unwrap();
    let stays = store
        .add_gathering(&cluster.id, day, GatheringKind::Joint, "", Utc::now())
        .unwrap();
    let goes = store
        .add_gathering(&cluster.id, day, GatheringKind::Digital, "", Utc::now())
        .unwrap();
    store
        .erase(
            &[Erasable::Gathering(goes.id.clone())],
            ErasedBy::Command,
            Utc::now(),
        )
        .unwrap();
    assert!(store.changes("gathering", &goes.id).unwrap().is_empty());
    let refused = server
        .sql(
            &database.name,
            &format!("DELETE FROM change_log WHERE entity_key = '{}'", stays.id),
        )
        .unwrap_err();
    assert_eq!(
        refused
            .as_db_error()
            .expect("the server's refusal")
            .message(),
        "change_log is append-only"
    );
    assert_eq!(store.changes("gathering", &stays.id).unwrap().len(), 1);
}

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, minute, 0).unwrap()
}

/// Everything `from` holds, as one export file, with the database's name (the only part
/// of the file that says which machine wrote it) put as `<database>`.
fn export_all(from: &(impl Exchange + Admin)) -> String {
    let mut file = Vec::new();
    from.export_json(
        Scope::All,
        Instrument::standard(),
        at(50),
        Disclosure::identified(),
        &mut file,
        std::path::Path::new("x"),
    )
    .unwrap();
    let name = from.path().file_name().unwrap().to_string_lossy();
    String::from_utf8(file).unwrap().replace(
        &format!("\"database\":\"{name}\""),
        "\"database\":\"<database>\"",
    )
}

fn csv_all(from: &impl Exchange) -> Vec<u8> {
    let mut file = Vec::new();
    let export = CsvExport {
        layout: CsvLayout::Long,
        dialect: CsvDialect::Plain,
        disclosure: Disclosure::identified().with_comments(),
    };
    from.export_csv(
        Scope::All,
        Instrument::standard(),
        export,
        &mut file,
        std::path::Path::new("x"),
    )
    .unwrap();
    file
}

fn import_all(into: &mut impl Exchange, file: &str) -> kartlegg::exchange::ImportSummary {
    into.import_json(
        file.as_bytes(),
        Instrument::standard(),
        ImportClock::at(at(59)),
    )
    .unwrap()
}

/// Every round's kept scores, by service and round in the order the store lists them.
fn all_scores(store: &(impl Answers + Scores)) -> Vec<String> {
    let mut scores = Vec::new();
    for service in store.service_list().unwrap() {
        for round in store.rounds(&service.id).unwrap() {
            let kept = store
                .round_scores(
                    Instrument::standard(),
                    &[&round.round.id],
                    Options::default(),
                )
                .unwrap();
            scores.push(format!("{}: {:?}", round.round.id, kept));
        }
    }
    scores
}

/// Moving a centre from files to the server and back: a demo database's JSON export
/// imported into the server gives, exported again, the same file, byte for byte; that file
/// imported into a new SQLite database gives it once more. The kept scores and the CSV
/// agree on all three, and the file again changes nothing.
#[test]
fn a_demo_export_goes_from_sqlite_to_the_server_and_back_without_loss() {
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = Store::open(&dir.path().join("k.db")).unwrap();
    kartlegg::cli::demo::fill(&mut sqlite, Instrument::standard(), 7, at(0))
        .unwrap()
        .expect("an empty database");
    let file = export_all(&sqlite);
    for array in [
        "answers",
        "history",
        "plan_items",
        "needs",
        "positions",
        "change_log",
    ] {
        assert!(
            !file.contains(&format!("\"{array}\": [\n]")),
            "the demo has no {array}"
        );
    }

    let database = common::postgres::database();
    let mut server = PgStore::init(&database.url).unwrap();
    demo_round_trip(&sqlite, &mut server, &file, dir.path());
}

/// The same on a server whose databases sort text by a language's rules (ICU's English,
/// blind to punctuation), not by bytes as SQLite does: the file is still the same.
#[test]
fn a_demo_export_round_trips_on_a_server_that_sorts_text_by_language() {
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = Store::open(&dir.path().join("k.db")).unwrap();
    kartlegg::cli::demo::fill(&mut sqlite, Instrument::standard(), 7, at(0))
        .unwrap()
        .expect("an empty database");
    let file = export_all(&sqlite);
    let server = common::postgres::server();
    let name = format!("kt_{}_english", std::process::id());
    server
        .sql(
            "postgres",
            &format!(
                "CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu
                 ICU_LOCALE 'en-US-u-ka-shifted' LOCALE 'C.UTF-8'"
            ),
        )
        .unwrap();
    // Bytes put `a_c` first; this database looks past the `_`.
    let sorted = server.sql(&name, "SELECT 'a_c' > 'ab'").unwrap();
    assert!(sorted[0].get::<_, bool>(0));
    let mut english = PgStore::init(&server.url(&name)).unwrap();
    demo_round_trip(&sqlite, &mut english, &file, dir.path());
}

/// `file`, exported from `sqlite`, into an empty `server`, and back into a new SQLite
/// database in `folder`.
fn demo_round_trip(sqlite: &Store, server: &mut PgStore, file: &str, folder: &std::path::Path) {
    let summary = import_all(server, file);
    assert!(summary.changed_anything());
    assert_eq!(export_all(server), file);
    assert_eq!(server.counts().unwrap(), sqlite.counts().unwrap());
    assert_eq!(all_scores(server), all_scores(sqlite));
    assert_eq!(csv_all(server), csv_all(sqlite));
    assert!(!import_all(server, file).changed_anything());
    assert_eq!(export_all(server), file);

    let mut back = Store::open(&folder.join("back.db")).unwrap();
    import_all(&mut back, &export_all(server));
    assert_eq!(export_all(&back), file);
    assert_eq!(all_scores(&back), all_scores(sqlite));
}

/// What one machine changes after a first file reaches the server by the next: a plan
/// item's new text, a stage and a consensus value removed, an own area and its need, facts
/// cleared, a post removed, an answer changed and a respondent by code; then the server's
/// export is that machine's again. An answer changed on the server goes back the same way.
#[test]
fn changes_on_another_machine_after_the_first_file_reach_the_server_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Store::open(&dir.path().join("k.db")).unwrap();
    kartlegg::cli::demo::fill(&mut a, Instrument::standard(), 7, at(0))
        .unwrap()
        .expect("an empty database");
    let database = common::postgres::database();
    let mut server = PgStore::init(&database.url).unwrap();
    import_all(&mut server, &export_all(&a));

    let service = a.service_list().unwrap().remove(0);
    let round = a.rounds(&service.id).unwrap().remove(0).round;
    let item = a.plan_items(&service.id).unwrap().remove(0);
    let changed = PlanItem {
        text: "Veiledning hver fjortende dag".into(),
        ..item
    };
    a.update_plan_item(&changed, at(10)).unwrap();
    assert!(a.round_stage(&round.id).unwrap().is_some());
    a.set_round_stage(&round.id, None, at(11)).unwrap();
    let agreed = a.consensus(&round.id).unwrap();
    let subdomain = agreed.keys().next().expect("the demo agrees on some");
    a.set_consensus(&round.id, subdomain, None, at(12)).unwrap();
    let own = a.add_own_area(&service.id, "Rus", at(13)).unwrap();
    a.set_need(&round.id, &own.id, &NeedField::Mastery(Some(2)), at(13))
        .unwrap();
    a.set_facts(&round.id, &Facts::default(), at(14)).unwrap();
    let post = a.positions(&round.id).unwrap().remove(0);
    a.remove_position(&post.id, at(15)).unwrap();
    let who = a.respondents(&round.id).unwrap().remove(0).respondent;
    let (key, answer) = a.answers(&who.id).unwrap().into_iter().next().unwrap();
    a.save_comment(&who.id, &key, "Endret etter samlingen", at(16))
        .unwrap();
    let code = "K7QM4RTX";
    let hash_key = a.invite_key().unwrap();
    a.add_invites(
        &round.id,
        Role::Staff,
        &[invite::hash(code, &hash_key)],
        at(17),
    )
    .unwrap();
    let alone = a
        .claim_invite(&invite::hashes(code, &hash_key), at(17))
        .unwrap()
        .unwrap();
    a.save_response(&alone.id, &key, answer.response, at(18))
        .unwrap();

    let file = export_all(&a);
    let summary = import_all(&mut server, &file);
    assert_eq!(summary.by_code, 1);
    assert_eq!(export_all(&server), file);
    assert_eq!(server.counts().unwrap(), a.counts().unwrap());
    assert_eq!(all_scores(&server), all_scores(&a));

    server
        .save_comment(&who.id, &key, "Endret på serveren", at(20))
        .unwrap();
    let file = export_all(&server);
    import_all(&mut a, &file);
    assert_eq!(export_all(&a), file);
    assert_eq!(all_scores(&a), all_scores(&server));
}

/// Live during a gathering: a change another program commits is news to a program on the
/// same server database, its own changes are not, and nothing is news before it commits.
#[test]
fn another_programs_committed_change_is_news_and_ones_own_is_not() {
    use chrono::Utc;
    use kartlegg::domain::model::Role;
    use kartlegg::store::{Answers, IfMissing, Store};
    let (database, _, round_id) = store_with_round();
    let open = || {
        Store::open_or_read(
            std::path::Path::new(&database.url),
            IfMissing::Refuse,
            &|| {},
        )
        .unwrap()
    };
    let (mut writer, mut watcher) = (open(), open());
    assert!(watcher.is_server());
    watcher.services().unwrap();
    assert!(!watcher.news(), "nothing happened yet");
    let news_within_a_second = |watcher: &Store| {
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(1) {
            if watcher.news() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        false
    };
    writer
        .in_transaction(|writer| {
            writer.create_respondent(&round_id, Role::Staff, "", Utc::now())?;
            assert!(
                !news_within_a_second(&watcher),
                "not before it is committed"
            );
            Ok(())
        })
        .unwrap();
    assert!(news_within_a_second(&watcher), "news once it is committed");
    assert!(!watcher.news(), "told once");
    let service = watcher.service_list().unwrap().remove(0);
    watcher.update_service(&service, Utc::now()).unwrap();
    assert!(
        !news_within_a_second(&watcher),
        "its own change is no news to it"
    );
    assert!(news_within_a_second(&writer), "but to the other");
}

/// Another program's write holds the server's write lock: a write without patience gives up
/// with `Busy`, held to be tried again, and one with patience goes through once it is free.
#[test]
fn a_write_waits_for_the_write_lock_as_long_as_its_patience_allows() {
    use chrono::Utc;
    use kartlegg::domain::model::Role;
    use kartlegg::store::{Answers, BusyWait, Held};
    use std::time::Duration;
    let (database, mut store, round_id) = store_with_round();
    // kartlegg's write lock ("kartlegg"), held by a transaction left open.
    let mut holder = ::postgres::Client::connect(&database.url, ::postgres::NoTls).unwrap();
    holder
        .batch_execute("BEGIN; SELECT pg_advisory_xact_lock(7737591479159580519)")
        .unwrap();
    store.set_busy_wait(BusyWait {
        per_try: Duration::from_millis(50),
        patience: Duration::ZERO,
    });
    let refused = store.create_respondent(&round_id, Role::Staff, "", Utc::now());
    assert!(
        matches!(refused, Err(StoreError::Busy { .. })),
        "{refused:?}"
    );
    assert_eq!(store.take_held(), Some(Held::Busy));
    store.set_busy_wait(BusyWait {
        per_try: Duration::from_millis(50),
        patience: Duration::from_secs(10),
    });
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        holder.batch_execute("COMMIT").unwrap();
    });
    store
        .create_respondent(&round_id, Role::Staff, "", Utc::now())
        .unwrap();
    release.join().unwrap();
    assert_eq!(
        store.respondents(&round_id).unwrap().len(),
        1,
        "the refused one wrote nothing"
    );
}

/// The demo's export with its last answer's line put as `change` gives it (from the first
/// answer's line and the last's).
fn with_last_answer(file: &str, change: impl Fn(&str, &str) -> String) -> String {
    let lines: Vec<&str> = file.lines().collect();
    let answers: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains("\"item_key\"") && lines[i].contains("\"updated_at\""))
        .collect();
    let (first, last) = (answers[0], answers[answers.len() - 1]);
    assert!(
        answers.len() > 2 * 512,
        "the answers span the import's batches"
    );
    let mut changed: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    changed[last] = change(lines[first], lines[last]);
    changed.join("\n") + "\n"
}

/// A field's text in one of the file's rows.
fn field<'a>(line: &'a str, name: &str) -> &'a str {
    let start = line.find(&format!("\"{name}\":\"")).unwrap() + name.len() + 4;
    &line[start..start + line[start..].find('"').unwrap()]
}

/// A file imported into `store`: what the import said and the store's export after it.
fn outcome(store: &mut (impl Exchange + Admin), file: &str) -> kartlegg::store::Result<String> {
    let clock = ImportClock::at(at(59));
    let summary = store.import_json(file.as_bytes(), Instrument::standard(), clock)?;
    Ok(format!("{summary:?}\n{}", export_all(store)))
}

/// The server sends most of an import's rows in bulk, after one look per batch of the
/// file: a row far from the one it clashes with (in another batch) is refused at its own
/// place, as SQLite refuses it, and one that merges with an answer from another batch
/// merges as on SQLite.
#[test]
fn rows_far_apart_in_a_file_clash_and_merge_on_the_server_as_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let mut source = Store::open(&dir.path().join("k.db")).unwrap();
    kartlegg::cli::demo::fill(&mut source, Instrument::standard(), 7, at(0))
        .unwrap()
        .expect("an empty database");
    let file = export_all(&source);
    // The last answer under the first answer's id: another answer's id.
    let clash = with_last_answer(&file, |first, last| {
        last.replace(field(last, "id"), field(first, "id"))
    });
    // After the last answer, the first's respondent's answer to the first's item again,
    // under an id of its own, later and with a comment: it is merged into the first.
    let merge = with_last_answer(&file, |first, last| {
        let again = first
            .trim_end_matches(',')
            .replace(field(first, "id"), "answered-again")
            .replace(field(first, "updated_at"), "2026-03-09T10:58:00.000Z")
            .replace(
                &format!("\"comment\":\"{}\"", field(first, "comment")),
                "\"comment\":\"Sagt igjen\"",
            );
        format!("{},\n{again}", last.trim_end_matches(','))
            + if last.ends_with(',') { "," } else { "" }
    });
    for (name, file) in [("clash", &clash), ("merge", &merge)] {
        let mut on_file = Store::open(&dir.path().join(format!("{name}.db"))).unwrap();
        let database = common::postgres::database();
        let mut on_server = PgStore::init(&database.url).unwrap();
        match (outcome(&mut on_file, file), outcome(&mut on_server, file)) {
            (Err(StoreError::ImportRefused(a)), Err(StoreError::ImportRefused(b))) => {
                assert_eq!(name, "clash", "{a:?}");
                assert_eq!(
                    (a.line, a.column, &a.problem),
                    (b.line, b.column, &b.problem)
                );
                assert!(
                    a.line > 512,
                    "refused at the last answer's line, {}",
                    a.line
                );
                assert_eq!(on_server.counts().unwrap(), Default::default());
            }
            (Ok(a), Ok(b)) => {
                assert_eq!(name, "merge");
                assert!(a.contains("updated: 1"), "{}", &a[..300.min(a.len())]);
                assert_eq!(a, b);
                assert_eq!(all_scores(&on_server), all_scores(&on_file));
            }
            (a, b) => panic!("{name}: SQLite {a:?}, the server {b:?}"),
        }
    }
}
