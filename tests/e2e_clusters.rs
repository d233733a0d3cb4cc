//! The cluster's year in a pseudo-terminal: a round tied to a gathering with its key, then
//! read at the gathering's column of the cluster overview, score and all.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use kartlegg::domain::cluster::GatheringKind;
use kartlegg::domain::compare::Options;
use kartlegg::domain::instrument::{Asked, Instrument};
use kartlegg::domain::model::Role;
use kartlegg::domain::scoring::{Answering, summarize};
use kartlegg::store::{Answers, Clusters, Scores, Store};

use common::*;

/// The demo's cluster gets a leaders' gathering on 20.02.2026 (through the store); in the
/// program `m` ties Elvedalen's first round to it; the cluster overview's gathering column
/// shows that round alone, with its readiness score as the answers give it; the database
/// holds the tie.
#[test]
fn a_round_tied_with_its_key_is_read_at_its_gathering_in_the_cluster_overview() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    run_cli(&["demo"], &db, "nb");
    let (gathering, round) = {
        let mut store = Store::open(&db).unwrap();
        let cluster = store
            .cluster_named("Demo: klynge Innlandet")
            .unwrap()
            .unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 9, 12, 0, 0).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 2, 20).unwrap();
        let gathering =
            (store.add_gathering(&cluster.id, day, GatheringKind::Leaders, "", now)).unwrap();
        let elvedalen = store
            .find_service("Elvedalen interkommunale barnevern")
            .unwrap();
        let round = store.rounds(&elvedalen.id).unwrap().remove(0).round;
        assert_eq!(round.label, "Før samling 1");
        (gathering, round)
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
    tui.send(ENTER);
    tui.wait_for("Etter programmet");
    tui.send(UP);
    tui.send("m");
    tui.wait_for("Knytt til samling – Før samling 1");
    tui.wait_for("Samling 20.02.2026 · ledersamling");
    tui.send(RIGHT);
    tui.send(ENTER);
    tui.wait_for("er knyttet til samlingen 20.02.2026 (Ledersamling)");
    let row = tui.line_with("Før samling 1");
    assert!(row.contains("20.02.2026"), "the gathering's day: {row}");

    tui.send(ESC);
    tui.wait_until("the services list", WAIT, |s| !s.contains("Runder –"));
    tui.send("o");
    // The untied rounds of the other services were held before the gathering: their label
    // comes first, then the gathering.
    tui.wait_for("Klynge: Demo: klynge Innlandet");
    tui.send(RIGHT);
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
    assert_eq!(
        store.round_gathering(&round.id).unwrap(),
        Some(gathering.id)
    );
}
