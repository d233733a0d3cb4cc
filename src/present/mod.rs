//! One place for how numbers, dates and counts look, whatever face shows them: the screens,
//! text, Markdown, HTML, JSON and CSV. The rounding rule is the domain's
//! (`domain::rounding`, halves away from zero); here is only how a rounded number is written.

use chrono::NaiveDate;

use crate::domain::cluster::{Gathering, GatheringKind};
use crate::domain::compare::{AreaChange, Change, NotComparable};
use crate::domain::instrument::Instrument;
use crate::domain::model::{Role, RoundKind};
use crate::domain::needs::FactField;
use crate::domain::plan::Stage;
use crate::domain::requirement::{
    BaselineFigure, Counts, Education, PositionRole, Requirement, Status as PositionStatus,
    StatusCounts,
};
use crate::domain::rounding::round;
use crate::domain::scoring::{Band, Tally};
use crate::i18n::plan_names::stage_key;
use crate::i18n::{Lang, tr, trf};

/// What stands where there is no number.
pub const NONE: &str = "–";

/// U+2212, the minus sign of typeset text; machine-read files keep the hyphen-minus.
const MINUS: char = '−';

/// Decimals of a mean on an item's scale, wherever it is shown or written.
pub const MEAN_PLACES: u32 = 1;

/// A number as JSON carries it: rounded by the one rule, to the places every other face
/// shows, so that a number read from JSON is the number on the screen and in the report.
pub fn json(value: f64, places: u32) -> f64 {
    round(value, places)
}

/// `value` with `places` decimals, rounded by the one rule, with a decimal comma in
/// Norwegian and a plain hyphen-minus, as spreadsheets read it.
pub fn decimal(lang: Lang, value: f64, places: u32) -> String {
    let text = format!("{:.*}", places as usize, round(value, places));
    match lang {
        Lang::Nb | Lang::Nn => text.replace('.', ","),
        Lang::En => text,
    }
}

/// A percent of the maximum, whole: "63 %"; "–" without a score.
pub fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| NONE.to_string(), |p| format!("{} %", percent_figure(p)))
}

/// A whole percent without its sign, for narrow columns: "63".
pub fn percent_figure(value: f64) -> String {
    decimal(Lang::En, value, 0)
}

/// A whole number with its sign, as a change is written: "+12", "−5", "0".
pub fn points(value: f64) -> String {
    signed(Lang::En, value, 0)
}

/// A number with its sign and `places` decimals: "+0,4", "−1,3", "0,0".
pub fn signed(lang: Lang, value: f64, places: u32) -> String {
    let rounded = round(value, places);
    let magnitude = decimal(lang, rounded.abs(), places);
    if rounded > 0.0 {
        format!("+{magnitude}")
    } else if rounded < 0.0 {
        format!("{MINUS}{magnitude}")
    } else {
        magnitude
    }
}

/// A competence need's gap (importance − mastery) as every face writes it: "+3", "0", "−1".
pub fn gap(lang: Lang, gap: i8) -> String {
    signed(lang, f64::from(gap), 0)
}

/// A mean gap (importance − mastery) with the number of services it rests on: "+1,5 (n = 2)",
/// the same on the screen and in the report.
pub fn mean_gap(lang: Lang, mean: f64, n: usize) -> String {
    trf(
        lang,
        "number.mean_gap",
        &[("gap", &signed(lang, mean, MEAN_PLACES)), ("n", &n)],
    )
}

/// An interval of a change in points: "−3 til +20".
pub fn interval(lang: Lang, (low, high): (f64, f64)) -> String {
    trf(
        lang,
        "number.interval",
        &[("low", &points(low)), ("high", &points(high))],
    )
}

/// `part` of `whole` as a percent, unrounded; `None` of nothing.
pub fn share(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| 100.0 * f64::from(part) / f64::from(whole))
}

/// "2 av 12 (17 %)": a count with the whole it is part of and its share.
pub fn count_of(lang: Lang, part: u32, whole: u32) -> String {
    trf(
        lang,
        "number.count_of",
        &[
            ("part", &part),
            ("whole", &whole),
            ("share", &percent(share(part, whole))),
        ],
    )
}

