//! A round's competence needs: per area how well the service masters it and how important it
//! is, the gap between the two, its top three, who needs it, and whether the service is
//! ready to work on it. Every value is saved as it is given.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::domain::compare::Options;
use crate::domain::model::{Round, Service};
use crate::domain::needs::{
    Area, Gap, Need, NeedField, READINESS_SECTION, Readiness, Who, gaps, readiness,
};
use crate::domain::scoring::Tally;
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::store::{Needs, Scores};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, FormPurpose, Open, Outcome};
use crate::ui::status::StatusKind;
use crate::ui::widgets::{BOLD, Look, SELECTED, block};

/// The competence drivers' section, shown beside the readiness the rule reads.
const COMPETENCE_SECTION: &str = "competence";

/// Which value the digits set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedColumn {
    Mastery,
    Importance,
}

pub struct NeedsView {
    pub service: Service,
    pub round: Round,
    pub areas: Vec<Area>,
    pub needs: Vec<Need>,
    /// The round's readiness and competence drivers' scores, with their n.
    pub readiness: Option<Tally>,
    pub competence: Option<Tally>,
    /// The respondents the scores are over (the process leader apart).
    pub respondents: usize,
    pub selected: usize,
    pub column: NeedColumn,
    /// By the gap, largest first, instead of in list order.
    pub by_gap: bool,
}

impl NeedsView {
    pub fn open(ctx: &mut Ctx, service: Service, round: Round) -> Option<NeedsView> {
        let instrument = ctx.instrument;
        let (areas, needs, scores) = ctx.load(|s| {
            let areas = s.areas(&service.id)?;
            let needs = s.needs(&round.id)?;
            let scores = s.round_scores(instrument, &[&round.id], Options::default())?;
            Ok((areas, needs, scores))
        })?;
        let section = |key: &str| {
            scores
                .first()
                .and_then(|r| r.sections.iter().find(|s| s.key == key).map(|s| s.tally))
        };
        Some(NeedsView {
            respondents: scores.first().map_or(0, |r| r.respondents),
            readiness: section(READINESS_SECTION),
            competence: section(COMPETENCE_SECTION),
            service,
            round,
            areas,
            needs,
            selected: 0,
            column: NeedColumn::Mastery,
            by_gap: false,
        })
    }

    /// The areas in the order shown: list order, or by the gap (areas without one last, in
    /// list order).
    pub fn order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.areas.len()).collect();
        if self.by_gap {
            let gaps = gaps(&self.areas, &self.needs);
            let rank = |i: &usize| {
                gaps.iter()
                    .position(|g| g.area_key == self.areas[*i].key)
                    .unwrap_or(usize::MAX)
            };
            order.sort_by_key(|i| (rank(i), *i));
        }
        order
    }

    fn selected_area(&self) -> Option<&Area> {
        self.order()
            .get(self.selected)
            .and_then(|&i| self.areas.get(i))
    }

    fn need(&self, key: &str) -> Option<&Need> {
        self.needs.iter().find(|n| n.area_key == key)
    }

    fn set(&mut self, ctx: &mut Ctx, change: NeedField) {
        let Some(area) = self.selected_area() else {
            return;
        };
        let key = area.key.clone();
        let now = ctx.now();
        match ctx.store.set_need(&self.round.id, &key, &change, now) {
            Ok(need) => {
                match self.needs.iter_mut().find(|n| n.area_key == key) {
                    Some(old) => *old = need,
                    None => self.needs.push(need),
                }
                let text = tr(ctx.lang, "needs.saved").to_string();
                ctx.info(StatusKind::Saved, text);
            }
            Err(e) => ctx.error(&e),
        }
    }
}

impl Component for NeedsView {
    fn mode(&self) -> Mode {
        Mode::Needs
    }

