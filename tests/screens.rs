//! Every screen drawn into ratatui's TestBackend and snapshotted (insta), at 80×24 and
//! 120×40, in bokmål and English; plus what the keys do to the state and the store.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use kartlegg::domain::instrument::{Asked, Instrument};
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::domain::plan::{GoalStatus, Level, PlanItem, PlanKind, Stage};
use kartlegg::i18n::{Lang, tr};
use kartlegg::store::Store;
use kartlegg::store::{Admin, Answers, Plans};
use kartlegg::ui::App;
use kartlegg::ui::action::{Action, Mode};
use kartlegg::ui::widgets::Theme;

const RLO: char = '\u{202E}';
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tempfile::TempDir;

fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 13, 45, 10).unwrap()
}

struct Fixture {
    dir: TempDir,
    app: App,
}

impl Fixture {
    fn db(&self) -> std::path::PathBuf {
        self.dir.path().join("k.db")
    }

    fn act(&mut self, actions: &[Action]) {
        for action in actions {
            let mut next = Some(action.clone());
            while let Some(action) = next {
                next = self.app.update(action);
            }
        }
    }

    fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.act(&[Action::Type(KeyEvent::from(KeyCode::Char(c)))]);
        }
    }

    fn render(&self, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| kartlegg::ui::draw(&self.app, frame))
            .unwrap();
        terminal.backend().to_string()
    }
}

/// A database with two services, a round and two respondents, one halfway through.
fn fixture(lang: Lang, populated: bool) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("k.db")).unwrap();
    let now = fixed_now();
    if populated {
        let service = store
            .create_service(
                "Fjellbygd barneverntjeneste",
                &["3431".into()],
                "Innlandet",
                now,
            )
            .unwrap();
        store
            .create_service(
                "Elvedalen interkommunale barnevern",
                &["3432".into(), "3433".into()],
                "Innlandet",
                now,
            )
            .unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 2, 10).unwrap();
        let round = store
            .create_round(
                &service.id,
                "Før samling 1",
                date,
                RoundKind::Before,
                Instrument::standard(),
                now,
            )
            .unwrap();
        let key_person = store
            .create_respondent(&round.id, Role::KeyPerson, "AB", now)
            .unwrap();
        let leader = store
            .create_respondent(&round.id, Role::Leader, "", now)
            .unwrap();
        // What the walk puts to each: a round before the programme.
        let asked = |role| Instrument::standard().items_asked(Asked::new(RoundKind::Before, role));
        let items = asked(Role::KeyPerson);
        let responses = [
            Response::Score(4),
            Response::Score(5),
            Response::DontKnow,
            Response::Score(1),
        ];
        for (item, response) in items.iter().zip(responses) {
            store
                .save_response(&key_person.id, &item.item.key, Some(response), now)
                .unwrap();
        }
        store
            .save_comment(
                &key_person.id,
                &items[4].item.key,
                "Vi har vurdert to andre tilbud.",
                now,
            )
            .unwrap();
        for item in asked(Role::Leader).iter().skip(20).take(15) {
            store
                .save_response(&leader.id, &item.item.key, Some(Response::Score(2)), now)
                .unwrap();
        }
    }
    let mut app = App::new(store, Instrument::standard(), lang, Box::new(fixed_now));
    app.theme = Theme { color: false };
    app.utc_offset = FixedOffset::east_opt(3600).unwrap();
    Fixture { dir, app }
}

const SIZES: [(u16, u16); 3] = [(60, 16), (80, 24), (120, 40)];
const LANGS: [Lang; 2] = [Lang::Nb, Lang::En];

fn snap(name: &str, lang: Lang, fixture: &Fixture) {
    snap_at(&SIZES, name, lang, fixture);
}

fn snap_at(sizes: &[(u16, u16)], name: &str, lang: Lang, fixture: &Fixture) {
    for &(w, h) in sizes {
        insta::assert_snapshot!(format!("{name}_{lang}_{w}x{h}"), fixture.render(w, h));
    }
}

#[test]
fn list_screens() {
    for lang in LANGS {
        snap("services_empty", lang, &fixture(lang, false));
        let mut f = fixture(lang, true);
        snap("services", lang, &f);
        f.act(&[Action::Down, Action::Open]);
        snap("rounds", lang, &f);
        f.act(&[Action::Open]);
        snap("respondents", lang, &f);
        f.act(&[Action::ToggleHelp]);
        snap("respondents_help", lang, &f);
    }
}

#[test]
fn form_screens() {
    for lang in LANGS {
        let mut f = fixture(lang, true);
        f.act(&[Action::New]);
        f.typed("Sjøbyen");
        f.act(&[Action::NextField]);
        f.typed("34x1");
        f.act(&[Action::Submit]);
        snap("service_form_error", lang, &f);
        f.act(&[
            Action::Back,
            Action::Back,
            Action::Down,
            Action::Open,
            Action::New,
        ]);
        snap("round_form", lang, &f);
        f.act(&[Action::Back, Action::Open, Action::New, Action::Right]);
        snap("respondent_form", lang, &f);
    }
}

#[test]
fn walk_and_summary_screens() {
    for lang in LANGS {
        let mut f = fixture(lang, true);
        f.act(&[Action::Down, Action::Open, Action::Open, Action::Open]);
        snap("walk", lang, &f);
        f.act(&[Action::Comment]);
        f.typed("Æøå – ");
        snap("walk_comment", lang, &f);
        f.act(&[Action::Back, Action::ToggleHelp]);
        snap("walk_help", lang, &f);
        f.act(&[Action::ToggleHelp, Action::Summary]);
        snap("summary_respondent", lang, &f);
        f.act(&[Action::Back, Action::Back, Action::Summary]);
        snap("summary_round", lang, &f);
    }
}

