//! `kartlegg compare`: two rounds of a service side by side, as text, JSON or Markdown:
//! the comparison is decided once into its rows (`usecase::comparison`), the document once
//! into blocks, and each format only writes them.
//! The JSON is documented, field by field, in docs/compare-and-report.md; its keys are
//! English and stable whatever the language.

pub mod markdown;
pub mod tables;
pub mod text;

use std::process::ExitCode;

use serde::Serialize;

use super::report_model::{Block, band_code, legend, quoted};
use crate::domain::compare::{
    AreaChange, COMPARABLE_SHARE, Change, DEFAULT_MIN_GROUP, INTERVAL_LEVEL,
    MIN_RESPONDENTS_FOR_STAR, NOTABLE_POINTS, Options, RoleGroup, by_role,
};
use crate::domain::instrument::Instrument;
use crate::domain::plan::{GoalStatus, Level, Stage};
use crate::domain::scoring::{DONT_KNOW_FLAG_SHARE, DONT_KNOW_MIN_ANSWERS, Tally};
use crate::i18n::plan_names::stage_key;
use crate::i18n::{Lang, tr, trf};
use crate::present::{self, section_name, subdomain_name};
use crate::store::Store;
use crate::usecase::comparison::{ComparisonModel, ComparisonRows};
use crate::usecase::rounds::find_pair;
use crate::usecase::rounds::{PlanData, RoundData};
use tables::{
    backwards_warning, consultant_table, counted_note, dont_know_table, dont_know_total,
    items_table, not_comparable_table, paired_note, paired_table, roles_table, round_line,
    sections_table,
};

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
    let rows = ComparisonRows::new(instrument, lang, &model, request.min_group);
    if rows.backwards {
        super::complain(&backwards_warning(lang, &rows));
    }
    let output = match request.format {
        Format::Text => text::document(&title(lang, &rows), &blocks(lang, &rows)),
        Format::Markdown => markdown::document(&title(lang, &rows), &blocks(lang, &rows)),
        Format::Json => json(instrument, lang, &model, &plan, request.min_group),
    };
    super::report_model::print(&output)
}

fn title(lang: Lang, rows: &ComparisonRows) -> String {
    trf(
        lang,
        "report.compare_title",
        &[("service", &quoted(lang, &rows.service.name))],
    )
}

/// The comparison as a document: the rounds, how to read it, the change per area, paired,
/// the process leader apart, the items, "don't know", the roles.
fn blocks(lang: Lang, rows: &ComparisonRows) -> Vec<Block> {
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
    blocks
}

// The JSON still reads the comparison itself; it moves onto the rows next.

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
