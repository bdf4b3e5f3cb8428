//! `harvest backtest`: trades simulated on a price file (P0 → P1 → P2 at every close, see
//! `harvest_features::replay`), JSON Lines per trade on stdout and the summary against the two
//! baselines on stderr; theta B on the same trades; `--sweep` of two theta axes as CSV.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use harvest_features::replay::market::{import_price_bytes, P0Params, MIN_CLOSES};
use harvest_features::replay::pool::{pool_rows, sweep_csv};
use harvest_features::replay::sim::states_between;
use harvest_features::replay::{
    compare_ab, entries_at, every_n, parse_entries, summarize, AbSummary, Backtest, Entry, Report,
    Series, Sides, SimParams, Summary, SweepAxis, SweepCell, ThetaSweep, TradeRow,
};
use harvest_kernel::Theta;

use crate::args::parse_sides;
use crate::error::{CliError, CliResult, InputError};

/// Options of `backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Price files or folders (CSV: CryptoDataDownload, a header with date/time and OHLC,
    /// Binance klines; freqtrade's json, jsongz and feather); the symbol comes from each file's
    /// name and files of one symbol are merged. `-` or none: stdin.
    pub prices: Vec<PathBuf>,
    /// Only files of this timeframe (e.g. 1h) when a folder has several.
    #[arg(long, value_name = "TF")]
    pub timeframe: Option<String>,
    /// Enter every N bars (from bar 256, the first with a market state).
    #[arg(long, default_value_t = 24, value_name = "N")]
    pub every: usize,
    /// Sides to open at each entry bar: long, short or both.
    #[arg(long, default_value = "long", value_parser = parse_sides)]
    pub side: Sides,
    /// Entries from a file of `time,side` lines instead of --every (time: epoch s or ISO UTC);
    /// with several symbols, the same times on each.
    #[arg(long, value_name = "FILE")]
    pub entries: Option<PathBuf>,
    /// At most this many entries a symbol (0: all).
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
    /// instead of the trades (with several symbols: a `symbol` column, each symbol's cells and
    /// then the pooled ones).
    #[arg(long, num_args = 1, value_parser = SweepAxis::parse, value_name = "KEY=LO:HI:N")]
    pub sweep: Vec<SweepAxis>,
    /// Worker threads of the sweep (default: every core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Also write the summary (JSON) to this file.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
}

/// One JSON line: a trade row tagged with its theta (and its symbol when there are several).
#[derive(Serialize)]
struct Line<'a> {
    theta: &'static str,
    /// With several symbols only (one file's lines stay as they were).
    #[serde(skip_serializing_if = "Option::is_none")]
    symbol: Option<&'a str>,
    #[serde(flatten)]
    row: &'a TradeRow,
}

/// Writes `rows` as JSON lines of theta `theta` (`symbol` with several symbols).
fn write_lines<W: Write + ?Sized>(
    out: &mut W,
    theta: &'static str,
    symbol: Option<&str>,
    rows: &[TradeRow],
) -> io::Result<()> {
    for row in rows {
        serde_json::to_writer(&mut *out, &Line { theta, symbol, row }).map_err(io::Error::other)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One symbol's part of the summary file.
#[derive(Serialize)]
struct SymbolPart<'a> {
    symbol: &'a str,
    bars: usize,
    entries: usize,
    a: Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    b: Option<Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ab: Option<AbSummary>,
}

/// The summary file: the pooled figures (all symbols' trades by entry time), and each
/// symbol's when there are several.
#[derive(Serialize)]
struct SummaryFile<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    symbol: Option<&'a str>,
    bars: usize,
    entries: usize,
    a: &'a Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    b: Option<&'a Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ab: Option<AbSummary>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    per_symbol: Vec<SymbolPart<'a>>,
}

fn fail<T>(msg: impl std::fmt::Display) -> Result<T, CliError> {
    Err(CliError::usage("backtest", msg))
}

