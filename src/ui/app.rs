//! The application state and `update`, the one place where state changes and the store is
//! written. Drawing lives in `view`, key mapping in `keys`.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, Local, Utc};

use super::action::{Action, Mode};
use super::context::{Clock, FormPurpose, input_error_text, move_selection};
use super::context::{Component, Ctx, Open, Outcome};
use super::form::{Field, Form};
use super::screen::cluster::ClusterView;
use super::screen::compare::CompareView;
use super::screen::gathering::GatheringView;
use super::screen::goals::GoalsView;
use super::screen::plan::PlanView;
use super::screen::respondents::RespondentList;
use super::screen::roles::RolesView;
use super::screen::rounds::RoundList;
use super::screen::services::ServiceList;
use super::screen::summary::SummaryView;
use super::screen::trend::TrendView;
use super::screen::walk::Walk;
use super::status::{Status, StatusKind};
use super::widgets::Look;
use super::widgets::{MIN_HEIGHT, MIN_WIDTH, Theme};
use crate::domain::instrument::Instrument;
use crate::domain::model::{
    NameField, Respondent, Role, Round, RoundKind, Service, validate_comment, validate_name,
    validate_round, validate_service,
};
use crate::domain::plan::PlanItem;
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::present::{kind_key, role_key};
use crate::store::recovery::Recovery;
use crate::store::{BusyWait, Held, Store, StoreError};

pub struct FormScreen {
    pub purpose: FormPurpose,
    pub form: Form,
}

pub enum Screen {
    Services(ServiceList),
    Rounds(RoundList),
    Respondents(RespondentList),
    Form(FormScreen),
    Walk(Walk),
    Summary(SummaryView),
    Compare(CompareView),
    Trend(TrendView),
    Cluster(ClusterView),
    Roles(RolesView),
    Plan(PlanView),
    Goals(GoalsView),
    Gathering(GatheringView),
}

/// A comment kept in a recovery file when kartlegg was stopped, as the first screen asks
/// about it.
pub struct Recovered {
    pub recovery: Recovery,
    /// Service, round and respondent, if the database has the respondent.
    pub place: Option<(Service, Round, Respondent)>,
    /// The comment the item has now, when it has one other than the kept one.
    pub replaces: Option<String>,
}

/// What became of the comment open in the editor when the program was stopped from
/// outside (`App::stop`).
#[derive(Debug)]
pub enum Stopped {
    /// None was open, or it is saved.
    Clean,
    /// It could not be saved in time; it is kept in this recovery file.
    Kept(PathBuf),
    /// It could neither be saved nor kept: the text, and why not.
    Lost { comment: String, error: StoreError },
}

impl Screen {
    /// The screen as a component, for those that are one.
    pub fn component(&self) -> Option<&dyn Component> {
        match self {
            Screen::Services(s) => Some(s),
            Screen::Rounds(s) => Some(s),
            Screen::Respondents(s) => Some(s),
            Screen::Summary(s) => Some(s),
            Screen::Walk(s) => Some(s),
            Screen::Compare(s) => Some(s),
            Screen::Trend(s) => Some(s),
            Screen::Cluster(s) => Some(s),
            Screen::Roles(s) => Some(s),
            Screen::Plan(s) => Some(s),
            Screen::Goals(s) => Some(s),
            Screen::Gathering(s) => Some(s),
            _ => None,
        }
    }

    fn component_mut(&mut self) -> Option<&mut dyn Component> {
        match self {
            Screen::Services(s) => Some(s),
            Screen::Rounds(s) => Some(s),
            Screen::Respondents(s) => Some(s),
            Screen::Summary(s) => Some(s),
            Screen::Walk(s) => Some(s),
            Screen::Compare(s) => Some(s),
            Screen::Trend(s) => Some(s),
            Screen::Cluster(s) => Some(s),
            Screen::Roles(s) => Some(s),
            Screen::Plan(s) => Some(s),
            Screen::Goals(s) => Some(s),
            Screen::Gathering(s) => Some(s),
            _ => None,
        }
    }
}

