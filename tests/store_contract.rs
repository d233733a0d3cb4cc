//! The store's contract: every promise of the interface in `src/store` (the traits
//! `Answers`, `ChangeLog`, `Plans`, `Scores`, `Admin`, `Exchange`, `Sharing`, `Invites`, `Erase`, `Needs`, `Positions` and `Clusters`, the merge rules included), written
//! once against `Backend` and run for each backend. A new backend adds one line to `every_backend!` and must pass all of it unchanged.

mod common;

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use kartlegg::domain::cluster::{Attendance, AttendanceField, Cluster, Gathering, GatheringKind};
use kartlegg::domain::compare::Options;
use kartlegg::domain::instrument::Asked;
use kartlegg::domain::instrument::Instrument;
use kartlegg::domain::invite::{self, Scheme};
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::domain::needs::{
    CompetenceAreas, Expectation, Expectations, FactField, FactProblem, Facts, Need, NeedField,
    Who, YesPartlyNo,
};
use kartlegg::domain::plan::{GoalStatus, Level, PlanItem, PlanKind, Stage};
use kartlegg::domain::requirement::{
    Education, MAX_CREDITS, Position, PositionFacts, PositionRole,
};
use kartlegg::domain::scoring::{Answering, summarize};
use kartlegg::exchange::{CsvDialect, CsvExport, CsvLayout, Disclosure, ImportClock, Scope};
use kartlegg::store::postgres::PgStore;
use kartlegg::store::{Answers, Backend, Erasable, ErasedBy, SCHEMA_VERSION, Store, StoreError};

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, minute, 0).unwrap()
}

fn instrument() -> &'static Instrument {
    Instrument::standard()
}

/// The first `n` item keys of the instrument, with the lowest score of each item's scale.
fn items(n: usize) -> Vec<(String, u8)> {
    let instrument = instrument();
    instrument
        .sections
        .iter()
        .flat_map(|section| {
            let min = instrument.scale(&section.scale).unwrap().min();
            section
                .subdomains
                .iter()
                .flat_map(move |d| d.items.iter().map(move |i| (i.key.clone(), min)))
        })
        .take(n)
        .collect()
}

/// A service with one round before the gatherings; returns their ids.
fn service_and_round<S: Answers>(store: &mut S) -> (String, String) {
    let service = store
        .create_service(
            "Askdal barneverntjeneste",
            &["3401".into()],
            "Klynge 1",
            at(0),
        )
        .unwrap();
    let round = store
        .create_round(
            &service.id,
            "Før første samling",
            NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            RoundKind::Before,
            instrument(),
            at(1),
        )
        .unwrap();
    (service.id, round.id)
}

// ---- Invites -------------------------------------------------------------------------------

/// A hash made the way every new invite's is.
fn new_scheme(hash: &str) -> [(Scheme, String); 1] {
    [(Scheme::Argon2id, hash.to_string())]
}

/// `#` and four of a code's symbols: what a respondent by code is shown under.
fn is_label(label: &str) -> bool {
    label.len() == 5
        && label.starts_with('#')
        && label[1..].bytes().all(|b| invite::ALPHABET.contains(&b))
}

/// The label is drawn at random when a code is first used: the same codes claimed on two
/// machines get other labels, so a label shown in an export or the walk's title tells
/// nothing of the code (it was once a 20-bit piece of the code's hash).
fn a_respondents_label_is_drawn_at_random_not_made_from_the_code<S: Backend>(a: &mut S, b: &mut S) {
    let codes = ["K7QM4RTX", "ABCD2345", "XY23ZW45"];
    let mut labels = Vec::new();
    for store in [a, b] {
        let (_, round) = service_and_round(store);
        let key = store.invite_key().unwrap();
        let hashes: Vec<String> = codes.iter().map(|c| invite::hash(c, &key)).collect();
        store
            .add_invites(&round, Role::Staff, &hashes, at(2))
            .unwrap();
        let claimed: Vec<String> = codes
            .iter()
            .map(|c| {
                let who = store.claim_invite(&invite::hashes(c, &key), at(3));
                who.unwrap().unwrap().code
            })
            .collect();
        assert!(claimed.iter().all(|l| is_label(l)), "{claimed:?}");
        let unique: HashSet<&String> = claimed.iter().collect();
        assert_eq!(unique.len(), codes.len(), "one label each: {claimed:?}");
        labels.push(claimed);
    }
    // By chance alike only once in 2^60.
    assert_ne!(labels[0], labels[1], "the labels follow from the codes");
}

fn a_code_claims_one_respondent_of_its_round_and_role_until_it_is_withdrawn<S: Backend>(
    store: &mut S,
) {
    let (_, round) = service_and_round(store);
    let codes = ["K7QM4RTX", "ABCD2345"];
    let key = store.invite_key().unwrap();
    assert_eq!(store.invite_key().unwrap(), key, "made once, then kept");
    let hashes: Vec<String> = codes.iter().map(|c| invite::hash(c, &key)).collect();
    store
        .add_invites(&round, Role::KeyPerson, &hashes, at(2))
        .unwrap();
    assert!(
        store.respondents(&round).unwrap().is_empty(),
        "none until used"
    );
    let first = store
        .claim_invite(&new_scheme(&hashes[0]), at(3))
        .unwrap()
        .unwrap();
    assert_eq!(
        (first.role, first.round_id.as_str()),
        (Role::KeyPerson, round.as_str())
    );
    assert!(is_label(&first.code), "{first:?}");
    let again = store
        .claim_invite(&invite::hashes(codes[0], &key), at(4))
        .unwrap()
        .unwrap();
    assert_eq!(again, first, "the same code is the same respondent");
    assert_eq!(store.respondents(&round).unwrap().len(), 1);
    assert_eq!(
        store.code_respondents(&round).unwrap(),
        HashSet::from([first.id.clone()])
    );
    // A hash that is there already refuses the whole batch.
    let batch = [invite::hash("NEWCODE2", &key), hashes[1].clone()];
    assert!(
        store
            .add_invites(&round, Role::Staff, &batch, at(5))
            .is_err()
    );
    assert!(
        store
            .claim_invite(&new_scheme(&batch[0]), at(5))
            .unwrap()
            .is_none(),
        "nothing of the refused batch was kept"
    );
    assert!(
        !store
            .withdraw_invite(&[(Scheme::Sha256, hashes[0].clone())], at(6))
            .unwrap(),
        "a hash is looked up under its own scheme"
    );
    assert!(
        store
            .withdraw_invite(&new_scheme(&hashes[0]), at(6))
            .unwrap()
    );
    assert!(
        !store
            .withdraw_invite(&new_scheme(&hashes[0]), at(7))
            .unwrap()
    );
    assert!(
        store
            .claim_invite(&new_scheme(&hashes[0]), at(8))
            .unwrap()
            .is_none()
    );
    assert!(
        !store
            .withdraw_invite(&invite::hashes("ZZZZZZZZ", &key), at(8))
            .unwrap()
    );
    // The answers given stay, and the respondent is still one by code.
    assert_eq!(store.respondents(&round).unwrap().len(), 1);
    assert_eq!(store.code_respondents(&round).unwrap().len(), 1);
}

/// Closing answering alone withdraws every open code of the round at once, claimed or not;
/// no code is added to it afterwards, and a round without codes was never closed.
fn closing_answering_withdraws_every_open_code_and_no_code_comes_after<S: Backend>(store: &mut S) {
    let (_, round) = service_and_round(store);
    assert!(!store.answering_closed(&round).unwrap(), "no codes yet");
    let key = store.invite_key().unwrap();
    let codes = ["K7QM4RTX", "ABCD2345", "XY23ZW45"];
    let hashes: Vec<String> = codes.iter().map(|c| invite::hash(c, &key)).collect();
    store
        .add_invites(&round, Role::Staff, &hashes, at(2))
        .unwrap();
    store
        .claim_invite(&new_scheme(&hashes[0]), at(3))
        .unwrap()
        .unwrap();
    assert!(
        store
            .withdraw_invite(&new_scheme(&hashes[1]), at(4))
            .unwrap()
    );
    assert!(!store.answering_closed(&round).unwrap(), "one code is open");
    assert_eq!(store.close_invites(&round, at(5)).unwrap(), 2);
    assert!(store.answering_closed(&round).unwrap());
    assert_eq!(store.close_invites(&round, at(6)).unwrap(), 0);
    assert!(matches!(
        store.add_invites(
            &round,
            Role::Staff,
            &[invite::hash("NEWCODE2", &key)],
            at(6)
        ),
        Err(StoreError::AnsweringClosed)
    ));
    assert!(
        store
            .claim_invite(&new_scheme(&hashes[2]), at(7))
            .unwrap()
            .is_none(),
        "a withdrawn code claims no one"
    );
    // The one who answered by code stays, and stays one by code.
    assert_eq!(store.code_respondents(&round).unwrap().len(), 1);
    assert_eq!(store.respondents(&round).unwrap().len(), 1);
}

// ---- Answers -------------------------------------------------------------------------------

fn services_rounds_and_respondents_are_found_again<S: Backend>(store: &mut S) {
    let (service_id, round_id) = service_and_round(store);
    let who = store
        .create_respondent(&round_id, Role::KeyPerson, "NP1", at(2))
        .unwrap();
    let services = store.services().unwrap();
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].service.name, "Askdal barneverntjeneste");
    assert_eq!(services[0].service.municipalities, vec!["3401".to_string()]);
    assert_eq!(services[0].rounds, 1);
    assert_eq!(store.service(&service_id).unwrap(), services[0].service);
    let rounds = store.rounds(&service_id).unwrap();
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0].round.label, "Før første samling");
    assert_eq!(rounds[0].respondents, 1);
    assert_eq!(store.round(&round_id).unwrap(), rounds[0].round);
    let respondents = store.respondents(&round_id).unwrap();
    assert_eq!(respondents.len(), 1);
    assert_eq!(respondents[0].respondent, who);
    assert_eq!(respondents[0].answered, 0);
    assert_eq!(store.respondent(&who.id).unwrap(), Some(who.clone()));
    assert_eq!(store.respondent("no such one").unwrap(), None);
    // Found by name, whatever its case, and by id; a round only under its own service.
    let found = store.find_service("ASKDAL barneverntjeneste").unwrap();
    assert_eq!(found.id, service_id);
    assert_eq!(store.find_service(&service_id).unwrap().id, service_id);
    let service = store.service(&service_id).unwrap();
    assert_eq!(
        store.find_round(&service, "før første samling").unwrap().id,
        round_id
    );
    assert!(store.find_service("Brekke").is_err());
}

