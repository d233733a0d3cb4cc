//! Plans, goals, the implementation stage and consensus values on the server, as `Plans`
//! promises them: each change one transaction, with a JSON snapshot of before and after in
//! the append-only `change_log`, the same text as SQLite writes (`store::sqlite::plan`).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use postgres::types::ToSql;
use postgres::{GenericClient, Row};

use super::PgStore;
use super::answers::unknown_code;
use super::changes::{log, log_snapshots};
use crate::domain::model::new_id;
use crate::domain::plan::{Goal, GoalStatus, Level, PlanItem, PlanKind, Stage};
use crate::exchange::check::snapshot_of;
use crate::exchange::import::Valued;
use crate::store::columns::key_parts;
use crate::store::sqlite::split_list;
use crate::store::{Plans, Result, StoreError, timestamp};

/// A code from a column, or the column's name and the code kartlegg does not know.
pub(super) fn code<T>(column: &str, text: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(text).ok_or_else(|| unknown_code(column, text))
}

// ---- the values under a change log key: a goal's status, a round's stage, consensus ----

/// A value as its column holds it: a code (status, stage) or consensus's number.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Code(String),
    Number(i64),
}

impl Value {
    /// The value as the change log writes it: the code as a JSON string, a number as a
    /// number, as SQLite's `plan::snapshot` does.
    fn snapshot(&self) -> String {
        match self {
            Value::Code(code) => snapshot_of(code),
            Value::Number(number) => snapshot_of(number),
        }
    }
}

struct ValuedSql {
    select: &'static str,
    put: &'static str,
    delete: &'static str,
}

fn valued_sql(valued: Valued) -> ValuedSql {
    match valued {
        Valued::GoalStatus => ValuedSql {
            select: "SELECT status FROM goal_status WHERE goal_id = $1 AND round_id = $2",
            put: "INSERT INTO goal_status (goal_id, round_id, status, updated_at)
                  VALUES ($1, $2, $3, $4)
                  ON CONFLICT (goal_id, round_id) DO UPDATE SET
                     status = excluded.status, updated_at = excluded.updated_at",
            delete: "DELETE FROM goal_status WHERE goal_id = $1 AND round_id = $2",
        },
        Valued::RoundStage => ValuedSql {
            select: "SELECT stage FROM round_stage WHERE round_id = $1",
            put: "INSERT INTO round_stage (round_id, stage, updated_at) VALUES ($1, $2, $3)
                  ON CONFLICT (round_id) DO UPDATE SET
                     stage = excluded.stage, updated_at = excluded.updated_at",
            delete: "DELETE FROM round_stage WHERE round_id = $1",
        },
        Valued::Consensus => ValuedSql {
            select: "SELECT value FROM consensus WHERE round_id = $1 AND subdomain_key = $2",
            put: "INSERT INTO consensus (round_id, subdomain_key, value, updated_at)
                  VALUES ($1, $2, $3, $4)
                  ON CONFLICT (round_id, subdomain_key) DO UPDATE SET
                     value = excluded.value, updated_at = excluded.updated_at",
            delete: "DELETE FROM consensus WHERE round_id = $1 AND subdomain_key = $2",
        },
    }
}

