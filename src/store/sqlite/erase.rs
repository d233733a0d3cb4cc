//! Erasure: a service, round, respondent, plan item, goal or gathering goes with everything that
//! refers to it, the history of its answers and its change log too, in one transaction. A
//! tombstone (`erased`: kind, id, when, by which face) is written first; the append-only
//! triggers let the history of a thing with a tombstone go, and nothing else.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{FileStore, Result, kept, round_from, timestamp};
use crate::store::doomed::{Doomed, Held, Reach, held_sql};
use crate::store::{AgedRound, Erasable, Erase, ErasedBy, Erasure, Tombstone};

/// What SQLite tells the shared collection (`store::doomed`).
struct Rows<'a>(&'a Connection);

impl Reach for Rows<'_> {
    fn exists(&mut self, table: &'static str, id: &str) -> Result<bool> {
        Ok(self
            .0
            .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
            .query_row([id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn held(&mut self, held: Held, parent: &str) -> Result<Vec<String>> {
        ids(self.0, held_sql(held), parent)
    }
}

fn collect(conn: &Connection, targets: &[Erasable]) -> Result<Doomed> {
    Doomed::collect(&mut Rows(conn), targets)
}

/// Counting and removing what an erasure reaches, in SQLite's words.
trait Remove {
    fn count(&self, conn: &Connection) -> Result<Erasure>;
    fn remove(&self, conn: &Connection, by: ErasedBy, now: DateTime<Utc>) -> Result<()>;
}

impl Remove for Doomed {
    fn count(&self, conn: &Connection) -> Result<Erasure> {
        let mut answers = 0;
        let mut stmt = conn.prepare_cached(
            "SELECT count(*) FROM answer
                 WHERE respondent_id = ?1 AND (value IS NOT NULL OR missing IS NOT NULL)",
        )?;
        for respondent in &self.respondents {
            answers += stmt.query_row([respondent], |r| r.get::<_, i64>(0))? as usize;
        }
        // An attendance goes with its service or its gathering: counted once.
        let mut attendances = 0;
        let mut stmt = conn.prepare_cached(
            "SELECT gathering_id, service_id FROM attendance
             WHERE service_id = ?1 OR gathering_id = ?1",
        )?;
        let mut counted = HashSet::new();
        for id in self.services.iter().chain(&self.gatherings) {
            let rows = stmt.query_map([id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            for row in rows {
                if counted.insert(row?) {
                    attendances += 1;
                }
            }
        }
        Ok(self.erasure(answers, attendances))
    }

    /// Writes the tombstones, then removes everything, children before their parents.
    fn remove(&self, conn: &Connection, by: ErasedBy, now: DateTime<Utc>) -> Result<()> {
        let at = timestamp(now);
        let mut tombstone = conn.prepare_cached(
            "INSERT OR IGNORE INTO erased (id, kind, erased_at, erased_by) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (kind, list) in self.by_kind() {
            for id in list {
                tombstone.execute(params![id, kind, at, by.code()])?;
            }
        }
        // The rounds that keep their other respondents are summed again afterwards.
        let mut resum = BTreeSet::new();
        for respondent in &self.respondents {
            let round: String = conn
                .prepare_cached("SELECT round_id FROM respondent WHERE id = ?1")?
                .query_row([respondent], |r| r.get(0))?;
            if !self.seen.contains(&round) {
                resum.insert(round);
            }
            run(conn, RESPONDENT, respondent)?;
        }
        for round in &self.rounds {
            run(conn, ROUND, round)?;
        }
        for gathering in &self.gatherings {
            // The rounds tied to it stay, let go (logged as any untying is).
            conn.prepare_cached(
                "INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
                 SELECT 'round_gathering', id, json_quote(gathering_id), NULL, ?2
                 FROM round WHERE gathering_id = ?1",
            )?
            .execute(params![gathering, at])?;
            run(conn, GATHERING, gathering)?;
        }
        for goal in &self.goals {
            run(conn, GOAL, goal)?;
        }
        for item in &self.plan_items {
            run(conn, PLAN_ITEM, item)?;
        }
        for service in &self.services {
            run(conn, SERVICE, service)?;
        }
        for round in resum {
            kept::sum_round(conn, &round, None)?;
        }
        Ok(())
    }
}

// Each with ?1 the thing's id; the change log's keys are `id`, `goal_id/round_id` or
// `round_id/subdomain_key` (`round_id/position_id` alike), compared without LIKE, whose
// wildcards an id may hold.
const RESPONDENT: &[&str] = &[
    "DELETE FROM answer_history WHERE respondent_id = ?1",
    "DELETE FROM answer WHERE respondent_id = ?1",
    "DELETE FROM respondent_score WHERE respondent_id = ?1",
    // Their code goes too: it can make no one anew.
    "DELETE FROM invite WHERE respondent_id = ?1",
    "DELETE FROM respondent WHERE id = ?1",
];
const ROUND: &[&str] = &[
    "DELETE FROM round_score WHERE round_id = ?1",
    "DELETE FROM consensus WHERE round_id = ?1",
    "DELETE FROM round_stage WHERE round_id = ?1",
    "DELETE FROM goal_status WHERE round_id = ?1",
    "DELETE FROM position WHERE round_id = ?1",
    // Codes not used yet: a used one went with its respondent.
    "DELETE FROM invite WHERE round_id = ?1",
    "DELETE FROM need WHERE round_id = ?1",
    "DELETE FROM expectations WHERE round_id = ?1",
    "DELETE FROM service_facts WHERE round_id = ?1",
    "DELETE FROM change_log WHERE (entity IN ('round_stage', 'expectations', 'service_facts',
                                              'round_gathering')
                                   AND entity_key = ?1)
        OR (entity IN ('consensus', 'need', 'position')
            AND substr(entity_key, 1, length(?1) + 1) = ?1 || '/')
        OR (entity = 'goal_status' AND substr(entity_key, -length(?1) - 1) = '/' || ?1)",
    "DELETE FROM round WHERE id = ?1",
];
const GOAL: &[&str] = &[
    "DELETE FROM goal_status WHERE goal_id = ?1",
    "DELETE FROM change_log WHERE (entity = 'goal' AND entity_key = ?1)
        OR (entity = 'goal_status' AND substr(entity_key, 1, length(?1) + 1) = ?1 || '/')",
    "DELETE FROM goal WHERE id = ?1",
];
const PLAN_ITEM: &[&str] = &[
    "DELETE FROM change_log WHERE entity = 'plan_item' AND entity_key = ?1",
    "DELETE FROM plan_item WHERE id = ?1",
];
const GATHERING: &[&str] = &[
    "UPDATE round SET gathering_id = NULL WHERE gathering_id = ?1",
    "DELETE FROM attendance WHERE gathering_id = ?1",
    "DELETE FROM change_log WHERE (entity = 'gathering' AND entity_key = ?1)
        OR (entity = 'attendance' AND substr(entity_key, 1, length(?1) + 1) = ?1 || '/')",
    "DELETE FROM gathering WHERE id = ?1",
];
const SERVICE: &[&str] = &[
    // Its own areas: their needs went with its rounds.
    "DELETE FROM change_log
        WHERE entity = 'own_area' AND substr(entity_key, 1, length(?1) + 1) = ?1 || '/'",
    "DELETE FROM own_area WHERE service_id = ?1",
    // Who came from it to its cluster's gatherings; the gatherings stay.
    "DELETE FROM change_log
        WHERE entity = 'attendance' AND substr(entity_key, -length(?1) - 1) = '/' || ?1",
    "DELETE FROM attendance WHERE service_id = ?1",
    "DELETE FROM service WHERE id = ?1",
];

fn run(conn: &Connection, statements: &[&str], id: &str) -> Result<()> {
    for sql in statements {
        conn.prepare_cached(sql)?.execute([id])?;
    }
    Ok(())
}

fn ids(conn: &Connection, sql: &str, parent: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([parent], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl FileStore {
    /// Erases what `find` finds in the write's own transaction, all or nothing.
    fn erase_found(
        &mut self,
        find: impl FnOnce(&Connection) -> Result<Vec<Erasable>>,
        by: ErasedBy,
        now: DateTime<Utc>,
    ) -> Result<Erasure> {
        // What is removed is overwritten with zeros, not left in a page's free space.
        self.conn.pragma_update(None, "secure_delete", true)?;
        let erased = self.write(|tx| {
            let doomed = collect(tx, &find(tx)?)?;
            let erasure = doomed.count(tx)?;
            doomed.remove(tx, by, now)?;
            // For the test that kills kartlegg here: nothing of it may be left.
            crate::pause::here("erase:removed");
            Ok(erasure)
        });
        self.conn.pragma_update(None, "secure_delete", false)?;
        if erased.is_ok() {
            // The write-ahead log still holds the pages as they were: they go into the file
            // and the log is emptied, unless another process reads meanwhile (then its next
            // checkpoint does it).
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            // A comment of theirs kept in a recovery file goes too.
            self.forget_erased_unsaved();
        }
        erased
    }
}

/// The rounds whose last answer (or, without answers, whose day) is before `date`.
fn aged(conn: &Connection, date: NaiveDate) -> Result<Vec<AgedRound>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.service_id, r.label, r.held_on, r.kind, r.instrument_key,
                    r.instrument_version, s.name,
                    coalesce((SELECT substr(max(a.updated_at), 1, 10)
                                FROM respondent p JOIN answer a ON a.respondent_id = p.id
                               WHERE p.round_id = r.id), r.held_on),
                    (SELECT count(*) FROM respondent p WHERE p.round_id = r.id)
             FROM round r JOIN service s ON s.id = r.service_id
             ORDER BY s.name COLLATE NOCASE, r.held_on, r.created_at, r.rowid",
    )?;
    let rows = stmt.query_map([], |row| {
        let last: String = row.get(8)?;
        Ok((
            round_from(row)?,
            row.get::<_, String>(7)?,
            last,
            row.get::<_, i64>(9)? as usize,
        ))
    })?;
    let mut aged = Vec::new();
    for row in rows {
        let (round, service_name, last, respondents) = row?;
        let last_answer: NaiveDate = last.parse().unwrap_or(round.held_on);
        if last_answer < date {
            aged.push(AgedRound {
                round,
                service_name,
                last_answer,
                respondents,
            });
        }
    }
    Ok(aged)
}

impl Erase for FileStore {
    fn erasure(&self, targets: &[Erasable]) -> Result<Erasure> {
        // One read transaction, so that the counts agree with each other.
        let tx = self.conn.unchecked_transaction()?;
        let erasure = collect(&tx, targets)?.count(&tx)?;
        tx.finish()?;
        Ok(erasure)
    }

    fn erase(&mut self, targets: &[Erasable], by: ErasedBy, now: DateTime<Utc>) -> Result<Erasure> {
        self.erase_found(|_| Ok(targets.to_vec()), by, now)
    }

    fn rounds_last_answered_before(&self, date: NaiveDate) -> Result<Vec<AgedRound>> {
        aged(&self.conn, date)
    }

    fn erase_rounds_last_answered_before(
        &mut self,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(Vec<AgedRound>, Erasure)> {
        // Found in the erasure's own transaction: an answer saved meanwhile keeps its round.
        let mut found = Vec::new();
        let erasure = self.erase_found(
            |conn| {
                found = aged(conn, date)?;
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
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, id, erased_at, erased_by FROM erased ORDER BY erased_at, rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Tombstone {
                kind: r.get(0)?,
                id: r.get(1)?,
                erased_at: r.get(2)?,
                erased_by: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
