//! Comparing two rounds of a service: the areas, the items and a chart, the details of a
//! row, and the consensus of each round's joint review beside the scores.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState, Tabs,
    Wrap,
};

use crate::domain::compare::{AreaChange, Change, Comparison, MIN_GROUP, Options};
use crate::domain::model::{Round, Service};
use crate::domain::plan::consensus_percent;
use crate::domain::scoring::Tally;
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, Open, Outcome};
use crate::ui::status::StatusKind;
use crate::ui::widgets::{
    BOLD, Look, SELECTED, band_mark, band_style, block, percent_number, section_labels,
};
use crate::usecase::comparison::{Compared, load_and_compare};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareTab {
    Areas,
    Items,
    Chart,
}

pub struct CompareView {
    pub service: Service,
    /// The service's rounds in date order.
    pub rounds: Vec<Round>,
    pub from: usize,
    pub to: usize,
    pub comparison: Comparison,
    /// The joint reviews' consensus values of the from- and to-round, by subdomain key.
    pub consensus: [HashMap<String, u8>; 2],
    pub tab: CompareTab,
    pub offset: usize,
    /// The selected row's details, opened with Enter.
    pub detail_open: bool,
}

impl CompareView {
    /// The from-round is dated after the to-round, or is the same round.
    pub fn order_warning(&self) -> Option<&'static str> {
        let (from, to) = (&self.rounds[self.from], &self.rounds[self.to]);
        if self.from == self.to {
            Some("compare.same_round")
        } else if from.held_on > to.held_on {
            Some("compare.backwards_screen")
        } else {
            None
        }
    }

    /// Rows of the current tab: sections and subdomains, or items, then the not comparable,
    /// then the areas whose items are withheld.
    pub fn rows(&self) -> usize {
        match self.tab {
            CompareTab::Areas => self
                .comparison
                .sections
                .iter()
                .map(|s| 1 + s.subdomains.len())
                .sum(),
            CompareTab::Items => {
                self.comparison.items.len()
                    + self.comparison.not_comparable.len()
                    + self.comparison.withheld.len()
            }
            CompareTab::Chart => 0,
        }
    }

    /// The area on the selected row of the areas tab.
    pub fn selected_area(&self) -> Option<&crate::domain::compare::AreaChange> {
        self.comparison.areas().nth(self.offset)
    }
}

impl CompareView {
    /// Compares `to` with the round before it (or the first round with the last).
    pub fn open(ctx: &mut Ctx, service: Service, to_round: Option<Round>) -> Option<CompareView> {
        let rounds = ctx.rounds(&service)?;
        if rounds.len() < 2 {
            let text = tr(ctx.lang, "compare.need_two").to_string();
            ctx.info(StatusKind::Info, text);
            return None;
        }
        let to = to_round
            .and_then(|r| rounds.iter().position(|x| x.id == r.id))
            .unwrap_or(rounds.len() - 1);
        let (from, to) = if to == 0 {
            (0, rounds.len() - 1)
        } else {
            (to - 1, to)
        };
        let compared = load_and_compare(
            ctx.store,
            ctx.instrument,
            rounds[from].clone(),
            rounds[to].clone(),
            Options::default(),
        );
        match compared {
            Ok(Compared {
                from: from_round,
                to: to_round,
                comparison,
            }) => Some(CompareView {
                service,
                rounds,
                from,
                to,
                comparison,
                consensus: [from_round.consensus, to_round.consensus],
                tab: CompareTab::Areas,
                offset: 0,
                detail_open: false,
            }),
            Err(e) => {
                ctx.error(&e);
                None
            }
        }
    }

    /// The subdomain `p` plans for: the selected item's, or the selected area's (a section
    /// plans for its first subdomain).
    fn plan_key(&self, ctx: &Ctx) -> Option<String> {
        match self.tab {
            CompareTab::Items => {
                let items = ctx.instrument.items();
                let c = &self.comparison;
                let withheld = self
                    .offset
                    .checked_sub(c.items.len() + c.not_comparable.len());
                if let Some(key) = withheld.and_then(|i| c.withheld.get(i)) {
                    return Some(key.clone());
                }
                c.items.get(self.offset).and_then(|item| {
                    let place = items.iter().find(|i| i.item.key == item.key)?;
                    Some(format!("{}.{}", place.section.key, place.subdomain.key))
                })
            }
            CompareTab::Areas => self.selected_area().map(|area| {
                if area.key.contains('.') {
                    area.key.clone()
                } else {
                    self.comparison
                        .sections
                        .iter()
                        .find(|s| s.area.key == area.key)
                        .and_then(|s| s.subdomains.first())
                        .map_or_else(|| area.key.clone(), |d| d.key.clone())
                }
            }),
            CompareTab::Chart => None,
        }
    }
}

