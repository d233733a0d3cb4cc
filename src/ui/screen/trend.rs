//! The trend of a service: each section's score over its rounds, as a chart and a table,
//! with the implementation stage of each round.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table, Wrap};

use crate::domain::compare::Options;
use crate::domain::instrument::Section;
use crate::domain::model::{Round, Service};
use crate::domain::plan::Stage;
use crate::domain::scoring::SectionScore;
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::present::kind_key;
use crate::store::{Answers, Scores};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, Outcome};
use crate::ui::widgets::{BOLD, Look, block};

pub struct TrendPoint {
    pub round: Round,
    pub respondents: usize,
    pub scores: Vec<SectionScore>,
    pub stage: Option<Stage>,
}

pub struct TrendView {
    pub service: Service,
    pub points: Vec<TrendPoint>,
}

impl TrendView {
    /// Every round of the service with its kept scores.
    pub fn open(ctx: &mut Ctx, service: Service) -> Option<TrendView> {
        let rounds = ctx.load(|s| s.rounds(&service.id))?;
        let ids: Vec<&str> = rounds.iter().map(|r| r.round.id.as_str()).collect();
        let instrument = ctx.instrument;
        let kept = ctx.load(|s| s.round_scores(instrument, &ids, Options::default()))?;
        let points = rounds
            .into_iter()
            .zip(kept)
            .map(|(summary, kept)| TrendPoint {
                scores: kept.sections,
                respondents: kept.respondents,
                round: summary.round,
                stage: summary.stage,
            })
            .collect();
        Some(TrendView { service, points })
    }
}

impl Component for TrendView {
    fn mode(&self) -> Mode {
        Mode::Trend
    }

    fn crumb(&self, lang: Lang) -> String {
        tr(lang, "trend.crumb").to_string()
    }

    fn update(&mut self, action: Action, _ctx: &mut Ctx) -> Outcome {
        if action == Action::Back {
            Outcome::Back
        } else {
            Outcome::Stay
        }
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_trend(look, self, frame, area);
    }

    fn about(&self, look: &Look) -> Vec<String> {
        vec![
            tr(look.lang, "help.scoring").to_string(),
            tr(look.lang, "help.consultant_apart").to_string(),
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
    // A round's column holds its date whole.
    const ROUND_COLUMN: u16 = 10;
    let shown = view
        .points
        .len()
        .min(usize::from(table_area.width.saturating_sub(30) / (ROUND_COLUMN + 1)).max(1));
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
    let mut widths = vec![Constraint::Fill(1)];
    widths.extend(std::iter::repeat_n(Constraint::Length(ROUND_COLUMN), shown));
    widths.push(Constraint::Length(view.points.len().clamp(6, 20) as u16));
    let dates: Vec<String> = view.points[first..]
        .iter()
        .map(|p| present::date(lang, p.round.held_on))
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