fn a_changed_service_is_saved<S: Backend>(store: &mut S) {
    let (service_id, _) = service_and_round(store);
    let mut service = store.service(&service_id).unwrap();
    service.name = "Askdal og Brekke barnevern".into();
    service.municipalities = vec!["3401".into(), "3402".into()];
    store.update_service(&service, at(5)).unwrap();
    assert_eq!(store.service(&service_id).unwrap(), service);
    assert_eq!(
        store
            .service_ids_named(|name| name.contains("Brekke"))
            .unwrap(),
        vec![service_id]
    );
}

fn what_is_not_there_is_not_found<S: Backend>(store: &mut S) {
    assert!(matches!(
        store.service("no such service"),
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.round("no such round"),
        Err(StoreError::NotFound(_))
    ));
    assert!(store.answers("no such respondent").unwrap().is_empty());
    assert!(store.rounds("no such service").unwrap().is_empty());
}

fn a_response_and_a_comment_are_kept_apart_and_both_saved<S: Backend>(store: &mut S) {
    let (_, round_id) = service_and_round(store);
    let who = store
        .create_respondent(&round_id, Role::Leader, "L1", at(2))
        .unwrap();
    let (key, score) = items(1).remove(0);
    store
        .save_response(&who.id, &key, Some(Response::Score(score)), at(3))
        .unwrap();
    store
        .save_comment(&who.id, &key, "Vi mangler tid", at(4))
        .unwrap();
    let answer = &store.answers(&who.id).unwrap()[&key];
    assert_eq!(answer.response, Some(Response::Score(score)));
    assert_eq!(answer.comment, "Vi mangler tid");
    // Clearing the response keeps the comment.
    store.save_response(&who.id, &key, None, at(5)).unwrap();
    let answer = &store.answers(&who.id).unwrap()[&key];
    assert_eq!(answer.response, None);
    assert_eq!(answer.comment, "Vi mangler tid");
    store
        .save_response(&who.id, &key, Some(Response::DontKnow), at(6))
        .unwrap();
    assert_eq!(
        store.answers(&who.id).unwrap()[&key].response,
        Some(Response::DontKnow)
    );
    let round = store.round_answers(&round_id).unwrap();
    assert_eq!(round.len(), 1);
    assert_eq!(round[0].0, who);
    assert_eq!(round[0].1, store.answers(&who.id).unwrap());
    assert_eq!(store.respondents(&round_id).unwrap()[0].answered, 1);
}

fn every_change_to_an_answer_is_in_its_history_oldest_first<S: Backend>(store: &mut S) {
    let (_, round_id) = service_and_round(store);
    let who = store
        .create_respondent(&round_id, Role::Staff, "A1", at(2))
        .unwrap();
    let (key, score) = items(1).remove(0);
    store
        .save_response(&who.id, &key, Some(Response::Score(score)), at(3))
        .unwrap();
    store
        .save_response(&who.id, &key, Some(Response::Score(score + 1)), at(4))
        .unwrap();
    // The same response again is no change.
    store
        .save_response(&who.id, &key, Some(Response::Score(score + 1)), at(5))
        .unwrap();
    store.save_comment(&who.id, &key, "Usikker", at(6)).unwrap();
    let history = store.history(&who.id, &key).unwrap();
    assert_eq!(history.len(), 3, "{history:?}");
    assert_eq!(history[0].old, None);
    assert_eq!(history[0].new.response, Some(Response::Score(score)));
    assert_eq!(
        history[1].old.as_ref().unwrap().response,
        Some(Response::Score(score))
    );
    assert_eq!(history[1].new.response, Some(Response::Score(score + 1)));
    assert_eq!(history[2].new.comment, "Usikker");
    assert_eq!(history[2].new.response, Some(Response::Score(score + 1)));
    assert!(history[0].changed_at < history[1].changed_at);
    assert!(history[1].changed_at < history[2].changed_at);
}

fn an_answer_for_no_respondent_is_refused_and_nothing_is_written<S: Backend>(store: &mut S) {
    let (key, score) = items(1).remove(0);
    let before = store.counts().unwrap();
    assert!(
        store
            .save_response(
                "no such respondent",
                &key,
                Some(Response::Score(score)),
                at(3)
            )
            .is_err()
    );
    assert!(
        store
            .create_respondent("no such round", Role::Staff, "X", at(3))
            .is_err()
    );
    assert_eq!(store.counts().unwrap(), before);
}

// ---- Scores ----------------------------------------------------------------------------------

/// A before-round's coverage counts only the items put to each respondent: staff are not
/// asked the leader's facts (a signed agreement) nor what only the programme can show (the
/// training), so a staff member who answered all 63 items (old data, an import) has 29
/// slots, all answered, and the leader 47. Counted by hand from instrument.toml.
fn a_before_round_covers_only_the_items_put_to_each_role<S: Backend>(store: &mut S) {
    let (_, round_id) = service_and_round(store);
    let every = items(instrument().item_count());
    assert_eq!(every.len(), 63);
    let mut ids = Vec::new();
    for (n, role) in [Role::Staff, Role::Leader].into_iter().enumerate() {
        let who = store
            .create_respondent(&round_id, role, &format!("R{n}"), at(2))
            .unwrap();
        for (key, value) in &every {
            store
                .save_response(&who.id, key, Some(Response::Score(*value)), at(3))
                .unwrap();
        }
        ids.push(who.id);
    }
    let kept = store
        .round_scores(instrument(), &[&round_id], Options::default())
        .unwrap();
    let slots: Vec<u32> = kept[0].sections.iter().map(|s| s.tally.slots).collect();
    // Staff 15, 5, 0, 6, 1, 2 and the leader 15, 5, 0, 8, 9, 10.
    assert_eq!(slots, [30, 10, 0, 14, 10, 12]);
    for section in &kept[0].sections {
        assert_eq!(
            section.tally.answered(),
            section.tally.slots,
            "{}",
            section.key
        );
    }
    let staff = store.respondent_scores(instrument(), &ids[0]).unwrap();
    let answered: Vec<u32> = staff.iter().map(|s| s.tally.answered()).collect();
    assert_eq!(answered, [15, 5, 0, 6, 1, 2]);
    let listed: Vec<usize> = store
        .respondents(&round_id)
        .unwrap()
        .iter()
        .map(|r| r.answered)
        .collect();
    assert_eq!(listed, [29, 47]);
    // The answers not asked are kept, with their history.
    let answers = store.answers(&ids[0]).unwrap();
    assert!(answers["leadership.binding_agreement.1"].is_answered());
    assert!(answers["competence.training.1"].is_answered());
}

/// The kept scores are what `summarize` computes from the answers, after every kind of change:
/// added, changed, cleared, and answers of a process leader (kept out unless pooled).
fn kept_scores_equal_a_recomputation_from_the_answers<S: Backend>(store: &mut S) {
    let (_, round_id) = service_and_round(store);
    let keys = items(12);
    let roles = [Role::Leader, Role::KeyPerson, Role::Staff, Role::Consultant];
    let mut ids = Vec::new();
    for (n, role) in roles.into_iter().enumerate() {
        let who = store
            .create_respondent(&round_id, role, &format!("R{n}"), at(2))
            .unwrap();
        for (i, (key, min)) in keys.iter().enumerate() {
            let response = match (i + n) % 4 {
                0 => Response::DontKnow,
                k => Response::Score(min + k as u8 - 1),
            };
            store
                .save_response(&who.id, key, Some(response), at(3))
                .unwrap();
        }
        ids.push(who.id);
    }
    store
        .save_response(&ids[0], &keys[1].0, None, at(4))
        .unwrap();
    store
        .save_response(&ids[1], &keys[2].0, Some(Response::Score(keys[2].1)), at(4))
        .unwrap();
    let round = store.round_answers(&round_id).unwrap();
    let asked = |who: &kartlegg::domain::model::Respondent| Asked::new(RoundKind::Before, who.role);
    let own: Vec<Answering> = round
        .iter()
        .filter(|(who, _)| who.role != Role::Consultant)
        .map(|(who, answers)| (asked(who), answers))
        .collect();
    let all: Vec<Answering> = round
        .iter()
        .map(|(who, answers)| (asked(who), answers))
        .collect();
    let kept = store
        .round_scores(instrument(), &[&round_id], Options::default())
        .unwrap();
    assert_eq!(kept[0].respondents, 3);
    assert_eq!(kept[0].apart, 1);
    assert_eq!(kept[0].sections, summarize(instrument(), &own));
    let pooled = Options {
        with_consultant: true,
    };
    let kept = store
        .round_scores(instrument(), &[&round_id], pooled)
        .unwrap();
    assert_eq!(kept[0].sections, summarize(instrument(), &all));
    for (who, answers) in &round {
        assert_eq!(
            store.respondent_scores(instrument(), &who.id).unwrap(),
            summarize(instrument(), &[(asked(who), answers)])
        );
    }
    // A round not found has no respondents.
    let none = store
        .round_scores(instrument(), &["no such round"], Options::default())
        .unwrap();
    assert_eq!(none[0].respondents, 0);
}

// ---- Plans -----------------------------------------------------------------------------------

fn plan_items_are_saved_and_their_changes_logged<S: Backend>(store: &mut S) {
    let (service_id, _) = service_and_round(store);
    let subdomain = format!(
        "{}.{}",
        instrument().sections[0].key,
        instrument().sections[0].subdomains[0].key
    );
    let barrier = store
        .add_plan_item(
            &PlanItem {
                id: String::new(),
                service_id: service_id.clone(),
                subdomain_key: subdomain.clone(),
                kind: PlanKind::Barrier,
                text: "Lite tid til opplæring".into(),
                level: Some(Level::Organisation),
                owner: String::new(),
                due_on: None,
                done: false,
                done_on: None,
            },
            at(2),
        )
        .unwrap();
    assert!(!barrier.id.is_empty());
    let mut changed = barrier.clone();
    changed.text = "Lite tid og få veiledere".into();
    store.update_plan_item(&changed, at(3)).unwrap();
    assert_eq!(store.plan_items(&service_id).unwrap(), vec![changed]);
    let log = store.changes("plan_item", &barrier.id).unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0].old_json, None);
    assert_eq!(log[1].old_json, log[0].new_json);
    assert!(log[1].new_json.as_deref().unwrap().contains("få veiledere"));
}

