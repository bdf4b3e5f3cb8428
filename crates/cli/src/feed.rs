//! `harvest feed`: plays price files into Redis as the running system's candle cache holds them
//! (a thin shell over `harvest_publisher::feed`), with paper positions from an entries file.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use harvest_market::{format_iso, import_prices, parse_time};
use harvest_publisher::feed::candle::{interval_name, DEFAULT_KEEP, DEFAULT_KEY};
use harvest_publisher::feed::paper::{read_entries, Book, Entry};
use harvest_publisher::feed::play::Tape;
use harvest_publisher::feed::service::{self, log, Settings};
use harvest_publisher::runtime::settings::{switch, symbols, text, ConfigError, Shard};
use harvest_publisher::runtime::signals;

use crate::error::{CliError, CliResult};

/// Options of `feed`.
#[derive(Debug, Args)]
pub struct FeedArgs {
    /// Price files, each `SYMBOL=FILE` (or a FILE with --symbol): any layout `harvest
    /// market-state` reads.
    #[arg(required = true, value_name = "SYMBOL=FILE")]
    pub files: Vec<String>,
    /// The symbol of a single FILE given without `SYMBOL=`.
    #[arg(long)]
    pub symbol: Option<String>,
    /// Redis URL (`redis://`, `rediss://`; with --cluster, comma-separated seed nodes).
    #[arg(long, env = "REDIS_URL", default_value = "redis://127.0.0.1:6379", value_parser = text)]
    pub redis_url: String,
    /// The URL(s) name a Redis Cluster.
    #[arg(long, env = "REDIS_CLUSTER", value_parser = switch,
          num_args = 0..=1, default_value = "false", default_missing_value = "true")]
    pub cluster: bool,
    /// Seconds of bars played per second of wall time (3600: an hour of bars a second).
    #[arg(long, default_value_t = 60.0)]
    pub speed: f64,
    /// Play from the first bar at or after this time (epoch seconds or ISO UTC); default: after
    /// the history.
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Play up to this time (inclusive).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// At the end, start again from --from with the times shifted forward (the cache's times
    /// keep rising; open paper positions are closed first).
    #[arg(long = "loop")]
    pub looping: bool,
    /// Bars before the start written at once, as a cache that was filled before the play.
    #[arg(long, default_value_t = 300, value_name = "N")]
    pub history: usize,
    /// Candles kept per symbol (the oldest are removed, as the running system's cache keeps 500).
    #[arg(long, default_value_t = DEFAULT_KEEP, value_name = "N")]
    pub keep: usize,
    /// The candle key, `{symbol}` for the symbol (a sorted set of JSON candles scored by time).
    #[arg(long, default_value = DEFAULT_KEY, value_name = "TEMPLATE")]
    pub key: String,
    /// Paper positions (a SIMULATION): `time,side[,symbol]` lines (side LONG/SHORT opens,
    /// FLAT closes) or the JSON lines of `harvest backtest` (each trade held for its bars).
    #[arg(long, value_name = "ENTRIES")]
    pub positions: Option<PathBuf>,
    /// Hold each paper position this many bars (then it closes), instead of until the next
    /// entry or FLAT line (CSV) or the trade's own bars (`harvest backtest` lines).
    #[arg(long, value_name = "BARS")]
    pub hold: Option<usize>,
    /// Quantity of each paper position.
    #[arg(long, default_value_t = 1.0)]
    pub qty: f64,
    /// Seconds between progress lines.
    #[arg(long, default_value_t = 10.0)]
    pub progress: f64,
}

fn read_text(path: &std::path::Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{} is not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to() + 1
        )
    })
}

fn time_arg(name: &str, v: &Option<String>) -> Result<Option<i64>, String> {
    v.as_ref()
        .map(|t| {
            parse_time(t)
                .map_err(|e| format!("--{name} `{t}` is no time (epoch seconds or ISO UTC): {e}"))
        })
        .transpose()
}

