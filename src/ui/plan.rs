//! From scores to action on screen: a subdomain's plan, the goal matrix, the round's
//! implementation stage and the gathering's consensus. State and `update` here; drawing in
//! `plan_view`.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::action::Action;
use super::app::{App, Screen};
use super::context::FormPurpose;
use super::form::{Field, Form};
use super::status::StatusKind;
use crate::domain::instrument::{Scale, Section, Subdomain};
use crate::domain::model::{NameField, Response, Round, Service, validate_name};
use crate::domain::plan::{
    Goal, GoalStatus, Level, PlanItem, PlanKind, Stage, parse_optional_date, validate_plan_text,
};
use crate::i18n::plan_names::{level_key, stage_key};
use crate::i18n::{tr, trf};

pub struct PlanView {
    pub service: Service,
    pub subdomain_key: String,
    pub items: Vec<PlanItem>,
    pub selected: usize,
}

pub struct GoalsView {
    pub service: Service,
    /// The service's rounds in date order: the matrix's columns.
    pub rounds: Vec<Round>,
    pub goals: Vec<Goal>,
    pub statuses: HashMap<(String, String), GoalStatus>,
    pub goal: usize,
    pub round: usize,
}

/// How the respondents of a round answered one subdomain, without names.
pub struct Distribution {
    pub subdomain_key: String,
    /// Answers per scale value, lowest first.
    pub counts: Vec<(u8, usize)>,
    pub dont_know: usize,
    pub not_applicable: usize,
}

pub struct GatheringView {
    pub service: Service,
    pub round: Round,
    pub respondents: usize,
    pub rows: Vec<Distribution>,
    pub consensus: HashMap<String, u8>,
    pub selected: usize,
}

/// The section and subdomain of a `section.subdomain` key.
pub fn find_subdomain<'i>(
    sections: &'i [Section],
    key: &str,
) -> Option<(&'i Section, &'i Subdomain)> {
    let (section_key, subdomain_key) = key.split_once('.')?;
    let section = sections.iter().find(|s| s.key == section_key)?;
    let subdomain = section.subdomains.iter().find(|d| d.key == subdomain_key)?;
    Some((section, subdomain))
}

impl App {
    pub(super) fn today(&self) -> NaiveDate {
        self.local(self.now()).date_naive()
    }

    pub(super) fn open_plan(&mut self, service: Service, subdomain_key: String) {
        let Some(items) = self.load(|s| s.plan_items(&service.id)) else {
            return;
        };
        let items = items
            .into_iter()
            .filter(|i| i.subdomain_key == subdomain_key)
            .collect();
        self.stack.push(Screen::Plan(PlanView {
            service,
            subdomain_key,
            items,
            selected: 0,
        }));
    }

    pub(super) fn reload_plan(&mut self) {
        let Some(Screen::Plan(view)) = self.stack.last() else {
            return;
        };
        let service_id = view.service.id.clone();
        let Some(items) = self.load(|s| s.plan_items(&service_id)) else {
            return;
        };
        if let Some(Screen::Plan(view)) = self.stack.last_mut() {
            view.items = items
                .into_iter()
                .filter(|i| i.subdomain_key == view.subdomain_key)
                .collect();
            view.selected = view.selected.min(view.items.len().saturating_sub(1));
        }
    }

