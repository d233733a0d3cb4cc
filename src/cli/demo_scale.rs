//! The large demos, for trying kartlegg at the size a programme really has: one county
//! cluster (25 services) or the whole country (357 services in the 15 counties' clusters).
//! Each service has six rounds over two and a half years with about twelve respondents a
//! round (a leader, key persons, staff, sometimes a consultant) who answer the full
//! instrument, with "vet ikke" more common among staff and on the drivers they see least,
//! falling as the programme goes on, and now and then a comment.
//!
//! The same seed gives the same database: names, ids, answers and times all come from it.

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use super::{complain, exit, fail};

use crate::domain::instrument::{Asked, Instrument};
use crate::domain::model::{Answer, Respondent, Response, Role, Round, RoundKind, Service};
use crate::i18n::{Lang, trf};
use crate::store::bulk::{Batch, BatchAnswer, BatchRespondent};
use crate::store::{Admin, Answers};
use crate::store::{Counts, Store, StoreError, timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// Four services with two rounds each (the demo as it always was)
    Small,
    /// One county cluster: 25 services, six rounds each
    Cluster,
    /// Every municipality: 357 services in 15 county clusters, six rounds each
    National,
}

/// The counties (2024) with their number and how many municipalities each has: a cluster
/// each, with one service per municipality.
const COUNTIES: &[(&str, u32, usize)] = &[
    ("Oslo", 3, 1),
    ("Rogaland", 11, 23),
    ("Møre og Romsdal", 15, 27),
    ("Nordland", 18, 41),
    ("Østfold", 31, 12),
    ("Akershus", 32, 21),
    ("Buskerud", 33, 18),
    ("Innlandet", 34, 46),
    ("Vestfold", 39, 6),
    ("Telemark", 40, 17),
    ("Agder", 42, 25),
    ("Vestland", 46, 43),
    ("Trøndelag", 50, 38),
    ("Troms", 55, 21),
    ("Finnmark", 56, 18),
];

/// The county of the cluster demo.
const CLUSTER_COUNTY: usize = 10;

/// Made-up place names: a first part and an ending, never a real municipality on purpose.
const FIRST: &[&str] = &[
    "Fjell", "Elve", "Sjø", "Skog", "Myr", "Lyng", "Bjørke", "Furu", "Stein", "Sol", "Måne", "Ulv",
    "Rev", "Øre", "Hav", "Å", "Ask", "Lind", "Rogn", "Gran", "Kvit", "Grøn", "Rau", "Kald",
];
const ENDING: &[&str] = &[
    "bygd", "dal", "vik", "nes", "by", "sund", "fjord", "øy", "berg", "haug", "strand", "li",
    "mark", "vang", "heim", "å",
];

const ROUNDS: &[(&str, RoundKind, i64)] = &[
    ("Før samling 1", RoundKind::Before, 0),
    ("Mellom samling 1 og 2", RoundKind::Between, 90),
    ("Mellom samling 2 og 3", RoundKind::Between, 180),
    ("Etter samling 3", RoundKind::After, 300),
    ("Oppfølging etter 1 år", RoundKind::After, 665),
    ("Oppfølging etter 2 år", RoundKind::After, 1030),
];

const COMMENTS: &[&str] = &[
    "Tatt opp på personalmøtet; vi er ikke enige om hvor vi står.",
    "Veiledning skjer bare når noen ber om det.",
    "Fagsystemet gir tall på fristbrudd, men ikke på det vi vil endre.",
    "Leder var med på første samling, ikke på den andre.",
    "Nye medarbeidere får ikke opplæring i arbeidsmåten før etter et halvt år.",
    "Vi har en avtale med kommunalsjefen, men den er ikke fulgt opp.",
    "Usikker: dette har ikke vært tema hos oss.",
    "Bedre etter at vi fikk fast tid til refleksjon hver uke.",
];

/// How a service starts and how much the programme lifts it, 0.0–1.0.
struct Profile {
    start: f64,
    lift: f64,
    /// Each section a little above or below the service's level.
    section_bias: Vec<f64>,
}

