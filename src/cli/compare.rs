//! `kartlegg compare`: two rounds of a service side by side, as text, JSON or Markdown.
//! The JSON is documented, field by field, in docs/compare-and-report.md; its keys are
//! English and stable whatever the language.

use std::process::ExitCode;

use serde::Serialize;

use super::report_model::{
    Align, Block, Table, band_code, consensus_change, legend, markdown_document, quoted, role_name,
    text_document,
};
use crate::domain::compare::{
    AreaChange, COMPARABLE_SHARE, Change, DEFAULT_MIN_GROUP, INTERVAL_LEVEL,
    MIN_RESPONDENTS_FOR_STAR, NOTABLE_POINTS, Options, RoleGroup, by_role,
};
use crate::domain::instrument::Instrument;
use crate::domain::plan::{GoalStatus, Level, Stage};
use crate::domain::scoring::{DONT_KNOW_FLAG_SHARE, DONT_KNOW_MIN_ANSWERS, Tally};
use crate::i18n::plan_names::stage_key;
use crate::i18n::{Lang, tr, trf};
use crate::present::{self, area_name, section_name, subdomain_name};
use crate::store::Store;
use crate::usecase::comparison::ComparisonModel;
use crate::usecase::rounds::{PlanData, RoundData, find_pair};

/// Version of the JSON document; raised when a field changes meaning or goes away: 2 added
/// the consensus, stage, plan items and goals; 3 computes a change over the items scored in
/// both rounds, adds its coverage, interval and paired change, the shares of "don't know" and
/// "not applicable", and keeps the process leader apart.
pub const JSON_FORMAT_VERSION: u32 = 3;

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

    /// Role groups with fewer respondents show their n only, no scores
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_GROUP, value_parser = parse_min_group)]
    pub min_group: usize,

    /// Pool the process leader's (consultant's) answers into the service's scores; by
    /// default they are shown apart
    #[arg(long)]
    pub with_consultant: bool,
}

pub fn run(store: &Store, instrument: &Instrument, lang: Lang, request: &CompareArgs) -> ExitCode {
    let (service, from, to, plan) =
        match find_pair(store, &request.service, &request.from, &request.to) {
            Ok(found) => found,
            Err(e) => return super::report_model::lookup_failed(lang, &e),
        };
    let options = Options {
        with_consultant: request.with_consultant,
    };
    let model = ComparisonModel::new(instrument, &service, &from, &to, options);
    if model.backwards() {
        super::complain(&backwards_warning(lang, &model));
    }
    let output = match request.format {
        Format::Text => text(instrument, lang, &model, request.min_group),
        Format::Markdown => markdown(instrument, lang, &model, request.min_group),
        Format::Json => json(instrument, lang, &model, &plan, request.min_group),
    };
    super::report_model::print(&output)
}

/// Says that the from-round is dated after the to-round.
pub fn backwards_warning(lang: Lang, model: &ComparisonModel) -> String {
    trf(
        lang,
        "compare.backwards",
        &[
            ("from", &model.from.title(lang)),
            ("to", &model.to.title(lang)),
        ],
    )
}

// ---- tables shared with the report ----