pub struct App {
    pub store: Store,
    pub instrument: &'static Instrument,
    pub lang: Lang,
    pub clock: Clock,
    pub stack: Vec<Screen>,
    pub status: Option<Status>,
    pub help_open: bool,
    /// How far the help is scrolled down, in lines.
    pub help_offset: u16,
    pub should_quit: bool,
    /// An action whose write found the database busy (another kartlegg writing), to be
    /// tried again; nothing of it is saved yet, and the status line says so.
    pub waiting: Option<Action>,
    pub theme: Theme,
    /// The user's offset from UTC, fixed at start so tests draw the same on every machine.
    pub utc_offset: FixedOffset,
    /// The terminal's size as last told (columns, rows); `None` until told.
    pub size: Option<(u16, u16)>,
    /// Comments kept in recovery files, still to be asked about, the one asked first.
    pub recovered: Vec<Recovered>,
}

impl App {
    pub fn new(store: Store, instrument: &'static Instrument, lang: Lang, clock: Clock) -> App {
        let mut app = App {
            store,
            instrument,
            lang,
            clock,
            stack: Vec::new(),
            status: None,
            help_open: false,
            help_offset: 0,
            should_quit: false,
            waiting: None,
            theme: Theme { color: true },
            utc_offset: *Local::now().offset(),
            size: None,
            recovered: Vec::new(),
        };
        if let Err(e) = app.store.set_busy_wait(BusyWait::SCREEN) {
            app.error(&e);
        }
        app.store.check_in_background();
        app.recovered = app
            .store
            .unsaved()
            .into_iter()
            .map(|r| app.recovered(r))
            .collect();
        let (_, mut ctx) = app.parts();
        let services = ServiceList::open(&mut ctx);
        app.stack.push(Screen::Services(services));
        app
    }

    pub fn screen(&self) -> &Screen {
        self.stack.last().expect("the service list is never popped")
    }

    pub fn mode(&self) -> Mode {
        if self.help_open {
            Mode::Help
        } else {
            self.screen_mode()
        }
    }

