//! `harvest publish-market`: the P0.5 service's command line (a thin shell over
//! `harvest_publisher::market`), with the running P0.5's `MARKETSTATE_*` variables and defaults.

use clap::Args;

use crate::error::CliResult;
use crate::services::{given, serve, SettingsError};

use harvest_publisher::market::service::{Market, Options, Settings};
use harvest_publisher::runtime::settings::{count, number, require, switch, text, ConfigError};

/// Options of `publish-market` (each also read from its environment variable).
#[derive(Debug, Args)]
pub struct PublishMarketArgs {
    /// Run one cycle and exit: 0 every symbol published, 1 some symbol not (no candles, fewer
    /// than 257, a key of another type), 2 Redis unreachable or bad settings.
    #[arg(long)]
    pub once: bool,
    /// Symbols, comma-separated.
    #[arg(long, env = "MARKETSTATE_SYMBOLS", default_value = "BTCUSDT,ETHUSDT", value_parser = text)]
    pub symbols: String,
    /// The symbols from this file instead (commas, blanks or lines; `#` starts a comment): for
    /// lists too long for an argument or an environment variable.
    #[arg(long, env = "MARKETSTATE_SYMBOLS_FILE", value_name = "FILE", value_parser = text, conflicts_with = "symbols")]
    pub symbols_file: Option<String>,
    /// Seconds between cycle starts; a market state lives ten intervals (its TTL).
    #[arg(long, env = "MARKETSTATE_PUBLISH_INTERVAL", default_value_t = 60.0, value_parser = number)]
    pub interval: f64,
    /// Redis host (with --redis-port; --redis-url overrides both).
    #[arg(long, env = "MARKETSTATE_REDIS_HOST", default_value = "localhost", value_parser = text)]
    pub redis_host: String,
    /// Redis port.
    #[arg(long, env = "MARKETSTATE_REDIS_PORT", default_value_t = 6379, value_parser = port)]
    pub redis_port: u16,
    /// Redis URL (`redis://`, `rediss://`; with --cluster, comma-separated seed nodes);
    /// overrides --redis-host/--redis-port.
    #[arg(long, env = "MARKETSTATE_REDIS_URL", value_parser = text)]
    pub redis_url: Option<String>,
    /// The URL(s) name a Redis Cluster.
    #[arg(long, env = "MARKETSTATE_REDIS_CLUSTER", value_parser = switch,
          num_args = 0..=1, default_value = "false", default_missing_value = "true")]
    pub cluster: bool,
    /// Candles in a symbol's window (at least 257, what P0 needs).
    #[arg(long, env = "MARKETSTATE_WINDOW_SIZE", default_value_t = 300, value_parser = count)]
    pub window: usize,
    /// Where prices come from: `candles` (Redis). `synthetic` is refused.
    #[arg(long, env = "MARKETSTATE_SOURCE", default_value = "candles", value_parser = text)]
    pub source: String,
    /// DEBUG (also every symbol's state), INFO, WARNING or ERROR.
    #[arg(long, env = "MARKETSTATE_LOG_LEVEL", default_value = "INFO", value_parser = text)]
    pub log_level: String,
    /// Candle keys tried in order, `{symbol}` for the symbol.
    #[arg(
        long,
        env = "MARKETSTATE_CANDLE_KEYS",
        default_value = "candles:{symbol}:1m,quantum:candles:{symbol},klines:{symbol}:1m",
        value_parser = text
    )]
    pub candle_keys: String,
    /// This instance's share of the symbols, k/n (1 ≤ k ≤ n).
    #[arg(long, env = "MARKETSTATE_SHARD", default_value = "1/1", value_parser = text)]
    pub shard: String,
    /// Symbols per pipelined batch.
    #[arg(long, env = "MARKETSTATE_BATCH", default_value_t = 250, value_parser = count)]
    pub batch: usize,
}

/// A port (blanks and `\r` ignored).
fn port(s: &str) -> Result<u16, String> {
    s.trim()
        .parse::<u16>()
        .map_err(|_| format!("{:?} is not a port (1 to 65535)", s.trim()))
}