fn goals_stage_and_consensus_are_set_changed_and_removed<S: Backend>(store: &mut S) {
    let (service_id, round_id) = service_and_round(store);
    let subdomain = format!(
        "{}.{}",
        instrument().sections[0].key,
        instrument().sections[0].subdomains[0].key
    );
    let goal = store
        .add_goal(
            &service_id,
            "Alle kjenner planen",
            std::slice::from_ref(&subdomain),
            at(2),
        )
        .unwrap();
    assert_eq!(store.goals(&service_id).unwrap(), vec![goal.clone()]);
    store
        .set_goal_status(&goal.id, &round_id, Some(GoalStatus::Partly), at(3))
        .unwrap();
    let key = (goal.id.clone(), round_id.clone());
    assert_eq!(
        store.goal_statuses(&service_id).unwrap().get(&key),
        Some(&GoalStatus::Partly)
    );
    store
        .set_goal_status(&goal.id, &round_id, None, at(4))
        .unwrap();
    assert!(store.goal_statuses(&service_id).unwrap().is_empty());

    assert_eq!(store.round_stage(&round_id).unwrap(), None);
    store
        .set_round_stage(&round_id, Some(Stage::Agenda), at(5))
        .unwrap();
    store
        .set_round_stage(&round_id, Some(Stage::Decide), at(6))
        .unwrap();
    assert_eq!(store.round_stage(&round_id).unwrap(), Some(Stage::Decide));
    assert_eq!(
        store.rounds(&service_id).unwrap()[0].stage,
        Some(Stage::Decide)
    );
    let log = store.changes("round_stage", &round_id).unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[1].old_json, log[0].new_json);

    store
        .set_consensus(&round_id, &subdomain, Some(3), at(7))
        .unwrap();
    assert_eq!(
        store.consensus(&round_id).unwrap().get(&subdomain),
        Some(&3)
    );
    store
        .set_consensus(&round_id, &subdomain, None, at(8))
        .unwrap();
    assert!(store.consensus(&round_id).unwrap().is_empty());
}

/// Plan items come by subdomain, then barriers, strategies and measures, then in the order
/// added, each with every field as given; a change that changes nothing logs nothing, and
/// a change of an item not there is `NotFound` and logs nothing.
fn plan_items_come_by_subdomain_and_kind_with_every_field_kept<S: Backend>(store: &mut S) {
    let (service_id, _) = service_and_round(store);
    let section = &instrument().sections[0];
    let mut subdomains: Vec<String> = section.subdomains[..2]
        .iter()
        .map(|s| format!("{}.{}", section.key, s.key))
        .collect();
    subdomains.sort();
    let item = |subdomain: &str, kind: PlanKind, text: &str| PlanItem {
        id: String::new(),
        service_id: service_id.clone(),
        subdomain_key: subdomain.to_string(),
        kind,
        text: text.into(),
        level: None,
        owner: String::new(),
        due_on: None,
        done: false,
        done_on: None,
    };
    let measure = PlanItem {
        owner: "Leder".into(),
        due_on: NaiveDate::from_ymd_opt(2026, 6, 1),
        done: true,
        done_on: NaiveDate::from_ymd_opt(2026, 5, 20),
        ..item(&subdomains[0], PlanKind::Measure, "Mal for vedtak")
    };
    let measure = store.add_plan_item(&measure, at(2)).unwrap();
    let later = store
        .add_plan_item(&item(&subdomains[1], PlanKind::Barrier, "Få folk"), at(3))
        .unwrap();
    let strategy = store
        .add_plan_item(
            &item(&subdomains[0], PlanKind::Strategy, "Veiledning"),
            at(4),
        )
        .unwrap();
    let barrier = PlanItem {
        level: Some(Level::Team),
        ..item(&subdomains[0], PlanKind::Barrier, "Lite tid")
    };
    let barrier = store.add_plan_item(&barrier, at(5)).unwrap();
    assert_eq!(
        store.plan_items(&service_id).unwrap(),
        vec![barrier, strategy, measure.clone(), later]
    );

    store.update_plan_item(&measure, at(6)).unwrap();
    assert_eq!(store.changes("plan_item", &measure.id).unwrap().len(), 1);
    let gone = PlanItem {
        id: "no-such-item".into(),
        ..measure
    };
    assert!(matches!(
        store.update_plan_item(&gone, at(7)),
        Err(StoreError::NotFound("plan item"))
    ));
    assert!(store.changes("plan_item", &gone.id).unwrap().is_empty());
}

/// Goals come in the order added, each logged when added; a goal's status, a consensus
/// value and a stage are logged as the change log writes a value (a code as a JSON string,
/// a number as a number), a removal with no new side, and setting the same again logs
/// nothing.
fn goals_come_in_order_and_statuses_and_consensus_are_logged_as_values<S: Backend>(store: &mut S) {
    let (service_id, round_id) = service_and_round(store);
    let first = store.add_goal(&service_id, "Først", &[], at(2)).unwrap();
    let keys = vec!["a.b".to_string(), "c.d".to_string()];
    let second = store.add_goal(&service_id, "Så", &keys, at(2)).unwrap();
    assert_eq!(second.subdomain_keys, keys);
    assert_eq!(
        store.goals(&service_id).unwrap(),
        vec![first.clone(), second]
    );
    let added = store.changes("goal", &first.id).unwrap();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].old_json, None);

    for (minute, status) in [
        (3, Some(GoalStatus::Partly)),
        (4, Some(GoalStatus::Partly)),
        (5, Some(GoalStatus::Achieved)),
        (6, None),
    ] {
        store
            .set_goal_status(&first.id, &round_id, status, at(minute))
            .unwrap();
    }
    let log = store
        .changes("goal_status", &format!("{}/{round_id}", first.id))
        .unwrap();
    let sides: Vec<(Option<&str>, Option<&str>)> = log
        .iter()
        .map(|c| (c.old_json.as_deref(), c.new_json.as_deref()))
        .collect();
    assert_eq!(
        sides,
        [
            (None, Some("\"partly\"")),
            (Some("\"partly\""), Some("\"achieved\"")),
            (Some("\"achieved\""), None),
        ]
    );
    assert_eq!(log[2].changed_at, "2026-03-09T10:06:00.000Z");

    let subdomain = "a.b";
    for (minute, value) in [(7, Some(3)), (8, Some(3)), (9, Some(0)), (10, None)] {
        store
            .set_consensus(&round_id, subdomain, value, at(minute))
            .unwrap();
    }
    let log = store
        .changes("consensus", &format!("{round_id}/{subdomain}"))
        .unwrap();
    let sides: Vec<(Option<&str>, Option<&str>)> = log
        .iter()
        .map(|c| (c.old_json.as_deref(), c.new_json.as_deref()))
        .collect();
    assert_eq!(
        sides,
        [(None, Some("3")), (Some("3"), Some("0")), (Some("0"), None)]
    );

    store
        .set_round_stage(&round_id, Some(Stage::Adapt), at(11))
        .unwrap();
    store.set_round_stage(&round_id, None, at(12)).unwrap();
    assert_eq!(store.round_stage(&round_id).unwrap(), None);
    let log = store.changes("round_stage", &round_id).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].old_json.as_deref(), Some("\"adapt\""));
    assert_eq!(log[1].new_json, None);
}

// ---- Needs -----------------------------------------------------------------------------------

fn needs_are_set_part_by_part_logged_and_a_fourth_top_priority_is_refused<S: Backend>(
    store: &mut S,
) {
    let (_, round_id) = service_and_round(store);
    let areas = CompetenceAreas::standard();
    let key = |i: usize| areas.areas[i].key.clone();
    assert!(store.needs(&round_id).unwrap().is_empty());
    store
        .set_need(&round_id, &key(0), &NeedField::Mastery(Some(2)), at(2))
        .unwrap();
    store
        .set_need(&round_id, &key(0), &NeedField::Importance(Some(5)), at(3))
        .unwrap();
    store
        .set_need(&round_id, &key(0), &NeedField::Who(Some(Who::All)), at(4))
        .unwrap();
    let need = store
        .set_need(
            &round_id,
            &key(0),
            &NeedField::Missing("Mal for vedtak".into()),
            at(5),
        )
        .unwrap();
    let expected = Need {
        area_key: key(0),
        mastery: Some(2),
        importance: Some(5),
        top_three: false,
        who: Some(Who::All),
        missing: "Mal for vedtak".into(),
    };
    assert_eq!(need, expected);
    assert_eq!(store.needs(&round_id).unwrap(), vec![expected.clone()]);
    let log = store
        .changes("need", &format!("{round_id}/{}", key(0)))
        .unwrap();
    assert_eq!(log.len(), 4, "{log:?}");
    assert_eq!(log[0].old_json, None);
    assert_eq!(log[3].old_json, log[2].new_json);
    assert!(
        log[3]
            .new_json
            .as_deref()
            .unwrap()
            .contains("Mal for vedtak")
    );
    // The same value again changes nothing and logs nothing.
    store
        .set_need(&round_id, &key(0), &NeedField::Mastery(Some(2)), at(6))
        .unwrap();
    assert_eq!(
        store
            .changes("need", &format!("{round_id}/{}", key(0)))
            .unwrap()
            .len(),
        4
    );

    for i in 0..3 {
        store
            .set_need(&round_id, &key(i), &NeedField::TopThree(true), at(7))
            .unwrap();
    }
    let before = store.needs(&round_id).unwrap();
    assert!(matches!(
        store.set_need(&round_id, &key(3), &NeedField::TopThree(true), at(8)),
        Err(StoreError::TopThreeFull)
    ));
    assert!(matches!(
        store.set_need(&round_id, &key(3), &NeedField::Mastery(Some(6)), at(8)),
        Err(StoreError::NeedOutOfRange)
    ));
    assert!(matches!(
        store.set_need(
            &round_id,
            "no-such-area",
            &NeedField::Mastery(Some(3)),
            at(8)
        ),
        Err(StoreError::NotFound("area"))
    ));
    assert!(matches!(
        store.set_need(
            "no-such-round",
            &key(0),
            &NeedField::Mastery(Some(3)),
            at(8)
        ),
        Err(StoreError::NotFound("round"))
    ));
    assert_eq!(
        store.needs(&round_id).unwrap(),
        before,
        "refusals write nothing"
    );
    // Marking one already marked again is no fourth; unmarking frees a place.
    store
        .set_need(&round_id, &key(2), &NeedField::TopThree(true), at(9))
        .unwrap();
    store
        .set_need(&round_id, &key(2), &NeedField::TopThree(false), at(9))
        .unwrap();
    store
        .set_need(&round_id, &key(3), &NeedField::TopThree(true), at(10))
        .unwrap();
    let top: Vec<String> = store
        .needs(&round_id)
        .unwrap()
        .into_iter()
        .filter(|n| n.top_three)
        .map(|n| n.area_key)
        .collect();
    assert_eq!(top.len(), 3);
    assert!(top.contains(&key(3)) && !top.contains(&key(2)));
}

