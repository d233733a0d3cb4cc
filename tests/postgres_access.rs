//! Who sees what on a server, held by the server (row-level security), checked as each
//! role itself: logged in with its own password over the throwaway server's socket, with
//! plain SQL as well as through kartlegg's own store. A consultant reaches the services of
//! their clusters, a leader their service, a respondent their own answers, and nothing else.

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use kartlegg::domain::compare::Options;
use kartlegg::domain::instrument::{Asked, Instrument};
use kartlegg::domain::model::{Response, Role, RoundKind};
use kartlegg::domain::plan::{PlanItem, PlanKind};
use kartlegg::domain::scoring::{Answering, summarize};
use kartlegg::store::postgres::PgStore;
use kartlegg::store::postgres::access::Grant;
use kartlegg::store::{Answers, Erasable, Erase, ErasedBy, Plans, Scores, StoreError};

use common::postgres::{Database, server};

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 10, minute, 0).unwrap()
}

/// One service's round with two respondents, each with an answer.
struct Walks {
    service: String,
    round: String,
    respondents: [String; 2],
}

/// A region: services `a` and `b` in "Klynge 1", `c` in "Klynge 2".
struct Region {
    db: Database,
    owner: PgStore,
    a: Walks,
    b: Walks,
    c: Walks,
}

fn first_items(n: usize) -> Vec<String> {
    Instrument::standard()
        .sections
        .iter()
        .flat_map(|s| s.subdomains.iter().flat_map(|d| d.items.iter()))
        .take(n)
        .map(|i| i.key.clone())
        .collect()
}

fn walks(store: &mut PgStore, name: &str, cluster: &str) -> Walks {
    let service = store.create_service(name, &[], cluster, at(0)).unwrap();
    let round = store
        .create_round(
            &service.id,
            "Før første samling",
            NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            RoundKind::Before,
            Instrument::standard(),
            at(1),
        )
        .unwrap();
    let mut respondents = Vec::new();
    for role in [Role::Leader, Role::Staff] {
        let who = store.create_respondent(&round.id, role, "", at(2)).unwrap();
        for item in first_items(3) {
            store
                .save_response(&who.id, &item, Some(Response::Score(2)), at(3))
                .unwrap();
        }
        respondents.push(who.id);
    }
    Walks {
        service: service.id,
        round: round.id,
        respondents: respondents.try_into().unwrap(),
    }
}

fn region() -> Region {
    let db = common::postgres::database();
    let mut owner = PgStore::init(&db.url).unwrap();
    let a = walks(&mut owner, "Askdal", "Klynge 1");
    let b = walks(&mut owner, "Bergvik", "Klynge 1");
    let c = walks(&mut owner, "Cedervik", "Klynge 2");
    Region { db, owner, a, b, c }
}

impl Region {
    fn cluster_id(&self, name: &str) -> String {
        server()
            .sql(
                &self.db.name,
                &format!("SELECT id FROM cluster WHERE name = '{name}'"),
            )
            .unwrap()[0]
            .get(0)
    }

    /// A role name of this test's own: roles are the server's, shared by every database.
    fn role(&self, name: &str) -> String {
        format!("{name}_{}", self.db.name)
    }

    /// A login role made with `password` and given `grant`.
    fn login(&mut self, grant: Grant, password: &str) {
        self.owner.create_login(grant.role(), password).unwrap();
        self.owner.grant(&grant, at(5)).unwrap();
    }

    fn url(&self, role: &str, password: &str) -> String {
        server().url_with_password(role, password, &self.db.name)
    }

    /// Plain SQL as the role, logged in with its password.
    fn as_role(&self, role: &str, password: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(role, password), postgres::NoTls)
            .expect("the role logs in with its password")
    }
}

fn ids(client: &mut postgres::Client, sql: &str) -> BTreeSet<String> {
    client
        .query(sql, &[])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

fn set<'a>(items: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    items.into_iter().cloned().collect()
}

fn refused_for_rights(e: postgres::Error) {
    assert_eq!(
        e.code(),
        Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
        "{e}"
    );
}

