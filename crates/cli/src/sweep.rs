//! `harvest sweep`: the action map of two axes as CSV, for offline analysis.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use crate::args::{parse_axis, parse_grid_side, parse_range};
use crate::error::{CliError, CliResult, InputError};
use harvest_features::charts::ActionMapSpec;
use harvest_features::reviewer::verify::parse_json;
use harvest_features::tuning::{sweep, Sweep};
use harvest_kernel::{propose, Axis, HarvestInput};

/// Options of `sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Horizontal axis: pnl, p_trend, sigma, ts, age_sec, or a theta key (e.g. kill_threshold).
    #[arg(long, value_parser = parse_axis, value_name = "AXIS")]
    pub x: Axis,
    /// Vertical axis (same names as --x, and a different one).
    #[arg(long, value_parser = parse_axis, value_name = "AXIS")]
    pub y: Axis,
    /// Range of x as A:B with A < B (default: the axis's explored domain around the base point).
    #[arg(long, value_parser = parse_range, allow_hyphen_values = true, value_name = "A:B")]
    pub x_range: Option<(f64, f64)>,
    /// Range of y as A:B with A < B (default: the axis's explored domain around the base point).
    #[arg(long, value_parser = parse_range, allow_hyphen_values = true, value_name = "A:B")]
    pub y_range: Option<(f64, f64)>,
    /// Columns (2 to 1024).
    #[arg(long, default_value = "50", value_parser = parse_grid_side, value_name = "N")]
    pub nx: usize,
    /// Rows (2 to 1024).
    #[arg(long, default_value = "50", value_parser = parse_grid_side, value_name = "N")]
    pub ny: usize,
    /// Base point: a JSON file {position, market_state, p1_proposal?, theta?} (`-`: stdin);
    /// default: the replay baseline (LONG at 100, SL 99, 1 h, PnL 0, σ 0.01, default theta).
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
}

/// Runs `sweep`: CSV on `out` (header, then one row per cell, bottom row first), a one-line
/// summary on stderr. Exit status 2 when the axes or the base point are unusable.
///
/// # Errors
/// I/O errors writing `out`.
pub fn run(args: &SweepArgs, out: &mut impl Write) -> CliResult {
    if args.x == args.y {
        return Err(CliError::usage(
            "sweep",
            format_args!(
                "--x and --y must be different axes (both are {})",
                args.x.key()
            ),
        ));
    }
    let input = match &args.input {
        Some(path) => match load_input(path) {
            Ok(input) => input,
            Err(e) => {
                return Err(CliError::usage(
                    "sweep",
                    format_args!("--input {}: {e}", path.display()),
                ));
            }
        },
        None => HarvestInput::default(),
    };
    let mut spec = ActionMapSpec::around(&input, args.x, args.y, args.nx, args.ny);
    if let Some(r) = args.x_range {
        spec.x_range = r;
    }
    if let Some(r) = args.y_range {
        spec.y_range = r;
    }
    let s = sweep(&input, spec);
    writeln!(out, "{}", s.csv_header())?;
    for row in s.rows() {
        writeln!(out, "{}", Sweep::csv_row(&row))?;
    }
    let sp = s.map.spec;
    let counts: Vec<String> = harvest_kernel::HarvestAction::ALL
        .into_iter()
        .zip(s.map.counts)
        .filter(|(_, n)| *n > 0)
        .map(|(a, n)| format!("{a} {n}"))
        .collect();
    eprintln!(
        "harvest sweep: {} cells, {} {} … {} ({}) × {} {} … {} ({}); {}",
        s.map.cells.len(),
        sp.x.key(),
        sp.x_range.0,
        sp.x_range.1,
        sp.nx,
        sp.y.key(),
        sp.y_range.0,
        sp.y_range.1,
        sp.ny,
        counts.join(", ")
    );
    Ok(())
}

/// Reads and checks the base point: JSON with paths in errors, then the kernel's validation.
fn load_input(path: &Path) -> Result<HarvestInput, InputError> {
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        io::stdin().read_to_string(&mut s)?;
        s
    } else {
        std::fs::read_to_string(path)?
    };
    let input: HarvestInput = parse_json(text.trim_start_matches('\u{feff}'))?;
    propose(&input)?;
    Ok(input)
}
