//! Kept scores (schema version 3): each respondent's tally per subdomain in
//! `respondent_score`, and their sum per round in `round_score`. They are brought up to date
//! in the transaction that changes an answer, so an overview of many rounds reads about
//! twenty rows per round instead of every answer. A tally is always computed by the
//! domain's own scoring: `subdomain_tally` over the answers as stored, or `Tally::add`
//! answer by answer while an import streams them in (`Counter`).

use std::collections::{BTreeSet, HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, Store, response_from};
use crate::domain::compare::{MIN_GROUP, Options};
use crate::domain::instrument::{Asked, Instrument, Scale, Subdomain, SubdomainRef};
use crate::domain::model::{Answer, Response, Role, RoundKind};
use crate::domain::scoring::{AnswerSet, SectionScore, Tally, from_kept, subdomain_key};
use crate::store::columns::{COUNTED, IN_N};
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

/// Computes again every kept score of the given respondents; gives their rounds, whose
/// sums are then out of date.
fn score_again<'a>(
    conn: &Connection,
    instrument: &Instrument,
    respondent_ids: impl IntoIterator<Item = &'a str>,
) -> Result<BTreeSet<String>> {
    let mut rounds = BTreeSet::new();
    for respondent_id in respondent_ids {
        let answers = answer_set(
            conn,
            "SELECT item_key, value, missing FROM answer WHERE respondent_id = ?1",
            params![respondent_id],
        )?;
        conn.prepare_cached("DELETE FROM respondent_score WHERE respondent_id = ?1")?
            .execute([respondent_id])?;
        let (round_id, asked) = asked_of(conn, respondent_id)?;
        for (key, tally) in respondent_tallies(instrument, &answers, asked) {
            write_respondent(conn, respondent_id, &key, &tally)?;
        }
        rounds.insert(round_id);
    }
    Ok(rounds)
}

/// Kept scores counted while an import streams its answers in, so that most need no
/// reading back. A respondent the import adds has, at first, only the answers it adds: their
/// tallies are the sums of those answers, counted while that respondent's answers come one
/// after another and written when another respondent's come. Every other respondent whose
/// answers change (one already here, one whose answer was merged or changed, one whose
/// answers come apart in the file) is computed again from the stored answers at the end.
pub(crate) struct Counter<'i> {
    instrument: &'i Instrument,
    /// Each item's subdomain (its place in `subdomain_keys`, and itself) and scale.
    items: HashMap<&'i str, (usize, &'i Subdomain, &'i Scale)>,
    subdomain_keys: Vec<String>,
    /// Respondents the import added, and whose tallies are still counted from their answers,
    /// with whom the items were put to.
    added: HashMap<String, Asked>,
    /// The respondent being counted, whom the items were put to, and a tally per subdomain.
    counting: Option<(String, Asked, Vec<Tally>)>,
    /// Added respondents whose tallies have been written.
    written: HashSet<String>,
    /// Respondents computed again from their stored answers at the end.
    again: HashSet<String>,
    /// The rounds of the added respondents, whose sums are made at the end.
    rounds: BTreeSet<String>,
}