/// The scores as the two rounds give them over the area's comparable items, the change with
/// its interval, how many items and respondents it rests on, and the share of "don't know";
/// then the gathering's consensus and the process leader's own scores, where there are any.
pub fn sections_table(instrument: &Instrument, lang: Lang, model: &ComparisonModel) -> Table {
    let mut header = vec![
        tr(lang, "summary.area").to_string(),
        model.from.round.label.clone(),
        model.to.round.label.clone(),
        tr(lang, "report.col_change").to_string(),
        trf(lang, "report.col_interval", &[("level", &INTERVAL_LEVEL)]),
        tr(lang, "report.col_items").to_string(),
        tr(lang, "report.col_n").to_string(),
        tr(lang, "report.col_dont_know_share").to_string(),
    ];
    let consensus = model.has_consensus();
    if consensus {
        header.push(tr(lang, "report.col_consensus").to_string());
    }
    let consultant = model.comparison.consultant.as_ref();
    if consultant.is_some() {
        header.push(tr(lang, "report.col_consultant").to_string());
    }
    let mut align = vec![Align::Left];
    align.extend(std::iter::repeat_n(Align::Right, header.len() - 1));
    let mut table = Table::new(header, align);
    let row = |name: &str, area: &AreaChange| {
        let mut cells = vec![
            name.to_string(),
            present::score(&area.change.from),
            present::score(&area.change.to),
            present::area_change(area),
            present::area_interval(lang, area),
            present::coverage(area),
            present::respondents(&area.change),
            format!(
                "{} → {}",
                present::dont_know_share(&area.answers_from),
                present::dont_know_share(&area.answers_to)
            ),
        ];
        if consensus {
            cells.push(consensus_change(instrument, model, &area.key));
        }
        if let Some(consultant) = consultant {
            cells.push(match consultant.area(&area.key) {
                Some((from, to)) => format!("{} → {}", present::score(from), present::score(to)),
                None => present::NONE.to_string(),
            });
        }
        cells
    };
    for section in &model.comparison.sections {
        let mut cells = row(
            section_name(instrument, lang, &section.area.key),
            &section.area,
        );
        if consensus {
            // A consensus is agreed per subdomain, never per section.
            let column = cells.len() - 1 - usize::from(consultant.is_some());
            cells[column] = String::new();
        }
        table.row(cells);
        for subdomain in &section.subdomains {
            table.sub_row(row(
                subdomain_name(instrument, lang, &subdomain.key),
                subdomain,
            ));
        }
    }
    table
}

