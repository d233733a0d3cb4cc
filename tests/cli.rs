//! The command line as a user meets it: subcommands, bad input, refusals, exit codes.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use kartlegg::domain::compare::Options;
use kartlegg::domain::instrument::{Asked, Instrument};
use kartlegg::domain::plan::PlanKind;
use kartlegg::domain::scoring::{Answering, Band, Tally, summarize};
use kartlegg::store::{Admin, Answers, Plans, Scores};
use kartlegg::store::{SCHEMA_VERSION, Store};

fn kartlegg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kartlegg"))
        .args(args)
        .env_remove("KARTLEGG_DB")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn demo_fills_an_empty_database_and_check_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = kartlegg(&["demo", "--db", path_arg(&db)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("4 tjenester, 8 runder"),
        "{}",
        stdout(&out)
    );

    let out = kartlegg(&["check", "--db", path_arg(&db), "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "Schema version: {SCHEMA_VERSION} (this kartlegg: {SCHEMA_VERSION})"
        )),
        "{text}"
    );
    assert!(text.contains("Services: 4, rounds: 8"), "{text}");
    assert!(text.contains("Integrity: ok"), "{text}");

    let store = Store::open(&db).unwrap();
    let services = store.services().unwrap();
    assert_eq!(services.len(), 4);
    assert!(services.iter().all(|s| s.rounds == 2));
}

/// How many plan items, goals, goal statuses, stages and consensus values a database holds.
fn plan_rows(db: &Path) -> [usize; 5] {
    let store = Store::open(db).unwrap();
    let mut rows = [0; 5];
    for service in store.services().unwrap() {
        let id = &service.service.id;
        rows[0] += store.plan_items(id).unwrap().len();
        rows[1] += store.goals(id).unwrap().len();
        rows[2] += store.goal_statuses(id).unwrap().len();
        for round in store.rounds(id).unwrap() {
            rows[3] += usize::from(store.round_stage(&round.round.id).unwrap().is_some());
            rows[4] += store.consensus(&round.round.id).unwrap().len();
        }
    }
    rows
}

/// A newcomer sees every screen of planning filled, and what is planned is what the numbers
/// show: each service plans for areas not in place in its latest round, its weakest among them.
#[test]
fn the_demo_plans_for_the_weak_areas_of_each_services_latest_round_and_fills_its_posts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    assert!(kartlegg(&["demo", "--db", path_arg(&db)]).status.success());
    let rows = plan_rows(&db);
    assert!(
        rows.iter().all(|&n| n > 0),
        "plan, goals, statuses, stages, consensus: {rows:?}"
    );

    let store = Store::open(&db).unwrap();
    let instrument = Instrument::standard();
    for service in store.services().unwrap() {
        let id = &service.service.id;
        let rounds = store.rounds(id).unwrap();
        let latest = &rounds.last().unwrap().round.id;
        assert!(
            store.round_stage(latest).unwrap().is_some(),
            "{}",
            service.service.name
        );
        let scores = store
            .round_scores(instrument, &[latest.as_str()], Options::default())
            .unwrap()
            .remove(0);
        let tallies: Vec<(String, Tally)> = scores
            .sections
            .iter()
            .flat_map(|s| {
                s.subdomains
                    .iter()
                    .map(move |d| (format!("{}.{}", s.key, d.key), d.tally))
            })
            .collect();
        let items = store.plan_items(id).unwrap();
        assert!(!items.is_empty(), "{} has a plan", service.service.name);
        for item in &items {
            let (_, tally) = tallies
                .iter()
                .find(|(key, _)| *key == item.subdomain_key)
                .unwrap();
            assert!(
                tally.wants_plan() || tally.band() != Some(Band::InPlace),
                "{} plans for {}, in place at {:?}",
                service.service.name,
                item.subdomain_key,
                tally.percent()
            );
        }
        // None left out is weaker: wanting a plan (as the summary marks it) first, then by score.
        let weakness = |t: &Tally| (!t.wants_plan(), t.exact_percent().unwrap_or(0.0));
        let planned = |key: &str| items.iter().any(|i| i.subdomain_key == key);
        for (key, tally) in tallies.iter().filter(|(k, _)| planned(k)) {
            for (other, left) in tallies.iter().filter(|(k, _)| !planned(k)) {
                assert!(
                    weakness(tally) <= weakness(left),
                    "{} plans for {key} but not for the weaker {other}",
                    service.service.name
                );
            }
        }
        // Measures with owner and due date, some done.
        let measures: Vec<_> = items
            .iter()
            .filter(|i| i.kind == PlanKind::Measure)
            .collect();
        assert!(
            measures
                .iter()
                .all(|m| !m.owner.is_empty() && m.due_on.is_some())
        );
        assert!(measures.iter().any(|m| m.done) && measures.iter().any(|m| !m.done));
        // Each goal has a status in the first round and in the latest.
        let statuses = store.goal_statuses(id).unwrap();
        for goal in store.goals(id).unwrap() {
            for round in &rounds {
                assert!(statuses.contains_key(&(goal.id.clone(), round.round.id.clone())));
            }
        }
        posts_of_the_demo(&store, &service.service.name, &rounds);
    }
}

