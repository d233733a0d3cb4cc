//! A round's respondents, with how far each has come.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};

use crate::domain::model::{Round, Service};
use crate::i18n::{Lang, tr, trf};
use crate::messages::Erasing;
use crate::present::role_key;
use crate::store::Answers;
use crate::store::RespondentSummary;
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, FormPurpose, Open, Outcome, clamp, move_selection};
use crate::ui::widgets::local_time;
use crate::ui::widgets::{ListTable, Look};

pub struct RespondentList {
    pub service: Service,
    pub round: Round,
    pub rows: Vec<RespondentSummary>,
    pub selected: usize,
    /// The erasure the status line asks about, until it is answered.
    pub erasing: Option<Erasing>,
}

impl RespondentList {
    pub fn open(ctx: &mut Ctx, service: Service, round: Round) -> Option<RespondentList> {
        let rows = ctx.load(|s| s.respondents(&round.id))?;
        Some(RespondentList {
            service,
            round,
            rows,
            selected: 0,
            erasing: None,
        })
    }
}

impl Component for RespondentList {
    fn mode(&self) -> Mode {
        if self.erasing.is_some() {
            return Mode::ConfirmErase;
        }
        Mode::Respondents
    }

    fn crumb(&self, _lang: Lang) -> String {
        self.round.label.clone()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        if self.erasing.is_some() {
            if ctx.answer_erase(&mut self.erasing, &action) {
                self.refresh(ctx);
            }
            return Outcome::Stay;
        }
        if move_selection(&mut self.selected, self.rows.len(), &action) {
            return Outcome::Stay;
        }
        let (service, round) = (self.service.clone(), self.round.clone());
        let selected = self.rows.get(self.selected).map(|r| r.respondent.clone());
        let open = match (action, selected) {
            (Action::Back, _) => return Outcome::Back,
            (Action::New, _) => Open::Form(FormPurpose::NewRespondent(service, round)),
            (Action::Open, Some(respondent)) => Open::Walk(service, round, respondent),
            (Action::Summary, _) => Open::RoundSummary(service, round),
            (Action::Roles, _) => Open::Roles(service, round),
            (Action::Gathering, _) => Open::Gathering(service, round),
            (Action::Erase, Some(respondent)) => {
                self.erasing = ctx.ask_erase(Erasing::respondent(ctx.lang, &respondent));
                return Outcome::Stay;
            }
            _ => return Outcome::Stay,
        };
        Outcome::Open(open)
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_respondents(look, self, frame, area);
    }

    fn refresh(&mut self, ctx: &mut Ctx) {
        if let Some(rows) = ctx.load(|s| s.respondents(&self.round.id)) {
            self.rows = rows;
            clamp(&mut self.selected, self.rows.len());
        }
    }
}

fn draw_respondents(look: &Look, list: &RespondentList, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let total = look.instrument.item_count();
    let rows = list
        .rows
        .iter()
        .map(|r| {
            let done = if r.answered >= total { " ✓" } else { "" };
            vec![
                tr(lang, role_key(r.respondent.role)).to_string(),
                r.respondent.code.clone(),
                format!("{}/{total}{done}", r.answered),
                r.last_change
                    .as_deref()
                    .map(|t| local_time(look, t))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    ListTable {
        title: trf(
            lang,
            "respondents.title",
            &[
                ("round", &list.round.label),
                ("service", &list.service.name),
            ],
        ),
        header: vec![
            tr(lang, "respondents.role"),
            tr(lang, "respondents.code"),
            tr(lang, "respondents.answered"),
            tr(lang, "respondents.last_change"),
        ],
        widths: vec![
            Constraint::Fill(1),
            Constraint::Length(8),
            Constraint::Length(9),
            Constraint::Length(16),
        ],
        rows,
        selected: list.selected,
        empty_hint: tr(lang, "respondents.empty"),
    }
    .draw(frame, area);
}