/// The change over the respondents whose code appears in both rounds, per area where there
/// are such respondents; `None` when there are none.
pub fn paired_table(instrument: &Instrument, lang: Lang, model: &ComparisonModel) -> Option<Table> {
    let mut table = Table::new(
        vec![
            tr(lang, "summary.area").to_string(),
            tr(lang, "report.col_pairs").to_string(),
            model.from.round.label.clone(),
            model.to.round.label.clone(),
            tr(lang, "report.col_change").to_string(),
            trf(lang, "report.col_interval", &[("level", &INTERVAL_LEVEL)]),
        ],
        vec![
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
    );
    for section in &model.comparison.sections {
        for (area, sub) in std::iter::once((&section.area, false))
            .chain(section.subdomains.iter().map(|d| (d, true)))
        {
            let Some(paired) = area.paired.as_ref().filter(|_| area.comparable()) else {
                continue;
            };
            let name = if sub {
                subdomain_name(instrument, lang, &area.key)
            } else {
                section_name(instrument, lang, &area.key)
            };
            let cells = vec![
                name.to_string(),
                paired.n_from.to_string(),
                present::score(&paired.from),
                present::score(&paired.to),
                present::change(paired),
                present::change_interval(lang, paired),
            ];
            if sub {
                table.sub_row(cells);
            } else {
                table.row(cells);
            }
        }
    }
    (!table.rows.is_empty()).then_some(table)
}

/// The process leader's own scores, apart from the service's; `None` without any.
pub fn consultant_table(
    instrument: &Instrument,
    lang: Lang,
    model: &ComparisonModel,
) -> Option<Table> {
    let consultant = model.comparison.consultant.as_ref()?;
    let mut table = Table::new(
        vec![
            tr(lang, "summary.area").to_string(),
            format!("{} (n = {})", model.from.round.label, consultant.n_from),
            format!("{} (n = {})", model.to.round.label, consultant.n_to),
        ],
        vec![Align::Left, Align::Right, Align::Right],
    );
    // Only where the process leader gave a score.
    for (key, from, to) in consultant
        .areas
        .iter()
        .filter(|(_, from, to)| from.scored + to.scored > 0)
    {
        let cells = vec![
            area_name(instrument, lang, key).to_string(),
            present::score(from),
            present::score(to),
        ];
        if key.contains('.') {
            table.sub_row(cells);
        } else {
            table.row(cells);
        }
    }
    Some(table)
}

/// " · Implementeringsfase: Tilpasse tiltak" when the round has a stage, else nothing.
pub fn stage_suffix(lang: Lang, round: &RoundData) -> String {
    round.stage.map_or_else(String::new, |stage| {
        format!(
            " · {}",
            trf(
                lang,
                "report.stage_line",
                &[("stage", &tr(lang, stage_key(stage)))]
            )
        )
    })
}

/// Comparable items, the largest change first; at most `limit` when given, and then only
/// the items that moved.
pub fn items_table(
    instrument: &Instrument,
    lang: Lang,
    model: &ComparisonModel,
    limit: Option<usize>,
) -> Table {
    let mut table = Table::new(
        vec![
            tr(lang, "report.col_item").to_string(),
            tr(lang, "report.col_mean_from").to_string(),
            tr(lang, "report.col_mean_to").to_string(),
            tr(lang, "report.col_change").to_string(),
            tr(lang, "report.col_n").to_string(),
            tr(lang, "report.col_key").to_string(),
        ],
        vec![
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
        ],
    );
    // For a terminal: the key first, the long text last.
    table = table.text_order(&[5, 4, 3, 1, 2, 0]);
    let items: Vec<&crate::domain::compare::ItemChange> = match limit {
        Some(limit) => crate::domain::trend::moved_most(&model.comparison, limit),
        None => model.comparison.items.iter().collect(),
    };
    for item in items {
        table.row(vec![
            present::numbered_item(instrument, lang, &item.key),
            present::mean(lang, item.from_mean),
            present::mean(lang, item.to_mean),
            present::change(&item.change),
            present::respondents(&item.change),
            item.key.clone(),
        ]);
    }
    table
}

/// Items answered in the rounds but without a score in both (or unknown to the
/// instrument), by number and text; `None` when there are none.
pub fn not_comparable_table(
    instrument: &Instrument,
    lang: Lang,
    model: &ComparisonModel,
) -> Option<Table> {
    if model.comparison.not_comparable.is_empty() {
        return None;
    }
    let mut table = Table::new(
        vec![
            tr(lang, "report.col_item").to_string(),
            tr(lang, "report.col_why").to_string(),
            tr(lang, "report.col_key").to_string(),
        ],
        vec![Align::Left, Align::Left, Align::Left],
    )
    .text_order(&[2, 1, 0]);
    for item in &model.comparison.not_comparable {
        table.row(vec![
            present::numbered_item(instrument, lang, &item.key),
            present::not_comparable_reason(
                lang,
                &model.from.round.label,
                &model.to.round.label,
                item,
            ),
            item.key.clone(),
        ]);
    }
    Some(table)
}

/// Leaders beside key persons beside staff, per section; small groups keep their n only.
pub fn roles_table(instrument: &Instrument, lang: Lang, groups: &[RoleGroup]) -> Table {
    let mut header = vec![tr(lang, "summary.area").to_string()];
    header.extend(groups.iter().map(|g| {
        trf(
            lang,
            "report.role_n",
            &[("role", &role_name(lang, g.role)), ("n", &g.n)],
        )
    }));
    let mut align = vec![Align::Left];
    align.extend(groups.iter().map(|_| Align::Right));
    let mut table = Table::new(header, align);
    for (index, section) in instrument.sections.iter().enumerate() {
        let mut cells = vec![section.name.get(lang).to_string()];
        cells.extend(groups.iter().map(|g| {
            match &g.scores {
                Some(scores) => scores
                    .get(index)
                    .map_or_else(|| present::percent(None), |s| present::score(&s.tally)),
                None => tr(lang, "report.too_few").to_string(),
            }
        }));
        table.row(cells);
    }
    table
}

pub fn role_groups(instrument: &Instrument, round: &RoundData, min_group: usize) -> Vec<RoleGroup> {
    by_role(instrument, &round.roles(), min_group)
}

/// Every "don't know" and "not applicable" of the counted respondents, over every item, as
/// a share of their answers in each round.
fn answer_totals(model: &ComparisonModel) -> (Tally, Tally) {
    model.comparison.sections.iter().fold(
        (Tally::default(), Tally::default()),
        |(mut f, mut t), s| {
            f.merge(&s.area.answers_from);
            t.merge(&s.area.answers_to);
            (f, t)
        },
    )
}

/// "«Vet ikke»: 4 av 19 svar (21 %) → 2 av 18 (11 %)."
pub fn dont_know_total(lang: Lang, model: &ComparisonModel) -> String {
    let (from, to) = answer_totals(model);
    trf(
        lang,
        "report.dont_know_total",
        &[
            (
                "from",
                &present::count_of(lang, from.dont_know, from.answered()),
            ),
            ("to", &present::count_of(lang, to.dont_know, to.answered())),
        ],
    )
}

fn round_line(lang: Lang, key: &str, round: &RoundData, n: usize) -> String {
    let line = trf(
        lang,
        key,
        &[
            ("label", &round.round.label),
            ("date", &present::date(lang, round.round.held_on)),
            ("n", &present::count(lang, "noun.respondent", n)),
        ],
    );
    format!("{line}{}", stage_suffix(lang, round))
}

/// Who is counted in the service's scores, and where the process leader stands.
pub fn counted_note(lang: Lang, model: &ComparisonModel) -> Option<String> {
    let c = &model.comparison;
    if c.options.with_consultant {
        let any = model
            .from
            .respondents
            .iter()
            .chain(&model.to.respondents)
            .any(|(r, _)| r.role == crate::domain::model::Role::Consultant);
        return any.then(|| tr(lang, "report.consultant_pooled").to_string());
    }
    c.consultant
        .as_ref()
        .map(|_| tr(lang, "report.consultant_apart").to_string())
}

/// How many respondents the paired change follows.
pub fn paired_note(lang: Lang, model: &ComparisonModel) -> String {
    match model.comparison.pairs {
        0 => tr(lang, "report.paired_none").to_string(),
        n => trf(
            lang,
            "report.paired_note",
            &[("pairs", &present::count(lang, "noun.respondent", n))],
        ),
    }
}

// ---- text and Markdown: one document ----

fn title(lang: Lang, model: &ComparisonModel) -> String {
    trf(
        lang,
        "report.compare_title",
        &[("service", &quoted(lang, &model.service.name))],
    )
}

/// The comparison as a document: the rounds, how to read it, the change per area, paired,
/// the process leader apart, the items, "don't know", the roles.
fn blocks(
    instrument: &Instrument,
    lang: Lang,
    model: &ComparisonModel,
    min_group: usize,
) -> Vec<Block> {
    let c = &model.comparison;
    let mut blocks = vec![
        Block::Paragraph(round_line(lang, "report.from_round", model.from, c.n_from)),
        Block::Paragraph(round_line(lang, "report.to_round", model.to, c.n_to)),
    ];
    if model.backwards() {
        blocks.push(Block::Paragraph(backwards_warning(lang, model)));
    }
    if let Some(note) = counted_note(lang, model) {
        blocks.push(Block::Paragraph(note));
    }
    blocks.push(Block::Note(present::rules_note(lang)));
    blocks.push(Block::Note(tr(lang, "report.bands_note").to_string()));
    blocks.push(Block::Note(legend(lang)));
    blocks.push(Block::Note(present::change_legend(lang)));
    blocks.push(Block::Table(
        sections_table(instrument, lang, model),
        "scores",
    ));
    if model.has_consensus() {
        blocks.push(Block::Note(tr(lang, "report.consensus_note").to_string()));
    }
    blocks.push(Block::Heading(
        tr(lang, "report.paired_heading").to_string(),
        "paired",
    ));
    blocks.push(Block::Paragraph(paired_note(lang, model)));
    if let Some(table) = paired_table(instrument, lang, model) {
        blocks.push(Block::Table(table, "paired"));
    }
    if let Some(table) = consultant_table(instrument, lang, model) {
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
    blocks.push(Block::Table(
        items_table(instrument, lang, model, None),
        "items",
    ));
    blocks.push(Block::Heading(
        tr(lang, "report.not_comparable_heading").to_string(),
        "not-comparable",
    ));
    blocks.push(Block::table_or(
        not_comparable_table(instrument, lang, model),
        "not-comparable",
        tr(lang, "report.not_comparable_none").to_string(),
    ));
    blocks.push(Block::Heading(
        tr(lang, "report.dont_know_heading").to_string(),
        "dont-know",
    ));
    blocks.push(Block::Paragraph(dont_know_total(lang, model)));
    blocks.push(Block::table_or(
        dont_know_table(instrument, lang, model),
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
        &[("min", &min_group)],
    )));
    for round in [model.from, model.to] {
        blocks.push(Block::Subheading(round.title(lang)));
        blocks.push(Block::Table(
            roles_table(instrument, lang, &role_groups(instrument, round, min_group)),
            "roles",
        ));
    }
    blocks
}

fn text(instrument: &Instrument, lang: Lang, model: &ComparisonModel, min_group: usize) -> String {
    text_document(
        &title(lang, model),
        &blocks(instrument, lang, model, min_group),
    )
}

fn markdown(
    instrument: &Instrument,
    lang: Lang,
    model: &ComparisonModel,
    min_group: usize,
) -> String {
    markdown_document(
        &title(lang, model),
        &blocks(instrument, lang, model, min_group),
    )
}

/// Subdomains where "vet ikke" is a finding (flagged in a round, or its count changed):
/// "don't know" and "not applicable" as shares of each round's answers, with the counts.
pub fn dont_know_table(
    instrument: &Instrument,
    lang: Lang,
    model: &ComparisonModel,
) -> Option<Table> {
    let findings = crate::domain::trend::dont_know_findings(&model.comparison);
    if findings.is_empty() {
        return None;
    }
    let (from, to) = (&model.from.round.label, &model.to.round.label);
    let column = |key: &str, round: &str| trf(lang, key, &[("round", &round)]);
    let mut table = Table::new(
        vec![
            tr(lang, "report.col_subdomain").to_string(),
            column("report.col_dont_know_in", from),
            column("report.col_dont_know_in", to),
            column("report.col_not_applicable_in", from),
            column("report.col_not_applicable_in", to),
        ],
        vec![
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
    );
    let flag = |flagged: bool| if flagged { " ⚑" } else { "" };
    for finding in findings {
        let Some(area) = model.comparison.area(&finding.key) else {
            continue;
        };
        let section = finding.key.split('.').next().unwrap_or_default();
        let count = |part: u32, tally: &Tally| present::count_of(lang, part, tally.answered());
        table.row(vec![
            format!(
                "{} – {}",
                section_name(instrument, lang, section),
                subdomain_name(instrument, lang, &finding.key)
            ),
            format!(
                "{}{}",
                count(finding.from, &area.answers_from),
                flag(finding.flagged_from)
            ),
            format!(
                "{}{}",
                count(finding.to, &area.answers_to),
                flag(finding.flagged_to)
            ),
            count(area.answers_from.not_applicable, &area.answers_from),
            count(area.answers_to.not_applicable, &area.answers_to),
        ]);
    }
    Some(table)
}

// ---- JSON ----

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    format_version: u32,
    lang: &'static str,
    instrument: InstrumentRef<'a>,
    service: ServiceRef<'a>,
    from: RoundRef<'a>,
    to: RoundRef<'a>,
    /// The from-round is dated after the to-round.
    backwards: bool,
    rules: Rules,
    with_consultant: bool,
    min_group: usize,
    /// Respondent codes found once in each round: the respondents of the paired change.
    pairs: usize,
    sections: Vec<SectionJson<'a>>,
    items: Vec<ItemJson<'a>>,
    not_comparable: Vec<NotComparableJson<'a>>,
    answers: FromTo<AnswersJson>,
    consultant: Option<ConsultantJson<'a>>,
    roles: RolesJson,
    plan_items: Vec<PlanItemJson<'a>>,
    goals: Vec<GoalJson<'a>>,
}

/// The numbers behind ★, ⊘ and ⚑, as the code uses them.
#[derive(Serialize)]
struct Rules {
    notable_points: f64,
    min_respondents_for_star: usize,
    interval_level: u32,
    /// How the interval is made: "t_linearised" (see docs/compare-and-report.md).
    interval_method: &'static str,
    comparable_share_of_items: f64,
    dont_know_flag_share: f64,
    dont_know_flag_min_answers: u32,
}

#[derive(Serialize)]
struct InstrumentRef<'a> {
    key: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct ServiceRef<'a> {
    id: &'a str,
    name: &'a str,
    cluster: &'a str,
    municipalities: &'a [String],
}

