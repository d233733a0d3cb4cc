//! The frame around the screens: the trail at the top, the status line, the footer of keys,
//! the question about a kept comment and the help over them; the screen on top draws the
//! rest. `view` reads the state and never changes it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::app::App;
use super::keys::{Command, commands};
use super::screen::recover;
use super::status::StatusKind;
use super::widgets::{BOLD, MIN_HEIGHT, MIN_WIDTH, SELECTED, block};
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
    // A long message gets a second line, or a third (an erasure's question names what goes,
    // and ends with its j/n), rather than being cut off.
    let shown_status = app.status.as_ref().or(app.reading_only.as_ref());
    let status_text = shown_status.map(|s| {
        let symbol = match s.kind {
            StatusKind::Saved => "✓ ",
            StatusKind::Error => "✗ ",
            StatusKind::Warning => "⚠ ",
            StatusKind::Info => "ℹ ",
        };
        format!("{symbol}{}", s.text)
    });
    let status_lines = match &status_text {
        Some(text) => Paragraph::new(text.as_str())
            .wrap(Wrap { trim: true })
            .line_count(area.width)
            .clamp(1, 3) as u16,
        None => 1,
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
    let look = app.look();
    app.screen().component().draw(&look, frame, body);
    if let (Some(s), Some(text)) = (shown_status, status_text) {
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .style(app.theme.status(s.kind)),
            status,
        );
    }
    frame.render_widget(Paragraph::new(footer_line(app, footer.width)), footer);
    recover::draw(&look, &app.recovered, frame, body);
    if app.help_open {
        draw_help(app, frame, body);
    }
}

fn breadcrumb(app: &App, width: u16) -> Line<'static> {
    let lang = app.lang;
    let mut parts = vec![tr(lang, "app.name").to_string()];
    parts.extend(
        app.stack
            .iter()
            .map(|screen| screen.component().crumb(lang)),
    );
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
    // A database opened for reading only: the keys that would write are not offered (the
    // help still lists them, and each says why it does nothing).
    let reading_only = app.reading_only.is_some();
    let (help, rest): (Vec<&Command>, Vec<&Command>) = commands(app.mode())
        .iter()
        .filter(|c| c.footer && !(reading_only && c.writes))
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
    for paragraph in app.screen().component().about(&app.look()) {
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
