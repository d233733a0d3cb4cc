//! Drawing. `view` reads the state and never changes it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Block, BorderType, Borders, Clear, HighlightSpacing, List, ListItem, ListState, Paragraph, Wrap,
};

use super::app::{App, FormScreen, Recovered, Screen};
use super::context::{FormPurpose, respondent_label};
use super::form::Input;
use super::keys::{Command, commands};
use super::status::StatusKind;
use super::widgets::{BOLD, MIN_HEIGHT, MIN_WIDTH, SELECTED, block, local_time};
use crate::domain::plan::PlanKind;
use crate::i18n::{tr, trf};
use crate::present;

pub fn view(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let lang = app.lang;
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = trf(
            lang,
            "ui.too_small",
            &[("w", &MIN_WIDTH), ("h", &MIN_HEIGHT)],
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    // A long message gets a second line rather than being cut off.
    let status_text = app.status.as_ref().map(|s| {
        let symbol = match s.kind {
            StatusKind::Saved => "✓ ",
            StatusKind::Error => "✗ ",
            StatusKind::Warning => "⚠ ",
            StatusKind::Info => "ℹ ",
        };
        format!("{symbol}{}", s.text)
    });
    let status_lines = match &status_text {
        Some(text) if text.chars().count() > usize::from(area.width) => 2,
        _ => 1,
    };
    let [title, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(status_lines),
        Constraint::Length(1),
    ])
    .areas(area);

    frame.render_widget(
        Paragraph::new(breadcrumb(app, title.width))
            .style(Style::new().add_modifier(Modifier::REVERSED)),
        title,
    );
    match app.screen() {
        Screen::Form(screen) => draw_form(app, screen, frame, body),
        screen => {
            if let Some(component) = screen.component() {
                component.draw(&app.look(), frame, body);
            }
        }
    }
    if let (Some(s), Some(text)) = (&app.status, status_text) {
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .style(app.theme.status(s.kind)),
            status,
        );
    }
    frame.render_widget(Paragraph::new(footer_line(app, footer.width)), footer);
    if let Some(recovered) = app.recovered.first() {
        draw_recovered(app, recovered, frame, body);
    }
    if app.help_open {
        draw_help(app, frame, body);
    }
}

fn breadcrumb(app: &App, width: u16) -> Line<'static> {
    let lang = app.lang;
    let mut parts = vec![tr(lang, "app.name").to_string()];
    for screen in &app.stack {
        match screen {
            Screen::Form(f) => parts.push(tr(lang, form_title_key(&f.purpose)).to_string()),
            screen => parts.extend(screen.component().map(|c| c.crumb(lang))),
        }
    }
    // Keep the end of the trail, where the user is, when it does not fit; never cut a name
    // in the middle without saying so.
    let width = usize::from(width);
    let shown = |start: usize| {
        let trail = parts[start..].join(" › ");
        if start > 0 {
            format!(" … › {trail}")
        } else {
            format!(" {trail}")
        }
    };
    let mut start = 0;
    while start + 1 < parts.len() && shown(start).chars().count() > width {
        start += 1;
    }
    Line::from(present::fit(&shown(start), width))
}

/// The footer: the current screen's keys, most important first, as many whole entries as
/// fit (with their short text where that makes room for one more), the help always last.
fn footer_line(app: &App, width: u16) -> Line<'static> {
    let lang = app.lang;
    let (help, rest): (Vec<&Command>, Vec<&Command>) = commands(app.mode())
        .iter()
        .filter(|c| c.footer)
        .partition(|c| c.text == "key.help");
    let cost =
        |command: &Command, text: &str| command.label.chars().count() + text.chars().count() + 4;
    let full = |command: &Command| tr(lang, command.text);
    let short = |command: &Command| command.short.map_or(full(command), |key| tr(lang, key));
    let mut room = usize::from(width).saturating_sub(help.iter().map(|c| cost(c, full(c))).sum());
    // As many entries as fit at their shortest, then as many of those whole as still fit.
    let mut shown: Vec<(&Command, &str)> = Vec::new();
    for command in rest {
        let text = short(command);
        if cost(command, text) > room {
            break;
        }
        room -= cost(command, text);
        shown.push((command, text));
    }
    for (command, text) in &mut shown {
        let extra = cost(command, full(command)) - cost(command, text);
        if extra <= room {
            room -= extra;
            *text = full(command);
        }
    }
    let help = help.into_iter().map(|c| (c, full(c)));
    let mut spans = Vec::new();
    for (command, text) in shown.into_iter().chain(help) {
        spans.push(Span::styled(format!(" {} ", command.label), SELECTED));
        spans.push(Span::raw(format!(" {text} ")));
    }
    Line::from(spans)
}

