//! Two rounds of one service compared: loaded once, compared once, and decided once for
//! the faces to write.

use crate::domain::compare::{
    AreaChange, Comparison, ItemChange, NotComparable, Options, RoleTable, compare, role_table,
};
use crate::domain::instrument::Instrument;
use crate::domain::model::{Role, Round, Service};
use crate::domain::plan::{Goal, GoalStatus, PlanItem, Stage};
use crate::domain::scoring::Tally;
use crate::domain::trend::{DontKnowFinding, dont_know_findings, moved_most};
use crate::i18n::Lang;
use crate::present;
use crate::store::{Backend, StoreError};

use super::rounds::{PlanData, RoundData};

/// Two rounds of one service side by side, with the n behind every score.
pub struct ComparisonModel<'a> {
    pub service: &'a Service,
    pub from: &'a RoundData,
    pub to: &'a RoundData,
    pub comparison: Comparison,
}

impl<'a> ComparisonModel<'a> {
    pub fn new(
        instrument: &Instrument,
        service: &'a Service,
        from: &'a RoundData,
        to: &'a RoundData,
        options: Options,
    ) -> ComparisonModel<'a> {
        ComparisonModel {
            service,
            from,
            to,
            comparison: compare(instrument, &from.answered(), &to.answered(), options),
        }
    }

    /// Whether a gathering agreed on a value in either round.
    pub fn has_consensus(&self) -> bool {
        !self.from.consensus.is_empty() || !self.to.consensus.is_empty()
    }

    /// The later round is dated before the earlier one: the comparison runs backwards.
    pub fn backwards(&self) -> bool {
        self.from.round.held_on > self.to.round.held_on
    }
}

/// Two rounds loaded, with their answers, stage and consensus, and compared.
pub struct Compared {
    pub from: RoundData,
    pub to: RoundData,
    pub comparison: Comparison,
}

/// Loads two rounds and compares them, as `kartlegg compare` does: what the compare screen
/// needs (the comparison, and each round's consensus in `from.consensus`/`to.consensus`).
pub fn load_and_compare(
    store: &impl Backend,
    instrument: &Instrument,
    from: Round,
    to: Round,
    options: Options,
) -> Result<Compared, StoreError> {
    let from = RoundData::load(store, from)?;
    let to = RoundData::load(store, to)?;
    let comparison = compare(instrument, &from.answered(), &to.answered(), options);
    Ok(Compared {
        from,
        to,
        comparison,
    })
}

// ---- the comparison as every face shows it ----

/// A comparison decided once for a language: every row with its name, the n and coverage
/// behind it, its interval and bands; the faces only write it (text, Markdown, JSON).
pub struct ComparisonRows {
    pub service: Service,
    pub instrument_key: String,
    pub instrument_version: String,
    pub from: RoundSide,
    pub to: RoundSide,
    /// The from-round is dated after the to-round.
    pub backwards: bool,
    pub options: Options,
    /// Whether either round has a process leader among its respondents.
    pub any_consultant: bool,
    /// Role groups with fewer respondents show their n only.
    pub min_group: usize,
    /// Respondent codes found once in each round: the respondents of the paired change.
    pub pairs: usize,
    /// Whether a gathering agreed on a value in either round.
    pub has_consensus: bool,
    /// Every section, in the instrument's order, with its subdomains.
    pub sections: Vec<SectionRows>,
    /// The process leader's own scores, apart from the service's.
    pub consultant: Option<ConsultantRows>,
    /// The comparable items, the largest change first.
    pub items: Vec<ItemRow>,
    /// Of `items`, those that moved, in the same order.
    pub moved: Vec<usize>,
    pub not_comparable: Vec<NotComparableRow>,
    /// Subdomains whose items are shown in neither list, to shield answers by code.
    pub withheld: Vec<WithheldRow>,
    /// Subdomains where "don't know" is a finding.
    pub dont_know: Vec<DontKnowRow>,
    /// Every "don't know" and "not applicable" of the counted respondents, over every
    /// item, in each round.
    pub answers_from: Tally,
    pub answers_to: Tally,
    /// The instrument's section names, in its order, as role groups list their scores.
    pub section_names: Vec<String>,
}

/// One round of a comparison: who is counted, its stage, its role groups.
pub struct RoundSide {
    pub round: Round,
    /// "Før samling 1 (10.02.2026)"
    pub title: String,
    /// Every respondent of the round.
    pub respondents: usize,
    /// Those counted in the service's scores.
    pub counted: usize,
    pub stage: Option<Stage>,
    pub roles: RoleTable,
}