/// Why a report's summary cannot be written, if it cannot: the fields whose sums overflowed.
fn not_computable(r: &Report) -> Option<String> {
    let fields: Vec<String> = [("theta", &r.theta), ("hold", &r.hold), ("trail", &r.trail)]
        .into_iter()
        .flat_map(|(part, s)| {
            s.non_finite()
                .into_iter()
                .map(move |(f, v)| format!("{part}.{f} = {}", harvest_features::format::Short(v)))
        })
        .collect();
    (!fields.is_empty()).then(|| {
        format!(
            "the summary is not computable: {} (the trades' R are too large together)",
            fields.join(", ")
        )
    })
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

/// A number of the summary table: `decimals` decimals, or in exponent form (`-4.36e305`) from a
/// million on, so a column never runs to hundreds of digits.
fn cell(v: f64, decimals: usize) -> String {
    use harvest_features::format::{fixed, sci};
    if v.abs() < 1e6 {
        fixed(v, decimals)
    } else {
        sci(v, 2)
    }
}

fn print_summary(name: &str, r: &Report) {
    let line = |label: &str, s: &Summary| {
        eprintln!(
            "  {label:<22} trades {:>5}  win {:>5} %  mean {:>7} R  median {:>7} R  expectancy {:>7} R  total {:>8} R  max drawdown {:>7} R",
            s.trades,
            cell(s.win_rate * 100.0, 1),
            cell(s.mean_r, 3),
            cell(s.median_r, 3),
            cell(s.expectancy, 3),
            cell(s.total_r, 2),
            cell(s.max_drawdown_r, 2)
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

/// One symbol ready to backtest.
struct Sym {
    name: String,
    series: Series,
    entries: Vec<Entry>,
}

/// The symbols of the command line: its files (or stdin), each with its market states and
/// entries; problems on stderr.
///
/// # Errors
/// The prices or the entries file cannot be read, no series is long enough, no entries.
fn symbols(args: &BacktestArgs) -> Result<Vec<Sym>, CliError> {
    let stdin =
        args.prices.is_empty() || (args.prices.len() == 1 && args.prices[0].as_os_str() == "-");
    let loaded: Vec<(String, Vec<harvest_features::replay::market::Bar>)> = if stdin {
        let mut bytes = Vec::new();
        if let Err(e) = io::Read::read_to_end(&mut io::stdin(), &mut bytes) {
            return fail(format_args!("reading the prices: {e}"));
        }
        let import = match import_price_bytes(&bytes) {
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
        vec![("stdin".to_string(), import.bars)]
    } else {
        let prices = &args.prices;
        let syms =
            match crate::price_files::load_saying("backtest", prices, args.timeframe.as_deref(), 5)
            {
                Ok(x) => x,
                Err(e) => return fail(format_args!("reading the prices: {e}")),
            };
        syms.into_iter().map(|s| (s.symbol, s.bars)).collect()
    };
    let entry_list = match &args.entries {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => {
                let (list, bad) = parse_entries(&text);
                for b in &bad {
                    eprintln!("harvest backtest: --entries {}: {b}", path.display());
                }
                Some(list)
            }
            Err(e) => return fail(format_args!("--entries {}: {e}", path.display())),
        },
        None => None,
    };
    let several = loaded.len() > 1;
    let mut out = Vec::new();
    let mut first_short = None;
    for (name, bars) in loaded {
        if bars.len() < MIN_CLOSES + 1 {
            let msg = format!(
                "{}{} bars: a backtest needs at least {} (P0 needs {} closes before the first entry)",
                if several { format!("{name}: ") } else { String::new() },
                bars.len(),
                MIN_CLOSES + 1,
                MIN_CLOSES
            );
            if several {
                eprintln!("harvest backtest: {msg}; left out");
            }
            first_short.get_or_insert(msg);
            continue;
        }
        let series = series_parallel(bars);
        let entries = match (&entry_list, &args.entries) {
            (Some(list), Some(path)) => {
                let (mut e, problems) = entries_at(&series, list);
                for p in &problems {
                    eprintln!(
                        "harvest backtest: --entries {}{}: {p}",
                        path.display(),
                        if several {
                            format!(" ({name})")
                        } else {
                            String::new()
                        }
                    );
                }
                if args.limit > 0 {
                    e.truncate(args.limit);
                }
                e
            }
            _ => every_n(series.bars.len(), args.every, args.side, args.limit),
        };
        out.push(Sym {
            name,
            series,
            entries,
        });
    }
    if out.is_empty() {
        return fail(first_short.unwrap_or_else(|| "no price series".into()));
    }
    if out.iter().all(|s| s.entries.is_empty()) {
        return fail("no entries to simulate");
    }
    Ok(out)
}

/// One symbol's backtest: A's rows and report, and B's with the A/B comparison.
type Part = (
    Vec<TradeRow>,
    Report,
    Option<(Vec<TradeRow>, Report, AbSummary)>,
);

/// R of rows from several symbols pooled by entry time (then symbol order): the one rule the
/// page pools by too ([`pool_rows`]).
fn pooled(parts: &[(&Sym, &[TradeRow])]) -> Vec<TradeRow> {
    pool_rows(&parts.iter().map(|(_, r)| *r).collect::<Vec<_>>())
}

/// Runs `backtest`. Exit status 2 for unusable input (file, theta, axes), 1 when a summary
/// overflows (its fields named), 0 otherwise.
///
/// # Errors
/// I/O errors writing `out`.
pub fn run(args: &BacktestArgs, out: &mut impl Write) -> CliResult {
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
    if let [x, y] = args.sweep[..] {
        if let Err(e) = ThetaSweep::new(x, y, a, Vec::new(), params) {
            return fail(e);
        }
    }
    let syms = symbols(args)?;
    if let [x, y] = args.sweep[..] {
        return sweep(args, &syms, (x, y), a, params, out);
    }
    let run_one = |s: &Sym, theta: Theta| {
        Backtest::new(s.entries.clone(), theta, params).map(|b| b.run(&s.series))
    };
    let several = syms.len() > 1;
    let mut parts: Vec<Part> = Vec::new();
    for s in &syms {
        let (rows_a, rep_a) = match run_one(s, a) {
            Ok(r) => r,
            Err(e) => return fail(e),
        };
        write_lines(&mut *out, "A", several.then_some(s.name.as_str()), &rows_a)?;
        let mut b_part = None;
        if let Some(b) = b {
            let (rows_b, rep_b) = match run_one(s, b) {
                Ok(r) => r,
                Err(e) => return fail(e),
            };
            write_lines(&mut *out, "B", several.then_some(s.name.as_str()), &rows_b)?;
            let ab = compare_ab(&rows_a, &rows_b);
            b_part = Some((rows_b, rep_b, ab));
        }
        parts.push((rows_a, rep_a, b_part));
    }
    // No summary is written with a number that overflowed: the fields are named instead.
    for (s, (_, rep_a, b_part)) in syms.iter().zip(&parts) {
        let reports = std::iter::once(("A", rep_a)).chain(b_part.as_ref().map(|p| ("B", &p.1)));
        for (t, rep) in reports {
            if let Some(e) = not_computable(rep) {
                let on = if several {
                    format!(" on {}", s.name)
                } else {
                    String::new()
                };
                return Err(CliError::found_with(
                    "backtest",
                    format_args!("theta {t}{on}: {e}"),
                ));
            }
        }
    }
    if several {
        for (s, (_, rep_a, b_part)) in syms.iter().zip(&parts) {
            print_summary(&format!("A on {}", s.name), rep_a);
            if let Some((_, rep_b, ab)) = b_part {
                print_summary(&format!("B on {}", s.name), rep_b);
                eprintln!(
                    "harvest backtest: {}: {}",
                    s.name,
                    harvest_features::replay::view::ab_sentence(ab)
                );
            }
        }
    }
    // Pooled: every symbol's trades by entry time.
    let pa = pooled(
        &syms
            .iter()
            .zip(&parts)
            .map(|(s, p)| (s, p.0.as_slice()))
            .collect::<Vec<_>>(),
    );
    let skipped: Vec<String> = syms
        .iter()
        .zip(&parts)
        .flat_map(|(s, p)| {
            p.1.skipped.iter().map(move |x| {
                if several {
                    format!("{}: {x}", s.name)
                } else {
                    x.clone()
                }
            })
        })
        .collect();
    let rep_a = Report::of(&pa, skipped.clone());
    let pooled_b = b.map(|_| {
        let pb = pooled(
            &syms
                .iter()
                .zip(&parts)
                .filter_map(|(s, p)| p.2.as_ref().map(|(rows, _, _)| (s, rows.as_slice())))
                .collect::<Vec<_>>(),
        );
        let ab = compare_ab(&pa, &pb);
        (Report::of(&pb, skipped.clone()), ab)
    });
    let names: Vec<&str> = syms.iter().map(|s| s.name.as_str()).collect();
    let pooled_name = if several {
        format!("A pooled over {}", names.join(", "))
    } else {
        "A".to_string()
    };
    let pooled_reports =
        std::iter::once(("A", &rep_a)).chain(pooled_b.as_ref().map(|(r, _)| ("B", r)));
    for (t, rep) in pooled_reports {
        if let Some(e) = not_computable(rep) {
            return Err(CliError::found_with(
                "backtest",
                format_args!("theta {t}: {e}"),
            ));
        }
    }
    print_summary(&pooled_name, &rep_a);
    if let Some((rep_b, ab)) = &pooled_b {
        print_summary(if several { "B pooled" } else { "B" }, rep_b);
        eprintln!(
            "harvest backtest: {}",
            harvest_features::replay::view::ab_sentence(ab)
        );
    }
    if let Some(path) = &args.summary {
        let per_symbol = if several {
            syms.iter()
                .zip(&parts)
                .map(|(s, (_, rep_a, b_part))| SymbolPart {
                    symbol: &s.name,
                    bars: s.series.bars.len(),
                    entries: s.entries.len(),
                    a: rep_a.clone(),
                    b: b_part.as_ref().map(|p| p.1.clone()),
                    ab: b_part.as_ref().map(|p| p.2.clone()),
                })
                .collect()
        } else {
            Vec::new()
        };
        let file = SummaryFile {
            symbol: (!several).then(|| syms[0].name.as_str()),
            bars: syms.iter().map(|s| s.series.bars.len()).sum(),
            entries: syms.iter().map(|s| s.entries.len()).sum(),
            a: &rep_a,
            b: pooled_b.as_ref().map(|(r, _)| r),
            ab: pooled_b.as_ref().map(|(_, ab)| ab.clone()),
            per_symbol,
        };
        let json = serde_json::to_string_pretty(&file).map_err(io::Error::other)?;
        std::fs::write(path, json + "\n")?;
    }
    Ok(())
}

/// `--sweep`: every cell on every symbol on all cores; the CSV of one symbol as the library
/// writes it, with several a `symbol` column and the pooled cells after each symbol's.
fn sweep(
    args: &BacktestArgs,
    syms: &[Sym],
    (x, y): (SweepAxis, SweepAxis),
    base: Theta,
    params: SimParams,
    out: &mut impl Write,
) -> CliResult {
    use rayon::prelude::*;
    let cells = x.n * y.n;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |t| t.get()))
        .max(1);
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    // The cells need the trades' R only: the baselines do not depend on theta.
    let params = SimParams {
        baselines: false,
        ..params
    };
    // rows[cell][symbol]: None when the cell's theta is invalid.
    let rows: Vec<Vec<Option<Vec<TradeRow>>>> = pool.install(|| {
        (0..cells)
            .into_par_iter()
            .map(|k| {
                let theta = base
                    .with(x.field, x.value(k % x.n))
                    .with(y.field, y.value(k / x.n));
                syms.par_iter()
                    .map(|s| {
                        Backtest::new(s.entries.clone(), theta, params)
                            .ok()
                            .map(|b| b.run(&s.series).0)
                    })
                    .collect()
            })
            .collect()
    });
    // Each symbol's cells and the pooled ones, as the page's sweep lays them out.
    let table = |summaries: Vec<Option<harvest_features::replay::Summary>>| -> Result<ThetaSweep, harvest_features::replay::SimError> {
        let mut sw = ThetaSweep::new(x, y, base, Vec::new(), params)?;
        for (k, summary) in summaries.into_iter().enumerate() {
            sw.cells.push(SweepCell {
                x: x.value(k % x.n),
                y: y.value(k / x.n),
                summary,
            });
        }
        Ok(sw)
    };
    let r_of = |rows: &[TradeRow]| rows.iter().map(|r| r.r).collect::<Vec<f64>>();
    let several = syms.len() > 1;
    let per: Result<Vec<ThetaSweep>, _> = (0..syms.len())
        .map(|j| {
            table(
                rows.iter()
                    .map(|c| c[j].as_deref().map(|r| summarize(&r_of(r))))
                    .collect(),
            )
        })
        .collect();
    let pooled_cells = rows
        .iter()
        .map(|c| {
            if c.iter().any(Option::is_none) {
                return None;
            }
            let parts: Vec<(&Sym, &[TradeRow])> = syms
                .iter()
                .zip(c)
                .map(|(s, r)| (s, r.as_deref().unwrap_or(&[])))
                .collect();
            Some(summarize(&r_of(&pooled(&parts))))
        })
        .collect();
    let names: Vec<String> = syms.iter().map(|s| s.name.clone()).collect();
    let result = per.and_then(|per| {
        table(pooled_cells).map(|pooled| out.write_all(sweep_csv(&names, &per, &pooled).as_bytes()))
    });
    match result {
        Ok(w) => w?,
        Err(e) => return fail(e),
    }
    let invalid = rows
        .iter()
        .filter(|c| c.iter().any(Option::is_none))
        .count();
    let trades: usize = syms.iter().map(|s| s.entries.len()).sum();
    eprintln!(
        "harvest backtest: sweep of {} × {} = {} cells on {} trades each{}{}",
        x.field.key(),
        y.field.key(),
        cells,
        trades,
        if several {
            format!(" ({} symbols, each and pooled)", syms.len())
        } else {
            String::new()
        },
        if invalid > 0 {
            format!("; {invalid} cells with an invalid theta left empty")
        } else {
            String::new()
        }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_features::replay::summarize;

    /// A summary whose sums overflow is refused with the fields named, not written as `null`;
    /// table numbers from a million on are in exponent form.
    #[test]
    fn overflowing_summaries_are_named_and_numbers_stay_short() {
        let huge = summarize(&[1.7e308, 1.7e308, -1.0]);
        let r = Report {
            theta: huge.clone(),
            hold: summarize(&[1.0]),
            trail: huge,
            ..Report::default()
        };
        assert_eq!(
            not_computable(&r).unwrap(),
            "the summary is not computable: theta.total_r = inf, trail.total_r = inf \
             (the trades' R are too large together)"
        );
        assert_eq!(not_computable(&Report::default()), None);
        assert_eq!(cell(-4.361e304, 3), "-4.36e304");
        assert_eq!(cell(999_999.4, 1), "999999.4");
        assert_eq!(cell(-0.2114, 3), "-0.211");
    }
}
