//! Two rounds of one service compared: loaded once, compared once.

use crate::domain::compare::{Comparison, Options, compare};
use crate::domain::instrument::Instrument;
use crate::domain::model::{Round, Service};
use crate::store::{Store, StoreError};

use super::rounds::RoundData;

/// Two rounds of one service side by side, with the n behind every score.
pub struct ComparisonModel<'a> {
    pub service: &'a Service,
    pub from: &'a RoundData,
    pub to: &'a RoundData,
    pub comparison: Comparison,
}

impl<'a> ComparisonModel<'a> {
    pub fn new(
        instrument: &Instrument,
        service: &'a Service,
        from: &'a RoundData,
        to: &'a RoundData,
        options: Options,
    ) -> ComparisonModel<'a> {
        ComparisonModel {
            service,
            from,
            to,
            comparison: compare(instrument, &from.answered(), &to.answered(), options),
        }
    }

    /// Whether a gathering agreed on a value in either round.
    pub fn has_consensus(&self) -> bool {
        !self.from.consensus.is_empty() || !self.to.consensus.is_empty()
    }

    /// The later round is dated before the earlier one: the comparison runs backwards.
    pub fn backwards(&self) -> bool {
        self.from.round.held_on > self.to.round.held_on
    }
}

/// Two rounds loaded, with their answers, stage and consensus, and compared.
pub struct Compared {
    pub from: RoundData,
    pub to: RoundData,
    pub comparison: Comparison,
}

/// Loads two rounds and compares them, as `kartlegg compare` does: what the compare screen
/// needs (the comparison, and each round's consensus in `from.consensus`/`to.consensus`).
pub fn load_and_compare(
    store: &Store,
    instrument: &Instrument,
    from: Round,
    to: Round,
    options: Options,
) -> Result<Compared, StoreError> {
    let from = RoundData::load(store, from)?;
    let to = RoundData::load(store, to)?;
    let comparison = compare(instrument, &from.answered(), &to.answered(), options);
    Ok(Compared {
        from,
        to,
        comparison,
    })
}
