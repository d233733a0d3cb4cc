//! What the router hands a screen, and what a screen hands back: the store and the rest a
//! screen's update needs (`Ctx`), the three questions every screen answers (`Component`:
//! its keys, its update, its drawing), and what it asks the router to do next (`Outcome`,
//! `Open`). Screens know this module and the leaves beneath it, never the router nor each
//! other: that keeps the import arrows of `ui/` running one way.

use chrono::{DateTime, FixedOffset, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::action::{Action, Mode};
use super::status::{Status, StatusKind};
use super::widgets::Look;
use crate::domain::cluster::{Attendance, Cluster, Gathering};
use crate::domain::instrument::Instrument;
use crate::domain::model::{Respondent, Round, Service};
use crate::domain::plan::{PlanItem, PlanKind};
use crate::domain::requirement::Position;
use crate::domain::scoring::SectionScore;
use crate::i18n::{Lang, tr, trf};
use crate::messages::Erasing;
use crate::present::role_key;
use crate::store::{Answers, Erase, ErasedBy};
use crate::store::{Store, StoreError};

pub type Clock = Box<dyn Fn() -> DateTime<Utc>>;

/// What a screen's update may use: the store (the one place it is written), the
/// instrument, the language, the clock, and the status line.
pub struct Ctx<'a> {
    pub store: &'a mut Store,
    pub instrument: &'static Instrument,
    pub lang: Lang,
    pub clock: &'a Clock,
    pub utc_offset: FixedOffset,
    pub status: &'a mut Option<Status>,
}

impl Ctx<'_> {
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub fn local(&self, time: DateTime<Utc>) -> DateTime<FixedOffset> {
        time.with_timezone(&self.utc_offset)
    }

    pub fn today(&self) -> chrono::NaiveDate {
        self.local(self.now()).date_naive()
    }

    pub fn info(&mut self, kind: StatusKind, text: String) {
        *self.status = Some(Status { kind, text });
    }

    pub fn error(&mut self, error: &StoreError) {
        let text = error.message(self.lang);
        self.info(StatusKind::Error, text);
    }

    /// Runs a store read, showing its error in the status line.
    pub fn load<T>(&mut self, read: impl FnOnce(&Store) -> Result<T, StoreError>) -> Option<T> {
        match read(self.store) {
            Ok(value) => Some(value),
            Err(e) => {
                self.error(&e);
                None
            }
        }
    }

    /// A service's plan as this login may read it: a respondent's login on a server reaches
    /// none, and the walk and the summary then show none.
    pub fn plan_items(&mut self, service_id: &str) -> Option<Vec<crate::domain::plan::PlanItem>> {
        self.load(|s| match crate::store::Plans::plan_items(s, service_id) {
            Err(StoreError::NotPermitted(_)) => Ok(Vec::new()),
            plan => plan,
        })
    }

    /// Asks in the status line whether to erase, saying what would go; the screen keeps
    /// what this gives while the question stands (its mode is then `Mode::ConfirmErase`).
    pub fn ask_erase(&mut self, erasing: Erasing) -> Option<Erasing> {
        let erasure = self.load(|s| s.erasure(std::slice::from_ref(&erasing.target)))?;
        let text = erasing.question(self.lang, &erasure);
        self.info(StatusKind::Warning, text);
        Some(erasing)
    }

    /// The answer to `ask_erase`'s question: `Action::Confirm` erases and says what went,
    /// anything else keeps all. Whether it erased. A write held (another process writes)
    /// leaves the question standing, for the router to try the same answer again.
    pub fn answer_erase(&mut self, pending: &mut Option<Erasing>, action: &Action) -> bool {
        let Some(erasing) = pending.take() else {
            return false;
        };
        if *action != Action::Confirm {
            let text = tr(self.lang, "erase.kept").to_string();
            self.info(StatusKind::Info, text);
            return false;
        }
        let now = self.now();
        let targets = std::slice::from_ref(&erasing.target);
        match self.store.erase(targets, ErasedBy::Screen, now) {
            Ok(erasure) => {
                let text = erasing.done(self.lang, &erasure);
                self.info(StatusKind::Saved, text);
                true
            }
            Err(StoreError::Busy { .. } | StoreError::Checking { .. }) => {
                *pending = Some(erasing);
                false
            }
            Err(e) => {
                self.error(&e);
                false
            }
        }
    }

    /// A service's rounds in date order.
    pub fn rounds(&mut self, service: &Service) -> Option<Vec<Round>> {
        let rows = self.load(|s| s.rounds(&service.id))?;
        Some(rows.into_iter().map(|r| r.round).collect())
    }
}

/// A screen: which keys it understands (its mode, whose list `keys` holds), what an action
/// does there, and how it is drawn.
pub trait Component {
    /// Which key list applies now.
    fn mode(&self) -> Mode;
    /// Its name in the trail at the top.
    fn crumb(&self, lang: Lang) -> String;
    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome;
    /// Draws it; reads its state only.
    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect);
    /// Reloads what it shows, after something above it changed.
    fn refresh(&mut self, _ctx: &mut Ctx) {}
    /// What its help says under the keys, a paragraph each.
    fn about(&self, _look: &Look) -> Vec<String> {
        Vec::new()
    }
}

