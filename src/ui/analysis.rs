//! The consultant's screens: comparing rounds, the trend of a service, the cluster
//! overview and the roles side by side. State and `update` here; drawing in `analysis_view`.

use super::action::Action;
use super::app::{App, Screen};
use std::collections::HashMap;

use crate::domain::compare::{
    Comparison, DEFAULT_MIN_GROUP, Options, RoleGroup, Spread, answered, by_role, compare, spreads,
};
use crate::domain::model::{Round, Service};
use crate::domain::scoring::{AnswerSet, SectionScore, summarize};
use crate::i18n::tr;
use crate::store::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareTab {
    Areas,
    Items,
    Chart,
}

pub struct CompareView {
    pub service: Service,
    /// The service's rounds in date order.
    pub rounds: Vec<Round>,
    pub from: usize,
    pub to: usize,
    pub comparison: Comparison,
    /// The gatherings' consensus values of the from- and to-round, by subdomain key.
    pub consensus: [HashMap<String, u8>; 2],
    pub tab: CompareTab,
    pub offset: usize,
    /// The selected row's details, opened with Enter.
    pub detail_open: bool,
}

impl CompareView {
    /// The from-round is dated after the to-round, or is the same round.
    pub fn order_warning(&self) -> Option<&'static str> {
        let (from, to) = (&self.rounds[self.from], &self.rounds[self.to]);
        if self.from == self.to {
            Some("compare.same_round")
        } else if from.held_on > to.held_on {
            Some("compare.backwards_screen")
        } else {
            None
        }
    }

    /// Rows of the current tab: sections and subdomains, or items then the not comparable.
    pub fn rows(&self) -> usize {
        match self.tab {
            CompareTab::Areas => self
                .comparison
                .sections
                .iter()
                .map(|s| 1 + s.subdomains.len())
                .sum(),
            CompareTab::Items => self.comparison.items.len() + self.comparison.not_comparable.len(),
            CompareTab::Chart => 0,
        }
    }

    /// The area on the selected row of the areas tab.
    pub fn selected_area(&self) -> Option<&crate::domain::compare::AreaChange> {
        self.comparison.areas().nth(self.offset)
    }
}

pub struct ClusterRow {
    pub service: Service,
    pub round: Option<Round>,
    pub respondents: usize,
    pub scores: Vec<SectionScore>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterSort {
    Name,
    /// By a section's score, highest first.
    Section(usize),
}

pub struct ClusterView {
    pub cluster: String,
    /// Round labels found in the cluster, in date order of their first use.
    pub labels: Vec<String>,
    pub label: usize,
    pub rows: Vec<ClusterRow>,
    pub sort: ClusterSort,
    pub selected: usize,
}

pub struct RolesView {
    pub service: Service,
    pub round: Round,
    pub groups: Vec<RoleGroup>,
    pub spreads: Vec<(String, Option<Spread>)>,
    pub respondents: usize,
    pub min_group: usize,
}

type Loaded<T> = Result<T, StoreError>;

impl App {
    fn comparison_of(
        &self,
        from: &Round,
        to: &Round,
        options: Options,
    ) -> Loaded<(Comparison, [HashMap<String, u8>; 2])> {
        let (before, after) = (
            self.store.round_answers(&from.id)?,
            self.store.round_answers(&to.id)?,
        );
        let consensus = [
            self.store.consensus(&from.id)?,
            self.store.consensus(&to.id)?,
        ];
        let comparison = compare(
            self.instrument,
            &answered(&before),
            &answered(&after),
            options,
        );
        Ok((comparison, consensus))
    }

    /// Compares `to` with the round before it (or the first round with the last).
    pub(super) fn open_compare(&mut self, service: Service, to_round: Option<&Round>) {
        let Some(rounds) = self.load_rounds(&service) else {
            return;
        };
        if rounds.len() < 2 {
            let text = tr(self.lang, "compare.need_two").to_string();
            self.info(super::status::StatusKind::Info, text);
            return;
        }
        let to = to_round
            .and_then(|r| rounds.iter().position(|x| x.id == r.id))
            .unwrap_or(rounds.len() - 1);
        let (from, to) = if to == 0 {
            (0, rounds.len() - 1)
        } else {
            (to - 1, to)
        };
        match self.comparison_of(&rounds[from], &rounds[to], Options::default()) {
            Ok((comparison, consensus)) => self.stack.push(Screen::Compare(CompareView {
                service,
                rounds,
                from,
                to,
                comparison,
                consensus,
                tab: CompareTab::Areas,
                offset: 0,
                detail_open: false,
            })),
            Err(e) => self.error(&e),
        }
    }

    fn load_rounds(&mut self, service: &Service) -> Option<Vec<Round>> {
        let rows = self.load(|s| s.rounds(&service.id))?;
        Some(rows.into_iter().map(|r| r.round).collect())
    }

