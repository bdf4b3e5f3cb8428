//! Pure: a bar as a member of the candle cache — the running system's 1m cache
//! (`layer1_data_sink`) stores `json.dumps` of the `market.klines` payload in a sorted set
//! scored by `open_time` (ms), and that is what the feed writes.

use harvest_market::Bar;

use harvest_records::num::py_float;

/// The feed's default key: the first candle key the running P0.5 tries.
pub const DEFAULT_KEY: &str = "candles:{symbol}:1m";

/// Members kept in a symbol's sorted set (`ZREMRANGEBYRANK` after each bar): layer1's
/// `OHLCV_LOOKBACK_ROWS`.
pub const DEFAULT_KEEP: usize = 500;

/// The usual spacing of bars in seconds (the median of the first 1,000 gaps; 60 for fewer than
/// two bars).
///
/// ```
/// use harvest_market::Bar;
/// use harvest_publisher::feed::candle::bar_seconds;
/// let bar = |time| Bar { time, open: 1.0, high: 1.0, low: 1.0, close: 1.0, volume: None };
/// assert_eq!(bar_seconds(&[bar(0), bar(3600), bar(7200), bar(18000)]), 3600);
/// ```
pub fn bar_seconds(bars: &[Bar]) -> i64 {
    harvest_market::spacing(bars.iter().take(1001).map(|b| b.time))
}

/// Binance's name of a bar spacing (`1m`, `5m`, `1h`, `1d`, `1w`, …), else seconds (`90s`).
///
/// ```
/// use harvest_publisher::feed::candle::interval_name;
/// assert_eq!(interval_name(3600), "1h");
/// assert_eq!(interval_name(300), "5m");
/// assert_eq!(interval_name(90), "90s");
/// ```
pub fn interval_name(seconds: i64) -> String {
    match seconds {
        s if s > 0 && s % 604_800 == 0 => format!("{}w", s / 604_800),
        s if s > 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The key of a symbol from a template with `{symbol}`.
pub fn key_for(template: &str, symbol: &str) -> String {
    template.replace("{symbol}", symbol)
}

/// The cache member of a bar: the `market.klines` payload as Python's `json.dumps` writes it
/// (`", "` and `": "` separators, floats as `repr`), `timestamp` the wall clock of the write.
/// Its score is `open_time`.
///
/// ```
/// use harvest_market::Bar;
/// use harvest_publisher::feed::candle::member;
/// let b = Bar { time: 1_700_000_000, open: 1.0, high: 2.5, low: 0.5, close: 2.0, volume: Some(3.0) };
/// let (m, score) = member("BTCUSDT", &b, 3600, 1_700_003_600.25);
/// assert_eq!(m, r#"{"symbol": "BTCUSDT", "interval": "1h", "open": 1.0, "high": 2.5, "low": 0.5, "close": 2.0, "volume": 3.0, "open_time": 1700000000000, "close_time": 1700003599999, "is_closed": true, "timestamp": 1700003600.25}"#);
/// assert_eq!(score, 1_700_000_000_000);
/// ```
pub fn member(symbol: &str, bar: &Bar, seconds: i64, wall: f64) -> (String, i64) {
    let open_ms = bar.time * 1000;
    let close_ms = open_ms + seconds * 1000 - 1;
    let text = format!(
        r#"{{"symbol": {}, "interval": "{}", "open": {}, "high": {}, "low": {}, "close": {}, "volume": {}, "open_time": {open_ms}, "close_time": {close_ms}, "is_closed": true, "timestamp": {}}}"#,
        serde_json::to_string(symbol).unwrap_or_else(|_| "\"?\"".into()),
        interval_name(seconds),
        py_float(bar.open),
        py_float(bar.high),
        py_float(bar.low),
        py_float(bar.close),
        py_float(bar.volume.unwrap_or(0.0)),
        py_float(wall),
    );
    (text, open_ms)
}
