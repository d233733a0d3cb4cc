//! Drawing the consultant's screens. Reads state only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState, Tabs,
    Wrap,
};

use super::analysis::{ClusterSort, ClusterView, CompareTab, CompareView, RolesView};
use super::app::App;
use super::widgets::{
    BOLD, SELECTED, band_mark, band_style, block, percent, percent_number, section_labels,
};
use crate::domain::compare::{AreaChange, Change};
use crate::domain::instrument::SHORT_NAME_CHARS;
use crate::domain::plan::consensus_percent;
use crate::domain::scoring::Tally;
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::present::role_key;

/// "▲ +12 ★": direction, percentage points, and a star on notable changes.
fn change_text(change: &Change) -> String {
    match change.delta() {
        None => present::NONE.to_string(),
        Some(d) => {
            let arrow = if d > 0.0 {
                "▲"
            } else if d < 0.0 {
                "▼"
            } else {
                "="
            };
            format!("{arrow} {}", present::change(change))
        }
    }
}

/// "17⚑→8 %": the share of "don't know" in each round, ⚑ where it is a finding.
fn dont_know_cell(from: &Tally, to: &Tally) -> String {
    let side = |t: &Tally| {
        let share = present::share(t.dont_know, t.answered());
        let number = share.map_or_else(
            || present::NONE.to_string(),
            |s| present::decimal(Lang::En, s, 0),
        );
        format!("{number}{}", if t.dont_know_flagged() { "⚑" } else { "" })
    };
    format!("{}→{} %", side(from), side(to))
}

pub fn draw_compare(app: &App, view: &CompareView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let (from, to) = (&view.rounds[view.from], &view.rounds[view.to]);
    let c = &view.comparison;
    let title = trf(
        lang,
        "compare.title",
        &[
            ("service", &view.service.name),
            ("from", &from.label),
            ("to", &to.label),
        ],
    );
    let outer = block(present::fit(
        &title,
        usize::from(area.width.saturating_sub(4)),
    ));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let warning = view.order_warning().map(|key| {
        Paragraph::new(format!(
            "⚠ {}",
            trf(
                lang,
                key,
                &[
                    ("from", &present::date(lang, from.held_on)),
                    ("to", &present::date(lang, to.held_on)),
                ],
            )
        ))
        .wrap(Wrap { trim: true })
        .style(BOLD)
    });
    let warning_height = warning
        .as_ref()
        .map_or(0, |w| w.line_count(inner.width) as u16);
    // The legend in full where it takes two lines at most, else in short.
    let legend = |key: &str| {
        Paragraph::new(tr(lang, key).to_string())
            .wrap(Wrap { trim: true })
            .style(app.theme.dim())
    };
    let (legend, legend_height) = {
        let key = match view.tab {
            CompareTab::Chart => "compare.chart_key",
            _ => "compare.legend",
        };
        let full = legend(key);
        let height = full.line_count(inner.width);
        if height <= 2 {
            (full, height)
        } else {
            let short = legend("compare.legend_short");
            let height = short.line_count(inner.width);
            (short, height)
        }
    };
    // The details of the selected row below the table, as many whole lines as leave the
    // table five rows; Enter shows them all.
    let mut details = compare_details(app, view);
    let mut detail_height = 0;
    if view.tab != CompareTab::Chart {
        let room = inner
            .height
            .saturating_sub(1 + warning_height + legend_height as u16 + 6);
        let mut shown = 0;
        for line in &details {
            let height = Paragraph::new(line.clone())
                .wrap(Wrap { trim: true })
                .line_count(inner.width) as u16;
            if detail_height + height + 1 > room {
                break;
            }
            detail_height += height;
            shown += 1;
        }
        if shown > 0 {
            detail_height += 1;
        }
        details.truncate(shown);
    }
    let legend_height = legend_height as u16;
    let [tabs_area, warning_area, body, detail_area, legend_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(warning_height),
        Constraint::Fill(1),
        Constraint::Length(detail_height),
        Constraint::Length(legend_height),
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
    // The n of each round beside the tabs, where there is room.
    let counted = trf(
        lang,
        "compare.counted",
        &[("from", &c.n_from), ("to", &c.n_to)],
    );
    let tabs_width: usize = titles.iter().map(|t| t.chars().count() + 3).sum();
    let [tabs_left, tabs_right] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(
            if tabs_width + counted.chars().count() + 2 <= usize::from(tabs_area.width) {
                counted.chars().count() as u16
            } else {
                0
            },
        ),
    ])
    .areas(tabs_area);
    frame.render_widget(
        Tabs::new(titles)
            .select(selected)
            .highlight_style(SELECTED)
            .divider("│"),
        tabs_left,
    );
    frame.render_widget(Paragraph::new(counted).style(app.theme.dim()), tabs_right);
    if let Some(warning) = warning {
        frame.render_widget(warning, warning_area);
    }
    match view.tab {
        CompareTab::Areas => draw_compare_areas(app, view, frame, body),
        CompareTab::Items => draw_compare_items(app, view, frame, body),
        CompareTab::Chart => draw_compare_chart(app, view, frame, body),
    }
    if detail_height > 0 {
        let lines = details;
        let detail_block = Block::default()
            .borders(Borders::TOP)
            .border_style(app.theme.dim())
            .title(Span::styled(
                format!(" {} ", tr(lang, "compare.details")),
                app.theme.dim(),
            ));
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: true })
                .block(detail_block),
            detail_area,
        );
    }
    frame.render_widget(legend, legend_area);
    if view.detail_open {
        // Every detail of the selected row, over the table; with room, a margin around.
        let margin = if area.height > 20 && area.width > 70 {
            ratatui::layout::Margin {
                horizontal: 2,
                vertical: 1,
            }
        } else {
            ratatui::layout::Margin::default()
        };
        let popup = area.inner(margin);
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(compare_details(app, view))
                .wrap(Wrap { trim: true })
                .block(
                    block(tr(lang, "compare.details").to_string()).title_bottom(Span::styled(
                        format!(" {} ", tr(lang, "compare.details_close")),
                        app.theme.dim(),
                    )),
                ),
            popup,
        );
    }
}