fn form_title_key(purpose: &FormPurpose) -> &'static str {
    match purpose {
        FormPurpose::NewService => "form.new_service",
        FormPurpose::EditService(_) => "form.edit_service",
        FormPurpose::NewRound(_) => "form.new_round",
        FormPurpose::NewRespondent(..) => "form.new_respondent",
        FormPurpose::NewPlanItem(_, _, kind) => match kind {
            PlanKind::Barrier => "plan.new_barrier",
            PlanKind::Strategy => "plan.new_strategy",
            PlanKind::Measure => "plan.new_measure",
        },
        FormPurpose::EditPlanItem(_) => "plan.edit",
        FormPurpose::NewGoal(_) => "goals.new",
        FormPurpose::RoundStage(..) => "stage.title",
    }
}

/// What a form's fields take, for its help.
fn form_help_key(purpose: &FormPurpose) -> &'static str {
    let plan_kind = |kind: &PlanKind| match kind {
        PlanKind::Barrier => "help.form_barrier",
        PlanKind::Strategy => "help.form_strategy",
        PlanKind::Measure => "help.form_measure",
    };
    match purpose {
        FormPurpose::NewService | FormPurpose::EditService(_) => "help.form_service",
        FormPurpose::NewRound(_) => "help.form_round",
        FormPurpose::NewRespondent(..) => "help.form_respondent",
        FormPurpose::NewPlanItem(_, _, kind) => plan_kind(kind),
        FormPurpose::EditPlanItem(item) => plan_kind(&item.kind),
        FormPurpose::NewGoal(_) => "help.form_goal",
        FormPurpose::RoundStage(..) => "help.form_stage",
    }
}

/// How many lines of a kept comment the question shows; the rest is in its file.
const RECOVERED_LINES: usize = 8;

/// The question about a comment kept when kartlegg was stopped, over the first screen: what
/// happened, where the comment belongs, what each key does with it, and the comment.
fn draw_recovered(app: &App, recovered: &Recovered, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
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
    let title = match app.recovered.len() {
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
        present::numbered_item(app.instrument, lang, &unsaved.item_key),
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
        &[("time", &local_time(&app.look(), &unsaved.kept_at))],
    )));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(outer),
        popup,
    );
}