/// The demo's cluster is a record with its year: who runs it, gatherings of every kind with
/// topics, attendance from every service at those held, each service's rounds tied to the
/// gathering they belong to (before the first, after the last held), and one planned after
/// the latest round, so that the cluster has a next gathering.
#[test]
fn the_demo_has_a_cluster_with_gatherings_attendance_and_tied_rounds() {
    use kartlegg::domain::cluster::GatheringKind;
    use kartlegg::domain::model::RoundKind;
    use kartlegg::store::Clusters;
    use kartlegg::usecase::cluster::{LineUp, Point};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cluster.db");
    assert!(kartlegg(&["demo", "--db", path_arg(&db)]).status.success());
    let store = Store::open(&db).unwrap();
    let clusters = store.clusters().unwrap();
    assert_eq!(clusters.len(), 1);
    let cluster = &clusters[0].cluster;
    assert_eq!(clusters[0].services.len(), 4);
    assert_eq!(cluster.county, "Innlandet");
    assert_eq!(cluster.centre, "RBUP Øst og Sør");
    assert!(!cluster.process_leaders.is_empty());
    assert!(cluster.period_from.is_some() && cluster.period_to >= cluster.period_from);

    let line_up = LineUp::load(&store, &cluster.name).unwrap();
    let kinds: Vec<GatheringKind> = line_up.gatherings.iter().map(|g| g.kind).collect();
    for kind in GatheringKind::ALL {
        assert!(kinds.contains(kind), "a {kind:?} gathering");
    }
    assert!(line_up.gatherings.iter().all(|g| !g.topics.is_empty()));
    let latest = line_up
        .rounds
        .iter()
        .flatten()
        .map(|r| r.round.held_on)
        .max()
        .unwrap();
    let next = line_up.next_gathering(latest).expect("a gathering planned");
    assert_eq!(Some(next), line_up.gatherings.last());
    for gathering in &line_up.gatherings {
        let attendances = store.attendances(&gathering.id).unwrap();
        if gathering.held_on > latest {
            assert!(attendances.is_empty(), "no one at a planned gathering yet");
            continue;
        }
        assert_eq!(
            attendances.len(),
            4,
            "every service at {}",
            gathering.held_on
        );
        for attendance in &attendances {
            assert!(attendance.people() > 0);
            assert!(attendance.pre_work.is_some() && attendance.between_work.is_some());
        }
    }
    assert!(line_up.gatherings.iter().any(|g| {
        store
            .attendances(&g.id)
            .unwrap()
            .iter()
            .any(|a| !a.note.is_empty())
    }));
    // Every round stands at a gathering, none at a bare label: the before-round before the
    // first gathering, the after-round after the last one held before it.
    assert!(
        line_up
            .points
            .iter()
            .all(|p| matches!(p, Point::Gathering(_)))
    );
    assert_eq!(line_up.points.len(), 2);
    for rounds in &line_up.rounds {
        for summary in rounds {
            let round = &summary.round;
            let gathering = line_up.gathering_of(round).expect("tied");
            match round.kind {
                RoundKind::Before => assert!(round.held_on < gathering.held_on),
                _ => assert!(round.held_on > gathering.held_on),
            }
        }
    }
}

