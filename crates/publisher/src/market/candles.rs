//! Pure: where P0.5 looks for a symbol's candles and how it reads a close from a candle.
//!
//! The running P0.5 tries `candles:<SYM>:1m`, `quantum:candles:<SYM>` and `klines:<SYM>:1m` in
//! that order and reads the first that holds candles: a sorted set, newest members by score;
//! a member is JSON with `close` (else `c`), or a bare number.

use harvest_records::num::parse_py_float;

/// The running P0.5's candle keys, in the order it tries them (`{symbol}` is the symbol).
pub const DEFAULT_CANDLE_KEYS: [&str; 3] = [
    "candles:{symbol}:1m",
    "quantum:candles:{symbol}",
    "klines:{symbol}:1m",
];

/// Why a `--candle-keys` list is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CandleKeysError {
    /// No template at all.
    #[error("candle keys: none given (e.g. candles:{{symbol}}:1m,quantum:candles:{{symbol}})")]
    Empty,
    /// A template without `{symbol}`: every symbol would read the same key.
    #[error("candle key {:?} has no {{symbol}}: every symbol would read the same candles", harvest_kernel::echo::Echo(.0))]
    NoSymbol(String),
}

/// The key templates, in the order they are tried.
///
/// ```
/// use harvest_publisher::market::candles::CandleKeys;
/// let k = CandleKeys::default();
/// assert_eq!(k.for_symbol("BTCUSDT"), ["candles:BTCUSDT:1m", "quantum:candles:BTCUSDT", "klines:BTCUSDT:1m"]);
/// let mine: CandleKeys = "quantum:history:ohlcv:{symbol}:1m".parse().unwrap();
/// assert_eq!(mine.for_symbol("ETHUSDT"), ["quantum:history:ohlcv:ETHUSDT:1m"]);
/// assert!("candles".parse::<CandleKeys>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandleKeys(Vec<String>);

impl Default for CandleKeys {
    /// [`DEFAULT_CANDLE_KEYS`].
    fn default() -> Self {
        CandleKeys(DEFAULT_CANDLE_KEYS.iter().map(|s| s.to_string()).collect())
    }
}

impl std::str::FromStr for CandleKeys {
    type Err = CandleKeysError;

    /// A comma-separated list of templates with `{symbol}`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = Vec::new();
        for t in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if !t.contains("{symbol}") {
                return Err(CandleKeysError::NoSymbol(t.to_string()));
            }
            out.push(t.to_string());
        }
        if out.is_empty() {
            return Err(CandleKeysError::Empty);
        }
        Ok(CandleKeys(out))
    }
}

impl std::fmt::Display for CandleKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join(","))
    }
}

impl CandleKeys {
    /// The keys of a symbol, in order.
    pub fn for_symbol(&self, symbol: &str) -> Vec<String> {
        self.0
            .iter()
            .map(|t| t.replace("{symbol}", symbol))
            .collect()
    }
}

/// Why a candle gives no close. The running P0.5 drops the unreadable ones too, but it reads a
/// candle without `close`/`c` as 0.0 and takes NaN, ∞ and prices ≤ 0 as closes; Harvest Lab skips
/// those (a logarithm of them is no market state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoClose {
    /// Neither JSON with a readable `close`/`c` nor a number (or not UTF-8).
    Unreadable,
    /// JSON without `close` and `c` (the running service reads 0.0).
    Missing,
    /// A close that is not a finite number > 0.
    NotPositive,
}

impl NoClose {
    /// Words for a log line.
    pub fn describe(self) -> &'static str {
        match self {
            NoClose::Unreadable => "no number and no JSON with close/c",
            NoClose::Missing => "JSON without close or c",
            NoClose::NotPositive => "a close that is not a finite number > 0",
        }
    }
}

/// The close of a candle member, as the running P0.5 reads it: JSON → `close`, else `c` (a number,
/// numeric text, or true/false as 1/0); anything else that Python's `float()` reads as a whole
/// (a bare number, `" 65000.5 "`, `1_000`).
///
/// # Errors
/// [`NoClose`]: why the member is skipped.
///
/// ```
/// use harvest_publisher::market::candles::{close_of, NoClose};
/// assert_eq!(close_of(br#"{"open_time": 1700000000000, "close": 65000.5}"#), Ok(65000.5));
/// assert_eq!(close_of(br#"{"c": "3100.25"}"#), Ok(3100.25));
/// assert_eq!(close_of(b"101.5"), Ok(101.5));
/// assert_eq!(close_of(br#"{"open": 1}"#), Err(NoClose::Missing));
/// assert_eq!(close_of(br#"{"close": null}"#), Err(NoClose::Unreadable));
/// assert_eq!(close_of(b"-3"), Err(NoClose::NotPositive));
/// ```
pub fn close_of(member: &[u8]) -> Result<f64, NoClose> {
    let text = std::str::from_utf8(member).map_err(|_| NoClose::Unreadable)?;
    // The common case without building the object: only `close` and `c` are kept.
    if text.trim_start().starts_with('{') {
        if let Ok(fast) = serde_json::from_str::<CloseFields>(text) {
            let field = match (fast.close, fast.c) {
                (Slot::Present(v), _) | (Slot::Absent, Slot::Present(v)) => v,
                (Slot::Absent, Slot::Absent) => return Err(NoClose::Missing),
            };
            return positive(value_close(&field)?);
        }
    }
    let v = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => {
            // `data.get('close', data.get('c', 0))`: a present `close` wins even when unusable;
            // then Python tries float() of the whole text, which fails for an object.
            match map.get("close").or_else(|| map.get("c")) {
                None => return Err(NoClose::Missing),
                Some(field) => value_close(field)?,
            }
        }
        // Not an object: Python's `float(candle)` of the text itself.
        _ => parse_py_float(text).ok_or(NoClose::Unreadable)?,
    };
    positive(v)
}