#[derive(Serialize)]
struct RoundRef<'a> {
    id: &'a str,
    label: &'a str,
    held_on: String,
    kind: &'static str,
    instrument_version: &'a str,
    /// Every respondent of the round.
    respondents: usize,
    /// Those counted in the service's scores (the process leader apart, unless pooled).
    counted: usize,
    stage: Option<&'static str>,
    stage_name: Option<&'static str>,
}

#[derive(Serialize)]
struct FromTo<T> {
    from: T,
    to: T,
}

/// A round's answers to an area's items, every item: the score the round has on its own,
/// and "don't know" and "not applicable" as shares of the answers.
#[derive(Serialize)]
struct AnswersJson {
    answered: u32,
    scored: u32,
    score: Option<f64>,
    dont_know: u32,
    dont_know_share: Option<f64>,
    dont_know_flagged: bool,
    not_applicable: u32,
    not_applicable_share: Option<f64>,
}

/// A change: both sides over the same items, the n behind each, and its interval.
#[derive(Serialize)]
struct ChangeJson {
    from: Option<f64>,
    to: Option<f64>,
    delta: Option<f64>,
    notable: bool,
    n_from: usize,
    n_to: usize,
    interval_low: Option<f64>,
    interval_high: Option<f64>,
    band_from: Option<&'static str>,
    band_to: Option<&'static str>,
    scored_from: u32,
    scored_to: u32,
}

