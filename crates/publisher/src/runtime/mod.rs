//! What the services of this crate share (P2.5 [`crate::p25`], P0.5 [`crate::market`], and
//! P1.5 [`crate::risk`]): the settings every one reads the same way ([`settings`]), the opt-in
//! fixes ([`fixes`]), where positions come from ([`positions`]), a cycle's report and writes
//! ([`report`]), the fixed cycle schedule and the backoff after a lost Redis ([`schedule`]),
//! stop signals ([`signals`]), and one runner for all of them: a [`Service`] is what one cycle
//! does; [`Runner`] holds its settings, its Redis and its notes, and runs it [`run_once`] or
//! [`run_forever`].

pub mod fixes;
pub mod positions;
pub mod report;
pub mod schedule;
pub mod settings;
pub mod signals;

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use harvest_redis::redis::{self, Cmd, RedisError, RedisResult, Value};
use harvest_redis::Store;

use schedule::{backoff, next_start};
use settings::{Options, Settings};
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

/// Entries kept in a service's stream (`XADD … MAXLEN ~ 10000`, as the running services).
pub const STREAM_MAXLEN: usize = 10_000;

/// `XADD <stream> MAXLEN ~ 10000 *`, the fields to follow.
pub fn xadd(stream: &str) -> Cmd {
    let mut c = redis::cmd("XADD");
    c.arg(stream)
        .arg("MAXLEN")
        .arg("~")
        .arg(STREAM_MAXLEN)
        .arg("*");
    c
}

/// Why a service cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The Redis URL cannot be parsed.
    #[error("bad Redis URL: {0}")]
    Url(#[from] RedisError),
    /// A window P0 cannot use.
    #[error("{0}")]
    Window(#[from] harvest_market::MarketError),
}

/// What a cycle did: its `Display` is the cycle's log line.
pub trait Report: std::fmt::Display {
    /// Whether some symbol was not published for its data (`--once` exits 1).
    fn incomplete(&self) -> bool;
}

/// When a cycle runs: its start, and the wall clock then.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    /// When the cycle started (for its `took`).
    pub started: Instant,
    /// Microseconds since the Unix epoch.
    pub micros: i64,
}

impl Now {
    /// A cycle starting at `started`, now by the wall clock.
    pub fn at(started: Instant) -> Now {
        Now {
            started,
            micros: chrono::Utc::now().timestamp_micros(),
        }
    }

    /// Seconds since the epoch.
    pub fn epoch(self) -> f64 {
        self.micros as f64 / 1e6
    }
}

/// One service: what a cycle does with the [`Context`] the [`Runner`] gives it, and what it
/// remembers between cycles.
pub trait Service: Sized {
    /// Its own settings.
    type Options: Options;
    /// What a cycle did.
    type Report: Report;
    /// The log prefix, e.g. `harvest publish`.
    const NAME: &'static str;

    /// The state of a service for `settings` (nothing is connected yet).
    ///
    /// # Errors
    /// Settings it cannot run with.
    fn new(settings: &Settings<Self::Options>) -> Result<Self, StartError>;

    /// What it runs with beyond its symbols and interval, for the `started:` log line.
    fn describe(settings: &Settings<Self::Options>) -> String;

    /// A line logged before the first cycle (e.g. the opt-in fixes), if any.
    fn start_line(_settings: &Settings<Self::Options>) -> Option<String> {
        None
    }

    /// One cycle over the symbols ([`Context::symbols`]), at [`Context::now`].
    ///
    /// # Errors
    /// Redis could not be reached or the connection failed; the cycle is run again (every
    /// write is idempotent).
    fn cycle(&mut self, ctx: &mut Context<Self::Options>) -> RedisResult<Self::Report>;
}

/// What a cycle works with: the settings, the Redis store, and the note last logged per symbol
/// (a lasting condition is logged once, not every cycle).
pub struct Context<O> {
    /// The settings.
    pub settings: Settings<O>,
    /// The Redis.
    pub store: Store,
    /// The settings' symbols (shared, for a cycle to go through while it notes).
    pub symbols: Arc<[String]>,
    /// When this cycle started.
    pub now: Now,
    name: &'static str,
    notes: HashMap<String, String>,
}

impl<O> Context<O> {
    /// Writes one log line to stderr at `level`, prefixed with the service's name (journald
    /// adds the time); lines below the settings' level are left out.
    pub fn log_at(&self, level: Level, line: &str) {
        if level >= self.settings.log_level {
            eprintln!("{}: {line}", self.name);
        }
    }

    /// [`Context::log_at`] `Info`.
    pub fn log(&self, line: &str) {
        self.log_at(Level::Info, line);
    }

    /// Sets the condition of `symbol` (`None`: published without one), logging a new one
    /// (`Warning`) and the end of one.
    pub fn note(&mut self, symbol: &str, note: Option<String>) {
        match note {
            Some(n) => {
                if self.notes.get(symbol) != Some(&n) {
                    self.log_at(Level::Warning, &format!("{symbol}: {n}"));
                    self.notes.insert(symbol.to_string(), n);
                }
            }
            None => {
                if self.notes.remove(symbol).is_some() {
                    self.log(&format!("{symbol}: publishing again"));
                }
            }
        }
    }

    /// Notes that writing `key` for `symbol` was refused (`e`): the symbol is skipped.
    pub fn refused(&mut self, symbol: &str, key: &str, e: &RedisError) {
        self.note(symbol, Some(format!("skipped: writing {key} failed: {e}")));
    }

