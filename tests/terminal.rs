//! Promise 4, the terminal's half: odd terminals (1×1 up to 500×200, a burst of resizes)
//! and odd text (very long comments, æøå, emoji, combining characters, right-to-left
//! text, pasted control characters) never panic, the screens go on drawing, text is saved
//! as typed, and the terminal is given back as it was (no raw mode left behind).

mod common;

use std::path::Path;

use common::*;
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::model::Role;
use kartlegg::store::Answers;
use kartlegg::store::Store;

/// The program in raw mode, as it must be while it runs: the check that it is cooked
/// again afterwards then means something.
fn expect_raw(tui: &Tui) {
    assert!(
        !tui.is_cooked(),
        "kartlegg runs, so the terminal should be in raw mode (local flags {:#o})",
        tui.local_flags()
    );
}

#[test]
fn every_size_from_1x1_to_500x200_draws_and_gives_the_terminal_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    drop(Store::open(&db).unwrap());
    for (rows, cols, expected) in [
        (1, 1, None),
        (5, 20, Some("Terminalen")),
        (24, 80, Some("Ingen tjenester ennå")),
        (100, 300, Some("Ingen tjenester ennå")),
        (200, 500, Some("Ingen tjenester ennå")),
    ] {
        let mut tui = Tui::start_sized(&db, "nb", rows, cols);
        match expected {
            Some(text) => tui.wait_for(text),
            None => tui.wait_until("anything drawn", WAIT, |s| !s.trim().is_empty()),
        }
        expect_raw(&tui);
        tui.send("q");
        tui.expect_clean_exit();
    }
}

#[test]
fn a_burst_of_resizes_leaves_it_alive_and_answering() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let mut tui = Tui::start(&db, "nb");
    tui.wait_for("Ingen tjenester ennå");
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..40 {
        tui.resize(rng.u16(1..=200), rng.u16(1..=500));
    }
    for (rows, cols) in [(1, 1), (200, 500), (5, 20), (16, 60), (1, 500), (200, 1)] {
        tui.resize(rows, cols);
    }
    tui.resize(24, 80);
    tui.wait_until("the too-small message gone", WAIT, |s| {
        s.contains("Ingen tjenester ennå") && !s.contains("for liten")
    });
    // It still answers keys, once the size has settled.
    tui.let_the_size_settle();
    tui.send("n");
    tui.wait_for("Ny tjeneste");
    tui.esc_then("Ingen tjenester ennå");
    expect_raw(&tui);
    tui.send("q");
    tui.expect_clean_exit();
}

/// A respondent in a new database, and the screen open at the first item of their walk.
fn walk_at_item_1(db: &Path) -> (Tui, String) {
    let round = seeded_round(db);
    let who = Store::open(db)
        .unwrap()
        .create_respondent(&round, Role::KeyPerson, "AB", chrono::Utc::now())
        .unwrap()
        .id;
    let mut tui = Tui::start_sized(db, "nb", 30, 100);
    tui.wait_for("Fjellbygd barnevern");
    tui.send(ENTER);
    tui.wait_for("Før samling 1");
    tui.send(ENTER);
    tui.wait_for("Nøkkelperson");
    tui.send(ENTER);
    tui.wait_for("Spørsmål 1 av 29");
    (tui, who)
}

fn saved_comment(db: &Path, who: &str, item: usize) -> String {
    let key = &Instrument::standard().items()[item].item.key;
    Store::open(db).unwrap().answers(who).unwrap()[key]
        .comment
        .clone()
}

#[test]
fn odd_text_is_saved_exactly_as_typed_and_pasted() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let (mut tui, who) = walk_at_item_1(&db);

    let typed = "Blåbær ÆØÅ 👍🏽 🇳🇴 👩‍👩‍👧 e\u{301}a\u{308}o\u{328}\u{301} שלום עולם مرحبا بالعالم 漢字";
    // A terminal may paste line breaks as CR or CRLF; the bell, backspace, escape and NUL
    // are not text and go; a tab is white space as typed, and stays.
    let pasted = "\r\nandre linje\x07\x08\t slutt\x1b[31m rød\x00\rtredje linje";
    let expected = format!("{typed}\nandre linje\t slutt[31m rød\ntredje linje");

    tui.send("c");
    tui.wait_for("Kommentar til spørsmål 1");
    tui.send(typed);
    tui.paste(pasted);
    tui.wait_for("tredje linje");
    tui.esc_then("Kommentaren er lagret");
    assert_eq!(saved_comment(&db, &who, 0), expected);

    // Every screen still draws with that text in it.
    tui.wait_for("Kommentar: Blåbær");
    tui.send("s");
    tui.wait_for("Sammendrag");
    tui.esc_then("Spørsmål 1 av 29");
    tui.send("?");
    tui.wait_for("Hjelp");
    tui.send("?");
    tui.wait_for("Kommentar: Blåbær");
    tui.send("4");
    tui.wait_for("Besvart 1 av 29");
    tui.send("q");
    tui.expect_clean_exit();
    assert_eq!(saved_comment(&db, &who, 0), expected, "the answer kept it");
}

#[test]
fn a_100_kb_paste_is_saved_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let (mut tui, who) = walk_at_item_1(&db);

    let mut long = String::new();
    let mut n = 0;
    while long.len() < 100_000 {
        n += 1;
        long.push_str(&format!(
            "Avsnitt {n}: æøå 👍 עברית, en lang tekst om rutiner."
        ));
        long.push(if n % 8 == 0 { '\n' } else { ' ' });
    }
    long.push_str("Slutt.");

    tui.send("c");
    tui.wait_for("Kommentar til spørsmål 1");
    tui.paste(&long);
    tui.wait_for("Slutt.");
    tui.esc_then("Kommentaren er lagret");
    assert_eq!(saved_comment(&db, &who, 0).len(), long.len());
    assert!(saved_comment(&db, &who, 0) == long, "the comment differs");

    // The walk still draws and moves on.
    tui.send(DOWN);
    tui.wait_for("Spørsmål 2 av 29");
    tui.send(UP);
    tui.wait_for("Kommentar: Avsnitt 1:");
    tui.send("q");
    tui.expect_clean_exit();
}