/// The area's name, or the item's number and text, for the selected row.
fn area_name<'a>(app: &'a App, key: &str) -> &'a str {
    let lang = app.lang;
    let (section_key, subdomain_key) = key.split_once('.').unwrap_or((key, ""));
    let Some(section) = app
        .instrument
        .sections
        .iter()
        .find(|s| s.key == section_key)
    else {
        return "";
    };
    if subdomain_key.is_empty() {
        return section.name.get(lang);
    }
    section
        .subdomains
        .iter()
        .find(|d| d.key == subdomain_key)
        .map_or("", |d| d.name.get(lang))
}

/// Everything the selected row's numbers rest on, in sentences.
fn compare_details(app: &App, view: &CompareView) -> Vec<Line<'static>> {
    match view.tab {
        CompareTab::Areas => view
            .selected_area()
            .map(|area| area_details(app, view, area))
            .unwrap_or_default(),
        CompareTab::Items => item_details(app, view),
        CompareTab::Chart => Vec::new(),
    }
}

fn interval_or_reason(lang: Lang, change: &Change) -> String {
    if !change.enough_respondents() {
        trf(
            lang,
            "compare.too_few_for_star",
            &[("n", &crate::domain::compare::MIN_RESPONDENTS_FOR_STAR)],
        )
    } else {
        let interval = present::change_interval(lang, change);
        let key = if change.beyond_spread() {
            "compare.interval"
        } else {
            "compare.interval_holds_zero"
        };
        trf(
            lang,
            key,
            &[
                ("level", &crate::domain::compare::INTERVAL_LEVEL),
                ("interval", &interval),
            ],
        )
    }
}

