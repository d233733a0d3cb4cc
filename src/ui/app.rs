//! The router: the stack of screens, the store, the status line and the help they share.
//! `update` hands an action to the screen on top (or to the question about a kept comment)
//! and does what it asks for (`Outcome`): open a screen, go back, say a form was saved. A
//! busy database, a terminal too small, quitting and stopping are handled here, for every
//! screen alike. The frame around the screens is drawn in `view`, the keys are in `keys`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Local, Utc};

use super::action::{Action, Mode};
use super::context::{Clock, Component, Ctx, Open, Outcome, move_selection};
use super::screen::cluster::ClusterView;
use super::screen::cluster_year::ClusterYearView;
use super::screen::code::CodeEntry;
use super::screen::compare::CompareView;
use super::screen::form::FormScreen;
use super::screen::gathering::GatheringView;
use super::screen::goals::GoalsView;
use super::screen::needs::NeedsView;
use super::screen::plan::PlanView;
use super::screen::positions::PositionsView;
use super::screen::recover::{self, Recovered};
use super::screen::respondents::RespondentList;
use super::screen::review::ReviewView;
use super::screen::roles::RolesView;
use super::screen::rounds::RoundList;
use super::screen::services::ServiceList;
use super::screen::summary::SummaryView;
use super::screen::trend::TrendView;
use super::screen::walk::Walk;
use super::status::{Status, StatusKind};
use super::widgets::{Look, MIN_HEIGHT, MIN_WIDTH, Theme};
use crate::domain::instrument::Instrument;
use crate::domain::model::Respondent;
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::store::{Admin, BusyWait, Held, Invites, Sharing, Store, StoreError};
use crate::usecase::invites::Claimed;

/// Declares the screens the router stacks, once: the enum, and each as a component.
macro_rules! screens {
    ($($variant:ident($screen:ty)),* $(,)?) => {
        /// A screen on the stack.
        pub enum Screen {
            $($variant($screen)),*
        }

        impl Screen {
            /// The screen as what it answers: its keys, its update and its drawing.
            pub fn component(&self) -> &dyn Component {
                match self {
                    $(Screen::$variant(screen) => screen),*
                }
            }

            fn component_mut(&mut self) -> &mut dyn Component {
                match self {
                    $(Screen::$variant(screen) => screen),*
                }
            }
        }
    };
}

screens! {
    Services(ServiceList),
    Rounds(RoundList),
    Respondents(RespondentList),
    Form(FormScreen),
    Walk(Walk),
    Summary(SummaryView),
    Compare(CompareView),
    Trend(TrendView),
    Cluster(ClusterView),
    ClusterYear(ClusterYearView),
    Gathering(GatheringView),
    Roles(RolesView),
    Plan(PlanView),
    Goals(GoalsView),
    Positions(PositionsView),
    Review(ReviewView),
    Needs(NeedsView),
    Code(CodeEntry),
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
    /// The program ended itself, with this to say (too many wrong codes).
    Ended(String),
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
    /// The terminal's size (columns, rows) as asked before the event in hand; `None` until
    /// asked.
    pub size: Option<(u16, u16)>,
    /// The size the last frame was drawn at: what the user sees. Keys read now may have been
    /// typed while that frame stood, whatever the size is now.
    pub shown_size: Option<(u16, u16)>,
    /// When the first frame at full size after one that said "too small" was shown
    /// (`shown`): until it has stood `SIZE_SETTLES`, keys wait.
    pub shown_again_at: Option<Instant>,
    /// Keys came while the terminal was too small, and the user has not been told yet that
    /// they did nothing.
    keys_waited: bool,
    /// Comments kept in recovery files, still to be asked about, the one asked first.
    pub recovered: Vec<Recovered>,
    /// On a database opened for reading only, what the status line says whenever it has
    /// nothing else to say.
    pub reading_only: Option<Status>,
    /// Answering alone by code (`kartlegg answer`): only that respondent's walk and own
    /// summary open, and leaving the walk ends the program.
    pub alone: bool,
    /// What to say once the terminal is given back, when the program ended itself.
    pub farewell: Option<String>,
}

/// How long the screen must have stood at full size again, after a frame that said "too
/// small", before keys act: keys typed while the window was small can be read only after it
/// has grown again and been drawn.
pub const SIZE_SETTLES: Duration = Duration::from_millis(300);

impl App {
    pub fn new(store: Store, instrument: &'static Instrument, lang: Lang, clock: Clock) -> App {
        let mut app = App::bare(store, instrument, lang, clock);
        // A comment of a respondent who answers by code is theirs alone: it is asked about
        // when they come back (`answering`), never here.
        app.recovered = app.kept_comments(|store, respondent| {
            respondent.is_none_or(|respondent| {
                store
                    .code_respondents(&respondent.round_id)
                    .is_ok_and(|by_code| !by_code.contains(&respondent.id))
            })
        });
        let (_, mut ctx) = app.parts();
        let services = ServiceList::open(&mut ctx);
        app.stack.push(Screen::Services(services));
        app
    }

