//! The roles side by side: each role group's score per area (groups under the smallest size,
//! and those that would give them away, are not shown), with the spread among all
//! respondents where no group is hidden.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Text};
use ratatui::widgets::{Cell as TableCell, Paragraph, Row, Table, Wrap};

use crate::domain::compare::{Cell, MIN_GROUP, Options, RoleTable, role_table};
use crate::domain::model::{Role, Round, Service};
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::present::role_key;
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, Outcome};
use crate::ui::status::StatusKind;
use crate::ui::widgets::{BOLD, Look, band_mark, band_style, block, percent};
use crate::usecase::rounds::RoundData;

pub struct RolesView {
    pub service: Service,
    pub round: Round,
    pub table: RoleTable,
    pub respondents: usize,
    pub min_group: usize,
}

impl RolesView {
    pub fn open(ctx: &mut Ctx, service: Service, round: Round) -> Option<RolesView> {
        let all = ctx.load(|s| RoundData::load(s, round.clone()))?;
        let mut view = RolesView {
            service,
            round,
            table: role_table(ctx.instrument, &[], Options::default(), MIN_GROUP),
            respondents: all.respondents.len(),
            min_group: MIN_GROUP,
        };
        view.fill(ctx, &all);
        Some(view)
    }

    fn fill(&mut self, ctx: &Ctx, all: &RoundData) {
        // "All" is the service's own respondents: the process leader is a group apart.
        self.respondents = all
            .respondents
            .iter()
            .filter(|(r, _)| r.role != Role::Consultant)
            .count();
        self.table = role_table(
            ctx.instrument,
            &all.answered(),
            Options::default(),
            self.min_group,
        );
    }
}

impl Component for RolesView {
    fn mode(&self) -> Mode {
        Mode::Roles
    }

    fn crumb(&self, lang: Lang) -> String {
        tr(lang, "roles.crumb").to_string()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        let min_group = match action {
            Action::Back => return Outcome::Back,
            Action::Increase => self.min_group + 1,
            // Never below the floor: fewer could be one person.
            Action::Decrease if self.min_group <= MIN_GROUP => {
                ctx.info(
                    StatusKind::Info,
                    trf(ctx.lang, "roles.min_group_floor", &[("floor", &MIN_GROUP)]),
                );
                return Outcome::Stay;
            }
            Action::Decrease => self.min_group - 1,
            _ => return Outcome::Stay,
        };
        let round = self.round.clone();
        if let Some(all) = ctx.load(|s| RoundData::load(s, round)) {
            self.min_group = min_group;
            self.fill(ctx, &all);
        }
        Outcome::Stay
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_roles(look, self, frame, area);
    }

    fn about(&self, look: &Look) -> Vec<String> {
        let lang = look.lang;
        vec![
            trf(lang, "roles.note", &[("min", &self.min_group)]),
            tr(lang, "help.scoring").to_string(),
            tr(lang, "help.consultant_apart").to_string(),
        ]
    }
}

fn draw_roles(look: &Look, view: &RolesView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
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
    let hidden = tr(lang, "roles.protects");
    let group_widths: Vec<u16> = view
        .table
        .groups
        .iter()
        .map(|g| {
            let role = tr(lang, role_key(g.role)).chars().count();
            role.max(too_few.chars().count())
                .max(hidden.chars().count())
                .max(7) as u16
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
    let mut header = vec![TableCell::from(tr(lang, "summary.area").to_string())];
    for group in &view.table.groups {
        header.push(TableCell::from(Text::from(vec![
            Line::from(tr(lang, role_key(group.role)).to_string()),
            Line::from(format!("n={}", group.n)),
        ])));
    }
    // "(min–max)" only where a range stands below it.
    let all_figure = if view.table.all.iter().any(|a| a.range.is_some()) {
        "roles.spread"
    } else {
        "roles.mean"
    };
    header.push(TableCell::from(Text::from(vec![
        Line::from(trf(lang, "roles.all", &[("n", &view.respondents)])),
        Line::from(tr(lang, all_figure).to_string()),
    ])));
    let rows: Vec<Row> = look
        .instrument
        .sections
        .iter()
        .enumerate()
        .map(|(s, section)| {
            let mut cells = vec![TableCell::from(present::fit(
                section.name.get(lang),
                name_width,
            ))];
            let dim =
                |key: &str| TableCell::from(tr(lang, key).to_string()).style(look.theme.dim());
            for group in &view.table.groups {
                cells.push(match &group.cells[s] {
                    Cell::Shown { tally, .. } => {
                        TableCell::from(format!("{} {}", band_mark(tally), percent(tally)))
                            .style(band_style(look.theme, tally.band()))
                    }
                    Cell::Empty => TableCell::from("–"),
                    Cell::TooFew => dim("roles.too_few"),
                    Cell::Protects => dim("roles.protects"),
                });
            }
            let all = view.table.all[s];
            cells.push(match (all.mean, all.range) {
                (Some(mean), Some((low, high))) => {
                    TableCell::from(present::spread(mean, low, high))
                }
                (Some(mean), None) => TableCell::from(present::percent(Some(mean))),
                (None, _) if all.n == 0 => TableCell::from("–"),
                (None, _) => dim("roles.too_few"),
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
            .style(look.theme.dim())
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
