//! The cluster's year: its record, its gatherings in date order with what each one's
//! attendance adds up to (the next one marked), and each service's latest round and stage.
//! Everything is lined up by `usecase::cluster::LineUp`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Paragraph, Table, TableState, Wrap};

use crate::domain::cluster::{Cluster, Turnout};
use crate::i18n::{Lang, tr, trf};
use crate::messages::Erasing;
use crate::present;
use crate::store::{Clusters, Store, StoreError};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, FormPurpose, Open, Outcome, clamp, move_selection};
use crate::ui::status::StatusKind;
use crate::ui::widgets::{BOLD, Look, SELECTED, block, fitted_rows};
use crate::usecase::cluster::LineUp;

pub struct ClusterYearView {
    pub lineup: LineUp,
    /// What each gathering's attendance adds up to, in the order of `lineup.gatherings`.
    pub turnouts: Vec<Turnout>,
    /// The selected gathering.
    pub selected: usize,
    /// The gathering the status line asks about erasing, until it is answered.
    pub erasing: Option<Erasing>,
}

impl ClusterYearView {
    /// The year of the cluster a service names; a service in no cluster has none.
    pub fn open(ctx: &mut Ctx, cluster: String) -> Option<ClusterYearView> {
        if cluster.is_empty() {
            let text = tr(ctx.lang, "cluster_year.no_cluster").to_string();
            ctx.info(StatusKind::Info, text);
            return None;
        }
        let (lineup, turnouts) = ctx.load(|s| read(s, &cluster))?;
        Some(ClusterYearView {
            lineup,
            turnouts,
            selected: 0,
            erasing: None,
        })
    }
}

