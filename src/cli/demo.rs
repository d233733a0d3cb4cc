//! A realistic demo: a cluster of four services, a round before and after the programme,
//! several respondents each, answers that move the way a programme might move them.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::domain::instrument::{Asked, Instrument};
use crate::domain::model::{Response, Role, RoundKind};
use crate::store::{Admin, Answers};
use crate::store::{Counts, Store, StoreError};

struct DemoService {
    name: &'static str,
    municipalities: &'static [&'static str],
    /// Where the service starts, 0.0–1.0, and how much the programme lifts it.
    start: f64,
    lift: f64,
}

const CLUSTER: &str = "Demo: klynge Innlandet";

const SERVICES: &[DemoService] = &[
    DemoService {
        name: "Fjellbygd barneverntjeneste",
        municipalities: &["3431"],
        start: 0.42,
        lift: 0.22,
    },
    DemoService {
        name: "Elvedalen interkommunale barnevern",
        municipalities: &["3432", "3433", "3434"],
        start: 0.55,
        lift: 0.12,
    },
    DemoService {
        name: "Sjøbyen barneverntjeneste",
        municipalities: &["3405"],
        start: 0.62,
        lift: 0.05,
    },
    DemoService {
        name: "Skogvik og Myra barnevern",
        municipalities: &["3436", "3437"],
        start: 0.35,
        lift: 0.18,
    },
];

const COMMENTS: &[(&str, &str)] = &[
    (
        "readiness.problem_awareness.1",
        "Vi ser at undersøkelsene tar for lang tid; tatt opp på personalmøtet i februar.",
    ),
    (
        "competence.coaching.2",
        "Veiledning skjer bare når noen ber om det. Ingen fast plan ennå.",
    ),
    (
        "organisation.data_systems.3",
        "Vi ser på tall for fristbrudd sammen, men ikke på det vi vil endre.",
    ),
    (
        "leadership.leader_participates.1",
        "Leder var med på første samling, ikke på den andre.",
    ),
];

/// Fills an empty database, all of it in one transaction, so that a demo stopped part-way
/// leaves nothing; returns `None` (and writes nothing) if it already has services.
pub fn fill(
    store: &mut Store,
    instrument: &Instrument,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<Option<Counts>, StoreError> {
    if store.counts()?.services > 0 {
        return Ok(None);
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let first_gathering = NaiveDate::from_ymd_opt(2026, 2, 10).expect("a valid date");
    store.in_transaction(|store| {
        for (s, demo) in SERVICES.iter().enumerate() {
            let municipalities: Vec<String> =
                demo.municipalities.iter().map(|m| m.to_string()).collect();
            let service = store.create_service(demo.name, &municipalities, CLUSTER, now)?;
            let rounds = [
                ("Før samling 1", RoundKind::Before, 0),
                ("Etter programmet", RoundKind::After, 210),
            ];
            for (label, kind, days) in rounds {
                let held_on = first_gathering + Duration::days(days + s as i64 * 3);
                let round =
                    store.create_round(&service.id, label, held_on, kind, instrument, now)?;
                let level = demo.start
                    + if kind == RoundKind::After {
                        demo.lift
                    } else {
                        0.0
                    };
                let dont_know_rate = if kind == RoundKind::After { 0.05 } else { 0.14 };
                let staff = 2 + rng.usize(0..3);
                // The process leader rates the service too; kartlegg keeps that apart.
                let roles = [Role::Leader, Role::KeyPerson]
                    .into_iter()
                    .chain(std::iter::repeat_n(Role::Staff, staff))
                    .chain([Role::Consultant]);
                for (r, role) in roles.enumerate() {
                    let code = match role {
                        Role::Staff => format!("A{}", r - 1),
                        Role::Consultant => "PL".to_string(),
                        _ => String::new(),
                    };
                    let respondent = store.create_respondent(&round.id, role, &code, now)?;
                    // Leaders rate their service higher than staff do.
                    let role_lift = match role {
                        Role::Leader => 0.10,
                        Role::KeyPerson => 0.05,
                        Role::Consultant => -0.05,
                        _ => 0.0,
                    };
                    // Only what is put to them: a staff member is not asked about a contract,
                    // nor anyone before the programme about training not yet given.
                    for item in &instrument.items_asked(Asked::new(kind, role)) {
                        let section_bias = (item.section_index as f64 - 2.5) * -0.03;
                        let latent = (level + role_lift + section_bias + (rng.f64() - 0.5) * 0.4)
                            .clamp(0.0, 1.0);
                        let roll = rng.f64();
                        let response = if roll < dont_know_rate {
                            Response::DontKnow
                        } else if roll < dont_know_rate + 0.02 {
                            Response::NotApplicable
                        } else {
                            let (min, max) = (item.scale.min(), item.scale.max());
                            let span = f64::from(max - min);
                            Response::Score(min + (latent * span).round() as u8)
                        };
                        store.save_response(&respondent.id, &item.item.key, Some(response), now)?;
                    }
                    if role == Role::KeyPerson {
                        let asked = Asked::new(kind, role);
                        for (key, comment) in COMMENTS {
                            // On an item put to them only: one on an item not asked is kept
                            // but shown nowhere in the walk.
                            let put = instrument
                                .items_asked(asked)
                                .iter()
                                .any(|i| i.item.key == *key);
                            if put {
                                store.save_comment(&respondent.id, key, comment, now)?;
                            }
                        }
                    }
                }
            }
            crate::pause::here(&format!("demo-service-{}", s + 1));
        }
        Ok(())
    })?;
    Ok(Some(store.counts()?))
}
