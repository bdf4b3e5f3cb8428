//! `harvest backtest`: trades simulated on a price file (P0 → P1 → P2 at every close, see
//! `harvest_features::replay`), JSON Lines per trade on stdout and the summary against the two
//! baselines on stderr; theta B on the same trades; `--sweep` of two theta axes as CSV.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use harvest_features::replay::market::{import_prices, P0Params, MIN_CLOSES};
use harvest_features::replay::sim::states_between;
use harvest_features::replay::{
    compare_ab, entries_at, every_n, parse_entries, Backtest, Entry, Report, Series, Sides,
    SimParams, Summary, SweepAxis, ThetaSweep, TradeRow,
};
use harvest_kernel::Theta;

use crate::args::parse_sides;
use crate::error::{CliError, CliResult, InputError};

/// Options of `backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Price file (CSV: CryptoDataDownload, a header with date/time and OHLC, Binance klines);
    /// `-` or none: stdin.
    pub prices: Option<PathBuf>,
    /// Enter every N bars (from bar 256, the first with a market state).
    #[arg(long, default_value_t = 24, value_name = "N")]
    pub every: usize,
    /// Sides to open at each entry bar: long, short or both.
    #[arg(long, default_value = "long", value_parser = parse_sides)]
    pub side: Sides,
    /// Entries from a file of `time,side` lines instead of --every (time: epoch s or ISO UTC).
    #[arg(long, value_name = "FILE")]
    pub entries: Option<PathBuf>,
    /// At most this many entries (0: all).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub limit: usize,
    /// Theta A: a JSON object of tunables or theta.harvest lines (default: the kernel's defaults).
    #[arg(long, value_name = "FILE")]
    pub theta: Option<PathBuf>,
    /// Theta B, simulated on the same trades (its rows are tagged "B").
    #[arg(long, value_name = "FILE")]
    pub theta_b: Option<PathBuf>,
    /// Bars a trade may stay open; then it closes at that close (marked max_bars).
    #[arg(long, default_value_t = SimParams::default().max_bars, value_name = "N")]
    pub max_bars: usize,
    /// Cost of every fill in basis points.
    #[arg(long, default_value_t = SimParams::default().cost_bps, value_name = "BPS")]
    pub cost_bps: f64,
    /// Only P2's break-even-plus moves the stop (P1's trailing is off).
    #[arg(long)]
    pub no_trail: bool,
    /// Sweep two theta axes (`key=lo:hi:n`, given twice): expectancy per cell as CSV on stdout
    /// instead of the trades.
    #[arg(long, num_args = 1, value_parser = SweepAxis::parse, value_name = "KEY=LO:HI:N")]
    pub sweep: Vec<SweepAxis>,
    /// Also write the summary (JSON) to this file.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
}

/// One JSON line: a trade row tagged with its theta.
#[derive(Serialize)]
struct Line<'a> {
    theta: &'static str,
    #[serde(flatten)]
    row: &'a TradeRow,
}

/// The summary file.
#[derive(Serialize)]
struct SummaryFile<'a> {
    bars: usize,
    entries: usize,
    a: &'a Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    b: Option<&'a Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ab: Option<harvest_features::replay::AbSummary>,
}

fn fail(msg: impl std::fmt::Display) -> CliResult {
    Err(CliError::usage("backtest", msg))
}

fn read(path: &Option<PathBuf>) -> io::Result<String> {
    match path {
        Some(p) if p.as_os_str() != "-" => std::fs::read_to_string(p),
        _ => io::read_to_string(io::stdin()),
    }
}

/// A `--theta` / `--theta-b` file that could not be used: which option, the file and why.
#[derive(Debug, thiserror::Error)]
#[error("{which} {}: {error}", path.display())]
struct ThetaFileError {
    /// `--theta` or `--theta-b`.
    which: &'static str,
    /// The file given.
    path: PathBuf,
    /// Unreadable, or every problem of the strict importer.
    error: InputError,
}

fn theta(path: &Option<PathBuf>, which: &'static str) -> Result<Theta, ThetaFileError> {
    let Some(path) = path else {
        return Ok(Theta::default());
    };
    crate::diff_theta::load_theta(path).map_err(|error| ThetaFileError {
        which,
        path: path.clone(),
        error,
    })
}

/// The market states of every bar, computed on all cores (each state reads only the 257
/// closes up to its bar, so the bars split into independent stretches).
pub fn series_parallel(bars: Vec<harvest_features::replay::market::Bar>) -> Series {
    let mut s = Series::new(bars, P0Params::default());
    let n = s.bars.len();
    let first = MIN_CLOSES - 1;
    if n > first {
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
        let chunk = (n - first).div_ceil(threads).max(1);
        let closes = &s.closes;
        let p0 = s.p0;
        std::thread::scope(|scope| {
            for (k, part) in s.states[first..].chunks_mut(chunk).enumerate() {
                scope.spawn(move || {
                    let a = first + k * chunk;
                    part.copy_from_slice(&states_between(closes, &p0, a, a + part.len()));
                });
            }
        });
    }
    s.computed = n;
    s
}