/// A date as the language writes it: 10.02.2026 in Norwegian, 2026-02-10 in English.
pub fn date(lang: Lang, date: NaiveDate) -> String {
    match lang {
        Lang::Nb | Lang::Nn => date.format("%d.%m.%Y").to_string(),
        Lang::En => date.format("%Y-%m-%d").to_string(),
    }
}

/// A count with its noun in the right number: "1 tjeneste", "2 tjenester". `noun` names a
/// text whose forms are "{n} one|{n} other".
pub fn count(lang: Lang, noun: &str, n: usize) -> String {
    let forms = tr(lang, noun);
    let form = match forms.split_once('|') {
        Some((one, _)) if n == 1 => one,
        Some((_, other)) => other,
        None => forms,
    };
    form.replace("{n}", &n.to_string())
}

/// `text` in at most `width` characters, its end replaced by "…" when it is cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let cut: String = text.chars().take(width - 1).collect();
    format!("{}…", cut.trim_end())
}

// ---- names, as every face writes them ----

/// The text key of a role's name.
pub fn role_key(role: Role) -> &'static str {
    match role {
        Role::Leader => "role.leader",
        Role::KeyPerson => "role.key_person",
        Role::Staff => "role.staff",
        Role::Consultant => "role.consultant",
    }
}

/// The text key of a position's role.
pub fn position_role_key(role: PositionRole) -> &'static str {
    match role {
        PositionRole::Leader => "position.role.leader",
        PositionRole::Caseworker => "position.role.caseworker",
        PositionRole::Other => "position.role.other",
    }
}

/// The text key of a position's education.
pub fn education_key(education: Education) -> &'static str {
    match education {
        Education::MasterChildWelfare => "position.education.master_child_welfare",
        Education::MasterOtherRelevant => "position.education.master_other_relevant",
        Education::BachelorRelevant => "position.education.bachelor_relevant",
        Education::Other => "position.education.other",
        Education::None => "position.education.none",
    }
}

/// The text key of a position's role in a narrow column.
pub fn position_role_short_key(role: PositionRole) -> &'static str {
    match role {
        PositionRole::Leader => "position.role_short.leader",
        PositionRole::Caseworker => "position.role_short.caseworker",
        PositionRole::Other => "position.role_short.other",
    }
}

/// The text key of a position's education in a narrow column.
pub fn education_short_key(education: Education) -> &'static str {
    match education {
        Education::MasterChildWelfare => "position.education_short.master_child_welfare",
        Education::MasterOtherRelevant => "position.education_short.master_other_relevant",
        Education::BachelorRelevant => "position.education_short.bachelor_relevant",
        Education::Other => "position.education_short.other",
        Education::None => "position.education_short.none",
    }
}

/// The text key of a position's status against the requirement, with its symbol.
pub fn position_status_key(status: PositionStatus) -> &'static str {
    match status {
        PositionStatus::Meets => "position.status.meets",
        PositionStatus::Will => "position.status.will",
        PositionStatus::WillNot => "position.status.will_not",
        PositionStatus::NotCovered => "position.status.not_covered",
    }
}

/// The ways to meet the requirement in a list, kartlegg's readings marked as such.
pub fn requirement_ways(lang: Lang) -> String {
    let mark = tr(lang, "positions.reading_mark");
    let ways: Vec<String> = Requirement::standard()
        .ways
        .iter()
        .map(|w| {
            let text = w.text.get(lang);
            if w.reading {
                format!("{text} {mark}")
            } else {
                text.to_string()
            }
        })
        .collect();
    ways.join("; ")
}

/// The national baseline in a sentence: its year, its figures and, in full, its source.
pub fn baseline(lang: Lang, full: bool) -> String {
    let b = &Requirement::standard().baseline;
    let figures: Vec<String> = b.figures.iter().map(|f| baseline_figure(lang, f)).collect();
    let figures = figures.join("; ");
    if full {
        trf(
            lang,
            "positions.baseline",
            &[
                ("year", &b.year),
                ("source", &b.source.get(lang)),
                ("figures", &figures),
            ],
        )
    } else {
        trf(
            lang,
            "positions.baseline_short",
            &[("year", &b.year), ("figures", &figures)],
        )
    }
}

/// One national figure: "9 % caseworkers with a master's".
pub fn baseline_figure(lang: Lang, figure: &BaselineFigure) -> String {
    format!("{} % {}", figure.percent, figure.text.get(lang))
}

