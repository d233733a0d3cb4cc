//! The languages kartlegg speaks, and one text in each of them: what the instrument's own
//! texts are made of, so that the domain needs nothing of the table of texts (`i18n`).

use std::fmt;

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Nb,
    Nn,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Nb, Lang::Nn, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::Nn => "nn",
            Lang::En => "en",
        }
    }

    /// Parses `nb`, `nn`, `en`, or a POSIX locale such as `nn_NO.UTF-8`.
    pub fn parse(value: &str) -> Option<Lang> {
        let lower = value.trim().to_ascii_lowercase();
        let head = lower.split(['_', '-', '.', '@']).next().unwrap_or("");
        match head {
            "nb" | "no" => Some(Lang::Nb),
            "nn" => Some(Lang::Nn),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language from the environment, as a user's shell sets it; bokmål otherwise.
    pub fn from_env_vars(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| get(name))
            .find(|value| !value.is_empty())
            .and_then(|value| Lang::parse(&value))
            .unwrap_or_default()
    }

    /// Where a missing text is looked for next: nn → nb → en, nb → en, en → nb.
    fn fallbacks(self) -> &'static [Lang] {
        match self {
            Lang::Nn => &[Lang::Nn, Lang::Nb, Lang::En],
            Lang::Nb => &[Lang::Nb, Lang::En],
            Lang::En => &[Lang::En, Lang::Nb],
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One text in every language; used by the texts table and by the instrument.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    #[serde(default)]
    pub nb: String,
    #[serde(default)]
    pub nn: String,
    #[serde(default)]
    pub en: String,
}

impl Localized {
    pub fn exact(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nb => &self.nb,
            Lang::Nn => &self.nn,
            Lang::En => &self.en,
        }
    }

    /// The text in `lang`, or the first non-empty one along the fallback chain.
    pub fn get(&self, lang: Lang) -> &str {
        lang.fallbacks()
            .iter()
            .map(|l| self.exact(*l))
            .find(|text| !text.is_empty())
            .unwrap_or("")
    }

    pub fn is_complete(&self) -> bool {
        Lang::ALL.iter().all(|l| !self.exact(*l).trim().is_empty())
    }
}
