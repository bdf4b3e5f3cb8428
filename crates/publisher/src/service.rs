//! The service: one cycle reads every symbol in pipelined batches, runs the kernel and writes
//! the proposals in pipelined batches; the loop starts cycles on a fixed schedule, retries a lost
//! Redis with backoff, and stops after the current cycle on SIGTERM or SIGINT.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use redis::{Cmd, RedisError, RedisResult, Value};

use crate::input::{self, Fields, EXECUTION_STREAM};
use crate::output::{self, DECISION_FIELDS, PROPOSAL_STREAM, STREAM_MAXLEN};
use crate::plan::{evaluate, Outcome, PositionSource, Rules, SymbolReads};
use crate::store::{self, Store, Timeouts};

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
    /// Theta and publish thresholds.
    pub rules: Rules,
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
            batch: 1000,
            timeouts: Timeouts::default(),
        }
    }
}

/// What a cycle did (its log line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CycleReport {
    /// Symbols read.
    pub read: usize,
    /// Proposals written in full.
    pub published: usize,
    /// Unchanged proposals (only `last_update_epoch` refreshed).
    pub unchanged: usize,
    /// Symbols without a position (no proposal).
    pub no_position: usize,
    /// Of those, stale proposals removed.
    pub removed: usize,
    /// Symbols skipped for bad data.
    pub skipped: usize,
    /// Time taken.
    pub took: Duration,
    /// Of that, time spent waiting for Redis.
    pub redis: Duration,
}

impl std::fmt::Display for CycleReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cycle: read {}, published {}, unchanged {}, skipped {}, no position {} (removed {}), took {:.1} ms (Redis {:.1} ms)",
            self.read,
            self.published,
            self.unchanged,
            self.skipped,
            self.no_position,
            self.removed,
            self.took.as_secs_f64() * 1e3,
            self.redis.as_secs_f64() * 1e3
        )
    }
}

/// Writes one log line to stderr (journald adds the time).
pub fn log(line: &str) {
    eprintln!("harvest publish: {line}");
}

/// The latest `quantum:stream:execution` entry of each symbol, kept up to date incrementally.
#[derive(Debug, Default)]
struct StreamPositions {
    last_id: Option<(u64, u64)>,
    latest: HashMap<String, (String, Fields)>,
}