/// The text key of a group of the status table against the requirement: a covered role, or
/// all covered positions (`None`).
pub fn status_group_key(role: Option<PositionRole>) -> &'static str {
    match role {
        Some(PositionRole::Leader) => "positions.group_leader",
        Some(PositionRole::Caseworker) => "positions.group_caseworker",
        Some(PositionRole::Other) => "position.role.other",
        None => "positions.group_all",
    }
}

/// A count of a group's positions with its share of the group's n: "3 (60 %)".
pub fn status_count(lang: Lang, part: usize, counts: &StatusCounts) -> String {
    let share = share(part as u32, counts.n() as u32);
    trf(
        lang,
        "positions.count",
        &[("count", &part), ("share", &percent(share))],
    )
}

/// A group's three cells (meets, will, will not) as every face shows them, and whether they
/// are withheld (too few, or hidden to protect another group), for a face to set apart.
pub fn status_cells(lang: Lang, counts: &Counts) -> ([String; 3], bool) {
    match counts {
        Counts::Shown(c) => (
            [c.meets, c.will, c.will_not].map(|part| status_count(lang, part, c)),
            false,
        ),
        Counts::Empty => (std::array::from_fn(|_| NONE.to_string()), false),
        Counts::TooFew => (
            std::array::from_fn(|_| tr(lang, "roles.too_few").to_string()),
            true,
        ),
        Counts::Protects => (
            std::array::from_fn(|_| tr(lang, "roles.protects").to_string()),
            true,
        ),
    }
}

/// A fact about the service as every face writes it: FTEs with one decimal, the share of
/// newly qualified as a percent, the counts whole.
pub fn fact(lang: Lang, field: FactField, value: f64) -> String {
    match field {
        FactField::Ftes => decimal(lang, value, 1),
        FactField::NewlyQualified => percent(Some(value)),
        _ => decimal(lang, value, 0),
    }
}

/// The text key of a yes, partly or no.
pub fn answer_key(answer: crate::domain::needs::YesPartlyNo) -> &'static str {
    use crate::domain::needs::YesPartlyNo;
    match answer {
        YesPartlyNo::Yes => "report.answer_yes",
        YesPartlyNo::Partly => "report.answer_partly",
        YesPartlyNo::No => "report.answer_no",
    }
}

/// "ja", "delvis", "nei", or "–" where nothing is recorded.
pub fn answer(lang: Lang, value: Option<crate::domain::needs::YesPartlyNo>) -> String {
    value.map_or_else(|| NONE.to_string(), |v| tr(lang, answer_key(v)).to_string())
}

/// The text key of a gathering's kind.
pub fn gathering_kind_key(kind: GatheringKind) -> &'static str {
    match kind {
        GatheringKind::Leaders => "gathering_kind.leaders",
        GatheringKind::Joint => "gathering_kind.joint",
        GatheringKind::Digital => "gathering_kind.digital",
    }
}

/// A gathering as the screens name it: "Samling 01.02.2026 · ledersamling".
pub fn gathering_name(lang: Lang, gathering: &Gathering) -> String {
    let kind = tr(lang, gathering_kind_key(gathering.kind)).to_lowercase();
    trf(
        lang,
        "cluster.gathering_named",
        &[("date", &date(lang, gathering.held_on)), ("kind", &kind)],
    )
}

/// A gathering within a sentence: "samlingen 24.02.2026 (Ledersamling)", as the report's
/// points, an erasure's question and a round's tie name it.
pub fn gathering_of(lang: Lang, gathering: &Gathering) -> String {
    trf(
        lang,
        "gathering.of",
        &[
            ("date", &date(lang, gathering.held_on)),
            ("kind", &tr(lang, gathering_kind_key(gathering.kind))),
        ],
    )
}

/// The text key of a round's kind.
pub fn kind_key(kind: RoundKind) -> &'static str {
    match kind {
        RoundKind::Before => "kind.before",
        RoundKind::Between => "kind.between",
        RoundKind::After => "kind.after",
    }
}

/// A section's name by its key; the key itself where the instrument does not know it.
pub fn section_name<'i>(instrument: &'i Instrument, lang: Lang, key: &'i str) -> &'i str {
    instrument
        .sections
        .iter()
        .find(|s| s.key == key)
        .map_or(key, |s| s.name.get(lang))
}

