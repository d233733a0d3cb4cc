//! `kartlegg answer` in a pseudo-terminal: a code opens only its respondent's walk, which
//! resumes with the same code; there is no way out of it to other screens; a wrong or a
//! withdrawn code is refused alike; and run as an SSH forced command, it ignores what the
//! person asked for and ends with nothing left behind it.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{BIN, ENTER, ESC, Tui, WAIT, db_in, run_cli, seeded_round};
use kartlegg::store::{Answers, Store};

/// `n` codes for the seeded round, for staff.
fn codes(db: &Path, n: usize) -> Vec<String> {
    seeded_round(db);
    let out = run_cli(
        &[
            "invite",
            "--service",
            "Fjellbygd barnevern",
            "--round",
            "Før samling 1",
            "--count",
            &n.to_string(),
        ],
        db,
        "en",
    );
    out.lines().map(str::to_string).collect()
}

fn answer(db: &Path, lang: &str, code: Option<&str>) -> Tui {
    let db = db.to_str().unwrap();
    let mut args = vec!["--db", db, "--lang", lang, "answer"];
    if let Some(code) = code {
        args.extend(["--code", code]);
    }
    Tui::start_program(BIN, &args, 24, 80, &[])
}

/// The label a code's respondent had up to schema version 6: four symbols of a SHA-256 of
/// the code, 20 of the code's 40 bits' worth to whoever saw it.
fn label_from_hash(code: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("kartlegg respondent label\0{code}").as_bytes());
    let alphabet = kartlegg::domain::invite::ALPHABET;
    let symbols: String = digest[..4]
        .iter()
        .map(|byte| char::from(alphabet[usize::from(byte & 31)]))
        .collect();
    format!("#{symbols}")
}

/// The round's respondents with how much each answered.
fn respondents(db: &Path) -> Vec<(String, usize)> {
    let store = Store::open(db).unwrap();
    let service = &store.services().unwrap()[0].service;
    let round = &store.rounds(&service.id).unwrap()[0].round;
    store
        .respondents(&round.id)
        .unwrap()
        .into_iter()
        .map(|r| (r.respondent.code, r.answered))
        .collect()
}

#[test]
fn a_code_opens_its_own_walk_and_the_same_code_resumes_it_with_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let codes = codes(&db, 2);
    let mut tui = answer(&db, "en", None);
    tui.wait_for("Type the code from your slip");
    tui.send(&codes[0].to_lowercase());
    tui.send(ENTER);
    tui.wait_for("Item 1 of 29");
    assert!(tui.screen().contains("Staff (#"), "{}", tui.screen());
    tui.send("4");
    tui.wait_for("Item 2 of 29");
    tui.send("5");
    tui.wait_for("Item 3 of 29");
    tui.send("q");
    tui.expect_clean_exit();
    let who = respondents(&db);
    assert_eq!(who.len(), 1, "{who:?}");
    assert_eq!(who[0].1, 2);
    assert!(
        !codes[0].contains(&who[0].0[1..]),
        "the label is not the code"
    );
    assert_ne!(
        who[0].0,
        label_from_hash(&codes[0].replace('-', "")),
        "the label is drawn at random, not taken from the code's hash"
    );

    // The same code, on the command line: the walk goes on where it stopped.
    let mut tui = answer(&db, "en", Some(&codes[0]));
    tui.wait_for("Item 3 of 29");
    tui.send("s");
    tui.wait_for("Summary:");
    assert!(
        tui.line_with("Problem awareness").contains("88 %"),
        "{}",
        tui.screen()
    );
    tui.esc_then("Item 3 of 29");
    tui.send(ESC);
    tui.expect_clean_exit();
    assert_eq!(respondents(&db).len(), 1, "no new respondent");

    // Another code is another respondent, who sees nothing of the first.
    let mut tui = answer(&db, "nb", Some(&codes[1]));
    tui.wait_for("Spørsmål 1 av 29");
    assert!(tui.screen().contains("0/15"), "{}", tui.screen());
    tui.send("s");
    tui.wait_for("Sammendrag:");
    assert!(!tui.screen().contains("88 %"), "{}", tui.screen());
    tui.send("q");
    tui.expect_clean_exit();
    assert_eq!(respondents(&db).len(), 2);
}