    /// The program for one respondent answering alone: their walk, when the code was given
    /// on the command line, or else the screen that asks for it. Comments kept from other
    /// respondents' stopped walks are not asked about here: they are not this person's.
    pub fn answering(
        store: Store,
        instrument: &'static Instrument,
        lang: Lang,
        clock: Clock,
        claimed: Option<Claimed>,
    ) -> App {
        let mut app = App::bare(store, instrument, lang, clock);
        app.alone = true;
        match claimed {
            Some(Claimed {
                service,
                round,
                respondent,
            }) => app.open(Open::Walk(service, round, respondent)),
            None => app.stack.push(Screen::Code(CodeEntry::default())),
        }
        if app.stack.is_empty() {
            // The walk could not be loaded; the status line says why.
            app.stack.push(Screen::Code(CodeEntry::default()));
        }
        app
    }

    /// The comments kept in recovery files when kartlegg was stopped, of the respondents
    /// `asked` lets through (`None`: a respondent the database does not have).
    fn kept_comments(&self, asked: impl Fn(&Store, Option<&Respondent>) -> bool) -> Vec<Recovered> {
        self.store
            .unsaved()
            .into_iter()
            .map(|r| Recovered::new(&self.store, r))
            .filter(|r| asked(&self.store, r.place.as_ref().map(|(_, _, who)| who)))
            .collect()
    }

    /// The router with no screen yet, its store ready for the screens.
    fn bare(store: Store, instrument: &'static Instrument, lang: Lang, clock: Clock) -> App {
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
            shown_size: None,
            shown_again_at: None,
            keys_waited: false,
            recovered: Vec::new(),
            reading_only: None,
            alone: false,
            farewell: None,
        };
        if app.store.reading_only() {
            let path = app.store.path().display().to_string();
            app.reading_only = Some(Status {
                kind: StatusKind::Warning,
                text: trf(lang, "share.reading_only", &[("path", &path)]),
            });
        }
        if let Err(e) = app.store.set_busy_wait(BusyWait::SCREEN) {
            app.error(&e);
        }
        app.store.check_in_background();
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
        match self.screen().component().mode() {
            // Answering alone, nothing opens from the summary and nothing lies beneath the
            // walk: their keys say so.
            Mode::Summary if self.alone => Mode::OwnSummary,
            Mode::Walk if self.alone => Mode::OwnWalk,
            mode => mode,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub fn local(&self, time: DateTime<Utc>) -> DateTime<FixedOffset> {
        time.with_timezone(&self.utc_offset)
    }

    fn info(&mut self, kind: StatusKind, text: String) {
        self.status = Some(Status { kind, text });
    }

    fn error(&mut self, error: &StoreError) {
        let text = error.message(self.lang);
        self.info(StatusKind::Error, text);
    }

    /// Whether the terminal is below the smallest size the screens are drawn at: as last
    /// told, or as the last frame showed it (then the user saw "too small" whatever the
    /// events say yet), or the screen has only just come back (`SIZE_SETTLES`).
    pub fn too_small(&self) -> bool {
        let below = |(w, h): (u16, u16)| w < MIN_WIDTH || h < MIN_HEIGHT;
        [self.size, self.shown_size]
            .into_iter()
            .flatten()
            .any(below)
            || self
                .shown_again_at
                .is_some_and(|at| at.elapsed() < SIZE_SETTLES)
    }

    /// The size a frame was just drawn at.
    pub fn shown(&mut self, width: u16, height: u16) {
        let small = |(w, h): (u16, u16)| w < MIN_WIDTH || h < MIN_HEIGHT;
        if self.shown_size.is_some_and(small) && !small((width, height)) {
            self.shown_again_at = Some(Instant::now());
        }
        self.shown_size = Some((width, height));
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
        if self.too_small() {
            if !matches!(action, Action::Quit | Action::ToggleHelp | Action::Tick) {
                self.keys_waited = true;
                return None;
            }
        } else if action != Action::Tick {
            // The user has typed on: the keys that waited are behind them.
            self.keys_waited = false;
        } else if self.keys_waited && self.waiting.is_none() {
            // Said once the screen is back, so that no key seems lost without a word; a held
            // write's retry would clear it at once, so it waits for that.
            self.keys_waited = false;
            let text = tr(self.lang, "ui.keys_waited").to_string();
            self.info(StatusKind::Info, text);
        }
        let action = match (self.waiting.take(), action) {
            (Some(waiting), Action::Tick) => waiting,
            (None, Action::Tick) => {
                self.hear_health();
                self.hear_news();
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
                Held::Unreachable => tr(self.lang, "busy.server_unreachable").to_string(),
            };
            self.info(StatusKind::Warning, text);
            return None;
        }
        next
    }

    /// Live during a gathering: what another program committed is shown without a key
    /// press, on the screens that only show (lists, the overview, a comparison, a gathering);
    /// a walk, a form or an open comment is never read again under the user's hands.
    fn hear_news(&mut self) {
        let live = matches!(
            self.mode(),
            Mode::Services
                | Mode::Rounds
                | Mode::Respondents
                | Mode::Compare
                | Mode::Cluster
                | Mode::ClusterNeeds
                | Mode::ClusterYear
                | Mode::Gathering
        );
        // Asked on every screen, so that news from before a walk is not told after it.
        if self.store.news() && live {
            self.refresh();
        }
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
        if !self.recovered.is_empty() {
            // The question about a kept comment stands over the first screen.
            let mut kept = std::mem::take(&mut self.recovered);
            let (_, mut ctx) = self.parts();
            recover::update(&mut kept, action, &mut ctx);
            self.recovered = kept;
            if self.alone {
                // Beneath the question stands the walk, whose comment may just have come back.
                self.refresh();
            }
            return None;
        }
        if self.store.reading_only() && super::keys::writes(self.mode(), &action) {
            let error = StoreError::ReadingOnly {
                path: self.store.path().to_path_buf(),
            };
            self.error(&error);
            return None;
        }
        let (top, mut ctx) = self.parts();
        if let Some(screen) = top {
            let outcome = screen.component_mut().update(action, &mut ctx);
            self.follow(outcome);
        }
        None
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
                Held::Unreachable => "wip.stopping_unreachable",
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
            Outcome::End(text) => {
                self.farewell = Some(text);
                self.should_quit = true;
            }
        }
    }

