//! The arrows of the house (STYLE.md): the domain is a leaf, only the store's SQLite
//! implementation names the database driver, and the two faces (the full-screen program and
//! the commands) never import each other; `main` picks the face. Inside the full-screen
//! program no modules import each other in a circle: the router uses the screens, a screen
//! only the leaves beneath it.

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

/// The modules of `src/ui` that one file of it uses, found as `tests` above find them: by
/// the paths its code names (`crate::ui::…`, `super::…`, a `{…}` group after either), each
/// taken to the longest of them that is a module of its own. `mod` lines declare, they do
/// not use; `super::*` (a test module's own parent) is no arrow.
fn ui_imports(file: &Path, modules: &[Vec<String>]) -> Vec<Vec<String>> {
    let own = ui_module(file);
    // What `super` is from this file: the module above it (a `mod.rs` is its folder).
    let parent = own[..own.len().saturating_sub(1)].to_vec();
    let code = fs::read_to_string(file).unwrap();
    let mut found = Vec::new();
    for (prefix, base) in [("crate::ui::", Vec::new()), ("super::", parent)] {
        for (at, _) in code.match_indices(prefix) {
            // The second `super` of `super::super::` is part of the first one's path.
            if prefix == "super::" && code[..at].ends_with("::") {
                continue;
            }
            let rest = &code[at + prefix.len()..];
            let paths: Vec<&str> = match rest.strip_prefix('{') {
                Some(group) => group[..group.find('}').unwrap_or(group.len())]
                    .split(',')
                    .collect(),
                None => vec![rest],
            };
            for path in paths {
                let segments: Vec<String> = path
                    .trim()
                    .split("::")
                    .map_while(|s| {
                        let name: String = s
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        (!name.is_empty() && name != "self").then_some(name)
                    })
                    .collect();
                if path.trim_start().starts_with('*') {
                    continue;
                }
                let mut target = base.clone();
                target.extend(segments);
                while !modules.contains(&target) {
                    target.pop();
                }
                if target != own && !found.contains(&target) {
                    found.push(target);
                }
            }
        }
    }
    found
}

/// A file's module path under `src/ui`: `ui/screen/walk.rs` is `["screen", "walk"]`,
/// `ui/mod.rs` is `[]`.
fn ui_module(file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src().join("ui")).unwrap();
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn ui_graph() -> Vec<(Vec<String>, Vec<Vec<String>>)> {
    let files = rust_files(&src().join("ui"));
    let modules: Vec<Vec<String>> = files.iter().map(|f| ui_module(f)).collect();
    files
        .iter()
        .map(|file| (ui_module(file), ui_imports(file, &modules)))
        .collect()
}

#[test]
fn no_import_circle_in_the_full_screen_program() {
    let graph = ui_graph();
    let uses = |module: &Vec<String>| {
        graph
            .iter()
            .find(|(m, _)| m == module)
            .map(|(_, to)| to.clone())
            .unwrap_or_default()
    };
    // Depth first from every module; a module met again on the path is a circle.
    fn walk(
        module: &Vec<String>,
        path: &mut Vec<Vec<String>>,
        done: &mut Vec<Vec<String>>,
        uses: &dyn Fn(&Vec<String>) -> Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        if let Some(start) = path.iter().position(|m| m == module) {
            return Some(path[start..].to_vec());
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.clone());
        for next in uses(module) {
            if let Some(circle) = walk(&next, path, done, uses) {
                return Some(circle);
            }
        }
        path.pop();
        done.push(module.clone());
        None
    }
    let mut done = Vec::new();
    for (module, _) in &graph {
        let circle = walk(module, &mut Vec::new(), &mut done, &uses);
        assert_eq!(
            circle, None,
            "modules of src/ui that import each other in a circle"
        );
    }
    // The check sees arrows: the router uses the screens, a screen uses the context.
    assert!(uses(&vec!["app".to_string()]).contains(&vec!["screen".into(), "walk".into()]));
    assert!(uses(&vec!["screen".into(), "walk".into()]).contains(&vec!["context".to_string()]));
}

#[test]
fn a_screen_imports_no_other_screen_and_not_the_router() {
    let router = ["app", "view", "terminal", "launch"];
    for (module, uses) in ui_graph() {
        if module.first().is_none_or(|m| m != "screen") || module.len() == 1 {
            continue;
        }
        for used in uses {
            let forbidden = used.is_empty()
                || used.first().is_some_and(|m| m == "screen")
                || router.contains(&used[0].as_str());
            assert!(
                !forbidden,
                "ui/{} imports ui/{}: a screen gets what it needs from ui/context.rs and the \
                 leaves, and asks the router for the rest through an Outcome",
                module.join("/"),
                used.join("/")
            );
        }
    }
}

#[test]
fn the_keys_know_only_the_leaves() {
    let leaves = ["action", "status", "widgets", "form"];
    let graph = ui_graph();
    let (_, uses) = graph
        .iter()
        .find(|(m, _)| m == &vec!["keys".to_string()])
        .expect("ui/keys.rs");
    assert!(uses.contains(&vec!["action".to_string()]));
    for used in uses {
        assert!(
            used.len() == 1 && leaves.contains(&used[0].as_str()),
            "ui/keys.rs imports ui/{}",
            used.join("/")
        );
    }
}
