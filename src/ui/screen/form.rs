//! The form screen: the fields of each form (a service, a round, a respondent, a plan item,
//! a goal, a round's stage, what is missing in a competence area, an own area), typing in
//! them, and what saving each one writes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, HighlightSpacing, List, ListItem, ListState, Paragraph, Wrap,
};

use crate::domain::cluster::{
    Attendance, Cluster, ClusterField, Gathering, GatheringKind, parse_count,
};
use crate::domain::model::{
    NameField, validate_comment, validate_name, validate_round, validate_service,
};
use crate::domain::model::{Role, Round, RoundKind, Service, parse_date};
use crate::domain::needs::{
    Expectation, Expectations, FactField, Facts, NeedField, YesPartlyNo, measure_text,
};
use crate::domain::plan::{Level, PlanItem, PlanKind, Stage};
use crate::domain::plan::{parse_optional_date, validate_plan_text};
use crate::domain::requirement::{Education, FactsField, Position, PositionRole, parse_facts};
use crate::i18n::plan_names::{level_key, stage_key};
use crate::i18n::{Lang, tr, trf};
use crate::messages::{cluster_problem, facts_error_text};
use crate::messages::{fact_key, fact_problem};
use crate::present;
use crate::present::{kind_key, role_key};
use crate::store::StoreError;
use crate::store::{Answers, Clusters, Needs, Plans, Positions};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, FormPurpose, Open, Outcome, input_error_text};
use crate::ui::form::{Field, Form, Input, matches, shown_fields};
use crate::ui::status::StatusKind;
use crate::ui::widgets::{BOLD, Look, SELECTED, block};
use ratatui::widgets::BorderType;

pub struct FormScreen {
    pub purpose: FormPurpose,
    pub form: Form,
}

/// What a saved form leads to, and what the status line says; or the field at fault and why.
type Saved = Result<(Option<Open>, String), (usize, String)>;

impl FormScreen {
    pub fn open(ctx: &mut Ctx, purpose: FormPurpose) -> FormScreen {
        let lang = ctx.lang;
        let today = present::date(lang, ctx.today());
        let names = |keys: &[&str]| keys.iter().map(|k| tr(lang, k).to_string()).collect();
        let kinds = RoundKind::ALL.map(kind_key);
        let fields = match &purpose {
            FormPurpose::NewService => service_fields("", "", ""),
            FormPurpose::EditService(s) => {
                service_fields(&s.name, &s.municipalities.join(", "), &s.cluster)
            }
            FormPurpose::NewRound(_) => vec![
                Field::text("form.round_label", Some("form.round_label_hint"), ""),
                Field::text("form.round_date", Some("form.round_date_hint"), &today),
                Field::choice("form.round_kind", names(&kinds), 0),
            ],
            FormPurpose::NewPlanItem(_, _, kind) => plan_fields(lang, *kind, None),
            FormPurpose::EditPlanItem(item) => plan_fields(lang, item.kind, Some(item)),
            FormPurpose::MeasureFromNeed { needs, .. } => {
                let labels = needs
                    .iter()
                    .map(|n| format!("{} ({})", n.area_name, present::gap(lang, n.gap)))
                    .collect();
                let mut fields = vec![Field::choice("plan.need", labels, 0)];
                fields.extend(plan_fields(lang, PlanKind::Measure, None));
                fields[1] = Field::text("plan.text", Some("plan.need_text_hint"), "");
                fields
            }
            FormPurpose::NewGoal(_) => {
                let (labels, _) = subdomain_choices(ctx);
                vec![
                    Field::text("goals.text", None, ""),
                    Field::choice("goals.subdomain", labels, 0),
                ]
            }
            FormPurpose::RoundStage(_, round) => stage_fields(ctx, round),
            FormPurpose::TieRound { round, gatherings } => tie_fields(ctx, round, gatherings),
            FormPurpose::NewPosition(_) => position_fields(lang, None),
            FormPurpose::EditPosition(_, position) => position_fields(lang, Some(position)),
            FormPurpose::NewRespondent(..) => vec![
                Field::choice("form.role", names(&Role::ALL.map(role_key)), 0),
                Field::text("form.code", Some("form.code_hint"), ""),
            ],
            FormPurpose::NeedMissing { missing, .. } => vec![Field::text(
                "needs.missing",
                Some("walk.comment_confidential"),
                missing,
            )],
            FormPurpose::OwnArea(_) => vec![Field::text("needs.own_area_name", None, "")],
            FormPurpose::Expectations(round) => expectation_fields(ctx, round),
            FormPurpose::Facts(round) => fact_fields(ctx, round),
            FormPurpose::EditCluster(cluster) => cluster_fields(lang, cluster),
            FormPurpose::NewGathering(_) => gathering_fields(lang, &today, 0, ""),
            FormPurpose::EditGathering(gathering) => gathering_fields(
                lang,
                &present::date(lang, gathering.held_on),
                GatheringKind::ALL
                    .iter()
                    .position(|k| *k == gathering.kind)
                    .unwrap_or(0),
                &gathering.topics,
            ),
            FormPurpose::Attendance { attendance, .. } => attendance_fields(lang, attendance),
        };
        FormScreen {
            purpose,
            form: Form::new(fields),
        }
    }

