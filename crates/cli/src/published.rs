//! Reading published proposals from Redis (the hashes `quantum:harvest:proposal:<SYM>` and the
//! stream `quantum:stream:harvest.proposal`) for `harvest verify --redis` and `harvest
//! snapshot`; the checks themselves are `harvest_features::reviewer::published`'s.

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use harvest_features::reviewer::published::{review_fields, Fields, HASH_PREFIX, STREAM_KEY};
use harvest_features::reviewer::verify::{csv_row, Counts, Receipt, CSV_HEADER};
use harvest_kernel::{Theta, Tolerance, Verdict};
use sha2::{Digest as _, Sha256};

use crate::Format;

/// Where published records are read from (shared by `verify` and `snapshot`).
#[derive(Debug, Args, Clone)]
pub struct RedisSource {
    /// Read the published proposals from this Redis (`redis://127.0.0.1:6379/0`): every
    /// `quantum:harvest:proposal:*` hash, or those of `--symbols`.
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
    /// Only these symbols' hashes (comma-separated), e.g. `BTCUSDT,ETHUSDT`.
    #[arg(long, value_delimiter = ',', requires = "redis")]
    pub symbols: Vec<String>,
    /// Read the history in this stream instead of the hashes (e.g.
    /// `quantum:stream:harvest.proposal`), the last `--count` entries, oldest first.
    #[arg(long, value_name = "KEY", requires = "redis", num_args = 0..=1, default_missing_value = STREAM_KEY)]
    pub stream: Option<String>,
    /// How many stream entries to read.
    #[arg(long, default_value_t = 1000, requires = "stream")]
    pub count: usize,
}

/// Opens a connection with timeouts (so an unreachable Redis is an error, not a hang).
fn connect(url: &str) -> redis::RedisResult<redis::Connection> {
    let client = redis::Client::open(url)?;
    let con = client.get_connection_with_timeout(Duration::from_secs(3))?;
    con.set_read_timeout(Some(Duration::from_secs(30)))?;
    con.set_write_timeout(Some(Duration::from_secs(30)))?;
    Ok(con)
}

/// The SCAN of every proposal hash key (`quantum:harvest:proposal:*`, 1,000 keys a round
/// trip): SCAN, never KEYS, so the server keeps serving while it runs.
pub fn hash_key_scan() -> redis::ScanOptions {
    redis::ScanOptions::default()
        .with_pattern(format!("{HASH_PREFIX}*"))
        .with_count(1000)
}

/// Scanned keys in order, each once (SCAN may return a key more than once).
pub fn sorted_keys(mut keys: Vec<String>) -> Vec<String> {
    keys.sort();
    keys.dedup();
    keys
}

/// One pipeline of `HGETALL` for each of `keys`.
pub fn hgetall_pipe(keys: &[String]) -> redis::Pipeline {
    let mut pipe = redis::pipe();
    for k in keys {
        pipe.cmd("HGETALL").arg(k);
    }
    pipe
}

/// The records of the proposal hashes (all, or `symbols`'), in symbol order, each with
/// `symbol` (from its key) when the hash has none. Missing hashes are named on stderr.
pub fn read_hashes(
    con: &mut redis::Connection,
    symbols: &[String],
) -> redis::RedisResult<Vec<Fields>> {
    let keys = if symbols.is_empty() {
        let scan = redis::Commands::scan_options::<String>(con, hash_key_scan())?;
        sorted_keys(scan.collect::<redis::RedisResult<_>>()?)
    } else {
        symbol_keys(symbols)
    };
    let mut records = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(500) {
        let maps: Vec<Fields> = hgetall_pipe(chunk).query(con)?;
        for (key, f) in chunk.iter().zip(maps) {
            match named_record(key, f) {
                Some(f) => records.push(f),
                None => eprintln!("harvest: no published proposal at {key}"),
            }
        }
    }
    Ok(records)
}

/// The proposal hash keys of `symbols` (`quantum:harvest:proposal:<SYM>`).
pub fn symbol_keys(symbols: &[String]) -> Vec<String> {
    symbols
        .iter()
        .map(|s| format!("{HASH_PREFIX}{s}"))
        .collect()
}

/// A hash read at `key` as a record: `None` when it is empty (no such hash), else its fields
/// with `symbol` taken from the key when the hash has none.
pub fn named_record(key: &str, mut f: Fields) -> Option<Fields> {
    if f.is_empty() {
        return None;
    }
    let sym = key.strip_prefix(HASH_PREFIX).unwrap_or(key);
    f.entry("symbol".to_string())
        .or_insert_with(|| sym.to_string());
    Some(f)
}

