//! What a price file's name says: the symbol, the timeframe and the format, for the layouts
//! traders have on disk — freqtrade's data directory (`BTC_USDT-1h.feather`,
//! `futures/BTC_USDT_USDT-1h-futures.json.gz`), Binance's public data
//! (`BTCUSDT-1h-2024-01.csv`), CryptoDataDownload (`Coinbase_BTCUSD_1h.csv`) — and the file's
//! stem for anything else.

use serde::{Deserialize, Serialize};

/// The format a file name's extension says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    /// `.csv` (and `.txt`): any layout [`crate::import_prices`] reads.
    Csv,
    /// freqtrade's `json`: `[[ms, open, high, low, close, volume], …]`.
    Json,
    /// freqtrade's `jsongz`: the same, gzip-compressed (`.json.gz`).
    JsonGz,
    /// freqtrade's `feather`: Arrow IPC (`date, open, high, low, close, volume`).
    Feather,
    /// freqtrade's `parquet` (not read here).
    Parquet,
    /// Anything else.
    Other,
}

impl FileFormat {
    /// How messages name it.
    pub fn label(self) -> &'static str {
        match self {
            FileFormat::Csv => "CSV",
            FileFormat::Json => "freqtrade json",
            FileFormat::JsonGz => "freqtrade jsongz",
            FileFormat::Feather => "freqtrade feather (Arrow IPC)",
            FileFormat::Parquet => "parquet",
            FileFormat::Other => "unknown",
        }
    }
}

/// What a file holds, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileContent {
    /// Candles of a tradable price (spot, or freqtrade's `-futures`).
    Candles,
    /// freqtrade's other candle series (`-mark`, `-index`, `-premiumIndex`, `-funding_rate`):
    /// not prices a position trades at.
    OtherCandles,
    /// freqtrade's trades (`-trades`).
    Trades,
}

/// What a price file's name says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileName {
    /// The symbol: freqtrade's pair (`BTC/USDT`, `BTC/USDT:USDT`), Binance's and
    /// CryptoDataDownload's symbol (`BTCUSDT`, `BTCUSD`), else the file's stem.
    pub symbol: String,
    /// The timeframe when the name has one (`1h`, `5m`, `1d`, `d`).
    pub timeframe: Option<String>,
    /// The format by extension.
    pub format: FileFormat,
    /// What it holds.
    pub content: FileContent,
}

fn is_timeframe(s: &str) -> bool {
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    let unit = &s[digits..];
    digits > 0 && (1..=2).contains(&unit.len()) && unit.chars().all(|c| c.is_ascii_alphabetic())
}

/// Splits a name into its stem and format.
fn split_ext(name: &str) -> (&str, FileFormat) {
    let lower = name.to_ascii_lowercase();
    for (ext, f) in [
        (".json.gz", FileFormat::JsonGz),
        (".jsongz", FileFormat::JsonGz),
        (".json", FileFormat::Json),
        (".feather", FileFormat::Feather),
        (".parquet", FileFormat::Parquet),
        (".csv", FileFormat::Csv),
        (".txt", FileFormat::Csv),
    ] {
        if lower.ends_with(ext) {
            return (&name[..name.len() - ext.len()], f);
        }
    }
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => (stem, FileFormat::Other),
        _ => (name, FileFormat::Other),
    }
}