#[test]
fn a_consultant_reads_the_services_of_their_clusters_and_nothing_outside() {
    let mut region = region();
    let role = region.role("anna");
    let cluster = region.cluster_id("Klynge 1");
    region.login(
        Grant::Consultant {
            role: role.clone(),
            cluster,
        },
        "anna-secret",
    );
    let mut sql = region.as_role(&role, "anna-secret");
    let (a, b, c) = (&region.a, &region.b, &region.c);

    assert_eq!(
        ids(&mut sql, "SELECT id FROM service"),
        set([&a.service, &b.service])
    );
    assert_eq!(
        ids(&mut sql, "SELECT id FROM round"),
        set([&a.round, &b.round])
    );
    let theirs = set(a.respondents.iter().chain(&b.respondents));
    assert_eq!(ids(&mut sql, "SELECT id FROM respondent"), theirs);
    assert_eq!(
        ids(&mut sql, "SELECT DISTINCT respondent_id FROM answer"),
        theirs
    );
    assert_eq!(
        ids(
            &mut sql,
            "SELECT DISTINCT respondent_id FROM answer_history"
        ),
        theirs
    );
    assert_eq!(
        ids(
            &mut sql,
            "SELECT DISTINCT respondent_id FROM respondent_score"
        ),
        theirs
    );
    assert_eq!(
        ids(&mut sql, "SELECT DISTINCT round_id FROM round_score"),
        set([&a.round, &b.round])
    );
    assert_eq!(
        ids(&mut sql, "SELECT name FROM cluster"),
        set([&"Klynge 1".to_string()])
    );
    // Named outright, the service outside is not there for them, and cannot be changed.
    let outside = sql
        .query(
            "SELECT 1 FROM answer WHERE respondent_id = $1",
            &[&c.respondents[0]],
        )
        .unwrap();
    assert!(outside.is_empty());
    let changed = sql
        .execute(
            "UPDATE service SET name = 'Annet' WHERE id = $1",
            &[&c.service],
        )
        .unwrap();
    assert_eq!(changed, 0);
    let into_outside = sql
        .execute(
            "INSERT INTO round (id, service_id, label, held_on, kind, instrument_key,
                                instrument_version, created_at)
             VALUES ('r-x', $1, 'x', '2026-03-09', 'before', 'k', '1', 'now')",
            &[&c.service],
        )
        .unwrap_err();
    refused_for_rights(into_outside);
    // Who has which duty is the owner's to read; the lookups say nothing of another role.
    refused_for_rights(sql.query("SELECT * FROM kartlegg_access", &[]).unwrap_err());
    let about_owner: bool = sql
        .query_one(
            "SELECT kartlegg_keeps_service($1, $2)",
            &[&a.service, &common::postgres::SUPERUSER],
        )
        .unwrap()
        .get(0);
    assert!(!about_owner);
}

#[test]
fn a_duty_logs_in_with_its_password_alone() {
    let mut region = region();
    let role = region.role("berit");
    let service = region.b.service.clone();
    region.login(
        Grant::Leader {
            role: role.clone(),
            service,
        },
        "right",
    );
    assert!(postgres::Client::connect(&region.url(&role, "wrong"), postgres::NoTls).is_err());
    assert!(postgres::Client::connect(&region.url(&role, "right"), postgres::NoTls).is_ok());
}

#[test]
fn a_leader_sees_their_own_service_only_and_reads_its_cluster() {
    let mut region = region();
    let role = region.role("berit");
    let service = region.b.service.clone();
    region.login(
        Grant::Leader {
            role: role.clone(),
            service,
        },
        "berit-secret",
    );
    let mut sql = region.as_role(&role, "berit-secret");
    let b = &region.b;
    assert_eq!(ids(&mut sql, "SELECT id FROM service"), set([&b.service]));
    assert_eq!(ids(&mut sql, "SELECT id FROM round"), set([&b.round]));
    assert_eq!(
        ids(&mut sql, "SELECT DISTINCT respondent_id FROM answer"),
        set(&b.respondents)
    );
    assert_eq!(
        ids(&mut sql, "SELECT name FROM cluster"),
        set([&"Klynge 1".to_string()])
    );
    // The cluster's record is the consultants'.
    refused_for_rights(
        sql.execute("UPDATE cluster SET county = 'Agder'", &[])
            .unwrap_err(),
    );
    // Their own service they change.
    let changed = sql
        .execute(
            "UPDATE service SET name = 'Bergvik bvt' WHERE id = $1",
            &[&b.service],
        )
        .unwrap();
    assert_eq!(changed, 1);
}

