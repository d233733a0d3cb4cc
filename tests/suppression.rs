//! Groups that stay hidden (issue 13): a property test that builds random rounds, takes
//! every figure the faces show about role groups (the comparison's service score with its n
//! and answer counts, each group's shown score with its n and answer counts, "all" with its
//! mean and range), and tries to compute each hidden group's score back from them alone. It
//! must never get within the rounding of the true value. With respondents by code, the
//! service's score per area and each item's figure are attacked too, minus the answers of
//! those entered at the machine.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, TimeZone, Utc};
use kartlegg::domain::compare::{
    Answered, MIN_GROUP, Options, answered, compare, hold_back_codes, role_table,
};
use kartlegg::domain::instrument::{Asked, Instrument};
use kartlegg::domain::model::{Answer, Respondent, Response, Role, Round, RoundKind};
use kartlegg::domain::scoring::{AnswerSet, Answering, Tally, summarize};
use kartlegg::store::{Answers, Invites, Scores, Store};
use kartlegg::usecase::rounds::RoundData;
use proptest::prelude::*;

/// A small, seeded generator, so that a failing case is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One respondent's answers: mostly scores, some "don't know", some left out; some
/// respondents answer only some sections, so that groups differ from section to section.
/// Only the items put to them (`asked`) are answered, as the walk asks them.
fn answers(instrument: &Instrument, asked: Asked, rng: &mut Rng) -> AnswerSet {
    let skipped_section = (rng.below(4) == 0).then(|| rng.below(instrument.sections.len() as u64));
    instrument
        .items_asked(asked)
        .iter()
        .filter(|item| skipped_section != Some(item.section_index as u64))
        .filter_map(|item| {
            let response = match rng.below(20) {
                0 => return None,
                1 | 2 => Response::DontKnow,
                _ => {
                    let (low, high) = (item.scale.min(), item.scale.max());
                    Response::Score(low + rng.below(u64::from(high - low) + 1) as u8)
                }
            };
            Some((
                item.item.key.clone(),
                Answer {
                    response: Some(response),
                    comment: String::new(),
                },
            ))
        })
        .collect()
}

/// The generated rounds are after the programme, when every item is asked of someone.
fn after(role: Role) -> Asked {
    Asked::new(RoundKind::After, role)
}

/// A round: 1..6 leaders, key persons and staff, 0..2 process leaders.
fn round(instrument: &Instrument, sizes: [usize; 4], rng: &mut Rng) -> Vec<(Role, AnswerSet)> {
    Role::ALL
        .into_iter()
        .zip(sizes)
        .flat_map(|(role, n)| (0..n).map(move |_| role).collect::<Vec<_>>())
        .map(|role| (role, answers(instrument, after(role), rng)))
        .collect()
}

/// What a face shows of one section of one round.
#[derive(Debug, Default)]
struct SectionShown {
    /// The service's score: whole percent, scored answers, respondents with a score.
    total: Option<(f64, u32, usize)>,
    /// "All": the mean of the respondents' own scores, and their n.
    all_mean: Option<(f64, usize)>,
    /// "All": lowest and highest respondent's own score.
    range: Option<(f64, f64)>,
    /// Per group in the pooled score: its role, its n, and its shown score and answers.
    groups: Vec<GroupShown>,
}

/// A group's role, its n, and its shown score (whole percent) with its scored answers.
type GroupShown = (Role, usize, Option<(f64, u32)>);

/// The truth about one group in one section.
struct Truth {
    percent: f64,
    respondents: usize,
}

fn truths(instrument: &Instrument, round: &[(Role, AnswerSet)]) -> HashMap<(Role, usize), Truth> {
    let mut out = HashMap::new();
    for role in Role::ALL {
        let sets: Vec<Answering> = round
            .iter()
            .filter(|(r, _)| *r == role)
            .map(|(r, a)| (after(*r), a))
            .collect();
        for (s, score) in summarize(instrument, &sets).iter().enumerate() {
            if let Some(percent) = score.tally.exact_percent() {
                let respondents = sets
                    .iter()
                    .filter(|set| summarize(instrument, &[**set])[s].tally.scored > 0)
                    .count();
                out.insert(
                    (role, s),
                    Truth {
                        percent,
                        respondents,
                    },
                );
            }
        }
    }
    out
}