    /// Checks and writes what the form holds.
    fn save(&self, ctx: &mut Ctx) -> Saved {
        let now = ctx.now();
        let lang = ctx.lang;
        let form = &self.form;
        let input = |field: usize| move |e| (field, input_error_text(lang, &e));
        let stored = |field: usize| move |e: StoreError| (field, e.message(lang));
        match &self.purpose {
            FormPurpose::NewService | FormPurpose::EditService(_) => {
                let (name, municipalities, cluster) =
                    validate_service(&form.value(0), &form.value(1), &form.value(2))
                        .map_err(|e| (input_error_field(&e), input_error_text(lang, &e)))?;
                if let FormPurpose::EditService(old) = &self.purpose {
                    let service = Service {
                        id: old.id.clone(),
                        name,
                        municipalities,
                        cluster,
                    };
                    ctx.store.update_service(&service, now).map_err(stored(0))?;
                    let text = trf(lang, "status.service_saved", &[("name", &service.name)]);
                    Ok((None, text))
                } else {
                    let service = ctx
                        .store
                        .create_service(&name, &municipalities, &cluster, now)
                        .map_err(stored(0))?;
                    let text = trf(lang, "status.service_saved", &[("name", &service.name)]);
                    Ok((Some(Open::Rounds(service)), text))
                }
            }
            FormPurpose::NewRound(service) => {
                let (label, date) = validate_round(&form.value(0), &form.value(1))
                    .map_err(|e| (input_error_field(&e), input_error_text(lang, &e)))?;
                let kind = RoundKind::ALL[form.selected(2)];
                let round = ctx
                    .store
                    .create_round(&service.id, &label, date, kind, ctx.instrument, now)
                    .map_err(stored(0))?;
                let text = trf(lang, "status.round_saved", &[("label", &round.label)]);
                Ok((Some(Open::Respondents(service.clone(), round)), text))
            }
            FormPurpose::NewRespondent(service, round) => {
                let role = Role::ALL[form.selected(0)];
                let code = validate_name(NameField::Code, &form.value(1)).map_err(input(1))?;
                let respondent = ctx
                    .store
                    .create_respondent(&round.id, role, &code, now)
                    .map_err(stored(1))?;
                let text = tr(lang, "status.respondent_saved").to_string();
                let open = Open::Walk(service.clone(), round.clone(), respondent);
                Ok((Some(open), text))
            }
            FormPurpose::NewPlanItem(service, subdomain_key, kind) => {
                let base = PlanItem::new(&service.id, subdomain_key, *kind);
                save_plan_item(ctx, form, base, false, 0, &form.value(0))
            }
            FormPurpose::EditPlanItem(item) => {
                save_plan_item(ctx, form, item.clone(), true, 0, &form.value(0))
            }
            FormPurpose::MeasureFromNeed {
                service,
                subdomain_key,
                needs,
                ..
            } => {
                let need = &needs[form.selected(0)];
                let text = measure_text(&need.area_name, &form.value(1), &need.missing);
                let base = PlanItem::new(&service.id, subdomain_key, PlanKind::Measure);
                save_plan_item(ctx, form, base, false, 1, &text)
            }
            FormPurpose::NewGoal(service) => {
                let text = validate_plan_text(&form.value(0)).map_err(input(0))?;
                let (_, keys) = subdomain_choices(ctx);
                let subdomains: Vec<String> = keys[form.selected(1)].iter().cloned().collect();
                ctx.store
                    .add_goal(&service.id, &text, &subdomains, now)
                    .map_err(stored(0))?;
                Ok((None, tr(lang, "goals.saved").to_string()))
            }
            FormPurpose::NeedMissing {
                round, area_key, ..
            } => {
                let text = form.value(0).trim().to_string();
                validate_comment(&text).map_err(input(0))?;
                ctx.store
                    .set_need(&round.id, area_key, &NeedField::Missing(text), now)
                    .map_err(stored(0))?;
                Ok((None, tr(lang, "needs.saved").to_string()))
            }
            FormPurpose::Expectations(round) => {
                let wants = Expectation::ALL
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| form.selected(*i) == 1)
                    .map(|(_, e)| *e)
                    .collect();
                let answer = |i: usize| chosen_answer(form, i);
                let n = Expectation::ALL.len();
                let text = form.value(n + 2).trim().to_string();
                validate_comment(&text).map_err(input(n + 2))?;
                let expectations = Expectations {
                    wants,
                    text,
                    knows_why: answer(n),
                    own_wish: answer(n + 1),
                };
                ctx.store
                    .set_expectations(&round.id, &expectations, now)
                    .map_err(stored(0))?;
                Ok((None, tr(lang, "needs.saved").to_string()))
            }
            FormPurpose::Facts(round) => {
                let mut facts = Facts::default();
                for (i, field) in FactField::ALL.iter().enumerate() {
                    facts
                        .set_typed(*field, &form.value(i))
                        .map_err(|p| (i, fact_problem(lang, *field, p)))?;
                }
                ctx.store
                    .set_facts(&round.id, &facts, now)
                    .map_err(stored(0))?;
                Ok((None, tr(lang, "needs.saved").to_string()))
            }
            FormPurpose::OwnArea(service) => {
                let name = validate_name(NameField::Name, &form.value(0)).map_err(input(0))?;
                if name.is_empty() {
                    return Err((0, tr(lang, "error.empty_name").to_string()));
                }
                let area = ctx
                    .store
                    .add_own_area(&service.id, &name, now)
                    .map_err(stored(0))?;
                Ok((
                    None,
                    trf(lang, "needs.own_area_saved", &[("name", &area.name)]),
                ))
            }
            FormPurpose::RoundStage(_, round) => {
                let stage = form.selected(0).checked_sub(1).map(|i| Stage::ALL[i]);
                ctx.store
                    .set_round_stage(&round.id, stage, now)
                    .map_err(stored(0))?;
                Ok((None, trf(lang, "stage.saved", &[("round", &round.label)])))
            }
            FormPurpose::EditCluster(old) => {
                let day =
                    |index: usize| parse_optional_date(&form.value(index)).map_err(input(index));
                let cluster = Cluster {
                    id: old.id.clone(),
                    name: form.value(0),
                    county: form.value(1),
                    centre: form.value(2),
                    process_leaders: form.value(3),
                    period_from: day(4)?,
                    period_to: day(5)?,
                };
                let saved = ctx
                    .store
                    .update_cluster(&cluster, now)
                    .map_err(|e| cluster_refusal(lang, e))?;
                Ok((
                    None,
                    trf(lang, "cluster_year.saved", &[("cluster", &saved.name)]),
                ))
            }
            FormPurpose::NewGathering(cluster) => {
                let held_on = parse_date(&form.value(0)).map_err(input(0))?;
                let kind = GatheringKind::ALL[form.selected(1)];
                let gathering = ctx
                    .store
                    .add_gathering(&cluster.id, held_on, kind, form.value(2).trim(), now)
                    .map_err(|e| cluster_refusal(lang, e))?;
                let text = trf(
                    lang,
                    "gathering.added",
                    &[("date", &present::date(lang, gathering.held_on))],
                );
                Ok((
                    Some(Open::Gathering(cluster.name.clone(), gathering.id)),
                    text,
                ))
            }
            FormPurpose::EditGathering(old) => {
                let gathering = Gathering {
                    held_on: parse_date(&form.value(0)).map_err(input(0))?,
                    kind: GatheringKind::ALL[form.selected(1)],
                    topics: form.value(2).trim().to_string(),
                    ..old.clone()
                };
                ctx.store
                    .update_gathering(&gathering, now)
                    .map_err(|e| cluster_refusal(lang, e))?;
                Ok((
                    None,
                    trf(
                        lang,
                        "gathering.saved",
                        &[("date", &present::date(lang, gathering.held_on))],
                    ),
                ))
            }
            FormPurpose::Attendance {
                service,
                attendance,
                ..
            } => save_attendance(ctx, form, service, attendance),
            FormPurpose::TieRound { round, gatherings } => {
                // The first option is "not tied", then the gatherings by day.
                let gathering = form
                    .selected(0)
                    .checked_sub(1)
                    .and_then(|i| gatherings.get(i));
                ctx.store
                    .tie_round(&round.id, gathering.map(|g| g.id.as_str()), now)
                    .map_err(stored(0))?;
                let text = match gathering {
                    Some(g) => trf(
                        lang,
                        "tie.saved",
                        &[
                            ("round", &round.label),
                            ("gathering", &present::gathering_of(lang, g)),
                        ],
                    ),
                    None => trf(lang, "tie.untied", &[("round", &round.label)]),
                };
                Ok((None, text))
            }
            FormPurpose::NewPosition(round) => save_position(ctx, form, &round.id, None),
            FormPurpose::EditPosition(round, position) => {
                save_position(ctx, form, &round.id, Some(&position.id))
            }
        }
    }
}

