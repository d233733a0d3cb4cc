//! Answering alone: a typed code, read and hashed, becomes its respondent's walk with the
//! service and round it belongs to, for both the command (`answer --code`) and the screen
//! that asks for the code.

use chrono::{DateTime, Utc};

use crate::domain::invite;
use crate::domain::model::{Respondent, Round, Service};
use crate::store::{Answers, Backend, StoreError};

/// What a valid code opens: one respondent's walk, and where it belongs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub service: Service,
    pub round: Round,
    pub respondent: Respondent,
}

/// The respondent of the code typed, made on its first use; `None` for a code that is not
/// one, unknown or withdrawn alike, so that no answer tells which codes exist.
pub fn redeem(
    store: &mut impl Backend,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<Option<Claimed>, StoreError> {
    let Some(code) = invite::read(typed) else {
        return Ok(None);
    };
    let key = store.invite_key()?;
    let Some(respondent) = store.claim_invite(&invite::hashes(&code, &key), now)? else {
        return Ok(None);
    };
    claimed(store, respondent).map(Some)
}

/// A respondent's walk with the round and service it belongs to.
fn claimed(store: &impl Answers, respondent: Respondent) -> Result<Claimed, StoreError> {
    let round = store.round(&respondent.round_id)?;
    let service = store.service(&round.service_id)?;
    Ok(Claimed {
        service,
        round,
        respondent,
    })
}

/// On a server, the walk of the respondent whose login role this is (the server checked
/// the code, the role's password); `None` for any other role and on a file.
pub fn own_walk(store: &crate::store::Store) -> Result<Option<Claimed>, StoreError> {
    let Some(respondent) = store.own_respondent()? else {
        return Ok(None);
    };
    claimed(store, respondent).map(Some)
}