fn draw_form(app: &App, screen: &FormScreen, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let form = &screen.form;
    let mut title = tr(lang, form_title_key(&screen.purpose)).to_string();
    match &screen.purpose {
        FormPurpose::NewRound(service) => title = format!("{title} – {}", service.name),
        FormPurpose::NewRespondent(_, round) | FormPurpose::RoundStage(_, round) => {
            title = format!("{title} – {}", round.label)
        }
        FormPurpose::NewGoal(service) => title = format!("{title} – {}", service.name),
        _ => {}
    }
    let outer = block(title);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);

    // A list takes the room there is, a row of choices as many lines as it wraps to. A text
    // field is its label over a box of one line, four rows; where the form has fewer (60×16
    // with an error in the status line), its label goes into the box's top border, so that
    // what was typed in every field still shows.
    let rows_of = |text_rows: u16| -> Vec<u16> {
        form.fields
            .iter()
            .enumerate()
            .map(|(index, f)| match &f.input {
                Input::Text { .. } => text_rows,
                input if input.is_list() => 4,
                Input::Choice {
                    options, selected, ..
                } => {
                    let rows = choice_row(options, *selected, index == form.focus, inner.width);
                    1 + rows.len() as u16
                }
            })
            .collect()
    };
    let compact = rows_of(4).iter().sum::<u16>() > inner.height;
    let mut constraints: Vec<Constraint> = rows_of(if compact { 3 } else { 4 })
        .into_iter()
        .zip(&form.fields)
        .map(|(rows, f)| {
            if f.input.is_list() {
                Constraint::Min(rows)
            } else {
                Constraint::Length(rows)
            }
        })
        .collect();
    let has_list = form.fields.iter().any(|f| f.input.is_list());
    constraints.push(if has_list {
        Constraint::Length(u16::from(form.error.is_some()) * 2)
    } else {
        Constraint::Fill(1)
    });
    let areas = Layout::vertical(constraints).split(inner);
    for (index, field) in form.fields.iter().enumerate() {
        let focused = index == form.focus;
        // Only a text field has a border to carry its label.
        let label_rows = u16::from(!(compact && matches!(field.input, Input::Text { .. })));
        let [label_area, input_area] =
            Layout::vertical([Constraint::Length(label_rows), Constraint::Fill(1)])
                .areas(areas[index]);
        let mut label = vec![Span::styled(
            tr(lang, field.label).to_string(),
            if focused { BOLD } else { Style::new() },
        )];
        if let Some(hint) = field.hint {
            label.push(Span::styled(
                format!("  {}", tr(lang, hint)),
                app.theme.dim(),
            ));
        }
        let label = Line::from(label);
        if label_rows == 1 {
            frame.render_widget(Paragraph::new(label.clone()), label_area);
        }
        match &field.input {
            Input::Text { area: textarea, .. } => {
                let mut textarea = textarea.clone();
                let border = if focused {
                    app.theme.accent().add_modifier(Modifier::BOLD)
                } else {
                    app.theme.dim()
                };
                let mut field_block = Block::default()
                    .borders(Borders::ALL)
                    .border_type(if focused {
                        BorderType::Thick
                    } else {
                        BorderType::Plain
                    })
                    .border_style(border);
                if label_rows == 0 {
                    field_block = field_block.title(label);
                }
                textarea.set_block(field_block);
                textarea.set_cursor_line_style(Style::new());
                // Shown only where typing would replace it, without colour.
                textarea.set_selection_style(if focused {
                    Style::new().add_modifier(Modifier::REVERSED)
                } else {
                    Style::new()
                });
                if !focused {
                    textarea.set_cursor_style(Style::new());
                }
                frame.render_widget(&*textarea, input_area);
            }
            input @ Input::Choice {
                options,
                selected,
                filter,
            } => {
                if input.is_list() {
                    draw_choice_list(
                        app,
                        (options, *selected, filter),
                        focused,
                        frame,
                        input_area,
                    );
                } else {
                    let rows = choice_row(options, *selected, focused, input_area.width);
                    frame.render_widget(Paragraph::new(rows), input_area);
                }
            }
        }
    }
    if let Some(error) = &form.error {
        let last = areas[areas.len() - 1];
        frame.render_widget(
            Paragraph::new(format!("✗ {error}"))
                .style(app.theme.status(StatusKind::Error))
                .wrap(Wrap { trim: true }),
            last,
        );
    }
}

/// A short choice side by side, `(•)` on the chosen one, wrapped onto more lines where the
/// row is wider than `width`; ◀ ▶ mark the focused one, which ←→ change.
fn choice_row(
    options: &[String],
    selected: usize,
    focused: bool,
    width: u16,
) -> Vec<Line<'static>> {
    let width = usize::from(width);
    let mut lines = vec![Line::from(if focused { "◀ " } else { "  " })];
    for (i, option) in options.iter().enumerate() {
        let chosen = i == selected;
        let text = format!("{}{option}", if chosen { "(•) " } else { "( ) " });
        let style = match (chosen, focused) {
            (true, true) => SELECTED,
            (true, false) => BOLD,
            _ => Style::new(),
        };
        // Room for the option, and on the last line for the ▶ after it.
        let need = text.chars().count() + if i + 1 == options.len() { 3 } else { 2 };
        let line = lines.last_mut().expect("one line at least");
        if line.width() > 2 && line.width() + need > width {
            lines.push(Line::from("  "));
        }
        let line = lines.last_mut().expect("one line at least");
        line.push_span(Span::styled(text, style));
        line.push_span(Span::raw("  "));
    }
    if focused {
        let line = lines.last_mut().expect("one line at least");
        line.push_span(Span::raw("▶"));
    }
    lines
}