pub struct SectionRows {
    pub area: AreaRow,
    pub subdomains: Vec<AreaRow>,
}

/// A section or subdomain: its name and change, the consensus on it (a subdomain's) and the
/// process leader's scores on it, where shown apart.
pub struct AreaRow {
    pub name: String,
    pub change: AreaChange,
    pub consensus_from: Option<(u8, f64)>,
    pub consensus_to: Option<(u8, f64)>,
    pub consultant: Option<(Tally, Tally)>,
}

pub struct ConsultantRows {
    pub n_from: usize,
    pub n_to: usize,
    pub areas: Vec<ConsultantArea>,
}

pub struct ConsultantArea {
    pub key: String,
    pub name: String,
    /// A subdomain under its section.
    pub sub: bool,
    pub from: Tally,
    pub to: Tally,
}

/// Where an item stands in the instrument.
pub struct ItemPlace {
    /// Its number in the walk, from 1.
    pub number: usize,
    pub section: String,
    pub subdomain: String,
    pub scale_min: u8,
    pub scale_max: u8,
}

pub struct ItemRow {
    /// "12. Vi har en felles forståelse …"
    pub label: String,
    pub place: Option<ItemPlace>,
    pub change: ItemChange,
}

pub struct NotComparableRow {
    pub label: String,
    /// Why it is left out, in words.
    pub reason: String,
    pub number: Option<usize>,
    pub item: NotComparable,
}

/// A subdomain whose items a comparison withholds (`domain::compare::items_withheld`).
pub struct WithheldRow {
    /// `section.subdomain`
    pub key: String,
    /// "Felles forståelse, spørsmål 5–8"
    pub label: String,
    /// Why, in words.
    pub reason: String,
    /// Its items, by key and number in the walk.
    pub items: Vec<(String, usize)>,
}

pub struct DontKnowRow {
    /// "Section – subdomain"
    pub name: String,
    pub finding: DontKnowFinding,
    pub answers_from: Tally,
    pub answers_to: Tally,
}

