//! Plans, goals, the implementation stage and consensus values: each change one
//! transaction, with a JSON snapshot of before and after in the append-only `change_log`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, ToSql, params, params_from_iter};
use serde::Serialize;

use super::{FileStore, Result, StoreError, timestamp};
use crate::domain::model::new_id;
use crate::domain::plan::{Goal, GoalStatus, Level, PlanItem, PlanKind, Stage};
use crate::exchange::check::snapshot_of;
use crate::exchange::import::Valued;
use crate::store::columns::key_parts;
use crate::store::{Change, ChangeLog, Plans};

pub(super) fn log<T: Serialize>(
    tx: &Connection,
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
                    StoreError::from(rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
                })
            })
            .transpose()
    };
    log_snapshots(tx, entity, key, json(old)?, json(new)?, now)
}

fn log_snapshots(
    tx: &Connection,
    entity: &str,
    key: &str,
    old: Option<String>,
    new: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO change_log (entity, entity_key, old_json, new_json, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![entity, key, old, new, timestamp(now)],
    )?;
    Ok(())
}

// ---- the values under a change log key: a goal's status, a round's stage, consensus ----

/// How SQLite keeps each kind of value: one reading, writing and removing of each, for the
/// screens' changes and the import's.
struct ValuedSql {
    select: &'static str,
    put: &'static str,
    delete: &'static str,
}

fn valued_sql(valued: Valued) -> ValuedSql {
    match valued {
        Valued::GoalStatus => ValuedSql {
            select: "SELECT status, updated_at FROM goal_status
                     WHERE goal_id = ?1 AND round_id = ?2",
            put: "INSERT INTO goal_status (goal_id, round_id, status, updated_at)
                  VALUES (?1, ?2, ?3, ?4)
                  ON CONFLICT (goal_id, round_id) DO UPDATE SET
                     status = excluded.status, updated_at = excluded.updated_at",
            delete: "DELETE FROM goal_status WHERE goal_id = ?1 AND round_id = ?2",
        },
        Valued::RoundStage => ValuedSql {
            select: "SELECT stage, updated_at FROM round_stage WHERE round_id = ?1",
            put: "INSERT INTO round_stage (round_id, stage, updated_at) VALUES (?1, ?2, ?3)
                  ON CONFLICT (round_id) DO UPDATE SET
                     stage = excluded.stage, updated_at = excluded.updated_at",
            delete: "DELETE FROM round_stage WHERE round_id = ?1",
        },
        Valued::Consensus => ValuedSql {
            select: "SELECT value, updated_at FROM consensus
                     WHERE round_id = ?1 AND subdomain_key = ?2",
            put: "INSERT INTO consensus (round_id, subdomain_key, value, updated_at)
                  VALUES (?1, ?2, ?3, ?4)
                  ON CONFLICT (round_id, subdomain_key) DO UPDATE SET
                     value = excluded.value, updated_at = excluded.updated_at",
            delete: "DELETE FROM consensus WHERE round_id = ?1 AND subdomain_key = ?2",
        },
    }
}

/// The value under `key` (a code, or consensus's number) and when it was set.
pub(super) fn current_value(
    conn: &Connection,
    valued: Valued,
    key: &str,
) -> rusqlite::Result<Option<(Value, String)>> {
    conn.prepare_cached(valued_sql(valued).select)?
        .query_row(params_from_iter(key_parts(valued, key)), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
}

pub(super) fn put_value(
    conn: &Connection,
    valued: Valued,
    key: &str,
    value: &Value,
    at: &str,
) -> rusqlite::Result<()> {
    let mut columns: Vec<&dyn ToSql> = Vec::new();
    let parts = key_parts(valued, key);
    columns.extend(parts.iter().map(|p| p as &dyn ToSql));
    columns.push(value);
    columns.push(&at);
    conn.prepare_cached(valued_sql(valued).put)?
        .execute(params_from_iter(columns))?;
    Ok(())
}

pub(super) fn remove_value(conn: &Connection, valued: Valued, key: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(valued_sql(valued).delete)?
        .execute(params_from_iter(key_parts(valued, key)))?;
    Ok(())
}

/// A value as the change log writes it: the code as a JSON string, a number as a number.
pub(super) fn snapshot(value: &Value) -> String {
    match value {
        Value::Text(code) => snapshot_of(code),
        Value::Integer(number) => snapshot_of(number),
        other => snapshot_of(&format!("{other:?}")),
    }
}

/// Sets, changes or (with `None`) removes a value, and logs the change, in the write's own
/// transaction: read before it, another kartlegg's value set in between would be logged as
/// never there.
fn set_value(
    tx: &Connection,
    valued: Valued,
    key: &str,
    new: Option<Value>,
    now: DateTime<Utc>,
) -> Result<()> {
    let old = current_value(tx, valued, key)?.map(|(value, _)| value);
    if old == new {
        return Ok(());
    }
    match &new {
        Some(value) => put_value(tx, valued, key, value, &timestamp(now))?,
        None => remove_value(tx, valued, key)?,
    }
    let (old, new) = (old.as_ref().map(snapshot), new.as_ref().map(snapshot));
    log_snapshots(tx, valued.entity(), key, old, new, now)
}

fn date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.to_string())
}

