//! Invites: one-time codes, kept as their hashes, each claimed by one respondent of one round.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, Store, find_respondent, insert_respondent, invalid_code, kept, timestamp};
use crate::domain::model::{Respondent, Role, new_id};
use crate::store::Invites;

impl Invites for Store {
    fn add_invites(
        &mut self,
        round_id: &str,
        role: Role,
        hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT INTO invite (id, round_id, role, code_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for hash in hashes {
                insert.execute(params![
                    new_id(),
                    round_id,
                    role.code(),
                    hash,
                    timestamp(now)
                ])?;
            }
            Ok(())
        })
    }

    fn withdraw_invite(&mut self, hash: &str, now: DateTime<Utc>) -> Result<bool> {
        self.write(|tx| {
            let round_id: Option<String> = tx
                .query_row(
                    "UPDATE invite SET withdrawn_at = ?2
                     WHERE code_hash = ?1 AND withdrawn_at IS NULL
                     RETURNING round_id",
                    params![hash, timestamp(now)],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(round_id) = round_id else {
                return Ok(false);
            };
            // The last open code closes answering alone: its answers by code count now.
            if closed(tx, &round_id)? {
                kept::sum_round(tx, &round_id, None)?;
            }
            Ok(true)
        })
    }

    fn close_invites(&mut self, round_id: &str, now: DateTime<Utc>) -> Result<usize> {
        self.write(|tx| {
            let withdrawn = tx.execute(
                "UPDATE invite SET withdrawn_at = ?2
                 WHERE round_id = ?1 AND withdrawn_at IS NULL",
                params![round_id, timestamp(now)],
            )?;
            kept::sum_round(tx, round_id, None)?;
            Ok(withdrawn)
        })
    }

    fn answering_closed(&self, round_id: &str) -> Result<bool> {
        closed(&self.conn, round_id)
    }

    fn claim_invite(
        &mut self,
        hash: &str,
        label: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Respondent>> {
        self.write(|tx| {
            let invite = tx
                .query_row(
                    "SELECT id, round_id, role, respondent_id FROM invite
                     WHERE code_hash = ?1 AND withdrawn_at IS NULL",
                    [hash],
                    |row| {
                        let role: String = row.get(2)?;
                        let role = Role::from_code(&role).ok_or_else(|| invalid_code(2, &role))?;
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            role,
                            row.get::<_, Option<String>>(3)?,
                        ))
                    },
                )
                .optional()?;
            let Some((invite_id, round_id, role, respondent_id)) = invite else {
                return Ok(None);
            };
            if let Some(id) = respondent_id {
                return find_respondent(tx, &id);
            }
            let respondent = Respondent {
                id: new_id(),
                round_id,
                role,
                code: label.to_string(),
            };
            insert_respondent(tx, &respondent, now)?;
            tx.execute(
                "UPDATE invite SET respondent_id = ?2 WHERE id = ?1",
                params![invite_id, respondent.id],
            )?;
            Ok(Some(respondent))
        })
    }

    fn code_respondents(&self, round_id: &str) -> Result<HashSet<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT respondent_id FROM invite
             WHERE round_id = ?1 AND respondent_id IS NOT NULL",
        )?;
        let ids = stmt.query_map([round_id], |row| row.get(0))?;
        Ok(ids.collect::<rusqlite::Result<_>>()?)
    }
}

/// The round has codes, and none of them is still open.
fn closed(conn: &Connection, round_id: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM invite WHERE round_id = ?1)
            AND NOT EXISTS (SELECT 1 FROM invite WHERE round_id = ?1 AND withdrawn_at IS NULL)",
        [round_id],
        |row| row.get(0),
    )?)
}
