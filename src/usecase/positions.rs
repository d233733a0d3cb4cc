//! A round's positions with their status against the 2031 requirement, and the status
//! round by round, as every face loads them.

use crate::domain::model::Round;
use crate::domain::requirement::{
    Position, Requirement, RoundStatus, Status, StatusTable, status_by_round, status_table,
    statuses,
};
use crate::store::{Backend, StoreError};

/// One round's positions, each with its status on the round's date, in the order they were
/// added, and the table of counts per role (small groups suppressed).
pub struct PositionsData {
    pub positions: Vec<(Position, Status)>,
    pub table: StatusTable,
}

impl PositionsData {
    pub fn load(
        store: &impl Backend,
        round: &Round,
        min_group: usize,
    ) -> Result<PositionsData, StoreError> {
        let requirement = Requirement::standard();
        let positions = store.positions(&round.id)?;
        let statuses = statuses(requirement, round, &positions);
        let table = status_table(requirement, &statuses, min_group);
        Ok(PositionsData {
            positions: positions
                .into_iter()
                .zip(statuses.into_iter().map(|(_, status)| status))
                .collect(),
            table,
        })
    }
}

/// The status table of each of `rounds`, sorted by date: the trend of a service's progress
/// towards the requirement (plain data, for the trend screen and the report).
pub fn positions_by_round(
    store: &impl Backend,
    rounds: &[Round],
    min_group: usize,
) -> Result<Vec<RoundStatus>, StoreError> {
    let loaded = rounds
        .iter()
        .map(|round| Ok((round.clone(), store.positions(&round.id)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(status_by_round(Requirement::standard(), &loaded, min_group))
}
