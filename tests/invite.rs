//! `kartlegg invite`: one-time codes for answering alone. The codes printed, their role and
//! uniqueness, that only their hashes reach the database file, the sheet of slips, withdrawing
//! a code, refusals that leave the database unchanged, and a version 4 database migrated to
//! hold invites. What the store promises of invites is in `store_contract.rs`.

mod common;

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use chrono::Utc;
use common::{db_in, drop_since_needs, kartlegg, run_cli, run_en, schema_of, seeded_round};
use kartlegg::domain::invite;
use kartlegg::domain::model::Role;
use kartlegg::store::{Invites, SCHEMA_VERSION, Store};
use kartlegg::usecase::invites::redeem;
use sha2::{Digest, Sha256};

const SERVICE: &str = "Fjellbygd barnevern";
const ROUND: &str = "Før samling 1";

/// `invite` of `count` codes for the seeded round, with `more` arguments.
fn invite<'a>(count: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "invite",
        "--service",
        SERVICE,
        "--round",
        ROUND,
        "--count",
        count,
    ];
    args.extend(more);
    args
}

/// Makes `count` codes for the seeded round in `role`, as printed, one a line.
fn invite_codes(db: &Path, count: usize, role: &str) -> Vec<String> {
    let count = count.to_string();
    let out = run_cli(&invite(&count, &["--role", role]), db, "en");
    out.lines().map(str::to_string).collect()
}

/// The database's key for its codes' hashes, as stored.
fn key_of(db: &Path) -> [u8; invite::KEY_LEN] {
    let conn = rusqlite::Connection::open(db).unwrap();
    let key: Vec<u8> = conn
        .query_row("SELECT key FROM invite_key", [], |r| r.get(0))
        .unwrap();
    key.try_into().unwrap()
}

/// Each invite's hash and the scheme it was made by.
fn schemes(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT code_hash, code_scheme FROM invite ORDER BY rowid")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// What `check` says of an old database, which it migrates (readable by its owner alone).
fn checked(old: &Path) -> String {
    std::fs::set_permissions(old, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = kartlegg()
        .args(["check", "--lang", "en", "--db"])
        .arg(old)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A migrated database has the tables a new one is made with.
fn same_schema_as_a_new_database(migrated: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh).unwrap());
    assert_eq!(
        schema_of(migrated),
        schema_of(&fresh),
        "both roads lead to one schema"
    );
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn invites(db: &Path) -> Vec<(String, String, Option<String>)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT role, code_hash, withdrawn_at FROM invite ORDER BY rowid")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Every byte of the database and the files beside it, as text where it is text.
fn database_bytes(db: &Path) -> String {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-journal"] {
        let mut path = db.as_os_str().to_owned();
        path.push(suffix);
        if let Ok(content) = std::fs::read(&path) {
            bytes.extend(content);
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn invite_prints_as_many_different_codes_as_asked_and_stores_only_their_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    seeded_round(&db);
    let codes = invite_codes(&db, 40, "key_person");
    assert_eq!(codes.len(), 40, "{codes:?}");
    let unique: HashSet<&String> = codes.iter().collect();
    assert_eq!(unique.len(), 40, "a code twice: {codes:?}");
    for code in &codes {
        // Two groups of four, of symbols that cannot be read as another.
        assert_eq!(code.len(), 9, "{code}");
        assert_eq!(&code[4..5], "-", "{code}");
        assert!(
            code.chars()
                .filter(|c| *c != '-')
                .all(|c| invite::ALPHABET.contains(&(c as u8))),
            "{code}"
        );
    }
    let stored = invites(&db);
    assert_eq!(stored.len(), 40);
    assert!(
        stored
            .iter()
            .all(|(role, _, withdrawn)| role == "key_person" && withdrawn.is_none())
    );
    let hashes: HashSet<String> = stored.into_iter().map(|(_, hash, _)| hash).collect();
    let key = key_of(&db);
    let expected: HashSet<String> = codes
        .iter()
        .map(|c| invite::hash(&invite::read(c).unwrap(), &key))
        .collect();
    assert_eq!(hashes, expected);

    // A second call makes codes of its own, none of the first's.
    let more = invite_codes(&db, 5, "staff");
    assert!(more.iter().all(|c| !unique.contains(c)), "{more:?}");

    // No code is anywhere in the files, with its dash or without, in any case.
    let bytes = database_bytes(&db).to_uppercase();
    for code in codes.iter().chain(&more) {
        assert!(
            !bytes.contains(code.as_str()),
            "{code} is in the database file"
        );
        assert!(
            !bytes.contains(&code.replace('-', "")),
            "{code} is in the database file"
        );
    }
}

#[test]
fn the_sheet_has_one_slip_per_code_saying_how_to_answer_in_the_language() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    seeded_round(&db);
    let sheet = dir.path().join("lapper.md");
    let login = ["--login", "ssh svar@kartlegg.kommune.no"];
    let sheet_arg = ["--sheet", sheet.to_str().unwrap()];
    let out = run_cli(&invite("3", &[&sheet_arg[..], &login].concat()), &db, "nb");
    let codes: Vec<&str> = out.lines().collect();
    assert_eq!(codes.len(), 3);
    let text = std::fs::read_to_string(&sheet).unwrap();
    for code in &codes {
        assert_eq!(text.matches(code).count(), 1, "{code} in:\n{text}");
    }
    assert_eq!(text.matches("Din kode:").count(), 3, "{text}");
    assert_eq!(text.matches("✂").count(), 4, "a cut line around each slip");
    assert!(
        text.contains("logg inn med `ssh svar@kartlegg.kommune.no`"),
        "{text}"
    );
    assert!(
        text.contains("Før samling 1, Fjellbygd barnevern"),
        "{text}"
    );
    let mode = std::fs::metadata(&sheet).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the sheet holds codes: its owner's alone");
}

#[test]
fn a_sheet_that_cannot_be_written_leaves_no_codes_behind() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    seeded_round(&db);
    let sheet = dir.path().join("no-such-folder").join("lapper.md");
    let out = run_en(&invite("3", &["--sheet", sheet.to_str().unwrap()]), &db);
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    assert!(out.stdout.is_empty(), "no code printed: {out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("lapper.md"), "{stderr}");
    assert!(invites(&db).is_empty(), "the database is unchanged");
}

#[test]
fn an_unknown_round_or_a_bad_count_is_refused_and_nothing_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    seeded_round(&db);
    let ask = |round: &str, count: &str| {
        run_en(
            &[
                "invite",
                "--service",
                SERVICE,
                "--round",
                round,
                "--count",
                count,
            ],
            &db,
        )
    };
    let unknown = ask("Etter", "3");
    assert_eq!(unknown.status.code(), Some(1), "{unknown:?}");
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("Etter") && stderr.contains(ROUND),
        "{stderr}"
    );
    for count in ["0", "501", "many"] {
        let bad = ask(ROUND, count);
        assert_eq!(bad.status.code(), Some(2), "--count {count}: {bad:?}");
    }
    let no_role = run_en(&invite("1", &["--role", "chief"]), &db);
    assert_eq!(no_role.status.code(), Some(2), "{no_role:?}");
    assert!(invites(&db).is_empty());
}

