//! The summary of a round or of one respondent: each section's and subdomain's score, its
//! band, the share of "don't know", and what is planned for it; a round's also its largest
//! competence needs, its positions against the 2031 requirement and the facts about the
//! service.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::domain::compare::{MIN_GROUP, Options};
use crate::domain::model::{Round, Service};
use crate::domain::needs::{Area, FactField, Facts, gaps, top_needs};
use crate::domain::requirement::{Counts, StatusTable};
use crate::domain::scoring::{Band, SectionScore, Tally};
use crate::i18n::{Lang, tr, trf};
use crate::messages::fact_key;
use crate::present;
use crate::present::{band_key, band_symbol};
use crate::store::{Needs, Scores};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, Open, Outcome, move_selection};
use crate::ui::widgets::{BOLD, Look, SELECTED, block};
use crate::usecase::positions::PositionsData;

pub struct SummaryView {
    /// Whose answers: a respondent, or every respondent of the round.
    pub heading: String,
    pub service: Service,
    pub round: Round,
    pub respondents: usize,
    pub scores: Vec<SectionScore>,
    /// The selected row: sections and their subdomains, in instrument order.
    pub selected: usize,
    /// Plan items per subdomain key, so the weak areas without a plan stand out.
    pub plan_counts: HashMap<String, usize>,
    /// A round's summary: whether the process leader is pooled, and how many are kept
    /// apart; `None` for one respondent's own summary.
    pub pooling: Option<(Options, usize)>,
    /// A round's largest competence needs (a gap of at least `NEED_GAP`), at most three,
    /// with their gap; none for one respondent's own summary.
    pub needs: Vec<(Area, i8)>,
    /// A round's positions against the 2031 requirement and the facts about the service;
    /// none for one respondent's own summary.
    pub round_facts: Option<(StatusTable, Facts)>,
}

/// A round's 2031 status table and its facts, as the summary's lines show them.
fn round_facts(ctx: &mut Ctx, round: &Round) -> Option<(StatusTable, Facts)> {
    ctx.load(|s| {
        Ok((
            PositionsData::load(s, round, MIN_GROUP)?.table,
            s.facts(&round.id)?,
        ))
    })
}

/// A round's largest needs with their gap, as the summary lists them.
fn round_needs(ctx: &mut Ctx, service_id: &str, round_id: &str) -> Option<Vec<(Area, i8)>> {
    let (areas, needs) = ctx.load(|s| Ok((s.areas(service_id)?, s.needs(round_id)?)))?;
    let gaps = gaps(&areas, &needs);
    Some(
        top_needs(&gaps)
            .into_iter()
            .map(|g| (areas[g.order].clone(), g.gap))
            .collect(),
    )
}

impl SummaryView {
    /// Every respondent of the round, from the kept scores, the process leader apart.
    pub fn of_round(ctx: &mut Ctx, service: Service, round: Round) -> Option<SummaryView> {
        let plan_counts = plan_counts(ctx, &service.id);
        let mut view = SummaryView {
            heading: String::new(),
            respondents: 0,
            scores: Vec::new(),
            service,
            round,
            selected: 0,
            plan_counts,
            pooling: Some((Options::default(), 0)),
            needs: Vec::new(),
            round_facts: None,
        };
        view.needs = round_needs(ctx, &view.service.id, &view.round.id)?;
        view.round_facts = Some(round_facts(ctx, &view.round)?);
        view.fill(ctx, Options::default()).then_some(view)
    }

    /// One respondent's own scores.
    pub fn of_respondent(
        ctx: &mut Ctx,
        heading: String,
        service: Service,
        round: Round,
        scores: Vec<SectionScore>,
    ) -> SummaryView {
        SummaryView {
            plan_counts: plan_counts(ctx, &service.id),
            heading,
            service,
            round,
            respondents: 1,
            scores,
            selected: 0,
            pooling: None,
            needs: Vec::new(),
            round_facts: None,
        }
    }

