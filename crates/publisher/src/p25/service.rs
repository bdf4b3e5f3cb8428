//! The P2.5 service: one cycle reads the policy in force, every symbol's position, market state,
//! P1 proposal and last publish in pipelined batches, runs the kernel and writes the proposals in
//! pipelined batches; the loop starts cycles on a fixed schedule, retries a lost Redis with
//! backoff, and stops after the current cycle on SIGTERM or SIGINT.

use harvest_records::keys::{
    market_state_key, proposal_key, risk_proposal_key, POLICY_KEY, POLICY_STREAM, PROPOSAL_STREAM,
};
use harvest_records::policy::InForce;
use harvest_records::published::{stream_fields, Stamp, DECISION_FIELDS};
use harvest_records::Fields;
use harvest_redis::redis::{self, Cmd, RedisResult};
use harvest_redis::{hash_reply, hgetall, texts_reply, KeyError};

use super::plan::{evaluate, Outcome, Rules, SymbolReads};
use crate::runtime::fixes::{Fixes, Service as FixService};
use crate::runtime::positions::{self, Used};
pub use crate::runtime::report::CycleReport;
use crate::runtime::report::Writes;
use crate::runtime::settings::{self, PositionSource};
use crate::runtime::{xadd, Context, Runner, StartError};

/// P2.5's own settings (the CLI's flags); the default is the running publisher's: positions
/// `auto`, no stream, default rules, no fixes.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Where positions come from.
    pub source: PositionSource,
    /// Also append every full publish to `quantum:stream:harvest.proposal`.
    pub enable_stream: bool,
    /// Fallback stop, publish thresholds, `full-facts`.
    pub rules: Rules,
    /// The opt-in fixes listed (those of other services are ignored, and said so at start).
    pub fixes: Fixes,
}

impl settings::Options for Options {
    /// The running publisher's defaults: local Redis, no symbols, every 10 s; batches of 1,000.
    const REDIS_URL: &'static str = "redis://127.0.0.1:6379";
    const SYMBOLS: &'static [&'static str] = &[];
    const INTERVAL_SECS: u64 = 10;
    const BATCH: usize = 1000;
}

/// Everything the service runs with.
pub type Settings = settings::Settings<Options>;

/// The publisher: [`Harvest`] run by the [`Runner`] (settings, Redis, notes).
pub type Publisher = Runner<Harvest>;

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
    fn refresh(&mut self, ctx: &mut Context<Options>, now: f64) -> RedisResult<()> {
        let newest = match ctx.store.newest_entries(POLICY_STREAM, 1)? {
            Ok(e) => e.first().map(|(id, _)| id.clone()).unwrap_or_default(),
            Err(e) => {
                self.say(ctx, format!("{e}: policy updates are not seen"));
                String::new()
            }
        };
        if self.seen.as_deref() != Some(newest.as_str()) {
            let first = self.seen.is_none();
            self.seen = Some(newest);
            let mut r = ctx.store.read_hashes(&[POLICY_KEY.to_string()])?;
            self.record = match r.pop().expect("one key") {
                Ok(f) => f,
                Err(e) => {
                    self.say(ctx, format!("{e}: read as no policy"));
                    Fields::new()
                }
            };
            if !first {
                ctx.log(&format!("{POLICY_STREAM} has a new entry: policy reloaded"));
            }
        }
        let fallback_stop_pct = ctx.settings.own.rules.fallback_stop_pct;
        self.in_force = InForce::resolve(&self.record, now, fallback_stop_pct);
        let line = format!("theta in force: {}", self.in_force.describe());
        self.say(ctx, line);
        Ok(())
    }

    fn say(&mut self, ctx: &Context<Options>, line: String) {
        if self.said != line {
            ctx.log(&line);
            self.said = line;
        }
    }
}

/// What P2.5 remembers between cycles: the policy in force and the position source used.
#[derive(Debug)]
pub struct Harvest {
    policy: PolicyWatch,
    /// The position source of the last cycle (logged when it changes).
    used: Option<Used>,
}

impl Harvest {
    /// The theta in force (as of the last cycle) and where it comes from.
    pub fn in_force(&self) -> &InForce {
        &self.policy.in_force
    }
}

impl Publisher {
    /// The theta in force (as of the last cycle) and where it comes from.
    pub fn in_force(&self) -> &InForce {
        self.service().in_force()
    }
}

