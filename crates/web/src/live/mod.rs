//! The Live view: every symbol's latest published proposal as `harvest serve --redis` streams it
//! (`/api/live`), verified in the page by the kernel as it arrives, its K history as a
//! sparkline, changes highlighted; a click opens the record in the explorer. Offered only when
//! the page was served with Redis (`harvest serve` adds `<meta name="harvest-live">` to the
//! page; a static host has none, and then nothing here shows or runs). The view is a wasm chunk
//! of its own; only [`LiveTab`] and [`live_url`] are in the main one. The pure parts are
//! [`harvest_features::live`].

mod events;
mod page;
mod row;
mod spark;
mod tab;

pub use page::LivePage;
pub use tab::LiveTab;

/// The event stream's URL when the page was served by `harvest serve --redis`, else `None`.
pub fn live_url() -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector("meta[name=\"harvest-live\"]")
        .ok()??
        .get_attribute("content")
        .filter(|u| !u.is_empty())
}