    /// The mode of the screen itself, beneath any help shown over it.
    pub fn screen_mode(&self) -> Mode {
        if !self.recovered.is_empty() {
            return Mode::Recover;
        }
        match self.screen() {
            Screen::Form(_) => Mode::Form,
            screen => screen.component().map_or(Mode::Services, |c| c.mode()),
        }
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub fn local(&self, time: DateTime<Utc>) -> DateTime<FixedOffset> {
        time.with_timezone(&self.utc_offset)
    }

    pub(super) fn info(&mut self, kind: StatusKind, text: String) {
        self.status = Some(Status { kind, text });
    }

    pub(super) fn error(&mut self, error: &StoreError) {
        let text = error.message(self.lang);
        self.info(StatusKind::Error, text);
    }

    /// Whether the terminal is below the smallest size the screens are drawn at.
    pub fn too_small(&self) -> bool {
        self.size
            .is_some_and(|(w, h)| w < MIN_WIDTH || h < MIN_HEIGHT)
    }

    /// Handles one action; returns a follow-up action, if any.
    ///
    /// A write that finds the database busy changes nothing; its action waits in
    /// `waiting` and is tried again on `Action::Tick`. Meanwhile other keys are ignored,
    /// except quitting.
    ///
    /// While the terminal is too small to show the screen, nothing that changes it or the
    /// database acts: the user cannot see what a key would do. Quitting and help still work.
    pub fn update(&mut self, action: Action) -> Option<Action> {
        if let Action::Resize(width, height) = action {
            self.size = Some((width, height));
            return None;
        }
        if self.too_small() && !matches!(action, Action::Quit | Action::ToggleHelp | Action::Tick) {
            return None;
        }
        let action = match (self.waiting.take(), action) {
            (Some(waiting), Action::Tick) => waiting,
            (None, Action::Tick) => {
                self.hear_health();
                return None;
            }
            (_, Action::Quit) => Action::Quit,
            (Some(waiting), _) => {
                self.waiting = Some(waiting);
                return None;
            }
            (None, action) => action,
        };
        let again = action.clone();
        let next = self.handle(action);
        if let Some(held) = self.store.take_held() {
            self.waiting = Some(again);
            let text = match held {
                Held::Busy => tr(self.lang, "busy.waiting").to_string(),
                Held::Checking => tr(self.lang, "health.writes_wait").to_string(),
            };
            self.info(StatusKind::Warning, text);
            return None;
        }
        next
    }

    /// A large database is checked apart as the program starts (`Store::check_in_background`):
    /// a damage is said as soon as it is found, before any write is tried.
    fn hear_health(&mut self) {
        if let Some(Err(e)) = self.store.health_news() {
            self.error(&e);
        }
    }

    fn handle(&mut self, action: Action) -> Option<Action> {
        if action == Action::Quit {
            self.quit();
            return None;
        }
        if action == Action::ToggleHelp {
            self.help_open = !self.help_open;
            self.help_offset = 0;
            return None;
        }
        if self.help_open {
            let mut offset = usize::from(self.help_offset);
            move_selection(&mut offset, usize::from(u16::MAX), &action);
            self.help_offset = offset.min(200) as u16;
            return None;
        }
        if !matches!(action, Action::Type(_) | Action::Paste(_)) && self.mode() != Mode::Comment {
            self.status = None;
        }
        if self.recovered.is_empty() {
            let (top, mut ctx) = self.parts();
            if let Some(component) = top.and_then(Screen::component_mut) {
                let outcome = component.update(action, &mut ctx);
                self.follow(outcome);
                return None;
            }
        }
        match self.mode() {
            Mode::Form => self.update_form(action),
            Mode::Recover => self.update_recover(action),
            _ => None,
        }
    }

    /// Leaves the program, saving a comment still open in the editor (also under the help).
    pub fn quit(&mut self) {
        if self.screen_mode() == Mode::Comment && !self.close_comment() {
            return;
        }
        self.should_quit = true;
    }

    /// The program is asked to stop from outside (a signal, a terminal that went away). A
    /// comment still open is saved, first at once, then, if another kartlegg holds the
    /// database, after `waiting` was called (the screen says so) within `BusyWait::STOPPING`.
    /// One that cannot be saved is kept in a recovery file beside the database.
    pub fn stop(&mut self, waiting: impl FnOnce(&App)) -> Stopped {
        self.should_quit = true;
        if self.editor_text().is_none() {
            return Stopped::Clean;
        }
        let mut saved = self.try_close_comment(BusyWait::AT_ONCE);
        if let (false, Some(held)) = (saved, self.store.take_held()) {
            let seconds = BusyWait::STOPPING.patience.as_secs() as usize;
            let waits = match held {
                Held::Busy => "wip.stopping_waits",
                Held::Checking => "wip.stopping_checks",
            };
            let text = trf(
                self.lang,
                waits,
                &[(
                    "seconds",
                    &present::count(self.lang, "wip.noun.second", seconds),
                )],
            );
            self.info(StatusKind::Warning, text);
            waiting(self);
            saved = self.try_close_comment(BusyWait::STOPPING);
        }
        self.store.take_held();
        if saved {
            return Stopped::Clean;
        }
        let Some((respondent, key, comment)) = self.editor_text() else {
            return Stopped::Clean;
        };
        match self
            .store
            .keep_unsaved(&respondent, &key, &comment, self.now())
        {
            Ok(path) => Stopped::Kept(path),
            Err(error) => Stopped::Lost { comment, error },
        }
    }

    /// `close_comment`, waiting for another kartlegg as `wait` says.
    fn try_close_comment(&mut self, wait: BusyWait) -> bool {
        if self.store.set_busy_wait(wait).is_err() {
            return false;
        }
        let closed = self.close_comment();
        let _ = self.store.set_busy_wait(BusyWait::SCREEN);
        closed
    }

    /// The comment open in the walk's editor, if its text differs from the one saved.
    fn editor_text(&self) -> Option<(String, String, String)> {
        match self.stack.last() {
            Some(Screen::Walk(walk)) => walk.editor_text(self.instrument),
            _ => None,
        }
    }

    /// Saves the walk's comment and closes the editor; false when it stays open.
    fn close_comment(&mut self) -> bool {
        match self.parts() {
            (Some(Screen::Walk(walk)), mut ctx) => walk.close_comment(&mut ctx),
            _ => true,
        }
    }

    /// The screen on top, and what it may use beside itself.
    fn parts(&mut self) -> (Option<&mut Screen>, Ctx<'_>) {
        let ctx = Ctx {
            store: &mut self.store,
            instrument: self.instrument,
            lang: self.lang,
            clock: &self.clock,
            utc_offset: self.utc_offset,
            status: &mut self.status,
        };
        (self.stack.last_mut(), ctx)
    }

    /// What drawing reads beside the screens' state.
    pub fn look(&self) -> Look {
        Look {
            lang: self.lang,
            theme: self.theme,
            instrument: self.instrument,
            utc_offset: self.utc_offset,
            today: self.local(self.now()).date_naive(),
        }
    }

    /// Does what a screen asked for.
    fn follow(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Stay => {}
            Outcome::Back => self.back(),
            Outcome::Open(open) => self.open(open),
            Outcome::Saved { next, text } => {
                self.back();
                if let Some(next) = next {
                    self.open(next);
                }
                self.info(StatusKind::Saved, text);
            }
        }
    }

