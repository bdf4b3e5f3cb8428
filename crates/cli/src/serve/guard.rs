//! What every request and response of `serve` passes: the `Host` check (a page of another name
//! that resolves to 127.0.0.1, DNS rebinding, gets 421 and not the data), the security headers,
//! and the boundary of `--dist` (a path that resolves outside it through a symlink is 404).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The names `serve` answers for, besides the `--host` ones.
pub(super) const LOCAL_NAMES: [&str; 2] = ["127.0.0.1", "localhost"];

/// What the checks need.
pub(super) struct Guard {
    /// Names allowed in `Host` (lower case).
    hosts: Vec<String>,
    /// `--dist`, resolved.
    dist: PathBuf,
    /// The dashboard's path (`/` or `/base/`).
    base: String,
}

impl Guard {
    pub(super) fn new(extra_hosts: &[String], dist: &Path, base: &str) -> std::io::Result<Guard> {
        let mut hosts: Vec<String> = LOCAL_NAMES.iter().map(|h| h.to_string()).collect();
        hosts.extend(
            extra_hosts
                .iter()
                .map(|h| h.trim_end_matches('.').to_ascii_lowercase()),
        );
        Ok(Guard {
            hosts,
            dist: dist.canonicalize()?,
            base: base.to_string(),
        })
    }

    /// Whether `host` (a `Host` header: a name or address, maybe with a port) is one of ours.
    fn allows(&self, host: &str) -> bool {
        let name = match host.rsplit_once(':') {
            Some((n, port)) if port.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => host,
        };
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.contains(&name)
    }

    /// The file under `--dist` a request path names, if it names one there.
    fn file(&self, path: &str) -> Option<PathBuf> {
        let rel = path.strip_prefix(self.base.as_str()).or_else(|| {
            (path.len() + 1 == self.base.len() && self.base.starts_with(path)).then_some("")
        })?;
        let rel = percent_encoding::percent_decode_str(rel)
            .decode_utf8()
            .ok()?;
        Some(self.dist.join(rel.trim_start_matches('/')))
    }
}

/// Whether `path` (which exists) or the `index.html` served for it resolves outside `dist`.
async fn leaves(dist: &Path, path: &Path) -> bool {
    let Ok(real) = tokio::fs::canonicalize(path).await else {
        return false;
    };
    if !real.starts_with(dist) {
        return true;
    }
    if real.is_dir() {
        if let Ok(index) = tokio::fs::canonicalize(real.join("index.html")).await {
            return !index.starts_with(dist);
        }
    }
    false
}

/// The middleware: `Host`, then `--dist`'s boundary, then the headers on every response.
pub(super) async fn check(State(g): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().host())
        .map(str::to_string);
    let mut resp = match host {
        None => (
            StatusCode::BAD_REQUEST,
            "harvest serve: the request has no Host header\n".to_string(),
        )
            .into_response(),
        Some(h) if !g.allows(&h) => (
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "harvest serve answers for {} only, not for Host {:?} (a page of another name \
                 must not read the dashboard's data; add the name with --host NAME)\n",
                g.hosts.join(", "),
                harvest_kernel::echo::Echo(&h)
            ),
        )
            .into_response(),
        Some(_) => match g.file(req.uri().path()) {
            Some(f) if leaves(&g.dist, &f).await => {
                (StatusCode::NOT_FOUND, "Not Found").into_response()
            }
            _ => next.run(req).await,
        },
    };
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static("frame-ancestors 'none'"));
    resp
}

/// The Content-Security-Policy of the dashboard's page as a header: the policy of its `<meta>`
/// (written by `scripts/csp.mjs` at the release build, the one source of it) and
/// `frame-ancestors 'none'`, which a `<meta>` cannot carry.
pub(super) fn csp_header(html: &str) -> HeaderValue {
    const TAG: &str = "http-equiv=\"Content-Security-Policy\" content=\"";
    let policy = html
        .find(TAG)
        .map(|i| &html[i + TAG.len()..])
        .and_then(|rest| rest.find('"').map(|j| &rest[..j]))
        .map(|p| p.trim().trim_end_matches(';'))
        .filter(|p| !p.is_empty());
    let value = match policy {
        Some(p) => format!("{p}; frame-ancestors 'none'"),
        None => "frame-ancestors 'none'".to_string(),
    };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("frame-ancestors 'none'"))
}