fn key_params<'a>(parts: &'a [&'a str]) -> Vec<&'a (dyn ToSql + Sync)> {
    parts.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

fn current_value(
    client: &mut impl GenericClient,
    valued: Valued,
    key: &str,
) -> Result<Option<Value>> {
    let parts = key_parts(valued, key);
    let row = client.query_opt(valued_sql(valued).select, &key_params(&parts))?;
    Ok(row.map(|row| match valued {
        Valued::Consensus => Value::Number(row.get(0)),
        Valued::GoalStatus | Valued::RoundStage => Value::Code(row.get(0)),
    }))
}

fn put_value(
    client: &mut impl GenericClient,
    valued: Valued,
    key: &str,
    value: &Value,
    at: &str,
) -> Result<()> {
    let parts = key_parts(valued, key);
    let mut params = key_params(&parts);
    match value {
        Value::Code(code) => params.push(code),
        Value::Number(number) => params.push(number),
    }
    params.push(&at);
    client.execute(valued_sql(valued).put, &params)?;
    Ok(())
}

fn remove_value(client: &mut impl GenericClient, valued: Valued, key: &str) -> Result<()> {
    let parts = key_parts(valued, key);
    client.execute(valued_sql(valued).delete, &key_params(&parts))?;
    Ok(())
}

/// Sets, changes or (with `None`) removes a value, and logs the change, in the write's own
/// transaction: read before it, another kartlegg's value set in between would be logged as
/// never there.
fn set_value(
    client: &mut impl GenericClient,
    valued: Valued,
    key: &str,
    new: Option<Value>,
    now: DateTime<Utc>,
) -> Result<()> {
    let old = current_value(client, valued, key)?;
    if old == new {
        return Ok(());
    }
    match &new {
        Some(value) => put_value(client, valued, key, value, &timestamp(now))?,
        None => remove_value(client, valued, key)?,
    }
    let (old, new) = (
        old.as_ref().map(Value::snapshot),
        new.as_ref().map(Value::snapshot),
    );
    log_snapshots(client, valued.entity(), key, old, new, now)
}

// ---- plan items and goals ----

fn date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.to_string())
}

fn parse_date(column: &str, text: Option<&str>) -> Result<Option<NaiveDate>> {
    text.map(|t| t.parse().map_err(|_| unknown_code(column, t)))
        .transpose()
}

const PLAN_COLUMNS: &str =
    "id, service_id, subdomain_key, kind, text, level, owner, due_on, done, done_on";

fn plan_item_from(row: &Row) -> Result<PlanItem> {
    let level: Option<&str> = row.get(5);
    Ok(PlanItem {
        id: row.get(0),
        service_id: row.get(1),
        subdomain_key: row.get(2),
        kind: code("kind", row.get(3), PlanKind::from_code)?,
        text: row.get(4),
        level: level
            .map(|l| code("level", l, Level::from_code))
            .transpose()?,
        owner: row.get(6),
        due_on: parse_date("due_on", row.get(7))?,
        done: row.get::<_, i64>(8) != 0,
        done_on: parse_date("done_on", row.get(9))?,
    })
}

fn find_plan_item(client: &mut impl GenericClient, id: &str) -> Result<PlanItem> {
    let row = client
        .query_opt(
            &format!("SELECT {PLAN_COLUMNS} FROM plan_item WHERE id = $1"),
            &[&id],
        )?
        .ok_or(StoreError::NotFound("plan item"))?;
    plan_item_from(&row)
}

/// Adds a plan item as it is, for the screens and the import alike (the import reads a
/// rule of the tables broken from the driver's error).
pub(super) fn insert_plan_item(
    client: &mut impl GenericClient,
    item: &PlanItem,
    created_at: &str,
    updated_at: &str,
) -> Result<(), postgres::Error> {
    client.execute(
        "INSERT INTO plan_item (id, service_id, subdomain_key, kind, text, level, owner,
                                due_on, done, done_on, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &[
            &item.id,
            &item.service_id,
            &item.subdomain_key,
            &item.kind.code(),
            &item.text,
            &item.level.map(Level::code),
            &item.owner,
            &date_text(item.due_on),
            &i64::from(item.done),
            &date_text(item.done_on),
            &created_at,
            &updated_at,
        ],
    )?;
    Ok(())
}

/// Writes what may change of a plan item (text, level, owner, dates, done) over it.
pub(super) fn write_plan_item(
    client: &mut impl GenericClient,
    item: &PlanItem,
    updated_at: &str,
) -> Result<(), postgres::Error> {
    client.execute(
        "UPDATE plan_item SET text = $2, level = $3, owner = $4, due_on = $5, done = $6,
                              done_on = $7, updated_at = $8
         WHERE id = $1",
        &[
            &item.id,
            &item.text,
            &item.level.map(Level::code),
            &item.owner,
            &date_text(item.due_on),
            &i64::from(item.done),
            &date_text(item.done_on),
            &updated_at,
        ],
    )?;
    Ok(())
}

