//! The arrows of the house (STYLE.md): the domain is a leaf, only the store's SQLite
//! implementation names the database driver, and the two faces (the full-screen program and the commands) never import
//! each other; `main` picks the face.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The files under `folder` (relative to src/) whose code names one of `names`.
fn naming(folder: &str, names: &[&str]) -> Vec<String> {
    rust_files(&src().join(folder))
        .into_iter()
        .filter(|file| {
            let code = fs::read_to_string(file).unwrap();
            names.iter().any(|name| code.contains(name))
        })
        .map(|file| file.strip_prefix(src()).unwrap().display().to_string())
        .collect()
}

#[test]
fn only_the_sqlite_backend_names_the_database_driver() {
    let outside: Vec<String> = naming("", &["rusqlite"])
        .into_iter()
        .filter(|file| !file.starts_with("store/sqlite/"))
        .collect();
    assert!(
        outside.is_empty(),
        "rusqlite named outside src/store/sqlite: {outside:?}"
    );
}

#[test]
fn the_domain_imports_nothing_else_of_the_crate() {
    let leaks: Vec<String> = rust_files(&src().join("domain"))
        .into_iter()
        .filter(|file| {
            let code = fs::read_to_string(file).unwrap();
            code.match_indices("crate::")
                .any(|(at, _)| !code[at..].starts_with("crate::domain"))
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(
        leaks.is_empty(),
        "the domain imports from outside itself: {leaks:?}"
    );
}

#[test]
fn the_two_faces_never_import_each_other() {
    assert_eq!(
        naming("cli", &["crate::ui", "super::ui"]),
        Vec::<String>::new()
    );
    assert_eq!(
        naming("ui", &["crate::cli", "super::cli"]),
        Vec::<String>::new()
    );
}

/// The store and the exchange say what happened in plain types; the faces' `messages` says it
/// in the user's language. Neither translates, and neither reaches up to the faces.
#[test]
fn the_store_and_the_exchange_never_translate_nor_reach_up() {
    for room in ["store", "exchange"] {
        assert_eq!(
            naming(room, &["trf(", "tr(lang", "tr(Lang", "crate::messages"]),
            Vec::<String>::new(),
            "{room} translates"
        );
        assert_eq!(
            naming(room, &["crate::ui", "crate::cli", "crate::start"]),
            Vec::<String>::new(),
            "{room} reaches up"
        );
    }
    // Numbers in the exchange's CSV are written as every face writes them (`present`);
    // the store writes none.
    assert_eq!(naming("store", &["crate::present"]), Vec::<String>::new());
    // The store uses the exchange's format; the format knows no store.
    assert_eq!(naming("exchange", &["crate::store"]), Vec::<String>::new());
}

#[test]
fn the_use_cases_import_neither_face() {
    assert_eq!(
        naming(
            "usecase",
            &["crate::ui", "crate::cli", "super::ui", "super::cli"]
        ),
        Vec::<String>::new()
    );
}
