//! `harvest publish`: the P2.5 service's command line (a thin shell over harvest-publisher), with
//! the running publisher's flags and environment variables.

use clap::Args;

use crate::error::CliResult;
use crate::services::{given, serve, SettingsError};

use harvest_publisher::p25::plan::Rules;
use harvest_publisher::p25::service::{Harvest, Options, Settings};
use harvest_publisher::runtime::fixes::{Fix, Fixes};
use harvest_publisher::runtime::settings::{count, number, switch, text, PositionSource};

/// Options of `publish` (each also read from its environment variable; blanks and the `\r` of an
/// env file with CRLF line endings around a value are ignored).
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Run one cycle and exit: 0 every symbol with a position published, 1 some skipped for bad
    /// data, 2 Redis unreachable.
    #[arg(long)]
    pub once: bool,
    /// Redis URL (`redis://`, `rediss://`); with --cluster, comma-separated seed nodes.
    #[arg(long, env = "REDIS_URL", default_value = "redis://127.0.0.1:6379", value_parser = text)]
    pub redis_url: String,
    /// The URL(s) name a Redis Cluster.
    #[arg(long, env = "REDIS_CLUSTER", value_parser = switch,
          num_args = 0..=1, default_value = "false", default_missing_value = "true")]
    pub cluster: bool,
    /// Symbols, comma-separated (e.g. BTCUSDT,ETHUSDT).
    #[arg(long, env = "SYMBOLS", default_value = "")]
    pub symbols: String,
    /// The symbols from this file instead (commas, blanks or lines; `#` starts a comment): for
    /// lists too long for an argument or an environment variable.
    #[arg(long, env = "SYMBOLS_FILE", value_name = "FILE", value_parser = text, conflicts_with = "symbols")]
    pub symbols_file: Option<String>,
    /// Seconds between cycle starts.
    #[arg(long, env = "PUBLISH_INTERVAL_SEC", default_value_t = 10.0, value_parser = number)]
    pub interval: f64,
    /// Where positions come from: auto (the hashes; the execution stream's newest 100 entries
    /// when no symbol has one), redis_hash, redis_stream. `synthetic` is refused.
    #[arg(long, env = "POSITION_SOURCE", default_value = "auto")]
    pub position_source: String,
    /// Also append every full publish to quantum:stream:harvest.proposal (MAXLEN ~ 10000).
    #[arg(long, env = "ENABLE_STREAM", value_parser = switch,
          num_args = 0..=1, default_value = "false", default_missing_value = "true")]
    pub enable_stream: bool,
    /// Stop distance (fraction of entry) when P1 has no usable proposal (or a stop of 0).
    #[arg(long, env = "FALLBACK_STOP_PCT", default_value_t = 0.02, value_parser = number)]
    pub fallback_stop_pct: f64,
    /// Seconds after which an unchanged proposal is published again in full.
    #[arg(long, env = "MAX_PUBLISH_AGE_SEC", default_value_t = 60.0, value_parser = number)]
    pub max_publish_age: f64,
    /// Relative SL move (and absolute K move) that counts as a change.
    #[arg(long, env = "CHANGE_EPS_PCT", default_value_t = 0.001, value_parser = number)]
    pub change_eps_pct: f64,
    /// This instance's share of the symbols, k/n (1 ≤ k ≤ n).
    #[arg(long, env = "SHARD", default_value = "1/1")]
    pub shard: String,
    /// Symbols per pipelined batch.
    #[arg(long, env = "PUBLISH_BATCH", default_value_t = 1000, value_parser = count)]
    pub batch: usize,
    /// Opt-in fixes, a comma list (logged at start): `full-facts` (age from the open time, the
    /// current SL from `stop_loss`, risk and cost scaled by the quantity). Default: none, the
    /// running publisher's behaviour.
    #[arg(
        long = "fix",
        env = "HARVEST_FIXES",
        default_value = "",
        value_name = "LIST"
    )]
    pub fixes: String,
}

fn settings(args: &PublishArgs) -> Result<Settings, SettingsError> {
    let source: PositionSource = args.position_source.parse()?;
    let fixes: Fixes = args.fixes.parse()?;
    let mut rules = Rules::new(
        args.fallback_stop_pct,
        args.change_eps_pct,
        args.max_publish_age,
    )?;
    rules.full_facts = fixes.has(Fix::FullFacts);
    let own = Options {
        source,
        enable_stream: args.enable_stream,
        rules,
        fixes,
    };
    let given = given!(args, redis_url: &args.redis_url, log_level: "INFO");
    Ok(Settings::given(given, own)?)
}

/// Runs `harvest publish`; bad settings exit 2 with the reason.
///
/// # Errors
/// As [`serve`].
pub fn run(args: &PublishArgs) -> CliResult {
    serve::<Harvest>("publish", args.once, settings(args))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> PublishArgs {
        PublishArgs {
            once: true,
            redis_url: "redis://127.0.0.1:6379".into(),
            cluster: false,
            symbols: "BTCUSDT".into(),
            symbols_file: None,
            interval: 10.0,
            position_source: "auto".into(),
            enable_stream: false,
            fallback_stop_pct: 0.02,
            max_publish_age: 60.0,
            change_eps_pct: 0.001,
            shard: "1/1".into(),
            batch: 1000,
            fixes: String::new(),
        }
    }

    /// Each refused setting names the setting, its value and what is allowed.
    #[test]
    fn refused_settings_say_why() {
        assert!(settings(&args()).is_ok());
        type Change = fn(&mut PublishArgs);
        let cases: [(Change, &str); 8] = [
            (
                |a| a.interval = 0.0,
                "interval = 0 must be seconds in (0, 86400]",
            ),
            (
                |a| a.interval = 86_401.0,
                "interval = 86401 must be seconds in (0, 86400]",
            ),
            (
                |a| a.batch = 0,
                "batch = 0 must be at least 1 (symbols per pipelined batch)",
            ),
            (
                |a| a.position_source = "files".into(),
                "position source \"files\" is not one of auto, redis_hash, redis_stream",
            ),
            (
                |a| a.shard = "3/2".into(),
                "shard \"3/2\" must be k/n with 1 ≤ k ≤ n (e.g. 1/2 and 2/2 for two instances)",
            ),
            (
                |a| a.symbols = " ".into(),
                "no symbols: give --symbols BTCUSDT,ETHUSDT or SYMBOLS",
            ),
            (
                |a| a.fallback_stop_pct = 1.0,
                "fallback_stop_pct = 1 must be in (0, 1)",
            ),
            (
                |a| a.fixes = "full-facts,fullfacts".into(),
                "unknown fix \"fullfacts\" in --fix / HARVEST_FIXES: the fixes are full-facts (P2.5), p1-trend (P1.5); give a comma list, or nothing for none",
            ),
        ];
        let mut a = args();
        a.fixes = "Full-Facts\r".into();
        assert!(settings(&a).unwrap().own.rules.full_facts);
        for (change, message) in cases {
            let mut a = args();
            change(&mut a);
            let Err(e) = settings(&a) else {
                panic!("accepted, expected: {message}");
            };
            assert_eq!(e.to_string(), message);
        }
    }
}
