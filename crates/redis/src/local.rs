//! The test harness (`test-support` feature, not public API): a throwaway local Redis, Debian's
//! `redis-server` on a free 127.0.0.1 port with no
//! persistence, for the integration tests, the benchmark and the demo. Killed when dropped.
//! Beside it, the tests' shorthand for seeding and reading it ([`run`], [`hset`], [`hgetall`], …):
//! each panics with the command it ran when Redis answers an error.

use std::io;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use redis::{Cmd, Value};

use crate::{hash_reply, Fields, Store, Timeouts};

/// A running `redis-server` child process.
pub struct LocalRedis {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

/// A port that was free a moment ago on 127.0.0.1.
///
/// # Errors
/// No port could be bound.
pub fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl LocalRedis {
    /// Starts `redis-server` on a free loopback port and waits until it answers PING.
    ///
    /// # Errors
    /// `redis-server` is missing (run scripts/setup.sh) or does not come up within 10 s.
    pub fn start() -> io::Result<LocalRedis> {
        Self::start_on(free_port()?, &[])
    }

    /// [`LocalRedis::start`] for a test: panics, naming the package to install, when it fails.
    #[track_caller]
    pub fn started() -> LocalRedis {
        LocalRedis::start().expect("redis-server (Debian package; scripts/setup.sh installs it)")
    }

    /// Starts `redis-server` on `port` with extra arguments (e.g. `["--tls-port", …]`).
    ///
    /// # Errors
    /// As [`LocalRedis::start`].
    pub fn start_on(port: u16, extra: &[&str]) -> io::Result<LocalRedis> {
        let dir = std::env::temp_dir().join(format!("harvest-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--loglevel", "warning", "--protected-mode", "yes"])
            .arg("--dir")
            .arg(&dir)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot start redis-server ({e}): install it with scripts/setup.sh (Debian package redis-server)"),
                )
            })?;
        let mut r = LocalRedis {
            child: Some(child),
            port,
            dir,
        };
        r.wait_ready()?;
        Ok(r)
    }

    fn wait_ready(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(mut s) = Store::open(&self.url(), false, Timeouts::default()) {
                if s.query(&redis::cmd("PING")).is_ok() {
                    return Ok(());
                }
            }
            if let Some(c) = self.child.as_mut() {
                if let Some(status) = c.try_wait()? {
                    return Err(io::Error::other(format!(
                        "redis-server exited at start: {status}"
                    )));
                }
            }
            if Instant::now() > deadline {
                return Err(io::Error::other("redis-server did not answer PING in 10 s"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's process id (while it runs), e.g. to freeze it with SIGSTOP.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// A connected store for this server.
    ///
    /// # Errors
    /// The server does not answer.
    pub fn store(&self) -> redis::RedisResult<Store> {
        let mut s = Store::open(&self.url(), false, Timeouts::default())?;
        s.connect()?;
        Ok(s)
    }

    /// Kills the server (data is lost: no persistence) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for LocalRedis {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A command from its words: `cmd(&["HSET", key, "sigma", "0.01"])`.
pub fn cmd(words: &[&str]) -> Cmd {
    let mut c = redis::cmd(words[0]);
    for w in &words[1..] {
        c.arg(*w);
    }
    c
}

/// Runs the command `words` and returns its reply.
///
/// # Panics
/// Redis answers an error (the message names the command).
#[track_caller]
pub fn run(s: &mut Store, words: &[&str]) -> Value {
    s.query(&cmd(words))
        .unwrap_or_else(|e| panic!("{words:?}: {e}"))
}

/// `HSET key field value …`.
///
/// # Panics
/// As [`run`].
#[track_caller]
pub fn hset(s: &mut Store, key: &str, fields: &[(&str, &str)]) {
    s.query(&hset_cmd(key, fields))
        .unwrap_or_else(|e| panic!("HSET {key}: {e}"));
}

/// The command `HSET key field value …` (for a pipeline).
pub fn hset_cmd(key: &str, fields: &[(&str, &str)]) -> Cmd {
    let mut c = redis::cmd("HSET");
    c.arg(key);
    for (k, v) in fields {
        c.arg(*k).arg(*v);
    }
    c
}

/// `XADD stream * field value …`: the new entry's id.
///
/// # Panics
/// As [`run`].
#[track_caller]
pub fn xadd(s: &mut Store, stream: &str, fields: &[(&str, &str)]) -> String {
    let mut words = vec!["XADD", stream, "*"];
    for (k, v) in fields {
        words.push(k);
        words.push(v);
    }
    redis::from_redis_value(run(s, &words)).unwrap_or_else(|e| panic!("XADD {stream}: {e}"))
}

/// `HGETALL key` as field → value (empty when the key is missing).
///
/// # Panics
/// As [`run`], or the key is not a hash.
#[track_caller]
pub fn hgetall(s: &mut Store, key: &str) -> Fields {
    hash_reply(key, Ok(run(s, &["HGETALL", key]))).unwrap_or_else(|e| panic!("{e}"))
}

/// A reply as an integer (of `TTL`, `XLEN`, `EXISTS`, …): `int(run(s, &["TTL", key]))`.
///
/// # Panics
/// The reply is not an integer.
#[track_caller]
pub fn int(v: Value) -> i64 {
    redis::from_redis_value(v).unwrap_or_else(|e| panic!("not an integer: {e}"))
}

/// Whether `key` exists.
///
/// # Panics
/// As [`run`].
#[track_caller]
pub fn exists(s: &mut Store, key: &str) -> bool {
    int(run(s, &["EXISTS", key])) == 1
}
