//! Loading two rounds and comparing them, as the comparison screen needs it. A use case
//! both faces share (`cli/report_model.rs` does the same); it waits here, as one function,
//! for the shared module that will hold it.

use std::collections::HashMap;

use crate::domain::compare::{Comparison, Options, answered, compare};
use crate::domain::instrument::Instrument;
use crate::domain::model::Round;
use crate::store::{Store, StoreError};

/// The comparison of two rounds, and the gatherings' consensus values of each, by
/// subdomain key.
pub fn comparison_of(
    store: &Store,
    instrument: &Instrument,
    from: &Round,
    to: &Round,
    options: Options,
) -> Result<(Comparison, [HashMap<String, u8>; 2]), StoreError> {
    let (before, after) = (store.round_answers(&from.id)?, store.round_answers(&to.id)?);
    let consensus = [store.consensus(&from.id)?, store.consensus(&to.id)?];
    let comparison = compare(instrument, &answered(&before), &answered(&after), options);
    Ok((comparison, consensus))
}
