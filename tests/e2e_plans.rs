//! From scores to action, end to end in a pseudo-terminal: mark a weak area, add a barrier
//! and a measure, start the next round, see the measure on the item, mark it done, and see
//! the goal matrix.

mod common;

use common::*;

/// A new service `name` in nb, its round "Før samling 1", and a leader at its first item.
fn leader_walking_a_new_round(db: &std::path::Path, name: &str) -> Tui {
    let mut tui = Tui::start(db, "nb");
    tui.wait_for("Ingen tjenester ennå");
    tui.send("n");
    tui.wait_for("Ny tjeneste");
    tui.send(name);
    tui.send(ENTER);
    tui.wait_for("Ingen runder ennå");
    tui.send("n");
    tui.wait_for("Ny runde");
    tui.send("Før samling 1");
    tui.send(ENTER);
    tui.wait_for("Ingen har svart");
    tui.send("n");
    tui.wait_for("Ny respondent");
    tui.send(ENTER);
    tui.wait_for("Spørsmål 1 av 47");
    tui
}

#[test]
fn plan_a_weak_area_and_follow_it_into_the_next_round() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    // A service, a round before the first gathering, a leader who finds the problem unclear.
    let mut tui = leader_walking_a_new_round(&db, "Planby barnevern");
    for _ in 0..3 {
        tui.send("1");
    }
    tui.wait_for("Spørsmål 4 av 47");

    // The summary marks problem awareness as a priority without a plan.
    tui.send("s");
    tui.wait_for("Sammendrag");
    let weak = tui.line_with("Problemforståelse");
    assert!(
        weak.contains("0 %") && weak.contains("prioriter") && weak.contains("→ p"),
        "{weak:?}"
    );

    // Its plan: a barrier and a measure.
    tui.send(DOWN);
    tui.send("p");
    tui.wait_for("Plan – Endringsberedskap › Problemforståelse");
    tui.send("b");
    tui.wait_for("Ny barriere");
    tui.send("Vi snakker ikke om hva som må bli bedre");
    tui.send(ENTER);
    tui.wait_for("Vi snakker ikke om hva som må bli bedre [Organisasjon]");
    tui.send("m");
    tui.wait_for("Nytt tiltak");
    tui.send("Forbedringsområder på hvert personalmøte");
    tui.send(TAB);
    tui.send("Leder");
    tui.send(TAB);
    tui.send("2099-12-31");
    tui.send(ENTER);
    tui.wait_for("○ åpent · Forbedringsområder på hvert personalmøte – Leder");
    assert!(tui.screen().contains("31.12.2099"), "{}", tui.screen());

    // Back to the rounds: the open measure is counted, and the next round starts.
    tui.esc_then("Nivå");
    let planned = tui.line_with("Problemforståelse");
    assert!(
        planned.trim_end_matches('│').trim_end().ends_with('2'),
        "two plan items: {planned:?}"
    );
    tui.esc_then("Besvart 3 av 47");
    tui.esc_then("Sist endret");
    tui.esc_then("Runder – Planby barnevern");
    tui.wait_for("Tiltak: 1 åpent, 0 over fristen");
    tui.send("n");
    tui.wait_for("Ny runde");
    tui.send("Etter samling 1");
    tui.send(TAB);
    tui.send(TAB);
    tui.send(RIGHT);
    tui.send(ENTER);
    tui.wait_for("Etter samling 1 – Planby barnevern");
    tui.send("n");
    tui.wait_for("Ny respondent");
    tui.send(ENTER);
    tui.wait_for("Spørsmål 1 av 63");
    // The measure stands on the item of its area.
    tui.wait_for("Tiltak: ○ åpent · Forbedringsområder på hvert");

    // Marked done from the plan, it reads done.
    tui.send("s");
    tui.wait_for("Sammendrag");
    tui.send(DOWN);
    tui.send("p");
    tui.wait_for("Plan – Endringsberedskap › Problemforståelse");
    tui.send(DOWN);
    tui.send("d");
    tui.wait_for("✓ utført");
    tui.esc_then("Nivå");
    tui.esc_then("Spørsmål 1 av 63");
    tui.esc_then("Sist endret");
    tui.esc_then("Runder – Planby barnevern");
    assert!(
        !tui.screen().contains("Tiltak:"),
        "no open measures are left"
    );

    // The goal matrix: a goal, its status in the round before.
    tui.send("g");
    tui.wait_for("Ingen mål ennå");
    tui.send("n");
    tui.wait_for("Nytt mål");
    tui.send("Vi er enige om hva som må bli bedre");
    tui.send(ENTER);
    tui.wait_for("Vi er enige om hva som må bli bedre");
    tui.send(LEFT);
    tui.send(ENTER);
    tui.wait_for("○ ikke");
    tui.send(RIGHT);
    tui.send(ENTER);
    tui.send(ENTER);
    tui.wait_for("◐ delvis");

    tui.send("q");
    tui.expect_clean_exit();
    let check = run_cli(&["check"], &db, "nb");
    assert!(check.contains("Integritet: ok"), "{check}");
}

/// A leader maps a need (mastery 1, importance 4: a gap of +3, and what is missing), then
/// starts a measure from it on a plan: the measure is named by the area, takes what is
/// missing as its text, and is saved in the plan it was started from.
#[test]
fn a_measure_is_started_from_a_need_on_the_plan_screen() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let mut tui = leader_walking_a_new_round(&db, "Behovby barnevern");
    tui.send("1");
    tui.wait_for("Spørsmål 2 av 47");
    tui.send("s");
    tui.wait_for("Sammendrag");

    // No needs mapped yet: the plan says where to map them.
    tui.send(DOWN);
    tui.send("p");
    tui.wait_for("Plan – Endringsberedskap › Problemforståelse");
    tui.send("n");
    tui.wait_for("Ingen runde har kartlagte behov ennå");
    tui.esc_then("Nivå");

    tui.send("b");
    tui.wait_for("Kompetansebehov – runde");
    tui.send("1");
    tui.wait_for("Lagret.");
    tui.send(RIGHT);
    tui.send("4");
    tui.wait_until("a gap of +3", WAIT, |s| {
        s.lines()
            .any(|l| l.contains("Undersøkelse og beslutning") && l.contains("+3!"))
    });
    tui.send(ENTER);
    tui.wait_for("Hva mangler – Undersøkelse og beslutning");
    tui.send("Samtaler med små barn");
    tui.send(ENTER);
    tui.wait_for("Lagret.");
    tui.esc_then("Nivå");

    tui.send("p");
    tui.wait_for("Plan – Endringsberedskap › Problemforståelse");
    tui.send("n");
    tui.wait_for("Nytt tiltak fra et behov – Før samling 1");
    tui.wait_for("Undersøkelse og beslutning (+3)");
    tui.send(TAB);
    tui.send(TAB);
    tui.send("Fagleder");
    tui.send(ENTER);
    tui.wait_for("○ åpent · Undersøkelse og beslutning: Samtaler med små barn");

    tui.send("q");
    tui.expect_clean_exit();
    let store = kartlegg::store::Store::open(&db).unwrap();
    use kartlegg::store::{Answers, Plans};
    let service = &store.services().unwrap()[0];
    let items = store.plan_items(&service.service.id).unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].subdomain_key, "readiness.problem_awareness");
    assert_eq!(
        items[0].text,
        "Undersøkelse og beslutning: Samtaler med små barn"
    );
    assert_eq!(items[0].owner, "Fagleder");
}