    /// The round's scores from the kept scores, with or without the process leader.
    fn fill(&mut self, ctx: &mut Ctx, options: Options) -> bool {
        let instrument = ctx.instrument;
        let round_id = self.round.id.clone();
        let Some(kept) = ctx.load(|s| s.round_scores(instrument, &[&round_id], options)) else {
            return false;
        };
        let Some(kept) = kept.into_iter().next() else {
            return false;
        };
        let lang = ctx.lang;
        let mut heading = present::count(lang, "noun.respondent", kept.respondents);
        if kept.apart > 0 {
            heading = trf(
                lang,
                "summary.consultant_apart",
                &[("who", &heading), ("n", &kept.apart)],
            );
        } else if options.with_consultant {
            heading = trf(lang, "summary.consultant_pooled", &[("who", &heading)]);
        }
        self.heading = heading;
        self.respondents = kept.respondents;
        self.scores = kept.sections;
        self.pooling = Some((options, kept.apart));
        true
    }

    /// The subdomain the selected row plans for: a section row plans for its first.
    fn chosen_subdomain(&self) -> Option<String> {
        let mut row = 0;
        let mut chosen = None;
        for score in &self.scores {
            let first = row;
            row += 1;
            for sub in &score.subdomains {
                if self.selected == row || (self.selected == first && chosen.is_none()) {
                    chosen.get_or_insert_with(|| format!("{}.{}", score.key, sub.key));
                }
                row += 1;
            }
        }
        chosen
    }
}

/// How many plan items each subdomain of a service has.
fn plan_counts(ctx: &mut Ctx, service_id: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for item in ctx.plan_items(service_id).unwrap_or_default() {
        *counts.entry(item.subdomain_key).or_insert(0) += 1;
    }
    counts
}

impl Component for SummaryView {
    fn mode(&self) -> Mode {
        Mode::Summary
    }

    fn crumb(&self, lang: Lang) -> String {
        tr(lang, "summary.title").to_string()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        let rows: usize = self.scores.iter().map(|s| 1 + s.subdomains.len()).sum();
        if move_selection(&mut self.selected, rows, &action) {
            return Outcome::Stay;
        }
        match action {
            Action::Back => return Outcome::Back,
            Action::ToggleConsultant => {
                if let Some((options, _)) = self.pooling {
                    let options = Options {
                        with_consultant: !options.with_consultant,
                    };
                    self.fill(ctx, options);
                }
            }
            Action::Plan => {
                if let Some(key) = self.chosen_subdomain() {
                    return Outcome::Open(Open::Plan(self.service.clone(), key));
                }
            }
            // A respondent's summary is of their round too: its needs are the round's.
            Action::Needs => {
                return Outcome::Open(Open::Needs(self.service.clone(), self.round.clone()));
            }
            Action::Positions => {
                return Outcome::Open(Open::Positions(self.service.clone(), self.round.clone()));
            }
            _ => {}
        }
        Outcome::Stay
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_summary(look, self, frame, area);
    }

    fn refresh(&mut self, ctx: &mut Ctx) {
        self.plan_counts = plan_counts(ctx, &self.service.id);
        if self.pooling.is_some() {
            self.needs = round_needs(ctx, &self.service.id, &self.round.id).unwrap_or_default();
            self.round_facts = round_facts(ctx, &self.round);
        }
    }

    fn about(&self, look: &Look) -> Vec<String> {
        vec![
            tr(look.lang, "help.scoring").to_string(),
            tr(look.lang, "help.consultant_apart").to_string(),
        ]
    }
}

/// Room for a band with its symbol ("○ bør prioriteres"), or for "no score", whole.
fn band_width(lang: Lang) -> u16 {
    Band::ALL
        .map(|band| tr(lang, band_key(band)).chars().count() + 2)
        .into_iter()
        .chain(["band.none", "band.not_asked"].map(|key| tr(lang, key).chars().count()))
        .max()
        .unwrap_or(0) as u16
}

/// Which of the summary's columns there is room for, beside the area's name.
#[derive(Clone, Copy)]
struct SummaryColumns {
    bar: bool,
    band_words: bool,
    answered: bool,
}

impl SummaryColumns {
    /// The columns step down with the width: the bar goes first, then the band's words
    /// (its symbol stays, the legend says it) and the count of answers.
    fn for_width(width: u16) -> SummaryColumns {
        SummaryColumns {
            bar: width >= 90,
            band_words: width >= 70,
            answered: width >= 70,
        }
    }
}

