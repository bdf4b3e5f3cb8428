//! Which view the dashboard shows, and how it is named in the URL (`?view=review`): shared by
//! every view (explorer, reviewer, tuning, Replay, Live).

/// Which view the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum View {
    /// The explorer (sliders and the live proposal); its state is the URL's hash.
    #[default]
    Explorer,
    /// The reviewer (`?view=review`).
    Review,
    /// Theta tuning (`?view=tune`).
    Tune,
    /// Live published proposals (`?view=live`; offered when served by `harvest serve --redis`).
    Live,
    /// Trade replay and backtests on real bars (`?view=replay`).
    Replay,
}

impl View {
    /// The `view=` value in the URL (`None` for the explorer, which has none).
    pub fn key(self) -> Option<&'static str> {
        match self {
            View::Explorer => None,
            View::Review => Some("review"),
            View::Tune => Some("tune"),
            View::Live => Some("live"),
            View::Replay => Some("replay"),
        }
    }
}

/// The view named by a URL's query (`?view=review`); anything else is the explorer.
///
/// The view is a query parameter so that the explorer's state keeps the hash to itself: a link
/// `?view=review#pnl=4.1` opens the reviewer, and the explorer behind it at PnL 4.1.
///
/// ```
/// use harvest_features::nav::{view_from_search, View};
/// assert_eq!(view_from_search("?view=review"), View::Review);
/// assert_eq!(view_from_search("?a=1&view=review"), View::Review);
/// assert_eq!(view_from_search(""), View::Explorer);
/// assert_eq!(view_from_search("?view=nope"), View::Explorer);
/// assert_eq!(view_from_search("?view=tune"), View::Tune);
/// assert_eq!(view_from_search("?view=live"), View::Live);
/// assert_eq!(view_from_search("?view=replay"), View::Replay);
/// ```
pub fn view_from_search(search: &str) -> View {
    let q = search.strip_prefix('?').unwrap_or(search);
    [View::Review, View::Tune, View::Live, View::Replay]
        .into_iter()
        .find(|v| q.split('&').any(|p| p.strip_prefix("view=") == v.key()))
        .unwrap_or(View::Explorer)
}

/// The query for `view`, keeping any other parameters of `search` (`""` when none is left).
///
/// ```
/// use harvest_features::nav::{search_with_view, View};
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_round_trips_through_the_query() {
        for s in ["", "?x=1", "?view=review", "?a=b&view=other&c"] {
            for v in [
                View::Explorer,
                View::Review,
                View::Tune,
                View::Live,
                View::Replay,
            ] {
                let q = search_with_view(s, v);
                assert_eq!(view_from_search(&q), v, "{s} {v:?}");
                assert_eq!(search_with_view(&q, v), q, "idempotent");
            }
        }
        assert_eq!(search_with_view("?view=other", View::Explorer), "");
    }
}