#[derive(Serialize)]
struct AreaJson<'a> {
    key: &'a str,
    name: &'a str,
    items: usize,
    items_common: usize,
    comparable: bool,
    #[serde(flatten)]
    change: ChangeJson,
    paired: Option<ChangeJson>,
    answers: FromTo<AnswersJson>,
}

#[derive(Serialize)]
struct SectionJson<'a> {
    #[serde(flatten)]
    area: AreaJson<'a>,
    subdomains: Vec<SubdomainJson<'a>>,
}

/// A subdomain: its change, and the gathering's consensus in each round.
#[derive(Serialize)]
struct SubdomainJson<'a> {
    #[serde(flatten)]
    area: AreaJson<'a>,
    consensus_from: Option<u8>,
    consensus_to: Option<u8>,
    consensus_percent_from: Option<f64>,
    consensus_percent_to: Option<f64>,
}

#[derive(Serialize)]
struct ConsultantJson<'a> {
    n_from: usize,
    n_to: usize,
    areas: Vec<ConsultantAreaJson<'a>>,
}

#[derive(Serialize)]
struct ConsultantAreaJson<'a> {
    key: &'a str,
    from: Option<f64>,
    to: Option<f64>,
    band_from: Option<&'static str>,
    band_to: Option<&'static str>,
}

