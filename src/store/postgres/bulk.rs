//! Loading many rows at once on the server, for the large demos: a batch of services with
//! their rounds, respondents and answers in one transaction, as SQLite's (`sqlite::bulk`):
//! each answer with one history row, the kept scores computed from the answers in hand.

use std::collections::BTreeSet;

use super::{PgStore, kept};
use crate::domain::instrument::Instrument;
use crate::domain::scoring::AnswerSet;
use crate::store::bulk::Batch;
use crate::store::columns::response_columns;
use crate::store::kept_count::respondent_tallies;
use crate::store::{Result, StoreError};

impl PgStore {
    /// Writes a batch as one transaction. Rows already there are an error, as for any
    /// other write: the batch is new data.
    pub fn load_batch(&mut self, instrument: &Instrument, batch: &Batch) -> Result<()> {
        self.write(|tx| {
            let service = tx.prepare(
                "INSERT INTO service (id, name, municipalities, cluster, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )?;
            for (s, at) in &batch.services {
                let municipalities = s.municipalities.join(",");
                tx.execute(&service, &[&s.id, &s.name, &municipalities, &s.cluster, at])?;
            }
            let round = tx.prepare(
                "INSERT INTO round (id, service_id, label, held_on, kind, instrument_key,
                                    instrument_version, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )?;
            for (r, at) in &batch.rounds {
                tx.execute(
                    &round,
                    &[
                        &r.id,
                        &r.service_id,
                        &r.label,
                        &r.held_on.to_string(),
                        &r.kind.code(),
                        &r.instrument_key,
                        &r.instrument_version,
                        at,
                    ],
                )?;
            }
            let respondent = tx.prepare(
                "INSERT INTO respondent (id, round_id, role, code, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )?;
            let answer = tx.prepare(
                "INSERT INTO answer (id, respondent_id, item_key, value, missing, comment,
                                     updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )?;
            let history = tx.prepare(
                "INSERT INTO answer_history (answer_id, respondent_id, new_value, new_missing,
                                             new_comment, changed_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )?;
            for r in &batch.respondents {
                let p = &r.respondent;
                tx.execute(
                    &respondent,
                    &[&p.id, &p.round_id, &p.role.code(), &p.code, &r.created_at],
                )?;
                for a in &r.answers {
                    let (value, missing) = response_columns(a.answer.response);
                    let comment = &a.answer.comment;
                    tx.execute(
                        &answer,
                        &[&a.id, &p.id, &a.item_key, &value, &missing, comment, &a.at],
                    )?;
                    tx.execute(&history, &[&a.id, &p.id, &value, &missing, comment, &a.at])?;
                }
                let answers: AnswerSet = (r.answers.iter())
                    .map(|a| (a.item_key.clone(), a.answer.clone()))
                    .collect();
                let (_, asked) =
                    kept::asked_of(tx, &p.id)?.ok_or(StoreError::NotFound("respondent"))?;
                for (key, tally) in respondent_tallies(instrument, &answers, asked) {
                    kept::write_respondent(tx, &p.id, &key, &tally)?;
                }
            }
            let rounds: BTreeSet<&str> = (batch.rounds.iter())
                .map(|(r, _)| r.id.as_str())
                .chain(
                    batch
                        .respondents
                        .iter()
                        .map(|r| r.respondent.round_id.as_str()),
                )
                .collect();
            kept::sum_rounds(tx, &rounds.into_iter().collect::<Vec<_>>(), None)
        })
    }
}