    /// Opens a screen on top, or says in the status line why it cannot open.
    fn open(&mut self, open: Open) {
        let screen = match open {
            Open::Trend(service) => {
                let (_, mut ctx) = self.parts();
                TrendView::open(&mut ctx, service).map(Screen::Trend)
            }
            Open::Rounds(service) => {
                let (_, mut ctx) = self.parts();
                RoundList::open(&mut ctx, service).map(Screen::Rounds)
            }
            Open::Respondents(service, round) => {
                let (_, mut ctx) = self.parts();
                RespondentList::open(&mut ctx, service, round).map(Screen::Respondents)
            }
            Open::Walk(service, round, respondent) => {
                let (_, mut ctx) = self.parts();
                Walk::open(&mut ctx, service, round, respondent).map(Screen::Walk)
            }
            Open::RoundSummary(service, round) => {
                let (_, mut ctx) = self.parts();
                SummaryView::of_round(&mut ctx, service, round).map(Screen::Summary)
            }
            Open::RespondentSummary {
                heading,
                service,
                round,
                scores,
            } => {
                let (_, mut ctx) = self.parts();
                let view = SummaryView::of_respondent(&mut ctx, heading, service, round, scores);
                Some(Screen::Summary(view))
            }
            Open::Compare(service, round) => {
                let (_, mut ctx) = self.parts();
                CompareView::open(&mut ctx, service, round).map(Screen::Compare)
            }
            Open::Cluster(cluster) => {
                let (_, mut ctx) = self.parts();
                ClusterView::open(&mut ctx, cluster).map(Screen::Cluster)
            }
            Open::Roles(service, round) => {
                let (_, mut ctx) = self.parts();
                RolesView::open(&mut ctx, service, round).map(Screen::Roles)
            }
            Open::Plan(service, key) => {
                let (_, mut ctx) = self.parts();
                PlanView::open(&mut ctx, service, key).map(Screen::Plan)
            }
            Open::Goals(service) => {
                let (_, mut ctx) = self.parts();
                GoalsView::open(&mut ctx, service).map(Screen::Goals)
            }
            Open::Gathering(service, round) => {
                let (_, mut ctx) = self.parts();
                GatheringView::open(&mut ctx, service, round).map(Screen::Gathering)
            }
            Open::Form(purpose) => return self.open_form(purpose),
        };
        if let Some(screen) = screen {
            self.stack.push(screen);
        }
    }