    pub(super) fn update_compare(&mut self, action: Action) -> Option<Action> {
        let Some(Screen::Compare(view)) = self.stack.last_mut() else {
            return None;
        };
        let count = view.rounds.len();
        let last_row = view.rows().saturating_sub(1);
        let mut options = view.comparison.options;
        let mut reload = false;
        if view.detail_open {
            // The details cover the table: any key closes them, quitting aside.
            view.detail_open = false;
            return None;
        }
        match action {
            Action::Back => {
                self.back();
                return None;
            }
            Action::NextTab => {
                view.tab = match view.tab {
                    CompareTab::Areas => CompareTab::Items,
                    CompareTab::Items => CompareTab::Chart,
                    CompareTab::Chart => CompareTab::Areas,
                };
                view.offset = 0;
            }
            Action::CycleFrom => {
                view.from = (view.from + 1) % count;
                reload = true;
            }
            Action::CycleTo => {
                view.to = (view.to + 1) % count;
                reload = true;
            }
            Action::ToggleConsultant => {
                options.with_consultant = !options.with_consultant;
                reload = true;
            }
            Action::Open if view.tab != CompareTab::Chart && view.rows() > 0 => {
                view.detail_open = true;
            }
            Action::Up => view.offset = view.offset.saturating_sub(1),
            Action::Down => view.offset = (view.offset + 1).min(last_row),
            Action::PageUp => view.offset = view.offset.saturating_sub(10),
            Action::PageDown => view.offset = (view.offset + 10).min(last_row),
            Action::Home => view.offset = 0,
            Action::End => view.offset = last_row,
            Action::Plan if view.tab == CompareTab::Items => {
                // The selected item's area.
                let items = self.instrument.items();
                let key = view.comparison.items.get(view.offset).and_then(|item| {
                    let place = items.iter().find(|i| i.item.key == item.key)?;
                    Some(format!("{}.{}", place.section.key, place.subdomain.key))
                });
                let service = view.service.clone();
                if let Some(key) = key {
                    self.open_plan(service, key);
                }
                return None;
            }
            Action::Plan if view.tab == CompareTab::Areas => {
                // A section row plans its first subdomain.
                let chosen = view.selected_area().map(|area| {
                    if area.key.contains('.') {
                        area.key.clone()
                    } else {
                        view.comparison
                            .sections
                            .iter()
                            .find(|s| s.area.key == area.key)
                            .and_then(|s| s.subdomains.first())
                            .map_or_else(|| area.key.clone(), |d| d.key.clone())
                    }
                });
                let service = view.service.clone();
                if let Some(key) = chosen {
                    self.open_plan(service, key);
                }
                return None;
            }
            _ => {}
        }
        if reload {
            let (from, to) = (view.rounds[view.from].clone(), view.rounds[view.to].clone());
            match self.comparison_of(&from, &to, options) {
                Ok((comparison, consensus)) => {
                    if let Some(Screen::Compare(view)) = self.stack.last_mut() {
                        view.comparison = comparison;
                        view.consensus = consensus;
                        view.offset = view.offset.min(view.rows().saturating_sub(1));
                    }
                }
                Err(e) => self.error(&e),
            }
        }
        None
    }

