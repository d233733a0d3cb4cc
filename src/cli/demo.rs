//! A realistic demo: a cluster of four services, a round before and after the programme,
//! several respondents each, answers that move the way a programme might move them.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::domain::cluster::{Attendance, Cluster, GatheringKind};
use crate::domain::compare::Options;
use crate::domain::instrument::{Asked, Instrument};
use crate::domain::model::{Response, Role, Round, RoundKind};
use crate::domain::needs::{Expectation, Expectations, Facts, NeedField, Who, YesPartlyNo};
use crate::domain::plan::{GoalStatus, Level, PlanItem, PlanKind, Stage};
use crate::domain::requirement::{Education, PositionFacts, PositionRole};
use crate::domain::rounding::round;
use crate::domain::scoring::{Band, SectionScore};
use crate::store::{Admin, Answers, Clusters, Needs, Plans, Positions, Scores};
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

/// What a service might write down for an area it finds weak: the barrier and where it sits,
/// a strategy, two measures with who owns them, and the goal it sets itself. Data the service
/// writes, not interface text, so in bokmål only, like the comments.
struct AreaPlan {
    key: &'static str,
    barrier: (&'static str, Level),
    strategy: &'static str,
    measures: [(&'static str, &'static str); 2],
    goal: &'static str,
}

const fn area(
    key: &'static str,
    barrier: (&'static str, Level),
    strategy: &'static str,
    measures: [(&'static str, &'static str); 2],
    goal: &'static str,
) -> AreaPlan {
    AreaPlan {
        key,
        barrier,
        strategy,
        measures,
        goal,
    }
}

/// One plan for every subdomain of the instrument (a unit test holds that), since which areas
/// are weak depends on the seed.
const AREAS: &[AreaPlan] = &[
    area(
        "readiness.problem_awareness",
        (
            "Vi snakker sjelden om hva som må bli bedre",
            Level::Organisation,
        ),
        "Gjøre fristbrudd og kvalitet i undersøkelser til fast tema",
        [
            ("Gjennomgå fristbrudd på hvert personalmøte", "Leder"),
            ("Felles gjennomgang av tre undersøkelser", "Fagkoordinator"),
        ],
        "Alle kan si hva vi vil forbedre i undersøkelsene",
    ),
    area(
        "readiness.leaders_seek_solutions",
        (
            "Ledergruppen bruker tiden på drift, ikke utvikling",
            Level::Organisation,
        ),
        "Sette av tid i ledermøtet til forbedringsarbeid",
        [
            ("Fast punkt om forbedring i ledermøtet", "Barnevernleder"),
            ("Leder besøker et annet barnevern", "Barnevernleder"),
        ],
        "Ledergruppen har en plan for forbedringsarbeidet",
    ),
    area(
        "readiness.capacity_for_change",
        ("Høyt sykefravær og mange vikarer", Level::Organisation),
        "Frigjøre tid ved å utsette mindre viktige oppgaver",
        [
            ("Liste over oppgaver som kan vente i et halvår", "Leder"),
            ("Avklare vikarbudsjett med kommunalsjef", "Barnevernleder"),
        ],
        "Teamet har avsatt tid til endringsarbeidet",
    ),
    area(
        "readiness.staff_motivation",
        (
            "Ansatte ser ikke nytten av enda et nytt tiltak",
            Level::Individual,
        ),
        "Vise hva endringen betyr for barna og familiene",
        [
            ("Ansatte deler ett eksempel fra egen praksis", "Teamleder"),
            ("Spørre ansatte hva som bør endres først", "Tillitsvalgt"),
        ],
        "Flertallet av ansatte ønsker endringen",
    ),
    area(
        "fit.answers_problem",
        ("Usikkert om metoden treffer våre saker", Level::Team),
        "Sammenligne metoden med sakene vi faktisk har",
        [
            (
                "Kartlegge ti saker mot metodens målgruppe",
                "Fagkoordinator",
            ),
            ("Rådføre seg med kommunen som har prøvd", "Leder"),
        ],
        "Vi vet hvilke saker metoden passer for",
    ),
    area(
        "fit.manageable_demands",
        (
            "Metoden krever mer dokumentasjon enn vi rekker",
            Level::Team,
        ),
        "Tilpasse dokumentasjonen uten å miste kjernen",
        [
            ("Lage kortere mal for tiltaksplan", "Fagkoordinator"),
            ("Prøve malen i to saker", "Teamleder"),
        ],
        "Kravene i metoden passer arbeidshverdagen",
    ),
    area(
        "support.implementation",
        (
            "Ingen fast kontakt hos dem som støtter innføringen",
            Level::System,
        ),
        "Avtale fast kontaktperson i programmet",
        [
            ("Månedlig møte med programmets rådgiver", "Prosessleder"),
            ("Samle spørsmål før hvert møte", "Nøkkelperson"),
        ],
        "Vi får støtte når vi står fast",
    ),
    area(
        "support.generalisation",
        ("Det som virker i ett team spres ikke", Level::Organisation),
        "La teamene lære av hverandre",
        [
            ("Felles fagdag for begge teamene", "Leder"),
            ("Nøkkelperson hospiterer i det andre teamet", "Nøkkelperson"),
        ],
        "Metoden brukes i alle team",
    ),
    area(
        "support.evaluation",
        ("Vi vet ikke om endringen virker", Level::Organisation),
        "Velge få mål og følge dem jevnlig",
        [
            (
                "Velge tre indikatorer med kommunens analytiker",
                "Fagkoordinator",
            ),
            ("Kvartalsvis gjennomgang av tallene", "Leder"),
        ],
        "Vi følger effekten med egne tall",
    ),
    area(
        "competence.recruitment",
        (
            "Ved nyansettelser spør vi ikke etter metodekunnskap",
            Level::Organisation,
        ),
        "Ta metoden inn i utlysning og intervju",
        [
            ("Oppdatere mal for utlysning", "Leder"),
            ("Intervjuspørsmål om metoden", "Teamleder"),
        ],
        "Nye ansatte kjenner metoden før de begynner",
    ),
    area(
        "competence.participation",
        (
            "Mange går glipp av opplæringen på grunn av saker",
            Level::Team,
        ),
        "Skjerme dagene for opplæring",
        [
            ("Sette opplæringsdager i kalenderen for året", "Leder"),
            ("Ordne vakt slik at alle kan delta", "Teamleder"),
        ],
        "Alle ansatte har deltatt i opplæringen",
    ),
    area(
        "competence.relevance",
        (
            "Opplæringen bruker eksempler som ikke ligner våre saker",
            Level::System,
        ),
        "Bruke egne saker i opplæringen",
        [
            ("Anonymisere to egne saker til øving", "Fagkoordinator"),
            ("Gi kursholder tilbakemelding", "Prosessleder"),
        ],
        "Ansatte opplever opplæringen som relevant",
    ),
    area(
        "competence.training",
        (
            "Nyansatte får ingen opplæring i metoden",
            Level::Organisation,
        ),
        "Fast opplæringsløp for nyansatte",
        [
            ("Lage sjekkliste for de første åtte ukene", "Fagkoordinator"),
            ("Fadder for hver nyansatt", "Teamleder"),
        ],
        "Alle nyansatte får opplæring det første halvåret",
    ),
    area(
        "competence.coaching",
        ("Veiledning skjer bare når noen ber om det", Level::Team),
        "Fast veiledning i grupper",
        [
            ("Gruppeveiledning hver fjortende dag", "Fagkoordinator"),
            ("Veiledningsplan for hver ansatt", "Teamleder"),
        ],
        "Alle ansatte får fast veiledning",
    ),
    area(
        "leadership.dialogue",
        ("Lite kontakt med direktoratet og Bufetat", Level::System),
        "Bruke de regionale møtene aktivt",
        [
            (
                "Melde inn våre erfaringer før regionmøtet",
                "Barnevernleder",
            ),
            ("Invitere Bufetat til et personalmøte", "Leder"),
        ],
        "Vi har fast dialog med direktoratet",
    ),
    area(
        "leadership.binding_agreement",
        (
            "Avtalen om deltakelse er ikke forankret i kommunen",
            Level::System,
        ),
        "Forankre avtalen hos kommunalsjef",
        [
            ("Legge fram avtalen for kommunalsjef", "Barnevernleder"),
            ("Ta avtalen inn i virksomhetsplanen", "Barnevernleder"),
        ],
        "Avtalen er forankret i kommunens planer",
    ),
    area(
        "leadership.leader_problem_awareness",
        (
            "Lederne ser ulikt på hva som er problemet",
            Level::Organisation,
        ),
        "Felles problemforståelse i ledergruppen",
        [
            ("Ledersamling om hva vi vil endre", "Barnevernleder"),
            ("Skrive ned problemet på én side", "Leder"),
        ],
        "Ledergruppen er enig om hva som skal endres",
    ),
    area(
        "leadership.leader_participates",
        ("Leder deltar sjelden på samlingene", Level::Individual),
        "Leder deltar sammen med de ansatte",
        [
            ("Leder melder seg på alle samlinger", "Leder"),
            ("Leder åpner hver fagdag", "Leder"),
        ],
        "Leder deltar på alle samlinger",
    ),
    area(
        "organisation.data_systems",
        (
            "Fagsystemet gir ikke tall på det vi vil endre",
            Level::System,
        ),
        "Hente ut de tallene vi trenger",
        [
            ("Bestille rapport fra fagsystemet", "Systemansvarlig"),
            (
                "Enkel manuell telling inntil rapporten finnes",
                "Fagkoordinator",
            ),
        ],
        "Vi har tall på det vi vil endre",
    ),
    area(
        "organisation.facilitative_administration",
        (
            "Rutiner og maler hindrer den nye arbeidsmåten",
            Level::Organisation,
        ),
        "Tilpasse rutinene til arbeidsmåten",
        [
            ("Gjennomgå rutinehåndboken", "Fagkoordinator"),
            ("Fjerne skjema som ikke brukes", "Leder"),
        ],
        "Rutinene støtter den nye arbeidsmåten",
    ),
    area(
        "organisation.systems_intervention",
        (
            "Samarbeidet med skole og helse bygger på gamle avtaler",
            Level::System,
        ),
        "Fornye samarbeidsavtalene",
        [
            ("Møte med rektorene i kommunen", "Barnevernleder"),
            ("Ny avtale med helsestasjonen", "Leder"),
        ],
        "Samarbeidsavtalene passer den nye arbeidsmåten",
    ),
];

/// One area a demo service weighs: mastery before the programme (after it one point more
/// where the programme touched it), importance, and whether it is among the top three.
struct DemoNeed {
    area: &'static str,
    mastery: u8,
    importance: u8,
    top_three: bool,
    who: Who,
    missing: &'static str,
}

const fn need(
    area: &'static str,
    mastery: u8,
    importance: u8,
    top_three: bool,
    who: Who,
    missing: &'static str,
) -> DemoNeed {
    DemoNeed {
        area,
        mastery,
        importance,
        top_three,
        who,
        missing,
    }
}

/// The services' needs, in the order of `SERVICES`: most share investigations and talking
/// with children, as the seeds' services did; Sjøbyen's minority work is its own.
const NEEDS: [&[DemoNeed]; 4] = [
    &[
        need(
            "investigation",
            2,
            5,
            true,
            Who::Caseworkers,
            "Struktur i undersøkelsene og tidsfristene.",
        ),
        need(
            "child_participation",
            2,
            4,
            true,
            Who::All,
            "Samtaler med små barn.",
        ),
        need("documentation", 3, 4, true, Who::Caseworkers, ""),
        need("law", 3, 3, false, Who::All, ""),
        need("leadership_supervision", 3, 4, false, Who::Leaders, ""),
    ],
    &[
        need("investigation", 3, 5, true, Who::Caseworkers, ""),
        need(
            "trauma_informed",
            2,
            4,
            true,
            Who::All,
            "Felles språk for traumebevisst praksis.",
        ),
        need("child_participation", 3, 5, true, Who::Caseworkers, ""),
        need("parent_cooperation", 3, 3, false, Who::All, ""),
    ],
    &[
        need(
            "minority_sami",
            2,
            5,
            true,
            Who::All,
            "Tolk og kultursensitive samtaler.",
        ),
        need("child_participation", 3, 4, true, Who::Caseworkers, ""),
        need("care_orders", 3, 4, true, Who::Caseworkers, ""),
        need("investigation", 4, 4, false, Who::Caseworkers, ""),
    ],
    &[
        need(
            "investigation",
            2,
            5,
            true,
            Who::Caseworkers,
            "Mange nyutdannede; lite erfaring med undersøkelser.",
        ),
        need("documentation", 2, 4, true, Who::Caseworkers, ""),
        need("trauma_informed", 2, 4, true, Who::All, ""),
        need("violence_abuse", 2, 3, false, Who::All, ""),
    ],
];

/// One post of a demo service against the 2031 requirement, as in the first round: its
/// planned education is credits, year, and whether it is done by the round after the
/// programme.
struct DemoPost {
    role: PositionRole,
    education: Education,
    credits: u16,
    years: u8,
    planned: Option<(u16, u16, bool)>,
}

const fn demo_post(
    role: PositionRole,
    education: Education,
    credits: u16,
    years: u8,
    planned: Option<(u16, u16, bool)>,
) -> DemoPost {
    DemoPost {
        role,
        education,
        credits,
        years,
        planned,
    }
}

/// The posts every demo service has: three leaders and eight caseworkers who meet the
/// requirement, will with planned education (two of them done by the second round), and
/// will not (no plan, another education, a plan done too late), and an office post it does
/// not cover (last). Larger services add caseworkers (`EXTRA_POSTS`).
const POSTS: [DemoPost; 12] = {
    use Education as E;
    use PositionRole as R;
    [
        demo_post(R::Leader, E::MasterChildWelfare, 0, 12, None),
        demo_post(R::Leader, E::BachelorRelevant, 60, 9, None),
        demo_post(
            R::Leader,
            E::BachelorRelevant,
            30,
            6,
            Some((30, 2026, true)),
        ),
        demo_post(R::Caseworker, E::MasterChildWelfare, 0, 4, None),
        demo_post(R::Caseworker, E::BachelorRelevant, 60, 7, None),
        demo_post(R::Caseworker, E::MasterOtherRelevant, 0, 6, None),
        demo_post(
            R::Caseworker,
            E::BachelorRelevant,
            30,
            5,
            Some((30, 2026, true)),
        ),
        demo_post(
            R::Caseworker,
            E::BachelorRelevant,
            0,
            3,
            Some((60, 2028, false)),
        ),
        demo_post(R::Caseworker, E::BachelorRelevant, 0, 1, None),
        demo_post(R::Caseworker, E::Other, 0, 8, None),
        demo_post(
            R::Caseworker,
            E::BachelorRelevant,
            15,
            4,
            Some((30, 2032, false)),
        ),
        demo_post(R::Other, E::None, 0, 3, None),
    ]
};

/// Caseworkers a larger service has besides `POSTS`: the second of these per service index,
/// newly qualified, half of them with further education planned.
const EXTRA_POSTS: [DemoPost; 2] = {
    use Education as E;
    use PositionRole as R;
    [
        demo_post(
            R::Caseworker,
            E::BachelorRelevant,
            0,
            1,
            Some((60, 2029, false)),
        ),
        demo_post(R::Caseworker, E::BachelorRelevant, 0, 0, None),
    ]
};

/// At most this many weak areas of a service get a plan, as a service would start.
const PLANNED_AREAS: usize = 3;

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
        let mut services = Vec::new();
        for (s, demo) in SERVICES.iter().enumerate() {
            let municipalities: Vec<String> =
                demo.municipalities.iter().map(|m| m.to_string()).collect();
            let service = store.create_service(demo.name, &municipalities, CLUSTER, now)?;
            let rounds = [
                ("Før samling 1", RoundKind::Before, 0),
                ("Etter programmet", RoundKind::After, 210),
            ];
            let mut made = Vec::new();
            for (label, kind, days) in rounds {
                let held_on = first_gathering + Duration::days(days + s as i64 * 3);
                let round =
                    store.create_round(&service.id, label, held_on, kind, instrument, now)?;
                made.push(round.clone());
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
            plan(store, instrument, demo, &service.id, &made, now)?;
            needs(store, NEEDS[s], s, &made, now)?;
            positions(store, s, &made, now)?;
            services.push((service.id, made));
            crate::pause::here(&format!("demo-service-{}", s + 1));
        }
        cluster(store, &services, now)
    })?;
    Ok(Some(store.counts()?))
}