/// The name of a subdomain keyed `section.subdomain`.
pub fn subdomain_name<'i>(instrument: &'i Instrument, lang: Lang, key: &'i str) -> &'i str {
    instrument
        .subdomain(key)
        .map_or(key, |d| d.subdomain.name.get(lang))
}

/// A section's or, keyed `section.subdomain`, a subdomain's name.
pub fn area_name<'i>(instrument: &'i Instrument, lang: Lang, key: &'i str) -> &'i str {
    if key.contains('.') {
        subdomain_name(instrument, lang, key)
    } else {
        section_name(instrument, lang, key)
    }
}

/// A stage's number in the model of implementation, 1 for the first.
pub fn stage_number(stage: Stage) -> usize {
    Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0) + 1
}

/// "3 Tilpasse tiltak": the stage's number in the model and its name.
pub fn numbered_stage(lang: Lang, stage: Stage) -> String {
    format!("{} {}", stage_number(stage), tr(lang, stage_key(stage)))
}

// ---- scores and changes, as every face writes them ----

/// A band's symbol: the words are in the legend.
pub fn band_symbol(band: Band) -> &'static str {
    match band {
        Band::InPlace => "●",
        Band::Partly => "◐",
        Band::Priority => "○",
    }
}

/// The text key of a band's name.
pub fn band_key(band: Band) -> &'static str {
    match band {
        Band::InPlace => "band.in_place",
        Band::Partly => "band.partly",
        Band::Priority => "band.priority",
    }
}

/// "◐ delvis": a band's symbol and its name.
pub fn band_label(lang: Lang, band: Band) -> String {
    format!("{} {}", band_symbol(band), tr(lang, band_key(band)))
}

/// "50 % ◐": a score and its band; "–" without a score.
pub fn score(tally: &Tally) -> String {
    match tally.band() {
        Some(band) => format!("{} {}", percent(tally.percent()), band_symbol(band)),
        None => percent(None),
    }
}

/// Marks a change over too few of the area's items to compare.
pub const NOT_COMPARABLE: &str = "⊘";

/// Marks a notable change.
pub const STAR: &str = "★";

/// A change in points with its star: "+12 ★", "−5", "0"; "–" where a side has no score.
pub fn change(change: &Change) -> String {
    match change.delta() {
        None => NONE.to_string(),
        Some(d) if change.notable() => format!("{} {STAR}", points(d)),
        Some(d) => points(d),
    }
}

/// An area's change: as `change`; "⊘" where it has scores but under half its items are
/// comparable; "–" where it has no score at all, or none of its items was put to anyone in
/// both rounds (an item asked only once the programme has started, in a round before it).
pub fn area_change(area: &AreaChange) -> String {
    if area.comparable() {
        change(&area.change)
    } else if area.has_scores() && area.items > 0 {
        NOT_COMPARABLE.to_string()
    } else {
        NONE.to_string()
    }
}

/// The change's 95 % interval, "−3 til +20"; "–" without one (too few respondents).
pub fn change_interval(lang: Lang, change: &Change) -> String {
    change
        .interval
        .map_or_else(|| NONE.to_string(), |i| interval(lang, i))
}

/// An area's interval: as `change_interval` where it is comparable, "–" where not.
pub fn area_interval(lang: Lang, area: &AreaChange) -> String {
    if area.comparable() {
        change_interval(lang, &area.change)
    } else {
        NONE.to_string()
    }
}

/// "6 → 5": the respondents behind each side.
pub fn respondents(change: &Change) -> String {
    format!("{} → {}", change.n_from, change.n_to)
}

/// "3/3": the area's items with a score in both rounds, of all its items put to someone in
/// both; "–" where there are none (not "0/0").
pub fn coverage(area: &AreaChange) -> String {
    if area.items == 0 {
        return NONE.to_string();
    }
    format!("{}/{}", area.items_common, area.items)
}

/// The share of "don't know" among a round's answers: "17 %", ⚑ where it is a finding;
/// "–" without answers.
pub fn dont_know_share(tally: &Tally) -> String {
    let flag = if tally.dont_know_flagged() {
        " ⚑"
    } else {
        ""
    };
    format!(
        "{}{flag}",
        percent(share(tally.dont_know, tally.answered()))
    )
}

