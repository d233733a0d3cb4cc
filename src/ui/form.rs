//! One form for every "new"/"edit" screen: text fields (ratatui-textarea) and choices.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::domain::model::single_line;

pub enum Input {
    Text {
        area: Box<TextArea<'static>>,
        initial: String,
    },
    Choice {
        /// The options as the user reads them.
        options: Vec<String>,
        selected: usize,
        /// Typed into a list to narrow it; empty shows every option.
        filter: String,
    },
}

/// From this many options a choice is a list that scrolls and filters as you type (a goal's
/// area, a round's stage); fewer read best side by side, changed with ←→.
pub const LIST_FROM: usize = 6;

impl Input {
    /// Whether this is a choice shown as a list.
    pub fn is_list(&self) -> bool {
        matches!(self, Input::Choice { options, .. } if options.len() >= LIST_FROM)
    }
}

/// The indexes of the options whose name holds `filter`, in any case.
pub fn matches(options: &[String], filter: &str) -> Vec<usize> {
    let filter = filter.to_lowercase();
    (0..options.len())
        .filter(|&i| options[i].to_lowercase().contains(&filter))
        .collect()
}

pub struct Field {
    /// Text key of the label.
    pub label: &'static str,
    /// Text key of a hint shown beside the field, if any.
    pub hint: Option<&'static str>,
    pub input: Input,
}

impl Field {
    pub fn text(label: &'static str, hint: Option<&'static str>, value: &str) -> Field {
        let mut area = TextArea::new(vec![value.to_string()]);
        select_whole(&mut area);
        Field {
            label,
            hint,
            input: Input::Text {
                area: Box::new(area),
                initial: value.to_string(),
            },
        }
    }

    pub fn choice(label: &'static str, options: Vec<String>, selected: usize) -> Field {
        Field {
            label,
            hint: None,
            input: Input::Choice {
                options,
                selected,
                filter: String::new(),
            },
        }
    }
}

/// A field's text, selected whole as the field gets the focus: typing replaces it (a
/// prefilled date is typed over, not added to), an arrow, Home or End keeps it and moves
/// the cursor. An empty field just has the cursor.
fn select_whole(area: &mut TextArea<'static>) {
    area.cancel_selection();
    if area.lines().iter().all(String::is_empty) {
        return;
    }
    area.select_all();
}

pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A message (already in the user's language) about the last failed save.
    pub error: Option<String>,
    /// Esc was pressed once on typed text; a second Esc discards it.
    pub confirm_discard: bool,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Form {
        Form {
            fields,
            focus: 0,
            error: None,
            confirm_discard: false,
        }
    }

    pub fn value(&self, index: usize) -> String {
        match &self.fields[index].input {
            Input::Text { area, .. } => area.lines().join(" "),
            Input::Choice { .. } => String::new(),
        }
    }

    pub fn selected(&self, index: usize) -> usize {
        match &self.fields[index].input {
            Input::Choice { selected, .. } => *selected,
            Input::Text { .. } => 0,
        }
    }

    /// Whether any text differs from what the form opened with.
    pub fn is_dirty(&self) -> bool {
        self.fields.iter().any(|f| match &f.input {
            Input::Text { area, initial } => area.lines().join(" ") != *initial,
            Input::Choice { .. } => false,
        })
    }

    pub fn focus_next(&mut self, step: isize) {
        let count = self.fields.len() as isize;
        self.focus = (self.focus as isize + step).rem_euclid(count) as usize;
        if let Input::Text { area, .. } = &mut self.fields[self.focus].input {
            select_whole(area);
        }
    }

    /// Up/down move in a list; false where the focus is not on a list (they move between
    /// the fields there).
    pub fn vertical(&mut self, down: bool) -> bool {
        let input = &mut self.fields[self.focus].input;
        if !input.is_list() {
            return false;
        }
        step_in_list(input, if down { 1 } else { -1 });
        true
    }

    /// Empties the filter of a focused list; false if there was none to empty.
    pub fn clear_filter(&mut self) -> bool {
        match &mut self.fields[self.focus].input {
            Input::Choice { filter, .. } if !filter.is_empty() => {
                filter.clear();
                true
            }
            _ => false,
        }
    }

    /// Left/right change a choice, or move the cursor in a text field.
    pub fn horizontal(&mut self, right: bool) {
        let input = &mut self.fields[self.focus].input;
        if input.is_list() {
            step_in_list(input, if right { 1 } else { -1 });
            return;
        }
        match input {
            Input::Choice {
                options, selected, ..
            } => {
                let count = options.len();
                *selected = if right {
                    (*selected + 1) % count
                } else {
                    (*selected + count - 1) % count
                };
            }
            Input::Text { area, .. } => {
                area.cancel_selection();
                area.input(KeyEvent::from(if right {
                    KeyCode::Right
                } else {
                    KeyCode::Left
                }));
            }
        }
    }

    pub fn type_key(&mut self, key: KeyEvent) {
        let input = &mut self.fields[self.focus].input;
        if input.is_list() {
            type_in_list(input, key);
            return;
        }
        if let Input::Text { area, .. } = input {
            // A key that moves the cursor keeps the text, also where the cursor cannot move
            // (End at the end), which the text area would take as no move at all.
            if matches!(
                key.code,
                KeyCode::Home | KeyCode::End | KeyCode::Left | KeyCode::Right
            ) {
                area.cancel_selection();
            }
            // A one-line field: Enter is the form's, never a line break.
            if key.code != KeyCode::Enter {
                area.input(key);
            }
        }
    }

    pub fn paste(&mut self, text: &str) {
        let input = &mut self.fields[self.focus].input;
        if input.is_list() {
            if let Input::Choice { filter, .. } = input {
                filter.push_str(&single_line(text));
            }
            follow_filter(input);
            return;
        }
        if let Input::Text { area, .. } = input {
            area.insert_str(single_line(text));
        }
    }
}