#[test]
fn a_withdrawn_code_and_an_unknown_one_are_refused_alike() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    seeded_round(&db);
    let codes = invite_codes(&db, 2, "staff");
    let withdrawn = run_cli(
        &["invite", "--withdraw", &codes[0].to_lowercase()],
        &db,
        "en",
    );
    assert!(withdrawn.contains(&codes[0]), "{withdrawn}");
    let stored = invites(&db);
    assert!(stored[0].2.is_some() && stored[1].2.is_none(), "{stored:?}");

    let refusal = |code: &str| {
        let out = run_en(&["invite", "--withdraw", code], &db);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        String::from_utf8_lossy(&out.stderr).replace(code, "CODE")
    };
    let again = refusal(&codes[0]);
    let unknown = refusal("ZZZZ-ZZZZ");
    assert_eq!(again, unknown, "withdrawn and unknown say the same");
    assert_eq!(invites(&db), stored, "refusals change nothing");
}

#[test]
fn a_version_5_database_is_migrated_to_hold_invites() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    let round = seeded_round(&old);
    {
        // The database as version 5 made it: without the invite tables (nor positions).
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.execute_batch("DROP TABLE invite; DROP TABLE invite_key; PRAGMA user_version = 5;")
            .unwrap();
        drop_since_needs(&conn);
    }
    assert!(
        checked(&old).contains(&format!("Schema version: {SCHEMA_VERSION}")),
        "migrated"
    );
    let mut store = Store::open(&old).unwrap();
    let key = store.invite_key().unwrap();
    store
        .add_invites(
            &round,
            Role::Staff,
            &[invite::hash("K7QM4RTX", &key)],
            Utc::now(),
        )
        .unwrap();
    drop(store);
    same_schema_as_a_new_database(&old);
}