impl Component for FormScreen {
    fn mode(&self) -> Mode {
        Mode::Form
    }

    fn crumb(&self, lang: Lang) -> String {
        tr(lang, form_title_key(&self.purpose)).to_string()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        let form = &mut self.form;
        let was_confirming = std::mem::take(&mut form.confirm_discard);
        match action {
            // In a list, Esc first empties what was typed to filter it.
            Action::Back if form.clear_filter() => {}
            Action::Back if form.is_dirty() && !was_confirming => {
                form.confirm_discard = true;
                let text = tr(ctx.lang, "form.confirm_discard").to_string();
                ctx.info(StatusKind::Info, text);
            }
            Action::Back => return Outcome::Back,
            Action::NextField => form.focus_next(1),
            Action::PrevField => form.focus_next(-1),
            // ↑↓ move in a list, and between the fields elsewhere.
            Action::Down if !form.vertical(true) => form.focus_next(1),
            Action::Up if !form.vertical(false) => form.focus_next(-1),
            Action::Left => form.horizontal(false),
            Action::Right => form.horizontal(true),
            Action::Type(key) => form.type_key(key),
            Action::Paste(text) => form.paste(&text),
            Action::Submit => match self.save(ctx) {
                Ok((next, text)) => return Outcome::Saved { next, text },
                Err((field, message)) => {
                    self.form.focus = field;
                    self.form.error = Some(message.clone());
                    ctx.info(StatusKind::Error, message);
                }
            },
            _ => {}
        }
        Outcome::Stay
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_form(look, self, frame, area);
    }