/// Every round of a demo service has posts whose status table shows counts for leaders,
/// caseworkers and all, with meets, will meet and will not among the caseworkers; and from
/// the first round to the latest some who would meet it meet it now.
fn posts_of_the_demo(store: &Store, name: &str, rounds: &[kartlegg::store::RoundSummary]) {
    use kartlegg::domain::requirement::{Counts, StatusCounts};
    use kartlegg::usecase::positions::PositionsData;
    let shown = |round: &kartlegg::domain::model::Round| -> Vec<StatusCounts> {
        let data = PositionsData::load(store, round, 3).unwrap();
        assert!(
            !data.positions.is_empty(),
            "{name} {} has posts",
            round.label
        );
        data.table
            .rows
            .iter()
            .map(|row| match row.counts {
                Counts::Shown(counts) => counts,
                ref other => panic!("{name} {}: {other:?}", round.label),
            })
            .collect()
    };
    let first = shown(&rounds[0].round);
    let caseworkers = first[1];
    assert!(
        caseworkers.meets > 0 && caseworkers.will > 0 && caseworkers.will_not > 0,
        "{name}: {caseworkers:?}"
    );
    assert!(first[0].will > 0, "{name}: a leader will meet it");
    let latest = shown(&rounds.last().unwrap().round);
    let all = |c: &[StatusCounts]| *c.last().unwrap();
    assert!(
        all(&latest).meets > all(&first).meets && all(&latest).will < all(&first).will,
        "{name}: progress from {:?} to {:?}",
        all(&first),
        all(&latest)
    );
}

#[test]
fn demo_never_writes_into_a_database_with_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    assert!(kartlegg(&["demo", "--db", path_arg(&db)]).status.success());
    let before = Store::open(&db).unwrap().counts().unwrap();
    let plans = plan_rows(&db);
    let out = kartlegg(&["demo", "--db", path_arg(&db)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(plan_rows(&db), plans, "nothing planned twice");
    assert!(
        stderr(&out).contains("har allerede tjenester"),
        "{}",
        stderr(&out)
    );
    assert_eq!(Store::open(&db).unwrap().counts().unwrap(), before);
}

/// Section scores of every round of every service, in a stable order.
fn all_scores(db: &Path) -> Vec<Option<f64>> {
    let store = Store::open(db).unwrap();
    let mut scores = Vec::new();
    for service in store.services().unwrap() {
        for round in store.rounds(&service.service.id).unwrap() {
            let answers = store.round_answers(&round.round.id).unwrap();
            let sets: Vec<Answering> = answers
                .iter()
                .map(|(r, a)| (Asked::new(round.round.kind, r.role), a))
                .collect();
            for section in summarize(Instrument::standard(), &sets) {
                scores.push(section.tally.percent());
            }
        }
    }
    scores
}

#[test]
fn the_demo_is_the_same_for_the_same_seed_and_shows_movement() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a.db"),
        dir.path().join("b.db"),
        dir.path().join("c.db"),
    );
    for (db, seed) in [(&a, "7"), (&b, "7"), (&c, "8")] {
        assert!(
            kartlegg(&["demo", "--db", path_arg(db), "--seed", seed])
                .status
                .success()
        );
    }
    assert_eq!(all_scores(&a), all_scores(&b));
    assert_ne!(all_scores(&a), all_scores(&c));
    // Each service's rounds come before then after; the programme lifts readiness on average.
    let scores = all_scores(&a);
    let sections = Instrument::standard().sections.len();
    let (mut before, mut after) = (0.0, 0.0);
    for service in scores.chunks(2 * sections) {
        before += service[0].unwrap();
        after += service[sections].unwrap();
    }
    assert!(after > before, "before {before}, after {after}");
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let out = kartlegg(&["--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--no-such-flag"));
    let out = kartlegg(&["--lang", "de", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown language 'de'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("referat.txt");
    std::fs::write(&file, "Referat fra ledersamlingen\n").unwrap();
    for args in [vec!["check"], vec!["demo"]] {
        let mut all = args.clone();
        all.extend(["--db", path_arg(&file)]);
        let out = kartlegg(&all);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let message = stderr(&out);
        assert!(
            message.contains("er ikke en kartlegg-database"),
            "{message}"
        );
        assert_eq!(message.lines().count(), 1, "one clear line: {message}");
    }
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "Referat fra ledersamlingen\n"
    );
}

