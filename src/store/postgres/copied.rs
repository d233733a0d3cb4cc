//! The import's rows sent in bulk: a row the import knows the server will take as it is (a
//! new answer, the first change of an answer the import added, a new respondent's tally) is
//! held here and sent with others by one `COPY`, instead of one statement and one round
//! trip each. What is held is sent before any statement that could see it (`Held::send`), so
//! the server sees the file's rows in the file's order, and a read never misses one.
//!
//! Whether an answer is new is known from one look per batch of the file (`Ahead`): its id
//! and its respondent and item, absent then and not taken by a row of the batch since, are
//! absent still (an import never removes an answer, nor changes an answer's id, respondent
//! or item). The look goes by the answers' keys one by one (`OFFSET 0` keeps it so): the
//! table grows during the import faster than the server's picture of it, and a plan by
//! that picture read it whole for each batch.

use std::collections::{HashMap, HashSet};

use postgres::Client;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;

use super::kept;
use crate::domain::instrument::Asked;
use crate::domain::scoring::{AnswerSet, Tally};
use crate::exchange::import::{Content, StoredAnswer};
use crate::exchange::read::Parsed;
use crate::exchange::{AnswerRow, HistoryRow};
use crate::store::Result;
use crate::store::kept_count::KeptTx;

/// Rows held for the next `COPY`, in the order they came.
#[derive(Default)]
pub(super) struct Held {
    answers: Vec<AnswerRow>,
    history: Vec<HistoryRow>,
    tallies: Vec<(String, String, Tally)>,
}

/// More than this many held rows are sent without waiting for the next statement.
const MOST_HELD: usize = 4096;

impl Held {
    pub(super) fn answer(&mut self, row: &AnswerRow) {
        self.answers.push(row.clone());
    }

    pub(super) fn change(
        &mut self,
        answer: &StoredAnswer,
        respondent_id: &str,
        old: Option<&Content>,
        new: &Content,
        at: &str,
    ) {
        self.history.push(HistoryRow {
            answer_id: answer.id.clone(),
            respondent_id: respondent_id.to_string(),
            old_value: old.and_then(|old| old.value),
            old_missing: old.and_then(|old| old.missing.clone()),
            old_comment: old.map(|old| old.comment.clone()),
            new_value: new.value,
            new_missing: new.missing.clone(),
            new_comment: new.comment.clone(),
            changed_at: at.to_string(),
        });
    }

    fn len(&self) -> usize {
        self.answers.len() + self.history.len() + self.tallies.len()
    }

    /// Sends what is held when there is a lot of it.
    pub(super) fn send_when_full(&mut self, client: &mut Client) -> Result<()> {
        if self.len() >= MOST_HELD {
            self.send(client)?;
        }
        Ok(())
    }

    /// Sends every held row: the answers before the changes that refer to them.
    pub(super) fn send(&mut self, client: &mut Client) -> Result<()> {
        copy(
            client,
            "COPY answer (id, respondent_id, item_key, value, missing, comment, updated_at)
             FROM STDIN (FORMAT binary)",
            &[
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
            ],
            self.answers.drain(..),
            |a, row| {
                row.write(&[
                    &a.id,
                    &a.respondent_id,
                    &a.item_key,
                    &a.value,
                    &a.missing,
                    &a.comment,
                    &a.updated_at,
                ])
            },
        )?;
        copy(
            client,
            "COPY answer_history (answer_id, respondent_id, old_value, old_missing, old_comment,
                                  new_value, new_missing, new_comment, changed_at)
             FROM STDIN (FORMAT binary)",
            &[
                Type::TEXT,
                Type::TEXT,
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
            ],
            self.history.drain(..),
            |h, row| {
                row.write(&[
                    &h.answer_id,
                    &h.respondent_id,
                    &h.old_value,
                    &h.old_missing,
                    &h.old_comment,
                    &h.new_value,
                    &h.new_missing,
                    &h.new_comment,
                    &h.changed_at,
                ])
            },
        )?;
        copy(
            client,
            "COPY respondent_score (respondent_id, subdomain_key, scored, fraction_sum,
                                    dont_know, not_applicable)
             FROM STDIN (FORMAT binary)",
            &[
                Type::TEXT,
                Type::TEXT,
                Type::INT8,
                Type::FLOAT8,
                Type::INT8,
                Type::INT8,
            ],
            self.tallies.drain(..),
            |(respondent_id, key, tally), row| {
                row.write(&[
                    &respondent_id,
                    &key,
                    &i64::from(tally.scored),
                    &tally.fraction_sum,
                    &i64::from(tally.dont_know),
                    &i64::from(tally.not_applicable),
                ])
            },
        )
    }
}

