//! Drawing the consultant's screens. Reads state only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table,
    TableState, Tabs, Wrap,
};

use super::analysis::{ClusterSort, ClusterView, CompareTab, CompareView, RolesView, TrendView};
use super::app::{App, kind_key, role_key};
use super::view::{BOLD, SELECTED, band_symbol, block};
use crate::domain::compare::Change;
use crate::domain::instrument::{SHORT_NAME_CHARS, Section};
use crate::domain::plan::{Stage, consensus_percent};
use crate::domain::scoring::{Band, Tally};
use crate::i18n::plan_names::stage_key;
use crate::i18n::{Lang, decimal, tr, trf};

fn percent(tally: &Tally) -> String {
    tally
        .percent()
        .map(|p| format!("{p:.0} %"))
        .unwrap_or_else(|| "–".to_string())
}

fn band_mark(tally: &Tally) -> &'static str {
    tally.band().map(band_symbol).unwrap_or("·")
}

/// "▲ +12 ★": direction, percentage points, and a star on notable changes.
pub fn delta_text(change: &Change) -> String {
    match change.delta() {
        None => "–".to_string(),
        Some(d) => {
            let arrow = if d >= 0.5 {
                "▲"
            } else if d <= -0.5 {
                "▼"
            } else {
                "="
            };
            let star = if change.notable() { " ★" } else { "" };
            format!("{arrow} {d:+.0}{star}")
        }
    }
}

fn band_style(app: &App, band: Option<Band>) -> Style {
    band.map(|b| app.theme.band(b)).unwrap_or_default()
}

pub fn draw_compare(app: &App, view: &CompareView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let (from, to) = (&view.rounds[view.from], &view.rounds[view.to]);
    let c = &view.comparison;
    let title = trf(
        lang,
        "compare.title",
        &[
            ("from", &from.label),
            ("n_from", &c.n_from),
            ("to", &to.label),
            ("n_to", &c.n_to),
        ],
    );
    let outer = block(title);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let [tabs_area, body, legend] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let titles = [
        "compare.tab_areas",
        "compare.tab_items",
        "compare.tab_chart",
    ]
    .map(|k| tr(lang, k).to_string());
    let selected = match view.tab {
        CompareTab::Areas => 0,
        CompareTab::Items => 1,
        CompareTab::Chart => 2,
    };
    frame.render_widget(
        Tabs::new(titles)
            .select(selected)
            .highlight_style(SELECTED)
            .divider("│"),
        tabs_area,
    );
    match view.tab {
        CompareTab::Areas => draw_compare_areas(app, view, frame, body),
        CompareTab::Items => draw_compare_items(app, view, frame, body),
        CompareTab::Chart => draw_compare_chart(app, view, frame, body),
    }
    frame.render_widget(
        Paragraph::new(tr(lang, "compare.legend")).style(app.theme.dim()),
        legend,
    );
}

fn change_cells(app: &App, change: &Change) -> Vec<Cell<'static>> {
    vec![
        Cell::from(percent(&change.from)),
        Cell::from(percent(&change.to)),
        Cell::from(delta_text(change)).style(if change.notable() { BOLD } else { Style::new() }),
        Cell::from(Line::from(vec![
            Span::styled(band_mark(&change.from), band_style(app, change.from.band())),
            Span::raw("→"),
            Span::styled(band_mark(&change.to), band_style(app, change.to.band())),
        ])),
        Cell::from(format!("{}→{}", change.from.dont_know, change.to.dont_know)),
    ]
}

