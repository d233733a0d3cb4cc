//! The comparison's tables and notes, from its rows: what `compare` prints and the report's
//! comparison shows.

use crate::cli::document::{Align, Table, consensus_cell, role_name};
use crate::domain::compare::{Cell, INTERVAL_LEVEL, MIN_GROUP, RoleTable};
use crate::i18n::plan_names::stage_key;
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::usecase::comparison::{AreaRow, ComparisonRows, RoundSide};

/// Says that the from-round is dated after the to-round.
pub fn backwards_warning(lang: Lang, rows: &ComparisonRows) -> String {
    trf(
        lang,
        "compare.backwards",
        &[("from", &rows.from.title), ("to", &rows.to.title)],
    )
}

/// "3 (50 %) → 4 (75 %)" for a subdomain; "–" where neither round has a consensus.
fn consensus_change(area: &AreaRow) -> String {
    if area.consensus_from.is_none() && area.consensus_to.is_none() {
        return present::NONE.to_string();
    }
    format!(
        "{} → {}",
        consensus_cell(area.consensus_from),
        consensus_cell(area.consensus_to)
    )
}

/// The scores as the two rounds give them over the area's comparable items, the change with
/// its interval, how many items and respondents it rests on, and the share of "don't know";
/// then the gathering's consensus and the process leader's own scores, where there are any.
pub fn sections_table(lang: Lang, rows: &ComparisonRows) -> Table {
    let mut header = vec![
        tr(lang, "summary.area").to_string(),
        rows.from.round.label.clone(),
        rows.to.round.label.clone(),
        tr(lang, "report.col_change").to_string(),
        trf(lang, "report.col_interval", &[("level", &INTERVAL_LEVEL)]),
        tr(lang, "report.col_items").to_string(),
        tr(lang, "report.col_n").to_string(),
        tr(lang, "report.col_dont_know_share").to_string(),
    ];
    let consensus = rows.has_consensus;
    if consensus {
        header.push(tr(lang, "report.col_consensus").to_string());
    }
    let consultant = rows.consultant.is_some();
    if consultant {
        header.push(tr(lang, "report.col_consultant").to_string());
    }
    let mut table = Table::numbers(header);
    for (row, sub) in rows.areas() {
        let area = &row.change;
        let mut cells = vec![
            row.name.clone(),
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
            // A consensus is agreed per subdomain, never per section.
            cells.push(if sub {
                consensus_change(row)
            } else {
                String::new()
            });
        }
        if consultant {
            cells.push(match &row.consultant {
                Some((from, to)) => format!("{} → {}", present::score(from), present::score(to)),
                None => present::NONE.to_string(),
            });
        }
        if sub {
            table.sub_row(cells);
        } else {
            table.row(cells);
        }
    }
    table
}

