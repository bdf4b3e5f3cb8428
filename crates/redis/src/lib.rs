//! # Harvest Lab's Redis connection
//!
//! The one Redis connection type of every command that reads or writes Redis (`harvest publish`,
//! `verify --redis`, `snapshot`, `serve`, the other services): a single node (`redis://`,
//! `rediss://` over rustls, `unix://`) or a Redis Cluster, connected on demand with timeouts and
//! dropped on a connection error so the next call reconnects ([`backoff`] for the wait);
//! pipelines whose replies come back per command, reads that report a problem per key (a key of
//! the wrong type is one [`KeyError`] naming the key and its type, the other keys are read),
//! SCAN over every primary of a cluster, and stream reads.
//!
//! Not built for wasm. Its test harness (a throwaway `redis-server` on a free loopback port) is
//! behind the `test-support` feature.

use std::collections::BTreeMap;
use std::time::Duration;

use redis::cluster::{ClusterClient, ClusterConnection};
use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
use redis::io::tcp::{socket2::TcpKeepalive, TcpSettings};
use redis::{Client, Cmd, Connection, IntoConnectionInfo, RedisError, RedisResult, Value};

#[cfg(feature = "test-support")]
pub mod local;

/// The `redis` crate this is built with (callers build commands with it).
pub use redis;

/// A record as read: field → text, in name order (bytes that are not UTF-8 are replaced).
pub type Fields = BTreeMap<String, String>;

/// How long connecting, and waiting for a reply, may take before the attempt counts as failed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeouts {
    /// Connecting (TCP + TLS + handshake).
    pub connect: Duration,
    /// One pipeline's replies.
    pub response: Duration,
}

impl Default for Timeouts {
    /// 2 s to connect, 10 s for a reply.
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(2),
            response: Duration::from_secs(10),
        }
    }
}

enum Target {
    Single(Client),
    Cluster(ClusterClient),
}

enum Conn {
    Single(Connection),
    Cluster(Box<ClusterConnection>),
}

/// A Redis server or cluster, connected on demand.
pub struct Store {
    target: Target,
    conn: Option<Conn>,
    timeouts: Timeouts,
    url: String,
}

/// Installs rustls' ring crypto provider once (for `rediss://`); later calls do nothing.
fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// TCP_NODELAY (a pipeline is written whole: Nagle's algorithm would only hold back its last
/// segment until the server's delayed ACK, tens of ms per pipeline) and keep-alive probes after
/// 60 s idle, so a silently dropped connection is noticed.
fn tcp_settings() -> TcpSettings {
    TcpSettings::default()
        .set_nodelay(true)
        .set_keepalive(TcpKeepalive::new().with_time(Duration::from_secs(60)))
}

