//! Thin, failure-tolerant wrappers over the browser APIs the dashboard uses: the URL hash,
//! localStorage, the clipboard, downloads, the colour scheme. None of them panics: a missing
//! API (storage disabled, no clipboard) just returns `None`/`false`.

use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use harvest_features::explorer::{decode, encode, UiState};

/// localStorage key of the last state (the [`encode`] form).
pub const STORAGE_KEY: &str = "harvest-lab.state.v1";

fn window() -> Option<web_sys::Window> {
    web_sys::window()
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

/// Why a chosen file could not be read (the message is shown in the view's status line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReadFileError {
    /// No `FileReader` in this browser.
    #[error("this browser cannot read files")]
    NoReader,
    /// The read failed or gave no text.
    #[error("the file could not be read as text")]
    NotText,
}

/// Reads a file chosen in an `<input type=file>` as text and calls `done` with it (or why not).
pub fn read_file_text(
    file: web_sys::File,
    done: impl FnOnce(Result<String, ReadFileError>) + 'static,
) {
    let Ok(reader) = web_sys::FileReader::new() else {
        done(Err(ReadFileError::NoReader));
        return;
    };
    let r = reader.clone();
    let onload = Closure::once_into_js(move || {
        let text = r.result().ok().and_then(|v| v.as_string());
        done(text.ok_or(ReadFileError::NotText));
    });
    reader.set_onloadend(Some(onload.unchecked_ref()));
    let _ = reader.read_as_text(&file);
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

/// Imports a theta set from JSON strictly ([`harvest_features::theta::import_theta_json`]), the
/// JSON parsed with the browser's `JSON.parse` so serde_json's parser stays out of the explorer's
/// wasm (the explorer's box takes JSON; the tuning view also reads `theta.harvest` lines).
///
/// # Errors
/// Every problem found, as the shared importer names them.
pub fn import_theta_json(
    text: &str,
) -> Result<harvest_kernel::Theta, Vec<harvest_features::theta::ThetaImportError>> {
    use harvest_features::theta::{self, ThetaImportError, ThetaJson};
    use js_sys::{Object, JSON};
    let text = text.trim_start_matches('\u{feff}');
    let value = JSON::parse(text).map_err(|e| {
        let msg = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_default();
        vec![ThetaImportError::Malformed {
            line: None,
            message: format!("not valid JSON: {msg}"),
        }]
    })?;
    fn model(v: &JsValue) -> ThetaJson {
        if let Some(n) = v.as_f64() {
            ThetaJson::Number(n)
        } else if let Some(s) = v.as_string() {
            ThetaJson::string(&s)
        } else if let Some(b) = v.as_bool() {
            ThetaJson::boolean(b)
        } else if js_sys::Array::is_array(v) {
            ThetaJson::array()
        } else if v.is_object() {
            let entries = Object::entries(v.unchecked_ref())
                .iter()
                .map(|pair| {
                    let pair: js_sys::Array = pair.unchecked_into();
                    (
                        pair.get(0).as_string().unwrap_or_default(),
                        model(&pair.get(1)),
                    )
                })
                .collect();
            ThetaJson::Object(entries)
        } else {
            ThetaJson::null()
        }
    }
    theta::import_theta_value(model(&value))
}
