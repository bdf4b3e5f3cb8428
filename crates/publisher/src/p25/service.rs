//! The P2.5 service: one cycle reads the policy in force, every symbol's position, market state,
//! P1 proposal and last publish in pipelined batches, runs the kernel and writes the proposals in
//! pipelined batches; the loop starts cycles on a fixed schedule, retries a lost Redis with
//! backoff, and stops after the current cycle on SIGTERM or SIGINT.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use harvest_records::keys::{
    market_state_key, proposal_key, risk_proposal_key, EXECUTION_STREAM, POLICY_KEY, POLICY_STREAM,
    PROPOSAL_STREAM,
};
use harvest_records::policy::InForce;
use harvest_records::published::{stream_fields, Stamp, DECISION_FIELDS};
use harvest_records::Fields;
use harvest_redis::redis::{self, Cmd, RedisResult};
use harvest_redis::{hash_reply, hgetall, texts_reply, KeyError, Store, Timeouts};

use super::plan::{evaluate, Outcome, Rules, SymbolReads};
use crate::runtime::fixes::{Fixes, Service};
use crate::runtime::positions::{self, Used};
use crate::runtime::settings::PositionSource;

/// Approximate cap of the proposal stream (`XADD … MAXLEN ~ 10000`).
pub const STREAM_MAXLEN: usize = 10_000;

/// Everything the service runs with (the CLI's flags).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `redis://…`, `rediss://…`, or with `cluster` a comma-separated list of seed nodes.
    pub redis_url: String,
    /// Whether `redis_url` names a Redis Cluster.
    pub cluster: bool,
    /// This instance's symbols (already sharded).
    pub symbols: Vec<String>,
    /// Time between cycle starts.
    pub interval: Duration,
    /// Where positions come from.
    pub source: PositionSource,
    /// Also append every full publish to `quantum:stream:harvest.proposal`.
    pub enable_stream: bool,
    /// Fallback stop, publish thresholds, `full-facts`.
    pub rules: Rules,
    /// The opt-in fixes listed (those of other services are ignored, and said so at start).
    pub fixes: Fixes,
    /// Symbols per pipeline.
    pub batch: usize,
    /// Connect and reply timeouts.
    pub timeouts: Timeouts,
}

impl Default for Settings {
    /// The running system's defaults: local Redis, 10 s, auto, no stream, default rules; batches
    /// of 1,000 symbols. No symbols.
    fn default() -> Self {
        Settings {
            redis_url: "redis://127.0.0.1:6379".into(),
            cluster: false,
            symbols: Vec::new(),
            interval: Duration::from_secs(10),
            source: PositionSource::Auto,
            enable_stream: false,
            rules: Rules::default(),
            fixes: Fixes::default(),
            batch: 1000,
            timeouts: Timeouts::default(),
        }
    }
}

pub use crate::runtime::report::CycleReport;

/// Writes one log line to stderr (journald adds the time).
pub fn log(line: &str) {
    eprintln!("harvest publish: {line}");
}

/// The policy in force, reloaded when `quantum:stream:policy.update` gets an entry (and given up
/// at its `valid_until_epoch`).
#[derive(Debug)]
struct PolicyWatch {
    /// The newest entry id of the update stream when the policy was last read (`Some("")` when
    /// the stream is empty); `None` before the first read.
    seen: Option<String>,
    /// The record as last read.
    record: Fields,
    /// The theta in force and its source.
    in_force: InForce,
    /// The last line logged about it.
    said: String,
}

impl PolicyWatch {
    fn new(fallback_stop_pct: f64) -> Self {
        PolicyWatch {
            seen: None,
            record: Fields::new(),
            in_force: InForce::resolve(&Fields::new(), 0.0, fallback_stop_pct),
            said: String::new(),
        }
    }

    /// Reads the policy on the first cycle and whenever the update stream has a new entry;
    /// re-judges its expiry every cycle.
    fn refresh(&mut self, store: &mut Store, now: f64, fallback_stop_pct: f64) -> RedisResult<()> {
        let newest = match store.newest_entries(POLICY_STREAM, 1)? {
            Ok(e) => e.first().map(|(id, _)| id.clone()).unwrap_or_default(),
            Err(e) => {
                self.say(format!("{e}: policy updates are not seen"));
                String::new()
            }
        };
        if self.seen.as_deref() != Some(newest.as_str()) {
            let first = self.seen.is_none();
            self.seen = Some(newest);
            let mut r = store.read_hashes(&[POLICY_KEY.to_string()])?;
            self.record = match r.pop().expect("one key") {
                Ok(f) => f,
                Err(e) => {
                    self.say(format!("{e}: read as no policy"));
                    Fields::new()
                }
            };
            if !first {
                log(&format!("{POLICY_STREAM} has a new entry: policy reloaded"));
            }
        }
        self.in_force = InForce::resolve(&self.record, now, fallback_stop_pct);
        let line = format!("theta in force: {}", self.in_force.describe());
        self.say(line);
        Ok(())
    }