/// The cluster's record: who runs it, for how long. Roles, never names.
const COUNTY: &str = "Innlandet";
const CENTRE: &str = "RBUP Øst og Sør";
const PROCESS_LEADERS: &str = "Prosessleder og medprosessleder fra RBUP";

/// A gathering of the demo's cluster: the day, the kind, the topics, and which of the
/// service's rounds it holds (`Before`: the round before the programme, held before the
/// first gathering; `After`: the round after it). The last one is planned, after every
/// round, so that the cluster shows its next gathering.
struct DemoGathering {
    on: (i32, u32, u32),
    kind: GatheringKind,
    topics: &'static str,
    rounds: Option<RoundKind>,
}

const GATHERINGS: &[DemoGathering] = &[
    DemoGathering {
        on: (2026, 2, 24),
        kind: GatheringKind::Leaders,
        topics: "Oppstart: resultatene fra kartleggingen, endringsberedskap og hva tjenestene vil oppnå",
        rounds: Some(RoundKind::Before),
    },
    DemoGathering {
        on: (2026, 4, 21),
        kind: GatheringKind::Joint,
        topics: "Undersøkelser og vedtak; barns medvirkning i undersøkelsen",
        rounds: None,
    },
    DemoGathering {
        on: (2026, 6, 9),
        kind: GatheringKind::Digital,
        topics: "Mellomarbeidet: tiltaksplanene og veiledning i teamene",
        rounds: None,
    },
    DemoGathering {
        on: (2026, 8, 25),
        kind: GatheringKind::Joint,
        topics: "Oppsummering av programmet; oppfølging av hjelpetiltak",
        rounds: Some(RoundKind::After),
    },
    DemoGathering {
        on: (2027, 1, 19),
        kind: GatheringKind::Leaders,
        topics: "Veien videre: ny kartlegging og plan for neste år",
        rounds: None,
    },
];

