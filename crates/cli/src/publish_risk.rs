//! `harvest publish-risk`: the P1.5 service's command line (a thin shell over
//! `harvest_publisher::risk`), with the running P1.5's flags, environment variables and defaults.

use clap::Args;

use harvest_publisher::risk::service::{Options, Risk, Settings};
use harvest_publisher::runtime::settings::{count, number, switch, text};

use crate::error::CliResult;
use crate::services::{given, serve, SettingsError};

/// Options of `publish-risk` (each also read from its environment variable; blanks and the `\r`
/// of an env file with CRLF line endings around a value are ignored).
#[derive(Debug, Args)]
pub struct PublishRiskArgs {
    /// Run one cycle and exit: 0 every symbol with a position published (or unchanged), 1 some
    /// skipped for bad data (no market state, an unreadable field), 2 Redis unreachable.
    #[arg(long)]
    pub once: bool,
    /// Redis URL (`redis://`, `rediss://`); with --cluster, comma-separated seed nodes.
    #[arg(long, env = "REDIS_URL", default_value = "redis://localhost:6379", value_parser = text)]
    pub redis_url: String,
    /// The URL(s) name a Redis Cluster.
    #[arg(long, env = "REDIS_CLUSTER", value_parser = switch,
          num_args = 0..=1, default_value = "false", default_missing_value = "true")]
    pub cluster: bool,
    /// Symbols, comma-separated.
    #[arg(long, env = "SYMBOLS", default_value = "BTCUSDT,ETHUSDT,SOLUSDT", value_parser = text)]
    pub symbols: String,
    /// The symbols from this file instead (commas, blanks or lines; `#` starts a comment): for
    /// lists too long for an argument or an environment variable.
    #[arg(long, env = "SYMBOLS_FILE", value_name = "FILE", value_parser = text, conflicts_with = "symbols")]
    pub symbols_file: Option<String>,
    /// Seconds between cycle starts.
    #[arg(long, env = "PUBLISH_INTERVAL_SEC", default_value_t = 10.0, value_parser = number)]
    pub interval: f64,
    /// Where positions come from: auto (the hashes; when no symbol has one, the POSITION_OPENED
    /// events among the newest 100 entries of quantum:stream:execution.result), redis_hash,
    /// redis_stream. `synthetic` is refused.
    #[arg(long, env = "POSITION_SOURCE", default_value = "auto", value_parser = text)]
    pub position_source: String,
    /// Also append every publish to quantum:stream:risk.proposal (MAXLEN ~ 10000).
    #[arg(long, env = "ENABLE_STREAM", value_parser = switch,
          num_args = 0..=1, default_value = "false", default_missing_value = "true")]
    pub enable_stream: bool,
    /// This instance's share of the symbols, k/n (1 ≤ k ≤ n).
    #[arg(long, env = "SHARD", default_value = "1/1", value_parser = text)]
    pub shard: String,
    /// Symbols per pipelined batch.
    #[arg(long, env = "PUBLISH_BATCH", default_value_t = 1000, value_parser = count)]
    pub batch: usize,
    /// DEBUG (also every proposal written), INFO, WARNING or ERROR.
    #[arg(long, env = "LOG_LEVEL", default_value = "INFO", value_parser = text)]
    pub log_level: String,
    /// Opt-in fixes, a comma list (logged at start): `p1-trend` (P1 computes with the market
    /// state's real p_trend; the running P1.5 uses 0.0). Default: none, the running service's
    /// behaviour.
    #[arg(
        long = "fix",
        env = "HARVEST_FIXES",
        default_value = "",
        value_name = "LIST",
        value_parser = text
    )]
    pub fixes: String,
}

fn settings(args: &PublishRiskArgs) -> Result<Settings, SettingsError> {
    let own = Options {
        source: args.position_source.parse()?,
        enable_stream: args.enable_stream,
        fixes: args.fixes.parse()?,
    };
    let given = given!(args, redis_url: &args.redis_url, log_level: &args.log_level);
    Ok(Settings::given(given, own)?)
}

/// Runs `harvest publish-risk`; bad settings exit 2 with the reason.
///
/// # Errors
/// As [`serve`].
pub fn run(args: &PublishRiskArgs) -> CliResult {
    serve::<Risk>("publish-risk", args.once, settings(args))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> PublishRiskArgs {
        PublishRiskArgs {
            once: true,
            redis_url: "redis://localhost:6379".into(),
            cluster: false,
            symbols: "BTCUSDT,ETHUSDT,SOLUSDT".into(),
            symbols_file: None,
            interval: 10.0,
            position_source: "auto".into(),
            enable_stream: false,
            shard: "1/1".into(),
            batch: 1000,
            log_level: "INFO".into(),
            fixes: String::new(),
        }
    }

    /// Each refused setting names the setting, its value and what is allowed.
    #[test]
    fn refused_settings_say_why() {
        let s = settings(&args()).unwrap();
        assert_eq!(s.symbols, ["BTCUSDT", "ETHUSDT", "SOLUSDT"]);
        assert!(!s
            .own
            .fixes
            .has(harvest_publisher::runtime::fixes::Fix::P1Trend));
        type Change = fn(&mut PublishRiskArgs);
        let cases: [(Change, &str); 6] = [
            (
                |a| a.position_source = "synthetic".into(),
                "position source `synthetic` is refused",
            ),
            (
                |a| a.interval = 0.0,
                "interval = 0 must be seconds in (0, 86400]",
            ),
            (|a| a.fixes = "p1trend".into(), "unknown fix \"p1trend\""),
            (|a| a.log_level = "LOUD".into(), "log level \"LOUD\""),
            (|a| a.shard = "0/2".into(), "shard \"0/2\""),
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
        let mut a = args();
        a.fixes = "P1-Trend".into();
        assert!(settings(&a)
            .unwrap()
            .own
            .fixes
            .has(harvest_publisher::runtime::fixes::Fix::P1Trend));
    }
}
