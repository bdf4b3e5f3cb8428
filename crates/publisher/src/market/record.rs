//! P0.5's record `quantum:marketstate:<SYM>` as the running P0.5 writes it (fixed decimals:
//! `sigma`, `mu` with 8, the rest with 6; `ts_timestamp`, `buffer_size`), its stream entry, and
//! Python's `float(text)` for candle members.
//!
//! Stand-in until `harvest-records` (issue 17) lands on main: the same API as its
//! `market::MarketStateOut` and `num::{fixed, parse_py_float}`, so the switch is one `use`.

/// The market state hash P0.5 writes.
pub const MARKET_STATE_PREFIX: &str = "quantum:marketstate:";

/// The stream every publish is appended to (`MAXLEN ~ 10000`).
pub const MARKET_STATE_STREAM: &str = "quantum:stream:marketstate";

/// The fields of the hash P0.5 writes, in its order.
pub const FIELDS: [&str; 11] = [
    "sigma",
    "mu",
    "ts",
    "p_trend",
    "p_mr",
    "p_chop",
    "dp",
    "vr",
    "spike_proxy",
    "ts_timestamp",
    "buffer_size",
];

/// `v` with `decimals` digits after the point, as Python's `f"{v:.{decimals}f}"` writes it (the
/// exact binary value rounded half to even; `nan`, `inf`, `-inf`).
///
/// ```
/// use harvest_publisher::market::record::fixed;
/// assert_eq!(fixed(0.0123456789, 8), "0.01234568");
/// assert_eq!(fixed(0.125, 2), "0.12");
/// assert_eq!(fixed(-1e-9, 6), "-0.000000");
/// ```
pub fn fixed(v: f64, decimals: usize) -> String {
    if v.is_nan() {
        return "nan".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    format!("{v:.decimals$}")
}

/// Reads a number as Python's `float(text)` does: blanks around it, a sign, digits with single
/// underscores between them, `inf` / `infinity` / `nan` in any case; `None` otherwise.
///
/// ```
/// use harvest_publisher::market::record::parse_py_float;
/// assert_eq!(parse_py_float(" 1_000.5 "), Some(1000.5));
/// assert_eq!(parse_py_float("1__0"), None);
/// ```
pub fn parse_py_float(text: &str) -> Option<f64> {
    let t = text.trim();
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let signed = |v: f64| if neg { -v } else { v };
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        return Some(signed(f64::INFINITY));
    }
    if body.eq_ignore_ascii_case("nan") {
        return Some(f64::NAN);
    }
    // Underscores only between two digits; then Rust's grammar, without its own sign or words.
    let b = body.as_bytes();
    let mut plain = String::with_capacity(b.len());
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'_' => {
                let digit_before = i > 0 && b[i - 1].is_ascii_digit();
                let digit_after = b.get(i + 1).is_some_and(u8::is_ascii_digit);
                if !(digit_before && digit_after) {
                    return None;
                }
            }
            b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-' => plain.push(c as char),
            _ => return None,
        }
    }
    if plain.starts_with(['+', '-']) || !plain.bytes().any(|c| c.is_ascii_digit()) {
        return None;
    }
    plain.parse::<f64>().ok().map(signed)
}

/// The dominant regime's name (`trend`, `mr` or `chop`): the largest probability, the first of
/// them on a tie (Python's `max` over the dict in that order).
///
/// ```
/// use harvest_publisher::market::record::dominant_regime;
/// assert_eq!(dominant_regime(0.4, 0.4, 0.2), "trend");
/// assert_eq!(dominant_regime(0.1, 0.2, 0.7), "chop");
/// ```
pub fn dominant_regime(p_trend: f64, p_mr: f64, p_chop: f64) -> &'static str {
    let mut best = ("trend", p_trend);
    for (name, p) in [("mr", p_mr), ("chop", p_chop)] {
        if p > best.1 {
            best = (name, p);
        }
    }
    best.0
}

/// What P0.5 publishes for a symbol.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MarketStateOut {
    /// Volatility σ.
    pub sigma: f64,
    /// Drift μ.
    pub mu: f64,
    /// Trend strength.
    pub ts: f64,
    /// Regime probability: trend.
    pub p_trend: f64,
    /// Regime probability: mean reversion.
    pub p_mr: f64,
    /// Regime probability: chop.
    pub p_chop: f64,
    /// Feature `dp`.
    pub dp: f64,
    /// Feature `vr`.
    pub vr: f64,
    /// Feature `spike_proxy`.
    pub spike_proxy: f64,
    /// Unix seconds of the computation (integer).
    pub ts_timestamp: i64,
    /// Closes in the buffer.
    pub buffer_size: usize,
}

impl MarketStateOut {
    /// The hash's fields in [`FIELDS`] order, as P0.5 writes them.
    pub fn hash_fields(&self) -> Vec<(&'static str, String)> {
        let v = [
            fixed(self.sigma, 8),
            fixed(self.mu, 8),
            fixed(self.ts, 6),
            fixed(self.p_trend, 6),
            fixed(self.p_mr, 6),
            fixed(self.p_chop, 6),
            fixed(self.dp, 6),
            fixed(self.vr, 6),
            fixed(self.spike_proxy, 6),
            self.ts_timestamp.to_string(),
            self.buffer_size.to_string(),
        ];
        FIELDS.iter().copied().zip(v).collect()
    }

    /// The entry of `quantum:stream:marketstate`: `symbol`, `ts`, `sigma`, `mu`, `regime`
    /// (dominant), `timestamp`.
    pub fn stream_fields(&self, symbol: &str) -> Vec<(&'static str, String)> {
        vec![
            ("symbol", symbol.to_string()),
            ("ts", fixed(self.ts, 6)),
            ("sigma", fixed(self.sigma, 8)),
            ("mu", fixed(self.mu, 8)),
            (
                "regime",
                dominant_regime(self.p_trend, self.p_mr, self.p_chop).to_string(),
            ),
            ("timestamp", self.ts_timestamp.to_string()),
        ]
    }
}
