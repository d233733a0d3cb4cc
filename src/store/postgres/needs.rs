//! Competence needs, own areas, expectations and service facts on the server, as `Needs`
//! promises them: each change one transaction, logged in `change_log` with its old and new
//! side as SQLite logs it (`store::sqlite::needs`).

use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row};

use super::PgStore;
use super::changes::log;
use super::plan::code;
use crate::domain::model::new_id;
use crate::domain::needs::{
    CompetenceAreas, Expectation, Expectations, Facts, Need, NeedField, OwnArea, Who, YesPartlyNo,
};
use crate::store::columns::{expectations_kept, need_changed, note_side};
use crate::store::sqlite::split_list;
use crate::store::{Needs, Result, StoreError, timestamp};

fn need_from(row: &Row) -> Result<Need> {
    let who: Option<&str> = row.get(4);
    let scale = |column: usize| row.get::<_, Option<i64>>(column).map(|v| v as u8);
    Ok(Need {
        area_key: row.get(0),
        mastery: scale(1),
        importance: scale(2),
        top_three: row.get::<_, i64>(3) != 0,
        who: who.map(|w| code("who", w, Who::from_code)).transpose()?,
        missing: row.get(5),
    })
}

fn needs_of(client: &mut impl GenericClient, round_id: &str) -> Result<Vec<Need>> {
    // The bytes' order (COLLATE "C") is SQLite's.
    let rows = client.query(
        "SELECT area_key, mastery, importance, top_three, who, missing FROM need
         WHERE round_id = $1 ORDER BY area_key COLLATE \"C\"",
        &[&round_id],
    )?;
    rows.iter().map(need_from).collect()
}

fn put_need(client: &mut impl GenericClient, round_id: &str, need: &Need, at: &str) -> Result<()> {
    client.execute(
        "INSERT INTO need (round_id, area_key, mastery, importance, top_three, who,
                           missing, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (round_id, area_key) DO UPDATE SET
            mastery = excluded.mastery, importance = excluded.importance,
            top_three = excluded.top_three, who = excluded.who,
            missing = excluded.missing, updated_at = excluded.updated_at",
        &[
            &round_id,
            &need.area_key,
            &need.mastery.map(i64::from),
            &need.importance.map(i64::from),
            &i64::from(need.top_three),
            &need.who.map(Who::code),
            &need.missing,
            &at,
        ],
    )?;
    Ok(())
}

/// Whether `area_key` is shipped or one of the round's service's own areas.
fn area_known(client: &mut impl GenericClient, service_id: &str, area_key: &str) -> Result<bool> {
    if CompetenceAreas::standard()
        .areas
        .iter()
        .any(|a| a.key == area_key)
    {
        return Ok(true);
    }
    Ok(client
        .query_opt(
            "SELECT 1 FROM own_area WHERE id = $1 AND service_id = $2",
            &[&area_key, &service_id],
        )?
        .is_some())
}

fn service_of_round(client: &mut impl GenericClient, round_id: &str) -> Result<String> {
    client
        .query_opt("SELECT service_id FROM round WHERE id = $1", &[&round_id])?
        .map(|row| row.get(0))
        .ok_or(StoreError::NotFound("round"))
}

fn expectations_of(client: &mut impl GenericClient, round_id: &str) -> Result<Expectations> {
    let Some(row) = client.query_opt(
        "SELECT wants, text, knows_why, own_wish FROM expectations WHERE round_id = $1",
        &[&round_id],
    )?
    else {
        return Ok(Expectations::default());
    };
    let answer = |column: usize, name: &str| -> Result<Option<YesPartlyNo>> {
        let text: Option<&str> = row.get(column);
        text.map(|t| code(name, t, YesPartlyNo::from_code))
            .transpose()
    };
    Ok(Expectations {
        wants: split_list(row.get(0))
            .iter()
            .map(|w| code("wants", w, Expectation::from_code))
            .collect::<Result<_>>()?,
        text: row.get(1),
        knows_why: answer(2, "knows_why")?,
        own_wish: answer(3, "own_wish")?,
    })
}

fn put_expectations(
    client: &mut impl GenericClient,
    round_id: &str,
    expectations: &Expectations,
    at: &str,
) -> Result<()> {
    let wants: Vec<&str> = expectations.wants.iter().map(|e| e.code()).collect();
    client.execute(
        "INSERT INTO expectations (round_id, wants, text, knows_why, own_wish, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (round_id) DO UPDATE SET
            wants = excluded.wants, text = excluded.text,
            knows_why = excluded.knows_why, own_wish = excluded.own_wish,
            updated_at = excluded.updated_at",
        &[
            &round_id,
            &wants.join(","),
            &expectations.text,
            &expectations.knows_why.map(YesPartlyNo::code),
            &expectations.own_wish.map(YesPartlyNo::code),
            &at,
        ],
    )?;
    Ok(())
}

fn facts_of(client: &mut impl GenericClient, round_id: &str) -> Result<Facts> {
    let Some(row) = client.query_opt(
        "SELECT ftes, vacancies, turnover, newly_qualified, deadline_breaches, complaints,
                emergency_cases
         FROM service_facts WHERE round_id = $1",
        &[&round_id],
    )?
    else {
        return Ok(Facts::default());
    };
    // The table's checks hold the counts at zero or more.
    let count = |column: usize| row.get::<_, Option<i64>>(column).map(|v| v as u32);
    Ok(Facts {
        ftes: row.get(0),
        vacancies: count(1),
        turnover: count(2),
        newly_qualified: row.get(3),
        deadline_breaches: count(4),
        complaints: count(5),
        emergency_cases: count(6),
    })
}

