//! Kept scores on the server: each respondent's tally per subdomain, and their sum per
//! round, brought up to date in the transaction that changes an answer; the same tables and
//! the same rules as SQLite's (`store::sqlite::kept`), computed by the domain's scoring.

use std::collections::HashMap;

use postgres::types::Type;
use postgres::{Client, GenericClient, Row};

use super::PgStore;
use super::answers::{kind_from, role_from};
use crate::domain::compare::{MIN_GROUP, Options};
use crate::domain::instrument::{Asked, Instrument, SubdomainRef};
use crate::domain::model::Answer;
use crate::domain::scoring::{AnswerSet, SectionScore, Tally, from_kept, subdomain_key};
use crate::store::columns::{COUNTED, IN_N, response_from};
use crate::store::kept_count::KeptTx;
use crate::store::{Result, RoundScores, Scores, StoreError};

// The statements of a save and of the import's counting run by `query_typed`: with their
// parameters' types given, each is one round trip (parse, bind and execute at once) instead
// of a prepare and then an execute.

/// Brings the kept scores up to date after one answer of a respondent changed.
pub(super) fn answer_changed(
    client: &mut impl GenericClient,
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
    // The subdomain's items share the prefix `section.subdomain.`; '/' follows '.'. The
    // bytes' order (COLLATE "C") is SQLite's.
    let rows = client.query_typed(
        "SELECT item_key, value, missing FROM answer
         WHERE respondent_id = $1 AND item_key COLLATE \"C\" > $2
           AND item_key COLLATE \"C\" < $3",
        &[
            (&respondent_id, Type::TEXT),
            (&format!("{key}."), Type::TEXT),
            (&format!("{key}/"), Type::TEXT),
        ],
    )?;
    let answers = answer_set(&rows);
    let (round_id, asked) =
        asked_of(client, respondent_id)?.ok_or(StoreError::NotFound("respondent"))?;
    let tally = crate::domain::scoring::subdomain_tally(subdomain, scale, &answers, asked);
    write_respondent(client, respondent_id, &key, &tally)?;
    sum_round(client, &round_id, Some(&key))
}

/// The kept scores' reads and writes, as the import's counting (`kept_count`) makes them.
impl KeptTx for Client {
    fn asked_of(&mut self, respondent_id: &str) -> Result<(String, Asked)> {
        asked_of(self, respondent_id)?.ok_or(StoreError::NotFound("respondent"))
    }

    fn stored_answers(&mut self, respondent_id: &str) -> Result<AnswerSet> {
        let rows = self.query(
            "SELECT item_key, value, missing FROM answer WHERE respondent_id = $1",
            &[&respondent_id],
        )?;
        Ok(answer_set(&rows))
    }

    fn clear_tallies(&mut self, respondent_id: &str) -> Result<()> {
        self.execute(
            "DELETE FROM respondent_score WHERE respondent_id = $1",
            &[&respondent_id],
        )?;
        Ok(())
    }

    fn write_tally(&mut self, respondent_id: &str, key: &str, tally: &Tally) -> Result<()> {
        write_respondent(self, respondent_id, key, tally)
    }

    fn sum_rounds(&mut self, round_ids: &[&str]) -> Result<()> {
        sum_rounds(self, round_ids, None)
    }
}

fn answer_set(rows: &[Row]) -> AnswerSet {
    rows.iter()
        .map(|row| {
            (
                row.get(0),
                Answer {
                    response: response_from(row.get(1), row.get(2)),
                    comment: String::new(),
                },
            )
        })
        .collect()
}

/// A respondent's round, and whom the items were put to there; `None` when there is no
/// such respondent.
pub(super) fn asked_of(
    client: &mut impl GenericClient,
    respondent_id: &str,
) -> Result<Option<(String, Asked)>> {
    let Some(row) = client.query_typed_opt(
        "SELECT p.round_id, r.kind, p.role FROM respondent p
         JOIN round r ON r.id = p.round_id WHERE p.id = $1",
        &[(&respondent_id, Type::TEXT)],
    )?
    else {
        return Ok(None);
    };
    let asked = Asked::new(kind_from(row.get(1))?, role_from(row.get(2))?);
    Ok(Some((row.get(0), asked)))
}

/// Keeps a respondent's tally in one subdomain; a subdomain without answers has no row.
pub(super) fn write_respondent(
    client: &mut impl GenericClient,
    respondent_id: &str,
    key: &str,
    tally: &Tally,
) -> Result<()> {
    if tally.answered() == 0 {
        client.query_typed(
            "DELETE FROM respondent_score WHERE respondent_id = $1 AND subdomain_key = $2",
            &[(&respondent_id, Type::TEXT), (&key, Type::TEXT)],
        )?;
    } else {
        client.query_typed(
            "INSERT INTO respondent_score
                 (respondent_id, subdomain_key, scored, fraction_sum, dont_know, not_applicable)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (respondent_id, subdomain_key) DO UPDATE SET
                 scored = excluded.scored, fraction_sum = excluded.fraction_sum,
                 dont_know = excluded.dont_know, not_applicable = excluded.not_applicable",
            &[
                (&respondent_id, Type::TEXT),
                (&key, Type::TEXT),
                (&i64::from(tally.scored), Type::INT8),
                (&tally.fraction_sum, Type::FLOAT8),
                (&i64::from(tally.dont_know), Type::INT8),
                (&i64::from(tally.not_applicable), Type::INT8),
            ],
        )?;
    }
    Ok(())
}

