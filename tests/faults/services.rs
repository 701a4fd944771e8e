//! Private PostgreSQL and Redis servers and `dispecer` processes for the fault tests.
//!
//! Each test starts its own servers on free ports in temporary folders, so stopping them
//! disturbs nothing else on the machine. When the server binaries are missing the tests print
//! why and return, unless `DISPECER_FAULT_TESTS=required` (set by `.ci/run`), which turns the
//! skip into a failure.

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_dispecer");

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Says why a fault test cannot run: a skip locally, a failure where the tests are required.
/// Returns `None` so callers can write `let Some(pg) = skip_unless(...) else { return }`.
pub fn missing<T>(what: &str) -> Option<T> {
    if std::env::var("DISPECER_FAULT_TESTS").as_deref() == Ok("required") {
        panic!("DISPECER_FAULT_TESTS=required but {what}");
    }
    eprintln!("SKIPPED: {what} (set DISPECER_FAULT_TESTS=required to make this a failure)");
    None
}

fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ready() {
        assert!(Instant::now() < deadline, "{what} did not happen in time");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// The user the PostgreSQL server runs as: PostgreSQL refuses to run as root, and CI runs as
/// root, so then the server runs as the `postgres` system user.
fn server_user(dir: &Path) -> Option<(u32, u32)> {
    let me = std::fs::metadata(dir).ok()?.uid();
    if me != 0 {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.first() == Some(&"postgres") && f.len() > 3)
            .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
            .flatten()
    })
}

/// The folder with `initdb`, `pg_ctl` and `postgres`: the newest Debian cluster version, or
/// wherever `initdb` is on the PATH.
fn postgres_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.into_iter().rev().find(|d| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| d.join(b).is_file())
    })
}

/// A PostgreSQL server of our own: `initdb` in a temporary folder, `pg_ctl` to start and stop.
pub struct PrivatePostgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    user: Option<(u32, u32)>,
    pub port: u16,
}