/// `url` with any password replaced by `***`, for logs and messages.
///
/// ```
/// use harvest_redis::redacted;
/// assert_eq!(redacted("redis://user:secret@host:6379/0"), "redis://user:***@host:6379/0");
/// assert_eq!(redacted("rediss://:pw@a:1,rediss://:pw@b:2"), "rediss://:***@a:1,rediss://:***@b:2");
/// assert_eq!(redacted("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
/// ```
pub fn redacted(url: &str) -> String {
    url.split(',')
        .map(|u| {
            let Some((scheme, rest)) = u.split_once("://") else {
                return u.to_string();
            };
            match rest.split_once('@') {
                Some((auth, host)) => match auth.split_once(':') {
                    Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
                    None => format!("{scheme}://***@{host}"),
                },
                None => u.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl Store {
    /// A store for `url` (`redis://`, `rediss://`, `unix://`); with `cluster`, `url` is a
    /// comma-separated list of seed nodes of a Redis Cluster. Nothing is connected yet.
    ///
    /// # Errors
    /// An unparseable URL.
    ///
    /// ```
    /// use harvest_redis::{Store, Timeouts};
    /// assert!(Store::open("redis://127.0.0.1:6379/0", false, Timeouts::default()).is_ok());
    /// assert!(Store::open("http://x", false, Timeouts::default()).is_err());
    /// ```
    pub fn open(url: &str, cluster: bool, timeouts: Timeouts) -> RedisResult<Store> {
        install_crypto();
        let target = if cluster {
            let nodes: Vec<&str> = url
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            Target::Cluster(
                ClusterClient::builder(nodes)
                    .tcp_settings(tcp_settings())
                    .connection_timeout(timeouts.connect)
                    .response_timeout(timeouts.response)
                    .retries(0)
                    .build()?,
            )
        } else {
            Target::Single(Client::open(
                url.trim()
                    .into_connection_info()?
                    .set_tcp_settings(tcp_settings()),
            )?)
        };
        Ok(Store {
            target,
            conn: None,
            timeouts,
            url: redacted(url),
        })
    }

    /// The URL, password redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether this is a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        matches!(self.target, Target::Cluster(_))
    }

    /// Connects now if not connected (the first call does it anyway).
    ///
    /// # Errors
    /// The server cannot be reached.
    pub fn connect(&mut self) -> RedisResult<()> {
        if self.conn.is_none() {
            let conn = match &self.target {
                Target::Single(c) => {
                    let conn = c.get_connection_with_timeout(self.timeouts.connect)?;
                    conn.set_read_timeout(Some(self.timeouts.response))?;
                    conn.set_write_timeout(Some(self.timeouts.response))?;
                    Conn::Single(conn)
                }
                Target::Cluster(c) => Conn::Cluster(Box::new(c.get_connection()?)),
            };
            self.conn = Some(conn);
        }
        Ok(())
    }

    /// Whether a connection is open.
    pub fn is_connected(&self) -> bool {
        self.conn.is_some()
    }

    /// Drops the connection (the next call reconnects).
    pub fn disconnect(&mut self) {
        self.conn = None;
    }

    fn forget_if_broken<T>(&mut self, result: &RedisResult<T>) {
        if let Err(e) = result {
            if is_connection_error(e) {
                self.conn = None;
            }
        }
    }

    /// Runs `cmds` as one pipeline: one result per command (a server error such as WRONGTYPE
    /// stays with its command). An empty list sends nothing.
    ///
    /// # Errors
    /// The connection failed (it is dropped; the next call reconnects).
    pub fn pipeline(&mut self, cmds: Vec<Cmd>) -> RedisResult<Vec<RedisResult<Value>>> {
        if cmds.is_empty() {
            return Ok(Vec::new());
        }
        self.connect()?;
        let result = match self.conn.as_mut().expect("connected above") {
            Conn::Single(conn) => {
                let mut pipe = redis::pipe();
                for c in cmds {
                    pipe.add_command(c);
                }
                pipe.ignore_errors();
                pipe.query::<Vec<RedisResult<Value>>>(conn)
            }
            Conn::Cluster(conn) => {
                let mut pipe = redis::cluster::cluster_pipe();
                for c in cmds {
                    pipe.add_command(c);
                }
                match pipe.query::<Vec<Value>>(conn) {
                    Ok(values) => Ok(values.into_iter().map(Ok).collect()),
                    // A cluster pipeline fails as a whole on one command's server error: run the
                    // commands one by one so the error stays with its command.
                    Err(e) if !is_connection_error(&e) => {
                        Ok(pipe.cmd_iter().map(|c| c.query::<Value>(conn)).collect())
                    }
                    Err(e) => Err(e),
                }
            }
        };
        self.forget_if_broken(&result);
        result
    }

    /// Runs one command.
    ///
    /// # Errors
    /// The connection failed, or the server refused the command.
    pub fn query(&mut self, cmd: &Cmd) -> RedisResult<Value> {
        self.pipeline(vec![cmd.clone()])?
            .pop()
            .expect("one reply per command")
    }

    /// Runs one command on the primary that owns `slot` (cluster), or on the server.
    fn query_on_slot(&mut self, cmd: &Cmd, slot: Option<u16>) -> RedisResult<Value> {
        self.connect()?;
        let result = match (self.conn.as_mut().expect("connected above"), slot) {
            (Conn::Cluster(conn), Some(slot)) => conn.route_command(
                cmd,
                RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(Route::new(
                    slot,
                    SlotAddr::Master,
                ))),
            ),
            (Conn::Cluster(conn), None) => cmd.query(conn.as_mut()),
            (Conn::Single(conn), _) => cmd.query(conn),
        };
        self.forget_if_broken(&result);
        result
    }

    /// The first slot of each primary of the cluster (`CLUSTER SLOTS`); `[None]` for a single
    /// server.
    fn primaries(&mut self) -> RedisResult<Vec<Option<u16>>> {
        if !self.is_cluster() {
            return Ok(vec![None]);
        }
        let reply = self.query(redis::cmd("CLUSTER").arg("SLOTS"))?;
        let ranges: Vec<Value> = redis::from_redis_value(reply)?;
        let mut seen = std::collections::BTreeSet::new();
        let mut slots = Vec::new();
        for r in ranges {
            let parts: Vec<Value> = redis::from_redis_value(r)?;
            if parts.len() < 3 {
                continue;
            }
            let start: i64 = redis::from_redis_value(parts[0].clone())?;
            let node: Vec<Value> = redis::from_redis_value(parts[2].clone())?;
            let host: String = node
                .first()
                .map(|v| redis::from_redis_value(v.clone()))
                .transpose()?
                .unwrap_or_default();
            let port: i64 = node
                .get(1)
                .map(|v| redis::from_redis_value(v.clone()))
                .transpose()?
                .unwrap_or_default();
            if seen.insert((host, port)) {
                slots.push(Some(u16::try_from(start).unwrap_or(0)));
            }
        }
        Ok(slots)
    }

    /// Every key matching `pattern` (SCAN, never KEYS, 1,000 a round trip; every primary of a
    /// cluster), sorted, each once.
    ///
    /// # Errors
    /// The connection failed.
    pub fn scan_keys(&mut self, pattern: &str) -> RedisResult<Vec<String>> {
        let mut keys = Vec::new();
        for slot in self.primaries()? {
            let mut cursor = 0u64;
            loop {
                let mut cmd = redis::cmd("SCAN");
                cmd.arg(cursor)
                    .arg("MATCH")
                    .arg(pattern)
                    .arg("COUNT")
                    .arg(1000);
                let (next, batch): (u64, Vec<Vec<u8>>) =
                    redis::from_redis_value(self.query_on_slot(&cmd, slot)?)?;
                keys.extend(
                    batch
                        .into_iter()
                        .map(|k| String::from_utf8_lossy(&k).into_owned()),
                );
                cursor = next;
                if cursor == 0 {
                    break;
                }
            }
        }
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    /// `HGETALL` of every key, pipelined 1,000 a round trip: one result per key, an empty map for
    /// a key that does not exist. A key that holds another type is [`KeyError::WrongType`] naming
    /// its type; the other keys are read.
    ///
    /// # Errors
    /// The connection failed.
    pub fn read_hashes(&mut self, keys: &[String]) -> RedisResult<Vec<Result<Fields, KeyError>>> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(1000) {
            let cmds = chunk.iter().map(|k| hgetall(k)).collect();
            let replies = self.pipeline(cmds)?;
            out.extend(chunk.iter().zip(replies).map(|(k, r)| hash_reply(k, r)));
        }
        self.name_types(&mut out)?;
        Ok(out)
    }

    /// Fills in the type of every [`KeyError::WrongType`] whose type is not known yet (`TYPE`,
    /// pipelined).
    ///
    /// # Errors
    /// The connection failed.
    pub fn name_types<T>(&mut self, reads: &mut [Result<T, KeyError>]) -> RedisResult<()> {
        let unknown: Vec<usize> = reads
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Err(KeyError::WrongType { kind: None, .. })))
            .map(|(i, _)| i)
            .collect();
        for chunk in unknown.chunks(1000) {
            let cmds = chunk
                .iter()
                .map(|i| {
                    let mut c = redis::cmd("TYPE");
                    if let Err(KeyError::WrongType { key, .. }) = &reads[*i] {
                        c.arg(key);
                    }
                    c
                })
                .collect();
            let replies = self.pipeline(cmds)?;
            for (i, r) in chunk.iter().zip(replies) {
                if let (Err(KeyError::WrongType { kind, .. }), Ok(v)) = (&mut reads[*i], r) {
                    *kind = redis::from_redis_value::<String>(v).ok();
                }
            }
        }
        Ok(())
    }

    /// The newest `count` entries of `stream`, newest first (`XREVRANGE + - COUNT`); a stream
    /// that does not exist has none.
    ///
    /// # Errors
    /// The connection failed (outer), or the key is not a stream (inner, naming it).
    pub fn newest_entries(
        &mut self,
        stream: &str,
        count: usize,
    ) -> RedisResult<Result<Vec<(String, Fields)>, KeyError>> {
        let mut cmd = redis::cmd("XREVRANGE");
        cmd.arg(stream).arg("+").arg("-").arg("COUNT").arg(count);
        let reply = self.pipeline(vec![cmd])?.pop().expect("one reply");
        let mut r = [stream_reply(stream, reply)];
        self.name_types(&mut r)?;
        let [r] = r;
        Ok(r)
    }

    /// Entries of `stream` after id `after`, oldest first, waiting up to `block` for one
    /// (`XREAD BLOCK`); an empty list when none came.
    ///
    /// # Errors
    /// The connection failed (outer), or the key is not a stream (inner, naming it).
    pub fn read_after(
        &mut self,
        stream: &str,
        after: &str,
        block: Duration,
        count: usize,
    ) -> RedisResult<Result<Vec<(String, Fields)>, KeyError>> {
        let mut cmd = redis::cmd("XREAD");
        cmd.arg("BLOCK")
            .arg(block.as_millis() as u64)
            .arg("COUNT")
            .arg(count)
            .arg("STREAMS")
            .arg(stream)
            .arg(after);
        let reply = match self.query(&cmd) {
            Err(e) if is_connection_error(&e) => return Err(e),
            r => r,
        };
        let mut r = [reply
            .map_err(|e| key_error_of(stream, e, "a stream"))
            .and_then(|v| read_reply(stream, v))];
        self.name_types(&mut r)?;
        let [r] = r;
        Ok(r)
    }
}

