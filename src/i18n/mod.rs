//! The texts users see: one table (`texts.toml`) with every language side by side.
//!
//! Lookup falls back nn → nb → en → the key itself, so a missing translation shows
//! something readable rather than nothing; a test makes sure none is missing.

pub mod plan_names;

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

// The languages and a text in each live in the domain, which the instrument's texts need;
// here, the table of every other text.
pub use crate::domain::lang::{Lang, Localized};

const TEXTS_TOML: &str = include_str!("texts.toml");

static TEXTS: LazyLock<HashMap<String, Localized>> =
    LazyLock::new(|| parse_texts(TEXTS_TOML).expect("texts.toml is checked by a unit test"));

/// Reads the table: `[walk.saved]` with `nb`, `nn`, `en` becomes the key `walk.saved`.
fn parse_texts(source: &str) -> Result<HashMap<String, Localized>, String> {
    fn walk(
        prefix: &str,
        table: toml::Table,
        out: &mut HashMap<String, Localized>,
    ) -> Result<(), String> {
        if table.contains_key("nb") {
            let text = toml::Value::Table(table)
                .try_into::<Localized>()
                .map_err(|e| format!("{prefix}: {}", e.message()))?;
            out.insert(prefix.to_string(), text);
            return Ok(());
        }
        for (name, value) in table {
            let key = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}.{name}")
            };
            match value {
                toml::Value::Table(inner) => walk(&key, inner, out)?,
                _ => return Err(format!("{key}: expected a table of languages")),
            }
        }
        Ok(())
    }
    let table: toml::Table = toml::from_str(source).map_err(|e| e.message().to_string())?;
    let mut out = HashMap::new();
    walk("", table, &mut out)?;
    Ok(out)
}

/// The text for `key` in `lang`; the key itself when the table has no such key.
pub fn tr(lang: Lang, key: &str) -> &str {
    match TEXTS.get(key) {
        Some(text) => text.get(lang),
        None => key,
    }
}

/// `tr` with `{name}` placeholders filled in.
pub fn trf(lang: Lang, key: &str, args: &[(&str, &dyn fmt::Display)]) -> String {
    let mut text = tr(lang, key).to_string();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), &value.to_string());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> HashMap<String, Localized> {
        parse_texts(TEXTS_TOML).expect("texts.toml parses")
    }

    #[test]
    fn malformed_tables_are_refused() {
        assert!(parse_texts("[a]\nx = 1").is_err());
        assert!(parse_texts("[a]\nnb = 1").is_err());
        assert!(parse_texts("[a]\nnb = \"x\"\nde = \"y\"").is_err());
        assert_eq!(parse_texts("[a.b]\nnb = \"x\"").unwrap()["a.b"].nb, "x");
    }

    #[test]
    fn every_text_has_every_language() {
        let missing: Vec<String> = table()
            .iter()
            .flat_map(|(key, text)| {
                Lang::ALL
                    .iter()
                    .filter(|l| text.exact(**l).trim().is_empty())
                    .map(move |l| format!("{key}:{l}"))
            })
            .collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }

    #[test]
    fn placeholders_agree_across_languages() {
        let placeholders = |s: &str| {
            let mut found: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
                .collect();
            found.sort();
            found
        };
        for (key, text) in table() {
            let nb = placeholders(&text.nb);
            assert_eq!(nb, placeholders(&text.nn), "{key}: nn placeholders differ");
            assert_eq!(nb, placeholders(&text.en), "{key}: en placeholders differ");
        }
    }

    /// Every literal in the sources that looks like a text key (`"walk.saved"`: a section
    /// of the table, a dot, a name) names a key the table has.
    #[test]
    fn every_key_used_in_code_exists() {
        let table = table();
        let sections: std::collections::HashSet<&str> =
            table.keys().filter_map(|k| k.split('.').next()).collect();
        let mut unknown = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let source = std::fs::read_to_string(&path).unwrap();
                // Test code may name keys that must not exist.
                let code = source.split("#[cfg(test)]").next().unwrap_or("");
                for literal in code.split('"').skip(1).step_by(2) {
                    let looks_like_key = literal
                        .split_once('.')
                        .is_some_and(|(head, rest)| sections.contains(head) && !rest.is_empty())
                        && literal
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_');
                    if looks_like_key && !table.contains_key(literal) {
                        unknown.push(format!("{}: {literal}", path.display()));
                    }
                }
            }
        }
        assert!(
            unknown.is_empty(),
            "keys missing from texts.toml: {unknown:?}"
        );
    }

    /// Slips once found in the Norwegian texts, kept from coming back: the noun is "skåre",
    /// not "skår"; a band "bør prioriteres", not the imperative "prioriter"; a group "blir
    /// enig" (it is one). In the texts table and in the instrument.
    #[test]
    fn norwegian_texts_keep_clear_of_known_slips() {
        fn norwegian(value: &toml::Value, path: &str, out: &mut Vec<(String, String)>) {
            match value {
                toml::Value::Table(table) => {
                    for (key, inner) in table {
                        match (key.as_str(), inner) {
                            ("nb" | "nn", toml::Value::String(text)) => {
                                out.push((format!("{path}:{key}"), text.clone()))
                            }
                            _ => norwegian(inner, &format!("{path}.{key}"), out),
                        }
                    }
                }
                toml::Value::Array(items) => {
                    for (i, inner) in items.iter().enumerate() {
                        norwegian(inner, &format!("{path}[{i}]"), out);
                    }
                }
                _ => {}
            }
        }
        let mut texts = Vec::new();
        for source in [TEXTS_TOML, include_str!("../domain/instrument.toml")] {
            norwegian(&toml::from_str(source).unwrap(), "", &mut texts);
        }
        assert!(texts.len() > 1000, "every text is read: {}", texts.len());
        let mut slips = Vec::new();
        for (key, text) in &texts {
            let lower = text.to_lowercase();
            let words: Vec<&str> = lower.split(|c: char| !c.is_alphabetic()).collect();
            for word in ["skår", "prioriter"] {
                if words.contains(&word) {
                    slips.push(format!("{key}: «{word}» in {text:?}"));
                }
            }
            for phrase in ["gruppen blir enige", "gruppen ble enige"] {
                if lower.contains(phrase) {
                    slips.push(format!("{key}: «{phrase}» in {text:?}"));
                }
            }
        }
        assert!(slips.is_empty(), "{slips:#?}");
    }

    #[test]
    fn fallback_chain() {
        let text = Localized {
            nb: "bokmål".into(),
            nn: String::new(),
            en: "english".into(),
        };
        assert_eq!(text.get(Lang::Nn), "bokmål");
        assert_eq!(text.get(Lang::En), "english");
        assert_eq!(tr(Lang::En, "no.such.key"), "no.such.key");
    }

    #[test]
    fn language_from_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Lang::from_env_vars(env(&[("LANG", "nn_NO.UTF-8")])),
            Lang::Nn
        );
        assert_eq!(
            Lang::from_env_vars(env(&[("LANG", "en_GB.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_env_vars(env(&[("LC_ALL", "nb_NO.UTF-8"), ("LANG", "en_US")])),
            Lang::Nb
        );
        assert_eq!(Lang::from_env_vars(env(&[("LANG", "C.UTF-8")])), Lang::Nb);
        assert_eq!(Lang::from_env_vars(env(&[])), Lang::Nb);
    }
}