    fn about(&self, look: &Look) -> Vec<String> {
        vec![
            tr(look.lang, form_help_key(&self.purpose)).to_string(),
            tr(look.lang, "help.form_keys").to_string(),
        ]
    }
}

fn service_fields(name: &str, municipalities: &str, cluster: &str) -> Vec<Field> {
    vec![
        Field::text("form.service_name", None, name),
        Field::text(
            "form.municipalities",
            Some("form.municipalities_hint"),
            municipalities,
        ),
        Field::text("form.cluster", Some("form.cluster_hint"), cluster),
    ]
}

/// The field a service's or a round's wrong value was typed in.
fn input_error_field(error: &crate::domain::model::InputError) -> usize {
    use crate::domain::model::InputError::*;
    match error {
        EmptyName | EmptyLabel | EmptyText => 0,
        MunicipalityNumber(_) | Date(_) => 1,
        DirectionControl(field) | TooLong(field, _) => match field {
            NameField::Name | NameField::Label | NameField::Text | NameField::Comment => 0,
            NameField::Code | NameField::Owner => 1,
            NameField::Cluster => 2,
        },
    }
}

/// The fields of a plan item form, filled with `item` when editing.
fn plan_fields(lang: Lang, kind: PlanKind, item: Option<&PlanItem>) -> Vec<Field> {
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
                .map(|d| present::date(lang, d))
                .unwrap_or_default();
            fields.push(Field::text("plan.owner", Some("plan.owner_hint"), owner));
            fields.push(Field::text("plan.due", Some("plan.due_hint"), &due));
        }
    }
    fields
}

/// Saves a plan item form whose text field is the `first` and holds (or makes) `text`;
/// the fields of its kind follow.
fn save_plan_item(
    ctx: &mut Ctx,
    form: &Form,
    base: PlanItem,
    editing: bool,
    first: usize,
    text: &str,
) -> Saved {
    let lang = ctx.lang;
    let input = |field: usize| move |e| (field, input_error_text(lang, &e));
    let text = validate_plan_text(text).map_err(input(first))?;
    let mut item = PlanItem { text, ..base };
    let (second, third) = (first + 1, first + 2);
    match item.kind {
        PlanKind::Barrier => item.level = Some(Level::ALL[form.selected(second)]),
        PlanKind::Strategy => {}
        PlanKind::Measure => {
            item.owner =
                validate_name(NameField::Owner, &form.value(second)).map_err(input(second))?;
            item.due_on = parse_optional_date(&form.value(third)).map_err(input(third))?;
        }
    }
    let now = ctx.now();
    let saved = if editing {
        ctx.store.update_plan_item(&item, now)
    } else {
        ctx.store.add_plan_item(&item, now).map(|_| ())
    };
    saved.map_err(|e| (0, e.message(lang)))?;
    Ok((None, tr(lang, "plan.saved").to_string()))
}

/// The fields of a position: its role and education chosen, its figures typed; filled with
/// `position` when editing. A planned 0 is shown empty, as it is typed.
fn position_fields(lang: Lang, position: Option<&Position>) -> Vec<Field> {
    let names = |keys: Vec<&str>| keys.iter().map(|k| tr(lang, k).to_string()).collect();
    let facts = position.map(|p| p.facts);
    let role = facts.map_or(1, |f| {
        PositionRole::ALL
            .iter()
            .position(|r| *r == f.role)
            .unwrap_or(0)
    });
    let education = facts.map_or(0, |f| {
        Education::ALL
            .iter()
            .position(|e| *e == f.education)
            .unwrap_or(0)
    });
    let figure = |value: Option<u16>| value.map(|v| v.to_string()).unwrap_or_default();
    let planned = facts.filter(|f| f.planned_credits > 0);
    vec![
        Field::choice(
            "positions.f_role",
            names(PositionRole::ALL.map(present::position_role_key).to_vec()),
            role,
        ),
        Field::choice(
            "positions.f_education",
            names(Education::ALL.map(present::education_key).to_vec()),
            education,
        ),
        Field::text(
            "positions.f_credits",
            Some("positions.f_credits_hint"),
            &figure(facts.map(|f| f.credits)),
        ),
        Field::text(
            "positions.f_years",
            Some("positions.f_years_hint"),
            &figure(facts.map(|f| u16::from(f.years))),
        ),
        Field::text(
            "positions.f_planned_credits",
            Some("positions.f_planned_credits_hint"),
            &figure(planned.map(|f| f.planned_credits)),
        ),
        Field::text(
            "positions.f_planned_year",
            Some("positions.f_planned_year_hint"),
            &figure(planned.and_then(|f| f.planned_year)),
        ),
    ]
}

/// Saves a position form: a new one in `round_id`, or the one `editing` names.
fn save_position(ctx: &mut Ctx, form: &Form, round_id: &str, editing: Option<&str>) -> Saved {
    let lang = ctx.lang;
    let values = [2, 3, 4, 5].map(|i| form.value(i));
    let facts = parse_facts(
        PositionRole::ALL[form.selected(0)],
        Education::ALL[form.selected(1)],
        values.each_ref().map(String::as_str),
    )
    .map_err(|e| {
        let field = match e.field() {
            FactsField::Credits => 2,
            FactsField::Years => 3,
            FactsField::PlannedCredits => 4,
            FactsField::PlannedYear => 5,
        };
        (field, facts_error_text(lang, &e))
    })?;
    let now = ctx.now();
    let saved = match editing {
        Some(id) => ctx.store.change_position(id, &facts, now),
        None => ctx.store.add_position(round_id, &facts, now).map(|_| ()),
    };
    saved.map_err(|e| match e {
        StoreError::NotFound("position") => (0, tr(lang, "positions.gone").to_string()),
        e => (0, e.message(lang)),
    })?;
    Ok((None, tr(lang, "positions.saved").to_string()))
}

