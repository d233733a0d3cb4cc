//! Which server and database `--db postgres://…` names, completed as libpq completes it, so
//! that a centre's IT sets kartlegg up as it sets up `psql`: what the address leaves out comes
//! from `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`, `PGSSLMODE`,
//! `PGCONNECT_TIMEOUT`, then the password file (`PGPASSFILE`, else `~/.pgpass`), then libpq's
//! defaults. A password need never be on a command line.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use postgres::config::{Host, SslMode};

use crate::store::{DriverError, DriverKind, StoreError};

/// A server's address, complete, and how to name it without its password.
#[derive(Clone)]
pub struct Target {
    pub config: postgres::Config,
    /// `postgres://user@host:port/database`: what messages and the status line show.
    pub shown: PathBuf,
    pub tls: Tls,
}

/// libpq's `sslmode`, as kartlegg keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// `disable`: never.
    Off,
    /// `prefer` (libpq's default) and `allow`: where the server offers it, without checking
    /// its certificate, as libpq does.
    Prefer,
    /// `require`: always, without checking the certificate (libpq's own meaning).
    Require,
    /// `verify-ca` and `verify-full`: always, the certificate checked against the root
    /// certificates (`PGSSLROOTCERT`, else the system's) and the host's name.
    Verify,
}

/// How long a connection may take before the server counts as unreachable, unless
/// `PGCONNECT_TIMEOUT` or the address says otherwise.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

fn refused(detail: String) -> StoreError {
    StoreError::Database(DriverError {
        kind: DriverKind::Unreachable,
        detail,
    })
}

impl Target {
    /// The address `url` completed from `env` (the process's environment, in the program),
    /// the password file at `pgpass` (if any) and libpq's defaults; `user` is the operating
    /// system's user name, libpq's default role and database.
    pub fn resolve(
        url: &str,
        env: &dyn Fn(&str) -> Option<String>,
        user: &str,
    ) -> Result<Target, StoreError> {
        // libpq's PGPORT, for every host the address names without a port: written into
        // the address, since `postgres::Config` puts 5432 there itself.
        let port = env("PGPORT").filter(|_| !names_port(url));
        if let Some(port) = &port
            && port.parse::<u16>().is_err()
        {
            return Err(refused(format!("PGPORT is not a port: {port:?}")));
        }
        let url = match &port {
            Some(port) => with_port(url, port),
            None => url.to_string(),
        };
        // kartlegg reads the sslmode itself: `postgres::Config` knows neither verify-ca nor
        // verify-full.
        let mode = sslmode_of(&url);
        let url = without_sslmode(&url);
        let mut config = postgres::Config::from_str(&url)
            .map_err(|e| refused(format!("not a server address: {e}")))?;
        if config.get_hosts().is_empty() {
            let hosts = env("PGHOST").unwrap_or_else(|| {
                // libpq's default where Debian's server puts its socket, else this machine.
                if Path::new("/var/run/postgresql").is_dir() {
                    "/var/run/postgresql".into()
                } else {
                    "localhost".into()
                }
            });
            for host in hosts.split(',').filter(|h| !h.is_empty()) {
                if host.starts_with('/') {
                    config.host_path(host);
                } else {
                    config.host(host);
                }
            }
            if let Some(port) = &port {
                let port = port.parse().expect("checked above");
                for _ in config.get_hosts().to_vec() {
                    config.port(port);
                }
            }
        }
        if config.get_user().is_none() {
            config.user(env("PGUSER").as_deref().unwrap_or(user));
        }
        if config.get_dbname().is_none() {
            let database =
                env("PGDATABASE").unwrap_or_else(|| config.get_user().unwrap_or(user).to_string());
            config.dbname(&database);
        }
        if config.get_connect_timeout().is_none() {
            let timeout = match env("PGCONNECT_TIMEOUT") {
                Some(seconds) => Duration::from_secs(seconds.trim().parse().map_err(|_| {
                    refused(format!("PGCONNECT_TIMEOUT is not seconds: {seconds:?}"))
                })?),
                None => CONNECT_TIMEOUT,
            };
            config.connect_timeout(timeout);
        }
        config.application_name("kartlegg");
        let mode = match mode.or_else(|| env("PGSSLMODE")) {
            None => "prefer".to_string(),
            Some(mode) => mode,
        };
        let tls = match mode.as_str() {
            "disable" => Tls::Off,
            "allow" | "prefer" => Tls::Prefer,
            "require" => Tls::Require,
            "verify-ca" | "verify-full" => Tls::Verify,
            other => return Err(refused(format!("sslmode {other:?} is not one libpq knows"))),
        };
        config.ssl_mode(match tls {
            Tls::Off => SslMode::Disable,
            Tls::Prefer => SslMode::Prefer,
            Tls::Require | Tls::Verify => SslMode::Require,
        });
        if config.get_password().is_none() {
            if let Some(password) = env("PGPASSWORD") {
                config.password(password);
            } else if let Some(password) = password_file(env)
                .and_then(|file| std::fs::read_to_string(file).ok())
                .and_then(|text| from_password_file(&text, &config))
            {
                config.password(password);
            }
        }
        let shown = shown(&config);
        Ok(Target { config, shown, tls })
    }
}