fn draw_compare_areas(app: &App, view: &CompareView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let mut rows = Vec::new();
    for (section, change) in app
        .instrument
        .sections
        .iter()
        .zip(&view.comparison.sections)
    {
        let mut cells = vec![Cell::from(section.name.get(lang).to_string()).style(BOLD)];
        cells.extend(change_cells(app, &change.change));
        rows.push(Row::new(cells));
        let scale = app.instrument.scale(&section.scale);
        for (subdomain, sub) in section.subdomains.iter().zip(&change.subdomains) {
            let mut cells = vec![Cell::from(format!("  {}", subdomain.name.get(lang)))];
            cells.extend(change_cells(app, sub));
            // The gathering's agreed value beside the individual scores, never mixed in.
            let agreed = |side: usize| {
                let value = view.consensus[side].get(&sub.key)?;
                Some(format!("{:.0}", consensus_percent(*value, scale?)))
            };
            cells.push(Cell::from(match (agreed(0), agreed(1)) {
                (None, None) => String::new(),
                (from, to) => format!(
                    "{}→{}",
                    from.unwrap_or_else(|| "–".into()),
                    to.unwrap_or_else(|| "–".into())
                ),
            }));
            rows.push(Row::new(cells));
        }
    }
    let header = Row::new(vec![
        tr(lang, "summary.area"),
        tr(lang, "compare.from"),
        tr(lang, "compare.to"),
        tr(lang, "compare.change"),
        tr(lang, "summary.band"),
        tr(lang, "summary.dont_know"),
        tr(lang, "compare.consensus"),
    ])
    .style(BOLD);
    let offset = view.offset.min(rows.len().saturating_sub(1));
    let table = Table::new(
        rows,
        [
            Constraint::Fill(1),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(8),
            Constraint::Length(5),
            // "Don't know", whole.
            Constraint::Length(10),
            Constraint::Length(7),
        ],
    )
    .header(header);
    // The selected row (kept on screen by the table) is where `p` opens a plan.
    let table = table.row_highlight_style(SELECTED);
    frame.render_stateful_widget(
        table,
        area,
        &mut TableState::default().with_selected(Some(offset)),
    );
}

fn draw_compare_items(app: &App, view: &CompareView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let items = app.instrument.items();
    let mean = |m: Option<f64>| m.map(|v| decimal(lang, v, 1)).unwrap_or_else(|| "–".into());
    let mut rows: Vec<Row> = view
        .comparison
        .items
        .iter()
        .map(|item| {
            let text = items
                .iter()
                .find(|i| i.item.key == item.key)
                .map(|i| format!("{}. {}", i.index + 1, i.item.text.get(lang)))
                .unwrap_or_else(|| item.key.clone());
            Row::new(vec![
                Cell::from(text),
                Cell::from(mean(item.from_mean)),
                Cell::from(mean(item.to_mean)),
                Cell::from(delta_text(&item.change)),
                Cell::from(format!(
                    "{}→{}",
                    item.change.from.dont_know, item.change.to.dont_know
                )),
            ])
        })
        .collect();
    for key in &view.comparison.not_comparable {
        rows.push(Row::new(vec![
            Cell::from(trf(lang, "compare.not_comparable", &[("key", key)])).style(app.theme.dim()),
        ]));
    }
    let header = Row::new(vec![
        tr(lang, "compare.item"),
        tr(lang, "compare.from"),
        tr(lang, "compare.to"),
        tr(lang, "compare.change"),
        tr(lang, "summary.dont_know"),
    ])
    .style(BOLD);
    let offset = view.offset.min(rows.len().saturating_sub(1));
    let table = Table::new(
        rows,
        [
            Constraint::Fill(1),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(9),
            Constraint::Length(10),
        ],
    )
    .header(header);
    // The selected row (kept on screen by the table) is where `p` opens a plan.
    let table = table.row_highlight_style(SELECTED);
    frame.render_stateful_widget(
        table,
        area,
        &mut TableState::default().with_selected(Some(offset)),
    );
}

/// Each section's label in `width` characters: its name, cut to the room; where two cut
/// names would read the same ("Programme fit", "Programme owner support"), their short names.
fn section_labels(sections: &[Section], lang: Lang, width: usize) -> Vec<String> {
    let cut = |text: &str| -> String { text.chars().take(width).collect() };
    let names: Vec<String> = sections.iter().map(|s| cut(s.name.get(lang))).collect();
    sections
        .iter()
        .zip(&names)
        .map(|(section, name)| {
            if names.iter().filter(|other| *other == name).count() > 1 {
                cut(section.short.get(lang))
            } else {
                name.clone()
            }
        })
        .collect()
}

