//! A round's positions against the 2031 competence requirement: the list of posts (role,
//! education, credits, years, planned further education, status), each added, changed and
//! removed here, and the counts per role beside the national 2020 baseline. Small groups
//! are shown without counts, decided once in `domain::requirement::status_table`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

use crate::domain::compare::MIN_GROUP;
use crate::domain::model::{Round, Service};
use crate::domain::requirement::{Position, Requirement, StatusRow};
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::store::{Positions, StoreError};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, FormPurpose, Open, Outcome, clamp, move_selection};
use crate::ui::status::StatusKind;
use crate::ui::widgets::{BOLD, ListTable, Look};
use crate::usecase::positions::PositionsData;

pub struct PositionsView {
    pub service: Service,
    pub round: Round,
    pub data: PositionsData,
    pub selected: usize,
    /// The position the status line asks about removing, until it is answered.
    pub removing: Option<Position>,
}

impl PositionsView {
    pub fn open(ctx: &mut Ctx, service: Service, round: Round) -> Option<PositionsView> {
        let data = ctx.load(|s| PositionsData::load(s, &round, MIN_GROUP))?;
        Some(PositionsView {
            service,
            round,
            data,
            selected: 0,
            removing: None,
        })
    }

    /// Removes the position asked about on yes; keeps it on anything else. A write held
    /// (another kartlegg writes) keeps the question, for the router to try again.
    fn answer_remove(&mut self, action: &Action, ctx: &mut Ctx) {
        let Some(position) = self.removing.take() else {
            return;
        };
        if *action != Action::Confirm {
            let text = tr(ctx.lang, "positions.kept").to_string();
            ctx.info(StatusKind::Info, text);
            return;
        }
        let now = ctx.now();
        match ctx.store.remove_position(&position.id, now) {
            Ok(()) => {
                let text = tr(ctx.lang, "positions.removed").to_string();
                ctx.info(StatusKind::Saved, text);
            }
            Err(StoreError::Busy { .. } | StoreError::Checking { .. }) => {
                self.removing = Some(position);
                return;
            }
            Err(StoreError::NotFound(_)) => {
                let text = tr(ctx.lang, "positions.gone").to_string();
                ctx.info(StatusKind::Error, text);
            }
            Err(e) => ctx.error(&e),
        }
        self.refresh(ctx);
    }
}

impl Component for PositionsView {
    fn mode(&self) -> Mode {
        if self.removing.is_some() {
            return Mode::ConfirmErase;
        }
        Mode::Positions
    }

    fn crumb(&self, lang: Lang) -> String {
        tr(lang, "positions.crumb").to_string()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        if self.removing.is_some() {
            self.answer_remove(&action, ctx);
            return Outcome::Stay;
        }
        if move_selection(&mut self.selected, self.data.positions.len(), &action) {
            return Outcome::Stay;
        }
        let selected = self
            .data
            .positions
            .get(self.selected)
            .map(|(p, _)| p.clone());
        match (action, selected) {
            (Action::Back, _) => Outcome::Back,
            (Action::New, _) => {
                Outcome::Open(Open::Form(FormPurpose::NewPosition(self.round.clone())))
            }
            (Action::Edit, Some(position)) => Outcome::Open(Open::Form(FormPurpose::EditPosition(
                self.round.clone(),
                position,
            ))),
            (Action::Erase, Some(position)) => {
                let lang = ctx.lang;
                let text = trf(
                    lang,
                    "positions.confirm_remove",
                    &[
                        (
                            "role",
                            &tr(lang, present::position_role_key(position.facts.role)),
                        ),
                        (
                            "education",
                            &tr(lang, present::education_key(position.facts.education)),
                        ),
                    ],
                );
                ctx.info(StatusKind::Warning, text);
                self.removing = Some(position);
                Outcome::Stay
            }
            _ => Outcome::Stay,
        }
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_positions(look, self, frame, area);
    }

    fn refresh(&mut self, ctx: &mut Ctx) {
        let round = self.round.clone();
        if let Some(data) = ctx.load(|s| PositionsData::load(s, &round, MIN_GROUP)) {
            self.data = data;
            clamp(&mut self.selected, self.data.positions.len());
        }
    }

    fn about(&self, look: &Look) -> Vec<String> {
        let lang = look.lang;
        let r = Requirement::standard();
        vec![
            trf(
                lang,
                "positions.ways",
                &[("ways", &present::requirement_ways(lang))],
            ),
            trf(
                lang,
                "positions.note",
                &[
                    ("rule", &r.name.get(lang)),
                    ("version", &r.version),
                    ("date", &present::date(lang, r.applies_from)),
                    ("last", &r.last_planned_year()),
                    ("source", &r.source.get(lang)),
                    ("reading", &r.reading_note.get(lang)),
                    ("min", &self.data.table.min_group),
                ],
            ),
            present::baseline(lang, true),
            tr(lang, "help.form_position").to_string(),
        ]
    }
}