fn settings(args: &FeedArgs) -> Result<Settings, String> {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return Err(format!(
            "--speed {} must be a number > 0 (seconds of bars a second, e.g. 3600)",
            args.speed
        ));
    }
    if !(args.qty.is_finite() && args.qty > 0.0) {
        return Err(format!("--qty {} must be a number > 0", args.qty));
    }
    if args.keep == 0 {
        return Err("--keep 0 must be at least 1 candle".into());
    }
    if !args.key.contains("{symbol}") {
        return Err(format!(
            "--key {:?} has no {{symbol}}: every symbol would write the same key",
            args.key
        ));
    }
    if !(args.progress.is_finite() && args.progress > 0.0) {
        return Err(format!("--progress {} must be seconds > 0", args.progress));
    }
    let from = time_arg("from", &args.from)?;
    let until = time_arg("until", &args.until)?;
    let mut tapes = Vec::new();
    for spec in &args.files {
        let (symbol, path) = match spec.split_once('=') {
            Some((s, p)) => (s.to_string(), PathBuf::from(p)),
            None => match (&args.symbol, args.files.len()) {
                (Some(s), 1) => (s.clone(), PathBuf::from(spec)),
                (Some(_), _) => {
                    return Err(format!(
                        "{spec}: with several files, name each one's symbol: SYMBOL={spec}"
                    ))
                }
                (None, _) => {
                    return Err(format!(
                        "{spec}: name its symbol: BTCUSDT={spec} (or --symbol BTCUSDT)"
                    ))
                }
            },
        };
        let symbol = match symbols(&symbol, Shard::default()) {
            Ok(list) if list.len() == 1 && list[0] == symbol.trim() => list[0].clone(),
            _ => return Err(ConfigError::BadSymbol(symbol).to_string()),
        };
        if tapes.iter().any(|t: &Tape| t.symbol == symbol) {
            return Err(format!("{symbol} is given twice"));
        }
        let text = read_text(&path)?;
        let import = import_prices(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        for p in &import.problems {
            log(&format!("{}: {p}", path.display()));
        }
        let tape = Tape::new(
            &symbol,
            import.bars,
            from,
            until,
            args.history,
            args.looping,
        )
        .map_err(|e| e.to_string())?;
        log(&format!(
            "{symbol}: {} ({}): {} bars of {} to play from {}, {} before it as history, into {} at {}× (a bar every {:.3} s){}",
            path.display(),
            import.format.label(),
            tape.len(),
            interval_name(tape.seconds()),
            format_iso(tape.start_time()),
            tape.history().len(),
            args.key.replace("{symbol}", &symbol),
            args.speed,
            tape.seconds() as f64 / args.speed,
            if args.looping { ", looping" } else { "" }
        ));
        tapes.push(tape);
    }
    let mut books: Vec<Option<Book>> = vec![None; tapes.len()];
    if let Some(path) = &args.positions {
        let entries = read_entries(&read_text(path)?);
        for p in &entries.problems {
            log(&format!("{}: {p}", path.display()));
        }
        let mut per: Vec<Vec<Entry>> = vec![Vec::new(); tapes.len()];
        if args.hold == Some(0) {
            return Err("--hold 0 must be at least 1 bar".into());
        }
        for mut e in entries.entries {
            if args.hold.is_some() {
                e.bars = args.hold;
            }
            let at = match &e.symbol {
                None if tapes.len() == 1 => 0,
                None => {
                    return Err(format!(
                        "{}: entries without a symbol, but {} symbols are fed: add the symbol as a third column",
                        path.display(),
                        tapes.len()
                    ))
                }
                Some(s) => tapes.iter().position(|t| &t.symbol == s).ok_or_else(|| {
                    format!(
                        "{}: an entry for {s}, which is not fed (fed: {})",
                        path.display(),
                        tapes.iter().map(|t| t.symbol.as_str()).collect::<Vec<_>>().join(", ")
                    )
                })?,
            };
            per[at].push(e);
        }
        for (i, e) in per.into_iter().enumerate() {
            log(&format!(
                "{}: PAPER positions (a simulation, not trades): {} entries from {}",
                tapes[i].symbol,
                e.len(),
                path.display()
            ));
            books[i] = Some(Book::new(&tapes[i].symbol, e, args.qty));
        }
    }
    Ok(Settings {
        redis_url: args.redis_url.clone(),
        cluster: args.cluster,
        key_template: args.key.clone(),
        keep: args.keep,
        speed: args.speed,
        tapes,
        books,
        progress: Duration::from_secs_f64(args.progress),
    })
}

/// Runs `harvest feed`: 0 when every file was played (or on SIGTERM/SIGINT), 2 for bad input or
/// Redis unreachable at the start.
///
/// # Errors
/// [`CliError::Usage`] for refused input or signal handlers; [`CliError::Service`] when Redis is
/// unreachable at the start.
pub fn run(args: &FeedArgs) -> CliResult {
    const CMD: &str = "feed";
    let stop = signals::stop_signals()
        .map_err(|e| CliError::usage(CMD, format_args!("cannot take SIGTERM/SIGINT: {e}")))?;
    let settings =
        settings(args).map_err(|e| CliError::usage(CMD, format_args!("refusing to start: {e}")))?;
    let (code, _) = service::run(settings, stop);
    CliError::service(CMD, code)
}
