//! The instrument: sections, subdomains and items, loaded from embedded data
//! (`instrument.toml`) so that texts and structure are edited in one place.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::Deserialize;

use super::lang::{Lang, Localized};
use super::model::{Role, RoundKind};

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
    /// Older versions whose answers this one reads as its own: the same key is the same
    /// item in them, so their rounds compare with this version's on the items they share.
    #[serde(default)]
    pub reads: Vec<String>,
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
    /// The default of its items' `asked`.
    #[serde(default)]
    pub asked: Option<Vec<RoundKind>>,
    /// The default of its items' `answered_by`.
    #[serde(default)]
    pub answered_by: Option<AnsweredBy>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub key: String,
    pub text: Localized,
    pub help: Localized,
    /// The kinds of round it is asked in; every kind when neither it nor its subdomain
    /// says.
    #[serde(default)]
    pub asked: Option<Vec<RoundKind>>,
    /// Who answers it; everyone when neither it nor its subdomain says.
    #[serde(default)]
    pub answered_by: Option<AnsweredBy>,
}

/// Who answers an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnsweredBy {
    Everyone,
    /// A fact only the leader can know (a signed agreement, a data routine); the rest of the
    /// group is covered by the consensus the gathering agrees on.
    Leader,
}

/// Whom an item is put to: a respondent's role in a round of a kind. Which items apply, and
/// so every slot of a tally and every "12 of 57", is a function of this alone
/// (`Subdomain::asks`), the one place it is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Asked {
    pub kind: RoundKind,
    pub role: Role,
}

impl Asked {
    pub fn new(kind: RoundKind, role: Role) -> Asked {
        Asked { kind, role }
    }
}

impl Subdomain {
    /// Whether `item` (one of this subdomain's) is put to `asked`. An answer to an item not
    /// put to its respondent (given before the item said so, or imported) is kept, and
    /// shown in its history, but is no slot and no score: counting it would compare a
    /// before-round with "vet ikke" for what could not yet be known.
    pub fn asks(&self, item: &Item, asked: Asked) -> bool {
        let kinds = item.asked.as_ref().or(self.asked.as_ref());
        let in_kind = kinds.is_none_or(|kinds| kinds.contains(&asked.kind));
        let by = item
            .answered_by
            .or(self.answered_by)
            .unwrap_or(AnsweredBy::Everyone);
        in_kind && (by == AnsweredBy::Everyone || asked.role == Role::Leader)
    }

    /// Whether `item` is put to anyone in a round of `kind`.
    pub fn asks_in(&self, item: &Item, kind: RoundKind) -> bool {
        Role::ALL
            .into_iter()
            .any(|role| self.asks(item, Asked::new(kind, role)))
    }

    /// Whether any of its items is put to anyone in a round of `kind`.
    pub fn asked_in_kind(&self, kind: RoundKind) -> bool {
        self.items.iter().any(|i| self.asks_in(i, kind))
    }

    /// How many of its items are put to `asked`: a respondent's slots in this subdomain.
    pub fn slots(&self, asked: Asked) -> usize {
        self.items.iter().filter(|i| self.asks(i, asked)).count()
    }
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
    pub fn asks(&self, asked: Asked) -> bool {
        self.subdomain.asks(self.item, asked)
    }

    /// The kinds of round the item is asked in, in kind order (the codebook's `asked_in`).
    pub fn asked_in(&self) -> Vec<RoundKind> {
        RoundKind::ALL
            .into_iter()
            .filter(|kind| self.subdomain.asks_in(self.item, *kind))
            .collect()
    }

