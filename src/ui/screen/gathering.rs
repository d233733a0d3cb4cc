//! One gathering (samling) of a cluster: its day, kind and topics, who from each service
//! attended and whether the pre-work and between-work were done, and the rounds tied to it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Paragraph, Table, TableState, Wrap};

use crate::domain::cluster::{Attendance, Gathering, Turnout};
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::store::{Clusters, Store, StoreError};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, FormPurpose, Open, Outcome, clamp, move_selection};
use crate::ui::widgets::{BOLD, Look, SELECTED, block, fitted_rows};
use crate::usecase::cluster::{LineUp, Point};

pub struct GatheringView {
    pub lineup: LineUp,
    pub gathering: Gathering,
    /// Each service's attendance in the order of `lineup.services`; empty where nothing is
    /// recorded.
    pub attendances: Vec<Attendance>,
    /// What the attendance recorded adds up to.
    pub turnout: Turnout,
    /// The selected service.
    pub selected: usize,
}

impl GatheringView {
    pub fn open(ctx: &mut Ctx, cluster: String, gathering_id: String) -> Option<GatheringView> {
        let (lineup, gathering, attendances, turnout) =
            ctx.load(|s| read(s, &cluster, &gathering_id))?;
        Some(GatheringView {
            lineup,
            gathering,
            attendances,
            turnout,
            selected: 0,
        })
    }
}

/// The line-up, the gathering, each service's attendance and what the recorded ones add up to.
type Read = (LineUp, Gathering, Vec<Attendance>, Turnout);

fn read(store: &Store, cluster: &str, gathering_id: &str) -> Result<Read, StoreError> {
    let lineup = LineUp::load(store, cluster)?;
    let gathering = store.gathering(gathering_id)?;
    let recorded = store.attendances(gathering_id)?;
    let ids: Vec<&str> = lineup.services.iter().map(|s| s.id.as_str()).collect();
    // From what is recorded, not the blanks below: a blank is not an attendance.
    let turnout = Turnout::of(&recorded, &ids);
    let attendances = lineup
        .services
        .iter()
        .map(|service| {
            recorded
                .iter()
                .find(|a| a.service_id == service.id)
                .cloned()
                .unwrap_or_else(|| Attendance {
                    gathering_id: gathering_id.to_string(),
                    service_id: service.id.clone(),
                    ..Attendance::default()
                })
        })
        .collect();
    Ok((lineup, gathering, attendances, turnout))
}

impl Component for GatheringView {
    fn mode(&self) -> Mode {
        Mode::Gathering
    }

    fn crumb(&self, lang: Lang) -> String {
        present::date(lang, self.gathering.held_on)
    }

    fn update(&mut self, action: Action, _ctx: &mut Ctx) -> Outcome {
        if move_selection(&mut self.selected, self.lineup.services.len(), &action) {
            return Outcome::Stay;
        }
        match action {
            Action::Back => Outcome::Back,
            Action::Edit => Outcome::Open(Open::Form(FormPurpose::EditGathering(
                self.gathering.clone(),
            ))),
            Action::Open => {
                let Some(service) = self.lineup.services.get(self.selected) else {
                    return Outcome::Stay;
                };
                Outcome::Open(Open::Form(FormPurpose::Attendance {
                    gathering: self.gathering.clone(),
                    service: service.clone(),
                    attendance: self.attendances[self.selected].clone(),
                }))
            }
            _ => Outcome::Stay,
        }
    }

    fn refresh(&mut self, ctx: &mut Ctx) {
        let (cluster_id, gathering_id) =
            (self.lineup.cluster.id.clone(), self.gathering.id.clone());
        let read = ctx.load(|s| {
            let cluster = s.cluster(&cluster_id)?;
            read(s, &cluster.name, &gathering_id)
        });
        if let Some((lineup, gathering, attendances, turnout)) = read {
            self.lineup = lineup;
            self.gathering = gathering;
            self.attendances = attendances;
            self.turnout = turnout;
            clamp(&mut self.selected, self.lineup.services.len());
        }
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_gathering(look, self, frame, area);
    }

    fn about(&self, look: &Look) -> Vec<String> {
        vec![tr(look.lang, "help.gathering").to_string()]
    }
}