/// `redis://host:port` (an IPv6 address in brackets).
fn url_of(host: &str, port: u16) -> String {
    let host = host.trim();
    if host.contains(':') && !host.starts_with('[') {
        format!("redis://[{host}]:{port}")
    } else {
        format!("redis://{host}:{port}")
    }
}

fn settings(args: &PublishMarketArgs) -> Result<Settings, SettingsError> {
    match args.source.trim().to_ascii_lowercase().as_str() {
        "candles" | "" => {}
        "synthetic" => return Err(ConfigError::SyntheticPrices.into()),
        other => return Err(ConfigError::UnknownPriceSource(other.to_string()).into()),
    }
    require(
        (257..=1_000_000).contains(&args.window),
        (
            "window",
            args.window as f64,
            "from 257 (the closes P0 needs) to 1000000 candles",
        ),
    )?;
    let own = Options {
        window: args.window,
        candle_keys: args.candle_keys.parse()?,
    };
    let redis_url = match &args.redis_url {
        Some(u) if !u.trim().is_empty() => u.trim().to_string(),
        _ => url_of(&args.redis_host, args.redis_port),
    };
    let given = given!(args, redis_url: &redis_url, log_level: &args.log_level);
    Ok(Settings::given(given, own)?)
}

/// Runs `harvest publish-market`; bad settings exit 2 with the reason.
///
/// # Errors
/// As [`serve`].
pub fn run(args: &PublishMarketArgs) -> CliResult {
    serve::<Market>("publish-market", args.once, settings(args))
}

#[cfg(test)]
mod tests {
    use super::*;
    use harvest_publisher::runtime::Level;

    fn args() -> PublishMarketArgs {
        PublishMarketArgs {
            once: true,
            symbols: "BTCUSDT,ETHUSDT".into(),
            symbols_file: None,
            interval: 60.0,
            redis_host: "localhost".into(),
            redis_port: 6379,
            redis_url: None,
            cluster: false,
            window: 300,
            source: "candles".into(),
            log_level: "INFO".into(),
            candle_keys: "candles:{symbol}:1m,quantum:candles:{symbol},klines:{symbol}:1m".into(),
            shard: "1/1".into(),
            batch: 250,
        }
    }

    /// Each refused setting names the setting, its value and what is allowed.
    #[test]
    fn refused_settings_say_why() {
        let s = settings(&args()).unwrap();
        assert_eq!(s.redis_url, "redis://localhost:6379");
        assert_eq!(s.symbols, ["BTCUSDT", "ETHUSDT"]);
        type Change = fn(&mut PublishMarketArgs);
        let cases: [(Change, &str); 8] = [
            (
                |a| a.source = "synthetic".into(),
                "price source `synthetic` is refused",
            ),
            (
                |a| a.source = "files".into(),
                "price source \"files\" is not `candles`",
            ),
            (
                |a| a.window = 256,
                "window = 256 must be from 257 (the closes P0 needs)",
            ),
            (
                |a| a.interval = 0.0,
                "interval = 0 must be seconds in (0, 86400]",
            ),
            (
                |a| a.log_level = "LOUD".into(),
                "log level \"LOUD\" is not one of",
            ),
            (
                |a| a.candle_keys = "candles".into(),
                "candle key \"candles\" has no {symbol}",
            ),
            (|a| a.symbols = ",".into(), "no symbols"),
            (|a| a.batch = 0, "batch = 0 must be at least 1"),
        ];
        for (change, message) in cases {
            let mut a = args();
            change(&mut a);
            let Err(e) = settings(&a) else {
                panic!("accepted, expected: {message}");
            };
            assert!(e.to_string().starts_with(message), "{e}");
        }
    }

    #[test]
    fn host_port_or_url() {
        let mut a = args();
        a.redis_host = "::1".into();
        a.redis_port = 6390;
        assert_eq!(settings(&a).unwrap().redis_url, "redis://[::1]:6390");
        a.redis_url = Some("rediss://cache.example:6380/2".into());
        assert_eq!(
            settings(&a).unwrap().redis_url,
            "rediss://cache.example:6380/2"
        );
        a.log_level = "debug".into();
        assert_eq!(settings(&a).unwrap().log_level, Level::Debug);
    }
}
