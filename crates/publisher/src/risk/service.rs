//! The P1.5 service: one cycle reads every symbol's position (hashes, or the `POSITION_OPENED`
//! events of `quantum:stream:execution.result`), market state and whether its proposal exists in
//! pipelined batches, runs P1 and writes the proposals that changed; [`crate::runtime::run_forever`]
//! runs it on a fixed schedule.

use std::collections::HashMap;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use harvest_market::P1Params;
use harvest_records::keys::{market_state_key, risk_proposal_key, RISK_PROPOSAL_STREAM};
use harvest_records::time::iso_naive;
use harvest_redis::redis::{self, Cmd, RedisResult};
use harvest_redis::{hash_reply, hgetall, Store, Timeouts};

use super::plan::{evaluate, Last, Outcome, Reads, Rules};
use crate::runtime::fixes::{Fix, Fixes, Service as FixService};
use crate::runtime::positions::{self, Used, EXECUTION_RESULT};
use crate::runtime::settings::PositionSource;
use crate::runtime::{self, Level, Service};

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
    /// Also append every publish to `quantum:stream:risk.proposal`.
    pub enable_stream: bool,
    /// The opt-in fixes listed (`p1-trend` is this service's).
    pub fixes: Fixes,
    /// Symbols per pipeline.
    pub batch: usize,
    /// Connect and reply timeouts.
    pub timeouts: Timeouts,
    /// The lowest level logged (`LOG_LEVEL`; the running P1.5's env file has it, its code logs
    /// everything at INFO).
    pub log_level: Level,
}

impl Default for Settings {
    /// The running P1.5's defaults: `redis://localhost:6379`, BTCUSDT, ETHUSDT and SOLUSDT, every
    /// 10 s, positions `auto`, no stream, no fixes; batches of 1,000 symbols.
    fn default() -> Self {
        Settings {
            redis_url: "redis://localhost:6379".into(),
            cluster: false,
            symbols: ["BTCUSDT", "ETHUSDT", "SOLUSDT"].map(String::from).to_vec(),
            interval: Duration::from_secs(10),
            source: PositionSource::Auto,
            enable_stream: false,
            fixes: Fixes::default(),
            batch: 1000,
            timeouts: Timeouts::default(),
            log_level: Level::Info,
        }
    }
}

pub use crate::runtime::report::CycleReport;

/// A symbol's writes in a cycle's pipeline, and the proposal they carry.
struct Written<'a> {
    first: usize,
    count: usize,
    symbol: &'a str,
    proposed: Option<(f64, f64)>,
}

/// The P1.5 publisher: settings, the Redis store and what it remembers between cycles.
pub struct RiskPublisher {
    settings: Settings,
    rules: Rules,
    store: Store,
    /// The last proposal written per symbol (the rate limit).
    last: HashMap<String, Last>,
    /// The position source of the last cycle (logged when it changes).
    used: Option<Used>,
    /// The last note logged per symbol, so a lasting condition is logged once.
    notes: HashMap<String, String>,
}

impl RiskPublisher {
    /// A publisher for `settings` (nothing is connected yet).
    ///
    /// # Errors
    /// An unparseable Redis URL.
    pub fn new(settings: Settings) -> RedisResult<RiskPublisher> {
        let store = Store::open(&settings.redis_url, settings.cluster, settings.timeouts)?;
        let rules = Rules {
            p1_trend: settings.fixes.has(Fix::P1Trend),
            params: P1Params::default(),
        };
        Ok(RiskPublisher {
            settings,
            rules,
            store,
            last: HashMap::new(),
            used: None,
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
                self.notes.remove(symbol);
            }
        }
    }

    /// One cycle over every symbol.
    ///
    /// # Errors
    /// Redis could not be reached or the connection failed; the cycle is then simply run again.
    pub fn cycle(&mut self) -> RedisResult<CycleReport> {
        let started = Instant::now();
        let now = chrono::Utc::now();
        let micros = now.timestamp_micros();
        let now_epoch = micros as f64 / 1e6;
        let computed_at = iso_naive(micros);
        let symbols = std::mem::take(&mut self.settings.symbols);
        let result = self.cycle_inner(&symbols, now_epoch, &computed_at, started);
        self.settings.symbols = symbols;
        result
    }