#[test]
fn a_database_from_a_newer_kartlegg_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    drop(Store::open(&db).unwrap());
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let out = kartlegg(&["check", "--db", path_arg(&db), "--lang", "en"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("newer kartlegg (schema version 99"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn a_folder_that_cannot_be_made_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "").unwrap();
    let db = blocker.join("k.db");
    let out = kartlegg(&["check", "--db", path_arg(&db)]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("not-a-folder"));
}

#[test]
fn the_full_screen_program_needs_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let out = kartlegg(&["--db", path_arg(&db), "--lang", "nn"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("kartlegg treng ein terminal"),
        "{}",
        stderr(&out)
    );
    assert!(!db.exists(), "nothing is created when nothing can be shown");
}

#[test]
fn the_database_path_comes_from_the_environment_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("from-env.db");
    let check = || {
        Command::new(env!("CARGO_BIN_EXE_kartlegg"))
            .args(["check", "--lang", "en"])
            .env("KARTLEGG_DB", &db)
            .output()
            .unwrap()
    };
    let out = check();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains(path_arg(&db)), "{}", stderr(&out));
    drop(Store::open(&db).unwrap());
    let out = check();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(path_arg(&db)), "{}", stdout(&out));
}

// ---- what may create a database, and what the command line says about files ----

fn kartlegg_in(lang: &str, args: &[&str], db: &Path) -> Output {
    let mut all = args.to_vec();
    all.extend(["--db", path_arg(db), "--lang", lang]);
    kartlegg(&all)
}

/// Everything under `dir`, folders too, so that a test can say nothing was left behind.
fn everything_in(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path.clone());
            }
            found.push(path);
        }
    }
    found.sort();
    found
}

/// kartlegg's own words, not the operating system's.
fn assert_no_raw_os_error(message: &str) {
    assert!(!message.contains("os error"), "a raw OS error: {message}");
    // The temporary file an export is written through is named `.NAME.PID.tmp`.
    assert!(
        !message.contains(".tmp:"),
        "an internal file name: {message}"
    );
}

/// The commands that only read, each with an `--out` (if it takes one) inside `dir`, and
/// erasure, which has nothing to erase in a database that is not there.
fn reading_commands(dir: &Path) -> Vec<Vec<String>> {
    let out = |name: &str| dir.join(name).to_str().unwrap().to_string();
    [
        vec!["check".to_string()],
        vec!["export".into(), "--format".into(), "json".into()],
        vec![
            "export".into(),
            "--format".into(),
            "csv".into(),
            "--out".into(),
            out("svar.csv"),
        ],
        vec![
            "compare".into(),
            "--service".into(),
            "Fjellbygd".into(),
            "--from".into(),
            "1".into(),
            "--to".into(),
            "2".into(),
        ],
        vec![
            "report".into(),
            "--service".into(),
            "Fjellbygd".into(),
            "--format".into(),
            "markdown".into(),
            "--out".into(),
            out("rapport.md"),
        ],
        vec!["backup".into()],
        vec!["backup".into(), "--out".into(), out("kopi.db")],
        vec!["erase".into(), "--older-than".into(), "2020-01-01".into()],
        vec![
            "erase".into(),
            "service".into(),
            "--service".into(),
            "Fjellbygd".into(),
        ],
    ]
    .into()
}

