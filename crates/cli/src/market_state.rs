//! `harvest market-state [FILE]`: P0's market state for every bar of a price file from the first
//! with 257 closes on, as JSON Lines.

use crate::error::{CliError, CliResult};
use std::io::{self, Read, Write};
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use harvest_market::{
    closes, format_iso, import_price_bytes, market_states, MarketState, P0Params,
};

/// Options of `market-state`.
#[derive(Debug, Args)]
pub struct MarketStateArgs {
    /// Price file (CSV: CryptoDataDownload, a header with time and OHLC columns, or Binance
    /// klines); standard input without it.
    pub file: Option<PathBuf>,
}

/// One output line: the bar's time and close, then its state's fields.
#[derive(Serialize)]
struct Line<'a> {
    time: String,
    close: f64,
    #[serde(flatten)]
    state: &'a MarketState,
}

/// Reads the file (or stdin), reports import problems on stderr with their line numbers and
/// writes one state per bar. Exit status 1 when the file gives no bars or fewer than 257.
///
/// # Errors
/// I/O errors of the output (reading errors are reported and give exit status 2).
pub fn run(args: &MarketStateArgs, out: &mut impl Write) -> CliResult {
    let name = args
        .file
        .as_ref()
        .map_or_else(|| "stdin".to_string(), |p| p.display().to_string());
    let mut bytes = Vec::new();
    let read = match &args.file {
        Some(path) => std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)),
        None => io::stdin().lock().read_to_end(&mut bytes),
    };
    if let Err(e) = read {
        return Err(CliError::usage(
            "market-state",
            format_args!("cannot read {name}: {e}"),
        ));
    }
    let import = match import_price_bytes(&bytes) {
        Ok(i) => i,
        Err(e) => {
            return Err(CliError::found_with(
                "market-state",
                format_args!("{name}: {e}"),
            ));
        }
    };
    for p in &import.problems {
        eprintln!("harvest market-state: {name}: {p}");
    }
    let params = P0Params::default();
    let c = closes(&import.bars);
    let need = params.min_closes();
    if c.len() < need {
        return Err(CliError::found_with(
            "market-state",
            format_args!(
                "{name}: a market state needs {need} closes, the file has {}",
                c.len()
            ),
        ));
    }
    let states = match market_states(&c, &params) {
        Ok(s) => s,
        Err(e) => {
            return Err(CliError::found_with(
                "market-state",
                format_args!("{name}: {e}"),
            ));
        }
    };
    let mut buf = Vec::with_capacity(256);
    for (bar, state) in import.bars.iter().zip(&states) {
        let Some(s) = state else { continue };
        buf.clear();
        let line = Line {
            time: format_iso(bar.time),
            close: bar.close,
            state: s,
        };
        serde_json::to_writer(&mut buf, &line).map_err(io::Error::other)?;
        buf.push(b'\n');
        out.write_all(&buf)?;
    }
    eprintln!(
        "harvest market-state: {name}: {} bars ({}), {} states, {} problem lines",
        import.bars.len(),
        import.format.label(),
        import.bars.len() + 1 - need,
        import.problems.len()
    );
    Ok(())
}
