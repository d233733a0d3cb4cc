//! What the two compared rounds hold beside their answers: the service's competence needs
//! (mastery, importance, gap, top three) and its posts against the 2031 requirement, loaded
//! once for the text, Markdown and JSON writers; its tables are the report's too.

use crate::cli::document::{Block, Table};
use crate::domain::needs::{Area, Gap, Need, gaps};
use crate::domain::requirement::{Counts, Requirement, StatusRow, StatusTable};
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::store::{Backend, StoreError};
use crate::usecase::positions::PositionsData;
use crate::usecase::rounds::RoundData;

/// One compared round's needs and posts.
pub struct RoundCompetence {
    pub title: String,
    /// The round's needs in the order the store keeps them.
    pub needs: Vec<Need>,
    /// Its posts counted per role, small groups suppressed as on the positions screen.
    pub positions: StatusTable,
}

/// The from-round's and the to-round's needs and posts, with the service's areas (the
/// shipped list, then its own).
pub struct Competence {
    pub areas: Vec<Area>,
    pub from: RoundCompetence,
    pub to: RoundCompetence,
}

impl Competence {
    pub fn load(
        store: &impl Backend,
        lang: Lang,
        service_id: &str,
        from: &RoundData,
        to: &RoundData,
        min_group: usize,
    ) -> Result<Competence, StoreError> {
        let round = |data: &RoundData| -> Result<RoundCompetence, StoreError> {
            Ok(RoundCompetence {
                title: data.title(lang),
                needs: store.needs(&data.round.id)?,
                positions: PositionsData::load(store, &data.round, min_group)?.table,
            })
        };
        Ok(Competence {
            areas: store.areas(service_id)?,
            from: round(from)?,
            to: round(to)?,
        })
    }

    /// The needs' gaps side by side, then each round's posts against 2031.
    pub fn blocks(&self, lang: Lang, min_group: usize, blocks: &mut Vec<Block>) {
        let rounds = [&self.from, &self.to];
        blocks.push(Block::Heading(
            tr(lang, "report.needs_heading").to_string(),
            "needs",
        ));
        if rounds.iter().all(|r| r.needs.is_empty()) {
            blocks.push(Block::Paragraph(
                tr(lang, "report.compare_needs_none").to_string(),
            ));
        } else {
            blocks.push(Block::Paragraph(
                tr(lang, "report.needs_gap_by_round").to_string(),
            ));
            let titles = rounds.map(|r| r.title.clone());
            let needs = rounds.map(|r| r.needs.as_slice());
            blocks.push(Block::Table(
                gap_by_round_table(lang, &self.areas, &titles, &needs),
                "needs-by-round",
            ));
        }
        blocks.push(Block::Heading(
            tr(lang, "report.positions_heading").to_string(),
            "positions",
        ));
        if !rounds.iter().any(|r| has_positions(&r.positions)) {
            blocks.push(Block::Paragraph(
                tr(lang, "report.compare_positions_none").to_string(),
            ));
            return;
        }
        blocks.push(Block::Paragraph(about(lang, min_group)));
        for round in rounds {
            blocks.push(Block::Subheading(round.title.clone()));
            // A table of dashes would read as a service without leaders or caseworkers.
            if !has_positions(&round.positions) {
                blocks.push(Block::Paragraph(
                    tr(lang, "report.positions_round_none").to_string(),
                ));
                continue;
            }
            blocks.push(Block::Table(
                status_table(lang, &round.positions),
                "positions",
            ));
            if let Some(line) = not_covered_line(lang, &round.positions) {
                blocks.push(Block::Paragraph(line));
            }
        }
    }
}

/// Whether a round has any position recorded, covered or not.
pub fn has_positions(table: &StatusTable) -> bool {
    table.not_covered > 0 || table.rows.iter().any(|row| row.n > 0)
}

/// Each area's gap in each round, `+3 (2→5)`, marked ✓ where the round has it among its top
/// three; `–` where a round has the area without a gap, empty where it has nothing for it.
/// Areas with nothing in any round are left out.
pub fn gap_by_round_table(
    lang: Lang,
    areas: &[Area],
    titles: &[String],
    needs: &[&[Need]],
) -> Table {
    let mut header = vec![tr(lang, "report.col_area").to_string()];
    header.extend(titles.iter().cloned());
    let mut table = Table::numbers(header);
    let per_round: Vec<Vec<Gap>> = needs.iter().map(|n| gaps(areas, n)).collect();
    for area in areas {
        let cells: Vec<String> = per_round
            .iter()
            .zip(needs)
            .map(|(gaps, needs)| {
                let Some(need) = needs.iter().find(|n| n.area_key == area.key) else {
                    return String::new();
                };
                let gap = gaps.iter().find(|g| g.area_key == area.key).map_or_else(
                    || present::NONE.to_string(),
                    |g| {
                        format!(
                            "{} ({}→{})",
                            present::gap(lang, g.gap),
                            g.mastery,
                            g.importance
                        )
                    },
                );
                if need.top_three {
                    format!("{gap} ✓")
                } else {
                    gap
                }
            })
            .collect();
        if cells.iter().any(|c| !c.is_empty()) {
            let mut row = vec![area.name.get(lang).to_string()];
            row.extend(cells);
            table.row(row);
        }
    }
    table
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
            tr(lang, present::status_group_key(row.role)).to_string(),
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
