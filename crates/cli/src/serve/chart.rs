//! A symbol's live chart for the Live view: `GET /api/live/chart?symbol=SYM` is a Server-Sent
//! Events stream of a `chart` event (the symbol's newest candles from the keys P0.5 reads, and
//! its proposals from the harvest stream and hash), then `bar` (a new candle, or the newest one
//! rewritten), `proposal` and `status` events ([`harvest_features::live::chart`] reads them).
//!
//! A symbol is watched while a page shows its chart: the Redis thread loads it once (however many
//! pages ask) and then reads only the candles scored at or after the newest one it has, every
//! [`POLL`] at most; a symbol no page shows is dropped and nothing is read for it. Each message is
//! serialised once and the same text goes to every page; the `chart` event's text is kept until
//! the chart changes.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::broadcast;

use super::{lock, with_id, Live, ServeArgs};
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

/// A message to the pages showing one symbol's chart (serialised once).
#[derive(Debug, Clone)]
pub(super) enum ChartMsg {
    /// The whole chart (after a load or a reconnect).
    Chart(Arc<str>),
    /// A new or rewritten candle.
    Bar(Arc<str>),
    /// A new proposal of the symbol.
    Proposal(Arc<str>),
    /// Redis connected / lost.
    Status(Arc<str>),
}

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
    /// The `chart` event's text of the chart as it is (`None` after a change).
    text: Option<Arc<str>>,
}

impl WatchState {
    fn text(&mut self) -> Arc<str> {
        if self.text.is_none() {
            self.text = Some(self.chart.to_json().into());
        }
        self.text.clone().unwrap_or_else(|| "{}".into())
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
    pub(super) fn proposal(&self, symbol: &str, r: &Record, json: &Arc<str>) {
        let Some(w) = lock(&self.watches).get(symbol).cloned() else {
            return;
        };
        let mut st = lock(&w.chart);
        if st.loaded && st.chart.push_proposal(r.clone()) {
            st.text = None;
            let _ = w.tx.send(ChartMsg::Proposal(json.clone()));
        }
    }

    /// The server's Redis status changed.
    pub(super) fn status(&self, status: &str) {
        let json: Arc<str> = super::status_json(status).into();
        for w in lock(&self.watches).values() {
            let mut st = lock(&w.chart);
            st.chart.status = status.to_string();
            st.text = None;
            let _ = w.tx.send(ChartMsg::Status(json.clone()));
        }
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
fn refuse(symbol: &str, args: &ServeArgs) -> Option<(StatusCode, String)> {
    if symbol.is_empty() || symbol.chars().count() > 64 || symbol.chars().any(char::is_control) {
        return Some((
            StatusCode::BAD_REQUEST,
            format!(
                "symbol {symbol:?}: expected 1 to 64 printable characters, e.g. ?symbol=BTCUSDT"
            ),
        ));
    }
    if !args.symbols.is_empty() && !args.symbols.iter().any(|s| s == symbol) {
        return Some((
            StatusCode::NOT_FOUND,
            format!(
                "symbol {symbol:?} is not served: harvest serve --symbols {}",
                args.symbols.join(",")
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
/// `--symbols` leaves out, 503 when [`MAX_WATCHED`] symbols are watched already).
pub(super) async fn events(State(live): State<Arc<Live>>, Query(q): Query<ChartQuery>) -> Response {
    let symbol = q.symbol.unwrap_or_default();
    if let Some((code, why)) = refuse(&symbol, &live.args) {
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
                    tx: broadcast::channel(1024).0,
                    pages: AtomicUsize::new(0),
                })
            })
            .clone();
        w.pages.fetch_add(1, Ordering::Relaxed);
        w
    };
    // Subscribe first, then the chart as it is: nothing between them is lost (a bar sent twice
    // is taken once).
    let rx = watch.tx.subscribe();
    let first = {
        let mut st = lock(&watch.chart);
        st.loaded.then(|| st.text())
    };
    let page = Page(watch);
    let stream =
        futures_util::stream::unfold((first, rx, page), |(pending, mut rx, page)| async move {
            if let Some(text) = pending {
                let ev = Event::default().event("chart").data(&*text);
                return Some((Ok::<_, Infallible>(ev), (None, rx, page)));
            }
            let ev = match rx.recv().await {
                Ok(ChartMsg::Chart(t)) => Event::default().event("chart").data(&*t),
                Ok(ChartMsg::Bar(t)) => Event::default().event("bar").data(&*t),
                Ok(ChartMsg::Proposal(t)) => Event::default().event("proposal").data(&*t),
                Ok(ChartMsg::Status(t)) => Event::default().event("status").data(&*t),
                // Fell behind: the whole chart again.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let text = lock(&page.0.chart).text();
                    Event::default().event("chart").data(&*text)
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            Some((Ok(ev), (None, rx, page)))
        });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
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
    if let Some(r) = lock(&live.latest).get(&symbol) {
        chart.push_proposal(r.clone());
    }
    chart.status = lock(&live.status).clone();
    let mut st = lock(&w.chart);
    st.chart = chart;
    st.source = source;
    st.loaded = true;
    st.text = None;
    let text = st.text();
    let _ = w.tx.send(ChartMsg::Chart(text));
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
        let _ = w.tx.send(ChartMsg::Bar(json.into()));
    }
    Ok(())
}
