//! Reading published proposals from Redis (the hashes `quantum:harvest:proposal:<SYM>` and the
//! stream `quantum:stream:harvest.proposal`) for `harvest verify --redis` and `harvest
//! snapshot`, through the one Redis connection (`harvest_redis`: TLS, Cluster). The records are
//! `harvest_records`'; the checks `harvest_features::reviewer::published`'s.

use crate::error::{CliError, CliResult};
use std::io::{self, Write};

use clap::Args;

use harvest_features::reviewer::published::{review, Context, PositionContext, Record};
use harvest_features::reviewer::verify::{csv_row, Counts, Receipt, CSV_HEADER};
use harvest_kernel::{Theta, Tolerance, Verdict};
use harvest_publisher::runtime::positions;
use harvest_publisher::runtime::settings::PositionSource;
use harvest_records::keys::{
    position_key, proposal_key, POLICY_KEY, PROPOSAL_PREFIX, PROPOSAL_STREAM,
};
use harvest_records::policy::PolicyLine;
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

/// What `harvest snapshot` saves and `verify --redis` reviews: the policy record as read, then the
/// published records, each with its symbol's position record (hashes only: a stream's history
/// is not matched with today's positions).
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// `quantum:policy:current` and when it was read.
    pub policy: PolicyLine,
    /// The records.
    pub records: Vec<Record>,
}

impl Snapshot {
    /// The lines `harvest snapshot` writes (without newlines): the policy line, then a record a
    /// line. `verify --redis`'s receipt hashes exactly these.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(self.policy.to_json()).chain(self.records.iter().map(record_line))
    }
}

/// The policy record (empty when there is none, or when the key holds another type: then said
/// on stderr).
///
/// # Errors
/// The connection failed.
pub fn read_policy(store: &mut Store, who: &str) -> Result<PolicyLine, RedisError> {
    let fields = match store.read_hashes(&[POLICY_KEY.to_string()])?.pop() {
        Some(Ok(f)) => f,
        Some(Err(e)) => {
            eprintln!("harvest {who}: {e}: read as no policy");
            Fields::new()
        }
        None => Fields::new(),
    };
    Ok(PolicyLine {
        key: POLICY_KEY.to_string(),
        fields,
        read_at: now(),
    })
}

/// Unix seconds now.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Each record's position record, as the publisher finds positions (`auto`): the hashes, or the
/// execution stream's newest entries when no symbol has a hash. A symbol without one gets an
/// empty record (it was looked for: the position is gone).
///
/// # Errors
/// The connection failed.
pub fn attach_positions(store: &mut Store, records: &mut [Record]) -> Result<(), RedisError> {
    let symbols: Vec<String> = records
        .iter()
        .filter(|r| !r.fields.contains_key("read_error"))
        .filter_map(|r| r.symbol().map(str::to_string))
        .collect();
    if symbols.is_empty() {
        return Ok(());
    }
    let found = positions::read(store, &symbols, PositionSource::Auto)?;
    for r in records.iter_mut() {
        let Some(sym) = r.symbol().map(str::to_string) else {
            continue;
        };
        if r.fields.contains_key("read_error") {
            continue;
        }
        r.position = Some(match found.get(&sym) {
            Ok(Some(f)) => PositionContext {
                key: f.key.clone(),
                fields: f.fields.clone(),
            },
            // No record, or one that cannot be read (named on stderr): nothing to compare with.
            Ok(None) => PositionContext {
                key: position_key(&sym),
                fields: Fields::new(),
            },
            Err(e) => {
                eprintln!("harvest: {sym}'s position: {e}");
                continue;
            }
        });
    }
    Ok(())
}

/// Reads what `src` names.
///
/// # Errors
/// [`ReadError::Connect`] or [`ReadError::Read`], naming the URL.
pub fn read(src: &RedisSource) -> Result<Snapshot, ReadError> {
    let url = src.redis.as_deref().unwrap_or_default();
    let connect = |error| ReadError::Connect {
        url: harvest_redis::redacted(url),
        error,
    };
    let mut store = Store::open(url, src.cluster, timeouts()).map_err(connect)?;
    store.connect().map_err(connect)?;
    let mut got = || -> Result<Snapshot, RedisError> {
        let policy = read_policy(&mut store, "")?;
        let records = match &src.stream {
            Some(stream) => read_stream(&mut store, stream, src.count)?,
            None => {
                let mut r = read_hashes(&mut store, &src.symbols)?;
                attach_positions(&mut store, &mut r)?;
                r
            }
        };
        Ok(Snapshot { policy, records })
    };
    got().map_err(|error| ReadError::Read {
        url: store.url().to_string(),
        error,
    })
}