/// Where the comment editor opens, its lower border says that nothing about children or
/// families goes in it (taushetsplikt), in every language, without taking a line from the
/// text: at the smallest size too.
/// The fixture's round is held before the programme: the programme owner's support is put
/// to no one then, and the summary says so instead of "no score" with 0 of 0 answers.
#[test]
fn a_summary_says_which_areas_the_round_did_not_ask() {
    let mut f = fixture(Lang::Nb, true);
    f.act(&[Action::Down, Action::Open, Action::Summary]);
    let screen = f.render(80, 24);
    let line = screen
        .lines()
        .find(|l| l.contains("Støtte fra programeier"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains("ikke spurt nå"), "{line}");
    assert!(!line.contains("0/0"), "{line}");
    let asked = screen
        .lines()
        .find(|l| l.contains("Ledere søker løsninger"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(asked.contains("ingen skåre"), "{asked}");
}

#[test]
fn the_comment_editor_says_that_nothing_about_children_or_families_may_be_written() {
    for (lang, says) in [
        (
            Lang::Nb,
            "Skriv ikke om barn eller familier (taushetsplikt)",
        ),
        (Lang::Nn, "Skriv ikkje om born eller familiar (teieplikt)"),
        (Lang::En, "Not about children or families (confidentiality)"),
    ] {
        let mut f = fixture(lang, true);
        f.act(&[Action::Down, Action::Open, Action::Open, Action::Open]);
        assert!(!f.render(60, 16).contains(says), "only where it opens");
        f.act(&[Action::Comment]);
        f.typed("Første linje");
        let screen = f.render(60, 16);
        let border = screen.lines().find(|l| l.contains(says));
        assert!(border.is_some_and(|l| l.contains('╰')), "{screen}");
        assert!(screen.contains("Første linje"), "{screen}");
        snap_at(&[(60, 16)], "walk_comment_confidential", lang, &f);
    }
}

/// The question before an erasure stands in the status line, whole, at the smallest size.
#[test]
fn the_question_before_an_erasure_says_what_goes() {
    for lang in LANGS {
        let mut f = fixture(lang, true);
        f.act(&[Action::Down, Action::Open, Action::Open, Action::Erase]);
        snap_at(&[(60, 16), (80, 24)], "respondent_erase_question", lang, &f);
        // A service's question names all it holds: on three lines, its y/n not cut off.
        let mut f = fixture(lang, true);
        {
            use kartlegg::store::{Answers, Plans};
            let mut other = Store::open(&f.db()).unwrap();
            let service = other.service_list().unwrap().remove(1);
            other
                .add_goal(&service.id, "Alle kjenner metoden", &[], fixed_now())
                .unwrap();
        }
        f.act(&[Action::Down, Action::Erase]);
        let screen = f.render(60, 16);
        let answer = if lang == Lang::Nb { "j/n" } else { "y/n" };
        assert!(screen.contains(answer), "{screen}");
        snap_at(&[(60, 16)], "service_erase_question", lang, &f);
    }
}

#[test]
fn while_the_terminal_is_too_small_only_help_and_quitting_act() {
    let mut f = fixture(Lang::Nb, true);
    f.act(&[Action::Down, Action::Open, Action::Open, Action::Open]);
    assert_eq!(f.app.mode(), Mode::Walk);
    let answers = |f: &Fixture| {
        let store = Store::open(&f.db()).unwrap();
        let service = &store.services().unwrap()[1].service;
        let round = &store.rounds(&service.id).unwrap()[0].round;
        store.round_answers(&round.id).unwrap()
    };
    let before = answers(&f);
    f.act(&[Action::Resize(40, 10)]);
    f.act(&[
        Action::Choose(2),
        Action::Clear,
        Action::DontKnow,
        Action::Comment,
        Action::Back,
        Action::Summary,
    ]);
    assert_eq!(answers(&f), before, "nothing written unseen");
    assert_eq!(f.app.mode(), Mode::Walk, "nothing opened or closed unseen");
    f.act(&[Action::ToggleHelp]);
    assert_eq!(f.app.mode(), Mode::Help);
    f.act(&[
        Action::ToggleHelp,
        Action::Resize(80, 24),
        Action::Choose(2),
    ]);
    assert_ne!(answers(&f), before, "at full size the key acts again");
    f.act(&[Action::Resize(40, 10), Action::Quit]);
    assert!(f.app.should_quit);
}

/// A frame is drawn at the terminal's size of its moment, which the size's event may follow
/// after keys typed once the frame said "too small": those keys wait too.
#[test]
fn keys_typed_after_a_frame_showed_too_small_do_not_act_before_its_event() {
    let mut f = fixture(Lang::Nb, true);
    f.act(&[Action::Down, Action::Open, Action::Open, Action::Open]);
    let answers = |f: &Fixture| {
        let store = Store::open(&f.db()).unwrap();
        let service = &store.services().unwrap()[1].service;
        let round = &store.rounds(&service.id).unwrap()[0].round;
        store.round_answers(&round.id).unwrap()
    };
    let before = answers(&f);
    f.act(&[Action::Resize(80, 24)]);
    f.app.shown(40, 10);
    f.act(&[Action::Choose(2), Action::Comment]);
    assert_eq!(answers(&f), before, "nothing written unseen");
    assert_eq!(f.app.mode(), Mode::Walk, "nothing opened unseen");
    // Shown at full size again, right away: the window may have grown back before the
    // keys typed while small were read.
    f.app.shown(80, 24);
    f.act(&[Action::Choose(2)]);
    assert_eq!(answers(&f), before, "nothing written just after");
    // Once the screen has stood at full size, it says the keys did nothing, and keys act.
    let settled = std::time::Duration::from_secs(1);
    f.app.shown_again_at = f.app.shown_again_at.and_then(|at| at.checked_sub(settled));
    f.act(&[Action::Tick]);
    let told = f.app.status.as_ref().map(|s| s.text.clone());
    assert_eq!(
        told.as_deref(),
        Some(kartlegg::i18n::tr(Lang::Nb, "ui.keys_waited")),
        "the screen says the keys did nothing"
    );
    f.act(&[Action::Choose(2)]);
    assert_ne!(
        answers(&f),
        before,
        "shown at full size, the key acts again"
    );
}

/// The word that keys did nothing is dropped once the user types on, and waits while a write
/// is held and tried again (whose word would overwrite it at once).
#[test]
fn the_word_on_waited_keys_goes_when_typed_on_and_waits_for_a_held_write() {
    let keys_waited = kartlegg::i18n::tr(Lang::Nb, "ui.keys_waited");
    let said = |f: &Fixture| f.app.status.as_ref().map(|s| s.text.clone());
    let settle = |f: &mut Fixture| {
        let settled = std::time::Duration::from_secs(1);
        f.app.shown_again_at = f.app.shown_again_at.and_then(|at| at.checked_sub(settled));
    };
    let mut f = fixture(Lang::Nb, true);
    f.act(&[Action::Down, Action::Open, Action::Open, Action::Open]);
    f.act(&[Action::Resize(80, 24)]);

    // Typed on: the next key is the user's answer to what they see.
    f.app.shown(40, 10);
    f.act(&[Action::Choose(2)]);
    f.app.shown(80, 24);
    settle(&mut f);
    f.act(&[Action::Down, Action::Tick, Action::Tick]);
    assert_ne!(said(&f).as_deref(), Some(keys_waited), "typed on: not said");

    // A write held by another kartlegg: the word waits until the write has gone through.
    let holder = kartlegg_lock(&f.db());
    f.act(&[Action::Choose(3)]);
    assert!(f.app.waiting.is_some(), "the write is held");
    f.app.shown(40, 10);
    f.act(&[Action::Choose(4)]);
    f.app.shown(80, 24);
    settle(&mut f);
    f.act(&[Action::Tick]);
    assert_ne!(
        said(&f).as_deref(),
        Some(keys_waited),
        "not over the held write"
    );
    drop(holder);
    f.act(&[Action::Tick]);
    assert!(f.app.waiting.is_none(), "the held write went through");
    f.act(&[Action::Tick]);
    assert_eq!(
        said(&f).as_deref(),
        Some(keys_waited),
        "said once the write is done"
    );
}

/// Another connection in the middle of a write, as a second kartlegg would be.
fn kartlegg_lock(db: &std::path::Path) -> rusqlite::Connection {
    let holder = rusqlite::Connection::open(db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    holder
}

#[test]
fn a_tiny_terminal_gets_one_line_not_garbage() {
    for lang in LANGS {
        let f = fixture(lang, true);
        for (w, h) in [(40, 10), (1, 1)] {
            insta::assert_snapshot!(format!("too_small_{lang}_{w}x{h}"), f.render(w, h));
        }
    }
}

#[test]
fn answers_from_the_walk_are_in_the_database_at_once() {
    let mut f = fixture(Lang::Nb, true);
    f.act(&[Action::Down, Action::Open, Action::Open, Action::Open]);
    // Resumed at the first unanswered item: the fifth.
    assert!(f.render(80, 24).contains("Spørsmål 5 av 29"));
    f.act(&[Action::Choose(3)]);
    f.act(&[Action::NotApplicable]);
    f.act(&[Action::Left, Action::Confirm]);
    let items = Instrument::standard().items();
    let other = Store::open(&f.db()).unwrap();
    let service = &other.services().unwrap()[1].service;
    assert_eq!(service.name, "Fjellbygd barneverntjeneste");
    let round = &other.rounds(&service.id).unwrap()[0].round;
    let respondent = &other.respondents(&round.id).unwrap()[0];
    assert_eq!(respondent.answered, 7);
    let answers = other.answers(&respondent.respondent.id).unwrap();
    assert_eq!(
        answers[&items[4].item.key].response,
        Some(Response::Score(3))
    );
    assert_eq!(
        answers[&items[5].item.key].response,
        Some(Response::NotApplicable)
    );
    // The cursor started in the middle (3) and moved one left.
    assert_eq!(
        answers[&items[6].item.key].response,
        Some(Response::Score(2))
    );
    assert!(f.render(80, 24).contains("Svaret er lagret 14:45:10"));
}

#[test]
fn a_digit_outside_the_scale_is_refused_with_a_message() {
    let mut f = fixture(Lang::En, true);
    f.act(&[
        Action::Down,
        Action::Open,
        Action::Open,
        Action::Open,
        Action::Choose(7),
    ]);
    let screen = f.render(80, 24);
    assert!(screen.contains("This item's scale is 1–5."), "{screen}");
    assert!(screen.contains("Item 5 of 29"));
}

#[test]
fn quitting_with_the_comment_editor_open_saves_the_comment() {
    let mut f = fixture(Lang::Nb, true);
    f.act(&[
        Action::Down,
        Action::Open,
        Action::Open,
        Action::Open,
        Action::Comment,
    ]);
    assert_eq!(f.app.mode(), Mode::Comment);
    // The editor opens at the start; Ctrl-End goes to the end to add to the text.
    let ctrl_end = KeyEvent::new(KeyCode::End, crossterm::event::KeyModifiers::CONTROL);
    f.act(&[Action::Type(ctrl_end)]);
    f.typed("Skrevet rett før strømmen gikk");
    f.act(&[Action::Quit]);
    assert!(f.app.should_quit);
    assert_eq!(
        comment_in_database(&f, 4),
        "Vi har vurdert to andre tilbud.Skrevet rett før strømmen gikk"
    );
}

/// Another kartlegg erases the respondent while their comment is open here: closing it (and
/// quitting) says the respondent is gone, instead of holding the user in the editor.
#[test]
fn a_comment_open_on_a_respondent_erased_meanwhile_closes_and_lets_the_user_go() {
    use kartlegg::store::{Erasable, Erase, ErasedBy};
    let mut f = fixture(Lang::Nb, true);
    f.act(&[
        Action::Down,
        Action::Open,
        Action::Open,
        Action::Open,
        Action::Comment,
    ]);
    assert_eq!(f.app.mode(), Mode::Comment);
    f.typed("Skrevet mens en annen slettet");
    let respondent = {
        let other = Store::open(&f.db()).unwrap();
        let service = &other.services().unwrap()[1].service;
        let round = &other.rounds(&service.id).unwrap()[0].round;
        other.respondents(&round.id).unwrap()[0]
            .respondent
            .id
            .clone()
    };
    let mut other = Store::open(&f.db()).unwrap();
    other
        .erase(
            &[Erasable::Respondent(respondent)],
            ErasedBy::Command,
            fixed_now(),
        )
        .unwrap();
    f.act(&[Action::Quit]);
    assert!(
        f.app.should_quit,
        "quitting is not held by a comment with nowhere to go"
    );
    let said = f
        .app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(said.contains("Fant ikke"), "{said}");
    assert!(other.unsaved().is_empty(), "nothing of it kept");
}

/// The key person's comment on an item, as another connection to the database reads it.
fn comment_in_database(f: &Fixture, item: usize) -> String {
    answer_in_database(f, item).expect("an answer").comment
}

/// The key person's answer to an item, if there is one, as another connection reads it.
fn answer_in_database(f: &Fixture, item: usize) -> Option<kartlegg::domain::model::Answer> {
    let other = Store::open(&f.db()).unwrap();
    let service = &other.services().unwrap()[1].service;
    let round = &other.rounds(&service.id).unwrap()[0].round;
    let who = &other.respondents(&round.id).unwrap()[0].respondent;
    let key = &Instrument::standard().items()[item].item.key;
    other.answers(&who.id).unwrap().remove(key)
}

/// Trailing spaces and tabs are part of what was written; only whitespace is no comment.
#[test]
fn a_comment_keeps_its_trailing_spaces_and_tabs() {
    let mut f = fixture(Lang::Nb, true);
    f.act(&[
        Action::Down,
        Action::Open,
        Action::Open,
        Action::Open,
        Action::Comment,
    ]);
    let ctrl_end = KeyEvent::new(KeyCode::End, crossterm::event::KeyModifiers::CONTROL);
    f.act(&[Action::Type(ctrl_end)]);
    f.act(&[Action::Paste(" Se vedlegg:\t \t".into()), Action::Back]);
    assert_eq!(
        comment_in_database(&f, 4),
        "Vi har vurdert to andre tilbud. Se vedlegg:\t \t"
    );
    f.act(&[Action::Down, Action::Comment]);
    f.act(&[Action::Paste(" \t \n ".into()), Action::Back]);
    let answer = answer_in_database(&f, 5);
    assert!(
        answer.as_ref().is_none_or(|a| a.comment.is_empty()),
        "only whitespace is no comment: {answer:?}"
    );
}

/// The limits an import holds a file to hold in the forms too, so that nothing saved here is
/// refused by the import on another machine: a name of 201 characters is a field error, one
/// of 200 is saved; a comment past 256 KiB keeps the editor open with every word in it.
#[test]
fn a_form_and_the_comment_editor_refuse_text_past_the_limits_an_import_holds() {
    let mut f = fixture(Lang::En, false);
    f.act(&[Action::New]);
    f.act(&[Action::Paste("å".repeat(201))]);
    f.act(&[Action::Submit]);
    assert_eq!(f.app.mode(), Mode::Form);
    let screen = f.render(80, 24);
    assert!(
        screen.contains("Too long: 200 characters at most."),
        "{screen}"
    );
    assert_eq!(Store::open(&f.db()).unwrap().counts().unwrap().services, 0);
    f.act(&[
        Action::Type(KeyEvent::from(KeyCode::Backspace)),
        Action::Submit,
    ]);
    assert_eq!(Store::open(&f.db()).unwrap().counts().unwrap().services, 1);

    let mut f = fixture(Lang::Nb, true);
    f.act(&[
        Action::Down,
        Action::Open,
        Action::Open,
        Action::Open,
        Action::Down,
        Action::Comment,
    ]);
    // 256 KiB and one byte.
    let mut long = "Et langt sitat. ".repeat(256 * 1024 / 16);
    long.push('!');
    f.act(&[Action::Paste(long.clone()), Action::Back]);
    assert_eq!(f.app.mode(), Mode::Comment, "the editor stays open");
    assert!(f.render(80, 24).contains("For lang: høyst 256 KiB."));
    assert!(answer_in_database(&f, 5).is_none_or(|a| a.comment.is_empty()));
    f.act(&[
        Action::Type(KeyEvent::from(KeyCode::Backspace)),
        Action::Back,
    ]);
    assert_eq!(f.app.mode(), Mode::Walk);
    assert_eq!(
        answer_in_database(&f, 5).unwrap().comment.len(),
        long.len() - 1
    );
}

/// A name written straight into the database (an older kartlegg, another program) with a
/// right-to-left override: drawn without it, as the last step before the terminal.
#[test]
fn a_direction_control_smuggled_into_a_name_never_reaches_the_screen() {
    let mut f = fixture(Lang::En, true);
    let conn = rusqlite::Connection::open(f.db()).unwrap();
    let name = format!("Fjellbygd{RLO} barneverntjeneste");
    conn.execute(
        "UPDATE service SET name = ?1 WHERE name = 'Fjellbygd barneverntjeneste'",
        [&name],
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&f.db()).unwrap();
    f.app = App::new(store, Instrument::standard(), Lang::En, Box::new(fixed_now));
    for (w, h) in SIZES {
        let screen = f.render(w, h);
        assert!(!screen.contains(RLO), "{w}×{h}:\n{screen}");
        assert!(screen.contains("Fjellbygd barnevern"), "{screen}");
    }
}

#[test]
fn a_form_refuses_a_direction_control_in_a_name_as_a_field_error() {
    let mut f = fixture(Lang::En, false);
    f.act(&[Action::New]);
    f.typed(&format!("Fjell{RLO}bygd"));
    f.act(&[Action::Submit]);
    assert_eq!(f.app.mode(), Mode::Form);
    let screen = f.render(80, 24);
    assert!(screen.contains("turns the reading direction"), "{screen}");
    assert_eq!(Store::open(&f.db()).unwrap().counts().unwrap().services, 0);
}

#[test]
fn esc_never_throws_typed_text_away_without_asking() {
    let mut f = fixture(Lang::Nb, false);
    f.act(&[Action::New]);
    f.typed("Halvferdig");
    f.act(&[Action::Back]);
    assert_eq!(f.app.mode(), Mode::Form, "the first Esc only asks");
    assert!(f.render(80, 24).contains("Esc en gang til forkaster den"));
    f.act(&[Action::Submit]);
    assert_eq!(f.app.mode(), Mode::Rounds, "Enter saves after all");
    f.act(&[Action::Back]);
    assert!(f.render(80, 24).contains("Halvferdig"));

    f.act(&[Action::New]);
    f.typed("Forkastes");
    f.act(&[Action::Back, Action::Back]);
    assert_eq!(f.app.mode(), Mode::Services);
    assert!(!f.render(80, 24).contains("Forkastes"));
}

#[test]
fn an_empty_form_leaves_with_one_esc_and_stores_nothing() {
    let mut f = fixture(Lang::En, false);
    f.act(&[Action::New, Action::Submit]);
    assert!(f.render(80, 24).contains("The name cannot be empty."));
    f.act(&[Action::Back]);
    assert_eq!(f.app.mode(), Mode::Services);
    assert_eq!(Store::open(&f.db()).unwrap().counts().unwrap().services, 0);
}

/// The demo cluster: four services with a round before and after.
fn demo_fixture(lang: Lang) -> Fixture {
    let f = fixture(lang, false);
    let mut store = Store::open(&f.db()).unwrap();
    kartlegg::cli::demo::fill(&mut store, Instrument::standard(), 2026, fixed_now())
        .unwrap()
        .unwrap();
    drop(store);
    reopened(f, lang)
}

#[test]
fn analysis_screens() {
    for lang in LANGS {
        let mut f = demo_fixture(lang);
        // Fjellbygd is the second service by name.
        f.act(&[Action::Down, Action::Open, Action::Compare]);
        snap("compare_areas", lang, &f);
        f.act(&[Action::NextTab]);
        snap("compare_items", lang, &f);
        f.act(&[Action::NextTab]);
        snap("compare_chart", lang, &f);
        f.act(&[Action::Back, Action::Trend]);
        snap("trend", lang, &f);
        f.act(&[Action::Back, Action::Open, Action::Roles]);
        snap("roles", lang, &f);
        f.act(&[Action::Decrease, Action::Decrease]);
        // Never below the floor: the status line says why.
        snap("roles_at_the_floor", lang, &f);
        f.act(&[Action::Back, Action::Back, Action::Back, Action::Overview]);
        snap("cluster", lang, &f);
        f.act(&[Action::Right, Action::Choose(2)]);
        snap("cluster_after_sorted_by_fit", lang, &f);
        f.act(&[Action::Left, Action::NextTab]);
        snap("cluster_needs", lang, &f);
    }
}

#[test]
fn the_needs_screen_in_list_order_and_by_gap() {
    for lang in LANGS {
        let mut f = demo_fixture(lang);
        // Fjellbygd's first round on the rounds list.
        f.act(&[Action::Down, Action::Open, Action::Needs]);
        snap("needs", lang, &f);
        f.act(&[Action::NextTab, Action::Right]);
        snap("needs_by_gap", lang, &f);
    }
}

/// The round's summary names its largest needs: Fjellbygd's latest round has one gap of 2 or
/// more (investigations, 3 → 5); its gaps of 1 are no need.
#[test]
fn the_summary_names_the_rounds_largest_needs() {
    let mut f = demo_fixture(Lang::En);
    f.act(&[Action::Down, Action::Open, Action::Summary]);
    let screen = f.render(120, 40);
    let line = screen
        .lines()
        .find(|l| l.contains("Largest competence needs (b):"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains("Investigations and decisions (+2)"), "{line}");
    assert!(!line.contains("(+1)"), "{line}");
    // b opens them.
    f.act(&[Action::Needs]);
    assert!(f.render(120, 40).contains("Competence needs – round"));
}

/// A measure from a need: the plan offers the demo's latest round's needs (Fjellbygd:
/// investigations +2, then its top three), and a measure saved with no text of its own takes
/// the area's name and what the round says is missing.
#[test]
fn a_plan_starts_a_measure_from_the_latest_rounds_needs() {
    for lang in LANGS {
        let mut f = demo_fixture(lang);
        f.act(&[Action::Down, Action::Open, Action::Summary]);
        f.act(&[Action::Down, Action::Plan, Action::MeasureFromNeed]);
        snap_at(&ROOMS, "plan_measure_from_need", lang, &f);
        let service = f.app.store.services().unwrap()[1].service.clone();
        let before = f.app.store.plan_items(&service.id).unwrap().len();
        f.act(&[Action::Submit]);
        let items = f.app.store.plan_items(&service.id).unwrap();
        assert_eq!(items.len(), before + 1);
        let added = items.iter().find(|i| i.text.contains(':')).unwrap();
        let (area, missing) = added.text.split_once(": ").unwrap();
        let expected_area = match lang {
            Lang::En => "Investigations and decisions",
            _ => "Undersøkelse og beslutning",
        };
        assert_eq!(area, expected_area);
        assert!(!missing.is_empty(), "{}", added.text);
        assert_eq!(added.kind, PlanKind::Measure);
    }
}

/// A post by its role, education, credits, years and further education planned (credits,
/// year).
fn post(
    role: kartlegg::domain::requirement::PositionRole,
    education: kartlegg::domain::requirement::Education,
    credits: u16,
    years: u8,
    planned_credits: u16,
    planned_year: Option<u16>,
) -> kartlegg::domain::requirement::PositionFacts {
    kartlegg::domain::requirement::PositionFacts {
        role,
        education,
        credits,
        years,
        planned_credits,
        planned_year,
    }
}

/// Fjellbygd's latest round with nine posts, by hand against the requirement data: five
/// caseworkers, of whom two have the master's and one a relevant bachelor with 60 credits and
/// 6 years (meet: 3 of 5, 60 %), one a bachelor with 30 credits and 30 more planned for 2028
/// (will meet, 20 %) and one a bachelor with 2 years and nothing planned (will not, 20 %);
/// three leaders: another relevant master's with 8 years and a master's in child welfare
/// (meet, 2 of 3, 67 %), a bachelor with 10 years and no further education (will not, 33 %);
/// all eight: 5 (63 %), 1 (13 %), 2 (25 %); and one post of another role, not covered.
fn positions_fixture(lang: Lang) -> Fixture {
    use kartlegg::domain::requirement::{Education, PositionRole};
    use kartlegg::store::Positions;
    let f = demo_fixture(lang);
    let mut store = Store::open(&f.db()).unwrap();
    let service = &store.services().unwrap()[1].service;
    let round = store.rounds(&service.id).unwrap().pop().unwrap().round;
    // The demo fills posts of its own; these nine, counted by hand below, replace them.
    for demo in store.positions(&round.id).unwrap() {
        store.remove_position(&demo.id, fixed_now()).unwrap();
    }
    use Education::{BachelorRelevant, MasterChildWelfare, MasterOtherRelevant};
    use PositionRole::*;
    for facts in [
        post(Caseworker, MasterChildWelfare, 0, 3, 0, None),
        post(Caseworker, MasterChildWelfare, 0, 1, 0, None),
        post(Caseworker, BachelorRelevant, 60, 6, 0, None),
        post(Caseworker, BachelorRelevant, 30, 6, 30, Some(2028)),
        post(Caseworker, BachelorRelevant, 0, 2, 0, None),
        post(Leader, MasterOtherRelevant, 0, 8, 0, None),
        post(Leader, MasterChildWelfare, 0, 2, 0, None),
        post(Leader, BachelorRelevant, 0, 10, 0, None),
        post(Other, Education::None, 0, 4, 0, None),
    ] {
        store.add_position(&round.id, &facts, fixed_now()).unwrap();
    }
    f
}

#[test]
fn the_positions_screen_against_the_2031_requirement() {
    for lang in LANGS {
        let mut f = positions_fixture(lang);
        // Fjellbygd's latest round (the first row of its rounds list).
        f.act(&[Action::Down, Action::Open, Action::Positions]);
        snap("positions", lang, &f);
    }
    let mut f = positions_fixture(Lang::En);
    f.act(&[Action::Down, Action::Open, Action::Positions]);
    let screen = f.render(120, 40);
    let row = |name: &str| {
        screen
            .lines()
            .map(|l| l.trim_matches('"'))
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row in {screen}"))
            .to_string()
    };
    for (name, figures) in [
        ("Caseworkers", ["5", "3 (60 %)", "1 (20 %)", "1 (20 %)"]),
        ("Leaders", ["3", "2 (67 %)", "0 (0 %)", "1 (33 %)"]),
        ("All", ["8", "5 (63 %)", "1 (13 %)", "2 (25 %)"]),
    ] {
        let line = row(name);
        let (n, rest) = line[name.len()..].trim().split_once(' ').unwrap();
        let mut cells = vec![n.to_string()];
        cells.extend(
            rest.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
        );
        assert_eq!(cells, figures, "{name}: {line}");
    }
}

/// One service with three rounds and no answers, by hand against the requirement data:
/// before (10.02.2026), five caseworkers: two with the master's (meet), one a bachelor with 30
/// credits and 30 more planned for 2028 (will meet), two bachelors with 2 years and nothing
/// planned (will not): all 5: 2 (40 %), 1 (20 %), 2 (40 %); no leaders. Between
/// (01.06.2026), five caseworkers, three meet, one will, one will not, and two leaders who
/// meet: the leaders are too few, so the caseworkers are hidden with them, and all 7 show
/// 5 (71 %), 1 (14 %), 1 (14 %); one post of another role, not covered. After (01.11.2026):
/// no posts, no facts. The facts: before 12.5 FTEs, 2 vacancies, 3 left, 40 % newly
/// qualified; between 13 FTEs, 0 vacancies, 4 deadline breaches, 1 complaint, 6 emergency
/// cases; the rest not recorded.
fn requirement_fixture(lang: Lang) -> Fixture {
    use kartlegg::domain::needs::Facts;
    use kartlegg::domain::requirement::{Education, PositionRole};
    use kartlegg::store::{Needs, Positions};
    let f = fixture(lang, false);
    let mut store = Store::open(&f.db()).unwrap();
    let now = fixed_now();
    let service = store
        .create_service(
            "Fjellbygd barneverntjeneste",
            &["3431".into()],
            "Innlandet",
            now,
        )
        .unwrap();
    let round = |store: &mut Store, label: &str, (y, m, d), kind| {
        store
            .create_round(
                &service.id,
                label,
                NaiveDate::from_ymd_opt(y, m, d).unwrap(),
                kind,
                Instrument::standard(),
                now,
            )
            .unwrap()
    };
    let before = round(&mut store, "Før", (2026, 2, 10), RoundKind::Before);
    let between = round(&mut store, "Midtveis", (2026, 6, 1), RoundKind::Between);
    round(&mut store, "Etter", (2026, 11, 1), RoundKind::After);
    use Education::{BachelorRelevant, MasterChildWelfare};
    use PositionRole::*;
    let meets = post(Caseworker, MasterChildWelfare, 0, 3, 0, None);
    let will = post(Caseworker, BachelorRelevant, 30, 6, 30, Some(2028));
    let will_not = post(Caseworker, BachelorRelevant, 0, 2, 0, None);
    let leader = post(Leader, MasterChildWelfare, 0, 8, 0, None);
    let other = post(Other, Education::None, 0, 4, 0, None);
    for (round, posts) in [
        (&before, vec![&meets, &meets, &will, &will_not, &will_not]),
        (
            &between,
            vec![
                &meets, &meets, &meets, &will, &will_not, &leader, &leader, &other,
            ],
        ),
    ] {
        for facts in posts {
            store.add_position(&round.id, facts, now).unwrap();
        }
    }
    let facts = Facts {
        ftes: Some(12.5),
        vacancies: Some(2),
        turnover: Some(3),
        newly_qualified: Some(40.0),
        ..Facts::default()
    };
    store.set_facts(&before.id, &facts, now).unwrap();
    let facts = Facts {
        ftes: Some(13.0),
        vacancies: Some(0),
        deadline_breaches: Some(4),
        complaints: Some(1),
        emergency_cases: Some(6),
        ..Facts::default()
    };
    store.set_facts(&between.id, &facts, now).unwrap();
    drop(store);
    reopened(f, lang)
}

/// The fixture's database opened afresh, as kartlegg starts on it.
fn reopened(f: Fixture, lang: Lang) -> Fixture {
    let store = Store::open(&f.db()).unwrap();
    let mut app = App::new(store, Instrument::standard(), lang, Box::new(fixed_now));
    app.theme = Theme { color: false };
    app.utc_offset = FixedOffset::east_opt(3600).unwrap();
    Fixture { dir: f.dir, app }
}

/// The cells of a table's row under each of the header's round columns, cut at the next
/// column: `header` names the columns by their first letters as the header writes them.
fn cells_under(screen: &str, columns: &[&str], row: &str, nth: usize) -> Vec<String> {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let text = |l: &Vec<char>| l.iter().collect::<String>();
    let header = lines
        .iter()
        .find(|l| columns.iter().all(|c| text(l).contains(c)))
        .unwrap_or_else(|| panic!("no header {columns:?} in {screen}"));
    let header = text(header);
    let starts: Vec<usize> = columns
        .iter()
        .map(|c| header[..header.find(c).unwrap()].chars().count())
        .collect();
    let line = lines
        .iter()
        .filter(|l| text(l).trim_start_matches(['"', '│']).starts_with(row))
        .nth(nth)
        .unwrap_or_else(|| panic!("no {nth}th row {row:?} in {screen}"));
    starts
        .iter()
        .map(|&at| {
            line[at..(at + 10).min(line.len())]
                .iter()
                .collect::<String>()
                .trim()
                .to_string()
        })
        .collect()
}

#[test]
fn the_trend_shows_the_2031_status_and_the_facts_round_by_round() {
    for lang in LANGS {
        let mut f = requirement_fixture(lang);
        f.act(&[Action::Open, Action::Trend, Action::NextTab]);
        assert_eq!(f.app.mode(), Mode::TrendRequirement);
        snap("trend_requirement", lang, &f);
        // Scrolled to the end, the facts' last rows show at the smallest size too.
        f.act(&[Action::End]);
        snap_at(&[(60, 16)], "trend_requirement_end", lang, &f);
        f.act(&[Action::NextTab]);
        assert_eq!(f.app.mode(), Mode::Trend);
    }
    // By hand (see the fixture): each count in its round's column.
    let mut f = requirement_fixture(Lang::En);
    f.act(&[Action::Open, Action::Trend, Action::NextTab]);
    let screen = f.render(120, 40);
    let columns = ["Before", "Betwee", "After"];
    let row = |name: &str, nth: usize| cells_under(&screen, &columns, name, nth);
    assert_eq!(row("All (n)", 0), ["5", "7", "0"]);
    // All first, then leaders and caseworkers, in the requirement's order.
    assert_eq!(row("  meet", 0), ["2 (40 %)", "5 (71 %)", "–"]);
    assert_eq!(row("  will meet by 2031", 0), ["1 (20 %)", "1 (14 %)", "–"]);
    assert_eq!(row("  will not meet", 0), ["2 (40 %)", "1 (14 %)", "–"]);
    assert_eq!(row("Leaders (n)", 0), ["0", "2", "0"]);
    assert_eq!(row("  meet", 1), ["–", "too few", "–"]);
    assert_eq!(row("Caseworkers (n)", 0), ["5", "5", "0"]);
    assert_eq!(row("  meet", 2), ["2 (40 %)", "hidden", "–"]);
    assert_eq!(row("  will not meet", 2), ["2 (40 %)", "hidden", "–"]);
    assert_eq!(row("Other posts, not covered", 0), ["0", "1", "0"]);
    // A fact not recorded is "–", never 0; a 0 recorded is 0.
    assert_eq!(row("FTEs", 0), ["12.5", "13.0", "–"]);
    assert_eq!(row("Vacancies", 0), ["2", "0", "–"]);
    assert_eq!(row("Share newly qualified", 0), ["40 %", "–", "–"]);
    assert_eq!(row("Deadline breaches, last period", 0), ["–", "4", "–"]);
    assert_eq!(row("Emergency cases", 0), ["–", "6", "–"]);
}

/// The round's summary says its 2031 status with n and its facts, those given only; a round
/// with neither has no such lines.
#[test]
fn the_summary_says_the_rounds_2031_status_and_its_facts() {
    for lang in LANGS {
        let mut f = requirement_fixture(lang);
        // The rounds list opens on the latest: the round between is above it.
        f.act(&[Action::Open, Action::Up, Action::Summary]);
        snap("summary_requirement", lang, &f);
    }
    let mut f = requirement_fixture(Lang::En);
    f.act(&[Action::Open, Action::Up, Action::Summary]);
    let screen = f.render(120, 40);
    assert!(
        screen.contains("2031 (w): 5 of 7 posts meet, 1 will, 1 will not"),
        "{screen}"
    );
    // Those given only, in the form's order (the line wraps at 120 columns).
    assert!(
        screen.contains(
            "Facts about the service: FTEs 13.0 · Vacancies 0 · Deadline breaches, last period 4 · Complaints, last period 1 ·"
        ),
        "{screen}"
    );
    assert!(screen.contains("\"Emergency cases 6 "), "{screen}");
    assert!(!screen.contains("Left in the last year"), "{screen}");
    assert!(!screen.contains("Share newly qualified"), "{screen}");
    // The round before has its own.
    f.act(&[Action::Back, Action::Up, Action::Summary]);
    let screen = f.render(120, 40);
    assert!(
        screen.contains("2031 (w): 2 of 5 posts meet, 1 will, 2 will not"),
        "{screen}"
    );
    // w opens the round's positions.
    f.act(&[Action::Positions]);
    assert_eq!(f.app.mode(), Mode::Positions);
    f.act(&[Action::Back, Action::Back, Action::End, Action::Summary]);
    let screen = f.render(120, 40);
    assert!(!screen.contains("2031 (w)"), "{screen}");
    assert!(!screen.contains("Facts about the service"), "{screen}");
}

/// The demo's needs before the programme, by hand (src/cli/demo.rs, `NEEDS`): all four
/// services weigh investigations, three rank it among their top three, with gaps 5−2, 5−3,
/// 4−4 and 5−2, a mean of 2.0 over 4; only Sjøbyen ranks minority work and care orders.
#[test]
fn the_cluster_needs_view_counts_the_demos_needs_by_hand() {
    let mut f = demo_fixture(Lang::En);
    f.act(&[Action::Overview, Action::NextTab]);
    let screen = f.render(120, 40);
    assert!(screen.contains("4 of 4 services mapped"), "{screen}");
    let row = screen
        .lines()
        .find(|l| l.contains("Investigations"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(row.contains("3 of 4 (75 %)"), "{row}");
    assert!(row.contains("+2.0 (n = 4)"), "{row}");
    let unlike = screen
        .split("Priorities no other service shares:")
        .nth(1)
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        unlike.contains("• Sjøbyen barneverntjeneste – Care orders"),
        "{unlike}"
    );
    // Tab again gives the scores back.
    f.act(&[Action::NextTab]);
    assert!(!f.render(120, 40).contains("Mean gap"));
}

#[test]
fn the_comparison_on_screen_is_the_domain_comparison() {
    let mut f = demo_fixture(Lang::En);
    f.act(&[Action::Down, Action::Open, Action::Compare]);
    let screen = f.render(120, 40);
    // Computed independently from the store and the domain.
    let store = Store::open(&f.db()).unwrap();
    let service = &store.services().unwrap()[1].service;
    assert_eq!(service.name, "Fjellbygd barneverntjeneste");
    let rounds = store.rounds(&service.id).unwrap();
    let answers = |i: usize| store.round_answers(&rounds[i].round.id).unwrap();
    let (before, after) = (answers(0), answers(1));
    use kartlegg::domain::compare::answered;
    let c = kartlegg::domain::compare::compare(
        Instrument::standard(),
        &answered(rounds[0].round.kind, &before, &Default::default()),
        &answered(rounds[1].round.kind, &after, &Default::default()),
        kartlegg::domain::compare::Options::default(),
    );
    let fit = &c.sections[1].area;
    let line = screen
        .lines()
        .find(|l| l.contains("│Programme fit "))
        .unwrap_or_else(|| panic!("{screen}"));
    let expected = format!(
        "{:>4} ◐{:>4} ▲ {}",
        fit.change.from.percent().unwrap(),
        fit.change.to.percent().unwrap(),
        kartlegg::present::change(&fit.change),
    );
    assert!(
        line.contains(&expected),
        "{line} lacks {expected}\n{screen}"
    );
    // Changing the from-round to the after-round itself gives no change, and says so.
    f.act(&[Action::CycleFrom]);
    let screen = f.render(120, 40);
    assert!(
        screen.contains("Etter programmet → Etter programmet"),
        "{screen}"
    );
    assert!(screen.contains("the same round"), "{screen}");
}

#[test]
fn the_details_of_a_row_open_with_enter_and_close_with_any_key() {
    use kartlegg::ui::keys::action_for;
    let mut f = demo_fixture(Lang::En);
    f.act(&[Action::Down, Action::Open, Action::Compare, Action::Open]);
    assert_eq!(f.app.mode(), Mode::CompareDetails);
    let screen = f.render(60, 16);
    assert!(screen.contains("95 % interval"), "{screen}");
    assert!(screen.contains("Press a key to close."), "{screen}");
    // A key no screen uses still closes them, and does nothing else.
    let x = action_for(f.app.mode(), KeyEvent::from(KeyCode::Char('x'))).unwrap();
    f.act(&[x]);
    assert_eq!(f.app.mode(), Mode::Compare);
}

/// Fjellbygd's first round came before the programme, which put the programme owner's
/// support to no one: the comparison shows no change and no "0/0" there, not ⊘ ("under half
/// the items"), and its details say why.
#[test]
fn an_area_not_asked_in_both_rounds_is_no_uncomparable_change() {
    let mut f = demo_fixture(Lang::En);
    f.act(&[Action::Down, Action::Open, Action::Compare]);
    let screen = f.render(120, 40);
    let row = screen
        .lines()
        .find(|l| l.contains("Programme owner support"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(!row.contains('⊘') && !row.contains("0/0"), "{row}");
    f.act(&vec![Action::Down; 8]);
    f.act(&[Action::Open]);
    let details = f.render(120, 40);
    assert!(
        details.contains("Programme owner support: none of its items was put in both rounds"),
        "{details}"
    );
}

#[test]
fn small_role_groups_show_no_numbers() {
    let mut f = demo_fixture(Lang::Nb);
    f.act(&[Action::Down, Action::Open, Action::Open, Action::Roles]);
    let screen = f.render(80, 24);
    let readiness = screen
        .lines()
        .find(|l| l.contains("│Endringsberedskap"))
        .unwrap();
    // One leader and one key person: "for få"; the staff group is large enough, and the
    // process leader's own rating is shown apart on purpose.
    assert_eq!(readiness.matches("for få").count(), 2, "{readiness}");
    assert!(readiness.contains('%'));
}

/// A newcomer opening the demo finds its plans and goals filled: the goals of a service, and
/// the plan of the first area it plans for, reached from the latest round's summary.
#[test]
fn the_demos_goals_and_plan_screens_show_its_content() {
    for lang in LANGS {
        let mut f = demo_fixture(lang);
        let (first, row) = {
            let store = &f.app.store;
            let service = store.services().unwrap()[1].service.clone();
            let first = store.plan_items(&service.id).unwrap().remove(0);
            // The summary's rows: each section, then its subdomains.
            let instrument = Instrument::standard();
            let section = instrument.subdomain(&first.subdomain_key).unwrap().section;
            let sections = 1 + instrument
                .sections
                .iter()
                .position(|s| s.key == section.key)
                .unwrap();
            let keys = instrument.subdomain_keys();
            let row = sections + keys.iter().position(|k| *k == first.subdomain_key).unwrap();
            (first, row)
        };
        // Services → Fjellbygd → its rounds, the latest chosen; its goals.
        f.act(&[Action::Down, Action::Open, Action::Goals]);
        let goals = f.render(80, 24);
        assert!(!goals.contains(tr(lang, "goals.empty")), "{goals}");
        snap("demo_goals", lang, &f);
        // The latest round's summary, down to the area, and its plan.
        f.act(&[Action::Back, Action::Open, Action::Summary]);
        for _ in 0..row {
            f.act(&[Action::Down]);
        }
        f.act(&[Action::Plan]);
        let plan = f.render(80, 24);
        let start: String = first.text.chars().take(20).collect();
        assert!(plan.contains(&start), "{}:\n{plan}", first.text);
        snap("demo_plan", lang, &f);
    }
}

#[test]
fn plan_goal_stage_and_review_screens() {
    for lang in LANGS {
        let mut f = demo_fixture(lang);
        let today = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        {
            let store = &mut f.app.store;
            let service = store.services().unwrap()[1].service.clone();
            let round = store.rounds(&service.id).unwrap()[0].round.clone();
            let base = PlanItem {
                id: String::new(),
                service_id: service.id.clone(),
                subdomain_key: "fit.answers_problem".into(),
                kind: PlanKind::Barrier,
                text: "Vi vet ikke hva programmet krever".into(),
                level: Some(Level::Team),
                owner: String::new(),
                due_on: None,
                done: false,
                done_on: None,
            };
            store.add_plan_item(&base, fixed_now()).unwrap();
            for (text, due, done) in [
                ("Be om programplanen", today.pred_opt(), false),
                ("Sett av tid til mellomarbeid", today.succ_opt(), false),
                ("Avklar hvem som deltar", None, true),
            ] {
                let measure = PlanItem {
                    kind: PlanKind::Measure,
                    text: text.into(),
                    level: None,
                    owner: "Leder".into(),
                    due_on: due,
                    done,
                    ..base.clone()
                };
                store.add_plan_item(&measure, fixed_now()).unwrap();
            }
            let goal = store
                .add_goal(
                    &service.id,
                    "Alle kjenner programmets krav",
                    &[],
                    fixed_now(),
                )
                .unwrap();
            store
                .set_goal_status(&goal.id, &round.id, Some(GoalStatus::Partly), fixed_now())
                .unwrap();
            store
                .set_round_stage(&round.id, Some(Stage::Adapt), fixed_now())
                .unwrap();
            store
                .set_consensus(&round.id, "fit.answers_problem", Some(2), fixed_now())
                .unwrap();
        }
        // Services → Fjellbygd → rounds (measures counted in the title).
        f.act(&[Action::Down, Action::Open]);
        snap("rounds_with_plan", lang, &f);
        f.act(&[Action::Goals]);
        snap("goals", lang, &f);
        f.act(&[Action::Back, Action::Up, Action::Stage]);
        snap("stage_form", lang, &f);
        f.act(&[Action::Back, Action::Open, Action::Review]);
        snap("review", lang, &f);
        // Summary of the round, down to "Answers our problem", and its plan.
        f.act(&[Action::Back, Action::Summary]);
        for _ in 0..6 {
            f.act(&[Action::Down]);
        }
        f.act(&[Action::Plan]);
        snap("plan", lang, &f);
        f.act(&[Action::NewMeasure]);
        snap("plan_measure_form", lang, &f);
    }
}

#[test]
fn a_measure_shows_on_the_items_of_its_area_and_can_be_marked_done() {
    let mut f = fixture(Lang::Nb, true);
    let (service, round) = {
        let store = &f.app.store;
        let service = store.services().unwrap()[1].service.clone();
        let round = store.rounds(&service.id).unwrap()[0].round.clone();
        (service, round)
    };
    // Summary → first subdomain (problem awareness) → plan → new measure.
    f.act(&[
        Action::Down,
        Action::Open,
        Action::Open,
        Action::Summary,
        Action::Down,
        Action::Plan,
    ]);
    f.act(&[Action::NewMeasure]);
    f.typed("Drøft forbedringsområdene på personalmøtet");
    f.act(&[Action::NextField]);
    f.typed("Leder");
    f.act(&[Action::NextField]);
    f.typed("2026-03-01");
    f.act(&[Action::Submit]);
    let screen = f.render(80, 24);
    assert!(screen.contains("Planen er lagret."), "{screen}");
    assert!(
        screen.contains("⚠ over fristen"),
        "due 1 March, today is 9 March:\n{screen}"
    );
    // The item of that area shows the measure in the walk.
    f.act(&[Action::Back, Action::Back, Action::Open]);
    f.act(&[Action::Home]);
    let walk = f.render(120, 40);
    assert!(
        walk.contains("Tiltak: ⚠ over fristen · Drøft forbedringsområdene"),
        "{walk}"
    );
    // Marked done in the plan, it reads done everywhere.
    f.act(&[
        Action::Back,
        Action::Summary,
        Action::Down,
        Action::Plan,
        Action::ToggleDone,
    ]);
    assert!(f.render(80, 24).contains("✓ utført"));
    let items = f.app.store.plan_items(&service.id).unwrap();
    assert!(items[0].done);
    assert_eq!(
        items[0].done_on,
        Some(NaiveDate::from_ymd_opt(2026, 3, 9).unwrap())
    );
    let _ = round;
}

// ---- what the screen says: help, footers, keys ----

const ALL_LANGS: [Lang; 3] = [Lang::Nb, Lang::Nn, Lang::En];
/// The smallest terminal kartlegg draws in, the usual one and a large one.
const ROOMS: [(u16, u16); 3] = [(60, 16), (80, 24), (120, 40)];

/// The words of `text`, each with how often it occurs.
fn word_counts(text: &str) -> std::collections::HashMap<String, usize> {
    let mut counts = std::collections::HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_string()).or_insert(0) += 1;
    }
    counts
}

/// The rows inside the help box, from every scroll position, so that text scrolled out of
/// view at first is seen too.
fn help_text(f: &mut Fixture, w: u16, h: u16) -> String {
    let mut seen = String::new();
    for _ in 0..40 {
        let screen = f.render(w, h);
        let mut inside = false;
        for row in screen.lines() {
            let row = row.trim_matches('"');
            if row.starts_with('╭') {
                inside = true;
            } else if row.starts_with('╰') {
                inside = false;
            } else if inside {
                seen.push_str(row.trim_matches('│'));
                seen.push('\n');
            }
        }
        f.act(&[Action::Down]);
    }
    f.act(&[Action::Home]);
    seen
}

#[test]
fn help_entries_wrap_whole_words_in_their_column() {
    use kartlegg::i18n::tr;
    use kartlegg::ui::keys::commands;
    // Goals (a long status cycle), the cluster (the sort keys), the walk (many keys).
    let screens: [(&str, &[Action]); 3] = [
        ("goals", &[Action::Down, Action::Open, Action::Goals]),
        ("cluster", &[Action::Overview]),
        (
            "walk",
            &[Action::Down, Action::Open, Action::Open, Action::Open],
        ),
    ];
    for lang in ALL_LANGS {
        let mut f = demo_fixture(lang);
        for (name, there) in screens {
            f.act(there);
            let mode = f.app.mode();
            f.act(&[Action::ToggleHelp]);
            for (w, h) in ROOMS {
                let shown = word_counts(&help_text(&mut f, w, h));
                for command in commands(mode) {
                    for (word, n) in word_counts(tr(lang, command.text)) {
                        assert!(
                            shown.get(&word).copied().unwrap_or(0) >= n,
                            "{name} {lang} {w}×{h}: «{word}» of «{}» is cut:\n{}",
                            tr(lang, command.text),
                            f.render(w, h)
                        );
                    }
                }
            }
            back_to_start(&mut f);
        }
    }
}

/// Like `snap`, also in the smallest terminal kartlegg draws in.
fn snap_rooms(name: &str, lang: Lang, fixture: &Fixture) {
    snap_at(&ROOMS, name, lang, fixture);
}

/// Back to the services list, on its first row, from wherever the fixture is.
fn back_to_start(f: &mut Fixture) {
    if f.app.help_open {
        f.act(&[Action::ToggleHelp]);
    }
    while f.app.stack.len() > 1 {
        f.act(&[Action::Back]);
    }
    f.act(&[Action::Home]);
}

#[test]
fn help_over_the_goal_matrix() {
    for lang in LANGS {
        let mut f = demo_fixture(lang);
        f.act(&[
            Action::Down,
            Action::Open,
            Action::Goals,
            Action::ToggleHelp,
        ]);
        snap_rooms("goals_help", lang, &f);
    }
}

fn press(code: KeyCode) -> Action {
    kartlegg::ui::keys::action_for(kartlegg::ui::action::Mode::Form, KeyEvent::from(code)).unwrap()
}

#[test]
fn f1_opens_a_form_help_that_says_what_the_fields_take_and_keeps_the_text() {
    use kartlegg::i18n::tr;
    for lang in ALL_LANGS {
        let mut f = fixture(lang, true);
        f.act(&[Action::Down, Action::Open, Action::New]);
        f.typed("Før samling 2?");
        f.act(&[press(KeyCode::F(1))]);
        assert_eq!(f.app.mode(), Mode::Help);
        let help = word_counts(&help_text(&mut f, 80, 24));
        for key in ["help.form_round", "help.form_keys"] {
            for (word, n) in word_counts(tr(lang, key)) {
                assert!(help.get(&word).copied().unwrap_or(0) >= n, "{lang}: {word}");
            }
        }
        f.act(&[press(KeyCode::F(1))]);
        assert_eq!(f.app.mode(), Mode::Form);
        assert!(f.render(80, 24).contains("Før samling 2?"));
    }
    let mut f = fixture(Lang::Nb, true);
    f.act(&[Action::New, Action::ToggleHelp]);
    snap_rooms("service_form_help", Lang::Nb, &f);
    let mut f = fixture(Lang::En, true);
    f.act(&[Action::New, Action::ToggleHelp]);
    snap_rooms("service_form_help", Lang::En, &f);
}

#[test]
fn quitting_with_the_help_over_the_comment_editor_saves_the_comment() {
    let mut f = fixture(Lang::Nb, true);
    f.act(&[Action::Down, Action::Open, Action::Open, Action::Open]);
    f.act(&[Action::Comment]);
    f.typed("Under hjelpen ");
    f.act(&[Action::ToggleHelp]);
    assert_eq!(f.app.mode(), Mode::Help);
    assert!(f.render(80, 24).contains("Ctrl-S"), "the comment's help");
    f.act(&[Action::Quit]);
    assert!(f.app.should_quit);
    assert!(comment_in_database(&f, 4).contains("Under hjelpen"));
}

/// The footer's last line holds whole entries of the mode's key list, from the top of the
/// list without a gap, each with its text or its short text, and then the help.
fn check_footer(screen: &str, mode: Mode, lang: Lang, context: &str) {
    use kartlegg::i18n::tr;
    use kartlegg::ui::keys::commands;
    let footer = screen.lines().last().unwrap().trim_matches('"');
    let entry = |label: &str, text: &str| format!(" {label}  {text} ");
    let list = commands(mode);
    let mut rest = footer;
    let mut shown = 0;
    for command in list.iter().filter(|c| c.footer && c.text != "key.help") {
        let whole = entry(command.label, tr(lang, command.text));
        let short = command.short.map(|s| entry(command.label, tr(lang, s)));
        if let Some(after) = rest.strip_prefix(&whole) {
            rest = after;
        } else if let Some(after) = short.as_deref().and_then(|s| rest.strip_prefix(s)) {
            rest = after;
        } else {
            break;
        }
        shown += 1;
    }
    if let Some(help) = list.iter().find(|c| c.text == "key.help") {
        let help = entry(help.label, tr(lang, help.text));
        rest = rest.strip_prefix(&help).unwrap_or_else(|| {
            panic!("{context}: the help is not where the entries end: {footer:?}")
        });
    }
    assert!(
        rest.trim().is_empty(),
        "{context}: after {shown} whole entries, {rest:?} is left: {footer:?}"
    );
}

#[test]
fn footers_show_whole_entries_most_important_first_and_always_the_help() {
    use Action::*;
    let screens: [(&str, &[Action]); 18] = [
        ("services", &[]),
        ("rounds", &[Down, Open]),
        ("respondents", &[Down, Open, Open]),
        ("walk", &[Down, Open, Open, Open]),
        ("comment", &[Down, Open, Open, Open, Comment]),
        ("summary", &[Down, Open, Summary]),
        ("service form", &[New]),
        ("goal form", &[Down, Open, Goals, New]),
        ("compare", &[Down, Open, Compare]),
        ("trend", &[Down, Open, Trend]),
        ("cluster", &[Overview]),
        ("roles", &[Down, Open, Open, Roles]),
        ("plan", &[Down, Open, Summary, Down, Plan]),
        ("goals", &[Down, Open, Goals]),
        ("review", &[Down, Open, Open, Review]),
        ("cluster year", &[Year]),
        ("stage form", &[Down, Open, Stage]),
        ("help", &[ToggleHelp]),
    ];
    for lang in ALL_LANGS {
        let mut f = demo_fixture(lang);
        for (name, there) in screens {
            f.act(there);
            let mode = f.app.mode();
            for (w, h) in ROOMS {
                check_footer(
                    &f.render(w, h),
                    mode,
                    lang,
                    &format!("{name} {lang} {w}×{h}"),
                );
            }
            back_to_start(&mut f);
        }
    }
}

#[test]
fn roles_and_review_open_from_the_rounds_list_for_the_selected_round() {
    let mut f = demo_fixture(Lang::Nb);
    // Fjellbygd's rounds; the list starts on the last round, "Etter programmet".
    f.act(&[Action::Down, Action::Open, Action::Up]);
    f.act(&[Action::Roles]);
    assert_eq!(f.app.mode(), Mode::Roles);
    assert!(
        f.render(80, 24)
            .contains("Roller side om side – Før samling 1")
    );
    f.act(&[Action::Back, Action::Down, Action::Review]);
    assert_eq!(f.app.mode(), Mode::Review);
    assert!(
        f.render(80, 24)
            .contains("Felles gjennomgang – Etter programmet")
    );
}

/// Staff answering by code in the fixture's round: `first..last` of its invites, each
/// answering every readiness item with 1.
fn answer_by_code(f: &Fixture, first: usize, last: usize) {
    use kartlegg::store::Invites;
    let mut store = Store::open(&f.db()).unwrap();
    let service = &store.services().unwrap()[1].service.clone();
    let round = store.rounds(&service.id).unwrap().remove(0).round;
    let hashes: Vec<String> = (first..last).map(|i| format!("{i:064}")).collect();
    store
        .add_invites(&round.id, Role::Staff, &hashes, fixed_now())
        .unwrap();
    for hash in &hashes {
        let staff = store
            .claim_invite(
                &[(kartlegg::domain::invite::Scheme::Argon2id, hash.clone())],
                fixed_now(),
            )
            .unwrap()
            .unwrap();
        for item in Instrument::standard().items() {
            if item.section.key == "readiness" {
                store
                    .save_response(
                        &staff.id,
                        &item.item.key,
                        Some(Response::Score(1)),
                        fixed_now(),
                    )
                    .unwrap();
            }
        }
    }
}

/// The leader's view of a round where staff answer by code: while codes are open the summary
/// does not count them and the list says why and how to close; closed with one by code, it
/// says they are too few; closed with three, they count.
#[test]
fn respondents_by_code_are_not_counted_until_answering_is_closed_and_three_have_answered() {
    use kartlegg::store::Invites;
    for lang in LANGS {
        let mut f = fixture(lang, true);
        answer_by_code(&f, 0, 1);
        f.act(&[Action::Down, Action::Open, Action::Open]);
        snap_at(&[(60, 16), (80, 24)], "respondents_by_code_open", lang, &f);
        f.act(&[Action::Down, Action::Down, Action::Open]);
        let why = match lang {
            Lang::En => {
                "1 answered by code. They count in no figure until answering by code is closed (kartlegg invite --close --service \"Fjellbygd barneverntjeneste\" --round \"Før samling 1\")"
            }
            _ => {
                "1 svarte med kode. De telles i ingen sum før svar med kode er lukket (kartlegg invite --close --service \"Fjellbygd barneverntjeneste\" --round \"Før samling 1\")"
            }
        };
        // The status line wraps: compare the words.
        let words = |text: &str| {
            let text = text.replace(['│', '"'], " ");
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        assert!(
            words(&f.render(120, 40)).contains(&words(why)),
            "{}",
            f.render(120, 40)
        );
        let summary_n = |f: &mut Fixture, n: &str| {
            f.act(&[Action::Summary]);
            let n = match lang {
                Lang::En => format!("{n} respondents"),
                _ => format!("{n} respondenter"),
            };
            assert!(f.render(120, 40).contains(&n), "{}", f.render(120, 40));
            f.act(&[Action::Back]);
        };
        summary_n(&mut f, "2");
        // Two more by code, codes still open: none counts.
        answer_by_code(&f, 1, 3);
        f.act(&[Action::Back, Action::Open]);
        summary_n(&mut f, "2");
        let round = f.app.store.services().unwrap()[1].service.id.clone();
        let round = f.app.store.rounds(&round).unwrap()[0].round.id.clone();
        f.app.store.close_invites(&round, fixed_now()).unwrap();
        f.act(&[Action::Back, Action::Open]);
        summary_n(&mut f, "5");
        assert!(
            !f.render(80, 24).contains(&why[..12]),
            "{}",
            f.render(80, 24)
        );
    }
}

/// Closed with one by code: the row says they are too few, and `Enter` why.
#[test]
fn one_by_code_in_a_closed_round_is_too_few_to_count() {
    use kartlegg::store::Invites;
    for lang in LANGS {
        let mut f = fixture(lang, true);
        answer_by_code(&f, 0, 1);
        let round = f.app.store.services().unwrap()[1].service.id.clone();
        let round = f.app.store.rounds(&round).unwrap()[0].round.id.clone();
        f.app.store.close_invites(&round, fixed_now()).unwrap();
        f.act(&[Action::Down, Action::Open, Action::Open]);
        snap_at(
            &[(60, 16), (80, 24)],
            "respondents_by_code_waiting",
            lang,
            &f,
        );
        f.act(&[Action::Down, Action::Down, Action::Open]);
        let why = match lang {
            Lang::En => "1 answered by code, fewer than 3: they count in no figure",
            _ => "1 svarte med kode, færre enn 3: de telles i ingen sum",
        };
        assert!(f.render(120, 40).contains(why), "{}", f.render(120, 40));
        f.act(&[Action::Summary]);
        let two = match lang {
            Lang::En => "2 respondents",
            _ => "2 respondenter",
        };
        assert!(f.render(120, 40).contains(two), "{}", f.render(120, 40));
    }
}

/// The key person of the fixture's round, and the store that holds them.
fn key_person(f: &Fixture) -> String {
    let store = &f.app.store;
    let service = &store.services().unwrap()[1].service;
    let round = &store.rounds(&service.id).unwrap()[0].round;
    store.respondents(&round.id).unwrap()[0]
        .respondent
        .id
        .clone()
}

#[test]
fn the_comment_editor_opens_at_the_start_and_wraps_long_lines() {
    let mut f = fixture(Lang::Nb, true);
    let who = key_person(&f);
    let items = Instrument::standard().items();
    // Item 6: one line too long for any popup; item 7: more lines than the popup shows.
    let long: Vec<String> = (1..=40).map(|i| format!("ord{i:02}")).collect();
    let many: Vec<String> = (1..=30).map(|i| format!("Linje {i:02}")).collect();
    f.app
        .store
        .save_comment(&who, &items[5].item.key, &long.join(" "), fixed_now())
        .unwrap();
    f.app
        .store
        .save_comment(&who, &items[6].item.key, &many.join("\n"), fixed_now())
        .unwrap();
    f.act(&[Action::Down, Action::Open, Action::Open, Action::Open]);
    f.act(&[Action::Down, Action::Comment]);
    for (w, h) in ROOMS {
        let screen = f.render(w, h);
        assert!(
            screen.contains("ord01") && screen.contains("ord40"),
            "{w}×{h}: the whole line, wrapped:\n{screen}"
        );
    }
    snap_rooms("walk_comment_wrapped", Lang::Nb, &f);
    f.act(&[Action::Back, Action::Down, Action::Comment]);
    let screen = f.render(80, 24);
    assert!(
        screen.contains("Linje 01"),
        "the start of the text:\n{screen}"
    );
    // Ctrl-End goes to the end of the text, where typing adds to it.
    let ctrl_end = KeyEvent::new(KeyCode::End, crossterm::event::KeyModifiers::CONTROL);
    f.act(&[Action::Type(ctrl_end)]);
    f.typed(" slutt");
    assert!(f.render(80, 24).contains("Linje 30 slutt"));
}

#[test]
fn closing_the_comment_editor_unchanged_writes_nothing() {
    let mut f = fixture(Lang::Nb, true);
    let who = key_person(&f);
    let items = Instrument::standard().items();
    // Item 5 has a comment, item 6 has no answer at all.
    f.act(&[Action::Down, Action::Open, Action::Open, Action::Open]);
    for (item, down) in [(4, false), (5, true)] {
        if down {
            f.act(&[Action::Down]);
        }
        let key = &items[item].item.key;
        let before = f.app.store.history(&who, key).unwrap().len();
        f.act(&[Action::Comment, Action::Back]);
        assert_eq!(f.app.mode(), Mode::Walk);
        assert_eq!(
            f.app.store.history(&who, key).unwrap().len(),
            before,
            "item {item}"
        );
        assert_eq!(
            f.app.status, None,
            "item {item}: nothing was saved, nothing says so"
        );
        // Nor on the way out.
        f.act(&[Action::Comment, Action::Quit]);
        assert!(f.app.should_quit);
        f.app.should_quit = false;
        assert_eq!(
            f.app.store.history(&who, key).unwrap().len(),
            before,
            "item {item}"
        );
        assert_eq!(f.app.mode(), Mode::Walk, "the editor closed on the way out");
    }
    assert!(
        !f.app
            .store
            .answers(&who)
            .unwrap()
            .contains_key(&items[5].item.key)
    );
}

#[test]
fn a_goals_area_is_chosen_from_a_list_that_filters_as_you_type() {
    for lang in LANGS {
        let mut f = demo_fixture(lang);
        f.act(&[Action::Down, Action::Open, Action::Goals, Action::New]);
        f.typed("Alle ansatte vil lære programmet");
        f.act(&[Action::NextField]);
        snap_rooms("goal_form_list", lang, &f);
        // Letters filter the list; Enter saves what it then shows chosen.
        f.typed("motiv");
        snap_rooms("goal_form_filtered", lang, &f);
        f.act(&[Action::Submit]);
        assert_eq!(f.app.mode(), Mode::Goals, "{}", f.render(80, 24));
        let service = f.app.store.services().unwrap()[1].service.clone();
        let goals = f.app.store.goals(&service.id).unwrap();
        let goal = goals
            .iter()
            .find(|g| g.text == "Alle ansatte vil lære programmet")
            .unwrap();
        assert_eq!(
            goal.subdomain_keys,
            ["readiness.staff_motivation"],
            "{lang}"
        );
        snap_rooms("goals_with_area", lang, &f);
    }
}

#[test]
fn an_empty_filter_match_keeps_the_choice_and_esc_empties_the_filter_first() {
    let mut f = demo_fixture(Lang::Nb);
    f.act(&[Action::Down, Action::Open, Action::Stage]);
    f.typed("tilp");
    assert!(f.render(80, 24).contains("Filter: «tilp» – 1 av 7"));
    f.typed("qqq");
    let screen = f.render(60, 16);
    assert!(screen.contains("Ingen treff for «tilpqqq»"), "{screen}");
    f.act(&[Action::Back]);
    assert_eq!(f.app.mode(), Mode::Form, "Esc emptied the filter");
    assert!(!f.render(80, 24).contains("tilp"));
    f.act(&[Action::Submit]);
    let service = f.app.store.services().unwrap()[1].service.clone();
    let round = &f.app.store.rounds(&service.id).unwrap()[1].round;
    assert_eq!(
        f.app.store.round_stage(&round.id).unwrap(),
        Some(Stage::Adapt),
        "the stage found by the filter"
    );
}

#[test]
fn the_trail_at_the_top_keeps_where_you_are_whole() {
    for lang in ALL_LANGS {
        let mut f = demo_fixture(lang);
        f.act(&[Action::Down, Action::Open, Action::Goals, Action::New]);
        let here = kartlegg::i18n::tr(lang, "goals.new");
        for (w, h) in ROOMS {
            let screen = f.render(w, h);
            let top = screen.lines().next().unwrap().trim_matches('"').trim_end();
            assert!(top.ends_with(here), "{lang} {w}×{h}: {top:?}");
        }
    }
}

#[test]
fn the_trend_chart_reads_without_colour_each_section_its_own_mark_and_a_legend() {
    for lang in ALL_LANGS {
        let mut f = demo_fixture(lang);
        f.act(&[Action::Down, Action::Open, Action::Trend]);
        let sections = &Instrument::standard().sections;
        for (w, h) in [(80, 24), (120, 40)] {
            let screen = f.render(w, h);
            let rows: Vec<&str> = screen.lines().map(|r| r.trim_matches('"')).collect();
            let first =
                kartlegg::present::date(lang, NaiveDate::from_ymd_opt(2026, 2, 10).unwrap());
            let dates = rows.iter().position(|r| r.contains(&first)).unwrap();
            let header = kartlegg::i18n::tr(lang, "summary.area");
            let table = rows
                .iter()
                .position(|r| r.starts_with(&format!("│{header}")))
                .unwrap();
            // The legend: "• 1 Endringsberedskap  ■ 2 Passform  …" between the dates and the
            // table.
            let mut marks = Vec::new();
            for row in &rows[dates + 1..table] {
                for entry in row
                    .trim_matches('│')
                    .split("  ")
                    .filter(|e| !e.trim().is_empty())
                {
                    let mut parts = entry.trim().splitn(3, ' ');
                    let mark = parts.next().unwrap().chars().next().unwrap();
                    let number: usize = parts.next().unwrap().parse().unwrap();
                    let name = parts.next().unwrap();
                    let section = &sections[number - 1];
                    assert!(
                        name == section.name.get(lang) || name == section.short.get(lang),
                        "{lang} {w}×{h}: {entry:?}"
                    );
                    assert_eq!(number, marks.len() + 1, "{lang} {w}×{h}: {entry:?}");
                    marks.push(mark);
                }
            }
            assert_eq!(marks.len(), sections.len(), "{lang} {w}×{h}:\n{screen}");
            let mut distinct = marks.clone();
            distinct.sort();
            distinct.dedup();
            assert_eq!(distinct.len(), marks.len(), "{lang} {w}×{h}: {marks:?}");
            // The lines are drawn with those marks and nothing else.
            for row in &rows[2..dates - 1] {
                let plot = row.split('│').nth(2).unwrap_or("");
                for c in plot.chars().filter(|c| *c != ' ') {
                    assert!(marks.contains(&c), "{lang} {w}×{h}: {c:?} in {row:?}");
                }
            }
        }
    }
}

#[test]
fn the_rounds_list_counts_one_open_measure_and_names_its_respondents() {
    for (lang, title, column) in [
        (Lang::Nb, "Tiltak: 1 åpent, 0 over fristen", "Respondenter"),
        (Lang::Nn, "Tiltak: 1 ope, 0 over fristen", "Respondentar"),
        (Lang::En, "Measures: 1 open, 0 overdue", "Respondents"),
    ] {
        let mut f = fixture(lang, true);
        let service = f.app.store.services().unwrap()[1].service.clone();
        let measure = PlanItem {
            id: String::new(),
            service_id: service.id.clone(),
            subdomain_key: "fit.answers_problem".into(),
            kind: PlanKind::Measure,
            text: "Be om programplanen".into(),
            level: None,
            owner: String::new(),
            due_on: NaiveDate::from_ymd_opt(2026, 4, 1),
            done: false,
            done_on: None,
        };
        f.app.store.add_plan_item(&measure, fixed_now()).unwrap();
        f.act(&[Action::Down, Action::Open]);
        for (w, h) in SIZES {
            let screen = f.render(w, h);
            assert!(screen.contains(title), "{lang} {w}×{h}:\n{screen}");
            assert!(screen.contains(column), "{lang} {w}×{h}:\n{screen}");
        }
    }
}

/// A comment kept in a recovery file when kartlegg was stopped: the first screen asks about
/// it, over the service list, with where it belongs and the comment it would replace; Enter
/// saves it, and the file goes.
#[test]
fn the_first_screen_asks_about_a_comment_kept_when_kartlegg_was_stopped() {
    let text = "Skrevet da kartlegg ble stoppet.\nAndre linje.";
    for lang in LANGS {
        let f = fixture(lang, true);
        let who = key_person(&f);
        let item = &Instrument::standard().items()[4].item.key;
        let file = f
            .app
            .store
            .keep_unsaved(&who, item, text, fixed_now())
            .unwrap();
        let Fixture { dir, app } = f;
        drop(app);
        let store = Store::open(&dir.path().join("k.db")).unwrap();
        let mut app = App::new(store, Instrument::standard(), lang, Box::new(fixed_now));
        app.theme = Theme { color: false };
        app.utc_offset = FixedOffset::east_opt(3600).unwrap();
        let mut f = Fixture { dir, app };
        assert_eq!(f.app.mode(), Mode::Recover);
        snap("recover", lang, &f);

        f.act(&[Action::Confirm]);
        assert_eq!(f.app.mode(), Mode::Services);
        assert_eq!(comment_in_database(&f, 4), text);
        assert!(!file.exists());
    }
}

/// A comment kept past the editor's limit (stopped with it open) is not saved from the
/// recovery question either: the limit is said, the file kept, and Del can still discard it.
#[test]
fn a_kept_comment_past_the_limit_is_not_saved_from_the_recovery_question() {
    let f = fixture(Lang::En, true);
    let who = key_person(&f);
    let item = &Instrument::standard().items()[4].item.key;
    let long = "x".repeat(256 * 1024 + 1);
    let file = f
        .app
        .store
        .keep_unsaved(&who, item, &long, fixed_now())
        .unwrap();
    let Fixture { dir, app } = f;
    drop(app);
    let store = Store::open(&dir.path().join("k.db")).unwrap();
    let app = App::new(store, Instrument::standard(), Lang::En, Box::new(fixed_now));
    let mut f = Fixture { dir, app };
    f.act(&[Action::Confirm]);
    assert_eq!(f.app.mode(), Mode::Recover, "still asked");
    assert!(f.render(80, 24).contains("Too long: 256 KiB at most."));
    assert!(answer_in_database(&f, 4).is_none_or(|a| a.comment != long));
    assert!(file.exists());
    f.act(&[Action::Clear]);
    assert_eq!(f.app.mode(), Mode::Services);
    assert!(!file.exists());
}

/// `kartlegg answer` without a code: its first screen asks for one, and nothing else is
/// there to see (nn too: a respondent reads it in their own language).
#[test]
fn answering_alone_opens_on_the_screen_that_asks_for_the_code() {
    for lang in [Lang::Nb, Lang::Nn, Lang::En] {
        let Fixture { dir, app } = fixture(lang, true);
        drop(app);
        let store = Store::open(&dir.path().join("k.db")).unwrap();
        let mut app = App::answering(
            store,
            Instrument::standard(),
            lang,
            Box::new(fixed_now),
            None,
        );
        app.theme = Theme { color: false };
        let mut f = Fixture { dir, app };
        assert_eq!(f.app.mode(), Mode::Code);
        f.typed("k7qm-4r");
        snap_at(&[(60, 16), (80, 24)], "answer_code", lang, &f);
    }
}

/// Wrong codes wait longer each time, and the fifth ends the program with a word for the
/// person; the clock moves on a minute at each look, so that no wait holds a try back.
#[test]
fn five_wrong_codes_end_the_program() {
    let Fixture { dir, app } = fixture(Lang::En, true);
    drop(app);
    let store = Store::open(&dir.path().join("k.db")).unwrap();
    let minutes = std::cell::Cell::new(0);
    let clock = move || {
        minutes.set(minutes.get() + 1);
        fixed_now() + chrono::TimeDelta::minutes(minutes.get())
    };
    let app = App::answering(
        store,
        Instrument::standard(),
        Lang::En,
        Box::new(clock),
        None,
    );
    let mut f = Fixture { dir, app };
    for try_ in 1..=4 {
        f.typed("ZZZZ-ZZZZ");
        f.act(&[Action::Submit]);
        assert!(!f.app.should_quit, "after {try_}");
        assert!(f.render(80, 24).contains("This code cannot be used"));
    }
    f.typed("ZZZZ-ZZZZ");
    f.act(&[Action::Submit]);
    assert!(f.app.should_quit);
    assert!(
        f.app
            .farewell
            .as_deref()
            .is_some_and(|t| t.contains("Too many"))
    );
}

/// Respondents who answer by code are one row in the leader's list, with their n and
/// nothing of anyone's progress; it does not open. Their answers count in the round's
/// summary like everyone's.
#[test]
fn leaders_see_respondents_by_code_only_as_one_row_that_does_not_open() {
    use kartlegg::domain::invite;
    use kartlegg::store::Invites;
    for lang in LANGS {
        let mut f = fixture(lang, true);
        let round = {
            let store = &f.app.store;
            let service = &store.services().unwrap()[1].service;
            store.rounds(&service.id).unwrap()[0].round.id.clone()
        };
        // Three, so that they are counted (fewer by code count in no figure: promise 7).
        let codes = ["K7QM4RTX", "ABCD2345", "XY23ZW45"];
        let store = &mut f.app.store;
        let key = store.invite_key().unwrap();
        let hashes: Vec<String> = codes.iter().map(|c| invite::hash(c, &key)).collect();
        store
            .add_invites(&round, Role::Staff, &hashes, fixed_now())
            .unwrap();
        let mut labels = Vec::new();
        for code in codes {
            let who = store
                .claim_invite(&invite::hashes(code, &key), fixed_now())
                .unwrap()
                .unwrap();
            labels.push(who.code.clone());
            let item = &Instrument::standard().items()[0].item.key;
            store
                .save_response(&who.id, item, Some(Response::Score(5)), fixed_now())
                .unwrap();
        }
        store.close_invites(&round, fixed_now()).unwrap();
        f.act(&[Action::Down, Action::Open, Action::Open]);
        assert_eq!(f.app.mode(), Mode::Respondents);
        snap_at(&[(60, 16), (80, 24)], "respondents_by_code", lang, &f);
        let shown = f.render(80, 24);
        for label in &labels {
            assert!(!shown.contains(label.as_str()), "{shown}");
        }
        f.act(&[Action::End, Action::Open]);
        assert_eq!(f.app.mode(), Mode::Respondents, "it does not open");
        assert!(f.render(80, 24).contains(if lang == Lang::En {
            "shown only together"
        } else {
            "vises bare samlet"
        }));
        // Del on the row says why nothing is asked, rather than doing nothing.
        f.act(&[Action::Erase]);
        assert_eq!(f.app.mode(), Mode::Respondents, "no question about erasing");
        let said = f.app.status.as_ref().map(|s| s.text.clone());
        assert_eq!(
            said.as_deref(),
            Some(kartlegg::i18n::tr(lang, "respondents.by_code_not_erased"))
        );
        f.act(&[Action::Summary]);
        assert_eq!(f.app.mode(), Mode::Summary);
        // Problem awareness: the key person's 4 answers and one of each by code, of 4 items
        // for each of the five.
        let summary = f.render(120, 40);
        assert!(summary.contains("7/20"), "{summary}");
    }
}

/// A respondent by code whose answers came in a file from another machine is, on this
/// one too, only in the one row that does not open.
#[test]
fn respondents_by_code_imported_from_another_machine_are_one_row_that_does_not_open() {
    use kartlegg::domain::invite;
    use kartlegg::exchange::{Disclosure, ImportClock, Scope};
    use kartlegg::store::{Exchange, Invites};
    let mut there = fixture(Lang::Nb, true);
    let round = {
        let store = &there.app.store;
        let service = &store.services().unwrap()[1].service;
        store.rounds(&service.id).unwrap()[0].round.id.clone()
    };
    let code = "K7QM4RTX";
    let store = &mut there.app.store;
    let key = store.invite_key().unwrap();
    store
        .add_invites(
            &round,
            Role::Staff,
            &[invite::hash(code, &key)],
            fixed_now(),
        )
        .unwrap();
    let alone = store
        .claim_invite(&invite::hashes(code, &key), fixed_now())
        .unwrap()
        .unwrap();
    let item = &Instrument::standard().items()[0].item.key;
    store
        .save_response(&alone.id, item, Some(Response::Score(5)), fixed_now())
        .unwrap();
    let mut file = Vec::new();
    store
        .export_json(
            Scope::All,
            Instrument::standard(),
            fixed_now(),
            Disclosure::identified(),
            &mut file,
            std::path::Path::new("fil.json"),
        )
        .unwrap();

    for lang in LANGS {
        let dir = tempfile::tempdir().unwrap();
        let mut here = Store::open(&dir.path().join("k.db")).unwrap();
        here.import_json(
            file.as_slice(),
            Instrument::standard(),
            ImportClock::at(fixed_now()),
        )
        .unwrap();
        let mut app = App::new(here, Instrument::standard(), lang, Box::new(fixed_now));
        app.theme = Theme { color: false };
        let mut f = Fixture { dir, app };
        f.act(&[Action::Down, Action::Open, Action::Open]);
        assert_eq!(f.app.mode(), Mode::Respondents);
        let shown = f.render(80, 24);
        assert!(!shown.contains(&alone.code), "{shown}");
        let row = if lang == Lang::En {
            "Answered by code"
        } else {
            "Besvart med kode"
        };
        assert!(
            shown.lines().any(|l| l.contains(row) && l.contains("n=1")),
            "{shown}"
        );
        f.act(&[Action::End, Action::Open]);
        assert_eq!(f.app.mode(), Mode::Respondents, "it does not open");
    }
}

/// A comment kept when a respondent by code was stopped is theirs: the leader's program
/// does not ask about it (it would show the comment), and the respondent's next walk does.
#[test]
fn a_kept_comment_of_a_respondent_by_code_is_asked_about_only_in_their_own_walk() {
    use kartlegg::domain::invite;
    use kartlegg::store::Invites;
    use kartlegg::usecase::invites::redeem;
    let Fixture { dir, app } = fixture(Lang::En, true);
    drop(app);
    let db = dir.path().join("k.db");
    let mut store = Store::open(&db).unwrap();
    let service = &store.services().unwrap()[1].service;
    let round = store.rounds(&service.id).unwrap()[0].round.id.clone();
    let key = store.invite_key().unwrap();
    store
        .add_invites(
            &round,
            Role::Staff,
            &[invite::hash("K7QM4RTX", &key)],
            fixed_now(),
        )
        .unwrap();
    let who = redeem(&mut store, "K7QM-4RTX", fixed_now())
        .unwrap()
        .unwrap();
    let item = &Instrument::standard().items()[0].item.key;
    let text = "Bare mitt.";
    store
        .keep_unsaved(&who.respondent.id, item, text, fixed_now())
        .unwrap();

    let leader = App::new(store, Instrument::standard(), Lang::En, Box::new(fixed_now));
    assert_eq!(
        leader.mode(),
        Mode::Services,
        "not asked about at the machine"
    );
    let leader = Fixture { dir, app: leader };
    assert!(!leader.render(120, 40).contains(text));
    let Fixture { dir, app } = leader;
    drop(app);

    let mut store = Store::open(&db).unwrap();
    let claimed = redeem(&mut store, "k7qm4rtx", fixed_now()).unwrap();
    assert!(claimed.is_some());
    let app = App::answering(
        store,
        Instrument::standard(),
        Lang::En,
        Box::new(fixed_now),
        claimed,
    );
    let mut f = Fixture { dir, app };
    assert_eq!(f.app.mode(), Mode::Recover);
    assert!(f.render(80, 24).contains(text));
    f.act(&[Action::Confirm]);
    assert_eq!(f.app.mode(), Mode::OwnWalk);
    assert!(f.render(120, 40).contains(text), "{}", f.render(120, 40));
}

/// The fixture's cluster Innlandet with a third service, its record, two gatherings (one
/// past, one after the fixed today, 9 March 2026) and some attendance at the first;
/// Fjellbygd's round is tied to the first gathering and at stage 2.
fn cluster_fixture(lang: Lang) -> Fixture {
    use kartlegg::domain::cluster::{Attendance, GatheringKind};
    use kartlegg::domain::needs::YesPartlyNo;
    use kartlegg::store::Clusters;
    let mut f = fixture(lang, true);
    let now = fixed_now();
    let store = &mut f.app.store;
    store
        .create_service("Dalbygd barnevern", &[], "Innlandet", now)
        .unwrap();
    let mut cluster = store.cluster_named("Innlandet").unwrap().unwrap();
    cluster.county = "Innlandet".into();
    cluster.centre = "RBUP Øst og Sør".into();
    cluster.process_leaders = "KL, MB".into();
    cluster.period_from = NaiveDate::from_ymd_opt(2026, 1, 1);
    cluster.period_to = NaiveDate::from_ymd_opt(2026, 12, 31);
    store.update_cluster(&cluster, now).unwrap();
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let first = store
        .add_gathering(
            &cluster.id,
            day(2, 12),
            GatheringKind::Leaders,
            "Oppstart: felles bilde av behovene",
            now,
        )
        .unwrap();
    store
        .add_gathering(
            &cluster.id,
            day(4, 16),
            GatheringKind::Joint,
            "Traumebevisst praksis",
            now,
        )
        .unwrap();
    let services = store.service_list().unwrap();
    let id_of = |name: &str| {
        services
            .iter()
            .find(|s| s.name.starts_with(name))
            .unwrap()
            .id
            .clone()
    };
    for (service, leaders, key_persons, staff, between) in [
        ("Fjellbygd", 1, 2, 0, Some(YesPartlyNo::Yes)),
        ("Elvedalen", 2, 1, 3, Some(YesPartlyNo::Partly)),
    ] {
        store
            .put_attendance(
                &Attendance {
                    gathering_id: first.id.clone(),
                    service_id: id_of(service),
                    leaders,
                    key_persons,
                    staff,
                    pre_work: Some(YesPartlyNo::Yes),
                    between_work: between,
                    note: if service == "Fjellbygd" {
                        "Leder kom sent".into()
                    } else {
                        String::new()
                    },
                },
                now,
            )
            .unwrap();
    }
    let round = store.rounds(&id_of("Fjellbygd")).unwrap().remove(0).round;
    store.tie_round(&round.id, Some(&first.id), now).unwrap();
    store
        .set_round_stage(&round.id, Some(Stage::ALL[1]), now)
        .unwrap();
    f
}

#[test]
fn the_clusters_year_and_its_gathering_screens() {
    for lang in LANGS {
        let mut f = cluster_fixture(lang);
        // The services list starts on Dalbygd, of Innlandet.
        f.act(&[Action::Year]);
        assert_eq!(f.app.mode(), Mode::ClusterYear);
        snap("cluster_year", lang, &f);
        f.act(&[Action::Open]);
        assert_eq!(f.app.mode(), Mode::Gathering);
        snap("gathering", lang, &f);
        // Elvedalen's attendance, as recorded.
        f.act(&[Action::Down, Action::Open]);
        snap_at(&[(80, 24)], "attendance_form", lang, &f);
        // The gathering of 16 April, ahead and with nothing recorded: planned.
        f.act(&[Action::Back, Action::Back, Action::Down, Action::Open]);
        snap_at(&[(60, 16), (80, 24)], "gathering_planned", lang, &f);
    }
}

#[test]
fn the_year_screen_reads_its_figures_by_hand() {
    let mut f = cluster_fixture(Lang::Nb);
    f.act(&[Action::Year]);
    let screen = f.render(120, 40);
    // Gathering 1: leaders 1 + 2, key persons 2 + 1, staff 0 + 3; the between-work done
    // (yes) by Fjellbygd alone of the three, Elvedalen's "partly" not counted.
    let first = words_of(&screen, "12.02.2026");
    assert_eq!(
        first,
        [
            "▶",
            "12.02.2026",
            "Ledersamling",
            "3",
            "3",
            "3",
            "1",
            "av",
            "3",
            "Oppstart:"
        ]
    );
    // The next gathering after 9 March is the one of 16 April, marked; nothing is recorded
    // for it yet: its people and between-work are not known, not zeros.
    let second = words_of(&screen, "» 16.04.2026");
    assert_eq!(
        second,
        [
            "»",
            "16.04.2026",
            "Fellessamling",
            "–",
            "–",
            "–",
            "–",
            "Traumebevisst",
            "praksis"
        ]
    );
    // Narrow, the people in all likewise.
    assert_eq!(
        &words_of(&f.render(60, 16), "» 16.04.2026")[..4],
        ["»", "16.04.2026", "–", "–"]
    );
    assert!(screen.contains("» Neste samling: 16.04.2026, Fellessamling"));
    assert!(
        screen
            .contains("Innlandet · RBUP Øst og Sør · prosessledere KL, MB · 01.01.2026–31.12.2026")
    );
    assert_eq!(
        words_of(&screen, "Fjellbygd barneverntjeneste"),
        [
            "Fjellbygd",
            "barneverntjeneste",
            "Før",
            "samling",
            "1",
            "10.02.2026",
            "2",
            "Finne",
            "tiltak"
        ]
    );
    assert_eq!(
        words_of(&screen, "Dalbygd barnevern"),
        ["Dalbygd", "barnevern", "–", "–"]
    );
}

#[test]
fn a_gathering_ahead_is_planned_until_something_is_recorded_for_it() {
    let mut f = cluster_fixture(Lang::Nb);
    // The gathering of 16 April, after the fixed today.
    f.act(&[Action::Year, Action::Down, Action::Open]);
    assert_eq!(f.app.mode(), Mode::Gathering);
    let screen = f.render(120, 40);
    assert!(
        screen.contains("Planlagt: ingen deltakelse er registrert ennå."),
        "{screen}"
    );
    assert!(!screen.contains("Deltok:"), "{screen}");
    assert_eq!(
        words_of(&screen, "Dalbygd"),
        ["▶", "Dalbygd", "barnevern", "–", "–", "–", "–", "–"]
    );
    // One service's attendance recorded: its counts are known; the others, with nothing
    // recorded, stay "–" (not a count of nobody).
    f.act(&[Action::Open]);
    f.typed("1");
    f.act(&[Action::Submit]);
    assert_eq!(f.app.mode(), Mode::Gathering);
    let screen = f.render(120, 40);
    assert!(
        screen.contains("Deltok: 1 leder, 0 nøkkelpersoner, 0 ansatte · mellomarbeid 0 av 3"),
        "{screen}"
    );
    assert_eq!(
        words_of(&screen, "Elvedalen"),
        ["Elvedalen", "interkommunal…", "–", "–", "–", "–", "–"]
    );
    assert_eq!(
        words_of(&screen, "Dalbygd"),
        ["▶", "Dalbygd", "barnevern", "1", "0", "0", "–", "–"]
    );
    f.act(&[Action::Back]);
    assert_eq!(
        &words_of(&f.render(120, 40), "» 16.04.2026")[..9],
        [
            "▶",
            "»",
            "16.04.2026",
            "Fellessamling",
            "1",
            "0",
            "0",
            "0",
            "av"
        ]
    );
}

/// The words of the first line of `screen` that holds `text`, without the frame's lines
/// and the row of the rest; only up to the first ten.
fn words_of(screen: &str, text: &str) -> Vec<String> {
    let line = screen
        .lines()
        .find(|l| l.contains(text))
        .unwrap_or_else(|| panic!("no {text:?} in {screen}"));
    line.trim_matches('"')
        .trim_matches('│')
        .split_whitespace()
        .take(10)
        .map(str::to_string)
        .collect()
}

#[test]
fn the_year_opens_from_the_cluster_overview_too_and_not_for_a_service_in_no_cluster() {
    let mut f = cluster_fixture(Lang::En);
    f.act(&[Action::Overview, Action::Year]);
    assert_eq!(f.app.mode(), Mode::ClusterYear);
    assert!(f.render(80, 24).contains("The cluster's year: Innlandet"));
    back_to_start(&mut f);
    f.app
        .store
        .create_service("Aleneby", &[], "", fixed_now())
        .unwrap();
    // Read again: the list starts on Aleneby.
    let mut f = reopened(f, Lang::En);
    f.act(&[Action::Year]);
    assert_eq!(f.app.mode(), Mode::Services);
    assert!(f.render(80, 24).contains("The service is in no cluster"));
}

#[test]
fn attendance_is_saved_at_once_and_a_count_past_the_most_is_refused_naming_its_field() {
    use kartlegg::store::Clusters;
    let mut f = cluster_fixture(Lang::Nb);
    // Dalbygd at the first gathering: nothing recorded yet.
    f.act(&[Action::Year, Action::Open, Action::Open]);
    assert_eq!(f.app.mode(), Mode::Form);
    f.typed("2");
    f.act(&[Action::NextField]);
    f.typed("1001");
    f.act(&[Action::Submit]);
    assert_eq!(f.app.mode(), Mode::Form, "refused, the form stays");
    let screen = f.render(80, 24);
    assert!(
        screen.contains("Nøkkelpersoner som deltok: høyst 1000 personer"),
        "{screen}"
    );
    let gathering = f
        .app
        .store
        .gatherings(&f.app.store.cluster_named("Innlandet").unwrap().unwrap().id)
        .unwrap()
        .remove(0);
    let dalbygd = |f: &Fixture| {
        let services = f.app.store.service_list().unwrap();
        let id = services
            .iter()
            .find(|s| s.name == "Dalbygd barnevern")
            .unwrap()
            .id
            .clone();
        f.app
            .store
            .attendances(&gathering.id)
            .unwrap()
            .into_iter()
            .find(|a| a.service_id == id)
    };
    assert_eq!(dalbygd(&f), None, "nothing saved");
    // 1 key person, 4 staff; the between-work → twice from "–": yes, then partly.
    for _ in 0..4 {
        f.act(&[Action::Type(KeyEvent::from(KeyCode::Backspace))]);
    }
    f.typed("1");
    f.act(&[Action::NextField]);
    f.typed("4");
    f.act(&[
        Action::NextField,
        Action::NextField,
        Action::Right,
        Action::Right,
        Action::Submit,
    ]);
    assert_eq!(f.app.mode(), Mode::Gathering);
    let saved = dalbygd(&f).expect("saved");
    assert_eq!((saved.leaders, saved.key_persons, saved.staff), (2, 1, 4));
    assert_eq!(saved.pre_work, None);
    assert_eq!(
        saved.between_work,
        Some(kartlegg::domain::needs::YesPartlyNo::Partly)
    );
    let screen = f.render(120, 40);
    assert_eq!(
        words_of(&screen, "Dalbygd"),
        ["▶", "Dalbygd", "barnevern", "2", "1", "4", "–", "delvis"]
    );
    assert!(screen.contains("Deltok: 5 ledere, 4 nøkkelpersoner, 7 ansatte · mellomarbeid 1 av 3"));
}

#[test]
fn a_small_terminal_shows_every_gathering_and_says_how_many_services_it_leaves_out() {
    let mut f = cluster_fixture(Lang::Nb);
    for name in ["Åsen", "Bøbygd", "Dovre", "Eidet", "Furuly", "Granli"] {
        f.app
            .store
            .create_service(name, &[], "Innlandet", fixed_now())
            .unwrap();
    }
    let mut f = reopened(f, Lang::Nb);
    f.act(&[Action::Year]);
    snap_at(&[(60, 16)], "cluster_year_many_services", Lang::Nb, &f);
    let screen = f.render(60, 16);
    assert!(screen.contains("12.02.2026") && screen.contains("16.04.2026"));
    // Nine services. Inside the frame 11 rows: the record and the next gathering, the
    // gatherings' header and two rows, and 6 for the services: their header, four services,
    // and a last row for the other five.
    assert!(screen.contains("… og 5 til"), "{screen}");
}

#[test]
fn del_on_the_years_gathering_asks_then_erases_it_with_its_attendance_its_round_untied() {
    use kartlegg::store::Clusters;
    use kartlegg::ui::keys::action_for;
    let mut f = cluster_fixture(Lang::Nb);
    f.act(&[Action::Year]);
    let cluster = f.app.store.cluster_named("Innlandet").unwrap().unwrap();
    let first = f.app.store.gatherings(&cluster.id).unwrap().remove(0);
    let fjellbygd = f
        .app
        .store
        .find_service("Fjellbygd barneverntjeneste")
        .unwrap();
    let round = f.app.store.rounds(&fjellbygd.id).unwrap().remove(0).round;
    assert_eq!(
        f.app.store.round_gathering(&round.id).unwrap(),
        Some(first.id.clone())
    );
    let del = action_for(Mode::ClusterYear, KeyEvent::from(KeyCode::Delete)).unwrap();
    assert_eq!(del, Action::Erase);

    // Asked, and `n` keeps all.
    f.act(std::slice::from_ref(&del));
    assert_eq!(f.app.mode(), Mode::ConfirmErase);
    let screen = f.render(120, 40);
    assert!(
        screen.contains(
            "Slette samlingen 12.02.2026 (Ledersamling) med 2 oppmøter? Dette kan ikke angres. j/n"
        ),
        "{screen}"
    );
    let no = action_for(Mode::ConfirmErase, KeyEvent::from(KeyCode::Char('n'))).unwrap();
    f.act(&[no]);
    assert_eq!(f.app.mode(), Mode::ClusterYear);
    assert_eq!(f.app.store.gatherings(&cluster.id).unwrap().len(), 2);

    // Asked again, and `j` erases: the gathering and its two attendances go, the round stays
    // and is tied to none; the year shows the other gathering alone.
    f.act(&[del]);
    let yes = action_for(Mode::ConfirmErase, KeyEvent::from(KeyCode::Char('j'))).unwrap();
    f.act(&[yes]);
    assert_eq!(f.app.mode(), Mode::ClusterYear);
    let screen = f.render(120, 40);
    assert!(
        screen.contains("Slettet samlingen 12.02.2026 (Ledersamling) med 2 oppmøter."),
        "{screen}"
    );
    assert!(!screen.contains("Oppstart:"), "{screen}");
    assert_eq!(
        &words_of(&screen, "» 16.04.2026")[..3],
        ["▶", "»", "16.04.2026"]
    );
    let store = Store::open(&f.db()).unwrap();
    let left = store.gatherings(&cluster.id).unwrap();
    assert_eq!(left.len(), 1);
    assert_ne!(left[0].id, first.id);
    assert!(store.gathering(&first.id).is_err());
    assert_eq!(store.attendances(&first.id).unwrap(), vec![]);
    let rounds = store.rounds(&fjellbygd.id).unwrap();
    assert_eq!(rounds.len(), 1, "the round stays");
    assert_eq!(store.round_gathering(&round.id).unwrap(), None);
}

#[test]
fn e_on_a_gathering_edits_its_day_kind_and_topics_and_refuses_a_wrong_one_naming_its_field() {
    use kartlegg::domain::cluster::GatheringKind;
    use kartlegg::domain::model::TextKind;
    use kartlegg::store::Clusters;
    use kartlegg::ui::keys::action_for;
    let mut f = cluster_fixture(Lang::Nb);
    let cluster = f.app.store.cluster_named("Innlandet").unwrap().unwrap();
    let first = f.app.store.gatherings(&cluster.id).unwrap().remove(0);
    f.act(&[Action::Year, Action::Open]);
    assert_eq!(f.app.mode(), Mode::Gathering);
    let e = action_for(Mode::Gathering, KeyEvent::from(KeyCode::Char('e'))).unwrap();
    assert_eq!(e, Action::Edit);
    f.act(&[e]);
    assert_eq!(f.app.mode(), Mode::Form);
    snap_at(&[(80, 24)], "gathering_form", Lang::Nb, &f);
    // The form holds the gathering as it stands.
    let screen = f.render(80, 24);
    assert!(screen.contains("Endre samlingen – 12.02.2026"), "{screen}");
    assert!(screen.contains("12.02.2026"), "{screen}");
    assert!(
        screen.contains("Oppstart: felles bilde av behovene"),
        "{screen}"
    );

    let store_now = |f: &Fixture| f.app.store.gathering(&first.id).unwrap();
    let backspaces = |f: &mut Fixture, n: usize| {
        for _ in 0..n {
            f.act(&[Action::Type(KeyEvent::from(KeyCode::Backspace))]);
        }
    };
    // A day that is none: refused at the date, nothing saved.
    backspaces(&mut f, 10);
    f.typed("31.02.2026");
    f.act(&[Action::Submit]);
    assert_eq!(f.app.mode(), Mode::Form, "refused, the form stays");
    assert_eq!(store_now(&f), first, "nothing saved");
    let screen = f.render(80, 24);
    assert!(
        screen.contains("✗ «31.02.2026» er ikke en dato. Skriv ÅÅÅÅ-MM-DD, f.eks. 2026-03-09."),
        "{screen}"
    );
    // Topics past a comment's length: refused at the topics, nothing saved.
    backspaces(&mut f, 10);
    f.typed("19.02.2026");
    f.act(&[Action::NextField, Action::Right, Action::NextField]);
    f.act(&[Action::Paste("x".repeat(TextKind::COMMENT_BYTES + 1))]);
    f.act(&[Action::Submit]);
    assert_eq!(f.app.mode(), Mode::Form, "refused, the form stays");
    assert_eq!(store_now(&f), first, "nothing saved");
    let screen = f.render(80, 24);
    assert!(
        screen.contains("✗ Tema: for lang tekst; kort den ned."),
        "{screen}"
    );
    // Out of the form (Esc twice: it asks before the typing goes) and in again, topics in
    // bounds: the day, kind and topics saved, the gathering screen shows them and its
    // attendance and tied round stay.
    f.act(&[Action::Back, Action::Back]);
    assert_eq!(f.app.mode(), Mode::Gathering);
    assert_eq!(store_now(&f), first, "nothing saved");
    f.act(&[Action::Edit]);
    backspaces(&mut f, 10);
    f.typed("19.02.2026");
    f.act(&[Action::NextField, Action::Right, Action::NextField]);
    backspaces(&mut f, first.topics.chars().count());
    f.typed("Nettverksmøter");
    f.act(&[Action::Submit]);
    assert_eq!(f.app.mode(), Mode::Gathering);
    let saved = store_now(&f);
    assert_eq!(
        (saved.held_on, saved.kind, saved.topics.as_str()),
        (
            NaiveDate::from_ymd_opt(2026, 2, 19).unwrap(),
            GatheringKind::Joint,
            "Nettverksmøter"
        )
    );
    let screen = f.render(120, 40);
    assert!(
        screen.contains("Samlingen 19.02.2026 er lagret."),
        "{screen}"
    );
    assert!(screen.contains("Tema: Nettverksmøter"), "{screen}");
    assert!(screen.contains("Fellessamling 19.02.2026"), "{screen}");
    assert_eq!(f.app.store.attendances(&first.id).unwrap().len(), 2);
    assert!(
        screen.contains("Fjellbygd barneverntjeneste «Før samling 1»"),
        "{screen}"
    );
}

/// The demo cluster with a leaders' gathering on 20.02.2026, and the first round of every
/// service but Skogvik og Myra's tied to it. The services' ids are set so that their
/// anonymous letters (by id) are not in the order of their names: Sjøbyen A, Elvedalen B,
/// Skogvik og Myra C, Fjellbygd D.
fn gathering_fixture(lang: Lang) -> Fixture {
    use kartlegg::domain::cluster::GatheringKind;
    use kartlegg::store::{Clusters, Erasable, Erase, ErasedBy};
    let f = demo_fixture(lang);
    let ids = [
        ("Sjøbyen barneverntjeneste", "a-sjobyen"),
        ("Elvedalen interkommunale barnevern", "b-elvedalen"),
        ("Skogvik og Myra barnevern", "c-skogvik"),
        ("Fjellbygd barneverntjeneste", "d-fjellbygd"),
    ];
    {
        let conn = rusqlite::Connection::open(f.db()).unwrap();
        conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let tables: Vec<String> = conn
            .prepare(
                "SELECT m.name FROM sqlite_schema m JOIN pragma_table_info(m.name) c
                 WHERE m.type = 'table' AND c.name = 'service_id'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (name, id) in ids {
            let old: String = conn
                .query_row("SELECT id FROM service WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .unwrap();
            conn.execute("UPDATE service SET id = ?2 WHERE id = ?1", [&old, id])
                .unwrap();
            for table in &tables {
                let sql = format!("UPDATE {table} SET service_id = ?2 WHERE service_id = ?1");
                conn.execute(&sql, [&old, id]).unwrap();
            }
        }
    }
    let mut store = Store::open(&f.db()).unwrap();
    let cluster = store
        .cluster_named("Demo: klynge Innlandet")
        .unwrap()
        .unwrap();
    // The demo's own gatherings go (their rounds stay, untied): this cluster has one.
    let demo_gatherings: Vec<Erasable> = (store.gatherings(&cluster.id).unwrap().into_iter())
        .map(|g| Erasable::Gathering(g.id))
        .collect();
    store
        .erase(&demo_gatherings, ErasedBy::Command, fixed_now())
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 2, 20).unwrap();
    let gathering = store
        .add_gathering(
            &cluster.id,
            day,
            GatheringKind::Leaders,
            "Hva vi vil endre",
            fixed_now(),
        )
        .unwrap();
    for service in store.service_list().unwrap() {
        if service.id == "c-skogvik" {
            continue;
        }
        let first = store.rounds(&service.id).unwrap().remove(0).round;
        assert_eq!(first.label, "Før samling 1");
        store
            .tie_round(&first.id, Some(&gathering.id), fixed_now())
            .unwrap();
    }
    drop(store);
    reopened(f, lang)
}

/// The service rows of the cluster overview, their cells joined by one space, without the
/// selection's marker.
fn service_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter(|l| {
            l.contains(" ● ") || l.contains(" ◐ ") || l.contains(" ○ ") || l.contains("  –  ")
        })
        .filter(|l| !l.contains("Readi"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches(['"', '│']).split_whitespace().collect();
            cells.join(" ").trim_start_matches("▶ ").to_string()
        })
        .collect()
}

/// Each row of the overview starts with its service, its n and its first section's score.
fn assert_rows(screen: &str, starts: &[&str]) {
    let rows = service_rows(screen);
    assert_eq!(rows.len(), starts.len(), "{screen}");
    for (row, start) in rows.iter().zip(starts) {
        assert!(row.starts_with(start), "{start:?} in {rows:#?}");
    }
}

#[test]
fn the_cluster_overview_lines_rounds_up_by_gathering_and_untied_rounds_by_label() {
    let mut f = gathering_fixture(Lang::En);
    f.act(&[Action::Overview]);
    // Skogvik og Myra's untied round was held first (10.02 + 3 × 3 days): its label comes
    // first, with it alone; then the gathering with the three tied rounds, whose scores are
    // those the label view showed for them before (tests/snapshots/screens__cluster_*).
    let screen = f.render(120, 40);
    assert!(
        screen.contains("Cluster: Demo: klynge Innlandet – round “Før samling 1”"),
        "{screen}"
    );
    assert_rows(
        &screen,
        &[
            "Elvedalen interkommunale barnevern – –",
            "Fjellbygd barneverntjeneste – –",
            "Sjøbyen barneverntjeneste – –",
            "Skogvik og Myra barnevern 5 ○ 44",
        ],
    );
    f.act(&[Action::Right]);
    let screen = f.render(120, 40);
    assert!(
        screen.contains(
            "Cluster: Demo: klynge Innlandet – Gathering 2026-02-20 · leaders' gathering"
        ),
        "{screen}"
    );
    assert_rows(
        &screen,
        &[
            "Elvedalen interkommunale barnevern 6 ◐ 60",
            "Fjellbygd barneverntjeneste 6 ◐ 52",
            "Sjøbyen barneverntjeneste 6 ◐ 71",
            "Skogvik og Myra barnevern – –",
        ],
    );

    // Anonymous: by letter (the ids' order: Sjøbyen, Elvedalen, Skogvik og Myra,
    // Fjellbygd), the title says so, the same letters sorted by a score, and no comparison
    // opens.
    f.act(&[Action::Anonymous]);
    let screen = f.render(120, 40);
    assert!(
        screen.contains("Demo: klynge Innlandet without service names"),
        "{screen}"
    );
    for name in ["Elvedalen", "Fjellbygd", "Sjøbyen", "Skogvik"] {
        assert!(!screen.contains(name), "{name} in {screen}");
    }
    assert_rows(
        &screen,
        &[
            "Service A 6 ◐ 71",
            "Service B 6 ◐ 60",
            "Service C – –",
            "Service D 6 ◐ 52",
        ],
    );
    f.act(&[Action::Choose(1)]);
    assert_rows(
        &f.render(120, 40),
        &[
            "Service A 6 ◐ 71",
            "Service B 6 ◐ 60",
            "Service D 6 ◐ 52",
            "Service C – –",
        ],
    );
    f.act(&[Action::Open]);
    assert_eq!(
        f.app.mode(),
        Mode::Cluster,
        "the anonymous view opens no comparison"
    );
    assert!(
        f.render(120, 40)
            .contains("The view without names opens nothing that shows")
    );
    // The needs view follows the point and the letters.
    f.act(&[Action::NextTab]);
    let screen = f.render(120, 40);
    assert!(screen.contains("3 of 4 services mapped"), "{screen}");
    assert!(!screen.contains("Sjøbyen"), "{screen}");
    f.act(&[Action::Anonymous]);
    assert!(f.render(120, 40).contains("Sjøbyen"));
}

#[test]
fn a_service_with_two_respondents_shows_its_score_named_and_too_few_anonymous() {
    // Fjellbygd's round has two respondents, fewer than the smallest group.
    // Readiness: the key person alone answered (4 items, 58 % by its kept score);
    // competence and leadership drivers the leader alone (100 %): one behind each, fewer
    // than 3, so the report and the export hide them, and so does the anonymous view.
    for lang in LANGS {
        let mut f = fixture(lang, true);
        f.act(&[Action::Overview]);
        assert_eq!(f.app.mode(), Mode::Cluster);
        let words = |f: &Fixture, width, height, text| {
            words_of(&f.render(width, height), text)
                .into_iter()
                .filter(|w| w != "▶")
                .collect::<Vec<_>>()
        };
        // Named, the service's own people see their own figures.
        assert_eq!(
            words(&f, 120, 40, "Fjellbygd"),
            [
                "Fjellbygd",
                "barneverntjeneste",
                "2",
                "◐",
                "58",
                "–",
                "–",
                "●",
                "100",
                "●"
            ]
        );
        f.act(&[Action::Anonymous]);
        let (few, short) = match lang {
            Lang::En => (["too", "few"].as_slice(), "few"),
            _ => (["for", "få"].as_slice(), "få"),
        };
        // Fjellbygd's letter, of the cluster's services by name (the ids are random).
        let mut services = f.app.store.service_list().unwrap();
        services.sort_by(|a, b| a.name.cmp(&b.name));
        let ids: Vec<&str> = services.iter().map(|s| s.id.as_str()).collect();
        let letter = kartlegg::domain::cluster::anonymous_letters(&ids).remove(1);
        let service = tr(lang, "cluster.anonymous_service").replace("{letter}", &letter);
        let mut wide = vec!["2"];
        for cell in [few, &["–"], &["–"], few, few, &["–"]] {
            wide.extend_from_slice(cell);
        }
        assert_eq!(words(&f, 120, 40, &service)[2..9], wide[..7], "{lang}");
        assert_eq!(
            words(&f, 60, 16, &service)[2..],
            ["2", short, "–", "–", short, short, "–"],
            "{lang}"
        );
        assert!(!f.render(120, 40).contains("58"), "{lang}");
        // Sorted by readiness, the hidden score gives no order away: A stays beside B.
        f.act(&[Action::Choose(1)]);
        assert!(!f.render(120, 40).contains("58"), "{lang}");
    }
}

#[test]
fn the_cluster_overview_by_gathering_and_anonymous_screens() {
    for lang in LANGS {
        let mut f = gathering_fixture(lang);
        f.act(&[Action::Overview, Action::Right]);
        snap("cluster_by_gathering", lang, &f);
        f.act(&[Action::Anonymous]);
        snap("cluster_anonymous", lang, &f);
        f.act(&[Action::NextTab]);
        snap("cluster_needs_anonymous", lang, &f);
    }
}

#[test]
fn m_ties_a_round_to_a_gathering_of_its_cluster_or_says_why_it_cannot() {
    use kartlegg::domain::cluster::GatheringKind;
    use kartlegg::store::Clusters;
    // Fjellbygd (the second service) has the round; its cluster Innlandet no gatherings yet.
    let mut f = fixture(Lang::En, true);
    f.act(&[Action::Down, Action::Open, Action::Tie]);
    assert_eq!(f.app.mode(), Mode::Rounds);
    let screen = f.render(120, 40);
    assert!(
        screen.contains("The cluster “Innlandet” has no gatherings yet to tie the round to."),
        "{screen}"
    );
    let mut store = Store::open(&f.db()).unwrap();
    let cluster = store.cluster_named("Innlandet").unwrap().unwrap();
    let day = |d| NaiveDate::from_ymd_opt(2026, 2, d).unwrap();
    let add = |store: &mut Store, d, kind, topics| {
        (store.add_gathering(&cluster.id, day(d), kind, topics, fixed_now()))
            .unwrap()
            .id
    };
    let leaders = add(&mut store, 1, GatheringKind::Leaders, "Hva vi vil endre");
    add(&mut store, 15, GatheringKind::Joint, "");
    drop(store);

    f.act(&[Action::Tie]);
    assert_eq!(f.app.mode(), Mode::Form);
    snap_at(&[(80, 24)], "tie_form", Lang::En, &f);
    let screen = f.render(80, 24);
    assert!(screen.contains("Gathering 2026-02-01 · leaders' gathering – Hva vi vil endre"));
    assert!(screen.contains("Gathering 2026-02-15 · joint gathering"));
    f.act(&[Action::Right, Action::Submit]);
    assert_eq!(f.app.mode(), Mode::Rounds);
    let screen = f.render(120, 40);
    assert!(
        screen.contains(
            "Round “Før samling 1” is tied to the gathering of 2026-02-01 (Leaders' gathering)."
        ),
        "{screen}"
    );
    let row = screen
        .lines()
        .find(|l| l.contains("Før samling 1"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        row.contains("2026-02-10 Before    2           2026-02-01"),
        "{row}"
    );
    snap_at(&[(80, 24)], "rounds_tied", Lang::En, &f);
    let store = Store::open(&f.db()).unwrap();
    let service = store.find_service("Fjellbygd barneverntjeneste").unwrap();
    let round = store.rounds(&service.id).unwrap().remove(0).round;
    assert_eq!(store.round_gathering(&round.id).unwrap(), Some(leaders));
    drop(store);

    // The form opens on the tie as it stands; "not tied" lets the round go.
    f.act(&[Action::Tie, Action::Left, Action::Submit]);
    assert!(
        f.render(120, 40)
            .contains("Round “Før samling 1” is tied to no gathering."),
    );
    let store = Store::open(&f.db()).unwrap();
    assert_eq!(store.round_gathering(&round.id).unwrap(), None);
    drop(store);
    // Narrow, with no round tied, the list has no gathering column.
    assert!(!f.render(60, 16).contains("Gathering"));
}

#[test]
fn a_service_with_no_cluster_has_no_gathering_to_tie_a_round_to() {
    let f = fixture(Lang::Nb, false);
    let mut store = Store::open(&f.db()).unwrap();
    let service = store
        .create_service("Uten klynge", &[], "", fixed_now())
        .unwrap();
    store
        .create_round(
            &service.id,
            "Før",
            NaiveDate::from_ymd_opt(2026, 2, 10).unwrap(),
            RoundKind::Before,
            Instrument::standard(),
            fixed_now(),
        )
        .unwrap();
    drop(store);
    let mut f = reopened(f, Lang::Nb);
    f.act(&[Action::Open, Action::Tie]);
    assert_eq!(f.app.mode(), Mode::Rounds);
    let screen = f.render(120, 40);
    assert!(
        screen.contains("«Uten klynge» hører ikke til noen klynge"),
        "{screen}"
    );
    // Its cluster overview lines the services without a cluster up by label, as before.
    f.act(&[Action::Back, Action::Overview]);
    assert_eq!(f.app.mode(), Mode::Cluster);
    assert!(f.render(120, 40).contains("runde «Før»"));
}

/// A round's label is the service's own text: in the view without names a label that names a
/// service shows its letter, as the cluster report's does, and the name appears nowhere.
#[test]
fn the_anonymous_overview_shows_no_service_name_held_in_a_label() {
    let f = fixture(Lang::Nb, true);
    let conn = rusqlite::Connection::open(f.db()).unwrap();
    conn.execute(
        "UPDATE round SET label = 'Før Fjellbygd barneverntjeneste'",
        [],
    )
    .unwrap();
    drop(conn);
    let mut f = reopened(f, Lang::Nb);
    f.act(&[Action::Overview]);
    assert!(
        f.render(120, 40)
            .contains("«Før Fjellbygd barneverntjeneste»")
    );
    f.act(&[Action::Anonymous]);
    for (width, height) in [(120, 40), (80, 24), (60, 16)] {
        let screen = f.render(width, height);
        assert!(!screen.contains("Fjellbygd"), "{width}×{height}:\n{screen}");
    }
    assert!(
        f.render(120, 40).contains("«Før "),
        "the label without the name"
    );
    // Neither the comparison nor the year opens from it: both name the services.
    f.act(&[Action::Year]);
    assert_eq!(f.app.mode(), Mode::Cluster);
    f.act(&[Action::Open]);
    assert_eq!(f.app.mode(), Mode::Cluster);
    assert!(f.render(120, 40).contains("p viser navnene igjen"));
    f.act(&[Action::Anonymous, Action::Year]);
    assert_eq!(f.app.mode(), Mode::ClusterYear);
}

/// A past gathering with nothing recorded for any service: its people and between-work are
/// not known ("–"), not zeros and not "0 av 3".
#[test]
fn a_past_gathering_with_nothing_recorded_shows_no_counts() {
    use kartlegg::domain::cluster::GatheringKind;
    use kartlegg::store::Clusters;
    let mut f = cluster_fixture(Lang::Nb);
    let cluster = f.app.store.cluster_named("Innlandet").unwrap().unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    f.app
        .store
        .add_gathering(&cluster.id, day, GatheringKind::Digital, "", fixed_now())
        .unwrap();
    f.act(&[Action::Year]);
    let row = words_of(&f.render(120, 40), "02.03.2026");
    assert_eq!(
        row,
        ["02.03.2026", "Digital", "samling", "–", "–", "–", "–"]
    );
}

/// The gathering screen of a past gathering with nothing recorded says so instead of
/// summing nobody.
#[test]
fn a_past_gathering_with_nothing_recorded_says_so_on_its_screen() {
    use kartlegg::domain::cluster::GatheringKind;
    use kartlegg::store::Clusters;
    let mut f = cluster_fixture(Lang::En);
    let cluster = f.app.store.cluster_named("Innlandet").unwrap().unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    f.app
        .store
        .add_gathering(&cluster.id, day, GatheringKind::Digital, "", fixed_now())
        .unwrap();
    // The earliest gathering is the first row of the year.
    f.act(&[Action::Year, Action::Open]);
    assert_eq!(f.app.mode(), Mode::Gathering);
    let screen = f.render(80, 24);
    assert!(screen.contains("No attendance is recorded yet"), "{screen}");
    assert!(!screen.contains("Attended: 0"), "{screen}");
}