#[test]
fn commands_that_only_read_refuse_a_missing_database_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mistyped = dir.path().join("kartleg.db");
    let in_missing_folder = dir.path().join("ny").join("mappe").join("k.db");
    for db in [&mistyped, &in_missing_folder] {
        for command in reading_commands(dir.path()) {
            let args: Vec<&str> = command.iter().map(String::as_str).collect();
            for (lang, says) in [("nb", "Fant ingen database på"), ("en", "No database at")] {
                let out = kartlegg_in(lang, &args, db);
                let message = stderr(&out);
                assert_eq!(out.status.code(), Some(5), "{args:?} {lang}: {message}");
                assert!(
                    message.contains(&format!("{says} {}", path_arg(db))),
                    "{args:?} {lang}: {message}"
                );
                assert_eq!(message.lines().count(), 1, "one clear line: {message}");
                assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
                assert_eq!(
                    everything_in(dir.path()),
                    Vec::<PathBuf>::new(),
                    "{args:?} left something behind"
                );
            }
        }
    }
}

#[test]
fn the_codebook_needs_no_database_and_creates_none() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ingen").join("k.db");
    let out = kartlegg_in("nb", &["export", "--format", "codebook"], &db);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("item_order,"), "{}", stdout(&out));
    assert_eq!(everything_in(dir.path()), Vec::<PathBuf>::new());
}

#[test]
fn demo_and_import_create_a_missing_database_and_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("a").join("b").join("demo.db");
    let out = kartlegg_in("nb", &["demo"], &demo);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(Store::open(&demo).unwrap().counts().unwrap().services, 4);

    let file = dir.path().join("alt.json");
    let out = kartlegg_in(
        "nb",
        &[
            "export",
            "--format",
            "json",
            "--identified",
            "--out",
            path_arg(&file),
        ],
        &demo,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let imported = dir.path().join("c").join("d").join("k.db");
    let out = kartlegg_in("nb", &["import", path_arg(&file)], &imported);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        Store::open(&imported).unwrap().counts().unwrap(),
        Store::open(&demo).unwrap().counts().unwrap()
    );
}

#[test]
fn the_full_screen_program_creates_a_database_and_says_so() {
    use common::Tui;
    for (lang, says, empty) in [
        ("nb", "Ny database opprettet:", "Ingen tjenester ennå"),
        ("nn", "Ny database oppretta:", "Ingen tenester enno"),
        ("en", "New database created:", "No services yet"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("k.db");
        let mut tui = Tui::start(&db, lang);
        tui.wait_for(empty);
        tui.wait_for(&format!("{says} {}", path_arg(&db)));
        assert!(db.exists());
        tui.send("q");
        tui.expect_clean_exit();

        // Opened again, it is no longer new, and nothing says it is.
        let mut tui = Tui::start(&db, lang);
        tui.wait_for(empty);
        // The footer is drawn last: the whole first frame is on the screen.
        tui.wait_until("the footer", common::WAIT, |s| {
            s.trim_end().lines().last().is_some_and(|l| l.contains('?'))
        });
        assert!(!tui.screen().contains(says), "{}", tui.screen());
        tui.send("q");
        tui.expect_clean_exit();
    }
}

#[test]
fn backup_refuses_to_replace_a_file_in_the_users_language() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    assert!(kartlegg_in("nb", &["demo"], &db).status.success());
    let taken = dir.path().join("viktig.txt");
    std::fs::write(&taken, "Ikke rør\n").unwrap();
    let before = everything_in(dir.path());
    for (lang, says) in [
        (
            "nb",
            "finnes allerede; kartlegg backup erstatter aldri en fil",
        ),
        (
            "en",
            "already exists; kartlegg backup never replaces a file",
        ),
    ] {
        let out = kartlegg_in(lang, &["backup", "--out", path_arg(&taken)], &db);
        let message = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{lang}: {message}");
        assert!(
            message.contains(&format!("{} {says}", path_arg(&taken))),
            "{lang}: {message}"
        );
        assert_no_raw_os_error(&message);
    }
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "Ikke rør\n");
    assert_eq!(everything_in(dir.path()), before);
}