    /// The condition last logged for `symbol`; `None` when it was published without one.
    pub fn note_of(&self, symbol: &str) -> Option<&str> {
        self.notes.get(symbol).map(String::as_str)
    }

    /// `cmds` in one pipeline, the time waited added to `waited`.
    ///
    /// # Errors
    /// The connection failed (a refused command is its own reply).
    pub fn pipeline(
        &mut self,
        cmds: Vec<Cmd>,
        waited: &mut Duration,
    ) -> RedisResult<Vec<RedisResult<Value>>> {
        let t = Instant::now();
        let replies = self.store.pipeline(cmds);
        *waited += t.elapsed();
        replies
    }
}

/// A service with its settings, Redis and notes: [`Runner::cycle`] runs one cycle,
/// [`run_once`] and [`run_forever`] run it as the command does.
pub struct Runner<S: Service> {
    ctx: Context<S::Options>,
    service: S,
}

impl<S: Service> Runner<S> {
    /// A runner for `settings` (nothing is connected yet).
    ///
    /// # Errors
    /// An unparseable Redis URL; settings the service cannot run with.
    pub fn new(settings: Settings<S::Options>) -> Result<Self, StartError> {
        let store = Store::open(&settings.redis_url, settings.cluster, settings.timeouts)?;
        let service = S::new(&settings)?;
        Ok(Runner {
            ctx: Context {
                symbols: settings.symbols.clone().into(),
                now: Now::at(Instant::now()),
                settings,
                store,
                name: S::NAME,
                notes: HashMap::new(),
            },
            service,
        })
    }

    /// The settings.
    pub fn settings(&self) -> &Settings<S::Options> {
        &self.ctx.settings
    }

    /// The service's state.
    pub fn service(&self) -> &S {
        &self.service
    }

    /// The condition last logged for `symbol` (no position, skipped, published with a note),
    /// `None` when it was published without one.
    pub fn note_of(&self, symbol: &str) -> Option<&str> {
        self.ctx.note_of(symbol)
    }

    /// One cycle over every symbol.
    ///
    /// # Errors
    /// Redis could not be reached or the connection failed; the cycle is then incomplete and
    /// is simply run again.
    pub fn cycle(&mut self) -> RedisResult<S::Report> {
        self.ctx.now = Now::at(Instant::now());
        self.service.cycle(&mut self.ctx)
    }

    fn start(settings: Settings<S::Options>) -> Option<Self> {
        match Runner::new(settings) {
            Ok(r) => {
                if let Some(line) = S::start_line(&r.ctx.settings) {
                    r.ctx.log(&line);
                }
                Some(r)
            }
            Err(e) => {
                eprintln!("{}: {e}", S::NAME);
                None
            }
        }
    }
}

/// `--once`: one cycle. Exit status 0 every symbol published (or unchanged), 1 some symbol not
/// for its data ([`Report::incomplete`]), 2 Redis unreachable or bad settings.
pub fn run_once<S: Service>(settings: Settings<S::Options>) -> u8 {
    let Some(mut r) = Runner::<S>::start(settings) else {
        return 2;
    };
    match r.cycle() {
        Ok(report) => {
            r.ctx.log(&report.to_string());
            u8::from(report.incomplete())
        }
        Err(e) => {
            r.ctx.log_at(
                Level::Error,
                &format!("Redis unreachable ({}): {e}", r.ctx.store.url()),
            );
            2
        }
    }
}

/// The service loop: cycles start at `start + k · interval` (a late cycle skips the missed
/// starts, it never shifts the schedule); a failed cycle is retried after [`backoff`]; a stop
/// signal ends the loop after the current cycle. Returns the exit status (0; 2 for bad
/// settings).
pub fn run_forever<S: Service>(settings: Settings<S::Options>, stop: Receiver<i32>) -> u8 {
    let Some(mut r) = Runner::<S>::start(settings) else {
        return 2;
    };
    let interval = r.ctx.settings.interval.max(Duration::from_millis(1));
    let settings = &r.ctx.settings;
    r.ctx.log(&format!(
        "started: {} symbols, every {:.3} s, {}",
        settings.symbols.len(),
        interval.as_secs_f64(),
        S::describe(settings)
    ));
    let start = Instant::now();
    let mut failures = 0u32;
    let mut cycles = 0u64;
    let stopping = |r: &Runner<S>, s: i32, cycles: u64| {
        r.ctx.log(&format!(
            "{}: stopping after {cycles} cycles",
            signal_name(s)
        ));
    };
    loop {
        let target = match r.cycle() {
            Ok(report) => {
                cycles += 1;
                if failures > 0 {
                    r.ctx.log_at(
                        Level::Warning,
                        &format!("Redis is back after {failures} failed attempts"),
                    );
                }
                failures = 0;
                r.ctx.log(&report.to_string());
                start + next_start(start.elapsed(), interval)
            }
            Err(e) => {
                failures += 1;
                r.ctx.store.disconnect();
                let wait = backoff(failures);
                r.ctx.log_at(
                    Level::Error,
                    &format!(
                        "Redis error ({}): {e}; attempt {failures} failed, retrying in {:.1} s",
                        r.ctx.store.url(),
                        wait.as_secs_f64()
                    ),
                );
                Instant::now() + wait
            }
        };
        if let Ok(s) = stop.try_recv() {
            stopping(&r, s, cycles);
            return 0;
        }
        let wait = target.saturating_duration_since(Instant::now());
        match stop.recv_timeout(wait) {
            Ok(s) => {
                stopping(&r, s, cycles);
                return 0;
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                std::thread::sleep(wait);
            }
        }
    }
}