/// The options of the goal form's subdomain choice: none, then every subdomain.
fn subdomain_choices(ctx: &Ctx) -> (Vec<String>, Vec<Option<String>>) {
    let lang = ctx.lang;
    let mut labels = vec![tr(lang, "goals.no_subdomain").to_string()];
    let mut keys = vec![None];
    for section in &ctx.instrument.sections {
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

/// The stage form: none, or one of the model's stages, the round's own chosen.
/// A choice per expectation (no / yes), whether the service knows why it was invited and
/// takes part by its own wish (– / yes / partly / no), and its own words; as stored.
fn expectation_fields(ctx: &Ctx, round: &Round) -> Vec<Field> {
    let lang = ctx.lang;
    let current = ctx.store.expectations(&round.id).unwrap_or_default();
    let names =
        |keys: &[&str]| -> Vec<String> { keys.iter().map(|k| tr(lang, k).to_string()).collect() };
    let no_yes = || names(&["report.answer_no", "report.answer_yes"]);
    let mut fields: Vec<Field> = Expectation::ALL
        .iter()
        .map(|e| {
            Field::choice(
                present::expectation_key(*e),
                no_yes(),
                usize::from(current.wants.contains(e)),
            )
        })
        .collect();
    fields.push(Field::choice(
        "report.col_knows_why",
        answer_options(lang),
        answer_index(current.knows_why),
    ));
    fields.push(Field::choice(
        "report.col_own_wish",
        answer_options(lang),
        answer_index(current.own_wish),
    ));
    fields.push(Field::text(
        "report.col_own_words",
        Some("walk.comment_confidential"),
        &current.text,
    ));
    fields
}

/// A choice of none, yes, partly or no, in the order `answer_index` counts.
fn answer_options(lang: Lang) -> Vec<String> {
    let mut options = vec![present::NONE.to_string()];
    options.extend(
        YesPartlyNo::ALL
            .iter()
            .map(|a| tr(lang, present::answer_key(*a)).to_string()),
    );
    options
}

fn answer_index(answer: Option<YesPartlyNo>) -> usize {
    answer
        .and_then(|a| YesPartlyNo::ALL.iter().position(|x| *x == a))
        .map_or(0, |i| i + 1)
}

/// The answer chosen in field `field`, made by `answer_options`.
fn chosen_answer(form: &Form, field: usize) -> Option<YesPartlyNo> {
    form.selected(field)
        .checked_sub(1)
        .map(|a| YesPartlyNo::ALL[a])
}

/// A cluster's record as typed, its period's ends as dates.
fn cluster_fields(lang: Lang, cluster: &Cluster) -> Vec<Field> {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| present::date(lang, d)).unwrap_or_default();
    vec![
        Field::text("cluster_field.name", None, &cluster.name),
        Field::text("cluster_field.county", None, &cluster.county),
        Field::text(
            "cluster_field.centre",
            Some("form.centre_hint"),
            &cluster.centre,
        ),
        Field::text(
            "cluster_field.process_leaders",
            Some("form.process_leaders_hint"),
            &cluster.process_leaders,
        ),
        Field::text(
            "form.period_from",
            Some("plan.due_hint"),
            &day(cluster.period_from),
        ),
        Field::text(
            "cluster_field.period_to",
            Some("plan.due_hint"),
            &day(cluster.period_to),
        ),
    ]
}

/// The field of the cluster form, the gathering form or the attendance form a refusal
/// names.
fn cluster_field_index(field: ClusterField) -> usize {
    match field {
        ClusterField::Name | ClusterField::Leaders => 0,
        ClusterField::County | ClusterField::KeyPersons => 1,
        ClusterField::Centre | ClusterField::Staff | ClusterField::Topics => 2,
        ClusterField::ProcessLeaders => 3,
        ClusterField::PeriodTo => 5,
        ClusterField::Note => 5,
    }
}

/// A refusal of the store in a cluster's form, at the field it names.
fn cluster_refusal(lang: Lang, error: StoreError) -> (usize, String) {
    let field = match &error {
        StoreError::ClusterRefused(field, _) => cluster_field_index(*field),
        _ => 0,
    };
    (field, error.message(lang))
}

/// A gathering's day, kind (by its place in `GatheringKind::ALL`) and topics.
fn gathering_fields(lang: Lang, day: &str, kind: usize, topics: &str) -> Vec<Field> {
    vec![
        Field::text("form.gathering_date", Some("form.round_date_hint"), day),
        Field::choice(
            "form.gathering_kind",
            GatheringKind::ALL
                .iter()
                .map(|k| tr(lang, present::gathering_kind_key(*k)).to_string())
                .collect(),
            kind,
        ),
        Field::text("cluster_field.topics", Some("form.topics_hint"), topics),
    ]
}

fn attendance_fields(lang: Lang, attendance: &Attendance) -> Vec<Field> {
    let count = |n: u16| if n == 0 { String::new() } else { n.to_string() };
    vec![
        Field::text("cluster_field.leaders", None, &count(attendance.leaders)),
        Field::text(
            "cluster_field.key_persons",
            None,
            &count(attendance.key_persons),
        ),
        Field::text("cluster_field.staff", None, &count(attendance.staff)),
        Field::choice(
            "gathering.col_pre_work",
            answer_options(lang),
            answer_index(attendance.pre_work),
        ),
        Field::choice(
            "gathering.col_between_work",
            answer_options(lang),
            answer_index(attendance.between_work),
        ),
        Field::text(
            "cluster_field.note",
            Some("walk.comment_confidential"),
            &attendance.note,
        ),
    ]
}

/// Saves an attendance form whole; every count is read, and refused naming its field,
/// before anything is written.
fn save_attendance(ctx: &mut Ctx, form: &Form, service: &Service, base: &Attendance) -> Saved {
    let lang = ctx.lang;
    let count = |index: usize, field: ClusterField| {
        parse_count(field, &form.value(index))
            .map_err(|(field, problem)| (index, cluster_problem(lang, field, problem)))
    };
    let attendance = Attendance {
        leaders: count(0, ClusterField::Leaders)?,
        key_persons: count(1, ClusterField::KeyPersons)?,
        staff: count(2, ClusterField::Staff)?,
        pre_work: chosen_answer(form, 3),
        between_work: chosen_answer(form, 4),
        note: form.value(5).trim().to_string(),
        ..base.clone()
    };
    let now = ctx.now();
    ctx.store
        .put_attendance(&attendance, now)
        .map_err(|e| cluster_refusal(lang, e))?;
    Ok((
        None,
        trf(
            lang,
            "gathering.attendance_saved",
            &[("service", &service.name)],
        ),
    ))
}

/// The seven facts as typed: empty where none is recorded.
fn fact_fields(ctx: &Ctx, round: &Round) -> Vec<Field> {
    let lang = ctx.lang;
    let current = ctx.store.facts(&round.id).unwrap_or_default();
    FactField::ALL
        .iter()
        .map(|&field| {
            let places = if field == FactField::Ftes { 1 } else { 0 };
            let value = current
                .get(field)
                .map_or(String::new(), |v| present::decimal(lang, v, places));
            Field::text(fact_key(field), None, &value)
        })
        .collect()
}

/// The tie form: not tied, or one of the cluster's gatherings by its day, kind and topics;
/// the one the round is tied to chosen.
fn tie_fields(ctx: &Ctx, round: &Round, gatherings: &[Gathering]) -> Vec<Field> {
    let lang = ctx.lang;
    let current = ctx.store.round_gathering(&round.id).ok().flatten();
    let mut options = vec![tr(lang, "tie.not_tied").to_string()];
    options.extend(gatherings.iter().map(|g| {
        let name = present::gathering_name(lang, g);
        match crate::domain::model::single_line(&g.topics).as_str() {
            "" => name,
            topics => format!("{name} – {}", present::fit(topics, 40)),
        }
    }));
    let selected = current
        .and_then(|id| gatherings.iter().position(|g| g.id == id))
        .map_or(0, |i| i + 1);
    vec![Field::choice("tie.label", options, selected)]
}

fn stage_fields(ctx: &Ctx, round: &Round) -> Vec<Field> {
    let lang = ctx.lang;
    let current = ctx.store.round_stage(&round.id).ok().flatten();
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

fn form_title_key(purpose: &FormPurpose) -> &'static str {
    match purpose {
        FormPurpose::NewService => "form.new_service",
        FormPurpose::EditService(_) => "form.edit_service",
        FormPurpose::NewRound(_) => "form.new_round",
        FormPurpose::NewRespondent(..) => "form.new_respondent",
        FormPurpose::NewPlanItem(_, _, kind) => match kind {
            PlanKind::Barrier => "plan.new_barrier",
            PlanKind::Strategy => "plan.new_strategy",
            PlanKind::Measure => "plan.new_measure",
        },
        FormPurpose::EditPlanItem(_) => "plan.edit",
        FormPurpose::MeasureFromNeed { .. } => "plan.new_measure_from_need",
        FormPurpose::NewGoal(_) => "goals.new",
        FormPurpose::RoundStage(..) => "stage.title",
        FormPurpose::TieRound { .. } => "tie.title",
        FormPurpose::NeedMissing { .. } => "needs.missing_title",
        FormPurpose::OwnArea(_) => "needs.own_area_title",
        FormPurpose::Expectations(_) => "report.expectations_heading",
        FormPurpose::Facts(_) => "report.facts_heading",
        FormPurpose::NewPosition(_) => "positions.new",
        FormPurpose::EditPosition(..) => "positions.edit",
        FormPurpose::EditCluster(_) => "form.edit_cluster",
        FormPurpose::NewGathering(_) => "form.new_gathering",
        FormPurpose::EditGathering(_) => "form.edit_gathering",
        FormPurpose::Attendance { .. } => "form.attendance",
    }
}

/// What a form's fields take, for its help.
fn form_help_key(purpose: &FormPurpose) -> &'static str {
    let plan_kind = |kind: &PlanKind| match kind {
        PlanKind::Barrier => "help.form_barrier",
        PlanKind::Strategy => "help.form_strategy",
        PlanKind::Measure => "help.form_measure",
    };
    match purpose {
        FormPurpose::NewService | FormPurpose::EditService(_) => "help.form_service",
        FormPurpose::NewRound(_) => "help.form_round",
        FormPurpose::NewRespondent(..) => "help.form_respondent",
        FormPurpose::NewPlanItem(_, _, kind) => plan_kind(kind),
        FormPurpose::EditPlanItem(item) => plan_kind(&item.kind),
        FormPurpose::MeasureFromNeed { .. } => "help.form_measure_from_need",
        FormPurpose::NewGoal(_) => "help.form_goal",
        FormPurpose::RoundStage(..) => "help.form_stage",
        FormPurpose::TieRound { .. } => "help.form_tie",
        FormPurpose::NeedMissing { .. } => "help.form_need_missing",
        FormPurpose::OwnArea(_) => "help.form_own_area",
        FormPurpose::Expectations(_) => "help.form_expectations",
        FormPurpose::Facts(_) => "help.form_facts",
        FormPurpose::NewPosition(_) | FormPurpose::EditPosition(..) => "help.form_position",
        FormPurpose::EditCluster(_) => "help.form_cluster",
        FormPurpose::NewGathering(_) => "help.form_gathering",
        FormPurpose::EditGathering(_) => "help.form_edit_gathering",
        FormPurpose::Attendance { .. } => "help.form_attendance",
    }
}

