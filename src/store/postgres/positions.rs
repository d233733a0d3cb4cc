//! Positions in a round on the server, as `Positions` promises them: each write one
//! transaction, logged in `change_log` under `round_id/position_id` with the facts before
//! and after, a removal with no after, as SQLite logs them (`store::sqlite::positions`).

use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row};

use super::PgStore;
use super::changes::log;
use super::plan::code;
use crate::domain::model::new_id;
use crate::domain::requirement::{Education, Position, PositionFacts, PositionRole};
use crate::store::{Positions, Result, StoreError, timestamp};

/// The change log's entity of a position.
const ENTITY: &str = "position";

const POSITION_COLUMNS: &str =
    "id, round_id, role, education, credits, years, planned_credits, planned_year";

fn position_from(row: &Row) -> Result<Position> {
    // The table's checks hold each figure within its type's range.
    let figure = |column: usize| row.get::<_, i64>(column);
    Ok(Position {
        id: row.get(0),
        round_id: row.get(1),
        facts: PositionFacts {
            role: code("role", row.get(2), PositionRole::from_code)?,
            education: code("education", row.get(3), Education::from_code)?,
            credits: figure(4) as u16,
            years: figure(5) as u8,
            planned_credits: figure(6) as u16,
            planned_year: row.get::<_, Option<i64>>(7).map(|y| y as u16),
        },
    })
}

fn find_position(client: &mut impl GenericClient, id: &str) -> Result<Position> {
    let row = client
        .query_opt(
            &format!("SELECT {POSITION_COLUMNS} FROM position WHERE id = $1"),
            &[&id],
        )?
        .ok_or(StoreError::NotFound("position"))?;
    position_from(&row)
}

impl Positions for PgStore {
    fn positions(&self, round_id: &str) -> Result<Vec<Position>> {
        self.read(|tx| {
            let rows = tx.query(
                &format!(
                    "SELECT {POSITION_COLUMNS} FROM position WHERE round_id = $1
                     ORDER BY created_at COLLATE \"C\", rowid"
                ),
                &[&round_id],
            )?;
            rows.iter().map(position_from).collect()
        })
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
            tx.query_opt("SELECT 1 FROM round WHERE id = $1", &[&round_id])?
                .ok_or(StoreError::NotFound("round"))?;
            let at = timestamp(now);
            tx.execute(
                "INSERT INTO position (id, round_id, role, education, credits, years,
                                       planned_credits, planned_year, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                &[
                    &position.id,
                    &position.round_id,
                    &facts.role.code(),
                    &facts.education.code(),
                    &i64::from(facts.credits),
                    &i64::from(facts.years),
                    &i64::from(facts.planned_credits),
                    &facts.planned_year.map(i64::from),
                    &at,
                ],
            )?;
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
            let old = find_position(tx, id)?;
            tx.execute(
                "UPDATE position SET role = $2, education = $3, credits = $4, years = $5,
                        planned_credits = $6, planned_year = $7, updated_at = $8
                 WHERE id = $1",
                &[
                    &id,
                    &facts.role.code(),
                    &facts.education.code(),
                    &i64::from(facts.credits),
                    &i64::from(facts.years),
                    &i64::from(facts.planned_credits),
                    &facts.planned_year.map(i64::from),
                    &timestamp(now),
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
            let old = find_position(tx, id)?;
            tx.execute("DELETE FROM position WHERE id = $1", &[&id])?;
            log(tx, ENTITY, &old.log_key(), Some(&old.facts), None, now)
        })
    }
}
