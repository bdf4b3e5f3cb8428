//! `harvest serve`: the built dashboard on 127.0.0.1 and, with `--redis`, a same-origin
//! Server-Sent Events stream of the published proposals at `/api/live` (axum + tokio + redis).
//!
//! One background thread reads Redis through the one Redis connection (`harvest_redis`: TLS,
//! Cluster): a snapshot of every proposal hash, the recent history of the proposal stream, then
//! new stream entries as they come (XREAD BLOCK) and, every `--poll-ms`, the hashes again for
//! publishers that do not write the stream. A key that cannot be read (the wrong type) is a
//! record saying so, which the page shows as INVALID; the others are read. Redis going away is
//! reported to the page and retried with backoff; the server never stops for it. With `--redis`, the
//! dashboard's `index.html` gets `<meta name="harvest-live" content="/api/live">`, which is how
//! the page knows to offer its Live view (a static host has no such tag, and no request is made).
//! A symbol's live chart (its candles and proposals) is a stream of its own ([`chart`]).

mod chart;

use crate::error::{CliError, CliResult};
use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use clap::Args;
use serde::Serialize;
use tokio::sync::broadcast;
use tower_http::services::ServeDir;

use crate::published::{attach_positions, read_hashes, read_policy};
use harvest_features::live::ThetaEvent;
use harvest_features::reviewer::published::{Record, STREAM_KEY};
use harvest_redis::{redis::RedisError, Store, Timeouts};

/// Path of the event stream (same origin as the dashboard).
pub const LIVE_PATH: &str = "/api/live";

/// The tag that tells the dashboard the Live view is available, and where.
pub const LIVE_META: &str = "<meta name=\"harvest-live\" content=\"/api/live\" />";

/// Options of `serve`.
#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Stream the published proposals of this Redis to the dashboard's Live view (`redis://`,
    /// `rediss://` for TLS).
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
    /// The URL is a comma-separated list of Redis Cluster seed nodes.
    #[arg(long, requires = "redis")]
    pub cluster: bool,
    /// Port on 127.0.0.1 (0: any free port; the address is printed on stderr).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The built dashboard (trunk's output).
    #[arg(long, default_value = "dist")]
    pub dist: PathBuf,
    /// The path the dashboard was built for (trunk `--public-url`; `scripts/test.sh
    /// build-release` uses `/harvest-lab/`).
    #[arg(long, default_value = "/")]
    pub base: String,
    /// Only these symbols (comma-separated); default every `quantum:harvest:proposal:*`.
    #[arg(long, value_delimiter = ',')]
    pub symbols: Vec<String>,
    /// The proposal stream (`harvest publish --enable-stream` writes it).
    #[arg(long, default_value = STREAM_KEY)]
    pub stream: String,
    /// How often the hashes are read again (publishers without the stream), in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub poll_ms: u64,
    /// Stream entries sent to a page when it connects (its K history).
    #[arg(long, default_value_t = 500)]
    pub history: usize,
    /// Review the records without `proposal_json` with this theta (JSON or theta.harvest
    /// lines) instead of the policy in force.
    #[arg(long, value_name = "FILE", requires = "redis")]
    pub theta: Option<PathBuf>,
    /// Where a symbol's candles are for its live chart: the keys tried in order (`{symbol}`
    /// is the symbol), as `harvest publish-market --candle-keys`.
    #[arg(long, default_value = "candles:{symbol}:1m,quantum:candles:{symbol},klines:{symbol}:1m",
          value_parser = candle_keys)]
    pub candle_keys: String,
}

/// `--candle-keys`: a comma-separated list of templates with `{symbol}`.
fn candle_keys(s: &str) -> Result<String, String> {
    s.parse::<harvest_publisher::market::candles::CandleKeys>()
        .map(|k| k.to_string())
        .map_err(|e| e.to_string())
}

/// What a page gets first (and again after Redis came back).
#[derive(Debug, Clone, Serialize, Default)]
struct Snapshot {
    /// Every symbol's latest record (with its position record).
    records: Vec<Record>,
    /// Recent stream entries, oldest first.
    history: Vec<Record>,
    /// The theta in force: the policy record as read, or `--theta`.
    theta: Option<serde_json::Value>,
    /// `connected`, or why not.
    status: String,
}