/// One `COPY … FROM STDIN` of `rows`, nothing sent when there are none.
fn copy<T>(
    client: &mut Client,
    statement: &str,
    types: &[Type],
    rows: impl ExactSizeIterator<Item = T>,
    write: impl Fn(T, &mut BinaryCopyInWriter<'_>) -> Result<(), postgres::Error>,
) -> Result<()> {
    if rows.len() == 0 {
        return Ok(());
    }
    let mut writer = BinaryCopyInWriter::new(client.copy_in(statement)?, types);
    for row in rows {
        write(row, &mut writer)?;
    }
    writer.finish()?;
    Ok(())
}

/// What one look told of a batch of the file's rows before they are merged.
#[derive(Default)]
pub(super) struct Ahead {
    /// The ids of the batch's answers: of these alone is it known whether they are taken.
    looked: HashSet<String>,
    /// Answer ids and respondent-and-item pairs taken: here then, or added since.
    taken_ids: HashSet<String>,
    taken_pairs: HashSet<(String, String)>,
    /// The answers the batch's changes are of, as `MergeTx::answer_by_id` gives them.
    answers: HashMap<String, (StoredAnswer, String, String)>,
}

impl Ahead {
    /// Looks up at once what merging `rows` will ask of the answers here, held ones
    /// included.
    pub(super) fn look(
        client: &mut Client,
        held: &mut Held,
        rows: &[(Parsed, crate::exchange::read::Place)],
    ) -> Result<Ahead> {
        let mut ids = Vec::new();
        let mut respondents = Vec::new();
        let mut items = Vec::new();
        let mut changed = Vec::new();
        for (parsed, _) in rows {
            match parsed {
                Parsed::Answer(a) => {
                    ids.push(a.id.as_str());
                    respondents.push(a.respondent_id.as_str());
                    items.push(a.item_key.as_str());
                }
                Parsed::History(h) => changed.push(h.answer_id.as_str()),
                _ => {}
            }
        }
        let mut ahead = Ahead::default();
        // Changes are of answers on the server (changes held may wait); answers are looked
        // for among the held too.
        if !changed.is_empty() && !held.answers.is_empty() {
            held.send(client)?;
        }
        if !ids.is_empty() {
            let wanted_ids: HashSet<&str> = ids.iter().copied().collect();
            let wanted_pairs: HashSet<(&str, &str)> = respondents
                .iter()
                .copied()
                .zip(items.iter().copied())
                .collect();
            for a in &held.answers {
                if wanted_ids.contains(a.id.as_str())
                    || wanted_pairs.contains(&(a.respondent_id.as_str(), a.item_key.as_str()))
                {
                    ahead.taken(a);
                }
            }
            let found = client.query_typed(
                "SELECT a.id, a.respondent_id, a.item_key FROM unnest($1::text[]) AS wanted (id)
                 CROSS JOIN LATERAL (SELECT * FROM answer a WHERE a.id = wanted.id OFFSET 0) a
                 UNION ALL
                 SELECT a.id, a.respondent_id, a.item_key
                 FROM unnest($2::text[], $3::text[]) AS wanted (respondent_id, item_key)
                 CROSS JOIN LATERAL (SELECT * FROM answer a
                                     WHERE a.respondent_id = wanted.respondent_id
                                       AND a.item_key = wanted.item_key OFFSET 0) a",
                &[
                    (&ids, Type::TEXT_ARRAY),
                    (&respondents, Type::TEXT_ARRAY),
                    (&items, Type::TEXT_ARRAY),
                ],
            )?;
            for row in found {
                ahead.taken_ids.insert(row.get(0));
                ahead.taken_pairs.insert((row.get(1), row.get(2)));
            }
            ahead.looked = ids.into_iter().map(str::to_string).collect();
        }
        if !changed.is_empty() {
            let found = client.query_typed(
                "SELECT a.id, a.rowid, a.respondent_id, a.item_key
                 FROM unnest($1::text[]) AS wanted (id)
                 CROSS JOIN LATERAL (SELECT * FROM answer a WHERE a.id = wanted.id OFFSET 0) a",
                &[(&changed, Type::TEXT_ARRAY)],
            )?;
            for row in found {
                let id: String = row.get(0);
                let stored = StoredAnswer {
                    place: row.get(1),
                    id: id.clone(),
                };
                ahead.answers.insert(id, (stored, row.get(2), row.get(3)));
            }
        }
        Ok(ahead)
    }

    /// Whether an answer is surely new here: neither its id nor its respondent and item
    /// taken.
    pub(super) fn surely_new(&self, row: &AnswerRow) -> bool {
        self.looked.contains(&row.id)
            && !self.taken_ids.contains(&row.id)
            && !self
                .taken_pairs
                .contains(&(row.respondent_id.clone(), row.item_key.clone()))
    }

    /// An answer added, by whatever way: its id and its respondent and item are taken.
    pub(super) fn taken(&mut self, row: &AnswerRow) {
        self.taken_ids.insert(row.id.clone());
        self.taken_pairs
            .insert((row.respondent_id.clone(), row.item_key.clone()));
    }

    /// The answer with this id, when the look found it.
    pub(super) fn answer(&self, id: &str) -> Option<(StoredAnswer, String, String)> {
        self.answers.get(id).cloned()
    }
}

/// The kept scores' reads and writes during the import: a tally is held for the next
/// `COPY`, and every statement but a respondent's round sends what is held first.
pub(super) struct Counting<'a> {
    pub(super) client: &'a mut Client,
    pub(super) held: &'a mut Held,
}

