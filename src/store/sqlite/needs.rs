//! Competence needs, own areas, expectations and service facts: each change one
//! transaction, logged in `change_log` with its old and new side like plans.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::plan::{code, log};
use super::{FileStore, Result, StoreError, split_list, timestamp};
use crate::domain::model::new_id;
use crate::domain::needs::{
    CompetenceAreas, Expectation, Expectations, Facts, Need, NeedField, OwnArea, Who, YesPartlyNo,
};
use crate::exchange::import::Note;
use crate::store::Needs;
use crate::store::columns::{expectations_kept, need_changed, note_side};

const NEED_COLUMNS: &str = "area_key, mastery, importance, top_three, who, missing";

fn need_from(row: &Row) -> rusqlite::Result<Need> {
    let who: Option<String> = row.get(4)?;
    Ok(Need {
        area_key: row.get(0)?,
        mastery: row.get(1)?,
        importance: row.get(2)?,
        top_three: row.get(3)?,
        who: who.map(|w| code(4, &w, Who::from_code)).transpose()?,
        missing: row.get(5)?,
    })
}

fn needs_of(conn: &Connection, round_id: &str) -> Result<Vec<Need>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {NEED_COLUMNS} FROM need WHERE round_id = ?1 ORDER BY area_key"
    ))?;
    let rows = stmt.query_map([round_id], need_from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A round's need for one area, with when it was set (for the import's merge).
pub(super) fn need_at(
    conn: &Connection,
    round_id: &str,
    area_key: &str,
) -> Result<Option<(Need, String)>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {NEED_COLUMNS}, updated_at FROM need WHERE round_id = ?1 AND area_key = ?2"
        ))?
        .query_row([round_id, area_key], |r| Ok((need_from(r)?, r.get(6)?)))
        .optional()?)
}

/// Writes a round's need for its area, or adds it.
pub(super) fn put_need(conn: &Connection, round_id: &str, need: &Need, at: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO need (round_id, area_key, mastery, importance, top_three, who,
                           missing, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (round_id, area_key) DO UPDATE SET
            mastery = excluded.mastery, importance = excluded.importance,
            top_three = excluded.top_three, who = excluded.who,
            missing = excluded.missing, updated_at = excluded.updated_at",
    )?
    .execute(params![
        round_id,
        need.area_key,
        need.mastery,
        need.importance,
        need.top_three,
        need.who.map(Who::code),
        need.missing,
        at
    ])?;
    Ok(())
}

pub(super) fn insert_own_area(conn: &Connection, area: &OwnArea, created_at: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO own_area (id, service_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![area.id, area.service_id, area.name, created_at])?;
    Ok(())
}

