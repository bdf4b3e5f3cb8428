//! The Research panel's Web Worker (crates/web/src/research/job.rs starts it through
//! `research-worker.js`): `run(job)` takes a research job as text ([`JobRequest`] as JSON), runs it to
//! the end and posts [`JobMessage`]s as JSON text back to the page: progress every
//! [`SLICE_MS`] of work, then every task's result — or one error. The page cancels a job by
//! terminating the worker, so the job needs no cancel check of its own.
//!
//! [`JobRequest`]: harvest_features::research::remote::JobRequest

use harvest_features::research::remote::{run_request, JobMessage};

/// Work between two progress messages, ms: the page's progress card moves ten times a second.
pub const SLICE_MS: f64 = 100.0;

/// The message `m` as the page reads it.
fn message_text(m: &JobMessage) -> String {
    serde_json::to_string(m).unwrap_or_else(|e| {
        serde_json::json!({ "kind": "error", "message": format!("the worker could not write a message: {e}") })
            .to_string()
    })
}

/// Runs the job of `job` (text) with `now` (ms) as its clock, handing each message's text to
/// `post`.
pub fn run_job(job: &str, now: impl Fn() -> f64, mut post: impl FnMut(String)) {
    run_request(job, now, SLICE_MS, |m| post(message_text(m)));
}

#[cfg(target_arch = "wasm32")]
mod web {
    use wasm_bindgen::prelude::*;
    use web_sys::DedicatedWorkerGlobalScope;

    /// The entry research-worker.js calls for each job the page posts.
    #[wasm_bindgen]
    pub fn run(job: &str) {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let perf = scope.performance();
        super::run_job(
            job,
            || perf.as_ref().map_or_else(js_sys::Date::now, |p| p.now()),
            |text| {
                // Only fails once the page has terminated the worker: nobody is listening.
                let _ = scope.post_message(&JsValue::from_str(&text));
            },
        );
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("harvest-research-worker runs in the browser, started by the dashboard's Research panel; natively, `harvest research` does the same job on every core.");
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_features::replay::SweepAxis;
    use harvest_features::research::remote::{JobMessage, JobRequest, SymbolBars};
    use harvest_features::research::ResearchSettings;
    use harvest_market::Bar;

    /// Hourly bars on two waves.
    fn bars(n: usize) -> Vec<Bar> {
        (0..n)
            .map(|i| {
                let t = i as f64;
                let c = 100.0 * (1.0 + 0.08 * (t / 55.0).sin() + 0.03 * (t / 13.0).sin());
                Bar {
                    time: 1_500_000_000 + 3600 * i as i64,
                    open: c,
                    high: c * 1.004,
                    low: c * 0.996,
                    close: c,
                    volume: None,
                }
            })
            .collect()
    }

    #[test]
    fn a_job_posts_progress_then_every_result_as_text() {
        let req = JobRequest {
            settings: ResearchSettings {
                grid: vec![SweepAxis::parse("kill_threshold=0.4:0.8:2").unwrap()],
                folds: 2,
                every: 24,
                max_bars: 200,
                cscv_blocks: 4,
                ..ResearchSettings::default()
            },
            symbols: vec![SymbolBars {
                name: "A".into(),
                bars: bars(1500),
            }],
        };
        let clock = std::cell::Cell::new(0.0);
        let mut got = Vec::new();
        run_job(
            &serde_json::to_string(&req).unwrap(),
            || {
                clock.set(clock.get() + 10.0);
                clock.get()
            },
            |t| got.push(serde_json::from_str::<JobMessage>(&t).unwrap()),
        );
        let (last, progress) = got.split_last().unwrap();
        let JobMessage::Results { results, pbo } = last else {
            panic!("{last:?}")
        };
        assert!(!progress.is_empty());
        let Some(JobMessage::Progress { done, total }) = progress.last() else {
            panic!("{progress:?}")
        };
        assert_eq!(done, total);
        let plan = harvest_features::research::remote::plan_of(&req).unwrap();
        assert_eq!(results.len(), plan.tasks().len());
        harvest_features::research::remote::report_of(&plan, results, pbo.as_deref()).unwrap();
    }

    #[test]
    fn a_bad_job_is_one_error_message() {
        let mut got = Vec::new();
        run_job("{not json", || 0.0, |t| got.push(t));
        assert_eq!(got.len(), 1);
        let m: JobMessage = serde_json::from_str(&got[0]).unwrap();
        let JobMessage::Error { message } = m else {
            panic!("{m:?}")
        };
        assert!(
            message.starts_with("the job could not be read: "),
            "{message}"
        );
    }
}