#[test]
fn a_missing_import_file_is_said_in_the_users_language_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("fra-kontoret.json");
    let no_db = dir.path().join("ny.db");
    let db = dir.path().join("k.db");
    assert!(kartlegg_in("nb", &["demo"], &db).status.success());
    let bytes = std::fs::read(&db).unwrap();
    let before = everything_in(dir.path());
    for target in [&no_db, &db] {
        for (lang, says) in [
            (
                "nb",
                "Importerte ikke {path}: filen finnes ikke. Databasen er ikke endret.",
            ),
            (
                "en",
                "Did not import {path}: no such file. The database was not changed.",
            ),
        ] {
            let out = kartlegg_in(lang, &["import", path_arg(&missing)], target);
            let message = stderr(&out);
            assert_eq!(out.status.code(), Some(5), "{lang}: {message}");
            assert!(
                message.contains(&says.replace("{path}", path_arg(&missing))),
                "{lang}: {message}"
            );
            assert_no_raw_os_error(&message);
            assert_eq!(everything_in(dir.path()), before, "{target:?}");
        }
    }
    // A folder is no file to import either.
    let out = kartlegg_in("en", &["import", path_arg(dir.path())], &db);
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{message}");
    assert!(
        message.contains(&format!(
            "Did not import {}: it is a folder, not a file.",
            path_arg(dir.path())
        )),
        "{message}"
    );
    assert_no_raw_os_error(&message);
    assert_eq!(everything_in(dir.path()), before);
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

#[test]
fn an_out_file_that_cannot_be_written_is_said_with_its_path_or_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    assert!(kartlegg_in("nb", &["demo"], &db).status.success());
    let before = everything_in(dir.path());
    let folder = dir.path().join("finnes-ikke");
    let report = [
        "report",
        "--service",
        "Fjellbygd barneverntjeneste",
        "--format",
        "markdown",
    ];
    let commands: [&[&str]; 3] = [&["export", "--format", "json"], &report, &["backup"]];
    for command in commands {
        for (lang, cannot, no_folder) in [
            ("nb", "Kunne ikke skrive", "mappen {folder} finnes ikke"),
            (
                "en",
                "Could not write",
                "the folder {folder} does not exist",
            ),
        ] {
            let out_file = folder.join("ut.fil");
            let mut args = command.to_vec();
            args.extend(["--out", path_arg(&out_file)]);
            let out = kartlegg_in(lang, &args, &db);
            let message = stderr(&out);
            assert_eq!(out.status.code(), Some(5), "{args:?} {lang}: {message}");
            assert!(
                message.contains(&format!("{cannot} {}: ", path_arg(&out_file)))
                    && message.contains(&no_folder.replace("{folder}", path_arg(&folder))),
                "{args:?} {lang}: {message}"
            );
            assert_no_raw_os_error(&message);
            assert!(!message.contains(".ut.fil."), "{message}");

            // A folder where a file should be.
            let mut args = command.to_vec();
            args.extend(["--out", path_arg(dir.path())]);
            let out = kartlegg_in(lang, &args, &db);
            let message = stderr(&out);
            assert_eq!(out.status.code(), Some(5), "{args:?} {lang}: {message}");
            assert!(
                message.contains(&format!("{cannot} {}: ", path_arg(dir.path()))),
                "{args:?} {lang}: {message}"
            );
            assert_no_raw_os_error(&message);
            assert_eq!(everything_in(dir.path()), before, "{args:?}");
        }
    }
}

