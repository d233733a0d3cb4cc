//! A subdomain's plan: its barriers, strategies and measures, and marking a measure done.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::domain::model::Service;
use crate::domain::needs::{gaps, plannable};
use crate::domain::plan::{PlanItem, PlanKind};
use crate::i18n::plan_names::{level_key, plan_kind_key};
use crate::i18n::{Lang, tr, trf};
use crate::messages::Erasing;
use crate::store::{Needs, Plans};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, FormPurpose, NeedToPlan, Open, Outcome};
use crate::ui::status::StatusKind;
use crate::ui::widgets::measure_line;
use crate::ui::widgets::{BOLD, Look, SELECTED, block};

pub struct PlanView {
    pub service: Service,
    pub subdomain_key: String,
    pub items: Vec<PlanItem>,
    pub selected: usize,
    /// The erasure the status line asks about, until it is answered.
    pub erasing: Option<Erasing>,
}

impl PlanView {
    pub fn open(ctx: &mut Ctx, service: Service, subdomain_key: String) -> Option<PlanView> {
        let mut view = PlanView {
            service,
            subdomain_key,
            items: Vec::new(),
            selected: 0,
            erasing: None,
        };
        view.items = view.load(ctx)?;
        Some(view)
    }

    /// The form for a measure from the needs of the service's latest round that has any a
    /// plan can take up; a word on the status line where no round has.
    fn measure_from_need(&self, ctx: &mut Ctx) -> Outcome {
        let service_id = self.service.id.clone();
        let Some(areas) = ctx.load(|s| s.areas(&service_id)) else {
            return Outcome::Stay;
        };
        let Some(rounds) = ctx.rounds(&self.service) else {
            return Outcome::Stay;
        };
        for round in rounds.into_iter().rev() {
            let Some(needs) = ctx.load(|s| s.needs(&round.id)) else {
                return Outcome::Stay;
            };
            let gaps = gaps(&areas, &needs);
            let chosen: Vec<NeedToPlan> = plannable(&gaps)
                .into_iter()
                .map(|gap| NeedToPlan {
                    area_name: areas[gap.order].name.get(ctx.lang).to_string(),
                    gap: gap.gap,
                    missing: needs
                        .iter()
                        .find(|n| n.area_key == gap.area_key)
                        .map(|n| n.missing.clone())
                        .unwrap_or_default(),
                })
                .collect();
            if !chosen.is_empty() {
                return Outcome::Open(Open::Form(FormPurpose::MeasureFromNeed {
                    service: self.service.clone(),
                    subdomain_key: self.subdomain_key.clone(),
                    round,
                    needs: chosen,
                }));
            }
        }
        let text = tr(ctx.lang, "plan.no_needs").to_string();
        ctx.info(StatusKind::Info, text);
        Outcome::Stay
    }

    /// The service's plan items of this subdomain.
    fn load(&self, ctx: &mut Ctx) -> Option<Vec<PlanItem>> {
        let items = ctx.load(|s| s.plan_items(&self.service.id))?;
        Some(
            items
                .into_iter()
                .filter(|i| i.subdomain_key == self.subdomain_key)
                .collect(),
        )
    }
}

impl Component for PlanView {
    fn mode(&self) -> Mode {
        if self.erasing.is_some() {
            return Mode::ConfirmErase;
        }
        Mode::Plan
    }

