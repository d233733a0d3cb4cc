//! The first screen of `kartlegg answer`: it asks for the code from the respondent's slip,
//! and opens that respondent's walk and nothing else. A wrong code (unknown or withdrawn,
//! said alike) makes the next try wait longer, and after `TRIES` the program ends.

use chrono::{DateTime, TimeDelta, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crossterm::event::{KeyCode, KeyModifiers};

use crate::domain::invite;
use crate::i18n::{Lang, tr, trf};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, Open, Outcome};
use crate::ui::status::StatusKind;
use crate::ui::widgets::{BOLD, Look, SELECTED, block};
use crate::usecase::invites::redeem;

/// Wrong codes before the program ends: a guesser must start it again, and wait.
pub const TRIES: u32 = 5;

/// More than a code with its dash and some spaces is never needed.
const LONGEST: usize = 2 * invite::CODE_LEN;

#[derive(Default)]
pub struct CodeEntry {
    pub typed: String,
    /// Wrong codes so far.
    pub wrong: u32,
    /// No code is tried before this time, after a wrong one.
    pub wait_until: Option<DateTime<Utc>>,
}

impl CodeEntry {
    fn add(&mut self, text: &str) {
        for c in text.chars().filter(|c| !c.is_control()) {
            if self.typed.chars().count() < LONGEST {
                self.typed.push(c);
            }
        }
    }

    fn try_code(&mut self, ctx: &mut Ctx) -> Outcome {
        let now = ctx.now();
        if let Some(until) = self.wait_until.filter(|until| now < *until) {
            let seconds = (until - now).num_seconds().max(1);
            let text = trf(ctx.lang, "answer.wait", &[("seconds", &seconds)]);
            ctx.info(StatusKind::Warning, text);
            return Outcome::Stay;
        }
        match redeem(ctx.store, &self.typed, now) {
            Ok(Some(claimed)) => Outcome::Open(Open::Walk(
                claimed.service,
                claimed.round,
                claimed.respondent,
            )),
            Ok(None) => {
                self.wrong += 1;
                self.typed.clear();
                if self.wrong >= TRIES {
                    return Outcome::End(tr(ctx.lang, "answer.too_many").to_string());
                }
                // 1, 2, 4, 8 seconds: a person retypes at once, a guesser waits.
                let seconds = 1i64 << (self.wrong - 1);
                self.wait_until = Some(now + TimeDelta::seconds(seconds));
                let text = trf(
                    ctx.lang,
                    "answer.refused_wait",
                    &[
                        ("refused", &tr(ctx.lang, "answer.refused")),
                        ("seconds", &seconds),
                    ],
                );
                ctx.info(StatusKind::Error, text);
                Outcome::Stay
            }
            Err(e) => {
                ctx.error(&e);
                Outcome::Stay
            }
        }
    }
}

impl Component for CodeEntry {
    fn mode(&self) -> Mode {
        Mode::Code
    }

    fn crumb(&self, lang: Lang) -> String {
        tr(lang, "answer.title").to_string()
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        match action {
            Action::Back => Outcome::Back,
            Action::Submit => self.try_code(ctx),
            Action::Paste(text) => {
                self.add(&text);
                Outcome::Stay
            }
            Action::Type(key) if key.code == KeyCode::Backspace => {
                self.typed.pop();
                Outcome::Stay
            }
            Action::Type(key) => {
                if let KeyCode::Char(c) = key.code
                    && !key
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                {
                    self.add(&c.to_string());
                }
                Outcome::Stay
            }
            _ => Outcome::Stay,
        }
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        let lang = look.lang;
        let outer = block(tr(lang, "answer.title").to_string());
        let inner = outer.inner(area);
        frame.render_widget(outer, area);
        let [prompt, field, _, about] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Fill(1),
        ])
        .areas(inner);
        frame.render_widget(
            Paragraph::new(tr(lang, "answer.prompt")).wrap(Wrap { trim: true }),
            prompt,
        );
        let label = format!("{}: ", tr(lang, "answer.field"));
        let width = LONGEST + 1;
        let line = Line::from(vec![
            Span::styled(label, BOLD),
            Span::styled(
                format!("{:<width$}", format!("{}▏", self.typed.to_uppercase())),
                SELECTED,
            ),
        ]);
        frame.render_widget(Paragraph::new(line), field);
        frame.render_widget(
            Paragraph::new(tr(lang, "answer.about")).wrap(Wrap { trim: true }),
            about,
        );
    }

    fn about(&self, look: &Look) -> Vec<String> {
        vec![tr(look.lang, "answer.about").to_string()]
    }
}
