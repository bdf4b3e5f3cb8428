//! Where each symbol's position comes from, as the running services find it: with `auto`, the
//! position hashes when any symbol has a readable one, else the newest 100 entries of the
//! execution stream (and never invented positions); `redis_hash` / `redis_stream` one of them.
//! P2.5 reads `quantum:stream:execution` ([`EXECUTION`]); the running P1.5 reads the
//! `POSITION_OPENED` events of `quantum:stream:execution.result` ([`EXECUTION_RESULT`]).

use std::collections::BTreeMap;

use harvest_records::keys::{position_key, EXECUTION_STREAM};
use harvest_records::position::{self, newest_per_symbol, Origin, PositionRead};
use harvest_records::{fields::FieldError, Fields};
use harvest_redis::{redis::RedisResult, KeyError, Store};

use super::settings::PositionSource;

/// Stream entries the running services read positions from (the newest, `XREVRANGE … COUNT`).
pub const STREAM_COUNT: usize = 100;

/// A stream of position events: its key, and the `event_type` an entry must have to count (the
/// others are left out before each symbol's newest is taken).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSource {
    /// The stream's key.
    pub key: &'static str,
    /// The `event_type` of the entries that are positions (`None`: every entry).
    pub event_type: Option<&'static str>,
}

/// P2.5's stream: every entry of `quantum:stream:execution`.
pub const EXECUTION: StreamSource = StreamSource {
    key: EXECUTION_STREAM,
    event_type: None,
};

/// P1.5's stream: the `POSITION_OPENED` entries of `quantum:stream:execution.result`.
pub const EXECUTION_RESULT: StreamSource = StreamSource {
    key: "quantum:stream:execution.result",
    event_type: Some("POSITION_OPENED"),
};

impl StreamSource {
    /// The label of one of its entries as a position source (`<key> entry <id>`).
    pub fn entry_key(&self, id: &str) -> String {
        format!("{} entry {id}", self.key)
    }
}

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
    /// The stream that was (or would have been) read.
    pub stream: Option<StreamSource>,
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
                let stream = self.stream.unwrap_or(EXECUTION);
                let kind = stream.event_type.map_or(String::new(), |t| format!(" {t}"));
                format!(
                    "the newest {STREAM_COUNT} entries of {} (no{kind} {symbol})",
                    stream.key
                )
            }
            _ => position_key(symbol),
        }
    }

    /// The log line of where this cycle's positions came from (`source` as set).
    pub fn source_line(&self, source: PositionSource) -> String {
        match self.used {
            Some(Used::Stream) => {
                let stream = self.stream.unwrap_or(EXECUTION);
                let events = stream
                    .event_type
                    .map_or(String::new(), |t| format!("{t} events among the "));
                format!(
                    "positions: the {events}newest {STREAM_COUNT} entries of {}{}",
                    stream.key,
                    if source == PositionSource::Auto {
                        " (no symbol has a position hash)"
                    } else {
                        ""
                    }
                )
            }
            _ => "positions: the hashes quantum:state:positions:<SYM>".to_string(),
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
    stream: StreamSource,
) -> RedisResult<BTreeMap<String, Result<Option<Found>, String>>> {
    let entries = match store.newest_entries(stream.key, STREAM_COUNT)? {
        Ok(mut e) => {
            if let Some(t) = stream.event_type {
                e.retain(|(_, f)| f.get("event_type").map(String::as_str) == Some(t));
            }
            e
        }
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
                key: stream.entry_key(id),
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

/// Reads every symbol's position record from `source`, as P2.5 does ([`read_from`] with
/// [`EXECUTION`]).
///
/// # Errors
/// The connection failed (a key of the wrong type is that symbol's problem, not an error).
pub fn read(
    store: &mut Store,
    symbols: &[String],
    source: PositionSource,
) -> RedisResult<Positions> {
    read_from(store, symbols, source, EXECUTION)
}

/// Reads every symbol's position record from `source`.
///
/// `auto`: the hashes; if no symbol has one that reads as a position or as FLAT, the newest
/// [`STREAM_COUNT`] entries of `stream` (each symbol's newest entry among those of its
/// `event_type`).
///
/// # Errors
/// The connection failed (a key of the wrong type is that symbol's problem, not an error).
pub fn read_from(
    store: &mut Store,
    symbols: &[String],
    source: PositionSource,
    stream: StreamSource,
) -> RedisResult<Positions> {
    if source == PositionSource::RedisStream {
        return Ok(Positions {
            by_symbol: stream_positions(store, symbols, stream)?,
            used: Some(Used::Stream),
            stream: Some(stream),
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
            stream: Some(stream),
        });
    }
    // No symbol has a usable hash: the stream, as the running publisher; a symbol whose hash is
    // unreadable keeps that problem.
    let mut by_symbol = stream_positions(store, symbols, stream)?;
    for (s, r) in hashes {
        if let Err(e) = r {
            by_symbol.insert(s, Err(e));
        }
    }
    Ok(Positions {
        by_symbol,
        used: Some(Used::Stream),
        stream: Some(stream),
    })
}
