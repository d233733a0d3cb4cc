//! Services, rounds, respondents and answers on the server, as `Answers` promises them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use postgres::types::Type;
use postgres::{GenericClient, Row};

use super::{PgStore, kept};
use crate::domain::instrument::Instrument;
use crate::domain::model::{Answer, Respondent, Response, Role, Round, RoundKind, Service, new_id};
use crate::domain::plan::Stage;
use crate::domain::scoring::AnswerSet;
use crate::store::columns::{response_columns, response_from};
use crate::store::sqlite::split_list;
use crate::store::{
    Answers, DriverError, DriverKind, HistoryEntry, RespondentSummary, Result, RoundSummary,
    ServiceSummary, StoreError, timestamp,
};

/// A code in a column that kartlegg does not know: the tables hold what their checks let
/// in, so this is a database changed by hand.
pub(super) fn unknown_code(column: &str, code: &str) -> StoreError {
    StoreError::Database(DriverError {
        kind: DriverKind::Corrupt,
        detail: format!("unknown code {code:?} in {column}"),
    })
}

pub(super) fn role_from(code: &str) -> Result<Role> {
    Role::from_code(code).ok_or_else(|| unknown_code("role", code))
}

pub(super) fn kind_from(code: &str) -> Result<RoundKind> {
    RoundKind::from_code(code).ok_or_else(|| unknown_code("kind", code))
}

/// An answer from three columns from `first`: value, missing, comment.
fn answer_from(row: &Row, first: usize) -> Answer {
    Answer {
        response: response_from(row.get(first), row.get(first + 1)),
        comment: row.get(first + 2),
    }
}

/// A service from the first four columns of its row (id, name, municipalities, cluster).
pub(super) fn service_from(row: &Row) -> Service {
    Service {
        id: row.get(0),
        name: row.get(1),
        municipalities: split_list(row.get(2)),
        cluster: row.get(3),
    }
}

/// A round from the first seven columns of its row.
pub(super) fn round_from(row: &Row) -> Result<Round> {
    let held_on: &str = row.get(3);
    Ok(Round {
        id: row.get(0),
        service_id: row.get(1),
        label: row.get(2),
        held_on: held_on
            .parse()
            .map_err(|_| unknown_code("held_on", held_on))?,
        kind: kind_from(row.get(4))?,
        instrument_key: row.get(5),
        instrument_version: row.get(6),
    })
}

pub(super) fn respondent_from(row: &Row) -> Result<Respondent> {
    Ok(Respondent {
        id: row.get(0),
        round_id: row.get(1),
        role: role_from(row.get(2))?,
        code: row.get(3),
    })
}

pub(super) fn find_respondent(
    client: &mut impl GenericClient,
    id: &str,
) -> Result<Option<Respondent>> {
    client
        .query_opt(
            "SELECT id, round_id, role, code FROM respondent WHERE id = $1",
            &[&id],
        )?
        .map(|row| respondent_from(&row))
        .transpose()
}

pub(super) fn insert_service(
    client: &mut impl GenericClient,
    service: &Service,
    created_at: &str,
    updated_at: &str,
) -> Result<()> {
    client.execute(
        "INSERT INTO service (id, name, municipalities, cluster, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &service.id,
            &service.name,
            &service.municipalities.join(","),
            &service.cluster,
            &created_at,
            &updated_at,
        ],
    )?;
    Ok(())
}

/// Writes a service's name, municipalities and cluster over it; says whether it was there.
pub(super) fn write_service(
    client: &mut impl GenericClient,
    service: &Service,
    updated_at: &str,
) -> Result<bool> {
    let changed = client.execute(
        "UPDATE service SET name = $2, municipalities = $3, cluster = $4, updated_at = $5
         WHERE id = $1",
        &[
            &service.id,
            &service.name,
            &service.municipalities.join(","),
            &service.cluster,
            &updated_at,
        ],
    )?;
    Ok(changed > 0)
}

