//! The cluster overview: every service of a cluster beside the others, at one point of the
//! cluster's year (a gathering its rounds are tied to, or the label of rounds not tied yet,
//! as `usecase::cluster::LineUp` lines them up), sortable by name or by a section's score;
//! or, on Tab, the needs the services share at that point. `a` shows the services without
//! their names, by the letters the programme owner's view gives them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::domain::cluster_figures::{AreaKey, Standing};
use crate::domain::compare::{MIN_GROUP, Options, min_group};
use crate::domain::instrument::SHORT_NAME_CHARS;
use crate::domain::model::{Round, Service};
use crate::domain::needs::{Area, CompetenceAreas};
use crate::domain::scoring::{SectionScore, summarize};
use crate::domain::shared_needs::{SharedNeeds, shared_needs};
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::store::Needs;
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, Open, Outcome};
use crate::ui::status::StatusKind;
use crate::ui::widgets::{
    BOLD, Look, SELECTED, band_mark, band_style, block, percent_number, section_labels,
};
use crate::usecase::cluster::{LineUp, Point};
use crate::usecase::cluster_report::standings;

pub struct ClusterRow {
    pub service: Service,
    /// The service's letter in the anonymous view (`anonymous_letters`), the same letter
    /// however the rows are sorted.
    pub letter: String,
    pub round: Option<Round>,
    pub respondents: usize,
    pub scores: Vec<SectionScore>,
    /// Its standing as the cluster report and the aggregated export count it: which areas
    /// are too few to show without the service's name.
    pub standing: Standing,
}

impl ClusterRow {
    /// The section's score as the view shows it: anonymous, none where too few stand
    /// behind it (the report's rule), so that neither a cell nor the order gives it away.
    fn shown_score(&self, index: usize, anonymous: bool) -> Option<&SectionScore> {
        let score = self.scores.get(index)?;
        let area = AreaKey {
            section: score.key.clone(),
            subdomain: None,
        };
        (!(anonymous && self.standing.is_hidden(&area))).then_some(score)
    }
}