impl<'i> Counter<'i> {
    pub(crate) fn new(instrument: &'i Instrument) -> Counter<'i> {
        let mut items = HashMap::new();
        let mut subdomain_keys = Vec::new();
        for section in &instrument.sections {
            let Some(scale) = instrument.scale(&section.scale) else {
                continue;
            };
            for subdomain in &section.subdomains {
                for item in &subdomain.items {
                    items.insert(item.key.as_str(), (subdomain_keys.len(), subdomain, scale));
                }
                subdomain_keys.push(subdomain_key(section, subdomain));
            }
        }
        Counter {
            instrument,
            items,
            subdomain_keys,
            added: HashMap::new(),
            counting: None,
            written: HashSet::new(),
            again: HashSet::new(),
            rounds: BTreeSet::new(),
        }
    }

    /// A respondent the import added, once written (their round and role are read back).
    pub(crate) fn respondent_added(
        &mut self,
        conn: &Connection,
        respondent_id: &str,
    ) -> Result<()> {
        let (round_id, asked) = asked_of(conn, respondent_id)?;
        self.added.insert(respondent_id.to_string(), asked);
        self.rounds.insert(round_id);
        Ok(())
    }

    /// An answer the import added (none was there for its respondent and item).
    pub(crate) fn answer_added(
        &mut self,
        conn: &Connection,
        respondent_id: &str,
        item_key: &str,
        response: Option<Response>,
    ) -> Result<()> {
        let Some(&asked) = self.added.get(respondent_id) else {
            self.again.insert(respondent_id.to_string());
            return Ok(());
        };
        if self
            .counting
            .as_ref()
            .is_none_or(|(counting, _, _)| counting != respondent_id)
        {
            self.write_counted(conn)?;
            if self.written.contains(respondent_id) {
                // Their answers come apart in the file: count them all again at the end.
                self.answer_changed(respondent_id);
                return Ok(());
            }
            let tallies = vec![Tally::default(); self.subdomain_keys.len()];
            self.counting = Some((respondent_id.to_string(), asked, tallies));
        }
        if let (Some((_, asked, tallies)), Some(&(index, subdomain, scale))) =
            (self.counting.as_mut(), self.items.get(item_key))
        {
            // Only the items put to them count, as in `subdomain_tally`.
            if let Some(item) = subdomain.items.iter().find(|i| i.key == item_key)
                && subdomain.asks(item, *asked)
            {
                tallies[index].add(response, scale);
            }
        }
        Ok(())
    }

    /// An answer the import changed or merged: its respondent is computed again at the end.
    pub(crate) fn answer_changed(&mut self, respondent_id: &str) {
        if self
            .counting
            .as_ref()
            .is_some_and(|(counting, _, _)| counting == respondent_id)
        {
            self.counting = None;
        }
        self.added.remove(respondent_id);
        self.again.insert(respondent_id.to_string());
    }

    fn write_counted(&mut self, conn: &Connection) -> Result<()> {
        let Some((respondent_id, _, tallies)) = self.counting.take() else {
            return Ok(());
        };
        for (key, tally) in self.subdomain_keys.iter().zip(&tallies) {
            if tally.answered() > 0 {
                write_respondent(conn, &respondent_id, key, tally)?;
            }
        }
        self.written.insert(respondent_id);
        Ok(())
    }

    /// Writes what is counted, computes the rest again, and sums every round touched.
    pub(crate) fn finish(mut self, conn: &Connection) -> Result<()> {
        self.write_counted(conn)?;
        let mut rounds = score_again(conn, self.instrument, self.again.iter().map(String::as_str))?;
        rounds.append(&mut self.rounds);
        for round_id in rounds {
            sum_round(conn, &round_id, None)?;
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
    for round_id in score_again(conn, instrument, respondents.iter().map(String::as_str))? {
        // Version 3 comes before the invites (version 6): no one answered by code yet.
        sum_where(conn, &round_id, None, "?3 IS NOT NULL")?;
    }
    Ok(())
}

/// A respondent's tallies in the subdomains they answered, by `section.subdomain`.
pub(crate) fn respondent_tallies(
    instrument: &Instrument,
    answers: &AnswerSet,
    asked: Asked,
) -> Vec<(String, Tally)> {
    let mut tallies = Vec::new();
    for section in &instrument.sections {
        let Some(scale) = instrument.scale(&section.scale) else {
            continue;
        };
        for subdomain in &section.subdomains {
            let tally = crate::domain::scoring::subdomain_tally(subdomain, scale, answers, asked);
            if tally.answered() > 0 {
                tallies.push((subdomain_key(section, subdomain), tally));
            }
        }
    }
    tallies
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

impl Scores for Store {
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
