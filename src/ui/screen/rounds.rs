//! A service's rounds, with their kind, respondents, stage and the gathering each is tied
//! to, and its open measures.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};

use crate::domain::model::Service;
use crate::domain::plan::{PlanItem, measure_counts};
use crate::i18n::{Lang, tr, trf};
use crate::messages::{Erasing, quoted};
use crate::present;
use crate::present::kind_key;
use crate::store::RoundSummary;
use crate::store::{Answers, Clusters, Plans, Store, StoreError};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, FormPurpose, Open, Outcome, clamp, move_selection};
use crate::ui::status::StatusKind;
use crate::ui::widgets::{ListTable, Look};

pub struct RoundList {
    pub service: Service,
    pub rows: Vec<RoundSummary>,
    pub selected: usize,
    /// The service's plan items, for the open and overdue measures.
    pub plan: Vec<PlanItem>,
    /// The day of the gathering each round is tied to, in the order of `rows`.
    pub tied: Vec<Option<NaiveDate>>,
    /// The erasure the status line asks about, until it is answered.
    pub erasing: Option<Erasing>,
}

/// The rounds, the plan, and the day of the gathering each round is tied to.
type Read = (Vec<RoundSummary>, Vec<PlanItem>, Vec<Option<NaiveDate>>);

fn read(store: &Store, service: &Service) -> Result<Read, StoreError> {
    let rows = store.rounds(&service.id)?;
    let mut tied = Vec::with_capacity(rows.len());
    for row in &rows {
        let day = match store.round_gathering(&row.round.id)? {
            Some(id) => Some(store.gathering(&id)?.held_on),
            None => None,
        };
        tied.push(day);
    }
    Ok((rows, store.plan_items(&service.id)?, tied))
}

impl RoundList {
    /// The service's rounds, the last one selected.
    pub fn open(ctx: &mut Ctx, service: Service) -> Option<RoundList> {
        let (rows, plan, tied) = ctx.load(|s| read(s, &service))?;
        Some(RoundList {
            service,
            selected: rows.len().saturating_sub(1),
            rows,
            plan,
            tied,
            erasing: None,
        })
    }

    /// The tie form for `round`, or in the status line why there is nothing to tie it to.
    fn tie(&self, ctx: &mut Ctx, round: crate::domain::model::Round) -> Option<Open> {
        let lang = ctx.lang;
        let cluster = &self.service.cluster;
        let found = ctx.load(|s| match s.cluster_named(cluster)? {
            Some(record) => Ok(Some(s.gatherings(&record.id)?)),
            None => Ok(None),
        })?;
        let text = match found {
            Some(gatherings) if !gatherings.is_empty() => {
                return Some(Open::Form(FormPurpose::TieRound { round, gatherings }));
            }
            Some(_) => trf(
                lang,
                "rounds.no_gatherings",
                &[("cluster", &quoted(lang, cluster))],
            ),
            None => trf(
                lang,
                "rounds.no_cluster",
                &[("service", &quoted(lang, &self.service.name))],
            ),
        };
        ctx.info(StatusKind::Info, text);
        None
    }
}

impl Component for RoundList {
    fn mode(&self) -> Mode {
        if self.erasing.is_some() {
            return Mode::ConfirmErase;
        }
        Mode::Rounds
    }