    pub(super) fn open_cluster(&mut self, cluster: String) {
        let Some(services) = self.load(|s| s.services()) else {
            return;
        };
        let services: Vec<Service> = services
            .into_iter()
            .map(|s| s.service)
            .filter(|s| s.cluster == cluster)
            .collect();
        let mut rounds: Vec<(Service, Vec<Round>)> = Vec::new();
        for service in services {
            let Some(list) = self.load_rounds(&service) else {
                return;
            };
            rounds.push((service, list));
        }
        let mut dated: Vec<(chrono::NaiveDate, String)> = rounds
            .iter()
            .flat_map(|(_, list)| list.iter().map(|r| (r.held_on, r.label.clone())))
            .collect();
        dated.sort();
        let mut labels: Vec<String> = Vec::new();
        for (_, label) in dated {
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        let mut view = ClusterView {
            cluster,
            labels,
            label: 0,
            rows: Vec::new(),
            sort: ClusterSort::Name,
            selected: 0,
        };
        match self.cluster_rows(&rounds, view.labels.first()) {
            Ok(rows) => {
                view.rows = rows;
                self.stack.push(Screen::Cluster(view));
            }
            Err(e) => self.error(&e),
        }
    }

    fn cluster_rows(
        &self,
        rounds: &[(Service, Vec<Round>)],
        label: Option<&String>,
    ) -> Loaded<Vec<ClusterRow>> {
        // The latest round with the label, if the service has one; all their scores in one
        // read of the kept scores.
        let chosen: Vec<Option<Round>> = rounds
            .iter()
            .map(|(_, list)| list.iter().rev().find(|r| Some(&r.label) == label).cloned())
            .collect();
        let ids: Vec<&str> = chosen.iter().flatten().map(|r| r.id.as_str()).collect();
        let mut kept = self
            .store
            .round_scores(self.instrument, &ids, Options::default())?
            .into_iter();
        Ok(rounds
            .iter()
            .zip(chosen)
            .map(|((service, _), round)| {
                let (respondents, scores) = match round.as_ref().and_then(|_| kept.next()) {
                    Some(kept) => (kept.respondents, kept.sections),
                    None => (0, summarize(self.instrument, &[])),
                };
                ClusterRow {
                    service: service.clone(),
                    round,
                    respondents,
                    scores,
                }
            })
            .collect())
    }

    pub(super) fn update_cluster(&mut self, action: Action) -> Option<Action> {
        let sections = self.instrument.sections.len();
        let Some(Screen::Cluster(view)) = self.stack.last_mut() else {
            return None;
        };
        match action {
            Action::Back => self.back(),
            Action::Up => view.selected = view.selected.saturating_sub(1),
            Action::Down => {
                view.selected = (view.selected + 1).min(view.rows.len().saturating_sub(1))
            }
            Action::Home => view.selected = 0,
            Action::End => view.selected = view.rows.len().saturating_sub(1),
            Action::Left | Action::Right if !view.labels.is_empty() => {
                let count = view.labels.len();
                view.label = if action == Action::Right {
                    (view.label + 1) % count
                } else {
                    (view.label + count - 1) % count
                };
                let label = view.labels.get(view.label).cloned();
                let services: Vec<Service> = view.rows.iter().map(|r| r.service.clone()).collect();
                let mut rounds = Vec::new();
                for service in services {
                    let list = self.load_rounds(&service)?;
                    rounds.push((service, list));
                }
                match self.cluster_rows(&rounds, label.as_ref()) {
                    Ok(rows) => {
                        if let Some(Screen::Cluster(view)) = self.stack.last_mut() {
                            view.rows = rows;
                            sort_cluster(view);
                        }
                    }
                    Err(e) => self.error(&e),
                }
            }
            Action::Choose(digit) => {
                let digit = usize::from(digit);
                view.sort = if (1..=sections).contains(&digit) {
                    ClusterSort::Section(digit - 1)
                } else {
                    ClusterSort::Name
                };
                sort_cluster(view);
            }
            Action::Open => {
                if let Some(row) = view.rows.get(view.selected) {
                    let (service, round) = (row.service.clone(), row.round.clone());
                    self.open_compare(service, round.as_ref());
                }
            }
            _ => {}
        }
        None
    }

    pub(super) fn open_roles(&mut self, service: Service, round: Round) {
        let Some(all) = self.load(|s| s.round_answers(&round.id)) else {
            return;
        };
        let mut view = RolesView {
            service,
            round,
            groups: Vec::new(),
            spreads: Vec::new(),
            respondents: all.len(),
            min_group: DEFAULT_MIN_GROUP,
        };
        self.fill_roles(&mut view, &all);
        self.stack.push(Screen::Roles(view));
    }

    fn fill_roles(
        &self,
        view: &mut RolesView,
        all: &[(crate::domain::model::Respondent, AnswerSet)],
    ) {
        let pairs: Vec<(crate::domain::model::Role, &AnswerSet)> =
            all.iter().map(|(r, a)| (r.role, a)).collect();
        // "All" is the service's own respondents: the process leader is a group apart.
        let sets: Vec<&AnswerSet> = all
            .iter()
            .filter(|(r, _)| r.role != crate::domain::model::Role::Consultant)
            .map(|(_, a)| a)
            .collect();
        view.respondents = sets.len();
        view.groups = by_role(self.instrument, &pairs, view.min_group);
        view.spreads = spreads(self.instrument, &sets);
    }

    pub(super) fn update_roles(&mut self, action: Action) -> Option<Action> {
        let Some(Screen::Roles(view)) = self.stack.last_mut() else {
            return None;
        };
        let min_group = match action {
            Action::Back => {
                self.back();
                return None;
            }
            Action::Increase => view.min_group + 1,
            // Never below 1: a group of one is a person.
            Action::Decrease => view.min_group.saturating_sub(1).max(1),
            _ => return None,
        };
        let round_id = view.round.id.clone();
        let all = self.load(|s| s.round_answers(&round_id))?;
        let mut view = match self.stack.pop() {
            Some(Screen::Roles(view)) => view,
            _ => return None,
        };
        view.min_group = min_group;
        self.fill_roles(&mut view, &all);
        self.stack.push(Screen::Roles(view));
        None
    }
}

fn sort_cluster(view: &mut ClusterView) {
    match view.sort {
        ClusterSort::Name => view.rows.sort_by_key(|r| r.service.name.to_lowercase()),
        ClusterSort::Section(index) => view.rows.sort_by(|a, b| {
            let score = |r: &ClusterRow| {
                r.scores
                    .get(index)
                    .and_then(|s| s.tally.percent())
                    .unwrap_or(-1.0)
            };
            score(b).total_cmp(&score(a))
        }),
    }
    view.selected = 0;
}