/// An area's cells; `asked`: whether the round's kind puts any of its items to anyone.
fn score_cells(
    look: &Look,
    tally: &Tally,
    columns: SummaryColumns,
    asked: bool,
) -> Vec<Cell<'static>> {
    let lang = look.lang;
    let mut cells = Vec::new();
    match tally.percent() {
        Some(p) => {
            let band = Band::of(p);
            if columns.bar {
                let filled = ((p / 10.0).round() as usize).min(10);
                cells.push(
                    Cell::from(format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled)))
                        .style(look.theme.band(band)),
                );
            }
            cells.push(Cell::from(format!("{:>5}", present::percent(Some(p)))));
            let band_text = if columns.band_words {
                format!("{} {}", band_symbol(band), tr(lang, band_key(band)))
            } else {
                band_symbol(band).to_string()
            };
            cells.push(Cell::from(band_text).style(look.theme.band(band)));
        }
        None => {
            if columns.bar {
                cells.push(Cell::from("·".repeat(10)).style(look.theme.dim()));
            }
            cells.push(Cell::from(format!("{:>5}", present::NONE)));
            // A round before the programme puts to no one what can only be judged after it
            // has started.
            let why = if !asked {
                "band.not_asked"
            } else {
                "band.none"
            };
            cells.push(
                Cell::from(if columns.band_words {
                    tr(lang, why).to_string()
                } else {
                    String::new()
                })
                .style(look.theme.dim()),
            );
        }
    }
    let flag = if tally.dont_know_flagged() {
        " ⚑"
    } else {
        ""
    };
    cells.push(Cell::from(format!("{:>3}{flag}", tally.dont_know)));
    if columns.answered {
        let answered = if !asked {
            present::NONE.to_string()
        } else {
            format!("{}/{}", tally.answered(), tally.slots)
        };
        cells.push(Cell::from(answered));
    }
    cells
}

/// The round's 2031 status in a line: the counts of all covered posts with n, or that they
/// are too few to count; nothing where the round has no covered posts.
fn status_line(lang: Lang, table: &StatusTable) -> Option<String> {
    let all = table.rows.last()?;
    match all.counts {
        Counts::Shown(c) => Some(trf(
            lang,
            "summary.status",
            &[
                ("meets", &c.meets),
                ("n", &all.n),
                ("will", &c.will),
                ("will_not", &c.will_not),
            ],
        )),
        Counts::TooFew | Counts::Protects => Some(trf(
            lang,
            "summary.status_too_few",
            &[("n", &all.n), ("min", &table.min_group)],
        )),
        Counts::Empty => None,
    }
}

/// The facts recorded for the round in a line, in the form's order; nothing when none are.
fn facts_line(lang: Lang, facts: &Facts) -> Option<String> {
    let given: Vec<String> = FactField::ALL
        .iter()
        .filter_map(|&field| {
            let value = facts.get(field)?;
            Some(format!(
                "{} {}",
                tr(lang, fact_key(field)),
                present::fact(lang, field, value)
            ))
        })
        .collect();
    (!given.is_empty()).then(|| trf(lang, "summary.facts", &[("facts", &given.join(" · "))]))
}

/// The table's rows of its own that the lines under it leave at the least: below, the facts
/// line goes first, then the 2031 line (the trend and the positions screen have them whole).
const TABLE_ROWS_KEPT: u16 = 3;