#[derive(Serialize)]
struct PlanItemJson<'a> {
    id: &'a str,
    subdomain: &'a str,
    subdomain_name: &'a str,
    kind: &'static str,
    text: &'a str,
    level: Option<&'static str>,
    owner: &'a str,
    due_on: Option<String>,
    done: bool,
    done_on: Option<String>,
}

#[derive(Serialize)]
struct GoalJson<'a> {
    id: &'a str,
    text: &'a str,
    subdomains: &'a [String],
    status_from: Option<&'static str>,
    status_to: Option<&'static str>,
}

#[derive(Serialize)]
struct ItemJson<'a> {
    key: &'a str,
    /// Its number in the walk, from 1.
    number: usize,
    section: &'a str,
    subdomain: &'a str,
    scale_min: u8,
    scale_max: u8,
    mean_from: Option<f64>,
    mean_to: Option<f64>,
    mean_delta: Option<f64>,
    #[serde(flatten)]
    change: ChangeJson,
    dont_know_from: u32,
    dont_know_to: u32,
    not_applicable_from: u32,
    not_applicable_to: u32,
}

#[derive(Serialize)]
struct NotComparableJson<'a> {
    key: &'a str,
    number: Option<usize>,
    known: bool,
    answered_from: bool,
    answered_to: bool,
    scored_from: bool,
    scored_to: bool,
}

#[derive(Serialize)]
struct RolesJson {
    from: Vec<RoleJson>,
    to: Vec<RoleJson>,
}

#[derive(Serialize)]
struct RoleJson {
    role: &'static str,
    n: usize,
    shown: bool,
    sections: Option<Vec<RoleSectionJson>>,
}

#[derive(Serialize)]
struct RoleSectionJson {
    key: String,
    score: Option<f64>,
    band: Option<&'static str>,
    n_answers: u32,
}

/// A percent or a change in points, whole, as every face shows it.
fn pct(value: Option<f64>) -> Option<f64> {
    value.map(|v| present::json(v, 0))
}

fn mean_json(value: Option<f64>) -> Option<f64> {
    value.map(|v| present::json(v, present::MEAN_PLACES))
}

fn change_json(change: &Change, comparable: bool) -> ChangeJson {
    ChangeJson {
        from: pct(change.from.percent()),
        to: pct(change.to.percent()),
        delta: if comparable {
            pct(change.delta())
        } else {
            None
        },
        notable: comparable && change.notable(),
        n_from: change.n_from,
        n_to: change.n_to,
        interval_low: pct(change.interval.filter(|_| comparable).map(|(low, _)| low)),
        interval_high: pct(change.interval.filter(|_| comparable).map(|(_, high)| high)),
        band_from: band_code(change.from.band()),
        band_to: band_code(change.to.band()),
        scored_from: change.from.scored,
        scored_to: change.to.scored,
    }
}