/// Whoever may read the database (a group member with `share --read-only`) finds there no
/// code's bare SHA-256, which 40 bits would give away in hours, but its Argon2id under the
/// database's own random key: without that key the hash cannot be checked at all.
#[test]
fn a_codes_stored_hash_is_not_its_sha256_and_needs_the_databases_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    seeded_round(&db);
    let codes = invite_codes(&db, 3, "staff");
    let stored = schemes(&db);
    assert_eq!(stored.len(), 3);
    for (code, (hash, scheme)) in codes.iter().zip(&stored) {
        let code = invite::read(code).unwrap();
        assert_ne!(
            *hash,
            sha256_hex(&code),
            "{code}: the bare SHA-256 is stored"
        );
        assert_eq!(scheme, "argon2id");
        assert_eq!(*hash, invite::hash(&code, &key_of(&db)));
        assert_ne!(
            *hash,
            invite::hash(&code, &[0; invite::KEY_LEN]),
            "needs the key"
        );
    }
    // Another database has another key: the same code is another hash there.
    let other = dir.path().join("other.db");
    seeded_round(&other);
    invite_codes(&other, 1, "staff");
    assert_ne!(key_of(&db), key_of(&other));
    // More codes later are hashed under the same key, and all still open their walks.
    invite_codes(&db, 1, "staff");
    let mut store = Store::open(&db).unwrap();
    assert_eq!(store.invite_key().unwrap(), key_of(&db));
    for code in &codes {
        assert!(
            redeem(&mut store, code, Utc::now()).unwrap().is_some(),
            "{code}"
        );
    }
}

/// A database of version 6 holds codes as their SHA-256: migrated to version 7 it keeps
/// them so (`code_scheme` 'sha256'), they still open their walks and can be withdrawn, and
/// new codes are made the new way.
#[test]
fn a_version_6_database_is_migrated_to_7_and_its_codes_still_answer() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    let round = seeded_round(&old);
    let codes = ["K7QM4RTX", "ABCD2345"];
    {
        // The database as version 6 made it: no key, no positions, the invite table of its migration,
        // and the codes' bare SHA-256 in it.
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.execute_batch("DROP TABLE invite; DROP TABLE invite_key;")
            .unwrap();
        drop_since_needs(&conn);
        conn.execute_batch(include_str!(
            "../src/store/sqlite/migrations/006_invites.sql"
        ))
        .unwrap();
        conn.execute_batch("PRAGMA user_version = 6;").unwrap();
        for (n, code) in codes.iter().enumerate() {
            conn.execute(
                "INSERT INTO invite (id, round_id, role, code_hash, created_at)
                 VALUES (?1, ?2, 'staff', ?3, '2026-03-09T10:00:00Z')",
                rusqlite::params![format!("old{n}"), round, sha256_hex(code)],
            )
            .unwrap();
        }
    }
    let stdout = checked(&old);
    assert!(
        stdout.contains(&format!("Schema version: {SCHEMA_VERSION}")),
        "{stdout}"
    );

    let mut store = Store::open(&old).unwrap();
    let claimed = redeem(&mut store, "k7qm-4rtx", Utc::now())
        .unwrap()
        .expect("an old code still opens its walk");
    assert_eq!(claimed.respondent.role, Role::Staff);
    assert_eq!(claimed.respondent.code.len(), 5, "{:?}", claimed.respondent);
    let again = redeem(&mut store, "K7QM4RTX", Utc::now()).unwrap().unwrap();
    assert_eq!(again.respondent, claimed.respondent);
    drop(store);
    let withdrawn = run_cli(&["invite", "--withdraw", "ABCD-2345"], &old, "en");
    assert!(withdrawn.contains("ABCD-2345"), "{withdrawn}");
    invite_codes(&old, 1, "staff");
    let stored = schemes(&old);
    let schemes: Vec<&str> = stored.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(schemes, ["sha256", "sha256", "argon2id"]);
    assert!(invites(&old)[1].2.is_some(), "the old code was withdrawn");

    same_schema_as_a_new_database(&old);
}

/// The seeded round's staff member by `code` answers every readiness item with `value`, as
/// `kartlegg answer` saves it.
fn answer_readiness(db: &Path, code: &str, value: u8) {
    use kartlegg::domain::instrument::Instrument;
    use kartlegg::domain::model::Response;
    use kartlegg::store::Answers;
    let mut store = Store::open(db).unwrap();
    let code = invite::read(code).unwrap();
    let key = store.invite_key().unwrap();
    let who = store
        .claim_invite(&invite::hashes(&code, &key), Utc::now())
        .unwrap()
        .expect("the code opens a walk");
    for item in Instrument::standard().items() {
        if item.section.key == "readiness" {
            store
                .save_response(
                    &who.id,
                    &item.item.key,
                    Some(Response::Score(value)),
                    Utc::now(),
                )
                .unwrap();
        }
    }
}

/// `compare --format json` of the seeded round.
fn compared(db: &Path) -> serde_json::Value {
    let out = run_cli(
        &[
            "compare",
            "--service",
            SERVICE,
            "--from",
            ROUND,
            "--to",
            ROUND,
            "--format",
            "json",
        ],
        db,
        "en",
    );
    serde_json::from_str(&out).unwrap()
}

