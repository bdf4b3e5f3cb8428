//! The `harvest` command line: `replay`, `propose`, `verify` (and the theta tools).

pub mod args;
mod backtest;
mod diff_theta;
pub mod error;
mod fast_input;
mod fast_json;
mod feed;
mod lines;
mod market_state;
mod policy;
pub mod price_files;
mod publish;
mod publish_market;
mod publish_risk;
mod published;
mod replay;
mod research;
mod serve;
mod services;
mod stops;
mod sweep;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use error::{CliError, CliResult};

use harvest_features::reviewer::published::{looks_published, review_published, Context};
use harvest_features::reviewer::verify::{
    self as review, context_line, csv_row, review_line_in, too_long_row, Counts, Receipt,
    ReviewRow, CSV_HEADER,
};
use harvest_kernel::{propose, HarvestInput, Tolerance, Verdict, KERNEL_VERSION};

pub use fast_json::ProposalWriter;
pub use lines::{for_each_line_parallel, LineStats, MAX_LINE};
pub use stops::stops_line;

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
    /// Walk-forward theta research over one or many price files (or a freqtrade data
    /// directory): per-fold in/out-of-sample, stitched out-of-sample equity, PBO, the deflated
    /// Sharpe ratio, plateau or spike; writes the report (JSON, HTML), the theta and the
    /// policy's harvest_params. `--redis URL` hands the tasks to `--worker` processes.
    Research(research::ResearchArgs),
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
    /// P0.5: publish each symbol's market state (quantum:marketstate:<SYM>) from its candles in
    /// Redis every interval (a service; see deploy/harvest-marketstate.service). Never invents
    /// prices.
    PublishMarket(publish_market::PublishMarketArgs),
    /// P1.5: publish each symbol's risk proposal (quantum:risk:proposal:<SYM>: P1's stop,
    /// take-profit and trailing) from its position and market state in Redis every interval (a
    /// service; see deploy/harvest-risk-proposal.service). Never invents positions.
    PublishRisk(publish_risk::PublishRiskArgs),
    /// Play price files into Redis as a candle cache holds them (one bar per tick at --speed),
    /// with paper positions (a simulation) from an entries file.
    Feed(feed::FeedArgs),
    /// Save the proposals published to Redis (every `quantum:harvest:proposal:*` hash, or the
    /// stream's history) as JSON Lines on stdout, for `harvest verify` and the dashboard's
    /// reviewer. Exit status 2 if Redis cannot be read.
    Snapshot(published::RedisSource),
    /// Serve the built dashboard on 127.0.0.1; with `--redis`, also the published proposals as
    /// a live event stream (/api/live) and the dashboard's Live view.
    Serve(serve::ServeArgs),
    /// The AI policy store's record (`quantum:policy:current`) as P2.5 reads it.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
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
    /// With `--redis`: also write what was read and reviewed as `harvest snapshot` writes it
    /// (verifying that file gives the same verdicts and the same SHA-256).
    #[arg(long, value_name = "FILE", requires = "redis")]
    pub save_snapshot: Option<std::path::PathBuf>,
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

/// Entry point of the `harvest` binary, and its one exit path: a command's [`CliError`] is
/// printed and gives the exit status ([`CliError::exit_code`]).
pub fn main() -> ExitCode {
    let cli = match parse_args() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(m) = e.message() {
                eprintln!("{m}");
            }
            e.exit_code()
        }
    }
}

/// The command line, or the exit status clap gives: help and version printed as clap prints
/// them, an error with every long run of what was given cut to 100 characters (clap quotes a bad
/// argument whole, and an argument can be 128 KB).
fn parse_args() -> Result<Cli, ExitCode> {
    Cli::try_parse().map_err(|e| {
        if e.use_stderr() {
            for line in e.render().to_string().lines() {
                eprintln!("{}", harvest_kernel::echo::clip_message(line));
            }
        } else {
            let _ = e.print();
        }
        ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
    })
}

