//! A symbol's live chart for the Live view: `GET /api/live/chart?symbol=SYM` is a Server-Sent
//! Events stream of a `chart` event (the symbol's newest candles from the keys P0.5 reads, and
//! its proposals from the harvest stream and hash), then `bar` (a new candle, or the newest one
//! rewritten), `proposal` and `status` events ([`harvest_features::live::chart`] reads them).
//!
//! A symbol is watched while a page shows its chart: the Redis thread loads it once (however many
//! pages ask) and then reads only the candles scored at or after the newest one it has, every
//! [`POLL`] at most; a symbol no page shows is dropped and nothing is read for it. As the Live
//! table's stream ([`super::live`]): each event is encoded once as its SSE frame and shared by
//! every page of the symbol, the `chart` frame kept until the chart changes; a page's only queue
//! is the symbol's broadcast ring (one that falls behind is dropped, logged, and its browser
//! reconnects), one that stops reading is closed by the write deadline ([`super::conn`]).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::broadcast;

use super::conn::Peer;
use super::live::{frame, Live};
use super::reader::with_id;
use super::ServeArgs;
use harvest_features::live::chart::{
    candle_of, record_time, LiveCandle, SymbolChart, CHART_BARS, CHART_PROPOSALS,
};
use harvest_features::reviewer::published::Record;
use harvest_publisher::market::candles::CandleKeys;
use harvest_redis::redis::{self, RedisError, Value};
use harvest_redis::Store;

/// How often the watched symbols' candles are read at most.
pub const POLL: Duration = Duration::from_millis(250);

/// Symbols watched at once at most (a page asking for one more is told so).
pub const MAX_WATCHED: usize = 64;

/// Stream entries read at most to find a symbol's proposals when its chart opens.
pub const SCAN_CAP: usize = 50_000;

/// Events in a symbol's broadcast ring; more unread than this and a page is dropped.
const RING: usize = 1024;

/// A comment line every 15 s (as the Live table's stream).
const KEEP_ALIVE: Duration = Duration::from_secs(15);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A message to the pages showing one symbol's chart: an encoded SSE frame (`chart`, `bar`,
/// `proposal`, `status`), sent as it is.
type ChartMsg = Bytes;

/// Where a symbol's candles are.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    /// A sorted set scored by open time; the newest score read.
    Zset { key: String, newest: f64 },
    /// A list (newest last).
    List { key: String },
}

/// One watched symbol.
pub(super) struct Watch {
    chart: Mutex<WatchState>,
    tx: broadcast::Sender<ChartMsg>,
    pages: AtomicUsize,
}

#[derive(Default)]
struct WatchState {
    chart: SymbolChart,
    source: Option<Source>,
    loaded: bool,
    /// The `chart` frame of the chart as it is (`None` after a change).
    text: Option<Bytes>,
}

impl WatchState {
    /// The `chart` frame: built by the first page that asks after a change, shared by the
    /// others.
    fn text(&mut self) -> Bytes {
        if let Some(t) = &self.text {
            return t.clone();
        }
        let t = frame("chart", &self.chart.to_json());
        self.text = Some(t.clone());
        t
    }
}

/// Every watched symbol.
#[derive(Default)]
pub(super) struct Charts {
    watches: Mutex<BTreeMap<String, Arc<Watch>>>,
    polled: Mutex<Option<Instant>>,
}

impl Charts {
    /// A proposal the server took for `symbol` (its JSON as sent to the Live table).
    pub(super) fn proposal(&self, symbol: &str, r: &Record, json: &str) {
        let Some(w) = lock(&self.watches).get(symbol).cloned() else {
            return;
        };
        let mut st = lock(&w.chart);
        if st.loaded && st.chart.push_proposal(r.clone()) {
            st.text = None;
            let _ = w.tx.send(frame("proposal", json));
        }
    }

    /// The server's Redis status changed.
    pub(super) fn status(&self, status: &str) {
        let f = frame(
            "status",
            &serde_json::json!({ "status": status }).to_string(),
        );
        for w in lock(&self.watches).values() {
            let mut st = lock(&w.chart);
            if st.chart.status != status {
                st.chart.status = status.to_string();
                st.text = None;
                let _ = w.tx.send(f.clone());
            }
        }
    }

    /// Pages showing a chart now.
    pub(super) fn pages(&self) -> usize {
        lock(&self.watches)
            .values()
            .map(|w| w.pages.load(Ordering::Relaxed))
            .sum()
    }

