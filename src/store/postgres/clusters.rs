//! Clusters, their gatherings, attendance and the rounds tied to gatherings on the server,
//! as `store::Clusters` promises them and SQLite keeps them (`store::sqlite::clusters`).
//! The records of the names services carry are made by the tables' rules (`rules.sql`).

use chrono::{DateTime, NaiveDate, Utc};
use postgres::{GenericClient, Row};

use super::PgStore;
use super::answers::{round_from, service_from, unknown_code};
use super::changes::log;
use crate::domain::cluster::{
    Attendance, AttendanceField, Cluster, Gathering, GatheringKind, check_attendance,
    check_cluster, check_topics,
};
use crate::domain::model::{Round, new_id};
use crate::domain::needs::YesPartlyNo;
use crate::store::{ClusterSummary, Clusters, Result, StoreError, timestamp};

fn date_in(column: &str, text: &str) -> Result<NaiveDate> {
    text.parse().map_err(|_| unknown_code(column, text))
}

fn optional_date(row: &Row, column: usize, name: &str) -> Result<Option<NaiveDate>> {
    let text: Option<&str> = row.get(column);
    text.map(|t| date_in(name, t)).transpose()
}

const CLUSTER_COLUMNS: &str = "id, name, county, centre, process_leaders, period_from, period_to";

fn cluster_from(row: &Row) -> Result<Cluster> {
    Ok(Cluster {
        id: row.get(0),
        name: row.get(1),
        county: row.get(2),
        centre: row.get(3),
        process_leaders: row.get(4),
        period_from: optional_date(row, 5, "period_from")?,
        period_to: optional_date(row, 6, "period_to")?,
    })
}

fn cluster_by(
    client: &mut impl GenericClient,
    column: &str,
    value: &str,
) -> Result<Option<Cluster>> {
    let sql = format!("SELECT {CLUSTER_COLUMNS} FROM cluster WHERE {column} = $1");
    client
        .query_opt(&sql, &[&value])?
        .map(|row| cluster_from(&row))
        .transpose()
}

fn cluster_of(client: &mut impl GenericClient, id: &str) -> Result<Cluster> {
    cluster_by(client, "id", id)?.ok_or(StoreError::NotFound("cluster"))
}

const GATHERING_COLUMNS: &str = "id, cluster_id, held_on, kind, topics";

fn gathering_from(row: &Row) -> Result<Gathering> {
    let kind: &str = row.get(3);
    Ok(Gathering {
        id: row.get(0),
        cluster_id: row.get(1),
        held_on: date_in("held_on", row.get(2))?,
        kind: GatheringKind::from_code(kind).ok_or_else(|| unknown_code("kind", kind))?,
        topics: row.get(4),
    })
}

fn gathering_of(client: &mut impl GenericClient, id: &str) -> Result<Gathering> {
    client
        .query_opt(
            &format!("SELECT {GATHERING_COLUMNS} FROM gathering WHERE id = $1"),
            &[&id],
        )?
        .map(|row| gathering_from(&row))
        .transpose()?
        .ok_or(StoreError::NotFound("gathering"))
}

const ATTENDANCE_COLUMNS: &str = "a.gathering_id, a.service_id, a.leaders, a.key_persons, \
     a.staff, a.pre_work, a.between_work, a.note";

fn attendance_from(row: &Row) -> Result<Attendance> {
    let count = |column: usize, name: &str| -> Result<u16> {
        let n: i64 = row.get(column);
        u16::try_from(n).map_err(|_| unknown_code(name, &n.to_string()))
    };
    let answer = |column: usize, name: &str| -> Result<Option<YesPartlyNo>> {
        let text: Option<&str> = row.get(column);
        text.map(|t| YesPartlyNo::from_code(t).ok_or_else(|| unknown_code(name, t)))
            .transpose()
    };
    Ok(Attendance {
        gathering_id: row.get(0),
        service_id: row.get(1),
        leaders: count(2, "leaders")?,
        key_persons: count(3, "key_persons")?,
        staff: count(4, "staff")?,
        pre_work: answer(5, "pre_work")?,
        between_work: answer(6, "between_work")?,
        note: row.get(7),
    })
}

