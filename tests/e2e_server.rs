//! The program on a server's database, end to end in pseudo-terminals: two programs on one
//! database, one answering while the other's overview follows by itself; a walk through a
//! server restart; a backend ended mid-transaction; four programs writing at once.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use common::*;
use kartlegg::domain::compare::Options;
use kartlegg::domain::instrument::{Asked, Instrument};
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::domain::scoring::{Answering, summarize};
use kartlegg::store::postgres::PgStore;
use kartlegg::store::{Admin, Answers, IfMissing, Scores, Store};

fn open(url: &str) -> Store {
    Store::open_or_read(Path::new(url), IfMissing::Refuse, &|| {}).unwrap()
}

/// Two services of the cluster Innlandet, a round each before the gatherings; the rounds'
/// ids.
fn two_services(url: &str) -> Vec<String> {
    let mut store = PgStore::init(url).unwrap();
    ["Askdal barnevern", "Bergvik barnevern"]
        .iter()
        .map(|name| {
            let service = store
                .create_service(name, &[], "Innlandet", Utc::now())
                .unwrap();
            store
                .create_round(
                    &service.id,
                    "Før første samling",
                    NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
                    RoundKind::Before,
                    Instrument::standard(),
                    Utc::now(),
                )
                .unwrap()
                .id
        })
        .collect()
}

/// From the services list, a new key person of the selected service's first round, with
/// the walk open.
fn walk_as_key_person(tui: &mut Tui, code: &str) {
    tui.send(ENTER);
    tui.wait_for("Runder – ");
    tui.send(ENTER);
    tui.wait_for("Ingen har svart i denne runden ennå");
    tui.send("n");
    tui.wait_for("Ny respondent");
    tui.send(RIGHT);
    tui.wait_until("Nøkkelperson chosen", WAIT, |s| {
        s.contains("(•) Nøkkelperson")
    });
    tui.send(TAB);
    tui.send(code);
    tui.send(ENTER);
    tui.wait_for("Besvart 0 av");
}

#[test]
fn two_programs_on_one_server_database_the_overview_follows_the_answers_by_itself() {
    let database = postgres::database();
    two_services(&database.url);
    let url = Path::new(&database.url);

    let mut watcher = Tui::start(url, "nb");
    watcher.wait_for("Bergvik barnevern");
    watcher.send("o");
    watcher.wait_for("Innlandet");
    // The second service selected: the update must not move the selection.
    watcher.send(DOWN);
    watcher.wait_until("Bergvik selected", WAIT, |s| {
        s.lines().any(|l| l.contains("▶ Bergvik barnevern"))
    });
    let before = watcher.line_with("Askdal barnevern");

    let mut answerer = Tui::start(url, "nb");
    answerer.wait_for("Askdal barnevern");
    walk_as_key_person(&mut answerer, "AB");
    answerer.send("4");
    answerer.wait_for("Besvart 1 av");
    answerer.send("5");
    answerer.wait_for("Besvart 2 av");

    // No key pressed on the watcher: its overview reads Askdal's new respondent by itself.
    watcher.wait_until("Askdal's row updated", Duration::from_secs(3), |s| {
        s.lines()
            .find(|l| l.contains("Askdal barnevern"))
            .is_some_and(|l| l != before)
    });
    let after = watcher.screen();
    assert!(
        after.lines().any(|l| l.contains("▶ Bergvik barnevern")),
        "the selection stayed:\n{after}"
    );
    answerer.send("q");
    answerer.expect_clean_exit();
    watcher.send("q");
    watcher.expect_clean_exit();
}

