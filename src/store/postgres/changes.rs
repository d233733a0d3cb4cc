//! The change log on the server: what every write of plans, needs, positions and clusters
//! appends in its own transaction, as SQLite's (`store::sqlite::plan::log`) does.

use chrono::{DateTime, Utc};
use postgres::GenericClient;
use serde::Serialize;

use super::PgStore;
use crate::store::{Change, ChangeLog, DriverError, DriverKind, Result, StoreError, timestamp};

/// Appends one change of `entity` under `key`: the row before and after as JSON (serde's,
/// the same text on either backend), `None` for a side that is not there.
pub(super) fn log<T: Serialize>(
    client: &mut impl GenericClient,
    entity: &str,
    key: &str,
    old: Option<&T>,
    new: Option<&T>,
    now: DateTime<Utc>,
) -> Result<()> {
    let json = |value: Option<&T>| -> Result<Option<String>> {
        value
            .map(|v| {
                serde_json::to_string(v).map_err(|e| {
                    StoreError::Database(DriverError {
                        kind: DriverKind::Other,
                        detail: format!("a change not written as JSON: {e}"),
                    })
                })
            })
            .transpose()
    };
    log_snapshots(client, entity, key, json(old)?, json(new)?, now)
}

/// Appends one change whose sides are JSON already.
pub(super) fn log_snapshots(
    client: &mut impl GenericClient,
    entity: &str,
    key: &str,
    old: Option<String>,
    new: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    client.execute(
        "INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
         VALUES ($1, $2, $3, $4, $5)",
        &[&entity, &key, &old, &new, &timestamp(now)],
    )?;
    Ok(())
}

impl ChangeLog for PgStore {
    fn changes(&self, entity: &str, entity_key: &str) -> Result<Vec<Change>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT old_json, new_json, changed_at FROM change_log
                 WHERE entity = $1 AND entity_key = $2 ORDER BY seq",
                &[&entity, &entity_key],
            )?;
            Ok(rows
                .iter()
                .map(|row| Change {
                    old_json: row.get(0),
                    new_json: row.get(1),
                    changed_at: row.get(2),
                })
                .collect())
        })
    }
}