    fn cycle_inner(
        &mut self,
        symbols: &[String],
        now: f64,
        computed_at: &str,
        started: Instant,
    ) -> RedisResult<CycleReport> {
        let mut report = CycleReport::default();
        let t = Instant::now();
        let positions = positions::read_from(
            &mut self.store,
            symbols,
            self.settings.source,
            EXECUTION_RESULT,
        )?;
        report.redis += t.elapsed();
        if positions.used != self.used {
            self.used = positions.used;
            self.log(&match positions.used {
                Some(Used::Stream) => format!(
                    "positions: the {} events among the newest {} entries of {}{}",
                    EXECUTION_RESULT.event_type.unwrap_or("any"),
                    positions::STREAM_COUNT,
                    EXECUTION_RESULT.key,
                    if self.settings.source == PositionSource::Auto {
                        " (no symbol has a position hash)"
                    } else {
                        ""
                    }
                ),
                _ => "positions: the hashes quantum:state:positions:<SYM>".to_string(),
            });
        }
        for batch in symbols.chunks(self.settings.batch.max(1)) {
            let mut cmds: Vec<Cmd> = Vec::with_capacity(batch.len() * 2);
            for s in batch {
                cmds.push(hgetall(&market_state_key(s)));
                let mut exists = redis::cmd("EXISTS");
                exists.arg(risk_proposal_key(s));
                cmds.push(exists);
            }
            let t = Instant::now();
            let mut replies = self.store.pipeline(cmds)?.into_iter();
            let mut markets = Vec::with_capacity(batch.len());
            let mut exists = Vec::with_capacity(batch.len());
            for s in batch {
                markets.push(hash_reply(
                    &market_state_key(s),
                    replies.next().expect("two replies a symbol"),
                ));
                exists.push(matches!(
                    replies.next().expect("two replies a symbol"),
                    Ok(redis::Value::Int(1))
                ));
            }
            self.store.name_types(&mut markets)?;
            report.redis += t.elapsed();
            let mut writes: Vec<Cmd> = Vec::with_capacity(batch.len() * 2);
            let mut written: Vec<Written> = Vec::new();
            for ((s, market), exists) in batch.iter().zip(markets).zip(exists) {
                report.read += 1;
                let position = match positions.get(s) {
                    Err(e) => Err(e.to_string()),
                    Ok(None) => Ok(None),
                    Ok(Some(found)) => found.read(s).map_err(|e| e.to_string()),
                };
                let key = risk_proposal_key(s);
                let reads = Reads {
                    position,
                    market: market.map_err(|e| e.to_string()),
                    exists,
                    last: self.last.get(s.as_str()).copied(),
                };
                let e = evaluate(s, reads, &self.rules, now, computed_at);
                let notes = (!e.notes.is_empty()).then(|| e.notes.join("; "));
                match e.outcome {
                    Outcome::Publish(out) => {
                        report.published += 1;
                        let first = writes.len();
                        let fields = out.hash_fields();
                        let mut hset = redis::cmd("HSET");
                        hset.arg(&key);
                        for (k, v) in &fields {
                            hset.arg(*k).arg(v);
                        }
                        writes.push(hset);
                        if self.settings.enable_stream {
                            let mut xadd = redis::cmd("XADD");
                            xadd.arg(RISK_PROPOSAL_STREAM)
                                .arg("MAXLEN")
                                .arg("~")
                                .arg(STREAM_MAXLEN)
                                .arg("*")
                                .arg("symbol")
                                .arg(s);
                            for (k, v) in &fields {
                                xadd.arg(*k).arg(v);
                            }
                            writes.push(xadd);
                        }
                        written.push(Written {
                            first,
                            count: writes.len() - first,
                            symbol: s,
                            proposed: e.proposed,
                        });
                        self.note(s, notes.map(|n| format!("published; {n}")));
                        if self.settings.log_level <= Level::Debug {
                            self.log_at(
                                Level::Debug,
                                &format!(
                                    "{s}: SL={:.4} TP={:.4} reasons={}",
                                    out.proposed_sl,
                                    out.proposed_tp,
                                    out.reason_codes.join(",")
                                ),
                            );
                        }
                    }
                    Outcome::Unchanged => {
                        report.unchanged += 1;
                        self.note(s, notes.map(|n| format!("unchanged; {n}")));
                    }
                    Outcome::NoPosition { flat } => {
                        report.no_position += 1;
                        // A new position starts with a fresh rate limit.
                        self.last.remove(s.as_str());
                        let mut note = match flat {
                            Some(side) => format!("no position (side {side:?}): no proposal"),
                            None => format!(
                                "no position (none in {}): no proposal",
                                positions.looked_in(s)
                            ),
                        };
                        if exists {
                            report.removed += 1;
                            note.push_str(&format!("; removed the stale {key}"));
                            let mut del = redis::cmd("DEL");
                            del.arg(&key);
                            writes.push(del);
                        }
                        self.note(s, Some(note));
                    }
                    Outcome::Skipped(why) => {
                        report.skipped += 1;
                        let mut n = format!("skipped: {why}");
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
            for Written {
                first,
                count,
                symbol,
                proposed,
            } in written
            {
                match replies[first..first + count]
                    .iter()
                    .find_map(|r| r.as_ref().err())
                {
                    Some(e) => {
                        report.published -= 1;
                        report.skipped += 1;
                        self.note(
                            symbol,
                            Some(format!(
                                "skipped: writing {} failed: {e}",
                                risk_proposal_key(symbol)
                            )),
                        );
                    }
                    None => {
                        if let Some((sl, tp)) = proposed {
                            self.last
                                .insert(symbol.to_string(), Last { sl, tp, at: now });
                        }
                    }
                }
            }
        }
        report.took = started.elapsed();
        Ok(report)
    }
}

impl Service for RiskPublisher {
    type Report = CycleReport;

    fn name(&self) -> &'static str {
        "harvest publish-risk"
    }

    fn redis_url(&self) -> &str {
        &self.settings.redis_url
    }

    fn describe(&self) -> String {
        format!(
            "{} symbols, every {:.3} s, positions from {:?}, stream {}; {}",
            self.settings.symbols.len(),
            self.settings.interval.as_secs_f64(),
            self.settings.source,
            if self.settings.enable_stream {
                "on"
            } else {
                "off"
            },
            self.settings.fixes.log_line(FixService::P15)
        )
    }

    fn cycle(&mut self) -> RedisResult<CycleReport> {
        RiskPublisher::cycle(self)
    }

    fn disconnect(&mut self) {
        self.store.disconnect();
    }

    fn level(&self) -> Level {
        self.settings.log_level
    }
}

/// `--once`: one cycle. Exit status 0 every symbol with a position published (or unchanged), 1
/// some symbol skipped for bad data, 2 Redis unreachable or a bad URL.
pub fn run_once(settings: Settings) -> u8 {
    let mut p = match RiskPublisher::new(settings) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("harvest publish-risk: bad Redis URL: {e}");
            return 2;
        }
    };
    p.log(&p.settings.fixes.log_line(FixService::P15));
    match p.cycle() {
        Ok(r) => {
            p.log(&r.to_string());
            u8::from(r.skipped > 0)
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

/// The service loop until SIGTERM or SIGINT (exit status 0; 2 for a bad URL).
pub fn run_forever(settings: Settings, stop: Receiver<i32>) -> u8 {
    let interval = settings.interval;
    match RiskPublisher::new(settings) {
        Ok(p) => runtime::run_forever(p, interval, stop),
        Err(e) => {
            eprintln!("harvest publish-risk: bad Redis URL: {e}");
            2
        }
    }
}
