//! The roles side by side: each role group's score per area (groups under the smallest size
//! are not shown), with the spread among all respondents.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Text};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

use crate::domain::compare::{DEFAULT_MIN_GROUP, RoleGroup, Spread, by_role, spreads};
use crate::domain::model::{Respondent, Role, Round, Service};
use crate::domain::scoring::AnswerSet;
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::present::role_key;
use crate::store::Answers;
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, Outcome};
use crate::ui::widgets::{BOLD, Look, band_mark, band_style, block, percent};

pub struct RolesView {
    pub service: Service,
    pub round: Round,
    pub groups: Vec<RoleGroup>,
    pub spreads: Vec<(String, Option<Spread>)>,
    pub respondents: usize,
    pub min_group: usize,
}

impl RolesView {
    pub fn open(ctx: &mut Ctx, service: Service, round: Round) -> Option<RolesView> {
        let all = ctx.load(|s| s.round_answers(&round.id))?;
        let mut view = RolesView {
            service,
            round,
            groups: Vec::new(),
            spreads: Vec::new(),
            respondents: all.len(),
            min_group: DEFAULT_MIN_GROUP,
        };
        view.fill(ctx, &all);
        Some(view)
    }

    fn fill(&mut self, ctx: &Ctx, all: &[(Respondent, AnswerSet)]) {
        let pairs: Vec<(Role, &AnswerSet)> = all.iter().map(|(r, a)| (r.role, a)).collect();
        // "All" is the service's own respondents: the process leader is a group apart.
        let sets: Vec<&AnswerSet> = all
            .iter()
            .filter(|(r, _)| r.role != Role::Consultant)
            .map(|(_, a)| a)
            .collect();
        self.respondents = sets.len();
        self.groups = by_role(ctx.instrument, &pairs, self.min_group);
        self.spreads = spreads(ctx.instrument, &sets);
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
            // Never below 1: a group of one is a person.
            Action::Decrease => self.min_group.saturating_sub(1).max(1),
            _ => return Outcome::Stay,
        };
        let round_id = self.round.id.clone();
        if let Some(all) = ctx.load(|s| s.round_answers(&round_id)) {
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
    let rows: Vec<Row> =
        look.instrument
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
                                .style(band_style(look.theme, tally.band()))
                        }
                        None => Cell::from(tr(lang, "roles.too_few").to_string())
                            .style(look.theme.dim()),
                    });
                }
                let spread = view.spreads.get(s).and_then(|(_, spread)| *spread);
                cells.push(match spread {
                    // With fewer respondents than the smallest group, a spread would show them.
                    Some(sp) if sp.n >= view.min_group => {
                        Cell::from(present::spread(sp.mean, sp.min, sp.max))
                    }
                    Some(_) => {
                        Cell::from(tr(lang, "roles.too_few").to_string()).style(look.theme.dim())
                    }
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
