//! Who sees what on a server: the duties a login role is granted (consultant of a cluster,
//! leader of a service, respondent answering as one respondent), held by the server's
//! row-level security (`access.sql`), so that no program, kartlegg or psql, reaches more.
//! docs/server.md says the model in words.
//!
//! A respondent who answers with a code on a server logs in as a role made for that one
//! respondent, with the code as its password (kept by the server as a SCRAM verifier): the
//! server checks the code, and the role reaches its own respondent's rows alone.

use chrono::{DateTime, Utc};
use postgres::GenericClient;

use super::PgStore;
use crate::domain::model::Respondent;
use crate::store::columns::COUNTED;
use crate::store::{Result, StoreError, timestamp};

/// The roles, tables, lookups and policies of `access.sql`, with the shared rule of who is
/// counted in a round's sums written in.
pub(super) fn access_sql() -> String {
    include_str!("access.sql").replace("{COUNTED}", &COUNTED.replace("?3", "min_group"))
}

/// One duty of a login role in this database.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grant {
    /// Reads and changes the services of the cluster (its id), and the cluster's record and
    /// gatherings.
    Consultant { role: String, cluster: String },
    /// Reads and changes the one service (its id), and reads its cluster's record.
    Leader { role: String, service: String },
    /// Answers as the one respondent (its id): reads its round and service, reads and
    /// changes its own answers, and nothing of anyone else.
    Respondent { role: String, respondent: String },
}

/// A duty as `grants` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Granted {
    pub grant: Grant,
    /// What the target is called: the cluster's or the service's name; for a respondent,
    /// its service's name and round's label.
    pub target_name: String,
    pub granted_at: String,
}

impl Grant {
    pub fn role(&self) -> &str {
        match self {
            Grant::Consultant { role, .. }
            | Grant::Leader { role, .. }
            | Grant::Respondent { role, .. } => role,
        }
    }

    fn duty(&self) -> &'static str {
        match self {
            Grant::Consultant { .. } => "consultant",
            Grant::Leader { .. } => "leader",
            Grant::Respondent { .. } => "respondent",
        }
    }

    fn target(&self) -> &str {
        match self {
            Grant::Consultant { cluster, .. } => cluster,
            Grant::Leader { service, .. } => service,
            Grant::Respondent { respondent, .. } => respondent,
        }
    }

    /// The server's group role whose table rights the duty needs.
    fn group(&self) -> &'static str {
        match self {
            Grant::Consultant { .. } => "kartlegg_consultant",
            Grant::Leader { .. } => "kartlegg_leader",
            Grant::Respondent { .. } => "kartlegg_respondent",
        }
    }

    fn from_row(role: String, duty: &str, target: String) -> Result<Grant> {
        Ok(match duty {
            "consultant" => Grant::Consultant {
                role,
                cluster: target,
            },
            "leader" => Grant::Leader {
                role,
                service: target,
            },
            "respondent" => Grant::Respondent {
                role,
                respondent: target,
            },
            other => return Err(super::answers::unknown_code("duty", other)),
        })
    }
}

/// A role's name as the server's identifiers take it unquoted: lower-case letters, digits
/// and `_`, starting with a letter, at most 63 bytes, and none of the server's own
/// (`pg_…`) or kartlegg's groups (`kartlegg_…`). Role statements take no parameters, so
/// the name is written into them: only such a name can be.
fn checked_role(role: &str) -> Result<&str> {
    let fits = !role.is_empty()
        && role.len() <= 63
        && role.starts_with(|c: char| c.is_ascii_lowercase())
        && role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !role.starts_with("pg_")
        && !role.starts_with("kartlegg_");
    if fits {
        Ok(role)
    } else {
        Err(StoreError::BadRoleName(role.to_string()))
    }
}

fn role_exists(client: &mut impl GenericClient, role: &str) -> Result<bool> {
    Ok(client
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&role])?
        .is_some())
}

/// Whether the target of `grant` is there; `NotFound` names what is missing.
fn target_exists(client: &mut impl GenericClient, grant: &Grant) -> Result<()> {
    let (sql, what) = match grant {
        Grant::Consultant { .. } => ("SELECT 1 FROM cluster WHERE id = $1", "cluster"),
        Grant::Leader { .. } => ("SELECT 1 FROM service WHERE id = $1", "service"),
        Grant::Respondent { .. } => ("SELECT 1 FROM respondent WHERE id = $1", "respondent"),
    };
    match client.query_opt(sql, &[&grant.target()])? {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound(what)),
    }
}