fn draw_compare_chart(app: &App, view: &CompareView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let sections = &app.instrument.sections;
    let bar_width =
        ((area.width.saturating_sub(2) / sections.len().max(1) as u16).saturating_sub(3) / 2)
            .clamp(1, 8);
    let [chart_area, key_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let mut chart = BarChart::default()
        .bar_width(bar_width)
        .bar_gap(1)
        .group_gap(3)
        .max(100);
    let labels = section_labels(sections, lang, usize::from(bar_width * 2 + 1));
    for (label, change) in labels.into_iter().zip(&view.comparison.sections) {
        let bar = |tally: &Tally, mark: &str, style: Style| {
            let value = tally.percent().map(|p| p.round() as u64).unwrap_or(0);
            Bar::default()
                .value(value)
                .text_value(format!(
                    "{mark}{}",
                    tally
                        .percent()
                        .map(|p| format!("{p:.0}"))
                        .unwrap_or("–".into())
                ))
                .style(style)
                .value_style(style.add_modifier(Modifier::REVERSED))
        };
        let group = BarGroup::default().label(Line::from(label)).bars(&[
            bar(&change.change.from, "", app.theme.dim()),
            bar(&change.change.to, "", app.theme.accent()),
        ]);
        chart = chart.data(group);
    }
    frame.render_widget(chart, chart_area);
    frame.render_widget(
        Paragraph::new(tr(lang, "compare.chart_key")).style(app.theme.dim()),
        key_area,
    );
}

/// The mark a section's line is drawn with in the trend chart: one per section, none of
/// them a band's symbol (● ◐ ○) or a change's (▲ ▼).
fn trend_mark(section: usize) -> char {
    const MARKS: [char; 6] = ['•', '■', '◆', '×', '+', '*'];
    MARKS[section % MARKS.len()]
}

/// The trend chart's legend, mark → number and section, in lines as wide as `area`: the full
/// names where they leave the chart 10 rows, else the short names on one line, else the full
/// names however many lines they take. Each entry with its section's index, for its colour.
fn trend_legend(sections: &[Section], lang: Lang, area: Rect) -> Vec<Vec<(usize, String)>> {
    let width = usize::from(area.width);
    let entries = |short: bool| -> Vec<(usize, String)> {
        sections
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let name = if short {
                    s.short.get(lang)
                } else {
                    s.name.get(lang)
                };
                (i, format!("{} {} {name}", trend_mark(i), i + 1))
            })
            .collect()
    };
    let length = |entries: &[(usize, String)]| {
        (entries
            .iter()
            .map(|(_, e)| e.chars().count() + 2)
            .sum::<usize>())
        .saturating_sub(2)
    };
    let mut full: Vec<Vec<(usize, String)>> = vec![Vec::new()];
    for entry in entries(false) {
        let line = full.last_mut().expect("one line at least");
        if !line.is_empty() && length(line) + 2 + entry.1.chars().count() > width {
            full.push(Vec::new());
        }
        full.last_mut().expect("one line at least").push(entry);
    }
    let short = entries(true);
    if usize::from(area.height).saturating_sub(full.len()) < 10 && length(&short) <= width {
        vec![short]
    } else {
        full
    }
}

/// A sparkline as text, one block per round, so the trend reads without colour.
fn sparkline(values: &[Option<f64>]) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .iter()
        .map(|v| match v {
            Some(p) => LEVELS[((p / 100.0 * 7.0).round() as usize).min(7)],
            None => '·',
        })
        .collect()
}

