//! Invites on the server: one-time codes, kept as their hashes, each claimed by one
//! respondent of one round, as SQLite keeps them (`store::sqlite::invite`).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use postgres::GenericClient;

use super::answers::{find_respondent, insert_respondent, role_from};
use super::{PgStore, kept};
use crate::domain::invite::{self, KEY_LEN, Scheme};
use crate::domain::model::{Respondent, Role, new_id};
use crate::store::sqlite::random_bytes;
use crate::store::{Invites, Result, StoreError, timestamp};

impl Invites for PgStore {
    fn invite_key(&mut self) -> Result<[u8; KEY_LEN]> {
        let fresh = random_bytes::<KEY_LEN>()?;
        let now = timestamp(Utc::now());
        self.write(|tx| {
            // Another program may make it at the same time: the first one's stays.
            tx.execute(
                "INSERT INTO invite_key (id, key, created_at) VALUES (1, $1, $2)
                 ON CONFLICT (id) DO NOTHING",
                &[&fresh.as_slice(), &now],
            )?;
            let key: Vec<u8> = tx
                .query_one("SELECT key FROM invite_key WHERE id = 1", &[])?
                .get(0);
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
            let insert = tx.prepare(
                "INSERT INTO invite (id, round_id, role, code_hash, created_at, code_scheme)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )?;
            let at = timestamp(now);
            for hash in hashes {
                tx.execute(
                    &insert,
                    &[
                        &new_id(),
                        &round_id,
                        &role.code(),
                        hash,
                        &at,
                        &Scheme::Argon2id.code(),
                    ],
                )?;
            }
            Ok(())
        })
    }

    fn withdraw_invite(&mut self, hashes: &[(Scheme, String)], now: DateTime<Utc>) -> Result<bool> {
        self.write(|tx| {
            for (scheme, hash) in hashes {
                let round_id: Option<String> = tx
                    .query_opt(
                        "UPDATE invite SET withdrawn_at = $3
                         WHERE code_hash = $1 AND code_scheme = $2 AND withdrawn_at IS NULL
                         RETURNING round_id",
                        &[hash, &scheme.code(), &timestamp(now)],
                    )?
                    .map(|row| row.get(0));
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
                "UPDATE invite SET withdrawn_at = $2
                 WHERE round_id = $1 AND withdrawn_at IS NULL",
                &[&round_id, &timestamp(now)],
            )?;
            kept::sum_round(tx, round_id, None)?;
            Ok(withdrawn as usize)
        })
    }

    fn answering_closed(&self, round_id: &str) -> Result<bool> {
        self.read(|tx| closed(tx, round_id))
    }

    fn claim_invite(
        &mut self,
        hashes: &[(Scheme, String)],
        now: DateTime<Utc>,
    ) -> Result<Option<Respondent>> {
        // Two programs claiming one code take turns at the write lock; the second finds the
        // first's respondent, and the invite's unique respondent refuses a second one.
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
                "UPDATE invite SET respondent_id = $2 WHERE id = $1",
                &[&invite_id, &respondent.id],
            )?;
            Ok(Some(respondent))
        })
    }

    fn code_respondents(&self, round_id: &str) -> Result<HashSet<String>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT respondent_id FROM invite
                 WHERE round_id = $1 AND respondent_id IS NOT NULL",
                &[&round_id],
            )?;
            Ok(rows.iter().map(|row| row.get(0)).collect())
        })
    }
}

/// The round has codes, and none of them is still open.
fn closed(client: &mut impl GenericClient, round_id: &str) -> Result<bool> {
    Ok(client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM invite WHERE round_id = $1)
                AND NOT EXISTS (SELECT 1 FROM invite WHERE round_id = $1
                                AND withdrawn_at IS NULL)",
            &[&round_id],
        )?
        .get(0))
}

/// An invite not withdrawn with this hash made this way: its id, round, role and respondent
/// (once claimed).
type OpenInvite = (String, String, Role, Option<String>);

fn open_invite(
    client: &mut impl GenericClient,
    scheme: &Scheme,
    hash: &str,
) -> Result<Option<OpenInvite>> {
    // Locked until the claim commits, also against a writer that skipped the write lock.
    client
        .query_opt(
            "SELECT id, round_id, role, respondent_id FROM invite
             WHERE code_hash = $1 AND code_scheme = $2 AND withdrawn_at IS NULL
             FOR UPDATE",
            &[&hash, &scheme.code()],
        )?
        .map(|row| Ok((row.get(0), row.get(1), role_from(row.get(2))?, row.get(3))))
        .transpose()
}

/// A random label that no respondent of the round has yet: 2^20 of them, so a round of
/// hundreds draws again only now and then.
fn new_label(client: &mut impl GenericClient, round_id: &str) -> Result<String> {
    loop {
        let label = invite::label(&random_bytes()?);
        let taken = client
            .query_opt(
                "SELECT 1 FROM respondent WHERE round_id = $1 AND code = $2",
                &[&round_id, &label],
            )?
            .is_some();
        if !taken {
            return Ok(label);
        }
    }
}
