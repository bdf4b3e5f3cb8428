//! The browser calls the reviewer needs: reading a file a slice at a time, fetching the sample,
//! yielding to the browser between slices, the view in the URL, downloads. None of them panics.

use std::cell::RefCell;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use harvest_features::nav::{search_with_view, view_from_search, View};

/// Why a browser call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrowserError {
    /// Not in a page (no `window`).
    #[error("no window")]
    NoWindow,
    /// The server answered with an error status.
    #[error("HTTP {status} for {url}")]
    Http {
        /// The status, e.g. 404.
        status: u16,
        /// The address asked for.
        url: String,
    },
    /// `fetch` resolved to something that is not a `Response`.
    #[error("no response")]
    NoResponse,
    /// The browser refused, with its own message (e.g. a file that can no longer be read).
    #[error("{0}")]
    Refused(String),
}

fn js_err(e: JsValue) -> BrowserError {
    BrowserError::Refused(
        e.as_string()
            .or_else(|| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| "unknown browser error".to_string()),
    )
}

/// Bytes `start..end` of a file.
///
/// # Errors
/// [`BrowserError::Refused`] when the browser cannot read the file (moved, changed, gone).
pub async fn read_slice(
    blob: &web_sys::Blob,
    start: f64,
    end: f64,
) -> Result<Vec<u8>, BrowserError> {
    let part = blob.slice_with_f64_and_f64(start, end).map_err(js_err)?;
    let buf = JsFuture::from(part.array_buffer()).await.map_err(js_err)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// GETs a same-origin URL (relative to the page) and returns the body.
///
/// # Errors
/// [`BrowserError::Http`] for an error status, [`BrowserError::Refused`] when the request
/// failed (offline, blocked), the others outside a normal page.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, BrowserError> {
    let w = web_sys::window().ok_or(BrowserError::NoWindow)?;
    let resp = JsFuture::from(w.fetch_with_str(url))
        .await
        .map_err(js_err)?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| BrowserError::NoResponse)?;
    if !resp.ok() {
        return Err(BrowserError::Http {
            status: resp.status(),
            url: url.to_string(),
        });
    }
    let buf = JsFuture::from(resp.array_buffer().map_err(js_err)?)
        .await
        .map_err(js_err)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

thread_local! {
    static CHANNEL: RefCell<Option<web_sys::MessageChannel>> = const { RefCell::new(None) };
}

/// Lets the browser run (paint, handle input) and resumes as soon as it can: a message posted
/// to ourselves, which unlike `setTimeout(0)` is neither clamped to 4 ms nor throttled.
pub async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let posted = CHANNEL.with(|c| {
            let mut c = c.borrow_mut();
            if c.is_none() {
                *c = web_sys::MessageChannel::new().ok();
            }
            c.as_ref().is_some_and(|ch| {
                ch.port1().set_onmessage(Some(&resolve));
                ch.port2().post_message(&JsValue::NULL).is_ok()
            })
        });
        if !posted {
            let r = resolve.clone();
            leptos::prelude::set_timeout(
                move || {
                    let _ = r.call0(&JsValue::NULL);
                },
                std::time::Duration::ZERO,
            );
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// The view the URL names.
pub fn current_view() -> View {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .map_or(View::Explorer, |s| view_from_search(&s))
}

/// Adds a history entry for `view`; `hash` replaces the URL's hash (the explorer's state, `""`
/// for none), `None` keeps it.
pub fn go_to(view: View, hash: Option<&str>) {
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let path = loc.pathname().unwrap_or_default();
    let search = search_with_view(&loc.search().unwrap_or_default(), view);
    let hash = match hash {
        Some("") => String::new(),
        Some(h) => format!("#{h}"),
        None => loc.hash().unwrap_or_default(),
    };
    let url = format!("{path}{search}{hash}");
    if let Ok(h) = w.history() {
        let _ = h.push_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Scrolls the page to the top.
pub fn scroll_top() {
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Fires a `resize` on the window on the next frame, so the explorer's charts measure
/// themselves again once their view is shown.
pub fn remeasure_soon() {
    leptos::prelude::request_animation_frame(|| {
        if let (Some(w), Ok(ev)) = (web_sys::window(), web_sys::Event::new("resize")) {
            let _ = w.dispatch_event(&ev);
        }
    });
}

pub use crate::browser::download;

/// The files of a drop or a file input, in order.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}
