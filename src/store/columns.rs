//! What both backends write and read the same way: an answer's response as two columns, the
//! rules of which kept tallies a round's sum counts, and a round's scores from its sums.
//! Their SQL is written once, with SQLite's `?N`; the server's backend reads `$N`.

use std::collections::HashMap;

use crate::domain::compare::Options;
use crate::domain::instrument::{Asked, Instrument};
use crate::domain::model::{Response, Role};
use crate::domain::needs::{Expectation, Expectations, Need, NeedField, top_three_full};
use crate::domain::scoring::{Tally, from_kept};
use crate::exchange::import::Valued;
use crate::store::{Result, RoundScores, StoreError};

/// A response as the `value` and `missing` columns hold it.
pub(crate) fn response_columns(response: Option<Response>) -> (Option<i64>, Option<&'static str>) {
    match response {
        Some(Response::Score(v)) => (Some(i64::from(v)), None),
        Some(Response::DontKnow) => (None, Some("dont_know")),
        Some(Response::NotApplicable) => (None, Some("not_applicable")),
        None => (None, None),
    }
}

/// A response from its `value` and `missing` columns.
pub(crate) fn response_from(value: Option<i64>, missing: Option<&str>) -> Option<Response> {
    match (value, missing) {
        (Some(v), _) => u8::try_from(v).ok().map(Response::Score),
        (None, Some("dont_know")) => Some(Response::DontKnow),
        (None, Some("not_applicable")) => Some(Response::NotApplicable),
        _ => None,
    }
}

/// Whether the tally `s` of respondent `p` is counted in its round's sum: not when `p`
/// answered by code and a code of the round is still open, or fewer than `MIN_GROUP`
/// (`?3`) of the round's respondents by code have a score in that subdomain
/// (`domain::compare::hold_back_codes`, the same rule over the answers). Closing answering
/// alone sums the round again (`Invites::close_invites`), bringing them in.
pub(crate) const COUNTED: &str = "(NOT EXISTS (SELECT 1 FROM invite i WHERE i.respondent_id = p.id)
     OR (NOT EXISTS (SELECT 1 FROM invite o WHERE o.round_id = p.round_id
                     AND o.withdrawn_at IS NULL)
         AND (SELECT count(*) FROM invite i
              JOIN respondent_score c ON c.respondent_id = i.respondent_id
              WHERE i.round_id = p.round_id AND c.subdomain_key = s.subdomain_key
                AND c.scored > 0) >= ?3))";

/// Whether respondent `p` is in its round's n: not when they answered by code and a code
/// of the round is still open, or the round has fewer than `MIN_GROUP` (`?2`) respondents
/// by code.
pub(crate) const IN_N: &str = "(NOT EXISTS (SELECT 1 FROM invite i WHERE i.respondent_id = p.id)
     OR (NOT EXISTS (SELECT 1 FROM invite o WHERE o.round_id = p.round_id
                     AND o.withdrawn_at IS NULL)
         AND (SELECT count(*) FROM invite i WHERE i.round_id = p.round_id
              AND i.respondent_id IS NOT NULL) >= ?2))";

/// The scores of `round_ids`, in their order, from how many of each role are in each
/// round's n and the round's kept sums (the process leader's taken out already unless
/// `options` pools them). A round not found has no respondents.
pub(crate) fn round_scores(
    instrument: &Instrument,
    round_ids: &[&str],
    options: Options,
    respondents: &HashMap<String, Vec<(Asked, usize)>>,
    kept: &HashMap<String, HashMap<String, Tally>>,
) -> Vec<RoundScores> {
    let none = HashMap::new();
    round_ids
        .iter()
        .map(|id| {
            let groups = respondents.get(*id).map_or(&[][..], Vec::as_slice);
            let (counted, apart): (Vec<_>, Vec<_>) = groups
                .iter()
                .partition(|(asked, _)| options.with_consultant || asked.role != Role::Consultant);
            let sum = |groups: &[(Asked, usize)]| groups.iter().map(|(_, n)| n).sum();
            RoundScores {
                respondents: sum(&counted),
                apart: sum(&apart),
                sections: from_kept(instrument, &counted, kept.get(*id).unwrap_or(&none)),
            }
        })
        .collect()
}

/// The parts of a change log key that a value's row holds: `round_id` for a stage, the two
/// halves of `goal_id/round_id` or `round_id/subdomain_key` for the others.
pub(crate) fn key_parts(valued: Valued, key: &str) -> Vec<&str> {
    match (valued, key.split_once('/')) {
        (Valued::RoundStage, _) | (_, None) => vec![key],
        (_, Some((first, second))) => vec![first, second],
    }
}

/// What one change makes of a round's need for an area, from the round's needs as they
/// are: the need before (if there was one) and after. A fourth top priority is refused.
pub(crate) fn need_changed(
    needs: &[Need],
    area_key: &str,
    change: &NeedField,
) -> Result<(Option<Need>, Need)> {
    let old = needs.iter().find(|n| n.area_key == area_key).cloned();
    if *change == NeedField::TopThree(true) && top_three_full(needs, area_key) {
        return Err(StoreError::TopThreeFull);
    }
    let mut new = old.clone().unwrap_or_else(|| Need {
        area_key: area_key.to_string(),
        ..Need::default()
    });
    change.apply(&mut new);
    Ok((old, new))
}

/// Expectations as the store keeps them: one order and each choice once, whatever the
/// caller gave.
pub(crate) fn expectations_kept(given: &Expectations) -> Expectations {
    Expectations {
        wants: Expectation::ALL
            .iter()
            .copied()
            .filter(|e| given.wants.contains(e))
            .collect(),
        ..given.clone()
    }
}

/// A round's note (expectations, facts) as one side of its change log entry: an empty one
/// is no row, so none.
pub(crate) fn note_side<T: Clone + Default + PartialEq>(note: &T) -> Option<T> {
    (*note != T::default()).then(|| note.clone())
}
