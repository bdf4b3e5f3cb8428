//! Settings every service reads the same way: the symbol list (deduplicated, sharded), the
//! position source, the errors of refused settings, and the readers of flag and environment
//! values (a value from an env file with CRLF line endings, `10\r`, reads as `10`: the running
//! system's own env files have them).

/// Why a setting of a service (`--position-source`, `--shard`, `--symbols`, a number, …) is
/// refused. Each message names the setting, the value and what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// `synthetic`: the running publisher's made-up positions.
    #[error(
        "position source `synthetic` is refused: it publishes proposals for positions that do not \
         exist, which a downstream apply layer could act on. Use auto, redis_hash or redis_stream; \
         a symbol without a position gets no proposal"
    )]
    Synthetic,
    /// Any other unknown value.
    #[error("position source {:?} is not one of auto, redis_hash, redis_stream", harvest_kernel::echo::Echo(.0))]
    UnknownSource(String),
    /// A `--shard` that is not `k/n` with `1 ≤ k ≤ n`.
    #[error("shard {:?} must be k/n with 1 ≤ k ≤ n (e.g. 1/2 and 2/2 for two instances)", harvest_kernel::echo::Echo(.0))]
    Shard(String),
    /// No symbols.
    #[error("no symbols: give --symbols BTCUSDT,ETHUSDT or SYMBOLS")]
    NoSymbols,
    /// A symbol with characters that cannot be part of a key.
    #[error("symbol {:?} must be non-empty letters, digits, '-', '_', '.' or '/'", harvest_kernel::echo::Echo(.0))]
    BadSymbol(String),
    /// Not a log level.
    #[error("log level {:?} is not one of DEBUG, INFO, WARNING, ERROR", harvest_kernel::echo::Echo(.0))]
    LogLevel(String),
    /// `MARKETSTATE_SOURCE=synthetic`: the running P0.5's made-up prices.
    #[error(
        "price source `synthetic` is refused: it publishes market states of invented prices, \
         which P1.5 and P2.5 would act on. Use `candles` (the candle keys in Redis); a symbol \
         without candles gets no market state"
    )]
    SyntheticPrices,
    /// Any other price source.
    #[error("price source {:?} is not `candles` (the only source; `synthetic` is refused)", harvest_kernel::echo::Echo(.0))]
    UnknownPriceSource(String),
    /// A number setting out of range.
    #[error("{name} = {} must be {expected}", harvest_kernel::num::Short(*.value))]
    Number {
        /// The flag.
        name: &'static str,
        /// Its value.
        value: f64,
        /// What it must be.
        expected: &'static str,
    },
}

/// Where positions come from (`--position-source` / `POSITION_SOURCE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionSource {
    /// The hashes `quantum:state:positions:<SYM>` when any symbol has one, else the newest 100
    /// entries of `quantum:stream:execution` (the running publisher's `auto`, never synthetic).
    Auto,
    /// Only the hashes `quantum:state:positions:<SYM>`.
    RedisHash,
    /// Only the newest 100 entries of `quantum:stream:execution`.
    RedisStream,
}

impl std::str::FromStr for PositionSource {
    type Err = ConfigError;

    /// `auto`, `redis_hash` (also `hash`), `redis_stream` (also `stream`), any case, blanks
    /// (and a CRLF file's `\r`) around it ignored.
    ///
    /// ```
    /// use harvest_publisher::runtime::settings::PositionSource;
    /// assert_eq!("auto\r".parse::<PositionSource>().unwrap(), PositionSource::Auto);
    /// assert!("synthetic".parse::<PositionSource>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(PositionSource::Auto),
            "redis_hash" | "hash" => Ok(PositionSource::RedisHash),
            "redis_stream" | "stream" => Ok(PositionSource::RedisStream),
            "synthetic" => Err(ConfigError::Synthetic),
            other => Err(ConfigError::UnknownSource(other.to_string())),
        }
    }
}

impl PositionSource {
    /// Whether the position hashes are read.
    pub fn reads_hashes(self) -> bool {
        self != PositionSource::RedisStream
    }
}

/// `--shard k/n`: this instance handles the symbols at positions `k−1, k−1+n, …` of the
/// deduplicated list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based index of this instance.
    pub k: usize,
    /// Number of instances.
    pub n: usize,
}

impl Default for Shard {
    /// One instance: `1/1`.
    fn default() -> Self {
        Shard { k: 1, n: 1 }
    }
}

impl std::str::FromStr for Shard {
    type Err = ConfigError;