fn draw_form(look: &Look, screen: &FormScreen, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let form = &screen.form;
    let mut title = tr(lang, form_title_key(&screen.purpose)).to_string();
    match &screen.purpose {
        FormPurpose::NewRound(service) => title = format!("{title} – {}", service.name),
        FormPurpose::NewRespondent(_, round)
        | FormPurpose::RoundStage(_, round)
        | FormPurpose::TieRound { round, .. }
        | FormPurpose::NewPosition(round)
        | FormPurpose::Expectations(round)
        | FormPurpose::Facts(round)
        | FormPurpose::EditPosition(round, _)
        | FormPurpose::MeasureFromNeed { round, .. } => {
            title = format!("{title} – {}", round.label)
        }
        FormPurpose::NewGoal(service) | FormPurpose::OwnArea(service) => {
            title = format!("{title} – {}", service.name)
        }
        FormPurpose::NeedMissing { area_name, .. } => title = format!("{title} – {area_name}"),
        FormPurpose::EditCluster(cluster) | FormPurpose::NewGathering(cluster) => {
            title = format!("{title} – {}", cluster.name)
        }
        FormPurpose::EditGathering(gathering) => {
            title = format!("{title} – {}", present::date(lang, gathering.held_on))
        }
        FormPurpose::Attendance {
            gathering, service, ..
        } => {
            title = format!(
                "{title} – {}, {}",
                service.name,
                present::date(lang, gathering.held_on)
            )
        }
        _ => {}
    }
    let outer = block(title);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);

    // A list takes the room there is, a row of choices as many lines as it wraps to. A text
    // field is its label over a box of one line, four rows; where the form has fewer (60×16
    // with an error in the status line), its label goes into the box's top border, so that
    // what was typed in every field still shows.
    let rows_of = |text_rows: u16| -> Vec<u16> {
        form.fields
            .iter()
            .enumerate()
            .map(|(index, f)| match &f.input {
                Input::Text { .. } => text_rows,
                input if input.is_list() => 4,
                Input::Choice {
                    options, selected, ..
                } => {
                    let rows = choice_row(options, *selected, index == form.focus, inner.width);
                    1 + rows.len() as u16
                }
            })
            .collect()
    };
    let compact = rows_of(4).iter().sum::<u16>() > inner.height;
    let rows = rows_of(if compact { 3 } else { 4 });
    let (start, end) = shown_fields(&rows, form.focus, inner.height);
    let mut constraints: Vec<Constraint> = rows[start..end]
        .iter()
        .copied()
        .zip(&form.fields[start..end])
        .map(|(rows, f)| {
            if f.input.is_list() {
                Constraint::Min(rows)
            } else {
                Constraint::Length(rows)
            }
        })
        .collect();
    let has_list = form.fields.iter().any(|f| f.input.is_list());
    constraints.push(if has_list {
        Constraint::Length(u16::from(form.error.is_some()) * 2)
    } else {
        Constraint::Fill(1)
    });
    let areas = Layout::vertical(constraints).split(inner);
    for (index, field) in form.fields.iter().enumerate().take(end).skip(start) {
        let focused = index == form.focus;
        // Only a text field has a border to carry its label.
        let label_rows = u16::from(!(compact && matches!(field.input, Input::Text { .. })));
        let [label_area, input_area] =
            Layout::vertical([Constraint::Length(label_rows), Constraint::Fill(1)])
                .areas(areas[index - start]);
        let mut label = vec![Span::styled(
            tr(lang, field.label).to_string(),
            if focused { BOLD } else { Style::new() },
        )];
        if let Some(hint) = field.hint {
            label.push(Span::styled(
                format!("  {}", tr(lang, hint)),
                look.theme.dim(),
            ));
        }
        let label = Line::from(label);
        if label_rows == 1 {
            frame.render_widget(Paragraph::new(label.clone()), label_area);
        }
        match &field.input {
            Input::Text { area: textarea, .. } => {
                let mut textarea = textarea.clone();
                let border = if focused {
                    look.theme.accent().add_modifier(Modifier::BOLD)
                } else {
                    look.theme.dim()
                };
                let mut field_block = Block::default()
                    .borders(Borders::ALL)
                    .border_type(if focused {
                        BorderType::Thick
                    } else {
                        BorderType::Plain
                    })
                    .border_style(border);
                if label_rows == 0 {
                    field_block = field_block.title(label);
                }
                textarea.set_block(field_block);
                textarea.set_cursor_line_style(Style::new());
                // Shown only where typing would replace it, without colour.
                textarea.set_selection_style(if focused {
                    Style::new().add_modifier(Modifier::REVERSED)
                } else {
                    Style::new()
                });
                if !focused {
                    textarea.set_cursor_style(Style::new());
                }
                frame.render_widget(&*textarea, input_area);
            }
            input @ Input::Choice {
                options,
                selected,
                filter,
            } => {
                if input.is_list() {
                    draw_choice_list(
                        look,
                        (options, *selected, filter),
                        focused,
                        frame,
                        input_area,
                    );
                } else {
                    let rows = choice_row(options, *selected, focused, input_area.width);
                    frame.render_widget(Paragraph::new(rows), input_area);
                }
            }
        }
    }
    let last = areas[areas.len() - 1];
    if start > 0 || end < form.fields.len() {
        let marks = format!(
            "{}{}",
            if start > 0 { "▲ " } else { "" },
            if end < form.fields.len() { "▼" } else { "" }
        );
        let [_, bottom] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(last);
        frame.render_widget(
            Paragraph::new(marks.trim_end().to_string())
                .alignment(ratatui::layout::Alignment::Right),
            bottom,
        );
    }
    if let Some(error) = &form.error {
        frame.render_widget(
            Paragraph::new(format!("✗ {error}"))
                .style(look.theme.status(StatusKind::Error))
                .wrap(Wrap { trim: true }),
            last,
        );
    }
}