fn parse_date(column: usize, text: Option<String>) -> rusqlite::Result<Option<NaiveDate>> {
    text.map(|t| {
        t.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                column,
                rusqlite::types::Type::Text,
                Box::new(e),
            )
        })
    })
    .transpose()
}

pub(super) fn code<T>(
    column: usize,
    text: &str,
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    parse(text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            format!("unknown code {text:?}").into(),
        )
    })
}

const PLAN_COLUMNS: &str =
    "id, service_id, subdomain_key, kind, text, level, owner, due_on, done, done_on";

fn plan_item_from(row: &Row) -> rusqlite::Result<PlanItem> {
    let kind: String = row.get(3)?;
    let level: Option<String> = row.get(5)?;
    Ok(PlanItem {
        id: row.get(0)?,
        service_id: row.get(1)?,
        subdomain_key: row.get(2)?,
        kind: code(3, &kind, PlanKind::from_code)?,
        text: row.get(4)?,
        level: level.map(|l| code(5, &l, Level::from_code)).transpose()?,
        owner: row.get(6)?,
        due_on: parse_date(7, row.get(7)?)?,
        done: row.get::<_, i64>(8)? != 0,
        done_on: parse_date(9, row.get(9)?)?,
    })
}

/// Adds a plan item as it is, for the screens' additions and the import's.
pub(super) fn insert_plan_item(
    conn: &Connection,
    item: &PlanItem,
    created_at: &str,
    updated_at: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO plan_item (id, service_id, subdomain_key, kind, text, level, owner,
                                due_on, done, done_on, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        item.id,
        item.service_id,
        item.subdomain_key,
        item.kind.code(),
        item.text,
        item.level.map(Level::code),
        item.owner,
        date_text(item.due_on),
        item.done,
        date_text(item.done_on),
        created_at,
        updated_at
    ])?;
    Ok(())
}

/// Writes what may change of a plan item (text, level, owner, dates, done) over it.
pub(super) fn update_plan_item(
    conn: &Connection,
    item: &PlanItem,
    updated_at: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE plan_item SET text = ?2, level = ?3, owner = ?4, due_on = ?5, done = ?6,
                              done_on = ?7, updated_at = ?8
         WHERE id = ?1",
    )?
    .execute(params![
        item.id,
        item.text,
        item.level.map(Level::code),
        item.owner,
        date_text(item.due_on),
        item.done,
        date_text(item.done_on),
        updated_at
    ])?;
    Ok(())
}

/// A goal from the first four columns of its row (id, service_id, text, subdomain_keys).
pub(super) fn goal_from(row: &Row) -> rusqlite::Result<Goal> {
    let keys: String = row.get(3)?;
    Ok(Goal {
        id: row.get(0)?,
        service_id: row.get(1)?,
        text: row.get(2)?,
        subdomain_keys: super::split_list(&keys),
    })
}

impl FileStore {
    fn plan_item(tx: &Connection, id: &str) -> Result<PlanItem> {
        tx.query_row(
            &format!("SELECT {PLAN_COLUMNS} FROM plan_item WHERE id = ?1"),
            [id],
            plan_item_from,
        )
        .optional()?
        .ok_or(StoreError::NotFound("plan item"))
    }
}