#[test]
fn a_respondents_role_reaches_their_own_answers_and_no_other_walk() {
    let mut region = region();
    let role = region.role("resp");
    let own = region.a.respondents[0].clone();
    let other = region.a.respondents[1].clone();
    region.login(
        Grant::Respondent {
            role: role.clone(),
            respondent: own.clone(),
        },
        "K7Q2M9",
    );
    let mut sql = region.as_role(&role, "K7Q2M9");
    assert_eq!(ids(&mut sql, "SELECT id FROM respondent"), set([&own]));
    assert_eq!(
        ids(&mut sql, "SELECT DISTINCT respondent_id FROM answer"),
        set([&own])
    );
    assert_eq!(
        ids(&mut sql, "SELECT id FROM round"),
        set([&region.a.round])
    );
    assert_eq!(
        ids(&mut sql, "SELECT id FROM service"),
        set([&region.a.service])
    );
    // Another's answers: not there to read, not there to change, not to be added to.
    let item = &first_items(1)[0];
    assert_eq!(
        sql.execute(
            "UPDATE answer SET value = 0 WHERE respondent_id = $1",
            &[&other]
        )
        .unwrap(),
        0
    );
    refused_for_rights(
        sql.execute(
            "INSERT INTO answer (id, respondent_id, item_key, value, updated_at)
             VALUES ('x', $1, $2, 1, 'now')",
            &[&other, &format!("{item}.x")],
        )
        .unwrap_err(),
    );
    // A round's sums are made of everyone's answers: not the respondent's to read.
    refused_for_rights(sql.query("SELECT * FROM round_score", &[]).unwrap_err());
    refused_for_rights(sql.query("SELECT * FROM plan_item", &[]).unwrap_err());

    // Through the program: their own answer saved, the round's kept sums still everyone's.
    let mut theirs = PgStore::open(&region.url(&role, "K7Q2M9")).unwrap();
    let items = first_items(4);
    theirs
        .save_response(&own, &items[3], Some(Response::Score(1)), at(9))
        .unwrap();
    match theirs.save_response(&other, &items[3], Some(Response::Score(1)), at(9)) {
        Err(StoreError::NotFound("respondent")) => {}
        other => panic!("another's walk opened: {other:?}"),
    }
    let instrument = Instrument::standard();
    let kept = region
        .owner
        .round_scores(instrument, &[&region.a.round], Options::default())
        .unwrap();
    let answers = region.owner.round_answers(&region.a.round).unwrap();
    assert_eq!(answers.len(), 2);
    assert_eq!(
        answers.iter().map(|(_, set)| set.len()).sum::<usize>(),
        7,
        "three answers each, and the respondent's fourth"
    );
    let answering: Vec<Answering> = answers
        .iter()
        .map(|(who, set)| (Asked::new(RoundKind::Before, who.role), set))
        .collect();
    assert_eq!(kept[0].sections, summarize(instrument, &answering));
}

#[test]
fn the_programs_store_as_a_consultant_lists_their_clusters_and_refuses_a_write_outside() {
    let mut region = region();
    let role = region.role("carl");
    let cluster = region.cluster_id("Klynge 1");
    region.login(
        Grant::Consultant {
            role: role.clone(),
            cluster,
        },
        "carl-secret",
    );
    let mut store = PgStore::open(&region.url(&role, "carl-secret")).unwrap();
    let listed: BTreeSet<String> = store
        .services()
        .unwrap()
        .into_iter()
        .map(|s| s.service.id)
        .collect();
    assert_eq!(listed, set([&region.a.service, &region.b.service]));
    assert!(matches!(
        store.service(&region.c.service),
        Err(StoreError::NotFound("service"))
    ));
    let outside = store.create_round(
        &region.c.service,
        "Etter",
        NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
        RoundKind::After,
        Instrument::standard(),
        at(10),
    );
    assert!(
        matches!(outside, Err(StoreError::NotPermitted(_))),
        "{outside:?}"
    );
    assert!(matches!(
        store.create_service("Dalen", &[], "Klynge 2", at(10)),
        Err(StoreError::NotPermitted(_))
    ));
    // Inside their cluster they work as anyone does.
    let made = store
        .create_service("Dalen", &[], "Klynge 1", at(10))
        .unwrap();
    let round = store
        .create_round(
            &made.id,
            "Før",
            NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            RoundKind::Before,
            Instrument::standard(),
            at(11),
        )
        .unwrap();
    let who = store
        .create_respondent(&round.id, Role::Leader, "", at(12))
        .unwrap();
    store
        .save_response(
            &who.id,
            &first_items(1)[0],
            Some(Response::Score(3)),
            at(13),
        )
        .unwrap();
    let scores = store
        .round_scores(
            Instrument::standard(),
            &[&region.a.round, &region.c.round],
            Options::default(),
        )
        .unwrap();
    assert_eq!(scores[0].respondents, 2);
    assert_eq!(scores[1].respondents, 0, "nothing of the service outside");
}

