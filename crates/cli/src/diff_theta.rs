//! Theta files on the command line: `harvest diff-theta A B < positions.jsonl` and
//! `harvest theta export|import`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};

use super::{for_each_line_parallel, threads, ParallelArgs, MAX_LINE};
use crate::error::{CliError, CliResult, InputError};
use harvest_features::format::format_sig;
use harvest_features::reviewer::verify::parse_json;
use harvest_features::theta::{export_theta, import_theta, ThetaFormat};
use harvest_features::tuning::{compare_position, theta_changes, AbCounts, Outcome};
use harvest_kernel::{HarvestInput, MarketState, P1Proposal, Position, Theta};

/// Options of `diff-theta`.
#[derive(Debug, Args)]
pub struct DiffThetaArgs {
    /// Theta A: a JSON object of tunables or `theta.harvest.<key>=<value>` lines (detected).
    pub a: PathBuf,
    /// Theta B, in either format.
    pub b: PathBuf,
    #[command(flatten)]
    pub parallel: ParallelArgs,
}

/// `theta` subcommands.
#[derive(Debug, Subcommand)]
pub enum ThetaCommand {
    /// Write a theta set: the defaults, or FILE (either format, validated) converted.
    Export {
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: FormatArg,
        /// Theta file to convert (default: the kernel's defaults).
        file: Option<PathBuf>,
    },
    /// Validate a theta file strictly and print it as normalized JSON (all 22 keys; missing keys
    /// take the defaults). Every problem is listed on stderr; exit status 1 if refused.
    Import {
        /// Theta file (JSON or theta.harvest lines; `-`: stdin).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: FormatArg,
    },
}

/// Theta file format on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// A JSON object with the kernel's keys.
    Json,
    /// `theta.harvest.<key>=<value>` lines.
    Lines,
    /// The AI policy store's `harvest_params` JSON (the 21 tunables P2.5 takes from a policy;
    /// `fallback_stop_pct` is the publisher's own setting). For the policy's author: Harvest Lab
    /// never writes the policy store.
    Policy,
}

impl From<FormatArg> for ThetaFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Json => ThetaFormat::Json,
            FormatArg::Lines => ThetaFormat::Lines,
            FormatArg::Policy => ThetaFormat::Policy,
        }
    }
}

/// Reads a theta file (`-`: stdin) strictly.
pub(crate) fn load_theta(path: &Path) -> Result<Theta, InputError> {
    let text = if path.as_os_str() == "-" {
        io::read_to_string(io::stdin())?
    } else {
        std::fs::read_to_string(path)?
    };
    import_theta(&text).map_err(InputError::Theta)
}

/// Loads both thetas.
///
/// # Errors
/// Every problem of both files, one a line (`theta A (<file>): <problem>`).
fn load_pair(cmd: &'static str, a: &Path, b: &Path) -> Result<(Theta, Theta), CliError> {
    let mut problems = Vec::new();
    let mut load = |name: &str, path: &Path| match load_theta(path) {
        Ok(t) => Some(t),
        Err(e) => {
            for m in e.lines() {
                problems.push(format!("theta {name} ({}): {m}", path.display()));
            }
            None
        }
    };
    let (ta, tb) = (load("A", a), load("B", b));
    match ta.zip(tb) {
        Some(pair) if problems.is_empty() => Ok(pair),
        _ => Err(CliError::usage(cmd, problems.join("\n"))),
    }
}

/// A proposal line: its audit carries the inputs.
#[derive(Deserialize)]
struct ProposalRecord {
    audit: AuditInputs,
}

#[derive(Deserialize)]
struct AuditInputs {
    position: Position,
    market_state: MarketState,
    #[serde(default)]
    p1_proposal: Option<P1Proposal>,
}

/// Reads one line as an input record, or as a proposal (its audit's inputs).
fn read_position(bytes: &[u8]) -> Result<HarvestInput, InputError> {
    if let Ok(input) = serde_json::from_slice::<HarvestInput>(bytes) {
        return Ok(input);
    }
    let text = std::str::from_utf8(bytes)?;
    Ok(if text.contains("\"audit\"") {
        parse_json::<ProposalRecord>(text).map(|p| HarvestInput {
            position: p.audit.position,
            market_state: p.audit.market_state,
            p1_proposal: p.audit.p1_proposal,
            theta: None,
        })?
    } else {
        parse_json::<HarvestInput>(text)?
    })
}