    pub(super) fn update_plan(&mut self, action: Action) -> Option<Action> {
        let Some(Screen::Plan(view)) = self.stack.last_mut() else {
            return None;
        };
        let last = view.items.len().saturating_sub(1);
        let selected = view.items.get(view.selected).cloned();
        let (service, subdomain_key) = (view.service.clone(), view.subdomain_key.clone());
        match action {
            Action::Back => self.back(),
            Action::Up => view.selected = view.selected.saturating_sub(1),
            Action::Down => view.selected = (view.selected + 1).min(last),
            Action::NewBarrier => self.open_form(FormPurpose::NewPlanItem(
                service,
                subdomain_key,
                PlanKind::Barrier,
            )),
            Action::NewStrategy => self.open_form(FormPurpose::NewPlanItem(
                service,
                subdomain_key,
                PlanKind::Strategy,
            )),
            Action::NewMeasure => self.open_form(FormPurpose::NewPlanItem(
                service,
                subdomain_key,
                PlanKind::Measure,
            )),
            Action::Edit => {
                if let Some(item) = selected {
                    self.open_form(FormPurpose::EditPlanItem(item));
                }
            }
            Action::ToggleDone => match selected {
                Some(item) if item.kind == PlanKind::Measure => {
                    let done = !item.done;
                    let changed = PlanItem {
                        done,
                        done_on: done.then(|| self.today()),
                        ..item
                    };
                    let now = self.now();
                    match self.store.update_plan_item(&changed, now) {
                        Ok(()) => {
                            let key = if done {
                                "plan.marked_done"
                            } else {
                                "plan.marked_open"
                            };
                            let text = tr(self.lang, key).to_string();
                            self.info(StatusKind::Saved, text);
                            self.reload_plan();
                        }
                        Err(e) => self.error(&e),
                    }
                }
                _ => {
                    let text = tr(self.lang, "plan.only_measures").to_string();
                    self.info(StatusKind::Info, text);
                }
            },
            _ => {}
        }
        None
    }

    /// The fields of a plan item form, filled with `item` when editing.
    pub(super) fn plan_fields(&self, kind: PlanKind, item: Option<&PlanItem>) -> Vec<Field> {
        let lang = self.lang;
        let text = item.map(|i| i.text.as_str()).unwrap_or("");
        let mut fields = vec![Field::text("plan.text", None, text)];
        match kind {
            PlanKind::Barrier => {
                let levels: Vec<String> = Level::ALL
                    .iter()
                    .map(|l| tr(lang, level_key(*l)).to_string())
                    .collect();
                let selected = item
                    .and_then(|i| i.level)
                    .and_then(|l| Level::ALL.iter().position(|x| *x == l))
                    .unwrap_or(1);
                fields.push(Field::choice("plan.level", levels, selected));
            }
            PlanKind::Strategy => {}
            PlanKind::Measure => {
                let owner = item.map(|i| i.owner.as_str()).unwrap_or("");
                let due = item
                    .and_then(|i| i.due_on)
                    .map(|d| crate::present::date(self.lang, d))
                    .unwrap_or_default();
                fields.push(Field::text("plan.owner", Some("plan.owner_hint"), owner));
                fields.push(Field::text("plan.due", Some("plan.due_hint"), &due));
            }
        }
        fields
    }

    /// Saves a plan item form; the field and message of what is wrong otherwise.
    pub(super) fn submit_plan_item(
        &mut self,
        form: &Form,
        base: PlanItem,
        editing: bool,
    ) -> Result<String, (usize, String)> {
        let lang = self.lang;
        let text = validate_plan_text(&form.value(0))
            .map_err(|e| (0, super::context::input_error_text(lang, &e)))?;
        let mut item = PlanItem { text, ..base };
        match item.kind {
            PlanKind::Barrier => item.level = Some(Level::ALL[form.selected(1)]),
            PlanKind::Strategy => {}
            PlanKind::Measure => {
                item.owner = validate_name(NameField::Owner, &form.value(1))
                    .map_err(|e| (1, super::context::input_error_text(lang, &e)))?;
                item.due_on = parse_optional_date(&form.value(2))
                    .map_err(|e| (2, super::context::input_error_text(lang, &e)))?;
            }
        }
        let now = self.now();
        let saved = if editing {
            self.store.update_plan_item(&item, now)
        } else {
            self.store.add_plan_item(&item, now).map(|_| ())
        };
        saved.map_err(|e| (0, e.message(lang)))?;
        Ok(tr(lang, "plan.saved").to_string())
    }

    // ---- goals ----

    pub(super) fn open_goals(&mut self, service: Service) {
        let loaded = (|| {
            let rounds = self.store.rounds(&service.id)?;
            let goals = self.store.goals(&service.id)?;
            let statuses = self.store.goal_statuses(&service.id)?;
            Ok((rounds, goals, statuses))
        })();
        match loaded {
            Ok((rounds, goals, statuses)) => self.stack.push(Screen::Goals(GoalsView {
                service,
                round: rounds.len().saturating_sub(1),
                rounds: rounds.into_iter().map(|r| r.round).collect(),
                goals,
                statuses,
                goal: 0,
            })),
            Err(e) => self.error(&e),
        }
    }

