//! A research job handed to another thread (the page's Web Worker) as text: the request (the
//! settings and each symbol's bars, JSON), what the thread sends back while it works (progress,
//! then every task's result in [`TaskResult::encode`]'s exact text, or why it could not run),
//! and the report built from those results where the request came from — the same report as
//! running the job in place, bit for bit.

use serde::{Deserialize, Serialize};

use super::job::Research;
use super::plan::{ResearchPlan, ResearchSettings, SymbolSeries, TaskResult};
use super::report::{build_report, ResearchReport};
use crate::replay::Series;
use harvest_market::{Bar, P0Params};

/// One symbol's prices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SymbolBars {
    /// The symbol.
    pub name: String,
    /// Its bars, in time order.
    pub bars: Vec<Bar>,
}

/// A research job as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRequest {
    /// The settings.
    pub settings: ResearchSettings,
    /// The symbols.
    pub symbols: Vec<SymbolBars>,
}

/// What the job's thread sends back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobMessage {
    /// Trades simulated so far, of how many.
    Progress {
        /// Done.
        done: usize,
        /// In all.
        total: usize,
    },
    /// Every task's result, in task order ([`TaskResult::encode`]).
    Results {
        /// The encoded results.
        results: Vec<String>,
    },
    /// The job could not run.
    Error {
        /// Why.
        message: String,
    },
}

/// The plan of `req`: each symbol's market states computed (P0's defaults, as the page and the
/// CLI compute them), then laid out.
///
/// # Errors
/// The plan's error, as text.
pub fn plan_of(req: &JobRequest) -> Result<ResearchPlan, String> {
    let symbols = req
        .symbols
        .iter()
        .map(|s| SymbolSeries {
            name: s.name.clone(),
            series: Series::with_states(s.bars.clone(), P0Params::default()),
        })
        .collect();
    ResearchPlan::new(req.settings.clone(), symbols).map_err(|e| e.to_string())
}

/// Runs the job of `text` (a [`JobRequest`] as JSON) to the end, sending [`JobMessage`]s to
/// `post`: progress about every `slice_ms` of `now()` (ms), then the results — or one error.
pub fn run_request(
    text: &str,
    now: impl Fn() -> f64,
    slice_ms: f64,
    mut post: impl FnMut(&JobMessage),
) {
    let plan = serde_json::from_str::<JobRequest>(text)
        .map_err(|e| format!("the job could not be read: {e}"))
        .and_then(|req| plan_of(&req));
    let plan = match plan {
        Ok(p) => p,
        Err(message) => return post(&JobMessage::Error { message }),
    };
    let mut job = Research::new(plan);
    loop {
        let s0 = now();
        let done = job.step(|| now() - s0 < slice_ms);
        let p = job.progress();
        post(&JobMessage::Progress {
            done: p.trades_done,
            total: p.trades,
        });
        if done {
            break;
        }
    }
    post(&JobMessage::Results {
        results: job.results.iter().map(TaskResult::encode).collect(),
    });
}

/// The report of `plan` from the results a thread sent back.
///
/// # Errors
/// A result that cannot be read, or the report's error, as text.
pub fn report_of(plan: &ResearchPlan, results: &[String]) -> Result<ResearchReport, String> {
    let results: Vec<TaskResult> = results
        .iter()
        .enumerate()
        .map(|(i, r)| TaskResult::decode(r).ok_or_else(|| format!("result {i} could not be read")))
        .collect::<Result<_, _>>()?;
    build_report(plan, &results).map_err(|e| e.to_string())
}