/// What a screen asks the router to do after an action.
pub enum Outcome {
    Stay,
    /// Back to the screen beneath, reloaded.
    Back,
    Open(Open),
    /// A form was saved: back to the screen beneath, then on to `next`, saying `text`.
    Saved {
        next: Option<Open>,
        text: String,
    },
    /// Ends the program, saying `text` once the terminal is given back (too many wrong
    /// codes).
    End(String),
}

/// A screen to open, with what it is opened on.
pub enum Open {
    Rounds(Service),
    Respondents(Service, Round),
    Walk(Service, Round, Respondent),
    RoundSummary(Service, Round),
    /// One respondent's own summary, from the walk.
    RespondentSummary {
        heading: String,
        service: Service,
        round: Round,
        scores: Vec<SectionScore>,
    },
    /// Compares a round (the last without one) with the round before it.
    Compare(Service, Option<Round>),
    Trend(Service),
    Cluster(String),
    /// The year of the cluster of this name: its record, gatherings and services.
    ClusterYear(String),
    /// A gathering of the cluster of this name, by its id.
    Gathering(String, String),
    Roles(Service, Round),
    /// A subdomain's plan (`section.subdomain`).
    Plan(Service, String),
    Goals(Service),
    /// A round's positions against the 2031 competence requirement.
    Positions(Service, Round),
    /// The joint review of a round: its answers without names and the consensus.
    Review(Service, Round),
    Needs(Service, Round),
    Form(FormPurpose),
}

/// A need a measure can be started from, as the form offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedToPlan {
    pub area_name: String,
    pub gap: i8,
    /// What the round says is missing, the measure's text where none is typed.
    pub missing: String,
}

/// What a form is for, and what it is filled in on.
pub enum FormPurpose {
    NewService,
    EditService(Service),
    NewRound(Service),
    NewRespondent(Service, Round),
    /// A barrier, strategy or measure for a subdomain (`section.subdomain`) of a service.
    NewPlanItem(Service, String, PlanKind),
    EditPlanItem(PlanItem),
    /// A measure in a subdomain's plan started from one of a round's needs.
    MeasureFromNeed {
        service: Service,
        subdomain_key: String,
        round: Round,
        needs: Vec<NeedToPlan>,
    },
    NewGoal(Service),
    RoundStage(Service, Round),
    /// The gathering of its cluster a round is tied to, chosen among `gatherings` (by day).
    TieRound {
        round: Round,
        gatherings: Vec<Gathering>,
    },
    /// What, concretely, is missing in an area of a round's needs.
    NeedMissing {
        round: Round,
        area_key: String,
        area_name: String,
        missing: String,
    },
    /// A competence area of the service's own.
    OwnArea(Service),
    /// A round's expectations of the programme, and the facts about the service.
    Expectations(Round),
    Facts(Round),
    NewPosition(Round),
    EditPosition(Round, Position),
    /// A cluster's record: name, county, centre, process leaders, period.
    EditCluster(Cluster),
    NewGathering(Cluster),
    /// A gathering's day, kind and topics, as they stand.
    EditGathering(Gathering),
    /// What one service's attendance at a gathering is, as recorded so far.
    Attendance {
        gathering: Gathering,
        service: Service,
        attendance: Attendance,
    },
}

/// What is wrong with a typed value, in the user's language.
pub fn input_error_text(lang: Lang, error: &crate::domain::model::InputError) -> String {
    use crate::domain::model::InputError::*;
    match error {
        EmptyName => tr(lang, "error.empty_name").to_string(),
        EmptyLabel => tr(lang, "error.empty_label").to_string(),
        EmptyText => tr(lang, "error.empty_text").to_string(),
        MunicipalityNumber(bad) => trf(lang, "error.municipality", &[("value", bad)]),
        Date(bad) => trf(lang, "error.date", &[("value", bad)]),
        DirectionControl(_) => tr(lang, "error.direction_control").to_string(),
        TooLong(_, kind) => trf(
            lang,
            "error.too_long",
            &[("limit", &crate::messages::limit_text(lang, *kind))],
        ),
    }
}

/// "Leder (AB)", or just the role when no code was given.
pub fn respondent_label(lang: Lang, respondent: &Respondent) -> String {
    let role = tr(lang, role_key(respondent.role));
    if respondent.code.is_empty() {
        role.to_string()
    } else {
        format!("{role} ({})", respondent.code)
    }
}

/// Moves a list selection; true if the action was a movement.
pub fn move_selection(selected: &mut usize, len: usize, action: &Action) -> bool {
    let last = len.saturating_sub(1);
    *selected = match action {
        Action::Up => selected.saturating_sub(1),
        Action::Down => (*selected + 1).min(last),
        Action::PageUp => selected.saturating_sub(10),
        Action::PageDown => (*selected + 10).min(last),
        Action::Home => 0,
        Action::End => last,
        _ => return false,
    };
    true
}

/// Keeps a selection within a list that may have shrunk.
pub fn clamp(selected: &mut usize, len: usize) {
    *selected = (*selected).min(len.saturating_sub(1));
}
