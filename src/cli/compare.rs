//! `kartlegg compare`: two rounds of a service side by side, as text, JSON or Markdown.
//! The JSON is documented, field by field, in docs/compare-and-report.md; its keys are
//! English and stable whatever the language.

use std::process::ExitCode;

use serde::Serialize;

use super::report_model::{
    Align, ComparisonModel, PlanData, RoundData, Table, band_code, delta, dont_know,
    escape_markdown, item_text, legend, mean, percent, quoted, role_name, rounded, section_name,
    subdomain_name,
};
use crate::domain::compare::{Change, DEFAULT_MIN_GROUP, NOTABLE_POINTS, RoleGroup, by_role};
use crate::domain::instrument::Instrument;
use crate::domain::plan::{GoalStatus, Level, Stage};
use crate::domain::scoring::Tally;
use crate::domain::trend::answered_in;
use crate::i18n::plan_names::stage_key;
use crate::i18n::{Lang, tr, trf};
use crate::store::Store;

/// Version of the JSON document; raised when a field changes meaning or goes away, and at 2
/// for the consensus, stage, plan items and goals added beside the version 1 fields.
pub const JSON_FORMAT_VERSION: u32 = 2;

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
}

pub fn run(store: &Store, instrument: &Instrument, lang: Lang, request: &CompareArgs) -> ExitCode {
    let found = || -> Result<_, crate::store::lookup::LookupError> {
        let service = store.find_service(&request.service)?;
        let from = store.find_round(&service, &request.from)?;
        let to = store.find_round(&service, &request.to)?;
        let from = RoundData::load(store, from)?;
        let to = RoundData::load(store, to)?;
        let plan = PlanData::load(store, &service.id)?;
        Ok((service, from, to, plan))
    };
    let (service, from, to, plan) = match found() {
        Ok(found) => found,
        Err(e) => return super::report_model::lookup_failed(lang, &e),
    };
    let model = ComparisonModel::new(instrument, &service, &from, &to);
    let output = match request.format {
        Format::Text => text(instrument, lang, &model, request.min_group),
        Format::Markdown => markdown(instrument, lang, &model, request.min_group),
        Format::Json => json(instrument, lang, &model, &plan, request.min_group),
    };
    super::report_model::print(&output)
}

// ---- tables shared with the report ----