    pub(super) fn back(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
            self.refresh();
        }
    }

    /// Reloads what the top screen shows, after something below or beside it changed.
    fn refresh(&mut self) {
        let (top, mut ctx) = self.parts();
        if let Some(component) = top.and_then(Screen::component_mut) {
            component.refresh(&mut ctx);
        }
    }

    // ---- forms ----

    pub(super) fn open_form(&mut self, purpose: FormPurpose) {
        let today = present::date(self.lang, self.local(self.now()).date_naive());
        let lang = self.lang;
        let names = |keys: &[&str]| keys.iter().map(|k| tr(lang, k).to_string()).collect();
        let kinds = RoundKind::ALL.map(kind_key);
        let fields = match &purpose {
            FormPurpose::NewService => service_fields("", "", ""),
            FormPurpose::EditService(s) => {
                service_fields(&s.name, &s.municipalities.join(", "), &s.cluster)
            }
            FormPurpose::NewRound(_) => vec![
                Field::text("form.round_label", Some("form.round_label_hint"), ""),
                Field::text("form.round_date", Some("form.round_date_hint"), &today),
                Field::choice("form.round_kind", names(&kinds), 0),
            ],
            FormPurpose::NewPlanItem(_, _, kind) => self.plan_fields(*kind, None),
            FormPurpose::EditPlanItem(item) => self.plan_fields(item.kind, Some(item)),
            FormPurpose::NewGoal(_) => {
                let (labels, _) = self.subdomain_choices();
                vec![
                    Field::text("goals.text", None, ""),
                    Field::choice("goals.subdomain", labels, 0),
                ]
            }
            FormPurpose::RoundStage(_, round) => self.stage_fields(round),
            FormPurpose::NewRespondent(..) => vec![
                Field::choice("form.role", names(&Role::ALL.map(role_key)), 0),
                Field::text("form.code", Some("form.code_hint"), ""),
            ],
        };
        self.stack.push(Screen::Form(FormScreen {
            purpose,
            form: Form::new(fields),
        }));
    }

    fn update_form(&mut self, action: Action) -> Option<Action> {
        let Some(Screen::Form(screen)) = self.stack.last_mut() else {
            return None;
        };
        let form = &mut screen.form;
        let was_confirming = std::mem::take(&mut form.confirm_discard);
        match action {
            // In a list, Esc first empties what was typed to filter it.
            Action::Back if form.clear_filter() => {}
            Action::Back if form.is_dirty() && !was_confirming => {
                form.confirm_discard = true;
                let text = tr(self.lang, "form.confirm_discard").to_string();
                self.info(StatusKind::Info, text);
            }
            Action::Back => self.back(),
            Action::NextField => form.focus_next(1),
            Action::PrevField => form.focus_next(-1),
            // ↑↓ move in a list, and between the fields elsewhere.
            Action::Down if !form.vertical(true) => form.focus_next(1),
            Action::Up if !form.vertical(false) => form.focus_next(-1),
            Action::Left => form.horizontal(false),
            Action::Right => form.horizontal(true),
            Action::Type(key) => form.type_key(key),
            Action::Paste(text) => form.paste(&text),
            Action::Submit => self.submit_form(),
            _ => {}
        }
        None
    }

    fn submit_form(&mut self) {
        if self.submit_plan_form() {
            return;
        }
        let now = self.now();
        let lang = self.lang;
        let instrument = self.instrument;
        let Some(Screen::Form(screen)) = self.stack.last() else {
            return;
        };
        let form = &screen.form;
        enum Next {
            Rounds(Service),
            Respondents(Service, Round),
            Walk(Service, Round, Respondent),
            Back,
        }
        let outcome: Result<(Next, String), (usize, String)> = match &screen.purpose {
            FormPurpose::NewService | FormPurpose::EditService(_) => {
                match validate_service(&form.value(0), &form.value(1), &form.value(2)) {
                    Err(e) => Err((input_error_field(&e), input_error_text(lang, &e))),
                    Ok((name, municipalities, cluster)) => {
                        if let FormPurpose::EditService(old) = &screen.purpose {
                            let service = Service {
                                id: old.id.clone(),
                                name,
                                municipalities,
                                cluster,
                            };
                            self.store
                                .update_service(&service, now)
                                .map(|()| {
                                    (
                                        Next::Back,
                                        trf(
                                            lang,
                                            "status.service_saved",
                                            &[("name", &service.name)],
                                        ),
                                    )
                                })
                                .map_err(|e| (0, e.message(lang)))
                        } else {
                            self.store
                                .create_service(&name, &municipalities, &cluster, now)
                                .map(|s| {
                                    let text =
                                        trf(lang, "status.service_saved", &[("name", &s.name)]);
                                    (Next::Rounds(s), text)
                                })
                                .map_err(|e| (0, e.message(lang)))
                        }
                    }
                }
            }
            FormPurpose::NewRound(service) => {
                match validate_round(&form.value(0), &form.value(1)) {
                    Err(e) => Err((input_error_field(&e), input_error_text(lang, &e))),
                    Ok((label, date)) => {
                        let kind = RoundKind::ALL[form.selected(2)];
                        self.store
                            .create_round(&service.id, &label, date, kind, instrument, now)
                            .map(|round| {
                                let text =
                                    trf(lang, "status.round_saved", &[("label", &round.label)]);
                                (Next::Respondents(service.clone(), round), text)
                            })
                            .map_err(|e| (0, e.message(lang)))
                    }
                }
            }
            FormPurpose::NewPlanItem(..)
            | FormPurpose::EditPlanItem(_)
            | FormPurpose::NewGoal(_)
            | FormPurpose::RoundStage(..) => return,
            FormPurpose::NewRespondent(service, round) => {
                let role = Role::ALL[form.selected(0)];
                match validate_name(NameField::Code, &form.value(1)) {
                    Err(e) => Err((1, input_error_text(lang, &e))),
                    Ok(code) => self
                        .store
                        .create_respondent(&round.id, role, &code, now)
                        .map(|respondent| {
                            let text = tr(lang, "status.respondent_saved").to_string();
                            (Next::Walk(service.clone(), round.clone(), respondent), text)
                        })
                        .map_err(|e| (1, e.message(lang))),
                }
            }
        };
        match outcome {
            Err((field, message)) => {
                if let Some(Screen::Form(screen)) = self.stack.last_mut() {
                    screen.form.focus = field;
                    screen.form.error = Some(message.clone());
                }
                self.info(StatusKind::Error, message);
            }
            Ok((next, message)) => {
                self.back();
                match next {
                    Next::Back => {}
                    Next::Rounds(service) => self.open(Open::Rounds(service)),
                    Next::Respondents(service, round) => {
                        self.open(Open::Respondents(service, round))
                    }
                    Next::Walk(service, round, respondent) => {
                        self.open(Open::Walk(service, round, respondent))
                    }
                }
                self.info(StatusKind::Saved, message);
            }
        }
    }

    /// Saves the plan, goal and stage forms; false when the form is another kind.
    fn submit_plan_form(&mut self) -> bool {
        let Some(Screen::Form(screen)) = self.stack.pop() else {
            return false;
        };
        let outcome = match &screen.purpose {
            FormPurpose::NewPlanItem(service, subdomain_key, kind) => {
                let base = PlanItem {
                    id: String::new(),
                    service_id: service.id.clone(),
                    subdomain_key: subdomain_key.clone(),
                    kind: *kind,
                    text: String::new(),
                    level: None,
                    owner: String::new(),
                    due_on: None,
                    done: false,
                    done_on: None,
                };
                self.submit_plan_item(&screen.form, base, false)
            }
            FormPurpose::EditPlanItem(item) => {
                self.submit_plan_item(&screen.form, item.clone(), true)
            }
            FormPurpose::NewGoal(service) => self.submit_goal(&screen.form, service),
            FormPurpose::RoundStage(_, round) => self.submit_stage(&screen.form, round),
            _ => {
                self.stack.push(Screen::Form(screen));
                return false;
            }
        };
        match outcome {
            Ok(message) => {
                self.refresh();
                self.info(StatusKind::Saved, message);
            }
            Err((field, message)) => {
                let mut screen = screen;
                screen.form.focus = field;
                screen.form.error = Some(message.clone());
                self.stack.push(Screen::Form(screen));
                self.info(StatusKind::Error, message);
            }
        }
        true
    }

    // ---- a comment kept when kartlegg was stopped ----

    /// A recovery file with what the question about it shows.
    fn recovered(&self, recovery: Recovery) -> Recovered {
        let unsaved = &recovery.unsaved;
        let place = (|| {
            let respondent = self.store.respondent(&unsaved.respondent_id).ok()??;
            let round = self.store.round(&respondent.round_id).ok()?;
            let service = self.store.service(&round.service_id).ok()?;
            Some((service, round, respondent))
        })();
        let replaces = place.as_ref().and_then(|(_, _, respondent)| {
            let answers = self.store.answers(&respondent.id).ok()?;
            let now = answers
                .get(&unsaved.item_key)?
                .comment
                .trim_end()
                .to_string();
            (!now.is_empty() && now != unsaved.comment).then_some(now)
        });
        Recovered {
            recovery,
            place,
            replaces,
        }
    }

    /// Restores the kept comment asked about (Enter), gives it up (Del), or leaves the
    /// question for the next start (Esc).
    fn update_recover(&mut self, action: Action) -> Option<Action> {
        let recovery = self.recovered.first()?.recovery.clone();
        let now = self.now();
        let outcome = match action {
            Action::Confirm => {
                // Held to the limit the editor holds it to; too long, it can still be
                // discarded (or kept for later).
                if let Err(e) = validate_comment(&recovery.unsaved.comment) {
                    self.info(StatusKind::Error, input_error_text(self.lang, &e));
                    return None;
                }
                self.store.restore_unsaved(&recovery, now).map(|_| {
                    let time = self.local(now).format("%H:%M:%S");
                    trf(self.lang, "status.comment_saved", &[("time", &time)])
                })
            }
            Action::Clear => self
                .store
                .discard_unsaved(&recovery)
                .map(|()| tr(self.lang, "wip.discarded").to_string()),
            Action::Back => {
                self.recovered.clear();
                let text = tr(self.lang, "wip.asked_later").to_string();
                self.info(StatusKind::Info, text);
                return None;
            }
            _ => return None,
        };
        match outcome {
            Ok(text) => {
                self.recovered.remove(0);
                let kind = if action == Action::Confirm {
                    StatusKind::Saved
                } else {
                    StatusKind::Info
                };
                self.info(kind, text);
            }
            Err(e) => self.error(&e),
        }
        None
    }
}

fn service_fields(name: &str, municipalities: &str, cluster: &str) -> Vec<Field> {
    vec![
        Field::text("form.service_name", None, name),
        Field::text(
            "form.municipalities",
            Some("form.municipalities_hint"),
            municipalities,
        ),
        Field::text("form.cluster", Some("form.cluster_hint"), cluster),
    ]
}

fn input_error_field(error: &crate::domain::model::InputError) -> usize {
    use crate::domain::model::InputError::*;
    match error {
        EmptyName | EmptyLabel | EmptyText => 0,
        MunicipalityNumber(_) | Date(_) => 1,
        DirectionControl(field) | TooLong(field, _) => match field {
            NameField::Name | NameField::Label | NameField::Text | NameField::Comment => 0,
            NameField::Code | NameField::Owner => 1,
            NameField::Cluster => 2,
        },
    }
}