#[test]
fn duties_are_listed_revoked_and_refused_for_what_is_not_there() {
    let mut region = region();
    let role = region.role("dina");
    let cluster = region.cluster_id("Klynge 1");
    let grant = Grant::Consultant {
        role: role.clone(),
        cluster,
    };
    region.login(grant.clone(), "dina-secret");
    let leader = Grant::Leader {
        role: role.clone(),
        service: region.c.service.clone(),
    };
    region.owner.grant(&leader, at(6)).unwrap();
    // Granted twice, kept once.
    region.owner.grant(&leader, at(7)).unwrap();
    let listed = region.owner.grants().unwrap();
    let shown: Vec<(&Grant, &str)> = listed
        .iter()
        .map(|g| (&g.grant, g.target_name.as_str()))
        .collect();
    assert_eq!(shown, [(&grant, "Klynge 1"), (&leader, "Cedervik")]);

    assert!(region.owner.revoke(&grant).unwrap());
    assert!(!region.owner.revoke(&grant).unwrap());
    let mut sql = region.as_role(&role, "dina-secret");
    assert_eq!(
        ids(&mut sql, "SELECT id FROM service"),
        set([&region.c.service])
    );

    assert!(matches!(
        region.owner.create_login(&role, "again"),
        Err(StoreError::RoleTaken(_))
    ));
    assert!(matches!(
        region
            .owner
            .create_login("Robert'); DROP TABLE service; --", "x"),
        Err(StoreError::BadRoleName(_))
    ));
    assert!(matches!(
        region.owner.grant(
            &Grant::Leader {
                role: region.role("nobody"),
                service: region.a.service.clone()
            },
            at(8)
        ),
        Err(StoreError::NotFound("role"))
    ));
    assert!(matches!(
        region.owner.grant(
            &Grant::Consultant {
                role: role.clone(),
                cluster: "no-such-cluster".into()
            },
            at(8)
        ),
        Err(StoreError::NotFound("cluster"))
    ));
}

#[test]
fn erasing_is_the_owners_and_takes_the_duties_of_what_is_erased() {
    let mut region = region();
    let consultant = region.role("eva");
    let cluster = region.cluster_id("Klynge 1");
    region.login(
        Grant::Consultant {
            role: consultant.clone(),
            cluster,
        },
        "eva-secret",
    );
    let respondent = region.role("resp");
    let own = region.a.respondents[0].clone();
    region.login(
        Grant::Respondent {
            role: respondent.clone(),
            respondent: own.clone(),
        },
        "R4T8W2",
    );
    // The consultant's erasure is refused whole: nothing is gone.
    let mut theirs = PgStore::open(&region.url(&consultant, "eva-secret")).unwrap();
    let refused = theirs.erase(
        &[Erasable::Respondent(own.clone())],
        ErasedBy::Command,
        at(20),
    );
    assert!(
        matches!(refused, Err(StoreError::NotPermitted(_))),
        "{refused:?}"
    );
    assert!(region.owner.respondent(&own).unwrap().is_some());

    region
        .owner
        .erase(&[Erasable::Respondent(own)], ErasedBy::Command, at(21))
        .unwrap();
    let roles: Vec<String> = region
        .owner
        .grants()
        .unwrap()
        .into_iter()
        .map(|g| g.grant.role().to_string())
        .collect();
    assert_eq!(roles, [consultant]);
    region.owner.drop_login(&respondent).unwrap();
    assert!(
        postgres::Client::connect(&region.url(&respondent, "R4T8W2"), postgres::NoTls).is_err()
    );
}

#[test]
fn a_consultant_reads_the_change_log_of_their_services_only() {
    let mut region = region();
    let role = region.role("finn");
    let cluster = region.cluster_id("Klynge 1");
    region.login(
        Grant::Consultant {
            role: role.clone(),
            cluster,
        },
        "finn-secret",
    );
    let subdomain = {
        let section = &Instrument::standard().sections[0];
        format!("{}.{}", section.key, section.subdomains[0].key)
    };
    for (service, text) in [
        (&region.a.service, "Inside"),
        (&region.c.service, "Outside"),
    ] {
        let mut item = PlanItem::new(service, &subdomain, PlanKind::Measure);
        item.text = text.to_string();
        region.owner.add_plan_item(&item, at(30)).unwrap();
    }
    let mut sql = region.as_role(&role, "finn-secret");
    let logged: Vec<String> = sql
        .query(
            "SELECT new_json FROM change_log WHERE entity = 'plan_item'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(logged.len(), 1);
    assert!(logged[0].contains("Inside"), "{logged:?}");
}