/// The `started:` line's positions source and stream (P2.5's and P1.5's).
pub(crate) fn stream_and_source(source: PositionSource, stream: bool) -> String {
    let on = if stream { "on" } else { "off" };
    format!("positions from {source:?}, stream {on}")
}

/// What a symbol wrote: a full publish (`true`) or the refresh of `last_update_epoch`.
type Wrote<'a> = (&'a str, bool);

impl crate::runtime::Service for Harvest {
    type Options = Options;
    type Report = CycleReport;
    const NAME: &'static str = "harvest publish";

    fn new(settings: &Settings) -> Result<Self, StartError> {
        Ok(Harvest {
            policy: PolicyWatch::new(settings.own.rules.fallback_stop_pct),
            used: None,
        })
    }

    fn describe(s: &Settings) -> String {
        stream_and_source(s.own.source, s.own.enable_stream)
    }

    fn start_line(s: &Settings) -> Option<String> {
        Some(s.own.fixes.log_line(FixService::P25))
    }

    /// One cycle over every symbol: policy, positions, then read (pipelined), compute, write
    /// (pipelined).
    fn cycle(&mut self, ctx: &mut Context<Options>) -> RedisResult<CycleReport> {
        let (symbols, now) = (ctx.symbols.clone(), ctx.now);
        let now_epoch = now.epoch();
        let stamp = Stamp::at_micros(now.micros);
        let mut report = CycleReport::default();
        let t = std::time::Instant::now();
        self.policy.refresh(ctx, now_epoch)?;
        let theta = self.policy.in_force.theta;
        let source = ctx.settings.own.source;
        let positions = positions::read(&mut ctx.store, &symbols, source)?;
        report.redis += t.elapsed();
        if positions.used != self.used {
            self.used = positions.used;
            ctx.log(&positions.source_line(source));
        }
        let rules = ctx.settings.own.rules;
        for batch in symbols.chunks(ctx.settings.batch.max(1)) {
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
            let t = std::time::Instant::now();
            let mut replies = ctx.store.pipeline(cmds)?.into_iter();
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
            ctx.store.name_types(&mut markets)?;
            ctx.store.name_types(&mut p1s)?;
            ctx.store.name_types(&mut lasts)?;
            report.redis += t.elapsed();
            let mut writes: Writes<Wrote> = Writes::default();
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
                        report.skipped(ctx, s, problem, None);
                        continue;
                    }
                };
                let evaluated = evaluate(s, &reads, &rules, &theta, now_epoch, &stamp);
                let notes = (!evaluated.notes.is_empty()).then(|| evaluated.notes.join("; "));
                let key = proposal_key(s);
                match evaluated.outcome {
                    Outcome::Publish { fields, .. } => {
                        report.published += 1;
                        ctx.note(s, notes.map(|n| format!("published; {n}")));
                        let mut hset = redis::cmd("HSET");
                        hset.arg(&key);
                        for (k, v) in &fields {
                            hset.arg(*k).arg(v);
                        }
                        let stream = ctx.settings.own.enable_stream.then(|| {
                            let mut xadd = xadd(PROPOSAL_STREAM);
                            for (k, v) in stream_fields(s, &fields) {
                                xadd.arg(k).arg(v);
                            }
                            xadd
                        });
                        writes.owned((s, true), std::iter::once(hset).chain(stream));
                    }
                    Outcome::Refresh => {
                        report.unchanged += 1;
                        ctx.note(s, notes.map(|n| format!("published; {n}")));
                        let mut hset = redis::cmd("HSET");
                        hset.arg(&key).arg("last_update_epoch").arg(stamp.epoch);
                        writes.owned((s, false), [hset]);
                    }
                    Outcome::NoPosition { had_proposal, why } => {
                        let why =
                            why.unwrap_or_else(|| format!("none in {}", positions.looked_in(s)));
                        report.no_position(ctx, &mut writes, s, &key, &why, had_proposal);
                    }
                    Outcome::Skipped(skip) => report.skipped(ctx, s, skip, notes),
                }
            }
            // A symbol whose write the server refused (e.g. the key holds another type) counts
            // as skipped, not published.
            for ((symbol, full), refused) in writes.send(ctx, &mut report.redis)? {
                if let Some(e) = refused {
                    ctx.log(&format!(
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
        report.took = now.started.elapsed();
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
