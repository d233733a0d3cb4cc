//! What `compare` and `report` share: cells, escaping, and a table that renders as text,
//! Markdown or HTML. Presentation only: the rounds and their comparison come from
//! `usecase`, every score from `domain`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use crate::domain::instrument::Instrument;
use crate::domain::model::{Role, is_direction_control};
use crate::domain::scoring::Band;
use crate::i18n::{Lang, tr};
use crate::present;
use crate::store::lookup::LookupError;
pub use crate::store::lookup::quoted;
use crate::usecase::comparison::ComparisonModel;

/// "3 (50 %) → 4 (75 %)" for a subdomain; "–" where neither round has a consensus.
pub fn consensus_change(instrument: &Instrument, model: &ComparisonModel, key: &str) -> String {
    let (from, to) = (
        model.from.consensus_on(instrument, key),
        model.to.consensus_on(instrument, key),
    );
    if from.is_none() && to.is_none() {
        return present::NONE.to_string();
    }
    format!("{} → {}", consensus_cell(from), consensus_cell(to))
}

/// Says why a service or round was not found, and exits: 1, or the store's own code.
pub fn lookup_failed(lang: Lang, error: &LookupError) -> ExitCode {
    super::complain(&error.message(lang));
    match error {
        LookupError::Store(e) => ExitCode::from(super::exit_code(e)),
        _ => ExitCode::from(super::exit::FAILURE),
    }
}

/// Writes to standard output; a reader that went away (`| head`) is not a failure.
pub fn print(text: &str) -> ExitCode {
    let text = crate::domain::model::neutralise_bidi(text);
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            super::complain(&e.to_string());
            ExitCode::from(super::exit::IO)
        }
    }
}

// ---- cells ----

/// "3 (50 %)": a consensus value on its scale, then as percent; "–" without one.
pub fn consensus_cell(consensus: Option<(u8, f64)>) -> String {
    consensus.map_or_else(
        || "–".to_string(),
        |(value, p)| format!("{value} ({})", present::percent(Some(p))),
    )
}

/// The stable code of a band in JSON.
pub fn band_code(band: Option<Band>) -> Option<&'static str> {
    band.map(|b| match b {
        Band::InPlace => "in_place",
        Band::Partly => "partly",
        Band::Priority => "priority",
    })
}

pub fn role_name(lang: Lang, role: Role) -> &'static str {
    tr(lang, crate::present::role_key(role))
}

/// The legend line shared by every output.
pub fn legend(lang: Lang) -> String {
    [
        "legend.in_place",
        "legend.partly",
        "legend.priority",
        "legend.dont_know",
    ]
    .iter()
    .zip(["● ", "◐ ", "○ ", "⚑ "])
    .map(|(key, symbol)| format!("{symbol}{}", tr(lang, key)))
    .collect::<Vec<_>>()
    .join(" · ")
}

// ---- documents as blocks, written as text, Markdown or HTML ----

pub enum Block {
    /// A top-level part of the report, with a stable id for links.
    Heading(String, &'static str),
    Subheading(String),
    Paragraph(String),
    Note(String),
    Table(Table, &'static str),
    Chart(Chart),
}

impl Block {
    /// The table, or where there is none, the sentence that says so.
    pub fn table_or(table: Option<Table>, class: &'static str, none: String) -> Block {
        match table {
            Some(table) => Block::Table(table, class),
            None => Block::Paragraph(none),
        }
    }
}

/// Grouped horizontal bars, one group per section, one bar per series (round or role).
pub struct Chart {
    pub id: String,
    pub title: String,
    pub series: Vec<String>,
    /// Index into `SERIES_COLOURS` per series, so that a role keeps its colour.
    pub colours: Vec<usize>,
    pub groups: Vec<(String, Vec<Bar>)>,
}

#[derive(Clone, Copy)]
pub enum Bar {
    Score(f64),
    NoScore,
    TooFew,
}

// ---- escaping ----

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

// ---- tables ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub align: Vec<Align>,
    pub rows: Vec<TableRow>,
    /// The columns in another order for a terminal, where a long text goes last so that
    /// only it wraps.
    pub text_order: Option<Vec<usize>>,
}

/// A row of plain, unescaped text; every renderer escapes for its own format.
#[derive(Debug, Clone)]
pub struct TableRow {
    pub cells: Vec<String>,
    /// A subdomain under its section: indented; section rows are set in bold.
    pub sub: bool,
}

impl Table {
    pub fn new(header: Vec<String>, align: Vec<Align>) -> Table {
        Table {
            header,
            align,
            rows: Vec::new(),
            text_order: None,
        }
    }