    fn crumb(&self, lang: Lang) -> String {
        tr(lang, "needs.crumb").to_string()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        let last = self.areas.len().saturating_sub(1);
        match action {
            Action::Back => return Outcome::Back,
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Home => self.selected = 0,
            Action::End => self.selected = last,
            Action::Left => self.column = NeedColumn::Mastery,
            Action::Right => self.column = NeedColumn::Importance,
            Action::Choose(digit) => {
                let value = (digit > 0).then_some(digit);
                let change = match self.column {
                    NeedColumn::Mastery => NeedField::Mastery(value),
                    NeedColumn::Importance => NeedField::Importance(value),
                };
                self.set(ctx, change);
            }
            Action::ToggleDone => {
                let on = self
                    .selected_area()
                    .and_then(|a| self.need(&a.key))
                    .is_some_and(|n| n.top_three);
                self.set(ctx, NeedField::TopThree(!on));
            }
            Action::CycleTo => {
                let who = self
                    .selected_area()
                    .and_then(|a| self.need(&a.key))
                    .and_then(|n| n.who);
                self.set(ctx, NeedField::Who(Who::cycle(who)));
            }
            Action::NextTab => {
                // Keep the same area selected when the order changes.
                let key = self.selected_area().map(|a| a.key.clone());
                self.by_gap = !self.by_gap;
                if let Some(key) = key {
                    let order = self.order();
                    self.selected = order
                        .iter()
                        .position(|&i| self.areas[i].key == key)
                        .unwrap_or(0);
                }
            }
            Action::Open | Action::Comment => {
                if let Some(area) = self.selected_area() {
                    let missing = self
                        .need(&area.key)
                        .map(|n| n.missing.clone())
                        .unwrap_or_default();
                    let purpose = FormPurpose::NeedMissing {
                        round: self.round.clone(),
                        area_key: area.key.clone(),
                        area_name: area.name.get(ctx.lang).to_string(),
                        missing,
                    };
                    return Outcome::Open(Open::Form(purpose));
                }
            }
            Action::Expectations => {
                return Outcome::Open(Open::Form(FormPurpose::Expectations(self.round.clone())));
            }
            Action::Facts => {
                return Outcome::Open(Open::Form(FormPurpose::Facts(self.round.clone())));
            }
            Action::New => {
                return Outcome::Open(Open::Form(FormPurpose::OwnArea(self.service.clone())));
            }
            _ => {}
        }
        Outcome::Stay
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_needs(look, self, frame, area);
    }

    fn refresh(&mut self, ctx: &mut Ctx) {
        let (service, round) = (self.service.id.clone(), self.round.id.clone());
        if let Some((areas, needs)) = ctx.load(|s| Ok((s.areas(&service)?, s.needs(&round)?))) {
            self.areas = areas;
            self.needs = needs;
            self.selected = self.selected.min(self.areas.len().saturating_sub(1));
        }
    }

    fn about(&self, look: &Look) -> Vec<String> {
        vec![
            tr(look.lang, "help.needs").to_string(),
            tr(look.lang, "help.needs_ready").to_string(),
        ]
    }
}

/// "81 % ●", or "–" without a score.
fn score_of(tally: Option<&Tally>) -> String {
    tally.map_or_else(|| present::NONE.to_string(), present::score)
}

