//! The instrument: sections, subdomains and items, loaded from embedded data
//! (`instrument.toml`) so that texts and structure are edited in one place.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::Deserialize;

use super::lang::{Lang, Localized};

/// The longest a section's short name may be.
pub const SHORT_NAME_CHARS: usize = 4;

const STANDARD_TOML: &str = include_str!("instrument.toml");

static STANDARD: LazyLock<Instrument> = LazyLock::new(|| {
    Instrument::from_toml(STANDARD_TOML).expect("the embedded instrument is checked by a unit test")
});

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    pub key: String,
    pub version: String,
    pub name: Localized,
    pub about: Localized,
    pub scales: Vec<Scale>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub key: String,
    pub points: Vec<ScalePoint>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalePoint {
    pub value: u8,
    pub label: Localized,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub key: String,
    pub scale: String,
    pub name: Localized,
    /// At most `SHORT_NAME_CHARS` characters, distinct in each language: a column heading
    /// where the name has no room (the cluster overview).
    pub short: Localized,
    pub intro: Localized,
    pub subdomains: Vec<Subdomain>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subdomain {
    pub key: String,
    pub name: Localized,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub key: String,
    pub text: Localized,
    pub help: Localized,
}

/// An item together with where it sits, in walk order.
#[derive(Debug, Clone, Copy)]
pub struct ItemRef<'a> {
    /// Position in the whole walk, from 0.
    pub index: usize,
    pub section_index: usize,
    pub section: &'a Section,
    pub subdomain: &'a Subdomain,
    pub item: &'a Item,
    pub scale: &'a Scale,
}

impl ItemRef<'_> {
    /// The key of the item's subdomain, `section.subdomain`, as areas are keyed.
    pub fn area_key(&self) -> String {
        format!("{}.{}", self.section.key, self.subdomain.key)
    }
}

/// A subdomain with its section and the scale its items (and a consensus value) are on.
#[derive(Debug, Clone, Copy)]
pub struct SubdomainRef<'a> {
    pub section: &'a Section,
    pub subdomain: &'a Subdomain,
    pub scale: &'a Scale,
}

impl Scale {
    pub fn min(&self) -> u8 {
        self.points.iter().map(|p| p.value).min().unwrap_or(0)
    }

    pub fn max(&self) -> u8 {
        self.points.iter().map(|p| p.value).max().unwrap_or(0)
    }

    pub fn contains(&self, value: u8) -> bool {
        self.points.iter().any(|p| p.value == value)
    }

    /// Where `value` lies between the scale's lowest (0.0) and highest (1.0) point, so that
    /// scales of different length compare: (v − 1) / 4 on 1–5, v / 2 on 0–2.
    pub fn fraction(&self, value: u8) -> f64 {
        let (min, max) = (f64::from(self.min()), f64::from(self.max()));
        ((f64::from(value) - min) / (max - min)).clamp(0.0, 1.0)
    }
}