/// Sections with their subdomains: from, to, change, n, "vet ikke"; after the change the
/// gathering's consensus per subdomain, when either round has one.
pub fn sections_table(instrument: &Instrument, lang: Lang, model: &ComparisonModel) -> Table {
    let table = Table::new(
        vec![
            tr(lang, "summary.area").to_string(),
            model.from.round.label.clone(),
            model.to.round.label.clone(),
            tr(lang, "report.col_change").to_string(),
            tr(lang, "report.col_n").to_string(),
            tr(lang, "report.col_dont_know").to_string(),
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
    let cells = |name: &str, change: &Change| {
        let (n_from, n_to) = model.n(&change.key);
        vec![
            name.to_string(),
            score_cell(&change.from),
            score_cell(&change.to),
            delta(change),
            format!("{n_from} → {n_to}"),
            dont_know(change),
        ]
    };
    let consensus = model.has_consensus();
    let mut table = if consensus {
        with_column(table, CONSENSUS_COLUMN, tr(lang, "report.col_consensus"))
    } else {
        table
    };
    let mut add = |row: Vec<String>, consensus_cell: Option<String>, sub: bool| {
        let row = match (consensus, consensus_cell) {
            (true, cell) => insert_cell(row, CONSENSUS_COLUMN, cell.unwrap_or_default()),
            (false, _) => row,
        };
        if sub {
            table.sub_row(row);
        } else {
            table.row(row);
        }
    };
    for section in &model.comparison.sections {
        let key = &section.change.key;
        add(
            cells(section_name(instrument, lang, key), &section.change),
            None,
            false,
        );
        for subdomain in &section.subdomains {
            add(
                cells(subdomain_name(instrument, lang, &subdomain.key), subdomain),
                Some(model.consensus_change(instrument, &subdomain.key)),
                true,
            );
        }
    }
    table
}

/// Where the consensus stands in the comparison table: right after the change in the
/// individual scores.
const CONSENSUS_COLUMN: usize = 4;

/// The table with an empty right-aligned column at `index`.
fn with_column(mut table: Table, index: usize, header: &str) -> Table {
    table.header.insert(index, header.to_string());
    table.align.insert(index, Align::Right);
    table
}

fn insert_cell(mut cells: Vec<String>, index: usize, cell: String) -> Vec<String> {
    cells.insert(index, cell);
    cells
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

/// "50 % ◐": the score and the band's symbol (the legend gives the words).
pub fn score_cell(tally: &Tally) -> String {
    match tally.band() {
        Some(b) => format!(
            "{} {}",
            percent(tally.percent()),
            crate::ui::view::band_symbol(b)
        ),
        None => percent(None),
    }
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
            tr(lang, "report.col_key").to_string(),
        ],
        vec![
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
        ],
    );
    let items: Vec<&crate::domain::compare::ItemChange> = match limit {
        Some(limit) => crate::domain::trend::moved_most(&model.comparison, limit),
        None => model.comparison.items.iter().collect(),
    };
    for item in items {
        table.row(vec![
            item_text(instrument, lang, &item.key)
                .unwrap_or(&item.key)
                .to_string(),
            mean(lang, item.from_mean),
            mean(lang, item.to_mean),
            delta(&item.change),
            item.key.clone(),
        ]);
    }
    table
}

/// Items answered in one round only (or unknown to the instrument); `None` when there are
/// none.
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
            tr(lang, "report.col_key").to_string(),
            tr(lang, "report.col_answered_in").to_string(),
        ],
        vec![Align::Left, Align::Left, Align::Left],
    );
    let (sets_from, sets_to) = (model.from.sets(), model.to.sets());
    for key in &model.comparison.not_comparable {
        let rounds: Vec<&str> = [
            (
                answered_in(&sets_from, key),
                model.from.round.label.as_str(),
            ),
            (answered_in(&sets_to, key), model.to.round.label.as_str()),
        ]
        .into_iter()
        .filter_map(|(answered, label)| answered.then_some(label))
        .collect();
        table.row(vec![
            item_text(instrument, lang, key)
                .unwrap_or(tr(lang, "report.unknown_item"))
                .to_string(),
            key.clone(),
            rounds.join(", "),
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
                    .map_or_else(|| percent(None), |s| score_cell(&s.tally)),
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

fn total_dont_know(model: &ComparisonModel) -> (u32, u32) {
    model
        .comparison
        .sections
        .iter()
        .fold((0, 0), |(from, to), s| {
            (from + s.change.from.dont_know, to + s.change.to.dont_know)
        })
}

fn round_line(lang: Lang, key: &str, round: &RoundData) -> String {
    let line = trf(
        lang,
        key,
        &[
            ("label", &round.round.label),
            ("date", &round.round.held_on),
            ("n", &round.respondents.len()),
        ],
    );
    format!("{line}{}", stage_suffix(lang, round))
}

// ---- text ----

fn text(instrument: &Instrument, lang: Lang, model: &ComparisonModel, min_group: usize) -> String {
    let mut out = String::new();
    let mut line = |text: &str| {
        out.push_str(text);
        out.push('\n');
    };
    line(&trf(
        lang,
        "report.compare_title",
        &[("service", &quoted(lang, &model.service.name))],
    ));
    line(&round_line(lang, "report.from_round", model.from));
    line(&round_line(lang, "report.to_round", model.to));
    line(tr(lang, "report.how_to_read"));
    line(&legend(lang));
    line("");
    line(&sections_table(instrument, lang, model).text());
    if model.has_consensus() {
        line(tr(lang, "report.consensus_note"));
        line("");
    }
    line(tr(lang, "report.items_heading"));
    line(tr(lang, "report.items_scale_note"));
    line("");
    // The long text last, so that a narrow terminal wraps only it.
    line(
        &items_table(instrument, lang, model, None)
            .columns(&[4, 3, 1, 2, 0])
            .text(),
    );
    line(tr(lang, "report.not_comparable_heading"));
    match not_comparable_table(instrument, lang, model) {
        Some(table) => line(&table.text()),
        None => {
            line(tr(lang, "report.not_comparable_none"));
            line("");
        }
    }
    let (from, to) = total_dont_know(model);
    line(&trf(
        lang,
        "report.dont_know_total",
        &[("from", &from), ("to", &to)],
    ));
    line("");
    for round in [model.from, model.to] {
        line(&trf(
            lang,
            "report.roles_in_round",
            &[("round", &round.title())],
        ));
        line(&roles_table(instrument, lang, &role_groups(instrument, round, min_group)).text());
    }
    line(&trf(lang, "report.roles_note", &[("min", &min_group)]));
    out
}

// ---- Markdown ----

fn markdown(
    instrument: &Instrument,
    lang: Lang,
    model: &ComparisonModel,
    min_group: usize,
) -> String {
    let mut out = String::new();
    let mut line = |text: &str| {
        out.push_str(text);
        out.push('\n');
    };
    line(&format!(
        "# {}",
        trf(
            lang,
            "report.compare_title",
            &[(
                "service",
                &escape_markdown(&quoted(lang, &model.service.name))
            )],
        )
    ));
    line("");
    for (key, round) in [
        ("report.from_round", model.from),
        ("report.to_round", model.to),
    ] {
        line(&format!(
            "- {}{}",
            trf(
                lang,
                key,
                &[
                    ("label", &escape_markdown(&round.round.label)),
                    ("date", &round.round.held_on),
                    ("n", &round.respondents.len()),
                ],
            ),
            escape_markdown(&stage_suffix(lang, round))
        ));
    }
    line("");
    line(&escape_markdown(tr(lang, "report.how_to_read")));
    line("");
    line(&escape_markdown(&legend(lang)));
    line("");
    line(&sections_table(instrument, lang, model).markdown());
    if model.has_consensus() {
        line(&format!(
            "*{}*\n",
            escape_markdown(tr(lang, "report.consensus_note"))
        ));
    }
    let heading = |key: &str| format!("## {}\n", escape_markdown(tr(lang, key)));
    line(&heading("report.items_heading"));
    line(&escape_markdown(tr(lang, "report.items_scale_note")));
    line("");
    line(&items_table(instrument, lang, model, None).markdown());
    line(&heading("report.not_comparable_heading"));
    match not_comparable_table(instrument, lang, model) {
        Some(table) => line(&table.markdown()),
        None => {
            line(&escape_markdown(tr(lang, "report.not_comparable_none")));
            line("");
        }
    }
    let (from, to) = total_dont_know(model);
    line(&heading("report.dont_know_heading"));
    line(&escape_markdown(&trf(
        lang,
        "report.dont_know_total",
        &[("from", &from), ("to", &to)],
    )));
    line("");
    if let Some(table) = dont_know_table(instrument, lang, model) {
        line(&table.markdown());
    }
    line(&heading("report.roles_heading"));
    line(&escape_markdown(&trf(
        lang,
        "report.roles_note",
        &[("min", &min_group)],
    )));
    line("");
    for round in [model.from, model.to] {
        line(&format!("### {}\n", escape_markdown(&round.title())));
        line(&roles_table(instrument, lang, &role_groups(instrument, round, min_group)).markdown());
    }
    out
}

/// Subdomains where "vet ikke" is a finding: flagged in a round, or its count changed.
pub fn dont_know_table(
    instrument: &Instrument,
    lang: Lang,
    model: &ComparisonModel,
) -> Option<Table> {
    let findings = crate::domain::trend::dont_know_findings(&model.comparison);
    if findings.is_empty() {
        return None;
    }
    let mut table = Table::new(
        vec![
            tr(lang, "report.col_subdomain").to_string(),
            model.from.round.label.clone(),
            model.to.round.label.clone(),
        ],
        vec![Align::Left, Align::Right, Align::Right],
    );
    let flag = |flagged: bool| if flagged { " ⚑" } else { "" };
    for finding in findings {
        let section = finding.key.split('.').next().unwrap_or_default();
        table.row(vec![
            format!(
                "{} – {}",
                section_name(instrument, lang, section),
                subdomain_name(instrument, lang, &finding.key)
            ),
            format!("{}{}", finding.from, flag(finding.flagged_from)),
            format!("{}{}", finding.to, flag(finding.flagged_to)),
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
    notable_points: f64,
    min_group: usize,
    sections: Vec<SectionJson<'a>>,
    items: Vec<ItemJson<'a>>,
    not_comparable: Vec<NotComparableJson<'a>>,
    dont_know: BeforeAfter,
    roles: RolesJson,
    plan_items: Vec<PlanItemJson<'a>>,
    goals: Vec<GoalJson<'a>>,
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
    respondents: usize,
    stage: Option<&'static str>,
    stage_name: Option<&'static str>,
}

#[derive(Serialize)]
struct BeforeAfter {
    from: u32,
    to: u32,
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    key: &'a str,
    name: &'a str,
    from: Option<f64>,
    to: Option<f64>,
    delta: Option<f64>,
    notable: bool,
    n_from: usize,
    n_to: usize,
    band_from: Option<&'static str>,
    band_to: Option<&'static str>,
    scored_from: u32,
    scored_to: u32,
    dont_know_from: u32,
    dont_know_to: u32,
    dont_know_flagged_from: bool,
    dont_know_flagged_to: bool,
    not_applicable_from: u32,
    not_applicable_to: u32,
}

#[derive(Serialize)]
struct SectionJson<'a> {
    #[serde(flatten)]
    change: ChangeJson<'a>,
    subdomains: Vec<SubdomainJson<'a>>,
}

/// A subdomain: its change, and the gathering's consensus in each round.
#[derive(Serialize)]
struct SubdomainJson<'a> {
    #[serde(flatten)]
    change: ChangeJson<'a>,
    consensus_from: Option<u8>,
    consensus_to: Option<u8>,
    consensus_percent_from: Option<f64>,
    consensus_percent_to: Option<f64>,
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
    section: &'a str,
    subdomain: &'a str,
    scale_min: u8,
    scale_max: u8,
    mean_from: Option<f64>,
    mean_to: Option<f64>,
    mean_delta: Option<f64>,
    from: Option<f64>,
    to: Option<f64>,
    delta: Option<f64>,
    notable: bool,
    scored_from: u32,
    scored_to: u32,
    dont_know_from: u32,
    dont_know_to: u32,
    not_applicable_from: u32,
    not_applicable_to: u32,
}

#[derive(Serialize)]
struct NotComparableJson<'a> {
    key: &'a str,
    known: bool,
    answered_from: bool,
    answered_to: bool,
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

fn pct(value: Option<f64>) -> Option<f64> {
    value.map(|v| rounded(v, 1))
}

fn change_json<'a>(model: &ComparisonModel, change: &'a Change, name: &'a str) -> ChangeJson<'a> {
    let (n_from, n_to) = model.n(&change.key);
    ChangeJson {
        key: &change.key,
        name,
        from: pct(change.from.percent()),
        to: pct(change.to.percent()),
        delta: pct(change.delta()),
        notable: change.notable(),
        n_from,
        n_to,
        band_from: band_code(change.from.band()),
        band_to: band_code(change.to.band()),
        scored_from: change.from.scored,
        scored_to: change.to.scored,
        dont_know_from: change.from.dont_know,
        dont_know_to: change.to.dont_know,
        dont_know_flagged_from: change.from.dont_know_flagged(),
        dont_know_flagged_to: change.to.dont_know_flagged(),
        not_applicable_from: change.from.not_applicable,
        not_applicable_to: change.to.not_applicable,
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

fn round_ref(lang: Lang, round: &RoundData) -> RoundRef<'_> {
    RoundRef {
        id: &round.round.id,
        label: &round.round.label,
        held_on: round.round.held_on.to_string(),
        kind: round.round.kind.code(),
        instrument_version: &round.round.instrument_version,
        respondents: round.respondents.len(),
        stage: round.stage.map(Stage::code),
        stage_name: round.stage.map(|stage| tr(lang, stage_key(stage))),
    }
}

fn subdomain_json<'a>(
    instrument: &Instrument,
    model: &ComparisonModel,
    change: &'a Change,
    name: &'a str,
) -> SubdomainJson<'a> {
    let from = model.from.consensus_on(instrument, &change.key);
    let to = model.to.consensus_on(instrument, &change.key);
    SubdomainJson {
        change: change_json(model, change, name),
        consensus_from: from.map(|(value, _)| value),
        consensus_to: to.map(|(value, _)| value),
        consensus_percent_from: from.map(|(_, p)| rounded(p, 1)),
        consensus_percent_to: to.map(|(_, p)| rounded(p, 1)),
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
    let sections = model
        .comparison
        .sections
        .iter()
        .map(|section| SectionJson {
            change: change_json(
                model,
                &section.change,
                section_name(instrument, lang, &section.change.key),
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
    let items = model
        .comparison
        .items
        .iter()
        .filter_map(|item| {
            let place = all_items.iter().find(|i| i.item.key == item.key)?;
            let change = &item.change;
            Some(ItemJson {
                key: &item.key,
                section: &place.section.key,
                subdomain: &place.subdomain.key,
                scale_min: place.scale.min(),
                scale_max: place.scale.max(),
                mean_from: item.from_mean.map(|m| rounded(m, 2)),
                mean_to: item.to_mean.map(|m| rounded(m, 2)),
                mean_delta: item
                    .from_mean
                    .zip(item.to_mean)
                    .map(|(f, t)| rounded(t - f, 2)),
                from: pct(change.from.percent()),
                to: pct(change.to.percent()),
                delta: pct(change.delta()),
                notable: change.notable(),
                scored_from: change.from.scored,
                scored_to: change.to.scored,
                dont_know_from: change.from.dont_know,
                dont_know_to: change.to.dont_know,
                not_applicable_from: change.from.not_applicable,
                not_applicable_to: change.to.not_applicable,
            })
        })
        .collect();
    let (sets_from, sets_to) = (model.from.sets(), model.to.sets());
    let not_comparable = model
        .comparison
        .not_comparable
        .iter()
        .map(|key| NotComparableJson {
            key,
            known: all_items.iter().any(|i| &i.item.key == key),
            answered_from: answered_in(&sets_from, key),
            answered_to: answered_in(&sets_to, key),
        })
        .collect();
    let (dont_know_from, dont_know_to) = total_dont_know(model);
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
        from: round_ref(lang, model.from),
        to: round_ref(lang, model.to),
        notable_points: NOTABLE_POINTS,
        min_group,
        sections,
        items,
        not_comparable,
        dont_know: BeforeAfter {
            from: dont_know_from,
            to: dont_know_to,
        },
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