/// The reviewer's attack of issue 13: compare the figures before and after a fourth by code
/// answers (or one changes an answer). While answering by code is open, nothing by code
/// counts, so the two moments are the same; `--close` brings them all in at once.
#[test]
fn two_moments_give_away_no_respondent_by_code_until_answering_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    seeded_round(&db);
    let codes = invite_codes(&db, 5, "staff");
    for (code, value) in codes.iter().zip([1, 2, 3]) {
        answer_readiness(&db, code, value);
    }
    let before = compared(&db);
    assert_eq!(before["to"]["respondents"], 0, "no one by code counts yet");
    answer_readiness(&db, &codes[3], 5);
    assert_eq!(compared(&db), before, "a fourth by code moves no figure");
    answer_readiness(&db, &codes[0], 4);
    assert_eq!(compared(&db), before, "a changed answer by code moves none");
    run_cli(&["invite", "--withdraw", &codes[4]], &db, "en");
    assert_eq!(
        compared(&db),
        before,
        "one code withdrawn, others open: none"
    );

    let out = run_en(
        &["invite", "--service", SERVICE, "--round", ROUND, "--close"],
        &db,
    );
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("4 codes withdrawn") && said.contains("The 4 who answered by code now count"),
        "{said}"
    );
    let after = compared(&db);
    assert_eq!(after["to"]["respondents"], 4, "{after}");
    let readiness = after["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "readiness")
        .unwrap();
    // The four by code at 4, 2, 3 and 5: (3 + 1 + 2 + 4) / 16 of the scale, 62.5 %, shown
    // whole.
    assert_eq!(readiness["answers"]["to"]["score"], 63.0, "{readiness}");
}

#[test]
fn closing_withdraws_every_open_code_and_a_closed_round_takes_no_code_nor_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    seeded_round(&db);
    let close = ["invite", "--service", SERVICE, "--round", ROUND, "--close"];
    let none = run_en(&close, &db);
    assert_eq!(none.status.code(), Some(1), "{none:?}");
    assert!(
        String::from_utf8_lossy(&none.stderr).contains("has no codes; there is nothing to close"),
        "{none:?}"
    );
    let codes = invite_codes(&db, 3, "staff");
    answer_readiness(&db, &codes[0], 4);
    let out = run_cli(&close, &db, "nb");
    assert!(
        out.contains("3 koder trukket tilbake")
            && out.contains("Bare 1 svarte med kode, færre enn 3: de telles ikke"),
        "{out}"
    );
    assert!(
        invites(&db)
            .iter()
            .all(|(_, _, withdrawn)| withdrawn.is_some())
    );
    let mut store = Store::open(&db).unwrap();
    let key = store.invite_key().unwrap();
    for code in &codes {
        let code = invite::read(code).unwrap();
        let claimed = store
            .claim_invite(&invite::hashes(&code, &key), Utc::now())
            .unwrap();
        assert!(claimed.is_none(), "a code of a closed round opens nothing");
    }
    drop(store);
    let again = run_cli(&close, &db, "en");
    assert!(again.contains("was closed already"), "{again}");
    let stored = database_bytes(&db);
    let more = run_en(&invite("1", &[]), &db);
    assert_eq!(more.status.code(), Some(1), "{more:?}");
    assert!(
        String::from_utf8_lossy(&more.stderr).contains("no new codes are made"),
        "{more:?}"
    );
    assert!(more.stdout.is_empty(), "{more:?}");
    assert_eq!(database_bytes(&db), stored, "nothing written");
}

/// Each code is hashed slowly on purpose: making many says so first, rather than sitting
/// silent for seconds; a few are made without a word more.
#[test]
fn making_many_codes_says_so_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    seeded_round(&db);
    let many = run_en(&invite("50", &[]), &db);
    assert!(many.status.success(), "{many:?}");
    let said = String::from_utf8_lossy(&many.stderr);
    assert!(said.starts_with("kartlegg: Making 50 codes"), "{said}");
    let few = run_en(&invite("3", &[]), &db);
    assert!(!String::from_utf8_lossy(&few.stderr).contains("Making"));
}

/// The store itself refuses new codes for a closed round, in the write: no code slips in
/// between the command's early answer and its transaction.
#[test]
fn the_store_takes_no_new_codes_for_a_closed_round() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let round = seeded_round(&db);
    let mut store = Store::open(&db).unwrap();
    let hash = |i: u32| format!("{i:064}");
    store
        .add_invites(&round, Role::Staff, &[hash(1)], Utc::now())
        .unwrap();
    store.close_invites(&round, Utc::now()).unwrap();
    let refused = store.add_invites(&round, Role::Staff, &[hash(2)], Utc::now());
    assert!(
        matches!(refused, Err(kartlegg::store::StoreError::AnsweringClosed)),
        "{refused:?}"
    );
    drop(store);
    assert_eq!(invites(&db).len(), 1, "nothing added");
}
