//! `harvest stops`: P1's stop, take-profit and trailing stop for each JSON line
//! `{"position": …, "market_state": …, "theta": …}` on stdin.

use serde::Deserialize;

use harvest_features::reviewer::verify as review;
use harvest_kernel::Side;
use harvest_market::{propose_stops, MarketState, P1Params, StopInput};

/// The position as a line may give it: the kernel's position fields are accepted (and ignored
/// where P1 does not read them); a missing peak or trough is the current price.
#[derive(Deserialize)]
struct WirePosition {
    side: Side,
    current_price: f64,
    #[serde(default)]
    peak_price: Option<f64>,
    #[serde(default)]
    trough_price: Option<f64>,
    #[serde(default)]
    current_sl: Option<f64>,
}

/// One input line. `theta` holds P1's tunables (any missing field takes its default).
#[derive(Deserialize)]
struct StopsLine {
    position: WirePosition,
    market_state: MarketState,
    #[serde(default)]
    theta: Option<P1Params>,
}

#[derive(serde::Serialize)]
struct LineError {
    line: usize,
    error: String,
}

/// Proposes stops for one input line into `out`; `Some(true)` on success, `Some(false)` on a bad
/// line (an error object `{"line": N, "error": …}` is written), `None` for a blank line.
pub fn stops_line(line: usize, bytes: &[u8], out: &mut Vec<u8>) -> Option<bool> {
    let bytes = review::line_body(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) => review::parse_json::<StopsLine>(text).map_err(|e| e.to_string()),
        Err(e) => Err(format!("not UTF-8 text at column {}", e.valid_up_to() + 1)),
    };
    let result = parsed.and_then(|l| {
        let pos = StopInput {
            side: l.position.side,
            current_price: l.position.current_price,
            peak_price: l.position.peak_price.unwrap_or(l.position.current_price),
            trough_price: l.position.trough_price.unwrap_or(l.position.current_price),
            current_sl: l.position.current_sl,
        };
        propose_stops(&pos, &l.market_state, &l.theta.unwrap_or_default())
            .map_err(|e| e.to_string())
    });
    let ok = match result {
        Ok(p) => serde_json::to_writer(&mut *out, &p).is_ok(),
        Err(error) => {
            let _ = serde_json::to_writer(&mut *out, &LineError { line, error });
            false
        }
    };
    out.push(b'\n');
    Some(ok)
}
