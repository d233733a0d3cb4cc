//! The one way markup is made for the HTML report and its charts: `Html` holds only escaped
//! text or the source's own markup, so an escape cannot be forgotten.

use std::fmt;

use crate::domain::model::is_direction_control;

/// Markup for the page: made only by escaping a text (`Html::text`), from markup written in
/// the source (`Html::trusted`, `html!`), or by joining such pieces.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Html(String);

impl Html {
    /// A text from the data or the text table, escaped: it can never become markup.
    pub fn text(text: &str) -> Html {
        Html(escape_html(text))
    }

    /// Markup written in the source.
    pub fn trusted(markup: &'static str) -> Html {
        Html(markup.to_string())
    }

    /// What `html!` made of a literal and values that are `Markup`; nothing else calls it.
    pub(super) fn from_checked(markup: String) -> Html {
        Html(markup)
    }

    pub fn push(&mut self, more: &Html) {
        self.0.push_str(&more.0);
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What `html!` may put into markup: markup already made safe, and numbers; never a
/// `str` or `String`, which must go through `Html::text` first.
pub trait Markup: fmt::Display {}
impl Markup for Html {}
impl Markup for f64 {}
impl Markup for usize {}
impl Markup for u32 {}
impl<T: Markup + ?Sized> Markup for &T {}

/// Lets only `Markup` through to `html!`'s format.
pub fn markup<T: Markup>(value: T) -> T {
    value
}

/// `format!` for markup: the literal is the source's markup, and every value is `Markup`.
/// `concat!` keeps the literal from naming variables itself ("{name}"), which would pass
/// them by unchecked.
macro_rules! html {
    ($format:literal $(, $value:expr)* $(,)?) => {
        $crate::cli::report::markup::Html::from_checked(format!(
            concat!($format) $(, $crate::cli::report::markup::markup(&$value))*
        ))
    };
}
pub(crate) use html;

/// Text made safe for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c if is_direction_control(c) => {}
            c => out.push(c),
        }
    }
    out
}