/// The last `count` entries of `stream`, oldest first, each with its entry id as `stream_id`.
pub fn read_stream(
    con: &mut redis::Connection,
    stream: &str,
    count: usize,
) -> redis::RedisResult<Vec<Fields>> {
    let entries: Vec<(String, Fields)> = redis::cmd("XREVRANGE")
        .arg(stream)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(count)
        .query(con)?;
    Ok(entries
        .into_iter()
        .rev()
        .map(|(id, mut f)| {
            f.insert("stream_id".to_string(), id);
            f
        })
        .collect())
}

/// Why the published records could not be read (a line for stderr; the command exits 2).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// No connection (bad URL, refused, timed out).
    #[error("cannot reach Redis at {url}: {error}")]
    Connect {
        /// The `--redis` URL.
        url: String,
        /// What the client said.
        error: redis::RedisError,
    },
    /// Connected, but a read failed (a key of the wrong type, a lost connection).
    #[error("reading from Redis at {url}: {error}")]
    Read {
        /// The `--redis` URL.
        url: String,
        /// What the server or the client said.
        error: redis::RedisError,
    },
}

/// Reads what `src` names.
///
/// # Errors
/// [`ReadError::Connect`] or [`ReadError::Read`], naming the URL.
pub fn read(src: &RedisSource) -> Result<Vec<Fields>, ReadError> {
    let url = src.redis.as_deref().unwrap_or_default();
    let mut con = connect(url).map_err(|error| ReadError::Connect {
        url: url.to_string(),
        error,
    })?;
    let got = match &src.stream {
        Some(stream) => read_stream(&mut con, stream, src.count),
        None => read_hashes(&mut con, &src.symbols),
    };
    got.map_err(|error| ReadError::Read {
        url: url.to_string(),
        error,
    })
}

/// One record as a JSON line (fields in name order), as `harvest snapshot` writes it.
pub fn record_line(f: &Fields) -> String {
    serde_json::to_string(f).unwrap_or_default()
}

/// `harvest snapshot`: the records as JSON Lines on stdout; exit 2 when Redis cannot be read.
pub fn snapshot(src: &RedisSource, out: &mut impl Write) -> io::Result<ExitCode> {
    let records = match read(src) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("harvest snapshot: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    for f in &records {
        writeln!(out, "{}", record_line(f))?;
    }
    eprintln!("harvest snapshot: {} records", records.len());
    Ok(ExitCode::SUCCESS)
}

/// `harvest verify --redis`: every record reviewed, one verdict per line, the receipt's digest
/// over the records as `harvest snapshot` writes them (so verifying the snapshot file gives the
/// same SHA-256). Exit 1 if anything mismatched or was invalid, 2 if Redis cannot be read.
pub fn verify(
    src: &RedisSource,
    tol: Tolerance,
    theta: Option<&Theta>,
    format: Format,
    receipt_path: Option<&std::path::Path>,
    out: &mut impl Write,
) -> io::Result<ExitCode> {
    let records = match read(src) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("harvest verify: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if let Format::Csv = format {
        writeln!(out, "{CSV_HEADER}")?;
    }
    let mut counts = Counts::default();
    let mut sha = Sha256::new();
    let mut bytes = 0u64;
    for (i, f) in records.iter().enumerate() {
        let line = record_line(f) + "\n";
        sha.update(line.as_bytes());
        bytes += line.len() as u64;
        let row = review_fields(i + 1, f, &tol, theta);
        match format {
            Format::Jsonl => {
                serde_json::to_writer(&mut *out, &row).map_err(io::Error::other)?;
            }
            Format::Csv => out.write_all(csv_row(&row).as_bytes())?,
        }
        writeln!(out)?;
        counts.add(&row);
    }
    let receipt = Receipt::new(
        tol,
        format!("{:x}", sha.finalize()),
        bytes,
        records.len(),
        counts,
    );
    eprintln!("harvest verify: {}", receipt.summary_line());
    let partial = records
        .iter()
        .filter(|f| !f.contains_key("proposal_json"))
        .count();
    if partial > 0 {
        eprintln!(
            "harvest verify: {partial} records have no proposal_json: verified as far as their \
             fields allow (see each row's \"unchecked\")"
        );
    }
    if let Some(path) = receipt_path {
        let json = serde_json::to_string_pretty(&receipt).map_err(io::Error::other)?;
        std::fs::write(path, json + "\n")?;
    }
    Ok(
        if receipt.counts.verdict(Verdict::Mismatch) == 0
            && receipt.counts.verdict(Verdict::Invalid) == 0
        {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        },
    )
}
