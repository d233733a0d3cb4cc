//! What the benches share: the national demo database, built once into
//! `target/bench-data/` and reused while its schema is current, a copy of it for the benches
//! that write, and driving the program by its keys into a `TestBackend`.

// Each bench uses its own part of this module.
#![allow(dead_code)]

pub mod pg_server;

use std::io;
use std::path::{Path, PathBuf};

// The allocator of the program (see src/main.rs), so that the benches measure what it does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use kartlegg::cli::demo_scale::{Scale, fill};
use kartlegg::domain::instrument::Instrument;
use kartlegg::exchange::{Disclosure, Scope};
use kartlegg::i18n::Lang;
use kartlegg::store::{Exchange, SCHEMA_VERSION, Store};
use kartlegg::ui::App;
use kartlegg::ui::keys::action_for;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub const SEED: u64 = 2026;
pub const SERVICES: usize = 357;

pub fn data_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("bench-data");
    std::fs::create_dir_all(&dir).expect("make target/bench-data");
    dir
}

/// The schema version and number of services of a database, without changing it.
fn made_by_this_kartlegg(path: &Path) -> bool {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return false;
    };
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap_or(0);
    let services: i64 = conn
        .query_row("SELECT count(*) FROM service", [], |r| r.get(0))
        .unwrap_or(0);
    version == SCHEMA_VERSION && services == SERVICES as i64
}

fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// `target/bench-data/national.db`: `kartlegg demo --scale national --seed 2026`, made once.
/// The benches that read use it as it is; none writes to it.
pub fn national() -> PathBuf {
    let path = data_dir().join("national.db");
    if !made_by_this_kartlegg(&path) {
        remove_database(&path);
        eprintln!("building {} (once) ...", path.display());
        let started = Instant::now();
        let mut store = Store::open(&path).expect("open the bench database");
        let now = Utc.with_ymd_and_hms(2027, 6, 1, 12, 0, 0).unwrap();
        fill(
            &mut store,
            Instrument::standard(),
            Scale::National,
            SEED,
            now,
            |_| {},
        )
        .expect("fill the national demo");
        eprintln!("built in {:.1} s", started.elapsed().as_secs_f64());
    }
    path
}

/// A copy of the national database for the benches that write (answers saved, the walk).
pub fn national_to_write() -> PathBuf {
    let source = national();
    let path = data_dir().join("national-writes.db");
    if !made_by_this_kartlegg(&path) {
        remove_database(&path);
        // A consistent copy, through SQLite.
        let conn = rusqlite::Connection::open(&source).expect("open the bench database");
        conn.execute("VACUUM INTO ?1", [path.to_str().expect("a UTF-8 path")])
            .expect("copy the bench database");
    }
    path
}

/// A fixed clock, so that what is drawn does not change with the time.
pub fn app(path: &Path) -> App {
    let store = Store::open(path).expect("open the bench database");
    let now = Utc.with_ymd_and_hms(2027, 6, 1, 12, 0, 0).unwrap();
    App::new(
        store,
        Instrument::standard(),
        Lang::Nb,
        Box::new(move || now),
    )
}

/// One key as the event loop handles it: mapped to an action for the current screen, then
/// `App::update` until nothing follows.
pub fn press(app: &mut App, code: KeyCode) {
    let mut next = action_for(app.mode(), KeyEvent::from(code));
    while let Some(action) = next {
        next = app.update(action);
    }
}

pub fn terminal(width: u16, height: u16) -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(width, height)).expect("a test terminal")
}

/// A frame as the program draws it, direction controls taken out as its last step.
pub fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal
        .draw(|frame| kartlegg::ui::draw(app, frame))
        .expect("draw");
}

/// The services list at the first service of the largest cluster (Innlandet, 46 services).
pub fn at_largest_cluster(app: &mut App) {
    let rows = match app.screen() {
        kartlegg::ui::app::Screen::Services(list) => list.rows.clone(),
        _ => panic!("the program starts at the services list"),
    };
    let first = rows
        .iter()
        .position(|r| r.service.cluster == "Klynge Innlandet")
        .expect("the national demo has Innlandet");
    for _ in 0..first {
        press(app, KeyCode::Down);
    }
}

/// The national export, written once beside the database.
pub fn national_export() -> std::path::PathBuf {
    let path = data_dir().join("national.json");
    let database = national();
    let fresh = |p: &Path| {
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        matches!((modified(p), modified(&database)), (Some(a), Some(b)) if a >= b)
    };
    if !fresh(&path) {
        let store = Store::open(&database).unwrap();
        let now = Utc.with_ymd_and_hms(2027, 6, 1, 12, 0, 0).unwrap();
        let mut file = io::BufWriter::new(std::fs::File::create(&path).unwrap());
        store
            .export_json(
                Scope::All,
                Instrument::standard(),
                now,
                Disclosure::identified(),
                &mut file,
                &path,
            )
            .unwrap();
    }
    path
}
