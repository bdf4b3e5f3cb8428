//! A research job in slices of [`SLICE_MS`] with a yield to the browser between them (the page
//! keeps painting; Cancel is honoured at the next slice): the plan over the loaded prices, the
//! stepper, then the report.

use leptos::prelude::*;

use crate::browser::{self, now_ms, SLICE_MS};
use crate::research::context::ResearchCtx;
use harvest_features::format::fmt_count;
use harvest_features::progress::{Progress, Unit};
use harvest_features::research::{Research, ResearchPlan};

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
    let t0 = now_ms();
    let label = format!(
        "Research: {} folds × {} cells + the base theta",
        plan.folds.folds.len(),
        fmt_count(plan.grid.cells())
    );
    let total = plan.total_trades() as f64;
    r.cancel.set_value(false);
    r.job.set(Some(Progress {
        cancellable: true,
        ..Progress::new(label.clone(), Unit::Trades, Some(total), t0)
    }));
    leptos::task::spawn_local(async move {
        let mut job = Research::new(plan);
        let word = loop {
            let s0 = now_ms();
            let done = job.step(|| now_ms() - s0 < SLICE_MS);
            let p = job.progress();
            r.job.set(Some(Progress {
                done: p.trades_done as f64,
                cancellable: true,
                ..Progress::new(label.clone(), Unit::Trades, Some(total), t0)
            }));
            if done {
                break "Done";
            }
            browser::yield_now().await;
            if r.cancel.get_value() {
                break "Cancelled";
            }
        };
        if word == "Done" {
            match job.report() {
                Ok(rep) => {
                    r.report.set_value(Some(rep));
                    r.version.update(|v| *v += 1);
                }
                Err(e) => r.error.set(Some(format!("No report: {e}."))),
            }
        }
        let line = r.job.with_untracked(|j| {
            j.as_ref()
                .map(|j| format!("{word}: {}: {}", j.label, j.figures(now_ms())))
        });
        r.last.set(line);
        r.job.set(None);
    });
}
