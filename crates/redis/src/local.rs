//! The test harness (`test-support` feature, not public API): a throwaway local Redis, Debian's
//! `redis-server` on a free 127.0.0.1 port with no
//! persistence, for the integration tests, the benchmark and the demo. Killed when dropped.

use std::io;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Store, Timeouts};

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