/// Shared between the Redis task and the HTTP handlers.
struct Live {
    latest: Mutex<BTreeMap<String, Record>>,
    history: Mutex<VecDeque<Record>>,
    status: Mutex<String>,
    /// The theta in force as last sent, and what it said (to send it again only on a change).
    theta: Mutex<Option<(ThetaEvent, String)>>,
    events: broadcast::Sender<Msg>,
    cap: usize,
    /// The symbols whose live chart a page shows.
    charts: chart::Charts,
    /// The options it was started with.
    args: ServeArgs,
}

/// A message to every connected page.
#[derive(Debug, Clone)]
enum Msg {
    /// A new record.
    Proposal(Arc<str>),
    /// A symbol's proposal is gone from Redis.
    Removed(Arc<str>),
    /// The theta in force changed.
    Theta(Arc<str>),
    /// Redis connected / lost.
    Status(Arc<str>),
    /// The state was reloaded: send a fresh snapshot.
    Resync,
}

impl Live {
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            records: lock(&self.latest).values().cloned().collect(),
            history: lock(&self.history).iter().cloned().collect(),
            theta: lock(&self.theta)
                .as_ref()
                .and_then(|(t, _)| serde_json::from_str(&t.to_json()).ok()),
            status: lock(&self.status).clone(),
        }
    }

    /// Sets the theta in force; tells the pages when what it says changed (a new policy, one
    /// that expired). `quiet`: only keep it (a snapshot follows).
    fn set_theta(&self, t: ThetaEvent, quiet: bool) {
        let said = match &t {
            ThetaEvent::Policy(p) => format!("{:?} {}", p.fields, p.in_force().describe()),
            ThetaEvent::Override { origin, .. } => origin.clone(),
        };
        let mut cur = lock(&self.theta);
        let changed = cur.as_ref().is_none_or(|(_, s)| *s != said);
        let json = t.to_json();
        *cur = Some((t, said));
        drop(cur);
        if changed && !quiet {
            let _ = self.events.send(Msg::Theta(json.into()));
        }
    }

    /// Takes every symbol's record as read now: offers each, and tells the pages of the symbols
    /// whose proposal is gone (deleted by the publisher when the position went).
    fn sync(&self, records: Vec<Record>) {
        let now: std::collections::BTreeSet<String> = records
            .iter()
            .filter_map(|r| r.symbol().map(str::to_string))
            .collect();
        for r in records {
            self.offer(r);
        }
        let gone: Vec<String> = {
            let mut latest = lock(&self.latest);
            let gone: Vec<String> = latest
                .keys()
                .filter(|s| !now.contains(*s))
                .cloned()
                .collect();
            for s in &gone {
                latest.remove(s);
            }
            gone
        };
        for s in gone {
            let json = serde_json::json!({ "symbol": s }).to_string();
            let _ = self.events.send(Msg::Removed(json.into()));
        }
    }

    fn set_status(&self, s: String) {
        let mut cur = lock(&self.status);
        if *cur != s {
            *cur = s.clone();
            drop(cur);
            self.charts.status(&s);
            let _ = self.events.send(Msg::Status(status_json(&s).into()));
        }
    }

    /// Takes a record read from Redis; keeps and broadcasts it if it says something new (a
    /// refreshed `last_update_epoch` alone is not news). A stream entry takes the hash's key and
    /// position record.
    fn offer(&self, mut f: Record) {
        let Some(sym) = f.symbol().map(str::to_string) else {
            return;
        };
        let mut latest = lock(&self.latest);
        if let Some(old) = latest.get(&sym) {
            if f.position.is_none() {
                f.position = old.position.clone();
            }
            if let (false, Some(k)) = (f.fields.contains_key("key"), old.fields.get("key")) {
                f.fields.insert("key".to_string(), k.clone());
            }
        }
        if latest
            .get(&sym)
            .is_some_and(|old| same(old, &f) || older(&f, old))
        {
            return;
        }
        latest.insert(sym.clone(), f.clone());
        drop(latest);
        let mut h = lock(&self.history);
        h.push_back(f.clone());
        while h.len() > self.cap {
            h.pop_front();
        }
        drop(h);
        let json: Arc<str> = f.to_json().into();
        self.charts.proposal(&sym, &f, &json);
        let _ = self.events.send(Msg::Proposal(json));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn status_json(s: &str) -> String {
    serde_json::json!({ "status": s }).to_string()
}

/// Whether `new` was published before `old` (by `last_update_epoch`): a hash read between a
/// publisher's stream entry and its hash write must not undo the newer record.
fn older(new: &Record, old: &Record) -> bool {
    let epoch = |r: &Record| {
        r.fields
            .get("last_update_epoch")
            .and_then(|e| e.trim().parse::<f64>().ok())
    };
    matches!((epoch(new), epoch(old)), (Some(n), Some(o)) if n < o)
}

/// Equal but for the fields that change without the proposal changing.
fn same(a: &Record, b: &Record) -> bool {
    let strip = |r: &Record| -> Vec<(String, String)> {
        r.fields
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "last_update_epoch" | "stream_id" | "key"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    strip(a) == strip(b) && a.position == b.position
}

/// Runs the server until it is killed; exit 2 if the port cannot be bound or `dist` is missing.
pub fn run(args: &ServeArgs) -> CliResult {
    if !args.dist.join("index.html").is_file() {
        return Err(CliError::usage(
            "serve",
            format_args!(
                "{} has no index.html: build the dashboard first (scripts/test.sh \
             build-release, or trunk build --release)",
                args.dist.display()
            ),
        ));
    }
    let theta = match &args.theta {
        Some(path) => match crate::diff_theta::load_theta(path) {
            Ok(t) => Some(ThetaEvent::Override {
                theta: t,
                origin: format!("--theta {}", path.display()),
            }),
            Err(e) => {
                return Err(CliError::usage(
                    "serve",
                    format_args!("--theta {}: {e}", path.display()),
                ));
            }
        },
        None => None,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(serve(args.clone(), theta))
}

fn normalize_base(base: &str) -> String {
    let trimmed = base.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        format!("/{trimmed}/")
    }
}

async fn serve(args: ServeArgs, theta: Option<ThetaEvent>) -> CliResult {
    let base = normalize_base(&args.base);
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            return Err(CliError::usage(
                "serve",
                format_args!("cannot listen on {addr}: {e}"),
            ));
        }
    };
    let local = listener.local_addr()?;
    let (events, _) = broadcast::channel(4096);
    let live = Arc::new(Live {
        latest: Mutex::new(BTreeMap::new()),
        history: Mutex::new(VecDeque::new()),
        status: Mutex::new("connecting".to_string()),
        theta: Mutex::new(None),
        events,
        cap: args.history,
        charts: chart::Charts::default(),
        args: args.clone(),
    });
    if let Some(t) = theta {
        live.set_theta(t, true);
    }
    let files = ServeDir::new(&args.dist);
    let mut app = Router::new();
    if args.redis.is_some() {
        app = app.route(LIVE_PATH, get(live_events)).route(
            harvest_features::live::chart::CHART_PATH,
            get(chart::events),
        );
    }
    if base != "/" {
        let to = base.clone();
        app = app
            .route("/", get(move || async move { Redirect::temporary(&to) }))
            .nest_service(base.trim_end_matches('/'), files);
    } else {
        app = app.fallback_service(files);
    }
    let reader = live.clone();
    let mut app = app.with_state(live);
    if args.redis.is_some() {
        // The dashboard's page, marked for the Live view (a layer: the file routes stay as they are).
        let pages = [base.clone(), format!("{base}index.html")];
        let dist = args.dist.clone();
        app = app.layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let page = pages.iter().any(|p| p == req.uri().path());
                let dist = dist.clone();
                async move {
                    if page {
                        index_html(dist).await
                    } else {
                        next.run(req).await
                    }
                }
            },
        ));
    }
    eprintln!(
        "harvest serve: http://{local}{base} ({}; Ctrl-C stops)",
        match &args.redis {
            Some(u) => format!("live proposals from {}", harvest_redis::redacted(u)),
            None => "static, no Live view: give --redis URL for it".to_string(),
        }
    );
    // Redis is read from here on (after the address line, which scripts wait for).
    if let Some(url) = &args.redis {
        let (url, args) = (url.clone(), args.clone());
        std::thread::Builder::new()
            .name("redis".into())
            .spawn(move || redis_thread(url, args, reader))?;
    }
    // SIGTERM / Ctrl-C end the server (open live streams are dropped with it, not waited for)
    // and `harvest` exits 0 through its one exit path.
    tokio::select! {
        served = axum::serve(listener, app).into_future() => served?,
        () = stop_signal() => {}
    }
    Ok(())
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// `index.html` with the Live view's tag (read on every request: a rebuild is picked up).
async fn index_html(dist: PathBuf) -> Response {
    match tokio::fs::read_to_string(dist.join("index.html")).await {
        Ok(html) => {
            let html = match html.find("</head>") {
                Some(i) => format!("{}{LIVE_META}\n{}", &html[..i], &html[i..]),
                None => html,
            };
            (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-cache"),
                ],
                html,
            )
                .into_response()
        }
        Err(e) => (StatusCode::NOT_FOUND, format!("index.html: {e}")).into_response(),
    }
}