/// Who a service sent to a gathering (leaders, key persons, staff) and how far its work
/// before and after came, as a cluster's year might go: the leaders' gathering for leaders
/// and key persons, the joint one for many, the digital one for the teams. No names.
fn attendance(s: usize, g: usize, kind: GatheringKind) -> (u16, u16, u16) {
    let s = s as u16;
    match kind {
        GatheringKind::Leaders => (1 + s % 2, 1, 0),
        GatheringKind::Joint => (1, 2, 3 + (s * 2 + g as u16) % 5),
        GatheringKind::Digital => (1, 1 + s % 2, 2 + s % 3),
    }
}

/// Pre-work and between-work by service: most done, one service behind now and then.
const WORK: [[YesPartlyNo; 4]; 4] = {
    use YesPartlyNo::{No, Partly, Yes};
    [
        [Yes, Yes, Partly, Yes],
        [Yes, Partly, Yes, Yes],
        [Partly, Yes, Yes, Partly],
        [Yes, No, Partly, Yes],
    ]
};

/// What a process leader might note, neutral and about the work, never about a person.
const NOTES: [&str; 4] = [
    "Forarbeidet ble levert før samlingen.",
    "Mellomarbeidet ble påbegynt, men ikke fullført.",
    "Deltok digitalt på deler av dagen.",
    "Tok opp tiltaksplanen i eget personalmøte etterpå.",
];

