//! The Replay view's background work, one job at a time, in slices of [`SLICE_MS`] with a yield
//! to the browser between them (the page keeps painting; Cancel is honoured at the next slice):
//! loading price files or the sample (each read in chunks, parsed, then P0's market state of
//! every bar; a file that cannot be read is said by name and the others still load), a backtest
//! of every loaded symbol (theta A, then B on the same trades; per symbol and pooled) and a theta
//! sweep (each cell on every symbol, per symbol and pooled).

use leptos::prelude::*;

use crate::browser::files::{Chunks, Source};
use crate::browser::{self, now_ms, SLICE_MS};
use crate::replay::context::{JobKind, Loaded, ReplayCtx, Run, SHOWCASE_TRIES};
use harvest_features::progress::{Progress, Unit};
use harvest_features::replay::market::{file_name, import_price_bytes, P0Params, MIN_CLOSES};
use harvest_features::replay::view::showcase;
use harvest_features::replay::{every_n, Backtest, Entry, MultiSweep, Series, SymbolRun};
use harvest_kernel::Theta;

/// The shipped sample, relative to the page.
pub const SAMPLE_URL: &str = "assets/prices/Coinbase_BTCUSD_1h.csv";
/// Its name.
pub const SAMPLE_NAME: &str = "Coinbase_BTCUSD_1h.csv";
/// The sweep runs on at most this many of each symbol's entries (each cell is a backtest).
pub const SWEEP_TRADES: usize = 300;

/// What to do.
pub enum Job {
    /// Fetch and load the sample.
    Sample,
    /// Load picked or dropped files.
    Files(Vec<web_sys::File>),
    /// Backtest with theta A (and B when A is pinned).
    Backtest,
    /// Sweep the two theta axes.
    Sweep,
}

impl Job {
    /// Its kind.
    pub fn kind(&self) -> JobKind {
        match self {
            Job::Sample | Job::Files(_) => JobKind::Load,
            Job::Backtest => JobKind::Backtest,
            Job::Sweep => JobKind::Sweep,
        }
    }
}

/// Starts `job` unless one is running (the buttons are disabled meanwhile).
pub fn start(rc: ReplayCtx, job: Job) {
    if rc.job.with_untracked(Option::is_some) {
        return;
    }
    let kind = job.kind();
    rc.cancel.set_value(false);
    rc.job_kind.set(Some(kind));
    rc.job.set(Some(Progress {
        cancellable: true,
        ..Progress::new("Starting", Unit::Bytes, Some(1.0), now_ms())
    }));
    leptos::task::spawn_local(async move {
        match job {
            Job::Sample => match browser::files::fetch_bytes(SAMPLE_URL).await {
                Ok(b) => load(rc, SAMPLE_NAME.to_string(), Source::Bytes(b)).await,
                Err(e) => rc.say(format!("The sample could not be loaded: {e}.")),
            },
            Job::Files(files) => {
                for f in files {
                    if cancelled(rc) {
                        break;
                    }
                    let name = f.name();
                    load(rc, name, Source::File(f)).await;
                }
            }
            Job::Backtest => backtest(rc).await,
            Job::Sweep => sweep(rc).await,
        }
        let word = if cancelled(rc) { "Cancelled" } else { "Done" };
        let done = rc.job.with_untracked(|j| {
            j.as_ref().map(|j| {
                (
                    kind,
                    format!("{word}: {}: {}", j.label, j.figures(now_ms())),
                )
            })
        });
        rc.last_job.set(done);
        rc.job.set(None);
    });
}

fn cancelled(rc: ReplayCtx) -> bool {
    rc.cancel.get_value()
}

fn progress(rc: ReplayCtx, label: &str, done: f64, total: f64, unit: Unit, t0: f64) {
    rc.job.set(Some(Progress {
        done,
        cancellable: true,
        ..Progress::new(label, unit, Some(total), t0)
    }));
}

