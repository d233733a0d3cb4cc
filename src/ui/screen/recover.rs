//! The question, over the first screen, what to do with a comment kept in a recovery file
//! when kartlegg was last stopped: restore it, give it up, or ask again next time.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::domain::model::validate_comment;
use crate::domain::model::{Respondent, Round, Service};
use crate::i18n::{tr, trf};
use crate::present;
use crate::store::Answers;
use crate::store::Store;
use crate::store::recovery::Recovery;
use crate::ui::action::Action;
use crate::ui::context::{Ctx, input_error_text, respondent_label};
use crate::ui::status::StatusKind;
use crate::ui::widgets::local_time;
use crate::ui::widgets::{BOLD, Look, block};

/// A comment kept in a recovery file when kartlegg was stopped, as the first screen asks
/// about it.
pub struct Recovered {
    pub recovery: Recovery,
    /// Service, round and respondent, if the database has the respondent.
    pub place: Option<(Service, Round, Respondent)>,
    /// The comment the item has now, when it has one other than the kept one.
    pub replaces: Option<String>,
}

impl Recovered {
    /// A recovery file with what the question about it shows.
    pub fn new(store: &Store, recovery: Recovery) -> Recovered {
        let unsaved = &recovery.unsaved;
        let place = (|| {
            let respondent = store.respondent(&unsaved.respondent_id).ok()??;
            let round = store.round(&respondent.round_id).ok()?;
            let service = store.service(&round.service_id).ok()?;
            Some((service, round, respondent))
        })();
        let replaces = place.as_ref().and_then(|(_, _, respondent)| {
            let answers = store.answers(&respondent.id).ok()?;
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
}

/// Restores the kept comment asked about first (Enter), gives it up (Del), or leaves the
/// questions for the next start (Esc).
pub fn update(kept: &mut Vec<Recovered>, action: Action, ctx: &mut Ctx) {
    let Some(first) = kept.first() else {
        return;
    };
    let recovery = first.recovery.clone();
    let now = ctx.now();
    let lang = ctx.lang;
    let outcome = match action {
        Action::Confirm => {
            // Held to the limit the editor holds it to; too long, it can still be
            // discarded (or kept for later).
            if let Err(e) = validate_comment(&recovery.unsaved.comment) {
                ctx.info(StatusKind::Error, input_error_text(lang, &e));
                return;
            }
            let time = ctx.local(now).format("%H:%M:%S");
            ctx.store
                .restore_unsaved(&recovery, now)
                .map(|_| trf(lang, "status.comment_saved", &[("time", &time)]))
        }
        Action::Clear => ctx
            .store
            .discard_unsaved(&recovery)
            .map(|()| tr(lang, "wip.discarded").to_string()),
        Action::Back => {
            kept.clear();
            ctx.info(StatusKind::Info, tr(lang, "wip.asked_later").to_string());
            return;
        }
        _ => return,
    };
    match outcome {
        Ok(text) => {
            kept.remove(0);
            let kind = if action == Action::Confirm {
                StatusKind::Saved
            } else {
                StatusKind::Info
            };
            ctx.info(kind, text);
        }
        Err(e) => ctx.error(&e),
    }
}

/// The question about the first kept comment, over `area`.
pub fn draw(look: &Look, kept: &[Recovered], frame: &mut Frame, area: Rect) {
    if let Some(first) = kept.first() {
        draw_recovered(look, kept.len(), first, frame, area);
    }
}

/// How many lines of a kept comment the question shows; the rest is in its file.
const RECOVERED_LINES: usize = 8;

/// The question about a comment kept when kartlegg was stopped, over the first screen: what
/// happened, where the comment belongs, what each key does with it, and the comment.
fn draw_recovered(look: &Look, count: usize, recovered: &Recovered, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let unsaved = &recovered.recovery.unsaved;
    let margin = if area.height > 20 && area.width > 70 {
        Margin {
            horizontal: 2,
            vertical: 1,
        }
    } else {
        Margin::default()
    };
    let popup = area.inner(margin);
    let title = match count {
        1 => tr(lang, "wip.recover_title").to_string(),
        n => trf(lang, "wip.recover_title_of", &[("n", &n)]),
    };
    let outer = block(title);
    let width = usize::from(outer.inner(popup).width);
    // What matters first, where room is short: whose comment, on what, the comment itself,
    // what a key does; why it was kept comes last.
    let mut lines = vec![match &recovered.place {
        Some((service, round, respondent)) => Line::from(Span::styled(
            format!(
                "{} › {} › {}",
                service.name,
                round.label,
                respondent_label(lang, respondent)
            ),
            BOLD,
        )),
        None => Line::from(tr(lang, "wip.recover_no_respondent")),
    }];
    lines.push(Line::from(Span::styled(
        present::numbered_item(look.instrument, lang, &unsaved.item_key),
        BOLD,
    )));
    let comment: Vec<&str> = unsaved.comment.lines().collect();
    for line in comment.iter().take(RECOVERED_LINES) {
        lines.push(Line::from(format!(
            "  {}",
            present::fit(line, width.saturating_sub(2))
        )));
    }
    if comment.len() > RECOVERED_LINES {
        lines.push(Line::from("  …"));
    }
    if let Some(now) = &recovered.replaces {
        lines.push(Line::from(trf(
            lang,
            "wip.recover_replaces",
            &[("now", &present::fit(now, 80))],
        )));
    }
    lines.push(Line::from(tr(lang, "wip.recover_keys")));
    lines.push(Line::default());
    lines.push(Line::from(trf(
        lang,
        "wip.recover_why",
        &[("time", &local_time(look, &unsaved.kept_at))],
    )));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(outer),
        popup,
    );
}
