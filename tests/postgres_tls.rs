//! TLS to a server, as `sslmode` asks: the real binary against a throwaway server that takes
//! TLS alone on a loopback port, with a certificate of its own.

mod common;

use std::path::Path;
use std::process::Output;

fn check(url: &str, env: &[(&str, &Path)]) -> Output {
    let mut command = common::kartlegg();
    command.args(["--lang", "en", "--db", url, "check"]);
    for (name, value) in env {
        command.env(name, value);
    }
    command
        .env_remove("PGSSLROOTCERT")
        .env("HOME", "/nonexistent");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn tls_is_used_as_sslmode_asks_and_a_certificate_no_root_vouches_for_is_refused() {
    let server = common::postgres::Server::own_with_tls();
    let database = server.database();
    kartlegg::store::postgres::PgStore::init(&database.url).unwrap();

    // This server takes TCP with TLS alone: a connection without it is refused.
    let plain = check(&server.tls_url(&database.name, "disable"), &[]);
    assert!(!plain.status.success(), "{}", said(&plain));

    // require: encrypted, whoever answers (libpq's meaning).
    let require = check(&server.tls_url(&database.name, "require"), &[]);
    assert!(require.status.success(), "{}", said(&require));
    assert!(said(&require).contains("Services: 0"), "{}", said(&require));

    // verify-full: only with a root that vouches for the server's certificate and name.
    let root = server.certificate();
    let verified = check(
        &server.tls_url(&database.name, "verify-full"),
        &[("PGSSLROOTCERT", &root)],
    );
    assert!(verified.status.success(), "{}", said(&verified));
    let other = tempfile::tempdir().unwrap();
    let stranger = other.path().join("other.crt");
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(other.path().join("other.key"))
        .arg("-out")
        .arg(&stranger)
        .output()
        .unwrap();
    assert!(made.status.success());
    let refused = check(
        &server.tls_url(&database.name, "verify-full"),
        &[("PGSSLROOTCERT", &stranger)],
    );
    assert!(!refused.status.success(), "{}", said(&refused));
    assert!(
        said(&refused).contains("certificate") || said(&refused).contains("TLS"),
        "{}",
        said(&refused)
    );
}