/// The cluster's line-up, and each gathering's turnout over the cluster's services.
fn read(store: &Store, name: &str) -> Result<(LineUp, Vec<Turnout>), StoreError> {
    let lineup = LineUp::load(store, name)?;
    let ids: Vec<&str> = lineup.services.iter().map(|s| s.id.as_str()).collect();
    let turnouts = lineup
        .gatherings
        .iter()
        .map(|g| Ok(Turnout::of(&store.attendances(&g.id)?, &ids)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((lineup, turnouts))
}

impl Component for ClusterYearView {
    fn mode(&self) -> Mode {
        if self.erasing.is_some() {
            return Mode::ConfirmErase;
        }
        Mode::ClusterYear
    }

    fn crumb(&self, lang: Lang) -> String {
        trf(
            lang,
            "cluster_year.crumb",
            &[("cluster", &self.lineup.cluster.name)],
        )
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        if self.erasing.is_some() {
            if ctx.answer_erase(&mut self.erasing, &action) {
                self.refresh(ctx);
            }
            return Outcome::Stay;
        }
        if move_selection(&mut self.selected, self.lineup.gatherings.len(), &action) {
            return Outcome::Stay;
        }
        let cluster = self.lineup.cluster.clone();
        match action {
            Action::Back => Outcome::Back,
            Action::New => Outcome::Open(Open::Form(FormPurpose::NewGathering(cluster))),
            Action::Edit => Outcome::Open(Open::Form(FormPurpose::EditCluster(cluster))),
            Action::Open => match self.lineup.gatherings.get(self.selected) {
                Some(gathering) => {
                    Outcome::Open(Open::Gathering(cluster.name, gathering.id.clone()))
                }
                None => Outcome::Stay,
            },
            Action::Erase => {
                if let Some(gathering) = self.lineup.gatherings.get(self.selected) {
                    self.erasing = ctx.ask_erase(Erasing::gathering(ctx.lang, gathering));
                }
                Outcome::Stay
            }
            _ => Outcome::Stay,
        }
    }

    /// By the cluster's id: its name may have been changed in the form.
    fn refresh(&mut self, ctx: &mut Ctx) {
        let id = self.lineup.cluster.id.clone();
        let read = ctx.load(|s| {
            let cluster = s.cluster(&id)?;
            read(s, &cluster.name)
        });
        if let Some((lineup, turnouts)) = read {
            self.lineup = lineup;
            self.turnouts = turnouts;
            clamp(&mut self.selected, self.lineup.gatherings.len());
        }
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_year(look, self, frame, area);
    }

    fn about(&self, look: &Look) -> Vec<String> {
        vec![tr(look.lang, "help.cluster_year").to_string()]
    }
}

/// "Innlandet · RBUP Øst og Sør · prosessledere KL, MB · 01.01.2026–30.06.2027": what the
/// record holds, the empty parts left out.
pub fn record_line(lang: Lang, cluster: &Cluster) -> String {
    let mut parts: Vec<String> = [&cluster.county, &cluster.centre]
        .into_iter()
        .filter(|text| !text.is_empty())
        .cloned()
        .collect();
    if !cluster.process_leaders.is_empty() {
        parts.push(trf(
            lang,
            "cluster_year.process_leaders",
            &[("who", &cluster.process_leaders)],
        ));
    }
    if cluster.period_from.is_some() || cluster.period_to.is_some() {
        let end =
            |day: Option<chrono::NaiveDate>| day.map_or(String::new(), |d| present::date(lang, d));
        parts.push(format!(
            "{}–{}",
            end(cluster.period_from),
            end(cluster.period_to)
        ));
    }
    if parts.is_empty() {
        tr(lang, "cluster_year.record_empty").to_string()
    } else {
        parts.join(" · ")
    }
}

fn draw_year(look: &Look, view: &ClusterYearView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let lineup = &view.lineup;
    let outer = block(present::fit(
        &trf(
            lang,
            "cluster_year.title",
            &[
                ("cluster", &lineup.cluster.name),
                (
                    "services",
                    &present::count(lang, "noun.service", lineup.services.len()),
                ),
            ],
        ),
        usize::from(area.width.saturating_sub(4)),
    ));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let width = usize::from(inner.width);

    let next = lineup.next_gathering(look.today());
    let next_line = match next {
        Some(g) => trf(
            lang,
            "cluster_year.next",
            &[
                ("date", &present::date(lang, g.held_on)),
                ("kind", &tr(lang, present::gathering_kind_key(g.kind))),
            ],
        ),
        None => trf(
            lang,
            "cluster_year.no_next",
            &[("today", &present::date(lang, look.today()))],
        ),
    };
    // Both parts whole where they fit; else the gatherings (scrolling to the selected one)
    // take at least half the room and what the services leave, the services the rest. A
    // blank line between the parts where the height allows it.
    let spaced = inner.height >= 20;
    let room = inner.height.saturating_sub(2 + 2 * u16::from(spaced));
    let wanted_gatherings = lineup.gatherings.len().max(1) as u16 + 1;
    let wanted_services = lineup.services.len() as u16 + 1;
    let gatherings_height = wanted_gatherings
        .min(room / 2)
        .max(room.saturating_sub(wanted_services))
        .min(wanted_gatherings);
    let services_height = room.saturating_sub(gatherings_height).min(wanted_services);
    let [
        record_area,
        next_area,
        _,
        gatherings_area,
        _,
        services_area,
        _,
    ] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(u16::from(spaced)),
        Constraint::Length(gatherings_height),
        Constraint::Length(u16::from(spaced)),
        Constraint::Length(services_height),
        Constraint::Fill(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(present::fit(&record_line(lang, &lineup.cluster), width)),
        record_area,
    );
    frame.render_widget(
        Paragraph::new(present::fit(&next_line, width)).style(BOLD),
        next_area,
    );

    if lineup.gatherings.is_empty() {
        frame.render_widget(
            Paragraph::new(tr(lang, "cluster_year.no_gatherings").to_string())
                .wrap(Wrap { trim: true })
                .style(look.theme.dim()),
            gatherings_area,
        );
    } else {
        draw_gatherings(
            look,
            view,
            next.map(|g| g.id.as_str()),
            frame,
            gatherings_area,
        );
    }
    draw_services(look, view, frame, services_area);
}

fn draw_gatherings(
    look: &Look,
    view: &ClusterYearView,
    next: Option<&str>,
    frame: &mut Frame,
    area: Rect,
) {
    let lang = look.lang;
    // Wide: the kind and each role's count; narrow: the people in all, and the topics in
    // what is left.
    let wide = area.width >= 76;
    let text = |key: &str| tr(lang, key).to_string();
    let mut header = vec![String::new(), text("cluster_year.col_day")];
    let mut widths = vec![Constraint::Length(1), Constraint::Length(10)];
    if wide {
        header.extend([
            text("cluster_year.col_kind"),
            text("gathering.col_leaders_short"),
            text("gathering.col_key_persons_short"),
            text("gathering.col_staff_short"),
        ]);
        widths.extend([
            Constraint::Length(18),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(4),
        ]);
    } else {
        header.push(text("cluster_year.col_people"));
        widths.push(Constraint::Length(6));
    }
    header.extend([
        text("cluster_year.col_between"),
        text("cluster_year.col_topics"),
    ]);
    widths.extend([Constraint::Length(12), Constraint::Fill(1)]);

    let mut cells = vec![header];
    for (gathering, turnout) in view.lineup.gatherings.iter().zip(&view.turnouts) {
        let mark = if Some(gathering.id.as_str()) == next {
            "»"
        } else {
            " "
        };
        // Nothing recorded for any service (ahead, or not entered yet): its counts and its
        // between-work are unknown, not zero.
        let unknown = turnout.recorded == 0;
        let known = |n: u32| {
            if unknown {
                present::NONE.to_string()
            } else {
                n.to_string()
            }
        };
        let mut row = vec![mark.to_string(), present::date(lang, gathering.held_on)];
        if wide {
            row.extend([
                text(present::gathering_kind_key(gathering.kind)),
                known(turnout.leaders),
                known(turnout.key_persons),
                known(turnout.staff),
            ]);
        } else {
            row.push(known(turnout.people()));
        }
        row.push(if unknown {
            present::NONE.to_string()
        } else {
            trf(
                lang,
                "cluster_year.between_of",
                &[("done", &turnout.between_done), ("of", &turnout.services)],
            )
        });
        row.push(
            gathering
                .topics
                .lines()
                .next()
                .unwrap_or_default()
                .to_string(),
        );
        cells.push(row);
    }
    let mut rows = fitted_rows(&widths, area.width, cells);
    let header = rows.remove(0).style(BOLD);
    frame.render_stateful_widget(
        Table::new(rows, widths)
            .header(header)
            .row_highlight_style(SELECTED)
            .highlight_symbol("▶ "),
        area,
        &mut TableState::default().with_selected(Some(view.selected)),
    );
}

fn draw_services(look: &Look, view: &ClusterYearView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let lineup = &view.lineup;
    let text = |key: &str| tr(lang, key).to_string();
    // Narrow, the stage by its number in the model (the help names them), and no date.
    let wide = area.width >= 70;
    let mut header = vec![text("services.name"), text("cluster_year.col_latest")];
    let mut widths = vec![Constraint::Fill(1), Constraint::Length(16)];
    if wide {
        header.push(text("cluster_year.col_day"));
        widths.push(Constraint::Length(10));
    }
    header.push(text("cluster_year.col_stage"));
    widths.push(if wide {
        Constraint::Fill(1)
    } else {
        Constraint::Length(5)
    });
    let shown = usize::from(area.height.saturating_sub(1));
    let hidden = lineup.services.len().saturating_sub(shown);
    let mut cells = vec![header];
    for (index, (service, rounds)) in lineup.services.iter().zip(&lineup.rounds).enumerate() {
        // The last row shown says how many more there are when not all fit.
        if hidden > 0 && index + 1 == shown {
            cells.push(vec![trf(
                lang,
                "cluster_year.more_services",
                &[("n", &(hidden + 1))],
            )]);
            break;
        }
        let latest = rounds.last();
        let mut row = vec![
            service.name.clone(),
            latest.map_or(present::NONE.to_string(), |r| r.round.label.clone()),
        ];
        if wide {
            row.push(latest.map_or(String::new(), |r| present::date(lang, r.round.held_on)));
        }
        let stage = latest.and_then(|r| r.stage);
        row.push(match stage {
            Some(stage) if wide => present::numbered_stage(lang, stage),
            Some(stage) => present::stage_number(stage).to_string(),
            None => present::NONE.to_string(),
        });
        cells.push(row);
    }
    // No "▶ " before these rows: the width as a table without a highlight lays them out.
    let mut rows = fitted_rows(&widths, area.width + 2, cells);
    let header = rows.remove(0).style(BOLD);
    frame.render_widget(Table::new(rows, widths).header(header), area);
}