    /// After a reconnect: every chart is loaded again.
    pub(super) fn reload(&self) {
        for w in lock(&self.watches).values() {
            lock(&w.chart).loaded = false;
        }
    }

    /// Symbols watched now.
    pub(super) fn watched(&self) -> usize {
        lock(&self.watches).len()
    }
}

/// The query of the chart stream.
#[derive(Debug, Deserialize)]
pub(super) struct ChartQuery {
    symbol: Option<String>,
}

/// Why a symbol cannot be charted; `None` when it can.
fn refuse(symbol: &str, symbols: &[String]) -> Option<(StatusCode, String)> {
    if symbol.is_empty() || symbol.chars().count() > 64 || symbol.chars().any(char::is_control) {
        return Some((
            StatusCode::BAD_REQUEST,
            format!(
                "symbol {symbol:?}: expected 1 to 64 printable characters, e.g. ?symbol=BTCUSDT"
            ),
        ));
    }
    if !symbols.is_empty() && !symbols.iter().any(|s| s == symbol) {
        return Some((
            StatusCode::NOT_FOUND,
            format!(
                "symbol {symbol:?} is not served: harvest serve --symbols {}",
                symbols.join(",")
            ),
        ));
    }
    None
}

/// Counts a page out of a watch when its stream ends.
struct Page(Arc<Watch>);

impl Drop for Page {
    fn drop(&mut self) {
        self.0.pages.fetch_sub(1, Ordering::Relaxed);
    }
}

/// `GET /api/live/chart?symbol=SYM`: the chart stream (400 for a bad symbol, 404 for one
/// `--symbols` (`symbols`) leaves out, 503 when [`MAX_WATCHED`] symbols are watched already): a
/// `chart` event once the symbol is read, then `bar`, `proposal` and `status` events as they
/// come, and a comment line every 15 s.
pub(super) async fn events(
    State(live): State<Arc<Live>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    Query(q): Query<ChartQuery>,
    symbols: Arc<[String]>,
) -> Response {
    let symbol = q.symbol.unwrap_or_default();
    if let Some((code, why)) = refuse(&symbol, &symbols) {
        return (code, why).into_response();
    }
    let watch = {
        let mut map = lock(&live.charts.watches);
        if !map.contains_key(&symbol) && map.len() >= MAX_WATCHED {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("{MAX_WATCHED} charts are open already: close one and try again"),
            )
                .into_response();
        }
        let w = map
            .entry(symbol.clone())
            .or_insert_with(|| {
                Arc::new(Watch {
                    chart: Mutex::new(WatchState {
                        chart: SymbolChart::new(&symbol),
                        ..WatchState::default()
                    }),
                    tx: broadcast::channel(RING).0,
                    pages: AtomicUsize::new(0),
                })
            })
            .clone();
        w.pages.fetch_add(1, Ordering::Relaxed);
        w
    };
    // Subscribe first, then the chart as it is: nothing between them is lost (a bar sent twice
    // is taken once). An idle reader is woken; it loads the symbol and sends its chart.
    let rx = watch.tx.subscribe();
    let first = {
        let mut st = lock(&watch.chart);
        st.loaded.then(|| st.text())
    };
    live.wake();
    let page = Page(watch);
    let stream = futures_util::stream::unfold(
        (first, rx, page),
        move |(pending, mut rx, page)| async move {
            let f = match pending {
                Some(f) => f,
                None => match tokio::time::timeout(KEEP_ALIVE, rx.recv()).await {
                    Err(_) => Bytes::from_static(b": keep-alive\n\n"),
                    Ok(Ok(f)) => f,
                    Ok(Err(broadcast::error::RecvError::Lagged(n))) => {
                        let symbol = lock(&page.0.chart).chart.symbol.clone();
                        eprintln!(
                            "harvest serve: dropped {symbol}'s chart stream of {peer}: it fell {n} \
                             events behind (more than {RING} unread; its browser reconnects)"
                        );
                        return None;
                    }
                    Ok(Err(broadcast::error::RecvError::Closed)) => return None,
                },
            };
            Some((Ok::<_, Infallible>(f), (None, rx, page)))
        },
    );
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// From the Redis thread, every loop: drops the symbols no page shows, loads the new ones, reads
/// the new candles of the others (every [`POLL`] at most).
///
/// # Errors
/// The connection failed.
pub(super) fn poll(store: &mut Store, args: &ServeArgs, live: &Live) -> Result<(), RedisError> {
    let watches: Vec<Arc<Watch>> = {
        let mut map = lock(&live.charts.watches);
        map.retain(|_, w| w.pages.load(Ordering::Relaxed) > 0);
        map.values().cloned().collect()
    };
    if watches.is_empty() {
        return Ok(());
    }
    let due = {
        let mut p = lock(&live.charts.polled);
        let due = p.is_none_or(|t| t.elapsed() >= POLL);
        if due {
            *p = Some(Instant::now());
        }
        due
    };
    let keys: CandleKeys = args
        .candle_keys
        .parse()
        .unwrap_or_else(|_| CandleKeys::default());
    for w in watches {
        let loaded = lock(&w.chart).loaded;
        if !loaded {
            load(store, args, live, &keys, &w)?;
        } else if due {
            follow_candles(store, &keys, &w)?;
        }
    }
    Ok(())
}

