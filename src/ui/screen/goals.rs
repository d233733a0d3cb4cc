//! The goal matrix of a service: its goals by round, each with its status, cycled by Enter.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::domain::model::{Round, Service};
use crate::domain::plan::{Goal, GoalStatus};
use crate::i18n::plan_names::{goal_status_short_key, goal_status_symbol};
use crate::i18n::{Lang, tr, trf};
use crate::messages::Erasing;
use crate::present;
use crate::store::{Answers, Plans};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, FormPurpose, Open, Outcome};
use crate::ui::status::StatusKind;
use crate::ui::widgets::{BOLD, Look, SELECTED, block};

pub struct GoalsView {
    pub service: Service,
    /// The service's rounds in date order: the matrix's columns.
    pub rounds: Vec<Round>,
    pub goals: Vec<Goal>,
    pub statuses: HashMap<(String, String), GoalStatus>,
    pub goal: usize,
    pub round: usize,
    /// The erasure the status line asks about, until it is answered.
    pub erasing: Option<Erasing>,
}

impl GoalsView {
    pub fn open(ctx: &mut Ctx, service: Service) -> Option<GoalsView> {
        let (rounds, goals, statuses) = ctx.load(|s| {
            let rounds = s.rounds(&service.id)?;
            let goals = s.goals(&service.id)?;
            let statuses = s.goal_statuses(&service.id)?;
            Ok((rounds, goals, statuses))
        })?;
        Some(GoalsView {
            service,
            round: rounds.len().saturating_sub(1),
            rounds: rounds.into_iter().map(|r| r.round).collect(),
            goals,
            statuses,
            goal: 0,
            erasing: None,
        })
    }
}

impl Component for GoalsView {
    fn mode(&self) -> Mode {
        if self.erasing.is_some() {
            return Mode::ConfirmErase;
        }
        Mode::Goals
    }

    fn crumb(&self, lang: Lang) -> String {
        tr(lang, "goals.crumb").to_string()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        if self.erasing.is_some() {
            if ctx.answer_erase(&mut self.erasing, &action) {
                self.refresh(ctx);
            }
            return Outcome::Stay;
        }
        match action {
            Action::Back => return Outcome::Back,
            Action::Up => self.goal = self.goal.saturating_sub(1),
            Action::Down => self.goal = (self.goal + 1).min(self.goals.len().saturating_sub(1)),
            Action::Left => self.round = self.round.saturating_sub(1),
            Action::Right => self.round = (self.round + 1).min(self.rounds.len().saturating_sub(1)),
            Action::New => {
                let purpose = FormPurpose::NewGoal(self.service.clone());
                return Outcome::Open(Open::Form(purpose));
            }
            Action::Erase => {
                if let Some(goal) = self.goals.get(self.goal) {
                    let erasing = Erasing::goal(ctx.lang, goal);
                    self.erasing = ctx.ask_erase(erasing);
                }
            }
            Action::Confirm => {
                let (Some(goal), Some(round)) =
                    (self.goals.get(self.goal), self.rounds.get(self.round))
                else {
                    return Outcome::Stay;
                };
                // none → not → partly → achieved → none
                let current = self
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
                let now = ctx.now();
                match ctx.store.set_goal_status(&goal_id, &round_id, next, now) {
                    Ok(()) => {
                        let text = tr(ctx.lang, "goals.saved").to_string();
                        ctx.info(StatusKind::Saved, text);
                        self.refresh(ctx);
                    }
                    Err(e) => ctx.error(&e),
                }
            }
            _ => {}
        }
        Outcome::Stay
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_goals(look, self, frame, area);
    }

    fn refresh(&mut self, ctx: &mut Ctx) {
        let id = self.service.id.clone();
        if let Some((goals, statuses)) =
            ctx.load(|s| s.goals(&id).and_then(|g| Ok((g, s.goal_statuses(&id)?))))
        {
            self.goals = goals;
            self.statuses = statuses;
            self.goal = self.goal.min(self.goals.len().saturating_sub(1));
        }
    }
}

fn draw_goals(look: &Look, view: &GoalsView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let outer = block(trf(lang, "goals.title", &[("service", &view.service.name)]));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let [table_area, legend_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(2)]).areas(inner);
    if view.goals.is_empty() {
        frame.render_widget(
            Paragraph::new(tr(lang, "goals.empty")).wrap(Wrap { trim: true }),
            table_area,
        );
    } else {
        // The goal and its area share what the rounds leave; names cut for room end in "…".
        const ROUND_WIDTH: u16 = 13;
        let rounds = view.rounds.len() as u16;
        let room = table_area
            .width
            .saturating_sub(2 + 1 + rounds * (ROUND_WIDTH + 1));
        let area_of = |goal: &Goal| {
            let names: Vec<&str> = goal
                .subdomain_keys
                .iter()
                .map(|key| present::subdomain_name(look.instrument, lang, key))
                .collect();
            if names.is_empty() {
                "–".to_string()
            } else {
                names.join(", ")
            }
        };
        let area_header = tr(lang, "summary.area");
        // The area takes what its longest name needs, up to two fifths; the goal the rest.
        let area_width = view
            .goals
            .iter()
            .map(|g| area_of(g).chars().count())
            .chain([area_header.chars().count()])
            .max()
            .unwrap_or(0)
            .min(usize::from(room * 2 / 5)) as u16;
        let goal_width = room.saturating_sub(area_width).max(8);
        let mut header = vec![
            Cell::from(tr(lang, "goals.goal").to_string()),
            Cell::from(area_header.to_string()),
        ];
        for (i, round) in view.rounds.iter().enumerate() {
            let label = present::fit(&round.label, usize::from(ROUND_WIDTH));
            let style = if i == view.round { SELECTED } else { BOLD };
            header.push(Cell::from(label).style(style));
        }
        let rows: Vec<Row> = view
            .goals
            .iter()
            .enumerate()
            .map(|(g, goal)| {
                let mut cells = vec![
                    Cell::from(present::fit(&goal.text, usize::from(goal_width))),
                    Cell::from(present::fit(&area_of(goal), usize::from(area_width))),
                ];
                for (r, round) in view.rounds.iter().enumerate() {
                    let status = view.statuses.get(&(goal.id.clone(), round.id.clone()));
                    let text = match status {
                        Some(s) => format!(
                            "{} {}",
                            goal_status_symbol(*s),
                            tr(lang, goal_status_short_key(*s))
                        ),
                        None => "·".to_string(),
                    };
                    let style = if g == view.goal && r == view.round {
                        SELECTED
                    } else {
                        Style::new()
                    };
                    cells.push(Cell::from(text).style(style));
                }
                Row::new(cells)
            })
            .collect();
        let mut widths = vec![
            Constraint::Length(goal_width),
            Constraint::Length(area_width),
        ];
        widths.extend(std::iter::repeat_n(
            Constraint::Length(ROUND_WIDTH),
            view.rounds.len(),
        ));
        frame.render_stateful_widget(
            Table::new(rows, widths)
                .header(Row::new(header))
                .highlight_symbol("▶ "),
            table_area,
            &mut TableState::default().with_selected(Some(view.goal)),
        );
    }
    frame.render_widget(
        Paragraph::new(tr(lang, "goals.legend"))
            .wrap(Wrap { trim: true })
            .style(look.theme.dim()),
        legend_area,
    );
}