    fn crumb(&self, _lang: Lang) -> String {
        self.service.name.clone()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        if self.erasing.is_some() {
            if ctx.answer_erase(&mut self.erasing, &action) {
                self.refresh(ctx);
            }
            return Outcome::Stay;
        }
        if move_selection(&mut self.selected, self.rows.len(), &action) {
            return Outcome::Stay;
        }
        let service = self.service.clone();
        let selected = self.rows.get(self.selected).map(|r| r.round.clone());
        let open = match (action, selected) {
            (Action::Back, _) => return Outcome::Back,
            (Action::New, _) => Open::Form(FormPurpose::NewRound(service)),
            (Action::Open, Some(round)) => Open::Respondents(service, round),
            (Action::Summary, Some(round)) => Open::RoundSummary(service, round),
            (Action::Compare, round) => Open::Compare(service, round),
            (Action::Trend, _) => Open::Trend(service),
            (Action::Goals, _) => Open::Goals(service),
            (Action::Stage, Some(round)) => Open::Form(FormPurpose::RoundStage(service, round)),
            (Action::Tie, Some(round)) => match self.tie(ctx, round) {
                Some(open) => open,
                None => return Outcome::Stay,
            },
            (Action::Roles, Some(round)) => Open::Roles(service, round),
            (Action::Review, Some(round)) => Open::Review(service, round),
            (Action::Needs, Some(round)) => Open::Needs(service, round),
            (Action::Positions, Some(round)) => Open::Positions(service, round),
            (Action::Erase, Some(round)) => {
                self.erasing = ctx.ask_erase(Erasing::round(ctx.lang, &round));
                return Outcome::Stay;
            }
            _ => return Outcome::Stay,
        };
        Outcome::Open(open)
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_rounds(look, self, frame, area);
    }

    fn refresh(&mut self, ctx: &mut Ctx) {
        let service = &self.service;
        if let Some((rows, plan, tied)) = ctx.load(|s| read(s, service)) {
            self.rows = rows;
            self.plan = plan;
            self.tied = tied;
            clamp(&mut self.selected, self.rows.len());
        }
    }
}

fn draw_rounds(look: &Look, list: &RoundList, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    // The stage and the instrument's version go first where there is no room for them.
    let wide = area.width >= 72;
    // The gatherings' days only where a round is tied, and then, below 100 columns, in the
    // version's place: the labels need the room.
    let gathering_column = list.tied.iter().any(Option::is_some);
    let version = wide && !(gathering_column && area.width < 100);
    let rows = (list.rows.iter().zip(&list.tied))
        .map(|(r, tied)| {
            let mut cells = vec![
                r.round.label.clone(),
                present::date(lang, r.round.held_on),
                tr(lang, kind_key(r.round.kind)).to_string(),
                r.respondents.to_string(),
            ];
            if gathering_column {
                cells.push(tied.map_or_else(String::new, |day| present::date(lang, day)));
            }
            if wide {
                cells.push(
                    r.stage
                        .map(|s| present::numbered_stage(lang, s))
                        .unwrap_or_default(),
                );
            }
            if version {
                cells.push(r.round.instrument_version.clone());
            }
            cells
        })
        .collect();
    let mut title = trf(lang, "rounds.title", &[("service", &list.service.name)]);
    let (open, overdue) = measure_counts(&list.plan, look.today());
    if open > 0 {
        let measures = trf(
            lang,
            "rounds.measures",
            &[
                ("open", &present::count(lang, "noun.open_measure", open)),
                ("overdue", &overdue),
            ],
        );
        title = format!("{title} · {measures}");
        // The service is named in the trail above: the measures come before it.
        if title.chars().count() + 4 > usize::from(area.width) {
            title = format!("{} · {measures}", tr(lang, "rounds.title_short"));
        }
    }
    let title = present::fit(&title, usize::from(area.width.saturating_sub(4)));
    let respondents = tr(lang, "rounds.respondents");
    let mut header = vec![
        tr(lang, "rounds.label"),
        tr(lang, "rounds.date"),
        tr(lang, "rounds.kind"),
        respondents,
    ];
    let mut widths = vec![
        Constraint::Fill(if gathering_column { 3 } else { 2 }),
        Constraint::Length(10),
        Constraint::Length(9),
        // The heading whole.
        Constraint::Length(respondents.chars().count() as u16),
    ];
    if gathering_column {
        header.push(tr(lang, "rounds.gathering"));
        widths.push(Constraint::Length(10));
    }
    if wide {
        header.push(tr(lang, "stage.title"));
        widths.push(Constraint::Fill(2));
    }
    if version {
        header.push(tr(lang, "rounds.version"));
        widths.push(Constraint::Length(7));
    }
    ListTable {
        title,
        header,
        widths,
        rows,
        selected: list.selected,
        empty_hint: tr(lang, "rounds.empty"),
    }
    .draw(frame, area);
}