fn attendance_of(
    client: &mut impl GenericClient,
    gathering_id: &str,
    service_id: &str,
) -> Result<Option<Attendance>> {
    client
        .query_opt(
            &format!(
                "SELECT {ATTENDANCE_COLUMNS} FROM attendance a
                 WHERE a.gathering_id = $1 AND a.service_id = $2"
            ),
            &[&gathering_id, &service_id],
        )?
        .map(|row| attendance_from(&row))
        .transpose()
}

/// Refused where `service_id` is not in the gathering's cluster.
fn in_cluster_of(
    client: &mut impl GenericClient,
    gathering_id: &str,
    service_id: &str,
) -> Result<()> {
    let gathering = gathering_of(client, gathering_id)?;
    let cluster = cluster_of(client, &gathering.cluster_id)?;
    let row = client
        .query_opt(
            "SELECT name, cluster FROM service WHERE id = $1",
            &[&service_id],
        )?
        .ok_or(StoreError::NotFound("service"))?;
    let (service, carried): (String, String) = (row.get(0), row.get(1));
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
    client: &mut impl GenericClient,
    new: &Attendance,
    now: DateTime<Utc>,
) -> Result<Option<Attendance>> {
    check_attendance(new).map_err(|(field, problem)| StoreError::ClusterRefused(field, problem))?;
    in_cluster_of(client, &new.gathering_id, &new.service_id)?;
    let old = attendance_of(client, &new.gathering_id, &new.service_id)?;
    if old.as_ref() == Some(new) || (old.is_none() && new.is_empty()) {
        return Ok(old);
    }
    if new.is_empty() {
        client.execute(
            "DELETE FROM attendance WHERE gathering_id = $1 AND service_id = $2",
            &[&new.gathering_id, &new.service_id],
        )?;
    } else {
        client.execute(
            "INSERT INTO attendance (gathering_id, service_id, leaders, key_persons, staff,
                                     pre_work, between_work, note, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (gathering_id, service_id) DO UPDATE SET
                leaders = excluded.leaders, key_persons = excluded.key_persons,
                staff = excluded.staff, pre_work = excluded.pre_work,
                between_work = excluded.between_work, note = excluded.note,
                updated_at = excluded.updated_at",
            &[
                &new.gathering_id,
                &new.service_id,
                &i64::from(new.leaders),
                &i64::from(new.key_persons),
                &i64::from(new.staff),
                &new.pre_work.map(YesPartlyNo::code),
                &new.between_work.map(YesPartlyNo::code),
                &new.note,
                &timestamp(now),
            ],
        )?;
    }
    let key = format!("{}/{}", new.gathering_id, new.service_id);
    let side = |a: &Attendance| (!a.is_empty()).then(|| a.clone());
    log(
        client,
        "attendance",
        &key,
        old.as_ref(),
        side(new).as_ref(),
        now,
    )?;
    Ok(old)
}

impl Clusters for PgStore {
    fn clusters(&self) -> Result<Vec<ClusterSummary>> {
        // One read, so that the services agree with their clusters.
        self.read(|tx| {
            // SQLite's order: case-blind, then by the bytes where that ties.
            let rows = tx.query(
                &format!(
                    "SELECT {CLUSTER_COLUMNS} FROM cluster
                     ORDER BY name COLLATE nocase, name COLLATE \"C\""
                ),
                &[],
            )?;
            let mut clusters: Vec<ClusterSummary> = rows
                .iter()
                .map(|row| {
                    Ok(ClusterSummary {
                        cluster: cluster_from(row)?,
                        services: Vec::new(),
                    })
                })
                .collect::<Result<_>>()?;
            let rows = tx.query(
                "SELECT id, name, municipalities, cluster FROM service WHERE cluster <> ''
                 ORDER BY name COLLATE nocase, name COLLATE \"C\", id COLLATE \"C\"",
                &[],
            )?;
            for row in &rows {
                let service = service_from(row);
                if let Some(summary) = clusters
                    .iter_mut()
                    .find(|c| c.cluster.name == service.cluster)
                {
                    summary.services.push(service);
                }
            }
            Ok(clusters)
        })
    }

    fn cluster(&self, id: &str) -> Result<Cluster> {
        self.read(|tx| cluster_of(tx, id))
    }