/// The address with `port` for each of its hosts: `postgres::Config` reads a port per host.
fn with_port(url: &str, port: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return format!("{url} port={port}");
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let (user, hosts) = match authority.rsplit_once('@') {
        Some((user, hosts)) => (format!("{user}@"), hosts),
        None => (String::new(), authority),
    };
    if hosts.is_empty() {
        return url.to_string();
    }
    let hosts: Vec<String> = hosts.split(',').map(|h| format!("{h}:{port}")).collect();
    format!("{scheme}://{user}{}{path}", hosts.join(","))
}

/// Whether the address names a port (`postgres::Config` gives 5432 where it names none).
fn names_port(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return url.split_whitespace().any(|pair| pair.starts_with("port="));
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let hosts = authority
        .rsplit_once('@')
        .map_or(authority, |(_, hosts)| hosts);
    hosts.split(',').any(|host| match host.rsplit_once(']') {
        Some((_, after)) => after.starts_with(':'),
        None => host.contains(':'),
    }) || query_value(url, "port").is_some()
}

/// The sslmode an address names, in either form.
fn sslmode_of(url: &str) -> Option<String> {
    if url.contains("://") {
        query_value(url, "sslmode")
    } else {
        url.split_whitespace()
            .find_map(|pair| pair.strip_prefix("sslmode=").map(str::to_string))
    }
}

/// The address without its sslmode.
fn without_sslmode(url: &str) -> String {
    if !url.contains("://") {
        let pairs: Vec<&str> = url
            .split_whitespace()
            .filter(|pair| !pair.starts_with("sslmode="))
            .collect();
        return pairs.join(" ");
    }
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.starts_with("sslmode="))
        .collect();
    if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

/// A `?key=value` of a URL address (the key=value form is read by `postgres::Config`).
fn query_value(url: &str, key: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| v.to_string())
    })
}

/// The password file libpq reads: `PGPASSFILE`, else `~/.pgpass`; one that others may read is
/// ignored, as libpq ignores it.
fn password_file(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let file = match env("PGPASSFILE") {
        Some(file) => PathBuf::from(file),
        None => PathBuf::from(env("HOME")?).join(".pgpass"),
    };
    let mode = std::fs::metadata(&file).ok()?.permissions().mode();
    (mode & 0o077 == 0).then_some(file)
}

/// The password of the first line of a password file that fits the address:
/// `host:port:database:user:password`, `*` fitting anything, `\:` and `\\` escaped; a socket
/// is `localhost`, as libpq has it.
fn from_password_file(text: &str, config: &postgres::Config) -> Option<String> {
    let host = match config.get_hosts().first()? {
        Host::Tcp(name) => name.clone(),
        Host::Unix(_) => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let wanted = [
        host.as_str(),
        port.as_str(),
        config.get_dbname()?,
        config.get_user()?,
    ];
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let fields = password_fields(line);
            let [host, port, database, user, password] = fields.as_slice() else {
                return None;
            };
            let fits = [host, port, database, user]
                .iter()
                .zip(wanted)
                .all(|(field, wanted)| field.as_str() == "*" || field.as_str() == wanted);
            fits.then(|| password.clone())
        })
}

fn password_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => field.push(chars.next().unwrap_or('\\')),
            ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// The server and database of an address, without its password.
