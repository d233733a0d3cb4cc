//! Clusters as records (schema 11): the migration that makes a record of each free-text
//! cluster. What the store promises of clusters, gatherings and attendance is in
//! `tests/store_contract.rs`.

mod common;

use chrono::{TimeZone, Utc};
use common::*;
use kartlegg::store::{Admin, Answers, ChangeLog, Clusters, SCHEMA_VERSION, Store};

/// The version before clusters came (011_clusters.sql brings version 11).
const BEFORE_CLUSTERS: u32 = 10;

fn at(minute: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, minute, 0).unwrap()
}

#[test]
fn a_version_10_database_gets_a_record_for_each_free_text_cluster_with_its_services() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    let mut store = Store::open(&old).unwrap();
    for (name, cluster) in [
        ("Fjellbygd", "Innlandet"),
        ("Dalbygd", "Innlandet"),
        ("Kystby", "Vestland nord"),
        ("Alene", ""),
    ] {
        store.create_service(name, &[], cluster, at(0)).unwrap();
    }
    drop(store);
    let conn = rusqlite::Connection::open(&old).unwrap();
    drop_since_clusters(&conn);
    conn.execute_batch(&format!("PRAGMA user_version = {BEFORE_CLUSTERS};"))
        .unwrap();
    drop(conn);

    let store = Store::open(&old).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let clusters = store.clusters().unwrap();
    let names: Vec<(&str, Vec<&str>)> = clusters
        .iter()
        .map(|c| {
            let services = c.services.iter().map(|s| s.name.as_str()).collect();
            (c.cluster.name.as_str(), services)
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Innlandet", vec!["Dalbygd", "Fjellbygd"]),
            ("Vestland nord", vec!["Kystby"])
        ]
    );
    assert_eq!(store.service_list().unwrap().len(), 4, "nothing lost");
    let innlandet = &clusters[0].cluster;
    assert_eq!(store.changes("cluster", &innlandet.id).unwrap().len(), 1);
    assert!(store.integrity_problems().unwrap().is_empty());
    drop(store);

    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh).unwrap());
    assert_eq!(
        schema_of(&old),
        schema_of(&fresh),
        "both roads lead to one schema"
    );
}

#[test]
fn rounds_line_up_at_their_gathering_and_untied_rounds_at_their_label() {
    use kartlegg::domain::cluster::GatheringKind;
    use kartlegg::domain::model::RoundKind;
    use kartlegg::usecase::cluster::{LineUp, Point};
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("k.db")).unwrap();
    let instrument = kartlegg::domain::instrument::Instrument::standard();
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let fjell = store
        .create_service("Fjellbygd", &[], "Innlandet", at(0))
        .unwrap();
    let dal = store
        .create_service("Dalbygd", &[], "Innlandet", at(0))
        .unwrap();
    store
        .create_service("Kystby", &[], "Vestland", at(0))
        .unwrap();
    let mut round = |service: &str, label: &str, held_on| {
        store
            .create_round(
                service,
                label,
                held_on,
                RoundKind::Before,
                instrument,
                at(1),
            )
            .unwrap()
    };
    let fjell_before = round(&fjell.id, "Før", day(1, 10));
    let dal_before = round(&dal.id, "Før", day(1, 12));
    let fjell_later = round(&fjell.id, "Etter", day(9, 1));
    let cluster = store.cluster_named("Innlandet").unwrap().unwrap();
    let first = store
        .add_gathering(&cluster.id, day(2, 1), GatheringKind::Leaders, "", at(2))
        .unwrap();
    let unused = store
        .add_gathering(&cluster.id, day(5, 1), GatheringKind::Joint, "", at(2))
        .unwrap();
    store
        .tie_round(&fjell_before.id, Some(&first.id), at(3))
        .unwrap();

    let line_up = LineUp::load(&store, "Innlandet").unwrap();
    let names: Vec<&str> = line_up.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Dalbygd", "Fjellbygd"]);
    assert_eq!(line_up.gatherings, [first.clone(), unused.clone()]);
    // Dalbygd's untied "Før" (12 January) comes before the gathering it is not tied to
    // (1 February); a gathering no round is tied to is no point of the overview.
    assert_eq!(
        line_up.points,
        [
            Point::Label("Før".into()),
            Point::Gathering(first.clone()),
            Point::Label("Etter".into())
        ]
    );
    let ids = |point: &Point| -> Vec<Option<String>> {
        line_up
            .at(point)
            .iter()
            .map(|r| r.map(|r| r.round.id.clone()))
            .collect()
    };
    assert_eq!(ids(&line_up.points[0]), [Some(dal_before.id.clone()), None]);
    assert_eq!(
        ids(&line_up.points[1]),
        [None, Some(fjell_before.id.clone())]
    );
    assert_eq!(
        ids(&line_up.points[2]),
        [None, Some(fjell_later.id.clone())]
    );
    assert_eq!(line_up.gathering_of(&fjell_before), Some(&first));
    assert_eq!(line_up.gathering_of(&dal_before), None);
    assert_eq!(line_up.next_gathering(day(2, 1)), Some(&unused));
    assert!(matches!(
        LineUp::load(&store, "Nowhere"),
        Err(kartlegg::store::StoreError::NotFound("cluster"))
    ));
}
