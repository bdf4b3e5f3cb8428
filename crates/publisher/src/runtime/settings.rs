//! Settings every service reads the same way: the symbol list (deduplicated, sharded), the
//! position source, the errors of refused settings, and the readers of flag and environment
//! values (a value from an env file with CRLF line endings, `10\r`, reads as `10`: the running
//! system's own env files have them).

use std::time::Duration;

use harvest_redis::Timeouts;

use super::Level;

/// Everything a service runs with: what every service has (the Redis, the symbols, the schedule,
/// the batch size, the log level), and `own`, what only this one has (its [`Options`]).
#[derive(Debug, Clone)]
pub struct Settings<O> {
    /// `redis://…`, `rediss://…`, or with `cluster` a comma-separated list of seed nodes.
    pub redis_url: String,
    /// Whether `redis_url` names a Redis Cluster.
    pub cluster: bool,
    /// This instance's symbols (already sharded).
    pub symbols: Vec<String>,
    /// Time between cycle starts.
    pub interval: Duration,
    /// Symbols per pipelined batch.
    pub batch: usize,
    /// Connect and reply timeouts.
    pub timeouts: Timeouts,
    /// The lowest level logged.
    pub log_level: Level,
    /// The service's own settings.
    pub own: O,
}

/// A service's own settings, and the running service's defaults of the common ones.
pub trait Options: Default {
    /// The Redis when none is given.
    const REDIS_URL: &'static str;
    /// The symbols when none are given.
    const SYMBOLS: &'static [&'static str];
    /// Seconds between cycle starts.
    const INTERVAL_SECS: u64;
    /// Symbols per pipelined batch.
    const BATCH: usize;
}

impl<O: Options> Default for Settings<O> {
    /// The running service's defaults ([`Options`]), timeouts' defaults, level `Info`.
    fn default() -> Self {
        Settings {
            redis_url: O::REDIS_URL.to_string(),
            cluster: false,
            symbols: O::SYMBOLS.iter().map(|s| s.to_string()).collect(),
            interval: Duration::from_secs(O::INTERVAL_SECS),
            batch: O::BATCH,
            timeouts: Timeouts::default(),
            log_level: Level::Info,
            own: O::default(),
        }
    }
}

/// `Ok` when `ok`, else [`ConfigError::Number`] of `(name, value, expected)`.
///
/// # Errors
/// The number setting, its value and what it must be.
///
/// ```
/// use harvest_publisher::runtime::settings::require;
/// assert!(require(true, ("window", 300.0, "at least 257")).is_ok());
/// let e = require(false, ("window", 3.0, "at least 257")).unwrap_err();
/// assert_eq!(e.to_string(), "window = 3 must be at least 257");
/// ```
pub fn require(
    ok: bool,
    (name, value, expected): (&'static str, f64, &'static str),
) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError::Number {
            name,
            value,
            expected,
        })
    }
}

/// The common settings as a command gives them (flags or environment values), unchecked.
#[derive(Debug, Clone, Copy)]
pub struct Given<'a> {
    /// The Redis URL.
    pub redis_url: &'a str,
    /// Whether it names a Redis Cluster.
    pub cluster: bool,
    /// The symbol list.
    pub symbols: &'a str,
    /// A file of symbols instead of the list.
    pub symbols_file: Option<&'a str>,
    /// `k/n`.
    pub shard: &'a str,
    /// Seconds between cycle starts.
    pub interval: f64,
    /// Symbols per pipelined batch.
    pub batch: usize,
    /// A level name.
    pub log_level: &'a str,
}

