//! [`Nav`]: which view shows, and what passes between the views. `App` provides it; it is small
//! and `Copy`. Every view but the explorer is a wasm chunk of its own (downloaded when first
//! shown, see `parts.rs`), so the explorer only ever touches what is here.

use leptos::prelude::*;

use crate::browser;
use crate::reviewer::ReviewCtx;
use harvest_features::explorer::UiState;
use harvest_features::nav::View;
use harvest_features::reviewer::OpenedRecord;

/// The views' shared state.
#[derive(Clone, Copy)]
pub struct Nav {
    /// The view on screen (follows the URL's `?view=`).
    pub view: RwSignal<View>,
    /// How many records the reviewer has loaded (the tab's badge).
    pub records: RwSignal<usize>,
    /// The record opened in the explorer from the reviewer (its panel shows while this is set).
    pub opened: RwSignal<Option<OpenedRecord>>,
    /// The explorer's state (a record is opened by setting it).
    pub explorer: RwSignal<UiState>,
    /// The reviewer, once its view was built (the tuning view compares on its records).
    pub review: RwSignal<Option<ReviewCtx>>,
}

impl Nav {
    /// Builds and provides the state; `explorer` is the explorer's state signal.
    pub fn provide(explorer: RwSignal<UiState>) -> Nav {
        let nav = Nav {
            view: RwSignal::new(browser::current_view()),
            records: RwSignal::new(0),
            opened: RwSignal::new(None),
            explorer,
            review: RwSignal::new(None),
        };
        provide_context(nav);
        // Back / forward between views. (Provided once by App, for the page's lifetime: the
        // listener is never removed.)
        #[allow(clippy::disallowed_methods)]
        let _ = window_event_listener_untyped("popstate", move |_| {
            let v = browser::current_view();
            if nav.view.get_untracked() != v {
                nav.view.set(v);
            }
        });
        nav
    }

    /// The state provided by `App`.
    pub fn get() -> Nav {
        // Only missing if a component is mounted outside `App`: a programming error.
        expect_context::<Nav>()
    }

    /// Switches the view (with a history entry), keeping the explorer's hash.
    pub fn show(&self, view: View) {
        if self.view.get_untracked() != view {
            browser::go_to(view, None);
            self.view.set(view);
            browser::scroll_top();
        }
    }
}
