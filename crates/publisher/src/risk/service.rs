//! The P1.5 service: one cycle reads every symbol's position (hashes, or the `POSITION_OPENED`
//! events of `quantum:stream:execution.result`), market state and whether its proposal exists in
//! pipelined batches, runs P1 and writes the proposals that changed; [`crate::runtime::run_forever`]
//! runs it on a fixed schedule.

use std::collections::HashMap;
use std::time::Instant;

use harvest_market::P1Params;
use harvest_records::keys::{market_state_key, risk_proposal_key, RISK_PROPOSAL_STREAM};
use harvest_records::time::iso_naive;
use harvest_redis::hash_reply;
use harvest_redis::hgetall;
use harvest_redis::redis::{self, Cmd, RedisResult};

use super::plan::{evaluate, Last, Outcome, Reads, Rules};
use crate::runtime::fixes::{Fix, Fixes, Service as FixService};
use crate::runtime::positions::{self, Used, EXECUTION_RESULT};
pub use crate::runtime::report::CycleReport;
use crate::runtime::report::Writes;
use crate::runtime::settings::{self, PositionSource};
use crate::runtime::{xadd, Context, Level, Runner, StartError};

/// P1.5's own settings (the CLI's flags).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Where positions come from.
    pub source: PositionSource,
    /// Also append every publish to `quantum:stream:risk.proposal`.
    pub enable_stream: bool,
    /// The opt-in fixes listed (`p1-trend` is this service's).
    pub fixes: Fixes,
}

impl settings::Options for Options {
    /// The running P1.5's defaults: `redis://localhost:6379`, BTCUSDT, ETHUSDT and SOLUSDT,
    /// every 10 s; batches of 1,000 symbols (positions `auto`, no stream, no fixes).
    const REDIS_URL: &'static str = "redis://localhost:6379";
    const SYMBOLS: &'static [&'static str] = &["BTCUSDT", "ETHUSDT", "SOLUSDT"];
    const INTERVAL_SECS: u64 = 10;
    const BATCH: usize = 1000;
}

/// Everything the service runs with.
pub type Settings = settings::Settings<Options>;

/// The P1.5 publisher: [`Risk`] run by the [`Runner`].
pub type RiskPublisher = Runner<Risk>;

/// A symbol's proposal written this cycle (the rate limit's memory once written).
type Wrote<'a> = (&'a str, Option<(f64, f64)>);

/// What P1.5 remembers between cycles.
#[derive(Debug)]
pub struct Risk {
    rules: Rules,
    /// The last proposal written per symbol (the rate limit).
    last: HashMap<String, Last>,
    /// The position source of the last cycle (logged when it changes).
    used: Option<Used>,
}

impl crate::runtime::Service for Risk {
    type Options = Options;
    type Report = CycleReport;
    const NAME: &'static str = "harvest publish-risk";

    fn new(settings: &Settings) -> Result<Self, StartError> {
        Ok(Risk {
            rules: Rules {
                p1_trend: settings.own.fixes.has(Fix::P1Trend),
                params: P1Params::default(),
            },
            last: HashMap::new(),
            used: None,
        })
    }

    fn describe(s: &Settings) -> String {
        crate::p25::service::stream_and_source(s.own.source, s.own.enable_stream)
    }

    fn start_line(s: &Settings) -> Option<String> {
        Some(s.own.fixes.log_line(FixService::P15))
    }

    fn cycle(&mut self, ctx: &mut Context<Options>) -> RedisResult<CycleReport> {
        let (symbols, now_at) = (ctx.symbols.clone(), ctx.now);
        let now = now_at.epoch();
        let computed_at = iso_naive(now_at.micros);
        let mut report = CycleReport::default();
        let t = Instant::now();
        let source = ctx.settings.own.source;
        let positions = positions::read_from(&mut ctx.store, &symbols, source, EXECUTION_RESULT)?;
        report.redis += t.elapsed();
        if positions.used != self.used {
            self.used = positions.used;
            ctx.log(&positions.source_line(source));
        }
        for batch in symbols.chunks(ctx.settings.batch.max(1)) {
            let mut cmds: Vec<Cmd> = Vec::with_capacity(batch.len() * 2);
            for s in batch {
                cmds.push(hgetall(&market_state_key(s)));
                let mut exists = redis::cmd("EXISTS");
                exists.arg(risk_proposal_key(s));
                cmds.push(exists);
            }
            let t = Instant::now();
            let mut replies = ctx.store.pipeline(cmds)?.into_iter();
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
            ctx.store.name_types(&mut markets)?;
            report.redis += t.elapsed();
            let mut writes: Writes<Wrote> = Writes::default();
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
                let e = evaluate(s, reads, &self.rules, now, &computed_at);
                let notes = (!e.notes.is_empty()).then(|| e.notes.join("; "));
                match e.outcome {
                    Outcome::Publish(out) => {
                        report.published += 1;
                        let fields = out.hash_fields();
                        let mut hset = redis::cmd("HSET");
                        hset.arg(&key);
                        for (k, v) in &fields {
                            hset.arg(*k).arg(v);
                        }
                        let stream = ctx.settings.own.enable_stream.then(|| {
                            let mut xadd = xadd(RISK_PROPOSAL_STREAM);
                            xadd.arg("symbol").arg(s);
                            for (k, v) in &fields {
                                xadd.arg(*k).arg(v);
                            }
                            xadd
                        });
                        writes.owned((s, e.proposed), std::iter::once(hset).chain(stream));
                        ctx.note(s, notes.map(|n| format!("published; {n}")));
                        if ctx.settings.log_level <= Level::Debug {
                            ctx.log_at(
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
                        ctx.note(s, notes.map(|n| format!("unchanged; {n}")));
                    }
                    Outcome::NoPosition { flat } => {
                        // A new position starts with a fresh rate limit.
                        self.last.remove(s.as_str());
                        let why = match flat {
                            Some(side) => format!("side {side:?}"),
                            None => format!("none in {}", positions.looked_in(s)),
                        };
                        report.no_position(ctx, &mut writes, s, &key, &why, exists);
                    }
                    Outcome::Skipped(why) => report.skipped(ctx, s, why, notes),
                }
            }
            for ((symbol, proposed), refused) in writes.send(ctx, &mut report.redis)? {
                match refused {
                    Some(e) => {
                        report.published -= 1;
                        report.skipped += 1;
                        ctx.refused(symbol, &risk_proposal_key(symbol), &e);
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
        report.took = now_at.started.elapsed();
        Ok(report)
    }
}