fn draw_summary(look: &Look, view: &SummaryView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let legend = format!(
        "● {}  ◐ {}  ○ {}  ⚑ {}",
        tr(lang, "legend.in_place"),
        tr(lang, "legend.partly"),
        tr(lang, "legend.priority"),
        tr(lang, "legend.dont_know"),
    );
    // A round's largest needs, under the table, beside the legend: what the service said it
    // needs, next to how ready it is.
    let legend = if view.needs.is_empty() {
        legend
    } else {
        let needs: Vec<String> = view
            .needs
            .iter()
            .map(|(area, gap)| format!("{} ({})", area.name.get(lang), present::gap(lang, *gap)))
            .collect();
        let line = trf(lang, "summary.needs", &[("needs", &needs.join(", "))]);
        format!("{line}\n{legend}")
    };
    // The 2031 status and the facts above the rest, while the table keeps its rows.
    let mut extra: Vec<String> = view
        .round_facts
        .iter()
        .flat_map(|(table, facts)| [status_line(lang, table), facts_line(lang, facts)])
        .flatten()
        .collect();
    let paragraph = |extra: &[String]| {
        let mut lines = extra.to_vec();
        lines.push(legend.clone());
        Paragraph::new(lines.join("\n"))
            .wrap(Wrap { trim: true })
            .style(look.theme.dim())
    };
    // Border, header and the rows kept.
    let table_min = 3 + TABLE_ROWS_KEPT;
    while !extra.is_empty()
        && area
            .height
            .saturating_sub(paragraph(&extra).line_count(area.width) as u16)
            < table_min
    {
        extra.pop();
    }
    let legend = paragraph(&extra);
    let legend_height = legend.line_count(area.width) as u16;
    let [table_area, legend_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(legend_height)]).areas(area);
    let inner_width = table_area.width.saturating_sub(2);
    let columns = SummaryColumns::for_width(inner_width);
    let mut widths = vec![Constraint::Fill(1)];
    let mut header = vec![tr(lang, "summary.area")];
    if columns.bar {
        widths.push(Constraint::Length(10));
        header.push(tr(lang, "summary.score"));
    }
    widths.push(Constraint::Length(5));
    header.push("%");
    widths.push(Constraint::Length(if columns.band_words {
        band_width(lang)
    } else {
        1
    }));
    header.push(if columns.band_words {
        tr(lang, "summary.band")
    } else {
        ""
    });
    let dont_know = tr(lang, "summary.dont_know");
    widths.push(Constraint::Length(dont_know.chars().count().max(5) as u16));
    header.push(dont_know);
    if columns.answered {
        widths.push(Constraint::Length(7));
        header.push(tr(lang, "summary.answered"));
    }
    widths.push(Constraint::Length(4));
    header.push(tr(lang, "summary.plan"));
    // The name takes what the other columns leave.
    let fixed: u16 = widths
        .iter()
        .map(|w| match w {
            Constraint::Length(n) => n + 1,
            _ => 0,
        })
        .sum();
    let name_width = usize::from(inner_width.saturating_sub(fixed));

    let mut rows = Vec::new();
    for (section, score) in look.instrument.sections.iter().zip(&view.scores) {
        let mut cells =
            vec![Cell::from(present::fit(section.name.get(lang), name_width)).style(BOLD)];
        let kind = view.round.kind;
        let section_asked = section.subdomains.iter().any(|d| d.asked_in_kind(kind));
        cells.extend(score_cells(look, &score.tally, columns, section_asked));
        cells.push(Cell::from(""));
        rows.push(Row::new(cells));
        for (subdomain, sub) in section.subdomains.iter().zip(&score.subdomains) {
            let mut cells = vec![Cell::from(present::fit(
                &format!("  {}", subdomain.name.get(lang)),
                name_width,
            ))];
            cells.extend(score_cells(
                look,
                &sub.tally,
                columns,
                subdomain.asked_in_kind(kind),
            ));
            let planned = view
                .plan_counts
                .get(&format!("{}.{}", section.key, subdomain.key))
                .copied()
                .unwrap_or(0);
            // Weak or unknown areas without a plan are the ones to plan first.
            cells.push(match (planned, sub.tally.wants_plan()) {
                (0, true) => Cell::from("→ p").style(BOLD),
                (0, false) => Cell::from(""),
                (n, _) => Cell::from(n.to_string()),
            });
            rows.push(Row::new(cells));
        }
    }
    // The title names service and round; whose answers, in the bottom border.
    let room = usize::from(area.width.saturating_sub(4));
    let title = present::fit(
        &trf(
            lang,
            "summary.heading",
            &[
                ("service", &view.service.name),
                ("round", &view.round.label),
            ],
        ),
        room,
    );
    let who = present::fit(&view.heading, room);
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(BOLD))
        .column_spacing(1)
        .row_highlight_style(SELECTED)
        .block(block(title).title_bottom(format!(" {who} ")));
    let mut state = TableState::default().with_selected(Some(view.selected));
    frame.render_stateful_widget(table, table_area, &mut state);
    frame.render_widget(legend, legend_area);
}