/// The first of the candle keys that holds a sorted set or a list.
fn find_source(
    store: &mut Store,
    keys: &CandleKeys,
    symbol: &str,
) -> Result<Option<Source>, RedisError> {
    let names = keys.for_symbol(symbol);
    let cmds = names
        .iter()
        .map(|k| {
            let mut c = redis::cmd("TYPE");
            c.arg(k);
            c
        })
        .collect();
    for (key, t) in names.into_iter().zip(store.pipeline(cmds)?) {
        let t = match t {
            Ok(Value::SimpleString(s)) => s,
            Ok(Value::BulkString(b)) => String::from_utf8_lossy(&b).into_owned(),
            _ => continue,
        };
        match t.as_str() {
            "zset" => {
                return Ok(Some(Source::Zset {
                    key,
                    newest: f64::NEG_INFINITY,
                }))
            }
            "list" => return Ok(Some(Source::List { key })),
            _ => {}
        }
    }
    Ok(None)
}

/// A member of a candle key and its score (a sorted set's).
type Member = (String, Option<f64>);

/// A reply's texts and scores: `WITHSCORES` pairs (RESP2 flat or RESP3 nested) or a list's
/// members (score `None`).
fn members(v: Value, scores: bool) -> Vec<Member> {
    fn text(v: &Value) -> Option<String> {
        match v {
            Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
            Value::SimpleString(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Double(d) => Some(d.to_string()),
            _ => None,
        }
    }
    let Value::Array(items) = v else {
        return Vec::new();
    };
    if !scores {
        return items
            .iter()
            .filter_map(|m| Some((text(m)?, None)))
            .collect();
    }
    let mut flat = Vec::new();
    for it in items {
        match it {
            Value::Array(pair) => flat.extend(pair),
            other => flat.push(other),
        }
    }
    flat.chunks(2)
        .filter_map(|p| {
            let m = text(p.first()?)?;
            let s = text(p.get(1)?)?.parse::<f64>().ok();
            Some((m, s))
        })
        .collect()
}

/// The read of `source`'s candles: the newest [`CHART_BARS`] of a sorted set (by score) until
/// one was read, then those scored at or after the newest read; a list's last ones.
fn bars_cmd(source: &Source) -> redis::Cmd {
    match source {
        Source::Zset { key, newest } if newest.is_finite() => {
            let mut c = redis::cmd("ZRANGEBYSCORE");
            c.arg(key)
                .arg(*newest)
                .arg("+inf")
                .arg("WITHSCORES")
                .arg("LIMIT")
                .arg(0)
                .arg(CHART_BARS);
            c
        }
        Source::Zset { key, .. } => {
            let mut c = redis::cmd("ZREVRANGE");
            c.arg(key).arg(0).arg(CHART_BARS - 1).arg("WITHSCORES");
            c
        }
        Source::List { key } => {
            let mut c = redis::cmd("LRANGE");
            c.arg(key).arg(-(CHART_BARS as i64)).arg(-1);
            c
        }
    }
}

/// Reads `source`'s new candles: the reply of [`bars_cmd`], oldest first, or `None` when the
/// key is no longer what it was (gone, another type: look for the candles again).
///
/// # Errors
/// The connection failed.
fn read_bars(store: &mut Store, source: &Source) -> Result<Option<Vec<Member>>, RedisError> {
    match store.query(&bars_cmd(source)) {
        Ok(v) => {
            let zset = matches!(source, Source::Zset { .. });
            let mut got = members(v, zset);
            if matches!(source, Source::Zset { newest, .. } if !newest.is_finite()) {
                got.reverse();
            }
            Ok(Some(got))
        }
        Err(e) if harvest_redis::is_connection_error(&e) => Err(e),
        Err(_) => Ok(None),
    }
}

/// Takes members read from `source` into `chart`; returns the bars that changed.
fn take_bars(source: &mut Source, chart: &mut SymbolChart, got: Vec<Member>) -> Vec<LiveCandle> {
    let mut changed = Vec::new();
    for (m, score) in got {
        let Ok(c) = candle_of(&m, score) else {
            continue;
        };
        if let (Source::Zset { newest, .. }, Some(s)) = (&mut *source, score) {
            *newest = newest.max(s);
        }
        if chart.push_bar(c) {
            if let Some(kept) = chart.candles.iter().find(|k| k.time == c.time) {
                changed.push(*kept);
            }
        }
    }
    changed
}

fn key_of(source: &Source) -> String {
    match source {
        Source::Zset { key, .. } | Source::List { key } => key.clone(),
    }
}

/// Loads a symbol's chart: its candles, its proposals from the stream (newest first, back to
/// its oldest bar) and the hash, then tells its pages.
fn load(
    store: &mut Store,
    args: &ServeArgs,
    live: &Live,
    keys: &CandleKeys,
    w: &Watch,
) -> Result<(), RedisError> {
    let symbol = lock(&w.chart).chart.symbol.clone();
    let mut chart = SymbolChart::new(&symbol);
    let mut source = find_source(store, keys, &symbol)?;
    if let Some(s) = source.as_mut() {
        match read_bars(store, s)? {
            Some(got) => {
                take_bars(s, &mut chart, got);
            }
            None => source = None,
        }
    }
    chart.key = source.as_ref().map(key_of);
    let oldest = chart
        .candles
        .first()
        .map_or(f64::NEG_INFINITY, |c| c.known_at);
    // The symbol's proposals, newest first, back to the oldest bar.
    let mut found: Vec<Record> = Vec::new();
    let mut end = "+".to_string();
    let mut scanned = 0;
    'scan: while scanned < SCAN_CAP && found.len() < CHART_PROPOSALS {
        let mut cmd = redis::cmd("XREVRANGE");
        cmd.arg(&args.stream)
            .arg(&end)
            .arg("-")
            .arg("COUNT")
            .arg(1000);
        let reply = store.pipeline(vec![cmd])?.pop().expect("one reply");
        let Ok(entries) = harvest_redis::stream_reply(&args.stream, reply) else {
            break;
        };
        if entries.is_empty() {
            break;
        }
        scanned += entries.len();
        for (id, f) in entries {
            end = format!("({id}");
            let r = with_id(id, f);
            if record_time(&r).is_some_and(|t| t < oldest) {
                break 'scan;
            }
            if r.symbol() == Some(symbol.as_str()) {
                found.push(r);
            }
        }
    }
    for r in found.into_iter().rev() {
        chart.push_proposal(r);
    }
    let (latest, status) = live.latest_of(&symbol);
    if let Some(r) = latest {
        chart.push_proposal(r);
    }
    chart.status = status;
    let mut st = lock(&w.chart);
    st.chart = chart;
    st.source = source;
    st.loaded = true;
    st.text = None;
    let text = st.text();
    let _ = w.tx.send(text);
    Ok(())
}

/// Reads a loaded symbol's new candles and tells its pages of each (no lock is held while
/// Redis answers).
fn follow_candles(store: &mut Store, keys: &CandleKeys, w: &Watch) -> Result<(), RedisError> {
    let (symbol, source) = {
        let st = lock(&w.chart);
        (st.chart.symbol.clone(), st.source.clone())
    };
    // No candles yet, or a list (which has no scores to follow): look for the key again.
    let source = match source {
        Some(s @ Source::Zset { .. }) => Some(s),
        other => find_source(store, keys, &symbol)?.or(other),
    };
    let Some(mut src) = source else {
        return Ok(());
    };
    let got = read_bars(store, &src)?;
    let mut st = lock(&w.chart);
    let Some(got) = got else {
        st.source = None;
        return Ok(());
    };
    if st.source.as_ref().map(key_of) != Some(key_of(&src)) {
        st.chart.key = Some(key_of(&src));
        st.text = None;
    }
    let changed = take_bars(&mut src, &mut st.chart, got);
    st.source = Some(src);
    if !changed.is_empty() {
        st.text = None;
    }
    for c in changed {
        let json = serde_json::to_string(&c).unwrap_or_default();
        let _ = w.tx.send(frame("bar", &json));
    }
    Ok(())
}
