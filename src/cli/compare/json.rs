//! `compare --format json`: the comparison's rows with stable English keys, documented
//! field by field in docs/compare-and-report.md.

use serde::Serialize;

use super::JSON_FORMAT_VERSION;
use super::competence::Competence;
use crate::domain::compare::{
    AreaChange, COMPARABLE_SHARE, Cell, Change, INTERVAL_LEVEL, MIN_RESPONDENTS_FOR_STAR,
    NOTABLE_POINTS, RoleTable,
};
use crate::domain::needs::{CompetenceAreas, Gap, NEED_GAP, Need, gaps};
use crate::domain::plan::{GoalStatus, Level, Stage};
use crate::domain::requirement::{Counts, Requirement, StatusCounts, StatusTable};
use crate::domain::scoring::{Band, DONT_KNOW_FLAG_SHARE, DONT_KNOW_MIN_ANSWERS, Tally};
use crate::i18n::plan_names::stage_key;
use crate::i18n::{Lang, tr};
use crate::present;
use crate::usecase::comparison::{AreaRow, ComparisonRows, PlanRows, RoundSide};

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
    /// Items shown in neither list, to shield answers given by code.
    withheld_items: Vec<WithheldJson<'a>>,
    answers: FromTo<AnswersJson>,
    consultant: Option<ConsultantJson<'a>>,
    roles: RolesJson,
    plan_items: Vec<PlanItemJson<'a>>,
    goals: Vec<GoalJson<'a>>,
    needs: NeedsJson<'a>,
    positions_2031: PositionsJson<'a>,
}

/// The service's competence needs in the two rounds.
#[derive(Serialize)]
struct NeedsJson<'a> {
    /// A gap (importance − mastery) of at least this is a need.
    need_gap: i8,
    /// Areas with anything recorded in either round, in list order (shipped, then own).
    areas: Vec<NeedAreaJson<'a>>,
    /// The keys of each round's top three, in list order.
    top_three: FromTo<Vec<&'a str>>,
}

#[derive(Serialize)]
struct NeedAreaJson<'a> {
    key: &'a str,
    name: &'a str,
    /// The service's own area, not one kartlegg ships.
    own: bool,
    from: Option<NeedJson>,
    to: Option<NeedJson>,
}

#[derive(Serialize)]
struct NeedJson {
    mastery: Option<u8>,
    importance: Option<u8>,
    /// Importance − mastery; null unless both are given.
    gap: Option<i8>,
    /// The gap is at least `need_gap`.
    is_need: bool,
    top_three: bool,
}

/// The rounds' posts against the formal competence requirement of 2031.
#[derive(Serialize)]
struct PositionsJson<'a> {
    requirement: RequirementRef<'a>,
    baseline: BaselineJson<'a>,
    from: StatusJson,
    to: StatusJson,
}

#[derive(Serialize)]
struct RequirementRef<'a> {
    key: &'a str,
    version: &'a str,
    applies_from: String,
}

#[derive(Serialize)]
struct BaselineJson<'a> {
    year: u16,
    source: &'a str,
    figures: Vec<BaselineFigureJson<'a>>,
}

#[derive(Serialize)]
struct BaselineFigureJson<'a> {
    /// `leader`, `caseworker` or `all`.
    group: &'a str,
    percent: u8,
    text: &'a str,
}

#[derive(Serialize)]
struct StatusJson {
    groups: Vec<StatusGroupJson>,
    /// Posts whose role the requirement does not cover.
    not_covered: usize,
}

#[derive(Serialize)]
struct StatusGroupJson {
    /// `leader`, `caseworker`, or `all` covered posts.
    group: &'static str,
    n: usize,
    /// Whether the counts are given; null counts where not.
    shown: bool,
    /// Why not: `too_few`, or `protects` (it would give a smaller group away).
    hidden: Option<&'static str>,
    meets: Option<usize>,
    will: Option<usize>,
    will_not: Option<usize>,
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
    sections: Vec<RoleSectionJson>,
}

#[derive(Serialize)]
struct RoleSectionJson {
    key: String,
    hidden: Option<&'static str>,
    score: Option<f64>,
    band: Option<&'static str>,
    n_answers: Option<u32>,
}

/// An item whose figures are withheld: where it sits, and why (`hidden`).
#[derive(Serialize)]
struct WithheldJson<'a> {
    key: &'a str,
    number: usize,
    section: &'a str,
    subdomain: &'a str,
    hidden: &'static str,
}

/// The stable code of a band in JSON.
fn band_code(band: Option<Band>) -> Option<&'static str> {
    band.map(Band::code)
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

