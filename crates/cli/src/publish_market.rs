//! `harvest publish-market`: the P0.5 service's command line (a thin shell over
//! `harvest_publisher::market`), with the running P0.5's `MARKETSTATE_*` variables and defaults.

use std::time::Duration;

use clap::Args;

use crate::error::{CliError, CliResult};

use harvest_publisher::market::candles::CandleKeys;
use harvest_publisher::market::service::{self, Settings};
use harvest_publisher::runtime::settings::{
    count, number, switch, symbols, text, ConfigError, Shard,
};
use harvest_publisher::runtime::{signals, Level};
use harvest_redis::Timeouts;

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

/// Why a `publish-market` setting is refused.
#[derive(Debug, thiserror::Error)]
enum SettingError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    CandleKeys(#[from] harvest_publisher::market::candles::CandleKeysError),
}

fn settings(args: &PublishMarketArgs) -> Result<Settings, SettingError> {
    match args.source.trim().to_ascii_lowercase().as_str() {
        "candles" | "" => {}
        "synthetic" => return Err(ConfigError::SyntheticPrices.into()),
        other => return Err(ConfigError::UnknownPriceSource(other.to_string()).into()),
    }
    let shard: Shard = args.shard.parse()?;
    let symbols = symbols(&args.symbols, shard)?;
    let log_level: Level = args.log_level.parse()?;
    let candle_keys: CandleKeys = args.candle_keys.parse()?;
    if !(args.interval.is_finite() && args.interval > 0.0 && args.interval <= 86_400.0) {
        return Err(ConfigError::Number {
            name: "interval",
            value: args.interval,
            expected: "seconds in (0, 86400]",
        }
        .into());
    }
    if !(257..=1_000_000).contains(&args.window) {
        return Err(ConfigError::Number {
            name: "window",
            value: args.window as f64,
            expected: "from 257 (the closes P0 needs) to 1000000 candles",
        }
        .into());
    }
    if args.batch == 0 {
        return Err(ConfigError::Number {
            name: "batch",
            value: 0.0,
            expected: "at least 1 (symbols per pipelined batch)",
        }
        .into());
    }
    let redis_url = match &args.redis_url {
        Some(u) if !u.trim().is_empty() => u.trim().to_string(),
        _ => url_of(&args.redis_host, args.redis_port),
    };
    Ok(Settings {
        redis_url,
        cluster: args.cluster,
        symbols,
        interval: Duration::from_secs_f64(args.interval),
        window: args.window,
        candle_keys,
        batch: args.batch,
        timeouts: Timeouts::default(),
        log_level,
    })
}

/// Runs `harvest publish-market`; bad settings exit 2 with the reason.
///
/// # Errors
/// [`CliError::Usage`] for refused settings or signal handlers; [`CliError::Service`] when
/// the service stops with a non-zero status.
pub fn run(args: &PublishMarketArgs) -> CliResult {
    const CMD: &str = "publish-market";
    let settings =
        settings(args).map_err(|e| CliError::usage(CMD, format_args!("refusing to start: {e}")))?;
    if args.once {
        return CliError::service(CMD, service::run_once(settings));
    }
    let stop = signals::stop_signals()
        .map_err(|e| CliError::usage(CMD, format_args!("cannot take SIGTERM/SIGINT: {e}")))?;
    CliError::service(CMD, service::run_forever(settings, stop))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> PublishMarketArgs {
        PublishMarketArgs {
            once: true,
            symbols: "BTCUSDT,ETHUSDT".into(),
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