/// A JSON field that may be absent (`Absent`) or present with any value, `null` included.
#[derive(Default)]
enum Slot {
    #[default]
    Absent,
    Present(serde_json::Value),
}

impl<'de> serde::Deserialize<'de> for Slot {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(d).map(Slot::Present)
    }
}

/// The two fields of a candle object P0.5 reads; the rest are skipped unread. A key given twice
/// fails here and the object is read whole (Python keeps the last).
#[derive(serde::Deserialize)]
struct CloseFields {
    #[serde(default)]
    close: Slot,
    #[serde(default)]
    c: Slot,
}

/// Python's `float(v)` of a JSON value: a number, numeric text, true/false as 1/0.
fn value_close(v: &serde_json::Value) -> Result<f64, NoClose> {
    match v {
        serde_json::Value::Number(n) => n.as_f64().ok_or(NoClose::Unreadable),
        serde_json::Value::String(s) => parse_py_float(s).ok_or(NoClose::Unreadable),
        serde_json::Value::Bool(b) => Ok(f64::from(u8::from(*b))),
        _ => Err(NoClose::Unreadable),
    }
}

fn positive(v: f64) -> Result<f64, NoClose> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(NoClose::NotPositive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each case: what Python's P0.5 does with the member (the close, `drop`, or `0.0`).
    #[test]
    fn members_as_python_reads_them() {
        let cases: &[(&str, Result<f64, NoClose>)] = &[
            // The market.klines payload layer1's cache stores (json.dumps of the dict).
            (
                r#"{"symbol": "BTCUSDT", "interval": "1m", "open": 65000.0, "high": 65010.5, "low": 64990.0, "close": 65005.25, "volume": 12.5, "open_time": 1700000000000, "close_time": 1700000059999, "is_closed": true, "timestamp": 1700000060.123}"#,
                Ok(65005.25),
            ),
            (r#"{"c": 42.5, "t": 1}"#, Ok(42.5)),
            (r#"{"close": "42.5", "c": 1}"#, Ok(42.5)),
            (r#"{"close": " 1_000.5 "}"#, Ok(1000.5)),
            (r#"{"close": 7}"#, Ok(7.0)),
            (r#"{"close": true}"#, Ok(1.0)),
            (r#"{"close": 1, "close": 2}"#, Ok(2.0)), // duplicate keys: the last one
            ("101.25", Ok(101.25)),
            (" 101.25\n", Ok(101.25)),
            ("1_000", Ok(1000.0)), // not JSON, but float() reads it
            ("1e3", Ok(1000.0)),
            // Python: 0.0 (no close) — skipped here.
            (r#"{"open": 1.0}"#, Err(NoClose::Missing)),
            (r#"{}"#, Err(NoClose::Missing)),
            // Python: dropped.
            (r#"{"close": null}"#, Err(NoClose::Unreadable)),
            (r#"{"close": [1]}"#, Err(NoClose::Unreadable)),
            (r#"{"close": "abc", "c": 5}"#, Err(NoClose::Unreadable)),
            (r#""65000""#, Err(NoClose::Unreadable)),
            ("[65000]", Err(NoClose::Unreadable)),
            ("true", Err(NoClose::Unreadable)),
            ("null", Err(NoClose::Unreadable)),
            ("", Err(NoClose::Unreadable)),
            ("abc", Err(NoClose::Unreadable)),
            // Python: taken as closes (NaN, ∞, ≤ 0) — skipped here.
            ("NaN", Err(NoClose::NotPositive)),
            ("inf", Err(NoClose::NotPositive)),
            (r#"{"close": 0}"#, Err(NoClose::NotPositive)),
            (r#"{"close": -1.5}"#, Err(NoClose::NotPositive)),
            (r#"{"close": 1e400}"#, Err(NoClose::Unreadable)),
        ];
        for (member, want) in cases {
            assert_eq!(close_of(member.as_bytes()), *want, "{member}");
        }
        assert_eq!(close_of(&[0xff, b'1']), Err(NoClose::Unreadable));
    }
}
