//! Clusters, their gatherings, attendance and the rounds tied to gatherings
//! (`store::Clusters`): each write one IMMEDIATE transaction with its change log entry.
//! The records of the names services carry are made by the schema's triggers
//! (migrations/011_clusters.sql), so that no write path can forget one.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::plan::{code, log};
use super::{FileStore, Result, StoreError, round_from, service_from, timestamp};
use crate::domain::cluster::{
    Attendance, AttendanceField, Cluster, Gathering, GatheringKind, check_attendance,
    check_cluster, check_topics,
};
use crate::domain::model::{Round, new_id};
use crate::domain::needs::YesPartlyNo;
use crate::store::{ClusterSummary, Clusters};

fn date(column: usize, text: &str) -> rusqlite::Result<NaiveDate> {
    text.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn optional_date(row: &Row, column: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = row.get(column)?;
    text.map(|t| date(column, &t)).transpose()
}

const CLUSTER_COLUMNS: &str = "id, name, county, centre, process_leaders, period_from, period_to";

fn cluster_from(row: &Row) -> rusqlite::Result<Cluster> {
    Ok(Cluster {
        id: row.get(0)?,
        name: row.get(1)?,
        county: row.get(2)?,
        centre: row.get(3)?,
        process_leaders: row.get(4)?,
        period_from: optional_date(row, 5)?,
        period_to: optional_date(row, 6)?,
    })
}

fn cluster_by(conn: &Connection, column: &str, value: &str) -> Result<Option<Cluster>> {
    let sql = format!("SELECT {CLUSTER_COLUMNS} FROM cluster WHERE {column} = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([value], cluster_from)
        .optional()?)
}

fn cluster_of(conn: &Connection, id: &str) -> Result<Cluster> {
    cluster_by(conn, "id", id)?.ok_or(StoreError::NotFound("cluster"))
}

const GATHERING_COLUMNS: &str = "id, cluster_id, held_on, kind, topics";

fn gathering_from(row: &Row) -> rusqlite::Result<Gathering> {
    let held_on: String = row.get(2)?;
    let kind: String = row.get(3)?;
    Ok(Gathering {
        id: row.get(0)?,
        cluster_id: row.get(1)?,
        held_on: date(2, &held_on)?,
        kind: code(3, &kind, GatheringKind::from_code)?,
        topics: row.get(4)?,
    })
}

fn gathering_of(conn: &Connection, id: &str) -> Result<Gathering> {
    conn.prepare_cached(&format!(
        "SELECT {GATHERING_COLUMNS} FROM gathering WHERE id = ?1"
    ))?
    .query_row([id], gathering_from)
    .optional()?
    .ok_or(StoreError::NotFound("gathering"))
}

const ATTENDANCE_COLUMNS: &str = "a.gathering_id, a.service_id, a.leaders, a.key_persons, \
     a.staff, a.pre_work, a.between_work, a.note";

fn attendance_from(row: &Row) -> rusqlite::Result<Attendance> {
    let answer = |column: usize| -> rusqlite::Result<Option<YesPartlyNo>> {
        let text: Option<String> = row.get(column)?;
        text.map(|t| code(column, &t, YesPartlyNo::from_code))
            .transpose()
    };
    Ok(Attendance {
        gathering_id: row.get(0)?,
        service_id: row.get(1)?,
        leaders: row.get(2)?,
        key_persons: row.get(3)?,
        staff: row.get(4)?,
        pre_work: answer(5)?,
        between_work: answer(6)?,
        note: row.get(7)?,
    })
}

fn attendance_of(
    conn: &Connection,
    gathering_id: &str,
    service_id: &str,
) -> Result<Option<Attendance>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ATTENDANCE_COLUMNS} FROM attendance a
             WHERE a.gathering_id = ?1 AND a.service_id = ?2"
        ))?
        .query_row([gathering_id, service_id], attendance_from)
        .optional()?)
}

