//! A service's rounds, with their kind, respondents and stage, and its open measures.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};

use crate::domain::model::Service;
use crate::domain::plan::{PlanItem, measure_counts};
use crate::i18n::{Lang, tr, trf};
use crate::messages::Erasing;
use crate::present;
use crate::present::kind_key;
use crate::store::RoundSummary;
use crate::store::{Answers, Plans};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, FormPurpose, Open, Outcome, clamp, move_selection};
use crate::ui::widgets::{ListTable, Look};

pub struct RoundList {
    pub service: Service,
    pub rows: Vec<RoundSummary>,
    pub selected: usize,
    /// The service's plan items, for the open and overdue measures.
    pub plan: Vec<PlanItem>,
    /// The erasure the status line asks about, until it is answered.
    pub erasing: Option<Erasing>,
}

impl RoundList {
    /// The service's rounds, the last one selected.
    pub fn open(ctx: &mut Ctx, service: Service) -> Option<RoundList> {
        let (rows, plan) =
            ctx.load(|s| Ok((s.rounds(&service.id)?, s.plan_items(&service.id)?)))?;
        Some(RoundList {
            service,
            selected: rows.len().saturating_sub(1),
            rows,
            plan,
            erasing: None,
        })
    }
}

impl Component for RoundList {
    fn mode(&self) -> Mode {
        if self.erasing.is_some() {
            return Mode::ConfirmErase;
        }
        Mode::Rounds
    }

    fn crumb(&self, _lang: Lang) -> String {
        self.service.name.clone()
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
        let service = self.service.clone();
        let selected = self.rows.get(self.selected).map(|r| r.round.clone());
        let open = match (action, selected) {
            (Action::Back, _) => return Outcome::Back,
            (Action::New, _) => Open::Form(FormPurpose::NewRound(service)),
            (Action::Open, Some(round)) => Open::Respondents(service, round),
            (Action::Summary, Some(round)) => Open::RoundSummary(service, round),
            (Action::Compare, round) => Open::Compare(service, round),
            (Action::Trend, _) => Open::Trend(service),
            (Action::Goals, _) => Open::Goals(service),
            (Action::Stage, Some(round)) => Open::Form(FormPurpose::RoundStage(service, round)),
            (Action::Roles, Some(round)) => Open::Roles(service, round),
            (Action::Review, Some(round)) => Open::Review(service, round),
            (Action::Needs, Some(round)) => Open::Needs(service, round),
            (Action::Positions, Some(round)) => Open::Positions(service, round),
            (Action::Erase, Some(round)) => {
                self.erasing = ctx.ask_erase(Erasing::round(ctx.lang, &round));
                return Outcome::Stay;
            }
            _ => return Outcome::Stay,
        };
        Outcome::Open(open)
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_rounds(look, self, frame, area);
    }

    fn refresh(&mut self, ctx: &mut Ctx) {
        let id = &self.service.id;
        if let Some((rows, plan)) = ctx.load(|s| Ok((s.rounds(id)?, s.plan_items(id)?))) {
            self.rows = rows;
            self.plan = plan;
            clamp(&mut self.selected, self.rows.len());
        }
    }
}

fn draw_rounds(look: &Look, list: &RoundList, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    // The stage and the instrument's version go first where there is no room for them.
    let wide = area.width >= 72;
    let rows = list
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                r.round.label.clone(),
                present::date(lang, r.round.held_on),
                tr(lang, kind_key(r.round.kind)).to_string(),
                r.respondents.to_string(),
            ];
            if wide {
                cells.push(
                    r.stage
                        .map(|s| present::numbered_stage(lang, s))
                        .unwrap_or_default(),
                );
                cells.push(r.round.instrument_version.clone());
            }
            cells
        })
        .collect();
    let mut title = trf(lang, "rounds.title", &[("service", &list.service.name)]);
    let (open, overdue) = measure_counts(&list.plan, look.today());
    if open > 0 {
        let measures = trf(
            lang,
            "rounds.measures",
            &[
                ("open", &present::count(lang, "noun.open_measure", open)),
                ("overdue", &overdue),
            ],
        );
        title = format!("{title} · {measures}");
        // The service is named in the trail above: the measures come before it.
        if title.chars().count() + 4 > usize::from(area.width) {
            title = format!("{} · {measures}", tr(lang, "rounds.title_short"));
        }
    }
    let title = present::fit(&title, usize::from(area.width.saturating_sub(4)));
    let respondents = tr(lang, "rounds.respondents");
    let mut header = vec![
        tr(lang, "rounds.label"),
        tr(lang, "rounds.date"),
        tr(lang, "rounds.kind"),
        respondents,
    ];
    let mut widths = vec![
        Constraint::Fill(2),
        Constraint::Length(10),
        Constraint::Length(9),
        // The heading whole.
        Constraint::Length(respondents.chars().count() as u16),
    ];
    if wide {
        header.extend([tr(lang, "stage.title"), tr(lang, "rounds.version")]);
        widths.extend([Constraint::Fill(2), Constraint::Length(7)]);
    }
    ListTable {
        title,
        header,
        widths,
        rows,
        selected: list.selected,
        empty_hint: tr(lang, "rounds.empty"),
    }
    .draw(frame, area);
}