fn run(cli: Cli) -> CliResult {
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let result = match cli.command {
        Command::Replay { json } => replay::print(&mut out, json).map_err(CliError::from),
        Command::Propose(args) => each_stdin_line(
            "propose",
            &args,
            &mut out,
            |n, line, buf, w: &mut ProposalWriter| propose_line(n, line, buf, w),
        ),
        Command::Verify(args) => verify(&args, &mut out),
        Command::Sweep(args) => sweep::run(&args, &mut out),
        Command::DiffTheta(args) => diff_theta::run(&args, &mut out),
        Command::Theta(cmd) => diff_theta::run_theta(&cmd, &mut out),
        Command::Backtest(args) => backtest::run(&args, &mut out),
        Command::Research(args) => research::run(&args, &mut out),
        Command::MarketState(args) => market_state::run(&args, &mut out),
        Command::Stops(args) => {
            each_stdin_line("stops", &args, &mut out, |n, line, buf, _: &mut ()| {
                stops::stops_line(n, line, buf)
            })
        }
        Command::Publish(args) => publish::run(&args),
        Command::PublishMarket(args) => publish_market::run(&args),
        Command::PublishRisk(args) => publish_risk::run(&args),
        Command::Feed(args) => feed::run(&args),
        Command::Snapshot(src) if src.redis.is_none() => Err(CliError::usage(
            "snapshot",
            "give --redis URL (e.g. redis://127.0.0.1:6379)",
        )),
        Command::Snapshot(src) => published::snapshot(&src, &mut out),
        Command::Serve(args) => serve::run(&args),
        Command::Policy(cmd) => policy::run(&cmd, &mut out),
    };
    // What was written stays written, whatever the command found.
    out.flush()?;
    result
}

/// Runs `work` on every line of standard input (see [`for_each_line_parallel`]) into `out`; a
/// failed line makes the exit code 1 and `harvest <name>: F of N lines failed` on stderr.
fn each_stdin_line<A, F>(
    name: &'static str,
    args: &ParallelArgs,
    out: &mut impl Write,
    work: F,
) -> CliResult
where
    A: Default + Send,
    F: Fn(usize, &[u8], &mut Vec<u8>, &mut A) -> Option<bool> + Sync,
{
    let (stats, _) = for_each_line_parallel(
        io::stdin().lock(),
        out,
        threads(args),
        false,
        MAX_LINE,
        work,
        |line, len, buf, _| {
            let error = too_long(len);
            let _ = serde_json::to_writer(&mut *buf, &LineError { line, error });
            buf.push(b'\n');
            Some(false)
        },
    )?;
    out.flush()?;
    if stats.failed > 0 {
        Err(CliError::found_with(
            name,
            format_args!("{} of {} lines failed", stats.failed, stats.records),
        ))
    } else {
        Ok(())
    }
}