fn own_areas_follow_the_list_and_take_needs_of_their_service_only<S: Backend>(store: &mut S) {
    let (service_id, round_id) = service_and_round(store);
    let own = store
        .add_own_area(&service_id, "Rus og psykisk helse", at(2))
        .unwrap();
    assert_eq!(store.own_areas(&service_id).unwrap(), vec![own.clone()]);
    let areas = store.areas(&service_id).unwrap();
    assert_eq!(areas.len(), CompetenceAreas::standard().areas.len() + 1);
    assert_eq!(areas.last().unwrap().key, own.id);
    store
        .set_need(&round_id, &own.id, &NeedField::Importance(Some(4)), at(3))
        .unwrap();
    let log = store
        .changes("own_area", &format!("{service_id}/{}", own.id))
        .unwrap();
    assert_eq!(log.len(), 1);

    let other = store
        .create_service("Annen tjeneste", &["3403".into()], "", at(4))
        .unwrap();
    let other_round = store
        .create_round(
            &other.id,
            "Før",
            NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            RoundKind::Before,
            instrument(),
            at(4),
        )
        .unwrap();
    assert!(store.own_areas(&other.id).unwrap().is_empty());
    assert!(matches!(
        store.set_need(
            &other_round.id,
            &own.id,
            &NeedField::Mastery(Some(1)),
            at(5)
        ),
        Err(StoreError::NotFound("area"))
    ));
    assert!(matches!(
        store.add_own_area("no-such-service", "X", at(5)),
        Err(StoreError::NotFound("service"))
    ));
}

fn expectations_and_facts_are_saved_whole_logged_and_refused_out_of_range<S: Backend>(
    store: &mut S,
) {
    let (_, round_id) = service_and_round(store);
    assert_eq!(
        store.expectations(&round_id).unwrap(),
        Expectations::default()
    );
    assert_eq!(store.facts(&round_id).unwrap(), Facts::default());
    let expectations = Expectations {
        // Given out of order and twice: kept once each, in the list's order.
        wants: vec![
            Expectation::Supervision,
            Expectation::NewKnowledge,
            Expectation::Supervision,
        ],
        text: "Verktøy vi kan bruke i egne saker".into(),
        knows_why: Some(YesPartlyNo::Partly),
        own_wish: Some(YesPartlyNo::Yes),
    };
    store
        .set_expectations(&round_id, &expectations, at(2))
        .unwrap();
    assert_eq!(
        store.expectations(&round_id).unwrap(),
        Expectations {
            wants: vec![Expectation::NewKnowledge, Expectation::Supervision],
            ..expectations.clone()
        }
    );
    let facts = Facts {
        ftes: Some(12.5),
        vacancies: Some(2),
        turnover: Some(3),
        newly_qualified: Some(40.0),
        deadline_breaches: Some(7),
        complaints: None,
        emergency_cases: Some(1),
    };
    store.set_facts(&round_id, &facts, at(3)).unwrap();
    assert_eq!(store.facts(&round_id).unwrap(), facts);
    let wrong = Facts {
        newly_qualified: Some(140.0),
        ..facts.clone()
    };
    assert!(matches!(
        store.set_facts(&round_id, &wrong, at(4)),
        Err(StoreError::FactOutOfRange(
            FactField::NewlyQualified,
            FactProblem::OverHundred
        ))
    ));
    assert_eq!(store.facts(&round_id).unwrap(), facts, "nothing written");
    store
        .set_facts(&round_id, &Facts::default(), at(5))
        .unwrap();
    assert_eq!(store.facts(&round_id).unwrap(), Facts::default());
    let log = store.changes("service_facts", &round_id).unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[1].new_json, None, "emptied: removed");
    assert_eq!(store.changes("expectations", &round_id).unwrap().len(), 1);
    assert!(matches!(
        store.set_facts("no-such-round", &facts, at(6)),
        Err(StoreError::NotFound("round"))
    ));
}

/// Own areas come in the order added and a round's needs by area key; expectations
/// emptied are removed, the removal logged with no new side.
fn own_areas_come_in_order_needs_by_key_and_emptied_expectations_are_removed<S: Backend>(
    store: &mut S,
) {
    let (service_id, round_id) = service_and_round(store);
    let first = store.add_own_area(&service_id, "Først", at(2)).unwrap();
    let second = store.add_own_area(&service_id, "Så", at(2)).unwrap();
    assert_eq!(store.own_areas(&service_id).unwrap(), vec![first, second]);

    let areas = CompetenceAreas::standard();
    let mut keys: Vec<String> = areas.areas[..3].iter().map(|a| a.key.clone()).collect();
    for key in keys.iter().rev() {
        store
            .set_need(&round_id, key, &NeedField::Importance(Some(3)), at(3))
            .unwrap();
    }
    keys.sort();
    let listed: Vec<String> = store
        .needs(&round_id)
        .unwrap()
        .into_iter()
        .map(|n| n.area_key)
        .collect();
    assert_eq!(listed, keys);

    let expectations = Expectations {
        wants: vec![Expectation::Supervision],
        ..Expectations::default()
    };
    for (minute, given) in [
        (4, &expectations),
        (5, &expectations),
        (6, &Expectations::default()),
    ] {
        store
            .set_expectations(&round_id, given, at(minute))
            .unwrap();
    }
    assert_eq!(
        store.expectations(&round_id).unwrap(),
        Expectations::default()
    );
    let log = store.changes("expectations", &round_id).unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[1].old_json, log[0].new_json);
    assert_eq!(log[1].new_json, None);
    assert!(matches!(
        store.set_expectations("no-such-round", &expectations, at(7)),
        Err(StoreError::NotFound("round"))
    ));
}

fn an_erased_round_takes_its_needs_and_positions_and_an_erased_service_its_own_areas<S: Backend>(
    store: &mut S,
) {
    let (service_id, round_id) = service_and_round(store);
    let own = store.add_own_area(&service_id, "Rus", at(2)).unwrap();
    let key = CompetenceAreas::standard().areas[0].key.clone();
    for area in [&key, &own.id] {
        store
            .set_need(&round_id, area, &NeedField::Mastery(Some(1)), at(3))
            .unwrap();
    }
    let expectations = Expectations {
        text: "Mer veiledning".into(),
        ..Expectations::default()
    };
    store
        .set_expectations(&round_id, &expectations, at(3))
        .unwrap();
    let facts = Facts {
        vacancies: Some(1),
        ..Facts::default()
    };
    store.set_facts(&round_id, &facts, at(3)).unwrap();
    store
        .add_position(&round_id, &caseworker(60, Some(2028)), at(3))
        .unwrap();
    store
        .erase(
            &[Erasable::Round(round_id.clone())],
            ErasedBy::Command,
            at(4),
        )
        .unwrap();
    assert!(store.needs(&round_id).unwrap().is_empty());
    assert_eq!(
        store.expectations(&round_id).unwrap(),
        Expectations::default()
    );
    assert_eq!(store.facts(&round_id).unwrap(), Facts::default());
    assert!(store.positions(&round_id).unwrap().is_empty());
    assert!(
        store
            .changes("need", &format!("{round_id}/{key}"))
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .changes("service_facts", &round_id)
            .unwrap()
            .is_empty()
    );
    assert!(store.changes("expectations", &round_id).unwrap().is_empty());
    assert_eq!(store.own_areas(&service_id).unwrap(), vec![own.clone()]);
    store
        .erase(
            &[Erasable::Service(service_id.clone())],
            ErasedBy::Command,
            at(5),
        )
        .unwrap();
    assert!(store.own_areas(&service_id).unwrap().is_empty());
    let own_key = format!("{service_id}/{}", own.id);
    assert!(store.changes("own_area", &own_key).unwrap().is_empty());
}

// ---- Admin -----------------------------------------------------------------------------------

fn a_new_store_is_at_the_current_schema_whole_and_counts_what_it_holds<S: Backend>(store: &mut S) {
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(store.integrity_problems().unwrap().is_empty());
    assert_eq!(store.counts().unwrap().services, 0);
    let (_, round_id) = service_and_round(store);
    let who = store
        .create_respondent(&round_id, Role::Staff, "A1", at(2))
        .unwrap();
    let (key, score) = items(1).remove(0);
    store
        .save_response(&who.id, &key, Some(Response::Score(score)), at(3))
        .unwrap();
    store.save_response(&who.id, &key, None, at(4)).unwrap();
    let counts = store.counts().unwrap();
    assert_eq!(
        (
            counts.services,
            counts.rounds,
            counts.respondents,
            counts.answers,
            counts.history
        ),
        (1, 1, 1, 1, 2)
    );
    assert!(store.integrity_problems().unwrap().is_empty());
}

// ---- Exchange: the merge rules ---------------------------------------------------------------

/// Everything `from` holds, as one export file.
fn export<S: Backend>(from: &S) -> Vec<u8> {
    let mut file = Vec::new();
    from.export_json(
        Scope::All,
        instrument(),
        at(50),
        Disclosure::identified(),
        &mut file,
        std::path::Path::new("x"),
    )
    .unwrap();
    file
}

fn import<S: Backend>(into: &mut S, file: &[u8]) -> kartlegg::exchange::ImportSummary {
    into.import_json(file, instrument(), ImportClock::at(at(59)))
        .unwrap()
}

/// Two machines change the same answer apart; after files both ways they agree on the
/// newer, and both histories have the older as the old side of the change to it.
fn the_newer_answer_wins_on_both_machines_and_the_older_is_in_both_histories<S: Backend>(
    a: &mut S,
    b: &mut S,
) {
    let (_, round_id) = service_and_round(a);
    let who = a
        .create_respondent(&round_id, Role::KeyPerson, "NP1", at(2))
        .unwrap();
    let (key, min) = items(1).remove(0);
    a.save_response(&who.id, &key, Some(Response::Score(min)), at(3))
        .unwrap();
    import(b, &export(a));
    assert_eq!(b.answers(&who.id).unwrap(), a.answers(&who.id).unwrap());
    // A changes it first; B later, so B's is the newer.
    a.save_response(&who.id, &key, Some(Response::Score(min + 1)), at(4))
        .unwrap();
    b.save_response(&who.id, &key, Some(Response::Score(min + 2)), at(5))
        .unwrap();
    let into_b = import(b, &export(a));
    assert_eq!(into_b.answers.newer_here, 1);
    import(a, &export(b));
    let newer = Some(Response::Score(min + 2));
    assert_eq!(a.answers(&who.id).unwrap()[&key].response, newer);
    assert_eq!(b.answers(&who.id).unwrap()[&key].response, newer);
    for store in [&*a, &*b] {
        let history = store.history(&who.id, &key).unwrap();
        assert!(
            history.iter().any(|change| {
                change.old.as_ref().and_then(|old| old.response) == Some(Response::Score(min + 1))
                    && change.new.response == newer
            }),
            "{history:?}"
        );
    }
    // Merged both ways, a file again changes nothing.
    assert!(!import(a, &export(b)).changed_anything());
    assert!(!import(b, &export(a)).changed_anything());
    assert_eq!(a.counts().unwrap(), b.counts().unwrap());
}

