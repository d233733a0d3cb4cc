//! A throwaway PostgreSQL server for the tests of the server backend: started once per test
//! binary in a temporary folder, reached by its Unix socket alone (no TCP, no network), and
//! stopped when the binary ends. Each test gets a database of its own.
//!
//! There is no skipping: where no server can be started (no PostgreSQL installed: `bash
//! .ci/deps` installs Debian's `postgresql`), every test that needs one fails and says why.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The role the throwaway server is made with; it owns every test database.
pub const SUPERUSER: &str = "kartlegg";

pub struct Server {
    /// Holds the data folder and the socket.
    folder: PathBuf,
    bin: PathBuf,
    /// `CREATE DATABASE` copies template1, and refuses while another copy reads it.
    creating: Mutex<()>,
    made: AtomicUsize,
    /// The loopback port it also takes TLS connections on (`Server::own_with_tls`).
    tls_port: Option<u16>,
}

/// A database of its own on the throwaway server: what `kartlegg --db` takes to reach it.
pub struct Database {
    pub name: String,
    pub url: String,
}

static SERVER: OnceLock<Server> = OnceLock::new();

/// A test's own server (`Server::own`), stopped and removed with it.
pub struct Own(pub Server);

impl std::ops::Deref for Own {
    type Target = Server;
    fn deref(&self) -> &Server {
        &self.0
    }
}

impl Drop for Own {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// The server of this test binary, started on first use.
pub fn server() -> &'static Server {
    SERVER.get_or_init(|| {
        let server = Server::start().unwrap_or_else(|why| panic!("no PostgreSQL server: {why}"));
        // SAFETY: `stop_at_exit` is an `extern "C" fn()` that touches only the started
        // server's statics; atexit runs it once as the process ends.
        unsafe { libc::atexit(stop_at_exit) };
        server
    })
}

/// A new, empty database on the throwaway server.
pub fn database() -> Database {
    server().database()
}

extern "C" fn stop_at_exit() {
    if let Some(server) = SERVER.get() {
        server.stop();
    }
}

// What starting a PostgreSQL takes, shared with the benches' durable server.
#[path = "pg_tools.rs"]
mod pg_tools;
use pg_tools::{as_server_user, binaries, is_root, run};

impl Server {
    fn start() -> Result<Server, String> {
        Server::start_listening(None)
    }