/// The mean of the respondents' own scores and their range: "41 % (0–88 %)".
pub fn spread(mean: f64, min: f64, max: f64) -> String {
    format!(
        "{} ({}–{})",
        percent(Some(mean)),
        percent(Some(min)).trim_end_matches(" %"),
        percent(Some(max))
    )
}

/// A mean on an item's own scale, one decimal; "–" without one.
pub fn mean(lang: Lang, value: Option<f64>) -> String {
    value.map_or_else(|| NONE.to_string(), |m| decimal(lang, m, MEAN_PLACES))
}

/// "12. Vi har en felles forståelse …": an item by its number in the walk and its text; a key
/// the instrument does not know, said so.
pub fn numbered_item(instrument: &Instrument, lang: Lang, key: &str) -> String {
    instrument
        .items()
        .iter()
        .find(|i| i.item.key == key)
        .map_or_else(
            || format!("{} ({key})", tr(lang, "report.unknown_item")),
            |i| format!("{}. {}", i.index + 1, i.item.text.get(lang)),
        )
}

/// "Felles forståelse, spørsmål 5–8": a subdomain whose items a comparison withholds
/// (`domain::compare::items_withheld`), by its name and the numbers of its items.
pub fn withheld_area(instrument: &Instrument, lang: Lang, key: &str) -> String {
    let numbers: Vec<usize> = instrument
        .items()
        .iter()
        .filter(|i| i.area_key() == key)
        .map(|i| i.index + 1)
        .collect();
    let (first, last) = (
        numbers.first().copied().unwrap_or(0),
        numbers.last().copied().unwrap_or(0),
    );
    trf(
        lang,
        "compare.withheld_area",
        &[
            ("area", &subdomain_name(instrument, lang, key)),
            ("first", &first),
            ("last", &last),
        ],
    )
}

/// Why a comparison shows none of an area's items, in words.
pub fn withheld_reason(lang: Lang) -> String {
    trf(
        lang,
        "compare.withheld",
        &[("min", &crate::domain::compare::MIN_GROUP)],
    )
}

/// Why an item is left out of a comparison of the rounds `from` and `to`, in words.
pub fn not_comparable_reason(lang: Lang, from: &str, to: &str, item: &NotComparable) -> String {
    if !item.known {
        return tr(lang, "report.unknown_item").to_string();
    }
    match (item.scored_from, item.scored_to) {
        (true, false) => trf(lang, "report.scored_only_in", &[("round", &from)]),
        (false, true) => trf(lang, "report.scored_only_in", &[("round", &to)]),
        _ => tr(lang, "report.scored_in_neither").to_string(),
    }
}

/// The rules of a change, with the numbers the code uses: coverage, n, the interval, ★
/// and ⚑.
pub fn rules_note(lang: Lang) -> String {
    use crate::domain::compare::{INTERVAL_LEVEL, MIN_RESPONDENTS_FOR_STAR, NOTABLE_POINTS};
    trf(
        lang,
        "report.how_to_read",
        &[
            ("points", &NOTABLE_POINTS),
            ("n", &MIN_RESPONDENTS_FOR_STAR),
            ("level", &INTERVAL_LEVEL),
            ("dont_know", &crate::domain::scoring::DONT_KNOW_MIN_ANSWERS),
        ],
    )
}

/// What ★ and ⊘ mean in a comparison, with the rules behind them.
pub fn change_legend(lang: Lang) -> String {
    use crate::domain::compare::{INTERVAL_LEVEL, MIN_RESPONDENTS_FOR_STAR, NOTABLE_POINTS};
    trf(
        lang,
        "legend.change_rules",
        &[
            ("star", &STAR),
            ("not", &NOT_COMPARABLE),
            ("points", &NOTABLE_POINTS),
            ("n", &MIN_RESPONDENTS_FOR_STAR),
            ("level", &INTERVAL_LEVEL),
        ],
    )
}

/// The text key of who needs a competence area.
pub fn who_key(who: crate::domain::needs::Who) -> &'static str {
    use crate::domain::needs::Who;
    match who {
        Who::Leaders => "needs.who_leaders",
        Who::Caseworkers => "needs.who_caseworkers",
        Who::All => "needs.who_all",
    }
}

