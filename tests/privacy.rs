//! Promise 5, the part no run can show: nothing is ever sent over a network. kartlegg has
//! no code that opens a connection and depends on no crate made for it; this test keeps
//! it so, by reading the sources and the manifest.

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

#[test]
fn no_dependency_is_made_for_the_network() {
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
        .filter(|name| network.contains(&name.as_str()))
        .collect();
    assert!(found.is_empty(), "network crates: {found:?}");
}