/// A service as the view shows it: by name, or anonymous by its letter.
fn shown_name(lang: Lang, anonymous: bool, name: &str, letter: &str) -> String {
    if anonymous {
        trf(lang, "cluster.anonymous_service", &[("letter", &letter)])
    } else {
        name.to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterSort {
    /// By name; anonymous, by letter.
    Name,
    /// By a section's score, highest first.
    Section(usize),
}

pub struct ClusterView {
    pub cluster: String,
    /// The cluster's year: its services and the points their rounds line up at.
    pub line_up: LineUp,
    /// The point shown, an index into `line_up.points`.
    pub point: usize,
    pub rows: Vec<ClusterRow>,
    pub sort: ClusterSort,
    pub selected: usize,
    /// The needs view when it is shown (Tab), of the services in `rows` at the same point.
    pub needs: Option<NeedsFace>,
    /// Services shown by their letters, not their names (`a`).
    pub anonymous: bool,
}

/// The cluster's shared needs with what it takes to name them: each service's name, its
/// letter and the areas it weighs, in the order `shared_needs` was given them.
pub struct NeedsFace {
    pub shared: SharedNeeds,
    pub services: Vec<(String, String, Vec<Area>)>,
    /// The first area row shown, for a cluster with more rows than the screen.
    pub scroll: usize,
}

impl NeedsFace {
    fn read(ctx: &mut Ctx, rows: &[ClusterRow]) -> Option<NeedsFace> {
        let mut services = Vec::new();
        let mut weighed = Vec::new();
        for row in rows {
            let areas = ctx.load(|s| s.areas(&row.service.id))?;
            let needs = match &row.round {
                Some(round) => ctx.load(|s| s.needs(&round.id))?,
                None => Vec::new(),
            };
            services.push((row.service.name.clone(), row.letter.clone(), areas.clone()));
            weighed.push((areas, needs));
        }
        let shared = shared_needs(&CompetenceAreas::standard().areas, &weighed);
        Some(NeedsFace {
            shared,
            services,
            scroll: 0,
        })
    }
}

impl ClusterView {
    pub fn open(ctx: &mut Ctx, cluster: String) -> Option<ClusterView> {
        let line_up = ctx.load(|s| LineUp::load(s, &cluster))?;
        let rows = rows(ctx, &line_up, line_up.points.first(), false)?;
        let mut view = ClusterView {
            cluster,
            line_up,
            point: 0,
            rows,
            sort: ClusterSort::Name,
            selected: 0,
            needs: None,
            anonymous: false,
        };
        view.sort();
        Some(view)
    }

    /// Reads the needs view again when it is shown: the point or the rows changed.
    fn refresh_needs(&mut self, ctx: &mut Ctx) {
        if self.needs.is_some() {
            self.needs = NeedsFace::read(ctx, &self.rows);
        }
    }

    fn sort(&mut self) {
        match self.sort {
            // Anonymous, by letter: an order by name would give the names away.
            ClusterSort::Name if self.anonymous => self
                .rows
                .sort_by(|a, b| (a.letter.len(), &a.letter).cmp(&(b.letter.len(), &b.letter))),
            ClusterSort::Name => self.rows.sort_by_key(|r| r.service.name.to_lowercase()),
            ClusterSort::Section(index) => self.rows.sort_by(|a, b| {
                let score = |r: &ClusterRow| {
                    r.shown_score(index, self.anonymous)
                        .and_then(|s| s.tally.percent())
                        .unwrap_or(-1.0)
                };
                score(b).total_cmp(&score(a))
            }),
        }
        self.selected = 0;
    }

    /// Shows the point `step` places on (±1, round the year).
    fn step(&mut self, ctx: &mut Ctx, forward: bool) {
        let count = self.line_up.points.len();
        if count == 0 {
            return;
        }
        self.point = if forward {
            (self.point + 1) % count
        } else {
            (self.point + count - 1) % count
        };
        self.reread(ctx);
    }

    /// Reads the cluster's year and the rows again (another program changed them), at the
    /// same point, with the same service selected and the needs view where it was.
    fn read_again(&mut self, ctx: &mut Ctx) {
        let Some(line_up) = ctx.load(|s| LineUp::load(s, &self.cluster)) else {
            return;
        };
        let point = self.line_up.points.get(self.point).cloned();
        let selected = self.rows.get(self.selected).map(|r| r.service.id.clone());
        let scroll = self.needs.as_ref().map(|face| face.scroll);
        self.line_up = line_up;
        self.point = point
            .and_then(|point| self.line_up.points.iter().position(|p| *p == point))
            .unwrap_or(0);
        self.reread(ctx);
        self.selected = selected
            .and_then(|id| self.rows.iter().position(|r| r.service.id == id))
            .unwrap_or(0);
        if let (Some(face), Some(scroll)) = (self.needs.as_mut(), scroll) {
            face.scroll = scroll.min(face.shared.areas.len().saturating_sub(1));
        }
    }

    /// The rows at the point shown, as the view (named or not) shows them.
    fn reread(&mut self, ctx: &mut Ctx) {
        let point = self.line_up.points.get(self.point);
        if let Some(rows) = rows(ctx, &self.line_up, point, self.anonymous) {
            self.rows = rows;
            self.sort();
            self.refresh_needs(ctx);
        }
    }
}

/// Each service's round at `point` (the latest there) and its standing, as the cluster
/// report reads them; a service without a round there has none. `anonymous`, the areas too
/// few to show without names are hidden (which reads the rounds' answers); the named view
/// needs the kept scores alone.
fn rows(
    ctx: &mut Ctx,
    line_up: &LineUp,
    point: Option<&Point>,
    anonymous: bool,
) -> Option<Vec<ClusterRow>> {
    let at = match point {
        Some(point) => line_up.at(point),
        None => vec![None; line_up.services.len()],
    };
    let instrument = ctx.instrument;
    let hide_below = anonymous.then(|| min_group(MIN_GROUP));
    let read = ctx.load(|s| standings(s, instrument, &at, hide_below, Options::default()))?;
    let letters = line_up.letters();
    Some(
        (line_up.services.iter().zip(letters).zip(at).zip(read))
            .map(|(((service, letter), round), standing)| {
                let (respondents, scores) = match &standing {
                    Standing::Round {
                        respondents,
                        sections,
                        ..
                    } => (*respondents, sections.clone()),
                    Standing::NoRound => (0, summarize(instrument, &[])),
                };
                ClusterRow {
                    service: service.clone(),
                    letter,
                    round: round.map(|r| r.round.clone()),
                    respondents,
                    scores,
                    standing,
                }
            })
            .collect(),
    )
}

impl Component for ClusterView {
    fn refresh(&mut self, ctx: &mut Ctx) {
        self.read_again(ctx);
    }

    fn mode(&self) -> Mode {
        if self.needs.is_some() {
            Mode::ClusterNeeds
        } else {
            Mode::Cluster
        }
    }

    fn crumb(&self, _lang: Lang) -> String {
        match self.anonymous {
            true => self.line_up.without_names(&self.cluster),
            false => self.cluster.clone(),
        }
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        let sections = ctx.instrument.sections.len();
        if let Some(face) = self.needs.as_mut() {
            match action {
                Action::Up => face.scroll = face.scroll.saturating_sub(1),
                Action::Down => {
                    face.scroll = (face.scroll + 1).min(face.shared.areas.len().saturating_sub(1))
                }
                Action::Home => face.scroll = 0,
                Action::NextTab => self.needs = None,
                _ => {}
            }
            if matches!(
                action,
                Action::Up | Action::Down | Action::Home | Action::NextTab
            ) {
                return Outcome::Stay;
            }
        }
        match action {
            Action::Back => return Outcome::Back,
            Action::NextTab => self.needs = NeedsFace::read(ctx, &self.rows),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1))
            }
            Action::Home => self.selected = 0,
            Action::End => self.selected = self.rows.len().saturating_sub(1),
            Action::Left | Action::Right => self.step(ctx, action == Action::Right),
            Action::Choose(digit) => {
                let digit = usize::from(digit);
                self.sort = if (1..=sections).contains(&digit) {
                    ClusterSort::Section(digit - 1)
                } else {
                    ClusterSort::Name
                };
                self.sort();
            }
            Action::Anonymous => {
                self.anonymous = !self.anonymous;
                self.reread(ctx);
            }
            // The comparison and the year name the services: the anonymous view opens neither.
            Action::Open | Action::Year if self.anonymous => {
                let text = tr(ctx.lang, "cluster.anonymous_no_open").to_string();
                ctx.info(StatusKind::Info, text);
            }
            Action::Year => return Outcome::Open(Open::ClusterYear(self.cluster.clone())),
            Action::Open if self.needs.is_none() => {
                if let Some(row) = self.rows.get(self.selected) {
                    let open = Open::Compare(row.service.clone(), row.round.clone());
                    return Outcome::Open(open);
                }
            }
            _ => {}
        }
        Outcome::Stay
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        match &self.needs {
            Some(face) => draw_needs(look, self, face, frame, area),
            None => draw_cluster(look, self, frame, area),
        }
    }

    fn about(&self, look: &Look) -> Vec<String> {
        vec![
            tr(look.lang, "help.scoring").to_string(),
            tr(look.lang, "help.consultant_apart").to_string(),
            tr(look.lang, "help.cluster_points").to_string(),
            tr(look.lang, "help.cluster_needs").to_string(),
        ]
    }
}

