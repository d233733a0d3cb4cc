//! Kept scores (schema version 3): each respondent's tally per subdomain in
//! `respondent_score`, and their sum per round in `round_score`. They are brought up to date
//! in the transaction that changes an answer, so an overview of many rounds reads about
//! twenty rows per round instead of every answer. A tally is always computed by the
//! domain's own scoring: `subdomain_tally` over the answers as stored, or `Tally::add`
//! answer by answer while an import streams them in (`Counter`).

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::{FileStore, Result, response_from};
use crate::domain::compare::{MIN_GROUP, Options};
use crate::domain::instrument::{Asked, Instrument, SubdomainRef};
use crate::domain::model::{Answer, Role, RoundKind};
use crate::domain::scoring::{AnswerSet, SectionScore, Tally, from_kept, subdomain_key};
use crate::store::columns::{COUNTED, IN_N};
pub(crate) use crate::store::kept_count::respondent_tallies;
use crate::store::kept_count::{KeptTx, score_again};
use crate::store::{RoundScores, Scores};

/// Brings the kept scores up to date after one answer of a respondent changed.
pub(crate) fn answer_changed(
    conn: &Connection,
    instrument: &Instrument,
    respondent_id: &str,
    item_key: &str,
) -> Result<()> {
    let Some(SubdomainRef {
        section,
        subdomain,
        scale,
    }) = instrument.subdomain_of_item(item_key)
    else {
        // An item the instrument does not know is never scored.
        return Ok(());
    };
    let key = subdomain_key(section, subdomain);
    // The subdomain's items share the prefix `section.subdomain.`; '/' follows '.'.
    let answers = answer_set(
        conn,
        "SELECT item_key, value, missing FROM answer
         WHERE respondent_id = ?1 AND item_key > ?2 AND item_key < ?3",
        params![respondent_id, format!("{key}."), format!("{key}/")],
    )?;
    let (round_id, asked) = asked_of(conn, respondent_id)?;
    let tally = crate::domain::scoring::subdomain_tally(subdomain, scale, &answers, asked);
    write_respondent(conn, respondent_id, &key, &tally)?;
    sum_round(conn, &round_id, Some(&key))
}

