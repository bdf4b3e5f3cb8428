//! The P0.5 service: a cycle brings every symbol's candle window up to date in pipelined
//! round trips (a batch of symbols at a time), computes P0 and writes the market states in one
//! pipeline; [`crate::runtime::run_forever`] runs it on a fixed schedule.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use harvest_redis::redis::{self, Cmd, RedisResult, Value};

use harvest_market::{MarketError, MarketState, P0Params};

use super::candles::CandleKeys;
use super::track::{Candles, Outcome, Read, Reply, Step, RESYNC_CYCLES};
use crate::runtime::{self, Level, Service};
use harvest_records::keys::{market_state_key, MARKET_STATE_STREAM};
use harvest_records::market::{dominant_regime, MarketStateOut};
use harvest_redis::{is_connection_error, Store, Timeouts};

/// Entries kept in `quantum:stream:marketstate` (`MAXLEN ~`).
pub const STREAM_MAXLEN: usize = 10_000;

/// Everything the service runs with (the CLI's flags and the `MARKETSTATE_*` variables).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `redis://…`, `rediss://…`, or with `cluster` a comma-separated list of seed nodes.
    pub redis_url: String,
    /// Whether `redis_url` names a Redis Cluster.
    pub cluster: bool,
    /// This instance's symbols.
    pub symbols: Vec<String>,
    /// Time between cycle starts; the hashes live ten intervals.
    pub interval: Duration,
    /// Candles in a symbol's window (`MARKETSTATE_WINDOW_SIZE`, at least 257).
    pub window: usize,
    /// The candle keys, tried in order.
    pub candle_keys: CandleKeys,
    /// Symbols per pipelined batch.
    pub batch: usize,
    /// Connect and reply timeouts.
    pub timeouts: Timeouts,
    /// The lowest level logged.
    pub log_level: Level,
}

impl Default for Settings {
    /// The running P0.5's defaults: `redis://localhost:6379`, BTCUSDT and ETHUSDT, every 60 s,
    /// windows of 300 candles, its three candle keys; batches of 250 symbols.
    fn default() -> Self {
        Settings {
            redis_url: "redis://localhost:6379".into(),
            cluster: false,
            symbols: vec!["BTCUSDT".into(), "ETHUSDT".into()],
            interval: Duration::from_secs(60),
            window: 300,
            candle_keys: CandleKeys::default(),
            batch: 250,
            timeouts: Timeouts::default(),
            log_level: Level::Info,
        }
    }
}

/// What a cycle did (its log line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CycleReport {
    /// Symbols read.
    pub read: usize,
    /// Market states written.
    pub published: usize,
    /// Symbols with fewer than 257 readable closes in their window.
    pub short: usize,
    /// Symbols none of whose candle keys exists.
    pub no_candles: usize,
    /// Symbols skipped (a key of another type, a refused read or write, a window that kept
    /// changing).
    pub skipped: usize,
    /// New candles taken in.
    pub new_candles: usize,
    /// Windows read whole (first cycle, a change inside the window, the periodic resync).
    pub reloads: usize,
    /// Round trips to Redis.
    pub round_trips: usize,
    /// Time taken.
    pub took: Duration,
    /// Of that, time spent waiting for Redis.
    pub redis: Duration,
}

impl CycleReport {
    /// Symbols not published this cycle.
    pub fn unpublished(&self) -> usize {
        self.short + self.no_candles + self.skipped
    }
}

impl std::fmt::Display for CycleReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cycle: read {}, published {}, short {}, no candles {}, skipped {} (new candles {}, windows read whole {}, round trips {}), took {:.1} ms (Redis {:.1} ms)",
            self.read,
            self.published,
            self.short,
            self.no_candles,
            self.skipped,
            self.new_candles,
            self.reloads,
            self.round_trips,
            self.took.as_secs_f64() * 1e3,
            self.redis.as_secs_f64() * 1e3
        )
    }
}

/// The P0.5 publisher: settings, the Redis store and each symbol's window.
pub struct MarketPublisher {
    settings: Settings,
    store: Store,
    candles: Vec<Candles>,
    cycles: u64,
    /// The last condition logged per symbol, so a lasting one is logged once.
    notes: HashMap<String, String>,
}

