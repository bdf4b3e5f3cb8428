//! The dashboard's reviewer mode as plain data: reading inputs a slice at a time ([`Loader`]),
//! the loaded batches with their receipts and exports ([`Store`]), the records table (filter,
//! sort, page) and the page's view switch in the URL.
//!
//! Pure and natively tested; every comparison is [`crate::review`]'s. The wasm UI
//! (`ui::reviewer`) only calls it.

mod loader;
mod store;
mod table;

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
}

/// The view named by a URL's query (`?view=review`); anything else is the explorer.
///
/// The view is a query parameter so that the explorer's state keeps the hash to itself: a link
/// `?view=review#pnl=4.1` opens the reviewer, and the explorer behind it at PnL 4.1.
///
/// ```
/// use harvest_lab::review_view::{view_from_search, View};
/// assert_eq!(view_from_search("?view=review"), View::Review);
/// assert_eq!(view_from_search("?a=1&view=review"), View::Review);
/// assert_eq!(view_from_search(""), View::Explorer);
/// assert_eq!(view_from_search("?view=nope"), View::Explorer);
/// ```
pub fn view_from_search(search: &str) -> View {
    let q = search.strip_prefix('?').unwrap_or(search);
    if q.split('&').any(|p| p == "view=review") {
        View::Review
    } else {
        View::Explorer
    }
}

/// The query for `view`, keeping any other parameters of `search` (`""` when none is left).
///
/// ```
/// use harvest_lab::review_view::{search_with_view, View};
/// assert_eq!(search_with_view("", View::Review), "?view=review");
/// assert_eq!(search_with_view("?view=review", View::Explorer), "");
/// assert_eq!(search_with_view("?x=1&view=review", View::Explorer), "?x=1");
/// assert_eq!(search_with_view("?x=1", View::Review), "?view=review&x=1");
/// ```
pub fn search_with_view(search: &str, view: View) -> String {
    let q = search.strip_prefix('?').unwrap_or(search);
    let mut parts: Vec<&str> = Vec::new();
    if view == View::Review {
        parts.push("view=review");
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_round_trips_through_the_query() {
        for s in ["", "?x=1", "?view=review", "?a=b&view=other&c"] {
            for v in [View::Explorer, View::Review] {
                let q = search_with_view(s, v);
                assert_eq!(view_from_search(&q), v, "{s} {v:?}");
                assert_eq!(search_with_view(&q, v), q, "idempotent");
            }
        }
        assert_eq!(search_with_view("?view=other", View::Explorer), "");
    }
}