fn answers_json(tally: &Tally) -> AnswersJson {
    let share = |part| pct(present::share(part, tally.answered()));
    AnswersJson {
        answered: tally.answered(),
        scored: tally.scored,
        score: pct(tally.percent()),
        dont_know: tally.dont_know,
        dont_know_share: share(tally.dont_know),
        dont_know_flagged: tally.dont_know_flagged(),
        not_applicable: tally.not_applicable,
        not_applicable_share: share(tally.not_applicable),
    }
}

fn area_json<'a>(area: &'a AreaChange, name: &'a str) -> AreaJson<'a> {
    AreaJson {
        key: &area.key,
        name,
        items: area.items,
        items_common: area.items_common,
        comparable: area.comparable(),
        change: change_json(&area.change, area.comparable()),
        paired: area
            .paired
            .as_ref()
            .map(|p| change_json(p, area.comparable())),
        answers: FromTo {
            from: answers_json(&area.answers_from),
            to: answers_json(&area.answers_to),
        },
    }
}

fn roles_json(instrument: &Instrument, round: &RoundData, min_group: usize) -> Vec<RoleJson> {
    role_groups(instrument, round, min_group)
        .into_iter()
        .map(|group| RoleJson {
            role: group.role.code(),
            n: group.n,
            shown: group.scores.is_some(),
            sections: group.scores.map(|scores| {
                scores
                    .into_iter()
                    .map(|s| RoleSectionJson {
                        score: pct(s.tally.percent()),
                        band: band_code(s.tally.band()),
                        n_answers: s.tally.scored,
                        key: s.key,
                    })
                    .collect()
            }),
        })
        .collect()
}

fn round_ref(lang: Lang, round: &RoundData, counted: usize) -> RoundRef<'_> {
    RoundRef {
        id: &round.round.id,
        label: &round.round.label,
        held_on: round.round.held_on.to_string(),
        kind: round.round.kind.code(),
        instrument_version: &round.round.instrument_version,
        respondents: round.respondents.len(),
        counted,
        stage: round.stage.map(Stage::code),
        stage_name: round.stage.map(|stage| tr(lang, stage_key(stage))),
    }
}

fn subdomain_json<'a>(
    instrument: &Instrument,
    model: &ComparisonModel,
    area: &'a AreaChange,
    name: &'a str,
) -> SubdomainJson<'a> {
    let from = model.from.consensus_on(instrument, &area.key);
    let to = model.to.consensus_on(instrument, &area.key);
    SubdomainJson {
        area: area_json(area, name),
        consensus_from: from.map(|(value, _)| value),
        consensus_to: to.map(|(value, _)| value),
        consensus_percent_from: pct(from.map(|(_, p)| p)),
        consensus_percent_to: pct(to.map(|(_, p)| p)),
    }
}

fn plan_json<'a>(
    instrument: &'a Instrument,
    lang: Lang,
    model: &ComparisonModel,
    plan: &'a PlanData,
) -> (Vec<PlanItemJson<'a>>, Vec<GoalJson<'a>>) {
    let items = plan
        .by_subdomain(instrument)
        .into_iter()
        .flat_map(|(_, items)| items)
        .map(|item| PlanItemJson {
            id: &item.id,
            subdomain: &item.subdomain_key,
            subdomain_name: subdomain_name(instrument, lang, &item.subdomain_key),
            kind: item.kind.code(),
            text: &item.text,
            level: item.level.map(Level::code),
            owner: &item.owner,
            due_on: item.due_on.map(|d| d.to_string()),
            done: item.done,
            done_on: item.done_on.map(|d| d.to_string()),
        })
        .collect();
    let goals = plan
        .goals
        .iter()
        .map(|goal| GoalJson {
            id: &goal.id,
            text: &goal.text,
            subdomains: &goal.subdomain_keys,
            status_from: plan.status(goal, &model.from.round).map(GoalStatus::code),
            status_to: plan.status(goal, &model.to.round).map(GoalStatus::code),
        })
        .collect();
    (items, goals)
}