/// The same for a plan row: the newer stage wins on both, and the older is in both logs.
fn the_newer_stage_wins_on_both_machines<S: Backend>(a: &mut S, b: &mut S) {
    let (_, round_id) = service_and_round(a);
    a.set_round_stage(&round_id, Some(Stage::Agenda), at(2))
        .unwrap();
    import(b, &export(a));
    a.set_round_stage(&round_id, Some(Stage::Adapt), at(3))
        .unwrap();
    b.set_round_stage(&round_id, Some(Stage::Decide), at(4))
        .unwrap();
    import(b, &export(a));
    import(a, &export(b));
    assert_eq!(a.round_stage(&round_id).unwrap(), Some(Stage::Decide));
    assert_eq!(b.round_stage(&round_id).unwrap(), Some(Stage::Decide));
    for store in [&*a, &*b] {
        let log = store.changes("round_stage", &round_id).unwrap();
        assert!(
            log.iter()
                .any(|c| c.old_json.as_deref() == Some("\"adapt\"")
                    && c.new_json.as_deref() == Some("\"decide\"")),
            "{log:?}"
        );
    }
    // A stage removed later on one machine is removed on the other.
    b.set_round_stage(&round_id, None, at(6)).unwrap();
    import(a, &export(b));
    assert_eq!(a.round_stage(&round_id).unwrap(), None);
}

/// Two machines change the same need and facts apart; after files both ways they agree on
/// the newer, both logs hold the older, an own area made on one is on both, and facts
/// cleared later on one machine are cleared on the other.
fn the_newer_need_and_facts_win_on_both_machines<S: Backend>(a: &mut S, b: &mut S) {
    let (service_id, round_id) = service_and_round(a);
    let own = a.add_own_area(&service_id, "Rus", at(2)).unwrap();
    a.set_need(&round_id, &own.id, &NeedField::Mastery(Some(2)), at(2))
        .unwrap();
    let facts = |vacancies| Facts {
        vacancies: Some(vacancies),
        ..Facts::default()
    };
    a.set_facts(&round_id, &facts(1), at(2)).unwrap();
    import(b, &export(a));
    a.set_need(&round_id, &own.id, &NeedField::Mastery(Some(3)), at(3))
        .unwrap();
    b.set_need(&round_id, &own.id, &NeedField::Mastery(Some(4)), at(4))
        .unwrap();
    a.set_facts(&round_id, &facts(5), at(5)).unwrap();
    b.set_facts(&round_id, &facts(2), at(4)).unwrap();
    import(b, &export(a));
    import(a, &export(b));
    for store in [&*a, &*b] {
        assert_eq!(
            store.own_areas(&service_id).unwrap(),
            std::slice::from_ref(&own)
        );
        assert_eq!(store.needs(&round_id).unwrap()[0].mastery, Some(4));
        assert_eq!(store.facts(&round_id).unwrap(), facts(5));
        let key = format!("{round_id}/{}", own.id);
        let log = store.changes("need", &key).unwrap();
        assert!(
            log.iter().any(|c| c
                .old_json
                .as_deref()
                .is_some_and(|o| o.contains("\"mastery\":3"))
                && c.new_json
                    .as_deref()
                    .is_some_and(|n| n.contains("\"mastery\":4"))),
            "{log:?}"
        );
    }
    assert!(!import(a, &export(b)).changed_anything());
    b.set_facts(&round_id, &Facts::default(), at(6)).unwrap();
    import(a, &export(b));
    assert_eq!(a.facts(&round_id).unwrap(), Facts::default());
}

/// A file that cannot be merged is refused, says where, and writes nothing.
fn a_refused_file_writes_nothing<S: Backend>(a: &mut S, b: &mut S) {
    let (_, round_id) = service_and_round(a);
    let who = a
        .create_respondent(&round_id, Role::Staff, "A1", at(2))
        .unwrap();
    let (key, min) = items(1).remove(0);
    a.save_response(&who.id, &key, Some(Response::Score(min)), at(3))
        .unwrap();
    let file = String::from_utf8(export(a)).unwrap();
    // The last answer names an item this instrument does not have.
    let bad = file.replace(&format!("\"{key}\""), "\"no.such.item\"");
    assert_ne!(bad, file);
    let before = b.counts().unwrap();
    match b.import_json(bad.as_bytes(), instrument(), ImportClock::at(at(59))) {
        Err(StoreError::ImportRefused(refusal)) => assert!(refusal.line > 0, "{refusal:?}"),
        other => panic!("not refused: {other:?}"),
    }
    assert_eq!(b.counts().unwrap(), before);
    assert!(b.services().unwrap().is_empty());
}

/// An export of one service holds that service alone, the CSV a row per answer (long) or
/// per respondent (wide), and a pseudonymous file neither the respondents as stored, their
/// comments nor the history.
fn an_export_of_one_service_holds_it_alone_and_the_csv_a_row_per_answer<S: Backend>(store: &mut S) {
    let (service_id, round_id) = service_and_round(store);
    let other = store
        .create_service(
            "Bydal barneverntjeneste",
            &["3403".into()],
            "Klynge 1",
            at(0),
        )
        .unwrap();
    let other_round = store
        .create_round(
            &other.id,
            "Før første samling",
            NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
            RoundKind::Before,
            instrument(),
            at(1),
        )
        .unwrap();
    let keys = items(3);
    let mut ours = Vec::new();
    for (round, code) in [
        (&round_id, "A1"),
        (&round_id, "A2"),
        (&other_round.id, "B1"),
    ] {
        let who = store
            .create_respondent(round, Role::Staff, code, at(2))
            .unwrap();
        for (key, min) in &keys {
            store
                .save_response(&who.id, key, Some(Response::Score(*min)), at(3))
                .unwrap();
        }
        store
            .save_comment(&who.id, &keys[0].0, "Endret", at(4))
            .unwrap();
        if *round == round_id {
            ours.push(who.id);
        }
    }
    let json = |store: &S, scope: Scope<'_>, disclosure: Disclosure| {
        let mut file = Vec::new();
        let exported = store
            .export_json(
                scope,
                instrument(),
                at(50),
                disclosure,
                &mut file,
                Path::new("x"),
            )
            .unwrap();
        (exported.counts, String::from_utf8(file).unwrap())
    };
    let (counts, file) = json(store, Scope::Service(&service_id), Disclosure::identified());
    // Three answers and a comment each: four changes in each one's history.
    assert_eq!(
        (counts.services, counts.rounds, counts.respondents),
        (1, 1, 2)
    );
    assert_eq!((counts.answers, counts.history), (6, 8));
    assert!(file.contains(&ours[0]) && file.contains(&ours[1]));
    assert!(!file.contains(&other.id) && !file.contains(&other_round.id));

    let csv = |store: &S, layout: CsvLayout, disclosure: Disclosure| {
        let mut file = Vec::new();
        let export = CsvExport {
            layout,
            dialect: CsvDialect::Plain,
            disclosure,
        };
        let rows = store
            .export_csv(
                Scope::Service(&service_id),
                instrument(),
                export,
                &mut file,
                Path::new("x"),
            )
            .unwrap();
        (rows, String::from_utf8(file).unwrap())
    };
    let (rows, file) = csv(store, CsvLayout::Long, Disclosure::identified());
    assert_eq!(rows, 6);
    assert_eq!(file.lines().count(), 1 + 6);
    assert!(file.contains(&ours[0]) && file.contains("Endret"));
    assert!(!file.contains(&other.id));
    let (rows, file) = csv(store, CsvLayout::Wide, Disclosure::identified());
    assert_eq!(rows, 2);
    assert_eq!(file.lines().count(), 1 + 2);

    let (counts, file) = json(store, Scope::All, Disclosure::pseudonymous(7));
    assert_eq!((counts.respondents, counts.history), (3, 0));
    assert!(!file.contains(&ours[0]) && !file.contains("Endret"));
    let (rows, file) = csv(store, CsvLayout::Long, Disclosure::pseudonymous(7));
    assert_eq!(rows, 6);
    assert!(!file.contains(&ours[0]) && !file.contains("Endret"));
}

// ---- Erase -----------------------------------------------------------------------------------

/// An erased respondent goes with their answers and their history, the round's kept scores
/// count what is left, a tombstone stays; the same file imported again brings none of it
/// back, and the history of what is not erased stays.
fn an_erased_respondent_is_gone_history_too_and_an_import_does_not_bring_them_back<S: Backend>(
    a: &mut S,
    b: &mut S,
) {
    let (_, round_id) = service_and_round(a);
    let gone = a
        .create_respondent(&round_id, Role::Staff, "EF", at(2))
        .unwrap();
    let stays = a
        .create_respondent(&round_id, Role::Leader, "AB", at(2))
        .unwrap();
    for (key, min) in items(3) {
        for who in [&gone, &stays] {
            a.save_response(&who.id, &key, Some(Response::Score(min)), at(3))
                .unwrap();
            a.save_comment(&who.id, &key, "Endret", at(4)).unwrap();
        }
    }
    let file = export(a);
    import(b, &file);
    for store in [&mut *a, &mut *b] {
        let targets = [Erasable::Respondent(gone.id.clone())];
        assert_eq!(store.erasure(&targets).unwrap().answers, 3);
        let erased = store.erase(&targets, ErasedBy::Command, at(10)).unwrap();
        assert_eq!((erased.respondents, erased.answers), (1, 3));
        assert!(store.respondent(&gone.id).unwrap().is_none());
        assert!(store.answers(&gone.id).unwrap().is_empty());
        assert!(store.history(&gone.id, &items(1)[0].0).unwrap().is_empty());
        assert_eq!(store.history(&stays.id, &items(1)[0].0).unwrap().len(), 2);
        let kept = store
            .round_scores(instrument(), &[&round_id], Options::default())
            .unwrap();
        assert_eq!(kept[0].respondents, 1);
        let tombstones = store.tombstones().unwrap();
        assert_eq!(tombstones.len(), 1);
        assert_eq!(
            (tombstones[0].kind.as_str(), tombstones[0].id.as_str()),
            ("respondent", gone.id.as_str())
        );
        let summary = import(store, &file);
        assert!(summary.erased > 0);
        assert!(store.respondent(&gone.id).unwrap().is_none());
        assert_eq!(store.counts().unwrap().respondents, 1);
        assert!(store.integrity_problems().unwrap().is_empty());
    }
    // Erasing what is not there is `NotFound`, and changes nothing.
    let before = a.counts().unwrap();
    let refused = a.erase(&[Erasable::Round("nope".into())], ErasedBy::Screen, at(11));
    assert!(
        matches!(refused, Err(StoreError::NotFound(_))),
        "{refused:?}"
    );
    assert_eq!(a.counts().unwrap(), before);
    assert_eq!(a.tombstones().unwrap().len(), 1);
}

