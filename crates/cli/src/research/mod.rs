//! `harvest research`: walk-forward theta research over one or many price files (see
//! `harvest_features::research`), its tasks on every core (rayon) or over a Redis Stream
//! ([`queue`]: `--redis URL` hands them to `harvest research --worker` processes), and the
//! hand-off files: the report as JSON and as a self-contained HTML page, the chosen theta and
//! the policy's `harvest_params`.

pub mod queue;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use harvest_features::replay::market::Bar;
use harvest_features::replay::{Sides, SweepAxis};
use harvest_features::research::view::{fold_rows, handoff_files, handoff_line};
use harvest_features::research::{
    build_report, Objective, ResearchPlan, ResearchReport, ResearchSettings, Scheme, SymbolSeries,
    TaskResult,
};

use crate::args::parse_sides;
use crate::backtest::series_parallel;
use crate::error::{CliError, CliResult};

/// Options of `research`.
#[derive(Debug, Args)]
pub struct ResearchArgs {
    /// Price files or folders (a freqtrade data directory such as user_data/data/binance/:
    /// json, jsongz and feather; CSV of any layout `backtest` reads). The symbol comes from
    /// each file's name; files of one symbol are merged.
    #[arg(required_unless_present = "worker")]
    pub paths: Vec<PathBuf>,
    /// Only files of this timeframe (e.g. 1h) when a folder has several.
    #[arg(long, value_name = "TF")]
    pub timeframe: Option<String>,
    /// A tunable and its values, `key=lo:hi:n` (1 to 3 of them), e.g.
    /// `--grid kill_threshold=0.4:0.9:10 --grid T1_R=1:4:10`.
    #[arg(long = "grid", value_parser = SweepAxis::parse, value_name = "KEY=LO:HI:N", required_unless_present = "worker")]
    pub grid: Vec<SweepAxis>,
    /// Out-of-sample folds.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub folds: usize,
    /// Segments of a rolling in-sample window (and of the first anchored one).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub train: usize,
    /// rolling (the `train` segments before each fold) or anchored (everything before it).
    #[arg(long, default_value = "rolling", value_parser = parse_scheme)]
    pub scheme: Scheme,
    /// What is optimised in-sample: expectancy, total_r, drawdown or sharpe.
    #[arg(long, default_value = "expectancy", value_parser = parse_objective)]
    pub objective: Objective,
    /// Enter every N bars (from bar 256, the first with a market state).
    #[arg(long, default_value_t = 24, value_name = "N")]
    pub every: usize,
    /// Sides opened at each entry bar: long, short or both.
    #[arg(long, default_value = "both", value_parser = parse_sides)]
    pub side: Sides,
    /// The base theta (the tunables off the grid, and the baseline): JSON or theta.harvest
    /// lines; default the kernel's defaults.
    #[arg(long, value_name = "FILE")]
    pub theta: Option<PathBuf>,
    /// Cost of every fill in basis points.
    #[arg(long, default_value_t = ResearchSettings::default().cost_bps, value_name = "BPS")]
    pub cost_bps: f64,
    /// Bars a trade may stay open (it also closes at the end of its segment).
    #[arg(long, default_value_t = ResearchSettings::default().max_bars, value_name = "N")]
    pub max_bars: usize,
    /// Only P2's break-even-plus moves the stop (P1's trailing is off).
    #[arg(long)]
    pub no_trail: bool,
    /// Blocks of the combinatorially symmetric cross-validation (even; 16 as the paper).
    #[arg(long, default_value_t = 16, value_name = "S")]
    pub cscv_blocks: usize,
    /// Worker threads (default: every core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Write report.json, report.html, theta.json and harvest_params.json into this folder
    /// (created); without it the report's JSON goes to stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Hand the tasks to `harvest research --worker` processes through this Redis (a Stream
    /// with a consumer group) instead of computing them here; with --worker, the Redis to
    /// take tasks from.
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
    /// --redis is a comma-separated list of Redis Cluster seed nodes.
    #[arg(long, requires = "redis")]
    pub cluster: bool,
    /// Be a worker: take tasks from --redis until stopped (SIGINT/SIGTERM).
    #[arg(long, requires = "redis")]
    pub worker: bool,
    /// This worker's consumer name (default: host name and process id).
    #[arg(long, value_name = "NAME", requires = "worker")]
    pub consumer: Option<String>,
    /// A task pending this long with a silent worker is claimed by another (XAUTOCLAIM).
    #[arg(long, default_value_t = 30_000, value_name = "MS")]
    pub claim_after_ms: u64,
    /// With --redis: give up when no task finishes for this long.
    #[arg(long, default_value_t = 600, value_name = "SECONDS")]
    pub wait: u64,
}

fn parse_scheme(s: &str) -> Result<Scheme, String> {
    Scheme::parse(s).ok_or_else(|| format!("`{s}`: expected rolling or anchored"))
}

fn parse_objective(s: &str) -> Result<Objective, String> {
    Objective::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Objective::ALL.iter().map(|o| o.as_str()).collect();
        format!("`{s}`: expected one of {}", all.join(", "))
    })
}

