//! The trend of a service: each section's score over its rounds, as a chart and a table,
//! with the implementation stage of each round; and, as a second face (Tab), the positions
//! against the 2031 requirement and the facts about the service, round by round in the same
//! columns.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table, TableState, Wrap,
};

use crate::domain::compare::{MIN_GROUP, Options};
use crate::domain::instrument::Section;
use crate::domain::model::{Round, Service};
use crate::domain::needs::{FactField, Facts};
use crate::domain::plan::Stage;
use crate::domain::requirement::StatusTable;
use crate::domain::scoring::SectionScore;
use crate::i18n::{Lang, tr, trf};
use crate::messages::fact_key;
use crate::present;
use crate::present::kind_key;
use crate::store::{Answers, Needs, Scores};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, Outcome, move_selection};
use crate::ui::widgets::{BOLD, Look, SELECTED, block};
use crate::usecase::positions::positions_by_round;

pub struct TrendPoint {
    pub round: Round,
    pub respondents: usize,
    pub scores: Vec<SectionScore>,
    pub stage: Option<Stage>,
    /// The round's positions against the 2031 requirement, small groups suppressed.
    pub status: StatusTable,
    /// The facts about the service recorded for the round; empty where none are.
    pub facts: Facts,
}

/// Which face of the trend is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// The sections' scores, as a chart and a table.
    Scores,
    /// The positions against the 2031 requirement and the facts about the service.
    Requirement,
}

pub struct TrendView {
    pub service: Service,
    pub points: Vec<TrendPoint>,
    pub face: Face,
    /// The selected row of the requirement face, which scrolls where it does not fit.
    pub selected: usize,
}

impl TrendView {
    /// Every round of the service with its kept scores.
    pub fn open(ctx: &mut Ctx, service: Service) -> Option<TrendView> {
        let rounds = ctx.load(|s| s.rounds(&service.id))?;
        let ids: Vec<&str> = rounds.iter().map(|r| r.round.id.as_str()).collect();
        let instrument = ctx.instrument;
        let kept = ctx.load(|s| s.round_scores(instrument, &ids, Options::default()))?;
        let plain: Vec<Round> = rounds.iter().map(|r| r.round.clone()).collect();
        let mut statuses = ctx.load(|s| positions_by_round(s, &plain, MIN_GROUP))?;
        let facts: Vec<Facts> = ctx.load(|s| plain.iter().map(|r| s.facts(&r.id)).collect())?;
        let points = rounds
            .into_iter()
            .zip(kept)
            .zip(facts)
            .filter_map(|((summary, kept), facts)| {
                // positions_by_round sorts by date; each round's table is found by its id.
                let at = statuses
                    .iter()
                    .position(|s| s.round_id == summary.round.id)?;
                Some(TrendPoint {
                    scores: kept.sections,
                    respondents: kept.respondents,
                    stage: summary.stage,
                    status: statuses.swap_remove(at).table,
                    round: summary.round,
                    facts,
                })
            })
            .collect();
        Some(TrendView {
            service,
            points,
            face: Face::Scores,
            selected: 0,
        })
    }
}

impl Component for TrendView {
    fn mode(&self) -> Mode {
        match self.face {
            Face::Scores => Mode::Trend,
            Face::Requirement => Mode::TrendRequirement,
        }
    }

    fn crumb(&self, lang: Lang) -> String {
        tr(lang, "trend.crumb").to_string()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        if self.face == Face::Requirement {
            let len = requirement_rows(ctx.lang, &self.points).len();
            if move_selection(&mut self.selected, len, &action) {
                return Outcome::Stay;
            }
        }
        match action {
            Action::Back => Outcome::Back,
            Action::NextTab => {
                self.face = match self.face {
                    Face::Scores => Face::Requirement,
                    Face::Requirement => Face::Scores,
                };
                Outcome::Stay
            }
            _ => Outcome::Stay,
        }
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        match self.face {
            Face::Scores => draw_trend(look, self, frame, area),
            Face::Requirement => draw_requirement(look, self, frame, area),
        }
    }

