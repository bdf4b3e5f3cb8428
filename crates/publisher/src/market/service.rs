//! The P0.5 service: a cycle brings every symbol's candle window up to date in pipelined
//! round trips (a batch of symbols at a time), computes P0 and writes the market states in one
//! pipeline; [`crate::runtime::run_forever`] runs it on a fixed schedule.

use std::time::Duration;

use harvest_redis::redis::{self, Cmd, RedisResult, Value};

use harvest_market::{MarketState, P0Params};

use super::candles::CandleKeys;
use super::track::{Candles, Outcome, Read, Reply, Step, RESYNC_CYCLES};
use crate::runtime::report::Writes;
use crate::runtime::settings;
use crate::runtime::{self, xadd, Context, Level, Runner};
use harvest_records::keys::{market_state_key, MARKET_STATE_STREAM};
use harvest_records::market::{dominant_regime, MarketStateOut};
use harvest_redis::is_connection_error;

pub use crate::runtime::StartError;

/// P0.5's own settings (the `MARKETSTATE_*` variables).
#[derive(Debug, Clone)]
pub struct Options {
    /// Candles in a symbol's window (`MARKETSTATE_WINDOW_SIZE`, at least 257).
    pub window: usize,
    /// The candle keys, tried in order.
    pub candle_keys: CandleKeys,
}

impl Default for Options {
    /// Windows of 300 candles, the running P0.5's three candle keys.
    fn default() -> Self {
        Options {
            window: 300,
            candle_keys: CandleKeys::default(),
        }
    }
}

impl settings::Options for Options {
    /// The running P0.5's defaults: `redis://localhost:6379`, BTCUSDT and ETHUSDT, every 60 s
    /// (the hashes live ten intervals); batches of 250 symbols.
    const REDIS_URL: &'static str = "redis://localhost:6379";
    const SYMBOLS: &'static [&'static str] = &["BTCUSDT", "ETHUSDT"];
    const INTERVAL_SECS: u64 = 60;
    const BATCH: usize = 250;
}

/// Everything the service runs with.
pub type Settings = settings::Settings<Options>;

/// The P0.5 publisher: [`Market`] run by the [`Runner`].
pub type MarketPublisher = Runner<Market>;

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

impl runtime::Report for CycleReport {
    fn incomplete(&self) -> bool {
        self.unpublished() > 0
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

/// What P0.5 remembers between cycles: each symbol's window.
pub struct Market {
    candles: Vec<Candles>,
    cycles: u64,
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

impl runtime::Service for Market {
    type Options = Options;
    type Report = CycleReport;
    const NAME: &'static str = "harvest publish-market";

    /// Each symbol's window.
    ///
    /// # Errors
    /// A window below 257 candles.
    fn new(settings: &Settings) -> Result<Self, StartError> {
        let candles = settings
            .symbols
            .iter()
            .map(|s| {
                Candles::new(
                    settings.own.candle_keys.for_symbol(s),
                    settings.own.window,
                    P0Params::default(),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Market { candles, cycles: 0 })
    }

    fn describe(s: &Settings) -> String {
        format!(
            "windows of {} candles from {}, prices never invented",
            s.own.window, s.own.candle_keys
        )
    }

    /// One cycle over every symbol: the windows brought up to date (the windows read so far
    /// are kept when Redis is lost), P0, the writes.
    fn cycle(&mut self, ctx: &mut Context<Options>) -> RedisResult<CycleReport> {
        let (symbols, now) = (ctx.symbols.clone(), ctx.now);
        let mut report = CycleReport::default();
        let n = self.candles.len();
        let batch = ctx.settings.batch.max(1);
        let cycle = self.cycles;
        let mut from = 0;
        while from < n {
            let to = (from + batch).min(n);
            let secs = now.micros.div_euclid(1_000_000);
            self.batch(ctx, &symbols, from..to, cycle, secs, &mut report)?;
            from = to;
        }
        self.cycles += 1;
        report.took = now.started.elapsed();
        Ok(report)
    }
}

impl Market {
    fn batch(
        &mut self,
        ctx: &mut Context<Options>,
        symbols: &[String],
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
            let mut replies = ctx.pipeline(cmds, &mut report.redis)?.into_iter();
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
        self.write(ctx, symbols, outcomes, now, report)
    }

    fn write(
        &mut self,
        ctx: &mut Context<Options>,
        symbols: &[String],
        outcomes: Vec<(usize, Outcome)>,
        now: i64,
        report: &mut CycleReport,
    ) -> RedisResult<()> {
        let ttl_ms = (ctx.settings.interval.as_millis() * 10).max(1);
        let mut writes: Writes<&str> = Writes::default();
        for (i, outcome) in outcomes {
            report.read += 1;
            let change = self.candles[i].change();
            report.new_candles += change.new;
            report.reloads += usize::from(change.reloaded);
            let symbol = symbols[i].as_str();
            let note = match outcome {
                Outcome::State { state, closes } => {
                    let out = out_of(&state, now, closes);
                    if ctx.settings.log_level <= Level::Debug {
                        ctx.log_at(
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
                    writes.owned(symbol, publish_cmds(symbol, &out, ttl_ms));
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
                        ctx.settings.own.candle_keys.for_symbol(symbol).join(", ")
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
            ctx.note(symbol, note);
        }
        let written = writes.send(ctx, &mut report.redis)?;
        report.round_trips += 1;
        for (symbol, refused) in written {
            if let Some(e) = refused {
                report.published -= 1;
                report.skipped += 1;
                ctx.refused(symbol, &market_state_key(symbol), &e);
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
    let mut xadd = xadd(MARKET_STATE_STREAM);
    for (k, v) in out.stream_fields(symbol) {
        xadd.arg(k).arg(v);
    }
    vec![hset, expire, xadd]
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