// ---- Positions -------------------------------------------------------------------------------

fn caseworker(credits: u16, planned_year: Option<u16>) -> PositionFacts {
    PositionFacts {
        role: PositionRole::Caseworker,
        education: Education::BachelorRelevant,
        credits,
        years: 6,
        planned_credits: 30,
        planned_year,
    }
}

/// A position is saved at once, read back as given in the order added, changed and removed;
/// one of a round not there, or a change of one not there, is `NotFound` and writes nothing;
/// figures past their bounds are refused by the store itself and write nothing.
fn positions_are_added_changed_and_removed_each_at_once<S: Backend>(store: &mut S) {
    let (_, round_id) = service_and_round(store);
    let first = store
        .add_position(&round_id, &caseworker(30, Some(2028)), at(2))
        .unwrap();
    let leader = PositionFacts {
        role: PositionRole::Leader,
        education: Education::MasterChildWelfare,
        credits: 0,
        years: 0,
        planned_credits: 0,
        planned_year: None,
    };
    let second = store.add_position(&round_id, &leader, at(3)).unwrap();
    let listed = store.positions(&round_id).unwrap();
    assert_eq!(listed, [first.clone(), second.clone()]);
    assert_eq!(listed[0].facts, caseworker(30, Some(2028)));

    store
        .change_position(&first.id, &caseworker(60, None), at(4))
        .unwrap();
    assert_eq!(
        store.positions(&round_id).unwrap()[0].facts,
        caseworker(60, None)
    );
    store.remove_position(&second.id, at(5)).unwrap();
    assert_eq!(
        store.positions(&round_id).unwrap(),
        [Position {
            facts: caseworker(60, None),
            ..first.clone()
        }]
    );

    let before = store.positions(&round_id).unwrap();
    assert!(matches!(
        store.add_position("nope", &leader, at(5)),
        Err(StoreError::NotFound("round"))
    ));
    assert!(matches!(
        store.change_position(&second.id, &leader, at(5)),
        Err(StoreError::NotFound("position"))
    ));
    assert!(matches!(
        store.remove_position(&second.id, at(6)),
        Err(StoreError::NotFound("position"))
    ));
    let too_many = PositionFacts {
        credits: MAX_CREDITS + 1,
        ..leader
    };
    assert!(store.add_position(&round_id, &too_many, at(5)).is_err());
    assert!(store.change_position(&first.id, &too_many, at(5)).is_err());
    assert_eq!(store.positions(&round_id).unwrap(), before);
    assert!(store.positions("nope").unwrap().is_empty());
    assert!(store.integrity_problems().unwrap().is_empty());
}

/// A position's change and its removal each leave one entry in the change log, under
/// `round_id/position_id`: the facts before and after, a removal with no after, at the time
/// given; a refused change or removal leaves none. (Its round's erasure takes them all:
/// `positions_go_with_their_round_their_service_and_retention`.)
fn a_position_change_and_a_removal_each_leave_one_change_log_entry<S: Backend>(store: &mut S) {
    let (_, round_id) = service_and_round(store);
    let post = store
        .add_position(&round_id, &caseworker(30, Some(2028)), at(2))
        .unwrap();
    let key = format!("{round_id}/{}", post.id);
    assert_eq!(post.log_key(), key);
    let made = store.changes("position", &key).unwrap();
    assert_eq!(made.len(), 1, "made: {made:?}");
    let before = r#"{"role":"caseworker","education":"bachelor_relevant","credits":30,"years":6,"planned_credits":30,"planned_year":2028}"#;
    assert_eq!(made[0].new_json.as_deref(), Some(before));

    store
        .change_position(&post.id, &caseworker(60, None), at(3))
        .unwrap();
    let after = r#"{"role":"caseworker","education":"bachelor_relevant","credits":60,"years":6,"planned_credits":30,"planned_year":null}"#;
    let changed = store.changes("position", &key).unwrap();
    assert_eq!(changed.len(), 2, "one entry for the change: {changed:?}");
    assert_eq!(
        (
            changed[1].old_json.as_deref(),
            changed[1].new_json.as_deref()
        ),
        (Some(before), Some(after))
    );
    assert_eq!(changed[1].changed_at, "2026-03-09T10:03:00.000Z");

    store.remove_position(&post.id, at(4)).unwrap();
    let removed = store.changes("position", &key).unwrap();
    assert_eq!(removed.len(), 3, "one entry for the removal: {removed:?}");
    assert_eq!(
        (
            removed[2].old_json.as_deref(),
            removed[2].new_json.as_deref()
        ),
        (Some(after), None)
    );
    assert_eq!(removed[2].changed_at, "2026-03-09T10:04:00.000Z");

    assert!(store.remove_position(&post.id, at(5)).is_err());
    assert!(
        store
            .change_position(&post.id, &caseworker(0, None), at(5))
            .is_err()
    );
    assert_eq!(store.changes("position", &key).unwrap().len(), 3);
    assert!(store.integrity_problems().unwrap().is_empty());
}

/// A round's positions go with the round, their change log entries too, a service's with
/// the service, and retention's with the rounds it erases; the positions of other rounds
/// stay.
fn positions_go_with_their_round_their_service_and_retention<S: Backend>(store: &mut S) {
    let (service_id, round_id) = service_and_round(store);
    let later = store
        .create_round(
            &service_id,
            "Etter",
            NaiveDate::from_ymd_opt(2026, 9, 9).unwrap(),
            RoundKind::After,
            instrument(),
            at(2),
        )
        .unwrap();
    let posts: Vec<Position> = [&round_id, &later.id]
        .into_iter()
        .map(|round| {
            store
                .add_position(round, &caseworker(0, None), at(3))
                .unwrap()
        })
        .collect();
    store
        .change_position(&posts[0].id, &caseworker(30, None), at(3))
        .unwrap();
    store
        .erase(
            &[Erasable::Round(round_id.clone())],
            ErasedBy::Screen,
            at(4),
        )
        .unwrap();
    assert!(store.positions(&round_id).unwrap().is_empty());
    assert!(
        store
            .changes("position", &posts[0].log_key())
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.positions(&later.id).unwrap().len(), 1);
    assert_eq!(
        store
            .changes("position", &posts[1].log_key())
            .unwrap()
            .len(),
        1
    );
    store
        .erase(&[Erasable::Service(service_id)], ErasedBy::Command, at(5))
        .unwrap();
    assert!(store.positions(&later.id).unwrap().is_empty());

    let (_, old_round) = service_and_round(store);
    store
        .add_position(&old_round, &caseworker(0, None), at(6))
        .unwrap();
    let (aged, _) = store
        .erase_rounds_last_answered_before(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(), at(7))
        .unwrap();
    assert_eq!(aged.len(), 1);
    assert!(store.positions(&old_round).unwrap().is_empty());
    assert!(store.integrity_problems().unwrap().is_empty());
}

/// A respondent who answered alone with a code is seen only in aggregate on every machine
/// their answers reach: the file says so (never their code), the importing machine records
/// them as answered by code, and files back and forth, or the same file again, add nothing.
fn a_respondent_by_code_stays_by_code_through_an_export_and_an_import_both_ways<S: Backend>(
    a: &mut S,
    b: &mut S,
) {
    let (_, round_id) = service_and_round(a);
    let at_machine = a
        .create_respondent(&round_id, Role::Leader, "AB", at(2))
        .unwrap();
    let code = "K7QM4RTX";
    let key = a.invite_key().unwrap();
    a.add_invites(&round_id, Role::Staff, &[invite::hash(code, &key)], at(2))
        .unwrap();
    let alone = a
        .claim_invite(&invite::hashes(code, &key), at(3))
        .unwrap()
        .unwrap();
    for (key, min) in items(3) {
        for who in [&at_machine, &alone] {
            a.save_response(&who.id, &key, Some(Response::Score(min)), at(4))
                .unwrap();
        }
    }
    let file = export(a);
    let text = String::from_utf8(file.clone()).unwrap();
    assert!(!text.contains(code) && !text.contains(&invite::hash(code, &key)));

    let summary = import(b, &file);
    assert_eq!(summary.by_code, 1);
    assert_eq!(
        b.code_respondents(&round_id).unwrap(),
        HashSet::from([alone.id.clone()])
    );
    // Their answers count in the round's scores as on the first machine: by code, one alone
    // is held back until three by code have answered (promise 7), there as here.
    let scores = |store: &S| {
        store
            .round_scores(instrument(), &[&round_id], Options::default())
            .unwrap()
    };
    assert_eq!(scores(b), scores(a));
    assert_eq!(
        scores(b)[0].respondents,
        1,
        "the one by code is not counted yet"
    );
    assert_eq!(b.answers(&alone.id).unwrap().len(), 3);

    // The same file again, and the second machine's file back to the first, add nothing;
    // the first machine's code still opens its respondent's walk.
    let again = import(b, &file);
    assert!(!again.changed_anything(), "{again:?}");
    let back = import(a, &export(b));
    assert!(!back.changed_anything(), "{back:?}");
    for store in [&*a, &*b] {
        assert_eq!(store.code_respondents(&round_id).unwrap().len(), 1);
        assert_eq!(store.counts().unwrap().respondents, 2);
        assert!(store.integrity_problems().unwrap().is_empty());
    }
    assert_eq!(
        a.claim_invite(&invite::hashes(code, &key), at(6)).unwrap(),
        Some(alone.clone())
    );

    // Erased on the second machine, they stay erased when the file comes again.
    b.erase(
        &[Erasable::Respondent(alone.id.clone())],
        ErasedBy::Command,
        at(7),
    )
    .unwrap();
    let after = import(b, &file);
    assert_eq!(after.by_code, 0);
    assert!(b.respondent(&alone.id).unwrap().is_none());
    assert!(b.code_respondents(&round_id).unwrap().is_empty());
    assert!(b.integrity_problems().unwrap().is_empty());
}