/// A short choice side by side, `(•)` on the chosen one, wrapped onto more lines where the
/// row is wider than `width`; ◀ ▶ mark the focused one, which ←→ change.
fn choice_row(
    options: &[String],
    selected: usize,
    focused: bool,
    width: u16,
) -> Vec<Line<'static>> {
    let width = usize::from(width);
    let mut lines = vec![Line::from(if focused { "◀ " } else { "  " })];
    for (i, option) in options.iter().enumerate() {
        let chosen = i == selected;
        let text = format!("{}{option}", if chosen { "(•) " } else { "( ) " });
        let style = match (chosen, focused) {
            (true, true) => SELECTED,
            (true, false) => BOLD,
            _ => Style::new(),
        };
        // Room for the option, and on the last line for the ▶ after it.
        let need = text.chars().count() + if i + 1 == options.len() { 3 } else { 2 };
        let line = lines.last_mut().expect("one line at least");
        if line.width() > 2 && line.width() + need > width {
            lines.push(Line::from("  "));
        }
        let line = lines.last_mut().expect("one line at least");
        line.push_span(Span::styled(text, style));
        line.push_span(Span::raw("  "));
    }
    if focused {
        let line = lines.last_mut().expect("one line at least");
        line.push_span(Span::raw("▶"));
    }
    lines
}

