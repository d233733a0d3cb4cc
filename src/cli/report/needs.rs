//! The report's competence needs: what the service said it needs in the chosen rounds, the
//! gap between importance and mastery beside its readiness, what it expects of the
//! programme and the facts that explain the need (issue 14; seed 004, ch. 3.1.3–3.2 and 5).

use crate::cli::compare::competence::gap_by_round_table;
use crate::cli::document::{Align, Block, Table};
use crate::domain::compare::Options;
use crate::domain::instrument::Instrument;
use crate::domain::needs::{
    Area, Expectations, FactField, Facts, Gap, Need, READINESS_SECTION, gaps, readiness,
};
use crate::domain::scoring::{Tally, summarize};
use crate::i18n::{Lang, tr, trf};
use crate::messages::fact_key;
use crate::present;
use crate::store::{Needs, StoreError};
use crate::usecase::rounds::RoundData;

/// What one chosen round holds about the service's needs.
pub struct RoundNeeds {
    pub needs: Vec<Need>,
    pub expectations: Expectations,
    pub facts: Facts,
}

impl RoundNeeds {
    fn is_empty(&self) -> bool {
        self.needs.is_empty() && self.expectations.is_empty() && self.facts.is_empty()
    }
}

/// The needs of the service's areas and of each chosen round, in the rounds' order.
pub fn load(
    store: &impl Needs,
    service_id: &str,
    rounds: &[RoundData],
) -> Result<(Vec<Area>, Vec<RoundNeeds>), StoreError> {
    let areas = store.areas(service_id)?;
    let rounds = rounds
        .iter()
        .map(|r| {
            Ok(RoundNeeds {
                needs: store.needs(&r.round.id)?,
                expectations: store.expectations(&r.round.id)?,
                facts: store.facts(&r.round.id)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((areas, rounds))
}

pub struct NeedsSection<'a> {
    pub instrument: &'a Instrument,
    pub lang: Lang,
    pub options: Options,
    pub areas: &'a [Area],
    pub rounds: &'a [RoundData],
    pub needs: &'a [RoundNeeds],
}

impl NeedsSection<'_> {
    fn tr(&self, key: &str) -> String {
        tr(self.lang, key).to_string()
    }

    pub fn blocks(&self, blocks: &mut Vec<Block>) {
        blocks.push(Block::Heading(self.tr("report.needs_heading"), "needs"));
        blocks.push(Block::Paragraph(self.tr("report.needs_about")));
        if self.needs.iter().all(RoundNeeds::is_empty) {
            blocks.push(Block::Paragraph(self.tr("report.needs_none")));
            return;
        }
        // The latest chosen round with needs: what the service stands before now.
        let latest = self
            .rounds
            .iter()
            .zip(self.needs)
            .rev()
            .find(|(_, n)| !n.needs.is_empty());
        if let Some((round, needs)) = latest {
            blocks.push(Block::Subheading(trf(
                self.lang,
                "report.needs_round",
                &[("round", &round.title(self.lang))],
            )));
            // Scored once from the round's answers, for the line and the table.
            let readiness = self.readiness(round);
            blocks.push(Block::Paragraph(self.readiness_line(round, &readiness)));
            blocks.push(Block::Table(
                self.needs_table(readiness.percent(), &needs.needs),
                "needs",
            ));
        }
        if self.needs.iter().filter(|n| !n.needs.is_empty()).count() > 1 {
            blocks.push(Block::Subheading(self.tr("report.needs_gap_by_round")));
            let titles: Vec<String> = self.rounds.iter().map(|r| r.title(self.lang)).collect();
            let needs: Vec<&[Need]> = self.needs.iter().map(|n| n.needs.as_slice()).collect();
            blocks.push(Block::Table(
                gap_by_round_table(self.lang, self.areas, &titles, &needs),
                "needs-by-round",
            ));
        }
        if self.needs.iter().any(|n| !n.expectations.is_empty()) {
            blocks.push(Block::Subheading(self.tr("report.expectations_heading")));
            blocks.push(Block::Table(self.expectations_table(), "expectations"));
        }
        if self.needs.iter().any(|n| !n.facts.is_empty()) {
            blocks.push(Block::Subheading(self.tr("report.facts_heading")));
            blocks.push(Block::Paragraph(self.tr("report.facts_note")));
            blocks.push(Block::Table(self.facts_table(), "facts"));
        }
    }

    /// The round's readiness tally, as the summary counts it.
    fn readiness(&self, round: &RoundData) -> Tally {
        summarize(self.instrument, &round.counted_sets(self.options))
            .into_iter()
            .find(|s| s.key == READINESS_SECTION)
            .map(|s| s.tally)
            .unwrap_or_default()
    }

    fn readiness_line(&self, round: &RoundData, readiness: &Tally) -> String {
        let score = present::score(readiness);
        trf(
            self.lang,
            "report.needs_readiness",
            &[
                ("score", &score),
                (
                    "n",
                    &round.counted_sets(self.options).len().to_string().as_str(),
                ),
            ],
        )
    }

    fn area_name(&self, key: &str) -> String {
        present::competence_area_name(self.areas, self.lang, key)
    }

    /// Areas with anything recorded: those with a gap in the gap's order, then the others
    /// in list order.
    fn ordered<'n>(&self, needs: &'n [Need]) -> (Vec<Gap>, Vec<&'n Need>) {
        let gaps = gaps(self.areas, needs);
        let mut rest: Vec<&Need> = needs
            .iter()
            .filter(|n| !gaps.iter().any(|g| g.area_key == n.area_key))
            .collect();
        let order = |n: &Need| self.areas.iter().position(|a| a.key == n.area_key);
        rest.sort_by_key(|n| order(n));
        (gaps, rest)
    }

    fn needs_table(&self, percent: Option<f64>, needs: &[Need]) -> Table {
        let lang = self.lang;
        let mut table = Table::new(
            [
                "report.col_area",
                "report.col_mastery",
                "report.col_importance",
                "report.col_gap",
                "report.col_top_three",
                "report.col_who",
                "report.col_ready",
                "report.col_missing",
            ]
            .iter()
            .map(|k| self.tr(k))
            .collect(),
            vec![
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Left,
                Align::Left,
                Align::Left,
                Align::Left,
            ],
        );
        table.text_order = Some(vec![0, 1, 2, 3, 4, 5, 6, 7]);
        let (gaps, rest) = self.ordered(needs);
        let find = |key: &str| needs.iter().find(|n| n.area_key == key);
        let number = |v: Option<u8>| v.map_or_else(|| present::NONE.to_string(), |v| v.to_string());
        let mut row = |need: &Need, gap: Option<&Gap>| {
            let gap_text =
                gap.map_or_else(|| present::NONE.to_string(), |g| present::gap(lang, g.gap));
            table.row(vec![
                self.area_name(&need.area_key),
                number(need.mastery),
                number(need.importance),
                gap_text,
                if need.top_three { "✓" } else { "" }.to_string(),
                need.who
                    .map_or(String::new(), |w| self.tr(present::who_key(w))),
                self.tr(present::readiness_key(readiness(need.top_three, percent))),
                need.missing.clone(),
            ]);
        };
        for gap in &gaps {
            if let Some(need) = find(&gap.area_key) {
                row(need, Some(gap));
            }
        }
        for need in rest {
            row(need, None);
        }
        table
    }

    fn expectations_table(&self) -> Table {
        let mut table = Table::new(
            [
                "report.col_round",
                "report.col_wants",
                "report.col_knows_why",
                "report.col_own_wish",
                "report.col_own_words",
            ]
            .iter()
            .map(|k| self.tr(k))
            .collect(),
            vec![Align::Left; 5],
        );
        let answer = |a| present::answer(self.lang, a);
        for (round, needs) in self.rounds.iter().zip(self.needs) {
            let e = &needs.expectations;
            if e.is_empty() {
                continue;
            }
            let wants: Vec<String> = e
                .wants
                .iter()
                .map(|w| self.tr(present::expectation_key(*w)))
                .collect();
            table.row(vec![
                round.title(self.lang),
                wants.join(", "),
                answer(e.knows_why),
                answer(e.own_wish),
                e.text.clone(),
            ]);
        }
        table
    }

    fn facts_table(&self) -> Table {
        let mut header = vec![self.tr("report.col_fact")];
        header.extend(self.rounds.iter().map(|r| r.title(self.lang)));
        let mut table = Table::numbers(header);
        for field in FactField::ALL {
            let mut row = vec![self.tr(fact_key(field))];
            row.extend(self.needs.iter().map(|n| {
                n.facts
                    .get(field)
                    .map_or_else(String::new, |v| present::fact(self.lang, field, v))
            }));
            table.row(row);
        }
        table
    }
}