/// Fills an empty database at the given scale; `progress` is told how many services are
/// written. Returns `None` (and writes nothing) if the database already has other services.
///
/// The small demo is one transaction. The large ones write one transaction per service, for
/// speed, so a demo stopped part-way leaves its first services whole; since the same seed
/// writes the same services in the same order, a database whose services are exactly the
/// first ones of this demo is a stopped demo, and is finished where it stopped.
pub fn fill(
    store: &mut Store,
    instrument: &Instrument,
    scale: Scale,
    seed: u64,
    now: DateTime<Utc>,
    mut progress: impl FnMut(Progress),
) -> Result<Option<Counts>, StoreError> {
    let counties: Vec<(usize, usize)> = match scale {
        Scale::Small => return super::demo::fill(store, instrument, seed, now),
        Scale::Cluster => vec![(CLUSTER_COUNTY, COUNTIES[CLUSTER_COUNTY].2)],
        Scale::National => COUNTIES.iter().enumerate().map(|(i, c)| (i, c.2)).collect(),
    };
    let there: HashSet<String> = store.service_list()?.into_iter().map(|s| s.id).collect();
    let mut rng = fastrand::Rng::with_seed(seed);
    let total: usize = counties.iter().map(|(_, n)| n).sum();
    if there.len() >= total {
        return Ok(None);
    }
    let mut names = place_names(&mut rng);
    let mut written = 0;
    for (county, services) in counties {
        for index in 0..services {
            let place = names.pop().expect("more names than services");
            let batch = service_batch(&mut rng, instrument, county, index, &place);
            if written < there.len() {
                // Made again from the seed, and checked against what is there; nothing is
                // written until every service there is known to be this demo's.
                if !batch.services.iter().all(|(s, _)| there.contains(&s.id)) {
                    return Ok(None);
                }
                written += 1;
                if written == there.len() {
                    progress(Progress::Resumed { written, total });
                }
                continue;
            }
            store.load_batch(instrument, &batch)?;
            written += 1;
            progress(Progress::Written { written, total });
            crate::pause::here(&format!("demo-service-{written}"));
        }
    }
    Ok(Some(store.counts()?))
}

/// How far a large demo has come, in services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A stopped demo was found with this many services of its `total` written.
    Resumed {
        written: usize,
        total: usize,
    },
    Written {
        written: usize,
        total: usize,
    },
}

/// Every name the parts make, in an order the seed decides.
fn place_names(rng: &mut fastrand::Rng) -> Vec<String> {
    let mut names: Vec<String> = FIRST
        .iter()
        .flat_map(|first| ENDING.iter().map(move |ending| format!("{first}{ending}")))
        .collect();
    rng.shuffle(&mut names);
    names
}

/// An id that sorts by the time the row was made (a version 7 UUID), drawn from the seed,
/// so that rows written together sit together in the indexes.
fn id_at(rng: &mut fastrand::Rng, at: DateTime<Utc>) -> String {
    let mut random = [0u8; 10];
    rng.fill(&mut random);
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .to_string()
}

