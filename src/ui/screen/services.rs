//! The first screen: the services, with their municipalities, cluster and rounds.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};

use crate::i18n::{Lang, tr};
use crate::messages::Erasing;
use crate::store::Answers;
use crate::store::ServiceSummary;
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, FormPurpose, Open, Outcome, clamp, move_selection};
use crate::ui::widgets::{ListTable, Look};

pub struct ServiceList {
    pub rows: Vec<ServiceSummary>,
    pub selected: usize,
    /// The erasure the status line asks about, until it is answered.
    pub erasing: Option<Erasing>,
}

impl ServiceList {
    /// Every service; none where the database cannot be read (the status line says why).
    pub fn open(ctx: &mut Ctx) -> ServiceList {
        let rows = ctx.load(|s| s.services()).unwrap_or_default();
        ServiceList {
            rows,
            selected: 0,
            erasing: None,
        }
    }
}

impl Component for ServiceList {
    fn mode(&self) -> Mode {
        if self.erasing.is_some() {
            return Mode::ConfirmErase;
        }
        Mode::Services
    }

    fn crumb(&self, lang: Lang) -> String {
        tr(lang, "services.title").to_string()
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
        let selected = self.rows.get(self.selected).map(|r| r.service.clone());
        let open = match (action, selected) {
            (Action::New, _) => Open::Form(FormPurpose::NewService),
            (Action::Edit, Some(service)) => Open::Form(FormPurpose::EditService(service)),
            (Action::Open, Some(service)) => Open::Rounds(service),
            (Action::Overview, Some(service)) => Open::Cluster(service.cluster),
            (Action::Year, Some(service)) => Open::ClusterYear(service.cluster),
            (Action::Erase, Some(service)) => {
                self.erasing = ctx.ask_erase(Erasing::service(ctx.lang, &service));
                return Outcome::Stay;
            }
            _ => return Outcome::Stay,
        };
        Outcome::Open(open)
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_services(look, self, frame, area);
    }

    fn refresh(&mut self, ctx: &mut Ctx) {
        if let Some(rows) = ctx.load(|s| s.services()) {
            self.rows = rows;
            clamp(&mut self.selected, self.rows.len());
        }
    }
}

fn draw_services(look: &Look, list: &ServiceList, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let rows = list
        .rows
        .iter()
        .map(|r| {
            vec![
                r.service.name.clone(),
                r.service.municipalities.join(", "),
                r.service.cluster.clone(),
                r.rounds.to_string(),
            ]
        })
        .collect();
    ListTable {
        title: tr(lang, "services.title").to_string(),
        header: vec![
            tr(lang, "services.name"),
            tr(lang, "services.municipalities"),
            tr(lang, "services.cluster"),
            tr(lang, "services.rounds"),
        ],
        widths: vec![
            Constraint::Fill(4),
            Constraint::Fill(2),
            Constraint::Fill(2),
            Constraint::Length(6),
        ],
        rows,
        selected: list.selected,
        empty_hint: tr(lang, "services.empty"),
    }
    .draw(frame, area);
}
