//! The cluster's year end to end in a pseudo-terminal: a gathering added on the year screen
//! and one service's attendance recorded, read back off the screen and out of the database;
//! a round tied to a gathering with its key, then read at the gathering's column of the
//! cluster overview, score and all.

mod common;

use chrono::NaiveDate;
use common::*;
use kartlegg::domain::cluster::GatheringKind;
use kartlegg::domain::compare::Options;
use kartlegg::domain::instrument::{Asked, Instrument};
use kartlegg::domain::model::Role;
use kartlegg::domain::needs::YesPartlyNo;
use kartlegg::domain::scoring::{Answering, summarize};
use kartlegg::store::{Answers, Clusters, Scores, Store};

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

/// The flow on the demo: a leaders' gathering on 20.02.2026 recorded on the cluster's
/// year with Elvedalen's attendance; `m` on the rounds list ties Elvedalen's first round to
/// it; the cluster overview opens at that gathering and shows that round alone, with its
/// readiness score as the answers give it; the database holds gathering, attendance and tie.
#[test]
fn a_gathering_recorded_with_attendance_and_a_round_tied_to_it_lead_the_cluster_overview() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    run_cli(&["demo"], &db, "nb");
    let round = {
        let store = Store::open(&db).unwrap();
        let elvedalen = store
            .find_service("Elvedalen interkommunale barnevern")
            .unwrap();
        let round = store.rounds(&elvedalen.id).unwrap().remove(0).round;
        assert_eq!(round.label, "Før samling 1");
        round
    };

    // The readiness score of the round, from its answers without the process leader's,
    // rounded as every face rounds it.
    let expected = {
        let store = Store::open(&db).unwrap();
        let answers = store.round_answers(&round.id).unwrap();
        let sets: Vec<Answering> = answers
            .iter()
            .filter(|(r, _)| r.role != Role::Consultant)
            .map(|(r, a)| (Asked::new(round.kind, r.role), a))
            .collect();
        let sections = summarize(Instrument::standard(), &sets);
        let kept = store
            .round_scores(Instrument::standard(), &[&round.id], Options::default())
            .unwrap();
        assert_eq!(
            kept[0].sections, sections,
            "the kept scores are the answers'"
        );
        let percent = sections[0].tally.percent().expect("readiness is scored");
        kartlegg::present::percent_figure(percent)
    };

    let mut tui = Tui::start(&db, "nb");
    tui.wait_for("Elvedalen interkommunale barnevern");
    // A leaders' gathering before the demo's first, recorded on the cluster's year, with
    // Elvedalen's attendance.
    tui.send("a");
    tui.wait_for("Klyngens årshjul: Demo: klynge Innlandet");
    tui.send("n");
    tui.wait_for("Ny samling – Demo: klynge Innlandet");
    tui.send("20.02.2026");
    tui.send(TAB);
    tui.send(TAB);
    tui.send("Hva vi vil endre");
    tui.send(ENTER);
    tui.wait_for("Ledersamling 20.02.2026 – Demo: klynge Innlandet");
    tui.send(ENTER);
    tui.wait_for("Deltakelse – Elvedalen interkommunale barnevern, 20.02.2026");
    tui.send("1");
    tui.send(TAB);
    tui.send("2");
    tui.send(TAB);
    tui.send("3");
    tui.send(ENTER);
    tui.wait_for("Deltakelsen til Elvedalen interkommunale barnevern er lagret.");
    tui.wait_for("Deltok: 1 leder, 2 nøkkelpersoner, 3 ansatte");
    tui.send(ESC);
    tui.wait_for("» Neste samling");
    tui.send(ESC);
    tui.wait_until("the services list", WAIT, |s| !s.contains("årshjul"));

    tui.send(ENTER);
    tui.wait_for("Etter programmet");
    tui.send(UP);
    tui.send("m");
    tui.wait_for("Knytt til samling – Før samling 1");
    tui.wait_for("Samling 20.02.2026 · ledersamling");
    // The chooser opens on the round's tie (the demo's 24.02): one back is the new gathering.
    tui.send(LEFT);
    tui.send(ENTER);
    tui.wait_for("er knyttet til samlingen 20.02.2026 (Ledersamling)");
    let row = tui.line_with("Før samling 1");
    assert!(row.contains("20.02.2026"), "the gathering's day: {row}");

    tui.send(ESC);
    tui.wait_until("the services list", WAIT, |s| !s.contains("Runder –"));
    tui.send("o");
    // The new gathering is the year's first point: Elvedalen's round alone stands there.
    tui.wait_for("Samling 20.02.2026 · ledersamling");
    let row = tui.line_with("Elvedalen interkommunale barnevern");
    let cells: Vec<&str> = row.split_whitespace().collect();
    let mark = cells
        .iter()
        .position(|c| ["●", "◐", "○"].contains(c))
        .unwrap_or_else(|| panic!("no score in {row}"));
    assert_eq!(cells[mark + 1], expected, "{row}");
    for other in ["Fjellbygd", "Sjøbyen", "Skogvik"] {
        let row = tui.line_with(other);
        assert!(
            !["●", "◐", "○"].iter().any(|m| row.contains(m)),
            "no round of {other} at the gathering: {row}"
        );
    }

    tui.send("q");
    tui.expect_clean_exit();
    let store = Store::open(&db).unwrap();
    let cluster = store
        .cluster_named("Demo: klynge Innlandet")
        .unwrap()
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 2, 20).unwrap();
    let gathering = (store.gatherings(&cluster.id).unwrap().into_iter())
        .find(|g| g.held_on == day)
        .expect("the gathering is saved");
    assert_eq!(gathering.kind, GatheringKind::Leaders);
    assert_eq!(gathering.topics, "Hva vi vil endre");
    let attended = store.attendances(&gathering.id).unwrap();
    assert_eq!(attended.len(), 1);
    assert_eq!(
        (
            attended[0].service_id.as_str(),
            attended[0].leaders,
            attended[0].key_persons,
            attended[0].staff
        ),
        (round.service_id.as_str(), 1, 2, 3)
    );
    assert_eq!(
        store.round_gathering(&round.id).unwrap(),
        Some(gathering.id)
    );
}
