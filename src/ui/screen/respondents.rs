//! A round's respondents, with how far each has come.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};

use crate::domain::compare::{MIN_GROUP, codes_counted};
use crate::domain::instrument::Asked;
use crate::domain::model::{Round, Service};
use crate::i18n::{Lang, tr, trf};
use crate::messages::Erasing;
use crate::present::role_key;
use crate::store::RespondentSummary;
use crate::store::{Answers, Invites};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, FormPurpose, Open, Outcome, clamp, move_selection};
use crate::ui::status::StatusKind;
use crate::ui::widgets::local_time;
use crate::ui::widgets::{ListTable, Look};

pub struct RespondentList {
    pub service: Service,
    pub round: Round,
    /// The respondents entered at this machine, each openable.
    pub rows: Vec<RespondentSummary>,
    /// How many answer alone by code: one row after the others, never opened, so that no
    /// one's progress or answers can be read here.
    pub by_code: usize,
    /// Whether answering by code is closed for the round: until then they count nowhere.
    pub closed: bool,
    pub selected: usize,
    /// The erasure the status line asks about, until it is answered.
    pub erasing: Option<Erasing>,
}

/// The round's respondents entered here, how many answer by code, and whether answering
/// by code is closed.
fn load(ctx: &mut Ctx, round: &Round) -> Option<(Vec<RespondentSummary>, usize, bool)> {
    let (rows, by_code, closed) = ctx.load(|s| {
        Ok((
            s.respondents(&round.id)?,
            s.code_respondents(&round.id)?,
            s.answering_closed(&round.id)?,
        ))
    })?;
    let (coded, own): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|r| by_code.contains(&r.respondent.id));
    Some((own, coded.len(), closed))
}

impl RespondentList {
    pub fn open(ctx: &mut Ctx, service: Service, round: Round) -> Option<RespondentList> {
        let (rows, by_code, closed) = load(ctx, &round)?;
        Some(RespondentList {
            service,
            round,
            rows,
            by_code,
            closed,
            selected: 0,
            erasing: None,
        })
    }

    fn len(&self) -> usize {
        self.rows.len() + usize::from(self.by_code > 0)
    }

    /// Why the answers by code are in no figure (its short form, and the whole), if they
    /// are not.
    fn not_counted(&self, lang: Lang) -> Option<(String, String)> {
        if !self.closed {
            let why = trf(
                lang,
                "respondents.by_code_open_why",
                &[
                    ("n", &self.by_code),
                    ("service", &self.service.name),
                    ("round", &self.round.label),
                ],
            );
            return Some((tr(lang, "respondents.by_code_open").to_string(), why));
        }
        if codes_counted(self.by_code) {
            return None;
        }
        let why = trf(
            lang,
            "respondents.by_code_waiting_why",
            &[("n", &self.by_code), ("min", &MIN_GROUP)],
        );
        Some((tr(lang, "respondents.by_code_waiting").to_string(), why))
    }
}

impl Component for RespondentList {
    fn mode(&self) -> Mode {
        if self.erasing.is_some() {
            return Mode::ConfirmErase;
        }
        Mode::Respondents
    }

    fn crumb(&self, _lang: Lang) -> String {
        self.round.label.clone()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        if self.erasing.is_some() {
            if ctx.answer_erase(&mut self.erasing, &action) {
                self.refresh(ctx);
            }
            return Outcome::Stay;
        }
        let len = self.len();
        if move_selection(&mut self.selected, len, &action) {
            return Outcome::Stay;
        }
        if action == Action::Open && self.selected == self.rows.len() && self.by_code > 0 {
            // While not counted, the row says why they are in no figure (and how to close).
            let text = match self.not_counted(ctx.lang) {
                Some((_, why)) => why,
                None => tr(ctx.lang, "respondents.by_code_closed").to_string(),
            };
            ctx.info(StatusKind::Info, text);
            return Outcome::Stay;
        }
        if action == Action::Erase && self.selected == self.rows.len() && self.by_code > 0 {
            let text = tr(ctx.lang, "respondents.by_code_not_erased").to_string();
            ctx.info(StatusKind::Info, text);
            return Outcome::Stay;
        }
        let (service, round) = (self.service.clone(), self.round.clone());
        let selected = self.rows.get(self.selected).map(|r| r.respondent.clone());
        let open = match (action, selected) {
            (Action::Back, _) => return Outcome::Back,
            (Action::New, _) => Open::Form(FormPurpose::NewRespondent(service, round)),
            (Action::Open, Some(respondent)) => Open::Walk(service, round, respondent),
            (Action::Summary, _) => Open::RoundSummary(service, round),
            (Action::Roles, _) => Open::Roles(service, round),
            (Action::Review, _) => Open::Review(service, round),
            (Action::Needs, _) => Open::Needs(service, round),
            (Action::Positions, _) => Open::Positions(service, round),
            (Action::Erase, Some(respondent)) => {
                self.erasing = ctx.ask_erase(Erasing::respondent(ctx.lang, &respondent));
                return Outcome::Stay;
            }
            _ => return Outcome::Stay,
        };
        Outcome::Open(open)
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_respondents(look, self, frame, area);
    }

    fn refresh(&mut self, ctx: &mut Ctx) {
        if let Some((rows, by_code, closed)) = load(ctx, &self.round) {
            (self.rows, self.by_code, self.closed) = (rows, by_code, closed);
            let len = self.len();
            clamp(&mut self.selected, len);
        }
    }
}

fn draw_respondents(look: &Look, list: &RespondentList, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let mut rows: Vec<Vec<String>> = list
        .rows
        .iter()
        .map(|r| {
            // Of the items put to them: their role in a round of this kind.
            let total = look
                .instrument
                .items_asked(Asked::new(list.round.kind, r.respondent.role))
                .len();
            let done = if r.answered >= total { " ✓" } else { "" };
            vec![
                tr(lang, role_key(r.respondent.role)).to_string(),
                r.respondent.code.clone(),
                format!("{}/{total}{done}", r.answered),
                r.last_change
                    .as_deref()
                    .map(|t| local_time(look, t))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let mut note = false;
    if list.by_code > 0 {
        let why = list.not_counted(lang).map(|(short, _)| short);
        note = why.is_some();
        rows.push(vec![
            tr(lang, "respondents.by_code").to_string(),
            String::new(),
            format!("n={}", list.by_code),
            why.unwrap_or_default(),
        ]);
    }
    ListTable {
        title: trf(
            lang,
            "respondents.title",
            &[
                ("round", &list.round.label),
                ("service", &list.service.name),
            ],
        ),
        header: vec![
            tr(lang, "respondents.role"),
            tr(lang, "respondents.code"),
            tr(lang, "respondents.answered"),
            tr(lang, "respondents.last_change"),
        ],
        widths: vec![
            Constraint::Fill(1),
            Constraint::Length(8),
            Constraint::Length(9),
            // A time, or why the answers by code are not counted yet.
            Constraint::Length(if note { 18 } else { 16 }),
        ],
        rows,
        selected: list.selected,
        empty_hint: tr(lang, "respondents.empty"),
    }
    .draw(frame, area);
}