/// The gathering and its cluster, refused where `service_id` is not in that cluster.
fn in_cluster_of(conn: &Connection, gathering_id: &str, service_id: &str) -> Result<()> {
    let gathering = gathering_of(conn, gathering_id)?;
    let cluster = cluster_of(conn, &gathering.cluster_id)?;
    let (service, carried): (String, String) = conn
        .prepare_cached("SELECT name, cluster FROM service WHERE id = ?1")?
        .query_row([service_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(StoreError::NotFound("service"))?;
    if carried != cluster.name {
        return Err(StoreError::OutsideCluster {
            service,
            cluster: cluster.name,
        });
    }
    Ok(())
}

/// Writes an attendance, or removes it when nothing is set; logged when it changed.
fn write_attendance(
    conn: &Connection,
    new: &Attendance,
    now: DateTime<Utc>,
) -> Result<Option<Attendance>> {
    check_attendance(new).map_err(|(field, problem)| StoreError::ClusterRefused(field, problem))?;
    in_cluster_of(conn, &new.gathering_id, &new.service_id)?;
    let old = attendance_of(conn, &new.gathering_id, &new.service_id)?;
    if old.as_ref() == Some(new) || (old.is_none() && new.is_empty()) {
        return Ok(old);
    }
    if new.is_empty() {
        conn.prepare_cached("DELETE FROM attendance WHERE gathering_id = ?1 AND service_id = ?2")?
            .execute([&new.gathering_id, &new.service_id])?;
    } else {
        conn.prepare_cached(
            "INSERT INTO attendance (gathering_id, service_id, leaders, key_persons, staff,
                                     pre_work, between_work, note, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (gathering_id, service_id) DO UPDATE SET
                leaders = excluded.leaders, key_persons = excluded.key_persons,
                staff = excluded.staff, pre_work = excluded.pre_work,
                between_work = excluded.between_work, note = excluded.note,
                updated_at = excluded.updated_at",
        )?
        .execute(params![
            new.gathering_id,
            new.service_id,
            new.leaders,
            new.key_persons,
            new.staff,
            new.pre_work.map(YesPartlyNo::code),
            new.between_work.map(YesPartlyNo::code),
            new.note,
            timestamp(now)
        ])?;
    }
    let key = format!("{}/{}", new.gathering_id, new.service_id);
    let side = |a: &Attendance| (!a.is_empty()).then(|| a.clone());
    log(
        conn,
        "attendance",
        &key,
        old.as_ref(),
        side(new).as_ref(),
        now,
    )?;
    Ok(old)
}

impl Clusters for FileStore {
    fn clusters(&self) -> Result<Vec<ClusterSummary>> {
        // One read, so that the services agree with their clusters.
        let tx = self.conn.unchecked_transaction()?;
        let mut clusters: Vec<ClusterSummary> = {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {CLUSTER_COLUMNS} FROM cluster ORDER BY name COLLATE NOCASE, name"
            ))?;
            let rows = stmt.query_map([], cluster_from)?;
            rows.map(|c| {
                c.map(|cluster| ClusterSummary {
                    cluster,
                    services: Vec::new(),
                })
            })
            .collect::<rusqlite::Result<_>>()?
        };
        {
            let mut stmt = tx.prepare_cached(
                "SELECT id, name, municipalities, cluster FROM service WHERE cluster <> ''
                 ORDER BY name COLLATE NOCASE, name, id",
            )?;
            let rows = stmt.query_map([], service_from)?;
            for service in rows {
                let service = service?;
                if let Some(summary) = clusters
                    .iter_mut()
                    .find(|c| c.cluster.name == service.cluster)
                {
                    summary.services.push(service);
                }
            }
        }
        tx.finish()?;
        Ok(clusters)
    }

    fn cluster(&self, id: &str) -> Result<Cluster> {
        cluster_of(&self.conn, id)
    }

    fn cluster_named(&self, name: &str) -> Result<Option<Cluster>> {
        cluster_by(&self.conn, "name", name)
    }

    fn update_cluster(&mut self, cluster: &Cluster, now: DateTime<Utc>) -> Result<Cluster> {
        let new = check_cluster(cluster)
            .map_err(|(field, problem)| StoreError::ClusterRefused(field, problem))?;
        self.write(|tx| {
            let old = cluster_of(tx, &new.id)?;
            if old == new {
                return Ok(new);
            }
            let at = timestamp(now);
            if new.name != old.name && cluster_by(tx, "name", &new.name)?.is_some() {
                return Err(StoreError::ClusterNameTaken(new.name.clone()));
            }
            tx.prepare_cached(
                "UPDATE cluster SET name = ?2, county = ?3, centre = ?4, process_leaders = ?5,
                        period_from = ?6, period_to = ?7, updated_at = ?8
                 WHERE id = ?1",
            )?
            .execute(params![
                new.id,
                new.name,
                new.county,
                new.centre,
                new.process_leaders,
                new.period_from.map(|d| d.to_string()),
                new.period_to.map(|d| d.to_string()),
                at
            ])?;
            if new.name != old.name {
                // After the record's rename, so that the services' trigger finds the new
                // name recorded and lets their rounds keep their gatherings.
                tx.prepare_cached(
                    "UPDATE service SET cluster = ?2, updated_at = ?3 WHERE cluster = ?1",
                )?
                .execute(params![old.name, new.name, at])?;
            }
            log(tx, "cluster", &new.id, Some(&old), Some(&new), now)?;
            Ok(new)
        })
    }

    fn add_gathering(
        &mut self,
        cluster_id: &str,
        held_on: NaiveDate,
        kind: GatheringKind,
        topics: &str,
        now: DateTime<Utc>,
    ) -> Result<Gathering> {
        check_topics(topics)
            .map_err(|(field, problem)| StoreError::ClusterRefused(field, problem))?;
        let gathering = Gathering {
            id: new_id(),
            cluster_id: cluster_id.to_string(),
            held_on,
            kind,
            topics: topics.to_string(),
        };
        self.write(|tx| {
            cluster_of(tx, cluster_id)?;
            tx.prepare_cached(
                "INSERT INTO gathering (id, cluster_id, held_on, kind, topics, created_at,
                                        updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )?
            .execute(params![
                gathering.id,
                gathering.cluster_id,
                gathering.held_on.to_string(),
                gathering.kind.code(),
                gathering.topics,
                timestamp(now)
            ])?;
            log(tx, "gathering", &gathering.id, None, Some(&gathering), now)
        })?;
        Ok(gathering)
    }

    fn update_gathering(&mut self, gathering: &Gathering, now: DateTime<Utc>) -> Result<()> {
        check_topics(&gathering.topics)
            .map_err(|(field, problem)| StoreError::ClusterRefused(field, problem))?;
        self.write(|tx| {
            let old = gathering_of(tx, &gathering.id)?;
            let new = Gathering {
                cluster_id: old.cluster_id.clone(),
                ..gathering.clone()
            };
            if old == new {
                return Ok(());
            }
            tx.prepare_cached(
                "UPDATE gathering SET held_on = ?2, kind = ?3, topics = ?4, updated_at = ?5
                 WHERE id = ?1",
            )?
            .execute(params![
                new.id,
                new.held_on.to_string(),
                new.kind.code(),
                new.topics,
                timestamp(now)
            ])?;
            log(tx, "gathering", &new.id, Some(&old), Some(&new), now)
        })
    }

    fn gathering(&self, id: &str) -> Result<Gathering> {
        gathering_of(&self.conn, id)
    }

    fn gatherings(&self, cluster_id: &str) -> Result<Vec<Gathering>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {GATHERING_COLUMNS} FROM gathering WHERE cluster_id = ?1
             ORDER BY held_on, created_at, rowid"
        ))?;
        let rows = stmt.query_map([cluster_id], gathering_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn attendances(&self, gathering_id: &str) -> Result<Vec<Attendance>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ATTENDANCE_COLUMNS} FROM attendance a JOIN service s ON s.id = a.service_id
             WHERE a.gathering_id = ?1 ORDER BY s.name COLLATE NOCASE, s.name, s.id"
        ))?;
        let rows = stmt.query_map([gathering_id], attendance_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn set_attendance(
        &mut self,
        gathering_id: &str,
        service_id: &str,
        change: &AttendanceField,
        now: DateTime<Utc>,
    ) -> Result<Attendance> {
        self.write(|tx| {
            // Read in the write's own transaction: a part changed by another kartlegg in
            // between stays as it is.
            let mut new =
                attendance_of(tx, gathering_id, service_id)?.unwrap_or_else(|| Attendance {
                    gathering_id: gathering_id.to_string(),
                    service_id: service_id.to_string(),
                    ..Attendance::default()
                });
            change.apply(&mut new);
            write_attendance(tx, &new, now)?;
            Ok(new)
        })
    }

    fn put_attendance(&mut self, attendance: &Attendance, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| write_attendance(tx, attendance, now).map(|_| ()))
    }

    fn tie_round(
        &mut self,
        round_id: &str,
        gathering_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx| {
            let (service_id, old): (String, Option<String>) = tx
                .prepare_cached("SELECT service_id, gathering_id FROM round WHERE id = ?1")?
                .query_row([round_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
                .ok_or(StoreError::NotFound("round"))?;
            if let Some(gathering) = gathering_id {
                in_cluster_of(tx, gathering, &service_id)?;
            }
            let new = gathering_id.map(str::to_string);
            if old == new {
                return Ok(());
            }
            tx.prepare_cached("UPDATE round SET gathering_id = ?2 WHERE id = ?1")?
                .execute(params![round_id, new])?;
            log(
                tx,
                "round_gathering",
                round_id,
                old.as_ref(),
                new.as_ref(),
                now,
            )
        })
    }

    fn round_gathering(&self, round_id: &str) -> Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT gathering_id FROM round WHERE id = ?1")?
            .query_row([round_id], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::NotFound("round"))
    }

    fn tied_rounds(&self, gathering_id: &str) -> Result<Vec<Round>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.service_id, r.label, r.held_on, r.kind, r.instrument_key,
                    r.instrument_version
             FROM round r JOIN service s ON s.id = r.service_id
             WHERE r.gathering_id = ?1
             ORDER BY s.name COLLATE NOCASE, s.name, r.held_on, r.created_at, r.rowid",
        )?;
        let rows = stmt.query_map([gathering_id], round_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