fn area_details(app: &App, view: &CompareView, area: &AreaChange) -> Vec<Line<'static>> {
    let lang = app.lang;
    let change = &area.change;
    let mut lines = Vec::new();
    let head = if area.comparable() {
        trf(
            lang,
            "compare.detail_change",
            &[
                ("name", &area_name(app, &area.key)),
                ("from", &present::score(&change.from)),
                ("to", &present::score(&change.to)),
                (
                    "change",
                    &change
                        .delta()
                        .map_or_else(|| present::NONE.to_string(), present::points),
                ),
                ("common", &area.items_common),
                ("items", &area.items),
                ("n_from", &change.n_from),
                ("n_to", &change.n_to),
            ],
        )
    } else {
        trf(
            lang,
            "compare.detail_not_comparable",
            &[
                ("name", &area_name(app, &area.key)),
                ("common", &area.items_common),
                ("items", &area.items),
            ],
        )
    };
    let mut first = vec![Span::styled(head, BOLD)];
    if area.comparable() && change.delta().is_some() {
        first.push(Span::raw(format!(" {}", interval_or_reason(lang, change))));
    }
    if area.notable() {
        first.push(Span::styled(format!(" {}", present::STAR), BOLD));
    }
    lines.push(Line::from(first));
    lines.push(Line::from(match (&area.paired, area.comparable()) {
        (Some(paired), true) => format!(
            "{} {}",
            trf(
                lang,
                "compare.detail_paired",
                &[
                    ("n", &paired.n_from),
                    ("from", &present::score(&paired.from)),
                    ("to", &present::score(&paired.to)),
                    ("change", &present::change(paired)),
                ],
            ),
            paired
                .interval
                .map(|i| format!("({})", present::interval(lang, i)))
                .unwrap_or_default()
        ),
        _ if view.comparison.pairs == 0 => tr(lang, "compare.detail_no_pairs").to_string(),
        _ => tr(lang, "compare.detail_paired_none").to_string(),
    }));
    let (f, t) = (&area.answers_from, &area.answers_to);
    lines.push(Line::from(trf(
        lang,
        "compare.detail_answers",
        &[
            (
                "dk_from",
                &present::count_of(lang, f.dont_know, f.answered()),
            ),
            ("dk_to", &present::count_of(lang, t.dont_know, t.answered())),
            (
                "na_from",
                &present::count_of(lang, f.not_applicable, f.answered()),
            ),
            (
                "na_to",
                &present::count_of(lang, t.not_applicable, t.answered()),
            ),
        ],
    )));
    let scale = area
        .key
        .split_once('.')
        .and_then(|(s, _)| app.instrument.sections.iter().find(|x| x.key == s))
        .and_then(|s| app.instrument.scale(&s.scale));
    let agreed = |side: usize| {
        let value = view.consensus[side].get(&area.key)?;
        Some(format!(
            "{value} ({})",
            present::percent(Some(consensus_percent(*value, scale?)))
        ))
    };
    if let (None, None) = (agreed(0), agreed(1)) {
    } else {
        lines.push(Line::from(trf(
            lang,
            "compare.detail_consensus",
            &[
                ("from", &agreed(0).unwrap_or_else(|| present::NONE.into())),
                ("to", &agreed(1).unwrap_or_else(|| present::NONE.into())),
            ],
        )));
    }
    match &view.comparison.consultant {
        Some(consultant) => {
            if let Some((from, to)) = consultant.area(&area.key) {
                lines.push(Line::from(trf(
                    lang,
                    "compare.detail_consultant",
                    &[
                        ("from", &present::score(from)),
                        ("to", &present::score(to)),
                        ("n_from", &consultant.n_from),
                        ("n_to", &consultant.n_to),
                    ],
                )));
            }
        }
        None if view.comparison.options.with_consultant => {
            lines.push(Line::from(
                tr(lang, "compare.detail_consultant_pooled").to_string(),
            ));
        }
        None => {}
    }
    lines
}

fn item_details(app: &App, view: &CompareView) -> Vec<Line<'static>> {
    let lang = app.lang;
    let items = app.instrument.items();
    let c = &view.comparison;
    let number_and_text = |key: &str| present::numbered_item(app.instrument, lang, key);
    if let Some(item) = c.items.get(view.offset) {
        let scale = items
            .iter()
            .find(|i| i.item.key == item.key)
            .map(|i| (i.scale.min(), i.scale.max()));
        let change = &item.change;
        let mut numbers = trf(
            lang,
            "compare.detail_item",
            &[
                ("mean_from", &present::mean(lang, item.from_mean)),
                ("mean_to", &present::mean(lang, item.to_mean)),
                ("min", &scale.map_or(0, |s| s.0)),
                ("max", &scale.map_or(0, |s| s.1)),
                ("from", &present::score(&change.from)),
                ("to", &present::score(&change.to)),
                ("change", &present::change(change)),
                ("n_from", &change.n_from),
                ("n_to", &change.n_to),
            ],
        );
        if change.delta().is_some() {
            numbers = format!("{numbers} {}", interval_or_reason(lang, change));
        }
        return vec![
            Line::styled(number_and_text(&item.key), BOLD),
            Line::from(numbers),
        ];
    }
    let Some(not) = c
        .not_comparable
        .get(view.offset.saturating_sub(c.items.len()))
    else {
        return Vec::new();
    };
    let (from, to) = (&view.rounds[view.from].label, &view.rounds[view.to].label);
    let why = present::not_comparable_reason(lang, from, to, not);
    vec![
        Line::styled(number_and_text(&not.key), BOLD),
        Line::from(format!("{} {why}", present::NOT_COMPARABLE)),
    ]
}