    fn about(&self, look: &Look) -> Vec<String> {
        vec![
            tr(look.lang, "help.scoring").to_string(),
            tr(look.lang, "help.consultant_apart").to_string(),
            trf(look.lang, "help.trend_requirement", &[("min", &MIN_GROUP)]),
        ]
    }
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

fn draw_trend(look: &Look, view: &TrendView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
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
    let sections = &look.instrument.sections;
    let has_stage = view.points.iter().any(|p| p.stage.is_some());
    let table_height = (sections.len() + 2 + usize::from(has_stage) * 2) as u16;
    let [mut chart_area, mut table_area] =
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
    if usize::from(chart_area.height) < 6 + legend.len() {
        // No room for the chart: the table, which has the same numbers, takes its place.
        table_area = Rect {
            height: table_area.height.min(inner.height),
            ..inner
        };
        chart_area.height = 0;
    }
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
                    spans.push(Span::styled(text, look.theme.series(i)));
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
                    .style(look.theme.series(i))
                    .data(points)
            })
            .collect();
        let last = (view.points.len().max(2) - 1) as f64;
        let labels: Vec<String> = view
            .points
            .iter()
            .map(|p| present::date(lang, p.round.held_on))
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
    let first = first_shown(view.points.len(), table_area.width);
    let mut header = round_header(lang, tr(lang, "summary.area"), &view.points[first..]);
    header.push(tr(lang, "trend.sparkline").to_string());
    let rows: Vec<Row> = sections
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
                    .style(look.theme.series(s)),
            ];
            cells.extend(
                values[first..]
                    .iter()
                    .map(|v| Cell::from(present::percent(*v))),
            );
            cells.push(Cell::from(sparkline(&values)));
            Row::new(cells)
        })
        .collect();
    let mut widths = round_widths(view.points.len() - first);
    widths.push(Constraint::Length(view.points.len().clamp(6, 20) as u16));
    let date_row = date_row(lang, &view.points[first..]);
    // The implementation stage per round, by its number in the model (the names are below).
    let mut rows = rows;
    if view.points.iter().any(|p| p.stage.is_some()) {
        let mut cells = vec![Cell::from(tr(lang, "stage.title").to_string())];
        cells.extend(view.points[first..].iter().map(|p| {
            Cell::from(
                p.stage
                    .map(|s| present::stage_number(s).to_string())
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
            .footer(Row::new(date_row).style(look.theme.dim())),
        table_area,
    );
    if has_stage {
        let mut stages: Vec<Stage> = view.points.iter().filter_map(|p| p.stage).collect();
        stages.sort_by_key(|s| present::stage_number(*s));
        stages.dedup();
        let names: Vec<String> = stages
            .iter()
            .map(|s| present::numbered_stage(lang, *s))
            .collect();
        let legend_area = stage_legend_area;
        frame.render_widget(
            Paragraph::new(format!(
                "{}: {}",
                tr(lang, "stage.title"),
                names.join(" · ")
            ))
            .style(look.theme.dim()),
            legend_area,
        );
    }
}

/// A round's column holds its date whole.
const ROUND_COLUMN: u16 = 10;

/// The first round shown in a table `width` wide: the latest rounds, as many as fit beside
/// the names, and one at least. Both faces show the same rounds.
fn first_shown(rounds: usize, width: u16) -> usize {
    let shown = rounds.min(usize::from(width.saturating_sub(30) / (ROUND_COLUMN + 1)).max(1));
    rounds - shown
}

/// The header over the rounds' columns: the first column's title, then each round's kind.
fn round_header(lang: Lang, title: &str, points: &[TrendPoint]) -> Vec<String> {
    let mut header = vec![title.to_string()];
    header.extend(points.iter().map(|p| {
        format!(
            "{} ",
            tr(lang, kind_key(p.round.kind))
                .chars()
                .take(6)
                .collect::<String>()
        )
    }));
    header
}

/// The names' column, then one column per round shown.
fn round_widths(shown: usize) -> Vec<Constraint> {
    let mut widths = vec![Constraint::Fill(1)];
    widths.extend(std::iter::repeat_n(Constraint::Length(ROUND_COLUMN), shown));
    widths
}

/// Under the rounds' columns, each round's date.
fn date_row(lang: Lang, points: &[TrendPoint]) -> Vec<String> {
    let mut row = vec![String::new()];
    row.extend(points.iter().map(|p| present::date(lang, p.round.held_on)));
    row
}

/// What a row of the requirement face is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Heading,
    /// A group's n, or a fact.
    Plain,
    /// A group's count with its share; withheld ones are dimmed per cell.
    Count,
}

struct RequirementRow {
    label: String,
    kind: RowKind,
    /// One cell per round, and whether it is withheld (too few, hidden).
    cells: Vec<(String, bool)>,
}

/// The rows of the requirement face for every round: all covered positions, then each
/// covered role, each with its n and its counts (as the positions screen decides them);
/// the positions not covered where a round has any; then the seven facts, "–" where a round
/// has none recorded. A part no round has anything of says so in one row.
fn requirement_rows(lang: Lang, points: &[TrendPoint]) -> Vec<RequirementRow> {
    let row =
        |label: String, kind, cells: Vec<(String, bool)>| RequirementRow { label, kind, cells };
    let mut rows = vec![row(
        tr(lang, "trend.requirement_heading").to_string(),
        RowKind::Heading,
        Vec::new(),
    )];
    let any_position = points
        .iter()
        .any(|p| p.status.rows.iter().any(|r| r.n > 0) || p.status.not_covered > 0);
    if !any_position {
        rows.push(row(
            tr(lang, "trend.no_positions").to_string(),
            RowKind::Plain,
            Vec::new(),
        ));
    }
    let groups = points.first().map_or(0, |p| p.status.rows.len());
    // "All" (the table's last row) first: the service's figure, then its roles.
    let order = (0..groups).rev().take(1).chain(0..groups.saturating_sub(1));
    for g in order.filter(|_| any_position) {
        let Some(role) = points.first().map(|p| p.status.rows[g].role) else {
            continue;
        };
        let label = trf(
            lang,
            "trend.group_n",
            &[("group", &tr(lang, present::status_group_key(role)))],
        );
        let n = points
            .iter()
            .map(|p| (p.status.rows[g].n.to_string(), false))
            .collect();
        rows.push(row(label, RowKind::Plain, n));
        let cells: Vec<([String; 3], bool)> = points
            .iter()
            .map(|p| present::status_cells(lang, &p.status.rows[g].counts))
            .collect();
        for (i, key) in ["trend.meets", "trend.will", "trend.will_not"]
            .into_iter()
            .enumerate()
        {
            rows.push(row(
                format!("  {}", tr(lang, key)),
                RowKind::Count,
                cells
                    .iter()
                    .map(|(texts, withheld)| (texts[i].clone(), *withheld))
                    .collect(),
            ));
        }
    }
    if points.iter().any(|p| p.status.not_covered > 0) {
        rows.push(row(
            tr(lang, "trend.not_covered").to_string(),
            RowKind::Plain,
            points
                .iter()
                .map(|p| (p.status.not_covered.to_string(), false))
                .collect(),
        ));
    }
    rows.push(row(
        tr(lang, "trend.facts_heading").to_string(),
        RowKind::Heading,
        Vec::new(),
    ));
    if points.iter().all(|p| p.facts.is_empty()) {
        rows.push(row(
            tr(lang, "trend.no_facts").to_string(),
            RowKind::Plain,
            Vec::new(),
        ));
        return rows;
    }
    for field in FactField::ALL {
        let cells = points
            .iter()
            .map(|p| {
                let text = p.facts.get(field).map_or_else(
                    || present::NONE.to_string(),
                    |v| present::fact(lang, field, v),
                );
                (text, false)
            })
            .collect();
        rows.push(row(
            tr(lang, fact_key(field)).to_string(),
            RowKind::Plain,
            cells,
        ));
    }
    rows
}

/// The requirement face: the rounds' positions against 2031 and the facts about the service,
/// in the scores face's columns, scrolling by its selected row where it does not fit.
fn draw_requirement(look: &Look, view: &TrendView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let outer = block(trf(lang, "trend.title", &[("service", &view.service.name)]));
    let inner = outer.inner(area);
    if view.points.is_empty() {
        frame.render_widget(outer, area);
        frame.render_widget(
            Paragraph::new(tr(lang, "rounds.empty")).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let first = first_shown(view.points.len(), inner.width);
    let points = &view.points[first..];
    let all = requirement_rows(lang, &view.points);
    let len = all.len();
    let rows: Vec<Row> = all
        .into_iter()
        .map(|r| {
            let mut cells = vec![Cell::from(r.label)];
            cells.extend(r.cells.into_iter().skip(first).map(|(text, withheld)| {
                let cell = Cell::from(text);
                if withheld {
                    cell.style(look.theme.dim())
                } else {
                    cell
                }
            }));
            let row = Row::new(cells);
            match r.kind {
                RowKind::Heading => row.style(BOLD),
                RowKind::Plain | RowKind::Count => row,
            }
        })
        .collect();
    // Header and dates stay; where the rows do not all fit, the border says which are shown.
    let room = usize::from(inner.height.saturating_sub(2));
    let outer = if len > room {
        outer.title_bottom(trf(
            lang,
            "trend.row_of",
            &[("row", &(view.selected + 1)), ("rows", &len)],
        ))
    } else {
        outer
    };
    frame.render_widget(outer, area);
    let table = Table::new(rows, round_widths(points.len()))
        .header(Row::new(round_header(lang, "", points)).style(BOLD))
        .footer(Row::new(date_row(lang, points)).style(look.theme.dim()))
        .row_highlight_style(SELECTED);
    let mut state = TableState::default().with_selected(Some(view.selected));
    frame.render_stateful_widget(table, inner, &mut state);
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