fn draw_gathering(look: &Look, view: &GatheringView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let gathering = &view.gathering;
    let outer = block(present::fit(
        &trf(
            lang,
            "gathering.title",
            &[
                (
                    "kind",
                    &tr(lang, present::gathering_kind_key(gathering.kind)),
                ),
                ("date", &present::date(lang, gathering.held_on)),
                ("cluster", &view.lineup.cluster.name),
            ],
        ),
        usize::from(area.width.saturating_sub(4)),
    ));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let width = usize::from(inner.width);
    let text = |key: &str| tr(lang, key).to_string();

    let topics = if gathering.topics.is_empty() {
        present::NONE.to_string()
    } else {
        gathering.topics.replace('\n', " ")
    };
    let topics = trf(lang, "gathering.topics", &[("topics", &topics)]);
    let turnout = view.turnout;
    // Ahead with nothing recorded: no one has attended or not yet.
    let planned = turnout.planned(gathering.held_on, look.today());
    let summed = if planned {
        tr(lang, "gathering.planned").to_string()
    } else if turnout.recorded == 0 {
        tr(lang, "gathering.nothing_recorded").to_string()
    } else {
        trf(
            lang,
            "gathering.turnout",
            &[
                (
                    "leaders",
                    &present::count(lang, "noun.leader", turnout.leaders as usize),
                ),
                (
                    "key_persons",
                    &present::count(lang, "noun.key_person", turnout.key_persons as usize),
                ),
                (
                    "staff",
                    &present::count(lang, "noun.staff", turnout.staff as usize),
                ),
                ("done", &turnout.between_done),
                ("of", &turnout.services),
            ],
        )
    };
    let tied = tied_line(lang, view);
    // Wide: every column with its whole name; narrow: the roles as letters, named in the
    // legend line, and no note (the form shows it).
    let wide = inner.width >= 90;
    let legend_height = u16::from(!wide);
    // The turnout on two lines where one cuts it: its between-work is at its end.
    let turnout_height = Paragraph::new(summed.clone())
        .wrap(Wrap { trim: true })
        .line_count(inner.width)
        .min(2) as u16;
    let tied_height = Paragraph::new(tied.clone())
        .wrap(Wrap { trim: true })
        .line_count(inner.width)
        .min(3) as u16;
    let [
        topics_area,
        turnout_area,
        table_area,
        legend_area,
        tied_area,
    ] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(turnout_height),
        Constraint::Fill(1),
        Constraint::Length(legend_height),
        Constraint::Length(tied_height),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(present::fit(&topics, width)), topics_area);
    frame.render_widget(
        Paragraph::new(summed).wrap(Wrap { trim: true }).style(BOLD),
        turnout_area,
    );

    let (count_width, work_width) = if wide { (12, 12) } else { (3, 8) };
    let mut header = vec![text("services.name")];
    if wide {
        header.extend([
            text("gathering.col_leaders"),
            text("gathering.col_key_persons"),
            text("gathering.col_staff"),
            text("gathering.col_pre_work"),
            text("gathering.col_between_work"),
            text("cluster_field.note"),
        ]);
    } else {
        header.extend([
            text("gathering.col_leaders_short"),
            text("gathering.col_key_persons_short"),
            text("gathering.col_staff_short"),
            text("gathering.col_pre_work_short"),
            text("gathering.col_between_work_short"),
        ]);
    }
    let mut widths = vec![
        if wide {
            Constraint::Length(24)
        } else {
            Constraint::Fill(1)
        },
        Constraint::Length(count_width),
        Constraint::Length(count_width),
        Constraint::Length(count_width),
        Constraint::Length(work_width),
        Constraint::Length(work_width),
    ];
    if wide {
        widths.push(Constraint::Fill(1));
    }
    let mut cells = vec![header];
    for (service, attendance) in view.lineup.services.iter().zip(&view.attendances) {
        // Nothing recorded for the service is "–", not a count of nobody.
        let known = |n: u16| {
            if planned || attendance.is_empty() {
                present::NONE.to_string()
            } else {
                n.to_string()
            }
        };
        let mut row = vec![
            service.name.clone(),
            known(attendance.leaders),
            known(attendance.key_persons),
            known(attendance.staff),
            present::answer(lang, attendance.pre_work),
            present::answer(lang, attendance.between_work),
        ];
        if wide {
            row.push(attendance.note.replace('\n', " "));
        }
        cells.push(row);
    }
    let mut rows = fitted_rows(&widths, inner.width, cells);
    let header = rows.remove(0).style(BOLD);
    frame.render_stateful_widget(
        Table::new(rows, widths)
            .header(header)
            .row_highlight_style(SELECTED)
            .highlight_symbol("▶ "),
        table_area,
        &mut TableState::default().with_selected(Some(view.selected)),
    );
    if !wide {
        frame.render_widget(
            Paragraph::new(present::fit(&text("gathering.legend"), width)).style(look.theme.dim()),
            legend_area,
        );
    }
    frame.render_widget(Paragraph::new(tied).wrap(Wrap { trim: true }), tied_area);
}

/// "Runder knyttet til samlingen: Dalbygd «Før samling 1», …", from the line-up.
fn tied_line(lang: Lang, view: &GatheringView) -> String {
    let point = Point::Gathering(view.gathering.clone());
    let tied: Vec<String> = view
        .lineup
        .services
        .iter()
        .zip(view.lineup.at(&point))
        .filter_map(|(service, round)| {
            round.map(|r| {
                trf(
                    lang,
                    "gathering.tied_round",
                    &[("service", &service.name), ("round", &r.round.label)],
                )
            })
        })
        .collect();
    if tied.is_empty() {
        tr(lang, "gathering.no_tied").to_string()
    } else {
        trf(lang, "gathering.tied", &[("rounds", &tied.join(", "))])
    }
}