pub(super) fn insert_respondent(
    client: &mut impl GenericClient,
    respondent: &Respondent,
    now: DateTime<Utc>,
) -> Result<()> {
    client.execute(
        "INSERT INTO respondent (id, round_id, role, code, created_at)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &respondent.id,
            &respondent.round_id,
            &respondent.role.code(),
            &respondent.code,
            &timestamp(now),
        ],
    )?;
    Ok(())
}

impl PgStore {
    /// Changes one answer and appends the change to its history, in one transaction, which
    /// also brings the kept scores up to date. A change that changes nothing writes nothing.
    fn change_answer(
        &mut self,
        respondent_id: &str,
        item_key: &str,
        now: DateTime<Utc>,
        change: impl FnOnce(&mut Answer),
    ) -> Result<Answer> {
        self.write(|tx| {
            // Erased meanwhile (by another kartlegg, say): said as such, not as a constraint.
            // Each statement with its parameters' types: one round trip, not a prepare first.
            if tx
                .query_typed_opt(
                    "SELECT 1 FROM respondent WHERE id = $1",
                    &[(&respondent_id, Type::TEXT)],
                )?
                .is_none()
            {
                return Err(StoreError::NotFound("respondent"));
            }
            let existing = tx.query_typed_opt(
                "SELECT id, value, missing, comment FROM answer
                 WHERE respondent_id = $1 AND item_key = $2",
                &[(&respondent_id, Type::TEXT), (&item_key, Type::TEXT)],
            )?;
            let (id, old) = match existing {
                Some(row) => (row.get::<_, String>(0), Some(answer_from(&row, 1))),
                None => (new_id(), None),
            };
            let mut new = old.clone().unwrap_or_default();
            change(&mut new);
            if old.as_ref() == Some(&new) {
                return Ok(new);
            }
            let at = timestamp(now);
            let (new_value, new_missing) = response_columns(new.response);
            tx.query_typed(
                "INSERT INTO answer (id, respondent_id, item_key, value, missing, comment, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (id) DO UPDATE SET
                    value = excluded.value, missing = excluded.missing,
                    comment = excluded.comment, updated_at = excluded.updated_at",
                &[
                    (&id, Type::TEXT),
                    (&respondent_id, Type::TEXT),
                    (&item_key, Type::TEXT),
                    (&new_value, Type::INT8),
                    (&new_missing, Type::TEXT),
                    (&new.comment, Type::TEXT),
                    (&at, Type::TEXT),
                ],
            )?;
            let (old_value, old_missing) = response_columns(old.as_ref().and_then(|a| a.response));
            tx.query_typed(
                "INSERT INTO answer_history (answer_id, respondent_id, old_value, old_missing,
                     old_comment, new_value, new_missing, new_comment, changed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    (&id, Type::TEXT),
                    (&respondent_id, Type::TEXT),
                    (&old_value, Type::INT8),
                    (&old_missing, Type::TEXT),
                    (&old.as_ref().map(|a| a.comment.as_str()), Type::TEXT),
                    (&new_value, Type::INT8),
                    (&new_missing, Type::TEXT),
                    (&new.comment, Type::TEXT),
                    (&at, Type::TEXT),
                ],
            )?;
            if old.as_ref().and_then(|a| a.response) != new.response {
                kept::answer_changed(tx, Instrument::standard(), respondent_id, item_key)?;
            }
            Ok(new)
        })
    }
}

impl Answers for PgStore {
    fn respondent(&self, id: &str) -> Result<Option<Respondent>> {
        self.read(|tx| find_respondent(tx, id))
    }

