//! The `harvest` command line: `replay`, `propose`, `verify` (and the theta tools).

pub mod args;
mod backtest;
mod diff_theta;
pub mod error;
mod fast_json;
mod lines;
mod market_state;
mod publish;
mod published;
mod replay;
mod serve;
mod stops;
mod sweep;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use harvest_features::reviewer::published::{looks_published, review_published};
use harvest_features::reviewer::verify::{
    self as review, csv_row, review_line, Counts, Receipt, CSV_HEADER,
};
use harvest_kernel::{propose, HarvestInput, Tolerance, Verdict, KERNEL_VERSION};

pub use fast_json::ProposalWriter;
pub use lines::{for_each_line_parallel, LineStats};

/// Harvest Lab: the P2 harvest kernel on the command line. It proposes; it never trades.
#[derive(Debug, Parser)]
#[command(name = "harvest", version = KERNEL_VERSION, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the spec's 8 replay scenarios and print them as a table (or JSON).
    Replay {
        /// Print JSON (scenarios, inputs, proposals and the spec's expectations) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Read JSON Lines of {position, market_state, p1_proposal?, theta?} on stdin, write one
    /// proposal per line; a bad line gets {"line": N, "error": "..."} and the rest go on.
    /// Exit status 1 if any line failed.
    Propose(ParallelArgs),
    /// Read proposals (with audit) and/or inputs as JSON Lines on stdin, recompute each and write
    /// a verdict per line (MATCH / MISMATCH / INVALID / COMPUTED) with field-level diffs; summary
    /// on stderr. Exit status 1 if anything mismatched or was invalid.
    Verify(VerifyArgs),
    /// Write the action map of two axes as CSV (x, y, action, R_net, kill_score, new_sl).
    Sweep(sweep::SweepArgs),
    /// Read positions as JSON Lines on stdin and report every one whose action, stop or K
    /// trigger changes from theta A to theta B; counts on stderr.
    DiffTheta(diff_theta::DiffThetaArgs),
    /// Simulate trades on a price file (P0 → P1 → P2 at every close): JSON Lines per trade,
    /// the summary against two baselines on stderr; `--sweep` two theta axes as CSV.
    Backtest(backtest::BacktestArgs),
    /// Theta sets: export (JSON or theta.harvest lines) and strict import.
    #[command(subcommand)]
    Theta(diff_theta::ThetaCommand),
    /// P0: read a price file (or stdin) and write the market state of every bar from the first
    /// with 257 closes on, as JSON Lines; import problems on stderr with line numbers.
    MarketState(market_state::MarketStateArgs),
    /// P1: read JSON Lines of {position, market_state, theta?} on stdin, write one stop proposal
    /// per line; a bad line gets {"line": N, "error": "..."}. Exit status 1 if any line failed.
    Stops(ParallelArgs),
    /// P2.5: publish a harvest proposal per symbol to Redis every interval (a service; see
    /// deploy/harvest-proposal.service). Never invents positions.
    Publish(publish::PublishArgs),
    /// Save the proposals published to Redis (every `quantum:harvest:proposal:*` hash, or the
    /// stream's history) as JSON Lines on stdout, for `harvest verify` and the dashboard's
    /// reviewer. Exit status 2 if Redis cannot be read.
    Snapshot(published::RedisSource),
    /// Serve the built dashboard on 127.0.0.1; with `--redis`, also the published proposals as
    /// a live event stream (/api/live) and the dashboard's Live view.
    Serve(serve::ServeArgs),
}

/// Options of the line-parallel commands.
#[derive(Debug, Args)]
pub struct ParallelArgs {
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Options of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Absolute tolerance of numeric comparisons.
    #[arg(long, default_value_t = Tolerance::default().abs)]
    pub abs_tol: f64,
    /// Relative tolerance of numeric comparisons.
    #[arg(long, default_value_t = Tolerance::default().rel)]
    pub rel_tol: f64,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Also write the summary receipt (JSON) to this file.
    #[arg(long)]
    pub receipt: Option<std::path::PathBuf>,
    /// Theta for published records without `proposal_json` (JSON or theta.harvest lines;
    /// default: the defaults).
    #[arg(long, value_name = "FILE")]
    pub theta: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub source: published::RedisSource,
    #[command(flatten)]
    pub parallel: ParallelArgs,
}

/// Output format of `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per record.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// Entry point of the `harvest` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("harvest: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> io::Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let code = match cli.command {
        Command::Replay { json } => {
            replay::print(&mut out, json)?;
            ExitCode::SUCCESS
        }
        Command::Propose(args) => each_stdin_line(
            "propose",
            &args,
            &mut out,
            |n, line, buf, w: &mut ProposalWriter| propose_line(n, line, buf, w),
        )?,
        Command::Verify(args) => verify(&args, &mut out)?,
        Command::Sweep(args) => sweep::run(&args, &mut out)?,
        Command::DiffTheta(args) => diff_theta::run(&args, &mut out)?,
        Command::Theta(cmd) => diff_theta::run_theta(&cmd, &mut out)?,
        Command::Backtest(args) => backtest::run(&args, &mut out)?,
        Command::MarketState(args) => market_state::run(&args, &mut out)?,
        Command::Stops(args) => {
            each_stdin_line("stops", &args, &mut out, |n, line, buf, _: &mut ()| {
                stops::stops_line(n, line, buf)
            })?
        }
        Command::Publish(args) => publish::run(&args),
        Command::Snapshot(src) if src.redis.is_none() => {
            eprintln!("harvest snapshot: give --redis URL (e.g. redis://127.0.0.1:6379)");
            ExitCode::from(2)
        }
        Command::Snapshot(src) => published::snapshot(&src, &mut out)?,
        Command::Serve(args) => serve::run(&args)?,
    };
    out.flush()?;
    Ok(code)
}