fn service_batch(
    rng: &mut fastrand::Rng,
    instrument: &Instrument,
    county: usize,
    index: usize,
    place: &str,
) -> Batch {
    let (county_name, county_number, _) = COUNTIES[county];
    // Counties start the programme a month apart; a service within a few weeks of its
    // county. The last follow-up, two and a half years after the last county starts, lies in
    // 2025: a demo whose times lay ahead of every clock would be refused by an import.
    let start = NaiveDate::from_ymd_opt(2021, 1, 15).expect("a valid date")
        + Duration::days(county as i64 * 30 + rng.i64(0..21));
    let created = at(start - Duration::days(14), 8, 0);
    // About one service in seven serves its neighbours as well.
    let mut municipalities = vec![format!("{county_number:02}{:02}", index + 1)];
    if rng.u8(0..7) == 0 {
        for extra in 0..rng.usize(1..3) {
            let number = 50 + (index * 2 + extra) % 50;
            municipalities.push(format!("{county_number:02}{number:02}"));
        }
    }
    let name = if municipalities.len() > 1 {
        format!("{place} interkommunale barnevern")
    } else {
        format!("{place} barneverntjeneste")
    };
    let service = Service {
        id: id_at(rng, created),
        name,
        municipalities,
        cluster: format!("Klynge {county_name}"),
    };
    let profile = Profile {
        start: (0.30 + rng.f64() * 0.35),
        lift: rng.f64() * 0.30,
        section_bias: instrument
            .sections
            .iter()
            .map(|_| (rng.f64() - 0.5) * 0.16)
            .collect(),
    };
    let mut batch = Batch::default();
    for (r, (label, kind, days)) in ROUNDS.iter().enumerate() {
        let held_on = start + Duration::days(*days + rng.i64(0..10));
        let round = Round {
            id: id_at(rng, at(held_on, 7, 0)),
            service_id: service.id.clone(),
            label: (*label).to_string(),
            held_on,
            kind: *kind,
            instrument_key: instrument.key.clone(),
            instrument_version: instrument.version.clone(),
        };
        // Progress through the programme: none before it, all of it a year after.
        let progress = (r as f64 / 4.0).min(1.0);
        for (p, role) in roles(rng).into_iter().enumerate() {
            let created_at = at(held_on, 8, 0) + Duration::minutes(p as i64 * 7);
            let respondent = Respondent {
                id: id_at(rng, created_at),
                round_id: round.id.clone(),
                role,
                code: match role {
                    Role::Staff | Role::Consultant => format!("{}{}", code_letter(role), p),
                    _ => String::new(),
                },
            };
            let asked = Asked::new(*kind, role);
            let answers = answers(rng, instrument, &profile, asked, progress, created_at);
            batch.respondents.push(BatchRespondent {
                respondent,
                created_at: timestamp(created_at),
                answers,
            });
        }
        batch.rounds.push((round, timestamp(at(held_on, 7, 0))));
    }
    batch.services.push((service, timestamp(created)));
    batch
}

fn at(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(hour, minute, 0).expect("a valid time");
    date.and_time(time).and_utc()
}

fn code_letter(role: Role) -> char {
    if role == Role::Consultant { 'K' } else { 'A' }
}

/// A round's respondents: a leader, one or two key persons, six to twelve staff and, every
/// other round, the programme's consultant; twelve on average.
fn roles(rng: &mut fastrand::Rng) -> Vec<Role> {
    let mut roles = vec![Role::Leader, Role::KeyPerson];
    if rng.bool() {
        roles.push(Role::KeyPerson);
    }
    roles.extend(std::iter::repeat_n(Role::Staff, 6 + rng.usize(0..=6)));
    if rng.bool() {
        roles.push(Role::Consultant);
    }
    roles
}

fn answers(
    rng: &mut fastrand::Rng,
    instrument: &Instrument,
    profile: &Profile,
    asked: Asked,
    progress: f64,
    started: DateTime<Utc>,
) -> Vec<BatchAnswer> {
    // Only the items put to them in a round of this kind.
    let items = instrument.items_asked(asked);
    let role = asked.role;
    // One respondent in thirty stops before the end.
    let stop = if rng.u8(0..30) == 0 {
        rng.usize(5..items.len())
    } else {
        items.len()
    };
    let role_lift = match role {
        Role::Leader => 0.10,
        Role::KeyPerson => 0.05,
        Role::Consultant => 0.02,
        Role::Staff => 0.0,
    };
    let level = profile.start + profile.lift * progress + role_lift;
    items[..stop]
        .iter()
        .map(|item| {
            let at = started + Duration::seconds(20 * item.index as i64);
            // Staff know least about the programme owner's support and the leadership and
            // organisation drivers; everyone knows more as the programme goes on.
            let unseen = matches!(
                item.section.key.as_str(),
                "support" | "leadership" | "organisation"
            );
            let dont_know = match role {
                Role::Leader | Role::Consultant => 0.03,
                Role::KeyPerson => 0.06,
                Role::Staff if unseen => 0.24,
                Role::Staff => 0.10,
            } * (1.0 - 0.5 * progress);
            let roll = rng.f64();
            let response = if roll < dont_know {
                Response::DontKnow
            } else if roll < dont_know + 0.02 {
                Response::NotApplicable
            } else {
                let latent =
                    (level + profile.section_bias[item.section_index] + (rng.f64() - 0.5) * 0.45)
                        .clamp(0.0, 1.0);
                let (min, max) = (item.scale.min(), item.scale.max());
                Response::Score(min + (latent * f64::from(max - min)).round() as u8)
            };
            let comment = if rng.u16(0..120) == 0 {
                COMMENTS[rng.usize(0..COMMENTS.len())].to_string()
            } else {
                String::new()
            };
            BatchAnswer {
                id: id_at(rng, at),
                item_key: item.item.key.clone(),
                answer: Answer {
                    response: Some(response),
                    comment,
                },
                at: timestamp(at),
            }
        })
        .collect()
}

