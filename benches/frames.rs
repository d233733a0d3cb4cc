//! Keystroke to frame: one key handled as the event loop handles it (`keys::action_for`,
//! then `App::update`) and the frame drawn into a `TestBackend`, on the national demo
//! database; and start-up, from opening that database to the first frame.

mod support;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use crossterm::event::KeyCode;
use kartlegg::ui::App;
use kartlegg::ui::action::Mode;
use support::{app, at_largest_cluster, draw, national, national_to_write, press, terminal};

const SIZES: [(u16, u16); 2] = [(120, 40), (300, 100)];

fn size_id(name: &str, (w, h): (u16, u16)) -> BenchmarkId {
    BenchmarkId::new(name, format!("{w}x{h}"))
}

/// Times one key and one frame, again and again from the same screen; the keys take turns
/// and, between them, lead back to where they started.
fn key_then_frame(c: &mut Criterion, group: &str, name: &str, app: &mut App, keys: &[KeyCode]) {
    let mut group = c.benchmark_group(group);
    for size in SIZES {
        let mut term = terminal(size.0, size.1);
        draw(&mut term, app);
        let mut turn = 0;
        group.bench_function(size_id(name, size), |b| {
            b.iter(|| {
                press(app, keys[turn % keys.len()]);
                turn += 1;
                draw(&mut term, app);
            })
        });
        // Back where it started, whatever the number of iterations.
        while turn % keys.len() != 0 {
            press(app, keys[turn % keys.len()]);
            turn += 1;
        }
    }
    group.finish();
}

/// The walk of the first respondent of a round: moving between items, and answering (one
/// durable commit with its history row and kept scores, then the next item).
fn walk(c: &mut Criterion) {
    let mut app = app(&national_to_write());
    // The first service's last round, its first respondent.
    for key in [KeyCode::Enter, KeyCode::Enter, KeyCode::Enter] {
        press(&mut app, key);
    }
    assert_eq!(app.mode(), Mode::Walk);
    key_then_frame(
        c,
        "walk",
        "down_up",
        &mut app,
        &[KeyCode::Down, KeyCode::Up],
    );
    key_then_frame(
        c,
        "walk",
        "answer_then_back",
        &mut app,
        &[
            KeyCode::Char('3'),
            KeyCode::Up,
            KeyCode::Char('4'),
            KeyCode::Up,
        ],
    );
}

/// The comparison of the first service's last two rounds: scrolling, switching tabs, and
/// choosing another from-round (which compares again, from the answers).
fn compare(c: &mut Criterion) {
    let mut app = app(&national());
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(app.mode(), Mode::Compare);
    key_then_frame(
        c,
        "compare",
        "down_up",
        &mut app,
        &[KeyCode::Down, KeyCode::Up],
    );
    key_then_frame(c, "compare", "tab", &mut app, &[KeyCode::Tab]);
    key_then_frame(
        c,
        "compare",
        "next_from_round",
        &mut app,
        &[KeyCode::Char('f')],
    );
}

/// The overview of the largest cluster (46 services): moving, sorting by a section, and
/// choosing the next round (which reads every service's kept scores again).
fn cluster(c: &mut Criterion) {
    let mut app = app(&national());
    at_largest_cluster(&mut app);
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(app.mode(), Mode::Cluster);
    key_then_frame(
        c,
        "cluster",
        "down_up",
        &mut app,
        &[KeyCode::Down, KeyCode::Up],
    );
    key_then_frame(
        c,
        "cluster",
        "sort",
        &mut app,
        &[KeyCode::Char('2'), KeyCode::Char('0')],
    );
    key_then_frame(c, "cluster", "next_round", &mut app, &[KeyCode::Right]);
}

/// The keys that open a screen (and reads what it shows), each with `Esc` back to the list
/// (which reads the list again): the rounds of a service, a round's summary, the trend of
/// a service, the comparison of its last two rounds, the roles side by side of a round,
/// and the overview of the largest cluster.
fn open_and_back(c: &mut Criterion) {
    let mut app = app(&national());
    key_then_frame(
        c,
        "open_and_back",
        "rounds",
        &mut app,
        &[KeyCode::Enter, KeyCode::Esc],
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::Rounds);
    for (name, key) in [("summary", 's'), ("trend", 't'), ("compare", 'c')] {
        key_then_frame(
            c,
            "open_and_back",
            name,
            &mut app,
            &[KeyCode::Char(key), KeyCode::Esc],
        );
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::Respondents);
    key_then_frame(
        c,
        "open_and_back",
        "roles",
        &mut app,
        &[KeyCode::Char('r'), KeyCode::Esc],
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    at_largest_cluster(&mut app);
    key_then_frame(
        c,
        "open_and_back",
        "cluster",
        &mut app,
        &[KeyCode::Char('o'), KeyCode::Esc],
    );
}

/// Opening the national database and drawing the services list.
fn startup(c: &mut Criterion) {
    let path = national();
    let mut group = c.benchmark_group("startup");
    for size in SIZES {
        group.bench_function(size_id("open_and_first_frame", size), |b| {
            // Closing the database afterwards is not part of starting. Each program is closed
            // before the next starts, as a user's would be: closing stops its check of the
            // database (`store::health`), which would otherwise pile up beside the next.
            b.iter_batched(
                || (),
                |()| {
                    let app = app(&path);
                    let mut term = terminal(size.0, size.1);
                    draw(&mut term, &app);
                    app
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, walk, compare, cluster, open_and_back, startup);
criterion_main!(benches);