fn json(
    instrument: &Instrument,
    lang: Lang,
    model: &ComparisonModel,
    plan: &PlanData,
    min_group: usize,
) -> String {
    let c = &model.comparison;
    let sections = c
        .sections
        .iter()
        .map(|section| SectionJson {
            area: area_json(
                &section.area,
                section_name(instrument, lang, &section.area.key),
            ),
            subdomains: section
                .subdomains
                .iter()
                .map(|d| {
                    subdomain_json(
                        instrument,
                        model,
                        d,
                        subdomain_name(instrument, lang, &d.key),
                    )
                })
                .collect(),
        })
        .collect();
    let all_items = instrument.items();
    let items = c
        .items
        .iter()
        .filter_map(|item| {
            let place = all_items.iter().find(|i| i.item.key == item.key)?;
            let change = &item.change;
            Some(ItemJson {
                key: &item.key,
                number: place.index + 1,
                section: &place.section.key,
                subdomain: &place.subdomain.key,
                scale_min: place.scale.min(),
                scale_max: place.scale.max(),
                mean_from: mean_json(item.from_mean),
                mean_to: mean_json(item.to_mean),
                // The difference of the means as shown.
                mean_delta: mean_json(item.from_mean)
                    .zip(mean_json(item.to_mean))
                    .map(|(f, t)| present::json(t - f, present::MEAN_PLACES)),
                change: change_json(change, true),
                dont_know_from: change.from.dont_know,
                dont_know_to: change.to.dont_know,
                not_applicable_from: change.from.not_applicable,
                not_applicable_to: change.to.not_applicable,
            })
        })
        .collect();
    let not_comparable = c
        .not_comparable
        .iter()
        .map(|item| NotComparableJson {
            key: &item.key,
            number: all_items
                .iter()
                .find(|i| i.item.key == item.key)
                .map(|i| i.index + 1),
            known: item.known,
            answered_from: item.answered_from,
            answered_to: item.answered_to,
            scored_from: item.scored_from,
            scored_to: item.scored_to,
        })
        .collect();
    let (answers_from, answers_to) = answer_totals(model);
    let consultant = c.consultant.as_ref().map(|consultant| ConsultantJson {
        n_from: consultant.n_from,
        n_to: consultant.n_to,
        areas: consultant
            .areas
            .iter()
            .map(|(key, from, to)| ConsultantAreaJson {
                key,
                from: pct(from.percent()),
                to: pct(to.percent()),
                band_from: band_code(from.band()),
                band_to: band_code(to.band()),
            })
            .collect(),
    });
    let (plan_items, goals) = plan_json(instrument, lang, model, plan);
    let document = Document {
        format: "kartlegg-compare",
        format_version: JSON_FORMAT_VERSION,
        lang: lang.code(),
        instrument: InstrumentRef {
            key: &instrument.key,
            version: &instrument.version,
        },
        service: ServiceRef {
            id: &model.service.id,
            name: &model.service.name,
            cluster: &model.service.cluster,
            municipalities: &model.service.municipalities,
        },
        from: round_ref(lang, model.from, c.n_from),
        to: round_ref(lang, model.to, c.n_to),
        backwards: model.backwards(),
        rules: Rules {
            notable_points: NOTABLE_POINTS,
            min_respondents_for_star: MIN_RESPONDENTS_FOR_STAR,
            interval_level: INTERVAL_LEVEL,
            interval_method: "t_linearised",
            comparable_share_of_items: COMPARABLE_SHARE,
            dont_know_flag_share: DONT_KNOW_FLAG_SHARE,
            dont_know_flag_min_answers: DONT_KNOW_MIN_ANSWERS,
        },
        with_consultant: c.options.with_consultant,
        min_group,
        pairs: c.pairs,
        sections,
        items,
        not_comparable,
        answers: FromTo {
            from: answers_json(&answers_from),
            to: answers_json(&answers_to),
        },
        consultant,
        roles: RolesJson {
            from: roles_json(instrument, model.from, min_group),
            to: roles_json(instrument, model.to, min_group),
        },
        plan_items,
        goals,
    };
    let mut text = serde_json::to_string_pretty(&document).expect("plain data serializes");
    text.push('\n');
    text
}

/// `--min-group`: a whole number of at least 1.
pub fn parse_min_group(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "'{value}' is not a group size (a whole number, 1 or more)"
        )),
    }
}
