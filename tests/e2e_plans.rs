//! From scores to action, end to end in a pseudo-terminal: mark a weak area, add a barrier
//! and a measure, start the next round, see the measure on the item, mark it done, and see
//! the goal matrix.

mod common;

use common::*;

#[test]
fn plan_a_weak_area_and_follow_it_into_the_next_round() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let mut tui = Tui::start(&db, "nb");
    tui.wait_for("Ingen tjenester ennå");

    // A service, a round before the first gathering, a leader who finds the problem unclear.
    tui.send("n");
    tui.wait_for("Ny tjeneste");
    tui.send("Planby barnevern");
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