/// The shared rules (`store::columns`) with the server's `$N` for SQLite's `?N`.
pub(super) fn server_sql(sql: &str) -> String {
    sql.replace('?', "$")
}

/// Sums the kept tallies of a round's respondents, in one subdomain or in all.
pub(super) fn sum_round(
    client: &mut impl GenericClient,
    round_id: &str,
    key: Option<&str>,
) -> Result<()> {
    sum_rounds(client, &[round_id], key)
}

/// Sums the kept tallies of the rounds' respondents, in one subdomain or in all. The
/// server's `kartlegg_sum_rounds` (`access.sql`) sums them as the owner: a respondent's role
/// moves its round's sums, and may not read the other tallies they are made of.
pub(super) fn sum_rounds(
    client: &mut impl GenericClient,
    round_ids: &[&str],
    key: Option<&str>,
) -> Result<()> {
    // Summed as the owner (a respondent's role reads no other's tallies), in one round trip.
    // `current_user` is a `name`, whose collation ("C") would become the function's and so
    // its comparisons', and then no index on the tables' text keys serves them: ten times
    // slower at every save.
    client.query_typed(
        "SELECT kartlegg_sum_rounds($1, $2, $3, current_user COLLATE \"default\")",
        &[
            (&round_ids, Type::TEXT_ARRAY),
            (&key, Type::TEXT),
            (&(MIN_GROUP as i64), Type::INT8),
        ],
    )?;
    Ok(())
}

fn tally_from(row: &Row, first: usize) -> Tally {
    let count = |i: usize| u32::try_from(row.get::<_, i64>(i)).unwrap_or(u32::MAX);
    Tally {
        slots: 0,
        scored: count(first),
        fraction_sum: row.get(first + 1),
        dont_know: count(first + 2),
        not_applicable: count(first + 3),
    }
}

impl Scores for PgStore {
    fn round_scores(
        &self,
        instrument: &Instrument,
        round_ids: &[&str],
        options: Options,
    ) -> Result<Vec<RoundScores>> {
        self.read(|tx| {
            // Per round, how many respondents of each role are in its n (see SQLite's).
            let mut respondents: HashMap<String, Vec<(Asked, usize)>> = HashMap::new();
            let rows = tx.query(
                &format!(
                    "SELECT j.id, r.kind, p.role, count(*)
                     FROM unnest($1::text[]) AS j(id) JOIN round r ON r.id = j.id
                     JOIN respondent p ON p.round_id = j.id AND {}
                     GROUP BY j.id, r.kind, p.role",
                    server_sql(IN_N)
                ),
                &[&round_ids, &(MIN_GROUP as i64)],
            )?;
            for row in &rows {
                let asked = Asked::new(kind_from(row.get(1))?, role_from(row.get(2))?);
                respondents
                    .entry(row.get(0))
                    .or_default()
                    .push((asked, row.get::<_, i64>(3) as usize));
            }
            let mut kept: HashMap<String, HashMap<String, Tally>> = HashMap::new();
            let rows = tx.query(
                // Each round's rows through the index (LATERAL, kept apart by OFFSET 0 so
                // the planner cannot make it a join again): with `= ANY($1)` it read the
                // whole table (19 ms of the national overview).
                "SELECT s.round_id, s.subdomain_key, s.scored, s.fraction_sum, s.dont_know,
                        s.not_applicable
                 FROM unnest($1::text[]) AS j(id)
                 CROSS JOIN LATERAL (SELECT * FROM round_score s WHERE s.round_id = j.id
                                     OFFSET 0) s",
                &[&round_ids],
            )?;
            for row in &rows {
                kept.entry(row.get(0))
                    .or_default()
                    .insert(row.get(1), tally_from(row, 2));
            }
            if !options.with_consultant {
                let rows = tx.query(
                    &format!(
                        // Each consultant's tallies through the index (LATERAL, kept apart
                        // by OFFSET 0): as a join, the condition's subqueries made the
                        // planner hash the whole of respondent_score (94 ms of the overview).
                        "SELECT p.round_id, s.subdomain_key, s.scored, s.fraction_sum,
                                s.dont_know, s.not_applicable
                         FROM respondent p
                         CROSS JOIN LATERAL (SELECT * FROM respondent_score s
                                             WHERE s.respondent_id = p.id OFFSET 0) s
                         WHERE p.round_id = ANY($1) AND p.role = 'consultant' AND {}",
                        server_sql(COUNTED).replace("$3", "$2")
                    ),
                    &[&round_ids, &(MIN_GROUP as i64)],
                )?;
                for row in &rows {
                    let (round_id, key): (&str, &str) = (row.get(0), row.get(1));
                    if let Some(sum) = kept.get_mut(round_id).and_then(|k| k.get_mut(key)) {
                        sum.remove(&tally_from(row, 2));
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
        })
    }

    fn respondent_scores(
        &self,
        instrument: &Instrument,
        respondent_id: &str,
    ) -> Result<Vec<SectionScore>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT subdomain_key, scored, fraction_sum, dont_know, not_applicable
                 FROM respondent_score WHERE respondent_id = $1",
                &[&respondent_id],
            )?;
            let kept: HashMap<String, Tally> = rows
                .iter()
                .map(|row| (row.get(0), tally_from(row, 1)))
                .collect();
            let groups: Vec<(Asked, usize)> = asked_of(tx, respondent_id)?
                .map(|(_, asked)| (asked, 1))
                .into_iter()
                .collect();
            Ok(from_kept(instrument, &groups, &kept))
        })
    }
}