pub(super) fn put_facts(
    client: &mut impl GenericClient,
    round_id: &str,
    facts: &Facts,
    at: &str,
) -> Result<(), postgres::Error> {
    let count = |value: Option<u32>| value.map(i64::from);
    client.execute(
        "INSERT INTO service_facts (round_id, ftes, vacancies, turnover, newly_qualified,
             deadline_breaches, complaints, emergency_cases, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (round_id) DO UPDATE SET
            ftes = excluded.ftes, vacancies = excluded.vacancies,
            turnover = excluded.turnover, newly_qualified = excluded.newly_qualified,
            deadline_breaches = excluded.deadline_breaches,
            complaints = excluded.complaints, emergency_cases = excluded.emergency_cases,
            updated_at = excluded.updated_at",
        &[
            &round_id,
            &facts.ftes,
            &count(facts.vacancies),
            &count(facts.turnover),
            &facts.newly_qualified,
            &count(facts.deadline_breaches),
            &count(facts.complaints),
            &count(facts.emergency_cases),
            &at,
        ],
    )?;
    Ok(())
}

impl Needs for PgStore {
    fn own_areas(&self, service_id: &str) -> Result<Vec<OwnArea>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT id, service_id, name FROM own_area WHERE service_id = $1
                 ORDER BY created_at COLLATE \"C\", rowid",
                &[&service_id],
            )?;
            Ok(rows
                .iter()
                .map(|row| OwnArea {
                    id: row.get(0),
                    service_id: row.get(1),
                    name: row.get(2),
                })
                .collect())
        })
    }

    fn add_own_area(
        &mut self,
        service_id: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<OwnArea> {
        let area = OwnArea {
            id: new_id(),
            service_id: service_id.to_string(),
            name: name.to_string(),
        };
        self.write(|tx| {
            tx.query_opt("SELECT 1 FROM service WHERE id = $1", &[&service_id])?
                .ok_or(StoreError::NotFound("service"))?;
            tx.execute(
                "INSERT INTO own_area (id, service_id, name, created_at) VALUES ($1, $2, $3, $4)",
                &[&area.id, &area.service_id, &area.name, &timestamp(now)],
            )?;
            let key = format!("{service_id}/{}", area.id);
            log(tx, "own_area", &key, None, Some(&area), now)
        })?;
        Ok(area)
    }

    fn needs(&self, round_id: &str) -> Result<Vec<Need>> {
        self.read(|tx| needs_of(tx, round_id))
    }

    fn set_need(
        &mut self,
        round_id: &str,
        area_key: &str,
        change: &NeedField,
        now: DateTime<Utc>,
    ) -> Result<Need> {
        if !change.in_range() {
            return Err(StoreError::NeedOutOfRange);
        }
        self.write(|tx| {
            // Read in the write's own transaction: a need changed by another kartlegg in
            // between is counted (the top three) and logged as it was.
            let service = service_of_round(tx, round_id)?;
            if !area_known(tx, &service, area_key)? {
                return Err(StoreError::NotFound("area"));
            }
            let (old, new) = need_changed(&needs_of(tx, round_id)?, area_key, change)?;
            if Some(&new) == old.as_ref() {
                return Ok(new);
            }
            put_need(tx, round_id, &new, &timestamp(now))?;
            let key = format!("{round_id}/{area_key}");
            log(tx, "need", &key, old.as_ref(), Some(&new), now)?;
            Ok(new)
        })
    }

    fn expectations(&self, round_id: &str) -> Result<Expectations> {
        self.read(|tx| expectations_of(tx, round_id))
    }

    fn set_expectations(
        &mut self,
        round_id: &str,
        expectations: &Expectations,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let new = expectations_kept(expectations);
        self.write(|tx| {
            service_of_round(tx, round_id)?;
            let old = expectations_of(tx, round_id)?;
            if old == new {
                return Ok(());
            }
            if new.is_empty() {
                tx.execute("DELETE FROM expectations WHERE round_id = $1", &[&round_id])?;
            } else {
                put_expectations(tx, round_id, &new, &timestamp(now))?;
            }
            let (old, new) = (note_side(&old), note_side(&new));
            log(
                tx,
                "expectations",
                round_id,
                old.as_ref(),
                new.as_ref(),
                now,
            )
        })
    }

    fn facts(&self, round_id: &str) -> Result<Facts> {
        self.read(|tx| facts_of(tx, round_id))
    }

    fn set_facts(&mut self, round_id: &str, facts: &Facts, now: DateTime<Utc>) -> Result<()> {
        if let Some((field, problem)) = facts.problem() {
            return Err(StoreError::FactOutOfRange(field, problem));
        }
        self.write(|tx| {
            service_of_round(tx, round_id)?;
            let old = facts_of(tx, round_id)?;
            if old == *facts {
                return Ok(());
            }
            if facts.is_empty() {
                tx.execute(
                    "DELETE FROM service_facts WHERE round_id = $1",
                    &[&round_id],
                )?;
            } else {
                put_facts(tx, round_id, facts, &timestamp(now))?;
            }
            let (old, new) = (note_side(&old), note_side(facts));
            log(
                tx,
                "service_facts",
                round_id,
                old.as_ref(),
                new.as_ref(),
                now,
            )
        })
    }
}
