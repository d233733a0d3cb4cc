//! `kartlegg server …` and the other commands on a server's database, as a centre's IT and
//! its consultants run them: the real binary against the throwaway server.

mod common;

use std::process::Output;

fn run(url: &str, args: &[&str]) -> Output {
    common::kartlegg()
        .env("KARTLEGG_DB", url)
        .env_remove("PGPASSWORD")
        .args(["--lang", "en"])
        .args(args)
        .output()
        .unwrap()
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn init_makes_the_schema_once_and_every_command_then_works_on_the_server() {
    let database = common::postgres::database();
    let before = run(&database.url, &["check"]);
    assert!(!before.status.success());
    assert!(said(&before).contains("server init"), "{}", said(&before));

    let init = run(&database.url, &["server", "init"]);
    assert!(init.status.success(), "{}", said(&init));
    assert!(
        said(&init).contains("is made on postgres://"),
        "{}",
        said(&init)
    );
    let again = run(&database.url, &["server", "init"]);
    assert!(said(&again).contains("already"), "{}", said(&again));

    let demo = run(&database.url, &["demo"]);
    assert!(demo.status.success(), "{}", said(&demo));
    let check = run(&database.url, &["check"]);
    assert!(check.status.success(), "{}", said(&check));
    assert!(said(&check).contains("Services: 4"), "{}", said(&check));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("all.json");
    let export = run(
        &database.url,
        &[
            "export",
            "--format",
            "json",
            "--identified",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(export.status.success(), "{}", said(&export));
    // The file travels to a machine's own database and back to another server database.
    let local = dir.path().join("local.db");
    let local = local.to_str().unwrap();
    assert!(
        run(local, &["import", file.to_str().unwrap()])
            .status
            .success()
    );
    let other = common::postgres::database();
    assert!(run(&other.url, &["server", "init"]).status.success());
    let import = run(&other.url, &["import", file.to_str().unwrap()]);
    assert!(import.status.success(), "{}", said(&import));
    let counts = |url: &str| {
        let out = said(&run(url, &["check"]));
        out.lines()
            .find(|l| l.starts_with("Services"))
            .unwrap()
            .to_string()
    };
    assert_eq!(counts(&other.url), counts(&database.url));
    assert_eq!(counts(local), counts(&database.url));
}

#[test]
fn granting_names_what_a_role_reaches_and_refuses_what_is_not_there() {
    let database = common::postgres::database();
    assert!(run(&database.url, &["server", "init"]).status.success());
    assert!(run(&database.url, &["demo"]).status.success());
    let none = run(&database.url, &["server", "grants"]);
    assert!(said(&none).contains("No duties"), "{}", said(&none));

    let dir = tempfile::tempdir().unwrap();
    let password = dir.path().join("pw");
    std::fs::write(&password, "lang-nok-passord\n").unwrap();
    let role = format!("c_{}", database.name);
    let grant = run(
        &database.url,
        &[
            "server",
            "grant",
            "consultant",
            "--role",
            &role,
            "--cluster",
            "Demo: klynge Innlandet",
            "--new-login",
            "--password-file",
            password.to_str().unwrap(),
        ],
    );
    assert!(grant.status.success(), "{}", said(&grant));
    let grants = said(&run(&database.url, &["server", "grants"]));
    assert!(
        grants.contains(&format!(
            "{role}\tconsultant of the cluster\tDemo: klynge Innlandet"
        )),
        "{grants}"
    );

    let nowhere = run(
        &database.url,
        &[
            "server",
            "grant",
            "leader",
            "--role",
            &role,
            "--service",
            "Nowhere",
        ],
    );
    assert!(!nowhere.status.success());
    assert!(said(&nowhere).contains("Nowhere"), "{}", said(&nowhere));
    let without = run(
        &database.url,
        &["server", "grant", "consultant", "--role", &role],
    );
    assert_eq!(without.status.code(), Some(2), "{}", said(&without));
    assert!(said(&without).contains("--cluster"));

    let revoke = run(
        &database.url,
        &[
            "server",
            "revoke",
            "consultant",
            "--role",
            &role,
            "--cluster",
            "Demo: klynge Innlandet",
        ],
    );
    assert!(revoke.status.success(), "{}", said(&revoke));
    assert!(said(&run(&database.url, &["server", "grants"])).contains("No duties"));
    let twice = run(
        &database.url,
        &[
            "server",
            "revoke",
            "consultant",
            "--role",
            &role,
            "--cluster",
            "Demo: klynge Innlandet",
        ],
    );
    assert!(!twice.status.success());
}

#[test]
fn server_commands_need_a_server_address() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("k.db");
    let out = run(file.to_str().unwrap(), &["server", "init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(said(&out).contains("is no server"), "{}", said(&out));
    assert!(!file.exists(), "nothing made at the path");
}