/// `HGETALL key`.
pub fn hgetall(key: &str) -> Cmd {
    let mut c = redis::cmd("HGETALL");
    c.arg(key);
    c
}

/// Whether an error means the connection (not one command) failed.
pub fn is_connection_error(e: &RedisError) -> bool {
    e.is_io_error()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.is_timeout()
        || e.is_unrecoverable_error()
}

/// Why one key could not be read; the other keys of the same read are unaffected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key holds another type than the command reads (`WRONGTYPE`).
    #[error("{key} holds {}, not {expected}", kind_text(.kind))]
    WrongType {
        /// The key.
        key: String,
        /// Its type (`string`, `list`, …) when known.
        kind: Option<String>,
        /// What was expected (`a hash`, `a stream`).
        expected: &'static str,
    },
    /// The server refused the command for that key (another error).
    #[error("{key}: {message}")]
    Refused {
        /// The key.
        key: String,
        /// The server's message.
        message: String,
    },
    /// The reply is not of the expected shape.
    #[error("{key}: unreadable reply: {message}")]
    Unreadable {
        /// The key.
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

fn kind_text(kind: &Option<String>) -> String {
    match kind.as_deref() {
        Some(k) => format!("a {k}"),
        None => "another type".to_string(),
    }
}

impl KeyError {
    /// The key concerned.
    pub fn key(&self) -> &str {
        match self {
            KeyError::WrongType { key, .. }
            | KeyError::Refused { key, .. }
            | KeyError::Unreadable { key, .. } => key,
        }
    }
}

/// A server error for `key` (which should hold `expected`): WRONGTYPE names it, the rest is
/// passed on.
fn key_error_of(key: &str, e: RedisError, expected: &'static str) -> KeyError {
    if e.code() == Some("WRONGTYPE") {
        KeyError::WrongType {
            key: key.to_string(),
            kind: None,
            expected,
        }
    } else {
        KeyError::Refused {
            key: key.to_string(),
            message: e.to_string(),
        }
    }
}

fn text(v: Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        Value::SimpleString(s) => Some(s),
        Value::VerbatimString { text, .. } => Some(text),
        Value::Int(i) => Some(i.to_string()),
        Value::Double(d) => Some(d.to_string()),
        _ => None,
    }
}

