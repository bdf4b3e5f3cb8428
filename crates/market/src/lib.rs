//! The P2 kernel's upstream stages on real prices: **P0** (market state from closes), **P1**
//! (stop, take-profit and trailing stop), and the price files they read. Pure: no I/O, no clock,
//! no randomness; the native CLI and the dashboard share it.
//!
//! ```
//! use harvest_kernel::Side;
//! use harvest_market::{import_prices, market_state, propose_stops, P0Params, P1Params, StopInput};
//! let mut text = String::from("time,open,high,low,close\n");
//! for i in 0..300 {
//!     let c = 100.0 + (i as f64 * 0.3).sin() + i as f64 * 0.05;
//!     text += &format!("{},{c},{},{},{c}\n", 1_700_000_000 + 3600 * i, c + 0.5, c - 0.5);
//! }
//! let bars = import_prices(&text).unwrap().bars;
//! let closes: Vec<f64> = bars.iter().map(|b| b.close).collect();
//! let state = market_state(&closes, &P0Params::default()).unwrap();
//! let pos = StopInput { side: Side::Long, current_price: closes[299], peak_price: closes[299], trough_price: closes[299], current_sl: None };
//! let stops = propose_stops(&pos, &state, &P1Params::default()).unwrap();
//! assert!(stops.proposed_sl < closes[299] && closes[299] < stops.proposed_tp);
//! ```

pub mod candles;
mod datetime;
mod error;
pub mod files;
pub mod p0;
pub mod p1;
pub mod prices;

use serde::{Deserialize, Serialize};

pub use candles::{candles_from_rows, import_freqtrade_json, Candles, Row};
pub use datetime::{civil_from_days, days_from_civil, format_iso, parse_time, TimeError};
pub use error::MarketError;
pub use files::{file_name, FileContent, FileFormat, FileName};
pub use p0::{market_state, market_states, MarketState, P0Params, P0Window, MIN_CLOSES};
pub use p1::{
    propose_stops, propose_stops_unchecked, P1Params, PerRegime, Regime, StopAudit, StopInput,
    StopProposal, StopReason,
};
pub use prices::{
    import_price_bytes, import_prices, BarError, LineProblem, PriceError, PriceFormat, PriceImport,
    ProblemKind,
};

/// One bar of a price series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// Opening time, epoch seconds (UTC).
    pub time: i64,
    /// First price.
    pub open: f64,
    /// Highest price.
    pub high: f64,
    /// Lowest price.
    pub low: f64,
    /// Last price.
    pub close: f64,
    /// Traded volume (base asset), when the file has it.
    pub volume: Option<f64>,
}

/// The closes of a series of bars.
///
/// ```
/// use harvest_market::{closes, Bar};
/// let b = Bar { time: 0, open: 1.0, high: 2.0, low: 0.5, close: 1.5, volume: None };
/// assert_eq!(closes(&[b]), vec![1.5]);
/// ```
pub fn closes(bars: &[Bar]) -> Vec<f64> {
    bars.iter().map(|b| b.close).collect()
}

/// The usual spacing of bars in seconds: the median of the positive gaps between `times` (oldest
/// first); 60 when there is none.
///
/// ```
/// use harvest_market::spacing;
/// assert_eq!(spacing([0, 3600, 7200, 18000]), 3600);
/// assert_eq!(spacing([5]), 60);
/// ```
pub fn spacing(times: impl IntoIterator<Item = i64>) -> i64 {
    let mut times = times.into_iter();
    let Some(mut last) = times.next() else {
        return 60;
    };
    let mut gaps: Vec<i64> = times
        .filter_map(|t| {
            let gap = t - std::mem::replace(&mut last, t);
            (gap > 0).then_some(gap)
        })
        .collect();
    if gaps.is_empty() {
        return 60;
    }
    gaps.sort_unstable();
    gaps[gaps.len() / 2]
}
