//! Reading published proposals from Redis (the hashes `quantum:harvest:proposal:<SYM>` and the
//! stream `quantum:stream:harvest.proposal`) for `harvest verify --redis` and `harvest
//! snapshot`, through the one Redis connection (`harvest_redis`: TLS, Cluster). The records are
//! `harvest_records`'; the checks `harvest_features::reviewer::published`'s.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Args;

use harvest_features::reviewer::published::{review, Context, Record};
use harvest_features::reviewer::verify::{csv_row, Counts, Receipt, CSV_HEADER};
use harvest_kernel::{Theta, Tolerance, Verdict};
use harvest_records::keys::{proposal_key, PROPOSAL_PREFIX, PROPOSAL_STREAM};
use harvest_records::published::named;
use harvest_records::Fields;
use harvest_redis::{redis::RedisError, Store, Timeouts};
use sha2::{Digest as _, Sha256};

use crate::Format;

/// Where published records are read from (shared by `verify` and `snapshot`).
#[derive(Debug, Args, Clone)]
pub struct RedisSource {
    /// Read the published proposals from this Redis (`redis://127.0.0.1:6379/0`, `rediss://`
    /// for TLS): every `quantum:harvest:proposal:*` hash, or those of `--symbols`.
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
    /// The URL is a comma-separated list of Redis Cluster seed nodes.
    #[arg(long, requires = "redis")]
    pub cluster: bool,
    /// Only these symbols' hashes (comma-separated), e.g. `BTCUSDT,ETHUSDT`.
    #[arg(long, value_delimiter = ',', requires = "redis")]
    pub symbols: Vec<String>,
    /// Read the history in this stream instead of the hashes (e.g.
    /// `quantum:stream:harvest.proposal`), the last `--count` entries, oldest first.
    #[arg(long, value_name = "KEY", requires = "redis", num_args = 0..=1, default_missing_value = PROPOSAL_STREAM)]
    pub stream: Option<String>,
    /// How many stream entries to read.
    #[arg(long, default_value_t = 1000, requires = "stream")]
    pub count: usize,
}

/// Connect and reply timeouts of the readers (a reply may be a large pipeline).
fn timeouts() -> Timeouts {
    Timeouts {
        connect: std::time::Duration::from_secs(3),
        response: std::time::Duration::from_secs(30),
    }
}

/// A record that could not be read at `key`, as a record: the reviewer makes it one INVALID row
/// naming the problem (`harvest snapshot` writes it as such a line).
pub fn unreadable(key: &str, problem: String) -> Record {
    let mut f = Fields::new();
    f.insert("key".to_string(), key.to_string());
    if let Some(sym) = key.strip_prefix(PROPOSAL_PREFIX) {
        f.insert("symbol".to_string(), sym.to_string());
    }
    f.insert("read_error".to_string(), problem);
    Record::of(f)
}

/// The records of the proposal hashes (all, or `symbols`'), in key order, each with `key` and
/// `symbol`; a key that cannot be read as a hash is a record saying so. Missing hashes of
/// `symbols` are named on stderr.
///
/// # Errors
/// The connection failed.
pub fn read_hashes(store: &mut Store, symbols: &[String]) -> Result<Vec<Record>, RedisError> {
    let keys = if symbols.is_empty() {
        store.scan_keys(&format!("{PROPOSAL_PREFIX}*"))?
    } else {
        symbols.iter().map(|s| proposal_key(s)).collect()
    };
    let reads = store.read_hashes(&keys)?;
    let mut records = Vec::with_capacity(keys.len());
    for (key, r) in keys.iter().zip(reads) {
        match r {
            Ok(f) => match named(key, f) {
                Some(f) => records.push(Record::of(f)),
                None => eprintln!("harvest: no published proposal at {key}"),
            },
            Err(e) => records.push(unreadable(key, e.to_string())),
        }
    }
    Ok(records)
}

/// The last `count` entries of `stream`, oldest first, each with its entry id as `stream_id`; a
/// key that is no stream is one record saying so.
///
/// # Errors
/// The connection failed.
pub fn read_stream(
    store: &mut Store,
    stream: &str,
    count: usize,
) -> Result<Vec<Record>, RedisError> {
    Ok(match store.newest_entries(stream, count)? {
        Ok(entries) => entries
            .into_iter()
            .rev()
            .map(|(id, mut f)| {
                f.insert("stream_id".to_string(), id);
                Record::of(f)
            })
            .collect(),
        Err(e) => vec![unreadable(stream, e.to_string())],
    })
}

/// Why the published records could not be read (a line for stderr; the command exits 2).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// No connection (bad URL, refused, timed out).
    #[error("cannot reach Redis at {url}: {error}")]
    Connect {
        /// The `--redis` URL (password redacted).
        url: String,
        /// What the client said.
        error: RedisError,
    },
    /// Connected, but the connection failed while reading.
    #[error("reading from Redis at {url}: {error}")]
    Read {
        /// The `--redis` URL (password redacted).
        url: String,
        /// What the client said.
        error: RedisError,
    },
}

/// Reads what `src` names.
///
/// # Errors
/// [`ReadError::Connect`] or [`ReadError::Read`], naming the URL.
pub fn read(src: &RedisSource) -> Result<Vec<Record>, ReadError> {
    let url = src.redis.as_deref().unwrap_or_default();
    let connect = |error| ReadError::Connect {
        url: harvest_redis::redacted(url),
        error,
    };
    let mut store = Store::open(url, src.cluster, timeouts()).map_err(connect)?;
    store.connect().map_err(connect)?;
    let got = match &src.stream {
        Some(stream) => read_stream(&mut store, stream, src.count),
        None => read_hashes(&mut store, &src.symbols),
    };
    got.map_err(|error| ReadError::Read {
        url: store.url().to_string(),
        error,
    })
}

/// One record as a JSON line (fields in name order), as `harvest snapshot` writes it.
pub fn record_line(r: &Record) -> String {
    r.to_json()
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
    for r in &records {
        writeln!(out, "{}", record_line(r))?;
    }
    let bad = records
        .iter()
        .filter(|r| r.fields.contains_key("read_error"))
        .count();
    eprintln!(
        "harvest snapshot: {} records{}",
        records.len(),
        if bad > 0 {
            format!(" ({bad} could not be read: see their read_error)")
        } else {
            String::new()
        }
    );
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
    let ctx = Context::with_theta(theta);
    if let Format::Csv = format {
        writeln!(out, "{CSV_HEADER}")?;
    }
    let mut counts = Counts::default();
    let mut sha = Sha256::new();
    let mut bytes = 0u64;
    for (i, r) in records.iter().enumerate() {
        let line = record_line(r) + "\n";
        sha.update(line.as_bytes());
        bytes += line.len() as u64;
        let row = review(i + 1, r, &tol, &ctx);
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
        .filter(|r| !r.fields.contains_key("proposal_json") && !r.fields.contains_key("read_error"))
        .count();
    if partial > 0 {
        eprintln!(
            "harvest verify: {partial} records have no proposal_json: verified as the running \
             publisher computes, as far as their fields allow (see each row's \"unchecked\")"
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