/// A long choice as a list: the filter typed so far and what it finds, then the options it
/// shows, scrolled to the chosen one.
fn draw_choice_list(
    look: &Look,
    (options, selected, filter): (&[String], usize, &str),
    focused: bool,
    frame: &mut Frame,
    area: Rect,
) {
    let lang = look.lang;
    let [filter_area, list_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let shown = matches(options, filter);
    let status = if filter.is_empty() {
        Line::styled(
            if focused {
                trf(lang, "form.filter_hint", &[("n", &options.len())])
            } else {
                String::new()
            },
            look.theme.dim(),
        )
    } else if shown.is_empty() {
        Line::styled(
            trf(lang, "form.no_match", &[("filter", &filter)]),
            look.theme.status(StatusKind::Warning),
        )
    } else {
        Line::from(trf(
            lang,
            "form.filter",
            &[
                ("filter", &filter),
                ("shown", &shown.len()),
                ("total", &options.len()),
            ],
        ))
    };
    frame.render_widget(Paragraph::new(status), filter_area);
    // "▶ " and "(•) " before each name.
    let room = usize::from(list_area.width).saturating_sub(6);
    let items: Vec<ListItem> = shown
        .iter()
        .map(|&i| {
            let mark = if i == selected { "(•) " } else { "( ) " };
            ListItem::new(format!("{mark}{}", present::fit(&options[i], room)))
        })
        .collect();
    let list = List::new(items)
        .highlight_symbol("▶ ")
        .highlight_spacing(HighlightSpacing::Always)
        .highlight_style(if focused { SELECTED } else { BOLD });
    let mut state = ListState::default().with_selected(shown.iter().position(|&i| i == selected));
    frame.render_stateful_widget(list, list_area, &mut state);
}
