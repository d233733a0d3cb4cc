//! Clusters as records (schema 11): the migration that makes a record of each free-text
//! cluster. What the store promises of clusters, gatherings and attendance is in
//! `tests/store_contract.rs`.

mod common;

use chrono::{TimeZone, Utc};
use common::*;
use kartlegg::store::{Admin, Answers, Clusters, Plans, SCHEMA_VERSION, Store};

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
