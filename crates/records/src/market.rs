//! P0.5's market state record `quantum:marketstate:<SYM>`: read as P2.5 and P1.5 use it, and
//! written as P0.5 writes it (fixed decimals: `sigma`, `mu` with 8, the rest with 6;
//! `ts_timestamp`, `buffer_size`), with its stream entry.

use harvest_kernel::MarketState;

use crate::fields::{required, FieldError, Fields};
use crate::num::fixed;

/// The fields P2.5 reads, in order.
pub const READ_FIELDS: [&str; 5] = ["sigma", "ts", "p_trend", "p_mr", "p_chop"];

/// The state's numbers in P0.5's order: what P1.5 reads (each with Python's `float()`).
pub const NUMBER_FIELDS: [&str; 9] = [
    "sigma",
    "mu",
    "ts",
    "p_trend",
    "p_mr",
    "p_chop",
    "dp",
    "vr",
    "spike_proxy",
];

/// The fields of the hash P0.5 writes, in its order: [`NUMBER_FIELDS`], `ts_timestamp`,
/// `buffer_size`.
pub const FIELDS: [&str; 11] = {
    let mut all = [""; 11];
    let mut i = 0;
    while i < NUMBER_FIELDS.len() {
        all[i] = NUMBER_FIELDS[i];
        i += 1;
    }
    all[9] = "ts_timestamp";
    all[10] = "buffer_size";
    all
};

/// The market state from `quantum:marketstate:<SYM>`: all five of [`READ_FIELDS`] are required
/// finite numbers. (The running publisher reads a missing or empty field as 0.0; Harvest Lab
/// refuses it, deliberately: a σ of 0 is not a market state.)
///
/// # Errors
/// [`FieldError::MissingKey`] for an empty hash; [`FieldError::MissingField`],
/// [`FieldError::EmptyField`] or [`FieldError::NotANumber`] naming the field.
///
/// ```
/// use harvest_records::fields::fields;
/// use harvest_records::market::parse;
/// let f = fields(&[("sigma", "0.01000000"), ("ts", "0.4"), ("p_trend", "0.6"), ("p_mr", "0.2"), ("p_chop", "0.2")]);
/// assert_eq!(parse("quantum:marketstate:BTCUSDT", &f).unwrap().sigma, 0.01);
/// let e = parse("quantum:marketstate:BTCUSDT", &fields(&[("sigma", "")])).unwrap_err();
/// assert_eq!(e.to_string(), "quantum:marketstate:BTCUSDT: field `sigma` is empty");
/// ```
pub fn parse(key: &str, f: &Fields) -> Result<MarketState, FieldError> {
    if f.is_empty() {
        return Err(FieldError::MissingKey {
            key: key.to_string(),
        });
    }
    Ok(MarketState {
        sigma: required(key, f, "sigma")?,
        ts: required(key, f, "ts")?,
        p_trend: required(key, f, "p_trend")?,
        p_mr: required(key, f, "p_mr")?,
        p_chop: required(key, f, "p_chop")?,
    })
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

/// The dominant regime's name (`trend`, `mr` or `chop`): the largest probability, the first of
/// them on a tie (Python's `max` over the dict in that order).
///
/// ```
/// use harvest_records::market::dominant_regime;
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

impl MarketStateOut {
    /// The hash's fields in [`FIELDS`] order, as P0.5 writes them.
    ///
    /// ```
    /// use harvest_records::market::MarketStateOut;
    /// let m = MarketStateOut { sigma: 0.0123456789, ts: 0.5, ts_timestamp: 7, buffer_size: 300, ..Default::default() };
    /// let f = m.hash_fields();
    /// assert_eq!(f[0], ("sigma", "0.01234568".to_string()));
    /// assert_eq!(f[2], ("ts", "0.500000".to_string()));
    /// assert_eq!(f[10], ("buffer_size", "300".to_string()));
    /// ```
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::fields;

    #[test]
    fn read_table() {
        let key = "quantum:marketstate:X";
        let good = [
            ("sigma", "0.01"),
            ("ts", "0.4"),
            ("p_trend", "0.6"),
            ("p_mr", "0.2"),
            ("p_chop", "0.2"),
        ];
        let with = |field: &str, v: Option<&str>| {
            let mut f = fields(&good);
            match v {
                Some(v) => f.insert(field.to_string(), v.to_string()),
                None => f.remove(field),
            };
            f
        };
        let cases: Vec<(Fields, Result<f64, String>)> = vec![
            (fields(&good), Ok(0.01)),
            (with("sigma", Some(" 2e-2 ")), Ok(0.02)),
            (with("sigma", Some("1_0e-3")), Ok(0.01)),
            (
                with("sigma", Some("abc")),
                Err("quantum:marketstate:X: field `sigma` = \"abc\" is not a finite number".into()),
            ),
            (
                with("sigma", Some("nan")),
                Err("quantum:marketstate:X: field `sigma` = \"nan\" is not a finite number".into()),
            ),
            (
                with("p_chop", None),
                Err("quantum:marketstate:X: field `p_chop` is missing".into()),
            ),
            (
                with("ts", Some("")),
                Err("quantum:marketstate:X: field `ts` is empty".into()),
            ),
            (
                Fields::new(),
                Err("quantum:marketstate:X: missing (no such hash or it is empty)".into()),
            ),
        ];
        for (f, want) in cases {
            let got = parse(key, &f).map(|m| m.sigma).map_err(|e| e.to_string());
            assert_eq!(got, want, "{f:?}");
        }
    }

    /// The hash's fields as P0.5 writes them (`microservices/market_state_publisher`): the
    /// numbers, then the two stamps.
    #[test]
    fn field_lists() {
        assert_eq!(
            FIELDS.join(","),
            "sigma,mu,ts,p_trend,p_mr,p_chop,dp,vr,spike_proxy,ts_timestamp,buffer_size"
        );
        assert_eq!(FIELDS[..9], NUMBER_FIELDS);
        assert!(READ_FIELDS.iter().all(|f| NUMBER_FIELDS.contains(f)));
    }
}