#[test]
fn a_walk_through_a_server_restart_loses_no_answer_and_says_what_happens() {
    let server = postgres::Server::own();
    let database = server.database();
    let rounds = two_services(&database.url);
    let url = Path::new(&database.url);
    let mut tui = Tui::start(url, "nb");
    tui.wait_for("Askdal barnevern");
    walk_as_key_person(&mut tui, "AB");
    tui.send("4");
    tui.wait_for("Besvart 1 av");

    server.stop_for_now();
    tui.send("5");
    tui.wait_for("Serveren svarer ikke");
    tui.wait_for("Ingenting er lagret ennå");
    assert!(
        tui.screen().contains("Besvart 1 av"),
        "not said to be saved"
    );
    // Other keys wait for the answer: nothing is given on top of it.
    tui.send("3");
    server.start_again();
    tui.wait_for_within("Besvart 2 av", Duration::from_secs(10));
    tui.wait_for("Svaret er lagret");
    tui.send("q");
    tui.expect_clean_exit();

    let store = open(&database.url);
    let respondents = store.round_answers(&rounds[0]).unwrap();
    assert_eq!(respondents.len(), 1);
    let answers = &respondents[0].1;
    let items = Instrument::standard().items();
    assert_eq!(
        answers[&items[0].item.key].response,
        Some(Response::Score(4))
    );
    assert_eq!(
        answers[&items[1].item.key].response,
        Some(Response::Score(5))
    );
    assert_eq!(
        answers.len(),
        2,
        "the key pressed while it waited did nothing"
    );
}

#[test]
fn a_backend_ended_mid_transaction_leaves_nothing_half_written_and_the_next_write_works() {
    let database = postgres::database();
    let rounds = two_services(&database.url);
    let mut store = open(&database.url);
    let before = store.counts().unwrap();
    let server = postgres::server();
    let ended = store.in_transaction(|store| {
        for code in ["A", "B", "C"] {
            store.create_respondent(&rounds[0], Role::Staff, code, Utc::now())?;
        }
        // The administrator ends this program's backend while its transaction is open.
        let rows = server
            .sql(
                &database.name,
                "SELECT pid FROM pg_stat_activity
                 WHERE application_name = 'kartlegg' AND state = 'idle in transaction'",
            )
            .unwrap();
        assert_eq!(rows.len(), 1);
        server.terminate(&database.name, rows[0].get(0));
        store.create_respondent(&rounds[0], Role::Staff, "D", Utc::now())?;
        Ok(())
    });
    assert!(ended.is_err(), "the transaction is not said to be written");
    assert_eq!(
        open(&database.url).counts().unwrap(),
        before,
        "nothing of it"
    );
    // The store connects again for the next write.
    store
        .create_respondent(&rounds[0], Role::Staff, "E", Utc::now())
        .unwrap();
    assert_eq!(open(&database.url).counts().unwrap().respondents, 1);
}

#[test]
fn four_programs_writing_at_once_on_a_server_lose_nothing_and_the_sums_hold() {
    let database = postgres::database();
    let rounds = two_services(&database.url);
    let writers: Vec<_> = (1..=4)
        .map(|seed| {
            kartlegg()
                .args(["_write-answers", "--round", &rounds[0], "--count", "120"])
                .args(["--seed", &seed.to_string(), "--db", &database.url])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start a writer")
        })
        .collect();
    let mut reported = Reported::default();
    for writer in writers {
        let out = writer.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "a writer failed: {stderr}");
        assert!(stderr.is_empty(), "a writer complained: {stderr}");
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .for_each(|line| reported.add_line(line));
    }
    let store = open(&database.url);
    assert_eq!(reported.answers.len(), 480);
    for (who, key, value) in &reported.answers {
        let answers = store.answers(who).unwrap();
        assert_eq!(
            answers[key].response,
            Some(Response::Score(*value)),
            "{who} {key}"
        );
    }
    assert_eq!(store.counts().unwrap().answers, 480);
    // The kept sums, made by four writers taking turns, equal a count from the answers.
    let instrument = Instrument::standard();
    let kept = store
        .round_scores(instrument, &[&rounds[0]], Options::default())
        .unwrap()
        .remove(0);
    let all = store.round_answers(&rounds[0]).unwrap();
    let answered: Vec<Answering> = all
        .iter()
        .map(|(who, answers)| (Asked::new(RoundKind::Before, who.role), answers))
        .collect();
    assert_eq!(kept.sections, summarize(instrument, &answered));
}