    fn services(&self) -> Result<Vec<ServiceSummary>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT s.id, s.name, s.municipalities, s.cluster,
                        (SELECT count(*) FROM round r WHERE r.service_id = s.id)
                 FROM service s ORDER BY s.cluster COLLATE nocase, s.name COLLATE nocase",
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|row| ServiceSummary {
                    service: service_from(row),
                    rounds: row.get::<_, i64>(4) as usize,
                })
                .collect())
        })
    }

    fn service_list(&self) -> Result<Vec<Service>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT id, name, municipalities, cluster
                 FROM service ORDER BY cluster COLLATE nocase, name COLLATE nocase",
                &[],
            )?;
            Ok(rows.iter().map(service_from).collect())
        })
    }

    fn service_ids_named(&self, matches: impl Fn(&str) -> bool) -> Result<Vec<String>> {
        self.read(|tx| {
            let rows = tx.query("SELECT id, name FROM service", &[])?;
            Ok(rows
                .iter()
                .filter(|row| matches(row.get(1)))
                .map(|row| row.get(0))
                .collect())
        })
    }

    fn service(&self, id: &str) -> Result<Service> {
        self.read(|tx| {
            tx.query_opt(
                "SELECT id, name, municipalities, cluster FROM service WHERE id = $1",
                &[&id],
            )?
            .map(|row| service_from(&row))
            .ok_or(StoreError::NotFound("service"))
        })
    }

    fn create_service(
        &mut self,
        name: &str,
        municipalities: &[String],
        cluster: &str,
        now: DateTime<Utc>,
    ) -> Result<Service> {
        let service = Service {
            id: new_id(),
            name: name.to_string(),
            municipalities: municipalities.to_vec(),
            cluster: cluster.to_string(),
        };
        let at = timestamp(now);
        self.write(|tx| insert_service(tx, &service, &at, &at))?;
        Ok(service)
    }

    fn update_service(&mut self, service: &Service, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            if !write_service(tx, service, &timestamp(now))? {
                return Err(StoreError::NotFound("service"));
            }
            Ok(())
        })
    }

    fn rounds(&self, service_id: &str) -> Result<Vec<RoundSummary>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT r.id, r.service_id, r.label, r.held_on, r.kind, r.instrument_key,
                        r.instrument_version,
                        (SELECT count(*) FROM respondent p WHERE p.round_id = r.id),
                        (SELECT stage FROM round_stage s WHERE s.round_id = r.id)
                 FROM round r WHERE r.service_id = $1
                 ORDER BY r.held_on, r.created_at, r.rowid",
                &[&service_id],
            )?;
            rows.iter()
                .map(|row| {
                    let stage: Option<&str> = row.get(8);
                    Ok(RoundSummary {
                        round: round_from(row)?,
                        respondents: row.get::<_, i64>(7) as usize,
                        stage: stage.and_then(Stage::from_code),
                    })
                })
                .collect()
        })
    }

    fn round(&self, id: &str) -> Result<Round> {
        self.read(|tx| {
            let row = tx
                .query_opt(
                    "SELECT id, service_id, label, held_on, kind, instrument_key,
                            instrument_version
                     FROM round WHERE id = $1",
                    &[&id],
                )?
                .ok_or(StoreError::NotFound("round"))?;
            round_from(&row)
        })
    }

    fn create_round(
        &mut self,
        service_id: &str,
        label: &str,
        held_on: NaiveDate,
        kind: RoundKind,
        instrument: &Instrument,
        now: DateTime<Utc>,
    ) -> Result<Round> {
        let round = Round {
            id: new_id(),
            service_id: service_id.to_string(),
            label: label.to_string(),
            held_on,
            kind,
            instrument_key: instrument.key.clone(),
            instrument_version: instrument.version.clone(),
        };
        self.write(|tx| {
            tx.execute(
                "INSERT INTO round (id, service_id, label, held_on, kind, instrument_key,
                                    instrument_version, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &round.id,
                    &round.service_id,
                    &round.label,
                    &round.held_on.to_string(),
                    &round.kind.code(),
                    &round.instrument_key,
                    &round.instrument_version,
                    &timestamp(now),
                ],
            )?;
            Ok(())
        })?;
        Ok(round)
    }

    fn respondents(&self, round_id: &str) -> Result<Vec<RespondentSummary>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT p.id, p.round_id, p.role, p.code,
                        -- The kept tallies count only the items put to the respondent.
                        (SELECT coalesce(sum(s.scored + s.dont_know + s.not_applicable), 0)
                          FROM respondent_score s WHERE s.respondent_id = p.id)::bigint,
                        (SELECT max(a.updated_at) FROM answer a WHERE a.respondent_id = p.id)
                 FROM respondent p WHERE p.round_id = $1 ORDER BY p.created_at, p.rowid",
                &[&round_id],
            )?;
            rows.iter()
                .map(|row| {
                    Ok(RespondentSummary {
                        respondent: respondent_from(row)?,
                        answered: row.get::<_, i64>(4) as usize,
                        last_change: row.get(5),
                    })
                })
                .collect()
        })
    }

    fn create_respondent(
        &mut self,
        round_id: &str,
        role: Role,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Respondent> {
        let respondent = Respondent {
            id: new_id(),
            round_id: round_id.to_string(),
            role,
            code: code.to_string(),
        };
        self.write(|tx| insert_respondent(tx, &respondent, now))?;
        Ok(respondent)
    }

    fn answers(&self, respondent_id: &str) -> Result<AnswerSet> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT item_key, value, missing, comment FROM answer WHERE respondent_id = $1",
                &[&respondent_id],
            )?;
            Ok(rows
                .iter()
                .map(|row| (row.get(0), answer_from(row, 1)))
                .collect())
        })
    }

    fn round_answers(&self, round_id: &str) -> Result<Vec<(Respondent, AnswerSet)>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT id, round_id, role, code FROM respondent
                 WHERE round_id = $1 ORDER BY created_at, rowid",
                &[&round_id],
            )?;
            let mut all: Vec<(Respondent, AnswerSet)> = rows
                .iter()
                .map(|row| Ok((respondent_from(row)?, AnswerSet::new())))
                .collect::<Result<_>>()?;
            let position: HashMap<String, usize> = (all.iter().enumerate())
                .map(|(i, (respondent, _))| (respondent.id.clone(), i))
                .collect();
            let rows = tx.query(
                "SELECT a.respondent_id, a.item_key, a.value, a.missing, a.comment
                 FROM respondent p JOIN answer a ON a.respondent_id = p.id
                 WHERE p.round_id = $1",
                &[&round_id],
            )?;
            for row in &rows {
                if let Some(&i) = position.get(row.get::<_, &str>(0)) {
                    all[i].1.insert(row.get(1), answer_from(row, 2));
                }
            }
            Ok(all)
        })
    }

    fn save_response(
        &mut self,
        respondent_id: &str,
        item_key: &str,
        response: Option<Response>,
        now: DateTime<Utc>,
    ) -> Result<Answer> {
        self.change_answer(respondent_id, item_key, now, |answer| {
            answer.response = response;
        })
    }

    fn save_comment(
        &mut self,
        respondent_id: &str,
        item_key: &str,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<Answer> {
        self.change_answer(respondent_id, item_key, now, |answer| {
            answer.comment = comment.to_string();
        })
    }

    fn history(&self, respondent_id: &str, item_key: &str) -> Result<Vec<HistoryEntry>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT h.old_value, h.old_missing, h.old_comment, h.new_value, h.new_missing,
                        h.new_comment, h.changed_at
                 FROM answer_history h JOIN answer a ON a.id = h.answer_id
                 WHERE a.respondent_id = $1 AND a.item_key = $2 ORDER BY h.seq",
                &[&respondent_id, &item_key],
            )?;
            Ok(rows
                .iter()
                .map(|row| {
                    let old_comment: Option<String> = row.get(2);
                    HistoryEntry {
                        old: old_comment.map(|comment| Answer {
                            response: response_from(row.get(0), row.get(1)),
                            comment,
                        }),
                        new: answer_from(row, 3),
                        changed_at: row.get(6),
                    }
                })
                .collect())
        })
    }
}
