//! A research job in the panel's Web Worker (crates/research-worker, started as
//! `research-worker.js`): the job goes to it as text ([`JobRequest`]), its progress, every
//! task's result and the report's costly PBO come back as text ([`JobMessage`]), and the report
//! is built here from those — the same report, bit for bit, as running the job in the page (the
//! same wasm code on the same inputs).
//! Cancel terminates the worker at once; each run starts a fresh one. A worker that cannot be
//! loaded or stops on an error ends the run with a message in the panel.

use leptos::prelude::*;

use crate::browser::now_ms;
use crate::browser::worker::TextWorker;
use crate::research::context::ResearchCtx;
use harvest_features::format::fmt_count;
use harvest_features::progress::{Progress, Unit};
use harvest_features::research::remote::{report_of, JobMessage, JobRequest, SymbolBars};
use harvest_features::research::ResearchPlan;

/// The worker's script, relative to the page (trunk puts it beside the app, without a hash:
/// index.html's `data-type="worker"` link; the script is crates/research-worker/research-worker.js).
pub const WORKER_URL: &str = "research-worker.js";

/// Starts a job unless one runs here or in the Replay view.
pub fn start(r: ResearchCtx) {
    if r.job.with_untracked(Option::is_some) || r.rc.job.with_untracked(Option::is_some) {
        return;
    }
    r.error.set(None);
    let settings = r.settings();
    // Every loaded symbol, as `harvest research FILE…` takes them.
    let symbols = r.rc.symbol_series();
    if symbols.is_empty() {
        r.error.set(Some(
            "Load prices first (the sample or price files).".to_string(),
        ));
        return;
    }
    let plan = match ResearchPlan::new(settings, symbols) {
        Ok(p) => p,
        Err(e) => {
            r.error.set(Some(format!("The research cannot run: {e}.")));
            return;
        }
    };
    // The worker computes each symbol's market states from its bars (P0's defaults, as the
    // Replay view computed them here) and lays out the same plan.
    let request = JobRequest {
        settings: plan.settings.clone(),
        symbols: plan
            .symbols
            .iter()
            .map(|s| SymbolBars {
                name: s.name.clone(),
                bars: s.series.bars.clone(),
            })
            .collect(),
    };
    let text = match serde_json::to_string(&request) {
        Ok(t) => t,
        Err(e) => {
            r.error.set(Some(format!("The research cannot run: {e}.")));
            return;
        }
    };
    let t0 = now_ms();
    let label = format!(
        "Research: {} folds × {} cells + the base theta",
        plan.folds.folds.len(),
        fmt_count(plan.grid.cells())
    );
    let total = plan.total_trades() as f64;
    let progress = move |done: f64| Progress {
        done,
        cancellable: true,
        ..Progress::new(label.clone(), Unit::Trades, Some(total), t0)
    };
    let run = r.run.get_value() + 1;
    r.run.set_value(run);
    r.job.set(Some(progress(0.0)));
    // Messages of a run that was cancelled (or has ended) are ignored.
    let current = move || r.run.get_value() == run && r.job.with_untracked(Option::is_some);
    let mut plan = Some(plan);
    let on_message = move |text: String| {
        if !current() {
            return;
        }
        match serde_json::from_str::<JobMessage>(&text) {
            Ok(JobMessage::Progress { done, .. }) => r.job.set(Some(progress(done as f64))),
            Ok(JobMessage::Results { results, pbo }) => {
                let report = plan
                    .take()
                    .ok_or_else(|| "results came twice".to_string())
                    .and_then(|p| report_of(&p, &results, pbo.as_deref()));
                match report {
                    Ok(rep) => {
                        r.report.set_value(Some(rep));
                        r.version.update(|v| *v += 1);
                        finish(r, "Done");
                    }
                    Err(e) => {
                        r.error.set(Some(format!("No report: {e}.")));
                        finish(r, "Failed");
                    }
                }
            }
            Ok(JobMessage::Error { message }) => {
                r.error
                    .set(Some(format!("The research could not run: {message}.")));
                finish(r, "Failed");
            }
            Err(e) => {
                r.error.set(Some(format!(
                    "The research worker sent a message that could not be read ({e}): reload the page (an older worker may be cached)."
                )));
                finish(r, "Failed");
            }
        }
        // The worker is idle or done with: free its memory now.
        if !current() {
            r.worker
                .with_value(|w| w.as_ref().map(TextWorker::terminate));
        }
    };
    let on_error = move |why: String| {
        if !current() {
            return;
        }
        r.error.set(Some(format!(
            "The research worker failed: {why}. Run it again; if it fails again, reload the page."
        )));
        finish(r, "Failed");
    };
    let started = TextWorker::start(WORKER_URL, on_message, on_error).and_then(|w| {
        w.post(&text)?;
        Ok(w)
    });
    match started {
        // The last run's worker (terminated already) is dropped here.
        Ok(w) => r.worker.set_value(Some(w)),
        Err(e) => {
            r.error.set(Some(format!(
                "The research worker could not be started: {e}."
            )));
            finish(r, "Failed");
        }
    }
}

/// Cancel: the worker is terminated at once; the panel is ready for the next run.
pub fn cancel(r: ResearchCtx) {
    if r.job.with_untracked(Option::is_none) {
        return;
    }
    r.worker.set_value(None);
    finish(r, "Cancelled");
}

/// Ends the run: `word` and the job's figures as the last line, no job.
fn finish(r: ResearchCtx, word: &str) {
    let line = r.job.with_untracked(|j| {
        j.as_ref()
            .map(|j| format!("{word}: {}: {}", j.label, j.figures(now_ms())))
    });
    r.last.set(line);
    r.job.set(None);
}
