//! The cluster's year end to end in a pseudo-terminal: two services of one cluster, the
//! year screen, a gathering added, one service's attendance recorded, read back off the
//! screen and out of the database.

mod common;

use common::*;
use kartlegg::domain::cluster::GatheringKind;
use kartlegg::domain::needs::YesPartlyNo;
use kartlegg::store::{Answers, Clusters, Store};

/// A new service in the cluster `cluster`, from the services list back to it.
fn new_service(tui: &mut Tui, name: &str, cluster: &str) {
    tui.send("n");
    tui.wait_for("Ny tjeneste");
    tui.send(name);
    tui.send(TAB);
    tui.send(TAB);
    tui.send(cluster);
    tui.send(ENTER);
    tui.wait_for(&format!("Runder – {name}"));
    tui.esc_then("klyngeoversikt");
}

#[test]
fn a_gathering_is_added_and_a_services_attendance_recorded_on_the_clusters_year() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let mut tui = Tui::start(&db, "nb");
    tui.wait_for("Ingen tjenester ennå");
    new_service(&mut tui, "Dalbygd barnevern", "Innlandet");
    new_service(&mut tui, "Fjellbygd barnevern", "Innlandet");

    // The year of Innlandet, on the first service's row: no gatherings yet.
    tui.send("a");
    tui.wait_for("Klyngens årshjul: Innlandet – 2 tjenester");
    tui.wait_for("Ingen samlinger ennå");

    // A joint gathering far ahead, so that it is the next one whatever today is.
    tui.send("n");
    tui.wait_for("Ny samling – Innlandet");
    tui.send("20.05.2099");
    tui.send(TAB);
    tui.send(RIGHT);
    tui.send(TAB);
    tui.send("Traumebevisst praksis");
    tui.send(ENTER);
    tui.wait_for("Fellessamling 20.05.2099 – Innlandet");
    tui.wait_for("Samlingen 20.05.2099 er lagt til.");

    // Dalbygd's attendance: 2 leaders, 1 key person, 4 staff, the between-work done.
    tui.send(ENTER);
    tui.wait_for("Deltakelse – Dalbygd barnevern, 20.05.2099");
    tui.send("2");
    tui.send(TAB);
    tui.send("1");
    tui.send(TAB);
    tui.send("4");
    tui.send(TAB);
    tui.send(TAB);
    tui.send(RIGHT);
    tui.send(ENTER);
    tui.wait_for("Deltakelsen til Dalbygd barnevern er lagret.");
    let row: Vec<String> = tui
        .line_with("Dalbygd barnevern")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert_eq!(
        row[1..8],
        ["Dalbygd", "barnevern", "2", "1", "4", "–", "ja"],
        "{row:?}"
    );
    tui.wait_for("Deltok: 2 ledere, 1 nøkkelperson, 4 ansatte · mellomarbeid 1 av 2");

    // Back on the year: the gathering is the next, its people per role and the
    // between-work of one service of two.
    tui.esc_then("» Neste samling: 20.05.2099, Fellessamling");
    let line: Vec<String> = tui
        .line_with("» 20.05.2099")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let at = line.iter().position(|w| w == "»").unwrap();
    assert_eq!(
        line[at..at + 9],
        [
            "»",
            "20.05.2099",
            "Fellessamling",
            "2",
            "1",
            "4",
            "1",
            "av",
            "2"
        ],
        "{line:?}"
    );
    tui.send("q");
    tui.expect_clean_exit();

    let store = Store::open(&db).unwrap();
    let cluster = store.cluster_named("Innlandet").unwrap().unwrap();
    let gatherings = store.gatherings(&cluster.id).unwrap();
    assert_eq!(gatherings.len(), 1);
    let gathering = &gatherings[0];
    assert_eq!(gathering.held_on.to_string(), "2099-05-20");
    assert_eq!(gathering.kind, GatheringKind::Joint);
    assert_eq!(gathering.topics, "Traumebevisst praksis");
    let dalbygd = store
        .service_list()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Dalbygd barnevern")
        .unwrap();
    let attendances = store.attendances(&gathering.id).unwrap();
    assert_eq!(attendances.len(), 1, "nothing recorded for Fjellbygd");
    let recorded = &attendances[0];
    assert_eq!(recorded.service_id, dalbygd.id);
    assert_eq!(
        (recorded.leaders, recorded.key_persons, recorded.staff),
        (2, 1, 4)
    );
    assert_eq!(recorded.pre_work, None);
    assert_eq!(recorded.between_work, Some(YesPartlyNo::Yes));
}