impl Component for CompareView {
    /// The same two rounds compared again (their answers changed elsewhere), on the same
    /// tab and row.
    fn refresh(&mut self, ctx: &mut Ctx) {
        let compared = load_and_compare(
            ctx.store,
            ctx.instrument,
            self.rounds[self.from].clone(),
            self.rounds[self.to].clone(),
            self.comparison.options,
        );
        match compared {
            Ok(Compared {
                from,
                to,
                comparison,
                ..
            }) => {
                self.comparison = comparison;
                self.consensus = [from.consensus, to.consensus];
                self.offset = self.offset.min(self.rows().saturating_sub(1));
            }
            Err(e) => ctx.error(&e),
        }
    }

    fn mode(&self) -> Mode {
        if self.detail_open {
            Mode::CompareDetails
        } else {
            Mode::Compare
        }
    }

    fn crumb(&self, lang: Lang) -> String {
        tr(lang, "compare.crumb").to_string()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        let count = self.rounds.len();
        let last_row = self.rows().saturating_sub(1);
        let mut options = self.comparison.options;
        let mut reload = false;
        if self.detail_open {
            // The details cover the table: any key closes them, quitting aside.
            self.detail_open = false;
            return Outcome::Stay;
        }
        match action {
            Action::Back => return Outcome::Back,
            Action::NextTab => {
                self.tab = match self.tab {
                    CompareTab::Areas => CompareTab::Items,
                    CompareTab::Items => CompareTab::Chart,
                    CompareTab::Chart => CompareTab::Areas,
                };
                self.offset = 0;
            }
            Action::CycleFrom => {
                self.from = (self.from + 1) % count;
                reload = true;
            }
            Action::CycleTo => {
                self.to = (self.to + 1) % count;
                reload = true;
            }
            Action::ToggleConsultant => {
                options.with_consultant = !options.with_consultant;
                reload = true;
            }
            Action::Open if self.tab != CompareTab::Chart && self.rows() > 0 => {
                self.detail_open = true;
            }
            Action::Up => self.offset = self.offset.saturating_sub(1),
            Action::Down => self.offset = (self.offset + 1).min(last_row),
            Action::PageUp => self.offset = self.offset.saturating_sub(10),
            Action::PageDown => self.offset = (self.offset + 10).min(last_row),
            Action::Home => self.offset = 0,
            Action::End => self.offset = last_row,
            Action::Plan => {
                return match self.plan_key(ctx) {
                    Some(key) => Outcome::Open(Open::Plan(self.service.clone(), key)),
                    None => Outcome::Stay,
                };
            }
            _ => {}
        }
        if reload {
            let (from, to) = (&self.rounds[self.from], &self.rounds[self.to]);
            match load_and_compare(ctx.store, ctx.instrument, from.clone(), to.clone(), options) {
                Ok(compared) => {
                    self.comparison = compared.comparison;
                    self.consensus = [compared.from.consensus, compared.to.consensus];
                    self.offset = self.offset.min(self.rows().saturating_sub(1));
                }
                Err(e) => ctx.error(&e),
            }
        }
        Outcome::Stay
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_compare(look, self, frame, area);
    }

    /// The rules behind every number of a comparison, and what the bands are.
    fn about(&self, look: &Look) -> Vec<String> {
        let lang = look.lang;
        vec![
            present::rules_note(lang),
            present::change_legend(lang),
            tr(lang, "help.scoring").to_string(),
            tr(lang, "help.consultant_apart").to_string(),
        ]
    }
}

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