/// Moves a list's choice `step` places among the options its filter shows, stopping at the
/// ends.
fn step_in_list(input: &mut Input, step: isize) {
    let Input::Choice {
        options,
        selected,
        filter,
    } = input
    else {
        return;
    };
    let shown = matches(options, filter);
    let Some(last) = shown.len().checked_sub(1) else {
        return;
    };
    let target = match shown.iter().position(|i| i == selected) {
        Some(at) => at.saturating_add_signed(step).min(last),
        None if step < 0 => last,
        None => 0,
    };
    *selected = shown[target];
}

/// Typing in a list: letters narrow it, Backspace widens it again, Home, End, PgUp and PgDn
/// move in it.
fn type_in_list(input: &mut Input, key: KeyEvent) {
    let Input::Choice { filter, .. } = input else {
        return;
    };
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match key.code {
        KeyCode::Char(c) if plain => filter.push(c),
        KeyCode::Backspace => {
            filter.pop();
        }
        KeyCode::Home => return step_in_list(input, isize::MIN),
        KeyCode::End => return step_in_list(input, isize::MAX),
        KeyCode::PageUp => return step_in_list(input, -5),
        KeyCode::PageDown => return step_in_list(input, 5),
        _ => return,
    }
    follow_filter(input);
}

/// After the filter changed: the choice stays if the list still shows it, and is the first
/// option shown otherwise. With nothing shown it stays where it was.
fn follow_filter(input: &mut Input) {
    if let Input::Choice {
        options,
        selected,
        filter,
    } = input
    {
        let shown = matches(options, filter);
        if !shown.contains(selected)
            && let Some(first) = shown.first()
        {
            *selected = *first;
        }
    }
}