/// Every way of working a hidden group out from the shown figures alone; the first that
/// lands within the rounding of the truth is returned, with how.
fn attack(shown: &SectionShown, hidden: Role, truth: &Truth) -> Option<String> {
    let others: Vec<&GroupShown> = shown
        .groups
        .iter()
        .filter(|(r, _, _)| *r != hidden)
        .collect();
    let all_others_shown = others.iter().all(|(_, _, s)| s.is_some());
    // The pooled score minus the visible groups, weighted by their scored answers.
    if let (Some((total, scored, _)), true) = (shown.total, all_others_shown) {
        let visible: u32 = others.iter().map(|(_, _, s)| s.unwrap().1).sum();
        let rest = scored.saturating_sub(visible);
        if rest > 0 {
            let sum: f64 = others
                .iter()
                .map(|(_, _, s)| s.unwrap().0 * f64::from(s.unwrap().1))
                .sum();
            let estimate = (total * f64::from(scored) - sum) / f64::from(rest);
            let rounding = 0.5 * f64::from(scored + visible) / f64::from(rest);
            if (estimate - truth.percent).abs() <= rounding {
                return Some(format!(
                    "service score minus the visible groups: {estimate:.1} against {:.1} \
                     (rounding {rounding:.1})",
                    truth.percent
                ));
            }
        }
    }
    // The mean of "all" minus the visible groups, weighted by their n.
    if let (Some((mean, n)), true) = (shown.all_mean, all_others_shown) {
        let visible: usize = others.iter().map(|(_, n, _)| *n).sum();
        let rest = n.saturating_sub(visible);
        if rest > 0 && rest == truth.respondents {
            let sum: f64 = others
                .iter()
                .map(|(_, n, s)| s.unwrap().0 * *n as f64)
                .sum();
            let estimate = (mean * n as f64 - sum) / rest as f64;
            let rounding = 0.5 * (n + visible) as f64 / rest as f64;
            if (estimate - truth.percent).abs() <= rounding {
                return Some(format!(
                    "mean of all minus the visible groups: {estimate:.1} against {:.1}",
                    truth.percent
                ));
            }
        }
    }
    // One person's score is the lowest or the highest of all.
    if let (Some((low, high)), 1) = (shown.range, truth.respondents) {
        for extreme in [low, high] {
            if (extreme - truth.percent).abs() <= 0.5 {
                return Some(format!(
                    "the range's end {extreme} against {:.1}",
                    truth.percent
                ));
            }
        }
    }
    None
}

fn people(round: &[(Role, AnswerSet)]) -> Vec<Answered<'_>> {
    round
        .iter()
        .map(|(role, answers)| Answered {
            kind: RoundKind::After,
            role: *role,
            code: "",
            by_code: false,
            answers,
        })
        .collect()
}

/// The figures the faces show: the comparison's service score, and the role table that the
/// roles screen, the comparison in every format and the report all draw from.
fn shown(
    instrument: &Instrument,
    round: &[(Role, AnswerSet)],
    other: &[(Role, AnswerSet)],
    options: Options,
    min_group: usize,
) -> Vec<SectionShown> {
    let comparison = compare(instrument, &people(other), &people(round), options);
    let table = role_table(instrument, &people(round), options, min_group);
    instrument
        .sections
        .iter()
        .enumerate()
        .map(|(s, section)| {
            let area = comparison.area(&section.key).unwrap();
            let tally = area.answers_to;
            let all = table.all[s];
            SectionShown {
                total: tally.percent().map(|p| (p, tally.scored, area.change.n_to)),
                all_mean: all.mean.map(|m| (round_to_whole(m), all.n)),
                range: all
                    .range
                    .map(|(low, high)| (round_to_whole(low), round_to_whole(high))),
                groups: table
                    .groups
                    .iter()
                    .filter(|g| options.with_consultant || g.role != Role::Consultant)
                    .map(|g| {
                        let score = g.cells[s]
                            .shown()
                            .and_then(|t| t.percent().map(|p| (p, t.scored)));
                        (g.role, g.n, score)
                    })
                    .collect(),
            }
        })
        .collect()
}

fn round_to_whole(value: f64) -> f64 {
    kartlegg::domain::rounding::round(value, 0)
}