/// The service of an own area, if there is one with this id.
pub(super) fn own_area_service(conn: &Connection, id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT service_id FROM own_area WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// Whether `area_key` is shipped or one of the round's service's own areas.
fn area_known(conn: &Connection, service_id: &str, area_key: &str) -> Result<bool> {
    if CompetenceAreas::standard()
        .areas
        .iter()
        .any(|a| a.key == area_key)
    {
        return Ok(true);
    }
    Ok(conn
        .prepare_cached("SELECT 1 FROM own_area WHERE id = ?1 AND service_id = ?2")?
        .query_row([area_key, service_id], |_| Ok(()))
        .optional()?
        .is_some())
}

fn service_of_round(conn: &Connection, round_id: &str) -> Result<String> {
    conn.prepare_cached("SELECT service_id FROM round WHERE id = ?1")?
        .query_row([round_id], |r| r.get(0))
        .optional()?
        .ok_or(StoreError::NotFound("round"))
}

fn expectations_of(conn: &Connection, round_id: &str) -> Result<Expectations> {
    Ok(expectations_at(conn, round_id)?
        .map(|(e, _)| e)
        .unwrap_or_default())
}

/// A round's expectations, with when they were set, if it has any.
pub(super) fn expectations_at(
    conn: &Connection,
    round_id: &str,
) -> Result<Option<(Expectations, String)>> {
    let found = conn
        .prepare_cached(
            "SELECT wants, text, knows_why, own_wish, updated_at FROM expectations
             WHERE round_id = ?1",
        )?
        .query_row([round_id], |row| {
            let wants: String = row.get(0)?;
            let answer = |column: usize| -> rusqlite::Result<Option<YesPartlyNo>> {
                let text: Option<String> = row.get(column)?;
                text.map(|t| code(column, &t, YesPartlyNo::from_code))
                    .transpose()
            };
            let expectations = Expectations {
                wants: split_list(&wants)
                    .iter()
                    .map(|w| code(0, w, Expectation::from_code))
                    .collect::<rusqlite::Result<_>>()?,
                text: row.get(1)?,
                knows_why: answer(2)?,
                own_wish: answer(3)?,
            };
            Ok((expectations, row.get(4)?))
        })
        .optional()?;
    Ok(found)
}

/// Writes a round's expectations (`wants` in the order of `Expectation::ALL`), or adds them.
pub(super) fn put_expectations(
    conn: &Connection,
    round_id: &str,
    expectations: &Expectations,
    at: &str,
) -> Result<()> {
    let wants: Vec<&str> = expectations.wants.iter().map(|e| e.code()).collect();
    conn.prepare_cached(
        "INSERT INTO expectations (round_id, wants, text, knows_why, own_wish, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (round_id) DO UPDATE SET
            wants = excluded.wants, text = excluded.text,
            knows_why = excluded.knows_why, own_wish = excluded.own_wish,
            updated_at = excluded.updated_at",
    )?
    .execute(params![
        round_id,
        wants.join(","),
        expectations.text,
        expectations.knows_why.map(YesPartlyNo::code),
        expectations.own_wish.map(YesPartlyNo::code),
        at
    ])?;
    Ok(())
}

fn facts_of(conn: &Connection, round_id: &str) -> Result<Facts> {
    Ok(facts_at(conn, round_id)?
        .map(|(f, _)| f)
        .unwrap_or_default())
}

/// A round's facts, with when they were set, if it has any.
pub(super) fn facts_at(conn: &Connection, round_id: &str) -> Result<Option<(Facts, String)>> {
    let found = conn
        .prepare_cached(
            "SELECT ftes, vacancies, turnover, newly_qualified, deadline_breaches, complaints,
                    emergency_cases, updated_at
             FROM service_facts WHERE round_id = ?1",
        )?
        .query_row([round_id], |row| {
            let facts = Facts {
                ftes: row.get(0)?,
                vacancies: row.get(1)?,
                turnover: row.get(2)?,
                newly_qualified: row.get(3)?,
                deadline_breaches: row.get(4)?,
                complaints: row.get(5)?,
                emergency_cases: row.get(6)?,
            };
            Ok((facts, row.get(7)?))
        })
        .optional()?;
    Ok(found)
}

/// Writes a round's facts, or adds them.
pub(super) fn put_facts(conn: &Connection, round_id: &str, facts: &Facts, at: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO service_facts (round_id, ftes, vacancies, turnover, newly_qualified,
             deadline_breaches, complaints, emergency_cases, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (round_id) DO UPDATE SET
            ftes = excluded.ftes, vacancies = excluded.vacancies,
            turnover = excluded.turnover, newly_qualified = excluded.newly_qualified,
            deadline_breaches = excluded.deadline_breaches,
            complaints = excluded.complaints, emergency_cases = excluded.emergency_cases,
            updated_at = excluded.updated_at",
    )?
    .execute(params![
        round_id,
        facts.ftes,
        facts.vacancies,
        facts.turnover,
        facts.newly_qualified,
        facts.deadline_breaches,
        facts.complaints,
        facts.emergency_cases,
        at
    ])?;
    Ok(())
}

/// Clears a round's expectations or facts: the store keeps no empty row of either.
pub(super) fn clear_note(conn: &Connection, note: Note, round_id: &str) -> Result<()> {
    let sql = match note {
        Note::Expectations => "DELETE FROM expectations WHERE round_id = ?1",
        Note::Facts => "DELETE FROM service_facts WHERE round_id = ?1",
    };
    conn.prepare_cached(sql)?.execute([round_id])?;
    Ok(())
}

impl Needs for FileStore {
    fn own_areas(&self, service_id: &str) -> Result<Vec<OwnArea>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, service_id, name FROM own_area WHERE service_id = ?1
             ORDER BY created_at, rowid",
        )?;
        let rows = stmt.query_map([service_id], |r| {
            Ok(OwnArea {
                id: r.get(0)?,
                service_id: r.get(1)?,
                name: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn add_own_area(
        &mut self,
        service_id: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<OwnArea> {
        let area = OwnArea {
            id: new_id(),
            service_id: service_id.to_string(),
            name: name.to_string(),
        };
        self.write(|tx| {
            let found = tx
                .prepare_cached("SELECT 1 FROM service WHERE id = ?1")?
                .query_row([service_id], |_| Ok(()))
                .optional()?;
            found.ok_or(StoreError::NotFound("service"))?;
            insert_own_area(tx, &area, &timestamp(now))?;
            let key = format!("{service_id}/{}", area.id);
            log(tx, "own_area", &key, None, Some(&area), now)
        })?;
        Ok(area)
    }

    fn needs(&self, round_id: &str) -> Result<Vec<Need>> {
        needs_of(&self.conn, round_id)
    }

    fn set_need(
        &mut self,
        round_id: &str,
        area_key: &str,
        change: &NeedField,
        now: DateTime<Utc>,
    ) -> Result<Need> {
        if !change.in_range() {
            return Err(StoreError::NeedOutOfRange);
        }
        self.write(|tx| {
            // Read in the write's own transaction: a need changed by another kartlegg in
            // between is counted (the top three) and logged as it was.
            let service = service_of_round(tx, round_id)?;
            if !area_known(tx, &service, area_key)? {
                return Err(StoreError::NotFound("area"));
            }
            let (old, new) = need_changed(&needs_of(tx, round_id)?, area_key, change)?;
            if Some(&new) == old.as_ref() {
                return Ok(new);
            }
            put_need(tx, round_id, &new, &timestamp(now))?;
            let key = format!("{round_id}/{area_key}");
            log(tx, "need", &key, old.as_ref(), Some(&new), now)?;
            Ok(new)
        })
    }

    fn expectations(&self, round_id: &str) -> Result<Expectations> {
        expectations_of(&self.conn, round_id)
    }

    fn set_expectations(
        &mut self,
        round_id: &str,
        expectations: &Expectations,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let new = expectations_kept(expectations);
        self.write(|tx| {
            service_of_round(tx, round_id)?;
            let old = expectations_of(tx, round_id)?;
            if old == new {
                return Ok(());
            }
            if new.is_empty() {
                clear_note(tx, Note::Expectations, round_id)?;
            } else {
                put_expectations(tx, round_id, &new, &timestamp(now))?;
            }
            let (old, new) = (note_side(&old), note_side(&new));
            log(
                tx,
                "expectations",
                round_id,
                old.as_ref(),
                new.as_ref(),
                now,
            )
        })
    }

    fn facts(&self, round_id: &str) -> Result<Facts> {
        facts_of(&self.conn, round_id)
    }

    fn set_facts(&mut self, round_id: &str, facts: &Facts, now: DateTime<Utc>) -> Result<()> {
        if let Some((field, problem)) = facts.problem() {
            return Err(StoreError::FactOutOfRange(field, problem));
        }
        self.write(|tx| {
            service_of_round(tx, round_id)?;
            let old = facts_of(tx, round_id)?;
            if old == *facts {
                return Ok(());
            }
            if facts.is_empty() {
                clear_note(tx, Note::Facts, round_id)?;
            } else {
                put_facts(tx, round_id, facts, &timestamp(now))?;
            }
            let (old, new) = (note_side(&old), note_side(facts));
            log(
                tx,
                "service_facts",
                round_id,
                old.as_ref(),
                new.as_ref(),
                now,
            )
        })
    }
}