/// Field/value pairs of a hash or stream-entry reply (RESP2 flat array or RESP3 map).
fn pairs(v: Value) -> Option<Fields> {
    let items: Vec<(Value, Value)> = match v {
        Value::Array(a) => {
            if a.len() % 2 != 0 {
                return None;
            }
            let mut it = a.into_iter();
            let mut out = Vec::new();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
            out
        }
        Value::Map(m) => m,
        Value::Nil => Vec::new(),
        _ => return None,
    };
    items
        .into_iter()
        .map(|(k, v)| Some((text(k)?, text(v)?)))
        .collect()
}

/// One `HGETALL` reply as fields, or the key's problem.
pub fn hash_reply(key: &str, reply: RedisResult<Value>) -> Result<Fields, KeyError> {
    match reply {
        Ok(v) => pairs(v).ok_or_else(|| KeyError::Unreadable {
            key: key.to_string(),
            message: "not a list of field/value pairs".to_string(),
        }),
        Err(e) => Err(key_error_of(key, e, "a hash")),
    }
}

/// One `HMGET` reply as optional texts, or the key's problem.
pub fn texts_reply(key: &str, reply: RedisResult<Value>) -> Result<Vec<Option<String>>, KeyError> {
    match reply {
        Ok(Value::Array(items)) => Ok(items.into_iter().map(text).collect()),
        Ok(_) => Err(KeyError::Unreadable {
            key: key.to_string(),
            message: "not a list".to_string(),
        }),
        Err(e) => Err(key_error_of(key, e, "a hash")),
    }
}