/// The frame both faces share: the cluster and the point of its year in the title (a
/// gathering by its day and kind, an untied label as the label), and whether the view is
/// anonymous. Where that does not fit, the point alone, the cluster being named in the trail;
/// the anonymous mark first, so that it is never cut.
fn cluster_block(look: &Look, view: &ClusterView, frame: &mut Frame, area: Rect) -> Rect {
    let lang = look.lang;
    // "runde «…»" within the title, "Runde «…»" where it starts it.
    // Without names, a label or the cluster's name that holds a service's name shows its
    // letter, as the cluster report does.
    let shown = |text: &str| match view.anonymous {
        true => view.line_up.without_names(text),
        false => text.to_string(),
    };
    let point = |round_key: &str| match view.line_up.points.get(view.point) {
        Some(Point::Gathering(gathering)) => present::gathering_name(lang, gathering),
        Some(Point::Label(label)) => trf(lang, round_key, &[("round", &shown(label))]),
        None => trf(lang, round_key, &[("round", &present::NONE)]),
    };
    let cluster = if view.anonymous {
        trf(
            lang,
            "cluster.anonymous_title",
            &[("cluster", &shown(&view.cluster))],
        )
    } else {
        view.cluster.clone()
    };
    let room = usize::from(area.width.saturating_sub(4));
    let mut title = trf(
        lang,
        "cluster.title",
        &[
            ("cluster", &cluster),
            ("point", &point("cluster.point_round")),
        ],
    );
    if title.chars().count() > room {
        title = if view.anonymous {
            let point = point("cluster.point_round");
            trf(lang, "cluster.title_short_anonymous", &[("point", &point)])
        } else {
            let point = point("cluster.point_round_start");
            trf(lang, "cluster.title_short", &[("point", &point)])
        };
    }
    let outer = block(present::fit(&title, room));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    inner
}

