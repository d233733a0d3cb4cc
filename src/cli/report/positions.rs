//! The report's formal competence: the chosen rounds' positions against the 2031
//! requirement, counted once per round by `domain::requirement::status_table` (small groups
//! suppressed as the positions screen does), beside the national 2020 baseline. The tables
//! are shared with `compare`.

use crate::cli::document::{Block, Table};
use crate::domain::requirement::{Counts, Requirement, RoundStatus, StatusRow, StatusTable};
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::usecase::rounds::RoundData;

/// Whether a round has any position recorded, covered or not.
pub fn has_positions(table: &StatusTable) -> bool {
    table.not_covered > 0 || table.rows.iter().any(|row| row.n > 0)
}

pub struct PositionsSection<'a> {
    pub lang: Lang,
    pub rounds: &'a [RoundData],
    /// The status of each chosen round, as `usecase::positions::positions_by_round` gives it.
    pub statuses: &'a [RoundStatus],
    pub min_group: usize,
}

impl PositionsSection<'_> {
    pub fn blocks(&self, blocks: &mut Vec<Block>) {
        let lang = self.lang;
        blocks.push(Block::Heading(
            tr(lang, "report.positions_heading").to_string(),
            "positions",
        ));
        blocks.push(Block::Paragraph(about(lang, self.min_group)));
        let with_positions: Vec<&RoundStatus> = self
            .statuses
            .iter()
            .filter(|s| has_positions(&s.table))
            .collect();
        let Some(latest) = with_positions.last() else {
            blocks.push(Block::Paragraph(
                tr(lang, "report.positions_none").to_string(),
            ));
            return;
        };
        blocks.push(Block::Subheading(trf(
            lang,
            "report.positions_round",
            &[("round", &self.title(latest))],
        )));
        blocks.push(Block::Table(status_table(lang, &latest.table), "positions"));
        if let Some(line) = not_covered_line(lang, &latest.table) {
            blocks.push(Block::Paragraph(line));
        }
        blocks.push(Block::Note(present::baseline(lang, true)));
        if with_positions.len() > 1 {
            blocks.push(Block::Subheading(
                tr(lang, "report.positions_by_round").to_string(),
            ));
            let rounds: Vec<(String, &StatusTable)> = self
                .statuses
                .iter()
                .map(|s| (self.title(s), &s.table))
                .collect();
            blocks.push(Block::Table(
                progress_table(lang, &rounds),
                "positions-by-round",
            ));
        }
    }

    /// The round's title as every other section writes it.
    fn title(&self, status: &RoundStatus) -> String {
        self.rounds
            .iter()
            .find(|r| r.round.id == status.round_id)
            .map_or_else(|| status.label.clone(), |r| r.title(self.lang))
    }
}

/// What the requirement is, how it is met, its rules' key, version and source.
pub fn about(lang: Lang, min_group: usize) -> String {
    let r = Requirement::standard();
    trf(
        lang,
        "report.positions_about",
        &[
            ("name", &r.name.get(lang)),
            ("date", &present::date(lang, r.applies_from)),
            ("ways", &present::requirement_ways(lang)),
            ("reading", &r.reading_note.get(lang)),
            ("key", &r.key),
            ("version", &r.version),
            ("source", &r.source.get(lang)),
            ("last", &r.last_planned_year()),
            ("min", &crate::domain::compare::min_group(min_group)),
        ],
    )
}

/// "Other positions, not covered by the requirement: n", where there are any.
pub fn not_covered_line(lang: Lang, table: &StatusTable) -> Option<String> {
    (table.not_covered > 0)
        .then(|| trf(lang, "positions.not_covered", &[("n", &table.not_covered)]))
}

/// The three status columns' headers.
fn status_headers(lang: Lang) -> [String; 3] {
    let year = Requirement::standard()
        .applies_from
        .format("%Y")
        .to_string();
    [
        tr(lang, "report.col_meets").to_string(),
        trf(lang, "report.col_will", &[("year", &year)]),
        tr(lang, "report.col_will_not").to_string(),
    ]
}

/// A group's three status cells: counts with their share, or why there are none.
fn status_cells(lang: Lang, row: &StatusRow) -> [String; 3] {
    match row.counts {
        Counts::Shown(c) => {
            [c.meets, c.will, c.will_not].map(|part| present::status_count(lang, part, &c))
        }
        Counts::Empty => [(); 3].map(|_| present::NONE.to_string()),
        Counts::TooFew => [(); 3].map(|_| tr(lang, "report.too_few").to_string()),
        Counts::Protects => [(); 3].map(|_| tr(lang, "report.protects").to_string()),
    }
}

/// One round's table: each covered role and all, with n, the three statuses and the
/// national figure for the same group.
pub fn status_table(lang: Lang, table: &StatusTable) -> Table {
    let r = Requirement::standard();
    let mut header = vec![
        tr(lang, "positions.table_group").to_string(),
        tr(lang, "positions.table_n").to_string(),
    ];
    header.extend(status_headers(lang));
    header.push(trf(
        lang,
        "report.col_baseline",
        &[("year", &r.baseline.year)],
    ));
    let mut out = Table::numbers(header);
    for row in &table.rows {
        let code = row.role.map_or("all", |role| role.code());
        let mut cells = vec![
            tr(lang, present::position_group_key(row.role)).to_string(),
            row.n.to_string(),
        ];
        cells.extend(status_cells(lang, row));
        cells.push(
            r.baseline_for(code)
                .map_or_else(String::new, |f| present::baseline_figure(lang, f)),
        );
        out.row(cells);
    }
    out
}

/// All covered positions round by round: n, the three statuses, and those not covered.
pub fn progress_table(lang: Lang, rounds: &[(String, &StatusTable)]) -> Table {
    let mut header = vec![
        tr(lang, "report.col_round").to_string(),
        tr(lang, "positions.table_n").to_string(),
    ];
    header.extend(status_headers(lang));
    header.push(tr(lang, "report.col_not_covered").to_string());
    let mut out = Table::numbers(header);
    for (title, table) in rounds {
        let Some(all) = table.rows.last() else {
            continue;
        };
        let mut cells = vec![title.clone(), all.n.to_string()];
        cells.extend(status_cells(lang, all));
        cells.push(table.not_covered.to_string());
        out.row(cells);
    }
    out
}
