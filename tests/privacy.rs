//! Promise 5, the part no run can show: kartlegg connects to no network unless you name a
//! server. It has no code that opens a connection itself, and the only crates made for the
//! network are the server backend's, used in `src/store/postgres` alone, which is reached
//! only for a `postgres://` address; this test keeps it so, by reading the sources and the
//! manifest.

use std::fs;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn no_code_opens_a_network_connection() {
    let mut files = Vec::new();
    rust_files(&Path::new(ROOT).join("src"), &mut files);
    assert!(files.len() > 10, "the sources are where they were");
    let network = [
        "std::net",
        "TcpStream",
        "TcpListener",
        "UdpSocket",
        "ToSocketAddrs",
        "UnixDatagram",
    ];
    let mut found = Vec::new();
    for file in &files {
        let source = fs::read_to_string(file).unwrap();
        for word in network {
            if source.contains(word) {
                found.push(format!("{}: {word}", file.display()));
            }
        }
    }
    assert!(found.is_empty(), "network code: {found:?}");
}

/// The crates that reach a server: the PostgreSQL client and its TLS.
const SERVER_CRATES: [&str; 4] = [
    "postgres",
    "rustls",
    "rustls-native-certs",
    "tokio-postgres-rustls",
];

#[test]
fn only_the_server_backend_uses_the_crates_that_reach_a_server() {
    let mut files = Vec::new();
    rust_files(&Path::new(ROOT).join("src"), &mut files);
    let server = Path::new(ROOT).join("src/store/postgres");
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&server)) {
        let source = fs::read_to_string(file).unwrap();
        for name in SERVER_CRATES {
            let path = format!("{}::", name.replace('-', "_"));
            // `crate::store::postgres::…` is kartlegg's own module, not the crate.
            let uses = source.match_indices(&path).any(|(at, _)| {
                let before = &source[..at];
                !before.ends_with("::")
                    && !before.ends_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if uses {
                found.push(format!("{}: {name}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "server crates outside the server backend: {found:?}"
    );
}

#[test]
fn no_dependency_is_made_for_the_network_but_the_servers() {
    let manifest: toml::Table = fs::read_to_string(Path::new(ROOT).join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let dependencies = manifest["dependencies"].as_table().unwrap();
    let network = [
        "reqwest",
        "hyper",
        "ureq",
        "curl",
        "isahc",
        "surf",
        "attohttpc",
        "tokio",
        "async-std",
        "mio",
        "socket2",
        "rustls",
        "native-tls",
        "openssl",
        "websocket",
        "tungstenite",
        "lettre",
        "sentry",
        "opentelemetry",
    ];
    let found: Vec<&String> = dependencies
        .keys()
        .filter(|name| network.contains(&name.as_str()) && !SERVER_CRATES.contains(&name.as_str()))
        .collect();
    assert!(found.is_empty(), "network crates: {found:?}");
    for name in SERVER_CRATES {
        assert!(
            dependencies.contains_key(name),
            "{name} is the server's: still needed?"
        );
    }
}