    fn cluster_named(&self, name: &str) -> Result<Option<Cluster>> {
        self.read(|tx| cluster_by(tx, "name", name))
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
            tx.execute(
                "UPDATE cluster SET name = $2, county = $3, centre = $4, process_leaders = $5,
                        period_from = $6, period_to = $7, updated_at = $8
                 WHERE id = $1",
                &[
                    &new.id,
                    &new.name,
                    &new.county,
                    &new.centre,
                    &new.process_leaders,
                    &new.period_from.map(|d| d.to_string()),
                    &new.period_to.map(|d| d.to_string()),
                    &at,
                ],
            )?;
            if new.name != old.name {
                // After the record's rename, so that the services' rule finds the new name
                // recorded and lets their rounds keep their gatherings.
                tx.execute(
                    "UPDATE service SET cluster = $2, updated_at = $3 WHERE cluster = $1",
                    &[&old.name, &new.name, &at],
                )?;
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
            tx.execute(
                "INSERT INTO gathering (id, cluster_id, held_on, kind, topics, created_at,
                                        updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
                &[
                    &gathering.id,
                    &gathering.cluster_id,
                    &gathering.held_on.to_string(),
                    &gathering.kind.code(),
                    &gathering.topics,
                    &timestamp(now),
                ],
            )?;
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
            tx.execute(
                "UPDATE gathering SET held_on = $2, kind = $3, topics = $4, updated_at = $5
                 WHERE id = $1",
                &[
                    &new.id,
                    &new.held_on.to_string(),
                    &new.kind.code(),
                    &new.topics,
                    &timestamp(now),
                ],
            )?;
            log(tx, "gathering", &new.id, Some(&old), Some(&new), now)
        })
    }

    fn gathering(&self, id: &str) -> Result<Gathering> {
        self.read(|tx| gathering_of(tx, id))
    }

    fn gatherings(&self, cluster_id: &str) -> Result<Vec<Gathering>> {
        self.read(|tx| {
            let rows = tx.query(
                &format!(
                    "SELECT {GATHERING_COLUMNS} FROM gathering WHERE cluster_id = $1
                     ORDER BY held_on, created_at, rowid"
                ),
                &[&cluster_id],
            )?;
            rows.iter().map(gathering_from).collect()
        })
    }

    fn attendances(&self, gathering_id: &str) -> Result<Vec<Attendance>> {
        self.read(|tx| {
            let rows = tx.query(
                &format!(
                    "SELECT {ATTENDANCE_COLUMNS} FROM attendance a
                     JOIN service s ON s.id = a.service_id
                     WHERE a.gathering_id = $1
                     ORDER BY s.name COLLATE nocase, s.name COLLATE \"C\", s.id COLLATE \"C\""
                ),
                &[&gathering_id],
            )?;
            rows.iter().map(attendance_from).collect()
        })
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
            let row = tx
                .query_opt(
                    "SELECT service_id, gathering_id FROM round WHERE id = $1",
                    &[&round_id],
                )?
                .ok_or(StoreError::NotFound("round"))?;
            let (service_id, old): (String, Option<String>) = (row.get(0), row.get(1));
            if let Some(gathering) = gathering_id {
                in_cluster_of(tx, gathering, &service_id)?;
            }
            let new = gathering_id.map(str::to_string);
            if old == new {
                return Ok(());
            }
            tx.execute(
                "UPDATE round SET gathering_id = $2 WHERE id = $1",
                &[&round_id, &new],
            )?;
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
        self.read(|tx| {
            tx.query_opt("SELECT gathering_id FROM round WHERE id = $1", &[&round_id])?
                .map(|row| row.get(0))
                .ok_or(StoreError::NotFound("round"))
        })
    }

    fn tied_rounds(&self, gathering_id: &str) -> Result<Vec<Round>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT r.id, r.service_id, r.label, r.held_on, r.kind, r.instrument_key,
                        r.instrument_version
                 FROM round r JOIN service s ON s.id = r.service_id
                 WHERE r.gathering_id = $1
                 ORDER BY s.name COLLATE nocase, s.name COLLATE \"C\", r.held_on,
                          r.created_at, r.rowid",
                &[&gathering_id],
            )?;
            rows.iter().map(round_from).collect()
        })
    }
}
