//! The joint review of a round: how its respondents answered each subdomain, without names,
//! and the consensus the group agrees on.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::domain::instrument::Instrument;
use crate::domain::instrument::Scale;
use crate::domain::model::{Response, Round, Service};
use crate::domain::plan::consensus_percent;
use crate::domain::scoring::Answering;
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::store::Plans;
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, Outcome};
use crate::ui::status::StatusKind;
use crate::ui::widgets::{BOLD, Look, SELECTED, block};
use crate::usecase::rounds::RoundData;

/// How the respondents of a round answered one subdomain, without names.
pub struct Distribution {
    pub subdomain_key: String,
    /// Answers per scale value, lowest first.
    pub counts: Vec<(u8, usize)>,
    pub dont_know: usize,
    pub not_applicable: usize,
}

pub struct ReviewView {
    pub service: Service,
    pub round: Round,
    pub respondents: usize,
    pub rows: Vec<Distribution>,
    pub consensus: HashMap<String, u8>,
    pub selected: usize,
}

impl ReviewView {
    pub fn open(ctx: &mut Ctx, service: Service, round: Round) -> Option<ReviewView> {
        let data = ctx.load(|s| RoundData::load(s, round.clone()))?;
        Some(ReviewView {
            service,
            round,
            respondents: data.respondents.len(),
            rows: distributions(ctx.instrument, &data.sets()),
            consensus: data.consensus,
            selected: 0,
        })
    }
}

/// How the answers fall on each subdomain's scale, in instrument order.
fn distributions(instrument: &Instrument, all: &[Answering<'_>]) -> Vec<Distribution> {
    let mut rows = Vec::new();
    for section in &instrument.sections {
        let Some(scale) = instrument.scale(&section.scale) else {
            continue;
        };
        for subdomain in &section.subdomains {
            let mut row = Distribution {
                subdomain_key: format!("{}.{}", section.key, subdomain.key),
                counts: scale.points.iter().map(|p| (p.value, 0)).collect(),
                dont_know: 0,
                not_applicable: 0,
            };
            for (asked, answers) in all {
                for item in subdomain.items.iter().filter(|i| subdomain.asks(i, *asked)) {
                    match answers.get(&item.key).and_then(|a| a.response) {
                        Some(Response::Score(v)) => {
                            if let Some(slot) = row.counts.iter_mut().find(|(value, _)| *value == v)
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
    rows
}

impl Component for ReviewView {
    fn mode(&self) -> Mode {
        Mode::Review
    }

    fn crumb(&self, lang: Lang) -> String {
        tr(lang, "review.crumb").to_string()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        let instrument = ctx.instrument;
        let last = self.rows.len().saturating_sub(1);
        let value = match action {
            Action::Back => return Outcome::Back,
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                return Outcome::Stay;
            }
            Action::Down => {
                self.selected = (self.selected + 1).min(last);
                return Outcome::Stay;
            }
            Action::Choose(v) => Some(v),
            Action::Clear => None,
            _ => return Outcome::Stay,
        };
        let key = self.rows[self.selected].subdomain_key.clone();
        let scale: Option<&Scale> = instrument.subdomain(&key).map(|d| d.scale);
        if let (Some(v), Some(scale)) = (value, scale)
            && !scale.contains(v)
        {
            let text = trf(
                ctx.lang,
                "walk.out_of_scale",
                &[("min", &scale.min()), ("max", &scale.max())],
            );
            ctx.info(StatusKind::Error, text);
            return Outcome::Stay;
        }
        let now = ctx.now();
        match ctx.store.set_consensus(&self.round.id, &key, value, now) {
            Ok(()) => {
                match value {
                    Some(v) => self.consensus.insert(key, v),
                    None => self.consensus.remove(&key),
                };
                self.selected = (self.selected + usize::from(value.is_some())).min(last);
                let text = tr(ctx.lang, "review.saved").to_string();
                ctx.info(StatusKind::Saved, text);
            }
            Err(e) => ctx.error(&e),
        }
        Outcome::Stay
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_review(look, self, frame, area);
    }

    fn about(&self, look: &Look) -> Vec<String> {
        vec![tr(look.lang, "review.note").to_string()]
    }
}

fn draw_review(look: &Look, view: &ReviewView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let outer = block(present::fit(
        &trf(
            lang,
            "review.title",
            &[
                ("round", &view.round.label),
                (
                    "n",
                    &present::count(lang, "noun.respondent", view.respondents),
                ),
            ],
        ),
        usize::from(area.width.saturating_sub(4)),
    ));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    // The note whole where it leaves the table room, else in short (the help has it all).
    let note = |key: &str| {
        Paragraph::new(tr(lang, key).to_string())
            .wrap(Wrap { trim: true })
            .style(look.theme.dim())
    };
    let (note, note_height) = match note("review.note") {
        full if full.line_count(inner.width) <= 2 => {
            let height = full.line_count(inner.width);
            (full, height)
        }
        _ => {
            let short = note("review.note_short");
            let height = short.line_count(inner.width);
            (short, height)
        }
    };
    let [table_area, note_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(note_height as u16)])
            .areas(inner);
    // Narrow, the counts close up: "1:0 2:2" rather than "1:0  2:2".
    let narrow = inner.width < 70;
    let spread_text = |row: &Distribution| -> String {
        let cell = |label: String, n: usize| {
            if narrow {
                format!("{label}:{n} ")
            } else {
                format!("{label}:{n:<3}")
            }
        };
        let mut text: String = row
            .counts
            .iter()
            .map(|(value, n)| cell(value.to_string(), *n))
            .collect();
        text.push_str(&cell("v".into(), row.dont_know));
        text.push_str(&format!("i:{}", row.not_applicable));
        text
    };
    let spread_width = view
        .rows
        .iter()
        .map(|row| spread_text(row).chars().count())
        .chain([tr(lang, "review.spread").chars().count()])
        .max()
        .unwrap_or(0) as u16;
    let consensus_width: u16 = 9;
    let name_width = usize::from(
        inner
            .width
            .saturating_sub(2 + spread_width + consensus_width + 2),
    );
    let header = Row::new(vec![
        tr(lang, "summary.area").to_string(),
        tr(lang, "review.spread").to_string(),
        tr(lang, "review.consensus").to_string(),
    ])
    .style(BOLD);
    let rows: Vec<Row> = view
        .rows
        .iter()
        .map(|row| {
            let name = present::subdomain_name(look.instrument, lang, &row.subdomain_key);
            let spread = spread_text(row);
            let consensus = view.consensus.get(&row.subdomain_key).map(|v| {
                let scale = look
                    .instrument
                    .subdomain(&row.subdomain_key)
                    .map(|d| d.scale);
                match scale {
                    Some(scale) => format!(
                        "{v} ({})",
                        present::percent(Some(consensus_percent(*v, scale)))
                    ),
                    None => v.to_string(),
                }
            });
            Row::new(vec![
                Cell::from(present::fit(name, name_width)),
                Cell::from(spread),
                Cell::from(consensus.unwrap_or_else(|| present::NONE.into())),
            ])
        })
        .collect();
    frame.render_stateful_widget(
        Table::new(
            rows,
            [
                Constraint::Fill(1),
                Constraint::Length(spread_width),
                Constraint::Length(consensus_width),
            ],
        )
        .header(header)
        .row_highlight_style(SELECTED)
        .highlight_symbol("▶ "),
        table_area,
        &mut TableState::default().with_selected(Some(view.selected)),
    );
    frame.render_widget(note, note_area);
}