/// The fields drawn, `start..end`: all where they fit; where even the compact rows do not
/// (a position's six fields at 60×16), a window that begins where the focused field fits
/// and runs as far as there is room, so that the field being typed in always shows; ▲ ▼ in
/// the form's last row say that more lie above or below (Tab reaches them).
pub fn shown_fields(rows: &[u16], focus: usize, height: u16) -> (usize, usize) {
    let sum = |range: std::ops::Range<usize>| rows[range].iter().sum::<u16>();
    if sum(0..rows.len()) <= height {
        return (0, rows.len());
    }
    // One row is kept for the marks.
    let room = height.saturating_sub(1);
    let focus = focus.min(rows.len().saturating_sub(1));
    let start = (0..=focus)
        .find(|&s| sum(s..focus + 1) <= room)
        .unwrap_or(focus);
    let end = (start + 1..=rows.len())
        .rev()
        .find(|&e| sum(start..e) <= room)
        .unwrap_or(start + 1);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(form: &mut Form, text: &str) {
        for c in text.chars() {
            form.type_key(KeyEvent::from(KeyCode::Char(c)));
        }
    }

    #[test]
    fn typing_into_a_prefilled_field_replaces_it_and_an_arrow_keeps_it() {
        let date = || Form::new(vec![Field::text("form.round_date", None, "2026-11-30")]);
        let mut form = date();
        typed(&mut form, "2026-12-01");
        assert_eq!(form.value(0), "2026-12-01");

        let mut form = date();
        form.horizontal(true);
        typed(&mut form, "x");
        assert_eq!(form.value(0), "2026-11-30x");

        let mut form = date();
        form.type_key(KeyEvent::from(KeyCode::End));
        typed(&mut form, "y");
        assert_eq!(form.value(0), "2026-11-30y");

        let mut form = date();
        form.type_key(KeyEvent::from(KeyCode::Backspace));
        assert_eq!(form.value(0), "");
        let mut form = date();
        form.paste("2027-01-02");
        assert_eq!(form.value(0), "2027-01-02");
    }

    fn areas() -> Form {
        let options = [
            "Ingen bestemt",
            "Endringsberedskap › Problemforståelse",
            "Endringsberedskap › Ansattes motivasjon",
            "Passform › Svarer på vårt problem",
            "Passform › Krav vi kan håndtere",
            "Kompetansedrivere › Opplæring",
            "Organisasjonsdrivere › Systemintervensjon",
        ];
        Form::new(vec![
            Field::text("goals.text", None, ""),
            Field::choice(
                "goals.subdomain",
                options.iter().map(|o| o.to_string()).collect(),
                0,
            ),
        ])
    }

    #[test]
    fn a_long_choice_is_a_list_that_filters_as_you_type() {
        let mut form = areas();
        assert!(form.fields[1].input.is_list());
        assert!(
            !Field::choice("form.role", vec!["a".into(), "b".into()], 0)
                .input
                .is_list()
        );
        form.focus_next(1);
        // Typing narrows the list and picks the first option it shows.
        typed(&mut form, "PROBLEM");
        assert_eq!(form.selected(1), 1);
        // ↓ and → move among the options shown, stopping at the last.
        assert!(form.vertical(true));
        assert_eq!(form.selected(1), 3);
        form.horizontal(true);
        assert_eq!(form.selected(1), 3);
        // Nothing found: the choice stays; Backspace widens the list again.
        typed(&mut form, "xyz");
        assert_eq!(form.selected(1), 3);
        for _ in 0..3 {
            form.type_key(KeyEvent::from(KeyCode::Backspace));
        }
        form.type_key(KeyEvent::from(KeyCode::End));
        assert_eq!(form.selected(1), 3, "the last option the filter shows");
        // Esc empties the filter first; then every option shows again.
        assert!(form.clear_filter());
        assert!(!form.clear_filter());
        form.type_key(KeyEvent::from(KeyCode::End));
        assert_eq!(form.selected(1), 6);
        assert!(!form.is_dirty(), "a choice is never typed text to lose");
        // In a text field ↑↓ are the form's: they move between the fields.
        form.focus_next(1);
        assert!(!form.vertical(true));
    }

    #[test]
    fn a_field_is_selected_whole_when_the_focus_comes_back_to_it() {
        let mut form = Form::new(vec![
            Field::text("form.service_name", None, ""),
            Field::text("form.cluster", None, "Innlandet"),
        ]);
        typed(&mut form, "Fjell");
        form.focus_next(1);
        typed(&mut form, "Agder");
        form.focus_next(1);
        typed(&mut form, "Sjø");
        assert_eq!(
            (form.value(0), form.value(1)),
            ("Sjø".into(), "Agder".into())
        );
    }

    #[test]
    fn fields_that_do_not_fit_show_a_window_holding_the_focused_one() {
        // All fit: all are drawn.
        assert_eq!(shown_fields(&[3, 3, 3], 2, 9), (0, 3));
        // Six fields of 3 rows in 10 rows (one kept for the marks): three at a time.
        let rows = [3; 6];
        assert_eq!(shown_fields(&rows, 0, 10), (0, 3));
        assert_eq!(shown_fields(&rows, 2, 10), (0, 3));
        assert_eq!(shown_fields(&rows, 3, 10), (1, 4));
        assert_eq!(shown_fields(&rows, 5, 10), (3, 6));
        // Too small for even one: the focused one is still the one drawn.
        assert_eq!(shown_fields(&rows, 4, 2), (4, 5));
    }
}