fn print_summary(name: &str, r: &Report) {
    let line = |label: &str, s: &Summary| {
        eprintln!(
            "  {label:<22} trades {:>5}  win {:>5.1} %  mean {:>7.3} R  median {:>7.3} R  expectancy {:>7.3} R  total {:>8.2} R  max drawdown {:>7.2} R",
            s.trades,
            s.win_rate * 100.0,
            s.mean_r,
            s.median_r,
            s.expectancy,
            s.total_r,
            s.max_drawdown_r
        );
    };
    eprintln!("harvest backtest: theta {name}");
    line("P0+P1+P2 (theta)", &r.theta);
    line("hold to initial stop", &r.hold);
    line("P1 trailing stop alone", &r.trail);
    let hist: Vec<String> = r.theta.histogram.iter().map(usize::to_string).collect();
    eprintln!(
        "  histogram of R (< -3, -3 … 6 by 0.5, ≥ 6): {}",
        hist.join(" ")
    );
    if r.open_end > 0 {
        eprintln!(
            "  {} trades still open at the horizon, closed at its close",
            r.open_end
        );
    }
    for s in r.skipped.iter().take(5) {
        eprintln!("  skipped: {s}");
    }
    if r.skipped.len() > 5 {
        eprintln!("  … and {} more skipped", r.skipped.len() - 5);
    }
}

/// Runs `backtest`. Exit status 2 for unusable input (file, theta, axes), 0 otherwise.
///
/// # Errors
/// I/O errors writing `out`.
pub fn run(args: &BacktestArgs, out: &mut impl Write) -> CliResult {
    let text = match read(&args.prices) {
        Ok(t) => t,
        Err(e) => return fail(format_args!("reading the prices: {e}")),
    };
    let import = match import_prices(&text) {
        Ok(i) => i,
        Err(e) => return fail(format_args!("the price file: {e}")),
    };
    for p in import.problems.iter().take(5) {
        eprintln!("harvest backtest: skipped {p}");
    }
    if import.problems.len() > 5 {
        eprintln!(
            "harvest backtest: … {} lines skipped in all",
            import.problems.len()
        );
    }
    if import.bars.len() < MIN_CLOSES + 1 {
        return fail(format_args!(
            "{} bars: a backtest needs at least {} (P0 needs {} closes before the first entry)",
            import.bars.len(),
            MIN_CLOSES + 1,
            MIN_CLOSES
        ));
    }
    let (a, b) = match (
        theta(&args.theta, "--theta"),
        theta(&args.theta_b, "--theta-b"),
    ) {
        (Ok(a), Ok(b)) => (a, args.theta_b.as_ref().map(|_| b)),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    let params = SimParams {
        cost_bps: args.cost_bps,
        max_bars: args.max_bars,
        trail: !args.no_trail,
        ..SimParams::default()
    };
    if let Err(e) = params.validate() {
        return fail(e);
    }
    if !args.sweep.is_empty() && args.sweep.len() != 2 {
        return fail("--sweep takes exactly two axes (give it twice)");
    }
    let series = series_parallel(import.bars);
    let entries: Vec<Entry> = match &args.entries {
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => return fail(format_args!("--entries {}: {e}", path.display())),
            };
            let (list, bad) = parse_entries(&text);
            for b in &bad {
                eprintln!("harvest backtest: --entries {}: {b}", path.display());
            }
            let (mut e, problems) = entries_at(&series, &list);
            for p in &problems {
                eprintln!("harvest backtest: --entries {}: {p}", path.display());
            }
            if args.limit > 0 {
                e.truncate(args.limit);
            }
            e
        }
        None => every_n(series.bars.len(), args.every, args.side, args.limit),
    };
    if entries.is_empty() {
        return fail("no entries to simulate");
    }
    if let [x, y] = args.sweep[..] {
        let mut sw = match ThetaSweep::new(x, y, a, entries, params) {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        sw.step(&series, || true);
        out.write_all(sw.to_csv().as_bytes())?;
        let invalid = sw.cells.iter().filter(|c| c.summary.is_none()).count();
        eprintln!(
            "harvest backtest: sweep of {} × {} = {} cells on {} trades each{}",
            x.field.key(),
            y.field.key(),
            sw.cells.len(),
            sw.entries.len(),
            if invalid > 0 {
                format!("; {invalid} cells with an invalid theta left empty")
            } else {
                String::new()
            }
        );
        return Ok(());
    }
    let n_entries = entries.len();
    let run_one =
        |theta: Theta| Backtest::new(entries.clone(), theta, params).map(|b| b.run(&series));
    let (rows_a, rep_a) = match run_one(a) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    for row in &rows_a {
        serde_json::to_writer(&mut *out, &Line { theta: "A", row }).map_err(io::Error::other)?;
        out.write_all(b"\n")?;
    }
    let mut b_part = None;
    if let Some(b) = b {
        let (rows_b, rep_b) = match run_one(b) {
            Ok(r) => r,
            Err(e) => return fail(e),
        };
        for row in &rows_b {
            serde_json::to_writer(&mut *out, &Line { theta: "B", row })
                .map_err(io::Error::other)?;
            out.write_all(b"\n")?;
        }
        let ab = compare_ab(&rows_a, &rows_b);
        b_part = Some((rep_b, ab));
    }
    print_summary("A", &rep_a);
    if let Some((rep_b, ab)) = &b_part {
        print_summary("B", rep_b);
        eprintln!(
            "harvest backtest: {}",
            harvest_features::replay::view::ab_sentence(ab)
        );
    }
    if let Some(path) = &args.summary {
        let file = SummaryFile {
            bars: series.bars.len(),
            entries: n_entries,
            a: &rep_a,
            b: b_part.as_ref().map(|(r, _)| r),
            ab: b_part.as_ref().map(|(_, ab)| ab.clone()),
        };
        let json = serde_json::to_string_pretty(&file).map_err(io::Error::other)?;
        std::fs::write(path, json + "\n")?;
    }
    Ok(())
}