    pub(super) fn reload_goals(&mut self) {
        let Some(Screen::Goals(view)) = self.stack.last() else {
            return;
        };
        let id = view.service.id.clone();
        let loaded = self
            .store
            .goals(&id)
            .and_then(|g| Ok((g, self.store.goal_statuses(&id)?)));
        match loaded {
            Ok((goals, statuses)) => {
                if let Some(Screen::Goals(view)) = self.stack.last_mut() {
                    view.goals = goals;
                    view.statuses = statuses;
                    view.goal = view.goal.min(view.goals.len().saturating_sub(1));
                }
            }
            Err(e) => self.error(&e),
        }
    }

    pub(super) fn update_goals(&mut self, action: Action) -> Option<Action> {
        let Some(Screen::Goals(view)) = self.stack.last_mut() else {
            return None;
        };
        match action {
            Action::Back => self.back(),
            Action::Up => view.goal = view.goal.saturating_sub(1),
            Action::Down => view.goal = (view.goal + 1).min(view.goals.len().saturating_sub(1)),
            Action::Left => view.round = view.round.saturating_sub(1),
            Action::Right => view.round = (view.round + 1).min(view.rounds.len().saturating_sub(1)),
            Action::New => {
                let service = view.service.clone();
                self.open_form(FormPurpose::NewGoal(service));
            }
            Action::Confirm => {
                let (Some(goal), Some(round)) =
                    (view.goals.get(view.goal), view.rounds.get(view.round))
                else {
                    return None;
                };
                // none → not → partly → achieved → none
                let current = view
                    .statuses
                    .get(&(goal.id.clone(), round.id.clone()))
                    .copied();
                let next = match current {
                    None => Some(GoalStatus::Not),
                    Some(GoalStatus::Not) => Some(GoalStatus::Partly),
                    Some(GoalStatus::Partly) => Some(GoalStatus::Achieved),
                    Some(GoalStatus::Achieved) => None,
                };
                let (goal_id, round_id) = (goal.id.clone(), round.id.clone());
                let now = self.now();
                match self.store.set_goal_status(&goal_id, &round_id, next, now) {
                    Ok(()) => {
                        let text = tr(self.lang, "goals.saved").to_string();
                        self.info(StatusKind::Saved, text);
                        self.reload_goals();
                    }
                    Err(e) => self.error(&e),
                }
            }
            _ => {}
        }
        None
    }

    /// The options of the goal form's subdomain choice: none, then every subdomain.
    pub(super) fn subdomain_choices(&self) -> (Vec<String>, Vec<Option<String>>) {
        let lang = self.lang;
        let mut labels = vec![tr(lang, "goals.no_subdomain").to_string()];
        let mut keys = vec![None];
        for section in &self.instrument.sections {
            for subdomain in &section.subdomains {
                labels.push(format!(
                    "{} › {}",
                    section.name.get(lang),
                    subdomain.name.get(lang)
                ));
                keys.push(Some(format!("{}.{}", section.key, subdomain.key)));
            }
        }
        (labels, keys)
    }

    pub(super) fn submit_goal(
        &mut self,
        form: &Form,
        service: &Service,
    ) -> Result<String, (usize, String)> {
        let lang = self.lang;
        let text = validate_plan_text(&form.value(0))
            .map_err(|e| (0, super::context::input_error_text(lang, &e)))?;
        let (_, keys) = self.subdomain_choices();
        let subdomains: Vec<String> = keys[form.selected(1)].iter().cloned().collect();
        let now = self.now();
        self.store
            .add_goal(&service.id, &text, &subdomains, now)
            .map_err(|e| (0, e.message(lang)))?;
        Ok(tr(lang, "goals.saved").to_string())
    }

    // ---- the implementation stage of a round ----