fn stage_of(conn: &Connection, round_id: &str) -> Result<Option<Stage>> {
    let stage: Option<String> = conn
        .query_row(
            "SELECT stage FROM round_stage WHERE round_id = ?1",
            [round_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(stage.and_then(|s| Stage::from_code(&s)))
}

impl Plans for FileStore {
    fn plan_items(&self, service_id: &str) -> Result<Vec<PlanItem>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PLAN_COLUMNS} FROM plan_item WHERE service_id = ?1
             ORDER BY subdomain_key, CASE kind WHEN 'barrier' THEN 0 WHEN 'strategy' THEN 1 ELSE 2 END,
                      created_at, rowid"
        ))?;
        let rows = stmt.query_map([service_id], plan_item_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn add_plan_item(&mut self, item: &PlanItem, now: DateTime<Utc>) -> Result<PlanItem> {
        let item = PlanItem {
            id: new_id(),
            ..item.clone()
        };
        self.write(|tx| {
            let at = timestamp(now);
            insert_plan_item(tx, &item, &at, &at)?;
            log(tx, "plan_item", &item.id, None, Some(&item), now)
        })?;
        Ok(item)
    }

    fn update_plan_item(&mut self, item: &PlanItem, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            let old = Self::plan_item(tx, &item.id)?;
            if &old == item {
                return Ok(());
            }
            update_plan_item(tx, item, &timestamp(now))?;
            log(tx, "plan_item", &item.id, Some(&old), Some(item), now)
        })
    }

    fn goals(&self, service_id: &str) -> Result<Vec<Goal>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, service_id, text, subdomain_keys FROM goal WHERE service_id = ?1
             ORDER BY created_at, rowid",
        )?;
        let rows = stmt.query_map([service_id], goal_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn add_goal(
        &mut self,
        service_id: &str,
        text: &str,
        subdomain_keys: &[String],
        now: DateTime<Utc>,
    ) -> Result<Goal> {
        let goal = Goal {
            id: new_id(),
            service_id: service_id.to_string(),
            text: text.to_string(),
            subdomain_keys: subdomain_keys.to_vec(),
        };
        self.write(|tx| {
            tx.execute(
                "INSERT INTO goal (id, service_id, text, subdomain_keys, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![
                    goal.id,
                    goal.service_id,
                    goal.text,
                    goal.subdomain_keys.join(","),
                    timestamp(now)
                ],
            )?;
            log(tx, "goal", &goal.id, None, Some(&goal), now)
        })?;
        Ok(goal)
    }

    fn goal_statuses(&self, service_id: &str) -> Result<HashMap<(String, String), GoalStatus>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.goal_id, s.round_id, s.status FROM goal_status s
             JOIN goal g ON g.id = s.goal_id WHERE g.service_id = ?1",
        )?;
        let rows = stmt.query_map([service_id], |row| {
            let status: String = row.get(2)?;
            Ok((
                (row.get(0)?, row.get(1)?),
                code(2, &status, GoalStatus::from_code)?,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn set_goal_status(
        &mut self,
        goal_id: &str,
        round_id: &str,
        status: Option<GoalStatus>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let key = format!("{goal_id}/{round_id}");
        let status = status.map(|s| Value::Text(s.code().into()));
        self.write(|tx| set_value(tx, Valued::GoalStatus, &key, status, now))
    }

    fn round_stage(&self, round_id: &str) -> Result<Option<Stage>> {
        stage_of(&self.conn, round_id)
    }

    fn set_round_stage(
        &mut self,
        round_id: &str,
        stage: Option<Stage>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let stage = stage.map(|s| Value::Text(s.code().into()));
        self.write(|tx| set_value(tx, Valued::RoundStage, round_id, stage, now))
    }

    fn consensus(&self, round_id: &str) -> Result<HashMap<String, u8>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT subdomain_key, value FROM consensus WHERE round_id = ?1")?;
        let rows = stmt.query_map([round_id], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u8))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn set_consensus(
        &mut self,
        round_id: &str,
        subdomain_key: &str,
        value: Option<u8>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let key = format!("{round_id}/{subdomain_key}");
        let value = value.map(|v| Value::Integer(v.into()));
        self.write(|tx| set_value(tx, Valued::Consensus, &key, value, now))
    }
}

impl ChangeLog for FileStore {
    fn changes(&self, entity: &str, entity_key: &str) -> Result<Vec<Change>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT old_json, new_json, changed_at FROM change_log
             WHERE entity = ?1 AND entity_key = ?2 ORDER BY seq",
        )?;
        let rows = stmt.query_map([entity, entity_key], |row| {
            Ok(Change {
                old_json: row.get(0)?,
                new_json: row.get(1)?,
                changed_at: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