/// The name of a competence area among `areas` (the shipped list and a service's own); its
/// key where the area is not there (an own area erased meanwhile).
pub fn competence_area_name(areas: &[crate::domain::needs::Area], lang: Lang, key: &str) -> String {
    areas
        .iter()
        .find(|a| a.key == key)
        .map_or_else(|| key.to_string(), |a| a.name.get(lang).to_string())
}

/// The text key of what a service can expect of the programme.
pub fn expectation_key(expectation: crate::domain::needs::Expectation) -> &'static str {
    use crate::domain::needs::Expectation;
    match expectation {
        Expectation::NewKnowledge => "report.expectation_new_knowledge",
        Expectation::Methods => "report.expectation_methods",
        Expectation::Exchange => "report.expectation_exchange",
        Expectation::Supervision => "report.expectation_supervision",
        Expectation::Other => "report.expectation_other",
    }
}

/// The text key of whether a service is ready to work on a need, or why not.
pub fn readiness_key(readiness: crate::domain::needs::Readiness) -> &'static str {
    use crate::domain::needs::Readiness;
    match readiness {
        Readiness::Ready => "needs.ready",
        Readiness::NotPrioritised => "needs.not_prioritised",
        Readiness::ReadinessLow => "needs.readiness_low",
        Readiness::ReadinessUnknown => "needs.readiness_unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_half_away_from_zero_in_every_language() {
        assert_eq!(decimal(Lang::Nb, 4.25, 1), "4,3");
        assert_eq!(decimal(Lang::Nn, 4.25, 1), "4,3");
        assert_eq!(decimal(Lang::En, 4.25, 1), "4.3");
        assert_eq!(decimal(Lang::En, -0.04, 1), "0.0");
        assert_eq!(percent(Some(62.5)), "63 %");
        assert_eq!(percent(Some(37.5)), "38 %");
        assert_eq!(percent(None), "–");
        assert_eq!(points(-4.0), "−4");
        assert_eq!(points(0.4), "0");
        assert_eq!(points(12.5), "+13");
        assert_eq!(signed(Lang::Nb, -1.25, 1), "−1,3");
    }

    #[test]
    fn shares_and_counts() {
        assert_eq!(share(1, 6).map(|s| round(s, 0)), Some(17.0));
        assert_eq!(share(0, 0), None);
        assert_eq!(count_of(Lang::Nb, 2, 12), "2 av 12 (17 %)");
        assert_eq!(count_of(Lang::En, 2, 12), "2 of 12 (17 %)");
    }

    #[test]
    fn dates_per_language() {
        let day = NaiveDate::from_ymd_opt(2026, 2, 10).unwrap();
        assert_eq!(date(Lang::Nb, day), "10.02.2026");
        assert_eq!(date(Lang::Nn, day), "10.02.2026");
        assert_eq!(date(Lang::En, day), "2026-02-10");
    }

    #[test]
    fn every_noun_has_a_one_and_an_other_form_in_every_language() {
        for noun in [
            "noun.service",
            "noun.round",
            "noun.respondent",
            "noun.answer",
            "noun.history_change",
            "noun.item",
            "noun.row",
            "noun.open_measure",
        ] {
            for lang in Lang::ALL {
                let forms = tr(lang, noun);
                assert_eq!(forms.matches('|').count(), 1, "{noun} {lang}: {forms}");
                assert!(count(lang, noun, 1).starts_with("1 "), "{noun} {lang}");
                assert!(count(lang, noun, 21).starts_with("21 "), "{noun} {lang}");
            }
        }
        assert_eq!(count(Lang::En, "noun.row", 1), "1 row");
        assert_eq!(count(Lang::Nn, "noun.respondent", 3), "3 respondentar");
        assert_eq!(count(Lang::Nb, "noun.open_measure", 1), "1 åpent");
        assert_eq!(count(Lang::Nb, "noun.open_measure", 2), "2 åpne");
    }

    #[test]
    fn plural_forms() {
        assert_eq!(count(Lang::Nb, "noun.service", 1), "1 tjeneste");
        assert_eq!(count(Lang::Nb, "noun.service", 2), "2 tjenester");
        assert_eq!(count(Lang::Nn, "noun.service", 2), "2 tenester");
        assert_eq!(count(Lang::En, "noun.service", 1), "1 service");
        assert_eq!(count(Lang::En, "noun.service", 0), "0 services");
        assert_eq!(interval(Lang::Nb, (-3.0, 20.0)), "−3 til +20");
    }
}
