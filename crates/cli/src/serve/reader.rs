//! The Redis side of `serve`: one thread that reads Redis through the one Redis connection
//! (`harvest_redis`: TLS, Cluster) while pages are connected, and not at all while none is.
//!
//! On a connection: a snapshot of every proposal hash (with its position record), the theta in
//! force and the recent history of the proposal stream; then new stream entries as they come
//! (XREAD BLOCK) and, every `--poll-ms`, the hashes again for publishers that do not write the
//! stream. A key that cannot be read (the wrong type) is a record saying so, which the page shows
//! as INVALID; the others are read. Redis going away is reported to the pages and retried with
//! backoff; the server never stops for it. When the last page leaves, the connection is closed
//! and the state dropped; the next page wakes the thread.

use std::sync::Arc;
use std::time::{Duration, Instant};

use harvest_features::live::ThetaEvent;
use harvest_features::reviewer::published::Record;
use harvest_redis::{redis::RedisError, Store, Timeouts};

use super::live::Live;
use super::ServeArgs;
use crate::published::{attach_positions, read_hashes, read_policy};

/// Why a connection's life ended.
enum End {
    /// No page is connected any more.
    Idle,
    /// Redis failed (or went away).
    Lost(RedisError),
}

/// Reads Redis for as long as the server runs: waits for a page, (re)connects with backoff
/// (0.5 s doubling to 10 s), never returns.
pub(super) fn run(url: String, args: ServeArgs, live: Arc<Live>) {
    let mut failures = 0u32;
    loop {
        live.wait_for_a_page();
        let started = Instant::now();
        let err = match follow(&url, &args, &live) {
            End::Idle => {
                live.go_idle();
                eprintln!("harvest serve: no page connected: Redis is not read until one is");
                failures = 0;
                continue;
            }
            End::Lost(e) => e,
        };
        if started.elapsed() > Duration::from_secs(30) {
            failures = 0;
        }
        failures += 1;
        let wait = harvest_redis::backoff(failures, Duration::from_secs(10));
        let msg = format!(
            "Redis at {}: {err}; retrying in {:.1} s",
            harvest_redis::redacted(&url),
            wait.as_secs_f64()
        );
        eprintln!("harvest serve: {msg}");
        live.set_status(msg);
        live.read_failed();
        std::thread::sleep(wait);
    }
}

/// One connection's life: snapshot, then follow while pages are connected.
fn follow(url: &str, args: &ServeArgs, live: &Live) -> End {
    let block = Duration::from_millis(args.poll_ms.clamp(50, 5000));
    let timeouts = Timeouts {
        connect: Duration::from_secs(3),
        response: block + Duration::from_secs(10),
    };
    let mut store = match Store::open(url, args.cluster, timeouts) {
        Ok(s) => s,
        Err(e) => return End::Lost(e),
    };
    if let Err(e) = store.connect() {
        return End::Lost(e);
    }
    // The snapshot: hashes (with their position records), the theta in force and the stream's
    // recent history.
    let hashes = match read_state(&mut store, args, live, true) {
        Ok(h) => h,
        Err(e) => return End::Lost(e),
    };
    let (recent, mut stream_problem) = match store.newest_entries(&args.stream, args.history) {
        Ok(Ok(r)) => (r, None),
        Ok(Err(e)) => (Vec::new(), Some(e.to_string())),
        Err(e) => return End::Lost(e),
    };
    let mut last_id = recent
        .first()
        .map_or_else(|| "0-0".to_string(), |(id, _)| id.clone());
    let history = recent
        .into_iter()
        .rev()
        .map(|(id, f)| with_id(id, f))
        .filter(|r| wanted(r, &args.symbols))
        .collect();
    live.load(hashes, history);
    eprintln!(
        "harvest serve: connected to Redis at {}",
        harvest_redis::redacted(url)
    );
    if let Some(p) = &stream_problem {
        eprintln!("harvest serve: {p}: following the hashes only");
    }
    let mut polled = Instant::now();
    loop {
        if live.pages() == 0 {
            return End::Idle;
        }
        if stream_problem.is_none() {
            match store.read_after(&args.stream, &last_id, block, 1000) {
                Ok(Ok(entries)) => {
                    for (id, f) in entries {
                        last_id = id.clone();
                        let r = with_id(id, f);
                        if wanted(&r, &args.symbols) {
                            live.offer(r);
                        }
                    }
                }
                Ok(Err(e)) => {
                    eprintln!("harvest serve: {e}: following the hashes only");
                    stream_problem = Some(e.to_string());
                }
                Err(e) => return End::Lost(e),
            }
        } else {
            std::thread::sleep(block);
        }
        if polled.elapsed() >= Duration::from_millis(args.poll_ms) {
            polled = Instant::now();
            match read_state(&mut store, args, live, false) {
                Ok(h) => live.sync(h),
                Err(e) => return End::Lost(e),
            }
        }
    }
}

/// The records of the proposal hashes with their position records, and the theta in force
/// (the policy record, unless `--theta`), kept in `live` (`quiet`: not announced, a snapshot
/// follows).
fn read_state(
    store: &mut Store,
    args: &ServeArgs,
    live: &Live,
    quiet: bool,
) -> Result<Vec<Record>, RedisError> {
    let mut records = read_hashes(store, &args.symbols)?;
    attach_positions(store, &mut records)?;
    if args.theta.is_none() {
        let policy = read_policy(store, "serve")?;
        live.set_theta(ThetaEvent::Policy(policy), quiet);
    }
    Ok(records)
}

fn with_id(id: String, mut f: harvest_records::Fields) -> Record {
    f.insert("stream_id".to_string(), id);
    Record::of(f)
}

fn wanted(r: &Record, symbols: &[String]) -> bool {
    symbols.is_empty() || r.symbol().is_some_and(|s| symbols.iter().any(|w| w == s))
}