/// The output line of a position whose outcome changes.
#[derive(Serialize)]
struct ChangedLine<'a> {
    line: usize,
    symbol: &'a str,
    changes: Vec<&'static str>,
    a: &'a Outcome,
    b: &'a Outcome,
}

/// The output line of a line that could not be compared.
#[derive(Serialize)]
struct LineError {
    line: usize,
    error: String,
}

/// Runs `diff-theta`: one JSON line per changed position on `out`, the summary on stderr.
/// Exit status 0; 1 if any line was unreadable or rejected; 2 if a theta file is refused.
///
/// # Errors
/// I/O errors of stdin or `out`.
pub fn run(args: &DiffThetaArgs, out: &mut impl Write) -> CliResult {
    let (a, b) = load_pair("diff-theta", &args.a, &args.b)?;
    let (stats, per_thread) = for_each_line_parallel(
        io::stdin().lock(),
        out,
        threads(&args.parallel),
        false,
        MAX_LINE,
        |n, bytes, buf, acc: &mut AbCounts| {
            let bytes = harvest_features::reviewer::verify::line_body(bytes);
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return None;
            }
            let result =
                read_position(bytes).and_then(|input| Ok(compare_position(&input, &a, &b)?));
            match result {
                Ok(d) => {
                    acc.add(&d);
                    if d.changed() {
                        let line = ChangedLine {
                            line: n,
                            symbol: &d.symbol,
                            changes: d.kinds(),
                            a: &d.a,
                            b: &d.b,
                        };
                        let _ = serde_json::to_writer(&mut *buf, &line);
                        buf.push(b'\n');
                    }
                    Some(true)
                }
                Err(error) => {
                    acc.invalid += 1;
                    let _ = serde_json::to_writer(
                        &mut *buf,
                        &LineError {
                            line: n,
                            error: error.to_string(),
                        },
                    );
                    buf.push(b'\n');
                    Some(false)
                }
            }
        },
        |line, len, buf, acc| {
            acc.invalid += 1;
            let error = super::too_long(len);
            let _ = serde_json::to_writer(&mut *buf, &LineError { line, error });
            buf.push(b'\n');
            Some(false)
        },
    )?;
    out.flush()?;
    let mut counts = AbCounts::default();
    for c in &per_thread {
        counts.merge(c);
    }
    let diff = theta_changes(&a, &b);
    if diff.is_empty() {
        eprintln!("harvest diff-theta: theta A and theta B are identical");
    } else {
        let fields: Vec<String> = diff
            .iter()
            .map(|c| format!("{} {} → {}", c.key, format_sig(c.a, 6), format_sig(c.b, 6)))
            .collect();
        eprintln!(
            "harvest diff-theta: B differs from A in {} tunable{}: {}",
            diff.len(),
            if diff.len() == 1 { "" } else { "s" },
            fields.join(", ")
        );
    }
    for line in counts.summary() {
        eprintln!("harvest diff-theta: {line}");
    }
    if stats.failed > 0 {
        Err(CliError::found("diff-theta"))
    } else {
        Ok(())
    }
}

/// Runs a `theta` subcommand.
///
/// # Errors
/// I/O errors writing `out`.
pub fn run_theta(cmd: &ThetaCommand, out: &mut impl Write) -> CliResult {
    let (file, format, import) = match cmd {
        ThetaCommand::Export { format, file } => (file.as_deref(), *format, false),
        ThetaCommand::Import { file, format } => (Some(file.as_path()), *format, true),
    };
    let theta = match file {
        None => Theta::default(),
        Some(path) => match load_theta(path) {
            Ok(t) => t,
            Err(e) => {
                // Every problem, then the verdict; a refused import is what `import` checks
                // (exit status 1), a refused file to export is a bad option (2).
                let msgs = e.lines();
                let mut lines: Vec<String> = msgs
                    .iter()
                    .map(|m| format!("{}: {m}", path.display()))
                    .collect();
                lines.push(format!(
                    "{}: refused ({} problem{})",
                    path.display(),
                    msgs.len(),
                    if msgs.len() == 1 { "" } else { "s" }
                ));
                let text = lines.join("\n");
                return Err(if import {
                    CliError::found_with("theta", text)
                } else {
                    CliError::usage("theta", text)
                });
            }
        },
    };
    out.write_all(export_theta(&theta, format.into()).as_bytes())?;
    Ok(())
}