/// On a server a respondent's code is their login's password: the server checks it, and the
/// walk that opens is theirs alone; another's cannot be reached, by the program or by SQL.
#[test]
fn a_respondents_code_opens_their_own_walk_and_no_other() {
    use kartlegg::store::postgres::access::Grant;
    let database = postgres::database();
    let rounds = two_services(&database.url);
    let mut owner = PgStore::open(&database.url).unwrap();
    let mine = owner
        .create_respondent(&rounds[0], Role::Staff, "", Utc::now())
        .unwrap();
    let other = owner
        .create_respondent(&rounds[0], Role::Staff, "", Utc::now())
        .unwrap();
    let item = &Instrument::standard().items()[0].item.key;
    owner
        .save_response(&other.id, item, Some(Response::Score(1)), Utc::now())
        .unwrap();
    let role = format!("r_{}", database.name);
    owner.create_login(&role, "K7QM4RTX").unwrap();
    let grant = Grant::Respondent {
        role: role.clone(),
        respondent: mine.id.clone(),
    };
    owner.grant(&grant, Utc::now()).unwrap();
    let as_role = postgres::server().url_as(&role, &database.name);

    // A wrong code: refused as any code that cannot be used, after a pause.
    let mut wrong = Tui::start_program(
        BIN,
        &[
            "--lang", "en", "--db", &as_role, "answer", "--code", "ABCD2345",
        ],
        24,
        80,
        &[],
    );
    wrong.wait_for("This code cannot be used");
    assert!(!wrong.wait_exit(Duration::from_secs(5)).success());

    let mut tui = Tui::start_program(
        BIN,
        &[
            "--lang", "en", "--db", &as_role, "answer", "--code", "K7QM4RTX",
        ],
        24,
        80,
        &[],
    );
    tui.wait_for("Answered 0 of");
    tui.send("4");
    tui.wait_for("Answered 1 of");
    tui.send(ESC);
    tui.expect_clean_exit();
    let answers = owner.answers(&mine.id).unwrap();
    assert_eq!(answers[item].response, Some(Response::Score(4)));

    // As that role, the other respondent and their answer are not there at all.
    let mut client = ::postgres::Client::connect(
        &postgres::server().url_with_password(&role, "K7QM4RTX", &database.name),
        ::postgres::NoTls,
    )
    .unwrap();
    let seen: i64 = client
        .query_one("SELECT count(*) FROM answer", &[])
        .unwrap()
        .get(0);
    assert_eq!(seen, 1, "its own answer alone");
    let theirs = client
        .execute(
            "UPDATE answer SET value = 5 WHERE respondent_id = $1",
            &[&other.id],
        )
        .unwrap();
    assert_eq!(theirs, 0, "another's answer cannot be changed");
    assert_eq!(
        owner.answers(&other.id).unwrap()[item].response,
        Some(Response::Score(1))
    );
}

/// A comment being written when the server stops and then the program too: kept on this
/// machine (the user's data folder), offered at the next start once the server is back, and
/// saved there.
#[test]
fn a_comment_the_stopped_server_could_not_take_is_kept_here_and_saved_at_the_next_start() {
    let server = postgres::Server::own();
    let database = server.database();
    let rounds = two_services(&database.url);
    let mut owner = PgStore::open(&database.url).unwrap();
    let who = owner
        .create_respondent(&rounds[0], Role::KeyPerson, "AB", Utc::now())
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let env = [("XDG_DATA_HOME", data.path())];
    let url = Path::new(&database.url);
    let text = "Dette må ikke gå tapt";

    let mut tui = Tui::start_with(url, "nb", 24, 80, &env);
    tui.wait_for("Askdal barnevern");
    tui.send(ENTER);
    tui.wait_for("Runder – ");
    tui.send(ENTER);
    tui.wait_for("Nøkkelperson");
    tui.send(ENTER);
    tui.wait_for("Besvart 0 av");
    tui.send("c");
    tui.wait_for("Kommentar til spørsmål 1");
    tui.send(text);
    tui.wait_for(text);

    server.stop_for_now();
    let sent = std::process::Command::new("kill")
        .args(["-s", "TERM", &tui.pid().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let screen = tui.expect_exit_giving_terminal_back(1);
    assert!(
        screen.contains("Kommentaren som ble skrevet, kunne ikke lagres"),
        "{screen}"
    );

    server.start_again();
    let mut tui = Tui::start_with(url, "nb", 24, 80, &env);
    tui.wait_for("Ulagret kommentar");
    tui.wait_for(text);
    tui.send(ENTER);
    tui.wait_for("Kommentaren er lagret");
    tui.send("q");
    tui.expect_clean_exit();
    let first = &Instrument::standard().items()[0].item.key;
    let answers = open(&database.url).answers(&who.id).unwrap();
    assert_eq!(answers[first].comment, text);
}