fn draw_needs(look: &Look, view: &NeedsView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let outer = block(present::fit(
        &trf(lang, "needs.title", &[("round", &view.round.label)]),
        usize::from(area.width.saturating_sub(4)),
    ));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let scores = Paragraph::new(trf(
        lang,
        "needs.scores",
        &[
            ("readiness", &score_of(view.readiness.as_ref())),
            ("competence", &score_of(view.competence.as_ref())),
            ("n", &view.respondents.to_string()),
        ],
    ))
    .wrap(Wrap { trim: true });
    let scores_height = scores.line_count(inner.width) as u16;
    let [scores_area, table_area, legend_area] = Layout::vertical([
        Constraint::Length(scores_height),
        Constraint::Fill(1),
        Constraint::Length(2),
    ])
    .areas(inner);
    frame.render_widget(scores, scores_area);

    let wide = inner.width >= 100;
    let percent = view.readiness.as_ref().and_then(Tally::percent);
    let gaps: Vec<Gap> = gaps(&view.areas, &view.needs);
    let number = |v: Option<u8>| v.map_or_else(|| "·".to_string(), |v| v.to_string());
    // The column the digits set is marked ▼ in its header.
    let heading = |column: NeedColumn, long: &str, short: &str| {
        let mark = if view.column == column { "▼" } else { "" };
        format!("{}{mark}", tr(lang, if wide { long } else { short }))
    };
    let mut header = vec![
        tr(lang, "needs.area").to_string(),
        heading(NeedColumn::Mastery, "needs.mastery", "needs.mastery_short"),
        heading(
            NeedColumn::Importance,
            "needs.importance",
            "needs.importance_short",
        ),
        tr(lang, "needs.gap").to_string(),
        tr(lang, "needs.top_three").to_string(),
    ];
    if wide {
        header.push(tr(lang, "needs.who").to_string());
        header.push(tr(lang, "needs.ready_column").to_string());
    }
    let column_style = |column: NeedColumn, row: bool| {
        if row && view.column == column {
            SELECTED
        } else {
            Style::new()
        }
    };
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Fill(3),
            Constraint::Length(9),
            Constraint::Length(11),
            Constraint::Length(4),
            Constraint::Length(6),
            Constraint::Length(14),
            Constraint::Fill(2),
        ]
    } else {
        vec![
            Constraint::Fill(1),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(6),
        ]
    };
    // "▶ " and the spaces between the columns come off the area's name.
    let fixed: u16 = if wide {
        2 + 9 + 11 + 4 + 6 + 14 + 7
    } else {
        2 + 4 + 4 + 4 + 6 + 5
    };
    let name_width = if wide {
        usize::from(inner.width.saturating_sub(fixed)) * 3 / 5
    } else {
        usize::from(inner.width.saturating_sub(fixed))
    };
    let rows: Vec<Row> = view
        .order()
        .iter()
        .enumerate()
        .map(|(row, &i)| {
            let area = &view.areas[i];
            let need = view.need(&area.key);
            let gap = gaps.iter().find(|g| g.area_key == area.key);
            let gap_text = gap.map_or_else(
                || "·".to_string(),
                |g| {
                    let mark = if g.is_need() { "!" } else { "" };
                    format!("{}{mark}", present::gap(lang, g.gap))
                },
            );
            let selected = row == view.selected;
            let mut cells = vec![
                Cell::from(present::fit(area.name.get(lang), name_width)),
                Cell::from(number(need.and_then(|n| n.mastery)))
                    .style(column_style(NeedColumn::Mastery, selected)),
                Cell::from(number(need.and_then(|n| n.importance)))
                    .style(column_style(NeedColumn::Importance, selected)),
                Cell::from(gap_text),
                Cell::from(if need.is_some_and(|n| n.top_three) {
                    "★"
                } else {
                    ""
                }),
            ];
            if wide {
                let who = need
                    .and_then(|n| n.who)
                    .map_or(String::new(), |w| tr(lang, present::who_key(w)).to_string());
                let ready = match need {
                    Some(n) if gap.is_some() || n.top_three => tr(
                        lang,
                        present::readiness_key(readiness(n.top_three, percent)),
                    )
                    .to_string(),
                    _ => String::new(),
                };
                cells.push(Cell::from(who));
                cells.push(Cell::from(ready));
            }
            Row::new(cells)
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(BOLD))
        .row_highlight_style(Style::new())
        .highlight_symbol("▶ ");
    frame.render_stateful_widget(
        table,
        table_area,
        &mut TableState::default().with_selected(Some(view.selected)),
    );
    // The selected area in full: who needs it, whether the service is ready, what is missing.
    let detail = view.selected_area().map(|area| {
        let need = view.need(&area.key);
        let who = need
            .and_then(|n| n.who)
            .map_or(present::NONE, |w| tr(lang, present::who_key(w)));
        let ready = need.map_or(Readiness::NotPrioritised, |n| {
            readiness(n.top_three, percent)
        });
        let missing = need.map_or("", |n| n.missing.as_str());
        let first = trf(
            lang,
            "needs.detail",
            &[
                ("who", &who),
                ("ready", &tr(lang, present::readiness_key(ready))),
            ],
        );
        let second = if missing.is_empty() {
            tr(lang, "needs.missing_none").to_string()
        } else {
            trf(lang, "needs.missing_text", &[("text", &missing)])
        };
        let width = usize::from(inner.width);
        format!(
            "{}\n{}",
            present::fit(&first, width),
            present::fit(&second, width)
        )
    });
    frame.render_widget(
        Paragraph::new(detail.unwrap_or_default()).style(look.theme.dim()),
        legend_area,
    );
}