fn parse_id(id: &str) -> Option<(u64, u64)> {
    let (ms, seq) = id.split_once('-')?;
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

const STREAM_PAGE: usize = 1000;

impl StreamPositions {
    /// Reads what is new since the last call (the whole stream, newest first, the first time or
    /// after the stream was recreated).
    fn refresh(&mut self, store: &mut Store, wanted: &HashSet<&str>) -> RedisResult<()> {
        let top = store::stream_entries(
            store.query(
                redis::cmd("XREVRANGE")
                    .arg(EXECUTION_STREAM)
                    .arg("+")
                    .arg("-")
                    .arg("COUNT")
                    .arg(1),
            )?,
        )?;
        let Some(top_id) = top.first().and_then(|(id, _)| parse_id(id)) else {
            self.last_id = None;
            self.latest.clear();
            return Ok(());
        };
        match self.last_id {
            Some(last) if top_id >= last => {
                let mut from = last;
                loop {
                    let page = store::stream_entries(
                        store.query(
                            redis::cmd("XRANGE")
                                .arg(EXECUTION_STREAM)
                                .arg(format!("({}-{}", from.0, from.1))
                                .arg("+")
                                .arg("COUNT")
                                .arg(STREAM_PAGE),
                        )?,
                    )?;
                    let n = page.len();
                    for (id, fields) in page {
                        if let Some(parsed) = parse_id(&id) {
                            from = parsed;
                        }
                        self.keep(id, fields, wanted, true);
                    }
                    if n < STREAM_PAGE {
                        break;
                    }
                }
                self.last_id = Some(from.max(top_id));
            }
            _ => {
                // First read, or the stream went back in time (recreated): scan newest first.
                self.latest.clear();
                let mut before: Option<(u64, u64)> = None;
                loop {
                    let end =
                        before.map_or_else(|| "+".to_string(), |b| format!("({}-{}", b.0, b.1));
                    let page = store::stream_entries(
                        store.query(
                            redis::cmd("XREVRANGE")
                                .arg(EXECUTION_STREAM)
                                .arg(end)
                                .arg("-")
                                .arg("COUNT")
                                .arg(STREAM_PAGE),
                        )?,
                    )?;
                    let n = page.len();
                    for (id, fields) in page {
                        if let Some(parsed) = parse_id(&id) {
                            before = Some(parsed);
                        }
                        self.keep(id, fields, wanted, false);
                    }
                    if n < STREAM_PAGE || self.latest.len() == wanted.len() {
                        break;
                    }
                }
                self.last_id = Some(top_id);
            }
        }
        Ok(())
    }

    fn keep(&mut self, id: String, fields: Fields, wanted: &HashSet<&str>, newer: bool) {
        let Some(symbol) = fields.get("symbol").map(|s| s.trim().to_string()) else {
            return;
        };
        if !wanted.contains(symbol.as_str()) {
            return;
        }
        if newer || !self.latest.contains_key(&symbol) {
            self.latest
                .insert(symbol, (format!("{EXECUTION_STREAM} entry {id}"), fields));
        }
    }
}

/// The publisher: settings, the Redis store and what it remembers between cycles.
pub struct Publisher {
    settings: Settings,
    store: Store,
    stream: StreamPositions,
    /// The last note logged per symbol (no position, skipped), so a lasting condition is logged
    /// once, not every cycle.
    notes: HashMap<String, String>,
}

fn hgetall(key: String) -> Cmd {
    let mut c = redis::cmd("HGETALL");
    c.arg(key);
    c
}

impl Publisher {
    /// A publisher for `settings` (nothing is connected yet).
    ///
    /// # Errors
    /// An unparseable Redis URL.
    pub fn new(settings: Settings) -> RedisResult<Publisher> {
        let store = Store::open(&settings.redis_url, settings.cluster, settings.timeouts)?;
        Ok(Publisher {
            settings,
            store,
            stream: StreamPositions::default(),
            notes: HashMap::new(),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
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

    /// One cycle over every symbol: read (pipelined), compute, write (pipelined).
    ///
    /// # Errors
    /// Redis could not be reached or the connection failed; the cycle is then incomplete and is
    /// simply run again (every write is idempotent).
    pub fn cycle(&mut self) -> RedisResult<CycleReport> {
        let started = Instant::now();
        let now = chrono::Utc::now();
        let now_epoch = now.timestamp_micros() as f64 / 1e6;
        let computed_at = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
        let source = self.settings.source;
        let symbols = std::mem::take(&mut self.settings.symbols);
        let result = self.cycle_inner(&symbols, source, now_epoch, &computed_at, started);
        self.settings.symbols = symbols;
        result
    }

    fn cycle_inner(
        &mut self,
        symbols: &[String],
        source: PositionSource,
        now_epoch: f64,
        computed_at: &str,
        started: Instant,
    ) -> RedisResult<CycleReport> {
        let mut report = CycleReport::default();
        // A stream that cannot be read as one (wrong type, unreadable entries) is bad data, not a
        // lost connection: the symbols that need it are skipped, the others go on.
        let mut stream_error: Option<RedisError> = None;
        if source.reads_stream() {
            let t = Instant::now();
            let wanted: HashSet<&str> = symbols.iter().map(String::as_str).collect();
            match self.stream.refresh(&mut self.store, &wanted) {
                Ok(()) => {}
                Err(e) if store::is_connection_error(&e) => return Err(e),
                Err(e) => {
                    self.stream = StreamPositions::default();
                    stream_error = Some(e);
                }
            }
            report.redis += t.elapsed();
        }
        let per_symbol = if source.reads_hashes() { 4 } else { 3 };
        for batch in symbols.chunks(self.settings.batch.max(1)) {
            let mut cmds = Vec::with_capacity(batch.len() * per_symbol);
            for s in batch {
                cmds.push(hgetall(input::market_state_key(s)));
                cmds.push(hgetall(input::risk_proposal_key(s)));
                if source.reads_hashes() {
                    cmds.push(hgetall(input::position_key(s)));
                }
                let mut hmget = redis::cmd("HMGET");
                hmget.arg(output::proposal_key(s)).arg(&DECISION_FIELDS[..]);
                cmds.push(hmget);
            }
            let t = Instant::now();
            let mut replies = self.store.pipeline(cmds)?.into_iter();
            report.redis += t.elapsed();
            let mut writes: Vec<Cmd> = Vec::with_capacity(batch.len() * 2);
            // (index of the write, symbol, whether it is a full publish)
            let mut written: Vec<(usize, &str, bool)> = Vec::with_capacity(batch.len());
            for s in batch {
                report.read += 1;
                let r: Vec<RedisResult<Value>> = replies.by_ref().take(per_symbol).collect();
                let outcome = match self.reads(s, r, source, stream_error.as_ref()) {
                    Ok(reads) => evaluate(s, &reads, &self.settings.rules, now_epoch, computed_at),
                    Err(note) => {
                        report.skipped += 1;
                        self.note(s, Some(format!("skipped: {note}")));
                        continue;
                    }
                };
                let key = output::proposal_key(s);
                match outcome {
                    Outcome::Publish { fields, .. } => {
                        report.published += 1;
                        self.note(s, None);
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
                            for (k, v) in output::stream_fields(s, &fields) {
                                xadd.arg(k).arg(v);
                            }
                            written.push((writes.len(), s, true));
                            writes.push(xadd);
                        }
                    }
                    Outcome::Refresh => {
                        report.unchanged += 1;
                        self.note(s, None);
                        let mut hset = redis::cmd("HSET");
                        hset.arg(&key)
                            .arg("last_update_epoch")
                            .arg(now_epoch.floor() as i64);
                        written.push((writes.len(), s, false));
                        writes.push(hset);
                    }
                    Outcome::NoPosition { had_proposal } => {
                        report.no_position += 1;
                        let mut note = format!(
                            "no position (none open in {}): no proposal",
                            self.position_where(s)
                        );
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
                        self.note(s, Some(format!("skipped: {skip}")));
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
                            output::proposal_key(symbol)
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

    /// Where a position was looked for (the no-position log line).
    fn position_where(&self, symbol: &str) -> String {
        match self.settings.source {
            PositionSource::RedisHash => input::position_key(symbol),
            PositionSource::RedisStream => format!("{EXECUTION_STREAM} entries of {symbol}"),
            PositionSource::Auto => format!(
                "{} or {EXECUTION_STREAM} entries of {symbol}",
                input::position_key(symbol)
            ),
        }
    }

    /// One symbol's replies as reads; `Err` names the key whose reply is unusable.
    fn reads<'s>(
        &self,
        symbol: &str,
        replies: Vec<RedisResult<Value>>,
        source: PositionSource,
        stream_error: Option<&'s RedisError>,
    ) -> Result<SymbolReads, ReadError<'s>> {
        let mut replies = replies.into_iter();
        let mut get_hash = |key: String| -> Result<Fields, ReadError<'s>> {
            match replies.next().expect("one reply per command") {
                Ok(v) => store::hash(v).map_err(|error| ReadError::Unreadable { key, error }),
                Err(error) => Err(ReadError::Refused { key, error }),
            }
        };
        let market = get_hash(input::market_state_key(symbol))?;
        let p1 = get_hash(input::risk_proposal_key(symbol))?;
        let mut position = None;
        if source.reads_hashes() {
            let key = input::position_key(symbol);
            let fields = get_hash(key.clone())?;
            if !fields.is_empty() {
                position = Some((key, fields));
            }
        }
        if position.is_none() && source.reads_stream() {
            if let Some(e) = stream_error {
                return Err(ReadError::Stream(e));
            }
            position = self.stream.latest.get(symbol).cloned();
        }
        let published = match replies.next().expect("one reply per command") {
            Ok(v) => store::texts(v).unwrap_or_default(),
            Err(error) => {
                return Err(ReadError::Refused {
                    key: output::proposal_key(symbol),
                    error,
                });
            }
        };
        let mut p = [None, None, None, None];
        for (slot, v) in p.iter_mut().zip(published) {
            *slot = v;
        }
        Ok(SymbolReads {
            market,
            p1,
            position,
            published: p,
        })
    }
}

/// Why one symbol's replies cannot be used: logged as `<symbol>: skipped: <this>`, and the
/// symbol is skipped this cycle (bad data, not a lost connection).
#[derive(Debug, thiserror::Error)]
enum ReadError<'s> {
    /// The server refused the read of `key` (e.g. `WRONGTYPE`).
    #[error("{key}: {error}")]
    Refused {
        /// The key read.
        key: String,
        /// The server's reply.
        error: RedisError,
    },
    /// The reply to `key` is not a hash of texts.
    #[error("{key}: unreadable: {error}")]
    Unreadable {
        /// The key read.
        key: String,
        /// Why the reply does not convert.
        error: RedisError,
    },
    /// The symbol has no position hash and the execution stream could not be read.
    #[error("{EXECUTION_STREAM}: {0}")]
    Stream(&'s RedisError),
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

/// `--once`: one cycle.
pub fn run_once(settings: Settings) -> OnceStatus {
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
            log(&format!(
                "Redis unreachable ({}): {e}",
                p.settings.redis_url
            ));
            OnceStatus::Unreachable
        }
    }
}

pub use crate::runtime::schedule::backoff;
pub use crate::runtime::signals::stop_signals;

impl crate::runtime::Service for Publisher {
    type Report = CycleReport;

    fn name(&self) -> &'static str {
        "harvest publish"
    }

    fn redis_url(&self) -> &str {
        &self.settings.redis_url
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
    match Publisher::new(settings) {
        Ok(p) => crate::runtime::run_forever(p, interval, stop),
        Err(e) => {
            log(&format!("bad Redis URL: {e}"));
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis::ErrorKind;

    /// Each skip names the key (or the stream) and what Redis said.
    #[test]
    fn read_errors_name_the_key() {
        let e = || RedisError::from((ErrorKind::Parse, "not a hash"));
        let said = e().to_string();
        let stream = e();
        let cases: [(ReadError, String); 3] = [
            (
                ReadError::Refused {
                    key: "quantum:risk:proposal:ADAUSDT".into(),
                    error: e(),
                },
                format!("quantum:risk:proposal:ADAUSDT: {said}"),
            ),
            (
                ReadError::Unreadable {
                    key: "quantum:marketstate:BTCUSDT".into(),
                    error: e(),
                },
                format!("quantum:marketstate:BTCUSDT: unreadable: {said}"),
            ),
            (
                ReadError::Stream(&stream),
                format!("quantum:stream:execution: {said}"),
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got.to_string(), want);
        }
    }
}