pub fn draw_trend(app: &App, view: &TrendView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let outer = block(trf(lang, "trend.title", &[("service", &view.service.name)]));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if view.points.is_empty() {
        frame.render_widget(
            Paragraph::new(tr(lang, "rounds.empty")).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let sections = &app.instrument.sections;
    let has_stage = view.points.iter().any(|p| p.stage.is_some());
    let table_height = (sections.len() + 2 + usize::from(has_stage) * 2) as u16;
    let [chart_area, table_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(table_height)]).areas(inner);

    let series: Vec<Vec<(f64, f64)>> = (0..sections.len())
        .map(|s| {
            view.points
                .iter()
                .enumerate()
                .filter_map(|(x, p)| Some((x as f64, p.scores.get(s)?.tally.percent()?)))
                .collect()
        })
        .collect();
    // Without colour (NO_COLOR) the sections still tell apart: each has its own mark, and the
    // legend under the chart names it; the chart keeps its 6 rows beside the legend.
    let legend = trend_legend(sections, lang, chart_area);
    if usize::from(chart_area.height) >= 6 + legend.len() {
        let [chart_area, legend_area] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(legend.len() as u16)])
                .areas(chart_area);
        let legend: Vec<Line> = legend
            .into_iter()
            .map(|entries| {
                let mut spans = Vec::new();
                for (i, text) in entries {
                    if !spans.is_empty() {
                        spans.push(Span::raw("  "));
                    }
                    spans.push(Span::styled(text, app.theme.series(i)));
                }
                Line::from(spans)
            })
            .collect();
        frame.render_widget(Paragraph::new(legend), legend_area);
        let datasets: Vec<Dataset> = sections
            .iter()
            .zip(&series)
            .enumerate()
            .map(|(i, (section, points))| {
                Dataset::default()
                    .name(format!("{} {}", i + 1, section.name.get(lang)))
                    .marker(Marker::Custom(trend_mark(i)))
                    .graph_type(GraphType::Line)
                    .style(app.theme.series(i))
                    .data(points)
            })
            .collect();
        let last = (view.points.len().max(2) - 1) as f64;
        let labels: Vec<String> = view
            .points
            .iter()
            .map(|p| p.round.held_on.format("%d.%m.%y").to_string())
            .collect();
        let x_labels = if labels.len() > 1 {
            vec![labels[0].clone(), labels[labels.len() - 1].clone()]
        } else {
            labels.clone()
        };
        let chart = Chart::new(datasets)
            .x_axis(Axis::default().bounds([0.0, last]).labels(x_labels))
            .y_axis(
                Axis::default()
                    .bounds([0.0, 100.0])
                    .labels(["0", "50", "100 %"]),
            )
            // The legend below names the series, with their marks and numbers.
            .legend_position(None);
        frame.render_widget(chart, chart_area);
    }

    // The same numbers as a table: every round a column, the trend as a sparkline.
    let shown = view
        .points
        .len()
        .min(usize::from(table_area.width.saturating_sub(30) / 7).max(1));
    let first = view.points.len() - shown;
    let mut header = vec![tr(lang, "summary.area").to_string()];
    header.extend(view.points[first..].iter().map(|p| {
        format!(
            "{} ",
            tr(lang, kind_key(p.round.kind))
                .chars()
                .take(6)
                .collect::<String>()
        )
    }));
    header.push(tr(lang, "trend.sparkline").to_string());
    let rows: Vec<Row> =
        sections
            .iter()
            .enumerate()
            .map(|(s, section)| {
                let values: Vec<Option<f64>> = view
                    .points
                    .iter()
                    .map(|p| p.scores.get(s).and_then(|x| x.tally.percent()))
                    .collect();
                let mut cells = vec![
                    Cell::from(format!("{} {}", s + 1, section.name.get(lang)))
                        .style(app.theme.series(s)),
                ];
                cells.extend(values[first..].iter().map(|v| {
                    Cell::from(v.map(|p| format!("{p:.0} %")).unwrap_or_else(|| "–".into()))
                }));
                cells.push(Cell::from(sparkline(&values)));
                Row::new(cells)
            })
            .collect();
    let mut widths = vec![Constraint::Fill(1)];
    widths.extend(std::iter::repeat_n(Constraint::Length(6), shown));
    widths.push(Constraint::Length(view.points.len().clamp(6, 20) as u16));
    let dates: Vec<String> = view.points[first..]
        .iter()
        .map(|p| p.round.held_on.format("%d.%m").to_string())
        .collect();
    let mut date_row = vec![String::new()];
    date_row.extend(dates);
    // The implementation stage per round, by its number in the model (the names are below).
    let mut rows = rows;
    if view.points.iter().any(|p| p.stage.is_some()) {
        let mut cells = vec![Cell::from(tr(lang, "stage.title").to_string())];
        cells.extend(view.points[first..].iter().map(|p| {
            Cell::from(
                p.stage
                    .map(|s| (Stage::ALL.iter().position(|x| *x == s).unwrap_or(0) + 1).to_string())
                    .unwrap_or_else(|| "–".into()),
            )
        }));
        rows.push(Row::new(cells).style(BOLD));
    }
    let [table_area, stage_legend_area] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(u16::from(has_stage)),
    ])
    .areas(table_area);
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(BOLD).bottom_margin(0))
            .footer(Row::new(date_row).style(app.theme.dim())),
        table_area,
    );
    if has_stage {
        let mut stages: Vec<Stage> = view.points.iter().filter_map(|p| p.stage).collect();
        stages.sort_by_key(|s| Stage::ALL.iter().position(|x| x == s));
        stages.dedup();
        let names: Vec<String> = stages
            .iter()
            .map(|s| {
                let number = Stage::ALL.iter().position(|x| x == s).unwrap_or(0) + 1;
                format!("{number} {}", tr(lang, stage_key(*s)))
            })
            .collect();
        let legend_area = stage_legend_area;
        frame.render_widget(
            Paragraph::new(format!(
                "{}: {}",
                tr(lang, "stage.title"),
                names.join(" · ")
            ))
            .style(app.theme.dim()),
            legend_area,
        );
    }
}