/// The table's columns that fit `width`: the name takes what the others leave.
struct Columns {
    widths: Vec<Constraint>,
    name: usize,
}

fn columns(width: u16, fixed: &[u16]) -> Columns {
    let spacing = fixed.len() as u16;
    let used: u16 = fixed.iter().sum::<u16>() + spacing;
    let mut widths = vec![Constraint::Fill(1)];
    widths.extend(fixed.iter().map(|w| Constraint::Length(*w)));
    Columns {
        widths,
        name: usize::from(width.saturating_sub(used)),
    }
}

fn draw_compare_areas(app: &App, view: &CompareView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let c = &view.comparison;
    // What a row shows steps down with the width: always from, to and the change; then the
    // items and n it rests on and "don't know"; then the consensus and the process leader.
    let medium = area.width >= 70;
    let wide = area.width >= 104;
    let consensus = wide && view.consensus.iter().any(|m| !m.is_empty());
    let consultant = wide && c.consultant.is_some();
    let mut fixed = vec![5, 5, 8];
    let mut header = vec![
        tr(lang, "summary.area").to_string(),
        tr(lang, "compare.from").to_string(),
        tr(lang, "compare.to").to_string(),
        tr(lang, "compare.change").to_string(),
    ];
    if medium {
        fixed.extend([5, 7, 11]);
        header.push(tr(lang, "compare.items_short").to_string());
        header.push("n".to_string());
        header.push(tr(lang, "summary.dont_know").to_string());
    }
    if consensus {
        fixed.push(9);
        header.push(tr(lang, "compare.consensus").to_string());
    }
    if consultant {
        fixed.push(9);
        header.push(tr(lang, "compare.consultant").to_string());
    }
    let layout = columns(area.width, &fixed);
    let mut rows = Vec::new();
    for (section, change) in app.instrument.sections.iter().zip(&c.sections) {
        let areas = std::iter::once((section.name.get(lang).to_string(), &change.area, true))
            .chain(
                section
                    .subdomains
                    .iter()
                    .zip(&change.subdomains)
                    .map(|(d, a)| (format!("  {}", d.name.get(lang)), a, false)),
            );
        for (name, row_area, is_section) in areas {
            let ch = &row_area.change;
            let mut cells = vec![
                Cell::from(present::fit(&name, layout.name)).style(if is_section {
                    BOLD
                } else {
                    Style::new()
                }),
                Cell::from(Line::from(vec![
                    Span::styled(band_mark(&ch.from), band_style(app.theme, ch.from.band())),
                    Span::raw(format!("{:>4}", percent_number(&ch.from))),
                ])),
                Cell::from(Line::from(vec![
                    Span::styled(band_mark(&ch.to), band_style(app.theme, ch.to.band())),
                    Span::raw(format!("{:>4}", percent_number(&ch.to))),
                ])),
                Cell::from(if row_area.comparable() {
                    change_text(ch)
                } else {
                    present::area_change(row_area)
                })
                .style(if row_area.notable() {
                    BOLD
                } else {
                    Style::new()
                }),
            ];
            if medium {
                cells.push(Cell::from(present::coverage(row_area)));
                cells.push(Cell::from(format!("{}→{}", ch.n_from, ch.n_to)));
                cells.push(Cell::from(dont_know_cell(
                    &row_area.answers_from,
                    &row_area.answers_to,
                )));
            }
            if consensus {
                let scale = app.instrument.scale(&section.scale);
                let agreed = |side: usize| {
                    let value = view.consensus[side].get(&row_area.key)?;
                    Some(present::decimal(
                        Lang::En,
                        consensus_percent(*value, scale?),
                        0,
                    ))
                };
                cells.push(Cell::from(match (agreed(0), agreed(1)) {
                    (None, None) => String::new(),
                    (f, t) => format!(
                        "{}→{}",
                        f.unwrap_or_else(|| present::NONE.into()),
                        t.unwrap_or_else(|| present::NONE.into())
                    ),
                }));
            }
            if consultant {
                let shown = c
                    .consultant
                    .as_ref()
                    .and_then(|k| k.area(&row_area.key))
                    .map(|(f, t)| format!("{}→{}", percent_number(f), percent_number(t)))
                    .unwrap_or_default();
                cells.push(Cell::from(shown));
            }
            rows.push(Row::new(cells));
        }
    }
    let offset = view.offset.min(rows.len().saturating_sub(1));
    let table = Table::new(rows, layout.widths)
        .header(Row::new(header).style(BOLD))
        // The selected row is where `p` opens a plan and Enter shows the details.
        .row_highlight_style(SELECTED);
    frame.render_stateful_widget(
        table,
        area,
        &mut TableState::default().with_selected(Some(offset)),
    );
}