/// The change over the respondents whose code appears in both rounds, per area where there
/// are such respondents; `None` when there are none.
pub fn paired_table(lang: Lang, rows: &ComparisonRows) -> Option<Table> {
    let mut table = Table::numbers(vec![
        tr(lang, "summary.area").to_string(),
        tr(lang, "report.col_pairs").to_string(),
        rows.from.round.label.clone(),
        rows.to.round.label.clone(),
        tr(lang, "report.col_change").to_string(),
        trf(lang, "report.col_interval", &[("level", &INTERVAL_LEVEL)]),
    ]);
    for (row, sub) in rows.areas() {
        let area = &row.change;
        let Some(paired) = area.paired.as_ref().filter(|_| area.comparable()) else {
            continue;
        };
        let cells = vec![
            row.name.clone(),
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
    (!table.rows.is_empty()).then_some(table)
}

/// The process leader's own scores, apart from the service's; `None` without any.
pub fn consultant_table(lang: Lang, rows: &ComparisonRows) -> Option<Table> {
    let consultant = rows.consultant.as_ref()?;
    let mut table = Table::numbers(vec![
        tr(lang, "summary.area").to_string(),
        format!("{} (n = {})", rows.from.round.label, consultant.n_from),
        format!("{} (n = {})", rows.to.round.label, consultant.n_to),
    ]);
    // Only where the process leader gave a score.
    for area in consultant
        .areas
        .iter()
        .filter(|area| area.from.scored + area.to.scored > 0)
    {
        let cells = vec![
            area.name.clone(),
            present::score(&area.from),
            present::score(&area.to),
        ];
        if area.sub {
            table.sub_row(cells);
        } else {
            table.row(cells);
        }
    }
    Some(table)
}

/// " · Implementeringsfase: Tilpasse tiltak" when the round has a stage, else nothing.
pub fn stage_suffix(lang: Lang, round: &RoundSide) -> String {
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
pub fn items_table(lang: Lang, rows: &ComparisonRows, limit: Option<usize>) -> Table {
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
    let items: Vec<_> = match limit {
        Some(limit) => rows.moved(limit).collect(),
        None => rows.items.iter().collect(),
    };
    for row in items {
        let item = &row.change;
        table.row(vec![
            row.label.clone(),
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
/// instrument), by number and text, then the areas whose items are withheld, and why;
/// `None` when there are none.
pub fn not_comparable_table(lang: Lang, rows: &ComparisonRows) -> Option<Table> {
    if rows.not_comparable.is_empty() && rows.withheld.is_empty() {
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
    for row in &rows.not_comparable {
        table.row(vec![
            row.label.clone(),
            row.reason.clone(),
            row.item.key.clone(),
        ]);
    }
    for row in &rows.withheld {
        table.row(vec![row.label.clone(), row.reason.clone(), row.key.clone()]);
    }
    Some(table)
}

/// Leaders beside key persons beside staff, per section; hidden groups keep their n only.
pub fn roles_table(lang: Lang, section_names: &[String], roles: &RoleTable) -> Table {
    let groups = &roles.groups;
    let mut header = vec![tr(lang, "summary.area").to_string()];
    header.extend(groups.iter().map(|g| {
        trf(
            lang,
            "report.role_n",
            &[("role", &role_name(lang, g.role)), ("n", &g.n)],
        )
    }));
    let mut table = Table::numbers(header);
    for (index, name) in section_names.iter().enumerate() {
        let mut cells = vec![name.clone()];
        cells.extend(groups.iter().map(|g| role_cell(lang, &g.cells[index])));
        table.row(cells);
    }
    table
}

/// A role group's figure in a section, as a document writes it.
pub fn role_cell(lang: Lang, cell: &Cell) -> String {
    match cell {
        Cell::Shown { tally, .. } => present::score(tally),
        Cell::Empty => present::percent(None),
        Cell::TooFew => tr(lang, "report.too_few").to_string(),
        Cell::Protects => tr(lang, "report.protects").to_string(),
    }
}

/// "«Vet ikke»: 4 av 19 svar (21 %) → 2 av 18 (11 %)."
pub fn dont_know_total(lang: Lang, rows: &ComparisonRows) -> String {
    let (from, to) = (&rows.answers_from, &rows.answers_to);
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

pub fn round_line(lang: Lang, key: &str, round: &RoundSide) -> String {
    let line = trf(
        lang,
        key,
        &[
            ("label", &round.round.label),
            ("date", &present::date(lang, round.round.held_on)),
            ("n", &present::count(lang, "noun.respondent", round.counted)),
        ],
    );
    format!("{line}{}", stage_suffix(lang, round))
}

/// Who is counted in the service's scores, and where the process leader stands.
pub fn counted_note(lang: Lang, rows: &ComparisonRows) -> Option<String> {
    if rows.options.with_consultant {
        return rows
            .any_consultant
            .then(|| tr(lang, "report.consultant_pooled").to_string());
    }
    rows.consultant
        .as_ref()
        .map(|_| tr(lang, "report.consultant_apart").to_string())
}

/// How many respondents the paired change follows.
pub fn paired_note(lang: Lang, rows: &ComparisonRows) -> String {
    match rows.pairs {
        0 => tr(lang, "report.paired_none").to_string(),
        n if n < MIN_GROUP => trf(
            lang,
            "report.paired_too_few",
            &[
                ("pairs", &present::count(lang, "noun.respondent", n)),
                ("min", &MIN_GROUP),
            ],
        ),
        n => trf(
            lang,
            "report.paired_note",
            &[("pairs", &present::count(lang, "noun.respondent", n))],
        ),
    }
}

/// Subdomains where "vet ikke" is a finding (flagged in a round, or its count changed):
/// "don't know" and "not applicable" as shares of each round's answers, with the counts.
pub fn dont_know_table(lang: Lang, rows: &ComparisonRows) -> Option<Table> {
    if rows.dont_know.is_empty() {
        return None;
    }
    let (from, to) = (&rows.from.round.label, &rows.to.round.label);
    let column = |key: &str, round: &str| trf(lang, key, &[("round", &round)]);
    let mut table = Table::numbers(vec![
        tr(lang, "report.col_subdomain").to_string(),
        column("report.col_dont_know_in", from),
        column("report.col_dont_know_in", to),
        column("report.col_not_applicable_in", from),
        column("report.col_not_applicable_in", to),
    ]);
    let flag = |flagged: bool| if flagged { " ⚑" } else { "" };
    let count = |part: u32, tally: &crate::domain::scoring::Tally| {
        present::count_of(lang, part, tally.answered())
    };
    for row in &rows.dont_know {
        let finding = &row.finding;
        let (answers_from, answers_to) = (&row.answers_from, &row.answers_to);
        table.row(vec![
            row.name.clone(),
            format!(
                "{}{}",
                count(finding.from, answers_from),
                flag(finding.flagged_from)
            ),
            format!(
                "{}{}",
                count(finding.to, answers_to),
                flag(finding.flagged_to)
            ),
            count(answers_from.not_applicable, answers_from),
            count(answers_to.not_applicable, answers_to),
        ]);
    }
    Some(table)
}