/// Reads a file name (the last path component; a path is cut to it).
///
/// ```
/// use harvest_market::{file_name, FileContent, FileFormat};
/// let f = file_name("user_data/data/binance/BTC_USDT-1h.feather");
/// assert_eq!((f.symbol.as_str(), f.timeframe.as_deref(), f.format), ("BTC/USDT", Some("1h"), FileFormat::Feather));
/// let f = file_name("futures/ETH_USDT_USDT-5m-futures.json.gz");
/// assert_eq!((f.symbol.as_str(), f.format, f.content), ("ETH/USDT:USDT", FileFormat::JsonGz, FileContent::Candles));
/// assert_eq!(file_name("ETH_USDT_USDT-8h-funding_rate.feather").content, FileContent::OtherCandles);
/// assert_eq!(file_name("BTCUSDT-1h-2024-01.csv").symbol, "BTCUSDT");
/// assert_eq!(file_name("Coinbase_BTCUSD_1h.csv").symbol, "BTCUSD");
/// assert_eq!(file_name("my prices.csv").symbol, "my prices");
/// ```
pub fn file_name(path: &str) -> FileName {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let (stem, format) = split_ext(name);
    let parts: Vec<&str> = stem.split('-').collect();
    // freqtrade: <pair_s>-<timeframe>[-<candle type>], the pair with `_` for `/` and `:`.
    if parts.len() >= 2 && parts[0].contains('_') && is_timeframe(parts[1]) {
        let kind = parts[2..].join("-");
        let content = match kind.as_str() {
            "" | "futures" | "spot" => FileContent::Candles,
            _ => FileContent::OtherCandles,
        };
        return FileName {
            symbol: parts[0].replacen('_', "/", 1).replacen('_', ":", 1),
            timeframe: Some(parts[1].to_string()),
            format,
            content,
        };
    }
    if parts.len() == 2 && parts[1] == "trades" {
        return FileName {
            symbol: parts[0].replacen('_', "/", 1).replacen('_', ":", 1),
            timeframe: None,
            format,
            content: FileContent::Trades,
        };
    }
    // Binance public data: <SYMBOL>-<timeframe>-<YYYY>-<MM>[-<DD>].
    if parts.len() >= 3
        && is_timeframe(parts[1])
        && parts[2].len() == 4
        && parts[2].chars().all(|c| c.is_ascii_digit())
    {
        return FileName {
            symbol: parts[0].to_string(),
            timeframe: Some(parts[1].to_string()),
            format,
            content: FileContent::Candles,
        };
    }
    // CryptoDataDownload: <Exchange>_<SYMBOL>_<timeframe>.
    let u: Vec<&str> = stem.split('_').collect();
    if u.len() == 3
        && u[0].chars().all(|c| c.is_ascii_alphabetic())
        && (is_timeframe(u[2]) || ["d", "minute", "hour", "daily"].contains(&u[2]))
    {
        return FileName {
            symbol: u[1].to_string(),
            timeframe: Some(u[2].to_string()),
            format,
            content: FileContent::Candles,
        };
    }
    FileName {
        symbol: stem.to_string(),
        timeframe: None,
        format,
        content: FileContent::Candles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_traders_have() {
        let cases = [
            ("BTC_USDT-1h.json", "BTC/USDT", Some("1h"), FileFormat::Json),
            (
                "BTC_USDT-1h.jsongz",
                "BTC/USDT",
                Some("1h"),
                FileFormat::JsonGz,
            ),
            (
                "XRP_BTC-1d.json.gz",
                "XRP/BTC",
                Some("1d"),
                FileFormat::JsonGz,
            ),
            (
                "BTC_USDT-1Mo.feather",
                "BTC/USDT",
                Some("1Mo"),
                FileFormat::Feather,
            ),
            (
                "BTC_USDT-15m.parquet",
                "BTC/USDT",
                Some("15m"),
                FileFormat::Parquet,
            ),
            (
                "ETHUSDT-4h-2023-12-31.csv",
                "ETHUSDT",
                Some("4h"),
                FileFormat::Csv,
            ),
            (
                "Bitstamp_ETHUSD_d.csv",
                "ETHUSD",
                Some("d"),
                FileFormat::Csv,
            ),
            (
                "Coinbase_BTCUSD_1h.CSV",
                "BTCUSD",
                Some("1h"),
                FileFormat::Csv,
            ),
            ("prices", "prices", None, FileFormat::Other),
            ("a.b.txt", "a.b", None, FileFormat::Csv),
        ];
        for (name, sym, tf, fmt) in cases {
            let f = file_name(name);
            assert_eq!(
                (f.symbol.as_str(), f.timeframe.as_deref(), f.format),
                (sym, tf, fmt),
                "{name}"
            );
        }
        assert_eq!(
            file_name("BTC_USDT-trades.json").content,
            FileContent::Trades
        );
        assert_eq!(
            file_name("BTC_USDT_USDT-1h-mark.feather").content,
            FileContent::OtherCandles
        );
        assert_eq!(file_name("C:\\data\\BTC_USDT-1h.json").symbol, "BTC/USDT");
    }
}
