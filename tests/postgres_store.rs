//! The server backend's own promises, beside the contract it shares with SQLite
//! (`store_contract.rs`): the same tables as the one schema, opening that refuses what is
//! not kartlegg's, and rules the server holds whatever program writes.

mod common;

use std::collections::BTreeMap;

use kartlegg::store::postgres::PgStore;
use kartlegg::store::{Admin, SCHEMA_VERSION, Store, StoreError};

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
               AND c.table_name <> 'kartlegg_schema'
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
            "SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname",
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
