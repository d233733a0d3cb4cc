//! `kartlegg compare`: two rounds of a service side by side, as text, JSON or Markdown:
//! the comparison is decided once into its rows (`usecase::comparison`), the document once
//! into blocks, and each format only writes them.
//! The JSON is documented, field by field, in docs/compare-and-report.md; its keys are
//! English and stable whatever the language.

pub mod competence;
pub mod json;
pub mod markdown;
pub mod tables;
pub mod text;

use std::process::ExitCode;

use super::document::{Block, legend, quoted};
use crate::domain::compare::{MIN_GROUP, Options};
use crate::domain::instrument::Instrument;
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::store::Store;
use crate::usecase::comparison::{ComparisonModel, ComparisonRows, PlanRows};
use crate::usecase::rounds::find_pair;
use competence::Competence;
use tables::{
    backwards_warning, consultant_table, counted_note, dont_know_table, dont_know_total,
    items_table, not_comparable_table, paired_note, paired_table, roles_table, round_line,
    sections_table,
};

/// Version of the JSON document; raised when a field changes meaning or goes away: 2 added
/// the consensus, stage, plan items and goals; 3 computes a change over the items scored in
/// both rounds, adds its coverage, interval and paired change, the shares of "don't know" and
/// "not applicable", and keeps the process leader apart; 4 hides a role group section by
/// section, those too few and those that would give them away (`hidden`), every section
/// listed; 5 adds the rounds' competence needs (`needs`) and their posts against the 2031
/// requirement (`positions_2031`).
pub const JSON_FORMAT_VERSION: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for the terminal
    Text,
    /// Stable English keys, documented in docs/compare-and-report.md
    Json,
    Markdown,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// The service: its id, or its name in any case
    #[arg(long, value_name = "NAME_OR_ID")]
    pub service: String,

    /// The earlier round: its label in any case, or its id
    #[arg(long, value_name = "ROUND")]
    pub from: String,

    /// The later round: its label in any case, or its id
    #[arg(long, value_name = "ROUND")]
    pub to: String,

    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Role groups with fewer respondents show their n only, no scores (3 or more)
    #[arg(long, value_name = "N", default_value_t = MIN_GROUP, value_parser = parse_min_group)]
    pub min_group: usize,

    /// Pool the process leader's (consultant's) answers into the service's scores; by
    /// default they are shown apart
    #[arg(long)]
    pub with_consultant: bool,
}

pub fn run(store: &Store, instrument: &Instrument, lang: Lang, request: &CompareArgs) -> ExitCode {
    if let Some(refused) = below_floor(lang, request.min_group) {
        return refused;
    }
    let (service, from, to, plan) =
        match find_pair(store, &request.service, &request.from, &request.to) {
            Ok(found) => found,
            Err(e) => return super::lookup_failed(lang, &e),
        };
    let options = Options {
        with_consultant: request.with_consultant,
    };
    let model = ComparisonModel::new(instrument, &service, &from, &to, options);
    let rows = ComparisonRows::new(instrument, lang, &model, request.min_group);
    if rows.backwards {
        super::complain(&backwards_warning(lang, &rows));
    }
    let competence = match Competence::load(store, lang, &service.id, &from, &to, request.min_group)
    {
        Ok(found) => found,
        Err(e) => return super::lookup_failed(lang, &e.into()),
    };
    let output = match request.format {
        Format::Text => text::document(&title(lang, &rows), &blocks(lang, &rows, &competence)),
        Format::Markdown => {
            markdown::document(&title(lang, &rows), &blocks(lang, &rows, &competence))
        }
        Format::Json => json::write(
            lang,
            &rows,
            &PlanRows::new(instrument, lang, &plan, &from.round, &to.round),
            &competence,
        ),
    };
    super::print(&output)
}

fn title(lang: Lang, rows: &ComparisonRows) -> String {
    trf(
        lang,
        "report.compare_title",
        &[("service", &quoted(lang, &rows.service.name))],
    )
}