// ---- Clusters, gatherings and attendance ------------------------------------------------------

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn every_cluster_a_service_names_has_its_record_and_a_rename_reaches_its_services<S: Backend>(
    store: &mut S,
) {
    let a = store
        .create_service("Fjellbygd", &[], "Innlandet", at(0))
        .unwrap();
    let mut b = store.create_service("Kystby", &[], "", at(0)).unwrap();
    assert!(store.cluster_named("Innlandet").unwrap().is_some());
    b.cluster = "Vestland".into();
    store.update_service(&b, at(1)).unwrap();
    let vestland = store.cluster_named("Vestland").unwrap().unwrap();

    let renamed = Cluster {
        name: "Vestland nord".into(),
        centre: "RKBU Vest".into(),
        period_from: Some(day("2026-01-01")),
        period_to: Some(day("2027-06-30")),
        ..vestland.clone()
    };
    store.update_cluster(&renamed, at(2)).unwrap();
    assert_eq!(store.service(&b.id).unwrap().cluster, "Vestland nord");
    assert_eq!(store.cluster(&vestland.id).unwrap(), renamed);
    assert!(store.cluster_named("Vestland").unwrap().is_none());

    let taken = Cluster {
        name: "Innlandet".into(),
        ..renamed.clone()
    };
    assert!(matches!(
        store.update_cluster(&taken, at(3)),
        Err(StoreError::ClusterNameTaken(_))
    ));
    let reversed = Cluster {
        period_to: Some(day("2025-12-31")),
        ..renamed.clone()
    };
    assert!(matches!(
        store.update_cluster(&reversed, at(3)),
        Err(StoreError::ClusterRefused(..))
    ));
    assert_eq!(store.cluster(&vestland.id).unwrap(), renamed, "unchanged");
    assert_eq!(store.service(&a.id).unwrap().cluster, "Innlandet");
    assert_eq!(store.changes("cluster", &vestland.id).unwrap().len(), 2);
}

fn gatherings_attendance_and_tied_rounds_keep_to_their_cluster_and_go_with_erasure<S: Backend>(
    store: &mut S,
) {
    let home = store
        .create_service("Fjellbygd", &[], "Innlandet", at(0))
        .unwrap();
    let other = store
        .create_service("Kystby", &[], "Vestland", at(0))
        .unwrap();
    let cluster = store.cluster_named("Innlandet").unwrap().unwrap();
    let second = store
        .add_gathering(
            &cluster.id,
            day("2026-09-10"),
            GatheringKind::Joint,
            "Plan",
            at(1),
        )
        .unwrap();
    let first = store
        .add_gathering(
            &cluster.id,
            day("2026-03-12"),
            GatheringKind::Leaders,
            "",
            at(2),
        )
        .unwrap();
    let ids: Vec<_> = store
        .gatherings(&cluster.id)
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(ids, [first.id.clone(), second.id.clone()], "in date order");

    let set = |store: &mut S, change| store.set_attendance(&first.id, &home.id, &change, at(3));
    set(store, AttendanceField::Leaders(2)).unwrap();
    let now = set(
        store,
        AttendanceField::BetweenWork(Some(YesPartlyNo::Partly)),
    )
    .unwrap();
    assert_eq!(
        (now.leaders, now.between_work),
        (2, Some(YesPartlyNo::Partly))
    );
    assert!(matches!(
        set(store, AttendanceField::Staff(1001)),
        Err(StoreError::ClusterRefused(..))
    ));
    assert!(matches!(
        store.set_attendance(&first.id, &other.id, &AttendanceField::Staff(1), at(3)),
        Err(StoreError::OutsideCluster { .. })
    ));
    assert_eq!(
        store.attendances(&first.id).unwrap(),
        std::slice::from_ref(&now)
    );

    let round = |store: &mut S, service: &str| {
        store
            .create_round(
                service,
                "Før",
                day("2026-03-01"),
                RoundKind::Before,
                Instrument::standard(),
                at(4),
            )
            .unwrap()
    };
    let mine = round(store, &home.id);
    let theirs = round(store, &other.id);
    store.tie_round(&mine.id, Some(&first.id), at(5)).unwrap();
    assert!(matches!(
        store.tie_round(&theirs.id, Some(&first.id), at(5)),
        Err(StoreError::OutsideCluster { .. })
    ));
    assert_eq!(store.round_gathering(&theirs.id).unwrap(), None);
    assert_eq!(
        store.tied_rounds(&first.id).unwrap(),
        std::slice::from_ref(&mine)
    );

    // Erasing the gathering takes its attendance and lets the round go; the round stays.
    let erased = store
        .erase(
            &[Erasable::Gathering(first.id.clone())],
            ErasedBy::Command,
            at(6),
        )
        .unwrap();
    assert_eq!((erased.gatherings, erased.attendances), (1, 1));
    assert_eq!(store.round_gathering(&mine.id).unwrap(), None);
    assert!(store.attendances(&first.id).unwrap().is_empty());
    assert!(store.changes("gathering", &first.id).unwrap().is_empty());
    assert_eq!(store.tombstones().unwrap()[0].kind, "gathering");

    // Erasing a service takes its attendance; its cluster's gatherings stay.
    store
        .set_attendance(&second.id, &home.id, &AttendanceField::Staff(4), at(7))
        .unwrap();
    store.tie_round(&mine.id, Some(&second.id), at(7)).unwrap();
    let erased = store
        .erase(
            &[Erasable::Service(home.id.clone())],
            ErasedBy::Command,
            at(8),
        )
        .unwrap();
    assert_eq!(erased.attendances, 1);
    assert!(store.attendances(&second.id).unwrap().is_empty());
    assert!(store.tied_rounds(&second.id).unwrap().is_empty());
    assert_eq!(store.gatherings(&cluster.id).unwrap().len(), 1);
    let key = format!("{}/{}", second.id, home.id);
    assert!(store.changes("attendance", &key).unwrap().is_empty());
    assert!(store.integrity_problems().unwrap().is_empty());
}

fn a_service_that_moves_to_another_cluster_lets_go_of_its_rounds_gatherings<S: Backend>(
    store: &mut S,
) {
    let mut service = store
        .create_service("Fjellbygd", &[], "Innlandet", at(0))
        .unwrap();
    let cluster = store.cluster_named("Innlandet").unwrap().unwrap();
    let gathering = store
        .add_gathering(
            &cluster.id,
            day("2026-03-12"),
            GatheringKind::Digital,
            "",
            at(1),
        )
        .unwrap();
    let round = store
        .create_round(
            &service.id,
            "Før",
            day("2026-03-01"),
            RoundKind::Before,
            Instrument::standard(),
            at(2),
        )
        .unwrap();
    store
        .tie_round(&round.id, Some(&gathering.id), at(3))
        .unwrap();
    service.cluster = "Trøndelag".into();
    store.update_service(&service, at(4)).unwrap();
    assert_eq!(store.round_gathering(&round.id).unwrap(), None);
    assert_eq!(
        store.changes("round_gathering", &round.id).unwrap().len(),
        2
    );
    assert!(store.cluster_named("Trøndelag").unwrap().is_some());
}

/// A gathering is changed in place and keeps its cluster; an attendance saved whole
/// replaces what was there, and saved empty is gone; the clusters list their services.
fn a_gathering_is_changed_in_place_and_an_attendance_saved_whole<S: Backend>(store: &mut S) {
    let home = store
        .create_service("Fjellbygd", &[], "Innlandet", at(0))
        .unwrap();
    let near = store
        .create_service("Dalen", &[], "Innlandet", at(0))
        .unwrap();
    store.create_service("Kystby", &[], "", at(0)).unwrap();
    let cluster = store.cluster_named("Innlandet").unwrap().unwrap();
    let other = store.create_service("Øya", &[], "Vestland", at(0)).unwrap();
    let gathering = store
        .add_gathering(
            &cluster.id,
            day("2026-03-12"),
            GatheringKind::Joint,
            "",
            at(1),
        )
        .unwrap();
    let moved = Gathering {
        cluster_id: store.cluster_named("Vestland").unwrap().unwrap().id,
        held_on: day("2026-04-02"),
        kind: GatheringKind::Digital,
        topics: "Mål og tiltak".into(),
        ..gathering.clone()
    };
    store.update_gathering(&moved, at(2)).unwrap();
    let now = store.gathering(&gathering.id).unwrap();
    assert_eq!(
        (
            now.cluster_id.as_str(),
            now.held_on,
            now.kind,
            now.topics.as_str()
        ),
        (
            cluster.id.as_str(),
            day("2026-04-02"),
            GatheringKind::Digital,
            "Mål og tiltak"
        ),
        "changed, in its own cluster still"
    );
    store.update_gathering(&moved, at(3)).unwrap();
    assert_eq!(store.changes("gathering", &gathering.id).unwrap().len(), 2);
    let missing = Gathering {
        id: "no such gathering".into(),
        ..now.clone()
    };
    assert!(matches!(
        store.update_gathering(&missing, at(3)),
        Err(StoreError::NotFound("gathering"))
    ));

    let whole = Attendance {
        gathering_id: gathering.id.clone(),
        service_id: home.id.clone(),
        leaders: 1,
        key_persons: 2,
        staff: 3,
        pre_work: Some(YesPartlyNo::Yes),
        between_work: None,
        note: "Alle kom".into(),
    };
    store.put_attendance(&whole, at(4)).unwrap();
    let near_too = Attendance {
        gathering_id: gathering.id.clone(),
        service_id: near.id.clone(),
        staff: 5,
        ..Default::default()
    };
    store.put_attendance(&near_too, at(4)).unwrap();
    assert_eq!(
        store.attendances(&gathering.id).unwrap(),
        [near_too.clone(), whole.clone()],
        "by service name"
    );
    let outside = Attendance {
        service_id: other.id.clone(),
        ..whole.clone()
    };
    assert!(matches!(
        store.put_attendance(&outside, at(5)),
        Err(StoreError::OutsideCluster { .. })
    ));
    let emptied = Attendance {
        gathering_id: gathering.id.clone(),
        service_id: home.id.clone(),
        ..Default::default()
    };
    store.put_attendance(&emptied, at(5)).unwrap();
    assert_eq!(store.attendances(&gathering.id).unwrap(), [near_too]);
    let key = format!("{}/{}", gathering.id, home.id);
    let logged = store.changes("attendance", &key).unwrap();
    assert_eq!(logged.len(), 2);
    assert_eq!(logged[1].new_json, None, "removed");

    let clusters = store.clusters().unwrap();
    let names: Vec<(&str, Vec<&str>)> = clusters
        .iter()
        .map(|c| {
            let services = c.services.iter().map(|s| s.name.as_str()).collect();
            (c.cluster.name.as_str(), services)
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Innlandet", vec!["Dalen", "Fjellbygd"]),
            ("Vestland", vec!["Øya"])
        ]
    );
}

