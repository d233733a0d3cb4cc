//! Erasure on the server, as SQLite's (`store::sqlite::erase`): a thing goes with everything
//! that refers to it, the history of its answers and its change log too, in one transaction
//! after its tombstone (`erased`), which alone lets the append-only rules (`rules.sql`) give
//! that history up. What goes is collected by the shared `store::doomed`.
//!
//! SQLite's overwriting of freed pages and emptying of its log have no twin here: the server
//! keeps its own files, and its vacuum and WAL recycling are its administrator's.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use postgres::{Client, GenericClient};

use super::answers::round_from;
use super::{PgStore, kept};
use crate::store::doomed::{Doomed, Held, Reach, held_sql};
use crate::store::{AgedRound, Erasable, Erase, ErasedBy, Erasure, Result, Tombstone, timestamp};

/// What the server tells the shared collection.
struct Rows<'a, C: GenericClient>(&'a mut C);

impl<C: GenericClient> Reach for Rows<'_, C> {
    fn exists(&mut self, table: &'static str, id: &str) -> Result<bool> {
        Ok(self
            .0
            .query_opt(&format!("SELECT 1 FROM {table} WHERE id = $1"), &[&id])?
            .is_some())
    }

    fn held(&mut self, held: Held, parent: &str) -> Result<Vec<String>> {
        // In the order they were added, as SQLite gives them.
        let sql = format!("{} ORDER BY rowid", held_sql(held).replace("?1", "$1"));
        let rows = self.0.query(&sql, &[&parent])?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }
}

fn collect(client: &mut impl GenericClient, targets: &[Erasable]) -> Result<Doomed> {
    Doomed::collect(&mut Rows(client), targets)
}

fn count(doomed: &Doomed, client: &mut impl GenericClient) -> Result<Erasure> {
    let answers: i64 = client
        .query_one(
            "SELECT count(*) FROM answer
             WHERE respondent_id = ANY($1) AND (value IS NOT NULL OR missing IS NOT NULL)",
            &[&doomed.respondents],
        )?
        .get(0);
    // An attendance goes with its service or its gathering: counted once.
    let attendances: i64 = client
        .query_one(
            "SELECT count(*) FROM attendance
             WHERE service_id = ANY($1) OR gathering_id = ANY($2)",
            &[&doomed.services, &doomed.gatherings],
        )?
        .get(0);
    Ok(doomed.erasure(answers as usize, attendances as usize))
}

/// Writes the tombstones, then removes everything, children before their parents.
fn remove(
    doomed: &Doomed,
    client: &mut impl GenericClient,
    by: ErasedBy,
    now: DateTime<Utc>,
) -> Result<()> {
    let at = timestamp(now);
    for (kind, list) in doomed.by_kind() {
        for id in list {
            client.execute(
                "INSERT INTO erased (id, kind, erased_at, erased_by) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
                &[id, &kind, &at, &by.code()],
            )?;
        }
    }
    // A duty names what it reaches (`access`): an erased service or respondent takes its
    // duties with it.
    client.execute(
        "DELETE FROM kartlegg_access WHERE target = ANY($1) OR target = ANY($2)",
        &[&doomed.services, &doomed.respondents],
    )?;
    // The rounds that keep their other respondents are summed again afterwards.
    let mut resum = BTreeSet::new();
    for respondent in &doomed.respondents {
        let round: String = client
            .query_one(
                "SELECT round_id FROM respondent WHERE id = $1",
                &[respondent],
            )?
            .get(0);
        if !doomed.seen.contains(&round) {
            resum.insert(round);
        }
        run(client, RESPONDENT, respondent)?;
    }
    for round in &doomed.rounds {
        run(client, ROUND, round)?;
    }
    for gathering in &doomed.gatherings {
        // The rounds tied to it stay, let go (logged as any untying is).
        client.execute(
            "INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
             SELECT 'round_gathering', id, to_json(gathering_id)::text, NULL, $2
             FROM round WHERE gathering_id = $1 ORDER BY rowid",
            &[gathering, &at],
        )?;
        run(client, GATHERING, gathering)?;
    }
    for goal in &doomed.goals {
        run(client, GOAL, goal)?;
    }
    for item in &doomed.plan_items {
        run(client, PLAN_ITEM, item)?;
    }
    for service in &doomed.services {
        run(client, SERVICE, service)?;
    }
    for round in resum {
        kept::sum_round(client, &round, None)?;
    }
    Ok(())
}

