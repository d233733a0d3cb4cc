//! The document's blocks as Markdown: `compare --format markdown`, and the report's
//! Markdown too. Every text is escaped here, so that none can start markup.

use std::fmt::Write as _;

use crate::cli::document::{Align, Block, Table};
use crate::domain::model::is_direction_control;

fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(text, _) => {
                let _ = writeln!(out, "## {}\n", escape_markdown(text));
            }
            Block::Subheading(text) => {
                let _ = writeln!(out, "### {}\n", escape_markdown(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "{}\n", escape_markdown(text));
            }
            Block::Note(text) => {
                let _ = writeln!(out, "*{}*\n", escape_markdown(text));
            }
            Block::Table(table, _) => {
                let _ = writeln!(out, "{}", table.markdown());
            }
            // The chart's numbers are in the table beside it.
            Block::Chart(_) | Block::Stacked(_) => {}
        }
    }
    out
}

/// The Markdown document, with its title.
pub fn document(title: &str, blocks: &[Block]) -> String {
    format!("# {}\n\n{}", escape_markdown(title), markdown(blocks))
}

/// Text made inert in Markdown, also inside a table cell: no emphasis, links, HTML,
/// entities, code or cell breaks, and on one line. CommonMark's backslash escapes keep the
/// source readable as plain text too.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c if is_direction_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

impl Table {
    /// Section rows are bold when the table has subdomain rows at all.
    pub fn markdown(&self) -> String {
        let has_sub = self.rows.iter().any(|r| r.sub);
        let mut out = String::new();
        let cells = |cells: &[String]| cells.iter().map(|c| escape_markdown(c)).collect::<Vec<_>>();
        let _ = writeln!(out, "| {} |", cells(&self.header).join(" | "));
        let rule: Vec<&str> = (0..self.header.len())
            .map(|i| match self.align_of(i) {
                Align::Left => "---",
                Align::Right => "---:",
            })
            .collect();
        let _ = writeln!(out, "| {} |", rule.join(" | "));
        for row in &self.rows {
            let mut cells = cells(&row.cells);
            if let Some(first) = cells.first_mut() {
                if row.sub {
                    *first = format!("· {first}");
                } else if has_sub {
                    *first = format!("**{first}**");
                }
            }
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_inert_in_markdown() {
        let nasty = "A <b>&</b> \"x\" 'y' | *z* [l](u)\n#";
        assert_eq!(
            escape_markdown(nasty),
            "A \\<b\\>\\&\\</b\\> \"x\" 'y' \\| \\*z\\* \\[l\\](u) \\#"
        );
    }
}
