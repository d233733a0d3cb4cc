//! Kept scores counted while an import streams its answers in, the same for every backend:
//! the counting is the domain's (`Tally::add`, `subdomain_tally`), and a backend gives the
//! few reads and writes it needs of its open transaction (`KeptTx`).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::domain::instrument::{Asked, Instrument, Scale, Subdomain};
use crate::domain::model::Response;
use crate::domain::scoring::{AnswerSet, Tally, subdomain_key};
use crate::store::Result;

/// What the kept scores read and write in a backend's open transaction.
pub(crate) trait KeptTx {
    /// A respondent's round, and whom the items were put to there.
    fn asked_of(&mut self, respondent_id: &str) -> Result<(String, Asked)>;
    /// A respondent's answers as stored (their responses; the comments are not needed).
    fn stored_answers(&mut self, respondent_id: &str) -> Result<AnswerSet>;
    /// Removes every kept tally of a respondent.
    fn clear_tallies(&mut self, respondent_id: &str) -> Result<()>;
    /// Keeps a respondent's tally in one subdomain; one without answers has no row.
    fn write_tally(&mut self, respondent_id: &str, key: &str, tally: &Tally) -> Result<()>;
    /// Sums the kept tallies of the rounds' respondents, in every subdomain.
    fn sum_rounds(&mut self, round_ids: &[&str]) -> Result<()>;
}

/// Computes again every kept score of the given respondents; gives their rounds, whose
/// sums are then out of date.
pub(crate) fn score_again<'a>(
    tx: &mut impl KeptTx,
    instrument: &Instrument,
    respondent_ids: impl IntoIterator<Item = &'a str>,
) -> Result<BTreeSet<String>> {
    let mut rounds = BTreeSet::new();
    for respondent_id in respondent_ids {
        let answers = tx.stored_answers(respondent_id)?;
        tx.clear_tallies(respondent_id)?;
        let (round_id, asked) = tx.asked_of(respondent_id)?;
        for (key, tally) in respondent_tallies(instrument, &answers, asked) {
            tx.write_tally(respondent_id, &key, &tally)?;
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
        tx: &mut impl KeptTx,
        respondent_id: &str,
    ) -> Result<()> {
        let (round_id, asked) = tx.asked_of(respondent_id)?;
        self.added.insert(respondent_id.to_string(), asked);
        self.rounds.insert(round_id);
        Ok(())
    }

    /// An answer the import added (none was there for its respondent and item).
    pub(crate) fn answer_added(
        &mut self,
        tx: &mut impl KeptTx,
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
            self.write_counted(tx)?;
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

    fn write_counted(&mut self, tx: &mut impl KeptTx) -> Result<()> {
        let Some((respondent_id, _, tallies)) = self.counting.take() else {
            return Ok(());
        };
        for (key, tally) in self.subdomain_keys.iter().zip(&tallies) {
            if tally.answered() > 0 {
                tx.write_tally(&respondent_id, key, tally)?;
            }
        }
        self.written.insert(respondent_id);
        Ok(())
    }

    /// Writes what is counted, computes the rest again, and sums every round touched.
    pub(crate) fn finish(mut self, tx: &mut impl KeptTx) -> Result<()> {
        self.write_counted(tx)?;
        let mut rounds = score_again(tx, self.instrument, self.again.iter().map(String::as_str))?;
        rounds.append(&mut self.rounds);
        tx.sum_rounds(&rounds.iter().map(String::as_str).collect::<Vec<_>>())
    }
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