/// A respondent's round, and whom the items were put to there: the round's kind and the
/// respondent's role.
pub(crate) fn asked_of(conn: &Connection, respondent_id: &str) -> Result<(String, Asked)> {
    Ok(found_asked(conn, respondent_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?)
}

/// `asked_of`, or `None` when there is no such respondent.
fn found_asked(conn: &Connection, respondent_id: &str) -> Result<Option<(String, Asked)>> {
    let found: Option<(String, String, String)> = conn
        .prepare_cached(
            "SELECT p.round_id, r.kind, p.role FROM respondent p
             JOIN round r ON r.id = p.round_id WHERE p.id = ?1",
        )?
        .query_row([respondent_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((round_id, kind, role)) = found else {
        return Ok(None);
    };
    let kind = RoundKind::from_code(&kind).ok_or_else(|| super::invalid_code(1, &kind))?;
    let role = Role::from_code(&role).ok_or_else(|| super::invalid_code(2, &role))?;
    Ok(Some((round_id, Asked::new(kind, role))))
}

/// The kept scores' reads and writes, as the import's counting (`kept_count`) makes them.
impl KeptTx for &Connection {
    fn asked_of(&mut self, respondent_id: &str) -> Result<(String, Asked)> {
        asked_of(self, respondent_id)
    }

    fn stored_answers(&mut self, respondent_id: &str) -> Result<AnswerSet> {
        answer_set(
            self,
            "SELECT item_key, value, missing FROM answer WHERE respondent_id = ?1",
            params![respondent_id],
        )
    }

    fn clear_tallies(&mut self, respondent_id: &str) -> Result<()> {
        self.prepare_cached("DELETE FROM respondent_score WHERE respondent_id = ?1")?
            .execute([respondent_id])?;
        Ok(())
    }

    fn write_tally(&mut self, respondent_id: &str, key: &str, tally: &Tally) -> Result<()> {
        write_respondent(self, respondent_id, key, tally)
    }

    fn sum_rounds(&mut self, round_ids: &[&str]) -> Result<()> {
        for round_id in round_ids {
            sum_round(self, round_id, None)?;
        }
        Ok(())
    }
}

/// Computes every kept score again from the answers: the migration to version 3.
pub(crate) fn rebuild(conn: &Connection, instrument: &Instrument) -> Result<()> {
    conn.execute_batch("DELETE FROM respondent_score; DELETE FROM round_score;")?;
    let respondents: Vec<String> = {
        let mut stmt = conn.prepare("SELECT DISTINCT respondent_id FROM answer")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut tx = conn;
    for round_id in score_again(&mut tx, instrument, respondents.iter().map(String::as_str))? {
        // Version 3 comes before the invites (version 6): no one answered by code yet.
        sum_where(conn, &round_id, None, "?3 IS NOT NULL")?;
    }
    Ok(())
}

fn answer_set(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<AnswerSet> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, |row| {
        Ok((
            row.get::<_, String>(0)?,
            Answer {
                response: response_from(row.get(1)?, row.get::<_, Option<String>>(2)?.as_deref()),
                comment: String::new(),
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Keeps a respondent's tally in one subdomain; a subdomain without answers has no row.
pub(crate) fn write_respondent(
    conn: &Connection,
    respondent_id: &str,
    key: &str,
    tally: &Tally,
) -> Result<()> {
    if tally.answered() == 0 {
        conn.prepare_cached(
            "DELETE FROM respondent_score WHERE respondent_id = ?1 AND subdomain_key = ?2",
        )?
        .execute(params![respondent_id, key])?;
    } else {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO respondent_score
                 (respondent_id, subdomain_key, scored, fraction_sum, dont_know, not_applicable)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            respondent_id,
            key,
            tally.scored,
            tally.fraction_sum,
            tally.dont_know,
            tally.not_applicable
        ])?;
    }
    Ok(())
}

/// Sums the kept tallies of a round's respondents, in one subdomain or in all.
pub(crate) fn sum_round(conn: &Connection, round_id: &str, key: Option<&str>) -> Result<()> {
    sum_where(conn, round_id, key, COUNTED)
}

/// Sums the tallies that meet `counted`, a condition on `p` and `s` (`?3` is `MIN_GROUP`).
fn sum_where(conn: &Connection, round_id: &str, key: Option<&str>, counted: &str) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM round_score WHERE round_id = ?1 AND (?2 IS NULL OR subdomain_key = ?2)",
    )?
    .execute(params![round_id, key])?;
    conn.prepare_cached(&format!(
        "INSERT INTO round_score
             (round_id, subdomain_key, scored, fraction_sum, dont_know, not_applicable)
         SELECT p.round_id, s.subdomain_key, sum(s.scored), sum(s.fraction_sum),
                sum(s.dont_know), sum(s.not_applicable)
         FROM respondent p JOIN respondent_score s ON s.respondent_id = p.id
         WHERE p.round_id = ?1 AND (?2 IS NULL OR s.subdomain_key = ?2) AND {counted}
         GROUP BY s.subdomain_key"
    ))?
    .execute(params![round_id, key, MIN_GROUP as i64])?;
    Ok(())
}

fn tally_from(row: &rusqlite::Row, first: usize) -> rusqlite::Result<Tally> {
    Ok(Tally {
        slots: 0,
        scored: row.get(first)?,
        fraction_sum: row.get(first + 1)?,
        dont_know: row.get(first + 2)?,
        not_applicable: row.get(first + 3)?,
    })
}

impl Scores for FileStore {
    fn round_scores(
        &self,
        instrument: &Instrument,
        round_ids: &[&str],
        options: Options,
    ) -> Result<Vec<RoundScores>> {
        let ids = serde_json::to_string(round_ids).expect("strings always serialise");
        // Per round, how many respondents of each role are in its n: the slots are the
        // items put to each role in a round of its kind. A round's respondents by code are
        // in its n only from `MIN_GROUP` of them, as in `hold_back_codes`.
        let mut respondents: HashMap<String, Vec<(Asked, usize)>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT j.value, r.kind, p.role, count(*)
             FROM json_each(?1) j JOIN round r ON r.id = j.value
             JOIN respondent p ON p.round_id = j.value AND {IN_N}
             GROUP BY j.value, p.role"
        ))?;
        let rows = stmt.query_map(params![&ids, MIN_GROUP as i64], |r| {
            let kind: String = r.get(1)?;
            let role: String = r.get(2)?;
            let kind = RoundKind::from_code(&kind).ok_or_else(|| super::invalid_code(1, &kind))?;
            let role = Role::from_code(&role).ok_or_else(|| super::invalid_code(2, &role))?;
            Ok((
                r.get::<_, String>(0)?,
                Asked::new(kind, role),
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (id, asked, n) = row?;
            respondents.entry(id).or_default().push((asked, n as usize));
        }
        let mut kept: HashMap<String, HashMap<String, Tally>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.round_id, s.subdomain_key, s.scored, s.fraction_sum, s.dont_know,
                    s.not_applicable
             FROM json_each(?1) j JOIN round_score s ON s.round_id = j.value",
        )?;
        let rows = stmt.query_map([&ids], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, tally_from(r, 2)?))
        })?;
        for row in rows {
            let (round_id, key, tally) = row?;
            kept.entry(round_id).or_default().insert(key, tally);
        }
        if !options.with_consultant {
            // Few rows: a round has a process leader or two at most.
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT p.round_id, s.subdomain_key, s.scored, s.fraction_sum, s.dont_know,
                        s.not_applicable
                 FROM json_each(?1) j
                 JOIN respondent p ON p.round_id = j.value AND p.role = 'consultant'
                 JOIN respondent_score s ON s.respondent_id = p.id
                 WHERE {COUNTED}"
            ))?;
            let rows = stmt.query_map(params![&ids, None::<String>, MIN_GROUP as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    tally_from(r, 2)?,
                ))
            })?;
            for row in rows {
                let (round_id, key, tally) = row?;
                if let Some(sum) = kept.get_mut(&round_id).and_then(|k| k.get_mut(&key)) {
                    sum.remove(&tally);
                }
            }
        }
        Ok(crate::store::columns::round_scores(
            instrument,
            round_ids,
            options,
            &respondents,
            &kept,
        ))
    }

    fn respondent_scores(
        &self,
        instrument: &Instrument,
        respondent_id: &str,
    ) -> Result<Vec<SectionScore>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT subdomain_key, scored, fraction_sum, dont_know, not_applicable
             FROM respondent_score WHERE respondent_id = ?1",
        )?;
        let rows = stmt.query_map([respondent_id], |r| Ok((r.get(0)?, tally_from(r, 1)?)))?;
        let kept = rows.collect::<rusqlite::Result<HashMap<String, Tally>>>()?;
        let groups: Vec<(Asked, usize)> = found_asked(&self.conn, respondent_id)?
            .map(|(_, asked)| (asked, 1))
            .into_iter()
            .collect();
        Ok(from_kept(instrument, &groups, &kept))
    }
}