    /// ```
    /// use harvest_publisher::runtime::settings::Shard;
    /// assert_eq!("2/3".parse::<Shard>().unwrap(), Shard { k: 2, n: 3 });
    /// assert!("0/3".parse::<Shard>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ConfigError::Shard(s.to_string());
        let (k, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

/// The symbols of a comma (or blank) separated list, deduplicated in order, then this shard's
/// share.
///
/// # Errors
/// [`ConfigError::NoSymbols`] when the list (not the shard's share) is empty,
/// [`ConfigError::BadSymbol`] for a symbol that cannot be part of a key.
///
/// ```
/// use harvest_publisher::runtime::settings::{symbols, Shard};
/// let all = "BTCUSDT, ETHUSDT,SOLUSDT,BTCUSDT";
/// assert_eq!(symbols(all, Shard { k: 1, n: 2 }).unwrap(), ["BTCUSDT", "SOLUSDT"]);
/// assert_eq!(symbols(all, Shard { k: 2, n: 2 }).unwrap(), ["ETHUSDT"]);
/// ```
pub fn symbols(list: &str, shard: Shard) -> Result<Vec<String>, ConfigError> {
    let mut seen = std::collections::HashSet::new();
    let mut all = Vec::new();
    for s in list.split(|c: char| c == ',' || c.is_whitespace()) {
        if s.is_empty() {
            continue;
        }
        let ok = s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
        if !ok {
            return Err(ConfigError::BadSymbol(s.to_string()));
        }
        if seen.insert(s.to_string()) {
            all.push(s.to_string());
        }
    }
    if all.is_empty() {
        return Err(ConfigError::NoSymbols);
    }
    Ok(all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % shard.n == shard.k - 1)
        .map(|(_, s)| s)
        .collect())
}

/// A flag or environment value as a number, blanks (and `\r`) around it ignored; for clap's
/// `value_parser`.
///
/// # Errors
/// The text and what was expected.
///
/// ```
/// use harvest_publisher::runtime::settings::number;
/// assert_eq!(number("10\r"), Ok(10.0));
/// assert!(number("ten").is_err());
/// ```
pub fn number(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .map_err(|_| format!("{:?} is not a number", s.trim()))
}

/// A flag or environment value as a count (blanks and `\r` ignored).
///
/// # Errors
/// The text and what was expected.
pub fn count(s: &str) -> Result<usize, String> {
    s.trim()
        .parse::<usize>()
        .map_err(|_| format!("{:?} is not a whole number ≥ 0", s.trim()))
}

/// A flag or environment value as a switch: `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`, any
/// case, blanks and `\r` ignored.
///
/// # Errors
/// The text and what was expected.
///
/// ```
/// use harvest_publisher::runtime::settings::switch;
/// assert_eq!(switch("True\r"), Ok(true));
/// assert_eq!(switch("0"), Ok(false));
/// assert!(switch("maybe").is_err());
/// ```
pub fn switch(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" | "y" => Ok(true),
        "false" | "no" | "off" | "0" | "n" | "" => Ok(false),
        other => Err(format!(
            "{other:?} is not true or false (also yes/no, on/off, 1/0)"
        )),
    }
}

/// A flag or environment value as text, blanks and `\r` around it removed.
///
/// # Errors
/// Never (the signature is clap's `value_parser`'s).
pub fn text(s: &str) -> Result<String, String> {
    Ok(s.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_and_shard_table() {
        let cases: &[(&str, Result<PositionSource, ConfigError>)] = &[
            ("auto", Ok(PositionSource::Auto)),
            ("redis_hash", Ok(PositionSource::RedisHash)),
            ("REDIS_STREAM", Ok(PositionSource::RedisStream)),
            ("synthetic", Err(ConfigError::Synthetic)),
            ("files", Err(ConfigError::UnknownSource("files".into()))),
        ];
        for (s, want) in cases {
            assert_eq!(s.parse::<PositionSource>(), *want, "{s}");
        }
        assert!(ConfigError::Synthetic
            .to_string()
            .contains("positions that do not exist"));
        for bad in ["", "1", "0/1", "3/2", "a/b", "1/0", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(" 1 / 1 \r".parse::<Shard>(), Ok(Shard { k: 1, n: 1 }));
    }

    #[test]
    fn shards_partition_the_symbols() {
        let list: Vec<String> = (0..103).map(|i| format!("S{i}")).collect();
        let joined = list.join(",");
        for n in 1..6 {
            let mut union: Vec<String> = (1..=n)
                .flat_map(|k| symbols(&joined, Shard { k, n }).unwrap())
                .collect();
            union.sort();
            let mut want = list.clone();
            want.sort();
            assert_eq!(union, want, "n = {n}");
        }
        assert_eq!(
            symbols(" , ", Shard::default()),
            Err(ConfigError::NoSymbols)
        );
        assert_eq!(
            symbols("BTC USDT,ETH:1", Shard::default()),
            Err(ConfigError::BadSymbol("ETH:1".into()))
        );
        assert_eq!(symbols("A", Shard { k: 2, n: 2 }), Ok(vec![]));
    }

    proptest::proptest! {
        /// The shards of any list are disjoint, cover it, and differ in size by at most one.
        #[test]
        fn shards_partition_any_list(
            names in proptest::collection::vec("[A-Z]{1,4}", 1..60),
            n in 1usize..8,
        ) {
            let list = names.join(",");
            let all = symbols(&list, Shard::default()).unwrap();
            let parts: Vec<Vec<String>> =
                (1..=n).map(|k| symbols(&list, Shard { k, n }).unwrap()).collect();
            let mut union: Vec<String> = parts.concat();
            union.sort();
            let mut want = all.clone();
            want.sort();
            proptest::prop_assert_eq!(union, want);
            let sizes: Vec<usize> = parts.iter().map(Vec::len).collect();
            proptest::prop_assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
        }
    }
}
