//! A research job handed to another thread (the page's Web Worker) as text: the request (the
//! settings and each symbol's bars, JSON), what the thread sends back while it works (progress,
//! then every task's result in [`TaskResult::encode`]'s exact text and the report's costly PBO
//! in [`encode_pbo`]'s, or why it could not run), and the report built from those where the
//! request came from — the same report as running the job in place, bit for bit.

use serde::{Deserialize, Serialize};

use super::job::Research;
use super::plan::{ResearchPlan, ResearchSettings, SymbolSeries, TaskResult};
use super::report::{build_report_with, pbo_of, PboFigures, PboReport, ResearchReport};
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
        /// The report's PBO from them ([`encode_pbo`]); without it the report computes it.
        #[serde(default)]
        pbo: Option<String>,
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
    let pbo = pbo_of(&job.plan, &job.results).ok().map(|p| encode_pbo(&p));
    post(&JobMessage::Results {
        results: job.results.iter().map(TaskResult::encode).collect(),
        pbo,
    });
}

/// The report's PBO (or why there is none) as text, every number exact (floats as their bits
/// in hex, as [`TaskResult::encode`] writes them): `ok <7 counts> <pbo> <prob_oos_loss>
/// <median_logit> <histogram, comma-separated>` or `err <why>`.
///
/// ```
/// use harvest_features::research::remote::{decode_pbo, encode_pbo};
/// let none: Result<_, String> = Err("too few trades".to_string());
/// assert_eq!(decode_pbo(&encode_pbo(&none)), Some(none));
/// ```
pub fn encode_pbo(p: &Result<PboReport, String>) -> String {
    let hex = |x: f64| format!("{:x}", x.to_bits());
    match p {
        Err(why) => format!("err {why}"),
        Ok(p) => {
            let f = &p.pbo;
            let hist: Vec<String> = p.logit_histogram.iter().map(usize::to_string).collect();
            format!(
                "ok {} {} {} {} {} {} {} {} {} {} {}",
                f.blocks,
                f.block_len,
                f.rows,
                f.dropped,
                f.incomplete,
                f.strategies,
                f.combinations,
                hex(f.pbo),
                hex(f.prob_oos_loss),
                hex(f.median_logit),
                hist.join(",")
            )
        }
    }
}

/// Reads [`encode_pbo`]'s text; `None` if it is not such text.
pub fn decode_pbo(s: &str) -> Option<Result<PboReport, String>> {
    if let Some(why) = s.strip_prefix("err ") {
        return Some(Err(why.to_string()));
    }
    let w: Vec<&str> = s.strip_prefix("ok ")?.split(' ').collect();
    let [b, bl, rows, dropped, incomplete, strategies, combinations, pbo, loss, median, hist] =
        w.as_slice()
    else {
        return None;
    };
    let n = |t: &str| t.parse::<usize>().ok();
    let x = |t: &str| u64::from_str_radix(t, 16).ok().map(f64::from_bits);
    let logit_histogram = if hist.is_empty() {
        Vec::new()
    } else {
        hist.split(',').map(n).collect::<Option<Vec<_>>>()?
    };
    Some(Ok(PboReport {
        pbo: PboFigures {
            blocks: n(b)?,
            block_len: n(bl)?,
            rows: n(rows)?,
            dropped: n(dropped)?,
            incomplete: n(incomplete)?,
            strategies: n(strategies)?,
            combinations: n(combinations)?,
            pbo: x(pbo)?,
            prob_oos_loss: x(loss)?,
            median_logit: x(median)?,
        },
        logit_histogram,
    }))
}

/// The report of `plan` from the results (and the PBO, if it sent one) a thread sent back.
///
/// # Errors
/// A result or PBO that cannot be read, or the report's error, as text.
pub fn report_of(
    plan: &ResearchPlan,
    results: &[String],
    pbo: Option<&str>,
) -> Result<ResearchReport, String> {
    let results: Vec<TaskResult> = results
        .iter()
        .enumerate()
        .map(|(i, r)| TaskResult::decode(r).ok_or_else(|| format!("result {i} could not be read")))
        .collect::<Result<_, _>>()?;
    let pbo = pbo
        .map(|p| decode_pbo(p).ok_or_else(|| "the PBO could not be read".to_string()))
        .transpose()?;
    build_report_with(plan, &results, pbo).map_err(|e| e.to_string())
}