/// A long choice as a list: the filter typed so far and what it finds, then the options it
/// shows, scrolled to the chosen one.
fn draw_choice_list(
    app: &App,
    (options, selected, filter): (&[String], usize, &str),
    focused: bool,
    frame: &mut Frame,
    area: Rect,
) {
    let lang = app.lang;
    let [filter_area, list_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let shown = super::form::matches(options, filter);
    let status = if filter.is_empty() {
        Line::styled(
            if focused {
                trf(lang, "form.filter_hint", &[("n", &options.len())])
            } else {
                String::new()
            },
            app.theme.dim(),
        )
    } else if shown.is_empty() {
        Line::styled(
            trf(lang, "form.no_match", &[("filter", &filter)]),
            app.theme.status(StatusKind::Warning),
        )
    } else {
        Line::from(trf(
            lang,
            "form.filter",
            &[
                ("filter", &filter),
                ("shown", &shown.len()),
                ("total", &options.len()),
            ],
        ))
    };
    frame.render_widget(Paragraph::new(status), filter_area);
    // "▶ " and "(•) " before each name.
    let room = usize::from(list_area.width).saturating_sub(6);
    let items: Vec<ListItem> = shown
        .iter()
        .map(|&i| {
            let mark = if i == selected { "(•) " } else { "( ) " };
            ListItem::new(format!("{mark}{}", present::fit(&options[i], room)))
        })
        .collect();
    let list = List::new(items)
        .highlight_symbol("▶ ")
        .highlight_spacing(HighlightSpacing::Always)
        .highlight_style(if focused { SELECTED } else { BOLD });
    let mut state = ListState::default().with_selected(shown.iter().position(|&i| i == selected));
    frame.render_stateful_widget(list, list_area, &mut state);
}

/// `text` in lines of at most `width` characters, broken between words; a word longer than a
/// line is broken where the line ends.
pub(super) fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        let len = line.chars().count();
        if len > 0 && len + 1 + word.len() <= width {
            line.push(' ');
            line.extend(&word);
            continue;
        }
        if len > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > width {
            lines.push(word.drain(..width).collect());
        }
        line = word.into_iter().collect();
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn draw_help(app: &App, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    frame.render_widget(Clear, area);
    let outer = block(tr(lang, "help.title").to_string());
    let inner = outer.inner(area);
    frame.render_widget(outer, area);

    let screen_mode = app.screen_mode();
    let entries: Vec<(&str, &str)> = commands(screen_mode)
        .iter()
        .map(|c| (c.label, tr(lang, c.text)))
        .chain([("Ctrl-C", tr(lang, "key.quit"))])
        .collect();
    // Two columns where there is room, so the keys and the text below fit on one screen.
    let columns = if inner.width >= 70 { 2 } else { 1 };
    let column_width = usize::from(inner.width) / columns;
    let key_width = entries
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    // Each entry wraps within its column, the lines after the first under its text.
    let text_width = column_width.saturating_sub(key_width + 3).max(1);
    let blocks: Vec<Vec<Line>> = entries
        .iter()
        .map(|(label, what)| {
            wrap_words(what, text_width)
                .into_iter()
                .enumerate()
                .map(|(i, part)| {
                    let key = if i == 0 { *label } else { "" };
                    let pad = text_width.saturating_sub(part.chars().count()) + 1;
                    Line::from(vec![
                        Span::styled(format!("{key:>key_width$}  "), BOLD),
                        Span::raw(format!("{part}{}", " ".repeat(pad))),
                    ])
                })
                .collect()
        })
        .collect();
    // The split that leaves the two columns as near the same height as whole entries allow.
    let heights: Vec<usize> = blocks.iter().map(Vec::len).collect();
    let total: usize = heights.iter().sum();
    let split = if columns == 1 {
        blocks.len()
    } else {
        (0..=blocks.len())
            .min_by_key(|&k| {
                let left: usize = heights[..k].iter().sum();
                left.max(total - left)
            })
            .unwrap_or(blocks.len())
    };
    let (left, right) = blocks.split_at(split);
    let left: Vec<&Line> = left.iter().flatten().collect();
    let right: Vec<&Line> = right.iter().flatten().collect();
    let mut text = Text::default();
    for row in 0..left.len().max(right.len()) {
        let mut spans = Vec::new();
        for side in [&left, &right].into_iter().take(columns) {
            match side.get(row) {
                Some(line) => spans.extend(line.spans.iter().cloned()),
                None => spans.push(Span::raw(" ".repeat(column_width))),
            }
        }
        text.push_line(Line::from(spans));
    }
    let about: Vec<String> = match app.screen() {
        Screen::Form(form) => vec![
            tr(lang, form_help_key(&form.purpose)).to_string(),
            tr(lang, "help.form_keys").to_string(),
        ],
        screen => screen
            .component()
            .map(|c| c.about(&app.look()))
            .unwrap_or_default(),
    };
    for paragraph in about {
        text.push_line(Line::default());
        text.push_line(Line::from(paragraph));
    }
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .scroll((app.help_offset, 0)),
        inner,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wrap_whole_and_long_words_break_at_the_line_end() {
        assert_eq!(
            wrap_words("sorter etter del, 0 etter navn", 12),
            ["sorter etter", "del, 0 etter", "navn"]
        );
        assert_eq!(wrap_words("abcdefgh ij", 3), ["abc", "def", "gh", "ij"]);
        assert_eq!(wrap_words("", 5), [""]);
    }
}
