//! What `publish`, `publish-risk` and `publish-market` share: the common settings read from
//! their flags ([`given!`]), why settings are refused ([`SettingsError`]), and the one run path
//! ([`serve`]: `--once`, or the service loop until SIGTERM/SIGINT).

use harvest_publisher::market::candles::CandleKeysError;
use harvest_publisher::runtime::fixes::FixError;
use harvest_publisher::runtime::settings::{ConfigError, Settings};
use harvest_publisher::runtime::{run_forever, run_once, signals, Service};

use crate::error::{CliError, CliResult};

/// The common settings ([`harvest_publisher::runtime::settings::Given`]) of a command's
/// arguments: the three commands' clap structs name these flags alike (their environment
/// variables and defaults differ, so they are three structs).
macro_rules! given {
    ($args:expr, redis_url: $url:expr, log_level: $level:expr) => {
        harvest_publisher::runtime::settings::Given {
            redis_url: $url,
            cluster: $args.cluster,
            symbols: &$args.symbols,
            symbols_file: $args.symbols_file.as_deref(),
            shard: &$args.shard,
            interval: $args.interval,
            batch: $args.batch,
            log_level: $level,
        }
    };
}
pub(crate) use given;

/// Why a service command refuses to start.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SettingsError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Fix(#[from] FixError),
    #[error(transparent)]
    CandleKeys(#[from] CandleKeysError),
}

/// Runs service `S` as command `command`: refused settings exit 2 with the reason; `once`
/// runs one cycle, else the loop runs until SIGTERM or SIGINT.
///
/// # Errors
/// [`CliError::Usage`] for refused settings or signal handlers; [`CliError::Service`] when
/// the service stops with a non-zero status.
pub(crate) fn serve<S: Service>(
    command: &'static str,
    once: bool,
    settings: Result<Settings<S::Options>, SettingsError>,
) -> CliResult {
    let settings =
        settings.map_err(|e| CliError::usage(command, format_args!("refusing to start: {e}")))?;
    if once {
        return CliError::service(command, run_once::<S>(settings));
    }
    let stop = signals::stop_signals()
        .map_err(|e| CliError::usage(command, format_args!("cannot take SIGTERM/SIGINT: {e}")))?;
    CliError::service(command, run_forever::<S>(settings, stop))
}