fn draw_compare(look: &Look, view: &CompareView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
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
            .style(look.theme.dim())
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
    let mut details = compare_details(look, view);
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
    frame.render_widget(Paragraph::new(counted).style(look.theme.dim()), tabs_right);
    if let Some(warning) = warning {
        frame.render_widget(warning, warning_area);
    }
    match view.tab {
        CompareTab::Areas => draw_compare_areas(look, view, frame, body),
        CompareTab::Items => draw_compare_items(look, view, frame, body),
        CompareTab::Chart => draw_compare_chart(look, view, frame, body),
    }
    if detail_height > 0 {
        let lines = details;
        let detail_block = Block::default()
            .borders(Borders::TOP)
            .border_style(look.theme.dim())
            .title(Span::styled(
                format!(" {} ", tr(lang, "compare.details")),
                look.theme.dim(),
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
            Paragraph::new(compare_details(look, view))
                .wrap(Wrap { trim: true })
                .block(
                    block(tr(lang, "compare.details").to_string()).title_bottom(Span::styled(
                        format!(" {} ", tr(lang, "compare.details_close")),
                        look.theme.dim(),
                    )),
                ),
            popup,
        );
    }
}

/// The area's name, or the item's number and text, for the selected row.
fn area_name<'a>(look: &'a Look, key: &str) -> &'a str {
    let lang = look.lang;
    let (section_key, subdomain_key) = key.split_once('.').unwrap_or((key, ""));
    let Some(section) = look
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
fn compare_details(look: &Look, view: &CompareView) -> Vec<Line<'static>> {
    match view.tab {
        CompareTab::Areas => view
            .selected_area()
            .map(|area| area_details(look, view, area))
            .unwrap_or_default(),
        CompareTab::Items => item_details(look, view),
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

fn area_details(look: &Look, view: &CompareView, area: &AreaChange) -> Vec<Line<'static>> {
    let lang = look.lang;
    let change = &area.change;
    let mut lines = Vec::new();
    let head = if area.comparable() {
        trf(
            lang,
            "compare.detail_change",
            &[
                ("name", &area_name(look, &area.key)),
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
    } else if area.items == 0 {
        trf(
            lang,
            "compare.detail_not_asked_in_both",
            &[("name", &area_name(look, &area.key))],
        )
    } else {
        trf(
            lang,
            "compare.detail_not_comparable",
            &[
                ("name", &area_name(look, &area.key)),
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
        _ => trf(lang, "compare.detail_paired_none", &[("min", &MIN_GROUP)]),
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
        .and_then(|(s, _)| look.instrument.sections.iter().find(|x| x.key == s))
        .and_then(|s| look.instrument.scale(&s.scale));
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

fn item_details(look: &Look, view: &CompareView) -> Vec<Line<'static>> {
    let lang = look.lang;
    let items = look.instrument.items();
    let c = &view.comparison;
    let number_and_text = |key: &str| present::numbered_item(look.instrument, lang, key);
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
    let withheld = view
        .offset
        .checked_sub(c.items.len() + c.not_comparable.len());
    if let Some(key) = withheld.and_then(|i| c.withheld.get(i)) {
        return vec![
            Line::styled(present::withheld_area(look.instrument, lang, key), BOLD),
            Line::from(present::withheld_reason(lang)),
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

fn draw_compare_areas(look: &Look, view: &CompareView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
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
    for (section, change) in look.instrument.sections.iter().zip(&c.sections) {
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
                    Span::styled(band_mark(&ch.from), band_style(look.theme, ch.from.band())),
                    Span::raw(format!("{:>4}", percent_number(&ch.from))),
                ])),
                Cell::from(Line::from(vec![
                    Span::styled(band_mark(&ch.to), band_style(look.theme, ch.to.band())),
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
                let scale = look.instrument.scale(&section.scale);
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
    draw_rows(frame, area, (header, rows, layout.widths), view.offset);
}

/// A tab's table: its header, its rows, the row at `offset` selected (kept within the rows),
/// where `p` opens a plan and Enter shows the details.
fn draw_rows(
    frame: &mut Frame,
    area: Rect,
    (header, rows, widths): (Vec<String>, Vec<Row<'static>>, Vec<Constraint>),
    offset: usize,
) {
    let offset = offset.min(rows.len().saturating_sub(1));
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(BOLD))
        .row_highlight_style(SELECTED);
    frame.render_stateful_widget(
        table,
        area,
        &mut TableState::default().with_selected(Some(offset)),
    );
}

fn draw_compare_items(look: &Look, view: &CompareView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
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
    let numbered = |key: &str| present::numbered_item(look.instrument, lang, key);
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
            .style(look.theme.dim()),
        );
    }
    for key in &c.withheld {
        rows.push(
            Row::new(vec![
                Cell::from(present::fit(
                    &present::withheld_area(look.instrument, lang, key),
                    layout.name,
                )),
                Cell::from(""),
                Cell::from(""),
                Cell::from(tr(lang, "compare.withheld_short").to_string()),
            ])
            .style(look.theme.dim()),
        );
    }
    draw_rows(frame, area, (header, rows, layout.widths), view.offset);
}

fn draw_compare_chart(look: &Look, view: &CompareView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let sections = &look.instrument.sections;
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
            bar(&change.area.change.from, "", look.theme.dim()),
            bar(&change.area.change.to, "", look.theme.accent()),
        ]);
        chart = chart.data(group);
    }
    frame.render_widget(chart, chart_area);
}