/// Why a line longer than [`MAX_LINE`] was not read.
fn too_long(len: u64) -> String {
    format!("line is {len} bytes, longer than the {MAX_LINE} bytes a line may have; it was skipped")
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
    let bytes = review::line_body(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    // The plain shape of an input is read directly; anything else (and every error) is serde's.
    let mut echo = fast_input::Echo::default();
    let read = fast_input::read(bytes, &mut echo).ok_or(());
    if read.is_err() {
        echo = fast_input::Echo::default();
    }
    let result = match read.or_else(|()| serde_json::from_slice::<HarvestInput>(bytes)) {
        Ok(input) => propose(&input).map_err(|e| e.to_string()),
        Err(_) => Err(match std::str::from_utf8(bytes) {
            Ok(text) => review::parse_json::<HarvestInput>(text)
                .err()
                .map_or_else(|| "invalid JSON".to_string(), |e| e.to_string()),
            Err(e) => format!("not UTF-8 text at column {}", e.valid_up_to() + 1),
        }),
    };
    let ok = match result {
        Ok(p) => writer.write_echo(&p, &echo, out).is_ok(),
        Err(error) => {
            let _ = serde_json::to_writer(&mut *out, &LineError { line, error });
            false
        }
    };
    out.push(b'\n');
    Some(ok)
}

fn verify(args: &VerifyArgs, out: &mut impl Write) -> CliResult {
    let tol = Tolerance {
        abs: args.abs_tol,
        rel: args.rel_tol,
    };
    if !(tol.abs >= 0.0 && tol.rel >= 0.0 && tol.abs.is_finite() && tol.rel.is_finite()) {
        return Err(CliError::usage(
            "verify",
            "--abs-tol and --rel-tol must be finite numbers ≥ 0",
        ));
    }
    let theta = match &args.theta {
        Some(path) => match diff_theta::load_theta(path) {
            Ok(t) => Some(t),
            Err(err) => {
                return Err(CliError::usage(
                    "verify",
                    format_args!("--theta {}: {err}", path.display()),
                ))
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
            (args.receipt.as_deref(), args.save_snapshot.as_deref()),
            out,
        );
    }
    if let Format::Csv = args.format {
        writeln!(out, "{CSV_HEADER}")?;
    }
    let format = args.format;
    let emit = |row: ReviewRow, buf: &mut Vec<u8>, counts: &mut Counts| {
        match format {
            Format::Jsonl => {
                let _ = serde_json::to_writer(&mut *buf, &row);
            }
            Format::Csv => buf.extend_from_slice(csv_row(&row).as_bytes()),
        }
        buf.push(b'\n');
        counts.add(&row);
        matches!(row.verdict, Verdict::Match | Verdict::Computed)
    };
    // A `harvest snapshot` file starts with the policy line: the published records after it are
    // reviewed with the policy in force when it was read (`--theta` overrides it).
    let mut stdin = io::BufReader::with_capacity(1 << 16, io::stdin().lock());
    let mut first = Vec::new();
    // At most a line's worth: a longer first line is no policy line (and is read past below).
    io::BufRead::read_until(
        &mut io::Read::take(&mut stdin, MAX_LINE as u64 + 1),
        b'\n',
        &mut first,
    )?;
    let policy_line = match first.strip_suffix(b"\n") {
        Some(line) => Some(review::line_body(line)),
        None if first.len() <= MAX_LINE => Some(review::line_body(&first)),
        None => None,
    };
    let ctx = match policy_line.and_then(context_line) {
        Some(Ok(c)) => Context {
            in_force: match &theta {
                Some(_) => Context::with_theta(theta.as_ref()).in_force,
                None => c.in_force,
            },
            read_at: c.read_at,
        },
        Some(Err(e)) => {
            eprintln!("harvest verify: line 1: {e}");
            Context::with_theta(theta.as_ref())
        }
        None => Context::with_theta(theta.as_ref()),
    };
    if let Some(t) = ctx.in_force.as_ref().filter(|_| theta.is_none()) {
        eprintln!(
            "harvest verify: records without proposal_json are reviewed with the {}",
            t.describe()
        );
    }
    let (stats, per_thread) = for_each_line_parallel(
        io::Read::chain(io::Cursor::new(first), stdin),
        out,
        threads(&args.parallel),
        true,
        MAX_LINE,
        |n, line, buf, counts: &mut Counts| {
            let line = review::line_body(line);
            // Published records without proposal_json: the policy line's theta or --theta.
            let row = match std::str::from_utf8(line) {
                Ok(text) if looks_published(text) => review_published(n, text, &tol, &ctx),
                _ => review_line_in(n, line, &tol, &ctx)?,
            };
            Some(emit(row, buf, counts))
        },
        |n, len, buf, counts| Some(emit(too_long_row(n, len), buf, counts)),
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
    if receipt.counts.all_good() {
        Ok(())
    } else {
        Err(CliError::found("verify"))
    }
}

#[cfg(test)]
mod propose_cases;

#[cfg(test)]
mod tests {
    use super::*;

    /// What `propose_line` wrote for a line: `ok` when the proposal of plain serde
    /// (`serde_json::from_slice` + `serde_json::to_writer`), the error text for a bad line,
    /// `blank` for a skipped line.
    fn outcome(line: &[u8]) -> String {
        let mut out = Vec::new();
        let mut w = ProposalWriter::default();
        match propose_line(7, line, &mut out, &mut w) {
            None => {
                assert!(out.is_empty());
                "blank".to_string()
            }
            Some(true) => {
                let line = review::line_body(line);
                let input: HarvestInput = serde_json::from_slice(line).unwrap();
                let mut want = serde_json::to_vec(&propose(&input).unwrap()).unwrap();
                want.push(b'\n');
                assert_eq!(
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&want)
                );
                "ok".to_string()
            }
            Some(false) => {
                let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
                assert_eq!(v["line"], 7);
                assert_eq!(out.last(), Some(&b'\n'));
                v["error"].as_str().unwrap().to_string()
            }
        }
    }

    /// Every variant of the good line gives today's output: plain serde's proposal, or this
    /// error text (serde_json's and serde_path_to_error's words, the kernel's), or nothing for a
    /// blank line. Pinned before the fast reader was added; a change here changes what users see.
    #[test]
    fn bad_lines_give_the_pinned_errors() {
        let expected: &[(&str, &str)] = &[
        ("good", "ok"),
        ("crlf", "ok"),
        ("blank", "blank"),
        ("pretty", "ok"),
        ("leading space", "ok"),
        ("trailing space", "ok"),
        ("entry_price string", "position.entry_price: invalid type: string \"2880.9069\", expected f64 at line 1 column 249"),
        ("side number", "position.side: expected value at line 1 column 299"),
        ("side lowercase", "position.side: unknown variant `long`, expected `LONG` or `SHORT` at line 1 column 304"),
        ("side as map", "ok"),
        ("symbol number", "position.symbol: invalid type: integer `5`, expected a string at line 1 column 315"),
        ("symbol null", "position.symbol: invalid type: null, expected a string at line 1 column 318"),
        ("theta array", "ok"),
        ("theta string", "theta: invalid type: string \"x\", expected struct Theta at line 1 column 384"),
        ("theta null", "ok"),
        ("theta empty", "ok"),
        ("theta field null", "theta.lock_R: invalid type: null, expected f64 at line 1 column 395"),
        ("theta field bool", "theta.lock_R: invalid type: boolean `true`, expected f64 at line 1 column 395"),
        ("p1 string", "p1_proposal: invalid type: string \"x\", expected struct P1Proposal at line 1 column 102"),
        ("p1 null", "ok"),
        ("p1 empty", "p1_proposal: missing field `stop_dist_pct` at line 1 column 101"),
        ("p1 zero stop", "ok"),
        ("p1 negative stop", "ok"),
        ("p1 all fields", "ok"),
        ("qty null", "position.qty: invalid type: null, expected f64 at line 1 column 289"),
        ("qty missing", "ok"),
        ("current_sl string", "position.current_sl: invalid type: string \"x\", expected f64 at line 1 column 204"),
        ("current_sl number", "ok"),
        ("no position", "?: EOF while parsing an object at line 1 column 123"),
        ("no side", "position: missing field `side` at line 1 column 358"),
        ("no p_chop", "market_state: missing field `p_chop` at line 1 column 70"),
        ("no symbol", "ok"),
        ("empty object", "missing field `position` at line 1 column 2"),
        ("array", "invalid length 0, expected struct HarvestInput with 4 elements at line 1 column 2"),
        ("null", "invalid type: null, expected struct HarvestInput at line 1 column 4"),
        ("string", "invalid type: string \"s\", expected struct HarvestInput at line 1 column 3"),
        ("number", "invalid type: integer `1`, expected struct HarvestInput at line 1 column 1"),
        ("truncated", "p1_proposal.?: EOF while parsing an object at line 1 column 100"),
        ("unknown top", "ok"),
        ("unknown position", "ok"),
        ("unknown theta", "ok"),
        ("unknown market", "ok"),
        ("unknown nested", "ok"),
        ("unknown bad json", "extra: expected value at line 1 column 13"),
        ("unknown bad number", "extra: invalid number at line 1 column 11"),
        ("unknown NaN", "extra: expected value at line 1 column 10"),
        ("unknown huge", "ok"),
        ("non-UTF-8 symbol", "not UTF-8 text at column 319"),
        ("non-UTF-8 outside", "not UTF-8 text at column 2"),
        ("BOM", "ok"),
        ("NUL byte", "trailing characters after the record: trailing characters at line 1 column 398"),
        ("trailing x", "trailing characters after the record: trailing characters at line 1 column 399"),
        ("trailing object", "trailing characters after the record: trailing characters at line 1 column 398"),
        ("trailing comma", "trailing characters after the record: trailing characters at line 1 column 398"),
        ("trailing comma in object", "theta.?: trailing comma at line 1 column 397"),
        ("missing colon", "position: expected `:` at line 1 column 286"),
        ("single quotes", "position.side: expected value at line 1 column 299"),
        ("NaN", "position.unrealized_pnl: expected value at line 1 column 367"),
        ("nan", "position.unrealized_pnl: expected ident at line 1 column 368"),
        ("Infinity", "position.unrealized_pnl: expected value at line 1 column 367"),
        ("-Infinity", "position.unrealized_pnl: invalid number at line 1 column 368"),
        ("NaN string", "position.unrealized_pnl: invalid type: string \"NaN\", expected f64 at line 1 column 371"),
        ("true", "position.unrealized_pnl: invalid type: boolean `true`, expected f64 at line 1 column 370"),
        ("1e400", "position.unrealized_pnl: number out of range at line 1 column 371"),
        ("-1e400", "position.unrealized_pnl: number out of range at line 1 column 372"),
        ("1e-400", "ok"),
        ("-1e-400", "ok"),
        ("big int", "ok"),
        ("u64 max + 1", "ok"),
        ("u64 max", "ok"),
        ("i64 min", "ok"),
        ("i64 min - 1", "ok"),
        ("-0", "ok"),
        ("-0.0", "ok"),
        ("0", "ok"),
        ("1E2", "ok"),
        ("1e+2", "ok"),
        ("0.5e1", "ok"),
        ("many digits", "ok"),
        ("huge exponent zero", "ok"),
        ("huge exponent", "position.unrealized_pnl: number out of range at line 1 column 378"),
        ("tiny exponent", "ok"),
        ("subnormal", "ok"),
        ("max", "ok"),
        ("over max", "position.unrealized_pnl: number out of range at line 1 column 388"),
        ("leading zero", "position.unrealized_pnl: invalid number at line 1 column 368"),
        ("trailing point", "position.unrealized_pnl: invalid number at line 1 column 370"),
        ("leading point", "position.unrealized_pnl: expected value at line 1 column 367"),
        ("plus", "position.unrealized_pnl: expected value at line 1 column 367"),
        ("lone minus", "position.unrealized_pnl: invalid number at line 1 column 368"),
        ("exponent without digits", "position.unrealized_pnl: invalid number at line 1 column 369"),
        ("double minus", "position.unrealized_pnl: invalid number at line 1 column 368"),
        ("hex", "position.?: expected `,` or `}` at line 1 column 368"),
        ("duplicate position", "duplicate field `position` at line 1 column 407"),
        ("duplicate entry_price", "position: duplicate field `entry_price` at line 1 column 261"),
        ("duplicate theta field", "theta: duplicate field `lock_R` at line 1 column 404"),
        ("duplicate market_state", "market_state: missing field `sigma` at line 1 column 18"),
        ("duplicate unknown", "ok"),
        ("escaped symbol", "ok"),
        ("quote in symbol", "ok"),
        ("escaped key", "ok"),
        ("lone surrogate", "position.symbol: unexpected end of hex escape at line 1 column 322"),
        ("surrogate pair", "ok"),
        ("bad escape", "position.symbol: invalid escape at line 1 column 317"),
        ("raw tab in symbol", "position.symbol: control character (\\u0000-\\u001F) found while parsing a string at line 1 column 319"),
        ("non-ASCII symbol", "ok"),
        ("DEL in symbol", "ok"),
        ("empty symbol", "ok"),
        ("side escaped", "ok"),
        ("entry_price negative", "position.entry_price = -1 is out of range: expected a price > 0"),
        ("p_trend 2", "market_state.p_trend = 2 is out of range: expected a probability in [0, 1]"),
        ("sigma_ref 0", "theta.sigma_ref = 0 is out of range: expected a finite number ≠ 0 (the kernel divides by it)"),
        ("thresholds unordered", "ok"),
        ("u1 overflow", "theta.u1 = 800 is out of range: expected u1 / softmax_temp ≤ 709.782712893384 (exp overflows above; softmax_temp = 1)"),
        ("risk unit overflow", "ok"),
        ];
        let cases = propose_cases::cases();
        assert_eq!(cases.len(), expected.len());
        for ((name, line), (want_name, want)) in cases.iter().zip(expected) {
            assert_eq!(name, want_name);
            assert_eq!(outcome(line), *want, "case {name}");
        }
    }
}