fn draw_compare_items(app: &App, view: &CompareView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let c = &view.comparison;
    let medium = area.width >= 70;
    let mut fixed = vec![5, 5, 8];
    let mut header = vec![
        tr(lang, "compare.item").to_string(),
        tr(lang, "compare.from").to_string(),
        tr(lang, "compare.to").to_string(),
        tr(lang, "compare.change").to_string(),
    ];
    if medium {
        fixed.push(7);
        header.push("n".to_string());
    }
    let layout = columns(area.width, &fixed);
    let numbered = |key: &str| present::numbered_item(app.instrument, lang, key);
    let mut rows: Vec<Row> = c
        .items
        .iter()
        .map(|item| {
            let mut cells = vec![
                Cell::from(present::fit(&numbered(&item.key), layout.name)),
                Cell::from(present::mean(lang, item.from_mean)),
                Cell::from(present::mean(lang, item.to_mean)),
                Cell::from(change_text(&item.change)),
            ];
            if medium {
                cells.push(Cell::from(format!(
                    "{}→{}",
                    item.change.n_from, item.change.n_to
                )));
            }
            Row::new(cells)
        })
        .collect();
    for not in &c.not_comparable {
        rows.push(
            Row::new(vec![
                Cell::from(present::fit(&numbered(&not.key), layout.name)),
                Cell::from(""),
                Cell::from(""),
                Cell::from(present::NOT_COMPARABLE),
            ])
            .style(app.theme.dim()),
        );
    }
    let offset = view.offset.min(rows.len().saturating_sub(1));
    let table = Table::new(rows, layout.widths)
        .header(Row::new(header).style(BOLD))
        .row_highlight_style(SELECTED);
    frame.render_stateful_widget(
        table,
        area,
        &mut TableState::default().with_selected(Some(offset)),
    );
}

fn draw_compare_chart(app: &App, view: &CompareView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let sections = &app.instrument.sections;
    // Two bars a section, each followed by a gap of 1, and 3 between sections: the widest
    // bars that fit.
    let groups = sections.len().max(1) as u16;
    let fits = |bar: u16| groups * (2 * bar + 2 + 3) - 3 - 1 <= area.width;
    let bar_width = (1..=8).rev().find(|b| fits(*b)).unwrap_or(1);
    let chart_area = area;
    let mut chart = BarChart::default()
        .bar_width(bar_width)
        .bar_gap(1)
        .group_gap(3)
        .max(100);
    let labels = section_labels(sections, lang, usize::from(bar_width * 2 + 1));
    for (label, change) in labels.into_iter().zip(&view.comparison.sections) {
        let bar = |tally: &Tally, mark: &str, style: Style| {
            let value = tally.percent().map(|p| p as u64).unwrap_or(0);
            Bar::default()
                .value(value)
                .text_value(format!("{mark}{}", percent_number(tally)))
                .style(style)
                .value_style(style.add_modifier(Modifier::REVERSED))
        };
        let group = BarGroup::default().label(Line::from(label)).bars(&[
            bar(&change.area.change.from, "", app.theme.dim()),
            bar(&change.area.change.to, "", app.theme.accent()),
        ]);
        chart = chart.data(group);
    }
    frame.render_widget(chart, chart_area);
}