    fn start_listening(tls_port: Option<u16>) -> Result<Server, String> {
        let bin = binaries()?;
        let folder = tempfile::Builder::new()
            .prefix("kartlegg-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?
            .keep();
        if is_root() {
            run(
                {
                    let mut c = Command::new("chown");
                    c.arg("postgres:postgres").arg(&folder);
                    c
                },
                "chown",
            )?;
        }
        let data = folder.join("data");
        let mut initdb = as_server_user(&bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", SUPERUSER, "-E", "UTF8", "--no-sync"])
            .arg("--locale=C.UTF-8");
        run(initdb, "initdb")?;
        // kartlegg's duties log in with a password, checked by the server (SCRAM), as on a
        // real server; every other role of the tests is trusted on the socket, as before.
        let hba = "local all +kartlegg_consultant scram-sha-256\n\
                   local all +kartlegg_leader scram-sha-256\n\
                   local all +kartlegg_respondent scram-sha-256\n\
                   local all all trust\n";
        std::fs::write(data.join("pg_hba.conf"), hba).map_err(|e| format!("pg_hba.conf: {e}"))?;
        let server = Server {
            folder,
            bin,
            creating: Mutex::new(()),
            made: AtomicUsize::new(0),
            tls_port,
        };
        if let Some(port) = tls_port {
            server.make_certificate()?;
            // TLS alone on the loopback port: a connection without it is refused there.
            let hba =
                format!("local all all trust\nhostssl all all 127.0.0.1/32 trust\n# port {port}\n");
            std::fs::write(server.folder.join("data/pg_hba.conf"), hba)
                .map_err(|e| format!("pg_hba.conf: {e}"))?;
        }
        server.run_server()?;
        Ok(server)
    }

    /// Starts the server on its data folder (again, after `stop_for_now`).
    fn run_server(&self) -> Result<(), String> {
        let mut pg_ctl = as_server_user(&self.bin.join("pg_ctl"));
        // Durability is the server's and is not under test here: without fsync the many
        // small databases of a test run are quick to make.
        let listen = match self.tls_port {
            None => "-c listen_addresses=''".to_string(),
            Some(port) => format!(
                "-c listen_addresses=127.0.0.1 -p {port} -c ssl=on \
                 -c ssl_cert_file={0}/server.crt -c ssl_key_file={0}/server.key",
                self.folder.display()
            ),
        };
        let options = format!(
            "-k {} {listen} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200",
            self.folder.display()
        );
        pg_ctl
            .arg("-D")
            .arg(self.folder.join("data"))
            .args(["-o", &options, "-l"])
            .arg(self.folder.join("log"))
            .args(["-w", "start"]);
        run(pg_ctl, "pg_ctl start").map_err(|e| {
            let log = std::fs::read_to_string(self.folder.join("log")).unwrap_or_default();
            format!("{e}\n{log}")
        })
    }

    /// A server of its own, for a test that stops it and starts it again; it is stopped and
    /// removed when dropped.
    pub fn own() -> Own {
        Own(Server::start().unwrap_or_else(|why| panic!("no PostgreSQL server: {why}")))
    }

    /// A server of its own that also takes TLS connections on a loopback port, with a
    /// certificate of its own for `localhost` and 127.0.0.1 (`certificate()` is its root).
    pub fn own_with_tls() -> Own {
        // A port no one listens on now; the server takes it a moment later.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        Own(Server::start_listening(Some(port))
            .unwrap_or_else(|why| panic!("no PostgreSQL server with TLS: {why}")))
    }

    /// A certificate for the server, signed by a root of its own (`openssl`, from Debian's
    /// `openssl`): a verifier takes a root as an issuer, never as the server's own.
    fn make_certificate(&self) -> Result<(), String> {
        let at = |name: &str| self.folder.join(name);
        let openssl = |args: &[&str]| {
            let mut command = Command::new("openssl");
            command.args(args).current_dir(&self.folder);
            run(command, &format!("openssl {}", args[0]))
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=kartlegg test root",
            "-keyout",
            "root.key",
            "-out",
            "root.crt",
        ])?;
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ])?;
        std::fs::write(
            at("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .map_err(|e| e.to_string())?;
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "root.crt",
            "-CAkey",
            "root.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ])?;
        if is_root() {
            let mut chown = Command::new("chown");
            chown
                .arg("postgres:postgres")
                .arg(at("server.key"))
                .arg(at("server.crt"));
            run(chown, "chown")?;
        }
        let mut chmod = Command::new("chmod");
        chmod.arg("600").arg(at("server.key"));
        run(chmod, "chmod")
    }

    /// The root that vouches for the server's certificate.
    pub fn certificate(&self) -> PathBuf {
        self.folder.join("root.crt")
    }

    /// The address of one of its databases over TLS on the loopback port, with `sslmode`.
    pub fn tls_url(&self, database: &str, sslmode: &str) -> String {
        let port = self.tls_port.expect("a server with TLS");
        format!("postgres://{SUPERUSER}@127.0.0.1:{port}/{database}?sslmode={sslmode}")
    }

    /// Stops the server as an administrator's restart does (`pg_ctl stop -m fast`: every
    /// connection is ended, what was committed is kept).
    pub fn stop_for_now(&self) {
        let mut pg_ctl = as_server_user(&self.bin.join("pg_ctl"));
        pg_ctl
            .arg("-D")
            .arg(self.folder.join("data"))
            .args(["-m", "fast", "-w", "stop"]);
        run(pg_ctl, "pg_ctl stop").unwrap();
    }

    pub fn start_again(&self) {
        self.run_server().unwrap();
    }

    /// The connection string of one of this server's databases, as the superuser.
    pub fn url(&self, database: &str) -> String {
        self.url_as(SUPERUSER, database)
    }

    /// The connection string of one of this server's databases, as another role.
    pub fn url_as(&self, role: &str, database: &str) -> String {
        // The socket's folder as a URL's host: its slashes escaped.
        let host = self.folder.display().to_string().replace('/', "%2F");
        // A server on a port of its own names its socket by that port.
        let port = self.tls_port.map(|p| format!(":{p}")).unwrap_or_default();
        format!("postgres://{role}@{host}{port}/{database}")
    }

    /// The connection string of one of this server's databases, as a role that logs in with
    /// `password`.
    pub fn url_with_password(&self, role: &str, password: &str, database: &str) -> String {
        let host = self.folder.display().to_string().replace('/', "%2F");
        format!("postgres://{role}:{password}@{host}/{database}")
    }

    /// The folder of the server's socket: what `PGHOST` names.
    pub fn socket_folder(&self) -> &Path {
        &self.folder
    }

    pub fn database(&self) -> Database {
        let name = format!(
            "kt_{}_{}",
            std::process::id(),
            self.made.fetch_add(1, Ordering::Relaxed)
        );
        let _one_at_a_time = self.creating.lock().unwrap_or_else(|e| e.into_inner());
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("the throwaway server takes connections");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a new database");
        Database {
            url: self.url(&name),
            name,
        }
    }

    /// SQL as the superuser on one of the server's databases, outside kartlegg.
    pub fn sql(&self, database: &str, sql: &str) -> Result<Vec<postgres::Row>, postgres::Error> {
        let mut client = postgres::Client::connect(&self.url(database), postgres::NoTls)?;
        client.query(sql, &[])
    }

    /// Ends one backend process of the server, as an administrator's
    /// `pg_terminate_backend` does: its open transaction is rolled back.
    pub fn terminate(&self, database: &str, backend: i32) {
        let ended = self
            .sql(database, &format!("SELECT pg_terminate_backend({backend})"))
            .unwrap();
        assert!(ended[0].get::<_, bool>(0), "backend {backend} ended");
    }

    fn stop(&self) {
        let mut pg_ctl = as_server_user(&self.bin.join("pg_ctl"));
        pg_ctl
            .arg("-D")
            .arg(self.folder.join("data"))
            .args(["-m", "immediate", "stop"]);
        let _ = pg_ctl.output();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}
