//! Positions in a round (`store::Positions`): each write one IMMEDIATE transaction, logged
//! in `change_log` (version 12) under `round_id/position_id` with the facts before and after,
//! a removal with no after: so that an import weighs a removal against an older post in a
//! file, as it weighs a cleared consensus value. They go with their round when it is erased.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::plan::log;
use super::{FileStore, Result, StoreError, invalid_code, timestamp};
use crate::domain::model::new_id;
use crate::domain::requirement::{Education, Position, PositionFacts, PositionRole};
use crate::store::Positions;

fn position_from(row: &Row) -> rusqlite::Result<Position> {
    let role: String = row.get(2)?;
    let education: String = row.get(3)?;
    Ok(Position {
        id: row.get(0)?,
        round_id: row.get(1)?,
        facts: PositionFacts {
            role: PositionRole::from_code(&role).ok_or_else(|| invalid_code(2, &role))?,
            education: Education::from_code(&education)
                .ok_or_else(|| invalid_code(3, &education))?,
            credits: row.get(4)?,
            years: row.get(5)?,
            planned_credits: row.get(6)?,
            planned_year: row.get(7)?,
        },
    })
}

/// The change log's entity of a position.
pub(super) const ENTITY: &str = "position";

/// A position with when it was last changed (for the import's merge).
pub(super) fn position_at(conn: &Connection, id: &str) -> Result<Option<(Position, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, round_id, role, education, credits, years, planned_credits, planned_year,
                    updated_at
             FROM position WHERE id = ?1",
        )?
        .query_row([id], |r| Ok((position_from(r)?, r.get(8)?)))
        .optional()?)
}

/// Writes a position over the one with its id, or adds it, with the times given (the
/// import's: a position keeps the times of the machine where it was made and changed).
pub(super) fn put_position(
    conn: &Connection,
    position: &Position,
    created_at: &str,
    updated_at: &str,
) -> Result<()> {
    let facts = &position.facts;
    conn.prepare_cached(
        "INSERT INTO position (id, round_id, role, education, credits, years,
                               planned_credits, planned_year, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET
            role = excluded.role, education = excluded.education, credits = excluded.credits,
            years = excluded.years, planned_credits = excluded.planned_credits,
            planned_year = excluded.planned_year, updated_at = excluded.updated_at",
    )?
    .execute(params![
        position.id,
        position.round_id,
        facts.role.code(),
        facts.education.code(),
        facts.credits,
        facts.years,
        facts.planned_credits,
        facts.planned_year,
        created_at,
        updated_at
    ])?;
    Ok(())
}

fn exists(tx: &Connection, table: &'static str, id: &str) -> Result<()> {
    let sql = match table {
        "round" => "SELECT 1 FROM round WHERE id = ?1",
        _ => "SELECT 1 FROM position WHERE id = ?1",
    };
    if tx.prepare_cached(sql)?.exists([id])? {
        Ok(())
    } else {
        Err(StoreError::NotFound(table))
    }
}

impl Positions for FileStore {
    fn positions(&self, round_id: &str) -> Result<Vec<Position>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, round_id, role, education, credits, years, planned_credits, planned_year
             FROM position WHERE round_id = ?1 ORDER BY created_at, rowid",
        )?;
        let rows = stmt.query_map([round_id], position_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn add_position(
        &mut self,
        round_id: &str,
        facts: &PositionFacts,
        now: DateTime<Utc>,
    ) -> Result<Position> {
        let position = Position {
            id: new_id(),
            round_id: round_id.to_string(),
            facts: *facts,
        };
        self.write(|tx| {
            exists(tx, "round", round_id)?;
            let at = timestamp(now);
            put_position(tx, &position, &at, &at)?;
            log(tx, ENTITY, &position.log_key(), None, Some(facts), now)
        })?;
        Ok(position)
    }

    fn change_position(
        &mut self,
        id: &str,
        facts: &PositionFacts,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx| {
            let Some((old, _)) = position_at(tx, id)? else {
                return Err(StoreError::NotFound("position"));
            };
            tx.execute(
                "UPDATE position SET role = ?2, education = ?3, credits = ?4, years = ?5,
                        planned_credits = ?6, planned_year = ?7, updated_at = ?8
                 WHERE id = ?1",
                params![
                    id,
                    facts.role.code(),
                    facts.education.code(),
                    facts.credits,
                    facts.years,
                    facts.planned_credits,
                    facts.planned_year,
                    timestamp(now)
                ],
            )?;
            log(
                tx,
                ENTITY,
                &old.log_key(),
                Some(&old.facts),
                Some(facts),
                now,
            )
        })
    }

    fn remove_position(&mut self, id: &str, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            let Some((old, _)) = position_at(tx, id)? else {
                return Err(StoreError::NotFound("position"));
            };
            tx.execute("DELETE FROM position WHERE id = ?1", [id])?;
            log(tx, ENTITY, &old.log_key(), Some(&old.facts), None, now)
        })
    }
}