pub fn draw_cluster(app: &App, view: &ClusterView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let label = view
        .labels
        .get(view.label)
        .map(String::as_str)
        .unwrap_or("–");
    let outer = block(present::fit(
        &trf(
            lang,
            "cluster.title",
            &[("cluster", &view.cluster), ("round", &label)],
        ),
        usize::from(area.width.saturating_sub(4)),
    ));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let sections = &app.instrument.sections;
    // A section's column: "1 Endr" over "● 81" where there is room, "1" over "●81" where
    // not; the numbers are named in the key below, the services' names take the rest.
    let wide = inner.width >= 80;
    let column: u16 = if wide { 7 } else { 4 };
    let mut header = vec![
        Cell::from(tr(lang, "services.name").to_string()),
        Cell::from("n"),
    ];
    let labels = section_labels(sections, lang, SHORT_NAME_CHARS);
    for (i, name) in labels.iter().enumerate() {
        let sorted = view.sort == ClusterSort::Section(i);
        let text = format!("{}{}", i + 1, if sorted { "▼" } else { "" });
        header.push(Cell::from(if wide {
            format!("{text} {name}")
        } else {
            text
        }));
    }
    // "▶ " before the names, a space between columns.
    let fixed = 2 + 4 + (column + 1) * sections.len() as u16;
    let name_width = usize::from(inner.width.saturating_sub(fixed));
    let rows: Vec<Row> = view
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![
                Cell::from(present::fit(&row.service.name, name_width)),
                Cell::from(if row.round.is_some() {
                    row.respondents.to_string()
                } else {
                    present::NONE.into()
                }),
            ];
            for score in &row.scores {
                let tally = &score.tally;
                let number = percent_number(tally);
                cells.push(
                    Cell::from(match tally.percent() {
                        Some(_) if wide => format!("{} {number:>3}", band_mark(tally)),
                        Some(_) => format!("{}{number:>3}", band_mark(tally)),
                        None => format!("{:>3}", present::NONE),
                    })
                    .style(band_style(app.theme, tally.band())),
                );
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Fill(1), Constraint::Length(3)];
    widths.extend(std::iter::repeat_n(
        Constraint::Length(column),
        sections.len(),
    ));
    let names: Vec<String> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{} {}", i + 1, s.name.get(lang)))
        .collect();
    let key = Paragraph::new(names.join(" · "))
        .wrap(Wrap { trim: true })
        .style(app.theme.dim());
    let key_height = key.line_count(inner.width) as u16;
    let [table_area, key_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(key_height)]).areas(inner);
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
    frame.render_widget(key, key_area);
}

pub fn draw_roles(app: &App, view: &RolesView, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let outer = block(present::fit(
        &trf(
            lang,
            "roles.title",
            &[("round", &view.round.label), ("min", &view.min_group)],
        ),
        usize::from(area.width.saturating_sub(4)),
    ));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    // Each group's column as wide as its heading or its widest cell; the areas' names take
    // what is left, cut with "…".
    let too_few = tr(lang, "roles.too_few");
    let group_widths: Vec<u16> = view
        .groups
        .iter()
        .map(|g| {
            let role = tr(lang, role_key(g.role)).chars().count();
            role.max(too_few.chars().count()).max(7) as u16
        })
        .collect();
    let all_width = trf(lang, "roles.all", &[("n", &view.respondents)])
        .chars()
        .count()
        .max(tr(lang, "roles.spread").chars().count())
        .max(14) as u16;
    let fixed: u16 = group_widths.iter().map(|w| w + 1).sum::<u16>() + all_width + 1;
    let name_width = usize::from(inner.width.saturating_sub(fixed));
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
            let mut cells = vec![Cell::from(present::fit(section.name.get(lang), name_width))];
            for group in &view.groups {
                cells.push(match &group.scores {
                    Some(scores) => {
                        let tally = &scores[s].tally;
                        Cell::from(format!("{} {}", band_mark(tally), percent(tally)))
                            .style(band_style(app.theme, tally.band()))
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
                    Cell::from(present::spread(sp.mean, sp.min, sp.max))
                }
                Some(_) => Cell::from(tr(lang, "roles.too_few").to_string()).style(app.theme.dim()),
                None => Cell::from("–"),
            });
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Fill(1)];
    widths.extend(group_widths.iter().map(|w| Constraint::Length(*w)));
    widths.push(Constraint::Length(all_width));
    // The note whole where the table keeps its rows (2 heading lines and 6 sections), else
    // in short; the help has it whole.
    let note = |key: &str| {
        Paragraph::new(trf(lang, key, &[("min", &view.min_group)]))
            .wrap(Wrap { trim: true })
            .style(app.theme.dim())
    };
    let room = inner.height.saturating_sub(8);
    let (note, note_height) = match note("roles.note") {
        full if full.line_count(inner.width) as u16 <= room => {
            let height = full.line_count(inner.width) as u16;
            (full, height)
        }
        _ => {
            let short = note("roles.note_short");
            let height = short.line_count(inner.width) as u16;
            (short, height)
        }
    };
    let [table_area, note_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(note_height)]).areas(inner);
    frame.render_widget(
        Table::new(rows, widths).header(Row::new(header).style(BOLD).height(2)),
        table_area,
    );
    frame.render_widget(note, note_area);
}