/// Why the service cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The Redis URL cannot be parsed.
    #[error("bad Redis URL: {0}")]
    Url(#[from] redis::RedisError),
    /// A window P0 cannot use.
    #[error("{0}")]
    Window(#[from] MarketError),
}

fn cmd(name: &str, args: &[&str]) -> Cmd {
    let mut c = redis::cmd(name);
    for a in args {
        c.arg(*a);
    }
    c
}

fn to_cmd(r: &Read) -> Cmd {
    match r {
        Read::Type(k) => cmd("TYPE", &[k]),
        Read::Exists(keys) => {
            let mut c = redis::cmd("EXISTS");
            for k in keys {
                c.arg(k);
            }
            c
        }
        Read::NewerThan { key, min, limit } => {
            let mut c = cmd("ZREVRANGEBYSCORE", &[key, "+inf"]);
            c.arg(min.to_string())
                .arg("WITHSCORES")
                .arg("LIMIT")
                .arg(0)
                .arg(*limit);
            c
        }
        Read::Size(k) => cmd("ZCARD", &[k]),
        Read::Ranks { key, from, to } => {
            let mut c = cmd("ZREVRANGE", &[key]);
            c.arg(*from).arg(*to).arg("WITHSCORES");
            c
        }
        Read::Oldest(key) => {
            let mut c = cmd("ZRANGE", &[key]);
            c.arg(0).arg(0).arg("WITHSCORES");
            c
        }
        Read::Tail { key, count } => {
            let mut c = cmd("LRANGE", &[key]);
            c.arg(-(*count as i64)).arg(-1);
            c
        }
    }
}

fn bytes(v: Value) -> Option<Vec<u8>> {
    match v {
        Value::BulkString(b) => Some(b),
        Value::SimpleString(s) => Some(s.into_bytes()),
        Value::VerbatimString { text, .. } => Some(text.into_bytes()),
        _ => None,
    }
}

fn score(v: Value) -> Option<f64> {
    match v {
        Value::Double(d) => Some(d),
        Value::Int(i) => Some(i as f64),
        other => bytes(other).and_then(|b| {
            let t = String::from_utf8(b).ok()?;
            match t.as_str() {
                "inf" | "+inf" => Some(f64::INFINITY),
                "-inf" => Some(f64::NEG_INFINITY),
                _ => t.parse().ok(),
            }
        }),
    }
}

/// A `WITHSCORES` reply: RESP2's flat `[member, score, …]` or RESP3's `[[member, score], …]`.
fn scored(v: Value) -> Option<Vec<(Vec<u8>, f64)>> {
    let Value::Array(items) = v else {
        return None;
    };
    let mut out = Vec::with_capacity(items.len() / 2 + 1);
    let mut it = items.into_iter().peekable();
    while let Some(first) = it.next() {
        match first {
            Value::Array(pair) if pair.len() == 2 => {
                let mut p = pair.into_iter();
                out.push((bytes(p.next()?)?, score(p.next()?)?));
            }
            member => out.push((bytes(member)?, score(it.next()?)?)),
        }
    }
    Some(out)
}

fn to_reply(r: &Read, v: RedisResult<Value>) -> Result<Reply, redis::RedisError> {
    let v = match v {
        Ok(v) => v,
        Err(e) if is_connection_error(&e) => return Err(e),
        Err(e) => return Ok(Reply::Refused(e.to_string())),
    };
    let bad = |v: &Value| Reply::Refused(format!("unexpected reply {v:?}"));
    Ok(match r {
        Read::Type(_) => match v {
            Value::SimpleString(s) => Reply::Type(s),
            Value::Okay => Reply::Type("OK".into()),
            other => bytes(other.clone())
                .and_then(|b| String::from_utf8(b).ok())
                .map_or_else(|| bad(&other), Reply::Type),
        },
        Read::Exists(_) | Read::Size(_) => match v {
            Value::Int(n) => Reply::Count(n.max(0) as u64),
            other => bad(&other),
        },
        Read::NewerThan { .. } | Read::Ranks { .. } | Read::Oldest(_) => match scored(v) {
            Some(s) => Reply::Scored(s),
            None => Reply::Refused("the reply is not members with scores".into()),
        },
        Read::Tail { .. } => match v {
            Value::Array(items) => {
                let n = items.len();
                let members: Vec<Vec<u8>> = items.into_iter().filter_map(bytes).collect();
                if members.len() == n {
                    Reply::Listed(members)
                } else {
                    Reply::Refused("LRANGE replied members that are not strings".into())
                }
            }
            other => bad(&other),
        },
    })
}

impl MarketPublisher {
    /// A publisher for `settings` (nothing is connected yet).
    ///
    /// # Errors
    /// An unparseable Redis URL; a window below 257 candles.
    pub fn new(settings: Settings) -> Result<MarketPublisher, StartError> {
        let store = Store::open(&settings.redis_url, settings.cluster, settings.timeouts)?;
        let candles = settings
            .symbols
            .iter()
            .map(|s| {
                Candles::new(
                    settings.candle_keys.for_symbol(s),
                    settings.window,
                    P0Params::default(),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MarketPublisher {
            settings,
            store,
            candles,
            cycles: 0,
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

    /// One cycle over every symbol.
    ///
    /// # Errors
    /// Redis could not be reached or the connection failed; the cycle is then incomplete and is
    /// simply run again (the windows read so far are kept).
    pub fn cycle(&mut self) -> RedisResult<CycleReport> {
        let started = Instant::now();
        let now = chrono::Utc::now();
        let mut report = CycleReport::default();
        let n = self.candles.len();
        let batch = self.settings.batch.max(1);
        let cycle = self.cycles;
        let mut from = 0;
        while from < n {
            let to = (from + batch).min(n);
            self.batch(from..to, cycle, now.timestamp(), &mut report)?;
            from = to;
        }
        self.cycles += 1;
        report.took = started.elapsed();
        Ok(report)
    }

    fn batch(
        &mut self,
        range: std::ops::Range<usize>,
        cycle: u64,
        now: i64,
        report: &mut CycleReport,
    ) -> RedisResult<()> {
        // Every symbol's first step; then round trips until every symbol is done.
        let mut steps: Vec<(usize, Step)> = range
            .map(|i| {
                let resync = (cycle + i as u64).is_multiple_of(RESYNC_CYCLES) && cycle > 0;
                (i, self.candles[i].begin(resync))
            })
            .collect();
        let mut outcomes: Vec<(usize, Outcome)> = Vec::with_capacity(steps.len());
        while !steps.is_empty() {
            let mut cmds = Vec::new();
            let mut waiting: Vec<(usize, Vec<Read>)> = Vec::new();
            for (i, step) in steps.drain(..) {
                match step {
                    Step::Done(o) => outcomes.push((i, o)),
                    Step::Read(reads) => {
                        cmds.extend(reads.iter().map(to_cmd));
                        waiting.push((i, reads));
                    }
                }
            }
            if waiting.is_empty() {
                break;
            }
            let t = Instant::now();
            let mut replies = self.store.pipeline(cmds)?.into_iter();
            report.redis += t.elapsed();
            report.round_trips += 1;
            let mut work: Vec<(usize, Vec<Reply>)> = Vec::with_capacity(waiting.len());
            for (i, reads) in waiting {
                let mut got = Vec::with_capacity(reads.len());
                for r in &reads {
                    got.push(to_reply(r, replies.next().expect("one reply per read"))?);
                }
                work.push((i, got));
            }
            steps.extend(advance_all(&mut self.candles, work));
        }
        outcomes.sort_by_key(|(i, _)| *i);
        self.write(outcomes, now, report)
    }

    fn write(
        &mut self,
        outcomes: Vec<(usize, Outcome)>,
        now: i64,
        report: &mut CycleReport,
    ) -> RedisResult<()> {
        let ttl_ms = (self.settings.interval.as_millis() * 10).max(1);
        let mut writes: Vec<Cmd> = Vec::new();
        // (first write, writes, symbol index)
        let mut written: Vec<(usize, usize, usize)> = Vec::new();
        for (i, outcome) in outcomes {
            report.read += 1;
            let change = self.candles[i].change();
            report.new_candles += change.new;
            report.reloads += usize::from(change.reloaded);
            let symbol = self.settings.symbols[i].clone();
            let note = match outcome {
                Outcome::State { state, closes } => {
                    let first = writes.len();
                    let out = out_of(&state, now, closes);
                    if self.settings.log_level <= Level::Debug {
                        self.log_at(
                            Level::Debug,
                            &format!(
                                "{symbol}: σ={:.6} μ={:.6} TS={:.4} regime={} buffer={closes}",
                                out.sigma,
                                out.mu,
                                out.ts,
                                dominant_regime(out.p_trend, out.p_mr, out.p_chop)
                            ),
                        );
                    }
                    writes.extend(publish_cmds(&symbol, &out, ttl_ms));
                    written.push((first, writes.len() - first, i));
                    report.published += 1;
                    self.candles[i].skipped().map(|(n, why, example)| {
                        format!(
                            "{n} of the window's candles in {} have {} (e.g. {example:?}): left out",
                            self.candles[i].key().unwrap_or("?"),
                            why.describe()
                        )
                    })
                }
                Outcome::Short {
                    key,
                    closes,
                    members,
                } => {
                    report.short += 1;
                    let mut n = format!(
                        "{key} has {closes} readable closes in its newest {members} candles: P0 needs 257, nothing published"
                    );
                    if let Some((k, why, example)) = self.candles[i].skipped() {
                        n.push_str(&format!(" ({k} have {}, e.g. {example:?})", why.describe()));
                    }
                    Some(n)
                }
                Outcome::NoCandles => {
                    report.no_candles += 1;
                    Some(format!(
                        "no candles: none of {} exists; nothing published (never invented)",
                        self.settings.candle_keys.for_symbol(&symbol).join(", ")
                    ))
                }
                Outcome::WrongType { key, kind } => {
                    report.skipped += 1;
                    Some(format!(
                        "skipped: {key} is a {kind}, not a sorted set or list of candles"
                    ))
                }
                Outcome::Refused { key, message } => {
                    report.skipped += 1;
                    Some(format!("skipped: {key}: {message}"))
                }
                Outcome::Unstable { key } => {
                    report.skipped += 1;
                    Some(format!(
                        "skipped: {key} kept changing while it was read; next cycle again"
                    ))
                }
            };
            self.note(&symbol, note);
        }
        let t = Instant::now();
        let replies = self.store.pipeline(writes)?;
        report.redis += t.elapsed();
        report.round_trips += 1;
        for (first, count, i) in written {
            if let Some(e) = replies[first..first + count]
                .iter()
                .find_map(|r| r.as_ref().err())
            {
                let symbol = self.settings.symbols[i].clone();
                report.published -= 1;
                report.skipped += 1;
                self.note(
                    &symbol,
                    Some(format!(
                        "skipped: writing {} failed: {e}",
                        market_state_key(&symbol)
                    )),
                );
            }
        }
        Ok(())
    }
}

/// Symbols a worker thread takes at least (fewer are not worth a thread).
const PER_THREAD: usize = 64;

/// Each symbol's next step from its replies (`work` in ascending symbol order): the candles'
/// parsing and P0 spread over the machine's cores, symbols being independent.
fn advance_all(candles: &mut [Candles], work: Vec<(usize, Vec<Reply>)>) -> Vec<(usize, Step)> {
    // Pair each symbol's window with its replies (both in symbol order).
    let mut jobs: Vec<(usize, &mut Candles, Vec<Reply>)> = Vec::with_capacity(work.len());
    let mut rest = candles.iter_mut().enumerate();
    for (i, replies) in work {
        let c = rest
            .find(|(j, _)| *j == i)
            .map(|(_, c)| c)
            .expect("work in symbol order");
        jobs.push((i, c, replies));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let threads = cores.min(jobs.len() / PER_THREAD).max(1);
    let run = |chunk: Vec<(usize, &mut Candles, Vec<Reply>)>| -> Vec<(usize, Step)> {
        chunk
            .into_iter()
            .map(|(i, c, replies)| (i, c.advance(replies)))
            .collect()
    };
    if threads == 1 {
        return run(jobs);
    }
    let size = jobs.len().div_ceil(threads);
    let mut chunks = Vec::with_capacity(threads);
    while !jobs.is_empty() {
        let tail = jobs.split_off(size.min(jobs.len()));
        chunks.push(std::mem::replace(&mut jobs, tail));
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || run(chunk)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a symbol's step does not panic"))
            .collect()
    })
}

/// The published record of a state.
fn out_of(s: &MarketState, now: i64, closes: usize) -> MarketStateOut {
    MarketStateOut {
        sigma: s.sigma,
        mu: s.mu,
        ts: s.ts,
        p_trend: s.p_trend,
        p_mr: s.p_mr,
        p_chop: s.p_chop,
        dp: s.dp,
        vr: s.vr,
        spike_proxy: s.spike_proxy,
        ts_timestamp: now,
        buffer_size: closes,
    }
}

/// `HSET` the hash, its TTL (`EXPIRE` in whole seconds as the running service, `PEXPIRE` for a
/// fractional interval), `XADD` the stream entry.
fn publish_cmds(symbol: &str, out: &MarketStateOut, ttl_ms: u128) -> Vec<Cmd> {
    let key = market_state_key(symbol);
    let mut hset = redis::cmd("HSET");
    hset.arg(&key);
    for (k, v) in out.hash_fields() {
        hset.arg(k).arg(v);
    }
    let expire = if ttl_ms.is_multiple_of(1000) {
        let mut c = redis::cmd("EXPIRE");
        c.arg(&key).arg((ttl_ms / 1000) as u64);
        c
    } else {
        let mut c = redis::cmd("PEXPIRE");
        c.arg(&key).arg(ttl_ms as u64);
        c
    };
    let mut xadd = redis::cmd("XADD");
    xadd.arg(MARKET_STATE_STREAM)
        .arg("MAXLEN")
        .arg("~")
        .arg(STREAM_MAXLEN)
        .arg("*");
    for (k, v) in out.stream_fields(symbol) {
        xadd.arg(k).arg(v);
    }
    vec![hset, expire, xadd]
}

impl Service for MarketPublisher {
    type Report = CycleReport;

    fn name(&self) -> &'static str {
        "harvest publish-market"
    }

    fn redis_url(&self) -> &str {
        &self.settings.redis_url
    }

    fn describe(&self) -> String {
        format!(
            "{} symbols, every {:.3} s, windows of {} candles from {}, prices never invented",
            self.settings.symbols.len(),
            self.settings.interval.as_secs_f64(),
            self.settings.window,
            self.settings.candle_keys
        )
    }

    fn cycle(&mut self) -> RedisResult<CycleReport> {
        MarketPublisher::cycle(self)
    }

    fn disconnect(&mut self) {
        self.store.disconnect();
    }

    fn level(&self) -> Level {
        self.settings.log_level
    }
}

/// Exit status of `--once`: 0 every symbol published, 1 some symbol not (no candles, too few,
/// a key of another type), 2 Redis unreachable or bad settings.
pub fn run_once(settings: Settings) -> u8 {
    let mut p = match MarketPublisher::new(settings) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("harvest publish-market: {e}");
            return 2;
        }
    };
    match p.cycle() {
        Ok(r) => {
            p.log(&r.to_string());
            u8::from(r.unpublished() > 0)
        }
        Err(e) => {
            p.log_at(
                Level::Error,
                &format!("Redis unreachable ({}): {e}", p.settings.redis_url),
            );
            2
        }
    }
}

/// The service loop until SIGTERM or SIGINT (exit status 0; 2 for bad settings).
pub fn run_forever(settings: Settings, stop: std::sync::mpsc::Receiver<i32>) -> u8 {
    let interval = settings.interval;
    match MarketPublisher::new(settings) {
        Ok(p) => runtime::run_forever(p, interval, stop),
        Err(e) => {
            eprintln!("harvest publish-market: {e}");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withscores_replies_of_both_protocols() {
        let b = |s: &str| Value::BulkString(s.as_bytes().to_vec());
        let resp2 = Value::Array(vec![b("a"), b("1.5"), b("b"), b("inf")]);
        let resp3 = Value::Array(vec![
            Value::Array(vec![b("a"), Value::Double(1.5)]),
            Value::Array(vec![b("b"), Value::Double(f64::INFINITY)]),
        ]);
        let want = vec![(b"a".to_vec(), 1.5), (b"b".to_vec(), f64::INFINITY)];
        assert_eq!(scored(resp2), Some(want.clone()));
        assert_eq!(scored(resp3), Some(want));
        assert_eq!(scored(Value::Array(vec![b("a")])), None);
        assert_eq!(scored(Value::Int(3)), None);
    }

    #[test]
    fn the_report_line() {
        let r = CycleReport {
            read: 3,
            published: 2,
            short: 1,
            new_candles: 2,
            reloads: 1,
            round_trips: 3,
            took: Duration::from_micros(2100),
            redis: Duration::from_micros(1200),
            ..CycleReport::default()
        };
        assert_eq!(
            r.to_string(),
            "cycle: read 3, published 2, short 1, no candles 0, skipped 0 (new candles 2, windows read whole 1, round trips 3), took 2.1 ms (Redis 1.2 ms)"
        );
        assert_eq!(r.unpublished(), 1);
    }
}