// ---- Erase ---------------------------------------------------------------------------------

/// Erasing a respondent takes their answers, history and kept scores, and sums their round
/// again; what it would take is told first, changing nothing; a target not there refuses the
/// whole erasure.
fn an_erased_respondent_takes_their_answers_history_and_kept_scores<S: Backend>(store: &mut S) {
    let (_, round_id) = service_and_round(store);
    let keys = items(4);
    let mut ids = Vec::new();
    for (n, role) in [Role::Leader, Role::Staff].into_iter().enumerate() {
        let who = store
            .create_respondent(&round_id, role, &format!("R{n}"), at(2))
            .unwrap();
        for (key, min) in &keys {
            store
                .save_response(&who.id, key, Some(Response::Score(*min)), at(3))
                .unwrap();
        }
        store
            .save_comment(&who.id, &keys[0].0, "Notat", at(4))
            .unwrap();
        ids.push(who.id);
    }
    let targets = [Erasable::Respondent(ids[1].clone())];
    let preview = store.erasure(&targets).unwrap();
    assert_eq!((preview.respondents, preview.answers), (1, 4));
    assert_eq!(
        store.respondents(&round_id).unwrap().len(),
        2,
        "nothing changed"
    );
    assert!(matches!(
        store.erase(
            &[targets[0].clone(), Erasable::Round("no such round".into())],
            ErasedBy::Screen,
            at(5)
        ),
        Err(StoreError::NotFound("round"))
    ));
    assert_eq!(
        store.respondents(&round_id).unwrap().len(),
        2,
        "all or nothing"
    );
    assert!(store.tombstones().unwrap().is_empty());

    let erased = store.erase(&targets, ErasedBy::Screen, at(6)).unwrap();
    assert_eq!(erased, preview);
    assert!(store.respondent(&ids[1]).unwrap().is_none());
    assert!(store.answers(&ids[1]).unwrap().is_empty());
    assert!(store.history(&ids[1], &keys[0].0).unwrap().is_empty());
    assert_eq!(store.history(&ids[0], &keys[0].0).unwrap().len(), 2);
    let kept = store
        .round_scores(instrument(), &[&round_id], Options::default())
        .unwrap();
    let round = store.round_answers(&round_id).unwrap();
    let left: Vec<Answering> = round
        .iter()
        .map(|(who, answers)| (Asked::new(RoundKind::Before, who.role), answers))
        .collect();
    assert_eq!(kept[0].respondents, 1);
    assert_eq!(kept[0].sections, summarize(instrument(), &left));
    let tombstones = store.tombstones().unwrap();
    assert_eq!(
        tombstones
            .iter()
            .map(|t| (t.kind.as_str(), t.id.as_str(), t.erased_by.as_str()))
            .collect::<Vec<_>>(),
        [("respondent", ids[1].as_str(), "screen")]
    );
    assert!(store.integrity_problems().unwrap().is_empty());
}

/// Retention finds the rounds last answered (or, without answers, held) before a day and
/// erases them with what they hold; a round answered since stays.
fn retention_erases_the_rounds_last_answered_before_a_day<S: Backend>(store: &mut S) {
    let (service_id, recent) = service_and_round(store);
    let old = store
        .create_round(
            &service_id,
            "Etter",
            day("2025-01-15"),
            RoundKind::After,
            instrument(),
            at(2),
        )
        .unwrap();
    let quiet = store
        .create_round(
            &service_id,
            "Mellom",
            day("2025-06-01"),
            RoundKind::Between,
            instrument(),
            at(2),
        )
        .unwrap();
    let who = store
        .create_respondent(&recent, Role::Staff, "R1", at(3))
        .unwrap();
    store
        .save_response(&who.id, &items(1)[0].0, Some(Response::DontKnow), at(4))
        .unwrap();
    let gone = store
        .create_respondent(&old.id, Role::Leader, "R2", at(3))
        .unwrap();
    let cutoff = day("2026-01-01");
    let aged = store.rounds_last_answered_before(cutoff).unwrap();
    let found: Vec<(&str, NaiveDate, usize)> = aged
        .iter()
        .map(|a| (a.round.id.as_str(), a.last_answer, a.respondents))
        .collect();
    assert_eq!(
        found,
        [
            (old.id.as_str(), day("2025-01-15"), 1),
            (quiet.id.as_str(), day("2025-06-01"), 0)
        ]
    );
    assert_eq!(aged[0].service_name, "Askdal barneverntjeneste");
    let (erased_rounds, erasure) = store
        .erase_rounds_last_answered_before(cutoff, at(5))
        .unwrap();
    assert_eq!(erased_rounds, aged);
    assert_eq!((erasure.rounds, erasure.respondents), (2, 1));
    let left: Vec<String> = store
        .rounds(&service_id)
        .unwrap()
        .into_iter()
        .map(|r| r.round.id)
        .collect();
    assert_eq!(left, [recent]);
    assert!(store.respondent(&gone.id).unwrap().is_none());
    let kinds: HashSet<(String, String)> = store
        .tombstones()
        .unwrap()
        .into_iter()
        .map(|t| (t.kind, t.erased_by))
        .collect();
    assert_eq!(
        kinds,
        HashSet::from([
            ("round".to_string(), "retention".to_string()),
            ("respondent".to_string(), "retention".to_string())
        ])
    );
    assert!(
        store
            .rounds_last_answered_before(cutoff)
            .unwrap()
            .is_empty()
    );
}

// ---- Sharing -------------------------------------------------------------------------------

/// A store opened as the contract opens it may be written.
fn a_store_opened_for_writing_is_not_reading_only<S: Backend>(store: &mut S) {
    assert!(!store.reading_only());
    store.create_service("Fjellbygd", &[], "", at(0)).unwrap();
}

// ---- The backends ----------------------------------------------------------------------------

/// Each contract function, as one test per backend: `$open` gives a fresh, empty store and
/// whatever must live as long as it (a temporary folder, a server's schema); the merge
/// contracts take two, one for each machine.
macro_rules! every_backend {
    ($($backend:ident => $open:expr),+ $(,)?) => {
        $(mod $backend {
            every_backend!(@pairs $open;
                the_newer_answer_wins_on_both_machines_and_the_older_is_in_both_histories,
                the_newer_stage_wins_on_both_machines,
                the_newer_need_and_facts_win_on_both_machines,
                a_refused_file_writes_nothing,
                an_erased_respondent_is_gone_history_too_and_an_import_does_not_bring_them_back,
                a_respondent_by_code_stays_by_code_through_an_export_and_an_import_both_ways,
                a_respondents_label_is_drawn_at_random_not_made_from_the_code,
            );
            every_backend!(@tests $open;
                an_export_of_one_service_holds_it_alone_and_the_csv_a_row_per_answer,
                services_rounds_and_respondents_are_found_again,
                a_changed_service_is_saved,
                what_is_not_there_is_not_found,
                a_response_and_a_comment_are_kept_apart_and_both_saved,
                every_change_to_an_answer_is_in_its_history_oldest_first,
                an_answer_for_no_respondent_is_refused_and_nothing_is_written,
                kept_scores_equal_a_recomputation_from_the_answers,
                a_before_round_covers_only_the_items_put_to_each_role,
                plan_items_are_saved_and_their_changes_logged,
                goals_stage_and_consensus_are_set_changed_and_removed,
                plan_items_come_by_subdomain_and_kind_with_every_field_kept,
                goals_come_in_order_and_statuses_and_consensus_are_logged_as_values,
                own_areas_come_in_order_needs_by_key_and_emptied_expectations_are_removed,
                a_new_store_is_at_the_current_schema_whole_and_counts_what_it_holds,
                a_code_claims_one_respondent_of_its_round_and_role_until_it_is_withdrawn,
                needs_are_set_part_by_part_logged_and_a_fourth_top_priority_is_refused,
                own_areas_follow_the_list_and_take_needs_of_their_service_only,
                expectations_and_facts_are_saved_whole_logged_and_refused_out_of_range,
                an_erased_round_takes_its_needs_and_positions_and_an_erased_service_its_own_areas,
                positions_are_added_changed_and_removed_each_at_once,
                a_position_change_and_a_removal_each_leave_one_change_log_entry,
                positions_go_with_their_round_their_service_and_retention,
                every_cluster_a_service_names_has_its_record_and_a_rename_reaches_its_services,
                gatherings_attendance_and_tied_rounds_keep_to_their_cluster_and_go_with_erasure,
                a_service_that_moves_to_another_cluster_lets_go_of_its_rounds_gatherings,
                closing_answering_withdraws_every_open_code_and_no_code_comes_after,
                a_gathering_is_changed_in_place_and_an_attendance_saved_whole,
                an_erased_respondent_takes_their_answers_history_and_kept_scores,
                retention_erases_the_rounds_last_answered_before_a_day,
                a_store_opened_for_writing_is_not_reading_only,
            );
        })+
    };
    (@pairs $open:expr; $($contract:ident),+ $(,)?) => {
        $(#[test]
        fn $contract() {
            let (_keep_a, mut a) = $open;
            let (_keep_b, mut b) = $open;
            super::$contract(&mut a, &mut b);
        })+
    };
    (@tests $open:expr; $($contract:ident),+ $(,)?) => {
        $(#[test]
        fn $contract() {
            let (_keep, mut store) = $open;
            super::$contract(&mut store);
        })+
    };
}

fn sqlite() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("contract.db")).unwrap();
    (dir, store)
}

every_backend! {
    sqlite => super::sqlite(),
    postgres => super::postgres(),
}

/// A database of its own on the throwaway server, with kartlegg's schema.
fn postgres() -> (common::postgres::Database, PgStore) {
    let database = common::postgres::database();
    let store = PgStore::init(&database.url).unwrap();
    (database, store)
}