/// Runs `work` on every line of standard input (see [`for_each_line_parallel`]) into `out`; a
/// failed line makes the exit code 1 and `harvest <name>: F of N lines failed` on stderr.
fn each_stdin_line<A, F>(
    name: &str,
    args: &ParallelArgs,
    out: &mut impl Write,
    work: F,
) -> io::Result<ExitCode>
where
    A: Default + Send,
    F: Fn(usize, &[u8], &mut Vec<u8>, &mut A) -> Option<bool> + Sync,
{
    let (stats, _) = for_each_line_parallel(io::stdin().lock(), out, threads(args), false, work)?;
    out.flush()?;
    if stats.failed > 0 {
        eprintln!(
            "harvest {name}: {} of {} lines failed",
            stats.failed, stats.records
        );
        Ok(ExitCode::FAILURE)
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

fn threads(args: &ParallelArgs) -> usize {
    args.threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

/// The output line for an input line that could not be proposed.
#[derive(serde::Serialize)]
struct LineError {
    line: usize,
    error: String,
}

/// Proposes one input line into `out`; `Some(true)` on success, `Some(false)` on a bad line
/// (an error object is written), `None` for a blank line.
pub fn propose_line(
    line: usize,
    bytes: &[u8],
    out: &mut Vec<u8>,
    writer: &mut ProposalWriter,
) -> Option<bool> {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let result = match serde_json::from_slice::<HarvestInput>(bytes) {
        Ok(input) => propose(&input).map_err(|e| e.to_string()),
        Err(_) => Err(match std::str::from_utf8(bytes) {
            Ok(text) => review::parse_json::<HarvestInput>(text)
                .err()
                .map_or_else(|| "invalid JSON".to_string(), |e| e.to_string()),
            Err(e) => format!("not UTF-8 text at column {}", e.valid_up_to() + 1),
        }),
    };
    let ok = match result {
        Ok(p) => writer.write(&p, out).is_ok(),
        Err(error) => {
            let _ = serde_json::to_writer(&mut *out, &LineError { line, error });
            false
        }
    };
    out.push(b'\n');
    Some(ok)
}

fn verify(args: &VerifyArgs, out: &mut impl Write) -> io::Result<ExitCode> {
    let tol = Tolerance {
        abs: args.abs_tol,
        rel: args.rel_tol,
    };
    if !(tol.abs >= 0.0 && tol.rel >= 0.0 && tol.abs.is_finite() && tol.rel.is_finite()) {
        eprintln!("harvest verify: --abs-tol and --rel-tol must be finite numbers ≥ 0");
        return Ok(ExitCode::from(2));
    }
    let theta = match &args.theta {
        Some(path) => match diff_theta::load_theta(path) {
            Ok(t) => Some(t),
            Err(err) => {
                eprintln!("harvest verify: --theta {}: {err}", path.display());
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    if args.source.redis.is_some() {
        return published::verify(
            &args.source,
            tol,
            theta.as_ref(),
            args.format,
            args.receipt.as_deref(),
            out,
        );
    }
    if let Format::Csv = args.format {
        writeln!(out, "{CSV_HEADER}")?;
    }
    let format = args.format;
    let (stats, per_thread) = for_each_line_parallel(
        io::stdin().lock(),
        out,
        threads(&args.parallel),
        true,
        |n, line, buf, counts: &mut Counts| {
            // Published records without proposal_json use --theta (review_line: the defaults).
            let row = match (&theta, std::str::from_utf8(line)) {
                (Some(t), Ok(text)) if looks_published(text) => {
                    review_published(n, text.trim_end_matches('\r'), &tol, Some(t))
                }
                _ => review_line(n, line, &tol)?,
            };
            match format {
                Format::Jsonl => {
                    let _ = serde_json::to_writer(&mut *buf, &row);
                }
                Format::Csv => buf.extend_from_slice(csv_row(&row).as_bytes()),
            }
            buf.push(b'\n');
            counts.add(&row);
            Some(matches!(row.verdict, Verdict::Match | Verdict::Computed))
        },
    )?;
    let mut counts = Counts::default();
    for c in per_thread {
        counts.merge(c);
    }
    let receipt = Receipt::new(tol, stats.sha256, stats.bytes, stats.lines, counts);
    eprintln!("harvest verify: {}", receipt.summary_line());
    if let Some(path) = &args.receipt {
        let json = serde_json::to_string_pretty(&receipt).map_err(io::Error::other)?;
        std::fs::write(path, json + "\n")?;
    }
    Ok(if receipt.counts.all_good() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