fn goal_from(row: &Row) -> Goal {
    Goal {
        id: row.get(0),
        service_id: row.get(1),
        text: row.get(2),
        subdomain_keys: split_list(row.get(3)),
    }
}

impl Plans for PgStore {
    fn plan_items(&self, service_id: &str) -> Result<Vec<PlanItem>> {
        self.read(|tx| {
            // The bytes' order (COLLATE "C") is SQLite's.
            let rows = tx.query(
                &format!(
                    "SELECT {PLAN_COLUMNS} FROM plan_item WHERE service_id = $1
                     ORDER BY subdomain_key COLLATE \"C\",
                              CASE kind WHEN 'barrier' THEN 0 WHEN 'strategy' THEN 1 ELSE 2 END,
                              created_at COLLATE \"C\", rowid"
                ),
                &[&service_id],
            )?;
            rows.iter().map(plan_item_from).collect()
        })
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
            let old = find_plan_item(tx, &item.id)?;
            if &old == item {
                return Ok(());
            }
            write_plan_item(tx, item, &timestamp(now))?;
            log(tx, "plan_item", &item.id, Some(&old), Some(item), now)
        })
    }

    fn goals(&self, service_id: &str) -> Result<Vec<Goal>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT id, service_id, text, subdomain_keys FROM goal WHERE service_id = $1
                 ORDER BY created_at COLLATE \"C\", rowid",
                &[&service_id],
            )?;
            Ok(rows.iter().map(goal_from).collect())
        })
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
                 VALUES ($1, $2, $3, $4, $5, $5)",
                &[
                    &goal.id,
                    &goal.service_id,
                    &goal.text,
                    &goal.subdomain_keys.join(","),
                    &timestamp(now),
                ],
            )?;
            log(tx, "goal", &goal.id, None, Some(&goal), now)
        })?;
        Ok(goal)
    }

    fn goal_statuses(&self, service_id: &str) -> Result<HashMap<(String, String), GoalStatus>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT s.goal_id, s.round_id, s.status FROM goal_status s
                 JOIN goal g ON g.id = s.goal_id WHERE g.service_id = $1",
                &[&service_id],
            )?;
            rows.iter()
                .map(|row| {
                    let status = code("status", row.get(2), GoalStatus::from_code)?;
                    Ok(((row.get(0), row.get(1)), status))
                })
                .collect()
        })
    }

    fn set_goal_status(
        &mut self,
        goal_id: &str,
        round_id: &str,
        status: Option<GoalStatus>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let key = format!("{goal_id}/{round_id}");
        let status = status.map(|s| Value::Code(s.code().into()));
        self.write(|tx| set_value(tx, Valued::GoalStatus, &key, status, now))
    }

    fn round_stage(&self, round_id: &str) -> Result<Option<Stage>> {
        self.read(|tx| {
            let stage = tx.query_opt(
                "SELECT stage FROM round_stage WHERE round_id = $1",
                &[&round_id],
            )?;
            Ok(stage.and_then(|row| Stage::from_code(row.get(0))))
        })
    }

    fn set_round_stage(
        &mut self,
        round_id: &str,
        stage: Option<Stage>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let stage = stage.map(|s| Value::Code(s.code().into()));
        self.write(|tx| set_value(tx, Valued::RoundStage, round_id, stage, now))
    }

    fn consensus(&self, round_id: &str) -> Result<HashMap<String, u8>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT subdomain_key, value FROM consensus WHERE round_id = $1",
                &[&round_id],
            )?;
            Ok(rows
                .iter()
                .map(|row| (row.get(0), row.get::<_, i64>(1) as u8))
                .collect())
        })
    }

    fn set_consensus(
        &mut self,
        round_id: &str,
        subdomain_key: &str,
        value: Option<u8>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let key = format!("{round_id}/{subdomain_key}");
        let value = value.map(|v| Value::Number(v.into()));
        self.write(|tx| set_value(tx, Valued::Consensus, &key, value, now))
    }
}