impl PrivatePostgres {
    /// Creates and starts a cluster, or says why it cannot (see [`missing`]).
    pub fn start() -> Option<Self> {
        let Some(bin) = postgres_bin() else {
            return missing("PostgreSQL server binaries (initdb, pg_ctl) are not installed");
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let user = server_user(dir.path());
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("chown");
        } else if std::fs::metadata(dir.path()).map(|m| m.uid()).ok() == Some(0) {
            return missing("running as root and there is no postgres user to run PostgreSQL");
        }
        let pg = Self {
            bin,
            dir,
            user,
            port: free_port(),
        };
        let out = pg
            .command("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "-N",
            ])
            .arg("-D")
            .arg(pg.data())
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        pg.start_server();
        Some(pg)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(self.bin.join(program));
        c.current_dir(self.dir.path()).stdin(Stdio::null());
        if let Some((uid, gid)) = self.user {
            c.uid(uid).gid(gid);
        }
        c
    }

    /// The URL of the `postgres` database on this server.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    pub fn start_server(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=60",
            self.port,
            self.dir.path().display()
        );
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.path().join("server.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .output()
            .expect("run pg_ctl start");
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
        );
    }

    /// Stops the server: `fast` (clients are disconnected, a clean shutdown) or `immediate`
    /// (as if the server crashed; it recovers from its WAL on the next start).
    pub fn stop_server(&self, mode: &str) {
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-w", "-t", "60", "-m", mode, "stop"])
            .output()
            .expect("run pg_ctl stop");
        assert!(
            out.status.success(),
            "pg_ctl stop failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-w", "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A Redis server of our own, on a free port, without persistence.
pub struct PrivateRedis {
    dir: tempfile::TempDir,
    child: Option<Child>,
    pub port: u16,
}

impl PrivateRedis {
    pub fn start() -> Option<Self> {
        let found = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            return missing("redis-server is not installed");
        }
        let mut redis = Self {
            dir: tempfile::tempdir().expect("temp dir"),
            child: None,
            port: free_port(),
        };
        redis.start_server();
        Some(redis)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn start_server(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--port", &self.port.to_string()])
            .arg("--dir")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let port = self.port;
        wait_until("redis-server listening", Duration::from_secs(30), || {
            port_open(port)
        });
    }

    /// Kills the server (SIGKILL): its clients see the connection drop.
    pub fn kill_server(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill_server();
    }
}

/// One `dispecer serve` process.
pub struct Instance {
    child: Option<Child>,
    pub port: u16,
    pub base: String,
    env: Vec<(String, String)>,
    console: tempfile::TempDir,
}

impl Instance {
    /// An instance on `store_url`; with `redis`, on the Redis bus (with a slow log poll, so
    /// that catching up after a Redis outage is the bus's resynchronisation, not the poll).
    pub fn new(store_url: &str, redis: Option<&str>, name: &str) -> Self {
        let port = free_port();
        let mut env = vec![
            ("DISPECER_STORE__URL".to_owned(), store_url.to_owned()),
            ("DISPECER_STORE__MAX_CONNECTIONS".into(), "4".into()),
            (
                "DISPECER_SERVER__LISTEN".into(),
                format!("127.0.0.1:{port}"),
            ),
            ("DISPECER_SERVER__INSTANCE".into(), name.to_owned()),
            ("DISPECER_ROUTING__ENABLED".into(), "false".into()),
            ("DISPECER_LOG__LEVEL".into(), "warn".into()),
        ];
        if let Some(url) = redis {
            env.push(("DISPECER_BUS__BACKEND".into(), "redis".into()));
            env.push(("DISPECER_BUS__REDIS_URL".into(), url.to_owned()));
            env.push(("DISPECER_BUS__POLL_INTERVAL_MS".into(), "3600000".into()));
        }
        Self {
            child: None,
            port,
            base: format!("http://127.0.0.1:{port}"),
            env,
            console: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Adds an environment variable (a configuration key) for every later command.
    pub fn env(&mut self, key: &str, value: &str) {
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// Runs a `dispecer` command on this instance's configuration; panics if it fails.
    pub fn cli(&self, args: &[&str]) {
        let out = self.command().args(args).output().expect("run dispecer");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("DISPECER_SERVER__CONSOLE_DIR", self.console.path())
            .env_remove("RUST_LOG")
            .stdin(Stdio::null());
        c
    }

    /// Creates a machine credential with `dispecer token add` and returns the token.
    pub fn token(&self, name: &str, role: &str) -> String {
        let out = self
            .command()
            .args(["token", "add", name, role])
            .output()
            .expect("run dispecer token add");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_owned()
    }

    /// Starts `dispecer serve` and waits for `/healthz`.
    pub fn start(&mut self) {
        let child = self
            .command()
            .arg("serve")
            .stdout(Stdio::null())
            .spawn()
            .expect("start dispecer");
        self.child = Some(child);
        let url = format!("{}/healthz", self.base);
        wait_until(
            "dispecer answering /healthz",
            Duration::from_secs(60),
            || probe::http_ok(&url),
        );
    }

    /// SIGKILL, as a power cut or the OOM killer would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The websocket URL for `token`.
    pub fn ws_url(&self, token: &str) -> String {
        format!("ws://127.0.0.1:{}/ws?access_token={token}", self.port)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A tiny blocking GET for readiness checks, usable outside a runtime.
mod probe {
    use std::io::{Read, Write};

    pub fn http_ok(url: &str) -> bool {
        let Some(rest) = url.strip_prefix("http://") else {
            return false;
        };
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let Ok(mut s) = std::net::TcpStream::connect(host) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(2)));
        let req = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        if s.write_all(req.as_bytes()).is_err() {
            return false;
        }
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        buf.starts_with(b"HTTP/1.1 200")
    }
}
