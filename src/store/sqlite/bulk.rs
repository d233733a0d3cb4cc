//! Loading many rows at once, for the large demos: a batch of services with their rounds,
//! respondents and answers in one transaction, through prepared statements. Each answer
//! gets one history row (its first version), as the answers saved one by one do, and the
//! kept scores are computed from the answers in hand.

use rusqlite::params;

use super::{FileStore, Result, kept, response_columns};
use crate::domain::instrument::Instrument;
use crate::domain::model::{Answer, Respondent, Round, Service};
use crate::domain::scoring::AnswerSet;

/// Rows to write together; times are the store's form (`store::timestamp`).
#[derive(Debug, Default)]
pub struct Batch {
    pub services: Vec<(Service, String)>,
    pub rounds: Vec<(Round, String)>,
    pub respondents: Vec<BatchRespondent>,
}

#[derive(Debug)]
pub struct BatchRespondent {
    pub respondent: Respondent,
    pub created_at: String,
    pub answers: Vec<BatchAnswer>,
}

#[derive(Debug)]
pub struct BatchAnswer {
    pub id: String,
    pub item_key: String,
    pub answer: Answer,
    pub at: String,
}

impl FileStore {
    /// Writes a batch as one transaction. Rows already there are an error, as for any
    /// other write: the batch is new data.
    pub fn load_batch(&mut self, instrument: &Instrument, batch: &Batch) -> Result<()> {
        self.write(|tx| {
            let mut service = tx.prepare_cached(
                "INSERT INTO service (id, name, municipalities, cluster, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?;
            for (s, at) in &batch.services {
                service.execute(params![
                    s.id,
                    s.name,
                    s.municipalities.join(","),
                    s.cluster,
                    at
                ])?;
            }
            let mut round = tx.prepare_cached(
                "INSERT INTO round (id, service_id, label, held_on, kind, instrument_key,
                                    instrument_version, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for (r, at) in &batch.rounds {
                round.execute(params![
                    r.id,
                    r.service_id,
                    r.label,
                    r.held_on.to_string(),
                    r.kind.code(),
                    r.instrument_key,
                    r.instrument_version,
                    at
                ])?;
            }
            let mut respondent = tx.prepare_cached(
                "INSERT INTO respondent (id, round_id, role, code, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut answer = tx.prepare_cached(
                "INSERT INTO answer (id, respondent_id, item_key, value, missing, comment,
                                     updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut history = tx.prepare_cached(
                "INSERT INTO answer_history (answer_id, respondent_id, new_value, new_missing,
                                             new_comment, changed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for r in &batch.respondents {
                let p = &r.respondent;
                respondent.execute(params![
                    p.id,
                    p.round_id,
                    p.role.code(),
                    p.code,
                    r.created_at
                ])?;
                for a in &r.answers {
                    let (value, missing) = response_columns(a.answer.response);
                    let comment = &a.answer.comment;
                    answer.execute(params![
                        a.id, p.id, a.item_key, value, missing, comment, a.at
                    ])?;
                    history.execute(params![a.id, p.id, value, missing, comment, a.at])?;
                }
                let answers: AnswerSet = r
                    .answers
                    .iter()
                    .map(|a| (a.item_key.clone(), a.answer.clone()))
                    .collect();
                let (_, asked) = kept::asked_of(tx, &p.id)?;
                for (key, tally) in kept::respondent_tallies(instrument, &answers, asked) {
                    kept::write_respondent(tx, &p.id, &key, &tally)?;
                }
            }
            let rounds: std::collections::BTreeSet<&str> = (batch.rounds.iter())
                .map(|(r, _)| r.id.as_str())
                .chain(
                    batch
                        .respondents
                        .iter()
                        .map(|r| r.respondent.round_id.as_str()),
                )
                .collect();
            for round_id in rounds {
                kept::sum_round(tx, round_id, None)?;
            }
            Ok(())
        })
    }
}