    /// The roles the item is put to in a round it is asked in, in role order (the
    /// codebook's `answered_by`).
    pub fn asked_of(&self) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|role| {
                RoundKind::ALL
                    .into_iter()
                    .any(|kind| self.asks(Asked::new(kind, *role)))
            })
            .collect()
    }

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

    /// The items put to `asked`, in walk order (each keeps its `index` in the whole walk).
    pub fn items_asked(&self, asked: Asked) -> Vec<ItemRef<'_>> {
        self.items().into_iter().filter(|i| i.asks(asked)).collect()
    }

    /// Whether answers given with `version` of this instrument (its key the same) are read
    /// as this version's: this version itself, or one it declares it `reads`.
    pub fn reads_version(&self, version: &str) -> bool {
        self.version == version || self.reads.iter().any(|v| v == version)
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
        for kind in RoundKind::ALL {
            for role in Role::ALL {
                if self.items_asked(Asked::new(kind, role)).is_empty() {
                    problems.push(format!(
                        "no item is asked of {} in a round {}",
                        role.code(),
                        kind.code()
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
                    if !RoundKind::ALL
                        .into_iter()
                        .any(|k| subdomain.asks_in(item, k))
                    {
                        problems.push(format!("item {} is asked in no round", item.key));
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
        assert_eq!(instrument.item_count(), 63);
        assert_eq!(instrument.items().len(), 63);
        assert_eq!(instrument.version, "2.0");
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

    /// The items put to `asked`, counted per section in instrument order.
    fn per_section(asked: Asked) -> Vec<usize> {
        let instrument = Instrument::standard();
        let items = instrument.items_asked(asked);
        instrument
            .sections
            .iter()
            .map(|s| items.iter().filter(|i| i.section.key == s.key).count())
            .collect()
    }

    fn keys(asked: Asked) -> Vec<String> {
        Instrument::standard()
            .items_asked(asked)
            .iter()
            .map(|i| i.item.key.clone())
            .collect()
    }

    #[test]
    fn staff_before_the_programme_are_asked_neither_leader_items_nor_what_comes_after() {
        let asked = Asked::new(RoundKind::Before, Role::Staff);
        // By hand from instrument.toml: readiness 15; fit 6 but for manageable_demands.3;
        // no support; competence recruitment 2 (not .1), participation 3 (not .4),
        // coaching 1 (.3); leadership only leader_problem_awareness.3; organisation
        // data_systems.3 and facilitative_administration.3.
        assert_eq!(per_section(asked), [15, 5, 0, 6, 1, 2]);
        assert_eq!(Instrument::standard().items_asked(asked).len(), 29);
        let keys = keys(asked);
        for not_asked in [
            "leadership.binding_agreement.1",
            "leadership.dialogue.1",
            "organisation.data_systems.4",
            "competence.training.4",
            "competence.participation.4",
            "support.implementation.1",
            "fit.manageable_demands.3",
        ] {
            assert!(!keys.iter().any(|k| k == not_asked), "{not_asked}");
        }
        for asked in [
            "readiness.capacity_for_change.4",
            "readiness.problem_awareness.4",
            "readiness.staff_motivation.4",
            "organisation.data_systems.3",
        ] {
            assert!(keys.iter().any(|k| k == asked), "{asked}");
        }
        // Key persons and the process leader are asked what staff are.
        for role in [Role::KeyPerson, Role::Consultant] {
            assert_eq!(self::keys(Asked::new(RoundKind::Before, role)), keys);
        }
    }

    #[test]
    fn the_leader_is_asked_the_facts_and_everyone_after_the_start_what_came_after() {
        let before = Asked::new(RoundKind::Before, Role::Leader);
        // The staff's 29, and: competence recruitment.1 and relevance.1; leadership
        // dialogue 3, binding agreement 3, leader_problem_awareness .1 and .2;
        // organisation data_systems .1 .2 .4, facilitative_administration .1 .2, systems
        // intervention 3.
        assert_eq!(per_section(before), [15, 5, 0, 8, 9, 10]);
        assert!(
            keys(before)
                .iter()
                .any(|k| k == "leadership.binding_agreement.1")
        );
        assert!(!keys(before).iter().any(|k| k == "competence.training.1"));
        for kind in [RoundKind::Between, RoundKind::After] {
            // Every item is put to the leader once the programme has started ...
            assert_eq!(
                Instrument::standard()
                    .items_asked(Asked::new(kind, Role::Leader))
                    .len(),
                63
            );
            // ... and to staff all but the 18 leader items.
            assert_eq!(
                per_section(Asked::new(kind, Role::Staff)),
                [15, 6, 3, 15, 4, 2]
            );
        }
    }

    #[test]
    fn a_subdomain_says_the_default_and_an_item_may_say_otherwise() {
        let instrument = Instrument::standard();
        let training = instrument
            .subdomain("competence.training")
            .unwrap()
            .subdomain;
        assert_eq!(
            training.slots(Asked::new(RoundKind::Before, Role::Leader)),
            0
        );
        assert_eq!(training.slots(Asked::new(RoundKind::After, Role::Staff)), 4);
        let awareness = instrument
            .subdomain("leadership.leader_problem_awareness")
            .unwrap()
            .subdomain;
        // Two written facts for the leader; whether staff were heard, for everyone.
        assert_eq!(
            awareness.slots(Asked::new(RoundKind::Before, Role::Staff)),
            1
        );
        assert_eq!(
            awareness.slots(Asked::new(RoundKind::Before, Role::Leader)),
            3
        );
    }

    #[test]
    fn it_reads_its_own_version_and_those_it_declares() {
        let instrument = Instrument::standard();
        assert!(instrument.reads_version("2.0"));
        assert!(instrument.reads_version("1.0"));
        assert!(!instrument.reads_version("3.0"));
        assert!(!instrument.reads_version(""));
    }

    #[test]
    fn an_item_asked_in_no_round_is_refused() {
        let never = STANDARD_TOML.replacen("asked = [\"between\", \"after\"]", "asked = []", 1);
        assert_ne!(never, STANDARD_TOML);
        let err = Instrument::from_toml(&never).unwrap_err();
        assert!(err.contains("asked in no round"), "{err}");
        let unknown =
            STANDARD_TOML.replacen("answered_by = \"leader\"", "answered_by = \"staff\"", 1);
        assert!(Instrument::from_toml(&unknown).is_err());
    }
}
