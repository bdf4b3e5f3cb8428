//! What the services of this crate share (P2.5 [`crate::p25`], P0.5 [`crate::market`], and
//! P1.5): the settings every one reads the same way ([`settings`]), the opt-in fixes
//! ([`fixes`]), where positions come from ([`positions`]), the fixed cycle schedule and the
//! backoff after a lost Redis ([`schedule`]), stop signals ([`signals`]), and the service loop
//! ([`run_forever`]).

pub mod fixes;
pub mod positions;
pub mod report;
pub mod schedule;
pub mod settings;
pub mod signals;

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use harvest_redis::redis::RedisError;

use schedule::{backoff, next_start};
use signals::signal_name;

/// How much a service logs: lines at this level and above (`--log-level`, the running P0.5's
/// `MARKETSTATE_LOG_LEVEL`). Cycle lines are `Info`, conditions of a symbol `Warning`, a lost
/// Redis `Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// Also what each symbol published.
    Debug,
    /// Start, cycle lines and the rest (the default).
    #[default]
    Info,
    /// Only conditions of a symbol and errors.
    Warning,
    /// Only a lost Redis and refused writes.
    Error,
}

impl std::str::FromStr for Level {
    type Err = settings::ConfigError;

    /// Python's level names, any case: `DEBUG`, `INFO`, `WARNING` (`WARN`), `ERROR`
    /// (`CRITICAL`).
    ///
    /// ```
    /// use harvest_publisher::runtime::Level;
    /// assert_eq!("warning".parse::<Level>().unwrap(), Level::Warning);
    /// assert!("LOUD".parse::<Level>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "DEBUG" => Ok(Level::Debug),
            "INFO" | "" => Ok(Level::Info),
            "WARNING" | "WARN" => Ok(Level::Warning),
            "ERROR" | "CRITICAL" => Ok(Level::Error),
            _ => Err(settings::ConfigError::LogLevel(s.to_string())),
        }
    }
}

/// A service the loop runs: one cycle at a time, on a fixed schedule.
pub trait Service {
    /// What a cycle did; its `Display` is the cycle's log line.
    type Report: std::fmt::Display;

    /// The log prefix, e.g. `harvest publish`.
    fn name(&self) -> &'static str;

    /// The Redis the service talks to, for log lines.
    fn redis_url(&self) -> &str;

    /// What the service runs with, for the `started:` log line.
    fn describe(&self) -> String;

    /// One cycle.
    ///
    /// # Errors
    /// Redis could not be reached or the connection failed; the loop retries after
    /// [`backoff`].
    fn cycle(&mut self) -> Result<Self::Report, RedisError>;

    /// Drops the Redis connection (the next cycle reconnects).
    fn disconnect(&mut self);

    /// The lowest level logged (default: everything from `Info` on).
    fn level(&self) -> Level {
        Level::Info
    }

    /// Writes one log line to stderr at `level`, prefixed with the service's name (journald
    /// adds the time); lines below [`Service::level`] are left out.
    fn log_at(&self, level: Level, line: &str) {
        if level >= self.level() {
            eprintln!("{}: {line}", self.name());
        }
    }

    /// [`Service::log_at`] `Info`.
    fn log(&self, line: &str) {
        self.log_at(Level::Info, line);
    }
}

/// The service loop: cycles start at `start + k · interval` (a late cycle skips the missed
/// starts, it never shifts the schedule); a failed cycle is retried after [`backoff`]; a stop
/// signal ends the loop after the current cycle. Returns the exit status (0).
pub fn run_forever<S: Service>(mut service: S, interval: Duration, stop: Receiver<i32>) -> u8 {
    let interval = interval.max(Duration::from_millis(1));
    service.log(&format!("started: {}", service.describe()));
    let start = Instant::now();
    let mut failures = 0u32;
    let mut cycles = 0u64;
    let stopping = |service: &S, s: i32, cycles: u64| {
        service.log(&format!(
            "{}: stopping after {cycles} cycles",
            signal_name(s)
        ));
    };
    loop {
        let target = match service.cycle() {
            Ok(r) => {
                cycles += 1;
                if failures > 0 {
                    service.log_at(
                        Level::Warning,
                        &format!("Redis is back after {failures} failed attempts"),
                    );
                }
                failures = 0;
                service.log(&r.to_string());
                start + next_start(start.elapsed(), interval)
            }
            Err(e) => {
                failures += 1;
                service.disconnect();
                let wait = backoff(failures);
                service.log_at(
                    Level::Error,
                    &format!(
                        "Redis error ({}): {e}; attempt {failures} failed, retrying in {:.1} s",
                        service.redis_url(),
                        wait.as_secs_f64()
                    ),
                );
                Instant::now() + wait
            }
        };
        if let Ok(s) = stop.try_recv() {
            stopping(&service, s, cycles);
            return 0;
        }
        let wait = target.saturating_duration_since(Instant::now());
        match stop.recv_timeout(wait) {
            Ok(s) => {
                stopping(&service, s, cycles);
                return 0;
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                std::thread::sleep(wait);
            }
        }
    }
}