fn entries(key: &str, v: Value) -> Result<Vec<(String, Fields)>, KeyError> {
    let bad = || KeyError::Unreadable {
        key: key.to_string(),
        message: "not a list of stream entries".to_string(),
    };
    let Value::Array(items) = v else {
        return if v == Value::Nil {
            Ok(Vec::new())
        } else {
            Err(bad())
        };
    };
    items
        .into_iter()
        .map(|e| {
            let Value::Array(mut parts) = e else {
                return Err(bad());
            };
            if parts.len() != 2 {
                return Err(bad());
            }
            let fields = pairs(parts.pop().expect("two parts")).ok_or_else(bad)?;
            let id = text(parts.pop().expect("two parts")).ok_or_else(bad)?;
            Ok((id, fields))
        })
        .collect()
}

/// One `XRANGE`/`XREVRANGE` reply as (id, fields) in reply order, or the key's problem.
pub fn stream_reply(
    key: &str,
    reply: RedisResult<Value>,
) -> Result<Vec<(String, Fields)>, KeyError> {
    match reply {
        Ok(v) => entries(key, v),
        Err(e) => Err(key_error_of(key, e, "a stream")),
    }
}

/// One `XREAD` reply (one stream) as its entries.
fn read_reply(key: &str, v: Value) -> Result<Vec<(String, Fields)>, KeyError> {
    let streams: Vec<(Value, Value)> = match v {
        Value::Nil => return Ok(Vec::new()),
        Value::Array(a) => a
            .into_iter()
            .filter_map(|s| match s {
                Value::Array(mut kv) if kv.len() == 2 => {
                    let e = kv.pop()?;
                    let k = kv.pop()?;
                    Some((k, e))
                }
                _ => None,
            })
            .collect(),
        Value::Map(m) => m,
        _ => {
            return Err(KeyError::Unreadable {
                key: key.to_string(),
                message: "not an XREAD reply".to_string(),
            })
        }
    };
    let mut out = Vec::new();
    for (_, e) in streams {
        out.extend(entries(key, e)?);
    }
    Ok(out)
}

