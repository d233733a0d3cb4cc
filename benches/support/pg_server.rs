//! A throwaway PostgreSQL server for the server benches, as `tests/common/postgres.rs` makes
//! one for the tests, but durable as a real server is (`fsync`, `synchronous_commit` and
//! `full_page_writes` on, PostgreSQL's defaults), and reachable both by its Unix socket and
//! by TCP on the loopback, so that a network round trip can be measured beside a socket's.
//! Its data folder is `target/bench-data/pg`, kept between runs as the national SQLite
//! database is (the national import into it takes minutes); the server is started by the
//! bench and stopped when the bench ends.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The role the server is made with; it owns every bench database.
pub const SUPERUSER: &str = "kartlegg";

pub struct Server {
    /// Holds the data folder and the socket.
    folder: PathBuf,
    bin: PathBuf,
    /// The loopback port it listens on.
    port: u16,
}

static SERVER: OnceLock<Server> = OnceLock::new();

/// The bench's server, started on first use.
pub fn server() -> &'static Server {
    SERVER.get_or_init(|| {
        let server = Server::start().unwrap_or_else(|why| panic!("no PostgreSQL server: {why}"));
        // SAFETY: `stop_at_exit` is an `extern "C" fn()` that touches only the started
        // server's statics; atexit runs it once as the process ends.
        unsafe { libc::atexit(stop_at_exit) };
        server
    })
}

extern "C" fn stop_at_exit() {
    if let Some(server) = SERVER.get() {
        server.stop();
    }
}

#[path = "../../tests/common/pg_tools.rs"]
mod pg_tools;
use pg_tools::{as_server_user, binaries, is_root, run};

/// A loopback port nobody listens on now.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

impl Server {
    fn start() -> Result<Server, String> {
        let bin = binaries()?;
        let folder = super::data_dir().join("pg");
        let data = folder.join("data");
        if !data.join("PG_VERSION").is_file() {
            let _ = std::fs::remove_dir_all(&folder);
            std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
            if is_root() {
                let mut chown = Command::new("chown");
                chown.arg("postgres:postgres").arg(&folder);
                run(chown, "chown")?;
            }
            let mut initdb = as_server_user(&bin.join("initdb"));
            initdb
                .arg("-D")
                .arg(&data)
                .args(["-A", "trust", "-U", SUPERUSER, "-E", "UTF8"])
                .arg("--locale=C.UTF-8");
            run(initdb, "initdb")?;
        }
        let port = free_port()?;
        let options = format!(
            "-k {} -c listen_addresses=127.0.0.1 -p {port} -c fsync=on \
             -c synchronous_commit=on -c full_page_writes=on",
            folder.display()
        );
        let mut pg_ctl = as_server_user(&bin.join("pg_ctl"));
        pg_ctl
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(folder.join("log"))
            .args(["-w", "start"]);
        run(pg_ctl, "pg_ctl start").map_err(|e| {
            let log = std::fs::read_to_string(folder.join("log")).unwrap_or_default();
            format!("{e}\n{log}")
        })?;
        Ok(Server { folder, bin, port })
    }

    /// A database by its socket, as the superuser.
    pub fn url(&self, database: &str) -> String {
        // The socket's folder as a URL's host: its slashes escaped.
        let host = self.folder.display().to_string().replace('/', "%2F");
        format!("postgres://{SUPERUSER}@{host}:{}/{database}", self.port)
    }

    /// The same database over TCP on the loopback, without TLS (a round trip, not a
    /// handshake, is what is measured).
    pub fn tcp_url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@127.0.0.1:{}/{database}?sslmode=disable",
            self.port
        )
    }

    /// The folder of the socket: what `psql -h` takes.
    pub fn socket_folder(&self) -> &Path {
        &self.folder
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A new, empty database (one left by an earlier run of the same name is dropped).
    pub fn database(&self, name: &str) -> String {
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("the bench server takes connections");
        // One statement a call: neither runs inside a transaction block.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .expect("drop a bench database");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a new database");
        self.url(name)
    }

    pub fn drop_database(&self, name: &str) {
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("the bench server takes connections");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .expect("drop a bench database");
    }

    fn stop(&self) {
        let mut pg_ctl = as_server_user(&self.bin.join("pg_ctl"));
        pg_ctl
            .arg("-D")
            .arg(self.folder.join("data"))
            .args(["-m", "fast", "stop"]);
        let _ = pg_ctl.output();
    }
}
