//! The report's formal competence: the chosen rounds' positions against the 2031
//! requirement, counted once per round by `domain::requirement::status_table` (small groups
//! suppressed as the positions screen does), beside the national 2020 baseline. The tables
//! are `compare`'s (`compare::competence`).

use crate::cli::compare::competence::{
    about, has_positions, not_covered_line, progress_table, status_table,
};
use crate::cli::document::Block;
use crate::domain::requirement::{RoundStatus, StatusTable};
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::usecase::rounds::RoundData;

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