/// One record as a JSON line (fields in name order), as `harvest snapshot` writes it.
pub fn record_line(r: &Record) -> String {
    r.to_json()
}

/// `harvest snapshot`: the policy line, then the records as JSON Lines on stdout; exit 2 when
/// Redis cannot be read.
pub fn snapshot(src: &RedisSource, out: &mut impl Write) -> CliResult {
    let snap = match read(src) {
        Ok(r) => r,
        Err(e) => {
            return Err(CliError::usage("snapshot", e));
        }
    };
    for line in snap.lines() {
        writeln!(out, "{line}")?;
    }
    let records = &snap.records;
    let bad = records
        .iter()
        .filter(|r| r.fields.contains_key("read_error"))
        .count();
    eprintln!(
        "harvest snapshot: {} records{}, {} position records, the policy record{}",
        records.len(),
        if bad > 0 {
            format!(" ({bad} could not be read: see their read_error)")
        } else {
            String::new()
        },
        records
            .iter()
            .filter(|r| r.position.as_ref().is_some_and(|p| !p.fields.is_empty()))
            .count(),
        if snap.policy.fields.is_empty() {
            " (none)"
        } else {
            ""
        }
    );
    Ok(())
}

/// `harvest verify --redis`: every record reviewed, one verdict per line, the receipt's digest
/// over the records as `harvest snapshot` writes them (so verifying the snapshot file gives the
/// same SHA-256). Exit 1 if anything mismatched or was invalid, 2 if Redis cannot be read.
pub fn verify(
    src: &RedisSource,
    tol: Tolerance,
    theta: Option<&Theta>,
    format: Format,
    (receipt_path, save): (Option<&std::path::Path>, Option<&std::path::Path>),
    out: &mut impl Write,
) -> CliResult {
    let snap = match read(src) {
        Ok(r) => r,
        Err(e) => return Err(CliError::usage("verify", e)),
    };
    if let Some(path) = save {
        let mut text = String::new();
        for line in snap.lines() {
            text.push_str(&line);
            text.push('\n');
        }
        std::fs::write(path, text)?;
    }
    let ctx = Context::of_policy(&snap.policy, theta);
    if let Format::Csv = format {
        writeln!(out, "{CSV_HEADER}")?;
    }
    let mut counts = Counts::default();
    let mut sha = Sha256::new();
    let mut bytes = 0u64;
    let mut lines = 0;
    // Numbered as the lines of the snapshot file (the policy line is line 1).
    for (i, line) in snap.lines().enumerate() {
        sha.update(line.as_bytes());
        sha.update(b"\n");
        bytes += line.len() as u64 + 1;
        lines += 1;
        let Some(r) = i.checked_sub(1).map(|k| &snap.records[k]) else {
            continue;
        };
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
    let records = &snap.records;
    let receipt = Receipt::new(tol, format!("{:x}", sha.finalize()), bytes, lines, counts);
    eprintln!("harvest verify: {}", receipt.summary_line());
    let partial = records
        .iter()
        .filter(|r| !r.fields.contains_key("proposal_json") && !r.fields.contains_key("read_error"))
        .count();
    if partial > 0 {
        eprintln!(
            "harvest verify: {partial} records have no proposal_json: verified as the running \
             publisher computes, as far as their fields allow (see each row's \"unchecked\"), \
             with the {}",
            ctx.in_force
                .as_ref()
                .map_or_else(|| "default theta".to_string(), |t| t.describe())
        );
    }
    if let Some(path) = receipt_path {
        let json = serde_json::to_string_pretty(&receipt).map_err(io::Error::other)?;
        std::fs::write(path, json + "\n")?;
    }
    if receipt.counts.verdict(Verdict::Mismatch) == 0
        && receipt.counts.verdict(Verdict::Invalid) == 0
    {
        Ok(())
    } else {
        Err(CliError::found("verify"))
    }
}