fn check_round(
    instrument: &Instrument,
    round: &[(Role, AnswerSet)],
    other: &[(Role, AnswerSet)],
    options: Options,
    min_group: usize,
) -> Result<(), String> {
    let truths = truths(instrument, round);
    let shown = shown(instrument, round, other, options, min_group);
    for (s, section) in shown.iter().enumerate() {
        // The service's score is shown whatever its n (it is the service's own mapping):
        // where fewer than the smallest group have a score in a section at all, a lone
        // group in it is the service, and no role face can hide that.
        if section.total.is_none_or(|(_, _, n)| n < min_group) {
            continue;
        }
        for (role, _, score) in &section.groups {
            let Some(truth) = truths.get(&(*role, s)) else {
                continue;
            };
            if score.is_some() {
                continue;
            }
            if let Some(how) = attack(section, *role, truth) {
                return Err(format!(
                    "the hidden {role:?} of section {s} worked out by {how}; shown: {section:?}"
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_hidden_group_can_be_worked_out_from_what_is_shown(
        seed in any::<u64>(),
        sizes in [1..=6usize, 1..=6, 1..=6, 0..=2],
        with_consultant in any::<bool>(),
        raise in 0..=3usize,
    ) {
        let instrument = Instrument::standard();
        let mut rng = Rng(seed);
        let before = round(instrument, sizes, &mut rng);
        let after = round(instrument, sizes, &mut rng);
        let options = Options { with_consultant };
        let min_group = MIN_GROUP + raise;
        check_round(instrument, &after, &before, options, min_group)
            .map_err(TestCaseError::fail)?;
    }
}

/// The case of issue 13, by hand: one leader at 87.5 % beside five staff, the leader hidden;
/// the service's score minus the staff's gave 88 %.
#[test]
fn the_lone_leader_of_issue_13_stays_hidden() {
    let instrument = Instrument::standard();
    let with = |value: u8| -> AnswerSet {
        instrument
            .items()
            .iter()
            // The twelve items of version 1.0, as in the issue.
            .filter(|i| i.section.key == "readiness" && !i.item.key.ends_with(".4"))
            .enumerate()
            .map(|(index, i)| {
                // 9 of 12 answers at the top, 3 at the middle: 87.5 %
                let v = if index % 4 == 0 && value == 5 {
                    3
                } else {
                    value
                };
                (
                    i.item.key.clone(),
                    Answer {
                        response: Some(Response::Score(v)),
                        comment: String::new(),
                    },
                )
            })
            .collect()
    };
    let mut round = vec![(Role::Leader, with(5))];
    round.extend((0..5).map(|_| (Role::Staff, with(2))));
    check_round(instrument, &round, &round, Options::default(), 3).unwrap();
}

/// A round in which some respondents answered by code (`true`) and the rest were entered at
/// the machine, whose exact answers the attacker is given; the process leaders never by code.
fn coded_round(
    instrument: &Instrument,
    sizes: [usize; 4],
    codes: [usize; 3],
    rng: &mut Rng,
) -> (Vec<(Respondent, AnswerSet)>, HashSet<String>) {
    let mut all = Vec::new();
    let mut by_code = HashSet::new();
    for (g, (role, n)) in Role::ALL.into_iter().zip(sizes).enumerate() {
        for i in 0..n {
            let id = format!("{g}-{i}");
            if codes.get(g).is_some_and(|&c| i < c) {
                by_code.insert(id.clone());
            }
            let respondent = Respondent {
                id,
                round_id: "r".into(),
                role,
                code: String::new(),
            };
            all.push((respondent, answers(instrument, after(role), rng)));
        }
    }
    (all, by_code)
}

/// A tally over an area (`section` or `section.subdomain`) or one item, by key.
fn tally_over(instrument: &Instrument, key: &str, sets: &[&AnswerSet]) -> Tally {
    let mut tally = Tally::default();
    for item in instrument.items() {
        let in_area = key == item.section.key
            || key == format!("{}.{}", item.section.key, item.subdomain.key)
            || key == item.item.key;
        if in_area {
            for set in sets {
                tally.add(set.get(&item.item.key).and_then(|a| a.response), item.scale);
            }
        }
    }
    tally
}

/// A figure shown as a whole percent over `shown.scored` answers, minus what the attacker
/// knows of it (the individuals entered at the machine): the pooled score of the rest, the
/// respondents by code in it. Fails where that rest is one or two respondents by code and
/// the estimate lands within the rounding of their true pooled score.
fn pool_attack(
    instrument: &Instrument,
    key: &str,
    shown: Tally,
    known: &[&AnswerSet],
    coded: &[&AnswerSet],
    what: &str,
) -> Result<(), String> {
    let Some(percent) = shown.percent() else {
        return Ok(());
    };
    let known = tally_over(instrument, key, known);
    let contributors: Vec<&AnswerSet> = coded
        .iter()
        .copied()
        .filter(|set| tally_over(instrument, key, &[set]).scored > 0)
        .collect();
    let rest = shown.scored.saturating_sub(known.scored);
    if rest == 0 || contributors.is_empty() || contributors.len() >= MIN_GROUP {
        return Ok(());
    }
    let estimate =
        (percent * f64::from(shown.scored) - 100.0 * known.fraction_sum) / f64::from(rest);
    let rounding = 0.5 * f64::from(shown.scored) / f64::from(rest);
    let truth = tally_over(instrument, key, &contributors)
        .exact_percent()
        .unwrap();
    if (estimate - truth).abs() <= rounding {
        return Err(format!(
            "{what} in {key} minus the known respondents gives {} by code: {estimate:.1} \
             against {truth:.1}",
            contributors.len()
        ));
    }
    Ok(())
}

/// Everything a leader sees of a round with respondents by code, and the individuals they
/// know, against the code respondents' true scores.
fn check_codes(
    instrument: &Instrument,
    raw: Vec<(Respondent, AnswerSet)>,
    mut by_code: HashSet<String>,
    closed: bool,
    options: Options,
    min_group: usize,
) -> Result<(), String> {
    let mut round = raw;
    hold_back_codes(
        instrument,
        RoundKind::After,
        &mut round,
        &mut by_code,
        closed,
    );
    let people = answered(RoundKind::After, &round, &by_code);
    let counted = |who: &&Answered| options.with_consultant || who.role != Role::Consultant;
    let comparison = compare(instrument, &people, &people, options);
    let table = role_table(instrument, &people, options, min_group);
    let split = |filter: &dyn Fn(&Answered) -> bool| -> (Vec<&AnswerSet>, Vec<&AnswerSet>) {
        let (coded, known): (Vec<&Answered>, Vec<&Answered>) = people
            .iter()
            .filter(counted)
            .filter(|who| filter(who))
            .partition(|who| who.by_code);
        (
            known.iter().map(|w| w.answers).collect(),
            coded.iter().map(|w| w.answers).collect(),
        )
    };
    // The service's score in every section and subdomain, on every face.
    let (known, coded) = split(&|_| true);
    for area in comparison.areas() {
        pool_attack(
            instrument,
            &area.key,
            area.answers_to,
            &known,
            &coded,
            "the service's score",
        )?;
    }
    // Every item's figure shown in the comparison (rule C).
    for item in &comparison.items {
        pool_attack(
            instrument,
            &item.key,
            item.change.to,
            &known,
            &coded,
            "an item's figure",
        )?;
    }
    for (s, section) in instrument.sections.iter().enumerate() {
        let key = section.key.as_str();
        let mut hidden: Vec<Role> = Vec::new();
        let mut visible = Tally::default();
        for group in table
            .groups
            .iter()
            .filter(|g| options.with_consultant || g.role != Role::Consultant)
        {
            let (known, coded) = split(&|who| who.role == group.role);
            match group.cells[s].shown() {
                Some(tally) => {
                    visible.merge(tally);
                    pool_attack(instrument, key, *tally, &known, &coded, "a shown group")?;
                }
                None => hidden.push(group.role),
            }
        }
        // The service's score minus the shown groups: the hidden groups pooled.
        let total = comparison.area(key).unwrap().answers_to;
        if let Some(percent) = total.percent() {
            let scored = total.scored - visible.scored;
            if scored > 0 {
                let sum = percent * f64::from(total.scored) / 100.0 - visible.fraction_sum;
                let rest = Tally {
                    scored,
                    fraction_sum: sum,
                    ..Tally::default()
                };
                let (known, coded) = split(&|who| hidden.contains(&who.role));
                pool_attack(instrument, key, rest, &known, &coded, "the hidden groups")?;
            }
        }
        // An end of the range that is no known respondent's own score is one by code's.
        if let Some((low, high)) = table.all[s].range {
            let (known, coded) = split(&|_| true);
            let own = |set: &AnswerSet| tally_over(instrument, key, &[set]).exact_percent();
            for end in [low, high] {
                let near = |set: &&AnswerSet| own(set).is_some_and(|p| (p - end).abs() < 1e-9);
                if !known.iter().any(near) && coded.iter().any(near) {
                    return Err(format!("the range's end {end} in {key} is one by code's"));
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_respondent_by_code_nor_one_or_two_of_them_can_be_worked_out(
        seed in any::<u64>(),
        sizes in [1..=6usize, 1..=6, 1..=6, 0..=2],
        codes in [0..=6usize, 0..=6, 0..=6],
        with_consultant in any::<bool>(),
        raise in 0..=2usize,
        closed in any::<bool>(),
    ) {
        let instrument = Instrument::standard();
        let mut rng = Rng(seed);
        let (round, by_code) = coded_round(instrument, sizes, codes, &mut rng);
        let options = Options { with_consultant };
        check_codes(instrument, round, by_code, closed, options, MIN_GROUP + raise)
            .map_err(TestCaseError::fail)?;
    }
}

/// Every answer of a readiness item at one value.
fn readiness_at(instrument: &Instrument, value: u8) -> Vec<(String, Response)> {
    instrument
        .items()
        .iter()
        .filter(|i| i.section.key == "readiness")
        .map(|i| (i.item.key.clone(), Response::Score(value)))
        .collect()
}

/// Rule A through the store, and answering closed: one, two, three and four staff by code
/// beside the leader are in no figure while codes of the round are open, neither in the kept
/// scores nor in the answers the faces load; closing brings them in, from three by code.
#[test]
fn respondents_by_code_count_in_no_figure_until_answering_is_closed_and_three_have_answered() {
    let instrument = Instrument::standard();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("k.db")).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 3, 9, 10, 0, 0).unwrap();
    let service = store
        .create_service("Fjellbygd", &["3431".into()], "Innlandet", now)
        .unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 2, 10).unwrap();
    let mut rounds = Vec::new();
    for label in ["Før", "Etter"] {
        let round = store
            .create_round(&service.id, label, date, RoundKind::Before, instrument, now)
            .unwrap();
        let leader = store
            .create_respondent(&round.id, Role::Leader, "", now)
            .unwrap();
        for (key, response) in readiness_at(instrument, 5) {
            store
                .save_response(&leader.id, &key, Some(response), now)
                .unwrap();
        }
        rounds.push(round);
    }
    let hashes: Vec<String> = (0..10).map(|i| format!("{i:064}")).collect();
    for (round, hashes) in rounds.iter().zip(hashes.chunks(5)) {
        store
            .add_invites(&round.id, Role::Staff, hashes, now)
            .unwrap();
    }
    let answer_by_code = |store: &mut Store, hash: &str, value: u8| {
        let staff = store.claim_invite(&by_argon(hash), now).unwrap().unwrap();
        for (key, response) in readiness_at(instrument, value) {
            store
                .save_response(&staff.id, &key, Some(response), now)
                .unwrap();
        }
    };
    let figures = |store: &Store, round: &Round| {
        let kept = store
            .round_scores(instrument, &[&round.id], Options::default())
            .unwrap()
            .remove(0);
        let data = RoundData::load(store, round.clone()).unwrap();
        // The kept scores and the answers the faces load count the same respondents.
        assert_eq!(kept.sections, summarize(instrument, &data.sets()));
        assert_eq!(kept.respondents, data.respondents.len());
        (kept.respondents, kept.sections[0].tally.percent())
    };
    let before = &rounds[0];
    for (n, hash) in hashes[..4].iter().enumerate() {
        answer_by_code(&mut store, hash, 1);
        assert_eq!(
            figures(&store, before),
            (1, Some(100.0)),
            "{} by code, codes open: not counted",
            n + 1
        );
    }
    // One code withdrawn while another is open changes nothing.
    assert!(store.withdraw_invite(&by_argon(&hashes[4]), now).unwrap());
    assert_eq!(figures(&store, before), (1, Some(100.0)));
    assert!(!store.answering_closed(&before.id).unwrap());
    assert_eq!(store.close_invites(&before.id, now).unwrap(), 4);
    assert!(store.answering_closed(&before.id).unwrap());
    assert_eq!(
        figures(&store, before),
        (5, Some(20.0)),
        "closed: all four count"
    );
    assert!(
        store
            .claim_invite(&by_argon(&hashes[0]), now)
            .unwrap()
            .is_none()
    );

    // The other round closed by withdrawing its codes one by one: the last one brings in
    // the three by code.
    let after = &rounds[1];
    for hash in &hashes[5..8] {
        answer_by_code(&mut store, hash, 1);
    }
    for hash in &hashes[5..10] {
        assert_eq!(figures(&store, after), (1, Some(100.0)));
        assert!(store.withdraw_invite(&by_argon(hash), now).unwrap());
    }
    assert!(store.answering_closed(&after.id).unwrap());
    assert_eq!(
        figures(&store, after),
        (4, Some(25.0)),
        "closed by the last"
    );
}

/// An invite's hash as the store is asked for it: made the way new codes are.
fn by_argon(hash: &str) -> Vec<(kartlegg::domain::invite::Scheme, String)> {
    vec![(kartlegg::domain::invite::Scheme::Argon2id, hash.to_string())]
}
