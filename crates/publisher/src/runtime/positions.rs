//! Where each symbol's position comes from, as the running services find it: with `auto`, the
//! position hashes when any symbol has a readable one, else the newest 100 entries of the
//! execution stream (and never invented positions); `redis_hash` / `redis_stream` one of them.

use std::collections::BTreeMap;

use harvest_records::keys::{position_key, EXECUTION_STREAM};
use harvest_records::position::{self, newest_per_symbol, stream_entry_key, Origin, PositionRead};
use harvest_records::{fields::FieldError, Fields};
use harvest_redis::{redis::RedisResult, KeyError, Store};

use super::settings::PositionSource;

/// Stream entries the running services read positions from (the newest, `XREVRANGE … COUNT`).
pub const STREAM_COUNT: usize = 100;

/// A symbol's position record as found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The hash key, or `quantum:stream:execution entry <id>`.
    pub key: String,
    /// Hash or stream entry.
    pub origin: Origin,
    /// Its fields.
    pub fields: Fields,
}

impl Found {
    /// The record read for `symbol` (`Ok(None)`: empty).
    ///
    /// # Errors
    /// A field that cannot be read, named.
    pub fn read(&self, symbol: &str) -> Result<Option<PositionRead>, FieldError> {
        position::parse(&self.key, symbol, self.origin, &self.fields)
    }
}

/// Which source the positions of this cycle came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Used {
    /// The position hashes.
    Hashes,
    /// The newest entries of the execution stream.
    Stream,
}

/// Every symbol's position record (or its problem) for one cycle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Positions {
    /// Per symbol: the record found, `Ok(None)` for none, `Err` when its key cannot be read.
    pub by_symbol: BTreeMap<String, Result<Option<Found>, String>>,
    /// The source used (`None` when nothing was read).
    pub used: Option<Used>,
}

impl Positions {
    /// The record of `symbol` (`Ok(None)` when it has none).
    ///
    /// # Errors
    /// Why its key could not be read.
    pub fn get(&self, symbol: &str) -> Result<Option<&Found>, &str> {
        match self.by_symbol.get(symbol) {
            None | Some(Ok(None)) => Ok(None),
            Some(Ok(Some(f))) => Ok(Some(f)),
            Some(Err(e)) => Err(e),
        }
    }

    /// Where a symbol's position was looked for (the no-position log line).
    pub fn looked_in(&self, symbol: &str) -> String {
        match self.used {
            Some(Used::Stream) => {
                format!("the newest {STREAM_COUNT} entries of {EXECUTION_STREAM} (no {symbol})")
            }
            _ => position_key(symbol),
        }
    }
}

fn hash_positions(
    store: &mut Store,
    symbols: &[String],
) -> RedisResult<BTreeMap<String, Result<Option<Found>, String>>> {
    let keys: Vec<String> = symbols.iter().map(|s| position_key(s)).collect();
    let reads = store.read_hashes(&keys)?;
    Ok(symbols
        .iter()
        .zip(keys)
        .zip(reads)
        .map(|((s, key), r)| {
            let v = match r {
                Ok(f) if f.is_empty() => Ok(None),
                Ok(fields) => Ok(Some(Found {
                    key,
                    origin: Origin::Hash,
                    fields,
                })),
                Err(e) => Err(e.to_string()),
            };
            (s.clone(), v)
        })
        .collect())
}

fn stream_positions(
    store: &mut Store,
    symbols: &[String],
) -> RedisResult<BTreeMap<String, Result<Option<Found>, String>>> {
    let entries = match store.newest_entries(EXECUTION_STREAM, STREAM_COUNT)? {
        Ok(e) => e,
        Err(e) => {
            let msg = stream_problem(&e);
            return Ok(symbols
                .iter()
                .map(|s| (s.clone(), Err(msg.clone())))
                .collect());
        }
    };
    let newest = newest_per_symbol(&entries, symbols);
    Ok(symbols
        .iter()
        .map(|s| {
            let found = newest.get(s).map(|(id, fields)| Found {
                key: stream_entry_key(id),
                origin: Origin::Stream,
                fields: fields.clone(),
            });
            (s.clone(), Ok(found))
        })
        .collect())
}

fn stream_problem(e: &KeyError) -> String {
    format!("{e} (the positions of symbols without a hash are read from it)")
}

/// Reads every symbol's position record from `source`.
///
/// `auto`: the hashes; if no symbol has one that reads as a position or as FLAT, the newest
/// [`STREAM_COUNT`] entries of `quantum:stream:execution` (each symbol's newest entry among
/// them).
///
/// # Errors
/// The connection failed (a key of the wrong type is that symbol's problem, not an error).
pub fn read(
    store: &mut Store,
    symbols: &[String],
    source: PositionSource,
) -> RedisResult<Positions> {
    if source == PositionSource::RedisStream {
        return Ok(Positions {
            by_symbol: stream_positions(store, symbols)?,
            used: Some(Used::Stream),
        });
    }
    let hashes = hash_positions(store, symbols)?;
    let any = hashes.iter().any(|(s, r)| match r {
        Ok(Some(f)) => f.read(s).is_ok(),
        _ => false,
    });
    if source == PositionSource::RedisHash || any {
        return Ok(Positions {
            by_symbol: hashes,
            used: Some(Used::Hashes),
        });
    }
    // No symbol has a usable hash: the stream, as the running publisher; a symbol whose hash is
    // unreadable keeps that problem.
    let mut by_symbol = stream_positions(store, symbols)?;
    for (s, r) in hashes {
        if let Err(e) = r {
            by_symbol.insert(s, Err(e));
        }
    }
    Ok(Positions {
        by_symbol,
        used: Some(Used::Stream),
    })
}