/// The SSE endpoint: a `snapshot` event, then `proposal` and `status` events.
async fn live_events(
    State(live): State<Arc<Live>>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let rx = live.events.subscribe();
    let first = snapshot_event(&live);
    let stream = futures_util::stream::unfold(
        (Some(first), rx, live),
        |(pending, mut rx, live)| async move {
            if let Some(ev) = pending {
                return Some((Ok(ev), (None, rx, live)));
            }
            let ev = match rx.recv().await {
                Ok(Msg::Proposal(json)) => Event::default().event("proposal").data(&*json),
                Ok(Msg::Removed(json)) => Event::default().event("removed").data(&*json),
                Ok(Msg::Theta(json)) => Event::default().event("policy").data(&*json),
                Ok(Msg::Status(json)) => Event::default().event("status").data(&*json),
                // Missed messages (a slow page) or a reload: start over from a snapshot.
                Ok(Msg::Resync) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    snapshot_event(&live)
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            Some((Ok(ev), (None, rx, live)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn snapshot_event(live: &Live) -> Event {
    let json = serde_json::to_string(&live.snapshot()).unwrap_or_default();
    Event::default().event("snapshot").data(json)
}

/// Reads Redis forever: (re)connects with backoff (0.5 s doubling to 10 s), never returns.
fn redis_thread(url: String, args: ServeArgs, live: Arc<Live>) {
    let mut failures = 0u32;
    loop {
        let started = Instant::now();
        let err = follow(&url, &args, &live);
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
        std::thread::sleep(wait);
    }
}

/// One connection's life: snapshot, then follow; returns the error that ended it.
fn follow(url: &str, args: &ServeArgs, live: &Live) -> RedisError {
    let block = Duration::from_millis(args.poll_ms.clamp(50, 5000));
    let timeouts = Timeouts {
        connect: Duration::from_secs(3),
        response: block + Duration::from_secs(10),
    };
    let mut store = match Store::open(url, args.cluster, timeouts) {
        Ok(s) => s,
        Err(e) => return e,
    };
    if let Err(e) = store.connect() {
        return e;
    }
    // The snapshot: hashes (with their position records), the theta in force and the stream's
    // recent history.
    let hashes = match read_state(&mut store, args, live, true) {
        Ok(h) => h,
        Err(e) => return e,
    };
    let (recent, mut stream_problem) = match store.newest_entries(&args.stream, args.history) {
        Ok(Ok(r)) => (r, None),
        Ok(Err(e)) => (Vec::new(), Some(e.to_string())),
        Err(e) => return e,
    };
    let mut last_id = recent
        .first()
        .map_or_else(|| "0-0".to_string(), |(id, _)| id.clone());
    {
        let mut latest = lock(&live.latest);
        latest.clear();
        for r in hashes {
            if let Some(s) = r.symbol() {
                latest.insert(s.to_string(), r);
            }
        }
        let mut h = lock(&live.history);
        h.clear();
        h.extend(
            recent
                .into_iter()
                .rev()
                .map(|(id, f)| with_id(id, f))
                .filter(|r| wanted(r, &args.symbols)),
        );
    }
    *lock(&live.status) = "connected".to_string();
    let _ = live.events.send(Msg::Resync);
    live.charts.reload();
    live.charts.status("connected");
    eprintln!(
        "harvest serve: connected to Redis at {}",
        harvest_redis::redacted(url)
    );
    if let Some(p) = &stream_problem {
        eprintln!("harvest serve: {p}: following the hashes only");
    }
    let mut polled = Instant::now();
    loop {
        // A chart open: its candles are read every chart::POLL, so Redis is waited on no longer.
        let wait = if live.charts.watched() > 0 {
            block.min(chart::POLL)
        } else {
            block
        };
        if stream_problem.is_none() {
            match store.read_after(&args.stream, &last_id, wait, 1000) {
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
                Err(e) => return e,
            }
        } else {
            std::thread::sleep(wait);
        }
        if let Err(e) = chart::poll(&mut store, args, live) {
            return e;
        }
        if polled.elapsed() >= Duration::from_millis(args.poll_ms) {
            polled = Instant::now();
            match read_state(&mut store, args, live, false) {
                Ok(h) => live.sync(h),
                Err(e) => return e,
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