#[test]
fn there_is_no_way_out_of_the_walk_to_other_screens() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let codes = codes(&db, 1);
    let mut tui = answer(&db, "en", Some(&codes[0]));
    tui.wait_for("Item 1 of 29");
    // The keys of the lists, the comparisons, plans and goals; Ctrl-Z and Ctrl-\ in raw
    // mode are keys like others, not signals.
    for key in [
        "n", "e", "o", "r", "k", "g", "f", "t", "a", "p", "\t", "\x1a", "\x1c", "\x1b[6~",
    ] {
        tui.send(key);
        std::thread::sleep(Duration::from_millis(60));
        let screen = tui.screen();
        assert!(screen.contains("Sections"), "after {key:?}:\n{screen}");
        assert!(!screen.contains("Services"), "after {key:?}:\n{screen}");
    }
    // The own summary, and from it no plan, no other screen.
    tui.send("s");
    tui.wait_for("Summary:");
    assert!(
        !tui.screen().contains("plan for the area"),
        "{}",
        tui.screen()
    );
    tui.send("p");
    std::thread::sleep(Duration::from_millis(200));
    assert!(tui.screen().contains("Summary:"), "{}", tui.screen());
    assert!(!tui.screen().contains("Barriers"), "{}", tui.screen());
    tui.esc_then("Sections");
    // Esc from the walk ends the program: there is nothing beneath it.
    tui.send(ESC);
    tui.expect_clean_exit();
}

#[test]
fn a_wrong_code_and_a_withdrawn_one_are_refused_alike_and_slow_the_next_try() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let codes = codes(&db, 2);
    run_cli(&["invite", "--withdraw", &codes[1]], &db, "en");

    // On the command line: refused before the terminal is taken, in the same words.
    let refused = |code: &str| {
        let mut tui = answer(&db, "en", Some(code));
        assert_eq!(tui.wait_exit(WAIT).exit_code(), 1);
        tui.wait_for("This code cannot be used");
        tui.screen().trim().to_string()
    };
    assert_eq!(refused(&codes[1]), refused("ZZZZ-ZZZZ"));
    assert_eq!(refused(&codes[1]), refused("K7QM-4RT0"));

    // On the first screen: refused, told to wait, and the right code works after.
    let mut tui = answer(&db, "en", None);
    tui.wait_for("Type the code");
    tui.send(&codes[1]);
    tui.send(ENTER);
    tui.wait_for("This code cannot be used");
    let withdrawn = tui.line_with("cannot be used");
    tui.send("ZZZZ-ZZZZ");
    tui.send(ENTER);
    tui.wait_for("before you try a code again");
    std::thread::sleep(Duration::from_millis(1100));
    tui.send(ENTER);
    tui.wait_for("Try again in 2 s");
    assert_eq!(tui.line_with("cannot be used"), withdrawn, "said alike");
    std::thread::sleep(Duration::from_millis(2100));
    tui.send(&codes[0]);
    tui.send(ENTER);
    tui.wait_for("Item 1 of 29");
    tui.send("q");
    tui.expect_clean_exit();
    assert_eq!(
        respondents(&db).len(),
        1,
        "refused codes made no respondent"
    );
}

/// As `authorized_keys` runs `command="kartlegg --db PATH answer"`: through the user's
/// shell with `-c`, with what the person asked for in `SSH_ORIGINAL_COMMAND`, which must
/// be ignored. When kartlegg ends, the shell ends with it: there is nothing to land in.
#[test]
fn as_an_ssh_forced_command_it_ignores_the_asked_command_and_ends_with_nothing_after() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let codes = codes(&db, 1);
    let forced = format!("'{BIN}' --db '{}' --lang nb answer", db.display());
    let mut tui = Tui::start_program(
        "sh",
        &["-c", &forced],
        24,
        80,
        &[
            ("SSH_ORIGINAL_COMMAND", "bash -i"),
            ("SSH_CONNECTION", "192.0.2.7 51234 192.0.2.1 22"),
            ("SHELL", "/bin/sh"),
        ],
    );
    tui.wait_for("Skriv inn koden");
    tui.send(&codes[0]);
    tui.send(ENTER);
    tui.wait_for("Spørsmål 1 av 29");
    tui.send("3");
    tui.wait_for("Spørsmål 2 av 29");
    // Esc from the walk, and the session is over: sh exits with kartlegg.
    tui.send(ESC);
    let screen = tui.expect_exit_giving_terminal_back(0);
    assert!(
        !screen.contains('$') && !screen.contains('#'),
        "no shell prompt after it:\n{screen}"
    );
    assert_eq!(respondents(&db)[0].1, 1);
}