    /// Opens a screen on top, or says in the status line why it cannot open. Answering
    /// alone, only the respondent's walk (which takes the place of the code screen) and
    /// their own summary open.
    fn open(&mut self, open: Open) {
        if self.alone && !matches!(open, Open::Walk(..) | Open::RespondentSummary { .. }) {
            let text = tr(self.lang, "answer.not_here").to_string();
            self.info(StatusKind::Info, text);
            return;
        }
        let replaces = self.alone && matches!(open, Open::Walk(..));
        let (_, mut ctx) = self.parts();
        let ctx = &mut ctx;
        let screen = match open {
            Open::Rounds(service) => RoundList::open(ctx, service).map(Screen::Rounds),
            Open::Respondents(service, round) => {
                RespondentList::open(ctx, service, round).map(Screen::Respondents)
            }
            Open::Walk(service, round, respondent) => {
                Walk::open(ctx, service, round, respondent).map(Screen::Walk)
            }
            Open::RoundSummary(service, round) => {
                SummaryView::of_round(ctx, service, round).map(Screen::Summary)
            }
            Open::RespondentSummary {
                heading,
                service,
                round,
                scores,
            } => Some(Screen::Summary(SummaryView::of_respondent(
                ctx, heading, service, round, scores,
            ))),
            Open::Compare(service, round) => {
                CompareView::open(ctx, service, round).map(Screen::Compare)
            }
            Open::Trend(service) => TrendView::open(ctx, service).map(Screen::Trend),
            Open::Cluster(cluster) => ClusterView::open(ctx, cluster).map(Screen::Cluster),
            Open::ClusterYear(cluster) => {
                ClusterYearView::open(ctx, cluster).map(Screen::ClusterYear)
            }
            Open::Gathering(cluster, gathering) => {
                GatheringView::open(ctx, cluster, gathering).map(Screen::Gathering)
            }
            Open::Roles(service, round) => RolesView::open(ctx, service, round).map(Screen::Roles),
            Open::Plan(service, key) => PlanView::open(ctx, service, key).map(Screen::Plan),
            Open::Goals(service) => GoalsView::open(ctx, service).map(Screen::Goals),
            Open::Positions(service, round) => {
                PositionsView::open(ctx, service, round).map(Screen::Positions)
            }
            Open::Review(service, round) => {
                ReviewView::open(ctx, service, round).map(Screen::Review)
            }
            Open::Needs(service, round) => NeedsView::open(ctx, service, round).map(Screen::Needs),
            Open::Form(purpose) => Some(Screen::Form(FormScreen::open(ctx, purpose))),
        };
        if let Some(screen) = screen {
            if replaces {
                self.stack.clear();
                // Only this respondent's own kept comments are asked about, over their walk.
                if let Screen::Walk(walk) = &screen {
                    let id = walk.respondent.id.clone();
                    self.recovered =
                        self.kept_comments(|_, respondent| respondent.is_some_and(|r| r.id == id));
                }
            }
            self.stack.push(screen);
        }
    }

    fn back(&mut self) {
        if self.alone && self.stack.len() == 1 {
            // Answering alone there is nothing beneath the walk to go back to.
            self.should_quit = true;
        } else if self.stack.len() > 1 {
            self.stack.pop();
            self.refresh();
        }
    }

    /// Reloads what the top screen shows, after something below or beside it changed.
    fn refresh(&mut self) {
        let (top, mut ctx) = self.parts();
        if let Some(screen) = top {
            screen.component_mut().refresh(&mut ctx);
        }
    }
}