/// The demo's cluster as a record, its gatherings (four held, one planned) with attendance from every service at
/// those held, and each service's rounds tied to the gathering they belong to.
fn cluster(
    store: &mut Store,
    services: &[(String, Vec<Round>)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let day = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    let record = store
        .cluster_named(CLUSTER)?
        .ok_or(StoreError::NotFound("cluster"))?;
    let record = store.update_cluster(
        &Cluster {
            county: COUNTY.to_string(),
            centre: CENTRE.to_string(),
            process_leaders: PROCESS_LEADERS.to_string(),
            period_from: Some(day((2026, 2, 1))),
            period_to: Some(day((2027, 1, 31))),
            ..record
        },
        now,
    )?;
    let latest = services
        .iter()
        .flat_map(|(_, rounds)| rounds.iter().map(|r| r.held_on))
        .max();
    for (g, demo) in GATHERINGS.iter().enumerate() {
        let held_on = day(demo.on);
        let gathering = store.add_gathering(&record.id, held_on, demo.kind, demo.topics, now)?;
        // A planned gathering has no one there yet.
        let held = latest.is_some_and(|latest| held_on <= latest);
        for (s, (service_id, rounds)) in services.iter().enumerate() {
            if held {
                let (leaders, key_persons, staff) = attendance(s, g, demo.kind);
                let work = WORK[s % WORK.len()];
                store.put_attendance(
                    &Attendance {
                        gathering_id: gathering.id.clone(),
                        service_id: service_id.clone(),
                        leaders,
                        key_persons,
                        staff,
                        pre_work: Some(work[g % work.len()]),
                        between_work: Some(work[(g + 1) % work.len()]),
                        note: if (s + g) % 3 == 0 {
                            NOTES[(s + g) % NOTES.len()].to_string()
                        } else {
                            String::new()
                        },
                    },
                    now,
                )?;
            }
            for round in rounds.iter().filter(|r| Some(r.kind) == demo.rounds) {
                store.tie_round(&round.id, Some(&gathering.id), now)?;
            }
        }
    }
    Ok(())
}

/// The service's plan from what its numbers show: plans for the weakest areas of its latest
/// round, goals for them and for the area that rose most, a stage at each round, and the
/// consensus of its first gathering (the first round).
fn plan(
    store: &mut Store,
    instrument: &Instrument,
    demo: &DemoService,
    service_id: &str,
    rounds: &[Round],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (Some(first), Some(latest)) = (rounds.first(), rounds.last()) else {
        return Ok(());
    };
    let ids: Vec<&str> = rounds.iter().map(|r| r.id.as_str()).collect();
    let scores = store.round_scores(instrument, &ids, Options::default())?;
    let (Some(before), Some(after)) = (scores.first(), scores.last()) else {
        return Ok(());
    };
    let weak = weakest(&after.sections);
    for (i, key) in weak.iter().enumerate() {
        let Some(area) = AREAS.iter().find(|a| a.key == key) else {
            continue;
        };
        let item = |kind, text: &str, level, owner: &str| PlanItem {
            id: String::new(),
            service_id: service_id.to_string(),
            subdomain_key: key.clone(),
            kind,
            text: text.to_string(),
            level,
            owner: owner.to_string(),
            due_on: None,
            done: false,
            done_on: None,
        };
        let (barrier, level) = area.barrier;
        store.add_plan_item(&item(PlanKind::Barrier, barrier, Some(level), ""), now)?;
        store.add_plan_item(&item(PlanKind::Strategy, area.strategy, None, ""), now)?;
        // The first measure was done between the rounds; the second is still open.
        let [(done, done_owner), (open, open_owner)] = area.measures;
        let due = first.held_on + Duration::days(60);
        store.add_plan_item(
            &PlanItem {
                due_on: Some(due),
                done: true,
                done_on: Some(due - Duration::days(5 * i as i64 + 3)),
                ..item(PlanKind::Measure, done, None, done_owner)
            },
            now,
        )?;
        store.add_plan_item(
            &PlanItem {
                due_on: Some(latest.held_on + Duration::days(30 * (i as i64 + 2))),
                ..item(PlanKind::Measure, open, None, open_owner)
            },
            now,
        )?;
    }
    // Goals for the two weakest areas, only partly reached; and one for the area that rose
    // most, reached if it is now in place.
    let mut goals: Vec<(String, GoalStatus)> = weak
        .iter()
        .take(2)
        .map(|key| (key.clone(), GoalStatus::Partly))
        .collect();
    if let Some((key, band)) = most_risen(&before.sections, &after.sections)
        && !goals.iter().any(|(k, _)| *k == key)
    {
        let status = match band {
            Some(Band::InPlace) => GoalStatus::Achieved,
            _ => GoalStatus::Partly,
        };
        goals.push((key, status));
    }
    for (key, status) in goals {
        let Some(area) = AREAS.iter().find(|a| a.key == key) else {
            continue;
        };
        let goal = store.add_goal(service_id, area.goal, std::slice::from_ref(&key), now)?;
        store.set_goal_status(&goal.id, &first.id, Some(GoalStatus::Not), now)?;
        store.set_goal_status(&goal.id, &latest.id, Some(status), now)?;
    }
    // A service that starts low starts at the agenda; the programme moves it two or three steps.
    let start = usize::from(demo.start >= 0.5);
    let steps = if demo.lift >= 0.15 { 3 } else { 2 };
    for (round, stage) in [(first, start), (latest, start + steps)] {
        let stage = Stage::ALL[stage.min(Stage::ALL.len() - 1)];
        store.set_round_stage(&round.id, Some(stage), now)?;
    }
    // At the first gathering the group settles on the scale point nearest its own score.
    for section in &before.sections {
        for sub in &section.subdomains {
            let key = format!("{}.{}", section.key, sub.key);
            let (Some(percent), Some(found)) = (sub.tally.percent(), instrument.subdomain(&key))
            else {
                continue;
            };
            let (min, max) = (found.scale.min(), found.scale.max());
            let value = min + round(percent / 100.0 * f64::from(max - min), 0) as u8;
            store.set_consensus(&first.id, &key, Some(value), now)?;
        }
    }
    Ok(())
}

/// The service's needs in each round (mastery one point up after the programme where it
/// was a top priority), and its expectations and facts in the first round.
fn needs(
    store: &mut Store,
    needs: &[DemoNeed],
    index: usize,
    rounds: &[Round],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for (r, round) in rounds.iter().enumerate() {
        for need in needs {
            let lift = u8::from(r > 0 && need.top_three);
            let changes = [
                NeedField::Mastery(Some((need.mastery + lift).min(5))),
                NeedField::Importance(Some(need.importance)),
                NeedField::TopThree(need.top_three),
                NeedField::Who(Some(need.who)),
                NeedField::Missing(need.missing.to_string()),
            ];
            for change in &changes {
                store.set_need(&round.id, need.area, change, now)?;
            }
        }
    }
    let Some(first) = rounds.first() else {
        return Ok(());
    };
    let (knows_why, own_wish) = match index {
        0 => (YesPartlyNo::Yes, YesPartlyNo::Yes),
        3 => (YesPartlyNo::Partly, YesPartlyNo::No),
        _ => (YesPartlyNo::Yes, YesPartlyNo::Partly),
    };
    let expectations = Expectations {
        wants: vec![
            Expectation::NewKnowledge,
            Expectation::Methods,
            Expectation::Exchange,
        ],
        text: "Verktøy vi kan bruke i egne saker fra dag én.".to_string(),
        knows_why: Some(knows_why),
        own_wish: Some(own_wish),
    };
    store.set_expectations(&first.id, &expectations, now)?;
    let size = 6 + 4 * index as u32;
    let facts = Facts {
        ftes: Some(f64::from(size) + 0.5),
        vacancies: Some(index as u32 % 3),
        turnover: Some(1 + index as u32),
        newly_qualified: Some(20.0 + 10.0 * index as f64),
        deadline_breaches: Some(size / 2),
        complaints: Some(index as u32),
        emergency_cases: Some(2 + index as u32),
    };
    store.set_facts(&first.id, &facts, now)
}

/// The service's posts in each round (`POSTS`, and one of `EXTRA_POSTS` more per service
/// index); in the rounds after the first, the education planned to be done by then is done.
fn positions(
    store: &mut Store,
    index: usize,
    rounds: &[Round],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let extra = (0..index).map(|i| &EXTRA_POSTS[i % EXTRA_POSTS.len()]);
    // The office post last, after the caseworkers, as a service would list its posts.
    let (office, covered) = POSTS.split_last().expect("the demo has posts");
    let posts: Vec<&DemoPost> = covered.iter().chain(extra).chain([office]).collect();
    for (r, round) in rounds.iter().enumerate() {
        for post in &posts {
            let (planned_credits, planned_year, done) = match post.planned {
                Some((credits, year, done_after)) => (credits, Some(year), r > 0 && done_after),
                None => (0, None, false),
            };
            let facts = PositionFacts {
                role: post.role,
                education: post.education,
                // Done: its credits are taken, and nothing is planned any more.
                credits: post.credits + if done { planned_credits } else { 0 },
                years: post.years,
                planned_credits: if done { 0 } else { planned_credits },
                planned_year: planned_year.filter(|_| !done),
            };
            store.add_position(&round.id, &facts, now)?;
        }
    }
    Ok(())
}

/// The weakest areas not yet in place, at most `PLANNED_AREAS`: those the summary marks for a
/// plan (a priority, or much "don't know") first, then the lowest scores. A demo service that
/// has lifted every area above a priority still plans for its weakest.
fn weakest(sections: &[SectionScore]) -> Vec<String> {
    let mut weak: Vec<(bool, f64, String)> = sections
        .iter()
        .flat_map(|section| {
            section
                .subdomains
                .iter()
                .filter(|sub| sub.tally.wants_plan() || sub.tally.band() != Some(Band::InPlace))
                .map(|sub| {
                    let percent = sub.tally.exact_percent().unwrap_or(0.0);
                    let key = format!("{}.{}", section.key, sub.key);
                    (!sub.tally.wants_plan(), percent, key)
                })
        })
        .collect();
    weak.sort_by(|a, b| {
        (a.0.cmp(&b.0))
            .then_with(|| a.1.total_cmp(&b.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    weak.into_iter()
        .take(PLANNED_AREAS)
        .map(|(_, _, key)| key)
        .collect()
}

/// The area whose score rose most from the first round to the latest, with its band now.
fn most_risen(before: &[SectionScore], after: &[SectionScore]) -> Option<(String, Option<Band>)> {
    let mut best: Option<(f64, String, Option<Band>)> = None;
    for (b, a) in before.iter().zip(after) {
        for (bs, as_) in b.subdomains.iter().zip(&a.subdomains) {
            let (Some(from), Some(to)) = (bs.tally.percent(), as_.tally.percent()) else {
                continue;
            };
            if best.as_ref().is_none_or(|(rise, _, _)| to - from > *rise) {
                best = Some((
                    to - from,
                    format!("{}.{}", a.key, as_.key),
                    as_.tally.band(),
                ));
            }
        }
    }
    best.map(|(_, key, band)| (key, band))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subdomain_of_the_instrument_has_a_plan_and_no_other() {
        let mut keys = Instrument::standard().subdomain_keys();
        let mut planned: Vec<String> = AREAS.iter().map(|a| a.key.to_string()).collect();
        keys.sort();
        planned.sort();
        assert_eq!(planned, keys);
        for area in AREAS {
            for text in [area.barrier.0, area.strategy, area.goal]
                .into_iter()
                .chain(area.measures.iter().map(|m| m.0))
            {
                assert_eq!(
                    crate::domain::plan::validate_plan_text(text).as_deref(),
                    Ok(text),
                    "{}",
                    area.key
                );
            }
        }
    }
}