fn draw_positions(look: &Look, view: &PositionsView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let r = Requirement::standard();
    // Below 80 columns the role and the education go by their short names.
    let narrow = area.width < 80;
    let role_key = |role| {
        if narrow {
            present::position_role_short_key(role)
        } else {
            present::position_role_key(role)
        }
    };
    let education_key = |education| {
        if narrow {
            present::education_short_key(education)
        } else {
            present::education_key(education)
        }
    };
    let rows: Vec<Vec<String>> = view
        .data
        .positions
        .iter()
        .map(|(p, status)| {
            let f = &p.facts;
            let planned = match f.planned_year {
                Some(year) if f.planned_credits > 0 => trf(
                    lang,
                    "positions.planned",
                    &[("credits", &f.planned_credits), ("year", &year)],
                ),
                _ => "–".to_string(),
            };
            vec![
                tr(lang, role_key(f.role)).to_string(),
                tr(lang, education_key(f.education)).to_string(),
                f.credits.to_string(),
                f.years.to_string(),
                planned,
                tr(lang, present::position_status_key(*status)).to_string(),
            ]
        })
        .collect();
    let width_of = |column: usize, header: &str| {
        rows.iter()
            .map(|row| row[column].chars().count())
            .chain([header.chars().count()])
            .max()
            .unwrap_or(0) as u16
    };
    let header = [
        "positions.col_role",
        "positions.col_education",
        "positions.col_credits",
        "positions.col_years",
        "positions.col_planned",
        "positions.col_status",
    ]
    .map(|key| tr(lang, key));
    let mut widths = vec![Constraint::Length(width_of(0, header[0]))];
    widths.push(Constraint::Fill(1));
    widths.extend((2..6).map(|c| Constraint::Length(width_of(c, header[c]))));
    // The counts below: a row per covered role and all, its header, the others' line and
    // the baseline; the baseline in short where the list would keep fewer than two rows.
    let not_covered = view.data.table.not_covered > 0;
    let table_height = view.data.table.rows.len() as u16 + 1 + u16::from(not_covered);
    let full = Paragraph::new(present::baseline(lang, true)).wrap(Wrap { trim: true });
    let full_height = full.line_count(area.width) as u16;
    // The list keeps at least its border, header and two rows; the baseline is whole where
    // the list still keeps four rows, else in short (the help has it whole).
    let list_min = 5;
    let (baseline_text, baseline_height) =
        if area.height >= list_min + 2 + table_height + full_height {
            (full, full_height)
        } else {
            let short = Paragraph::new(present::baseline(lang, false)).wrap(Wrap { trim: true });
            let height = short.line_count(area.width) as u16;
            (short, height)
        };
    let [list_area, table_area, baseline_area] = Layout::vertical([
        Constraint::Min(list_min.min(area.height)),
        Constraint::Length(table_height),
        Constraint::Length(baseline_height),
    ])
    .areas(area);
    let title = trf(
        lang,
        "positions.title",
        &[
            ("round", &view.round.label),
            ("date", &present::date(lang, r.applies_from)),
        ],
    );
    let room = usize::from(area.width.saturating_sub(4));
    let title = if title.chars().count() <= room {
        title
    } else {
        let year = r.applies_from.format("%Y").to_string();
        let short = trf(
            lang,
            "positions.title_short",
            &[("round", &view.round.label), ("year", &year)],
        );
        present::fit(&short, room)
    };
    ListTable {
        title,
        header: header.to_vec(),
        widths,
        rows,
        selected: view.selected,
        empty_hint: tr(lang, "positions.empty"),
    }
    .draw(frame, list_area);
    draw_counts(look, view, frame, table_area);
    frame.render_widget(baseline_text.style(look.theme.dim()), baseline_area);
}

/// The table of counts per covered role and all: each count with its share of the group's
/// n; a group too small, or hidden so that "all" does not give a small one away, says so.
fn draw_counts(look: &Look, view: &PositionsView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let table = &view.data.table;
    let group = |row: &StatusRow| tr(lang, present::status_group_key(row.role)).to_string();
    let rows: Vec<Row> = table
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![Cell::from(group(row)), Cell::from(row.n.to_string())];
            let (texts, withheld) = present::status_cells(lang, &row.counts);
            cells.extend(texts.into_iter().map(|text| {
                let cell = Cell::from(text);
                if withheld {
                    cell.style(look.theme.dim())
                } else {
                    cell
                }
            }));
            Row::new(cells)
        })
        .collect();
    let header = [
        "positions.table_group",
        "positions.table_n",
        "positions.table_meets",
        "positions.table_will",
        "positions.table_will_not",
    ]
    .map(|key| tr(lang, key).to_string());
    let group_width = table
        .rows
        .iter()
        .map(|row| group(row).chars().count())
        .chain([header[0].chars().count()])
        .max()
        .unwrap_or(0) as u16;
    // "12 (100 %)" at most, or the word for a hidden count.
    let count_width = [
        10,
        tr(lang, "roles.too_few").chars().count(),
        tr(lang, "roles.protects").chars().count(),
    ]
    .into_iter()
    .chain(header[2..].iter().map(|h| h.chars().count()))
    .max()
    .unwrap_or(10) as u16;
    let widths = [
        Constraint::Length(group_width),
        Constraint::Length(3),
        Constraint::Length(count_width),
        Constraint::Length(count_width),
        Constraint::Length(count_width),
    ];
    let [counts_area, others_area] = Layout::vertical([
        Constraint::Length(table.rows.len() as u16 + 1),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(
        Table::new(rows, widths).header(Row::new(header).style(BOLD)),
        counts_area,
    );
    if table.not_covered > 0 {
        frame.render_widget(
            Paragraph::new(trf(
                lang,
                "positions.not_covered",
                &[("n", &table.not_covered)],
            )),
            others_area,
        );
    }
}