    /// Sets the order of the columns for a terminal.
    pub fn text_order(mut self, order: &[usize]) -> Table {
        self.text_order = Some(order.to_vec());
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(TableRow { cells, sub: false });
    }

    pub fn sub_row(&mut self, cells: Vec<String>) {
        self.rows.push(TableRow { cells, sub: true });
    }

    /// The same table with its columns in another order (by index).
    pub fn columns(&self, order: &[usize]) -> Table {
        let pick = |cells: &[String]| -> Vec<String> {
            order
                .iter()
                .map(|&i| cells.get(i).cloned().unwrap_or_default())
                .collect()
        };
        Table {
            header: pick(&self.header),
            align: order.iter().map(|&i| self.align_of(i)).collect(),
            rows: self
                .rows
                .iter()
                .map(|row| TableRow {
                    cells: pick(&row.cells),
                    sub: row.sub,
                })
                .collect(),
            text_order: None,
        }
    }

    pub fn align_of(&self, column: usize) -> Align {
        self.align.get(column).copied().unwrap_or(Align::Left)
    }

    /// Rows are headed by their first cell; section rows get the class `main` when the
    /// table has subdomain rows.
    pub fn html(&self, class: &str) -> String {
        let has_sub = self.rows.iter().any(|r| r.sub);
        let align = |i: usize| match self.align_of(i) {
            Align::Left => "",
            Align::Right => " class=\"num\"",
        };
        // Headers wrap between words, never inside one: "(2026-02-10)" stays whole.
        let header = |text: &str| {
            text.split(' ')
                .map(|word| {
                    if word.contains(['-', '–', '—', '/']) {
                        format!("<span class=\"nobr\">{}</span>", escape_html(word))
                    } else {
                        escape_html(word)
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut out = format!("<table class=\"{}\">\n<thead><tr>", escape_html(class));
        for (i, cell) in self.header.iter().enumerate() {
            let _ = write!(out, "<th scope=\"col\"{}>{}</th>", align(i), header(cell));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in &self.rows {
            let class = match (row.sub, has_sub) {
                (true, _) => " class=\"sub\"",
                (false, true) => " class=\"main\"",
                (false, false) => "",
            };
            let _ = write!(out, "<tr{class}>");
            for (i, cell) in row.cells.iter().enumerate() {
                if i == 0 {
                    let _ = write!(out, "<th scope=\"row\">{}</th>", escape_html(cell));
                } else {
                    let _ = write!(out, "<td{}>{}</td>", align(i), escape_html(cell));
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_inert_in_html() {
        let nasty = "A <b>&</b> \"x\" 'y' | *z* [l](u)\n#";
        assert_eq!(
            escape_html(nasty),
            "A &lt;b&gt;&amp;&lt;/b&gt; &quot;x&quot; &#39;y&#39; | *z* [l](u) #"
        );
    }

    #[test]
    fn tables_render_in_three_formats() {
        let mut table = Table::new(
            vec!["Area".into(), "Score".into()],
            vec![Align::Left, Align::Right],
        );
        table.row(vec!["Fit".into(), "50 %".into()]);
        table.sub_row(vec!["A|b".into(), "100 %".into()]);
        assert_eq!(
            table.text(),
            "Area   Score\n────────────\nFit     50 %\n  A|b  100 %\n"
        );
        assert_eq!(
            table.markdown(),
            "| Area | Score |\n| --- | ---: |\n| **Fit** | 50 % |\n| · A\\|b | 100 % |\n"
        );
        let html = table.html("t");
        assert!(html.contains(
            "<tr class=\"sub\"><th scope=\"row\">A|b</th><td class=\"num\">100 %</td></tr>"
        ));
    }
}