fn roles_json(roles: &RoleTable) -> Vec<RoleJson> {
    roles
        .groups
        .iter()
        .map(|group| RoleJson {
            role: group.role.code(),
            n: group.n,
            shown: group.cells.iter().any(|c| c.shown().is_some()),
            sections: roles
                .sections
                .iter()
                .zip(&group.cells)
                .map(|(section, cell)| {
                    let shown = cell.shown();
                    RoleSectionJson {
                        key: section.clone(),
                        hidden: match cell {
                            Cell::TooFew => Some("too_few"),
                            Cell::Protects => Some("protects"),
                            Cell::Shown { .. } | Cell::Empty => None,
                        },
                        score: pct(shown.and_then(|t| t.percent())),
                        band: band_code(shown.and_then(|t| t.band())),
                        n_answers: shown.map(|t| t.scored),
                    }
                })
                .collect(),
        })
        .collect()
}

fn round_ref(lang: Lang, round: &RoundSide) -> RoundRef<'_> {
    RoundRef {
        id: &round.round.id,
        label: &round.round.label,
        held_on: round.round.held_on.to_string(),
        kind: round.round.kind.code(),
        instrument_version: &round.round.instrument_version,
        respondents: round.respondents,
        counted: round.counted,
        stage: round.stage.map(Stage::code),
        stage_name: round.stage.map(|stage| tr(lang, stage_key(stage))),
    }
}

fn subdomain_json(row: &AreaRow) -> SubdomainJson<'_> {
    let (from, to) = (row.consensus_from, row.consensus_to);
    SubdomainJson {
        area: area_json(&row.change, &row.name),
        consensus_from: from.map(|(value, _)| value),
        consensus_to: to.map(|(value, _)| value),
        consensus_percent_from: pct(from.map(|(_, p)| p)),
        consensus_percent_to: pct(to.map(|(_, p)| p)),
    }
}

fn plan_json<'a>(plan: &PlanRows<'a>) -> (Vec<PlanItemJson<'a>>, Vec<GoalJson<'a>>) {
    let items = plan
        .items
        .iter()
        .map(|&(item, subdomain_name)| PlanItemJson {
            id: &item.id,
            subdomain: &item.subdomain_key,
            subdomain_name,
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
        .map(|&(goal, from, to)| GoalJson {
            id: &goal.id,
            text: &goal.text,
            subdomains: &goal.subdomain_keys,
            status_from: from.map(GoalStatus::code),
            status_to: to.map(GoalStatus::code),
        })
        .collect();
    (items, goals)
}

/// The comparison as one JSON document, ending in a newline.
fn needs_json<'a>(lang: Lang, competence: &'a Competence) -> NeedsJson<'a> {
    let shipped = &CompetenceAreas::standard().areas;
    let (from, to) = (&competence.from.needs, &competence.to.needs);
    let (gaps_from, gaps_to) = (gaps(&competence.areas, from), gaps(&competence.areas, to));
    let need = |needs: &[Need], gaps: &[Gap], key: &str| {
        needs.iter().find(|n| n.area_key == key).map(|n| {
            let gap = gaps.iter().find(|g| g.area_key == key);
            NeedJson {
                mastery: n.mastery,
                importance: n.importance,
                gap: gap.map(|g| g.gap),
                is_need: gap.is_some_and(Gap::is_need),
                top_three: n.top_three,
            }
        })
    };
    let areas = competence
        .areas
        .iter()
        .filter_map(|area| {
            let (f, t) = (
                need(from, &gaps_from, &area.key),
                need(to, &gaps_to, &area.key),
            );
            (f.is_some() || t.is_some()).then(|| NeedAreaJson {
                key: &area.key,
                name: area.name.get(lang),
                own: !shipped.iter().any(|a| a.key == area.key),
                from: f,
                to: t,
            })
        })
        .collect();
    let top = |needs: &'a [Need]| {
        competence
            .areas
            .iter()
            .filter(|area| needs.iter().any(|n| n.area_key == area.key && n.top_three))
            .map(|area| area.key.as_str())
            .collect()
    };
    NeedsJson {
        need_gap: NEED_GAP,
        areas,
        top_three: FromTo {
            from: top(from),
            to: top(to),
        },
    }
}

fn status_json(table: &StatusTable) -> StatusJson {
    let groups = table
        .rows
        .iter()
        .map(|row| {
            let (shown, hidden) = match row.counts {
                Counts::Shown(c) => (Some(c), None),
                Counts::Empty => (Some(StatusCounts::default()), None),
                Counts::TooFew => (None, Some("too_few")),
                Counts::Protects => (None, Some("protects")),
            };
            StatusGroupJson {
                group: row.role.map_or("all", |role| role.code()),
                n: row.n,
                shown: shown.is_some(),
                hidden,
                meets: shown.map(|c| c.meets),
                will: shown.map(|c| c.will),
                will_not: shown.map(|c| c.will_not),
            }
        })
        .collect();
    StatusJson {
        groups,
        not_covered: table.not_covered,
    }
}