/// The comparison as a document: the rounds, how to read it, the change per area, paired,
/// the process leader apart, the items, "don't know", the roles, the competence needs and the
/// posts against 2031.
fn blocks(lang: Lang, rows: &ComparisonRows, competence: &Competence) -> Vec<Block> {
    let mut blocks = vec![
        Block::Paragraph(round_line(lang, "report.from_round", &rows.from)),
        Block::Paragraph(round_line(lang, "report.to_round", &rows.to)),
    ];
    if rows.backwards {
        blocks.push(Block::Paragraph(backwards_warning(lang, rows)));
    }
    if let Some(note) = counted_note(lang, rows) {
        blocks.push(Block::Paragraph(note));
    }
    blocks.push(Block::Note(present::rules_note(lang)));
    blocks.push(Block::Note(tr(lang, "report.bands_note").to_string()));
    blocks.push(Block::Note(legend(lang)));
    blocks.push(Block::Note(present::change_legend(lang)));
    blocks.push(Block::Table(sections_table(lang, rows), "scores"));
    if rows.has_consensus {
        blocks.push(Block::Note(tr(lang, "report.consensus_note").to_string()));
    }
    blocks.push(Block::Heading(
        tr(lang, "report.paired_heading").to_string(),
        "paired",
    ));
    blocks.push(Block::Paragraph(paired_note(lang, rows)));
    if let Some(table) = paired_table(lang, rows) {
        blocks.push(Block::Table(table, "paired"));
    }
    if let Some(table) = consultant_table(lang, rows) {
        blocks.push(Block::Heading(
            tr(lang, "report.consultant_heading").to_string(),
            "consultant",
        ));
        blocks.push(Block::Table(table, "consultant"));
    }
    blocks.push(Block::Heading(
        tr(lang, "report.items_heading").to_string(),
        "items",
    ));
    blocks.push(Block::Paragraph(
        tr(lang, "report.items_scale_note").to_string(),
    ));
    blocks.push(Block::Table(items_table(lang, rows, None), "items"));
    blocks.push(Block::Heading(
        tr(lang, "report.not_comparable_heading").to_string(),
        "not-comparable",
    ));
    blocks.push(Block::table_or(
        not_comparable_table(lang, rows),
        "not-comparable",
        tr(lang, "report.not_comparable_none").to_string(),
    ));
    blocks.push(Block::Heading(
        tr(lang, "report.dont_know_heading").to_string(),
        "dont-know",
    ));
    blocks.push(Block::Paragraph(dont_know_total(lang, rows)));
    blocks.push(Block::table_or(
        dont_know_table(lang, rows),
        "dont-know",
        tr(lang, "report.dont_know_none").to_string(),
    ));
    blocks.push(Block::Heading(
        tr(lang, "report.roles_heading").to_string(),
        "roles",
    ));
    blocks.push(Block::Paragraph(trf(
        lang,
        "report.roles_note",
        &[("min", &rows.min_group)],
    )));
    for round in [&rows.from, &rows.to] {
        blocks.push(Block::Subheading(round.title.clone()));
        blocks.push(Block::Table(
            roles_table(lang, &rows.section_names, &round.roles),
            "roles",
        ));
    }
    competence.blocks(lang, rows.min_group, &mut blocks);
    blocks
}

/// `--min-group`: a whole number (held to the floor by `below_floor`, in the user's words).
pub fn parse_min_group(value: &str) -> Result<usize, String> {
    value
        .trim()
        .parse::<usize>()
        .map_err(|_| format!("'{value}' is not a group size (a whole number, {MIN_GROUP} or more)"))
}

/// A `--min-group` under the floor is refused, not quietly raised: the user asked to see
/// smaller groups, and is told why they cannot.
pub fn below_floor(lang: Lang, min_group: usize) -> Option<ExitCode> {
    (min_group < MIN_GROUP).then(|| {
        super::complain(&trf(
            lang,
            "cli.min_group_floor",
            &[("n", &min_group), ("floor", &MIN_GROUP)],
        ));
        ExitCode::from(super::exit::USAGE)
    })
}