    fn say(&mut self, line: String) {
        if self.said != line {
            log(&line);
            self.said = line;
        }
    }
}

/// The publisher: settings, the Redis store and what it remembers between cycles.
pub struct Publisher {
    settings: Settings,
    store: Store,
    policy: PolicyWatch,
    /// The position source of the last cycle (logged when it changes).
    used: Option<Used>,
    /// The last note logged per symbol (no position, skipped), so a lasting condition is logged
    /// once, not every cycle.
    notes: HashMap<String, String>,
}

impl Publisher {
    /// A publisher for `settings` (nothing is connected yet).
    ///
    /// # Errors
    /// An unparseable Redis URL.
    pub fn new(settings: Settings) -> RedisResult<Publisher> {
        let store = Store::open(&settings.redis_url, settings.cluster, settings.timeouts)?;
        let policy = PolicyWatch::new(settings.rules.fallback_stop_pct);
        Ok(Publisher {
            settings,
            store,
            policy,
            used: None,
            notes: HashMap::new(),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The theta in force (as of the last cycle) and where it comes from.
    pub fn in_force(&self) -> &InForce {
        &self.policy.in_force
    }

    /// The condition last logged for `symbol` (no position, skipped, published with a note),
    /// `None` when it was published without one.
    pub fn note_of(&self, symbol: &str) -> Option<&str> {
        self.notes.get(symbol).map(String::as_str)
    }

    fn note(&mut self, symbol: &str, note: Option<String>) {
        match note {
            Some(n) => {
                if self.notes.get(symbol) != Some(&n) {
                    log(&format!("{symbol}: {n}"));
                    self.notes.insert(symbol.to_string(), n);
                }
            }
            None => {
                self.notes.remove(symbol);
            }
        }
    }

    /// One cycle over every symbol: policy, positions, then read (pipelined), compute, write
    /// (pipelined).
    ///
    /// # Errors
    /// Redis could not be reached or the connection failed; the cycle is then incomplete and is
    /// simply run again (every write is idempotent).
    pub fn cycle(&mut self) -> RedisResult<CycleReport> {
        let started = Instant::now();
        let now = chrono::Utc::now();
        let micros = now.timestamp_micros();
        let now_epoch = micros as f64 / 1e6;
        let stamp = Stamp::at_micros(micros);
        let symbols = std::mem::take(&mut self.settings.symbols);
        let result = self.cycle_inner(&symbols, now_epoch, &stamp, started);
        self.settings.symbols = symbols;
        result
    }

    fn cycle_inner(
        &mut self,
        symbols: &[String],
        now_epoch: f64,
        stamp: &Stamp,
        started: Instant,
    ) -> RedisResult<CycleReport> {
        let mut report = CycleReport::default();
        let t = Instant::now();
        self.policy.refresh(
            &mut self.store,
            now_epoch,
            self.settings.rules.fallback_stop_pct,
        )?;
        let theta = self.policy.in_force.theta;
        let positions = positions::read(&mut self.store, symbols, self.settings.source)?;
        report.redis += t.elapsed();
        if positions.used != self.used {
            self.used = positions.used;
            log(&match positions.used {
                Some(Used::Stream) => format!(
                    "positions: the newest {} entries of {EXECUTION_STREAM}{}",
                    positions::STREAM_COUNT,
                    if self.settings.source == PositionSource::Auto {
                        " (no symbol has a position hash)"
                    } else {
                        ""
                    }
                ),
                _ => "positions: the hashes quantum:state:positions:<SYM>".to_string(),
            });
        }
        let rules = self.settings.rules;
        for batch in symbols.chunks(self.settings.batch.max(1)) {
            let mut cmds: Vec<Cmd> = Vec::with_capacity(batch.len() * 4);
            for s in batch {
                cmds.push(hgetall(&market_state_key(s)));
                cmds.push(hgetall(&risk_proposal_key(s)));
                let mut hmget = redis::cmd("HMGET");
                hmget.arg(proposal_key(s)).arg(&DECISION_FIELDS[..]);
                cmds.push(hmget);
                // Which fields the hash has: one that lost some is written in full again.
                let mut hkeys = redis::cmd("HKEYS");
                hkeys.arg(proposal_key(s));
                cmds.push(hkeys);
            }
            let t = Instant::now();
            let mut replies = self.store.pipeline(cmds)?.into_iter();
            let mut markets = Vec::with_capacity(batch.len());
            let mut p1s = Vec::with_capacity(batch.len());
            let mut lasts = Vec::with_capacity(batch.len());
            let mut names = Vec::with_capacity(batch.len());
            for s in batch {
                let mut next = || replies.next().expect("four replies a symbol");
                markets.push(hash_reply(&market_state_key(s), next()));
                p1s.push(hash_reply(&risk_proposal_key(s), next()));
                lasts.push(texts_reply(&proposal_key(s), next()));
                // A key of another type fails HMGET above, which skips the symbol.
                names.push(
                    texts_reply(&proposal_key(s), next())
                        .map(|n| n.into_iter().flatten().collect::<Vec<String>>())
                        .unwrap_or_default(),
                );
            }
            self.store.name_types(&mut markets)?;
            self.store.name_types(&mut p1s)?;
            self.store.name_types(&mut lasts)?;
            report.redis += t.elapsed();
            let mut writes: Vec<Cmd> = Vec::with_capacity(batch.len() * 2);
            // (index of the write, symbol, whether it is a full publish)
            let mut written: Vec<(usize, &str, bool)> = Vec::with_capacity(batch.len());
            for (i, s) in batch.iter().enumerate() {
                report.read += 1;
                let reads = match symbol_reads(
                    s,
                    &positions,
                    markets[i].clone(),
                    p1s[i].clone(),
                    lasts[i].clone(),
                    std::mem::take(&mut names[i]),
                ) {
                    Ok(r) => r,
                    Err(problem) => {
                        report.skipped += 1;
                        self.note(s, Some(format!("skipped: {problem}")));
                        continue;
                    }
                };
                let evaluated = evaluate(s, &reads, &rules, &theta, now_epoch, stamp);
                let notes = (!evaluated.notes.is_empty()).then(|| evaluated.notes.join("; "));
                let key = proposal_key(s);
                match evaluated.outcome {
                    Outcome::Publish { fields, .. } => {
                        report.published += 1;
                        self.note(s, notes.map(|n| format!("published; {n}")));
                        let mut hset = redis::cmd("HSET");
                        hset.arg(&key);
                        for (k, v) in &fields {
                            hset.arg(*k).arg(v);
                        }
                        written.push((writes.len(), s, true));
                        writes.push(hset);
                        if self.settings.enable_stream {
                            let mut xadd = redis::cmd("XADD");
                            xadd.arg(PROPOSAL_STREAM)
                                .arg("MAXLEN")
                                .arg("~")
                                .arg(STREAM_MAXLEN)
                                .arg("*");
                            for (k, v) in stream_fields(s, &fields) {
                                xadd.arg(k).arg(v);
                            }
                            written.push((writes.len(), s, true));
                            writes.push(xadd);
                        }
                    }
                    Outcome::Refresh => {
                        report.unchanged += 1;
                        self.note(s, notes.map(|n| format!("published; {n}")));
                        let mut hset = redis::cmd("HSET");
                        hset.arg(&key).arg("last_update_epoch").arg(stamp.epoch);
                        written.push((writes.len(), s, false));
                        writes.push(hset);
                    }
                    Outcome::NoPosition { had_proposal, why } => {
                        report.no_position += 1;
                        let mut note = match why {
                            Some(why) => format!("no position ({why}): no proposal"),
                            None => format!(
                                "no position (none in {}): no proposal",
                                positions.looked_in(s)
                            ),
                        };
                        if had_proposal {
                            report.removed += 1;
                            note.push_str(&format!("; removed the stale {key}"));
                            let mut del = redis::cmd("DEL");
                            del.arg(&key);
                            writes.push(del);
                        }
                        self.note(s, Some(note));
                    }
                    Outcome::Skipped(skip) => {
                        report.skipped += 1;
                        let mut n = format!("skipped: {skip}");
                        if let Some(notes) = notes {
                            n.push_str(&format!("; {notes}"));
                        }
                        self.note(s, Some(n));
                    }
                }
            }
            let t = Instant::now();
            let replies = self.store.pipeline(writes)?;
            report.redis += t.elapsed();
            // A symbol whose write the server refused (e.g. the key holds another type) counts
            // as skipped, not published.
            let mut failed: HashSet<&str> = HashSet::new();
            for (index, symbol, full) in written {
                if let Some(Err(e)) = replies.get(index) {
                    if failed.insert(symbol) {
                        log(&format!(
                            "{symbol}: skipped: writing {} failed: {e}",
                            proposal_key(symbol)
                        ));
                        report.skipped += 1;
                        if full {
                            report.published -= 1;
                        } else {
                            report.unchanged -= 1;
                        }
                    }
                }
            }
        }
        report.took = started.elapsed();
        Ok(report)
    }
}

/// One symbol's reads, or the key that could not be read.
fn symbol_reads(
    symbol: &str,
    positions: &positions::Positions,
    market: Result<Fields, KeyError>,
    p1: Result<Fields, KeyError>,
    last: Result<Vec<Option<String>>, KeyError>,
    published_fields: Vec<String>,
) -> Result<SymbolReads, String> {
    let position = positions.get(symbol).map_err(str::to_string)?.cloned();
    let market = market.map_err(|e| e.to_string())?;
    let (p1, p1_unreadable) = match p1 {
        Ok(f) => (f, None),
        Err(e) => (Fields::new(), Some(e.to_string())),
    };
    let last = last.map_err(|e| e.to_string())?;
    let mut published = [None, None, None, None];
    for (slot, v) in published.iter_mut().zip(last) {
        *slot = v;
    }
    Ok(SymbolReads {
        market,
        p1,
        position,
        published,
        published_fields,
        p1_unreadable,
    })
}

/// Exit status of `--once`: 0 all published, 1 some symbol skipped for bad data, 2 Redis
/// unreachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnceStatus {
    /// Every symbol with a position was published (or refreshed).
    Published = 0,
    /// At least one symbol was skipped for bad data.
    Skipped = 1,
    /// Redis could not be reached.
    Unreachable = 2,
}

fn start_lines(s: &Settings) {
    log(&s.fixes.log_line(Service::P25));
}

/// `--once`: one cycle.
pub fn run_once(settings: Settings) -> OnceStatus {
    start_lines(&settings);
    let mut p = match Publisher::new(settings) {
        Ok(p) => p,
        Err(e) => {
            log(&format!("bad Redis URL: {e}"));
            return OnceStatus::Unreachable;
        }
    };
    match p.cycle() {
        Ok(r) => {
            log(&r.to_string());
            if r.skipped > 0 {
                OnceStatus::Skipped
            } else {
                OnceStatus::Published
            }
        }
        Err(e) => {
            log(&format!("Redis unreachable ({}): {e}", p.store.url()));
            OnceStatus::Unreachable
        }
    }
}

impl crate::runtime::Service for Publisher {
    type Report = CycleReport;

    fn name(&self) -> &'static str {
        "harvest publish"
    }

    fn redis_url(&self) -> &str {
        self.store.url()
    }

    fn describe(&self) -> String {
        format!(
            "{} symbols, every {:.3} s, positions from {:?}, stream {}",
            self.settings.symbols.len(),
            self.settings
                .interval
                .max(Duration::from_millis(1))
                .as_secs_f64(),
            self.settings.source,
            if self.settings.enable_stream {
                "on"
            } else {
                "off"
            }
        )
    }

    fn cycle(&mut self) -> RedisResult<CycleReport> {
        Publisher::cycle(self)
    }

    fn disconnect(&mut self) {
        self.store.disconnect();
    }
}

/// The service loop ([`crate::runtime::run_forever`]): cycles every `settings.interval` until
/// SIGTERM or SIGINT. Returns the exit status (0; 2 for an unparseable Redis URL).
pub fn run_forever(settings: Settings, stop: Receiver<i32>) -> u8 {
    let interval = settings.interval;
    start_lines(&settings);
    match Publisher::new(settings) {
        Ok(p) => crate::runtime::run_forever(p, interval, stop),
        Err(e) => {
            log(&format!("bad Redis URL: {e}"));
            2
        }
    }
}