impl KeptTx for Counting<'_> {
    /// Reads the parents' tables alone, which no held row touches.
    fn asked_of(&mut self, respondent_id: &str) -> Result<(String, Asked)> {
        self.client.asked_of(respondent_id)
    }

    fn stored_answers(&mut self, respondent_id: &str) -> Result<AnswerSet> {
        self.held.send(self.client)?;
        self.client.stored_answers(respondent_id)
    }

    fn clear_tallies(&mut self, respondent_id: &str) -> Result<()> {
        self.held.send(self.client)?;
        self.client.clear_tallies(respondent_id)
    }

    /// A tally is written for a respondent with none kept: one the import added, counted
    /// once (`Counter`), or one whose tallies were just cleared. So a plain row suffices
    /// where `kept::write_respondent` writes over one; a row there after all is refused by
    /// the server's key, never written twice.
    fn write_tally(&mut self, respondent_id: &str, key: &str, tally: &Tally) -> Result<()> {
        if tally.answered() == 0 {
            self.held.send(self.client)?;
            return kept::write_respondent(self.client, respondent_id, key, tally);
        }
        self.held
            .tallies
            .push((respondent_id.to_string(), key.to_string(), *tally));
        self.held.send_when_full(self.client)
    }

    fn sum_rounds(&mut self, round_ids: &[&str]) -> Result<()> {
        self.held.send(self.client)?;
        self.client.sum_rounds(round_ids)
    }
}