impl<O> Settings<O> {
    /// The settings of `given` with `own`.
    ///
    /// # Errors
    /// The first refused setting ([`ConfigError`]), named with its value and what is allowed:
    /// shard, symbols, log level, an interval outside (0, 86400] s, a batch of 0.
    ///
    /// ```
    /// use harvest_publisher::runtime::settings::{Given, Settings};
    /// let given = Given { redis_url: "redis://h:6379", cluster: false, symbols: "A,B,A",
    ///     symbols_file: None, shard: "1/1", interval: 2.5, batch: 10, log_level: "info" };
    /// let s = Settings::given(given, ()).unwrap();
    /// assert_eq!(s.symbols, ["A", "B"]);
    /// let e = Settings::given(Given { batch: 0, ..given }, ()).unwrap_err();
    /// assert_eq!(e.to_string(), "batch = 0 must be at least 1 (symbols per pipelined batch)");
    /// ```
    pub fn given(given: Given<'_>, own: O) -> Result<Self, ConfigError> {
        let shard: Shard = given.shard.parse()?;
        let symbols = symbol_list(given.symbols, given.symbols_file, shard)?;
        let log_level: Level = given.log_level.parse()?;
        let interval = given.interval;
        require(
            interval.is_finite() && interval > 0.0 && interval <= 86_400.0,
            ("interval", interval, "seconds in (0, 86400]"),
        )?;
        require(
            given.batch > 0,
            ("batch", 0.0, "at least 1 (symbols per pipelined batch)"),
        )?;
        Ok(Settings {
            redis_url: given.redis_url.trim().to_string(),
            cluster: given.cluster,
            symbols,
            interval: Duration::from_secs_f64(given.interval),
            batch: given.batch,
            timeouts: Timeouts::default(),
            log_level,
            own,
        })
    }
}

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
    /// `--symbols-file`: unreadable, empty, or a symbol in it that cannot be part of a key.
    #[error("--symbols-file {path}: {problem}")]
    SymbolsFile {
        /// The file as given.
        path: String,
        /// What is wrong (the line, for a bad symbol).
        problem: String,
    },
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionSource {
    /// The hashes `quantum:state:positions:<SYM>` when any symbol has one, else the newest 100
    /// entries of `quantum:stream:execution` (the running publisher's `auto`, never synthetic;
    /// the default).
    #[default]
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

/// The symbols of a file (`--symbols-file`, for lists too long for an argument or an
/// environment variable: about 14,500 symbols hit the system's limit): separated by commas,
/// blanks or lines, `#` starting a comment to the end of its line; deduplicated and sharded as
/// [`symbols`].
///
/// # Errors
/// [`ConfigError::SymbolsFile`] naming the file and the problem: it cannot be read, has no
/// symbol, or a symbol (with its line) cannot be part of a key.
///
/// ```
/// use harvest_publisher::runtime::settings::{symbols_file, Shard};
/// let f = std::env::temp_dir().join(format!("symbols-doc-{}.txt", std::process::id()));
/// std::fs::write(&f, "# majors\nBTCUSDT, ETHUSDT\nSOLUSDT # and one more\r\n").unwrap();
/// assert_eq!(symbols_file(&f, Shard { k: 1, n: 1 }).unwrap(), ["BTCUSDT", "ETHUSDT", "SOLUSDT"]);
/// std::fs::write(&f, "BTCUSDT\nETH:USDT\n").unwrap();
/// let e = symbols_file(&f, Shard { k: 1, n: 1 }).unwrap_err().to_string();
/// assert!(e.ends_with(": line 2: symbol \"ETH:USDT\" must be non-empty letters, digits, '-', '_', '.' or '/'"), "{e}");
/// # std::fs::remove_file(&f).unwrap();
/// ```
pub fn symbols_file(path: &std::path::Path, shard: Shard) -> Result<Vec<String>, ConfigError> {
    let fail = |problem: String| ConfigError::SymbolsFile {
        path: path.display().to_string(),
        problem,
    };
    let text = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .collect();
    symbols(&lines.join("\n"), shard).map_err(|e| match e {
        ConfigError::NoSymbols => fail("no symbols in it".to_string()),
        ConfigError::BadSymbol(bad) => {
            let line = lines
                .iter()
                .position(|l| {
                    l.split(|c: char| c == ',' || c.is_whitespace())
                        .any(|s| s == bad)
                })
                .map_or(0, |i| i + 1);
            fail(format!("line {line}: {}", ConfigError::BadSymbol(bad)))
        }
        other => other,
    })
}

/// The symbols of `--symbols-file` when given, else of the `--symbols` list.
///
/// # Errors
/// As [`symbols`] and [`symbols_file`].
pub fn symbol_list(
    list: &str,
    file: Option<&str>,
    shard: Shard,
) -> Result<Vec<String>, ConfigError> {
    match file {
        Some(f) => symbols_file(std::path::Path::new(f), shard),
        None => symbols(list, shard),
    }
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