/// The backoff after `failures` failed attempts in a row: 0.5 s doubling, at most `max`.
///
/// ```
/// use std::time::Duration;
/// use harvest_redis::backoff;
/// let max = Duration::from_secs(30);
/// assert_eq!(backoff(1, max), Duration::from_millis(500));
/// assert_eq!(backoff(3, max), Duration::from_secs(2));
/// assert_eq!(backoff(20, max), max);
/// ```
pub fn backoff(failures: u32, max: Duration) -> Duration {
    let ms = 500u64.saturating_mul(1u64 << failures.saturating_sub(1).min(16));
    Duration::from_millis(ms).min(max)
}

/// The numeric parts of a stream id (`1700000000000-3`).
///
/// ```
/// use harvest_redis::parse_id;
/// assert_eq!(parse_id("5-2"), Some((5, 2)));
/// assert_eq!(parse_id("x"), None);
/// ```
pub fn parse_id(id: &str) -> Option<(u64, u64)> {
    let (ms, seq) = id.split_once('-')?;
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis::ErrorKind;

    #[test]
    fn key_errors_name_the_key_and_type() {
        let cases = [
            (
                KeyError::WrongType {
                    key: "quantum:harvest:proposal:ZZZ".into(),
                    kind: Some("string".into()),
                    expected: "a hash",
                },
                "quantum:harvest:proposal:ZZZ holds a string, not a hash",
            ),
            (
                KeyError::WrongType {
                    key: "s".into(),
                    kind: None,
                    expected: "a stream",
                },
                "s holds another type, not a stream",
            ),
            (
                KeyError::Unreadable {
                    key: "k".into(),
                    message: "not a list".into(),
                },
                "k: unreadable reply: not a list",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
        let e = hash_reply("k", Err(RedisError::from((ErrorKind::Parse, "x")))).unwrap_err();
        assert!(matches!(e, KeyError::Refused { .. }), "{e:?}");
    }

    #[test]
    fn replies_as_fields() {
        let b = |s: &str| Value::BulkString(s.as_bytes().to_vec());
        let resp2 = Value::Array(vec![b("a"), b("1"), b("b"), Value::BulkString(vec![0xff])]);
        let f = hash_reply("k", Ok(resp2)).unwrap();
        assert_eq!(f["a"], "1");
        assert_eq!(f["b"], "\u{fffd}");
        let resp3 = Value::Map(vec![(b("x"), b("y"))]);
        assert_eq!(hash_reply("k", Ok(resp3)).unwrap()["x"], "y");
        assert!(hash_reply("k", Ok(Value::Array(vec![b("odd")]))).is_err());
        let stream = Value::Array(vec![Value::Array(vec![
            b("1-0"),
            Value::Array(vec![b("symbol"), b("BTCUSDT")]),
        ])]);
        let e = stream_reply("s", Ok(stream)).unwrap();
        assert_eq!(e[0].0, "1-0");
        assert_eq!(e[0].1["symbol"], "BTCUSDT");
    }
}