impl PgStore {
    /// The respondent this login role answers as (a respondent's duty: its code is the
    /// role's password), or `None` for any other role. The server shows such a role that
    /// one respondent alone.
    pub fn own_respondent(&self) -> Result<Option<Respondent>> {
        self.read(|client| {
            let rows = client.query(
                "SELECT id, round_id, role, code FROM respondent
                 WHERE kartlegg_is_respondent(id, current_user)",
                &[],
            )?;
            match rows.as_slice() {
                [one] => Ok(Some(super::answers::respondent_from(one)?)),
                _ => Ok(None),
            }
        })
    }

    /// Makes a login role that logs in with `password` and has no rights until granted a
    /// duty. The server keeps only the password's SCRAM verifier, made here: the password
    /// is in no SQL text the server could log. Asks the owner's CREATEROLE right.
    pub fn create_login(&mut self, role: &str, password: &str) -> Result<()> {
        let role = checked_role(role)?;
        let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
        self.write(|tx| {
            if role_exists(tx, role)? {
                return Err(StoreError::RoleTaken(role.to_string()));
            }
            // The verifier is base64 and `$`, `:`: nothing a quoted literal must escape.
            tx.batch_execute(&format!("CREATE ROLE {role} LOGIN PASSWORD '{verifier}'"))?;
            Ok(())
        })
    }

    /// Drops a login role that `create_login` made: its duties here go first. The server
    /// refuses while the role still has rights or duties in another of its databases.
    pub fn drop_login(&mut self, role: &str) -> Result<()> {
        let role = checked_role(role)?;
        self.write(|tx| {
            if !role_exists(tx, role)? {
                return Err(StoreError::NotFound("role"));
            }
            tx.execute("DELETE FROM kartlegg_access WHERE role_name = $1", &[&role])?;
            tx.batch_execute(&format!("DROP ROLE {role}"))?;
            Ok(())
        })
    }

    /// Gives `grant`'s role its duty here (and the group role whose table rights it needs).
    /// A duty granted already stays as it is.
    pub fn grant(&mut self, grant: &Grant, now: DateTime<Utc>) -> Result<()> {
        let role = checked_role(grant.role())?;
        self.write(|tx| {
            if !role_exists(tx, role)? {
                return Err(StoreError::NotFound("role"));
            }
            target_exists(tx, grant)?;
            tx.execute(
                "INSERT INTO kartlegg_access (role_name, duty, target, granted_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&role, &grant.duty(), &grant.target(), &timestamp(now)],
            )?;
            tx.batch_execute(&format!("GRANT {} TO {role}", grant.group()))?;
            Ok(())
        })
    }

    /// Takes a duty back; whether it was granted. The role keeps its group (the server's,
    /// shared by other databases where it may have duties); without a duty it reaches no
    /// row here.
    pub fn revoke(&mut self, grant: &Grant) -> Result<bool> {
        self.write(|tx| {
            let taken = tx.execute(
                "DELETE FROM kartlegg_access WHERE role_name = $1 AND duty = $2 AND target = $3",
                &[&grant.role(), &grant.duty(), &grant.target()],
            )?;
            Ok(taken > 0)
        })
    }

    /// Every duty granted here, by role, then duty, then target.
    pub fn grants(&self) -> Result<Vec<Granted>> {
        self.read(|tx| {
            let rows = tx.query(
                "SELECT a.role_name, a.duty, a.target, a.granted_at,
                        coalesce(c.name, s.name, rs.name || ' / ' || r.label, '')
                 FROM kartlegg_access a
                 LEFT JOIN cluster c ON a.duty = 'consultant' AND c.id = a.target
                 LEFT JOIN service s ON a.duty = 'leader' AND s.id = a.target
                 LEFT JOIN respondent p ON a.duty = 'respondent' AND p.id = a.target
                 LEFT JOIN round r ON r.id = p.round_id
                 LEFT JOIN service rs ON rs.id = r.service_id
                 ORDER BY a.role_name, a.duty, a.target",
                &[],
            )?;
            rows.iter()
                .map(|row| {
                    Ok(Granted {
                        grant: Grant::from_row(row.get(0), row.get(1), row.get(2))?,
                        granted_at: row.get(3),
                        target_name: row.get(4),
                    })
                })
                .collect()
        })
    }
}
