//! The document both `compare` and `report` build once from their model: headings,
//! paragraphs, tables of plain text and charts, and the cells they share. Each format writes
//! it: text (`compare::text`), Markdown (`compare::markdown`), HTML and SVG (`report::html`,
//! `report::svg`), each escaping for itself.

use crate::domain::model::Role;
use crate::i18n::{Lang, tr};
pub use crate::messages::quoted;
use crate::present;

// ---- cells ----

/// "3 (50 %)": a consensus value on its scale, then as percent; "–" without one.
pub fn consensus_cell(consensus: Option<(u8, f64)>) -> String {
    consensus.map_or_else(
        || "–".to_string(),
        |(value, p)| format!("{value} ({})", present::percent(Some(p))),
    )
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

// ---- the document ----

pub enum Block {
    /// A top-level part of the report, with a stable id for links.
    Heading(String, &'static str),
    Subheading(String),
    Paragraph(String),
    Note(String),
    Table(Table, &'static str),
    Chart(Chart),
    /// Stacked bars of counts; the table after it holds the same numbers.
    Stacked(Stacked),
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

/// Stacked horizontal bars: one bar per row, its segments the counts of each part (how many
/// services are in each band), each bar the whole of its row.
pub struct Stacked {
    pub id: String,
    pub title: String,
    /// The parts' names, in the order of each row's counts; the colours follow the order.
    pub parts: Vec<String>,
    /// Each part's symbol, written before its count in a segment wide enough, so that a
    /// segment reads without its colour ("" for none).
    pub marks: Vec<&'static str>,
    /// A row's name, whether it is a subdomain under its section, and its counts.
    pub rows: Vec<(String, bool, Vec<usize>)>,
}

#[derive(Clone, Copy)]
pub enum Bar {
    Score(f64),
    NoScore,
    TooFew,
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

    /// A table of numbers: the row headers (areas, subdomains) in the first column, left;
    /// every other column right-aligned.
    pub fn numbers(header: Vec<String>) -> Table {
        let mut align = vec![Align::Left];
        align.extend(std::iter::repeat_n(
            Align::Right,
            header.len().saturating_sub(1),
        ));
        Table::new(header, align)
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let html = table.html("t").into_string();
        assert!(html.contains(
            "<tr class=\"sub\"><th scope=\"row\">A|b</th><td class=\"num\">100 %</td></tr>"
        ));
    }
}
