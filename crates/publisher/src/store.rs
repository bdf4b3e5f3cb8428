//! Redis I/O: one connection (single node, `redis://` or `rediss://`) or a Redis Cluster
//! connection, opened lazily and dropped on a connection error so the next call reconnects;
//! commands go out as pipelines, each command's reply (or server error) returned separately.

use std::collections::HashMap;
use std::time::Duration;

use redis::cluster::{ClusterClient, ClusterConnection};
use redis::io::tcp::{socket2::TcpKeepalive, TcpSettings};
use redis::{Client, Cmd, Connection, IntoConnectionInfo, RedisError, RedisResult, Value};

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
    // Boxed: with the async features `harvest serve` turns on, a cluster connection is far
    // larger than a single one.
    Cluster(Box<ClusterConnection>),
}

/// A Redis server or cluster, connected on demand.
pub struct Store {
    target: Target,
    conn: Option<Conn>,
    timeouts: Timeouts,
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

impl Store {
    /// A store for `url` (`redis://`, `rediss://`, `unix://`); with `cluster`, `url` is a
    /// comma-separated list of seed nodes of a Redis Cluster. Nothing is connected yet.
    ///
    /// # Errors
    /// An unparseable URL.
    ///
    /// ```
    /// use harvest_publisher::store::{Store, Timeouts};
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
        })
    }

    /// Connects now if not connected (the first call of a cycle does it anyway).
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
        if let Err(e) = &result {
            if is_connection_error(e) {
                self.conn = None;
            }
        }
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

    /// Drops the connection (the next call reconnects).
    pub fn disconnect(&mut self) {
        self.conn = None;
    }
}

/// Whether an error means the connection (not one command) failed.
pub fn is_connection_error(e: &RedisError) -> bool {
    e.is_io_error()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.is_timeout()
        || e.is_unrecoverable_error()
}

/// A hash reply (`HGETALL`, RESP2 array or RESP3 map) as field → text.
///
/// # Errors
/// Not a hash, or a field or value that is not UTF-8 text.
pub fn hash(v: Value) -> RedisResult<HashMap<String, String>> {
    redis::from_redis_value(v).map_err(Into::into)
}

/// An `HMGET` reply as optional texts.
///
/// # Errors
/// Not an array of texts.
pub fn texts(v: Value) -> RedisResult<Vec<Option<String>>> {
    redis::from_redis_value(v).map_err(Into::into)
}

/// An `XRANGE`/`XREVRANGE` reply as (id, fields) in reply order; values that are not text are
/// left out.
///
/// # Errors
/// Not a stream range reply.
pub fn stream_entries(v: Value) -> RedisResult<Vec<(String, HashMap<String, String>)>> {
    let reply: redis::streams::StreamRangeReply = redis::from_redis_value(v)?;
    Ok(reply
        .ids
        .into_iter()
        .map(|e| {
            let fields = e
                .map
                .into_iter()
                .filter_map(|(k, v)| redis::from_redis_value::<String>(v).ok().map(|v| (k, v)))
                .collect();
            (e.id, fields)
        })
        .collect())
}