impl Instrument {
    /// The instrument kartlegg ships with.
    pub fn standard() -> &'static Instrument {
        &STANDARD
    }

    pub fn from_toml(text: &str) -> Result<Instrument, String> {
        let instrument: Instrument = toml::from_str(text).map_err(|e| e.to_string())?;
        let problems = instrument.problems();
        if problems.is_empty() {
            Ok(instrument)
        } else {
            Err(problems.join("; "))
        }
    }

    pub fn scale(&self, key: &str) -> Option<&Scale> {
        self.scales.iter().find(|s| s.key == key)
    }

    /// The subdomain keyed `section.subdomain` (`scoring::subdomain_key`): the one look-up
    /// of a key for every face, the store and the importer.
    pub fn subdomain(&self, key: &str) -> Option<SubdomainRef<'_>> {
        let (section_key, subdomain_key) = key.split_once('.')?;
        let section = self.sections.iter().find(|s| s.key == section_key)?;
        let subdomain = section.subdomains.iter().find(|d| d.key == subdomain_key)?;
        let scale = self.scale(&section.scale)?;
        Some(SubdomainRef {
            section,
            subdomain,
            scale,
        })
    }

    /// The subdomain that the item keyed `item_key` belongs to.
    pub fn subdomain_of_item(&self, item_key: &str) -> Option<SubdomainRef<'_>> {
        self.sections.iter().find_map(|section| {
            let scale = self.scale(&section.scale)?;
            let subdomain = section
                .subdomains
                .iter()
                .find(|d| d.items.iter().any(|i| i.key == item_key))?;
            Some(SubdomainRef {
                section,
                subdomain,
                scale,
            })
        })
    }

    /// Every subdomain's `section.subdomain` key, in the instrument's order.
    pub fn subdomain_keys(&self) -> Vec<String> {
        self.sections
            .iter()
            .flat_map(|s| {
                s.subdomains
                    .iter()
                    .map(move |d| format!("{}.{}", s.key, d.key))
            })
            .collect()
    }

    /// Every item in walk order.
    pub fn items(&self) -> Vec<ItemRef<'_>> {
        let mut items = Vec::new();
        for (section_index, section) in self.sections.iter().enumerate() {
            let Some(scale) = self.scale(&section.scale) else {
                continue;
            };
            for subdomain in &section.subdomains {
                for item in &subdomain.items {
                    items.push(ItemRef {
                        index: items.len(),
                        section_index,
                        section,
                        subdomain,
                        item,
                        scale,
                    });
                }
            }
        }
        items
    }

    pub fn item_count(&self) -> usize {
        self.sections
            .iter()
            .flat_map(|s| &s.subdomains)
            .map(|d| d.items.len())
            .sum()
    }

    /// What is wrong with the instrument's data, if anything.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut incomplete = |what: &str, text: &Localized| {
            if !text.is_complete() {
                problems.push(format!("{what} lacks a language"));
            }
        };
        incomplete("name", &self.name);
        incomplete("about", &self.about);
        for scale in &self.scales {
            for point in &scale.points {
                incomplete(
                    &format!("scale {} point {}", scale.key, point.value),
                    &point.label,
                );
            }
        }
        for section in &self.sections {
            incomplete(&section.key, &section.name);
            incomplete(&section.key, &section.short);
            incomplete(&section.key, &section.intro);
            for subdomain in &section.subdomains {
                incomplete(
                    &format!("{}.{}", section.key, subdomain.key),
                    &subdomain.name,
                );
                for item in &subdomain.items {
                    incomplete(&item.key, &item.text);
                    incomplete(&item.key, &item.help);
                }
            }
        }

        for scale in &self.scales {
            let values: Vec<u8> = scale.points.iter().map(|p| p.value).collect();
            let contiguous = values.windows(2).all(|w| w[1] == w[0] + 1);
            if values.len() < 2 || !contiguous || scale.max() > 9 {
                problems.push(format!(
                    "scale {} must count up by one, with at least two points, within 0–9",
                    scale.key
                ));
            }
        }
        for lang in Lang::ALL {
            let mut shorts = HashSet::new();
            for section in &self.sections {
                let short = section.short.exact(lang);
                if short.chars().count() > SHORT_NAME_CHARS || !shorts.insert(short) {
                    problems.push(format!(
                        "section {}: short name {short:?} ({}) is longer than {SHORT_NAME_CHARS} \
                         characters or not unique",
                        section.key,
                        lang.code()
                    ));
                }
            }
        }
        let mut keys = HashSet::new();
        for section in &self.sections {
            if self.scale(&section.scale).is_none() {
                problems.push(format!(
                    "section {} has unknown scale {}",
                    section.key, section.scale
                ));
            }
            for subdomain in &section.subdomains {
                if subdomain.items.is_empty() {
                    problems.push(format!("{}.{} has no items", section.key, subdomain.key));
                }
                let prefix = format!("{}.{}.", section.key, subdomain.key);
                for item in &subdomain.items {
                    if !item.key.starts_with(&prefix) {
                        problems.push(format!("item {} is not under {prefix}", item.key));
                    }
                    if !keys.insert(item.key.as_str()) {
                        problems.push(format!("item key {} is not unique", item.key));
                    }
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_found_under_its_subdomain_and_by_its_key() {
        let instrument = Instrument::standard();
        for item in instrument.items() {
            let key = format!("{}.{}", item.section.key, item.subdomain.key);
            let found = instrument.subdomain(&key).expect("a subdomain");
            assert_eq!(found.subdomain.key, item.subdomain.key);
            assert_eq!(found.section.key, item.section.key);
            assert_eq!(found.scale.key, item.scale.key);
            let of_item = instrument
                .subdomain_of_item(&item.item.key)
                .expect("its subdomain");
            assert_eq!(of_item.subdomain.key, item.subdomain.key);
        }
        for key in [
            "",
            "readiness",
            "readiness.",
            ".x",
            "no.such",
            "readiness.no_such",
        ] {
            assert!(instrument.subdomain(key).is_none(), "{key}");
        }
        assert!(instrument.subdomain_of_item("no.such.item").is_none());
    }

    #[test]
    fn the_standard_instrument_is_valid() {
        let instrument = Instrument::from_toml(STANDARD_TOML).expect("valid instrument");
        assert_eq!(instrument.sections.len(), 6);
        assert_eq!(instrument.item_count(), 57);
        assert_eq!(instrument.items().len(), 57);
        let keys: Vec<&str> = instrument.sections.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "readiness",
                "fit",
                "support",
                "competence",
                "leadership",
                "organisation"
            ]
        );
        assert!(
            instrument
                .items()
                .iter()
                .any(|i| i.item.key == "competence.training.2")
        );
    }

    #[test]
    fn scales_map_to_fractions_of_the_maximum() {
        let instrument = Instrument::standard();
        let agree = instrument.scale("agree5").unwrap();
        assert_eq!((agree.min(), agree.max()), (1, 5));
        assert_eq!(agree.fraction(1), 0.0);
        assert_eq!(agree.fraction(4), 0.75);
        let driver = instrument.scale("driver3").unwrap();
        assert_eq!(driver.fraction(1), 0.5);
        assert_eq!(driver.fraction(2), 1.0);
    }

    #[test]
    fn broken_instruments_are_refused() {
        let duplicate = STANDARD_TOML.replacen(
            "readiness.problem_awareness.2",
            "readiness.problem_awareness.1",
            1,
        );
        let err = Instrument::from_toml(&duplicate).unwrap_err();
        assert!(err.contains("not unique"), "{err}");

        let long_short = STANDARD_TOML.replacen("en = \"Fit\"", "en = \"Fitness\"", 1);
        assert_ne!(long_short, STANDARD_TOML);
        let err = Instrument::from_toml(&long_short).unwrap_err();
        assert!(err.contains("short name \"Fitness\" (en)"), "{err}");
        let same_short = STANDARD_TOML.replacen("en = \"Fit\"", "en = \"Read\"", 1);
        assert!(Instrument::from_toml(&same_short).is_err());

        let unknown_scale = STANDARD_TOML.replacen("scale = \"driver3\"", "scale = \"nope\"", 1);
        assert!(
            Instrument::from_toml(&unknown_scale)
                .unwrap_err()
                .contains("unknown scale")
        );

        assert!(Instrument::from_toml("key = 1").is_err());
    }
}
