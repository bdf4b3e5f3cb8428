//! The dashboard's reviewer mode as plain data: reading inputs a slice at a time ([`Loader`]),
//! the loaded batches with their receipts and exports ([`Store`]), the records table (filter,
//! sort, page) and the page's view switch in the URL.
//!
//! Pure and natively tested; every comparison is [`crate::reviewer::verify`]'s. The wasm UI
//! (`ui::reviewer`) only calls it.

mod html;
mod loader;
pub mod published;
mod store;
mod table;
pub mod verify;

pub use html::{
    batch_html, counts_html, esc, header_html, opened_html, pager_html, progress_html, rows_html,
    verdict_key, Progress, RowHtml, CARD_ERRORS,
};
pub use loader::{Digest, Loader, MAX_DOCUMENT_BYTES};
pub use store::{rereview, Batch, BatchStatus, CompareLine, OpenedRecord, RowRef, Store};
pub use table::{
    page_info, select, verdict_from_str, ActionFilter, Column, Filter, PageInfo, Sort, PAGE_SIZE,
};

/// Which view the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// The explorer (sliders and the live proposal); its state is the URL's hash.
    #[default]
    Explorer,
    /// The reviewer.
    Review,
    /// Theta tuning (`?view=tune`, `ui::tuning`).
    Tune,
    /// Live published proposals (`?view=live`; offered when served by `harvest serve --redis`).
    Live,
}

impl View {
    /// The `view=` value in the URL (`None` for the explorer, which has none).
    pub fn key(self) -> Option<&'static str> {
        match self {
            View::Explorer => None,
            View::Review => Some("review"),
            View::Tune => Some("tune"),
            View::Live => Some("live"),
        }
    }
}

/// The view named by a URL's query (`?view=review`); anything else is the explorer.
///
/// The view is a query parameter so that the explorer's state keeps the hash to itself: a link
/// `?view=review#pnl=4.1` opens the reviewer, and the explorer behind it at PnL 4.1.
///
/// ```
/// use harvest_features::reviewer::{view_from_search, View};
/// assert_eq!(view_from_search("?view=review"), View::Review);
/// assert_eq!(view_from_search("?a=1&view=review"), View::Review);
/// assert_eq!(view_from_search(""), View::Explorer);
/// assert_eq!(view_from_search("?view=nope"), View::Explorer);
/// assert_eq!(view_from_search("?view=tune"), View::Tune);
/// ```
pub fn view_from_search(search: &str) -> View {
    let q = search.strip_prefix('?').unwrap_or(search);
    [View::Review, View::Tune, View::Live]
        .into_iter()
        .find(|v| q.split('&').any(|p| p.strip_prefix("view=") == v.key()))
        .unwrap_or(View::Explorer)
}

/// The query for `view`, keeping any other parameters of `search` (`""` when none is left).
///
/// ```
/// use harvest_features::reviewer::{search_with_view, View};
/// assert_eq!(search_with_view("", View::Review), "?view=review");
/// assert_eq!(search_with_view("?view=review", View::Explorer), "");
/// assert_eq!(search_with_view("?x=1&view=review", View::Explorer), "?x=1");
/// assert_eq!(search_with_view("?x=1", View::Review), "?view=review&x=1");
/// ```
pub fn search_with_view(search: &str, view: View) -> String {
    let q = search.strip_prefix('?').unwrap_or(search);
    let key = view.key().map(|k| format!("view={k}"));
    let mut parts: Vec<&str> = key.iter().map(String::as_str).collect();
    parts.extend(
        q.split('&')
            .filter(|p| !p.is_empty() && *p != "view" && !p.starts_with("view=")),
    );
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The largest difference `tol` allows between a numeric diff's two values
/// (`max(abs, rel × max(|recorded|, |recomputed|))`, the scale taken back from the diff's own
/// `abs_diff / rel_diff`); `None` for a field that is no number.
///
/// ```
/// use harvest_kernel::{FieldDiff, Tolerance};
/// use harvest_features::reviewer::allowed_diff;
/// let d = FieldDiff {
///     field: "R_net".into(), recorded: "2.5".into(), recomputed: "2.0".into(),
///     abs_diff: Some(0.5), rel_diff: Some(0.2), why: String::new(),
/// };
/// assert_eq!(allowed_diff(&d, &Tolerance { abs: 1e-9, rel: 0.1 }), Some(0.25));
/// ```
pub fn allowed_diff(d: &harvest_kernel::FieldDiff, tol: &harvest_kernel::Tolerance) -> Option<f64> {
    let abs = d.abs_diff?;
    let scale = match d.rel_diff {
        Some(rel) if rel > 0.0 => abs / rel,
        _ => 0.0,
    };
    Some(tol.abs.max(tol.rel * scale))
}

/// A byte count for people: `512 B`, `1.5 KB`, `50.0 MB` (powers of 1000).
///
/// ```
/// use harvest_features::reviewer::fmt_bytes;
/// assert_eq!(fmt_bytes(512.0), "512 B");
/// assert_eq!(fmt_bytes(1_500.0), "1.5 KB");
/// assert_eq!(fmt_bytes(52_428_800.0), "52.4 MB");
/// ```
pub fn fmt_bytes(b: f64) -> String {
    if !(b.is_finite() && b >= 0.0) {
        return "–".to_string();
    }
    match b {
        b if b < 1e3 => format!("{} B", crate::format::fixed(b, 0)),
        b if b < 1e6 => format!("{} KB", crate::format::fixed(b / 1e3, 1)),
        b if b < 1e9 => format!("{} MB", crate::format::fixed(b / 1e6, 1)),
        b => format!("{} GB", crate::format::fixed(b / 1e9, 2)),
    }
}

/// A count with thousands separators: `100,000`.
///
/// ```
/// use harvest_features::reviewer::fmt_count;
/// assert_eq!(fmt_count(100_000), "100,000");
/// assert_eq!(fmt_count(999), "999");
/// assert_eq!(fmt_count(1_234_567), "1,234,567");
/// ```
pub fn fmt_count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_round_trips_through_the_query() {
        for s in ["", "?x=1", "?view=review", "?a=b&view=other&c"] {
            for v in [View::Explorer, View::Review, View::Tune, View::Live] {
                let q = search_with_view(s, v);
                assert_eq!(view_from_search(&q), v, "{s} {v:?}");
                assert_eq!(search_with_view(&q, v), q, "idempotent");
            }
        }
        assert_eq!(search_with_view("?view=other", View::Explorer), "");
    }
}
