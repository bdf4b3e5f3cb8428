//! `App`: owns the state, restores it (URL, then localStorage, then defaults), keeps the URL and
//! storage in step with it, and lays the panels out.

use std::time::Duration;

use leptos::prelude::*;

use crate::browser;
use crate::context::Ctx;
use crate::controls::{Presets, SkipLink};
use crate::explorer::{
    ChartsPanel, Flips, MarketPanel, Notices, P1Panel, PositionPanel, ProposalJson, Reasons,
    Summary, ThetaPanel, Toolbar,
};
use crate::nav::Nav;
use crate::parts::{LazyPart, Load, Part, Parts};
use crate::reviewer::ViewTabs;
use harvest_features::explorer::decode;
use harvest_features::nav::View;

/// How long the URL and storage wait after the last change (browsers throttle `replaceState`).
const PERSIST_DELAY: Duration = Duration::from_millis(150);

/// The dashboard.
#[component]
pub fn App() -> impl IntoView {
    let (initial, _source, notices) = browser::initial_state();
    let ctx = Ctx::provide(initial, notices, browser::prefers_dark());
    // Which view shows (`?view=review`, `?view=tune`) and what passes between the views.
    let nav = Nav::provide(ctx.state);
    // `?view=live` on a page without a live stream (a static host): the explorer.
    if nav.view.get_untracked() == View::Live && crate::live::live_url().is_none() {
        nav.view.set(View::Explorer);
    }

    // URL hash + localStorage follow the state, debounced.
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        ctx.state.track();
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let h = set_timeout_with_handle(
            move || {
                pending.set_value(None);
                ctx.state.with_untracked(browser::persist);
            },
            PERSIST_DELAY,
        )
        .ok();
        pending.set_value(h);
    });

    // A link pasted into this tab (only the hash changed): load it. (App lives as long as the
    // page: its listener is never removed.)
    #[allow(clippy::disallowed_methods)]
    let _ = window_event_listener(leptos::ev::hashchange, move |_| {
        let hash = browser::location_hash();
        let d = decode(&hash);
        if !d.problems.is_empty() {
            ctx.notify(format!(
                "This link could not be read completely, so the parts below use their defaults: {}.",
                d.problems.join("; ")
            ));
        }
        if ctx.state.with_untracked(|s| *s != d.state) {
            ctx.state.set(d.state);
        }
    });

    browser::on_color_scheme_change(move |dark| ctx.dark.set(dark));

    // The views that are chunks of their own: mounted (and, in split builds, downloaded) the
    // first time they are shown, then kept; so is the reviewed-record panel when a record is
    // opened. The Live view (its tab included) loads at once where the page has a live stream
    // (`harvest serve --redis`), never on a static host.
    let parts = Parts::provide();
    let live = crate::live::live_url().is_some();
    let shows = move |v: View| Signal::derive(move || nav.view.get() == v);
    // One line under the tabs while a view's chunk downloads, or if it could not be.
    let status = move || {
        let part = match nav.view.get() {
            View::Review => Part::Review,
            View::Tune => Part::Tune,
            View::Live => Part::Live,
            View::Replay => Part::Replay,
            View::Explorer => Part::Reviewed,
        };
        let load = parts.load(part);
        // The reviewed record's panel only speaks up when it failed.
        (part != Part::Reviewed || load == Load::Failed).then_some((part.name(), load))
    };
    let loading = move || {
        status().and_then(|(what, l)| {
            matches!(l, Load::Idle | Load::Waiting).then(|| format!("Loading the {what}…"))
        })
    };
    let failed = move || {
        status().and_then(|(what, l)| {
            (l == Load::Failed).then(|| {
                format!(
                    "The {what} could not be downloaded. Check the connection and reload the page."
                )
            })
        })
    };

    let content = NodeRef::<leptos::html::Div>::new();
    view! {
        <main data-testid="app" class="app">
            <SkipLink target=content />
            <header class="topbar">
                <div class="brand">
                    <h1>"Harvest Lab"</h1>
                    <p class="tagline">
                        "The P2 harvest kernel, live: move an input, see the proposal."
                    </p>
                </div>
                <ViewTabs />
                <span class="live-tab-slot" node_ref=parts.live_tab></span>
                <Toolbar />
            </header>
            <div id="content" class="content" tabindex="-1" node_ref=content>
            <Notices />
            <div class="layout" hidden=move || nav.view.get() != View::Explorer>
                <section class="inputs" aria-label="Inputs">
                    <Presets />
                    <PositionPanel />
                    <MarketPanel />
                    <P1Panel />
                    <ThetaPanel />
                </section>
                <section class="outputs" aria-label="Outputs">
                    <LazyPart part=Part::Reviewed when=Signal::derive(move || nav.opened.with(Option::is_some)) />
                    <Summary />
                    <Reasons />
                    <ChartsPanel />
                    <Flips />
                    <ProposalJson />
                </section>
            </div>
            <p class="card view-loading" data-testid="view-loading" role="status" hidden=move || loading().is_none()>
                {loading}
            </p>
            <p class="card notice" data-testid="view-error" role="alert" hidden=move || failed().is_none()>
                {failed}
            </p>
            <LazyPart part=Part::Review when=shows(View::Review) />
            <LazyPart part=Part::Tune when=shows(View::Tune) />
            <LazyPart part=Part::Live when=Signal::derive(move || live) />
            <LazyPart part=Part::Replay when=shows(View::Replay) />
            </div>
            <footer class="foot">
                "Harvest Lab "
                {harvest_kernel::KERNEL_VERSION}
                " · proposals, never orders · everything runs in this page"
            </footer>
        </main>
    }
}