/// `kartlegg demo`: fills the database and says what it wrote and how long it took.
pub fn run(
    store: &mut Store,
    instrument: &Instrument,
    lang: Lang,
    path: &Path,
    scale: Scale,
    seed: u64,
) -> ExitCode {
    let started = Instant::now();
    let mut shown = 0;
    let progress = |progress: Progress| match progress {
        Progress::Resumed { written, total } => {
            shown = written * 10 / total;
            complain(&trf(
                lang,
                "wip.demo_resumed",
                &[("done", &written), ("total", &total)],
            ));
        }
        // Every tenth of the way, on standard error, so that the output stays one report.
        Progress::Written {
            written: done,
            total,
        } => {
            if done * 10 / total > shown {
                shown = done * 10 / total;
                complain(&trf(
                    lang,
                    "demo.progress",
                    &[("done", &done), ("total", &total)],
                ));
            }
        }
    };
    match fill(store, instrument, scale, seed, Utc::now(), progress) {
        Ok(Some(counts)) => {
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "{}",
                super::counts_message(lang, "cli.demo_done", path, &counts)
            );
            let per_second = (counts.answers as f64 / seconds.max(1e-3)).round();
            println!(
                "{}",
                trf(
                    lang,
                    "demo.timed",
                    &[
                        ("seconds", &crate::present::decimal(lang, seconds, 2)),
                        ("per_second", &per_second),
                    ],
                )
            );
            ExitCode::SUCCESS
        }
        Ok(None) => {
            complain(&trf(
                lang,
                "cli.demo_not_empty",
                &[("path", &path.display())],
            ));
            ExitCode::from(exit::FAILURE)
        }
        Err(e) => fail(lang, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batches(seed: u64) -> String {
        let mut rng = fastrand::Rng::with_seed(seed);
        let names = place_names(&mut rng);
        let batches: Vec<Batch> = (0..3)
            .map(|i| service_batch(&mut rng, Instrument::standard(), 7, i, &names[i]))
            .collect();
        format!("{batches:?}")
    }

    #[test]
    fn the_same_seed_gives_the_same_services_ids_and_answers() {
        assert_eq!(batches(1), batches(1));
        assert_ne!(batches(1), batches(2));
    }

    #[test]
    fn a_service_has_six_rounds_of_about_twelve_respondents() {
        let mut rng = fastrand::Rng::with_seed(5);
        let instrument = Instrument::standard();
        let mut respondents = 0;
        for i in 0..40 {
            let batch = service_batch(&mut rng, instrument, 11, i, "Testvik");
            assert_eq!(batch.rounds.len(), 6);
            assert!(batch.services[0].0.cluster == "Klynge Vestland");
            respondents += batch.respondents.len();
            for r in &batch.respondents {
                assert!(r.answers.len() <= instrument.items().len());
            }
        }
        let mean = respondents as f64 / (40.0 * 6.0);
        assert!((11.0..13.0).contains(&mean), "{mean}");
    }

    #[test]
    fn there_are_enough_place_names_for_every_municipality() {
        let mut rng = fastrand::Rng::with_seed(1);
        let names = place_names(&mut rng);
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        assert!(names.len() >= COUNTIES.iter().map(|c| c.2).sum::<usize>());
        assert_eq!(COUNTIES.iter().map(|c| c.2).sum::<usize>(), 357);
    }
}