#[test]
fn check_into_a_reader_that_is_gone_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    assert!(kartlegg_in("en", &["demo"], &db).status.success());
    // `kartlegg check | head -0`: the reading end closes before a line is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_kartlegg"))
        .args(["check", "--db", path_arg(&db)])
        .env_remove("KARTLEGG_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

/// A name and a comment written straight into the database (an older kartlegg, another
/// program) with a right-to-left override, which could make one name read as another:
/// every file and message kartlegg writes has them without it.
#[test]
fn a_direction_control_smuggled_into_a_name_is_removed_from_every_file_and_message() {
    const RLO: char = '\u{202E}';
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    assert!(kartlegg(&["demo", "--db", path_arg(&db)]).status.success());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (id, name): (String, String) = conn
        .query_row(
            "SELECT id, name FROM service ORDER BY name LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let smuggled = name.replacen(' ', &format!("{RLO} "), 1);
    assert_ne!(smuggled, name);
    conn.execute(
        "UPDATE service SET name = ?1 WHERE id = ?2",
        [&smuggled, &id],
    )
    .unwrap();
    conn.execute(
        "UPDATE answer SET comment = ?1 WHERE rowid = (SELECT min(rowid) FROM answer)",
        [format!("Se {RLO}vedlegg")],
    )
    .unwrap();
    drop(conn);
    let clean = |what: &str, text: &str| {
        assert!(!text.contains(RLO), "{what}: {text}");
    };
    for args in [
        vec!["export", "--format", "csv"],
        vec!["export", "--format", "csv", "--wide", "--spreadsheet"],
        vec![
            "compare",
            "--service",
            &id,
            "--from",
            "Før samling 1",
            "--to",
            "Etter programmet",
        ],
    ] {
        let out = kartlegg_in("en", &args, &db);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        clean(&format!("{args:?}"), &stdout(&out));
        assert!(stdout(&out).contains(&name), "{args:?}");
    }
    let csv = stdout(&kartlegg_in(
        "en",
        &["export", "--format", "csv", "--with-comments"],
        &db,
    ));
    assert!(
        csv.contains("Se vedlegg"),
        "the comment, without the control"
    );
    for format in ["markdown", "html"] {
        let file = dir.path().join(format!("report.{format}"));
        let args = [
            "report",
            "--service",
            &id,
            "--format",
            format,
            "--out",
            path_arg(&file),
        ];
        let out = kartlegg_in("en", &args, &db);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        let text = std::fs::read_to_string(&file).unwrap();
        clean(format, &text);
        assert!(text.contains(&name), "{format}");
    }
    // A message on standard error lists the services, and quotes what was asked for.
    let asked = format!("No{RLO}where");
    let out = kartlegg_in(
        "en",
        &["compare", "--service", &asked, "--from", "a", "--to", "b"],
        &db,
    );
    assert_eq!(out.status.code(), Some(1));
    clean("stderr", &stderr(&out));
    assert!(stderr(&out).contains(&name), "{}", stderr(&out));
    assert!(stderr(&out).contains("Nowhere"), "{}", stderr(&out));
}

/// A demo whose times lay ahead of this machine's clock would be refused by the import on
/// another machine as from a clock that runs ahead: the cluster demo's export imports as it is.
#[test]
fn the_cluster_demos_export_imports_without_being_told_its_times_are_right() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("demo.db");
    common::run_cli(&["demo", "--scale", "cluster"], &source, "en");
    let file = dir.path().join("demo.json");
    common::export_json(&source, &file);
    let said = common::run_cli(
        &["import", file.to_str().unwrap()],
        &dir.path().join("other.db"),
        "en",
    );
    assert!(said.contains("25 added"), "{said}");
}