pub fn draw_cluster(app: &App, view: &ClusterView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let label = view
        .labels
        .get(view.label)
        .map(String::as_str)
        .unwrap_or("–");
    let outer = block(trf(
        lang,
        "cluster.title",
        &[("cluster", &view.cluster), ("round", &label)],
    ));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let sections = &app.instrument.sections;
    let mut header = vec![
        Cell::from(tr(lang, "services.name").to_string()),
        Cell::from("n"),
    ];
    let labels = section_labels(sections, lang, SHORT_NAME_CHARS);
    for (i, name) in labels.iter().enumerate() {
        let sorted = view.sort == ClusterSort::Section(i);
        let text = format!("{}{}", i + 1, if sorted { "▼" } else { "" });
        header.push(Cell::from(format!("{text} {name}")));
    }
    let rows: Vec<Row> = view
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![
                Cell::from(row.service.name.clone()),
                Cell::from(if row.round.is_some() {
                    row.respondents.to_string()
                } else {
                    "–".into()
                }),
            ];
            for score in &row.scores {
                let tally = &score.tally;
                cells.push(
                    Cell::from(match tally.percent() {
                        Some(p) => format!("{} {p:>3.0}", band_mark(tally)),
                        None => "  –".to_string(),
                    })
                    .style(band_style(app, tally.band())),
                );
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Fill(1), Constraint::Length(3)];
    widths.extend(std::iter::repeat_n(Constraint::Length(7), sections.len()));
    let [table_area, key_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(2)]).areas(inner);
    if view.rows.is_empty() {
        frame.render_widget(Paragraph::new(tr(lang, "cluster.empty")), table_area);
    } else {
        let table = Table::new(rows, widths)
            .header(Row::new(header).style(BOLD))
            .row_highlight_style(SELECTED)
            .highlight_symbol("▶ ");
        frame.render_stateful_widget(
            table,
            table_area,
            &mut TableState::default().with_selected(Some(view.selected)),
        );
    }
    let names: Vec<String> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{} {}", i + 1, s.name.get(lang)))
        .collect();
    frame.render_widget(
        Paragraph::new(names.join(" · "))
            .wrap(Wrap { trim: true })
            .style(app.theme.dim()),
        key_area,
    );
}

pub fn draw_roles(app: &App, view: &RolesView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let outer = block(trf(
        lang,
        "roles.title",
        &[("round", &view.round.label), ("min", &view.min_group)],
    ));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    // Two header lines: the group, then its n.
    let mut header = vec![Cell::from(tr(lang, "summary.area").to_string())];
    for group in &view.groups {
        header.push(Cell::from(Text::from(vec![
            Line::from(tr(lang, role_key(group.role)).to_string()),
            Line::from(format!("n={}", group.n)),
        ])));
    }
    header.push(Cell::from(Text::from(vec![
        Line::from(trf(lang, "roles.all", &[("n", &view.respondents)])),
        Line::from(tr(lang, "roles.spread").to_string()),
    ])));
    let rows: Vec<Row> = app
        .instrument
        .sections
        .iter()
        .enumerate()
        .map(|(s, section)| {
            let mut cells = vec![Cell::from(section.name.get(lang).to_string())];
            for group in &view.groups {
                cells.push(match &group.scores {
                    Some(scores) => {
                        let tally = &scores[s].tally;
                        Cell::from(format!("{} {}", band_mark(tally), percent(tally)))
                            .style(band_style(app, tally.band()))
                    }
                    None => {
                        Cell::from(tr(lang, "roles.too_few").to_string()).style(app.theme.dim())
                    }
                });
            }
            let spread = view.spreads.get(s).and_then(|(_, spread)| *spread);
            cells.push(match spread {
                // With fewer respondents than the smallest group, a spread would show them.
                Some(sp) if sp.n >= view.min_group => {
                    Cell::from(format!("{:.0} ({:.0}–{:.0})", sp.mean, sp.min, sp.max))
                }
                Some(_) => Cell::from(tr(lang, "roles.too_few").to_string()).style(app.theme.dim()),
                None => Cell::from("–"),
            });
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Fill(1)];
    widths.extend(std::iter::repeat_n(
        Constraint::Length(12),
        view.groups.len(),
    ));
    widths.push(Constraint::Length(16));
    let [table_area, note_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(3)]).areas(inner);
    frame.render_widget(
        Table::new(rows, widths).header(Row::new(header).style(BOLD).height(2)),
        table_area,
    );
    frame.render_widget(
        Paragraph::new(trf(lang, "roles.note", &[("min", &view.min_group)]))
            .wrap(Wrap { trim: true })
            .style(app.theme.dim()),
        note_area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_maps_percent_to_blocks() {
        assert_eq!(
            sparkline(&[Some(0.0), Some(50.0), Some(100.0), None]),
            "▁▅█·"
        );
    }
}