impl ComparisonRows {
    pub fn new(
        instrument: &Instrument,
        lang: Lang,
        model: &ComparisonModel,
        min_group: usize,
    ) -> ComparisonRows {
        let c = &model.comparison;
        let consultant = c.consultant.as_ref();
        let area_row = |area: &AreaChange, consensus: bool| AreaRow {
            name: present::area_name(instrument, lang, &area.key).to_string(),
            change: area.clone(),
            consensus_from: consensus
                .then(|| model.from.consensus_on(instrument, &area.key))
                .flatten(),
            consensus_to: consensus
                .then(|| model.to.consensus_on(instrument, &area.key))
                .flatten(),
            consultant: consultant
                .and_then(|s| s.area(&area.key))
                .map(|(from, to)| (*from, *to)),
        };
        let sections = c
            .sections
            .iter()
            .map(|section| SectionRows {
                area: area_row(&section.area, false),
                subdomains: section
                    .subdomains
                    .iter()
                    .map(|d| area_row(d, true))
                    .collect(),
            })
            .collect();
        let all_items = instrument.items();
        let number = |key: &str| {
            all_items
                .iter()
                .find(|i| i.item.key == key)
                .map(|i| i.index + 1)
        };
        let items = c
            .items
            .iter()
            .map(|item| ItemRow {
                label: present::numbered_item(instrument, lang, &item.key),
                place: all_items
                    .iter()
                    .find(|i| i.item.key == item.key)
                    .map(|place| ItemPlace {
                        number: place.index + 1,
                        section: place.section.key.clone(),
                        subdomain: place.subdomain.key.clone(),
                        scale_min: place.scale.min(),
                        scale_max: place.scale.max(),
                    }),
                change: item.clone(),
            })
            .collect();
        let moved = moved_most(c, usize::MAX)
            .into_iter()
            .filter_map(|moved| c.items.iter().position(|item| std::ptr::eq(item, moved)))
            .collect();
        let not_comparable = c
            .not_comparable
            .iter()
            .map(|item| NotComparableRow {
                label: present::numbered_item(instrument, lang, &item.key),
                reason: present::not_comparable_reason(
                    lang,
                    &model.from.round.label,
                    &model.to.round.label,
                    item,
                ),
                number: number(&item.key),
                item: item.clone(),
            })
            .collect();
        let withheld = c
            .withheld
            .iter()
            .map(|key| WithheldRow {
                key: key.clone(),
                label: present::withheld_area(instrument, lang, key),
                reason: present::withheld_reason(lang),
                items: all_items
                    .iter()
                    .filter(|i| i.area_key() == *key)
                    .map(|i| (i.item.key.clone(), i.index + 1))
                    .collect(),
            })
            .collect();
        let dont_know = dont_know_findings(c)
            .into_iter()
            .filter_map(|finding| {
                let area = c.area(&finding.key)?;
                let section = finding.key.split('.').next().unwrap_or_default();
                Some(DontKnowRow {
                    name: format!(
                        "{} – {}",
                        present::section_name(instrument, lang, section),
                        present::subdomain_name(instrument, lang, &finding.key)
                    ),
                    answers_from: area.answers_from,
                    answers_to: area.answers_to,
                    finding,
                })
            })
            .collect();
        let (answers_from, answers_to) =
            c.sections
                .iter()
                .fold((Tally::default(), Tally::default()), |(mut f, mut t), s| {
                    f.merge(&s.area.answers_from);
                    t.merge(&s.area.answers_to);
                    (f, t)
                });
        let side = |round: &RoundData, counted: usize| RoundSide {
            round: round.round.clone(),
            title: round.title(lang),
            respondents: round.respondents.len(),
            counted,
            stage: round.stage,
            roles: role_table(instrument, &round.answered(), c.options, min_group),
        };
        ComparisonRows {
            service: model.service.clone(),
            instrument_key: instrument.key.clone(),
            instrument_version: instrument.version.clone(),
            from: side(model.from, c.n_from),
            to: side(model.to, c.n_to),
            backwards: model.backwards(),
            options: c.options,
            any_consultant: model
                .from
                .respondents
                .iter()
                .chain(&model.to.respondents)
                .any(|(r, _)| r.role == Role::Consultant),
            min_group: crate::domain::compare::min_group(min_group),
            pairs: c.pairs,
            has_consensus: model.has_consensus(),
            sections,
            consultant: consultant.map(|s| ConsultantRows {
                n_from: s.n_from,
                n_to: s.n_to,
                areas: s
                    .areas
                    .iter()
                    .map(|(key, from, to)| ConsultantArea {
                        key: key.clone(),
                        name: present::area_name(instrument, lang, key).to_string(),
                        sub: key.contains('.'),
                        from: *from,
                        to: *to,
                    })
                    .collect(),
            }),
            items,
            moved,
            not_comparable,
            withheld,
            dont_know,
            answers_from,
            answers_to,
            section_names: instrument
                .sections
                .iter()
                .map(|s| s.name.get(lang).to_string())
                .collect(),
        }
    }

    /// Every area, each section followed by its subdomains, with whether it is a subdomain.
    pub fn areas(&self) -> impl Iterator<Item = (&AreaRow, bool)> {
        self.sections.iter().flat_map(|s| {
            std::iter::once((&s.area, false)).chain(s.subdomains.iter().map(|d| (d, true)))
        })
    }

    /// At most `limit` of the items that moved, the largest change first.
    pub fn moved(&self, limit: usize) -> impl Iterator<Item = &ItemRow> {
        self.moved.iter().take(limit).map(|&i| &self.items[i])
    }
}

/// A service's plan as a comparison lists it: its items in the instrument's order with
/// their subdomain's name, and its goals with their status in each round.
pub struct PlanRows<'a> {
    pub items: Vec<(&'a PlanItem, &'a str)>,
    pub goals: Vec<(&'a Goal, Option<GoalStatus>, Option<GoalStatus>)>,
}

impl<'a> PlanRows<'a> {
    pub fn new(
        instrument: &'a Instrument,
        lang: Lang,
        plan: &'a PlanData,
        from: &Round,
        to: &Round,
    ) -> PlanRows<'a> {
        PlanRows {
            items: plan
                .by_subdomain(instrument)
                .into_iter()
                .flat_map(|(_, items)| items)
                .map(|item| {
                    (
                        item,
                        present::subdomain_name(instrument, lang, &item.subdomain_key),
                    )
                })
                .collect(),
            goals: plan
                .goals
                .iter()
                .map(|goal| (goal, plan.status(goal, from), plan.status(goal, to)))
                .collect(),
        }
    }
}
