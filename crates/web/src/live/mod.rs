//! The Live view: every symbol's latest published proposal as `harvest serve --redis` streams it
//! (`/api/live`), verified in the page by the kernel as it arrives, its K history as a
//! sparkline, changes highlighted; a symbol opens its live chart (candles and proposals,
//! [`chart`]), a row's Explorer button opens the record in the explorer. Offered only when
//! the page was served with Redis (`harvest serve` adds `<meta name="harvest-live">` to the
//! page; a static host has none, and then nothing here shows or runs). The view and its tab are
//! a wasm chunk of their own, loaded with the page only where the stream exists; only
//! [`live_url`] is in the main one. The pure parts are [`harvest_features::live`].

mod chart;
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