fn positions_json<'a>(lang: Lang, competence: &Competence) -> PositionsJson<'a> {
    let r = Requirement::standard();
    PositionsJson {
        requirement: RequirementRef {
            key: &r.key,
            version: &r.version,
            applies_from: r.applies_from.to_string(),
        },
        baseline: BaselineJson {
            year: r.baseline.year,
            source: r.baseline.source.get(lang),
            figures: r
                .baseline
                .figures
                .iter()
                .map(|f| BaselineFigureJson {
                    group: &f.role,
                    percent: f.percent,
                    text: f.text.get(lang),
                })
                .collect(),
        },
        from: status_json(&competence.from.positions),
        to: status_json(&competence.to.positions),
    }
}

pub fn write(
    lang: Lang,
    rows: &ComparisonRows,
    plan: &PlanRows,
    competence: &Competence,
) -> String {
    let sections = rows
        .sections
        .iter()
        .map(|section| SectionJson {
            area: area_json(&section.area.change, &section.area.name),
            subdomains: section.subdomains.iter().map(subdomain_json).collect(),
        })
        .collect();
    let items = rows
        .items
        .iter()
        .filter_map(|row| {
            let place = row.place.as_ref()?;
            let item = &row.change;
            let change = &item.change;
            Some(ItemJson {
                key: &item.key,
                number: place.number,
                section: &place.section,
                subdomain: &place.subdomain,
                scale_min: place.scale_min,
                scale_max: place.scale_max,
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
    let not_comparable = rows
        .not_comparable
        .iter()
        .map(|row| NotComparableJson {
            key: &row.item.key,
            number: row.number,
            known: row.item.known,
            answered_from: row.item.answered_from,
            answered_to: row.item.answered_to,
            scored_from: row.item.scored_from,
            scored_to: row.item.scored_to,
        })
        .collect();
    let withheld_items = rows
        .withheld
        .iter()
        .flat_map(|area| {
            let (section, subdomain) = area.key.split_once('.').unwrap_or((&area.key, ""));
            area.items.iter().map(move |(key, number)| WithheldJson {
                key,
                number: *number,
                section,
                subdomain,
                hidden: "by_code",
            })
        })
        .collect();
    let consultant = rows.consultant.as_ref().map(|consultant| ConsultantJson {
        n_from: consultant.n_from,
        n_to: consultant.n_to,
        areas: consultant
            .areas
            .iter()
            .map(|area| ConsultantAreaJson {
                key: &area.key,
                from: pct(area.from.percent()),
                to: pct(area.to.percent()),
                band_from: band_code(area.from.band()),
                band_to: band_code(area.to.band()),
            })
            .collect(),
    });
    let (plan_items, goals) = plan_json(plan);
    let document = Document {
        format: "kartlegg-compare",
        format_version: JSON_FORMAT_VERSION,
        lang: lang.code(),
        instrument: InstrumentRef {
            key: &rows.instrument_key,
            version: &rows.instrument_version,
        },
        service: ServiceRef {
            id: &rows.service.id,
            name: &rows.service.name,
            cluster: &rows.service.cluster,
            municipalities: &rows.service.municipalities,
        },
        from: round_ref(lang, &rows.from),
        to: round_ref(lang, &rows.to),
        backwards: rows.backwards,
        rules: Rules {
            notable_points: NOTABLE_POINTS,
            min_respondents_for_star: MIN_RESPONDENTS_FOR_STAR,
            interval_level: INTERVAL_LEVEL,
            interval_method: "t_linearised",
            comparable_share_of_items: COMPARABLE_SHARE,
            dont_know_flag_share: DONT_KNOW_FLAG_SHARE,
            dont_know_flag_min_answers: DONT_KNOW_MIN_ANSWERS,
        },
        with_consultant: rows.options.with_consultant,
        min_group: rows.min_group,
        pairs: rows.pairs,
        sections,
        items,
        not_comparable,
        withheld_items,
        answers: FromTo {
            from: answers_json(&rows.answers_from),
            to: answers_json(&rows.answers_to),
        },
        consultant,
        roles: RolesJson {
            from: roles_json(&rows.from.roles),
            to: roles_json(&rows.to.roles),
        },
        plan_items,
        goals,
        needs: needs_json(lang, competence),
        positions_2031: positions_json(lang, competence),
    };
    let mut text = serde_json::to_string_pretty(&document).expect("plain data serializes");
    text.push('\n');
    text
}
