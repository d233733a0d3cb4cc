//! One form for every "new"/"edit" screen: text fields (ratatui-textarea) and choices.

use crossterm::event::{KeyCode, KeyEvent};
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
    },
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
            input: Input::Choice { options, selected },
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

    /// Left/right change a choice, or move the cursor in a text field.
    pub fn horizontal(&mut self, right: bool) {
        match &mut self.fields[self.focus].input {
            Input::Choice { options, selected } => {
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
        if let Input::Text { area, .. } = &mut self.fields[self.focus].input {
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
        if let Input::Text { area, .. } = &mut self.fields[self.focus].input {
            area.insert_str(single_line(text));
        }
    }
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
}
