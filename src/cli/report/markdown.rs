//! `report --format markdown`: the report's sections through the one Markdown writer that
//! `compare --format markdown` uses too.

use crate::cli::document::Block;

/// The report as a Markdown document, with its title.
pub fn write(title: &str, blocks: &[Block]) -> String {
    crate::cli::compare::markdown::document(title, blocks)
}