// Each with $1 the thing's id, as SQLite's: the change log's keys are `id`,
// `goal_id/round_id` or `round_id/subdomain_key` (`round_id/position_id` alike), compared
// by their ends, not with LIKE, whose wildcards an id may hold.
const RESPONDENT: &[&str] = &[
    "DELETE FROM answer_history WHERE respondent_id = $1",
    "DELETE FROM answer WHERE respondent_id = $1",
    "DELETE FROM respondent_score WHERE respondent_id = $1",
    // Their code goes too: it can make no one anew.
    "DELETE FROM invite WHERE respondent_id = $1",
    "DELETE FROM respondent WHERE id = $1",
];
const ROUND: &[&str] = &[
    "DELETE FROM round_score WHERE round_id = $1",
    "DELETE FROM consensus WHERE round_id = $1",
    "DELETE FROM round_stage WHERE round_id = $1",
    "DELETE FROM goal_status WHERE round_id = $1",
    "DELETE FROM position WHERE round_id = $1",
    // Codes not used yet: a used one went with its respondent.
    "DELETE FROM invite WHERE round_id = $1",
    "DELETE FROM need WHERE round_id = $1",
    "DELETE FROM expectations WHERE round_id = $1",
    "DELETE FROM service_facts WHERE round_id = $1",
    "DELETE FROM change_log WHERE (entity IN ('round_stage', 'expectations', 'service_facts',
                                              'round_gathering')
                                   AND entity_key = $1::text)
        OR (entity IN ('consensus', 'need', 'position')
            AND left(entity_key, length($1) + 1) = $1 || '/')
        OR (entity = 'goal_status' AND right(entity_key, length($1) + 1) = '/' || $1)",
    "DELETE FROM round WHERE id = $1",
];
const GOAL: &[&str] = &[
    "DELETE FROM goal_status WHERE goal_id = $1",
    "DELETE FROM change_log WHERE (entity = 'goal' AND entity_key = $1::text)
        OR (entity = 'goal_status' AND left(entity_key, length($1) + 1) = $1 || '/')",
    "DELETE FROM goal WHERE id = $1",
];
const PLAN_ITEM: &[&str] = &[
    "DELETE FROM change_log WHERE entity = 'plan_item' AND entity_key = $1",
    "DELETE FROM plan_item WHERE id = $1",
];
const GATHERING: &[&str] = &[
    "UPDATE round SET gathering_id = NULL WHERE gathering_id = $1",
    "DELETE FROM attendance WHERE gathering_id = $1",
    "DELETE FROM change_log WHERE (entity = 'gathering' AND entity_key = $1::text)
        OR (entity = 'attendance' AND left(entity_key, length($1) + 1) = $1 || '/')",
    "DELETE FROM gathering WHERE id = $1",
];
const SERVICE: &[&str] = &[
    // Its own areas: their needs went with its rounds.
    "DELETE FROM change_log
        WHERE entity = 'own_area' AND left(entity_key, length($1::text) + 1) = $1 || '/'",
    "DELETE FROM own_area WHERE service_id = $1",
    // Who came from it to its cluster's gatherings; the gatherings stay.
    "DELETE FROM change_log
        WHERE entity = 'attendance' AND right(entity_key, length($1::text) + 1) = '/' || $1",
    "DELETE FROM attendance WHERE service_id = $1",
    "DELETE FROM service WHERE id = $1",
];

fn run(client: &mut impl GenericClient, statements: &[&str], id: &str) -> Result<()> {
    for sql in statements {
        client.execute(*sql, &[&id])?;
    }
    Ok(())
}

impl PgStore {
    /// Erases what `find` finds in the write's own transaction, all or nothing.
    fn erase_found(
        &mut self,
        find: impl FnOnce(&mut Client) -> Result<Vec<Erasable>>,
        by: ErasedBy,
        now: DateTime<Utc>,
    ) -> Result<Erasure> {
        self.write(|tx| {
            let targets = find(tx)?;
            let doomed = collect(tx, &targets)?;
            let erasure = count(&doomed, tx)?;
            remove(&doomed, tx, by, now)?;
            // For the test that kills kartlegg here: nothing of it may be left.
            crate::pause::here("erase:removed");
            Ok(erasure)
        })
    }
}

/// The rounds whose last answer (or, without answers, whose day) is before `date`.
fn aged(client: &mut impl GenericClient, date: NaiveDate) -> Result<Vec<AgedRound>> {
    let rows = client.query(
        "SELECT r.id, r.service_id, r.label, r.held_on, r.kind, r.instrument_key,
                r.instrument_version, s.name,
                coalesce((SELECT substr(max(a.updated_at), 1, 10)
                            FROM respondent p JOIN answer a ON a.respondent_id = p.id
                           WHERE p.round_id = r.id), r.held_on),
                (SELECT count(*) FROM respondent p WHERE p.round_id = r.id)
         FROM round r JOIN service s ON s.id = r.service_id
         ORDER BY s.name COLLATE nocase, r.held_on, r.created_at, r.rowid",
        &[],
    )?;
    let mut aged = Vec::new();
    for row in &rows {
        let round = round_from(row)?;
        let last: &str = row.get(8);
        let last_answer: NaiveDate = last.parse().unwrap_or(round.held_on);
        if last_answer < date {
            aged.push(AgedRound {
                round,
                service_name: row.get(7),
                last_answer,
                respondents: row.get::<_, i64>(9) as usize,
            });
        }
    }
    Ok(aged)
}

impl Erase for PgStore {
    fn erasure(&self, targets: &[Erasable]) -> Result<Erasure> {
        // One snapshot, so that the counts agree with each other.
        self.read(|tx| {
            let doomed = collect(tx, targets)?;
            count(&doomed, tx)
        })
    }

    fn erase(&mut self, targets: &[Erasable], by: ErasedBy, now: DateTime<Utc>) -> Result<Erasure> {
        self.erase_found(|_| Ok(targets.to_vec()), by, now)
    }

    fn rounds_last_answered_before(&self, date: NaiveDate) -> Result<Vec<AgedRound>> {
        self.read(|tx| aged(tx, date))
    }

    fn erase_rounds_last_answered_before(
        &mut self,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(Vec<AgedRound>, Erasure)> {
        // Found in the erasure's own transaction: an answer saved meanwhile keeps its round.
        let mut found = Vec::new();
        let erasure = self.erase_found(
            |tx| {
                found = aged(tx, date)?;
                Ok(found
                    .iter()
                    .map(|a| Erasable::Round(a.round.id.clone()))
                    .collect())
            },
            ErasedBy::Retention,
            now,
        )?;
        Ok((found, erasure))
    }

    fn tombstones(&self) -> Result<Vec<Tombstone>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT kind, id, erased_at, erased_by FROM erased ORDER BY erased_at, rowid",
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|r| Tombstone {
                    kind: r.get(0),
                    id: r.get(1),
                    erased_at: r.get(2),
                    erased_by: r.get(3),
                })
                .collect())
        })
    }
}
