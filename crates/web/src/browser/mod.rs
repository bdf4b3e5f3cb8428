//! The browser, in one module: thin, failure-tolerant wrappers over the APIs the dashboard
//! uses: the URL (hash, view, history), localStorage, the clipboard, downloads, the colour
//! scheme, time and yielding to the browser; files and fetches in [`files`]. None of them
//! panics: a missing API (storage disabled, no clipboard) just returns `None`/`false`.

pub mod files;
pub mod worker;

use std::cell::RefCell;

use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use harvest_features::explorer::{decode, encode, UiState};
use harvest_features::nav::{search_with_view, view_from_search, View};

/// localStorage key of the last state (the [`encode`] form).
pub const STORAGE_KEY: &str = "harvest-lab.state.v1";

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// What the browser said when it refused something: a thrown string, an `Error`'s message, or
/// "unknown browser error".
pub fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "unknown browser error".to_string())
}

/// `location.hash` without the `#` (empty when there is none).
pub fn location_hash() -> String {
    window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_string())
        .unwrap_or_default()
}

/// Replaces the URL's hash with `query` without a navigation or a history entry (no `#` at all
/// for an empty query). Relative to the current document, so it works under any sub-path.
pub fn replace_hash(query: &str) {
    let Some(w) = window() else { return };
    let Ok(history) = w.history() else { return };
    let url = if query.is_empty() {
        let loc = w.location();
        let path = loc.pathname().unwrap_or_default();
        let search = loc.search().unwrap_or_default();
        format!("{path}{search}")
    } else {
        format!("#{query}")
    };
    if location_hash() != query {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// The page's full address (what "copy link" copies).
pub fn location_href() -> String {
    window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

fn storage() -> Option<web_sys::Storage> {
    window().and_then(|w| w.local_storage().ok().flatten())
}

/// Reads a localStorage entry.
pub fn storage_get(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

/// Writes a localStorage entry; false if storage is unavailable or full.
pub fn storage_set(key: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

/// Removes a localStorage entry.
pub fn storage_remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// Where the initial state came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The URL's hash.
    Url,
    /// The last state saved in this browser.
    Storage,
    /// Nothing saved: the defaults.
    Defaults,
}

/// The state to start from: the URL's hash if it has one, else the saved state, else the
/// defaults; with a notice for anything that could not be read (it keeps its default).
pub fn initial_state() -> (UiState, Source, Vec<String>) {
    let hash = location_hash();
    if !hash.trim().is_empty() {
        let d = decode(&hash);
        let notices = if d.problems.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "This link could not be read completely, so the parts below use their defaults: {}.",
                d.problems.join("; ")
            )]
        };
        return (d.state, Source::Url, notices);
    }
    if let Some(saved) = storage_get(STORAGE_KEY) {
        let d = decode(&saved);
        if d.problems.is_empty() {
            return (d.state, Source::Storage, Vec::new());
        }
        storage_remove(STORAGE_KEY);
        return (
            UiState::default(),
            Source::Defaults,
            vec![format!(
                "The state saved in this browser was unreadable and has been reset to the defaults ({}).",
                d.problems.join("; ")
            )],
        );
    }
    (UiState::default(), Source::Defaults, Vec::new())
}

/// Writes `state` to the URL hash and to localStorage.
pub fn persist(state: &UiState) {
    let q = encode(state);
    replace_hash(&q);
    storage_set(STORAGE_KEY, &q);
}

/// Copies `text` to the clipboard (best effort; the promise is not awaited).
pub fn copy_text(text: &str) -> bool {
    match window() {
        Some(w) => {
            let _ = w.navigator().clipboard().write_text(text);
            true
        }
        None => false,
    }
}

/// Offers `text` as a download named `filename` through a same-origin `blob:` URL (revoked a
/// minute later, once the browser has surely read it).
pub fn download(filename: &str, mime: &str, text: &str) -> bool {
    let go = || -> Option<()> {
        let doc = web_sys::window()?.document()?;
        let parts = js_sys::Array::of1(&JsValue::from_str(text));
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let a: web_sys::HtmlAnchorElement = doc.create_element("a").ok()?.dyn_into().ok()?;
        a.set_href(&url);
        a.set_download(filename);
        a.click();
        leptos::prelude::set_timeout(
            move || {
                let _ = web_sys::Url::revoke_object_url(&url);
            },
            std::time::Duration::from_secs(60),
        );
        Some(())
    };
    go().is_some()
}

/// Whether the user prefers a dark colour scheme.
pub fn prefers_dark() -> bool {
    window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Calls `f(dark)` whenever the preferred colour scheme changes (for the page's lifetime).
pub fn on_color_scheme_change(f: impl Fn(bool) + 'static) {
    let Some(mql) =
        window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
    else {
        return;
    };
    let probe = mql.clone();
    let cb = Closure::<dyn Fn()>::new(move || f(probe.matches()));
    if mql
        .add_event_listener_with_callback("change", cb.as_ref().unchecked_ref())
        .is_ok()
    {
        cb.forget();
    }
}

/// Work a job does before it yields to the browser, ms (every job: the page keeps painting
/// and answering input, and the progress moves).
pub const SLICE_MS: f64 = 10.0;

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

/// `performance.now()` in milliseconds (0 if unavailable).
pub fn now_ms() -> f64 {
    window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The device pixel ratio (1 if unavailable or silly).
pub fn device_pixel_ratio() -> f64 {
    let r = window().map_or(1.0, |w| w.device_pixel_ratio());
    if r.is_finite() && r > 0.0 {
        r.min(4.0)
    } else {
        1.0
    }
}