fn shown(config: &postgres::Config) -> PathBuf {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            Host::Tcp(name) => name.clone(),
            // As an address takes it: the socket's folder with its slashes escaped.
            Host::Unix(path) => path.display().to_string().replace('/', "%2F"),
        })
        .collect();
    let port = match config.get_ports() {
        [] | [5432] => String::new(),
        [port, ..] => format!(":{port}"),
    };
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let database = config.get_dbname().unwrap_or_default();
    PathBuf::from(format!(
        "postgres://{user}{}{port}/{database}",
        hosts.join(",")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve(url: &str, vars: &[(&str, &str)]) -> Target {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Target::resolve(url, &|name| vars.get(name).cloned(), "ola").unwrap()
    }

    #[test]
    fn what_the_address_leaves_out_comes_from_the_environment_then_the_user() {
        let target = resolve(
            "postgres://db.rbup.no/kartlegg",
            &[
                ("PGUSER", "kari"),
                ("PGPASSWORD", "hemmelig"),
                ("PGPORT", "6543"),
            ],
        );
        assert_eq!(target.config.get_user(), Some("kari"));
        assert_eq!(target.config.get_password(), Some(&b"hemmelig"[..]));
        assert_eq!(target.config.get_ports(), [6543]);
        assert_eq!(
            target.shown,
            Path::new("postgres://kari@db.rbup.no:6543/kartlegg")
        );
        assert_eq!(target.tls, Tls::Prefer);

        let target = resolve("postgres://", &[("PGHOST", "/run/pg"), ("PGDATABASE", "k")]);
        assert_eq!(target.config.get_hosts(), [Host::Unix("/run/pg".into())]);
        assert_eq!(target.config.get_user(), Some("ola"));
        assert_eq!(target.config.get_dbname(), Some("k"));
    }

    #[test]
    fn the_address_wins_over_the_environment_and_no_password_is_shown() {
        let target = resolve(
            "postgres://per:pw@a.example/region?sslmode=require",
            &[
                ("PGUSER", "kari"),
                ("PGSSLMODE", "disable"),
                ("PGPASSWORD", "x"),
            ],
        );
        assert_eq!(target.config.get_user(), Some("per"));
        assert_eq!(target.config.get_password(), Some(&b"pw"[..]));
        assert_eq!(target.tls, Tls::Require);
        assert!(!target.shown.display().to_string().contains("pw"));
        assert_eq!(
            resolve("postgres://a/b", &[("PGSSLMODE", "verify-full")]).tls,
            Tls::Verify
        );
        assert_eq!(
            resolve("postgres://a/b", &[("PGSSLMODE", "disable")]).tls,
            Tls::Off
        );
    }

    #[test]
    fn an_unknown_sslmode_or_port_is_refused() {
        let env = |name: &str| (name == "PGSSLMODE").then(|| "sometimes".to_string());
        assert!(Target::resolve("postgres://a/b", &env, "ola").is_err());
        let env = |name: &str| (name == "PGPORT").then(|| "many".to_string());
        assert!(Target::resolve("postgres://a/b", &env, "ola").is_err());
    }

    #[test]
    fn the_password_file_gives_the_first_line_that_fits() {
        let config = resolve("postgres://kari@db.rbup.no/kartlegg", &[]).config;
        let file = "# comment\n\
                    other.host:*:*:*:nei\n\
                    db.rbup.no:5432:kartlegg:per:nei\n\
                    db.rbup.no:*:kartlegg:kari:ja\\:med kolon\n\
                    *:*:*:*:for sent\n";
        assert_eq!(
            from_password_file(file, &config).as_deref(),
            Some("ja:med kolon")
        );
        let socket = resolve("postgres://kari@%2Frun%2Fpg/kartlegg", &[]).config;
        assert_eq!(
            from_password_file("localhost:5432:kartlegg:kari:s\n", &socket).as_deref(),
            Some("s")
        );
    }

    #[test]
    fn a_password_file_others_may_read_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "*:*:*:*:pw\n").unwrap();
        let path = file.display().to_string();
        let env = |name: &str| (name == "PGPASSFILE").then(|| path.clone());
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(password_file(&env), None);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(password_file(&env), Some(file.clone()));
        let target = Target::resolve("postgres://a/b", &env, "ola").unwrap();
        assert_eq!(target.config.get_password(), Some(&b"pw"[..]));
    }
}