    pub(super) fn stage_fields(&self, round: &Round) -> Vec<Field> {
        let lang = self.lang;
        let current = self.store.round_stage(&round.id).ok().flatten();
        let mut options = vec![tr(lang, "stage.none").to_string()];
        options.extend(
            Stage::ALL
                .iter()
                .map(|s| tr(lang, stage_key(*s)).to_string()),
        );
        let selected = current
            .and_then(|c| Stage::ALL.iter().position(|s| *s == c))
            .map_or(0, |i| i + 1);
        vec![Field::choice("stage.label", options, selected)]
    }

    pub(super) fn submit_stage(
        &mut self,
        form: &Form,
        round: &Round,
    ) -> Result<String, (usize, String)> {
        let lang = self.lang;
        let stage = form.selected(0).checked_sub(1).map(|i| Stage::ALL[i]);
        let now = self.now();
        self.store
            .set_round_stage(&round.id, stage, now)
            .map_err(|e| (0, e.message(lang)))?;
        Ok(trf(lang, "stage.saved", &[("round", &round.label)]))
    }

    // ---- the gathering ----

    pub(super) fn open_gathering(&mut self, service: Service, round: Round) {
        let loaded = (|| {
            Ok((
                self.store.round_answers(&round.id)?,
                self.store.consensus(&round.id)?,
            ))
        })();
        let (all, consensus) = match loaded {
            Ok(loaded) => loaded,
            Err(e) => {
                self.error(&e);
                return;
            }
        };
        let mut rows = Vec::new();
        for section in &self.instrument.sections {
            let Some(scale) = self.instrument.scale(&section.scale) else {
                continue;
            };
            for subdomain in &section.subdomains {
                let mut row = Distribution {
                    subdomain_key: format!("{}.{}", section.key, subdomain.key),
                    counts: scale.points.iter().map(|p| (p.value, 0)).collect(),
                    dont_know: 0,
                    not_applicable: 0,
                };
                for (_, answers) in &all {
                    for item in &subdomain.items {
                        match answers.get(&item.key).and_then(|a| a.response) {
                            Some(Response::Score(v)) => {
                                if let Some(slot) =
                                    row.counts.iter_mut().find(|(value, _)| *value == v)
                                {
                                    slot.1 += 1;
                                }
                            }
                            Some(Response::DontKnow) => row.dont_know += 1,
                            Some(Response::NotApplicable) => row.not_applicable += 1,
                            None => {}
                        }
                    }
                }
                rows.push(row);
            }
        }
        self.stack.push(Screen::Gathering(GatheringView {
            service,
            round,
            respondents: all.len(),
            rows,
            consensus,
            selected: 0,
        }));
    }

    pub(super) fn update_gathering(&mut self, action: Action) -> Option<Action> {
        let instrument = self.instrument;
        let Some(Screen::Gathering(view)) = self.stack.last_mut() else {
            return None;
        };
        let last = view.rows.len().saturating_sub(1);
        let value = match action {
            Action::Back => {
                self.back();
                return None;
            }
            Action::Up => {
                view.selected = view.selected.saturating_sub(1);
                return None;
            }
            Action::Down => {
                view.selected = (view.selected + 1).min(last);
                return None;
            }
            Action::Choose(v) => Some(v),
            Action::Clear => None,
            _ => return None,
        };
        let key = view.rows[view.selected].subdomain_key.clone();
        let round_id = view.round.id.clone();
        let scale: Option<&Scale> = find_subdomain(&instrument.sections, &key)
            .and_then(|(section, _)| instrument.scale(&section.scale));
        if let (Some(v), Some(scale)) = (value, scale)
            && !scale.contains(v)
        {
            let text = trf(
                self.lang,
                "walk.out_of_scale",
                &[("min", &scale.min()), ("max", &scale.max())],
            );
            self.info(StatusKind::Error, text);
            return None;
        }
        let now = self.now();
        match self.store.set_consensus(&round_id, &key, value, now) {
            Ok(()) => {
                if let Some(Screen::Gathering(view)) = self.stack.last_mut() {
                    match value {
                        Some(v) => view.consensus.insert(key, v),
                        None => view.consensus.remove(&key),
                    };
                    view.selected = (view.selected + usize::from(value.is_some())).min(last);
                }
                let text = tr(self.lang, "gathering.saved").to_string();
                self.info(StatusKind::Saved, text);
            }
            Err(e) => self.error(&e),
        }
        None
    }
}
