//! The drawing helpers every screen shares: the smallest size, the colours, the bold and
//! selected styles, a titled block and a list screen's table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Row, Table, TableState, Wrap};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::status::StatusKind;
use crate::domain::instrument::{Instrument, Section};
use crate::domain::plan::PlanItem;
use crate::domain::scoring::{Band, Tally};
use crate::i18n::{Lang, tr};
use crate::present;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// Colours are an extra, never the only carrier of meaning; `NO_COLOR` turns them off.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn band(self, band: Band) -> Style {
        self.fg(match band {
            Band::InPlace => Color::Green,
            Band::Partly => Color::Yellow,
            Band::Priority => Color::Red,
        })
    }

    pub fn status(self, kind: StatusKind) -> Style {
        match kind {
            StatusKind::Info => Style::new(),
            StatusKind::Saved => self.fg(Color::Green),
            StatusKind::Warning => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            StatusKind::Error => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    /// A colour per chart series; the series also differ by marker and number.
    pub fn series(self, index: usize) -> Style {
        const COLORS: [Color; 6] = [
            Color::Cyan,
            Color::Magenta,
            Color::Yellow,
            Color::Green,
            Color::Blue,
            Color::Red,
        ];
        self.fg(COLORS[index % COLORS.len()])
    }

    pub fn accent(self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::new().add_modifier(Modifier::DIM)
        } else {
            Style::new()
        }
    }
}

pub const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
pub const BOLD: Style = Style::new().add_modifier(Modifier::BOLD);

pub fn block(title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .title(Span::styled(format!(" {title} "), BOLD))
}

/// A list screen's table: a header, the selected row reversed and marked.
pub struct ListTable<'a> {
    pub title: String,
    pub header: Vec<&'a str>,
    pub widths: Vec<Constraint>,
    pub rows: Vec<Vec<String>>,
    pub selected: usize,
    /// What to say when there are no rows.
    pub empty_hint: &'a str,
}

impl ListTable<'_> {
    pub fn draw(self, frame: &mut Frame, area: Rect) {
        let outer = block(self.title);
        if self.rows.is_empty() {
            frame.render_widget(
                Paragraph::new(self.empty_hint.to_string())
                    .wrap(Wrap { trim: true })
                    .block(outer),
                area,
            );
            return;
        }
        let inner = outer.inner(area);
        let mut rows = fitted_rows(
            &self.widths,
            inner.width,
            std::iter::once(self.header.iter().map(|h| h.to_string()).collect())
                .chain(self.rows)
                .collect(),
        );
        let header = rows.remove(0).style(BOLD);
        let table = Table::new(rows, self.widths)
            .header(header)
            .block(outer)
            .row_highlight_style(SELECTED)
            .highlight_symbol("▶ ");
        let mut state = TableState::default().with_selected(Some(self.selected));
        frame.render_stateful_widget(table, area, &mut state);
    }
}

/// A table's rows with each cell cut to its column as the table lays them out in `width`
/// (after "▶ "), so that a cell cut for room ends in "…" rather than mid-word.
pub fn fitted_rows(widths: &[Constraint], width: u16, rows: Vec<Vec<String>>) -> Vec<Row<'static>> {
    let columns = Layout::horizontal(widths.to_vec())
        .spacing(1)
        .split(Rect::new(0, 0, width.saturating_sub(2), 1));
    rows.into_iter()
        .map(|cells| {
            Row::new(
                cells
                    .into_iter()
                    .zip(columns.iter())
                    .map(|(cell, column)| present::fit(&cell, usize::from(column.width))),
            )
        })
        .collect()
}

/// What drawing reads beside a screen's own state: the language, the colours, the
/// instrument, and the user's clock for dates.
pub struct Look {
    pub lang: Lang,
    pub theme: Theme,
    pub instrument: &'static Instrument,
    pub utc_offset: FixedOffset,
    pub today: NaiveDate,
}

impl Look {
    pub fn local(&self, time: DateTime<Utc>) -> DateTime<FixedOffset> {
        time.with_timezone(&self.utc_offset)
    }

    pub fn today(&self) -> NaiveDate {
        self.today
    }
}

// ---- scores as the tables of the consultant's screens show them ----

/// "63 %", or "–".
pub fn percent(tally: &Tally) -> String {
    present::percent(tally.percent())
}

/// A score's band symbol; "·" without a score.
pub fn band_mark(tally: &Tally) -> &'static str {
    tally.band().map(present::band_symbol).unwrap_or("·")
}

/// A band's colour, none without a band.
pub fn band_style(theme: Theme, band: Option<Band>) -> Style {
    band.map(|b| theme.band(b)).unwrap_or_default()
}

/// "63", or "–": a whole percent without its sign, for narrow columns.
pub fn percent_number(tally: &Tally) -> String {
    tally
        .percent()
        .map_or_else(|| present::NONE.to_string(), present::percent_figure)
}

/// Each section's label in `width` characters: its name where it fits whole and reads apart
/// from the others, else its short name, made for narrow room ("Endr", "Pass").
pub fn section_labels(sections: &[Section], lang: Lang, width: usize) -> Vec<String> {
    let cut = |text: &str| -> String { text.chars().take(width).collect() };
    let names: Vec<String> = sections.iter().map(|s| cut(s.name.get(lang))).collect();
    sections
        .iter()
        .zip(&names)
        .map(|(section, name)| {
            let whole = section.name.get(lang).chars().count() <= width;
            let clash = names.iter().filter(|other| *other == name).count() > 1;
            if whole && !clash {
                name.clone()
            } else {
                cut(section.short.get(lang))
            }
        })
        .collect()
}

/// "⚠ over fristen · Fast veiledning – Fagleder – 01.04.2026": the state first, so it is read
/// even where the line is cut short.
pub fn measure_line(look: &Look, item: &PlanItem) -> String {
    let lang = look.lang;
    let state = if item.done {
        format!("✓ {}", tr(lang, "plan.done"))
    } else if item.is_overdue(look.today()) {
        format!("⚠ {}", tr(lang, "plan.overdue"))
    } else {
        format!("○ {}", tr(lang, "plan.open"))
    };
    let mut parts = vec![item.text.clone()];
    if !item.owner.is_empty() {
        parts.push(item.owner.clone());
    }
    if let Some(due) = item.due_on {
        parts.push(present::date(look.lang, due));
    }
    format!("{state} · {}", parts.join(" – "))
}

/// "09.03.2026 14:45": a stored time stamp in the user's time; nothing where it is unreadable.
pub fn local_time(look: &Look, stamp: &str) -> String {
    DateTime::parse_from_rfc3339(stamp)
        .map(|t| {
            let local = look.local(t.with_timezone(&Utc));
            format!(
                "{} {}",
                present::date(look.lang, local.date_naive()),
                local.format("%H:%M")
            )
        })
        .unwrap_or_default()
}
