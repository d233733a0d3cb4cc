//! The forms of the plan, the goal matrix and the round's implementation stage: their fields
//! and what saving them writes.

use super::app::App;
use super::form::{Field, Form};
use crate::domain::model::{NameField, Round, Service, validate_name};
use crate::domain::plan::{
    Level, PlanItem, PlanKind, Stage, parse_optional_date, validate_plan_text,
};
use crate::i18n::plan_names::{level_key, stage_key};
use crate::i18n::{tr, trf};

impl App {
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
}
