//! The walk through the instrument with one respondent: an item at a time, its answer saved
//! at once, and the comment editor over it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, LineGauge, Paragraph, Wrap};

use crate::domain::instrument::{Asked, ItemRef};
use crate::domain::model::{Respondent, Response, Round, Service};
use crate::domain::plan::{PlanItem, PlanKind};
use crate::domain::scoring::{AnswerSet, summarize};
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::store::{Answers, StoreError};
use crate::ui::action::{Action, Mode};
use crate::ui::context::{Component, Ctx, Open, Outcome, input_error_text, respondent_label};
use crate::ui::status::StatusKind;
use crate::ui::widgets::{BOLD, Look, block};
use crossterm::event::{KeyCode, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use crate::domain::instrument::Instrument;
use crate::domain::model::validate_comment;
use crate::ui::widgets::measure_line;

pub struct Walk {
    pub service: Service,
    pub round: Round,
    pub respondent: Respondent,
    pub answers: AnswerSet,
    /// Index of the item shown, in walk order.
    pub current: usize,
    /// Which option the arrow keys point at: the scale's points, then "don't know",
    /// then "not applicable".
    pub cursor: usize,
    /// The comment being written, if the editor is open.
    pub editor: Option<Box<TextArea<'static>>>,
    /// The service's measures, shown on the items of their subdomain.
    pub measures: Vec<PlanItem>,
}

impl Walk {
    pub fn options(item: &ItemRef<'_>) -> Vec<Response> {
        item.scale
            .points
            .iter()
            .map(|p| Response::Score(p.value))
            .chain([Response::DontKnow, Response::NotApplicable])
            .collect()
    }

    /// Whom the items are put to: the round's kind and the respondent's role.
    pub fn asked(&self) -> Asked {
        Asked::new(self.round.kind, self.respondent.role)
    }

    /// The items this walk goes through, those put to the respondent, in walk order:
    /// `current` is a place among them.
    pub fn items<'i>(&self, instrument: &'i Instrument) -> Vec<ItemRef<'i>> {
        instrument.items_asked(self.asked())
    }

    pub fn answered(&self, key: &str) -> bool {
        self.answers.get(key).is_some_and(|a| a.is_answered())
    }

    pub fn answered_count(&self, items: &[ItemRef<'_>]) -> usize {
        items.iter().filter(|i| self.answered(&i.item.key)).count()
    }

    fn first_unanswered_from(&self, items: &[ItemRef<'_>], start: usize) -> Option<usize> {
        (0..items.len())
            .map(|step| (start + step) % items.len())
            .find(|&i| !self.answered(&items[i].item.key))
    }

    /// Points the cursor at the saved answer, or the middle of the scale.
    fn place_cursor(&mut self, items: &[ItemRef<'_>]) {
        let item = &items[self.current];
        let options = Walk::options(item);
        let saved = self.answers.get(&item.item.key).and_then(|a| a.response);
        self.cursor = saved
            .and_then(|r| options.iter().position(|o| *o == r))
            .unwrap_or((item.scale.points.len() - 1) / 2);
    }

    fn go_to(&mut self, items: &[ItemRef<'_>], index: usize) {
        self.current = index.min(items.len() - 1);
        self.place_cursor(items);
    }

    /// Opens at the first item without an answer, or at the first item when all have one.
    pub fn open(
        ctx: &mut Ctx,
        service: Service,
        round: Round,
        respondent: Respondent,
    ) -> Option<Walk> {
        let answers = ctx.load(|s| s.answers(&respondent.id))?;
        let plan = ctx.plan_items(&service.id)?;
        let mut walk = Walk {
            service,
            round,
            respondent,
            answers,
            current: 0,
            cursor: 0,
            editor: None,
            measures: plan
                .into_iter()
                .filter(|i| i.kind == PlanKind::Measure)
                .collect(),
        };
        let items = walk.items(ctx.instrument);
        let resume = walk.first_unanswered_from(&items, 0);
        walk.go_to(&items, resume.unwrap_or(0));
        if resume.is_none() {
            let text = tr(ctx.lang, "walk.all_answered").to_string();
            ctx.info(StatusKind::Info, text);
        }
        Some(walk)
    }

    fn update_walk(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        let items = self.items(ctx.instrument);
        let lang = ctx.lang;
        let item = items[self.current];
        let options = Walk::options(&item);
        let last = items.len() - 1;
        match action {
            Action::Back => return Outcome::Back,
            Action::Up => self.go_to(&items, self.current.saturating_sub(1)),
            Action::Down => self.go_to(&items, self.current + 1),
            Action::PageDown => {
                let next = items
                    .iter()
                    .position(|i| i.section_index > item.section_index)
                    .unwrap_or(last);
                self.go_to(&items, next);
            }
            Action::PageUp => {
                let start = |section| {
                    items
                        .iter()
                        .position(|i: &ItemRef| i.section_index == section)
                        .unwrap_or(0)
                };
                let here = start(item.section_index);
                let target = if self.current > here || item.section_index == 0 {
                    here
                } else {
                    start(item.section_index - 1)
                };
                self.go_to(&items, target);
            }
            Action::Home => self.go_to(&items, 0),
            Action::End => self.go_to(&items, last),
            Action::Left => self.cursor = self.cursor.saturating_sub(1),
            Action::Right => self.cursor = (self.cursor + 1).min(options.len() - 1),
            Action::Confirm => {
                let choice = options[self.cursor];
                self.answer(ctx, Some(choice));
            }
            Action::Choose(value) => {
                if item.scale.contains(value) {
                    self.answer(ctx, Some(Response::Score(value)));
                } else {
                    let text = trf(
                        lang,
                        "walk.out_of_scale",
                        &[("min", &item.scale.min()), ("max", &item.scale.max())],
                    );
                    ctx.info(StatusKind::Error, text);
                }
            }
            Action::DontKnow => self.answer(ctx, Some(Response::DontKnow)),
            Action::NotApplicable => self.answer(ctx, Some(Response::NotApplicable)),
            Action::Clear => self.answer(ctx, None),
            Action::NextUnanswered => match self.first_unanswered_from(&items, self.current + 1) {
                Some(next) => self.go_to(&items, next),
                None => {
                    let text = tr(lang, "walk.all_answered").to_string();
                    ctx.info(StatusKind::Info, text);
                }
            },
            Action::Comment => {
                let comment = self
                    .answers
                    .get(&item.item.key)
                    .map(|a| a.comment.clone())
                    .unwrap_or_default();
                // Long lines wrap on screen (the text keeps its own line breaks), and the
                // editor opens at the start, so a long comment is read from its beginning.
                let mut editor = TextArea::new(comment.lines().map(str::to_string).collect());
                editor.set_wrap_mode(WrapMode::WordOrGlyph);
                self.editor = Some(Box::new(editor));
            }
            Action::Summary => {
                let open = Open::RespondentSummary {
                    heading: respondent_label(lang, &self.respondent),
                    service: self.service.clone(),
                    round: self.round.clone(),
                    scores: summarize(ctx.instrument, &[(self.asked(), &self.answers)]),
                };
                return Outcome::Open(open);
            }
            _ => {}
        }
        Outcome::Stay
    }

    /// Saves the response to the current item at once, then moves on to the next item.
    fn answer(&mut self, ctx: &mut Ctx, response: Option<Response>) {
        let items = self.items(ctx.instrument);
        let now = ctx.now();
        let local = ctx.local(now);
        let lang = ctx.lang;
        let key = items[self.current].item.key.clone();
        match ctx
            .store
            .save_response(&self.respondent.id, &key, response, now)
        {
            Ok(answer) => {
                self.answers.insert(key, answer);
                let text = trf(
                    lang,
                    if response.is_some() {
                        "status.answer_saved"
                    } else {
                        "status.answer_cleared"
                    },
                    &[("time", &local.format("%H:%M:%S"))],
                );
                if response.is_some() {
                    if self.current + 1 < items.len() {
                        self.go_to(&items, self.current + 1);
                    } else {
                        self.place_cursor(&items);
                    }
                } else {
                    self.place_cursor(&items);
                }
                let all_done = self.answered_count(&items) == items.len();
                ctx.info(StatusKind::Saved, text);
                if all_done && response.is_some() {
                    let done = format!(
                        "{} {}",
                        ctx.status.as_ref().map(|s| s.text.as_str()).unwrap_or(""),
                        tr(lang, "walk.all_answered")
                    );
                    ctx.info(StatusKind::Saved, done);
                }
            }
            Err(e) => ctx.error(&e),
        }
    }

    fn update_comment(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        if action == Action::Back {
            self.close_comment(ctx);
            return Outcome::Stay;
        }
        let Some(editor) = self.editor.as_mut() else {
            return Outcome::Stay;
        };
        match action {
            // Ctrl-Home and Ctrl-End go to the start and the end of the whole text, as in
            // other editors (the text area alone takes them as the line's).
            Action::Type(key)
                if key.modifiers.contains(KeyModifiers::CONTROL)
                    && matches!(key.code, KeyCode::Home | KeyCode::End) =>
            {
                let (whole, line) = if key.code == KeyCode::Home {
                    (CursorMove::Top, CursorMove::Head)
                } else {
                    (CursorMove::Bottom, CursorMove::End)
                };
                editor.move_cursor(whole);
                editor.move_cursor(line);
            }
            Action::Type(key) => {
                editor.input(key);
            }
            Action::Paste(text) => {
                // Many terminals paste a line break as CR; it is still a line break.
                let clean: String = text
                    .replace("\r\n", "\n")
                    .replace('\r', "\n")
                    .chars()
                    .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
                    .collect();
                editor.insert_str(clean);
            }
            _ => {}
        }
        Outcome::Stay
    }

    /// The comment in the editor, if it is open and its text differs from the one saved:
    /// respondent, item key and text.
    pub fn editor_text(&self, instrument: &Instrument) -> Option<(String, String, String)> {
        // Kept as typed, trailing spaces and tabs too; only whitespace is no comment.
        let mut comment = self.editor.as_ref()?.lines().join("\n");
        if comment.trim().is_empty() {
            comment.clear();
        }
        let key = &self.items(instrument)[self.current].item.key;
        let before = self.answers.get(key).map_or("", |a| a.comment.as_str());
        (comment != before).then(|| (self.respondent.id.clone(), key.clone(), comment))
    }

    /// Saves the comment in the editor and closes it; keeps it open if saving fails. An
    /// unchanged comment is closed without a write, so opening and closing leaves no trace.
    pub fn close_comment(&mut self, ctx: &mut Ctx) -> bool {
        let now = ctx.now();
        let local = ctx.local(now);
        let lang = ctx.lang;
        let changed = self.editor_text(ctx.instrument);
        let Some((respondent, key, comment)) = changed else {
            self.editor = None;
            return true;
        };
        // Past its limit it stays open, every word still there, to be shortened.
        if let Err(e) = validate_comment(&comment) {
            ctx.info(StatusKind::Error, input_error_text(lang, &e));
            return false;
        }
        match ctx.store.save_comment(&respondent, &key, &comment, now) {
            Ok(answer) => {
                self.answers.insert(key, answer);
                self.editor = None;
                let text = trf(
                    lang,
                    "status.comment_saved",
                    &[("time", &local.format("%H:%M:%S"))],
                );
                ctx.info(StatusKind::Saved, text);
                true
            }
            Err(e @ StoreError::NotFound(_)) => {
                // The respondent was erased meanwhile: the comment has nowhere to go, and the
                // editor must not hold the user (nor keep the words) for ever.
                self.editor = None;
                ctx.error(&e);
                true
            }
            Err(e) => {
                ctx.error(&e);
                false
            }
        }
    }
}

impl Component for Walk {
    fn mode(&self) -> Mode {
        if self.editor.is_some() {
            Mode::Comment
        } else {
            Mode::Walk
        }
    }

    fn crumb(&self, lang: Lang) -> String {
        respondent_label(lang, &self.respondent)
    }

    fn update(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        if self.editor.is_some() {
            self.update_comment(action, ctx)
        } else {
            self.update_walk(action, ctx)
        }
    }

    fn draw(&self, look: &Look, frame: &mut Frame, area: Rect) {
        draw_walk(look, self, frame, area);
    }

    fn refresh(&mut self, ctx: &mut Ctx) {
        if let Some(answers) = ctx.load(|s| s.answers(&self.respondent.id)) {
            self.answers = answers;
        }
    }

    fn about(&self, look: &Look) -> Vec<String> {
        if self.editor.is_some() {
            vec![tr(look.lang, "help.comment").to_string()]
        } else {
            vec![look.instrument.about.get(look.lang).to_string()]
        }
    }
}

/// The walk's panel of sections with their progress; the current section opens to its
/// subdomains.
fn walk_sections(look: &Look, walk: &Walk, item: &ItemRef<'_>, width: u16) -> Vec<Line<'static>> {
    let lang = look.lang;
    let items = walk.items(look.instrument);
    let mut lines = Vec::new();
    for (index, section) in look.instrument.sections.iter().enumerate() {
        let section_items: Vec<_> = items.iter().filter(|i| i.section_index == index).collect();
        if section_items.is_empty() {
            // Nothing of it is put to this respondent in this round.
            continue;
        }
        let done = section_items
            .iter()
            .filter(|i| walk.answered(&i.item.key))
            .count();
        let here = index == item.section_index;
        let mark = if done == section_items.len() {
            "✓"
        } else if here {
            "▶"
        } else {
            " "
        };
        let progress = format!("{done}/{}", section_items.len());
        lines.push(fit_line(
            &format!("{mark} {}", section.name.get(lang)),
            &progress,
            width,
            if here { BOLD } else { Style::new() },
        ));
        if here {
            for subdomain in &section.subdomains {
                let slots = subdomain.slots(walk.asked());
                if slots == 0 {
                    continue;
                }
                let sub_done = subdomain
                    .items
                    .iter()
                    .filter(|i| subdomain.asks(i, walk.asked()) && walk.answered(&i.key))
                    .count();
                let current = std::ptr::eq(subdomain, item.subdomain);
                lines.push(fit_line(
                    &format!(
                        "  {}{}",
                        if current { "› " } else { "  " },
                        subdomain.name.get(lang)
                    ),
                    &format!("{sub_done}/{slots}"),
                    width,
                    if current {
                        look.theme.accent()
                    } else {
                        look.theme.dim()
                    },
                ));
            }
        }
    }
    lines
}

/// The answer options, one per line: the scale's points, then "don't know" and "not
/// applicable"; the cursor reversed, the saved answer marked.
fn walk_options_tall(look: &Look, walk: &Walk, item: &ItemRef<'_>) -> Vec<Line<'static>> {
    let lang = look.lang;
    let saved = walk.answers.get(&item.item.key).and_then(|a| a.response);
    Walk::options(item)
        .into_iter()
        .enumerate()
        .map(|(index, option)| {
            let chosen = saved == Some(option);
            let pointer = if index == walk.cursor { "▶" } else { " " };
            let mark = if chosen { "(•)" } else { "( )" };
            let mut style = if chosen { BOLD } else { Style::new() };
            if index == walk.cursor {
                style = style.add_modifier(Modifier::REVERSED);
            }
            let suffix = if chosen {
                format!("  ✓ {}", tr(lang, "walk.saved"))
            } else {
                String::new()
            };
            Line::from(vec![
                Span::raw(format!("{pointer}{mark} ")),
                Span::styled(response_label(look, item, option), style),
                Span::styled(suffix, look.theme.status(StatusKind::Saved)),
            ])
        })
        .collect()
}

/// The answer options in two lines, where there is no room for one per line: the keys side
/// by side (the cursor reversed, the saved answer marked •), then what the cursor points at
/// and what is saved.
fn walk_options_short(look: &Look, walk: &Walk, item: &ItemRef<'_>) -> Vec<Line<'static>> {
    let lang = look.lang;
    let saved = walk.answers.get(&item.item.key).and_then(|a| a.response);
    let options = Walk::options(item);
    let mut keys = Vec::new();
    for (index, option) in options.iter().enumerate() {
        let key = match option {
            Response::Score(v) => v.to_string(),
            Response::DontKnow => "v".to_string(),
            Response::NotApplicable => "i".to_string(),
        };
        let chosen = saved == Some(*option);
        let mut style = if chosen { BOLD } else { Style::new() };
        if index == walk.cursor {
            style = style.add_modifier(Modifier::REVERSED);
        }
        keys.push(Span::styled(
            format!("{}{key} ", if chosen { "•" } else { " " }),
            style,
        ));
    }
    let pointed = options
        .get(walk.cursor)
        .map(|o| format!("▶ {}", response_label(look, item, *o)))
        .unwrap_or_default();
    let answer = match saved {
        // The cursor on the saved answer: said once.
        Some(response) if options.get(walk.cursor) == Some(&response) => Span::styled(
            format!("  ✓ {}", tr(lang, "walk.saved")),
            look.theme.status(StatusKind::Saved),
        ),
        Some(response) => Span::styled(
            format!(
                "  ✓ {} {}",
                tr(lang, "walk.saved"),
                response_label(look, item, response)
            ),
            look.theme.status(StatusKind::Saved),
        ),
        None => Span::styled(
            format!("  {}", tr(lang, "walk.not_answered")),
            look.theme.dim(),
        ),
    };
    vec![
        Line::from(keys),
        Line::from(vec![Span::styled(pointed, BOLD), answer]),
    ]
}

/// "4  Ganske enig", "v  Vet ikke": an option with its key and label.
fn response_label(look: &Look, item: &ItemRef<'_>, response: Response) -> String {
    let lang = look.lang;
    match response {
        Response::Score(v) => {
            let label = item
                .scale
                .points
                .iter()
                .find(|p| p.value == v)
                .map(|p| p.label.get(lang))
                .unwrap_or("");
            format!("{v}  {label}")
        }
        Response::DontKnow => format!("v  {}", tr(lang, "answer.dont_know")),
        Response::NotApplicable => format!("i  {}", tr(lang, "answer.not_applicable")),
    }
}

/// How many lines `lines` take wrapped in `width`.
fn wrapped_height(lines: &[Line<'static>], width: u16) -> usize {
    Paragraph::new(lines.to_vec())
        .wrap(Wrap { trim: false })
        .line_count(width)
}

/// The walk steps down with the room it has: the panel of sections folds away below 76
/// columns (its progress stays in the item's heading); the options go on two lines when
/// one per line does not fit; the help text, the comment and the measures come as room
/// allows. The item, the scale and the current answer are always shown.
fn draw_walk(look: &Look, walk: &Walk, frame: &mut Frame, area: Rect) {
    let lang = look.lang;
    let items = walk.items(look.instrument);
    let item = items[walk.current];
    let [main, gauge_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let side_width = match main.width {
        w if w >= 100 => 36,
        w if w >= 76 => 30,
        _ => 0,
    };
    let [side, centre] =
        Layout::horizontal([Constraint::Length(side_width), Constraint::Fill(1)]).areas(main);
    if side_width > 0 {
        frame.render_widget(
            Paragraph::new(walk_sections(
                look,
                walk,
                &item,
                side.width.saturating_sub(2),
            ))
            .block(block(tr(lang, "walk.sections").to_string())),
            side,
        );
    }

    // The item, its options and answer; then, with room, its help, comment and measures.
    let title = trf(
        lang,
        "walk.item_of",
        &[("n", &(walk.current + 1)), ("total", &items.len())],
    );
    let outer = block(title);
    let inner = outer.inner(centre);
    frame.render_widget(outer, centre);
    let width = inner.width;
    let room = usize::from(inner.height);

    let mut heading = format!(
        "{} › {}",
        item.section.name.get(lang),
        item.subdomain.name.get(lang)
    );
    if side_width == 0 {
        // The folded panel's progress: the section's answered items.
        let in_section: Vec<_> = items
            .iter()
            .filter(|i| i.section_index == item.section_index)
            .collect();
        let done = in_section
            .iter()
            .filter(|i| walk.answered(&i.item.key))
            .count();
        heading = format!("{heading} · {done}/{}", in_section.len());
    }
    let heading = vec![Line::styled(heading, look.theme.accent())];
    let text = vec![Line::styled(item.item.text.get(lang).to_string(), BOLD)];
    let tall = walk_options_tall(look, walk, &item);
    let fixed = wrapped_height(&heading, width) + wrapped_height(&text, width);
    let options = if fixed + tall.len() <= room {
        tall
    } else {
        walk_options_short(look, walk, &item)
    };

    let help = vec![Line::styled(
        item.item.help.get(lang).to_string(),
        look.theme.dim().add_modifier(Modifier::ITALIC),
    )];
    let saved = walk.answers.get(&item.item.key);
    let comment = saved.map(|a| a.comment.as_str()).unwrap_or("");
    let mut notes = vec![if comment.is_empty() {
        Line::styled(tr(lang, "walk.no_comment").to_string(), look.theme.dim())
    } else {
        // One line: a preview, the whole comment is in the editor (c).
        let label = format!("{} ", tr(lang, "walk.comment"));
        let room = usize::from(width).saturating_sub(label.chars().count());
        Line::from(vec![
            Span::styled(label, BOLD),
            Span::raw(present::fit(&comment.replace('\n', " ⏎ "), room)),
        ])
    }];
    // What the service decided to do about this area, so the next round sees it.
    let subdomain_key = format!("{}.{}", item.section.key, item.subdomain.key);
    for measure in walk
        .measures
        .iter()
        .filter(|m| m.subdomain_key == subdomain_key)
    {
        notes.push(Line::from(vec![
            Span::styled(format!("{} ", tr(lang, "walk.measure")), BOLD),
            Span::raw(measure_line(look, measure)),
        ]));
    }

    // Heading, text and options always; the rest in order while it fits, each with a
    // blank line before it where that fits too.
    let mut used = fixed + options.len();
    let mut fits = |lines: &[Line<'static>]| {
        let height = wrapped_height(lines, width);
        if used + height <= room {
            used += height;
            true
        } else {
            false
        }
    };
    let help_fits = fits(&help);
    let notes_fit = fits(&notes);
    let gap_before_options = fits(&[Line::default()]);
    let gap_before_notes = notes_fit && fits(&[Line::default()]);

    let mut lines = heading;
    lines.extend(text);
    if help_fits {
        lines.extend(help);
    }
    if gap_before_options {
        lines.push(Line::default());
    }
    lines.extend(options);
    if notes_fit {
        if gap_before_notes {
            lines.push(Line::default());
        }
        lines.extend(notes);
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);

    let answered = walk.answered_count(&items);
    let ratio = answered as f64 / items.len() as f64;
    frame.render_widget(
        LineGauge::default()
            .filled_style(look.theme.accent().add_modifier(Modifier::BOLD))
            .label(trf(
                lang,
                "walk.progress",
                &[("answered", &answered), ("total", &items.len())],
            ))
            .ratio(ratio),
        gauge_area,
    );

    if let Some(editor) = &walk.editor {
        let popup = centered(main, 90, 60);
        frame.render_widget(Clear, popup);
        let mut editor = editor.clone();
        // On the lower border, where it takes no line from the text.
        let confidential = format!(" {} ", tr(lang, "walk.comment_confidential"));
        editor.set_block(
            block(trf(
                lang,
                "walk.comment_title",
                &[("n", &(walk.current + 1))],
            ))
            .title_bottom(Line::styled(confidential, look.theme.dim())),
        );
        editor.set_cursor_line_style(Style::new());
        frame.render_widget(&*editor, popup);
    }
}

/// `left` and `right` on one line of `width`, the left part cut short to make room.
fn fit_line(left: &str, right: &str, width: u16, style: Style) -> Line<'static> {
    let width = usize::from(width);
    let right_len = right.chars().count() + 1;
    let room = width.saturating_sub(right_len);
    let shown = present::fit(left, room);
    let pad = room.saturating_sub(shown.chars().count());
    Line::styled(format!("{shown}{} {right}", " ".repeat(pad)), style)
}

fn centered(area: Rect, percent_x: u16, percent_y: u16) -> Rect {
    let [_, middle, _] = Layout::vertical([
        Constraint::Percentage((100 - percent_y) / 2),
        Constraint::Percentage(percent_y),
        Constraint::Fill(1),
    ])
    .areas(area);
    let [_, centre, _] = Layout::horizontal([
        Constraint::Percentage((100 - percent_x) / 2),
        Constraint::Percentage(percent_x),
        Constraint::Fill(1),
    ])
    .areas(middle);
    centre
}
