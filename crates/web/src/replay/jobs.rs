//! The Replay view's background work, one job at a time, in slices of [`SLICE_MS`] with a yield
//! to the browser between them (the page keeps painting; Cancel is honoured at the next slice):
//! loading a price file or the sample (read in chunks, parsed, then P0's market state of every
//! bar), a backtest (theta A, then B on the same trades) and a theta sweep.

use leptos::prelude::*;

use crate::browser::files::{Chunks, Source};
use crate::browser::{self, now_ms, SLICE_MS};
use crate::replay::context::{JobKind, ReplayCtx, Run};
use harvest_features::progress::{Progress, Unit};
use harvest_features::replay::market::{import_price_bytes, P0Params, MIN_CLOSES};
use harvest_features::replay::view::showcase;
use harvest_features::replay::{every_n, Backtest, Entry, Report, Series, ThetaSweep};
use harvest_kernel::Theta;

/// The shipped sample, relative to the page.
pub const SAMPLE_URL: &str = "assets/prices/Coinbase_BTCUSD_1h.csv";
/// Its name.
pub const SAMPLE_NAME: &str = "Coinbase_BTCUSD_1h.csv";
/// Entries (every 24 bars) the opening trade is picked from.
const SHOWCASE_TRIES: usize = 60;
/// The sweep runs on at most this many of the backtest's entries (each cell is a backtest).
pub const SWEEP_TRADES: usize = 300;

/// What to do.
pub enum Job {
    /// Fetch and load the sample.
    Sample,
    /// Load a picked or dropped file.
    File(web_sys::File),
    /// Backtest with theta A (and B when A is pinned).
    Backtest,
    /// Sweep the two theta axes.
    Sweep,
}

impl Job {
    /// Its kind.
    pub fn kind(&self) -> JobKind {
        match self {
            Job::Sample | Job::File(_) => JobKind::Load,
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
            Job::File(f) => {
                let name = f.name();
                load(rc, name, Source::File(f)).await;
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

/// Reads, parses and computes the market states of a price file.
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
    rc.problems.set(problems);
    rc.entry.set(None);
    rc.run_a.set(None);
    rc.run_b.set(None);
    rc.sweep.set_value(None);
    rc.sweep_version.update(|v| *v += 1);
    rc.series
        .set_value(Some(Series::new(import.bars, P0Params::default())));
    rc.symbol.set(Some(
        harvest_features::replay::market::file_name(&name).symbol,
    ));
    rc.source.set(Some(format!(
        "{name}: {} bars",
        harvest_features::format::fmt_count(n)
    )));
    rc.version.update(|v| *v += 1);
    let label = format!("P0 market state of every bar of {name}");
    // First the bars the opening trade is picked from (so a trade shows within a second or
    // two), then the rest while it is on screen.
    let p = rc.params.get_untracked();
    let early = (MIN_CLOSES + SHOWCASE_TRIES * 24 + p.max_bars + 1).min(n);
    for end in [early, n] {
        loop {
            let s0 = now_ms();
            let done = rc
                .series
                .try_update_value(|s| {
                    s.as_mut().map(|s| {
                        let k = s.compute_states_to(end, || now_ms() - s0 < SLICE_MS);
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
                rc.series.set_value(None);
                rc.source.set(None);
                rc.symbol.set(None);
                rc.entry.set(None);
                rc.version.update(|v| *v += 1);
                rc.say(format!(
                    "Loading {name} was cancelled while computing market states."
                ));
                return;
            }
        }
        rc.version.update(|v| *v += 1);
        if end == early {
            // The trade the view opens with.
            let theta = rc.ctx.state.with_untracked(|s| s.theta);
            let first = rc.series.with_value(|s| {
                s.as_ref()
                    .and_then(|s| showcase(s, &theta, &p, SHOWCASE_TRIES))
            });
            match first {
                Some(t) => rc.replay(t.entry_index, t.side),
                None => rc.say(format!(
                    "{name} has no bar a trade could be entered at: it needs more than {MIN_CLOSES} bars."
                )),
            }
        }
    }
}

fn entries(rc: ReplayCtx) -> Vec<Entry> {
    let n = rc
        .series
        .with_value(|s| s.as_ref().map_or(0, |s| s.bars.len()));
    let r = rc.rule.get_untracked();
    every_n(n, r.every, r.sides, r.limit)
}

/// One backtest in slices; `None` when cancelled or invalid (said).
async fn run_one(
    rc: ReplayCtx,
    name: &str,
    theta: Theta,
    entries: Vec<Entry>,
    t0: f64,
) -> Option<Run> {
    let total = entries.len() as f64;
    let mut bt = match Backtest::new(entries, theta, rc.params.get_untracked()) {
        Ok(b) => b,
        Err(e) => {
            rc.say(format!("Theta {name} cannot run: {e}."));
            return None;
        }
    };
    let label = format!("Backtest with theta {name}");
    loop {
        let s0 = now_ms();
        let done = rc
            .series
            .with_value(|s| s.as_ref().map(|s| bt.step(s, || now_ms() - s0 < SLICE_MS)))?;
        progress(rc, &label, bt.next as f64, total, Unit::Trades, t0);
        if done {
            break;
        }
        browser::yield_now().await;
        if cancelled(rc) {
            rc.say("The backtest was cancelled.".to_string());
            return None;
        }
    }
    let report: Report = bt.report();
    Some(Run {
        theta,
        rows: bt.rows,
        report,
    })
}

async fn backtest(rc: ReplayCtx) {
    let t0 = now_ms();
    let e = entries(rc);
    if e.is_empty() {
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
    e.truncate(SWEEP_TRADES);
    if e.is_empty() {
        rc.say("No entries: load prices with more than 257 bars first.".to_string());
        return;
    }
    let (x, y) = rc.axes.get_untracked();
    let base = rc.ctx.state.with_untracked(|s| s.theta);
    let sw = match ThetaSweep::new(x, y, base, e, rc.params.get_untracked()) {
        Ok(s) => s,
        Err(err) => {
            rc.say(format!("The sweep cannot run: {err}."));
            return;
        }
    };
    let total = (sw.total() * sw.entries.len()) as f64;
    rc.sweep.set_value(Some(sw));
    rc.sweep_focus.set(None);
    let label = format!("Sweep of {} × {}", x.field.key(), y.field.key());
    let mut last_paint = now_ms();
    loop {
        let s0 = now_ms();
        let step = rc.series.with_value(|s| {
            s.as_ref().and_then(|s| {
                rc.sweep
                    .try_update_value(|w| {
                        w.as_mut()
                            .map(|w| (w.step(s, || now_ms() - s0 < SLICE_MS), w.trades_done()))
                    })
                    .flatten()
            })
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
