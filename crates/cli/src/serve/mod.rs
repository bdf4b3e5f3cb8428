//! `harvest serve`: the built dashboard on 127.0.0.1 and, with `--redis`, a same-origin
//! Server-Sent Events stream of the published proposals at `/api/live` (axum + tokio + redis).
//!
//! - [`reader`]: the thread that reads Redis while pages are connected;
//! - [`live`]: the state it keeps, the shared snapshot and the event stream of each page;
//! - [`conn`]: the connections, each with a write deadline;
//! - [`guard`]: the `Host` check, the security headers and `--dist`'s boundary;
//! - this file: the options, the routes (one place: [`router`]) and the server's life.
//!
//! With `--redis`, the dashboard's `index.html` gets `<meta name="harvest-live"
//! content="/api/live">`, which is how the page knows to offer its Live view (a static host has
//! no such tag, and no request is made).

mod conn;
mod guard;
mod live;
mod reader;

use crate::error::{CliError, CliResult};
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use clap::Args;
use tower_http::services::ServeDir;

use harvest_features::live::ThetaEvent;
use harvest_features::reviewer::published::STREAM_KEY;

use conn::{Listener, Peer};
use live::Live;

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
    /// How often the hashes are read again (publishers without the stream), in milliseconds,
    /// while a page is connected (with none, Redis is not read).
    #[arg(long, default_value_t = 1000)]
    pub poll_ms: u64,
    /// Stream entries sent to a page when it connects (its K history).
    #[arg(long, default_value_t = 500)]
    pub history: usize,
    /// Review the records without `proposal_json` with this theta (JSON or theta.harvest
    /// lines) instead of the policy in force.
    #[arg(long, value_name = "FILE", requires = "redis")]
    pub theta: Option<PathBuf>,
    /// A connection that takes none of what it is sent for this long (milliseconds) is closed:
    /// a page that stops reading is dropped, not buffered.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..))]
    pub write_timeout_ms: u64,
    /// Answer for this name too (the `Host` of a request; repeatable): besides 127.0.0.1 and
    /// localhost, e.g. the name of an SSH tunnel or proxy in front of the server. Requests for
    /// any other name get 421.
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
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
    // Every core serves pages; Redis is read on a thread of its own.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("serve")
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

/// Every route of the server: the dashboard's files under `base` (its page marked for the Live
/// view when there is `--redis`) and the event stream; every request through [`guard::check`].
fn router(args: &ServeArgs, base: &str, live: Arc<Live>, guard: Arc<guard::Guard>) -> Router {
    let files = ServeDir::new(&args.dist);
    let mut app = Router::new();
    if args.redis.is_some() {
        app = app.route(LIVE_PATH, get(live::events));
    }
    if base != "/" {
        let to = base.to_string();
        app = app
            .route("/", get(move || async move { Redirect::temporary(&to) }))
            .nest_service(base.trim_end_matches('/'), files);
    } else {
        app = app.fallback_service(files);
    }
    // The dashboard's page, with its Content-Security-Policy as a header and, with `--redis`,
    // marked for the Live view (a layer: the file routes stay as they are).
    let pages = [base.to_string(), format!("{base}index.html")];
    let (dist, live_view) = (args.dist.clone(), args.redis.is_some());
    app.with_state(live)
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let page = pages.iter().any(|p| p == req.uri().path());
                let dist = dist.clone();
                async move {
                    if page {
                        index_html(dist, live_view).await
                    } else {
                        next.run(req).await
                    }
                }
            },
        ))
        .layer(axum::middleware::from_fn_with_state(guard, guard::check))
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
    let listener = Listener::new(listener, Duration::from_millis(args.write_timeout_ms));
    let live = Arc::new(Live::new(args.history));
    if let Some(t) = theta {
        live.set_theta(t, true);
    }
    let guard = Arc::new(guard::Guard::new(&args.hosts, &args.dist, &base)?);
    let app = router(&args, &base, live.clone(), guard);
    eprintln!(
        "harvest serve: http://{local}{base} ({}; Ctrl-C stops)",
        match &args.redis {
            Some(u) => format!("live proposals from {}", harvest_redis::redacted(u)),
            None => "static, no Live view: give --redis URL for it".to_string(),
        }
    );
    // Redis is read from here on (after the address line, which scripts wait for), while
    // pages are connected.
    if let Some(url) = &args.redis {
        let (url, args) = (url.clone(), args.clone());
        std::thread::Builder::new()
            .name("redis".into())
            .spawn(move || reader::run(url, args, live))?;
    }
    // SIGTERM / Ctrl-C end the server (open live streams are dropped with it, not waited for)
    // and `harvest` exits 0 through its one exit path.
    let app = app.into_make_service_with_connect_info::<Peer>();
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

/// `index.html` (read on every request: a rebuild is picked up) with its Content-Security-Policy
/// as a header and, for the Live view, its tag.
async fn index_html(dist: PathBuf, live_view: bool) -> Response {
    match tokio::fs::read_to_string(dist.join("index.html")).await {
        Ok(html) => {
            let csp = guard::csp_header(&html);
            let html = match html.find("</head>").filter(|_| live_view) {
                Some(i) => format!("{}{LIVE_META}\n{}", &html[..i], &html[i..]),
                None => html,
            };
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/html; charset=utf-8"),
                    ),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                    (header::CONTENT_SECURITY_POLICY, csp),
                ],
                html,
            )
                .into_response()
        }
        Err(e) => (StatusCode::NOT_FOUND, format!("index.html: {e}")).into_response(),
    }
}