/// Reads and parses a price file, adds it as its symbol (from its name, as `harvest` reads file
/// names; a symbol loaded before is replaced) and computes its market states. When it is the
/// symbol shown (the first one loaded, or the one it replaces), the opening trade's bars come
/// first so a trade shows within a second or two. Anything that fails is said with the file's
/// name; the symbols loaded stay.
async fn load(rc: ReplayCtx, name: String, src: Source) {
    let t0 = now_ms();
    let bytes = match src {
        Source::Bytes(b) => b,
        file => {
            let mut chunks = Chunks::new(file);
            let size = chunks.size();
            let mut buf = Vec::with_capacity(size as usize);
            loop {
                if cancelled(rc) {
                    rc.say(format!("Loading {name} was cancelled."));
                    return;
                }
                match chunks.next().await {
                    Ok(Some(b)) => buf.extend_from_slice(&b),
                    Ok(None) => break,
                    Err(e) => {
                        rc.say(format!("{name} could not be read: {e}."));
                        return;
                    }
                }
                let read = chunks.offset();
                progress(rc, &format!("Reading {name}"), read, size, Unit::Bytes, t0);
                browser::yield_now().await;
            }
            buf
        }
    };
    // A line that is not UTF-8 is one problem line, like any other broken line.
    let import = match import_price_bytes(&bytes) {
        Ok(i) => i,
        Err(e) => {
            rc.say(format!("{name} could not be read as prices: {e}."));
            return;
        }
    };
    let problems: Vec<String> = import.problems.iter().map(|p| p.to_string()).collect();
    let n = import.bars.len();
    if n == 0 {
        let first = problems
            .first()
            .map_or(String::new(), |p| format!(" (first: {p})"));
        rc.say(format!(
            "{name} could not be read as prices: no bar in it, {} lines skipped{first}.",
            problems.len()
        ));
        return;
    }
    let symbol = file_name(&name).symbol;
    let shown = rc.selected.get_untracked();
    let is_shown = shown.is_none() || shown.as_deref() == Some(symbol.as_str());
    // The backtests and the sweep were of the symbols before.
    rc.run_a.set(None);
    rc.run_b.set(None);
    rc.sweep.set_value(None);
    rc.sweep_symbol.set(None);
    rc.sweep_version.update(|v| *v += 1);
    let loaded = Loaded {
        symbol: symbol.clone(),
        file: name.clone(),
        series: Series::new(import.bars, P0Params::default()),
        problems,
    };
    rc.series.update_value(|all| {
        all.retain(|l| l.symbol != symbol);
        let at = all.partition_point(|l| l.symbol < symbol);
        all.insert(at, loaded);
    });
    if is_shown {
        rc.entry.set(None);
        rc.selected.set(Some(symbol.clone()));
    }
    rc.refresh();
    let label = format!("P0 market state of every bar of {name}");
    let p = rc.params.get_untracked();
    let early = (MIN_CLOSES + SHOWCASE_TRIES * 24 + p.max_bars + 1).min(n);
    let ends = if is_shown { vec![early, n] } else { vec![n] };
    for end in ends {
        loop {
            let s0 = now_ms();
            let done = rc
                .series
                .try_update_value(|all| {
                    all.iter_mut().find(|l| l.symbol == symbol).map(|l| {
                        let k = l.series.compute_states_to(end, || now_ms() - s0 < SLICE_MS);
                        (k, k >= end)
                    })
                })
                .flatten();
            let Some((k, ready)) = done else { return };
            progress(rc, &label, k as f64, n as f64, Unit::Bars, t0);
            if ready {
                break;
            }
            browser::yield_now().await;
            if cancelled(rc) {
                rc.remove(&symbol);
                rc.say(format!(
                    "Loading {name} was cancelled while computing market states."
                ));
                return;
            }
        }
        rc.version.update(|v| *v += 1);
        if is_shown && end == early {
            // The trade the view opens with.
            let theta = rc.ctx.state.with_untracked(|s| s.theta);
            let first = rc
                .with_series(|s| showcase(s, &theta, &p, SHOWCASE_TRIES))
                .flatten();
            match first {
                Some(t) => rc.replay(t.entry_index, t.side),
                None => rc.say(format!(
                    "{name} has no bar a trade could be entered at: it needs more than {MIN_CLOSES} bars."
                )),
            }
        }
    }
}

/// Each loaded symbol's entries by the backtest's rule (at most `limit` a symbol, as
/// `harvest backtest --limit`).
fn entries(rc: ReplayCtx) -> Vec<(String, Vec<Entry>)> {
    let r = rc.rule.get_untracked();
    rc.series.with_value(|all| {
        all.iter()
            .map(|l| {
                (
                    l.symbol.clone(),
                    every_n(l.series.bars.len(), r.every, r.sides, r.limit),
                )
            })
            .collect()
    })
}

