//! Invites: one-time codes, kept as their hashes, each claimed by one respondent of one round.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{
    FileStore, Result, find_respondent, insert_respondent, invalid_code, kept, random_bytes,
    timestamp,
};
use crate::domain::invite::{self, KEY_LEN, Scheme};
use crate::domain::model::{Respondent, Role, new_id};
use crate::store::{Invites, StoreError};

impl Invites for FileStore {
    fn invite_key(&mut self) -> Result<[u8; KEY_LEN]> {
        let fresh = random_bytes::<KEY_LEN>()?;
        let now = timestamp(Utc::now());
        self.write(|tx| {
            // Another process may make it at the same time: the first one's stays.
            tx.execute(
                "INSERT INTO invite_key (id, key, created_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO NOTHING",
                params![fresh.as_slice(), now],
            )?;
            let key: Vec<u8> =
                tx.query_row("SELECT key FROM invite_key WHERE id = 1", [], |row| {
                    row.get(0)
                })?;
            // The table's CHECK keeps it at 32 bytes.
            let mut out = [0u8; KEY_LEN];
            out.copy_from_slice(&key[..KEY_LEN]);
            Ok(out)
        })
    }

    fn add_invites(
        &mut self,
        round_id: &str,
        role: Role,
        hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx| {
            // Decided in the write itself, so that no code slips into a round closed meanwhile.
            if closed(tx, round_id)? {
                return Err(StoreError::AnsweringClosed);
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO invite (id, round_id, role, code_hash, created_at, code_scheme)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for hash in hashes {
                insert.execute(params![
                    new_id(),
                    round_id,
                    role.code(),
                    hash,
                    timestamp(now),
                    Scheme::Argon2id.code()
                ])?;
            }
            Ok(())
        })
    }

    fn withdraw_invite(&mut self, hashes: &[(Scheme, String)], now: DateTime<Utc>) -> Result<bool> {
        self.write(|tx| {
            for (scheme, hash) in hashes {
                let round_id: Option<String> = tx
                    .query_row(
                        "UPDATE invite SET withdrawn_at = ?3
                         WHERE code_hash = ?1 AND code_scheme = ?2 AND withdrawn_at IS NULL
                         RETURNING round_id",
                        params![hash, scheme.code(), timestamp(now)],
                        |row| row.get(0),
                    )
                    .optional()?;
                if let Some(round_id) = round_id {
                    // The last open code closes answering alone: its answers by code count now.
                    if closed(tx, &round_id)? {
                        kept::sum_round(tx, &round_id, None)?;
                    }
                    return Ok(true);
                }
            }
            Ok(false)
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
        hashes: &[(Scheme, String)],
        now: DateTime<Utc>,
    ) -> Result<Option<Respondent>> {
        self.write(|tx| {
            let mut invite = None;
            for (scheme, hash) in hashes {
                invite = open_invite(tx, scheme, hash)?;
                if invite.is_some() {
                    break;
                }
            }
            let Some((invite_id, round_id, role, respondent_id)) = invite else {
                return Ok(None);
            };
            if let Some(id) = respondent_id {
                return find_respondent(tx, &id);
            }
            let respondent = Respondent {
                id: new_id(),
                code: new_label(tx, &round_id)?,
                round_id,
                role,
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

/// An invite not withdrawn with this hash made this way: its id, round, role and respondent
/// (once claimed).
type OpenInvite = (String, String, Role, Option<String>);

fn open_invite(tx: &Connection, scheme: &Scheme, hash: &str) -> Result<Option<OpenInvite>> {
    Ok(tx
        .query_row(
            "SELECT id, round_id, role, respondent_id FROM invite
             WHERE code_hash = ?1 AND code_scheme = ?2 AND withdrawn_at IS NULL",
            params![hash, scheme.code()],
            |row| {
                let role: String = row.get(2)?;
                let role = Role::from_code(&role).ok_or_else(|| invalid_code(2, &role))?;
                Ok((row.get(0)?, row.get(1)?, role, row.get(3)?))
            },
        )
        .optional()?)
}

/// A random label that no respondent of the round has yet: 2^20 of them, so a round of
/// hundreds draws again only now and then.
fn new_label(tx: &Connection, round_id: &str) -> Result<String> {
    let mut taken =
        tx.prepare_cached("SELECT 1 FROM respondent WHERE round_id = ?1 AND code = ?2")?;
    loop {
        let label = invite::label(&random_bytes()?);
        if !taken.exists(params![round_id, label])? {
            return Ok(label);
        }
    }
}
