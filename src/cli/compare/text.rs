//! `compare --format text`: the document's blocks for a terminal, tables padded.

use std::fmt::Write as _;

use crate::cli::document::{Align, Block, Table, TableRow};

/// The blocks as plain text for a terminal: headings as lines, tables padded.
fn text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(text, _) | Block::Subheading(text) => {
                // A heading stands apart from what came before it.
                if !out.is_empty() && !out.ends_with("\n\n") {
                    out.push('\n');
                }
                let _ = writeln!(out, "{text}\n");
            }
            Block::Paragraph(text) | Block::Note(text) => {
                let _ = writeln!(out, "{text}");
            }
            Block::Table(table, _) => {
                let _ = writeln!(out, "{}", table.text());
            }
            Block::Chart(_) | Block::Stacked(_) => {}
        }
    }
    out
}

/// The text document, with its title.
pub fn document(title: &str, blocks: &[Block]) -> String {
    format!("{title}\n{}", text(blocks))
}

impl Table {
    /// Columns padded to their widest cell, for a terminal.
    pub fn text(&self) -> String {
        if let Some(order) = &self.text_order {
            return self.columns(order).text();
        }
        let first = |row: &TableRow, i: usize, cell: &str| {
            if i == 0 && row.sub {
                format!("  {cell}")
            } else {
                cell.to_string()
            }
        };
        let lines: Vec<Vec<String>> = std::iter::once(self.header.clone())
            .chain(self.rows.iter().map(|row| {
                row.cells
                    .iter()
                    .enumerate()
                    .map(|(i, c)| first(row, i, c))
                    .collect()
            }))
            .collect();
        let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|i| {
                lines
                    .iter()
                    .filter_map(|l| l.get(i))
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for (index, line) in lines.iter().enumerate() {
            let mut text = String::new();
            for (i, cell) in line.iter().enumerate() {
                let pad = " ".repeat(widths[i] - cell.chars().count());
                if i > 0 {
                    text.push_str("  ");
                }
                match self.align_of(i) {
                    Align::Left => {
                        text.push_str(cell);
                        text.push_str(&pad);
                    }
                    Align::Right => {
                        text.push_str(&pad);
                        text.push_str(cell);
                    }
                }
            }
            let _ = writeln!(out, "{}", text.trim_end());
            if index == 0 {
                let rule: usize = widths.iter().sum::<usize>() + 2 * columns.saturating_sub(1);
                let _ = writeln!(out, "{}", "─".repeat(rule));
            }
        }
        out
    }
}
