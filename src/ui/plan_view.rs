//! Drawing the plan, the goal matrix and the gathering. Reads state only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use super::app::App;
use super::plan::{GatheringView, GoalsView, PlanView, find_subdomain};
use super::widgets::{BOLD, SELECTED, block};
use crate::domain::plan::{Goal, PlanItem, PlanKind, consensus_percent};
use crate::i18n::plan_names::{
    goal_status_short_key, goal_status_symbol, level_key, plan_kind_key,
};
use crate::i18n::{tr, trf};
use crate::present;

/// "⚠ over fristen · Fast veiledning – Fagleder – 01.04.2026": the state first, so it is read
/// even where the line is cut short.
pub fn measure_line(app: &App, item: &PlanItem) -> String {
    let lang = app.lang;
    let state = if item.done {
        format!("✓ {}", tr(lang, "plan.done"))
    } else if item.is_overdue(app.today()) {
        format!("⚠ {}", tr(lang, "plan.overdue"))
    } else {
        format!("○ {}", tr(lang, "plan.open"))
    };
    let mut parts = vec![item.text.clone()];
    if !item.owner.is_empty() {
        parts.push(item.owner.clone());
    }
    if let Some(due) = item.due_on {
        parts.push(present::date(app.lang, due));
    }
    format!("{state} · {}", parts.join(" – "))
}

fn subdomain_title(app: &App, key: &str) -> String {
    let lang = app.lang;
    find_subdomain(&app.instrument.sections, key)
        .map(|(section, subdomain)| {
            format!("{} › {}", section.name.get(lang), subdomain.name.get(lang))
        })
        .unwrap_or_else(|| key.to_string())
}

pub fn draw_plan(app: &App, view: &PlanView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let title = trf(
        lang,
        "plan.title",
        &[("subdomain", &subdomain_title(app, &view.subdomain_key))],
    );
    let outer = block(title);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if view.items.is_empty() {
        frame.render_widget(
            Paragraph::new(tr(lang, "plan.empty")).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    // A paragraph, not a table, so that long measures wrap instead of losing their dates.
    let width = usize::from(inner.width.max(1));
    let mut lines = Vec::new();
    let mut before_selected = 0;
    for (index, item) in view.items.iter().enumerate() {
        let detail = match item.kind {
            PlanKind::Barrier => item
                .level
                .map(|l| format!("{} [{}]", item.text, tr(lang, level_key(l))))
                .unwrap_or_else(|| item.text.clone()),
            PlanKind::Strategy => item.text.clone(),
            PlanKind::Measure => measure_line(app, item),
        };
        let selected = index == view.selected;
        let kind = format!(
            "{}{:<10} ",
            if selected { "▶ " } else { "  " },
            tr(lang, plan_kind_key(item.kind))
        );
        let height = (kind.chars().count() + detail.chars().count()).div_ceil(width);
        if index < view.selected {
            before_selected += height;
        }
        let style = if selected { SELECTED } else { Style::new() };
        lines.push(Line::from(vec![
            Span::styled(kind, style.patch(BOLD)),
            Span::styled(detail, style),
        ]));
    }
    let visible = usize::from(inner.height);
    let scroll = before_selected.saturating_sub(visible.saturating_sub(3));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0)),
        inner,
    );
}

pub fn draw_goals(app: &App, view: &GoalsView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
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
                .map(|key| {
                    find_subdomain(&app.instrument.sections, key)
                        .map_or(key.as_str(), |(_, d)| d.name.get(lang))
                })
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
            .style(app.theme.dim()),
        legend_area,
    );
}

pub fn draw_gathering(app: &App, view: &GatheringView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let outer = block(present::fit(
        &trf(
            lang,
            "gathering.title",
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
            .style(app.theme.dim())
    };
    let (note, note_height) = match note("gathering.note") {
        full if full.line_count(inner.width) <= 2 => {
            let height = full.line_count(inner.width);
            (full, height)
        }
        _ => {
            let short = note("gathering.note_short");
            let height = short.line_count(inner.width);
            (short, height)
        }
    };
    let [table_area, note_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(note_height as u16)])
            .areas(inner);
    // Narrow, the counts close up: "1:0 2:2" rather than "1:0  2:2".
    let narrow = inner.width < 70;
    let spread_text = |row: &super::plan::Distribution| -> String {
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
        .chain([tr(lang, "gathering.spread").chars().count()])
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
        tr(lang, "gathering.spread").to_string(),
        tr(lang, "gathering.consensus").to_string(),
    ])
    .style(BOLD);
    let rows: Vec<Row> = view
        .rows
        .iter()
        .map(|row| {
            let name = find_subdomain(&app.instrument.sections, &row.subdomain_key)
                .map(|(_, d)| d.name.get(lang).to_string())
                .unwrap_or_else(|| row.subdomain_key.clone());
            let spread = spread_text(row);
            let consensus = view.consensus.get(&row.subdomain_key).map(|v| {
                let scale = find_subdomain(&app.instrument.sections, &row.subdomain_key)
                    .and_then(|(s, _)| app.instrument.scale(&s.scale));
                match scale {
                    Some(scale) => format!(
                        "{v} ({})",
                        present::percent(Some(consensus_percent(*v, scale)))
                    ),
                    None => v.to_string(),
                }
            });
            Row::new(vec![
                Cell::from(present::fit(&name, name_width)),
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