    fn crumb(&self, lang: Lang) -> String {
        tr(lang, "plan.crumb").to_string()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        if self.erasing.is_some() {
            if ctx.answer_erase(&mut self.erasing, &action) {
                self.refresh(ctx);
            }
            return Outcome::Stay;
        }
        let last = self.items.len().saturating_sub(1);
        let selected = self.items.get(self.selected).cloned();
        let new_item = |kind| {
            let purpose =
                FormPurpose::NewPlanItem(self.service.clone(), self.subdomain_key.clone(), kind);
            Outcome::Open(Open::Form(purpose))
        };
        match action {
            Action::Back => return Outcome::Back,
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::NewBarrier => return new_item(PlanKind::Barrier),
            Action::NewStrategy => return new_item(PlanKind::Strategy),
            Action::NewMeasure => return new_item(PlanKind::Measure),
            Action::MeasureFromNeed => return self.measure_from_need(ctx),
            Action::Edit => {
                if let Some(item) = selected {
                    return Outcome::Open(Open::Form(FormPurpose::EditPlanItem(item)));
                }
            }
            Action::Erase => {
                if let Some(item) = selected {
                    self.erasing = ctx.ask_erase(Erasing::plan_item(ctx.lang, &item));
                }
            }
            Action::ToggleDone => match selected {
                Some(item) if item.kind == PlanKind::Measure => {
                    let done = !item.done;
                    let changed = PlanItem {
                        done,
                        done_on: done.then(|| ctx.today()),
                        ..item
                    };
                    let now = ctx.now();
                    match ctx.store.update_plan_item(&changed, now) {
                        Ok(()) => {
                            let key = if done {
                                "plan.marked_done"
                            } else {
                                "plan.marked_open"
                            };
                            let text = tr(ctx.lang, key).to_string();
                            ctx.info(StatusKind::Saved, text);
                            self.refresh(ctx);
                        }
                        Err(e) => ctx.error(&e),
                    }
                }
                _ => {
                    let text = tr(ctx.lang, "plan.only_measures").to_string();
                    ctx.info(StatusKind::Info, text);
                }
            },
            _ => {}
        }
        Outcome::Stay
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_plan(look, self, frame, area);
    }

    fn about(&self, look: &Look) -> Vec<String> {
        vec![tr(look.lang, "help.plan_from_need").to_string()]
    }

    fn refresh(&mut self, ctx: &mut Ctx) {
        if let Some(items) = self.load(ctx) {
            self.items = items;
            self.selected = self.selected.min(self.items.len().saturating_sub(1));
        }
    }
}

fn subdomain_title(look: &Look, key: &str) -> String {
    let lang = look.lang;
    look.instrument
        .subdomain(key)
        .map(|d| {
            format!(
                "{} › {}",
                d.section.name.get(lang),
                d.subdomain.name.get(lang)
            )
        })
        .unwrap_or_else(|| key.to_string())
}

fn draw_plan(look: &Look, view: &PlanView, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let title = trf(
        lang,
        "plan.title",
        &[("subdomain", &subdomain_title(look, &view.subdomain_key))],
    );
    let outer = block(title);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if view.items.is_empty() {
        frame.render_widget(
            Paragraph::new(tr(lang, "plan.empty")).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    // A paragraph, not a table, so that long measures wrap instead of losing their dates.
    let width = usize::from(inner.width.max(1));
    let mut lines = Vec::new();
    let mut before_selected = 0;
    for (index, item) in view.items.iter().enumerate() {
        let detail = match item.kind {
            PlanKind::Barrier => item
                .level
                .map(|l| format!("{} [{}]", item.text, tr(lang, level_key(l))))
                .unwrap_or_else(|| item.text.clone()),
            PlanKind::Strategy => item.text.clone(),
            PlanKind::Measure => measure_line(look, item),
        };
        let selected = index == view.selected;
        let kind = format!(
            "{}{:<10} ",
            if selected { "▶ " } else { "  " },
            tr(lang, plan_kind_key(item.kind))
        );
        let height = (kind.chars().count() + detail.chars().count()).div_ceil(width);
        if index < view.selected {
            before_selected += height;
        }
        let style = if selected { SELECTED } else { Style::new() };
        lines.push(Line::from(vec![
            Span::styled(kind, style.patch(BOLD)),
            Span::styled(detail, style),
        ]));
    }
    let visible = usize::from(inner.height);
    let scroll = before_selected.saturating_sub(visible.saturating_sub(3));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0)),
        inner,
    );
}