/// One backtest of every symbol in slices; `None` when cancelled or invalid (said).
async fn run_one(
    rc: ReplayCtx,
    name: &str,
    theta: Theta,
    symbols: Vec<(String, Vec<Entry>)>,
    t0: f64,
) -> Option<Run> {
    let total: usize = symbols.iter().map(|(_, e)| e.len()).sum();
    let several = symbols.len() > 1;
    let mut done_before = 0;
    let mut runs = Vec::new();
    for (symbol, entries) in symbols {
        let count = entries.len();
        let mut bt = match Backtest::new(entries, theta, rc.params.get_untracked()) {
            Ok(b) => b,
            Err(e) => {
                rc.say(format!("Theta {name} cannot run: {e}."));
                return None;
            }
        };
        let label = if several {
            format!("Backtest with theta {name} on {symbol}")
        } else {
            format!("Backtest with theta {name}")
        };
        loop {
            let s0 = now_ms();
            let done = rc.series.with_value(|all| {
                all.iter()
                    .find(|l| l.symbol == symbol)
                    .map(|l| bt.step(&l.series, || now_ms() - s0 < SLICE_MS))
            })?;
            let k = (done_before + bt.next) as f64;
            progress(rc, &label, k, total as f64, Unit::Trades, t0);
            if done {
                break;
            }
            browser::yield_now().await;
            if cancelled(rc) {
                rc.say("The backtest was cancelled.".to_string());
                return None;
            }
        }
        done_before += count;
        let report = bt.report();
        runs.push(SymbolRun {
            symbol,
            rows: bt.rows,
            report,
        });
    }
    Some(Run::of(theta, runs))
}

async fn backtest(rc: ReplayCtx) {
    let t0 = now_ms();
    let e = entries(rc);
    if e.iter().all(|(_, e)| e.is_empty()) {
        rc.say("No entries: load prices with more than 257 bars first.".to_string());
        return;
    }
    let (a, b) = (rc.theta_a(), rc.theta_b());
    rc.run_b.set(None);
    let Some(ra) = run_one(rc, "A", a, e.clone(), t0).await else {
        return;
    };
    rc.run_a.set(Some(ra));
    if let Some(b) = b {
        if let Some(rb) = run_one(rc, "B", b, e, t0).await {
            rc.run_b.set(Some(rb));
        }
    }
}

async fn sweep(rc: ReplayCtx) {
    let t0 = now_ms();
    let mut e = entries(rc);
    for (_, e) in &mut e {
        e.truncate(SWEEP_TRADES);
    }
    if e.iter().all(|(_, e)| e.is_empty()) {
        rc.say("No entries: load prices with more than 257 bars first.".to_string());
        return;
    }
    let (x, y) = rc.axes.get_untracked();
    let base = rc.ctx.state.with_untracked(|s| s.theta);
    let sw = match MultiSweep::new(x, y, base, e, rc.params.get_untracked()) {
        Ok(s) => s,
        Err(err) => {
            rc.say(format!("The sweep cannot run: {err}."));
            return;
        }
    };
    let total = (sw.total() * sw.entries()) as f64;
    let names = sw.names.clone();
    rc.sweep.set_value(Some(sw));
    rc.sweep_focus.set(None);
    if rc
        .sweep_symbol
        .get_untracked()
        .is_some_and(|s| !names.contains(&s))
    {
        rc.sweep_symbol.set(None);
    }
    let label = format!("Sweep of {} × {}", x.field.key(), y.field.key());
    let mut last_paint = now_ms();
    loop {
        let s0 = now_ms();
        let step = rc.series.with_value(|all| {
            // The sweep's symbols are the ones loaded when it started (a job runs alone).
            let series: Vec<&Series> = names
                .iter()
                .filter_map(|n| all.iter().find(|l| &l.symbol == n).map(|l| &l.series))
                .collect();
            if series.len() != names.len() {
                return None;
            }
            rc.sweep
                .try_update_value(|w| {
                    w.as_mut().map(|w| {
                        (
                            w.step(&series, || now_ms() - s0 < SLICE_MS),
                            w.trades_done(),
                        )
                    })
                })
                .flatten()
        });
        let Some((done, k)) = step else { return };
        progress(rc, &label, k as f64, total, Unit::Trades, t0);
        if done || now_ms() - last_paint > 250.0 {
            last_paint = now_ms();
            rc.sweep_version.update(|v| *v += 1);
        }
        if done {
            break;
        }
        browser::yield_now().await;
        if cancelled(rc) {
            rc.say("The sweep was cancelled; the cells done so far are shown.".to_string());
            rc.sweep_version.update(|v| *v += 1);
            return;
        }
    }
}