/// A job as the queue carries it: the settings and every symbol's bars (workers on other
/// machines need no files), from which every process lays out the same plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobSpec {
    /// The settings.
    pub settings: ResearchSettings,
    /// Each symbol and its bars.
    pub symbols: Vec<(String, Vec<Bar>)>,
}

impl JobSpec {
    /// The plan (market states computed on every core).
    ///
    /// # Errors
    /// The settings or series are refused.
    pub fn plan(&self) -> Result<ResearchPlan, harvest_features::research::ResearchError> {
        let symbols = self
            .symbols
            .iter()
            .map(|(name, bars)| SymbolSeries {
                name: name.clone(),
                series: series_parallel(bars.clone()),
            })
            .collect();
        ResearchPlan::new(self.settings.clone(), symbols)
    }
}

fn fail<T>(msg: impl std::fmt::Display) -> Result<T, CliError> {
    Err(CliError::usage("research", msg))
}

/// Runs `research` (or a worker).
///
/// # Errors
/// [`CliError::Usage`] (exit status 2) for unusable input or an unreachable Redis; I/O errors
/// writing the output.
pub fn run(args: &ResearchArgs, out: &mut impl Write) -> CliResult {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |t| t.get()))
        .max(1);
    if args.worker {
        let url = args.redis.as_deref().unwrap_or_default();
        return queue::work(
            url,
            args.cluster,
            args.consumer.clone(),
            threads,
            args.claim_after_ms,
        )
        .or_else(|e| fail(format_args!("Redis {}: {e}", queue::redacted(url))));
    }
    let spec = spec_of(args)?;
    let started = Instant::now();
    let plan = match spec.plan() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let tasks = plan.tasks();
    eprintln!(
        "harvest research: {} symbol(s), {} segments, {} folds, {} cells + the base theta, {} trades a column, {} tasks{}",
        plan.symbols.len(),
        plan.folds.segments(),
        plan.folds.folds.len(),
        plan.grid.cells(),
        plan.total_trades() / plan.columns(),
        tasks.len(),
        match &args.redis {
            Some(u) => format!(" over Redis {}", queue::redacted(u)),
            None => format!(" on {threads} thread(s)"),
        }
    );
    let results: Vec<TaskResult> = match &args.redis {
        Some(url) => {
            let wait = std::time::Duration::from_secs(args.wait);
            match queue::coordinate(url, args.cluster, &spec, &plan, wait) {
                Ok(r) => r,
                Err(e) => return fail(e),
            }
        }
        None => {
            let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            pool.install(|| tasks.par_iter().map(|&t| plan.run_task(t)).collect())
        }
    };
    let report = match build_report(&plan, &results) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    print_summary(&report);
    eprintln!(
        "harvest research: done in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    match &args.out {
        Some(dir) => write_out(dir, &report)?,
        None => {
            let json = serde_json::to_string_pretty(&report).map_err(io::Error::other)?;
            out.write_all(json.as_bytes())?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// The job of the command line: the files read, the settings checked.
fn spec_of(args: &ResearchArgs) -> Result<JobSpec, CliError> {
    let bad = |m: String| CliError::usage("research", m);
    let base = match &args.theta {
        None => harvest_kernel::Theta::default(),
        Some(p) => crate::diff_theta::load_theta(p)
            .map_err(|e| bad(format!("--theta {}: {e}", p.display())))?,
    };
    let symbols =
        crate::price_files::load_saying("research", &args.paths, args.timeframe.as_deref(), 3)
            .map_err(|e| bad(e.to_string()))?;
    let settings = ResearchSettings {
        grid: args.grid.clone(),
        folds: args.folds,
        train: args.train,
        scheme: args.scheme,
        objective: args.objective,
        every: args.every,
        sides: args.side,
        base,
        cost_bps: args.cost_bps,
        max_bars: args.max_bars,
        trail: !args.no_trail,
        cscv_blocks: args.cscv_blocks,
    };
    Ok(JobSpec {
        settings,
        symbols: symbols.into_iter().map(|s| (s.symbol, s.bars)).collect(),
    })
}

/// Writes the hand-off files into `dir` (the page's Research panel downloads the same).
fn write_out(dir: &Path, report: &ResearchReport) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in handoff_files(report).map_err(io::Error::other)? {
        std::fs::write(dir.join(name), text)?;
        eprintln!("harvest research: wrote {}", dir.join(name).display());
    }
    Ok(())
}

fn print_summary(r: &ResearchReport) {
    let o = r.settings.objective;
    eprintln!(
        "harvest research: {} on {} ({} scheme, {} trials)",
        o.label(),
        r.symbols
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        r.settings.scheme.as_str(),
        r.trials
    );
    eprintln!(
        "  fold  out of sample                       choice                          IS      OOS   OOS/IS  rank   base OOS  trail OOS"
    );
    for row in fold_rows(r) {
        eprintln!(
            "  {:>4}  {}  {:<30} {:>7} {:>7} {:>7} {:>5}   {:>7}   {:>7}",
            row.fold,
            row.out_of_sample,
            row.choice,
            row.is,
            row.oos,
            row.ratio,
            row.rank,
            row.base,
            row.trail,
        );
    }
    eprintln!("  hand-off: {}", handoff_line(r));
    for v in &r.verdict {
        eprintln!("  {v}");
    }
}