fn draw_cluster(look: &Look, view: &ClusterView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let inner = cluster_block(look, view, frame, area);
    let sections = &look.instrument.sections;
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
    let too_few = tr(
        lang,
        if wide {
            "cluster.too_few"
        } else {
            "cluster.too_few_short"
        },
    )
    .to_string();
    let name_width = usize::from(inner.width.saturating_sub(fixed));
    let rows: Vec<Row> = view
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![
                Cell::from(present::fit(
                    &shown_name(lang, view.anonymous, &row.service.name, &row.letter),
                    name_width,
                )),
                Cell::from(if row.round.is_some() {
                    row.respondents.to_string()
                } else {
                    present::NONE.into()
                }),
            ];
            for index in 0..row.scores.len() {
                // Too few behind it for the view without names: the report's words.
                let Some(score) = row.shown_score(index, view.anonymous) else {
                    cells.push(Cell::from(format!("{too_few:>3}")).style(look.theme.dim()));
                    continue;
                };
                let tally = &score.tally;
                let number = percent_number(tally);
                cells.push(
                    Cell::from(match tally.percent() {
                        Some(_) if wide => format!("{} {number:>3}", band_mark(tally)),
                        Some(_) => format!("{}{number:>3}", band_mark(tally)),
                        None => format!("{:>3}", present::NONE),
                    })
                    .style(band_style(look.theme, tally.band())),
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
        .style(look.theme.dim());
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

/// The needs view: per area how many of the mapped services rank it among their top three
/// and their mean gap with its n; below, the services whose priorities no other shares.
fn draw_needs(look: &Look, view: &ClusterView, face: &NeedsFace, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let inner = cluster_block(look, view, frame, area);
    let shared = &face.shared;
    let whole = shared.mapped.to_string();
    let intro = Paragraph::new(trf(
        lang,
        "cluster.needs_mapped",
        &[
            ("mapped", &whole),
            ("services", &face.services.len().to_string()),
        ],
    ))
    .wrap(Wrap { trim: true });
    let intro_height = intro.line_count(inner.width) as u16;
    let shipped = &CompetenceAreas::standard().areas;
    let area_name = |areas: &[Area], key: &str| present::competence_area_name(areas, lang, key);
    let mut unlike: Vec<String> = shared
        .unlike
        .iter()
        .map(|u| {
            let (name, letter, areas) = &face.services[u.service];
            let names: Vec<String> = u.area_keys.iter().map(|k| area_name(areas, k)).collect();
            let name = shown_name(lang, view.anonymous, name, letter);
            let line = format!("• {name} – {}", names.join(", "));
            present::fit(&line, usize::from(inner.width))
        })
        .collect();
    if !unlike.is_empty() {
        unlike.insert(0, tr(lang, "cluster.needs_unlike").to_string());
    }
    // A line per service, cut with an ellipsis where narrow; at most a third of the room,
    // the table the rest.
    let unlike_height = (unlike.len() as u16).min(inner.height / 3);
    let unlike = Paragraph::new(unlike.join("\n")).style(look.theme.dim());
    let [intro_area, table_area, unlike_area] = Layout::vertical([
        Constraint::Length(intro_height),
        Constraint::Fill(1),
        Constraint::Length(unlike_height),
    ])
    .areas(inner);
    frame.render_widget(intro, intro_area);
    frame.render_widget(unlike, unlike_area);
    if shared.areas.is_empty() {
        frame.render_widget(Paragraph::new(tr(lang, "cluster.needs_empty")), table_area);
        return;
    }
    let top_head = tr(lang, "cluster.needs_top_three");
    let gap_head = tr(lang, "cluster.needs_mean_gap");
    let widest = present::count_of(lang, shared.mapped as u32, shared.mapped as u32);
    let top_width = top_head.chars().count().max(widest.chars().count()) as u16;
    let gap_width = gap_head.chars().count().max(13) as u16;
    let name_width = usize::from(inner.width.saturating_sub(top_width + gap_width + 2));
    // Below the header; when the rest does not fit, the last line says how many are below.
    let room = usize::from(table_area.height.saturating_sub(1));
    let left = shared.areas.len() - face.scroll.min(shared.areas.len());
    let shown = if left > room {
        room.saturating_sub(1)
    } else {
        left
    };
    let mut rows: Vec<Row> = shared
        .areas
        .iter()
        .skip(face.scroll)
        .take(shown)
        .map(|a| {
            let gap = match a.mean_gap {
                Some(mean) => present::mean_gap(lang, mean, a.gap_n),
                None => present::NONE.to_string(),
            };
            Row::new(vec![
                Cell::from(present::fit(&area_name(shipped, &a.area_key), name_width)),
                Cell::from(present::count_of(
                    lang,
                    a.top_three as u32,
                    shared.mapped as u32,
                )),
                Cell::from(gap),
            ])
        })
        .collect();
    if shown < left {
        let more = (left - shown).to_string();
        rows.push(
            Row::new(vec![Cell::from(trf(
                lang,
                "cluster.needs_more",
                &[("more", &more)],
            ))])
            .style(look.theme.dim()),
        );
    }
    let header = Row::new(vec![
        Cell::from(tr(lang, "cluster.needs_area").to_string()),
        Cell::from(top_head.to_string()),
        Cell::from(gap_head.to_string()),
    ])
    .style(BOLD);
    let table = Table::new(
        rows,
        [
            Constraint::Fill(1),
            Constraint::Length(top_width),
            Constraint::Length(gap_width),
        ],
    )
    .header(header);
    frame.render_widget(table, table_area);
}
